//! Component test: the activation figure mounted on a fragment of markup reads its controls and
//! shows the engine's values, and a fragment missing a control is reported, not panicked on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const MARKUP: &str = r#"
  <label><input type="radio" name="activation" value="tanh" checked><span>Tanh</span></label>
  <canvas data-role="chart" style="width:300px;height:200px;display:block"></canvas>
  <p data-role="readout"></p>
  <input type="range" data-role="range" min="1" max="12" step="0.5" value="4">
  <input type="range" data-role="probe" min="-4" max="4" step="0.05" value="0.5">
  <input type="range" data-role="slope" min="0" max="0.5" step="0.01" value="0.1">
  <input type="range" data-role="alpha" min="-0.5" max="1.5" step="0.05" value="0.25">
  <input type="range" data-role="beta" min="0" max="5" step="0.1" value="1">
"#;

fn fragment(markup: &str) -> Element {
    let doc = spiega_web::dom::document().unwrap();
    let fig = doc.create_element("figure").unwrap();
    // Test-owned markup, not reader text.
    fig.set_inner_html(markup);
    doc.body().unwrap().append_child(&fig).unwrap();
    fig
}

#[wasm_bindgen_test]
fn the_activation_figure_shows_the_engines_values() {
    let fig = fragment(MARKUP);
    let figure = spiega_web::figures::activations::mount(&fig).unwrap();
    figure.borrow_mut().update().unwrap();
    let readout = fig
        .query_selector("[data-role=readout]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    // tanh(0.5) = 0.4621, tanh'(0.5) = 1 − tanh²(0.5) = 0.7864.
    assert!(readout.contains("g(z) = 0.4621"), "{readout}");
    assert!(readout.contains("g′(z) = 0.7864"), "{readout}");
    let probe: HtmlInputElement = fig
        .query_selector("[data-role=probe]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    probe.set_value("-1");
    figure.borrow_mut().update().unwrap();
    let readout = fig
        .query_selector("[data-role=readout]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(readout.contains("g(z) = −0.7616"), "{readout}");
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
