//! Splitting a dataset into training, validation and test parts by fractions, with a seeded shuffle.
//!
//! The test part comes back as a [`TestSet`], which can be read (to evaluate a trained model) but
//! never turned back into a [`Dataset`], so it cannot be handed to batching or training code by
//! mistake: the type system keeps it out of training.
//!
//! The samples are shuffled once with [`Rng::shuffle`]; the test part is taken from the front of
//! the shuffled order, then validation, then training. The test part therefore depends only on `n`,
//! the seed and the test fraction: changing the other fractions never moves a sample into or out of
//! the test set.
//!
//! Data that grows one sample at a time (points a reader places by hand) is split with
//! [`split_in_turn`] instead: each sample's part depends only on its position and the fractions,
//! so adding a sample never moves an earlier one to another part.

use crate::data::{Dataset, Task, shuffled_order};
use crate::error::{EngineError, Result, check_range};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape};

/// The share of the samples each part gets; each in `[0, 1]`, summing to at most 1.
///
/// Part sizes are `round(n·fraction)` (halves round up; fractions are first rounded to six
/// decimals so that, say, 0.7 of 5 is 4 rather than a binary rounding's 3). When the fractions sum
/// to 1, training takes every sample the other two leave, so nothing is lost to rounding. When they
/// sum to less, the remaining samples are left out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitFractions {
    /// The training share (must be above 0).
    pub train: f32,
    /// The validation share (0 for no validation part).
    pub validation: f32,
    /// The test share (0 for no test part).
    pub test: f32,
}

impl SplitFractions {
    /// Fractions for training, validation and test.
    pub fn new(train: f32, validation: f32, test: f32) -> Self {
        Self {
            train,
            validation,
            test,
        }
    }

    /// The sizes `(train, validation, test)` of the parts for `n` samples, or an error naming the
    /// bad fraction or the part that `n` is too small to fill.
    pub fn counts(&self, n: usize) -> Result<(usize, usize, usize)> {
        let (train, validation, test) = self.checked()?;
        let sum = train + validation + test;
        let count = |f: f64| (n as f64 * f).round() as usize;
        let too_small = |part: &str, f: f32| {
            EngineError::Invalid(format!(
                "{n} samples are too few: the {part} fraction {f} of them rounds to none"
            ))
        };
        let n_test = count(test);
        if test > 0.0 && n_test == 0 {
            return Err(too_small("test", self.test));
        }
        let n_validation = count(validation);
        if validation > 0.0 && n_validation == 0 {
            return Err(too_small("validation", self.validation));
        }
        let remaining = n.saturating_sub(n_test + n_validation);
        let n_train = if sum >= 1.0 - 1e-9 {
            remaining
        } else {
            count(train).min(remaining)
        };
        if n_train == 0 {
            return Err(too_small("training", self.train));
        }
        Ok((n_train, n_validation, n_test))
    }

    /// The fractions `(train, validation, test)` rounded to six decimals, or an error naming the
    /// bad one (outside `[0, 1]`, a sum above 1, or no training share).
    fn checked(&self) -> Result<(f64, f64, f64)> {
        let train = check_range("training fraction", self.train, 0.0, 1.0)?;
        let validation = check_range("validation fraction", self.validation, 0.0, 1.0)?;
        let test = check_range("test fraction", self.test, 0.0, 1.0)?;
        let clean = |f: f32| (f64::from(f) * 1e6).round() / 1e6;
        let (train, validation, test) = (clean(train), clean(validation), clean(test));
        let sum = train + validation + test;
        if sum > 1.0 + 1e-9 {
            return Err(EngineError::Invalid(format!(
                "the split fractions {} + {} + {} add up to {sum}, more than 1",
                self.train, self.validation, self.test
            )));
        }
        if train <= 0.0 {
            return Err(EngineError::hyper(
                "training fraction",
                self.train,
                "it must be above 0: a model needs data to train on",
            ));
        }
        Ok((train, validation, test))
    }
}

impl Default for SplitFractions {
    /// 70 % training, 15 % validation, 15 % test.
    fn default() -> Self {
        Self::new(0.7, 0.15, 0.15)
    }
}

/// The row indices of each part, each list in shuffled order; no index appears twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitIndices {
    /// Rows to train on.
    pub train: Vec<usize>,
    /// Rows to tune on (empty when the validation fraction is 0).
    pub validation: Vec<usize>,
    /// Rows to report on (empty when the test fraction is 0).
    pub test: Vec<usize>,
}

/// Divides the rows `0..n` into parts of the given fractions after a seeded shuffle.
pub fn split_indices(n: usize, fractions: SplitFractions, rng: &mut Rng) -> Result<SplitIndices> {
    let (n_train, n_validation, n_test) = fractions.counts(n)?;
    let order = shuffled_order(n, rng);
    let (test, rest) = order.split_at(n_test);
    let (validation, rest) = rest.split_at(n_validation);
    Ok(SplitIndices {
        train: rest[..n_train].to_vec(),
        validation: validation.to_vec(),
        test: test.to_vec(),
    })
}

