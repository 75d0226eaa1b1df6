//! Min-max scaling of input features, as scikit-learn's `MinMaxScaler` does it.
//!
//! This is a data transform applied before the network, not a layer: it is fitted once, on the
//! training split only, and the same fitted numbers are then applied to the validation and test
//! splits (fitting on them would leak their range into training). New data outside the training
//! range lands outside the target range; it is not clipped.

use crate::error::{EngineError, Result};
use crate::tensor::Matrix;

/// Checks that `m` holds no infinity (NaN, a missing value, is allowed).
fn check_no_infinity(what: &str, m: &Matrix) -> Result<()> {
    if m.iter().any(|v| v.is_infinite()) {
        return Err(EngineError::NonFinite {
            what: what.to_owned(),
        });
    }
    Ok(())
}

/// Scales each feature (column) linearly so that the training data's minimum maps to `a` and its
/// maximum to `b`, for a target range `(a, b)` with `a < b` — usually `(0, 1)` or `(−1, 1)`.
///
/// Per feature, from the training data: `data_min`, `data_max`, `range = data_max − data_min`,
/// `scale = (b − a) / range` and `offset = a − data_min · scale` (scikit-learn's `scale_` and
/// `min_`), so that `X_scaled = X · scale + offset` and `X = (X_scaled − offset) / scale`.
/// A constant feature (`range` below ten times the `f32` machine epsilon) gets `range` treated
/// as 1, as scikit-learn does: `scale = b − a`, and its values map to `a`.
///
/// Statistics are computed in `f64` and stored as `f32`. As in scikit-learn, NaN marks a missing
/// value: it is ignored when fitting and stays NaN through `transform` and `inverse_transform`.
/// Infinities are refused, and so is a feature with no value at all in the training data (where
/// scikit-learn would give NaN statistics with a warning).
#[derive(Debug, Clone, PartialEq)]
pub struct MinMaxScaler {
    feature_range: (f32, f32),
    data_min: Vec<f32>,
    data_max: Vec<f32>,
    scale: Vec<f32>,
    offset: Vec<f32>,
}

/// `feature_range` as `(a, b)` when it is two finite numbers with `a < b`.
fn check_feature_range(feature_range: (f32, f32)) -> Result<(f32, f32)> {
    let (a, b) = feature_range;
    if a.is_finite() && b.is_finite() && a < b {
        Ok((a, b))
    } else {
        Err(EngineError::hyper(
            "feature range",
            format!("({a}, {b})"),
            "it must be two finite numbers (a, b) with a < b",
        ))
    }
}

impl MinMaxScaler {
    /// Fits the scaler on `train` (one sample per row) for the target range `feature_range`.
    pub fn fit(train: &Matrix, feature_range: (f32, f32)) -> Result<Self> {
        let (a, b) = check_feature_range(feature_range)?;
        if train.nrows() == 0 || train.ncols() == 0 {
            return Err(EngineError::Empty {
                what: "min-max scaler training data".to_owned(),
            });
        }
        check_no_infinity("min-max scaler training data", train)?;
        let width = f64::from(b) - f64::from(a);
        let threshold = 10.0 * f64::from(f32::EPSILON);
        let n = train.ncols();
        let mut scaler = Self {
            feature_range,
            data_min: Vec::with_capacity(n),
            data_max: Vec::with_capacity(n),
            scale: Vec::with_capacity(n),
            offset: Vec::with_capacity(n),
        };
        for (j, col) in train.column_iter().enumerate() {
            // `f32::min` and `f32::max` skip NaN, so missing values are ignored.
            let lo = col.iter().copied().fold(f32::INFINITY, f32::min);
            let hi = col.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            if lo > hi {
                return Err(EngineError::Invalid(format!(
                    "feature {j} of the min-max scaler training data has no value (all missing)"
                )));
            }
            let range = f64::from(hi) - f64::from(lo);
            let range = if range < threshold { 1.0 } else { range };
            let scale = width / range;
            scaler.data_min.push(lo);
            scaler.data_max.push(hi);
            scaler.scale.push(scale as f32);
            scaler
                .offset
                .push((f64::from(a) - f64::from(lo) * scale) as f32);
        }
        Ok(scaler)
    }

