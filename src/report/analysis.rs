//! Main effects: how the primary metric moved with each swept property, and whether that
//! movement is larger than the noise.

use crate::results::{Mode, SummaryFile, SweepMeta, TrialSummary};
use crate::stats::median;

use super::format::{metric_unit, short};
use super::kafka_terms::mechanism;

/// One value of a swept property, for one client: the median over the trials with that value
/// of their primary-metric medians, and the median of their interval bounds as its noise.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub value: String,
    pub median: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub trials: usize,
}

/// The main effect of one swept property for one client.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub property: String,
    pub client: String,
    /// In the order the sweep gave the values; values with no measured trial are left out.
    pub levels: Vec<Level>,
    /// False when every level's interval overlaps every other's: no difference beyond noise.
    pub measurable: bool,
}

impl Effect {
    /// The best and the worst level on the metric.
    pub fn best_and_worst(&self, higher_is_better: bool) -> Option<(&Level, &Level)> {
        let by = |a: &&Level, b: &&Level| a.median.total_cmp(&b.median);
        let (max, min) = (
            self.levels.iter().max_by(by)?,
            self.levels.iter().min_by(by)?,
        );
        Some(if higher_is_better {
            (max, min)
        } else {
            (min, max)
        })
    }
}

/// What the analysis says about one property, over all clients.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub property: String,
    pub effects: Vec<Effect>,
    /// The measured outcome, then the mechanism in Kafka's terms.
    pub sentence: String,
}

/// The main effect of every swept property, for each client, on the primary metric.
pub fn main_effects(meta: &SweepMeta, summary: &SummaryFile) -> Vec<Effect> {
    let mut effects = Vec::new();
    for (property, values) in meta.grid.iter().filter(|(_, v)| v.len() > 1) {
        for client in &meta.clients {
            let trials: Vec<&TrialSummary> = summary
                .trials
                .iter()
                .filter(|t| &t.client == client)
                .collect();
            let levels: Vec<Level> = values
                .iter()
                .filter_map(|value| level(&trials, property, value, &summary.primary_metric))
                .collect();
            if levels.len() < 2 {
                continue;
            }
            let max_low = levels.iter().map(|l| l.ci95_low).fold(f64::MIN, f64::max);
            let min_high = levels.iter().map(|l| l.ci95_high).fold(f64::MAX, f64::min);
            effects.push(Effect {
                property: property.clone(),
                client: client.clone(),
                levels,
                measurable: max_low > min_high,
            });
        }
    }
    effects
}

fn level(trials: &[&TrialSummary], property: &str, value: &str, metric: &str) -> Option<Level> {
    let summaries: Vec<_> = trials
        .iter()
        .filter(|t| t.params.get(property).map(String::as_str) == Some(value))
        .filter_map(|t| t.metrics.get(metric))
        .collect();
    if summaries.is_empty() {
        return None;
    }
    let of = |f: fn(&crate::results::MetricSummary) -> f64| {
        median(&summaries.iter().map(|s| f(s)).collect::<Vec<_>>())
    };
    Some(Level {
        value: value.to_string(),
        median: of(|s| s.median),
        ci95_low: of(|s| s.ci95_low),
        ci95_high: of(|s| s.ci95_high),
        trials: summaries.len(),
    })
}

/// One finding per swept property: its effects and a sentence saying what was measured and
/// why, in Kafka's terms.
pub fn findings(meta: &SweepMeta, summary: &SummaryFile) -> Vec<Finding> {
    let effects = main_effects(meta, summary);
    crate::grid::varied(&meta.grid)
        .into_iter()
        .map(|property| {
            let effects: Vec<Effect> = effects
                .iter()
                .filter(|e| e.property == property)
                .cloned()
                .collect();
            let sentence = match super::scaling::sentence(meta, summary) {
                Some(s) if property == crate::clients::properties::CONSUMERS => s,
                _ => sentence(&property, &effects, meta.mode, summary),
            };
            Finding {
                property,
                effects,
                sentence,
            }
        })
        .collect()
}

fn sentence(property: &str, effects: &[Effect], mode: Mode, summary: &SummaryFile) -> String {
    let (metric, higher) = (summary.primary_metric.as_str(), summary.higher_is_better);
    if effects.is_empty() {
        return format!(
            "`{property}`: no trial measured two of its values, so nothing can be said."
        );
    }
    let unit = metric_unit(metric);
    let parts: Vec<String> = effects
        .iter()
        .filter_map(|e| {
            let (best, worst) = e.best_and_worst(higher)?;
            Some(if e.measurable {
                let change =
                    (best.median - worst.median).abs() / worst.median.abs().max(f64::MIN_POSITIVE);
                format!(
                    "{}: best at {} ({} {unit}), {:.0}% {} than at {} ({} {unit})",
                    e.client,
                    best.value,
                    short(best.median),
                    change * 100.0,
                    if higher { "higher" } else { "lower" },
                    worst.value,
                    short(worst.median)
                )
            } else {
                let (lo, hi) = (
                    short(worst.median.min(best.median)),
                    short(worst.median.max(best.median)),
                );
                if lo == hi {
                    format!("{}: {lo} {unit} at every value", e.client)
                } else {
                    format!("{}: {lo} to {hi} {unit}", e.client)
                }
            })
        })
        .collect();
    let measurable = effects.iter().any(|e| e.measurable);
    let outcome = if measurable {
        let which: Vec<&str> = effects
            .iter()
            .filter(|e| e.measurable)
            .map(|e| e.client.as_str())
            .collect();
        format!(
            "`{property}` made a measurable difference for {}",
            which.join(", ")
        )
    } else {
        format!("`{property}` made no measurable difference given the noise")
    };
    format!(
        "{outcome} ({}). {}",
        parts.join("; "),
        mechanism(property, mode, measurable)
    )
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
