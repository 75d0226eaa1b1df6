//! A dense layer applied to every token of a sequence (the transformer's position-wise map), and
//! the two reshapes between a batch of sequences and a matrix of tokens.
//!
//! A batch of sequences is `(batch, len·dim)`, one sequence per row, token after token. Many
//! sequence computations are easier on the token matrix `(batch·len, dim)`, one token per row,
//! row `n·len + t` for token `t` of sample `n`: a per-token dense map is then one matrix product.

use crate::activation::Activation;
use crate::error::{EngineError, Result};
use crate::layer::conv_geometry::checked_size;
use crate::layer::{Dense, Init, Mode, Module, Param};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};
use crate::trace::LayerTrace;

/// Writes a batch of sequences `(batch, len·dim)` as a token matrix `(batch·len, dim)`, row
/// `n·len + t` holding token `t` of sample `n`.
pub fn tokens_from_batch(
    batch: &Matrix,
    len: usize,
    dim: usize,
    tokens: &mut Matrix,
) -> Result<()> {
    let width = checked_size("one sequence", &[len, dim])?;
    check_cols("sequence batch", batch, width)?;
    let n = batch.nrows();
    let rows = n * len;
    ensure_shape(tokens, rows, dim);
    if n == 0 || width == 0 {
        return Ok(());
    }
    let ts = tokens.as_mut_slice();
    for (column, src) in batch.as_slice().chunks_exact(n).enumerate() {
        let (t, j) = (column / dim, column % dim);
        for (sample, &v) in src.iter().enumerate() {
            ts[j * rows + sample * len + t] = v;
        }
    }
    Ok(())
}

/// Writes a token matrix `(batch·len, dim)` (row `n·len + t`) back as a batch of sequences
/// `(batch, len·dim)`: the inverse of [`tokens_from_batch`].
pub fn batch_from_tokens(
    tokens: &Matrix,
    len: usize,
    dim: usize,
    batch: &mut Matrix,
) -> Result<()> {
    let width = checked_size("one sequence", &[len, dim])?;
    if len == 0 || tokens.ncols() != dim || !tokens.nrows().is_multiple_of(len) {
        return Err(EngineError::ShapeMismatch {
            what: "token matrix".to_owned(),
            expected: format!("(batch·{len})×{dim}"),
            got: format!("{}×{}", tokens.nrows(), tokens.ncols()),
        });
    }
    let rows = tokens.nrows();
    let n = rows / len;
    ensure_shape(batch, n, width);
    if n == 0 || width == 0 {
        return Ok(());
    }
    let ts = tokens.as_slice();
    for (column, dst) in batch.as_mut_slice().chunks_exact_mut(n).enumerate() {
        let (t, j) = (column / dim, column % dim);
        for (sample, v) in dst.iter_mut().enumerate() {
            *v = ts[j * rows + sample * len + t];
        }
    }
    Ok(())
}

/// A dense layer applied to each token of a sequence with shared weights (the transformer's
/// position-wise feed-forward map): `z_t = W x_t + b`, `a_t = g(z_t)` for every position `t`.
///
/// It wraps a [`Dense`] layer that sees the batch as a token matrix, so its initialisation,
/// activations and parameters are exactly those of `Dense`.
///
/// # Shapes
/// - `W`: `(out, in)`, `b`: `(out)`.
/// - Input `(batch, len·in)`, output `(batch, len·out)`: `Shape::Sequence`.
///
/// # Gradients
/// As `Dense` on the token matrix: `dL/dW = Σ_{n,t} dL/dz_{n,t} x_{n,t}ᵀ`, `dL/db = Σ_{n,t}
/// dL/dz_{n,t}`, `dL/dx_{n,t} = Wᵀ dL/dz_{n,t}`.
#[derive(Debug, Clone)]
pub struct TokenDense {
    len: usize,
    dense: Dense,
    x_tokens: Matrix,
    g_tokens: Matrix,
    out: Matrix,
    dx: Matrix,
}

