//! Whether two trials can be told apart: a two-sided Mann-Whitney U test of their runs.
//!
//! "Tied with the best" and "cannot be told apart" are read from this test, not from
//! overlapping intervals (two intervals can overlap when the runs differ clearly, and
//! intervals at 75% apart say little). The rank test makes no assumption about the shape of
//! the noise, like the tuner's elimination test (`tune::elimination`, one-sided: it asks a
//! question fixed before the runs). Here the best trial is picked by the same runs that are
//! tested, so the test is two-sided: a one-sided test against a winner chosen after the fact
//! would separate two identical trials twice as often as its level says.
//!
//! Few runs cannot separate anything: the smallest two-sided p of m runs against n is
//! `2 / C(m+n, m)` (every run of one beyond every run of the other), 0.1 at 3 runs each, so
//! 3 against 3 is never separated and 4 against 4 can be (2/70 = 0.029). The p-value is
//! exact for the run counts of a sweep ([`p_value`]); a pair whose run counts cannot reach
//! [`ALPHA`] is never separated, whatever an approximation would say.

use statrs::stats_tests::mannwhitneyu::{mannwhitneyu, MannWhitneyUMethod};
use statrs::stats_tests::Alternative;

/// The significance level two trials are told apart at.
pub const ALPHA: f64 = 0.05;

/// The smallest two-sided p-value a rank test of `m` runs against `n` can give.
pub fn smallest_p(m: usize, n: usize) -> f64 {
    if m == 0 || n == 0 {
        return 1.0;
    }
    // C(m+n, m) as a float: exact far beyond any run count a sweep makes.
    let ways = (1..=m.min(n)).fold(1.0, |c, i| c * (m + n - m.min(n) + i) as f64 / i as f64);
    (2.0 / ways).min(1.0)
}

/// Whether `m` runs against `n` are enough for the test to tell two trials apart at all.
pub fn can_separate(m: usize, n: usize) -> bool {
    smallest_p(m, n) <= ALPHA
}

/// The fewest runs each two trials need before the test can tell them apart (4).
pub fn runs_each_to_separate() -> usize {
    (1..).find(|&n| can_separate(n, n)).unwrap_or(usize::MAX)
}

/// The fewest runs a trial needs to be told apart from one with `m` runs; `None` when even
/// many runs are not enough (an `m` of 0).
pub fn runs_to_separate_from(m: usize) -> Option<usize> {
    (1..10_000).find(|&n| can_separate(m, n))
}

/// Pooled runs up to which the p-value is exact (counted over every split of the pooled
/// runs); beyond, the normal approximation is close and the count would be slow.
const EXACT_UP_TO: usize = 30;

/// The two-sided p-value that the runs of `a` and `b` come from one distribution; `None`
/// when either has no runs.
///
/// Exact up to [`EXACT_UP_TO`] pooled runs, tied values included: the rank sum of `a` (in
/// midranks) against its distribution over every way to split the pooled runs, counted by
/// dynamic programming. statrs 0.19.1's exact method is not used: it gives p = 0 for four
/// runs all beyond four others (the exact one-sided p is 1/70) and p = 1 two-sided.
/// Beyond, statrs' normal approximation (tie-corrected, continuity-corrected).
pub fn p_value(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a.len() + b.len() > EXACT_UP_TO {
        return mannwhitneyu(
            a,
            b,
            MannWhitneyUMethod::AsymptoticInclContinuityCorrection,
            Alternative::TwoSided,
        )
        .ok()
        .map(|(_, p)| p);
    }
    let (at_most, at_least) = exact_tails(a, b);
    Some((2.0 * at_most.min(at_least)).min(1.0))
}

