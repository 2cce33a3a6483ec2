//! Typed, validated options. Bad input dies here, before any work starts, with a message
//! that says what is wrong and what to do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::broker::ClientProps;
use crate::cli::{ClusterArgs, SweepArgs, WorkloadArgs};
use crate::clients::{properties, ClientKind};
use crate::error::{usage, UserError};
use crate::results::{Mode, Params};
use crate::sweep::grid::{self, Axis};
use crate::workload::{topic_name, Workload};

/// Runs above this count need `--yes`.
pub const LARGE_SWEEP_RUNS: usize = 300;

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    pub bootstrap: Option<String>,
    /// `--command-config`, in librdkafka's names, for admin and producer connections.
    pub admin_props: ClientProps,
    pub allow_write: bool,
}

/// Live mode's producer and measurement window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveOptions {
    pub rate: f64,
    pub duration_s: f64,
    pub warmup_s: f64,
}

/// Everything a sweep needs, checked.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub cluster: ClusterOptions,
    pub workload: Workload,
    pub mode: Mode,
    pub live: Option<LiveOptions>,
    pub clients: Vec<ClientKind>,
    pub axes: Vec<Axis>,
    /// Fixed properties (preset, `--consumer.config`, `-X`), by Kafka name.
    pub fixed: Params,
    pub repeat: u32,
    pub warmup_runs: u32,
    /// `None`: a new random seed (or the resumed sweep's).
    pub seed: Option<u64>,
    pub trial_timeout_s: f64,
    pub out: PathBuf,
    pub resume: bool,
    pub yes: bool,
    pub report: bool,
    /// The command line with secrets masked, recorded with the results.
    pub command_line: String,
}

