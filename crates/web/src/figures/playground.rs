//! The playground figure. A feed-forward network trains live on 2-D data; the reader changes
//! the data, the features, the network and the training settings, and sees the output over the
//! plane, every neuron's own map, the weights, the scores on each split and the loss curves.
//!
//! The figure's settings live in the page's address (see [`crate::state`]): the controls carry the
//! address's key names as their `data-role`, so reading the controls is writing a hash, and the
//! state module alone decides what a valid setting is.

pub mod model_io;
mod step_through;

use super::{Figure, export};
use crate::charts::Palette;
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::controls;
use crate::csv::Csv;
use crate::dom::{self, fmt};
use crate::download;
use crate::error::{Result, WebError};
use crate::frame::FrameLoop;
use crate::playground_view::{self, View};

use crate::state::HashParams;
use crate::state::figures::is_anchor;
use crate::state::playground::{MAX_CUSTOM_POINTS, PlaygroundState, changes_shape};
use serde::Serialize;
use spiega_lessons::playground::{Playground, Scores};
use spiega_nn::EngineError;
use spiega_nn::data::split::split_in_turn;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// The playground figure: its controls, its engine run and its views.
pub struct PlaygroundFigure {
    root: Element,
    state: PlaygroundState,
    run: Option<Playground>,
    view: View,
    loss_canvas: HtmlCanvasElement,
    message: Element,
    playing: bool,
    diverged: bool,
    /// What the engine saw when training diverged.
    cause: String,
    frames: Option<FrameLoop>,
    /// Samples trained and the time, over the last second, for the rate shown.
    rate_window: (f64, u64),
    rate: f64,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let hash = own_hash()?;
    let (state, notices) = PlaygroundState::parse(&hash);
    let fig = Rc::new(RefCell::new(PlaygroundFigure {
        root: root.clone(),
        state,
        run: None,
        view: View::new(root)?,
        loss_canvas: dom::query(root, "canvas[data-role=\"loss-chart\"]")?,
        message: dom::query(root, "[data-role=\"message\"]")?,
        playing: false,
        diverged: false,
        cause: String::new(),
        frames: None,
        rate_window: (0.0, 0),
        rate: 0.0,
    }));
    {
        let mut f = fig.borrow_mut();
        f.write_controls()?;
        f.show_settings_in_force()?;
        f.rebuild()?;
        if !notices.is_empty() {
            let list: Vec<String> = notices.iter().map(ToString::to_string).collect();
            f.say(&ignored_settings(&list))?;
            show_page_notice(&list)?;
        }
    }
    wire(&fig)?;
    super::live_model::publish(&fig);
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

/// The address's hash, or nothing for a plain anchor such as `#costs`, which names a place in the
/// article and no setting.
fn own_hash() -> Result<String> {
    let hash = dom::window()?.location().hash().unwrap_or_default();
    Ok(if is_anchor(&hash) {
        String::new()
    } else {
        hash
    })
}

/// The figure's message for a link some of whose settings were ignored.
fn ignored_settings(list: &[String]) -> String {
    format!(
        "Some settings in the link could not be used, so defaults stand in for them: {}.",
        list.join("; ")
    )
}

/// Shows the notice at the top of the article too, for a link whose settings were ignored.
fn show_page_notice(list: &[String]) -> Result<()> {
    if let Some(el) = dom::document()?.get_element_by_id("notice") {
        dom::set_text(
            &el,
            &format!(
                "This link's playground settings were partly ignored: {}.",
                list.join("; ")
            ),
        );
        dom::set_hidden(&el, false)?;
    }
    Ok(())
}

/// The button with `data-role="role"`, as an event target.
fn button(root: &Element, role: &str) -> Result<web_sys::EventTarget> {
    let el: Element = dom::query(root, &format!("button[data-role=\"{role}\"]"))?;
    Ok(el.into())
}

/// Wires the controls, buttons, keys and pointer to the figure.
fn wire(fig: &Rc<RefCell<PlaygroundFigure>>) -> Result<()> {
    let root = fig.borrow().root.clone();
    let act = |f: &Rc<RefCell<PlaygroundFigure>>, what: fn(&mut PlaygroundFigure) -> Result<()>| {
        let f = Rc::clone(f);
        move |_| {
            if let Ok(mut fig) = f.try_borrow_mut()
                && let Err(e) = what(&mut fig)
            {
                fig.report(&e);
            }
        }
    };
    dom::on(
        &root,
        "change",
        act(fig, PlaygroundFigure::controls_changed),
    )?;
    // The layer editor's buttons are rebuilt with the editor, so their clicks are caught here.
    let f = Rc::clone(fig);
    dom::on(&root, "click", move |ev| {
        let role = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.get_attribute("data-role"));
        let change = match role.as_deref() {
            Some("add-layer") => 1,
            Some("remove-layer") => -1,
            _ => return,
        };
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.change_layers(change)
        {
            fig.report(&e);
        }
    })?;
    dom::on(&root, "input", act(fig, PlaygroundFigure::slider_moved))?;
    dom::on(
        &button(&root, "step")?,
        "click",
        act(fig, |f| f.step_once(1)),
    )?;
    dom::on(
        &button(&root, "epoch")?,
        "click",
        act(fig, PlaygroundFigure::step_epoch),
    )?;
    dom::on(
        &button(&root, "reset")?,
        "click",
        act(fig, PlaygroundFigure::reset),
    )?;
    dom::on(
        &button(&root, "reseed")?,
        "click",
        act(fig, PlaygroundFigure::reseed),
    )?;
    dom::on(
        &button(&root, "clear-points")?,
        "click",
        act(fig, PlaygroundFigure::clear_points),
    )?;
    dom::on(
        &button(&root, "export")?,
        "click",
        act(fig, PlaygroundFigure::export_csv),
    )?;
    dom::on(
        &button(&root, "step-through")?,
        "click",
        act(fig, PlaygroundFigure::step_through),
    )?;
    let import = dom::input(&root, "import")?;
    let f = Rc::clone(fig);
    let input = import.clone();
    dom::on(&import, "change", move |_| {
        let Some(file) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        let f2 = Rc::clone(&f);
        dom::read_text_file(&file, move |text| {
            if let Ok(mut fig) = f2.try_borrow_mut()
                && let Err(e) = fig.import_csv(&text)
            {
                fig.report(&e);
            }
        });
        input.set_value("");
    })?;
    let f = Rc::clone(fig);
    dom::on(&button(&root, "play")?, "click", move |_| toggle_play(&f))?;
    let f = Rc::clone(fig);
    dom::on_keys(&root, move |key| {
        match key {
            " " => toggle_play(&f),
            "ArrowRight" => {
                if let Ok(mut fig) = f.try_borrow_mut()
                    && let Err(e) = fig.step_once(1)
                {
                    fig.report(&e);
                }
            }
            "r" | "R" => {
                if let Ok(mut fig) = f.try_borrow_mut()
                    && let Err(e) = fig.reset()
                {
                    fig.report(&e);
                }
            }
            _ => return false,
        }
        true
    })?;
    playground_view::wire_pointer(fig)?;
    // A link pasted into the address bar of an open page changes only the hash: follow it.
    let f = Rc::clone(fig);
    let window = dom::window()?;
    dom::on(&window, "hashchange", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.follow_hash()
        {
            fig.report(&e);
        }
    })?;
    Ok(())
}

