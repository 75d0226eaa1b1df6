//! Flatten: an image or a sequence becomes one flat vector per sample.
//!
//! The engine already stores every sample flat in its row (images channel-major, NCHW;
//! sequences token after token), so flattening changes only the shape the next layer sees:
//! the numbers, and the gradient coming back, pass through unchanged.

use crate::error::{EngineError, Result};
use crate::layer::{Mode, Module};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// `y = x` with the sample shape `(C, H, W)` or `(len, dim)` relabelled as `(C·H·W)` or
/// `(len·dim)`.
///
/// The flat order is the row-major order of the input shape: for an image channel, then row,
/// then column (so a dense layer after it sees `x[c][i][j]` at index `(c·H + i)·W + j`).
///
/// # Shapes
/// Input and output: `(batch, n)` with `n = shape.size()`; the output shape is `Flat(n)`.
///
/// # Gradients
/// `dL/dx = dL/dy`.
#[derive(Debug, Clone)]
pub struct Flatten {
    shape: Shape,
    y: Matrix,
    dx: Matrix,
}

impl Flatten {
    /// Flattens samples of `shape`.
    pub fn new(shape: Shape) -> Result<Self> {
        let n = shape.size();
        if n == 0 {
            return Err(EngineError::Invalid(format!(
                "there is nothing to flatten in samples of shape {shape}"
            )));
        }
        Ok(Self {
            shape,
            y: Matrix::zeros(0, n),
            dx: Matrix::zeros(0, n),
        })
    }
}

impl Module for Flatten {
    fn kind(&self) -> &'static str {
        "flatten"
    }

    fn input_shape(&self) -> Shape {
        self.shape
    }

    fn output_shape(&self) -> Shape {
        Shape::Flat(self.shape.size())
    }

    fn forward(&mut self, input: &Matrix, _mode: Mode, _rng: &mut Rng) -> Result<()> {
        check_cols("flatten input", input, self.shape.size())?;
        ensure_shape(&mut self.y, input.nrows(), input.ncols());
        self.y.copy_from(input);
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.y
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        check_cols("flatten input", input, self.shape.size())?;
        if grad_output.shape() != input.shape() {
            return Err(EngineError::shape(
                "flatten output gradient",
                input.shape(),
                grad_output.shape(),
            ));
        }
        ensure_shape(&mut self.dx, input.nrows(), input.ncols());
        self.dx.copy_from(grad_output);
        Ok(())
    }

    fn grad_input(&self) -> &Matrix {
        &self.dx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::tensor::from_rows;
    use proptest::prelude::*;

    #[test]
    fn flattening_keeps_the_numbers_and_the_gradient() {
        let shape = Shape::Image {
            channels: 1,
            height: 2,
            width: 2,
        };
        let mut f = Flatten::new(shape).unwrap();
        assert_eq!(f.output_shape(), Shape::Flat(4));
        let x = from_rows(&[vec![1.0, 2.0, 3.0, 4.0]]).unwrap();
        f.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert_eq!(f.output(), &x);
        // L = Σ y ⊙ g, so dL/dx = g exactly: the finite difference of a linear map is exact.
        let g = from_rows(&[vec![0.5, -1.0, 2.0, 0.0]]).unwrap();
        f.backward(&x, &g).unwrap();
        assert_eq!(f.grad_input(), &g);
        assert!(Flatten::new(Shape::Sequence { len: 0, dim: 3 }).is_err());
        assert!(f.backward(&x, &Matrix::zeros(2, 4)).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(rows in 0usize..3, cols in 0usize..6, n in 0usize..6) {
            if let Ok(mut f) = Flatten::new(Shape::Sequence { len: n, dim: 1 }) {
                let x = Matrix::from_element(rows, cols, f32::NAN);
                let _ = f.forward(&x, Mode::Eval, &mut Rng::new(0));
                let _ = f.backward(&x, &x);
            }
        }
    }
}
