//! The inner loops of a training step, written over contiguous column-major slices.
//!
//! The dense layer's three products (`Z = X Wᵀ + b`, `dW = dZᵀ X`, `dX = dZ W`) take one of two
//! routes. Narrow layers — the playground's handful of units — run the plain loops below, which
//! the compiler vectorises over the batch (each loop body is an `axpy` or a dot product of two
//! contiguous columns) and which cost no call overhead, allocation or packing. Wide layers go to
//! nalgebra's `gemm`, which hands unit-stride operands to matrixmultiply's blocked `sgemm` (with a
//! `simd128` kernel in WebAssembly). `dW = dZᵀ X` is formed from a transposed copy of `dZ`, since
//! nalgebra's `gemm_tr` computes each element as a separate dot product, and strided views into
//! its small-size fallback are best avoided on wasm32.
//!
//! Column-major means a `(rows, cols)` matrix stores element `(r, c)` at `r + c · rows`.

use crate::activation::Activation;
use crate::tensor::{Matrix, ensure_shape};

/// Layers whose weight matrix has at most this many entries use the plain loops; larger ones
/// use the blocked product. Measured with `cargo xtask bench`: the 2-8-8-8-1 and 2-64-64-2
/// networks' small layers gain from the loops, while the 64×64 and 128×64 products gain from
/// matrixmultiply.
pub(crate) const SMALL_WEIGHTS: usize = 1024;

/// `z = x wᵀ + 1 bᵀ` for `x` `(batch, in)`, `w` `(out, in)`, `b` `(out)`, into `z` `(batch, out)`.
///
/// `wt` is a scratch buffer for `wᵀ` `(in, out)`, used by the blocked route only.
pub(crate) fn dense_forward(x: &Matrix, w: &Matrix, b: &[f32], z: &mut Matrix, wt: &mut Matrix) {
    let (batch, inputs, outputs) = (x.nrows(), w.ncols(), w.nrows());
    ensure_shape(z, batch, outputs);
    if w.len() <= SMALL_WEIGHTS {
        let (xs, ws) = (x.as_slice(), w.as_slice());
        for (o, (z_col, &bias)) in z
            .as_mut_slice()
            .chunks_exact_mut(batch.max(1))
            .zip(b)
            .enumerate()
        {
            z_col.fill(bias);
            for i in 0..inputs {
                let weight = ws[o + i * outputs];
                let x_col = &xs[i * batch..(i + 1) * batch];
                for (zv, &xv) in z_col.iter_mut().zip(x_col) {
                    *zv += weight * xv;
                }
            }
        }
    } else {
        ensure_shape(wt, inputs, outputs);
        w.transpose_to(wt);
        z.gemm(1.0, x, wt, 0.0);
        for (z_col, &bias) in z.as_mut_slice().chunks_exact_mut(batch.max(1)).zip(b) {
            for zv in z_col {
                *zv += bias;
            }
        }
    }
}

/// `dw = dzᵀ x` `(out, in)` and `db = Σ_rows dz` `(out)` for `dz` `(batch, out)`, `x` `(batch, in)`.
///
/// `dzt` is a scratch buffer for `dzᵀ` `(out, batch)`, used by the blocked route only.
pub(crate) fn dense_param_grads(
    dz: &Matrix,
    x: &Matrix,
    dw: &mut Matrix,
    db: &mut [f32],
    dzt: &mut Matrix,
) {
    let (batch, outputs, inputs) = (dz.nrows(), dz.ncols(), x.ncols());
    let dzs = dz.as_slice();
    for (o, d) in db.iter_mut().enumerate() {
        *d = dzs[o * batch..(o + 1) * batch].iter().sum();
    }
    if dw.len() <= SMALL_WEIGHTS {
        let xs = x.as_slice();
        let dws = dw.as_mut_slice();
        for i in 0..inputs {
            let x_col = &xs[i * batch..(i + 1) * batch];
            for o in 0..outputs {
                let dz_col = &dzs[o * batch..(o + 1) * batch];
                dws[o + i * outputs] = dot(dz_col, x_col);
            }
        }
    } else {
        ensure_shape(dzt, outputs, batch);
        dz.transpose_to(dzt);
        dw.gemm(1.0, dzt, x, 0.0);
    }
}

/// `dx = dz w` `(batch, in)` for `dz` `(batch, out)` and `w` `(out, in)`.
pub(crate) fn dense_input_grad(dz: &Matrix, w: &Matrix, dx: &mut Matrix) {
    let (batch, outputs, inputs) = (dz.nrows(), w.nrows(), w.ncols());
    ensure_shape(dx, batch, inputs);
    if w.len() <= SMALL_WEIGHTS {
        let (dzs, ws) = (dz.as_slice(), w.as_slice());
        for (i, dx_col) in dx.as_mut_slice().chunks_exact_mut(batch.max(1)).enumerate() {
            dx_col.fill(0.0);
            for o in 0..outputs {
                let weight = ws[o + i * outputs];
                let dz_col = &dzs[o * batch..(o + 1) * batch];
                for (dxv, &dzv) in dx_col.iter_mut().zip(dz_col) {
                    *dxv += weight * dzv;
                }
            }
        }
    } else {
        dx.gemm(1.0, dz, w, 0.0);
    }
}

