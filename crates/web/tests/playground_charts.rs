//! Component tests in headless Chromium for the playground's charts: the heatmap paints the field
//! and the points where the frame says they are, and the network diagram paints its edges and
//! node maps where its layout says they are. Pixels are read back from real canvases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use spiega_web::charts::Palette;
use spiega_web::charts::heatmap::{
    ColorScale, DEFAULT_RANGE, FIELD_STRENGTH, Field, Heatmap, HeatmapSpec, Point, Rgb, Split,
    Splits, mix, rgb,
};
use spiega_web::charts::network::{
    Highlight, LayerSpec, Network, NetworkSpec, NodeSpec, curve_point,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
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

/// The colour of the canvas pixel under the CSS pixel `(x, y)`.
fn pixel(c: &HtmlCanvasElement, x: f64, y: f64) -> Rgb {
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let ratio = f64::from(c.width()) / f64::from(c.client_width());
    let d = ctx
        .get_image_data((x * ratio).floor(), (y * ratio).floor(), 1.0, 1.0)
        .unwrap()
        .data();
    [d[0], d[1], d[2]]
}

/// Whether two colours agree within `tol` per channel (smoothing and blending round a little).
fn near(a: Rgb, b: Rgb, tol: u8) -> bool {
    a.iter().zip(&b).all(|(x, y)| x.abs_diff(*y) <= tol)
}

/// A field over −6..6 that is −1 on the left half and +1 on the right half.
fn halves(n: usize) -> Vec<f32> {
    (0..n * n)
        .map(|k| if k % n < n / 2 { -1.0 } else { 1.0 })
        .collect()
}

fn spec<'a>(values: &'a [f32], n: usize, points: &'a [Point]) -> HeatmapSpec<'a> {
    HeatmapSpec {
        field: Field::Values(values),
        n,
        x_range: DEFAULT_RANGE,
        y_range: DEFAULT_RANGE,
        scale: ColorScale::UNIT,
        discretize: false,
        points,
        splits: Splits::TRAINING,
        ticks: true,
    }
}

#[wasm_bindgen_test]
fn the_heatmap_is_blue_where_values_are_positive_and_orange_where_negative() {
    let c = canvas(240, 240);
    let palette = Palette::from_css().unwrap();
    let n = 100;
    let values = halves(n);
    let mut heatmap = Heatmap::new();
    heatmap.draw(&c, &spec(&values, n, &[]), &palette).unwrap();
    // The field is laid over the card at the field strength, so full colours are washed by it.
    let card = rgb(palette.card);
    let blue = mix(card, rgb(palette.blue), FIELD_STRENGTH);
    let orange = mix(card, rgb(palette.orange), FIELD_STRENGTH);
    let (x, y) = heatmap.to_pixel(3.0, 0.0).unwrap();
    assert!(
        near(pixel(&c, x, y), blue, 2),
        "{:?} at x = 3",
        pixel(&c, x, y)
    );
    let (x, y) = heatmap.to_pixel(-3.0, 4.0).unwrap();
    assert!(
        near(pixel(&c, x, y), orange, 2),
        "{:?} at x = −3",
        pixel(&c, x, y)
    );
    // Mouse coordinates come back as data coordinates.
    let (dx, dy) = heatmap.to_data(x, y).unwrap();
    assert!((dx + 3.0).abs() < 1e-3 && (dy - 4.0).abs() < 1e-3);
}

#[wasm_bindgen_test]
fn the_heatmap_keeps_rows_top_down_and_discretizes_at_the_sign() {
    let c = canvas(200, 200);
    let palette = Palette::from_css().unwrap();
    let n = 10;
    // Row 0 (the top, y = 6) is slightly positive, every other row slightly negative.
    let values: Vec<f32> = (0..n * n)
        .map(|k| if k < n { 0.05 } else { -0.05 })
        .collect();
    let mut heatmap = Heatmap::new();
    let mut s = spec(&values, n, &[]);
    s.discretize = true;
    heatmap.draw(&c, &s, &palette).unwrap();
    let card = rgb(palette.card);
    let (x, y) = heatmap.to_pixel(0.0, 5.7).unwrap();
    let top = mix(card, rgb(palette.blue), FIELD_STRENGTH);
    assert!(near(pixel(&c, x, y), top, 2), "{:?}", pixel(&c, x, y));
    let (x, y) = heatmap.to_pixel(0.0, -3.0).unwrap();
    let rest = mix(card, rgb(palette.orange), FIELD_STRENGTH);
    assert!(near(pixel(&c, x, y), rest, 2), "{:?}", pixel(&c, x, y));
}

#[wasm_bindgen_test]
fn points_appear_in_their_class_colour_and_test_points_only_when_asked() {
    let c = canvas(300, 300);
    let palette = Palette::from_css().unwrap();
    let n = 20;
    // A neutral field, so the points are the only colour.
    let values = vec![0.0; n * n];
    let point = |x, y, label, split| Point {
        x,
        y,
        class_or_value: label,
        split,
        selected: false,
    };
    let points = [
        point(3.0, 3.0, 1.0, Split::Train),
        point(-3.0, -3.0, -1.0, Split::Train),
        point(-3.0, 3.0, 1.0, Split::Test),
        Point {
            selected: true,
            ..point(3.0, -3.0, -1.0, Split::Validation)
        },
    ];
    let mut heatmap = Heatmap::new();
    heatmap
        .draw(&c, &spec(&values, n, &points), &palette)
        .unwrap();
    let card = rgb(palette.card);
    let frame = *heatmap.frame().unwrap();
    let at = |x, y| {
        let (px, py) = frame.to_pixel(x, y);
        pixel(&c, px, py)
    };
    assert!(
        near(at(3.0, 3.0), rgb(palette.blue), 2),
        "{:?}",
        at(3.0, 3.0)
    );
    assert!(near(at(-3.0, -3.0), rgb(palette.orange), 2));
    // The test point is hidden while training.
    assert!(near(at(-3.0, 3.0), card, 1), "{:?}", at(-3.0, 3.0));
    // A validation point is hollow: card inside, its colour on the ring.
    assert!(near(at(3.0, -3.0), card, 1));
    let (px, py) = frame.to_pixel(3.0, -3.0);
    let ring = 1.5 * frame.point_radius();
    let on_ring = pixel(&c, px + ring, py);
    assert!(
        !near(on_ring, card, 20),
        "the selected point's ring is missing: {on_ring:?}"
    );
    // Asking for every split shows the test point.
    let mut all = spec(&values, n, &points);
    all.splits = Splits::ALL;
    heatmap.draw(&c, &all, &palette).unwrap();
    assert!(
        near(at(-3.0, 3.0), rgb(palette.blue), 2),
        "{:?}",
        at(-3.0, 3.0)
    );
    // The hit test finds the point under the pointer.
    let (px, py) = frame.to_pixel(-3.0, -3.0);
    assert_eq!(
        frame.nearest_point(&points, Splits::ALL, px + 2.0, py, 6.0),
        Some(1)
    );
}

#[wasm_bindgen_test]
fn several_classes_use_their_own_colours() {
    let c = canvas(200, 200);
    let palette = Palette::from_css().unwrap();
    let n = 4;
    // Left half class 0 (blue), right half class 1 (orange), all certain.
    let class: Vec<u8> = (0..n * n).map(|k| u8::from(k % n >= n / 2)).collect();
    let confidence = vec![1.0; n * n];
    let mut s = spec(&[], n, &[]);
    s.field = Field::ClassMap {
        class: &class,
        confidence: &confidence,
    };
    s.scale = ColorScale::Classes { count: 3 };
    let mut heatmap = Heatmap::new();
    heatmap.draw(&c, &s, &palette).unwrap();
    let card = rgb(palette.card);
    let (x, y) = heatmap.to_pixel(-4.0, 0.0).unwrap();
    assert!(near(
        pixel(&c, x, y),
        mix(card, rgb(palette.blue), FIELD_STRENGTH),
        2
    ));
    let (x, y) = heatmap.to_pixel(4.0, 0.0).unwrap();
    assert!(near(
        pixel(&c, x, y),
        mix(card, rgb(palette.orange), FIELD_STRENGTH),
        2
    ));
}

#[wasm_bindgen_test]
fn a_heatmap_with_the_wrong_number_of_values_is_refused() {
    let c = canvas(100, 100);
    let palette = Palette::from_css().unwrap();
    let values = vec![0.0; 99];
    let err = Heatmap::new()
        .draw(&c, &spec(&values, 10, &[]), &palette)
        .map_err(|e| e.to_string());
    assert!(
        err.as_ref().is_err_and(|e| e.contains("100 values")),
        "{err:?}"
    );
}

/// A network of the given layer sizes whose maps are all +1 on even nodes and −1 on odd ones,
/// with every weight `w` and every bias 0.5.
struct Net {
    maps: Vec<Vec<f32>>,
    weights: Vec<Vec<f32>>,
    sizes: Vec<usize>,
}

const MAP_N: usize = 20;

impl Net {
    fn new(sizes: &[usize], w: f32) -> Self {
        let mut maps = Vec::new();
        for &n in sizes {
            for j in 0..n {
                let v = if j % 2 == 0 { 1.0 } else { -1.0 };
                maps.push(vec![v; MAP_N * MAP_N]);
            }
        }
        let weights = sizes.windows(2).map(|p| vec![w; p[0] * p[1]]).collect();
        Self {
            maps,
            weights,
            sizes: sizes.to_vec(),
        }
    }

    fn spec(&self) -> NetworkSpec<'_> {
        let mut maps = self.maps.iter();
        NetworkSpec {
            layers: self
                .sizes
                .iter()
                .enumerate()
                .map(|(l, &n)| LayerSpec {
                    labels: if l == 0 {
                        &["x₁", "x₂", "x₁²"]
                    } else {
                        &[]
                    },
                    nodes: (0..n)
                        .map(|_| NodeSpec {
                            bias: (l > 0).then_some(0.5),
                            map: maps.next().map(Vec::as_slice),
                            dead: false,
                            dropped: false,
                        })
                        .collect(),
                })
                .collect(),
            weights: self.weights.iter().map(Vec::as_slice).collect(),
            map_n: MAP_N,
            max_abs_weight: 1.0,
            highlight: None,
            map_scale: ColorScale::UNIT,
            discretize: false,
        }
    }
}