/// Plays or pauses, starting the frame loop when it plays.
fn toggle_play(fig: &Rc<RefCell<PlaygroundFigure>>) {
    let start = {
        let Ok(mut f) = fig.try_borrow_mut() else {
            return;
        };
        let playing = !f.playing;
        f.set_playing(playing);
        if f.playing {
            crate::frame::clear_left_the_screen(&f.message);
        }
        playing
    };
    if start {
        let frames = {
            let existing = fig.borrow().frames.clone();
            existing.unwrap_or_else(|| {
                let weak = Rc::downgrade(fig);
                let frames = FrameLoop::new(move |t| {
                    let Some(fig) = weak.upgrade() else {
                        return false;
                    };
                    let Ok(mut f) = fig.try_borrow_mut() else {
                        return true;
                    };
                    f.frame(t)
                });
                fig.borrow_mut().frames = Some(frames.clone());
                frames
            })
        };
        if let Err(e) = frames.start() {
            fig.borrow_mut().report(&e);
        }
    }
}

impl PlaygroundFigure {
    /// The engine run, which exists once the figure has built one.
    fn run(&mut self) -> Result<&mut Playground> {
        self.run.as_mut().ok_or_else(|| {
            WebError::Engine(EngineError::Invalid("the playground has no run yet".into()))
        })
    }

