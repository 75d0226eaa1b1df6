//! Activation functions, each next to its derivative.
//!
//! Every element-wise activation `y = g(x)` has a [`Activation::value`] and a
//! [`Activation::derivative`] `dy/dx`; the two with a learnable parameter (PReLU's `α`, swish's `β`)
//! also have [`Activation::param_derivative`]. Softmax maps a whole vector and lives in its own
//! functions ([`softmax`], [`log_softmax`], [`softmax_backward`], [`softmax_jacobian`]).
//!
//! Conventions at the kinks (shared with the reference cases): `relu'(0) = 0`; leaky ReLU and
//! PReLU have derivative `slope` (`α`) at 0.

use crate::error::{EngineError, Result};

/// An element-wise activation function, with its parameter where it has one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `g(x) = x`.
    Linear,
    /// `g(x) = 1 / (1 + e^{-x})`, computed without overflow for any `x`.
    Sigmoid,
    /// `g(x) = tanh x`.
    Tanh,
    /// `g(x) = max(x, 0)`.
    Relu,
    /// `g(x) = x` for `x > 0`, `slope · x` otherwise (a fixed slope).
    LeakyRelu {
        /// The slope for negative inputs, typically 0.01.
        slope: f32,
    },
    /// `g(x) = x` for `x > 0`, `α · x` otherwise, with `α` learned by backpropagation.
    Prelu {
        /// The learnable slope for negative inputs.
        alpha: f32,
    },
    /// `g(x) = x · σ(βx)`; `β = 1` is the plain swish (also called SiLU).
    Swish {
        /// The gate's sharpness; learnable. `β = 0` gives `x/2`, large `β` approaches ReLU.
        beta: f32,
    },
}

/// The names the page and the URL use, in the order the page lists them.
pub const ACTIVATION_NAMES: [&str; 7] = [
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "prelu",
    "swish",
    "linear",
];

/// The rectifier `max(x, 0)`: NaN gives 0, as `f32::max` does, and −0 gives +0.
///
/// Written as a comparison rather than `x.max(0.0)`: in WebAssembly `f32::max` is a call to
/// libm's `fmaxf` for every element (the instruction `f32.max` treats NaN differently), which
/// took a fifth of the 64-wide ReLU network's training time; the comparison compiles to one
/// vector instruction per four elements. (libm's `fmaxf(−0, 0)` gave −0; the two zeros are equal
/// in every sum and product, so at most the sign of a zero differs downstream.)
#[inline]
pub fn relu(x: f32) -> f32 {
    if x > 0.0 { x } else { 0.0 }
}

/// Leaky ReLU (and PReLU) with slope `a` below zero: `x` for `x > 0`, else `a·x`.
#[inline]
pub fn leaky_relu(x: f32, a: f32) -> f32 {
    if x > 0.0 { x } else { a * x }
}

/// The slope of [`leaky_relu`] at `x`: 1 for `x > 0`, else `a`.
#[inline]
pub fn leaky_relu_derivative(x: f32, a: f32) -> f32 {
    if x > 0.0 { 1.0 } else { a }
}

