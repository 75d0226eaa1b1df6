//! The convolution figure: a digit (picked from scikit-learn's 8×8 digits or drawn by the
//! reader) convolved with an editable 3×3 filter, with stride and padding, the output-size
//! formula filled in, and max or average pooling of the feature map.
//!
//! The convolution is the engine's [`convolve_image`]; the pooling its [`pool_map`], through the
//! same pooling layer a network uses.
//!
//! The digits are downloaded when the figure mounts ([`crate::assets`]); until they arrive the
//! figure stays as the page drew it, marked busy.

use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::grid::{self, GridChart};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::conv::{example_digits, filter_preset, pool_map};
use spiega_nn::data::digits::SIDE;
use spiega_nn::layer::{Padding, PoolKind, convolve_image};
use spiega_nn::tensor::Matrix;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement, MouseEvent};

/// The figure's controls, canvases and the image being convolved.
pub struct ConvFigure {
    root: Element,
    digit: HtmlSelectElement,
    filter_preset: HtmlSelectElement,
    weights: Vec<HtmlInputElement>,
    stride: HtmlSelectElement,
    padding: HtmlSelectElement,
    pool: HtmlSelectElement,
    eraser: HtmlInputElement,
    input_canvas: HtmlCanvasElement,
    map_canvas: HtmlCanvasElement,
    pooled_canvas: HtmlCanvasElement,
    formula: Element,
    /// One example image per digit, 64 pixels in `[0, 1]` each, row-major.
    examples: Vec<Vec<f32>>,
    /// The image shown: an example or the reader's drawing.
    image: Vec<f32>,
    /// What the select showed last, to tell a new choice from another control's change.
    shown_digit: String,
    shown_preset: String,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let examples = example_digits(&*crate::assets::digits()?);
    let weights = (0..9)
        .map(|i| dom::input(root, &format!("w{i}")))
        .collect::<Result<Vec<_>>>()?;
    let fig = Rc::new(RefCell::new(ConvFigure {
        root: root.clone(),
        digit: dom::query(root, "select[data-role=\"digit\"]")?,
        filter_preset: dom::query(root, "select[data-role=\"filter\"]")?,
        weights,
        stride: dom::query(root, "select[data-role=\"stride\"]")?,
        padding: dom::query(root, "select[data-role=\"padding\"]")?,
        pool: dom::query(root, "select[data-role=\"pool\"]")?,
        eraser: dom::input(root, "eraser")?,
        input_canvas: dom::query(root, "canvas[data-role=\"image\"]")?,
        map_canvas: dom::query(root, "canvas[data-role=\"feature-map\"]")?,
        pooled_canvas: dom::query(root, "canvas[data-role=\"pooled\"]")?,
        formula: dom::query(root, "[data-role=\"formula\"]")?,
        image: examples.get(3).cloned().unwrap_or_default(),
        examples,
        shown_digit: String::new(),
        shown_preset: String::new(),
    }));
    let as_dyn: Rc<RefCell<dyn Figure>> = fig.clone();
    update_on_input(root, &as_dyn)?;
    wire_drawing(&fig)?;
    let clear: Element = dom::query(root, "button[data-role=\"clear\"]")?;
    let f = Rc::clone(&fig);
    dom::on(&clear, "click", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut() {
            fig.image = vec![0.0; SIDE * SIDE];
            fig.digit.set_value("drawn");
            fig.shown_digit = "drawn".into();
            if let Err(e) = fig.update() {
                web_sys::console::error_1(&e.to_string().into());
            }
        }
    })?;
    Ok(as_dyn)
}

/// Paints (or erases) the digit's cell under the pointer while a button is down.
fn wire_drawing(fig: &Rc<RefCell<ConvFigure>>) -> Result<()> {
    let canvas = fig.borrow().input_canvas.clone();
    for event in ["pointerdown", "pointermove"] {
        let f = Rc::clone(fig);
        dom::on(&canvas, event, move |ev| {
            let Some(m) = ev.dyn_ref::<MouseEvent>() else {
                return;
            };
            if m.buttons() & 1 == 0 {
                return;
            }
            ev.prevent_default();
            if let Ok(mut fig) = f.try_borrow_mut()
                && let Err(e) = fig.paint(f64::from(m.offset_x()), f64::from(m.offset_y()))
            {
                web_sys::console::error_1(&e.to_string().into());
            }
        })?;
    }
    Ok(())
}

