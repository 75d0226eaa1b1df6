//! The inner loops of a training step, written over contiguous column-major slices.
//!
//! The dense layer's three products (`Z = X Wᵀ + b`, `dW = dZᵀ X`, `dX = dZ W`) take one of two
//! routes. Narrow layers — the playground's handful of units — run the register-blocked loops
//! below ([`blocked_product`], [`blocked_dots`]), which the compiler vectorises over the batch and
//! which cost no call overhead, allocation or packing; a batch that is not a multiple of the 8-row
//! block ends with one more block overlapping the one before, rather than with rows summed one
//! scalar at a time. Wide layers go to
//! nalgebra's `gemm`, which hands its operands, through their strides, to matrixmultiply's
//! blocked `sgemm` (with a `simd128` kernel in WebAssembly). The transposes `Wᵀ` and `dZᵀ` are
//! views with swapped strides ([`transposed`]), not copies: matrixmultiply packs every operand
//! into its own blocks anyway. (nalgebra's `gemm_tr` would compute each element as a separate dot
//! product.) Packing-free `simd128` kernels written for the page's 64- and 128-wide products were
//! measured at 19–25 GFLOP/s in V8 against matrixmultiply's 27–31, so the wide route stays.
//!
//! Column-major means a `(rows, cols)` matrix stores element `(r, c)` at `r + c · rows`.

pub(crate) mod conv;

use crate::activation::Activation;
use crate::tensor::{Matrix, ensure_shape};
use nalgebra::{Dyn, MatrixView};
use std::ops::Range;

/// Layers whose weight matrix has at most this many entries use the register-blocked loops;
/// larger ones use matrixmultiply. Measured with `cargo xtask bench`: the 2-8-8-8-1 network and
/// the 2-64-64-2 network's outer layers gain from the loops (natively W1 1.37M → 1.87M samples/s),
/// while for the 64×64 and 128×64 products matrixmultiply's packed kernels are about three times
/// faster than these loops, natively and in the page.
pub(crate) const SMALL_WEIGHTS: usize = 1024;

/// Whether a dense layer's products take the wide route (nalgebra's `gemm`, that is
/// matrixmultiply) rather than the register-blocked loops: more than [`SMALL_WEIGHTS`] weights,
/// and every dimension at least [`GEMM_MIN_DIM`].
fn wide((batch, inputs, outputs): (usize, usize, usize)) -> bool {
    inputs * outputs > SMALL_WEIGHTS && batch.min(inputs).min(outputs) >= GEMM_MIN_DIM
}

/// nalgebra hands a product to matrixmultiply only when the result and the left operand have more
/// than 5 rows and columns; below that it runs loops of its own, which read a strided left
/// operand (the `dZᵀ` view of [`dense_param_grads`]) past its end. The wide route is taken only
/// where every dimension is at least this, so its views always reach matrixmultiply; a smaller
/// batch (one point predicted, a batch of 4) takes the blocked loops, which are right for every
/// shape. The test below multiplies at exactly this size: should a later nalgebra raise its
/// threshold, the standard library's checks in the debug build stop it there.
const GEMM_MIN_DIM: usize = 6;

/// `z = x wᵀ + 1 bᵀ` for `x` `(batch, in)`, `w` `(out, in)`, `b` `(out)`, into `z` `(batch, out)`.
pub(crate) fn dense_forward(x: &Matrix, w: &Matrix, b: &[f32], z: &mut Matrix) {
    let (batch, inputs, outputs) = (x.nrows(), w.ncols(), w.nrows());
    ensure_shape(z, batch, outputs);
    if !wide((batch, inputs, outputs)) {
        blocked_product(
            (batch, inputs, outputs),
            x.as_slice(),
            w.as_slice(),
            (outputs, 1),
            |o| b[o],
            z.as_mut_slice(),
        );
    } else {
        z.gemm(1.0, x, &transposed(w.as_slice(), outputs, inputs), 0.0);
        for (z_col, &bias) in z.as_mut_slice().chunks_exact_mut(batch).zip(b) {
            for zv in z_col {
                *zv += bias;
            }
        }
    }
}

