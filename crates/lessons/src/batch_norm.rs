//! The batch-normalization figure's numbers: a deep sigmoid network trained with and without
//! batch normalization (and with it on a very small batch), histograms of the values each hidden
//! layer feeds its activation, and the batch and running statistics of its normalization layers.
//!
//! The runs are a [`crate::compare::Comparison`] of playground runs that share their data, split
//! and seed, so they differ only in the setting shown.

use crate::playground::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{BatchNorm, Dense, Mode, Module};
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::rng::Rng;

/// The histograms cover pre-activations in `[-HISTOGRAM_RANGE, HISTOGRAM_RANGE]`; values beyond
/// fall into the outermost bins.
pub const HISTOGRAM_RANGE: f32 = 4.0;
/// Bins per histogram.
pub const HISTOGRAM_BINS: usize = 32;

/// The batch-normalization comparison's setting: 400 points of the circle with a little noise,
/// half for training and half for validation, six hidden layers of 8 sigmoid units, plain SGD at
/// a learning rate of 0.5, seed 1, with or without batch normalization and with `batch_size`
/// samples per update.
///
/// Without batch normalization the sigmoids of this deep stack saturate and the loss stays near
/// `ln 2 ≈ 0.69` for hundreds of updates; with it (batches of 16) the training loss is below 0.5
/// after 300 updates. With batches of 2 the batch statistics are so noisy that the network with
/// batch normalization does not learn either.
pub fn batch_norm_setting(batch_norm: bool, batch_size: usize) -> Result<PlaygroundConfig> {
    Ok(PlaygroundConfig {
        data: DataKind::Classify(TwoD::Circle),
        points: 400,
        noise: 0.1,
        split: SplitFractions::new(0.5, 0.5, 0.0),
        hidden: vec![8; 6],
        activation: Activation::Sigmoid,
        optimizer: OptimizerConfig::new(OptimizerKind::Sgd).with("lr", 0.5)?,
        batch_size,
        batch_norm,
        seed: 1,
        ..PlaygroundConfig::default()
    })
}

/// Fills `out` with one histogram per hidden layer of the values that layer feeds its
/// activation, over the validation points (the training points without a validation split), in
/// evaluation mode: the sums `z = W a + b` without batch normalization, the normalised and
/// shifted `γ x̂ + β` with it. Each histogram has [`HISTOGRAM_BINS`] fractions that add up to 1.
pub fn pre_activation_histograms(run: &Playground, out: &mut Vec<Vec<f32>>) -> Result<()> {
    let [train, validation, _] = run.points();
    let Some((x, _)) = validation.or(train) else {
        return Err(EngineError::Invalid("the run has no points".into()));
    };
    // A copy, so that looking never disturbs the training network's buffers.
    let mut model = run.trainer().model().clone();
    model.forward(x, Mode::Eval, &mut Rng::new(0))?;
    let batch_norm = run.config().batch_norm;
    let hidden = run.config().hidden.len();
    out.resize_with(hidden, Vec::new);
    let mut layer = 0;
    for i in 0..model.layers().len() {
        let values = if batch_norm {
            model.layer::<BatchNorm>(i).map(|b| b.output())
        } else {
            model.layer::<Dense>(i).map(Dense::pre_activation)
        };
        let (Some(values), Some(hist)) = (values, out.get_mut(layer)) else {
            continue;
        };
        histogram(values.iter().copied(), hist);
        layer += 1;
    }
    Ok(())
}

/// The fractions of `values` in each of [`HISTOGRAM_BINS`] equal bins over
/// `[-HISTOGRAM_RANGE, HISTOGRAM_RANGE]` (outside values counted in the end bins; non-finite
/// values ignored), into `out`.
pub fn histogram(values: impl Iterator<Item = f32>, out: &mut Vec<f32>) {
    out.clear();
    out.resize(HISTOGRAM_BINS, 0.0);
    let mut count = 0usize;
    let width = 2.0 * HISTOGRAM_RANGE / HISTOGRAM_BINS as f32;
    for v in values.filter(|v| v.is_finite()) {
        let bin = ((v + HISTOGRAM_RANGE) / width).floor();
        let bin = bin.clamp(0.0, (HISTOGRAM_BINS - 1) as f32) as usize;
        out[bin] += 1.0;
        count += 1;
    }
    if count > 0 {
        for f in out.iter_mut() {
            *f /= count as f32;
        }
    }
}

/// One batch-normalization layer's statistics for its first unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitStatistics {
    /// The mean of the last training batch.
    pub batch_mean: f32,
    /// The running mean used in evaluation.
    pub running_mean: f32,
    /// The (biased) variance of the last training batch.
    pub batch_variance: f32,
    /// The running (unbiased) variance used in evaluation.
    pub running_variance: f32,
}

/// The first unit's batch and running statistics of each batch-normalization layer of `run`
/// (empty without batch normalization).
pub fn batch_norm_statistics(run: &Playground) -> Vec<UnitStatistics> {
    let model = run.trainer().model();
    (0..model.layers().len())
        .filter_map(|i| model.layer::<BatchNorm>(i))
        .map(|b| UnitStatistics {
            batch_mean: b.batch_mean().first().copied().unwrap_or(0.0),
            running_mean: b.running_mean().first().copied().unwrap_or(0.0),
            batch_variance: b.batch_var().first().copied().unwrap_or(0.0),
            running_variance: b.running_var().first().copied().unwrap_or(1.0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Comparison;

    #[test]
    fn histograms_add_up_to_one() {
        let mut h = Vec::new();
        histogram([-100.0, 0.1, 0.2, 100.0, f32::NAN].into_iter(), &mut h);
        assert_eq!(h.len(), HISTOGRAM_BINS);
        // Four finite values: one in each end bin, two in the bin just above zero.
        assert_eq!(h[0], 0.25);
        assert_eq!(h[HISTOGRAM_BINS - 1], 0.25);
        assert_eq!(h[HISTOGRAM_BINS / 2], 0.5);
    }

    #[test]
    fn batch_norm_trains_the_deep_network_faster() {
        let configs = vec![
            batch_norm_setting(false, 16).unwrap(),
            batch_norm_setting(true, 16).unwrap(),
            batch_norm_setting(true, 2).unwrap(),
        ];
        let mut c = Comparison::new(configs).unwrap();
        // The page's end-to-end test trains 300 updates.
        while c.latest(0).unwrap().step < 300 {
            c.step(5).unwrap();
        }
        let loss: Vec<f32> = (0..3).map(|i| c.latest(i).unwrap().train.loss).collect();
        assert!(loss[1] < 0.5 && loss[0] > 0.65 && loss[2] > 0.6, "{loss:?}");
        let mut h = Vec::new();
        pre_activation_histograms(&c.runs()[1], &mut h).unwrap();
        assert_eq!(h.len(), 6);
        let stats = batch_norm_statistics(&c.runs()[1]);
        assert_eq!(stats.len(), 6);
        assert!(batch_norm_statistics(&c.runs()[0]).is_empty());
        pre_activation_histograms(&c.runs()[0], &mut h).unwrap();
        assert_eq!(h.len(), 6);
    }
}
