//! Momentum and Nesterov momentum, in both the PyTorch form and the classical form.
//!
//! The two forms differ in where the learning rate sits. PyTorch (and optax) accumulate raw
//! gradients, `buf ← μ·buf + g`, and scale the step, `w ← w − lr·buf`. The classical form
//! (Polyak; Sutskever et al. 2013) accumulates steps, `v ← μ·v − lr·g`, `w ← w + v`. With a
//! constant learning rate they are the same method: by induction `v = −lr·buf` after every step,
//! so the iterates coincide. They part only when the learning rate changes mid-run (a schedule):
//! the classical velocity keeps the old rate's steps, PyTorch's buffer is rescaled at once.

use super::{
    Optimizer, OptimizerConfig, OptimizerKind, SlotState, Slots, check_len, check_lr,
    check_non_negative, check_scheduled_lr, check_unit_open,
};
use crate::error::{EngineError, Result, check_range};

/// Momentum, PyTorch's `SGD(momentum=μ, dampening=d, nesterov=…, weight_decay=λ)`.
///
/// With `g' = g + λ·w` (coupled weight decay, usually λ = 0):
/// - the buffer starts as `buf = g'` on a slot's first step, then `buf ← μ·buf + (1 − d)·g'`
///   (PyTorch applies no dampening on the first step);
/// - plain momentum steps `w ← w − lr·buf`;
/// - Nesterov steps `w ← w − lr·(g' + μ·buf)`, with the gradient taken at the current `w`
///   (this is the classical look-ahead rewritten so that no second gradient is needed; Nesterov
///   requires μ > 0 and d = 0, as in PyTorch).
///
/// With d = 0 this equals optax's `sgd(lr, momentum=μ, nesterov=…)`, whose trace starts at 0.
/// State per slot: `"momentum_buffer"`.
#[derive(Debug, Clone)]
pub struct Momentum {
    lr: f32,
    momentum: f32,
    dampening: f32,
    nesterov: bool,
    weight_decay: f32,
    slots: Slots<BufferState>,
}

/// The momentum buffer of one slot, and whether it has been started.
#[derive(Debug, Clone)]
struct BufferState {
    buf: Vec<f32>,
    started: bool,
}

impl SlotState for BufferState {
    fn fresh(len: usize) -> Self {
        Self {
            buf: vec![0.0; len],
            started: false,
        }
    }
    fn len(&self) -> usize {
        self.buf.len()
    }
}

impl Momentum {
    /// PyTorch-form momentum: `lr` > 0, `momentum` μ in `[0, 1)`, `dampening` in `[0, 1]`,
    /// `nesterov` (needs μ > 0 and dampening 0), coupled `weight_decay` ≥ 0.
    pub fn new(
        lr: f32,
        momentum: f32,
        dampening: f32,
        nesterov: bool,
        weight_decay: f32,
    ) -> Result<Self> {
        let lr = check_lr(lr)?;
        let momentum = check_unit_open("momentum", momentum)?;
        let dampening = check_range("dampening", dampening, 0.0, 1.0)?;
        let weight_decay = check_non_negative("weight decay", weight_decay)?;
        if nesterov && momentum == 0.0 {
            return Err(EngineError::hyper(
                "momentum",
                momentum,
                "Nesterov momentum needs a momentum greater than 0",
            ));
        }
        if nesterov && dampening != 0.0 {
            return Err(EngineError::hyper(
                "dampening",
                dampening,
                "Nesterov momentum needs a dampening of 0",
            ));
        }
        Ok(Self {
            lr,
            momentum,
            dampening,
            nesterov,
            weight_decay,
            slots: Slots::default(),
        })
    }

    /// Whether this is the Nesterov form.
    pub fn is_nesterov(&self) -> bool {
        self.nesterov
    }
}

