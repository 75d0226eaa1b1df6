//! The article's figures: each finds its placeholder (`[data-figure="name"]`), wires its
//! controls, and redraws when they move, when the theme changes and when the window resizes.
//!
//! A figure that cannot start shows why in its own place; the others carry on.

pub mod activations;
pub mod augmentation;
pub mod backprop;
pub mod batch_norm;
pub mod batch_size;
pub mod bias_variance;
pub mod compare;
pub mod conv;
pub mod costs;
pub mod dropout;
pub mod export;
pub mod gan;
pub mod handoff;
pub mod initialisation;
pub mod live_model;
pub mod mathml;
pub mod model_export;
pub mod normalization;
pub mod optimizers;
pub mod penalties;
pub mod playground;
pub mod pruning;
pub mod rouge;
pub mod scores;
pub mod shapes;
pub mod share;
pub mod shrinkage;
pub mod softmax;
pub mod tools;
pub mod transformer;
pub mod try_this;

use crate::error::{Result, WebError};
use crate::theme::THEME_EVENT;
use crate::{assets, dom};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Document, Element};

/// What every figure does: draw itself from its current state.
pub trait Figure {
    /// Reads the controls into the state and redraws everything the state shows.
    fn update(&mut self) -> Result<()>;

    /// The figure's histories and scores as CSV text (a header row, then one row per value kept),
    /// read from the engine's records; `None` while it has none (the download is offered by a
    /// figure whose markup's `data-tools` names `data`).
    fn csv(&self) -> Option<String> {
        None
    }

    /// The link to this figure as it is now, for a figure whose settings are more than its
    /// controls' values (the playground's custom points); `None` lets [`share`] build the link
    /// from the controls.
    fn share_link(&mut self) -> Option<Result<String>> {
        None
    }

    /// The figure's network now, with what a script states about it (see
    /// [`spiega_lessons::playground::export_code`]); `None` for a figure without one.
    fn model_export(&mut self) -> Option<Result<spiega_lessons::playground::export_code::Export>> {
        None
    }

    /// Loads the text of a model file, or the reason it could not be read, and says in the
    /// figure's message line what was loaded or why nothing was. Nothing for a figure without a
    /// network.
    fn import_model(&mut self, _text: Result<&str>) {}

    /// For a figure that keeps its own link keys (the playground): takes `settings`, written as
    /// its link writes them, with every setting not named at its default, rebuilds, writes the
    /// address, and returns what could not be used as written. `None` lets [`share`] set the
    /// figure's controls instead.
    fn apply_own_settings(&mut self, _settings: &str) -> Option<Result<Vec<String>>> {
        None
    }

    /// Puts back, as the page opened, what the figure shows that is not a control and so not in
    /// a link (the shape calculator's stack of layers), before a "Try this" button sets it up;
    /// nothing for the figures whose controls are everything.
    fn restore_unshared(&mut self) -> Result<()> {
        Ok(())
    }
}

type Mount = fn(&Element) -> Result<Rc<RefCell<dyn Figure>>>;

/// The figures the page knows, by their `data-figure` name.
const FIGURES: [(&str, Mount); 23] = [
    ("activations", activations::mount),
    ("backprop", backprop::mount),
    ("initialisation", initialisation::mount),
    ("optimizers", optimizers::mount),
    ("cost-margin", costs::mount_margin),
    ("cost-probability", costs::mount_probability),
    ("gan", gan::mount),
    ("batch-norm", batch_norm::mount),
    ("batch-size", batch_size::mount),
    ("playground", playground::mount),
    // After the playground, whose live network it scores.
    ("scores", scores::mount),
    ("rouge", rouge::mount),
    ("shapes", shapes::mount),
    ("conv", conv::mount),
    ("normalization", normalization::mount),
    ("bias-variance", bias_variance::mount),
    ("dropout", dropout::mount),
    ("augmentation", augmentation::mount),
    ("pruning", pruning::mount),
    ("shrinkage", shrinkage::mount),
    ("weight-penalties", penalties::mount),
    ("softmax", softmax::mount),
    ("transformer", transformer::mount),
];

/// How near the viewport, in viewport heights beyond its edges, a figure of the rest must be to
/// mount first once the rest of the code has arrived; the others mount afterwards, in slices.
const NEAR_SCREENS: f64 = 1.0;

