//! The playground figure itself: its settings, its engine run and its drawings, and what it
//! does with them — rebuild the run, train and record, stop on a divergence with its
//! explanation, redraw, follow or write the address. It plays through the one training runtime
//! ([`crate::training`]): [`Trains`] gives the runtime one frame's updates, and the runtime plays,
//! pauses, and pauses off screen.
//!
//! It does not know the page's events (the wiring in `mod.rs` calls it), the pointer or the
//! editors (their own files add to it); it never trains before the reader asks, so it has no
//! warm-up: its links and its step count start from the untrained network, whose losses the
//! chart shows as dots.

use super::config::{self, engine_config, limit_batch_slider, training_settings};
use super::earlier;
use super::view::{ScoresState, View, draw_losses, write_role, write_scores};
use crate::charts::Palette;
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom;
use crate::error::{Result, WebError};
use crate::figures::live_model::{self, LiveRun};
use crate::figures::{Figure, export};
use crate::state::HashParams;
use crate::state::figures::is_anchor;
use crate::state::playground::runs::{RunRow, Runs, same_run, settings_text};
use crate::state::playground::{PlaygroundState, changes_shape};
use crate::training::{Playback, Trains};
use serde::Serialize;
use spiega_lessons::playground::Playground;
use spiega_nn::EngineError;
use web_sys::{Element, HtmlCanvasElement};

/// The playground figure: its controls, its engine run and its views.
pub struct PlaygroundFigure {
    pub(super) root: Element,
    pub(super) state: PlaygroundState,
    pub(super) run: Option<Playground>,
    pub(super) view: View,
    loss_canvas: HtmlCanvasElement,
    message: Element,
    playback: Playback,
    diverged: bool,
    /// What the engine saw when training diverged.
    cause: String,
    /// Samples trained and the time, over the last second, for the rate shown.
    rate_window: (f64, u64),
    rate: f64,
    /// The reader's earlier runs, newest first.
    runs: Runs,
    /// The settings the current run was built with.
    started: PlaygroundState,
    /// The update after which the current run stopped being a replay of `started` (a setting or
    /// a weight changed while it trained), if it did; its curve is kept only up to there.
    departed_at: Option<u64>,
    /// The table's rows as last written, and the settings and count of kept runs they were
    /// written for (the table is rewritten only when those change, not every frame).
    rows: Vec<RunRow>,
    rows_for: Option<(PlaygroundState, u32)>,
    /// Counts the changes to the kept runs.
    revision: u32,
}

impl PlaygroundFigure {
    /// The figure in `root` with the settings `state`, its controls showing them, and its first
    /// (untrained) run built and drawn.
    pub(super) fn new(root: &Element, state: PlaygroundState) -> Result<Self> {
        let mut fig = Self {
            root: root.clone(),
            state: state.clone(),
            run: None,
            view: View::new(root)?,
            loss_canvas: dom::query(root, "canvas[data-role=\"loss-chart\"]")?,
            message: dom::query(root, "[data-role=\"message\"]")?,
            playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
            diverged: false,
            cause: String::new(),
            rate_window: (0.0, 0),
            rate: 0.0,
            runs: earlier::load(),
            started: state,
            departed_at: None,
            rows: Vec::new(),
            rows_for: None,
            revision: 0,
        };
        fig.write_controls()?;
        config::show_settings_in_force(&fig.root)?;
        fig.rebuild()?;
        Ok(fig)
    }

    /// The engine run, which exists once the figure has built one.
    pub(super) fn run(&mut self) -> Result<&mut Playground> {
        self.run.as_mut().ok_or_else(|| {
            WebError::Engine(EngineError::Invalid("the playground has no run yet".into()))
        })
    }

    /// Shows a message in the figure (as text), or hides it when empty.
    pub(super) fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// Replaces the settings and the run with `state` and `run`, built whole beforehand (from a
    /// model file): paused, not diverged, with the controls, the address and the drawing updated.
    pub(super) fn replace_run(&mut self, state: PlaygroundState, run: Playground) -> Result<()> {
        self.set_playing(false);
        self.diverged = false;
        self.keep_run();
        // Its weights came from a file, not from its seed: no setting replays it.
        self.started = state.clone();
        self.departed_at = Some(0);
        self.state = state;
        self.write_controls()?;
        config::show_settings_in_force(&self.root)?;
        self.save_hash()?;
        let train = run.points()[0].map_or(1, |(x, _)| x.nrows());
        self.run = Some(run);
        limit_batch_slider(&self.root, train)?;
        self.view.invalidate();
        self.draw()
    }

