//! What each chart shows, computed from the result files by pure functions; drawing is
//! elsewhere (`draw`), so these can be tested without pixels.

use std::collections::BTreeMap;

use crate::results::{RunRecord, Status, SummaryFile, SweepMeta, TrialSummary};

use super::standing::{standing, Standing};
use crate::report::format::swept_values;
use crate::report::kafka_terms::kafka_name;

/// A grid of one metric over two properties, for one client and one value of every other
/// swept property.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub client: String,
    /// The other swept properties and their values in this panel, e.g. `max.poll.records=500`.
    pub facet: Vec<(String, String)>,
    pub x_property: String,
    pub x_values: Vec<String>,
    pub y_property: String,
    pub y_values: Vec<String>,
    /// `cells[y][x]`: the trial's median, `None` where no trial was measured.
    pub cells: Vec<Vec<Option<f64>>>,
    /// `standing[y][x]`: the cell against the client's best trial, `None` where unmeasured.
    pub standing: Vec<Vec<Option<Standing>>>,
}

/// The pairs of properties worth a heatmap, most telling first, the x axis first: the pairs
/// that act on one mechanism together, so their interaction is what the grid shows.
const HEATMAP_PAIRS: &[(&str, &str)] = &[
    // The broker answers a fetch at `fetch.min.bytes` or after `fetch.max.wait.ms`.
    ("fetch.min.bytes", "fetch.max.wait.ms"),
    // A producer batch is sent when full (`batch.size`) or after `linger.ms`
    // (RecordAccumulator.ready); librdkafka also ends it at `batch.num.messages`.
    ("linger.ms", "batch.size"),
    ("linger.ms", "batch.num.messages"),
    // A batch is compressed whole, so longer lingering compresses better.
    ("linger.ms", "compression.type"),
    ("batch.size", "compression.type"),
    ("batch.num.messages", "compression.type"),
    // Bigger batches against the wait for the replicas.
    ("linger.ms", "acks"),
    ("batch.size", "acks"),
    ("compression.type", "acks"),
    // Batches per request against requests in flight.
    ("linger.ms", "max.in.flight.requests.per.connection"),
];

/// The two properties a heatmap spans: the first of [`HEATMAP_PAIRS`] that was swept (the
/// lab's `fetch.min.bytes` × `fetch.max.wait.ms`, a producer's `linger.ms` × `batch.size`
/// or × `compression.type`), else the first two swept properties. A client's own spelling
/// (`librdkafka.linger.ms`) counts as the property.
pub fn heatmap_axes(swept: &[String]) -> Option<(String, String)> {
    let find = |p: &str| swept.iter().find(|s| kafka_name(s) == p);
    for (x, y) in HEATMAP_PAIRS {
        if let (Some(x), Some(y)) = (find(x), find(y)) {
            return Some((x.clone(), y.clone()));
        }
    }
    match swept {
        [x, y, ..] => Some((x.clone(), y.clone())),
        _ => None,
    }
}

/// One heatmap of `metric` per client and per combination of the other swept properties.
pub fn heatmaps(meta: &SweepMeta, summary: &SummaryFile, metric: &str) -> Vec<Heatmap> {
    let swept = crate::grid::varied(&meta.grid);
    let Some((x, y)) = heatmap_axes(&swept) else {
        return vec![];
    };
    let values = |p: &str| -> Vec<String> {
        meta.grid
            .iter()
            .find(|(k, _)| k == p)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let facet_props: Vec<String> = swept
        .iter()
        .filter(|p| **p != x && **p != y)
        .cloned()
        .collect();
    let mut facets: Vec<Vec<(String, String)>> = vec![vec![]];
    for p in &facet_props {
        facets = facets
            .into_iter()
            .flat_map(|f| {
                values(p)
                    .into_iter()
                    .map(move |v| [f.clone(), vec![(p.clone(), v)]].concat())
            })
            .collect();
    }
    let (x_values, y_values) = (values(&x), values(&y));
    let mut maps = Vec::new();
    for client in &meta.clients {
        for facet in &facets {
            let find = |xv: &str, yv: &str| {
                summary.trials.iter().find(|t| {
                    &t.client == client
                        && has_param(t, &x, xv)
                        && has_param(t, &y, yv)
                        && facet.iter().all(|(k, v)| has_param(t, k, v))
                })
            };
            let cells: Vec<Vec<Option<f64>>> = y_values
                .iter()
                .map(|yv| {
                    x_values
                        .iter()
                        .map(|xv| find(xv, yv).and_then(|t| median_of(t, metric)))
                        .collect()
                })
                .collect();
            if cells.iter().flatten().all(Option::is_none) {
                continue;
            }
            let standing = y_values
                .iter()
                .map(|yv| {
                    x_values
                        .iter()
                        .map(|xv| find(xv, yv).and_then(|t| standing(summary, t, metric)))
                        .collect()
                })
                .collect();
            maps.push(Heatmap {
                client: client.clone(),
                facet: facet.clone(),
                x_property: x.clone(),
                x_values: x_values.clone(),
                y_property: y.clone(),
                y_values: y_values.clone(),
                cells,
                standing,
            });
        }
    }
    maps
}

fn has_param(t: &TrialSummary, key: &str, value: &str) -> bool {
    t.params.get(key).map(String::as_str) == Some(value)
}

fn median_of(t: &TrialSummary, metric: &str) -> Option<f64> {
    t.metrics.get(metric).map(|s| s.median)
}

/// One row of a per-trial chart: a trial's label and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRow {
    pub client: String,
    /// `t07 500/1024/100`: see [`trial_label`].
    pub label: String,
    pub median: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Every measured run's value, in run order.
    pub runs: Vec<f64>,
}