/// `dw = dzᵀ x` `(out, in)` and `db = Σ_rows dz` `(out)` for `dz` `(batch, out)`, `x` `(batch, in)`.
pub(crate) fn dense_param_grads(dz: &Matrix, x: &Matrix, dw: &mut Matrix, db: &mut [f32]) {
    let (batch, outputs, inputs) = (dz.nrows(), dz.ncols(), x.ncols());
    let dzs = dz.as_slice();
    column_sums(dzs, batch, db);
    if !wide((batch, inputs, outputs)) {
        blocked_dots(
            batch,
            (outputs, inputs),
            dzs,
            x.as_slice(),
            dw.as_mut_slice(),
        );
    } else {
        dw.gemm(1.0, &transposed(dzs, batch, outputs), x, 0.0);
    }
}

/// The transpose `(cols, rows)` of the column-major `(rows, cols)` matrix stored in `data`, as a
/// view with swapped strides: nothing is copied. matrixmultiply reads its operands through their
/// strides while it packs them into its own blocks, so the product costs what it would on a
/// transposed copy, and gives the same bits, without making the copy.
fn transposed(data: &[f32], rows: usize, cols: usize) -> MatrixView<'_, f32, Dyn, Dyn, Dyn, Dyn> {
    MatrixView::from_slice_with_strides_generic(data, Dyn(cols), Dyn(rows), Dyn(rows), Dyn(1))
}

/// `sums[c] = Σ_r m[r + c·rows]`: each column's sum, its terms added in increasing `r` from
/// `-0.0` as `Iterator::sum` adds them (so the bits are the same).
///
/// Four columns go at once, one lane each, so the four running sums advance together rather than
/// each waiting on the addition before it.
pub(crate) fn column_sums(m: &[f32], rows: usize, sums: &mut [f32]) {
    const LANES: usize = 4;
    let (blocks, rest) = sums.split_at_mut(sums.len() - sums.len() % LANES);
    for (b, block) in blocks.chunks_exact_mut(LANES).enumerate() {
        let columns: [&[f32]; LANES] =
            std::array::from_fn(|l| &m[(b * LANES + l) * rows..][..rows]);
        let mut acc = [-0.0f32; LANES];
        for r in 0..rows {
            for l in 0..LANES {
                acc[l] += columns[l][r];
            }
        }
        block.copy_from_slice(&acc);
    }
    let first = blocks.len();
    for (c, sum) in rest.iter_mut().enumerate() {
        *sum = m[(first + c) * rows..][..rows].iter().sum();
    }
}

/// `dx = dz w` `(batch, in)` for `dz` `(batch, out)` and `w` `(out, in)`.
pub(crate) fn dense_input_grad(dz: &Matrix, w: &Matrix, dx: &mut Matrix) {
    let (batch, outputs, inputs) = (dz.nrows(), w.nrows(), w.ncols());
    ensure_shape(dx, batch, inputs);
    if !wide((batch, inputs, outputs)) {
        blocked_product(
            (batch, outputs, inputs),
            dz.as_slice(),
            w.as_slice(),
            (1, outputs),
            |_| 0.0,
            dx.as_mut_slice(),
        );
    } else {
        dx.gemm(1.0, dz, w, 0.0);
    }
}

