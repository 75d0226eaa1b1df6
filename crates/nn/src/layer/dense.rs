//! The fully connected layer, with an optional element-wise activation fused in.

use crate::activation::Activation;
use crate::error::{EngineError, Result};
use crate::kernels;
use crate::layer::{Mode, Module, Param, ParamKind};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};
use crate::trace::LayerTrace;

/// How a dense layer's weights are first drawn. Every scheme draws the weights in
/// `[fan_in][fan_out]` order (TensorFlow's kernel layout), weights before biases.
///
/// A uniform draw on `[−l, l)` has variance `l² / 3`, so each uniform scheme is named by the
/// variance it gives the weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// Glorot (Xavier) uniform: `W ~ U(−l, l)`, `l = √(6 / (fan_in + fan_out))`, so
    /// `Var(w) = 2 / (fan_in + fan_out)`; `b = 0`. Keeps the variance of activations and of
    /// gradients alike from layer to layer for activations with slope 1 at 0 (tanh, linear).
    Glorot,
    /// He (Kaiming) uniform: `W ~ U(−l, l)`, `l = √(6 / fan_in)`, so `Var(w) = 2 / fan_in`;
    /// `b = 0`. The factor 2 makes up for ReLU zeroing half its inputs; suits ReLU layers.
    He,
    /// Uniform in `[−limit, limit)`, `Var(w) = limit² / 3`, `b = 0`.
    Uniform {
        /// Half the width of the interval.
        limit: f32,
    },
    /// Normal with a fixed spread, `W ~ N(0, std²)` (`Var(w) = std²`, whatever the fan-in),
    /// `b = 0`; one standard normal (one Box–Muller pair of draws) per weight.
    Normal {
        /// The standard deviation of each weight.
        std: f32,
    },
    /// Every weight and bias 0. Every unit of a layer then computes the same thing and gets the
    /// same gradient, so training can never make them differ.
    Zero,
    /// TensorFlow Playground's scheme: `W = u − 0.5` for `u ~ U(0, 1)`, `b = 0.1`.
    Playground,
}

impl Init {
    /// Draws one weight for a layer of `fan_in` inputs and `fan_out` outputs. The uniform
    /// schemes take one draw per weight, the normal one a Box–Muller pair, zero none.
    pub(crate) fn draw(&self, rng: &mut Rng, fan_in: usize, fan_out: usize) -> f32 {
        let limit = match *self {
            Init::Glorot => (6.0 / (fan_in + fan_out) as f64).sqrt(),
            Init::He => (6.0 / fan_in as f64).sqrt(),
            Init::Uniform { limit } => f64::from(limit),
            Init::Playground => return (rng.next_f64() - 0.5) as f32,
            Init::Normal { std } => return rng.normal() * std,
            Init::Zero => return 0.0,
        };
        ((2.0 * rng.next_f64() - 1.0) * limit) as f32
    }

    /// The initial bias.
    pub(crate) fn bias(&self) -> f32 {
        if matches!(self, Init::Playground) {
            0.1
        } else {
            0.0
        }
    }
}

/// A fully connected layer: `z = W x + b`, `a = g(z)`.
///
/// # Shapes
/// - `W`: `(out, in)`, `b`: `(out)`.
/// - Batch input `X`: `(batch, in)`; `Z = X Wᵀ + 1 bᵀ` and `A = g(Z)`: `(batch, out)`.
///
/// # Gradients
/// Given `dL/dA`: `dL/dZ = dL/dA ⊙ g'(Z)`, `dL/dW = (dL/dZ)ᵀ X`, `dL/db = Σ_rows dL/dZ`,
/// `dL/dX = (dL/dZ) W`; for PReLU and swish also `dL/dθ = Σ dL/dA ⊙ ∂g/∂θ`.
#[derive(Debug, Clone)]
pub struct Dense {
    w: Matrix,
    b: Vec<f32>,
    activation: Activation,
    dw: Matrix,
    db: Vec<f32>,
    d_param: f32,
    z: Matrix,
    a: Matrix,
    dz: Matrix,
    dx: Matrix,
    input_gradient: bool,
}

