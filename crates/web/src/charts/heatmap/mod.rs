//! A heatmap: a network's output over the input plane, with the data points on top.
//!
//! The field is an `n × n` grid of plain numbers (row 0 is the top of the plot, the largest `y`).
//! It becomes RGBA bytes in a buffer the [`Heatmap`] keeps, one `putImageData` onto a hidden
//! `n × n` canvas, and one `drawImage` scaled (and smoothed) onto the visible canvas; only the
//! points, ticks and border are drawn with the 2-D context. Nothing is drawn per cell.
//!
//! By concern: [`colour`] turns values into the palette's colours, [`pixels`] turns a field into
//! RGBA bytes (and holds the pixel primitives other charts share), [`frame`] places the plot on
//! its canvas and maps data units to pixels; the ticks come from [`crate::charts::ticks`]. This
//! file holds what a heatmap shows ([`HeatmapSpec`]) and the drawing ([`Heatmap::draw`]). The
//! pure parts run anywhere; drawing and [`ThumbnailAtlas`] need a browser.

pub mod colour;
pub mod frame;
pub mod pixels;

pub use colour::*;
pub use frame::*;
pub use pixels::*;

use super::ticks::{step_decimals, ticks_into};
use super::{FONT, Palette, fit_canvas};
use crate::dom;
use crate::error::{Result, WebError};
use pixels::hidden_canvas;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The input plane's default range on both axes, in data units (TensorFlow Playground's −6..6).
pub const DEFAULT_RANGE: (f32, f32) = (-6.0, 6.0);

/// How strongly the main heatmap's colours are laid over the card colour (0 = card, 1 = full).
///
/// TensorFlow Playground paints its background at alpha 160/255 so that the points, drawn at full
/// strength, stand out; the same wash is applied here as opaque pixels.
pub const FIELD_STRENGTH: f32 = 160.0 / 255.0;

/// Which part of the data a point belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Used for training: drawn filled with an outline in the card colour.
    Train,
    /// Held out while training: drawn hollow, a ring in its colour.
    Validation,
    /// Held out until the end: drawn filled with an outline in the ink colour, only when asked.
    Test,
}

/// Which splits the heatmap shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Splits {
    /// Show training points.
    pub train: bool,
    /// Show validation points.
    pub validation: bool,
    /// Show test points.
    pub test: bool,
}

impl Splits {
    /// Training and validation points, not the test set (the usual view while training).
    pub const TRAINING: Splits = Splits {
        train: true,
        validation: true,
        test: false,
    };

    /// Every point.
    pub const ALL: Splits = Splits {
        train: true,
        validation: true,
        test: true,
    };

    /// Whether points of `split` are shown.
    pub fn shows(&self, split: Split) -> bool {
        match split {
            Split::Train => self.train,
            Split::Validation => self.validation,
            Split::Test => self.test,
        }
    }
}

/// A data point on the plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Its first input, in data units.
    pub x: f32,
    /// Its second input, in data units.
    pub y: f32,
    /// Its label: a class index, ±1 for two classes, or a target value, coloured by the scale.
    pub class_or_value: f32,
    /// Its split.
    pub split: Split,
    /// Whether it is selected (drawn larger, with a ring).
    pub selected: bool,
}

/// Everything a heatmap shows.
#[derive(Debug, Clone, Copy)]
pub struct HeatmapSpec<'a> {
    /// The field over the plane: `n × n` cells, row-major, row 0 at the top (the largest `y`).
    pub field: Field<'a>,
    /// The grid's side (at least 2; 100 is typical).
    pub n: usize,
    /// The plane's horizontal range, in data units (see [`DEFAULT_RANGE`]).
    pub x_range: (f32, f32),
    /// The plane's vertical range, in data units.
    pub y_range: (f32, f32),
    /// How values and point labels become colours.
    pub scale: ColorScale,
    /// Hard colours at the neutral value (or at full class colour) instead of a gradient.
    pub discretize: bool,
    /// The data points.
    pub points: &'a [Point],
    /// Which of the points' splits to draw.
    pub splits: Splits,
    /// Small tick labels along the bottom and left (the plot shrinks to make room).
    pub ticks: bool,
}

impl HeatmapSpec<'_> {
    /// Refuses a grid smaller than 2 × 2, a field of the wrong size, an empty or non-finite
    /// range and an unusable colour scale.
    pub fn validate(&self) -> Result<()> {
        let n = self.n;
        if n < 2 {
            return Err(WebError::Chart(format!(
                "a heatmap needs at least 2 × 2 cells, not {n} × {n}"
            )));
        }
        if self.field.len() != n * n {
            return Err(WebError::Chart(format!(
                "a {n} × {n} heatmap needs {} values, not {}",
                n * n,
                self.field.len()
            )));
        }
        for (axis, (lo, hi)) in [("x", self.x_range), ("y", self.y_range)] {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(WebError::Chart(format!(
                    "the {axis} range {lo}..{hi} is empty or not finite"
                )));
            }
        }
        self.scale.validate()
    }
}

