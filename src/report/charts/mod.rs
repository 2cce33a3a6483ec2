//! The report's charts, as SVG. Each kind of chart is one function from the loaded sweep to
//! zero or more charts; adding a chart is adding one function to [`CHARTS`].
//!
//! What a chart shows is computed by the pure functions of [`data`]; the other files only
//! draw. Text is written as SVG `<text>` in a generic font family, so no font file is needed.

pub mod data;
mod heatmap;
mod lines;
mod rows;
mod scaling;
mod scatter;
mod share;
pub mod standing;
pub mod style;

use anyhow::Result;

use super::analysis::{main_effects, Effect};
use super::format::metric_label;
use super::load::Sweep;
use super::tradeoffs;
use crate::results::Mode;

/// One chart: where it goes under `charts/`, what it shows, and its SVG.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File name under `DIR/charts/`, e.g. `heatmap-librdkafka-max.poll.records-500.svg`.
    pub file_name: String,
    pub title: String,
    pub svg: String,
}

/// A kind of chart: what it draws from a sweep (nothing when the sweep cannot show it).
pub type ChartFn = fn(&Sweep) -> Result<Vec<Chart>>;

/// Every kind of chart, in the order the report shows them.
pub const CHARTS: &[ChartFn] = &[
    heatmaps,
    effects,
    scaling,
    share_groups,
    spread,
    clients,
    latency_percentiles,
    tradeoff,
];

/// Every chart the sweep's data can show.
pub fn all(sweep: &Sweep) -> Result<Vec<Chart>> {
    let mut charts = Vec::new();
    for chart in CHARTS {
        charts.extend(chart(sweep)?);
    }
    Ok(charts)
}

fn chart(file_stem: &str, title: String, svg: String) -> Chart {
    let safe: String = file_stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Chart {
        file_name: format!("{safe}.svg"),
        title,
        svg,
    }
}

/// For each client and each value of the other swept properties, the primary metric over
/// the heatmap's two properties (`fetch.min.bytes` × `fetch.max.wait.ms` when swept).
fn heatmaps(sweep: &Sweep) -> Result<Vec<Chart>> {
    let (meta, summary) = (&sweep.meta, &sweep.summary);
    let metric = summary.primary_metric.as_str();
    let maps = data::heatmaps(meta, summary, metric);
    let mut charts = Vec::new();
    for map in &maps {
        let same_client = maps.iter().filter(|m| m.client == map.client);
        let scale = heatmap::Scale::spanning(same_client, summary.higher_is_better);
        let facet: Vec<String> = map.facet.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let title = match facet.is_empty() {
            true => format!("{}: {}", map.client, metric_label(metric)),
            false => format!(
                "{}, {}: {}",
                map.client,
                facet.join(", "),
                metric_label(metric)
            ),
        };
        let stem = format!("heatmap-{}-{}", map.client, facet.join("-"));
        charts.push(chart(
            stem.trim_end_matches('-'),
            title.clone(),
            heatmap::draw(map, &title, metric, scale)?,
        ));
    }
    Ok(charts)
}

