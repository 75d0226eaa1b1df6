//! The playground's views and the glue between its settings and the engine: the heatmap and the
//! network drawings, the hidden-layer editor, pointer handling (adding points, hovering neurons
//! and weights, editing a weight), and the translation of the address's settings into the
//! engine's configuration.

use crate::charts::Palette;
use crate::charts::heatmap::{ColorScale, Field, Heatmap, HeatmapSpec, Point, Split, Splits};
use crate::charts::network::{Highlight, LayerSpec, Network, NetworkLayout, NetworkSpec, NodeSpec};
use crate::dom;
use crate::error::{Result, WebError};
use crate::figures::playground::PlaygroundFigure;
use crate::state::PlaygroundState;
use spiega_lessons::playground::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::EngineError;
use spiega_nn::activation::Activation;
use spiega_nn::data::Task;
use spiega_nn::data::features::{Feature, FeatureSet};
use spiega_nn::data::split::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::loss::Loss;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// The resolution of the output heatmap (cells per side).
pub const GRID: usize = 100;
/// The resolution of each neuron's thumbnail.
pub const THUMB: usize = 20;

/// The training, validation and test shares the sliders set.
pub fn split_fractions(s: &PlaygroundState) -> SplitFractions {
    SplitFractions::new(
        s.train_percent() as f32 / 100.0,
        s.validation_percent() as f32 / 100.0,
        s.test_percent() as f32 / 100.0,
    )
}

/// Translates the address's settings into the engine's configuration.
pub fn engine_config(s: &PlaygroundState) -> Result<PlaygroundConfig> {
    let data = if s.is_regression() {
        match s.reg_dataset_name() {
            "reg-gauss" => DataKind::MultiGaussian,
            _ => DataKind::Plane,
        }
    } else {
        match s.dataset_name() {
            "xor" => DataKind::Classify(TwoD::Xor),
            "gauss" => DataKind::Classify(TwoD::Gaussians),
            "spiral" => DataKind::Classify(TwoD::Spiral),
            "moons" => DataKind::Classify(TwoD::Moons),
            "blobs" => DataKind::Classify(TwoD::Blobs { classes: s.classes }),
            "custom" => DataKind::Custom(s.custom_dataset()?),
            _ => DataKind::Classify(TwoD::Circle),
        }
    };
    let mut features = FeatureSet::from_bits(0)?;
    for (on, f) in s.feature_flags().into_iter().zip(Feature::ALL) {
        features.set(f, on);
    }
    let (optimizer, batch_size, penalty) = training_settings(s)?;
    let activation = match s.activation_name() {
        "leaky_relu" => Activation::LeakyRelu { slope: 0.01 },
        "prelu" => Activation::Prelu { alpha: 0.25 },
        "swish" => Activation::Swish { beta: 1.0 },
        other => Activation::from_name(other)?,
    };
    let binary_loss = match s.loss_name() {
        "squared" => Loss::SquaredMargin,
        "hinge" => Loss::Hinge,
        "exponential" => Loss::Exponential,
        _ => Loss::BinaryCrossEntropy,
    };
    Ok(PlaygroundConfig {
        data,
        points: s.points,
        noise: s.noise as f32 / 100.0,
        split: split_fractions(s),
        features,
        normalize: s.normalize,
        hidden: s.hidden_layers().to_vec(),
        activation,
        binary_loss,
        optimizer,
        batch_size,
        penalty,
        dropout: s.dropout as f32,
        batch_norm: s.batch_norm,
        seed: s.seed,
    })
}