/// The logistic sigmoid `1 / (1 + e^{-x})`, exact to the last bit at both tails (no overflow).
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `tanh x`, within two units in the last place of the exact value (1.6 at worst over a fine grid), written so a
/// loop over a slice of it vectorises (no library call, no branch the compiler cannot turn into a
/// select).
///
/// - `|x| < 0.2`: the odd Taylor series `x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835`, whose next
///   term is below 10⁻⁹ of `x` there.
/// - otherwise `tanh |x| = (e − 1)/(e + 1)` with `e = e^{2|x|}`, and the sign of `x` put back.
///   `e = 2^y` for `y = 2|x| log₂ e` (clamped at 9 / ln 2, beyond which `tanh` rounds to 1 in
///   f32) is split as `2^n · 2^f` with `n` the nearest integer and `|f| ≤ ½`: `2^f` is the
///   degree-7 Taylor polynomial of `e^{f ln 2}` (remainder below 10⁻⁸) and `2^n` is built from
///   its exponent bits.
///
/// libm's `tanhf` is a scalar call, and was the largest single cost of training the
/// playground's small tanh networks.
#[inline]
pub fn tanh(x: f32) -> f32 {
    const SMALL: f32 = 0.2;
    // Adding and subtracting 1.5 · 2²³ rounds an f32 of magnitude below 2²² to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    // Written as a comparison rather than `min` so that NaN stays NaN.
    let ax = x.abs();
    let clamped = if ax > 9.0 { 9.0 } else { ax };
    let y = 2.0 * std::f32::consts::LOG2_E * clamped;
    let n = (y + ROUND) - ROUND;
    let f = (y - n) * std::f32::consts::LN_2;
    let poly = 1.0
        + f * (1.0
            + f * (1.0 / 2.0
                + f * (1.0 / 6.0
                    + f * (1.0 / 24.0
                        + f * (1.0 / 120.0 + f * (1.0 / 720.0 + f * (1.0 / 5040.0)))))));
    // n lies in 0..=26 here, so the biased exponent n + 127 is a normal f32 exponent.
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    let e = poly * scale;
    let large = (e - 1.0) / (e + 1.0);
    let x2 = x * x;
    let small = x
        * (1.0
            + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0)))));
    if ax < SMALL { small } else { large.copysign(x) }
}

impl Activation {
    /// Parses a name from [`ACTIVATION_NAMES`], with the default parameter
    /// (leaky slope 0.01, PReLU α 0.25, swish β 1).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(match name {
            "linear" => Self::Linear,
            "sigmoid" => Self::Sigmoid,
            "tanh" => Self::Tanh,
            "relu" => Self::Relu,
            "leaky_relu" => Self::LeakyRelu { slope: 0.01 },
            "prelu" => Self::Prelu { alpha: 0.25 },
            "swish" => Self::Swish { beta: 1.0 },
            other => {
                return Err(EngineError::Invalid(format!(
                    "unknown activation \"{other}\"; known: {}",
                    ACTIVATION_NAMES.join(", ")
                )));
            }
        })
    }

    /// The name as in [`ACTIVATION_NAMES`].
    pub fn name(&self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::Sigmoid => "sigmoid",
            Self::Tanh => "tanh",
            Self::Relu => "relu",
            Self::LeakyRelu { .. } => "leaky_relu",
            Self::Prelu { .. } => "prelu",
            Self::Swish { .. } => "swish",
        }
    }

    /// `g(x)`.
    #[inline]
    pub fn value(&self, x: f32) -> f32 {
        match *self {
            Self::Linear => x,
            Self::Sigmoid => sigmoid(x),
            Self::Tanh => tanh(x),
            Self::Relu => relu(x),
            Self::LeakyRelu { slope: a } | Self::Prelu { alpha: a } => leaky_relu(x, a),
            Self::Swish { beta } => x * sigmoid(beta * x),
        }
    }

    /// `dg/dx` at `x`.
    #[inline]
    pub fn derivative(&self, x: f32) -> f32 {
        match *self {
            Self::Linear => 1.0,
            // σ(x)(1 − σ(x)) written as σ(x)σ(−x): no cancellation when σ(x) rounds to 1.
            Self::Sigmoid => sigmoid(x) * sigmoid(-x),
            Self::Tanh => {
                let t = tanh(x);
                1.0 - t * t
            }
            Self::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Self::LeakyRelu { slope: a } | Self::Prelu { alpha: a } => leaky_relu_derivative(x, a),
            Self::Swish { beta } => {
                // d/dx [x σ(βx)] = σ(βx) + βx σ(βx)(1 − σ(βx)).
                let (s, t) = (sigmoid(beta * x), sigmoid(-beta * x));
                s + beta * x * s * t
            }
        }
    }

    /// `dg/dy` from the output `y = g(x)` alone, where that is possible without `x`
    /// (sigmoid, tanh, ReLU, linear): the cheap form a training loop uses.
    #[inline]
    pub fn derivative_from_output(&self, y: f32) -> Option<f32> {
        match *self {
            Self::Linear => Some(1.0),
            Self::Sigmoid => Some(y * (1.0 - y)),
            Self::Tanh => Some(1.0 - y * y),
            Self::Relu => Some(if y > 0.0 { 1.0 } else { 0.0 }),
            _ => None,
        }
    }

    /// The derivative of `g(x)` with respect to the activation's own parameter:
    /// `dg/dα = min(x, 0)` for PReLU (`x` where `x ≤ 0`), `dg/dβ = x² σ(βx)(1 − σ(βx))` for swish,
    /// and `None` for activations without a learnable parameter.
    #[inline]
    pub fn param_derivative(&self, x: f32) -> Option<f32> {
        match *self {
            Self::Prelu { .. } => Some(if x > 0.0 { 0.0 } else { x }),
            Self::Swish { beta } => Some(x * x * sigmoid(beta * x) * sigmoid(-beta * x)),
            _ => None,
        }
    }

    /// The learnable parameter, if any: `α` for PReLU, `β` for swish.
    pub fn param(&self) -> Option<f32> {
        match *self {
            Self::Prelu { alpha } => Some(alpha),
            Self::Swish { beta } => Some(beta),
            _ => None,
        }
    }

    /// A mutable reference to the learnable parameter, for an optimizer to update.
    pub fn param_mut(&mut self) -> Option<&mut f32> {
        match self {
            Self::Prelu { alpha } => Some(alpha),
            Self::Swish { beta } => Some(beta),
            _ => None,
        }
    }

    /// Whether this activation has a learnable parameter that training updates.
    pub fn is_learnable(&self) -> bool {
        matches!(self, Self::Prelu { .. } | Self::Swish { .. })
    }
}

