//! The service level a capacity search keeps (`--slo 'p99<20ms,p99.9<50ms'`): its clauses,
//! parsed and checked against the mode, and the verdict on one step's record.

use crate::capacity_file::{Breach, SloClause, Step};
use crate::results::{Mode, RunRecord, Status};

/// The percentiles every record holds, with their field suffix: a clause on another one
/// cannot be judged from results.jsonl.
const PERCENTILES: &[(f64, &str)] = &[
    (50.0, "p50"),
    (90.0, "p90"),
    (99.0, "p99"),
    (99.9, "p999"),
    (100.0, "max"),
];

/// Parses `--slo`: comma-separated clauses `pQ<BOUND` (or `max<BOUND`), the bound with a unit
/// (`us`, `ms`, `s`). `mode` decides which latency is judged: end to end (live, pipeline) or
/// the producer's acknowledgement (produce).
pub fn parse(text: &str, mode: Mode) -> Result<Vec<SloClause>, String> {
    let prefix = match mode {
        Mode::Live | Mode::Pipeline => "latency",
        Mode::Produce => "ack_latency",
        Mode::Drain => {
            return Err("a drain run measures no latency: capacity needs --mode live, pipeline or produce (end-to-end or acknowledgement latency)".into())
        }
    };
    let mut clauses: Vec<SloClause> = Vec::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(format!(
                "`{text}`: an empty clause; write clauses like 'p99<20ms,p99.9<50ms'"
            ));
        }
        let clause = clause(part, prefix)?;
        if mode == Mode::Produce && clause.percentile == 90.0 {
            return Err(format!("`{part}`: produce runs record the acknowledgement's p50, p99, p99.9 and max, not p90"));
        }
        if clauses.iter().any(|c| c.percentile == clause.percentile) {
            return Err(format!(
                "`{text}`: two clauses on the same percentile: keep one"
            ));
        }
        clauses.push(clause);
    }
    Ok(clauses)
}

fn clause(part: &str, prefix: &str) -> Result<SloClause, String> {
    let bad = || {
        format!("`{part}`: write a clause as pQ<BOUND with a unit, e.g. 'p99<20ms', 'p99.9<50ms', 'max<1s'")
    };
    let (left, right) = part.split_once('<').ok_or_else(bad)?;
    let right = right.strip_prefix('=').unwrap_or(right).trim();
    let left = left.trim().to_ascii_lowercase();
    let percentile: f64 = match left.as_str() {
        "max" => 100.0,
        _ => left
            .strip_prefix('p')
            .ok_or_else(bad)?
            .parse()
            .map_err(|_| bad())?,
    };
    if !(percentile > 0.0 && percentile <= 100.0) {
        return Err(format!(
            "`{part}`: a percentile lies between 0 and 100 (p99, p99.9; max for 100)"
        ));
    }
    let Some((_, suffix)) = PERCENTILES.iter().find(|(p, _)| *p == percentile) else {
        return Err(format!(
            "`{part}`: kafkatune records p50, p90, p99, p99.9 and max of every run; choose one of those"
        ));
    };
    let below_ms = bound_ms(right).ok_or_else(bad)?;
    if !(below_ms > 0.0 && below_ms.is_finite()) {
        return Err(format!("`{part}`: the bound must be a positive latency"));
    }
    let name = if percentile == 100.0 {
        "max".to_string()
    } else {
        format!("p{}", trim_number(percentile))
    };
    Ok(SloClause {
        text: format!("{name}<{}ms", trim_number(below_ms)),
        percentile,
        below_ms,
        metric: format!("{prefix}_{suffix}_ms"),
    })
}

fn bound_ms(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "us" | "µs" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        _ => return None,
    };
    Some(value * factor)
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The records a step needs so that its highest percentile rests on at least ten records
/// beyond it: 1,000 for p99, 10,000 for p99.9 (the maximum: as p99.9).
pub fn min_records(clauses: &[SloClause]) -> u64 {
    clauses
        .iter()
        .map(|c| {
            let tail = (100.0 - c.percentile.min(99.9)) / 100.0;
            (10.0 / tail - 1e-6).ceil() as u64
        })
        .max()
        .unwrap_or(1000)
}

/// A record's value of a `RunRecord` field by name (the latency fields a clause reads).
fn field(record: &RunRecord, metric: &str) -> Option<f64> {
    serde_json::to_value(record)
        .ok()?
        .get(metric)
        .and_then(serde_json::Value::as_f64)
}

