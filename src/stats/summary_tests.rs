use super::*;
use crate::results::{BrokerMeta, HostMeta, Params, WorkloadMeta};

fn meta(mode: Mode, repeat: u32, warmup_runs: u32) -> SweepMeta {
    SweepMeta {
        schema_version: SCHEMA_VERSION,
        sweep_id: "s1".into(),
        started_at: "2025-01-01T00:00:00Z".into(),
        command: "kafkatune sweep".into(),
        kafkatune_version: "0.1.0".into(),
        kafkatune_git_revision: None,
        broker: BrokerMeta {
            brokers: None,
            bootstrap_servers: "127.0.0.1:9092".into(),
            kind: "embedded".into(),
            version: None,
        },
        workload: WorkloadMeta {
            topic: "t".into(),
            partitions: 1,
            messages: 1000,
            message_size_bytes: 100,
        },
        mode,
        live: None,
        send_rate_msgs_per_s: None,
        clients: vec!["librdkafka".into()],
        grid: vec![("fetch.min.bytes".into(), vec!["1".into(), "1024".into()])],
        fixed: Params::new(),
        repeat,
        warmup_runs,
        seed: 42,
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

fn run(trial: &str, index: u32, throughput: f64) -> RunRecord {
    RunRecord {
        trial_id: trial.into(),
        run_index: index,
        client: "librdkafka".into(),
        status: Some(Status::Ok),
        throughput_msgs_per_s: Some(throughput),
        latency_p99_ms: Some(1e6 / throughput),
        wall_s: 1.0,
        ..RunRecord::default()
    }
}

#[test]
fn ranks_by_median_and_marks_ties() {
    let records = vec![
        run("t1", 0, 100.0),
        run("t1", 1, 101.0),
        run("t1", 2, 102.0),
        run("t2", 0, 200.0),
        run("t2", 1, 201.0),
        run("t2", 2, 202.0),
        run("t3", 0, 199.0),
        run("t3", 1, 202.5),
        run("t3", 2, 203.0),
        run("t1", 3, 100.5),
        run("t2", 3, 200.5),
        run("t3", 3, 201.5),
    ];
    // 4 runs each: t1 is behind the best in every run; t2 and t3 interleave.
    let summary = summarize_runs(&meta(Mode::Drain, 4, 0), &records);
    assert_eq!(summary.primary_metric, "throughput_msgs_per_s");
    let order: Vec<_> = summary
        .trials
        .iter()
        .map(|t| (t.trial_id.as_str(), t.rank, t.tied_with_best))
        .collect();
    assert_eq!(
        order,
        [
            ("t3", Some(1), true),
            ("t2", Some(2), true),
            ("t1", Some(3), false)
        ]
    );
    // At 3 runs each no test can separate them: every trial is tied.
    let three: Vec<RunRecord> = records.into_iter().filter(|r| r.run_index < 3).collect();
    let summary = summarize_runs(&meta(Mode::Drain, 3, 0), &three);
    assert!(summary.trials.iter().all(|t| t.tied_with_best));
}

#[test]
fn live_mode_ranks_lower_latency_first() {
    let records = vec![run("t1", 0, 100.0), run("t2", 0, 200.0)];
    let summary = summarize_runs(&meta(Mode::Live, 1, 0), &records);
    assert_eq!(
        (summary.primary_metric.as_str(), summary.higher_is_better),
        ("latency_p99_ms", false)
    );
    assert_eq!(summary.trials[0].trial_id, "t2");
}

#[test]
fn warmups_and_failures_are_left_out() {
    let mut warm = run("t1", 0, 1.0);
    warm.warmup = true;
    let mut failed = run("t1", 3, 5000.0);
    failed.status = Some(Status::Failed);
    failed.error = Some("timed out".into());
    let records = vec![warm, run("t1", 1, 100.0), run("t1", 2, 102.0), failed];
    let summary = summarize_runs(&meta(Mode::Drain, 3, 1), &records);
    let t = &summary.trials[0];
    assert_eq!((t.runs_ok, t.runs_failed), (2, 1));
    assert_eq!(t.metrics["throughput_msgs_per_s"].median, 101.0);
    assert_eq!(t.metrics["throughput_msgs_per_s"].n, 2);
    assert!(t.warnings[0].starts_with("1 of 3 runs failed (first error: timed out)"));
    assert!(t.warnings[1].starts_with("only 2 measured runs"));
    // 2 trials x (3 + 1) planned, 4 recorded.
    assert_eq!(summary.runs_missing, 4);
}

#[test]
fn only_measured_metrics_are_summarized() {
    let summary = summarize_runs(&meta(Mode::Drain, 1, 0), &[run("t1", 0, 10.0)]);
    let names: Vec<_> = summary.trials[0].metrics.keys().cloned().collect();
    assert_eq!(names, ["latency_p99_ms", "throughput_msgs_per_s", "wall_s"]);
}

#[test]
fn noisy_trials_are_flagged() {
    let records = vec![run("t1", 0, 100.0), run("t1", 1, 130.0), run("t1", 2, 90.0)];
    let summary = summarize_runs(&meta(Mode::Drain, 3, 0), &records);
    assert!(summary.trials[0]
        .warnings
        .iter()
        .any(|w| w.starts_with("too noisy to rank: CV 20% over 3 runs")));
}

#[test]
fn a_trial_with_only_failures_is_kept_unranked() {
    let mut failed = run("t0", 0, 1.0);
    failed.status = Some(Status::Failed);
    let summary = summarize_runs(&meta(Mode::Drain, 1, 0), &[failed, run("t1", 0, 10.0)]);
    let t0 = &summary.trials[1];
    assert_eq!(
        (t0.trial_id.as_str(), t0.rank, t0.metrics.len()),
        ("t0", None, 0)
    );
    assert!(t0.warnings[0].starts_with("no run succeeded: 1 failed"));
}

#[test]
fn runs_missing_is_never_negative() {
    let records: Vec<_> = (0..10).map(|i| run("t1", i, 10.0)).collect();
    assert_eq!(
        summarize_runs(&meta(Mode::Drain, 1, 0), &records).runs_missing,
        0
    );
}
