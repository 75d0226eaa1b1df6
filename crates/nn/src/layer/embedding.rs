//! Token embeddings (a learnable vector per vocabulary entry) and learned position embeddings (a
//! learnable vector per position, added to each token): together, a transformer's input.

use crate::error::{EngineError, Result};
use crate::layer::conv_geometry::checked_size;
use crate::layer::conv2d::check_init;
use crate::layer::{Init, Mode, Module, Param, ParamKind};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// Reads a token id stored as `f32`: it must be a whole number from 0 to `vocab − 1`.
fn token_id(value: f32, vocab: usize, sample: usize, position: usize) -> Result<usize> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && (value as usize) < vocab {
        Ok(value as usize)
    } else {
        Err(EngineError::Invalid(format!(
            "token id {value} (sample {sample}, position {position}) is not a whole number \
             from 0 to {}",
            vocab.saturating_sub(1)
        )))
    }
}

/// Draws a `(rows, dim)` table row by row (`[rows][dim]`, TensorFlow's layout) with
/// `fan_in = rows`, `fan_out = dim`.
fn draw_table(rows: usize, dim: usize, init: Init, rng: &mut Rng) -> Result<Matrix> {
    check_init(init)?;
    checked_size("the embedding table", &[rows, dim])?;
    let mut table = Matrix::zeros(rows, dim);
    for r in 0..rows {
        for c in 0..dim {
            table[(r, c)] = init.draw(rng, rows, dim);
        }
    }
    Ok(table)
}

/// A token embedding: token `t` becomes row `t` of a learnable table, `y_{n,p} = E[x_{n,p}]`.
///
/// Token ids arrive as `f32` values; each must be a whole number in `0..vocab`, otherwise the
/// forward pass returns an error naming the first bad id.
///
/// # Shapes
/// - Table `E`: `(vocab, dim)`.
/// - Input `(batch, len)` of token ids (`Shape::Sequence { len, dim: 1 }`); output
///   `(batch, len·dim)`, each token's `dim` features contiguous (`Shape::Sequence { len, dim }`).
///
/// # Gradients
/// `dL/dE[v] = Σ_{(n,p): x_{n,p} = v} dL/dy_{n,p}`: a token used twice collects both gradients,
/// unused rows get 0. Ids are not differentiable: `dL/dx` is all zeros.
#[derive(Debug, Clone)]
pub struct Embedding {
    len: usize,
    table: Matrix,
    grad_table: Matrix,
    /// The ids of the last forward pass, position-major (`p·batch + n`).
    ids: Vec<usize>,
    out: Matrix,
    dx: Matrix,
}

impl Embedding {
    /// An embedding of `vocab` tokens into `dim` features for sequences of `len` tokens, its table
    /// drawn by `init` from `rng` row by row with `fan_in = vocab`, `fan_out = dim` (use
    /// `Init::Uniform { limit: 0.05 }` for Keras's default).
    pub fn new(vocab: usize, len: usize, dim: usize, init: Init, rng: &mut Rng) -> Result<Self> {
        Self::from_table(len, draw_table(vocab, dim, init, rng)?)
    }

    /// An embedding with the given `(vocab, dim)` table for sequences of `len` tokens.
    pub fn from_table(len: usize, table: Matrix) -> Result<Self> {
        if len == 0 || table.is_empty() {
            return Err(EngineError::Invalid(format!(
                "an embedding needs at least one position, one token and one feature, got \
                 length {len} and a {}×{} table",
                table.nrows(),
                table.ncols()
            )));
        }
        checked_size("one embedded sequence", &[len, table.ncols()])?;
        let (vocab, dim) = table.shape();
        Ok(Self {
            len,
            grad_table: Matrix::zeros(vocab, dim),
            table,
            ids: Vec::new(),
            out: Matrix::zeros(0, len * dim),
            dx: Matrix::zeros(0, len),
        })
    }

    /// The table `E`, `(vocab, dim)`: row `t` is token `t`'s vector.
    pub fn table(&self) -> &Matrix {
        &self.table
    }

    /// The table, for editing.
    pub fn table_mut(&mut self) -> &mut Matrix {
        &mut self.table
    }

    /// `dL/dE` from the last backward pass, `(vocab, dim)`.
    pub fn grad_table(&self) -> &Matrix {
        &self.grad_table
    }

    /// The vocabulary size.
    pub fn vocab(&self) -> usize {
        self.table.nrows()
    }

    /// Features per token.
    pub fn dim(&self) -> usize {
        self.table.ncols()
    }
}

