//! "Try this": the buttons in the prose that set a figure up for one experiment and run it.
//!
//! A section's explanation may end with an `<aside class="try-this">` whose items each carry a
//! button `<button class="btn try-btn" data-try="NAME" data-settings="key=value&…" data-play>`:
//! `NAME` is the figure's `data-figure`, the settings are written as the figure's own link writes
//! them (after `NAME.`; the playground's dot-less keys for the playground), and `data-play` asks
//! a figure that trains to start. A click:
//!
//! 1. pauses the figure if it is playing;
//! 2. puts every control back to its default and gives it the settings, exactly as opening a link
//!    would ([`super::share::set_figure`]; the playground through
//!    [`Figure::apply_own_settings`]), so the figure updates through its own handlers;
//! 3. resets a figure that trains (its Reset button);
//! 4. brings the figure into view (instantly when the reader asks for reduced motion) and, once it
//!    is there, focuses it (so its keys work) and, with `data-play`, presses its Play button.
//!
//! Settings a figure cannot take as written are a bug in the page, not the reader's doing: the
//! page's notice names them and the button carries `data-try-error`, which the end-to-end test
//! looks for.

use crate::dom;
use crate::error::{Result, WebError};
use crate::figures::Figure;
use crate::frame::FrameLoop;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{
    Document, Element, HtmlElement, ScrollBehavior, ScrollIntoViewOptions, ScrollLogicalPosition,
};

/// The class of every "Try this" button.
pub const BUTTON_CLASS: &str = "try-btn";

/// How many frames in a row a figure must keep its place for a smooth scroll to count as over.
const STILL_FRAMES: u32 = 3;

/// The most frames a click waits for a smooth scroll to settle before it focuses and plays.
const MAX_SCROLL_FRAMES: u32 = 90;

/// Wires the page's "Try this" buttons for the figure `name` (its element `figure`, its state
/// `fig`) and marks each with `data-try-ready`; with two figures of one name, the first takes
/// them.
pub fn wire(
    doc: &Document,
    figure: &Element,
    name: &str,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let Some(body) = doc.body() else {
        return Ok(());
    };
    let selector = format!(".{BUTTON_CLASS}[data-try=\"{name}\"]:not([data-try-ready])");
    for button in dom::query_all(&body, &selector)? {
        let (target, figure, name, fig) = (
            button.clone(),
            figure.clone(),
            name.to_owned(),
            Rc::clone(fig),
        );
        dom::on(&button, "click", move |_| {
            let _ = target.remove_attribute("data-try-error");
            if let Err(e) = run(&target, &figure, &name, &fig) {
                web_sys::console::error_1(&format!("Try this ({name}): {e}").into());
                let _ = target.set_attribute("data-try-error", &e.to_string());
                if let Ok(doc) = dom::document() {
                    let _ = super::share::show_notice(
                        &doc,
                        &format!("A \"Try this\" button for the {name} figure failed: {e}."),
                        false,
                    );
                }
            }
        })?;
        button.set_attribute("data-try-ready", "true")?;
    }
    Ok(())
}

/// One click of `button`: the steps in the module's docs.
fn run(
    button: &Element,
    figure: &Element,
    name: &str,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let settings = button.get_attribute("data-settings").unwrap_or_default();
    let play = own_button(figure, "[data-role=\"play\"], [data-role=\"train\"]")?;
    if let Some(play) = &play
        && pressed(play)
    {
        play.click();
    }
    let own = fig
        .try_borrow_mut()
        .ok()
        .and_then(|mut f| f.apply_own_settings(&settings));
    let unused = match own {
        Some(result) => result?,
        None => super::share::set_figure(figure, name, &settings)?,
    };
    if !unused.is_empty() {
        return Err(WebError::Markup(format!(
            "its settings \"{settings}\" could not be used as written: {}",
            unused.join("; ")
        )));
    }
    if let Some(reset) = own_button(figure, "[data-role=\"reset\"]")? {
        reset.click();
    }
    let then_play = play.filter(|_| button.has_attribute("data-play"));
    bring_into_view(figure, then_play)
}