    /// Shows a message in the figure (as text), or hides it when empty.
    fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// Shows an error as a message and pauses.
    pub fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        self.say(&format!("Something went wrong: {e}.")).ok();
    }

    fn set_playing(&mut self, playing: bool) {
        let playing = playing && !self.diverged;
        self.playing = playing;
        if !playing && let Some(frames) = &self.frames {
            frames.stop();
        }
        if let Ok(b) = dom::query::<Element>(&self.root, "button[data-role=\"play\"]") {
            dom::set_text(&b, if playing { "Pause" } else { "Play" });
            b.set_attribute("aria-pressed", if playing { "true" } else { "false" })
                .ok();
        }
    }

    /// Reads every control into a hash and lets the state module parse it.
    fn read_controls(&self) -> Result<PlaygroundState> {
        let mut params = HashParams::new();
        for el in dom::query_all(&self.root, "[data-role]")? {
            let Some(key) = el.get_attribute("data-role") else {
                continue;
            };
            if !PlaygroundState::is_key(&key) {
                continue;
            }
            if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                let value = match input.type_().as_str() {
                    "checkbox" => input.checked().to_string(),
                    _ if key == "learningRate" => controls::log_value(input).to_string(),
                    _ => input.value(),
                };
                params.set(&key, &value);
            } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
                params.set(&key, &select.value());
            }
        }
        params.set("networkShape", &playground_view::read_layers(&self.root)?);
        let (mut state, _) = PlaygroundState::from_params(&params);
        // The reader's own points are not a control: they carry over.
        state.custom = self.state.custom.clone();
        Ok(state)
    }

    /// Puts the state into the controls (after a parse, a reset or a rebuilt layer editor).
    fn write_controls(&mut self) -> Result<()> {
        let params = HashParams::parse(&self.state.to_hash(&HashParams::new()));
        for el in dom::query_all(&self.root, "[data-role]")? {
            let Some(key) = el.get_attribute("data-role") else {
                continue;
            };
            let Some(value) = params.get(&key) else {
                continue;
            };
            if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                match input.type_().as_str() {
                    "checkbox" => input.set_checked(value == "true"),
                    _ if key == "learningRate" => {
                        controls::set_log_value(input, value.parse().unwrap_or(0.03));
                    }
                    _ => input.set_value(value),
                }
            } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
                playground_view::select_value(select, value)?;
            }
        }
        playground_view::write_layers(&self.root, self.state.hidden_layers())?;
        self.write_outputs()?;
        self.show_relevant()
    }

    /// Opens "More settings" when a link set something under it, so the reader sees every
    /// setting in force; one the reader cannot see (such as the noise of their own points) does
    /// not count. It is never closed here: closing is the reader's choice.
    fn show_settings_in_force(&self) -> Result<()> {
        let more: Element = dom::query(&self.root, "[data-role=\"more\"]")?;
        let set = dom::query_all(&more, "input, select")?.iter().any(|el| {
            el.closest("[hidden]").ok().flatten().is_none()
                && playground_view::differs_from_markup(el)
        });
        if set {
            more.set_attribute("open", "")?;
        }
        Ok(())
    }

    /// The numbers beside the sliders.
    fn write_outputs(&self) -> Result<()> {
        let s = &self.state;
        let r = &self.root;
        dom::set_output(r, "noise-value", &format!("{}%", s.noise));
        dom::set_output(r, "points-value", &s.points.to_string());
        dom::set_output(r, "classes-value", &s.classes.to_string());
        dom::set_output(r, "percTrainData-value", &format!("{}%", s.train_percent()));
        dom::set_output(
            r,
            "percValData-value",
            &format!("{}%", s.validation_percent()),
        );
        dom::set_output(r, "batchSize-value", &s.batch_size.to_string());
        dom::set_output(
            r,
            "learningRate-value",
            &controls::format_rate(s.learning_rate_f32()),
        );
        dom::set_output(r, "dropout-value", &fmt(s.dropout, 2));
        if let Ok(Some(el)) = r.query_selector("[data-role=\"test-share\"]") {
            dom::set_text(
                &el,
                &format!(
                    "Test split: {}% (scored, never trained on)",
                    s.test_percent()
                ),
            );
        }
        Ok(())
    }

    /// Shows only the controls that apply to the chosen problem and data set.
    fn show_relevant(&self) -> Result<()> {
        let regression = self.state.is_regression();
        let dataset = self.state.dataset_name();
        for el in dom::query_all(&self.root, "[data-when]")? {
            let when = el.get_attribute("data-when").unwrap_or_default();
            let show = match when.as_str() {
                "classification" => !regression,
                "regression" => regression,
                "binary" => !regression && dataset != "blobs",
                "blobs" => !regression && dataset == "blobs",
                "custom" => !regression && dataset == "custom",
                // Noise and the number of points apply to generated data, not the reader's own.
                "generated" => regression || dataset != "custom",
                _ => true,
            };
            dom::set_hidden(&el, !show)?;
        }
        if let Ok(Some(head)) = self.root.query_selector("[data-role=\"metric-head\"]") {
            dom::set_text(&head, if regression { "" } else { "Accuracy" });
        }
        Ok(())
    }

    /// A control changed: apply it, rebuilding the run only when the change needs a new network.
    fn controls_changed(&mut self) -> Result<()> {
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
            let (optimizer, batch, penalty) = playground_view::training_settings(&self.state)?;
            self.run()?.retune(optimizer, batch, penalty)?;
            self.say("")?;
        }
        self.save_hash()?;
        self.draw()
    }

    /// A slider moved: update its number at once; the change itself applies on release.
    fn slider_moved(&mut self) -> Result<()> {
        let preview = self.read_controls()?;
        let old = std::mem::replace(&mut self.state, preview);
        let shown = self.write_outputs();
        self.state = old;
        shown
    }

    /// Builds a new run from the state (data, split, network), untrained.
    fn rebuild(&mut self) -> Result<()> {
        self.set_playing(false);
        self.diverged = false;
        // A data set that cannot be built yet (too few of the reader's own points) is not an
        // error: the figure says what to do and waits.
        let built = playground_view::engine_config(&self.state)
            .and_then(|config| Playground::new(config).map_err(WebError::Engine));
        match built {
            Ok(run) => self.run = Some(run),
            Err(e) if self.state.dataset_name() == "custom" => {
                self.run = None;
                self.draw_without_data()?;
                return self.say(&sentence(&e.to_string()));
            }
            Err(e) => return Err(e),
        }
        let train = self.run()?.points()[0].map_or(1, |(x, _)| x.nrows());
        playground_view::limit_batch_slider(&self.root, train)?;
        self.view.invalidate();
        self.say("")?;
        self.draw()
    }

    fn reset(&mut self) -> Result<()> {
        self.rebuild()
    }

    fn reseed(&mut self) -> Result<()> {
        let seed = (js_sys::Math::random() * 4_294_967_295.0) as u32;
        self.state.seed = seed;
        self.write_controls()?;
        self.save_hash()?;
        self.rebuild()
    }

    /// Makes `n` updates; a divergence pauses with an explanation and keeps the last picture.
    fn step_once(&mut self, n: u32) -> Result<()> {
        if self.diverged {
            return self.say_diverged();
        }
        for _ in 0..n {
            if let Err(e) = self.run()?.step() {
                return self.diverge(&e);
            }
        }
        if let Err(e) = self.run()?.record() {
            return self.diverge(&e);
        }
        self.draw()
    }

    fn step_epoch(&mut self) -> Result<()> {
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
    fn frame(&mut self, now: f64) -> bool {
        if !self.playing {
            return false;
        }
        if crate::frame::left_the_screen(&self.root) {
            self.set_playing(false);
            self.say(crate::frame::LEFT_THE_SCREEN).ok();
            return false;
        }
        let speed = self.state.speed;
        let batch = self.state.batch_size as u64;
        if let Err(e) = self.step_once(speed) {
            self.report(&e);
            return false;
        }
        let (since, samples) = self.rate_window;
        let samples = samples + u64::from(speed) * batch;
        if since == 0.0 {
            self.rate_window = (now, 0);
        } else if now - since >= 1000.0 {
            self.rate = samples as f64 * 1000.0 / (now - since);
            self.rate_window = (now, 0);
        } else {
            self.rate_window = (since, samples);
        }
        self.playing
    }

    /// Writes the state into the address without adding a history entry.
    fn save_hash(&self) -> Result<()> {
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
    fn copy_link(&mut self) -> Result<String> {
        self.save_hash()?;
        Ok(dom::window()?.location().href()?)
    }

    /// Redraws every view and writes the numbers.
    fn draw(&mut self) -> Result<()> {
        // Figures that score the live network hear of the change once this event is over.
        super::live_model::changed();
        let palette = Palette::from_css()?;
        // The reader's own points all show, whichever split each joined.
        let show_test = self.state.show_test_data || self.state.dataset_name() == "custom";
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
        draw_losses(&self.loss_canvas, history, log, &palette)?;
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
            &if self.playing && self.rate > 0.0 {
                format!("{:.0}", self.rate)
            } else {
                "–".into()
            },
        )?;
        if let Some(s) = last {
            write_scores(r, &s)?;
            dom::set_state(&self.root, &ScoresState::new(&s, epoch, self.diverged))?;
        }
        Ok(())
    }
}

