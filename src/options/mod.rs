//! Typed, validated options. Bad input dies here, before any work starts, with a message
//! that says what is wrong and what to do. Defaults come from `crate::defaults`.

mod cluster;
mod command_line;
mod fault;
mod files;
mod network;
mod repeat;
mod resume;
mod share;
pub mod sides;
mod workers;

use std::path::PathBuf;

use anyhow::Result;

pub use cluster::{brokers, clients, cluster_options, ClusterOptions};
pub use command_line::{mask_command_line, resume_command};
pub use files::read_properties;
pub use resume::stored_command;
pub use workers::{worker_options, WorkerOptions, WorkerSet, WorkersOptions};

use crate::cli::{ClusterArgs, SweepArgs, WorkloadArgs};
use crate::clients::{properties, ClientKind};
use crate::defaults;
use crate::error::{usage, UserError};
use crate::grid::{self, presets::Definition, SweptProperty};
use crate::results::{Mode, Params};
use crate::workload::payload::PayloadSource;
use crate::workload::{
    processing, producer, topic_name, FillSettings, LiveLoad, PayloadChoice, Workload,
};

/// Everything a sweep needs, checked.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub cluster: ClusterOptions,
    pub workload: Workload,
    pub mode: Mode,
    pub live: Option<LiveLoad>,
    /// Pipeline and produce modes: the producer's rate (`--rate`); `None` as fast as it can.
    pub send_rate: Option<f64>,
    pub clients: Vec<ClientKind>,
    /// The swept properties (`--param`, the preset), in order.
    pub grid: Vec<SweptProperty>,
    /// Fixed properties (preset, `--consumer.config`, `-X`), by Kafka name.
    pub fixed: Params,
    pub repeat: u32,
    pub warmup_runs: u32,
    /// `None`: a new random seed (or the resumed sweep's).
    pub seed: Option<u64>,
    pub run_timeout_s: f64,
    /// `--run-timeout` as given: a capacity step times out by its own length unless it is.
    pub run_timeout_given: Option<f64>,
    pub out: PathBuf,
    pub resume: bool,
    pub yes: bool,
    pub report: bool,
    /// The command line with secrets masked, recorded with the results.
    pub command_line: String,
    /// Share groups, a test knob: records each member releases on their first delivery.
    pub share_release_first: u64,
    /// `--repeat auto` (or a search: `kafkatune tune` sets it): runs chosen as results come in.
    pub adaptive: Option<crate::results::AdaptiveMeta>,
    /// `--workers`: the group's consumers run on workers of a fleet, not here.
    pub workers: Option<WorkersOptions>,
}

impl SweepOptions {
    /// The options of `kafkatune sweep ARGS`; with `--resume DIR`, the configuration stored
    /// in DIR with `args` on top (`options::resume`).
    pub fn from_args(args: &SweepArgs, argv: &[String]) -> Result<SweepOptions> {
        let command_line = mask_command_line(argv);
        let Some(dir) = &args.resume else {
            return build(args, command_line);
        };
        let meta = resume::stored_meta(dir)?;
        let merged = resume::merged_args(&meta, args);
        let opts = build(merged.as_ref().unwrap_or(args), meta.command.clone())?;
        if let Some(name) = opts
            .fixed
            .iter()
            .find_map(|(k, v)| (properties::is_secret(k) && v == "*****").then_some(k))
        {
            return Err(UserError::usage(format!(
                "the sweep in {} was started with the secret `{name}` on its command line, which kafkatune does not store",
                dir.display()
            ))
            .with_hint(format!("give it again beside --resume: -X {name}=VALUE, or put it in a --consumer.config file"))
            .into());
        }
        Ok(opts)
    }

    /// Trials x runs; a large sweep needs `--yes`.
    fn check_size(&self) -> Result<()> {
        let trials = self.clients.len() * grid::size(&self.grid);
        let per_trial = self.repeat + self.warmup_runs;
        let runs = trials * per_trial as usize;
        if runs > defaults::LARGE_SWEEP_RUNS && !self.yes {
            return Err(UserError::usage(format!("this sweep has {runs} runs ({trials} trials x {per_trial} runs each)"))
                .with_hint(format!("pass --yes to run it, or narrow the grid or --repeat (over {} runs asks for --yes)", defaults::LARGE_SWEEP_RUNS))
                .into());
        }
        Ok(())
    }
}

