//! The report of a `kafkatune capacity` folder (its `capacity.json`): the ranking by
//! capacity with the clause that broke first and what limited it, the recommendation, and
//! each trial's load curve (latency percentiles against the offered rate, the service
//! level's bounds, the capacity marked: the hockey stick).

use anyhow::Result;
use plotters::coord::combinators::BindKeyPoints;
use plotters::prelude::*;

use super::charts::style::{series, title_font, FONT, LABEL_SIZE};
use super::charts::Chart;
use super::html::escape;
use super::load::Sweep;
use crate::capacity::search::show;
use crate::capacity_file::{CapacityFile, Limit, Step, TrialCapacity};

/// The capacity part of the report.
pub struct CapacitySection {
    pub markdown: String,
    pub charts: Vec<Chart>,
}

/// The section of a capacity folder.
pub fn section(file: &CapacityFile) -> Result<CapacitySection> {
    let mut charts = Vec::new();
    for t in file.trials.iter().filter(|t| !t.steps.is_empty()) {
        charts.push(load_curve(file, t)?);
    }
    Ok(CapacitySection {
        markdown: markdown(file, &charts),
        charts,
    })
}

fn settings_of(t: &TrialCapacity) -> String {
    let params: Vec<String> = t.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if params.is_empty() {
        t.client.clone()
    } else {
        format!("{} ({})", t.client, params.join(", "))
    }
}

/// The recommendation: the trial with the most capacity, against the next one and the
/// least one; `None` when no trial has a capacity.
pub fn recommendation(file: &CapacityFile) -> Option<String> {
    let slo: Vec<&str> = file.settings.slo.iter().map(|c| c.text.as_str()).collect();
    let with: Vec<&TrialCapacity> = file
        .trials
        .iter()
        .filter(|t| t.done && t.capacity_msgs_per_s.is_some())
        .collect();
    let best = with.first()?;
    let cap = best.capacity_msgs_per_s?;
    let mut text = format!(
        "Set {} to sustain {} msg/s within {}",
        settings_of(best),
        show(cap),
        slo.join(", ")
    );
    if best.limit == Some(Limit::RateCeiling) {
        text.push_str(" (at least: every rate up to the ceiling passed)");
    }
    let others: Vec<&TrialCapacity> = file
        .trials
        .iter()
        .filter(|t| t.trial_id != best.trial_id)
        .collect();
    if let Some(next) = with.get(1) {
        let c = next.capacity_msgs_per_s.unwrap_or(0.0);
        // The brackets overlap when the runner-up's first failing rate is above the best
        // one's capacity, or the best one's capacity is below the runner-up's failing one.
        let apart = next.first_failing_msgs_per_s.is_some_and(|f| f <= cap);
        text.push_str(&format!(
            "; {:.0}% more than the next, {} ({} msg/s){}",
            (cap / c - 1.0) * 100.0,
            settings_of(next),
            show(c),
            if apart {
                ""
            } else {
                ", within the search's resolution of it: the two cannot be told apart"
            }
        ));
    }
    if let Some(least) = with
        .last()
        .filter(|l| with.len() > 2 && l.trial_id != best.trial_id)
    {
        text.push_str(&format!(
            "; {:.0}% more than the least, {} ({} msg/s)",
            (cap / least.capacity_msgs_per_s.unwrap_or(cap) - 1.0) * 100.0,
            settings_of(least),
            show(least.capacity_msgs_per_s.unwrap_or(0.0))
        ));
    }
    let none = others
        .iter()
        .filter(|t| t.done && t.capacity_msgs_per_s.is_none())
        .count();
    if none > 0 {
        text.push_str(&format!(
            "; {none} trial(s) kept the service level at no rate"
        ));
    }
    text.push('.');
    match best.limit {
        Some(Limit::Generator) => text.push_str(" Its limit was the load generator, not the system: the true capacity may be higher (run the producers on workers)."),
        Some(Limit::Host) => text.push_str(" This host's CPUs were saturated at the limit: the figure is this host's (generator, consumers and brokers share it), not the cluster's."),
        _ => {}
    }
    Some(text)
}