#[wasm_bindgen_test]
fn the_network_draws_node_maps_and_edges_in_their_colours() {
    let c = canvas(640, 400);
    let palette = Palette::from_css().unwrap();
    // One input fanning out to two nodes and back: no two edges cross halfway.
    let net = Net::new(&[1, 2, 1], 1.0);
    let mut spec = net.spec();
    let negative = [-1.0, 1.0];
    spec.weights[1] = &negative;
    let mut network = Network::new();
    let layout = network.draw(&c, &spec, &palette).unwrap().unwrap().clone();
    // Node maps: the input (node 0) is +1 everywhere, hidden node 1 is −1 everywhere.
    let (x, y) = layout.node(0, 0).unwrap().center();
    assert!(
        near(pixel(&c, x, y), rgb(palette.blue), 2),
        "{:?}",
        pixel(&c, x, y)
    );
    let (x, y) = layout.node(1, 1).unwrap().center();
    assert!(
        near(pixel(&c, x, y), rgb(palette.orange), 2),
        "{:?}",
        pixel(&c, x, y)
    );
    // Edges at full weight are drawn opaque: blue for +1, orange for −1.
    let (x, y) = curve_point(&layout.edge_curve(0, 0, 0).unwrap(), 0.5);
    assert!(
        near(pixel(&c, x, y), rgb(palette.blue), 3),
        "{:?}",
        pixel(&c, x, y)
    );
    let (x, y) = curve_point(&layout.edge_curve(1, 0, 0).unwrap(), 0.5);
    assert!(
        near(pixel(&c, x, y), rgb(palette.orange), 3),
        "{:?}",
        pixel(&c, x, y)
    );
    // The bias square sits at the hidden node's bottom-left corner, blue for +0.5.
    let b = layout.bias_rect(1, 1).unwrap();
    let (x, y) = b.center();
    assert!(
        near(pixel(&c, x, y), rgb(palette.blue), 2),
        "{:?}",
        pixel(&c, x, y)
    );
    // Far from every node and edge, the card shows.
    assert!(near(pixel(&c, 630.0, 5.0), rgb(palette.card), 0));
    // The layout handed back answers hover questions.
    let (x, y) = layout.node(2, 0).unwrap().center();
    assert_eq!(layout.node_at(x, y), Some((2, 0)));
}

