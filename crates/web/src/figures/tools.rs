//! The toolbar at the foot of every figure: the place for the figure's share and export buttons.
//!
//! The bar is in the page's markup, written there by the build for every figure
//! (`crates/xtask/src/toolbar.rs`: `<div class="figure-tools" role="toolbar">` just before the
//! figure's caption), with its buttons disabled, so it holds its room before the page's code
//! has even arrived and nothing moves when the figure starts. [`mount`] runs once the figure
//! itself has mounted: it lets each tool wire its buttons in the bar, then enables them. The
//! tools themselves live in their own modules; this one only owns the bar, so adding a tool is
//! one line here and one in the build's bar.

use crate::dom;
use crate::error::Result;
use crate::figures::Figure;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

/// The class of the bar, also used by the tests to find it.
pub const TOOLBAR_CLASS: &str = "figure-tools";

/// Wires the toolbar of `figure` (the element with `data-figure="<name>"`) to `fig` and enables
/// its buttons; a figure without a bar (a page not made by the build) has no tools.
pub fn mount(figure: &Element, name: &str, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let Some(bar) = figure.query_selector(&format!(":scope > .{TOOLBAR_CLASS}"))? else {
        return Ok(());
    };
    super::share::wire_button(&bar, figure, name, fig)?;
    super::export::wire(&bar, figure, name, fig)?;
    super::model_export::wire(&bar, fig)?;
    for control in dom::query_all(&bar, "button, select, input")? {
        control.remove_attribute("disabled")?;
    }
    Ok(())
}
