//! Processing time in the report: the processing bound (a consumer that spends `t` on every
//! record reads at most `1 / t` records a second, whatever its fetch settings), whether more
//! consumers would help, whether a live consumer kept up, and the `max.poll.interval.ms`
//! risk: a poll's batch must be processed before the next poll is due, or the member leaves
//! its group (classic protocol: a rebalance; KIP-848: it is fenced).
//!
//! The per-record time is the one measured (`processing_s / messages`), and the batch the
//! client may hand over is `max.poll.records` of them (librdkafka: kafkatune's batch size of
//! one logical poll), so the report can say before it happens which `max.poll.records`
//! would pass the limit, and which keeps a safety margin.

use crate::results::{Mode, RunRecord, Status, TrialSummary};
use crate::workload::processing::{self, Per, PROCESSING};

use super::format::{percent, short, significant, swept_params};
use super::load::Sweep;

/// Java's and kafka-python's default `max.poll.interval.ms` (librdkafka's too).
pub const MAX_POLL_INTERVAL_MS_DEFAULT: f64 = 300_000.0;
/// The clients' default `max.poll.records` (kafkatune's too).
const MAX_POLL_RECORDS_DEFAULT: f64 = 500.0;
/// The share of `max.poll.interval.ms` a batch may take and still keep a safety margin.
pub const SAFE_SHARE: f64 = 0.5;

/// One sentence per trial with processing; empty when no trial had any.
pub fn sentences(sweep: &Sweep) -> Vec<String> {
    let swept: Vec<String> = sweep.meta.grid.iter().map(|(k, _)| k.clone()).collect();
    sweep
        .summary
        .trials
        .iter()
        .filter_map(|t| {
            let runs: Vec<&RunRecord> = sweep
                .records
                .iter()
                .filter(|r| r.trial_id == t.trial_id && !r.warmup)
                .collect();
            trial_sentence(sweep, t, &runs, &swept)
        })
        .collect()
}

fn param(t: &TrialSummary, name: &str) -> Option<f64> {
    t.params.get(name).and_then(|v| v.trim().parse().ok())
}

fn median(t: &TrialSummary, metric: &str) -> Option<f64> {
    t.metrics.get(metric).map(|m| m.median)
}

fn trial_sentence(
    sweep: &Sweep,
    t: &TrialSummary,
    runs: &[&RunRecord],
    swept: &[String],
) -> Option<String> {
    let spec = processing::parse(t.params.get(PROCESSING)?).ok()??;
    let ok: Vec<&&RunRecord> = runs
        .iter()
        .filter(|r| r.status == Some(Status::Ok))
        .collect();
    let label = match swept_params(&t.params, swept) {
        s if s.is_empty() => t.client.clone(),
        s => format!("{} with {s}", t.client),
    };
    let mut parts = Vec::new();
    // The per-record time as measured; per poll, what a record came to on average.
    let per_run: Vec<f64> = ok
        .iter()
        .filter_map(|r| {
            r.processing_s
                .filter(|_| r.messages > 0)
                .map(|p| p / r.messages as f64)
        })
        .collect();
    let measured_s =
        (!per_run.is_empty()).then(|| per_run.iter().sum::<f64>() / per_run.len() as f64);
    let per_record_s = measured_s.or(spec.per_record().map(|d| d.as_secs_f64()));
    let consumers = param(t, crate::clients::properties::CONSUMERS).unwrap_or(1.0);
    if let Some(per_record_s) = per_record_s.filter(|s| *s > 0.0) {
        let bound = 1.0 / per_record_s;
        parts.push(format!(
            "`{}` processing ({} per record measured): the processing bound is {} msg/s per consumer ({} for {})",
            t.params[PROCESSING],
            duration_text(per_record_s),
            short(bound),
            short(bound * consumers),
            consumers_text(consumers)
        ));
        parts.push(more_consumers(sweep, t, bound, consumers));
    }
    if let Some(kept) = kept_up(&ok) {
        if kept.contains("fell behind") {
            parts.push("the client's own work per record comes on top of the processing".into());
        }
        parts.push(kept);
    }
    parts.push(poll_interval(
        t,
        &ok,
        per_record_s,
        spec.per,
        spec.duration_us,
    ));
    Some(format!("{label}: {}.", parts.join("; ")))
}

