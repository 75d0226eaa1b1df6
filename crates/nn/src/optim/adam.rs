//! Adam, and its two ways of adding weight decay: AdamW (decoupled) and Adam with coupled L2.

use super::{
    Optimizer, OptimizerConfig, OptimizerKind, SlotState, Slots, check_eps, check_len, check_lr,
    check_non_negative, check_scheduled_lr, check_unit_open,
};
use crate::error::Result;

/// How Adam applies weight decay λ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightDecay {
    /// No weight decay: plain Adam.
    None,
    /// Coupled, "Adam with L2" (PyTorch `Adam(weight_decay=λ)`, optax
    /// `chain(add_decayed_weights(λ), adam)`): `g ← g + λ·w` before the moments, so the decay is
    /// divided by `√v̂` like the gradient and large-gradient weights are barely decayed.
    Coupled(f32),
    /// Decoupled, AdamW (Loshchilov & Hutter; PyTorch `AdamW`, optax `adamw`):
    /// `w ← w − lr·(m̂/(√v̂ + ε) + λ·w)`, with the `w` from before the step; the decay never
    /// enters `m` or `v`, so every weight shrinks by the same factor `1 − lr·λ` per step.
    Decoupled(f32),
}

impl WeightDecay {
    /// λ (0 for none).
    pub fn lambda(self) -> f32 {
        match self {
            WeightDecay::None => 0.0,
            WeightDecay::Coupled(l) | WeightDecay::Decoupled(l) => l,
        }
    }
}

/// Adam (Kingma & Ba 2015), as optax's `adam` and PyTorch's `Adam`:
///
/// `m ← β1·m + (1 − β1)·g`, `v ← β2·v + (1 − β2)·g²` (both starting at 0),
/// `m̂ = m / (1 − β1ᵗ)`, `v̂ = v / (1 − β2ᵗ)` with `t = 1, 2, …` the slot's step count,
/// `w ← w − lr·m̂ / (√v̂ + ε)`, ε outside the square root.
///
/// The bias corrections undo the zero start of `m` and `v`: on the first step `m̂ = g` and
/// `v̂ = g²`, so the step is `lr·sign(g)` whatever the gradient's size. `t` is counted per slot
/// (as PyTorch does), so a tensor first updated late still gets correct corrections. Weight
/// decay is chosen by [`WeightDecay`]. State per slot: `"m"` and `"v"` (the raw moments, not
/// bias-corrected).
#[derive(Debug, Clone)]
pub struct Adam {
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    decay: WeightDecay,
    slots: Slots<Moments>,
}

/// The moments and step count of one slot.
#[derive(Debug, Clone)]
struct Moments {
    m: Vec<f32>,
    v: Vec<f32>,
    t: u64,
}

impl SlotState for Moments {
    fn fresh(len: usize) -> Self {
        Self {
            m: vec![0.0; len],
            v: vec![0.0; len],
            t: 0,
        }
    }
    fn len(&self) -> usize {
        self.m.len()
    }
}

impl Adam {
    /// Adam with learning rate `lr` > 0, `beta1` and `beta2` in `[0, 1)`, `eps` > 0 and a weight
    /// decay whose λ is ≥ 0.
    pub fn new(lr: f32, beta1: f32, beta2: f32, eps: f32, decay: WeightDecay) -> Result<Self> {
        check_non_negative("weight decay", decay.lambda())?;
        Ok(Self {
            lr: check_lr(lr)?,
            beta1: check_unit_open("beta1", beta1)?,
            beta2: check_unit_open("beta2", beta2)?,
            eps: check_eps(eps)?,
            decay,
            slots: Slots::default(),
        })
    }

    /// The weight-decay mode.
    pub fn weight_decay(&self) -> WeightDecay {
        self.decay
    }

    /// How many updates slot `slot` has had (the `t` of its bias correction).
    pub fn step_count(&self, slot: usize) -> u64 {
        self.slots.get(slot).map_or(0, |s| s.t)
    }
}