/// The one-sided p-value that the runs of `a` tend to be smaller than those of `b`; `None`
/// when either has no runs.
///
/// The same exact count as [`p_value`] (one tail of it, not doubled) up to [`EXACT_UP_TO`]
/// pooled runs; beyond, statrs' normal approximation. For the tuner's elimination, whose
/// question ("is this candidate worse than the leader?") is asked in a fixed direction.
pub fn p_smaller(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a.len() + b.len() > EXACT_UP_TO {
        // Which of statrs' alternatives means "a smaller" is not relied on: the U of `a`
        // below its mean says a lies low, and then its p is the smaller of the two tails.
        let tail = |alt| {
            mannwhitneyu(
                a,
                b,
                MannWhitneyUMethod::AsymptoticInclContinuityCorrection,
                alt,
            )
            .ok()
        };
        let (u, p_greater) = tail(Alternative::Greater)?;
        let (_, p_less) = tail(Alternative::Less)?;
        let lies_low = u < (a.len() * b.len()) as f64 / 2.0;
        return Some(if lies_low {
            p_greater.min(p_less)
        } else {
            p_greater.max(p_less)
        });
    }
    Some(exact_tails(a, b).0.min(1.0))
}

/// The exact probabilities, over every split of the pooled runs, of a rank sum of `a` at
/// most and at least the one seen, with midranks for tied values (doubled, so they are
/// integers).
fn exact_tails(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|v| (*v, true))
        .chain(b.iter().map(|v| (*v, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = pooled.len();
    // Doubled midranks: a run of equal values at 1-based ranks i..=j gets i + j.
    let mut ranks = vec![0usize; n];
    let mut i = 0;
    while i < n {
        let j = (i..n)
            .take_while(|&k| pooled[k].0 == pooled[i].0)
            .last()
            .unwrap_or(i);
        ranks[i..=j].fill(i + 1 + j + 1);
        i = j + 1;
    }
    let observed: usize = (0..n).filter(|&k| pooled[k].1).map(|k| ranks[k]).sum();
    let m = a.len();
    let max_sum: usize = ranks.iter().sum();
    // ways[c][s]: subsets of c of the runs seen so far whose doubled ranks sum to s.
    let mut ways = vec![vec![0f64; max_sum + 1]; m + 1];
    ways[0][0] = 1.0;
    for &r in &ranks {
        for c in (1..=m).rev() {
            for s in (r..=max_sum).rev() {
                ways[c][s] += ways[c - 1][s - r];
            }
        }
    }
    let all: f64 = ways[m].iter().sum();
    let at_most: f64 = ways[m][..=observed].iter().sum();
    let at_least: f64 = ways[m][observed..].iter().sum();
    (at_most / all, at_least / all)
}

/// Whether the runs of `a` and `b` differ at [`ALPHA`] (two-sided), their counts allowing.
pub fn separated(a: &[f64], b: &[f64]) -> bool {
    can_separate(a.len(), b.len()) && p_value(a, b).is_some_and(|p| p <= ALPHA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn the_floor_of_the_p_value_by_runs() {
        assert!((smallest_p(3, 3) - 0.1).abs() < 1e-12);
        assert!((smallest_p(4, 4) - 2.0 / 70.0).abs() < 1e-12);
        assert!((smallest_p(3, 5) - 2.0 / 56.0).abs() < 1e-12);
        assert!((smallest_p(10, 10) - 2.0 / 184_756.0).abs() < 1e-15);
        assert_eq!(smallest_p(1, 1), 1.0);
        assert_eq!(smallest_p(0, 5), 1.0);
        assert!(!can_separate(3, 3) && !can_separate(3, 4) && can_separate(3, 5));
        assert_eq!(runs_each_to_separate(), 4);
        assert_eq!(runs_to_separate_from(3), Some(5));
        // 1 against n: 2/(n+1) <= 0.05 from 39 runs.
        assert_eq!(runs_to_separate_from(1), Some(39));
        assert_eq!(runs_to_separate_from(0), None);
    }

    #[test]
    fn exact_p_values_by_hand() {
        let close = |p: Option<f64>, want: f64| (p.unwrap() - want).abs() < 1e-12;
        // Four runs all beyond four: 2 x 1/70.
        assert!(close(
            p_value(&[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0]),
            2.0 / 70.0
        ));
        // One inversion: rank sums of a at most 11 in 2 of the 70 splits.
        assert!(close(
            p_value(&[1.0, 2.0, 3.0, 5.0], &[4.0, 6.0, 7.0, 8.0]),
            4.0 / 70.0
        ));
        assert!(close(p_value(&[1.0, 2.0, 3.0], &[5.0, 6.0, 7.0]), 0.1));
        // Ties: three 1s against three 2s is still the most extreme of 20 splits.
        assert!(close(p_value(&[1.0; 3], &[2.0; 3]), 0.1));
        assert!(close(p_value(&[5.0; 4], &[5.0; 4]), 1.0));
        assert_eq!(p_value(&[], &[1.0]), None);
    }

    #[test]
    fn one_sided_p_values_by_hand() {
        let close = |p: Option<f64>, want: f64| (p.unwrap() - want).abs() < 1e-12;
        // Three runs all below three: the most extreme of C(6, 3) = 20 splits.
        assert!(close(p_smaller(&[1.0, 2.0, 3.0], &[5.0, 6.0, 7.0]), 0.05));
        // The other direction: every split has a rank sum at most the largest.
        assert!(close(p_smaller(&[5.0, 6.0, 7.0], &[1.0, 2.0, 3.0]), 1.0));
        // One inversion of four against four: 2 of 70 splits.
        assert!(close(
            p_smaller(&[1.0, 2.0, 3.0, 5.0], &[4.0, 6.0, 7.0, 8.0]),
            2.0 / 70.0
        ));
        assert!(close(p_smaller(&[1.0; 3], &[2.0; 3]), 0.05));
        assert_eq!(p_smaller(&[1.0], &[]), None);
        // Beyond the exact count, the approximation still points the same way.
        let low: Vec<f64> = (0..20).map(f64::from).collect();
        let high: Vec<f64> = (100..120).map(f64::from).collect();
        assert!(p_smaller(&low, &high).unwrap() < 1e-6);
        assert!(p_smaller(&high, &low).unwrap() > 0.99);
    }

    #[test]
    fn apart_runs_separate_from_four_each_and_never_at_three() {
        let best = [100.0, 101.0, 99.0, 100.5];
        let worse = [50.0, 51.0, 49.0, 50.5];
        assert!(separated(&best, &worse) && separated(&worse, &best));
        assert!(!separated(&best[..3], &worse[..3]));
        assert!(!separated(&[1.0, 1.0, 1.0], &[2.0, 2.0, 2.0]));
        assert!(separated(&[1.0; 4], &[2.0; 4]));
        // Interleaved runs are not told apart.
        assert!(!separated(&[98.0, 102.0, 100.5, 99.5], &best));
        assert!(!separated(&[], &best));
    }

    /// A lognormal run with this median (sigma 0.3), by Box-Muller.
    fn lognormal(rng: &mut StdRng, median: f64) -> f64 {
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (0.3 * z).exp()
    }

    /// How often the best of two trials (by median, as the summary picks it) is told apart
    /// from the other, over `sweeps` simulated sweeps of `n` runs each.
    fn separation_rate(n: usize, other_median: f64, sweeps: usize, seed: u64) -> f64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut told = 0;
        for _ in 0..sweeps {
            let a: Vec<f64> = (0..n).map(|_| lognormal(&mut rng, 1.0)).collect();
            let b: Vec<f64> = (0..n).map(|_| lognormal(&mut rng, other_median)).collect();
            let (best, other) = if super::super::median(&a) >= super::super::median(&b) {
                (&a, &b)
            } else {
                (&b, &a)
            };
            told += usize::from(separated(best, other));
        }
        told as f64 / sweeps as f64
    }

    #[test]
    fn identical_trials_are_separated_at_most_alpha_of_the_time() {
        // 3,000 sweeps: one standard error is 0.4 points at 5%.
        for n in [3, 4, 5, 10, 20] {
            let rate = separation_rate(n, 1.0, 3000, 7 + n as u64);
            println!("identical, {n} runs each: separated {rate:.4}");
            assert!(rate <= ALPHA + 0.012, "{n} runs each: {rate}");
        }
    }

    #[test]
    fn clearly_different_trials_are_separated() {
        // Medians 1 and 2 at sigma 0.3: 2.3 sigma apart on the log scale.
        let rate = separation_rate(10, 2.0, 1000, 11);
        println!("median 2 against 1, 10 runs each: separated {rate:.4}");
        assert!(rate > 0.95, "{rate}");
        assert_eq!(separation_rate(3, 2.0, 200, 12), 0.0);
    }
}
