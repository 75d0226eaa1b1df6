//! The side-by-side comparison core: several runs that share their data, split and seed, trained
//! a bounded number of updates per frame each, drawn as training (solid) and validation (dashed)
//! loss curves on shared axes, with play, pause and reset, a legend and a table of final scores.
//!
//! A figure owns a [`Core`] and implements [`Compared`] to say which runs to build and to draw its
//! own views; every comparison is then a training figure ([`Trains`]), played, paused, warmed up
//! and paused off screen by [`crate::training`], and [`wire`] connects its buttons and keys.
//!
//! Early stopping: a figure whose markup has a `[data-role=restore]` button marks each run's
//! lowest validation loss so far on its curves (a dot and a thin vertical line in the run's
//! colour), names it in its `[data-role=best]` line, and the button puts back every run's network
//! from that point, so the table and any picture of a network show what early stopping would
//! have kept. Play or Step then goes on with the run from where it had got to.

use super::{Figure, export};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::{Palette, parse_color};
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use plotters::style::RGBAColor;
use serde::Serialize;
use spiega_lessons::batch_size::updates_per_epoch;
use spiega_lessons::compare::{Comparison, gap};
use spiega_lessons::playground::{PlaygroundConfig, Scores};
use spiega_nn::EngineError;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

/// What a comparison figure adds to the core.
pub trait Compared: 'static {
    /// The core.
    fn core(&mut self) -> &mut Core;

    /// The core, to read.
    fn core_ref(&self) -> &Core;

    /// The runs to build from the figure's controls: each run's legend name and configuration.
    fn runs(&self) -> Result<Vec<(String, PlaygroundConfig)>>;

    /// Draws the figure's own views after the curves (nothing by default).
    fn draw_more(&mut self, _palette: &Palette) -> Result<()> {
        Ok(())
    }
}

/// The shared state and views of a comparison figure.
pub struct Core {
    root: Element,
    chart: HtmlCanvasElement,
    table: Element,
    message: Element,
    comparison: Option<Comparison>,
    names: Vec<String>,
    playback: Playback,
    /// Updates per run per animation frame.
    pub updates_per_frame: u32,
    /// Training pauses by itself after this many updates.
    pub limit: u64,
    /// Reused curve buffers: per run, training then validation points.
    curves: Vec<Vec<(f64, f64)>>,
    /// Whether each run trains whole epochs (`updates_per_frame` of them per frame) and the
    /// curves are drawn against epochs, for runs whose batch sizes differ; `limit` then counts
    /// epochs.
    pub epochs: bool,
    /// In epoch mode, per run, the milliseconds its training has taken since it was built.
    pub epoch_ms: Vec<f64>,
    /// The state written at the last draw, which a figure's own views extend.
    state: Option<CoreState>,
    /// The early-stopping button and line, when the figure has them.
    restore: Option<(Element, Element)>,
    /// After the restore button, each run's scores from its restored network.
    restored: Vec<Option<Scores>>,
    /// Reused buffers for the best points' vertical lines.
    guides: Vec<[(f64, f64); 2]>,
}

/// A comparison's `data-state`: the step, whether it plays, its limit and each run's latest
/// scores.
#[derive(Serialize)]
struct CoreState {
    step: u64,
    playing: bool,
    limit: u64,
    /// Whether the table shows every run's network from its best point (early stopping).
    restored: bool,
    runs: Vec<RunState>,
}

/// One run's latest scores in a comparison's state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunState {
    name: String,
    step: u64,
    train_loss: f32,
    validation_loss: Option<f32>,
    gap: Option<f32>,
    validation_accuracy: Option<f32>,
    train_accuracy: Option<f32>,
    /// The scores recorded so far.
    points: usize,
    /// Its lowest validation loss so far, as marked on the chart (early stopping figures only).
    best: Option<BestState>,
}

/// A run's best point as marked on the chart: the update and its validation loss.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct BestState {
    step: u64,
    validation_loss: f32,
}

/// A comparison's state with the fields a figure's own views add beside it.
#[derive(Serialize)]
struct Extended<'a, E> {
    #[serde(flatten)]
    core: &'a CoreState,
    #[serde(flatten)]
    extra: &'a E,
}

