//! Optimizers: the rules that turn a gradient into a change of the parameters.
//!
//! Every optimizer implements [`Optimizer`]. It updates one parameter tensor at a time, in place,
//! keyed by a *slot*: a stable number for that tensor ([`Sequential::visit_params`] numbers them
//! layer by layer), so the optimizer's state (velocity, accumulated squares, moments) stays with
//! its tensor from step to step. State buffers are created on a slot's first update and reused
//! afterwards: no update allocates after the first one for its slot.
//!
//! The kinds, each in its own file:
//! - [`Sgd`]: `w ← w − lr·g`. *Full-batch gradient descent* and *mini-batch stochastic gradient
//!   descent* are this same update; they differ only in which gradient is passed (of the whole
//!   training loss, or of one sample or a mini-batch).
//! - [`Momentum`]: PyTorch's momentum and Nesterov forms; [`ClassicalMomentum`]: the classical
//!   (Polyak / Sutskever) forms, Nesterov's with the gradient at the look-ahead point.
//! - [`Adagrad`], [`RmsProp`], and [`Adam`] with its weight-decay variants (AdamW and Adam with
//!   coupled L2).
//!
//! [`OptimizerConfig`] builds any of them by name with validated hyperparameters (the page's
//! controls and the URL use it); [`step`] applies one update to every parameter of a
//! [`Sequential`]; [`Descent`] runs an optimizer on a plain point, for loss-surface figures such
//! as a [`Quadratic`] bowl; a [`Schedule`] gives the learning rate of each step.

pub mod adagrad;
pub mod adam;
pub mod momentum;
pub mod quadratic;
pub mod rmsprop;
pub mod schedule;
pub mod sgd;

use crate::error::{EngineError, Result};
use crate::model::Sequential;

pub use adagrad::{Adagrad, add_outer_product};
pub use adam::{Adam, WeightDecay};
pub use momentum::{ClassicalMomentum, Momentum};
pub use quadratic::Quadratic;
pub use rmsprop::RmsProp;
pub use schedule::{Decay, Schedule};
pub use sgd::Sgd;

/// The most parameter tensors (slots) one optimizer keeps state for: a guard against a slot
/// number that would make the state table absurdly large.
pub const MAX_SLOTS: usize = 1 << 16;

/// A rule that updates parameters from their gradients, keeping per-tensor state.
pub trait Optimizer: std::fmt::Debug {
    /// The kind's short name, as in the URL ("sgd", "momentum", "adam", …).
    fn name(&self) -> &'static str;

    /// The configuration that builds a fresh optimizer like this one (same hyperparameters,
    /// empty state).
    fn config(&self) -> OptimizerConfig;

    /// The current learning rate.
    fn learning_rate(&self) -> f32;

    /// Changes the learning rate (for schedules, see [`Schedule`]); it must be finite and not
    /// negative: 0, a step that leaves the parameters where they are, is where a warm-up starts.
    /// The state is kept.
    fn set_learning_rate(&mut self, lr: f32) -> Result<()>;

    /// Updates the tensor `value` in place from its gradient `grad` (the same length), using and
    /// advancing the state of `slot`. The first update of a slot (or one whose length changed)
    /// creates its state; later updates allocate nothing.
    ///
    /// Non-finite gradients are not rejected: they propagate into the values and the state,
    /// which is how divergence shows on the page. [`Optimizer::reset`] recovers.
    fn update(&mut self, slot: usize, value: &mut [f32], grad: &[f32]) -> Result<()>;

    /// Updates `value` with a gradient the optimizer asks for through `gradient_at(point,
    /// gradient)`, which writes the gradient of the objective at `point` into `gradient`.
    ///
    /// `grad` is the caller's buffer for it (the same length as `value`); afterwards it holds the
    /// gradient the step used. Most optimizers take the gradient at `value` itself and then
    /// [`Optimizer::update`]; classical Nesterov takes it at the look-ahead point `w + μ·v`.
    fn update_with_gradient_fn(
        &mut self,
        slot: usize,
        value: &mut [f32],
        grad: &mut [f32],
        gradient_at: &mut dyn FnMut(&[f32], &mut [f32]),
    ) -> Result<()> {
        check_len("gradient buffer", value.len(), grad.len())?;
        gradient_at(value, grad);
        self.update(slot, value, grad)
    }

