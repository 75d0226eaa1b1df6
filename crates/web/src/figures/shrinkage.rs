//! The regularisation figure: lasso, ridge and elastic-net coefficient paths on a regression
//! problem with irrelevant features, a rate slider, and the coefficients at that rate beside the
//! true ones.

use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::bars::{self, Panel};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::shrinkage::{Shrinkage, exact_zeros};
use spiega_nn::linear_model::PathPenalty;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// The seed of the figure's regression problem.
const SEED: u32 = 1;

struct ShrinkageFigure {
    root: Element,
    paths_canvas: HtmlCanvasElement,
    bars_canvas: HtmlCanvasElement,
    readout: Element,
    penalty: HtmlSelectElement,
    rate: HtmlInputElement,
    /// One solved problem per penalty, built once: lasso, ridge, elastic net.
    runs: Vec<Shrinkage>,
    curves: Vec<Vec<(f64, f64)>>,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let runs = [
        PathPenalty::Lasso,
        PathPenalty::Ridge,
        PathPenalty::ElasticNet { l1_ratio: 0.5 },
    ]
    .into_iter()
    .map(|p| Shrinkage::new(p, SEED))
    .collect::<spiega_nn::Result<Vec<_>>>()?;
    let rate = dom::input(root, "rate")?;
    // The slider runs over the grid's rates, in log₁₀ α, smallest on the left.
    if let Some(first) = runs.first() {
        let rates = first.rates();
        let hi = rates.first().copied().unwrap_or(1.0);
        let lo = rates.last().copied().unwrap_or(1e-3);
        rate.set_min(&format!("{}", f64::from(lo).log10()));
        rate.set_max(&format!("{}", f64::from(hi).log10()));
        rate.set_value(&format!(
            "{}",
            f64::from(rates.get(rates.len() / 3).copied().unwrap_or(hi)).log10()
        ));
    }
    let fig = ShrinkageFigure {
        root: root.clone(),
        paths_canvas: dom::query(root, "canvas[data-role=\"paths\"]")?,
        bars_canvas: dom::query(root, "canvas[data-role=\"coefficients\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        penalty: dom::query(root, "select[data-role=\"penalty\"]")?,
        rate,
        runs,
        curves: Vec::new(),
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    let f = Rc::clone(&fig);
    dom::on(root, "change", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.update()
        {
            web_sys::console::error_1(&e.to_string().into());
        }
    })?;
    Ok(fig)
}

impl Figure for ShrinkageFigure {
    /// Every penalty's coefficient paths: one row per penalty and rate of the grid (largest rate
    /// first) with each feature's coefficient, after a row of the true coefficients.
    fn csv(&self) -> Option<String> {
        let first = self.runs.first()?;
        let d = first.problem().coefficients.len();
        let names: Vec<String> = (1..=d).map(|j| format!("feature_{j}")).collect();
        let mut header = vec!["penalty", "rate"];
        header.extend(names.iter().map(String::as_str));
        let mut csv = Csv::new(&header);
        let truth = first.problem().coefficients.iter().map(|&w| Cell::from(w));
        csv.row([Cell::from("true"), Cell::Empty].into_iter().chain(truth));
        for (run, penalty) in self
            .runs
            .iter()
            .zip(["L1 (lasso)", "L2 (ridge)", "elastic net"])
        {
            for (rate, path) in run.rates().iter().zip(run.paths()) {
                let cells = path.iter().map(|&w| Cell::from(w));
                csv.row(
                    [Cell::from(penalty), Cell::from(*rate)]
                        .into_iter()
                        .chain(cells),
                );
            }
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        let (index, key, name) = match self.penalty.value().as_str() {
            "l2" => (1, "l2", "L2 (ridge)"),
            "elastic" => (2, "elastic", "elastic net, half L1"),
            _ => (0, "l1", "L1 (lasso)"),
        };
        let Some(run) = self.runs.get(index) else {
            return Ok(());
        };
        let alpha = controls::log_value(&self.rate) as f32;
        // The markers sit at the rate used, on the paths' log₁₀ α axis.
        let log_alpha = f64::from(alpha).log10();
        let coefficients = run.at(alpha)?;
        let zeros = exact_zeros(&coefficients);
        let truth = &run.problem().coefficients;
        let d = truth.len();
        // One curve per feature: its coefficient against log₁₀ α.
        self.curves.resize_with(d, Vec::new);
        for (j, curve) in self.curves.iter_mut().enumerate() {
            curve.clear();
            for (a, w) in run.rates().iter().zip(run.paths()) {
                curve.push((f64::from(*a).log10(), f64::from(w[j])));
            }
        }
        let palette = Palette::from_css()?;
        let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
        for p in self.curves.iter().flatten() {
            lo = lo.min(p.1);
            hi = hi.max(p.1);
        }
        let pad = (hi - lo).max(1e-3) * 0.08;
        let x0 = run.rates().last().map_or(-3.0, |a| f64::from(*a).log10());
        let x1 = run.rates().first().map_or(0.0, |a| f64::from(*a).log10());
        let series = self
            .curves
            .iter()
            .zip(truth)
            .map(|(points, t)| Series {
                points,
                color: if *t != 0.0 {
                    palette.blue
                } else {
                    palette.orange
                },
                stroke: if *t != 0.0 {
                    Stroke::Solid
                } else {
                    Stroke::Dashed
                },
            })
            .collect();
        let markers = coefficients
            .iter()
            .zip(truth)
            .map(|(c, t)| {
                (
                    (log_alpha, f64::from(*c)),
                    if *t != 0.0 {
                        palette.blue
                    } else {
                        palette.orange
                    },
                )
            })
            .collect();
        line::draw(
            &self.paths_canvas,
            &LineChart {
                x: x0..x1,
                y: (lo - pad)..(hi + pad),
                x_label: "log₁₀ λ (rate grows to the right)",
                series,
                bands: &[],
                markers,
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let categories: Vec<String> = (1..=d).map(|j| j.to_string()).collect();
        let true64: Vec<f64> = truth.iter().map(|&v| v.into()).collect();
        let fit64: Vec<f64> = coefficients.iter().map(|&v| v.into()).collect();
        let span = true64
            .iter()
            .chain(&fit64)
            .fold(0.5_f64, |m, v| m.max(v.abs()))
            * 1.25;
        bars::draw(
            &self.bars_canvas,
            &categories,
            &[
                Panel {
                    title: "true coefficients",
                    values: &true64,
                    y: -span..span,
                    color: palette.muted,
                    decimals: 1,
                },
                Panel {
                    title: "fitted at this rate",
                    values: &fit64,
                    y: -span..span,
                    color: palette.blue,
                    decimals: 1,
                },
            ],
            &palette,
        )?;
        let irrelevant = truth.iter().filter(|t| **t == 0.0).count();
        let irrelevant_zeros = coefficients
            .iter()
            .zip(truth)
            .filter(|(c, t)| **t == 0.0 && **c == 0.0)
            .count();
        let alpha_text = controls::format_rate(alpha);
        dom::set_output(&self.root, "rate-value", &alpha_text);
        self.rate.set_attribute("aria-valuetext", &alpha_text)?;
        let text = format!(
            "{name}, λ = {alpha_text}: {zeros} of {d} coefficients are exactly zero \
             ({irrelevant_zeros} of the {irrelevant} irrelevant features)."
        );
        dom::set_text(&self.readout, &text);
        self.paths_canvas
            .set_attribute("aria-label", &format!("Coefficient paths. {text}"))?;
        let listed = |values: &[f64]| {
            values
                .iter()
                .map(|&v| fmt(v, 2))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.bars_canvas.set_attribute(
            "aria-label",
            &format!(
                "Coefficients 1 to {d}: true {}; fitted at λ = {alpha_text}: {}.",
                listed(&true64),
                listed(&fit64)
            ),
        )?;
        dom::set_state(
            &self.root,
            &ShrinkageState {
                penalty: key,
                alpha,
                zeros,
                irrelevant_zeros,
                coefficients: &coefficients,
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the penalty, its strength, how many coefficients are zero (and how
/// many of those belong to irrelevant features), and the fitted coefficients.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShrinkageState<'a> {
    penalty: &'a str,
    alpha: f32,
    zeros: usize,
    irrelevant_zeros: usize,
    coefficients: &'a [f32],
}
