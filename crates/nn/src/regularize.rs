//! Regularisation of networks: weight penalties, penalised training steps, and magnitude pruning.
//! Penalised linear regression and its coefficient paths build on these penalties in the
//! linear-model module; this one knows nothing of them.
//!
//! A penalty `Ω(w)` is added to the loss, so its gradient is added to the weights' gradients
//! before the optimizer's update. Penalties apply to [`ParamKind::Weight`] tensors only: biases
//! and other parameters (PReLU's α, batch-norm's γ) are left alone, as is usual.
//!
//! Every penalty here is `c1·Σ|w| + c2·Σ w²` for some coefficients ([`Penalty::coefficients`]);
//! its gradient is `c1·sign(w) + 2·c2·w` with `sign(0) = 0` (the subgradient PyTorch and JAX
//! give |w| at 0). L2 is a *sum* of squares, not a mean.

use crate::error::{EngineError, Result, check_range};
use crate::layer::ParamKind;
use crate::model::Sequential;
use crate::optim::Optimizer;

/// A weight penalty Ω(w), added to the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Penalty {
    /// No penalty.
    None,
    /// Lasso / L1: `λ·Σ|w|`, gradient `λ·sign(w)`. Its constant-size pull drives weights to
    /// exactly zero.
    L1 {
        /// λ ≥ 0.
        lambda: f32,
    },
    /// Ridge / L2: `λ·Σ w²` (a sum of squares), gradient `2λ·w`. SGD's coupled weight decay
    /// `wd` is this penalty with `λ = wd / 2`.
    L2 {
        /// λ ≥ 0.
        lambda: f32,
    },
    /// Both, with their own coefficients, as Keras's `L1L2(l1, l2)`: `l1·Σ|w| + l2·Σ w²`.
    L1L2 {
        /// The L1 coefficient, ≥ 0.
        l1: f32,
        /// The L2 coefficient, ≥ 0.
        l2: f32,
    },
    /// Elastic net as scikit-learn's `ElasticNet(alpha, l1_ratio)`:
    /// `α·(ρ·Σ|w| + ½(1 − ρ)·Σ w²)`, gradient `α·(ρ·sign(w) + (1 − ρ)·w)`. ρ = 1 is the lasso
    /// penalty `α·Σ|w|`; ρ = 0 is *half* the ridge penalty, `½α·Σ w²`.
    ElasticNet {
        /// α ≥ 0, the overall strength.
        alpha: f32,
        /// ρ in `[0, 1]`, the L1 share.
        l1_ratio: f32,
    },
}

impl Penalty {
    /// A short name for the page: "none", "l1", "l2", "l1l2", "elastic_net".
    pub fn name(&self) -> &'static str {
        match self {
            Penalty::None => "none",
            Penalty::L1 { .. } => "l1",
            Penalty::L2 { .. } => "l2",
            Penalty::L1L2 { .. } => "l1l2",
            Penalty::ElasticNet { .. } => "elastic_net",
        }
    }

    /// Checks the coefficients: strengths finite and ≥ 0, `l1_ratio` in `[0, 1]`.
    pub fn validate(&self) -> Result<()> {
        let strength = |name: &str, v: f32| -> Result<()> {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(EngineError::hyper(
                    name,
                    v,
                    "a penalty strength must be a finite number, 0 or more",
                ))
            }
        };
        match *self {
            Penalty::None => Ok(()),
            Penalty::L1 { lambda } | Penalty::L2 { lambda } => strength("lambda", lambda),
            Penalty::L1L2 { l1, l2 } => strength("l1", l1).and(strength("l2", l2)),
            Penalty::ElasticNet { alpha, l1_ratio } => {
                strength("alpha", alpha)?;
                check_range("l1_ratio", l1_ratio, 0.0, 1.0).map(|_| ())
            }
        }
    }

    /// The coefficients `(c1, c2)` with `Ω(w) = c1·Σ|w| + c2·Σ w²`.
    pub fn coefficients(&self) -> (f32, f32) {
        match *self {
            Penalty::None => (0.0, 0.0),
            Penalty::L1 { lambda } => (lambda, 0.0),
            Penalty::L2 { lambda } => (0.0, lambda),
            Penalty::L1L2 { l1, l2 } => (l1, l2),
            Penalty::ElasticNet { alpha, l1_ratio } => {
                (alpha * l1_ratio, 0.5 * alpha * (1.0 - l1_ratio))
            }
        }
    }

    /// Whether the penalty is identically zero.
    pub fn is_zero(&self) -> bool {
        self.coefficients() == (0.0, 0.0)
    }

    /// `Ω(w)` (summed in `f64`). A non-finite weight gives a non-finite value.
    pub fn value(&self, w: &[f32]) -> f32 {
        let (c1, c2) = self.coefficients();
        if c1 == 0.0 && c2 == 0.0 {
            return 0.0;
        }
        let (abs, sq) = w.iter().fold((0.0_f64, 0.0_f64), |(a, s), &v| {
            let v = f64::from(v);
            (a + v.abs(), s + v * v)
        });
        (f64::from(c1) * abs + f64::from(c2) * sq) as f32
    }

    /// Adds `∂Ω/∂w = c1·sign(w) + 2·c2·w` (with `sign(0) = 0`) to `grad`.
    pub fn add_gradient(&self, w: &[f32], grad: &mut [f32]) -> Result<()> {
        if w.len() != grad.len() {
            return Err(EngineError::ShapeMismatch {
                what: "penalty gradient".to_owned(),
                expected: format!("{} values", w.len()),
                got: format!("{} values", grad.len()),
            });
        }
        let (c1, c2) = self.coefficients();
        if c1 == 0.0 && c2 == 0.0 {
            return Ok(());
        }
        let two_c2 = 2.0 * c2;
        for (g, &v) in grad.iter_mut().zip(w) {
            *g += c1 * sign0(v) + two_c2 * v;
        }
        Ok(())
    }

    /// `Ω` summed over every weight tensor ([`ParamKind::Weight`]) of `model`, the term added
    /// to the loss the page shows.
    pub fn model_value(&self, model: &mut Sequential) -> f32 {
        let mut total = 0.0_f64;
        model.visit_params(&mut |_, p| {
            if p.kind == ParamKind::Weight {
                total += f64::from(self.value(p.value));
            }
        });
        total as f32
    }
}

