//! Plain gradient descent: full-batch gradient descent and mini-batch SGD are this one update.

use super::{
    Optimizer, OptimizerConfig, OptimizerKind, check_len, check_lr, check_non_negative,
    check_scheduled_lr,
};
use crate::error::Result;

/// Gradient descent, `w ← w − lr·(g + λ·w)`.
///
/// *Full-batch gradient descent* passes the gradient of the whole training loss; *stochastic*
/// (mini-batch) gradient descent passes the gradient of one sample or of a mini-batch. The
/// update is the same: only the gradient differs.
///
/// `weight_decay` λ is coupled, as in PyTorch's `SGD(weight_decay=λ)` and optax's
/// `chain(add_decayed_weights(λ), sgd(lr))`: it is added to the gradient, which is the gradient
/// of the L2 penalty `½·λ·Σ w²`. It has no state.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd {
    lr: f32,
    weight_decay: f32,
}

impl Sgd {
    /// Gradient descent with learning rate `lr` (> 0) and coupled weight decay (≥ 0; 0 for none).
    pub fn new(lr: f32, weight_decay: f32) -> Result<Self> {
        Ok(Self {
            lr: check_lr(lr)?,
            weight_decay: check_non_negative("weight decay", weight_decay)?,
        })
    }

    /// The coupled weight decay λ.
    pub fn weight_decay(&self) -> f32 {
        self.weight_decay
    }
}

impl Optimizer for Sgd {
    fn name(&self) -> &'static str {
        "sgd"
    }

    fn config(&self) -> OptimizerConfig {
        OptimizerConfig {
            lr: self.lr,
            weight_decay: self.weight_decay,
            ..OptimizerConfig::new(OptimizerKind::Sgd)
        }
    }

    fn learning_rate(&self) -> f32 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        self.lr = check_scheduled_lr(lr)?;
        Ok(())
    }

    fn update(&mut self, _slot: usize, value: &mut [f32], grad: &[f32]) -> Result<()> {
        check_len("gradient", value.len(), grad.len())?;
        let (lr, wd) = (self.lr, self.weight_decay);
        for (w, &g) in value.iter_mut().zip(grad) {
            *w -= lr * (g + wd * *w);
        }
        Ok(())
    }

    fn state(&self, _slot: usize) -> Vec<(&'static str, &[f32])> {
        Vec::new()
    }

    fn reset(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::tests::close;

    #[test]
    fn first_steps_by_hand() {
        let mut sgd = Sgd::new(0.1, 0.0).unwrap();
        let mut w = [1.0, -2.0];
        sgd.update(0, &mut w, &[0.5, -1.0]).unwrap();
        // [1 − 0.1·0.5, −2 − 0.1·(−1)] = [0.95, −1.9].
        assert!(close(&w, &[0.95, -1.9], 1e-7));
        assert!(sgd.state(0).is_empty());
    }

    #[test]
    fn coupled_weight_decay_by_hand() {
        // lr 0.5, λ 0.5, zero gradients: w ← w − 0.5·0.5·w = 0.75·w per step.
        let mut sgd = Sgd::new(0.5, 0.5).unwrap();
        let mut w = [1.0, -2.0];
        for _ in 0..3 {
            sgd.update(0, &mut w, &[0.0, 0.0]).unwrap();
        }
        // 0.75³ = 0.421875.
        assert!(close(&w, &[0.421_875, -0.843_75], 1e-7));
        // lr 0.1, λ 0.01, g = [0.3, −0.2] at w = [1, −2]: g' = [0.31, −0.22], w = [0.969, −1.978].
        let mut sgd = Sgd::new(0.1, 0.01).unwrap();
        let mut w = [1.0, -2.0];
        sgd.update(0, &mut w, &[0.3, -0.2]).unwrap();
        assert!(close(&w, &[0.969, -1.978], 1e-6));
    }

    #[test]
    fn learning_rate_can_change_and_is_checked() {
        let mut sgd = Sgd::new(0.1, 0.0).unwrap();
        sgd.set_learning_rate(0.2).unwrap();
        assert_eq!(sgd.learning_rate(), 0.2);
        assert!(sgd.set_learning_rate(-0.2).is_err());
        assert_eq!(sgd.learning_rate(), 0.2);
        let mut w = [0.0];
        assert!(sgd.update(0, &mut w, &[1.0, 2.0]).is_err());
    }
}
