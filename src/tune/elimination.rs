//! The elimination test of racing: is a candidate worse than the leader?
//!
//! A one-sided Mann-Whitney U test on the two candidates' runs of the goal metric, exact up to
//! 30 pooled runs, ties included (`stats::ties::p_smaller`, the same count as the two-sided
//! test of the report). statrs 0.19.1's exact method is not used: for 3 runs all below 3 it
//! gives p = 0 (checked: `Exact`, `Greater`), where the count gives 1/20 = 0.05. It makes no
//! assumption about the shape of the noise (benchmark noise is skewed: a busy neighbour
//! makes a run slow, never fast), and it cannot drop a candidate on one run: with 3 runs each
//! the smallest one-sided p-value is 1/20 = 0.05, with fewer it is larger than `ALPHA`.
//! Runs are not paired (each is a fresh process at its own time), so a rank-sum test rather
//! than Wilcoxon's signed-rank or Friedman's test over blocks.

use crate::stats::ties;

/// The significance level a candidate is dropped at.
pub const ALPHA: f64 = 0.05;

/// Runs each side needs before the test may drop anything.
pub const MIN_RUNS: usize = 3;

/// The one-sided p-value that `candidate`'s runs are worse than `leader`'s (lower when
/// `higher_is_better`, higher otherwise); `None` below `MIN_RUNS` runs on either side.
pub fn p_worse(candidate: &[f64], leader: &[f64], higher_is_better: bool) -> Option<f64> {
    if candidate.len() < MIN_RUNS || leader.len() < MIN_RUNS {
        return None;
    }
    if higher_is_better {
        ties::p_smaller(candidate, leader)
    } else {
        ties::p_smaller(leader, candidate)
    }
}

/// Whether the test says `candidate` is worse than `leader` at `ALPHA`.
pub fn worse(candidate: &[f64], leader: &[f64], higher_is_better: bool) -> Option<f64> {
    p_worse(candidate, leader, higher_is_better).filter(|p| *p <= ALPHA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_clearly_slower_runs_are_worse_two_are_never_enough() {
        let leader = [100.0, 101.0, 99.0];
        assert!(worse(&[50.0, 51.0, 49.0], &leader, true).is_some());
        assert!(worse(&[50.0, 51.0], &leader, true).is_none());
        assert!(worse(&[50.0], &[100.0], true).is_none());
        // Lower is better: the slow ones win.
        assert!(worse(&[50.0, 51.0, 49.0], &leader, false).is_none());
        assert!(worse(&leader, &[50.0, 51.0, 49.0], false).is_some());
        // Three all below three is the most extreme of 20 splits: exactly ALPHA, dropped.
        let p = p_worse(&[50.0, 51.0, 49.0], &leader, true).unwrap();
        assert!((p - 0.05).abs() < 1e-12, "{p}");
        // Tied values: midranks, still counted exactly.
        let p = p_worse(&[1.0, 1.0, 2.0], &[2.0, 3.0, 3.0], true).unwrap();
        assert!(p > ALPHA && p < 0.5, "{p}");
        // Overlapping runs are not told apart.
        assert!(worse(&[98.0, 102.0, 100.5], &leader, true).is_none());
    }
}
