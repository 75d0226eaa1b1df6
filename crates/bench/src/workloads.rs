//! The training-speed workloads W1, W2, W3 and W3c, built from the engine's general layers and
//! trained through [`Trainer`], exactly as the page trains.
//!
//! Each workload fixes its data, its model and initial weights (drawn from mulberry32 with the
//! workload's seed, in TensorFlow's kernel order), its batch size, learning rate and number of
//! steps. Step `s` trains on rows `(s·B + k) mod n` with plain SGD; the final loss is the loss on
//! the whole training set after the last step. Every library that trains the same workload from
//! the same weights on the same batches reaches the same final loss up to float rounding, so the
//! speed benchmark checks correctness for free.
//!
//! | id | data | model | init (seed) | batch | lr | steps | final loss |
//! |---|---|---|---|---|---|---|---|
//! | W1 | spiral500, ±1 targets | 2-8-8-8-1, tanh everywhere, half squared error | playground (42) | 10 | 0.03 | 2000 | 0.46883 |
//! | W2 | spiral500, 2 classes | 2-64-64-2, ReLU hidden, linear out, softmax CE | glorot (43) | 32 | 0.03 | 500 | 0.64302 |
//! | W3 | digits | 64-128-10, ReLU hidden, softmax CE | glorot (44) | 32 | 0.03 | 300 | 0.65777 |
//! | W3c | digits | conv 3×3×8 pad 1 → ReLU → max-pool 2×2 → flatten → dense 10, softmax CE | glorot (45) | 32 | 0.03 | 100 | 2.08006 |

use spiega_nn::activation::Activation;
use spiega_nn::data::Dataset;
use spiega_nn::data::batch::BatchBuffer;
use spiega_nn::data::digits::digits_workload;
use spiega_nn::data::two_d::spiral500;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{Dense, Init};
use spiega_nn::loss::Loss;
use spiega_nn::model::Sequential;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};
use spiega_nn::train::Trainer;

/// Which workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkloadId {
    /// The Playground network on the spiral: 2-8-8-8-1 tanh, half squared error.
    W1,
    /// A wider MLP on the spiral's two classes: 2-64-64-2 ReLU, softmax cross-entropy.
    W2,
    /// An MLP on the 8×8 digits: 64-128-10 ReLU, softmax cross-entropy.
    W3,
    /// A small convolutional network on the 8×8 digits.
    W3c,
}

impl WorkloadId {
    /// Every workload, in the table's order.
    pub const ALL: [WorkloadId; 4] = [
        WorkloadId::W1,
        WorkloadId::W2,
        WorkloadId::W3,
        WorkloadId::W3c,
    ];

    /// The workload's name as in the table ("W1", …, "W3c").
    pub fn name(self) -> &'static str {
        match self {
            WorkloadId::W1 => "W1",
            WorkloadId::W2 => "W2",
            WorkloadId::W3 => "W3",
            WorkloadId::W3c => "W3c",
        }
    }

    /// The workload named `name` (as [`WorkloadId::name`] spells it, any case).
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "unknown workload \"{name}\"; known: W1, W2, W3, W3c"
                ))
            })
    }

    /// The workload's fixed settings.
    pub fn spec(self) -> Spec {
        let (batch, steps, init_seed, expected_final_loss) = match self {
            WorkloadId::W1 => (10, 2000, 42, 0.46883),
            WorkloadId::W2 => (32, 500, 43, 0.64302),
            WorkloadId::W3 => (32, 300, 44, 0.65777),
            WorkloadId::W3c => (32, 100, 45, 2.08006),
        };
        Spec {
            id: self,
            batch,
            learning_rate: 0.03,
            steps,
            init_seed,
            expected_final_loss,
        }
    }
}

impl std::fmt::Display for WorkloadId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A workload's fixed settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec {
    /// Which workload.
    pub id: WorkloadId,
    /// Samples per step, `B`.
    pub batch: usize,
    /// The SGD learning rate.
    pub learning_rate: f32,
    /// How many training steps are taken (and timed).
    pub steps: usize,
    /// The seed of the mulberry32 stream the initial weights are drawn from.
    pub init_seed: u32,
    /// The final loss the workload's definition lists (five decimals).
    pub expected_final_loss: f32,
}

impl Spec {
    /// How many samples the training steps see: `steps · batch`.
    pub fn samples(&self) -> usize {
        self.steps * self.batch
    }

    /// The loss the workload trains with.
    pub fn loss(&self) -> Loss {
        match self.id {
            WorkloadId::W1 => Loss::HalfSquaredError,
            _ => Loss::SoftmaxCrossEntropy,
        }
    }
}

