//! The playground's earlier runs in the page: kept in the browser's local storage between
//! visits, and listed in the "Earlier runs" table under the loss chart, each row with its final
//! losses, the settings that differ from the current run (marked) and a Restore button.
//!
//! What a run is and when one is kept is [`crate::state::playground::runs`]; this file only
//! stores the text and writes the table (as text, never markup). It knows neither the figure nor
//! the wiring.

use crate::dom;
use crate::error::Result;
use crate::state::playground::runs::{RunRow, Runs, STORAGE_KEY};
use web_sys::{Element, Storage};

/// The browser's local storage, if the page may use it (a private window may refuse it; then
/// the runs live as long as the page).
fn storage() -> Option<Storage> {
    dom::window().ok()?.local_storage().ok().flatten()
}

/// The runs an earlier visit stored. A stored value that cannot be read (damaged, or written by
/// something else) is removed, and the list starts empty.
pub fn load() -> Runs {
    let Some(store) = storage() else {
        return Runs::new();
    };
    let Ok(Some(text)) = store.get_item(STORAGE_KEY) else {
        return Runs::new();
    };
    Runs::from_json(&text).unwrap_or_else(|_| {
        store.remove_item(STORAGE_KEY).ok();
        Runs::new()
    })
}

/// Stores `runs` for the next visit (removes the key when there are none). A full or refused
/// storage keeps them in the page only.
pub fn save(runs: &Runs) {
    if let Some(store) = storage() {
        if runs.is_empty() {
            store.remove_item(STORAGE_KEY).ok();
        } else {
            store.set_item(STORAGE_KEY, &runs.to_json()).ok();
        }
    }
}

/// Writes `rows` into the table under `root`, and hides the table when there are none.
pub fn show(root: &Element, rows: &[RunRow]) -> Result<()> {
    let block: Element = dom::query(root, "[data-role=\"runs\"]")?;
    dom::set_hidden(&block, rows.is_empty())?;
    let body: Element = dom::query(&block, "[data-role=\"runs-body\"]")?;
    body.set_text_content(None);
    let doc = dom::document()?;
    let loss = |v: Option<f32>| v.map_or_else(|| "–".to_owned(), |v| dom::fmt(f64::from(v), 3));
    // Two lines a run, so the table fits the figure's narrow column: the run, its losses and
    // its Restore button; then its updates and the settings that differ, marked.
    for row in rows {
        let tr = doc.create_element("tr")?;
        tr.set_class_name("pg-run");
        let th = doc.create_element("th")?;
        th.set_attribute("scope", "row")?;
        dom::set_text(&th, &format!("Run {}", row.number));
        tr.append_child(&th)?;
        for value in [Some(row.train_loss), row.validation_loss] {
            let td = doc.create_element("td")?;
            td.set_class_name("pg-run-number");
            dom::set_text(&td, &loss(value));
            tr.append_child(&td)?;
        }
        let cell = doc.create_element("td")?;
        let button = dom::button("Restore", "pg-run-restore")?;
        button.set_attribute("data-role", "restore-run")?;
        button.set_attribute("data-run", &row.number.to_string())?;
        button.set_attribute("aria-label", &format!("Restore run {}", row.number))?;
        cell.append_child(&button)?;
        tr.append_child(&cell)?;
        body.append_child(&tr)?;
        let detail = doc.create_element("tr")?;
        detail.set_class_name("pg-run-detail");
        let differs = doc.create_element("td")?;
        differs.set_attribute("colspan", "4")?;
        let updates = if row.steps == 1 { "update" } else { "updates" };
        let lead = if row.differs.is_empty() {
            format!("{} {updates}, same settings", row.steps)
        } else {
            format!("{} {updates}; differs in ", row.steps)
        };
        differs.append_with_str_1(&lead)?;
        for (i, words) in row.differs.iter().enumerate() {
            if i > 0 {
                differs.append_with_str_1(", ")?;
            }
            let mark = doc.create_element("mark")?;
            dom::set_text(&mark, words);
            differs.append_child(&mark)?;
        }
        detail.append_child(&differs)?;
        body.append_child(&detail)?;
    }
    Ok(())
}
