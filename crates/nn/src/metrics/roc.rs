//! Threshold curves of a binary scorer: the ROC curve and its area (AUC), one-vs-rest AUC for
//! several classes, and the precision-recall curve with average precision, as scikit-learn
//! computes them.
//!
//! A score `s` is predicted positive at threshold `t` iff `s ≥ t`. The thresholds are the distinct
//! scores in decreasing order, and the ROC curve starts with `+∞` (nothing predicted positive, the
//! point (0, 0)). Tied scores cross a threshold together, so they make one diagonal step, which the
//! trapezoid rule counts as half right: AUC is the probability that a random positive scores
//! above a random negative, ties counting ½.

use super::{check_lengths, distinct_labels};
use crate::error::{EngineError, Result};
use nalgebra::{DMatrix, Scalar};

/// Reads binary truth labels: the classes must be a subset of `{0, 1}` or of `{−1, 1}` (as
/// scikit-learn requires without an explicit positive label), and 1 is positive.
fn binary_truth(y_true: &[i64]) -> Result<Vec<bool>> {
    let classes = distinct_labels(&[y_true]);
    let within = |set: &[i64]| classes.iter().all(|c| set.contains(c));
    if within(&[0, 1]) || within(&[-1, 1]) {
        Ok(y_true.iter().map(|&t| t == 1).collect())
    } else {
        Err(EngineError::Invalid(format!(
            "binary scores need true labels in {{0, 1}} or {{−1, 1}}, got {classes:?}"
        )))
    }
}

/// Converts scores to `f64`, refusing NaN and infinities (as scikit-learn does).
fn finite_scores<S: Copy + Into<f64>>(scores: &[S]) -> Result<Vec<f64>> {
    let out: Vec<f64> = scores.iter().map(|&s| s.into()).collect();
    if out.iter().all(|s| s.is_finite()) {
        Ok(out)
    } else {
        Err(EngineError::NonFinite {
            what: "scores".to_owned(),
        })
    }
}

/// The confusion counts at every distinct threshold, from the highest score down.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdCounts {
    /// The distinct scores, decreasing.
    pub thresholds: Vec<f64>,
    /// Negatives with `score ≥ threshold`, for each threshold.
    pub false_positives: Vec<u64>,
    /// Positives with `score ≥ threshold`, for each threshold.
    pub true_positives: Vec<u64>,
    /// The number of negatives.
    pub negatives: u64,
    /// The number of positives.
    pub positives: u64,
}

/// Counts true and false positives at each distinct score used as the threshold, as
/// scikit-learn's `confusion_matrix_at_thresholds` (the basis of both curves). The true and
/// false negatives at threshold `i` are `positives − true_positives[i]` and
/// `negatives − false_positives[i]`.
pub fn counts_at_thresholds<S: Copy + Into<f64>>(
    y_true: &[i64],
    scores: &[S],
) -> Result<ThresholdCounts> {
    check_lengths("scores", y_true.len(), scores.len())?;
    let truth = binary_truth(y_true)?;
    let scores = finite_scores(scores)?;
    Ok(counts_from(&truth, &scores))
}

/// The kernel of [`counts_at_thresholds`] on validated, non-empty input.
fn counts_from(truth: &[bool], scores: &[f64]) -> ThresholdCounts {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // A stable sort by decreasing score; `total_cmp` is a total order (scores are finite).
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out = ThresholdCounts {
        thresholds: Vec::new(),
        false_positives: Vec::new(),
        true_positives: Vec::new(),
        negatives: 0,
        positives: 0,
    };
    let (mut tp, mut fp) = (0u64, 0u64);
    for (k, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = order.get(k + 1).is_none_or(|&j| scores[j] != scores[i]);
        if last_of_tie {
            out.thresholds.push(scores[i]);
            out.true_positives.push(tp);
            out.false_positives.push(fp);
        }
    }
    out.positives = tp;
    out.negatives = fp;
    out
}

/// A ROC curve: false-positive rate against true-positive rate as the threshold falls.
#[derive(Debug, Clone, PartialEq)]
pub struct RocCurve {
    /// `FP / negatives` at each threshold, from 0 up to 1 (all NaN if there are no negatives).
    pub fpr: Vec<f64>,
    /// `TP / positives` at each threshold, from 0 up to 1 (all NaN if there are no positives).
    pub tpr: Vec<f64>,
    /// `+∞` (nothing positive), then the distinct scores in decreasing order (fewer of them with
    /// `drop_intermediate`).
    pub thresholds: Vec<f64>,
}