    /// The state kept for `slot`, as named buffers the page can show ("momentum_buffer",
    /// "velocity", "G", "square_avg", "m", "v"); empty for a slot never updated or a stateless
    /// optimizer.
    fn state(&self, slot: usize) -> Vec<(&'static str, &[f32])>;

    /// Forgets all state, as if no step had been taken (the buffers are released).
    fn reset(&mut self);
}

/// Applies one update of `optimizer` to every parameter of `model`, using the gradients of its
/// last backward pass. Slots are the model's parameter numbers.
pub fn step(optimizer: &mut dyn Optimizer, model: &mut Sequential) -> Result<()> {
    let mut result = Ok(());
    model.visit_params(&mut |slot, p| {
        if result.is_ok() {
            result = optimizer.update(slot, p.value, p.grad);
        }
    });
    result
}

/// Applies one update of `optimizer` to plain parameter vectors, `values[i]` with gradient
/// `grads[i]` in slot `i`.
pub fn step_vectors(
    optimizer: &mut dyn Optimizer,
    values: &mut [Vec<f32>],
    grads: &[Vec<f32>],
) -> Result<()> {
    check_len("list of parameter gradients", values.len(), grads.len())?;
    for (slot, (value, grad)) in values.iter_mut().zip(grads).enumerate() {
        optimizer.update(slot, value, grad)?;
    }
    Ok(())
}

/// An optimizer walking one point (one slot) downhill on a surface given by its gradient: what
/// the loss-surface figures animate.
#[derive(Debug)]
pub struct Descent {
    optimizer: Box<dyn Optimizer>,
    point: Vec<f32>,
    gradient: Vec<f32>,
    steps: usize,
}

impl Descent {
    /// Starts `optimizer` at `start`, which must be non-empty and finite.
    pub fn new(optimizer: Box<dyn Optimizer>, start: &[f32]) -> Result<Self> {
        if start.is_empty() {
            return Err(EngineError::Empty {
                what: "starting point".to_owned(),
            });
        }
        if !start.iter().all(|v| v.is_finite()) {
            return Err(EngineError::NonFinite {
                what: "starting point".to_owned(),
            });
        }
        Ok(Self {
            optimizer,
            point: start.to_vec(),
            gradient: vec![0.0; start.len()],
            steps: 0,
        })
    }

    /// One step, the gradient coming from `gradient_at(point, gradient)` (at the look-ahead
    /// point for classical Nesterov).
    pub fn step(&mut self, gradient_at: &mut dyn FnMut(&[f32], &mut [f32])) -> Result<()> {
        self.optimizer.update_with_gradient_fn(
            0,
            &mut self.point,
            &mut self.gradient,
            gradient_at,
        )?;
        self.steps += 1;
        Ok(())
    }

    /// One step with a given gradient (whatever the point), for replaying recorded gradients.
    pub fn step_with_gradient(&mut self, gradient: &[f32]) -> Result<()> {
        check_len("gradient", self.point.len(), gradient.len())?;
        self.gradient.copy_from_slice(gradient);
        self.optimizer.update(0, &mut self.point, &self.gradient)?;
        self.steps += 1;
        Ok(())
    }

    /// The current point.
    pub fn point(&self) -> &[f32] {
        &self.point
    }

    /// The gradient the last step used (zeros before the first step).
    pub fn last_gradient(&self) -> &[f32] {
        &self.gradient
    }

    /// How many steps have been taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The optimizer, to read its state (slot 0) or change its learning rate.
    pub fn optimizer(&self) -> &dyn Optimizer {
        self.optimizer.as_ref()
    }