impl SweepOptions {
    pub fn from_args(args: &SweepArgs, argv: &[String]) -> Result<SweepOptions> {
        let preset = match &args.preset {
            Some(name) => Some(grid::preset(name).ok_or_else(|| {
                let names: Vec<_> = grid::presets().iter().map(|p| p.name).collect();
                usage(format!(
                    "unknown preset `{name}`; the presets are: {}",
                    names.join(", ")
                ))
            })?),
            None => None,
        };
        let mode = match args.mode.as_deref() {
            None => preset.as_ref().map_or(Mode::Drain, |p| p.mode),
            Some("drain") => Mode::Drain,
            Some("live") => Mode::Live,
            Some(other) => {
                return Err(usage(format!(
                    "unknown --mode `{other}`: use drain or live"
                )))
            }
        };
        let live = live_options(args, mode, preset.as_ref().and_then(|p| p.live))?;
        let clients = parse_clients(&args.clients)?;

        let mut fixed = Params::new();
        if let Some(file) = &args.consumer_config {
            for (k, v) in read_properties(file)? {
                properties::validate(&k, &v)
                    .map_err(|e| usage(format!("{}: {e}", file.display())))?;
                fixed.insert(k, v);
            }
        }
        let mut cli_fixed = Params::new();
        for item in &args.properties {
            let (k, v) = split_pair(item, "-X", "KEY=VALUE")?;
            properties::validate(&k, &v).map_err(|e| usage(format!("-X {e}")))?;
            if cli_fixed.insert(k.clone(), v).is_some() {
                return Err(usage(format!("-X {k} is given twice: keep one")));
            }
        }
        if let Some(n) = args.consumers {
            properties::validate_consumers(&n.to_string())
                .map_err(|e| usage(format!("--consumers {n}: {e}")))?;
            cli_fixed.insert(properties::CONSUMERS.into(), n.to_string());
        }
        let cli_axes = parse_axes(&args.params)?;
        for (name, _) in &cli_axes {
            if cli_fixed.contains_key(name) {
                let fixed_by = if name == properties::CONSUMERS {
                    "--consumers"
                } else {
                    "-X"
                };
                return Err(usage(format!(
                    "`{name}` is both swept (--param) and fixed ({fixed_by}): keep one"
                )));
            }
        }
        // Command-line options override the preset: a preset axis that is fixed or swept on
        // the command line gives way.
        let mut axes: Vec<Axis> = preset.as_ref().map(|p| p.axes.clone()).unwrap_or_default();
        axes.retain(|(name, _)| {
            !cli_fixed.contains_key(name)
                && !fixed.contains_key(name)
                && !cli_axes.iter().any(|(n, _)| n == name)
        });
        axes.extend(cli_axes);
        fixed.extend(cli_fixed);
        if !axes.iter().any(|(n, _)| n == "max.poll.records")
            && !fixed.contains_key("max.poll.records")
        {
            // The Java client's default, applied to every client so they are compared alike.
            fixed.insert("max.poll.records".into(), "500".into());
        }

        let messages = match (mode, live) {
            (Mode::Live, Some(l)) => {
                if args.workload.messages.is_some() {
                    return Err(usage("--messages is for drain mode; live runs send --rate x (--warmup + --duration) messages"));
                }
                (l.rate * (l.warmup_s + l.duration_s)).round() as u64
            }
            _ => args
                .workload
                .messages
                .or(preset.as_ref().and_then(|p| p.messages))
                .unwrap_or(100_000),
        };
        let grouped = fixed.contains_key(properties::CONSUMERS)
            || axes.iter().any(|(n, _)| n == properties::CONSUMERS);
        if grouped && mode == Mode::Live {
            return Err(usage("--consumers (and --param consumers) measure draining a backlog in a consumer group; live mode runs one consumer: leave --mode live out"));
        }
        let workload = workload(&args.workload, messages, mode)?;
        let repeat = args
            .repeat
            .or(preset.as_ref().map(|p| p.repeat))
            .unwrap_or(3);
        if repeat == 0 {
            return Err(usage("--repeat must be at least 1"));
        }
        let default_timeout = match live {
            Some(l) => l.warmup_s + l.duration_s + 60.0,
            None => 60.0 + messages as f64 / 5_000.0,
        };
        let trial_timeout_s = args.trial_timeout.unwrap_or(default_timeout);
        if !(trial_timeout_s > 0.0 && trial_timeout_s.is_finite()) {
            return Err(usage(
                "--trial-timeout must be a positive number of seconds",
            ));
        }
        let (out, resume) = match (&args.resume, &args.out) {
            (Some(dir), _) => {
                if !dir.join(crate::export::META_FILE).exists() {
                    return Err(usage(format!(
                        "--resume {}: not a kafkatune sweep folder (no {})",
                        dir.display(),
                        crate::export::META_FILE
                    )));
                }
                (dir.clone(), true)
            }
            (None, Some(dir)) => {
                // A folder whose sweep stopped before its first run (no sweep.json) is free.
                if dir.join(crate::export::META_FILE).exists() {
                    return Err(UserError::usage(format!(
                        "{} already holds a sweep",
                        dir.display()
                    ))
                    .with_hint(format!(
                        "continue it with --resume {}, or choose another --out",
                        dir.display()
                    ))
                    .into());
                }
                (dir.clone(), false)
            }
            (None, None) => (
                PathBuf::from("kafkatune-results")
                    .join(chrono::Local::now().format("%Y%m%d-%H%M%S").to_string()),
                false,
            ),
        };
        let mut cluster = cluster_options(&args.cluster)?;
        if args.cluster.command_config.is_none() {
            cluster.admin_props = consumer_security(&fixed)?;
        }
        let opts = SweepOptions {
            cluster,
            workload,
            mode,
            live,
            clients,
            axes,
            fixed,
            repeat,
            warmup_runs: args.warmup_runs,
            seed: args.seed,
            trial_timeout_s,
            out,
            resume,
            yes: args.yes,
            report: !args.no_report,
            command_line: mask_command_line(argv),
        };
        opts.check_size()?;
        Ok(opts)
    }

    /// Trials x runs; a large sweep needs `--yes`.
    fn check_size(&self) -> Result<()> {
        let trials = self.clients.len() * self.axes.iter().map(|(_, v)| v.len()).product::<usize>();
        let runs = trials * (self.repeat + self.warmup_runs) as usize;
        if runs > LARGE_SWEEP_RUNS && !self.yes {
            return Err(UserError::usage(format!("this sweep has {runs} runs ({trials} trials x {} runs each)", self.repeat + self.warmup_runs))
                .with_hint(format!("pass --yes to run it, or narrow the grid or --repeat (over {LARGE_SWEEP_RUNS} runs asks for --yes)"))
                .into());
        }
        Ok(())
    }
}

