//! The backpropagation step-through and its gradient check.
//!
//! One example goes through a small dense network: each layer's `z = W a + b` and `a = g(z)`,
//! the loss, then backwards each layer's `δ`, `∂L/∂W`, `∂L/∂b` and the hand-off to the layer
//! below, and finally the gradient-descent update. Buttons and the arrow keys move between
//! steps; the network diagram outlines what the step touches; the equations are MathML built
//! from the engine's [`Pass`] (itself laid out from the model's trace), every number tagged with
//! its place in the figure's `data-state`. After the update, "Next" takes the step and starts the
//! next pass from the new weights.
//!
//! The gradient check (a second figure, `#fig-gradcheck`) compares the same network's
//! backpropagation gradients with central finite differences, with a bug that can be planted.
//!
//! This file wires the figures to the page and draws the network; [`equations`] writes each
//! step's words and equations, [`gradient_check`] runs and shows the check.

mod equations;
mod gradient_check;

use super::Figure;
use super::mathml::MathBuilder;
use crate::charts::Palette;
use crate::charts::heatmap::ColorScale;
use crate::charts::network::{Highlight, LayerSpec, Network, NetworkSpec, NodeSpec};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use crate::json::Widened;
use equations::describe;
use gradient_check::CheckPanel;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use spiega_lessons::backprop::{Pass, WalkConfig, Walkthrough};
use spiega_lessons::playground::model_file::ModelFile;
use spiega_nn::Loss;
use spiega_nn::activation::Activation;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// One step of the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The forward pass through dense layer `l` (from 0).
    Forward(usize),
    /// The loss.
    Loss,
    /// The backward pass through dense layer `l`.
    Backward(usize),
    /// The gradient-descent update of every parameter.
    Update,
}

impl Step {
    /// The steps of a network of `layers` dense layers, in order.
    fn all(layers: usize) -> Vec<Step> {
        (0..layers)
            .map(Step::Forward)
            .chain(std::iter::once(Step::Loss))
            .chain((0..layers).rev().map(Step::Backward))
            .chain(std::iter::once(Step::Update))
            .collect()
    }

    /// The name written to the state.
    fn kind(self) -> &'static str {
        match self {
            Step::Forward(_) => "forward",
            Step::Loss => "loss",
            Step::Backward(_) => "backward",
            Step::Update => "update",
        }
    }
}

/// Layers wider than this are summarised in the equations unless the reader expands them.
const SUMMARY_LIMIT: usize = 6;

/// A live network's example handed over by the playground.
struct Live {
    input: Vec<f32>,
    target: Vec<f32>,
    labels: Vec<String>,
}

struct BackpropFigure {
    root: Element,
    canvas: HtmlCanvasElement,
    network: Network,
    equations: Element,
    step_title: Element,
    step_text: Element,
    message: Element,
    back: HtmlButtonElement,
    next: HtmlButtonElement,
    x1: HtmlInputElement,
    x2: HtmlInputElement,
    target: HtmlInputElement,
    hidden1: HtmlInputElement,
    hidden2: HtmlInputElement,
    outputs: HtmlInputElement,
    activation: HtmlSelectElement,
    loss: HtmlSelectElement,
    lr: HtmlInputElement,
    check: CheckPanel,
    live_note: Element,
    live_text: Element,
    expand: HtmlInputElement,
    live: Option<Live>,
    summarised: bool,
    config: WalkConfig,
    walk: Walkthrough,
    pass: Option<Pass>,
    step: usize,
}