/// The ROC curve of binary scores, as scikit-learn's `roc_curve`.
///
/// Labels are `{0, 1}` or `{−1, 1}` with 1 positive. The first point is `(0, 0)` at threshold
/// `+∞`. With `drop_intermediate`, thresholds whose point is collinear with its neighbours are
/// dropped — those where the second differences of both the false- and true-positive counts are
/// zero (scikit-learn's rule) — keeping the first and last; the curve's shape and area do not
/// change. Without negatives `fpr` is all NaN, without positives `tpr` is (scikit-learn warns).
pub fn roc_curve<S: Copy + Into<f64>>(
    y_true: &[i64],
    scores: &[S],
    drop_intermediate: bool,
) -> Result<RocCurve> {
    let counts = counts_at_thresholds(y_true, scores)?;
    Ok(roc_from_counts(&counts, drop_intermediate))
}

/// Builds the ROC curve from threshold counts.
fn roc_from_counts(counts: &ThresholdCounts, drop_intermediate: bool) -> RocCurve {
    let (fps, tps) = (&counts.false_positives, &counts.true_positives);
    let n = fps.len();
    // Counts never exceed the sample count, so these sums cannot overflow.
    let second_difference = |v: &[u64], i: usize| v[i - 1] + v[i + 1] != 2 * v[i];
    let keep: Vec<usize> = (0..n)
        .filter(|&i| {
            !drop_intermediate
                || n <= 2
                || i == 0
                || i + 1 == n
                || second_difference(fps, i)
                || second_difference(tps, i)
        })
        .collect();
    let rate = |count: u64, total: u64| {
        if total == 0 {
            f64::NAN
        } else {
            count as f64 / total as f64
        }
    };
    let mut curve = RocCurve {
        fpr: vec![rate(0, counts.negatives)],
        tpr: vec![rate(0, counts.positives)],
        thresholds: vec![f64::INFINITY],
    };
    for i in keep {
        curve.fpr.push(rate(fps[i], counts.negatives));
        curve.tpr.push(rate(tps[i], counts.positives));
        curve.thresholds.push(counts.thresholds[i]);
    }
    curve
}

/// The area under a curve by the trapezoid rule, as scikit-learn's `auc`: `x` must be monotonic
/// (increasing, or decreasing, which gives the same positive area) and have at least two points.
pub fn auc(x: &[f64], y: &[f64]) -> Result<f64> {
    if x.len() != y.len() {
        return Err(EngineError::shape(
            "curve y values",
            (x.len(), 1),
            (y.len(), 1),
        ));
    }
    if x.len() < 2 {
        return Err(EngineError::Invalid(format!(
            "the area under a curve needs at least 2 points, got {}",
            x.len()
        )));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(EngineError::NonFinite {
            what: "curve points".to_owned(),
        });
    }
    let increasing = x.windows(2).all(|w| w[1] >= w[0]);
    let decreasing = x.windows(2).all(|w| w[1] <= w[0]);
    if !increasing && !decreasing {
        return Err(EngineError::Invalid(
            "the curve's x values are neither increasing nor decreasing".to_owned(),
        ));
    }
    let area: f64 = x
        .windows(2)
        .zip(y.windows(2))
        .map(|(xs, ys)| (xs[1] - xs[0]) * (ys[1] + ys[0]) / 2.0)
        .sum();
    Ok(if increasing { area } else { -area })
}

/// The area under the ROC curve of binary scores, as scikit-learn's `roc_auc_score`: the
/// trapezoid rule over [`roc_curve`] (ties count ½). NaN when `y_true` has only one class (the
/// curve is undefined; scikit-learn warns and returns NaN).
pub fn roc_auc<S: Copy + Into<f64>>(y_true: &[i64], scores: &[S]) -> Result<f64> {
    let counts = counts_at_thresholds(y_true, scores)?;
    Ok(auc_from_counts(&counts))
}

/// AUC from threshold counts; NaN with one class.
fn auc_from_counts(counts: &ThresholdCounts) -> f64 {
    if counts.positives == 0 || counts.negatives == 0 {
        return f64::NAN;
    }
    let curve = roc_from_counts(counts, true);
    auc(&curve.fpr, &curve.tpr).unwrap_or(f64::NAN)
}

