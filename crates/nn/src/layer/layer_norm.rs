//! Layer normalization: each sample (each token, for sequences) is standardised over its own
//! features, then scaled and shifted by learnable `γ` and `β`. Unlike batch normalization it
//! uses no batch statistics, so training and evaluation compute the same thing.

use crate::error::{EngineError, Result};
use crate::layer::{Mode, Module, Param, ParamKind};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// The default `ε` added to the variance before the square root.
pub const DEFAULT_EPS: f32 = 1e-5;

/// Layer normalization over each group of `D` features.
///
/// A group is a whole sample for `Flat(n)` (`D = n`) and for an image (`D = C·H·W`, like
/// PyTorch's `LayerNorm((C, H, W))`), and one token for `Sequence { len, dim }` (`D = dim`).
/// For each group: `μ = Σx / D`, `σ² = Σ(x − μ)² / D`, `x̂ = (x − μ) / √(σ² + ε)` and
/// `y_j = γ_j x̂_j + β_j`, with `γ`, `β` shared across groups (one per position `j` in a group).
/// A group of one feature has `x̂ = 0`, so `y = β`. The layer keeps no state between passes, so
/// NaN or an infinity in a group is not refused: it makes that group's outputs NaN.
///
/// # Shapes
/// - Input and output: `(batch, n)` with `n = shape.size()`.
/// - `γ`, `β`: `(D)`. Statistics: `(batch · groups per sample)`, group `t` of sample `r` at
///   index `r · groups + t`.
///
/// # Gradients
/// With `g = dL/dy`: `dL/dβ_j = Σ_groups g_j`, `dL/dγ_j = Σ_groups g_j x̂_j`, and within a group,
/// with `ĝ = γ ⊙ g`: `dL/dx = 1 / √(σ² + ε) · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂))`.
#[derive(Debug, Clone)]
pub struct LayerNorm {
    shape: Shape,
    dim: usize,
    eps: f32,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    dgamma: Vec<f32>,
    dbeta: Vec<f32>,
    mean: Vec<f32>,
    var: Vec<f32>,
    inv_std: Vec<f32>,
    acc_a: Vec<f64>,
    acc_b: Vec<f64>,
    x_hat: Matrix,
    y: Matrix,
    dx: Matrix,
}

impl LayerNorm {
    /// Layer normalization for samples of `shape`, with `γ = 1`, `β = 0`, `ε = 1e-5`.
    pub fn new(shape: Shape) -> Result<Self> {
        let dim = match shape {
            Shape::Sequence { dim, .. } => dim,
            other => other.size(),
        };
        if dim == 0 || shape.size() == 0 {
            return Err(EngineError::Invalid(format!(
                "layer normalization needs at least one feature, got samples of shape {shape}"
            )));
        }
        let n = shape.size();
        Ok(Self {
            shape,
            dim,
            eps: DEFAULT_EPS,
            gamma: vec![1.0; dim],
            beta: vec![0.0; dim],
            dgamma: vec![0.0; dim],
            dbeta: vec![0.0; dim],
            mean: Vec::new(),
            var: Vec::new(),
            inv_std: Vec::new(),
            acc_a: Vec::new(),
            acc_b: Vec::new(),
            x_hat: Matrix::zeros(0, n),
            y: Matrix::zeros(0, n),
            dx: Matrix::zeros(0, n),
        })
    }

    /// `D`, the number of features normalised together (the length of `γ` and `β`).
    pub fn group_size(&self) -> usize {
        self.dim
    }

    /// Groups per sample: the sequence length, or 1.
    pub fn groups_per_sample(&self) -> usize {
        self.shape.size() / self.dim
    }

    /// `ε`, added to the variance before the square root.
    pub fn eps(&self) -> f32 {
        self.eps
    }