impl Optimizer for Momentum {
    fn name(&self) -> &'static str {
        if self.nesterov {
            "nesterov"
        } else {
            "momentum"
        }
    }

    fn config(&self) -> OptimizerConfig {
        let kind = if self.nesterov {
            OptimizerKind::Nesterov
        } else {
            OptimizerKind::Momentum
        };
        OptimizerConfig {
            lr: self.lr,
            momentum: self.momentum,
            dampening: self.dampening,
            weight_decay: self.weight_decay,
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
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        let keep = 1.0 - self.dampening;
        let nesterov = self.nesterov;
        let state = self.slots.get_or_create(slot, value.len())?;
        let first = !state.started;
        state.started = true;
        for ((w, &g), b) in value.iter_mut().zip(grad).zip(state.buf.iter_mut()) {
            let g = g + wd * *w;
            *b = if first { g } else { mu * *b + keep * g };
            let direction = if nesterov { g + mu * *b } else { *b };
            *w -= lr * direction;
        }
        Ok(())
    }

    fn state(&self, slot: usize) -> Vec<(&'static str, &[f32])> {
        self.slots
            .get(slot)
            .map(|s| vec![("momentum_buffer", s.buf.as_slice())])
            .unwrap_or_default()
    }

    fn reset(&mut self) {
        self.slots.clear();
    }
}

/// Classical momentum (Polyak's heavy ball) and classical Nesterov momentum (Sutskever et al.
/// 2013).
///
/// - Momentum: `v ← μ·v − lr·g(w)`, `w ← w + v`, with `v` starting at 0.
/// - Nesterov: `v ← μ·v − lr·g(w + μ·v)`, `w ← w + v`: the gradient is taken at the
///   *look-ahead point* `w + μ·v`. [`Optimizer::update_with_gradient_fn`] does exactly this,
///   asking for the gradient there (the loss-surface figures use it).
///
/// Plain [`Optimizer::update`] has only the gradient at the stored values, so for Nesterov it
/// treats the stored values as the look-ahead point `φ = w + μ·v` (Bengio et al. 2013's
/// reformulation): `v ← μ·v − lr·g(φ)`, `φ ← φ + μ·v − lr·g(φ)`. That is the same sequence of
/// look-ahead points as the literal form, so a network trains identically; only what is stored
/// differs (`φ` rather than `w`).
///
/// State per slot: `"velocity"` (and `"lookahead"`, the last point a gradient was asked for,
/// after a Nesterov step with a gradient function).
#[derive(Debug, Clone)]
pub struct ClassicalMomentum {
    lr: f32,
    momentum: f32,
    nesterov: bool,
    slots: Slots<VelocityState>,
}

/// The velocity of one slot, and the look-ahead buffer for classical Nesterov.
#[derive(Debug, Clone)]
struct VelocityState {
    velocity: Vec<f32>,
    lookahead: Vec<f32>,
}

impl SlotState for VelocityState {
    fn fresh(len: usize) -> Self {
        Self {
            velocity: vec![0.0; len],
            lookahead: Vec::new(),
        }
    }
    fn len(&self) -> usize {
        self.velocity.len()
    }
}

impl ClassicalMomentum {
    /// Classical momentum with learning rate `lr` > 0 and momentum μ in `[0, 1)`; `nesterov`
    /// selects the look-ahead form.
    pub fn new(lr: f32, momentum: f32, nesterov: bool) -> Result<Self> {
        Ok(Self {
            lr: check_lr(lr)?,
            momentum: check_unit_open("momentum", momentum)?,
            nesterov,
            slots: Slots::default(),
        })
    }

    /// Whether this is the Nesterov form.
    pub fn is_nesterov(&self) -> bool {
        self.nesterov
    }
}