/// One-vs-rest AUC of class probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct OneVsRestAuc {
    /// The classes, in column order.
    pub classes: Vec<i64>,
    /// For each class, the AUC of its probability column at telling it from all other classes
    /// (NaN for a class absent from `y_true`).
    pub per_class: Vec<f64>,
    /// The unweighted mean of `per_class` (NaN if any is NaN).
    pub macro_average: f64,
}

/// One-vs-rest ROC AUC of class probabilities, as scikit-learn's
/// `roc_auc_score(multi_class="ovr", average=None / "macro")`.
///
/// `probabilities` (`f32` or `f64`) is `(N, K)`, its columns the classes in ascending order: `labels` if given
/// (they must be ascending, distinct, one per column, and contain every true label), else the
/// distinct values of `y_true`, which must then number exactly `K`. Each row must sum to 1
/// (within `1e-8 + 1e-5`, numpy's `allclose`). Unlike scikit-learn, two classes with two columns
/// are accepted (both columns then give the same AUC).
pub fn roc_auc_one_vs_rest<T: Scalar + Copy + Into<f64>>(
    y_true: &[i64],
    probabilities: &DMatrix<T>,
    labels: Option<&[i64]>,
) -> Result<OneVsRestAuc> {
    check_lengths("probability rows", y_true.len(), probabilities.nrows())?;
    let k = probabilities.ncols();
    if probabilities.iter().any(|&p| !p.into().is_finite()) {
        return Err(EngineError::NonFinite {
            what: "probabilities".to_owned(),
        });
    }
    for r in 0..probabilities.nrows() {
        let sum: f64 = probabilities.row(r).iter().map(|&p| p.into()).sum();
        if (sum - 1.0).abs() > 1e-8 + 1e-5 * sum.abs() {
            return Err(EngineError::Invalid(format!(
                "one-vs-rest AUC needs probabilities: row {r} sums to {sum}, not 1"
            )));
        }
    }
    let classes = match labels {
        Some(l) => {
            if l.windows(2).any(|w| w[1] <= w[0]) {
                return Err(EngineError::Invalid(
                    "the labels must be distinct and in ascending order".to_owned(),
                ));
            }
            if l.len() != k {
                return Err(EngineError::Invalid(format!(
                    "{} labels but {k} probability columns",
                    l.len()
                )));
            }
            if let Some(bad) = y_true.iter().find(|t| !l.contains(t)) {
                return Err(EngineError::Invalid(format!(
                    "the true label {bad} is not among the labels {l:?}"
                )));
            }
            l.to_vec()
        }
        None => {
            let classes = distinct_labels(&[y_true]);
            if classes.len() != k {
                return Err(EngineError::Invalid(format!(
                    "the true labels have {} classes but there are {k} probability columns",
                    classes.len()
                )));
            }
            classes
        }
    };
    if k < 2 {
        return Err(EngineError::Invalid(
            "one-vs-rest AUC needs at least two classes".to_owned(),
        ));
    }
    let per_class: Vec<f64> = classes
        .iter()
        .enumerate()
        .map(|(c, &class)| {
            let truth: Vec<bool> = y_true.iter().map(|&t| t == class).collect();
            let column: Vec<f64> = probabilities.column(c).iter().map(|&p| p.into()).collect();
            auc_from_counts(&counts_from(&truth, &column))
        })
        .collect();
    let macro_average = per_class.iter().sum::<f64>() / per_class.len() as f64;
    Ok(OneVsRestAuc {
        classes,
        per_class,
        macro_average,
    })
}

/// A precision-recall curve in scikit-learn's order: recall decreasing to 0.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionRecallCurve {
    /// `TP / (TP + FP)` at each threshold (0 where nothing is predicted positive), then a final 1.
    pub precision: Vec<f64>,
    /// `TP / positives` at each threshold (all 1 if there are no positives), then a final 0.
    pub recall: Vec<f64>,
    /// The distinct scores in increasing order; one fewer than the points (the final point
    /// `(recall 0, precision 1)` has no threshold).
    pub thresholds: Vec<f64>,
    /// True when `y_true` has no positive, so recall is a convention (scikit-learn warns).
    pub no_positives: bool,
}

