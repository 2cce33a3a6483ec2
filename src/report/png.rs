//! PNG copies of the charts, for the places that take no SVG (an issue's attachments, slides,
//! chat): each SVG rendered by resvg at twice its size, its text in one of the machine's fonts.

use anyhow::{anyhow, Context, Result};
use resvg::{tiny_skia, usvg};

/// The sans-serif fonts tried for the charts' text, in order.
const SANS_SERIF: &[&str] = &["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"];

/// Pixels per SVG unit: sharp on high-density screens.
const SCALE: f32 = 2.0;

/// Renders chart SVGs with the machine's fonts, loaded once.
pub struct PngRenderer {
    options: usvg::Options<'static>,
}

impl PngRenderer {
    /// `None` when the machine has no font to write the charts' text with.
    pub fn new() -> Option<PngRenderer> {
        let mut options = usvg::Options::default();
        let fonts = options.fontdb_mut();
        fonts.load_system_fonts();
        let families: Vec<String> = fonts
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .collect();
        let sans = SANS_SERIF
            .iter()
            .map(|s| s.to_string())
            .find(|s| families.contains(s))
            .or_else(|| families.first().cloned())?;
        fonts.set_sans_serif_family(sans);
        Some(PngRenderer { options })
    }

    /// The PNG bytes of `svg`.
    pub fn render(&self, svg: &str) -> Result<Vec<u8>> {
        let tree = usvg::Tree::from_str(svg, &self.options).context("reading a chart's SVG")?;
        let size = tree.size();
        let (width, height) = (
            (size.width() * SCALE).ceil() as u32,
            (size.height() * SCALE).ceil() as u32,
        );
        let mut pixmap = tiny_skia::Pixmap::new(width, height)
            .ok_or_else(|| anyhow!("a chart of {width}x{height} pixels cannot be drawn"))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(SCALE, SCALE),
            &mut pixmap.as_mut(),
        );
        pixmap.encode_png().context("encoding a chart as PNG")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_becomes_a_png_of_twice_its_size_with_its_text_drawn() {
        let Some(renderer) = PngRenderer::new() else {
            panic!("no system font: install fonts-dejavu-core (scripts/setup.sh does)");
        };
        let svg = |text: &str| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="10" y="28" font-family="sans-serif" font-size="20">{text}</text></svg>"#
            )
        };
        let png = renderer.render(&svg("1234 msg/s")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (240, 80));
        // The text is drawn: a blank chart compresses to far fewer bytes.
        let blank = renderer.render(&svg("")).unwrap();
        assert!(
            png.len() > blank.len() + 200,
            "{} vs {}",
            png.len(),
            blank.len()
        );
    }
}
