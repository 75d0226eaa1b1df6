//! The contents while reading: the masthead's "Contents" menu and the mark on the section on
//! screen.
//!
//! The page's contents list (`nav.toc`, made from the sections' headings when the page is
//! assembled) stays where it is, under the opening. On a wide screen the masthead stays at the top
//! of the window, and its menu holds a copy of that list, names the section being read and opens
//! the list with one click. Which section is being read is decided by an `IntersectionObserver`:
//! the last section whose top has passed [`READING_LINE`] of the window's height. Its entry is
//! marked `aria-current="true"` in both lists.

use crate::dom;
use crate::error::Result;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Document, Element, IntersectionObserver, IntersectionObserverInit};

/// How far down the window (as a share of its height) a section's top must have come for the
/// section to count as the one being read.
pub const READING_LINE: f64 = 0.3;

/// The parts the mark needs: the two lists' links, the menu's line naming the section, and the
/// sections in page order with their ids.
struct Contents {
    links: Vec<Element>,
    current: Element,
    sections: Vec<(String, Element)>,
}

impl Contents {
    /// Marks the section being read (or none, above the first) in both lists and names it in
    /// the menu.
    fn mark(&self) -> Result<()> {
        let line = dom::window()?.inner_height()?.as_f64().unwrap_or(0.0) * READING_LINE;
        let reading = self
            .sections
            .iter()
            .rfind(|(_, el)| el.get_bounding_client_rect().top() <= line)
            .map(|(id, _)| format!("#{id}"));
        let mut name = String::new();
        for link in &self.links {
            let here = reading.is_some() && link.get_attribute("href") == reading;
            if here {
                link.set_attribute("aria-current", "true")?;
                name = link.text_content().unwrap_or_default();
            } else {
                link.remove_attribute("aria-current")?;
            }
        }
        dom::set_text(&self.current, &name);
        Ok(())
    }
}

/// Fills the masthead's menu with the contents list and starts marking the section on screen.
/// A page without the list or the menu (an embedded figure's page keeps both, hidden) is left
/// alone.
pub fn init(doc: &Document) -> Result<()> {
    let (Some(list), Some(menu)) = (
        doc.query_selector("nav.toc > ol")?,
        doc.get_element_by_id("toc-menu"),
    ) else {
        return Ok(());
    };
    let panel: Element = dom::query(&menu, ".toc-menu-panel")?;
    let copy = list.clone_node_with_deep(true)?;
    panel.append_child(&copy)?;
    let current: Element = dom::query(&menu, ".toc-menu-current")?;
    let root = doc
        .document_element()
        .ok_or_else(|| crate::error::WebError::MissingElement("the page's root".into()))?;
    let links = dom::query_all(
        &root,
        "nav.toc a[href^=\"#\"], .toc-menu-panel a[href^=\"#\"]",
    )?;
    let mut sections = Vec::new();
    for link in dom::query_all(&list, "a[href^=\"#\"]")? {
        let id = link
            .get_attribute("href")
            .unwrap_or_default()
            .trim_start_matches('#')
            .to_owned();
        if let Some(el) = doc.get_element_by_id(&id)
            && el.tag_name() == "SECTION"
        {
            sections.push((id, el));
        }
    }
    let contents = Rc::new(Contents {
        links,
        current,
        sections,
    });
    wire_menu(&menu)?;

    let c = Rc::clone(&contents);
    let on_cross = Closure::<dyn FnMut()>::new(move || {
        c.mark().ok();
    });
    // The band above the reading line: a section's top crossing the line enters or leaves it.
    let options = IntersectionObserverInit::new();
    options.set_root_margin(&format!(
        "0px 0px -{:.0}% 0px",
        (1.0 - READING_LINE) * 100.0
    ));
    let observer =
        IntersectionObserver::new_with_options(on_cross.as_ref().unchecked_ref(), &options)?;
    // The observer and its callback live as long as the page.
    on_cross.forget();
    for (_, el) in &contents.sections {
        observer.observe(el);
    }
    contents.mark()
}

/// Closes the menu when the reader follows one of its links, presses Escape inside it (focus
/// goes back to its summary) or clicks anywhere else.
fn wire_menu(menu: &Element) -> Result<()> {
    let m = menu.clone();
    dom::on(menu, "click", move |ev| {
        let on_link = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest(".toc-menu-panel a").ok().flatten())
            .is_some();
        if on_link {
            m.remove_attribute("open").ok();
        }
    })?;
    let m = menu.clone();
    dom::on(menu, "keydown", move |ev| {
        let escape = ev
            .dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|k| k.key() == "Escape");
        if escape && m.has_attribute("open") {
            m.remove_attribute("open").ok();
            if let Ok(summary) = dom::query::<web_sys::HtmlElement>(&m, "summary") {
                summary.focus().ok();
            }
        }
    })?;
    let m = menu.clone();
    dom::on(&dom::document()?.into(), "click", move |ev| {
        let inside = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .is_some_and(|t| m.contains(Some(&t)));
        if !inside {
            m.remove_attribute("open").ok();
        }
    })
}