/// The settings that change training without a new network: optimizer, batch size, penalty.
pub fn training_settings(s: &PlaygroundState) -> Result<(OptimizerConfig, usize, Penalty)> {
    let kind = match s.optimizer_name() {
        "gd" | "sgd" => OptimizerKind::Sgd,
        "momentum" => OptimizerKind::Momentum,
        "nesterov" => OptimizerKind::Nesterov,
        "adagrad" => OptimizerKind::Adagrad,
        "rmsprop" => OptimizerKind::RmsProp,
        _ => OptimizerKind::Adam,
    };
    let mut optimizer = OptimizerConfig::new(kind).with("lr", s.learning_rate_f32())?;
    if matches!(kind, OptimizerKind::Momentum | OptimizerKind::Nesterov) {
        optimizer = optimizer.with("momentum", 0.9)?;
    }
    // Gradient descent is a batch of the whole training split.
    let batch = if s.optimizer_name() == "gd" {
        usize::MAX
    } else {
        s.batch_size
    };
    let rate = s.regularization_rate_f32();
    let penalty = match s.regularization_name() {
        "L1" => Penalty::L1 { lambda: rate },
        "L2" => Penalty::L2 { lambda: rate },
        "elastic" => Penalty::ElasticNet {
            alpha: rate,
            l1_ratio: 0.5,
        },
        _ => Penalty::None,
    };
    Ok((optimizer, batch, penalty))
}

/// Sets a select's value, adding an option for a value the list does not offer (from a link).
pub fn select_value(select: &HtmlSelectElement, value: &str) -> Result<()> {
    select.set_value(value);
    if select.value() != value {
        let option = dom::document()?.create_element("option")?;
        option.set_attribute("value", value)?;
        dom::set_text(&option, value);
        select.append_child(&option)?;
        select.set_value(value);
    }
    Ok(())
}

/// Whether the control `el` holds something other than what the page's markup gives it: a box
/// checked or not, another option chosen, or another number (compared as numbers, so `0.20` is
/// `0.2`). Anything that is not an input or a menu never differs.
pub fn differs_from_markup(el: &Element) -> bool {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        if input.type_() == "checkbox" {
            return input.checked() != input.default_checked();
        }
        let (now, was) = (input.value(), input.default_value());
        return match (now.parse::<f64>(), was.parse::<f64>()) {
            (Ok(a), Ok(b)) => a != b,
            _ => now != was,
        };
    }
    if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
        let options: Vec<web_sys::HtmlOptionElement> = dom::query_all(select, "option")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|o| o.dyn_into().ok())
            .collect();
        let default = options
            .iter()
            .find(|o| o.default_selected())
            .or(options.first());
        return default.is_some_and(|o| o.value() != select.value());
    }
    false
}

/// The batch-size slider goes up to the whole training split.
pub fn limit_batch_slider(root: &Element, train: usize) -> Result<()> {
    let slider = dom::input(root, "batchSize")?;
    slider.set_max(&train.max(1).to_string());
    Ok(())
}

/// The hidden-layer editor's sizes, as `networkShape` ("4,2").
pub fn read_layers(root: &Element) -> Result<String> {
    let inputs = dom::query_all(root, "[data-role=\"layers\"] input[data-layer]")?;
    let sizes: Vec<String> = inputs
        .iter()
        .filter_map(|el| {
            el.dyn_ref::<HtmlInputElement>()
                .map(HtmlInputElement::value)
        })
        .collect();
    Ok(sizes.join(","))
}

