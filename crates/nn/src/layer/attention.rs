//! Scaled dot-product attention, alone (given `Q`, `K`, `V`) and as a multi-head self-attention
//! layer over sequences, with every intermediate the page shows kept readable: per sample and
//! head the scores `Q_h K_hᵀ/√d_k`, the masked scores, the attention weights; per sample the
//! projected `Q`, `K`, `V` and the concatenated head outputs.

use nalgebra::{DMatrixView, DMatrixViewMut};

use crate::activation::{Activation, softmax, softmax_backward};
use crate::error::{EngineError, Result};
use crate::layer::conv_geometry::checked_size;
use crate::layer::token_dense::{batch_from_tokens, tokens_from_batch};
use crate::layer::{Dense, Init, Mode, Module, Param};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, check_finite, ensure_shape};

/// Which query may look at which key: `allowed[i][j]` lets query `i` attend to key `j`.
/// A disallowed score becomes `−∞` before the softmax, so its weight is exactly 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionMask {
    queries: usize,
    keys: usize,
    /// Row-major: query `i`, key `j` at `i·keys + j`.
    allowed: Vec<bool>,
}

impl AttentionMask {
    /// Every query may attend to every key.
    pub fn full(queries: usize, keys: usize) -> Self {
        Self {
            queries,
            keys,
            allowed: vec![true; queries * keys],
        }
    }

    /// The causal mask of a sequence of `len` tokens: query `i` sees keys `j ≤ i` only.
    pub fn causal(len: usize) -> Self {
        let mut allowed = vec![false; len * len];
        for i in 0..len {
            for j in 0..=i {
                allowed[i * len + j] = true;
            }
        }
        Self {
            queries: len,
            keys: len,
            allowed,
        }
    }

    /// A mask from rows of flags (`rows[i][j]`: may query `i` attend to key `j`).
    pub fn from_rows(rows: &[Vec<bool>]) -> Result<Self> {
        let keys = rows.first().map_or(0, Vec::len);
        if let Some(bad) = rows.iter().position(|r| r.len() != keys) {
            return Err(EngineError::Invalid(format!(
                "attention mask row {bad} has {} entries, but row 0 has {keys}",
                rows.get(bad).map_or(0, Vec::len)
            )));
        }
        Ok(Self {
            queries: rows.len(),
            keys,
            allowed: rows.concat(),
        })
    }

    /// The number of queries (rows).
    pub fn queries(&self) -> usize {
        self.queries
    }

    /// The number of keys (columns).
    pub fn keys(&self) -> usize {
        self.keys
    }

    /// Whether query `query` may attend to key `key` (false outside the mask).
    pub fn is_allowed(&self, query: usize, key: usize) -> bool {
        query < self.queries && key < self.keys && self.allowed[query * self.keys + key]
    }

    /// The flags as rows.
    pub fn to_rows(&self) -> Vec<Vec<bool>> {
        self.allowed
            .chunks(self.keys.max(1))
            .take(self.queries)
            .map(<[bool]>::to_vec)
            .collect()
    }

    /// Checks the mask is `queries × keys` and lets every query see at least one key (a query
    /// that sees none would have no softmax to take).
    fn check(&self, queries: usize, keys: usize) -> Result<()> {
        if (self.queries, self.keys) != (queries, keys) {
            return Err(EngineError::shape(
                "attention mask",
                (queries, keys),
                (self.queries, self.keys),
            ));
        }
        if let Some(i) = (0..queries).find(|&i| (0..keys).all(|j| !self.is_allowed(i, j))) {
            return Err(EngineError::Invalid(format!(
                "attention mask row {i} allows no key: that query would attend to nothing"
            )));
        }
        Ok(())
    }
}

/// What one head computed for one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadPass {
    /// `S = Q_h K_hᵀ / √d_k`, `(queries, keys)`.
    pub scores: Matrix,
    /// `S` with disallowed entries set to `−∞`.
    pub masked_scores: Matrix,
    /// `A = softmax(masked S)` along each row (over keys).
    pub weights: Matrix,
}

impl HeadPass {
    fn empty() -> Self {
        Self {
            scores: Matrix::zeros(0, 0),
            masked_scores: Matrix::zeros(0, 0),
            weights: Matrix::zeros(0, 0),
        }
    }
}

/// Reused buffers of the per-head computations.
#[derive(Debug, Clone)]
struct Scratch {
    k_t: Matrix,
    v_t: Matrix,
    grad_weights: Matrix,
    grad_scores: Matrix,
    row: Vec<f32>,
    row_out: Vec<f32>,
    row_grad: Vec<f32>,
}

impl Scratch {
    fn new() -> Self {
        Self {
            k_t: Matrix::zeros(0, 0),
            v_t: Matrix::zeros(0, 0),
            grad_weights: Matrix::zeros(0, 0),
            grad_scores: Matrix::zeros(0, 0),
            row: Vec::new(),
            row_out: Vec::new(),
            row_grad: Vec::new(),
        }
    }
}