fn markdown(file: &CapacityFile, charts: &[Chart]) -> String {
    let s = &file.settings;
    let slo: Vec<&str> = s.slo.iter().map(|c| c.text.as_str()).collect();
    let mut m = String::from("\n## Capacity\n\n");
    m.push_str(&format!(
        "The highest offered rate each trial sustained within {}: every clause held, the achieved rate was at least {:.0}% of the offered one and the consumers kept up (their lag did not grow). Rates searched {}..{} msg/s, bracketed by doubling and bisected to {:.0}%; each step {:.0} s of warm-up and at least {:.0} s measured ({} records for its percentile); the two rates that bound each answer were run at least twice. {} steps in all.\n\n",
        slo.join(", "),
        s.min_achieved_ratio * 100.0,
        show(s.rate_low_msgs_per_s),
        show(s.rate_high_msgs_per_s),
        s.resolution * 100.0,
        s.warmup_s,
        s.step_duration_s,
        s.min_records,
        file.steps
    ));
    if let Some(r) = recommendation(file) {
        m.push_str(&format!("**Recommendation.** {r}\n\n"));
    }
    m.push_str("| rank | trial | settings | capacity msg/s | MiB/s | first failing msg/s | broke first | limit | steps |\n");
    m.push_str("| ---: | --- | --- | ---: | ---: | ---: | --- | --- | ---: |\n");
    for (i, t) in file.trials.iter().enumerate() {
        m.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            if t.capacity_msgs_per_s.is_some() {
                (i + 1).to_string()
            } else {
                "-".into()
            },
            t.trial_id,
            settings_of(t),
            match (t.done, t.capacity_msgs_per_s) {
                (false, _) => "not finished".into(),
                (true, Some(c)) if t.limit == Some(Limit::RateCeiling) => format!("≥ {}", show(c)),
                (true, Some(c)) => show(c),
                (true, None) => "none".into(),
            },
            t.capacity_mib_per_s
                .map_or("".into(), |v| format!("{v:.2}")),
            t.first_failing_msgs_per_s.map_or("".into(), show),
            t.binding.as_deref().unwrap_or(""),
            t.limit.map_or("", Limit::name),
            t.steps.len()
        ));
    }
    m.push('\n');
    for t in &file.trials {
        for note in &t.notes {
            m.push_str(&format!("- {}: {note}\n", t.trial_id));
        }
    }
    m.push_str("\n### Steps\n\n| trial | offered msg/s | achieved msg/s | p50 ms | p99 ms | p99.9 ms | kept up | host CPU | verdict |\n| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
    for t in &file.trials {
        let mut steps: Vec<&Step> = t.steps.iter().collect();
        steps.sort_by(|a, b| a.offered_msgs_per_s.total_cmp(&b.offered_msgs_per_s));
        for st in steps {
            let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.1}"));
            m.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                t.trial_id,
                show(st.offered_msgs_per_s),
                st.achieved_msgs_per_s.map_or(String::new(), show),
                num(st.latency_p50_ms),
                num(st.latency_p99_ms),
                num(st.latency_p999_ms),
                st.kept_up.map_or("", |k| if k { "yes" } else { "no" }),
                st.host_cpu_busy
                    .map_or(String::new(), |b| format!("{:.0}%", b * 100.0)),
                if st.passed {
                    "pass".to_string()
                } else {
                    format!(
                        "fail: {}",
                        st.breaches
                            .iter()
                            .map(|b| b.describe())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
            ));
        }
    }
    m.push('\n');
    for c in charts {
        m.push_str(&format!("![{}](charts/{})\n\n", c.title, c.file_name));
    }
    m
}

