//! The playground's network in and out of the page: "Export model" saves it as a NumPy, PyTorch
//! or Keras script or as a model file (JSON, `docs/model-format.md`); "Import model" reads a
//! model file into the playground.
//!
//! The toolbar part ([`add`]) is the same for any figure that has a model
//! ([`Figure::exports_model`]); what is saved and what is loaded are the figure's own
//! ([`Figure::model_export`], [`Figure::import_model`]). A file that cannot be read is refused
//! with a message naming the problem, in the figure's message line, and nothing the reader had
//! changes: the new run is built whole before it replaces the old.

use super::PlaygroundFigure;
use crate::dom;
use crate::download;
use crate::error::{Result, WebError};
use crate::figures::Figure;
use crate::playground_view;
use crate::state::HashParams;
use crate::state::playground::PlaygroundState;
use spiega_lessons::playground::Playground;
use spiega_lessons::playground::export_code::{Export, Language};
use spiega_lessons::playground::model_file::ModelFile;
use spiega_nn::data::features::Feature;
use spiega_nn::loss::Loss;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// The menu's value for the model file.
const JSON: &str = "json";

/// Adds the model menu, "Export model" and "Import model" to the toolbar `bar` of `fig`.
pub fn add(bar: &Element, name: &str, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let doc = dom::document()?;
    let label = doc.create_element("label")?;
    label.set_class_name("export-chart");
    let text = doc.create_element("span")?;
    dom::set_text(&text, "Model as");
    label.append_child(&text)?;
    let menu: HtmlSelectElement = doc
        .create_element("select")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no select element".into()))?;
    menu.set_attribute("data-export", "model-format")?;
    menu.set_attribute(
        "aria-label",
        &format!("Format of the {name} figure's model"),
    )?;
    let choices = Language::ALL
        .iter()
        .map(|l| (l.label(), l.label()))
        .chain([("JSON", JSON)]);
    for (text, value) in choices {
        let option = doc.create_element("option")?;
        option.set_attribute("value", value)?;
        dom::set_text(&option, text);
        menu.append_child(&option)?;
    }
    label.append_child(&menu)?;
    bar.append_child(&label)?;
    let export = crate::figures::tools::button("Export model", "export-button")?;
    export.set_attribute("data-export", "model")?;
    bar.append_child(&export)?;
    let import_label = doc.create_element("label")?;
    import_label.set_class_name("btn file-btn");
    dom::set_text(&import_label, "Import model");
    let input: HtmlInputElement = doc
        .create_element("input")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no input element".into()))?;
    input.set_type("file");
    input.set_accept(".json,application/json");
    input.set_attribute("data-export", "import-model")?;
    import_label.append_child(&input)?;
    bar.append_child(&import_label)?;
    let status = crate::figures::tools::status_line("export-status model-status")?;
    bar.append_child(&status)?;

    let (f, status_el) = (Rc::clone(fig), status.clone());
    dom::on(&export, "click", move |_| {
        let choice = menu.value();
        let result = match f.try_borrow_mut() {
            Ok(mut fig) => match fig.model_export() {
                Some(Ok(e)) => save(&e, &choice),
                Some(Err(e)) => Err(e),
                None => Err(WebError::Browser("this figure has no model".into())),
            },
            Err(_) => Err(WebError::Browser("the figure is busy; try again".into())),
        };
        match result {
            Ok(said) => dom::set_text(&status_el, &said),
            Err(e) => dom::set_text(&status_el, &format!("Could not save: {e}.")),
        }
    })?;

    let (f, field) = (Rc::clone(fig), input.clone());
    dom::on(&input, "change", move |_| {
        let Some(file) = field.files().and_then(|l| l.get(0)) else {
            return;
        };
        dom::set_text(&status, "");
        if file.size() > spiega_lessons::playground::model_file::MAX_BYTES as f64 {
            if let Ok(mut fig) = f.try_borrow_mut() {
                fig.import_model(Err(WebError::Browser(format!(
                    "the file is {} kB; a model file may be at most {} kB",
                    (file.size() / 1000.0).ceil(),
                    spiega_lessons::playground::model_file::MAX_BYTES / 1000
                ))));
            }
            field.set_value("");
            return;
        }
        let f2 = Rc::clone(&f);
        dom::read_text_file(&file, move |text| {
            if let Ok(mut fig) = f2.try_borrow_mut() {
                fig.import_model(Ok(&text));
            }
        });
        field.set_value("");
    })?;
    Ok(())
}

/// Saves `export` in the format `choice`, and says what was saved and what the script cannot
/// reproduce.
fn save(export: &Export, choice: &str) -> Result<String> {
    if choice == JSON {
        download::save_text(
            "spiega-model.json",
            "application/json",
            &export.model.to_json(),
        )?;
        return Ok("Saved spiega-model.json.".into());
    }
    let language = Language::ALL
        .into_iter()
        .find(|l| l.label() == choice)
        .unwrap_or(Language::NumPy);
    download::save_text(
        language.file_name(),
        "text/x-python",
        &export.script(language),
    )?;
    let notes = export.cannot_export(language);
    Ok(if notes.is_empty() {
        format!("Saved {}.", language.file_name())
    } else {
        format!(
            "Saved {}. Not reproduced: {}.",
            language.file_name(),
            notes.join("; ")
        )
    })
}

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
        let base = playground_view::engine_config(&self.state)?;
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
            Loss::SquaredMargin => "squared",
            Loss::Hinge => "hinge",
            Loss::Exponential => "exponential",
            _ => "logistic",
        };
        params.set("loss", loss);
        let (state, notices) = PlaygroundState::from_params(&params);
        if let Some(n) = notices.first() {
            return Err(WebError::Browser(format!(
                "the playground cannot show it: {n}"
            )));
        }
        let config = playground_view::engine_config(&state)?;
        let run = Playground::with_network(&config, &file)?;
        // Everything is built: only now does anything the reader sees change.
        self.set_playing(false);
        self.diverged = false;
        self.state = state;
        self.write_controls()?;
        self.show_settings_in_force()?;
        self.save_hash()?;
        let train = run.points()[0].map_or(1, |(x, _)| x.nrows());
        self.run = Some(run);
        playground_view::limit_batch_slider(&self.root, train)?;
        self.view.invalidate();
        self.draw()?;
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