/// `a = g(x)` element by element, with one straight loop per activation so the common ones
/// (tanh, ReLU, leaky ReLU and PReLU) vectorise; the others call [`Activation::value`] per
/// element, a match the compiler does not lift out of the loop.
pub(crate) fn activation_forward(g: Activation, x: &[f32], a: &mut [f32]) {
    match g {
        Activation::Tanh => {
            for (a, &x) in a.iter_mut().zip(x) {
                *a = crate::activation::tanh(x);
            }
        }
        Activation::Relu => {
            for (a, &x) in a.iter_mut().zip(x) {
                *a = crate::activation::relu(x);
            }
        }
        Activation::LeakyRelu { slope } | Activation::Prelu { alpha: slope } => {
            for (a, &x) in a.iter_mut().zip(x) {
                *a = crate::activation::leaky_relu(x, slope);
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
/// `relu' = [a > 0]`), which saves computing `tanh` a second time for every unit; leaky ReLU and
/// PReLU take theirs from `x` in a loop of their own (1 or the slope), which vectorises; the
/// others use [`Activation::derivative`] at `x`.
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
        Activation::LeakyRelu { slope } | Activation::Prelu { alpha: slope } => {
            for ((dx, &x), &d) in dx.iter_mut().zip(x).zip(d) {
                *dx = d * crate::activation::leaky_relu_derivative(x, slope);
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

/// Rows and columns of the register block in [`blocked_product`]: 8 rows (two four-lane vectors)
/// by 4 columns keeps 32 accumulators — 8 SIMD registers — live across the whole inner loop.
const BLOCK_ROWS: usize = 8;
const BLOCK_COLS: usize = 4;

/// `c = init + a · b` for a column-major `a` `(m, k)` (element `(r, p)` at `a[r + p·m]`), a `b`
/// `(k, n)` read through strides (element `(p, j)` at `b[p·b_row + j·b_col]`), and a
/// column-major `c` `(m, n)`; `init(j)` starts column `j` (a bias, or 0).
///
/// Register-blocked: each 8 × 4 block of `c` is summed in locals over the whole `k` loop, reading
/// eight consecutive entries of a column of `a` and four scalars of `b` per step, so nothing is
/// stored until the block is done. The terms are added in increasing `p` after `init`, as the
/// plain loops did. Rows that do not fill a last block are covered by one more block overlapping
/// the one before ([`block_starts`]); only a matrix of fewer than 8 rows, and the columns that do
/// not fill a last group of 4, take a plain loop.
pub(crate) fn blocked_product(
    (m, k, n): (usize, usize, usize),
    a: &[f32],
    b: &[f32],
    (b_row, b_col): (usize, usize),
    init: impl Fn(usize) -> f32,
    c: &mut [f32],
) {
    let full_cols = n - n % BLOCK_COLS;
    let (row_starts, plain_rows) = block_starts(m, BLOCK_ROWS);
    for j0 in (0..full_cols).step_by(BLOCK_COLS) {
        let starts: [f32; BLOCK_COLS] = std::array::from_fn(|c| init(j0 + c));
        for r0 in row_starts.clone() {
            let mut acc = [[0.0f32; BLOCK_ROWS]; BLOCK_COLS];
            for (col, &start) in acc.iter_mut().zip(&starts) {
                *col = [start; BLOCK_ROWS];
            }
            for p in 0..k {
                let Ok(a_block) = <&[f32; BLOCK_ROWS]>::try_from(&a[r0 + p * m..][..BLOCK_ROWS])
                else {
                    return;
                };
                for (cc, col) in acc.iter_mut().enumerate() {
                    let bv = b[p * b_row + (j0 + cc) * b_col];
                    for q in 0..BLOCK_ROWS {
                        col[q] += a_block[q] * bv;
                    }
                }
            }
            for (cc, col) in acc.iter().enumerate() {
                c[r0 + (j0 + cc) * m..][..BLOCK_ROWS].copy_from_slice(col);
            }
        }
        // Fewer than 8 rows in all: one column at a time.
        for j in (j0..j0 + BLOCK_COLS).filter(|_| !plain_rows.is_empty()) {
            let tail = &mut c[plain_rows.start + j * m..(j + 1) * m];
            tail.fill(init(j));
            for p in 0..k {
                let bv = b[p * b_row + j * b_col];
                for (cv, &av) in tail
                    .iter_mut()
                    .zip(&a[plain_rows.start + p * m..(p + 1) * m])
                {
                    *cv += av * bv;
                }
            }
        }
    }
    // The last columns, each as a sum of scaled columns of `a`.
    for j in full_cols..n {
        let column = &mut c[j * m..(j + 1) * m];
        column.fill(init(j));
        for p in 0..k {
            let bv = b[p * b_row + j * b_col];
            for (cv, &av) in column.iter_mut().zip(&a[p * m..(p + 1) * m]) {
                *cv += av * bv;
            }
        }
    }
}

/// Where the register blocks of `block` rows start over `m` rows, and the rows left to a plain
/// loop.
///
/// Blocks start at 0, `block`, 2·`block`, …; when `m` is at least one block but not a multiple of
/// it, one more block ends at the last row, overlapping the block before. The rows the two share
/// are summed again from the same terms in the same order, so they are written again with the
/// same bits, and no row is left over: a batch of 10 is two blocks of 8 (rows 0–7 and 2–9)
/// rather than one block and two rows summed a scalar at a time, which cost more than the block.
/// Only `m < block` leaves rows — all of them — to the plain loop.
fn block_starts(m: usize, block: usize) -> (impl Iterator<Item = usize> + Clone, Range<usize>) {
    let full = m - m % block;
    let overlapping = (m > full && m >= block).then(|| m - block);
    let plain = if m >= block { m..m } else { 0..m };
    ((0..full).step_by(block).chain(overlapping), plain)
}

/// `c[o + i·n_o] = Σ_p u[p + o·len] · v[p + i·len]` for `o < n_o`, `i < n_i`: every dot product
/// between the columns of two column-major matrices `u` `(len, n_o)` and `v` `(len, n_i)` — the
/// dense layer's `dW = dZᵀ X`.
///
/// Register-blocked over pairs of `u` columns and quadruples of `v` columns: each step over `p`
/// loads six four-lane vectors and does eight vector multiply-adds into accumulators that stay in
/// registers; edges use [`dot`].
pub(crate) fn blocked_dots(
    len: usize,
    (n_o, n_i): (usize, usize),
    u: &[f32],
    v: &[f32],
    c: &mut [f32],
) {
    const LANES: usize = 4;
    let full_o = n_o - n_o % 2;
    let full_i = n_i - n_i % 4;
    let full_p = len - len % LANES;
    for o0 in (0..full_o).step_by(2) {
        let (u0, u1) = (&u[o0 * len..][..len], &u[(o0 + 1) * len..][..len]);
        for i0 in (0..full_i).step_by(4) {
            let vs: [&[f32]; 4] = std::array::from_fn(|t| &v[(i0 + t) * len..][..len]);
            let mut acc = [[[0.0f32; LANES]; 4]; 2];
            for p in (0..full_p).step_by(LANES) {
                let us = [&u0[p..p + LANES], &u1[p..p + LANES]];
                for (acc_o, uo) in acc.iter_mut().zip(us) {
                    for (acc_oi, vi) in acc_o.iter_mut().zip(&vs) {
                        let vi = &vi[p..p + LANES];
                        for l in 0..LANES {
                            acc_oi[l] += uo[l] * vi[l];
                        }
                    }
                }
            }
            for (dz_o, (acc_o, uo)) in acc.iter().zip([u0, u1]).enumerate() {
                for (t, (acc_oi, vi)) in acc_o.iter().zip(&vs).enumerate() {
                    let tail: f32 = uo[full_p..]
                        .iter()
                        .zip(&vi[full_p..])
                        .map(|(x, y)| x * y)
                        .sum();
                    c[o0 + dz_o + (i0 + t) * n_o] =
                        (acc_oi[0] + acc_oi[1]) + (acc_oi[2] + acc_oi[3]) + tail;
                }
            }
        }
    }
    for o in 0..n_o {
        let first_i = if o < full_o { full_i } else { 0 };
        for i in first_i..n_i {
            c[o + i * n_o] = dot(&u[o * len..][..len], &v[i * len..][..len]);
        }
    }
}

/// Whether every element of `x` is finite.
///
/// `0 · v` is ±0 for a finite `v` and NaN for ±∞ or NaN, and NaN survives every sum it enters, so
/// eight running sums of `0 · v` stay 0 exactly when every element is finite, with no overflow
/// whatever the values. The sums need no early exit, so they vectorise; a short-circuiting
/// `all(is_finite)`, or one sum of the values themselves, would add one element at a time.
pub(crate) fn all_finite(x: &[f32]) -> bool {
    const LANES: usize = 8;
    let mut acc = [0.0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for l in 0..LANES {
            acc[l] += chunk[l] * 0.0;
        }
    }
    acc.iter().chain(rest).all(|v| v.is_finite())
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
        // Shapes on both sides of SMALL_WEIGHTS and GEMM_MIN_DIM, batches of one, odd sizes and
        // tiny widths.
        for &(batch, inputs, outputs) in &[
            (1, 2, 3),
            (10, 2, 8),
            (10, 8, 1),
            (7, 5, 5),
            (32, 64, 64),
            (3, 128, 10),
            (5, 128, 10),
            (6, 128, 10),
            (32, 5, 300),
            (32, 300, 5),
            (33, 64, 2),
            (5, 40, 40),
            (17, 9, 13),
            (8, 4, 4),
            (9, 5, 7),
            (32, 16, 12),
        ] {
            let x = filled(batch, inputs, 0.1);
            let w = filled(outputs, inputs, 0.7);
            let b: Vec<f32> = (0..outputs).map(|o| o as f32 * 0.1 - 0.2).collect();
            let dz = filled(batch, outputs, 1.3);
            let (z_want, dw_want, dx_want) = reference(&x, &w, &b, &dz);

            let mut z = Matrix::zeros(0, 0);
            dense_forward(&x, &w, &b, &mut z);
            close(&z, &z_want, "z");

            let (mut dw, mut db) = (Matrix::zeros(outputs, inputs), vec![0.0; outputs]);
            dense_param_grads(&dz, &x, &mut dw, &mut db);
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
    fn activation_loops_give_the_activations_own_values_and_slopes() {
        let x: Vec<f32> = (0..37).map(|k| (k as f32 - 18.0) * 0.37).collect();
        let d: Vec<f32> = (0..37).map(|k| 1.0 - k as f32 * 0.05).collect();
        for name in crate::activation::ACTIVATION_NAMES {
            let Ok(g) = Activation::from_name(name) else {
                panic!("{name} is listed but has no activation");
            };
            let mut a = vec![f32::NAN; x.len()];
            activation_forward(g, &x, &mut a);
            let mut dx = vec![f32::NAN; x.len()];
            activation_backward(g, &x, &a, &d, &mut dx);
            for k in 0..x.len() {
                assert_eq!(a[k].to_bits(), g.value(x[k]).to_bits(), "{g:?} at {}", x[k]);
                let slope = d[k] * g.derivative(x[k]);
                assert_eq!(dx[k].to_bits(), slope.to_bits(), "{g:?}' at {}", x[k]);
            }
        }
    }

    #[test]
    fn all_finite_finds_any_non_finite_element() {
        let big = vec![f32::MAX; 19];
        assert!(
            all_finite(&big),
            "large finite values must not overflow into ∞"
        );
        assert!(all_finite(&[]));
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for at in 0..19 {
                let mut x: Vec<f32> = (0..19).map(|k| k as f32 - 9.0).collect();
                x[at] = bad;
                assert!(!all_finite(&x), "{bad} at {at} of 19 not found");
            }
        }
    }

    #[test]
    fn column_sums_match_the_plain_sums_bit_for_bit() {
        for (rows, cols) in [(32, 64), (10, 3), (1, 9), (7, 4), (0, 5)] {
            let m = filled(rows, cols, 0.3);
            let mut sums = vec![f32::NAN; cols];
            column_sums(m.as_slice(), rows, &mut sums);
            for (c, &s) in sums.iter().enumerate() {
                let want: f32 = m.column(c).iter().sum();
                assert_eq!(s.to_bits(), want.to_bits(), "{rows}×{cols}, column {c}");
            }
        }
    }

    #[test]
    fn blocked_loops_give_the_plain_sums_bit_for_bit() {
        // The register-blocked loops sum the same terms in the same order as the plain loops:
        // a figure's trajectory, and the claims the lessons test on it, do not depend on which
        // block an entry fell in. Every block shape and edge: columns left over, odd counts,
        // short and tall batches.
        for &(m, k, n) in &[
            (32, 64, 2),
            (32, 64, 1),
            (10, 8, 1),
            (40, 7, 3),
            (33, 9, 6),
            (8, 3, 5),
            (5, 4, 2),
            (64, 2, 64),
            (32, 2, 7),
            (31, 5, 9),
        ] {
            let a = filled(m, k, 0.2);
            let b = filled(k, n, 0.9);
            let mut c = vec![f32::NAN; m * n];
            let init = |j: usize| j as f32 * 0.25 - 0.5;
            blocked_product((m, k, n), a.as_slice(), b.as_slice(), (1, k), init, &mut c);
            for j in 0..n {
                for r in 0..m {
                    let mut want = init(j);
                    for p in 0..k {
                        want += a[(r, p)] * b[(p, j)];
                    }
                    assert_eq!(
                        c[r + j * m].to_bits(),
                        want.to_bits(),
                        "{m}×{k}×{n} at ({r}, {j})"
                    );
                }
            }
            // The same sizes as dots: `u` (len = m, n_o = n), `v` (len = m, n_i = k).
            let u = filled(m, n, 1.1);
            let mut d = vec![f32::NAN; n * k];
            blocked_dots(m, (n, k), u.as_slice(), a.as_slice(), &mut d);
            for o in 0..n {
                for i in 0..k {
                    let want = dot(u.column(o).as_slice(), a.column(i).as_slice());
                    assert_eq!(
                        d[o + i * n].to_bits(),
                        want.to_bits(),
                        "dots {m}: ({o}, {i}) of {n}×{k}"
                    );
                }
            }
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
