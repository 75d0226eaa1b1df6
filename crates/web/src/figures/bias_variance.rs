//! The bias-variance figure: six networks of growing capacity trained side by side on one small,
//! noisy data set, their training and validation errors against capacity, and the decision
//! boundaries of an underfit, the chosen and an overfit network.

use super::Figure;
use crate::charts::Palette;
use crate::charts::heatmap::{
    ColorScale, DEFAULT_RANGE, Field, Heatmap, HeatmapSpec, Point, Split, Splits,
};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use serde::Serialize;
use spiega_lessons::bias_variance::{CapacityPoint, CapacitySweep, WIDTHS};
use spiega_lessons::bias_variance::{SHOWN_UPDATES, UPDATES_PER_RECORD};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlSelectElement};

/// The side of the grid each decision boundary is evaluated on.
const GRID: usize = 40;

struct BiasVarianceFigure {
    root: Element,
    curve_canvas: HtmlCanvasElement,
    panels: Vec<(HtmlCanvasElement, Element)>,
    heatmaps: Vec<Heatmap>,
    readout: Element,
    measure: HtmlSelectElement,
    sweep: CapacitySweep,
    playback: Playback,
    train_curve: Vec<(f64, f64)>,
    validation_curve: Vec<(f64, f64)>,
    field: Vec<f32>,
    classes: Vec<u8>,
    points: Vec<Point>,
}