fn build(args: &SweepArgs, command_line: String) -> Result<SweepOptions> {
    let preset: Option<Definition> = args.preset.map(|p| p.definition());
    let mode = args
        .mode
        .or(preset.as_ref().map(|p| p.mode))
        .unwrap_or(Mode::Drain);
    let live = live_load(args, mode, preset.as_ref().and_then(|p| p.live))?;
    let clients = clients(&args.clients);
    if let Some(why) = clients
        .iter()
        .find_map(|c| crate::clients::descriptor::missing_tool(*c))
    {
        return Err(usage(why));
    }

    let mut fixed = Params::new();
    let config_files = [&args.consumer_config, &args.producer_config];
    for file in config_files.into_iter().flatten() {
        for (k, v) in read_properties(file)? {
            sides::validate(mode, &k, &v).map_err(|e| usage(format!("{}: {e}", file.display())))?;
            fixed.insert(k, v);
        }
    }
    if mode == Mode::Produce && args.consumer_config.is_some() {
        return Err(usage(
            "--consumer.config is for consumers; a produce sweep takes --producer.config FILE",
        ));
    }
    if mode != Mode::Produce && args.producer_config.is_some() {
        return Err(usage(
            "--producer.config is for --mode produce; consumers take --consumer.config FILE",
        ));
    }
    let mut cli_fixed = Params::new();
    for item in &args.properties {
        let (k, v) = split_pair(item, "-X", "KEY=VALUE")?;
        sides::validate(mode, &k, &v).map_err(|e| usage(format!("-X {e}")))?;
        if cli_fixed.insert(k.clone(), v).is_some() {
            return Err(usage(format!("-X {k} is given twice: keep one")));
        }
    }
    if let Some(n) = args.consumers {
        properties::validate_consumers(&n.to_string())
            .map_err(|e| usage(format!("--consumers {n}: {e}")))?;
        cli_fixed.insert(properties::CONSUMERS.into(), n.to_string());
    }
    cli_fixed.extend(network::option_params(args.network.as_deref())?);
    cli_fixed.extend(fault::option_params(args.fault.as_deref())?);
    if let Some(t) = &args.group_type {
        cli_fixed.insert(properties::share::GROUP_TYPE.into(), t.clone());
    }
    if let Some(text) = &args.processing {
        processing::parse(text).map_err(|e| usage(format!("--processing {}: {e}", text.trim())))?;
        cli_fixed.insert(processing::PROCESSING.into(), text.trim().to_string());
    }
    let cli_grid = parse_grid(&args.params, mode)?;
    for (name, _) in &cli_grid {
        if cli_fixed.contains_key(name) {
            let fixed_by = properties::own::lookup(name)
                .and_then(|own| own.option)
                .unwrap_or("-X");
            return Err(usage(format!(
                "`{name}` is both swept (--param) and fixed ({fixed_by}): keep one"
            )));
        }
    }
    // Command-line options override the preset: a preset property that is fixed or swept on
    // the command line gives way.
    let mut swept: Vec<SweptProperty> = preset.as_ref().map(|p| p.grid.clone()).unwrap_or_default();
    swept.retain(|(name, _)| {
        !cli_fixed.contains_key(name) && !fixed.contains_key(name) && !grid::sweeps(&cli_grid, name)
    });
    swept.extend(cli_grid);
    fixed.extend(cli_fixed);
    sides::check(mode, fixed.keys().chain(swept.iter().map(|(n, _)| n)))?;
    if mode != Mode::Produce
        && !grid::sweeps(&swept, "max.poll.records")
        && !fixed.contains_key("max.poll.records")
    {
        fixed.insert(
            "max.poll.records".into(),
            defaults::MAX_POLL_RECORDS.to_string(),
        );
    }

    let messages = match live {
        Some(l) => {
            if args.workload.messages.is_some() {
                return Err(usage("--messages is for drain mode; live runs send --rate x (--warmup-s + --duration) messages"));
            }
            l.messages()
        }
        None => args
            .workload
            .messages
            .or(preset.as_ref().and_then(|p| p.messages))
            .unwrap_or(defaults::MESSAGES),
    };
    share::check(mode, &clients, &fixed, &swept, args.share_release_first)?;
    let grouped =
        fixed.contains_key(properties::CONSUMERS) || grid::sweeps(&swept, properties::CONSUMERS);
    if grouped && mode == Mode::Pipeline {
        return Err(usage("--consumers (and --param consumers) run a group in drain or live mode; pipeline mode runs one consumer: use --mode live (a paced producer) or leave --consumers out"));
    }
    let preset_partitions = preset.as_ref().and_then(|p| p.partitions);
    let workload = workload(&args.workload, messages, mode, preset_partitions)?;
    let send_rate = match (mode, args.rate) {
        (Mode::Pipeline | Mode::Produce, Some(r)) if !(r > 0.0 && r <= 10_000_000.0) => {
            return Err(usage(
                "--rate must be between 0 and 10000000 messages per second",
            ))
        }
        (Mode::Pipeline | Mode::Produce, r) => r,
        _ => None,
    };
    let (repeat, adaptive) = repeat::repeat(args, preset.as_ref().map(|p| p.repeat))?;
    let default_timeout = match live {
        Some(l) => defaults::RUN_TIMEOUT_BASE_S + l.warmup_s + l.duration_s,
        None => {
            defaults::RUN_TIMEOUT_BASE_S + messages as f64 * defaults::RUN_TIMEOUT_S_PER_MESSAGE
        }
    };
    let run_timeout_s = args.run_timeout.unwrap_or(default_timeout);
    if !(run_timeout_s > 0.0 && run_timeout_s.is_finite()) {
        return Err(usage("--run-timeout must be a positive number of seconds"));
    }
    let (out, resume) = out_folder(args)?;
    let mut cluster = cluster_options(&args.cluster)?;
    if args.cluster.command_config.is_none() {
        cluster.admin_props = cluster::consumer_security(&fixed)?;
    }
    check_fake(&cluster, &clients, mode)?;
    cluster.network = network::check(
        &cluster,
        &fixed,
        &swept,
        workload.messages * u64::from(workload.message_size),
        run_timeout_s,
    )?;
    let workers = workers::workers_options(args)?;
    if workers.is_some() {
        workers::check_sweep(
            mode,
            grouped,
            &fixed,
            cluster.fake.is_some(),
            workload.payload.file.is_some(),
        )?;
    }
    fault::check(&fault::Around {
        cluster: &cluster,
        mode,
        clients: &clients,
        fixed: &fixed,
        swept: &swept,
        expected_s: send_rate.map(|r| workload.messages as f64 / r),
        workers: workers.is_some(),
    })?;
    let opts = SweepOptions {
        cluster,
        workload,
        mode,
        live,
        send_rate,
        clients,
        grid: swept,
        fixed,
        repeat,
        warmup_runs: args.warmup_runs.unwrap_or(0),
        seed: args.seed,
        run_timeout_s,
        run_timeout_given: args.run_timeout,
        out,
        resume,
        // A dry run starts nothing, so its plan is shown however large (it says how many runs).
        yes: args.yes || args.dry_run,
        report: !args.no_report,
        command_line,
        share_release_first: args.share_release_first.unwrap_or(0),
        adaptive,
        workers,
    };
    opts.check_size()?;
    Ok(opts)
}

