//! Charts: each takes plain numbers and a canvas, never engine types.
//!
//! Canvases are sized to their CSS box times the device pixel ratio on every draw, so charts stay
//! sharp on any screen and follow the layout; colours come from the page's CSS custom properties
//! so both themes share one set of drawing code.

pub mod bars;
pub mod contour;
pub mod grid;
pub mod heatmap;
pub mod line;
pub mod network;
pub mod place;
pub mod scatter;
pub mod ticks;

use crate::dom;
use crate::error::{Result, WebError};
use plotters::style::RGBAColor;
use web_sys::HtmlCanvasElement;

/// The page's colours, read from CSS so charts follow the theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Text and axes.
    pub ink: RGBAColor,
    /// Secondary text.
    pub muted: RGBAColor,
    /// Grid lines.
    pub grid: RGBAColor,
    /// The figure's background.
    pub card: RGBAColor,
    /// Positive values (and the main series).
    pub blue: RGBAColor,
    /// Negative values (and the second series).
    pub orange: RGBAColor,
    /// The shading of regions where a gradient vanishes.
    pub vanish: RGBAColor,
    /// The third, fourth and fifth classes' colours (after blue and orange), from `--class-3` to
    /// `--class-5`, so the colour-blind-safe palette can change them too.
    pub classes: [RGBAColor; 3],
}

/// Parses `#rrggbb`, `#rgb` or `rgb(a)(r, g, b[, a])`.
pub fn parse_color(text: &str) -> Option<RGBAColor> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix('#') {
        let full: String = if hex.len() == 3 {
            hex.chars().flat_map(|c| [c, c]).collect()
        } else {
            hex.to_owned()
        };
        if full.len() != 6 {
            return None;
        }
        let n = u32::from_str_radix(&full, 16).ok()?;
        return Some(RGBAColor((n >> 16) as u8, (n >> 8) as u8, n as u8, 1.0));
    }
    let inner = t
        .strip_prefix("rgba(")
        .or_else(|| t.strip_prefix("rgb("))?
        .strip_suffix(')')?;
    let parts: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    let byte = |v: f64| v.clamp(0.0, 255.0) as u8;
    match parts.as_slice() {
        [r, g, b] => Some(RGBAColor(byte(*r), byte(*g), byte(*b), 1.0)),
        [r, g, b, a] => Some(RGBAColor(byte(*r), byte(*g), byte(*b), a.clamp(0.0, 1.0))),
        _ => None,
    }
}

impl Palette {
    /// The light theme's colours, as `www/style.css` sets them: what a colour falls back to when
    /// the page does not define it, and the palette of tests that run without a page.
    pub const LIGHT: Palette = Palette {
        ink: RGBAColor(0x1c, 0x1d, 0x1f, 1.0),
        muted: RGBAColor(0x5d, 0x61, 0x66, 1.0),
        grid: RGBAColor(0xec, 0xeb, 0xe6, 1.0),
        card: RGBAColor(0xff, 0xff, 0xff, 1.0),
        blue: RGBAColor(0x08, 0x77, 0xbd, 1.0),
        orange: RGBAColor(0xe8, 0x71, 0x0a, 1.0),
        vanish: RGBAColor(120, 120, 120, 0.16),
        classes: [
            RGBAColor(0x3a, 0x9e, 0x5c, 1.0),
            RGBAColor(0x8e, 0x6b, 0xd1, 1.0),
            RGBAColor(0xa8, 0x74, 0x4c, 1.0),
        ],
    };

    /// Reads the palette from the document's computed style.
    pub fn from_css() -> Result<Self> {
        let doc = dom::document()?;
        let root = doc
            .document_element()
            .ok_or_else(|| WebError::MissingElement("the root element".into()))?;
        let style = dom::window()?
            .get_computed_style(&root)?
            .ok_or_else(|| WebError::Browser("no computed style".into()))?;
        let get = |name: &str, fallback: RGBAColor| {
            style
                .get_property_value(name)
                .ok()
                .and_then(|v| parse_color(&v))
                .unwrap_or(fallback)
        };
        let light = Self::LIGHT;
        Ok(Self {
            ink: get("--ink", light.ink),
            muted: get("--muted", light.muted),
            grid: get("--grid", light.grid),
            card: get("--card", light.card),
            blue: get("--blue", light.blue),
            orange: get("--orange", light.orange),
            vanish: get("--vanish", light.vanish),
            classes: [
                get("--class-3", light.classes[0]),
                get("--class-4", light.classes[1]),
                get("--class-5", light.classes[2]),
            ],
        })
    }
}

/// Sizes the canvas's pixel buffer to its CSS box at the device pixel ratio, and returns that
/// ratio, or `None` when the canvas has no box (hidden), in which case nothing should be drawn.
pub fn fit_canvas(canvas: &HtmlCanvasElement) -> Result<Option<f64>> {
    let ratio = dom::window()?.device_pixel_ratio().max(1.0);
    let (w, h) = (canvas.client_width(), canvas.client_height());
    if w <= 0 || h <= 0 {
        return Ok(None);
    }
    let pw = (f64::from(w) * ratio).round() as u32;
    let ph = (f64::from(h) * ratio).round() as u32;
    if canvas.width() != pw {
        canvas.set_width(pw);
    }
    if canvas.height() != ph {
        canvas.set_height(ph);
    }
    Ok(Some(ratio))
}

/// Maps any drawing error to a [`WebError::Chart`].
pub fn chart_err(e: impl std::fmt::Display) -> WebError {
    WebError::Chart(e.to_string())
}

/// The sans-serif font stack the page uses, for chart labels.
pub const FONT: &str = "system-ui, sans-serif";

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn parses_css_colours() {
        assert_eq!(parse_color("#0877bd"), Some(RGBAColor(8, 119, 189, 1.0)));
        assert_eq!(parse_color(" #fff "), Some(RGBAColor(255, 255, 255, 1.0)));
        assert_eq!(
            parse_color("rgba(120, 120, 120, 0.16)"),
            Some(RGBAColor(120, 120, 120, 0.16))
        );
        assert_eq!(parse_color("rgb(1,2,3)"), Some(RGBAColor(1, 2, 3, 1.0)));
        assert_eq!(parse_color("blue"), None);
        assert_eq!(parse_color("#12345"), None);
    }
}
