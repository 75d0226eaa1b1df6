//! The animation-frame loop: a figure that trains asks for frames while it plays and stops
//! asking when it pauses, so an idle page does no work at all. Also the rules every training
//! figure shares: it pauses when it leaves the screen, and it trains a few frames the first time
//! it comes on screen ([`on_first_sight`], [`warm_up`]). How often a playing figure's frame runs
//! within the loop's animation frames is decided by the frame budget in `training.rs`, which
//! uses this loop.

use crate::dom;
use crate::error::Result;
use web_sys::Element;

/// The line every training figure shows when it paused itself because it left the screen. The
/// one rule for all of them: nothing trains where the reader cannot watch it, and no button
/// claims to play while nothing moves (it reads its paused label, and this line says why).
pub const LEFT_THE_SCREEN: &str =
    "Paused when the figure left the screen: training runs only while you can watch it.";

/// Whether a playing figure `root` must pause under that rule: no part of it is on screen.
///
/// Read from the root's [`ON_SCREEN`] attribute, which one `IntersectionObserver` keeps up to
/// date, rather than from the root's box: asking for the box every frame forces the browser to
/// lay the page out again whenever a figure playing before it in the same frame has changed a
/// number. Until the observer has first reported on `root`, the box decides.
pub fn left_the_screen(root: &Element) -> bool {
    match root.get_attribute(ON_SCREEN).as_deref() {
        Some("true") => false,
        Some(_) => true,
        None => {
            WATCHER.with(|watcher| {
                if let Some(watcher) = watcher {
                    watcher.observe(root);
                }
            });
            !dom::in_view(root)
        }
    }
}

/// The attribute on a training figure's root saying whether any part of it is in the viewport
/// (`true` or `false`), as the observer last reported.
pub const ON_SCREEN: &str = "data-on-screen";

thread_local! {
    /// The one observer behind [`left_the_screen`]; `None` where the browser has none.
    static WATCHER: Option<web_sys::IntersectionObserver> = screen_watcher();
}

/// An observer that writes [`ON_SCREEN`] on each element it watches whenever that changes.
fn screen_watcher() -> Option<web_sys::IntersectionObserver> {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        for entry in entries.iter() {
            if let Ok(entry) = entry.dyn_into::<web_sys::IntersectionObserverEntry>() {
                let seen = if entry.is_intersecting() {
                    "true"
                } else {
                    "false"
                };
                entry.target().set_attribute(ON_SCREEN, seen).ok();
            }
        }
    });
    let observer = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    // The observer keeps the callback for the page's lifetime, as the figures themselves live.
    callback.forget();
    Some(observer)
}

/// Hides the [`LEFT_THE_SCREEN`] line in `message` once the reader plays again (any other
/// message stays).
pub fn clear_left_the_screen(message: &Element) {
    if message.text_content().as_deref() == Some(LEFT_THE_SCREEN) {
        dom::set_text(message, "");
        dom::set_hidden(message, true).ok();
    }
}
/// At most how many of its own animation frames of training a figure does, in one go, the first
/// time it comes on screen, so that its curves already show the start of its lesson and Play goes
/// on from there. One rule for every figure that trains: nothing is computed at load, nothing
/// animates (so reduced motion is respected as it is), and Reset still starts from untrained
/// networks.
pub const WARM_UP_FRAMES: u32 = 20;

/// The warm-up stops early once its frames have taken this many milliseconds (after at least
/// one frame), so a figure whose frames are heavy, or a slow machine, never holds the page up
/// for long. Frames are the figure's own, so a warmed-up run is the run Play would have made.
pub const WARM_UP_MS: f64 = 40.0;

/// Runs `frame` (one animation frame's training, without drawing) up to [`WARM_UP_FRAMES`]
/// times within [`WARM_UP_MS`]; stops at the first error and returns it.
pub fn warm_up<E>(
    mut frame: impl FnMut() -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let t0 = dom::now();
    for _ in 0..WARM_UP_FRAMES {
        frame()?;
        if dom::now() - t0 >= WARM_UP_MS {
            break;
        }
    }
    Ok(())
}

/// Calls `warm_up` once, the first time any part of `root` comes on screen (at once if it is on
/// screen already), through an `IntersectionObserver`. `warm_up` returns `false` when it could
/// not run yet (the figure was busy), and the observer then waits for the next time. The
/// milliseconds it took are written to the root's `data-warm-up-ms`.
pub fn on_first_sight(root: &Element, mut warm_up: impl FnMut() -> bool + 'static) -> Result<()> {
    let el = root.clone();
    let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: web_sys::IntersectionObserver| {
            let seen = entries.iter().any(|e| {
                e.dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if !seen {
                return;
            }
            let t0 = dom::now();
            if warm_up() {
                observer.disconnect();
                el.set_attribute("data-warm-up-ms", &format!("{:.1}", dom::now() - t0))
                    .ok();
            }
        },
    );
    let observer = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref())?;
    observer.observe(root);
    // The observer keeps the callback for the page's lifetime, as the figures themselves live.
    callback.forget();
    Ok(())
}

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

type Tick = Box<dyn FnMut(f64) -> bool>;

/// A loop of `requestAnimationFrame` callbacks that runs while its tick returns `true`.
#[derive(Clone)]
pub struct FrameLoop {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    tick: Option<Tick>,
    closure: Option<Closure<dyn FnMut(f64)>>,
    running: bool,
    /// A frame has been requested and has not fired yet.
    pending: bool,
}

impl FrameLoop {
    /// A loop that calls `tick(timestamp_ms)` every frame until it returns `false`.
    pub fn new(tick: impl FnMut(f64) -> bool + 'static) -> Self {
        Self {
            inner: Rc::new(RefCell::new(Inner {
                tick: Some(Box::new(tick)),
                closure: None,
                running: false,
                pending: false,
            })),
        }
    }

    /// Starts asking for frames (no effect when already running).
    pub fn start(&self) -> Result<()> {
        let mut inner = self.inner.borrow_mut();
        if inner.running {
            return Ok(());
        }
        inner.running = true;
        if inner.closure.is_none() {
            let weak = Rc::downgrade(&self.inner);
            inner.closure = Some(Closure::<dyn FnMut(f64)>::new(move |t: f64| {
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                // The tick runs without the loop borrowed, so it may pause or restart the loop.
                let tick = {
                    let mut guard = inner.borrow_mut();
                    guard.pending = false;
                    if !guard.running {
                        return;
                    }
                    guard.tick.take()
                };
                let Some(mut tick) = tick else {
                    return;
                };
                let again = tick(t);
                let mut guard = inner.borrow_mut();
                guard.tick = Some(tick);
                if again && guard.running {
                    let requested = guard.closure.as_ref().map(request);
                    guard.pending = matches!(requested, Some(Ok(())));
                } else {
                    guard.running = false;
                }
            }));
        }
        if !inner.pending {
            if let Some(c) = inner.closure.as_ref() {
                request(c)?;
            }
            inner.pending = true;
        }
        Ok(())
    }

    /// Stops after the current frame.
    pub fn stop(&self) {
        self.inner.borrow_mut().running = false;
    }

    /// Whether frames are being requested.
    pub fn is_running(&self) -> bool {
        self.inner.borrow().running
    }
}

fn request(c: &Closure<dyn FnMut(f64)>) -> Result<()> {
    dom::window()?.request_animation_frame(c.as_ref().unchecked_ref())?;
    Ok(())
}