    /// A scaler given its per-feature `scale` and `offset` (`X · scale + offset`) for the target
    /// range `feature_range`, as a saved model states them; `data_min` and `data_max` are the
    /// inputs that map to the range's ends. Errors unless both lists have one finite value per
    /// feature, no scale is zero, and the range is two finite numbers `a < b`.
    pub fn from_affine(feature_range: (f32, f32), scale: &[f32], offset: &[f32]) -> Result<Self> {
        let (a, b) = check_feature_range(feature_range)?;
        if scale.is_empty() || scale.len() != offset.len() {
            return Err(EngineError::shape(
                "min-max scale and offset",
                (1, scale.len()),
                (1, offset.len()),
            ));
        }
        if scale.iter().chain(offset).any(|v| !v.is_finite()) || scale.contains(&0.0) {
            return Err(EngineError::Invalid(
                "a min-max scale and offset must be finite numbers, and no scale zero".into(),
            ));
        }
        let end = |t: f32, s: f32, o: f32| ((f64::from(t) - f64::from(o)) / f64::from(s)) as f32;
        let (data_min, data_max) = scale
            .iter()
            .zip(offset)
            .map(|(&s, &o)| (end(a, s, o), end(b, s, o)))
            .unzip();
        Ok(Self {
            feature_range,
            data_min,
            data_max,
            scale: scale.to_vec(),
            offset: offset.to_vec(),
        })
    }

    /// Fits on `train` and returns the scaler with `train` transformed.
    pub fn fit_transform(train: &Matrix, feature_range: (f32, f32)) -> Result<(Self, Matrix)> {
        let scaler = Self::fit(train, feature_range)?;
        let scaled = scaler.transform(train)?;
        Ok((scaler, scaled))
    }

    /// The target range `(a, b)`.
    pub fn feature_range(&self) -> (f32, f32) {
        self.feature_range
    }

    /// The number of features it was fitted on.
    pub fn features(&self) -> usize {
        self.scale.len()
    }

    /// Each feature's minimum in the training data (scikit-learn's `data_min_`).
    pub fn data_min(&self) -> &[f32] {
        &self.data_min
    }

    /// Each feature's maximum in the training data (`data_max_`).
    pub fn data_max(&self) -> &[f32] {
        &self.data_max
    }

    /// `scale = (b − a) / (data_max − data_min)` per feature (`scale_`).
    pub fn scale(&self) -> &[f32] {
        &self.scale
    }

    /// `offset = a − data_min · scale` per feature (scikit-learn's `min_`).
    pub fn offset(&self) -> &[f32] {
        &self.offset
    }

    fn check_width(&self, what: &str, x: &Matrix) -> Result<()> {
        if x.ncols() != self.features() {
            return Err(EngineError::shape(
                what,
                (x.nrows(), self.features()),
                x.shape(),
            ));
        }
        check_no_infinity(what, x)
    }

    /// `X · scale + offset`, column by column.
    pub fn transform(&self, x: &Matrix) -> Result<Matrix> {
        let mut out = x.clone();
        self.transform_in_place(&mut out)?;
        Ok(out)
    }

    /// [`MinMaxScaler::transform`] without allocating.
    pub fn transform_in_place(&self, x: &mut Matrix) -> Result<()> {
        self.check_width("data to scale", x)?;
        for (j, mut col) in x.column_iter_mut().enumerate() {
            let (s, o) = (f64::from(self.scale[j]), f64::from(self.offset[j]));
            for v in col.iter_mut() {
                *v = (f64::from(*v) * s + o) as f32;
            }
        }
        Ok(())
    }

