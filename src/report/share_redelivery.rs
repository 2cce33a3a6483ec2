//! Redeliveries of share group runs against `share.record.lock.duration.ms` and the
//! processing time (`processing`): a record whose processing outlasts its acquisition lock
//! comes back (its acceptance fails), and one that comes back past the group's
//! `share.delivery.count.limit` is archived, so the run cannot accept every record and fails.

use std::collections::BTreeMap;

use crate::results::{RunRecord, Status};
use crate::stats::median;
use crate::workload::processing::PROCESSING;

use super::format::short;
use super::load::Sweep;

pub const LOCK: &str = "share.record.lock.duration.ms";
/// The broker's default (`group.share.record.lock.duration.ms`, Kafka 4.4.0).
const LOCK_DEFAULT: &str = "30000 (default)";
const NO_PROCESSING: &str = "none";

/// One (lock duration, processing) cell over the share runs that had it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub lock_ms: String,
    pub processing: String,
    pub runs_ok: usize,
    pub runs_failed: usize,
    /// Medians over the runs that recorded them (failed runs included: their counts stand).
    pub deliveries: Option<f64>,
    pub redeliveries: Option<f64>,
    pub acknowledgement_errors: Option<f64>,
}

fn share_runs(records: &[RunRecord]) -> impl Iterator<Item = &RunRecord> {
    records
        .iter()
        .filter(|r| !r.warmup && r.group_type.as_deref() == Some("share"))
}

fn lock_of(r: &RunRecord) -> String {
    r.params
        .get(LOCK)
        .cloned()
        .unwrap_or_else(|| LOCK_DEFAULT.into())
}

fn processing_of(r: &RunRecord) -> String {
    r.params
        .get(PROCESSING)
        .cloned()
        .unwrap_or_else(|| NO_PROCESSING.into())
}

/// The rows, by lock duration then processing.
pub fn rows(records: &[RunRecord]) -> Vec<Row> {
    let mut cells: BTreeMap<(String, String), Vec<&RunRecord>> = BTreeMap::new();
    for r in share_runs(records) {
        cells
            .entry((lock_of(r), processing_of(r)))
            .or_default()
            .push(r);
    }
    let med = |runs: &[&RunRecord], f: fn(&RunRecord) -> Option<u64>| {
        let v: Vec<f64> = runs.iter().filter_map(|r| f(r)).map(|n| n as f64).collect();
        (!v.is_empty()).then(|| median(&v))
    };
    cells
        .into_iter()
        .map(|((lock_ms, processing), runs)| Row {
            lock_ms,
            processing,
            runs_ok: runs.iter().filter(|r| r.status == Some(Status::Ok)).count(),
            runs_failed: runs.iter().filter(|r| r.status != Some(Status::Ok)).count(),
            deliveries: med(&runs, |r| r.deliveries),
            redeliveries: med(&runs, |r| r.redeliveries),
            acknowledgement_errors: med(&runs, |r| r.acknowledgement_errors),
        })
        .collect()
}

/// Whether the sweep varied what decides redeliveries: then the table is shown.
pub fn swept(sweep: &Sweep) -> bool {
    crate::grid::varied(&sweep.meta.grid)
        .iter()
        .any(|p| p == LOCK || p == PROCESSING)
}

/// The table of redeliveries by lock duration and processing, when either was swept.
pub fn table(sweep: &Sweep) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let rows = rows(&sweep.records);
    if !swept(sweep) || rows.is_empty() {
        return None;
    }
    let header = [
        "`share.record.lock.duration.ms`",
        "`processing`",
        "share runs ok/failed",
        "deliveries (median)",
        "redeliveries (median)",
        "redelivered",
        "failed acceptances (median)",
    ]
    .map(String::from)
    .to_vec();
    let opt = |v: Option<f64>| v.map_or("-".to_string(), short);
    let body = rows
        .iter()
        .map(|r| {
            let share = match (r.redeliveries, r.deliveries) {
                (Some(red), Some(d)) if d > 0.0 => format!("{:.0}%", 100.0 * red / d),
                _ => "-".into(),
            };
            vec![
                r.lock_ms.clone(),
                r.processing.clone(),
                format!("{}/{}", r.runs_ok, r.runs_failed),
                opt(r.deliveries),
                opt(r.redeliveries),
                share,
                opt(r.acknowledgement_errors),
            ]
        })
        .collect();
    Some((header, body))
}

/// The redeliveries in one sentence: how many, by lock duration and processing, and what
/// makes them.
pub fn sentence(sweep: &Sweep) -> String {
    let rows = rows(&sweep.records);
    let runs: usize = rows.iter().map(|r| r.runs_ok + r.runs_failed).sum();
    let total: u64 = share_runs(&sweep.records)
        .filter_map(|r| r.redeliveries)
        .sum();
    let parts: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "lock {} ms, processing {}: median {}{}",
                r.lock_ms,
                r.processing,
                r.redeliveries.map_or("-".into(), short),
                if r.runs_failed > 0 {
                    format!(
                        " ({} run{} failed)",
                        r.runs_failed,
                        if r.runs_failed == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                }
            )
        })
        .collect();
    let failed: usize = rows.iter().map(|r| r.runs_failed).sum();
    format!(
        "Redeliveries (a record delivered again: its acquisition lock expired or it was released): {total} over {runs} share run{}; {}. A poll whose processing outlasts share.record.lock.duration.ms loses its locks: its acceptances fail and the records come back; the broker then hands records delivered more than half share.delivery.count.limit times out in smaller sets, and archives those past the limit. {}",
        if runs == 1 { "" } else { "s" },
        parts.join("; "),
        if failed == 0 {
            "Every run accepted each record exactly once (a run fails otherwise)."
        } else {
            "A failed share run did not accept every record exactly once (archived past the delivery limit, or out of time): see its error."
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lock: Option<&str>, processing: Option<&str>, red: u64, ok: bool) -> RunRecord {
        let mut params = crate::results::Params::new();
        params.insert("group.type".into(), "share".into());
        if let Some(l) = lock {
            params.insert(LOCK.into(), l.into());
        }
        if let Some(p) = processing {
            params.insert(PROCESSING.into(), p.into());
        }
        RunRecord {
            status: Some(if ok { Status::Ok } else { Status::Failed }),
            group_type: Some("share".into()),
            params,
            deliveries: Some(1000 + red),
            redeliveries: Some(red),
            acknowledgement_errors: Some(red),
            ..Default::default()
        }
    }

    #[test]
    fn rows_follow_the_lock_and_the_processing() {
        let recs = vec![
            run(Some("1000"), Some("sleep:10ms"), 900, true),
            run(Some("1000"), Some("sleep:10ms"), 700, true),
            run(Some("1000"), Some("sleep:10ms"), 4000, false),
            run(None, None, 0, true),
            RunRecord {
                group_type: Some("consumer".into()),
                ..Default::default()
            },
        ];
        let rows = rows(&recs);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0].lock_ms, "1000");
        assert_eq!((rows[0].runs_ok, rows[0].runs_failed), (2, 1));
        assert_eq!(rows[0].redeliveries, Some(900.0));
        assert_eq!(rows[1].lock_ms, LOCK_DEFAULT);
        assert_eq!(rows[1].processing, NO_PROCESSING);
        assert_eq!(rows[1].redeliveries, Some(0.0));
    }
}
