//! Small hand-made sweeps for the report's unit tests.

use crate::results::*;
use crate::stats::summarize;

pub fn meta(mode: Mode, clients: &[&str], grid: &[(&str, &[&str])]) -> SweepMeta {
    SweepMeta {
        schema_version: SCHEMA_VERSION,
        sweep_id: "test".into(),
        started_at: "2025-01-01T00:00:00Z".into(),
        command: "kafkatune sweep".into(),
        kafkatune_version: "0.1.0".into(),
        kafkatune_git_revision: None,
        broker: BrokerMeta {
            brokers: None,
            bootstrap_servers: "127.0.0.1:9092".into(),
            kind: "embedded".into(),
            version: Some("4.4.0".into()),
        },
        workload: WorkloadMeta {
            topic: "t".into(),
            partitions: 1,
            messages: 100_000,
            message_size_bytes: 100,
        },
        mode,
        live: None,
        send_rate_msgs_per_s: None,
        clients: clients.iter().map(|c| c.to_string()).collect(),
        grid: grid
            .iter()
            .map(|(k, vs)| (k.to_string(), vs.iter().map(|v| v.to_string()).collect()))
            .collect(),
        fixed: Params::new(),
        repeat: 3,
        warmup_runs: 0,
        seed: 1,
        run_timeout_s: 60.0,
        host: HostMeta {
            os: "linux".into(),
            kernel: None,
            cpu_model: None,
            cpu_count: 2,
            memory_bytes: None,
        },
        payload: None,
        fill: None,
        config_hash: "h".into(),
        adaptive: None,
        workers: Vec::new(),
        cluster_warmup: None,
    }
}

/// A trial whose runs measured `metrics` (name, values of each run).
pub fn trial(
    id: &str,
    client: &str,
    params: &[(&str, &str)],
    metrics: &[(&str, &[f64])],
) -> TrialSummary {
    TrialSummary {
        schema_version: SCHEMA_VERSION,
        trial_id: id.into(),
        client: client.into(),
        client_version: None,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        runs_ok: metrics.first().map_or(0, |m| m.1.len()),
        runs_failed: 0,
        rank: None,
        tied_with_best: false,
        metrics: metrics
            .iter()
            .map(|(name, values)| (name.to_string(), summarize(values).unwrap()))
            .collect(),
        warnings: vec![],
    }
}

pub fn summary(mode: Mode, trials: Vec<TrialSummary>) -> SummaryFile {
    let (primary, higher) = crate::stats::summary::primary_metric(mode, false);
    SummaryFile {
        schema_version: SCHEMA_VERSION,
        sweep_id: "test".into(),
        primary_metric: primary.into(),
        higher_is_better: higher,
        trials,
        runs_missing: 0,
    }
}
