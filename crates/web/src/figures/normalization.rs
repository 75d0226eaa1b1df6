//! The normalization figure: a data set with one feature in far larger units than the other,
//! shown raw, scaled to `[0, 1]` and to `[−1, 1]` (fitted on the training split), and two
//! networks trained side by side on it, one on the raw inputs and one on the scaled inputs.
//!
//! The runs are the engine's [`spiega_lessons::playground::Playground`], built by
//! [`spiega_lessons::normalization::runs`]; they train only while the reader plays them
//! ([`crate::training`]), a bounded number of updates per frame, and stop by themselves after
//! [`SHOWN_UPDATES`].

use super::Figure;
use crate::charts::Palette;
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::scatter::{self, ScatterChart};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use serde::Serialize;
use spiega_lessons::normalization::{FeatureRanges, runs, scaled_views};
use spiega_lessons::normalization::{POINTS, SEED, SHOWN_UPDATES, UPDATES_PER_RECORD};
use spiega_lessons::playground::Playground;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlSelectElement};

/// The figure's controls, canvases and runs.
pub struct NormalizationFigure {
    root: Element,
    view: HtmlSelectElement,
    scatter_canvas: HtmlCanvasElement,
    loss_canvas: HtmlCanvasElement,
    readout: Element,
    runs: [Playground; 2],
    playback: Playback,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(NormalizationFigure {
        root: root.clone(),
        view: dom::query(root, "select[data-role=\"view\"]")?,
        scatter_canvas: dom::query(root, "canvas[data-role=\"points\"]")?,
        loss_canvas: dom::query(root, "canvas[data-role=\"losses\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        runs: runs(POINTS, SEED)?,
        playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
    }));
    let as_dyn: Rc<RefCell<dyn Figure>> = fig.clone();
    super::update_on_input(root, &as_dyn)?;
    let play: Element = dom::query(root, "button[data-role=\"play\"]")?;
    let f = Rc::clone(&fig);
    dom::on(&play, "click", move |_| training::toggle(&f))?;
    let reset: Element = dom::query(root, "button[data-role=\"reset\"]")?;
    let f = Rc::clone(&fig);
    dom::on(&reset, "click", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut() {
            fig.set_playing(false);
            let result = runs(POINTS, SEED).map_err(Into::into).and_then(|r| {
                fig.runs = r;
                fig.update()
            });
            if let Err(e) = result {
                fig.say(&e.to_string());
            }
        }
    })?;
    training::warm_up_on_first_sight(&fig)?;
    Ok(as_dyn)
}

impl NormalizationFigure {
    fn say(&self, text: &str) {
        dom::set_text(&self.readout, text);
    }

    /// A bounded number of updates of each run, and a record of each, without drawing.
    fn advance(&mut self) -> Result<()> {
        for run in &mut self.runs {
            for _ in 0..UPDATES_PER_RECORD {
                // A run that stalls is the point of the figure; a run that fails stops both.
                run.step()?;
            }
            run.record()?;
        }
        Ok(())
    }

