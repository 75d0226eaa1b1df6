//! The playground's drawings: the output over the plane (the heatmap with every split's points),
//! the network with each neuron's map and every weight, the loss curves of the three splits, the
//! hover card, the numbers under the charts, and the JSON the figure writes to `data-state`.
//!
//! It draws what it is given (a run, its history, a palette) and knows nothing of the controls,
//! the address, playing or pausing, nor the figure that owns it.

use crate::charts::Palette;
use crate::charts::heatmap::{ColorScale, Field, Heatmap, HeatmapSpec, Point, Split, Splits};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::network::{Highlight, LayerSpec, Network, NetworkLayout, NetworkSpec, NodeSpec};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::state::playground::runs::CurvePoint;
use plotters::style::Color;
use serde::Serialize;
use spiega_lessons::playground::{Playground, Scores};
use spiega_nn::data::Task;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

/// The resolution of the output heatmap (cells per side).
pub const GRID: usize = 100;
/// The resolution of each neuron's thumbnail.
pub const THUMB: usize = 20;

/// The drawings of one playground: the output heatmap and the network.
pub struct View {
    heatmap_canvas: HtmlCanvasElement,
    network_canvas: HtmlCanvasElement,
    heatmap: Heatmap,
    network: Network,
    values: Vec<f32>,
    classes: Vec<u8>,
    maps: Vec<Vec<f32>>,
    points: Vec<Point>,
    dead: Vec<Vec<bool>>,
    frames_since_dead: u32,
    /// The node or edge under the pointer, drawn emphasised.
    pub highlight: Option<Highlight>,
    /// The layout of the last network drawing, for hit tests.
    pub layout: Option<NetworkLayout>,
}

impl View {
    /// Finds the canvases under `root`.
    pub fn new(root: &Element) -> Result<Self> {
        Ok(Self {
            heatmap_canvas: dom::query(root, "canvas[data-role=\"heatmap\"]")?,
            network_canvas: dom::query(root, "canvas[data-role=\"network\"]")?,
            heatmap: Heatmap::new(),
            network: Network::new(),
            values: Vec::new(),
            classes: Vec::new(),
            maps: Vec::new(),
            points: Vec::new(),
            dead: Vec::new(),
            frames_since_dead: u32::MAX,
            highlight: None,
            layout: None,
        })
    }

    /// Forgets what depends on the network's shape (after a rebuild).
    pub fn invalidate(&mut self) {
        self.dead.clear();
        self.frames_since_dead = u32::MAX;
        self.highlight = None;
    }

    /// The heatmap, for mapping pointer positions to data coordinates.
    pub fn heatmap(&self) -> &Heatmap {
        &self.heatmap
    }

    /// The heatmap's canvas.
    pub fn heatmap_canvas(&self) -> &HtmlCanvasElement {
        &self.heatmap_canvas
    }

    /// The network's canvas.
    pub fn network_canvas(&self) -> &HtmlCanvasElement {
        &self.network_canvas
    }

    /// The neuron map drawn for node `node` of layer `layer` (layer 0 is the input), if any.
    pub fn node_map(&self, layer: usize, node: usize, sizes: &[usize]) -> Option<&[f32]> {
        let index: usize = sizes.iter().take(layer).sum::<usize>() + node;
        self.maps.get(index).map(Vec::as_slice)
    }

