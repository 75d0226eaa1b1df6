//! Losses: each with its value and its gradient with respect to the model's output.
//!
//! Everything is batch-major: one sample per row of the output and target matrices. A batch loss
//! is a mean (over all elements for the squared error and the binary losses, over samples for the
//! losses that sum within a sample) unless the function's name says `sum`. Every gradient is the
//! gradient of exactly the value the function returns, so `value_and_grad` of a mean gives
//! `dL/doutput` already divided by the batch size.
//!
//! - Regression: [`mean_squared_error`], [`sum_squared_error`], [`half_squared_error`].
//! - Binary: [`binary_log_loss`] (from probabilities, clipped), [`binary_cross_entropy_with_logits`]
//!   (exact for any finite logit), and the margin losses [`hinge`], [`exponential`] and
//!   [`squared_margin`] on labels `±1`.
//! - Multiclass: [`softmax_cross_entropy`] (exact through log-softmax; one-hot or soft targets),
//!   [`softmax_cross_entropy_labels`] (integer labels), and [`multiclass_hinge`] (Crammer–Singer).
//! - Decision trees: [`gini_from_counts`], [`gini_impurity`], [`gini_split`], [`entropy_from_counts`],
//!   and the binary curves [`binary_gini`], [`binary_entropy`] for plotting against the class
//!   proportion.
//! - [`MarginLoss`] writes each classification loss as a function of the margin `m = y·f(x)`
//!   with its derivative, for the chart that compares them on one axis.
//! - [`Loss`] is the choice the training loop and the page make: value and gradient written into
//!   a caller-owned matrix without allocating, plus how to turn outputs into predictions.
//!
//! Accumulations run in `f64` and are rounded to `f32` at the end, so long batches lose nothing to
//! summation order. Inputs with NaN or infinities are refused with [`EngineError::NonFinite`].

use crate::activation::{relu, sigmoid};
use crate::error::{EngineError, Result};
use crate::tensor::{Matrix, argmax, check_finite, ensure_shape, max_value};

/// The clipping ε scikit-learn's `log_loss` uses: float64 machine epsilon, `2^-52 ≈ 2.22e-16`.
///
/// The engine clips in `f64` (see [`binary_log_loss`]), so this ε keeps its meaning even though
/// `1 − ε` rounds to exactly `1` in `f32`.
pub const LOG_LOSS_EPS: f64 = f64::EPSILON;

/// Checks that `output` and `target` have the same, non-empty shape and finite values.
fn check_pair(what: &str, output: &Matrix, target: &Matrix) -> Result<()> {
    if output.shape() != target.shape() {
        return Err(EngineError::shape(
            &format!("{what} target"),
            output.shape(),
            target.shape(),
        ));
    }
    if output.is_empty() {
        return Err(EngineError::Empty {
            what: format!("{what} batch"),
        });
    }
    // The message is only written when a check fails: a training step passes here every time.
    for (part, m) in [("output", output), ("target", target)] {
        check_finite(part, m).map_err(|_| EngineError::NonFinite {
            what: format!("{what} {part}"),
        })?;
    }
    Ok(())
}

/// The number of elements as `f64`, for means.
fn count(m: &Matrix) -> f64 {
    m.len() as f64
}

/// Rounds an `f64` accumulation to the engine's `f32`.
fn to_f32(v: f64) -> f32 {
    v as f32
}

// ---------------------------------------------------------------------------------------------
// Squared errors.
// ---------------------------------------------------------------------------------------------

/// Shared kernel of the squared errors: `Σ (o − t)²` and, if asked, `grad = scale · (o − t)`.
fn squared_error_kernel(
    output: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
    grad_scale: f32,
) -> f64 {
    let mut sum = 0.0_f64;
    match grad {
        Some(g) => {
            ensure_shape(g, output.nrows(), output.ncols());
            for ((gi, &o), &t) in g.iter_mut().zip(output.iter()).zip(target.iter()) {
                let d = o - t;
                sum += f64::from(d) * f64::from(d);
                *gi = grad_scale * d;
            }
        }
        None => {
            for (&o, &t) in output.iter().zip(target.iter()) {
                let d = f64::from(o - t);
                sum += d * d;
            }
        }
    }
    sum
}

/// Mean squared error over **all** elements: `L = 1/(B·K) Σ_{i,j} (o_ij − t_ij)²`.
///
/// If `grad` is given it becomes `dL/do = 2 (o − t) / (B·K)` (resized to the output's shape if
/// needed). This is scikit-learn's `mean_squared_error` with uniform averaging over outputs.
///
/// # Shapes
/// `output`, `target`, `grad`: `(batch B, outputs K)`.
pub fn mean_squared_error(
    output: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    check_pair("mean squared error", output, target)?;
    let n = count(output);
    let sum = squared_error_kernel(output, target, grad, to_f32(2.0 / n));
    Ok(to_f32(sum / n))
}

/// Sum of squared errors: `L = Σ_{i,j} (o_ij − t_ij)²`, with `dL/do = 2 (o − t)`.
///
/// # Shapes
/// `output`, `target`, `grad`: `(batch, outputs)`.
pub fn sum_squared_error(
    output: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    check_pair("sum of squared errors", output, target)?;
    Ok(to_f32(squared_error_kernel(output, target, grad, 2.0)))
}

/// Half squared error per sample, averaged over the batch:
/// `L = 1/B Σ_i ½ Σ_j (o_ij − t_ij)²`, with `dL/do = (o − t) / B`.
///
/// This is the classic backpropagation loss (the ½ cancels the square's 2) and the one the
/// training-speed workloads use. With one output it is half the mean squared error.
///
/// # Shapes
/// `output`, `target`, `grad`: `(batch B, outputs)`.
pub fn half_squared_error(
    output: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    check_pair("half squared error", output, target)?;
    let b = output.nrows() as f64;
    let sum = squared_error_kernel(output, target, grad, to_f32(1.0 / b));
    Ok(to_f32(0.5 * sum / b))
}

// ---------------------------------------------------------------------------------------------
// Binary losses on probabilities and on logits.
// ---------------------------------------------------------------------------------------------

/// Binary log loss from probabilities, clipped:
/// `L = −1/N Σ [t ln p̂ + (1 − t) ln(1 − p̂)]` with `p̂ = clip(p, ε, 1 − ε)` over all `N` elements.
///
/// The clipping and the logarithms run in `f64`, so `ε` may be scikit-learn's float64 machine
/// epsilon ([`LOG_LOSS_EPS`]) even for `f32` inputs: a confident wrong answer `p = 0`, `t = 1`
/// costs `−ln ε ≈ 36.04`, not infinity. The inputs may be `f32` (a [`Matrix`]) or `f64` matrices;
/// `f64` keeps probabilities within `6e-8` of 1 apart from 1 itself. `ε` must lie in `(0, ½)`.
///
/// If `grad` is given it becomes `dL/dp = (−t/p̂ + (1 − t)/(1 − p̂)) / N` where `ε < p < 1 − ε`,
/// and `0` where the clip is active (the clipped value does not move with `p`, as automatic
/// differentiation of `clip` also says).
///
/// # Shapes
/// `probabilities`, `target`, `grad`: `(batch, outputs)`; targets in `[0, 1]` (usually 0 or 1),
/// probabilities in `[0, 1]`.
pub fn binary_log_loss<T: nalgebra::Scalar + Copy + Into<f64>>(
    probabilities: &nalgebra::DMatrix<T>,
    target: &nalgebra::DMatrix<T>,
    eps: f64,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    const WHAT: &str = "binary log loss";
    if probabilities.shape() != target.shape() {
        return Err(EngineError::shape(
            "binary log loss target",
            probabilities.shape(),
            target.shape(),
        ));
    }
    if probabilities.is_empty() {
        return Err(EngineError::Empty {
            what: format!("{WHAT} batch"),
        });
    }
    let to64 = |m: &nalgebra::DMatrix<T>| -> Vec<f64> { m.iter().map(|&v| v.into()).collect() };
    let (p64, t64) = (to64(probabilities), to64(target));
    if p64.iter().chain(&t64).any(|v| !v.is_finite()) {
        return Err(EngineError::NonFinite {
            what: format!("{WHAT} input"),
        });
    }
    if !(eps.is_finite() && eps > 0.0 && eps < 0.5) {
        return Err(EngineError::hyper(
            "clipping ε",
            eps,
            "it must be a number between 0 and 1/2",
        ));
    }
    if p64.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err(EngineError::Invalid(format!(
            "{WHAT}: every probability must lie in [0, 1]"
        )));
    }
    if t64.iter().any(|t| !(0.0..=1.0).contains(t)) {
        return Err(EngineError::Invalid(format!(
            "{WHAT}: every target must lie in [0, 1] (0 or 1 for hard labels)"
        )));
    }
    let n = p64.len() as f64;
    let mut sum = 0.0_f64;
    let mut grad = grad;
    if let Some(g) = grad.as_deref_mut() {
        ensure_shape(g, probabilities.nrows(), probabilities.ncols());
    }
    for (k, (&p, &t)) in p64.iter().zip(&t64).enumerate() {
        let pc = p.clamp(eps, 1.0 - eps);
        sum -= t * pc.ln() + (1.0 - t) * (1.0 - pc).ln();
        if let Some(g) = grad.as_deref_mut() {
            let d = if p > eps && p < 1.0 - eps {
                (-t / pc + (1.0 - t) / (1.0 - pc)) / n
            } else {
                0.0
            };
            if let Some(gi) = g.as_mut_slice().get_mut(k) {
                *gi = to_f32(d);
            }
        }
    }
    Ok(to_f32(sum / n))
}

