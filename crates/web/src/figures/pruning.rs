//! The pruning figure: a trained network loses its smallest weights as a slider moves; the
//! validation accuracy against the fraction removed, and the pruned network itself.

use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::heatmap::ColorScale;
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::network::{LayerSpec, Network, NetworkSpec, NodeSpec};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::pruning::PruningStudy;
use spiega_lessons::pruning::{SEED, TRAINING_UPDATES};
use spiega_nn::layer::Dense;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlButtonElement, HtmlCanvasElement, HtmlInputElement};

struct PruningFigure {
    root: Element,
    curve_canvas: HtmlCanvasElement,
    network_canvas: HtmlCanvasElement,
    readout: Element,
    fraction: HtmlInputElement,
    train: HtmlButtonElement,
    study: Option<PruningStudy>,
    network: Network,
    curve: Vec<(f64, f64)>,
    weights: Vec<Vec<f32>>,
}

/// Mounts the figure in `root`; the network is trained when the reader asks.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(PruningFigure {
        root: root.clone(),
        curve_canvas: dom::query(root, "canvas[data-role=\"accuracy\"]")?,
        network_canvas: dom::query(root, "canvas[data-role=\"network\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        fraction: dom::input(root, "fraction")?,
        train: dom::query(root, "button[data-role=\"train\"]")?,
        study: None,
        network: Network::new(),
        curve: Vec::new(),
        weights: Vec::new(),
    }));
    let f = Rc::clone(&fig);
    let button = fig.borrow().train.clone();
    dom::on(&button, "click", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut() {
            let result = PruningStudy::train(TRAINING_UPDATES, SEED)
                .map_err(Into::into)
                .and_then(|s| {
                    fig.study = Some(s);
                    fig.update()
                });
            if let Err(e) = result {
                dom::set_text(&fig.readout, &format!("Something went wrong: {e}."));
            }
        }
    })?;
    // The first sight trains the network as the button would, if the reader has not.
    crate::frame::on_first_sight(root, move || {
        if !button.disabled() {
            button.click();
        }
        true
    })?;
    let fig: Rc<RefCell<dyn Figure>> = fig;
    update_on_input(root, &fig)?;
    Ok(fig)
}

