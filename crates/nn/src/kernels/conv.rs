//! The direct convolution: forward, weight, bias and input gradients computed straight from the
//! batch's images, without a patch matrix.
//!
//! A batch matrix is column-major, so each pixel of the batch (one input column `(c, row, col)`)
//! is a contiguous run of `batch` values, and so is each output column `(o, row, col)`. An output
//! column is then `b[o]` plus a weighted sum of the input columns its window reads, one weight per
//! tap: the loops below run across the batch, in fixed-size blocks of lanes whose sums stay in
//! locals until the block is done, which the compiler turns into SIMD (four-lane `v128` in
//! WebAssembly with `simd128`, as the crate is built for the web). Nothing is allocated and no
//! copy of the input is made; the windows' edges (padding) are skipped rather than read as zeros.
//!
//! Storage: input `x[(c·H + h)·W + w][n]`, output `y[(o·H_out + i)·W_out + j][n]`, weights OIHW
//! `w[o·P + (c·kh + u)·kw + v]` with `P = C_in·kh·kw`, each `[n]` a run of `batch` values.

use std::ops::Range;

use crate::layer::conv_geometry::ConvGeometry;

/// The wide block: sixteen lanes, four `v128` registers of partial sums.
const WIDE: usize = 16;
/// The narrow block for what is left of a batch after the wide blocks.
const NARROW: usize = 4;

/// The kernel offsets `u` (of `k` along an axis) whose pixel `out·stride + u − pad` lies inside
/// an axis of `len` pixels: one contiguous range.
#[inline(always)]
fn inside(out: usize, stride: usize, pad: usize, k: usize, len: usize) -> Range<usize> {
    let first = out * stride;
    pad.saturating_sub(first).min(k)..(pad + len).saturating_sub(first).min(k)
}

/// Calls `tap(column, k)` for every tap of the window of output position `(oh, ow)` that lies
/// inside the image: `column` is the input column read and `k = (c·kh + u)·kw + v` the weight's
/// offset within a filter. Taps come in increasing `k`.
#[inline(always)]
fn for_each_tap(g: &ConvGeometry, oh: usize, ow: usize, mut tap: impl FnMut(usize, usize)) {
    let (kh, kw) = g.kernel();
    let (sh, sw) = g.stride();
    let (h, w, pad) = (g.in_height(), g.in_width(), g.padding());
    let rows = inside(oh, sh, pad.top, kh, h);
    let cols = inside(ow, sw, pad.left, kw, w);
    // Input pixel (ih, iw) = (oh·s_h + u − top, ow·s_w + v − left), written without negatives.
    let (row0, col0) = (oh * sh, ow * sw);
    for c in 0..g.in_channels() {
        for u in rows.clone() {
            let line = (c * h + row0 + u - pad.top) * w + col0;
            let k_row = (c * kh + u) * kw;
            for v in cols.clone() {
                tap(line + v - pad.left, k_row + v);
            }
        }
    }
}

/// Calls `pair(out_position, column)` for every output position `oh·W_out + ow` whose window's
/// tap `(c, u, v)` lies inside the image, with the input column that tap reads.
#[inline(always)]
fn for_each_position(
    g: &ConvGeometry,
    (c, u, v): (usize, usize, usize),
    mut pair: impl FnMut(usize, usize),
) {
    let (h, w) = (g.in_height(), g.in_width());
    for oh in 0..g.out_height() {
        let Some(ih) = g.source_row(oh, u) else {
            continue;
        };
        for ow in 0..g.out_width() {
            if let Some(iw) = g.source_col(ow, v) {
                pair(oh * g.out_width() + ow, (c * h + ih) * w + iw);
            }
        }
    }
}

/// Lanes `n0..n0 + L` of output column `(oh, ow)` of one filter `wo` with bias `bias`: the bias
/// plus every tap's weight times its input column, summed in increasing tap order.
#[inline(always)]
fn gather_block<const L: usize>(
    g: &ConvGeometry,
    (oh, ow): (usize, usize),
    (x, batch, n0): (&[f32], usize, usize),
    wo: &[f32],
    bias: f32,
    out: &mut [f32],
) {
    let mut acc = [bias; L];
    for_each_tap(g, oh, ow, |column, k| {
        let Ok(xs) = <&[f32; L]>::try_from(&x[column * batch + n0..][..L]) else {
            return;
        };
        let wk = wo[k];
        for l in 0..L {
            acc[l] += wk * xs[l];
        }
    });
    out[n0..n0 + L].copy_from_slice(&acc);
}

