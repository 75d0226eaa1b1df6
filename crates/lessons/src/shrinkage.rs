//! Shrinkage: penalised linear regression on a problem with irrelevant features, and how its
//! coefficients move as the penalty's rate grows (the regularisation figure's numbers).
//!
//! Lasso (L1), ridge (L2) and the elastic net are solved with
//! [`coefficient_paths`](spiega_nn::linear_model::coefficient_paths), in scikit-learn's form
//! `Σ r²/(2n) + λ·(ρ·Σ|w| + ½(1 − ρ)·Σ w²)`, on one shared grid of rates, so the three can be
//! compared at the same λ (the page's name for scikit-learn's α).

use spiega_nn::data::regression::{LinearProblem, sparse_linear};
use spiega_nn::error::{EngineError, Result};
use spiega_nn::linear_model::{PathPenalty, alpha_grid, alpha_max, coefficient_paths};
use spiega_nn::rng::Rng;

/// The number of rates on the shared grid.
pub const GRID: usize = 60;

/// The smallest rate on the grid, as a fraction of the lasso's largest useful rate.
pub const GRID_RATIO: f32 = 1e-3;

/// A regression problem and the coefficient paths of one penalty over a grid of rates.
#[derive(Debug, Clone)]
pub struct Shrinkage {
    problem: LinearProblem,
    penalty: PathPenalty,
    rates: Vec<f32>,
    paths: Vec<Vec<f32>>,
}

impl Shrinkage {
    /// The figure's problem — 30 samples of 4 informative and 6 irrelevant standard-normal
    /// features with noise of standard deviation 2, drawn from `seed` — and `penalty`'s paths over
    /// [`GRID`] rates from the lasso's all-zero rate down a thousandfold (largest first).
    pub fn new(penalty: PathPenalty, seed: u32) -> Result<Self> {
        let problem = sparse_linear(30, 4, 6, 2.0, &mut Rng::new(seed))?;
        let y: Vec<f32> = problem.data.targets().column(0).iter().copied().collect();
        let x = problem.data.x();
        let top = alpha_max(x, &y, PathPenalty::Lasso)?;
        let rates = alpha_grid(top, GRID, GRID_RATIO)?;
        let paths = coefficient_paths(x, &y, penalty, &rates)?;
        Ok(Self {
            problem,
            penalty,
            rates,
            paths,
        })
    }

    /// The problem (its true coefficients say which features matter).
    pub fn problem(&self) -> &LinearProblem {
        &self.problem
    }

    /// The penalty.
    pub fn penalty(&self) -> PathPenalty {
        self.penalty
    }

    /// The grid of rates, largest first.
    pub fn rates(&self) -> &[f32] {
        &self.rates
    }

    /// The coefficients at each rate of the grid, in the grid's order.
    pub fn paths(&self) -> &[Vec<f32>] {
        &self.paths
    }

    /// The coefficients at rate `alpha` (any rate, 0 or more), solved afresh.
    pub fn at(&self, alpha: f32) -> Result<Vec<f32>> {
        let y: Vec<f32> = self
            .problem
            .data
            .targets()
            .column(0)
            .iter()
            .copied()
            .collect();
        coefficient_paths(self.problem.data.x(), &y, self.penalty, &[alpha])?
            .pop()
            .ok_or_else(|| EngineError::Invalid("no coefficients came back".into()))
    }
}

