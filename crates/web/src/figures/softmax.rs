//! The softmax figure: softmax with a temperature over four editable logits, shown as bars.

use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::bars::{self, Panel};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use plotters::style::Color;
use serde::Serialize;
use spiega_lessons::softmax::probabilities;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

struct SoftmaxFigure {
    root: Element,
    canvas: HtmlCanvasElement,
    readout: Element,
    logits: Vec<HtmlInputElement>,
    temperature: HtmlInputElement,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let logits = (0..4)
        .map(|i| dom::input(root, &format!("z{i}")))
        .collect::<Result<Vec<_>>>()?;
    let fig = SoftmaxFigure {
        root: root.clone(),
        canvas: dom::query(root, "canvas[data-role=\"chart\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        logits,
        temperature: dom::input(root, "temperature")?,
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    Ok(fig)
}

impl Figure for SoftmaxFigure {
    fn update(&mut self) -> Result<()> {
        let z: Vec<f32> = self
            .logits
            .iter()
            .map(|i| controls::number(i) as f32)
            .collect();
        // The slider holds log10 τ, so it spans 0.1 to 10 evenly in ratio.
        let t = controls::log_value(&self.temperature) as f32;
        let p = probabilities(&z, t)?;
        for (i, v) in z.iter().enumerate() {
            dom::set_output(&self.root, &format!("z{i}-value"), &fmt(f64::from(*v), 1));
        }
        let t_text = controls::format_rate(t);
        dom::set_output(&self.root, "temperature-value", &t_text);
        self.temperature.set_attribute("aria-valuetext", &t_text)?;

        let z64: Vec<f64> = z.iter().map(|&v| v.into()).collect();
        let p64: Vec<f64> = p.iter().map(|&v| v.into()).collect();
        let palette = Palette::from_css()?;
        let categories: Vec<String> = (1..=z.len()).map(|i| format!("class {i}")).collect();
        bars::draw(
            &self.canvas,
            &categories,
            &[
                Panel {
                    title: "logits z",
                    values: &z64,
                    y: -5.6..5.6,
                    color: palette.muted.mix(0.55),
                    decimals: 1,
                },
                Panel {
                    title: "softmax(z / τ)",
                    values: &p64,
                    y: 0.0..1.15,
                    color: palette.blue,
                    decimals: 3,
                },
            ],
            &palette,
        )?;
        let list: Vec<String> = p.iter().map(|v| fmt(f64::from(*v), 4)).collect();
        let sum: f32 = p.iter().sum();
        let text = format!(
            "τ = {t_text}: p = [{}], sum = {}",
            list.join(", "),
            fmt(f64::from(sum), 4)
        );
        dom::set_text(&self.readout, &text);
        self.canvas
            .set_attribute("aria-label", &format!("Softmax bars. {text}"))?;
        dom::set_state(
            &self.root,
            &SoftmaxState {
                temperature: t,
                probabilities: &p,
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the temperature and the probabilities.
#[derive(Serialize)]
struct SoftmaxState<'a> {
    temperature: f32,
    probabilities: &'a [f32],
}
