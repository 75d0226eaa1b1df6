//! "Copy link" for every figure, and following such links: each figure's controls in the URL hash.
//!
//! The page side of [`crate::state::figures`]: it reads a figure's controls from the DOM (every
//! `<input>`, `<select>` and `<textarea>` inside the `<figure>` with a `data-role`, or a `name` for
//! a radio group), writes the ones a reader changed into a link, and, when a page opens with such a
//! link (or one is pasted into an open page), sets the controls and fires the `input` and `change`
//! events a reader's hand would, so every figure updates through its own handlers. No figure needs
//! code of its own; the playground, whose whole state already lives in the hash, gives its own link
//! through [`Figure::share_link`].

use crate::dom;
use crate::error::Result;
use crate::figures::Figure;
use crate::state::HashParams;
use crate::state::figures::{self as shared, Control, ControlKind, FigureControls};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, Event, EventInit, HtmlInputElement, HtmlOptionElement, HtmlSelectElement,
    HtmlTextAreaElement, ScrollBehavior, ScrollIntoViewOptions, ScrollLogicalPosition,
};

/// Figures whose settings are not their controls' values: the playground keeps its own keys.
const OWN_LINK: &[&str] = &["playground"];

/// How many times following a link re-reads the controls, for controls whose choices depend on
/// others (a head menu that grows with the number of heads).
const PASSES: usize = 3;

/// A control on the page.
enum Handle {
    /// An `<input>` that is not a radio button.
    Input(HtmlInputElement),
    /// A `<select>`.
    Select(HtmlSelectElement),
    /// A `<textarea>`.
    TextArea(HtmlTextAreaElement),
    /// The radio buttons sharing one `name`.
    Radios(Vec<HtmlInputElement>),
}

impl Handle {
    /// The control's current value (`1`/`0` for a checkbox, the checked value for radios).
    fn value(&self) -> String {
        match self {
            Handle::Input(input) if input.type_() == "checkbox" => bit(input.checked()),
            Handle::Input(input) => input.value(),
            Handle::Select(select) => select.value(),
            Handle::TextArea(area) => area.value(),
            Handle::Radios(radios) => radios
                .iter()
                .find(|r| r.checked())
                .map(HtmlInputElement::value)
                .unwrap_or_default(),
        }
    }

    /// Sets the value and fires `input` and `change` on the element that changed, as a reader's
    /// edit would; nothing happens when the value is already there.
    fn set(&self, value: &str) -> Result<()> {
        if self.value() == value {
            return Ok(());
        }
        let target: Element = match self {
            Handle::Input(input) if input.type_() == "checkbox" => {
                input.set_checked(value == "1");
                input.clone().into()
            }
            Handle::Input(input) => {
                input.set_value(value);
                input.clone().into()
            }
            Handle::Select(select) => {
                select.set_value(value);
                select.clone().into()
            }
            Handle::TextArea(area) => {
                area.set_value(value);
                area.clone().into()
            }
            Handle::Radios(radios) => {
                let Some(radio) = radios.iter().find(|r| r.value() == value) else {
                    return Ok(());
                };
                radio.set_checked(true);
                radio.clone().into()
            }
        };
        let init = EventInit::new();
        init.set_bubbles(true);
        for kind in ["input", "change"] {
            let event = Event::new_with_event_init_dict(kind, &init)?;
            target.dispatch_event(&event)?;
        }
        Ok(())
    }
}

/// `1` or `0`.
fn bit(on: bool) -> String {
    if on { "1" } else { "0" }.to_owned()
}

