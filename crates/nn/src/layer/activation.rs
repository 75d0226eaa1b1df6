//! A stand-alone element-wise activation layer, for use after layers without a fused one
//! (convolution, batch normalization).

use crate::activation::Activation;
use crate::error::{EngineError, Result};
use crate::kernels;
use crate::layer::{Mode, Module, Param, ParamKind};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// `A = g(X)` element-wise, any sample shape.
///
/// # Shapes
/// Input and output: `(batch, n)` with `n = shape.size()`.
///
/// # Gradients
/// `dL/dX = dL/dA ⊙ g'(X)`; for PReLU and swish `dL/dθ = Σ dL/dA ⊙ ∂g/∂θ`.
#[derive(Debug, Clone)]
pub struct ActivationLayer {
    shape: Shape,
    activation: Activation,
    a: Matrix,
    dx: Matrix,
    d_param: f32,
}

impl ActivationLayer {
    /// An activation over samples of `shape`.
    pub fn new(shape: Shape, activation: Activation) -> Self {
        Self {
            shape,
            activation,
            a: Matrix::zeros(0, shape.size()),
            dx: Matrix::zeros(0, shape.size()),
            d_param: 0.0,
        }
    }

    /// The activation, with its current parameter.
    pub fn activation(&self) -> Activation {
        self.activation
    }
}

impl Module for ActivationLayer {
    fn kind(&self) -> &'static str {
        "activation"
    }

    fn input_shape(&self) -> Shape {
        self.shape
    }

    fn output_shape(&self) -> Shape {
        self.shape
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("activation input", input, self.shape.size())?;
        ensure_shape(&mut self.a, input.nrows(), input.ncols());
        let g = self.activation;
        kernels::activation_forward(g, input.as_slice(), self.a.as_mut_slice());
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.a
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        if grad_output.shape() != input.shape() {
            return Err(EngineError::shape(
                "activation output gradient",
                input.shape(),
                grad_output.shape(),
            ));
        }
        let g = self.activation;
        ensure_shape(&mut self.dx, input.nrows(), input.ncols());
        if self.a.shape() == input.shape() {
            kernels::activation_backward(
                g,
                input.as_slice(),
                self.a.as_slice(),
                grad_output.as_slice(),
                self.dx.as_mut_slice(),
            );
        } else {
            for ((dx, &x), &d) in self.dx.iter_mut().zip(input.iter()).zip(grad_output.iter()) {
                *dx = d * g.derivative(x);
            }
        }
        // Only PReLU and swish have a parameter; for the others the sum is skipped, not zeroed
        // term by term.
        self.d_param = if g.is_learnable() {
            input
                .iter()
                .zip(grad_output.iter())
                .map(|(&x, &d)| d * g.param_derivative(x).unwrap_or(0.0))
                .sum()
        } else {
            0.0
        };
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;

    #[test]
    fn prelu_alpha_gradient_sums_negative_inputs() {
        let mut l = ActivationLayer::new(Shape::Flat(3), Activation::Prelu { alpha: 0.25 });
        let x = from_rows(&[vec![-2.0, 1.0, 0.0], vec![3.0, -0.5, -1.0]]).unwrap();
        let g = from_rows(&[vec![1.0, 1.0, 1.0], vec![2.0, 2.0, 2.0]]).unwrap();
        l.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert_eq!(l.output()[(0, 0)], -0.5);
        l.backward(&x, &g).unwrap();
        // dL/dα = Σ g·min(x, 0) = 1·(−2) + 1·0 + 2·(−0.5) + 2·(−1) = −5.
        assert_eq!(l.d_param, -5.0);
        // dL/dx = g·1 for x > 0 and g·α otherwise (α at exactly 0).
        assert_eq!(l.grad_input()[(0, 2)], 0.25);
        assert_eq!(l.grad_input()[(1, 0)], 2.0);
        assert_eq!(l.param_count(), 1);
    }
}
