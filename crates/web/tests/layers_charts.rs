//! Component tests in headless Chromium for the layers, costs and scores sections' charts: the
//! grid chart colours each cell by its value's sign and the scatter chart draws its groups.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use spiega_web::charts::Palette;
use spiega_web::charts::grid::{self, GridChart};
use spiega_web::charts::scatter::{self, ScatterChart};
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

/// The RGB of the canvas pixel at CSS `(x, y)`.
fn pixel(c: &HtmlCanvasElement, x: f64, y: f64) -> [u8; 3] {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let ratio = f64::from(c.width()) / f64::from(c.client_width());
    let d = ctx
        .get_image_data((x * ratio).floor(), (y * ratio).floor(), 1.0, 1.0)
        .unwrap()
        .data();
    [d[0], d[1], d[2]]
}

#[wasm_bindgen_test]
fn a_grid_colours_positive_cells_blue_and_negative_ones_orange() {
    let c = canvas(200, 100);
    let palette = Palette::from_css().unwrap();
    // Two rows of four cells of 50 px: +1 at (0, 0), −1 at (1, 3), zeros elsewhere.
    let mut values = vec![0.0; 8];
    values[0] = 1.0;
    values[7] = -1.0;
    grid::draw(
        &c,
        &GridChart {
            values: &values,
            rows: 2,
            cols: 4,
            reach: 1.0,
            padding: (0, 0, 0, 0),
            decimals: 1,
        },
        &palette,
    )
    .unwrap();
    let blue = [palette.blue.0, palette.blue.1, palette.blue.2];
    let orange = [palette.orange.0, palette.orange.1, palette.orange.2];
    let card = [palette.card.0, palette.card.1, palette.card.2];
    // Sample near a corner of each cell, away from its value label.
    assert_eq!(pixel(&c, 5.0, 5.0), blue);
    assert_eq!(pixel(&c, 195.0, 95.0), orange);
    assert_eq!(pixel(&c, 55.0, 5.0), card);
}

#[wasm_bindgen_test]
fn a_scatter_chart_draws_each_group_in_its_colour() {
    let c = canvas(300, 300);
    let palette = Palette::from_css().unwrap();
    let empty = ScatterChart {
        x: -1.0..1.0,
        y: -1.0..1.0,
        x_label: "x",
        y_label: "y",
        groups: vec![],
        zero_line: false,
    };
    scatter::draw(&c, &empty, &palette).unwrap();
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let count = |want: [u8; 3]| {
        let d = ctx
            .get_image_data(0.0, 0.0, f64::from(c.width()), f64::from(c.height()))
            .unwrap()
            .data();
        d.chunks(4)
            .filter(|p| p[..3].iter().zip(want).all(|(a, b)| a.abs_diff(b) < 64))
            .count()
    };
    // Points are drawn at 80% opacity, so their pixels lie near, not on, the palette's blue.
    let blue = [palette.blue.0, palette.blue.1, palette.blue.2];
    let before = count(blue);
    let points = [(0.0, 0.0), (0.5, 0.5), (-0.5, 0.2)];
    let full = ScatterChart {
        groups: vec![(&points, palette.blue)],
        ..empty
    };
    scatter::draw(&c, &full, &palette).unwrap();
    assert!(count(blue) > before + 30, "{before} → {}", count(blue));
}