/// Mounts the figure in `root`; it trains a few frames when it first comes on screen
/// ([`training::warm_up_on_first_sight`]), and further only when the reader presses the button.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let panels = (0..3)
        .map(|i| {
            Ok((
                dom::query(root, &format!("canvas[data-role=\"boundary-{i}\"]"))?,
                dom::query(root, &format!("[data-role=\"panel-title-{i}\"]"))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let train: Element = dom::query(root, "button[data-role=\"train\"]")?;
    let fig = Rc::new(RefCell::new(BiasVarianceFigure {
        root: root.clone(),
        curve_canvas: dom::query(root, "canvas[data-role=\"curve\"]")?,
        panels,
        heatmaps: (0..3).map(|_| Heatmap::new()).collect(),
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        measure: dom::query(root, "select[data-role=\"measure\"]")?,
        sweep: CapacitySweep::new()?,
        playback: Playback::new(root, &train)?,
        train_curve: Vec::new(),
        validation_curve: Vec::new(),
        field: Vec::new(),
        classes: Vec::new(),
        points: Vec::new(),
    }));
    let f = Rc::clone(&fig);
    dom::on(&train, "click", move |_| training::toggle(&f))?;
    let reset: Element = dom::query(root, "button[data-role=\"reset\"]")?;
    let f = Rc::clone(&fig);
    dom::on(&reset, "click", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut() {
            let result = CapacitySweep::new().map_err(WebError::from).and_then(|s| {
                fig.sweep = s;
                fig.set_playing(false);
                fig.update()
            });
            if let Err(e) = result {
                fig.report(&e);
            }
        }
    })?;
    let f = Rc::clone(&fig);
    dom::on(root, "change", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.update()
        {
            fig.report(&e);
        }
    })?;
    training::warm_up_on_first_sight(&fig)?;
    let fig: Rc<RefCell<dyn Figure>> = fig;
    Ok(fig)
}

impl Trains for BiasVarianceFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    fn paused_label(&self) -> &'static str {
        training::paused_label(self.sweep.steps(), SHOWN_UPDATES, "Train the six networks")
    }

    /// After the last update, play starts again from untrained networks.
    fn before_play(&mut self) -> Result<()> {
        if self.sweep.steps() >= SHOWN_UPDATES {
            self.sweep = CapacitySweep::new()?;
        }
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.sweep.steps()
    }

    /// A bounded number of updates on every network, without drawing.
    fn advance_frame(&mut self) -> Result<bool> {
        let updates = training::updates_left(self.sweep.steps(), SHOWN_UPDATES, UPDATES_PER_RECORD);
        let result = self.sweep.step(updates);
        if self.sweep.steps() >= SHOWN_UPDATES {
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

impl BiasVarianceFigure {
    /// Whether the curve shows the misclassified share (else the cross-entropy loss).
    fn shows_error(&self) -> bool {
        self.measure.value() == "error"
    }

    /// Draws the decision boundary of network `run` in panel `panel`.
    fn draw_panel(&mut self, panel: usize, run: usize, palette: &Palette) -> Result<()> {
        let Some(network) = self.sweep.runs_mut().runs_mut().get_mut(run) else {
            return Ok(());
        };
        network.evaluate_grid(GRID, &mut self.field, &mut self.classes)?;
        self.points.clear();
        let [train, validation, _] = network.points();
        for (part, split) in [(train, Split::Train), (validation, Split::Validation)] {
            let Some((x, y)) = part else { continue };
            for r in 0..x.nrows() {
                self.points.push(Point {
                    x: x[(r, 0)],
                    y: x[(r, 1)],
                    class_or_value: 2.0 * y[(r, 0)] - 1.0,
                    split,
                    selected: false,
                });
            }
        }
        let (canvas, title) = &self.panels[panel];
        let width = WIDTHS[run];
        let kind = ["Underfit", "Chosen", "Overfit"][panel];
        dom::set_text(
            title,
            &format!(
                "{kind}: {width} unit{} per layer",
                if width == 1 { "" } else { "s" }
            ),
        );
        self.heatmaps[panel].draw(
            canvas,
            &HeatmapSpec {
                field: Field::Values(&self.field),
                n: GRID,
                x_range: DEFAULT_RANGE,
                y_range: DEFAULT_RANGE,
                scale: ColorScale::UNIT,
                discretize: false,
                points: &self.points,
                splits: Splits::TRAINING,
                ticks: false,
            },
            palette,
        )?;
        canvas.set_attribute(
            "aria-label",
            &format!(
                "Decision boundary of the network with {width} hidden units per layer ({kind}), \
                 with the training points filled and the validation points as rings."
            ),
        )?;
        Ok(())
    }
}

/// The measure the curve shows for one network: training and validation.
fn measure(p: &CapacityPoint, error: bool) -> (f32, f32) {
    if error {
        (100.0 * p.train_error, 100.0 * p.validation_error)
    } else {
        (p.train_loss, p.validation_loss)
    }
}

impl Figure for BiasVarianceFigure {
    /// One row per network width at the latest record: its size, losses and error rates, and
    /// whether it is the one chosen by validation loss (with its test error).
    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&[
            "step",
            "width",
            "parameters",
            "train_loss",
            "validation_loss",
            "train_error",
            "validation_error",
            "chosen",
            "test_error",
        ]);
        let step = self.sweep.steps();
        if let (Ok(points), Ok((chosen, test_error))) = (self.sweep.points(), self.sweep.chosen()) {
            for (i, p) in points.iter().enumerate() {
                csv.row([
                    Cell::from(step),
                    p.width.into(),
                    p.parameters.into(),
                    p.train_loss.into(),
                    p.validation_loss.into(),
                    p.train_error.into(),
                    p.validation_error.into(),
                    Cell::from(usize::from(i == chosen)),
                    Cell::from((i == chosen).then_some(test_error)),
                ]);
            }
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        let points = self.sweep.points()?;
        let (chosen, test_error) = self.sweep.chosen()?;
        let error = self.shows_error();
        self.train_curve.clear();
        self.validation_curve.clear();
        for (i, p) in points.iter().enumerate() {
            let (t, v) = measure(p, error);
            self.train_curve.push((i as f64, f64::from(t)));
            self.validation_curve.push((i as f64, f64::from(v)));
        }
        let top = if error {
            60.0
        } else {
            let hi = self
                .train_curve
                .iter()
                .chain(&self.validation_curve)
                .map(|p| p.1)
                .fold(0.5_f64, f64::max);
            hi * 1.08
        };
        for p in self
            .train_curve
            .iter_mut()
            .chain(&mut self.validation_curve)
        {
            p.1 = p.1.min(top);
        }
        let step = self.sweep.steps();
        let marker = self.validation_curve.get(chosen).copied();
        line::draw(
            &self.curve_canvas,
            &LineChart {
                x: -0.2..(WIDTHS.len() as f64 - 0.8),
                y: 0.0..top,
                x_label: "log₂ of hidden units per layer",
                series: vec![
                    Series {
                        points: &self.train_curve,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &self.validation_curve,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                ],
                bands: &[],
                markers: if step > 0 {
                    marker.map(|m| (m, palette.orange)).into_iter().collect()
                } else {
                    vec![]
                },
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let what = if error {
            "misclassified share"
        } else {
            "cross-entropy loss"
        };
        let shown = |v: f32| {
            if error {
                format!("{}%", fmt(f64::from(v), 0))
            } else {
                fmt(f64::from(v), 2)
            }
        };
        let listing: Vec<String> = points
            .iter()
            .map(|p| {
                let (t, v) = measure(p, error);
                format!(
                    "{} units: training {}, validation {}",
                    p.width,
                    shown(t),
                    shown(v)
                )
            })
            .collect();
        self.curve_canvas.set_attribute(
            "aria-label",
            &format!(
                "Training (solid) and validation (dashed) {what} against capacity after {step} \
                 updates. {}.",
                listing.join("; ")
            ),
        )?;
        let panels = [0, chosen, WIDTHS.len() - 1];
        for (panel, &run) in panels.iter().enumerate() {
            self.draw_panel(panel, run, &palette)?;
        }
        dom::set_output(&self.root, "step-count", &step.to_string());
        let text = if step == 0 {
            "Untrained. Press “Train the six networks”: each makes 800 updates, ten per frame."
                .to_owned()
        } else {
            let c = &points[chosen];
            format!(
                "After {step} updates: the lowest validation loss ({}) is at {} units per layer, \
                 with {} parameters. Its test error, measured once: {}%.",
                fmt(f64::from(c.validation_loss), 2),
                c.width,
                c.parameters,
                fmt(100.0 * f64::from(test_error), 0)
            )
        };
        dom::set_text(&self.readout, &text);
        let column = |pick: fn(&CapacityPoint) -> f32| points.iter().map(pick).collect();
        dom::set_state(
            &self.root,
            &BiasVarianceState {
                step,
                playing: self.playback.playing(),
                limit: SHOWN_UPDATES,
                measure: if error { "error" } else { "loss" },
                widths: &WIDTHS,
                train_loss: column(|p| p.train_loss),
                validation_loss: column(|p| p.validation_loss),
                train_error: column(|p| p.train_error),
                validation_error: column(|p| p.validation_error),
                chosen,
                test_error,
                panels: panels.map(|run| WIDTHS[run]),
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the updates made, whether it plays and its limit, the measure
/// drawn, per width its training and validation loss and error, the width chosen on validation
/// loss with its test error, and the widths of the three maps.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BiasVarianceState<'a> {
    step: u64,
    playing: bool,
    limit: u64,
    measure: &'static str,
    widths: &'a [usize],
    train_loss: Vec<f32>,
    validation_loss: Vec<f32>,
    train_error: Vec<f32>,
    validation_error: Vec<f32>,
    /// The index of the width chosen.
    chosen: usize,
    test_error: f32,
    panels: [usize; 3],
}
