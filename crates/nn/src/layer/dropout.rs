//! Inverted dropout: in training, each activation is zeroed at random and the survivors are
//! scaled up so that the expected output equals the input; in evaluation it does nothing.
//!
//! Dropout is not pruning. Dropout zeroes randomly chosen *activations*, afresh on every
//! training pass, and only while training: every weight survives and the whole network is used
//! for prediction. Pruning removes chosen *weights* (usually the smallest) or whole units,
//! permanently, to make a trained network smaller. "Cutting connections whose weight is low"
//! describes pruning, not dropout.

use crate::error::{EngineError, Result, check_range};
use crate::layer::{Mode, Module};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols, ensure_shape};

/// Inverted dropout with drop probability `p` in `[0, 1]`.
///
/// In training, for every activation independently, `m ~ Bernoulli(1 − p)` (1 = kept) and
/// `y = x · m / (1 − p)`; in evaluation `y = x`. Scaling the survivors by `1 / (1 − p)` keeps
/// `E[y] = x`, so nothing needs rescaling at prediction time.
///
/// At `p = 1` every unit is dropped and there are no survivors to scale: training gives
/// `y = x · 0` and `dL/dx = dL/dy · 0`, all zeros, with no division (PyTorch's convention; the
/// scale [`Dropout::scale`] is 0 there). As for any dropped unit, a non-finite input or gradient
/// gives NaN (`∞ · 0`).
///
/// The mask of the last pass is kept (`keep_mask`, 1 for a kept unit, 0 for a dropped one) so
/// the page can grey out the dropped units of each sample on its network diagram. The random
/// draws are taken sample by sample and, within a sample, unit by unit (row-major), one
/// [`Rng::bernoulli`] call each: a unit is dropped when it returns `true`. The draws are taken
/// at every rate, 0 and 1 included, so the generator advances the same way whatever `p` is.
///
/// # Shapes
/// Input and output: `(batch, n)` with `n = shape.size()`; the mask is `(batch, n)` too.
///
/// # Gradients
/// Training: `dL/dx = dL/dy · m / (1 − p)` (zeros at `p = 1`). Evaluation: `dL/dx = dL/dy`.
#[derive(Debug, Clone)]
pub struct Dropout {
    shape: Shape,
    p: f32,
    mode: Mode,
    mask: Matrix,
    y: Matrix,
    dx: Matrix,
}

impl Dropout {
    /// Dropout over samples of `shape`, dropping each activation with probability `p` in
    /// `[0, 1]` (`p = 1` drops everything: training outputs and gradients are all zeros).
    pub fn new(shape: Shape, p: f32) -> Result<Self> {
        let p = Self::check_p(p)?;
        let n = shape.size();
        Ok(Self {
            shape,
            p,
            mode: Mode::Eval,
            mask: Matrix::zeros(0, n),
            y: Matrix::zeros(0, n),
            dx: Matrix::zeros(0, n),
        })
    }

    fn check_p(p: f32) -> Result<f32> {
        check_range("dropout rate p", p, 0.0, 1.0)
    }

    /// The drop probability `p`.
    pub fn p(&self) -> f32 {
        self.p
    }

    /// Changes the drop probability (must be in `[0, 1]`).
    pub fn set_p(&mut self, p: f32) -> Result<()> {
        self.p = Self::check_p(p)?;
        Ok(())
    }

    /// The factor survivors are multiplied by in training, `1 / (1 − p)`; 0 at `p = 1`, where
    /// there are no survivors (so nothing is divided by zero).
    pub fn scale(&self) -> f32 {
        if self.p >= 1.0 {
            0.0
        } else {
            1.0 / (1.0 - self.p)
        }
    }

    /// The mode of the last forward pass.
    pub fn last_mode(&self) -> Mode {
        self.mode
    }

