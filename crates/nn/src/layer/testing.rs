//! Test helpers shared by the layer tests: a check of every gradient a layer reports against
//! [`central`] differences, and a small deterministic matrix filler.

use crate::finite_difference::central;
use crate::layer::{Mode, Module};
use crate::rng::Rng;
use crate::tensor::Matrix;

/// `L = Σ Y ⊙ G` in `f64` after a forward pass, so that `dL/dY = G`.
fn loss<M: Module>(layer: &mut M, x: &Matrix, g: &Matrix) -> f64 {
    layer.forward(x, Mode::Train, &mut Rng::new(0)).unwrap();
    layer
        .output()
        .iter()
        .zip(g.iter())
        .map(|(&y, &w)| f64::from(y) * f64::from(w))
        .sum()
}

/// Compares every parameter gradient and (if `check_input`) every input gradient the layer
/// reports for `L = Σ Y ⊙ G` with central differences of step `h`, within `tol` absolute plus
/// `tol` relative to the magnitude.
pub(crate) fn check_gradients<M: Module + Clone>(
    layer: &M,
    x: &Matrix,
    g: &Matrix,
    h: f32,
    tol: f64,
    check_input: bool,
) {
    let mut base = layer.clone();
    loss(&mut base, x, g);
    base.backward(x, g).unwrap();
    let mut analytic: Vec<(&'static str, Vec<f32>, Vec<f32>)> = Vec::new();
    base.visit_params(&mut |p| analytic.push((p.name, p.grad.to_vec(), p.value.to_vec())));
    let dx = base.grad_input().clone();
    let close = |what: &str, i: usize, a: f32, n: f64| {
        let a = f64::from(a);
        assert!(
            (a - n).abs() <= tol * (1.0 + n.abs()),
            "{} {what}[{i}]: analytic {a}, numeric {n}",
            layer.kind()
        );
    };
    for (slot, (name, grads, values)) in analytic.iter().enumerate() {
        for (i, (&want, &value)) in grads.iter().zip(values).enumerate() {
            let num = central(value, h, |v| {
                let mut l = layer.clone();
                let mut s = 0;
                l.visit_params(&mut |p| {
                    if s == slot {
                        p.value[i] = v;
                    }
                    s += 1;
                });
                loss(&mut l, x, g)
            });
            close(name, i, want, num);
        }
    }
    if check_input {
        for i in 0..x.len() {
            let num = central(x.as_slice()[i], h, |v| {
                let mut xv = x.clone();
                xv.as_mut_slice()[i] = v;
                loss(&mut layer.clone(), &xv, g)
            });
            close("dX", i, dx.as_slice()[i], num);
        }
    }
}

/// A `rows × cols` matrix of values in `[-1, 1)` from `seed`.
pub(crate) fn random_matrix(rows: usize, cols: usize, seed: u32) -> Matrix {
    let mut rng = Rng::new(seed);
    Matrix::from_fn(rows, cols, |_, _| rng.range(-1.0, 1.0))
}