/// Checks that every target lies in `[0, 1]`.
fn check_unit_targets(what: &str, target: &Matrix) -> Result<()> {
    if target.iter().all(|t| (0.0..=1.0).contains(t)) {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "{what}: every target must lie in [0, 1] (0 or 1 for hard labels)"
        )))
    }
}

/// `ln(1 + e^z)` without overflow or loss of precision: `max(z, 0) + ln(1 + e^{−|z|})`.
#[inline]
pub fn softplus(z: f32) -> f32 {
    relu(z) + (-z.abs()).exp().ln_1p()
}

/// Binary cross-entropy from logits, exact for any finite logit:
/// `L = 1/N Σ [softplus(z) − t z]`, which equals `−1/N Σ [t ln σ(z) + (1 − t) ln(1 − σ(z))]`
/// without ever forming `σ(z)` or its logarithm.
///
/// With `softplus(z) = max(z, 0) + ln(1 + e^{−|z|})`, a logit of ±1000 costs exactly 0 when right
/// and exactly 1000 when wrong. If `grad` is given it becomes `dL/dz = (σ(z) − t) / N`.
///
/// # Shapes
/// `logits`, `target`, `grad`: `(batch, outputs)`; targets in `[0, 1]` (usually 0 or 1).
pub fn binary_cross_entropy_with_logits(
    logits: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    check_pair("binary cross-entropy", logits, target)?;
    check_unit_targets("binary cross-entropy", target)?;
    Ok(bce_kernel(logits, target, grad))
}

/// The kernel of [`binary_cross_entropy_with_logits`] after validation.
fn bce_kernel(logits: &Matrix, target: &Matrix, grad: Option<&mut Matrix>) -> f32 {
    let n = count(logits);
    let inv_n = to_f32(1.0 / n);
    let mut sum = 0.0_f64;
    match grad {
        Some(g) => {
            ensure_shape(g, logits.nrows(), logits.ncols());
            for ((gi, &z), &t) in g.iter_mut().zip(logits.iter()).zip(target.iter()) {
                sum += f64::from(softplus(z) - t * z);
                *gi = (sigmoid(z) - t) * inv_n;
            }
        }
        None => {
            for (&z, &t) in logits.iter().zip(target.iter()) {
                sum += f64::from(softplus(z) - t * z);
            }
        }
    }
    to_f32(sum / n)
}

// ---------------------------------------------------------------------------------------------
// Softmax cross-entropy.
// ---------------------------------------------------------------------------------------------

/// Checks a softmax cross-entropy input: at least two classes.
fn check_classes(what: &str, logits: &Matrix) -> Result<()> {
    if logits.ncols() < 2 {
        return Err(EngineError::Invalid(format!(
            "{what} needs at least two classes (columns), got {}",
            logits.ncols()
        )));
    }
    Ok(())
}

/// One row of softmax cross-entropy: returns the row's loss `Σ_j t_j (lse − z_j)` and, if asked,
/// writes `scale · (Σt · softmax(z) − t)` into the row of `grad` (and `softmax(z)` into `probs`).
///
/// `target(j)` gives the row's target for class `j`.
fn softmax_ce_row(
    logits: &Matrix,
    r: usize,
    target: impl Fn(usize) -> f32,
    mut grad: Option<&mut Matrix>,
    grad_scale: f32,
    probs: Option<&mut Matrix>,
) -> f64 {
    let k = logits.ncols();
    let max = max_value((0..k).map(|c| logits[(r, c)]));
    // Each `e^{z_j − m}` is computed once: kept in the gradient's row, if there is one, for the
    // gradient and the probabilities below.
    let mut sum_exp = 0.0_f32;
    for c in 0..k {
        let e = (logits[(r, c)] - max).exp();
        sum_exp += e;
        if let Some(g) = grad.as_deref_mut() {
            g[(r, c)] = e;
        }
    }
    let lse = max + sum_exp.ln();
    let mut loss = 0.0_f64;
    let mut target_sum = 0.0_f32;
    for c in 0..k {
        let t = target(c);
        target_sum += t;
        loss += f64::from(t) * f64::from(lse - logits[(r, c)]);
    }
    if let Some(p) = probs {
        for c in 0..k {
            let e = match grad.as_deref() {
                Some(g) => g[(r, c)],
                None => (logits[(r, c)] - max).exp(),
            };
            p[(r, c)] = e / sum_exp;
        }
    }
    if let Some(g) = grad {
        for c in 0..k {
            let s = g[(r, c)] / sum_exp;
            g[(r, c)] = grad_scale * (target_sum * s - target(c));
        }
    }
    loss
}

/// Softmax cross-entropy from logits, averaged over the batch:
/// `L = 1/B Σ_i ℓ_i` with `ℓ_i = −Σ_j t_ij ln softmax(z_i)_j = Σ_j t_ij (lse(z_i) − z_ij)`.
///
/// The log-sum-exp `lse(z) = m + ln Σ_j e^{z_j − m}` (with `m = max z`) makes it exact for large
/// logits: `z = [1000, −1000, 0]` with target class 1 costs exactly 2000. Targets are one-hot rows
/// or any soft distribution. If `grad` is given it becomes
/// `dL/dz = (Σ_j t_ij · softmax(z_i) − t_i) / B`, which is `(softmax − target)/B` for targets that
/// sum to one.
///
/// # Shapes
/// `logits`, `target`, `grad`: `(batch B, classes K)` with `K ≥ 2`.
pub fn softmax_cross_entropy(
    logits: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    check_pair("softmax cross-entropy", logits, target)?;
    check_classes("softmax cross-entropy", logits)?;
    Ok(softmax_ce_kernel(logits, target, grad))
}

/// The kernel of [`softmax_cross_entropy`] after validation.
fn softmax_ce_kernel(logits: &Matrix, target: &Matrix, mut grad: Option<&mut Matrix>) -> f32 {
    let b = logits.nrows();
    if let Some(g) = grad.as_deref_mut() {
        ensure_shape(g, b, logits.ncols());
    }
    let scale = to_f32(1.0 / b as f64);
    let mut sum = 0.0;
    for r in 0..b {
        sum += softmax_ce_row(
            logits,
            r,
            |c| target[(r, c)],
            grad.as_deref_mut(),
            scale,
            None,
        );
    }
    to_f32(sum / b as f64)
}

/// Checks integer labels against a batch of `rows` samples and `classes` classes.
fn check_labels(what: &str, labels: &[usize], rows: usize, classes: usize) -> Result<()> {
    if labels.len() != rows {
        return Err(EngineError::shape(
            &format!("{what} labels (one per sample)"),
            (rows, 1),
            (labels.len(), 1),
        ));
    }
    if let Some(&bad) = labels.iter().find(|&&l| l >= classes) {
        return Err(EngineError::Invalid(format!(
            "{what}: label {bad} is not a class (there are {classes} classes, numbered from 0)"
        )));
    }
    Ok(())
}

/// Softmax cross-entropy with integer class labels, `ℓ_i = lse(z_i) − z_{i, y_i}`, averaged over
/// the batch; the same as [`softmax_cross_entropy`] with one-hot targets, without building them.
///
/// If `grad` is given it becomes `(softmax(z) − onehot(y)) / B`.
///
/// # Shapes
/// `logits`, `grad`: `(batch B, classes K ≥ 2)`; `labels`: `B` values in `0..K`.
pub fn softmax_cross_entropy_labels(
    logits: &Matrix,
    labels: &[usize],
    mut grad: Option<&mut Matrix>,
) -> Result<f32> {
    if logits.is_empty() {
        return Err(EngineError::Empty {
            what: "softmax cross-entropy batch".to_owned(),
        });
    }
    check_classes("softmax cross-entropy", logits)?;
    check_finite("softmax cross-entropy logits", logits)?;
    check_labels(
        "softmax cross-entropy",
        labels,
        logits.nrows(),
        logits.ncols(),
    )?;
    let b = logits.nrows();
    if let Some(g) = grad.as_deref_mut() {
        ensure_shape(g, b, logits.ncols());
    }
    let scale = to_f32(1.0 / b as f64);
    let mut sum = 0.0;
    for (r, &y) in labels.iter().enumerate() {
        let one_hot = |c: usize| if c == y { 1.0 } else { 0.0 };
        sum += softmax_ce_row(logits, r, one_hot, grad.as_deref_mut(), scale, None);
    }
    Ok(to_f32(sum / b as f64))
}

/// Everything softmax cross-entropy computes, for the page to show.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxCrossEntropy {
    /// The batch loss, the mean of `per_sample_loss`.
    pub loss: f32,
    /// `ℓ_i = −Σ_j t_ij ln softmax(z_i)_j` for each sample.
    pub per_sample_loss: Vec<f32>,
    /// `softmax(z_i)` for each sample `(batch, classes)`.
    pub probabilities: Matrix,
    /// `dL/dz = (Σ_j t_ij · softmax(z_i) − t_i) / B` `(batch, classes)`.
    pub grad: Matrix,
}

