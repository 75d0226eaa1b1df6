//! Bias and variance: one small, noisy data set fitted by networks of growing capacity (hidden
//! units per layer), trained side by side, and their training and validation errors against
//! capacity (the bias-variance figure's numbers).
//!
//! Too little capacity cannot follow the data even on the training points (high bias,
//! underfitting); too much follows the noise of the training points and does worse on new ones
//! (high variance, overfitting). The validation split chooses the capacity; the test split,
//! never looked at while choosing, reports the chosen network's error once.

use crate::compare::Comparison;
use crate::playground::{DataKind, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};

/// Updates each network makes between two records of the figure's curves.
pub const UPDATES_PER_RECORD: u32 = 10;

/// The updates after which the figure's training stops by itself.
pub const SHOWN_UPDATES: u64 = 800;

/// The hidden units per layer of each network the sweep trains, smallest first.
pub const WIDTHS: [usize; 6] = [1, 2, 4, 8, 16, 32];

/// The sweep's setting for hidden layers of `width` units: see [`CapacitySweep::new`].
pub fn capacity_setting(width: usize) -> Result<PlaygroundConfig> {
    Ok(PlaygroundConfig {
        data: DataKind::Classify(TwoD::Circle),
        points: 120,
        noise: 0.5,
        split: SplitFractions::new(0.5, 0.25, 0.25),
        hidden: vec![width, width],
        activation: Activation::Relu,
        optimizer: OptimizerConfig::new(OptimizerKind::Adam).with("lr", 0.01)?,
        batch_size: 10,
        seed: 1,
        ..PlaygroundConfig::default()
    })
}

/// One network's errors at the latest record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacityPoint {
    /// Hidden units per layer.
    pub width: usize,
    /// Trainable parameters (weights and biases).
    pub parameters: usize,
    /// The fraction of training points misclassified.
    pub train_error: f32,
    /// The fraction of validation points misclassified.
    pub validation_error: f32,
    /// The mean loss on the training points.
    pub train_loss: f32,
    /// The mean loss on the validation points.
    pub validation_loss: f32,
}

/// Networks of every width in [`WIDTHS`], trained in step on the same data.
#[derive(Debug)]
pub struct CapacitySweep {
    runs: Comparison,
}

impl CapacitySweep {
    /// Builds the untrained networks: two hidden layers of each width of ReLU units, on 120
    /// points of the circle with the most label noise (half for training, a quarter each for
    /// validation and test), Adam at 0.01, batches of 10, seed 1.
    pub fn new() -> Result<Self> {
        let configs = WIDTHS
            .iter()
            .map(|&w| capacity_setting(w))
            .collect::<Result<Vec<_>>>()?;
        let mut runs = Comparison::new(configs)?;
        runs.step(0)?;
        Ok(Self { runs })
    }

    /// Makes `updates` more updates on every network, then scores them.
    pub fn step(&mut self, updates: u32) -> Result<()> {
        self.runs.step(updates)
    }

    /// Updates made by each network so far.
    pub fn steps(&self) -> u64 {
        self.runs.latest(0).map_or(0, |s| s.step)
    }

    /// The networks, smallest first (to draw their decision boundaries).
    pub fn runs_mut(&mut self) -> &mut Comparison {
        &mut self.runs
    }

    /// Each network's latest errors, smallest first.
    pub fn points(&self) -> Result<Vec<CapacityPoint>> {
        WIDTHS
            .iter()
            .enumerate()
            .map(|(i, &width)| {
                let s = self.runs.latest(i).ok_or_else(|| {
                    EngineError::Invalid(format!("network {} has no scores yet", i + 1))
                })?;
                let v = s.validation.ok_or_else(|| {
                    EngineError::Invalid("the sweep has no validation split".into())
                })?;
                let parameters = self.runs.runs()[i]
                    .dense_layers()
                    .iter()
                    .map(|d| d.weights().len() + d.biases().len())
                    .sum();
                Ok(CapacityPoint {
                    width,
                    parameters,
                    train_error: 1.0 - s.train.accuracy.unwrap_or(0.0),
                    validation_error: 1.0 - v.accuracy.unwrap_or(0.0),
                    train_loss: s.train.loss,
                    validation_loss: v.loss,
                })
            })
            .collect()
    }

