//! Penalised linear regression: the lasso (L1), ridge (L2) and the elastic net, their objective
//! with its gradient, and their coefficient paths over a grid of penalty rates, solved by
//! coordinate descent in scikit-learn's form `Σ r²/(2n) + α·(ρ·Σ|w| + ½(1 − ρ)·Σ w²)`.
//!
//! This is the classical model the regularisation figure uses to show how each penalty shrinks
//! coefficients; the same penalties on a network are in [`crate::regularize`].

use crate::error::{EngineError, Result, check_range};
use crate::regularize::Penalty;
use crate::tensor::Matrix;

/// How a linear-regression objective scales its squared residuals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SquaredError {
    /// `Σ r²`: the author's notes and the textbook lasso/ridge form.
    Sum,
    /// `Σ r² / (2n)`: scikit-learn's `Lasso` and `ElasticNet` form.
    HalfMean,
}

/// A penalised linear-regression objective `E(r) + Ω(w)`, with residuals `r = y − X w − b`
/// (`X` is `n × d`, one sample per row; the intercept `b` is not penalised).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearObjective {
    /// How the squared residuals are scaled.
    pub data_term: SquaredError,
    /// The penalty on `w`.
    pub penalty: Penalty,
}

/// The objective's value and its intercept derivative at a point (`∂/∂w` goes to the caller's
/// buffer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectiveValue {
    /// The objective.
    pub objective: f32,
    /// `∂objective/∂b`.
    pub dobj_db: f32,
}

impl LinearObjective {
    /// The notes' lasso: `Σ r² + λ·Σ|w|`.
    pub fn lasso(lambda: f32) -> Self {
        Self {
            data_term: SquaredError::Sum,
            penalty: Penalty::L1 { lambda },
        }
    }

    /// The notes' ridge: `Σ r² + λ·Σ w²`.
    pub fn ridge(lambda: f32) -> Self {
        Self {
            data_term: SquaredError::Sum,
            penalty: Penalty::L2 { lambda },
        }
    }

    /// scikit-learn's `ElasticNet(alpha, l1_ratio)` objective:
    /// `Σ r²/(2n) + α·(ρ·Σ|w| + ½(1 − ρ)·Σ w²)` (ρ = 1 is scikit-learn's `Lasso(alpha)`).
    pub fn elastic_net(alpha: f32, l1_ratio: f32) -> Self {
        Self {
            data_term: SquaredError::HalfMean,
            penalty: Penalty::ElasticNet { alpha, l1_ratio },
        }
    }

    /// The objective at `(w, b)` for data `x` (`n × d`), `y` (`n`), writing `∂/∂w` into
    /// `dobj_dw` (`d`): `∂E/∂w = −s·Xᵀr`, `∂E/∂b = −s·Σ r` with `s = 2` for [`SquaredError::Sum`]
    /// and `1/n` for [`SquaredError::HalfMean`], plus the penalty's gradient. Sums run in `f64`.
    pub fn evaluate(
        &self,
        x: &Matrix,
        y: &[f32],
        w: &[f32],
        b: f32,
        dobj_dw: &mut [f32],
    ) -> Result<ObjectiveValue> {
        self.penalty.validate()?;
        check_regression_data(x, y)?;
        let d = x.ncols();
        if w.len() != d || dobj_dw.len() != d {
            return Err(EngineError::ShapeMismatch {
                what: "linear-regression weights and their gradient".to_owned(),
                expected: format!("{d} values each (one per column of X)"),
                got: format!("{} and {}", w.len(), dobj_dw.len()),
            });
        }
        if !w.iter().all(|v| v.is_finite()) || !b.is_finite() {
            return Err(EngineError::NonFinite {
                what: "linear-regression weights".to_owned(),
            });
        }
        let n = y.len();
        let mut residuals: Vec<f64> = y.iter().map(|&v| f64::from(v) - f64::from(b)).collect();
        for (col, &wj) in x.column_iter().zip(w) {
            for (r, &xij) in residuals.iter_mut().zip(col.iter()) {
                *r -= f64::from(xij) * f64::from(wj);
            }
        }
        let scale = match self.data_term {
            SquaredError::Sum => 2.0,
            SquaredError::HalfMean => 1.0 / n as f64,
        };
        let sum_sq: f64 = residuals.iter().map(|r| r * r).sum();
        // Σr² for `Sum` (s = 2) and Σr²/(2n) for `HalfMean` (s = 1/n): both are s·Σr²/2.
        let data = sum_sq * scale / 2.0;
        for (g, col) in dobj_dw.iter_mut().zip(x.column_iter()) {
            let dot: f64 = col
                .iter()
                .zip(&residuals)
                .map(|(&xij, r)| f64::from(xij) * r)
                .sum();
            *g = (-scale * dot) as f32;
        }
        self.penalty.add_gradient(w, dobj_dw)?;
        let objective = (data + f64::from(self.penalty.value(w))) as f32;
        let dobj_db = (-scale * residuals.iter().sum::<f64>()) as f32;
        Ok(ObjectiveValue { objective, dobj_db })
    }
}