/// One head: scores, mask, row softmax (overflow-safe), and `out = A V`.
fn head_forward(
    q: &DMatrixView<'_, f32>,
    k: &DMatrixView<'_, f32>,
    v: &DMatrixView<'_, f32>,
    mask: &AttentionMask,
    pass: &mut HeadPass,
    out: &mut DMatrixViewMut<'_, f32>,
    s: &mut Scratch,
) {
    let (queries, dk) = q.shape();
    let keys = k.nrows();
    let scale = 1.0 / (dk as f32).sqrt();
    ensure_shape(&mut s.k_t, dk, keys);
    k.transpose_to(&mut s.k_t);
    ensure_shape(&mut pass.scores, queries, keys);
    pass.scores.gemm(scale, q, &s.k_t, 0.0);
    ensure_shape(&mut pass.masked_scores, queries, keys);
    ensure_shape(&mut pass.weights, queries, keys);
    s.row.resize(keys, 0.0);
    s.row_out.resize(keys, 0.0);
    for i in 0..queries {
        for j in 0..keys {
            let score = if mask.is_allowed(i, j) {
                pass.scores[(i, j)]
            } else {
                f32::NEG_INFINITY
            };
            pass.masked_scores[(i, j)] = score;
            s.row[j] = score;
        }
        softmax(&s.row, &mut s.row_out);
        for j in 0..keys {
            pass.weights[(i, j)] = s.row_out[j];
        }
    }
    out.gemm(1.0, &pass.weights, v, 0.0);
}

/// The gradients flowing into one head's `Q`, `K`, `V` from `dL/dout`.
struct HeadGrads<'a> {
    dq: DMatrixViewMut<'a, f32>,
    dk: DMatrixViewMut<'a, f32>,
    dv: DMatrixViewMut<'a, f32>,
}

/// One head backward: `dA = dO Vᵀ`, `dV = Aᵀ dO`, `dS = softmax'(dA)` row by row,
/// `dQ = dS K / √d_k`, `dK = dSᵀ Q / √d_k`. Disallowed entries have `A = 0`, hence `dS = 0`.
fn head_backward(
    q: &DMatrixView<'_, f32>,
    k: &DMatrixView<'_, f32>,
    v: &DMatrixView<'_, f32>,
    weights: &Matrix,
    grad_out: &DMatrixView<'_, f32>,
    grads: &mut HeadGrads<'_>,
    s: &mut Scratch,
) {
    let (queries, dk) = q.shape();
    let keys = k.nrows();
    let scale = 1.0 / (dk as f32).sqrt();
    ensure_shape(&mut s.v_t, v.ncols(), keys);
    v.transpose_to(&mut s.v_t);
    ensure_shape(&mut s.grad_weights, queries, keys);
    s.grad_weights.gemm(1.0, grad_out, &s.v_t, 0.0);
    grads.dv.gemm_tr(1.0, weights, grad_out, 0.0);
    ensure_shape(&mut s.grad_scores, queries, keys);
    s.row.resize(keys, 0.0);
    s.row_grad.resize(keys, 0.0);
    s.row_out.resize(keys, 0.0);
    for i in 0..queries {
        for j in 0..keys {
            s.row[j] = weights[(i, j)];
            s.row_grad[j] = s.grad_weights[(i, j)];
        }
        softmax_backward(&s.row, &s.row_grad, &mut s.row_out);
        for j in 0..keys {
            s.grad_scores[(i, j)] = s.row_out[j];
        }
    }
    grads.dq.gemm(scale, &s.grad_scores, k, 0.0);
    grads.dk.gemm_tr(scale, &s.grad_scores, q, 0.0);
}

/// The result of [`scaled_dot_product_attention`].
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionResult {
    /// `S = Q Kᵀ / √d_k`, `(queries, keys)`.
    pub scores: Matrix,
    /// `S` with disallowed entries set to `−∞`.
    pub masked_scores: Matrix,
    /// `A = softmax(masked S)` over keys, each row summing to 1.
    pub weights: Matrix,
    /// `A V`, `(queries, d_v)`.
    pub output: Matrix,
}

/// The gradients of [`scaled_dot_product_attention_backward`].
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionGradients {
    /// `dL/dQ`, `(queries, d_k)`.
    pub dq: Matrix,
    /// `dL/dK`, `(keys, d_k)`.
    pub dk: Matrix,
    /// `dL/dV`, `(keys, d_v)`.
    pub dv: Matrix,
}

/// Checks the shapes and values of `Q (queries × d_k)`, `K (keys × d_k)`, `V (keys × d_v)`.
fn check_qkv(q: &Matrix, k: &Matrix, v: &Matrix) -> Result<()> {
    for (what, m) in [("queries Q", q), ("keys K", k), ("values V", v)] {
        if m.is_empty() {
            return Err(EngineError::Empty {
                what: what.to_owned(),
            });
        }
        check_finite(what, m)?;
    }
    if k.ncols() != q.ncols() {
        return Err(EngineError::shape(
            "keys K (same width as Q)",
            (k.nrows(), q.ncols()),
            k.shape(),
        ));
    }
    if v.nrows() != k.nrows() {
        return Err(EngineError::shape(
            "values V (one per key)",
            (k.nrows(), v.ncols()),
            v.shape(),
        ));
    }
    checked_size("the score matrix", &[q.nrows(), k.nrows()])?;
    Ok(())
}

