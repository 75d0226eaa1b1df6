//! Pixel primitives and rasterising: CSS colour strings written into a
//! reused buffer, 2-D contexts and hidden canvases, rectangles in CSS pixels, and a field of values
//! turned into RGBA bytes, one heatmap at a time or many small maps packed into one atlas
//! ([`ThumbnailAtlas`]).
//!
//! The network diagram and the grid and contour charts share [`Rect`], [`css_rgba`] and
//! [`context_2d`] from here.

use super::colour::{ColorScale, Rgb, class_color, class_shade, mix, rgb};
use crate::charts::Palette;
use crate::dom;
use crate::error::{Result, WebError};
use std::fmt::Write as _;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Writes `rgba(r, g, b, alpha)` into `buf` (reused, so drawing allocates nothing) and returns it.
pub fn css_rgba(buf: &mut String, c: Rgb, alpha: f64) -> &str {
    buf.clear();
    // Writing to a String cannot fail.
    let _ = write!(
        buf,
        "rgba({},{},{},{:.3})",
        c[0],
        c[1],
        c[2],
        alpha.clamp(0.0, 1.0)
    );
    buf
}

/// A canvas's 2-D context.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| WebError::Chart("the canvas has no 2-D context".into()))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| WebError::Chart("the canvas's context is not 2-D".into()))
}

/// A new canvas that is never attached to the page, with its 2-D context.
pub(super) fn hidden_canvas() -> Result<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas = dom::document()?
        .create_element("canvas")?
        .dyn_into::<HtmlCanvasElement>()
        .map_err(|_| WebError::Browser("a canvas element is not a canvas".into()))?;
    let ctx = context_2d(&canvas)?;
    Ok((canvas, ctx))
}

/// An image made from RGBA bytes on a canvas that is never attached to the page, ready to be drawn
/// scaled onto a visible one; the canvas is made on first use and reused.
#[derive(Default)]
pub struct HiddenImage(Option<(HtmlCanvasElement, CanvasRenderingContext2d)>);

impl HiddenImage {
    /// Puts `rgba` (`w × h` pixels, four bytes each) on the canvas, resized to fit: one
    /// `ImageData`, one `putImageData`.
    pub fn put(&mut self, rgba: &[u8], w: usize, h: usize) -> Result<&HtmlCanvasElement> {
        let Some(bytes) = rgba.get(..w * h * 4) else {
            return Err(WebError::Chart("the pixel buffer is too small".into()));
        };
        let image = match self.0.take() {
            Some(image) => image,
            None => hidden_canvas()?,
        };
        let (w32, h32) = (w as u32, h as u32);
        if image.0.width() != w32 || image.0.height() != h32 {
            image.0.set_width(w32);
            image.0.set_height(h32);
        }
        let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(bytes), w32, h32)?;
        image.1.put_image_data(&data, 0.0, 0.0)?;
        Ok(&self.0.insert(image).0)
    }

    /// The canvas, once an image was put on it.
    pub fn canvas(&self) -> Option<&HtmlCanvasElement> {
        self.0.as_ref().map(|(canvas, _)| canvas)
    }
}

/// Clears `canvas` to the card colour and draws `image` scaled (and smoothed) into `plot` with a
/// one-pixel border in the grid colour; returns the canvas's context, in CSS pixels at `ratio`.
pub fn paint_plot(
    canvas: &HtmlCanvasElement,
    ratio: f64,
    image: &HtmlCanvasElement,
    plot: Rect,
    palette: &Palette,
    css: &mut String,
) -> Result<CanvasRenderingContext2d> {
    let ctx = context_2d(canvas)?;
    ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
    ctx.set_fill_style_str(css_rgba(css, rgb(palette.card), 1.0));
    ctx.fill_rect(
        0.0,
        0.0,
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    // Smoothing turns a small grid into soft gradients and anti-aliases hard boundaries.
    ctx.set_image_smoothing_enabled(true);
    let p = plot;
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(image, p.x, p.y, p.w, p.h)?;
    ctx.set_line_width(1.0);
    ctx.set_stroke_style_str(css_rgba(css, rgb(palette.grid), 1.0));
    ctx.stroke_rect(p.x - 0.5, p.y - 0.5, p.w + 1.0, p.h + 1.0);
    Ok(ctx)
}

/// An axis-aligned rectangle in CSS pixels (`x`, `y` is its top-left corner).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// The left edge.
    pub x: f64,
    /// The top edge.
    pub y: f64,
    /// The width.
    pub w: f64,
    /// The height.
    pub h: f64,
}

impl Rect {
    /// The right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// The bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// The centre.
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Whether `(px, py)` lies inside, edges included, after growing the rectangle by `slack` on
    /// every side.
    pub fn contains(&self, px: f64, py: f64, slack: f64) -> bool {
        px >= self.x - slack
            && px <= self.right() + slack
            && py >= self.y - slack
            && py <= self.bottom() + slack
    }