    /// The optimizer, mutable.
    pub fn optimizer_mut(&mut self) -> &mut dyn Optimizer {
        self.optimizer.as_mut()
    }
}

/// Which optimizer a configuration builds; [`OptimizerKind::name`] is its URL name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptimizerKind {
    /// Gradient descent / SGD, optionally with coupled weight decay ([`Sgd`]).
    Sgd,
    /// PyTorch-form momentum ([`Momentum`]).
    Momentum,
    /// PyTorch-form Nesterov momentum ([`Momentum`] with `nesterov`).
    Nesterov,
    /// Classical momentum `v ← μ·v − lr·g; w ← w + v` ([`ClassicalMomentum`]).
    ClassicalMomentum,
    /// Classical Nesterov momentum, gradient at `w + μ·v` ([`ClassicalMomentum`] with `nesterov`).
    ClassicalNesterov,
    /// Adagrad ([`Adagrad`]).
    Adagrad,
    /// RMSProp ([`RmsProp`]).
    RmsProp,
    /// Adam without weight decay ([`Adam`]).
    Adam,
    /// AdamW: Adam with decoupled weight decay ([`Adam`] with [`WeightDecay::Decoupled`]).
    AdamW,
    /// Adam with coupled L2 weight decay ([`Adam`] with [`WeightDecay::Coupled`]).
    AdamL2,
}

impl OptimizerKind {
    /// Every kind, in the order the page lists them.
    pub const ALL: [OptimizerKind; 10] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::ClassicalMomentum,
        OptimizerKind::ClassicalNesterov,
        OptimizerKind::Adagrad,
        OptimizerKind::RmsProp,
        OptimizerKind::Adam,
        OptimizerKind::AdamW,
        OptimizerKind::AdamL2,
    ];

    /// The URL name.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Nesterov => "nesterov",
            OptimizerKind::ClassicalMomentum => "classical_momentum",
            OptimizerKind::ClassicalNesterov => "classical_nesterov",
            OptimizerKind::Adagrad => "adagrad",
            OptimizerKind::RmsProp => "rmsprop",
            OptimizerKind::Adam => "adam",
            OptimizerKind::AdamW => "adamw",
            OptimizerKind::AdamL2 => "adam_l2",
        }
    }

    /// The kind with URL name `name` ("gd" is accepted for "sgd": the update is the same).
    pub fn from_name(name: &str) -> Result<Self> {
        if name == "gd" {
            return Ok(OptimizerKind::Sgd);
        }
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = Self::ALL.iter().map(|k| k.name()).collect();
                EngineError::Invalid(format!(
                    "there is no optimizer called \"{name}\" (known: {})",
                    known.join(", ")
                ))
            })
    }

    /// The names of the hyperparameters this kind uses, in the order the page shows them.
    pub fn hyperparameter_names(self) -> &'static [&'static str] {
        match self {
            OptimizerKind::Sgd => &["lr", "weight_decay"],
            OptimizerKind::Momentum => &["lr", "momentum", "dampening", "weight_decay"],
            OptimizerKind::Nesterov => &["lr", "momentum", "weight_decay"],
            OptimizerKind::ClassicalMomentum | OptimizerKind::ClassicalNesterov => {
                &["lr", "momentum"]
            }
            OptimizerKind::Adagrad => &["lr", "eps", "initial_accumulator_value"],
            OptimizerKind::RmsProp => &["lr", "alpha", "eps"],
            OptimizerKind::Adam => &["lr", "beta1", "beta2", "eps"],
            OptimizerKind::AdamW | OptimizerKind::AdamL2 => {
                &["lr", "beta1", "beta2", "eps", "weight_decay"]
            }
        }
    }
}

