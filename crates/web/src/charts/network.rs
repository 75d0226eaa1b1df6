//! A feed-forward network drawn with its weights, as in TensorFlow Playground.
//!
//! Columns of square nodes, input to output, joined by cubic Bézier edges: blue for positive
//! weights, orange for negative, wider and more opaque the larger the weight. Each node shows its
//! own output over the input plane as a small heatmap, with its bias as a small square at its
//! bottom-left corner; a dead ReLU is greyed and crossed, a dropped node faded and hatched.
//! Networks with many edges (see [`CURVED_EDGE_LIMIT`]) draw them as straight hairlines instead.
//!
//! [`NetworkLayout`] is pure geometry (node rectangles, edge curves, hit tests) and runs anywhere;
//! [`Network::draw`] draws a [`NetworkSpec`] with the 2-D context. Per frame it sorts the edges
//! into a few buckets of equal colour and width (one style change per bucket), packs every node's
//! map into one [`ThumbnailAtlas`] (one `putImageData`), and draws one image per node; its
//! buffers are kept between frames, so a frame allocates nothing once the shape is known.

use super::heatmap::{
    ColorScale, Rect, Rgb, ThumbnailAtlas, context_2d, css_rgba, diverging_color, rgb,
};
use super::{FONT, Palette, fit_canvas};
use crate::error::{Result, WebError};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The largest node side, in CSS pixels (TensorFlow Playground's nodes are 30).
pub const MAX_NODE: f64 = 36.0;

/// The space between two nodes of a column, as a fraction of the node's side.
const NODE_GAP: f64 = 0.35;

/// A node takes at most this fraction of its column's pitch, leaving the rest to the edges.
const SLOT_FILL: f64 = 0.55;

/// Columns of up to this many nodes share one node size; longer columns shrink on their own.
const COMFORT_NODES: usize = 10;

/// The padding around the diagram, in CSS pixels.
const PAD: f64 = 6.0;

/// How many widths (and opacities) edges are drawn in, per sign.
const EDGE_LEVELS: usize = 12;

/// The thinnest and the widest edge, in CSS pixels.
const EDGE_MIN_WIDTH: f64 = 0.5;
const EDGE_MAX_WIDTH: f64 = 6.0;

/// A dense layout's thinnest hairline, as a fraction of a device pixel.
const HAIRLINE_MIN: f64 = 0.3;

/// Networks with more edges than this are drawn dense: straight hairlines (at most one device
/// pixel wide, the weight shown by coverage and opacity) instead of wide curves.
///
/// Rasterising a wide anti-aliased stroke costs about ten times a hairline's, and a curve about
/// twice a line's: measured in headless Chromium without a GPU, the 7,424 edges of 7-32×8-1 took
/// about 300 ms as wide curves, 85 ms as wide lines and 8 ms as hairlines. 512 edges keeps every
/// TensorFlow-Playground-sized network (up to six hidden layers of eight) curved, and between
/// columns of tiny nodes wide edges would only merge into a solid band anyway.
pub const CURVED_EDGE_LIMIT: usize = 512;

/// How many straight pieces approximate an edge's curve in hit tests.
const CURVE_SEGMENTS: usize = 24;

/// The opacity of edges and maps that touch a dropped or dead node.
const FADED: f64 = 0.3;

/// The opacity of the other edges while a node or an edge is highlighted.
const HIGHLIGHT_DIM: f64 = 0.35;

/// A node or an edge to draw emphasised (the one under the pointer, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Highlight {
    /// Node `node` of layer `layer` (layer 0 is the input); its edges are emphasised too.
    Node {
        /// The layer, from 0 (input).
        layer: usize,
        /// The node within the layer.
        node: usize,
    },
    /// The edge of weight block `block` (between layers `block` and `block + 1`) from node
    /// `input` to node `out`.
    Edge {
        /// The weight block.
        block: usize,
        /// The node in layer `block + 1`.
        out: usize,
        /// The node in layer `block`.
        input: usize,
    },
    /// Every node of layer `layer` and every edge into it (a whole step of a forward or backward
    /// pass).
    Layer {
        /// The layer, from 0 (input).
        layer: usize,
    },
}

/// One node's state.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NodeSpec<'a> {
    /// Its bias (`None` for inputs, which have none).
    pub bias: Option<f32>,
    /// Its output over the input plane, `map_n × map_n` values, row 0 at the top.
    pub map: Option<&'a [f32]>,
    /// A ReLU that outputs 0 everywhere: drawn greyed and crossed, its edges faded.
    pub dead: bool,
    /// Dropped by dropout in this step: drawn faded and hatched, its edges faded.
    pub dropped: bool,
}

/// One layer: its nodes and, for inputs, their names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerSpec<'a> {
    /// Names drawn left of the nodes ("x₁", "x₁²", …); usually only the input layer has them.
    pub labels: &'a [&'a str],
    /// The nodes, top to bottom.
    pub nodes: Vec<NodeSpec<'a>>,
}

/// Everything the network diagram shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSpec<'a> {
    /// The layers, input first.
    pub layers: Vec<LayerSpec<'a>>,
    /// One block per pair of adjacent layers: `weights[b][o·n_in + i]` joins node `i` of layer `b`
    /// to node `o` of layer `b + 1` (`(out, in)`, row-major). A weight of exactly 0 (pruned) is
    /// not drawn.
    pub weights: Vec<&'a [f32]>,
    /// The side of every node's map.
    pub map_n: usize,
    /// The weight drawn widest and most opaque; larger ones are clamped to it.
    pub max_abs_weight: f32,
    /// What to emphasise.
    pub highlight: Option<Highlight>,
    /// How the maps' values become colours (usually [`ColorScale::UNIT`]).
    pub map_scale: ColorScale,
    /// Hard colours at the neutral value in the maps.
    pub discretize: bool,
}