/// Divides the rows `0..n` in turn: row 0 trains (a model needs something to train on), and each
/// later row `i` joins the part furthest below its share of the first `i + 1` rows (ties go to
/// training, then validation, then test; a share the fractions leave unassigned is a fourth part
/// whose rows are left out).
///
/// Unlike [`split_indices`] this never shuffles and never refuses a small `n`: parts fill as rows
/// arrive, and a row's part never changes as rows are added after it. With 60 / 20 / 20 the rows
/// go train, validation, train, test, train, …
pub fn split_in_turn(n: usize, fractions: SplitFractions) -> Result<SplitIndices> {
    let (train, validation, test) = fractions.checked()?;
    let shares = [
        train,
        validation,
        test,
        (1.0 - train - validation - test).max(0.0),
    ];
    let mut parts: [Vec<usize>; 4] = Default::default();
    for row in 0..n {
        let seen = (row + 1) as f64;
        let behind = |p: usize| shares[p] * seen - parts[p].len() as f64;
        let mut pick = 0;
        for p in (1..4).filter(|_| row > 0) {
            if behind(p) > behind(pick) + 1e-9 {
                pick = p;
            }
        }
        parts[pick].push(row);
    }
    let [train, validation, test, _left_out] = parts;
    Ok(SplitIndices {
        train,
        validation,
        test,
    })
}

/// A held-out test part: readable for evaluation, but deliberately not a [`Dataset`], so no
/// batching or training function accepts it.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSet {
    data: Dataset,
}

impl TestSet {
    /// The inputs, one sample per row.
    pub fn x(&self) -> &Matrix {
        self.data.x()
    }

    /// The targets, one sample per row.
    pub fn targets(&self) -> &Matrix {
        self.data.targets()
    }

    /// The class labels (`None` for regression).
    pub fn labels(&self) -> Option<&[usize]> {
        self.data.labels()
    }

    /// The ±1 targets of a binary task (`None` otherwise).
    pub fn signed_targets(&self) -> Option<Matrix> {
        self.data.signed_targets()
    }

    /// What is predicted.
    pub fn task(&self) -> Task {
        self.data.task()
    }

    /// The shape of one sample.
    pub fn sample_shape(&self) -> Shape {
        self.data.sample_shape()
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether there are no samples (never true for a constructed test set).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// How many samples each class has (`None` for regression).
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        self.data.class_counts()
    }
}

/// A dataset divided into its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The part to train on.
    pub train: Dataset,
    /// The part to choose hyperparameters and stop early on (`None` when its fraction is 0).
    pub validation: Option<Dataset>,
    /// The part to report final numbers on, read-only (`None` when its fraction is 0).
    pub test: Option<TestSet>,
}

impl Split {
    /// Divides `data` by `fractions` after a seeded shuffle (see [`split_indices`]).
    pub fn new(data: &Dataset, fractions: SplitFractions, rng: &mut Rng) -> Result<Self> {
        Self::from_indices(data, &split_indices(data.len(), fractions, rng)?)
    }