/// The figures further down mount in slices of about this many milliseconds, each in its own
/// task: short enough that the page answers the reader between slices, long enough that the
/// browser does not lay out and paint the whole page once per figure.
const SLICE_MS: f64 = 40.0;

/// One figure placeholder waiting to be mounted.
type Pending = (&'static str, Mount, Element);

/// Mounts every figure found in the page, then calls `then`.
///
/// The figures of the first part ([`FIRST_PART`]: the first section's) mount at once. The
/// others wait, marked `aria-busy`, for the rest of the page's code; then those on or near the
/// screen (within [`NEAR_SCREENS`], which includes the target of a deep link the browser has
/// scrolled to) mount first, and the others in page order, in slices of [`SLICE_MS`], one slice
/// per task, so the first chart is drawn without waiting for all of them and the page stays
/// responsive while they mount. `then` runs when every figure has mounted (or shown why it
/// could not): what needs all of them, such as following a shared link, waits for it.
pub fn mount_all(doc: &Document, then: impl FnOnce() + 'static) -> Result<()> {
    let Some(body) = doc.body() else {
        then();
        return Ok(());
    };
    let mut near = Vec::new();
    let mut far = Vec::new();
    for (name, mount) in FIGURES {
        for el in dom::query_all(&body, &format!("[data-figure=\"{name}\"]"))? {
            if FIRST_PART.contains(&name) {
                mount_one(doc, (name, mount, el));
            } else if dom::near_view(&el, NEAR_SCREENS) {
                near.push((name, mount, el));
            } else {
                far.push((name, mount, el));
            }
        }
    }
    // Popped from the end: those near the screen first, then the others in page order.
    far.reverse();
    near.reverse();
    far.extend(near);
    for (_, _, el) in &far {
        show_busy(el, true);
    }
    let doc = doc.clone();
    assets::when_rest_of_code(move |loaded| match loaded {
        Ok(()) => mount_rest(doc, far, Box::new(then)),
        Err(why) => {
            for (name, _, el) in far {
                show_busy(&el, false);
                cannot_start(name, &el, &WebError::Asset(why.clone()));
            }
            finish_when_data_arrive(Box::new(then));
        }
    });
    Ok(())
}

/// The figures whose code is in the first part of the page's WebAssembly (the build's
/// `FIRST_FIGURES` in `crates/xtask/src/split.rs`): they mount at once, wherever they are on the
/// page; every other figure mounts once the rest of the code has arrived
/// ([`assets::when_rest_of_code`]).
const FIRST_PART: [&str; 1] = ["playground"];

/// In a later task, mounts figures from the end of `rest` for up to [`SLICE_MS`], and so on
/// until none is left; then, once the figures waiting for data have mounted too, marks the page
/// and calls `then`.
fn mount_rest(doc: Document, mut rest: Vec<Pending>, then: Box<dyn FnOnce()>) {
    if rest.is_empty() {
        finish_when_data_arrive(then);
        return;
    }
    let scheduled = dom::after(0, move || {
        let start = dom::now();
        while let Some(pending) = rest.pop() {
            mount_one(&doc, pending);
            if dom::now() - start >= SLICE_MS {
                break;
            }
        }
        mount_rest(doc, rest, then);
    });
    if let Err(e) = scheduled {
        web_sys::console::error_1(&format!("could not mount the remaining figures: {e}").into());
    }
}

/// Mounts one figure (its lesson, controls, toolbar and "Try this" buttons) and draws it, or
/// shows in its place why it could not start. The first figure drawn marks the page's
/// `spiega:first-chart`.
fn mount_one(doc: &Document, (name, mount, el): Pending) {
    show_busy(&el, false);
    if NEEDS_DIGITS.contains(&name) && !assets::digits_settled() {
        wait_for_digits(doc, (name, mount, el));
        return;
    }
    let mounted = mount(&el).and_then(|fig| {
        redraw_on_page_events(&fig)?;
        fig.borrow_mut().update()?;
        tools::mount(&el, name, &fig)?;
        try_this::wire(doc, &el, name, &fig)?;
        el.set_attribute("data-ready", "true")?;
        Ok(())
    });
    match mounted {
        Ok(()) => {
            if !FIRST_DRAWN.replace(true) {
                mark("spiega:first-chart");
            }
        }
        Err(e) => cannot_start(name, &el, &e),
    }
}

/// Marks the figure `el` and its parts elsewhere in the page (the step-through's gradient check)
/// as waiting (`aria-busy`, which says "Loading…" over their charts and tables) or not. A part
/// that cannot be found is left as it is: the figure itself is still marked.
fn show_busy(el: &Element, busy: bool) {
    let parts = share::figure_parts(el).unwrap_or_else(|_| vec![el.clone()]);
    for part in parts {
        if busy {
            part.set_attribute("aria-busy", "true").ok();
        } else {
            part.remove_attribute("aria-busy").ok();
        }
    }
}

/// Tells the console, and the reader in the figure's place, why the figure `name` did not start.
fn cannot_start(name: &str, el: &Element, why: &WebError) {
    web_sys::console::error_1(&format!("figure {name}: {why}").into());
    dom::show_figure_error(el, why);
}

/// Marks the page and calls `then` now if no figure waits for its data, or else when the last
/// one has mounted (or shown why it could not).
fn finish_when_data_arrive(then: Box<dyn FnOnce()>) {
    if WAITING.with_borrow(|w| w.0) > 0 {
        WAITING.with_borrow_mut(|w| w.1 = Some(then));
        return;
    }
    mark("spiega:all-figures");
    then();
}

/// Shows `el` as busy, and mounts it once the digits have arrived; if they cannot be had, the
/// figure says why in its place, as a figure that cannot start does.
fn wait_for_digits(doc: &Document, (name, mount, el): Pending) {
    show_busy(&el, true);
    WAITING.with_borrow_mut(|w| w.0 += 1);
    let doc = doc.clone();
    assets::when_digits(move |arrived| {
        show_busy(&el, false);
        match arrived {
            Ok(()) => mount_one(&doc, (name, mount, el)),
            Err(why) => cannot_start(name, &el, &WebError::Asset(why)),
        }
        let then = WAITING.with_borrow_mut(|w| {
            w.0 -= 1;
            if w.0 == 0 { w.1.take() } else { None }
        });
        if let Some(then) = then {
            finish_when_data_arrive(then);
        }
    });
}

/// The figures that draw scikit-learn's digits, which [`assets`] downloads when the first of
/// them mounts.
const NEEDS_DIGITS: [&str; 2] = ["conv", "augmentation"];

/// What runs once every figure has mounted, kept while some wait for their data.
type AfterAll = Option<Box<dyn FnOnce()>>;

thread_local! {
    /// Whether a figure has been drawn yet (for the `spiega:first-chart` mark).
    static FIRST_DRAWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// How many figures wait for their data, and what to run once none does.
    static WAITING: RefCell<(usize, AfterAll)> = const { RefCell::new((0, None)) };
}

/// Records a named moment on the page's performance timeline (read by `cargo xtask bench
/// --page`); a browser without the User Timing API simply has no mark.
fn mark(name: &str) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let performance = js_sys::Reflect::get(&window, &"performance".into());
    let method = performance
        .as_ref()
        .ok()
        .and_then(|p| js_sys::Reflect::get(p, &"mark".into()).ok())
        .and_then(|m| m.dyn_into::<js_sys::Function>().ok());
    if let (Ok(performance), Some(method)) = (performance, method) {
        let _ = method.call1(&performance, &name.into());
    }
}

/// Redraws `fig` when the theme changes or the window is resized.
fn redraw_on_page_events(fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let window = dom::window()?;
    for event in [THEME_EVENT, "resize"] {
        let f = Rc::clone(fig);
        dom::on(&window, event, move |_| {
            if let Ok(mut fig) = f.try_borrow_mut()
                && let Err(e) = fig.update()
            {
                web_sys::console::error_1(&e.to_string().into());
            }
        })?;
    }
    Ok(())
}

/// Wires every `input` event under `root` to `fig.update()`.
pub fn update_on_input(root: &Element, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let f = Rc::clone(fig);
    dom::on(root, "input", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.update()
        {
            web_sys::console::error_1(&e.to_string().into());
        }
    })
}