/// Scaled dot-product attention of queries `Q` on keys `K` and values `V`:
/// `A = softmax(mask(Q Kᵀ/√d_k))` over keys, `out = A V`, where `mask` sets disallowed scores to
/// `−∞` (`None`: all allowed).
///
/// # Shapes
/// `Q`: `(queries, d_k)`, `K`: `(keys, d_k)`, `V`: `(keys, d_v)`, mask `(queries, keys)`.
///
/// Errors on empty or non-finite inputs, mismatched shapes, or a mask row that allows no key.
pub fn scaled_dot_product_attention(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    mask: Option<&AttentionMask>,
) -> Result<AttentionResult> {
    check_qkv(q, k, v)?;
    let full;
    let mask = match mask {
        Some(m) => m,
        None => {
            full = AttentionMask::full(q.nrows(), k.nrows());
            &full
        }
    };
    mask.check(q.nrows(), k.nrows())?;
    let mut pass = HeadPass::empty();
    let mut output = Matrix::zeros(q.nrows(), v.ncols());
    head_forward(
        &q.view((0, 0), q.shape()),
        &k.view((0, 0), k.shape()),
        &v.view((0, 0), v.shape()),
        mask,
        &mut pass,
        &mut output.view_mut((0, 0), (q.nrows(), v.ncols())),
        &mut Scratch::new(),
    );
    Ok(AttentionResult {
        scores: pass.scores,
        masked_scores: pass.masked_scores,
        weights: pass.weights,
        output,
    })
}

/// The gradients of `L` with respect to `Q`, `K`, `V` given `weights` (the `A` of the forward
/// pass) and `grad_output = dL/dout`:
/// `dV = Aᵀ dO`, `dA = dO Vᵀ`, `dS_ij = A_ij (dA_ij − Σ_l A_il dA_il)`, `dQ = dS K/√d_k`,
/// `dK = dSᵀ Q/√d_k`. Masked entries (`A = 0`) pass no gradient.
pub fn scaled_dot_product_attention_backward(
    q: &Matrix,
    k: &Matrix,
    v: &Matrix,
    weights: &Matrix,
    grad_output: &Matrix,
) -> Result<AttentionGradients> {
    check_qkv(q, k, v)?;
    let (queries, keys) = (q.nrows(), k.nrows());
    if weights.shape() != (queries, keys) {
        return Err(EngineError::shape(
            "attention weights",
            (queries, keys),
            weights.shape(),
        ));
    }
    if grad_output.shape() != (queries, v.ncols()) {
        return Err(EngineError::shape(
            "attention output gradient",
            (queries, v.ncols()),
            grad_output.shape(),
        ));
    }
    let mut dq = Matrix::zeros(queries, q.ncols());
    let mut dk = Matrix::zeros(keys, k.ncols());
    let mut dv = Matrix::zeros(keys, v.ncols());
    let mut grads = HeadGrads {
        dq: dq.view_mut((0, 0), (queries, q.ncols())),
        dk: dk.view_mut((0, 0), (keys, k.ncols())),
        dv: dv.view_mut((0, 0), (keys, v.ncols())),
    };
    head_backward(
        &q.view((0, 0), q.shape()),
        &k.view((0, 0), k.shape()),
        &v.view((0, 0), v.shape()),
        weights,
        &grad_output.view((0, 0), grad_output.shape()),
        &mut grads,
        &mut Scratch::new(),
    );
    Ok(AttentionGradients { dq, dk, dv })
}

/// One of the four learned maps of multi-head attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    /// `Q = X W_qᵀ + b_q`.
    Query,
    /// `K = X W_kᵀ + b_k`.
    Key,
    /// `V = X W_vᵀ + b_v`.
    Value,
    /// `output = concat W_oᵀ + b_o`.
    Output,
}

/// The parameters of a multi-head attention layer, each weight `(d_model, d_model)` in the
/// `(out, in)` convention of [`Dense`], each bias `(d_model)`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionWeights {
    /// Query weights `W_q`.
    pub wq: Matrix,
    /// Query bias `b_q`.
    pub bq: Vec<f32>,
    /// Key weights `W_k`.
    pub wk: Matrix,
    /// Key bias `b_k`.
    pub bk: Vec<f32>,
    /// Value weights `W_v`.
    pub wv: Matrix,
    /// Value bias `b_v`.
    pub bv: Vec<f32>,
    /// Output weights `W_o`.
    pub wo: Matrix,
    /// Output bias `b_o`.
    pub bo: Vec<f32>,
}

