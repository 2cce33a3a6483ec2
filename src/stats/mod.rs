//! Statistics of repeated runs: medians, their order-statistic intervals, ties, variation.

pub mod claims;
pub mod effects;
pub mod median_interval;
pub mod offered;
pub mod precision;
pub mod summary;
pub mod ties;
pub mod warnings;

use crate::results::MetricSummary;

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

/// Summary of one metric over a trial's runs (in run order), with the distribution-free
/// interval of the median and its exact level ([`median_interval`]).
///
/// With few runs the interval is `[min, max]` and its level is below 95% (3 runs: 75%); one
/// value gives a zero-width interval at that value, at level 0, and a CV of 0. `cv` is the
/// sample standard deviation over the mean (0 when the mean is 0). The runs' values are kept
/// for the rank test of ties ([`ties`]). Returns `None` for no values.
pub fn summarize(values: &[f64]) -> Option<MetricSummary> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let interval = median_interval::of_sorted(&sorted)?;
    let n = sorted.len();
    let mean = sorted.iter().sum::<f64>() / n as f64;
    Some(MetricSummary {
        median: median_of_sorted(&sorted),
        mean,
        min: sorted[0],
        max: sorted[n - 1],
        ci_low: interval.low,
        ci_high: interval.high,
        ci_level: interval.level,
        cv: coefficient_of_variation(&sorted, mean),
        n,
        values: values.to_vec(),
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

/// Whether a summary's interval is a 95% one (6 runs or more) and lies within `precision`
/// (a fraction, 0.05 for 5%) of its median on both sides (`--repeat auto`).
pub fn within_precision(s: &MetricSummary, precision: f64) -> bool {
    let allowed = precision * s.median.abs();
    s.ci_level >= median_interval::TARGET_LEVEL
        && s.ci_high - s.median <= allowed
        && s.median - s.ci_low <= allowed
}

/// Whether two summaries cannot be told apart: the rank test of their runs ([`ties`]) does
/// not separate them at its level.
pub fn indistinguishable(a: &MetricSummary, b: &MetricSummary) -> bool {
    !ties::separated(&a.values, &b.values)
}

/// The level of every interval among `summaries` when they share one (`Some(0.75)` when
/// every trial had 3 runs), `None` when they differ or there are none.
pub fn common_level<'a>(summaries: impl IntoIterator<Item = &'a MetricSummary>) -> Option<f64> {
    let mut levels = summaries.into_iter().map(|s| s.ci_level);
    let first = levels.next()?;
    levels.all(|l| l == first).then_some(first)
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
        assert_eq!(summarize(&[]), None);
    }

    #[test]
    fn one_value_gives_a_zero_width_interval_at_level_zero() {
        let s = summarize(&[42.0]).unwrap();
        assert_eq!(
            (s.median, s.ci_low, s.ci_high, s.ci_level, s.cv, s.n),
            (42.0, 42.0, 42.0, 0.0, 0.0, 1)
        );
    }

    #[test]
    fn summary_fields() {
        let s = summarize(&[10.0, 12.0, 11.0, 9.0, 13.0]).unwrap();
        assert_eq!(
            (s.median, s.mean, s.min, s.max, s.n),
            (11.0, 11.0, 9.0, 13.0, 5)
        );
        // Sample standard deviation of 9..13 is sqrt(2.5).
        assert!((s.cv - 2.5f64.sqrt() / 11.0).abs() < 1e-12);
        // 5 runs reach no 95% pair: [min, max] at 1 - 2/32.
        assert_eq!((s.ci_low, s.ci_high, s.ci_level), (9.0, 13.0, 0.9375));
        assert_eq!(s.values, [10.0, 12.0, 11.0, 9.0, 13.0]);
    }

    #[test]
    fn interval_narrows_with_more_runs() {
        let few = [100.0, 90.0, 110.0, 95.0, 105.0, 92.0];
        let many: Vec<f64> = (0..30).map(|i| 90.0 + (i * 7 % 20) as f64).collect();
        let width = |s: MetricSummary| s.ci_high - s.ci_low;
        assert!(width(summarize(&many).unwrap()) < width(summarize(&few).unwrap()));
    }

    #[test]
    fn identical_values_have_no_spread() {
        let s = summarize(&[3.0, 3.0, 3.0]).unwrap();
        assert_eq!((s.ci_low, s.ci_high, s.cv), (3.0, 3.0, 0.0));
    }

    #[test]
    fn precision_needs_a_95_percent_interval() {
        let exact = |n: usize| summarize(&vec![5.0; n]).unwrap();
        assert!(!within_precision(&exact(5), 0.05));
        assert!(within_precision(&exact(6), 0.05));
        let spread = summarize(&[90.0, 95.0, 100.0, 100.0, 105.0, 110.0]).unwrap();
        assert!(!within_precision(&spread, 0.05) && within_precision(&spread, 0.1));
    }

    #[test]
    fn the_rank_test_decides_indistinguishable_not_overlap() {
        // The intervals [min, max] overlap (at 104-106), yet every run but one is apart.
        let a = summarize(&[100.0, 101.0, 102.0, 103.0, 104.0, 106.0]).unwrap();
        let b = summarize(&[105.0, 107.0, 108.0, 109.0, 110.0, 111.0]).unwrap();
        assert!(a.ci_high >= b.ci_low);
        assert!(!indistinguishable(&a, &b));
        let c = summarize(&[100.5, 101.5, 102.5, 103.5, 104.5, 105.5]).unwrap();
        assert!(indistinguishable(&a, &c));
        // 3 runs each: never told apart, however far.
        let d = summarize(&[10.0, 11.0, 12.0]).unwrap();
        let e = summarize(&[20.0, 21.0, 22.0]).unwrap();
        assert!(indistinguishable(&d, &e));
    }

    #[test]
    fn a_common_level_only_when_all_agree() {
        let three = summarize(&[1.0, 2.0, 3.0]).unwrap();
        let four = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(common_level([&three, &three]), Some(0.75));
        assert_eq!(common_level([&three, &four]), None);
        assert_eq!(common_level([]), None);
    }
}
