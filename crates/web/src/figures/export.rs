//! The figure's export tools: save any of its charts as a PNG, and its histories and scores as
//! CSV when it keeps any ([`Figure::csv`]).
//!
//! A PNG is the chart's canvas at its full pixel size, drawn over the card's colour so it reads
//! on any background, and named `spiega-<figure>-<chart>.png` after the canvas's `data-role`.
//! When a figure has several charts, a menu picks the one to save. The buttons and the menu are
//! in the page's markup (the build writes each figure's toolbar, `crates/xtask/src/toolbar.rs`);
//! this file wires them when the figure starts. The CSV is named `spiega-<figure>-results.csv`.
//! Both are saved through [`download`], which needs no script and no navigation, so they work
//! under the page's Content-Security-Policy.

use super::Figure;
use crate::charts::Palette;
use crate::charts::heatmap::{css_rgba, rgb};
use crate::csv::{Cell, Csv};
use crate::dom;
use crate::download;
use crate::error::{Result, WebError};
use spiega_lessons::playground::Scores;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlSelectElement};

/// The columns of a training history: one row per recorded update, every split's loss and
/// accuracy (empty where a split has no points or the task has no accuracy).
pub const SCORES_HEADER: [&str; 7] = [
    "step",
    "train_loss",
    "train_accuracy",
    "validation_loss",
    "validation_accuracy",
    "test_loss",
    "test_accuracy",
];

/// Appends one row per entry of `history`, each starting with the cells of `prefix` (e.g. the
/// run's name) and then the columns of [`SCORES_HEADER`].
pub fn scores_rows(csv: &mut Csv, prefix: &[Cell], history: &[Scores]) {
    for s in history {
        let row = prefix.iter().cloned().chain([
            Cell::from(s.step),
            Cell::from(s.train.loss),
            Cell::from(s.train.accuracy),
            Cell::from(s.validation.map(|v| v.loss)),
            Cell::from(s.validation.and_then(|v| v.accuracy)),
            Cell::from(s.test.map(|v| v.loss)),
            Cell::from(s.test.and_then(|v| v.accuracy)),
        ]);
        csv.row(row);
    }
}

/// Wires the export buttons of figure `name` (root `figure`) that its toolbar `bar` holds (the
/// build writes them, `crates/xtask/src/toolbar.rs`): the chart menu, "Save chart as PNG" and
/// "Save data as CSV".
pub fn wire(
    bar: &Element,
    figure: &Element,
    name: &str,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let status: Element = dom::query(bar, ".export-status:not(.model-status)")?;
    if let Some(button) = bar.query_selector("[data-export=\"png\"]")? {
        let canvases: Vec<HtmlCanvasElement> = dom::query_all(figure, "canvas[role=\"img\"]")?
            .into_iter()
            .filter_map(|c| c.dyn_into().ok())
            .collect();
        let menu = match bar.query_selector("select[data-export=\"chart\"]")? {
            Some(menu) => Some(chart_menu(menu, &canvases, &button)?),
            None => None,
        };
        let (figure_el, figure_name, status_el) = (figure.clone(), name.to_owned(), status.clone());
        dom::on(&button, "click", move |_| {
            let index = menu
                .as_ref()
                .and_then(|m| m.value().parse::<usize>().ok())
                .unwrap_or(0);
            let result = canvases
                .get(index)
                .ok_or_else(|| WebError::MissingElement("the chosen chart".into()))
                .and_then(|c| save_png(c, &figure_el, &figure_name));
            report(&status_el, result);
        })?;
    }
    if let Some(button) = bar.query_selector("[data-export=\"csv\"]")? {
        let (f, file, status_el) = (
            Rc::clone(fig),
            format!("spiega-{name}-results.csv"),
            status.clone(),
        );
        dom::on(&button, "click", move |_| {
            let result = match f.try_borrow().ok().and_then(|f| f.csv()) {
                Some(text) => download::save_text(&file, "text/csv", &text),
                None => Err(WebError::Browser(
                    "the figure has nothing to save yet, or is busy; try again".into(),
                )),
            };
            report(&status_el, result);
        })?;
    }
    Ok(())
}

/// The menu that picks which of `canvases` to save, its options in their order, set on the
/// figure's main chart: its largest canvas (by pixels, which asks the browser for no layout
/// while the page starts). A menu that does not list every chart is an error. Some figures show
/// some of their charts only in some settings (the scores figure's regression panel replaces its
/// two-class one): whenever the reader reaches for the menu or for the save `button`, the charts
/// not on show are greyed out in it ([`offer_shown`]).
fn chart_menu(
    menu: Element,
    canvases: &[HtmlCanvasElement],
    button: &Element,
) -> Result<HtmlSelectElement> {
    let menu: HtmlSelectElement = menu
        .dyn_into()
        .map_err(|_| WebError::MissingElement("the chart menu".into()))?;
    if usize::try_from(menu.length()).ok() != Some(canvases.len()) {
        return Err(WebError::MissingElement(format!(
            "a chart menu of {} charts (it lists {})",
            canvases.len(),
            menu.length()
        )));
    }
    menu.set_selected_index(largest(canvases, |_| true));
    for (target, event) in [
        (menu.as_ref(), "focus"),
        (menu.as_ref(), "pointerdown"),
        (button, "focus"),
        (button, "pointerdown"),
    ] {
        let (menu, canvases) = (menu.clone(), canvases.to_vec());
        dom::on(target, event, move |_| offer_shown(&menu, &canvases))?;
    }
    Ok(menu)
}