/// A workload ready to train: its data, and a [`Trainer`] holding the model at its initial
/// weights with plain SGD and the workload's loss.
///
/// [`Workload::new`] does everything that is not timed (data, model, weights); [`Workload::train`]
/// is exactly the timed part, the training steps; [`Workload::final_loss`] evaluates afterwards.
#[derive(Debug)]
pub struct Workload {
    spec: Spec,
    trainer: Trainer,
    data: Dataset,
    batch: BatchBuffer,
    steps_done: usize,
}

impl Workload {
    /// Builds workload `id` from scratch: its data, and its model with the initial weights.
    pub fn new(id: WorkloadId) -> Result<Self> {
        let spec = id.spec();
        let data = workload_data(id)?;
        let mut rng = Rng::new(spec.init_seed);
        let model = match id {
            WorkloadId::W1 => {
                let tanh = Activation::Tanh;
                dense_stack(&[2, 8, 8, 8, 1], tanh, tanh, Init::Playground, &mut rng)?
            }
            WorkloadId::W2 => dense_stack(
                &[2, 64, 64, 2],
                Activation::Relu,
                Activation::Linear,
                Init::Glorot,
                &mut rng,
            )?,
            WorkloadId::W3 => dense_stack(
                &[64, 128, 10],
                Activation::Relu,
                Activation::Linear,
                Init::Glorot,
                &mut rng,
            )?,
            WorkloadId::W3c => conv_net(&mut rng)?,
        };
        let optimizer = OptimizerConfig::new(OptimizerKind::Sgd)
            .with("lr", spec.learning_rate)?
            .build()?;
        // Training never needs the gradient with respect to the data itself.
        let mut model = model;
        model.set_input_gradient(false);
        let trainer = Trainer::new(model, spec.loss(), optimizer, Penalty::None, Rng::new(0))?;
        Ok(Self {
            spec,
            trainer,
            data,
            batch: BatchBuffer::new(),
            steps_done: 0,
        })
    }

    /// The workload's settings.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The training set (inputs, and targets in the form the loss takes).
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The trainer, with the model in its current state.
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// The trainer, mutable.
    pub fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }

    /// How many steps have been taken.
    pub fn steps_done(&self) -> usize {
        self.steps_done
    }

    /// The next step: copies its batch (rows `(s·B + k) mod n`) and trains on it. Returns the
    /// batch loss before the update.
    pub fn step(&mut self) -> Result<f32> {
        self.batch
            .fill_step(&self.data, self.steps_done, self.spec.batch)?;
        let loss = self.trainer.step(self.batch.x(), self.batch.targets())?;
        self.steps_done += 1;
        Ok(loss)
    }

    /// Takes the remaining steps of the workload (all of them on a fresh workload): the part a
    /// benchmark times.
    pub fn train(&mut self) -> Result<()> {
        while self.steps_done < self.spec.steps {
            self.step()?;
        }
        Ok(())
    }

    /// The loss over the whole training set, in evaluation mode, with the current weights.
    pub fn final_loss(&mut self) -> Result<f32> {
        let (x, targets) = (self.data.x(), self.data.targets());
        self.trainer.evaluate(x, targets)
    }

    /// Trains every remaining step and returns the final loss.
    pub fn run(&mut self) -> Result<f32> {
        self.train()?;
        self.final_loss()
    }
}

/// The workload's training set, with targets as its loss takes them: ±1 for W1, one-hot classes
/// otherwise.
pub fn workload_data(id: WorkloadId) -> Result<Dataset> {
    match id {
        WorkloadId::W1 => {
            let spiral = spiral500();
            let signed = spiral.signed_targets().ok_or_else(|| {
                EngineError::Invalid("the spiral has no binary targets".to_owned())
            })?;
            Dataset::regression(spiral.x().clone(), signed)
        }
        WorkloadId::W2 => spiral500().to_multiclass(),
        WorkloadId::W3 => digits_workload(),
        WorkloadId::W3c => digits_workload(),
    }
}

/// Dense layers of the given widths, `hidden` after each but the last, `output` after the last,
/// their weights drawn one layer after another from `rng`.
fn dense_stack(
    widths: &[usize],
    hidden: Activation,
    output: Activation,
    init: Init,
    rng: &mut Rng,
) -> Result<Sequential> {
    let first = widths.first().copied().unwrap_or(0);
    let mut model = Sequential::new(Shape::Flat(first));
    let layers = widths.len().saturating_sub(1);
    for (i, pair) in widths.windows(2).enumerate() {
        let activation = if i + 1 == layers { output } else { hidden };
        model.push(Dense::new(pair[0], pair[1], activation, init, rng)?)?;
    }
    Ok(model)
}