/// The precision-recall curve of binary scores, as scikit-learn's `precision_recall_curve`.
///
/// With `drop_intermediate`, thresholds where the true-positive count equals both neighbours'
/// are dropped (the curve keeps only the ends of each vertical run).
pub fn precision_recall_curve<S: Copy + Into<f64>>(
    y_true: &[i64],
    scores: &[S],
    drop_intermediate: bool,
) -> Result<PrecisionRecallCurve> {
    let counts = counts_at_thresholds(y_true, scores)?;
    let (fps, tps) = (&counts.false_positives, &counts.true_positives);
    let n = tps.len();
    let keep: Vec<usize> = (0..n)
        .filter(|&i| {
            !drop_intermediate
                || n <= 2
                || i == 0
                || i + 1 == n
                || tps[i] != tps[i - 1]
                || tps[i + 1] != tps[i]
        })
        .collect();
    let no_positives = counts.positives == 0;
    let mut precision = Vec::with_capacity(keep.len() + 1);
    let mut recall = Vec::with_capacity(keep.len() + 1);
    let mut thresholds = Vec::with_capacity(keep.len());
    for &i in keep.iter().rev() {
        let predicted = tps[i] + fps[i];
        precision.push(if predicted == 0 {
            0.0
        } else {
            tps[i] as f64 / predicted as f64
        });
        recall.push(if no_positives {
            1.0
        } else {
            tps[i] as f64 / counts.positives as f64
        });
        thresholds.push(counts.thresholds[i]);
    }
    precision.push(1.0);
    recall.push(0.0);
    Ok(PrecisionRecallCurve {
        precision,
        recall,
        thresholds,
        no_positives,
    })
}

