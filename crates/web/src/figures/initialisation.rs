//! The initialisation figure: the spread of a deep network's activations and error signals, layer
//! by layer, under the scheme, activation and seed the reader picks; "New batch" draws the next
//! seed's weights, inputs and labels.

use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::initialisation::{DEPTH, SEEDS, Scheme, Spread, spread};
use spiega_nn::activation::Activation;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

/// The figure's elements.
struct InitialisationFigure {
    root: Element,
    canvas: HtmlCanvasElement,
    readout: Element,
    seed: HtmlInputElement,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(InitialisationFigure {
        root: root.clone(),
        canvas: dom::query(root, "canvas[data-role=\"chart\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        seed: dom::input(root, "seed")?,
    }));
    let button: Element = dom::query(root, "button[data-role=\"reseed\"]")?;
    let f = Rc::clone(&fig);
    dom::on(&button, "click", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.next_seed()
        {
            web_sys::console::error_1(&e.to_string().into());
        }
    })?;
    let fig: Rc<RefCell<dyn Figure>> = fig;
    update_on_input(root, &fig)?;
    Ok(fig)
}

impl InitialisationFigure {
    /// The seed in the field, a whole number within the field's range.
    fn seed(&self) -> u32 {
        controls::number_shown(&self.seed) as u32
    }

    /// Moves the seed field to the next seed (after the last, the first) and redraws.
    fn next_seed(&mut self) -> Result<()> {
        let next = if self.seed() >= *SEEDS.end() {
            *SEEDS.start()
        } else {
            self.seed() + 1
        };
        self.seed.set_value(&next.to_string());
        self.update()
    }
}

/// The points `(layer, log₁₀ value)` of a spread, layer 1 first.
fn log_points(values: &[f32]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| ((i + 1) as f64, f64::from(v).log10()))
        .collect()
}

/// A number in words: three decimals, or a power of ten when it is tiny or huge.
fn spread_text(v: f32) -> String {
    let v = f64::from(v);
    if v == 0.0 {
        "0".into()
    } else if !(1e-3..1e4).contains(&v) {
        format!("{v:.1e}").replace('-', "−")
    } else {
        fmt(v, 3)
    }
}

/// The last over the first of `v`, in words ("×1.4", "×0.061").
fn change_text(v: &[f32]) -> String {
    match (v.first(), v.last()) {
        (Some(&a), Some(&b)) if a > 0.0 => format!("×{}", spread_text(b / a)),
        _ => "no change".into(),
    }
}

/// What the readout says about a spread.
fn describe(s: &Spread, activation: Activation) -> String {
    if s.activations.iter().chain(&s.gradients).all(|&v| v == 0.0) {
        return "Every activation and every error signal is exactly 0, in every layer, and all \
                the units of a layer are identical: nothing tells them apart."
            .into();
    }
    let (first, last) = (0, DEPTH - 1);
    let mut text = format!(
        "From layer 1 to layer {DEPTH}: activations' spread {} → {} ({}); error signals' spread {} → {} ({}).",
        spread_text(s.activations[first]),
        spread_text(s.activations[last]),
        change_text(&s.activations),
        spread_text(s.gradients[first]),
        spread_text(s.gradients[last]),
        change_text(&s.gradients),
    );
    if activation == Activation::Tanh {
        text.push_str(&format!(
            " Outputs beyond ±0.9: {} % in layer 1, {} % in layer {DEPTH}.",
            fmt(f64::from(s.saturated[first]) * 100.0, 1),
            fmt(f64::from(s.saturated[last]) * 100.0, 1),
        ));
    }
    text
}

impl Figure for InitialisationFigure {
    fn update(&mut self) -> Result<()> {
        let scheme = Scheme::from_name(&controls::radio(&self.root, "init-scheme")?)?;
        let activation = Activation::from_name(&controls::radio(&self.root, "init-activation")?)?;
        let seed = self.seed();
        let s = spread(scheme, activation, seed)?;

        let all_zero = s.activations.iter().chain(&s.gradients).all(|&v| v == 0.0);
        // Zero has no logarithm: it is drawn on a plain axis instead, flat at 0.
        let (acts, grads, y) = if all_zero {
            let flat: Vec<(f64, f64)> = (1..=DEPTH).map(|l| (l as f64, 0.0)).collect();
            (flat.clone(), flat, -0.1..1.0)
        } else {
            let (a, g) = (log_points(&s.activations), log_points(&s.gradients));
            let (lo, hi) = a
                .iter()
                .chain(&g)
                .fold((f64::MAX, f64::MIN), |(lo, hi), &(_, v)| {
                    (lo.min(v), hi.max(v))
                });
            // Whole decades around the values, at least four of them, so that the axis is
            // labelled at whole powers of ten.
            let (lo, hi) = ((lo - 0.25).floor(), (hi + 0.25).ceil());
            let hi = hi.max(lo + 4.0);
            (a, g, lo..hi)
        };
        let palette = Palette::from_css()?;
        line::draw(
            &self.canvas,
            &LineChart {
                x: 0.5..(DEPTH as f64 + 0.5),
                y,
                x_label: "hidden layer l",
                series: vec![
                    Series {
                        points: &acts,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &grads,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                ],
                bands: &[],
                markers: Vec::new(),
                log_y: !all_zero,
                note: None,
            },
            &palette,
        )?;
        let text = describe(&s, activation);
        dom::set_text(&self.readout, &text);
        self.canvas.set_attribute(
            "aria-label",
            &format!(
                "Spread of activations (solid) and error signals (dashed) in each of {DEPTH} \
                 hidden layers, {} initialisation, {}. {text}",
                scheme.name(),
                activation.name(),
            ),
        )?;
        dom::set_state(
            &self.root,
            &InitialisationState {
                scheme: scheme.name(),
                activation: activation.name(),
                seed,
                activations: &s.activations,
                gradients: &s.gradients,
                saturated: &s.saturated,
                identical_units: s.identical_units.iter().all(|&same| same),
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the settings, and per hidden layer (layer 1 first) the spread of
/// the activations and of the error signals and the share of outputs beyond ±0.9; whether every
/// layer's units were all identical.
#[derive(Serialize)]
struct InitialisationState<'a> {
    scheme: &'a str,
    activation: &'a str,
    seed: u32,
    activations: &'a [f32],
    gradients: &'a [f32],
    saturated: &'a [f32],
    identical_units: bool,
}
