//! Sweeps on workers: `sweep --workers N|NAME,NAME --fleet NAME --workers-timeout S`, and the
//! worker process's own options (`kafkatune worker`).

use std::path::PathBuf;

use anyhow::Result;

use super::cluster::{cluster_options, ClusterOptions};
use crate::broker::ClientProps;
use crate::cli::{ClusterArgs, SweepArgs, WorkerArgs};
use crate::clients::properties;
use crate::defaults;
use crate::error::usage;
use crate::results::{Mode, Params};

/// Which workers a sweep waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerSet {
    /// Any N idle workers of the fleet.
    Count(u32),
    /// These workers, by name.
    Names(Vec<String>),
}

/// How a sweep finds its workers.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkersOptions {
    pub set: WorkerSet,
    /// The fleet: its topics are `kafkatune-control-FLEET` and `kafkatune-results-FLEET`.
    pub fleet: String,
    /// How long to wait for them before the sweep stops (exit 3).
    pub timeout_s: f64,
    /// `--max-clock-error`: the most a worker's clock may be off (ms); the mode's default
    /// (`sweep::remote::clock`) unless given.
    pub max_clock_error_ms: Option<f64>,
}

/// A worker's or a fleet's name: what a topic name takes (letters, digits, `.`, `_`, `-`).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

fn fleet(given: Option<&str>) -> Result<String> {
    let fleet = given.unwrap_or(defaults::FLEET);
    if !valid_name(fleet) {
        return Err(usage(format!(
            "--fleet `{fleet}`: give a name of up to 100 of a-z A-Z 0-9 . _ -"
        )));
    }
    Ok(fleet.to_string())
}

/// `--workers`, `--fleet`, `--workers-timeout` of a sweep; `None` without `--workers`.
pub fn workers_options(args: &SweepArgs) -> Result<Option<WorkersOptions>> {
    let Some(text) = args.workers.as_deref() else {
        if args.fleet.is_some() || args.workers_timeout.is_some() || args.max_clock_error.is_some()
        {
            return Err(usage(
                "--fleet, --workers-timeout and --max-clock-error are for sweeps on workers: add --workers N (or --workers NAME,NAME)",
            ));
        }
        return Ok(None);
    };
    let set = match text.trim().parse::<u32>() {
        Ok(0) => {
            return Err(usage(
                "--workers 0: give at least one worker, or leave --workers out to run here",
            ))
        }
        Ok(n) => WorkerSet::Count(n),
        Err(_) => {
            let names: Vec<String> = text.split(',').map(|n| n.trim().to_string()).collect();
            if let Some(bad) = names.iter().find(|n| !valid_name(n)) {
                return Err(usage(format!(
                    "--workers `{text}`: `{bad}` is not a worker name; give a number of workers, or names (a-z A-Z 0-9 . _ -) separated by commas"
                )));
            }
            for (i, n) in names.iter().enumerate() {
                if names[..i].contains(n) {
                    return Err(usage(format!("--workers: {n} is given twice")));
                }
            }
            WorkerSet::Names(names)
        }
    };
    let timeout_s = args.workers_timeout.unwrap_or(defaults::WORKERS_TIMEOUT_S);
    if !(timeout_s > 0.0 && timeout_s <= 86_400.0) {
        return Err(usage(
            "--workers-timeout must be a positive number of seconds (up to 86400)",
        ));
    }
    if let Some(ms) = args.max_clock_error {
        if !(ms > 0.0 && ms.is_finite()) {
            return Err(usage(
                "--max-clock-error must be a positive number of milliseconds",
            ));
        }
    }
    Ok(Some(WorkersOptions {
        set,
        fleet: fleet(args.fleet.as_deref())?,
        timeout_s,
        max_clock_error_ms: args.max_clock_error,
    }))
}

/// What a sweep on workers can be: a drain sweep in consumer groups (the consumers are what
/// is spread) or a produce sweep (its producers are), on a real cluster, with no secret to
/// hand on (a worker brings its own), producers sending generated bodies (a worker makes
/// them as this host does; a sample file stays here).
pub fn check_sweep(
    mode: Mode,
    grouped: bool,
    fixed: &Params,
    fake: bool,
    payload_file: bool,
) -> Result<()> {
    if mode == Mode::Produce && payload_file {
        return Err(usage("--workers makes each producer's bodies on its worker with kafkatune's generators, and a --payload file is on this host only: give --payload-kind instead, or leave --workers out"));
    }
    if !(mode == Mode::Drain && grouped || mode == Mode::Produce) {
        return Err(usage("--workers spreads a consumer group's consumers over the workers (give --consumers N or --param consumers=1,2,..., drain mode) or a produce run's producers (--mode produce, --param producers=N)"));
    }
    if fake {
        return Err(usage(
            "--workers runs on a real cluster: leave --fake-cluster out",
        ));
    }
    if let Some(secret) = fixed.keys().find(|k| properties::is_secret(k)) {
        return Err(usage(format!("`{secret}` is a secret, and kafkatune does not send secrets to workers through the cluster: give the workers their own settings (kafkatune worker --command-config FILE) and leave it out here")));
    }
    Ok(())
}

/// What a worker process runs with.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub bootstrap: String,
    /// Security and connection settings (librdkafka names) for its control-plane connections.
    pub props: ClientProps,
    /// `--command-config` as given (Kafka names): what its drivers connect with too, in each
    /// client's spelling (the coordinator sends no secret).
    pub security: Params,
    pub name: String,
    pub fleet: String,
    /// Where its runs' specs, results and start and stop files go.
    pub dir: PathBuf,
    /// The control protocol version it speaks, when not this kafkatune's (only in the tests
    /// of a refusal).
    pub control_version: Option<u32>,
}

/// The options of `kafkatune worker`.
pub fn worker_options(args: &WorkerArgs) -> Result<WorkerOptions> {
    let cluster: ClusterOptions = cluster_options(&ClusterArgs {
        bootstrap_servers: Some(args.bootstrap_servers.clone()),
        command_config: args.command_config.clone(),
        allow_write: false,
        brokers: None,
        cluster_warmup_s: None,
        fake_cluster: None,
    })?;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => hostname()
            .ok_or_else(|| usage("this host has no name to give the worker: give --name NAME"))?,
    };
    if !valid_name(&name) {
        return Err(usage(format!(
            "--name `{name}`: give a name of up to 100 of a-z A-Z 0-9 . _ -"
        )));
    }
    let security = match &args.command_config {
        Some(file) => super::read_properties(file)?,
        None => Params::new(),
    };
    Ok(WorkerOptions {
        bootstrap: args.bootstrap_servers.clone(),
        props: cluster.admin_props,
        security,
        name,
        fleet: fleet(args.fleet.as_deref())?,
        dir: args
            .dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(defaults::WORKER_DIR)),
        control_version: args.control_version,
    })
}

/// The host's name (a pod's name on Kubernetes), as a worker name.
fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| valid_name(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_what_topic_names_take() {
        assert!(valid_name("worker-1.a_b"));
        for bad in ["", "a b", "a/b", "ü", &"x".repeat(101)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
