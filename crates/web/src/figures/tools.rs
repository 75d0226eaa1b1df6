//! The toolbar at the foot of every figure: the place for the figure's share and export buttons.
//!
//! [`mount`] runs once per figure, after the figure itself has mounted. It adds one
//! `<div class="figure-tools" role="toolbar">` just before the figure's caption (or at its end when
//! it has none) and lets each tool add its buttons to it. The tools themselves live in their own
//! modules; this one only owns the bar, so adding a tool is one line here.

use crate::dom;
use crate::error::{Result, WebError};
use crate::figures::Figure;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement};

/// The class of the bar, also used by the tests to find it.
pub const TOOLBAR_CLASS: &str = "figure-tools";

/// Adds the toolbar to `figure` (the element with `data-figure="<name>"`) and fills it.
pub fn mount(figure: &Element, name: &str, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let bar = toolbar(figure, name)?;
    // The link first (every figure has one), then the downloads.
    super::share::mount_button(&bar, figure, name, fig)?;
    super::export::add(&bar, figure, name, fig)?;
    if fig.try_borrow().is_ok_and(|f| f.exports_model()) {
        super::playground::model_io::add(&bar, name, fig)?;
    }
    Ok(())
}

/// The figure's toolbar, created on first use.
fn toolbar(figure: &Element, name: &str) -> Result<Element> {
    if let Some(bar) = figure.query_selector(&format!(":scope > .{TOOLBAR_CLASS}"))? {
        return Ok(bar);
    }
    let doc = dom::document()?;
    let bar = doc.create_element("div")?;
    bar.set_class_name(TOOLBAR_CLASS);
    bar.set_attribute("role", "toolbar")?;
    bar.set_attribute("aria-label", &format!("Share or save the {name} figure"))?;
    match figure.query_selector(":scope > figcaption")? {
        Some(caption) => {
            figure.insert_before(&bar, Some(&caption))?;
        }
        None => {
            figure.append_child(&bar)?;
        }
    }
    Ok(bar)
}

/// A toolbar button showing `text`, with the classes `btn` and `class`.
pub fn button(text: &str, class: &str) -> Result<HtmlButtonElement> {
    let button: HtmlButtonElement = dom::document()?
        .create_element("button")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no button element".into()))?;
    button.set_type("button");
    button.set_class_name(&format!("btn {class}"));
    dom::set_text(&button, text);
    Ok(button)
}

/// A toolbar's status line with the class `class`: a polite live region whose text a tool sets
/// to say what it did (empty, it takes no room).
pub fn status_line(class: &str) -> Result<Element> {
    let status = dom::document()?.create_element("span")?;
    status.set_class_name(class);
    status.set_attribute("role", "status")?;
    status.set_attribute("aria-live", "polite")?;
    Ok(status)
}
