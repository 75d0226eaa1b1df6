//! Pruning a trained network: the smallest weights are set to zero, and the validation accuracy
//! is measured against the fraction removed (the pruning figure's numbers).
//!
//! The weights are ranked together across every layer by magnitude
//! ([`magnitude_prune`](spiega_nn::regularize::magnitude_prune)); biases are kept. Pruning is not
//! dropout: it removes chosen weights for good, after training, to make a network smaller.

use spiega_nn::activation::Activation;
use spiega_nn::data::batch::copy_rows;
use spiega_nn::data::split::{Split, SplitFractions};
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::{EngineError, Result, check_range};
use spiega_nn::layer::{Dense, Init};
use spiega_nn::loss::Loss;
use spiega_nn::model::Sequential;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::{Penalty, magnitude_prune};
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};
use spiega_nn::train::Trainer;

/// How many pruned fractions the accuracy curve samples, from 0 to 1 inclusive.
pub const CURVE_POINTS: usize = 41;

/// Updates the figure's network is trained for before it is pruned.
pub const TRAINING_UPDATES: usize = 1500;

/// The seed of the figure's data, split, initial weights and batches.
pub const SEED: u32 = 1;

/// A trained network, its validation data, and its accuracy as more and more weights are pruned.
#[derive(Debug, Clone)]
pub struct PruningStudy {
    trained: Sequential,
    pruned: Sequential,
    x: Matrix,
    labels: Vec<usize>,
    loss: Loss,
    fractions: Vec<f32>,
    accuracy: Vec<f32>,
    pruned_count: usize,
    weight_count: usize,
}

impl PruningStudy {
    /// Trains the figure's network — two hidden layers of 16 ReLU units on 400 points of the
    /// circle with noise 0.1 (half for training, half for validation), Adam at 0.01, batches of 10,
    /// `updates` updates from `seed` — and measures its validation accuracy with each fraction
    /// `0, 1/40, …, 1` of its weights pruned.
    pub fn train(updates: usize, seed: u32) -> Result<Self> {
        if updates > 100_000 {
            return Err(EngineError::hyper(
                "updates",
                updates,
                "it must be at most 100000",
            ));
        }
        let mut rng = Rng::new(seed);
        let data = TwoD::Circle.generate(400, 0.1, &mut rng)?;
        let split = Split::new(&data, SplitFractions::new(0.5, 0.5, 0.0), &mut rng)?;
        let validation = split
            .validation
            .ok_or_else(|| EngineError::Invalid("the split has no validation part".into()))?;
        let labels = validation
            .labels()
            .ok_or_else(|| EngineError::Invalid("the circle has no labels".into()))?
            .to_vec();
        let mut model = Sequential::new(Shape::Flat(2));
        model
            .push(Dense::new(2, 16, Activation::Relu, Init::He, &mut rng)?)?
            .push(Dense::new(16, 16, Activation::Relu, Init::He, &mut rng)?)?
            .push(Dense::new(
                16,
                1,
                Activation::Linear,
                Init::Glorot,
                &mut rng,
            )?)?;
        let optimizer = OptimizerConfig::new(OptimizerKind::Adam)
            .with("lr", 0.01)?
            .build()?;
        let loss = Loss::BinaryCrossEntropy;
        let mut trainer = Trainer::new(model, loss, optimizer, Penalty::None, rng.clone())?;
        let (tx, ty) = (split.train.x(), split.train.targets());
        let mut order: Vec<usize> = (0..tx.nrows()).collect();
        let (mut bx, mut by) = (Matrix::zeros(0, 0), Matrix::zeros(0, 0));
        let mut cursor = order.len();
        for _ in 0..updates {
            if cursor >= order.len() {
                rng.shuffle(&mut order);
                cursor = 0;
            }
            let end = (cursor + 10).min(order.len());
            copy_rows(tx, &order[cursor..end], &mut bx)?;
            copy_rows(ty, &order[cursor..end], &mut by)?;
            cursor = end;
            trainer.step(&bx, &by)?;
        }
        let trained = trainer.model().clone();
        let mut study = Self {
            pruned: trained.clone(),
            trained,
            x: validation.x().clone(),
            labels,
            loss,
            fractions: Vec::new(),
            accuracy: Vec::new(),
            pruned_count: 0,
            weight_count: 0,
        };
        for i in 0..CURVE_POINTS {
            let f = i as f32 / (CURVE_POINTS - 1) as f32;
            let a = study.prune(f)?;
            study.fractions.push(f);
            study.accuracy.push(a);
        }
        study.prune(0.0)?;
        Ok(study)
    }