impl Optimizer for Adam {
    fn name(&self) -> &'static str {
        match self.decay {
            WeightDecay::None => "adam",
            WeightDecay::Coupled(_) => "adam_l2",
            WeightDecay::Decoupled(_) => "adamw",
        }
    }

    fn config(&self) -> OptimizerConfig {
        let kind = match self.decay {
            WeightDecay::None => OptimizerKind::Adam,
            WeightDecay::Coupled(_) => OptimizerKind::AdamL2,
            WeightDecay::Decoupled(_) => OptimizerKind::AdamW,
        };
        OptimizerConfig {
            lr: self.lr,
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.decay.lambda(),
            ..OptimizerConfig::new(kind)
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
        let (lr, b1, b2, eps) = (self.lr, self.beta1, self.beta2, self.eps);
        let (coupled, decoupled) = match self.decay {
            WeightDecay::None => (0.0, 0.0),
            WeightDecay::Coupled(l) => (l, 0.0),
            WeightDecay::Decoupled(l) => (0.0, l),
        };
        let state = self.slots.get_or_create(slot, value.len())?;
        state.t = state.t.saturating_add(1);
        // β^t in f64 (t beyond i32 only makes the power 0, which it already is).
        let t = i32::try_from(state.t).unwrap_or(i32::MAX);
        let correct1 = (1.0 / (1.0 - f64::from(b1).powi(t))) as f32;
        let correct2 = (1.0 / (1.0 - f64::from(b2).powi(t))) as f32;
        for (((w, &g), m), v) in value
            .iter_mut()
            .zip(grad)
            .zip(state.m.iter_mut())
            .zip(state.v.iter_mut())
        {
            let g = g + coupled * *w;
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            let m_hat = *m * correct1;
            let v_hat = *v * correct2;
            *w -= lr * (m_hat / (v_hat.sqrt() + eps) + decoupled * *w);
        }
        Ok(())
    }

    fn state(&self, slot: usize) -> Vec<(&'static str, &[f32])> {
        self.slots
            .get(slot)
            .map(|s| vec![("m", s.m.as_slice()), ("v", s.v.as_slice())])
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

    fn adam(decay: WeightDecay) -> Adam {
        Adam::new(0.1, 0.9, 0.999, 1e-8, decay).unwrap()
    }

    #[test]
    fn first_steps_by_hand() {
        let mut opt = adam(WeightDecay::None);
        let mut w = [1.0];
        opt.update(0, &mut w, &[0.5]).unwrap();
        // m1 = 0.1·0.5 = 0.05, v1 = 0.001·0.25 = 0.00025; m̂ = 0.5, v̂ = 0.25; step 0.1·0.5/0.5.
        assert!(close(opt.state(0)[0].1, &[0.05], 1e-7));
        assert!(close(opt.state(0)[1].1, &[0.000_25], 1e-8));
        assert!(close(&w, &[0.9], 1e-6));
        opt.update(0, &mut w, &[-0.5]).unwrap();
        // m2 = 0.045 − 0.05 = −0.005, v2 = 0.00024975 + 0.00025 = 0.00049975;
        // m̂ = −0.005/0.19 = −0.0263158, v̂ = 0.00049975/0.001999 = 0.25;
        // w2 = 0.9 + 0.1·0.0263158/0.5 = 0.9052632.
        assert!(close(opt.state(0)[0].1, &[-0.005], 1e-7));
        assert!(close(opt.state(0)[1].1, &[0.000_499_75], 1e-8));
        assert!(close(&w, &[0.905_263_2], 2e-6));
        assert_eq!(opt.step_count(0), 2);
    }

    #[test]
    fn first_step_is_lr_times_sign_whatever_the_scale() {
        for g in [1e-6_f32, 3.0, -250.0] {
            let mut opt = adam(WeightDecay::None);
            let mut w = [0.0];
            opt.update(0, &mut w, &[g]).unwrap();
            assert!((w[0] + 0.1 * g.signum()).abs() < 1e-3, "g = {g}: {w:?}");
        }
    }

    #[test]
    fn adamw_decay_is_decoupled() {
        let mut opt = adam(WeightDecay::Decoupled(0.1));
        let mut w = [1.0];
        opt.update(0, &mut w, &[0.5]).unwrap();
        // Adam step 1 (as above) plus lr·λ·w0: w1 = 1 − 0.1·(1 + 0.1·1) = 0.89; moments see g only.
        assert!(close(&w, &[0.89], 1e-6));
        assert!(close(opt.state(0)[0].1, &[0.05], 1e-7));
        assert_eq!(opt.name(), "adamw");
    }

    #[test]
    fn adam_l2_decay_is_coupled() {
        let mut opt = adam(WeightDecay::Coupled(0.1));
        let mut w = [1.0];
        opt.update(0, &mut w, &[0.5]).unwrap();
        // g' = 0.5 + 0.1·1 = 0.6: m1 = 0.06, v1 = 0.00036, and the first step is still lr·sign = 0.1.
        assert!(close(opt.state(0)[0].1, &[0.06], 1e-7));
        assert!(close(opt.state(0)[1].1, &[0.000_36], 1e-8));
        assert!(close(&w, &[0.9], 1e-6));
        assert_eq!(opt.name(), "adam_l2");
    }

    #[test]
    fn zero_gradients_leave_plain_adam_still() {
        let mut opt = adam(WeightDecay::None);
        let mut w = [0.5, -0.5];
        opt.update(0, &mut w, &[0.0, 1.0]).unwrap();
        assert_eq!(w[0], 0.5);
        // With zero gradients AdamW still shrinks: w ← w·(1 − lr·λ) = 0.5·0.99.
        let mut opt = adam(WeightDecay::Decoupled(0.1));
        let mut w = [0.5];
        opt.update(0, &mut w, &[0.0]).unwrap();
        assert!(close(&w, &[0.495], 1e-7));
    }

    #[test]
    fn no_allocation_after_the_first_step() {
        let mut opt = adam(WeightDecay::Coupled(0.01));
        let mut w = [1.0; 5];
        opt.update(3, &mut w, &[0.5; 5]).unwrap();
        let ptrs: Vec<_> = opt.state(3).iter().map(|(_, b)| b.as_ptr()).collect();
        for _ in 0..10 {
            opt.update(3, &mut w, &[0.5; 5]).unwrap();
        }
        let after: Vec<_> = opt.state(3).iter().map(|(_, b)| b.as_ptr()).collect();
        assert_eq!(ptrs, after);
        assert_eq!(opt.step_count(3), 11);
        assert_eq!(opt.step_count(0), 0);
    }

    #[test]
    fn negative_decay_is_refused() {
        let err = Adam::new(0.1, 0.9, 0.999, 1e-8, WeightDecay::Decoupled(-0.1)).unwrap_err();
        assert!(err.to_string().contains("weight decay = -0.1"), "{err}");
    }
}