impl PlaygroundFigure {
    /// The live engine run, if the figure has one (other figures score it).
    pub fn run_mut(&mut self) -> Option<&mut Playground> {
        self.run.as_mut()
    }

    /// The figure's drawings.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// The figure's root element.
    pub fn root(&self) -> &Element {
        &self.root
    }

    /// The layer sizes drawn in the network: inputs, hidden layers, outputs.
    fn layer_sizes(&self) -> Vec<usize> {
        let Some(run) = self.run.as_ref() else {
            return Vec::new();
        };
        let mut sizes = vec![run.config().features.len()];
        sizes.extend(&run.config().hidden);
        sizes.push(run.dense_layers().last().map_or(1, |d| d.weights().nrows()));
        sizes
    }

    /// Shows what is under the pointer on the network: a neuron's map enlarged with its bias, or
    /// a weight's live value.
    pub fn hover_network(&mut self, p: (f64, f64)) -> Result<()> {
        let card: Element = dom::query(&self.root, "[data-role=\"hover\"]")?;
        let Some(layout) = self.view.layout.clone() else {
            return dom::set_hidden(&card, true);
        };
        let sizes = self.layer_sizes();
        let highlight = if let Some((layer, node)) = layout.node_at(p.0, p.1) {
            let name = if layer == 0 {
                "input".to_owned()
            } else if layer + 1 == sizes.len() {
                "output".to_owned()
            } else {
                format!("layer {layer}, neuron {}", node + 1)
            };
            let bias = self.run.as_ref().and_then(|r| {
                r.dense_layers()
                    .get(layer.wrapping_sub(1))
                    .and_then(|d| d.biases().get(node).copied())
            });
            let text = match bias {
                Some(b) if layer > 0 => format!("{name}: bias {}", fmt(f64::from(b), 3)),
                _ => name,
            };
            let map = self.view.node_map(layer, node, &sizes).map(<[f32]>::to_vec);
            show_card(&card, &text, map.as_deref())?;
            Some(crate::charts::network::Highlight::Node { layer, node })
        } else if let Some((block, out, input)) = layout.edge_at(p.0, p.1, 6.0) {
            let w = self.run.as_ref().and_then(|r| {
                r.dense_layers()
                    .get(block)
                    .map(|d| d.weights()[(out, input)])
            });
            show_card(
                &card,
                &format!(
                    "weight {} → {}: {}",
                    input + 1,
                    out + 1,
                    w.map_or("–".into(), |w| fmt(f64::from(w), 3))
                ),
                None,
            )?;
            Some(crate::charts::network::Highlight::Edge { block, out, input })
        } else {
            None
        };
        dom::set_hidden(&card, highlight.is_none())?;
        if let Some(html) = card.dyn_ref::<web_sys::HtmlElement>() {
            html.style()
                .set_property("left", &format!("{}px", p.0 + 12.0))?;
            html.style()
                .set_property("top", &format!("{}px", p.1 + 12.0))?;
        }
        if highlight != self.view.highlight {
            self.view.highlight = highlight;
            self.draw()?;
        }
        Ok(())
    }

