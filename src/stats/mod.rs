//! Statistics of repeated runs: medians, bootstrap confidence intervals, variation.

pub mod effects;
pub mod offered;
pub mod precision;
pub mod summary;
pub mod warnings;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::results::MetricSummary;

/// Bootstrap resamples drawn for each interval: enough that the 2.5% and 97.5% percentiles
/// move by less than the rounding of a report when the seed changes.
const BOOTSTRAP_RESAMPLES: usize = 2000;

/// Median of the values (NaN-free input); `NaN` for an empty slice.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    median_of_sorted(&sorted)
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Summary of one metric over a trial's runs, with a 95% percentile-bootstrap interval of the
/// median drawn with a generator seeded by `seed` (so a report is reproducible).
///
/// Method: draw 2000 resamples of the values with replacement (`StdRng::seed_from_u64(seed)`),
/// take the median of each, and report the 2.5th and 97.5th percentiles of those medians
/// (linear interpolation between order statistics). The bootstrap makes no assumption about
/// the shape of the run-to-run noise, which for consumer benchmarks is often skewed (a run
/// that hit a GC pause or a busy neighbour is slow, never fast). With few runs the interval
/// can only span the observed values, so it is honest but coarse: below 3 runs it is not
/// meaningful (the summary warns). One value gives a zero-width interval at that value and a
/// CV of 0. `cv` is the sample standard deviation over the mean (0 when the mean is 0).
/// Returns `None` for no values.
pub fn summarize(values: &[f64], seed: u64) -> Option<MetricSummary> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    let (ci95_low, ci95_high) = bootstrap_median_interval(&sorted, seed);
    Some(MetricSummary {
        median: median_of_sorted(&sorted),
        mean,
        min: sorted[0],
        max: sorted[n - 1],
        ci95_low,
        ci95_high,
        cv: coefficient_of_variation(&sorted, mean),
        n,
    })
}

fn coefficient_of_variation(values: &[f64], mean: f64) -> f64 {
    let n = values.len();
    if n < 2 || mean == 0.0 {
        return 0.0;
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    variance.sqrt() / mean.abs()
}

fn bootstrap_median_interval(sorted: &[f64], seed: u64) -> (f64, f64) {
    if sorted.len() == 1 || sorted[0] == sorted[sorted.len() - 1] {
        return (sorted[0], sorted[0]);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut resample = vec![0.0; sorted.len()];
    let mut medians: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| {
            for slot in resample.iter_mut() {
                *slot = sorted[rng.random_range(0..sorted.len())];
            }
            resample.sort_by(f64::total_cmp);
            median_of_sorted(&resample)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    (percentile(&medians, 0.025), percentile(&medians, 0.975))
}

/// The `q` quantile (0..=1) of sorted values, interpolating between order statistics.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lower = pos.floor() as usize;
    let upper = pos.ceil() as usize;
    sorted[lower] + (sorted[upper] - sorted[lower]) * (pos - lower as f64)
}

/// Whether a summary's 95% interval lies within `precision` (a fraction, 0.05 for 5%) of
/// its median on both sides (`--repeat auto`); never below 3 values, where the bootstrap
/// interval is not meaningful.
pub fn within_precision(s: &MetricSummary, precision: f64) -> bool {
    let allowed = precision * s.median.abs();
    s.n >= warnings::MIN_RUNS_FOR_INTERVAL
        && s.ci95_high - s.median <= allowed
        && s.median - s.ci95_low <= allowed
}

/// Whether two summaries cannot be told apart: their 95% intervals overlap.
pub fn indistinguishable(a: &MetricSummary, b: &MetricSummary) -> bool {
    a.ci95_low <= b.ci95_high && b.ci95_low <= a.ci95_high
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn empty_has_no_summary() {
        assert_eq!(summarize(&[], 1), None);
    }

    #[test]
    fn one_value_gives_a_zero_width_interval() {
        let s = summarize(&[42.0], 1).unwrap();
        assert_eq!(
            (s.median, s.ci95_low, s.ci95_high, s.cv, s.n),
            (42.0, 42.0, 42.0, 0.0, 1)
        );
    }

    #[test]
    fn summary_fields() {
        let s = summarize(&[10.0, 12.0, 11.0, 9.0, 13.0], 7).unwrap();
        assert_eq!(
            (s.median, s.mean, s.min, s.max, s.n),
            (11.0, 11.0, 9.0, 13.0, 5)
        );
        // Sample standard deviation of 9..13 is sqrt(2.5).
        assert!((s.cv - 2.5f64.sqrt() / 11.0).abs() < 1e-12);
        assert!(s.ci95_low <= s.median && s.median <= s.ci95_high);
        assert!(s.ci95_low >= 9.0 && s.ci95_high <= 13.0);
        assert!(s.ci95_high > s.ci95_low);
    }

    #[test]
    fn interval_is_reproducible_for_a_seed() {
        let values = [5.0, 7.5, 6.1, 5.9, 8.2, 6.6, 7.0];
        assert_eq!(summarize(&values, 3), summarize(&values, 3));
    }

    #[test]
    fn interval_narrows_with_more_runs() {
        let few = [100.0, 90.0, 110.0];
        let many: Vec<f64> = (0..30).map(|i| [100.0, 90.0, 110.0][i % 3]).collect();
        let width = |s: MetricSummary| s.ci95_high - s.ci95_low;
        assert!(width(summarize(&many, 1).unwrap()) < width(summarize(&few, 1).unwrap()));
    }

    #[test]
    fn identical_values_have_no_spread() {
        let s = summarize(&[3.0, 3.0, 3.0], 1).unwrap();
        assert_eq!((s.ci95_low, s.ci95_high, s.cv), (3.0, 3.0, 0.0));
    }

    #[test]
    fn overlap_decides_indistinguishable() {
        let a = summarize(&[10.0, 11.0, 12.0], 1).unwrap();
        let b = summarize(&[11.5, 12.5, 13.0], 1).unwrap();
        let c = summarize(&[20.0, 21.0, 22.0], 1).unwrap();
        assert!(indistinguishable(&a, &b));
        assert!(!indistinguishable(&a, &c));
    }
}