impl Core {
    /// The core of the figure in `root`, with its canvas `[data-role=curves]`, its scores table
    /// body `[data-role=scores]`, its message `[data-role=message]` and its play button
    /// `[data-role=play]`.
    pub fn new(root: &Element, updates_per_frame: u32, limit: u64) -> Result<Self> {
        Ok(Self {
            root: root.clone(),
            chart: dom::query(root, "canvas[data-role=\"curves\"]")?,
            table: dom::query(root, "[data-role=\"scores\"]")?,
            message: dom::query(root, "[data-role=\"message\"]")?,
            comparison: None,
            names: Vec::new(),
            playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
            updates_per_frame,
            limit,
            curves: Vec::new(),
            epochs: false,
            epoch_ms: Vec::new(),
            state: None,
            restore: match (
                root.query_selector("button[data-role=\"restore\"]")?,
                root.query_selector("[data-role=\"best\"]")?,
            ) {
                (Some(button), Some(line)) => Some((button, line)),
                _ => None,
            },
            restored: Vec::new(),
            guides: Vec::new(),
        })
    }

    /// The figure's root element.
    pub fn root(&self) -> &Element {
        &self.root
    }

    /// The runs, once built.
    pub fn comparison(&mut self) -> Option<&mut Comparison> {
        self.comparison.as_mut()
    }

    /// The runs' legend names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Updates made by each run so far (in epoch mode, the first run's epochs).
    pub fn steps(&self) -> u64 {
        let Some(c) = self.comparison.as_ref() else {
            return 0;
        };
        let updates = c.latest(0).map_or(0, |s| s.step);
        match (self.epochs, c.runs().first()) {
            (true, Some(run)) => updates / updates_per_epoch(run),
            _ => updates,
        }
    }

    /// Every run's recorded scores as CSV: one row per run and recorded update, with the run's
    /// legend name, its training, validation and test scores and, when the curves are drawn
    /// against epochs, the epoch the update ends.
    pub fn csv(&self) -> String {
        let mut header = vec!["run"];
        if self.epochs {
            header.push("epoch");
        }
        header.extend(export::SCORES_HEADER);
        let mut csv = Csv::new(&header);
        if let Some(c) = self.comparison.as_ref() {
            for (run, name) in c.runs().iter().zip(&self.names) {
                if self.epochs {
                    let per = updates_per_epoch(run).max(1);
                    for s in run.history() {
                        let prefix = [
                            Cell::from(name.as_str()),
                            Cell::from(s.step as f64 / per as f64),
                        ];
                        export::scores_rows(&mut csv, &prefix, std::slice::from_ref(s));
                    }
                } else {
                    export::scores_rows(&mut csv, &[Cell::from(name.as_str())], run.history());
                }
            }
        }
        csv.finish()
    }

    /// Writes the state of the last draw into `data-state`, with `extra`'s fields beside its own
    /// (`&()` for none); nothing before the first draw.
    pub fn publish(&self, extra: &impl Serialize) -> Result<()> {
        match &self.state {
            Some(core) => dom::set_state(&self.root, &Extended { core, extra }),
            None => Ok(()),
        }
    }

    /// Shows a message in the figure (as text), or hides it when empty.
    pub fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// Keeps the restored runs' scores (empty: none restored) and labels the restore button.
    fn set_restored(&mut self, scores: Vec<Option<Scores>>) {
        self.restored = scores;
        if let Some((button, _)) = &self.restore {
            let on = !self.restored.is_empty();
            dom::set_text(button, if on { "Back to last" } else { "Restore best" });
            button
                .set_attribute("aria-pressed", if on { "true" } else { "false" })
                .ok();
        }
    }

    /// Early stopping: puts back every run's network from its lowest validation loss, or, if
    /// they are already back, the last networks (the figure pauses first).
    fn toggle_restore(&mut self) -> Result<()> {
        let Some(c) = self.comparison.as_mut() else {
            return Ok(());
        };
        if c.restored() {
            c.resume();
            self.set_restored(Vec::new());
            return self.say("");
        }
        let scores = c.restore_best()?;
        self.set_restored(scores);
        self.say(
            "Early stopping: the table and the network now show each run's weights at its lowest \
             validation loss (the dots). Back to last returns to the last weights, and training \
             goes on from them.",
        )
    }