/// Mounts the step-through in `root` and the gradient check in `#fig-gradcheck`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let check = CheckPanel::find()?;
    let config = WalkConfig::default();
    let fig = BackpropFigure {
        canvas: dom::query(root, "canvas[data-role=\"network\"]")?,
        network: Network::new(),
        equations: dom::query(root, "[data-role=\"equations\"]")?,
        step_title: dom::query(root, "[data-role=\"step-title\"]")?,
        step_text: dom::query(root, "[data-role=\"step-text\"]")?,
        message: dom::query(root, "[data-role=\"message\"]")?,
        back: dom::query(root, "button[data-role=\"back\"]")?,
        next: dom::query(root, "button[data-role=\"next\"]")?,
        x1: dom::input(root, "x1")?,
        x2: dom::input(root, "x2")?,
        target: dom::input(root, "target")?,
        hidden1: dom::input(root, "hidden1")?,
        hidden2: dom::input(root, "hidden2")?,
        outputs: dom::input(root, "outputs")?,
        activation: dom::query(root, "select[data-role=\"activation\"]")?,
        loss: dom::query(root, "select[data-role=\"loss\"]")?,
        lr: dom::input(root, "lr")?,
        check,
        live_note: dom::query(root, "[data-role=\"live\"]")?,
        live_text: dom::query(root, "[data-role=\"live-text\"]")?,
        expand: dom::input(root, "expand")?,
        live: None,
        summarised: false,
        walk: Walkthrough::new(&config)?,
        config,
        pass: None,
        step: 0,
        root: root.clone(),
    };
    let fig = Rc::new(RefCell::new(fig));
    wire(&fig)?;
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

/// Runs `what` on the figure, showing any failure in the figure's message line.
fn act(
    fig: &Rc<RefCell<BackpropFigure>>,
    what: fn(&mut BackpropFigure) -> Result<()>,
) -> impl FnMut(web_sys::Event) + 'static {
    let f = Rc::clone(fig);
    move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = what(&mut fig)
        {
            fig.say(&format!("That did not work: {e}.")).ok();
        }
    }
}

/// Wires the controls, buttons and keys.
fn wire(fig: &Rc<RefCell<BackpropFigure>>) -> Result<()> {
    let (root, check_root, back, next) = {
        let f = fig.borrow();
        (
            f.root.clone(),
            f.check.root.clone(),
            f.back.clone(),
            f.next.clone(),
        )
    };
    let f = Rc::clone(fig);
    dom::on(&root, "change", move |ev| {
        let role = dom::target_role(&ev);
        if let Ok(mut fig) = f.try_borrow_mut() {
            // The toolbar's file input ("Import model") is no control of the network.
            let result = match role.as_deref() {
                Some("expand") => fig.draw(),
                Some(_) => fig.controls_changed(),
                None => Ok(()),
            };
            if let Err(e) = result {
                fig.say(&format!("That did not work: {e}.")).ok();
            }
        }
    })?;
    let leave: Element = dom::query(&root, "button[data-role=\"leave-live\"]")?;
    dom::on(&leave, "click", act(fig, BackpropFigure::controls_changed))?;
    let window: web_sys::EventTarget = dom::window()?.into();
    dom::on(
        &window,
        super::handoff::EVENT,
        act(fig, BackpropFigure::receive),
    )?;
    dom::on(&root, "input", act(fig, BackpropFigure::slider_moved))?;
    dom::on(&check_root, "change", act(fig, BackpropFigure::draw_check))?;
    dom::on(&back, "click", act(fig, |f| f.go(-1)))?;
    dom::on(&next, "click", act(fig, |f| f.go(1)))?;
    let restart: Element = dom::query(&root, "button[data-role=\"restart\"]")?;
    dom::on(&restart, "click", act(fig, BackpropFigure::restart))?;
    let f = Rc::clone(fig);
    dom::on_keys(&root, move |key| {
        let by = match key {
            "ArrowRight" => 1,
            "ArrowLeft" => -1,
            _ => return false,
        };
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.go(by)
        {
            fig.say(&format!("That did not work: {e}.")).ok();
        }
        true
    })
}