    /// Opens the editor for the weight under the pointer.
    pub fn open_weight_editor(&mut self, p: (f64, f64)) -> Result<()> {
        let editor: Element = dom::query(&self.root, "[data-role=\"weight-editor\"]")?;
        let Some((block, out, input)) = self
            .view
            .layout
            .as_ref()
            .and_then(|l| l.edge_at(p.0, p.1, 6.0))
        else {
            return Ok(());
        };
        let w = self
            .run
            .as_ref()
            .and_then(|r| {
                r.dense_layers()
                    .get(block)
                    .map(|d| d.weights()[(out, input)])
            })
            .unwrap_or(0.0);
        editor.set_attribute("data-edge", &format!("{block},{out},{input}"))?;
        if let Ok(Some(name)) = editor.query_selector("[data-role=\"weight-name\"]") {
            dom::set_text(
                &name,
                &format!(
                    "layer {} → {}, from {} to {}",
                    block,
                    block + 1,
                    input + 1,
                    out + 1
                ),
            );
        }
        dom::input(&editor, "weight-value")?.set_value(&format!("{w}"));
        dom::set_hidden(&editor, false)
    }

    /// Sets the weight being edited to the typed value.
    pub fn set_edited_weight(&mut self) -> Result<()> {
        let editor: Element = dom::query(&self.root, "[data-role=\"weight-editor\"]")?;
        let edge = editor.get_attribute("data-edge").unwrap_or_default();
        let parts: Vec<usize> = edge.split(',').filter_map(|p| p.parse().ok()).collect();
        let [block, out, input] = parts[..] else {
            return Ok(());
        };
        let typed = dom::input(&editor, "weight-value")?.value();
        let Ok(value) = typed.trim().parse::<f32>() else {
            return self.say(&format!(
                "“{typed}” is not a number, so the weight was left as it was."
            ));
        };
        self.run()?.set_weight(block, out, input, value)?;
        self.run()?.record()?;
        self.say("")?;
        self.draw()
    }

