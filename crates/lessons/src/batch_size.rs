//! The batch-size figure's numbers: a small and a large batch trained on the same data, the
//! updates each makes per epoch, and a measure of a loss curve's noise.
//!
//! The runs are a [`crate::compare::Comparison`] of playground runs that share their data, split
//! and seed, so they differ only in the batch size.

use crate::playground::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::Result;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};

/// The batch-size comparison's setting: 400 points of the circle with label noise 0.2, half for
/// training and half for validation, two hidden layers of 8 tanh units, plain SGD at a learning
/// rate of 0.1, seed 1, with `batch_size` samples per update.
///
/// Per epoch, batches of 2 make 100 updates and batches of 100 make 2: throughout the figure's
/// 100 epochs the small batch's training loss is lower, but it jumps up and down from epoch to
/// epoch, while the large batch's falls smoothly and slowly.
pub fn batch_size_setting(batch_size: usize) -> Result<PlaygroundConfig> {
    Ok(PlaygroundConfig {
        data: DataKind::Classify(TwoD::Circle),
        points: 400,
        noise: 0.2,
        split: SplitFractions::new(0.5, 0.5, 0.0),
        hidden: vec![8, 8],
        activation: Activation::Tanh,
        optimizer: OptimizerConfig::new(OptimizerKind::Sgd).with("lr", 0.1)?,
        batch_size,
        seed: 1,
        ..PlaygroundConfig::default()
    })
}

/// Epochs each run trains between two records of the figure's curves.
pub const EPOCHS_PER_RECORD: u32 = 1;

/// The epochs after which the figure's training stops by itself.
pub const SHOWN_EPOCHS: u64 = 100;

/// Updates per epoch of `run`: the training points divided by the batch size, rounded up.
pub fn updates_per_epoch(run: &Playground) -> u64 {
    let n = run.points()[0].map_or(0, |(x, _)| x.nrows());
    let b = run.config().batch_size.clamp(1, n.max(1));
    n.div_ceil(b).max(1) as u64
}

/// A curve's noise: the sum of all its rises, `Σ max(0, yᵢ₊₁ − yᵢ)`. A loss that falls
/// steadily has none; one that jitters up and down has much.
pub fn total_rise(values: impl Iterator<Item = f32>) -> f32 {
    let mut rise = 0.0;
    let mut last: Option<f32> = None;
    for v in values.filter(|v| v.is_finite()) {
        if let Some(l) = last {
            rise += (v - l).max(0.0);
        }
        last = Some(v);
    }
    rise
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparison;

    #[test]
    fn total_rise_counts_only_rises() {
        // Rises of 1 (1 → 2) and 2 (0 → 2).
        assert_eq!(total_rise([1.0, 2.0, 0.0, 2.0, 1.0].into_iter()), 3.0);
        assert_eq!(total_rise([3.0, 2.0, 1.0].into_iter()), 0.0);
    }

    /// What the prose says, at every epoch of the figure's run of 100.
    ///
    /// Try this (batch-size): the batch of 2 is ahead of the batch of 100 at every epoch, its
    /// curve rises again and again (at ten epochs or more) while the large batch's never rises.
    #[test]
    fn a_small_batch_is_noisier_and_makes_more_updates_per_epoch() {
        let mut c = Comparison::new(vec![
            batch_size_setting(2).unwrap(),
            batch_size_setting(100).unwrap(),
        ])
        .unwrap();
        assert_eq!(updates_per_epoch(&c.runs()[0]), 100);
        assert_eq!(updates_per_epoch(&c.runs()[1]), 2);
        for epoch in 1..=SHOWN_EPOCHS {
            for _ in 0..EPOCHS_PER_RECORD {
                c.step_epoch().unwrap();
            }
            let loss: Vec<f32> = (0..2).map(|i| c.latest(i).unwrap().train.loss).collect();
            // Per epoch, at the same learning rate, the small batch gets further.
            assert!(loss[0] < loss[1], "epoch {epoch}: {loss:?}");
            if epoch == 5 {
                // Its loss drops quickly; the large batch's slowly.
                assert!(loss[0] < 0.3 && loss[1] > 0.7, "epoch {epoch}: {loss:?}");
            }
        }
        // The small batch's curve jumps up and down; the large batch's never rises.
        let rise: Vec<f32> = (0..2)
            .map(|i| total_rise(c.runs()[i].history().iter().map(|s| s.train.loss)))
            .collect();
        assert!(rise[0] > 0.5 && rise[1] == 0.0, "{rise:?}");
        // Again and again: the small batch's loss rises at many epochs, not in one jump.
        let rises = c.runs()[0]
            .history()
            .windows(2)
            .filter(|w| w[1].train.loss > w[0].train.loss)
            .count();
        assert!(rises >= 10, "{rises} epochs with a rise");
    }
    /// Try this (batch-size): batches of 8 against the whole split of 200: the small batch is
    /// ahead at every epoch, its curve's rises add up to under half of a batch of 2's, and the
    /// whole split's curve (plain gradient descent) never rises.
    #[test]
    fn try_this_eight_against_the_whole_split() {
        let run = |small: usize, large: usize| {
            let mut c = Comparison::new(vec![
                batch_size_setting(small).unwrap(),
                batch_size_setting(large).unwrap(),
            ])
            .unwrap();
            for epoch in 1..=SHOWN_EPOCHS {
                c.step_epoch().unwrap();
                let loss: Vec<f32> = (0..2).map(|i| c.latest(i).unwrap().train.loss).collect();
                assert!(
                    loss[0] < loss[1],
                    "{small}/{large}, epoch {epoch}: {loss:?}"
                );
            }
            let rise: Vec<f32> = (0..2)
                .map(|i| total_rise(c.runs()[i].history().iter().map(|s| s.train.loss)))
                .collect();
            (updates_per_epoch(&c.runs()[1]), rise)
        };
        let (whole, rise) = run(8, 200);
        assert_eq!(whole, 1);
        let (_, two) = run(2, 100);
        assert!(rise[1] == 0.0, "{rise:?}");
        assert!(rise[0] > 0.0 && rise[0] < 0.5 * two[0], "{rise:?} {two:?}");
    }
}
