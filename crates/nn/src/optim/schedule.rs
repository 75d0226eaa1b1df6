//! Learning-rate schedules: the rate an optimizer uses at each update, from a base rate `η`.
//!
//! A [`Schedule`] is an optional linear warm-up followed by one [`Decay`]. Steps are counted from
//! 0, as optax counts them: `t` is the number of updates already taken, so the first update uses
//! `rate(η, 0)`. The formulas, each tested at chosen steps and cross-checked against optax's own
//! schedules (`reference/cases/schedules.json`):
//!
//! - constant: `η_t = η`;
//! - step decay: `η_t = η · γ^⌊t/k⌋`, the rate multiplied by `γ` every `k` steps (optax's
//!   `exponential_decay` with `staircase=True`);
//! - cosine decay to a floor (Loshchilov & Hutter, SGDR, 2017, without restarts):
//!   `η_t = η · (α + (1 − α) · ½ (1 + cos(π · min(t, T) / T)))`, from `η` at `t = 0` down to
//!   `α·η` at `t = T`, and `α·η` after (optax's `cosine_decay_schedule` with `alpha = α`);
//! - linear warm-up over `w` steps (Goyal et al., 2017): `η_t = η · t / w` for `t < w`, then the
//!   decay counted from the end of the warm-up, `decay(t − w)` (optax's `join_schedules` of a
//!   `linear_schedule` from 0 and the decay). The rate reaches `η` exactly at step `w`, where the
//!   decay starts from `η`, so the joined schedule is continuous.
//!
//! [`Schedule::apply`] sets an optimizer's rate for a step; a warm-up's first rate is 0, which
//! [`Optimizer::set_learning_rate`] accepts (the step then leaves the parameters where they are).

use super::Optimizer;
use crate::error::{EngineError, Result, check_range};

/// What a schedule does after its warm-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decay {
    /// The base rate throughout.
    Constant,
    /// The rate multiplied by `gamma` every `every` steps.
    Step {
        /// The factor `γ`, in `(0, 1]`.
        gamma: f32,
        /// The steps `k` between two multiplications, at least 1.
        every: usize,
    },
    /// Half a cosine from the base rate down to `floor` times it over `steps` steps.
    Cosine {
        /// The steps `T` the decay takes, at least 1.
        steps: usize,
        /// The floor `α` as a share of the base rate, in `[0, 1]`.
        floor: f32,
    },
}

