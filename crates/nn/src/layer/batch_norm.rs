//! Batch normalization: each feature is standardised with statistics of the batch in training
//! and with running averages of those statistics in evaluation, then scaled and shifted by
//! learnable `γ` and `β`.

use crate::error::{EngineError, Result, check_range};
use crate::layer::{Mode, Module, Param, ParamKind};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, check_finite, ensure_shape};

/// The default `ε` added to the variance before the square root.
pub const DEFAULT_EPS: f32 = 1e-5;

/// The default momentum, the weight of the new batch in the running statistics.
pub const DEFAULT_MOMENTUM: f32 = 0.1;

/// Which running variance evaluation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunningVariance {
    /// Averages of the unbiased batch variance `Σ(x − μ)² / (N − 1)`, as PyTorch does (default).
    Unbiased,
    /// Averages of the biased batch variance `Σ(x − μ)² / N`, as Keras and Flax do.
    Biased,
}

/// Batch normalization over features.
///
/// A "feature" is a column of a flat input, a channel of an image (its statistics taken over
/// batch × height × width) or one of a token's `dim` features in a sequence (over batch × len).
/// With `N` values of a feature in the batch:
///
/// - Training: `μ = Σx / N`, `σ² = Σ(x − μ)² / N` (biased), `x̂ = (x − μ) / √(σ² + ε)`,
///   `y = γ x̂ + β`. The running statistics then move towards the batch's:
///   `running_mean ← (1 − m) running_mean + m μ` and
///   `running_var ← (1 − m) running_var + m σ²_u` with the unbiased `σ²_u = Σ(x − μ)² / (N − 1)`
///   (PyTorch's rule). A running variance fed with the biased `σ²` (Keras's rule) is kept too,
///   and [`RunningVariance`] chooses which one evaluation uses.
/// - Evaluation: `x̂ = (x − running_mean) / √(running_var + ε)`, `y = γ x̂ + β`; nothing updates.
///
/// A feature with a single value in the batch (a batch of one flat sample) has `x̂ = 0`, so
/// `y = β` and `dL/dx = 0`. Its unbiased variance `0 / 0` is undefined; this layer **falls
/// back** rather than rejecting the batch: the unbiased running variance is left unchanged
/// (one value says nothing about spread), while the running mean and the biased running
/// variance (`σ² = 0`) update as usual. [`BatchNorm::batch_var_unbiased`] is then `None`.
///
/// Defaults: `ε = 1e-5`, `m = 0.1`, `γ = 1`, `β = 0`, running mean 0, running variance 1.
///
/// A training batch that is empty or holds NaN or an infinity is refused (it would spoil the
/// running statistics for good) and changes nothing; in evaluation such values simply pass
/// through to the output.
///
/// # Shapes
/// - Input and output: `(batch, n)` with `n = shape.size()`.
/// - `γ`, `β`, batch and running statistics: `(features)`, where features is `n` for
///   `Flat(n)`, `channels` for an image and `dim` for a sequence.
///
/// # Gradients
/// Training, per feature with `g = dL/dy`: `dL/dβ = Σ g`, `dL/dγ = Σ g x̂`,
/// `dL/dx = γ / (N √(σ² + ε)) · (N g − Σ g − x̂ Σ g x̂)`.
/// Evaluation: `dL/dx = γ g / √(running_var + ε)`, the same `dL/dγ` and `dL/dβ`.
#[derive(Debug, Clone)]
pub struct BatchNorm {
    shape: Shape,
    features: usize,
    eps: f32,
    momentum: f32,
    use_variance: RunningVariance,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    dgamma: Vec<f32>,
    dbeta: Vec<f32>,
    running_mean: Vec<f32>,
    running_var_unbiased: Vec<f32>,
    running_var_biased: Vec<f32>,
    mode: Mode,
    batch_mean: Vec<f32>,
    batch_var: Vec<f32>,
    batch_var_unbiased: Vec<f32>,
    has_unbiased: bool,
    inv_std: Vec<f32>,
    sum_g: Vec<f64>,
    sum_g_xhat: Vec<f64>,
    x_hat: Matrix,
    y: Matrix,
    dx: Matrix,
}

