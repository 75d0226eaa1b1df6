//! Classification metrics from labels: accuracy, confusion matrices, the rates read from them, and
//! log loss from probabilities, each as scikit-learn computes it.
//!
//! Labels are `i64` class values. In a binary task the positive class is `1` (so `{0, 1}` and
//! `{−1, 1}` both work). A ratio with a zero denominator is 0.0 and flagged ([`Ratio`]).

use super::{Ratio, check_lengths, distinct_labels};
use crate::error::{EngineError, Result};
use crate::loss::LOG_LOSS_EPS;
use nalgebra::{DMatrix, Scalar};

/// The fraction of samples whose predicted label equals the true one.
pub fn accuracy(y_true: &[i64], y_pred: &[i64]) -> Result<f64> {
    check_lengths("predicted labels", y_true.len(), y_pred.len())?;
    let right = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(right as f64 / y_true.len() as f64)
}

/// The four counts of a binary confusion matrix `[[TN, FP], [FN, TP]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BinaryCounts {
    /// Negatives predicted negative.
    pub true_negatives: u64,
    /// Negatives predicted positive (type I errors).
    pub false_positives: u64,
    /// Positives predicted negative (type II errors).
    pub false_negatives: u64,
    /// Positives predicted positive.
    pub true_positives: u64,
}

impl BinaryCounts {
    /// `(TN, FP, FN, TP)` in scikit-learn's `confusion_matrix(...).ravel()` order.
    pub fn as_array(&self) -> [u64; 4] {
        [
            self.true_negatives,
            self.false_positives,
            self.false_negatives,
            self.true_positives,
        ]
    }

    /// The matrix `[[TN, FP], [FN, TP]]`: rows are the true class (0, 1), columns the predicted.
    pub fn matrix(&self) -> [[u64; 2]; 2] {
        [
            [self.true_negatives, self.false_positives],
            [self.false_negatives, self.true_positives],
        ]
    }

    /// The number of samples.
    pub fn total(&self) -> u64 {
        self.true_negatives + self.false_positives + self.false_negatives + self.true_positives
    }

    /// `(TP + TN) / total`.
    pub fn accuracy(&self) -> Ratio {
        Ratio::of(
            (self.true_positives + self.true_negatives) as f64,
            self.total() as f64,
        )
    }

    /// Sensitivity, the true-positive rate: `TP / (TP + FN)`; the same as [`Self::recall`].
    pub fn sensitivity(&self) -> Ratio {
        Ratio::of(
            self.true_positives as f64,
            (self.true_positives + self.false_negatives) as f64,
        )
    }

    /// Recall: `TP / (TP + FN)`, the share of positives that are found.
    pub fn recall(&self) -> Ratio {
        self.sensitivity()
    }

    /// Specificity, the true-negative rate: `TN / (TN + FP)`.
    pub fn specificity(&self) -> Ratio {
        Ratio::of(
            self.true_negatives as f64,
            (self.true_negatives + self.false_positives) as f64,
        )
    }

    /// Precision: `TP / (TP + FP)`, the share of positive predictions that are right.
    pub fn precision(&self) -> Ratio {
        Ratio::of(
            self.true_positives as f64,
            (self.true_positives + self.false_positives) as f64,
        )
    }

    /// F1, the harmonic mean of precision and recall, computed as scikit-learn does from the
    /// counts: `2TP / (2TP + FP + FN)`. It equals `2PR/(P + R)` whenever that is defined, and is 0
    /// (not undefined) when there are positives or positive predictions but no true positive.
    pub fn f1(&self) -> Ratio {
        let tp2 = 2.0 * self.true_positives as f64;
        Ratio::of(
            tp2,
            tp2 + (self.false_positives + self.false_negatives) as f64,
        )
    }

    /// Precision, recall and F1 together.
    pub fn precision_recall_f1(&self) -> PrecisionRecallF1 {
        PrecisionRecallF1 {
            precision: self.precision(),
            recall: self.recall(),
            f1: self.f1(),
        }
    }

