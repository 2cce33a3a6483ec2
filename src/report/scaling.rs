//! Scaling with the number of consumers in one group (`consumers` swept): the throughput at
//! each consumer count, for each client and each value of the other swept properties, and
//! where more consumers stopped helping, said with the likely reason.

use crate::clients::properties::CONSUMERS;
use crate::results::{SummaryFile, SweepMeta, TrialSummary};
use crate::stats::median;

use super::format::{short, significant};

/// The metric scaling is read on.
pub const METRIC: &str = "throughput_msgs_per_s";

/// A gain smaller than this is not counted as more consumers helping.
const MIN_GAIN: f64 = 0.05;

/// One consumer count of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub consumers: u32,
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Throughput against consumers for one client and one value of every other swept property.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub client: String,
    /// The other swept properties and their values, e.g. `group.protocol=consumer`.
    pub facet: Vec<(String, String)>,
    /// Sorted by consumer count.
    pub points: Vec<Point>,
}

impl Series {
    /// `java` or `java, group.protocol=consumer`.
    pub fn label(&self) -> String {
        let mut parts = vec![self.client.clone()];
        parts.extend(self.facet.iter().map(|(k, v)| format!("{k}={v}")));
        parts.join(", ")
    }
}

/// Why more consumers stopped helping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// More consumers than partitions: the extra ones get none.
    Partitions(u32),
    /// More consumer processes than the host has CPUs (counting one for an embedded broker).
    Cpus(usize),
    /// Neither: the broker, the network or the fetch settings.
    Elsewhere,
}

/// The last consumer count that helped, the next one tried, and why it did not help more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub best: u32,
    pub next: u32,
    pub reason: Reason,
}

/// Every series of the sweep; empty unless `consumers` was swept with two values or more.
pub fn series(meta: &SweepMeta, summary: &SummaryFile) -> Vec<Series> {
    let swept = crate::grid::varied(&meta.grid);
    if !swept.iter().any(|p| p == CONSUMERS) {
        return vec![];
    }
    let others: Vec<&String> = swept.iter().filter(|p| *p != CONSUMERS).collect();
    let mut out: Vec<Series> = Vec::new();
    for client in &meta.clients {
        for t in summary.trials.iter().filter(|t| &t.client == client) {
            let Some(point) = point(t) else { continue };
            let facet: Vec<(String, String)> = others
                .iter()
                .filter_map(|k| t.params.get(*k).map(|v| (k.to_string(), v.clone())))
                .collect();
            match out
                .iter_mut()
                .find(|s| &s.client == client && s.facet == facet)
            {
                Some(s) => s.points.push(point),
                None => out.push(Series {
                    client: client.clone(),
                    facet,
                    points: vec![point],
                }),
            }
        }
    }
    for s in &mut out {
        s.points.sort_by_key(|p| p.consumers);
    }
    out.retain(|s| s.points.len() >= 2);
    out
}

fn point(t: &TrialSummary) -> Option<Point> {
    let consumers = t.params.get(CONSUMERS)?.parse().ok()?;
    let m = t.metrics.get(METRIC)?;
    Some(Point {
        consumers,
        median: m.median,
        ci_low: m.ci_low,
        ci_high: m.ci_high,
    })
}

/// Where more consumers stopped helping: `None` when every step up helped (beyond the noise
/// and by at least 5%).
/// `embedded`: the broker runs on the same host, so it needs a CPU too.
pub fn limit(series: &Series, partitions: u32, cpus: usize, embedded: bool) -> Option<Limit> {
    let helped =
        |a: &Point, b: &Point| b.ci_low > a.ci_high && b.median >= a.median * (1.0 + MIN_GAIN);
    let stop = series.points.windows(2).find(|w| !helped(&w[0], &w[1]))?;
    let (best, next) = (stop[0].consumers, stop[1].consumers);
    let reason = if next > partitions {
        Reason::Partitions(partitions)
    } else if next as usize + embedded as usize > cpus {
        Reason::Cpus(cpus)
    } else {
        Reason::Elsewhere
    };
    Some(Limit { best, next, reason })
}

