//! Share groups (KIP-932) in the report: a share group against a consumer group on the same
//! topic, throughput and latency against the number of consumers, where each group type
//! stopped scaling, the redeliveries (against the lock duration and the processing time,
//! [`share_redelivery`](super::share_redelivery)), and a recommendation per goal
//! ([`share_goals`](super::share_goals)). Read from the saved summary and records, so a
//! sweep of either group type alone still says what it measured.

use std::collections::BTreeMap;

use crate::clients::properties::share::GROUP_TYPE;
use crate::clients::properties::CONSUMERS;
use crate::results::{MetricSummary, Mode, TrialSummary};

use super::format::{consumers, group_facet as facet, short};
use super::load::Sweep;
use super::scaling::{self, Limit};

/// The latency a share report shows beside throughput: end to end when the runs were live,
/// else the fetch latency the client reports (drain runs measure no end-to-end latency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatencyMetric {
    /// A `RunRecord` field, summarised per trial.
    pub metric: &'static str,
    /// The chart's axis.
    pub axis: &'static str,
    /// What it is, for the chart's title and the report.
    pub label: &'static str,
    pub end_to_end: bool,
}

/// Which latency a sweep of `mode` carries.
pub fn latency_metric(mode: Mode) -> LatencyMetric {
    match mode {
        Mode::Live | Mode::Pipeline => LatencyMetric {
            metric: "latency_p99_ms",
            axis: "p99 end-to-end latency (ms)",
            label: "p99 end-to-end latency, from each message's send time",
            end_to_end: true,
        },
        Mode::Drain | Mode::Produce => LatencyMetric {
            metric: "fetch_latency_avg_ms",
            axis: "fetch latency, average (ms)",
            label: "the client's average fetch latency (fetch-latency-avg, a request round trip with the broker's wait; a drain run measures no end-to-end latency)",
            end_to_end: false,
        },
    }
}

/// One trial of a group type at one consumer count.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub consumers: u32,
    pub trial_id: String,
    /// The other settings that told its trial apart (`share.acquire.mode=record_limit`).
    pub facet: String,
    pub throughput: MetricSummary,
    pub latency: Option<MetricSummary>,
    pub cpu: Option<MetricSummary>,
}

/// A group type's best trial at each consumer count, by throughput.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSeries {
    /// `consumer` or `share`.
    pub group_type: String,
    /// Sorted by consumer count.
    pub points: Vec<Point>,
}

impl GroupSeries {
    pub fn label(&self) -> String {
        format!("{} group", self.group_type)
    }
}

/// Every trial that ran a group of a known type, as a point.
pub fn points(sweep: &Sweep) -> Vec<(String, Point)> {
    let latency = latency_metric(sweep.meta.mode).metric;
    let swept = crate::grid::varied(&sweep.meta.grid);
    sweep
        .summary
        .trials
        .iter()
        .filter_map(|t| {
            let kind = group_type(t)?;
            let throughput = t.metrics.get("throughput_msgs_per_s")?.clone();
            Some((
                kind.clone(),
                Point {
                    consumers: t
                        .params
                        .get(CONSUMERS)
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1),
                    trial_id: t.trial_id.clone(),
                    facet: facet(&t.params, &kind, &swept),
                    throughput,
                    latency: t.metrics.get(latency).cloned(),
                    cpu: t.metrics.get("cpu_s_per_million_msgs").cloned(),
                },
            ))
        })
        .collect()
}

fn group_type(t: &TrialSummary) -> Option<String> {
    t.params.get(GROUP_TYPE).cloned()
}

/// The consumer group's series and the share group's (those that ran), each count's best
/// trial by median throughput.
pub fn series(sweep: &Sweep) -> Vec<GroupSeries> {
    let all = points(sweep);
    let mut out = Vec::new();
    for kind in ["consumer", "share"] {
        let mut best: BTreeMap<u32, Point> = BTreeMap::new();
        for (_, p) in all.iter().filter(|(k, _)| k == kind) {
            let better = best
                .get(&p.consumers)
                .is_none_or(|b| p.throughput.median > b.throughput.median);
            if better {
                best.insert(p.consumers, p.clone());
            }
        }
        if !best.is_empty() {
            out.push(GroupSeries {
                group_type: kind.into(),
                points: best.into_values().collect(),
            });
        }
    }
    out
}

/// The share section's sentences; empty unless some trial ran a share group.
pub fn sentences(sweep: &Sweep) -> Vec<String> {
    let all = series(sweep);
    if !all.iter().any(|s| s.group_type == "share") {
        return vec![];
    }
    let partitions = scaling::partitions(&sweep.meta, &sweep.summary);
    let latency = latency_metric(sweep.meta.mode);
    let mut out: Vec<String> = all
        .iter()
        .map(|s| curve_sentence(sweep, s, partitions, latency))
        .collect();
    out.push(format!(
        "The latency beside throughput (in brackets, and in the chart's lower panel) is {}.",
        latency.label
    ));
    out.extend(past_partitions(&all, partitions));
    out.push(super::share_redelivery::sentence(sweep));
    out.extend(super::share_goals::recommendations(sweep));
    out
}