/// `y = conv(x, w) + b` for a batch of `batch` images, into `y` (`C_out·H_out·W_out·batch`
/// values, every one written).
pub(crate) fn forward(
    g: &ConvGeometry,
    batch: usize,
    x: &[f32],
    w: &[f32],
    b: &[f32],
    y: &mut [f32],
) {
    let patch = g.in_channels() * g.kernel().0 * g.kernel().1;
    let (rows, cols) = (g.out_height(), g.out_width());
    let wide = batch - batch % WIDE;
    let narrow = batch - batch % NARROW;
    let columns = y.chunks_exact_mut(batch);
    for (column, out) in columns.enumerate() {
        let o = column / (rows * cols);
        let at = (column / cols % rows, column % cols);
        let (wo, bias) = (&w[o * patch..][..patch], b[o]);
        for n0 in (0..wide).step_by(WIDE) {
            gather_block::<WIDE>(g, at, (x, batch, n0), wo, bias, out);
        }
        for n0 in (wide..narrow).step_by(NARROW) {
            gather_block::<NARROW>(g, at, (x, batch, n0), wo, bias, out);
        }
        for n0 in narrow..batch {
            gather_block::<1>(g, at, (x, batch, n0), wo, bias, out);
        }
    }
}

/// Adds `Σ_n a[n]·b[n]` into `lanes` (blocks of [`WIDE`]) and returns the sum over the last
/// `len mod WIDE` values.
#[inline(always)]
fn dot_into(lanes: &mut [f32; WIDE], a: &[f32], b: &[f32]) -> f32 {
    let wide = a.len() - a.len() % WIDE;
    for (ca, cb) in a[..wide]
        .chunks_exact(WIDE)
        .zip(b[..wide].chunks_exact(WIDE))
    {
        for l in 0..WIDE {
            lanes[l] += ca[l] * cb[l];
        }
    }
    a[wide..].iter().zip(&b[wide..]).map(|(p, q)| p * q).sum()
}

/// The sum of the lanes, pairwise.
#[inline(always)]
fn reduce(lanes: &[f32; WIDE]) -> f32 {
    let mut half = [0.0f32; WIDE / 2];
    for (l, h) in half.iter_mut().enumerate() {
        *h = lanes[l] + lanes[l + WIDE / 2];
    }
    let quarter: [f32; 4] = std::array::from_fn(|l| half[l] + half[l + 4]);
    (quarter[0] + quarter[1]) + (quarter[2] + quarter[3])
}

/// `dL/dW` into `dw` (OIHW) and `dL/db` into `db` from the input `x` and the output gradient
/// `gy` (stored like `y`): `dW[o, c, u, v] = Σ_{n, i, j} gy[o, i, j][n] · x[c, i·s_h + u − top,
/// j·s_w + v − left][n]` over the windows whose tap lies inside the image, `db[o] = Σ gy[o, ·][·]`.
pub(crate) fn param_grads(
    g: &ConvGeometry,
    batch: usize,
    x: &[f32],
    gy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
) {
    let (kh, kw) = g.kernel();
    let patch = g.in_channels() * kh * kw;
    let plane = g.out_height() * g.out_width() * batch;
    for (o, (go, db)) in gy.chunks_exact(plane).zip(db.iter_mut()).enumerate() {
        let mut lanes = [0.0f32; WIDE];
        for chunk in go.chunks_exact(WIDE) {
            for l in 0..WIDE {
                lanes[l] += chunk[l];
            }
        }
        let tail: f32 = go.chunks_exact(WIDE).remainder().iter().sum();
        *db = reduce(&lanes) + tail;
        for (k, dwk) in dw[o * patch..][..patch].iter_mut().enumerate() {
            let tap = (k / (kh * kw), k / kw % kh, k % kw);
            let mut lanes = [0.0f32; WIDE];
            let mut tail = 0.0;
            for_each_position(g, tap, |p, column| {
                let gp = &go[p * batch..][..batch];
                tail += dot_into(&mut lanes, gp, &x[column * batch..][..batch]);
            });
            *dwk = reduce(&lanes) + tail;
        }
    }
}

/// `dL/dX` into `dx` (stored like `x`): each output gradient column, times each tap's weight, is
/// added onto the input column that tap read (the transposed convolution).
pub(crate) fn input_grad(g: &ConvGeometry, batch: usize, gy: &[f32], w: &[f32], dx: &mut [f32]) {
    let patch = g.in_channels() * g.kernel().0 * g.kernel().1;
    let (rows, cols) = (g.out_height(), g.out_width());
    dx.fill(0.0);
    for (column, gcol) in gy.chunks_exact(batch).enumerate() {
        let o = column / (rows * cols);
        let wo = &w[o * patch..][..patch];
        for_each_tap(g, column / cols % rows, column % cols, |at, k| {
            let wk = wo[k];
            for (d, &s) in dx[at * batch..][..batch].iter_mut().zip(gcol) {
                *d += wk * s;
            }
        });
    }
}
