//! `initialisation`: how the spread of a deep network's activations and error signals changes
//! from layer to layer, before any training, under four ways of drawing the first weights.
//!
//! The network is [`DEPTH`] hidden layers of [`WIDTH`] units (tanh or ReLU) and a linear output
//! layer of [`CLASSES`] logits, every layer initialised by the same scheme with zero biases. A
//! batch of [`BATCH`] inputs, each feature a standard normal, with random class labels, goes
//! forward once and its mean softmax cross-entropy is backpropagated once. For each hidden
//! layer `l` the lesson reports the standard deviation of `a⁽ˡ⁾` and of each example's error
//! signal `δ⁽ˡ⁾ = ∂L_i/∂z⁽ˡ⁾` over every example and unit, and whether all the layer's units
//! computed the same thing.
//!
//! Why the spread moves: with independent zero-mean weights, `Var(z⁽ˡ⁾) = h_{l−1} Var(w)
//! E[(a⁽ˡ⁻¹⁾)²]`. For tanh near 0, `E[a²] ≈ Var(z)`; for ReLU, `E[a²] = Var(z)/2`. So each layer
//! multiplies the variance by `h Var(w)` (tanh) or `h Var(w)/2` (ReLU): Glorot's
//! `Var(w) = 2/(h_{l−1} + h_l)` makes the first 1, He's `2/h_{l−1}` the second.

use spiega_nn::activation::Activation;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{Dense, Init, Mode};
use spiega_nn::loss::softmax_cross_entropy_labels;
use spiega_nn::model::Sequential;
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};
use std::ops::RangeInclusive;

/// Units in every hidden layer (`h_l`), and input features.
pub const WIDTH: usize = 64;
/// Hidden layers.
pub const DEPTH: usize = 10;
/// Examples in the batch.
pub const BATCH: usize = 256;
/// Output classes (random labels: the loss only gives the backward pass a start).
pub const CLASSES: usize = 10;
/// The "too small" scheme's weight spread: a standard deviation of 0.01 whatever the fan-in.
pub const SMALL_STD: f32 = 0.01;
/// The seeds the figure's seed field offers (each draws new weights, inputs and labels).
pub const SEEDS: RangeInclusive<u32> = 1..=20;

/// How the first weights are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Every weight 0.
    Zero,
    /// Normal with standard deviation [`SMALL_STD`].
    Small,
    /// Glorot uniform, `Var(w) = 2/(fan_in + fan_out)`.
    Glorot,
    /// He uniform, `Var(w) = 2/fan_in`.
    He,
}

impl Scheme {
    /// Every scheme, in the figure's order.
    pub const ALL: [Scheme; 4] = [Scheme::Zero, Scheme::Small, Scheme::Glorot, Scheme::He];

    /// The name the figure's control uses.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Zero => "zero",
            Scheme::Small => "small",
            Scheme::Glorot => "glorot",
            Scheme::He => "he",
        }
    }

    /// Parses a name from [`Scheme::name`].
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                EngineError::Invalid(format!(
                    "unknown initialisation \"{name}\"; known: zero, small, glorot, he"
                ))
            })
    }

    /// The library's initialiser for this scheme.
    pub fn init(self) -> Init {
        match self {
            Scheme::Zero => Init::Zero,
            Scheme::Small => Init::Normal { std: SMALL_STD },
            Scheme::Glorot => Init::Glorot,
            Scheme::He => Init::He,
        }
    }
}

/// What the figure shows for one scheme, activation and seed, one entry per hidden layer
/// (layer 1 first).
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// The standard deviation of `a⁽ˡ⁾` over the batch and the layer's units.
    pub activations: Vec<f32>,
    /// The standard deviation of `δ⁽ˡ⁾ = ∂L_i/∂z⁽ˡ⁾`, each example's error signal for its own
    /// loss (`B` times the gradient of the batch's mean), over the batch and the layer's units.
    pub gradients: Vec<f32>,
    /// The share of `a⁽ˡ⁾` whose size is above 0.9 (saturated tanh units; large ReLU outputs).
    pub saturated: Vec<f32>,
    /// Whether every unit of the layer gave the same output for every example and got the same
    /// error signal: nothing tells its units apart.
    pub identical_units: Vec<bool>,
}

/// A batch of [`BATCH`] standard-normal inputs and random labels, drawn from `rng`.
fn batch(rng: &mut Rng) -> (Matrix, Vec<usize>) {
    let x = Matrix::from_fn(BATCH, WIDTH, |_, _| rng.normal());
    let labels = (0..BATCH).map(|_| rng.index(CLASSES)).collect();
    (x, labels)
}

