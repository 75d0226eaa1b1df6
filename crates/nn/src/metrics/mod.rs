//! Metrics: how good a model's predictions are, computed as scikit-learn and rouge-score do.
//!
//! - [`classification`]: accuracy, confusion matrices, sensitivity and specificity, precision,
//!   recall and F1 (per class, macro, micro, weighted), log loss.
//! - [`roc`]: the ROC curve and its area, one-vs-rest AUC for several classes, the
//!   precision-recall curve and average precision.
//! - [`regression`]: mean absolute error, mean squared error, root mean squared error.
//! - [`rouge`]: ROUGE-1, ROUGE-2 and ROUGE-L between two texts, with the overlapping tokens for
//!   highlighting; [`porter`] is the stemmer it can use.
//!
//! Conventions (scikit-learn's): class labels are integers and the positive class of a binary
//! task is `1`; a confusion matrix has the true classes as rows and the predicted ones as columns,
//! labels ascending, so a binary one reads `[[TN, FP], [FN, TP]]`. A ratio whose denominator is 0
//! (precision with no positive predictions, …) is 0.0, and [`Ratio::undefined`] says so, so the
//! page can warn where scikit-learn would. Metrics are `f64`: they are ratios of counts or
//! averages over a data set, never on a training step's hot path.

pub mod classification;
pub mod porter;
pub mod regression;
pub mod roc;
pub mod rouge;

use crate::error::{EngineError, Result};

pub use classification::{BinaryCounts, ConfusionMatrix};
pub use roc::RocCurve;
pub use rouge::{RougeReport, RougeScore};

/// A ratio of counts that may be 0/0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// The ratio; 0.0 when it is undefined (scikit-learn's default `zero_division`).
    pub value: f64,
    /// True when the denominator was 0, so `value` is a convention rather than a measurement
    /// (scikit-learn raises an `UndefinedMetricWarning` then).
    pub undefined: bool,
}

impl Ratio {
    /// `numerator / denominator`, or 0.0 marked undefined when the denominator is 0.
    pub fn of(numerator: f64, denominator: f64) -> Self {
        if denominator == 0.0 {
            Self {
                value: 0.0,
                undefined: true,
            }
        } else {
            Self {
                value: numerator / denominator,
                undefined: false,
            }
        }
    }
}

/// Checks that two per-sample slices have the same, non-zero length.
pub fn check_lengths(what: &str, a: usize, b: usize) -> Result<()> {
    if a != b {
        return Err(EngineError::shape(what, (a, 1), (b, 1)));
    }
    if a == 0 {
        return Err(EngineError::Empty {
            what: what.to_owned(),
        });
    }
    Ok(())
}

/// The distinct values of some label slices, ascending.
pub(crate) fn distinct_labels(slices: &[&[i64]]) -> Vec<i64> {
    let mut all: Vec<i64> = slices.iter().flat_map(|s| s.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}