/// Checks regression data: `x` non-empty, `y` one value per row of `x`, everything finite.
fn check_regression_data(x: &Matrix, y: &[f32]) -> Result<()> {
    if x.is_empty() {
        return Err(EngineError::Empty {
            what: "X (the regression inputs)".to_owned(),
        });
    }
    if x.nrows() != y.len() {
        return Err(EngineError::ShapeMismatch {
            what: "regression targets y".to_owned(),
            expected: format!("{} values (one per row of X)", x.nrows()),
            got: format!("{} values", y.len()),
        });
    }
    if !x.iter().all(|v| v.is_finite()) {
        return Err(EngineError::NonFinite {
            what: "X (the regression inputs)".to_owned(),
        });
    }
    if !y.iter().all(|v| v.is_finite()) {
        return Err(EngineError::NonFinite {
            what: "regression targets y".to_owned(),
        });
    }
    Ok(())
}

/// Which penalty a coefficient path uses, in scikit-learn's parametrisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathPenalty {
    /// Lasso, `α·Σ|w|` (elastic net with ρ = 1).
    Lasso,
    /// Ridge, `½α·Σ w²` (elastic net with ρ = 0; scikit-learn's `Ridge(alpha = n·α)`).
    Ridge,
    /// Elastic net, `α·(ρ·Σ|w| + ½(1 − ρ)·Σ w²)`.
    ElasticNet {
        /// ρ in `[0, 1]`.
        l1_ratio: f32,
    },
}

impl PathPenalty {
    /// ρ, the L1 share.
    pub fn l1_ratio(self) -> f32 {
        match self {
            PathPenalty::Lasso => 1.0,
            PathPenalty::Ridge => 0.0,
            PathPenalty::ElasticNet { l1_ratio } => l1_ratio,
        }
    }
}

/// The most coordinate-descent sweeps per λ.
const MAX_SWEEPS: usize = 10_000;

/// The coefficients `w(α)` of penalised linear regression for each α in `lambdas`: one vector
/// of `d` coefficients per α, in the order given.
///
/// Each minimises scikit-learn's elastic-net objective
/// `Σ r²/(2n) + α·(ρ·Σ|w| + ½(1 − ρ)·Σ w²)`, `r = y − X w − b`, with an unpenalised intercept
/// (fitted by centring `X` and `y`, as scikit-learn's `fit_intercept=True`). It is solved by
/// cyclic coordinate descent, scikit-learn's algorithm: each coordinate in turn is set to
/// `S(x_jᵀ r₋ⱼ / n, αρ) / (‖x_j‖²/n + α(1 − ρ))`, where `S(z, t) = sign(z)·max(|z| − t, 0)` is
/// soft-thresholding and `r₋ⱼ` the residual without feature `j`. Soft-thresholding returns an
/// exact 0 whenever `|z| ≤ αρ`: that is why lasso coefficients become exactly zero, while ridge
/// (ρ = 0) only shrinks them. Paths are warm-started from the previous α and swept (in `f64`)
/// until no coefficient moves by more than 1e-12 of the largest, or 10 000 sweeps.
pub fn coefficient_paths(
    x: &Matrix,
    y: &[f32],
    penalty: PathPenalty,
    lambdas: &[f32],
) -> Result<Vec<Vec<f32>>> {
    check_regression_data(x, y)?;
    let rho = f64::from(check_range("l1_ratio", penalty.l1_ratio(), 0.0, 1.0)?);
    for &a in lambdas {
        if !(a.is_finite() && a >= 0.0) {
            return Err(EngineError::hyper(
                "alpha",
                a,
                "a penalty strength must be a finite number, 0 or more",
            ));
        }
    }
    let nf = x.nrows() as f64;
    let (columns, yc) = centred(x, y);
    let norms: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().map(|v| v * v).sum())
        .collect();
    let mut w = vec![0.0_f64; x.ncols()];
    let mut residual = yc;
    let mut paths = Vec::with_capacity(lambdas.len());
    for &alpha in lambdas {
        let alpha = f64::from(alpha);
        let threshold = alpha * rho;
        let ridge = alpha * (1.0 - rho);
        for _ in 0..MAX_SWEEPS {
            let mut max_change = 0.0_f64;
            let mut max_w = 0.0_f64;
            for ((wj, col), &norm) in w.iter_mut().zip(&columns).zip(&norms) {
                let old = *wj;
                let denominator = norm / nf + ridge;
                let new = if norm == 0.0 || denominator <= 0.0 {
                    0.0
                } else {
                    let z = col.iter().zip(&residual).map(|(c, r)| c * r).sum::<f64>() / nf
                        + norm / nf * old;
                    soft_threshold(z, threshold) / denominator
                };
                if new != old {
                    let delta = new - old;
                    for (r, c) in residual.iter_mut().zip(col) {
                        *r -= c * delta;
                    }
                    *wj = new;
                }
                max_change = max_change.max((new - old).abs());
                max_w = max_w.max(new.abs());
            }
            if max_change <= 1e-12 * max_w || max_change == 0.0 {
                break;
            }
        }
        paths.push(w.iter().map(|&v| v as f32).collect());
    }
    Ok(paths)
}

