//! Training: one mini-batch step of a model, the way every figure and benchmark trains.

use crate::error::{EngineError, Result};
use crate::layer::Mode;
use crate::loss::Loss;
use crate::model::Sequential;
use crate::optim::Optimizer;
use crate::regularize::{Penalty, Regularizer};
use crate::rng::Rng;
use crate::tensor::Matrix;
use crate::trace::Trace;

/// A model with its loss, optimizer and penalty, trained one batch at a time.
///
/// A step is: forward in training mode, `L = loss(output, y)` with its gradient, backward, then
/// one optimizer update with the penalty's gradient added to the weights. After the first step
/// with a given batch size, a step allocates nothing.
#[derive(Debug)]
pub struct Trainer {
    model: Sequential,
    loss: Loss,
    optimizer: Box<dyn Optimizer>,
    regularizer: Regularizer,
    grad: Matrix,
    rng: Rng,
    steps: u64,
}

impl Trainer {
    /// A trainer for `model`; `rng` drives whatever samples during training (dropout).
    pub fn new(
        model: Sequential,
        loss: Loss,
        optimizer: Box<dyn Optimizer>,
        penalty: Penalty,
        rng: Rng,
    ) -> Result<Self> {
        Ok(Self {
            model,
            loss,
            optimizer,
            regularizer: Regularizer::new(penalty)?,
            grad: Matrix::zeros(0, 0),
            rng,
            steps: 0,
        })
    }

    /// One update on the batch `x` (`batch × inputs`) with targets `y` (`batch × outputs`).
    /// Returns the batch loss before the update (without the penalty).
    ///
    /// A loss that is not finite is refused before any weight changes; weights that become
    /// non-finite through the update are reported as [`EngineError::NonFinite`] (the caller
    /// decides whether to restore a copy).
    pub fn step(&mut self, x: &Matrix, y: &Matrix) -> Result<f32> {
        let output = self.model.forward(x, Mode::Train, &mut self.rng)?;
        let loss = self.loss.value_and_grad(output, y, &mut self.grad)?;
        self.model.backward(x, &self.grad)?;
        self.regularizer
            .step(self.optimizer.as_mut(), &mut self.model)?;
        self.steps += 1;
        if !loss.is_finite() || !self.weights_are_finite() {
            return Err(EngineError::NonFinite {
                what: "the weights after this step (training diverged)".into(),
            });
        }
        Ok(loss)
    }

    /// Whether every parameter is finite ([`crate::kernels::all_finite`]).
    fn weights_are_finite(&mut self) -> bool {
        let mut ok = true;
        self.model.visit_params(&mut |_, p| {
            ok &= crate::kernels::all_finite(p.value);
        });
        ok
    }

    /// The loss on `x`, `y` in evaluation mode (dropout off, running statistics), no update.
    pub fn evaluate(&mut self, x: &Matrix, y: &Matrix) -> Result<f32> {
        let output = self.model.forward(x, Mode::Eval, &mut self.rng)?;
        self.loss.value(output, y)
    }

    /// The model's outputs on `x` in evaluation mode.
    pub fn predict<'a>(&'a mut self, x: &'a Matrix) -> Result<&'a Matrix> {
        self.model.forward(x, Mode::Eval, &mut self.rng)
    }

    /// A trace of the last step: every layer's values and gradients, and the loss gradient.
    pub fn trace(&mut self, x: &Matrix) -> Trace {
        self.model.trace(x, Some(&self.grad))
    }

    /// The penalty's current value on the weights.
    pub fn penalty_value(&mut self) -> f32 {
        self.regularizer.penalty_value(&mut self.model)
    }

    /// The model.
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// The model, mutable (to edit weights by hand).
    pub fn model_mut(&mut self) -> &mut Sequential {
        &mut self.model
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Changes the loss (the model's output width must fit it).
    pub fn set_loss(&mut self, loss: Loss) {
        self.loss = loss;
    }

    /// The optimizer, with its inspectable state.
    pub fn optimizer(&self) -> &dyn Optimizer {
        self.optimizer.as_ref()
    }

    /// Replaces the optimizer (its state starts afresh).
    pub fn set_optimizer(&mut self, optimizer: Box<dyn Optimizer>) {
        self.optimizer = optimizer;
    }

    /// The optimizer, mutable (to change its learning rate).
    pub fn optimizer_mut(&mut self) -> &mut dyn Optimizer {
        self.optimizer.as_mut()
    }

    /// Changes the penalty.
    pub fn set_penalty(&mut self, penalty: Penalty) -> Result<()> {
        self.regularizer.set_penalty(penalty)
    }

    /// The regulariser (penalty and pruning mask).
    pub fn regularizer_mut(&mut self) -> &mut Regularizer {
        &mut self.regularizer
    }

    /// How many updates have been made.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The generator used for dropout, for saving and restoring a run.
    pub fn rng(&self) -> &Rng {
        &self.rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::layer::{Dense, Init};
    use crate::optim::{OptimizerConfig, OptimizerKind};
    use crate::tensor::{Shape, from_rows};

    fn xor_trainer(kind: OptimizerKind, lr: f32) -> Trainer {
        let mut rng = Rng::new(1);
        let mut model = Sequential::new(Shape::Flat(2));
        model
            .push(Dense::new(2, 8, Activation::Tanh, Init::Glorot, &mut rng).unwrap())
            .unwrap()
            .push(Dense::new(8, 1, Activation::Linear, Init::Glorot, &mut rng).unwrap())
            .unwrap();
        let opt = OptimizerConfig::new(kind)
            .with("lr", lr)
            .unwrap()
            .build()
            .unwrap();
        Trainer::new(
            model,
            Loss::BinaryCrossEntropy,
            opt,
            Penalty::None,
            Rng::new(2),
        )
        .unwrap()
    }

    #[test]
    fn learns_xor() {
        let x = from_rows(&[
            vec![0.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![1.0, 1.0],
        ])
        .unwrap();
        let y = from_rows(&[vec![0.0], vec![1.0], vec![1.0], vec![0.0]]).unwrap();
        let mut t = xor_trainer(OptimizerKind::Adam, 0.05);
        let first = t.step(&x, &y).unwrap();
        for _ in 0..400 {
            t.step(&x, &y).unwrap();
        }
        let last = t.evaluate(&x, &y).unwrap();
        assert!(last < 0.05 && last < first / 10.0, "loss {first} → {last}");
        assert_eq!(t.steps(), 401);
    }

    #[test]
    fn divergence_is_reported_not_hidden() {
        let x = from_rows(&[vec![3.0, -2.0], vec![1.0, 4.0]]).unwrap();
        let y = from_rows(&[vec![1.0], vec![0.0]]).unwrap();
        // Squared error with a learning rate of 10 on inputs this large multiplies the error by
        // far more than 1 every step: the weights overflow within a few dozen steps.
        let mut t = xor_trainer(OptimizerKind::Sgd, 10.0);
        t.set_loss(Loss::MeanSquaredError);
        let mut failed = None;
        for _ in 0..200 {
            if let Err(e) = t.step(&x, &y) {
                failed = Some(e);
                break;
            }
        }
        let e = failed.expect("a learning rate of 10 must diverge");
        assert!(matches!(e, EngineError::NonFinite { .. }), "{e}");
    }

    #[test]
    fn a_target_of_the_wrong_width_is_an_error() {
        let x = from_rows(&[vec![0.0, 0.0]]).unwrap();
        let y = from_rows(&[vec![0.0, 1.0]]).unwrap();
        assert!(xor_trainer(OptimizerKind::Sgd, 0.1).step(&x, &y).is_err());
    }
}
