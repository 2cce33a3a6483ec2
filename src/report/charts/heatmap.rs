//! Drawing a heatmap: a property × property grid of one metric, a value in every cell and a
//! colour scale beside it. Colour follows the evidence: the best cell is outlined, cells
//! whose runs a rank test (`stats::ties`) cannot tell from the best one's are one pale colour marked "tied", and only the
//! cells worse beyond the noise take their colour from the scale.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::Heatmap;
use super::standing::Standing;
use super::style::{
    categories, category_of, scale_colour, text_on, title_font, DESC_SIZE, FONT, LABEL_SIZE,
};
use crate::report::format::{metric_label, short};

/// How the values of a heatmap map to colours: `lo..hi`, the best end yellow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub higher_is_better: bool,
}

impl Scale {
    /// The scale that spans every value of the given heatmaps, so panels can be compared.
    pub fn spanning<'a>(maps: impl Iterator<Item = &'a Heatmap>, higher_is_better: bool) -> Scale {
        let (lo, hi) = maps
            .flat_map(|m| m.cells.iter().flatten().flatten().copied())
            .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Scale {
            lo,
            hi,
            higher_is_better,
        }
    }

    /// Position of `value` on the scale, 0 = worst and 1 = best.
    pub fn position(&self, value: f64) -> f64 {
        let t = if self.hi > self.lo {
            (value - self.lo) / (self.hi - self.lo)
        } else {
            1.0
        };
        if self.higher_is_better {
            t
        } else {
            1.0 - t
        }
    }
}

const WIDTH: u32 = 720;
const HEIGHT: u32 = 500;
const LEGEND_WIDTH: u32 = 130;
/// Under the colour bar: what the colours and marks say.
const LEGEND_NOTES: [&str; 5] = [
    "yellow = best",
    "outlined: the best",
    "pale, \"tied\": inside",
    "the noise (a rank",
    "test of the runs)",
];

/// The SVG of one heatmap of `metric`.
pub fn draw(map: &Heatmap, title: &str, metric: &str, scale: Scale) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let root = root.titled(title, title_font(title, root.dim_in_pixel().0))?;
        let (grid_area, legend_area) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        draw_grid(&grid_area, map, scale)?;
        draw_legend(&legend_area, metric, scale)?;
        root.present()?;
    }
    Ok(svg)
}

fn draw_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    map: &Heatmap,
    scale: Scale,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (nx, ny) = (map.x_values.len(), map.y_values.len());
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(categories(nx), categories(ny))?;
    let label =
        |values: &[String], v: &f64| values.get(category_of(*v)).cloned().unwrap_or_default();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(map.x_property.as_str())
        .y_desc(map.y_property.as_str())
        .axis_desc_style((FONT, DESC_SIZE))
        .label_style((FONT, LABEL_SIZE))
        .x_label_formatter(&|v| label(&map.x_values, v))
        .y_label_formatter(&|v| label(&map.y_values, v))
        .draw()?;
    for (yi, row) in map.cells.iter().enumerate() {
        for (xi, cell) in row.iter().enumerate() {
            let (x, y) = (xi as f64, yi as f64);
            let corners = [(x + 0.02, y + 0.02), (x + 0.98, y + 0.98)];
            let centre = (x + 0.5, y + 0.5);
            let centred = Pos::new(HPos::Center, VPos::Center);
            let standing = map
                .standing
                .get(yi)
                .and_then(|r| r.get(xi))
                .copied()
                .flatten();
            match cell {
                Some(v) => {
                    let look = look(scale.position(*v), standing);
                    chart.draw_series([Rectangle::new(corners, look.fill.filled())])?;
                    if look.outline > 0 {
                        let inset = [(x + 0.06, y + 0.06), (x + 0.94, y + 0.94)];
                        chart.draw_series([Rectangle::new(
                            inset,
                            BLACK.stroke_width(look.outline),
                        )])?;
                    }
                    let style = TextStyle::from((FONT, 16).into_font())
                        .color(&look.ink)
                        .pos(centred);
                    let label = match look.mark {
                        Some(_) => (x + 0.5, y + 0.58),
                        None => centre,
                    };
                    chart.draw_series([Text::new(short(*v), label, style)])?;
                    if let Some(mark) = look.mark {
                        let style = TextStyle::from((FONT, 12).into_font())
                            .color(&look.ink)
                            .pos(centred);
                        chart.draw_series([Text::new(mark, (x + 0.5, y + 0.36), style)])?;
                    }
                }
                None => {
                    chart
                        .draw_series([Rectangle::new(corners, RGBColor(235, 235, 235).filled())])?;
                    let style = TextStyle::from((FONT, 13).into_font())
                        .color(&RGBColor(90, 90, 90))
                        .pos(centred);
                    chart.draw_series([Text::new("not measured", centre, style)])?;
                }
            }
        }
    }
    Ok(())
}

