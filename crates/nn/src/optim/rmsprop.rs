//! RMSProp: Adagrad with a decaying average of squared gradients instead of a sum.

use super::{
    Optimizer, OptimizerConfig, OptimizerKind, SlotState, Slots, check_eps, check_len, check_lr,
    check_scheduled_lr, check_unit_open,
};
use crate::error::Result;

/// RMSProp (Hinton's lecture notes), PyTorch's form without momentum and not centred:
/// `s ← α·s + (1 − α)·g²` (`s` starting at 0), `w ← w − lr·g / (√s + ε)`, ε outside the root.
///
/// α defaults to 0.99 as in PyTorch. Because `s` forgets old gradients, the step size does not
/// shrink for ever as Adagrad's does. This equals optax's `rmsprop(lr, decay=α, eps=ε,
/// eps_in_sqrt=False)`. State per slot: `"square_avg"`.
#[derive(Debug, Clone)]
pub struct RmsProp {
    lr: f32,
    alpha: f32,
    eps: f32,
    slots: Slots<SquareAverage>,
}

/// The running average of squared gradients of one slot.
#[derive(Debug, Clone)]
struct SquareAverage {
    avg: Vec<f32>,
}

impl SlotState for SquareAverage {
    fn fresh(len: usize) -> Self {
        Self {
            avg: vec![0.0; len],
        }
    }
    fn len(&self) -> usize {
        self.avg.len()
    }
}

impl RmsProp {
    /// RMSProp with learning rate `lr` > 0, decay `alpha` in `[0, 1)` and `eps` > 0.
    pub fn new(lr: f32, alpha: f32, eps: f32) -> Result<Self> {
        Ok(Self {
            lr: check_lr(lr)?,
            alpha: check_unit_open("alpha", alpha)?,
            eps: check_eps(eps)?,
            slots: Slots::default(),
        })
    }
}

impl Optimizer for RmsProp {
    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn config(&self) -> OptimizerConfig {
        OptimizerConfig {
            lr: self.lr,
            alpha: self.alpha,
            eps: self.eps,
            ..OptimizerConfig::new(OptimizerKind::RmsProp)
        }
    }

    fn learning_rate(&self) -> f32 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f32) -> Result<()> {
        self.lr = check_scheduled_lr(lr)?;
        Ok(())
    }

    fn update(&mut self, slot: usize, value: &mut [f32], grad: &[f32]) -> Result<()> {
        check_len("gradient", value.len(), grad.len())?;
        let (lr, alpha, eps) = (self.lr, self.alpha, self.eps);
        let state = self.slots.get_or_create(slot, value.len())?;
        for ((w, &g), s) in value.iter_mut().zip(grad).zip(state.avg.iter_mut()) {
            *s = alpha * *s + (1.0 - alpha) * g * g;
            *w -= lr * g / (s.sqrt() + eps);
        }
        Ok(())
    }

    fn state(&self, slot: usize) -> Vec<(&'static str, &[f32])> {
        self.slots
            .get(slot)
            .map(|s| vec![("square_avg", s.avg.as_slice())])
            .unwrap_or_default()
    }

    fn reset(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::tests::close;

    #[test]
    fn first_steps_by_hand() {
        // lr 0.01, α 0.99, ε 1e-8, w0 = [0.5, −0.5], g1 = [2, −1].
        let mut opt = RmsProp::new(0.01, 0.99, 1e-8).unwrap();
        let mut w = [0.5, -0.5];
        opt.update(0, &mut w, &[2.0, -1.0]).unwrap();
        // s1 = 0.01·g² = [0.04, 0.01]; √s1 = [0.2, 0.1]; step = 0.01·[2/0.2, −1/0.1] = [0.1, −0.1]:
        // the first step is lr·sign(g)/√(1 − α) = 0.1·sign(g).
        assert!(close(opt.state(0)[0].1, &[0.04, 0.01], 1e-7));
        assert!(close(&w, &[0.4, -0.4], 1e-6));
        opt.update(0, &mut w, &[0.0, 1.0]).unwrap();
        // s2 = 0.99·[0.04, 0.01] + 0.01·[0, 1] = [0.0396, 0.0199]; w2 = [0.4, −0.4 − 0.01/√0.0199].
        assert!(close(opt.state(0)[0].1, &[0.0396, 0.0199], 1e-7));
        assert!(close(&w, &[0.4, -0.4 - 0.01 / 0.0199_f32.sqrt()], 1e-6));
    }

    #[test]
    fn no_allocation_after_the_first_step() {
        let mut opt = RmsProp::new(0.01, 0.9, 1e-8).unwrap();
        let mut w = [1.0; 3];
        opt.update(1, &mut w, &[1.0; 3]).unwrap();
        let ptr = opt.state(1)[0].1.as_ptr();
        for _ in 0..5 {
            opt.update(1, &mut w, &[1.0; 3]).unwrap();
        }
        assert_eq!(opt.state(1)[0].1.as_ptr(), ptr);
    }
}