/// A group type's curve, and where it stopped scaling.
fn curve_sentence(
    sweep: &Sweep,
    s: &GroupSeries,
    partitions: u32,
    latency: LatencyMetric,
) -> String {
    let curve: Vec<String> = s
        .points
        .iter()
        .map(|p| {
            let lat = p
                .latency
                .as_ref()
                .map_or(String::new(), |l| format!(" ({} ms)", short(l.median)));
            format!("{}: {}{lat}", p.consumers, short(p.throughput.median))
        })
        .collect();
    let kind = if s.group_type == "share" {
        "Share"
    } else {
        "Consumer"
    };
    let latency_name = if latency.end_to_end {
        "p99 end-to-end latency"
    } else {
        "average fetch latency"
    };
    format!(
        "{kind} group: msg/s by consumers (each count's best trial; {latency_name} in brackets) {}; {}.",
        curve.join(", "),
        stop(sweep, s, partitions)
    )
}

/// Where the series stopped scaling, in words.
fn stop(sweep: &Sweep, s: &GroupSeries, partitions: u32) -> String {
    let (cpus, embedded) = (
        sweep.meta.host.cpu_count,
        sweep.meta.broker.kind == "embedded",
    );
    let plain = scaling::Series {
        client: s.group_type.clone(),
        facet: vec![],
        points: s
            .points
            .iter()
            .map(|p| scaling::Point {
                consumers: p.consumers,
                median: p.throughput.median,
                ci_low: p.throughput.ci_low,
                ci_high: p.throughput.ci_high,
            })
            .collect(),
    };
    let last = s.points.last().map_or(0, |p| p.consumers);
    if sweep.meta.mode == Mode::Live {
        // A paced producer sets a live run's throughput: more consumers show in the latency.
        let lowest = s
            .points
            .iter()
            .filter_map(|p| p.latency.as_ref().map(|l| (p.consumers, l.median)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        return match lowest {
            Some((n, ms)) => format!(
                "live, so throughput follows the producer's rate and scaling shows in the latency: the lowest p99 was {} ms with {}{}",
                short(ms),
                consumers(n),
                if s.group_type == "consumer" && n > partitions {
                    format!(" (a consumer group uses at most {partitions} of them)")
                } else {
                    String::new()
                }
            ),
            None => "live, so throughput follows the producer's rate; no latency was recorded".into(),
        };
    }
    if s.group_type == "consumer" {
        let idle = format!("a consumer group gives each of the {partitions} partitions to one member, so members beyond {partitions} stay idle");
        return match scaling::limit(&plain, partitions, cpus, embedded) {
            None => format!("still growing at {}; {idle}", consumers(last)),
            Some(l) => format!(
                "it stopped scaling at {} ({}); {idle}",
                consumers(l.best),
                scaling::reason_text(l, embedded)
            ),
        };
    }
    // A share group's members are not bound to partitions (KIP-932).
    match scaling::limit(&plain, u32::MAX, cpus, embedded) {
        None if last > partitions => {
            format!("it kept scaling past the {partitions} partitions, still growing at {}", consumers(last))
        }
        None => format!("still growing at {}", consumers(last)),
        Some(l @ Limit { best, .. }) if best > partitions => format!(
            "it kept scaling past the {partitions} partitions up to {best} consumers, then stopped ({})",
            scaling::reason_text(l, embedded)
        ),
        Some(l) => format!(
            "it stopped scaling at {}, not past the {partitions} partitions ({}; its members also compete for the broker's record locks, share.partition.max.record.locks)",
            consumers(l.best),
            scaling::reason_text(l, embedded)
        ),
    }
}

/// Beyond the partition count, the share group against the consumer group at each count
/// both ran.
fn past_partitions(all: &[GroupSeries], partitions: u32) -> Option<String> {
    let [consumer, share] = all else { return None };
    let pairs: Vec<String> = share
        .points
        .iter()
        .filter(|p| p.consumers > partitions)
        .filter_map(|s| {
            let c = consumer
                .points
                .iter()
                .find(|c| c.consumers == s.consumers)?;
            Some(format!(
                "{}: {} against {} msg/s (×{})",
                s.consumers,
                short(s.throughput.median),
                short(c.throughput.median),
                super::format::significant(s.throughput.median / c.throughput.median.max(1e-9), 2)
            ))
        })
        .collect();
    (!pairs.is_empty()).then(|| {
        format!(
            "Past the {partitions} partitions, the share group against the consumer group at the same consumer count: {}.",
            pairs.join(", ")
        )
    })
}

#[cfg(test)]
#[path = "share_tests.rs"]
mod tests;