impl Figure for PruningFigure {
    /// The curve the figure draws: validation accuracy at each sampled fraction of the weights
    /// removed (no rows before the network is trained).
    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&["fraction_removed", "validation_accuracy"]);
        if let Some(study) = self.study.as_ref() {
            for (f, a) in study.fractions().iter().zip(study.accuracy()) {
                csv.row([Cell::from(*f), Cell::from(*a)]);
            }
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        let fraction = (controls::number(&self.fraction) / 100.0) as f32;
        dom::set_output(
            &self.root,
            "fraction-value",
            &format!("{:.0}%", 100.0 * fraction),
        );
        let Some(study) = self.study.as_mut() else {
            // Before training: empty axes, and no network to show yet.
            let palette = Palette::from_css()?;
            line::draw(
                &self.curve_canvas,
                &LineChart {
                    x: 0.0..100.0,
                    y: 0.0..105.0,
                    x_label: "weights removed (%)",
                    series: vec![],
                    bands: &[],
                    markers: vec![],
                    log_y: false,
                    note: None,
                },
                &palette,
            )?;
            if let Some(frame) = self.network_canvas.parent_element() {
                dom::set_hidden(&frame, true)?;
            }
            self.curve_canvas.set_attribute(
                "aria-label",
                "Validation accuracy against the share of weights removed, 0% to 100%: empty \
                 until the network is trained.",
            )?;
            self.fraction.set_disabled(true);
            dom::set_text(
                &self.readout,
                "Press “Train the network” to train it (1500 updates, a fraction of a second), \
                 then prune it with the slider.",
            );
            dom::set_state(
                &self.root,
                &PruningState {
                    trained: false,
                    pruned: None,
                },
            )?;
            return Ok(());
        };
        self.fraction.set_disabled(false);
        self.train.set_disabled(true);
        if let Some(frame) = self.network_canvas.parent_element() {
            dom::set_hidden(&frame, false)?;
        }
        let accuracy = study.prune(fraction)?;
        let (removed, total) = study.counts();
        let palette = Palette::from_css()?;
        self.curve.clear();
        self.curve.extend(
            study
                .fractions()
                .iter()
                .zip(study.accuracy())
                .map(|(f, a)| (100.0 * f64::from(*f), 100.0 * f64::from(*a))),
        );
        line::draw(
            &self.curve_canvas,
            &LineChart {
                x: 0.0..100.0,
                y: 0.0..105.0,
                x_label: "weights removed (%)",
                series: vec![Series {
                    points: &self.curve,
                    color: palette.blue,
                    stroke: Stroke::Solid,
                }],
                bands: &[],
                markers: vec![(
                    (100.0 * f64::from(fraction), 100.0 * f64::from(accuracy)),
                    palette.orange,
                )],
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let model = study.pruned();
        let dense: Vec<&Dense> = (0..model.layers().len())
            .filter_map(|i| model.layer::<Dense>(i))
            .collect();
        self.weights.resize_with(dense.len(), Vec::new);
        for (buf, d) in self.weights.iter_mut().zip(&dense) {
            let w = d.weights();
            buf.clear();
            for r in 0..w.nrows() {
                buf.extend(w.row(r).iter());
            }
        }
        let max_abs = self
            .weights
            .iter()
            .flatten()
            .fold(0.0_f32, |m, w| m.max(w.abs()))
            .max(1e-6);
        let mut sizes = vec![dense.first().map_or(2, |d| d.weights().ncols())];
        sizes.extend(dense.iter().map(|d| d.weights().nrows()));
        let labels = ["x₁", "x₂"];
        let layers = sizes
            .iter()
            .enumerate()
            .map(|(l, &n)| LayerSpec {
                labels: if l == 0 { &labels } else { &[] },
                nodes: (0..n)
                    .map(|j| NodeSpec {
                        bias: dense
                            .get(l.wrapping_sub(1))
                            .and_then(|d| d.biases().get(j).copied()),
                        ..NodeSpec::default()
                    })
                    .collect(),
            })
            .collect();
        self.network.draw(
            &self.network_canvas,
            &NetworkSpec {
                layers,
                weights: self.weights.iter().map(Vec::as_slice).collect(),
                map_n: 0,
                max_abs_weight: max_abs,
                highlight: None,
                map_scale: ColorScale::UNIT,
                discretize: false,
            },
            &palette,
        )?;
        let full = study.accuracy().first().copied().unwrap_or(0.0);
        let text = format!(
            "{removed} of {total} weights removed ({}%): validation accuracy {}% (unpruned {}%).",
            fmt(100.0 * f64::from(fraction), 0),
            fmt(100.0 * f64::from(accuracy), 1),
            fmt(100.0 * f64::from(full), 1)
        );
        dom::set_text(&self.readout, &text);
        self.network_canvas.set_attribute(
            "aria-label",
            &format!(
                "The pruned network: {removed} of its {total} weights removed, the rest drawn \
                 by sign and size."
            ),
        )?;
        self.curve_canvas.set_attribute(
            "aria-label",
            &format!("Accuracy against weights removed. {text}"),
        )?;
        dom::set_state(
            &self.root,
            &PruningState {
                trained: true,
                pruned: Some(Pruned {
                    fraction,
                    removed,
                    weights: total,
                    accuracy,
                    curve: study.accuracy(),
                }),
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: whether the network is trained and, once it is, how it prunes.
#[derive(Serialize)]
struct PruningState<'a> {
    trained: bool,
    #[serde(flatten)]
    pruned: Option<Pruned<'a>>,
}

/// The trained network pruned: the share of weights removed, how many of how many, the validation
/// accuracy now and against every share.
#[derive(Serialize)]
struct Pruned<'a> {
    fraction: f32,
    removed: usize,
    weights: usize,
    accuracy: f32,
    curve: &'a [f32],
}
