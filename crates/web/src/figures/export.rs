//! The figure's export tools: save any of its charts as a PNG, and its histories and scores as
//! CSV when it keeps any ([`Figure::csv`]).
//!
//! A PNG is the chart's canvas at its full pixel size, drawn over the card's colour so it reads
//! on any background, and named `spiega-<figure>-<chart>.png` after the canvas's `data-role`.
//! When a figure has several charts, a menu named by each chart's label picks the one to save.
//! The CSV is named `spiega-<figure>-results.csv`. Both are saved through [`download`], which
//! needs no script and no navigation, so they work under the page's Content-Security-Policy.

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
use web_sys::{
    Blob, CanvasRenderingContext2d, Element, HtmlButtonElement, HtmlCanvasElement,
    HtmlSelectElement,
};

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

/// The plain name of the page's charts by their `data-role` (their labels change as they show
/// new values, so the menu names them by what they are).
pub fn chart_name(role: &str) -> Option<&'static str> {
    Some(match role {
        "accuracy" => "Accuracy against weights removed",
        "attention" => "Attention weights",
        "boundary-0" => "Boundary of the smallest network",
        "boundary-1" => "Boundary of the chosen network",
        "boundary-2" => "Boundary of the largest network",
        "coefficients" => "Coefficients at the chosen rate",
        "cross-entropy" => "Cross-entropy",
        "curve" => "Loss against capacity",
        "curves" | "loss-chart" => "Loss curves",
        "decay" => "AdamW against Adam with L2",
        "embeddings" => "Embeddings",
        "feature-map" => "Feature map",
        "heatmap" => "Output over the plane",
        "histogram-0" => "Weights without a penalty",
        "histogram-1" => "Weights with L1",
        "histogram-2" => "Weights with L2",
        "histogram-3" => "Weights with the elastic net",
        "histograms" => "Pre-activation histograms",
        "image" => "Input digit",
        "impurity" => "Gini impurity and entropy",
        "losses" => "Losses",
        "map" => "Loss surface and paths",
        "network" => "Network",
        "paths" => "Coefficient paths",
        "plane" => "Real and generated points",
        "points" => "Training points",
        "pooled" => "Pooled map",
        "pr" => "Precision-recall curve",
        "rate-chart" => "Learning rate per step",
        "residuals" => "Residuals",
        "roc" => "ROC curve",
        _ => return None,
    })
}

/// A chart's short name for the menu when it has no plain name: its label up to the first sentence or clause break, at
/// most about 48 characters (cut at a word).
pub fn short_name(label: &str) -> String {
    let mut end = label.len();
    for stop in [". ", ": ", "; ", " (", ", "] {
        if let Some(i) = label.find(stop) {
            end = end.min(i);
        }
    }
    let name = label[..end].trim().trim_end_matches('.');
    const MAX: usize = 48;
    if name.chars().count() <= MAX {
        return name.to_owned();
    }
    let cut: String = name.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// Adds the export buttons for figure `name` (root `figure`) to its toolbar `bar`: one for its
/// charts, and "Save data as CSV" when it keeps `data`.
pub fn add(
    bar: &Element,
    figure: &Element,
    name: &str,
    data: bool,
    fig: &Rc<RefCell<dyn Figure>>,
) -> Result<()> {
    let canvases: Vec<HtmlCanvasElement> = dom::query_all(figure, "canvas[role=\"img\"]")?
        .into_iter()
        .filter_map(|c| c.dyn_into().ok())
        .collect();
    let status = dom::status_line("export-status")?;
    if !canvases.is_empty() {
        let menu = if canvases.len() > 1 {
            Some(chart_menu(bar, name, &canvases)?)
        } else {
            None
        };
        let button = tool_button("Save chart as PNG", "png")?;
        bar.append_child(&button)?;
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
    if data {
        let button = tool_button("Save data as CSV", "csv")?;
        bar.append_child(&button)?;
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
    bar.append_child(&status)?;
    Ok(())
}

/// A plain toolbar button with a visible label; `kind` marks it for styles and tests.
fn tool_button(label: &str, kind: &str) -> Result<HtmlButtonElement> {
    let button = dom::button(label, "export-button")?;
    button.set_attribute("data-export", kind)?;
    Ok(button)
}

/// The labelled menu that picks which of several charts to save.
fn chart_menu(
    bar: &Element,
    name: &str,
    canvases: &[HtmlCanvasElement],
) -> Result<HtmlSelectElement> {
    let doc = dom::document()?;
    let label = doc.create_element("label")?;
    label.set_class_name("export-chart");
    let text = doc.create_element("span")?;
    dom::set_text(&text, "Chart");
    label.append_child(&text)?;
    let menu: HtmlSelectElement = doc
        .create_element("select")?
        .dyn_into()
        .map_err(|_| WebError::Browser("no select element".into()))?;
    menu.set_attribute("data-export", "chart")?;
    menu.set_attribute("aria-label", &format!("Chart of the {name} figure to save"))?;
    for (i, canvas) in canvases.iter().enumerate() {
        let option = doc.create_element("option")?;
        option.set_attribute("value", &i.to_string())?;
        // A canvas may name itself for the menu (`data-chart-name`), else its role or label does.
        let label = canvas
            .get_attribute("data-chart-name")
            .or_else(|| chart_name(&chart_role(canvas)).map(str::to_owned))
            .or_else(|| canvas.get_attribute("aria-label").map(|l| short_name(&l)))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| chart_role(canvas));
        dom::set_text(&option, &label);
        menu.append_child(&option)?;
    }
    // The menu starts on the figure's main chart: its largest canvas.
    let largest = canvases
        .iter()
        .enumerate()
        .max_by_key(|(_, c)| u64::from(c.width()) * u64::from(c.height()))
        .map_or(0, |(i, _)| i);
    menu.set_selected_index(i32::try_from(largest).unwrap_or(0));
    label.append_child(&menu)?;
    bar.append_child(&label)?;
    Ok(menu)
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
    fn short_names_stop_at_the_first_break() {
        assert_eq!(short_name("ROC curve"), "ROC curve");
        assert_eq!(
            short_name("Loss curves after 12 updates. Run A: training 0.5."),
            "Loss curves after 12 updates"
        );
        assert_eq!(
            short_name("ROC curve of the network on its split (40 points), area 0.9"),
            "ROC curve of the network on its split"
        );
        let long = short_name(
            "Real and generated points over the discriminator's probability of being real",
        );
        assert!(long.ends_with('…') && long.chars().count() <= 49, "{long}");
    }

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
