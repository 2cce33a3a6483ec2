//! The look shared by every chart: sizes, fonts, colours, categorical axes.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::style::RGBColor;

/// Font family of every text: a generic family, so the SVG needs no font file.
pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: u32 = 20;
/// The smallest a long title may shrink to.
const TITLE_SIZE_MIN: u32 = 11;
pub const LABEL_SIZE: u32 = 14;
pub const DESC_SIZE: u32 = 15;

/// The font of a chart's title across `width` pixels: `TITLE_SIZE`, or smaller for a title
/// that would not fit (a sans-serif glyph is about 0.6 em wide; plotters draws a size of
/// 20 as 16.1 px).
pub fn title_font(title: &str, width: u32) -> (&'static str, u32) {
    let glyphs = title.chars().count().max(1) as f64;
    let fits = (width as f64 * 0.96 * 1.24 / (0.6 * glyphs)).floor() as u32;
    (FONT, fits.clamp(TITLE_SIZE_MIN, TITLE_SIZE))
}

/// Colours told apart by most readers, one per series (client or percentile).
pub const SERIES: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The colour of series `i`.
pub fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Viridis, sampled: dark purple (worst) to yellow (best), readable in grey scale too.
const VIRIDIS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// The colour of position `t` in 0..=1 on the heatmap scale.
pub fn scale_colour(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Text on a cell of scale position `t`: dark on the light end, white on the dark end.
pub fn text_on(t: f64) -> RGBColor {
    if t > 0.6 {
        RGBColor(0, 0, 0)
    } else {
        RGBColor(255, 255, 255)
    }
}

/// An axis of `n` categories: category `i` spans `i..i+1`, its tick and label at `i + 0.5`.
#[derive(Debug, Clone, Copy)]
pub struct Categories(usize);

/// The axis of `n` categories.
pub fn categories(n: usize) -> Categories {
    Categories(n.max(1))
}

impl Ranged for Categories {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = (limit.1 - limit.0) as f64;
        limit.0 + (value / self.0 as f64 * span).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // One tick per category, never the light in-between lines of a numeric axis.
        if hint.weight().allow_light_points() {
            return vec![];
        }
        (0..self.0).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> Range<f64> {
        0.0..self.0 as f64
    }
}

/// The category a tick value stands for.
pub fn category_of(value: f64) -> usize {
    value.floor().max(0.0) as usize
}

/// A range that holds every value with some room around it, from zero when `from_zero`.
pub fn padded_range(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.0, 1.0);
    }
    let span = if hi > lo {
        hi - lo
    } else {
        hi.abs().max(1.0) * 0.1
    };
    let lo = if from_zero {
        0.0_f64.min(lo)
    } else {
        lo - span * 0.1
    };
    (lo, hi + span * 0.1)
}

/// A range for a logarithmic axis: powers of ten around every positive value.
pub fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        return (0.1, 10.0);
    }
    (
        10f64.powf(lo.log10().floor()),
        10f64.powf(hi.log10().ceil().max(lo.log10().floor() + 1.0)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_title_shrinks_to_fit_its_chart() {
        assert_eq!(title_font("throughput", 420), (FONT, TITLE_SIZE));
        let long = "throughput (msg/s) against fetch.min.bytes (median of trials, interval)";
        let (_, size) = title_font(long, 420);
        assert!((TITLE_SIZE_MIN..TITLE_SIZE).contains(&size), "{size}");
        assert!(long.chars().count() as f64 * 0.6 * size as f64 / 1.24 <= 420.0);
        assert_eq!(title_font(long, 1680).1, TITLE_SIZE);
    }

    #[test]
    fn scale_ends_and_middle() {
        assert_eq!(scale_colour(0.0), RGBColor(68, 1, 84));
        assert_eq!(scale_colour(1.0), RGBColor(253, 231, 37));
        assert_eq!(scale_colour(0.5), RGBColor(33, 145, 140));
        assert_eq!(scale_colour(f64::NAN), RGBColor(68, 1, 84));
    }

    #[test]
    fn ranges() {
        assert_eq!(padded_range([10.0, 20.0].into_iter(), true), (0.0, 21.0));
        assert_eq!(padded_range([10.0, 20.0].into_iter(), false), (9.0, 21.0));
        assert_eq!(log_range([0.6, 399.0].into_iter()), (0.1, 1000.0));
        assert_eq!(log_range([5.0].into_iter()), (1.0, 10.0));
        assert_eq!(category_of(2.5), 2);
    }
}
