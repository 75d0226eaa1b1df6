//! The Playground's input features: functions of a point `(x₁, x₂)` a reader can switch on and off.
//!
//! A [`FeatureSet`] chooses some of the seven [`Feature`]s; [`design_matrix`] turns `n × 2` points
//! into the `n × m` matrix of the chosen features, always in the fixed order of [`Feature::ALL`].

use crate::data::Dataset;
use crate::error::{EngineError, Result};
use crate::tensor::{Matrix, Shape, check_cols, check_finite, ensure_shape};

/// One input feature computed from a point `(x₁, x₂)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `x₁`.
    X1,
    /// `x₂`.
    X2,
    /// `x₁²`.
    X1Squared,
    /// `x₂²`.
    X2Squared,
    /// `x₁·x₂`.
    X1TimesX2,
    /// `sin x₁`.
    SinX1,
    /// `sin x₂`.
    SinX2,
}

impl Feature {
    /// Every feature, in the order design-matrix columns follow.
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1TimesX2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// The feature's value at `(x1, x2)`.
    pub fn value(&self, x1: f32, x2: f32) -> f32 {
        match self {
            Feature::X1 => x1,
            Feature::X2 => x2,
            Feature::X1Squared => x1 * x1,
            Feature::X2Squared => x2 * x2,
            Feature::X1TimesX2 => x1 * x2,
            Feature::SinX1 => x1.sin(),
            Feature::SinX2 => x2.sin(),
        }
    }

    /// The name shown on the page: "x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin(x₁)", "sin(x₂)".
    pub fn label(&self) -> &'static str {
        match self {
            Feature::X1 => "x₁",
            Feature::X2 => "x₂",
            Feature::X1Squared => "x₁²",
            Feature::X2Squared => "x₂²",
            Feature::X1TimesX2 => "x₁x₂",
            Feature::SinX1 => "sin(x₁)",
            Feature::SinX2 => "sin(x₂)",
        }
    }

    /// A plain identifier for URLs: "x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2".
    pub fn id(&self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1sq",
            Feature::X2Squared => "x2sq",
            Feature::X1TimesX2 => "x1x2",
            Feature::SinX1 => "sinx1",
            Feature::SinX2 => "sinx2",
        }
    }

    /// The feature with this [`id`](Self::id), or an error naming the unknown id.
    pub fn from_id(id: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id).ok_or_else(|| {
            EngineError::Invalid(format!(
                "\"{id}\" is not a feature; the features are x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2"
            ))
        })
    }

    /// The feature's bit in a [`FeatureSet`] (its position in [`Feature::ALL`]).
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A choice of features, kept in the fixed order of [`Feature::ALL`] (a 7-bit mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FeatureSet {
    bits: u8,
}

impl FeatureSet {
    /// The Playground's default: `x₁` and `x₂`.
    pub const PLAIN: FeatureSet = FeatureSet { bits: 0b11 };

    /// All seven features.
    pub const ALL: FeatureSet = FeatureSet { bits: 0x7f };

    /// The set of the given features (order and repeats do not matter).
    pub fn new(features: &[Feature]) -> Self {
        Self {
            bits: features.iter().fold(0, |bits, f| bits | f.bit()),
        }
    }

    /// The set whose mask is `bits` (bit `i` for `Feature::ALL[i]`); errors for bits above the 7th.
    pub fn from_bits(bits: u8) -> Result<Self> {
        if bits & 0x80 == 0 {
            Ok(Self { bits })
        } else {
            Err(EngineError::hyper(
                "feature mask",
                bits,
                "only the low 7 bits name features",
            ))
        }
    }

    /// The mask: bit `i` set when `Feature::ALL[i]` is chosen.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Whether `feature` is chosen.
    pub fn contains(&self, feature: Feature) -> bool {
        self.bits & feature.bit() != 0
    }

    /// Chooses or drops `feature`.
    pub fn set(&mut self, feature: Feature, on: bool) {
        if on {
            self.bits |= feature.bit();
        } else {
            self.bits &= !feature.bit();
        }
    }

    /// The chosen features in column order.
    pub fn iter(&self) -> impl Iterator<Item = Feature> + '_ {
        Feature::ALL.into_iter().filter(|f| self.contains(*f))
    }

    /// The number of chosen features (the design matrix's width).
    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether no feature is chosen.
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The page names of the chosen features, in column order.
    pub fn labels(&self) -> Vec<&'static str> {
        self.iter().map(|f| f.label()).collect()
    }
}

