//! The page's data files, downloaded when a figure that needs them mounts rather than compiled
//! into the WebAssembly, and the rest of the page's code ([`when_rest_of_code`]).
//!
//! One file so far: scikit-learn's digits (`digits-<hash>.bin`, for the convolution and
//! augmentation figures). The build copies it into the page's folder under a name carrying its
//! content hash and writes that name into the page's `<meta name="spiega-digits">`; the offline
//! copy caches it with the page's other hashed files. The file is downloaded once, when the
//! first figure asks for it; the figures that asked wait for it, and each is told once whether
//! it arrived.

use crate::dom;
use crate::error::{Result, WebError};
use spiega_nn::data::Dataset;
use spiega_nn::data::digits::parse_digits;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The page's `<meta>` naming the digits file, as the build wrote it.
const DIGITS_META: &str = "meta[name=\"spiega-digits\"]";

/// What a figure waiting for the digits is told: that they arrived, or why not.
type Waiting = Box<dyn FnOnce(std::result::Result<(), String>)>;

/// Where the digits are.
enum Digits {
    /// Nobody has asked yet.
    NotAsked,
    /// The download is under way; these wait for it.
    Downloading(Vec<Waiting>),
    /// Downloaded and read.
    Ready(Rc<Dataset>),
    /// The download or the file failed, for this reason (shown to the reader).
    Failed(String),
}

thread_local! {
    static DIGITS: RefCell<Digits> = const { RefCell::new(Digits::NotAsked) };
}

/// The digits, if they have arrived; an error naming what went wrong otherwise.
pub fn digits() -> Result<Rc<Dataset>> {
    DIGITS.with_borrow(|d| match d {
        Digits::Ready(data) => Ok(Rc::clone(data)),
        Digits::Failed(why) => Err(WebError::Asset(why.clone())),
        Digits::NotAsked | Digits::Downloading(_) => Err(WebError::Asset(
            "the digits have not been downloaded yet".into(),
        )),
    })
}

/// Whether the digits have arrived (or failed), so [`digits`] answers at once.
pub fn digits_settled() -> bool {
    DIGITS.with_borrow(|d| matches!(d, Digits::Ready(_) | Digits::Failed(_)))
}

/// Hands the loader digits read elsewhere, so no download is made: for a page with no server
/// behind it (the component tests, which read the copy compiled in for native code).
pub fn provide_digits(data: Dataset) {
    DIGITS.replace(Digits::Ready(Rc::new(data)));
}

/// Calls `then` once the digits have arrived (`Ok`) or could not be had (`Err`, the reason),
/// starting the download if nobody has yet; at once if that is already known.
pub fn when_digits(then: impl FnOnce(std::result::Result<(), String>) + 'static) {
    let start = DIGITS.with_borrow_mut(|d| match d {
        Digits::NotAsked => {
            *d = Digits::Downloading(vec![Box::new(then)]);
            None
        }
        Digits::Downloading(waiting) => {
            waiting.push(Box::new(then));
            Some(None)
        }
        Digits::Ready(_) => Some(Some((then, Ok(())))),
        Digits::Failed(why) => Some(Some((then, Err(why.clone())))),
    });
    match start {
        None => wasm_bindgen_futures::spawn_local(download()),
        Some(Some((then, result))) => then(result),
        Some(None) => {}
    }
}

/// Downloads and reads the digits, then tells everyone waiting.
async fn download() {
    let result = fetch_digits().await;
    let (settled, told) = match result {
        Ok(data) => (Digits::Ready(Rc::new(data)), Ok(())),
        Err(why) => (Digits::Failed(why.clone()), Err(why)),
    };
    let waiting = match DIGITS.replace(settled) {
        Digits::Downloading(waiting) => waiting,
        _ => Vec::new(),
    };
    for then in waiting {
        then(told.clone());
    }
}

/// The digits file's bytes, from the address the page names, read by [`parse_digits`]; the
/// error is a sentence for the reader.
async fn fetch_digits() -> std::result::Result<Dataset, String> {
    let failed = |what: String| format!("the digits it needs could not be downloaded ({what})");
    let js = |e: wasm_bindgen::JsValue| WebError::from(e).to_string();
    let doc = dom::document().map_err(|e| failed(e.to_string()))?;
    let url = doc
        .query_selector(DIGITS_META)
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .ok_or_else(|| failed("the page does not name the file".into()))?;
    let window = dom::window().map_err(|e| failed(e.to_string()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&url))
        .await
        .map_err(|e| {
            failed(format!(
                "{}; check the connection and reload the page",
                js(e)
            ))
        })?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| failed("the browser gave no response".into()))?;
    if !response.ok() {
        return Err(failed(format!(
            "the server answered {} for {url}",
            response.status()
        )));
    }
    let buffer = response.array_buffer().map_err(|e| failed(js(e)))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(buffer)
        .await
        .map_err(|e| failed(js(e)))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    parse_digits(&bytes).map_err(|e| format!("the digits file is damaged: {e}"))
}

/// Calls `then` once the rest of the page's code is attached (`Ok`), or with why it could not
/// be (`Err`, a sentence for the reader).
///
/// The release build splits the page's WebAssembly in two (ARCHITECTURE.md, "The page's code
/// comes in two parts"), and its loader defines `spiegaLoadRest()`, which fetches the rest and
/// resolves once it is attached. A page without it (a debug build, the component tests) has all
/// its code already, and `then` runs at once.
pub fn when_rest_of_code(then: impl FnOnce(std::result::Result<(), String>) + 'static) {
    let load = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"spiegaLoadRest".into()).ok())
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(load) = load else {
        then(Ok(()));
        return;
    };
    // The loader's error says what failed ("the rest of the page's code could not be loaded
    // (HTTP 404)"); anything else thrown is named as the browser's.
    let failed = |e: wasm_bindgen::JsValue| {
        let why = match e.dyn_ref::<js_sys::Error>() {
            Some(error) => String::from(error.message()),
            None => WebError::from(e).to_string(),
        };
        format!("{why}; reloading the page may help")
    };
    let promise = load
        .call0(&wasm_bindgen::JsValue::NULL)
        .map_err(failed)
        .and_then(|p| {
            p.dyn_into::<js_sys::Promise>()
                .map_err(|_| "the page's code loader did not answer with a promise".to_owned())
        });
    match promise {
        Ok(promise) => wasm_bindgen_futures::spawn_local(async move {
            let arrived = wasm_bindgen_futures::JsFuture::from(promise).await;
            then(arrived.map(|_| ()).map_err(failed));
        }),
        Err(why) => then(Err(why)),
    }
}