/// The fake client and the fake cluster go together, in drain mode: neither reaches Kafka.
fn check_fake(cluster: &ClusterOptions, clients: &[ClientKind], mode: Mode) -> Result<()> {
    let fake_client = clients.contains(&ClientKind::Fake);
    match (cluster.fake.is_some(), fake_client) {
        (true, true) if clients.len() > 1 => Err(usage(
            "--fake-cluster runs the fake client alone: give --client fake only",
        )),
        (true, true) if mode != Mode::Drain => Err(usage(
            "the fake cluster runs drain sweeps only: leave --mode out",
        )),
        (true, true) | (false, false) => Ok(()),
        (true, false) => Err(usage("--fake-cluster runs only --client fake")),
        (false, true) => Err(usage(
            "--client fake reads no Kafka: give --fake-cluster ok",
        )),
    }
}

/// The output folder, and whether the sweep in it is resumed.
fn out_folder(args: &SweepArgs) -> Result<(PathBuf, bool)> {
    Ok(match (&args.resume, &args.out) {
        (Some(dir), _) => (dir.clone(), true),
        (None, Some(dir)) => {
            // A folder whose sweep stopped before its first run (no sweep.json) is free.
            if dir.join(crate::export::META_FILE).exists() {
                return Err(
                    UserError::usage(format!("{} already holds a sweep", dir.display()))
                        .with_hint(format!(
                            "continue it with --resume {}, or choose another --out",
                            dir.display()
                        ))
                        .into(),
                );
            }
            (dir.clone(), false)
        }
        (None, None) => (
            PathBuf::from(defaults::RESULTS_DIR)
                .join(chrono::Local::now().format("%Y%m%d-%H%M%S").to_string()),
            false,
        ),
    })
}

