//! Curves for the cost-function figures: the margin losses against the margin, cross-entropy
//! against the predicted probability of the true class, and the two decision-tree impurities
//! against the class proportion.
//!
//! Every curve here goes through the same functions the rest of the engine uses
//! ([`spiega_nn::loss::binary_log_loss`], [`spiega_nn::loss::binary_gini`],
//! [`spiega_nn::loss::binary_entropy`]), so the figure plots exactly what is computed elsewhere.

use spiega_nn::error::{EngineError, Result};
use spiega_nn::loss::{MarginLoss, binary_entropy, binary_gini, binary_log_loss};
use spiega_nn::tensor::Matrix;

/// Cross-entropy of one example as its predicted probability varies.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossEntropyCurve {
    /// The predicted probability `p` of class 1, evenly spaced.
    pub p: Vec<f64>,
    /// The loss when the true class is 1: `−ln p`.
    pub loss_if_positive: Vec<f64>,
    /// The loss when the true class is 0: `−ln(1 − p)`.
    pub loss_if_negative: Vec<f64>,
    /// `dL/dp` when the true class is 1: `−1/p`.
    pub grad_if_positive: Vec<f64>,
}

/// Samples the binary cross-entropy (log loss) of a single example at `n ≥ 2` probabilities
/// evenly spaced over `[lo, hi]`, a sub-interval of `[0, 1]`.
///
/// Each point is one call of [`binary_log_loss`] on a one-element batch (clipped to scikit-learn's
/// ε, so `p = 0` costs `−ln ε ≈ 36.04`, not infinity).
pub fn cross_entropy_curve(lo: f64, hi: f64, n: usize) -> Result<CrossEntropyCurve> {
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo >= hi {
        return Err(EngineError::Invalid(format!(
            "probabilities run from 0 to 1: [{lo}, {hi}] is not an interval inside it"
        )));
    }
    let n = n.max(2);
    let mut curve = CrossEntropyCurve {
        p: Vec::with_capacity(n),
        loss_if_positive: Vec::with_capacity(n),
        loss_if_negative: Vec::with_capacity(n),
        grad_if_positive: Vec::with_capacity(n),
    };
    let one = nalgebra::DMatrix::from_element(1, 1, 1.0_f64);
    let zero = nalgebra::DMatrix::from_element(1, 1, 0.0_f64);
    let mut grad = Matrix::zeros(1, 1);
    for i in 0..n {
        let p = lo + (hi - lo) * i as f64 / (n - 1) as f64;
        let prob = nalgebra::DMatrix::from_element(1, 1, p);
        let pos = binary_log_loss(&prob, &one, spiega_nn::loss::LOG_LOSS_EPS, Some(&mut grad))?;
        let neg = binary_log_loss(&prob, &zero, spiega_nn::loss::LOG_LOSS_EPS, None)?;
        curve.p.push(p);
        curve.loss_if_positive.push(f64::from(pos));
        curve.loss_if_negative.push(f64::from(neg));
        curve.grad_if_positive.push(f64::from(grad[(0, 0)]));
    }
    Ok(curve)
}

/// Gini impurity and entropy of two classes as the proportion of class 1 varies.
#[derive(Debug, Clone, PartialEq)]
pub struct ImpurityCurves {
    /// The proportion `p` of class 1, evenly spaced over `[0, 1]`.
    pub p: Vec<f64>,
    /// `1 − p² − (1 − p)² = 2p(1 − p)`.
    pub gini: Vec<f64>,
    /// `−p ln p − (1 − p) ln(1 − p)`, in nats.
    pub entropy: Vec<f64>,
    /// The entropy in bits (divided by `ln 2`), whose maximum is 1 at `p = ½`.
    pub entropy_bits: Vec<f64>,
}

/// Samples both impurities at `n ≥ 2` proportions from 0 to 1.
pub fn impurity_curves(n: usize) -> ImpurityCurves {
    let n = n.max(2);
    let p: Vec<f64> = (0..n).map(|i| i as f64 / (n - 1) as f64).collect();
    let gini = p.iter().map(|&q| binary_gini(q)).collect();
    let entropy: Vec<f64> = p.iter().map(|&q| binary_entropy(q)).collect();
    let entropy_bits = entropy.iter().map(|h| h / std::f64::consts::LN_2).collect();
    ImpurityCurves {
        p,
        gini,
        entropy,
        entropy_bits,
    }
}