impl BatchNorm {
    /// Batch normalization for samples of `shape`, with the defaults above.
    pub fn new(shape: Shape) -> Result<Self> {
        let features = match shape {
            Shape::Flat(n) => n,
            Shape::Image { channels, .. } => channels,
            Shape::Sequence { dim, .. } => dim,
        };
        if features == 0 || shape.size() == 0 {
            return Err(EngineError::Invalid(format!(
                "batch normalization needs at least one feature, got samples of shape {shape}"
            )));
        }
        let n = shape.size();
        Ok(Self {
            shape,
            features,
            eps: DEFAULT_EPS,
            momentum: DEFAULT_MOMENTUM,
            use_variance: RunningVariance::Unbiased,
            gamma: vec![1.0; features],
            beta: vec![0.0; features],
            dgamma: vec![0.0; features],
            dbeta: vec![0.0; features],
            running_mean: vec![0.0; features],
            running_var_unbiased: vec![1.0; features],
            running_var_biased: vec![1.0; features],
            mode: Mode::Eval,
            batch_mean: vec![0.0; features],
            batch_var: vec![0.0; features],
            batch_var_unbiased: vec![0.0; features],
            has_unbiased: false,
            inv_std: vec![0.0; features],
            sum_g: vec![0.0; features],
            sum_g_xhat: vec![0.0; features],
            x_hat: Matrix::zeros(0, n),
            y: Matrix::zeros(0, n),
            dx: Matrix::zeros(0, n),
        })
    }

    /// The number of normalised features (the length of `γ`, `β` and the statistics).
    pub fn features(&self) -> usize {
        self.features
    }

    /// Which feature column `col` of a sample row belongs to.
    fn feature_of(&self, col: usize) -> usize {
        match self.shape {
            Shape::Flat(_) => col,
            Shape::Image { height, width, .. } => col / (height * width).max(1),
            Shape::Sequence { dim, .. } => col % dim.max(1),
        }
    }

    /// `ε`, added to the variance before the square root.
    pub fn eps(&self) -> f32 {
        self.eps
    }

