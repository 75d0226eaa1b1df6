//! The activation figure: an activation function and its derivative, with its parameter and a probe.

use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::activations::{SAMPLES, VANISHING};
use spiega_lessons::activations::{sample_curve, vanishing_intervals};
use spiega_nn::activation::Activation;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

/// The figure's controls and canvas.
struct ActivationFigure {
    root: Element,
    canvas: HtmlCanvasElement,
    readout: Element,
    range: HtmlInputElement,
    probe: HtmlInputElement,
    slope: HtmlInputElement,
    alpha: HtmlInputElement,
    beta: HtmlInputElement,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = ActivationFigure {
        root: root.clone(),
        canvas: dom::query(root, "canvas[data-role=\"chart\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        range: dom::input(root, "range")?,
        probe: dom::input(root, "probe")?,
        slope: dom::input(root, "slope")?,
        alpha: dom::input(root, "alpha")?,
        beta: dom::input(root, "beta")?,
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    Ok(fig)
}

impl ActivationFigure {
    /// The activation picked by the radio buttons, with its parameter from its slider.
    fn activation(&self) -> Result<Activation> {
        Ok(match controls::radio(&self.root, "activation")?.as_str() {
            "leaky_relu" => Activation::LeakyRelu {
                slope: controls::number(&self.slope) as f32,
            },
            "prelu" => Activation::Prelu {
                alpha: controls::number(&self.alpha) as f32,
            },
            "swish" => Activation::Swish {
                beta: controls::number(&self.beta) as f32,
            },
            other => Activation::from_name(other)?,
        })
    }

    /// Shows only the parameter slider and the notes card of the chosen activation.
    fn show_relevant(&self, name: &str) -> Result<()> {
        for el in dom::query_all(&self.root, "[data-param]")? {
            dom::set_hidden(&el, el.get_attribute("data-param").as_deref() != Some(name))?;
        }
        if let Some(section) = self.root.closest("section")? {
            for card in dom::query_all(&section, ".activation-notes [data-for]")? {
                dom::set_hidden(
                    &card,
                    card.get_attribute("data-for").as_deref() != Some(name),
                )?;
            }
        }
        Ok(())
    }
}

/// Describes the vanishing intervals in words, e.g. "z < −2.89 and z > 2.89".
fn describe_intervals(intervals: &[(f32, f32)], lo: f32, hi: f32) -> String {
    if intervals.is_empty() {
        return "nowhere in view".into();
    }
    let parts: Vec<String> = intervals
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (f64::from(a), f64::from(b));
            match (a <= f64::from(lo) + 1e-6, b >= f64::from(hi) - 1e-6) {
                (true, true) => "everywhere in view".into(),
                (true, false) => format!("z < {}", fmt(b, 2)),
                (false, true) => format!("z > {}", fmt(a, 2)),
                (false, false) => format!("{} < z < {}", fmt(a, 2), fmt(b, 2)),
            }
        })
        .collect();
    parts.join(" and ")
}

impl Figure for ActivationFigure {
    fn update(&mut self) -> Result<()> {
        let act = self.activation()?;
        let name = act.name();
        self.show_relevant(name)?;

        let half = controls::number(&self.range) as f32;
        self.probe.set_min(&format!("{}", -half));
        self.probe.set_max(&format!("{half}"));
        let probe = (controls::number(&self.probe) as f32).clamp(-half, half);
        dom::set_output(
            &self.root,
            "range-value",
            &format!("±{}", fmt(f64::from(half), 1)),
        );
        dom::set_output(&self.root, "probe-value", &fmt(f64::from(probe), 2));
        for (role, input) in [
            ("slope-value", &self.slope),
            ("alpha-value", &self.alpha),
            ("beta-value", &self.beta),
        ] {
            dom::set_output(&self.root, role, &fmt(controls::number(input), 2));
        }

        let (xs, ys, ds) = sample_curve(&act, -half, half, SAMPLES);
        let value: Vec<(f64, f64)> = xs
            .iter()
            .zip(&ys)
            .map(|(&x, &y)| (x.into(), y.into()))
            .collect();
        let slope: Vec<(f64, f64)> = xs
            .iter()
            .zip(&ds)
            .map(|(&x, &d)| (x.into(), d.into()))
            .collect();
        let bands = vanishing_intervals(&act, -half, half, SAMPLES, VANISHING);
        let bands64: Vec<(f64, f64)> = bands.iter().map(|&(a, b)| (a.into(), b.into())).collect();

        let (lo, hi) = ys
            .iter()
            .chain(&ds)
            .fold((-1.0_f32, 1.0_f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let pad = 0.08 * (hi - lo);
        let (g, d) = (act.value(probe), act.derivative(probe));

        let palette = Palette::from_css()?;
        line::draw(
            &self.canvas,
            &LineChart {
                x: f64::from(-half)..f64::from(half),
                y: f64::from(lo - pad)..f64::from(hi + pad),
                x_label: "pre-activation z",
                series: vec![
                    Series {
                        points: &value,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &slope,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                ],
                bands: &bands64,
                markers: vec![
                    ((probe.into(), g.into()), palette.blue),
                    ((probe.into(), d.into()), palette.orange),
                ],
                log_y: false,
                note: None,
            },
            &palette,
        )?;

        let mut readout = format!(
            "at z = {}: g(z) = {}, g′(z) = {}",
            fmt(f64::from(probe), 2),
            fmt(f64::from(g), 4),
            fmt(f64::from(d), 4)
        );
        if let Some(p) = act.param_derivative(probe) {
            let symbol = if matches!(act, Activation::Prelu { .. }) {
                "α"
            } else {
                "κ"
            };
            readout.push_str(&format!(", ∂g/∂{symbol} = {}", fmt(f64::from(p), 4)));
        }
        dom::set_text(&self.readout, &readout);
        let vanish = describe_intervals(&bands, -half, half);
        self.canvas.set_attribute(
            "aria-label",
            &format!(
                "{} and its derivative for z from {} to {}. {}. The gradient is below {VANISHING} for {vanish}.",
                name.replace('_', " "),
                fmt(f64::from(-half), 1),
                fmt(f64::from(half), 1),
                readout
            ),
        )?;
        dom::set_state(
            &self.root,
            &ActivationState {
                activation: name,
                range: half,
                probe,
                value: g,
                derivative: d,
                param: act.param(),
                vanishing: &bands,
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the function, the half-width of the range drawn, the probe and the
/// function's value and slope there, its parameter, and the intervals where the slope vanishes.
#[derive(Serialize)]
struct ActivationState<'a> {
    activation: &'a str,
    range: f32,
    probe: f32,
    value: f32,
    derivative: f32,
    param: Option<f32>,
    vanishing: &'a [(f32, f32)],
}