impl ConvFigure {
    /// The padding around the image the last draw used (from the select), in cells.
    fn padding_rule(&self) -> Padding {
        if self.padding.value() == "same" {
            Padding::Same
        } else {
            Padding::Valid
        }
    }

    /// Paints the cell of the input grid under `(x, y)` (CSS pixels): on with the pen, off with
    /// the eraser. The input grid shows the padding too, so its cells are offset by it.
    fn paint(&mut self, x: f64, y: f64) -> Result<()> {
        let stride = controls::chosen(&self.stride)?;
        let shown = convolve_image(
            &Matrix::zeros(SIDE, SIDE),
            &Matrix::zeros(3, 3),
            stride,
            self.padding_rule(),
        )?;
        let (rows, cols) = shown.padded.shape();
        let (w, h) = (
            f64::from(self.input_canvas.client_width()),
            f64::from(self.input_canvas.client_height()),
        );
        let Some((r, c)) = grid::cell_at(w, h, rows, cols, x, y) else {
            return Ok(());
        };
        let (Some(i), Some(j)) = (
            r.checked_sub(shown.padding.top),
            c.checked_sub(shown.padding.left),
        ) else {
            return Ok(());
        };
        if i >= SIDE || j >= SIDE {
            return Ok(());
        }
        let value = if self.eraser.checked() { 0.0 } else { 1.0 };
        if self.image[i * SIDE + j] != value {
            self.image[i * SIDE + j] = value;
            self.digit.set_value("drawn");
            self.shown_digit = "drawn".into();
            self.update()?;
        }
        Ok(())
    }
}

/// A matrix's values, row-major.
fn row_major(m: &Matrix) -> Vec<f32> {
    let (r, c) = m.shape();
    (0..r * c).map(|k| m[(k / c, k % c)]).collect()
}