    /// Whether the two rectangles share any interior area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }
}

/// What the heatmap shows at each cell.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    /// One value per cell, coloured by the spec's [`ColorScale`] (a class index under
    /// [`ColorScale::Classes`]).
    Values(&'a [f32]),
    /// The predicted class per cell with its probability, for several classes; needs
    /// [`ColorScale::Classes`].
    ClassMap {
        /// The most probable class per cell.
        class: &'a [u8],
        /// That class's probability per cell, in `0..=1`.
        confidence: &'a [f32],
    },
}

impl Field<'_> {
    /// How many cells the field has.
    pub(super) fn len(&self) -> usize {
        match self {
            Field::Values(v) => v.len(),
            Field::ClassMap { class, .. } => class.len(),
        }
    }
}

/// Fills `out` (RGBA, four bytes per cell, fully opaque) with the colours of `field`, laid over
/// the card colour at `strength` (1 = full colours). Extra bytes in `out` are left alone.
pub fn fill_field(
    out: &mut [u8],
    field: Field<'_>,
    scale: ColorScale,
    discretize: bool,
    strength: f32,
    palette: &Palette,
) -> Result<()> {
    if out.len() < field.len() * 4 {
        return Err(WebError::Chart("the pixel buffer is too small".into()));
    }
    let card = rgb(palette.card);
    let mut put = |i: usize, c: Rgb| {
        let c = if strength < 1.0 {
            mix(card, c, strength)
        } else {
            c
        };
        out[4 * i..4 * i + 4].copy_from_slice(&[c[0], c[1], c[2], 255]);
    };
    match field {
        Field::Values(values) => {
            for (i, &v) in values.iter().enumerate() {
                let c = if discretize {
                    scale.discrete_color(v, palette)
                } else {
                    scale.color(v, palette)
                };
                put(i, c);
            }
        }
        Field::ClassMap { class, confidence } => {
            let ColorScale::Classes { count } = scale else {
                return Err(WebError::Chart(
                    "a class map needs a class colour scale".into(),
                ));
            };
            if confidence.len() != class.len() {
                return Err(WebError::Chart(format!(
                    "a class map has {} classes but {} confidences",
                    class.len(),
                    confidence.len()
                )));
            }
            for (i, (&k, &p)) in class.iter().zip(confidence).enumerate() {
                let c = if discretize {
                    class_color(usize::from(k), palette)
                } else {
                    class_shade(usize::from(k), p, count, palette)
                };
                put(i, c);
            }
        }
    }
    Ok(())
}

/// Many small maps (one per neuron) packed into one atlas: one RGBA buffer, one `ImageData`, one
/// `putImageData` per frame, then one `drawImage` of a tile per map.
///
/// Each `m × m` tile has a one-pixel gutter that repeats its edge, so smoothing while scaling
/// never bleeds a neighbour's colours in. Use: [`begin`](Self::begin), [`set`](Self::set) each
/// tile, [`upload`](Self::upload) once, then [`draw`](Self::draw) each tile.
#[derive(Default)]
pub struct ThumbnailAtlas {
    rgba: Vec<u8>,
    m: usize,
    cols: usize,
    rows: usize,
    image: HiddenImage,
}

impl ThumbnailAtlas {
    /// An empty atlas; its buffer and canvas are made on first use and then reused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for `count` tiles of `m × m` cells (the buffer only ever grows).
    pub fn begin(&mut self, count: usize, m: usize) {
        self.m = m;
        self.cols = (count as f64).sqrt().ceil() as usize;
        self.rows = if self.cols == 0 {
            0
        } else {
            count.div_ceil(self.cols)
        };
        let (w, h) = self.pixel_size();
        self.rgba.resize(w * h * 4, 255);
    }

    /// The atlas's width and height in pixels.
    fn pixel_size(&self) -> (usize, usize) {
        let stride = self.m + 2;
        (self.cols * stride, self.rows * stride)
    }

    /// The top-left pixel of tile `tile`'s interior.
    fn origin(&self, tile: usize) -> (usize, usize) {
        let stride = self.m + 2;
        let cols = self.cols.max(1);
        ((tile % cols) * stride + 1, (tile / cols) * stride + 1)
    }

