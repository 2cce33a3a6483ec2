//! `--repeat auto`: whether a trial's interval reached the precision asked for.

use crate::results::{AdaptiveMeta, RunRecord, Status, SummaryFile, SweepMeta};
use crate::stats::summary::METRICS;

/// Whether a trial's measured runs give a 95% interval of the median of `metric` (6 runs or
/// more) within `precision` (a fraction) of the median on both sides, the interval
/// summary.json gives. Failed and warm-up runs do not count.
pub fn precision_reached(runs: &[&RunRecord], metric: &str, precision: f64) -> bool {
    let Some(read) = METRICS
        .iter()
        .find(|(name, _)| *name == metric)
        .map(|(_, r)| r)
    else {
        return false;
    };
    let values: Vec<f64> = runs
        .iter()
        .filter(|r| !r.warmup && r.status != Some(Status::Failed))
        .filter_map(|r| read(r))
        .filter(|v| v.is_finite())
        .collect();
    super::summarize(&values).is_some_and(|s| super::within_precision(&s, precision))
}

/// For a `--repeat auto` sweep: how many trials reached the precision, and the ones that
/// did not with their runs, e.g. "precision 5%: 7 of 9 trials reached it; not: t003 (10
/// runs), t008 (10 runs)". `None` for any other sweep.
pub fn note(meta: &SweepMeta, summary: &SummaryFile) -> Option<String> {
    let Some(AdaptiveMeta::RepeatAuto {
        precision,
        max_runs,
        ..
    }) = &meta.adaptive
    else {
        return None;
    };
    let mut missed = Vec::new();
    let mut reached = 0;
    for t in &summary.trials {
        match t.metrics.get(&summary.primary_metric) {
            Some(s) if super::within_precision(s, *precision) => reached += 1,
            _ => missed.push(format!("{} ({} runs)", t.trial_id, t.runs_ok)),
        }
    }
    let mut text = format!(
        "precision {}%: {reached} of {} trials reached it (95% interval of the median {} within {}% of the median, at most {max_runs} runs)",
        precision * 100.0,
        summary.trials.len(),
        summary.primary_metric,
        precision * 100.0
    );
    if !missed.is_empty() {
        text.push_str(&format!("; not: {}", missed.join(", ")));
    }
    Some(text)
}