/// For each swept property, the primary metric against its values, a panel per client.
fn effects(sweep: &Sweep) -> Result<Vec<Chart>> {
    let (meta, summary) = (&sweep.meta, &sweep.summary);
    let metric = summary.primary_metric.as_str();
    let all = main_effects(meta, summary);
    let pooled = super::pooled::pooled(sweep);
    let mut charts = Vec::new();
    // Consumers get a chart of their own, on a numeric axis: `scaling`.
    let swept = meta
        .grid
        .iter()
        .filter(|(p, v)| v.len() > 1 && p != crate::clients::properties::CONSUMERS);
    for (property, _) in swept {
        let effects: Vec<Effect> = all
            .iter()
            .filter(|e| &e.property == property)
            .cloned()
            .collect();
        if effects.is_empty() {
            continue;
        }
        let trial_medians: Vec<Vec<Vec<f64>>> = effects
            .iter()
            .map(|e| {
                e.levels
                    .iter()
                    .map(|l| {
                        summary
                            .trials
                            .iter()
                            .filter(|t| {
                                t.client == e.client && t.params.get(property) == Some(&l.value)
                            })
                            .filter_map(|t| t.metrics.get(metric).map(|s| s.median))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let title = format!(
            "{} against {property} (median of trials, interval)",
            metric_label(metric)
        );
        let captions: Vec<String> = effects
            .iter()
            .map(|e| effect_caption(&pooled, e, metric))
            .collect();
        let svg = lines::draw(&title, &effects, &trial_medians, &captions, metric)?;
        charts.push(chart(&format!("effect-{property}"), title, svg));
    }
    Ok(charts)
}

/// A panel's caption: the client and what the pooled test says about the property there.
fn effect_caption(pooled: &super::pooled::Pooled, effect: &Effect, metric: &str) -> String {
    let test = pooled
        .of(&effect.property)
        .into_iter()
        .find(|p| p.client == effect.client && p.metric == metric)
        .map(|p| p.test);
    match test {
        Some(t) if t.significant() => format!(
            "{} (pooled: {})",
            effect.client,
            super::effect_sentences::p_value(t.p)
        ),
        Some(t) => format!(
            "{} (no measurable difference, pooled {})",
            effect.client,
            super::effect_sentences::p_value(t.p)
        ),
        None => effect.client.clone(),
    }
}

/// Throughput against the number of consumers in one group, when `consumers` was swept.
fn scaling(sweep: &Sweep) -> Result<Vec<Chart>> {
    let all = super::scaling::series(&sweep.meta, &sweep.summary);
    if all.is_empty() {
        return Ok(vec![]);
    }
    let title = format!(
        "Scaling: {} against consumers in one group (dashed: linear)",
        metric_label(super::scaling::METRIC)
    );
    let partitions = super::scaling::partitions(&sweep.meta, &sweep.summary);
    let svg = scaling::draw(&title, &all, partitions)?;
    Ok(vec![chart("scaling-consumers", title, svg)])
}

/// A share group against a consumer group: throughput and latency against consumers.
fn share_groups(sweep: &Sweep) -> Result<Vec<Chart>> {
    let all = super::share::series(sweep);
    if !all.iter().any(|s| s.group_type == "share") {
        return Ok(vec![]);
    }
    let latency = super::share::latency_metric(sweep.meta.mode);
    let title = format!(
        "Share group and consumer group: throughput and {} against consumers (each count's best trial, interval)",
        if latency.end_to_end {
            "p99 end-to-end latency"
        } else {
            "average fetch latency"
        }
    );
    let partitions = super::scaling::partitions(&sweep.meta, &sweep.summary);
    let svg = share::draw(&title, &all, partitions, latency.axis)?;
    Ok(vec![chart("share-groups", title, svg)])
}

/// For each client, every run of every trial around its median and interval.
fn spread(sweep: &Sweep) -> Result<Vec<Chart>> {
    let metric = sweep.summary.primary_metric.as_str();
    let rows = data::run_spread(&sweep.meta, &sweep.summary, &sweep.records, metric);
    let mut charts = Vec::new();
    for client in &sweep.meta.clients {
        let mine: Vec<data::TrialRow> = rows
            .iter()
            .filter(|r| &r.client == client)
            .cloned()
            .collect();
        if mine.is_empty() {
            continue;
        }
        let title = format!(
            "{client}: {} of each run, best trial first",
            metric_label(metric)
        );
        let y_desc = format!(
            "trial: {}",
            crate::grid::varied(&sweep.meta.grid).join(" / ")
        );
        let svg = rows::draw_spread(&title, &y_desc, &mine, metric)?;
        charts.push(chart(&format!("runs-{client}"), title, svg));
    }
    Ok(charts)
}

/// The clients side by side, when several ran.
fn clients(sweep: &Sweep) -> Result<Vec<Chart>> {
    let summary = &sweep.summary;
    let metric = summary.primary_metric.as_str();
    let per_client = data::clients_side_by_side(summary, &sweep.meta.clients, metric);
    if per_client.is_empty() {
        return Ok(vec![]);
    }
    let title = format!(
        "Clients side by side: {} of every trial",
        metric_label(metric)
    );
    let svg = scatter::draw_clients(&title, &per_client, metric, summary.higher_is_better)?;
    Ok(vec![chart("clients", title, svg)])
}

/// Live mode: each trial's latency percentiles.
fn latency_percentiles(sweep: &Sweep) -> Result<Vec<Chart>> {
    let rows = data::latency_percentiles(&sweep.meta, &sweep.summary);
    if sweep.meta.mode != Mode::Live || rows.is_empty() {
        return Ok(vec![]);
    }
    let title =
        "End-to-end latency percentiles per trial (median of runs), best trial first".to_string();
    Ok(vec![chart(
        "latency-percentiles",
        title.clone(),
        rows::draw_percentiles(&title, &rows)?,
    )])
}

/// What each trial's gain cost (see [`tradeoffs`]): live latency against what it bought;
/// a producer's acknowledgement latency against its throughput, and its bytes on the wire
/// against its CPU, beside what the payload compresses to on its own.
fn tradeoff(sweep: &Sweep) -> Result<Vec<Chart>> {
    let mut charts = Vec::new();
    for t in tradeoffs::tradeoffs(&sweep.meta, &sweep.summary) {
        let references: Vec<(String, f64)> = match (&sweep.meta.payload, t.kind) {
            (Some(p), tradeoffs::Kind::Compression) => vec![
                (
                    format!("payload alone, lz4: {:.2}", p.lz4_ratio),
                    p.lz4_ratio,
                ),
                (
                    format!("payload alone, zstd: {:.2}", p.zstd_ratio),
                    p.zstd_ratio,
                ),
            ],
            _ => vec![],
        };
        let title = tradeoffs::title(&t);
        let svg = scatter::draw_tradeoff(&title, &t, &sweep.meta.clients, &references)?;
        charts.push(chart(t.file_stem(), title, svg));
    }
    Ok(charts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::{meta, summary, trial};

    /// Charts follow whatever the sweep varied, not only the lab's three properties.
    #[test]
    fn a_sweep_of_one_other_property_gets_lines_but_no_heatmap() {
        let t = "throughput_msgs_per_s";
        let meta = meta(
            Mode::Drain,
            &["librdkafka"],
            &[("max.partition.fetch.bytes", &["65536", "1048576"])],
        );
        let trials = vec![
            trial(
                "t1",
                "librdkafka",
                &[("max.partition.fetch.bytes", "65536")],
                &[(t, &[1.0e5, 1.1e5, 1.2e5])],
            ),
            trial(
                "t2",
                "librdkafka",
                &[("max.partition.fetch.bytes", "1048576")],
                &[(t, &[5.0e5, 5.1e5, 5.2e5])],
            ),
        ];
        let sweep = Sweep {
            dir: "/x".into(),
            meta,
            records: vec![],
            summary: summary(Mode::Drain, trials),
        };
        let names: Vec<String> = all(&sweep)
            .unwrap()
            .into_iter()
            .map(|c| c.file_name)
            .collect();
        assert_eq!(
            names,
            [
                "effect-max.partition.fetch.bytes.svg",
                "runs-librdkafka.svg"
            ]
        );
    }

    /// A producer grid gets its heatmap on linger.ms × compression.type and both trade-offs.
    #[test]
    fn a_produce_sweep_gets_heatmaps_effects_and_its_trade_offs() {
        let (t, ack, cpu, ratio) = (
            "throughput_msgs_per_s",
            "ack_latency_p99_ms",
            "cpu_s_per_million_msgs",
            "compression_ratio",
        );
        let meta = meta(
            Mode::Produce,
            &["librdkafka"],
            &[
                ("compression.type", &["none", "zstd"]),
                ("linger.ms", &["0", "5"]),
            ],
        );
        let mut trials = Vec::new();
        for (i, (codec, linger)) in [("none", "0"), ("none", "5"), ("zstd", "0"), ("zstd", "5")]
            .into_iter()
            .enumerate()
        {
            let v = (i + 1) as f64;
            trials.push(trial(
                &format!("t{}", i + 1),
                "librdkafka",
                &[("compression.type", codec), ("linger.ms", linger)],
                &[
                    (t, &[1e5 * v]),
                    (ack, &[v]),
                    (cpu, &[v]),
                    (ratio, &[1.0 / v]),
                ],
            ));
        }
        let sweep = Sweep {
            dir: "/x".into(),
            meta,
            records: vec![],
            summary: summary(Mode::Produce, trials),
        };
        let charts = all(&sweep).unwrap();
        let names: Vec<&str> = charts.iter().map(|c| c.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "heatmap-librdkafka.svg",
                "effect-compression.type.svg",
                "effect-linger.ms.svg",
                "runs-librdkafka.svg",
                "tradeoff-ack-latency.svg",
                "tradeoff-compression.svg"
            ]
        );
        // linger.ms across, compression.type up, though the grid gave them the other way;
        // both axes are named in the chart.
        let map = &data::heatmaps(&sweep.meta, &sweep.summary, t)[0];
        assert_eq!(
            (map.x_property.as_str(), map.y_property.as_str()),
            ("linger.ms", "compression.type")
        );
        assert!(charts[0].svg.contains("linger.ms") && charts[0].svg.contains("compression.type"));
    }

    #[test]
    fn svgs_carry_their_text_as_text() {
        let t = "throughput_msgs_per_s";
        let meta = meta(
            Mode::Drain,
            &["java"],
            &[
                ("fetch.min.bytes", &["1", "2"]),
                ("fetch.max.wait.ms", &["1", "2"]),
            ],
        );
        let trials = vec![trial(
            "t1",
            "java",
            &[("fetch.min.bytes", "1"), ("fetch.max.wait.ms", "2")],
            &[(t, &[1234.0])],
        )];
        let sweep = Sweep {
            dir: "/x".into(),
            meta,
            records: vec![],
            summary: summary(Mode::Drain, trials),
        };
        let heatmap = &heatmaps(&sweep).unwrap()[0];
        assert!(
            heatmap.svg.contains(">\n1234\n</text>") || heatmap.svg.contains(">1234</text>"),
            "{}",
            heatmap.svg
        );
        assert!(heatmap.svg.contains("not measured") && heatmap.svg.contains("fetch.max.wait.ms"));
        assert!(heatmap.svg.contains("font-family=\"sans-serif\""));
    }
}
