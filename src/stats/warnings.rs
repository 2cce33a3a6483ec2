//! Warnings about a trial's measurements, each with a concrete hint for the user.

use std::fmt;

/// Coefficient of variation above which a trial's runs are too noisy to rank.
pub const NOISY_CV: f64 = 0.10;

/// Fewest measured runs a trial has without a warning: below, its interval of the median
/// holds the median at most half the time (2 runs: 50%; 1 run: no interval at all).
pub const MIN_RUNS_FOR_INTERVAL: usize = 3;

/// Something the reader of a trial's numbers should know before trusting them.
#[derive(Debug, Clone, PartialEq)]
pub enum TrialWarning {
    /// The primary metric varied too much between runs to rank the trial.
    TooNoisy { cv: f64, runs: usize },
    /// Some runs failed; the summary covers the others.
    FailedRuns {
        failed: usize,
        total: usize,
        first_error: Option<String>,
    },
    /// Every run failed: there is nothing to summarize.
    NoMeasurement {
        failed: usize,
        first_error: Option<String>,
    },
    /// Too few runs for an interval that means anything (at most 50%).
    FewRuns { runs: usize },
    /// Group mode: these consumers (by index) got no partition and read nothing.
    IdleConsumers {
        consumers: Vec<u32>,
        partitions: usize,
    },
}

impl TrialWarning {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            TrialWarning::TooNoisy { runs, .. } => format!(
                "run with --repeat {} or more, close other programs",
                more_runs(*runs)
            ),
            TrialWarning::FailedRuns { .. } | TrialWarning::NoMeasurement { .. } => {
                "see the error of each run in results.jsonl".into()
            }
            TrialWarning::FewRuns { .. } => {
                "run with --repeat 6 or more (a 95% interval of the median needs 6 runs)".into()
            }
            TrialWarning::IdleConsumers { .. } => {
                "a partition is read by one consumer of a group: use at most as many consumers as partitions, or more --partitions".into()
            }
        }
    }
}

impl fmt::Display for TrialWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = |e: &Option<String>| match e {
            Some(e) => format!(" (first error: {})", first_line(e)),
            None => String::new(),
        };
        match self {
            TrialWarning::TooNoisy { cv, runs } => write!(
                f,
                "too noisy to rank: CV {:.0}% over {runs} runs",
                cv * 100.0
            )?,
            TrialWarning::FailedRuns {
                failed,
                total,
                first_error,
            } => write!(f, "{failed} of {total} runs failed{}", error(first_error))?,
            TrialWarning::NoMeasurement {
                failed,
                first_error,
            } => write!(f, "no run succeeded: {failed} failed{}", error(first_error))?,
            TrialWarning::FewRuns { runs: 1 } => {
                write!(f, "only 1 measured run: no interval of the median")?
            }
            TrialWarning::FewRuns { runs } => write!(
                f,
                "only {runs} measured runs: the interval of the median is a {} one",
                super::median_interval::order_statistics(*runs).map_or(
                    "0%".into(),
                    |(_, level)| super::median_interval::level_text(level)
                )
            )?,
            TrialWarning::IdleConsumers {
                consumers,
                partitions,
            } => {
                let names: Vec<String> = consumers.iter().map(|c| format!("#{c}")).collect();
                write!(
                    f,
                    "consumer{} {} got no partition of the {partitions} and read nothing",
                    if consumers.len() == 1 { "" } else { "s" },
                    names.join(", ")
                )?
            }
        }
        write!(f, "; {}", self.hint())
    }
}

/// The runs to suggest for a trial too noisy at `runs`: twice as many, and at least the 6 a
/// 95% interval of the median needs (a hint of fewer runs than were made said nothing).
pub fn more_runs(runs: usize) -> usize {
    (2 * runs).max(6)
}

/// Errors can carry a client's whole stack trace; a warning shows its first line.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_their_hint() {
        let noisy = TrialWarning::TooNoisy { cv: 0.14, runs: 3 };
        assert_eq!(
            noisy.to_string(),
            "too noisy to rank: CV 14% over 3 runs; run with --repeat 6 or more, close other programs"
        );
        let failed = TrialWarning::FailedRuns {
            failed: 1,
            total: 3,
            first_error: Some("timeout after 120 s\n  at stack".into()),
        };
        assert_eq!(
            failed.to_string(),
            "1 of 3 runs failed (first error: timeout after 120 s); see the error of each run in results.jsonl"
        );
        let idle = TrialWarning::IdleConsumers {
            consumers: vec![2],
            partitions: 2,
        };
        assert!(idle
            .to_string()
            .starts_with("consumer #2 got no partition of the 2 and read nothing; "));
        assert_eq!(
            TrialWarning::FewRuns { runs: 1 }.to_string(),
            "only 1 measured run: no interval of the median; run with --repeat 6 or more (a 95% interval of the median needs 6 runs)"
        );
        assert!(TrialWarning::FewRuns { runs: 2 }
            .to_string()
            .starts_with("only 2 measured runs: the interval of the median is a 50% one; "));
    }
}