impl Dense {
    /// A layer of `inputs → outputs` with weights drawn by `init` from `rng`.
    pub fn new(
        inputs: usize,
        outputs: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self> {
        if inputs == 0 || outputs == 0 {
            return Err(EngineError::Invalid(format!(
                "a dense layer needs at least one input and one output, got {inputs} → {outputs}"
            )));
        }
        crate::layer::conv2d::check_init(init)?;
        let mut w = Matrix::zeros(outputs, inputs);
        for i in 0..inputs {
            for o in 0..outputs {
                w[(o, i)] = init.draw(rng, inputs, outputs);
            }
        }
        let b = vec![init.bias(); outputs];
        Self::from_parts(w, b, activation)
    }

    /// A layer with the given weights `W` `(out, in)` and biases `b` `(out)`.
    pub fn from_parts(w: Matrix, b: Vec<f32>, activation: Activation) -> Result<Self> {
        if w.nrows() != b.len() || w.is_empty() {
            return Err(EngineError::shape(
                "dense parameters (W rows, b length)",
                (w.nrows(), w.nrows()),
                (w.nrows(), b.len()),
            ));
        }
        let (out, inp) = w.shape();
        Ok(Self {
            dw: Matrix::zeros(out, inp),
            db: vec![0.0; out],
            d_param: 0.0,
            w,
            b,
            activation,
            z: Matrix::zeros(0, out),
            a: Matrix::zeros(0, out),
            dz: Matrix::zeros(0, out),
            dx: Matrix::zeros(0, inp),
            input_gradient: true,
        })
    }

    /// The weights `W`, `(out, in)`.
    pub fn weights(&self) -> &Matrix {
        &self.w
    }

    /// The weights, for editing by hand or by an optimizer.
    pub fn weights_mut(&mut self) -> &mut Matrix {
        &mut self.w
    }

    /// The biases `b`, `(out)`.
    pub fn biases(&self) -> &[f32] {
        &self.b
    }

    /// The biases, for editing.
    pub fn biases_mut(&mut self) -> &mut [f32] {
        &mut self.b
    }

    /// The activation, with its current parameter.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Replaces the activation (keeping the weights).
    pub fn set_activation(&mut self, activation: Activation) {
        self.activation = activation;
    }

    /// `Z = X Wᵀ + b` from the last forward pass.
    pub fn pre_activation(&self) -> &Matrix {
        &self.z
    }

    /// `dL/dZ` from the last backward pass.
    pub fn grad_pre_activation(&self) -> &Matrix {
        &self.dz
    }

    /// `dL/dW` from the last backward pass.
    pub fn grad_weights(&self) -> &Matrix {
        &self.dw
    }

    /// `dL/db` from the last backward pass.
    pub fn grad_biases(&self) -> &[f32] {
        &self.db
    }

    /// `dL/dθ` for the activation's own parameter (PReLU α, swish β), 0 otherwise.
    pub fn grad_activation_param(&self) -> f32 {
        self.d_param
    }
}

impl Module for Dense {
    fn kind(&self) -> &'static str {
        "dense"
    }

    fn input_shape(&self) -> Shape {
        Shape::Flat(self.w.ncols())
    }