impl NetworkSpec<'_> {
    /// The number of nodes per layer.
    fn layer_size(&self, layer: usize) -> usize {
        self.layers.get(layer).map_or(0, |l| l.nodes.len())
    }

    /// Refuses weights or maps whose sizes do not match the layers.
    pub fn validate(&self) -> Result<()> {
        if self.layers.is_empty() {
            return Err(WebError::Chart("a network needs at least one layer".into()));
        }
        if self.weights.len() + 1 != self.layers.len() {
            return Err(WebError::Chart(format!(
                "{} layers need {} weight blocks, not {}",
                self.layers.len(),
                self.layers.len() - 1,
                self.weights.len()
            )));
        }
        for (b, w) in self.weights.iter().enumerate() {
            let (n_in, n_out) = (self.layer_size(b), self.layer_size(b + 1));
            if w.len() != n_in * n_out {
                return Err(WebError::Chart(format!(
                    "weight block {b} joins {n_in} nodes to {n_out}, so it needs {} weights, not {}",
                    n_in * n_out,
                    w.len()
                )));
            }
        }
        self.map_scale.validate()?;
        let cells = self.map_n * self.map_n;
        for (l, layer) in self.layers.iter().enumerate() {
            for (j, node) in layer.nodes.iter().enumerate() {
                if let Some(map) = node.map
                    && (cells == 0 || map.len() != cells)
                {
                    return Err(WebError::Chart(format!(
                        "node {j} of layer {l} has a map of {} values, not {} × {}",
                        map.len(),
                        self.map_n,
                        self.map_n
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A cubic Bézier curve: start, two control points, end.
pub type Curve = [(f64, f64); 4];

/// The edge from `(x0, y0)` to `(x1, y1)`: an S-curve with both control points halfway across,
/// or a straight line (control points at a third and two thirds of the way).
fn edge_shape(x0: f64, y0: f64, x1: f64, y1: f64, curved: bool) -> Curve {
    if curved {
        let mx = (x0 + x1) / 2.0;
        [(x0, y0), (mx, y0), (mx, y1), (x1, y1)]
    } else {
        let at = |t: f64| (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
        [(x0, y0), at(1.0 / 3.0), at(2.0 / 3.0), (x1, y1)]
    }
}

/// The point at `t ∈ [0, 1]` along `c`.
pub fn curve_point(c: &Curve, t: f64) -> (f64, f64) {
    let s = 1.0 - t;
    let (a, b, d, e) = (s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t);
    (
        a * c[0].0 + b * c[1].0 + d * c[2].0 + e * c[3].0,
        a * c[0].1 + b * c[1].1 + d * c[2].1 + e * c[3].1,
    )
}

/// The distance from `(px, py)` to the curve, measured on a fine polyline along it.
pub fn distance_to_curve(c: &Curve, px: f64, py: f64) -> f64 {
    let mut best = f64::INFINITY;
    let mut prev = c[0];
    for k in 1..=CURVE_SEGMENTS {
        let next = curve_point(c, k as f64 / CURVE_SEGMENTS as f64);
        best = best.min(distance_to_segment(prev, next, px, py));
        prev = next;
    }
    best
}

/// The distance from `(px, py)` to the segment from `a` to `b`.
fn distance_to_segment(a: (f64, f64), b: (f64, f64), px: f64, py: f64) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((px - a.0) * dx + (py - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
    ((px - qx).powi(2) + (py - qy).powi(2)).sqrt()
}

/// Where every node sits, in CSS pixels, and the hit tests the page uses for hovering.
///
/// Columns are evenly spaced after a margin for the input labels; each column is centred
/// vertically. Nodes are squares of one size for columns of up to ten nodes (at most
/// [`MAX_NODE`], at most 55 % of a column's pitch); longer columns shrink their nodes to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkLayout {
    /// The canvas's CSS width.
    pub width: f64,
    /// The canvas's CSS height.
    pub height: f64,
    /// The room left of the input column for its labels.
    pub label_margin: f64,
    /// Each column's node side.
    pub node_size: Vec<f64>,
    /// Each column's node rectangles, top to bottom.
    pub nodes: Vec<Vec<Rect>>,
    /// Whether edges are wide curves (else straight hairlines; see [`CURVED_EDGE_LIMIT`]).
    pub curved: bool,
}

impl NetworkLayout {
    /// Lays out columns of `layer_sizes` nodes on a `width × height` canvas (CSS pixels).
    pub fn new(layer_sizes: &[usize], width: f64, height: f64) -> Self {
        let columns = layer_sizes.len();
        let label_margin = (width * 0.09).clamp(24.0, 44.0);
        let avail_w = (width - label_margin - PAD).max(0.0);
        let avail_h = (height - 2.0 * PAD).max(0.0);
        let pitch = avail_w / columns.max(1) as f64;
        // The side at which `n` nodes and their gaps fill the height exactly.
        let fit = |n: usize| {
            let n = n.max(1) as f64;
            avail_h / (n + NODE_GAP * (n - 1.0))
        };
        let longest = layer_sizes.iter().copied().max().unwrap_or(0);
        let shared = MAX_NODE
            .min(pitch * SLOT_FILL)
            .min(fit(longest.min(COMFORT_NODES)));
        let mut node_size = Vec::with_capacity(columns);
        let mut nodes = Vec::with_capacity(columns);
        for (c, &n) in layer_sizes.iter().enumerate() {
            let side = shared.min(fit(n)).max(0.0);
            let step = side * (1.0 + NODE_GAP);
            let column_h = if n == 0 {
                0.0
            } else {
                n as f64 * step - side * NODE_GAP
            };
            let top = PAD + (avail_h - column_h) / 2.0;
            let cx = label_margin + pitch * (c as f64 + 0.5);
            nodes.push(
                (0..n)
                    .map(|j| Rect {
                        x: cx - side / 2.0,
                        y: top + j as f64 * step,
                        w: side,
                        h: side,
                    })
                    .collect(),
            );
            node_size.push(side);
        }
        let edges: usize = layer_sizes.windows(2).map(|p| p[0] * p[1]).sum();
        Self {
            width,
            height,
            label_margin,
            node_size,
            nodes,
            curved: edges <= CURVED_EDGE_LIMIT,
        }
    }

    /// The most edges that cross one pixel of height in any block: the edges between two columns
    /// spread over the height the columns share.
    pub fn edge_density(&self) -> f64 {
        let height = (self.height - 2.0 * PAD).max(1.0);
        self.nodes
            .windows(2)
            .map(|p| (p[0].len() * p[1].len()) as f64 / height)
            .fold(0.0, f64::max)
    }

    /// Whether the layout was made for these layer sizes on this canvas.
    pub fn matches(
        &self,
        mut layer_sizes: impl ExactSizeIterator<Item = usize>,
        w: f64,
        h: f64,
    ) -> bool {
        self.width == w
            && self.height == h
            && layer_sizes.len() == self.nodes.len()
            && self
                .nodes
                .iter()
                .all(|c| layer_sizes.next() == Some(c.len()))
    }

    /// Node `node` of layer `layer`.
    pub fn node(&self, layer: usize, node: usize) -> Option<Rect> {
        self.nodes.get(layer)?.get(node).copied()
    }

    /// The small square showing a node's bias: straddling its bottom-left corner.
    pub fn bias_rect(&self, layer: usize, node: usize) -> Option<Rect> {
        let r = self.node(layer, node)?;
        let side = (r.w * 0.28).clamp(2.5, 7.0);
        Some(Rect {
            x: r.x - side / 2.0,
            y: r.bottom() - side / 2.0,
            w: side,
            h: side,
        })
    }

    /// The curve of the edge from node `input` of layer `block` to node `out` of layer
    /// `block + 1`: from the right middle of one to the left middle of the other, leaving and
    /// arriving horizontally (or a straight line, as a curve, when the layout is not curved).
    pub fn edge_curve(&self, block: usize, out: usize, input: usize) -> Option<Curve> {
        let a = self.node(block, input)?;
        let b = self.node(block + 1, out)?;
        let (x0, y0) = (a.right(), a.y + a.h / 2.0);
        let (x1, y1) = (b.x, b.y + b.h / 2.0);
        Some(edge_shape(x0, y0, x1, y1, self.curved))
    }

    /// The node under the CSS pixel `(px, py)`, as `(layer, node)`; tiny nodes get a little slack.
    pub fn node_at(&self, px: f64, py: f64) -> Option<(usize, usize)> {
        for (l, column) in self.nodes.iter().enumerate() {
            let slack = (self.node_size[l] * NODE_GAP / 2.0).min(2.0);
            if let Some(j) = column.iter().position(|r| r.contains(px, py, slack)) {
                return Some((l, j));
            }
        }
        None
    }

    /// The edge nearest to the CSS pixel `(px, py)` within `tolerance` pixels, as
    /// `(block, out, input)`.
    pub fn edge_at(&self, px: f64, py: f64, tolerance: f64) -> Option<(usize, usize, usize)> {
        let mut best: Option<((usize, usize, usize), f64)> = None;
        for block in 0..self.nodes.len().saturating_sub(1) {
            let (Some(a), Some(b)) = (self.nodes[block].first(), self.nodes[block + 1].first())
            else {
                continue;
            };
            if px < a.right() - tolerance || px > b.x + tolerance {
                continue;
            }
            for out in 0..self.nodes[block + 1].len() {
                for input in 0..self.nodes[block].len() {
                    let Some(c) = self.edge_curve(block, out, input) else {
                        continue;
                    };
                    // The curve stays between its ends' heights: a cheap rejection first.
                    let (lo, hi) = (c[0].1.min(c[3].1), c[0].1.max(c[3].1));
                    if py < lo - tolerance || py > hi + tolerance {
                        continue;
                    }
                    let d = distance_to_curve(&c, px, py);
                    if d <= tolerance && best.is_none_or(|(_, b)| d < b) {
                        best = Some(((block, out, input), d));
                    }
                }
            }
        }
        best.map(|(e, _)| e)
    }
}

/// An edge queued for drawing: its two ends.
type EdgeEnds = [f64; 4];

/// The bucket of an edge. Faded edges come first (drawn underneath), then every strength level
/// in increasing order with both signs, so the strongest edges end on top whatever their sign.
fn bucket_index(fade: bool, level: usize, negative: bool) -> usize {
    (usize::from(!fade) * EDGE_LEVELS + level) * 2 + usize::from(negative)
}

/// The fading, strength level and sign of bucket `b` (the inverse of [`bucket_index`]).
fn bucket_parts(b: usize) -> (bool, usize, bool) {
    (b / 2 < EDGE_LEVELS, (b / 2) % EDGE_LEVELS, b % 2 == 1)
}

/// The network diagram, keeping its layout, edge buckets and thumbnail atlas between frames.
#[derive(Default)]
pub struct Network {
    atlas: ThumbnailAtlas,
    layout: Option<NetworkLayout>,
    buckets: Vec<Vec<EdgeEnds>>,
    emphasis: Vec<(EdgeEnds, usize, bool)>,
    css: String,
}

impl Network {
    /// An empty diagram; its buffers are made on the first draw.
    pub fn new() -> Self {
        Self::default()
    }

    /// The layout of the last draw, for hit tests (`None` while the canvas is hidden).
    pub fn layout(&self) -> Option<&NetworkLayout> {
        self.layout.as_ref()
    }

    /// Draws `spec` on `canvas` at the device pixel ratio and returns the layout used, or `None`
    /// when the canvas is hidden (nothing is drawn then).
    pub fn draw(
        &mut self,
        canvas: &HtmlCanvasElement,
        spec: &NetworkSpec<'_>,
        palette: &Palette,
    ) -> Result<Option<&NetworkLayout>> {
        spec.validate()?;
        let Some(ratio) = fit_canvas(canvas)? else {
            self.layout = None;
            return Ok(None);
        };
        let (width, height) = (
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
        );
        let sizes = spec.layers.iter().map(|l| l.nodes.len());
        let layout = match self.layout.take() {
            Some(l) if l.matches(sizes, width, height) => l,
            _ => {
                let sizes: Vec<usize> = spec.layers.iter().map(|l| l.nodes.len()).collect();
                NetworkLayout::new(&sizes, width, height)
            }
        };
        let ctx = context_2d(canvas)?;
        ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
        ctx.fill_rect(0.0, 0.0, width, height);
        self.queue_edges(&layout, spec);
        self.draw_edges(&ctx, &layout, palette, ratio, spec.highlight.is_some());
        self.draw_nodes(&ctx, &layout, spec, palette)?;
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        Ok(Some(self.layout.insert(layout)))
    }

    /// Sorts every drawn edge into a bucket by sign, width level and fading, and collects the
    /// emphasised ones.
    fn queue_edges(&mut self, layout: &NetworkLayout, spec: &NetworkSpec<'_>) {
        let buckets = 2 * EDGE_LEVELS * 2;
        self.buckets.resize_with(buckets, Vec::new);
        self.buckets.iter_mut().for_each(Vec::clear);
        self.emphasis.clear();
        let max = spec.max_abs_weight;
        let faded = |layer: usize, node: usize| {
            spec.layers
                .get(layer)
                .and_then(|l| l.nodes.get(node))
                .is_some_and(|n| n.dead || n.dropped)
        };
        for (block, weights) in spec.weights.iter().enumerate() {
            let n_in = spec.layer_size(block);
            for (k, &w) in weights.iter().enumerate() {
                if w == 0.0 || !w.is_finite() {
                    continue;
                }
                let (out, input) = (k / n_in, k % n_in);
                let Some(c) = layout.edge_curve(block, out, input) else {
                    continue;
                };
                let ends = [c[0].0, c[0].1, c[3].0, c[3].1];
                let t = if max > 0.0 && max.is_finite() {
                    (w.abs() / max).min(1.0)
                } else {
                    1.0
                };
                let level = ((t * EDGE_LEVELS as f32).ceil() as usize).clamp(1, EDGE_LEVELS) - 1;
                let fade = faded(block, input) || faded(block + 1, out);
                self.buckets[bucket_index(fade, level, w < 0.0)].push(ends);
                let emphasised = match spec.highlight {
                    Some(Highlight::Edge {
                        block: b,
                        out: o,
                        input: i,
                    }) => b == block && o == out && i == input,
                    Some(Highlight::Node { layer, node }) => {
                        (layer == block && node == input) || (layer == block + 1 && node == out)
                    }
                    Some(Highlight::Layer { layer }) => layer == block + 1,
                    None => false,
                };
                if emphasised {
                    self.emphasis.push((ends, level, w < 0.0));
                }
            }
        }
    }

    /// The widest edge on this layout: 6 CSS pixels, or half the smallest node side if less.
    fn max_edge_width(layout: &NetworkLayout) -> f64 {
        let smallest = layout
            .node_size
            .iter()
            .copied()
            .filter(|&s| s > 0.0)
            .fold(f64::INFINITY, f64::min);
        (smallest * 0.5).clamp(1.5, EDGE_MAX_WIDTH)
    }

    /// Each bucket's edges in one colour and width (wide curves one stroke each, hairlines one
    /// path per bucket), then the emphasised edges on top. `ratio` is the device
    /// pixel ratio (a dense layout's hairlines are at most one device pixel wide); `dimmed` fades
    /// every edge but the emphasised ones.
    fn draw_edges(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        layout: &NetworkLayout,
        palette: &Palette,
        ratio: f64,
        dimmed: bool,
    ) {
        let widest = Self::max_edge_width(layout);
        let (blue, orange) = (rgb(palette.blue), rgb(palette.orange));
        let width = |t: f64| {
            if layout.curved {
                EDGE_MIN_WIDTH + (widest - EDGE_MIN_WIDTH) * t
            } else {
                (HAIRLINE_MIN + (1.0 - HAIRLINE_MIN) * t) / ratio
            }
        };
        // Where hundreds of hairlines cross each pixel, each is lighter so the mesh stays legible.
        let density = if layout.curved {
            1.0
        } else {
            (1.0 / layout.edge_density()).clamp(0.1, 1.0)
        };
        let dim = if dimmed { HIGHLIGHT_DIM } else { 1.0 };
        for (b, edges) in self.buckets.iter().enumerate() {
            if edges.is_empty() {
                continue;
            }
            let (fade, level, negative) = bucket_parts(b);
            let t = (level + 1) as f64 / EDGE_LEVELS as f64;
            let alpha = (0.25 + 0.75 * t) * if fade { FADED } else { 1.0 } * density * dim;
            let color = if negative { orange } else { blue };
            ctx.set_stroke_style_str(css_rgba(&mut self.css, color, alpha));
            ctx.set_line_width(width(t));
            if layout.curved {
                // Wide curves are stroked one by one: one path of many overlapping wide curves
                // costs the rasteriser two to three times as much.
                for e in edges {
                    ctx.begin_path();
                    trace_edge(ctx, e, true);
                    ctx.stroke();
                }
            } else {
                // Hairlines share one path per bucket.
                ctx.begin_path();
                for e in edges {
                    trace_edge(ctx, e, false);
                }
                ctx.stroke();
            }
        }
        for &(e, level, negative) in &self.emphasis {
            let t = (level + 1) as f64 / EDGE_LEVELS as f64;
            let color = if negative { orange } else { blue };
            ctx.begin_path();
            trace_edge(ctx, &e, layout.curved);
            ctx.set_stroke_style_str(css_rgba(&mut self.css, color, 1.0));
            ctx.set_line_width(if layout.curved { width(t) } else { 1.5 });
            ctx.stroke();
        }
    }

    /// Thumbnails, borders, marks for dead and dropped nodes, biases, labels and the highlight.
    fn draw_nodes(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        layout: &NetworkLayout,
        spec: &NetworkSpec<'_>,
        palette: &Palette,
    ) -> Result<()> {
        let with_maps = spec
            .layers
            .iter()
            .flat_map(|l| &l.nodes)
            .filter(|n| n.map.is_some())
            .count();
        self.atlas.begin(with_maps, spec.map_n);
        let mut tile = 0;
        for node in spec.layers.iter().flat_map(|l| &l.nodes) {
            if let Some(map) = node.map {
                self.atlas
                    .set(tile, map, spec.map_scale, spec.discretize, palette)?;
                tile += 1;
            }
        }
        if with_maps > 0 {
            self.atlas.upload()?;
        }
        let muted = rgb(palette.muted);
        // Every node's background in one fill, for nodes without a map.
        ctx.begin_path();
        for r in layout.nodes.iter().flatten() {
            ctx.rect(r.x, r.y, r.w, r.h);
        }
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
        ctx.fill();
        ctx.set_image_smoothing_enabled(true);
        let mut tile = 0;
        for (l, layer) in spec.layers.iter().enumerate() {
            for (j, node) in layer.nodes.iter().enumerate() {
                let Some(r) = layout.node(l, j) else { continue };
                if node.map.is_some() {
                    if node.dropped {
                        ctx.set_global_alpha(FADED);
                    }
                    self.atlas.draw(ctx, tile, r.x, r.y, r.w)?;
                    ctx.set_global_alpha(1.0);
                    tile += 1;
                }
            }
        }
        // All borders in one stroke.
        ctx.begin_path();
        for r in layout.nodes.iter().flatten() {
            ctx.rect(r.x - 0.5, r.y - 0.5, r.w + 1.0, r.h + 1.0);
        }
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str(css_rgba(&mut self.css, muted, 0.55));
        ctx.stroke();
        self.draw_marks(ctx, layout, spec, palette);
        self.draw_biases(ctx, layout, spec, palette);
        self.draw_labels(ctx, layout, spec, palette)?;
        let outlined: &[Rect] = match spec.highlight {
            Some(Highlight::Node { layer, node }) => layout
                .nodes
                .get(layer)
                .and_then(|l| l.get(node..=node))
                .unwrap_or(&[]),
            Some(Highlight::Layer { layer }) => layout.nodes.get(layer).map_or(&[], Vec::as_slice),
            _ => &[],
        };
        if !outlined.is_empty() {
            ctx.set_line_width(2.0);
            ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.ink), 1.0));
            for r in outlined {
                ctx.stroke_rect(r.x - 2.0, r.y - 2.0, r.w + 4.0, r.h + 4.0);
            }
        }
        Ok(())
    }

    /// Greys and crosses dead nodes; hatches dropped ones.
    fn draw_marks(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        layout: &NetworkLayout,
        spec: &NetworkSpec<'_>,
        palette: &Palette,
    ) {
        let muted = rgb(palette.muted);
        for (l, layer) in spec.layers.iter().enumerate() {
            for (j, node) in layer.nodes.iter().enumerate() {
                let Some(r) = layout.node(l, j) else { continue };
                if node.dead {
                    ctx.set_fill_style_str(css_rgba(&mut self.css, muted, 0.45));
                    ctx.fill_rect(r.x, r.y, r.w, r.h);
                    let inset = r.w * 0.22;
                    ctx.begin_path();
                    ctx.move_to(r.x + inset, r.y + inset);
                    ctx.line_to(r.right() - inset, r.bottom() - inset);
                    ctx.move_to(r.right() - inset, r.y + inset);
                    ctx.line_to(r.x + inset, r.bottom() - inset);
                    ctx.set_line_width((r.w / 12.0).clamp(1.0, 2.5));
                    ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.ink), 0.8));
                    ctx.stroke();
                }
                if node.dropped {
                    let spacing = (r.w / 5.0).max(3.0);
                    ctx.begin_path();
                    let mut c = spacing;
                    while c < 2.0 * r.w {
                        // The line u + v = c across the square, clipped to it.
                        let u0 = (c - r.w).max(0.0);
                        let u1 = c.min(r.w);
                        ctx.move_to(r.x + u0, r.y + c - u0);
                        ctx.line_to(r.x + u1, r.y + c - u1);
                        c += spacing;
                    }
                    ctx.set_line_width(1.0);
                    ctx.set_stroke_style_str(css_rgba(&mut self.css, muted, 0.8));
                    ctx.stroke();
                }
            }
        }
    }

    /// Each bias as a small square in its sign's colour at its node's bottom-left corner: one fill
    /// per sign and one stroke for all outlines.
    fn draw_biases(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        layout: &NetworkLayout,
        spec: &NetworkSpec<'_>,
        palette: &Palette,
    ) {
        let squares = || {
            spec.layers.iter().enumerate().flat_map(move |(l, layer)| {
                layer
                    .nodes
                    .iter()
                    .enumerate()
                    .filter_map(move |(j, node)| Some((node.bias?, layout.bias_rect(l, j)?)))
            })
        };
        for sign in [1.0_f32, -1.0, 0.0] {
            ctx.begin_path();
            let mut any = false;
            for (bias, r) in squares() {
                if bias_sign(bias) == sign {
                    ctx.rect(r.x, r.y, r.w, r.h);
                    any = true;
                }
            }
            if any {
                ctx.set_fill_style_str(css_rgba(&mut self.css, bias_color(sign, palette), 1.0));
                ctx.fill();
            }
        }
        ctx.begin_path();
        for (_, r) in squares() {
            ctx.rect(r.x, r.y, r.w, r.h);
        }
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.muted), 0.8));
        ctx.stroke();
    }

    /// The layers' labels, right-aligned left of their nodes, squeezed to fit the margin.
    fn draw_labels(
        &mut self,
        ctx: &CanvasRenderingContext2d,
        layout: &NetworkLayout,
        spec: &NetworkSpec<'_>,
        palette: &Palette,
    ) -> Result<()> {
        if spec.layers.iter().all(|l| l.labels.is_empty()) {
            return Ok(());
        }
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.ink), 1.0));
        ctx.set_text_align("right");
        ctx.set_text_baseline("middle");
        for (l, layer) in spec.layers.iter().enumerate() {
            if layer.labels.is_empty() {
                continue;
            }
            let size = layout.node_size.get(l).copied().unwrap_or(0.0);
            let font_px = (size * 0.45).clamp(9.0, 12.0).round();
            ctx.set_font(&format!("{font_px}px {FONT}"));
            let room = if l == 0 {
                layout.label_margin - 6.0
            } else {
                size * 1.5
            };
            for (j, label) in layer.labels.iter().enumerate() {
                let Some(r) = layout.node(l, j) else { continue };
                ctx.fill_text_with_max_width(label, r.x - 5.0, r.y + r.h / 2.0, room.max(8.0))?;
            }
        }
        Ok(())
    }
}