impl TokenDense {
    /// A map of `inputs → outputs` per token for sequences of `len` tokens, weights drawn by
    /// `init` from `rng` exactly as [`Dense::new`] draws them.
    pub fn new(
        len: usize,
        inputs: usize,
        outputs: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self> {
        checked_size("the weights", &[inputs, outputs])?;
        Self::from_dense(len, Dense::new(inputs, outputs, activation, init, rng)?)
    }

    /// Applies an existing dense layer to each of `len` tokens.
    pub fn from_dense(len: usize, dense: Dense) -> Result<Self> {
        if len == 0 {
            return Err(EngineError::hyper(
                "sequence length",
                len,
                "it must be at least 1",
            ));
        }
        let (outputs, inputs) = dense.weights().shape();
        checked_size("one input sequence", &[len, inputs])?;
        checked_size("one output sequence", &[len, outputs])?;
        Ok(Self {
            len,
            dense,
            x_tokens: Matrix::zeros(0, inputs),
            g_tokens: Matrix::zeros(0, outputs),
            out: Matrix::zeros(0, len * outputs),
            dx: Matrix::zeros(0, len * inputs),
        })
    }

    /// The dense map shared by all tokens (weights, biases, their gradients, `z` and `dL/dz` as
    /// token matrices, row `n·len + t`).
    pub fn dense(&self) -> &Dense {
        &self.dense
    }

    /// The dense map, for editing its weights.
    pub fn dense_mut(&mut self) -> &mut Dense {
        &mut self.dense
    }

    fn dims(&self) -> (usize, usize) {
        let (outputs, inputs) = self.dense.weights().shape();
        (inputs, outputs)
    }
}

impl Module for TokenDense {
    fn kind(&self) -> &'static str {
        "token_dense"
    }

    fn input_shape(&self) -> Shape {
        Shape::Sequence {
            len: self.len,
            dim: self.dims().0,
        }
    }

    fn output_shape(&self) -> Shape {
        Shape::Sequence {
            len: self.len,
            dim: self.dims().1,
        }
    }

    fn forward(&mut self, input: &Matrix, mode: Mode, rng: &mut Rng) -> Result<()> {
        let (inputs, outputs) = self.dims();
        check_cols("token dense input", input, self.len * inputs)?;
        if input.nrows() == 0 {
            return Err(EngineError::Empty {
                what: "token dense input".to_owned(),
            });
        }
        tokens_from_batch(input, self.len, inputs, &mut self.x_tokens)?;
        self.dense.forward(&self.x_tokens, mode, rng)?;
        batch_from_tokens(self.dense.output(), self.len, outputs, &mut self.out)
    }

    fn output(&self) -> &Matrix {
        &self.out
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        let (inputs, outputs) = self.dims();
        check_cols("token dense input", input, self.len * inputs)?;
        if grad_output.shape() != self.out.shape() || input.nrows() != self.out.nrows() {
            return Err(EngineError::shape(
                "token dense output gradient (run forward on this batch first)",
                (input.nrows(), self.len * outputs),
                grad_output.shape(),
            ));
        }
        tokens_from_batch(grad_output, self.len, outputs, &mut self.g_tokens)?;
        self.dense.backward(&self.x_tokens, &self.g_tokens)?;
        batch_from_tokens(self.dense.grad_input(), self.len, inputs, &mut self.dx)
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        self.dense.visit_params(f);
    }

