//! The normalization figure's data and runs: a classification set whose second feature is
//! measured in much larger units than the first, its features min-max scaled to `[0, 1]` and to
//! `[−1, 1]` (fitted on the training split only), and two playground runs that differ only in
//! whether the inputs are scaled.

use crate::playground::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::Dataset;
use spiega_nn::data::split::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::Result;
use spiega_nn::normalize::MinMaxScaler;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::rng::Rng;
use spiega_nn::tensor::Matrix;

/// How many times larger the second feature's unit is than the first's.
pub const SECOND_SCALE: f32 = 100.0;
/// The offset added to the second feature (it no longer straddles zero).
pub const SECOND_OFFSET: f32 = 500.0;

/// The circle data set (class 1 inside a ring of class 0, both features in about `[−6, 6]`)
/// with its second feature rewritten as `x₂' = 100·x₂ + 500`, as if measured in other units:
/// the same points and the same boundary, one axis about 100 times longer.
pub fn badly_scaled(points: usize, seed: u32) -> Result<Dataset> {
    let data = TwoD::Circle.generate(points, 0.0, &mut Rng::new(seed))?;
    let (mut x, _, labels) = data.into_parts();
    for r in 0..x.nrows() {
        x[(r, 1)] = SECOND_SCALE * x[(r, 1)] + SECOND_OFFSET;
    }
    Dataset::binary(x, labels.unwrap_or_default())
}

/// The playground settings both runs share (two tanh layers of 6 and 4, SGD at 0.1, batches of
/// 10); only `normalize` differs (scaled to `[−1, 1]`).
pub fn run_config(data: Dataset, normalize: bool, seed: u32) -> PlaygroundConfig {
    let mut optimizer = OptimizerConfig::new(OptimizerKind::Sgd);
    optimizer.lr = 0.1;
    PlaygroundConfig {
        data: DataKind::Custom(data),
        split: SplitFractions::new(0.6, 0.2, 0.2),
        normalize,
        hidden: vec![6, 4],
        activation: Activation::Tanh,
        optimizer,
        batch_size: 10,
        seed,
        ..PlaygroundConfig::default()
    }
}

/// Points in the figure's data set.
pub const POINTS: usize = 300;

/// The seed of the figure's data, split and both networks.
pub const SEED: u32 = 3;

/// Updates each run makes between two records of the figure's curves.
pub const UPDATES_PER_RECORD: u32 = 10;

/// The updates after which the figure's training stops by itself.
pub const SHOWN_UPDATES: u64 = 2000;

/// The two runs, raw first, with the same data, split, network shape and seed.
pub fn runs(points: usize, seed: u32) -> Result<[Playground; 2]> {
    let data = badly_scaled(points, seed)?;
    Ok([
        Playground::new(run_config(data.clone(), false, seed))?,
        Playground::new(run_config(data, true, seed))?,
    ])
}

/// Each feature's range in one view of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRanges {
    /// Per feature, the smallest and largest value on the training split.
    pub train: Vec<(f32, f32)>,
    /// Per feature, the smallest and largest value on the other (validation) split.
    pub other: Vec<(f32, f32)>,
}

/// The training and validation inputs as they are, scaled to `[0, 1]` and scaled to `[−1, 1]`,
/// each scaler fitted on the training split only (so validation values may fall outside).
#[derive(Debug, Clone, PartialEq)]
pub struct ScaledViews {
    /// The views in order raw, `[0, 1]`, `[−1, 1]`: (training inputs, validation inputs).
    pub views: [(Matrix, Matrix); 3],
    /// Each view's feature ranges.
    pub ranges: [FeatureRanges; 3],
}

