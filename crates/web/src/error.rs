//! The web crate's typed errors; each reaches the reader as a message, never as a panic.

use spiega_nn::EngineError;
use wasm_bindgen::JsValue;

/// Everything that can go wrong while mounting or drawing a figure.
#[derive(Debug)]
pub enum WebError {
    /// An element the page's markup should contain is missing.
    MissingElement(String),
    /// A browser API failed; the text is what the browser said.
    Browser(String),
    /// A chart could not be drawn.
    Chart(String),
    /// The engine refused an input.
    Engine(EngineError),
    /// A figure's state could not be written as JSON.
    State(String),
    /// The page's own markup asks for something its figures cannot do (a "Try this" button's
    /// settings a figure does not take as written).
    Markup(String),
    /// A data file the figure needs (downloaded by `assets.rs`) is not there; the text says why.
    Asset(String),
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WebError::MissingElement(what) => write!(f, "the page is missing {what}"),
            WebError::Browser(what) => write!(f, "the browser refused: {what}"),
            WebError::Chart(what) => write!(f, "a chart could not be drawn: {what}"),
            WebError::Engine(e) => write!(f, "{e}"),
            WebError::State(what) => write!(f, "the figure's state could not be written: {what}"),
            WebError::Markup(what) => write!(f, "the page's markup is wrong: {what}"),
            WebError::Asset(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for WebError {}

impl From<EngineError> for WebError {
    fn from(e: EngineError) -> Self {
        WebError::Engine(e)
    }
}

impl From<serde_json::Error> for WebError {
    fn from(e: serde_json::Error) -> Self {
        WebError::State(e.to_string())
    }
}

impl From<JsValue> for WebError {
    fn from(v: JsValue) -> Self {
        WebError::Browser(
            v.as_string()
                .or_else(|| {
                    js_sys::Reflect::get(&v, &JsValue::from_str("message"))
                        .ok()
                        .and_then(|m| m.as_string())
                })
                .unwrap_or_else(|| format!("{v:?}")),
        )
    }
}

impl From<WebError> for JsValue {
    fn from(e: WebError) -> Self {
        JsValue::from_str(&e.to_string())
    }
}

/// The web crate's result type.
pub type Result<T, E = WebError> = std::result::Result<T, E>;
