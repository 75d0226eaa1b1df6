//! One training example through a small dense network, forward and back, with every number kept:
//! what the backpropagation step-through shows.
//!
//! A [`Walkthrough`] owns a [`Sequential`] of [`Dense`] layers and its loss. [`Walkthrough::pass`]
//! runs one example forward and backward through the engine's own layers, takes the model's
//! [`Trace`](spiega_nn::trace::Trace), and lays it out per layer as plain row-major vectors
//! ([`LayerPass`]): the layer's input `a`, `W`, `b`, `z = W a + b`, `a = g(z)`, `g'(z)`, the
//! gradient arriving from above `∂L/∂a`, `δ = ∂L/∂z`, `∂L/∂W = δ aᵀ`, `∂L/∂b = δ`, and the
//! parameters after one plain gradient-descent step `w ← w − η ∂L/∂w` taken by the engine's
//! [`Sgd`]. Nothing here re-derives the layers' mathematics: the values are the trace's.

pub mod gradcheck;

use spiega_nn::activation::Activation;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{Dense, Init, Mode};
use spiega_nn::loss::{Loss, Task};
use spiega_nn::model::Sequential;
use spiega_nn::optim::{self, Sgd};
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};

/// The widest layer a walkthrough builds (so every number fits on screen).
pub const MAX_WIDTH: usize = 6;
/// The most hidden layers a walkthrough builds.
pub const MAX_HIDDEN: usize = 2;

/// The shape and functions of a walkthrough's network.
#[derive(Debug, Clone, PartialEq)]
pub struct WalkConfig {
    /// Input features.
    pub inputs: usize,
    /// Hidden layer widths, input side first.
    pub hidden: Vec<usize>,
    /// Output units (classes for softmax cross-entropy, 1 for binary cross-entropy).
    pub outputs: usize,
    /// The hidden layers' activation (the output layer is linear; the loss applies its link).
    pub activation: Activation,
    /// The loss.
    pub loss: Loss,
    /// The seed of the initial weights.
    pub seed: u32,
}

impl Default for WalkConfig {
    /// The 2-3-2 network with tanh hidden units and softmax cross-entropy.
    fn default() -> Self {
        Self {
            inputs: 2,
            hidden: vec![3],
            outputs: 2,
            activation: Activation::Tanh,
            loss: Loss::SoftmaxCrossEntropy,
            seed: 7,
        }
    }
}

/// One dense layer's part of a pass; matrices are row-major `(out, in)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerPass {
    /// The activation's name ("tanh", "linear", …).
    pub activation: &'static str,
    /// The layer's input `a` (the network input for the first layer).
    pub input: Vec<f32>,
    /// `W`, `(out, in)`.
    pub weights: Vec<Vec<f32>>,
    /// `b`.
    pub biases: Vec<f32>,
    /// `z = W a + b`.
    pub pre_activation: Vec<f32>,
    /// `g(z)`, the layer's output.
    pub output: Vec<f32>,
    /// `g'(z)`, from the engine's activation derivative.
    pub derivative: Vec<f32>,
    /// `∂L/∂a`, the gradient arriving from the layer above (`Wᵀδ` of the layer above, or the
    /// loss's gradient for the last layer).
    pub grad_output: Vec<f32>,
    /// `δ = ∂L/∂z = ∂L/∂a ⊙ g'(z)`.
    pub delta: Vec<f32>,
    /// `∂L/∂W = δ aᵀ`, `(out, in)`.
    pub grad_weights: Vec<Vec<f32>>,
    /// `∂L/∂b = δ`.
    pub grad_biases: Vec<f32>,
    /// `W − η ∂L/∂W` after the engine's gradient-descent step.
    pub new_weights: Vec<Vec<f32>>,
    /// `b − η ∂L/∂b`.
    pub new_biases: Vec<f32>,
}