/// `sign(v)` with `sign(0) = 0` (and NaN for NaN).
fn sign0(v: f32) -> f32 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        v * 0.0
    }
}

/// One optimizer step on `model` with `penalty`'s gradient added to every weight tensor's
/// gradient: `w ← update(w, ∂L/∂w + ∂Ω/∂w)`; other tensors get their plain gradient.
///
/// The penalised gradient is built in `scratch`, which grows once to the largest weight tensor
/// and is reused, so a step allocates nothing after the first.
pub fn step_with_penalty(
    optimizer: &mut dyn Optimizer,
    model: &mut Sequential,
    penalty: &Penalty,
    scratch: &mut Vec<f32>,
) -> Result<()> {
    let active = !penalty.is_zero();
    let mut result = Ok(());
    model.visit_params(&mut |slot, p| {
        if result.is_err() {
            return;
        }
        if !(active && p.kind == ParamKind::Weight) {
            result = optimizer.update(slot, p.value, p.grad);
            return;
        }
        let n = p.grad.len();
        if scratch.len() < n {
            scratch.resize(n, 0.0);
        }
        let Some(buf) = scratch.get_mut(..n) else {
            result = Err(EngineError::Invalid(
                "the penalty's scratch buffer could not hold the gradient".to_owned(),
            ));
            return;
        };
        buf.copy_from_slice(p.grad);
        result = penalty
            .add_gradient(p.value, buf)
            .and_then(|()| optimizer.update(slot, p.value, buf));
    });
    result
}

/// A penalised training step with its own scratch buffer, optionally keeping pruned weights at
/// zero.
#[derive(Debug, Clone)]
pub struct Regularizer {
    penalty: Penalty,
    mask: Option<PruneMask>,
    scratch: Vec<f32>,
}

impl Regularizer {
    /// A regulariser applying `penalty` (checked).
    pub fn new(penalty: Penalty) -> Result<Self> {
        penalty.validate()?;
        Ok(Self {
            penalty,
            mask: None,
            scratch: Vec::new(),
        })
    }

    /// The penalty.
    pub fn penalty(&self) -> Penalty {
        self.penalty
    }

    /// Replaces the penalty (checked).
    pub fn set_penalty(&mut self, penalty: Penalty) -> Result<()> {
        penalty.validate()?;
        self.penalty = penalty;
        Ok(())
    }

    /// Keeps the weights pruned by `mask` at zero after every step (`None` lets them regrow).
    pub fn keep_pruned(&mut self, mask: Option<PruneMask>) {
        self.mask = mask;
    }

