//! The training-speed workloads exported to JavaScript, for `cargo xtask bench`.
//!
//! The benchmark page builds a [`BenchWorkload`] (data, model and initial weights: not timed),
//! reads the clock, calls [`BenchWorkload::train`] (the timed training steps), reads the clock
//! again, then asks for [`BenchWorkload::final_loss`]. The workload is the engine's own
//! [`Workload`]: the general layers trained through the same `Trainer` the page uses, with no
//! trace recorded.

pub mod workloads;

use wasm_bindgen::prelude::*;
use workloads::{Workload, WorkloadId};

/// Turns an engine error into a JavaScript `Error` carrying its message.
fn js_error(e: spiega_nn::EngineError) -> JsError {
    JsError::new(&e.to_string())
}

/// One workload, built and ready to train.
#[wasm_bindgen]
pub struct BenchWorkload {
    inner: Workload,
}

#[wasm_bindgen]
impl BenchWorkload {
    /// Builds workload `name` ("W1", "W2", "W3" or "W3c") at its initial weights.
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str) -> Result<BenchWorkload, JsError> {
        let id = WorkloadId::from_name(name).map_err(js_error)?;
        Ok(Self {
            inner: Workload::new(id).map_err(js_error)?,
        })
    }

    /// Takes every training step of the workload: the part that is timed.
    pub fn train(&mut self) -> Result<(), JsError> {
        self.inner.train().map_err(js_error)
    }

    /// The loss over the whole training set with the current weights.
    pub fn final_loss(&mut self) -> Result<f32, JsError> {
        self.inner.final_loss().map_err(js_error)
    }

    /// How many samples the training steps see (`steps · batch`).
    pub fn samples(&self) -> usize {
        self.inner.spec().samples()
    }

    /// The final loss the workload's definition lists.
    pub fn expected_final_loss(&self) -> f32 {
        self.inner.spec().expected_final_loss
    }
}
