//! A heatmap: a network's output over the input plane, with the data points on top.
//!
//! The field is an `n × n` grid of plain numbers (row 0 is the top of the plot, the largest `y`).
//! It becomes RGBA bytes in a buffer the [`Heatmap`] keeps, one `putImageData` onto a hidden
//! `n × n` canvas, and one `drawImage` scaled (and smoothed) onto the visible canvas; only the
//! points, ticks and border are drawn with the 2-D context. Nothing is drawn per cell.
//!
//! Colours follow TensorFlow Playground: orange for negative, the card colour at the neutral value
//! and blue for positive, linearly interpolated ([`ColorScale::Diverging`]); several classes use a
//! qualitative palette that starts blue, orange ([`class_color`]). The pure parts (colours, the
//! plot frame and its coordinate mapping, ticks, the hit test) run anywhere; [`Heatmap::draw`] and
//! [`ThumbnailAtlas`] need a browser.
//!
//! The module also holds the small pixel primitives the network diagram shares: [`Rect`], [`Rgb`],
//! [`css_rgba`] and [`context_2d`].

use super::{FONT, Palette, fit_canvas};
use crate::dom;
use crate::error::{Result, WebError};
use plotters::style::RGBAColor;
use std::fmt::Write as _;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The input plane's default range on both axes, in data units (TensorFlow Playground's −6..6).
pub const DEFAULT_RANGE: (f32, f32) = (-6.0, 6.0);

/// How strongly the main heatmap's colours are laid over the card colour (0 = card, 1 = full).
///
/// TensorFlow Playground paints its background at alpha 160/255 so that the points, drawn at full
/// strength, stand out; the same wash is applied here as opaque pixels.
pub const FIELD_STRENGTH: f32 = 160.0 / 255.0;

/// The most classes the qualitative palette distinguishes.
pub const MAX_CLASSES: usize = 5;

/// An opaque colour as red, green, blue bytes.
pub type Rgb = [u8; 3];

/// The colour's bytes, dropping its alpha (the page's colours are opaque).
pub fn rgb(c: RGBAColor) -> Rgb {
    [c.0, c.1, c.2]
}

/// Linear interpolation from `a` (at `t = 0`) to `b` (at `t = 1`); `t` is clamped to `0..=1`.
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let lerp = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [lerp(a[0], b[0]), lerp(a[1], b[1]), lerp(a[2], b[2])]
}

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
fn hidden_canvas() -> Result<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas = dom::document()?
        .create_element("canvas")?
        .dyn_into::<HtmlCanvasElement>()
        .map_err(|_| WebError::Browser("a canvas element is not a canvas".into()))?;
    let ctx = context_2d(&canvas)?;
    Ok((canvas, ctx))
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

/// How values become colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColorScale {
    /// Orange at `min`, the card colour at the neutral value, blue at `max`; clamped outside.
    ///
    /// The neutral value is 0 when `min < 0 < max` (a tanh output, a regression target), and the
    /// midpoint otherwise (0.5 for a sigmoid's probability on `0..1`).
    Diverging {
        /// The value drawn full orange.
        min: f32,
        /// The value drawn full blue.
        max: f32,
    },
    /// One qualitative colour per class (see [`class_color`]); a value is a class index.
    Classes {
        /// How many classes there are (2..=5 are told apart; more repeat the palette).
        count: usize,
    },
}

impl ColorScale {
    /// TensorFlow Playground's scale for a tanh output: −1 orange, 0 neutral, 1 blue.
    pub const UNIT: ColorScale = ColorScale::Diverging {
        min: -1.0,
        max: 1.0,
    };

    /// The full-strength colour of `value`: diverging, or the class `value` rounds to.
    pub fn color(&self, value: f32, palette: &Palette) -> Rgb {
        match *self {
            ColorScale::Diverging { min, max } => diverging_color(value, min, max, palette),
            ColorScale::Classes { count } => class_color(class_index(value, count), palette),
        }
    }

