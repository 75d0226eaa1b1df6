//! Component test: the activation figure mounted on its section's real markup
//! (`www/sections/02-activations.html`) reads its controls and shows the engine's values, and a
//! fragment missing a control is reported, not panicked on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The activation section as the page has it: prose, the figure's controls and its notes.
const SECTION: &str = include_str!("../../../www/sections/02-activations.html");

fn fragment(markup: &str) -> Element {
    let doc = spiega_web::dom::document().unwrap();
    let host = doc.create_element("div").unwrap();
    // Test-owned markup (the page's own section file), not reader text.
    host.set_inner_html(markup);
    doc.body().unwrap().append_child(&host).unwrap();
    host
}

/// The figure's readout after an update.
fn readout(fig: &Element) -> String {
    fig.query_selector("[data-role=readout]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap()
}

/// The figure's input that `selector` finds.
fn input(fig: &Element, selector: &str) -> HtmlInputElement {
    fig.query_selector(selector)
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
fn the_activation_figure_shows_the_engines_values() {
    let host = fragment(SECTION);
    let fig = host
        .query_selector("figure[data-figure=activations]")
        .unwrap()
        .expect("the section has the activation figure");
    let figure = spiega_web::figures::activations::mount(&fig).unwrap();
    figure.borrow_mut().update().unwrap();
    // The page's defaults: the sigmoid, probed at 1. σ(1) = 0.7311, σ′(1) = σ(1)(1 − σ(1)) = 0.1966.
    let text = readout(&fig);
    assert!(text.contains("g(z) = 0.7311"), "{text}");
    assert!(text.contains("g′(z) = 0.1966"), "{text}");
    input(&fig, "input[name=activation][value=tanh]").set_checked(true);
    input(&fig, "[data-role=probe]").set_value("0.5");
    figure.borrow_mut().update().unwrap();
    // tanh(0.5) = 0.4621, tanh'(0.5) = 1 − tanh²(0.5) = 0.7864.
    let text = readout(&fig);
    assert!(text.contains("g(z) = 0.4621"), "{text}");
    assert!(text.contains("g′(z) = 0.7864"), "{text}");
    input(&fig, "[data-role=probe]").set_value("-1");
    figure.borrow_mut().update().unwrap();
    let text = readout(&fig);
    assert!(text.contains("g(z) = −0.7616"), "{text}");
    host.remove();
}

#[wasm_bindgen_test]
fn a_figure_missing_a_control_reports_which() {
    let fig = fragment(r#"<canvas data-role="chart"></canvas>"#);
    let err = spiega_web::figures::activations::mount(&fig)
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("readout")),
        "{err:?}"
    );
}