    /// Adds a point where the reader clicked or tapped the map, or removes the nearest one, when
    /// the data set is the reader's own: the chosen "A tap on the map" option says which, and
    /// Shift (orange) or Alt (remove) overrides it for a mouse.
    pub fn edit_points(&mut self, p: (f64, f64), shift: bool, alt: bool) -> Result<()> {
        let generated = self.state.dataset_name() != "custom";
        if !generated && self.state.is_regression() {
            return Ok(());
        }
        // Before the first drawing (no points yet) the map's frame comes from the canvas's size.
        let canvas = self.view.heatmap_canvas();
        let fallback = crate::charts::heatmap::PlotFrame::new(
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
            (-6.0, 6.0),
            (-6.0, 6.0),
            true,
        );
        let (x, y) = self
            .view
            .heatmap()
            .to_data(p.0, p.1)
            .unwrap_or_else(|| fallback.to_data(p.0, p.1));
        if !(-6.0..=6.0).contains(&x) || !(-6.0..=6.0).contains(&y) {
            return Ok(());
        }
        if generated {
            // On a generated data set a click selects the nearest point to step through.
            return self.select_point(x, y);
        }
        let mode = dom::query::<HtmlInputElement>(&self.root, "input[name=\"click-mode\"]:checked")
            .map(|i| i.value())
            .unwrap_or_default();
        let said = if alt || mode == "remove" {
            if !self.state.remove_custom_point_near(x, y) {
                return self.say("No point of yours is near there to remove.");
            }
            self.save_hash()?;
            self.rebuild()?;
            format!("Point removed: {} left.", self.state.custom.len())
        } else {
            let (label, colour) = if shift || mode == "orange" {
                (0, "orange")
            } else {
                (1, "blue")
            };
            if !self.state.add_custom_point(x, y, label) {
                return self.say(&format!(
                    "Your data set is full: it holds at most {MAX_CUSTOM_POINTS} points."
                ));
            }
            self.save_hash()?;
            self.rebuild()?;
            let n = self.state.custom.len();
            format!(
                "Point {n} ({colour}) joined the {} split.",
                self.split_of_own_point(n - 1)
            )
        };
        if self.run.is_some() {
            self.say(&said)?;
        }
        Ok(())
    }

    /// Which split the reader's point `index` is in: each keeps the split it joined as more are
    /// added (see [`split_in_turn`]).
    fn split_of_own_point(&self, index: usize) -> &'static str {
        let fractions = playground_view::split_fractions(&self.state);
        match split_in_turn(self.state.custom.len(), fractions) {
            Ok(parts) if parts.validation.contains(&index) => "validation",
            Ok(parts) if parts.test.contains(&index) => "test",
            _ => "training",
        }
    }

    /// The reader's own data set before its first point: an empty map, no network, no scores.
    fn draw_without_data(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        self.view.draw_empty(&palette)?;
        draw_losses(&self.loss_canvas, &[], self.state.log_scale, &palette)?;
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
}

impl PlaygroundFigure {
    /// Applies the settings in the address after the reader changed it by hand.
    fn follow_hash(&mut self) -> Result<()> {
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
        self.show_settings_in_force()?;
        self.rebuild()?;
        if !notices.is_empty() {
            let list: Vec<String> = notices.iter().map(ToString::to_string).collect();
            self.say(&ignored_settings(&list))?;
        }
        Ok(())
    }

    /// Takes `settings` (link keys, every one not named at its default), rebuilds the run and
    /// writes the address; returns what could not be used as written.
    fn take_settings(&mut self, settings: &str) -> Result<Vec<String>> {
        let (state, notices) = PlaygroundState::parse(settings);
        self.state = state;
        self.write_controls()?;
        self.show_settings_in_force()?;
        self.save_hash()?;
        self.rebuild()?;
        Ok(notices.iter().map(ToString::to_string).collect())
    }

    /// Adds (`+1`) or removes (`−1`) a hidden layer; a new layer copies the last one's width.
    fn change_layers(&mut self, change: i32) -> Result<()> {
        let shape = &mut self.state.network_shape;
        if change > 0 && shape.len() < spiega_lessons::playground::MAX_LAYERS {
            let width = shape.last().copied().unwrap_or(4);
            shape.push(width);
        } else if change < 0 {
            shape.pop();
        } else {
            return Ok(());
        }
        self.write_controls()?;
        self.save_hash()?;
        self.rebuild()
    }

    /// Removes every one of the reader's points.
    fn clear_points(&mut self) -> Result<()> {
        self.state.custom.clear();
        self.save_hash()?;
        self.rebuild()?;
        self.say("Your points were cleared: tap or click the map to add new ones.")
    }