/// The report of a capacity folder as one self-contained page: the set-up, then the
/// section's text as it is (tables in a `pre`), then the charts inline.
pub fn html(sweep: &Sweep, section: &CapacitySection) -> String {
    let title = format!("kafkatune capacity search {}", sweep.meta.sweep_id);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{style}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = escape(&title),
        style = super::html::STYLE
    );
    h.push_str("<h2 id=\"setup\">Set-up</h2>\n<table class=\"setup\">\n");
    for (what, value) in super::sections::setup(sweep) {
        h.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            super::html::inline(&what),
            super::html::inline(&value)
        ));
    }
    h.push_str("</table>\n<h2 id=\"capacity\">Capacity</h2>\n<pre class=\"capacity\">");
    h.push_str(&escape(
        section.markdown.trim_start_matches("\n## Capacity\n\n"),
    ));
    h.push_str("</pre>\n");
    for c in &section.charts {
        h.push_str(&format!(
            "<figure>{}</figure>\n",
            super::html::inline_svg(&c.svg)
        ));
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// A percentile of a step, as the load curve draws it.
type Percentile = fn(&Step) -> Option<f64>;

/// One trial's latency percentiles against the offered rate, both on log scales, with the
/// service level's bounds and the capacity.
fn load_curve(file: &CapacityFile, t: &TrialCapacity) -> Result<Chart> {
    let title = format!("Load curve: {} {}", t.trial_id, settings_of(t));
    let rates: Vec<f64> = t.steps.iter().map(|s| s.offered_msgs_per_s).collect();
    let (r_lo, r_hi) = bounds(&rates);
    let bounds_ms: Vec<f64> = file.settings.slo.iter().map(|c| c.below_ms).collect();
    let mut values: Vec<f64> = t
        .steps
        .iter()
        .flat_map(|s| [s.latency_p50_ms, s.latency_p99_ms, s.latency_p999_ms])
        .flatten()
        .chain(bounds_ms.iter().copied())
        .filter(|v| *v > 0.0)
        .collect();
    if values.is_empty() {
        values.push(1.0);
    }
    let (l_lo, l_hi) = bounds(&values);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(&title, title_font(&title, 720))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (r_lo / 1.2..r_hi * 1.2)
                    .log_scale()
                    .with_key_points(rate_ticks(r_lo / 1.2, r_hi * 1.2)),
                (l_lo / 1.5..l_hi * 1.5).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("offered rate, msg/s")
            .y_desc("latency, ms")
            .x_labels(8)
            .x_label_formatter(&|v| show(*v))
            .label_style((FONT, LABEL_SIZE))
            .draw()?;
        let percentiles: [(&str, Percentile); 3] = [
            ("p50", |s| s.latency_p50_ms),
            ("p99", |s| s.latency_p99_ms),
            ("p99.9", |s| s.latency_p999_ms),
        ];
        for (i, (name, get)) in percentiles.iter().enumerate() {
            let mut points: Vec<(f64, f64)> = t
                .steps
                .iter()
                .filter_map(|s| {
                    get(s)
                        .filter(|v| *v > 0.0)
                        .map(|v| (s.offered_msgs_per_s, v))
                })
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let colour = series(i);
            chart
                .draw_series(LineSeries::new(medians(&points), colour.stroke_width(2)))?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                });
            chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))?;
        }
        for (i, c) in file.settings.slo.iter().enumerate() {
            let colour = series(3 + i);
            chart
                .draw_series(DashedLineSeries::new(
                    [(r_lo / 1.2, c.below_ms), (r_hi * 1.2, c.below_ms)],
                    6,
                    4,
                    colour.stroke_width(1),
                ))?
                .label(format!("SLO {}", c.text))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour));
        }
        if let Some(cap) = t.capacity_msgs_per_s {
            chart
                .draw_series(LineSeries::new(
                    [(cap, l_lo / 1.5), (cap, l_hi * 1.5)],
                    BLACK.stroke_width(2),
                ))?
                .label(format!("capacity {} msg/s", show(cap)))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FONT, LABEL_SIZE))
            .draw()?;
        root.present()?;
    }
    Ok(Chart {
        file_name: format!("capacity-{}.svg", t.trial_id),
        title,
        svg,
    })
}