/// Every hyperparameter any optimizer uses, by name; a kind reads only its own
/// ([`OptimizerKind::hyperparameter_names`]). [`OptimizerConfig::new`] fills PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimizerConfig {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// `lr`, the learning rate η: finite and > 0.
    pub lr: f32,
    /// `momentum`, μ in `[0, 1)`.
    pub momentum: f32,
    /// `dampening` in `[0, 1]` (PyTorch momentum; Nesterov needs 0).
    pub dampening: f32,
    /// `weight_decay`, λ ≥ 0 (coupled for SGD, momentum and Adam-L2, decoupled for AdamW).
    pub weight_decay: f32,
    /// `alpha`, RMSProp's decay of the squared-gradient average, in `[0, 1)`.
    pub alpha: f32,
    /// `beta1`, Adam's decay of the first moment, in `[0, 1)`.
    pub beta1: f32,
    /// `beta2`, Adam's decay of the second moment, in `[0, 1)`.
    pub beta2: f32,
    /// `eps`, the denominator's guard, finite and > 0 (added outside the square root).
    pub eps: f32,
    /// `initial_accumulator_value`, Adagrad's starting `G`, ≥ 0.
    pub initial_accumulator_value: f32,
}

impl OptimizerConfig {
    /// The configuration of `kind` with PyTorch's defaults: lr 0.01 (0.001 for the Adam family),
    /// momentum 0.9 where it is used (PyTorch's default is 0, which would not be momentum),
    /// dampening 0, weight decay 0 (0.01 for AdamW), alpha 0.99, betas (0.9, 0.999), eps 1e-10
    /// for Adagrad and 1e-8 otherwise, initial accumulator 0.
    pub fn new(kind: OptimizerKind) -> Self {
        let adam = matches!(
            kind,
            OptimizerKind::Adam | OptimizerKind::AdamW | OptimizerKind::AdamL2
        );
        Self {
            kind,
            lr: if adam { 0.001 } else { 0.01 },
            momentum: 0.9,
            dampening: 0.0,
            weight_decay: if kind == OptimizerKind::AdamW {
                0.01
            } else {
                0.0
            },
            alpha: 0.99,
            beta1: 0.9,
            beta2: 0.999,
            eps: if kind == OptimizerKind::Adagrad {
                1e-10
            } else {
                1e-8
            },
            initial_accumulator_value: 0.0,
        }
    }

    /// The defaults of the kind named `name` (see [`OptimizerKind::from_name`]).
    pub fn named(name: &str) -> Result<Self> {
        Ok(Self::new(OptimizerKind::from_name(name)?))
    }

    /// Sets the hyperparameter `name` to `value`; the name must be one this kind uses. The value
    /// is checked when the optimizer is built ([`OptimizerConfig::validate`]).
    pub fn with(mut self, name: &str, value: f32) -> Result<Self> {
        if !self.kind.hyperparameter_names().contains(&name) {
            return Err(EngineError::Invalid(format!(
                "{} has no hyperparameter \"{name}\" (it has: {})",
                self.kind.name(),
                self.kind.hyperparameter_names().join(", ")
            )));
        }
        let field = match name {
            "lr" => &mut self.lr,
            "momentum" => &mut self.momentum,
            "dampening" => &mut self.dampening,
            "weight_decay" => &mut self.weight_decay,
            "alpha" => &mut self.alpha,
            "beta1" => &mut self.beta1,
            "beta2" => &mut self.beta2,
            "eps" => &mut self.eps,
            _ => &mut self.initial_accumulator_value,
        };
        *field = value;
        Ok(self)
    }

    /// The value of hyperparameter `name`, if this kind uses it.
    pub fn get(&self, name: &str) -> Option<f32> {
        self.hyperparameters()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// This kind's hyperparameters with their values, in the page's order.
    pub fn hyperparameters(&self) -> Vec<(&'static str, f32)> {
        self.kind
            .hyperparameter_names()
            .iter()
            .map(|&name| {
                let value = match name {
                    "lr" => self.lr,
                    "momentum" => self.momentum,
                    "dampening" => self.dampening,
                    "weight_decay" => self.weight_decay,
                    "alpha" => self.alpha,
                    "beta1" => self.beta1,
                    "beta2" => self.beta2,
                    "eps" => self.eps,
                    _ => self.initial_accumulator_value,
                };
                (name, value)
            })
            .collect()
    }

    /// Checks every hyperparameter this kind uses, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        self.build().map(|_| ())
    }

