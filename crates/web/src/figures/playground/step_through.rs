//! From the playground to the backpropagation step-through: clicking the map (on a generated
//! data set) selects the nearest training point, and a button sends it, with a copy of the live
//! network, to the step-through.
//!
//! It reads the figure's run and writes its button and message; it knows nothing of the page's
//! events, the controls or training, and of the step-through only the hand-off it sends.

use super::figure::PlaygroundFigure;
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::figures::handoff::{self, StepThrough};
use spiega_nn::EngineError;
use web_sys::Element;

impl PlaygroundFigure {
    /// The "step through" button.
    fn step_through_button(&self) -> Result<Element> {
        dom::query(&self.root, "button[data-role=\"step-through\"]")
    }

    /// The training point nearest to `(x, y)`: its index and coordinates.
    fn nearest_training_point(&self, x: f32, y: f32) -> Option<(usize, f32, f32)> {
        let run = self.run.as_ref()?;
        let (raw, _) = run.points()[0]?;
        (0..raw.nrows())
            .map(|i| (i, raw[(i, 0)], raw[(i, 1)]))
            .min_by(|a, b| {
                let d = |p: &(usize, f32, f32)| (p.1 - x).powi(2) + (p.2 - y).powi(2);
                d(a).total_cmp(&d(b))
            })
    }

    /// Selects the training point nearest to the map point `(x, y)` and offers to step through it.
    pub(super) fn select_point(&mut self, x: f32, y: f32) -> Result<()> {
        let Some((_, px, py)) = self.nearest_training_point(x, y) else {
            return Ok(());
        };
        let button = self.step_through_button()?;
        button.set_attribute("data-x", &px.to_string())?;
        button.set_attribute("data-y", &py.to_string())?;
        dom::set_hidden(&button, false)?;
        self.say(&format!(
            "Selected the training point ({}, {}). Press \"Step through the selected point\" to \
             follow it through this network, layer by layer.",
            fmt(f64::from(px), 2),
            fmt(f64::from(py), 2)
        ))
    }

    /// Sends the selected point and a copy of the network to the step-through.
    pub(super) fn step_through(&mut self) -> Result<()> {
        let button = self.step_through_button()?;
        let coordinate = |name: &str| -> f32 {
            button
                .get_attribute(name)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0)
        };
        let (x, y) = (coordinate("data-x"), coordinate("data-y"));
        let Some((index, px, py)) = self.nearest_training_point(x, y) else {
            return Ok(());
        };
        let run = self
            .run
            .as_ref()
            .ok_or_else(|| WebError::Engine(EngineError::Invalid("no network yet".into())))?;
        let (input, target) = run
            .training_example(index)
            .ok_or_else(|| WebError::Engine(EngineError::Invalid("no such point".into())))?;
        let target_text = target
            .iter()
            .map(|v| fmt(f64::from(*v), 2))
            .collect::<Vec<_>>()
            .join(", ");
        let description = format!(
            "The playground's network after {} updates, on its training point ({}, {}) with \
             target {target_text}.",
            run.steps(),
            fmt(f64::from(px), 2),
            fmt(f64::from(py), 2)
        );
        handoff::send(StepThrough {
            model: run.trainer().model().clone(),
            loss: run.trainer().loss(),
            input,
            target,
            labels: run
                .config()
                .features
                .labels()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            description,
        })
    }
}
