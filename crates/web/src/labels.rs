//! Names for controls whose wrapping `<label>` also holds an `<output>`.
//!
//! A slider is written as `<label><span>Noise <output>0</output></span><input type=range></label>`
//! so its current value sits beside its name. But an `<output>` is itself a labelable element, and
//! a label names only its first one: the slider would be left without a name for assistive
//! technology. Each such control is pointed at its label's text (`aria-labelledby`), which states
//! the name and the current value, e.g. "Noise 0".

use crate::error::Result;
use web_sys::Document;

/// Points every control that a label's `<output>` robs of its name at the label's text.
pub fn name_controls(doc: &Document) -> Result<()> {
    let Some(root) = doc.document_element() else {
        return Ok(());
    };
    let mut count = 0;
    for label in crate::dom::query_all(&root, "label")? {
        if label.query_selector("output")?.is_none() {
            continue;
        }
        let Some(control) = label.query_selector("input, select, textarea")? else {
            continue;
        };
        if control.has_attribute("aria-label") || control.has_attribute("aria-labelledby") {
            continue;
        }
        let text = label
            .query_selector(".slider-label")?
            .unwrap_or_else(|| label.clone());
        if text.id().is_empty() {
            count += 1;
            text.set_id(&format!("control-name-{count}"));
        }
        control.set_attribute("aria-labelledby", &text.id())?;
    }
    Ok(())
}
