//! From the runs of a sweep (`results.jsonl`) to its per-trial summaries (`summary.json`).

use std::collections::BTreeMap;

use crate::results::{
    Mode, RunRecord, Status, SummaryFile, SweepMeta, TrialSummary, SCHEMA_VERSION,
};
use crate::stats::warnings::{TrialWarning, MIN_RUNS_FOR_INTERVAL, NOISY_CV};
use crate::stats::{indistinguishable, summarize};

/// A numeric metric of a run: its `RunRecord` field name and how to read it.
type Metric = (&'static str, fn(&RunRecord) -> Option<f64>);

/// Every numeric metric a run can carry, by its `RunRecord` field name. Identifiers and
/// counters of the plan itself (run index, order, messages asked for) are not metrics.
pub const METRICS: &[Metric] = &[
    ("throughput_msgs_per_s", |r| r.throughput_msgs_per_s),
    ("throughput_mib_per_s", |r| r.throughput_mib_per_s),
    ("consume_s", |r| r.consume_s),
    ("startup_s", |r| r.startup_s),
    ("time_to_first_record_s", |r| r.time_to_first_record_s),
    ("wall_s", |r| Some(r.wall_s)),
    ("cpu_user_s", |r| r.cpu_user_s),
    ("cpu_sys_s", |r| r.cpu_sys_s),
    ("cpu_s_per_million_msgs", |r| r.cpu_s_per_million_msgs),
    ("peak_rss_bytes", |r| r.peak_rss_bytes.map(|v| v as f64)),
    ("polls", |r| r.polls.map(|v| v as f64)),
    ("records_per_poll_avg", |r| r.records_per_poll_avg),
    ("records_per_poll_max", |r| {
        r.records_per_poll_max.map(|v| v as f64)
    }),
    ("empty_polls", |r| r.empty_polls.map(|v| v as f64)),
    ("fetch_requests", |r| r.fetch_requests),
    ("fetch_latency_avg_ms", |r| r.fetch_latency_avg_ms),
    ("fetch_latency_max_ms", |r| r.fetch_latency_max_ms),
    ("fetch_bytes_avg", |r| r.fetch_bytes_avg),
    ("records_lag_max", |r| r.records_lag_max),
    ("gc_count", |r| r.gc_count.map(|v| v as f64)),
    ("gc_time_ms", |r| r.gc_time_ms),
    ("latency_p50_ms", |r| r.latency_p50_ms),
    ("latency_p90_ms", |r| r.latency_p90_ms),
    ("latency_p99_ms", |r| r.latency_p99_ms),
    ("latency_p999_ms", |r| r.latency_p999_ms),
    ("latency_max_ms", |r| r.latency_max_ms),
    ("latency_samples", |r| r.latency_samples.map(|v| v as f64)),
    ("produce_rate_msgs_per_s", |r| r.produce_rate_msgs_per_s),
    ("consume_rate_msgs_per_s", |r| r.consume_rate_msgs_per_s),
    ("fetch_requests_per_s", |r| r.fetch_requests_per_s),
    ("send_s", |r| r.send_s),
    ("ack_latency_p50_ms", |r| r.ack_latency_p50_ms),
    ("ack_latency_p99_ms", |r| r.ack_latency_p99_ms),
    ("ack_latency_p999_ms", |r| r.ack_latency_p999_ms),
    ("ack_latency_max_ms", |r| r.ack_latency_max_ms),
    ("produce_errors", |r| r.produce_errors.map(|v| v as f64)),
    ("retries", |r| r.retries.map(|v| v as f64)),
    ("produce_requests", |r| r.produce_requests),
    ("request_rate_per_s", |r| r.request_rate_per_s),
    ("records_per_request_avg", |r| r.records_per_request_avg),
    ("batch_size_avg_bytes", |r| r.batch_size_avg_bytes),
    ("compression_ratio", |r| r.compression_ratio),
    ("bytes_on_wire", |r| r.bytes_on_wire.map(|v| v as f64)),
    ("join_s", |r| r.join_s),
    ("join_s_min", |r| r.join_s_min),
    ("group_stable_s", |r| r.group_stable_s),
    ("rebalances", |r| r.rebalances.map(|v| v as f64)),
    ("rebalances_total", |r| r.rebalances_total.map(|v| v as f64)),
    ("processing_s", |r| r.processing_s),
    ("poll_interval_avg_ms", |r| r.poll_interval_avg_ms),
    ("poll_interval_max_ms", |r| r.poll_interval_max_ms),
    ("max_poll_exceeded", |r| {
        r.max_poll_exceeded.map(|v| v as f64)
    }),
    ("kept_up", |r| r.kept_up.map(|k| f64::from(u8::from(k)))),
    ("group_partitions", |r| {
        group_partitions(r).map(|n| n as f64)
    }),
];

/// Group mode: the partitions the consumers held between them at the end (the topic's).
pub fn group_partitions(r: &RunRecord) -> Option<usize> {
    let held: std::collections::BTreeSet<i32> = r
        .per_consumer
        .iter()
        .flat_map(|c| c.assigned_partitions.iter().copied())
        .collect();
    (!r.per_consumer.is_empty()).then_some(held.len())
}

/// The metric a sweep of this mode ranks trials on, and whether higher is better. At one
/// offered rate (`paced`: live runs, or `--rate` in pipeline and produce runs) every trial
/// that keeps up delivers that rate, so ranking by msg/s would rank noise: the p99 latency
/// ranks them (end to end, or the acknowledgement's in produce runs).
pub fn primary_metric(mode: Mode, paced: bool) -> (&'static str, bool) {
    match (mode, paced) {
        (Mode::Drain, _) => ("throughput_msgs_per_s", true),
        (Mode::Live, _) | (Mode::Pipeline, true) => ("latency_p99_ms", false),
        (Mode::Produce, true) => ("ack_latency_p99_ms", false),
        (Mode::Produce | Mode::Pipeline, false) => ("throughput_msgs_per_s", true),
    }
}

/// Summarizes a sweep's runs per trial.
///
/// Only measured runs count: warm-up runs are left out, and a run counts as measured unless
/// its status says it failed. Trials come out best first (by the median of the primary
/// metric), then the trials with no measurement, by trial id. A trial whose runs of the
/// primary metric the rank test (`stats::ties`) cannot tell from the best one's is
/// `tied_with_best`.
pub fn summarize_runs(meta: &SweepMeta, records: &[RunRecord]) -> SummaryFile {
    let (primary, higher_is_better) =
        primary_metric(meta.mode, meta.send_rate_msgs_per_s.is_some());
    let mut by_trial: BTreeMap<&str, Vec<&RunRecord>> = BTreeMap::new();
    for record in records.iter().filter(|r| !r.warmup) {
        by_trial.entry(&record.trial_id).or_default().push(record);
    }
    let mut trials: Vec<TrialSummary> = by_trial
        .values()
        .map(|runs| summarize_trial(runs, primary))
        .collect();
    rank(&mut trials, primary, higher_is_better);
    SummaryFile {
        schema_version: SCHEMA_VERSION,
        sweep_id: meta.sweep_id.clone(),
        primary_metric: primary.to_string(),
        higher_is_better,
        trials,
        runs_missing: match meta.adaptive {
            // A search plans no fixed number of runs: tune.json says what was spent.
            Some(crate::results::AdaptiveMeta::Search(_))
            | Some(crate::results::AdaptiveMeta::Capacity(_)) => 0,
            _ => planned_runs(meta).saturating_sub(records.len()),
        },
    }
}

/// Runs the sweep plans: every client with every combination of the grid, each
/// `warmup_runs + repeat` times.
pub fn planned_runs(meta: &SweepMeta) -> usize {
    let combinations: usize = meta.grid.iter().map(|(_, values)| values.len()).product();
    // `--repeat auto` plans its minimum; the runs it adds beyond are not "missing".
    let repeat = match meta.adaptive {
        Some(crate::results::AdaptiveMeta::RepeatAuto { min_runs, .. }) => min_runs,
        _ => meta.repeat,
    };
    meta.clients.len() * combinations * (repeat + meta.warmup_runs) as usize
}

fn summarize_trial(runs: &[&RunRecord], primary: &str) -> TrialSummary {
    let first = runs[0];
    let (ok, failed): (Vec<&RunRecord>, Vec<&RunRecord>) =
        runs.iter().partition(|r| r.status != Some(Status::Failed));
    let metrics = METRICS
        .iter()
        .filter_map(|(name, read)| {
            let values: Vec<f64> = ok
                .iter()
                .filter_map(|r| read(r))
                .filter(|v| v.is_finite())
                .collect();
            summarize(&values).map(|s| (name.to_string(), s))
        })
        .collect::<BTreeMap<_, _>>();
    let first_error = failed.iter().find_map(|r| r.error.clone());
    let mut warnings = Vec::new();
    if ok.is_empty() {
        warnings.push(TrialWarning::NoMeasurement {
            failed: failed.len(),
            first_error,
        });
    } else {
        if !failed.is_empty() {
            let total = runs.len();
            warnings.push(TrialWarning::FailedRuns {
                failed: failed.len(),
                total,
                first_error,
            });
        }
        if ok.len() < MIN_RUNS_FOR_INTERVAL {
            warnings.push(TrialWarning::FewRuns { runs: ok.len() });
        }
        let idle: Vec<u32> = ok
            .iter()
            .flat_map(|r| r.idle_consumers.iter().copied())
            .collect::<std::collections::BTreeSet<u32>>()
            .into_iter()
            .collect();
        if !idle.is_empty() {
            warnings.push(TrialWarning::IdleConsumers {
                consumers: idle,
                partitions: group_partitions(first).unwrap_or(0),
            });
        }
        if let Some(s) = metrics.get(primary).filter(|s| s.cv > NOISY_CV) {
            warnings.push(TrialWarning::TooNoisy {
                cv: s.cv,
                runs: s.n,
            });
        }
    }
    TrialSummary {
        schema_version: SCHEMA_VERSION,
        trial_id: first.trial_id.clone(),
        client: first.client.clone(),
        client_version: runs.iter().find_map(|r| r.client_version.clone()),
        params: first.params.clone(),
        runs_ok: ok.len(),
        runs_failed: failed.len(),
        rank: None,
        tied_with_best: false,
        metrics,
        warnings: warnings.iter().map(ToString::to_string).collect(),
    }
}

/// Orders trials best first on the primary metric and marks the ones tied with the best.
fn rank(trials: &mut [TrialSummary], primary: &str, higher_is_better: bool) {
    let key = |t: &TrialSummary| t.metrics.get(primary).map(|s| s.median);
    trials.sort_by(|a, b| {
        match (key(a), key(b)) {
            (Some(x), Some(y)) if higher_is_better => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.trial_id.cmp(&b.trial_id))
    });
    let best = trials.first().and_then(|t| t.metrics.get(primary)).cloned();
    let Some(best) = best else { return };
    for (i, trial) in trials.iter_mut().enumerate() {
        if let Some(s) = trial.metrics.get(primary) {
            trial.rank = Some(i + 1);
            trial.tied_with_best = indistinguishable(s, &best);
        }
    }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;
