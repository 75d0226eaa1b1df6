//! The playground figure. A feed-forward network trains live on 2-D data; the reader changes
//! the data, the features, the network and the training settings, and sees the output over the
//! plane, every neuron's own map, the weights, the scores on each split and the loss curves.
//!
//! The figure's settings live in the page's address (see [`crate::state`]): the controls carry the
//! address's key names as their `data-role`, so reading the controls is writing a hash, and the
//! state module alone decides what a valid setting is.
//!
//! This file is the wiring: it mounts the figure and connects the page's events (controls,
//! buttons, keys, files, the address) to it. The figure and its runtime are in `figure.rs`, the
//! settings in `config.rs`, the drawings in `view.rs`, the pointer in `pointer.rs`, the reader's
//! edits in `editor.rs` and the hand-off to the step-through in `step_through.rs`; none of them
//! knows this file.

mod config;
mod earlier;
mod editor;
mod figure;
mod model_io;
mod pointer;
mod step_through;
mod view;

use crate::dom;
use crate::error::Result;
use crate::figures::{Figure, live_model};
use crate::state::figures::is_anchor;
use crate::state::playground::PlaygroundState;
use crate::training::{self, Trains};
use figure::{PlaygroundFigure, ignored_settings};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::Element;

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let hash = own_hash()?;
    let (state, notices) = PlaygroundState::parse(&hash);
    let fig = Rc::new(RefCell::new(PlaygroundFigure::new(root, state)?));
    if !notices.is_empty() {
        let list: Vec<String> = notices.iter().map(ToString::to_string).collect();
        fig.borrow().say(&ignored_settings(&list))?;
        show_page_notice(&list)?;
    }
    wire(&fig)?;
    live_model::publish(&fig);
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

/// The address's hash, or nothing for a plain anchor such as `#costs`, which names a place in the
/// article and no setting.
fn own_hash() -> Result<String> {
    let hash = dom::window()?.location().hash().unwrap_or_default();
    Ok(if is_anchor(&hash) {
        String::new()
    } else {
        hash
    })
}

/// Shows the notice at the top of the article too, for a link whose settings were ignored.
fn show_page_notice(list: &[String]) -> Result<()> {
    if let Some(el) = dom::document()?.get_element_by_id("notice") {
        dom::set_text(
            &el,
            &format!(
                "This link's playground settings were partly ignored: {}.",
                list.join("; ")
            ),
        );
        dom::set_hidden(&el, false)?;
    }
    Ok(())
}

/// The button with `data-role="role"`, as an event target.
fn button(root: &Element, role: &str) -> Result<web_sys::EventTarget> {
    let el: Element = dom::query(root, &format!("button[data-role=\"{role}\"]"))?;
    Ok(el.into())
}

/// The number in the `data-run` of the element an event came from (a Restore button).
fn run_number(ev: &web_sys::Event) -> Option<u32> {
    use wasm_bindgen::JsCast;
    let el: Element = ev.target()?.dyn_into().ok()?;
    el.closest("[data-run]")
        .ok()??
        .get_attribute("data-run")?
        .parse()
        .ok()
}

/// Wires the controls, buttons, keys and pointer to the figure.
fn wire(fig: &Rc<RefCell<PlaygroundFigure>>) -> Result<()> {
    let root = fig.borrow().root.clone();
    let act = |f: &Rc<RefCell<PlaygroundFigure>>, what: fn(&mut PlaygroundFigure) -> Result<()>| {
        let f = Rc::clone(f);
        move |_| {
            if let Ok(mut fig) = f.try_borrow_mut()
                && let Err(e) = what(&mut fig)
            {
                fig.report(&e);
            }
        }
    };
    dom::on(
        &root,
        "change",
        act(fig, PlaygroundFigure::controls_changed),
    )?;
    // The layer editor's buttons are rebuilt with the editor, so their clicks are caught here.
    let f = Rc::clone(fig);
    dom::on(&root, "click", move |ev| {
        let role = dom::target_role(&ev);
        let Ok(mut fig) = f.try_borrow_mut() else {
            return;
        };
        let done = match role.as_deref() {
            Some("add-layer") => fig.change_layers(1),
            Some("remove-layer") => fig.change_layers(-1),
            // The earlier runs' Restore buttons are rebuilt with their table.
            Some("restore-run") => match run_number(&ev) {
                Some(number) => fig.restore_run(number),
                None => return,
            },
            Some("clear-runs") => fig.clear_runs(),
            _ => return,
        };
        if let Err(e) = done {
            fig.report(&e);
        }
    })?;
    // A run trained but not yet kept is kept when the reader leaves or reloads the page.
    let f = Rc::clone(fig);
    let window = dom::window()?;
    dom::on(&window, "pagehide", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut() {
            fig.keep_run();
        }
    })?;
    dom::on(&root, "input", act(fig, PlaygroundFigure::slider_moved))?;
    dom::on(
        &button(&root, "step")?,
        "click",
        act(fig, |f| f.step_once(1)),
    )?;
    dom::on(
        &button(&root, "epoch")?,
        "click",
        act(fig, PlaygroundFigure::step_epoch),
    )?;
    dom::on(
        &button(&root, "reset")?,
        "click",
        act(fig, PlaygroundFigure::reset),
    )?;
    dom::on(
        &button(&root, "reseed")?,
        "click",
        act(fig, PlaygroundFigure::reseed),
    )?;
    dom::on(
        &button(&root, "clear-points")?,
        "click",
        act(fig, PlaygroundFigure::clear_points),
    )?;
    dom::on(
        &button(&root, "export")?,
        "click",
        act(fig, PlaygroundFigure::export_csv),
    )?;
    dom::on(
        &button(&root, "step-through")?,
        "click",
        act(fig, PlaygroundFigure::step_through),
    )?;
    let import = dom::input(&root, "import")?;
    let f = Rc::clone(fig);
    let input = import.clone();
    dom::on(&import, "change", move |_| {
        let Some(file) = input.files().and_then(|l| l.get(0)) else {
            return;
        };
        let f2 = Rc::clone(&f);
        dom::read_text_file(&file, move |text| {
            if let Ok(mut fig) = f2.try_borrow_mut()
                && let Err(e) = fig.import_csv(&text)
            {
                fig.report(&e);
            }
        });
        input.set_value("");
    })?;
    let f = Rc::clone(fig);
    dom::on(&button(&root, "play")?, "click", move |_| {
        training::toggle(&f)
    })?;
    let f = Rc::clone(fig);
    training::on_keys(fig, move |key| {
        match key {
            "ArrowRight" => {
                if let Ok(mut fig) = f.try_borrow_mut()
                    && let Err(e) = fig.step_once(1)
                {
                    fig.report(&e);
                }
            }
            "r" | "R" => {
                if let Ok(mut fig) = f.try_borrow_mut()
                    && let Err(e) = fig.reset()
                {
                    fig.report(&e);
                }
            }
            _ => return false,
        }
        true
    })?;
    pointer::wire(fig)?;
    // A link pasted into the address bar of an open page changes only the hash: follow it.
    let f = Rc::clone(fig);
    dom::on(&window, "hashchange", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.follow_hash()
        {
            fig.report(&e);
        }
    })?;
    Ok(())
}