/// [`softmax_cross_entropy`] with its by-products: per-sample losses and the softmax
/// probabilities. Allocates; the training loop uses [`Loss::value_and_grad`] instead.
pub fn softmax_cross_entropy_details(
    logits: &Matrix,
    target: &Matrix,
) -> Result<SoftmaxCrossEntropy> {
    check_pair("softmax cross-entropy", logits, target)?;
    check_classes("softmax cross-entropy", logits)?;
    let (b, k) = logits.shape();
    let mut probabilities = Matrix::zeros(b, k);
    let mut grad = Matrix::zeros(b, k);
    let scale = to_f32(1.0 / b as f64);
    let mut per_sample_loss = Vec::with_capacity(b);
    let mut sum = 0.0;
    for r in 0..b {
        let l = softmax_ce_row(
            logits,
            r,
            |c| target[(r, c)],
            Some(&mut grad),
            scale,
            Some(&mut probabilities),
        );
        sum += l;
        per_sample_loss.push(to_f32(l));
    }
    Ok(SoftmaxCrossEntropy {
        loss: to_f32(sum / b as f64),
        per_sample_loss,
        probabilities,
        grad,
    })
}

/// One-hot rows for integer labels: row `i` is 1 in column `labels[i]` and 0 elsewhere.
///
/// # Shapes
/// Returns `(labels.len(), classes)`.
pub fn one_hot(labels: &[usize], classes: usize) -> Result<Matrix> {
    check_labels("one-hot encoding", labels, labels.len(), classes)?;
    let mut m = Matrix::zeros(labels.len(), classes);
    for (r, &y) in labels.iter().enumerate() {
        m[(r, y)] = 1.0;
    }
    Ok(m)
}

// ---------------------------------------------------------------------------------------------
// Margin losses.
// ---------------------------------------------------------------------------------------------

/// A classification loss written as a function of the margin `m = y·f(x)`, `y = ±1`.
///
/// A positive margin is a correct classification, and the larger the more confident. Each loss is
/// a different penalty for small or negative margins; the page plots them on one axis. The
/// logistic loss uses the natural logarithm (divide by `ln 2` to make it pass through 1 at `m = 0`
/// like the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarginLoss {
    /// The misclassification indicator `1[m < 0]`; its derivative is 0 wherever it exists.
    ZeroOne,
    /// `(1 − m)²`, which is `(y − f)²` for `y = ±1`: squared error on ±1 labels.
    Squared,
    /// `ln(1 + e^{−m})`: logistic regression's loss (binary cross-entropy on ±1 labels).
    Logistic,
    /// `max(0, 1 − m)`: the support vector machine's loss.
    Hinge,
    /// `e^{−m}`: AdaBoost's loss.
    Exponential,
}

impl MarginLoss {
    /// Every margin loss, in the order the page lists them.
    pub const ALL: [MarginLoss; 5] = [
        MarginLoss::ZeroOne,
        MarginLoss::Squared,
        MarginLoss::Logistic,
        MarginLoss::Hinge,
        MarginLoss::Exponential,
    ];

    /// The name the page uses.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ZeroOne => "zero_one",
            Self::Squared => "squared",
            Self::Logistic => "logistic",
            Self::Hinge => "hinge",
            Self::Exponential => "exponential",
        }
    }

    /// The loss at margin `m`. The exponential loss overflows to `+∞` for `m` below about `−88`
    /// (its true value exceeds `f32`'s range there).
    #[inline]
    pub fn value(&self, m: f32) -> f32 {
        match self {
            Self::ZeroOne => {
                if m < 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::Squared => (1.0 - m) * (1.0 - m),
            Self::Logistic => softplus(-m),
            Self::Hinge => relu(1.0 - m),
            Self::Exponential => (-m).exp(),
        }
    }

    /// `dℓ/dm` at margin `m`. At the hinge's kink (`m = 1` exactly) it is 0, and the 0-1 loss has
    /// derivative 0 everywhere (its jump at 0 has none).
    #[inline]
    pub fn derivative(&self, m: f32) -> f32 {
        match self {
            Self::ZeroOne => 0.0,
            Self::Squared => -2.0 * (1.0 - m),
            Self::Logistic => -sigmoid(-m),
            Self::Hinge => {
                if m < 1.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Self::Exponential => -(-m).exp(),
        }
    }
}

/// Maps a stored binary label to `±1`: `1 → +1`, `0` or `−1 → −1`; anything else is refused.
#[inline]
fn sign_label(t: f32) -> Option<f32> {
    if t == 1.0 {
        Some(1.0)
    } else if t == 0.0 || t == -1.0 {
        Some(-1.0)
    } else {
        None
    }
}

/// Checks that every label is 1, 0 or −1.
fn check_sign_labels(what: &str, target: &Matrix) -> Result<()> {
    if target.iter().all(|&t| sign_label(t).is_some()) {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "{what}: labels must be +1 and −1 (or 1 and 0, read as +1 and −1)"
        )))
    }
}

/// Mean of a margin loss over all elements, and its gradient `dL/df = y ℓ'(y f) / N`.
fn margin_kernel(
    loss: MarginLoss,
    decision: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> f32 {
    let n = count(decision);
    let inv_n = to_f32(1.0 / n);
    let mut sum = 0.0_f64;
    match grad {
        Some(g) => {
            ensure_shape(g, decision.nrows(), decision.ncols());
            for ((gi, &f), &t) in g.iter_mut().zip(decision.iter()).zip(target.iter()) {
                let y = if t == 1.0 { 1.0 } else { -1.0 };
                let m = y * f;
                sum += f64::from(loss.value(m));
                *gi = y * loss.derivative(m) * inv_n;
            }
        }
        None => {
            for (&f, &t) in decision.iter().zip(target.iter()) {
                let y = if t == 1.0 { 1.0 } else { -1.0 };
                sum += f64::from(loss.value(y * f));
            }
        }
    }
    to_f32(sum / n)
}

/// Validates and runs a margin loss.
fn margin_loss_checked(
    what: &str,
    loss: MarginLoss,
    decision: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    check_pair(what, decision, target)?;
    check_sign_labels(what, target)?;
    Ok(margin_kernel(loss, decision, target, grad))
}

/// Binary hinge loss `L = 1/N Σ max(0, 1 − y f)` on labels `y = ±1` (1/0 are read as ±1), as
/// scikit-learn's `hinge_loss` for two classes.
///
/// If `grad` is given it becomes `dL/df = −y/N` where the margin `y f < 1` and 0 elsewhere —
/// including at margin exactly 1.
///
/// # Shapes
/// `decision`, `target`, `grad`: `(batch, outputs)`.
pub fn hinge(decision: &Matrix, target: &Matrix, grad: Option<&mut Matrix>) -> Result<f32> {
    margin_loss_checked("hinge loss", MarginLoss::Hinge, decision, target, grad)
}

/// Exponential loss `L = 1/N Σ e^{−y f}` on labels `y = ±1` (1/0 are read as ±1): AdaBoost's.
///
/// The sum form is `N · L`. If `grad` is given it becomes `dL/df = −y e^{−y f} / N`. A margin
/// below about −88 overflows `f32` and gives `+∞`, the loss's true (huge) value.
///
/// # Shapes
/// `decision`, `target`, `grad`: `(batch, outputs)`.
pub fn exponential(decision: &Matrix, target: &Matrix, grad: Option<&mut Matrix>) -> Result<f32> {
    margin_loss_checked(
        "exponential loss",
        MarginLoss::Exponential,
        decision,
        target,
        grad,
    )
}

/// Squared margin loss `L = 1/N Σ (1 − y f)²` on labels `y = ±1` (1/0 are read as ±1), which is
/// the squared error against ±1 targets.
///
/// If `grad` is given it becomes `dL/df = −2 y (1 − y f) / N`.
///
/// # Shapes
/// `decision`, `target`, `grad`: `(batch, outputs)`.
pub fn squared_margin(
    decision: &Matrix,
    target: &Matrix,
    grad: Option<&mut Matrix>,
) -> Result<f32> {
    margin_loss_checked(
        "squared margin loss",
        MarginLoss::Squared,
        decision,
        target,
        grad,
    )
}

/// Everything the multiclass (Crammer–Singer) hinge loss computes.
#[derive(Debug, Clone, PartialEq)]
pub struct MulticlassHinge {
    /// The batch loss, the mean of `per_sample_loss`.
    pub loss: f32,
    /// `ℓ_i = max(0, 1 − margin_i)`.
    pub per_sample_loss: Vec<f32>,
    /// `margin_i = f_{i, y_i} − max_{j ≠ y_i} f_ij`.
    pub margin: Vec<f32>,
    /// For each sample, the wrong class with the highest score (the first of equals).
    pub best_wrong_class: Vec<usize>,
    /// `dL/df` `(batch, classes)`: `−1/B` at the true class and `+1/B` at the best wrong class
    /// where `margin < 1`, 0 elsewhere.
    pub grad: Matrix,
}

/// Multiclass hinge loss as Crammer and Singer define it and scikit-learn's `hinge_loss`
/// computes it: `ℓ_i = max(0, 1 − (f_{i,y_i} − max_{j≠y_i} f_ij))`, averaged over the batch.
///
/// Among equal best wrong classes the first (lowest index) is the one that receives the gradient.
///
/// # Shapes
/// `decision`: `(batch B, classes K ≥ 2)`; `labels`: `B` values in `0..K`.
pub fn multiclass_hinge(decision: &Matrix, labels: &[usize]) -> Result<MulticlassHinge> {
    if decision.is_empty() {
        return Err(EngineError::Empty {
            what: "multiclass hinge batch".to_owned(),
        });
    }
    check_classes("multiclass hinge loss", decision)?;
    check_finite("multiclass hinge decision values", decision)?;
    let (b, k) = decision.shape();
    check_labels("multiclass hinge loss", labels, b, k)?;
    let mut grad = Matrix::zeros(b, k);
    let mut per_sample_loss = Vec::with_capacity(b);
    let mut margin = Vec::with_capacity(b);
    let mut best_wrong_class = Vec::with_capacity(b);
    let scale = to_f32(1.0 / b as f64);
    let mut sum = 0.0_f64;
    for (r, &y) in labels.iter().enumerate() {
        let mut best = usize::from(y == 0);
        for c in 0..k {
            if c != y && decision[(r, c)] > decision[(r, best)] {
                best = c;
            }
        }
        let m = decision[(r, y)] - decision[(r, best)];
        let l = relu(1.0 - m);
        if m < 1.0 {
            grad[(r, y)] -= scale;
            grad[(r, best)] += scale;
        }
        sum += f64::from(l);
        per_sample_loss.push(l);
        margin.push(m);
        best_wrong_class.push(best);
    }
    Ok(MulticlassHinge {
        loss: to_f32(sum / b as f64),
        per_sample_loss,
        margin,
        best_wrong_class,
        grad,
    })
}

// ---------------------------------------------------------------------------------------------
// Impurity: Gini and entropy.
// ---------------------------------------------------------------------------------------------

/// Checks class counts: non-empty, finite, non-negative, with a positive total; returns the total.
fn check_counts(counts: &[f64]) -> Result<f64> {
    if counts.is_empty() {
        return Err(EngineError::Empty {
            what: "class counts".to_owned(),
        });
    }
    if counts.iter().any(|c| !c.is_finite() || *c < 0.0) {
        return Err(EngineError::Invalid(
            "class counts must be finite and not negative".to_owned(),
        ));
    }
    let total: f64 = counts.iter().sum();
    if total > 0.0 && total.is_finite() {
        Ok(total)
    } else {
        Err(EngineError::Invalid(
            "class counts must add up to a positive number".to_owned(),
        ))
    }
}

/// The class proportions `p_k = n_k / Σ n` of counts (which may be weighted, so they are `f64`).
pub fn class_proportions(counts: &[f64]) -> Result<Vec<f64>> {
    let total = check_counts(counts)?;
    Ok(counts.iter().map(|c| c / total).collect())
}

/// Gini impurity of class counts: `G = 1 − Σ_k p_k²`, `p_k = n_k / Σ n`.
///
/// It is the probability that two samples drawn with replacement have different classes: 0 for a
/// pure node, `1 − 1/K` for `K` equally frequent classes.
pub fn gini_from_counts(counts: &[f64]) -> Result<f64> {
    let p = class_proportions(counts)?;
    Ok(1.0 - p.iter().map(|q| q * q).sum::<f64>())
}

/// Entropy of class counts in nats: `H = −Σ_k p_k ln p_k` (with `0 ln 0 = 0`); divide by `ln 2`
/// for bits.
pub fn entropy_from_counts(counts: &[f64]) -> Result<f64> {
    let p = class_proportions(counts)?;
    Ok(-p
        .iter()
        .filter(|&&q| q > 0.0)
        .map(|q| q * q.ln())
        .sum::<f64>())
}

/// Counts the labels of a set. Returns the classes and their counts: the given `classes` in their
/// order (every label must be one of them), or else the distinct labels in ascending order.
pub fn count_labels(labels: &[i64], classes: Option<&[i64]>) -> Result<(Vec<i64>, Vec<f64>)> {
    let classes: Vec<i64> = match classes {
        Some(c) => {
            let mut sorted = c.to_vec();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return Err(EngineError::Invalid(
                    "the list of classes names a class twice".to_owned(),
                ));
            }
            c.to_vec()
        }
        None => {
            let mut c = labels.to_vec();
            c.sort_unstable();
            c.dedup();
            c
        }
    };
    let mut counts = vec![0.0; classes.len()];
    for l in labels {
        let Some(i) = classes.iter().position(|c| c == l) else {
            return Err(EngineError::Invalid(format!(
                "label {l} is not one of the classes {classes:?}"
            )));
        };
        counts[i] += 1.0;
    }
    Ok((classes, counts))
}