/// A bias's sign: 1, −1, or 0 (for 0 and NaN).
fn bias_sign(bias: f32) -> f32 {
    if bias > 0.0 {
        1.0
    } else if bias < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// A bias's colour: blue when positive, orange when negative, the card colour at 0.
pub fn bias_color(bias: f32, palette: &Palette) -> Rgb {
    diverging_color(bias_sign(bias), -1.0, 1.0, palette)
}

/// Adds an edge to the current path: the curve of [`edge_shape`], or a straight line.
fn trace_edge(ctx: &CanvasRenderingContext2d, e: &EdgeEnds, curved: bool) {
    ctx.move_to(e[0], e[1]);
    if curved {
        let mx = (e[0] + e[2]) / 2.0;
        ctx.bezier_curve_to(mx, e[1], mx, e[3], e[2], e[3]);
    } else {
        ctx.line_to(e[2], e[3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two figure sizes the page uses: a phone and a desktop.
    const CANVASES: [(f64, f64); 2] = [(390.0, 300.0), (640.0, 400.0)];

    #[test]
    fn every_layout_fits_its_canvas_without_overlaps() {
        for (w, h) in CANVASES {
            for columns in 1..=10 {
                for nodes in 1..=32 {
                    // Every column as long as the longest, and a mixed shape with short ends.
                    let full = vec![nodes; columns];
                    let mut mixed = vec![nodes; columns];
                    mixed[0] = 2.min(nodes);
                    for sizes in [full, mixed] {
                        let layout = NetworkLayout::new(&sizes, w, h);
                        check_fits(&layout, &sizes, w, h);
                    }
                }
            }
        }
    }

    fn check_fits(layout: &NetworkLayout, sizes: &[usize], w: f64, h: f64) {
        let all: Vec<(usize, usize, Rect)> = layout
            .nodes
            .iter()
            .enumerate()
            .flat_map(|(l, c)| c.iter().enumerate().map(move |(j, r)| (l, j, *r)))
            .collect();
        assert_eq!(all.len(), sizes.iter().sum::<usize>());
        for &(l, j, r) in &all {
            assert!(
                r.w > 0.0 && r.w == r.h,
                "{sizes:?}: node {l}/{j} is not a square"
            );
            assert!(
                r.x >= layout.label_margin && r.right() <= w && r.y >= 0.0 && r.bottom() <= h,
                "{sizes:?} on {w}×{h}: node {l}/{j} at {r:?} leaves the canvas"
            );
            let b = layout.bias_rect(l, j).unwrap();
            assert!(
                b.x >= 0.0 && b.bottom() <= h,
                "{sizes:?}: bias {l}/{j} leaves the canvas"
            );
        }
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(
                    !a.2.overlaps(&b.2),
                    "{sizes:?}: nodes {a:?} and {b:?} overlap"
                );
            }
        }
    }

    #[test]
    fn nodes_shrink_only_when_their_column_is_long() {
        let layout = NetworkLayout::new(&[2, 8, 8, 8, 1], 640.0, 400.0);
        // Eight nodes fit 388 pixels at the largest size, so every column shares it.
        assert!(
            layout.node_size.iter().all(|&s| s == MAX_NODE),
            "{:?}",
            layout.node_size
        );
        let layout = NetworkLayout::new(&[7, 32, 32, 1], 390.0, 300.0);
        assert!(layout.node_size[1] < layout.node_size[0]);
        assert_eq!(layout.node_size[0], layout.node_size[3]);
        // Columns are centred vertically: a single output node sits at mid-height.
        let out = layout.node(3, 0).unwrap();
        assert!((out.center().1 - 150.0).abs() < 1e-9);
    }

    #[test]
    fn columns_are_evenly_spaced() {
        let layout = NetworkLayout::new(&[3, 4, 5, 1], 640.0, 400.0);
        let xs: Vec<f64> = layout.nodes.iter().map(|c| c[0].center().0).collect();
        let gaps: Vec<f64> = xs.windows(2).map(|p| p[1] - p[0]).collect();
        assert!(gaps.iter().all(|g| (g - gaps[0]).abs() < 1e-9), "{gaps:?}");
    }

    #[test]
    fn the_node_under_a_point_is_found_and_empty_space_finds_none() {
        let layout = NetworkLayout::new(&[2, 8, 8, 1], 640.0, 400.0);
        let r = layout.node(1, 5).unwrap();
        let (cx, cy) = r.center();
        assert_eq!(layout.node_at(cx, cy), Some((1, 5)));
        assert_eq!(layout.node_at(r.x + 1.0, r.bottom() - 1.0), Some((1, 5)));
        assert_eq!(layout.node_at(1.0, 1.0), None);
        // Halfway between two columns there are only edges.
        let next = layout.node(2, 5).unwrap();
        assert_eq!(layout.node_at((r.right() + next.x) / 2.0, cy), None);
    }

    #[test]
    fn the_edge_under_a_point_is_found_and_empty_space_finds_none() {
        // One node fanning out to three and back: the curves never cross, so halfway along each
        // one nothing else is near.
        let layout = NetworkLayout::new(&[1, 3, 1], 640.0, 400.0);
        for (block, out, input) in [(0, 0, 0), (0, 2, 0), (1, 0, 1), (1, 0, 2)] {
            let c = layout.edge_curve(block, out, input).unwrap();
            let (x, y) = curve_point(&c, 0.5);
            assert_eq!(layout.edge_at(x, y, 3.0), Some((block, out, input)));
            let (x, y) = curve_point(&c, 0.6);
            assert_eq!(layout.edge_at(x, y + 1.0, 3.0), Some((block, out, input)));
        }
        // The top-left corner is far from every edge, as is a point above all the columns.
        assert_eq!(layout.edge_at(1.0, 1.0, 4.0), None);
        let c = layout.edge_curve(0, 0, 0).unwrap();
        assert_eq!(layout.edge_at(curve_point(&c, 0.5).0, 8.0, 4.0), None);
    }

    #[test]
    fn an_edge_leaves_its_input_and_reaches_its_output_horizontally() {
        let layout = NetworkLayout::new(&[2, 3], 640.0, 400.0);
        assert!(layout.curved);
        let c = layout.edge_curve(0, 2, 1).unwrap();
        let (a, b) = (layout.node(0, 1).unwrap(), layout.node(1, 2).unwrap());
        assert_eq!(c[0], (a.right(), a.center().1));
        assert_eq!(c[3], (b.x, b.center().1));
        assert_eq!(c[1].1, c[0].1);
        assert_eq!(c[2].1, c[3].1);
        assert_eq!(curve_point(&c, 0.0), c[0]);
        assert_eq!(curve_point(&c, 1.0), c[3]);
        assert!(
            layout.edge_curve(0, 3, 0).is_none(),
            "there is no output node 3"
        );
    }

    #[test]
    fn dense_networks_draw_straight_edges_and_hit_tests_follow_them() {
        let sizes = [7, 32, 32, 32, 32, 32, 32, 32, 32, 1];
        let layout = NetworkLayout::new(&sizes, 640.0, 400.0);
        assert!(!layout.curved, "7-32×8-1 has 7,424 edges, over the limit");
        // 7·8 + 5 blocks of 8·8 + 8 = 384 edges: the largest Playground-sized network stays curved.
        assert!(NetworkLayout::new(&[7, 8, 8, 8, 8, 8, 8, 1], 640.0, 400.0).curved);
        assert!(NetworkLayout::new(&[2, 8, 8, 8, 1], 640.0, 400.0).curved);
        let c = layout.edge_curve(8, 0, 31).unwrap();
        // A third of the way along a straight edge is a third of the way in both directions.
        let (x, y) = curve_point(&c, 1.0 / 3.0);
        assert!((x - (c[0].0 + (c[3].0 - c[0].0) / 3.0)).abs() < 1e-9);
        assert!((y - (c[0].1 + (c[3].1 - c[0].1) / 3.0)).abs() < 1e-9);
        // Into the single output node, the bottom edge is alone near its middle.
        let (x, y) = curve_point(&c, 0.5);
        assert_eq!(layout.edge_at(x, y, 1.0), Some((8, 0, 31)));
    }

    #[test]
    fn edge_density_counts_the_busiest_block() {
        // 32 × 32 edges over 400 − 2·6 = 388 pixels of height.
        let layout = NetworkLayout::new(&[7, 32, 32, 1], 640.0, 400.0);
        assert!((layout.edge_density() - 1024.0 / 388.0).abs() < 1e-9);
        assert_eq!(NetworkLayout::new(&[3], 640.0, 400.0).edge_density(), 0.0);
    }

    #[test]
    fn distances_to_a_curve_are_zero_on_it_and_grow_off_it() {
        let c: Curve = [(0.0, 0.0), (50.0, 0.0), (50.0, 100.0), (100.0, 100.0)];
        let (x, y) = curve_point(&c, 0.3);
        assert!(distance_to_curve(&c, x, y) < 0.1);
        assert!((distance_to_curve(&c, -10.0, 0.0) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_layout_is_reused_only_for_the_same_shape_and_size() {
        let layout = NetworkLayout::new(&[2, 4, 1], 640.0, 400.0);
        assert!(layout.matches([2, 4, 1].into_iter(), 640.0, 400.0));
        assert!(!layout.matches([2, 5, 1].into_iter(), 640.0, 400.0));
        assert!(!layout.matches([2, 4].into_iter(), 640.0, 400.0));
        assert!(!layout.matches([2, 4, 1].into_iter(), 390.0, 400.0));
    }

    fn spec<'a>(weights: Vec<&'a [f32]>, sizes: &[usize]) -> NetworkSpec<'a> {
        NetworkSpec {
            layers: sizes
                .iter()
                .map(|&n| LayerSpec {
                    labels: &[],
                    nodes: vec![NodeSpec::default(); n],
                })
                .collect(),
            weights,
            map_n: 2,
            max_abs_weight: 1.0,
            highlight: None,
            map_scale: ColorScale::UNIT,
            discretize: false,
        }
    }

    #[test]
    fn a_spec_whose_weights_or_maps_do_not_match_its_layers_is_refused() {
        let w = [0.5; 6];
        assert!(spec(vec![&w], &[2, 3]).validate().is_ok());
        assert!(spec(vec![&w[..5]], &[2, 3]).validate().is_err());
        assert!(spec(vec![], &[2, 3]).validate().is_err());
        assert!(spec(vec![], &[]).validate().is_err());
        let map = [0.0; 3];
        let mut s = spec(vec![&w], &[2, 3]);
        s.layers[1].nodes[0].map = Some(&map);
        let err = s.validate().map_err(|e| e.to_string());
        assert!(
            err.as_ref().is_err_and(|e| e.contains("node 0 of layer 1")),
            "{err:?}"
        );
    }

    #[test]
    fn edges_are_bucketed_by_sign_and_size_and_pruned_ones_skipped() {
        let w = [1.0, -1.0, 0.0, 0.05];
        let mut s = spec(vec![&w], &[2, 2]);
        s.highlight = Some(Highlight::Node { layer: 0, node: 1 });
        s.layers[1].nodes[1].dropped = true;
        let layout = NetworkLayout::new(&[2, 2], 640.0, 400.0);
        let mut net = Network::new();
        net.queue_edges(&layout, &s);
        let counts: Vec<usize> = net.buckets.iter().map(Vec::len).collect();
        assert_eq!(
            counts.iter().sum::<usize>(),
            3,
            "the zero weight is not drawn"
        );
        // The strongest weights, ±1: level 11, not faded, one of each sign.
        assert_eq!(counts[bucket_index(false, 11, false)], 1);
        assert_eq!(counts[bucket_index(false, 11, true)], 1);
        // 0.05 of the maximum is level ⌈0.6⌉ = 1 (index 0), into the dropped node: faded.
        assert_eq!(counts[bucket_index(true, 0, false)], 1);
        // Faded edges are drawn first and the strongest last.
        assert_eq!(bucket_index(true, 0, false), 0);
        assert_eq!(bucket_index(false, 11, true), counts.len() - 1);
        for b in 0..counts.len() {
            let (fade, level, negative) = bucket_parts(b);
            assert_eq!(bucket_index(fade, level, negative), b);
        }
        // Input node 1 has the weights −1 (to output 0) and 0.05 (to output 1); zero is skipped.
        assert_eq!(net.emphasis.len(), 2);
    }
}