    /// Colours tile `tile` from `values` (`m × m`, row-major, row 0 at the top) at full strength.
    pub fn set(
        &mut self,
        tile: usize,
        values: &[f32],
        scale: ColorScale,
        discretize: bool,
        palette: &Palette,
    ) -> Result<()> {
        let m = self.m;
        if m == 0 {
            return Err(WebError::Chart("a map needs at least one value".into()));
        }
        if values.len() != m * m {
            return Err(WebError::Chart(format!(
                "a {m} × {m} map needs {} values, not {}",
                m * m,
                values.len()
            )));
        }
        if tile >= self.cols * self.rows {
            return Err(WebError::Chart(format!("the atlas has no tile {tile}")));
        }
        let (w, _) = self.pixel_size();
        let (ox, oy) = self.origin(tile);
        for r in 0..m {
            let start = ((oy + r) * w + ox) * 4;
            let row = &mut self.rgba[start..start + m * 4];
            fill_field(
                row,
                Field::Values(&values[r * m..(r + 1) * m]),
                scale,
                discretize,
                1.0,
                palette,
            )?;
        }
        // The gutter repeats the edge pixels: left and right columns, then whole top and bottom
        // rows (corners included).
        for r in 0..m {
            let row = ((oy + r) * w) * 4;
            self.rgba
                .copy_within(row + ox * 4..row + ox * 4 + 4, row + (ox - 1) * 4);
            let last = row + (ox + m - 1) * 4;
            self.rgba.copy_within(last..last + 4, last + 4);
        }
        let span = (m + 2) * 4;
        let left = (ox - 1) * 4;
        let top = oy * w * 4 + left;
        self.rgba.copy_within(top..top + span, top - w * 4);
        let bottom = (oy + m - 1) * w * 4 + left;
        self.rgba.copy_within(bottom..bottom + span, bottom + w * 4);
        Ok(())
    }

    /// Sends the whole atlas to its hidden canvas: one `ImageData`, one `putImageData`.
    pub fn upload(&mut self) -> Result<()> {
        let (w, h) = self.pixel_size();
        if w == 0 || h == 0 {
            return Ok(());
        }
        self.image.put(&self.rgba, w, h)?;
        Ok(())
    }

    /// Draws tile `tile` into the square at `(x, y)` of side `size` on `ctx` (in `ctx`'s units).
    pub fn draw(
        &self,
        ctx: &CanvasRenderingContext2d,
        tile: usize,
        x: f64,
        y: f64,
        size: f64,
    ) -> Result<()> {
        let Some(canvas) = self.image.canvas() else {
            return Err(WebError::Chart("the thumbnails were not uploaded".into()));
        };
        let (sx, sy) = self.origin(tile);
        let m = self.m as f64;
        ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            canvas, sx as f64, sy as f64, m, m, x, y, size, size,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::FIELD_STRENGTH;
    use super::*;

    #[test]
    fn filling_a_field_writes_opaque_rgba_per_cell() {
        let p = Palette::LIGHT;
        let mut out = vec![0u8; 12];
        fill_field(
            &mut out,
            Field::Values(&[1.0, 0.0, -1.0]),
            ColorScale::UNIT,
            false,
            1.0,
            &p,
        )
        .unwrap();
        assert_eq!(
            out,
            [8, 119, 189, 255, 255, 255, 255, 255, 232, 113, 10, 255]
        );
        // At the field strength, full blue is laid over the card: 255 + (8 − 255)·160/255 = 100.
        fill_field(
            &mut out,
            Field::Values(&[1.0]),
            ColorScale::UNIT,
            false,
            FIELD_STRENGTH,
            &p,
        )
        .unwrap();
        assert_eq!(out[..4], [100, 170, 214, 255]);
    }

    #[test]
    fn a_class_map_needs_a_class_scale_and_matching_lengths() {
        let p = Palette::LIGHT;
        let mut out = vec![0u8; 8];
        let map = Field::ClassMap {
            class: &[0, 1],
            confidence: &[1.0, 1.0],
        };
        assert!(fill_field(&mut out, map, ColorScale::UNIT, false, 1.0, &p).is_err());
        fill_field(
            &mut out,
            map,
            ColorScale::Classes { count: 2 },
            false,
            1.0,
            &p,
        )
        .unwrap();
        assert_eq!(out, [8, 119, 189, 255, 232, 113, 10, 255]);
        let short = Field::ClassMap {
            class: &[0, 1],
            confidence: &[1.0],
        };
        let scale = ColorScale::Classes { count: 2 };
        assert!(fill_field(&mut out, short, scale, false, 1.0, &p).is_err());
    }

    #[test]
    fn css_colours_are_written_into_a_reused_buffer() {
        let mut buf = String::new();
        assert_eq!(
            css_rgba(&mut buf, [8, 119, 189], 0.5),
            "rgba(8,119,189,0.500)"
        );
        assert_eq!(css_rgba(&mut buf, [1, 2, 3], 7.0), "rgba(1,2,3,1.000)");
    }

    #[test]
    fn rectangles_tell_containment_from_overlap() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        let b = Rect { x: 10.0, ..a };
        assert!(!a.overlaps(&b), "touching edges do not overlap");
        assert!(a.overlaps(&Rect { x: 9.0, ..a }));
        assert!(a.contains(10.0, 5.0, 0.0));
        assert!(!a.contains(11.0, 5.0, 0.0));
        assert!(a.contains(11.0, 5.0, 1.5));
    }
}