    /// Divides `data` by the rows `idx` gives each part (from [`split_indices`] or
    /// [`split_in_turn`]); an empty validation or test part becomes `None`.
    pub fn from_indices(data: &Dataset, idx: &SplitIndices) -> Result<Self> {
        let part = |rows: &[usize]| -> Result<Option<Dataset>> {
            if rows.is_empty() {
                Ok(None)
            } else {
                data.subset(rows).map(Some)
            }
        };
        Ok(Self {
            train: data.subset(&idx.train)?,
            validation: part(&idx.validation)?,
            test: part(&idx.test)?.map(|data| TestSet { data }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::two_d;
    use crate::rng::Rng;
    use proptest::prelude::*;

    #[test]
    fn sizes_follow_the_fractions() {
        // 100 samples at 70/15/15: 15 test, 15 validation, the remaining 70 train.
        assert_eq!(SplitFractions::default().counts(100).unwrap(), (70, 15, 15));
        // 7 at 0.7/0.15/0.15: round(1.05) = 1 test, 1 validation, 5 train (sum is 1).
        assert_eq!(SplitFractions::default().counts(7).unwrap(), (5, 1, 1));
        // Fractions below 1 in total leave samples out: 0.5 of 10 trains, 0.2 tests, 3 unused.
        assert_eq!(
            SplitFractions::new(0.5, 0.0, 0.2).counts(10).unwrap(),
            (5, 0, 2)
        );
        // 0.7 of 5 is 3.5, which rounds up to 4.
        assert_eq!(
            SplitFractions::new(0.7, 0.0, 0.0).counts(5).unwrap(),
            (4, 0, 0)
        );
    }

    #[test]
    fn bad_fractions_are_named() {
        let err = |f: SplitFractions, n| f.counts(n).unwrap_err().to_string();
        assert!(err(SplitFractions::new(0.8, 0.2, 0.1), 100).contains("more than 1"));
        assert!(err(SplitFractions::new(0.0, 0.5, 0.5), 100).contains("training fraction"));
        assert!(err(SplitFractions::new(0.9, 0.0, f32::NAN), 100).contains("test fraction"));
        assert!(err(SplitFractions::new(0.9, -0.1, 0.0), 100).contains("validation fraction"));
        assert!(err(SplitFractions::new(0.8, 0.1, 0.1), 4).contains("test fraction 0.1"));
        assert!(err(SplitFractions::new(0.8, 0.1, 0.0), 4).contains("validation fraction 0.1"));
        assert!(err(SplitFractions::new(0.5, 0.0, 0.5), 1).contains("training"));
        assert!(err(SplitFractions::new(0.5, 0.0, 0.0), 0).contains("0 samples are too few"));
    }

    #[test]
    fn rows_split_in_turn_keep_their_part_as_rows_are_added() {
        let f = SplitFractions::new(0.6, 0.2, 0.2);
        let first = split_in_turn(5, f).unwrap();
        assert_eq!(first.train, [0, 2, 4]);
        assert_eq!(first.validation, [1]);
        assert_eq!(first.test, [3]);
        let more = split_in_turn(500, f).unwrap();
        for (small, large) in [
            (&first.train, &more.train),
            (&first.validation, &more.validation),
            (&first.test, &more.test),
        ] {
            assert!(!small.is_empty());
            assert_eq!(small[..], large[..small.len()]);
        }
        assert_eq!(
            (more.train.len(), more.validation.len(), more.test.len()),
            (300, 100, 100)
        );
        // One row trains, whatever the fractions; a share left unassigned is left out.
        let lopsided = SplitFractions::new(0.1, 0.5, 0.3);
        assert_eq!(split_in_turn(1, lopsided).unwrap().train, [0]);
        let ten = split_in_turn(10, lopsided).unwrap();
        assert_eq!(
            (ten.train.len(), ten.validation.len(), ten.test.len()),
            (1, 5, 3)
        );
        assert!(split_in_turn(3, SplitFractions::new(0.0, 0.5, 0.5)).is_err());
    }

    #[test]
    fn parts_are_disjoint_and_deterministic() {
        let idx = split_indices(50, SplitFractions::default(), &mut Rng::new(3)).unwrap();
        let mut all: Vec<usize> = [&idx.train[..], &idx.validation[..], &idx.test[..]].concat();
        all.sort_unstable();
        assert_eq!(all, (0..50).collect::<Vec<_>>());
        assert_eq!(
            idx,
            split_indices(50, SplitFractions::default(), &mut Rng::new(3)).unwrap()
        );
        // The test part does not depend on the other fractions.
        let other =
            split_indices(50, SplitFractions::new(0.5, 0.2, 0.15), &mut Rng::new(3)).unwrap();
        assert_eq!(other.test, idx.test);
    }

    #[test]
    fn split_datasets_match_their_rows() {
        let data = two_d::spiral500();
        let s = Split::new(&data, SplitFractions::default(), &mut Rng::new(11)).unwrap();
        assert_eq!(s.train.len(), 350);
        assert_eq!(s.validation.as_ref().unwrap().len(), 75);
        let test = s.test.as_ref().unwrap();
        assert_eq!(test.len(), 75);
        assert_eq!(test.task(), Task::Binary);
        let idx = split_indices(500, SplitFractions::default(), &mut Rng::new(11)).unwrap();
        assert_eq!(test.x()[(0, 1)], data.x()[(idx.test[0], 1)]);
        assert_eq!(
            s.train.labels().unwrap()[3],
            data.labels().unwrap()[idx.train[3]]
        );
        let no_test = Split::new(&data, SplitFractions::new(0.8, 0.2, 0.0), &mut Rng::new(1));
        assert!(no_test.unwrap().test.is_none());
    }

    proptest! {
        #[test]
        fn never_panics(
            n in 0usize..1000, a in prop::num::f32::ANY, b in prop::num::f32::ANY,
            c in prop::num::f32::ANY, seed in any::<u32>()
        ) {
            let f = SplitFractions::new(a, b, c);
            if let Ok(idx) = split_indices(n, f, &mut Rng::new(seed)) {
                prop_assert!(!idx.train.is_empty());
                prop_assert!(idx.train.len() + idx.validation.len() + idx.test.len() <= n);
            }
        }
    }
}
