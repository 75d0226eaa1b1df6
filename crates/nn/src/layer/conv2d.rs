//! Two-dimensional convolution (cross-correlation) over NCHW images with OIHW filters, its
//! window geometry (valid, TensorFlow "same" and explicit padding), and a single-image helper for
//! the page's convolution figure.
//!
//! Because the batch matrix is stored column-major, each pixel of the batch (one input column) is a
//! contiguous run of `batch` values. The layer takes one of two routes over those runs. Small
//! filter banks (at most `kernels::SMALL_WEIGHTS` weights, as every network of the page and the
//! benchmark's W3c) run the direct convolution of `kernels::conv`: each output run is the bias
//! plus the weighted runs its window reads, summed across the batch in blocks of lanes that
//! vectorise (SIMD128 in the page), with no patch matrix, copy or allocation per step. Larger ones
//! lower the convolution to one matrix product (im2col): every receptive field becomes a row of a
//! patch matrix, and the filters become its columns; building the patch matrix copies contiguous
//! runs, and the product lands directly in the output matrix's memory. Both routes compute the
//! same sums (in a different order) for every shape, stride and padding, which a test checks.

use nalgebra::{DMatrixView, DMatrixViewMut};

use crate::error::{EngineError, Result};
use crate::kernels;
use crate::layer::conv_geometry::checked_size;
use crate::layer::conv_geometry::{ConvGeometry, PadAmounts, Padding};
use crate::layer::{Init, Mode, Module, Param, ParamKind};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// Refuses an initialisation scheme whose parameter is not a finite, non-negative number.
pub(crate) fn check_init(init: Init) -> Result<()> {
    match init {
        Init::Uniform { limit } if !(limit.is_finite() && limit >= 0.0) => Err(EngineError::hyper(
            "initialisation limit",
            limit,
            "it must be a finite number of at least 0",
        )),
        Init::Normal { std } if !(std.is_finite() && std >= 0.0) => Err(EngineError::hyper(
            "initialisation spread",
            std,
            "it must be a finite number of at least 0",
        )),
        _ => Ok(()),
    }
}

/// A 2-D convolution layer (cross-correlation, as in every deep-learning library):
/// `y[o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x_pad[c, i·s_h + u, j·s_w + v]`,
/// where `x_pad` is the input surrounded by the geometry's zero padding.
///
/// # Shapes
/// - Input: `(batch, C_in·H·W)`, each row one image, channel-major (NCHW).
/// - Weights: `(C_out, C_in, kh, kw)` (OIHW), flat in that order; bias: `(C_out)`.
/// - Output: `(batch, C_out·H_out·W_out)`, NCHW, i.e. `Shape::Image`.
///
/// # Gradients
/// With `P` the patch matrix (one receptive field per row) and `G = dL/dY` arranged one output
/// position per row: `dL/dW = Pᵀ G`, `dL/db[o] = Σ G[·, o]` (over batch and positions), and
/// `dL/dX` scatters `G Wᵀ` back onto the pixels each patch read (the transposed convolution).
#[derive(Debug, Clone)]
pub struct Conv2d {
    geom: ConvGeometry,
    /// Weights as a `(C_in·kh·kw, C_out)` matrix: column `o` is filter `o`, so the flat storage is
    /// OIHW.
    w: Matrix,
    b: Vec<f32>,
    dw: Matrix,
    db: Vec<f32>,
    /// `Wᵀ`, `(C_out, C_in·kh·kw)`, refreshed for the backward pass.
    w_t: Matrix,
    /// The patch matrix, `(H_out·W_out·batch, C_in·kh·kw)`, row `p·batch + n`.
    patches: Matrix,
    /// `dL/dpatches`, same shape.
    grad_patches: Matrix,
    out: Matrix,
    dx: Matrix,
    /// Whether `backward` computes `dL/dX` (see [`Module::set_input_gradient`]).
    input_gradient: bool,
    /// Whether the layer takes the direct route ([`kernels::conv`]) rather than im2col.
    direct: bool,
}

