//! The report of a sweep, from its saved result files only: charts (SVG and PNG), a self-contained
//! `report.html`, a `report.md`, the analysis of each swept property, a recommendation per
//! goal, and the comparison of two sweeps.

pub mod analysis;
pub mod capacity;
pub mod capacity_compare;
pub mod charts;
pub mod compare;
pub mod effect_sentences;
pub mod format;
pub mod html;
pub mod kafka_terms;
pub mod load;
pub mod markdown;
pub mod physics;
pub mod png;
pub mod poll_risk;
pub mod pooled;
pub mod presets;
pub mod recommend;
pub mod scaling;
pub mod search;
pub mod sections;
pub mod share;
pub mod share_goals;
pub mod share_redelivery;
#[cfg(test)]
mod test_support;
pub mod tradeoffs;
pub mod workers;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use compare::compare;

/// Writes the report of the sweep in `dir`: `dir/charts/*.svg` (and `*.png` copies when the
/// machine has a font for their text), `dir/report.html` and `dir/report.md`. Returns the
/// paths written, charts first.
pub fn write_report(dir: &Path) -> Result<Vec<PathBuf>> {
    let sweep = load::load(dir)?;
    if let Some(file) = crate::capacity_file::load(dir)? {
        // A capacity folder's steps are runs at many rates: the sweep's per-trial analysis
        // would pool them; its report is the capacity's own.
        return write_capacity_report(dir, &sweep, &file);
    }
    let mut charts = charts::all(&sweep)?;
    let search = match crate::tune_file::load(dir)? {
        Some(file) => Some(search::section(&file)?),
        None => None,
    };
    charts.extend(search.as_ref().and_then(|s| s.chart.clone()));
    let mut written = write_charts(dir, &charts)?;
    let mut html_text = html::render(&sweep, &charts);
    let mut markdown_text = markdown::render(&sweep, &charts);
    if let Some(s) = &search {
        markdown_text.push_str(&s.markdown);
        let at = html_text.rfind("</body>").unwrap_or(html_text.len());
        html_text.insert_str(at, &search::html(s));
    }
    if let Some(note) =
        crate::stats::offered::note(&sweep.records, crate::defaults::CAPACITY_MIN_ACHIEVED)
    {
        markdown_text.push_str(&format!("\n## At one rate\n\n{note}.\n"));
        let at = html_text.rfind("</body>").unwrap_or(html_text.len());
        html_text.insert_str(
            at,
            &format!(
                "<h2 id=\"one-rate\">At one rate</h2>\n<p>{}.</p>\n",
                html::escape(&note)
            ),
        );
    }
    if let Some(note) = crate::stats::precision::note(&sweep.meta, &sweep.summary) {
        markdown_text.push_str(&format!("\n## Repetitions\n\n{note}.\n"));
        let at = html_text.rfind("</body>").unwrap_or(html_text.len());
        html_text.insert_str(
            at,
            &format!(
                "<h2 id=\"repetitions\">Repetitions</h2>\n<p>{}.</p>\n",
                html::escape(&note)
            ),
        );
    }
    for (name, text) in [("report.html", html_text), ("report.md", markdown_text)] {
        let path = dir.join(name);
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `charts` under `dir/charts/` (SVG, and a PNG copy when the machine has a font);
/// the paths written.
fn write_charts(dir: &Path, charts: &[charts::Chart]) -> Result<Vec<PathBuf>> {
    let chart_dir = dir.join("charts");
    fs::create_dir_all(&chart_dir)
        .with_context(|| format!("cannot create {}", chart_dir.display()))?;
    let png = png::PngRenderer::new();
    if png.is_none() {
        eprintln!("kafkatune: no font found on this machine: charts are written as SVG only (install fonts-dejavu-core for PNG copies)");
    }
    let mut written = Vec::new();
    for chart in charts {
        let path = chart_dir.join(&chart.file_name);
        fs::write(&path, &chart.svg).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path.clone());
        if let Some(renderer) = &png {
            let path = path.with_extension("png");
            let bytes = renderer
                .render(&chart.svg)
                .with_context(|| format!("drawing {}", path.display()))?;
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// The report of a capacity folder: its load curves, report.html and report.md.
fn write_capacity_report(
    dir: &Path,
    sweep: &load::Sweep,
    file: &crate::capacity_file::CapacityFile,
) -> Result<Vec<PathBuf>> {
    let section = capacity::section(file)?;
    let mut written = write_charts(dir, &section.charts)?;
    let markdown_text = format!(
        "# kafkatune capacity search {}\n\nCommand: `{}`\n{}",
        sweep.meta.sweep_id, sweep.meta.command, section.markdown
    );
    for (name, text) in [
        ("report.html", capacity::html(sweep, &section)),
        ("report.md", markdown_text),
    ] {
        let path = dir.join(name);
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