    /// Builds the runs afresh, untrained (the figure pauses around it).
    fn rebuild(&mut self, runs: Vec<(String, PlaygroundConfig)>) -> Result<()> {
        let (names, configs): (Vec<String>, Vec<PlaygroundConfig>) = runs.into_iter().unzip();
        self.comparison = Some(Comparison::new(configs)?);
        self.epoch_ms.clear();
        self.names = names;
        self.set_restored(Vec::new());
        self.say("")
    }

    /// Trains every run `updates` updates (no more than are left before the limit); returns
    /// whether training may go on: not once the limit is reached or a run diverged, each of which
    /// the message says.
    fn advance(&mut self, updates: u32) -> Result<bool> {
        let updates = training::updates_left(self.steps(), self.limit, updates);
        if updates == 0 {
            return Ok(false);
        }
        if !self.restored.is_empty() {
            self.set_restored(Vec::new());
            self.say("")?;
        }
        let Some(c) = self.comparison.as_mut() else {
            return Ok(false);
        };
        // After an early stop, the last networks come back first (the curves go on as if the
        // run had never stopped).
        c.resume();
        let result = if self.epochs {
            train_epochs(c, updates, &mut self.epoch_ms)
        } else {
            c.step(updates)
        };
        let go_on = match result {
            Ok(()) => true,
            Err(e @ (EngineError::Diverged { .. } | EngineError::NonFinite { .. })) => {
                self.say(&format!(
                    "Training stopped: {e}. Press Reset to start again."
                ))?;
                false
            }
            Err(e) => return Err(e.into()),
        };
        if self.steps() >= self.limit {
            let unit = if self.epochs { "epochs" } else { "updates" };
            self.say(&format!(
                "Paused at {} {unit}, the end of the run the text describes. Train again starts \
                 every run afresh.",
                self.limit
            ))?;
            return Ok(false);
        }
        Ok(go_on)
    }