/// Round rates (1, 2 and 5 times a power of ten) between `lo` and `hi`: plotters' log scale
/// labels only powers of ten, and a search's rates often lie between two of them.
fn rate_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut ticks = Vec::new();
    let mut decade = 10f64.powf(lo.log10().floor());
    while decade <= hi {
        for m in [1.0, 2.0, 5.0] {
            let t = decade * m;
            if t >= lo && t <= hi {
                ticks.push(t);
            }
        }
        decade *= 10.0;
    }
    ticks
}

fn bounds(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || lo <= 0.0 {
        return (1.0, 10.0);
    }
    (lo, hi.max(lo * 1.01))
}

/// The median of the values at each rate, in rate order (a rate run several times).
fn medians(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let rate = points[i].0;
        let mut at: Vec<f64> = points[i..]
            .iter()
            .take_while(|p| p.0 == rate)
            .map(|p| p.1)
            .collect();
        i += at.len();
        at.sort_by(f64::total_cmp);
        out.push((rate, at[at.len() / 2]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity_file::{CapacitySettings, SloClause};

    fn trial(id: &str, linger: &str, cap: Option<f64>, fail: Option<f64>) -> TrialCapacity {
        TrialCapacity {
            trial_id: id.into(),
            client: "librdkafka".into(),
            params: [("linger.ms".to_string(), linger.to_string())].into(),
            capacity_msgs_per_s: cap,
            capacity_mib_per_s: cap.map(|c| c * 100.0 / 1048576.0),
            first_failing_msgs_per_s: fail,
            binding: Some("p99<20ms".into()),
            limit: Some(Limit::System),
            done: true,
            notes: Vec::new(),
            steps: [1000.0, 2000.0, 4000.0]
                .iter()
                .map(|r| Step {
                    run_index: 0,
                    offered_msgs_per_s: *r,
                    achieved_msgs_per_s: Some(*r),
                    passed: *r <= cap.unwrap_or(0.0),
                    breaches: Vec::new(),
                    latencies_ms: vec![Some(r / 100.0)],
                    latency_p50_ms: Some(r / 1000.0),
                    latency_p99_ms: Some(r / 100.0),
                    latency_p999_ms: Some(r / 50.0),
                    kept_up: Some(true),
                    host_cpu_busy: Some(0.5),
                })
                .collect(),
        }
    }

    fn file() -> CapacityFile {
        CapacityFile {
            schema_version: 1,
            settings: CapacitySettings {
                strategy: Default::default(),
                slo: vec![SloClause {
                    text: "p99<20ms".into(),
                    percentile: 99.0,
                    below_ms: 20.0,
                    metric: "latency_p99_ms".into(),
                }],
                rate_low_msgs_per_s: 1000.0,
                rate_high_msgs_per_s: 1e6,
                resolution: 0.05,
                warmup_s: 5.0,
                step_duration_s: 10.0,
                min_records: 1000,
                min_achieved_ratio: 0.99,
            },
            trials: vec![
                trial("t002", "5", Some(40_000.0), Some(42_000.0)),
                trial("t001", "0", Some(20_000.0), Some(21_000.0)),
                trial("t003", "50", None, None),
            ],
            steps: 9,
        }
    }

    #[test]
    fn the_recommendation_names_the_best_and_how_much_more_it_carries() {
        let r = recommendation(&file()).unwrap();
        assert!(r.starts_with("Set librdkafka (linger.ms=5) to sustain 40000 msg/s within p99<20ms; 100% more than the next, librdkafka (linger.ms=0) (20000 msg/s)"), "{r}");
        assert!(
            r.contains("1 trial(s) kept the service level at no rate"),
            "{r}"
        );
        let s = section(&file()).unwrap();
        assert_eq!(s.charts.len(), 3);
        assert!(s.charts[0].svg.contains("capacity 40000 msg/s"));
        assert!(
            s.markdown
                .contains("| 1 | t002 | librdkafka (linger.ms=5) | 40000 |"),
            "{}",
            s.markdown
        );
        assert!(s
            .markdown
            .contains("| - | t003 | librdkafka (linger.ms=50) | none |"));
    }
}
