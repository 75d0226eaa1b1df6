//! The pointer on the playground: hovering the network shows a neuron's map enlarged with its
//! bias, or a weight's live value, and emphasises it; a click on a weight opens its editor; a
//! click or tap on the map adds or removes the reader's own points (or, on a generated data set,
//! selects a training point to step through).
//!
//! It turns pointer events into the figure's actions and knows nothing of the controls, the
//! address or training.

use super::figure::PlaygroundFigure;
use super::view::show_card;
use crate::dom::{self, fmt};
use crate::error::Result;
use crate::training::Trains;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

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
pub(super) fn wire(fig: &Rc<RefCell<PlaygroundFigure>>) -> Result<()> {
    let (network_canvas, heatmap_canvas, root) = {
        let f = fig.borrow();
        (
            f.view.network_canvas().clone(),
            f.view.heatmap_canvas().clone(),
            f.root.clone(),
        )
    };
    let f = Rc::clone(fig);
    dom::on(&network_canvas, "mousemove", move |ev| {
        let Some(ev) = ev.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        if let Ok(mut fig) = f.try_borrow_mut() {
            let canvas = fig.view.network_canvas().clone();
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
            let canvas = fig.view.network_canvas().clone();
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
            let canvas = fig.view.heatmap_canvas().clone();
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

impl PlaygroundFigure {
    /// The layer sizes drawn in the network: inputs, hidden layers, outputs.
    fn layer_sizes(&self) -> Vec<usize> {
        let Some(run) = self.run.as_ref() else {
            return Vec::new();
        };
        let mut sizes = vec![run.config().features.len()];
        sizes.extend(&run.config().hidden);
        sizes.push(run.dense_layers().last().map_or(1, |d| d.weights().nrows()));
        sizes
    }

    /// Shows what is under the pointer on the network: a neuron's map enlarged with its bias, or
    /// a weight's live value.
    fn hover_network(&mut self, p: (f64, f64)) -> Result<()> {
        let card: Element = dom::query(&self.root, "[data-role=\"hover\"]")?;
        let Some(layout) = self.view.layout.clone() else {
            return dom::set_hidden(&card, true);
        };
        let sizes = self.layer_sizes();
        let highlight = if let Some((layer, node)) = layout.node_at(p.0, p.1) {
            let name = if layer == 0 {
                "input".to_owned()
            } else if layer + 1 == sizes.len() {
                "output".to_owned()
            } else {
                format!("layer {layer}, neuron {}", node + 1)
            };
            let bias = self.run.as_ref().and_then(|r| {
                r.dense_layers()
                    .get(layer.wrapping_sub(1))
                    .and_then(|d| d.biases().get(node).copied())
            });
            let text = match bias {
                Some(b) if layer > 0 => format!("{name}: bias {}", fmt(f64::from(b), 3)),
                _ => name,
            };
            let map = self.view.node_map(layer, node, &sizes).map(<[f32]>::to_vec);
            show_card(&card, &text, map.as_deref())?;
            Some(crate::charts::network::Highlight::Node { layer, node })
        } else if let Some((block, out, input)) = layout.edge_at(p.0, p.1, 6.0) {
            let w = self.run.as_ref().and_then(|r| {
                r.dense_layers()
                    .get(block)
                    .map(|d| d.weights()[(out, input)])
            });
            show_card(
                &card,
                &format!(
                    "weight {} → {}: {}",
                    input + 1,
                    out + 1,
                    w.map_or("–".into(), |w| fmt(f64::from(w), 3))
                ),
                None,
            )?;
            Some(crate::charts::network::Highlight::Edge { block, out, input })
        } else {
            None
        };
        dom::set_hidden(&card, highlight.is_none())?;
        if let Some(html) = card.dyn_ref::<web_sys::HtmlElement>() {
            html.style()
                .set_property("left", &format!("{}px", p.0 + 12.0))?;
            html.style()
                .set_property("top", &format!("{}px", p.1 + 12.0))?;
        }
        if highlight != self.view.highlight {
            self.view.highlight = highlight;
            self.draw()?;
        }
        Ok(())
    }
}
