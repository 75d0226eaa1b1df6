//! Every score of a trained model's predictions on one split, for the scores figure.
//!
//! [`evaluate`] takes a network's raw outputs, the targets and the loss it trained with, and
//! returns what the page shows for the task:
//! - binary: each sample's probability of class 1, the ROC and precision-recall curves with their
//!   areas, the log loss, and [`BinaryEvaluation::at`] for the confusion counts and ratios at any
//!   decision threshold;
//! - multiclass: the confusion matrix, per-class and macro/micro scores, log loss and
//!   one-vs-rest AUC;
//! - regression: MAE, MSE, RMSE and each sample's residual.
//!
//! Everything is computed by [`spiega_nn::metrics`]; this module only turns outputs into the labels
//! and probabilities those functions take.

use spiega_nn::error::{EngineError, Result};
use spiega_nn::loss::{Loss, OutputMeaning};
use spiega_nn::metrics::classification::{
    BinaryCounts, ClassificationReport, ConfusionMatrix, binary_counts_at_threshold,
    classification_report, confusion_matrix, log_loss,
};
use spiega_nn::metrics::regression::{RegressionReport, regression_report};
use spiega_nn::metrics::roc::{
    OneVsRestAuc, PrecisionRecallCurve, RocCurve, average_precision, precision_recall_curve,
    roc_auc, roc_auc_one_vs_rest, roc_curve,
};
use spiega_nn::metrics::{Ratio, check_lengths};
use spiega_nn::tensor::Matrix;

/// The scores of one split's predictions, by task.
#[derive(Debug, Clone, PartialEq)]
pub enum Evaluation {
    /// Two classes, one output.
    Binary(BinaryEvaluation),
    /// Several classes, one output per class.
    Multiclass(MulticlassEvaluation),
    /// Real-valued predictions.
    Regression(RegressionEvaluation),
}

/// A binary classifier's predictions and the threshold-free scores.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryEvaluation {
    /// The true class of each sample (0 or 1).
    pub labels: Vec<i64>,
    /// Each sample's predicted probability of class 1 (a score in `[0, 1]` for the hinge loss).
    pub probabilities: Vec<f64>,
    /// Whether `probabilities` estimate probabilities (false for the hinge loss, whose output
    /// only ranks samples; its log loss is then shown with a warning).
    pub calibrated: bool,
    /// The ROC curve over every threshold (no points dropped, so the marker sits on it).
    pub roc: RocCurve,
    /// The area under the ROC curve (NaN when the split has one class only).
    pub auc: f64,
    /// The precision-recall curve.
    pub pr: PrecisionRecallCurve,
    /// Average precision, the step-wise area under the precision-recall curve.
    pub average_precision: f64,
    /// The log loss of `probabilities`.
    pub log_loss: f64,
}

/// The confusion counts and ratios at one decision threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdScores {
    /// The threshold: a sample is predicted positive iff its probability is at least this.
    pub threshold: f64,
    /// TN, FP, FN, TP.
    pub counts: BinaryCounts,
    /// `(TP + TN) / N`.
    pub accuracy: Ratio,
    /// `TP / (TP + FN)`, the true-positive rate (also the recall).
    pub sensitivity: Ratio,
    /// `TN / (TN + FP)`, the true-negative rate.
    pub specificity: Ratio,
    /// `TP / (TP + FP)`.
    pub precision: Ratio,
    /// `TP / (TP + FN)`.
    pub recall: Ratio,
    /// `2 TP / (2 TP + FP + FN)`, the harmonic mean of precision and recall.
    pub f1: Ratio,
    /// The point on the ROC curve: `(FP / negatives, TP / positives)`, NaN without a class.
    pub roc_point: (f64, f64),
}

impl BinaryEvaluation {
    /// The confusion counts and every ratio at `threshold`.
    pub fn at(&self, threshold: f64) -> Result<ThresholdScores> {
        let counts = binary_counts_at_threshold(&self.labels, &self.probabilities, threshold)?;
        let prf = counts.precision_recall_f1();
        let negatives = (counts.true_negatives + counts.false_positives) as f64;
        let positives = (counts.true_positives + counts.false_negatives) as f64;
        let rate = |n: u64, d: f64| if d > 0.0 { n as f64 / d } else { f64::NAN };
        Ok(ThresholdScores {
            threshold,
            counts,
            accuracy: counts.accuracy(),
            sensitivity: counts.sensitivity(),
            specificity: counts.specificity(),
            precision: prf.precision,
            recall: prf.recall,
            f1: prf.f1,
            roc_point: (
                rate(counts.false_positives, negatives),
                rate(counts.true_positives, positives),
            ),
        })
    }
}

