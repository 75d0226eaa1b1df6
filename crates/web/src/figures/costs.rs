//! The cost-function figures: every classification loss against the margin `m = y·f(x)` on one
//! chart (with their derivatives on request), and cross-entropy, Gini impurity and entropy against
//! a probability.

use super::{Figure, update_on_input};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::{Palette, parse_color};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use plotters::style::RGBAColor;
use serde::{Serialize, Serializer};
use spiega_lessons::costs::{cross_entropy_curve, impurity_curves, margin_curve};
use spiega_nn::loss::MarginLoss;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

/// Points sampled along each curve.
const SAMPLES: usize = 401;

/// A colour from a CSS custom property of the page, or `fallback`.
fn css_color(name: &str, fallback: RGBAColor) -> RGBAColor {
    dom::document()
        .ok()
        .and_then(|d| d.document_element())
        .and_then(|root| {
            dom::window()
                .ok()?
                .get_computed_style(&root)
                .ok()
                .flatten()?
                .get_property_value(name)
                .ok()
        })
        .and_then(|v| parse_color(&v))
        .unwrap_or(fallback)
}

/// Each margin loss's colour on the chart, and how the page names it.
fn loss_style(loss: MarginLoss, palette: &Palette) -> (RGBAColor, &'static str) {
    match loss {
        MarginLoss::ZeroOne => (palette.muted, "0-1"),
        MarginLoss::Squared => (
            css_color("--loss-squared", RGBAColor(123, 94, 167, 1.0)),
            "squared",
        ),
        MarginLoss::Logistic => (palette.blue, "logistic"),
        MarginLoss::Hinge => (palette.orange, "hinge"),
        MarginLoss::Exponential => (
            css_color("--loss-exponential", RGBAColor(42, 157, 92, 1.0)),
            "exponential",
        ),
    }
}

/// Keeps the points of a curve that fall inside the y range (the curves are monotone or convex,
/// so what is left is one piece).
fn inside(xs: &[f32], ys: &[f32], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| (f64::from(x), f64::from(y)))
        .filter(|&(_, y)| (lo..=hi).contains(&y))
        .collect()
}

/// The margin-loss chart.
struct MarginFigure {
    root: Element,
    canvas: HtmlCanvasElement,
    readout: Element,
    probe: HtmlInputElement,
    gradients: HtmlInputElement,
}

