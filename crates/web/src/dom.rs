//! The few DOM helpers the figures share. Text is always set as text, never parsed as HTML.
//!
//! It knows the page's elements and nothing of the figures or their frame loop, which build on
//! it; its one helper is the JSON writer.

use crate::error::{Result, WebError};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Document, Element, Event, EventTarget, HtmlButtonElement, HtmlInputElement, Window};

/// The page's window.
pub fn window() -> Result<Window> {
    web_sys::window().ok_or_else(|| WebError::MissingElement("a window".into()))
}

/// The page's document.
pub fn document() -> Result<Document> {
    window()?
        .document()
        .ok_or_else(|| WebError::MissingElement("a document".into()))
}

/// The first element under `root` matching `selector`, as type `T`.
pub fn query<T: JsCast>(root: &Element, selector: &str) -> Result<T> {
    root.query_selector(selector)?
        .ok_or_else(|| WebError::MissingElement(format!("an element matching {selector}")))?
        .dyn_into::<T>()
        .map_err(|_| WebError::MissingElement(format!("{selector} of the expected kind")))
}

/// Every element under `root` matching `selector`.
pub fn query_all(root: &Element, selector: &str) -> Result<Vec<Element>> {
    let list = root.query_selector_all(selector)?;
    Ok((0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect())
}

/// The range or number input with `data-role="role"` under `root`.
pub fn input(root: &Element, role: &str) -> Result<HtmlInputElement> {
    query(root, &format!("input[data-role=\"{role}\"]"))
}

/// Sets an element's text (as text: no markup is interpreted). An element holding just one text
/// node has that node's text changed in place, and only when it differs, since figures set their
/// numbers every frame and a replaced node is restyled and laid out anew; anything else (child
/// elements, several nodes, none) is replaced by one text node.
pub fn set_text(el: &Element, text: &str) {
    match el.first_child() {
        Some(child)
            if child.next_sibling().is_none() && child.node_type() == web_sys::Node::TEXT_NODE =>
        {
            if child.node_value().as_deref() != Some(text) {
                child.set_node_value(Some(text));
            }
        }
        None if text.is_empty() => {}
        _ => el.set_text_content(Some(text)),
    }
}

/// Sets the text of the `<output data-role="role">` under `root`, if there is one.
pub fn set_output(root: &Element, role: &str, text: &str) {
    if let Ok(Some(el)) = root.query_selector(&format!("output[data-role=\"{role}\"]")) {
        set_text(&el, text);
    }
}

/// Writes `state` as the JSON of `el`'s `data-state`, by [`crate::json`]'s rule: a non-finite
/// number becomes `null`, any other the shortest text that reads back as it.
pub fn set_state(el: &Element, state: &impl serde::Serialize) -> Result<()> {
    set_json(el, "data-state", state)
}

/// Writes `value` as JSON into `el`'s attribute `name`, as [`set_state`] does.
pub fn set_json(el: &Element, name: &str, value: &impl serde::Serialize) -> Result<()> {
    el.set_attribute(name, &crate::json::to_string(value)?)?;
    Ok(())
}

/// Shows or hides an element with the `hidden` attribute.
pub fn set_hidden(el: &Element, hidden: bool) -> Result<()> {
    el.toggle_attribute_with_force("hidden", hidden)?;
    Ok(())
}

/// The `data-role` of the element an event happened on, if it has one: how a figure's one
/// listener tells its controls apart.
pub fn target_role(ev: &Event) -> Option<String> {
    ev.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .and_then(|t| t.get_attribute("data-role"))
}

/// Calls `f` on every `event` at `target` for the life of the page.
pub fn on(target: &EventTarget, event: &str, f: impl FnMut(Event) + 'static) -> Result<()> {
    let closure = Closure::<dyn FnMut(Event)>::new(f);
    target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
    // The listeners live as long as the page, so the closure is intentionally kept alive.
    closure.forget();
    Ok(())
}

/// Binds a figure's keyboard shortcuts: `handle` gets each key pressed inside `root` (its
/// `KeyboardEvent.key`, such as `" "` or `"ArrowRight"`) and returns whether it used it, in which
/// case the browser's own action (scrolling on Space, say) is prevented. Keys typed into a field
/// belong to the field, Space or Enter on a button presses that button, and keys held with Ctrl,
/// Alt or Meta are left to the browser.
pub fn on_keys(root: &Element, mut handle: impl FnMut(&str) -> bool + 'static) -> Result<()> {
    on(root, "keydown", move |ev| {
        let Some(key) = ev.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        if key.ctrl_key() || key.meta_key() || key.alt_key() {
            return;
        }
        let name = key.key();
        let tag = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .map(|t| t.tag_name());
        let belongs_to_target = match tag.as_deref() {
            Some("INPUT" | "SELECT" | "TEXTAREA") => true,
            Some("BUTTON") => matches!(name.as_str(), " " | "Enter"),
            _ => false,
        };
        if !belongs_to_target && handle(&name) {
            ev.prevent_default();
        }
    })
}

/// Writes `texts` into row `index` of the table body `body`: a row header, then one data cell
/// per further text. The row is made on first use and kept after, so a table that changes every
/// frame does not rebuild its elements.
pub fn write_row(body: &Element, index: usize, texts: &[String]) -> Result<()> {
    let row = match query_all(body, "tr")?.into_iter().nth(index) {
        Some(row) => row,
        None => {
            let doc = document()?;
            let row = doc.create_element("tr")?;
            let th = doc.create_element("th")?;
            th.set_attribute("scope", "row")?;
            row.append_child(&th)?;
            for _ in 1..texts.len() {
                let td = doc.create_element("td")?;
                row.append_child(&td)?;
            }
            body.append_child(&row)?;
            row
        }
    };
    for (cell, text) in query_all(&row, "th, td")?.iter().zip(texts) {
        set_text(cell, text);
    }
    Ok(())
}

/// Formats a number with `digits` decimals, using a true minus sign.
pub fn fmt(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    let zero = format!("-{:.digits$}", 0.0);
    if s == zero {
        s[1..].to_owned()
    } else {
        s.replacen('-', "−", 1)
    }
}

/// Shows an error inside a figure instead of its content, as text.
pub fn show_figure_error(figure: &Element, err: &WebError) {
    if let Ok(doc) = document()
        && let Ok(p) = doc.create_element("p")
    {
        p.set_class_name("note figure-error");
        p.set_attribute("role", "alert").ok();
        set_text(&p, &format!("This figure could not start: {err}."));
        figure.prepend_with_node_1(&p).ok();
    }
}

/// Whether any part of `el` is within `screens` viewport heights of the viewport (0: on screen).
pub fn near_view(el: &Element, screens: f64) -> bool {
    let rect = el.get_bounding_client_rect();
    let height = window()
        .ok()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(f64::INFINITY);
    rect.bottom() > -screens * height && rect.top() < (1.0 + screens) * height
}

/// Milliseconds on the page's clock (`performance.now()`), or 0 where the page has none.
pub fn now() -> f64 {
    window()
        .ok()
        .and_then(|w| w.performance())
        .map_or(0.0, |clock| clock.now())
}

/// Calls `f` once, in a later task, after at least `ms` milliseconds (`setTimeout`).
pub fn after(ms: i32, f: impl FnOnce() + 'static) -> Result<()> {
    let callback = Closure::once_into_js(f);
    window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), ms)?;
    Ok(())
}

