//! What a trial's gain on one metric costs on another: one point per trial on two metrics,
//! the Pareto front (the trials no other trial beats on both), and the sentences naming it.
//!
//! Live sweeps set p99 end-to-end latency against what it bought; produce sweeps set p99
//! acknowledgement latency against throughput, and the bytes on the wire against the CPU
//! that compression costs. Charts draw these (`charts::scatter`); the report names the front.

use crate::results::{Mode, SummaryFile, SweepMeta, TrialSummary};
use crate::stats::median;

use super::format::{metric_label, short, significant, swept_params, with_unit};

/// One axis of a trade-off: a metric and which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Axis {
    pub metric: &'static str,
    pub higher_is_better: bool,
}

/// One trial on a trade-off chart (medians of its runs).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub client: String,
    pub trial_id: String,
    /// What the chart writes beside the point: the trial id, and the codec where swept.
    pub label: String,
    /// How a sentence names the trial: `` `t01` librdkafka (linger.ms=0) ``.
    pub described: String,
    /// Its `compression.type`, when it set one.
    pub codec: Option<String>,
    /// Medians of the trial's runs.
    pub x: f64,
    pub y: f64,
    /// The intervals of those medians, `(low, high)`, at their own levels.
    pub x_interval: (f64, f64),
    pub y_interval: (f64, f64),
    /// No other trial is as good on both axes and better on one (see [`pareto_front`]).
    pub on_front: bool,
}

/// The kinds of trade-off the report knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Live: p99 end-to-end latency (x) against [`live_metric`] (y).
    EndToEnd,
    /// Produce: throughput (x) against p99 acknowledgement latency (y).
    Acknowledgement,
    /// Produce: CPU per million messages (x) against wire bytes per payload byte (y).
    Compression,
}

/// One trade-off chart's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Tradeoff {
    pub kind: Kind,
    pub x: Axis,
    pub y: Axis,
    pub points: Vec<Point>,
}

impl Tradeoff {
    /// The chart's file stem under `charts/`.
    pub fn file_stem(&self) -> &'static str {
        match self.kind {
            Kind::EndToEnd => "tradeoff-latency",
            Kind::Acknowledgement => "tradeoff-ack-latency",
            Kind::Compression => "tradeoff-compression",
        }
    }

    /// The points on the front, from the best on y to the best on x.
    pub fn front(&self) -> Vec<&Point> {
        let mut front: Vec<&Point> = self.points.iter().filter(|p| p.on_front).collect();
        let y_order = |a: &&Point, b: &&Point| {
            let o = a.y.total_cmp(&b.y);
            if self.y.higher_is_better {
                o.reverse()
            } else {
                o
            }
        };
        front.sort_by(|a, b| y_order(a, b).then_with(|| a.trial_id.cmp(&b.trial_id)));
        front
    }
}

/// Every trade-off the sweep's data can show, each with at least two trials measuring both
/// of its metrics.
pub fn tradeoffs(meta: &SweepMeta, summary: &SummaryFile) -> Vec<Tradeoff> {
    // By what the runs measured, not by mode: every sweep that measures end-to-end latency
    // (live, and any later mode with a consumer behind a producer) gets its trade-off.
    let pairs: Vec<(Kind, Axis, Axis)> = if meta.mode == Mode::Produce {
        vec![
            (
                Kind::Acknowledgement,
                higher("throughput_msgs_per_s"),
                lower("ack_latency_p99_ms"),
            ),
            (
                Kind::Compression,
                lower("cpu_s_per_million_msgs"),
                lower("compression_ratio"),
            ),
        ]
    } else {
        live_metric(summary)
            .map(|y| (Kind::EndToEnd, lower("latency_p99_ms"), y))
            .into_iter()
            .collect()
    };
    pairs
        .into_iter()
        .map(|(kind, x, y)| Tradeoff {
            kind,
            x,
            y,
            points: points(meta, summary, kind, x, y),
        })
        .filter(|t| t.points.len() >= 2)
        .collect()
}

fn higher(metric: &'static str) -> Axis {
    Axis {
        metric,
        higher_is_better: true,
    }
}

fn lower(metric: &'static str) -> Axis {
    Axis {
        metric,
        higher_is_better: false,
    }
}

