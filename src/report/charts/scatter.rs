//! Drawing points: clients side by side, and the trade-offs (one point per trial on two
//! metrics, the Pareto front marked).

use anyhow::Result;
use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use plotters::coord::combinators::LogCoord;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;

use super::rows::{draw_key, titled_with_key, Area};
use super::style::{
    categories, category_of, log_range, padded_range, series, title_font, DESC_SIZE, FONT,
    LABEL_SIZE,
};
use crate::report::format::{metric_label, short};
use crate::report::tradeoffs::{Axis, Tradeoff};

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

/// The SVG of a trade-off: a series per client, each point labelled, the Pareto front
/// ringed and joined by a dashed line; `references` are horizontal dashed lines with their
/// names (the payload's own compression ratios). An axis whose values span a factor of ten
/// or more is logarithmic.
pub fn draw_tradeoff(
    title: &str,
    t: &Tradeoff,
    clients: &[String],
    references: &[(String, f64)],
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let (key_area, area) = titled_with_key(&root, title)?;
        let xs = t.points.iter().map(|p| p.x);
        let ys = t
            .points
            .iter()
            .map(|p| p.y)
            .chain(references.iter().map(|r| r.1));
        let (x, y) = (AxisRange::of(xs), AxisRange::of(ys));
        let plot = Plot {
            t,
            clients,
            references,
            x_desc: axis_desc(t.x, x.log),
            y_desc: axis_desc(t.y, y.log),
        };
        match (x.log, y.log) {
            (false, false) => plot.draw(&area, x.linear(), y.linear())?,
            (true, false) => plot.draw(&area, x.logarithmic(), y.linear())?,
            (false, true) => plot.draw(&area, x.linear(), y.logarithmic())?,
            (true, true) => plot.draw(&area, x.logarithmic(), y.logarithmic())?,
        }
        let mut key: Vec<(&str, RGBColor)> = clients
            .iter()
            .enumerate()
            .filter(|(_, c)| t.points.iter().any(|p| &p.client == *c))
            .map(|(i, c)| (c.as_str(), series(i)))
            .collect();
        key.push(("ringed, dashed: the Pareto front", FRONT));
        draw_key(&key_area, 80, &key)?;
        root.present()?;
    }
    Ok(svg)
}

const WIDTH: u32 = 860;
const HEIGHT: u32 = 560;
const FRONT: RGBColor = RGBColor(60, 60, 60);
/// Font size of a point's label.
const POINT_LABEL: u32 = 12;
/// Half the side of the square a point's dot covers, in pixels; of a ringed one.
const DOT: i32 = 7;
const RING: i32 = 11;

/// The width of a point's label in pixels (a sans-serif glyph is about 0.6 em wide).
fn text_width(label: &str) -> i32 {
    (label.chars().count() as f64 * POINT_LABEL as f64 * 0.6).ceil() as i32
}

/// Where each point's label goes, as an offset of its top-left corner from the point: the
/// first of eight places around it that overlaps no dot and no label placed before it, or
/// right of the point when none is free. `pixels` are the points' positions, `widths` their
/// labels' widths, `radii` how far their marks reach.
fn place_labels(pixels: &[(i32, i32)], widths: &[i32], radii: &[i32]) -> Vec<(i32, i32)> {
    type Box = (i32, i32, i32, i32);
    let overlaps = |a: &Box, b: &Box| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let mut taken: Vec<Box> = pixels
        .iter()
        .zip(radii)
        .map(|((x, y), r)| (x - r, y - r, x + r, y + r))
        .collect();
    let h = POINT_LABEL as i32;
    let mut offsets = Vec::with_capacity(pixels.len());
    for ((&(x, y), &w), &r) in pixels.iter().zip(widths).zip(radii) {
        let places = [
            (r + 3, -h / 2),
            (-r - 3 - w, -h / 2),
            (r, -r - h),
            (r, r),
            (-w / 2, -r - h - 2),
            (-w / 2, r + 2),
            (-r - w, -r - h),
            (-r - w, r),
        ];
        let free = |&(dx, dy): &(i32, i32)| {
            let b = (x + dx, y + dy, x + dx + w, y + dy + h);
            !taken.iter().any(|t| overlaps(t, &b))
        };
        let (dx, dy) = places.iter().copied().find(free).unwrap_or(places[0]);
        taken.push((x + dx, y + dy, x + dx + w, y + dy + h));
        offsets.push((dx, dy));
    }
    offsets
}

/// `p99 ack latency (ms, log scale), lower is better`.
fn axis_desc(axis: Axis, log: bool) -> String {
    let mut label = match axis.metric {
        // Which latency: the table's short label leaves it to the mode.
        "latency_p99_ms" => "p99 end-to-end latency (ms)".to_string(),
        "ack_latency_p99_ms" => "p99 acknowledgement latency (ms)".to_string(),
        other => metric_label(other),
    };
    if log {
        label = match label.strip_suffix(')') {
            Some(open) => format!("{open}, log scale)"),
            None => format!("{label} (log scale)"),
        };
    }
    let way = if axis.higher_is_better {
        "higher"
    } else {
        "lower"
    };
    format!("{label}, {way} is better")
}

