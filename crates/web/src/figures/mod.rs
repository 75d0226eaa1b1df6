//! The article's figures: each finds its placeholder (`[data-figure="name"]`), wires its
//! controls, and redraws when they move, when the theme changes and when the window resizes.
//!
//! A figure that cannot start shows why in its own place; the others carry on.

pub mod activations;
pub mod batch_norm;
pub mod batch_size;
pub mod compare;
pub mod dropout;
pub mod playground;
pub mod softmax;

use crate::dom;
use crate::error::Result;
use crate::theme::THEME_EVENT;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Document, Element};

/// What every figure does: draw itself from its current state.
pub trait Figure {
    /// Reads the controls into the state and redraws everything the state shows.
    fn update(&mut self) -> Result<()>;
}

type Mount = fn(&Element) -> Result<Rc<RefCell<dyn Figure>>>;

/// The figures the page knows, by their `data-figure` name.
const FIGURES: [(&str, Mount); 6] = [
    ("activations", activations::mount),
    ("batch-norm", batch_norm::mount),
    ("batch-size", batch_size::mount),
    ("dropout", dropout::mount),
    ("playground", playground::mount),
    ("softmax", softmax::mount),
];

/// Mounts every figure found in the page.
pub fn mount_all(doc: &Document) -> Result<()> {
    let Some(body) = doc.body() else {
        return Ok(());
    };
    for (name, mount) in FIGURES {
        for el in dom::query_all(&body, &format!("[data-figure=\"{name}\"]"))? {
            match mount(&el).and_then(|fig| {
                redraw_on_page_events(&fig)?;
                fig.borrow_mut().update()?;
                Ok(())
            }) {
                Ok(()) => el.set_attribute("data-ready", "true")?,
                Err(e) => {
                    web_sys::console::error_1(&format!("figure {name}: {e}").into());
                    dom::show_figure_error(&el, &e);
                }
            }
        }
    }
    Ok(())
}

/// Redraws `fig` when the theme changes or the window is resized.
fn redraw_on_page_events(fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let window = dom::window()?;
    for event in [THEME_EVENT, "resize"] {
        let f = Rc::clone(fig);
        dom::on(&window, event, move |_| {
            if let Ok(mut fig) = f.try_borrow_mut()
                && let Err(e) = fig.update()
            {
                web_sys::console::error_1(&e.to_string().into());
            }
        })?;
    }
    Ok(())
}

/// Wires every `input` event under `root` to `fig.update()`.
pub fn update_on_input(root: &Element, fig: &Rc<RefCell<dyn Figure>>) -> Result<()> {
    let f = Rc::clone(fig);
    dom::on(root, "input", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.update()
        {
            web_sys::console::error_1(&e.to_string().into());
        }
    })
}