    /// Adds one sample.
    fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (false, false) => self.true_negatives += 1,
            (false, true) => self.false_positives += 1,
            (true, false) => self.false_negatives += 1,
            (true, true) => self.true_positives += 1,
        }
    }
}

/// Checks that labels are binary with positive class 1, as scikit-learn's binary averaging does:
/// at most two distinct values, and if two, one of them is 1.
fn check_binary(labels: &[i64]) -> Result<()> {
    match labels.len() {
        0 | 1 => Ok(()),
        2 if labels.contains(&1) => Ok(()),
        2 => Err(EngineError::Invalid(format!(
            "the positive class is 1, but the labels are {labels:?}"
        ))),
        _ => Err(EngineError::Invalid(format!(
            "binary metrics need at most two classes, got {labels:?}; use the per-class metrics"
        ))),
    }
}

/// The binary confusion counts of predicted labels, with 1 as the positive class.
///
/// The labels of both slices together may take at most two values, one of them 1 (`{0, 1}` or
/// `{−1, 1}`); anything else is an error, as in scikit-learn's binary metrics.
pub fn binary_counts(y_true: &[i64], y_pred: &[i64]) -> Result<BinaryCounts> {
    check_lengths("predicted labels", y_true.len(), y_pred.len())?;
    check_binary(&distinct_labels(&[y_true, y_pred]))?;
    let mut c = BinaryCounts::default();
    for (&t, &p) in y_true.iter().zip(y_pred) {
        c.add(t == 1, p == 1);
    }
    Ok(c)
}

/// The binary confusion counts of scores cut at `threshold`: a sample is predicted positive iff
/// `score >= threshold` (the ROC curve's rule). Scores must be finite; `threshold` may be ±∞.
pub fn binary_counts_at_threshold<S: Copy + Into<f64>>(
    y_true: &[i64],
    scores: &[S],
    threshold: f64,
) -> Result<BinaryCounts> {
    check_lengths("scores", y_true.len(), scores.len())?;
    check_binary(&distinct_labels(&[y_true]))?;
    if threshold.is_nan() {
        return Err(EngineError::hyper(
            "threshold",
            threshold,
            "it must be a number",
        ));
    }
    let mut c = BinaryCounts::default();
    for (&t, &s) in y_true.iter().zip(scores) {
        let s: f64 = s.into();
        if !s.is_finite() {
            return Err(EngineError::NonFinite {
                what: "scores".to_owned(),
            });
        }
        c.add(t == 1, s >= threshold);
    }
    Ok(c)
}

/// A confusion matrix: `counts[i][j]` samples of true class `labels[i]` predicted as `labels[j]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// The classes, in row (and column) order.
    pub labels: Vec<i64>,
    /// The counts, rows = true class, columns = predicted class.
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// The number of samples counted (those whose true and predicted labels are both listed).
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Each row divided by its sum (the share of each true class predicted as each class); a row
    /// with no samples stays 0, as scikit-learn's `normalize="true"` leaves it.
    pub fn normalized_by_true_class(&self) -> Vec<Vec<f64>> {
        self.counts
            .iter()
            .map(|row| {
                let sum: u64 = row.iter().sum();
                row.iter()
                    .map(|&c| Ratio::of(c as f64, sum as f64).value)
                    .collect()
            })
            .collect()
    }
}

/// Checks a caller's label list: non-empty and without repeats.
fn check_label_list(labels: &[i64]) -> Result<()> {
    if labels.is_empty() {
        return Err(EngineError::Empty {
            what: "list of labels".to_owned(),
        });
    }
    let mut sorted = labels.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(EngineError::Invalid(
            "the list of labels names a class twice".to_owned(),
        ));
    }
    Ok(())
}