/// The smallest α at which every lasso / elastic-net coefficient is exactly zero:
/// `max_j |x_jᵀ (y − ȳ)| / (n·ρ)` on centred `X` (scikit-learn's `alpha_max`), rounded up to
/// the next `f32`. Ridge (ρ = 0)
/// has none: its coefficients reach zero only as α → ∞.
pub fn alpha_max(x: &Matrix, y: &[f32], penalty: PathPenalty) -> Result<f32> {
    check_regression_data(x, y)?;
    let rho = check_range("l1_ratio", penalty.l1_ratio(), 0.0, 1.0)?;
    if rho == 0.0 {
        return Err(EngineError::hyper(
            "l1_ratio",
            rho,
            "ridge never sets a coefficient exactly to zero, so it has no largest useful alpha",
        ));
    }
    let (columns, yc) = centred(x, y);
    let max_dot = columns
        .iter()
        .map(|c| c.iter().zip(&yc).map(|(a, b)| a * b).sum::<f64>().abs())
        .fold(0.0_f64, f64::max);
    let exact = max_dot / (x.nrows() as f64 * f64::from(rho));
    // Rounded up to an `f32`, so that passing it back gives all zeros, as promised.
    let rounded = exact as f32;
    Ok(if f64::from(rounded) < exact {
        rounded.next_up()
    } else {
        rounded
    })
}

/// `count` values from `alpha_max` down to `alpha_max·ratio`, evenly spaced on a log scale
/// (scikit-learn's default grid uses `ratio = 1e-3`, `count = 100`).
pub fn alpha_grid(alpha_max: f32, count: usize, ratio: f32) -> Result<Vec<f32>> {
    if !(alpha_max.is_finite() && alpha_max > 0.0) {
        return Err(EngineError::hyper(
            "alpha_max",
            alpha_max,
            "it must be a finite number greater than 0",
        ));
    }
    if !(ratio.is_finite() && ratio > 0.0 && ratio <= 1.0) {
        return Err(EngineError::hyper(
            "ratio",
            ratio,
            "it must be a number greater than 0 and at most 1",
        ));
    }
    let (hi, lo) = (f64::from(alpha_max).ln(), f64::from(alpha_max * ratio).ln());
    Ok((0..count)
        .map(|i| {
            let t = if count > 1 {
                i as f64 / (count - 1) as f64
            } else {
                0.0
            };
            (hi + (lo - hi) * t).exp() as f32
        })
        .collect())
}

/// `S(z, t) = sign(z)·max(|z| − t, 0)`, exactly 0 when `|z| ≤ t`.
fn soft_threshold(z: f64, t: f64) -> f64 {
    if z > t {
        z - t
    } else if z < -t {
        z + t
    } else {
        0.0
    }
}