/// A whole pass of one example: forward, loss, backward, update.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// The example's input.
    pub input: Vec<f32>,
    /// Its target (one-hot for softmax cross-entropy).
    pub target: Vec<f32>,
    /// What the loss reads from the last layer's output: softmax probabilities, `σ(f)`, or the
    /// output itself for regression losses.
    pub prediction: Vec<f32>,
    /// The loss `L`.
    pub loss: f32,
    /// The learning rate η of the update.
    pub learning_rate: f32,
    /// Each dense layer, input side first.
    pub layers: Vec<LayerPass>,
}

/// A small dense network and its loss, walked through one example at a time.
#[derive(Debug, Clone)]
pub struct Walkthrough {
    model: Sequential,
    loss: Loss,
    grad: Matrix,
    passes: u64,
}

/// Flat column-major `(rows, cols)` values as row-major rows.
fn rows_of(flat: &[f32], rows: usize, cols: usize) -> Vec<Vec<f32>> {
    (0..rows)
        .map(|r| (0..cols).map(|c| flat[c * rows + r]).collect())
        .collect()
}

impl Walkthrough {
    /// Builds the network of `config`: hidden dense layers with its activation (He weights for the
    /// ReLU family, Glorot otherwise) and a linear output layer.
    pub fn new(config: &WalkConfig) -> Result<Self> {
        let widths = std::iter::once(config.inputs)
            .chain(config.hidden.iter().copied())
            .chain(std::iter::once(config.outputs));
        if config.hidden.len() > MAX_HIDDEN || widths.clone().any(|n| n == 0 || n > MAX_WIDTH) {
            return Err(EngineError::Invalid(format!(
                "the step-through builds up to {MAX_HIDDEN} hidden layers and 1 to {MAX_WIDTH} \
                 neurons per layer, not {} → {:?} → {}",
                config.inputs, config.hidden, config.outputs
            )));
        }
        let mut rng = Rng::new(config.seed);
        let init = match config.activation {
            Activation::Relu | Activation::LeakyRelu { .. } | Activation::Prelu { .. } => Init::He,
            _ => Init::Glorot,
        };
        let mut model = Sequential::new(Shape::Flat(config.inputs));
        let mut width = config.inputs;
        for &n in &config.hidden {
            model.push(Dense::new(width, n, config.activation, init, &mut rng)?)?;
            width = n;
        }
        model.push(Dense::new(
            width,
            config.outputs,
            Activation::Linear,
            Init::Glorot,
            &mut rng,
        )?)?;
        Self::from_model(model, config.loss)
    }

    /// Walks through an existing network, which must be made of dense layers only (a trained
    /// playground network without dropout or batch normalization, say).
    pub fn from_model(model: Sequential, loss: Loss) -> Result<Self> {
        if model.layers().is_empty()
            || (0..model.layers().len()).any(|i| model.layer::<Dense>(i).is_none())
        {
            return Err(EngineError::Invalid(
                "the step-through follows networks of dense layers only".into(),
            ));
        }
        let outputs = model.output_shape().size();
        let fits = match loss.task() {
            Task::Multiclass => outputs >= 2,
            Task::Binary => outputs == 1,
            Task::Regression => true,
        };
        if !fits {
            return Err(EngineError::Invalid(format!(
                "the {} loss cannot read a network with {outputs} output(s)",
                loss.name()
            )));
        }
        Ok(Self {
            model,
            loss,
            grad: Matrix::zeros(0, 0),
            passes: 0,
        })
    }

    /// The network.
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// How many updates have been applied with [`Walkthrough::apply`].
    pub fn updates(&self) -> u64 {
        self.passes
    }

