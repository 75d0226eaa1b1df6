//! Regression sets: the Playground's plane and multi-gaussian, and sparse linear problems.
//!
//! The plane and the multi-gaussian follow TensorFlow Playground's `regressPlane` and
//! `regressGaussian`, drawing their random numbers in the same order with `Math.random()` replaced
//! by [`Rng::next_f64`]: points uniform in `[−6, 6]²`, a target in `[−1, 1]`, and `noise` (0 to 0.5)
//! evaluating the target at the point shifted by `U(−6, 6)·noise` in each coordinate. The linear
//! problems serve the regularisation section: a known coefficient vector, some of it zero, so L1's
//! feature selection and L2's shrinkage can be compared with the truth.

use crate::data::{Dataset, check_samples};
use crate::error::{EngineError, Result, check_range};
use crate::rng::Rng;
use crate::tensor::Matrix;

/// Half the side of the square the Playground's regression points are drawn in.
const RADIUS: f64 = 6.0;

/// Draws `n` points uniform in `[−6, 6]²` with a target `label(x₁ + ε₁, x₂ + ε₂)`, where
/// `ε = U(−6, 6)·noise`: the Playground's regression recipe.
fn playground_regression(
    n: usize,
    noise: f32,
    rng: &mut Rng,
    label: impl Fn(f64, f64) -> f64,
) -> Result<Dataset> {
    let n = check_samples(n, 1)?;
    let noise = f64::from(check_range("noise", noise, 0.0, 0.5)?);
    let mut uniform = |a: f64, b: f64| rng.next_f64() * (b - a) + a;
    let mut x = Matrix::zeros(n, 2);
    let mut y = Matrix::zeros(n, 1);
    for r in 0..n {
        let x1 = uniform(-RADIUS, RADIUS);
        let x2 = uniform(-RADIUS, RADIUS);
        let noise_1 = uniform(-RADIUS, RADIUS) * noise;
        let noise_2 = uniform(-RADIUS, RADIUS) * noise;
        x[(r, 0)] = x1 as f32;
        x[(r, 1)] = x2 as f32;
        y[(r, 0)] = label(x1 + noise_1, x2 + noise_2) as f32;
    }
    Dataset::regression(x, y)
}

/// A tilted plane: `y = (x₁ + x₂)/10`, mapping `x₁ + x₂ ∈ [−10, 10]` onto `[−1, 1]` (the corners of
/// the square reach ±1.2, as in the Playground).
pub fn plane(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    playground_regression(n, noise, rng, |x1, x2| (x1 + x2) / 10.0)
}

/// The Playground's bumps: `(centre, sign)` for six gaussians in two rows.
const BUMPS: [(f64, f64, f64); 6] = [
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
];

/// The value of the multi-gaussian surface at `(x₁, x₂)`: each bump contributes
/// `sign · max(0, 1 − d/2)` at distance `d` from its centre, and the contribution largest in absolute
/// value wins (the first on ties), so the surface lies in `[−1, 1]`.
pub fn multi_gaussian_value(x1: f64, x2: f64) -> f64 {
    let mut value = 0.0_f64;
    for (cx, cy, sign) in BUMPS {
        let d = (x1 - cx).hypot(x2 - cy);
        let bump = sign * (1.0 - d / 2.0).clamp(0.0, 1.0);
        if bump.abs() > value.abs() {
            value = bump;
        }
    }
    value
}

/// Six alternating bumps (three up, three down) on a flat zero background: the Playground's
/// multi-gaussian regression set (see [`multi_gaussian_value`]).
pub fn multi_gaussian(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    playground_regression(n, noise, rng, multi_gaussian_value)
}

/// A linear regression problem with a known answer.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearProblem {
    /// The samples: inputs `n × d`, targets `n × 1`.
    pub data: Dataset,
    /// The true coefficients `β` (length `d`); zeros mark irrelevant features.
    pub coefficients: Vec<f32>,
    /// The true intercept `b`.
    pub intercept: f32,
}

/// `n` samples of `y = x·β + b + σ·ε` with every feature `x_j` and `ε` standard normal.
///
/// `coefficients` (1 to 1000 of them) and `intercept` must be finite and `noise_std` (σ) in `[0, 100]`.
/// Draws, per sample, the features in order and then `ε`; the target is computed in `f64`.
pub fn linear(
    n: usize,
    coefficients: &[f32],
    intercept: f32,
    noise_std: f32,
    rng: &mut Rng,
) -> Result<LinearProblem> {
    let n = check_samples(n, 1)?;
    let d = coefficients.len();
    if !(1..=1000).contains(&d) {
        return Err(EngineError::hyper(
            "number of features",
            d,
            "it must be from 1 to 1000",
        ));
    }
    if !coefficients.iter().all(|c| c.is_finite()) || !intercept.is_finite() {
        return Err(EngineError::NonFinite {
            what: "the true coefficients".to_owned(),
        });
    }
    let sigma = f64::from(check_range(
        "noise standard deviation",
        noise_std,
        0.0,
        100.0,
    )?);
    let mut x = Matrix::zeros(n, d);
    let mut y = Matrix::zeros(n, 1);
    for r in 0..n {
        let mut sum = f64::from(intercept);
        for (c, &beta) in coefficients.iter().enumerate() {
            let v = rng.normal();
            x[(r, c)] = v;
            sum += f64::from(beta) * f64::from(v);
        }
        sum += sigma * f64::from(rng.normal());
        y[(r, 0)] = sum as f32;
    }
    Ok(LinearProblem {
        data: Dataset::regression(x, y)?,
        coefficients: coefficients.to_vec(),
        intercept,
    })
}