/// Samples the margin loss `loss` and its derivative at `n ≥ 2` evenly spaced margins over
/// `[lo, hi]`: returns `(m, ℓ(m), ℓ'(m))` columns for plotting.
pub fn margin_curve(
    loss: MarginLoss,
    lo: f32,
    hi: f32,
    n: usize,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    crate::curve::sample(lo, hi, n, |m| loss.value(m), |m| loss.derivative(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hinge_is_sampled_with_its_slope() {
        // Hinge max(0, 1 − m): 3, 2, 1, 0, 0 at m = −2…2, slope −1 below the margin 1, 0 above.
        let (ms, vs, ds) = margin_curve(MarginLoss::Hinge, -2.0, 2.0, 5);
        assert_eq!(ms, vec![-2.0, -1.0, 0.0, 1.0, 2.0]);
        assert_eq!(vs, vec![3.0, 2.0, 1.0, 0.0, 0.0]);
        assert_eq!(ds, vec![-1.0, -1.0, -1.0, 0.0, 0.0]);
    }

    #[test]
    fn cross_entropy_is_minus_log_p() {
        let c = cross_entropy_curve(0.25, 1.0, 4).unwrap();
        // p = 0.25, 0.5, 0.75, 1: −ln 0.5 = 0.693147, −ln 0.25 = 1.386294 (by hand).
        assert!((c.loss_if_positive[1] - 0.5f64.ln().abs()).abs() < 1e-6);
        assert!((c.loss_if_positive[0] - 0.25f64.ln().abs()).abs() < 1e-6);
        assert!((c.loss_if_negative[2] - 0.25f64.ln().abs()).abs() < 1e-6);
        // d/dp (−ln p) = −1/p = −2 at p = ½.
        assert!((c.grad_if_positive[1] + 2.0).abs() < 1e-5);
        // At p = 1 the right answer costs nothing (up to the clip ε).
        assert!(c.loss_if_positive[3] < 1e-12);
        assert!(cross_entropy_curve(0.5, 0.2, 3).is_err());
        assert!(cross_entropy_curve(-0.1, 0.5, 3).is_err());
    }

    #[test]
    fn impurities_peak_at_one_half() {
        let c = impurity_curves(5);
        // p = ½: Gini 2·½·½ = 0.5; entropy ln 2 nats, 1 bit; both zero for a pure node.
        assert!((c.gini[2] - 0.5).abs() < 1e-12);
        assert!((c.entropy[2] - std::f64::consts::LN_2).abs() < 1e-12);
        assert!((c.entropy_bits[2] - 1.0).abs() < 1e-12);
        assert_eq!((c.gini[0], c.entropy[4]), (0.0, 0.0));
    }

    /// What the prose says about the margin losses, over the figure's axis, −2 to 3.
    #[test]
    fn the_surrogates_and_the_zero_one_loss() {
        let n = 5001;
        let (ms, zero_one, _) = margin_curve(MarginLoss::ZeroOne, -2.0, 3.0, n);
        let ln2 = std::f32::consts::LN_2;
        // The hinge, exponential and squared losses lie above the 0-1 loss everywhere.
        for loss in [
            MarginLoss::Hinge,
            MarginLoss::Exponential,
            MarginLoss::Squared,
        ] {
            let (_, v, _) = margin_curve(loss, -2.0, 3.0, n);
            assert!(v.iter().zip(&zero_one).all(|(a, b)| a >= b), "{loss:?}");
        }
        // The logistic loss does once it is measured in bits; in natural logarithms it is ln 2 at
        // m = 0 and under the 0-1 loss's step exactly for margins between −0.5413 and 0, where
        // ln(1 + e^{−m}) = 1, that is m = −ln(e − 1).
        let (_, logistic, _) = margin_curve(MarginLoss::Logistic, -2.0, 3.0, n);
        assert!(
            logistic
                .iter()
                .zip(&zero_one)
                .all(|(l, z)| l / ln2 >= z - 1e-6)
        );
        assert!((MarginLoss::Logistic.value(0.0) - ln2).abs() < 1e-6);
        let crossing = -(std::f32::consts::E - 1.0).ln();
        assert!((crossing + 0.5413).abs() < 1e-4);
        let near_crossing = |m: f32| (m - crossing).abs() < 1e-3;
        for (m, (l, z)) in ms.iter().zip(logistic.iter().zip(&zero_one)) {
            if !near_crossing(*m) {
                assert_eq!(l < z, *m > crossing && *m < 0.0, "m = {m}");
            }
        }
        assert!(
            ms.iter()
                .any(|&m| m > crossing && m < 0.0 && !near_crossing(m))
        );
        // The hinge has a kink at m = 1: its slope jumps from −1 to 0.
        assert_eq!(MarginLoss::Hinge.derivative(0.999), -1.0);
        assert_eq!(MarginLoss::Hinge.derivative(1.001), 0.0);
    }

    /// Training computes cross-entropy from the logits, exactly: a sure and wrong answer costs
    /// its full price, with no clipping. Only a log loss scored from probabilities is clipped to
    /// [ε, 1 − ε] with ε = 2.2e−16 (as the chart of probabilities is).
    #[test]
    fn training_loss_is_exact_and_only_scored_probabilities_are_clipped() {
        use spiega_nn::loss::{binary_cross_entropy_with_logits, softmax_cross_entropy_labels};
        let z = Matrix::from_row_slice(1, 2, &[1000.0, -1000.0]);
        assert_eq!(
            softmax_cross_entropy_labels(&z, &[1], None).unwrap(),
            2000.0
        );
        let z = Matrix::from_row_slice(1, 1, &[-1000.0]);
        let t = Matrix::from_row_slice(1, 1, &[1.0]);
        assert_eq!(
            binary_cross_entropy_with_logits(&z, &t, None).unwrap(),
            1000.0
        );
        let c = cross_entropy_curve(0.0, 1.0, 3).unwrap();
        assert!((c.loss_if_positive[0] + f64::EPSILON.ln()).abs() < 1e-4);
        assert!((c.loss_if_positive[0] - 36.04).abs() < 0.01);
    }

    /// Try this (cost-margin): at m = 2, a confident right answer, the hinge loss and its slope
    /// are 0, the logistic loss 0.127 still pulls with slope −0.119, and the squared loss is 1
    /// with slope +2: it pushes the answer back towards m = 1.
    #[test]
    fn try_a_confident_right_answer() {
        let at = |loss: MarginLoss| (loss.value(2.0), loss.derivative(2.0));
        assert_eq!(at(MarginLoss::Hinge), (0.0, 0.0));
        let (v, d) = at(MarginLoss::Logistic);
        assert!(
            (v - 0.127).abs() < 5e-4 && (d + 0.119).abs() < 5e-4,
            "{v} {d}"
        );
        let (v, d) = at(MarginLoss::Squared);
        assert!((v - 1.0).abs() < 1e-6 && (d - 2.0).abs() < 1e-6, "{v} {d}");
    }

    /// Try this (cost-margin): at m = −2, a confident mistake, the logistic loss is 2.13 and the
    /// hinge 3, while the exponential is already 7.39.
    #[test]
    fn try_a_confident_mistake() {
        let v = |loss: MarginLoss| loss.value(-2.0);
        assert!((v(MarginLoss::Logistic) - 2.127).abs() < 5e-4);
        assert_eq!(v(MarginLoss::Hinge), 3.0);
        assert!((v(MarginLoss::Exponential) - 7.389).abs() < 5e-4);
    }

    /// Try this (cost-margin): at m = −0.25, a slight mistake, the logistic loss (0.826) lies
    /// under the 0-1 loss (1).
    #[test]
    fn try_a_slight_mistake() {
        let logistic = MarginLoss::Logistic.value(-0.25);
        assert!((logistic - 0.826).abs() < 5e-4, "{logistic}");
        assert_eq!(MarginLoss::ZeroOne.value(-0.25), 1.0);
    }

    /// Try this (cost-probability): at p = 0.01 a true class 1 costs 4.61 and a true class 0
    /// only 0.01; the node's Gini impurity is 0.02 and its entropy 0.08 bits.
    #[test]
    fn try_a_nearly_pure_node() {
        let c = cross_entropy_curve(0.01, 0.99, 99).unwrap();
        assert!((c.loss_if_positive[0] - 4.605).abs() < 5e-4);
        assert!((c.loss_if_negative[0] - 0.01005).abs() < 5e-5);
        let gini = binary_gini(0.01);
        let bits = binary_entropy(0.01) / std::f64::consts::LN_2;
        assert!(
            (gini - 0.0198).abs() < 1e-9 && (bits - 0.0808).abs() < 5e-5,
            "{gini} {bits}"
        );
    }

    /// Try this (cost-probability): at p = 0.5 both cross-entropies are ln 2 = 0.693, and the
    /// Gini impurity (0.5) and the entropy (1 bit) are at their peaks.
    #[test]
    fn try_an_even_mix() {
        let c = cross_entropy_curve(0.0, 1.0, 101).unwrap();
        let ln2 = std::f64::consts::LN_2;
        assert!((c.loss_if_positive[50] - ln2).abs() < 1e-6);
        assert!((c.loss_if_negative[50] - ln2).abs() < 1e-6);
        let curves = impurity_curves(101);
        let top = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max);
        assert_eq!(curves.gini[50], top(&curves.gini));
        assert_eq!(curves.entropy_bits[50], top(&curves.entropy_bits));
        assert!((curves.gini[50] - 0.5).abs() < 1e-12);
        assert!((curves.entropy_bits[50] - 1.0).abs() < 1e-12);
    }
}