impl Conv2d {
    /// A layer of the given geometry with weights drawn by `init` from `rng` in TensorFlow's
    /// kernel order `[kh][kw][C_in][C_out]`, with `fan_in = kh·kw·C_in`, `fan_out = kh·kw·C_out`
    /// (Glorot limit `√(6/(kh·kw·C_in + kh·kw·C_out))`); biases are 0 (0.1 for Playground).
    pub fn new(geometry: ConvGeometry, init: Init, rng: &mut Rng) -> Result<Self> {
        check_init(init)?;
        let g = geometry;
        let (kh, kw) = g.kernel;
        let fan_in = kh * kw * g.in_channels;
        let fan_out = kh * kw * g.out_channels;
        let mut w = Matrix::zeros(g.patch_len(), g.out_channels);
        for u in 0..kh {
            for v in 0..kw {
                for c in 0..g.in_channels {
                    for o in 0..g.out_channels {
                        w[((c * kh + u) * kw + v, o)] = init.draw(rng, fan_in, fan_out);
                    }
                }
            }
        }
        let b = vec![init.bias(); g.out_channels];
        Ok(Self::assemble(geometry, w, b))
    }

    /// A layer with the given weights, flat in OIHW order (`C_out·C_in·kh·kw` values), and one
    /// bias per output channel.
    pub fn from_weights(
        geometry: ConvGeometry,
        weights_oihw: &[f32],
        bias: &[f32],
    ) -> Result<Self> {
        let g = geometry;
        let want = g.out_channels * g.patch_len();
        if weights_oihw.len() != want {
            return Err(EngineError::shape(
                "convolution weights (values)",
                (1, want),
                (1, weights_oihw.len()),
            ));
        }
        if bias.len() != g.out_channels {
            return Err(EngineError::shape(
                "convolution bias (values)",
                (1, g.out_channels),
                (1, bias.len()),
            ));
        }
        let w = Matrix::from_column_slice(g.patch_len(), g.out_channels, weights_oihw);
        Ok(Self::assemble(geometry, w, bias.to_vec()))
    }

    fn assemble(geom: ConvGeometry, w: Matrix, b: Vec<f32>) -> Self {
        let (k, o) = w.shape();
        let (n_in, n_out) = (geom.input_shape().size(), geom.output_shape().size());
        Self {
            geom,
            dw: Matrix::zeros(k, o),
            db: vec![0.0; o],
            w_t: w.transpose(),
            w,
            b,
            patches: Matrix::zeros(0, k),
            grad_patches: Matrix::zeros(0, k),
            out: Matrix::zeros(0, n_out),
            dx: Matrix::zeros(0, n_in),
            input_gradient: true,
            direct: o * k <= kernels::SMALL_WEIGHTS,
        }
    }

    /// The layer's geometry (sizes, stride, padding used).
    pub fn geometry(&self) -> &ConvGeometry {
        &self.geom
    }

    /// All weights, flat in OIHW order.
    pub fn weights_oihw(&self) -> &[f32] {
        self.w.as_slice()
    }

    /// All weights, flat in OIHW order, for editing.
    pub fn weights_oihw_mut(&mut self) -> &mut [f32] {
        self.w.as_mut_slice()
    }

    /// The `kh × kw` filter connecting input channel `c_in` to output channel `c_out`.
    pub fn filter(&self, c_out: usize, c_in: usize) -> Option<Matrix> {
        let g = &self.geom;
        if c_out >= g.out_channels || c_in >= g.in_channels {
            return None;
        }
        let (kh, kw) = g.kernel;
        Some(Matrix::from_fn(kh, kw, |u, v| {
            self.w[((c_in * kh + u) * kw + v, c_out)]
        }))
    }

    /// The biases, one per output channel.
    pub fn bias(&self) -> &[f32] {
        &self.b
    }

    /// The biases, for editing.
    pub fn bias_mut(&mut self) -> &mut [f32] {
        &mut self.b
    }

    /// `dL/dW` from the last backward pass, flat in OIHW order.
    pub fn grad_weights_oihw(&self) -> &[f32] {
        self.dw.as_slice()
    }

    /// `dL/db` from the last backward pass.
    pub fn grad_bias(&self) -> &[f32] {
        &self.db
    }

    /// Fills the patch matrix from a batch: column `(c, u, v)`, row `p·batch + n` holds
    /// `x_pad[n, c, oh·s_h + u, ow·s_w + v]` for output position `p = oh·W_out + ow`.
    fn im2col(&mut self, input: &Matrix) {
        let g = self.geom;
        let batch = input.nrows();
        let (kh, kw) = g.kernel;
        let plane = g.in_height * g.in_width;
        let run = g.out_width * batch;
        let xs = input.as_slice();
        let columns = self
            .patches
            .as_mut_slice()
            .chunks_exact_mut(g.positions() * batch);
        for (k, column) in columns.enumerate() {
            let (c, u, v) = (k / (kh * kw), (k / kw) % kh, k % kw);
            for (oh, row_run) in column.chunks_exact_mut(run).enumerate() {
                let Some(ih) = g.source_row(oh, u) else {
                    row_run.fill(0.0);
                    continue;
                };
                for (ow, dst) in row_run.chunks_exact_mut(batch).enumerate() {
                    match g.source_col(ow, v) {
                        Some(iw) => {
                            let at = (c * plane + ih * g.in_width + iw) * batch;
                            dst.copy_from_slice(&xs[at..at + batch]);
                        }
                        None => dst.fill(0.0),
                    }
                }
            }
        }
    }