    /// Prunes `fraction` (0 to 1) of the trained network's weights, keeps the result as the
    /// current pruned network and returns its validation accuracy.
    pub fn prune(&mut self, fraction: f32) -> Result<f32> {
        let fraction = check_range("pruned fraction", fraction, 0.0, 1.0)?;
        self.pruned.clone_from(&self.trained);
        let mask = magnitude_prune(&mut self.pruned, fraction)?;
        self.pruned_count = mask.pruned();
        self.weight_count = mask.considered();
        let output = self.pruned.predict(&self.x)?;
        let predicted = self.loss.predict_labels(output)?;
        let right = predicted
            .iter()
            .zip(&self.labels)
            .filter(|(a, b)| a == b)
            .count();
        Ok(right as f32 / self.labels.len().max(1) as f32)
    }

    /// The pruned fractions the curve samples.
    pub fn fractions(&self) -> &[f32] {
        &self.fractions
    }

    /// The validation accuracy at each sampled fraction.
    pub fn accuracy(&self) -> &[f32] {
        &self.accuracy
    }

    /// The current pruned network.
    pub fn pruned(&self) -> &Sequential {
        &self.pruned
    }

    /// How many weights the current pruning removed, and of how many.
    pub fn counts(&self) -> (usize, usize) {
        (self.pruned_count, self.weight_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the prose says about the figure's curve.
    ///
    /// Try this (pruning): with half the weights removed the accuracy is 96%, against 97.5% with
    /// none.
    #[test]
    fn accuracy_survives_light_pruning_and_collapses_under_heavy_pruning() {
        let mut s = PruningStudy::train(TRAINING_UPDATES, SEED).unwrap();
        let acc = s.accuracy().to_vec();
        assert_eq!(acc.len(), CURVE_POINTS);
        // 97.5% with nothing removed, 96% with half, and barely moving in between.
        assert!((acc[0] - 0.975).abs() < 1e-6, "{acc:?}");
        assert!((acc[CURVE_POINTS / 2] - 0.96).abs() < 1e-6, "{acc:?}");
        assert!(
            acc[..=CURVE_POINTS / 2]
                .iter()
                .all(|a| (0.95..=0.98).contains(a)),
            "{acc:?}"
        );
        // With nearly all weights gone the network answers one class for every point and scores
        // that class's share of the validation points: 42%.
        let share = |class: usize| {
            s.labels.iter().filter(|&&l| l == class).count() as f32 / s.labels.len() as f32
        };
        let last = acc[CURVE_POINTS - 1];
        assert!((last - 0.42).abs() < 1e-6, "{acc:?}");
        assert!(
            last == share(0) || last == share(1),
            "{last} vs {} and {}",
            share(0),
            share(1)
        );
        assert!(acc[35..].iter().all(|&a| a == last), "{acc:?}");
        let a = s.prune(0.5).unwrap();
        assert_eq!(a, acc[CURVE_POINTS / 2]);
        assert_eq!(s.counts(), (152, 304));
        assert!(s.prune(1.5).is_err());
    }
    /// Try this (pruning): with 90% of the weights removed the network answers one class for
    /// every validation point, and its accuracy, 42%, is that class's share.
    #[test]
    fn try_this_nine_tenths_removed_is_one_class() {
        let mut s = PruningStudy::train(TRAINING_UPDATES, SEED).unwrap();
        let a = s.prune(0.9).unwrap();
        assert!((a - 0.42).abs() < 1e-6, "{a}");
        let mut net = s.pruned().clone();
        let predicted = s.loss.predict_labels(net.predict(&s.x).unwrap()).unwrap();
        assert_eq!(predicted.len(), s.labels.len());
        let class = predicted[0];
        assert!(predicted.iter().all(|&p| p == class), "{predicted:?}");
        let share = s.labels.iter().filter(|&&l| l == class).count() as f32 / s.labels.len() as f32;
        assert_eq!(a, share, "class {class}");
        assert!(s.counts().0 >= 273, "{:?}", s.counts());
    }
}