/// The network: [`DEPTH`] hidden layers of [`WIDTH`] units with `activation`, then [`CLASSES`]
/// linear outputs, every layer drawn by `init` from `rng`.
pub fn network(init: Init, activation: Activation, rng: &mut Rng) -> Result<Sequential> {
    let mut model = Sequential::new(Shape::Flat(WIDTH));
    for _ in 0..DEPTH {
        model.push(Dense::new(WIDTH, WIDTH, activation, init, rng)?)?;
    }
    model.push(Dense::new(WIDTH, CLASSES, Activation::Linear, init, rng)?)?;
    Ok(model)
}

/// The standard deviation of every value in `m` (about their mean; 0 for an empty matrix).
fn spread_of(m: &Matrix) -> f32 {
    let n = m.len().max(1) as f64;
    let mean = m.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = m
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    var.sqrt() as f32
}

/// Whether every column (unit) of `m` equals the first.
fn columns_equal(m: &Matrix) -> bool {
    m.column_iter().all(|c| c == m.column(0))
}

/// One forward and one backward pass of the batch of seed `seed` through the network
/// initialised by `scheme`, and each hidden layer's spreads.
pub fn spread(scheme: Scheme, activation: Activation, seed: u32) -> Result<Spread> {
    let mut weights = Rng::new(seed);
    let mut data = Rng::new(seed.wrapping_mul(0x9E37_79B9) ^ 0x5EED);
    let mut model = network(scheme.init(), activation, &mut weights)?;
    let (x, labels) = batch(&mut data);
    let logits = model.forward(&x, Mode::Train, &mut Rng::new(0))?.clone();
    let mut grad = Matrix::zeros(BATCH, CLASSES);
    softmax_cross_entropy_labels(&logits, &labels, Some(&mut grad))?;
    model.backward(&x, &grad)?;
    let trace = model.trace(&x, Some(&grad));
    let mut out = Spread {
        activations: Vec::with_capacity(DEPTH),
        gradients: Vec::with_capacity(DEPTH),
        saturated: Vec::with_capacity(DEPTH),
        identical_units: Vec::with_capacity(DEPTH),
    };
    for layer in trace.layers.iter().take(DEPTH) {
        let delta = layer
            .grad_pre_activation
            .as_ref()
            .ok_or_else(|| EngineError::Invalid("a dense layer kept no error signal".into()))?;
        let a = &layer.output;
        out.activations.push(spread_of(a));
        out.gradients.push(spread_of(delta) * BATCH as f32);
        let big = a.iter().filter(|v| v.abs() > 0.9).count();
        out.saturated.push(big as f32 / a.len().max(1) as f32);
        out.identical_units
            .push(columns_equal(a) && columns_equal(delta));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TANH: Activation = Activation::Tanh;
    const RELU: Activation = Activation::Relu;

    /// `spread` for every seed the figure offers.
    fn every_seed(scheme: Scheme, act: Activation) -> Vec<Spread> {
        SEEDS.map(|s| spread(scheme, act, s).unwrap()).collect()
    }

    /// The largest over the smallest of `v`.
    fn range_ratio(v: &[f32]) -> f32 {
        let max = v.iter().copied().fold(f32::MIN, f32::max);
        let min = v.iter().copied().fold(f32::MAX, f32::min);
        max / min
    }

    /// `v[DEPTH − 1] / v[0]`: how much a spread grew from layer 1 to the last layer.
    fn growth(v: &[f32]) -> f32 {
        v[DEPTH - 1] / v[0]
    }

    #[test]
    fn zero_leaves_every_unit_identical_and_no_gradient_to_break_the_tie() {
        for act in [TANH, RELU] {
            for s in every_seed(Scheme::Zero, act) {
                assert!(s.activations.iter().all(|&v| v == 0.0), "{s:?}");
                assert!(s.gradients.iter().all(|&v| v == 0.0), "{s:?}");
                assert!(s.identical_units.iter().all(|&same| same), "{s:?}");
            }
            // Every weight's gradient and the hidden biases' are exactly 0, so no step of gradient
            // descent can move them, let alone move one unit's apart from another's: only the
            // output biases move.
            let mut model = network(Init::Zero, act, &mut Rng::new(1)).unwrap();
            let (x, labels) = batch(&mut Rng::new(2));
            let logits = model
                .forward(&x, Mode::Train, &mut Rng::new(0))
                .unwrap()
                .clone();
            let mut grad = Matrix::zeros(BATCH, CLASSES);
            softmax_cross_entropy_labels(&logits, &labels, Some(&mut grad)).unwrap();
            assert!(
                grad.iter().any(|&g| g != 0.0),
                "the loss does send a gradient back"
            );
            model.backward(&x, &grad).unwrap();
            for l in 0..=DEPTH {
                let dense: &Dense = model.layer(l).unwrap();
                assert!(dense.grad_weights().iter().all(|&g| g == 0.0), "layer {l}");
                let biases_move = dense.grad_biases().iter().any(|&g| g != 0.0);
                assert_eq!(biases_move, l == DEPTH, "layer {l}'s biases");
            }
        }
    }

    #[test]
    fn the_other_schemes_tell_units_apart() {
        for scheme in [Scheme::Small, Scheme::Glorot, Scheme::He] {
            for act in [TANH, RELU] {
                let s = spread(scheme, act, 1).unwrap();
                assert!(
                    s.identical_units.iter().all(|&same| !same),
                    "{scheme:?} {act:?}"
                );
            }
        }
    }

    /// Try this (initialisation): too small with tanh shrinks the spread 11 to 14-fold at every
    /// layer, and layer 1's error signal is under a billionth of layer 10's, for every seed.
    #[test]
    fn too_small_shrinks_the_spread_about_twelvefold_per_layer_and_the_gradient_vanishes() {
        // Each layer multiplies the variance by h·Var(w) = 64 · 0.01² = 0.0064 for tanh (a
        // spread of 0.08) and by half that for ReLU (0.057).
        for (act, per_layer) in [(TANH, 0.07..0.09), (RELU, 0.04..0.075)] {
            for s in every_seed(Scheme::Small, act) {
                for w in s.activations.windows(2) {
                    assert!(per_layer.contains(&(w[1] / w[0])), "{act:?}: {s:?}");
                }
                // Layer 1's error signal is less than a billionth of layer 10's.
                assert!(
                    s.gradients[0] < 1e-9 * s.gradients[DEPTH - 1],
                    "{act:?}: {s:?}"
                );
            }
        }
    }

    /// Try this (initialisation): Glorot with ReLU falls more than tenfold forward and back; He
    /// keeps both spreads within a factor of 2, for every seed.
    #[test]
    fn he_keeps_relu_within_a_factor_of_two_and_glorot_loses_a_root_two_per_layer() {
        for s in every_seed(Scheme::He, RELU) {
            assert!(range_ratio(&s.activations) < 2.0, "{s:?}");
            assert!(range_ratio(&s.gradients) < 2.0, "{s:?}");
        }
        for s in every_seed(Scheme::Glorot, RELU) {
            // The variance halves per layer: the spread falls by √2 ≈ 1.41 each time, on
            // average between 1.3 and 1.55, and more than tenfold over the ten layers.
            let fall = 1.0 / growth(&s.activations);
            assert!(fall > 10.0, "{s:?}");
            let per_layer = fall.powf(1.0 / (DEPTH - 1) as f32);
            assert!((1.3..1.55).contains(&per_layer), "{per_layer}: {s:?}");
            // Going back, the error signal shrinks more than tenfold too.
            assert!(growth(&s.gradients) > 10.0, "{s:?}");
        }
    }

    /// Try this (initialisation): He with tanh puts 27–32 % of layer 1's outputs beyond ±0.9,
    /// Glorot 12–16 % and under 1 % from layer 3 on, for every seed.
    #[test]
    fn glorot_keeps_tanh_out_of_its_flat_tails_and_he_pushes_tanh_into_them() {
        for s in every_seed(Scheme::Glorot, TANH) {
            // The spread drifts down by a factor between 2 and 4 (tanh flattens large sums),
            // the error signal by less than 5.
            let fall = 1.0 / growth(&s.activations);
            assert!((2.0..4.0).contains(&fall), "{s:?}");
            assert!(range_ratio(&s.gradients) < 5.0, "{s:?}");
            // About one output in seven beyond ±0.9 in layer 1, under 1 % from layer 3 on.
            assert!((0.12..0.16).contains(&s.saturated[0]), "{s:?}");
            assert!(s.saturated[2..].iter().all(|&v| v < 0.01), "{s:?}");
        }
        for s in every_seed(Scheme::He, TANH) {
            // Twice the variance tanh needs: the spread holds, but about 30 % of layer 1's
            // outputs and at least 4 % of every layer's are beyond ±0.9.
            assert!(range_ratio(&s.activations) < 2.0, "{s:?}");
            assert!((0.27..0.32).contains(&s.saturated[0]), "{s:?}");
            assert!(s.saturated.iter().all(|&v| v >= 0.04), "{s:?}");
        }
    }

    #[test]
    fn names_round_trip_and_an_unknown_name_is_refused() {
        for scheme in Scheme::ALL {
            assert_eq!(Scheme::from_name(scheme.name()).unwrap(), scheme);
        }
        let err = Scheme::from_name("ones").unwrap_err().to_string();
        assert!(err.contains("unknown initialisation"), "{err}");
    }
}