    /// The pruning mask being enforced, if any.
    pub fn mask(&self) -> Option<&PruneMask> {
        self.mask.as_ref()
    }

    /// One step ([`step_with_penalty`]), then the mask re-applied if one is kept.
    pub fn step(&mut self, optimizer: &mut dyn Optimizer, model: &mut Sequential) -> Result<()> {
        step_with_penalty(optimizer, model, &self.penalty, &mut self.scratch)?;
        if let Some(mask) = &self.mask {
            mask.apply(model)?;
        }
        Ok(())
    }

    /// The penalty's value on `model`'s weights.
    pub fn penalty_value(&self, model: &mut Sequential) -> f32 {
        self.penalty.model_value(model)
    }
}

/// Which weights magnitude pruning removed, to report and to keep them at zero.
#[derive(Debug, Clone, PartialEq)]
pub struct PruneMask {
    /// Per parameter slot: for weight tensors, `true` where the weight is kept; `None` for
    /// tensors pruning does not touch (biases, other parameters).
    keep: Vec<Option<Vec<bool>>>,
    threshold: Option<f32>,
    pruned: usize,
    considered: usize,
}

impl PruneMask {
    /// The largest magnitude that was pruned (`None` when nothing was): every weight with a
    /// smaller `|w|` was pruned, and weights equal to it were pruned in parameter order until
    /// the count was reached.
    pub fn threshold(&self) -> Option<f32> {
        self.threshold
    }

    /// How many weights were set to zero.
    pub fn pruned(&self) -> usize {
        self.pruned
    }

    /// How many weights were candidates (all weights of [`ParamKind::Weight`] tensors).
    pub fn considered(&self) -> usize {
        self.considered
    }

    /// Whether element `index` of parameter slot `slot` was pruned.
    pub fn is_pruned(&self, slot: usize, index: usize) -> bool {
        self.keep
            .get(slot)
            .and_then(Option::as_ref)
            .and_then(|k| k.get(index))
            .is_some_and(|&keep| !keep)
    }

    /// Sets the pruned weights of `model` to zero again (after a training step let them move).
    /// The model must have the parameter layout the mask was made from.
    pub fn apply(&self, model: &mut Sequential) -> Result<()> {
        let mut layout_ok = true;
        let mut slots = 0;
        model.visit_params(&mut |slot, p| {
            slots += 1;
            let expected = self.keep.get(slot).map(|k| k.as_ref().map(Vec::len));
            let actual = (p.kind == ParamKind::Weight).then_some(p.value.len());
            layout_ok &= expected == Some(actual);
        });
        if !layout_ok || slots != self.keep.len() {
            return Err(EngineError::Invalid(
                "the pruning mask was made for a network with different parameters".to_owned(),
            ));
        }
        model.visit_params(&mut |slot, p| {
            if let Some(Some(keep)) = self.keep.get(slot) {
                for (w, &k) in p.value.iter_mut().zip(keep) {
                    if !k {
                        *w = 0.0;
                    }
                }
            }
        });
        Ok(())
    }
}

