//! The toolbar at the foot of every figure: the place for the figure's share and export buttons.
//!
//! [`reserve`] puts the bar in place, its buttons shown but disabled, for a figure that waits for
//! its code, so that the figure keeps its height when it starts. [`mount`] runs once the figure
//! itself has mounted: it (re)fills one `<div class="figure-tools" role="toolbar">` just before
//! the figure's caption (or at its end when it has none) and lets each tool add its buttons to
//! it. What a bar holds is known before the figure starts ([`Tools`], in the figures' table),
//! so the reserved bar and the working one are the same size. The tools themselves live in their
//! own modules; this one only owns the bar, so adding a tool is one line here. The tools do not
//! know the bar: the button and status line they put in it are the DOM helpers'
//! ([`dom::button`], [`dom::status_line`]).

use crate::dom;
use crate::error::Result;
use crate::figures::{Figure, ModelFile, Tools};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

/// The class of the bar, also used by the tests to find it.
pub const TOOLBAR_CLASS: &str = "figure-tools";

/// Adds the toolbar to `figure` (the element with `data-figure="<name>"`) and fills it, replacing
/// what [`reserve`] put there.
pub fn mount(
    figure: &Element,
    name: &str,
    tools: Tools,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let bar = toolbar(figure, name)?;
    bar.set_text_content(None);
    // The link first (every figure has one), then the downloads.
    super::share::mount_button(&bar, figure, name, fig)?;
    super::export::add(&bar, figure, name, tools.data, fig)?;
    if tools.model != ModelFile::None {
        super::model_export::add(&bar, name, tools.model, fig)?;
    }
    Ok(())
}

/// Puts the toolbar of a figure that has not started in its place: the same buttons as
/// [`mount`] will add, disabled until then.
pub fn reserve(figure: &Element, name: &str, tools: Tools) -> Result<()> {
    let waiting: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(NotStarted));
    mount(figure, name, tools, &waiting)?;
    for control in dom::query_all(figure, &format!(".{TOOLBAR_CLASS} :is(button, select)"))? {
        control.set_attribute("disabled", "")?;
    }
    Ok(())
}

/// What the buttons of a reserved toolbar act on: nothing (they are disabled).
struct NotStarted;

impl Figure for NotStarted {
    fn update(&mut self) -> Result<()> {
        Ok(())
    }
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