/// A number attribute of an input, if set and readable.
fn number_attr(input: &HtmlInputElement, name: &str) -> Option<f64> {
    input
        .get_attribute(name)
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// The most characters a text control takes: its `maxlength`, else [`shared::MAX_TEXT`].
fn max_len(max_length: i32) -> usize {
    usize::try_from(max_length)
        .ok()
        .filter(|n| *n > 0)
        .unwrap_or(shared::MAX_TEXT)
        .min(shared::MAX_TEXT)
}

/// The elements holding `figure`'s controls: the figure itself, then each part of it placed
/// elsewhere in the page (`data-figure-part` naming it, outside every figure: the step-through's
/// gradient check, in the next section).
pub fn figure_parts(figure: &Element) -> Result<Vec<Element>> {
    let mut parts = vec![figure.clone()];
    let name = figure.get_attribute("data-figure").unwrap_or_default();
    if let (Some(doc), false) = (figure.owner_document(), name.is_empty())
        && let Some(body) = doc.body()
    {
        for part in dom::query_all(&body, &format!("[data-figure-part=\"{name}\"]"))? {
            if part.closest("[data-figure]")?.is_none() {
                parts.push(part);
            }
        }
    }
    Ok(parts)
}

/// The reader-set controls of `figure` and its parts (not those of a figure nested in it), in
/// page order.
fn controls(figure: &Element) -> Result<Vec<(Handle, Control)>> {
    let mut found: Vec<(Handle, Control)> = Vec::new();
    let mut elements = Vec::new();
    for part in figure_parts(figure)? {
        elements.extend(dom::query_all(&part, "input, select, textarea")?);
    }
    for el in elements {
        // A part lies outside every figure; a control of a figure nested in this one is not ours.
        if el
            .closest("[data-figure]")?
            .is_some_and(|owner| &owner != figure)
        {
            continue;
        }
        let role = el.get_attribute("data-role").filter(|r| !r.is_empty());
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            let kind = input.type_();
            if kind == "radio" {
                let Some(name) = input.get_attribute("name").filter(|n| !n.is_empty()) else {
                    continue;
                };
                let existing = found.iter_mut().find(|(_, c)| c.key == name);
                match existing {
                    Some((Handle::Radios(radios), control)) => {
                        if let ControlKind::Choice(options) = &mut control.kind {
                            options.push(input.value());
                        }
                        if input.default_checked() {
                            control.default = input.value();
                        }
                        radios.push(input.clone());
                    }
                    Some(_) => {}
                    None => found.push((
                        Handle::Radios(vec![input.clone()]),
                        Control {
                            key: name,
                            kind: ControlKind::Choice(vec![input.value()]),
                            default: if input.default_checked() {
                                input.value()
                            } else {
                                String::new()
                            },
                        },
                    )),
                }
                continue;
            }
            let Some(key) = role else { continue };
            let control = match kind.as_str() {
                "range" | "number" => {
                    let step = match input.get_attribute("step").as_deref().map(str::trim) {
                        Some(text) if text.eq_ignore_ascii_case("any") => None,
                        _ => Some(
                            number_attr(input, "step")
                                .filter(|s| *s > 0.0)
                                .unwrap_or(1.0),
                        ),
                    };
                    let (min, max) = if kind == "range" {
                        (
                            Some(number_attr(input, "min").unwrap_or(0.0)),
                            Some(number_attr(input, "max").unwrap_or(100.0)),
                        )
                    } else {
                        (number_attr(input, "min"), number_attr(input, "max"))
                    };
                    Control {
                        key,
                        kind: ControlKind::Number { min, max, step },
                        default: input.default_value(),
                    }
                }
                "checkbox" => Control {
                    key,
                    kind: ControlKind::Checkbox,
                    default: bit(input.default_checked()),
                },
                "text" | "search" | "" => Control {
                    key,
                    kind: ControlKind::Text {
                        max_len: max_len(input.max_length()),
                    },
                    default: input.default_value(),
                },
                // Files, buttons and the rest are not settings.
                _ => continue,
            };
            if !found.iter().any(|(_, c)| c.key == control.key) {
                found.push((Handle::Input(input.clone()), control));
            }
        } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            let Some(key) = role else { continue };
            let mut options = Vec::new();
            let mut default = None;
            for option in dom::query_all(&el, "option")? {
                if let Some(option) = option.dyn_ref::<HtmlOptionElement>() {
                    if option.default_selected() && default.is_none() {
                        default = Some(option.value());
                    }
                    options.push(option.value());
                }
            }
            let default = default
                .or_else(|| options.first().cloned())
                .unwrap_or_default();
            if !found.iter().any(|(_, c)| c.key == key) {
                found.push((
                    Handle::Select(select.clone()),
                    Control {
                        key,
                        kind: ControlKind::Choice(options),
                        default,
                    },
                ));
            }
        } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
            let Some(key) = role else { continue };
            if !found.iter().any(|(_, c)| c.key == key) {
                found.push((
                    Handle::TextArea(area.clone()),
                    Control {
                        key,
                        kind: ControlKind::Text {
                            max_len: max_len(area.max_length()),
                        },
                        default: area.default_value().unwrap_or_default(),
                    },
                ));
            }
        }
    }
    Ok(found)
}