/// Judges one step's record against the service level: the achieved rate (at least
/// `min_achieved` of the offered one), the consumers keeping up, then every clause.
pub fn judge(
    record: &RunRecord,
    clauses: &[SloClause],
    offered: f64,
    min_achieved: f64,
    mode: Mode,
) -> Step {
    let achieved = match mode {
        Mode::Produce => record.throughput_msgs_per_s,
        _ => record.produce_rate_msgs_per_s,
    };
    let latencies: Vec<Option<f64>> = clauses.iter().map(|c| field(record, &c.metric)).collect();
    let mut breaches = Vec::new();
    if let Some(a) = achieved.filter(|a| *a < offered * min_achieved) {
        breaches.push(Breach::Achieved {
            achieved_msgs_per_s: a,
            offered_msgs_per_s: offered,
        });
    }
    let error = record.error.clone().unwrap_or_default();
    let timed_out = error.contains("timed out") || error.contains("time-out");
    if record.kept_up == Some(false) {
        breaches.push(Breach::FellBehind {
            detail: "the lag grew over the step".into(),
        });
    } else if record.status == Some(Status::Failed) && timed_out && mode != Mode::Produce {
        breaches.push(Breach::FellBehind {
            detail: format!("not every record was read in time: {error}"),
        });
    }
    // The clauses, worst first (measured against bound), so the binding one leads.
    let mut latency: Vec<(f64, Breach)> = clauses
        .iter()
        .zip(&latencies)
        .filter_map(|(c, v)| {
            v.filter(|v| *v >= c.below_ms).map(|v| {
                (
                    v / c.below_ms,
                    Breach::Latency {
                        clause: c.text.clone(),
                        measured_ms: v,
                        below_ms: c.below_ms,
                    },
                )
            })
        })
        .collect();
    latency.sort_by(|a, b| b.0.total_cmp(&a.0));
    breaches.extend(latency.into_iter().map(|(_, b)| b));
    let failed_otherwise = record.status == Some(Status::Failed) && breaches.is_empty();
    let unmeasured = breaches.is_empty() && latencies.iter().any(Option::is_none);
    if failed_otherwise || unmeasured {
        breaches.push(Breach::Error {
            detail: if error.is_empty() {
                "no latency was measured".into()
            } else {
                error
            },
        });
    }
    Step {
        run_index: record.run_index,
        offered_msgs_per_s: offered,
        achieved_msgs_per_s: achieved,
        passed: breaches.is_empty(),
        breaches,
        latencies_ms: latencies,
        latency_p50_ms: record.latency_p50_ms.or(record.ack_latency_p50_ms),
        latency_p99_ms: record.latency_p99_ms.or(record.ack_latency_p99_ms),
        latency_p999_ms: record.latency_p999_ms.or(record.ack_latency_p999_ms),
        kept_up: record.kept_up,
        host_cpu_busy: record.host_cpu_busy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_parse_with_their_units_and_fields() {
        let c = parse("p99<20ms, p99.9<50ms,max<1s", Mode::Live).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].metric, "latency_p99_ms");
        assert_eq!(c[0].below_ms, 20.0);
        assert_eq!(c[1].metric, "latency_p999_ms");
        assert_eq!(c[1].text, "p99.9<50ms");
        assert_eq!(c[2].below_ms, 1000.0);
        assert_eq!(c[2].metric, "latency_max_ms");
        let p = parse("p50<500us", Mode::Produce).unwrap();
        assert_eq!(p[0].metric, "ack_latency_p50_ms");
        assert_eq!(p[0].below_ms, 0.5);
        assert_eq!(min_records(&c), 10_000);
        assert_eq!(min_records(&parse("p99<5ms", Mode::Live).unwrap()), 1_000);
    }

    #[test]
    fn bad_clauses_say_what_to_write() {
        let err = |t: &str, m: Mode| parse(t, m).unwrap_err();
        assert!(err("p99<20ms", Mode::Drain).contains("no latency"));
        assert!(err("p99>20ms", Mode::Live).contains("pQ<BOUND"));
        assert!(err("p99<20", Mode::Live).contains("with a unit"));
        assert!(err("p101<20ms", Mode::Live).contains("between 0 and 100"));
        assert!(err("p95<20ms", Mode::Live).contains("p50, p90, p99, p99.9 and max"));
        assert!(err("p90<20ms", Mode::Produce).contains("not p90"));
        assert!(err("p99<20ms,p99<30ms", Mode::Live).contains("same percentile"));
        assert!(err("p99<0ms", Mode::Live).contains("positive"));
        assert!(err("p99<20ms,", Mode::Live).contains("empty clause"));
    }

    fn record(p99: f64, achieved: f64, kept_up: Option<bool>) -> RunRecord {
        RunRecord {
            status: Some(Status::Ok),
            latency_p99_ms: Some(p99),
            latency_p999_ms: Some(p99 * 3.0),
            produce_rate_msgs_per_s: Some(achieved),
            kept_up,
            ..Default::default()
        }
    }

    #[test]
    fn a_step_passes_only_when_rate_lag_and_every_clause_hold() {
        let slo = parse("p99<20ms,p99.9<50ms", Mode::Live).unwrap();
        let ok = judge(
            &record(10.0, 1000.0, Some(true)),
            &slo,
            1000.0,
            0.99,
            Mode::Live,
        );
        assert!(ok.passed, "{ok:?}");
        assert_eq!(ok.latencies_ms, vec![Some(10.0), Some(30.0)]);
        // p99.9 breaks further beyond its bound (66/50) than p99 (22/20): it binds.
        let slow = judge(
            &record(22.0, 1000.0, Some(true)),
            &slo,
            1000.0,
            0.99,
            Mode::Live,
        );
        assert!(!slow.passed);
        assert_eq!(slow.breaches.len(), 2);
        assert_eq!(slow.breaches[0].name(), "p99.9<50ms");
        let short = judge(
            &record(1.0, 985.0, Some(true)),
            &slo,
            1000.0,
            0.99,
            Mode::Live,
        );
        assert_eq!(short.breaches[0].name(), "rate");
        let behind = judge(
            &record(1.0, 1000.0, Some(false)),
            &slo,
            1000.0,
            0.99,
            Mode::Live,
        );
        assert_eq!(behind.breaches[0].name(), "lag");
        let mut failed = record(1.0, 1000.0, None);
        failed.status = Some(Status::Failed);
        failed.error = Some("the driver crashed".into());
        let failed = judge(&failed, &slo, 1000.0, 0.99, Mode::Live);
        assert_eq!(failed.breaches[0].name(), "error");
        assert!(failed.breaches[0].describe().contains("crashed"));
    }
}
