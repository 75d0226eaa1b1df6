//! Light and dark themes: the system setting by default, a toggle that remembers the choice; and
//! the colour-blind-safe palette, a second remembered toggle.
//!
//! Colours live in CSS custom properties; charts read them when they draw. A theme or palette
//! change fires [`THEME_EVENT`] on the window so every figure redraws in the new colours.

use crate::dom::{self, on};
use crate::error::Result;
use web_sys::{CustomEvent, Document, Element};

/// The event fired on the window when the theme changes.
pub const THEME_EVENT: &str = "spiega-theme";
const STORAGE_KEY: &str = "spiega-theme";
const PALETTE_KEY: &str = "spiega-palette";

/// Whether the page is dark now: the chosen theme, or else the system's.
pub fn is_dark(doc: &Document) -> bool {
    match doc
        .document_element()
        .and_then(|e| e.get_attribute("data-theme"))
        .as_deref()
    {
        Some("dark") => true,
        Some("light") => false,
        _ => system_dark(),
    }
}

fn system_dark() -> bool {
    dom::window()
        .ok()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn announce() {
    if let Ok(w) = dom::window()
        && let Ok(ev) = CustomEvent::new(THEME_EVENT)
    {
        w.dispatch_event(&ev).ok();
    }
}

fn label(button: &Element, dark: bool) {
    button
        .set_attribute("aria-pressed", if dark { "true" } else { "false" })
        .ok();
    if let Ok(Some(text)) = button.query_selector(".theme-toggle-text") {
        dom::set_text(&text, "Dark");
    }
}

/// Wires the palette toggle: the page's orange and blue, or a colour-blind-safe pair
/// (`data-palette="cvd"` on the root, remembered like the theme).
fn init_palette(doc: &Document) -> Result<()> {
    let Some(button) = doc.get_element_by_id("palette-toggle") else {
        return Ok(());
    };
    let safe = |d: &Document| {
        d.document_element()
            .and_then(|e| e.get_attribute("data-palette"))
            .is_some_and(|p| p == "cvd")
    };
    button.set_attribute("aria-pressed", if safe(doc) { "true" } else { "false" })?;
    let b = button.clone();
    let d = doc.clone();
    on(&button, "click", move |_| {
        let on_now = !safe(&d);
        if let Some(root) = d.document_element() {
            if on_now {
                root.set_attribute("data-palette", "cvd").ok();
            } else {
                root.remove_attribute("data-palette").ok();
            }
        }
        if let Ok(Some(storage)) = dom::window().and_then(|w| Ok(w.local_storage()?)) {
            storage
                .set_item(PALETTE_KEY, if on_now { "cvd" } else { "default" })
                .ok();
        }
        b.set_attribute("aria-pressed", if on_now { "true" } else { "false" })
            .ok();
        announce();
    })
}

/// Wires the theme and palette toggles and follows system changes while no choice is saved.
pub fn init(doc: &Document) -> Result<()> {
    init_palette(doc)?;
    let Some(button) = doc.get_element_by_id("theme-toggle") else {
        return Ok(());
    };
    label(&button, is_dark(doc));
    let b = button.clone();
    let d = doc.clone();
    on(&button, "click", move |_| {
        let dark = !is_dark(&d);
        let name = if dark { "dark" } else { "light" };
        if let Some(root) = d.document_element() {
            root.set_attribute("data-theme", name).ok();
        }
        if let Ok(Some(storage)) = dom::window().and_then(|w| Ok(w.local_storage()?)) {
            storage.set_item(STORAGE_KEY, name).ok();
        }
        label(&b, dark);
        announce();
    })?;
    if let Some(mq) = dom::window()?.match_media("(prefers-color-scheme: dark)")? {
        let d = doc.clone();
        on(&mq, "change", move |_| {
            label(&button, is_dark(&d));
            announce();
        })?;
    }
    Ok(())
}