impl BackpropFigure {
    fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// The network settings the controls ask for.
    fn read_config(&self) -> Result<WalkConfig> {
        let loss = Loss::from_name(&self.loss.value())?;
        // Softmax needs two outputs at least; the field's markup holds the rest of its range.
        self.outputs
            .set_min(if matches!(loss, Loss::SoftmaxCrossEntropy) {
                "2"
            } else {
                "1"
            });
        let outputs = match loss {
            Loss::BinaryCrossEntropy => 1,
            _ => controls::number_shown(&self.outputs) as usize,
        };
        self.outputs.set_value(&outputs.to_string());
        self.outputs
            .set_disabled(matches!(loss, Loss::BinaryCrossEntropy));
        let h1 = controls::number_shown(&self.hidden1) as usize;
        let h2 = controls::number_shown(&self.hidden2) as usize;
        let hidden = if h2 == 0 { vec![h1] } else { vec![h1, h2] };
        Ok(WalkConfig {
            inputs: 2,
            hidden,
            outputs,
            activation: Activation::from_name(&self.activation.value())?,
            loss,
            seed: self.config.seed,
        })
    }

    /// The example and its target: the playground's, or as the controls give them.
    fn example(&self) -> (Vec<f32>, Vec<f32>) {
        match &self.live {
            Some(live) => (live.input.clone(), live.target.clone()),
            None => {
                let (x, t, _) = self.read_example();
                (x, t)
            }
        }
    }

    /// The number of steps of a pass through the current network.
    fn step_count(&self) -> usize {
        Step::all(self.walk.model().layers().len()).len()
    }

    /// Takes the playground's hand-off: its network and one of its training points.
    fn receive(&mut self) -> Result<()> {
        let Some(h) = super::handoff::take() else {
            return Ok(());
        };
        let walk = Walkthrough::from_model(h.model, h.loss)?;
        let live = Live {
            input: h.input,
            target: h.target,
            labels: h.labels,
        };
        self.show_live(walk, live, &h.description)
    }

    /// Reads a model file into the step-through, or says why it cannot: the file's network on
    /// the example the controls give (x₁, x₂ and the target class). Everything is checked and
    /// built before anything the reader sees changes.
    fn import_model_file(&mut self, text: Result<&str>) {
        if let Err(e) = text.and_then(|t| self.load_model(t)) {
            self.say(&format!(
                "The model file was not loaded, and nothing changed: {}.",
                e.to_string().trim_end_matches('.')
            ))
            .ok();
        }
    }