    /// Builds the optimizer, with empty state.
    pub fn build(&self) -> Result<Box<dyn Optimizer>> {
        Ok(match self.kind {
            OptimizerKind::Sgd => Box::new(Sgd::new(self.lr, self.weight_decay)?),
            OptimizerKind::Momentum => Box::new(Momentum::new(
                self.lr,
                self.momentum,
                self.dampening,
                false,
                self.weight_decay,
            )?),
            OptimizerKind::Nesterov => Box::new(Momentum::new(
                self.lr,
                self.momentum,
                0.0,
                true,
                self.weight_decay,
            )?),
            OptimizerKind::ClassicalMomentum => {
                Box::new(ClassicalMomentum::new(self.lr, self.momentum, false)?)
            }
            OptimizerKind::ClassicalNesterov => {
                Box::new(ClassicalMomentum::new(self.lr, self.momentum, true)?)
            }
            OptimizerKind::Adagrad => Box::new(Adagrad::new(
                self.lr,
                self.eps,
                self.initial_accumulator_value,
            )?),
            OptimizerKind::RmsProp => Box::new(RmsProp::new(self.lr, self.alpha, self.eps)?),
            OptimizerKind::Adam | OptimizerKind::AdamW | OptimizerKind::AdamL2 => {
                let decay = match self.kind {
                    OptimizerKind::AdamW => WeightDecay::Decoupled(self.weight_decay),
                    OptimizerKind::AdamL2 => WeightDecay::Coupled(self.weight_decay),
                    _ => WeightDecay::None,
                };
                Box::new(Adam::new(self.lr, self.beta1, self.beta2, self.eps, decay)?)
            }
        })
    }
}

/// Checks a learning rate: finite and strictly positive.
/// Checks a learning rate set mid-run by a schedule: finite and not negative (a warm-up starts
/// at 0).
pub(crate) fn check_scheduled_lr(lr: f32) -> Result<f32> {
    if lr.is_finite() && lr >= 0.0 {
        Ok(lr)
    } else {
        Err(EngineError::hyper(
            "learning rate",
            lr,
            "it must be a finite number, 0 or greater",
        ))
    }
}

pub(crate) fn check_lr(lr: f32) -> Result<f32> {
    if lr.is_finite() && lr > 0.0 {
        Ok(lr)
    } else {
        Err(EngineError::hyper(
            "learning rate",
            lr,
            "it must be a finite number greater than 0",
        ))
    }
}

/// Checks a decay coefficient (momentum, alpha, beta) in `[0, 1)`.
pub(crate) fn check_unit_open(name: &str, value: f32) -> Result<f32> {
    if value.is_finite() && (0.0..1.0).contains(&value) {
        Ok(value)
    } else {
        Err(EngineError::hyper(
            name,
            value,
            "it must be a number from 0 up to, but not including, 1",
        ))
    }
}

/// Checks a coefficient that must be finite and ≥ 0 (weight decay, initial accumulator).
pub(crate) fn check_non_negative(name: &str, value: f32) -> Result<f32> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(EngineError::hyper(
            name,
            value,
            "it must be a finite number, 0 or more",
        ))
    }
}

/// Checks an epsilon: finite and strictly positive.
pub(crate) fn check_eps(eps: f32) -> Result<f32> {
    if eps.is_finite() && eps > 0.0 {
        Ok(eps)
    } else {
        Err(EngineError::hyper(
            "eps",
            eps,
            "it must be a finite number greater than 0",
        ))
    }
}

