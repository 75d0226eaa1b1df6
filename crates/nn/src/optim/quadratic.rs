//! Quadratic bowls `f(w) = ½ wᵀ A w − cᵀ w`: the loss surfaces the optimizer figures use.
//!
//! A quadratic is the simplest surface on which optimizers differ: its curvature is the same
//! everywhere, so an ill-conditioned `A` (very different eigenvalues) shows plain gradient
//! descent zig-zagging across the narrow valley while momentum and the adaptive methods do not.

use crate::error::{EngineError, Result};
use crate::tensor::Matrix;

/// `f(w) = ½ wᵀ A w − cᵀ w`, with gradient `∇f = A w − c` and Hessian `A`.
///
/// `A` is stored symmetrised, `(A + Aᵀ)/2`, which leaves `f` unchanged and makes `A w − c` its
/// gradient for any square `A`. Sums run in `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quadratic {
    a: Matrix,
    c: Vec<f32>,
}

impl Quadratic {
    /// The quadratic with `n × n` matrix `a` and vector `c` of length `n` (`n` ≥ 1, finite).
    pub fn new(a: Matrix, c: Vec<f32>) -> Result<Self> {
        let n = c.len();
        if n == 0 {
            return Err(EngineError::Empty {
                what: "the quadratic's c".to_owned(),
            });
        }
        if a.shape() != (n, n) {
            return Err(EngineError::shape("the quadratic's A", (n, n), a.shape()));
        }
        if !a.iter().chain(&c).all(|v| v.is_finite()) {
            return Err(EngineError::NonFinite {
                what: "the quadratic's A and c".to_owned(),
            });
        }
        let a = (&a + a.transpose()) * 0.5;
        Ok(Self { a, c })
    }

    /// The number of variables.
    pub fn dim(&self) -> usize {
        self.c.len()
    }

    /// The (symmetrised) matrix `A`, which is also the Hessian.
    pub fn a(&self) -> &Matrix {
        &self.a
    }

    /// The vector `c`.
    pub fn c(&self) -> &[f32] {
        &self.c
    }

    /// `f(w)`; `w` must have [`Quadratic::dim`] values.
    pub fn value(&self, w: &[f32]) -> Result<f32> {
        self.check(w.len())?;
        let mut total = 0.0_f64;
        for (i, (&wi, &ci)) in w.iter().zip(&self.c).enumerate() {
            let row: f64 = self
                .a
                .row(i)
                .iter()
                .zip(w)
                .map(|(&aij, &wj)| f64::from(aij) * f64::from(wj))
                .sum();
            total += f64::from(wi) * (0.5 * row - f64::from(ci));
        }
        Ok(total as f32)
    }

    /// Writes `∇f(w) = A w − c` into `grad`; both must have [`Quadratic::dim`] values.
    pub fn gradient(&self, w: &[f32], grad: &mut [f32]) -> Result<()> {
        self.check(w.len())?;
        self.check(grad.len())?;
        for (i, (g, &ci)) in grad.iter_mut().zip(&self.c).enumerate() {
            let row: f64 = self
                .a
                .row(i)
                .iter()
                .zip(w)
                .map(|(&aij, &wj)| f64::from(aij) * f64::from(wj))
                .sum();
            *g = (row - f64::from(ci)) as f32;
        }
        Ok(())
    }

    /// The gradient as a callback for [`super::Descent::step`]; a point of the wrong length gets
    /// a NaN gradient.
    pub fn gradient_fn(&self) -> impl FnMut(&[f32], &mut [f32]) + '_ {
        move |w, g| {
            if self.gradient(w, g).is_err() {
                g.fill(f32::NAN);
            }
        }
    }

    /// The minimiser `A⁻¹ c`, if `A` is invertible (it is the minimum when `A` is positive
    /// definite, a saddle point otherwise).
    pub fn stationary_point(&self) -> Option<Vec<f32>> {
        let a = self.a.map(f64::from);
        let c = nalgebra::DVector::from_iterator(self.dim(), self.c.iter().map(|&v| f64::from(v)));
        let w = a.lu().solve(&c)?;
        Some(w.iter().map(|&v| v as f32).collect())
    }

    fn check(&self, len: usize) -> Result<()> {
        super::check_len("point on the quadratic", self.dim(), len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;

    fn bowl() -> Quadratic {
        Quadratic::new(
            from_rows(&[vec![3.0, 0.5], vec![0.5, 1.0]]).unwrap(),
            vec![1.0, -2.0],
        )
        .unwrap()
    }

    #[test]
    fn value_gradient_and_minimum_by_hand() {
        let q = bowl();
        // w = [1, 1]: ½(3 + 0.5 + 0.5 + 1) − (1 − 2) = 2.5 + 1 = 3.5; ∇f = [3.5 − 1, 1.5 + 2].
        assert_eq!(q.value(&[1.0, 1.0]).unwrap(), 3.5);
        let mut g = [0.0; 2];
        q.gradient(&[1.0, 1.0], &mut g).unwrap();
        assert_eq!(g, [2.5, 3.5]);
        // A⁻¹ c = [2, −6.5] / 2.75.
        let w = q.stationary_point().unwrap();
        assert!((w[0] - 2.0 / 2.75).abs() < 1e-6 && (w[1] + 6.5 / 2.75).abs() < 1e-6);
        let mut f = q.gradient_fn();
        f(&[1.0], &mut g);
        assert!(g.iter().all(|v| v.is_nan()));
    }

    #[test]
    fn a_non_symmetric_matrix_is_symmetrised() {
        // [[3, 1], [0, 1]] has the same quadratic form as [[3, 0.5], [0.5, 1]].
        let q = Quadratic::new(
            from_rows(&[vec![3.0, 1.0], vec![0.0, 1.0]]).unwrap(),
            vec![1.0, -2.0],
        )
        .unwrap();
        assert_eq!(q, bowl());
    }

    #[test]
    fn bad_quadratics_are_refused() {
        assert!(Quadratic::new(Matrix::zeros(0, 0), vec![]).is_err());
        assert!(Quadratic::new(Matrix::zeros(2, 3), vec![0.0, 0.0]).is_err());
        assert!(Quadratic::new(Matrix::zeros(1, 1), vec![f32::NAN]).is_err());
        assert!(bowl().value(&[1.0]).is_err());
        assert!(
            Quadratic::new(Matrix::zeros(2, 2), vec![1.0, 1.0])
                .unwrap()
                .stationary_point()
                .is_none()
        );
    }
}