    /// Puts the state into the controls.
    pub(super) fn write_controls(&self) -> Result<()> {
        config::write_controls(&self.root, &self.state)
    }

    /// The settings the controls show now.
    fn read_controls(&self) -> Result<PlaygroundState> {
        config::read_controls(&self.root, &self.state)
    }

    /// A control changed: apply it, rebuilding the run only when the change needs a new network.
    pub(super) fn controls_changed(&mut self) -> Result<()> {
        let new = self.read_controls()?;
        // A control that is not a setting (how a tap edits the reader's points) changes nothing.
        if new == self.state {
            return Ok(());
        }
        let rebuild = changes_shape(&self.state, &new);
        self.state = new;
        self.write_controls()?;
        if rebuild {
            let steps = self.run.as_ref().map_or(0, Playground::steps);
            self.rebuild()?;
            if steps > 0 {
                self.say(
                    "That change needs a new network, so training started again from step 0.",
                )?;
            }
        } else {
            if self.steps() == 0 && self.departed_at.is_none() {
                self.started = self.state.clone();
            } else if !same_run(&self.started, &self.state) {
                self.depart();
            }
            let (optimizer, batch, penalty) = training_settings(&self.state)?;
            self.run()?.retune(optimizer, batch, penalty)?;
            self.say("")?;
        }
        self.save_hash()?;
        self.draw()
    }

    /// A slider moved: update its number at once; the change itself applies on release.
    pub(super) fn slider_moved(&mut self) -> Result<()> {
        let preview = self.read_controls()?;
        let old = std::mem::replace(&mut self.state, preview);
        let shown = config::write_outputs(&self.root, &self.state);
        self.state = old;
        shown
    }

    /// Builds a new run from the state (data, split, network), untrained.
    pub(super) fn rebuild(&mut self) -> Result<()> {
        self.set_playing(false);
        self.diverged = false;
        self.keep_run();
        self.started = self.state.clone();
        self.departed_at = None;
        // A data set that cannot be built yet (too few of the reader's own points) is not an
        // error: the figure says what to do and waits.
        let built = engine_config(&self.state)
            .and_then(|config| Playground::new(config).map_err(WebError::Engine));
        match built {
            Ok(run) => self.run = Some(run),
            Err(e) if self.state.uses_own_points() => {
                self.run = None;
                self.draw_without_data()?;
                return self.say(&sentence(&e.to_string()));
            }
            Err(e) => return Err(e),
        }
        let train = self.run()?.points()[0].map_or(1, |(x, _)| x.nrows());
        limit_batch_slider(&self.root, train)?;
        self.view.invalidate();
        self.say("")?;
        self.draw()
    }

    /// Keeps the current run among the earlier runs (up to where it departed from its
    /// settings), if it trained long enough to be one, and stores the list.
    pub(super) fn keep_run(&mut self) {
        let Some(run) = self.run.as_ref() else {
            return;
        };
        let history = run.history();
        let end = self.departed_at.map_or(history.len(), |at| {
            history.partition_point(|s| s.step <= at)
        });
        if self.runs.keep(&self.started, &history[..end]) {
            self.revision += 1;
            earlier::save(&self.runs);
        }
    }

    /// The run goes on with a change its settings cannot replay (a training setting or a
    /// weight changed by hand): the run so far is kept, and nothing after it will be.
    pub(super) fn depart(&mut self) {
        if self.departed_at.is_none() {
            self.keep_run();
            self.departed_at = Some(self.steps());
        }
    }

    /// Restores the earlier run `number`: its settings, applied as its link would be, so playing
    /// replays its losses.
    pub(super) fn restore_run(&mut self, number: u32) -> Result<()> {
        let Some(run) = self.runs.get(number) else {
            return Ok(());
        };
        let settings = settings_text(&run.state);
        let steps = run.last.step;
        let ignored = self.take_settings(&settings)?;
        if ignored.is_empty() {
            self.say(&format!(
                "Run {number} restored: play it to replay its {steps} updates, loss for loss."
            ))
        } else {
            self.say(&ignored_settings(&ignored))
        }
    }