fn live_options(
    args: &SweepArgs,
    mode: Mode,
    preset: Option<(f64, f64, f64)>,
) -> Result<Option<LiveOptions>> {
    if mode == Mode::Drain {
        if args.rate.is_some() || args.duration.is_some() || args.warmup.is_some() {
            return Err(usage(
                "--rate, --duration and --warmup are for live mode: add --mode live",
            ));
        }
        return Ok(None);
    }
    let rate = args
        .rate
        .or(preset.map(|p| p.0))
        .ok_or_else(|| usage("live mode needs --rate MSGS_PER_S"))?;
    let duration_s = args
        .duration
        .or(preset.map(|p| p.1))
        .ok_or_else(|| usage("live mode needs --duration SECONDS"))?;
    let warmup_s = args.warmup.or(preset.map(|p| p.2)).unwrap_or(5.0);
    if !(rate > 0.0 && rate <= 1_000_000.0) {
        return Err(usage(
            "--rate must be between 0 and 1000000 messages per second",
        ));
    }
    if !(duration_s > 0.0 && duration_s <= 86_400.0) {
        return Err(usage("--duration must be a positive number of seconds"));
    }
    if !(0.0..=3_600.0).contains(&warmup_s) {
        return Err(usage("--warmup must be between 0 and 3600 seconds"));
    }
    Ok(Some(LiveOptions {
        rate,
        duration_s,
        warmup_s,
    }))
}

fn workload(args: &WorkloadArgs, messages: u64, mode: Mode) -> Result<Workload> {
    if messages == 0 {
        return Err(usage("--messages must be at least 1"));
    }
    let partitions = args.partitions.unwrap_or(1);
    if partitions == 0 || partitions > 10_000 {
        return Err(usage("--partitions must be between 1 and 10000"));
    }
    let message_size = args.message_size.unwrap_or(100);
    let min_size = if mode == Mode::Live { 8 } else { 1 };
    if message_size < min_size || message_size > 10 * 1024 * 1024 {
        return Err(usage(format!("--message-size must be between {min_size} and 10485760 bytes (live messages carry an 8-byte send time)")));
    }
    if let Some(t) = &args.topic {
        if t.is_empty()
            || t.len() > 249
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(usage(format!(
                "`{t}` is not a valid topic name: up to 249 of a-z A-Z 0-9 . _ -"
            )));
        }
    }
    let derived = match mode {
        Mode::Drain => topic_name(messages, message_size, partitions),
        Mode::Live => format!("kafkatune-live-{message_size}B-p{partitions}"),
    };
    Ok(Workload {
        topic: args.topic.clone().unwrap_or(derived),
        topic_given: args.topic.is_some(),
        partitions,
        messages,
        message_size,
    })
}