/// Whether any part of `el` is inside the window's viewport (a training figure that leaves it
/// pauses).
pub fn in_view(el: &Element) -> bool {
    near_view(el, 0.0)
}

/// A new `<input>` of type `kind` (`"file"`, `"number"`, …), not yet in the page.
pub fn new_input(kind: &str) -> Result<HtmlInputElement> {
    let input: HtmlInputElement = document()?
        .create_element("input")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no input element".into()))?;
    input.set_type(kind);
    Ok(input)
}

/// A button (an earlier run's "Restore", say) showing `text`, with the classes `btn` and `class`.
pub fn button(text: &str, class: &str) -> Result<HtmlButtonElement> {
    let button: HtmlButtonElement = document()?
        .create_element("button")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no button element".into()))?;
    button.set_type("button");
    button.set_class_name(&format!("btn {class}"));
    set_text(&button, text);
    Ok(button)
}

/// Reads `file` as text and hands it to `then` once loaded (nothing if the browser cannot read
/// it). The reader and its callback live until the file has loaded.
pub fn read_text_file(file: &web_sys::File, then: impl FnOnce(String) + 'static) {
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let r = reader.clone();
    let mut then = Some(then);
    let onload = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        let text = r
            .result()
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        if let Some(then) = then.take() {
            then(text);
        }
    });
    reader.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    reader.read_as_text(file).ok();
}