    /// `(X_scaled − offset) / scale`, back to the original units.
    pub fn inverse_transform(&self, scaled: &Matrix) -> Result<Matrix> {
        self.check_width("data to unscale", scaled)?;
        let mut out = scaled.clone();
        for (j, mut col) in out.column_iter_mut().enumerate() {
            let (s, o) = (f64::from(self.scale[j]), f64::from(self.offset[j]));
            for v in col.iter_mut() {
                *v = ((f64::from(*v) - o) / s) as f32;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;
    use proptest::prelude::*;

    fn close(a: f32, b: f32) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }

    #[test]
    fn a_scaler_from_its_scale_and_offset_transforms_as_the_fitted_one() {
        let train = from_rows(&[vec![2.0, -1.0], vec![4.0, 1.0], vec![6.0, 0.0]]).unwrap();
        let fitted = MinMaxScaler::fit(&train, (-1.0, 1.0)).unwrap();
        let given =
            MinMaxScaler::from_affine((-1.0, 1.0), fitted.scale(), fitted.offset()).unwrap();
        assert_eq!(
            given.transform(&train).unwrap(),
            fitted.transform(&train).unwrap()
        );
        assert_eq!(given.data_min(), &[2.0, -1.0]);
        assert_eq!(given.data_max(), &[6.0, 1.0]);
        assert!(MinMaxScaler::from_affine((-1.0, 1.0), &[0.0], &[1.0]).is_err());
        assert!(MinMaxScaler::from_affine((-1.0, 1.0), &[1.0, 2.0], &[1.0]).is_err());
        assert!(MinMaxScaler::from_affine((-1.0, 1.0), &[f32::NAN], &[1.0]).is_err());
    }

    #[test]
    fn unit_range_by_hand() {
        // Column 0: min 2, max 6 → scale 1/4, offset −0.5. Column 1: min −1, max 1 → 1/2, 0.5.
        let train = from_rows(&[vec![2.0, -1.0], vec![4.0, 1.0], vec![6.0, 0.0]]).unwrap();
        let (s, scaled) = MinMaxScaler::fit_transform(&train, (0.0, 1.0)).unwrap();
        assert_eq!(s.data_min(), &[2.0, -1.0]);
        assert_eq!(s.data_max(), &[6.0, 1.0]);
        assert_eq!(s.scale(), &[0.25, 0.5]);
        assert_eq!(s.offset(), &[-0.5, 0.5]);
        let want = [[0.0, 0.0], [0.5, 1.0], [1.0, 0.5]];
        for r in 0..3 {
            for c in 0..2 {
                close(scaled[(r, c)], want[r][c]);
            }
        }
        // New data is scaled with the training numbers, not clipped: 10 → 2, −3 → −1.
        let new = from_rows(&[vec![10.0, -3.0]]).unwrap();
        let t = s.transform(&new).unwrap();
        close(t[(0, 0)], 2.0);
        close(t[(0, 1)], -1.0);
        let back = s.inverse_transform(&scaled).unwrap();
        for (a, b) in back.iter().zip(train.iter()) {
            close(*a, *b);
        }
    }

    #[test]
    fn symmetric_range_and_constant_features() {
        // Column 0: min 0, max 10 → scale 2/10, offset −1. Column 1 is constant 3: range
        // counts as 1, so scale 2, offset −1 − 3·2 = −7, and every 3 maps to −1.
        let train = from_rows(&[vec![0.0, 3.0], vec![10.0, 3.0], vec![5.0, 3.0]]).unwrap();
        let (s, scaled) = MinMaxScaler::fit_transform(&train, (-1.0, 1.0)).unwrap();
        close(s.scale()[0], 0.2);
        close(s.offset()[0], -1.0);
        assert_eq!(s.scale()[1], 2.0);
        assert_eq!(s.offset()[1], -7.0);
        close(scaled[(2, 0)], 0.0);
        assert_eq!(scaled[(0, 1)], -1.0);
        let back = s.inverse_transform(&scaled).unwrap();
        assert_eq!(back[(1, 1)], 3.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        let train = from_rows(&[vec![1.0, 2.0]]).unwrap();
        assert!(MinMaxScaler::fit(&train, (1.0, 1.0)).is_err());
        assert!(MinMaxScaler::fit(&train, (0.0, f32::NAN)).is_err());
        assert!(MinMaxScaler::fit(&Matrix::zeros(0, 2), (0.0, 1.0)).is_err());
        let all_missing = from_rows(&[vec![1.0, f32::NAN]]).unwrap();
        assert!(MinMaxScaler::fit(&all_missing, (0.0, 1.0)).is_err());
        let inf = from_rows(&[vec![1.0, f32::INFINITY]]).unwrap();
        assert!(MinMaxScaler::fit(&inf, (0.0, 1.0)).is_err());
        let s = MinMaxScaler::fit(&train, (0.0, 1.0)).unwrap();
        assert!(s.transform(&Matrix::zeros(1, 3)).is_err());
        assert!(s.inverse_transform(&inf).is_err());
        // A single sample makes every feature constant: all map to a.
        assert_eq!(s.transform(&train).unwrap().as_slice(), &[0.0, 0.0]);
    }

    #[test]
    fn missing_values_are_ignored_in_fit_and_kept_in_transform() {
        // Column 0 fits on {1, 3}, column 1 on {2, 4}: scale 1/2 each, offsets −0.5 and −1.
        let nan = f32::NAN;
        let train = from_rows(&[vec![1.0, nan], vec![3.0, 2.0], vec![nan, 4.0]]).unwrap();
        let (s, scaled) = MinMaxScaler::fit_transform(&train, (0.0, 1.0)).unwrap();
        assert_eq!(s.data_min(), &[1.0, 2.0]);
        assert_eq!(s.data_max(), &[3.0, 4.0]);
        assert_eq!(s.offset(), &[-0.5, -1.0]);
        assert!(scaled[(0, 1)].is_nan() && scaled[(2, 0)].is_nan());
        assert_eq!(scaled[(1, 0)], 1.0);
        let back = s.inverse_transform(&scaled).unwrap();
        assert!(back[(0, 1)].is_nan());
        assert_eq!(back[(2, 1)], 4.0);
    }

    proptest! {
        #[test]
        fn never_panics_and_round_trips(
            rows in 0usize..5,
            cols in 0usize..4,
            a in prop_oneof![-5.0f32..5.0, Just(f32::NAN)],
            width in -1.0f32..5.0,
            seed in 0u32..1000,
            poison in any::<bool>(),
        ) {
            let mut rng = crate::rng::Rng::new(seed);
            let mut x = Matrix::from_fn(rows, cols, |_, _| rng.range(-100.0, 100.0));
            if poison && !x.is_empty() {
                x[(0, 0)] = if seed % 2 == 0 { f32::INFINITY } else { f32::NAN };
            }
            if let Ok((s, scaled)) = MinMaxScaler::fit_transform(&x, (a, a + width)) {
                // `x·scale + offset` in f32 rounds by up to about ε·(|x·scale| + |offset|): two
                // close data values give a large scale and offset that cancel, so the bound
                // grows with them (seed 565: offset 3226, rounding 2.4e-4).
                for (k, (v, u)) in scaled.iter().zip(x.iter()).enumerate() {
                    if v.is_nan() {
                        continue;
                    }
                    // Column-major storage: element k is in column k / rows.
                    let j = k / rows.max(1);
                    let rounding = 4.0 * f32::EPSILON
                        * ((u * s.scale()[j]).abs() + s.offset()[j].abs());
                    let tol = 1e-4 + rounding;
                    prop_assert!(*v >= a - tol && *v <= a + width + tol, "{v} vs [{a}, {}] ± {tol}", a + width);
                }
                // A narrow target range loses f32 precision on the way back; check wide ones.
                let back = s.inverse_transform(&scaled).unwrap();
                for (u, v) in back.iter().zip(x.iter()).filter(|(_, v)| !v.is_nan()) {
                    prop_assert!(width < 0.5 || (u - v).abs() < 1e-3 * (1.0 + v.abs()));
                }
            }
        }
    }
}