    /// Evaluates the run over the plane and draws both views.
    pub fn draw(&mut self, run: &mut Playground, show_test: bool, palette: &Palette) -> Result<()> {
        run.evaluate_grid(GRID, &mut self.values, &mut self.classes)?;
        // Dead units need a pass over the training split: every few frames is enough.
        if self.frames_since_dead >= 10 {
            self.dead = run.dead_neurons()?;
            self.frames_since_dead = 0;
        }
        self.frames_since_dead += 1;
        let task = run.task();
        let (scale, field) = match task {
            Task::Multiclass { classes } => (
                ColorScale::Classes { count: classes },
                Field::ClassMap {
                    class: &self.classes,
                    confidence: &self.values,
                },
            ),
            _ => (ColorScale::UNIT, Field::Values(&self.values)),
        };
        self.points.clear();
        for (split, part) in [Split::Train, Split::Validation, Split::Test]
            .into_iter()
            .zip(run.points())
        {
            let Some((x, y)) = part else { continue };
            for r in 0..x.nrows() {
                let target = match task {
                    Task::Multiclass { .. } => {
                        y.row(r).iter().position(|&v| v > 0.5).unwrap_or(0) as f32
                    }
                    Task::Binary => 2.0 * y[(r, 0)] - 1.0,
                    Task::Regression => y[(r, 0)],
                };
                self.points.push(Point {
                    x: x[(r, 0)],
                    y: x[(r, 1)],
                    class_or_value: target,
                    split,
                    selected: false,
                });
            }
        }
        let spec = HeatmapSpec {
            field,
            n: GRID,
            x_range: (-6.0, 6.0),
            y_range: (-6.0, 6.0),
            scale,
            discretize: false,
            points: &self.points,
            splits: Splits {
                train: true,
                validation: true,
                test: show_test,
            },
            ticks: true,
        };
        self.heatmap.draw(&self.heatmap_canvas, &spec, palette)?;
        let label = describe_map(task, &self.values, &self.classes, &self.points, show_test);
        self.heatmap_canvas.set_attribute("aria-label", &label)?;
        self.draw_network(run, palette)
    }

    /// Draws the plane with no data and no network (the reader's own data set before its first
    /// point): a blank map and an empty network drawing.
    pub fn draw_empty(&mut self, palette: &Palette) -> Result<()> {
        self.values.clear();
        self.values.resize(GRID * GRID, 0.0);
        self.points.clear();
        let spec = HeatmapSpec {
            field: Field::Values(&self.values),
            n: GRID,
            x_range: (-6.0, 6.0),
            y_range: (-6.0, 6.0),
            scale: ColorScale::UNIT,
            discretize: false,
            points: &self.points,
            splits: Splits {
                train: true,
                validation: true,
                test: true,
            },
            ticks: true,
        };
        self.heatmap.draw(&self.heatmap_canvas, &spec, palette)?;
        self.heatmap_canvas.set_attribute(
            "aria-label",
            "The plane with no points yet: tap or click it to add some.",
        )?;
        self.layout = None;
        let canvas = &self.network_canvas;
        let ctx = crate::charts::heatmap::context_2d(canvas)?;
        ctx.clear_rect(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        );
        Ok(())
    }