/// The figure's settings as hash pairs (no `#`): its controls that differ from their defaults.
fn figure_hash(figure: &Element, name: &str) -> Result<String> {
    let (handles, controls): (Vec<Handle>, Vec<Control>) = controls(figure)?.into_iter().unzip();
    let values: Vec<String> = handles.iter().map(Handle::value).collect();
    Ok(shared::encode(
        &FigureControls {
            name: name.to_owned(),
            controls,
        },
        &values,
    ))
}

/// The link to `figure` as it is now: the page's address (with its `?figure=` if any) and the
/// figure's settings; with no setting changed, an anchor to the figure.
fn link(figure: &Element, name: &str) -> Result<String> {
    let location = dom::window()?.location();
    let base = format!(
        "{}{}{}",
        location.origin()?,
        location.pathname()?,
        location.search()?
    );
    let hash = figure_hash(figure, name)?;
    Ok(if hash.is_empty() {
        format!("{base}#{}", figure.id())
    } else {
        format!("{base}#{hash}")
    })
}

/// Wires the "Copy link" button and its status line in the figure's toolbar `bar` (written by
/// the build, `crates/xtask/src/toolbar.rs`).
pub fn wire_button(
    bar: &Element,
    figure: &Element,
    name: &str,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let button: Element = dom::query(bar, "[data-role=\"copy-link\"]")?;
    let status: Element = dom::query(bar, ".share-status")?;

    // What the clipboard says, once it answers: copied, or select the link by hand.
    let said = status.clone();
    let copied = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        show_link(&said, "Link copied:");
    });
    let said = status.clone();
    let refused = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        show_link(&said, "Copy this link by hand:");
    });
    let (figure, name, fig, target) = (
        figure.clone(),
        name.to_owned(),
        Rc::clone(fig),
        button.clone(),
    );
    dom::on(&button, "click", move |_| {
        let href = match fig.try_borrow_mut() {
            Ok(mut fig) => fig.share_link(),
            Err(_) => None,
        }
        .unwrap_or_else(|| link(&figure, &name));
        match href {
            Ok(href) => {
                let _ = target.set_attribute("data-link", &href);
                let _ = status.set_attribute("data-link", &href);
                show_link(&status, "Link:");
                if let Ok(window) = dom::window() {
                    let _ = window
                        .navigator()
                        .clipboard()
                        .write_text(&href)
                        .then2(&copied, &refused);
                }
            }
            Err(e) => dom::set_text(&status, &format!("No link: {e}")),
        }
    })?;
    Ok(())
}

/// Shows `label` and the link kept in the status line's `data-link` in a one-line, read-only
/// field: however long the link, it takes one line (the field scrolls), and focusing the field
/// selects all of it for copying by hand.
fn show_link(status: &Element, label: &str) {
    let href = status.get_attribute("data-link").unwrap_or_default();
    dom::set_text(status, "");
    let Some(doc) = status.owner_document() else {
        return;
    };
    let (Ok(words), Ok(field)) = (doc.create_element("span"), doc.create_element("input")) else {
        return;
    };
    dom::set_text(&words, &format!("{label} "));
    let _ = status.append_child(&words);
    if let Ok(field) = field.dyn_into::<HtmlInputElement>() {
        field.set_class_name("share-link");
        field.set_type("text");
        field.set_read_only(true);
        field.set_value(&href);
        let _ = field.set_attribute("aria-label", "The link");
        let selected = field.clone();
        let _ = dom::on(&field, "focus", move |_| selected.select());
        let _ = status.append_child(&field);
    }
}

/// Every figure on the page that shares its controls, with its name.
fn sharing_figures(doc: &Document) -> Result<Vec<(Element, String)>> {
    let Some(body) = doc.body() else {
        return Ok(Vec::new());
    };
    Ok(dom::query_all(&body, "[data-figure]")?
        .into_iter()
        .filter_map(|el| {
            let name = el.get_attribute("data-figure")?;
            (!OWN_LINK.contains(&name.as_str())).then_some((el, name))
        })
        .collect())
}

