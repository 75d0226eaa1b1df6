//! The weight-penalties figure: one playground network trained with no penalty, L1, L2 and the
//! elastic net at a rate the reader sets, each run's weight histogram and count of near-zero
//! weights, and AdamW against Adam with an L2 gradient: their weight norms and validation losses.

use super::Figure;
use crate::charts::Palette;
use crate::charts::bars::{self, Panel};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use serde::Serialize;
use spiega_lessons::weight_penalties::{NEAR_ZERO, PenaltyStudy, RUN_NAMES, histogram};
use spiega_lessons::weight_penalties::{SHOWN_UPDATES, UPDATES_PER_RECORD};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

/// The weight decay both Adam runs use.
const DECAY: f32 = 0.01;
/// The histogram: bins over `[−RANGE, RANGE]`, the end bins holding everything beyond.
const BINS: usize = 9;
const RANGE: f32 = 1.8;

struct PenaltiesFigure {
    root: Element,
    histograms: Vec<HtmlCanvasElement>,
    decay_canvas: HtmlCanvasElement,
    readout: Element,
    rate: HtmlInputElement,
    study: PenaltyStudy,
    playback: Playback,
    bins: Vec<usize>,
    heights: Vec<f64>,
    categories: Vec<String>,
    /// Per run, as last drawn: weights near zero, all weights, and the weights' norm (the
    /// engine reads these through `&mut`, so the CSV export keeps the drawn values).
    weight_summary: Vec<(usize, usize, f32)>,
}

/// The penalty rate the slider (a base-10 exponent) gives.
fn read_rate(input: &HtmlInputElement) -> f32 {
    controls::log_value(input) as f32
}

/// Mounts the figure in `root`; it trains a few frames when it first comes on screen
/// ([`training::warm_up_on_first_sight`]), and further only when the reader presses the button.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let rate: HtmlInputElement = dom::input(root, "rate")?;
    let train: Element = dom::query(root, "button[data-role=\"train\"]")?;
    let fig = Rc::new(RefCell::new(PenaltiesFigure {
        root: root.clone(),
        histograms: (0..4)
            .map(|i| dom::query(root, &format!("canvas[data-role=\"histogram-{i}\"]")))
            .collect::<Result<Vec<_>>>()?,
        decay_canvas: dom::query(root, "canvas[data-role=\"decay\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        study: PenaltyStudy::new(read_rate(&rate), DECAY)?,
        rate,
        playback: Playback::new(root, &train)?,
        bins: Vec::new(),
        weight_summary: Vec::with_capacity(RUN_NAMES.len()),
        heights: Vec::new(),
        categories: (0..BINS)
            .map(|k| match k {
                0 => format!("≤{}", fmt(-f64::from(RANGE) + 0.4, 1)),
                k if k == BINS / 2 => "0".to_owned(),
                k if k == BINS - 1 => format!("≥{}", fmt(f64::from(RANGE) - 0.4, 1)),
                _ => String::new(),
            })
            .collect(),
    }));
    let f = Rc::clone(&fig);
    dom::on(&train, "click", move |_| training::toggle(&f))?;
    let reset: Element = dom::query(root, "button[data-role=\"reset\"]")?;
    let f = Rc::clone(&fig);
    dom::on(&reset, "click", move |_| rebuild(&f))?;
    let rate = fig.borrow().rate.clone();
    let f = Rc::clone(&fig);
    dom::on(&rate, "input", move |_| rebuild(&f))?;
    training::warm_up_on_first_sight(&fig)?;
    let fig: Rc<RefCell<dyn Figure>> = fig;
    Ok(fig)
}

/// Builds the runs afresh, untrained, at the slider's rate.
fn rebuild(fig: &Rc<RefCell<PenaltiesFigure>>) {
    if let Ok(mut f) = fig.try_borrow_mut() {
        let result = PenaltyStudy::new(read_rate(&f.rate), DECAY)
            .map_err(WebError::from)
            .and_then(|s| {
                f.study = s;
                f.set_playing(false);
                f.update()
            });
        if let Err(e) = result {
            f.report(&e);
        }
    }
}

impl Trains for PenaltiesFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    fn paused_label(&self) -> &'static str {
        training::paused_label(self.study.steps(), SHOWN_UPDATES, "Train the six networks")
    }

    /// After the last update, play starts again from untrained networks.
    fn before_play(&mut self) -> Result<()> {
        if self.study.steps() >= SHOWN_UPDATES {
            self.study = PenaltyStudy::new(read_rate(&self.rate), DECAY)?;
        }
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.study.steps()
    }

    /// A bounded number of updates on every network, without drawing.
    fn advance_frame(&mut self) -> Result<bool> {
        let updates = training::updates_left(self.study.steps(), SHOWN_UPDATES, UPDATES_PER_RECORD);
        let result = self.study.step(updates);
        if self.study.steps() >= SHOWN_UPDATES {
            self.set_playing(false);
        }
        result?;
        Ok(self.playback.playing())
    }

    fn redraw(&mut self) -> Result<()> {
        self.update()
    }

    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        dom::set_text(&self.readout, &format!("Training stopped: {e}."));
    }
}

impl PenaltiesFigure {}

