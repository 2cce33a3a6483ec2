//! Sweeps at one offered rate (live runs, `--rate` in pipeline and produce runs): which trials
//! did not sustain it. They are ranked by latency like the others, but a latency measured
//! while falling behind is not the latency of that rate: the table and the report say so.

use crate::results::RunRecord;

/// A trial that fell short of the offered rate in at least one measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct FellBehind {
    pub trial_id: String,
    pub offered_msgs_per_s: f64,
    /// The lowest rate a run of it achieved (the producer's, or the consumers' when they
    /// were the ones that fell behind); `None` when only the lag said so.
    pub achieved_msgs_per_s: Option<f64>,
    pub runs_short: usize,
    pub runs: usize,
}

/// The trials whose runs did not all sustain their offered rate: achieved below
/// `min_ratio` of it, or a consumer whose lag grew.
pub fn fell_behind(records: &[RunRecord], min_ratio: f64) -> Vec<FellBehind> {
    let mut out: Vec<FellBehind> = Vec::new();
    for r in records.iter().filter(|r| !r.warmup) {
        let Some(offered) = r.offered_rate_msgs_per_s else {
            continue;
        };
        // A live or pipeline run's rate is its paced producer's (the consumers are judged by
        // their lag); a produce run's is the client's own.
        let achieved = r.produce_rate_msgs_per_s.or(r.throughput_msgs_per_s);
        let short = achieved.is_some_and(|a| a < offered * min_ratio) || r.kept_up == Some(false);
        let entry = match out.iter_mut().find(|f| f.trial_id == r.trial_id) {
            Some(e) => e,
            None => {
                out.push(FellBehind {
                    trial_id: r.trial_id.clone(),
                    offered_msgs_per_s: offered,
                    achieved_msgs_per_s: None,
                    runs_short: 0,
                    runs: 0,
                });
                out.last_mut().expect("just pushed")
            }
        };
        entry.runs += 1;
        if short {
            entry.runs_short += 1;
            if let Some(a) = achieved.filter(|a| *a < offered * min_ratio) {
                entry.achieved_msgs_per_s = Some(entry.achieved_msgs_per_s.map_or(a, |m| m.min(a)));
            }
        }
    }
    out.retain(|f| f.runs_short > 0);
    out
}

/// The note under a table of a sweep at one rate; `None` when every trial sustained it.
pub fn note(records: &[RunRecord], min_ratio: f64) -> Option<String> {
    let behind = fell_behind(records, min_ratio);
    let first = behind.first()?;
    let list: Vec<String> = behind
        .iter()
        .map(|f| {
            let what = f
                .achieved_msgs_per_s
                .map_or("its lag grew".to_string(), |a| {
                    format!("{a:.0} msg/s at worst")
                });
            format!(
                "{} ({what}; {} of {} runs)",
                f.trial_id, f.runs_short, f.runs
            )
        })
        .collect();
    Some(format!(
        "At {:.0} msg/s offered, trials rank by p99 latency; these did not sustain the rate (their latency is not that rate's): {}",
        first.offered_msgs_per_s,
        list.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(trial: &str, offered: f64, achieved: f64, kept_up: Option<bool>) -> RunRecord {
        RunRecord {
            trial_id: trial.into(),
            offered_rate_msgs_per_s: Some(offered),
            produce_rate_msgs_per_s: Some(achieved),
            kept_up,
            ..Default::default()
        }
    }

    #[test]
    fn trials_short_of_the_rate_or_behind_in_lag_are_named() {
        let records = [
            run("t001", 20_000.0, 19_990.0, Some(true)),
            run("t002", 20_000.0, 15_000.0, Some(true)),
            run("t002", 20_000.0, 19_999.0, Some(true)),
            run("t003", 20_000.0, 20_000.0, Some(false)),
        ];
        let note = note(&records, 0.99).unwrap();
        assert!(
            note.contains("t002 (15000 msg/s at worst; 1 of 2 runs)"),
            "{note}"
        );
        assert!(note.contains("t003 (its lag grew; 1 of 1 runs)"), "{note}");
        assert!(!note.contains("t001"));
        assert!(super::note(&records[..1], 0.99).is_none());
    }
}