    /// Runs `input` forward, the loss against `target`, backward, and one gradient-descent step of
    /// learning rate `learning_rate` on a copy; the network itself is left as it was (see
    /// [`Walkthrough::apply`]).
    pub fn pass(&mut self, input: &[f32], target: &[f32], learning_rate: f32) -> Result<Pass> {
        let x = Matrix::from_row_slice(1, input.len(), input);
        let t = Matrix::from_row_slice(1, target.len(), target);
        spiega_nn::tensor::check_finite("the example", &x)?;
        spiega_nn::tensor::check_finite("the target", &t)?;
        let output = self.model.forward(&x, Mode::Train, &mut Rng::new(0))?;
        let loss = self.loss.value_and_grad(output, &t, &mut self.grad)?;
        let mut prediction = Matrix::zeros(0, 0);
        self.loss.predict_probabilities(output, &mut prediction)?;
        self.model.backward(&x, &self.grad)?;
        let trace = self.model.trace(&x, Some(&self.grad));

        let mut stepped = self.model.clone();
        let mut sgd = Sgd::new(learning_rate, 0.0)?;
        optim::step(&mut sgd, &mut stepped)?;

        let mut layers = Vec::with_capacity(trace.layers.len());
        for (i, lt) in trace.layers.iter().enumerate() {
            let (Some(dense), Some(new)) =
                (self.model.layer::<Dense>(i), stepped.layer::<Dense>(i))
            else {
                return Err(EngineError::Invalid(format!("layer {i} is not dense")));
            };
            let (out, inp) = dense.weights().shape();
            let (Some(w), Some(b)) = (lt.param("W"), lt.param("b")) else {
                return Err(EngineError::Invalid(format!("layer {i} has no W or b")));
            };
            let z = lt
                .pre_activation
                .as_ref()
                .map(|m| m.iter().copied().collect::<Vec<_>>())
                .unwrap_or_default();
            let g = dense.activation();
            let layer_input: Vec<f32> = if i == 0 {
                input.to_vec()
            } else {
                trace.layers[i - 1].output.iter().copied().collect()
            };
            layers.push(LayerPass {
                activation: g.name(),
                input: layer_input,
                weights: rows_of(&w.value, out, inp),
                biases: b.value.clone(),
                derivative: z.iter().map(|&v| g.derivative(v)).collect(),
                pre_activation: z,
                output: lt.output.iter().copied().collect(),
                grad_output: lt
                    .grad_output
                    .as_ref()
                    .map(|m| m.iter().copied().collect())
                    .unwrap_or_default(),
                delta: lt
                    .grad_pre_activation
                    .as_ref()
                    .map(|m| m.iter().copied().collect())
                    .unwrap_or_default(),
                grad_weights: rows_of(&w.grad, out, inp),
                grad_biases: b.grad.clone(),
                new_weights: rows_of(new.weights().as_slice(), out, inp),
                new_biases: new.biases().to_vec(),
            });
        }
        Ok(Pass {
            input: input.to_vec(),
            target: target.to_vec(),
            prediction: prediction.iter().copied().collect(),
            loss,
            learning_rate,
            layers,
        })
    }

