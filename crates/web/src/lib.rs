//! spiega's page: mounts the article's figures and draws their charts.
//!
//! The crate is thin on purpose: the engine computes, this crate reads controls, calls the engine
//! and maps the numbers to pixels. [`start`] runs once when the module loads.
//!
//! - [`assets`]: the data files some figures download when they mount (the digits).
//! - [`figures`]: one module per figure, each behind the [`figures::Figure`] trait.
//! - [`charts`]: line and bar charts on canvases, taking plain numbers.
//! - [`state`]: the figures' settings in the URL hash, read with notices and written back.
//! - [`theme`]: the light/dark toggle.
//! - [`contents`]: the masthead's contents menu and the mark on the section being read.
//! - [`training`]: play and pause for the figures that train frame by frame.
//! - [`embed`]: one figure alone (`?figure=<name>`), for embedding.
//! - [`controls`]: the figures' controls read one way: numbers and log sliders within the
//!   markup's ranges, menus, and the text of a rate.
//! - [`dom`]: small DOM helpers; text is always set as text.
//! - [`json`]: the one JSON writer behind every figure's `data-state`.
//! - [`csv`] and [`download`]: the figures' exports, written as CSV and saved as files.
//! - [`error::WebError`]: every failure, shown to the reader as a message.

pub mod assets;
pub mod charts;
pub mod contents;
pub mod controls;
pub mod csv;
pub mod dom;
pub mod download;
pub mod embed;
pub mod error;
pub mod figures;
pub mod frame;
pub mod json;
pub mod labels;
pub mod state;
pub mod theme;
pub mod training;

use wasm_bindgen::prelude::*;

/// Starts the page: the panic hook, the theme toggle, then every figure in the document.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let doc = dom::document()?;
    theme::init(&doc)?;
    contents::init(&doc)?;
    embed::apply(&doc)?;
    // Once every figure is ready, the controls a shared link names are set, and the page says
    // it is ready.
    let document = doc.clone();
    figures::mount_all(&doc, move || {
        let finish = || -> error::Result<()> {
            figures::share::start(&document)?;
            labels::name_controls(&document)?;
            if let Some(root) = document.document_element() {
                root.set_attribute("data-spiega", "ready")?;
            }
            Ok(())
        };
        if let Err(e) = finish() {
            web_sys::console::error_1(&e.to_string().into());
        }
    })?;
    Ok(())
}