    /// Sets `ε` (finite and positive).
    pub fn set_eps(&mut self, eps: f32) -> Result<()> {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(EngineError::hyper(
                "batch-norm ε",
                eps,
                "it must be a positive number",
            ));
        }
        self.eps = eps;
        Ok(())
    }

    /// The momentum `m`, the weight of the new batch in the running statistics.
    pub fn momentum(&self) -> f32 {
        self.momentum
    }

    /// Sets the momentum (from 0 to 1).
    pub fn set_momentum(&mut self, momentum: f32) -> Result<()> {
        self.momentum = check_range("batch-norm momentum", momentum, 0.0, 1.0)?;
        Ok(())
    }

    /// Which running variance evaluation uses.
    pub fn running_variance_rule(&self) -> RunningVariance {
        self.use_variance
    }

    /// Chooses which running variance evaluation uses.
    pub fn set_running_variance_rule(&mut self, rule: RunningVariance) {
        self.use_variance = rule;
    }

    /// The scale `γ`, one per feature.
    pub fn gamma(&self) -> &[f32] {
        &self.gamma
    }

    /// The shift `β`, one per feature.
    pub fn beta(&self) -> &[f32] {
        &self.beta
    }

    /// Sets `γ` (one finite value per feature).
    pub fn set_gamma(&mut self, gamma: &[f32]) -> Result<()> {
        Self::copy_checked("batch-norm γ", gamma, &mut self.gamma)
    }

    /// Sets `β` (one finite value per feature).
    pub fn set_beta(&mut self, beta: &[f32]) -> Result<()> {
        Self::copy_checked("batch-norm β", beta, &mut self.beta)
    }

    /// Sets both running statistics (the biased and unbiased running variances alike). The
    /// variances must be non-negative.
    pub fn set_running_stats(&mut self, mean: &[f32], var: &[f32]) -> Result<()> {
        if var.iter().any(|&v| v < 0.0) {
            return Err(EngineError::Invalid(
                "a batch-norm running variance cannot be negative".to_owned(),
            ));
        }
        let mut m = self.running_mean.clone();
        Self::copy_checked("batch-norm running mean", mean, &mut m)?;
        Self::copy_checked(
            "batch-norm running variance",
            var,
            &mut self.running_var_unbiased,
        )?;
        self.running_var_biased
            .copy_from_slice(&self.running_var_unbiased);
        self.running_mean = m;
        Ok(())
    }

    fn copy_checked(what: &str, from: &[f32], to: &mut [f32]) -> Result<()> {
        if from.len() != to.len() {
            return Err(EngineError::shape(what, (1, to.len()), (1, from.len())));
        }
        if from.iter().any(|v| !v.is_finite()) {
            return Err(EngineError::NonFinite {
                what: what.to_owned(),
            });
        }
        to.copy_from_slice(from);
        Ok(())
    }

    /// The running mean.
    pub fn running_mean(&self) -> &[f32] {
        &self.running_mean
    }

    /// The running variance evaluation uses (per [`BatchNorm::running_variance_rule`]).
    pub fn running_var(&self) -> &[f32] {
        match self.use_variance {
            RunningVariance::Unbiased => &self.running_var_unbiased,
            RunningVariance::Biased => &self.running_var_biased,
        }
    }

    /// The running variance fed with unbiased batch variances (PyTorch's).
    pub fn running_var_unbiased(&self) -> &[f32] {
        &self.running_var_unbiased
    }

    /// The running variance fed with biased batch variances (Keras's).
    pub fn running_var_biased(&self) -> &[f32] {
        &self.running_var_biased
    }

    /// The mode of the last forward pass.
    pub fn last_mode(&self) -> Mode {
        self.mode
    }

    /// The batch mean `μ` of the last training pass.
    pub fn batch_mean(&self) -> &[f32] {
        &self.batch_mean
    }

    /// The biased batch variance `σ²` of the last training pass (the one that normalises).
    pub fn batch_var(&self) -> &[f32] {
        &self.batch_var
    }

    /// The unbiased batch variance of the last training pass, `None` when a feature had a
    /// single value in the batch (it is `0 / 0` then).
    pub fn batch_var_unbiased(&self) -> Option<&[f32]> {
        self.has_unbiased
            .then_some(self.batch_var_unbiased.as_slice())
    }

    /// `1 / √(σ² + ε)` of the last pass, from the batch in training and the running variance in
    /// evaluation.
    pub fn inv_std(&self) -> &[f32] {
        &self.inv_std
    }

    /// The normalised input `x̂` of the last pass, `(batch, n)`.
    pub fn x_hat(&self) -> &Matrix {
        &self.x_hat
    }

    /// `dL/dγ` from the last backward pass.
    pub fn grad_gamma(&self) -> &[f32] {
        &self.dgamma
    }

    /// `dL/dβ` from the last backward pass.
    pub fn grad_beta(&self) -> &[f32] {
        &self.dbeta
    }

    /// Computes the batch statistics and updates the running ones.
    fn batch_statistics(&mut self, input: &Matrix) -> Result<()> {
        let (rows, cols) = input.shape();
        let per_feature = rows * (cols / self.features);
        if per_feature == 0 {
            return Err(EngineError::Empty {
                what: "batch-norm training batch".to_owned(),
            });
        }
        check_finite("batch-norm input", input)?;
        let count = per_feature as f64;
        let mut sums = std::mem::take(&mut self.sum_g);
        sums.fill(0.0);
        for (c, col) in input.column_iter().enumerate() {
            let f = self.feature_of(c);
            sums[f] += col.iter().map(|&v| f64::from(v)).sum::<f64>();
        }
        let means: &[f64] = &sums;
        let mut squares = std::mem::take(&mut self.sum_g_xhat);
        squares.fill(0.0);
        for (c, col) in input.column_iter().enumerate() {
            let f = self.feature_of(c);
            let mu = means[f] / count;
            squares[f] += col
                .iter()
                .map(|&v| (f64::from(v) - mu).powi(2))
                .sum::<f64>();
        }
        let m = f64::from(self.momentum);
        self.has_unbiased = per_feature > 1;
        for f in 0..self.features {
            let mean = means[f] / count;
            let var = squares[f] / count;
            self.batch_mean[f] = mean as f32;
            self.batch_var[f] = var as f32;
            self.inv_std[f] = (1.0 / (var + f64::from(self.eps)).sqrt()) as f32;
            self.running_mean[f] = ((1.0 - m) * f64::from(self.running_mean[f]) + m * mean) as f32;
            self.running_var_biased[f] =
                ((1.0 - m) * f64::from(self.running_var_biased[f]) + m * var) as f32;
            if self.has_unbiased {
                let unbiased = squares[f] / (count - 1.0);
                self.batch_var_unbiased[f] = unbiased as f32;
                self.running_var_unbiased[f] =
                    ((1.0 - m) * f64::from(self.running_var_unbiased[f]) + m * unbiased) as f32;
            } else {
                self.batch_var_unbiased[f] = f32::NAN;
            }
        }
        self.sum_g = sums;
        self.sum_g_xhat = squares;
        Ok(())
    }
}

