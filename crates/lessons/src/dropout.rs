//! The dropout figure's numbers: the same small, noisy problem trained side by side at several
//! dropout rates, and the generalisation gap of each run.
//!
//! The runs are a [`crate::compare::Comparison`] of playground runs that share their data, split,
//! seed and initial weights, so they differ only in the dropout rate.

use crate::playground::{DataKind, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::Result;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};

/// The dropout comparison's setting, with dropout rate `p` after each hidden layer: 100 points
/// of exclusive or with the most noise, half for training and half for validation, two hidden
/// layers of 32 ReLU units (far more than 50 noisy points need), Adam at 0.01, batches of 10,
/// seed 1. Without dropout the validation loss turns upward within about 100 updates while the
/// training loss keeps falling.
pub fn dropout_setting(p: f32) -> Result<PlaygroundConfig> {
    Ok(PlaygroundConfig {
        data: DataKind::Classify(TwoD::Xor),
        points: 100,
        noise: 0.5,
        split: SplitFractions::new(0.5, 0.5, 0.0),
        hidden: vec![32, 32],
        activation: Activation::Relu,
        optimizer: OptimizerConfig::new(OptimizerKind::Adam).with("lr", 0.01)?,
        batch_size: 10,
        dropout: p,
        seed: 1,
        ..PlaygroundConfig::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Comparison, gap};

    #[test]
    fn dropout_narrows_the_generalisation_gap() {
        let rates = [0.0, 0.2, 0.3, 0.5];
        let mut c =
            Comparison::new(rates.iter().map(|&p| dropout_setting(p).unwrap()).collect()).unwrap();
        // The page's end-to-end test trains 250 updates; the gaps must already be ordered by
        // rate there, and stay so.
        for checkpoint in [250, 500] {
            while c.latest(0).unwrap().step < checkpoint {
                c.step(25).unwrap();
            }
            let gaps: Vec<f32> = (0..4).map(|i| gap(c.latest(i).unwrap()).unwrap()).collect();
            assert!(
                gaps[0] > 2.0 * gaps[1] && gaps[1] > gaps[2] && gaps[2] > gaps[3],
                "at {checkpoint}: {gaps:?}"
            );
            // More dropout fits the training points less closely.
            let train: Vec<f32> = (0..4).map(|i| c.latest(i).unwrap().train.loss).collect();
            assert!(train[0] < train[3], "at {checkpoint}: {train:?}");
        }
        let dropped = c.dropped_units(3);
        assert_eq!(dropped.len(), 2);
        assert_eq!(dropped[0].len(), 32);
        assert!(dropped[0].iter().any(|&d| d) && dropped[0].iter().any(|&d| !d));
        assert!(c.dropped_units(0).is_empty());
    }
}