    /// Adds each patch gradient back onto the input pixel it was read from (the adjoint of
    /// [`Conv2d::im2col`]).
    fn col2im(&mut self, batch: usize) {
        let g = self.geom;
        let (kh, kw) = g.kernel;
        let plane = g.in_height * g.in_width;
        let run = g.out_width * batch;
        self.dx.fill(0.0);
        let dxs = self.dx.as_mut_slice();
        let columns = self
            .grad_patches
            .as_slice()
            .chunks_exact(g.positions() * batch);
        for (k, column) in columns.enumerate() {
            let (c, u, v) = (k / (kh * kw), (k / kw) % kh, k % kw);
            for (oh, row_run) in column.chunks_exact(run).enumerate() {
                let Some(ih) = g.source_row(oh, u) else {
                    continue;
                };
                for (ow, src) in row_run.chunks_exact(batch).enumerate() {
                    if let Some(iw) = g.source_col(ow, v) {
                        let at = (c * plane + ih * g.in_width + iw) * batch;
                        for (d, s) in dxs[at..at + batch].iter_mut().zip(src) {
                            *d += s;
                        }
                    }
                }
            }
        }
    }
}

impl Module for Conv2d {
    fn kind(&self) -> &'static str {
        "conv2d"
    }

    fn input_shape(&self) -> Shape {
        self.geom.input_shape()
    }

    fn output_shape(&self) -> Shape {
        self.geom.output_shape()
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("conv2d input", input, self.geom.input_shape().size())?;
        let batch = input.nrows();
        if batch == 0 {
            return Err(EngineError::Empty {
                what: "conv2d input".to_owned(),
            });
        }
        let rows = checked_size("the batch's patch table", &[self.geom.positions(), batch])?;
        ensure_shape(&mut self.out, batch, self.geom.output_shape().size());
        if self.direct {
            let (x, y) = (input.as_slice(), self.out.as_mut_slice());
            kernels::conv::forward(&self.geom, batch, x, self.w.as_slice(), &self.b, y);
            return Ok(());
        }
        checked_size("the batch's patch table", &[rows, self.geom.patch_len()])?;
        ensure_shape(&mut self.patches, rows, self.geom.patch_len());
        self.im2col(input);
        let mut y =
            DMatrixViewMut::from_slice(self.out.as_mut_slice(), rows, self.geom.out_channels);
        y.gemm(1.0, &self.patches, &self.w, 0.0);
        for (column, &bias) in self
            .out
            .as_mut_slice()
            .chunks_exact_mut(rows)
            .zip(self.b.iter())
        {
            column.iter_mut().for_each(|y| *y += bias);
        }
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.out
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        check_cols("conv2d input", input, self.geom.input_shape().size())?;
        let batch = input.nrows();
        if grad_output.shape() != self.out.shape() || batch != self.out.nrows() || batch == 0 {
            return Err(EngineError::shape(
                "conv2d output gradient (run forward on this batch first)",
                (batch, self.geom.output_shape().size()),
                grad_output.shape(),
            ));
        }
        if self.direct {
            let (x, gy) = (input.as_slice(), grad_output.as_slice());
            let dw = self.dw.as_mut_slice();
            kernels::conv::param_grads(&self.geom, batch, x, gy, dw, &mut self.db);
            if self.input_gradient {
                ensure_shape(&mut self.dx, batch, self.geom.input_shape().size());
                let (w, dx) = (self.w.as_slice(), self.dx.as_mut_slice());
                kernels::conv::input_grad(&self.geom, batch, gy, w, dx);
            }
            return Ok(());
        }
        let rows = self.patches.nrows();
        let g = DMatrixView::from_slice(grad_output.as_slice(), rows, self.geom.out_channels);
        for (db, column) in self.db.iter_mut().zip(g.column_iter()) {
            *db = column.sum();
        }
        // dW = patchesᵀ · dY: each entry is the dot product of a patch column with an output
        // gradient column, both contiguous, so no transposed copy is needed.
        let (patch_len, channels) = (self.geom.patch_len(), self.geom.out_channels);
        let (patch_columns, grad_columns) = (self.patches.as_slice(), grad_output.as_slice());
        let dws = self.dw.as_mut_slice();
        for c in 0..channels {
            let g_col = &grad_columns[c * rows..(c + 1) * rows];
            for k in 0..patch_len {
                dws[k + c * patch_len] =
                    kernels::dot(&patch_columns[k * rows..(k + 1) * rows], g_col);
            }
        }
        if self.input_gradient {
            self.w.transpose_to(&mut self.w_t);
            ensure_shape(&mut self.grad_patches, rows, self.geom.patch_len());
            self.grad_patches.gemm(1.0, &g, &self.w_t, 0.0);
            ensure_shape(&mut self.dx, batch, self.geom.input_shape().size());
            self.col2im(batch);
        }
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn set_input_gradient(&mut self, needed: bool) {
        self.input_gradient = needed;
        if !needed {
            self.dx = Matrix::zeros(0, self.geom.input_shape().size());
        }
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        f(Param {
            name: "W",
            kind: ParamKind::Weight,
            value: self.w.as_mut_slice(),
            grad: self.dw.as_slice(),
        });
        f(Param {
            name: "b",
            kind: ParamKind::Bias,
            value: &mut self.b,
            grad: &self.db,
        });
    }
}