#[wasm_bindgen_test]
fn dead_dropped_and_highlighted_nodes_look_different() {
    let c = canvas(640, 400);
    let palette = Palette::from_css().unwrap();
    let net = Net::new(&[2, 4, 1], 0.5);
    let plain = {
        let mut network = Network::new();
        network.draw(&c, &net.spec(), &palette).unwrap();
        let layout = network.layout().unwrap().clone();
        let at = |l, j| {
            let (x, y) = layout.node(l, j).unwrap().center();
            pixel(&c, x + 3.0, y)
        };
        [at(1, 0), at(1, 2)]
    };
    let mut spec = net.spec();
    spec.layers[1].nodes[0].dead = true;
    spec.layers[1].nodes[2].dropped = true;
    spec.highlight = Some(Highlight::Node { layer: 2, node: 0 });
    let mut network = Network::new();
    let layout = network.draw(&c, &spec, &palette).unwrap().unwrap().clone();
    let at = |l, j| {
        let (x, y) = layout.node(l, j).unwrap().center();
        pixel(&c, x + 3.0, y)
    };
    assert!(!near(at(1, 0), plain[0], 10), "a dead node is greyed");
    assert!(!near(at(1, 2), plain[1], 10), "a dropped node is faded");
    let r = layout.node(2, 0).unwrap();
    let ring = pixel(&c, r.center().0, r.y - 2.0);
    assert!(
        near(ring, rgb(palette.ink), 40),
        "the highlight ring is missing: {ring:?}"
    );
}