    /// Draws the curves, fills the legend and the table, and writes the state.
    pub fn draw(&mut self, palette: &Palette) -> Result<()> {
        let colors = run_colors(self.names.len(), palette)?;
        let Some(c) = self.comparison.as_ref() else {
            return Ok(());
        };
        let n = c.runs().len();
        self.curves.resize_with(2 * n, Vec::new);
        let (mut lo, mut hi, mut last) = (f64::MAX, f64::MIN, 1.0_f64);
        for (i, run) in c.runs().iter().enumerate() {
            let (train, rest) = self.curves[2 * i..].split_at_mut(1);
            let (train, val) = (&mut train[0], &mut rest[0]);
            train.clear();
            val.clear();
            let per = if self.epochs {
                updates_per_epoch(run) as f64
            } else {
                1.0
            };
            for s in run.history() {
                let x = s.step as f64 / per;
                if s.train.loss.is_finite() {
                    train.push((x, f64::from(s.train.loss)));
                }
                if let Some(v) = s.validation.filter(|v| v.loss.is_finite()) {
                    val.push((x, f64::from(v.loss)));
                }
                last = last.max(x);
            }
            // The untrained network's loss (step 0) can be several times any later one; the axis
            // is fitted to the training that follows, and the first point is drawn at the top.
            for &(x, y) in train.iter().chain(val.iter()) {
                if x > 0.0 {
                    lo = lo.min(y);
                    hi = hi.max(y);
                }
            }
        }
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        let top = hi + ((hi - lo.min(0.0)) * 0.06).max(1e-3);
        for curve in &mut self.curves {
            for p in curve.iter_mut() {
                p.1 = p.1.min(top);
            }
        }
        // Early stopping: each run's best point, a dot and a thin line in its colour.
        let mut markers = Vec::new();
        let mut bests: Vec<Option<BestState>> = vec![None; n];
        if self.restore.is_some() {
            self.guides.clear();
            for (i, run) in c.runs().iter().enumerate() {
                let Some(b) = run.best() else { continue };
                let Some(v) = b.validation.filter(|v| v.loss.is_finite()) else {
                    continue;
                };
                let per = if self.epochs {
                    updates_per_epoch(run).max(1) as f64
                } else {
                    1.0
                };
                let x = b.step as f64 / per;
                markers.push(((x, f64::from(v.loss).min(top)), colors[i]));
                self.guides.push([(x, 0.0), (x, top)]);
                bests[i] = Some(BestState {
                    step: b.step,
                    validation_loss: v.loss,
                });
            }
        }
        let mut series = Vec::with_capacity(3 * n);
        for (guide, &(_, color)) in self.guides.iter().zip(&markers) {
            series.push(Series {
                points: guide,
                color,
                stroke: Stroke::Guide,
            });
        }
        for (i, color) in colors.iter().enumerate().take(n) {
            series.push(Series {
                points: &self.curves[2 * i],
                color: *color,
                stroke: Stroke::Solid,
            });
            series.push(Series {
                points: &self.curves[2 * i + 1],
                color: *color,
                stroke: Stroke::Dashed,
            });
        }
        line::draw(
            &self.chart,
            &LineChart {
                x: 0.0..last,
                y: 0.0..top,
                x_label: if self.epochs { "epochs" } else { "updates" },
                series,
                bands: &[],
                markers,
                log_y: false,
                note: None,
            },
            palette,
        )?;
        // The table shows the restored networks' scores after an early stop.
        let latest: Vec<Option<Scores>> = if self.restored.len() == n {
            self.restored.clone()
        } else {
            (0..n).map(|i| c.latest(i).copied()).collect()
        };
        self.write_table(&latest)?;
        let step = if self.epochs {
            self.steps()
        } else {
            c.latest(0).map_or(0, |s| s.step)
        };
        let mut alt = format!("Loss curves after {step} updates.");
        let mut runs = Vec::with_capacity(n);
        let mut best_line = Vec::new();
        for ((name, s), best) in self.names.iter().zip(&latest).zip(&bests) {
            if let Some(b) = best {
                let text = format!(
                    "{name}: {} at update {}",
                    fmt(f64::from(b.validation_loss), 3),
                    b.step
                );
                alt.push_str(&format!(" Lowest validation loss, {text}."));
                best_line.push(text);
            }
            let Some(s) = s else { continue };
            let val = s.validation.map(|v| v.loss);
            alt.push_str(&format!(
                " {name}: training {}, validation {}.",
                fmt(f64::from(s.train.loss), 3),
                val.map_or("–".into(), |v| fmt(f64::from(v), 3))
            ));
            runs.push(RunState {
                name: name.clone(),
                step: s.step,
                train_loss: s.train.loss,
                validation_loss: val,
                gap: gap(s),
                validation_accuracy: s.validation.and_then(|v| v.accuracy),
                train_accuracy: s.train.accuracy,
                points: c
                    .runs()
                    .iter()
                    .zip(&self.names)
                    .find(|(_, n)| *n == name)
                    .map_or(0, |(r, _)| r.history().len()),
                best: *best,
            });
        }
        if let Some((_, line)) = &self.restore {
            let text = if best_line.is_empty() {
                String::new()
            } else {
                format!("Lowest validation loss so far: {}.", best_line.join("; "))
            };
            dom::set_text(line, &text);
        }
        self.chart.set_attribute("aria-label", &alt)?;
        self.state = Some(CoreState {
            step,
            playing: self.playback.playing(),
            limit: self.limit,
            restored: self.restored.len() == n,
            runs,
        });
        self.publish(&())?;
        for (i, color) in colors.iter().enumerate() {
            if let Ok(Some(key)) = self
                .root
                .query_selector(&format!("[data-role=\"key-{i}\"]"))
            {
                if let Some(name) = self.names.get(i) {
                    dom::set_text(&key, name);
                }
                if let Some(el) = key.dyn_ref::<web_sys::HtmlElement>() {
                    el.style().set_property(
                        "--key-color",
                        &format!("rgb({}, {}, {})", color.0, color.1, color.2),
                    )?;
                }
            }
        }
        if let Ok(Some(el)) = self.root.query_selector("[data-role=\"step-count\"]") {
            dom::set_text(&el, &step.to_string());
        }
        Ok(())
    }