/// Writes `softmax(z)` into `out`: `out_i = e^{z_i − m} / Σ_j e^{z_j − m}` with `m = max z`,
/// so any finite logits (±1000 included) give exact 0s and 1s instead of overflow.
///
/// `z` and `out` have the same length; an empty `z` leaves `out` empty.
pub fn softmax(z: &[f32], out: &mut [f32]) {
    let m = crate::tensor::max_value(z.iter().copied());
    let mut sum = 0.0;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = (v - m).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

/// `softmax(z / T)` for a temperature `T > 0`: low temperatures sharpen toward the arg-max,
/// high ones flatten toward uniform.
pub fn softmax_with_temperature(z: &[f32], temperature: f32) -> Result<Vec<f32>> {
    if !(temperature.is_finite() && temperature > 0.0) {
        return Err(EngineError::hyper(
            "temperature",
            temperature,
            "it must be a positive number",
        ));
    }
    let scaled: Vec<f32> = z.iter().map(|v| v / temperature).collect();
    let mut out = vec![0.0; z.len()];
    softmax(&scaled, &mut out);
    Ok(out)
}

/// Writes `log softmax(z)` into `out`: `z_i − m − ln Σ_j e^{z_j − m}`, exact for large logits.
pub fn log_softmax(z: &[f32], out: &mut [f32]) {
    let m = crate::tensor::max_value(z.iter().copied());
    // (z_i − m) is exact for the largest logits; subtracting ln Σ after keeps their precision.
    let log_sum = z.iter().map(|v| (v - m).exp()).sum::<f32>().ln();
    for (o, &v) in out.iter_mut().zip(z) {
        *o = (v - m) - log_sum;
    }
}

/// Backpropagates through softmax: given `s = softmax(z)` and `g = dL/ds`, writes
/// `dL/dz = s ⊙ (g − (g · s))` into `out` (the Jacobian-vector product without the Jacobian).
pub fn softmax_backward(s: &[f32], upstream: &[f32], out: &mut [f32]) {
    let dot: f32 = s.iter().zip(upstream).map(|(a, b)| a * b).sum();
    for ((o, &si), &gi) in out.iter_mut().zip(s).zip(upstream) {
        *o = si * (gi - dot);
    }
}

/// The softmax Jacobian `J_ij = ∂s_i/∂z_j = s_i (δ_ij − s_j)` as row-major rows.
pub fn softmax_jacobian(z: &[f32]) -> Vec<Vec<f32>> {
    let mut s = vec![0.0; z.len()];
    softmax(z, &mut s);
    (0..z.len())
        .map(|i| {
            (0..z.len())
                .map(|j| s[i] * (f32::from(u8::from(i == j)) - s[j]))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_keeps_positives_and_gives_zero_for_the_rest() {
        for (x, want) in [
            (-3.0, 0.0),
            (-0.0, 0.0),
            (0.0, 0.0),
            (1e-40, 1e-40),
            (2.5, 2.5),
            (f32::INFINITY, f32::INFINITY),
            (f32::NEG_INFINITY, 0.0),
            (f32::NAN, 0.0),
        ] {
            assert_eq!(relu(x).to_bits(), f32::to_bits(want), "relu({x})");
        }
    }

    const ALL: [Activation; 8] = [
        Activation::Linear,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu { slope: 0.2 },
        Activation::Prelu { alpha: 0.3 },
        Activation::Swish { beta: 1.0 },
        Activation::Swish { beta: 2.5 },
    ];

    /// The central difference of the `f32` function `f` at `x` (a step large enough for `f32`).
    fn numeric(f: impl Fn(f32) -> f32, x: f32) -> f32 {
        crate::finite_difference::central(x, 1e-2, |v| f64::from(f(v))) as f32
    }

    #[test]
    fn hand_derived_values() {
        // sigmoid(0) = 1/2, sigmoid'(0) = 1/4; tanh'(0) = 1; swish(x) = x σ(x): swish(1) = σ(1).
        assert_eq!(Activation::Sigmoid.value(0.0), 0.5);
        assert_eq!(Activation::Sigmoid.derivative(0.0), 0.25);
        assert_eq!(Activation::Tanh.derivative(0.0), 1.0);
        assert!((Activation::Swish { beta: 1.0 }.value(1.0) - 0.731_058_6).abs() < 1e-6);
        // Kinks: relu'(0) = 0, leaky'(0) = slope, prelu'(0) = α.
        assert_eq!(Activation::Relu.derivative(0.0), 0.0);
        assert_eq!(Activation::LeakyRelu { slope: 0.2 }.derivative(0.0), 0.2);
        assert_eq!(Activation::Prelu { alpha: 0.3 }.derivative(0.0), 0.3);
        assert_eq!(Activation::LeakyRelu { slope: 0.01 }.value(-2.0), -0.02);
        // Swish with β = 0 is x/2 with derivative 1/2.
        assert_eq!(Activation::Swish { beta: 0.0 }.value(3.0), 1.5);
        assert_eq!(Activation::Swish { beta: 0.0 }.derivative(3.0), 0.5);
    }

    #[test]
    fn tanh_is_within_a_few_ulps_everywhere() {
        // Every f32 step of 1/4096 over [−12, 12], plus the values around the switch at 0.2,
        // against f64's tanh: the error stays within 2 units in the last place (or 1e-9 near 0).
        let mut worst = 0.0f64;
        let grid = (-12 * 4096..=12 * 4096).map(|i| i as f32 / 4096.0);
        let edges = [
            0.2f32,
            -0.2,
            0.199_999_99,
            1e-30,
            -1e-30,
            0.0,
            -0.0,
            9.0,
            100.0,
            -1e30,
        ];
        for x in grid.chain(edges) {
            let want = f64::from(x).tanh();
            let got = f64::from(tanh(x));
            let ulp = f64::from(f32::EPSILON) * want.abs().max(f64::from(f32::MIN_POSITIVE));
            let err = (got - want).abs();
            assert!(err <= 2.0 * ulp + 1e-45, "tanh({x}) = {got}, want {want}");
            worst = worst.max(err / ulp);
        }
        assert!(worst > 0.0, "the grid exercised nothing");
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert_eq!(tanh(f32::NEG_INFINITY), -1.0);
        assert!(tanh(f32::NAN).is_nan());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn sigmoid_is_exact_at_the_tails() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert!(sigmoid(-100.0) > 0.0, "no underflow to 0 before it must");
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for act in ALL {
            for i in -40..=40 {
                let x = i as f32 * 0.15 + 0.037; // Avoids the kink at exactly 0.
                let want = numeric(|v| act.value(v), x);
                let got = act.derivative(x);
                assert!(
                    (want - got).abs() < 2e-3,
                    "{} at {x}: analytic {got}, numeric {want}",
                    act.name()
                );
                if let Some(y_der) = act.derivative_from_output(act.value(x)) {
                    assert!(
                        (y_der - got).abs() < 1e-5,
                        "{} from output at {x}",
                        act.name()
                    );
                }
            }
        }
    }

    #[test]
    fn parameter_derivatives_match_finite_differences() {
        for x in [-2.5_f32, -0.7, 0.4, 1.9] {
            let alpha = 0.3;
            let want = numeric(|a| Activation::Prelu { alpha: a }.value(x), alpha);
            let got = Activation::Prelu { alpha }.param_derivative(x).unwrap();
            assert!(
                (want - got).abs() < 1e-3,
                "prelu dα at {x}: {got} vs {want}"
            );
            let beta = 1.3;
            let want = numeric(|b| Activation::Swish { beta: b }.value(x), beta);
            let got = Activation::Swish { beta }.param_derivative(x).unwrap();
            assert!(
                (want - got).abs() < 2e-3,
                "swish dβ at {x}: {got} vs {want}"
            );
        }
        assert_eq!(Activation::Tanh.param_derivative(1.0), None);
    }

    #[test]
    fn softmax_is_overflow_safe() {
        let mut s = [0.0; 3];
        softmax(&[1000.0, -1000.0, 0.0], &mut s);
        assert_eq!(s, [1.0, 0.0, 0.0]);
        let mut l = [0.0; 3];
        log_softmax(&[1000.0, -1000.0, 0.0], &mut l);
        assert_eq!(l, [0.0, -2000.0, -1000.0]);
    }

    #[test]
    fn softmax_backward_matches_jacobian() {
        let z = [0.3, -1.2, 2.0, 0.0];
        let g = [0.5, -1.0, 0.25, 2.0];
        let mut s = [0.0; 4];
        softmax(&z, &mut s);
        let mut fast = [0.0; 4];
        softmax_backward(&s, &g, &mut fast);
        let j = softmax_jacobian(&z);
        for (i, f) in fast.iter().enumerate() {
            // dL/dz_i = Σ_k g_k ∂s_k/∂z_i, and the Jacobian is symmetric.
            let want: f32 = (0..4).map(|k| g[k] * j[k][i]).sum();
            assert!((f - want).abs() < 1e-6);
        }
    }

    #[test]
    fn temperature_sharpens_and_flattens() {
        let z = [2.0, 1.0, 0.0];
        let cold = softmax_with_temperature(&z, 0.1).unwrap();
        let hot = softmax_with_temperature(&z, 100.0).unwrap();
        assert!(cold[0] > 0.99);
        assert!(hot.iter().all(|p| (p - 1.0 / 3.0).abs() < 0.01));
        assert!(softmax_with_temperature(&z, 0.0).is_err());
        assert!(softmax_with_temperature(&z, f32::NAN).is_err());
    }

    #[test]
    fn names_round_trip() {
        for name in ACTIVATION_NAMES {
            assert_eq!(Activation::from_name(name).unwrap().name(), name);
        }
        assert!(Activation::from_name("gelu").is_err());
    }
}
