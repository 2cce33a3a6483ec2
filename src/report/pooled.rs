//! The swept properties' effects on each goal metric, pooled over every run: for each client
//! and metric, an n-way analysis of variance of the logarithm of the metric
//! ([`crate::stats::effects`]), so an effect is a ratio, estimated from all the runs at each
//! value with the other swept properties balanced out.

use crate::results::{Mode, RunRecord, Status};
use crate::stats::effects::{Anova, Contrast, FTest, Observation};
use crate::stats::median;
use crate::stats::summary::METRICS;

use super::load::Sweep;
use super::recommend::Goal;

/// One value of a property: its runs and their median, as measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRuns {
    pub value: String,
    pub runs: usize,
    pub median: f64,
}

/// The pooled effect of one property on one metric for one client.
#[derive(Debug, Clone, PartialEq)]
pub struct PooledEffect {
    pub property: String,
    pub client: String,
    pub metric: String,
    pub higher_is_better: bool,
    /// The F test of the property's main effect.
    pub test: FTest,
    /// The values with runs, in the sweep's order.
    pub values: Vec<ValueRuns>,
    /// The best and the worst value by the model (the other properties balanced out).
    pub best: String,
    pub worst: String,
    /// Best over worst as a ratio of the metric, `best / worst - 1`, with its 95% interval.
    pub change: Change,
}

/// A ratio between two values of a property, as a fraction (`0.3` = 30% more).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub estimate: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub p: f64,
}

impl Change {
    fn of(contrast: Contrast) -> Change {
        Change {
            estimate: contrast.estimate.exp_m1(),
            ci95_low: contrast.ci95_low.exp_m1(),
            ci95_high: contrast.ci95_high.exp_m1(),
            p: contrast.p,
        }
    }
}

/// A measurable two-way interaction on one metric for one client.
#[derive(Debug, Clone, PartialEq)]
pub struct PooledInteraction {
    pub properties: (String, String),
    pub client: String,
    pub metric: String,
    pub test: FTest,
}

/// Every pooled effect and every tested interaction of a sweep.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pooled {
    pub effects: Vec<PooledEffect>,
    pub interactions: Vec<PooledInteraction>,
}

impl Pooled {
    /// The effects of `property`, the goal metrics in the report's order, then by client.
    pub fn of(&self, property: &str) -> Vec<&PooledEffect> {
        self.effects
            .iter()
            .filter(|e| e.property == property)
            .collect()
    }
}

/// The metrics the report ranks for a mode (its goals'), each once, in the goals' order.
pub fn goal_metrics(mode: Mode) -> Vec<(&'static str, bool)> {
    let mut metrics: Vec<(&'static str, bool)> = Vec::new();
    for goal in Goal::for_mode(mode) {
        let metric = goal.metric();
        if !metrics.iter().any(|(m, _)| *m == metric.0) {
            metrics.push(metric);
        }
    }
    metrics
}

/// The pooled effects of every swept property on every goal metric that was measured.
pub fn pooled(sweep: &Sweep) -> Pooled {
    let swept = crate::grid::varied(&sweep.meta.grid);
    let values: Vec<&Vec<String>> = swept
        .iter()
        .filter_map(|p| sweep.meta.grid.iter().find(|(k, _)| k == p).map(|(_, v)| v))
        .collect();
    let level_counts: Vec<usize> = values.iter().map(|v| v.len()).collect();
    let mut out = Pooled::default();
    if swept.is_empty() {
        return out;
    }
    for (metric, higher_is_better) in goal_metrics(sweep.meta.mode) {
        let Some((_, read)) = METRICS.iter().find(|(name, _)| *name == metric) else {
            continue;
        };
        for client in &sweep.meta.clients {
            // (levels, raw value) of every measured run of this client.
            let runs: Vec<(Vec<usize>, f64)> = sweep
                .records
                .iter()
                .filter(|r| &r.client == client && measured(r))
                .filter_map(|r| {
                    let value = read(r).filter(|v| v.is_finite() && *v > 0.0)?;
                    let levels = swept
                        .iter()
                        .zip(&values)
                        .map(|(p, vs)| vs.iter().position(|v| Some(v) == r.params.get(p)))
                        .collect::<Option<Vec<usize>>>()?;
                    Some((levels, value))
                })
                .collect();
            let observations: Vec<Observation> = runs
                .iter()
                .map(|(levels, value)| Observation {
                    levels: levels.clone(),
                    value: value.ln(),
                })
                .collect();
            let Some(anova) = Anova::fit(&level_counts, &observations) else {
                continue;
            };
            for (f, property) in swept.iter().enumerate() {
                let Some(test) = anova.main_effects[f] else {
                    continue;
                };
                let measured: Vec<usize> = (0..level_counts[f])
                    .filter(|&l| anova.runs_per_level[f][l] > 0)
                    .collect();
                let effect = |l: &usize| anova.level_effect(f, *l).unwrap_or(f64::NAN);
                let by_effect = |a: &&usize, b: &&usize| effect(a).total_cmp(&effect(b));
                let (Some(&max), Some(&min)) = (
                    measured.iter().max_by(by_effect),
                    measured.iter().min_by(by_effect),
                ) else {
                    continue;
                };
                let (best, worst) = if higher_is_better {
                    (max, min)
                } else {
                    (min, max)
                };
                let Some(contrast) = anova.contrast(f, best, worst) else {
                    continue;
                };
                let value_runs = measured
                    .iter()
                    .map(|&l| {
                        let at: Vec<f64> = runs
                            .iter()
                            .filter(|(levels, _)| levels[f] == l)
                            .map(|(_, v)| *v)
                            .collect();
                        ValueRuns {
                            value: values[f][l].clone(),
                            runs: at.len(),
                            median: median(&at),
                        }
                    })
                    .collect();
                out.effects.push(PooledEffect {
                    property: property.clone(),
                    client: client.clone(),
                    metric: metric.to_string(),
                    higher_is_better,
                    test,
                    values: value_runs,
                    best: values[f][best].clone(),
                    worst: values[f][worst].clone(),
                    change: Change::of(contrast),
                });
            }
            for ((a, b), test) in &anova.interactions {
                out.interactions.push(PooledInteraction {
                    properties: (swept[*a].clone(), swept[*b].clone()),
                    client: client.clone(),
                    metric: metric.to_string(),
                    test: *test,
                });
            }
        }
    }
    out
}

/// A run that counts: not a warm-up, not failed.
fn measured(r: &RunRecord) -> bool {
    !r.warmup && r.status != Some(Status::Failed)
}

#[cfg(test)]
#[path = "pooled_tests.rs"]
mod tests;
