//! Statistics of repeated runs: medians, bootstrap confidence intervals, variation.

use crate::results::MetricSummary;

/// Median of the values (NaN-free input); `NaN` for an empty slice.
pub fn median(values: &[f64]) -> f64 {
    todo!("{values:?}")
}

/// Summary of one metric over a trial's runs, with a 95% percentile-bootstrap interval of the
/// median drawn with a generator seeded by `seed` (so a report is reproducible).
pub fn summarize(values: &[f64], seed: u64) -> Option<MetricSummary> {
    todo!("{values:?} {seed}")
}

/// Whether two summaries cannot be told apart: their 95% intervals overlap.
pub fn indistinguishable(a: &MetricSummary, b: &MetricSummary) -> bool {
    a.ci95_low <= b.ci95_high && b.ci95_low <= a.ci95_high
}