    fn draw_network(&mut self, run: &mut Playground, palette: &Palette) -> Result<()> {
        let config = run.config().clone();
        let inputs: Vec<usize> = config.features.iter().map(|f| f as usize).collect();
        let hidden = config.hidden.clone();
        let outputs = run.dense_layers().last().map_or(1, |d| d.weights().nrows());
        // The maps: each input feature, each hidden neuron, each output (the output's own field).
        self.maps.clear();
        for i in 0..inputs.len() {
            let mut m = Vec::new();
            run.feature_map(i, THUMB, &mut m)?;
            self.maps.push(m);
        }
        for (l, &n) in hidden.iter().enumerate() {
            for j in 0..n {
                let mut m = Vec::new();
                run.neuron_map(l, j, THUMB, &mut m)?;
                self.maps.push(m);
            }
        }
        for _ in 0..outputs {
            let mut m = Vec::with_capacity(THUMB * THUMB);
            for r in 0..THUMB {
                for c in 0..THUMB {
                    let (gr, gc) = (r * (GRID - 1) / (THUMB - 1), c * (GRID - 1) / (THUMB - 1));
                    m.push(self.values.get(gr * GRID + gc).copied().unwrap_or(0.0));
                }
            }
            self.maps.push(m);
        }
        // Weights in row-major (out, in) order, and biases, per dense layer.
        let dense = run.dense_layers();
        let weights: Vec<Vec<f32>> = dense
            .iter()
            .map(|d| d.weights().transpose().as_slice().to_vec())
            .collect();
        let biases: Vec<Vec<f32>> = dense.iter().map(|d| d.biases().to_vec()).collect();
        let max_abs = weights
            .iter()
            .flatten()
            .fold(0.0_f32, |m, w| m.max(w.abs()))
            .max(1e-6);
        let labels: Vec<&str> = config.features.iter().map(|f| f.label()).collect();
        let mut sizes = vec![inputs.len()];
        sizes.extend(&hidden);
        sizes.push(outputs);
        let mut layers = Vec::new();
        let mut k = 0;
        for (l, &n) in sizes.iter().enumerate() {
            let mut nodes = Vec::new();
            for j in 0..n {
                let dead = l > 0
                    && l <= hidden.len()
                    && self
                        .dead
                        .get(l - 1)
                        .and_then(|d| d.get(j))
                        .copied()
                        .unwrap_or(false);
                nodes.push(NodeSpec {
                    bias: if l == 0 {
                        None
                    } else {
                        biases.get(l - 1).and_then(|b| b.get(j)).copied()
                    },
                    map: self.maps.get(k).map(Vec::as_slice),
                    dead,
                    dropped: false,
                });
                k += 1;
            }
            layers.push(LayerSpec {
                labels: if l == 0 { &labels } else { &[] },
                nodes,
            });
        }
        let spec = NetworkSpec {
            layers,
            weights: weights.iter().map(Vec::as_slice).collect(),
            map_n: THUMB,
            max_abs_weight: max_abs,
            highlight: self.highlight,
            map_scale: ColorScale::UNIT,
            discretize: false,
        };
        self.layout = self
            .network
            .draw(&self.network_canvas, &spec, palette)?
            .cloned();
        let count: usize = weights.iter().map(Vec::len).sum();
        let dead = self.dead.iter().flatten().filter(|&&d| d).count();
        let sizes: Vec<String> = sizes.iter().map(ToString::to_string).collect();
        self.network_canvas.set_attribute(
            "aria-label",
            &format!(
                "The network, {} units per layer from the inputs ({}) to the output: {count} \
                 weights, the largest {} in size; {dead} dead units.",
                sizes.join(", "),
                labels.join(", "),
                dom::fmt(f64::from(max_abs), 2)
            ),
        )?;
        Ok(())
    }
}

/// The output map's text alternative: how many points of each split it shows, and how the
/// network divides the plane (the share of it on each side, each class's share, or the range of
/// the predicted values).
fn describe_map(
    task: Task,
    values: &[f32],
    classes: &[u8],
    points: &[Point],
    show_test: bool,
) -> String {
    let count = |split: Split| points.iter().filter(|p| p.split == split).count();
    let shown = if show_test {
        format!(
            "{} training, {} validation and {} test points",
            count(Split::Train),
            count(Split::Validation),
            count(Split::Test)
        )
    } else {
        format!(
            "{} training and {} validation points",
            count(Split::Train),
            count(Split::Validation)
        )
    };
    let cells = values.len().max(1) as f64;
    let split = match task {
        Task::Binary => {
            let positive = values.iter().filter(|&&v| v > 0.0).count() as f64;
            format!(
                "the network calls {}% of the plane positive and the rest negative",
                dom::fmt(100.0 * positive / cells, 0)
            )
        }
        Task::Multiclass { classes: k } => {
            let shares: Vec<String> = (0..k)
                .map(|c| {
                    let n = classes.iter().filter(|&&x| usize::from(x) == c).count() as f64;
                    format!("class {} {}%", c + 1, dom::fmt(100.0 * n / cells, 0))
                })
                .collect();
            format!("the plane by predicted class: {}", shares.join(", "))
        }
        Task::Regression => {
            let (lo, hi) = values
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            format!(
                "predictions over the plane from {} to {}",
                dom::fmt(f64::from(lo), 2),
                dom::fmt(f64::from(hi), 2)
            )
        }
    };
    format!("The network's output over the plane with {shown}: {split}.")
}