    /// The dense trace with the output and input gradient as sequence batches; `z` and `dL/dz`
    /// also as sequence batches (`(batch, len·out)`).
    fn trace(&mut self) -> LayerTrace {
        let mut t = self.dense.trace();
        t.kind = "token_dense";
        t.output = self.out.clone();
        t.grad_input = self.dx.clone();
        let outputs = self.dims().1;
        let as_batch = |m: &Matrix| {
            let mut b = Matrix::zeros(0, 0);
            batch_from_tokens(m, self.len, outputs, &mut b)
                .ok()
                .map(|()| b)
        };
        t.pre_activation = as_batch(self.dense.pre_activation());
        t.grad_pre_activation = as_batch(self.dense.grad_pre_activation());
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::testing::{check_gradients, random_matrix};
    use crate::tensor::from_rows;
    use proptest::prelude::{prop_assert, prop_assert_eq, proptest};

    #[test]
    fn tokens_round_trip() {
        // Two samples of 3 tokens × 2 features: sample 0 = [(1,2), (3,4), (5,6)], sample 1 = ×10.
        let b = from_rows(&[
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
        ])
        .unwrap();
        let mut t = Matrix::zeros(0, 0);
        tokens_from_batch(&b, 3, 2, &mut t).unwrap();
        assert_eq!(t.shape(), (6, 2));
        // Row n·3 + t: row 1 is sample 0's token 1, row 5 sample 1's token 2.
        assert_eq!((t[(1, 0)], t[(1, 1)]), (3.0, 4.0));
        assert_eq!((t[(5, 0)], t[(5, 1)]), (50.0, 60.0));
        let mut back = Matrix::zeros(0, 0);
        batch_from_tokens(&t, 3, 2, &mut back).unwrap();
        assert_eq!(back, b);
        assert!(tokens_from_batch(&b, 4, 2, &mut t).is_err());
        assert!(batch_from_tokens(&Matrix::zeros(5, 2), 3, 2, &mut back).is_err());
    }

    #[test]
    fn each_token_gets_the_same_map() {
        // W = [[1, 2], [0, −1], [3, 0]], b = [0, 1, −1], linear.
        let w = from_rows(&[vec![1.0, 2.0], vec![0.0, -1.0], vec![3.0, 0.0]]).unwrap();
        let dense = Dense::from_parts(w, vec![0.0, 1.0, -1.0], Activation::Linear).unwrap();
        let mut layer = TokenDense::from_dense(2, dense).unwrap();
        let x = from_rows(&[vec![1.0, 1.0, 2.0, -1.0]]).unwrap();
        layer.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Token (1, 1): [1 + 2, −1 + 1, 3 − 1] = [3, 0, 2];
        // token (2, −1): [2 − 2, 1 + 1, 6 − 1] = [0, 2, 5].
        assert_eq!(
            layer.output().as_slice(),
            &[3.0, 0.0, 2.0, 0.0, 2.0, 5.0] // one sample: storage equals the row
        );
        assert_eq!(layer.output_shape(), Shape::Sequence { len: 2, dim: 3 });
    }

    #[test]
    fn gradients_match_finite_differences() {
        for act in [Activation::Tanh, Activation::Prelu { alpha: 0.3 }] {
            let layer = TokenDense::new(3, 4, 2, act, Init::Glorot, &mut Rng::new(4)).unwrap();
            let x = random_matrix(2, 12, 7);
            let g = random_matrix(2, 6, 8);
            check_gradients(&layer, &x, &g, 1e-2, 2e-3, true);
        }
    }

    #[test]
    fn trace_uses_sequence_layout() {
        let mut layer =
            TokenDense::new(2, 2, 3, Activation::Relu, Init::He, &mut Rng::new(1)).unwrap();
        let x = random_matrix(2, 4, 3);
        layer.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        layer.backward(&x, &random_matrix(2, 6, 4)).unwrap();
        let t = layer.trace();
        assert_eq!(t.kind, "token_dense");
        assert_eq!(t.output.shape(), (2, 6));
        assert_eq!(t.pre_activation.map(|z| z.shape()), Some((2, 6)));
        assert_eq!(t.grad_input.shape(), (2, 4));
    }

    proptest! {
        #[test]
        fn never_panics(
            len in 0usize..4, inputs in 0usize..4, outputs in 0usize..4, batch in 0usize..3,
            off in 0usize..2, special in 0usize..3,
        ) {
            let value = [0.5, f32::NAN, f32::INFINITY][special];
            let made = TokenDense::new(len, inputs, outputs, Activation::Tanh, Init::Glorot,
                &mut Rng::new(0));
            if let Ok(mut layer) = made {
                let x = Matrix::repeat(batch, len * inputs + off, value);
                if layer.forward(&x, Mode::Train, &mut Rng::new(0)).is_ok() {
                    let g = Matrix::repeat(batch, len * outputs, value);
                    prop_assert!(layer.backward(&x, &g).is_ok());
                }
            }
            let b = Matrix::repeat(batch, len * inputs + off, value);
            let mut t = Matrix::zeros(0, 0);
            if tokens_from_batch(&b, len, inputs, &mut t).is_ok() {
                let mut back = Matrix::zeros(0, 0);
                if batch_from_tokens(&t, len, inputs, &mut back).is_ok() {
                    prop_assert_eq!(back.shape(), b.shape());
                }
            }
        }
    }
}
