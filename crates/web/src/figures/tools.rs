//! The toolbar at the foot of every figure: the place for the figure's share and export buttons.
//!
//! [`mount`] runs once per figure, after the figure itself has mounted. It adds one
//! `<div class="figure-tools" role="toolbar">` just before the figure's caption (or at its end when
//! it has none) and lets each tool add its buttons to it. The tools themselves live in their own
//! modules; this one only owns the bar, so adding a tool is one line here. The tools do not know
//! the bar: the button and status line they put in it are the DOM helpers'
//! ([`dom::button`], [`dom::status_line`]).

use crate::dom;
use crate::error::Result;
use crate::figures::Figure;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

/// The class of the bar, also used by the tests to find it.
pub const TOOLBAR_CLASS: &str = "figure-tools";

/// Adds the toolbar to `figure` (the element with `data-figure="<name>"`) and fills it.
pub fn mount(figure: &Element, name: &str, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let bar = toolbar(figure, name)?;
    // The link first (every figure has one), then the downloads.
    super::share::mount_button(&bar, figure, name, fig)?;
    super::export::add(&bar, figure, name, fig)?;
    if fig
        .try_borrow()
        .is_ok_and(|f| f.exports_model() || f.imports_model())
    {
        super::model_export::add(&bar, name, fig)?;
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
