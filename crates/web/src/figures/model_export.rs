//! The toolbar's model tools, for a figure that has a network (its [`ModelFile`] in the figures' table): a
//! menu of formats, "Export model" (a NumPy, PyTorch or Keras script, or a model file in JSON,
//! `docs/model-format.md`) and "Import model" (a model file). What is saved and what is loaded
//! are the figure's own ([`Figure::model_export`], [`Figure::import_model`]); this file knows no
//! particular figure. A file that cannot be read is refused with a message naming the problem,
//! and nothing the reader had changes.
//!
//! The code that writes scripts and reads model files is in the rest of the page's code
//! (ARCHITECTURE.md, "The page's code comes in two parts"), so both presses first wait for it
//! ([`assets::when_rest_of_code`]); if it cannot be had, the status line says so.

use crate::assets;
use crate::dom;
use crate::download;
use crate::error::{Result, WebError};
use crate::figures::{Figure, ModelFile};
use spiega_lessons::playground::export_code::{Export, Language};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlSelectElement};

/// The menu's value for the model file.
const JSON: &str = "json";

/// Adds to the toolbar `bar` of `fig` the buttons `model` names: the model menu and "Export
/// model" when the figure exports its network, and "Import model" when it imports one.
pub fn add(
    bar: &Element,
    name: &str,
    model: ModelFile,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let status = dom::status_line("export-status model-status")?;
    if model == ModelFile::ExportAndImport {
        add_export(bar, name, fig, &status)?;
    }
    if model != ModelFile::None {
        add_import(bar, fig, &status)?;
    }
    bar.append_child(&status)?;
    Ok(())
}

/// The model menu and "Export model".
fn add_export(
    bar: &Element,
    name: &str,
    fig: &Rc<RefCell<dyn Figure>>,
    status: &Element,
) -> Result<()> {
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
    let export = dom::button("Export model", "export-button")?;
    export.set_attribute("data-export", "model")?;
    bar.append_child(&export)?;
    let (f, status_el) = (Rc::clone(fig), status.clone());
    dom::on(&export, "click", move |_| {
        let (f, status_el, choice) = (Rc::clone(&f), status_el.clone(), menu.value());
        // The scripts and model files are written by the rest of the page's code.
        assets::when_rest_of_code(move |arrived| {
            let result = arrived
                .map_err(WebError::Asset)
                .and_then(|()| match f.try_borrow_mut() {
                    Ok(mut fig) => match fig.model_export() {
                        Some(Ok(e)) => save(&e, &choice),
                        Some(Err(e)) => Err(e),
                        None => Err(WebError::Browser("this figure has no model".into())),
                    },
                    Err(_) => Err(WebError::Browser("the figure is busy; try again".into())),
                });
            match result {
                Ok(said) => dom::set_text(&status_el, &said),
                Err(e) => dom::set_text(&status_el, &format!("Could not save: {e}.")),
            }
        });
    })?;
    Ok(())
}

/// "Import model": a model file read, refused when too large, and handed to the figure.
fn add_import(bar: &Element, fig: &Rc<RefCell<dyn Figure>>, status: &Element) -> Result<()> {
    let doc = dom::document()?;
    let import_label = doc.create_element("label")?;
    import_label.set_class_name("btn file-btn");
    dom::set_text(&import_label, "Import model");
    let input = dom::new_input("file")?;
    input.set_accept(".json,application/json");
    input.set_attribute("data-export", "import-model")?;
    import_label.append_child(&input)?;
    bar.append_child(&import_label)?;
    let status = status.clone();
    let (f, field) = (Rc::clone(fig), input.clone());
    dom::on(&input, "change", move |_| {
        let Some(file) = field.files().and_then(|l| l.get(0)) else {
            return;
        };
        dom::set_text(&status, "");
        if file.size() > spiega_lessons::playground::model_file::MAX_BYTES as f64 {
            if let Ok(mut fig) = f.try_borrow_mut() {
                // The page's own limit, worded as the file's other problems are.
                fig.import_model(Err(WebError::Engine(spiega_nn::EngineError::Invalid(
                    format!(
                        "the file is {} kB; a model file may be at most {} kB",
                        (file.size() / 1000.0).ceil(),
                        spiega_lessons::playground::model_file::MAX_BYTES / 1000
                    ),
                ))));
            }
            field.set_value("");
            return;
        }
        let f2 = Rc::clone(&f);
        dom::read_text_file(&file, move |text| {
            // Model files are read by the rest of the page's code.
            assets::when_rest_of_code(move |arrived| {
                if let Ok(mut fig) = f2.try_borrow_mut() {
                    match arrived {
                        Ok(()) => fig.import_model(Ok(&text)),
                        Err(why) => fig.import_model(Err(WebError::Asset(why))),
                    }
                }
            });
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