/// The topic's partitions as the groups found them (a reused topic may have other than
/// `--partitions`), else the workload's.
pub fn partitions(meta: &SweepMeta, summary: &SummaryFile) -> u32 {
    summary
        .trials
        .iter()
        .filter_map(|t| t.metrics.get("group_partitions").map(|m| m.max as u32))
        .max()
        .filter(|n| *n > 0)
        .unwrap_or(meta.workload.partitions)
}

/// What the sweep says about scaling, in words; `None` unless `consumers` was swept.
pub fn sentence(meta: &SweepMeta, summary: &SummaryFile) -> Option<String> {
    let all = series(meta, summary);
    if all.is_empty() {
        return None;
    }
    let (partitions, cpus) = (partitions(meta, summary), meta.host.cpu_count);
    let embedded = meta.broker.kind == "embedded";
    let parts: Vec<String> = all
        .iter()
        .map(|s| {
            let base = &s.points[0];
            let values: Vec<String> = s.points.iter().map(|p| short(p.median)).collect();
            let counts: Vec<String> = s.points.iter().map(|p| p.consumers.to_string()).collect();
            let gains: Vec<String> = s.points[1..]
                .iter()
                .map(|p| format!("×{}", significant(p.median / base.median, 2)))
                .collect();
            let mut text = format!(
                "{}: {} msg/s with {} consumers ({} the throughput of {})",
                s.label(),
                values.join(", "),
                counts.join(", "),
                gains.join(", "),
                base.consumers
            );
            // A share group's members are not bound to partitions (KIP-932).
            let bound = if share_series(meta, s) {
                u32::MAX
            } else {
                partitions
            };
            text.push_str(&match limit(s, bound, cpus, embedded) {
                None => format!(
                    ", still growing at {}",
                    s.points.last().map_or(0, |p| p.consumers)
                ),
                Some(l) => format!(
                    "; more consumers stopped helping after {}: {}",
                    l.best,
                    reason_text(l, embedded)
                ),
            });
            text
        })
        .collect();
    let mut out = format!(
        "`{CONSUMERS}` (consumer processes in one group, on {partitions} partition{}): {}. \
         Kafka gives each partition to one consumer of a group at a time, so consumers beyond \
         the partition count stay idle; below it, more consumers help while the host has CPUs \
         for them and the broker keeps up.",
        if partitions == 1 { "" } else { "s" },
        parts.join("; ")
    );
    if let Some(join) = join_sentence(meta, summary) {
        out.push(' ');
        out.push_str(&join);
    }
    Some(out)
}

/// Whether a series ran share groups (`group.type=share`, swept or fixed).
fn share_series(meta: &SweepMeta, s: &Series) -> bool {
    let share = |v: &String| v == "share";
    s.facet
        .iter()
        .any(|(k, v)| k == crate::clients::properties::share::GROUP_TYPE && share(v))
        || meta
            .fixed
            .get(crate::clients::properties::share::GROUP_TYPE)
            .is_some_and(share)
}

/// Why more consumers stopped helping, in words.
pub fn reason_text(l: Limit, embedded: bool) -> String {
    match l.reason {
        Reason::Partitions(p) => format!(
            "{} consumers on {p} partitions leave {} of them without a partition",
            l.next,
            l.next - p
        ),
        Reason::Cpus(c) => format!(
            "{} consumer processes share this host's {c} CPUs{}",
            l.next,
            if embedded {
                " with the embedded broker"
            } else {
                ""
            }
        ),
        Reason::Elsewhere => format!(
            "{} consumers fit the partitions and the CPUs, so the limit is elsewhere (the broker, \
             the fetch sizes, or noise)",
            l.next
        ),
    }
}

