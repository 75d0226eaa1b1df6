//! The dropout comparison: one over-parameterised network on the same small, noisy XOR data,
//! trained without dropout and with three editable rates at once, with the units dropped in the
//! last training step shown on a network diagram.

use super::Figure;
use super::compare::{self, Compared, Core};
use crate::charts::Palette;
use crate::charts::heatmap::ColorScale;
use crate::charts::network::{LayerSpec, Network, NetworkSpec, NodeSpec};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::dropout::dropout_setting;
use spiega_lessons::dropout::{SHOWN_UPDATES, UPDATES_PER_RECORD};
use spiega_lessons::playground::PlaygroundConfig;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

struct DropoutFigure {
    core: Core,
    rates: Vec<HtmlInputElement>,
    shown: HtmlSelectElement,
    network_canvas: HtmlCanvasElement,
    network: Network,
    readout: Element,
    weights: Vec<Vec<f32>>,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let rates = (1..=3)
        .map(|i| dom::input(root, &format!("rate-{i}")))
        .collect::<Result<Vec<_>>>()?;
    let fig = DropoutFigure {
        core: Core::new(root, UPDATES_PER_RECORD, SHOWN_UPDATES)?,
        rates,
        shown: dom::query(root, "select[data-role=\"shown\"]")?,
        network_canvas: dom::query(root, "canvas[data-role=\"network\"]")?,
        network: Network::new(),
        readout: dom::query(root, "[data-role=\"dropped\"]")?,
        weights: Vec::new(),
    };
    compare::mount(fig)
}

impl DropoutFigure {
    /// The three rates as typed, each kept to its field's range and step (and written back if it
    /// was not).
    fn read_rates(&self) -> Vec<f32> {
        self.rates
            .iter()
            .map(|input| controls::number_shown(input) as f32)
            .collect()
    }

    /// Which run the diagram shows (1 to 3: the dropout runs).
    fn shown_run(&self) -> Result<usize> {
        controls::chosen(&self.shown)
    }
}

impl Compared for DropoutFigure {
    fn core(&mut self) -> &mut Core {
        &mut self.core
    }

    fn core_ref(&self) -> &Core {
        &self.core
    }

    fn runs(&self) -> Result<Vec<(String, PlaygroundConfig)>> {
        let mut runs = vec![("no dropout".to_owned(), dropout_setting(0.0)?)];
        for p in self.read_rates() {
            runs.push((
                format!("dropout {}", fmt(f64::from(p), 2)),
                dropout_setting(p)?,
            ));
        }
        // The diagram's menu names the same runs.
        for (i, option) in dom::query_all(&self.shown.clone().into(), "option")?
            .iter()
            .enumerate()
        {
            if let Some((name, _)) = runs.get(i + 1) {
                dom::set_text(option, name);
            }
        }
        Ok(runs)
    }

    fn draw_more(&mut self, palette: &Palette) -> Result<()> {
        let k = self.shown_run()?;
        let Some(c) = self.core.comparison() else {
            return Ok(());
        };
        let Some(run) = c.runs().get(k) else {
            return Ok(());
        };
        let p = run.config().dropout;
        let dense = run.dense_layers();
        self.weights.resize_with(dense.len(), Vec::new);
        for (buf, d) in self.weights.iter_mut().zip(&dense) {
            let w = d.weights();
            buf.clear();
            for r in 0..w.nrows() {
                buf.extend(w.row(r).iter());
            }
        }
        let max_abs = self
            .weights
            .iter()
            .flatten()
            .fold(0.0_f32, |m, w| m.max(w.abs()))
            .max(1e-6);
        let dropped = c.dropped_units(k);
        let hidden = &run.config().hidden;
        let mut sizes = vec![2];
        sizes.extend(hidden);
        sizes.push(1);
        let labels = ["x₁", "x₂"];
        let layers: Vec<LayerSpec<'_>> = sizes
            .iter()
            .enumerate()
            .map(|(l, &n)| LayerSpec {
                labels: if l == 0 { &labels } else { &[] },
                nodes: (0..n)
                    .map(|j| NodeSpec {
                        bias: dense
                            .get(l.wrapping_sub(1))
                            .and_then(|d| d.biases().get(j).copied()),
                        map: None,
                        dead: false,
                        dropped: l >= 1
                            && dropped
                                .get(l - 1)
                                .and_then(|d| d.get(j))
                                .copied()
                                .unwrap_or(false),
                    })
                    .collect(),
            })
            .collect();
        let spec = NetworkSpec {
            layers,
            weights: self.weights.iter().map(Vec::as_slice).collect(),
            map_n: 0,
            max_abs_weight: max_abs,
            highlight: None,
            map_scale: ColorScale::UNIT,
            discretize: false,
        };
        self.network.draw(&self.network_canvas, &spec, palette)?;
        let counts: Vec<String> = dropped
            .iter()
            .zip(hidden)
            .enumerate()
            .map(|(l, (d, n))| {
                format!(
                    "{} of {n} in hidden layer {}",
                    d.iter().filter(|&&x| x).count(),
                    l + 1
                )
            })
            .collect();
        let text = if counts.is_empty() {
            format!(
                "Dropout {}: no training step yet. In evaluation every unit is used.",
                fmt(f64::from(p), 2)
            )
        } else {
            format!(
                "Dropout {}, last training step, first example of the batch: units dropped: {}; \
                 the rest scaled by 1/(1 − p) = {}. In evaluation every unit is used, unscaled.",
                fmt(f64::from(p), 2),
                counts.join(", "),
                fmt(1.0 / (1.0 - f64::from(p)).max(1e-6), 2)
            )
        };
        dom::set_text(&self.readout, &text);
        self.network_canvas
            .set_attribute("aria-label", &format!("Network diagram. {text}"))?;
        let state = DropoutState {
            shown: k,
            dropped: dropped
                .iter()
                .map(|d| d.iter().map(|&x| u8::from(x)).collect())
                .collect(),
        };
        self.core.publish(&state)?;
        Ok(())
    }
}

/// What the figure adds to the comparison's state: the run shown and, per hidden layer, which
/// units the last training step dropped (1) or kept (0).
#[derive(Serialize)]
struct DropoutState {
    shown: usize,
    dropped: Vec<Vec<u8>>,
}