impl Decay {
    /// The factor `η_t / η` at step `t` counted from the decay's start.
    fn factor(self, t: usize) -> f64 {
        match self {
            Decay::Constant => 1.0,
            Decay::Step { gamma, every } => {
                let times = i32::try_from(t / every.max(1)).unwrap_or(i32::MAX);
                f64::from(gamma).powi(times)
            }
            Decay::Cosine { steps, floor } => {
                let steps = steps.max(1);
                let progress = t.min(steps) as f64 / steps as f64;
                let alpha = f64::from(floor);
                alpha + (1.0 - alpha) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}

/// A learning-rate schedule: a linear warm-up of `warmup` steps (0 for none), then a [`Decay`].
/// Built by [`Schedule::new`], which checks the settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    warmup: usize,
    decay: Decay,
}

impl Default for Schedule {
    /// The constant rate, no warm-up.
    fn default() -> Self {
        Self::constant()
    }
}

impl Schedule {
    /// The constant rate, no warm-up.
    pub const fn constant() -> Self {
        Self {
            warmup: 0,
            decay: Decay::Constant,
        }
    }

    /// A warm-up of `warmup` steps (0 for none) followed by `decay`. Refuses a step decay's `γ`
    /// outside `(0, 1]` or `k` of 0, a cosine's `T` of 0 or floor outside `[0, 1]`.
    pub fn new(decay: Decay, warmup: usize) -> Result<Self> {
        match decay {
            Decay::Constant => {}
            Decay::Step { gamma, every } => {
                check_range("step decay factor γ", gamma, f32::MIN_POSITIVE, 1.0)?;
                if every == 0 {
                    return Err(EngineError::hyper(
                        "steps between decays",
                        every,
                        "it must be at least 1",
                    ));
                }
            }
            Decay::Cosine { steps, floor } => {
                check_range("cosine floor α", floor, 0.0, 1.0)?;
                if steps == 0 {
                    return Err(EngineError::hyper(
                        "cosine decay steps",
                        steps,
                        "it must be at least 1",
                    ));
                }
            }
        }
        Ok(Self { warmup, decay })
    }

    /// The warm-up's length in steps (0 for none).
    pub fn warmup(&self) -> usize {
        self.warmup
    }

    /// What follows the warm-up.
    pub fn decay(&self) -> Decay {
        self.decay
    }

    /// The factor `η_t / η` at step `t` (0 for the first update), in `[0, 1]`.
    pub fn factor(&self, t: usize) -> f32 {
        let f = if t < self.warmup {
            t as f64 / self.warmup as f64
        } else {
            self.decay.factor(t - self.warmup)
        };
        f as f32
    }

    /// The rate `η_t` for base rate `base` at step `t` (0 for the first update).
    pub fn rate(&self, base: f32, t: usize) -> f32 {
        (f64::from(base) * f64::from(self.factor(t))) as f32
    }

    /// Sets `optimizer`'s learning rate to `rate(base, t)`, before the update of step `t`.
    pub fn apply(&self, optimizer: &mut dyn Optimizer, base: f32, t: usize) -> Result<()> {
        optimizer.set_learning_rate(self.rate(base, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{OptimizerConfig, OptimizerKind};

    fn close(a: f32, b: f64) -> bool {
        (f64::from(a) - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn constant_is_the_base_rate_at_every_step() {
        let s = Schedule::default();
        for t in [0, 1, 99, 10_000] {
            assert_eq!(s.rate(0.3, t), 0.3);
        }
    }

    #[test]
    fn step_decay_multiplies_by_gamma_every_k_steps() {
        let s = Schedule::new(
            Decay::Step {
                gamma: 0.5,
                every: 100,
            },
            0,
        )
        .unwrap();
        // 0.5^⌊t/100⌋: 1 up to step 99, ½ from 100, ¼ from 200, 1/16 at 499.
        for (t, f) in [(0, 1.0), (99, 1.0), (100, 0.5), (199, 0.5), (200, 0.25)] {
            assert!(close(s.factor(t), f), "step {t}: {}", s.factor(t));
        }
        assert!(close(s.rate(0.08, 499), 0.08 / 16.0));
    }

    #[test]
    fn cosine_decays_from_the_base_to_the_floor_and_stays() {
        let s = Schedule::new(
            Decay::Cosine {
                steps: 400,
                floor: 0.1,
            },
            0,
        )
        .unwrap();
        // α + (1 − α)·½(1 + cos(πt/T)) with α = 0.1, T = 400: 1 at 0; at T/2, cos = 0, so
        // 0.1 + 0.9·½ = 0.55; at T/4, cos(π/4) = √2/2, so 0.1 + 0.45·(1 + √2/2).
        let quarter = 0.1 + 0.45 * (1.0 + std::f64::consts::FRAC_1_SQRT_2);
        for (t, f) in [
            (0, 1.0),
            (100, quarter),
            (200, 0.55),
            (400, 0.1),
            (1000, 0.1),
        ] {
            assert!(close(s.factor(t), f), "step {t}: {}", s.factor(t));
        }
        // It only falls.
        assert!((0..500).all(|t| s.factor(t + 1) <= s.factor(t)));
    }

    #[test]
    fn warm_up_rises_linearly_and_reaches_the_base_rate_at_step_w() {
        for decay in [
            Decay::Constant,
            Decay::Step {
                gamma: 0.5,
                every: 100,
            },
            Decay::Cosine {
                steps: 450,
                floor: 0.0,
            },
        ] {
            let s = Schedule::new(decay, 50).unwrap();
            // η·t/w: 0 at the first step, η/2 at step 25, η at step 50 where the decay starts.
            assert_eq!(s.rate(0.2, 0), 0.0);
            assert!(close(s.rate(0.2, 25), 0.1));
            assert!(close(s.rate(0.2, 50), 0.2));
            // The decay is counted from the end of the warm-up.
            let plain = Schedule::new(decay, 0).unwrap();
            for t in [0, 1, 99, 100, 300, 449] {
                assert_eq!(s.rate(0.2, 50 + t), plain.rate(0.2, t), "{decay:?} at {t}");
            }
        }
    }

    /// No jump larger than one step of the schedule's own slope: the warm-up joins its decay
    /// without a gap, and the cosine has no step anywhere.
    #[test]
    fn warm_up_and_cosine_are_continuous() {
        let (w, steps) = (40, 300);
        let s = Schedule::new(Decay::Cosine { steps, floor: 0.0 }, w).unwrap();
        // The largest change per step: 1/w in the warm-up, π/(2T) on the cosine.
        let bound = (1.0 / w as f64).max(std::f64::consts::PI / (2.0 * steps as f64)) + 1e-6;
        for t in 0..(w + steps + 10) {
            let jump = f64::from((s.factor(t + 1) - s.factor(t)).abs());
            assert!(jump <= bound, "step {t}: jump {jump}");
        }
    }

    #[test]
    fn bad_settings_are_refused_with_their_names() {
        for (decay, name) in [
            (
                Decay::Step {
                    gamma: 0.0,
                    every: 10,
                },
                "γ",
            ),
            (
                Decay::Step {
                    gamma: 1.5,
                    every: 10,
                },
                "γ",
            ),
            (
                Decay::Step {
                    gamma: 0.5,
                    every: 0,
                },
                "steps between",
            ),
            (
                Decay::Cosine {
                    steps: 0,
                    floor: 0.0,
                },
                "cosine decay steps",
            ),
            (
                Decay::Cosine {
                    steps: 10,
                    floor: f32::NAN,
                },
                "α",
            ),
        ] {
            let e = Schedule::new(decay, 0).unwrap_err().to_string();
            assert!(e.contains(name), "{decay:?}: {e}");
        }
    }

    #[test]
    fn apply_sets_the_rate_and_a_warm_up_may_start_at_zero() {
        let mut opt = OptimizerConfig::new(OptimizerKind::Adam)
            .with("lr", 0.1)
            .unwrap()
            .build()
            .unwrap();
        let s = Schedule::new(Decay::Constant, 10).unwrap();
        s.apply(opt.as_mut(), 0.1, 0).unwrap();
        assert_eq!(opt.learning_rate(), 0.0);
        // A zero rate moves nothing, whatever the gradient.
        let mut w = [1.0_f32, -2.0];
        opt.update(0, &mut w, &[3.0, 4.0]).unwrap();
        assert_eq!(w, [1.0, -2.0]);
        s.apply(opt.as_mut(), 0.1, 5).unwrap();
        assert!(close(opt.learning_rate(), 0.05));
        assert!(opt.set_learning_rate(-0.1).is_err());
        assert!(opt.set_learning_rate(f32::NAN).is_err());
    }
}