impl Figure for ConvFigure {
    fn update(&mut self) -> Result<()> {
        // A newly chosen digit replaces the image; a newly chosen preset fills the weights.
        let digit = self.digit.value();
        if digit != self.shown_digit {
            if let Some(img) = digit
                .parse::<usize>()
                .ok()
                .and_then(|d| self.examples.get(d))
            {
                self.image = img.clone();
            }
            self.shown_digit = digit.clone();
        }
        let preset_name = self.filter_preset.value();
        if preset_name != self.shown_preset {
            if let Some(w) = filter_preset(&preset_name) {
                for (input, v) in self.weights.iter().zip(w) {
                    input.set_value(&format!("{}", (v * 1000.0).round() / 1000.0));
                }
            }
            self.shown_preset = preset_name.clone();
        } else {
            // An edited weight makes the filter the reader's own.
            let typed: Vec<f32> = self
                .weights
                .iter()
                .map(|i| controls::number(i) as f32)
                .collect();
            let matches = filter_preset(&preset_name).is_some_and(|p| {
                p.iter()
                    .zip(&typed)
                    .all(|(a, b)| ((a * 1000.0).round() / 1000.0 - b).abs() < 1e-4)
            });
            if !matches && preset_name != "custom" {
                self.filter_preset.set_value("custom");
                self.shown_preset = "custom".into();
            }
        }
        let filter_values: Vec<f32> = self
            .weights
            .iter()
            .map(|i| controls::number(i) as f32)
            .collect();
        let filter = Matrix::from_row_slice(3, 3, &filter_values);
        let image = Matrix::from_row_slice(SIDE, SIDE, &self.image);
        let stride: usize = controls::chosen(&self.stride)?;
        let conv = convolve_image(&image, &filter, stride, self.padding_rule())?;
        let kind = if self.pool.value() == "average" {
            PoolKind::Average
        } else {
            PoolKind::Max
        };
        let pooled = pool_map(&conv.output, kind, 2, 2);

        let palette = Palette::from_css()?;
        let p = conv.padding;
        let padded = row_major(&conv.padded);
        grid::draw(
            &self.input_canvas,
            &GridChart {
                values: &padded,
                rows: conv.padded.nrows(),
                cols: conv.padded.ncols(),
                reach: 1.0,
                padding: (p.top, p.bottom, p.left, p.right),
                decimals: 1,
            },
            &palette,
        )?;
        let map = row_major(&conv.output);
        let reach = map.iter().fold(0.0_f32, |m, v| m.max(v.abs())).max(1e-3);
        grid::draw(
            &self.map_canvas,
            &GridChart {
                values: &map,
                rows: conv.output.nrows(),
                cols: conv.output.ncols(),
                reach,
                padding: (0, 0, 0, 0),
                decimals: 1,
            },
            &palette,
        )?;
        let (oh, ow) = conv.output.shape();
        let formula = format!(
            "output side = ⌊({SIDE} + {} + {} − 3) / {stride}⌋ + 1 = {oh}",
            p.top, p.bottom
        );
        dom::set_text(&self.formula, &formula);
        let (pooled_values, pooled_shape, pool_note) = match &pooled {
            Ok(pm) => (
                row_major(&pm.output),
                pm.output.shape(),
                format!(
                    "{} pooling, 2×2 windows, stride 2: {oh}×{ow} → {}×{}",
                    if kind == PoolKind::Max {
                        "Max"
                    } else {
                        "Average"
                    },
                    pm.output.nrows(),
                    pm.output.ncols()
                ),
            ),
            Err(_) => (
                Vec::new(),
                (0, 0),
                format!("A {oh}×{ow} map is too small for a 2×2 pooling window."),
            ),
        };
        grid::draw(
            &self.pooled_canvas,
            &GridChart {
                values: &pooled_values,
                rows: pooled_shape.0,
                cols: pooled_shape.1,
                reach,
                padding: (0, 0, 0, 0),
                decimals: 1,
            },
            &palette,
        )?;
        dom::set_output(&self.root, "pool-note", &pool_note);
        let source = if digit == "drawn" {
            "your drawing".to_owned()
        } else {
            format!("a handwritten {digit}")
        };
        self.input_canvas.set_attribute(
            "aria-label",
            &format!(
                "The input: {source}, 8 by 8 pixels{}.",
                if p.top + p.bottom + p.left + p.right > 0 {
                    ", with a border of zero padding"
                } else {
                    ""
                }
            ),
        )?;
        self.map_canvas.set_attribute(
            "aria-label",
            &format!(
                "The feature map, {oh} by {ow}, values from {} to {}.",
                fmt(f64::from(map.iter().copied().fold(f32::MAX, f32::min)), 2),
                fmt(f64::from(map.iter().copied().fold(f32::MIN, f32::max)), 2)
            ),
        )?;
        self.pooled_canvas.set_attribute("aria-label", &pool_note)?;
        dom::set_state(
            &self.root,
            &ConvState {
                digit: &digit,
                filter: &filter_values,
                stride,
                padding: if self.padding_rule() == Padding::Same {
                    "same"
                } else {
                    "valid"
                },
                pool: if kind == PoolKind::Max {
                    "max"
                } else {
                    "average"
                },
                image: &self.image,
                output_size: [oh, ow],
                feature_map: &map,
                pooled_size: [pooled_shape.0, pooled_shape.1],
                pooled: &pooled_values,
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the digit shown (or `"drawn"`), the filter's weights row by row, the
/// stride, padding and pooling, the image, and the feature map and pooled map with their sizes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConvState<'a> {
    digit: &'a str,
    filter: &'a [f32],
    stride: usize,
    padding: &'static str,
    pool: &'static str,
    image: &'a [f32],
    output_size: [usize; 2],
    feature_map: &'a [f32],
    pooled_size: [usize; 2],
    pooled: &'a [f32],
}