impl Module for Embedding {
    fn kind(&self) -> &'static str {
        "embedding"
    }

    fn input_shape(&self) -> Shape {
        Shape::Sequence {
            len: self.len,
            dim: 1,
        }
    }

    fn output_shape(&self) -> Shape {
        Shape::Sequence {
            len: self.len,
            dim: self.dim(),
        }
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("embedding input (token ids)", input, self.len)?;
        let batch = input.nrows();
        if batch == 0 {
            return Err(EngineError::Empty {
                what: "embedding input".to_owned(),
            });
        }
        let vocab = self.vocab();
        self.ids.clear();
        for (k, &v) in input.as_slice().iter().enumerate() {
            self.ids.push(token_id(v, vocab, k % batch, k / batch)?);
        }
        let dim = self.dim();
        ensure_shape(&mut self.out, batch, self.len * dim);
        let (ys, es) = (self.out.as_mut_slice(), self.table.as_slice());
        for (k, &id) in self.ids.iter().enumerate() {
            let (p, n) = (k / batch, k % batch);
            for c in 0..dim {
                ys[(p * dim + c) * batch + n] = es[c * vocab + id];
            }
        }
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.out
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        check_cols("embedding input (token ids)", input, self.len)?;
        let batch = input.nrows();
        if grad_output.shape() != self.out.shape() || batch != self.out.nrows() || batch == 0 {
            return Err(EngineError::shape(
                "embedding output gradient (run forward on this batch first)",
                (batch, self.len * self.dim()),
                grad_output.shape(),
            ));
        }
        let (vocab, dim) = (self.vocab(), self.dim());
        self.grad_table.fill(0.0);
        let (gs, ds) = (grad_output.as_slice(), self.grad_table.as_mut_slice());
        for (k, &id) in self.ids.iter().enumerate() {
            let (p, n) = (k / batch, k % batch);
            for c in 0..dim {
                ds[c * vocab + id] += gs[(p * dim + c) * batch + n];
            }
        }
        ensure_shape(&mut self.dx, batch, self.len);
        self.dx.fill(0.0);
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        f(Param {
            name: "E",
            kind: ParamKind::Weight,
            value: self.table.as_mut_slice(),
            grad: self.grad_table.as_slice(),
        });
    }
}

/// A learned position embedding: position `p` adds row `p` of a learnable table to its token,
/// `y_{n,p} = x_{n,p} + P[p]`.
///
/// The table has `max_len ≥ len` rows so a model can be built for the longest sequence it will
/// see; rows from `len` on are unused by this layer (their gradient is 0).
///
/// # Shapes
/// - Table `P`: `(max_len, dim)`.
/// - Input and output `(batch, len·dim)`: `Shape::Sequence { len, dim }`.
///
/// # Gradients
/// `dL/dx = dL/dy`; `dL/dP[p] = Σ_n dL/dy_{n,p}` for `p < len`.
#[derive(Debug, Clone)]
pub struct PositionEmbedding {
    len: usize,
    table: Matrix,
    grad_table: Matrix,
    out: Matrix,
    dx: Matrix,
}

impl PositionEmbedding {
    /// Positions for sequences of `len` tokens of `dim` features, from a table of `max_len` rows
    /// drawn by `init` from `rng` row by row (`fan_in = max_len`, `fan_out = dim`).
    pub fn new(len: usize, max_len: usize, dim: usize, init: Init, rng: &mut Rng) -> Result<Self> {
        Self::from_table(len, draw_table(max_len, dim, init, rng)?)
    }

    /// Positions for sequences of `len` tokens from the given `(max_len, dim)` table.
    pub fn from_table(len: usize, table: Matrix) -> Result<Self> {
        if len == 0 || table.ncols() == 0 || len > table.nrows() {
            return Err(EngineError::Invalid(format!(
                "a position embedding for {len} positions needs a table of at least {len} rows \
                 and one feature, got {}×{}",
                table.nrows(),
                table.ncols()
            )));
        }
        checked_size("one sequence", &[len, table.ncols()])?;
        let (rows, dim) = table.shape();
        Ok(Self {
            len,
            grad_table: Matrix::zeros(rows, dim),
            table,
            out: Matrix::zeros(0, len * dim),
            dx: Matrix::zeros(0, len * dim),
        })
    }

    /// The table `P`, `(max_len, dim)`: row `p` is position `p`'s vector.
    pub fn table(&self) -> &Matrix {
        &self.table
    }

    /// The table, for editing.
    pub fn table_mut(&mut self) -> &mut Matrix {
        &mut self.table
    }

