//! Drawing scaling: throughput against the number of consumers in one group, a line per
//! client (and value of the other swept properties), with what linear scaling would give and
//! where the partitions run out.

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{padded_range, series, title_font, DESC_SIZE, FONT, LABEL_SIZE};
use crate::report::format::{metric_label, short};
use crate::report::scaling::{Series, METRIC};

const WIDTH: u32 = 820;
const HEIGHT: u32 = 500;

/// The SVG of every series; `partitions` marks where more consumers find no partition.
pub fn draw(title: &str, all: &[Series], partitions: u32) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let max_consumers = all
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.consumers))
            .max()
            .unwrap_or(1);
        let x_hi = max_consumers as f64 + 0.5;
        let (_, y_top) = padded_range(
            all.iter()
                .flat_map(|s| s.points.iter().flat_map(|p| [p.ci_high, p.median])),
            true,
        );
        // Room above the data for the key.
        let y_hi = y_top * (1.15 + 0.06 * all.len() as f64);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, title_font(title, root.dim_in_pixel().0))
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d(0.5..x_hi, 0.0..y_hi)?;
        let counts: Vec<u32> = {
            let mut c: Vec<u32> = all
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.consumers))
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        };
        consumer_axes(&mut chart, &counts, &metric_label(METRIC), partitions, y_hi)?;
        for (i, s) in all.iter().enumerate() {
            let colour = series(i);
            let points: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|p| (p.consumers as f64, p.median))
                .collect();
            // What the first count would give if every consumer added as much again, up to
            // the top of the chart.
            let base = &s.points[0];
            let per_consumer = base.median / base.consumers as f64;
            let last = s.points.last().map_or(1, |p| p.consumers) as f64;
            let end = last.min(y_hi / per_consumer.max(f64::MIN_POSITIVE));
            chart.draw_series(DashedLineSeries::new(
                [
                    (base.consumers as f64, base.median),
                    (end, end * per_consumer),
                ],
                4,
                4,
                colour.mix(0.5).stroke_width(1),
            ))?;
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
                .label(s.label())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            chart.draw_series(points.iter().map(|p| Circle::new(*p, 5, colour.filled())))?;
            for p in &s.points {
                let x = p.consumers as f64;
                chart.draw_series([PathElement::new(
                    [(x, p.ci_low), (x, p.ci_high)],
                    colour.stroke_width(2),
                )])?;
                chart.draw_series([Text::new(
                    short(p.median),
                    (x + 0.06, p.median),
                    (FONT, LABEL_SIZE).into_font(),
                )])?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, LABEL_SIZE))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

/// A grey line at the partition count, where a consumer group stops scaling (left out when
/// the chart's consumers do not reach it).
/// The axes of a chart against the number of consumers in a group (x from 0.5 to the
/// largest count + 0.5, y from 0 to `y_hi`): a label at each count measured and none
/// between, then the partition-count marker.
pub(super) fn consumer_axes<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    counts: &[u32],
    y_desc: &str,
    partitions: u32,
    y_hi: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let max_consumers = counts.iter().copied().max().unwrap_or(1);
    chart
        .configure_mesh()
        .max_light_lines(0)
        .disable_x_mesh()
        .x_labels(max_consumers as usize * 2 + 2)
        .x_label_formatter(&|v| {
            let n = v.round();
            if (v - n).abs() < 1e-6 && counts.contains(&(n as u32)) {
                format!("{n}")
            } else {
                String::new()
            }
        })
        .x_desc("consumers in the group")
        .y_desc(y_desc)
        .axis_desc_style((FONT, DESC_SIZE))
        .label_style((FONT, LABEL_SIZE))
        .y_label_formatter(&|v| short(*v))
        .draw()?;
    mark_partitions(chart, partitions, max_consumers as f64 + 0.5, y_hi)
}

fn mark_partitions<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    partitions: u32,
    x_hi: f64,
    y_hi: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    if (partitions as f64) < x_hi {
        let x = partitions as f64;
        let grey = RGBColor(150, 150, 150);
        chart.draw_series([PathElement::new(
            [(x, 0.0), (x, y_hi)],
            grey.stroke_width(1),
        )])?;
        chart.draw_series([Text::new(
            format!("{partitions} partitions"),
            (x + 0.05, y_hi * 0.97),
            (FONT, LABEL_SIZE).into_font().color(&grey),
        )])?;
    }
    Ok(())
}
