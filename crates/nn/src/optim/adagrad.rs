//! Adagrad: a per-parameter step size from the accumulated squared gradients.

use super::{
    Optimizer, OptimizerConfig, OptimizerKind, SlotState, Slots, check_eps, check_len, check_lr,
    check_non_negative, check_scheduled_lr,
};
use crate::error::{EngineError, Result};
use crate::tensor::Matrix;

/// Adagrad (Duchi, Hazan & Singer 2011), PyTorch's form:
/// `G ← G + g²` (element-wise, `G` starting at `initial_accumulator_value`),
/// `w ← w − lr·g / (√G + ε)`, with ε outside the square root.
///
/// `G` is the diagonal of `Σ_t g_t g_tᵀ`, the sum of the gradients' outer products. That matrix
/// is the *empirical Fisher* (a Gauss–Newton-type approximation of curvature), **not** the
/// Hessian: it is built from first derivatives only. Dividing by the square root of its diagonal
/// is Adagrad; the author's notes call the sum "H" and its diagonal the preconditioner `B`, and
/// the method they describe is this one.
///
/// A component whose gradients have all been 0 has `G = 0` (with no initial value) and does not
/// move: `0 / (0 + ε) = 0`. optax's `adagrad` puts ε inside the square root; with ε = 0 the two
/// agree. State per slot: `"G"`.
#[derive(Debug, Clone)]
pub struct Adagrad {
    lr: f32,
    eps: f32,
    initial_accumulator_value: f32,
    slots: Slots<Accumulator>,
}

/// The accumulated squared gradients `G` of one slot (starting at 0; the initial value is added
/// when the slot is first updated).
#[derive(Debug, Clone)]
struct Accumulator {
    sum: Vec<f32>,
    started: bool,
}

impl SlotState for Accumulator {
    fn fresh(len: usize) -> Self {
        Self {
            sum: vec![0.0; len],
            started: false,
        }
    }
    fn len(&self) -> usize {
        self.sum.len()
    }
}

impl Adagrad {
    /// Adagrad with learning rate `lr` > 0, `eps` > 0 (PyTorch: 1e-10) and
    /// `initial_accumulator_value` ≥ 0 (PyTorch: 0).
    pub fn new(lr: f32, eps: f32, initial_accumulator_value: f32) -> Result<Self> {
        Ok(Self {
            lr: check_lr(lr)?,
            eps: check_eps(eps)?,
            initial_accumulator_value: check_non_negative(
                "initial accumulator value",
                initial_accumulator_value,
            )?,
            slots: Slots::default(),
        })
    }
}

impl Optimizer for Adagrad {
    fn name(&self) -> &'static str {
        "adagrad"
    }

    fn config(&self) -> OptimizerConfig {
        OptimizerConfig {
            lr: self.lr,
            eps: self.eps,
            initial_accumulator_value: self.initial_accumulator_value,
            ..OptimizerConfig::new(OptimizerKind::Adagrad)
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
        let (lr, eps) = (self.lr, self.eps);
        let initial = self.initial_accumulator_value;
        let state = self.slots.get_or_create(slot, value.len())?;
        if !state.started {
            state.sum.fill(initial);
            state.started = true;
        }
        for ((w, &g), s) in value.iter_mut().zip(grad).zip(state.sum.iter_mut()) {
            *s += g * g;
            *w -= lr * g / (s.sqrt() + eps);
        }
        Ok(())
    }

    fn state(&self, slot: usize) -> Vec<(&'static str, &[f32])> {
        self.slots
            .get(slot)
            .map(|s| vec![("G", s.sum.as_slice())])
            .unwrap_or_default()
    }

    fn reset(&mut self) {
        self.slots.clear();
    }
}