/// Gini impurity `1 − Σ_k p_k²` of a set of labels (the proportions of its distinct labels).
pub fn gini_impurity(labels: &[i64]) -> Result<f64> {
    if labels.is_empty() {
        return Err(EngineError::Empty {
            what: "label set".to_owned(),
        });
    }
    let (_, counts) = count_labels(labels, None)?;
    gini_from_counts(&counts)
}

/// The Gini impurities of a split of a node into two children, and the split's gain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GiniSplit {
    /// Impurity of the parent, the union of both children.
    pub parent: f64,
    /// Impurity of the left child (0 if it is empty).
    pub left: f64,
    /// Impurity of the right child (0 if it is empty).
    pub right: f64,
    /// The children's impurities weighted by their sizes: `(n_L G_L + n_R G_R) / (n_L + n_R)`.
    pub weighted: f64,
    /// `parent − weighted`: how much the split reduces impurity (never negative).
    pub gain: f64,
}

/// The Gini impurities of splitting a node into `left` and `right` label sets, and the gain
/// `G(parent) − (n_L G(left) + n_R G(right)) / n` that a decision tree maximises.
///
/// An empty child (no split at all) has weight 0; its impurity is reported as 0. Both children
/// empty is an error.
pub fn gini_split(left: &[i64], right: &[i64]) -> Result<GiniSplit> {
    let n = left.len() + right.len();
    if n == 0 {
        return Err(EngineError::Empty {
            what: "split (both children)".to_owned(),
        });
    }
    let parent_labels: Vec<i64> = left.iter().chain(right).copied().collect();
    let parent = gini_impurity(&parent_labels)?;
    let side = |s: &[i64]| {
        if s.is_empty() {
            Ok(0.0)
        } else {
            gini_impurity(s)
        }
    };
    let (gl, gr) = (side(left)?, side(right)?);
    let weighted = (left.len() as f64 * gl + right.len() as f64 * gr) / n as f64;
    Ok(GiniSplit {
        parent,
        left: gl,
        right: gr,
        weighted,
        gain: parent - weighted,
    })
}

/// Gini impurity of two classes as a function of the positive proportion `p`:
/// `1 − p² − (1 − p)² = 2p(1 − p)`. NaN for `p` outside `[0, 1]`.
pub fn binary_gini(p: f64) -> f64 {
    if (0.0..=1.0).contains(&p) {
        2.0 * p * (1.0 - p)
    } else {
        f64::NAN
    }
}

/// Entropy of two classes in nats as a function of the positive proportion `p`:
/// `−p ln p − (1 − p) ln(1 − p)` with `0 ln 0 = 0`; its maximum is `ln 2` at `p = ½` (divide by
/// `ln 2` for bits, or by `2 ln 2` to share the Gini curve's maximum of ½). NaN outside `[0, 1]`.
pub fn binary_entropy(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let term = |q: f64| if q > 0.0 { -q * q.ln() } else { 0.0 };
    term(p) + term(1.0 - p)
}

// ---------------------------------------------------------------------------------------------
// The loss a network trains with.
// ---------------------------------------------------------------------------------------------

/// What kind of task a [`Loss`] trains for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Real-valued targets.
    Regression,
    /// Two classes, one output unit, targets stored as 0/1 in a `(batch, 1)` matrix.
    Binary,
    /// `K ≥ 2` classes, `K` output units, one-hot (or soft) target rows.
    Multiclass,
}

/// What [`Loss::predict_probabilities`] returns for a loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMeaning {
    /// The output itself is the prediction (regression).
    Value,
    /// A probability of the positive class, `σ(f)` or, for the exponential loss, `σ(2f)`.
    Probability,
    /// A probability distribution over classes, `softmax(f)`.
    ClassProbabilities,
    /// A score in `[0, 1]` that is ½ on the decision boundary but is not a calibrated
    /// probability: `clamp((1 + f)/2, 0, 1)` for the hinge and squared margin losses.
    Score,
}

/// The loss a network is trained with. The network's last layer is linear: the loss applies the
/// output link (sigmoid, softmax) itself, which is what makes the value exact and the gradient
/// simple.
///
/// | loss | task | targets | value | `dL/df` |
/// |---|---|---|---|---|
/// | `MeanSquaredError` | regression | real | `1/(BK) Σ (f − t)²` | `2(f − t)/(BK)` |
/// | `HalfSquaredError` | regression | real | `1/B Σ_i ½ Σ_j (f − t)²` | `(f − t)/B` |
/// | `BinaryCrossEntropy` | binary | 0/1 | `1/N Σ softplus(f) − t f` | `(σ(f) − t)/N` |
/// | `SoftmaxCrossEntropy` | multiclass | one-hot rows | `1/B Σ_i lse(f_i) − t_i·f_i` | `(softmax − t)/B` |
/// | `Hinge` | binary | 0/1 → ±1 | `1/N Σ max(0, 1 − y f)` | `−y/N` where `y f < 1` |
/// | `SquaredMargin` | binary | 0/1 → ±1 | `1/N Σ (1 − y f)²` | `−2y(1 − y f)/N` |
/// | `Exponential` | binary | 0/1 → ±1 | `1/N Σ e^{−y f}` | `−y e^{−y f}/N` |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Mean squared error over all elements (regression).
    MeanSquaredError,
    /// Half the squared error summed over a sample's outputs, averaged over the batch
    /// (regression; the classic backpropagation loss).
    HalfSquaredError,
    /// Binary cross-entropy from a logit (logistic loss), targets 0/1.
    BinaryCrossEntropy,
    /// Softmax cross-entropy from logits, one-hot targets.
    SoftmaxCrossEntropy,
    /// Hinge loss on the margin, 0/1 targets read as ±1.
    Hinge,
    /// Squared loss on the margin `(1 − y f)²`, 0/1 targets read as ±1.
    SquaredMargin,
    /// Exponential loss on the margin `e^{−y f}`, 0/1 targets read as ±1.
    Exponential,
}