    /// The index of the network with the lowest validation loss (the smaller one on a tie: with
    /// equal evidence, the simpler model), and its error on the test split — looked at only for
    /// the network chosen.
    pub fn chosen(&self) -> Result<(usize, f32)> {
        let points = self.points()?;
        let mut best = 0;
        for (i, p) in points.iter().enumerate() {
            if p.validation_loss < points[best].validation_loss {
                best = i;
            }
        }
        let test = self
            .runs
            .latest(best)
            .and_then(|s| s.test)
            .ok_or_else(|| EngineError::Invalid("the sweep has no test split".into()))?;
        Ok((best, 1.0 - test.accuracy.unwrap_or(0.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the prose says, at every record from 300 updates (when the curves have taken their
    /// shape) to the figure's stop at 800.
    ///
    /// Try this (bias-variance): from 300 updates on, the validation loss is lowest at 4, 8 or 16
    /// units and higher at both ends, while the training loss falls with every width from two.
    ///
    /// Try this (bias-variance): on the misclassified share, the three largest networks end
    /// missing six validation points each, while the largest one's loss is over twice the 8-unit
    /// one's.
    #[test]
    fn training_loss_falls_with_capacity_and_validation_loss_turns_up() {
        let mut s = CapacitySweep::new().unwrap();
        // Two inputs, two hidden layers of h and one output: h² + 5h + 1 parameters.
        let parameters: Vec<usize> = s.points().unwrap().iter().map(|p| p.parameters).collect();
        assert_eq!(parameters, [7, 15, 37, 105, 337, 1185]);
        while s.steps() < SHOWN_UPDATES {
            s.step(UPDATES_PER_RECORD).unwrap();
            if s.steps() < 300 {
                continue;
            }
            let at = s.steps();
            let p = s.points().unwrap();
            let train: Vec<f32> = p.iter().map(|p| p.train_loss).collect();
            let val: Vec<f32> = p.iter().map(|p| p.validation_loss).collect();
            let err: Vec<f32> = p.iter().map(|p| p.validation_error).collect();
            // From two units on, the training loss falls as capacity grows.
            assert!(
                train.windows(2).skip(1).all(|w| w[1] < w[0]),
                "at {at}: {train:?}"
            );
            // The validation loss falls, then climbs for the largest networks: a U.
            let (best, lowest) = val
                .iter()
                .enumerate()
                .fold((0, f32::MAX), |a, (i, &v)| if v < a.1 { (i, v) } else { a });
            assert!((2..5).contains(&best), "at {at}: {val:?}");
            assert!(
                val[0] > lowest && val[5] > val[4] && val[5] > 1.5 * lowest,
                "at {at}: {val:?}"
            );
            let (chosen, test) = s.chosen().unwrap();
            assert_eq!(chosen, best);
            assert!((0.0..=1.0).contains(&test));
            // The misclassified share moves in steps of one validation point in 30.
            assert!(
                err.iter()
                    .all(|e| (e * 30.0 - (e * 30.0).round()).abs() < 1e-4),
                "{err:?}"
            );
        }
        // By the end that curve is flat over the three largest networks, which each miss six of
        // the 30 validation points, while the loss of the largest is more than twice that of the
        // 8-unit one.
        let p = s.points().unwrap();
        assert_eq!(s.steps(), SHOWN_UPDATES);
        for q in &p[3..] {
            assert!((q.validation_error * 30.0 - 6.0).abs() < 1e-4, "{p:?}");
        }
        assert!(p[5].validation_loss > 2.0 * p[3].validation_loss, "{p:?}");
    }
}