/// Multi-head self-attention over a sequence: for each sample `X` (`len × d_model`),
/// `Q = X W_qᵀ + b_q`, `K = X W_kᵀ + b_k`, `V = X W_vᵀ + b_v`; head `h` takes its own block of
/// `d_k = d_model / heads` columns, `A_h = softmax(mask(Q_h K_hᵀ / √d_k))` over keys,
/// `O_h = A_h V_h`; `concat = [O_1 … O_H]` and `Y = concat W_oᵀ + b_o`.
///
/// The mask is all-allowed, causal (key `j > i` hidden from query `i`) or any `len × len` mask
/// set with [`MultiHeadAttention::set_mask`]. Non-finite inputs propagate as NaN.
///
/// # Shapes
/// - `W_q, W_k, W_v, W_o`: `(d_model, d_model)` (out, in); biases `(d_model)`.
/// - Input and output `(batch, len·d_model)`: `Shape::Sequence { len, dim: d_model }`.
///
/// # Gradients
/// `dconcat = dY W_o`; per head `dV_h = A_hᵀ dO_h`, `dA_h = dO_h V_hᵀ`, `dS = A ⊙ (dA − rowsum(A ⊙
/// dA))`, `dQ_h = dS K_h/√d_k`, `dK_h = dSᵀ Q_h/√d_k`; then each projection as a dense layer:
/// `dW_q = dQᵀ X`, `db_q = Σ dQ`, and `dX = dQ W_q + dK W_k + dV W_v`.
#[derive(Debug, Clone)]
pub struct MultiHeadAttention {
    len: usize,
    heads: usize,
    mask: AttentionMask,
    q: Dense,
    k: Dense,
    v: Dense,
    o: Dense,
    /// The input as a token matrix `(batch·len, d_model)`, row `n·len + t`.
    x_tokens: Matrix,
    /// Per sample `n` and head `h`, at `n·heads + h`.
    passes: Vec<HeadPass>,
    concat: Matrix,
    out: Matrix,
    g_tokens: Matrix,
    dq: Matrix,
    dk: Matrix,
    dv: Matrix,
    dx_tokens: Matrix,
    dx: Matrix,
    scratch: Scratch,
}

impl MultiHeadAttention {
    /// A layer for sequences of `len` tokens of `d_model` features split into `num_heads` heads,
    /// causal or not, its four projections drawn by `init` from `rng` in the order query, key,
    /// value, output, each as [`Dense::new`] draws (`[in][out]`, weights before biases).
    pub fn new(
        len: usize,
        d_model: usize,
        num_heads: usize,
        causal: bool,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self> {
        Self::check_sizes(len, d_model, num_heads)?;
        let mut dense = || Dense::new(d_model, d_model, Activation::Linear, init, rng);
        let (q, k, v, o) = (dense()?, dense()?, dense()?, dense()?);
        Self::assemble(len, num_heads, causal, [q, k, v, o])
    }

    /// A layer with the given parameters (all `(d_model, d_model)` weights and `(d_model)`
    /// biases) for sequences of `len` tokens and `num_heads` heads.
    pub fn from_weights(
        len: usize,
        num_heads: usize,
        weights: AttentionWeights,
        causal: bool,
    ) -> Result<Self> {
        let d_model = weights.wq.nrows();
        Self::check_sizes(len, d_model, num_heads)?;
        let AttentionWeights {
            wq,
            bq,
            wk,
            bk,
            wv,
            bv,
            wo,
            bo,
        } = weights;
        let mut maps = Vec::with_capacity(4);
        for (name, w, b) in [
            ("W_q", wq, bq),
            ("W_k", wk, bk),
            ("W_v", wv, bv),
            ("W_o", wo, bo),
        ] {
            if w.shape() != (d_model, d_model) || b.len() != d_model {
                return Err(EngineError::ShapeMismatch {
                    what: format!("attention parameter {name} and its bias"),
                    expected: format!("{d_model}×{d_model} and {d_model}"),
                    got: format!("{}×{} and {}", w.nrows(), w.ncols(), b.len()),
                });
            }
            maps.push(Dense::from_parts(w, b, Activation::Linear)?);
        }
        let [q, k, v, o]: [Dense; 4] = maps
            .try_into()
            .map_err(|_| EngineError::Invalid("four projections expected".to_owned()))?;
        Self::assemble(len, num_heads, causal, [q, k, v, o])
    }

    fn check_sizes(len: usize, d_model: usize, num_heads: usize) -> Result<()> {
        if len == 0 || d_model == 0 {
            return Err(EngineError::Invalid(format!(
                "attention needs at least one token and one feature, got length {len} and \
                 d_model {d_model}"
            )));
        }
        if num_heads == 0 || !d_model.is_multiple_of(num_heads) {
            return Err(EngineError::hyper(
                "number of heads",
                num_heads,
                &format!("it must be at least 1 and divide d_model = {d_model}"),
            ));
        }
        checked_size("one sequence", &[len, d_model])?;
        checked_size("the weights", &[d_model, d_model])?;
        checked_size("the score matrices of one sample", &[num_heads, len, len])?;
        Ok(())
    }

    fn assemble(len: usize, heads: usize, causal: bool, maps: [Dense; 4]) -> Result<Self> {
        let [q, k, v, o] = maps;
        let mask = if causal {
            AttentionMask::causal(len)
        } else {
            AttentionMask::full(len, len)
        };
        Ok(Self {
            len,
            heads,
            mask,
            q,
            k,
            v,
            o,
            x_tokens: Matrix::zeros(0, 0),
            passes: Vec::new(),
            concat: Matrix::zeros(0, 0),
            out: Matrix::zeros(0, 0),
            g_tokens: Matrix::zeros(0, 0),
            dq: Matrix::zeros(0, 0),
            dk: Matrix::zeros(0, 0),
            dv: Matrix::zeros(0, 0),
            dx_tokens: Matrix::zeros(0, 0),
            dx: Matrix::zeros(0, 0),
            scratch: Scratch::new(),
        })
    }

    /// Tokens per sequence.
    pub fn seq_len(&self) -> usize {
        self.len
    }

    /// Features per token.
    pub fn d_model(&self) -> usize {
        self.q.weights().nrows()
    }

    /// The number of heads.
    pub fn num_heads(&self) -> usize {
        self.heads
    }

    /// Columns per head, `d_k = d_model / heads`.
    pub fn head_dim(&self) -> usize {
        self.d_model() / self.heads
    }

    /// The mask in use (`len × len`).
    pub fn mask(&self) -> &AttentionMask {
        &self.mask
    }

    /// Whether the mask is the causal one.
    pub fn is_causal(&self) -> bool {
        self.mask == AttentionMask::causal(self.len)
    }

    /// Replaces the mask; it must be `len × len` and let every query see at least one key.
    pub fn set_mask(&mut self, mask: AttentionMask) -> Result<()> {
        mask.check(self.len, self.len)?;
        self.mask = mask;
        Ok(())
    }

    /// One of the four projections (weights, biases, their gradients, and its output and input
    /// gradient as token matrices, row `n·len + t`).
    pub fn projection(&self, which: Projection) -> &Dense {
        match which {
            Projection::Query => &self.q,
            Projection::Key => &self.k,
            Projection::Value => &self.v,
            Projection::Output => &self.o,
        }
    }

    /// One of the four projections, for editing its weights.
    pub fn projection_mut(&mut self, which: Projection) -> &mut Dense {
        match which {
            Projection::Query => &mut self.q,
            Projection::Key => &mut self.k,
            Projection::Value => &mut self.v,
            Projection::Output => &mut self.o,
        }
    }

    /// The batch size of the last forward pass.
    pub fn batch_size(&self) -> usize {
        self.x_tokens.nrows() / self.len
    }

    /// Scores, masked scores and weights of `head` for `sample` in the last forward pass.
    pub fn head_pass(&self, sample: usize, head: usize) -> Option<&HeadPass> {
        if head >= self.heads {
            return None;
        }
        self.passes.get(sample * self.heads + head)
    }

    /// Rows `sample·len …` of a token matrix, if the sample was in the last batch.
    fn sample_rows<'a>(&self, m: &'a Matrix, sample: usize) -> Option<DMatrixView<'a, f32>> {
        let start = sample.checked_mul(self.len)?;
        (start + self.len <= m.nrows()).then(|| m.view((start, 0), (self.len, m.ncols())))
    }

    /// `Q` of `sample` (`len × d_model`; head `h` is columns `h·d_k …`).
    pub fn queries(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(self.q.output(), sample)
    }

    /// `K` of `sample`.
    pub fn keys(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(self.k.output(), sample)
    }

    /// `V` of `sample`.
    pub fn values(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(self.v.output(), sample)
    }

    /// The concatenated head outputs `[O_1 … O_H]` of `sample`, before `W_o`.
    pub fn concat_heads(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(&self.concat, sample)
    }

    /// `dL/dQ` of `sample` from the last backward pass.
    pub fn grad_queries(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(&self.dq, sample)
    }

    /// `dL/dK` of `sample`.
    pub fn grad_keys(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(&self.dk, sample)
    }

    /// `dL/dV` of `sample`.
    pub fn grad_values(&self, sample: usize) -> Option<DMatrixView<'_, f32>> {
        self.sample_rows(&self.dv, sample)
    }
}