/// The span of an axis, and whether it is drawn logarithmic.
struct AxisRange {
    values: Vec<f64>,
    log: bool,
}

impl AxisRange {
    fn of(values: impl Iterator<Item = f64>) -> AxisRange {
        let values: Vec<f64> = values.filter(|v| v.is_finite()).collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        let log = lo > 0.0 && hi / lo >= 10.0;
        AxisRange { values, log }
    }

    fn linear(&self) -> RangedCoordf64 {
        let (lo, hi) = padded_range(self.values.iter().copied(), false);
        RangedCoordf64::from(lo.max(0.0)..hi)
    }

    fn logarithmic(&self) -> LogCoord<f64> {
        let (lo, hi) = log_range(self.values.iter().copied());
        (lo..hi).log_scale().into()
    }
}

struct Plot<'a> {
    t: &'a Tradeoff,
    clients: &'a [String],
    references: &'a [(String, f64)],
    x_desc: String,
    y_desc: String,
}

impl Plot<'_> {
    fn draw<X, Y>(&self, area: &Area<'_>, x: X, y: Y) -> Result<()>
    where
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (x_lo, x_hi) = (x.range().start, x.range().end);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .margin_right(40)
            .x_label_area_size(46)
            .y_label_area_size(80)
            .build_cartesian_2d(x, y)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, LABEL_SIZE))
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .draw()?;
        let grey = RGBColor(120, 120, 120);
        for (name, value) in self.references {
            chart.draw_series(DashedLineSeries::new(
                [(x_lo, *value), (x_hi, *value)],
                6,
                4,
                grey.stroke_width(1),
            ))?;
            // At the right end, where the costliest trials are and the front rarely passes.
            let style = TextStyle::from((FONT, 12).into_font())
                .color(&grey)
                .pos(Pos::new(HPos::Right, VPos::Bottom));
            let label = EmptyElement::at((x_hi, *value)) + Text::new(name.clone(), (-6, -3), style);
            chart.draw_series([label])?;
        }
        let mut front: Vec<(f64, f64)> = self.t.front().iter().map(|p| (p.x, p.y)).collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(DashedLineSeries::new(
            front.clone(),
            5,
            4,
            FRONT.stroke_width(2),
        ))?;
        chart.draw_series(
            front
                .iter()
                .map(|p| Circle::new(*p, 10, FRONT.stroke_width(2))),
        )?;
        // Labels go where they cover no other label and no point, nearest first.
        let pixels: Vec<(i32, i32)> = self
            .t
            .points
            .iter()
            .map(|p| chart.backend_coord(&(p.x, p.y)))
            .collect();
        let widths: Vec<i32> = self.t.points.iter().map(|p| text_width(&p.label)).collect();
        let radii: Vec<i32> = self
            .t
            .points
            .iter()
            .map(|p| if p.on_front { RING } else { DOT })
            .collect();
        let offsets = place_labels(&pixels, &widths, &radii);
        for (i, client) in self.clients.iter().enumerate() {
            let colour = series(i);
            let mine = self
                .t
                .points
                .iter()
                .zip(&offsets)
                .filter(|(p, _)| &p.client == client);
            chart.draw_series(mine.map(|(p, offset)| {
                EmptyElement::at((p.x, p.y))
                    + Circle::new((0, 0), 6, colour.filled())
                    + Text::new(p.label.clone(), *offset, (FONT, POINT_LABEL).into_font())
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_points_close_together_do_not_overlap() {
        // Two points 4 px apart and a third far away.
        let pixels = [(100, 100), (104, 102), (400, 300)];
        let widths = [24, 24, 24];
        let offsets = place_labels(&pixels, &widths, &[DOT; 3]);
        let h = POINT_LABEL as i32;
        let rect = |i: usize| {
            let (x, y) = (pixels[i].0 + offsets[i].0, pixels[i].1 + offsets[i].1);
            (x, y, x + widths[i], y + h)
        };
        let dot = |i: usize| {
            let (x, y) = pixels[i];
            (x - DOT, y - DOT, x + DOT, y + DOT)
        };
        let overlap = |a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)| {
            a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
        };
        // The first label's right-hand place would cover the second dot: it goes left.
        assert_eq!(offsets[0], (-DOT - 3 - 24, -h / 2));
        for (label, other) in [(0, 1), (1, 0)] {
            assert!(!overlap(rect(label), dot(other)), "{:?}", offsets);
            assert!(!overlap(rect(label), dot(label)), "{:?}", offsets);
        }
        assert!(!overlap(rect(0), rect(1)), "{offsets:?}");
        assert_eq!(
            offsets[2],
            (DOT + 3, -h / 2),
            "a lone point's label is on its right"
        );
    }
}