/// What live latency is traded against. Throughput when it varied across trials (more than
/// 10%: several rates, or consumers that fell behind); with a paced producer it is the rate
/// for every trial and says nothing, so then what the latency costs: CPU per message, or the
/// fetch rate the broker serves (fewer is better for both).
pub fn live_metric(summary: &SummaryFile) -> Option<Axis> {
    let medians = |m: &str| {
        summary
            .trials
            .iter()
            .filter_map(|t| median_of(t, m))
            .collect::<Vec<f64>>()
    };
    let throughput = medians("throughput_msgs_per_s");
    let (lo, hi) = throughput
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if !throughput.is_empty() && hi > 0.0 && (hi - lo) / hi > 0.10 {
        return Some(higher("throughput_msgs_per_s"));
    }
    [
        lower("cpu_s_per_million_msgs"),
        lower("fetch_requests_per_s"),
        higher("throughput_msgs_per_s"),
    ]
    .into_iter()
    .find(|a| !medians(a.metric).is_empty())
}

fn median_of(t: &TrialSummary, metric: &str) -> Option<f64> {
    t.metrics.get(metric).map(|s| s.median)
}

/// Every trial measuring both metrics, its front membership decided.
fn points(meta: &SweepMeta, summary: &SummaryFile, kind: Kind, x: Axis, y: Axis) -> Vec<Point> {
    let swept = crate::grid::varied(&meta.grid);
    let codec_swept = swept.iter().any(|p| p == COMPRESSION);
    let mut points: Vec<Point> = summary
        .trials
        .iter()
        .filter_map(|t| {
            let label = match t.params.get(COMPRESSION) {
                Some(codec) if kind == Kind::Compression && codec_swept => {
                    format!("{} {codec}", t.trial_id)
                }
                _ => t.trial_id.clone(),
            };
            let (x, y) = (t.metrics.get(x.metric)?, t.metrics.get(y.metric)?);
            Some(Point {
                client: t.client.clone(),
                trial_id: t.trial_id.clone(),
                label,
                described: format!(
                    "`{}` {} ({})",
                    t.trial_id,
                    t.client,
                    swept_params(&t.params, &swept)
                ),
                codec: t.params.get(COMPRESSION).cloned(),
                x: x.median,
                y: y.median,
                x_interval: (x.ci_low, x.ci_high),
                y_interval: (y.ci_low, y.ci_high),
                on_front: false,
            })
        })
        .collect();
    let front = pareto_front(&points, x, y);
    for (p, on) in points.iter_mut().zip(front) {
        p.on_front = on;
    }
    points
}

const COMPRESSION: &str = "compression.type";

/// Which points are on the Pareto front: those no other point dominates. One point dominates
/// another when it is as good on both axes and better on one, told apart as the ranking is:
/// better means a better median with the intervals of the medians apart, and overlapping are
/// as good. So a trial does not leave the front for a difference within the noise.
pub fn pareto_front(points: &[Point], x: Axis, y: Axis) -> Vec<bool> {
    let front = front_by(points, x, y, true);
    // Ties that are not transitive must not leave the front empty: then medians decide.
    if front.iter().any(|on| *on) || points.is_empty() {
        front
    } else {
        front_by(points, x, y, false)
    }
}

fn front_by(points: &[Point], x: Axis, y: Axis, with_noise: bool) -> Vec<bool> {
    let side = |a: f64, a_ci: (f64, f64), b: f64, b_ci: (f64, f64), higher: bool| {
        let (a_ci, b_ci) = if with_noise {
            (a_ci, b_ci)
        } else {
            ((a, a), (b, b))
        };
        compare(a, a_ci, b, b_ci, higher)
    };
    let dominates = |q: &Point, p: &Point| {
        let on_x = side(q.x, q.x_interval, p.x, p.x_interval, x.higher_is_better);
        let on_y = side(q.y, q.y_interval, p.y, p.y_interval, y.higher_is_better);
        on_x != Side::Worse && on_y != Side::Worse && (on_x == Side::Better || on_y == Side::Better)
    };
    points
        .iter()
        .map(|p| !points.iter().any(|q| dominates(q, p)))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Better,
    Tied,
    Worse,
}

/// `a` against `b`: tied when their intervals overlap, else by their medians.
fn compare(a: f64, a_ci: (f64, f64), b: f64, b_ci: (f64, f64), higher_is_better: bool) -> Side {
    if a_ci.0 <= b_ci.1 && b_ci.0 <= a_ci.1 || a == b {
        return Side::Tied;
    }
    if (a > b) == higher_is_better {
        Side::Better
    } else {
        Side::Worse
    }
}

/// What the trade-off sets against what: a heading.
pub fn subject(t: &Tradeoff) -> String {
    match t.kind {
        Kind::EndToEnd => format!(
            "{} against p99 end-to-end latency",
            metric_label(t.y.metric)
        ),
        Kind::Acknowledgement => "p99 acknowledgement latency against throughput".to_string(),
        Kind::Compression => {
            "bytes on the wire per payload byte against CPU per million messages".to_string()
        }
    }
}

/// The chart's title.
pub fn title(t: &Tradeoff) -> String {
    format!("Trade-off: {}, one point per trial", subject(t))
}