/// Magnitude pruning: sets to zero the `fraction` of weights with the smallest `|w|`, ranked
/// together across every weight tensor of `model` (one global threshold; biases and other
/// parameters are not pruned). Exactly `round(fraction·N)` of the `N` weights are pruned; ties
/// at the threshold are broken by parameter order (earlier slots, then earlier elements, first).
///
/// Returns the mask, which [`Regularizer::keep_pruned`] can enforce during further training.
/// `fraction` must be in `[0, 1]`; weights must be finite.
pub fn magnitude_prune(model: &mut Sequential, fraction: f32) -> Result<PruneMask> {
    let fraction = check_range("pruning fraction", fraction, 0.0, 1.0)?;
    let mut magnitudes: Vec<(f32, usize, usize)> = Vec::new();
    let mut keep: Vec<Option<Vec<bool>>> = Vec::new();
    let mut finite = true;
    model.visit_params(&mut |slot, p| {
        if p.kind == ParamKind::Weight {
            finite &= p.value.iter().all(|v| v.is_finite());
            magnitudes.extend(p.value.iter().enumerate().map(|(i, v)| (v.abs(), slot, i)));
            keep.push(Some(vec![true; p.value.len()]));
        } else {
            keep.push(None);
        }
    });
    if !finite {
        return Err(EngineError::NonFinite {
            what: "the weights to prune".to_owned(),
        });
    }
    let considered = magnitudes.len();
    let count = ((f64::from(fraction) * considered as f64).round() as usize).min(considered);
    // A stable sort by magnitude keeps parameter order among equal magnitudes.
    magnitudes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut threshold = None;
    for &(m, slot, i) in magnitudes.iter().take(count) {
        if let Some(Some(k)) = keep.get_mut(slot)
            && let Some(flag) = k.get_mut(i)
        {
            *flag = false;
        }
        threshold = Some(m);
    }
    let mask = PruneMask {
        keep,
        threshold,
        pruned: count,
        considered,
    };
    mask.apply(model)?;
    Ok(mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::layer::{Dense, Init, Mode};
    use crate::optim::{OptimizerConfig, Sgd};
    use crate::rng::Rng;
    use crate::tensor::{Shape, from_rows};
    use proptest::prelude::*;

    const W: [f32; 5] = [1.5, -0.5, 0.0, 2.0, -3.0];

    fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    fn gradient(p: &Penalty, w: &[f32]) -> Vec<f32> {
        let mut g = vec![0.0; w.len()];
        p.add_gradient(w, &mut g).unwrap();
        g
    }

    #[test]
    fn penalties_by_hand() {
        // Σ|w| = 1.5 + 0.5 + 0 + 2 + 3 = 7; Σw² = 2.25 + 0.25 + 0 + 4 + 9 = 15.5.
        let l1 = Penalty::L1 { lambda: 0.1 };
        assert!((l1.value(&W) - 0.7).abs() < 1e-6);
        // 0.1·sign(w), sign(0) = 0.
        assert!(close(
            &gradient(&l1, &W),
            &[0.1, -0.1, 0.0, 0.1, -0.1],
            1e-7
        ));

        let l2 = Penalty::L2 { lambda: 0.1 };
        assert!((l2.value(&W) - 1.55).abs() < 1e-6);
        // 2·0.1·w.
        assert!(close(
            &gradient(&l2, &W),
            &[0.3, -0.1, 0.0, 0.4, -0.6],
            1e-6
        ));

        // Keras L1L2(0.01, 0.02): 0.01·7 + 0.02·15.5 = 0.38.
        let both = Penalty::L1L2 { l1: 0.01, l2: 0.02 };
        assert!((both.value(&W) - 0.38).abs() < 1e-6);

        // scikit-learn elastic net α 0.5, ρ 0.3: 0.5·(0.3·7 + 0.35·15.5) = 0.5·7.525 = 3.7625;
        // gradient 0.15·sign(w) + 0.35·w.
        let en = Penalty::ElasticNet {
            alpha: 0.5,
            l1_ratio: 0.3,
        };
        assert!((en.value(&W) - 3.7625).abs() < 1e-5);
        assert!(close(
            &gradient(&en, &W),
            &[0.675, -0.325, 0.0, 0.85, -1.2],
            1e-6
        ));
        // ρ = 1 is L1 with λ = α; ρ = 0 is half of L2.
        let ratio1 = Penalty::ElasticNet {
            alpha: 0.2,
            l1_ratio: 1.0,
        };
        assert_eq!(ratio1.value(&W), Penalty::L1 { lambda: 0.2 }.value(&W));
        let ratio0 = Penalty::ElasticNet {
            alpha: 0.2,
            l1_ratio: 0.0,
        };
        assert!((ratio0.value(&W) - 0.5 * Penalty::L2 { lambda: 0.2 }.value(&W)).abs() < 1e-6);
        assert_eq!(Penalty::None.value(&W), 0.0);
        assert_eq!(gradient(&Penalty::None, &W), vec![0.0; 5]);
    }

    #[test]
    fn zero_weights_have_zero_l1_gradient() {
        let l1 = Penalty::L1 { lambda: 1.0 };
        assert_eq!(l1.value(&[0.0, -0.0, 0.0]), 0.0);
        assert_eq!(gradient(&l1, &[0.0, -0.0, 0.0]), vec![0.0; 3]);
    }

    #[test]
    fn penalty_gradients_match_finite_differences() {
        let w = [0.7, -1.3, 0.4, 2.1, -0.25];
        let penalties = [
            Penalty::L1 { lambda: 0.3 },
            Penalty::L2 { lambda: 0.2 },
            Penalty::L1L2 { l1: 0.05, l2: 0.4 },
            Penalty::ElasticNet {
                alpha: 0.5,
                l1_ratio: 0.3,
            },
        ];
        let h = 1e-2_f32;
        for p in penalties {
            let g = gradient(&p, &w);
            for k in 0..w.len() {
                let (mut plus, mut minus) = (w, w);
                plus[k] += h;
                minus[k] -= h;
                let num =
                    (f64::from(p.value(&plus)) - f64::from(p.value(&minus))) / (2.0 * f64::from(h));
                assert!(
                    (f64::from(g[k]) - num).abs() < 2e-3,
                    "{} element {k}: analytic {}, numeric {num}",
                    p.name(),
                    g[k]
                );
            }
        }
    }

    #[test]
    fn bad_penalties_are_named() {
        let err = Penalty::L1 { lambda: -1.0 }.validate().unwrap_err();
        assert!(err.to_string().contains("lambda = -1"), "{err}");
        let err = Penalty::ElasticNet {
            alpha: 0.1,
            l1_ratio: 1.5,
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("l1_ratio = 1.5"), "{err}");
        assert!(
            Penalty::L1L2 {
                l1: 0.0,
                l2: f32::NAN
            }
            .validate()
            .is_err()
        );
        assert!(
            Penalty::L2 { lambda: 0.1 }
                .add_gradient(&[1.0], &mut [])
                .is_err()
        );
    }

    fn model() -> Sequential {
        let mut rng = Rng::new(11);
        let mut m = Sequential::new(Shape::Flat(3));
        m.push(Dense::new(3, 4, Activation::Tanh, Init::Glorot, &mut rng).unwrap())
            .unwrap()
            .push(Dense::new(4, 2, Activation::Linear, Init::Glorot, &mut rng).unwrap())
            .unwrap();
        m
    }

    fn weights(m: &mut Sequential) -> Vec<(ParamKind, Vec<f32>)> {
        let mut out = Vec::new();
        m.visit_params(&mut |_, p| out.push((p.kind, p.value.to_vec())));
        out
    }

    fn forward_backward(m: &mut Sequential) {
        let x = from_rows(&[vec![0.5, -1.0, 0.2], vec![1.0, 0.3, -0.4]]).unwrap();
        let g = from_rows(&[vec![1.0, -0.5], vec![0.2, 0.1]]).unwrap();
        m.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        m.backward(&x, &g).unwrap();
    }

    #[test]
    fn l2_penalty_step_equals_coupled_weight_decay_on_weights_only() {
        // L2 {λ} adds 2λ·w, the same as SGD weight decay 2λ, but only on weight tensors.
        let mut a = model();
        forward_backward(&mut a);
        let mut b = a.clone();
        let mut reg = Regularizer::new(Penalty::L2 { lambda: 0.05 }).unwrap();
        reg.step(&mut Sgd::new(0.1, 0.0).unwrap(), &mut a).unwrap();
        let mut decayed = Sgd::new(0.1, 0.1).unwrap();
        let mut plain = Sgd::new(0.1, 0.0).unwrap();
        b.visit_params(&mut |slot, p| {
            let opt: &mut dyn Optimizer = if p.kind == ParamKind::Weight {
                &mut decayed
            } else {
                &mut plain
            };
            opt.update(slot, p.value, p.grad).unwrap();
        });
        for ((ka, wa), (_, wb)) in weights(&mut a).iter().zip(weights(&mut b).iter()) {
            assert!(close(wa, wb, 1e-6), "{ka:?}");
        }
    }

    #[test]
    fn penalised_steps_reuse_the_scratch_buffer() {
        let mut m = model();
        forward_backward(&mut m);
        let mut opt = OptimizerConfig::named("adam").unwrap().build().unwrap();
        let mut scratch = Vec::new();
        let penalty = Penalty::L1 { lambda: 0.01 };
        step_with_penalty(opt.as_mut(), &mut m, &penalty, &mut scratch).unwrap();
        let (ptr, len) = (scratch.as_ptr(), scratch.len());
        // The largest weight tensor is 4×3 = 12 numbers.
        assert_eq!(len, 12);
        for _ in 0..5 {
            step_with_penalty(opt.as_mut(), &mut m, &penalty, &mut scratch).unwrap();
        }
        assert_eq!((scratch.as_ptr(), scratch.len()), (ptr, len));
        // The penalty seen by the page sums the weight tensors only.
        let expected: f32 = weights(&mut m)
            .iter()
            .filter(|(k, _)| *k == ParamKind::Weight)
            .map(|(_, w)| penalty.value(w))
            .sum();
        assert!((penalty.model_value(&mut m) - expected).abs() < 1e-6);
    }

    #[test]
    fn pruning_removes_the_exact_fraction_globally() {
        let mut m = model();
        let before = weights(&mut m);
        // 12 + 8 = 20 weights; 30% is 6.
        let mask = magnitude_prune(&mut m, 0.3).unwrap();
        assert_eq!((mask.pruned(), mask.considered()), (6, 20));
        let after = weights(&mut m);
        let mut zeroed = 0;
        let threshold = mask.threshold().unwrap();
        for (slot, ((kind, w0), (_, w1))) in before.iter().zip(&after).enumerate() {
            for (i, (&a, &b)) in w0.iter().zip(w1).enumerate() {
                if *kind != ParamKind::Weight {
                    assert_eq!(a, b, "biases are not pruned");
                } else if b == 0.0 {
                    zeroed += 1;
                    assert!(a.abs() <= threshold && mask.is_pruned(slot, i));
                } else {
                    assert!(a.abs() >= threshold && !mask.is_pruned(slot, i));
                    assert_eq!(a, b);
                }
            }
        }
        assert_eq!(zeroed, 6);
        // Training moves pruned weights; keeping the mask puts them back to zero.
        forward_backward(&mut m);
        let mut reg = Regularizer::new(Penalty::None).unwrap();
        reg.keep_pruned(Some(mask.clone()));
        reg.step(&mut Sgd::new(0.1, 0.0).unwrap(), &mut m).unwrap();
        let mut still_zero = 0;
        m.visit_params(&mut |slot, p| {
            for (i, &w) in p.value.iter().enumerate() {
                if mask.is_pruned(slot, i) {
                    assert_eq!(w, 0.0);
                    still_zero += 1;
                }
            }
        });
        assert_eq!(still_zero, 6);
    }

    #[test]
    fn pruning_breaks_ties_by_order_and_handles_the_ends() {
        let w = from_rows(&[vec![0.5, -0.5, 2.0], vec![0.5, 1.0, -3.0]]).unwrap();
        let mut m = Sequential::new(Shape::Flat(3));
        m.push(Dense::from_parts(w, vec![0.0, 0.0], Activation::Linear).unwrap())
            .unwrap();
        // Four weights share |w| = 0.5; pruning 2 of 6 takes the first two in storage order
        // (nalgebra stores W column-major: W00, W10, W01, W11, W02, W12 = 0.5, 0.5, −0.5, 1, 2, −3).
        let mask = magnitude_prune(&mut m.clone(), 2.0 / 6.0).unwrap();
        assert_eq!(mask.threshold(), Some(0.5));
        assert!(mask.is_pruned(0, 0) && mask.is_pruned(0, 1) && !mask.is_pruned(0, 2));
        let none = magnitude_prune(&mut m.clone(), 0.0).unwrap();
        assert_eq!((none.pruned(), none.threshold()), (0, None));
        let mut all = m.clone();
        let full = magnitude_prune(&mut all, 1.0).unwrap();
        assert_eq!((full.pruned(), full.threshold()), (6, Some(3.0)));
        assert!(weights(&mut all)[0].1.iter().all(|&v| v == 0.0));
        assert!(magnitude_prune(&mut m, 1.5).is_err());
        assert!(magnitude_prune(&mut m, f32::NAN).is_err());
        // A mask from another network is refused.
        assert!(mask.apply(&mut model()).is_err());
    }

    proptest! {
        #[test]
        fn regularisation_never_panics(
            w in proptest::collection::vec(
                prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(0.0f32), -5.0f32..5.0], 0..8),
            glen in 0usize..8,
            coef in prop_oneof![Just(f32::NAN), Just(-1.0f32), Just(0.0f32), 0.0f32..2.0],
            ratio in prop_oneof![Just(f32::NAN), Just(1.5f32), 0.0f32..1.0],
            fraction in prop_oneof![Just(f32::NAN), Just(-0.1f32), Just(1.1f32), 0.0f32..1.0],
        ) {
            for p in [Penalty::L1 { lambda: coef }, Penalty::L2 { lambda: coef },
                      Penalty::L1L2 { l1: coef, l2: coef },
                      Penalty::ElasticNet { alpha: coef, l1_ratio: ratio }] {
                let _ = p.validate();
                let _ = p.value(&w);
                let mut g = vec![0.0; glen];
                let _ = p.add_gradient(&w, &mut g);
            }
            let mut m = model();
            let _ = magnitude_prune(&mut m, fraction);
        }
    }
}