fn live_load(args: &SweepArgs, mode: Mode, preset: Option<LiveLoad>) -> Result<Option<LiveLoad>> {
    if mode == Mode::Pipeline {
        if args.duration.is_some() || args.warmup_s.is_some() {
            return Err(usage("--duration and --warmup-s are for live mode: a pipeline run sends --messages (at --rate, or as fast as it can)"));
        }
        return Ok(None);
    }
    if mode != Mode::Live {
        if args.duration.is_some() || args.warmup_s.is_some() {
            return Err(usage(
                "--duration and --warmup-s are for live mode: add --mode live",
            ));
        }
        if args.rate.is_some() && mode != Mode::Produce {
            return Err(usage(
                "--rate is for the modes with a producer: add --mode live, pipeline or produce",
            ));
        }
        return Ok(None);
    }
    let rate = args
        .rate
        .or(preset.map(|p| p.rate_msgs_per_s))
        .ok_or_else(|| usage("live mode needs --rate MSGS_PER_S"))?;
    let duration_s = args
        .duration
        .or(preset.map(|p| p.duration_s))
        .ok_or_else(|| usage("live mode needs --duration SECONDS"))?;
    let warmup_s = args
        .warmup_s
        .or(preset.map(|p| p.warmup_s))
        .unwrap_or(defaults::WARMUP_S);
    if !(rate > 0.0 && rate <= 1_000_000.0) {
        return Err(usage(
            "--rate must be between 0 and 1000000 messages per second",
        ));
    }
    if !(duration_s > 0.0 && duration_s <= 86_400.0) {
        return Err(usage("--duration must be a positive number of seconds"));
    }
    if !(0.0..=3_600.0).contains(&warmup_s) {
        return Err(usage("--warmup-s must be between 0 and 3600 seconds"));
    }
    Ok(Some(LiveLoad {
        rate_msgs_per_s: rate,
        duration_s,
        warmup_s,
    }))
}

/// The smallest message live mode can send: its first 8 bytes are the intended send time
/// every driver reads back (docs/driver-protocol.md). Drain reads no stamp.
pub const LIVE_MIN_MESSAGE_SIZE: u32 = 8;