/// The first element matching `selector` that belongs to `figure` itself (not to a figure nested
/// in it).
fn own_button(figure: &Element, selector: &str) -> Result<Option<HtmlElement>> {
    for el in dom::query_all(figure, selector)? {
        if el.closest("[data-figure]")?.as_ref() == Some(figure) {
            return Ok(el.dyn_into::<HtmlElement>().ok());
        }
    }
    Ok(None)
}

/// Whether a toggle button is pressed (`aria-pressed="true"`).
fn pressed(button: &HtmlElement) -> bool {
    button.get_attribute("aria-pressed").as_deref() == Some("true")
}

/// Whether the reader asks for reduced motion.
fn reduced_motion() -> bool {
    dom::window()
        .ok()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Scrolls `figure` to the top of the window (smoothly unless the reader asks for reduced
/// motion), then focuses it and presses `play` if given. A smooth scroll is waited for frame by
/// frame until the figure keeps its place for [`STILL_FRAMES`] frames, so a figure that pauses
/// when off screen starts on screen and focusing does not cut the scroll short.
fn bring_into_view(figure: &Element, play: Option<HtmlElement>) -> Result<()> {
    let smooth = !reduced_motion();
    let options = ScrollIntoViewOptions::new();
    options.set_behavior(if smooth {
        ScrollBehavior::Smooth
    } else {
        ScrollBehavior::Instant
    });
    options.set_block(ScrollLogicalPosition::Start);
    figure.scroll_into_view_with_scroll_into_view_options(&options);
    let arrive = {
        let figure = figure.clone();
        move || {
            if !figure.has_attribute("tabindex") {
                let _ = figure.set_attribute("tabindex", "-1");
            }
            if let Some(el) = figure.dyn_ref::<HtmlElement>() {
                let _ = el.focus();
            }
            if let Some(play) = &play
                && !pressed(play)
            {
                play.click();
            }
        }
    };
    if !smooth {
        arrive();
        return Ok(());
    }
    ARRIVAL.with(|slot| {
        *slot.borrow_mut() = Some(Arrival {
            figure: figure.clone(),
            last: f64::NAN,
            frames: 0,
            still: 0,
            then: Box::new(arrive),
        });
    });
    SETTLE.with(|settle| settle.start())
}

/// A figure being scrolled to, and what to do once it is there.
struct Arrival {
    /// The figure.
    figure: Element,
    /// Its top edge in the window at the last frame.
    last: f64,
    /// Frames waited so far.
    frames: u32,
    /// Frames in a row it has not moved.
    still: u32,
    /// Focusing it and pressing Play.
    then: Box<dyn FnOnce()>,
}

thread_local! {
    /// The arrival waited for; a later click replaces an earlier one.
    static ARRIVAL: RefCell<Option<Arrival>> = const { RefCell::new(None) };
    /// The one frame loop that waits for arrivals, kept for the life of the page.
    static SETTLE: FrameLoop = FrameLoop::new(|_| {
        let done = ARRIVAL.with(|slot| {
            let mut slot = slot.borrow_mut();
            let arrival = slot.as_mut()?;
            let top = arrival.figure.get_bounding_client_rect().top();
            arrival.frames += 1;
            arrival.still = if top == arrival.last {
                arrival.still + 1
            } else {
                0
            };
            arrival.last = top;
            (arrival.still >= STILL_FRAMES || arrival.frames >= MAX_SCROLL_FRAMES)
                .then(|| slot.take())
                .flatten()
        });
        if let Some(arrival) = done {
            (arrival.then)();
        }
        // Waiting goes on while an arrival is pending (a later click may have replaced this one).
        ARRIVAL.with(|slot| slot.borrow().is_some())
    });
}