/// Checks that two lengths agree, naming `what` otherwise.
pub(crate) fn check_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(EngineError::ShapeMismatch {
            what: what.to_owned(),
            expected: format!("{expected} values"),
            got: format!("{got} values"),
        })
    }
}

/// The state of one slot: buffers of the tensor's length.
pub(crate) trait SlotState {
    /// Fresh state for a tensor of `len` numbers.
    fn fresh(len: usize) -> Self;
    /// The tensor length this state was made for.
    fn len(&self) -> usize;
}

/// Per-slot state, indexed by slot number and created on first use.
#[derive(Debug, Clone)]
pub(crate) struct Slots<S> {
    states: Vec<Option<S>>,
}

impl<S> Default for Slots<S> {
    fn default() -> Self {
        Self { states: Vec::new() }
    }
}

impl<S: SlotState> Slots<S> {
    /// The state of `slot` for a tensor of `len` numbers, created (or recreated, if the length
    /// changed) when needed.
    pub(crate) fn get_or_create(&mut self, slot: usize, len: usize) -> Result<&mut S> {
        if slot >= MAX_SLOTS {
            return Err(EngineError::Invalid(format!(
                "parameter slot {slot} is out of range (at most {MAX_SLOTS} tensors)"
            )));
        }
        if slot >= self.states.len() {
            self.states.resize_with(slot + 1, || None);
        }
        let entry = self
            .states
            .get_mut(slot)
            .ok_or_else(|| EngineError::Invalid(format!("parameter slot {slot} is missing")))?;
        if entry.as_ref().is_none_or(|s| s.len() != len) {
            *entry = Some(S::fresh(len));
        }
        entry
            .as_mut()
            .ok_or_else(|| EngineError::Invalid(format!("parameter slot {slot} is missing")))
    }

    /// The state of `slot`, if it has been updated.
    pub(crate) fn get(&self, slot: usize) -> Option<&S> {
        self.states.get(slot).and_then(Option::as_ref)
    }