/// The confusion matrix of predicted labels, as scikit-learn's `confusion_matrix`.
///
/// Without `labels` the classes are the distinct values of both slices, ascending. With `labels`
/// the rows and columns follow that order, samples whose true or predicted label is not listed
/// are left out, at least one listed label must occur in `y_true`, and empty inputs give a zero
/// matrix.
pub fn confusion_matrix(
    y_true: &[i64],
    y_pred: &[i64],
    labels: Option<&[i64]>,
) -> Result<ConfusionMatrix> {
    if y_true.len() != y_pred.len() {
        return Err(EngineError::shape(
            "predicted labels",
            (y_true.len(), 1),
            (y_pred.len(), 1),
        ));
    }
    let labels = match labels {
        Some(l) => {
            check_label_list(l)?;
            if !y_true.is_empty() && !y_true.iter().any(|t| l.contains(t)) {
                return Err(EngineError::Invalid(
                    "at least one of the given labels must occur in the true labels".to_owned(),
                ));
            }
            l.to_vec()
        }
        None => {
            if y_true.is_empty() {
                return Err(EngineError::Empty {
                    what: "labels".to_owned(),
                });
            }
            distinct_labels(&[y_true, y_pred])
        }
    };
    let k = labels.len();
    let mut counts = vec![vec![0u64; k]; k];
    let index = |v: i64| labels.iter().position(|&l| l == v);
    for (&t, &p) in y_true.iter().zip(y_pred) {
        if let (Some(i), Some(j)) = (index(t), index(p))
            && let Some(cell) = counts.get_mut(i).and_then(|row| row.get_mut(j))
        {
            *cell += 1;
        }
    }
    Ok(ConfusionMatrix { labels, counts })
}

/// One class against the rest: its binary counts with this class as the positive one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassCounts {
    /// The class.
    pub label: i64,
    /// Counts with this class positive and every other class negative, over all samples.
    pub counts: BinaryCounts,
}

/// One-vs-rest counts for each class, as scikit-learn's `multilabel_confusion_matrix`: for class
/// `c`, `TP` = true `c` predicted `c`, `FP` = predicted `c` but another class, `FN` = true `c`
/// predicted otherwise, and `TN` = all remaining samples (including those of unlisted classes).
///
/// Classes are `labels` in the given order, or the distinct values of both slices ascending.
pub fn one_vs_rest_counts(
    y_true: &[i64],
    y_pred: &[i64],
    labels: Option<&[i64]>,
) -> Result<Vec<ClassCounts>> {
    check_lengths("predicted labels", y_true.len(), y_pred.len())?;
    let labels = match labels {
        Some(l) => {
            check_label_list(l)?;
            l.to_vec()
        }
        None => distinct_labels(&[y_true, y_pred]),
    };
    Ok(labels
        .iter()
        .map(|&c| {
            let mut counts = BinaryCounts::default();
            for (&t, &p) in y_true.iter().zip(y_pred) {
                counts.add(t == c, p == c);
            }
            ClassCounts { label: c, counts }
        })
        .collect())
}

/// Precision, recall and F1 of one class or one average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionRecallF1 {
    /// Precision.
    pub precision: Ratio,
    /// Recall.
    pub recall: Ratio,
    /// F1.
    pub f1: Ratio,
}

/// One class's line of a classification report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassReport {
    /// The class.
    pub label: i64,
    /// Its one-vs-rest counts.
    pub counts: BinaryCounts,
    /// Precision, recall and F1 of this class against the rest.
    pub scores: PrecisionRecallF1,
    /// Specificity of this class against the rest: `TN / (TN + FP)`.
    pub specificity: Ratio,
    /// The number of samples whose true class is this one.
    pub support: u64,
}