/// Adds the outer product `g gᵀ` to `sum` (`n × n` for a gradient of `n` values).
///
/// Summed over the steps this is the full matrix `Σ_t g_t g_tᵀ` (the empirical Fisher) whose
/// diagonal Adagrad keeps as `G` (beyond its initial value); the page shows both, to make plain
/// that Adagrad ignores the off-diagonal terms.
pub fn add_outer_product(sum: &mut Matrix, g: &[f32]) -> Result<()> {
    let n = g.len();
    if sum.shape() != (n, n) {
        return Err(EngineError::shape(
            "sum of gradient outer products",
            (n, n),
            sum.shape(),
        ));
    }
    for (j, mut col) in sum.column_iter_mut().enumerate() {
        let gj = g.get(j).copied().unwrap_or(0.0);
        for (s, &gi) in col.iter_mut().zip(g) {
            *s += gi * gj;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::tests::close;

    #[test]
    fn first_steps_by_hand() {
        // lr 0.5, ε 1e-10, w0 = [1, 1], g1 = [3, −4], g2 = [4, 0].
        let mut opt = Adagrad::new(0.5, 1e-10, 0.0).unwrap();
        let mut w = [1.0, 1.0];
        opt.update(0, &mut w, &[3.0, -4.0]).unwrap();
        // G1 = [9, 16]; w1 = [1 − 0.5·3/3, 1 + 0.5·4/4] = [0.5, 1.5]: the first step is lr·sign(g).
        assert_eq!(opt.state(0)[0].1, &[9.0, 16.0]);
        assert!(close(&w, &[0.5, 1.5], 1e-7));
        opt.update(0, &mut w, &[4.0, 0.0]).unwrap();
        // G2 = [25, 16]; w2 = [0.5 − 0.5·4/5, 1.5 − 0] = [0.1, 1.5].
        assert_eq!(opt.state(0)[0].1, &[25.0, 16.0]);
        assert!(close(&w, &[0.1, 1.5], 1e-6));
    }

    #[test]
    fn initial_accumulator_and_zero_gradients() {
        // G0 = 0.1, g = [0, 0.3]: G1 = [0.1, 0.19]; the first component does not move.
        let mut opt = Adagrad::new(0.2, 1e-10, 0.1).unwrap();
        let mut w = [1.0, 1.0];
        opt.update(0, &mut w, &[0.0, 0.3]).unwrap();
        assert!(close(opt.state(0)[0].1, &[0.1, 0.19], 1e-7));
        // w = [1, 1 − 0.2·0.3/√0.19] = [1, 0.862354].
        assert!(close(&w, &[1.0, 1.0 - 0.06 / 0.19_f32.sqrt()], 1e-6));
        // Without an initial value a zero gradient gives G = 0 and no movement (0/(0 + ε)).
        let mut opt = Adagrad::new(0.2, 1e-10, 0.0).unwrap();
        let mut w = [1.0];
        opt.update(0, &mut w, &[0.0]).unwrap();
        assert_eq!(w, [1.0]);
    }

    #[test]
    fn state_is_the_running_sum_of_squared_gradients() {
        let grads = [[0.5, -2.0], [0.0, 0.25], [-1.0, 0.0], [3.0, 1.5]];
        let mut opt = Adagrad::new(0.1, 1e-10, 0.0).unwrap();
        let mut w = [0.5, -0.5];
        let mut sum = [0.0_f32; 2];
        for g in grads {
            opt.update(0, &mut w, &g).unwrap();
            for k in 0..2 {
                sum[k] += g[k] * g[k];
            }
            assert_eq!(opt.state(0)[0].1, &sum);
        }
        // 0.25 + 0 + 1 + 9 = 10.25; 4 + 0.0625 + 0 + 2.25 = 6.3125.
        assert_eq!(sum, [10.25, 6.3125]);
    }

    #[test]
    fn g_is_the_diagonal_of_the_outer_product_sum() {
        let mut full = Matrix::zeros(2, 2);
        let mut opt = Adagrad::new(0.1, 1e-10, 0.0).unwrap();
        let mut w = [0.0, 0.0];
        for g in [[1.0, 2.0], [-3.0, 0.5]] {
            add_outer_product(&mut full, &g).unwrap();
            opt.update(0, &mut w, &g).unwrap();
        }
        // Σ g gᵀ = [[1, 2], [2, 4]] + [[9, −1.5], [−1.5, 0.25]] = [[10, 0.5], [0.5, 4.25]].
        assert_eq!(
            full,
            crate::tensor::from_rows(&[vec![10.0, 0.5], vec![0.5, 4.25]]).unwrap()
        );
        assert_eq!(opt.state(0)[0].1, &[10.0, 4.25]);
        assert!(add_outer_product(&mut full, &[1.0]).is_err());
    }

    #[test]
    fn no_allocation_after_the_first_step() {
        let mut opt = Adagrad::new(0.1, 1e-10, 0.5).unwrap();
        let mut w = [1.0; 4];
        opt.update(0, &mut w, &[1.0; 4]).unwrap();
        let ptr = opt.state(0)[0].1.as_ptr();
        for _ in 0..5 {
            opt.update(0, &mut w, &[1.0; 4]).unwrap();
        }
        assert_eq!(opt.state(0)[0].1.as_ptr(), ptr);
    }
}