/// A linear problem whose first `informative` features matter and whose other `irrelevant` ones
/// do not (true coefficient 0): the setting where L1 regularisation selects features.
///
/// The informative coefficients are drawn first, each `±U(1, 3)` with a random sign; the intercept
/// is 0. Then the samples are drawn as in [`linear`].
pub fn sparse_linear(
    n: usize,
    informative: usize,
    irrelevant: usize,
    noise_std: f32,
    rng: &mut Rng,
) -> Result<LinearProblem> {
    if informative == 0 || informative > 1000 || irrelevant > 1000 {
        return Err(EngineError::Invalid(format!(
            "a sparse problem needs 1 to 1000 informative features and at most 1000 irrelevant \
             ones, not {informative} and {irrelevant}"
        )));
    }
    let mut coefficients = Vec::with_capacity(informative + irrelevant);
    for _ in 0..informative {
        let magnitude = rng.range(1.0, 3.0);
        coefficients.push(if rng.bernoulli(0.5) {
            magnitude
        } else {
            -magnitude
        });
    }
    coefficients.resize(informative + irrelevant, 0.0);
    linear(n, &coefficients, 0.0, noise_std, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;

    #[test]
    fn plane_is_linear_without_noise() {
        let d = plane(50, 0.0, &mut Rng::new(3)).unwrap();
        for r in 0..50 {
            let want = (d.x()[(r, 0)] + d.x()[(r, 1)]) / 10.0;
            assert!((d.targets()[(r, 0)] - want).abs() < 1e-6);
            assert!(d.x()[(r, 0)].abs() <= 6.0 && d.x()[(r, 1)].abs() <= 6.0);
        }
    }

    #[test]
    fn multi_gaussian_hand_values() {
        // At a bump's centre the value is its sign; 1 away it is sign·(1 − 1/2); 2 or more away
        // from every centre (e.g. the origin is 2.5 from (0, ±2.5)) it is 0.
        assert_eq!(multi_gaussian_value(-4.0, 2.5), 1.0);
        assert_eq!(multi_gaussian_value(0.0, 2.5), -1.0);
        assert_eq!(multi_gaussian_value(4.0, -1.5), -0.5);
        assert_eq!(multi_gaussian_value(0.0, 0.0), 0.0);
        let d = multi_gaussian(300, 0.2, &mut Rng::new(4)).unwrap();
        assert!(d.targets().iter().all(|v| (-1.0..=1.0).contains(v)));
    }

    #[test]
    fn noise_moves_the_targets_deterministically() {
        let a = plane(30, 0.3, &mut Rng::new(1)).unwrap();
        let b = plane(30, 0.3, &mut Rng::new(1)).unwrap();
        assert_eq!(a, b);
        let clean = (0..30)
            .filter(|&r| {
                let want = (a.x()[(r, 0)] + a.x()[(r, 1)]) / 10.0;
                (a.targets()[(r, 0)] - want).abs() < 1e-6
            })
            .count();
        assert!(clean < 3, "noise left {clean} targets unchanged");
    }

    #[test]
    fn linear_without_noise_is_exact() {
        let p = linear(20, &[2.0, 0.0, -1.0], 0.5, 0.0, &mut Rng::new(2)).unwrap();
        for r in 0..20 {
            let x = p.data.x();
            let want = 2.0 * x[(r, 0)] - x[(r, 2)] + 0.5;
            assert!((p.data.targets()[(r, 0)] - want).abs() < 1e-5);
        }
    }

    #[test]
    fn sparse_problem_has_zeros_where_promised() {
        let p = sparse_linear(100, 3, 5, 0.1, &mut Rng::new(7)).unwrap();
        assert_eq!(p.coefficients.len(), 8);
        assert!(
            p.coefficients[..3]
                .iter()
                .all(|c| (1.0..3.0).contains(&c.abs()))
        );
        assert!(p.coefficients[3..].iter().all(|&c| c == 0.0));
        assert_eq!(p.data.input_dim(), 8);
        assert_eq!(p, sparse_linear(100, 3, 5, 0.1, &mut Rng::new(7)).unwrap());
    }

    #[test]
    fn bad_parameters_are_refused() {
        let mut rng = Rng::new(0);
        assert!(plane(0, 0.0, &mut rng).is_err());
        assert!(multi_gaussian(10, -0.1, &mut rng).is_err());
        assert!(linear(10, &[], 0.0, 0.0, &mut rng).is_err());
        assert!(linear(10, &[f32::NAN], 0.0, 0.0, &mut rng).is_err());
        assert!(linear(10, &[1.0], 0.0, f32::INFINITY, &mut rng).is_err());
        assert!(sparse_linear(10, 0, 3, 0.0, &mut rng).is_err());
    }

    proptest! {
        #[test]
        fn generators_never_panic(
            n in 0usize..200, noise in prop::num::f32::ANY, beta in prop::num::f32::ANY,
            k in 0usize..5, seed in any::<u32>()
        ) {
            let mut rng = Rng::new(seed);
            let _ = plane(n, noise, &mut rng);
            let _ = multi_gaussian(n, noise, &mut rng);
            let _ = linear(n, &vec![beta; k], beta, noise, &mut rng);
            let _ = sparse_linear(n, k, k, noise, &mut rng);
        }
    }
}