    /// `dL/dP` from the last backward pass, `(max_len, dim)`.
    pub fn grad_table(&self) -> &Matrix {
        &self.grad_table
    }

    /// Features per token.
    pub fn dim(&self) -> usize {
        self.table.ncols()
    }
}

impl Module for PositionEmbedding {
    fn kind(&self) -> &'static str {
        "position_embedding"
    }

    fn input_shape(&self) -> Shape {
        Shape::Sequence {
            len: self.len,
            dim: self.dim(),
        }
    }

    fn output_shape(&self) -> Shape {
        self.input_shape()
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        let dim = self.dim();
        check_cols("position embedding input", input, self.len * dim)?;
        let batch = input.nrows();
        if batch == 0 {
            return Err(EngineError::Empty {
                what: "position embedding input".to_owned(),
            });
        }
        ensure_shape(&mut self.out, batch, self.len * dim);
        let rows = self.table.nrows();
        let (ps, xs) = (self.table.as_slice(), input.as_slice());
        let columns = self.out.as_mut_slice().chunks_exact_mut(batch);
        for ((column, y), x) in columns.enumerate().zip(xs.chunks_exact(batch)) {
            let add = ps[(column % dim) * rows + column / dim];
            for (y, &x) in y.iter_mut().zip(x) {
                *y = x + add;
            }
        }
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.out
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        let dim = self.dim();
        check_cols("position embedding input", input, self.len * dim)?;
        if grad_output.shape() != input.shape() || input.nrows() == 0 {
            return Err(EngineError::shape(
                "position embedding output gradient",
                input.shape(),
                grad_output.shape(),
            ));
        }
        let rows = self.table.nrows();
        self.grad_table.fill(0.0);
        let ds = self.grad_table.as_mut_slice();
        for (column, g) in grad_output
            .as_slice()
            .chunks_exact(input.nrows())
            .enumerate()
        {
            ds[(column % dim) * rows + column / dim] = g.iter().sum();
        }
        ensure_shape(&mut self.dx, input.nrows(), input.ncols());
        self.dx.copy_from(grad_output);
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        f(Param {
            name: "P",
            kind: ParamKind::Weight,
            value: self.table.as_mut_slice(),
            grad: self.grad_table.as_slice(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::testing::{check_gradients, random_matrix};
    use crate::tensor::from_rows;
    use proptest::prelude::{prop_assert, proptest};

    fn table() -> Matrix {
        // Token 0 → (1, 2), token 1 → (3, 4), token 2 → (5, 6).
        from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]).unwrap()
    }

    #[test]
    fn lookup_by_hand() {
        let mut e = Embedding::from_table(3, table()).unwrap();
        let ids = from_rows(&[vec![2.0, 0.0, 2.0], vec![1.0, 1.0, 0.0]]).unwrap();
        e.forward(&ids, Mode::Train, &mut Rng::new(0)).unwrap();
        // Sample 0 = tokens 2, 0, 2 → (5, 6, 1, 2, 5, 6); sample 1 = 1, 1, 0 → (3, 4, 3, 4, 1, 2).
        let rows: Vec<Vec<f32>> = crate::tensor::to_rows(e.output());
        assert_eq!(rows[0], vec![5.0, 6.0, 1.0, 2.0, 5.0, 6.0]);
        assert_eq!(rows[1], vec![3.0, 4.0, 3.0, 4.0, 1.0, 2.0]);
        assert_eq!(e.output_shape(), Shape::Sequence { len: 3, dim: 2 });
    }

    #[test]
    fn backward_accumulates_repeated_tokens() {
        let mut e = Embedding::from_table(3, table()).unwrap();
        let ids = from_rows(&[vec![2.0, 0.0, 2.0]]).unwrap();
        e.forward(&ids, Mode::Train, &mut Rng::new(0)).unwrap();
        let g = from_rows(&[vec![1.0, 10.0, 100.0, 1000.0, 0.5, 0.25]]).unwrap();
        e.backward(&ids, &g).unwrap();
        // Token 2 appears at positions 0 and 2: (1 + 0.5, 10 + 0.25); token 0 at position 1;
        // token 1 is unused.
        assert_eq!(
            crate::tensor::to_rows(e.grad_table()),
            vec![vec![100.0, 1000.0], vec![0.0, 0.0], vec![1.5, 10.25]]
        );
        assert!(e.grad_input().iter().all(|&v| v == 0.0));
    }

    #[test]
    fn bad_ids_are_errors() {
        let mut e = Embedding::from_table(2, table()).unwrap();
        let mut rng = Rng::new(0);
        for bad in [3.0, -1.0, 0.5, f32::NAN, f32::INFINITY] {
            let ids = from_rows(&[vec![0.0, bad]]).unwrap();
            let err = e.forward(&ids, Mode::Eval, &mut rng).unwrap_err();
            assert!(err.to_string().contains("position 1"), "{err}");
        }
        assert!(
            e.forward(&Matrix::zeros(0, 2), Mode::Eval, &mut rng)
                .is_err()
        );
        assert!(
            e.forward(&Matrix::zeros(1, 3), Mode::Eval, &mut rng)
                .is_err()
        );
        assert!(Embedding::from_table(0, table()).is_err());
        assert!(Embedding::new(0, 2, 2, Init::Glorot, &mut rng).is_err());
    }

    #[test]
    fn tables_are_drawn_row_by_row() {
        let e = Embedding::new(4, 2, 3, Init::Glorot, &mut Rng::new(7)).unwrap();
        let mut rng = Rng::new(7);
        // Glorot limit √(6 / (4 + 3)); the second draw is E[0][1].
        let limit = (6.0f64 / 7.0).sqrt();
        let first = ((2.0 * rng.next_f64() - 1.0) * limit) as f32;
        let second = ((2.0 * rng.next_f64() - 1.0) * limit) as f32;
        assert_eq!((e.table()[(0, 0)], e.table()[(0, 1)]), (first, second));
    }

    #[test]
    fn embedding_gradient_matches_finite_differences() {
        let e = Embedding::new(5, 4, 3, Init::Uniform { limit: 0.5 }, &mut Rng::new(2)).unwrap();
        let ids = from_rows(&[vec![4.0, 1.0, 1.0, 0.0], vec![2.0, 4.0, 3.0, 1.0]]).unwrap();
        let g = random_matrix(2, 12, 3);
        check_gradients(&e, &ids, &g, 1e-2, 2e-3, false);
    }

    #[test]
    fn positions_add_by_hand() {
        // Table rows: position 0 → (1, 2), 1 → (3, 4), 2 → (5, 6); only 2 positions used.
        let mut p = PositionEmbedding::from_table(2, table()).unwrap();
        let x = from_rows(&[vec![0.0, 0.0, 10.0, 10.0], vec![1.0, 1.0, 1.0, 1.0]]).unwrap();
        p.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert_eq!(
            crate::tensor::to_rows(p.output()),
            vec![vec![1.0, 2.0, 13.0, 14.0], vec![2.0, 3.0, 4.0, 5.0]]
        );
        let g = from_rows(&[vec![1.0, 2.0, 3.0, 4.0], vec![1.0, 1.0, 1.0, 1.0]]).unwrap();
        p.backward(&x, &g).unwrap();
        // dL/dP[p] sums the batch: row 0 (2, 3), row 1 (4, 5), row 2 unused.
        assert_eq!(
            crate::tensor::to_rows(p.grad_table()),
            vec![vec![2.0, 3.0], vec![4.0, 5.0], vec![0.0, 0.0]]
        );
        assert_eq!(p.grad_input(), &g);
        assert!(PositionEmbedding::from_table(4, table()).is_err());
    }

    #[test]
    fn position_gradients_match_finite_differences() {
        let p = PositionEmbedding::new(3, 5, 2, Init::Glorot, &mut Rng::new(3)).unwrap();
        let x = random_matrix(2, 6, 5);
        let g = random_matrix(2, 6, 6);
        check_gradients(&p, &x, &g, 1e-2, 2e-3, true);
    }

    proptest! {
        #[test]
        fn never_panics(
            vocab in 0usize..4, len in 0usize..4, dim in 0usize..3, batch in 0usize..3,
            id in -2.0f32..5.0, special in 0usize..3, max_len in 0usize..5,
        ) {
            let id = [id, id.round(), f32::NAN][special];
            if let Ok(mut e) = Embedding::new(vocab, len, dim, Init::Glorot, &mut Rng::new(0)) {
                let ids = Matrix::repeat(batch, len, id);
                if e.forward(&ids, Mode::Train, &mut Rng::new(0)).is_ok() {
                    let g = Matrix::repeat(batch, len * dim, 1.0);
                    prop_assert!(e.backward(&ids, &g).is_ok());
                }
            }
            if let Ok(mut p) = PositionEmbedding::new(len, max_len, dim, Init::He,
                &mut Rng::new(0)) {
                let x = Matrix::repeat(batch, len * dim, id);
                if p.forward(&x, Mode::Train, &mut Rng::new(0)).is_ok() {
                    prop_assert!(p.backward(&x, &x).is_ok());
                }
            }
        }
    }
}