    /// The mask of the last forward pass, `(batch, n)`: 1 where a unit was kept, 0 where it was
    /// dropped (all ones after an evaluation pass).
    pub fn keep_mask(&self) -> &Matrix {
        &self.mask
    }

    /// Whether unit `unit` of sample `sample` was kept in the last pass (`None` if out of range).
    pub fn is_kept(&self, sample: usize, unit: usize) -> Option<bool> {
        self.mask.get((sample, unit)).map(|&m| m != 0.0)
    }

    /// The fraction of activations dropped in the last pass (0 for an empty batch).
    pub fn dropped_fraction(&self) -> f32 {
        if self.mask.is_empty() {
            return 0.0;
        }
        let dropped = self.mask.iter().filter(|&&m| m == 0.0).count();
        dropped as f32 / self.mask.len() as f32
    }

    /// A training pass with a given mask instead of a random one: `y = x · keep_mask / (1 − p)`.
    /// `keep_mask` has the input's shape and holds only 0 (dropped) and 1 (kept); at `p = 1` it
    /// must be all zeros, since no unit can be kept (and a kept unit would have no scale).
    pub fn forward_with_mask(&mut self, input: &Matrix, keep_mask: &Matrix) -> Result<()> {
        check_cols("dropout input", input, self.shape.size())?;
        if keep_mask.shape() != input.shape() {
            return Err(EngineError::shape(
                "dropout keep mask",
                input.shape(),
                keep_mask.shape(),
            ));
        }
        if keep_mask.iter().any(|&m| m != 0.0 && m != 1.0) {
            return Err(EngineError::Invalid(
                "a dropout keep mask may hold only 0 (dropped) and 1 (kept)".to_owned(),
            ));
        }
        if self.p >= 1.0 && keep_mask.iter().any(|&m| m != 0.0) {
            return Err(EngineError::Invalid(
                "at dropout rate p = 1 every unit is dropped: the keep mask must be all zeros"
                    .to_owned(),
            ));
        }
        ensure_shape(&mut self.mask, input.nrows(), input.ncols());
        self.mask.copy_from(keep_mask);
        self.mode = Mode::Train;
        self.apply_mask(input);
        Ok(())
    }

    /// `y = x · mask · scale` in training, `y = x` in evaluation.
    fn apply_mask(&mut self, input: &Matrix) {
        ensure_shape(&mut self.y, input.nrows(), input.ncols());
        match self.mode {
            Mode::Train => {
                let scale = self.scale();
                for ((y, &x), &m) in self.y.iter_mut().zip(input.iter()).zip(self.mask.iter()) {
                    *y = x * m * scale;
                }
            }
            Mode::Eval => self.y.copy_from(input),
        }
    }
}