impl Module for BatchNorm {
    fn kind(&self) -> &'static str {
        "batch_norm"
    }

    fn input_shape(&self) -> Shape {
        self.shape
    }

    fn output_shape(&self) -> Shape {
        self.shape
    }

    fn forward(&mut self, input: &Matrix, mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("batch-norm input", input, self.shape.size())?;
        match mode {
            Mode::Train => self.batch_statistics(input)?,
            Mode::Eval => {
                let var = match self.use_variance {
                    RunningVariance::Unbiased => &self.running_var_unbiased,
                    RunningVariance::Biased => &self.running_var_biased,
                };
                for (s, &v) in self.inv_std.iter_mut().zip(var) {
                    *s = 1.0 / (v + self.eps).sqrt();
                }
            }
        }
        self.mode = mode;
        let (rows, cols) = input.shape();
        ensure_shape(&mut self.x_hat, rows, cols);
        ensure_shape(&mut self.y, rows, cols);
        let mean = match mode {
            Mode::Train => &self.batch_mean,
            Mode::Eval => &self.running_mean,
        };
        for c in 0..cols {
            let f = self.feature_of(c);
            let (mu, s, g, b) = (mean[f], self.inv_std[f], self.gamma[f], self.beta[f]);
            let x_col = input.column(c);
            let mut xh_col = self.x_hat.column_mut(c);
            for (xh, &x) in xh_col.iter_mut().zip(x_col.iter()) {
                *xh = (x - mu) * s;
            }
            for (y, &xh) in self.y.column_mut(c).iter_mut().zip(xh_col.iter()) {
                *y = g * xh + b;
            }
        }
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.y
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        if grad_output.shape() != self.x_hat.shape() || input.shape() != self.x_hat.shape() {
            return Err(EngineError::shape(
                "batch-norm output gradient",
                self.x_hat.shape(),
                grad_output.shape(),
            ));
        }
        let (rows, cols) = grad_output.shape();
        self.sum_g.fill(0.0);
        self.sum_g_xhat.fill(0.0);
        for c in 0..cols {
            let f = self.feature_of(c);
            let g_col = grad_output.column(c);
            let xh_col = self.x_hat.column(c);
            self.sum_g[f] += g_col.iter().map(|&g| f64::from(g)).sum::<f64>();
            self.sum_g_xhat[f] += g_col
                .iter()
                .zip(xh_col.iter())
                .map(|(&g, &xh)| f64::from(g) * f64::from(xh))
                .sum::<f64>();
        }
        for f in 0..self.features {
            self.dbeta[f] = self.sum_g[f] as f32;
            self.dgamma[f] = self.sum_g_xhat[f] as f32;
        }
        ensure_shape(&mut self.dx, rows, cols);
        let count = (rows * (cols / self.features)) as f32;
        for c in 0..cols {
            let f = self.feature_of(c);
            let k = self.gamma[f] * self.inv_std[f];
            let g_col = grad_output.column(c);
            let xh_col = self.x_hat.column(c);
            let dx_col = self.dx.column_mut(c);
            match self.mode {
                Mode::Train => {
                    // dx = γ s / N · (N g − Σg − x̂ Σ g x̂) = γ s · (g − mean(g) − x̂ mean(g x̂)).
                    let mean_g = (self.sum_g[f] / f64::from(count)) as f32;
                    let mean_gx = (self.sum_g_xhat[f] / f64::from(count)) as f32;
                    for ((dx, &g), &xh) in dx_col.into_iter().zip(g_col.iter()).zip(xh_col.iter()) {
                        *dx = k * (g - mean_g - xh * mean_gx);
                    }
                }
                Mode::Eval => {
                    for (dx, &g) in dx_col.into_iter().zip(g_col.iter()) {
                        *dx = k * g;
                    }
                }
            }
        }
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        f(Param {
            name: "gamma",
            kind: ParamKind::Other,
            value: &mut self.gamma,
            grad: &self.dgamma,
        });
        f(Param {
            name: "beta",
            kind: ParamKind::Bias,
            value: &mut self.beta,
            grad: &self.dbeta,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::tensor::from_rows;
    use proptest::prelude::*;

    fn close(a: f32, b: f64, tol: f64, what: &str) {
        assert!((f64::from(a) - b).abs() < tol, "{what}: {a} vs {b}");
    }

    #[test]
    fn training_forward_by_hand() {
        let mut bn = BatchNorm::new(Shape::Flat(2)).unwrap();
        bn.set_gamma(&[2.0, 1.0]).unwrap();
        bn.set_beta(&[0.5, -1.0]).unwrap();
        let x = from_rows(&[vec![1.0, 10.0], vec![3.0, 10.0], vec![5.0, 10.0]]).unwrap();
        bn.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Column 0: μ = 3, σ² = (4 + 0 + 4)/3 = 8/3, unbiased 8/2 = 4.
        // Column 1: constant, μ = 10, σ² = 0, x̂ = 0 so y = β = −1.
        assert_eq!(bn.batch_mean(), &[3.0, 10.0]);
        close(bn.batch_var()[0], 8.0 / 3.0, 1e-6, "σ²");
        assert_eq!(bn.batch_var_unbiased(), Some(&[4.0_f32, 0.0][..]));
        // x̂ = (1 − 3)/√(8/3 + 1e-5), y = 2 x̂ + 0.5.
        let xh0 = -2.0 / (8.0_f64 / 3.0 + 1e-5).sqrt();
        close(bn.x_hat()[(0, 0)], xh0, 1e-6, "x̂");
        close(bn.output()[(0, 0)], 2.0 * xh0 + 0.5, 1e-6, "y");
        close(bn.output()[(1, 0)], 0.5, 1e-6, "y at the mean");
        assert_eq!(bn.output()[(2, 1)], -1.0);
        // Running: mean 0.9·0 + 0.1·3 = 0.3; var (PyTorch) 0.9·1 + 0.1·4 = 1.3; biased
        // 0.9 + 0.1·8/3 = 1.1666…
        close(bn.running_mean()[0], 0.3, 1e-7, "running mean");
        close(bn.running_var()[0], 1.3, 1e-6, "running var");
        close(bn.running_var_biased()[0], 0.9 + 0.8 / 3.0, 1e-6, "biased");
        close(bn.running_var()[1], 0.9, 1e-7, "constant feature");
    }

    #[test]
    fn evaluation_uses_running_statistics() {
        let mut bn = BatchNorm::new(Shape::Flat(1)).unwrap();
        bn.set_running_stats(&[2.0], &[4.0]).unwrap();
        bn.set_gamma(&[3.0]).unwrap();
        bn.set_beta(&[1.0]).unwrap();
        let x = from_rows(&[vec![6.0]]).unwrap();
        bn.forward(&x, Mode::Eval, &mut Rng::new(0)).unwrap();
        // y = 3 (6 − 2)/√(4 + 1e-5) + 1 ≈ 7.
        let s = 1.0 / (4.0_f64 + 1e-5).sqrt();
        close(bn.output()[(0, 0)], 3.0 * 4.0 * s + 1.0, 1e-5, "y");
        assert_eq!(bn.running_mean(), &[2.0]);
        bn.backward(&x, &from_rows(&[vec![0.5]]).unwrap()).unwrap();
        close(bn.grad_input()[(0, 0)], 3.0 * 0.5 * s, 1e-6, "dx");
        close(bn.grad_gamma()[0], 0.5 * 4.0 * s, 1e-6, "dγ");
        assert_eq!(bn.grad_beta(), &[0.5]);
    }

    #[test]
    fn batch_of_one_gives_beta_and_zero_gradient() {
        let mut bn = BatchNorm::new(Shape::Flat(3)).unwrap();
        bn.set_gamma(&[1.5, -2.0, 0.5]).unwrap();
        bn.set_beta(&[0.1, 0.2, 0.3]).unwrap();
        bn.set_running_stats(&[1.0, 1.0, 1.0], &[2.0, 2.0, 2.0])
            .unwrap();
        let x = from_rows(&[vec![7.0, -3.0, 1e3]]).unwrap();
        bn.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert_eq!(bn.output().as_slice(), &[0.1, 0.2, 0.3]);
        assert!(bn.batch_var_unbiased().is_none());
        // Fallback: the unbiased running variance is untouched, the biased one shrinks by 0.9.
        assert_eq!(bn.running_var(), &[2.0, 2.0, 2.0]);
        close(bn.running_var_biased()[0], 1.8, 1e-6, "biased");
        close(bn.running_mean()[0], 0.9 + 0.7, 1e-6, "mean");
        let g = from_rows(&[vec![1.0, -4.0, 2.0]]).unwrap();
        bn.backward(&x, &g).unwrap();
        assert_eq!(bn.grad_input().as_slice(), &[0.0, 0.0, 0.0]);
        assert_eq!(bn.grad_beta(), &[1.0, -4.0, 2.0]);
        assert_eq!(bn.grad_gamma(), &[0.0, 0.0, 0.0]);
    }

    /// Checks dx, dγ and dβ against central differences of L = Σ y ⊙ G in `mode`.
    fn gradient_check(shape: Shape, x: &Matrix, mode: Mode) {
        let features = BatchNorm::new(shape).unwrap().features();
        let g = Matrix::from_fn(x.nrows(), x.ncols(), |r, c| {
            ((r * 7 + c * 3) % 5) as f32 * 0.4 - 0.9
        });
        let mut bn = BatchNorm::new(shape).unwrap();
        let gamma: Vec<f32> = (0..features).map(|f| 0.8 + 0.3 * f as f32).collect();
        let beta: Vec<f32> = (0..features).map(|f| 0.2 - 0.1 * f as f32).collect();
        bn.set_gamma(&gamma).unwrap();
        bn.set_beta(&beta).unwrap();
        let rm: Vec<f32> = (0..features).map(|f| 0.1 * f as f32).collect();
        let rv: Vec<f32> = (0..features).map(|f| 0.5 + 0.2 * f as f32).collect();
        bn.set_running_stats(&rm, &rv).unwrap();
        let fresh = bn.clone();
        let loss = |b: &mut BatchNorm, x: &Matrix| -> f64 {
            b.forward(x, mode, &mut Rng::new(0)).unwrap();
            b.output()
                .iter()
                .zip(g.iter())
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum()
        };
        loss(&mut bn, x);
        bn.backward(x, &g).unwrap();
        let h = 1e-2_f32;
        let hd = 2.0 * f64::from(h);
        for i in 0..x.len() {
            let mut xp = x.clone();
            xp.as_mut_slice()[i] += h;
            let mut xm = x.clone();
            xm.as_mut_slice()[i] -= h;
            let num = (loss(&mut fresh.clone(), &xp) - loss(&mut fresh.clone(), &xm)) / hd;
            close(
                bn.grad_input().as_slice()[i],
                num,
                2e-3,
                &format!("dx[{i}]"),
            );
        }
        for f in 0..features {
            let with = |gm: &[f32], bt: &[f32]| {
                let mut b = fresh.clone();
                b.set_gamma(gm).unwrap();
                b.set_beta(bt).unwrap();
                loss(&mut b, x)
            };
            let (mut gp, mut gm) = (gamma.clone(), gamma.clone());
            gp[f] += h;
            gm[f] -= h;
            let num = (with(&gp, &beta) - with(&gm, &beta)) / hd;
            close(bn.grad_gamma()[f], num, 2e-3, &format!("dγ[{f}]"));
            let (mut bp, mut bm) = (beta.clone(), beta.clone());
            bp[f] += h;
            bm[f] -= h;
            let num = (with(&gamma, &bp) - with(&gamma, &bm)) / hd;
            close(bn.grad_beta()[f], num, 2e-3, &format!("dβ[{f}]"));
        }
    }

    #[test]
    fn flat_gradients_match_finite_differences() {
        let x = from_rows(&[
            vec![0.3, -1.2, 2.0],
            vec![1.1, 0.4, -0.5],
            vec![-0.7, 0.9, 0.1],
            vec![0.2, -0.3, 1.4],
        ])
        .unwrap();
        gradient_check(Shape::Flat(3), &x, Mode::Train);
        gradient_check(Shape::Flat(3), &x, Mode::Eval);
    }

    #[test]
    fn image_gradients_match_finite_differences() {
        let shape = Shape::Image {
            channels: 2,
            height: 2,
            width: 2,
        };
        let x = Matrix::from_fn(2, 8, |r, c| ((r * 5 + c * 3) % 7) as f32 * 0.3 - 0.8);
        gradient_check(shape, &x, Mode::Train);
        gradient_check(shape, &x, Mode::Eval);
        // A single image still has four values per channel, so training works on it.
        gradient_check(shape, &x.rows(0, 1).into_owned(), Mode::Train);
    }

    #[test]
    fn sequence_gradients_match_finite_differences() {
        let shape = Shape::Sequence { len: 3, dim: 2 };
        let x = Matrix::from_fn(2, 6, |r, c| ((r * 4 + c * 5) % 7) as f32 * 0.35 - 1.0);
        gradient_check(shape, &x, Mode::Train);
    }

    #[test]
    fn image_statistics_are_per_channel() {
        let shape = Shape::Image {
            channels: 2,
            height: 1,
            width: 2,
        };
        let mut bn = BatchNorm::new(shape).unwrap();
        // Channel 0 holds columns 0 and 1, channel 1 columns 2 and 3 (NCHW).
        let x = from_rows(&[vec![1.0, 2.0, 10.0, 20.0], vec![3.0, 4.0, 30.0, 40.0]]).unwrap();
        bn.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Channel 0: values 1..4, μ = 2.5, σ² = 1.25, unbiased 5/3.
        // Channel 1: values 10..40, μ = 25, σ² = 125.
        assert_eq!(bn.batch_mean(), &[2.5, 25.0]);
        assert_eq!(bn.batch_var(), &[1.25, 125.0]);
        close(
            bn.batch_var_unbiased().unwrap()[0],
            5.0 / 3.0,
            1e-6,
            "unbiased",
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(BatchNorm::new(Shape::Flat(0)).is_err());
        let mut bn = BatchNorm::new(Shape::Flat(2)).unwrap();
        assert!(bn.set_eps(0.0).is_err());
        assert!(bn.set_momentum(1.5).is_err());
        assert!(bn.set_gamma(&[1.0]).is_err());
        assert!(bn.set_running_stats(&[0.0, 0.0], &[-1.0, 1.0]).is_err());
        let mut rng = Rng::new(0);
        assert!(
            bn.forward(&Matrix::zeros(0, 2), Mode::Train, &mut rng)
                .is_err()
        );
        let nan = from_rows(&[vec![1.0, f32::NAN], vec![2.0, 3.0]]).unwrap();
        assert!(bn.forward(&nan, Mode::Train, &mut rng).is_err());
        // A refused batch leaves the running statistics alone.
        assert_eq!(bn.running_mean(), &[0.0, 0.0]);
        assert!(
            bn.forward(&Matrix::zeros(2, 3), Mode::Train, &mut rng)
                .is_err()
        );
        bn.forward(&Matrix::zeros(2, 2), Mode::Train, &mut rng)
            .unwrap();
        assert!(
            bn.backward(&Matrix::zeros(2, 2), &Matrix::zeros(3, 2))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn never_panics(
            rows in 0usize..4,
            cols in 0usize..7,
            kind in 0usize..3,
            a in 0usize..3,
            b in 0usize..3,
            v in prop_oneof![-1e3f32..1e3, Just(f32::NAN), Just(f32::INFINITY)],
            eps in prop_oneof![-1.0f32..1.0, Just(f32::NAN)],
            momentum in -0.5f32..1.5,
            train in any::<bool>(),
        ) {
            let shape = match kind {
                0 => Shape::Flat(a),
                1 => Shape::Image { channels: a, height: b, width: 2 },
                _ => Shape::Sequence { len: a, dim: b },
            };
            if let Ok(mut bn) = BatchNorm::new(shape) {
                let _ = bn.set_eps(eps);
                let _ = bn.set_momentum(momentum);
                let x = Matrix::from_fn(rows, cols, |r, c| v * (r as f32 - c as f32));
                let mode = if train { Mode::Train } else { Mode::Eval };
                let _ = bn.forward(&x, mode, &mut Rng::new(0));
                let _ = bn.backward(&x, &x);
                let _ = bn.batch_var_unbiased();
            }
        }
    }
}