/// Disables the options of `menu` whose charts are not on show (no width on screen); when the
/// chosen one is among them, chooses the largest chart on show instead. A figure with every
/// chart hidden keeps its menu as it is.
fn offer_shown(menu: &HtmlSelectElement, canvases: &[HtmlCanvasElement]) {
    let shown: Vec<bool> = canvases.iter().map(|c| c.client_width() > 0).collect();
    if !shown.contains(&true) {
        return;
    }
    for (i, on) in shown.iter().enumerate() {
        if let Some(option) = u32::try_from(i).ok().and_then(|i| menu.item(i))
            && let Ok(option) = option.dyn_into::<web_sys::HtmlOptionElement>()
        {
            option.set_disabled(!on);
        }
    }
    let chosen = usize::try_from(menu.selected_index()).ok();
    if chosen.is_none_or(|i| shown.get(i) != Some(&true)) {
        menu.set_selected_index(largest(canvases, |i| shown[i]));
    }
}

/// The index, as the menu counts, of the largest of `canvases` (by pixels) that `eligible`
/// accepts; the first when none does.
fn largest(canvases: &[HtmlCanvasElement], eligible: impl Fn(usize) -> bool) -> i32 {
    canvases
        .iter()
        .enumerate()
        .filter(|(i, _)| eligible(*i))
        .max_by_key(|(_, c)| u64::from(c.width()) * u64::from(c.height()))
        .and_then(|(i, _)| i32::try_from(i).ok())
        .unwrap_or(0)
}

/// The chart's `data-role`, its name in the file name.
fn chart_role(canvas: &HtmlCanvasElement) -> String {
    canvas
        .get_attribute("data-role")
        .unwrap_or_else(|| "chart".into())
}

/// Shows a failure in the toolbar's status (as text), or clears it.
fn report(status: &Element, result: Result<()>) {
    match result {
        Ok(()) => dom::set_text(status, ""),
        Err(e) => dom::set_text(status, &format!("Could not save: {e}.")),
    }
}

/// Saves `canvas` as a PNG over the card's colour, at the canvas's pixel size.
fn save_png(canvas: &HtmlCanvasElement, figure: &Element, name: &str) -> Result<()> {
    let (width, height) = (canvas.width(), canvas.height());
    if width == 0 || height == 0 || canvas.client_width() == 0 {
        return Err(WebError::Browser(
            "this chart is not shown at the moment".into(),
        ));
    }
    let out: HtmlCanvasElement = dom::document()?
        .create_element("canvas")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no canvas element".into()))?;
    out.set_width(width);
    out.set_height(height);
    let ctx: CanvasRenderingContext2d = out
        .get_context("2d")?
        .ok_or_else(|| WebError::Browser("no 2-D drawing context".into()))?
        .dyn_into()
        .map_err(|_| WebError::Browser("no 2-D drawing context".into()))?;
    let palette = Palette::from_css()?;
    let mut css = String::new();
    ctx.set_fill_style_str(css_rgba(&mut css, rgb(palette.card), 1.0));
    ctx.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    ctx.draw_image_with_html_canvas_element(canvas, 0.0, 0.0)?;
    let file = format!("spiega-{name}-{}.png", chart_role(canvas));
    let status = figure.query_selector(".export-status").ok().flatten();
    let saved = Closure::once_into_js(move |blob: Option<Blob>| {
        let result = blob
            .ok_or_else(|| WebError::Browser("the browser made no image".into()))
            .and_then(|b| download::save_blob(&file, &b));
        if let Some(status) = status {
            report(&status, result);
        }
    });
    out.to_blob(saved.unchecked_ref())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_lessons::playground::SplitScore;

    #[test]
    fn scores_rows_follow_the_header() {
        let split = |loss: f32, accuracy: Option<f32>| SplitScore { loss, accuracy };
        let history = [
            Scores {
                step: 0,
                train: split(0.75, Some(0.5)),
                validation: Some(split(0.8, Some(0.25))),
                test: None,
            },
            Scores {
                step: 10,
                train: split(0.125, None),
                validation: None,
                test: Some(split(1.5, None)),
            },
        ];
        let mut header = vec!["run"];
        header.extend(SCORES_HEADER);
        let mut csv = Csv::new(&header);
        scores_rows(&mut csv, &[Cell::from("a, b")], &history);
        assert_eq!(
            csv.finish(),
            "run,step,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,test_accuracy\n\
             \"a, b\",0,0.75,0.5,0.8,0.25,,\n\
             \"a, b\",10,0.125,,,,1.5,\n"
        );
    }
}