/// Writes `text` into the element with `data-role="role"`, if the figure has one.
pub fn write_role(root: &Element, role: &str, text: &str) -> Result<()> {
    if let Some(el) = root.query_selector(&format!("[data-role=\"{role}\"]"))? {
        dom::set_text(&el, text);
    }
    Ok(())
}

/// Fills the hover card with its text and, for a neuron, its map enlarged.
pub fn show_card(card: &Element, text: &str, map: Option<&[f32]>) -> Result<()> {
    use crate::charts::heatmap::{ColorScale, Field, fill_field};
    let doc = dom::document()?;
    let label = match card.query_selector("span")? {
        Some(l) => l,
        None => {
            let l = doc.create_element("span")?;
            card.append_child(&l)?;
            l
        }
    };
    dom::set_text(&label, text);
    let canvas: HtmlCanvasElement = match card.query_selector("canvas")? {
        Some(c) => c
            .dyn_into()
            .map_err(|_| WebError::Browser("not a canvas".into()))?,
        None => {
            let c: HtmlCanvasElement = doc
                .create_element("canvas")?
                .dyn_into()
                .map_err(|_| WebError::Browser("not a canvas".into()))?;
            card.append_child(&c)?;
            c
        }
    };
    let Some(map) = map else {
        return dom::set_hidden(&canvas, true);
    };
    dom::set_hidden(&canvas, false)?;
    let n = (map.len() as f64).sqrt() as u32;
    canvas.set_width(n);
    canvas.set_height(n);
    let mut pixels = vec![0u8; map.len() * 4];
    fill_field(
        &mut pixels,
        Field::Values(map),
        ColorScale::UNIT,
        false,
        1.0,
        &Palette::from_css()?,
    )?;
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&pixels), n, n)?;
    let ctx = crate::charts::heatmap::context_2d(&canvas)?;
    ctx.put_image_data(&image, 0.0, 0.0)?;
    Ok(())
}

/// Writes the loss and accuracy of each split into the table under the charts.
pub fn write_scores(root: &Element, s: &Scores) -> Result<()> {
    let loss = |v: Option<f32>| v.map_or("–".into(), |v| fmt(f64::from(v), 4));
    let acc = |v: Option<f32>| v.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v));
    write_role(root, "train-loss", &loss(Some(s.train.loss)))?;
    write_role(root, "train-acc", &acc(s.train.accuracy))?;
    write_role(root, "val-loss", &loss(s.validation.map(|v| v.loss)))?;
    write_role(root, "val-acc", &acc(s.validation.and_then(|v| v.accuracy)))?;
    write_role(root, "test-loss", &loss(s.test.map(|v| v.loss)))?;
    write_role(root, "test-acc", &acc(s.test.and_then(|v| v.accuracy)))?;
    Ok(())
}

/// The figure's numbers for tests and assistive tools (written as JSON at full precision).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoresState {
    step: u64,
    epoch: u64,
    diverged: bool,
    train_loss: f32,
    train_accuracy: Option<f32>,
    validation_loss: Option<f32>,
    validation_accuracy: Option<f32>,
    test_loss: Option<f32>,
    test_accuracy: Option<f32>,
}

impl ScoresState {
    /// The numbers of the scores `s` at `epoch`, and whether training diverged.
    pub fn new(s: &Scores, epoch: u64, diverged: bool) -> Self {
        Self {
            step: s.step,
            epoch,
            diverged,
            train_loss: s.train.loss,
            train_accuracy: s.train.accuracy,
            validation_loss: s.validation.map(|v| v.loss),
            validation_accuracy: s.validation.and_then(|v| v.accuracy),
            test_loss: s.test.map(|v| v.loss),
            test_accuracy: s.test.and_then(|v| v.accuracy),
        }
    }
}

