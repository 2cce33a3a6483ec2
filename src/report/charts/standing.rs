//! How a heatmap cell stands against its client's best trial, so that colour follows the
//! evidence: a cell whose runs a rank test (`stats::ties`) cannot tell from the best one's is
//! tied with it.

use crate::results::{SummaryFile, TrialSummary};
use crate::stats::indistinguishable;

/// A measured cell's standing on the heatmap's metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The client's best trial (over every panel of the client).
    Best,
    /// A rank test of the runs does not tell it from the best trial: inside the noise.
    TiedWithBest,
    /// Worse than the best beyond the noise.
    Worse,
}

/// The standing of `trial` on `metric` among the trials of its client in `summary`.
pub fn standing(summary: &SummaryFile, trial: &TrialSummary, metric: &str) -> Option<Standing> {
    let mine = trial.metrics.get(metric)?;
    let best = summary
        .trials
        .iter()
        .filter(|t| t.client == trial.client)
        .filter_map(|t| t.metrics.get(metric).map(|s| (t, s)))
        .max_by(|(a, x), (b, y)| {
            let order = x.median.total_cmp(&y.median);
            let order = if summary.higher_is_better {
                order
            } else {
                order.reverse()
            };
            // The first trial by id wins a tie of medians, whichever the direction.
            order.then_with(|| b.trial_id.cmp(&a.trial_id))
        })?;
    Some(if best.0.trial_id == trial.trial_id {
        Standing::Best
    } else if indistinguishable(mine, best.1) {
        Standing::TiedWithBest
    } else {
        Standing::Worse
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{summary, trial};
    use crate::results::Mode;

    #[test]
    fn best_tied_and_worse_per_client() {
        let t = "throughput_msgs_per_s";
        let trials = vec![
            trial("t1", "a", &[], &[(t, &[100.0, 101.0, 102.0, 101.5])]),
            trial("t2", "a", &[], &[(t, &[90.0, 100.5, 110.0, 100.0])]),
            trial("t3", "a", &[], &[(t, &[50.0, 51.0, 52.0, 51.5])]),
            trial("t4", "b", &[], &[(t, &[10.0, 11.0, 12.0])]),
        ];
        let summary = summary(Mode::Drain, trials);
        let of = |i: usize| standing(&summary, &summary.trials[i], t);
        assert_eq!(of(0), Some(Standing::Best));
        assert_eq!(of(1), Some(Standing::TiedWithBest));
        assert_eq!(of(2), Some(Standing::Worse));
        assert_eq!(
            of(3),
            Some(Standing::Best),
            "another client has its own best"
        );
        assert_eq!(
            standing(&summary, &summary.trials[0], "latency_p99_ms"),
            None
        );
    }
}