/// One single-channel image convolved with one filter, with everything the page's figure shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageConvolution {
    /// The image surrounded by its zero padding, `(H + top + bottom) × (W + left + right)`.
    pub padded: Matrix,
    /// The result, `H_out × W_out`: `out[i, j] = Σ_{u,v} f[u, v] · padded[i·s + u, j·s + v]`.
    pub output: Matrix,
    /// The padding used on each side.
    pub padding: PadAmounts,
    /// The stride used in both directions.
    pub stride: usize,
}

/// Convolves (cross-correlates) one single-channel `image` (rows × columns) with one `filter`
/// (`kh × kw`), moving `stride` pixels at a time in both directions, padded per `padding`.
///
/// Non-finite pixels propagate into the windows that read them.
pub fn convolve_image(
    image: &Matrix,
    filter: &Matrix,
    stride: usize,
    padding: Padding,
) -> Result<ImageConvolution> {
    let input = Shape::Image {
        channels: 1,
        height: image.nrows(),
        width: image.ncols(),
    };
    let g = ConvGeometry::new(input, 1, filter.shape(), (stride, stride), padding)?;
    let pad = g.padding();
    let (rows, cols) = (
        image.nrows() + pad.top + pad.bottom,
        image.ncols() + pad.left + pad.right,
    );
    checked_size("the padded image", &[rows, cols])?;
    let padded = Matrix::from_fn(rows, cols, |r, c| {
        match (r.checked_sub(pad.top), c.checked_sub(pad.left)) {
            (Some(i), Some(j)) if i < image.nrows() && j < image.ncols() => image[(i, j)],
            _ => 0.0,
        }
    });
    let (kh, kw) = filter.shape();
    let output = Matrix::from_fn(g.out_height(), g.out_width(), |i, j| {
        let mut sum = 0.0;
        for u in 0..kh {
            for v in 0..kw {
                sum += filter[(u, v)] * padded[(i * stride + u, j * stride + v)];
            }
        }
        sum
    });
    Ok(ImageConvolution {
        padded,
        output,
        padding: pad,
        stride,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::conv_geometry::{AxisPadding, axis_geometry};
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

    fn run(layer: &mut Conv2d, x: &Matrix) -> Matrix {
        layer.forward(x, Mode::Train, &mut Rng::new(0)).unwrap();
        layer.output().clone()
    }

    /// A direct, loop-by-loop convolution of one sample, to cross-check the im2col route.
    fn direct(layer: &Conv2d, x: &[f32]) -> Vec<f32> {
        let g = layer.geometry();
        let (kh, kw) = g.kernel();
        let (sh, sw) = g.stride();
        let pad = g.padding();
        let (h, w) = (g.in_height() as isize, g.in_width() as isize);
        let mut out = Vec::new();
        for o in 0..g.out_channels() {
            for i in 0..g.out_height() {
                for j in 0..g.out_width() {
                    let mut sum = layer.bias()[o];
                    for c in 0..g.in_channels() {
                        let f = layer.filter(o, c).unwrap();
                        for u in 0..kh {
                            for v in 0..kw {
                                let r = (i * sh + u) as isize - pad.top as isize;
                                let q = (j * sw + v) as isize - pad.left as isize;
                                if (0..h).contains(&r) && (0..w).contains(&q) {
                                    let at = (c as isize * h + r) * w + q;
                                    sum += f[(u, v)] * x[at as usize];
                                }
                            }
                        }
                    }
                    out.push(sum);
                }
            }
        }
        out
    }

    #[test]
    fn same_padding_follows_tensorflow() {
        let same = |n, k, s| {
            let a = axis_geometry(n, k, s, AxisPadding::Same).unwrap();
            (a.out_len, a.pad_before, a.pad_after)
        };
        // in 5, k 3, s 2: out ⌈5/2⌉ = 3, total (3−1)·2 + 3 − 5 = 2 → 1 and 1.
        assert_eq!(same(5, 3, 2), (3, 1, 1));
        // in 4, k 3, s 2: out 2, total 1·2 + 3 − 4 = 1 → 0 before, the odd pixel after.
        assert_eq!(same(4, 3, 2), (2, 0, 1));
        // in 8, k 3, s 1: out 8, total 7 + 3 − 8 = 2 → 1 and 1 (W3c's "pad 1").
        assert_eq!(same(8, 3, 1), (8, 1, 1));
        // in 2, k 5, s 1: out 2, total 1 + 5 − 2 = 4 → 2 and 2.
        assert_eq!(same(2, 5, 1), (2, 2, 2));
        // in 5, k 1, s 3: out 2, total 3 + 1 − 5 < 0 → no padding.
        assert_eq!(same(5, 1, 3), (2, 0, 0));
        // Valid: ⌊(5 − 3)/2⌋ + 1 = 2; explicit (1, 0): ⌊(6 − 3)/2⌋ + 1 = 2.
        let valid = axis_geometry(5, 3, 2, AxisPadding::Valid).unwrap();
        assert_eq!(valid.out_len, 2);
        let explicit = AxisPadding::Explicit {
            before: 1,
            after: 0,
        };
        assert_eq!(axis_geometry(5, 3, 2, explicit).unwrap().out_len, 2);
        assert!(axis_geometry(2, 3, 1, AxisPadding::Valid).is_err());
        assert!(axis_geometry(5, 0, 1, AxisPadding::Same).is_err());
        assert!(axis_geometry(5, 3, 0, AxisPadding::Same).is_err());
        assert!(axis_geometry(0, 1, 1, AxisPadding::Same).is_err());
        let huge = AxisPadding::Explicit {
            before: usize::MAX,
            after: 1,
        };
        assert!(axis_geometry(5, 3, 1, huge).is_err());
    }

    #[test]
    fn valid_forward_by_hand() {
        let g = ConvGeometry::new(image(1, 3, 3), 1, (2, 2), (1, 1), Padding::Valid).unwrap();
        let mut layer = Conv2d::from_weights(g, &[1.0, 2.0, 3.0, 4.0], &[0.5]).unwrap();
        let x = from_rows(&[(1..=9).map(|v| v as f32).collect()]).unwrap();
        // Filter [[1, 2], [3, 4]] over [[1, 2, 3], [4, 5, 6], [7, 8, 9]]:
        // (0,0) 1·1 + 2·2 + 3·4 + 4·5 = 37, (0,1) 2 + 6 + 15 + 24 = 47,
        // (1,0) 4 + 10 + 21 + 32 = 67, (1,1) 5 + 12 + 24 + 36 = 77; plus the bias 0.5.
        let y = run(&mut layer, &x);
        assert_eq!(y.as_slice(), &[37.5, 47.5, 67.5, 77.5]);
        assert_eq!(layer.output_shape(), image(1, 2, 2));
    }

    #[test]
    fn same_padding_stride_two_by_hand() {
        let g = ConvGeometry::new(image(1, 4, 4), 1, (3, 3), (2, 2), Padding::Same).unwrap();
        assert_eq!(
            g.padding(),
            PadAmounts {
                top: 0,
                bottom: 1,
                left: 0,
                right: 1
            }
        );
        let mut layer = Conv2d::from_weights(g, &[1.0; 9], &[0.0]).unwrap();
        let x = from_rows(&[(1..=16).map(|v| v as f32).collect()]).unwrap();
        // A 3×3 box sum over x = [[1..4], [5..8], [9..12], [13..16]] padded below and right:
        // (0,0) rows 0–2, cols 0–2: 1+2+3+5+6+7+9+10+11 = 54; (0,1) rows 0–2, cols 2–3:
        // 3+4+7+8+11+12 = 45; (1,0) rows 2–3, cols 0–2: 9+10+11+13+14+15 = 72;
        // (1,1) rows 2–3, cols 2–3: 11+12+15+16 = 54.
        assert_eq!(run(&mut layer, &x).as_slice(), &[54.0, 45.0, 72.0, 54.0]);
    }

    #[test]
    fn channels_follow_oihw_and_nchw() {
        // 1×1 filters, 2 inputs → 2 outputs: W = [[1, 10], [−1, 2]] (O×I), b = [0, 1].
        let g = ConvGeometry::new(image(2, 1, 2), 2, (1, 1), (1, 1), Padding::Valid).unwrap();
        let mut layer = Conv2d::from_weights(g, &[1.0, 10.0, -1.0, 2.0], &[0.0, 1.0]).unwrap();
        // One image: channel 0 = [1, 2], channel 1 = [3, 4].
        let x = from_rows(&[vec![1.0, 2.0, 3.0, 4.0]]).unwrap();
        // Output channel 0: 1·[1, 2] + 10·[3, 4] = [31, 42];
        // output channel 1: −1·[1, 2] + 2·[3, 4] + 1 = [6, 7].
        assert_eq!(run(&mut layer, &x).as_slice(), &[31.0, 42.0, 6.0, 7.0]);
        assert_eq!(layer.filter(0, 1).unwrap()[(0, 0)], 10.0);
        assert!(layer.filter(2, 0).is_none());
    }

    #[test]
    fn matches_a_direct_convolution() {
        let cases = [
            (image(2, 5, 4), 3, (3, 3), (2, 2), Padding::Same),
            (image(1, 6, 6), 2, (3, 2), (1, 2), Padding::Valid),
            (
                image(3, 4, 5),
                2,
                (2, 3),
                (2, 1),
                Padding::Explicit(PadAmounts {
                    top: 2,
                    bottom: 0,
                    left: 1,
                    right: 3,
                }),
            ),
            (image(1, 8, 8), 8, (3, 3), (1, 1), Padding::Same),
        ];
        for (seed, (shape, out, k, s, pad)) in cases.into_iter().enumerate() {
            let g = ConvGeometry::new(shape, out, k, s, pad).unwrap();
            let mut layer = Conv2d::new(g, Init::Glorot, &mut Rng::new(seed as u32)).unwrap();
            layer.bias_mut().iter_mut().for_each(|b| *b = 0.25);
            let x = random_matrix(7, shape.size(), 100 + seed as u32);
            let y = run(&mut layer, &x);
            for n in 0..x.nrows() {
                let row: Vec<f32> = x.row(n).iter().copied().collect();
                let want = direct(&layer, &row);
                for (i, w) in want.iter().enumerate() {
                    assert!((y[(n, i)] - w).abs() < 1e-5, "case {seed} sample {n} [{i}]");
                }
            }
        }
    }

    /// The largest difference between two arrays, as a fraction of the larger array's largest
    /// magnitude (at least 1).
    fn relative_gap(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        let scale = a.iter().chain(b).fold(1.0f32, |m, v| m.max(v.abs()));
        let gap = a
            .iter()
            .zip(b)
            .fold(0.0f32, |m, (p, q)| m.max((p - q).abs()));
        gap / scale
    }

    #[test]
    fn direct_route_matches_im2col() {
        // Random geometries (strides 1–3, every kind of padding, 1–3 input and 1–9 output
        // channels) and batches that fill wide blocks, narrow blocks and single lanes.
        let mut rng = Rng::new(77);
        let mut checked = 0;
        for case in 0..80u32 {
            let shape = image(1 + rng.index(3), 1 + rng.index(9), 1 + rng.index(9));
            let kernel = (1 + rng.index(4), 1 + rng.index(4));
            let stride = (1 + rng.index(3), 1 + rng.index(3));
            let padding = match rng.index(3) {
                0 => Padding::Valid,
                1 => Padding::Same,
                _ => Padding::Explicit(PadAmounts {
                    top: rng.index(3),
                    bottom: rng.index(3),
                    left: rng.index(3),
                    right: rng.index(3),
                }),
            };
            let out = 1 + rng.index(9);
            let Ok(g) = ConvGeometry::new(shape, out, kernel, stride, padding) else {
                continue;
            };
            let batch = [1, 3, 4, 16, 21, 32, 37][rng.index(7)];
            let mut direct = Conv2d::new(g, Init::Glorot, &mut Rng::new(case)).unwrap();
            for b in direct.bias_mut() {
                *b = rng.range(-1.0, 1.0);
            }
            assert!(direct.direct, "case {case} takes the direct route");
            let mut im2col = direct.clone();
            im2col.direct = false;
            let x = random_matrix(batch, shape.size(), 1000 + case);
            let gy = random_matrix(batch, g.output_shape().size(), 2000 + case);
            for layer in [&mut direct, &mut im2col] {
                layer.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
                layer.backward(&x, &gy).unwrap();
            }
            let pairs = [
                (direct.output().as_slice(), im2col.output().as_slice()),
                (direct.grad_weights_oihw(), im2col.grad_weights_oihw()),
                (direct.grad_bias(), im2col.grad_bias()),
                (
                    direct.grad_input().as_slice(),
                    im2col.grad_input().as_slice(),
                ),
            ];
            for (what, (a, b)) in ["y", "dW", "db", "dX"].iter().zip(pairs) {
                assert!(!a.is_empty(), "case {case}: {what} is empty");
                let gap = relative_gap(a, b);
                assert!(
                    gap < 1e-5,
                    "case {case} {g:?} batch {batch}: {what} differs by {gap}"
                );
            }
            checked += 1;
        }
        assert!(checked >= 50, "only {checked} geometries were valid");
    }

    #[test]
    fn gradients_match_finite_differences() {
        // Stride 2 with "same" padding (odd extra pixel at the bottom), two images.
        let g = ConvGeometry::new(image(2, 5, 4), 3, (3, 3), (2, 2), Padding::Same).unwrap();
        let mut layer = Conv2d::new(g, Init::Glorot, &mut Rng::new(9)).unwrap();
        layer.bias_mut().copy_from_slice(&[0.1, -0.2, 0.3]);
        let x = random_matrix(2, 40, 1);
        let grad = random_matrix(2, g.output_shape().size(), 2);
        check_gradients(&layer, &x, &grad, 1e-2, 2e-3, true);
        // Asymmetric explicit padding, a non-square kernel and a batch of one.
        let pad = Padding::Explicit(PadAmounts {
            top: 1,
            bottom: 0,
            left: 0,
            right: 2,
        });
        let g = ConvGeometry::new(image(1, 4, 3), 2, (2, 3), (1, 2), pad).unwrap();
        let layer = Conv2d::new(g, Init::He, &mut Rng::new(3)).unwrap();
        let grad = random_matrix(1, g.output_shape().size(), 4);
        check_gradients(&layer, &random_matrix(1, 12, 5), &grad, 1e-2, 2e-3, true);
    }

    #[test]
    fn bias_gradient_sums_batch_and_positions() {
        let g = ConvGeometry::new(image(1, 3, 3), 1, (2, 2), (1, 1), Padding::Valid).unwrap();
        let mut layer = Conv2d::from_weights(g, &[1.0; 4], &[0.0]).unwrap();
        let x = Matrix::zeros(3, 9);
        run(&mut layer, &x);
        // Three samples × four positions, each with upstream gradient 1: dL/db = 12.
        layer.backward(&x, &Matrix::repeat(3, 4, 1.0)).unwrap();
        assert_eq!(layer.grad_bias(), &[12.0]);
    }

    #[test]
    fn init_draws_in_tensorflow_kernel_order() {
        let g = ConvGeometry::new(image(2, 4, 4), 3, (2, 2), (1, 1), Padding::Same).unwrap();
        let layer = Conv2d::new(g, Init::Glorot, &mut Rng::new(45)).unwrap();
        let mut rng = Rng::new(45);
        // Limit √(6 / (2·2·2 + 2·2·3)) = √0.3; the draws run [u][v][c_in][c_out].
        let limit = (6.0f64 / 20.0).sqrt();
        let mut draw = || ((2.0 * rng.next_f64() - 1.0) * limit) as f32;
        let (first, second, third) = (draw(), draw(), draw());
        let w = layer.weights_oihw();
        // OIHW index ((o·2 + c)·2 + u)·2 + v: (o0,c0,u0,v0) = 0, (o1,c0,u0,v0) = 8,
        // (o2,c0,u0,v0) = 16; the fourth draw is (o0, c1, u0, v0) = 4.
        assert_eq!((w[0], w[8], w[16]), (first, second, third));
        assert_eq!(w[4], draw());
        assert!(w.iter().all(|v| f64::from(v.abs()) <= limit));
        assert_eq!(layer.bias(), &[0.0; 3]);
    }

    #[test]
    fn single_image_helper_matches_the_layer() {
        let img = from_rows(&[
            vec![1.0, 2.0, 0.0, -1.0],
            vec![0.5, -2.0, 3.0, 1.0],
            vec![2.0, 0.0, 1.0, 1.5],
        ])
        .unwrap();
        let filter = from_rows(&[vec![1.0, -1.0], vec![0.5, 2.0]]).unwrap();
        let r = convolve_image(&img, &filter, 2, Padding::Same).unwrap();
        // Height 3, k 2, s 2: out 2, total 1 → (0, 1); width 4: out 2, total 0.
        assert_eq!(
            r.padding,
            PadAmounts {
                top: 0,
                bottom: 1,
                left: 0,
                right: 0
            }
        );
        assert_eq!(r.padded.shape(), (4, 4));
        // (0,0): 1·1 − 1·2 + 0.5·0.5 + 2·(−2) = −4.75.
        assert_eq!(r.output[(0, 0)], -4.75);
        let g = ConvGeometry::new(image(1, 3, 4), 1, (2, 2), (2, 2), Padding::Same).unwrap();
        let w: Vec<f32> = vec![1.0, -1.0, 0.5, 2.0];
        let mut layer = Conv2d::from_weights(g, &w, &[0.0]).unwrap();
        let x = Matrix::from_row_slice(1, 12, img.transpose().as_slice());
        let y = run(&mut layer, &x);
        for i in 0..2 {
            for j in 0..2 {
                assert_eq!(y[(0, i * 2 + j)], r.output[(i, j)]);
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        let g = ConvGeometry::new(image(1, 3, 3), 1, (2, 2), (1, 1), Padding::Valid).unwrap();
        let mut layer = Conv2d::from_weights(g, &[1.0; 4], &[0.0]).unwrap();
        let mut rng = Rng::new(0);
        assert!(
            layer
                .forward(&Matrix::zeros(2, 8), Mode::Eval, &mut rng)
                .is_err()
        );
        let err = layer.forward(&Matrix::zeros(0, 9), Mode::Eval, &mut rng);
        assert!(matches!(err, Err(EngineError::Empty { .. })));
        assert!(
            layer
                .backward(&Matrix::zeros(1, 9), &Matrix::zeros(1, 4))
                .is_err()
        );
        assert!(Conv2d::from_weights(g, &[1.0; 3], &[0.0]).is_err());
        assert!(Conv2d::from_weights(g, &[1.0; 4], &[]).is_err());
        assert!(ConvGeometry::new(Shape::Flat(9), 1, (2, 2), (1, 1), Padding::Valid).is_err());
        assert!(ConvGeometry::new(image(0, 3, 3), 1, (2, 2), (1, 1), Padding::Valid).is_err());
        let uniform = Init::Uniform { limit: f32::NAN };
        assert!(Conv2d::new(g, uniform, &mut rng).is_err());
        let empty = Matrix::zeros(0, 0);
        assert!(convolve_image(&empty, &Matrix::zeros(1, 1), 1, Padding::Same).is_err());
        let huge = Padding::Explicit(PadAmounts {
            top: 1 << 20,
            bottom: 1 << 20,
            left: 1 << 20,
            right: 0,
        });
        assert!(convolve_image(&Matrix::zeros(2, 2), &Matrix::zeros(1, 1), 1, huge).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(
            c in 0usize..3, h in 0usize..7, w in 0usize..7, o in 0usize..3,
            kh in 0usize..5, kw in 0usize..5, sh in 0usize..4, sw in 0usize..4,
            mode in 0usize..3, pads in proptest::array::uniform4(0usize..4),
            batch in 0usize..3, cols_off in 0usize..2, special in 0usize..4,
        ) {
            let padding = match mode {
                0 => Padding::Valid,
                1 => Padding::Same,
                _ => Padding::Explicit(PadAmounts {
                    top: pads[0], bottom: pads[1], left: pads[2], right: pads[3],
                }),
            };
            let value = [0.5, f32::NAN, f32::INFINITY, -1000.0][special];
            if let Ok(g) = ConvGeometry::new(image(c, h, w), o, (kh, kw), (sh, sw), padding) {
                let mut layer = Conv2d::new(g, Init::Glorot, &mut Rng::new(1)).unwrap();
                let x = Matrix::repeat(batch, g.input_shape().size() + cols_off, value);
                let mut rng = Rng::new(0);
                if layer.forward(&x, Mode::Train, &mut rng).is_ok() {
                    let grad = Matrix::repeat(batch, g.output_shape().size(), value);
                    prop_assert!(layer.backward(&x, &grad).is_ok());
                    let _ = layer.backward(&x, &Matrix::zeros(batch + 1, 1));
                }
            }
            let img = Matrix::repeat(h, w, value);
            let _ = convolve_image(&img, &Matrix::repeat(kh, kw, 1.0), sh, padding);
        }
    }
}