    /// The colour of `value` with hard colours at the neutral value (the "discretize" view).
    pub fn discrete_color(&self, value: f32, palette: &Palette) -> Rgb {
        match *self {
            ColorScale::Diverging { min, max } => {
                let center = neutral_value(min, max);
                if value > center {
                    rgb(palette.blue)
                } else if value < center {
                    rgb(palette.orange)
                } else {
                    rgb(palette.card)
                }
            }
            ColorScale::Classes { .. } => self.color(value, palette),
        }
    }

    /// Refuses ranges that cannot be drawn: `min ≥ max`, non-finite ends, no classes.
    pub fn validate(&self) -> Result<()> {
        match *self {
            ColorScale::Diverging { min, max }
                if min.is_finite() && max.is_finite() && min < max =>
            {
                Ok(())
            }
            ColorScale::Diverging { min, max } => Err(WebError::Chart(format!(
                "the colour range {min}..{max} is empty or not finite"
            ))),
            ColorScale::Classes { count } if count >= 1 => Ok(()),
            ColorScale::Classes { .. } => {
                Err(WebError::Chart("a class colour scale needs a class".into()))
            }
        }
    }
}

/// The value drawn in the card colour on a diverging scale from `min` to `max`.
pub fn neutral_value(min: f32, max: f32) -> f32 {
    if min < 0.0 && max > 0.0 {
        0.0
    } else {
        (min + max) / 2.0
    }
}

/// A diverging colour: `min` (and below) orange, the neutral value the card colour, `max` (and
/// above) blue, linear in between. NaN is drawn in the card colour.
pub fn diverging_color(value: f32, min: f32, max: f32, palette: &Palette) -> Rgb {
    let center = neutral_value(min, max);
    let card = rgb(palette.card);
    if value > center {
        let span = max - center;
        let t = if span > 0.0 {
            (value - center) / span
        } else {
            1.0
        };
        mix(card, rgb(palette.blue), t)
    } else if value < center {
        let span = center - min;
        let t = if span > 0.0 {
            (center - value) / span
        } else {
            1.0
        };
        mix(card, rgb(palette.orange), t)
    } else {
        card
    }
}

/// The class a value names on a scale of `count` classes: rounded, and clamped to `0..count`.
pub fn class_index(value: f32, count: usize) -> usize {
    if value.is_nan() || value <= 0.0 {
        0
    } else {
        (value.round() as usize).min(count.max(1) - 1)
    }
}

/// The qualitative colour of class `class`: blue, orange, then the palette's three further class
/// colours (`--class-3` to `--class-5`); classes beyond five repeat the palette.
pub fn class_color(class: usize, palette: &Palette) -> Rgb {
    match class % MAX_CLASSES {
        0 => rgb(palette.blue),
        1 => rgb(palette.orange),
        k => rgb(palette.classes[k - 2]),
    }
}

