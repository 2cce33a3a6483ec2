//! Share groups (KIP-932) in the report: a share group against a consumer group on the same
//! topic, where each stops scaling with more consumers, the redeliveries (against the lock
//! duration where it was swept), and a recommendation per goal. Read from the records, so a
//! sweep of either group type alone still says what it measured.

use std::collections::BTreeMap;

use crate::clients::properties::share::GROUP_TYPE;
use crate::clients::properties::CONSUMERS;
use crate::results::{RunRecord, Status};
use crate::stats::median;

use super::format::short;
use super::load::Sweep;

/// One (group type, consumers, the other settings) cell: its runs' median throughput.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    group_type: String,
    consumers: u32,
    /// The other settings that told its trial apart (share.acquire.mode, ...).
    facet: String,
    throughput_msgs_per_s: f64,
    redeliveries: f64,
}

/// The share section's sentences; empty unless some run was a share group's.
pub fn sentences(sweep: &Sweep) -> Vec<String> {
    let cells = cells(&sweep.records);
    if !cells.iter().any(|c| c.group_type == "share") {
        return vec![];
    }
    let partitions = super::scaling::partitions(&sweep.meta, &sweep.summary);
    let mut out = Vec::new();
    for kind in ["consumer", "share"] {
        let of_kind: Vec<&Cell> = cells.iter().filter(|c| c.group_type == kind).collect();
        let Some(best) = of_kind
            .iter()
            .max_by(|a, b| a.throughput_msgs_per_s.total_cmp(&b.throughput_msgs_per_s))
        else {
            continue;
        };
        let curve: Vec<String> = by_consumers(&of_kind)
            .into_iter()
            .map(|(n, t)| format!("{n}: {}", short(t)))
            .collect();
        let stop = if kind == "consumer" {
            format!("a consumer group gives each of the {partitions} partitions to one member, so members beyond {partitions} stay idle (the idle ones are named in each run)")
        } else if best.consumers > partitions {
            format!("the share group kept scaling past the {partitions} partitions: its best was {} consumers", best.consumers)
        } else {
            format!("the share group's best was {} consumers, not past the {partitions} partitions: on this host its members compete for the CPUs and the broker's record locks (group.share.partition.max.record.locks)", best.consumers)
        };
        out.push(format!(
            "{} group: best {} msg/s with {} consumers{}; median msg/s by consumers (best setting) {}; {stop}.",
            if kind == "share" { "Share" } else { "Consumer" },
            short(best.throughput_msgs_per_s),
            best.consumers,
            if best.facet.is_empty() { String::new() } else { format!(" ({})", best.facet) },
            curve.join(", ")
        ));
    }
    out.push(redeliveries(&sweep.records));
    out.extend(recommendations(&cells));
    out
}

/// Redeliveries, against the lock duration where it was swept.
fn redeliveries(records: &[RunRecord]) -> String {
    let share: Vec<&RunRecord> = ok(records)
        .filter(|r| r.group_type.as_deref() == Some("share"))
        .collect();
    let total: u64 = share.iter().filter_map(|r| r.redeliveries).sum();
    let mut by_lock: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &share {
        let lock = r
            .params
            .get("share.record.lock.duration.ms")
            .cloned()
            .unwrap_or_else(|| "30000 (default)".into());
        by_lock
            .entry(lock)
            .or_default()
            .push(r.redeliveries.unwrap_or(0) as f64);
    }
    let parts: Vec<String> = by_lock
        .iter()
        .map(|(lock, v)| format!("lock {lock} ms: median {}", short(median(v))))
        .collect();
    format!(
        "Redeliveries (a record delivered again: its acquisition lock expired or it was released): {total} over {} share runs; {}. A lock shorter than a poll's processing time makes records come back; every record was still accepted exactly once (the run fails otherwise).",
        share.len(),
        parts.join(", ")
    )
}

