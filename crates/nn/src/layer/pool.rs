//! Max and average pooling over NCHW images, each channel on its own, with the positions of the
//! maxima kept for the page.

use crate::error::{EngineError, Result};
use crate::layer::conv_geometry::ConvGeometry;
use crate::layer::{Mode, Module, Padding};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// Which summary a pooling window takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// The largest value of the window.
    Max,
    /// The mean of the window.
    Average,
}

/// Pooling: `y[c, i, j] = pool_{u < kh, v < kw} x[c, i·s_h + u, j·s_w + v]`, each channel on its
/// own, over windows wholly inside the image (no padding): `H_out = ⌊(H − kh)/s_h⌋ + 1`.
///
/// Max pooling keeps the first maximum in row-major window order (ties, and the first NaN if a
/// window holds any NaN, which then makes that output NaN). Average pooling divides by `kh·kw`.
///
/// # Shapes
/// Input `(batch, C·H·W)` and output `(batch, C·H_out·W_out)`, both NCHW.
///
/// # Gradients
/// Max: each output's gradient goes wholly to its recorded maximum (added up where windows
/// overlap). Average: each output's gradient is shared equally, `1/(kh·kw)`, by its window.
#[derive(Debug, Clone)]
pub struct Pool2d {
    kind: PoolKind,
    geom: ConvGeometry,
    /// For max pooling, the flat within-channel input index `row·W + col` of each output's
    /// maximum, laid out like the output matrix's storage (position-major, batch innermost).
    /// Stored as `u32` (a channel holds at most [`crate::layer::conv_geometry::MAX_ELEMENTS`] values),
    /// the width of an `f32`, so the search vectorises: each lane compares, then selects its value
    /// and its index.
    argmax: Vec<u32>,
    out: Matrix,
    dx: Matrix,
}

impl Pool2d {
    /// Pooling of `kind` with windows `kernel = (height, width)` moved by
    /// `stride = (down, across)` over images of shape `input` (a `Shape::Image`).
    pub fn new(
        kind: PoolKind,
        input: Shape,
        kernel: (usize, usize),
        stride: (usize, usize),
    ) -> Result<Self> {
        let channels = match input {
            Shape::Image { channels, .. } => channels,
            _ => 0,
        };
        let geom = ConvGeometry::new(input, channels.max(1), kernel, stride, Padding::Valid)?;
        Ok(Self {
            kind,
            geom,
            argmax: Vec::new(),
            out: Matrix::zeros(0, geom.output_shape().size()),
            dx: Matrix::zeros(0, geom.input_shape().size()),
        })
    }

    /// Max or average.
    pub fn pool_kind(&self) -> PoolKind {
        self.kind
    }

    /// The window geometry (output channels equal input channels; no padding).
    pub fn geometry(&self) -> &ConvGeometry {
        &self.geom
    }

    /// For max pooling after a forward pass, the input `(row, col)` holding the maximum of output
    /// `(row, col)` of `channel` in `sample`.
    pub fn argmax_row_col(
        &self,
        sample: usize,
        channel: usize,
        row: usize,
        col: usize,
    ) -> Option<(usize, usize)> {
        let g = &self.geom;
        let batch = self.out.nrows();
        if self.kind != PoolKind::Max
            || sample >= batch
            || channel >= g.out_channels()
            || row >= g.out_height()
            || col >= g.out_width()
        {
            return None;
        }
        let column = (channel * g.out_height() + row) * g.out_width() + col;
        let flat = *self.argmax.get(column * batch + sample)? as usize;
        Some((flat / g.in_width(), flat % g.in_width()))
    }

    /// For max pooling, every maximum's input `(row, col)` of one sample, in output order
    /// (channel, then row, then column).
    pub fn argmax_positions(&self, sample: usize) -> Option<Vec<(usize, usize)>> {
        let g = &self.geom;
        let mut all = Vec::with_capacity(g.output_shape().size());
        for c in 0..g.out_channels() {
            for i in 0..g.out_height() {
                for j in 0..g.out_width() {
                    all.push(self.argmax_row_col(sample, c, i, j)?);
                }
            }
        }
        Some(all)
    }
}

/// Lanes per block of [`max_block`]: four `v128` registers of values and four of indices.
const MAX_LANES: usize = 16;