    /// Sets `ε` (finite and positive).
    pub fn set_eps(&mut self, eps: f32) -> Result<()> {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(EngineError::hyper(
                "layer-norm ε",
                eps,
                "it must be a positive number",
            ));
        }
        self.eps = eps;
        Ok(())
    }

    /// The scale `γ`.
    pub fn gamma(&self) -> &[f32] {
        &self.gamma
    }

    /// The shift `β`.
    pub fn beta(&self) -> &[f32] {
        &self.beta
    }

    /// Sets `γ` (`D` finite values).
    pub fn set_gamma(&mut self, gamma: &[f32]) -> Result<()> {
        copy_checked("layer-norm γ", gamma, &mut self.gamma)
    }

    /// Sets `β` (`D` finite values).
    pub fn set_beta(&mut self, beta: &[f32]) -> Result<()> {
        copy_checked("layer-norm β", beta, &mut self.beta)
    }

    /// Each group's mean `μ` in the last forward pass.
    pub fn mean(&self) -> &[f32] {
        &self.mean
    }

    /// Each group's biased variance `σ²` in the last forward pass.
    pub fn var(&self) -> &[f32] {
        &self.var
    }

    /// The normalised input `x̂` of the last forward pass, `(batch, n)`.
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

impl Module for LayerNorm {
    fn kind(&self) -> &'static str {
        "layer_norm"
    }

    fn input_shape(&self) -> Shape {
        self.shape
    }

    fn output_shape(&self) -> Shape {
        self.shape
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("layer-norm input", input, self.shape.size())?;
        let (rows, cols) = input.shape();
        let groups = self.groups_per_sample();
        let total = rows * groups;
        let d = self.dim;
        let dn = d as f64;
        self.acc_a.clear();
        self.acc_a.resize(total, 0.0);
        self.acc_b.clear();
        self.acc_b.resize(total, 0.0);
        // Column c of the row belongs to group c / D of its sample; columns are contiguous.
        for c in 0..cols {
            let base = c / d;
            for (r, &x) in input.column(c).iter().enumerate() {
                self.acc_a[r * groups + base] += f64::from(x);
            }
        }
        for c in 0..cols {
            let base = c / d;
            for (r, &x) in input.column(c).iter().enumerate() {
                let k = r * groups + base;
                self.acc_b[k] += (f64::from(x) - self.acc_a[k] / dn).powi(2);
            }
        }
        self.mean.resize(total, 0.0);
        self.var.resize(total, 0.0);
        self.inv_std.resize(total, 0.0);
        let eps = f64::from(self.eps);
        for k in 0..total {
            let var = self.acc_b[k] / dn;
            self.mean[k] = (self.acc_a[k] / dn) as f32;
            self.var[k] = var as f32;
            self.inv_std[k] = (1.0 / (var + eps).sqrt()) as f32;
        }
        ensure_shape(&mut self.x_hat, rows, cols);
        ensure_shape(&mut self.y, rows, cols);
        for c in 0..cols {
            let (base, j) = (c / d, c % d);
            let (g, b) = (self.gamma[j], self.beta[j]);
            let x_col = input.column(c);
            let mut xh_col = self.x_hat.column_mut(c);
            for (r, (xh, &x)) in xh_col.iter_mut().zip(x_col.iter()).enumerate() {
                let k = r * groups + base;
                *xh = (x - self.mean[k]) * self.inv_std[k];
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
                "layer-norm output gradient",
                self.x_hat.shape(),
                grad_output.shape(),
            ));
        }
        let (rows, cols) = grad_output.shape();
        let groups = self.groups_per_sample();
        let d = self.dim;
        let dn = d as f64;
        // acc_a[k] = Σ_j γ_j g_j and acc_b[k] = Σ_j γ_j g_j x̂_j over group k.
        self.acc_a.fill(0.0);
        self.acc_b.fill(0.0);
        self.dgamma.fill(0.0);
        self.dbeta.fill(0.0);
        for c in 0..cols {
            let (base, j) = (c / d, c % d);
            let gamma = f64::from(self.gamma[j]);
            let (mut sg, mut sgx) = (0.0_f64, 0.0_f64);
            for (r, (&g, &xh)) in grad_output
                .column(c)
                .iter()
                .zip(self.x_hat.column(c).iter())
                .enumerate()
            {
                let (g, xh) = (f64::from(g), f64::from(xh));
                sg += g;
                sgx += g * xh;
                let k = r * groups + base;
                self.acc_a[k] += gamma * g;
                self.acc_b[k] += gamma * g * xh;
            }
            self.dbeta[j] += sg as f32;
            self.dgamma[j] += sgx as f32;
        }
        ensure_shape(&mut self.dx, rows, cols);
        for c in 0..cols {
            let (base, j) = (c / d, c % d);
            let gamma = self.gamma[j];
            let g_col = grad_output.column(c);
            let xh_col = self.x_hat.column(c);
            for (r, ((dx, &g), &xh)) in self
                .dx
                .column_mut(c)
                .iter_mut()
                .zip(g_col.iter())
                .zip(xh_col.iter())
                .enumerate()
            {
                let k = r * groups + base;
                let mean_g = (self.acc_a[k] / dn) as f32;
                let mean_gx = (self.acc_b[k] / dn) as f32;
                *dx = self.inv_std[k] * (gamma * g - mean_g - xh * mean_gx);
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
    fn forward_by_hand() {
        let mut ln = LayerNorm::new(Shape::Flat(4)).unwrap();
        ln.set_gamma(&[1.0, 2.0, 1.0, 1.0]).unwrap();
        ln.set_beta(&[0.0, 0.0, 0.0, 0.5]).unwrap();
        let x = from_rows(&[vec![1.0, 2.0, 3.0, 4.0], vec![5.0, 5.0, 5.0, 5.0]]).unwrap();
        ln.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Row 0: μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25.
        assert_eq!(ln.mean(), &[2.5, 5.0]);
        assert_eq!(ln.var(), &[1.25, 0.0]);
        let s = 1.0 / (1.25_f64 + 1e-5).sqrt();
        close(ln.output()[(0, 0)], -1.5 * s, 1e-6, "y00");
        close(ln.output()[(0, 1)], 2.0 * -0.5 * s, 1e-6, "y01");
        close(ln.output()[(0, 3)], 1.5 * s + 0.5, 1e-6, "y03");
        // A constant row normalises to 0 and gives β.
        assert_eq!(ln.output()[(1, 3)], 0.5);
        assert_eq!(ln.output()[(1, 0)], 0.0);
    }

    #[test]
    fn sequences_normalise_each_token() {
        let mut ln = LayerNorm::new(Shape::Sequence { len: 2, dim: 2 }).unwrap();
        let x = from_rows(&[vec![1.0, 3.0, 10.0, 10.0]]).unwrap();
        ln.forward(&x, Mode::Eval, &mut Rng::new(0)).unwrap();
        // Token 0: μ = 2, σ² = 1 → x̂ = ∓1/√(1 + 1e-5). Token 1 is constant → 0.
        assert_eq!(ln.mean(), &[2.0, 10.0]);
        let s = 1.0 / (1.0_f64 + 1e-5).sqrt();
        close(ln.output()[(0, 0)], -s, 1e-6, "token 0");
        close(ln.output()[(0, 1)], s, 1e-6, "token 0");
        assert_eq!(ln.output()[(0, 2)], 0.0);
        assert_eq!(ln.group_size(), 2);
        assert_eq!(ln.param_count(), 4);
    }

    fn gradient_check(shape: Shape, x: &Matrix) {
        let mut ln = LayerNorm::new(shape).unwrap();
        let d = ln.group_size();
        let gamma: Vec<f32> = (0..d).map(|j| 0.7 + 0.25 * j as f32).collect();
        let beta: Vec<f32> = (0..d).map(|j| 0.1 * j as f32 - 0.2).collect();
        ln.set_gamma(&gamma).unwrap();
        ln.set_beta(&beta).unwrap();
        let g = Matrix::from_fn(x.nrows(), x.ncols(), |r, c| {
            ((r * 3 + c * 5) % 7) as f32 * 0.3 - 0.8
        });
        let loss = |l: &mut LayerNorm, x: &Matrix| -> f64 {
            l.forward(x, Mode::Train, &mut Rng::new(0)).unwrap();
            l.output()
                .iter()
                .zip(g.iter())
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum()
        };
        loss(&mut ln, x);
        ln.backward(x, &g).unwrap();
        let h = 1e-2_f32;
        let hd = 2.0 * f64::from(h);
        for i in 0..x.len() {
            let mut xp = x.clone();
            xp.as_mut_slice()[i] += h;
            let mut xm = x.clone();
            xm.as_mut_slice()[i] -= h;
            let num = (loss(&mut ln.clone(), &xp) - loss(&mut ln.clone(), &xm)) / hd;
            close(
                ln.grad_input().as_slice()[i],
                num,
                2e-3,
                &format!("dx[{i}]"),
            );
        }
        for j in 0..d {
            let with = |gm: &[f32], bt: &[f32]| {
                let mut l = ln.clone();
                l.set_gamma(gm).unwrap();
                l.set_beta(bt).unwrap();
                loss(&mut l, x)
            };
            let (mut gp, mut gm) = (gamma.clone(), gamma.clone());
            gp[j] += h;
            gm[j] -= h;
            let num = (with(&gp, &beta) - with(&gm, &beta)) / hd;
            close(ln.grad_gamma()[j], num, 2e-3, &format!("dγ[{j}]"));
            let (mut bp, mut bm) = (beta.clone(), beta.clone());
            bp[j] += h;
            bm[j] -= h;
            let num = (with(&gamma, &bp) - with(&gamma, &bm)) / hd;
            close(ln.grad_beta()[j], num, 2e-3, &format!("dβ[{j}]"));
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let x = Matrix::from_fn(3, 4, |r, c| ((r * 5 + c * 3) % 7) as f32 * 0.4 - 1.1);
        gradient_check(Shape::Flat(4), &x);
        gradient_check(Shape::Flat(4), &x.rows(0, 1).into_owned());
        let x = Matrix::from_fn(2, 6, |r, c| ((r * 2 + c * 5) % 7) as f32 * 0.3 - 0.9);
        gradient_check(Shape::Sequence { len: 2, dim: 3 }, &x);
        gradient_check(
            Shape::Image {
                channels: 2,
                height: 1,
                width: 3,
            },
            &x,
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(LayerNorm::new(Shape::Flat(0)).is_err());
        assert!(LayerNorm::new(Shape::Sequence { len: 3, dim: 0 }).is_err());
        let mut ln = LayerNorm::new(Shape::Flat(2)).unwrap();
        assert!(ln.set_eps(-1.0).is_err());
        assert!(ln.set_beta(&[1.0, f32::NAN]).is_err());
        assert!(
            ln.forward(&Matrix::zeros(1, 3), Mode::Train, &mut Rng::new(0))
                .is_err()
        );
        ln.forward(&Matrix::zeros(1, 2), Mode::Train, &mut Rng::new(0))
            .unwrap();
        assert!(
            ln.backward(&Matrix::zeros(1, 2), &Matrix::zeros(2, 2))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn never_panics(
            rows in 0usize..4,
            cols in 0usize..7,
            seq in any::<bool>(),
            a in 0usize..3,
            b in 0usize..3,
            v in prop_oneof![-1e3f32..1e3, Just(f32::NAN), Just(f32::INFINITY)],
        ) {
            let shape = if seq { Shape::Sequence { len: a, dim: b } } else { Shape::Flat(a) };
            if let Ok(mut ln) = LayerNorm::new(shape) {
                let x = Matrix::from_fn(rows, cols, |r, c| v * (r as f32 + c as f32));
                let _ = ln.forward(&x, Mode::Train, &mut Rng::new(0));
                let _ = ln.backward(&x, &x);
            }
        }
    }
}