    /// Replaces the reader's points with a CSV file's; a bad row is named by its line and
    /// nothing already drawn is lost.
    pub fn import_csv(&mut self, text: &str) -> Result<()> {
        use spiega_nn::data::csv::{CsvLabels, parse_csv_within};
        let labels = if self.state.is_regression() {
            CsvLabels::Values
        } else {
            CsvLabels::Classes
        };
        // The same limits as a link's points, so every file that loads makes a link that reopens.
        let data = match parse_csv_within(text, labels, &self.state.csv_bounds()) {
            Ok(d) => d,
            Err(e) => {
                return self.say(&format!(
                    "The file was not loaded, and your points are unchanged: {e}."
                ));
            }
        };
        let mut points = Vec::with_capacity(data.len());
        for r in 0..data.len() {
            let (x, y) = (f64::from(data.x()[(r, 0)]), f64::from(data.x()[(r, 1)]));
            let label = match data.labels() {
                Some(l) => l[r] as f64,
                None => f64::from(data.targets()[(r, 0)]),
            };
            points.push(crate::state::Point {
                x: crate::state::round2(x),
                y: crate::state::round2(y),
                label,
            });
        }
        self.state.custom = points;
        self.state.dataset = crate::state::playground::Dataset::Custom;
        self.write_controls()?;
        self.save_hash()?;
        self.rebuild()?;
        self.say(&format!("Loaded {} points.", data.len()))
    }

    /// Downloads the current data set (every split) as CSV.
    fn export_csv(&mut self) -> Result<()> {
        let Some(run) = self.run.as_ref() else {
            return Ok(());
        };
        let mut csv = Csv::new(&["x1", "x2", "label"]);
        for (x, y) in run.points().into_iter().flatten() {
            for r in 0..x.nrows() {
                let label = if y.ncols() > 1 {
                    y.row(r).iter().position(|&v| v > 0.5).unwrap_or(0) as f32
                } else {
                    y[(r, 0)]
                };
                csv.row([x[(r, 0)].into(), x[(r, 1)].into(), label.into()]);
            }
        }
        download::save_text("spiega-playground.csv", "text/csv", &csv.finish())
    }
}

impl Figure for PlaygroundFigure {
    fn update(&mut self) -> Result<()> {
        self.draw()
    }

    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&export::SCORES_HEADER);
        if let Some(run) = self.run.as_ref() {
            export::scores_rows(&mut csv, &[], run.history());
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

    fn exports_model(&self) -> bool {
        true
    }

    fn model_export(&mut self) -> Option<Result<spiega_lessons::playground::export_code::Export>> {
        Some(self.export_model())
    }

    fn import_model(&mut self, text: Result<&str>) {
        self.import_model_file(text);
    }
}

/// Whether an engine error means training diverged (values overflowed), not a wrong setting.
fn is_divergence(e: &EngineError) -> bool {
    matches!(
        e,
        EngineError::NonFinite { .. } | EngineError::Diverged { .. }
    )
}

fn write_role(root: &Element, role: &str, text: &str) -> Result<()> {
    if let Some(el) = root.query_selector(&format!("[data-role=\"{role}\"]"))? {
        dom::set_text(&el, text);
    }
    Ok(())
}

/// Fills the hover card with its text and, for a neuron, its map enlarged.
fn show_card(card: &Element, text: &str, map: Option<&[f32]>) -> Result<()> {
    use crate::charts::heatmap::{ColorScale, Field, fill_field};
    let doc = dom::document()?;
    let label = match card.query_selector("span")? {
        Some(l) => l,
        None => {
            let l = doc.create_element("span")?;
            card.append_child(&l)?;
            l
        }
    };
    dom::set_text(&label, text);
    let canvas: HtmlCanvasElement = match card.query_selector("canvas")? {
        Some(c) => c
            .dyn_into()
            .map_err(|_| WebError::Browser("not a canvas".into()))?,
        None => {
            let c: HtmlCanvasElement = doc
                .create_element("canvas")?
                .dyn_into()
                .map_err(|_| WebError::Browser("not a canvas".into()))?;
            card.append_child(&c)?;
            c
        }
    };
    let Some(map) = map else {
        return dom::set_hidden(&canvas, true);
    };
    dom::set_hidden(&canvas, false)?;
    let n = (map.len() as f64).sqrt() as u32;
    canvas.set_width(n);
    canvas.set_height(n);
    let mut pixels = vec![0u8; map.len() * 4];
    fill_field(
        &mut pixels,
        Field::Values(map),
        ColorScale::UNIT,
        false,
        1.0,
        &Palette::from_css()?,
    )?;
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&pixels), n, n)?;
    let ctx = crate::charts::heatmap::context_2d(&canvas)?;
    ctx.put_image_data(&image, 0.0, 0.0)?;
    Ok(())
}