    /// Forgets every slot.
    pub(crate) fn clear(&mut self) {
        self.states = Vec::new();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::layer::{Dense, Init, Mode};
    use crate::rng::Rng;
    use crate::tensor::from_rows;
    use proptest::prelude::*;

    /// `f(w) = ½ wᵀ A w − cᵀ w` with `A = [[3, 0.5], [0.5, 1]]`, `c = [1, −2]`: gradient `A w − c`.
    pub(crate) fn quadratic_gradient(w: &[f32], g: &mut [f32]) {
        g[0] = 3.0 * w[0] + 0.5 * w[1] - 1.0;
        g[1] = 0.5 * w[0] + w[1] + 2.0;
    }

    /// The minimiser of that quadratic: det A = 2.75, A⁻¹ = [[1, −0.5], [−0.5, 3]] / 2.75, so
    /// A⁻¹ c = [1 + 1, −0.5 − 6] / 2.75 = [0.7273, −2.3636].
    pub(crate) const QUADRATIC_MIN: [f32; 2] = [2.0 / 2.75, -6.5 / 2.75];

    pub(crate) fn close(a: &[f32], b: &[f32], tol: f32) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn every_kind_converges_on_a_quadratic() {
        for kind in OptimizerKind::ALL {
            let config = match kind {
                OptimizerKind::Adagrad => OptimizerConfig::new(kind).with("lr", 0.5),
                OptimizerKind::Adam => OptimizerConfig::new(kind).with("lr", 0.05),
                OptimizerKind::AdamW | OptimizerKind::AdamL2 => OptimizerConfig::new(kind)
                    .with("lr", 0.05)
                    .and_then(|c| c.with("weight_decay", 0.0)),
                OptimizerKind::RmsProp => OptimizerConfig::new(kind).with("lr", 0.01),
                _ => OptimizerConfig::new(kind).with("lr", 0.1),
            }
            .unwrap();
            let mut d = Descent::new(config.build().unwrap(), &[1.0, 1.0]).unwrap();
            for _ in 0..3000 {
                d.step(&mut quadratic_gradient).unwrap();
            }
            assert!(
                close(d.point(), &QUADRATIC_MIN, 2e-2),
                "{}: ended at {:?}",
                kind.name(),
                d.point()
            );
            assert_eq!(d.steps(), 3000);
            assert_eq!(d.optimizer().name(), kind.name());
            assert_eq!(d.optimizer().config(), config);
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_listed() {
        for kind in OptimizerKind::ALL {
            assert_eq!(OptimizerKind::from_name(kind.name()), Ok(kind));
        }
        assert_eq!(OptimizerKind::from_name("gd"), Ok(OptimizerKind::Sgd));
        let err = OptimizerKind::from_name("lbfgs").unwrap_err().to_string();
        assert!(err.contains("\"lbfgs\"") && err.contains("adamw"), "{err}");
    }

    #[test]
    fn hyperparameters_are_set_by_name_and_validated() {
        let c = OptimizerConfig::named("adam")
            .unwrap()
            .with("beta2", 0.99)
            .unwrap();
        assert_eq!(c.get("beta2"), Some(0.99));
        assert_eq!(c.get("momentum"), None);
        let err = c.with("momentum", 0.5).unwrap_err().to_string();
        assert!(err.contains("\"momentum\""), "{err}");

        let bad = [
            ("sgd", "lr", 0.0, "learning rate"),
            ("sgd", "lr", f32::NAN, "learning rate"),
            ("sgd", "weight_decay", -1.0, "weight decay"),
            ("momentum", "momentum", 1.0, "momentum"),
            ("momentum", "dampening", 1.5, "dampening"),
            ("classical_nesterov", "momentum", -0.1, "momentum"),
            ("adagrad", "eps", 0.0, "eps"),
            (
                "adagrad",
                "initial_accumulator_value",
                -0.5,
                "initial accumulator",
            ),
            ("rmsprop", "alpha", 1.0, "alpha"),
            ("adam", "beta1", 1.0, "beta1"),
            ("adam", "beta2", f32::INFINITY, "beta2"),
            ("adamw", "weight_decay", f32::NAN, "weight decay"),
        ];
        for (kind, name, value, shown) in bad {
            let err = OptimizerConfig::named(kind)
                .unwrap()
                .with(name, value)
                .unwrap()
                .build()
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(shown) && err.contains(&value.to_string()),
                "{kind} {name}={value}: {err}"
            );
        }
    }

    #[test]
    fn step_updates_every_parameter_of_a_model() {
        let mut rng = Rng::new(3);
        let mut model = Sequential::new(crate::tensor::Shape::Flat(2));
        model
            .push(Dense::new(2, 3, Activation::Tanh, Init::Glorot, &mut rng).unwrap())
            .unwrap()
            .push(Dense::new(3, 1, Activation::Linear, Init::Glorot, &mut rng).unwrap())
            .unwrap();
        let x = from_rows(&[vec![0.5, -1.0], vec![1.0, 2.0]]).unwrap();
        let g = from_rows(&[vec![1.0], vec![-0.5]]).unwrap();
        model.forward(&x, Mode::Train, &mut rng).unwrap();
        model.backward(&x, &g).unwrap();
        let mut before = Vec::new();
        model.visit_params(&mut |_, p| before.push((p.value.to_vec(), p.grad.to_vec())));
        let mut sgd = Sgd::new(0.1, 0.0).unwrap();
        step(&mut sgd, &mut model).unwrap();
        let mut slot_count = 0;
        model.visit_params(&mut |slot, p| {
            let (w0, g0) = &before[slot];
            for k in 0..w0.len() {
                // Plain SGD: w − 0.1·g.
                assert!((p.value[k] - (w0[k] - 0.1 * g0[k])).abs() < 1e-6);
            }
            slot_count += 1;
        });
        assert_eq!(slot_count, 4);
    }

    #[test]
    fn step_vectors_checks_lengths() {
        let mut sgd = Sgd::new(0.5, 0.0).unwrap();
        let mut values = vec![vec![1.0, 2.0], vec![3.0]];
        step_vectors(&mut sgd, &mut values, &[vec![2.0, 2.0], vec![-2.0]]).unwrap();
        // w − 0.5·g: [1 − 1, 2 − 1], [3 + 1].
        assert_eq!(values, vec![vec![0.0, 1.0], vec![4.0]]);
        assert!(step_vectors(&mut sgd, &mut values, &[vec![1.0]]).is_err());
        let err = step_vectors(&mut sgd, &mut values, &[vec![1.0], vec![1.0]]).unwrap_err();
        assert!(err.to_string().contains("2 values"), "{err}");
    }

    #[test]
    fn descent_rejects_bad_starts_and_gradients() {
        let sgd = || OptimizerConfig::named("sgd").unwrap().build().unwrap();
        assert!(Descent::new(sgd(), &[]).is_err());
        assert!(Descent::new(sgd(), &[f32::NAN, 0.0]).is_err());
        let mut d = Descent::new(sgd(), &[1.0, 1.0]).unwrap();
        assert!(d.step_with_gradient(&[1.0]).is_err());
        d.step_with_gradient(&[1.0, -1.0]).unwrap();
        // lr 0.01: [1 − 0.01, 1 + 0.01].
        assert!(close(d.point(), &[0.99, 1.01], 1e-7));
        assert_eq!(d.last_gradient(), &[1.0, -1.0]);
    }

    #[test]
    fn huge_slot_numbers_are_refused() {
        let mut opt = OptimizerConfig::named("adam").unwrap().build().unwrap();
        let mut w = [1.0];
        assert!(opt.update(usize::MAX, &mut w, &[1.0]).is_err());
        assert!(opt.update(MAX_SLOTS, &mut w, &[1.0]).is_err());
        assert!(opt.state(usize::MAX).is_empty());
    }

    #[test]
    fn state_follows_a_slot_whose_length_changes() {
        let mut opt = OptimizerConfig::named("momentum").unwrap().build().unwrap();
        opt.update(0, &mut [1.0, 2.0], &[1.0, 1.0]).unwrap();
        opt.update(0, &mut [1.0], &[1.0]).unwrap();
        assert_eq!(opt.state(0)[0].1.len(), 1);
    }

    proptest! {
        #[test]
        fn configs_and_updates_never_panic(
            kind in 0usize..10,
            values in proptest::collection::vec(
                prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(-1.0f32), Just(0.0f32),
                            Just(0.5f32), Just(0.999f32), Just(1.0f32), Just(2.0f32), -10.0f32..10.0],
                9),
            w in proptest::collection::vec(prop_oneof![Just(f32::NAN), -1e30f32..1e30], 0..6),
            g in proptest::collection::vec(prop_oneof![Just(f32::INFINITY), -1e30f32..1e30], 0..6),
            slot in 0usize..5,
        ) {
            let kind = OptimizerKind::ALL[kind % OptimizerKind::ALL.len()];
            let mut config = OptimizerConfig::new(kind);
            for (&name, &v) in kind.hyperparameter_names().iter().zip(&values) {
                config = config.with(name, v).unwrap();
            }
            if let Ok(mut opt) = config.build() {
                let mut w = w.clone();
                for _ in 0..3 {
                    let _ = opt.update(slot, &mut w, &g);
                }
                let mut buf = vec![0.0; w.len()];
                let _ = opt.update_with_gradient_fn(slot, &mut w, &mut buf, &mut |p, out| {
                    out.copy_from_slice(p);
                });
                let _ = opt.state(slot);
                let _ = opt.set_learning_rate(values[0]);
                opt.reset();
                prop_assert!(opt.state(slot).is_empty());
            }
        }
    }
}