/// How long the group took to form, by `group.protocol` when that was swept.
fn join_sentence(meta: &SweepMeta, summary: &SummaryFile) -> Option<String> {
    let stable = |trials: &[&TrialSummary]| {
        let v: Vec<f64> = trials
            .iter()
            .filter_map(|t| t.metrics.get("group_stable_s").map(|m| m.median))
            .collect();
        (!v.is_empty()).then(|| median(&v))
    };
    let grouped: Vec<&TrialSummary> = summary
        .trials
        .iter()
        .filter(|t| t.params.get(CONSUMERS).is_some_and(|c| c != "1"))
        .collect();
    let protocols = meta
        .grid
        .iter()
        .find(|(k, v)| k == "group.protocol" && v.len() > 1)
        .map(|(_, v)| v.clone());
    let text = match protocols {
        Some(values) => {
            let each: Vec<String> = values
                .iter()
                .filter_map(|p| {
                    let mine: Vec<&TrialSummary> = grouped
                        .iter()
                        .copied()
                        .filter(|t| t.params.get("group.protocol") == Some(p))
                        .collect();
                    stable(&mine)
                        .map(|s| format!("{} s with `group.protocol={p}`", significant(s, 2)))
                })
                .collect();
            (!each.is_empty()).then(|| each.join(", "))?
        }
        None => format!("{} s", significant(stable(&grouped)?, 2)),
    };
    Some(format!(
        "With more than one consumer the group took a median {text} to form (from starting the \
         consumers until each held its share), time kept out of the throughput."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{meta, summary, trial};
    use crate::results::Mode;

    fn sweep(values: &[(&str, &str, f64)]) -> (SweepMeta, SummaryFile) {
        let mut m = meta(
            Mode::Drain,
            &["librdkafka", "java"],
            &[(CONSUMERS, &["1", "2", "4"])],
        );
        m.workload.partitions = 4;
        m.host.cpu_count = 8;
        let trials = values
            .iter()
            .enumerate()
            .map(|(i, (client, n, t))| {
                trial(
                    &format!("t{i}"),
                    client,
                    &[(CONSUMERS, n)],
                    &[
                        (METRIC, &[*t * 0.99, *t, *t * 1.01]),
                        ("group_stable_s", &[1.0, 1.2, 1.4]),
                    ],
                )
            })
            .collect();
        (m, summary(Mode::Drain, trials))
    }

    #[test]
    fn series_per_client_sorted_by_consumers() {
        let (m, s) = sweep(&[
            ("java", "4", 300.0),
            ("java", "1", 100.0),
            ("java", "2", 190.0),
            ("librdkafka", "1", 1000.0),
        ]);
        let all = series(&m, &s);
        assert_eq!(all.len(), 1, "one point is no series");
        let counts: Vec<u32> = all[0].points.iter().map(|p| p.consumers).collect();
        assert_eq!(counts, [1, 2, 4]);
        assert_eq!(all[0].label(), "java");
    }

    #[test]
    fn the_limit_and_its_reason() {
        let (m, s) = sweep(&[
            ("java", "1", 100.0),
            ("java", "2", 190.0),
            ("java", "4", 194.0),
        ]);
        let java = &series(&m, &s)[0];
        assert_eq!(
            limit(java, 4, 8, false),
            Some(Limit {
                best: 2,
                next: 4,
                reason: Reason::Elsewhere
            })
        );
        assert_eq!(
            limit(java, 2, 8, false).unwrap().reason,
            Reason::Partitions(2)
        );
        assert_eq!(limit(java, 4, 2, false).unwrap().reason, Reason::Cpus(2));
        assert_eq!(
            limit(java, 4, 4, true).unwrap().reason,
            Reason::Cpus(4),
            "and the broker"
        );
        let text = sentence(&m, &s).unwrap();
        assert!(
            text.contains(
                "java: 100, 190, 194 msg/s with 1, 2, 4 consumers (×1.9, ×1.9 the throughput of 1)"
            ),
            "{text}"
        );
        assert!(text.contains("stopped helping after 2"), "{text}");
        assert!(text.contains("took a median 1.2 s to form"), "{text}");
    }

    #[test]
    fn nothing_to_say_without_a_consumers_sweep() {
        let m = meta(Mode::Drain, &["java"], &[("fetch.min.bytes", &["1", "2"])]);
        assert!(sentence(&m, &summary(Mode::Drain, vec![])).is_none());
    }
}