/// How a measured cell is drawn: the best outlined in bold, the cells tied with it in one
/// pale colour (their differences are inside the noise), the others on the colour scale.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Look {
    fill: RGBColor,
    ink: RGBColor,
    outline: u32,
    mark: Option<&'static str>,
}

/// The pale colour of every cell tied with the best: the best end of the scale, faded.
const TIED_FILL: RGBColor = RGBColor(253, 244, 176);

fn look(position: f64, standing: Option<Standing>) -> Look {
    match standing {
        Some(Standing::Best) => Look {
            fill: scale_colour(1.0),
            ink: text_on(1.0),
            outline: 4,
            mark: Some("best"),
        },
        Some(Standing::TiedWithBest) => Look {
            fill: TIED_FILL,
            ink: RGBColor(60, 60, 60),
            outline: 0,
            mark: Some("tied"),
        },
        Some(Standing::Worse) | None => Look {
            fill: scale_colour(position),
            ink: text_on(position),
            outline: 0,
            mark: None,
        },
    }
}

/// A vertical bar of the colour scale with its values, increasing upwards.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    metric: &str,
    scale: Scale,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = if scale.hi > scale.lo {
        (scale.lo, scale.hi)
    } else {
        (scale.lo - 1.0, scale.lo + 1.0)
    };
    let mut chart = ChartBuilder::on(area)
        .margin_top(20)
        .margin_bottom(100)
        .margin_right(8)
        .y_label_area_size(62)
        .caption(metric_label(metric), (FONT, LABEL_SIZE))
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .label_style((FONT, LABEL_SIZE - 1))
        .y_label_formatter(&|v| short(*v))
        .draw()?;
    let note =
        TextStyle::from((FONT, LABEL_SIZE - 1).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    let (width, height) = area.dim_in_pixel();
    for (i, line) in LEGEND_NOTES.iter().enumerate() {
        area.draw(&Text::new(
            *line,
            (width as i32 / 2, height as i32 - 84 + 15 * i as i32),
            note.clone(),
        ))?;
    }
    const STEPS: usize = 60;
    let step = (hi - lo) / STEPS as f64;
    chart.draw_series((0..STEPS).map(|i| {
        let v0 = lo + step * i as f64;
        let colour = scale_colour(scale.position(v0 + step / 2.0));
        Rectangle::new([(0.0, v0), (1.0, v0 + step)], colour.filled())
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_is_one_whichever_the_direction() {
        let up = Scale {
            lo: 10.0,
            hi: 20.0,
            higher_is_better: true,
        };
        let down = Scale {
            higher_is_better: false,
            ..up
        };
        assert_eq!((up.position(20.0), up.position(15.0)), (1.0, 0.5));
        assert_eq!((down.position(10.0), down.position(20.0)), (1.0, 0.0));
        let flat = Scale {
            lo: 5.0,
            hi: 5.0,
            higher_is_better: true,
        };
        assert_eq!(flat.position(5.0), 1.0);
    }

    /// Cells tied with the best look alike whatever their medians; worse cells keep the scale.
    #[test]
    fn colour_follows_the_evidence() {
        let tied = [0.1, 0.5, 0.9].map(|t| look(t, Some(Standing::TiedWithBest)));
        assert!(tied.iter().all(|l| *l == tied[0] && l.mark == Some("tied")));
        assert_ne!(tied[0].fill, scale_colour(0.9));
        let best = look(0.7, Some(Standing::Best));
        assert_eq!(
            (best.fill, best.outline, best.mark),
            (scale_colour(1.0), 4, Some("best"))
        );
        let worse = look(0.2, Some(Standing::Worse));
        assert_eq!(
            (worse.fill, worse.outline, worse.mark),
            (scale_colour(0.2), 0, None)
        );
    }
}