    /// Forgets every earlier run, here and in the browser's storage.
    pub(super) fn clear_runs(&mut self) -> Result<()> {
        self.runs.clear();
        self.revision += 1;
        earlier::save(&self.runs);
        self.draw()
    }

    pub(super) fn reset(&mut self) -> Result<()> {
        self.rebuild()
    }

    pub(super) fn reseed(&mut self) -> Result<()> {
        let seed = (js_sys::Math::random() * 4_294_967_295.0) as u32;
        self.state.seed = seed;
        self.write_controls()?;
        self.save_hash()?;
        self.rebuild()
    }

    /// Makes `n` updates and records them; returns whether they went through. A divergence
    /// pauses with an explanation and keeps the last good picture.
    fn advance(&mut self, n: u32) -> Result<bool> {
        if self.diverged {
            self.say_diverged()?;
            return Ok(false);
        }
        for _ in 0..n {
            if let Err(e) = self.run()?.step() {
                self.diverge(&e)?;
                return Ok(false);
            }
        }
        if let Err(e) = self.run()?.record() {
            self.diverge(&e)?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Makes `n` updates and shows them.
    pub(super) fn step_once(&mut self, n: u32) -> Result<()> {
        if self.advance(n)? {
            self.draw()?;
        }
        Ok(())
    }

    pub(super) fn step_epoch(&mut self) -> Result<()> {
        if self.diverged {
            return self.say_diverged();
        }
        let run = self.run()?;
        let result = run.step_epoch().and_then(|_| run.record());
        if let Err(e) = result {
            return self.diverge(&e);
        }
        self.draw()
    }

    fn diverge(&mut self, e: &EngineError) -> Result<()> {
        if !is_divergence(e) {
            return Err(WebError::Engine(e.clone()));
        }
        if self.diverged {
            // Already paused with the last good network back in place (a redraw of it
            // cannot diverge again, but nothing is redrawn from here either way).
            return self.say_diverged();
        }
        self.diverged = true;
        self.cause = e.to_string();
        self.set_playing(false);
        self.root.set_attribute("data-diverged", "true")?;
        // The last good picture stays through any later redraw (resize, theme, palette): the
        // network the reader last saw is put back, and everything is drawn from it once more,
        // so the state says it diverged too.
        if let Some(run) = self.run.as_mut() {
            run.restore_last_recorded();
        }
        self.draw()?;
        self.say_diverged()
    }

    fn say_diverged(&self) -> Result<()> {
        let steps = self.run.as_ref().map_or(0, Playground::steps);
        self.say(&format!(
            "Training diverged at update {steps} ({}), so it paused and the last good picture stays on \
             screen. Each step overshot: the learning rate, {}, is too large for this network. Lower it \
             (try 0.03) and press Reset.",
            self.cause.trim_start_matches("training diverged: "),
            controls::format_rate(self.state.learning_rate_f32())
        ))
    }

    /// One animation frame while playing: `speed` updates, then one redraw.
    /// Counts `samples` more trained by the frame at `now` (ms) into the rate shown, measured
    /// over about a second.
    fn count_samples(&mut self, now: f64, samples: u64) {
        let (since, counted) = self.rate_window;
        let samples = counted + samples;
        if since == 0.0 {
            self.rate_window = (now, 0);
        } else if now - since >= 1000.0 {
            self.rate = samples as f64 * 1000.0 / (now - since);
            self.rate_window = (now, 0);
        } else {
            self.rate_window = (since, samples);
        }
    }

    /// Writes the state into the address without adding a history entry.
    pub(super) fn save_hash(&self) -> Result<()> {
        let window = dom::window()?;
        let current = HashParams::parse(&window.location().hash().unwrap_or_default());
        let hash = self.state.to_hash(&current);
        window
            .history()?
            .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash))?;
        Ok(())
    }

    /// The link to this run, also written into the address (the toolbar's "Copy link" puts it
    /// on the clipboard).
    pub(super) fn copy_link(&mut self) -> Result<String> {
        self.save_hash()?;
        Ok(dom::window()?.location().href()?)
    }