/// Per-class precision, recall and F1 with their three averages, and the accuracy.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationReport {
    /// One line per class, in label order.
    pub per_class: Vec<ClassReport>,
    /// The unweighted mean over classes (undefined classes count as 0 and set the flag).
    pub macro_average: PrecisionRecallF1,
    /// From the counts summed over classes: `ΣTP / (ΣTP + ΣFP)` etc. (equal to accuracy for
    /// single-label data when every class is listed).
    pub micro_average: PrecisionRecallF1,
    /// The mean over classes weighted by support (unweighted if every support is 0).
    pub weighted_average: PrecisionRecallF1,
    /// The fraction of all samples predicted right.
    pub accuracy: f64,
}

/// Averages ratios with optional weights, as scikit-learn's `_nanaverage` (all-zero weights fall
/// back to the plain mean); the average is flagged undefined if any part was.
fn average(values: &[Ratio], weights: Option<&[f64]>) -> Ratio {
    let undefined = values.iter().any(|r| r.undefined);
    let plain = || values.iter().map(|r| r.value).sum::<f64>() / values.len() as f64;
    let value = match weights {
        Some(w) => {
            let total: f64 = w.iter().sum();
            if total == 0.0 {
                plain()
            } else {
                values.iter().zip(w).map(|(r, w)| r.value * w).sum::<f64>() / total
            }
        }
        None => plain(),
    };
    Ratio { value, undefined }
}

/// Per-class precision, recall, F1, specificity and support, and the macro, micro and weighted
/// averages, as scikit-learn's `precision_recall_fscore_support` with each `average`.
///
/// Classes are `labels` in the given order (which may name classes that never occur, or leave
/// some out), or the distinct values of both slices ascending.
pub fn classification_report(
    y_true: &[i64],
    y_pred: &[i64],
    labels: Option<&[i64]>,
) -> Result<ClassificationReport> {
    let classes = one_vs_rest_counts(y_true, y_pred, labels)?;
    let per_class: Vec<ClassReport> = classes
        .iter()
        .map(|c| ClassReport {
            label: c.label,
            counts: c.counts,
            scores: c.counts.precision_recall_f1(),
            specificity: c.counts.specificity(),
            support: c.counts.true_positives + c.counts.false_negatives,
        })
        .collect();
    let pick = |f: fn(&PrecisionRecallF1) -> Ratio| -> Vec<Ratio> {
        per_class.iter().map(|c| f(&c.scores)).collect()
    };
    let (p, r, f) = (pick(|s| s.precision), pick(|s| s.recall), pick(|s| s.f1));
    let supports: Vec<f64> = per_class.iter().map(|c| c.support as f64).collect();
    let mut summed = BinaryCounts::default();
    for c in &per_class {
        summed.true_positives += c.counts.true_positives;
        summed.false_positives += c.counts.false_positives;
        summed.false_negatives += c.counts.false_negatives;
    }
    Ok(ClassificationReport {
        macro_average: PrecisionRecallF1 {
            precision: average(&p, None),
            recall: average(&r, None),
            f1: average(&f, None),
        },
        micro_average: summed.precision_recall_f1(),
        weighted_average: PrecisionRecallF1 {
            precision: average(&p, Some(&supports)),
            recall: average(&r, Some(&supports)),
            f1: average(&f, Some(&supports)),
        },
        accuracy: accuracy(y_true, y_pred)?,
        per_class,
    })
}

/// The log loss of predicted probabilities, and whether they looked like probabilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogLoss {
    /// `−1/N Σ_i Σ_j y_ij ln p̂_ij` with `p̂` clipped to `[ε, 1 − ε]`, ε = float64 machine epsilon.
    pub value: f64,
    /// False if some row's probabilities do not sum to 1 (within `f32` rounding, 1e-6):
    /// scikit-learn warns then, and uses them as given.
    pub rows_sum_to_one: bool,
}

