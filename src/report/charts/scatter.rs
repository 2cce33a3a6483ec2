//! Drawing points: clients side by side, and the throughput/latency trade-off.

use anyhow::Result;
use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;

use super::data::TradeoffPoint;
use super::style::{
    categories, category_of, log_range, padded_range, series, title_font, DESC_SIZE, FONT,
    LABEL_SIZE,
};
use crate::report::format::{metric_label, short};

/// The SVG of every trial's median per client (log scale: clients differ by orders of
/// magnitude), each client's best trial ringed.
pub fn draw_clients(
    title: &str,
    clients: &[(String, Vec<f64>)],
    metric: &str,
    higher_is_better: bool,
) -> Result<String> {
    let mut svg = String::new();
    {
        let width = 240 + 200 * clients.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 460)).into_drawing_area();
        root.fill(&WHITE)?;
        let (lo, hi) = log_range(clients.iter().flat_map(|(_, v)| v.iter().copied()));
        let mut chart = ChartBuilder::on(&root)
            .caption(title, title_font(title, root.dim_in_pixel().0))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(categories(clients.len()), (lo..hi).log_scale())?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .disable_x_mesh()
            .x_desc("client")
            .y_desc(format!("{}, log scale", metric_label(metric)))
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, LABEL_SIZE))
            .x_label_formatter(&|v| {
                clients
                    .get(category_of(*v))
                    .map(|c| c.0.clone())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|v| short(*v))
            .draw()?;
        for (i, (_, medians)) in clients.iter().enumerate() {
            let colour = series(i);
            // Spread the dots across the column so equal values stay visible.
            let x = |k: usize| i as f64 + 0.2 + 0.6 * (k as f64 + 0.5) / medians.len() as f64;
            chart.draw_series(
                medians
                    .iter()
                    .enumerate()
                    .map(|(k, m)| Circle::new((x(k), *m), 4, colour.mix(0.6).filled())),
            )?;
            let best = if higher_is_better {
                medians.iter().copied().fold(f64::MIN, f64::max)
            } else {
                medians.iter().copied().fold(f64::MAX, f64::min)
            };
            let k = medians.iter().position(|m| *m == best).unwrap_or(0);
            chart.draw_series([Circle::new((x(k), best), 9, colour.stroke_width(2))])?;
            let label = EmptyElement::at((x(k), best))
                + Text::new(
                    format!("best {}", short(best)),
                    (-30, -30),
                    (FONT, LABEL_SIZE).into_font(),
                );
            chart.draw_series([label])?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// The SVG of p99 latency (x, log scale) against `y_metric`, a series per client, each point
/// labelled with its trial id.
pub fn draw_tradeoff(
    title: &str,
    points: &[TradeoffPoint],
    clients: &[String],
    y_metric: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (820, 520)).into_drawing_area();
        root.fill(&WHITE)?;
        let (xlo, xhi) = log_range(points.iter().map(|p| p.latency_p99_ms));
        let (ylo, yhi) = padded_range(points.iter().map(|p| p.y), true);
        // Head room for the key, which sits in the upper right.
        let yhi = yhi + (yhi - ylo) * 0.25;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, title_font(title, root.dim_in_pixel().0))
            .margin(12)
            .margin_right(30)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d((xlo..xhi).log_scale(), ylo..yhi)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_desc("p99 end-to-end latency (ms, log scale)")
            .y_desc(metric_label(y_metric))
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, LABEL_SIZE))
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .draw()?;
        for (i, client) in clients.iter().enumerate() {
            let colour = series(i);
            let mine: Vec<&TradeoffPoint> = points.iter().filter(|p| &p.client == client).collect();
            if mine.is_empty() {
                continue;
            }
            let point = |p: &&TradeoffPoint| {
                EmptyElement::at((p.latency_p99_ms, p.y))
                    + Circle::new((0, 0), 6, colour.filled())
                    + Text::new(
                        p.trial_id.clone(),
                        (8, -4 + 12 * i as i32),
                        (FONT, 12).into_font(),
                    )
            };
            chart
                .draw_series(mine.iter().map(point))?
                .label(client.as_str())
                .legend(move |(x, y)| Circle::new((x + 8, y), 6, colour.filled()));
        }
        chart
            .configure_series_labels()
            .label_font((FONT, LABEL_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