    /// Redraws every view and writes the numbers.
    pub(super) fn draw(&mut self) -> Result<()> {
        // Figures that score the live network hear of the change once this event is over.
        live_model::changed();
        let palette = Palette::from_css()?;
        // The reader's own points all show, whichever split each joined.
        let show_test = self.state.show_test_data || self.state.uses_own_points();
        let log = self.state.log_scale;
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        // Weights can stay finite on the training points yet overflow far out on the map: that
        // is the same divergence, so it pauses with the same explanation.
        match self.view.draw(run, show_test, &palette) {
            Err(WebError::Engine(e)) if is_divergence(&e) => return self.diverge(&e),
            result => result?,
        }
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        let history = run.history();
        let faded = self.runs.on_chart();
        let faded_curves = draw_losses(&self.loss_canvas, history, &faded, log, &palette)?;
        let last = history.last().copied();
        // After a divergence the picture is the last recorded network's, and so is its count.
        let steps = match (self.diverged, last) {
            (true, Some(s)) => s.step,
            _ => run.steps(),
        };
        let epoch = run.epoch();
        let r = &self.root;
        write_role(r, "step-count", &steps.to_string())?;
        write_role(r, "epoch-count", &epoch.to_string())?;
        write_role(
            r,
            "rate",
            &if self.playback.playing() && self.rate > 0.0 {
                format!("{:.0}", self.rate)
            } else {
                "–".into()
            },
        )?;
        let key = (self.state.clone(), self.revision);
        if self.rows_for.as_ref() != Some(&key) {
            self.rows = self.runs.rows(&self.state);
            earlier::show(r, &self.rows)?;
            self.rows_for = Some(key);
        }
        if let Some(s) = last {
            write_scores(r, &s)?;
            dom::set_state(
                &self.root,
                &FigureState {
                    scores: ScoresState::new(&s, epoch, self.diverged),
                    earlier_runs: &self.rows,
                    faded_curves,
                },
            )?;
        }
        Ok(())
    }

    /// The reader's own data set before its first point: an empty map, no network, no scores.
    pub(super) fn draw_without_data(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        self.view.draw_empty(&palette)?;
        draw_losses(&self.loss_canvas, &[], &[], self.state.log_scale, &palette)?;
        write_role(&self.root, "step-count", "0")?;
        write_role(&self.root, "epoch-count", "0")?;
        for role in [
            "train-loss",
            "train-acc",
            "val-loss",
            "val-acc",
            "test-loss",
            "test-acc",
        ] {
            write_role(&self.root, role, "–")?;
        }
        Ok(())
    }

    /// Applies the settings in the address after the reader changed it by hand.
    pub(super) fn follow_hash(&mut self) -> Result<()> {
        let hash = dom::window()?.location().hash().unwrap_or_default();
        // A plain anchor (the contents' `#costs`) moves the reader, not the settings.
        if is_anchor(&hash) {
            return Ok(());
        }
        let (state, notices) = PlaygroundState::parse(&hash);
        if state == self.state {
            return Ok(());
        }
        self.state = state;
        self.write_controls()?;
        config::show_settings_in_force(&self.root)?;
        self.rebuild()?;
        if !notices.is_empty() {
            let list: Vec<String> = notices.iter().map(ToString::to_string).collect();
            self.say(&ignored_settings(&list))?;
        }
        Ok(())
    }

    /// Takes `settings` (link keys, every one not named at its default), rebuilds the run and
    /// writes the address; returns what could not be used as written.
    pub(super) fn take_settings(&mut self, settings: &str) -> Result<Vec<String>> {
        let (state, notices) = PlaygroundState::parse(settings);
        self.state = state;
        self.write_controls()?;
        config::show_settings_in_force(&self.root)?;
        self.save_hash()?;
        self.rebuild()?;
        Ok(notices.iter().map(ToString::to_string).collect())
    }
}

