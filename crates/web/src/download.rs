//! Saving a file from the page: a Blob behind a temporary object URL, opened by a link with a
//! `download` name. No script is loaded and nothing is navigated, so it works under the page's
//! Content-Security-Policy.

use crate::dom;
use crate::error::{Result, WebError};
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement};

/// How long an object URL stays valid after its download started, in milliseconds.
const URL_LIFETIME_MS: i32 = 10_000;

/// Saves `text` as a file named `name` of type `mime` (e.g. `text/csv`).
pub fn save_text(name: &str, mime: &str, text: &str) -> Result<()> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    save_blob(name, &blob)
}

/// Saves `blob` as a file named `name`.
pub fn save_blob(name: &str, blob: &Blob) -> Result<()> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let a: HtmlAnchorElement = dom::document()?
        .create_element("a")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no link element".into()))?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The URL is released once the browser has had time to read it, not at once: revoking it
    // in the same task can cancel a download that has not started yet.
    dom::after(URL_LIFETIME_MS, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })?;
    Ok(())
}