/// `a = g(x)` element by element, with one straight loop per activation so the common ones
/// vectorise.
pub(crate) fn activation_forward(g: Activation, x: &[f32], a: &mut [f32]) {
    match g {
        Activation::Tanh => {
            for (a, &x) in a.iter_mut().zip(x) {
                *a = crate::activation::tanh(x);
            }
        }
        Activation::Relu => {
            for (a, &x) in a.iter_mut().zip(x) {
                *a = x.max(0.0);
            }
        }
        _ => {
            for (a, &x) in a.iter_mut().zip(x) {
                *a = g.value(x);
            }
        }
    }
}

/// `dx = d ⊙ g'(x)` element by element, for the pre-activations `x`, the outputs `a = g(x)` and
/// the output gradient `d` (all the same length).
///
/// tanh and ReLU take their derivative from the stored output (`tanh' = 1 − a²`,
/// `relu' = [a > 0]`), which saves computing `tanh` a second time for every unit; the others use
/// [`Activation::derivative`] at `x`.
pub(crate) fn activation_backward(g: Activation, x: &[f32], a: &[f32], d: &[f32], dx: &mut [f32]) {
    match g {
        Activation::Tanh => {
            for ((dx, &a), &d) in dx.iter_mut().zip(a).zip(d) {
                *dx = d * (1.0 - a * a);
            }
        }
        Activation::Relu => {
            for ((dx, &a), &d) in dx.iter_mut().zip(a).zip(d) {
                *dx = d * if a > 0.0 { 1.0 } else { 0.0 };
            }
        }
        Activation::Linear => {
            for (dx, &d) in dx.iter_mut().zip(d) {
                *dx = d;
            }
        }
        _ => {
            for ((dx, &x), &d) in dx.iter_mut().zip(x).zip(d) {
                *dx = d * g.derivative(x);
            }
        }
    }
}

/// `Σ a_k b_k` in f32, accumulated in four lanes so the compiler can vectorise it.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 4];
    let (a4, a_rest) = a.split_at(a.len() - a.len() % 4);
    let (b4, b_rest) = b.split_at(b.len().min(a4.len()));
    for (ca, cb) in a4.chunks_exact(4).zip(b4.chunks_exact(4)) {
        for k in 0..4 {
            lanes[k] += ca[k] * cb[k];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic matrix with distinct, sign-varying entries.
    fn filled(rows: usize, cols: usize, seed: f32) -> Matrix {
        Matrix::from_fn(rows, cols, |r, c| {
            ((r * 7 + c * 13) as f32 * 0.37 + seed).sin()
        })
    }

    /// The products computed the obvious way with nalgebra, for comparison.
    fn reference(x: &Matrix, w: &Matrix, b: &[f32], dz: &Matrix) -> (Matrix, Matrix, Matrix) {
        let mut z = x * w.transpose();
        for (c, &bias) in b.iter().enumerate() {
            z.column_mut(c).add_scalar_mut(bias);
        }
        (z, dz.transpose() * x, dz * w)
    }

    fn close(a: &Matrix, b: &Matrix, what: &str) {
        assert_eq!(a.shape(), b.shape(), "{what}");
        for (p, q) in a.iter().zip(b.iter()) {
            assert!(
                (p - q).abs() <= 1e-4 * (1.0 + q.abs()),
                "{what}: {p} vs {q}"
            );
        }
    }

    #[test]
    fn both_routes_agree_with_plain_products() {
        // Shapes on both sides of SMALL_WEIGHTS, batches of one, odd sizes and tiny widths.
        for &(batch, inputs, outputs) in &[
            (1, 2, 3),
            (10, 2, 8),
            (10, 8, 1),
            (7, 5, 5),
            (32, 64, 64),
            (3, 128, 10),
            (33, 64, 2),
            (5, 40, 40),
        ] {
            let x = filled(batch, inputs, 0.1);
            let w = filled(outputs, inputs, 0.7);
            let b: Vec<f32> = (0..outputs).map(|o| o as f32 * 0.1 - 0.2).collect();
            let dz = filled(batch, outputs, 1.3);
            let (z_want, dw_want, dx_want) = reference(&x, &w, &b, &dz);

            let (mut z, mut wt) = (Matrix::zeros(0, 0), Matrix::zeros(0, 0));
            dense_forward(&x, &w, &b, &mut z, &mut wt);
            close(&z, &z_want, "z");

            let (mut dw, mut db, mut dzt) = (
                Matrix::zeros(outputs, inputs),
                vec![0.0; outputs],
                Matrix::zeros(0, 0),
            );
            dense_param_grads(&dz, &x, &mut dw, &mut db, &mut dzt);
            close(&dw, &dw_want, "dW");
            for (o, &d) in db.iter().enumerate() {
                let want: f32 = dz.column(o).sum();
                assert!((d - want).abs() < 1e-4, "db[{o}]: {d} vs {want}");
            }

            let mut dx = Matrix::zeros(0, 0);
            dense_input_grad(&dz, &w, &mut dx);
            close(&dx, &dx_want, "dX");
        }
    }

    #[test]
    fn dot_handles_every_remainder() {
        for n in 0..11 {
            let a: Vec<f32> = (0..n).map(|k| k as f32 + 1.0).collect();
            let b: Vec<f32> = (0..n).map(|k| 2.0 - k as f32).collect();
            let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert_eq!(dot(&a, &b), want, "n = {n}");
        }
    }
}