/// Sets the controls the address's hash names, tells the reader what could not be used, and
/// brings the first figure it names into view. A plain anchor such as `#costs` is left alone.
pub fn follow(doc: &Document, on_load: bool) -> Result<()> {
    let hash = dom::window()?.location().hash().unwrap_or_default();
    if shared::is_anchor(&hash) {
        return Ok(());
    }
    let params = HashParams::parse(&hash);
    let figures = sharing_figures(doc)?;
    let parsed = apply(&figures, &params, &[])?;
    if !parsed.notices.is_empty() {
        let list: Vec<String> = parsed.notices.iter().map(ToString::to_string).collect();
        show_notice(
            doc,
            &format!(
                "Some figure settings in this link could not be used as they were: {}.",
                list.join("; ")
            ),
            on_load,
        )?;
    }
    if let Some((figure, _)) = parsed.named.first().and_then(|&i| figures.get(i)) {
        let options = ScrollIntoViewOptions::new();
        options.set_behavior(ScrollBehavior::Instant);
        options.set_block(ScrollLogicalPosition::Start);
        figure.scroll_into_view_with_scroll_into_view_options(&options);
    }
    Ok(())
}

/// Sets the controls of the `figures` that `params` names, and of those in `reset` even if it
/// names none: each named control takes its checked value, every other control of those figures
/// its default, through [`Handle::set`] (so each figure updates through its own handlers).
fn apply(
    figures: &[(Element, String)],
    params: &HashParams,
    reset: &[usize],
) -> Result<shared::Parsed> {
    let mut parsed = shared::Parsed::default();
    // Each pass re-reads the controls, so a choice that appears once another control is set (a
    // head of a second layer) is found in the next pass.
    for _ in 0..PASSES {
        let live: Vec<Vec<(Handle, Control)>> = figures
            .iter()
            .map(|(el, _)| controls(el))
            .collect::<Result<_>>()?;
        let described: Vec<FigureControls> = figures
            .iter()
            .zip(&live)
            .map(|((_, name), list)| FigureControls {
                name: name.clone(),
                controls: list.iter().map(|(_, c)| c.clone()).collect(),
            })
            .collect();
        parsed = shared::parse(params, &described);
        let mut targets = parsed.named.clone();
        targets.extend(reset.iter().filter(|i| !parsed.named.contains(i)));
        let mut changed = false;
        for index in targets {
            for (position, (handle, control)) in live[index].iter().enumerate() {
                let wanted = parsed
                    .settings
                    .iter()
                    .find(|s| s.figure == index && s.control == position)
                    .map_or(control.default.as_str(), |s| s.value.as_str());
                let before = handle.value();
                // A control at its default, written differently (`0.10`), is left alone.
                if wanted == control.default && control.is_default(&before) {
                    continue;
                }
                handle.set(wanted)?;
                changed |= handle.value() != before;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(parsed)
}

/// Sets every control of `figure` (named `name`) to its default, then to the `settings` given
/// as a link writes them after `name.` (`rate-3=0.9&seed=2`), exactly as following a link
/// would; returns what could not be used as written (each a page bug when the settings come from
/// the page itself).
pub fn set_figure(figure: &Element, name: &str, settings: &str) -> Result<Vec<String>> {
    let params = HashParams::parse(settings).prefixed(&format!("{name}."));
    let parsed = apply(&[(figure.clone(), name.to_owned())], &params, &[0])?;
    Ok(parsed.notices.iter().map(ToString::to_string).collect())
}

/// Shows `text` in the page's notice line, after what the page already said there on load.
pub fn show_notice(doc: &Document, text: &str, append: bool) -> Result<()> {
    if let Some(el) = doc.get_element_by_id("notice") {
        let before = el.text_content().unwrap_or_default();
        let shown = if append && !el.has_attribute("hidden") && !before.trim().is_empty() {
            format!("{before} {text}")
        } else {
            text.to_owned()
        };
        dom::set_text(&el, &shown);
        dom::set_hidden(&el, false)?;
    }
    Ok(())
}

/// Follows the hash once every figure has mounted, and again whenever a link is pasted into the
/// open page.
pub fn start(doc: &Document) -> Result<()> {
    follow(doc, true)?;
    let document = doc.clone();
    let window: web_sys::EventTarget = dom::window()?.into();
    dom::on(&window, "hashchange", move |_| {
        if let Err(e) = follow(&document, false) {
            web_sys::console::error_1(&e.to_string().into());
        }
    })
}