/// A predicted class shaded by its confidence: the card colour at chance (`1/count`), the full
/// class colour at certainty (1).
pub fn class_shade(class: usize, confidence: f32, count: usize, palette: &Palette) -> Rgb {
    let chance = 1.0 / count.max(1) as f32;
    let t = if count <= 1 {
        1.0
    } else {
        (confidence - chance) / (1.0 - chance)
    };
    mix(rgb(palette.card), class_color(class, palette), t)
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
    fn len(&self) -> usize {
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

/// Where a grid cell's centre lies in data units: the page evaluates the field there, so the image
/// and the plot frame agree (cell `(row, col)` covers `1/n` of each range, row 0 at the top).
pub fn cell_center(
    x_range: (f32, f32),
    y_range: (f32, f32),
    n: usize,
    row: usize,
    col: usize,
) -> (f32, f32) {
    let n = n.max(1) as f32;
    let x = x_range.0 + (col as f32 + 0.5) * (x_range.1 - x_range.0) / n;
    let y = y_range.1 - (row as f32 + 0.5) * (y_range.1 - y_range.0) / n;
    (x, y)
}

/// The margins around the plot when tick labels are shown, in CSS pixels: room for "−6" on the
/// left, a label's height below, and half a label beyond the last tick on the top and right.
const TICK_MARGINS: Margins = Margins {
    left: 26.0,
    right: 9.0,
    top: 7.0,
    bottom: 17.0,
};

/// One pixel all round so the plot's border is not cut off.
const PLAIN_MARGINS: Margins = Margins {
    left: 1.0,
    right: 1.0,
    top: 1.0,
    bottom: 1.0,
};

#[derive(Debug, Clone, Copy)]
struct Margins {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

/// The tick labels' font size, in CSS pixels.
const TICK_FONT_PX: f64 = 10.0;

/// Where the plot sits on the canvas and how data units map to CSS pixels.
///
/// Everything is in CSS pixels relative to the canvas's top-left corner, as in a mouse event's
/// `offsetX`/`offsetY`; the device pixel ratio only enters when drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotFrame {
    /// The canvas's CSS width.
    pub width: f64,
    /// The canvas's CSS height.
    pub height: f64,
    /// The plot's rectangle (where the field is drawn).
    pub plot: Rect,
    /// The horizontal range, in data units.
    pub x_range: (f32, f32),
    /// The vertical range, in data units.
    pub y_range: (f32, f32),
}

impl PlotFrame {
    /// The largest plot with the data's aspect ratio that fits a `width × height` canvas (leaving
    /// room for tick labels when `ticks`), centred, with whole-pixel edges.
    pub fn new(
        width: f64,
        height: f64,
        x_range: (f32, f32),
        y_range: (f32, f32),
        ticks: bool,
    ) -> Self {
        let m = if ticks { TICK_MARGINS } else { PLAIN_MARGINS };
        let avail_w = (width - m.left - m.right).max(1.0);
        let avail_h = (height - m.top - m.bottom).max(1.0);
        let span_x = f64::from((x_range.1 - x_range.0).abs());
        let span_y = f64::from((y_range.1 - y_range.0).abs());
        let aspect = if span_x > 0.0 && span_y > 0.0 && (span_x / span_y).is_finite() {
            span_x / span_y
        } else {
            1.0
        };
        let w = avail_w.min(avail_h * aspect).floor().max(1.0);
        let h = (w / aspect).floor().clamp(1.0, avail_h.max(1.0));
        let x = (m.left + (avail_w - w) / 2.0).round();
        let y = (m.top + (avail_h - h) / 2.0).round();
        Self {
            width,
            height,
            plot: Rect { x, y, w, h },
            x_range,
            y_range,
        }
    }

    /// The data coordinates under the CSS pixel `(px, py)`.
    pub fn to_data(&self, px: f64, py: f64) -> (f32, f32) {
        let (x0, x1) = (f64::from(self.x_range.0), f64::from(self.x_range.1));
        let (y0, y1) = (f64::from(self.y_range.0), f64::from(self.y_range.1));
        let x = x0 + (px - self.plot.x) / self.plot.w * (x1 - x0);
        let y = y1 - (py - self.plot.y) / self.plot.h * (y1 - y0);
        (x as f32, y as f32)
    }

    /// The CSS pixel at the data coordinates `(x, y)`.
    pub fn to_pixel(&self, x: f32, y: f32) -> (f64, f64) {
        let (x0, x1) = (f64::from(self.x_range.0), f64::from(self.x_range.1));
        let (y0, y1) = (f64::from(self.y_range.0), f64::from(self.y_range.1));
        let px = self.plot.x + (f64::from(x) - x0) / (x1 - x0) * self.plot.w;
        let py = self.plot.y + (y1 - f64::from(y)) / (y1 - y0) * self.plot.h;
        (px, py)
    }

    /// Whether the CSS pixel `(px, py)` lies on the plot.
    pub fn contains(&self, px: f64, py: f64) -> bool {
        self.plot.contains(px, py, 0.0)
    }

    /// The index of the shown point nearest to the CSS pixel `(px, py)`, if one lies within
    /// `radius` CSS pixels (for selecting or removing a point under the pointer).
    pub fn nearest_point(
        &self,
        points: &[Point],
        splits: Splits,
        px: f64,
        py: f64,
        radius: f64,
    ) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, p) in points.iter().enumerate() {
            if !splits.shows(p.split) {
                continue;
            }
            let (qx, qy) = self.to_pixel(p.x, p.y);
            let d2 = (qx - px).powi(2) + (qy - py).powi(2);
            if d2 <= radius * radius && best.is_none_or(|(_, b)| d2 < b) {
                best = Some((i, d2));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The radius of an unselected point, in CSS pixels: 4 on a 360-pixel plot, as in
    /// TensorFlow Playground, between 2.5 and 4.5 otherwise.
    pub fn point_radius(&self) -> f64 {
        (self.plot.w.min(self.plot.h) / 90.0).clamp(2.5, 4.5)
    }
}

/// Tick positions for `lo..hi`: at most `max_count` multiples of the smallest step from
/// 1, 2, 2.5, 3 or 5 × 10ᵏ, preferring a step that lands on both ends (−6, −3, 0, 3, 6 for
/// −6..6). Writes into `out` (reused) and returns the step.
pub fn ticks_into(lo: f32, hi: f32, max_count: usize, out: &mut Vec<f32>) -> f32 {
    out.clear();
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 || max_count < 2 {
        if lo.is_finite() {
            out.push(lo);
        }
        return 0.0;
    }
    // A step is `mult × 10^exp`; tick k is computed as `k·mult` scaled by an exact power of ten,
    // so 0.25 and 0.75 come out exact instead of accumulating rounding.
    let at = |k: i64, mult: f64, exp: i32| {
        let v = k as f64 * mult;
        if exp >= 0 {
            v * 10f64.powi(exp)
        } else {
            v / 10f64.powi(-exp)
        }
    };
    let (lo64, hi64) = (f64::from(lo), f64::from(hi));
    let range = |mult: f64, exp: i32| {
        let step = at(1, mult, exp);
        let first = (lo64 / step - 1e-6).ceil() as i64;
        let last = (hi64 / step + 1e-6).floor() as i64;
        let lands = (at(first, mult, exp) - lo64).abs() < step * 1e-6
            && (at(last, mult, exp) - hi64).abs() < step * 1e-6;
        (first, last, lands)
    };
    let exp0 = (f64::from(span) / max_count as f64).log10().floor() as i32 - 1;
    let mut fallback = None;
    let mut chosen = None;
    'search: for exp in exp0..exp0 + 4 {
        for mult in [1.0, 2.0, 2.5, 3.0, 5.0] {
            let (first, last, lands) = range(mult, exp);
            let count = last - first + 1;
            if count >= 2 && count <= max_count as i64 {
                if lands {
                    chosen = Some((mult, exp));
                    break 'search;
                }
                fallback.get_or_insert((mult, exp));
            }
        }
    }
    let Some((mult, exp)) = chosen.or(fallback) else {
        out.extend([lo, hi]);
        return span;
    };
    let (first, last, _) = range(mult, exp);
    // Adding 0.0 turns a "−0" tick into 0.
    out.extend((first..=last).map(|k| at(k, mult, exp) as f32 + 0.0));
    at(1, mult, exp) as f32
}

/// How many decimals a tick label needs for ticks `step` apart.
fn tick_decimals(step: f32) -> usize {
    (0..4)
        .find(|&d| {
            let scaled = step * 10f32.powi(d);
            (scaled - scaled.round()).abs() < 1e-3
        })
        .unwrap_or(3) as usize
}

/// A heatmap that keeps its pixel buffer, its hidden `n × n` canvas and its last frame between
/// draws: once the grid size is known, a frame allocates only its `ImageData` and the few tick
/// labels.
#[derive(Default)]
pub struct Heatmap {
    rgba: Vec<u8>,
    backing: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
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
        let Some(ratio) = fit_canvas(canvas)? else {
            self.frame = None;
            return Ok(());
        };
        let (width, height) = (
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
        );
        let frame = PlotFrame::new(width, height, spec.x_range, spec.y_range, spec.ticks);
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
        let backing = match self.backing.take() {
            Some(b) => b,
            None => hidden_canvas()?,
        };
        let side = n as u32;
        if backing.0.width() != side || backing.0.height() != side {
            backing.0.set_width(side);
            backing.0.set_height(side);
        }
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&self.rgba[..]), side, side)?;
        backing.1.put_image_data(&image, 0.0, 0.0)?;
        let backing = self.backing.insert(backing);

        let ctx = context_2d(canvas)?;
        ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
        ctx.fill_rect(0.0, 0.0, width, height);
        // Smoothing turns the 100 × 100 grid into soft gradients and anti-aliases hard boundaries.
        ctx.set_image_smoothing_enabled(true);
        let p = frame.plot;
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&backing.0, p.x, p.y, p.w, p.h)?;
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.grid), 1.0));
        ctx.stroke_rect(p.x - 0.5, p.y - 0.5, p.w + 1.0, p.h + 1.0);
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
        let decimals = tick_decimals(step);
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
        let decimals = tick_decimals(step);
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
    canvas: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
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
        let canvas = match self.canvas.take() {
            Some(c) => c,
            None => hidden_canvas()?,
        };
        let (w32, h32) = (w as u32, h as u32);
        if canvas.0.width() != w32 || canvas.0.height() != h32 {
            canvas.0.set_width(w32);
            canvas.0.set_height(h32);
        }
        let image = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&self.rgba[..w * h * 4]),
            w32,
            h32,
        )?;
        canvas.1.put_image_data(&image, 0.0, 0.0)?;
        self.canvas = Some(canvas);
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
        let Some((canvas, _)) = &self.canvas else {
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
    use super::*;

    /// The light theme's colours from `www/style.css`.
    fn palette() -> Palette {
        Palette {
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
        }
    }

    const CARD: Rgb = [0xff, 0xff, 0xff];
    const BLUE: Rgb = [0x08, 0x77, 0xbd];
    const ORANGE: Rgb = [0xe8, 0x71, 0x0a];

    #[test]
    fn a_diverging_scale_is_card_at_zero_and_exact_at_its_ends() {
        let p = palette();
        assert_eq!(diverging_color(0.0, -1.0, 1.0, &p), CARD);
        assert_eq!(diverging_color(1.0, -1.0, 1.0, &p), BLUE);
        assert_eq!(diverging_color(-1.0, -1.0, 1.0, &p), ORANGE);
        assert_eq!(diverging_color(-3.0, -3.0, 2.0, &p), ORANGE);
        assert_eq!(diverging_color(2.0, -3.0, 2.0, &p), BLUE);
    }

    #[test]
    fn a_diverging_scale_clamps_beyond_its_ends_and_draws_nan_neutral() {
        let p = palette();
        assert_eq!(diverging_color(7.5, -1.0, 1.0, &p), BLUE);
        assert_eq!(diverging_color(-1e30, -1.0, 1.0, &p), ORANGE);
        assert_eq!(diverging_color(f32::INFINITY, -1.0, 1.0, &p), BLUE);
        assert_eq!(diverging_color(f32::NAN, -1.0, 1.0, &p), CARD);
    }

    #[test]
    fn a_diverging_scale_interpolates_linearly_on_each_side() {
        let p = palette();
        // Halfway from white (255) to blue (8, 119, 189): 255 + (c − 255)/2, rounded.
        assert_eq!(diverging_color(0.5, -1.0, 1.0, &p), [132, 187, 222]);
        // A quarter of the way from white to orange (232, 113, 10), on a range of −4..4.
        assert_eq!(diverging_color(-1.0, -4.0, 4.0, &p), [249, 220, 194]);
    }

    #[test]
    fn a_range_without_zero_is_neutral_at_its_midpoint() {
        let p = palette();
        // A sigmoid's probability on 0..1: 0.5 is "undecided".
        assert_eq!(diverging_color(0.5, 0.0, 1.0, &p), CARD);
        assert_eq!(diverging_color(0.0, 0.0, 1.0, &p), ORANGE);
        assert_eq!(diverging_color(1.0, 0.0, 1.0, &p), BLUE);
    }

    #[test]
    fn discretized_colours_are_hard_at_the_sign() {
        let p = palette();
        let s = ColorScale::UNIT;
        assert_eq!(s.discrete_color(0.01, &p), BLUE);
        assert_eq!(s.discrete_color(-0.01, &p), ORANGE);
        assert_eq!(s.discrete_color(0.0, &p), CARD);
    }

    #[test]
    fn classes_start_blue_then_orange_and_stay_distinct() {
        let p = palette();
        assert_eq!(class_color(0, &p), BLUE);
        assert_eq!(class_color(1, &p), ORANGE);
        let all: Vec<Rgb> = (0..MAX_CLASSES).map(|k| class_color(k, &p)).collect();
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                assert_ne!(all[i], all[j], "classes {i} and {j} share a colour");
            }
        }
        // A value names the class it rounds to, clamped to the scale.
        let s = ColorScale::Classes { count: 3 };
        assert_eq!(s.color(1.2, &p), ORANGE);
        assert_eq!(s.color(9.0, &p), class_color(2, &p));
        assert_eq!(s.color(-1.0, &p), BLUE);
    }

    #[test]
    fn class_shades_run_from_chance_to_certainty() {
        let p = palette();
        // Chance among 4 classes is 1/4: drawn as the card colour; certainty: the class colour.
        assert_eq!(class_shade(0, 0.25, 4, &p), CARD);
        assert_eq!(class_shade(1, 1.0, 4, &p), ORANGE);
        assert_eq!(class_shade(1, 0.1, 4, &p), CARD);
    }

    #[test]
    fn filling_a_field_writes_opaque_rgba_per_cell() {
        let p = palette();
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
        let p = palette();
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
    fn colour_scales_refuse_empty_ranges() {
        assert!(ColorScale::UNIT.validate().is_ok());
        assert!(
            ColorScale::Diverging { min: 1.0, max: 1.0 }
                .validate()
                .is_err()
        );
        assert!(
            ColorScale::Diverging {
                min: 0.0,
                max: f32::NAN
            }
            .validate()
            .is_err()
        );
        assert!(ColorScale::Classes { count: 0 }.validate().is_err());
    }

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
    fn pixels_and_data_coordinates_round_trip() {
        for ticks in [false, true] {
            for (w, h) in [(300.0, 300.0), (390.0, 260.0), (180.0, 420.0)] {
                let f = PlotFrame::new(w, h, DEFAULT_RANGE, DEFAULT_RANGE, ticks);
                for (x, y) in [(-6.0, -6.0), (0.0, 0.0), (2.5, -4.25), (6.0, 6.0)] {
                    let (px, py) = f.to_pixel(x, y);
                    let (bx, by) = f.to_data(px, py);
                    assert!((bx - x).abs() < 1e-4 && (by - y).abs() < 1e-4, "{x},{y}");
                }
                let (px, py) = (f.plot.x + 17.0, f.plot.y + 3.0);
                let (x, y) = f.to_data(px, py);
                let (qx, qy) = f.to_pixel(x, y);
                assert!((qx - px).abs() < 1e-3 && (qy - py).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn the_plot_fits_its_canvas_square_for_square_ranges() {
        for ticks in [false, true] {
            for (w, h) in [(300.0, 300.0), (390.0, 260.0), (180.0, 420.0), (10.0, 10.0)] {
                let f = PlotFrame::new(w, h, DEFAULT_RANGE, DEFAULT_RANGE, ticks);
                let p = f.plot;
                assert_eq!(p.w, p.h, "a square range gets a square plot");
                if w > 50.0 {
                    assert!(p.x >= 0.0 && p.y >= 0.0 && p.right() <= w && p.bottom() <= h);
                }
            }
        }
        // The plot's corners are the ranges' corners: the top-left is (−6, 6).
        let f = PlotFrame::new(300.0, 300.0, DEFAULT_RANGE, DEFAULT_RANGE, false);
        assert_eq!(f.to_data(f.plot.x, f.plot.y), (-6.0, 6.0));
        assert_eq!(f.to_data(f.plot.right(), f.plot.bottom()), (6.0, -6.0));
        // The top of the plot is the largest y: a point above the origin is above the centre.
        assert!(f.to_pixel(0.0, 1.0).1 < f.to_pixel(0.0, 0.0).1);
    }

    #[test]
    fn cell_centres_sit_inside_their_cells() {
        // With 4 cells over −6..6 each cell is 3 wide; the top-left centre is (−4.5, 4.5).
        assert_eq!(
            cell_center(DEFAULT_RANGE, DEFAULT_RANGE, 4, 0, 0),
            (-4.5, 4.5)
        );
        assert_eq!(
            cell_center(DEFAULT_RANGE, DEFAULT_RANGE, 4, 3, 3),
            (4.5, -4.5)
        );
    }

    fn point(x: f32, y: f32, split: Split) -> Point {
        Point {
            x,
            y,
            class_or_value: 1.0,
            split,
            selected: false,
        }
    }

    #[test]
    fn the_nearest_shown_point_is_found_and_empty_space_finds_none() {
        let f = PlotFrame::new(300.0, 300.0, DEFAULT_RANGE, DEFAULT_RANGE, false);
        let pts = [
            point(0.0, 0.0, Split::Train),
            point(0.5, 0.0, Split::Validation),
            point(-3.0, 3.0, Split::Test),
        ];
        let (px, py) = f.to_pixel(0.1, 0.0);
        assert_eq!(
            f.nearest_point(&pts, Splits::TRAINING, px, py, 8.0),
            Some(0)
        );
        let (px, py) = f.to_pixel(0.4, 0.0);
        assert_eq!(
            f.nearest_point(&pts, Splits::TRAINING, px, py, 8.0),
            Some(1)
        );
        // The test point is not shown while training, so it cannot be picked.
        let (px, py) = f.to_pixel(-3.0, 3.0);
        assert_eq!(f.nearest_point(&pts, Splits::TRAINING, px, py, 8.0), None);
        assert_eq!(f.nearest_point(&pts, Splits::ALL, px, py, 8.0), Some(2));
        let (px, py) = f.to_pixel(4.0, -4.0);
        assert_eq!(f.nearest_point(&pts, Splits::ALL, px, py, 8.0), None);
    }

    #[test]
    fn ticks_land_on_round_numbers_across_the_range() {
        let mut t = Vec::new();
        assert_eq!(ticks_into(-6.0, 6.0, 5, &mut t), 3.0);
        assert_eq!(t, [-6.0, -3.0, 0.0, 3.0, 6.0]);
        ticks_into(-1.0, 1.0, 5, &mut t);
        assert_eq!(t, [-1.0, -0.5, 0.0, 0.5, 1.0]);
        ticks_into(0.0, 1.0, 5, &mut t);
        assert_eq!(t, [0.0, 0.25, 0.5, 0.75, 1.0]);
        ticks_into(-5.0, 5.0, 5, &mut t);
        assert!(t.len() <= 5 && t.contains(&0.0), "{t:?}");
        assert_eq!(tick_decimals(3.0), 0);
        assert_eq!(tick_decimals(0.5), 1);
        assert_eq!(tick_decimals(0.25), 2);
        // A degenerate range gets one tick, not a panic.
        ticks_into(2.0, 2.0, 5, &mut t);
        assert_eq!(t, [2.0]);
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
