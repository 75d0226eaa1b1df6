//! A hand-off between figures: the playground sends one of its training points, with a copy of
//! its live network, to the backpropagation step-through.
//!
//! The sender stores the hand-off here and fires [`EVENT`] on the window; the receiver takes it.
//! Only plain engine values cross: a copy of the model, its loss, the example as the network sees
//! it, and words to describe it.

use crate::dom;
use crate::error::Result;
use spiega_nn::{Loss, Sequential};
use std::cell::RefCell;
use wasm_bindgen::JsCast;

/// The window event that says a hand-off is waiting.
pub const EVENT: &str = "spiega-step-through";

/// One example of a live network to step through.
#[derive(Debug, Clone)]
pub struct StepThrough {
    /// A copy of the network.
    pub model: Sequential,
    /// The loss it trains with.
    pub loss: Loss,
    /// The example as the network sees it (its features).
    pub input: Vec<f32>,
    /// The example's target row.
    pub target: Vec<f32>,
    /// The names of the input features ("x₁", "x₁²", …).
    pub labels: Vec<String>,
    /// A sentence saying where the example and the network come from.
    pub description: String,
}

thread_local! {
    static SLOT: RefCell<Option<StepThrough>> = const { RefCell::new(None) };
}

/// Leaves `handoff` for the step-through and tells it so.
pub fn send(handoff: StepThrough) -> Result<()> {
    SLOT.with(|slot| *slot.borrow_mut() = Some(handoff));
    let event = web_sys::CustomEvent::new(EVENT)?;
    dom::window()?.dispatch_event(event.unchecked_ref())?;
    Ok(())
}

/// Takes the waiting hand-off, if there is one.
pub fn take() -> Option<StepThrough> {
    SLOT.with(|slot| slot.borrow_mut().take())
}