/// The maxima of lanes `n0..n0 + L` of one max-pooling output and where they are: the window's
/// first tap's run starts at `first_at` with flat index `first`, and `taps` lists the others in
/// window order as (flat index, start of run). Writes `y[n0..n0 + L]` and `arg[n0..n0 + L]`.
///
/// The running maxima and their indices stay in local arrays until the block is done. Updated in
/// place in `y` and `arg`, a lane that keeps its value would be a store that may not happen, which
/// WebAssembly cannot do for one lane of a vector: the compiler then tested and stored lane by
/// lane, and pooling cost as much as the convolution before it.
#[inline(always)]
fn max_block<const L: usize>(
    xs: &[f32],
    taps: &[(u32, usize)],
    (first_at, first): (usize, u32),
    n0: usize,
    y: &mut [f32],
    arg: &mut [u32],
) {
    let Ok(start) = <[f32; L]>::try_from(&xs[first_at + n0..][..L]) else {
        return;
    };
    let (mut best, mut index) = (start, [first; L]);
    for &(flat, at) in taps {
        let Ok(x) = <&[f32; L]>::try_from(&xs[at + n0..][..L]) else {
            return;
        };
        for l in 0..L {
            // A NaN wins, and the first NaN stays.
            let take = (x[l] > best[l]) | (x[l].is_nan() & !best[l].is_nan());
            best[l] = if take { x[l] } else { best[l] };
            index[l] = if take { flat } else { index[l] };
        }
    }
    y[n0..n0 + L].copy_from_slice(&best);
    arg[n0..n0 + L].copy_from_slice(&index);
}