/// Log loss (cross-entropy) of predicted class probabilities, as scikit-learn's `log_loss`
/// (version 1.5 and later): `−1/N Σ_i Σ_j y_ij ln p̂_ij`, natural log, `y` one-hot, `p̂` clipped
/// to `[ε, 1 − ε]` with ε = float64 machine epsilon (the clip is done in `f64`).
///
/// `probabilities` (`f32` or `f64`) is `(N, K)` with columns for the classes in ascending order, or `(N, 1)` with
/// the probability of the larger of two classes. The classes are the distinct values of `labels`
/// if given (ascending, whatever order they are given in), else of `y_true`. Errors, as
/// scikit-learn raises: fewer than two classes (give `labels` when `y_true` has one class), a
/// true label not among `labels`, a column count other than the class count, or a probability
/// outside `[0, 1]`. Rows that do not sum to 1 are used as they are (no renormalisation since
/// scikit-learn 1.5) and flagged.
pub fn log_loss<T: Scalar + Copy + Into<f64>>(
    y_true: &[i64],
    probabilities: &DMatrix<T>,
    labels: Option<&[i64]>,
) -> Result<LogLoss> {
    check_lengths("probability rows", y_true.len(), probabilities.nrows())?;
    if probabilities.ncols() == 0 {
        return Err(EngineError::Empty {
            what: "probability columns".to_owned(),
        });
    }
    let as_f64 = |p: &T| -> f64 { (*p).into() };
    if probabilities.iter().any(|p| !as_f64(p).is_finite()) {
        return Err(EngineError::NonFinite {
            what: "probabilities".to_owned(),
        });
    }
    if probabilities
        .iter()
        .any(|p| !(0.0..=1.0).contains(&as_f64(p)))
    {
        return Err(EngineError::Invalid(
            "log loss: every probability must lie in [0, 1]".to_owned(),
        ));
    }
    let classes = match labels {
        Some(l) => {
            let classes = distinct_labels(&[l]);
            if let Some(bad) = y_true.iter().find(|t| !classes.contains(t)) {
                return Err(EngineError::Invalid(format!(
                    "log loss: the true label {bad} is not among the given labels {l:?}"
                )));
            }
            if classes.len() < 2 {
                return Err(EngineError::Invalid(format!(
                    "log loss: the labels must name at least two classes, got {classes:?}"
                )));
            }
            classes
        }
        None => {
            let classes = distinct_labels(&[y_true]);
            if classes.len() < 2 {
                return Err(EngineError::Invalid(format!(
                    "log loss: the true labels contain only one class ({classes:?}); \
                     give the list of all classes"
                )));
            }
            classes
        }
    };
    let k = probabilities.ncols();
    let columns = if k == 1 { 2 } else { k };
    if columns != classes.len() {
        return Err(EngineError::Invalid(format!(
            "log loss: {} classes ({classes:?}) but {columns} probability columns",
            classes.len()
        )));
    }
    let probability = |r: usize, c: usize| -> f64 {
        if k == 1 {
            let p: f64 = probabilities[(r, 0)].into();
            if c == 1 { p } else { 1.0 - p }
        } else {
            probabilities[(r, c)].into()
        }
    };
    let mut sum = 0.0;
    let mut rows_sum_to_one = true;
    for (r, t) in y_true.iter().enumerate() {
        let row_sum: f64 = (0..columns).map(|c| probability(r, c)).sum();
        if (row_sum - 1.0).abs() > 1e-6 {
            rows_sum_to_one = false;
        }
        let c = classes.iter().position(|x| x == t).unwrap_or(0);
        sum -= probability(r, c)
            .clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS)
            .ln();
    }
    Ok(LogLoss {
        value: sum / y_true.len() as f64,
        rows_sum_to_one,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::{Matrix, from_rows};

    #[test]
    fn binary_metrics_by_hand() {
        // Pairs (t, p): (1,1) TP, (1,0) FN, (0,0) TN, (0,1) FP, (1,1) TP, (0,0) TN.
        let t = [1, 1, 0, 0, 1, 0];
        let p = [1, 0, 0, 1, 1, 0];
        let c = binary_counts(&t, &p).unwrap();
        assert_eq!(c.as_array(), [2, 1, 1, 2]);
        assert_eq!(c.matrix(), [[2, 1], [1, 2]]);
        // Accuracy 4/6; sensitivity = recall = 2/3; specificity 2/3; precision 2/3; F1 4/6.
        assert_eq!(accuracy(&t, &p).unwrap(), 4.0 / 6.0);
        assert_eq!(c.sensitivity().value, 2.0 / 3.0);
        assert_eq!(c.specificity().value, 2.0 / 3.0);
        assert_eq!(c.precision().value, 2.0 / 3.0);
        assert_eq!(c.f1().value, 4.0 / 6.0);
        // −1/1 labels work with 1 as the positive class.
        let t2 = [1, -1, -1];
        let c2 = binary_counts(&t2, &[1, 1, -1]).unwrap();
        assert_eq!(c2.as_array(), [1, 1, 0, 1]);
        // Three classes, or two without 1, are refused.
        assert!(binary_counts(&[0, 1, 2], &[0, 1, 1]).is_err());
        assert!(binary_counts(&[0, 2], &[0, 2]).is_err());
        assert!(binary_counts(&[], &[]).is_err());
        assert!(binary_counts(&[1], &[1, 0]).is_err());
    }

    #[test]
    fn zero_division_is_zero_and_flagged() {
        // No positive predictions: precision 0/0 → 0 (flagged), recall 0/2 = 0, F1 0/2 = 0.
        let c = binary_counts(&[1, 1, 0], &[0, 0, 0]).unwrap();
        assert_eq!(
            c.precision(),
            Ratio {
                value: 0.0,
                undefined: true
            }
        );
        assert_eq!(
            c.recall(),
            Ratio {
                value: 0.0,
                undefined: false
            }
        );
        assert!(!c.f1().undefined);
        // All negative and all predicted negative: F1's 0/0 is flagged.
        let c = binary_counts(&[0, 0], &[0, 0]).unwrap();
        assert!(c.f1().undefined);
        assert_eq!(c.specificity().value, 1.0);
    }

    #[test]
    fn counts_from_scores_use_greater_or_equal() {
        // Threshold 0.5: scores 0.5 and 0.9 are positive, 0.2 and 0.4 negative.
        let c = binary_counts_at_threshold(&[1, 0, 1, 0], &[0.9_f32, 0.5, 0.4, 0.2], 0.5).unwrap();
        assert_eq!(c.as_array(), [1, 1, 1, 1]);
        let c = binary_counts_at_threshold(&[1, 0], &[0.9_f64, 0.5], f64::INFINITY).unwrap();
        assert_eq!(c.as_array(), [1, 0, 1, 0]);
        assert!(binary_counts_at_threshold(&[1, 0], &[f64::NAN, 0.5], 0.5).is_err());
        assert!(binary_counts_at_threshold(&[1, 0], &[0.1, 0.5], f64::NAN).is_err());
    }

    #[test]
    fn confusion_matrices_by_hand() {
        let t = [0, 1, 2, 2, 1, 0];
        let p = [0, 2, 2, 1, 1, 0];
        let cm = confusion_matrix(&t, &p, None).unwrap();
        assert_eq!(cm.labels, vec![0, 1, 2]);
        // Row 0: both 0s right; row 1: one right, one as 2; row 2: one right, one as 1.
        assert_eq!(cm.counts, vec![vec![2, 0, 0], vec![0, 1, 1], vec![0, 1, 1]]);
        assert_eq!(cm.total(), 6);
        assert_eq!(cm.normalized_by_true_class()[1], vec![0.0, 0.5, 0.5]);
        // Reordered and restricted labels: samples of class 1 (true or predicted) are left out.
        let cm = confusion_matrix(&t, &p, Some(&[2, 0])).unwrap();
        assert_eq!(cm.counts, vec![vec![1, 0], vec![0, 2]]);
        // A single class in the data: [[n]] by default, 2×2 with labels [0, 1].
        let cm = confusion_matrix(&[0, 0], &[0, 0], None).unwrap();
        assert_eq!(cm.counts, vec![vec![2]]);
        let cm = confusion_matrix(&[0, 0], &[0, 0], Some(&[0, 1])).unwrap();
        assert_eq!(cm.counts, vec![vec![2, 0], vec![0, 0]]);
        // Errors as scikit-learn: no listed label in y_true, empty or repeated label lists.
        assert!(confusion_matrix(&[0, 0], &[0, 0], Some(&[5])).is_err());
        assert!(confusion_matrix(&[0], &[0], Some(&[])).is_err());
        assert!(confusion_matrix(&[0], &[0], Some(&[0, 0])).is_err());
        assert!(confusion_matrix(&[], &[], None).is_err());
        assert_eq!(
            confusion_matrix(&[], &[], Some(&[0, 1])).unwrap().counts,
            vec![vec![0, 0], vec![0, 0]]
        );
    }

    #[test]
    fn classification_report_by_hand() {
        // scikit-learn's docstring example with cat = 0, dog = 1, pig = 2:
        // y_true = [cat, dog, pig, cat, dog, pig], y_pred = [cat, pig, dog, cat, cat, dog].
        let t = [0, 1, 2, 0, 1, 2];
        let p = [0, 2, 1, 0, 0, 1];
        let r = classification_report(&t, &p, None).unwrap();
        // Cat: TP 2, FP 1 (a dog), FN 0 → P 2/3, R 1, F1 4/5. Dog and pig: no TP → 0.
        let cat = &r.per_class[0];
        assert_eq!(cat.counts.as_array(), [3, 1, 0, 2]);
        assert!((cat.scores.precision.value - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(cat.scores.recall.value, 1.0);
        assert!((cat.scores.f1.value - 0.8).abs() < 1e-15);
        assert_eq!(cat.support, 2);
        // Cat specificity: TN 3 / (TN 3 + FP 1) = 3/4.
        assert_eq!(cat.specificity.value, 0.75);
        // Macro (docstring): P 0.222…, R 0.333…, F 0.2666…; micro 1/3 each; weighted = macro here.
        assert!((r.macro_average.precision.value - 2.0 / 9.0).abs() < 1e-15);
        assert!((r.macro_average.recall.value - 1.0 / 3.0).abs() < 1e-15);
        assert!((r.macro_average.f1.value - 0.8 / 3.0).abs() < 1e-15);
        assert!((r.micro_average.f1.value - 1.0 / 3.0).abs() < 1e-15);
        assert!((r.weighted_average.precision.value - 2.0 / 9.0).abs() < 1e-15);
        assert!((r.accuracy - 1.0 / 3.0).abs() < 1e-15);
        assert!(!r.macro_average.precision.undefined);
        // The docstring's reordered labels [pig, dog, cat]: P (0, 0, 2/3), R (0, 0, 1).
        let r = classification_report(&t, &p, Some(&[2, 1, 0])).unwrap();
        let prec: Vec<f64> = r
            .per_class
            .iter()
            .map(|c| c.scores.precision.value)
            .collect();
        assert_eq!(prec[..2], [0.0, 0.0]);
        // A listed class that never occurs: P, R, F1 all 0/0, flagged; it drags the macro mean.
        let r = classification_report(&[0, 1], &[0, 1], Some(&[0, 1, 7])).unwrap();
        assert!(r.per_class[2].scores.precision.undefined);
        assert!((r.macro_average.recall.value - 2.0 / 3.0).abs() < 1e-15);
        assert!(r.macro_average.recall.undefined);
        // Weighted by support (1, 1, 0) ignores it: 1.
        assert_eq!(r.weighted_average.recall.value, 1.0);
    }

    #[test]
    fn log_loss_by_hand() {
        // scikit-learn's docstring: ham = 0, spam = 1, y = [spam, ham, ham, spam],
        // p = [[.1, .9], [.9, .1], [.8, .2], [.35, .65]] → −¼ (ln .9 + ln .9 + ln .8 + ln .65)
        // = 0.2161619 (the docstring's 0.21616).
        let p = from_rows(&[
            vec![0.1, 0.9],
            vec![0.9, 0.1],
            vec![0.8, 0.2],
            vec![0.35, 0.65],
        ])
        .unwrap();
        let l = log_loss(&[1, 0, 0, 1], &p, None).unwrap();
        assert!((l.value - 0.216_161_9).abs() < 1e-6, "{}", l.value);
        assert!(l.rows_sum_to_one);
        // The same from one column of positive-class probabilities.
        let p1 = from_rows(&[vec![0.9], vec![0.1], vec![0.2], vec![0.65]]).unwrap();
        let l1 = log_loss(&[1, 0, 0, 1], &p1, None).unwrap();
        assert!((l1.value - l.value).abs() < 1e-7);
        // A certain wrong answer is clipped to −ln ε = 36.0437 (divided by 2 samples).
        let p = from_rows(&[vec![0.0], vec![0.0]]).unwrap();
        let l = log_loss(&[1, 0], &p, None).unwrap();
        assert!((l.value - 36.043_653_389_117_15 / 2.0).abs() < 1e-9);
        // One class needs labels; with them, it works.
        let p = from_rows(&[vec![0.3, 0.7]]).unwrap();
        assert!(log_loss(&[1], &p, None).is_err());
        let l = log_loss(&[1], &p, Some(&[0, 1])).unwrap();
        assert!((l.value + 0.7_f64.ln()).abs() < 1e-6);
        // Errors: a true label outside the labels, wrong column count, probabilities above 1.
        assert!(log_loss(&[2], &p, Some(&[0, 1])).is_err());
        assert!(log_loss(&[0, 1, 2], &Matrix::from_element(3, 1, 0.5), None).is_err());
        assert!(log_loss(&[0, 1], &from_rows(&[vec![1.5], vec![0.5]]).unwrap(), None).is_err());
        // Rows not summing to one are used as they are, and flagged.
        let p = from_rows(&[vec![0.2, 0.2], vec![0.5, 0.5]]).unwrap();
        let l = log_loss(&[0, 1], &p, None).unwrap();
        assert!(!l.rows_sum_to_one);
        assert!((l.value - -(0.2_f64.ln() + 0.5_f64.ln()) / 2.0).abs() < 1e-6);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn classification_metrics_never_panic(
                t in proptest::collection::vec(-1i64..4, 0..8),
                p in proptest::collection::vec(-1i64..4, 0..8),
                labels in proptest::collection::vec(-1i64..5, 0..5),
                scores in proptest::collection::vec(
                    prop_oneof![-2.0..2.0f64, Just(f64::NAN), Just(f64::INFINITY)], 0..8),
                probs in proptest::collection::vec(
                    prop_oneof![0.0..1.0f32, Just(f32::NAN), Just(2.0)], 0..24),
                cols in 0usize..4,
                threshold in prop_oneof![-2.0..2.0f64, Just(f64::NAN)],
            ) {
                let l = Some(labels.as_slice());
                let _ = accuracy(&t, &p);
                let _ = binary_counts(&t, &p);
                let _ = binary_counts_at_threshold(&t, &scores, threshold);
                let _ = confusion_matrix(&t, &p, None);
                let _ = confusion_matrix(&t, &p, l);
                let _ = one_vs_rest_counts(&t, &p, l);
                let _ = classification_report(&t, &p, None);
                let _ = classification_report(&t, &p, l);
                let rows = probs.len().checked_div(cols).unwrap_or(0);
                let m = Matrix::from_vec(rows, cols, probs[..rows * cols].to_vec());
                let _ = log_loss(&t, &m, None);
                let _ = log_loss(&t, &m, l);
            }
        }
    }
}
