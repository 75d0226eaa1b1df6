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

/// Updates each run makes between two records of the figure.
pub const UPDATES_PER_RECORD: u32 = 10;

/// The updates after which the figure's training stops by itself.
pub const SHOWN_UPDATES: u64 = 600;

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

    /// What the prose says, at every record up to the figure's stop at 600 updates, at the
    /// figure's opening rates (penalty 0.01, decay 0.01).
    ///
    /// Try this (weight-penalties): at 0.01, L1 ends with 35 to 42 of the 88 weights near zero,
    /// L2 with none or one.
    #[test]
    fn l1_zeroes_weights_l2_does_not_and_the_two_decays_differ() {
        let mut s = PenaltyStudy::new(0.01, 0.01).unwrap();
        let (untrained, total) = s.near_zero(1).unwrap();
        assert_eq!(total, 2 * 8 + 8 * 8 + 8);
        assert!(untrained <= 1);
        while s.steps() < SHOWN_UPDATES {
            s.step(UPDATES_PER_RECORD).unwrap();
            let at = s.steps();
            let zeros: Vec<usize> = (0..4).map(|i| s.near_zero(i).unwrap().0).collect();
            // L2 leaves no more near-zero weights than no penalty does, none or one; once L1
            // has made some, the elastic net lands between L2 and L1.
            assert!(
                zeros[2] <= 1 && zeros[2] <= zeros[0] + 1,
                "at {at}: {zeros:?}"
            );
            if at >= 100 {
                assert!(
                    zeros[2] <= zeros[3] && zeros[3] <= zeros[1],
                    "at {at}: {zeros:?}"
                );
            }
            if at == 300 {
                // "A dozen after 300 updates".
                assert!((10..=14).contains(&zeros[1]), "at {at}: {zeros:?}");
            }
            if at >= 300 {
                assert!(
                    zeros[1] >= 10 && zeros[1] > 5 * zeros[2].max(1),
                    "at {at}: {zeros:?}"
                );
            }
            // Adam with L2 shrinks the weights more than AdamW all along.
            let (adamw, adam_l2) = (s.norm(4).unwrap(), s.norm(5).unwrap());
            assert!(adamw > adam_l2, "at {at}: {adamw} vs {adam_l2}");
        }
        // "Close to 40 of the 88 by 600".
        let l1 = s.near_zero(1).unwrap().0;
        assert!((35..=42).contains(&l1), "{l1}");
        // The end of the decay chart: norms 4.2 against 6.0, validation losses 0.18 against 0.17.
        let (adamw, adam_l2) = (s.norm(4).unwrap(), s.norm(5).unwrap());
        assert!(
            (5.9..6.05).contains(&adamw) && (4.15..4.3).contains(&adam_l2),
            "{adamw} {adam_l2}"
        );
        let (vw, vl2) = (s.losses(4).unwrap().1, s.losses(5).unwrap().1);
        assert!(
            (0.165..0.175).contains(&vw) && (0.175..0.185).contains(&vl2),
            "{vw} {vl2}"
        );
        // Plain Adam without any decay, same setting, ends with a norm of 6.1, barely more than
        // AdamW's: AdamW's decay is gentle at this rate.
        let adam = OptimizerConfig::new(OptimizerKind::Adam)
            .with("lr", 0.01)
            .unwrap();
        let mut plain = Comparison::new(vec![setting(adam, Penalty::None)]).unwrap();
        plain.step(u32::try_from(SHOWN_UPDATES).unwrap()).unwrap();
        let norm = plain.runs()[0]
            .dense_layers()
            .iter()
            .flat_map(|d| d.weights().iter().map(|w| f64::from(*w).powi(2)))
            .sum::<f64>()
            .sqrt() as f32;
        assert!(
            (6.05..6.15).contains(&norm) && norm > adamw && norm < 1.05 * adamw,
            "{norm}"
        );

        let mut bins = Vec::new();
        histogram(&[-1.0, 0.0, 0.05, 2.0, f32::NAN], -0.5, 0.5, 10, &mut bins);
        assert_eq!(bins, [2, 0, 0, 0, 0, 2, 0, 0, 0, 1]);
    }

    /// For gradient descent, decaying every weight by ηλw is the L2 penalty (λ/2)Σw², whose
    /// gradient is λw; the penalty λΣw² of the page's L2 pulls twice as hard.
    #[test]
    fn weight_decay_is_half_the_pages_l2_penalty_for_sgd() {
        let sgd = |decay: f32| {
            OptimizerConfig::new(OptimizerKind::Sgd)
                .with("lr", 0.1)
                .and_then(|c| c.with("weight_decay", decay))
                .and_then(|c| c.build())
                .unwrap()
        };
        let (mut decayed, mut penalised, mut doubled) = (sgd(0.01), sgd(0.0), sgd(0.0));
        let start = [0.5_f32, -1.2, 2.0];
        let (mut a, mut b, mut c) = (start, start, start);
        for k in 0..5 {
            let g = [0.1 * k as f32, 0.3, -0.2];
            decayed.update(0, &mut a, &g).unwrap();
            for (w, penalty, opt) in [
                (&mut b, Penalty::L2 { lambda: 0.005 }, &mut penalised),
                (&mut c, Penalty::L2 { lambda: 0.01 }, &mut doubled),
            ] {
                let mut grad = g;
                penalty.add_gradient(&w[..], &mut grad).unwrap();
                opt.update(0, &mut w[..], &grad).unwrap();
            }
        }
        assert!(
            a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6),
            "{a:?} {b:?}"
        );
        assert!(
            a.iter().zip(&c).all(|(x, y)| (x - y).abs() > 1e-4),
            "{a:?} {c:?}"
        );
    }
    /// Try this (weight-penalties): at the slider's top rate, 10^−1.5 shown as 0.032, the
    /// elastic net has more weights near zero than L1 from 300 updates on, and L1 ends with fewer
    /// than the 35 it has at 0.01: its jitter around zero, about 0.1 × 0.032, is wider than the
    /// band of 0.001.
    #[test]
    fn try_this_a_stronger_l1_pull_jitters_out_of_the_band() {
        let mut s = PenaltyStudy::new(0.032, 0.01).unwrap();
        while s.steps() < SHOWN_UPDATES {
            s.step(UPDATES_PER_RECORD).unwrap();
            let at = s.steps();
            let zeros: Vec<usize> = (0..4).map(|i| s.near_zero(i).unwrap().0).collect();
            if at >= 300 {
                assert!(zeros[3] > zeros[1], "at {at}: {zeros:?}");
            }
        }
        let l1 = s.near_zero(1).unwrap().0;
        assert!((10..35).contains(&l1), "{l1}");
    }
}