    /// Makes the pass's updated parameters the network's own: the step the reader just watched
    /// is taken, and the next pass starts from it.
    pub fn apply(&mut self, pass: &Pass) -> Result<()> {
        if pass.layers.len() != self.model.layers().len() {
            return Err(EngineError::Invalid(
                "that pass belongs to a different network".into(),
            ));
        }
        for (i, lp) in pass.layers.iter().enumerate() {
            let Some(dense) = self.model.layer_mut::<Dense>(i) else {
                return Err(EngineError::Invalid(format!("layer {i} is not dense")));
            };
            let (out, inp) = dense.weights().shape();
            if lp.new_weights.len() != out || lp.new_biases.len() != out {
                return Err(EngineError::shape(
                    "updated weights",
                    (out, inp),
                    (lp.new_weights.len(), inp),
                ));
            }
            let w = dense.weights_mut();
            for (r, row) in lp.new_weights.iter().enumerate() {
                for (c, &v) in row.iter().enumerate().take(inp) {
                    w[(r, c)] = v;
                }
            }
            dense.biases_mut().copy_from_slice(&lp.new_biases);
        }
        self.passes += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_lays_out_the_trace_of_the_default_network() {
        let mut walk = Walkthrough::new(&WalkConfig::default()).unwrap();
        let pass = walk.pass(&[0.5, -1.0], &[1.0, 0.0], 0.1).unwrap();
        assert_eq!(pass.layers.len(), 2);
        let (hidden, out) = (&pass.layers[0], &pass.layers[1]);
        assert_eq!(hidden.weights.len(), 3);
        assert_eq!(hidden.weights[0].len(), 2);
        // z = W a + b for the first hidden unit, summed by hand from the recorded numbers.
        let z0 = hidden.weights[0][0] * 0.5 - hidden.weights[0][1] + hidden.biases[0];
        assert!((hidden.pre_activation[0] - z0).abs() < 1e-6);
        assert!((hidden.output[0] - z0.tanh()).abs() < 1e-6);
        // The output layer's input is the hidden output, and its δ is p − t (one example).
        assert_eq!(out.input, hidden.output);
        for k in 0..2 {
            assert!((out.delta[k] - (pass.prediction[k] - pass.target[k])).abs() < 1e-6);
        }
        // The hand-off: ∂L/∂a of the hidden layer is Wᵀδ of the output layer.
        for j in 0..3 {
            let wt_delta: f32 = (0..2).map(|k| out.weights[k][j] * out.delta[k]).sum();
            assert!((hidden.grad_output[j] - wt_delta).abs() < 1e-6);
            assert!((hidden.delta[j] - wt_delta * hidden.derivative[j]).abs() < 1e-6);
        }
        // ∂L/∂W = δ aᵀ and the update w − η g.
        for (r, row) in out.grad_weights.iter().enumerate() {
            for (c, &g) in row.iter().enumerate() {
                assert!((g - out.delta[r] * out.input[c]).abs() < 1e-6);
                assert!((out.new_weights[r][c] - (out.weights[r][c] - 0.1 * g)).abs() < 1e-6);
            }
        }
        // The loss is −log p of the target class.
        assert!((pass.loss + pass.prediction[0].ln()).abs() < 1e-5);
    }

    #[test]
    fn applying_a_pass_lowers_the_loss_on_that_example() {
        let mut walk = Walkthrough::new(&WalkConfig::default()).unwrap();
        let first = walk.pass(&[0.5, -1.0], &[0.0, 1.0], 0.5).unwrap();
        walk.apply(&first).unwrap();
        let second = walk.pass(&[0.5, -1.0], &[0.0, 1.0], 0.5).unwrap();
        assert!(second.loss < first.loss, "{} → {}", first.loss, second.loss);
        assert_eq!(second.layers[1].weights, first.layers[1].new_weights);
        assert_eq!(walk.updates(), 1);
    }

    #[test]
    fn bad_shapes_and_inputs_are_errors() {
        let too_wide = WalkConfig {
            hidden: vec![7],
            ..WalkConfig::default()
        };
        assert!(Walkthrough::new(&too_wide).is_err());
        let binary_two_outputs = WalkConfig {
            loss: Loss::BinaryCrossEntropy,
            ..WalkConfig::default()
        };
        assert!(Walkthrough::new(&binary_two_outputs).is_err());
        let mut walk = Walkthrough::new(&WalkConfig::default()).unwrap();
        assert!(walk.pass(&[f32::NAN, 0.0], &[1.0, 0.0], 0.1).is_err());
        assert!(walk.pass(&[0.0, 0.0, 0.0], &[1.0, 0.0], 0.1).is_err());
        assert!(walk.pass(&[0.0, 0.0], &[1.0, 0.0], 0.0).is_err());
    }

    #[test]
    fn a_playground_network_walks_through_one_of_its_training_points() {
        use crate::playground::{Playground, PlaygroundConfig};
        let mut pg = Playground::new(PlaygroundConfig::default()).unwrap();
        for _ in 0..20 {
            pg.step().unwrap();
        }
        let (x, t) = pg.training_example(3).unwrap();
        let (raw, labels) = pg.points()[0].unwrap();
        // Plain features, no scaling: the network sees the point itself.
        assert_eq!(x, vec![raw[(3, 0)], raw[(3, 1)]]);
        assert_eq!(t, vec![labels[(3, 0)]]);
        assert!(pg.training_example(10_000).is_none());
        let model = pg.trainer().model().clone();
        let mut walk = Walkthrough::from_model(model, pg.trainer().loss()).unwrap();
        let pass = walk.pass(&x, &t, 0.03).unwrap();
        // 2 → 4 → 2 → 1, as the playground's default network.
        let widths: Vec<usize> = pass.layers.iter().map(|l| l.biases.len()).collect();
        assert_eq!(widths, vec![4, 2, 1]);
    }

    #[test]
    fn every_loss_and_activation_walks() {
        for (loss, outputs, target) in [
            (Loss::SoftmaxCrossEntropy, 3, vec![0.0, 0.0, 1.0]),
            (Loss::MeanSquaredError, 2, vec![0.3, -0.2]),
            (Loss::BinaryCrossEntropy, 1, vec![1.0]),
        ] {
            for act in ["sigmoid", "tanh", "relu", "leaky_relu", "linear"] {
                let config = WalkConfig {
                    hidden: vec![4, 2],
                    outputs,
                    loss,
                    activation: Activation::from_name(act).unwrap(),
                    ..WalkConfig::default()
                };
                let mut walk = Walkthrough::new(&config).unwrap();
                let pass = walk.pass(&[1.0, 0.5], &target, 0.1).unwrap();
                assert_eq!(pass.layers.len(), 3);
                assert!(pass.loss.is_finite());
            }
        }
    }

    /// The step-through's opening network with hidden `activation`, on one example of class
    /// `class` (targets one-hot over the two outputs).
    fn opening_pass(activation: &str, x: [f32; 2], class: usize) -> Pass {
        let config = WalkConfig {
            activation: Activation::from_name(activation).unwrap(),
            ..WalkConfig::default()
        };
        let mut walk = Walkthrough::new(&config).unwrap();
        let mut target = [0.0; 2];
        target[class] = 1.0;
        walk.pass(&x, &target, 0.5).unwrap()
    }

    /// Whether each hidden unit's row of ∂L/∂W is all zero.
    fn silent_units(pass: &Pass) -> Vec<bool> {
        pass.layers[0]
            .grad_weights
            .iter()
            .map(|row| row.iter().all(|&g| g == 0.0))
            .collect()
    }

    /// Try this (backprop): with ReLU units, the opening example (0.5, −1) gives the first two
    /// hidden units a negative z; they pass back nothing, and their rows of ∂L/∂W are zero. At
    /// (−2, −2) it is the other way round: only the third unit is silent.
    #[test]
    fn try_relu_units_below_zero_learn_nothing() {
        let opening = opening_pass("relu", [0.5, -1.0], 1);
        let z = &opening.layers[0].pre_activation;
        assert!(z[0] < 0.0 && z[1] < 0.0 && z[2] > 0.0, "{z:?}");
        assert_eq!(silent_units(&opening), vec![true, true, false]);
        let other = opening_pass("relu", [-2.0, -2.0], 1);
        assert_eq!(silent_units(&other), vec![false, false, true]);
        // With tanh no unit is silent on the opening example.
        assert_eq!(
            silent_units(&opening_pass("tanh", [0.5, -1.0], 1)),
            vec![false; 3]
        );
    }

    /// Try this (backprop): with target class 0 instead of 1 the output layer's δ = p − t flips
    /// sign: negative for class 0's unit (its logit is pulled up), positive for class 1's.
    #[test]
    fn try_the_other_target_flips_the_output_error() {
        let one = opening_pass("tanh", [0.5, -1.0], 1);
        let zero = opening_pass("tanh", [0.5, -1.0], 0);
        let (d1, d0) = (&one.layers[1].delta, &zero.layers[1].delta);
        assert!(d1[0] > 0.0 && d1[1] < 0.0, "{d1:?}");
        assert!(d0[0] < 0.0 && d0[1] > 0.0, "{d0:?}");
        for k in 0..2 {
            assert!((d0[k] - (zero.prediction[k] - zero.target[k])).abs() < 1e-6);
        }
    }
}