    /// The two validation-loss curves and the readout.
    fn draw_runs(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        let curve = |run: &Playground| -> Vec<(f64, f64)> {
            run.history()
                .iter()
                .filter_map(|s| s.validation.map(|v| (s.step as f64, f64::from(v.loss))))
                .collect()
        };
        let (raw, scaled) = (curve(&self.runs[0]), curve(&self.runs[1]));
        let top = raw
            .iter()
            .chain(&scaled)
            .fold(0.8_f64, |m, p| m.max(p.1))
            .min(3.0);
        let last = self.runs[1].steps().max(1) as f64;
        line::draw(
            &self.loss_canvas,
            &LineChart {
                x: 0.0..last.max(100.0),
                y: 0.0..top * 1.05,
                x_label: "updates",
                series: vec![
                    Series {
                        points: &raw,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                    Series {
                        points: &scaled,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                ],
                bands: &[],
                markers: Vec::new(),
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let scores = [self.runs[0].scores()?, self.runs[1].scores()?];
        let describe = |s: &spiega_lessons::playground::Scores| {
            let v = s.validation;
            format!(
                "loss {}, accuracy {}",
                v.map_or("–".into(), |v| fmt(f64::from(v.loss), 3)),
                v.and_then(|v| v.accuracy)
                    .map_or("–".into(), |a| format!("{:.0}%", a * 100.0))
            )
        };
        let text = format!(
            "After {} updates, on the validation split — raw inputs: {}; scaled inputs: {}.",
            self.runs[1].steps(),
            describe(&scores[0]),
            describe(&scores[1])
        );
        self.say(&text);
        self.loss_canvas.set_attribute(
            "aria-label",
            &format!("Validation loss of both runs against updates. {text}"),
        )?;
        let (raw, scaled) = (scores[0].validation, scores[1].validation);
        dom::set_json(
            &self.root,
            "data-runs",
            &RunsState {
                step: self.runs[1].steps(),
                raw_loss: raw.map(|v| v.loss),
                raw_accuracy: raw.and_then(|v| v.accuracy),
                scaled_loss: scaled.map(|v| v.loss),
                scaled_accuracy: scaled.and_then(|v| v.accuracy),
                playing: self.playback.playing(),
            },
        )?;
        Ok(())
    }
}

/// Both runs play through [`crate::training`]: a frame is [`UPDATES_PER_RECORD`] updates of
/// each, and they stop, finished, after [`SHOWN_UPDATES`] (until Reset).
impl Trains for NormalizationFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    fn paused_label(&self) -> &'static str {
        "Train both"
    }

    fn finished(&self) -> bool {
        self.runs[1].steps() >= SHOWN_UPDATES
    }

    fn steps(&self) -> u64 {
        self.runs[1].steps()
    }

    /// One frame's updates of both runs, without drawing; after the last they pause.
    fn advance_frame(&mut self) -> Result<bool> {
        let result = self.advance();
        if self.finished() {
            self.set_playing(false);
        }
        result?;
        Ok(self.playback.playing())
    }

    fn redraw(&mut self) -> Result<()> {
        self.draw_runs()
    }

    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        self.say(&format!("Training stopped: {e}."));
    }
}

/// `[a, b]` as the page writes a range.
fn range_text((lo, hi): (f32, f32)) -> String {
    let digits = if hi.abs().max(lo.abs()) >= 100.0 {
        0
    } else {
        2
    };
    format!(
        "{} to {}",
        fmt(f64::from(lo), digits),
        fmt(f64::from(hi), digits)
    )
}

impl Figure for NormalizationFigure {
    fn update(&mut self) -> Result<()> {
        let [train, validation, _] = self.runs[0].points();
        let (Some((train_x, train_y)), Some((val_x, _))) = (train, validation) else {
            return Ok(());
        };
        let views = scaled_views(train_x, val_x)?;
        let which = match self.view.value().as_str() {
            "unit" => 1,
            "symmetric" => 2,
            _ => 0,
        };
        let (x, _) = &views.views[which];
        let mut groups: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
        for r in 0..x.nrows() {
            let class = usize::from(train_y[(r, 0)] == 1.0);
            groups[class].push((f64::from(x[(r, 0)]), f64::from(x[(r, 1)])));
        }
        // Both axes share one range, so a feature in larger units looks as stretched as it is.
        let ranges: &FeatureRanges = &views.ranges[which];
        let lo = ranges.train.iter().fold(f32::MAX, |m, r| m.min(r.0));
        let hi = ranges.train.iter().fold(f32::MIN, |m, r| m.max(r.1));
        let pad = f64::from(hi - lo) * 0.08;
        let (lo, hi) = (f64::from(lo) - pad, f64::from(hi) + pad);
        let palette = Palette::from_css()?;
        scatter::draw(
            &self.scatter_canvas,
            &ScatterChart {
                x: lo..hi,
                y: lo..hi,
                x_label: "feature x₁",
                y_label: "feature x₂",
                groups: vec![(&groups[0], palette.orange), (&groups[1], palette.blue)],
                zero_line: false,
            },
            &palette,
        )?;
        for (f, (t, v)) in ranges.train.iter().zip(&ranges.other).enumerate() {
            dom::set_output(&self.root, &format!("train-{f}"), &range_text(*t));
            dom::set_output(&self.root, &format!("validation-{f}"), &range_text(*v));
        }
        let name = ["raw", "unit", "symmetric"][which];
        self.scatter_canvas.set_attribute(
            "aria-label",
            &format!(
                "The training points, {}, on equal axes: x₁ from {}, x₂ from {}.",
                ["as measured", "scaled to [0, 1]", "scaled to [−1, 1]"][which],
                range_text(ranges.train[0]),
                range_text(ranges.train[1])
            ),
        )?;
        dom::set_state(
            &self.root,
            &NormalizationState {
                view: name,
                train: &ranges.train,
                validation: &ranges.other,
            },
        )?;
        self.draw_runs()
    }
}

/// The figure's `data-state`: the scaling shown and, per feature, the smallest and largest value
/// on the training and on the validation split.
#[derive(Serialize)]
struct NormalizationState<'a> {
    view: &'static str,
    train: &'a [(f32, f32)],
    validation: &'a [(f32, f32)],
}

/// The two runs' `data-runs`: the updates made, each run's validation loss and accuracy (raw
/// inputs, then scaled ones) and whether they play.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunsState {
    step: u64,
    raw_loss: Option<f32>,
    raw_accuracy: Option<f32>,
    scaled_loss: Option<f32>,
    scaled_accuracy: Option<f32>,
    playing: bool,
}
