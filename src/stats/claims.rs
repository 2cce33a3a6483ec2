//! What the table and the report may claim of a sweep's intervals and ties: the level an
//! interval column holds, and the footnote on "tied with the best" and on too few runs.

use crate::results::{MetricSummary, SummaryFile};

use super::median_interval::{ci_name, level_text, RUNS_FOR_TARGET_LEVEL};
use super::ties::{can_separate, runs_each_to_separate, runs_to_separate_from, smallest_p, ALPHA};

/// The primary metric's summary of every ranked trial, best first.
fn ranked(summary: &SummaryFile) -> Vec<(&str, &MetricSummary)> {
    summary
        .trials
        .iter()
        .filter_map(|t| Some((t.trial_id.as_str(), t.metrics.get(&summary.primary_metric)?)))
        .collect()
}

/// The interval column's header: `75% CI` when every trial's interval of the primary metric
/// has that level, `CI (level)` when they differ and each cell says its own.
pub fn interval_header(summary: &SummaryFile) -> String {
    let ranked = ranked(summary);
    match super::common_level(ranked.iter().map(|(_, s)| *s)) {
        Some(level) => ci_name(level, ranked[0].1.n),
        None => "CI (level)".into(),
    }
}

/// Whether the interval cells must say their own level (the trials' levels differ).
pub fn levels_differ(summary: &SummaryFile) -> bool {
    let ranked = ranked(summary);
    !ranked.is_empty() && super::common_level(ranked.iter().map(|(_, s)| *s)).is_none()
}

/// One interval cell's level when [`levels_differ`]: ` (87.5%)`, or empty.
pub fn cell_level(summary: &SummaryFile, s: &MetricSummary) -> String {
    if !levels_differ(summary) {
        return String::new();
    }
    match s.ci_level > 0.0 {
        true => format!(" ({})", level_text(s.ci_level)),
        false => " (no interval)".into(),
    }
}

/// The footnote of the `=` marks: how many trials cannot be told from the best, and by
/// what test; `None` when no trial but the best is tied.
pub fn tied_note(summary: &SummaryFile) -> Option<String> {
    let tied = summary.trials.iter().filter(|t| t.tied_with_best).count();
    (tied > 1).then(|| format!(
        "{tied} trials (the best among them) cannot be told apart from the best: a two-sided Mann-Whitney U test of their runs against the best's does not separate them at p <= {ALPHA}"
    ))
}

/// The claims that need more runs than were made: trials no test could tell from the best
/// with so few runs (and how many would do), and intervals below 95% (and how many runs give
/// 95%). Empty when the runs were enough.
pub fn runs_notes(summary: &SummaryFile) -> Vec<String> {
    let ranked = ranked(summary);
    let Some((_, best)) = ranked.first() else {
        return Vec::new();
    };
    let mut notes = Vec::new();
    let unseparable: Vec<(&str, usize)> = ranked[1..]
        .iter()
        .filter(|(_, s)| !can_separate(best.n, s.n))
        .map(|(id, s)| (*id, s.n))
        .collect();
    let each = runs_each_to_separate();
    if unseparable.is_empty() {
        // Every trial could have been separated.
    } else if ranked.iter().all(|(_, s)| s.n == best.n) {
        notes.push(format!(
            "{n} runs each are too few for any test to tell two trials apart at p <= {ALPHA} (the smallest two-sided p of {n} runs against {n} is {p:.2}): no trial is shown behind the best on this evidence; {each} runs each can separate (--repeat {each})",
            n = best.n,
            p = smallest_p(best.n, best.n),
        ));
    } else {
        let needed = runs_to_separate_from(best.n).map_or_else(
            || "more runs of the best".to_string(),
            |k| format!("{k} runs against its {}, or {each} each", best.n),
        );
        let ids: Vec<String> = unseparable
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        notes.push(format!(
            "too few runs for any test to tell these trials from the best ({} runs) at p <= {ALPHA}: {}; a trial needs {needed}",
            best.n,
            ids.join(", ")
        ));
    }
    with_level_note(notes, &ranked)
}

/// Adds, when some interval is below 95%, how many runs a 95% one needs.
fn with_level_note(mut notes: Vec<String>, ranked: &[(&str, &MetricSummary)]) -> Vec<String> {
    if ranked
        .iter()
        .any(|(_, s)| s.ci_level < super::median_interval::TARGET_LEVEL)
    {
        notes.push(format!(
            "an interval of the median is [min, max] below {RUNS_FOR_TARGET_LEVEL} runs and holds the median with the level shown (3 runs: 75%); {RUNS_FOR_TARGET_LEVEL} runs give 95% (--repeat {RUNS_FOR_TARGET_LEVEL})"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::TrialSummary;

    fn summary(runs: &[&[f64]], tied: &[bool]) -> SummaryFile {
        let trials = runs
            .iter()
            .zip(tied)
            .enumerate()
            .map(|(i, (values, tied))| TrialSummary {
                schema_version: 3,
                trial_id: format!("t{}", i + 1),
                client: "c".into(),
                client_version: None,
                params: Default::default(),
                runs_ok: values.len(),
                runs_failed: 0,
                rank: Some(i + 1),
                tied_with_best: *tied,
                metrics: [("m".to_string(), super::super::summarize(values).unwrap())].into(),
                warnings: vec![],
            })
            .collect();
        SummaryFile {
            schema_version: 3,
            sweep_id: "s".into(),
            primary_metric: "m".into(),
            higher_is_better: true,
            trials,
            runs_missing: 0,
        }
    }

    #[test]
    fn three_runs_each_say_75_percent_and_that_nothing_can_be_separated() {
        let s = summary(&[&[10.0, 11.0, 12.0], &[1.0, 2.0, 3.0]], &[true, true]);
        assert_eq!(interval_header(&s), "75% CI");
        assert!(!levels_differ(&s));
        assert!(tied_note(&s)
            .unwrap()
            .starts_with("2 trials (the best among them) cannot be told apart"));
        let notes = runs_notes(&s);
        assert!(notes[0].starts_with("3 runs each are too few for any test to tell two trials apart at p <= 0.05 (the smallest two-sided p of 3 runs against 3 is 0.10)"), "{}", notes[0]);
        assert!(notes[0].ends_with("4 runs each can separate (--repeat 4)"));
        assert!(notes[1].contains("6 runs give 95%"));
    }

    #[test]
    fn mixed_runs_give_levels_per_cell_and_name_the_short_trials() {
        let six: &[f64] = &[10.0, 11.0, 12.0, 13.0, 14.0, 15.0];
        let s = summary(
            &[six, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0, 2.0]],
            &[true, false, true],
        );
        assert_eq!(interval_header(&s), "CI (level)");
        assert_eq!(cell_level(&s, &s.trials[2].metrics["m"]), " (50%)");
        let notes = runs_notes(&s);
        assert!(notes.iter().any(|n| n.contains("from the best (6 runs) at p <= 0.05: t3 (2); a trial needs 3 runs against its 6, or 4 each")), "{notes:?}");
    }

    #[test]
    fn enough_runs_need_no_caveat() {
        let six: &[f64] = &[10.0, 11.0, 12.0, 13.0, 14.0, 15.0];
        let s = summary(&[six, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], &[true, false]);
        assert_eq!(interval_header(&s), "96.9% CI");
        assert!(runs_notes(&s).is_empty());
        assert_eq!(tied_note(&s), None);
    }
}