impl Trains for PlaygroundFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    /// A diverged run does not play until Reset.
    fn can_play(&self) -> bool {
        !self.diverged
    }

    /// One frame's updates (the speed setting's count), recorded, without drawing.
    fn advance_frame(&mut self) -> Result<bool> {
        let speed = self.state.speed;
        Ok(self.advance(speed)? && self.playback.playing())
    }

    fn steps(&self) -> u64 {
        self.run.as_ref().map_or(0, Playground::steps)
    }

    /// One frame while playing: the speed setting's updates, one redraw, and the samples per
    /// second measured from the frames' time stamps.
    fn train_frame_at(&mut self, now_ms: f64) -> Result<bool> {
        let speed = self.state.speed;
        let batch = self.state.batch_size as u64;
        self.step_once(speed)?;
        self.count_samples(now_ms, u64::from(speed) * batch);
        Ok(self.playback.playing())
    }

    /// Nothing to redraw on a pause: every frame drew its updates, so the picture (and the last
    /// rate measured) stays as the reader last saw it.
    fn redraw(&mut self) -> Result<()> {
        Ok(())
    }

    /// Shows an error as a message and pauses.
    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        self.say(&format!("Something went wrong: {e}.")).ok();
    }
}

impl LiveRun for PlaygroundFigure {
    fn run_mut(&mut self) -> Option<&mut Playground> {
        self.run.as_mut()
    }
}

impl Figure for PlaygroundFigure {
    fn update(&mut self) -> Result<()> {
        self.draw()
    }

    fn model_export(&mut self) -> Option<Result<spiega_lessons::playground::export_code::Export>> {
        Some(self.export_model())
    }

    fn import_model(&mut self, text: Result<&str>) {
        self.import_model_file(text);
    }

    /// The current run's history, then each earlier run's kept curve: one row per recorded
    /// update, named in the `run` column ("current", "run 3"), with the run's settings as link
    /// text in the `settings` column of its first row. An earlier run keeps its losses only, so
    /// its accuracy cells are empty.
    fn csv(&self) -> Option<String> {
        let mut header = vec!["run", "settings"];
        header.extend(export::SCORES_HEADER);
        let mut csv = Csv::new(&header);
        if let Some(run) = self.run.as_ref() {
            for (i, s) in run.history().iter().enumerate() {
                let settings = if i == 0 {
                    settings_text(&self.state)
                } else {
                    String::new()
                };
                let prefix = [Cell::from("current"), Cell::from(settings)];
                export::scores_rows(&mut csv, &prefix, std::slice::from_ref(s));
            }
        }
        for r in self.runs.list() {
            for (i, p) in r.curve.iter().enumerate() {
                let settings = if i == 0 {
                    settings_text(&r.state)
                } else {
                    String::new()
                };
                csv.row([
                    Cell::from(format!("run {}", r.number)),
                    Cell::from(settings),
                    Cell::from(p.step),
                    Cell::from(p.train),
                    Cell::Empty,
                    Cell::from(p.validation),
                    Cell::Empty,
                    Cell::from(p.test),
                    Cell::Empty,
                ]);
            }
        }
        Some(csv.finish())
    }

    /// The link to this run: every setting, in the address too.
    fn share_link(&mut self) -> Option<Result<String>> {
        Some(self.copy_link())
    }

    /// A "Try this" set-up: the settings as a link's, every other one at its default.
    fn apply_own_settings(&mut self, settings: &str) -> Option<Result<Vec<String>>> {
        Some(self.take_settings(settings))
    }
}

/// What the figure writes to `data-state`: the latest scores, the earlier runs as the table
/// lists them, and how many of their curves the loss chart draws.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FigureState<'a> {
    #[serde(flatten)]
    scores: ScoresState,
    earlier_runs: &'a [RunRow],
    faded_curves: usize,
}

/// Whether an engine error means training diverged (values overflowed), not a wrong setting.
fn is_divergence(e: &EngineError) -> bool {
    matches!(
        e,
        EngineError::NonFinite { .. } | EngineError::Diverged { .. }
    )
}

/// The figure's message for a link some of whose settings were ignored.
pub(super) fn ignored_settings(list: &[String]) -> String {
    format!(
        "Some settings in the link could not be used, so defaults stand in for them: {}.",
        list.join("; ")
    )
}

/// `text` as a sentence: a capital first letter and a full stop. The engine's messages are
/// English and start with an ASCII letter; any other first character is left as it is. (ASCII
/// only: `char::to_uppercase` would bring the standard library's Unicode uppercase table and
/// its lookup, 14 KB before compression, into the page's first download for this one call.)
fn sentence(text: &str) -> String {
    let mut chars = text.trim_end_matches('.').chars();
    chars.next().map_or_else(String::new, |first| {
        format!("{}{}.", first.to_ascii_uppercase(), chars.as_str())
    })
}