impl Module for Dropout {
    fn kind(&self) -> &'static str {
        "dropout"
    }

    fn input_shape(&self) -> Shape {
        self.shape
    }

    fn output_shape(&self) -> Shape {
        self.shape
    }

    fn forward(&mut self, input: &Matrix, mode: Mode, rng: &mut Rng) -> Result<()> {
        check_cols("dropout input", input, self.shape.size())?;
        let (rows, cols) = input.shape();
        ensure_shape(&mut self.mask, rows, cols);
        self.mode = mode;
        match mode {
            Mode::Train => {
                for r in 0..rows {
                    for c in 0..cols {
                        self.mask[(r, c)] = if rng.bernoulli(self.p) { 0.0 } else { 1.0 };
                    }
                }
            }
            Mode::Eval => self.mask.fill(1.0),
        }
        self.apply_mask(input);
        Ok(())
    }

    fn output(&self) -> &Matrix {
        &self.y
    }

    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()> {
        if grad_output.shape() != self.mask.shape() || input.shape() != self.mask.shape() {
            return Err(EngineError::shape(
                "dropout output gradient",
                self.mask.shape(),
                grad_output.shape(),
            ));
        }
        ensure_shape(&mut self.dx, grad_output.nrows(), grad_output.ncols());
        match self.mode {
            Mode::Train => {
                let scale = self.scale();
                for ((dx, &g), &m) in self
                    .dx
                    .iter_mut()
                    .zip(grad_output.iter())
                    .zip(self.mask.iter())
                {
                    *dx = g * m * scale;
                }
            }
            Mode::Eval => self.dx.copy_from(grad_output),
        }
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
    fn given_mask_scales_survivors() {
        let mut d = Dropout::new(Shape::Flat(3), 0.5).unwrap();
        let x = from_rows(&[vec![1.0, -2.0, 3.0], vec![4.0, 5.0, -6.0]]).unwrap();
        let m = from_rows(&[vec![1.0, 0.0, 1.0], vec![0.0, 0.0, 1.0]]).unwrap();
        d.forward_with_mask(&x, &m).unwrap();
        // Kept values are doubled (1 / (1 − 0.5) = 2), dropped ones are 0.
        let want = from_rows(&[vec![2.0, 0.0, 6.0], vec![0.0, 0.0, -12.0]]).unwrap();
        assert_eq!(d.output(), &want);
        assert_eq!(d.is_kept(0, 1), Some(false));
        assert_eq!(d.is_kept(1, 2), Some(true));
        assert_eq!(d.is_kept(2, 0), None);
        assert!((d.dropped_fraction() - 0.5).abs() < 1e-6);
        let g = from_rows(&[vec![1.0, 1.0, 1.0], vec![0.5, 0.5, 0.5]]).unwrap();
        d.backward(&x, &g).unwrap();
        let want_dx = from_rows(&[vec![2.0, 0.0, 2.0], vec![0.0, 0.0, 1.0]]).unwrap();
        assert_eq!(d.grad_input(), &want_dx);
    }

    #[test]
    fn evaluation_is_the_identity() {
        let mut d = Dropout::new(Shape::Flat(2), 0.9).unwrap();
        let x = from_rows(&[vec![1.5, -2.5]]).unwrap();
        d.forward(&x, Mode::Eval, &mut Rng::new(1)).unwrap();
        assert_eq!(d.output(), &x);
        assert_eq!(d.dropped_fraction(), 0.0);
        let g = from_rows(&[vec![0.3, -0.7]]).unwrap();
        d.backward(&x, &g).unwrap();
        assert_eq!(d.grad_input(), &g);
    }

    #[test]
    fn gradient_with_fixed_mask_matches_finite_differences() {
        let mut d = Dropout::new(Shape::Flat(3), 0.3).unwrap();
        let x = from_rows(&[vec![0.2, -0.4, 1.1], vec![-0.9, 0.5, 0.3]]).unwrap();
        let m = from_rows(&[vec![1.0, 0.0, 1.0], vec![1.0, 1.0, 0.0]]).unwrap();
        let g = from_rows(&[vec![0.7, -1.2, 0.4], vec![-0.3, 0.9, 1.5]]).unwrap();
        let loss = |d: &mut Dropout, x: &Matrix| -> f64 {
            d.forward_with_mask(x, &m).unwrap();
            d.output()
                .iter()
                .zip(g.iter())
                .map(|(a, b)| f64::from(a * b))
                .sum()
        };
        loss(&mut d, &x);
        d.backward(&x, &g).unwrap();
        let h = 1e-2_f32;
        for i in 0..x.len() {
            let mut xp = x.clone();
            xp.as_mut_slice()[i] += h;
            let mut xm = x.clone();
            xm.as_mut_slice()[i] -= h;
            let num =
                (loss(&mut d.clone(), &xp) - loss(&mut d.clone(), &xm)) / (2.0 * f64::from(h));
            let got = f64::from(d.grad_input().as_slice()[i]);
            assert!((got - num).abs() < 2e-3, "dx[{i}]: {got} vs {num}");
        }
    }

    #[test]
    fn expectation_is_preserved_and_drop_rate_is_p() {
        // 100 000 draws of dropout(p = 0.3) on a constant 2: the mean stays 2 and about 30 % are 0.
        let n = 100_000;
        let p = 0.3;
        let mut d = Dropout::new(Shape::Flat(1000), p).unwrap();
        let x = Matrix::from_element(n / 1000, 1000, 2.0);
        d.forward(&x, Mode::Train, &mut Rng::new(904)).unwrap();
        let mean = d.output().iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
        let zeros = d.output().iter().filter(|&&v| v == 0.0).count() as f64 / n as f64;
        // The standard error of the zero fraction is √(0.3·0.7/10⁵) ≈ 0.0014; of the mean,
        // 2·√(p/(1−p))/√n ≈ 0.0041. Allow about four of each.
        assert!((zeros - 0.3).abs() < 0.006, "zero fraction {zeros}");
        assert!((mean - 2.0).abs() < 0.017, "mean {mean}");
        // Every survivor is 2 / 0.7.
        let survivor = 2.0 / 0.7_f32;
        assert!(
            d.output()
                .iter()
                .all(|&v| v == 0.0 || (v - survivor).abs() < 1e-6)
        );
    }

    #[test]
    fn draws_follow_the_documented_order() {
        let mut d = Dropout::new(Shape::Flat(3), 0.5).unwrap();
        let x = Matrix::from_element(2, 3, 1.0);
        d.forward(&x, Mode::Train, &mut Rng::new(7)).unwrap();
        let mut rng = Rng::new(7);
        for r in 0..2 {
            for c in 0..3 {
                assert_eq!(d.is_kept(r, c), Some(!rng.bernoulli(0.5)), "({r},{c})");
            }
        }
    }

    #[test]
    fn p_zero_keeps_everything() {
        let mut d = Dropout::new(Shape::Flat(4), 0.0).unwrap();
        let x = from_rows(&[vec![1.0, 2.0, 3.0, 4.0]]).unwrap();
        d.forward(&x, Mode::Train, &mut Rng::new(3)).unwrap();
        assert_eq!(d.output(), &x);
    }

    #[test]
    fn p_one_drops_everything() {
        // PyTorch's convention: at p = 1 the training output and gradient are x · 0 and g · 0.
        let mut d = Dropout::new(Shape::Flat(3), 1.0).unwrap();
        assert_eq!(d.scale(), 0.0);
        let x = from_rows(&[vec![1.012, -0.443, -0.341], vec![0.499, -0.157, -0.648]]).unwrap();
        let mut rng = Rng::new(3);
        d.forward(&x, Mode::Train, &mut rng).unwrap();
        assert!(d.output().iter().all(|&v| v == 0.0), "{}", d.output());
        assert_eq!(d.keep_mask(), &Matrix::zeros(2, 3));
        assert_eq!(d.dropped_fraction(), 1.0);
        // The six draws were still taken, one per unit.
        let mut same = Rng::new(3);
        for _ in 0..6 {
            same.next_u32();
        }
        assert_eq!(rng.next_u32(), same.next_u32());
        let g = from_rows(&[vec![0.7, -1.2, 0.4], vec![-0.3, 0.9, 1.5]]).unwrap();
        d.backward(&x, &g).unwrap();
        assert!(
            d.grad_input().iter().all(|&v| v == 0.0),
            "{}",
            d.grad_input()
        );
        // Evaluation is still the identity.
        d.forward(&x, Mode::Eval, &mut Rng::new(3)).unwrap();
        assert_eq!(d.output(), &x);
        d.backward(&x, &g).unwrap();
        assert_eq!(d.grad_input(), &g);
        // A given mask must drop everything too.
        d.forward_with_mask(&x, &Matrix::zeros(2, 3)).unwrap();
        assert!(d.output().iter().all(|&v| v == 0.0));
        let one_kept = from_rows(&[vec![0.0, 1.0, 0.0], vec![0.0, 0.0, 0.0]]).unwrap();
        let err = d.forward_with_mask(&x, &one_kept).unwrap_err();
        assert!(err.to_string().contains("p = 1"), "{err}");
        // A rate can be raised to 1 and lowered again.
        let mut e = Dropout::new(Shape::Flat(3), 0.5).unwrap();
        e.set_p(1.0).unwrap();
        assert_eq!(e.scale(), 0.0);
        e.set_p(0.5).unwrap();
        assert_eq!(e.scale(), 2.0);
    }

    #[test]
    fn p_one_gradient_matches_finite_differences() {
        // At p = 1 the output is 0 whatever x is, so every central difference is 0 too.
        let mut d = Dropout::new(Shape::Flat(2), 1.0).unwrap();
        let x = from_rows(&[vec![0.3, -0.8]]).unwrap();
        let g = from_rows(&[vec![1.1, -0.6]]).unwrap();
        let loss = |d: &mut Dropout, x: &Matrix| -> f64 {
            d.forward(x, Mode::Train, &mut Rng::new(9)).unwrap();
            d.output()
                .iter()
                .zip(g.iter())
                .map(|(a, b)| f64::from(a * b))
                .sum()
        };
        loss(&mut d, &x);
        d.backward(&x, &g).unwrap();
        let h = 1e-2_f32;
        for i in 0..x.len() {
            let mut xp = x.clone();
            xp.as_mut_slice()[i] += h;
            let mut xm = x.clone();
            xm.as_mut_slice()[i] -= h;
            let num =
                (loss(&mut d.clone(), &xp) - loss(&mut d.clone(), &xm)) / (2.0 * f64::from(h));
            let got = f64::from(d.grad_input().as_slice()[i]);
            assert!((got - num).abs() < 2e-3, "dx[{i}]: {got} vs {num}");
        }
    }

    #[test]
    fn bad_rates_and_masks_are_errors() {
        for p in [1.0 + f32::EPSILON, 1.5, -0.1, f32::NAN, f32::INFINITY] {
            assert!(Dropout::new(Shape::Flat(2), p).is_err(), "p = {p}");
        }
        let mut d = Dropout::new(Shape::Flat(2), 0.5).unwrap();
        let x = Matrix::zeros(1, 2);
        assert!(
            d.forward_with_mask(&x, &Matrix::from_element(1, 2, 0.5))
                .is_err()
        );
        assert!(d.forward_with_mask(&x, &Matrix::zeros(2, 2)).is_err());
        assert!(d.set_p(1.5).is_err());
        assert_eq!(d.p(), 0.5);
        assert!(
            d.forward(&Matrix::zeros(1, 3), Mode::Train, &mut Rng::new(0))
                .is_err()
        );
        d.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        assert!(d.backward(&x, &Matrix::zeros(2, 2)).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(
            rows in 0usize..4,
            cols in 0usize..5,
            width in 0usize..5,
            p in prop_oneof![-1.0f32..2.0, Just(0.0), Just(1.0), Just(f32::NAN), Just(f32::INFINITY)],
            v in prop_oneof![-1e3f32..1e3, Just(f32::NAN), Just(f32::NEG_INFINITY)],
            train in any::<bool>(),
        ) {
            if let Ok(mut d) = Dropout::new(Shape::Flat(width), p) {
                let x = Matrix::from_element(rows, cols, v);
                let mode = if train { Mode::Train } else { Mode::Eval };
                let _ = d.forward(&x, mode, &mut Rng::new(1));
                let _ = d.backward(&x, &x);
                let _ = d.forward_with_mask(&x, &Matrix::from_element(rows, cols, 1.0));
                let _ = d.forward_with_mask(&x, &Matrix::zeros(rows, cols));
                let _ = d.backward(&x, &x);
                let _ = d.dropped_fraction();
            }
        }
    }
}