impl Module for Pool2d {
    fn kind(&self) -> &'static str {
        match self.kind {
            PoolKind::Max => "max_pool2d",
            PoolKind::Average => "avg_pool2d",
        }
    }

    fn input_shape(&self) -> Shape {
        self.geom.input_shape()
    }

    fn output_shape(&self) -> Shape {
        self.geom.output_shape()
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("pooling input", input, self.geom.input_shape().size())?;
        let batch = input.nrows();
        if batch == 0 {
            return Err(EngineError::Empty {
                what: "pooling input".to_owned(),
            });
        }
        let g = self.geom;
        ensure_shape(&mut self.out, batch, g.output_shape().size());
        let (kh, kw) = g.kernel();
        let (sh, sw) = g.stride();
        let (w, plane) = (g.in_width(), g.in_height() * g.in_width());
        let xs = input.as_slice();
        let is_max = self.kind == PoolKind::Max;
        if is_max {
            self.argmax.resize(self.out.len(), 0);
        }
        let scale = 1.0 / (kh * kw) as f32;
        let mut taps = Vec::with_capacity(kh * kw);
        let outputs = self.out.as_mut_slice().chunks_exact_mut(batch);
        for (column, y) in outputs.enumerate() {
            let c = column / (g.out_height() * g.out_width());
            let (i, j) = (
                (column / g.out_width()) % g.out_height(),
                column % g.out_width(),
            );
            let arg = if is_max {
                self.argmax.get_mut(column * batch..(column + 1) * batch)
            } else {
                None
            };
            let first = i * sh * w + j * sw;
            let at = (c * plane + first) * batch;
            if let Some(arg) = arg {
                // The window's taps after the first, as (flat index, start of its input run).
                taps.clear();
                for u in 0..kh {
                    for v in 0..kw {
                        let flat = (i * sh + u) * w + j * sw + v;
                        if flat != first {
                            taps.push((flat as u32, (c * plane + flat) * batch));
                        }
                    }
                }
                let wide = batch - batch % MAX_LANES;
                for n0 in (0..wide).step_by(MAX_LANES) {
                    max_block::<MAX_LANES>(xs, &taps, (at, first as u32), n0, y, arg);
                }
                for n0 in wide..batch {
                    max_block::<1>(xs, &taps, (at, first as u32), n0, y, arg);
                }
            } else {
                y.copy_from_slice(&xs[at..at + batch]);
                for u in 0..kh {
                    for v in 0..kw {
                        let flat = (i * sh + u) * w + j * sw + v;
                        if flat == first {
                            continue;
                        }
                        let at = (c * plane + flat) * batch;
                        for (y, &x) in y.iter_mut().zip(&xs[at..]) {
                            *y += x;
                        }
                    }
                }
                y.iter_mut().for_each(|y| *y *= scale);
            }
        }
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.out
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        check_cols("pooling input", input, self.geom.input_shape().size())?;
        let batch = input.nrows();
        if grad_output.shape() != self.out.shape() || batch != self.out.nrows() || batch == 0 {
            return Err(EngineError::shape(
                "pooling output gradient (run forward on this batch first)",
                (batch, self.geom.output_shape().size()),
                grad_output.shape(),
            ));
        }
        let g = self.geom;
        let (kh, kw) = g.kernel();
        let (sh, sw) = g.stride();
        let (w, plane) = (g.in_width(), g.in_height() * g.in_width());
        ensure_shape(&mut self.dx, batch, g.input_shape().size());
        self.dx.as_mut_slice().fill(0.0);
        let dxs = self.dx.as_mut_slice();
        let scale = 1.0 / (kh * kw) as f32;
        let grads = grad_output.as_slice().chunks_exact(batch);
        for (column, d) in grads.enumerate() {
            let c = column / (g.out_height() * g.out_width());
            let (i, j) = (
                (column / g.out_width()) % g.out_height(),
                column % g.out_width(),
            );
            match self.kind {
                PoolKind::Max => {
                    let args = &self.argmax[column * batch..(column + 1) * batch];
                    for (n, (&a, &d)) in args.iter().zip(d).enumerate() {
                        dxs[(c * plane + a as usize) * batch + n] += d;
                    }
                }
                PoolKind::Average => {
                    for u in 0..kh {
                        for v in 0..kw {
                            let at = (c * plane + (i * sh + u) * w + j * sw + v) * batch;
                            for (dx, &d) in dxs[at..at + batch].iter_mut().zip(d) {
                                *dx += d * scale;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::testing::{check_gradients, random_matrix};
    use crate::tensor::from_rows;
    use proptest::prelude::{prop_assert, proptest};

    fn image(channels: usize, height: usize, width: usize) -> Shape {
        Shape::Image {
            channels,
            height,
            width,
        }
    }

    fn pool(kind: PoolKind, shape: Shape, k: usize, s: usize) -> Pool2d {
        Pool2d::new(kind, shape, (k, k), (s, s)).unwrap()
    }

    #[test]
    fn max_and_average_by_hand() {
        // One 4×4 channel [[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 7], [2, 6, 7, 3]].
        let x = from_rows(&[vec![
            1.0, 3.0, 2.0, 0.0, 4.0, 2.0, 1.0, 5.0, 0.0, 1.0, 7.0, 7.0, 2.0, 6.0, 7.0, 3.0,
        ]])
        .unwrap();
        let mut max = pool(PoolKind::Max, image(1, 4, 4), 2, 2);
        max.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Windows: {1,3,4,2} → 4, {2,0,1,5} → 5, {0,1,2,6} → 6, {7,7,7,3} → 7.
        assert_eq!(max.output().as_slice(), &[4.0, 5.0, 6.0, 7.0]);
        // The 7s at (2,2), (2,3), (3,2) tie; the first in row-major order is (2,2).
        assert_eq!(
            max.argmax_positions(0).unwrap(),
            vec![(1, 0), (1, 3), (3, 1), (2, 2)]
        );
        let mut avg = pool(PoolKind::Average, image(1, 4, 4), 2, 2);
        avg.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Means: 10/4 = 2.5, 8/4 = 2, 9/4 = 2.25, 24/4 = 6.
        assert_eq!(avg.output().as_slice(), &[2.5, 2.0, 2.25, 6.0]);
        assert!(avg.argmax_row_col(0, 0, 0, 0).is_none());
    }

    #[test]
    fn ties_send_the_gradient_to_the_first_maximum() {
        let x = from_rows(&[vec![2.0, 2.0, 2.0, 2.0]]).unwrap();
        let mut max = pool(PoolKind::Max, image(1, 2, 2), 2, 2);
        max.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        max.backward(&x, &from_rows(&[vec![3.0]]).unwrap()).unwrap();
        assert_eq!(max.grad_input().as_slice(), &[3.0, 0.0, 0.0, 0.0]);
        // Overlapping windows (k 2, s 1) on [[1, 5, 1]]ᵀ-like rows add up at the shared maximum:
        // the 1×3 image [1, 5, 5] with 1×2 windows: maxima at col 1 and col 1 (tie → first).
        let x = from_rows(&[vec![1.0, 5.0, 5.0]]).unwrap();
        let mut max = Pool2d::new(PoolKind::Max, image(1, 1, 3), (1, 2), (1, 1)).unwrap();
        max.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        max.backward(&x, &from_rows(&[vec![1.0, 10.0]]).unwrap())
            .unwrap();
        assert_eq!(max.grad_input().as_slice(), &[0.0, 11.0, 0.0]);
    }

    #[test]
    fn nan_wins_a_window() {
        let x = from_rows(&[vec![1.0, f32::NAN, 3.0, f32::NAN]]).unwrap();
        let mut max = pool(PoolKind::Max, image(1, 2, 2), 2, 2);
        max.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert!(max.output()[(0, 0)].is_nan());
        assert_eq!(max.argmax_row_col(0, 0, 0, 0), Some((0, 1)));
    }

    #[test]
    fn every_lane_of_a_batch_finds_its_own_first_maximum() {
        // 19 samples: one block of 16 lanes and three single lanes. Each sample's 2×2 window
        // holds its maximum, a tie or a NaN at a different place.
        let patterns: [[f32; 4]; 6] = [
            [1.0, 2.0, 3.0, 4.0],
            [4.0, 3.0, 2.0, 1.0],
            [0.0, 5.0, 5.0, -1.0],
            [-3.0, -1.0, -2.0, f32::NAN],
            [f32::NAN, 9.0, f32::NAN, 0.0],
            [-0.5, -0.5, -0.5, -0.5],
        ];
        let rows: Vec<Vec<f32>> = (0..19).map(|n| patterns[n % 6].to_vec()).collect();
        let x = from_rows(&rows).unwrap();
        let mut max = pool(PoolKind::Max, image(1, 2, 2), 2, 2);
        max.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        for (n, row) in rows.iter().enumerate() {
            // The first NaN if there is one, else the first of the largest values.
            let want = row.iter().position(|v| v.is_nan()).unwrap_or_else(|| {
                let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                row.iter().position(|&v| v == top).unwrap()
            });
            let got = max.output()[(n, 0)];
            assert_eq!(got.to_bits(), row[want].to_bits(), "sample {n}: {got}");
            assert_eq!(
                max.argmax_row_col(n, 0, 0, 0),
                Some((want / 2, want % 2)),
                "sample {n}"
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Distinct random values keep every maximum away from a tie (no kink within ±h).
        let shape = image(2, 5, 5);
        let x = random_matrix(3, shape.size(), 11);
        for (kind, k, s) in [
            (PoolKind::Max, 2, 2),
            (PoolKind::Max, 3, 1),
            (PoolKind::Average, 2, 2),
            (PoolKind::Average, 3, 2),
        ] {
            let layer = pool(kind, shape, k, s);
            let g = random_matrix(3, layer.output_shape().size(), 12);
            check_gradients(&layer, &x, &g, 1e-3, 2e-3, true);
        }
    }

    #[test]
    fn channels_and_samples_stay_apart() {
        // Two samples of two 2×2 channels; every window is a whole channel.
        let x = from_rows(&[
            vec![1.0, 2.0, 3.0, 4.0, -1.0, -2.0, -3.0, -4.0],
            vec![9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0],
        ])
        .unwrap();
        let mut max = pool(PoolKind::Max, image(2, 2, 2), 2, 2);
        max.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert_eq!(
            max.output().row(0).iter().copied().collect::<Vec<_>>(),
            [4.0, -1.0]
        );
        assert_eq!(
            max.output().row(1).iter().copied().collect::<Vec<_>>(),
            [9.0, 8.0]
        );
        assert_eq!(max.argmax_row_col(1, 1, 0, 0), Some((1, 1)));
        assert_eq!(max.argmax_row_col(2, 0, 0, 0), None);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(Pool2d::new(PoolKind::Max, Shape::Flat(4), (2, 2), (2, 2)).is_err());
        assert!(Pool2d::new(PoolKind::Max, image(1, 2, 2), (3, 3), (1, 1)).is_err());
        assert!(Pool2d::new(PoolKind::Max, image(1, 2, 2), (2, 2), (0, 1)).is_err());
        assert!(Pool2d::new(PoolKind::Max, image(0, 2, 2), (2, 2), (1, 1)).is_err());
        let mut p = pool(PoolKind::Average, image(1, 2, 2), 2, 2);
        let mut rng = Rng::new(0);
        assert!(
            p.forward(&Matrix::zeros(1, 3), Mode::Eval, &mut rng)
                .is_err()
        );
        assert!(
            p.forward(&Matrix::zeros(0, 4), Mode::Eval, &mut rng)
                .is_err()
        );
        assert!(
            p.backward(&Matrix::zeros(1, 4), &Matrix::zeros(1, 1))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn never_panics(
            c in 0usize..3, h in 0usize..6, w in 0usize..6, kh in 0usize..4, kw in 0usize..4,
            sh in 0usize..4, sw in 0usize..4, batch in 0usize..3, max in proptest::bool::ANY,
            special in 0usize..4, off in 0usize..2,
        ) {
            let kind = if max { PoolKind::Max } else { PoolKind::Average };
            let value = [0.5, f32::NAN, f32::NEG_INFINITY, 1000.0][special];
            if let Ok(mut p) = Pool2d::new(kind, image(c, h, w), (kh, kw), (sh, sw)) {
                let x = Matrix::repeat(batch, p.input_shape().size() + off, value);
                if p.forward(&x, Mode::Train, &mut Rng::new(0)).is_ok() {
                    let g = Matrix::repeat(batch, p.output_shape().size(), value);
                    prop_assert!(p.backward(&x, &g).is_ok());
                    let _ = p.argmax_positions(0);
                }
            }
        }
    }
}