/// The loss curves of the three splits against updates, over the training-loss curves of the
/// `earlier` runs, faded; returns how many of those it drew.
pub fn draw_losses(
    canvas: &HtmlCanvasElement,
    history: &[Scores],
    earlier: &[&[CurvePoint]],
    log: bool,
    palette: &Palette,
) -> Result<usize> {
    let tf = |v: f32| -> f64 {
        let v = f64::from(v);
        if log { v.max(1e-6).log10() } else { v }
    };
    let collect = |pick: &dyn Fn(&Scores) -> Option<f32>| -> Vec<(f64, f64)> {
        history
            .iter()
            .filter_map(|s| {
                pick(s)
                    .filter(|v| v.is_finite())
                    .map(|v| (s.step as f64, tf(v)))
            })
            .collect()
    };
    let train = collect(&|s| Some(s.train.loss));
    let val = collect(&|s| s.validation.map(|v| v.loss));
    let test = collect(&|s| s.test.map(|v| v.loss));
    let faded: Vec<Vec<(f64, f64)>> = earlier
        .iter()
        .map(|curve| {
            curve
                .iter()
                .filter(|p| p.train.is_finite())
                .map(|p| (p.step as f64, tf(p.train)))
                .collect::<Vec<_>>()
        })
        .filter(|points| points.len() > 1)
        .collect();
    let all = train
        .iter()
        .chain(&val)
        .chain(&test)
        .chain(faded.iter().flatten());
    let (mut lo, mut hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    if !log {
        lo = lo.min(0.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-3);
    let last = history
        .last()
        .map(|s| s.step as f64)
        .into_iter()
        .chain(faded.iter().filter_map(|c| c.last().map(|p| p.0)))
        .fold(1.0, f64::max);
    // Before the first update there are no curves yet: the untrained losses as dots, and a line
    // that says what will appear, so the chart never looks unfinished.
    let untrained = train.len() < 2;
    let note = match history.len() {
        0 => Some("Add points to the map,\nthen press Play"),
        _ if untrained => Some("Press Play to train:\nthe losses appear here"),
        _ => None,
    };
    let markers = if untrained {
        // Training last, on top: the three often start at almost the same loss.
        [
            (&test, palette.muted),
            (&val, palette.orange),
            (&train, palette.blue),
        ]
        .into_iter()
        .filter_map(|(points, color)| points.first().map(|&p| (p, color)))
        .collect()
    } else {
        vec![]
    };
    line::draw(
        canvas,
        &LineChart {
            x: 0.0..last,
            y: (lo - if log { pad } else { 0.0 })..(hi + pad),
            x_label: "updates",
            // The earlier runs first, faded, so the current run's curves stay on top.
            series: faded
                .iter()
                .map(|points| Series {
                    points,
                    color: palette.blue.mix(FADED),
                    stroke: Stroke::Faint,
                })
                .chain([
                    Series {
                        points: &train,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &val,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                    Series {
                        points: &test,
                        color: palette.muted,
                        stroke: Stroke::Dashed,
                    },
                ])
                .collect(),
            bands: &[],
            markers,
            log_y: log,
            note,
        },
        palette,
    )?;
    canvas.set_attribute("aria-label", &loss_label(history.last()))?;
    Ok(faded.len())
}

/// The opacity of an earlier run's curve.
const FADED: f64 = 0.4;

/// The loss chart's accessible name: the latest losses it shows, in words.
fn loss_label(last: Option<&Scores>) -> String {
    let Some(s) = last else {
        return "Loss curves for the three splits: no updates yet".to_owned();
    };
    let mut text = format!(
        "Loss after {} updates: training {}",
        s.step,
        dom::fmt(f64::from(s.train.loss), 3)
    );
    for (name, split) in [("validation", s.validation), ("test", s.test)] {
        if let Some(v) = split {
            text.push_str(&format!(", {name} {}", dom::fmt(f64::from(v.loss), 3)));
        }
    }
    text
}