    /// One row per run: name, training and validation loss, their gap, validation accuracy.
    fn write_table(&self, latest: &[Option<Scores>]) -> Result<()> {
        let rows = dom::query_all(&self.table, "tr")?;
        for (i, (name, s)) in self.names.iter().zip(latest).enumerate() {
            let loss = |v: Option<f32>| v.map_or("–".into(), |v| fmt(f64::from(v), 3));
            let texts = [
                name.clone(),
                loss(s.map(|s| s.train.loss)),
                loss(s.and_then(|s| s.validation.map(|v| v.loss))),
                loss(s.as_ref().and_then(gap)),
                s.and_then(|s| s.validation.and_then(|v| v.accuracy))
                    .map_or("–".into(), |a| format!("{:.1}%", 100.0 * a)),
            ];
            dom::write_row(&self.table, i, &texts)?;
        }
        for extra in rows.iter().skip(self.names.len()) {
            extra.remove();
        }
        Ok(())
    }
}

/// Trains every run of `c` for `epochs` whole epochs of its own, then records its scores, and
/// adds the milliseconds each run's training took to `ms`.
fn train_epochs(c: &mut Comparison, epochs: u32, ms: &mut Vec<f64>) -> spiega_nn::Result<()> {
    let n = c.runs().len();
    ms.resize(n, 0.0);
    for (i, run) in c.runs_mut().iter_mut().enumerate() {
        let t0 = dom::now();
        for _ in 0..epochs {
            run.step_epoch()?;
        }
        ms[i] += dom::now() - t0;
        run.record()?;
    }
    Ok(())
}

/// The runs' colours, from the page's `--run-0`, `--run-1`, … custom properties (falling back
/// to the palette's orange and blue).
pub fn run_colors(n: usize, palette: &Palette) -> Result<Vec<RGBAColor>> {
    let doc = dom::document()?;
    let root = doc
        .document_element()
        .ok_or_else(|| WebError::MissingElement("the root element".into()))?;
    let style = dom::window()?
        .get_computed_style(&root)?
        .ok_or_else(|| WebError::Browser("no computed style".into()))?;
    Ok((0..n)
        .map(|i| {
            style
                .get_property_value(&format!("--run-{i}"))
                .ok()
                .and_then(|v| parse_color(&v))
                .unwrap_or(if i == 0 { palette.orange } else { palette.blue })
        })
        .collect())
}

/// Redraws the whole figure: the curves, then the figure's own views.
pub fn redraw<F: Compared>(fig: &mut F) -> Result<()> {
    let palette = Palette::from_css()?;
    fig.core().draw(&palette)?;
    fig.draw_more(&palette)
}

/// Rebuilds the runs from the controls, paused, and redraws.
pub fn reset<F: Compared>(fig: &mut F) -> Result<()> {
    fig.set_playing(false);
    let runs = fig.runs()?;
    fig.core().rebuild(runs)?;
    // Again, now that the runs are new: the button reads Play, not Train again.
    fig.set_playing(false);
    redraw(fig)
}

/// One frame's worth of updates of every run, without drawing; pauses the figure at the limit
/// or when a run diverged. Returns whether it may go on.
fn advance<F: Compared>(fig: &mut F) -> Result<bool> {
    let n = fig.core().updates_per_frame;
    let go_on = fig.core().advance(n)?;
    if !go_on {
        fig.set_playing(false);
    }
    Ok(go_on)
}

/// Every comparison trains through [`crate::training`]: Play after the last update starts every
/// run afresh, the button reads Play part-way (Train again at the end), a frame trains every run
/// [`Core::updates_per_frame`] updates, and a run that diverges pauses the figure with its cause
/// and keeps the curves drawn up to it.
impl<F: Compared> Trains for F {
    fn playback(&mut self) -> &mut Playback {
        &mut self.core().playback
    }

