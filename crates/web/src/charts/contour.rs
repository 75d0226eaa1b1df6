//! A contour map of a 2-D surface with paths drawn across it: the optimizers figure's race.
//!
//! The surface arrives as an `n × n` grid of values (row 0 at the top). Values are mapped to
//! levels on a logarithmic scale above the grid's minimum, so both steep walls and flat valley
//! floors show structure; each level is a band of its own shade with a darker line at its edge,
//! built as bytes and put on a hidden canvas in one `ImageData`, then scaled onto the chart.
//! Paths are polylines in their own colours, each ending in a dot; the shared start is a ring.

use super::Palette;
use super::heatmap::{HiddenImage, PlotFrame, Rgb, css_rgba, fit_plot, mix, paint_plot, rgb};
use crate::error::{Result, WebError};
use plotters::style::RGBAColor;
use web_sys::HtmlCanvasElement;

/// How many bands the values are split into.
const LEVELS: f32 = 14.0;

/// One path across the map.
#[derive(Debug, Clone)]
pub struct Path<'a> {
    /// Its points in data units, in order.
    pub points: &'a [[f32; 2]],
    /// Its colour.
    pub color: RGBAColor,
}

/// Everything the map shows.
#[derive(Debug, Clone)]
pub struct ContourSpec<'a> {
    /// The side of the grid.
    pub n: usize,
    /// `n × n` values, row 0 at the top (largest y).
    pub values: &'a [f32],
    /// The horizontal range.
    pub x_range: (f32, f32),
    /// The vertical range.
    pub y_range: (f32, f32),
    /// The paths, drawn in order (later ones on top).
    pub paths: Vec<Path<'a>>,
    /// The shared starting point, drawn as a ring.
    pub start: [f32; 2],
    /// Known minima, drawn as small crosses.
    pub minima: &'a [[f32; 2]],
}

/// The contour map, keeping its pixel buffer, hidden canvas and frame between draws.
#[derive(Default)]
pub struct ContourMap {
    rgba: Vec<u8>,
    levels: Vec<i32>,
    backing: HiddenImage,
    frame: Option<PlotFrame>,
    css: String,
}

impl ContourMap {
    /// An empty map; its buffers are made on the first draw.
    pub fn new() -> Self {
        Self::default()
    }

    /// The data coordinates under a CSS pixel of the last draw (`None` before it).
    pub fn to_data(&self, px: f64, py: f64) -> Option<(f32, f32)> {
        self.frame.map(|f| f.to_data(px, py))
    }

    /// Recolours the grid into the pixel buffer: log-spaced bands with darker edges.
    fn fill(&mut self, spec: &ContourSpec<'_>, palette: &Palette) {
        let n = spec.n;
        let finite = spec.values.iter().copied().filter(|v| v.is_finite());
        let min = finite.clone().fold(f32::INFINITY, f32::min);
        let max = finite.fold(f32::NEG_INFINITY, f32::max);
        let span = (max - min).max(1e-12);
        // Levels of log(1 + (v − min)/s) with s a small part of the range.
        let s = span * 1e-3;
        let top = (1.0 + span / s).ln();
        self.levels.clear();
        self.levels.extend(spec.values.iter().map(|&v| {
            if v.is_finite() {
                ((1.0 + (v - min) / s).ln() / top * LEVELS).floor() as i32
            } else {
                LEVELS as i32
            }
        }));
        let (card, blue, ink) = (rgb(palette.card), rgb(palette.blue), rgb(palette.ink));
        self.rgba.resize(n * n * 4, 0);
        for r in 0..n {
            for c in 0..n {
                let i = r * n + c;
                let level = self.levels[i];
                // Low ground is the strongest blue, high ground fades to the card.
                let t = 1.0 - level as f32 / LEVELS;
                let mut color: Rgb = mix(card, blue, 0.04 + 0.36 * t);
                let edge = (c + 1 < n && self.levels[i + 1] != level)
                    || (r + 1 < n && self.levels[i + n] != level);
                if edge {
                    color = mix(color, ink, 0.25);
                }
                self.rgba[i * 4..i * 4 + 4].copy_from_slice(&[color[0], color[1], color[2], 255]);
            }
        }
    }

    /// Draws `spec` on `canvas` at the device pixel ratio; a hidden canvas is skipped.
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        spec: &ContourSpec<'_>,
        palette: &Palette,
    ) -> Result<()> {
        if spec.n == 0 || spec.values.len() != spec.n * spec.n {
            return Err(WebError::Chart(format!(
                "a contour map of side {} needs {} values, not {}",
                spec.n,
                spec.n * spec.n,
                spec.values.len()
            )));
        }
        let Some((ratio, frame)) = fit_plot(canvas, spec.x_range, spec.y_range, false)? else {
            self.frame = None;
            return Ok(());
        };
        self.frame = Some(frame);
        self.fill(spec, palette);
        let image = self.backing.put(&self.rgba, spec.n, spec.n)?;
        let ctx = paint_plot(canvas, ratio, image, frame.plot, palette, &mut self.css)?;
        let p = frame.plot;

        ctx.save();
        ctx.begin_path();
        ctx.rect(p.x, p.y, p.w, p.h);
        ctx.clip();
        let ink = rgb(palette.ink);
        for m in spec.minima {
            let (x, y) = frame.to_pixel(m[0], m[1]);
            ctx.begin_path();
            ctx.move_to(x - 5.0, y - 5.0);
            ctx.line_to(x + 5.0, y + 5.0);
            ctx.move_to(x + 5.0, y - 5.0);
            ctx.line_to(x - 5.0, y + 5.0);
            ctx.set_line_width(2.0);
            ctx.set_stroke_style_str(css_rgba(&mut self.css, ink, 0.8));
            ctx.stroke();
        }
        for path in &spec.paths {
            let color = rgb(path.color);
            ctx.begin_path();
            for (i, pt) in path.points.iter().enumerate() {
                let (x, y) = frame.to_pixel(pt[0], pt[1]);
                if i == 0 {
                    ctx.move_to(x, y);
                } else {
                    ctx.line_to(x, y);
                }
            }
            ctx.set_line_width(2.0);
            ctx.set_stroke_style_str(css_rgba(&mut self.css, color, 0.9));
            ctx.stroke();
            if let Some(last) = path.points.last() {
                let (x, y) = frame.to_pixel(last[0], last[1]);
                ctx.begin_path();
                ctx.arc(x, y, 4.5, 0.0, std::f64::consts::TAU)?;
                ctx.set_fill_style_str(css_rgba(&mut self.css, color, 1.0));
                ctx.fill();
                ctx.set_line_width(1.0);
                ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
                ctx.stroke();
            }
        }
        let (sx, sy) = frame.to_pixel(spec.start[0], spec.start[1]);
        ctx.begin_path();
        ctx.arc(sx, sy, 7.0, 0.0, std::f64::consts::TAU)?;
        ctx.set_line_width(2.5);
        ctx.set_stroke_style_str(css_rgba(&mut self.css, ink, 1.0));
        ctx.stroke();
        ctx.restore();
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        Ok(())
    }
}