/// Rebuilds the hidden-layer editor: a count with − and + buttons, and a size field per layer.
pub fn write_layers(root: &Element, sizes: &[usize]) -> Result<()> {
    let holder: Element = dom::query(root, "[data-role=\"layers\"]")?;
    let current = read_layers(root)?;
    let wanted: Vec<String> = sizes.iter().map(ToString::to_string).collect();
    if current == wanted.join(",") && holder.child_element_count() > 0 {
        return Ok(());
    }
    let doc = dom::document()?;
    holder.set_text_content(None);
    let label = doc.create_element("span")?;
    dom::set_text(
        &label,
        &format!(
            "{} hidden layer{}",
            sizes.len(),
            if sizes.len() == 1 { "" } else { "s" }
        ),
    );
    holder.append_child(&label)?;
    for (text, role, title) in [
        ("−", "remove-layer", "Remove a hidden layer"),
        ("+", "add-layer", "Add a hidden layer"),
    ] {
        let b = doc.create_element("button")?;
        b.set_attribute("type", "button")?;
        b.set_attribute("class", "btn")?;
        b.set_attribute("data-role", role)?;
        b.set_attribute("aria-label", title)?;
        dom::set_text(&b, text);
        holder.append_child(&b)?;
    }
    for (i, n) in sizes.iter().enumerate() {
        let field = doc.create_element("label")?;
        field.set_attribute("class", "inline")?;
        let name = doc.create_element("span")?;
        dom::set_text(&name, &format!("layer {}", i + 1));
        field.append_child(&name)?;
        let input: HtmlInputElement = doc
            .create_element("input")?
            .dyn_into()
            .map_err(|_| WebError::Browser("input".into()))?;
        input.set_type("number");
        input.set_min("1");
        input.set_max("32");
        input.set_value(&n.to_string());
        input.set_attribute("data-layer", &i.to_string())?;
        input.set_attribute("aria-label", &format!("Neurons in hidden layer {}", i + 1))?;
        field.append_child(&input)?;
        holder.append_child(&field)?;
    }
    Ok(())
}

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

/// The pointer position in CSS pixels from the canvas's top left (the charts' layout units).
fn canvas_point(canvas: &HtmlCanvasElement, ev: &web_sys::MouseEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    (
        f64::from(ev.client_x()) - rect.left(),
        f64::from(ev.client_y()) - rect.top(),
    )
}