/// A metric as a sentence names it.
fn noun(metric: &str) -> String {
    match metric {
        "throughput_msgs_per_s" => "throughput".into(),
        "latency_p99_ms" => "p99 end-to-end latency".into(),
        "ack_latency_p99_ms" => "p99 acknowledgement latency".into(),
        "cpu_s_per_million_msgs" => "CPU per million messages".into(),
        "fetch_requests_per_s" => "fetch requests per second".into(),
        "compression_ratio" => "bytes on the wire per payload byte".into(),
        other => metric_label(other),
    }
}

/// `4.00 ms`, or `1.08 wire/payload` for a ratio, which has no unit.
fn value(v: f64, metric: &str) -> String {
    match metric {
        "compression_ratio" => format!("{} wire/payload", short(v)),
        _ => with_unit(v, metric),
    }
}

/// `throughput (higher is better)`.
fn named(a: Axis) -> String {
    let way = if a.higher_is_better {
        "higher"
    } else {
        "lower"
    };
    format!("{} ({way} is better)", noun(a.metric))
}

/// What the trade-off shows, as sentences (backticks mark code): the trials on the front,
/// named, then for compression what each codec and the payload itself gave.
pub fn sentences(meta: &SweepMeta, t: &Tradeoff) -> Vec<String> {
    let both = |p: &Point| format!("{}, {}", value(p.x, t.x.metric), value(p.y, t.y.metric));
    let front = t.front();
    let mut out = vec![];
    if let [only] = front.as_slice() {
        out.push(format!(
            "No trade-off to make between {} and {}: {} is, within the noise, the best on both: {} (medians of its runs).",
            named(t.x),
            named(t.y),
            only.described,
            both(only)
        ));
    } else {
        let listed: Vec<String> = front
            .iter()
            .map(|p| format!("{}: {}", p.described, both(p)))
            .collect();
        out.push(format!(
            "The Pareto front of {} and {}: the {} trials that no other trial matches on both and beats on one (beyond the noise: intervals of the median apart), from the best on {} to the best on {}: {}.",
            named(t.x),
            named(t.y),
            front.len(),
            noun(t.y.metric),
            noun(t.x.metric),
            listed.join("; ")
        ));
    }
    match t.points.len() - front.len() {
        0 => {}
        1 => out.push(
            "The other trial is matched on both and beaten on one by a trial on the front."
                .to_string(),
        ),
        n => out.push(format!(
            "The other {n} trials are each matched on both and beaten on one by another trial."
        )),
    }
    if t.kind == Kind::Compression {
        out.extend(codecs(meta, t));
        out.push(payload_sentence(meta));
    }
    out
}

/// How compressible the payload itself is, as measured when the sweep began (`sweep.json`).
pub fn payload_sentence(meta: &SweepMeta) -> String {
    match &meta.payload {
        Some(p) => format!(
            "The payload itself (`{}`, {} distinct bodies of {} B on average), compressed on its own in {}-byte batches, comes to {:.2} of its size with lz4 and {:.2} with zstd: what a codec can save on this data; the ratios on the wire add Kafka's framing.",
            p.kind,
            p.records_in_pool,
            significant(p.value_bytes_avg, 3),
            p.batch_bytes,
            p.lz4_ratio,
            p.zstd_ratio
        ),
        None => "The sweep recorded no measure of its payload's compressibility (`sweep.json` has no `payload`), so these ratios cannot be set against the data's own.".to_string(),
    }
}

/// Per client, each codec's median wire/payload ratio and CPU over its trials, when
/// `compression.type` was swept.
fn codecs(meta: &SweepMeta, t: &Tradeoff) -> Vec<String> {
    let Some((_, values)) = meta
        .grid
        .iter()
        .find(|(k, v)| k == COMPRESSION && v.len() > 1)
    else {
        return vec![];
    };
    let mut out = vec![];
    for client in &meta.clients {
        let parts: Vec<String> = values
            .iter()
            .filter_map(|codec| {
                let mine: Vec<&Point> = t
                    .points
                    .iter()
                    .filter(|p| &p.client == client && p.codec.as_deref() == Some(codec))
                    .collect();
                if mine.is_empty() {
                    return None;
                }
                let of =
                    |f: fn(&Point) -> f64| median(&mine.iter().map(|p| f(p)).collect::<Vec<_>>());
                Some(format!(
                    "`{codec}` {}, {}",
                    value(of(|p| p.x), t.x.metric),
                    value(of(|p| p.y), t.y.metric)
                ))
            })
            .collect();
        if !parts.is_empty() {
            out.push(format!(
                "{client}, each `compression.type` (median of its trials): {}.",
                parts.join("; ")
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "tradeoffs_tests.rs"]
mod tests;