impl Optimizer for ClassicalMomentum {
    fn name(&self) -> &'static str {
        if self.nesterov {
            "classical_nesterov"
        } else {
            "classical_momentum"
        }
    }

    fn config(&self) -> OptimizerConfig {
        let kind = if self.nesterov {
            OptimizerKind::ClassicalNesterov
        } else {
            OptimizerKind::ClassicalMomentum
        };
        OptimizerConfig {
            lr: self.lr,
            momentum: self.momentum,
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
        let (lr, mu, nesterov) = (self.lr, self.momentum, self.nesterov);
        let state = self.slots.get_or_create(slot, value.len())?;
        for ((w, &g), v) in value.iter_mut().zip(grad).zip(state.velocity.iter_mut()) {
            *v = mu * *v - lr * g;
            // Nesterov on the look-ahead point φ: φ ← φ + μ·v_new − lr·g.
            *w += if nesterov { mu * *v - lr * g } else { *v };
        }
        Ok(())
    }

    fn update_with_gradient_fn(
        &mut self,
        slot: usize,
        value: &mut [f32],
        grad: &mut [f32],
        gradient_at: &mut dyn FnMut(&[f32], &mut [f32]),
    ) -> Result<()> {
        check_len("gradient buffer", value.len(), grad.len())?;
        if !self.nesterov {
            gradient_at(value, grad);
            return self.update(slot, value, grad);
        }
        let (lr, mu) = (self.lr, self.momentum);
        let state = self.slots.get_or_create(slot, value.len())?;
        if state.lookahead.len() != value.len() {
            state.lookahead = vec![0.0; value.len()];
        }
        for ((p, &w), &v) in state
            .lookahead
            .iter_mut()
            .zip(value.iter())
            .zip(&state.velocity)
        {
            *p = w + mu * v;
        }
        gradient_at(&state.lookahead, grad);
        for ((w, &g), v) in value
            .iter_mut()
            .zip(grad.iter())
            .zip(state.velocity.iter_mut())
        {
            *v = mu * *v - lr * g;
            *w += *v;
        }
        Ok(())
    }

    fn state(&self, slot: usize) -> Vec<(&'static str, &[f32])> {
        let Some(s) = self.slots.get(slot) else {
            return Vec::new();
        };
        let mut out = vec![("velocity", s.velocity.as_slice())];
        if !s.lookahead.is_empty() {
            out.push(("lookahead", s.lookahead.as_slice()));
        }
        out
    }

    fn reset(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Descent;
    use crate::optim::tests::{close, quadratic_gradient};

    fn buffer(opt: &dyn Optimizer) -> Vec<f32> {
        opt.state(0)[0].1.to_vec()
    }

    #[test]
    fn pytorch_momentum_first_steps_by_hand() {
        // lr 0.1, μ 0.9, g1 = [1, −2], g2 = [0.5, 0.5], w0 = [0, 0].
        let mut opt = Momentum::new(0.1, 0.9, 0.0, false, 0.0).unwrap();
        let mut w = [0.0, 0.0];
        opt.update(0, &mut w, &[1.0, -2.0]).unwrap();
        // buf1 = g1 = [1, −2]; w1 = −0.1·buf1 = [−0.1, 0.2].
        assert!(close(&buffer(&opt), &[1.0, -2.0], 1e-7));
        assert!(close(&w, &[-0.1, 0.2], 1e-7));
        opt.update(0, &mut w, &[0.5, 0.5]).unwrap();
        // buf2 = 0.9·[1, −2] + [0.5, 0.5] = [1.4, −1.3]; w2 = [−0.1 − 0.14, 0.2 + 0.13].
        assert!(close(&buffer(&opt), &[1.4, -1.3], 1e-6));
        assert!(close(&w, &[-0.24, 0.33], 1e-6));
    }

    #[test]
    fn pytorch_dampening_skips_the_first_step() {
        // lr 0.1, μ 0.9, d 0.5: buf1 = g1 = [1]; buf2 = 0.9·1 + 0.5·2 = 1.9.
        let mut opt = Momentum::new(0.1, 0.9, 0.5, false, 0.0).unwrap();
        let mut w = [0.0];
        opt.update(0, &mut w, &[1.0]).unwrap();
        assert!(close(&buffer(&opt), &[1.0], 1e-7));
        opt.update(0, &mut w, &[2.0]).unwrap();
        assert!(close(&buffer(&opt), &[1.9], 1e-6));
        // w = −0.1·1 − 0.1·1.9 = −0.29.
        assert!(close(&w, &[-0.29], 1e-6));
    }

    #[test]
    fn pytorch_nesterov_first_steps_by_hand() {
        // lr 0.1, μ 0.9, w0 = [0], g1 = 1, g2 = 0.5.
        let mut opt = Momentum::new(0.1, 0.9, 0.0, true, 0.0).unwrap();
        let mut w = [0.0];
        opt.update(0, &mut w, &[1.0]).unwrap();
        // buf1 = 1; w1 = −0.1·(1 + 0.9·1) = −0.19.
        assert!(close(&w, &[-0.19], 1e-7));
        opt.update(0, &mut w, &[0.5]).unwrap();
        // buf2 = 0.9 + 0.5 = 1.4; w2 = −0.19 − 0.1·(0.5 + 0.9·1.4) = −0.19 − 0.176 = −0.366.
        assert!(close(&buffer(&opt), &[1.4], 1e-6));
        assert!(close(&w, &[-0.366], 1e-6));
        assert_eq!(opt.name(), "nesterov");
    }

    #[test]
    fn pytorch_nesterov_needs_momentum_and_no_dampening() {
        assert!(Momentum::new(0.1, 0.0, 0.0, true, 0.0).is_err());
        let err = Momentum::new(0.1, 0.9, 0.1, true, 0.0).unwrap_err();
        assert!(err.to_string().contains("dampening"), "{err}");
    }

    #[test]
    fn classical_momentum_first_steps_by_hand() {
        // lr 0.1, μ 0.9, g1 = [1, −2], g2 = [0.5, 0.5].
        let mut opt = ClassicalMomentum::new(0.1, 0.9, false).unwrap();
        let mut w = [0.0, 0.0];
        opt.update(0, &mut w, &[1.0, -2.0]).unwrap();
        // v1 = −0.1·g1 = [−0.1, 0.2]; w1 = v1.
        assert!(close(&buffer(&opt), &[-0.1, 0.2], 1e-7));
        assert!(close(&w, &[-0.1, 0.2], 1e-7));
        opt.update(0, &mut w, &[0.5, 0.5]).unwrap();
        // v2 = 0.9·[−0.1, 0.2] − 0.1·[0.5, 0.5] = [−0.14, 0.13]; w2 = [−0.24, 0.33], as PyTorch's.
        assert!(close(&buffer(&opt), &[-0.14, 0.13], 1e-6));
        assert!(close(&w, &[-0.24, 0.33], 1e-6));
    }

    #[test]
    fn classical_nesterov_asks_for_the_lookahead_gradient() {
        // f(w) = w², gradient 2w; lr 0.1, μ 0.5, w0 = 1.
        let mut d = Descent::new(
            Box::new(ClassicalMomentum::new(0.1, 0.5, true).unwrap()),
            &[1.0],
        )
        .unwrap();
        let mut asked = Vec::new();
        let mut grad = |p: &[f32], g: &mut [f32]| {
            asked.push(p[0]);
            g[0] = 2.0 * p[0];
        };
        d.step(&mut grad).unwrap();
        // Step 1: v0 = 0, look-ahead 1, g = 2, v1 = −0.2, w1 = 0.8.
        assert!(close(d.point(), &[0.8], 1e-7));
        d.step(&mut grad).unwrap();
        // Step 2: look-ahead 0.8 + 0.5·(−0.2) = 0.7, g = 1.4, v2 = −0.1 − 0.14 = −0.24, w2 = 0.56.
        assert!(close(&asked, &[1.0, 0.7], 1e-7));
        assert!(close(d.last_gradient(), &[1.4], 1e-6));
        assert!(close(d.point(), &[0.56], 1e-6));
        let state = d.optimizer().state(0);
        assert_eq!(state[0].0, "velocity");
        assert!(close(state[0].1, &[-0.24], 1e-6));
        assert_eq!(state[1], ("lookahead", &[0.7_f32][..]));
    }

    #[test]
    fn the_two_momentum_forms_give_the_same_trajectory() {
        // With a constant lr, v = −lr·buf after every step, so the iterates coincide.
        for nesterov in [false, true] {
            let mut pytorch = Momentum::new(0.05, 0.8, 0.0, nesterov, 0.0).unwrap();
            let mut classical = ClassicalMomentum::new(0.05, 0.8, nesterov).unwrap();
            let (mut a, mut b) = ([1.0_f32, 1.0], [1.0_f32, 1.0]);
            let mut g = [0.0; 2];
            for _ in 0..40 {
                quadratic_gradient(&a, &mut g);
                pytorch.update(0, &mut a, &g).unwrap();
                quadratic_gradient(&b, &mut g);
                classical.update(0, &mut b, &g).unwrap();
                assert!(close(&a, &b, 1e-5), "nesterov {nesterov}: {a:?} vs {b:?}");
                let buf = buffer(&pytorch);
                let v = buffer(&classical);
                assert!(close(&[-0.05 * buf[0], -0.05 * buf[1]], &v, 1e-6));
            }
        }
    }

    #[test]
    fn classical_nesterov_update_runs_on_the_lookahead_point() {
        // The literal form (gradient function) and the reformulated form (plain update on φ)
        // visit the same look-ahead points: φ_t = w_t + μ·v_t.
        let (lr, mu) = (0.1, 0.9);
        let mut literal = Descent::new(
            Box::new(ClassicalMomentum::new(lr, mu, true).unwrap()),
            &[1.0, 1.0],
        )
        .unwrap();
        let mut reformulated = ClassicalMomentum::new(lr, mu, true).unwrap();
        let mut phi = [1.0_f32, 1.0];
        let mut g = [0.0; 2];
        for _ in 0..30 {
            literal.step(&mut quadratic_gradient).unwrap();
            quadratic_gradient(&phi, &mut g);
            reformulated.update(0, &mut phi, &g).unwrap();
            let w = literal.point();
            let v = literal.optimizer().state(0)[0].1;
            let expected = [w[0] + mu * v[0], w[1] + mu * v[1]];
            assert!(close(&phi, &expected, 1e-5), "{phi:?} vs {expected:?}");
        }
    }

    #[test]
    fn momentum_does_not_allocate_after_the_first_step() {
        let mut opt = Momentum::new(0.1, 0.9, 0.0, false, 0.0).unwrap();
        let mut w = [1.0, 2.0, 3.0];
        opt.update(2, &mut w, &[1.0, 1.0, 1.0]).unwrap();
        let ptr = opt.state(2)[0].1.as_ptr();
        for _ in 0..10 {
            opt.update(2, &mut w, &[1.0, 1.0, 1.0]).unwrap();
        }
        assert_eq!(opt.state(2)[0].1.as_ptr(), ptr);
        assert!(opt.state(0).is_empty());

        let mut opt = ClassicalMomentum::new(0.1, 0.9, true).unwrap();
        let mut g = [0.0; 2];
        let mut w = [1.0, 1.0];
        opt.update_with_gradient_fn(0, &mut w, &mut g, &mut quadratic_gradient)
            .unwrap();
        let ptrs: Vec<_> = opt.state(0).iter().map(|(_, b)| b.as_ptr()).collect();
        for _ in 0..10 {
            opt.update_with_gradient_fn(0, &mut w, &mut g, &mut quadratic_gradient)
                .unwrap();
        }
        let after: Vec<_> = opt.state(0).iter().map(|(_, b)| b.as_ptr()).collect();
        assert_eq!(ptrs, after);
    }

    #[test]
    fn slots_keep_separate_state() {
        let mut opt = Momentum::new(0.1, 0.5, 0.0, false, 0.0).unwrap();
        opt.update(0, &mut [0.0], &[1.0]).unwrap();
        opt.update(1, &mut [0.0], &[-3.0]).unwrap();
        opt.update(0, &mut [0.0], &[1.0]).unwrap();
        // Slot 0: buf = 0.5·1 + 1 = 1.5; slot 1: buf = −3.
        assert_eq!(buffer(&opt), vec![1.5]);
        assert_eq!(opt.state(1)[0].1, &[-3.0]);
        opt.reset();
        assert!(opt.state(0).is_empty());
    }
}