/// Sizes `canvas` to its box at the device pixel ratio and places a plot of the ranges on it:
/// the ratio and the frame, or `None` when the canvas has no box (hidden) and nothing is drawn.
pub fn fit_plot(
    canvas: &HtmlCanvasElement,
    x_range: (f32, f32),
    y_range: (f32, f32),
    ticks: bool,
) -> Result<Option<(f64, PlotFrame)>> {
    let Some(ratio) = fit_canvas(canvas)? else {
        return Ok(None);
    };
    let (width, height) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    let frame = PlotFrame::new(width, height, x_range, y_range, ticks);
    Ok(Some((ratio, frame)))
}

/// The tick labels' font size, in CSS pixels.
const TICK_FONT_PX: f64 = 10.0;

/// A heatmap that keeps its pixel buffer, its hidden `n × n` canvas and its last frame between
/// draws: once the grid size is known, a frame allocates only its `ImageData` and the few tick
/// labels.
#[derive(Default)]
pub struct Heatmap {
    rgba: Vec<u8>,
    backing: HiddenImage,
    frame: Option<PlotFrame>,
    ticks: Vec<f32>,
    css: String,
    /// The points drawn once on a transparent canvas of the target's size, and the fingerprint
    /// of what they were drawn from: while a network trains the field changes every frame but
    /// the points do not, and hundreds of anti-aliased circles are the costliest part to paint.
    points_layer: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
    points_key: u64,
}

impl Heatmap {
    /// An empty heatmap; its buffers are made on the first draw.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frame of the last draw (`None` before the first draw or while the canvas is hidden).
    pub fn frame(&self) -> Option<&PlotFrame> {
        self.frame.as_ref()
    }

    /// The data coordinates under a CSS pixel of the last drawn frame.
    pub fn to_data(&self, px: f64, py: f64) -> Option<(f32, f32)> {
        self.frame.map(|f| f.to_data(px, py))
    }

    /// The CSS pixel at data coordinates, in the last drawn frame.
    pub fn to_pixel(&self, x: f32, y: f32) -> Option<(f64, f64)> {
        self.frame.map(|f| f.to_pixel(x, y))
    }

    /// Draws `spec` on `canvas`, sized at the device pixel ratio; a hidden canvas is skipped.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        spec: &HeatmapSpec<'_>,
        palette: &Palette,
    ) -> Result<()> {
        spec.validate()?;
        let n = spec.n;
        let Some((ratio, frame)) = fit_plot(canvas, spec.x_range, spec.y_range, spec.ticks)? else {
            self.frame = None;
            return Ok(());
        };
        self.frame = Some(frame);

        self.rgba.resize(n * n * 4, 0);
        fill_field(
            &mut self.rgba,
            spec.field,
            spec.scale,
            spec.discretize,
            FIELD_STRENGTH,
            palette,
        )?;
        let image = self.backing.put(&self.rgba, n, n)?;
        let ctx = paint_plot(canvas, ratio, image, frame.plot, palette, &mut self.css)?;
        if spec.ticks {
            self.draw_ticks(&ctx, &frame, palette)?;
        }
        let key = points_key(
            &frame,
            spec,
            palette,
            (canvas.width(), canvas.height()),
            ratio,
        );
        let layer = match self.points_layer.take() {
            Some(layer) if self.points_key == key => layer,
            reused => {
                let layer = match reused {
                    Some(layer) => layer,
                    None => hidden_canvas()?,
                };
                layer.0.set_width(canvas.width());
                layer.0.set_height(canvas.height());
                layer.1.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
                self.draw_points(&layer.1, &frame, spec, palette)?;
                self.points_key = key;
                layer
            }
        };
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        ctx.draw_image_with_html_canvas_element(&self.points_layer.insert(layer).0, 0.0, 0.0)?;
        Ok(())
    }

    /// Small tick marks and labels along the bottom and left edges.
    fn draw_ticks(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        frame: &PlotFrame,
        palette: &Palette,
    ) -> Result<()> {
        let p = frame.plot;
        let muted = rgb(palette.muted);
        ctx.set_font(&format!("{TICK_FONT_PX}px {FONT}"));
        ctx.set_fill_style_str(css_rgba(&mut self.css, muted, 1.0));
        ctx.set_stroke_style_str(css_rgba(&mut self.css, muted, 0.7));
        ctx.set_line_width(1.0);

        let step = ticks_into(frame.x_range.0, frame.x_range.1, 5, &mut self.ticks);
        let decimals = step_decimals(step);
        ctx.set_text_align("center");
        ctx.set_text_baseline("top");
        ctx.begin_path();
        for &v in &self.ticks {
            let (x, _) = frame.to_pixel(v, frame.y_range.0);
            let x = x.round() + 0.5;
            ctx.move_to(x, p.bottom());
            ctx.line_to(x, p.bottom() + 3.0);
            ctx.fill_text(&dom::fmt(f64::from(v), decimals), x, p.bottom() + 4.0)?;
        }
        let step = ticks_into(frame.y_range.0, frame.y_range.1, 5, &mut self.ticks);
        let decimals = step_decimals(step);
        ctx.set_text_align("right");
        ctx.set_text_baseline("middle");
        for &v in &self.ticks {
            let (_, y) = frame.to_pixel(frame.x_range.0, v);
            let y = y.round() + 0.5;
            ctx.move_to(p.x, y);
            ctx.line_to(p.x - 3.0, y);
            ctx.fill_text(&dom::fmt(f64::from(v), decimals), p.x - 5.0, y)?;
        }
        ctx.stroke();
        Ok(())
    }

    /// The shown points: unselected first, selected on top.
    fn draw_points(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        frame: &PlotFrame,
        spec: &HeatmapSpec<'_>,
        palette: &Palette,
    ) -> Result<()> {
        let r = frame.point_radius();
        let card = rgb(palette.card);
        let ink = rgb(palette.ink);
        for selected_pass in [false, true] {
            for p in spec.points {
                if p.selected != selected_pass || !spec.splits.shows(p.split) {
                    continue;
                }
                if !(p.x.is_finite() && p.y.is_finite()) {
                    continue;
                }
                let (x, y) = frame.to_pixel(p.x, p.y);
                let color = spec.scale.color(p.class_or_value, palette);
                let radius = if p.selected { r * 1.5 } else { r };
                let (fill, stroke, width) = match p.split {
                    Split::Train => (color, card, 1.0),
                    Split::Validation => (card, color, 1.75),
                    Split::Test => (color, ink, 1.0),
                };
                ctx.begin_path();
                ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU)?;
                ctx.set_fill_style_str(css_rgba(&mut self.css, fill, 1.0));
                ctx.fill();
                ctx.set_line_width(width);
                ctx.set_stroke_style_str(css_rgba(&mut self.css, stroke, 1.0));
                ctx.stroke();
                if p.selected {
                    ctx.begin_path();
                    ctx.arc(x, y, radius + 3.0, 0.0, std::f64::consts::TAU)?;
                    ctx.set_line_width(1.5);
                    ctx.set_stroke_style_str(css_rgba(&mut self.css, ink, 1.0));
                    ctx.stroke();
                }
            }
        }
        Ok(())
    }
}

