//! Component tests in headless Chromium: charts draw real pixels on real canvases, and a figure
//! mounted on a page fragment reads its controls and reports engine values.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use spiega_web::charts::line::{self, LineChart, Series, Stroke};
use spiega_web::charts::{Palette, bars};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let doc = spiega_web::dom::document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_attribute(
        "style",
        &format!("width:{width}px;height:{height}px;display:block"),
    )
    .unwrap();
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

/// How many pixels differ from the top-left (background) pixel.
fn ink(c: &HtmlCanvasElement) -> usize {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(c.width()), f64::from(c.height()))
        .unwrap()
        .data();
    let bg = &data[0..4];
    data.chunks(4).filter(|p| *p != bg).count()
}

#[wasm_bindgen_test]
fn a_line_chart_fills_its_css_box_and_draws_its_series() {
    let c = canvas(320, 200);
    let palette = Palette::from_css().unwrap();
    let pts: Vec<(f64, f64)> = (0..50)
        .map(|i| (f64::from(i) / 10.0, (f64::from(i) / 10.0).sin()))
        .collect();
    let empty = LineChart {
        x: 0.0..5.0,
        y: -1.2..1.2,
        x_label: "x",
        series: vec![],
        bands: &[],
        markers: vec![],
        log_y: false,
        note: None,
    };
    line::draw(&c, &empty, &palette).unwrap();
    assert!(
        c.width() >= 320 && c.height() >= 200,
        "{}×{}",
        c.width(),
        c.height()
    );
    let axes_only = ink(&c);
    let chart = LineChart {
        series: vec![Series {
            points: &pts,
            color: palette.blue,
            stroke: Stroke::Solid,
        }],
        bands: &[(1.0, 2.0)],
        ..empty
    };
    line::draw(&c, &chart, &palette).unwrap();
    assert!(
        ink(&c) > axes_only + 500,
        "the series and band drew too little"
    );
}

#[wasm_bindgen_test]
fn a_hidden_canvas_is_skipped_without_error() {
    let c = canvas(300, 100);
    c.set_attribute("style", "display:none").unwrap();
    let palette = Palette::from_css().unwrap();
    bars::draw(&c, &["a".into()], &[], &palette).unwrap();
}

#[wasm_bindgen_test]
fn bars_draw_in_every_panel() {
    let c = canvas(400, 200);
    let palette = Palette::from_css().unwrap();
    let cats: Vec<String> = vec!["a".into(), "b".into()];
    bars::draw(
        &c,
        &cats,
        &[
            bars::Panel {
                title: "z",
                values: &[1.0, -1.0],
                y: -2.0..2.0,
                color: palette.orange,
                decimals: 1,
            },
            bars::Panel {
                title: "p",
                values: &[0.7, 0.3],
                y: 0.0..1.0,
                color: palette.blue,
                decimals: 2,
            },
        ],
        &palette,
    )
    .unwrap();
    assert!(ink(&c) > 2000);
}