fn write_scores(root: &Element, s: &Scores) -> Result<()> {
    let loss = |v: Option<f32>| v.map_or("–".into(), |v| fmt(f64::from(v), 4));
    let acc = |v: Option<f32>| v.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v));
    write_role(root, "train-loss", &loss(Some(s.train.loss)))?;
    write_role(root, "train-acc", &acc(s.train.accuracy))?;
    write_role(root, "val-loss", &loss(s.validation.map(|v| v.loss)))?;
    write_role(root, "val-acc", &acc(s.validation.and_then(|v| v.accuracy)))?;
    write_role(root, "test-loss", &loss(s.test.map(|v| v.loss)))?;
    write_role(root, "test-acc", &acc(s.test.and_then(|v| v.accuracy)))?;
    Ok(())
}

/// `text` as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.trim_end_matches('.').chars();
    chars.next().map_or_else(String::new, |first| {
        format!("{}{}.", first.to_uppercase(), chars.as_str())
    })
}

/// The figure's numbers for tests and assistive tools (written as JSON at full precision).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScoresState {
    step: u64,
    epoch: u64,
    diverged: bool,
    train_loss: f32,
    train_accuracy: Option<f32>,
    validation_loss: Option<f32>,
    validation_accuracy: Option<f32>,
    test_loss: Option<f32>,
    test_accuracy: Option<f32>,
}

impl ScoresState {
    fn new(s: &Scores, epoch: u64, diverged: bool) -> Self {
        Self {
            step: s.step,
            epoch,
            diverged,
            train_loss: s.train.loss,
            train_accuracy: s.train.accuracy,
            validation_loss: s.validation.map(|v| v.loss),
            validation_accuracy: s.validation.and_then(|v| v.accuracy),
            test_loss: s.test.map(|v| v.loss),
            test_accuracy: s.test.and_then(|v| v.accuracy),
        }
    }
}

/// The loss curves of the three splits against updates.
fn draw_losses(
    canvas: &HtmlCanvasElement,
    history: &[Scores],
    log: bool,
    palette: &Palette,
) -> Result<()> {
    let tf = |v: f32| -> f64 {
        let v = f64::from(v);
        if log { v.max(1e-6).log10() } else { v }
    };
    let collect = |pick: &dyn Fn(&Scores) -> Option<f32>| -> Vec<(f64, f64)> {
        history
            .iter()
            .filter_map(|s| {
                pick(s)
                    .filter(|v| v.is_finite())
                    .map(|v| (s.step as f64, tf(v)))
            })
            .collect()
    };
    let train = collect(&|s| Some(s.train.loss));
    let val = collect(&|s| s.validation.map(|v| v.loss));
    let test = collect(&|s| s.test.map(|v| v.loss));
    let all = train.iter().chain(&val).chain(&test);
    let (mut lo, mut hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    if !log {
        lo = lo.min(0.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3);
    let last = history.last().map_or(1.0, |s| s.step as f64).max(1.0);
    // Before the first update there are no curves yet: the untrained losses as dots, and a line
    // that says what will appear, so the chart never looks unfinished.
    let untrained = train.len() < 2;
    let note = match history.len() {
        0 => Some("Add points to the map,\nthen press Play"),
        _ if untrained => Some("Press Play to train:\nthe losses appear here"),
        _ => None,
    };
    let markers = if untrained {
        // Training last, on top: the three often start at almost the same loss.
        [
            (&test, palette.muted),
            (&val, palette.orange),
            (&train, palette.blue),
        ]
        .into_iter()
        .filter_map(|(points, color)| points.first().map(|&p| (p, color)))
        .collect()
    } else {
        vec![]
    };
    line::draw(
        canvas,
        &LineChart {
            x: 0.0..last,
            y: (lo - if log { pad } else { 0.0 })..(hi + pad),
            x_label: "updates",
            series: vec![
                Series {
                    points: &train,
                    color: palette.blue,
                    stroke: Stroke::Solid,
                },
                Series {
                    points: &val,
                    color: palette.orange,
                    stroke: Stroke::Dashed,
                },
                Series {
                    points: &test,
                    color: palette.muted,
                    stroke: Stroke::Dashed,
                },
            ],
            bands: &[],
            markers,
            log_y: log,
            note,
        },
        palette,
    )?;
    canvas.set_attribute("aria-label", &loss_label(history.last()))?;
    Ok(())
}

/// The loss chart's accessible name: the latest losses it shows, in words.
fn loss_label(last: Option<&Scores>) -> String {
    let Some(s) = last else {
        return "Loss curves for the three splits: no updates yet".to_owned();
    };
    let mut text = format!(
        "Loss after {} updates: training {}",
        s.step,
        dom::fmt(f64::from(s.train.loss), 3)
    );
    for (name, split) in [("validation", s.validation), ("test", s.test)] {
        if let Some(v) = split {
            text.push_str(&format!(", {name} {}", dom::fmt(f64::from(v.loss), 3)));
        }
    }
    text
}