/// A fingerprint of everything the points layer is drawn from: each shown point's position,
/// colours, split and selection, the plot's geometry, the canvas's pixel size and ratio.
fn points_key(
    frame: &PlotFrame,
    spec: &HeatmapSpec<'_>,
    palette: &Palette,
    pixels: (u32, u32),
    ratio: f64,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    pixels.hash(&mut h);
    ratio.to_bits().hash(&mut h);
    for v in [
        frame.plot.x,
        frame.plot.y,
        frame.plot.w,
        frame.plot.h,
        frame.point_radius(),
    ] {
        v.to_bits().hash(&mut h);
    }
    for v in [
        frame.x_range.0,
        frame.x_range.1,
        frame.y_range.0,
        frame.y_range.1,
    ] {
        v.to_bits().hash(&mut h);
    }
    (rgb(palette.card), rgb(palette.ink)).hash(&mut h);
    for p in spec.points {
        if !spec.splits.shows(p.split) {
            continue;
        }
        (p.x.to_bits(), p.y.to_bits(), p.split as u8, p.selected).hash(&mut h);
        spec.scale.color(p.class_or_value, palette).hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_with_a_wrong_size_or_range_is_refused() {
        let values = [0.0; 9];
        let spec = HeatmapSpec {
            field: Field::Values(&values),
            n: 3,
            x_range: DEFAULT_RANGE,
            y_range: DEFAULT_RANGE,
            scale: ColorScale::UNIT,
            discretize: false,
            points: &[],
            splits: Splits::TRAINING,
            ticks: true,
        };
        assert!(spec.validate().is_ok());
        assert!(HeatmapSpec { n: 4, ..spec }.validate().is_err());
        let one = [0.0];
        let tiny = HeatmapSpec {
            field: Field::Values(&one),
            n: 1,
            ..spec
        };
        assert!(tiny.validate().is_err(), "one cell is not a plane");
        let flat = HeatmapSpec {
            x_range: (2.0, 2.0),
            ..spec
        };
        let err = flat.validate().map_err(|e| e.to_string());
        assert!(
            err.as_ref().is_err_and(|e| e.contains("x range")),
            "{err:?}"
        );
        let backwards = HeatmapSpec {
            y_range: (6.0, -6.0),
            ..spec
        };
        assert!(backwards.validate().is_err());
    }
}
