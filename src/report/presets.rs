//! The lab's goal presets were guessed, not measured; where a sweep ran one, the report says
//! how it actually ranked.

use crate::results::{SummaryFile, TrialSummary};
use crate::stats::indistinguishable;

use super::format::with_unit;

/// The seed lab's presets: real-time, bulk load and balanced.
pub const LAB_PRESETS: [(&str, [(&str, &str); 3]); 3] = [
    (
        "real-time",
        [
            ("max.poll.records", "100"),
            ("fetch.min.bytes", "1024"),
            ("fetch.max.wait.ms", "100"),
        ],
    ),
    (
        "bulk load",
        [
            ("max.poll.records", "500"),
            ("fetch.min.bytes", "51200"),
            ("fetch.max.wait.ms", "1000"),
        ],
    ),
    (
        "balanced",
        [
            ("max.poll.records", "100"),
            ("fetch.min.bytes", "10240"),
            ("fetch.max.wait.ms", "500"),
        ],
    ),
];

/// One sentence per preset and client that the sweep measured: its rank among the client's
/// trials on the primary metric, and whether it is tied with the client's best.
pub fn lab_presets(summary: &SummaryFile) -> Vec<String> {
    let metric = summary.primary_metric.as_str();
    let mut out = Vec::new();
    for (name, settings) in LAB_PRESETS {
        let matches = |t: &TrialSummary| {
            settings
                .iter()
                .all(|(k, v)| t.params.get(*k).map(String::as_str) == Some(*v))
        };
        for trial in summary.trials.iter().filter(|t| matches(t)) {
            let Some(value) = trial.metrics.get(metric) else {
                continue;
            };
            // Trials come best first, so the client's ranked trials are in rank order.
            let ranked: Vec<&TrialSummary> = summary
                .trials
                .iter()
                .filter(|t| t.client == trial.client && t.metrics.contains_key(metric))
                .collect();
            let rank = ranked
                .iter()
                .position(|t| t.trial_id == trial.trial_id)
                .map_or(0, |i| i + 1);
            let best = &ranked[0].metrics[metric];
            let verdict = if rank == 1 {
                "the best".to_string()
            } else if indistinguishable(value, best) {
                "tied with the best".to_string()
            } else {
                format!("behind the best ({})", with_unit(best.median, metric))
            };
            let settings: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push(format!(
                "The lab's \"{name}\" guess ({}) ranked {rank} of {} {} trials: {}, {verdict}.",
                settings.join(", "),
                ranked.len(),
                trial.client,
                with_unit(value.median, metric)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{summary, trial};
    use crate::results::Mode;

    #[test]
    fn a_measured_preset_is_placed_among_its_clients_trials() {
        let t = "throughput_msgs_per_s";
        let bulk = [
            ("max.poll.records", "500"),
            ("fetch.min.bytes", "51200"),
            ("fetch.max.wait.ms", "1000"),
        ];
        let s = summary(
            Mode::Drain,
            vec![
                trial(
                    "t1",
                    "java",
                    &[("max.poll.records", "500")],
                    &[(t, &[200.0, 201.0, 202.0, 201.0])],
                ),
                trial("t2", "java", &bulk, &[(t, &[100.0, 101.0, 102.0, 101.0])]),
                trial("t3", "librdkafka", &bulk, &[(t, &[900.0, 901.0, 902.0])]),
            ],
        );
        assert_eq!(lab_presets(&s), [
            "The lab's \"bulk load\" guess (max.poll.records=500, fetch.min.bytes=51200, fetch.max.wait.ms=1000) ranked 2 of 2 java trials: 101 msg/s, behind the best (201 msg/s).",
            "The lab's \"bulk load\" guess (max.poll.records=500, fetch.min.bytes=51200, fetch.max.wait.ms=1000) ranked 1 of 1 librdkafka trials: 901 msg/s, the best.",
        ]);
    }
}