/// Pointer handling: hovering the network shows a neuron's map or a weight's value; clicking a
/// weight opens its editor; clicking the map adds or removes the reader's own points.
pub fn wire_pointer(fig: &Rc<RefCell<PlaygroundFigure>>) -> Result<()> {
    let (network_canvas, heatmap_canvas, root) = {
        let f = fig.borrow();
        (
            f.view().network_canvas().clone(),
            f.view().heatmap_canvas().clone(),
            f.root().clone(),
        )
    };
    let f = Rc::clone(fig);
    dom::on(&network_canvas, "mousemove", move |ev| {
        let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        if let Ok(mut fig) = f.try_borrow_mut() {
            let canvas = fig.view().network_canvas().clone();
            let p = canvas_point(&canvas, ev);
            fig.hover_network(p).ok();
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&network_canvas, "mouseleave", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut() {
            fig.hover_network((-1e9, -1e9)).ok();
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&network_canvas, "click", move |ev| {
        let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        if let Ok(mut fig) = f.try_borrow_mut() {
            let canvas = fig.view().network_canvas().clone();
            let p = canvas_point(&canvas, ev);
            fig.open_weight_editor(p).ok();
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&heatmap_canvas, "click", move |ev| {
        let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        if let Ok(mut fig) = f.try_borrow_mut() {
            let canvas = fig.view().heatmap_canvas().clone();
            let p = canvas_point(&canvas, ev);
            if let Err(e) = fig.edit_points(p, ev.shift_key(), ev.alt_key()) {
                fig.report(&e);
            }
        }
    })?;
    let f = Rc::clone(fig);
    let set = dom::query::<Element>(&root, "[data-role=\"weight-set\"]")?;
    dom::on(&set, "click", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.set_edited_weight()
        {
            fig.report(&e);
        }
    })?;
    Ok(())
}

/// Readings of the playground's settings in the units the figure and the engine use.
impl PlaygroundState {
    /// Whether `key` is one of the playground's own keys.
    pub fn is_key(key: &str) -> bool {
        crate::state::playground::FIELDS
            .iter()
            .any(|f| f.key == key)
    }

    /// Whether the task is regression.
    pub fn is_regression(&self) -> bool {
        self.problem == crate::state::playground::Problem::Regression
    }

    /// The classification data set's name in the address.
    pub fn dataset_name(&self) -> &'static str {
        self.dataset.name()
    }

    /// The regression data set's name in the address.
    pub fn reg_dataset_name(&self) -> &'static str {
        self.reg_dataset.name()
    }

    /// The hidden activation's name.
    pub fn activation_name(&self) -> &'static str {
        self.activation.name()
    }

    /// The binary loss's name.
    pub fn loss_name(&self) -> &'static str {
        self.loss.name()
    }

    /// The optimizer's name.
    pub fn optimizer_name(&self) -> &'static str {
        self.optimizer.name()
    }

    /// The penalty's name.
    pub fn regularization_name(&self) -> &'static str {
        self.regularization.name()
    }

    /// The learning rate as the engine takes it.
    pub fn learning_rate_f32(&self) -> f32 {
        self.learning_rate as f32
    }

    /// The penalty's rate as the engine takes it.
    pub fn regularization_rate_f32(&self) -> f32 {
        self.regularization_rate as f32
    }

    /// The training share in percent.
    pub fn train_percent(&self) -> u32 {
        self.perc_train
    }

    /// The validation share in percent.
    pub fn validation_percent(&self) -> u32 {
        self.perc_val
    }

    /// The seven feature switches in the engine's feature order.
    pub fn feature_flags(&self) -> [bool; 7] {
        let f = self.features;
        [
            f.x,
            f.y,
            f.x_squared,
            f.y_squared,
            f.x_times_y,
            f.sin_x,
            f.sin_y,
        ]
    }

    /// The reader's own points as an engine data set (classes, or values for regression).
    pub fn custom_dataset(&self) -> Result<spiega_nn::data::Dataset> {
        use spiega_nn::Matrix;
        use spiega_nn::data::Dataset;
        if self.custom.is_empty() {
            return Err(WebError::Engine(EngineError::Invalid(
                "Your data set has no points yet: tap or click the map to add some".into(),
            )));
        }
        let n = self.custom.len();
        let x = Matrix::from_fn(n, 2, |r, c| {
            let p = &self.custom[r];
            (if c == 0 { p.x } else { p.y }) as f32
        });
        let data = if self.is_regression() {
            Dataset::regression(x, Matrix::from_fn(n, 1, |r, _| self.custom[r].label as f32))
        } else {
            let labels: Vec<usize> = self
                .custom
                .iter()
                .map(|p| p.label.max(0.0) as usize)
                .collect();
            let classes = labels.iter().max().map_or(2, |m| m + 1).max(2);
            if classes == 2 {
                Dataset::binary(x, labels)
            } else {
                Dataset::multiclass(x, labels, classes)
            }
        };
        data.map_err(WebError::Engine)
    }

    /// Adds one of the reader's points (coordinates rounded as the address stores them); false
    /// when the data set already holds its [`MAX_CUSTOM_POINTS`](crate::state::playground::MAX_CUSTOM_POINTS).
    pub fn add_custom_point(&mut self, x: f32, y: f32, label: usize) -> bool {
        let room = self.custom.len() < crate::state::playground::MAX_CUSTOM_POINTS;
        if room {
            self.custom.push(crate::state::Point {
                x: crate::state::round2(f64::from(x)),
                y: crate::state::round2(f64::from(y)),
                label: label as f64,
            });
        }
        room
    }

    /// Removes the reader's point nearest to `(x, y)`, if one is within 0.5; false when none is.
    pub fn remove_custom_point_near(&mut self, x: f32, y: f32) -> bool {
        let d =
            |p: &crate::state::Point| (p.x - f64::from(x)).powi(2) + (p.y - f64::from(y)).powi(2);
        if let Some((i, _)) = self
            .custom
            .iter()
            .enumerate()
            .filter(|(_, p)| d(p) < 0.25)
            .min_by(|a, b| d(a.1).total_cmp(&d(b.1)))
        {
            self.custom.remove(i);
            return true;
        }
        false
    }
}