/// Average precision, as scikit-learn's `average_precision_score`: `AP = Σ_n (R_n − R_{n−1}) P_n`
/// over the precision-recall curve's thresholds (a step function, not the trapezoid rule). Binary
/// labels only; 0 when there are no positives.
pub fn average_precision<S: Copy + Into<f64>>(y_true: &[i64], scores: &[S]) -> Result<f64> {
    let curve = precision_recall_curve(y_true, scores, false)?;
    let mut sum = 0.0;
    for i in 0..curve.recall.len().saturating_sub(1) {
        sum -= (curve.recall[i + 1] - curve.recall[i]) * curve.precision[i];
    }
    Ok(sum.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::{Matrix, from_rows};

    #[test]
    fn roc_curve_by_hand() {
        // scikit-learn's docstring: y = [1, 1, 2, 2] with 2 positive is here [0, 0, 1, 1],
        // scores [0.1, 0.4, 0.35, 0.8]. Sorted: 0.8 (P), 0.4 (N), 0.35 (P), 0.1 (N).
        // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [∞, 0.8, 0.4, 0.35, 0.1].
        let y = [0, 0, 1, 1];
        let s = [0.1, 0.4, 0.35, 0.8];
        let c = roc_curve(&y, &s, false).unwrap();
        assert_eq!(c.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(c.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(c.thresholds, vec![f64::INFINITY, 0.8, 0.4, 0.35, 0.1]);
        // Every point is a corner, so dropping keeps them all (the docstring's output).
        assert_eq!(roc_curve(&y, &s, true).unwrap(), c);
        // AUC: pairs (P, N) ranked right: (0.8 > 0.4), (0.8 > 0.1), (0.35 > 0.1); wrong:
        // (0.35 < 0.4) → 3/4.
        assert_eq!(roc_auc(&y, &s).unwrap(), 0.75);
    }

    #[test]
    fn collinear_points_are_dropped() {
        // Sorted: 0.9 P, 0.8 P, 0.7 P, 0.6 N, 0.5 N. Counts (fp, tp): (0,1), (0,2), (0,3), (1,3),
        // (2,3). The middle of each straight run, (0,2) and (1,3), is dropped.
        let y = [1, 1, 1, 0, 0];
        let s = [0.9, 0.8, 0.7, 0.6, 0.5];
        let c = roc_curve(&y, &s, true).unwrap();
        assert_eq!(c.thresholds, vec![f64::INFINITY, 0.9, 0.7, 0.5]);
        assert_eq!(c.tpr, vec![0.0, 1.0 / 3.0, 1.0, 1.0]);
        assert_eq!(c.fpr, vec![0.0, 0.0, 0.0, 1.0]);
        assert_eq!(roc_curve(&y, &s, false).unwrap().thresholds.len(), 6);
        assert_eq!(roc_auc(&y, &s).unwrap(), 1.0);
    }

    #[test]
    fn ties_make_one_diagonal_step_worth_half() {
        // All four scores tie: one step from (0, 0) to (1, 1), area ½.
        let y = [1, 0, 1, 0];
        let s = [0.5_f32; 4];
        let c = roc_curve(&y, &s, false).unwrap();
        assert_eq!(c.fpr, vec![0.0, 1.0]);
        assert_eq!(c.tpr, vec![0.0, 1.0]);
        assert_eq!(roc_auc(&y, &s).unwrap(), 0.5);
        // One positive tied with one negative at the top: ½ of that pair, others right:
        // P: 0.9, 0.5; N: 0.9, 0.1 → pairs (0.9 vs 0.9) ½, (0.9 > 0.1) 1, (0.5 < 0.9) 0,
        // (0.5 > 0.1) 1 → 2.5/4.
        assert_eq!(
            roc_auc(&[1, 0, 1, 0], &[0.9, 0.9, 0.5, 0.1]).unwrap(),
            0.625
        );
    }

    #[test]
    fn one_class_gives_nan() {
        assert!(roc_auc(&[1, 1], &[0.2, 0.4]).unwrap().is_nan());
        let c = roc_curve(&[1, 1], &[0.2, 0.4], true).unwrap();
        assert!(c.fpr.iter().all(|v| v.is_nan()));
        assert_eq!(c.tpr, vec![0.0, 0.5, 1.0]);
        assert!(roc_curve(&[0, 2], &[0.2, 0.4], true).is_err());
        assert!(roc_curve(&[0, 1], &[0.2, f64::NAN], true).is_err());
        assert!(roc_curve::<f64>(&[], &[], true).is_err());
        // −1/1 labels are binary too.
        assert_eq!(roc_auc(&[-1, 1], &[0.2, 0.4]).unwrap(), 1.0);
    }

    #[test]
    fn auc_by_trapezoids() {
        // A triangle under (0,0)-(1,1): ½; decreasing x gives the same area.
        assert_eq!(auc(&[0.0, 1.0], &[0.0, 1.0]).unwrap(), 0.5);
        assert_eq!(auc(&[1.0, 0.0], &[1.0, 0.0]).unwrap(), 0.5);
        assert!(auc(&[0.0, 1.0, 0.5], &[0.0, 1.0, 1.0]).is_err());
        assert!(auc(&[0.0], &[0.0]).is_err());
    }

    #[test]
    fn one_vs_rest_by_hand() {
        // Class 0: its samples score 0.7, 0.5 in column 0, the others 0.1, 0.2, 0.1 → AUC 1.
        // Class 1: its samples score 0.6, 0.3 in column 1, the others 0.2, 0.4, 0.2; 0.6 beats
        //          all three, 0.3 beats the two 0.2s → 5/6.
        // Class 2: its sample scores 0.7 in column 2, the others 0.1, 0.1, 0.3, 0.5 → 1.
        let p = from_rows(&[
            vec![0.7, 0.2, 0.1],
            vec![0.5, 0.4, 0.1],
            vec![0.1, 0.6, 0.3],
            vec![0.2, 0.3, 0.5],
            vec![0.1, 0.2, 0.7],
        ])
        .unwrap();
        let y = [0, 0, 1, 1, 2];
        let r = roc_auc_one_vs_rest(&y, &p, None).unwrap();
        assert_eq!(r.classes, vec![0, 1, 2]);
        assert_eq!(r.per_class[0], 1.0);
        assert!((r.per_class[1] - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(r.per_class[2], 1.0);
        assert!((r.macro_average - (2.0 + 5.0 / 6.0) / 3.0).abs() < 1e-12);
        // Rows not summing to 1, a class count that differs from the columns: errors.
        let bad = from_rows(&[vec![0.5, 0.6], vec![0.5, 0.5]]).unwrap();
        assert!(roc_auc_one_vs_rest(&[0, 1], &bad, None).is_err());
        assert!(roc_auc_one_vs_rest(&[0, 0, 1, 1, 1], &p, None).is_err());
        // With labels, an absent class gets NaN.
        let r = roc_auc_one_vs_rest(&[0, 0, 1, 1, 1], &p, Some(&[0, 1, 2])).unwrap();
        assert!(r.per_class[2].is_nan() && r.macro_average.is_nan());
        assert!(roc_auc_one_vs_rest(&y, &p, Some(&[2, 1, 0])).is_err());
    }

    #[test]
    fn precision_recall_by_hand() {
        // scikit-learn's docstring: y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8] →
        // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0],
        // thresholds [0.1, 0.35, 0.4, 0.8].
        let y = [0, 0, 1, 1];
        let s = [0.1, 0.4, 0.35, 0.8];
        let c = precision_recall_curve(&y, &s, false).unwrap();
        assert_eq!(c.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
        assert_eq!(c.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_eq!(c.precision, vec![0.5, 2.0 / 3.0, 0.5, 1.0, 1.0]);
        // AP = Σ_n (R_n − R_{n+1}) P_n along these lists = 0·0.5 + 0.5·(2/3) + 0·0.5 + 0.5·1
        // = 5/6 = 0.8333 (the docstring's 0.83).
        let ap = average_precision(&y, &s).unwrap();
        assert!((ap - 5.0 / 6.0).abs() < 1e-12);
        // No positives: recall all 1 (flagged) and AP 0.
        let c = precision_recall_curve(&[0, 0], &[0.3, 0.6], false).unwrap();
        assert!(c.no_positives);
        assert_eq!(c.recall, vec![1.0, 1.0, 0.0]);
        assert_eq!(average_precision(&[0, 0], &[0.3, 0.6]).unwrap(), 0.0);
        // Dropping: sorted P N N N P gives tps 1, 1, 1, 1, 2.
        let c = precision_recall_curve(&[1, 0, 0, 0, 1], &[0.9, 0.8, 0.7, 0.6, 0.5], true).unwrap();
        // Kept (decreasing): 0.9 (first), 0.6 (next differs), 0.5 (last); 0.8 and 0.7 sit inside
        // the run of tps = 1. Reversed: thresholds [0.5, 0.6, 0.9], precision [2/5, 1/4, 1, 1],
        // recall [1, 1/2, 1/2, 0] — scikit-learn's output.
        assert_eq!(c.thresholds, vec![0.5, 0.6, 0.9]);
        assert_eq!(c.precision, vec![0.4, 0.25, 1.0, 1.0]);
        assert_eq!(c.recall, vec![1.0, 0.5, 0.5, 0.0]);
        // P P P N (tps 1, 2, 3, 3) has no interior point inside a run: nothing is dropped.
        let c = precision_recall_curve(&[1, 1, 1, 0], &[0.9, 0.8, 0.7, 0.1], true).unwrap();
        assert_eq!(c.thresholds, vec![0.1, 0.7, 0.8, 0.9]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn curves_never_panic(
                y in proptest::collection::vec(-1i64..3, 0..8),
                s in proptest::collection::vec(
                    prop_oneof![-2.0..2.0f64, Just(0.5), Just(f64::NAN), Just(f64::NEG_INFINITY)],
                    0..8),
                probs in proptest::collection::vec(
                    prop_oneof![0.0..1.0f32, Just(0.5), Just(f32::NAN)], 0..24),
                cols in 0usize..4,
                drop in any::<bool>(),
            ) {
                let _ = counts_at_thresholds(&y, &s);
                let _ = roc_curve(&y, &s, drop);
                let _ = roc_auc(&y, &s);
                let _ = precision_recall_curve(&y, &s, drop);
                let _ = average_precision(&y, &s);
                let _ = auc(&s, &s);
                let rows = probs.len().checked_div(cols).unwrap_or(0);
                let m = Matrix::from_vec(rows, cols, probs[..rows * cols].to_vec());
                let _ = roc_auc_one_vs_rest(&y, &m, None);
                let _ = roc_auc_one_vs_rest(&y, &m, Some(&[0, 1, 2]));
            }

            #[test]
            fn auc_is_the_pair_ranking_probability(
                pairs in proptest::collection::vec((0i64..2, 0u8..6), 2..12),
            ) {
                let y: Vec<i64> = pairs.iter().map(|p| p.0).collect();
                let s: Vec<f64> = pairs.iter().map(|p| f64::from(p.1)).collect();
                let a = roc_auc(&y, &s).unwrap();
                let (mut wins, mut total) = (0.0, 0.0);
                for (i, &yi) in y.iter().enumerate() {
                    for (j, &yj) in y.iter().enumerate() {
                        if yi == 1 && yj == 0 {
                            total += 1.0;
                            wins += if s[i] > s[j] { 1.0 } else if s[i] == s[j] { 0.5 } else { 0.0 };
                        }
                    }
                }
                if total == 0.0 {
                    prop_assert!(a.is_nan());
                } else {
                    prop_assert!((a - wins / total).abs() < 1e-12, "{} vs {}", a, wins / total);
                }
            }
        }
    }
}