    fn output_shape(&self) -> Shape {
        Shape::Flat(self.w.nrows())
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("dense input", input, self.w.ncols())?;
        let (batch, out) = (input.nrows(), self.w.nrows());
        ensure_shape(&mut self.a, batch, out);
        kernels::dense_forward(input, &self.w, &self.b, &mut self.z);
        let g = self.activation;
        kernels::activation_forward(g, self.z.as_slice(), self.a.as_mut_slice());
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.a
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        check_cols("dense input", input, self.w.ncols())?;
        if grad_output.shape() != self.z.shape() || input.nrows() != self.z.nrows() {
            return Err(EngineError::shape(
                "dense output gradient",
                self.z.shape(),
                grad_output.shape(),
            ));
        }
        let g = self.activation;
        ensure_shape(&mut self.dz, self.z.nrows(), self.z.ncols());
        self.d_param = 0.0;
        if g.is_learnable() {
            self.d_param = self
                .z
                .iter()
                .zip(grad_output.iter())
                .map(|(&z, &d)| d * g.param_derivative(z).unwrap_or(0.0))
                .sum();
        }
        kernels::activation_backward(
            g,
            self.z.as_slice(),
            self.a.as_slice(),
            grad_output.as_slice(),
            self.dz.as_mut_slice(),
        );
        kernels::dense_param_grads(&self.dz, input, &mut self.dw, &mut self.db);
        if self.input_gradient {
            kernels::dense_input_grad(&self.dz, &self.w, &mut self.dx);
        }
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn set_input_gradient(&mut self, needed: bool) {
        self.input_gradient = needed;
        if !needed {
            self.dx = Matrix::zeros(0, self.w.ncols());
        }
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        f(Param {
            name: "W",
            kind: ParamKind::Weight,
            value: self.w.as_mut_slice(),
            grad: self.dw.as_slice(),
        });
        f(Param {
            name: "b",
            kind: ParamKind::Bias,
            value: &mut self.b,
            grad: &self.db,
        });
        let name = match self.activation {
            Activation::Prelu { .. } => "alpha",
            _ => "beta",
        };
        if let Some(theta) = self.activation.param_mut() {
            f(Param {
                name,
                kind: ParamKind::Other,
                value: std::slice::from_mut(theta),
                grad: std::slice::from_ref(&self.d_param),
            });
        }
    }

    fn trace(&mut self) -> LayerTrace {
        let mut t = LayerTrace::new("dense", self.a.clone(), self.dx.clone());
        t.pre_activation = Some(self.z.clone());
        t.grad_pre_activation = Some(self.dz.clone());
        t.activation = Some(self.activation.name());
        self.visit_params(&mut |p| t.push_param(&p));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;

    fn layer(act: Activation) -> Dense {
        let w = from_rows(&[vec![0.5, -1.0], vec![2.0, 0.25], vec![-0.75, 1.5]]).unwrap();
        Dense::from_parts(w, vec![0.1, -0.2, 0.3], act).unwrap()
    }

    #[test]
    fn forward_is_x_wt_plus_b() {
        let mut d = layer(Activation::Linear);
        let x = from_rows(&[vec![1.0, 2.0], vec![-1.0, 0.5]]).unwrap();
        d.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        // Row 0: [0.5·1 − 1·2 + 0.1, 2·1 + 0.25·2 − 0.2, −0.75 + 3 + 0.3] = [−1.4, 2.3, 2.55].
        let want = [[-1.4, 2.3, 2.55], [-0.9, -2.075, 1.8]];
        for r in 0..2 {
            for c in 0..3 {
                assert!((d.output()[(r, c)] - want[r][c]).abs() < 1e-6, "({r},{c})");
            }
        }
    }

    /// Checks every gradient of a dense layer against central differences of L = Σ A ⊙ G.
    fn gradient_check(act: Activation) {
        let x = from_rows(&[vec![0.3, -0.7], vec![1.1, 0.4], vec![-0.5, -1.3]]).unwrap();
        let g = from_rows(&[
            vec![0.2, -0.5, 1.0],
            vec![0.7, 0.1, -0.3],
            vec![-1.2, 0.4, 0.6],
        ])
        .unwrap();
        let loss = |d: &mut Dense, x: &Matrix| -> f64 {
            d.forward(x, Mode::Train, &mut Rng::new(0)).unwrap();
            d.output()
                .iter()
                .zip(g.iter())
                .map(|(a, b)| f64::from(a * b))
                .sum()
        };
        let mut d = layer(act);
        loss(&mut d, &x);
        d.backward(&x, &g).unwrap();
        let (dw, db, dx, dp) = (d.dw.clone(), d.db.clone(), d.dx.clone(), d.d_param);
        let h = 1e-2;
        let close = |a: f32, b: f64, what: &str| {
            assert!(
                (f64::from(a) - b).abs() < 2e-3,
                "{}: {what}: {a} vs {b}",
                act.name()
            );
        };
        for i in 0..d.w.len() {
            let mut p = d.clone();
            p.w.as_mut_slice()[i] += h;
            let mut m = d.clone();
            m.w.as_mut_slice()[i] -= h;
            close(
                dw.as_slice()[i],
                (loss(&mut p, &x) - loss(&mut m, &x)) / (2.0 * f64::from(h)),
                "dW",
            );
        }
        for i in 0..d.b.len() {
            let mut p = d.clone();
            p.b[i] += h;
            let mut m = d.clone();
            m.b[i] -= h;
            close(
                db[i],
                (loss(&mut p, &x) - loss(&mut m, &x)) / (2.0 * f64::from(h)),
                "db",
            );
        }
        for i in 0..x.len() {
            let mut xp = x.clone();
            xp.as_mut_slice()[i] += h;
            let mut xm = x.clone();
            xm.as_mut_slice()[i] -= h;
            let num =
                (loss(&mut d.clone(), &xp) - loss(&mut d.clone(), &xm)) / (2.0 * f64::from(h));
            close(dx.as_slice()[i], num, "dX");
        }
        if act.is_learnable() {
            let theta = act.param().unwrap();
            let with = |t: f32| {
                let mut c = d.clone();
                *c.activation.param_mut().unwrap() = t;
                loss(&mut c, &x)
            };
            close(
                dp,
                (with(theta + h) - with(theta - h)) / (2.0 * f64::from(h)),
                "dθ",
            );
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        for act in [
            Activation::Linear,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Swish { beta: 1.4 },
            Activation::Prelu { alpha: 0.2 },
            Activation::LeakyRelu { slope: 0.1 },
        ] {
            gradient_check(act);
        }
    }

    #[test]
    fn init_draws_in_fan_in_fan_out_order() {
        let mut rng = Rng::new(42);
        let d = Dense::new(2, 3, Activation::Tanh, Init::Playground, &mut rng).unwrap();
        let mut again = Rng::new(42);
        // The first draw is W[0][0] (in 0 → out 0), the second W[0][1] (in 0 → out 1).
        let first = (again.next_f64() - 0.5) as f32;
        let second = (again.next_f64() - 0.5) as f32;
        assert_eq!(d.weights()[(0, 0)], first);
        assert_eq!(d.weights()[(1, 0)], second);
        assert_eq!(d.biases(), &[0.1, 0.1, 0.1]);
    }

    /// The mean and the variance of a `fan_in → fan_out` layer's weights drawn by `init`.
    fn weight_moments(init: Init, fan_in: usize, fan_out: usize) -> (f64, f64) {
        let d = Dense::new(fan_in, fan_out, Activation::Relu, init, &mut Rng::new(11)).unwrap();
        let w: Vec<f64> = d.weights().iter().map(|&v| f64::from(v)).collect();
        let n = w.len() as f64;
        let mean = w.iter().sum::<f64>() / n;
        let var = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        (mean, var)
    }

    #[test]
    fn each_scheme_gives_the_variance_its_formula_states() {
        // 400 × 300 = 120,000 weights: the sample variance is within about 1 % of the true one
        // (its relative standard error is √(2/n) or less), so 3 % is a safe bound.
        let (fan_in, fan_out) = (400, 300);
        for (init, variance) in [
            (Init::Glorot, 2.0 / (fan_in + fan_out) as f64),
            (Init::He, 2.0 / fan_in as f64),
            (Init::Uniform { limit: 0.5 }, 0.25 / 3.0),
            (Init::Normal { std: 0.01 }, 1e-4),
            (Init::Normal { std: 1.0 }, 1.0),
        ] {
            let (mean, var) = weight_moments(init, fan_in, fan_out);
            assert!(mean.abs() < 0.01 * variance.sqrt(), "{init:?}: mean {mean}");
            assert!(
                (var / variance - 1.0).abs() < 0.03,
                "{init:?}: {var} against {variance}"
            );
        }
        let d = Dense::new(
            fan_in,
            fan_out,
            Activation::Relu,
            Init::Zero,
            &mut Rng::new(1),
        )
        .unwrap();
        assert!(d.weights().iter().all(|&w| w == 0.0));
        assert!(d.biases().iter().all(|&b| b == 0.0));
    }

    #[test]
    fn a_spread_that_is_not_a_finite_positive_number_is_refused() {
        for std in [f32::NAN, f32::INFINITY, -0.1] {
            let made = Dense::new(
                2,
                2,
                Activation::Relu,
                Init::Normal { std },
                &mut Rng::new(0),
            );
            let err = made.unwrap_err().to_string();
            assert!(err.contains("initialisation spread"), "{err}");
        }
    }

    #[test]
    fn wrong_input_width_is_an_error() {
        let mut d = layer(Activation::Relu);
        let x = Matrix::zeros(2, 3);
        let err = d.forward(&x, Mode::Eval, &mut Rng::new(0)).unwrap_err();
        assert!(err.to_string().contains("dense input"), "{err}");
        assert!(Dense::new(0, 3, Activation::Relu, Init::He, &mut Rng::new(0)).is_err());
    }
}