/// A recommendation per goal, from the cells measured.
fn recommendations(cells: &[Cell]) -> Vec<String> {
    let best = |kind: &str| {
        cells
            .iter()
            .filter(|c| c.group_type == kind)
            .max_by(|a, b| a.throughput_msgs_per_s.total_cmp(&b.throughput_msgs_per_s))
    };
    let mut out = Vec::new();
    if let (Some(s), Some(c)) = (best("share"), best("consumer")) {
        let (winner, loser) = if s.throughput_msgs_per_s >= c.throughput_msgs_per_s {
            (s, c)
        } else {
            (c, s)
        };
        out.push(format!(
            "Throughput: a {} group with {} consumers{} ({} msg/s, {}× the best {} group's {} msg/s).",
            winner.group_type,
            winner.consumers,
            if winner.facet.is_empty() { String::new() } else { format!(", {}", winner.facet) },
            short(winner.throughput_msgs_per_s),
            short(winner.throughput_msgs_per_s / loser.throughput_msgs_per_s.max(1e-9)),
            loser.group_type,
            short(loser.throughput_msgs_per_s)
        ));
    }
    if let Some(s) = cells
        .iter()
        .filter(|c| c.group_type == "share" && c.redeliveries == 0.0)
        .max_by(|a, b| a.throughput_msgs_per_s.total_cmp(&b.throughput_msgs_per_s))
    {
        out.push(format!(
            "No redelivered work: a share group with {} consumers{} ({} msg/s, no redeliveries).",
            s.consumers,
            if s.facet.is_empty() {
                String::new()
            } else {
                format!(", {}", s.facet)
            },
            short(s.throughput_msgs_per_s)
        ));
    }
    out.push("More consumers than partitions (elastic workers, slow records): a share group; a consumer group keeps one member per partition and leaves the rest idle.".into());
    out
}

/// The median throughput per consumer count, each count's best setting.
fn by_consumers(cells: &[&Cell]) -> Vec<(u32, f64)> {
    let mut best: BTreeMap<u32, f64> = BTreeMap::new();
    for c in cells {
        let e = best.entry(c.consumers).or_insert(0.0);
        *e = e.max(c.throughput_msgs_per_s);
    }
    best.into_iter().collect()
}

fn ok(records: &[RunRecord]) -> impl Iterator<Item = &RunRecord> {
    records
        .iter()
        .filter(|r| !r.warmup && r.status == Some(Status::Ok))
}

/// (group type, consumers, facet) to the runs' throughputs and redeliveries.
type Runs = BTreeMap<(String, u32, String), (Vec<f64>, Vec<f64>)>;

fn cells(records: &[RunRecord]) -> Vec<Cell> {
    let mut runs: Runs = BTreeMap::new();
    for r in ok(records) {
        let (Some(kind), Some(t)) = (r.group_type.clone(), r.throughput_msgs_per_s) else {
            continue;
        };
        let consumers = r
            .params
            .get(CONSUMERS)
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        // A consumer group's trial takes no share settings: they do not tell it apart.
        let facet: Vec<String> = r
            .params
            .iter()
            .filter(|(k, _)| *k != CONSUMERS && *k != GROUP_TYPE && *k != "max.poll.records")
            .filter(|(k, _)| kind == "share" || !k.starts_with("share."))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let e = runs.entry((kind, consumers, facet.join(", "))).or_default();
        e.0.push(t);
        e.1.push(r.redeliveries.unwrap_or(0) as f64);
    }
    runs.into_iter()
        .map(|((group_type, consumers, facet), (t, red))| Cell {
            group_type,
            consumers,
            facet,
            throughput_msgs_per_s: median(&t),
            redeliveries: median(&red),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, consumers: u32, mode: &str, t: f64, red: u64) -> RunRecord {
        RunRecord {
            status: Some(Status::Ok),
            group_type: Some(kind.into()),
            throughput_msgs_per_s: Some(t),
            redeliveries: (kind == "share").then_some(red),
            params: [
                (CONSUMERS.to_string(), consumers.to_string()),
                (GROUP_TYPE.to_string(), kind.to_string()),
                ("share.acquire.mode".to_string(), mode.to_string()),
            ]
            .into(),
            ..Default::default()
        }
    }

    #[test]
    fn share_and_consumer_groups_are_compared_by_consumers() {
        let recs = vec![
            record("consumer", 1, "record_limit", 100.0, 0),
            record("consumer", 1, "batch_optimized", 110.0, 0),
            record("consumer", 4, "record_limit", 105.0, 0),
            record("share", 1, "record_limit", 50.0, 0),
            record("share", 4, "record_limit", 150.0, 3),
            record("share", 4, "batch_optimized", 120.0, 0),
        ];
        let c = cells(&recs);
        let consumer1: Vec<&Cell> = c
            .iter()
            .filter(|c| c.group_type == "consumer" && c.consumers == 1)
            .collect();
        assert_eq!(
            consumer1.len(),
            1,
            "share settings do not split a consumer group's trials"
        );
        assert_eq!(consumer1[0].throughput_msgs_per_s, 105.0);
        let recs_text = recommendations(&c);
        assert!(
            recs_text[0].starts_with("Throughput: a share group with 4 consumers"),
            "{recs_text:?}"
        );
        assert!(recs_text[1].contains("batch_optimized"), "{recs_text:?}");
        assert!(redeliveries(&recs).contains("3 over 3 share runs"));
    }
}