impl Module for MultiHeadAttention {
    fn kind(&self) -> &'static str {
        "attention"
    }

    fn input_shape(&self) -> Shape {
        Shape::Sequence {
            len: self.len,
            dim: self.d_model(),
        }
    }

    fn output_shape(&self) -> Shape {
        self.input_shape()
    }

    fn forward(&mut self, input: &Matrix, mode: Mode, rng: &mut Rng) -> Result<()> {
        let (len, d, heads, dh) = (self.len, self.d_model(), self.heads, self.head_dim());
        check_cols("attention input", input, len * d)?;
        let batch = input.nrows();
        if batch == 0 {
            return Err(EngineError::Empty {
                what: "attention input".to_owned(),
            });
        }
        checked_size("the batch's score matrices", &[batch, heads, len, len])?;
        tokens_from_batch(input, len, d, &mut self.x_tokens)?;
        self.q.forward(&self.x_tokens, mode, rng)?;
        self.k.forward(&self.x_tokens, mode, rng)?;
        self.v.forward(&self.x_tokens, mode, rng)?;
        self.passes.resize_with(batch * heads, HeadPass::empty);
        ensure_shape(&mut self.concat, batch * len, d);
        let (q, k, v) = (self.q.output(), self.k.output(), self.v.output());
        for n in 0..batch {
            for h in 0..heads {
                let at = (n * len, h * dh);
                head_forward(
                    &q.view(at, (len, dh)),
                    &k.view(at, (len, dh)),
                    &v.view(at, (len, dh)),
                    &self.mask,
                    &mut self.passes[n * heads + h],
                    &mut self.concat.view_mut(at, (len, dh)),
                    &mut self.scratch,
                );
            }
        }
        self.o.forward(&self.concat, mode, rng)?;
        batch_from_tokens(self.o.output(), len, d, &mut self.out)
    }

    fn output(&self) -> &Matrix {
        &self.out
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        let (len, d, heads, dh) = (self.len, self.d_model(), self.heads, self.head_dim());
        check_cols("attention input", input, len * d)?;
        let batch = input.nrows();
        if grad_output.shape() != self.out.shape() || batch != self.out.nrows() || batch == 0 {
            return Err(EngineError::shape(
                "attention output gradient (run forward on this batch first)",
                (batch, len * d),
                grad_output.shape(),
            ));
        }
        tokens_from_batch(grad_output, len, d, &mut self.g_tokens)?;
        self.o.backward(&self.concat, &self.g_tokens)?;
        for m in [&mut self.dq, &mut self.dk, &mut self.dv] {
            ensure_shape(m, batch * len, d);
        }
        let (q, k, v) = (self.q.output(), self.k.output(), self.v.output());
        let d_concat = self.o.grad_input();
        for n in 0..batch {
            for h in 0..heads {
                let at = (n * len, h * dh);
                let mut grads = HeadGrads {
                    dq: self.dq.view_mut(at, (len, dh)),
                    dk: self.dk.view_mut(at, (len, dh)),
                    dv: self.dv.view_mut(at, (len, dh)),
                };
                head_backward(
                    &q.view(at, (len, dh)),
                    &k.view(at, (len, dh)),
                    &v.view(at, (len, dh)),
                    &self.passes[n * heads + h].weights,
                    &d_concat.view(at, (len, dh)),
                    &mut grads,
                    &mut self.scratch,
                );
            }
        }
        self.q.backward(&self.x_tokens, &self.dq)?;
        self.k.backward(&self.x_tokens, &self.dk)?;
        self.v.backward(&self.x_tokens, &self.dv)?;
        ensure_shape(&mut self.dx_tokens, batch * len, d);
        self.dx_tokens.copy_from(self.q.grad_input());
        self.dx_tokens += self.k.grad_input();
        self.dx_tokens += self.v.grad_input();
        batch_from_tokens(&self.dx_tokens, len, d, &mut self.dx)
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        let maps = [
            (&mut self.q, "Wq", "bq"),
            (&mut self.k, "Wk", "bk"),
            (&mut self.v, "Wv", "bv"),
            (&mut self.o, "Wo", "bo"),
        ];
        for (map, w, b) in maps {
            map.visit_params(&mut |p| {
                let name = if p.name == "W" { w } else { b };
                f(Param { name, ..p });
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::testing::{check_gradients, random_matrix};
    use crate::tensor::from_rows;
    use proptest::prelude::{prop_assert, proptest};

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn plain_attention_by_hand() {
        let q = from_rows(&[vec![1.0, 0.0]]).unwrap();
        let k = from_rows(&[vec![1.0, 0.0], vec![0.0, 1.0]]).unwrap();
        let v = from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        let r = scaled_dot_product_attention(&q, &k, &v, None).unwrap();
        // Scores [1, 0]/√2 = [0.707107, 0]; weights [1, e^−0.707107]/(1 + e^−0.707107)
        // = [0.669762, 0.330238]; output 0.669762·(1, 2) + 0.330238·(3, 4) = (1.660477, 2.660477).
        assert!(close(r.scores[(0, 0)], std::f32::consts::FRAC_1_SQRT_2));
        assert!(close(r.weights[(0, 0)], 0.669_762) && close(r.weights[(0, 1)], 0.330_238));
        assert!(close(r.output[(0, 0)], 1.660_477) && close(r.output[(0, 1)], 2.660_477));
    }

    #[test]
    fn masked_scores_are_minus_infinity_and_get_no_weight() {
        let q = from_rows(&[vec![1.0, 0.0], vec![0.0, 1.0]]).unwrap();
        let v = from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        let causal = AttentionMask::causal(2);
        let r = scaled_dot_product_attention(&q, &q, &v, Some(&causal)).unwrap();
        // Query 0 sees only key 0: weight exactly 1, output exactly V[0].
        assert_eq!(r.masked_scores[(0, 1)], f32::NEG_INFINITY);
        assert_eq!(r.scores[(0, 1)], 0.0);
        assert_eq!((r.weights[(0, 0)], r.weights[(0, 1)]), (1.0, 0.0));
        assert_eq!((r.output[(0, 0)], r.output[(0, 1)]), (1.0, 2.0));
        let none = AttentionMask::from_rows(&[vec![true, true], vec![false, false]]).unwrap();
        let err = scaled_dot_product_attention(&q, &q, &v, Some(&none)).unwrap_err();
        assert!(err.to_string().contains("row 1"), "{err}");
        assert!(scaled_dot_product_attention(&q, &q, &v, Some(&AttentionMask::causal(3))).is_err());
    }

    #[test]
    fn huge_scores_give_exact_weights() {
        // Scores ±1000·√2/√2 = ±1000: the softmax is exactly one-hot, no overflow.
        let s = 1000.0 * std::f32::consts::SQRT_2;
        let q = from_rows(&[vec![s, 0.0]]).unwrap();
        let k = from_rows(&[vec![1.0, 0.0], vec![-1.0, 0.0]]).unwrap();
        let v = from_rows(&[vec![5.0], vec![7.0]]).unwrap();
        let r = scaled_dot_product_attention(&q, &k, &v, None).unwrap();
        assert_eq!((r.weights[(0, 0)], r.weights[(0, 1)]), (1.0, 0.0));
        assert_eq!(r.output[(0, 0)], 5.0);
    }

    #[test]
    fn bad_plain_inputs_are_errors() {
        let m = Matrix::repeat(2, 2, 1.0);
        let empty = Matrix::zeros(0, 2);
        assert!(scaled_dot_product_attention(&empty, &m, &m, None).is_err());
        assert!(scaled_dot_product_attention(&m, &Matrix::zeros(2, 3), &m, None).is_err());
        assert!(scaled_dot_product_attention(&m, &m, &Matrix::zeros(3, 2), None).is_err());
        let nan = Matrix::repeat(2, 2, f32::NAN);
        assert!(scaled_dot_product_attention(&m, &m, &nan, None).is_err());
        assert!(
            scaled_dot_product_attention_backward(&m, &m, &m, &Matrix::zeros(2, 3), &m).is_err()
        );
        assert!(AttentionMask::from_rows(&[vec![true], vec![true, false]]).is_err());
    }

    #[test]
    fn plain_gradients_match_finite_differences() {
        // Three queries, four keys, d_k 2, d_v 3, an arbitrary mask.
        let q = random_matrix(3, 2, 1);
        let k = random_matrix(4, 2, 2);
        let v = random_matrix(4, 3, 3);
        let g = random_matrix(3, 3, 4);
        let mask = AttentionMask::from_rows(&[
            vec![true, false, true, true],
            vec![false, true, false, false],
            vec![true, true, true, true],
        ])
        .unwrap();
        let loss = |q: &Matrix, k: &Matrix, v: &Matrix| -> f64 {
            let r = scaled_dot_product_attention(q, k, v, Some(&mask)).unwrap();
            r.output
                .iter()
                .zip(g.iter())
                .map(|(&a, &b)| f64::from(a) * f64::from(b))
                .sum()
        };
        let r = scaled_dot_product_attention(&q, &k, &v, Some(&mask)).unwrap();
        let grads = scaled_dot_product_attention_backward(&q, &k, &v, &r.weights, &g).unwrap();
        let h = 1e-2;
        for (which, analytic) in [(0, &grads.dq), (1, &grads.dk), (2, &grads.dv)] {
            for i in 0..analytic.len() {
                let bump = |d: f32| {
                    let mut m = [q.clone(), k.clone(), v.clone()];
                    m[which].as_mut_slice()[i] += d;
                    loss(&m[0], &m[1], &m[2])
                };
                let num = (bump(h) - bump(-h)) / (2.0 * f64::from(h));
                let a = f64::from(analytic.as_slice()[i]);
                assert!((a - num).abs() < 2e-3, "input {which} [{i}]: {a} vs {num}");
            }
        }
        // Query 1 sees key 1 only: its weight is 1 whatever the score, so no gradient reaches
        // Q[1] (dS row 1 = 1·(dA − dA) = 0).
        assert_eq!(r.weights[(1, 1)], 1.0);
        assert!(grads.dq.row(1).iter().all(|&v| v == 0.0));
    }

    fn identity_layer(causal: bool) -> MultiHeadAttention {
        let eye = Matrix::identity(2, 2);
        let weights = AttentionWeights {
            wq: eye.clone(),
            bq: vec![0.0; 2],
            wk: eye.clone(),
            bk: vec![0.0; 2],
            wv: eye.clone(),
            bv: vec![0.0; 2],
            wo: eye,
            bo: vec![0.0; 2],
        };
        MultiHeadAttention::from_weights(2, 1, weights, causal).unwrap()
    }

    #[test]
    fn layer_by_hand_with_a_causal_mask() {
        let mut layer = identity_layer(true);
        // Tokens x0 = (1, 0), x1 = (0, 1); all projections are the identity.
        let x = from_rows(&[vec![1.0, 0.0, 0.0, 1.0]]).unwrap();
        layer.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        let y = layer.output();
        // Token 0 sees only itself: output x0 = (1, 0).
        assert_eq!((y[(0, 0)], y[(0, 1)]), (1.0, 0.0));
        // Token 1: scores [x1·x0, x1·x1]/√2 = [0, 0.707107], weights [0.330238, 0.669762],
        // output 0.330238·(1, 0) + 0.669762·(0, 1).
        assert!(close(y[(0, 2)], 0.330_238) && close(y[(0, 3)], 0.669_762));
        let pass = layer.head_pass(0, 0).unwrap();
        assert_eq!(pass.masked_scores[(0, 1)], f32::NEG_INFINITY);
        assert!(layer.is_causal());
        assert_eq!(layer.concat_heads(0).unwrap()[(1, 1)], y[(0, 3)]);
        assert!(layer.head_pass(1, 0).is_none() && layer.queries(1).is_none());
    }

    #[test]
    fn each_head_is_plain_attention_on_its_columns() {
        let mut layer =
            MultiHeadAttention::new(3, 4, 2, true, Init::Glorot, &mut Rng::new(5)).unwrap();
        let x = random_matrix(2, 12, 6);
        layer.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        for n in 0..2 {
            for h in 0..2 {
                let cols = |m: DMatrixView<'_, f32>| m.columns(h * 2, 2).into_owned();
                let q = cols(layer.queries(n).unwrap());
                let k = cols(layer.keys(n).unwrap());
                let v = cols(layer.values(n).unwrap());
                let r = scaled_dot_product_attention(&q, &k, &v, Some(layer.mask())).unwrap();
                let pass = layer.head_pass(n, h).unwrap();
                assert_eq!(r.weights, pass.weights);
                assert_eq!(r.output, cols(layer.concat_heads(n).unwrap()));
            }
        }
        // A sample run alone gives the same output as within the batch.
        let mut alone = layer.clone();
        let first = x.rows(0, 1).into_owned();
        alone
            .forward(&first, Mode::Train, &mut Rng::new(0))
            .unwrap();
        for c in 0..12 {
            assert!(close(alone.output()[(0, c)], layer.output()[(0, c)]));
        }
    }

    #[test]
    fn layer_gradients_match_finite_differences() {
        // Two heads, a causal mask, two samples of three tokens, non-zero biases.
        let mut layer =
            MultiHeadAttention::new(3, 4, 2, true, Init::Glorot, &mut Rng::new(8)).unwrap();
        let mut rng = Rng::new(9);
        layer.visit_params(&mut |p| {
            if p.name.starts_with('b') {
                p.value.iter_mut().for_each(|b| *b = rng.range(-0.5, 0.5));
            }
        });
        let x = random_matrix(2, 12, 10);
        let g = random_matrix(2, 12, 11);
        check_gradients(&layer, &x, &g, 1e-2, 2e-3, true);
        // And without a mask, one head, a batch of one.
        let layer = MultiHeadAttention::new(2, 3, 1, false, Init::Glorot, &mut rng).unwrap();
        check_gradients(
            &layer,
            &random_matrix(1, 6, 12),
            &random_matrix(1, 6, 13),
            1e-2,
            2e-3,
            true,
        );
    }

    #[test]
    fn params_are_named_and_ordered() {
        let mut layer = identity_layer(false);
        let mut names = Vec::new();
        layer.visit_params(&mut |p| names.push(p.name));
        assert_eq!(names, ["Wq", "bq", "Wk", "bk", "Wv", "bv", "Wo", "bo"]);
        assert_eq!(layer.param_count(), 4 * (4 + 2));
    }

    #[test]
    fn bad_layers_and_masks_are_errors() {
        let mut rng = Rng::new(0);
        assert!(MultiHeadAttention::new(3, 4, 3, false, Init::Glorot, &mut rng).is_err());
        assert!(MultiHeadAttention::new(0, 4, 2, false, Init::Glorot, &mut rng).is_err());
        assert!(MultiHeadAttention::new(3, 4, 0, false, Init::Glorot, &mut rng).is_err());
        let mut layer = identity_layer(false);
        assert!(layer.set_mask(AttentionMask::causal(3)).is_err());
        let blind = AttentionMask::from_rows(&[vec![false, false], vec![true, true]]).unwrap();
        assert!(layer.set_mask(blind).is_err());
        let anti = AttentionMask::from_rows(&[vec![false, true], vec![true, false]]).unwrap();
        layer.set_mask(anti).unwrap();
        assert!(!layer.is_causal());
        assert!(
            layer
                .forward(&Matrix::zeros(0, 4), Mode::Eval, &mut rng)
                .is_err()
        );
        assert!(
            layer
                .forward(&Matrix::zeros(1, 3), Mode::Eval, &mut rng)
                .is_err()
        );
        assert!(
            layer
                .backward(&Matrix::zeros(1, 4), &Matrix::zeros(1, 4))
                .is_err()
        );
        let mut bad = AttentionWeights {
            wq: Matrix::identity(2, 2),
            bq: vec![0.0; 2],
            wk: Matrix::identity(2, 2),
            bk: vec![0.0; 2],
            wv: Matrix::identity(2, 2),
            bv: vec![0.0; 2],
            wo: Matrix::identity(2, 3),
            bo: vec![0.0; 2],
        };
        assert!(MultiHeadAttention::from_weights(2, 1, bad.clone(), false).is_err());
        bad.wo = Matrix::identity(2, 2);
        bad.bv = vec![0.0];
        assert!(MultiHeadAttention::from_weights(2, 1, bad, false).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(
            len in 0usize..4, d in 0usize..5, heads in 0usize..3, batch in 0usize..3,
            causal in proptest::bool::ANY, special in 0usize..4, off in 0usize..2,
        ) {
            let value = [0.5, f32::NAN, f32::INFINITY, 1000.0][special];
            let made = MultiHeadAttention::new(len, d, heads, causal, Init::Glorot,
                &mut Rng::new(1));
            if let Ok(mut layer) = made {
                let x = Matrix::repeat(batch, len * d + off, value);
                if layer.forward(&x, Mode::Train, &mut Rng::new(0)).is_ok() {
                    prop_assert!(layer.backward(&x, &x).is_ok());
                }
            }
            let m = Matrix::repeat(len, d, value);
            let v = Matrix::repeat(len, heads, value);
            if let Ok(r) = scaled_dot_product_attention(&m, &m, &v, None) {
                let _ = scaled_dot_product_attention_backward(&m, &m, &v, &r.weights, &r.output);
            }
        }
    }
}