/// Forces the canvas to finish drawing (reading a pixel waits for the rasteriser).
fn flush(c: &HtmlCanvasElement) {
    pixel(c, 0.0, 0.0);
}

/// Milliseconds per call of `draw`, over `frames` calls after a first one that makes the buffers.
fn time_per_frame(frames: u32, mut draw: impl FnMut()) -> f64 {
    draw();
    let start = js_sys::Date::now();
    for _ in 0..frames {
        draw();
    }
    (js_sys::Date::now() - start) / f64::from(frames)
}

#[wasm_bindgen_test]
fn large_charts_draw_within_a_frame() {
    let palette = Palette::from_css().unwrap();
    let c = canvas(640, 400);
    let mut network = Network::new();
    for sizes in [
        vec![2, 8, 8, 8, 1],
        vec![7, 32, 32, 32, 32, 32, 32, 32, 32, 1],
    ] {
        let net = Net::new(&sizes, 0.3);
        let spec = net.spec();
        let ms = time_per_frame(10, || {
            network.draw(&c, &spec, &palette).unwrap();
            flush(&c);
        });
        console_log!("network {sizes:?}: {ms:.1} ms per frame");
        // A loose bound for an unoptimised build on a shared machine: it catches a draw that
        // does per-pixel or per-edge work it should not, not a few milliseconds.
        assert!(ms < 400.0, "{sizes:?} took {ms} ms");
    }
    let c = canvas(320, 320);
    let n = 100;
    let values = halves(n);
    let points: Vec<Point> = (0..500)
        .map(|i| Point {
            x: (i % 25) as f32 * 0.5 - 6.0,
            y: (i / 25) as f32 * 0.6 - 6.0,
            class_or_value: if i % 2 == 0 { 1.0 } else { -1.0 },
            split: if i % 5 == 0 {
                Split::Validation
            } else {
                Split::Train
            },
            selected: i == 3,
        })
        .collect();
    let mut heatmap = Heatmap::new();
    let ms = time_per_frame(10, || {
        heatmap
            .draw(&c, &spec(&values, n, &points), &palette)
            .unwrap();
        flush(&c);
    });
    console_log!("heatmap 100 × 100 with 500 points: {ms:.1} ms per frame");
    assert!(ms < 400.0, "the heatmap took {ms} ms");
}

#[wasm_bindgen_test]
fn hidden_canvases_are_skipped_without_error() {
    let palette = Palette::from_css().unwrap();
    let c = canvas(300, 300);
    c.set_attribute("style", "display:none").unwrap();
    let values = halves(10);
    let mut heatmap = Heatmap::new();
    heatmap.draw(&c, &spec(&values, 10, &[]), &palette).unwrap();
    assert!(heatmap.frame().is_none());
    let net = Net::new(&[2, 3, 1], 0.5);
    let mut network = Network::new();
    assert!(network.draw(&c, &net.spec(), &palette).unwrap().is_none());
    assert!(network.layout().is_none());
}
