//! Adapter for the `dense` family: `Y = X Wᵀ + b` and its gradients.

use super::{Actuals, Case, Outcome};
use spiega_nn::activation::Activation;
use spiega_nn::layer::{Dense, Mode, Module};
use spiega_nn::{Matrix, Rng};

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let w = case.matrix("W")?;
    let b = case.vec("b")?;
    let x = case.matrix("X")?;
    let x = if case.shape("X")?.len() == 1 {
        x.transpose()
    } else {
        x
    };
    let mut layer = Dense::from_parts(w, b, Activation::Linear)?;
    layer.forward(&x, Mode::Train, &mut Rng::new(0))?;
    let mut out = Actuals::new();
    out.put("Y", layer.output().clone());
    if case.has("upstream_grad") {
        let g: Matrix = case.matrix("upstream_grad")?;
        let g = if g.shape() == layer.output().shape() {
            g
        } else {
            g.transpose()
        };
        layer.backward(&x, &g)?;
        out.put("dL_dW", layer.grad_weights().clone());
        out.put("dL_db", layer.grad_biases().to_vec());
        out.put("dL_dX", layer.grad_input().clone());
    }
    Ok(out)
}