/// A share in percent, with two decimals below 1% (a margin of 0.05% is not 0%).
fn share(fraction: f64) -> String {
    if fraction < 0.01 {
        format!("{:.2}%", fraction * 100.0)
    } else {
        percent(fraction)
    }
}

fn consumers_text(n: f64) -> String {
    if n == 1.0 {
        "one consumer".to_string()
    } else {
        format!("{n} consumers")
    }
}

fn duration_text(s: f64) -> String {
    if s >= 1.0 {
        format!("{} s", significant(s, 3))
    } else if s >= 1e-3 {
        format!("{} ms", significant(s * 1e3, 3))
    } else {
        format!("{} µs", significant(s * 1e6, 3))
    }
}

/// Whether more consumers would help: only while the processing bound is what holds the
/// throughput back, and only up to one consumer per partition.
fn more_consumers(sweep: &Sweep, t: &TrialSummary, bound: f64, consumers: f64) -> String {
    let partitions = sweep.meta.workload.partitions as f64;
    let demand = match (sweep.meta.mode, &sweep.meta.live) {
        (Mode::Live, Some(live)) => Some(live.rate_msgs_per_s),
        _ => None,
    };
    let measured = median(t, "consume_rate_msgs_per_s").or(median(t, "throughput_msgs_per_s"));
    let needed = demand.map(|rate| (rate / bound).ceil());
    match (demand, needed) {
        (Some(rate), Some(needed)) if needed <= consumers => format!(
            "at {} msg/s the processing alone needs {} ({} here)",
            short(rate),
            consumers_text(needed),
            consumers_text(consumers)
        ),
        (Some(rate), Some(needed)) if needed <= partitions => format!(
            "at {} msg/s it needs {}: more consumers would help, the topic has {partitions} partition(s)",
            short(rate),
            consumers_text(needed)
        ),
        (Some(rate), Some(needed)) => format!(
            "at {} msg/s it needs {}, more than the topic's {partitions} partition(s): add partitions, or cut the per-record time",
            short(rate),
            consumers_text(needed)
        ),
        _ => match measured {
            Some(m) if m >= 0.8 * bound * consumers && consumers < partitions => format!(
                "it read {} msg/s, {} of that bound: processing held it back, and more consumers (up to the topic's {partitions} partitions) would help",
                short(m),
                percent(m / (bound * consumers))
            ),
            Some(m) if m >= 0.8 * bound * consumers => format!(
                "it read {} msg/s, {} of that bound, with one consumer per partition already: more consumers would sit idle; add partitions, or cut the per-record time",
                short(m),
                percent(m / (bound * consumers))
            ),
            Some(m) => format!(
                "it read {} msg/s, {} of that bound: the client, not the processing, held it back",
                short(m),
                percent(m / (bound * consumers))
            ),
            None => "no run measured its throughput".to_string(),
        },
    }
}

fn kept_up(ok: &[&&RunRecord]) -> Option<String> {
    let judged: Vec<bool> = ok.iter().filter_map(|r| r.kept_up).collect();
    if judged.is_empty() {
        return None;
    }
    let kept = judged.iter().filter(|k| **k).count();
    let lag_max = ok
        .iter()
        .flat_map(|r| r.lag_samples.iter().map(|(_, l)| *l))
        .max()
        .unwrap_or(0);
    Some(if kept == judged.len() {
        format!("it kept up with the live rate in every run (lag at most {lag_max} messages)")
    } else {
        format!(
            "it fell behind the live rate in {} of {} runs (its lag grew, to {lag_max} messages)",
            judged.len() - kept,
            judged.len()
        )
    })
}

