//! Drawing the main effect of one property: a panel per client, the metric against the
//! property's values, with the noise of each level and the trials behind it.

use anyhow::Result;
use plotters::prelude::*;

use super::style::{
    categories, category_of, padded_range, series, title_font, DESC_SIZE, FONT, LABEL_SIZE,
};
use crate::report::analysis::Effect;
use crate::report::format::{metric_label, short};

const PANEL_WIDTH: u32 = 420;
/// A lone panel is drawn wider, so that the title has room.
const MIN_WIDTH: u32 = 640;
const HEIGHT: u32 = 400;

/// The SVG of `effects` (one per client, same property) side by side; `trial_medians[i][l]`
/// are the medians of client `i`'s trials at level `l`, drawn as faint dots; `captions[i]`
/// heads client `i`'s panel.
pub fn draw(
    title: &str,
    effects: &[Effect],
    trial_medians: &[Vec<Vec<f64>>],
    captions: &[String],
    metric: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let width = (PANEL_WIDTH * effects.len().max(1) as u32).max(MIN_WIDTH);
        let root = SVGBackend::with_string(&mut svg, (width, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, title_font(title, root.dim_in_pixel().0))?;
        let panels = root.split_evenly((1, effects.len().max(1)));
        for (i, (effect, panel)) in effects.iter().zip(panels.iter()).enumerate() {
            let caption = captions.get(i).unwrap_or(&effect.client);
            draw_panel(panel, effect, &trial_medians[i], caption, metric, series(i))?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    effect: &Effect,
    trials: &[Vec<f64>],
    caption: &str,
    metric: &str,
    colour: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let n = effect.levels.len();
    let values = effect
        .levels
        .iter()
        .flat_map(|l| [l.ci_low, l.ci_high])
        .chain(trials.iter().flatten().copied());
    let (lo, hi) = padded_range(values, true);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, DESC_SIZE))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(categories(n), lo..hi)?;
    let labels: Vec<String> = effect.levels.iter().map(|l| l.value.clone()).collect();
    chart
        .configure_mesh()
        .max_light_lines(0)
        .disable_x_mesh()
        .x_desc(effect.property.as_str())
        .y_desc(metric_label(metric))
        .axis_desc_style((FONT, DESC_SIZE))
        .label_style((FONT, LABEL_SIZE))
        .x_label_formatter(&|v| labels.get(category_of(*v)).cloned().unwrap_or_default())
        .y_label_formatter(&|v| short(*v))
        .draw()?;
    let faint = colour.mix(0.3);
    for (l, medians) in trials.iter().enumerate() {
        chart.draw_series(
            medians
                .iter()
                .map(|m| Circle::new((l as f64 + 0.5, *m), 3, faint.filled())),
        )?;
    }
    let points: Vec<(f64, f64)> = effect
        .levels
        .iter()
        .enumerate()
        .map(|(l, lv)| (l as f64 + 0.5, lv.median))
        .collect();
    chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
    chart.draw_series(points.iter().map(|p| Circle::new(*p, 5, colour.filled())))?;
    for (l, lv) in effect.levels.iter().enumerate() {
        let x = l as f64 + 0.5;
        let bar = [(x, lv.ci_low), (x, lv.ci_high)];
        let caps = [lv.ci_low, lv.ci_high]
            .map(|y| PathElement::new([(x - 0.06, y), (x + 0.06, y)], colour.stroke_width(2)));
        chart.draw_series([PathElement::new(bar, colour.stroke_width(2))])?;
        chart.draw_series(caps)?;
    }
    Ok(())
}