fn workload(
    args: &WorkloadArgs,
    messages: u64,
    mode: Mode,
    preset_partitions: Option<u32>,
) -> Result<Workload> {
    if messages == 0 {
        return Err(usage("--messages must be at least 1"));
    }
    let partitions = args
        .partitions
        .or(preset_partitions)
        .unwrap_or(defaults::PARTITIONS);
    if partitions == 0 || partitions > 10_000 {
        return Err(usage("--partitions must be between 1 and 10000"));
    }
    let message_size = args.message_size.unwrap_or(defaults::MESSAGE_SIZE_BYTES);
    if mode != Mode::Drain && message_size < LIVE_MIN_MESSAGE_SIZE {
        return Err(usage(format!("--message-size {message_size}: {} messages start with their 8-byte send time, so they need at least {LIVE_MIN_MESSAGE_SIZE} bytes", mode.name())));
    }
    if message_size == 0 || message_size > 10 * 1024 * 1024 {
        return Err(usage("--message-size must be between 1 and 10485760 bytes"));
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
    let payload = PayloadChoice {
        kind: args.payload_kind.unwrap_or_default(),
        file: args
            .payload
            .clone()
            .map(|f| (f, args.payload_format.unwrap_or_default())),
    };
    // A sample file is read now, so that a missing or empty one is refused before any work.
    let sha = match &payload.file {
        Some(_) => match payload.load(message_size)?.source() {
            PayloadSource::File { sha256, .. } => Some(sha256.clone()),
            PayloadSource::Generated { .. } => None,
        },
        None => None,
    };
    let tag = payload.tag(sha.as_deref());
    let fill = fill_settings(args)?;
    let derived = match mode {
        Mode::Drain => format!(
            "{}-{tag}{}",
            topic_name(messages, message_size, partitions),
            fill_tag(args, &fill)
        ),
        Mode::Live => format!("kafkatune-live-{message_size}B-p{partitions}"),
        Mode::Produce => format!("kafkatune-produce-p{partitions}"),
        Mode::Pipeline => format!("kafkatune-pipeline-{message_size}B-p{partitions}"),
    };
    if let (Mode::Produce, Some(t)) = (mode, &args.topic) {
        if !t.starts_with("kafkatune-") {
            return Err(UserError::usage(format!("--topic {t}: a produce sweep writes, and only to topics kafkatune creates (named kafkatune-...)"))
                .with_hint("leave --topic out, or name a topic that starts with kafkatune-")
                .into());
        }
    }
    Ok(Workload {
        topic: args.topic.clone().unwrap_or(derived),
        topic_given: args.topic.is_some(),
        partitions,
        messages,
        message_size,
        payload,
        fill,
    })
}

/// The fill producer's settings: batching, then the codec, then `--fill.config` on top.
fn fill_settings(args: &WorkloadArgs) -> Result<FillSettings> {
    let batching = if args.fast_fill {
        producer::FAST
    } else {
        producer::REALISTIC
    };
    let mut properties: Params = batching
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Some(codec) = &args.topic_compression {
        properties::validate("compression.type", codec)
            .map_err(|e| usage(format!("--topic-compression {codec}: {e}")))?;
        properties.insert("compression.type".into(), codec.clone());
    }
    if let Some(file) = &args.fill_config {
        for (k, v) in read_properties(file)? {
            properties::validate(&k, &v).map_err(|e| usage(format!("{}: {e}", file.display())))?;
            if properties::lookup(&k).is_some_and(|p| p.role == properties::Role::Consumer) {
                return Err(usage(format!(
                    "{}: `{k}` is a consumer setting; the fill is a producer",
                    file.display()
                )));
            }
            properties.insert(k, v);
        }
    }
    let native = properties::translate(ClientKind::Librdkafka, &properties)
        .map_err(|e| usage(format!("the fill producer (librdkafka): {e}")))?
        .into_iter()
        .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    Ok(FillSettings { properties, native })
}

/// What sets a fill apart in the topic's name, so a topic filled otherwise is not reused.
fn fill_tag(args: &WorkloadArgs, fill: &FillSettings) -> String {
    let mut tag = String::new();
    if let Some(codec) = fill
        .properties
        .get("compression.type")
        .filter(|c| *c != "none")
    {
        tag.push_str(&format!("-{codec}"));
    }
    if args.fast_fill {
        tag.push_str("-fast");
    }
    if args.fill_config.is_some() {
        use sha2::{Digest, Sha256};
        let text = serde_json::to_string(&fill.properties).unwrap_or_default();
        let hash = Sha256::digest(text.as_bytes());
        tag.push_str(&format!(
            "-fill{:02x}{:02x}{:02x}{:02x}",
            hash[0], hash[1], hash[2], hash[3]
        ));
    }
    tag
}

/// Options of `kafkatune prepare`: running it is the permission to write the topic.
pub fn prepare_options(
    cluster: &ClusterArgs,
    args: &WorkloadArgs,
) -> Result<(ClusterOptions, Workload)> {
    let mut cluster = cluster_options(cluster)?;
    if cluster.fake.is_some() {
        return Err(usage(
            "kafkatune prepare needs a real cluster: leave --fake-cluster out",
        ));
    }
    cluster.allow_write = true;
    Ok((
        cluster,
        workload(
            args,
            args.messages.unwrap_or(defaults::MESSAGES),
            Mode::Drain,
            None,
        )?,
    ))
}

fn split_pair(item: &str, option: &str, shape: &str) -> Result<(String, String)> {
    match item.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(usage(format!("{option} `{item}`: expected {shape}"))),
    }
}

fn parse_grid(items: &[String], mode: Mode) -> Result<Vec<SweptProperty>> {
    let mut swept: Vec<SweptProperty> = Vec::new();
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
            if let Some(own) = properties::own::lookup(&name) {
                own.check(&name, v)
                    .map_err(|e| usage(format!("--param {name}={v}: {e}")))?;
            } else {
                sides::validate(mode, &name, v).map_err(|e| usage(format!("--param {e}")))?;
            }
        }
        if grid::sweeps(&swept, &name) {
            return Err(usage(format!(
                "--param {name} is given twice: list every value in one --param {name}=V1,V2,..."
            )));
        }
        swept.push((name, values));
    }
    Ok(swept)
}

#[cfg(test)]
mod tests;