impl Figure for PenaltiesFigure {
    /// One row per run at the latest record: its penalty or decay rate, losses, weight norm and
    /// how many weights are near zero.
    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&[
            "step",
            "run",
            "rate",
            "train_loss",
            "validation_loss",
            "weight_norm",
            "weights_near_zero",
            "weights",
        ]);
        let step = self.study.steps();
        let (rate, decay) = self.study.rates();
        for (i, (name, summary)) in RUN_NAMES.iter().zip(&self.weight_summary).enumerate() {
            let (near, total, norm) = *summary;
            let losses = self.study.losses(i).ok();
            csv.row([
                Cell::from(step),
                Cell::from(*name),
                Cell::from(if i < 4 { rate } else { decay }),
                Cell::from(losses.map(|l| l.0)),
                Cell::from(losses.map(|l| l.1)),
                Cell::from(norm),
                Cell::from(near),
                Cell::from(total),
            ]);
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        self.weight_summary.clear();
        for i in 0..RUN_NAMES.len() {
            let (near, total) = self.study.near_zero(i)?;
            let norm = self.study.norm(i)?;
            self.weight_summary.push((near, total, norm));
        }
        let palette = Palette::from_css()?;
        let (rate, decay) = self.study.rates();
        let rate_text = controls::format_rate(rate);
        dom::set_output(&self.root, "rate-value", &rate_text);
        let step = self.study.steps();
        let mut zeros = Vec::with_capacity(4);
        let mut counts = Vec::with_capacity(4);
        for i in 0..4 {
            let (near, total) = self.study.near_zero(i)?;
            zeros.push(near);
            let w = self.study.weights(i)?;
            histogram(w, -RANGE, RANGE, BINS, &mut self.bins);
            self.heights.clear();
            self.heights.extend(self.bins.iter().map(|&c| c as f64));
            // One scale for all four, tall enough for every weight in one bin, so no bar is cut.
            let top = (total as f64 * 1.1).max(1.0);
            let title = format!("{}: {near} of {total} near zero", RUN_NAMES[i]);
            let canvas = &self.histograms[i];
            bars::draw(
                canvas,
                &self.categories,
                &[Panel {
                    title: &title,
                    values: &self.heights,
                    y: 0.0..top,
                    color: if i == 0 { palette.orange } else { palette.blue },
                    decimals: 0,
                }],
                &palette,
            )?;
            let listing: Vec<String> = self.bins.iter().map(|c| c.to_string()).collect();
            canvas.set_attribute(
                "aria-label",
                &format!(
                    "Histogram of the weights with {}: {near} of {total} within {NEAR_ZERO} of \
                     zero; counts per bin from −{RANGE} to {RANGE}: {}.",
                    RUN_NAMES[i],
                    listing.join(", ")
                ),
            )?;
            counts.push(self.bins.clone());
        }
        let norms = [self.study.norm(4)?, self.study.norm(5)?];
        let losses = [self.study.losses(4)?.1, self.study.losses(5)?.1];
        // Short names, so that both fit under their bars on a phone.
        let names = vec!["AdamW".to_owned(), "Adam+L2".to_owned()];
        let norm_values = [f64::from(norms[0]), f64::from(norms[1])];
        let loss_values = [f64::from(losses[0]), f64::from(losses[1])];
        bars::draw(
            &self.decay_canvas,
            &names,
            &[
                Panel {
                    title: "weight norm ‖w‖",
                    values: &norm_values,
                    y: 0.0..(norm_values[0].max(norm_values[1]) * 1.25).max(1.0),
                    color: palette.blue,
                    decimals: 2,
                },
                Panel {
                    title: "validation loss",
                    values: &loss_values,
                    y: 0.0..(loss_values[0].max(loss_values[1]) * 1.25).max(0.1),
                    color: palette.orange,
                    decimals: 3,
                },
            ],
            &palette,
        )?;
        let decay_text = format!(
            "AdamW: weight norm {}, validation loss {}. Adam + L2: weight norm {}, validation \
             loss {}.",
            fmt(f64::from(norms[0]), 2),
            fmt(f64::from(losses[0]), 3),
            fmt(f64::from(norms[1]), 2),
            fmt(f64::from(losses[1]), 3)
        );
        self.decay_canvas.set_attribute(
            "aria-label",
            &format!("Weight decay {decay}, after {step} updates. {decay_text}"),
        )?;
        dom::set_output(&self.root, "step-count", &step.to_string());
        let text = if step == 0 {
            format!(
                "Untrained. Press “Train the six networks”: {SHOWN_UPDATES} updates each, ten per frame."
            )
        } else {
            format!(
                "After {step} updates at rate {rate_text}: near-zero weights (|w| < {NEAR_ZERO}): \
                 none {}, L1 {}, L2 {}, elastic net {}. {decay_text}",
                zeros[0], zeros[1], zeros[2], zeros[3]
            )
        };
        dom::set_text(&self.readout, &text);
        dom::set_state(
            &self.root,
            &PenaltiesState {
                step,
                playing: self.playback.playing(),
                limit: SHOWN_UPDATES,
                rate,
                decay,
                near_zero: zeros,
                histograms: counts,
                norms,
                validation_loss: losses,
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the updates made, whether it plays and its limit, the rate and
/// weight decay, per penalty the weights near zero and the histogram's counts, and for AdamW
/// and Adam with an L2 penalty their weights' norms and validation losses.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PenaltiesState {
    step: u64,
    playing: bool,
    limit: u64,
    rate: f32,
    decay: f32,
    near_zero: Vec<usize>,
    histograms: Vec<Vec<usize>>,
    norms: [f32; 2],
    validation_loss: [f32; 2],
}
