//! The distribution-free interval of a median: a pair of order statistics, with its exact level.
//!
//! With n runs of continuous noise, the k-th smallest and the k-th largest run hold the true
//! median between them unless k or more runs fall on the same side of it, so the interval
//! `[x(k), x(n+1-k)]` holds it with probability `1 - 2 P(Bin(n, 1/2) <= k-1)`, whatever the
//! shape of the noise. We take the largest k (the narrowest interval) whose level is still
//! at least [`TARGET_LEVEL`]. Below 6 runs no pair reaches 95%: the interval is then
//! `[min, max]` at its own level, `1 - 2 x 0.5^n` (3 runs: 75%, 4: 87.5%, 5: 93.75%), and the
//! level says so. Tied values (a discrete metric) only make the interval hold the median more
//! often. A percentile bootstrap of the median, used before, is `[min, max]` at 3 runs too,
//! but called it 95%.

use statrs::distribution::{Binomial, DiscreteCDF};

/// The level an interval aims at.
pub const TARGET_LEVEL: f64 = 0.95;

/// Fewest runs whose interval reaches [`TARGET_LEVEL`] (`1 - 2 x 0.5^6 = 96.9%`).
pub const RUNS_FOR_TARGET_LEVEL: usize = 6;

/// An interval of the median and the chance that it holds the true median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianInterval {
    pub low: f64,
    pub high: f64,
    /// A fraction: 0.75 for `[min, max]` of 3 runs; 0 for one run (a point is no interval).
    pub level: f64,
}

/// The rank k (1-based: the k-th smallest and the k-th largest run) of the interval of n
/// runs, and its level. `None` for no runs.
pub fn order_statistics(n: usize) -> Option<(usize, f64)> {
    if n == 0 {
        return None;
    }
    let level = |k: usize| (1.0 - 2.0 * at_most_below_median(n, k - 1)).max(0.0);
    let widest = (1, level(1));
    // The level falls as k grows; the last k still at the target is the narrowest valid pair.
    let chosen = (2..=n.div_ceil(2))
        .map(|k| (k, level(k)))
        .take_while(|(_, l)| *l >= TARGET_LEVEL)
        .last()
        .unwrap_or(widest);
    Some(chosen)
}

/// `P(Bin(n, 1/2) <= j)`: the chance that at most j of n runs fall below the median.
/// Counted exactly in integers while C(n, i) fits (n <= 120), so 3 runs give 0.75 exactly
/// rather than statrs' 0.7500000000000012; beyond, statrs' binomial.
fn at_most_below_median(n: usize, j: usize) -> f64 {
    if n <= 120 {
        let mut c: u128 = 1;
        let mut total: u128 = 0;
        for i in 0..=j.min(n) {
            total += c;
            c = c * (n - i) as u128 / (i + 1) as u128;
        }
        return total as f64 / 2f64.powi(n as i32);
    }
    Binomial::new(0.5, n as u64)
        .expect("p = 1/2 is a valid probability")
        .cdf(j as u64)
}

/// The interval of the median of `sorted` (ascending, NaN-free); `None` when empty.
pub fn of_sorted(sorted: &[f64]) -> Option<MedianInterval> {
    let n = sorted.len();
    let (k, level) = order_statistics(n)?;
    Some(MedianInterval {
        low: sorted[k - 1],
        high: sorted[n - k],
        level,
    })
}

/// A level as a reader sees it: `75%`, `87.5%`, `96.9%`.
pub fn level_text(level: f64) -> String {
    let percent = level * 100.0;
    if (percent - percent.round()).abs() < 0.05 {
        format!("{percent:.0}%")
    } else {
        format!("{percent:.1}%")
    }
}

