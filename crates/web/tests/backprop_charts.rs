//! Component tests in headless Chromium for the backpropagation and optimizers sections: live
//! MathML carries each number's state key and summarises large matrices; the contour map draws
//! its surface and paths and maps pixels back to data; the network diagram outlines a whole layer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use spiega_web::charts::Palette;
use spiega_web::charts::contour::{ContourMap, ContourSpec, Path};
use spiega_web::charts::heatmap::ColorScale;
use spiega_web::charts::network::{Highlight, LayerSpec, Network, NetworkSpec, NodeSpec};
use spiega_web::figures::mathml::{MathBuilder, Num, matrix};
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

/// A fingerprint of the canvas's pixels.
fn pixels(c: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.get_image_data(0.0, 0.0, f64::from(c.width()), f64::from(c.height()))
        .unwrap()
        .data()
        .to_vec()
}

#[wasm_bindgen_test]
fn live_numbers_carry_their_keys_and_large_matrices_are_summarised() {
    let rows = vec![vec![1.0_f32, -2.5, 0.125]; 8];
    let full = MathBuilder::new().unwrap();
    let table = full.bracketed(&matrix(&rows, "layers.0.W")).unwrap();
    let numbers = table.query_selector_all("mn[data-key]").unwrap();
    assert_eq!(numbers.length(), 24);
    let second: web_sys::Element = numbers.item(1).unwrap().dyn_into().unwrap();
    assert_eq!(second.get_attribute("data-key").unwrap(), "layers.0.W.0.1");
    // Four decimals and a true minus sign.
    assert_eq!(second.text_content().unwrap(), "−2.5000");

    let short = MathBuilder::new().unwrap().with_limit(6);
    let table = short.bracketed(&matrix(&rows, "W")).unwrap();
    assert_eq!(
        table.query_selector_all("mn[data-key]").unwrap().length(),
        18
    );
    // One summary row of ⋮ under the six rows shown.
    assert_eq!(table.query_selector_all("mtr").unwrap().length(), 7);
    let single = short.mn(&Num::new(0.5, "loss")).unwrap();
    assert_eq!(
        single.namespace_uri().unwrap(),
        "http://www.w3.org/1998/Math/MathML"
    );
}

#[wasm_bindgen_test]
fn the_contour_map_draws_its_surface_and_paths_and_maps_pixels_back() {
    let c = canvas(300, 300);
    let palette = Palette::from_css().unwrap();
    let n = 40;
    // A bowl x² + y² over [−1, 1]², row 0 at the top.
    let values: Vec<f32> = (0..n * n)
        .map(|i| {
            let (r, col) = (i / n, i % n);
            let x = -1.0 + 2.0 * (col as f32 + 0.5) / n as f32;
            let y = 1.0 - 2.0 * (r as f32 + 0.5) / n as f32;
            x * x + y * y
        })
        .collect();
    let mut map = ContourMap::new();
    fn spec<'a>(n: usize, values: &'a [f32], paths: Vec<Path<'a>>) -> ContourSpec<'a> {
        ContourSpec {
            n,
            values,
            x_range: (-1.0, 1.0),
            y_range: (-1.0, 1.0),
            paths,
            start: [-0.8, 0.8],
            minima: &[[0.0, 0.0]],
        }
    }
    map.draw(&c, &spec(n, &values, vec![]), &palette).unwrap();
    let bare = pixels(&c);
    let path = [[-0.8_f32, 0.8], [-0.4, 0.3], [0.0, 0.0]];
    map.draw(
        &c,
        &spec(
            n,
            &values,
            vec![Path {
                points: &path,
                color: palette.orange,
            }],
        ),
        &palette,
    )
    .unwrap();
    assert_ne!(bare, pixels(&c), "the path left no mark");
    // The centre of the square canvas is the origin of the data.
    let (x, y) = map.to_data(150.0, 150.0).unwrap();
    assert!(x.abs() < 0.05 && y.abs() < 0.05, "({x}, {y})");
    let bad = ContourSpec {
        n: 3,
        ..spec(n, &values, vec![])
    };
    assert!(map.draw(&c, &bad, &palette).is_err());
}

#[wasm_bindgen_test]
fn the_network_diagram_outlines_a_whole_layer() {
    let c = canvas(360, 200);
    let palette = Palette::from_css().unwrap();
    let w1 = [0.5_f32, -0.3, 0.8, 0.1, -0.9, 0.4];
    let w2 = [0.2_f32, -0.7, 0.6, -0.1, 0.3, 0.9];
    let labels = ["x₁", "x₂"];
    let node = |bias| NodeSpec {
        bias,
        ..NodeSpec::default()
    };
    let spec = |highlight| NetworkSpec {
        layers: vec![
            LayerSpec {
                labels: &labels,
                nodes: vec![node(None); 2],
            },
            LayerSpec {
                labels: &[],
                nodes: vec![node(Some(0.1)); 3],
            },
            LayerSpec {
                labels: &[],
                nodes: vec![node(Some(-0.2)); 2],
            },
        ],
        weights: vec![&w1, &w2],
        map_n: 0,
        max_abs_weight: 1.0,
        highlight,
        map_scale: ColorScale::UNIT,
        discretize: false,
    };
    let mut net = Network::new();
    net.draw(&c, &spec(None), &palette).unwrap();
    let plain = pixels(&c);
    net.draw(&c, &spec(Some(Highlight::Layer { layer: 1 })), &palette)
        .unwrap();
    let first = pixels(&c);
    net.draw(&c, &spec(Some(Highlight::Layer { layer: 2 })), &palette)
        .unwrap();
    let second = pixels(&c);
    assert_ne!(plain, first);
    assert_ne!(
        first, second,
        "outlining another layer drew the same picture"
    );
}
