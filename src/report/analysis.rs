//! Main effects: how the primary metric moved with each swept property (for the charts),
//! and what each property did to the goal metrics, pooled over every run (for the text).

use crate::results::{SummaryFile, SweepMeta, TrialSummary};
use crate::stats::median;

use super::load::Sweep;
use super::pooled::pooled;

/// One value of a swept property, for one client: the median over the trials with that value
/// of their primary-metric medians, and the median of their interval bounds as its noise.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub value: String,
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub trials: usize,
}

/// The main effect of one swept property for one client.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub property: String,
    pub client: String,
    /// In the order the sweep gave the values; values with no measured trial are left out.
    pub levels: Vec<Level>,
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
            effects.push(Effect {
                property: property.clone(),
                client: client.clone(),
                levels,
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
        ci_low: of(|s| s.ci_low),
        ci_high: of(|s| s.ci_high),
        trials: summaries.len(),
    })
}

/// One finding per swept property, then one per measurable interaction: its pooled effects
/// ([`super::pooled`]) and a sentence saying what was measured and why, in Kafka's terms.
pub fn findings(sweep: &Sweep) -> Vec<Finding> {
    let (meta, summary) = (&sweep.meta, &sweep.summary);
    let effects = main_effects(meta, summary);
    let pooled = pooled(sweep);
    let mut out: Vec<Finding> = crate::grid::varied(&meta.grid)
        .into_iter()
        .map(|property| {
            let effects: Vec<Effect> = effects
                .iter()
                .filter(|e| e.property == property)
                .cloned()
                .collect();
            let sentence = match super::scaling::sentence(meta, summary) {
                Some(s) if property == crate::clients::properties::CONSUMERS => s,
                _ => super::effect_sentences::property(&property, &pooled.of(&property), meta.mode),
            };
            Finding {
                property,
                effects,
                sentence,
            }
        })
        .collect();
    // One finding per pair of properties, naming every metric and client it showed on.
    let significant: Vec<_> = pooled
        .interactions
        .iter()
        .filter(|i| i.test.significant())
        .collect();
    let mut pairs: Vec<&(String, String)> = Vec::new();
    for i in &significant {
        if !pairs.contains(&&i.properties) {
            pairs.push(&i.properties);
        }
    }
    for pair in pairs {
        let of_pair: Vec<_> = significant
            .iter()
            .copied()
            .filter(|i| &i.properties == pair)
            .collect();
        out.push(Finding {
            property: format!("{} × {}", pair.0, pair.1),
            effects: vec![],
            sentence: super::effect_sentences::interaction(&of_pair),
        });
    }
    out
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
