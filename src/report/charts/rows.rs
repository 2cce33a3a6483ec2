//! Drawing per-trial rows: one horizontal line per trial, best at the top (the spread of
//! repetitions; the latency percentiles of live mode).

use anyhow::Result;
use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;

use super::data::{TrialRow, PERCENTILES};
use super::style::{
    categories, category_of, log_range, padded_range, series, title_font, DESC_SIZE, FONT,
    LABEL_SIZE,
};
use crate::report::format::{metric_label, short};

const WIDTH: u32 = 900;
const ROW_HEIGHT: u32 = 24;
const FRAME_HEIGHT: u32 = 150;
const LABEL_AREA: u32 = 250;

fn height(rows: usize) -> u32 {
    FRAME_HEIGHT + ROW_HEIGHT * rows as u32
}

/// Row `i` (0 = best) sits at the top: categories count upwards.
fn y_of(i: usize, n: usize) -> f64 {
    (n - 1 - i) as f64 + 0.5
}

/// The SVG of every run of every trial (dots), with its median (bar) and the interval of the
/// median (line; its level is in the table).
/// `y_desc` says what the row labels are.
pub fn draw_spread(title: &str, y_desc: &str, rows: &[TrialRow], metric: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let n = rows.len();
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height(n))).into_drawing_area();
        root.fill(&WHITE)?;
        let (key_area, area) = titled_with_key(&root, title)?;
        let values = rows
            .iter()
            .flat_map(|r| r.runs.iter().copied().chain([r.ci_low, r.ci_high]));
        let (lo, hi) = padded_range(values, false);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(30)
            .x_label_area_size(46)
            .y_label_area_size(LABEL_AREA)
            .build_cartesian_2d(lo..hi, categories(n))?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .disable_y_mesh()
            .x_desc(metric_label(metric))
            .y_desc(y_desc)
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, LABEL_SIZE))
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| {
                rows.get(n - 1 - category_of(*v).min(n - 1))
                    .map(|r| r.label.clone())
                    .unwrap_or_default()
            })
            .draw()?;
        let (interval, runs, median) = (series(0), RGBColor(60, 60, 60), series(3));
        for (i, row) in rows.iter().enumerate() {
            let y = y_of(i, n);
            chart.draw_series([PathElement::new(
                [(row.ci_low, y), (row.ci_high, y)],
                interval.stroke_width(5),
            )])?;
            chart.draw_series([PathElement::new(
                [(row.median, y - 0.35), (row.median, y + 0.35)],
                median.stroke_width(3),
            )])?;
            chart.draw_series(
                row.runs
                    .iter()
                    .map(|v| Circle::new((*v, y), 3, runs.filled())),
            )?;
        }
        draw_key(
            &key_area,
            LABEL_AREA as i32,
            &[
                ("interval of the median", interval),
                ("median", median),
                ("one run", runs),
            ],
        )?;
        root.present()?;
    }
    Ok(svg)
}

/// The SVG of each trial's latency percentiles on a logarithmic axis.
pub fn draw_percentiles(title: &str, rows: &[(String, Vec<Option<f64>>)]) -> Result<String> {
    let mut svg = String::new();
    {
        let n = rows.len();
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height(n))).into_drawing_area();
        root.fill(&WHITE)?;
        let (key_area, area) = titled_with_key(&root, title)?;
        let (lo, hi) = log_range(rows.iter().flat_map(|(_, ps)| ps.iter().flatten().copied()));
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .margin_right(30)
            .x_label_area_size(46)
            .y_label_area_size(LABEL_AREA)
            .build_cartesian_2d((lo..hi).log_scale(), categories(n))?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .disable_y_mesh()
            .x_desc("end-to-end latency (ms, log scale)")
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, LABEL_SIZE))
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| {
                rows.get(n - 1 - category_of(*v).min(n - 1))
                    .map(|r| r.0.clone())
                    .unwrap_or_default()
            })
            .draw()?;
        for (i, (_, ps)) in rows.iter().enumerate() {
            let y = y_of(i, n);
            let line: Vec<(f64, f64)> = ps.iter().flatten().map(|v| (*v, y)).collect();
            chart.draw_series([PathElement::new(
                line,
                RGBColor(170, 170, 170).stroke_width(2),
            )])?;
            for (p, v) in ps.iter().enumerate() {
                if let Some(v) = v {
                    chart.draw_series([Circle::new((*v, y), 5, series(p).filled())])?;
                }
            }
        }
        let key: Vec<(&str, RGBColor)> = PERCENTILES
            .iter()
            .enumerate()
            .map(|(i, (_, name))| (*name, series(i)))
            .collect();
        draw_key(&key_area, LABEL_AREA as i32, &key)?;
        root.present()?;
    }
    Ok(svg)
}

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// The title on top, then a strip for the key, then the area left for the chart.
pub(super) fn titled_with_key<'a>(root: &Area<'a>, title: &str) -> Result<(Area<'a>, Area<'a>)> {
    let below_title = root.titled(title, title_font(title, root.dim_in_pixel().0))?;
    Ok(below_title.split_vertically(KEY_HEIGHT))
}

const KEY_HEIGHT: u32 = 26;

/// A one-line key from `left` pixels: a swatch and a name per mark.
pub(super) fn draw_key(area: &Area<'_>, left: i32, items: &[(&str, RGBColor)]) -> Result<()> {
    let mut x = left;
    for (name, colour) in items {
        area.draw(&Rectangle::new([(x, 6), (x + 14, 18)], colour.filled()))?;
        area.draw(&Text::new(
            name.to_string(),
            (x + 20, 5),
            (FONT, LABEL_SIZE).into_font(),
        ))?;
        // The SVG backend has no font metrics: about 0.6 em per character.
        x += 40 + (LABEL_SIZE as f64 * 0.6 * name.len() as f64) as i32;
    }
    Ok(())
}
