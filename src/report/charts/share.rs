//! Drawing a share group against a consumer group: throughput (top panel) and latency
//! (bottom panel) against the consumers in the group, a line per group type, the partition
//! count marked in both: a consumer group flattens there, a share group need not.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{padded_range, series, title_font, FONT, LABEL_SIZE};
use crate::report::format::short;
use crate::report::share::{GroupSeries, Point};

const WIDTH: u32 = 820;
const HEIGHT: u32 = 760;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The SVG: `latency_axis` names the bottom panel's latency (end to end, or fetch).
pub fn draw(
    title: &str,
    all: &[GroupSeries],
    partitions: u32,
    latency_axis: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, title_font(title, WIDTH))?;
        let (top, bottom) = root.split_vertically(HEIGHT / 2 - 10);
        let throughput = |p: &Point| {
            Some((
                p.throughput.median,
                p.throughput.ci_low,
                p.throughput.ci_high,
            ))
        };
        let latency = |p: &Point| p.latency.as_ref().map(|l| (l.median, l.ci_low, l.ci_high));
        panel(
            &top,
            all,
            partitions,
            "throughput (msg/s)",
            &throughput,
            true,
        )?;
        panel(&bottom, all, partitions, latency_axis, &latency, false)?;
        root.present()?;
    }
    Ok(svg)
}

/// A value of a point: median, interval low, interval high.
type Value<'f> = dyn Fn(&Point) -> Option<(f64, f64, f64)> + 'f;

fn panel(
    area: &Area,
    all: &[GroupSeries],
    partitions: u32,
    y_desc: &str,
    value: &Value,
    key: bool,
) -> Result<()> {
    let max_consumers = all
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.consumers))
        .max()
        .unwrap_or(1);
    let x_hi = max_consumers as f64 + 0.5;
    let (_, y_top) = padded_range(
        all.iter().flat_map(|s| {
            s.points
                .iter()
                .filter_map(value)
                .map(|(m, _, hi)| hi.max(m))
        }),
        true,
    );
    let y_hi = if key { y_top * 1.25 } else { y_top };
    let mut counts: Vec<u32> = all
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.consumers))
        .collect();
    counts.sort_unstable();
    counts.dedup();
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .x_label_area_size(46)
        .y_label_area_size(80)
        .build_cartesian_2d(0.5..x_hi, 0.0..y_hi)?;
    super::scaling::consumer_axes(&mut chart, &counts, y_desc, partitions, y_hi)?;
    for (i, s) in all.iter().enumerate() {
        let colour = series(i);
        let points: Vec<(f64, f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|p| value(p).map(|(m, lo, hi)| (p.consumers as f64, m, lo, hi)))
            .collect();
        let line: Vec<(f64, f64)> = points.iter().map(|(x, m, _, _)| (*x, *m)).collect();
        let drawn = chart.draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?;
        if key {
            drawn.label(s.label()).legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        }
        chart.draw_series(line.iter().map(|p| Circle::new(*p, 5, colour.filled())))?;
        for (x, m, lo, hi) in &points {
            chart.draw_series([PathElement::new(
                [(*x, *lo), (*x, *hi)],
                colour.stroke_width(2),
            )])?;
            chart.draw_series([Text::new(
                short(*m),
                (*x + 0.06, *m),
                (FONT, LABEL_SIZE).into_font(),
            )])?;
        }
    }
    if key {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, LABEL_SIZE))
            .draw()?;
    }
    Ok(())
}