/// The label of a trial in charts: `t07 500/1024/100` (id, then the swept values in the
/// sweep's order), with the client after the id when the chart mixes clients.
pub fn trial_label(meta: &SweepMeta, t: &TrialSummary, with_client: bool) -> String {
    let swept = crate::grid::varied(&meta.grid);
    let mut label = t.trial_id.clone();
    if with_client {
        label = format!("{label} {}", t.client);
    }
    if !swept.is_empty() {
        label = format!("{label} {}", swept_values(&t.params, &swept));
    }
    label
}

/// Every ranked trial, best first, with the runs behind its median of `metric`.
pub fn run_spread(
    meta: &SweepMeta,
    summary: &SummaryFile,
    records: &[RunRecord],
    metric: &str,
) -> Vec<TrialRow> {
    let read = crate::stats::summary::METRICS
        .iter()
        .find(|(name, _)| *name == metric)
        .map(|m| m.1);
    let Some(read) = read else { return vec![] };
    let mut runs: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in records
        .iter()
        .filter(|r| !r.warmup && r.status != Some(Status::Failed))
    {
        if let Some(v) = read(r) {
            runs.entry(r.trial_id.as_str()).or_default().push(v);
        }
    }
    summary
        .trials
        .iter()
        .filter_map(|t| {
            let s = t.metrics.get(metric)?;
            Some(TrialRow {
                client: t.client.clone(),
                label: trial_label(meta, t, false),
                median: s.median,
                ci_low: s.ci_low,
                ci_high: s.ci_high,
                runs: runs.get(t.trial_id.as_str()).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

/// Per client, the median of `metric` of each of its trials, best first; empty unless two
/// clients or more were measured.
pub fn clients_side_by_side(
    summary: &SummaryFile,
    clients: &[String],
    metric: &str,
) -> Vec<(String, Vec<f64>)> {
    let per_client: Vec<(String, Vec<f64>)> = clients
        .iter()
        .map(|c| {
            let medians = summary
                .trials
                .iter()
                .filter(|t| &t.client == c)
                .filter_map(|t| median_of(t, metric))
                .collect();
            (c.clone(), medians)
        })
        .filter(|(_, m): &(String, Vec<f64>)| !m.is_empty())
        .collect();
    if per_client.len() < 2 {
        vec![]
    } else {
        per_client
    }
}

/// Latency percentiles drawn per trial, with their labels.
pub const PERCENTILES: &[(&str, &str)] = &[
    ("latency_p50_ms", "p50"),
    ("latency_p90_ms", "p90"),
    ("latency_p99_ms", "p99"),
    ("latency_p999_ms", "p99.9"),
];

/// Per ranked trial, the medians of its latency percentiles (`None` where not measured).
pub fn latency_percentiles(
    meta: &SweepMeta,
    summary: &SummaryFile,
) -> Vec<(String, Vec<Option<f64>>)> {
    summary
        .trials
        .iter()
        .map(|t| {
            (
                trial_label(meta, t, true),
                PERCENTILES
                    .iter()
                    .map(|(m, _)| median_of(t, m))
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, ps)| ps.iter().any(Option::is_some))
        .collect()
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;
