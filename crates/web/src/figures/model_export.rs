//! The toolbar's model tools, for a figure that has a network: a menu of formats, "Export model"
//! (a NumPy, PyTorch or Keras script, or a model file in JSON, `docs/model-format.md`) and
//! "Import model" (a model file). The build writes them into the figure's toolbar when the
//! figure's `data-tools` names `model` or `import`; this file wires them. What is saved and what is loaded
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
use crate::figures::Figure;
use spiega_lessons::playground::export_code::{Export, Language, MODEL_FILE_CHOICE};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// Wires the model buttons that the toolbar `bar` of `fig` holds (the build writes them,
/// `crates/xtask/src/toolbar.rs`): the model menu and "Export model" for a figure that exports
/// its network, "Import model" for one that reads a model file; nothing for the others.
pub fn wire(bar: &Element, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let Some(status) = bar.query_selector(".model-status")? else {
        return Ok(());
    };
    if let Some(export) = bar.query_selector("[data-export=\"model\"]")? {
        let menu = dom::query(bar, "select[data-export=\"model-format\"]")?;
        wire_export(&export, menu, fig, &status)?;
    }
    if let Some(input) = bar.query_selector("input[data-export=\"import-model\"]")? {
        let input = input
            .dyn_into()
            .map_err(|_| WebError::MissingElement("the model file field".into()))?;
        wire_import(input, fig, &status)?;
    }
    Ok(())
}

/// "Export model", saving in the format that `menu` names.
fn wire_export(
    export: &Element,
    menu: HtmlSelectElement,
    fig: &Rc<RefCell<dyn Figure>>,
    status: &Element,
) -> Result<()> {
    let (f, status_el) = (Rc::clone(fig), status.clone());
    dom::on(export, "click", move |_| {
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

/// "Import model" (the file field `input`): a model file read, refused when too large, and
/// handed to the figure.
fn wire_import(
    input: HtmlInputElement,
    fig: &Rc<RefCell<dyn Figure>>,
    status: &Element,
) -> Result<()> {
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
    if choice == MODEL_FILE_CHOICE {
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