/// W3c's network. The workload flattens the pooled `(4, 4, 8)` maps in HWC order, index
/// `(h·4 + w)·8 + c`, and draws the dense kernel `[128][10]` in that order; the engine's images
/// are NCHW, flattened as `c·16 + h·4 + w`. The weights are drawn in the workload's order and
/// each input row is put at its NCHW column, so both networks compute the same function.
fn conv_net(rng: &mut Rng) -> Result<Sequential> {
    Sequential::conv_classifier(8, 8, 10, rng, |pooled, fan_out, rng| {
        let Shape::Image {
            channels,
            height: ph,
            width: pw,
        } = pooled
        else {
            return Err(EngineError::Invalid(
                "pooling did not give an image".to_owned(),
            ));
        };
        let fan_in = pooled.size();
        let limit = (6.0 / (fan_in + fan_out) as f64).sqrt();
        let mut w = Matrix::zeros(fan_out, fan_in);
        for h in 0..ph {
            for x in 0..pw {
                for c in 0..channels {
                    let nchw = (c * ph + h) * pw + x;
                    for o in 0..fan_out {
                        w[(o, nchw)] = ((2.0 * rng.next_f64() - 1.0) * limit) as f32;
                    }
                }
            }
        }
        Dense::from_parts(w, vec![0.0; fan_out], Activation::Linear)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for id in WorkloadId::ALL {
            assert_eq!(WorkloadId::from_name(id.name()).unwrap(), id);
        }
        assert_eq!(WorkloadId::from_name("w3C").unwrap(), WorkloadId::W3c);
        assert!(WorkloadId::from_name("W4").is_err());
    }

    #[test]
    fn models_have_the_listed_sizes() {
        // Parameter counts: W1 2·8+8 + 2·(8·8+8) + 8+1 = 177; W2 2·64+64 + 64·64+64 + 64·2+2 = 4482;
        // W3 64·128+128 + 128·10+10 = 9610; W3c 9·8+8 + 128·10+10 = 1370.
        for (id, params) in [
            (WorkloadId::W1, 177),
            (WorkloadId::W2, 4482),
            (WorkloadId::W3, 9610),
            (WorkloadId::W3c, 1370),
        ] {
            let mut w = Workload::new(id).unwrap();
            assert_eq!(w.trainer_mut().model_mut().param_count(), params, "{id}");
        }
    }

    #[test]
    fn first_weights_follow_the_draw_order() {
        // W1's first weight is the first draw of mulberry32(42): 2581720956 / 2³² − 0.5.
        let w = Workload::new(WorkloadId::W1).unwrap();
        let dense = w.trainer().model().layer::<Dense>(0).unwrap();
        let want = (2_581_720_956.0 / 4_294_967_296.0 - 0.5) as f32;
        assert_eq!(dense.weights()[(0, 0)], want);
        // The second draw goes to input 0, output 1: W is drawn [fan_in][fan_out].
        let mut rng = Rng::new(42);
        rng.next_u32();
        assert_eq!(dense.weights()[(1, 0)], (rng.next_f64() - 0.5) as f32);
        assert_eq!(dense.biases()[0], 0.1);
    }

    #[test]
    fn conv_dense_weights_are_drawn_in_hwc_order() {
        // After the 72 conv draws, the dense kernel's first row is HWC input 0 = (h 0, w 0, c 0),
        // NCHW column 0; its next row, HWC input 1 = (0, 0, c 1), lands at NCHW column 16.
        let w = Workload::new(WorkloadId::W3c).unwrap();
        let dense = w.trainer().model().layer::<Dense>(4).unwrap();
        let mut rng = Rng::new(45);
        for _ in 0..72 {
            rng.next_u32();
        }
        let limit = (6.0_f64 / 138.0).sqrt();
        let mut draw = || ((2.0 * rng.next_f64() - 1.0) * limit) as f32;
        let row0: Vec<f32> = (0..10).map(|_| draw()).collect();
        let row1: Vec<f32> = (0..10).map(|_| draw()).collect();
        for o in 0..10 {
            assert_eq!(dense.weights()[(o, 0)], row0[o]);
            assert_eq!(dense.weights()[(o, 16)], row1[o]);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_name_parses_or_is_refused(name in ".{0,8}") {
            let _ = WorkloadId::from_name(&name);
        }
    }

    #[test]
    fn steps_walk_the_data_in_order() {
        let mut w = Workload::new(WorkloadId::W2).unwrap();
        let first = w.step().unwrap();
        assert!(first.is_finite());
        assert_eq!(w.steps_done(), 1);
        assert_eq!(w.spec().samples(), 16_000);
        assert_eq!(w.data().len(), 500);
    }
}