/// `X`'s columns minus their means (as `f64` vectors) and `y` minus its mean.
fn centred(x: &Matrix, y: &[f32]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = x.nrows() as f64;
    let columns = x
        .column_iter()
        .map(|c| {
            let mean = c.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            c.iter().map(|&v| f64::from(v) - mean).collect()
        })
        .collect();
    let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let yc = y.iter().map(|&v| f64::from(v) - mean).collect();
    (columns, yc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;
    use proptest::prelude::*;

    fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    fn data() -> (Matrix, Vec<f32>) {
        let x = from_rows(&[
            vec![0.5, -1.0, 2.0],
            vec![1.5, 0.3, -0.7],
            vec![-0.2, 0.8, 0.1],
            vec![1.0, 1.0, 1.0],
            vec![-1.3, 0.4, 0.9],
            vec![0.6, -0.5, -1.2],
        ])
        .unwrap();
        (x, vec![1.0, 2.0, -0.5, 0.3, -1.1, 0.8])
    }

    #[test]
    fn linear_objective_by_hand() {
        // X = [[1, 0], [0, 2]], y = [1, 1], w = [0.5, −1], b = 0.5: Xw = [0.5, −2],
        // r = y − Xw − b = [0, 2.5]; Σr² = 6.25.
        let x = from_rows(&[vec![1.0, 0.0], vec![0.0, 2.0]]).unwrap();
        let (y, w) = ([1.0, 1.0], [0.5, -1.0]);
        let mut dw = [0.0; 2];
        // Lasso, λ = 0.5: 6.25 + 0.5·1.5 = 7; ∂/∂w = −2·Xᵀr + 0.5·sign(w) = [0.5, −10 − 0.5];
        // ∂/∂b = −2·2.5 = −5.
        let v = LinearObjective::lasso(0.5)
            .evaluate(&x, &y, &w, 0.5, &mut dw)
            .unwrap();
        assert!((v.objective - 7.0).abs() < 1e-6);
        assert!(close(&dw, &[0.5, -10.5], 1e-6));
        assert!((v.dobj_db + 5.0).abs() < 1e-6);
        // Ridge, λ = 0.5: 6.25 + 0.5·1.25 = 6.875; ∂/∂w = [0 + 0.5, −10 − 1] = [0.5, −11].
        let v = LinearObjective::ridge(0.5)
            .evaluate(&x, &y, &w, 0.5, &mut dw)
            .unwrap();
        assert!((v.objective - 6.875).abs() < 1e-6);
        assert!(close(&dw, &[0.5, -11.0], 1e-6));
        // Elastic net α 0.1, ρ 0.7: 6.25/4 + 0.1·(0.7·1.5 + 0.15·1.25) = 1.5625 + 0.12375 = 1.68625;
        // ∂/∂w = −Xᵀr/2 + 0.1·(0.7·sign(w) + 0.3·w) = [0 + 0.085, −2.5 − 0.1] = [0.085, −2.6];
        // ∂/∂b = −2.5/2 = −1.25.
        let v = LinearObjective::elastic_net(0.1, 0.7)
            .evaluate(&x, &y, &w, 0.5, &mut dw)
            .unwrap();
        assert!((v.objective - 1.686_25).abs() < 1e-6);
        assert!(close(&dw, &[0.085, -2.6], 1e-6));
        assert!((v.dobj_db + 1.25).abs() < 1e-6);
    }

    #[test]
    fn linear_objective_gradients_match_finite_differences() {
        let (x, y) = data();
        let w = [0.5, 0.3, -1.0];
        let b = 0.2;
        let h = 1e-2_f32;
        for obj in [
            LinearObjective::lasso(0.5),
            LinearObjective::ridge(0.5),
            LinearObjective::elastic_net(0.1, 0.7),
        ] {
            let mut dw = [0.0; 3];
            let v = obj.evaluate(&x, &y, &w, b, &mut dw).unwrap();
            let f = |w: &[f32], b: f32| {
                let mut scratch = [0.0; 3];
                f64::from(obj.evaluate(&x, &y, w, b, &mut scratch).unwrap().objective)
            };
            for k in 0..3 {
                let (mut plus, mut minus) = (w, w);
                plus[k] += h;
                minus[k] -= h;
                let num = (f(&plus, b) - f(&minus, b)) / (2.0 * f64::from(h));
                assert!(
                    (f64::from(dw[k]) - num).abs() < 2e-3,
                    "{obj:?} w{k}: {} vs {num}",
                    dw[k]
                );
            }
            let num = (f(&w, b + h) - f(&w, b - h)) / (2.0 * f64::from(h));
            assert!((f64::from(v.dobj_db) - num).abs() < 2e-3, "{obj:?} b");
        }
    }

    #[test]
    fn linear_objective_checks_its_inputs() {
        let (x, y) = data();
        let mut dw = [0.0; 3];
        let obj = LinearObjective::ridge(1.0);
        assert!(obj.evaluate(&x, &y[..5], &[0.0; 3], 0.0, &mut dw).is_err());
        assert!(obj.evaluate(&x, &y, &[0.0; 2], 0.0, &mut dw).is_err());
        assert!(obj.evaluate(&x, &y, &[0.0; 3], f32::NAN, &mut dw).is_err());
        assert!(
            obj.evaluate(&Matrix::zeros(0, 3), &[], &[0.0; 3], 0.0, &mut dw)
                .is_err()
        );
        assert!(
            LinearObjective::ridge(-1.0)
                .evaluate(&x, &y, &[0.0; 3], 0.0, &mut dw)
                .is_err()
        );
    }

    #[test]
    fn lasso_paths_reach_exact_zeros() {
        let (x, y) = data();
        let top = alpha_max(&x, &y, PathPenalty::Lasso).unwrap();
        let grid = alpha_grid(top, 20, 1e-3).unwrap();
        assert_eq!(grid.len(), 20);
        assert!((grid[0] - top).abs() <= 1e-6 * top && (grid[19] - top * 1e-3).abs() < 1e-6);
        let paths = coefficient_paths(&x, &y, PathPenalty::Lasso, &grid).unwrap();
        // At α_max every coefficient is exactly 0; just below it exactly one is non-zero.
        assert_eq!(paths[0], vec![0.0; 3]);
        let below = coefficient_paths(&x, &y, PathPenalty::Lasso, &[top * 0.95]).unwrap();
        assert_eq!(below[0].iter().filter(|&&w| w == 0.0).count(), 2);
        // Somewhere on the path a coefficient is exactly zero while others are not.
        assert!(
            paths
                .iter()
                .any(|w| w.contains(&0.0) && w.iter().any(|&v| v != 0.0))
        );
        // Ridge never produces an exact zero below its largest α.
        let ridge = coefficient_paths(&x, &y, PathPenalty::Ridge, &grid).unwrap();
        assert!(ridge.iter().all(|w| w.iter().all(|&v| v != 0.0)));
    }

    #[test]
    fn lasso_solutions_satisfy_the_optimality_conditions() {
        // KKT for Σr²/(2n) + α·Σ|w|: x_jᵀ r / n = α·sign(w_j) where w_j ≠ 0, |x_jᵀ r / n| ≤ α where 0.
        let (x, y) = data();
        let (columns, yc) = centred(&x, &y);
        for alpha in [0.5_f32, 0.2, 0.05, 0.01] {
            let w = &coefficient_paths(&x, &y, PathPenalty::Lasso, &[alpha]).unwrap()[0];
            let r: Vec<f64> = (0..6)
                .map(|i| yc[i] - (0..3).map(|j| columns[j][i] * f64::from(w[j])).sum::<f64>())
                .collect();
            for j in 0..3 {
                let corr = columns[j].iter().zip(&r).map(|(a, b)| a * b).sum::<f64>() / 6.0;
                let a = f64::from(alpha);
                if w[j] == 0.0 {
                    assert!(corr.abs() <= a + 1e-6, "α {alpha} j {j}: {corr}");
                } else {
                    assert!(
                        (corr - a * f64::from(w[j].signum())).abs() < 1e-5,
                        "α {alpha} j {j}: {corr}"
                    );
                }
            }
        }
    }

    #[test]
    fn ridge_paths_match_the_closed_form() {
        // Centred data: (XcᵀXc + nα I) w = Xcᵀ yc.
        let (x, y) = data();
        let (columns, yc) = centred(&x, &y);
        for alpha in [1.0_f32, 0.1, 0.0] {
            let w = &coefficient_paths(&x, &y, PathPenalty::Ridge, &[alpha]).unwrap()[0];
            let a = nalgebra::DMatrix::<f64>::from_fn(3, 3, |i, j| {
                let dot: f64 = columns[i].iter().zip(&columns[j]).map(|(p, q)| p * q).sum();
                dot + if i == j { 6.0 * f64::from(alpha) } else { 0.0 }
            });
            let rhs = nalgebra::DVector::<f64>::from_fn(3, |i, _| {
                columns[i].iter().zip(&yc).map(|(p, q)| p * q).sum()
            });
            let exact = a.lu().solve(&rhs).unwrap();
            for j in 0..3 {
                assert!((f64::from(w[j]) - exact[j]).abs() < 1e-5, "α {alpha}");
            }
        }
    }

    #[test]
    fn orthogonal_lasso_is_soft_thresholded_least_squares() {
        // Centred orthogonal columns with ‖x_j‖² = n = 4: OLS w = Xᵀy/4, lasso w = S(OLS, α).
        let x = from_rows(&[
            vec![1.0, 1.0],
            vec![-1.0, 1.0],
            vec![1.0, -1.0],
            vec![-1.0, -1.0],
        ])
        .unwrap();
        let y = [3.0, 1.0, 1.0, -1.0];
        // ȳ = 1, yc = [2, 0, 0, −2]; OLS = [(2 + 2)/4, (2 + 2)/4] = [1, 1].
        let paths = coefficient_paths(&x, &y, PathPenalty::Lasso, &[0.25, 1.0, 2.0]).unwrap();
        assert!(close(&paths[0], &[0.75, 0.75], 1e-6));
        assert_eq!(paths[1], vec![0.0, 0.0]);
        assert_eq!(paths[2], vec![0.0, 0.0]);
        // Elastic net ρ 0.5, α 1: S(1, 0.5)/(1 + 0.5) = 1/3.
        let en =
            coefficient_paths(&x, &y, PathPenalty::ElasticNet { l1_ratio: 0.5 }, &[1.0]).unwrap();
        assert!(close(&en[0], &[1.0 / 3.0, 1.0 / 3.0], 1e-6));
        assert_eq!(alpha_max(&x, &y, PathPenalty::Lasso).unwrap(), 1.0);
    }

    #[test]
    fn paths_check_their_inputs() {
        let (x, y) = data();
        assert!(coefficient_paths(&x, &y[..2], PathPenalty::Lasso, &[0.1]).is_err());
        assert!(coefficient_paths(&x, &y, PathPenalty::Lasso, &[-0.1]).is_err());
        assert!(coefficient_paths(&x, &y, PathPenalty::Lasso, &[f32::NAN]).is_err());
        assert!(
            coefficient_paths(&x, &y, PathPenalty::ElasticNet { l1_ratio: 2.0 }, &[0.1]).is_err()
        );
        assert!(alpha_max(&x, &y, PathPenalty::Ridge).is_err());
        assert!(alpha_grid(0.0, 5, 0.1).is_err());
        assert!(alpha_grid(1.0, 5, 0.0).is_err());
        assert_eq!(alpha_grid(1.0, 1, 0.1).unwrap(), vec![1.0]);
        assert!(
            coefficient_paths(&x, &y, PathPenalty::Lasso, &[])
                .unwrap()
                .is_empty()
        );
    }

    proptest! {
        #[test]
        fn linear_models_never_panic(
            w in proptest::collection::vec(
                prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(0.0f32), -5.0f32..5.0], 0..8),
            glen in 0usize..8,
            coef in prop_oneof![Just(f32::NAN), Just(-1.0f32), Just(0.0f32), 0.0f32..2.0],
            ratio in prop_oneof![Just(f32::NAN), Just(1.5f32), 0.0f32..1.0],
            rows in 0usize..5,
            cols in 0usize..4,
            fill in prop_oneof![Just(f32::NAN), -3.0f32..3.0],
            lambdas in proptest::collection::vec(prop_oneof![Just(-1.0f32), Just(f32::INFINITY), 0.0f32..2.0], 0..4),
        ) {
            for p in [Penalty::L1 { lambda: coef }, Penalty::L2 { lambda: coef },
                      Penalty::L1L2 { l1: coef, l2: coef },
                      Penalty::ElasticNet { alpha: coef, l1_ratio: ratio }] {
                let x = Matrix::from_fn(rows, cols, |i, j| fill * (i as f32 + 1.0) - j as f32);
                let y: Vec<f32> = (0..rows).map(|i| i as f32 * 0.5).collect();
                let mut dw = vec![0.0; cols];
                let _ = LinearObjective { data_term: SquaredError::HalfMean, penalty: p }
                    .evaluate(&x, &y, &w, 0.1, &mut dw);
                for kind in [PathPenalty::Lasso, PathPenalty::Ridge,
                             PathPenalty::ElasticNet { l1_ratio: ratio }] {
                    let _ = coefficient_paths(&x, &y, kind, &lambdas);
                    let _ = alpha_max(&x, &y, kind);
                }
            }
            let _ = alpha_grid(coef, glen, ratio);
        }
    }
}