/// The names [`Loss::from_name`] accepts, in the order the page lists them.
pub const LOSS_NAMES: [&str; 7] = [
    "mse",
    "half_squared_error",
    "binary_cross_entropy",
    "softmax_cross_entropy",
    "hinge",
    "squared_margin",
    "exponential",
];

impl Loss {
    /// Every loss, in the order of [`LOSS_NAMES`].
    pub const ALL: [Loss; 7] = [
        Loss::MeanSquaredError,
        Loss::HalfSquaredError,
        Loss::BinaryCrossEntropy,
        Loss::SoftmaxCrossEntropy,
        Loss::Hinge,
        Loss::SquaredMargin,
        Loss::Exponential,
    ];

    /// The name as in [`LOSS_NAMES`].
    pub fn name(&self) -> &'static str {
        match self {
            Self::MeanSquaredError => "mse",
            Self::HalfSquaredError => "half_squared_error",
            Self::BinaryCrossEntropy => "binary_cross_entropy",
            Self::SoftmaxCrossEntropy => "softmax_cross_entropy",
            Self::Hinge => "hinge",
            Self::SquaredMargin => "squared_margin",
            Self::Exponential => "exponential",
        }
    }

    /// Parses a name from [`LOSS_NAMES`]; "logistic" is accepted for binary cross-entropy.
    pub fn from_name(name: &str) -> Result<Self> {
        if name == "logistic" {
            return Ok(Self::BinaryCrossEntropy);
        }
        Self::ALL
            .into_iter()
            .find(|l| l.name() == name)
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "unknown loss \"{name}\"; known: {}",
                    LOSS_NAMES.join(", ")
                ))
            })
    }

    /// The task this loss trains for.
    pub fn task(&self) -> Task {
        match self {
            Self::MeanSquaredError | Self::HalfSquaredError => Task::Regression,
            Self::SoftmaxCrossEntropy => Task::Multiclass,
            Self::BinaryCrossEntropy | Self::Hinge | Self::SquaredMargin | Self::Exponential => {
                Task::Binary
            }
        }
    }

    /// The margin form of a binary loss (for the cost-functions chart), if it has one.
    pub fn margin_loss(&self) -> Option<MarginLoss> {
        match self {
            Self::BinaryCrossEntropy => Some(MarginLoss::Logistic),
            Self::Hinge => Some(MarginLoss::Hinge),
            Self::SquaredMargin => Some(MarginLoss::Squared),
            Self::Exponential => Some(MarginLoss::Exponential),
            _ => None,
        }
    }

    /// What [`Loss::predict_probabilities`] returns.
    pub fn output_meaning(&self) -> OutputMeaning {
        match self {
            Self::MeanSquaredError | Self::HalfSquaredError => OutputMeaning::Value,
            Self::BinaryCrossEntropy | Self::Exponential => OutputMeaning::Probability,
            Self::SoftmaxCrossEntropy => OutputMeaning::ClassProbabilities,
            Self::Hinge | Self::SquaredMargin => OutputMeaning::Score,
        }
    }

    /// Validates an output/target pair for this loss.
    fn check(&self, output: &Matrix, target: &Matrix) -> Result<()> {
        let name = self.name();
        check_pair(name, output, target)?;
        match self.task() {
            Task::Regression => Ok(()),
            Task::Multiclass => check_classes(name, output),
            Task::Binary if *self == Self::BinaryCrossEntropy => check_unit_targets(name, target),
            Task::Binary => check_sign_labels(name, target),
        }
    }

    /// Runs the kernel after validation.
    fn kernel(&self, output: &Matrix, target: &Matrix, grad: Option<&mut Matrix>) -> f32 {
        match self {
            Self::MeanSquaredError => {
                let n = count(output);
                to_f32(squared_error_kernel(output, target, grad, to_f32(2.0 / n)) / n)
            }
            Self::HalfSquaredError => {
                let b = output.nrows() as f64;
                to_f32(0.5 * squared_error_kernel(output, target, grad, to_f32(1.0 / b)) / b)
            }
            Self::BinaryCrossEntropy => bce_kernel(output, target, grad),
            Self::SoftmaxCrossEntropy => softmax_ce_kernel(output, target, grad),
            Self::Hinge => margin_kernel(MarginLoss::Hinge, output, target, grad),
            Self::SquaredMargin => margin_kernel(MarginLoss::Squared, output, target, grad),
            Self::Exponential => margin_kernel(MarginLoss::Exponential, output, target, grad),
        }
    }

    /// The batch loss, with `dL/doutput` written into `grad` (resized only if its shape differs,
    /// so a training loop that keeps `grad` allocates nothing).
    ///
    /// A loss that overflows (the exponential loss at margins below about −88) is reported as
    /// [`EngineError::NonFinite`] rather than returned, so training stops instead of filling the
    /// weights with infinities.
    ///
    /// # Shapes
    /// `output`, `target`, `grad`: `(batch, outputs)`; see [`Loss`] for the targets.
    pub fn value_and_grad(
        &self,
        output: &Matrix,
        target: &Matrix,
        grad: &mut Matrix,
    ) -> Result<f32> {
        self.check(output, target)?;
        let value = self.kernel(output, target, Some(grad));
        if value.is_finite() {
            Ok(value)
        } else {
            Err(EngineError::NonFinite {
                what: format!("the {} loss (it overflowed)", self.name()),
            })
        }
    }

    /// The batch loss alone (for a validation set), without allocating.
    pub fn value(&self, output: &Matrix, target: &Matrix) -> Result<f32> {
        self.check(output, target)?;
        Ok(self.kernel(output, target, None))
    }

    /// Each sample's loss, so that the batch loss is their mean: the mean over the sample's
    /// outputs for the element-wise losses, `½ Σ_j (f − t)²` for the half squared error, and
    /// `lse(f) − t·f` for softmax cross-entropy.
    pub fn per_sample(&self, output: &Matrix, target: &Matrix) -> Result<Vec<f32>> {
        self.check(output, target)?;
        let (b, k) = output.shape();
        let mut out = Vec::with_capacity(b);
        for r in 0..b {
            let loss = match self {
                Self::SoftmaxCrossEntropy => {
                    softmax_ce_row(output, r, |c| target[(r, c)], None, 1.0, None)
                }
                _ => {
                    let sum: f64 = (0..k)
                        .map(|c| f64::from(self.element(output[(r, c)], target[(r, c)])))
                        .sum();
                    if *self == Self::HalfSquaredError {
                        sum
                    } else {
                        sum / k as f64
                    }
                }
            };
            out.push(to_f32(loss));
        }
        Ok(out)
    }

    /// One element's loss for the element-wise losses (not softmax cross-entropy).
    fn element(&self, f: f32, t: f32) -> f32 {
        let y = if t == 1.0 { 1.0 } else { -1.0 };
        match self {
            Self::MeanSquaredError => (f - t) * (f - t),
            Self::HalfSquaredError => 0.5 * (f - t) * (f - t),
            Self::BinaryCrossEntropy => softplus(f) - t * f,
            Self::Hinge => MarginLoss::Hinge.value(y * f),
            Self::SquaredMargin => MarginLoss::Squared.value(y * f),
            Self::Exponential => MarginLoss::Exponential.value(y * f),
            Self::SoftmaxCrossEntropy => f32::NAN,
        }
    }

    /// Turns raw outputs into what a reader reads as the prediction, written into `out` (resized
    /// if needed); [`Loss::output_meaning`] says what it is:
    /// - regression: the output unchanged;
    /// - binary cross-entropy: `σ(f)`;
    /// - exponential: `σ(2f)`, since the exponential loss is minimised by `f = ½ ln(p/(1 − p))`;
    /// - hinge and squared margin: `clamp((1 + f)/2, 0, 1)` (the squared margin loss is minimised
    ///   by `f = 2p − 1`, so this is its probability estimate; the hinge loss estimates only the
    ///   sign, so for it this is a score);
    /// - softmax cross-entropy: `softmax` of each row.
    pub fn predict_probabilities(&self, output: &Matrix, out: &mut Matrix) -> Result<()> {
        check_finite("network output", output)?;
        let (b, k) = output.shape();
        ensure_shape(out, b, k);
        match self {
            Self::MeanSquaredError | Self::HalfSquaredError => out.copy_from(output),
            Self::BinaryCrossEntropy => out.zip_apply(output, |o, f| *o = sigmoid(f)),
            Self::Exponential => out.zip_apply(output, |o, f| *o = sigmoid(2.0 * f)),
            Self::Hinge | Self::SquaredMargin => {
                out.zip_apply(output, |o, f| *o = ((1.0 + f) / 2.0).clamp(0.0, 1.0));
            }
            Self::SoftmaxCrossEntropy => {
                for r in 0..b {
                    let max = max_value((0..k).map(|c| output[(r, c)]));
                    let mut sum = 0.0;
                    for c in 0..k {
                        let e = (output[(r, c)] - max).exp();
                        out[(r, c)] = e;
                        sum += e;
                    }
                    for c in 0..k {
                        out[(r, c)] /= sum;
                    }
                }
            }
        }
        Ok(())
    }

    /// The predicted class of each sample: for binary losses `1` where the output `f ≥ 0` (the
    /// probability or score is at least ½) and `0` elsewhere, from a one-column output; for
    /// softmax cross-entropy the arg-max of each row (the first of equal maxima). Regression
    /// losses have no classes and return an error.
    pub fn predict_labels(&self, output: &Matrix) -> Result<Vec<usize>> {
        check_finite("network output", output)?;
        let (b, k) = output.shape();
        match self.task() {
            Task::Regression => Err(EngineError::Invalid(format!(
                "the {} loss is for regression: its outputs are not classes",
                self.name()
            ))),
            Task::Binary => {
                if k != 1 {
                    return Err(EngineError::shape("binary output", (b, 1), (b, k)));
                }
                Ok(output.iter().map(|&f| usize::from(f >= 0.0)).collect())
            }
            Task::Multiclass => Ok(output
                .row_iter()
                .map(|row| argmax(row.iter().copied()))
                .collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;

    fn m(rows: &[&[f32]]) -> Matrix {
        from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    /// Central finite differences of `f` with respect to every element of `x`, in f64 from an f32
    /// function, compared with `grad` (tolerance 2e-3).
    fn check_grad(name: &str, x: &Matrix, grad: &Matrix, f: impl Fn(&Matrix) -> f32) {
        let h = 1e-2_f32;
        assert_eq!(grad.shape(), x.shape(), "{name}: gradient shape");
        for k in 0..x.len() {
            let mut plus = x.clone();
            plus.as_mut_slice()[k] += h;
            let mut minus = x.clone();
            minus.as_mut_slice()[k] -= h;
            let num = (f64::from(f(&plus)) - f64::from(f(&minus))) / (2.0 * f64::from(h));
            let ana = f64::from(grad.as_slice()[k]);
            assert!(
                (num - ana).abs() < 2e-3,
                "{name} element {k}: analytic {ana}, numeric {num}"
            );
        }
    }

    #[test]
    fn squared_errors_by_hand() {
        // Differences (1, −2; 0, 3): squares 1, 4, 0, 9 sum to 14 over 4 elements.
        let o = m(&[&[2.0, 0.0], &[1.0, 4.0]]);
        let t = m(&[&[1.0, 2.0], &[1.0, 1.0]]);
        let mut g = Matrix::zeros(0, 0);
        assert_eq!(mean_squared_error(&o, &t, Some(&mut g)).unwrap(), 3.5);
        // dL/do = 2 d / 4 = d / 2.
        assert_eq!(g, m(&[&[0.5, -1.0], &[0.0, 1.5]]));
        assert_eq!(sum_squared_error(&o, &t, None).unwrap(), 14.0);
        // Per sample ½(1 + 4) = 2.5 and ½(0 + 9) = 4.5, mean 3.5; gradient d / 2.
        assert_eq!(half_squared_error(&o, &t, Some(&mut g)).unwrap(), 3.5);
        assert_eq!(g, m(&[&[0.5, -1.0], &[0.0, 1.5]]));
        // One output: half squared error is half the MSE.
        let o1 = m(&[&[3.0], &[0.0]]);
        let t1 = m(&[&[1.0], &[0.0]]);
        assert_eq!(mean_squared_error(&o1, &t1, None).unwrap(), 2.0);
        assert_eq!(half_squared_error(&o1, &t1, None).unwrap(), 1.0);
    }

    #[test]
    fn squared_error_gradients_match_finite_differences() {
        let o = m(&[&[0.3, -1.2, 2.0], &[0.7, 0.1, -0.4]]);
        let t = m(&[&[1.0, 0.0, 1.5], &[-0.5, 0.2, 0.0]]);
        let mut g = Matrix::zeros(0, 0);
        mean_squared_error(&o, &t, Some(&mut g)).unwrap();
        check_grad("mse", &o, &g, |x| mean_squared_error(x, &t, None).unwrap());
        sum_squared_error(&o, &t, Some(&mut g)).unwrap();
        check_grad("sse", &o, &g, |x| sum_squared_error(x, &t, None).unwrap());
        half_squared_error(&o, &t, Some(&mut g)).unwrap();
        check_grad("half", &o, &g, |x| half_squared_error(x, &t, None).unwrap());
    }

    #[test]
    fn binary_log_loss_by_hand_and_clipped() {
        // −½ (ln 0.8 + ln(1 − 0.4)) = −½ (−0.223144 − 0.510826) = 0.366985.
        let p = m(&[&[0.8], &[0.4]]);
        let t = m(&[&[1.0], &[0.0]]);
        let mut g = Matrix::zeros(0, 0);
        let l = binary_log_loss(&p, &t, LOG_LOSS_EPS, Some(&mut g)).unwrap();
        assert!((l - 0.366_985).abs() < 1e-6, "{l}");
        // dL/dp = (−1/0.8)/2 = −0.625 and (1/0.6)/2 = 0.833333.
        assert!((g[(0, 0)] + 0.625).abs() < 1e-6);
        assert!((g[(1, 0)] - 0.833_333).abs() < 1e-6);
        check_grad("log loss", &p, &g, |x| {
            binary_log_loss(x, &t, LOG_LOSS_EPS, None).unwrap()
        });
        // A certain wrong answer costs −ln ε = 52 ln 2 = 36.043653 (not infinity), and the clip
        // makes its gradient 0.
        let p = m(&[&[0.0], &[1.0]]);
        let t = m(&[&[1.0], &[0.0]]);
        let l = binary_log_loss(&p, &t, LOG_LOSS_EPS, Some(&mut g)).unwrap();
        assert!((f64::from(l) - 36.043_653_389_117_15).abs() < 1e-5, "{l}");
        assert_eq!(g, Matrix::zeros(2, 1));
        // A larger ε: −ln(1e-7) = 16.118096.
        let l = binary_log_loss(&p, &t, 1e-7, None).unwrap();
        assert!((l - 16.118_096).abs() < 1e-5);
        assert!(binary_log_loss(&p, &t, 0.0, None).is_err());
        assert!(binary_log_loss(&m(&[&[1.5]]), &m(&[&[1.0]]), 1e-7, None).is_err());
    }

    #[test]
    fn bce_from_logits_is_exact_at_a_thousand() {
        let z = m(&[&[1000.0], &[-1000.0], &[1000.0], &[-1000.0]]);
        let t = m(&[&[1.0], &[0.0], &[0.0], &[1.0]]);
        let mut g = Matrix::zeros(0, 0);
        // Right answers cost exactly 0 and wrong ones exactly 1000: mean (0 + 0 + 1000 + 1000)/4.
        let l = binary_cross_entropy_with_logits(&z, &t, Some(&mut g)).unwrap();
        assert_eq!(l, 500.0);
        // σ(±1000) is exactly 1 or 0, so the gradient is (σ − t)/4 = 0, 0, 1/4, −1/4.
        assert_eq!(g, m(&[&[0.0], &[0.0], &[0.25], &[-0.25]]));
        let l = binary_cross_entropy_with_logits(&m(&[&[1000.0]]), &m(&[&[0.0]]), None).unwrap();
        assert_eq!(l, 1000.0);
    }

    #[test]
    fn bce_from_logits_matches_log_loss_and_finite_differences() {
        // At z = 0, σ = ½ and the loss is ln 2 whatever the target.
        let l = binary_cross_entropy_with_logits(&m(&[&[0.0]]), &m(&[&[1.0]]), None).unwrap();
        assert!((l - std::f32::consts::LN_2).abs() < 1e-7);
        let z = m(&[&[0.3, -2.0], &[4.0, 0.01]]);
        let t = m(&[&[1.0, 0.0], &[0.0, 0.25]]);
        let p = z.map(sigmoid);
        let a = binary_cross_entropy_with_logits(&z, &t, None).unwrap();
        let b = binary_log_loss(&p, &t, LOG_LOSS_EPS, None).unwrap();
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        let mut g = Matrix::zeros(0, 0);
        binary_cross_entropy_with_logits(&z, &t, Some(&mut g)).unwrap();
        check_grad("bce", &z, &g, |x| {
            binary_cross_entropy_with_logits(x, &t, None).unwrap()
        });
    }

    #[test]
    fn softmax_cross_entropy_is_exact_at_a_thousand() {
        // lse([1000, −1000, 0]) = 1000 exactly in f32, so the losses are 1000 − z_y: 0, 2000, 1000.
        let row: &[f32] = &[1000.0, -1000.0, 0.0];
        let z = m(&[row, row, row]);
        let t = m(&[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]]);
        let d = softmax_cross_entropy_details(&z, &t).unwrap();
        assert_eq!(d.per_sample_loss, vec![0.0, 2000.0, 1000.0]);
        assert_eq!(d.loss, 1000.0);
        assert_eq!(
            d.probabilities.row(0).iter().copied().collect::<Vec<_>>(),
            [1.0, 0.0, 0.0]
        );
        // Gradient (softmax − t)/3: row 1 is (1, −1, 0)/3.
        let third = 1.0 / 3.0;
        assert_eq!(d.grad[(1, 0)], third);
        assert_eq!(d.grad[(1, 1)], -third);
        assert_eq!(d.grad[(0, 0)], 0.0);
        let l = softmax_cross_entropy_labels(&z, &[0, 1, 2], None).unwrap();
        assert_eq!(l, 1000.0);
    }

    #[test]
    fn softmax_cross_entropy_by_hand_and_finite_differences() {
        // Uniform logits over 4 classes: the loss is ln 4 = 1.386294 for any one-hot target.
        let l = softmax_cross_entropy_labels(&Matrix::zeros(1, 4), &[2], None).unwrap();
        assert!((l - 4.0_f32.ln()).abs() < 1e-6);
        let z = m(&[&[0.5, -1.0, 2.0], &[0.1, 0.2, -0.3]]);
        let soft = m(&[&[0.2, 0.3, 0.5], &[0.0, 1.0, 0.0]]);
        let mut g = Matrix::zeros(0, 0);
        softmax_cross_entropy(&z, &soft, Some(&mut g)).unwrap();
        check_grad("softmax ce", &z, &g, |x| {
            softmax_cross_entropy(x, &soft, None).unwrap()
        });
        // Targets that do not sum to one still get the exact gradient (Σt · softmax − t)/B.
        let odd = m(&[&[0.5, 0.5, 0.5], &[0.0, 2.0, 0.0]]);
        softmax_cross_entropy(&z, &odd, Some(&mut g)).unwrap();
        check_grad("softmax ce, unnormalised targets", &z, &g, |x| {
            softmax_cross_entropy(x, &odd, None).unwrap()
        });
        // Integer labels agree with one-hot targets.
        let labels = [2, 0];
        let oh = one_hot(&labels, 3).unwrap();
        let mut g2 = Matrix::zeros(0, 0);
        let a = softmax_cross_entropy(&z, &oh, Some(&mut g)).unwrap();
        let b = softmax_cross_entropy_labels(&z, &labels, Some(&mut g2)).unwrap();
        assert_eq!(a, b);
        assert_eq!(g, g2);
        // The details agree with the plain function.
        let d = softmax_cross_entropy_details(&z, &soft).unwrap();
        let plain = softmax_cross_entropy(&z, &soft, Some(&mut g)).unwrap();
        assert_eq!(d.loss, plain);
        assert_eq!(d.grad, g);
        let mean: f32 = d.per_sample_loss.iter().sum::<f32>() / 2.0;
        assert!((mean - plain).abs() < 1e-6);
    }

    #[test]
    fn hinge_by_hand_with_the_kink() {
        // Margins y·f: 2 (loss 0), 1 exactly (loss 0, gradient 0), 0.5 (loss 0.5), −1 (loss 2).
        let f = m(&[&[2.0], &[-1.0], &[0.5], &[1.0]]);
        let y = m(&[&[1.0], &[-1.0], &[1.0], &[-1.0]]);
        let mut g = Matrix::zeros(0, 0);
        let l = hinge(&f, &y, Some(&mut g)).unwrap();
        assert_eq!(l, 2.5 / 4.0);
        // dL/df = −y/4 where the margin is below 1.
        assert_eq!(g, m(&[&[0.0], &[0.0], &[-0.25], &[0.25]]));
        // Labels 0/1 are read as −1/+1.
        let y01 = m(&[&[1.0], &[0.0], &[1.0], &[0.0]]);
        assert_eq!(hinge(&f, &y01, None).unwrap(), l);
        assert!(hinge(&f, &m(&[&[2.0], &[0.0], &[1.0], &[0.0]]), None).is_err());
        // Away from the kink the gradient matches finite differences.
        let f = m(&[&[0.3], &[-0.6], &[1.7], &[0.2]]);
        hinge(&f, &y, Some(&mut g)).unwrap();
        check_grad("hinge", &f, &g, |x| hinge(x, &y, None).unwrap());
    }

    #[test]
    fn exponential_and_squared_margin_by_hand() {
        // e^{−1} and e^{0.5}: mean (0.367879 + 1.648721)/2 = 1.008300.
        let f = m(&[&[1.0], &[0.5]]);
        let y = m(&[&[1.0], &[-1.0]]);
        let mut g = Matrix::zeros(0, 0);
        let l = exponential(&f, &y, Some(&mut g)).unwrap();
        assert!((l - 1.008_3).abs() < 1e-6);
        // dL/df = −y e^{−y f}/2: −0.183940 and +0.824361.
        assert!((g[(0, 0)] + 0.183_940).abs() < 1e-6);
        assert!((g[(1, 0)] - 0.824_361).abs() < 1e-6);
        check_grad("exponential", &f, &g, |x| exponential(x, &y, None).unwrap());
        // (1 − 1)² = 0 and (1 + 0.5)² = 2.25: mean 1.125.
        assert_eq!(squared_margin(&f, &y, Some(&mut g)).unwrap(), 1.125);
        check_grad("squared margin", &f, &g, |x| {
            squared_margin(x, &y, None).unwrap()
        });
    }

    #[test]
    fn crammer_singer_by_hand() {
        // Row 0: true class 0 scores 2, best wrong is 1.5 → margin 0.5, loss 0.5.
        // Row 1: true class 2 scores 0, classes 0 and 1 tie at 1 → the first (0) is chosen;
        //        margin −1, loss 2.
        // Row 2: true class 1 scores 3, best wrong 2 → margin exactly 1, loss 0, no gradient.
        let f = m(&[&[2.0, 1.5, -1.0], &[1.0, 1.0, 0.0], &[2.0, 3.0, 0.0]]);
        let h = multiclass_hinge(&f, &[0, 2, 1]).unwrap();
        assert_eq!(h.margin, vec![0.5, -1.0, 1.0]);
        assert_eq!(h.per_sample_loss, vec![0.5, 2.0, 0.0]);
        assert_eq!(h.loss, 2.5 / 3.0);
        assert_eq!(h.best_wrong_class, vec![1, 0, 0]);
        let third = 1.0 / 3.0;
        assert_eq!(h.grad[(1, 0)], third);
        assert_eq!(h.grad[(1, 1)], 0.0);
        assert_eq!(h.grad[(1, 2)], -third);
        assert_eq!(h.grad.row(2).iter().copied().collect::<Vec<_>>(), [0.0; 3]);
        // Finite differences away from ties and kinks.
        let f = m(&[&[2.0, 1.5, -1.0], &[1.2, 0.7, 0.1], &[2.0, 2.4, 0.0]]);
        let labels = [0, 2, 1];
        let h = multiclass_hinge(&f, &labels).unwrap();
        check_grad("crammer-singer", &f, &h.grad, |x| {
            multiclass_hinge(x, &labels).unwrap().loss
        });
        assert!(multiclass_hinge(&f, &[0, 3, 1]).is_err());
        assert!(multiclass_hinge(&f, &[0, 1]).is_err());
    }

    #[test]
    fn margin_losses_by_hand() {
        use MarginLoss::*;
        // At m = 0: 0-1 is 0 (not misclassified yet), squared 1, logistic ln 2, hinge 1, exp 1.
        assert_eq!(ZeroOne.value(0.0), 0.0);
        assert_eq!(ZeroOne.value(-0.1), 1.0);
        assert_eq!(Squared.value(0.0), 1.0);
        assert!((Logistic.value(0.0) - std::f32::consts::LN_2).abs() < 1e-7);
        assert_eq!(Hinge.value(0.0), 1.0);
        assert_eq!(Exponential.value(0.0), 1.0);
        // Derivatives at 0: −2, −½, −1, −1.
        assert_eq!(Squared.derivative(0.0), -2.0);
        assert_eq!(Logistic.derivative(0.0), -0.5);
        assert_eq!(Hinge.derivative(0.0), -1.0);
        assert_eq!(Hinge.derivative(1.0), 0.0);
        assert_eq!(Exponential.derivative(0.0), -1.0);
        // The logistic loss is exact far out: ln(1 + e^{1000}) = 1000, ln(1 + e^{−1000}) = 0.
        assert_eq!(Logistic.value(-1000.0), 1000.0);
        assert_eq!(Logistic.value(1000.0), 0.0);
        for loss in MarginLoss::ALL {
            for i in -30..=30 {
                let x = i as f32 * 0.13 + 0.021; // Avoids the kinks at 0 and 1.
                let h = 1e-2;
                let num = (loss.value(x + h) - loss.value(x - h)) / (2.0 * h);
                assert!(
                    (num - loss.derivative(x)).abs() < 2e-3 * (1.0 + num.abs()),
                    "{} at {x}",
                    loss.name()
                );
            }
        }
    }

    #[test]
    fn gini_and_entropy_by_hand() {
        // Counts (3, 1): p = (¾, ¼), Gini 1 − 9/16 − 1/16 = 6/16 = 0.375.
        assert_eq!(gini_from_counts(&[3.0, 1.0]).unwrap(), 0.375);
        assert_eq!(class_proportions(&[3.0, 1.0]).unwrap(), vec![0.75, 0.25]);
        // Three equal classes: 1 − 3/9 = 2/3; entropy ln 3.
        assert!((gini_from_counts(&[2.0, 2.0, 2.0]).unwrap() - 2.0 / 3.0).abs() < 1e-15);
        assert!((entropy_from_counts(&[2.0, 2.0, 2.0]).unwrap() - 3.0_f64.ln()).abs() < 1e-15);
        // A pure node: Gini 0, entropy 0 (0 ln 0 = 0).
        assert_eq!(gini_from_counts(&[5.0, 0.0]).unwrap(), 0.0);
        assert_eq!(entropy_from_counts(&[5.0, 0.0]).unwrap(), 0.0);
        assert!(gini_from_counts(&[]).is_err());
        assert!(gini_from_counts(&[0.0, 0.0]).is_err());
        assert!(gini_from_counts(&[1.0, -1.0]).is_err());
        // Labels [0, 0, 1, 2]: p = (½, ¼, ¼), Gini 1 − ¼ − 1/16 − 1/16 = 0.625.
        assert_eq!(gini_impurity(&[0, 0, 1, 2]).unwrap(), 0.625);
        let (classes, counts) = count_labels(&[5, 2, 5], None).unwrap();
        assert_eq!((classes, counts), (vec![2, 5], vec![1.0, 2.0]));
        let (_, counts) = count_labels(&[5, 2, 5], Some(&[5, 2, 9])).unwrap();
        assert_eq!(counts, vec![2.0, 1.0, 0.0]);
        assert!(count_labels(&[5, 3], Some(&[5, 2])).is_err());
        // Split [0, 0, 0, 1] | [1, 1]: parent (3, 3) → ½; left ¾·¼·2 = 0.375; right 0;
        // weighted (4·0.375 + 2·0)/6 = 0.25; gain 0.25.
        let s = gini_split(&[0, 0, 0, 1], &[1, 1]).unwrap();
        assert_eq!(s.parent, 0.5);
        assert_eq!(s.left, 0.375);
        assert_eq!(s.right, 0.0);
        assert_eq!(s.weighted, 0.25);
        assert_eq!(s.gain, 0.25);
        let none = gini_split(&[0, 1], &[]).unwrap();
        assert_eq!((none.weighted, none.gain), (0.5, 0.0));
        assert!(gini_split(&[], &[]).is_err());
        // Binary curves: both peak at p = ½ (Gini ½, entropy ln 2) and vanish at 0 and 1.
        assert_eq!(binary_gini(0.5), 0.5);
        assert_eq!(binary_gini(1.0), 0.0);
        assert!((binary_entropy(0.5) - std::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(binary_entropy(0.0), 0.0);
        assert!(binary_entropy(1.5).is_nan());
    }

    #[test]
    fn loss_enum_gradients_match_finite_differences() {
        let out = m(&[&[0.3], &[-1.4], &[0.8], &[2.2]]);
        let bin = m(&[&[1.0], &[0.0], &[0.0], &[1.0]]);
        let multi_out = m(&[&[0.3, -0.2, 1.1], &[-1.4, 0.6, 0.0]]);
        let multi_t = m(&[&[0.0, 0.0, 1.0], &[1.0, 0.0, 0.0]]);
        let mut g = Matrix::zeros(0, 0);
        for loss in Loss::ALL {
            let (o, t) = if loss == Loss::SoftmaxCrossEntropy {
                (&multi_out, &multi_t)
            } else {
                (&out, &bin)
            };
            let v = loss.value_and_grad(o, t, &mut g).unwrap();
            assert_eq!(v, loss.value(o, t).unwrap(), "{}", loss.name());
            check_grad(loss.name(), o, &g, |x| loss.value(x, t).unwrap());
            let per = loss.per_sample(o, t).unwrap();
            let mean = per.iter().map(|&v| f64::from(v)).sum::<f64>() / per.len() as f64;
            assert!(
                (mean as f32 - v).abs() < 1e-5,
                "{} per-sample mean",
                loss.name()
            );
            assert_eq!(Loss::from_name(loss.name()).unwrap(), loss);
        }
        assert!(Loss::from_name("cross_entropy").is_err());
        assert_eq!(
            Loss::from_name("logistic").unwrap(),
            Loss::BinaryCrossEntropy
        );
    }

    #[test]
    fn loss_enum_reuses_the_gradient_buffer() {
        let o = m(&[&[0.5], &[-0.5]]);
        let t = m(&[&[1.0], &[0.0]]);
        let mut g = Matrix::zeros(2, 1);
        let before = g.as_ptr();
        Loss::BinaryCrossEntropy
            .value_and_grad(&o, &t, &mut g)
            .unwrap();
        assert_eq!(g.as_ptr(), before, "no reallocation when the shape matches");
    }

    #[test]
    fn loss_enum_refuses_bad_input() {
        let o = m(&[&[0.5], &[-0.5]]);
        let mut g = Matrix::zeros(0, 0);
        // Shape mismatch.
        let err = Loss::MeanSquaredError
            .value_and_grad(&o, &m(&[&[1.0, 2.0]]), &mut g)
            .unwrap_err();
        assert!(matches!(err, EngineError::ShapeMismatch { .. }), "{err}");
        // Empty batch.
        let e = Matrix::zeros(0, 1);
        assert!(matches!(
            Loss::MeanSquaredError.value(&e, &e),
            Err(EngineError::Empty { .. })
        ));
        // Non-finite output.
        let nan = m(&[&[f32::NAN], &[0.0]]);
        assert!(matches!(
            Loss::BinaryCrossEntropy.value(&nan, &m(&[&[1.0], &[0.0]])),
            Err(EngineError::NonFinite { .. })
        ));
        // The message names the loss and which of its two inputs is not finite.
        for (output, target, part) in [(&nan, &o, "output"), (&o, &nan, "target")] {
            let err = Loss::MeanSquaredError.value(output, target).unwrap_err();
            let name = Loss::MeanSquaredError.name();
            assert!(err.to_string().contains(&format!("{name} {part}")), "{err}");
        }
        // Binary margin losses need 0/1 (or ±1) labels; softmax needs two classes.
        assert!(Loss::Hinge.value(&o, &m(&[&[0.5], &[0.0]])).is_err());
        assert!(
            Loss::SoftmaxCrossEntropy
                .value(&o, &m(&[&[1.0], &[0.0]]))
                .is_err()
        );
        // An overflowing exponential loss is an error in training.
        let big = m(&[&[-200.0]]);
        assert!(matches!(
            Loss::Exponential.value_and_grad(&big, &m(&[&[1.0]]), &mut g),
            Err(EngineError::NonFinite { .. })
        ));
    }

    #[test]
    fn predictions_from_outputs() {
        let f = m(&[&[0.0], &[2.0], &[-3.0]]);
        let mut p = Matrix::zeros(0, 0);
        Loss::BinaryCrossEntropy
            .predict_probabilities(&f, &mut p)
            .unwrap();
        assert_eq!(p[(0, 0)], 0.5);
        assert!((p[(1, 0)] - 0.880_797).abs() < 1e-6); // σ(2).
        Loss::Exponential.predict_probabilities(&f, &mut p).unwrap();
        assert!((p[(1, 0)] - 0.982_014).abs() < 1e-6); // σ(4).
        Loss::Hinge.predict_probabilities(&f, &mut p).unwrap();
        assert_eq!(p, m(&[&[0.5], &[1.0], &[0.0]]));
        assert_eq!(
            Loss::Hinge.predict_labels(&f).unwrap(),
            vec![1, 1, 0],
            "f ≥ 0 is the positive class"
        );
        let z = m(&[&[1000.0, -1000.0, 0.0], &[1.0, 3.0, 3.0]]);
        Loss::SoftmaxCrossEntropy
            .predict_probabilities(&z, &mut p)
            .unwrap();
        assert_eq!(
            p.row(0).iter().copied().collect::<Vec<_>>(),
            [1.0, 0.0, 0.0]
        );
        assert_eq!(
            Loss::SoftmaxCrossEntropy.predict_labels(&z).unwrap(),
            vec![0, 1],
            "ties go to the first maximum"
        );
        assert!(Loss::MeanSquaredError.predict_labels(&f).is_err());
        assert_eq!(Loss::Hinge.output_meaning(), OutputMeaning::Score);
        assert_eq!(Loss::SoftmaxCrossEntropy.task(), Task::Multiclass);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = f32> {
            prop_oneof![
                -1e3_f32..1e3,
                Just(f32::NAN),
                Just(f32::INFINITY),
                Just(f32::NEG_INFINITY),
                Just(0.0),
                Just(1.0),
                Just(-1.0),
            ]
        }

        fn matrix() -> impl Strategy<Value = Matrix> {
            (0usize..4, 0usize..4).prop_flat_map(|(r, c)| {
                proptest::collection::vec(value(), r * c)
                    .prop_map(move |v| Matrix::from_vec(r, c, v))
            })
        }

        proptest! {
            #[test]
            fn losses_never_panic(
                a in matrix(),
                b in matrix(),
                eps in prop_oneof![Just(f64::NAN), -1.0..1.0f64],
                labels in proptest::collection::vec(0usize..5, 0..4),
                ints in proptest::collection::vec(-2i64..3, 0..6),
            ) {
                let mut g = Matrix::zeros(0, 0);
                for loss in Loss::ALL {
                    let _ = loss.value_and_grad(&a, &b, &mut g);
                    let _ = loss.value(&a, &b);
                    let _ = loss.per_sample(&a, &b);
                    let _ = loss.predict_probabilities(&a, &mut g);
                    let _ = loss.predict_labels(&a);
                }
                let _ = mean_squared_error(&a, &b, Some(&mut g));
                let _ = sum_squared_error(&a, &b, Some(&mut g));
                let _ = half_squared_error(&a, &b, Some(&mut g));
                let _ = binary_log_loss(&a, &b, eps, Some(&mut g));
                let _ = binary_cross_entropy_with_logits(&a, &b, Some(&mut g));
                let _ = softmax_cross_entropy(&a, &b, Some(&mut g));
                let _ = softmax_cross_entropy_details(&a, &b);
                let _ = softmax_cross_entropy_labels(&a, &labels, Some(&mut g));
                let _ = hinge(&a, &b, Some(&mut g));
                let _ = exponential(&a, &b, Some(&mut g));
                let _ = squared_margin(&a, &b, Some(&mut g));
                let _ = multiclass_hinge(&a, &labels);
                let _ = one_hot(&labels, a.ncols());
                let counts: Vec<f64> = a.iter().map(|&v| f64::from(v)).collect();
                let _ = gini_from_counts(&counts);
                let _ = entropy_from_counts(&counts);
                let _ = gini_impurity(&ints);
                let (l, r) = ints.split_at(ints.len() / 2);
                let _ = gini_split(l, r);
                let _ = count_labels(&ints, Some(r));
                let _ = binary_entropy(eps);
                let _ = binary_gini(eps);
            }
        }
    }
}
