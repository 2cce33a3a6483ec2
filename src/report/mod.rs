//! The report of a sweep, from its saved result files only: charts (SVG and PNG), a self-contained
//! `report.html`, a `report.md`, the analysis of each swept property, a recommendation per
//! goal, and the comparison of two sweeps.

pub mod analysis;
pub mod charts;
pub mod compare;
pub mod effect_sentences;
pub mod format;
pub mod html;
pub mod kafka_terms;
pub mod load;
pub mod markdown;
pub mod png;
pub mod pooled;
pub mod presets;
pub mod recommend;
pub mod scaling;
pub mod sections;
#[cfg(test)]
mod test_support;
pub mod tradeoffs;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use compare::compare;

/// Writes the report of the sweep in `dir`: `dir/charts/*.svg` (and `*.png` copies when the
/// machine has a font for their text), `dir/report.html` and `dir/report.md`. Returns the
/// paths written, charts first.
pub fn write_report(dir: &Path) -> Result<Vec<PathBuf>> {
    let sweep = load::load(dir)?;
    let charts = charts::all(&sweep)?;
    let chart_dir = dir.join("charts");
    fs::create_dir_all(&chart_dir)
        .with_context(|| format!("cannot create {}", chart_dir.display()))?;
    let png = png::PngRenderer::new();
    if png.is_none() {
        eprintln!("kafkatune: no font found on this machine: charts are written as SVG only (install fonts-dejavu-core for PNG copies)");
    }
    let mut written = Vec::new();
    for chart in &charts {
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
    for (name, text) in [
        ("report.html", html::render(&sweep, &charts)),
        ("report.md", markdown::render(&sweep, &charts)),
    ] {
        let path = dir.join(name);
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