    fn paused_label(&self) -> &'static str {
        let core = self.core_ref();
        if core.steps() >= core.limit {
            "Train again"
        } else {
            "Play"
        }
    }

    /// A finished comparison plays again from the start.
    fn before_play(&mut self) -> Result<()> {
        let core = self.core_ref();
        if core.steps() >= core.limit {
            reset(self)?;
        }
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.core_ref().steps()
    }

    fn advance_frame(&mut self) -> Result<bool> {
        Ok(advance(self)? && self.core().playback.playing())
    }

    fn redraw(&mut self) -> Result<()> {
        redraw(self)
    }

    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        self.core().say(&format!("Something went wrong: {e}.")).ok();
    }
}

/// Wires the figure's play, step and reset buttons, its keys (Space plays or pauses, the right
/// arrow steps, R resets) and every `change` of its inputs: one marked `data-rebuild` builds the
/// runs afresh, any other redraws.
pub fn wire<F: Compared>(fig: &Rc<RefCell<F>>) -> Result<()> {
    let root = fig.borrow().core_ref().root.clone();
    let click = |role: &str, what: fn(&Rc<RefCell<F>>)| -> Result<()> {
        let el: Element = dom::query(&root, &format!("button[data-role=\"{role}\"]"))?;
        let f = Rc::clone(fig);
        dom::on(&el, "click", move |_| what(&f))
    };
    click("play", training::toggle::<F>)?;
    click("step", step_once::<F>)?;
    click("reset", reset_now::<F>)?;
    if root
        .query_selector("button[data-role=\"restore\"]")?
        .is_some()
    {
        click("restore", restore_now::<F>)?;
    }
    let f = Rc::clone(fig);
    dom::on(&root, "change", move |ev| {
        let is_control = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|t| t.has_attribute("data-rebuild"));
        if is_control {
            reset_now(&f);
        } else if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = redraw(&mut *fig)
        {
            fig.report(&e);
        }
    })?;
    let f = Rc::clone(fig);
    training::on_keys(fig, move |key| {
        match key {
            "ArrowRight" => step_once(&f),
            "r" | "R" => reset_now(&f),
            _ => return false,
        }
        true
    })
}

/// Trains one frame's worth of updates and redraws.
fn step_once<F: Compared>(fig: &Rc<RefCell<F>>) {
    if let Ok(mut f) = fig.try_borrow_mut() {
        let result = advance(&mut *f).and_then(|_| redraw(&mut *f));
        if let Err(e) = result {
            f.report(&e);
        }
    }
}

/// Pauses, puts back the best networks, or the last ones, and redraws.
fn restore_now<F: Compared>(fig: &Rc<RefCell<F>>) {
    if let Ok(mut f) = fig.try_borrow_mut() {
        f.set_playing(false);
        let result = f.core().toggle_restore().and_then(|()| redraw(&mut *f));
        if let Err(e) = result {
            f.report(&e);
        }
    }
}

/// Rebuilds the runs (after Reset or an edited control).
fn reset_now<F: Compared>(fig: &Rc<RefCell<F>>) {
    if let Ok(mut f) = fig.try_borrow_mut()
        && let Err(e) = reset(&mut *f)
    {
        f.report(&e);
    }
}

/// Every comparison figure is a [`Figure`]: an update redraws it.
impl<F: Compared> Figure for Wrapper<F> {
    fn update(&mut self) -> Result<()> {
        match self.0.try_borrow_mut() {
            Ok(mut f) => redraw(&mut *f),
            Err(_) => Ok(()),
        }
    }

    fn csv(&self) -> Option<String> {
        self.0.try_borrow_mut().ok().map(|mut f| f.core().csv())
    }
}

/// A comparison figure behind the [`Figure`] trait (for theme and resize redraws).
pub struct Wrapper<F>(pub Rc<RefCell<F>>);

/// Mounts a comparison figure: builds its runs, wires it, has it warm up when it first comes on
/// screen ([`training::warm_up_on_first_sight`]), and returns it as a [`Figure`].
pub fn mount<F: Compared>(fig: F) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(fig));
    reset(&mut *fig.borrow_mut())?;
    wire(&fig)?;
    training::warm_up_on_first_sight(&fig)?;
    let wrapped: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(Wrapper(fig)));
    Ok(wrapped)
}