/// A multiclass classifier's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct MulticlassEvaluation {
    /// The confusion matrix over every class of the task (rows true, columns predicted).
    pub confusion: ConfusionMatrix,
    /// Per-class precision, recall, F1 and support, and their macro, micro and weighted averages.
    pub report: ClassificationReport,
    /// The log loss of the softmax probabilities.
    pub log_loss: f64,
    /// One-vs-rest ROC AUC per class and its macro average, when every class occurs in the split.
    pub auc: Option<OneVsRestAuc>,
}

/// A regression's errors.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionEvaluation {
    /// MAE, MSE and RMSE.
    pub report: RegressionReport,
    /// Each sample's prediction (first output).
    pub predicted: Vec<f64>,
    /// Each sample's residual, prediction minus target (first output).
    pub residuals: Vec<f64>,
}

/// The index of the largest value of each row (the first of equal maxima).
fn arg_max_rows(m: &Matrix) -> Vec<i64> {
    (0..m.nrows())
        .map(|r| {
            let mut best = 0;
            for c in 1..m.ncols() {
                if m[(r, c)] > m[(r, best)] {
                    best = c;
                }
            }
            best as i64
        })
        .collect()
}

/// Scores raw network `output` against `target` for a network trained with `loss`.
///
/// # Shapes
/// `output`, `target`: `(samples, outputs)`; binary targets hold 0 or 1, multiclass targets are
/// one-hot rows, regression targets are values.
pub fn evaluate(loss: Loss, output: &Matrix, target: &Matrix) -> Result<Evaluation> {
    check_lengths("targets", output.nrows(), target.nrows())?;
    if output.shape() != target.shape() {
        return Err(EngineError::shape(
            "targets",
            output.shape(),
            target.shape(),
        ));
    }
    let mut probs = Matrix::zeros(0, 0);
    loss.predict_probabilities(output, &mut probs)?;
    match loss.output_meaning() {
        OutputMeaning::Value => {
            let report = regression_report(target, output)?;
            let predicted: Vec<f64> = output.column(0).iter().map(|&v| f64::from(v)).collect();
            let residuals = predicted
                .iter()
                .zip(target.column(0).iter())
                .map(|(p, &t)| p - f64::from(t))
                .collect();
            Ok(Evaluation::Regression(RegressionEvaluation {
                report,
                predicted,
                residuals,
            }))
        }
        OutputMeaning::ClassProbabilities => {
            let classes: Vec<i64> = (0..output.ncols() as i64).collect();
            let labels = arg_max_rows(target);
            let predicted = arg_max_rows(output);
            let confusion = confusion_matrix(&labels, &predicted, Some(&classes))?;
            let report = classification_report(&labels, &predicted, Some(&classes))?;
            let log_loss = log_loss(&labels, &probs, Some(&classes))?.value;
            let every_class = classes.iter().all(|c| labels.contains(c));
            let auc = if every_class {
                roc_auc_one_vs_rest(&labels, &probs, Some(&classes)).ok()
            } else {
                None
            };
            Ok(Evaluation::Multiclass(MulticlassEvaluation {
                confusion,
                report,
                log_loss,
                auc,
            }))
        }
        OutputMeaning::Probability | OutputMeaning::Score => {
            let labels: Vec<i64> = target.iter().map(|&t| i64::from(t == 1.0)).collect();
            let probabilities: Vec<f64> = probs.iter().map(|&p| f64::from(p)).collect();
            let roc = roc_curve(&labels, &probabilities, false)?;
            let auc = roc_auc(&labels, &probabilities)?;
            let pr = precision_recall_curve(&labels, &probabilities, false)?;
            let average_precision = average_precision(&labels, &probabilities)?;
            let column = nalgebra::DMatrix::from_column_slice(
                probabilities.len(),
                1,
                probabilities.as_slice(),
            );
            let log_loss = log_loss(&labels, &column, Some(&[0, 1]))?.value;
            Ok(Evaluation::Binary(BinaryEvaluation {
                labels,
                probabilities,
                calibrated: loss.output_meaning() == OutputMeaning::Probability
                    || loss == Loss::SquaredMargin,
                roc,
                auc,
                pr,
                average_precision,
                log_loss,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_nn::tensor::from_rows;

    fn col(v: &[f32]) -> Matrix {
        Matrix::from_column_slice(v.len(), 1, v)
    }

    #[test]
    fn binary_scores_follow_the_threshold() {
        // Logits 2, 0.5, −0.5, −2 → σ = 0.881, 0.622, 0.378, 0.119; labels 1, 0, 1, 0.
        let out = col(&[2.0, 0.5, -0.5, -2.0]);
        let t = col(&[1.0, 0.0, 1.0, 0.0]);
        let Evaluation::Binary(e) = evaluate(Loss::BinaryCrossEntropy, &out, &t).unwrap() else {
            panic!("binary expected");
        };
        // Ranked 1, 0, 1, 0: of the four positive-negative pairs three are ordered: AUC = 0.75.
        assert!((e.auc - 0.75).abs() < 1e-12);
        let half = e.at(0.5).unwrap();
        // At ½: predicted positive 0.881 (TP) and 0.622 (FP); 0.378 is a FN, 0.119 a TN.
        assert_eq!(half.counts.as_array(), [1, 1, 1, 1]);
        assert_eq!(half.roc_point, (0.5, 0.5));
        let low = e.at(0.3).unwrap();
        assert_eq!(low.counts.as_array(), [1, 1, 0, 2]);
        assert!((low.recall.value - 1.0).abs() < 1e-12);
        // Every point the threshold gives lies on the ROC curve.
        assert!(
            e.roc
                .fpr
                .iter()
                .zip(&e.roc.tpr)
                .any(|(&f, &t)| (f, t) == low.roc_point)
        );
    }

    #[test]
    fn multiclass_and_regression() {
        let out = from_rows(&[
            vec![3.0, 0.0, 0.0],
            vec![0.0, 3.0, 0.0],
            vec![3.0, 0.0, 0.0],
        ])
        .unwrap();
        let t = from_rows(&[
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
        ])
        .unwrap();
        let Evaluation::Multiclass(m) = evaluate(Loss::SoftmaxCrossEntropy, &out, &t).unwrap()
        else {
            panic!("multiclass expected");
        };
        assert_eq!(
            m.confusion.counts,
            vec![vec![1, 0, 0], vec![0, 1, 0], vec![1, 0, 0]]
        );
        assert!((m.report.accuracy - 2.0 / 3.0).abs() < 1e-12);
        let Evaluation::Regression(r) =
            evaluate(Loss::MeanSquaredError, &col(&[1.0, 3.0]), &col(&[2.0, 2.0])).unwrap()
        else {
            panic!("regression expected");
        };
        // Residuals −1 and +1: MAE 1, MSE 1, RMSE 1.
        assert_eq!(r.residuals, vec![-1.0, 1.0]);
        assert_eq!((r.report.mae, r.report.mse, r.report.rmse), (1.0, 1.0, 1.0));
    }

    /// What the prose asks the reader to try: at threshold 0 every example is called positive,
    /// so recall is 1, precision is the share of positives and the point sits at the ROC
    /// curve's top right corner; and a random ranking's average precision is about that share.
    #[test]
    fn threshold_zero_and_a_random_ranking() {
        let mut rng = spiega_nn::rng::Rng::new(5);
        let n = 4000;
        let logits: Vec<f32> = (0..n).map(|_| 3.0 * rng.normal()).collect();
        let labels: Vec<f32> = (0..n)
            .map(|_| f32::from(u8::from(rng.bernoulli(0.3))))
            .collect();
        let Evaluation::Binary(e) =
            evaluate(Loss::BinaryCrossEntropy, &col(&logits), &col(&labels)).unwrap()
        else {
            panic!("binary expected");
        };
        let positives = labels.iter().filter(|&&y| y == 1.0).count() as f64 / n as f64;
        let zero = e.at(0.0).unwrap();
        assert_eq!(zero.recall.value, 1.0);
        assert!((zero.precision.value - positives).abs() < 1e-12, "{zero:?}");
        assert_eq!(zero.roc_point, (1.0, 1.0));
        assert!(
            (e.average_precision - positives).abs() < 0.03,
            "{} vs {positives}",
            e.average_precision
        );
        assert!((e.auc - 0.5).abs() < 0.03, "{}", e.auc);
    }

    /// Try this (scores): at threshold 0 the playground's network, whenever it is scored (untrained,
    /// or after 100, 500 or 2,000 updates at the page's settings), calls every validation point
    /// positive: recall 1, precision the share of positives, the ROC point at the top right.
    #[test]
    fn try_threshold_zero_on_the_playground_network() {
        use crate::playground::{Playground, PlaygroundConfig};
        use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
        let mut run = Playground::new(PlaygroundConfig {
            optimizer: OptimizerConfig::new(OptimizerKind::Sgd)
                .with("lr", 0.03)
                .unwrap(),
            ..PlaygroundConfig::default()
        })
        .unwrap();
        for updates in [0, 100, 500, 2000] {
            while run.steps() < updates {
                run.step().unwrap();
            }
            let loss = run.trainer().loss();
            let (output, target) = run.split_outputs(1).unwrap().unwrap();
            let Evaluation::Binary(e) = evaluate(loss, output, target).unwrap() else {
                panic!("binary expected");
            };
            let positives =
                target.iter().filter(|&&y| y == 1.0).count() as f64 / target.nrows() as f64;
            let zero = e.at(0.0).unwrap();
            assert_eq!(zero.recall.value, 1.0, "at {updates}");
            assert!(
                (zero.precision.value - positives).abs() < 1e-12,
                "at {updates}"
            );
            assert_eq!(zero.roc_point, (1.0, 1.0), "at {updates}");
        }
    }
}
