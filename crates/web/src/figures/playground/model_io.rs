//! The playground's network in and out of the page: the network with its splits, scores,
//! settings and link for a script or a model file ([`Export`]), and a model file read into the
//! playground, built whole before anything the reader sees changes. The toolbar that offers
//! them is the page's (`figures/model_export.rs`).

use super::PlaygroundFigure;
use super::config::engine_config;
use crate::error::{Result, WebError};
use crate::state::HashParams;
use crate::state::playground::PlaygroundState;
use spiega_lessons::playground::Playground;
use spiega_lessons::playground::export_code::Export;
use spiega_lessons::playground::model_file::ModelFile;
use spiega_nn::data::features::Feature;
use spiega_nn::loss::Loss;

impl PlaygroundFigure {
    /// The network now, with its splits, scores, settings and link, for a script or a file.
    pub(super) fn export_model(&mut self) -> Result<Export> {
        let link = self.copy_link()?;
        let run = self.run()?;
        Ok(Export::from_playground(run, &link)?)
    }

    /// Reads a model file into the playground, or says why it cannot; on success the settings
    /// are the file's (the reader's data and training settings kept), training is paused, and the
    /// figure says what was loaded.
    pub(super) fn import_model_file(&mut self, text: Result<&str>) {
        let said = match text.and_then(|t| self.load_model(t)) {
            Ok(said) => said,
            Err(e) => format!(
                "The model file was not loaded, and nothing changed: {}.",
                e.to_string().trim_end_matches('.')
            ),
        };
        self.say(&said).ok();
    }

    fn load_model(&mut self, text: &str) -> Result<String> {
        let file = ModelFile::parse(text)?;
        let base = engine_config(&self.state)?;
        let wanted = file.playground_config(&base)?;
        let mut params = HashParams::parse(&self.state.to_hash(&HashParams::new()));
        let shape: Vec<String> = wanted.hidden.iter().map(ToString::to_string).collect();
        params.set("networkShape", &shape.join(","));
        params.set("activation", wanted.activation.name());
        let flags = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];
        for (key, feature) in flags.into_iter().zip(Feature::ALL) {
            params.set(key, bool_text(wanted.features.contains(feature)));
        }
        params.set("normalize", bool_text(wanted.normalize));
        params.set("batchNorm", bool_text(wanted.batch_norm));
        let loss = match wanted.binary_loss {
            Loss::BinaryCrossEntropy => "logistic",
            Loss::SquaredMargin => "squared",
            Loss::Hinge => "hinge",
            Loss::Exponential => "exponential",
            other => {
                return Err(WebError::Browser(format!(
                    "the playground has no {} loss for two classes",
                    other.name()
                )));
            }
        };
        params.set("loss", loss);
        let (state, notices) = PlaygroundState::from_params(&params);
        if let Some(n) = notices.first() {
            return Err(WebError::Browser(format!(
                "the playground cannot show it: {n}"
            )));
        }
        let config = engine_config(&state)?;
        let run = Playground::with_network(&config, &file)?;
        // Everything is built: only now does anything the reader sees change.
        self.replace_run(state, run)?;
        Ok(format!(
            "Loaded a network of {} hidden layers ({}) from the model file; its scores are on this data.",
            wanted.hidden.len(),
            if wanted.hidden.is_empty() {
                "none".to_owned()
            } else {
                format!(
                    "{} units",
                    wanted
                        .hidden
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ))
    }
}

fn bool_text(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}