/// How many of `coefficients` are exactly zero.
pub fn exact_zeros(coefficients: &[f32]) -> usize {
    coefficients.iter().filter(|&&c| c == 0.0).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lasso_zeros_coefficients_that_ridge_only_shrinks() {
        let lasso = Shrinkage::new(PathPenalty::Lasso, 1).unwrap();
        let ridge = Shrinkage::new(PathPenalty::Ridge, 1).unwrap();
        assert_eq!(lasso.rates(), ridge.rates());
        // At the largest rate every lasso coefficient is exactly 0 (that is how the grid's top is
        // chosen); ridge's are small but not 0.
        assert_eq!(exact_zeros(&lasso.paths()[0]), 10);
        assert_eq!(exact_zeros(&ridge.paths()[0]), 0);
        // At a middle rate the lasso keeps the informative features and drops irrelevant ones.
        let alpha = lasso.rates()[GRID / 3];
        let l1 = lasso.at(alpha).unwrap();
        let l2 = ridge.at(alpha).unwrap();
        assert!(exact_zeros(&l1) > exact_zeros(&l2), "{l1:?} {l2:?}");
        let truth = &lasso.problem().coefficients;
        for (c, t) in l1.iter().zip(truth) {
            if *t != 0.0 {
                assert!(*c != 0.0, "an informative feature was dropped: {l1:?}");
            }
        }
        // Ridge shrinks everything towards 0 as the rate grows.
        let norm = |w: &[f32]| w.iter().map(|v| v * v).sum::<f32>();
        assert!(norm(&ridge.paths()[0]) < norm(&ridge.paths()[GRID - 1]));
    }

    #[test]
    fn the_elastic_net_lies_between() {
        let net = Shrinkage::new(PathPenalty::ElasticNet { l1_ratio: 0.5 }, 1).unwrap();
        let lasso = Shrinkage::new(PathPenalty::Lasso, 1).unwrap();
        // Half of the penalty is L1, so its threshold is half the lasso's: at every rate it
        // zeroes at most as many coefficients as the lasso, and some at the largest rates.
        for (n, l) in net.paths().iter().zip(lasso.paths()) {
            assert!(exact_zeros(n) <= exact_zeros(l), "{n:?} {l:?}");
        }
        assert!(exact_zeros(&net.paths()[0]) > 0);
        assert!(net.at(-1.0).is_err());
    }

    /// What the prose says about the lasso and ridge paths of the figure's problem (seed 1).
    #[test]
    fn the_prose_numbers_of_the_shrinkage_figure() {
        let lasso = Shrinkage::new(PathPenalty::Lasso, 1).unwrap();
        let ridge = Shrinkage::new(PathPenalty::Ridge, 1).unwrap();
        let truth = lasso.problem().coefficients.clone();
        let informative: Vec<usize> = (0..10).filter(|&j| truth[j] != 0.0).collect();
        let irrelevant: Vec<usize> = (0..10).filter(|&j| truth[j] == 0.0).collect();
        assert_eq!((informative.len(), irrelevant.len()), (4, 6));
        let all_zero = |w: &[f32], js: &[usize]| js.iter().all(|&j| w[j] == 0.0);
        let none_zero = |w: &[f32], js: &[usize]| js.iter().all(|&j| w[j] != 0.0);
        // The six irrelevant features are all gone once the rate passes about 0.56, on every
        // rate of the grid the slider runs over, and not before.
        for (rate, w) in lasso.rates().iter().zip(lasso.paths()) {
            if *rate >= 0.57 {
                assert!(all_zero(w, &irrelevant), "λ = {rate}: {w:?}");
            }
        }
        assert!(!all_zero(&lasso.at(0.55).unwrap(), &irrelevant));
        assert!(all_zero(&lasso.at(0.57).unwrap(), &irrelevant));
        // The first informative feature reaches zero only near 1.5.
        for (rate, w) in lasso.rates().iter().zip(lasso.paths()) {
            if *rate <= 1.45 {
                assert!(none_zero(w, &informative), "λ = {rate}: {w:?}");
            }
        }
        assert!(!none_zero(&lasso.at(1.5).unwrap(), &informative));
        // Ridge: no coefficient is ever zero, and their sum of squares falls as the rate grows,
        // though a single one can grow: at 0.1 one is larger than in the nearly unpenalised fit
        // at the grid's smallest rate.
        let norm = |w: &[f32]| w.iter().map(|v| v * v).sum::<f32>();
        for pair in ridge.paths().windows(2) {
            assert!(norm(&pair[0]) < norm(&pair[1]), "{pair:?}");
        }
        assert!(ridge.paths().iter().all(|w| exact_zeros(w) == 0));
        let loose = ridge.paths().last().unwrap();
        let at = ridge.at(0.1).unwrap();
        assert!(
            at.iter().zip(loose).any(|(a, l)| a.abs() > l.abs()),
            "{at:?} {loose:?}"
        );
    }
    /// The rate the figure uses at the slider position its "Try this" buttons set: the slider
    /// runs in steps of 0.01 from log₁₀ of the grid's smallest rate, and the step nearest
    /// log₁₀ 0.58 gives 0.5795, which the page rounds to two significant digits.
    const TRY_RATE: f32 = 0.58;

    /// Try this (shrinkage): with L1 at rate 0.58 the six irrelevant coefficients are exactly
    /// zero and the four informative ones are not.
    #[test]
    fn try_this_the_lasso_keeps_only_the_informative_features() {
        let lasso = Shrinkage::new(PathPenalty::Lasso, 1).unwrap();
        let lo = f64::from(*lasso.rates().last().unwrap()).log10();
        let position = lo + ((0.58_f64.log10() - lo) / 0.01).round() * 0.01;
        assert!((10f64.powf(position) - f64::from(TRY_RATE)).abs() < 0.005);
        let w = lasso.at(TRY_RATE).unwrap();
        let truth = &lasso.problem().coefficients;
        for (c, t) in w.iter().zip(truth) {
            assert_eq!(*c == 0.0, *t == 0.0, "{w:?} against {truth:?}");
        }
        assert_eq!(exact_zeros(&w), 6);
    }

    /// Try this (shrinkage): with L2 at the same rate no coefficient is zero, and their sum of
    /// squares is smaller than at every lower rate of the grid.
    #[test]
    fn try_this_ridge_zeroes_nothing() {
        let ridge = Shrinkage::new(PathPenalty::Ridge, 1).unwrap();
        let w = ridge.at(TRY_RATE).unwrap();
        assert_eq!(exact_zeros(&w), 0, "{w:?}");
        let norm = |w: &[f32]| w.iter().map(|v| v * v).sum::<f32>();
        let lower: Vec<&Vec<f32>> = ridge
            .rates()
            .iter()
            .zip(ridge.paths())
            .filter(|(r, _)| **r < TRY_RATE)
            .map(|(_, w)| w)
            .collect();
        assert!(lower.len() > 40, "{}", lower.len());
        assert!(lower.iter().all(|l| norm(&w) < norm(l)), "{w:?}");
    }
}