/// What a reader calls an interval of `runs` runs at `level`: `75% CI`; `no interval` for
/// one run; `CI of unrecorded level` for a file written before levels were recorded.
pub fn ci_name(level: f64, runs: usize) -> String {
    match (level > 0.0, runs) {
        (true, _) => format!("{} CI", level_text(level)),
        (false, 0 | 1) => "no interval".into(),
        (false, _) => "CI of unrecorded level".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn levels_by_runs_are_the_binomial_ones() {
        let level = |n| order_statistics(n).unwrap();
        assert_eq!(order_statistics(0), None);
        assert_eq!(level(1), (1, 0.0));
        assert_eq!(level(2), (1, 0.5));
        assert_eq!(level(3), (1, 0.75));
        assert_eq!(level(4), (1, 0.875));
        assert_eq!(level(5), (1, 0.9375));
        let close = |(k, l): (usize, f64), (k2, l2): (usize, f64)| k == k2 && (l - l2).abs() < 1e-9;
        assert!(close(level(6), (1, 1.0 - 2.0 / 64.0)));
        // 9 runs: k = 2 holds 1 - 2 x 10/512 = 96.1%; k = 3 would be 82%.
        assert!(close(level(9), (2, 1.0 - 20.0 / 512.0)));
        // 10 runs: k = 2, 1 - 2 x 11/1024 = 97.85%; k = 3 would be 89.1%.
        assert!(close(level(10), (2, 1.0 - 22.0 / 1024.0)));
        // 20 runs: k = 6, P(Bin(20, 1/2) <= 5) = 21700/2^20.
        assert!(close(level(20), (6, 1.0 - 2.0 * 21700.0 / 1048576.0)));
        for n in RUNS_FOR_TARGET_LEVEL..200 {
            let (k, l) = level(n);
            assert!(l >= TARGET_LEVEL, "{n} runs: {l}");
            let next = 1.0 - 2.0 * Binomial::new(0.5, n as u64).unwrap().cdf(k as u64);
            assert!(
                next < TARGET_LEVEL,
                "{n} runs: k = {k} is not the narrowest"
            );
        }
    }

    #[test]
    fn bounds_are_the_chosen_order_statistics() {
        let sorted: Vec<f64> = (1..=10).map(f64::from).collect();
        let i = of_sorted(&sorted).unwrap();
        assert_eq!((i.low, i.high), (2.0, 9.0));
        let i = of_sorted(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!((i.low, i.high, i.level), (1.0, 3.0, 0.75));
        let i = of_sorted(&[4.0]).unwrap();
        assert_eq!((i.low, i.high, i.level), (4.0, 4.0, 0.0));
        assert_eq!(of_sorted(&[]), None);
    }

    #[test]
    fn levels_read_as_percentages() {
        assert_eq!(level_text(0.75), "75%");
        assert_eq!(level_text(0.875), "87.5%");
        assert_eq!(level_text(0.9375), "93.8%");
        assert_eq!(level_text(1.0 - 2.0 / 64.0), "96.9%");
        assert_eq!(ci_name(0.75, 3), "75% CI");
        assert_eq!(ci_name(0.0, 1), "no interval");
        assert_eq!(ci_name(0.0, 3), "CI of unrecorded level");
    }

    /// A lognormal run (median 1, sigma 0.5: skewed like benchmark noise), by Box-Muller.
    fn lognormal(rng: &mut StdRng) -> f64 {
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (0.5 * z).exp()
    }

    /// The coverage `docs/method.md` quotes: observed against stated, for each n.
    fn simulated_coverage(n: usize, trials: usize, seed: u64) -> (f64, f64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let true_median = 1.0;
        let mut held = 0;
        let mut level = 0.0;
        for _ in 0..trials {
            let mut runs: Vec<f64> = (0..n).map(|_| lognormal(&mut rng)).collect();
            runs.sort_by(f64::total_cmp);
            let i = of_sorted(&runs).unwrap();
            level = i.level;
            held += usize::from(i.low <= true_median && true_median <= i.high);
        }
        (held as f64 / trials as f64, level)
    }

    #[test]
    fn simulated_coverage_matches_the_stated_level() {
        // 4,000 trials: one standard error is at most 0.8 points, so 3 points is about 4.
        for n in [3, 5, 6, 10, 20] {
            let (observed, stated) = simulated_coverage(n, 4000, 20261207 + n as u64);
            println!("n = {n}: stated {stated:.4}, observed {observed:.4}");
            assert!(
                (observed - stated).abs() < 0.03,
                "{n} runs: the interval held the median {observed:.3} of the time, stated {stated:.3}"
            );
        }
    }
}