/// A group's margin as its members saw it: each member's longest poll interval over the
/// runs (the clients' own time between polls), and how close the closest came to the limit.
/// `None` without group members that measured one.
fn members_observed(ok: &[&&RunRecord], limit_ms: f64) -> Option<String> {
    let mut longest: std::collections::BTreeMap<u32, f64> = Default::default();
    for c in ok.iter().flat_map(|r| &r.per_consumer) {
        if let Some(ms) = c.poll_interval_max_ms {
            let e = longest.entry(c.consumer).or_insert(ms);
            *e = e.max(ms);
        }
    }
    let (worst, worst_ms) = longest
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(c, ms)| (*c, *ms))?;
    let each: Vec<String> = longest
        .iter()
        .map(|(c, ms)| format!("#{c} {} ms", significant(*ms, 3)))
        .collect();
    Some(format!(
        "observed in the group, the longest poll interval was member #{worst}'s {} ms, {} of max.poll.interval.ms={limit_ms} (each member's longest: {})",
        significant(worst_ms, 3),
        share(worst_ms / limit_ms),
        each.join(", ")
    ))
}

/// How close the longest poll interval came to `max.poll.interval.ms`, what a full batch
/// would take, and the largest `max.poll.records` that keeps the margin.
fn poll_interval(
    t: &TrialSummary,
    ok: &[&&RunRecord],
    per_record_s: Option<f64>,
    per: Per,
    duration_us: u64,
) -> String {
    let limit_ms = param(t, "max.poll.interval.ms").unwrap_or(MAX_POLL_INTERVAL_MS_DEFAULT);
    let mpr = param(t, "max.poll.records").unwrap_or(MAX_POLL_RECORDS_DEFAULT);
    let mut text = String::new();
    if let Some(observed) = members_observed(ok, limit_ms) {
        text.push_str(&observed);
    } else if let Some(longest) = median(t, "poll_interval_max_ms") {
        text.push_str(&format!(
            "its longest poll interval was {} ms, {} of max.poll.interval.ms={}",
            significant(longest, 3),
            share(longest / limit_ms),
            limit_ms
        ));
    } else {
        text.push_str("no poll interval was measured");
    }
    let full_batch_ms = match per {
        Per::Poll => Some(duration_us as f64 / 1e3),
        Per::Record => per_record_s.map(|s| s * mpr * 1e3),
    };
    if let Some(batch_ms) = full_batch_ms {
        text.push_str(&format!(
            "; a full batch of max.poll.records={mpr} takes {} ms to process",
            significant(batch_ms, 3)
        ));
        match (per, per_record_s) {
            (Per::Record, Some(s)) => {
                let safe = (SAFE_SHARE * limit_ms / 1e3 / s).floor();
                text.push_str(&format!(
                    ", so max.poll.records up to {} keeps a {} margin{}",
                    if safe < 1e4 { format!("{safe:.0}") } else { short(safe) },
                    percent(1.0 - SAFE_SHARE),
                    if mpr > safe { " (this trial's does not)" } else { "" }
                ));
            }
            _ if batch_ms > SAFE_SHARE * limit_ms => text.push_str(&format!(
                ", past {} of the limit whatever max.poll.records is: cut the per-poll work or raise max.poll.interval.ms",
                percent(SAFE_SHARE)
            )),
            _ => {}
        }
    }
    let exceeded: u64 = ok.iter().filter_map(|r| r.max_poll_exceeded).sum();
    if exceeded > 0 {
        text.push_str(&format!(
            "; the limit was passed {exceeded} time{} (the clients reported the member out of its group, then rebalanced)",
            if exceeded == 1 { "" } else { "s" }
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::MetricSummary;

    fn summary(median: f64) -> MetricSummary {
        MetricSummary {
            median,
            mean: median,
            min: median,
            max: median,
            ci_low: median,
            ci_high: median,
            ci_level: 0.0,
            cv: 0.0,
            n: 1,
            values: vec![median],
        }
    }

    fn trial(params: &[(&str, &str)], metrics: &[(&str, f64)]) -> TrialSummary {
        TrialSummary {
            schema_version: 2,
            trial_id: "t001".into(),
            client: "librdkafka".into(),
            client_version: None,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            runs_ok: 1,
            runs_failed: 0,
            rank: Some(1),
            tied_with_best: false,
            metrics: metrics
                .iter()
                .map(|(k, v)| (k.to_string(), summary(*v)))
                .collect(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn the_margin_names_the_largest_safe_max_poll_records() {
        let t = trial(
            &[("max.poll.records", "500"), ("processing", "1ms")],
            &[("poll_interval_max_ms", 510.0)],
        );
        let text = poll_interval(&t, &[], Some(0.001), Per::Record, 1000);
        assert!(
            text.contains("510 ms, 0.17% of max.poll.interval.ms=300000"),
            "{text}"
        );
        assert!(
            text.contains("a full batch of max.poll.records=500 takes 500 ms"),
            "{text}"
        );
        assert!(
            text.contains("max.poll.records up to 150k keeps a 50% margin"),
            "{text}"
        );
        let tight = trial(
            &[("max.poll.records", "500"), ("max.poll.interval.ms", "600")],
            &[],
        );
        let text = poll_interval(&tight, &[], Some(0.001), Per::Record, 1000);
        assert!(
            text.contains("up to 300 keeps a 50% margin (this trial's does not)"),
            "{text}"
        );
    }

    #[test]
    fn a_group_s_margin_is_what_its_members_observed() {
        let member = |consumer, ms| crate::results::ConsumerRun {
            consumer,
            poll_interval_max_ms: Some(ms),
            ..Default::default()
        };
        let runs = [
            RunRecord {
                status: Some(Status::Ok),
                per_consumer: vec![member(0, 20.0), member(1, 35.0)],
                ..Default::default()
            },
            RunRecord {
                status: Some(Status::Ok),
                per_consumer: vec![member(0, 41.0), member(1, 30.0)],
                ..Default::default()
            },
        ];
        let (a, b) = (&runs[0], &runs[1]);
        let t = trial(
            &[
                ("max.poll.records", "100"),
                ("max.poll.interval.ms", "1000"),
            ],
            &[("poll_interval_max_ms", 38.0)],
        );
        let text = poll_interval(&t, &[&a, &b], Some(0.0002), Per::Record, 200);
        assert!(
            text.contains("member #0's 41.0 ms, 4% of max.poll.interval.ms=1000"),
            "{text}"
        );
        assert!(
            text.contains("(each member's longest: #0 41.0 ms, #1 35.0 ms)"),
            "{text}"
        );
        assert!(
            !text.contains("38.0 ms"),
            "the members' own figures, not the median: {text}"
        );
        assert_eq!(members_observed(&[], 1000.0), None);
    }

    #[test]
    fn an_exceeded_limit_is_said() {
        let rec = RunRecord {
            status: Some(Status::Ok),
            max_poll_exceeded: Some(2),
            ..Default::default()
        };
        let r = &rec;
        let t = trial(&[("max.poll.interval.ms", "6000")], &[]);
        let text = poll_interval(&t, &[&r], None, Per::Poll, 7_000_000);
        assert!(text.contains("passed 2 times"), "{text}");
        assert!(text.contains("whatever max.poll.records is"), "{text}");
    }

    #[test]
    fn kept_up_counts_the_runs_that_fell_behind() {
        let behind = RunRecord {
            kept_up: Some(false),
            lag_samples: vec![(1.0, 10), (2.0, 900)],
            ..Default::default()
        };
        let fine = RunRecord {
            kept_up: Some(true),
            ..Default::default()
        };
        let (a, b) = (&behind, &fine);
        let text = kept_up(&[&a, &b]).unwrap();
        assert!(
            text.contains("fell behind the live rate in 1 of 2 runs"),
            "{text}"
        );
        assert!(text.contains("900 messages"), "{text}");
        assert_eq!(kept_up(&[]), None);
    }
}