/// Mounts the margin-loss figure in `root`.
pub fn mount_margin(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = MarginFigure {
        root: root.clone(),
        canvas: dom::query(root, "canvas[data-role=\"chart\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        probe: dom::input(root, "margin")?,
        gradients: dom::input(root, "gradients")?,
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    Ok(fig)
}

impl Figure for MarginFigure {
    fn update(&mut self) -> Result<()> {
        // The margin axis is the slider's range.
        let (lo, hi) = controls::range(&self.probe)?;
        let margin = (lo as f32, hi as f32);
        let m = controls::number(&self.probe) as f32;
        let gradients = self.gradients.checked();
        dom::set_output(&self.root, "margin-value", &fmt(f64::from(m), 2));
        let palette = Palette::from_css()?;
        let (y0, y1) = if gradients { (-2.6, 4.0) } else { (-0.3, 4.0) };
        let mut curves = Vec::new();
        let mut markers = Vec::new();
        let mut values = Vec::new();
        for loss in MarginLoss::ALL {
            let (color, _) = loss_style(loss, &palette);
            let (ms, vs, ds) = margin_curve(loss, margin.0, margin.1, SAMPLES);
            curves.push((inside(&ms, &vs, y0, y1), color, Stroke::Solid));
            if gradients {
                curves.push((inside(&ms, &ds, y0, y1), color, Stroke::Dashed));
            }
            let (v, d) = (loss.value(m), loss.derivative(m));
            markers.push(((f64::from(m), f64::from(v)), color));
            values.push((loss, v, d));
        }
        line::draw(
            &self.canvas,
            &LineChart {
                x: lo..hi,
                y: y0..y1,
                x_label: "margin m = ỹ·f(x)",
                series: curves
                    .iter()
                    .map(|(points, color, stroke)| Series {
                        points,
                        color: *color,
                        stroke: *stroke,
                    })
                    .collect(),
                bands: &[],
                markers,
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let parts: Vec<String> = values
            .iter()
            .map(|&(loss, v, d)| {
                let name = loss_style(loss, &palette).1;
                if gradients {
                    format!(
                        "{name} {} (slope {})",
                        fmt(f64::from(v), 3),
                        fmt(f64::from(d), 3)
                    )
                } else {
                    format!("{name} {}", fmt(f64::from(v), 3))
                }
            })
            .collect();
        let text = format!("at m = {}: {}", fmt(f64::from(m), 2), parts.join(", "));
        dom::set_text(&self.readout, &text);
        self.canvas.set_attribute(
            "aria-label",
            &format!(
                "The 0-1, squared, logistic, hinge and exponential losses against the margin from {} to {}{}. {text}",
                margin.0,
                margin.1,
                if gradients { ", with their derivatives dashed" } else { "" }
            ),
        )?;
        dom::set_state(
            &self.root,
            &MarginState {
                margin: m,
                gradients,
                losses: ByLoss(values.iter().map(|t| (t.0.name(), t.1)).collect()),
                derivatives: ByLoss(values.iter().map(|t| (t.0.name(), t.2)).collect()),
            },
        )?;
        Ok(())
    }
}

/// Cross-entropy, Gini impurity and entropy against a probability.
struct ProbabilityFigure {
    root: Element,
    entropy_canvas: HtmlCanvasElement,
    impurity_canvas: HtmlCanvasElement,
    readout: Element,
    probe: HtmlInputElement,
}

/// Mounts the probability figure in `root`.
pub fn mount_probability(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = ProbabilityFigure {
        root: root.clone(),
        entropy_canvas: dom::query(root, "canvas[data-role=\"cross-entropy\"]")?,
        impurity_canvas: dom::query(root, "canvas[data-role=\"impurity\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        probe: dom::input(root, "probability")?,
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    Ok(fig)
}

impl Figure for ProbabilityFigure {
    fn update(&mut self) -> Result<()> {
        let p = controls::number(&self.probe);
        dom::set_output(&self.root, "probability-value", &fmt(p, 2));
        let palette = Palette::from_css()?;
        let ce = cross_entropy_curve(0.01, 1.0, SAMPLES)?;
        let pair = |ys: &[f64]| -> Vec<(f64, f64)> {
            ce.p.iter().copied().zip(ys.iter().copied()).collect()
        };
        let (pos, neg) = (pair(&ce.loss_if_positive), pair(&ce.loss_if_negative));
        // The engine's value at the probe itself, so the readout is exact and not interpolated.
        let at = cross_entropy_curve(p, 1.0, 2)?;
        let (ce_pos, ce_neg) = (at.loss_if_positive[0], at.loss_if_negative[0]);
        let y_ce = 0.0..4.8;
        line::draw(
            &self.entropy_canvas,
            &LineChart {
                x: 0.0..1.0,
                y: y_ce,
                x_label: "predicted probability p of class 1",
                series: vec![
                    Series {
                        points: &pos,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &neg,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                ],
                bands: &[],
                markers: vec![((p, ce_pos), palette.blue), ((p, ce_neg), palette.orange)],
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let imp = impurity_curves(SAMPLES);
        let gini: Vec<(f64, f64)> = imp.p.iter().copied().zip(imp.gini.clone()).collect();
        let bits: Vec<(f64, f64)> = imp
            .p
            .iter()
            .copied()
            .zip(imp.entropy_bits.clone())
            .collect();
        // Gini and entropy at the probe come from the functions the curves are sampled from.
        let g = spiega_nn::loss::binary_gini(p);
        let h = spiega_nn::loss::binary_entropy(p) / std::f64::consts::LN_2;
        line::draw(
            &self.impurity_canvas,
            &LineChart {
                x: 0.0..1.0,
                y: 0.0..1.1,
                x_label: "proportion p of class 1 in a node",
                series: vec![
                    Series {
                        points: &gini,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &bits,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                ],
                bands: &[],
                markers: vec![((p, g), palette.blue), ((p, h), palette.orange)],
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let text = format!(
            "at p = {}: cross-entropy {} if the class is 1, {} if it is 0; Gini {}, entropy {} bits",
            fmt(p, 2),
            fmt(ce_pos, 3),
            fmt(ce_neg, 3),
            fmt(g, 3),
            fmt(h, 3)
        );
        dom::set_text(&self.readout, &text);
        self.entropy_canvas.set_attribute(
            "aria-label",
            &format!(
                "Cross-entropy against the predicted probability: −ln p when the true class is 1, −ln(1 − p) when it is 0. At p = {}: {} and {}.",
                fmt(p, 2),
                fmt(ce_pos, 3),
                fmt(ce_neg, 3)
            ),
        )?;
        self.impurity_canvas.set_attribute(
            "aria-label",
            &format!(
                "Gini impurity and entropy in bits against the class proportion, both zero for a pure node and largest at one half. At p = {}: Gini {}, entropy {}.",
                fmt(p, 2),
                fmt(g, 3),
                fmt(h, 3)
            ),
        )?;
        dom::set_state(
            &self.root,
            &ProbabilityState {
                p,
                cross_entropy_positive: ce_pos,
                cross_entropy_negative: ce_neg,
                gini: g,
                entropy_bits: h,
            },
        )?;
        Ok(())
    }
}

/// The margin figure's `data-state`: the margin probed, whether derivatives are drawn, and each
/// loss's value and derivative there, by the loss's name.
#[derive(Serialize)]
struct MarginState {
    margin: f32,
    gradients: bool,
    losses: ByLoss,
    derivatives: ByLoss,
}

/// One number per margin loss, written as an object keyed by the loss's name, in the figure's
/// order.
struct ByLoss(Vec<(&'static str, f32)>);

impl Serialize for ByLoss {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// The probability figure's `data-state`: the probability probed, the cross-entropy when the true
/// class is 1 and when it is 0, and the Gini impurity and entropy (in bits) of a node with that
/// share of class 1.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProbabilityState {
    p: f64,
    cross_entropy_positive: f64,
    cross_entropy_negative: f64,
    gini: f64,
    entropy_bits: f64,
}