/// Per column, `(min, max)`.
fn column_ranges(m: &Matrix) -> Vec<(f32, f32)> {
    (0..m.ncols())
        .map(|c| {
            m.column(c)
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .collect()
}

/// Scales `train` and `other` both ways, fitted on `train`.
pub fn scaled_views(train: &Matrix, other: &Matrix) -> Result<ScaledViews> {
    let unit = MinMaxScaler::fit(train, (0.0, 1.0))?;
    let symmetric = MinMaxScaler::fit(train, (-1.0, 1.0))?;
    let views = [
        (train.clone(), other.clone()),
        (unit.transform(train)?, unit.transform(other)?),
        (symmetric.transform(train)?, symmetric.transform(other)?),
    ];
    let ranges = [0, 1, 2].map(|i| FeatureRanges {
        train: column_ranges(&views[i].0),
        other: column_ranges(&views[i].1),
    });
    Ok(ScaledViews { views, ranges })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Try this (normalization): the raw run's validation loss stays near 0.69 for all 2,000
    /// updates; the scaled run gets every validation point right within 1,000.
    ///
    /// What the prose says, at every record of the figure's run: the raw run's validation loss
    /// stays near ln 2 (a coin toss) for all 2,000 updates; the scaled one gets every validation
    /// point right within about 1,000 updates and stays there.
    #[test]
    fn the_raw_run_never_gets_going_and_the_scaled_one_gets_everything_right() {
        let [mut raw, mut scaled] = runs(POINTS, SEED).unwrap();
        let mut first_perfect = None;
        while scaled.steps() < SHOWN_UPDATES {
            for _ in 0..UPDATES_PER_RECORD {
                // The raw run stalls but must not fail.
                raw.step().unwrap();
                scaled.step().unwrap();
            }
            let (r, s) = (raw.record().unwrap(), scaled.record().unwrap());
            let (r, s) = (r.validation.unwrap(), s.validation.unwrap());
            let step = raw.steps();
            assert!(
                (r.loss - std::f32::consts::LN_2).abs() < 0.15 && r.accuracy.unwrap() <= 0.6,
                "raw at {step}: {r:?}"
            );
            if s.accuracy == Some(1.0) {
                first_perfect.get_or_insert(step);
            }
            if step >= 1000 {
                assert_eq!(s.accuracy, Some(1.0), "scaled at {step}: {s:?}");
            }
        }
        assert!(
            first_perfect.is_some_and(|s| s <= 1000),
            "{first_perfect:?}"
        );
    }

    #[test]
    fn views_are_fitted_on_the_training_split() {
        let train = Matrix::from_row_slice(3, 2, &[0.0, 100.0, 5.0, 300.0, 10.0, 500.0]);
        let other = Matrix::from_row_slice(1, 2, &[12.0, 100.0]);
        let v = scaled_views(&train, &other).unwrap();
        // Training ranges map exactly onto [0, 1] and [−1, 1].
        let near = |a: &[(f32, f32)], b: &[(f32, f32)]| {
            a.iter()
                .zip(b)
                .all(|(x, y)| (x.0 - y.0).abs() < 1e-6 && (x.1 - y.1).abs() < 1e-6)
        };
        assert!(near(&v.ranges[1].train, &[(0.0, 1.0), (0.0, 1.0)]));
        assert!(near(&v.ranges[2].train, &[(-1.0, 1.0), (-1.0, 1.0)]));
        // 12 lies past the training maximum 10: (12 − 0)/10 = 1.2 in [0, 1], 2·1.2 − 1 = 1.4.
        assert!((v.ranges[1].other[0].0 - 1.2).abs() < 1e-6);
        assert!((v.ranges[2].other[0].0 - 1.4).abs() < 1e-6);
        assert_eq!(v.ranges[0].train[1], (100.0, 500.0));
    }

    /// Try this (normalization): as measured, x₂ spans about 8 to 969 on the training split,
    /// a hundred times x₁'s span (about −4.9 to 4.9); scaled to [0, 1], both span exactly 0 to 1.
    #[test]
    fn try_scaling_makes_the_circle_round_again() {
        let [raw, _] = runs(POINTS, SEED).unwrap();
        let points = raw.points();
        let (train, _) = points[0].unwrap();
        let (validation, _) = points[1].unwrap();
        let v = scaled_views(train, validation).unwrap();
        let [(x1_lo, x1_hi), (x2_lo, x2_hi)] = [v.ranges[0].train[0], v.ranges[0].train[1]];
        assert!(
            (x1_lo + 4.9).abs() < 0.05 && (x1_hi - 4.9).abs() < 0.1,
            "{x1_lo} {x1_hi}"
        );
        assert!(
            (x2_lo - 8.0).abs() < 0.2 && (x2_hi - 969.0).abs() < 0.5,
            "{x2_lo} {x2_hi}"
        );
        let ratio = (x2_hi - x2_lo) / (x1_hi - x1_lo);
        assert!((95.0..105.0).contains(&ratio), "{ratio}");
        for &(lo, hi) in &v.ranges[1].train {
            assert!(lo.abs() < 1e-6 && (hi - 1.0).abs() < 1e-6, "{lo} {hi}");
        }
    }
}