    fn load_model(&mut self, text: &str) -> Result<()> {
        let file = ModelFile::parse(text)?;
        let (x1, x2) = (
            controls::number_shown(&self.x1) as f32,
            controls::number_shown(&self.x2) as f32,
        );
        let (model, input) = file.for_step_through(x1, x2)?;
        let outputs = model.output_shape().size();
        let walk = Walkthrough::from_model(model, file.loss)?;
        let class = controls::number_shown(&self.target) as usize;
        let target: Vec<f32> = if outputs == 1 {
            vec![class.min(1) as f32]
        } else {
            (0..outputs)
                .map(|k| {
                    if k == class.min(outputs - 1) {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let description = format!(
            "A network from a model file ({} hidden layers, {} loss), on the point ({}, {}) with \
             target {}.",
            walk.model().layers().len().saturating_sub(1),
            file.loss.name().replace('_', " "),
            fmt(f64::from(x1), 2),
            fmt(f64::from(x2), 2),
            target
                .iter()
                .map(|v| fmt(f64::from(*v), 0))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let live = Live {
            input,
            target,
            labels: file
                .feature_set()
                .labels()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        };
        self.show_live(walk, live, &description)
    }

    /// Shows `walk` on the example `live`, described by `description`, from its first step.
    fn show_live(&mut self, walk: Walkthrough, live: Live, description: &str) -> Result<()> {
        self.walk = walk;
        self.live = Some(live);
        dom::set_text(&self.live_text, description);
        dom::set_hidden(&self.live_note, false)?;
        self.step = 0;
        self.say("")?;
        self.recompute()?;
        self.draw()?;
        self.draw_check()?;
        if let Some(el) = self.root.dyn_ref::<web_sys::HtmlElement>() {
            el.scroll_into_view();
            el.focus().ok();
        }
        Ok(())
    }

    /// A control of the small network changed: leave the playground's network, if it was
    /// shown, and rebuild.
    fn controls_changed(&mut self) -> Result<()> {
        if self.live.take().is_some() {
            dom::set_hidden(&self.live_note, true)?;
            self.pass = None;
        }
        self.update()
    }

    /// The example and its target vector as the controls give them.
    fn read_example(&self) -> (Vec<f32>, Vec<f32>, usize) {
        let x = vec![
            controls::number_shown(&self.x1) as f32,
            controls::number_shown(&self.x2) as f32,
        ];
        let classes = if self.config.loss == Loss::BinaryCrossEntropy {
            2
        } else {
            self.config.outputs
        };
        self.target.set_max(&(classes - 1).to_string());
        let class = controls::number_shown(&self.target) as usize;
        let target = if self.config.loss == Loss::BinaryCrossEntropy {
            vec![class as f32]
        } else {
            (0..self.config.outputs)
                .map(|k| if k == class { 1.0 } else { 0.0 })
                .collect()
        };
        (x, target, class)
    }

    /// Runs the pass for the current example on the current weights.
    fn recompute(&mut self) -> Result<()> {
        let (x, t) = self.example();
        let lr = self.learning_rate();
        dom::set_output(&self.root, "lr-value", &fmt(f64::from(lr), 2));
        self.pass = Some(self.walk.pass(&x, &t, lr)?);
        self.step = self.step.min(self.step_count() - 1);
        Ok(())
    }

    fn learning_rate(&self) -> f32 {
        controls::number(&self.lr) as f32
    }

    /// The learning-rate slider: the pass and its update change, the step stays.
    fn slider_moved(&mut self) -> Result<()> {
        self.recompute()?;
        self.draw()
    }

    /// Back to the first step of this pass.
    fn restart(&mut self) -> Result<()> {
        self.step = 0;
        self.draw()
    }

    /// Moves `by` steps; past the update, the update is taken and the next pass begins.
    fn go(&mut self, by: i32) -> Result<()> {
        let steps = self.step_count();
        if by > 0 && self.step + 1 >= steps {
            if let Some(pass) = self.pass.take() {
                self.walk.apply(&pass)?;
            }
            self.step = 0;
            self.recompute()?;
        } else if by > 0 {
            self.step += 1;
        } else if self.step > 0 {
            self.step -= 1;
        }
        self.draw()?;
        self.draw_check()
    }

    /// Draws the diagram, the step's equations and the state.
    fn draw(&mut self) -> Result<()> {
        let Some(pass) = self.pass.as_ref() else {
            return Ok(());
        };
        let steps = Step::all(pass.layers.len());
        let step = steps.get(self.step).copied().unwrap_or(Step::Update);
        let default_labels = ["x₁".to_owned(), "x₂".to_owned()];
        let labels = self
            .live
            .as_ref()
            .map_or(&default_labels[..], |l| &l.labels[..]);
        draw_network(&mut self.network, &self.canvas, pass, step, labels)?;
        let widest = pass
            .layers
            .iter()
            .map(|l| l.biases.len().max(l.input.len()))
            .max()
            .unwrap_or(0);
        let summarised = widest > SUMMARY_LIMIT && !self.expand.checked();
        self.summarised = summarised;
        let math = MathBuilder::new()?.with_limit(if summarised {
            SUMMARY_LIMIT
        } else {
            usize::MAX
        });
        if let Some(frame) = self.expand.parent_element() {
            dom::set_hidden(&frame, widest <= SUMMARY_LIMIT)?;
        }
        let (title, text, equations) = describe(&math, pass, step, self.walk.loss())?;
        dom::set_text(
            &self.step_title,
            &format!("Step {} of {}: {title}", self.step + 1, steps.len()),
        );
        dom::set_text(&self.step_text, &text);
        self.equations.set_text_content(None);
        for parts in equations {
            let line = dom::document()?.create_element("div")?;
            line.set_class_name("bp-eq");
            for part in parts {
                let m = math.el("math")?;
                let row = math.row(&part)?;
                m.append_child(&row)?;
                line.append_child(&m)?;
            }
            self.equations.append_child(&line)?;
        }
        mark_scrolling_lines(&self.equations)?;
        self.back.set_disabled(self.step == 0);
        dom::set_text(
            &self.next,
            if self.step + 1 == steps.len() {
                "Take the step ▶"
            } else {
                "Next ▶"
            },
        );
        dom::set_state(&self.root, &StepState::new(pass, self, step, steps.len()))?;
        Ok(())
    }
}

/// Marks each equation line of `equations` that is wider than its box (a wide matrix cannot
/// wrap): `data-scrolls` shows the scroll cue, and `tabindex` lets a keyboard scroll it. Lines
/// that fit lose the mark, so a resize that makes room takes the cue away again.
fn mark_scrolling_lines(equations: &Element) -> Result<()> {
    let mut next = equations.first_element_child();
    while let Some(line) = next {
        if line.scroll_width() > line.client_width() + 1 {
            line.set_attribute("data-scrolls", "true")?;
            line.set_attribute("tabindex", "0")?;
            line.set_attribute(
                "aria-label",
                "Equation, wider than the figure: scroll sideways",
            )?;
        } else {
            line.remove_attribute("data-scrolls")?;
            line.remove_attribute("tabindex")?;
            line.remove_attribute("aria-label")?;
        }
        next = line.next_element_sibling();
    }
    Ok(())
}

/// Draws the network with what `step` touches outlined, and describes it in the canvas's label.
fn draw_network(
    network: &mut Network,
    canvas: &HtmlCanvasElement,
    pass: &Pass,
    step: Step,
    input_labels: &[String],
) -> Result<()> {
    {
        let labels: Vec<&str> = input_labels.iter().map(String::as_str).collect();
        let mut layers = vec![LayerSpec {
            labels: &labels,
            nodes: vec![NodeSpec::default(); pass.input.len()],
        }];
        for lp in &pass.layers {
            layers.push(LayerSpec {
                labels: &[],
                nodes: lp
                    .biases
                    .iter()
                    .map(|&b| NodeSpec {
                        bias: Some(b),
                        ..NodeSpec::default()
                    })
                    .collect(),
            });
        }
        let flat: Vec<Vec<f32>> = pass
            .layers
            .iter()
            .map(|lp| lp.weights.iter().flatten().copied().collect())
            .collect();
        let max = flat
            .iter()
            .flatten()
            .fold(0.0_f32, |m, w| m.max(w.abs()))
            .max(1e-6);
        let highlight = match step {
            Step::Forward(l) | Step::Backward(l) => Some(Highlight::Layer { layer: l + 1 }),
            Step::Loss => Some(Highlight::Layer {
                layer: pass.layers.len(),
            }),
            Step::Update => None,
        };
        let spec = NetworkSpec {
            layers,
            weights: flat.iter().map(Vec::as_slice).collect(),
            map_n: 0,
            max_abs_weight: max,
            highlight,
            map_scale: ColorScale::UNIT,
            discretize: false,
        };
        let palette = Palette::from_css()?;
        network.draw(canvas, &spec, &palette)?;
        let sizes: Vec<String> = std::iter::once(pass.input.len())
            .chain(pass.layers.iter().map(|l| l.biases.len()))
            .map(|n| n.to_string())
            .collect();
        let what = match step {
            Step::Forward(l) => format!("layer {} is outlined (forward)", l + 1),
            Step::Loss => "the output layer is outlined (loss)".to_owned(),
            Step::Backward(l) => format!("layer {} is outlined (backward)", l + 1),
            Step::Update => "every weight is updated".to_owned(),
        };
        canvas.set_attribute(
            "aria-label",
            &format!(
                "Network {}: blue weights are positive, orange negative; {what}.",
                sizes.join("-")
            ),
        )?;
    }
    Ok(())
}

impl Figure for BackpropFigure {
    fn import_model(&mut self, text: Result<&str>) {
        self.import_model_file(text);
    }

    /// Reads the controls: a new network when its shape or functions changed, then the pass.
    fn update(&mut self) -> Result<()> {
        if self.live.is_some() {
            self.recompute()?;
            self.draw()?;
            return self.draw_check();
        }
        let config = self.read_config()?;
        if config != self.config || self.pass.is_none() {
            self.walk = Walkthrough::new(&config)?;
            self.config = config;
            self.step = 0;
        }
        self.say("")?;
        self.recompute()?;
        self.draw()?;
        self.draw_check()
    }
}
/// The step-through's test hook: the step, the settings, and every number of the pass, each
/// written as the `f64` its `f32` widens to (the equations format that `f64`).
#[derive(Serialize)]
struct StepState<'a> {
    step: usize,
    steps: usize,
    kind: &'static str,
    /// The dense layer the step is about, or −1 for the loss and the update.
    layer: i64,
    updates: u64,
    live: bool,
    summarised: bool,
    /// The input's width, then each layer's.
    sizes: Vec<usize>,
    activation: &'static str,
    loss_name: &'static str,
    loss: Widened<f32>,
    lr: Widened<f32>,
    x: Vector<'a>,
    target: Vector<'a>,
    prediction: Vector<'a>,
    layers: Vec<LayerState<'a>>,
}

/// A vector of the pass, widened.
type Vector<'a> = Widened<&'a [f32]>;

/// One dense layer's numbers in the step-through's state, under the names the equations use.
struct LayerState<'a> {
    activation: &'static str,
    matrices: [(&'static str, &'a [Vec<f32>]); 3],
    vectors: [(&'static str, &'a [f32]); 9],
}

impl Serialize for LayerState<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("activation", self.activation)?;
        for (name, rows) in self.matrices {
            map.serialize_entry(name, &Widened(rows))?;
        }
        for (name, values) in self.vectors {
            map.serialize_entry(name, &Widened(values))?;
        }
        map.end()
    }
}

impl<'a> StepState<'a> {
    fn new(pass: &'a Pass, fig: &BackpropFigure, step: Step, steps: usize) -> Self {
        let layer = match step {
            Step::Forward(l) | Step::Backward(l) => i64::try_from(l).unwrap_or(-1),
            _ => -1,
        };
        Self {
            step: fig.step,
            steps,
            kind: step.kind(),
            layer,
            updates: fig.walk.updates(),
            live: fig.live.is_some(),
            summarised: fig.summarised,
            sizes: std::iter::once(pass.input.len())
                .chain(pass.layers.iter().map(|l| l.biases.len()))
                .collect(),
            activation: pass.layers.first().map_or("", |l| l.activation),
            loss_name: fig.walk.loss().name(),
            loss: Widened(pass.loss),
            lr: Widened(pass.learning_rate),
            x: Widened(&pass.input),
            target: Widened(&pass.target),
            prediction: Widened(&pass.prediction),
            layers: pass
                .layers
                .iter()
                .map(|lp| LayerState {
                    activation: lp.activation,
                    matrices: [
                        ("W", lp.weights.as_slice()),
                        ("dW", lp.grad_weights.as_slice()),
                        ("newW", lp.new_weights.as_slice()),
                    ],
                    vectors: [
                        ("input", lp.input.as_slice()),
                        ("b", lp.biases.as_slice()),
                        ("z", lp.pre_activation.as_slice()),
                        ("a", lp.output.as_slice()),
                        ("gprime", lp.derivative.as_slice()),
                        ("grad_a", lp.grad_output.as_slice()),
                        ("delta", lp.delta.as_slice()),
                        ("db", lp.grad_biases.as_slice()),
                        ("newb", lp.new_biases.as_slice()),
                    ],
                })
                .collect(),
        }
    }
}
