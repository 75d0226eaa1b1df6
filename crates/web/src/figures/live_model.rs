//! The playground's live network, shared with the figures that read it (the scores figure).
//!
//! The playground registers itself once when it mounts ([`publish`]) and calls [`changed`] after
//! every redraw. Readers [`subscribe`] and, when told, borrow the run through [`with_run`]. This
//! module knows the playground only as something that lends a run ([`LiveRun`]), so neither
//! imports the other's file.
//!
//! Notifications are delivered from a timer, never from inside the playground's own call, so the
//! playground is not borrowed when a reader asks for its run. While training they arrive at most
//! every [`INTERVAL_MS`] milliseconds; the last change is always delivered (the timer is armed
//! for the remainder of the interval instead of being dropped), so readers end on the final state.

use super::Figure;
use crate::dom;
use crate::error::Result;
use spiega_lessons::playground::Playground;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The shortest time between two notifications, in milliseconds.
pub const INTERVAL_MS: f64 = 200.0;

thread_local! {
    static PLAYGROUND: RefCell<Option<Weak<RefCell<dyn LiveRun>>>> = const { RefCell::new(None) };
    static READERS: RefCell<Vec<Weak<RefCell<dyn Figure>>>> = const { RefCell::new(Vec::new()) };
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static LAST: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    static TIMER: RefCell<Option<Closure<dyn FnMut()>>> = const { RefCell::new(None) };
}

/// What the playground lends its readers: its live run.
pub trait LiveRun {
    /// The live engine run, if there is one (the reader's own points may still be too few).
    fn run_mut(&mut self) -> Option<&mut Playground>;
}

/// Makes `fig` the playground that readers see.
pub fn publish<F: LiveRun + 'static>(fig: &Rc<RefCell<F>>) {
    let weak: Weak<RefCell<dyn LiveRun>> = Rc::downgrade(fig) as Weak<RefCell<F>>;
    PLAYGROUND.with(|p| *p.borrow_mut() = Some(weak));
}

/// Asks for `fig.update()` whenever the playground has changed.
pub fn subscribe(fig: &Rc<RefCell<dyn Figure>>) {
    READERS.with(|r| r.borrow_mut().push(Rc::downgrade(fig)));
}

/// Runs `f` on the playground's run; `None` when there is no playground, it is busy, or it has no
/// run (the reader's own points are still too few).
pub fn with_run<T>(f: impl FnOnce(&mut Playground) -> T) -> Option<T> {
    let fig = PLAYGROUND.with(|p| p.borrow().as_ref().and_then(Weak::upgrade))?;
    let mut fig = fig.try_borrow_mut().ok()?;
    fig.run_mut().map(f)
}

/// Whether a playground has been published.
pub fn has_playground() -> bool {
    PLAYGROUND.with(|p| p.borrow().as_ref().is_some_and(|w| w.strong_count() > 0))
}

/// The time now, in milliseconds.
fn now() -> f64 {
    js_sys::Date::now()
}

/// Tells every reader, once the current event is over, that the playground changed.
pub fn changed() {
    if ARMED.with(Cell::get) || READERS.with(|r| r.borrow().is_empty()) {
        return;
    }
    let wait = (LAST.with(Cell::get) + INTERVAL_MS - now()).max(0.0);
    if arm(wait).is_ok() {
        ARMED.with(|a| a.set(true));
    }
}

/// Sets the timer to notify the readers after `wait` milliseconds.
fn arm(wait: f64) -> Result<()> {
    TIMER.with(|t| -> Result<()> {
        let mut slot = t.borrow_mut();
        let closure = slot.get_or_insert_with(|| Closure::<dyn FnMut()>::new(notify));
        dom::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            wait.round() as i32,
        )?;
        Ok(())
    })
}

/// Updates every live reader.
fn notify() {
    ARMED.with(|a| a.set(false));
    LAST.with(|l| l.set(now()));
    let readers: Vec<_> = READERS.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|w| w.strong_count() > 0);
        r.iter().filter_map(Weak::upgrade).collect()
    });
    for fig in readers {
        if let Ok(mut fig) = fig.try_borrow_mut()
            && let Err(e) = fig.update()
        {
            web_sys::console::error_1(&e.to_string().into());
        }
    }
}
