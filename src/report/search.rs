//! The search of a `kafkatune tune` folder (its `tune.json`): best-so-far against runs
//! spent (a chart), which candidates were dropped when and on what evidence, and the winner
//! with its interval against the runner-up's. For a `--repeat auto` sweep, which trials
//! reached the precision.

use anyhow::Result;
use plotters::prelude::*;

use super::charts::style::{series, title_font, FONT, LABEL_SIZE};
use super::charts::Chart;
use super::html::escape;
use crate::stats::median_interval::ci_name;
use crate::tune_file::TuneFile;

/// The search's part of the report.
pub struct SearchSection {
    pub markdown: String,
    pub chart: Option<Chart>,
}

/// The search section of the folder, when it holds a search.
pub fn section(file: &TuneFile) -> Result<SearchSection> {
    let chart = if file.best_so_far.is_empty() {
        None
    } else {
        Some(best_so_far_chart(file)?)
    };
    Ok(SearchSection {
        markdown: markdown(file, chart.as_ref()),
        chart,
    })
}

fn markdown(file: &TuneFile, chart: Option<&Chart>) -> String {
    let s = &file.settings;
    let mut m = String::from("\n## Search\n\n");
    m.push_str(&format!(
        "Strategy {} for {} (`{}`, {} is better), budget {}; spent {} runs ({:.0} s of runs). Stopped: {}.\n\n",
        s.strategy.name(),
        s.goal.name(),
        s.metric,
        if s.higher_is_better { "higher" } else { "lower" },
        match s.budget {
            crate::tune_file::Budget::Runs(n) => format!("{n} runs"),
            crate::tune_file::Budget::WallS(w) => format!("{w:.0} s of runs"),
        },
        file.runs_spent,
        file.wall_s_spent,
        file.stopped_because
    ));
    for c in &s.constraints {
        m.push_str(&format!(
            "Constraint: `{}` (median of `{}`).\n\n",
            c.text, c.metric
        ));
    }
    match &file.winner {
        Some(w) => {
            m.push_str(&format!(
                "**Winner {}**: median {:.4} ({} {:.4} to {:.4}, {} runs), {}.\n\n",
                w.trial_id,
                w.median,
                ci_name(w.ci_level, w.runs),
                w.ci_low,
                w.ci_high,
                w.runs,
                params(&w.params)
            ));
            match &w.runner_up {
                Some(r) => m.push_str(&format!(
                    "Runner-up {}: median {:.4} ({} {:.4} to {:.4}, {} runs). {}\n\n",
                    r.trial_id,
                    r.median,
                    ci_name(r.ci_level, r.runs),
                    r.ci_low,
                    r.ci_high,
                    r.runs,
                    match (w.separated, w.p_value_vs_runner_up) {
                        (true, Some(p)) => format!("The winner is separated from it: one-sided Mann-Whitney U, p = {p:.3} <= {}.", file.alpha),
                        (false, Some(p)) => format!("Not separated (p = {p:.3} > {}): within this budget the two cannot be told apart.", file.alpha),
                        (_, None) => "Too few runs to test them against each other.".into(),
                    }
                )),
                None => m.push_str("No runner-up: every other candidate was dropped.\n\n"),
            }
        }
        None => m.push_str("No winner: no candidate was measured within the constraints.\n\n"),
    }
    if let Some(c) = chart {
        m.push_str(&format!("![{}](charts/{})\n\n", c.title, c.file_name));
    }
    m.push_str("| trial | settings | from | state | runs | median | dropped at run | evidence |\n");
    m.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for c in &file.candidates {
        m.push_str(&format!(
            "| {} | {} | {} (run {}) | {:?} | {} | {} | {} | {} |\n",
            c.trial_id,
            params(&c.params),
            c.origin,
            c.added_at_run,
            c.state,
            c.runs,
            c.median.map_or("-".into(), |v| format!("{v:.4}")),
            c.dropped
                .as_ref()
                .map_or("-".into(), |d| d.at_run.to_string()),
            c.dropped.as_ref().map_or("-".into(), |d| d.reason.clone()),
        ));
    }
    m
}

fn params(p: &crate::results::Params) -> String {
    p.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The same section for report.html.
pub fn html(section: &SearchSection) -> String {
    let mut h = String::from("<h2 id=\"search\">Search</h2>\n<pre class=\"search\">");
    h.push_str(&escape(
        section.markdown.trim_start_matches("\n## Search\n\n"),
    ));
    h.push_str("</pre>\n");
    if let Some(c) = &section.chart {
        h.push_str(&c.svg);
    }
    h
}

fn best_so_far_chart(file: &TuneFile) -> Result<Chart> {
    let title = format!("Best {} so far, by runs spent", file.settings.metric);
    let points = &file.best_so_far;
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, v)| {
            (a.min(*v), b.max(*v))
        });
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.01).max(1e-9);
    let runs = points.last().map_or(1, |p| p.0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(&title, title_font(&title, 720))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0u64..runs, (lo - pad)..(hi + pad))?;
        chart
            .configure_mesh()
            .x_desc("runs spent")
            .y_desc(file.settings.metric.as_str())
            .label_style((FONT, LABEL_SIZE))
            .draw()?;
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            series(0).stroke_width(2),
        ))?;
        chart.draw_series(
            points
                .iter()
                .map(|p| Circle::new(*p, 3, series(0).filled())),
        )?;
        root.present()?;
    }
    Ok(Chart {
        file_name: "search-best-so-far.svg".into(),
        title,
        svg,
    })
}