/// Fills `out` (`n × set.len()`, reused when already that shape) with the chosen features of the
/// points `points` (`n × 2`, columns `x₁`, `x₂`), columns in the order of [`Feature::ALL`].
///
/// Errors for an empty feature set or points that are not two columns wide.
pub fn design_matrix(points: &Matrix, set: FeatureSet, out: &mut Matrix) -> Result<()> {
    if set.is_empty() {
        return Err(EngineError::Empty {
            what: "the feature set".to_owned(),
        });
    }
    check_cols("points for the input features", points, 2)?;
    let n = points.nrows();
    ensure_shape(out, n, set.len());
    for (col, feature) in set.iter().enumerate() {
        for r in 0..n {
            out[(r, col)] = feature.value(points[(r, 0)], points[(r, 1)]);
        }
    }
    Ok(())
}

/// A copy of a 2-D dataset whose inputs are the chosen features of its points (targets and labels
/// unchanged). Errors when the dataset is not 2-D or a feature overflows to infinity.
pub fn featurize(data: &Dataset, set: FeatureSet) -> Result<Dataset> {
    let mut x = Matrix::zeros(0, 0);
    design_matrix(data.x(), set, &mut x)?;
    check_finite("the input features", &x)?;
    Ok(Dataset {
        x,
        targets: data.targets().clone(),
        labels: data.labels().map(<[usize]>::to_vec),
        task: data.task(),
        sample_shape: Shape::Flat(set.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;
    use proptest::prelude::*;

    #[test]
    fn design_matrix_by_hand() {
        // At (2, −1): x₁ = 2, x₂ = −1, x₁² = 4, x₂² = 1, x₁x₂ = −2, sin 2 = 0.909297, sin(−1) = −0.841471.
        let p = from_rows(&[vec![2.0, -1.0]]).unwrap();
        let mut out = Matrix::zeros(0, 0);
        design_matrix(&p, FeatureSet::ALL, &mut out).unwrap();
        let want = [2.0, -1.0, 4.0, 1.0, -2.0, 0.909_297, -0.841_471];
        for (c, w) in want.iter().enumerate() {
            assert!((out[(0, c)] - w).abs() < 1e-6, "column {c}");
        }
        // Choosing sin x₂ and x₁² (in any order) gives columns x₁², sin x₂.
        let set = FeatureSet::new(&[Feature::SinX2, Feature::X1Squared]);
        design_matrix(&p, set, &mut out).unwrap();
        assert_eq!(out.shape(), (1, 2));
        assert_eq!(out[(0, 0)], 4.0);
        assert_eq!(set.labels(), ["x₁²", "sin(x₂)"]);
    }

    #[test]
    fn sets_and_ids() {
        let mut s = FeatureSet::PLAIN;
        assert_eq!(s.len(), 2);
        s.set(Feature::X1TimesX2, true);
        s.set(Feature::X1, false);
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            [Feature::X2, Feature::X1TimesX2]
        );
        assert_eq!(FeatureSet::from_bits(s.bits()).unwrap(), s);
        assert!(FeatureSet::from_bits(0x80).is_err());
        for f in Feature::ALL {
            assert_eq!(Feature::from_id(f.id()).unwrap(), f);
        }
        assert!(Feature::from_id("cos").is_err());
    }

    #[test]
    fn errors() {
        let mut out = Matrix::zeros(0, 0);
        let p3 = Matrix::zeros(2, 3);
        assert!(design_matrix(&p3, FeatureSet::ALL, &mut out).is_err());
        assert!(design_matrix(&Matrix::zeros(2, 2), FeatureSet::new(&[]), &mut out).is_err());
        let big = Dataset::binary(from_rows(&[vec![1e30, 0.0]]).unwrap(), vec![1]).unwrap();
        assert!(featurize(&big, FeatureSet::ALL).is_err());
        let d = featurize(&big, FeatureSet::PLAIN).unwrap();
        assert_eq!(d.sample_shape(), Shape::Flat(2));
    }

    proptest! {
        #[test]
        fn never_panics(bits in any::<u8>(), x1 in prop::num::f32::ANY, x2 in prop::num::f32::ANY) {
            if let Ok(set) = FeatureSet::from_bits(bits) {
                let p = from_rows(&[vec![x1, x2]]).unwrap();
                let mut out = Matrix::zeros(0, 0);
                if design_matrix(&p, set, &mut out).is_ok() {
                    prop_assert_eq!(out.ncols(), set.len());
                }
            }
        }
    }
}