/// Without `--command-config`, kafkatune's own admin and producer connections (librdkafka)
/// take the consumers' security settings (`-X`, `--consumer.config`): one cluster, one way in.
fn consumer_security(fixed: &Params) -> Result<ClientProps> {
    let is_security = |name: &str| {
        let native = match properties::scoped(name) {
            Some((ClientKind::Librdkafka, native)) => native,
            Some(_) => return false,
            None => name,
        };
        ["security.", "sasl.", "ssl."]
            .iter()
            .any(|prefix| native.starts_with(prefix))
    };
    let security: Params = fixed
        .iter()
        .filter(|(k, _)| is_security(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let native = properties::translate(ClientKind::Librdkafka, &security).map_err(|e| {
        UserError::usage(format!(
            "kafkatune's admin and producer connections (librdkafka) take the consumers' security settings when no --command-config is given, and {e}"
        ))
        .with_hint("give them their own settings in --command-config FILE")
    })?;
    Ok(native
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
        .collect())
}

/// Options of `kafkatune prepare`.
pub fn prepare_options(
    cluster: &ClusterArgs,
    args: &WorkloadArgs,
) -> Result<(ClusterOptions, Workload)> {
    Ok((
        cluster_options(cluster)?,
        workload(args, args.messages.unwrap_or(100_000), Mode::Drain)?,
    ))
}

pub fn cluster_options(args: &ClusterArgs) -> Result<ClusterOptions> {
    if let Some(b) = &args.bootstrap_servers {
        if b.trim().is_empty()
            || b.split(',').any(|hp| {
                !hp.trim()
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
            })
        {
            return Err(usage(format!(
                "--bootstrap-servers `{b}`: expected HOST:PORT[,HOST:PORT...]"
            )));
        }
    }
    let mut admin_props = ClientProps::new();
    if let Some(file) = &args.command_config {
        let props: Params = read_properties(file)?.into_iter().collect();
        // Security settings go through the table, as one set (JAAS is split for librdkafka,
        // TLS stores become PEM locations); producer and admin settings librdkafka shares with
        // Java pass through as they are.
        let (known, own): (Params, Params) = props
            .into_iter()
            .partition(|(k, _)| properties::lookup(k).is_some() || properties::scoped(k).is_some());
        let native = properties::translate(ClientKind::Librdkafka, &known)
            .map_err(|e| usage(format!("{}: {e}", file.display())))?;
        admin_props.extend(
            native
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())),
        );
        admin_props.extend(own);
    }
    Ok(ClusterOptions {
        bootstrap: args.bootstrap_servers.clone(),
        admin_props,
        allow_write: args.prepare,
    })
}

pub fn parse_clients(names: &[String]) -> Result<Vec<ClientKind>> {
    if names.is_empty() {
        return Ok(vec![ClientKind::Librdkafka]);
    }
    let mut out = Vec::new();
    for name in names.iter().flat_map(|n| n.split(',')) {
        let found: Vec<ClientKind> = if name == "all" {
            ClientKind::ALL.to_vec()
        } else {
            vec![ClientKind::parse(name).ok_or_else(|| {
                usage(format!(
                    "unknown client `{name}`: use librdkafka, java, kafka-python or all"
                ))
            })?]
        };
        for c in found {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

fn split_pair(item: &str, option: &str, shape: &str) -> Result<(String, String)> {
    match item.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(usage(format!("{option} `{item}`: expected {shape}"))),
    }
}

fn parse_axes(items: &[String]) -> Result<Vec<Axis>> {
    let mut axes: Vec<Axis> = Vec::new();
    for item in items {
        let (name, list) = split_pair(item, "--param", "NAME=V1,V2,...")?;
        let values: Vec<String> = list.split(',').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(usage(format!(
                "--param {item}: a value is empty; give NAME=V1,V2,..."
            )));
        }
        for (i, v) in values.iter().enumerate() {
            if values[..i].contains(v) {
                return Err(usage(format!(
                    "--param {name}: the value {v} is given twice"
                )));
            }
            if name == properties::CONSUMERS {
                properties::validate_consumers(v)
                    .map_err(|e| usage(format!("--param {name}={v}: {e}")))?;
            } else {
                properties::validate(&name, v).map_err(|e| usage(format!("--param {e}")))?;
            }
        }
        if axes.iter().any(|(n, _)| *n == name) {
            return Err(usage(format!(
                "--param {name} is given twice: list every value in one --param {name}=V1,V2,..."
            )));
        }
        axes.push((name, values));
    }
    Ok(axes)
}

/// Reads a Java `.properties` file (`key=value` or `key: value`, `#`/`!` comments).
pub fn read_properties(path: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(format!(
            "cannot read the properties file {}: {e}",
            path.display()
        ))
    })?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(i) = line.find(['=', ':']) else {
            return Err(usage(format!(
                "{}:{}: expected key=value, found `{line}`",
                path.display(),
                n + 1
            )));
        };
        out.insert(
            line[..i].trim().to_string(),
            line[i + 1..].trim().to_string(),
        );
    }
    Ok(out)
}

/// The command line with the values of secret properties masked.
pub fn mask_command_line(argv: &[String]) -> String {
    argv.iter()
        .map(|arg| match arg.split_once('=') {
            Some((k, v)) if properties::is_secret(k) => format!("{k}={}", properties::mask(k, v)),
            _ => arg.clone(),
        })
        .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
        .collect::<Vec<_>>()
        .join(" ")
}
