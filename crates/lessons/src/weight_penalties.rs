//! Weight penalties on a trained network (the weight-penalties figure's numbers): the same
//! playground network trained with no penalty, L1, L2 and the elastic net at one rate, and Adam
//! with decoupled weight decay (AdamW) against Adam with the same decay added as an L2 gradient,
//! all side by side on the same data from the same initial weights.

use crate::compare::Comparison;
use crate::playground::{DataKind, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;

/// What a weight counts as "near zero" below, in magnitude.
pub const NEAR_ZERO: f32 = 1e-3;

/// The runs, in order.
pub const RUN_NAMES: [&str; 6] = ["none", "L1", "L2", "elastic net", "AdamW", "Adam + L2"];

/// The shared setting: see [`PenaltyStudy::new`].
fn setting(optimizer: OptimizerConfig, penalty: Penalty) -> PlaygroundConfig {
    PlaygroundConfig {
        data: DataKind::Classify(TwoD::Circle),
        points: 200,
        noise: 0.2,
        split: SplitFractions::new(0.5, 0.5, 0.0),
        hidden: vec![8, 8],
        activation: Activation::Tanh,
        optimizer,
        batch_size: 10,
        penalty,
        seed: 1,
        ..PlaygroundConfig::default()
    }
}

/// Six runs trained in step: SGD with no penalty, L1, L2 and the elastic net (half each) at the
/// penalty rate, then AdamW and Adam with L2 at the decay rate.
#[derive(Debug)]
pub struct PenaltyStudy {
    runs: Comparison,
    rate: f32,
    decay: f32,
    weights: Vec<f32>,
}

impl PenaltyStudy {
    /// Builds the untrained runs: two hidden layers of 8 tanh units on 200 points of the circle
    /// with noise 0.2 (half for training, half for validation), batches of 10, seed 1; the
    /// penalty runs use SGD at 0.1 with penalty rate `rate`, the decay runs Adam at 0.01 with
    /// weight decay `decay`.
    pub fn new(rate: f32, decay: f32) -> Result<Self> {
        let sgd = OptimizerConfig::new(OptimizerKind::Sgd).with("lr", 0.1)?;
        let penalties = [
            Penalty::None,
            Penalty::L1 { lambda: rate },
            Penalty::L2 { lambda: rate },
            Penalty::ElasticNet {
                alpha: rate,
                l1_ratio: 0.5,
            },
        ];
        let mut configs: Vec<PlaygroundConfig> =
            penalties.iter().map(|&p| setting(sgd, p)).collect();
        for kind in [OptimizerKind::AdamW, OptimizerKind::AdamL2] {
            let adam = OptimizerConfig::new(kind)
                .with("lr", 0.01)?
                .with("weight_decay", decay)?;
            configs.push(setting(adam, Penalty::None));
        }
        let mut runs = Comparison::new(configs)?;
        runs.step(0)?;
        Ok(Self {
            runs,
            rate,
            decay,
            weights: Vec::new(),
        })
    }

    /// The penalty rate and the weight decay.
    pub fn rates(&self) -> (f32, f32) {
        (self.rate, self.decay)
    }

    /// Makes `updates` more updates on every run, then scores them.
    pub fn step(&mut self, updates: u32) -> Result<()> {
        self.runs.step(updates)
    }

    /// Updates made by each run so far.
    pub fn steps(&self) -> u64 {
        self.runs.latest(0).map_or(0, |s| s.step)
    }

    /// Run `i`'s weights (not biases), every layer, into the study's buffer.
    pub fn weights(&mut self, i: usize) -> Result<&[f32]> {
        let run = self
            .runs
            .runs()
            .get(i)
            .ok_or_else(|| EngineError::Invalid(format!("there is no run {}", i + 1)))?;
        self.weights.clear();
        for d in run.dense_layers() {
            self.weights.extend(d.weights().iter());
        }
        Ok(&self.weights)
    }

    /// How many of run `i`'s weights are smaller than [`NEAR_ZERO`] in magnitude, of how many.
    pub fn near_zero(&mut self, i: usize) -> Result<(usize, usize)> {
        let w = self.weights(i)?;
        Ok((w.iter().filter(|v| v.abs() < NEAR_ZERO).count(), w.len()))
    }

    /// The Euclidean norm of run `i`'s weights.
    pub fn norm(&mut self, i: usize) -> Result<f32> {
        let w = self.weights(i)?;
        Ok(w.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>().sqrt() as f32)
    }

    /// Run `i`'s latest training and validation loss.
    pub fn losses(&self, i: usize) -> Result<(f32, f32)> {
        let s = self
            .runs
            .latest(i)
            .ok_or_else(|| EngineError::Invalid(format!("there is no run {}", i + 1)))?;
        let v = s
            .validation
            .ok_or_else(|| EngineError::Invalid("the study has no validation split".into()))?;
        Ok((s.train.loss, v.loss))
    }
}

/// Counts `values` into `bins` equal bins over `[lo, hi]` (values outside go to the end bins).
pub fn histogram(values: &[f32], lo: f32, hi: f32, bins: usize, out: &mut Vec<usize>) {
    out.clear();
    out.resize(bins.max(1), 0);
    let width = (hi - lo) / out.len() as f32;
    let last = out.len() - 1;
    for v in values {
        let k = if width > 0.0 && v.is_finite() {
            (((v - lo) / width).floor().max(0.0) as usize).min(last)
        } else {
            0
        };
        out[k] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l1_zeroes_weights_l2_does_not_and_the_two_decays_differ() {
        let mut s = PenaltyStudy::new(0.01, 0.01).unwrap();
        let (untrained, total) = s.near_zero(1).unwrap();
        assert_eq!(total, 2 * 8 + 8 * 8 + 8);
        assert!(untrained <= 1);
        // The page's end-to-end test trains 300 updates; the effects must hold there and after.
        s.step(300).unwrap();
        for _ in 0..3 {
            let zeros: Vec<usize> = (0..4).map(|i| s.near_zero(i).unwrap().0).collect();
            assert!(
                zeros[1] >= 10 && zeros[1] > 5 * zeros[2].max(1),
                "{zeros:?}"
            );
            assert!(zeros[0] <= 2 && zeros[3] > zeros[2], "{zeros:?}");
            let (adamw, adam_l2) = (s.norm(4).unwrap(), s.norm(5).unwrap());
            assert!(adamw > 1.2 * adam_l2, "{adamw} vs {adam_l2}");
            assert_ne!(s.losses(4).unwrap(), s.losses(5).unwrap());
            s.step(300).unwrap();
        }
        let mut bins = Vec::new();
        histogram(&[-1.0, 0.0, 0.05, 2.0, f32::NAN], -0.5, 0.5, 10, &mut bins);
        assert_eq!(bins, [2, 0, 0, 0, 0, 2, 0, 0, 0, 1]);
    }
}
