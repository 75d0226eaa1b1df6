//! Adapter for the `metrics` family: binary and multiclass classification metrics, log loss, ROC
//! curves and AUC, and regression errors.

use super::{Actuals, Case, Failure, Outcome, ToValue, compare};
use serde_json::{Value, json};
use spiega_nn::metrics::classification::{self as cl, PrecisionRecallF1};
use spiega_nn::metrics::{regression, roc};

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    match case.kind.as_str() {
        "metric/binary_classification" => binary(case),
        "metric/multiclass_classification" => multiclass(case),
        "metric/log_loss" => log_loss(case),
        "metric/roc" if case.has("scores") => roc_binary(case),
        "metric/roc" => roc_multiclass(case),
        "metric/regression" => regression(case),
        other => Err(Failure::Unsupported(format!("metric kind {other}"))),
    }
}

/// Counts as JSON integers.
fn counts(v: &[u64]) -> Value {
    Value::Array(v.iter().map(|&c| Value::from(c)).collect())
}

/// A confusion matrix as nested integer rows.
fn matrix_of(cm: &cl::ConfusionMatrix) -> Value {
    Value::Array(cm.counts.iter().map(|row| counts(row)).collect())
}

/// `{precision, recall, f1}` of one average.
fn prf(s: &PrecisionRecallF1) -> Value {
    json!({"precision": s.precision.value, "recall": s.recall.value, "f1": s.f1.value})
}

/// Binary metrics with positive label 1.
fn binary(case: &Case) -> Outcome {
    let (t, p) = (case.ints("y_true")?, case.ints("y_pred")?);
    let c = cl::binary_counts(&t, &p)?;
    let cm01 = cl::confusion_matrix(&t, &p, Some(&[0, 1]))?;
    let flat: Vec<u64> = cm01.counts.iter().flatten().copied().collect();
    let mut out = Actuals::new();
    out.put("accuracy", cl::accuracy(&t, &p)?)
        .put("precision", c.precision().value)
        .put("recall_sensitivity", c.recall().value)
        .put("specificity", c.specificity().value)
        .put("f1", c.f1().value)
        .put_value(
            "confusion_matrix_default_labels",
            matrix_of(&cl::confusion_matrix(&t, &p, None)?),
        )
        .put_value("confusion_matrix_labels_0_1", matrix_of(&cm01))
        .put_value("tn_fp_fn_tp", counts(&flat));
    Ok(out)
}

/// Multiclass metrics over the given labels.
fn multiclass(case: &Case) -> Outcome {
    let (t, p) = (case.ints("y_true")?, case.ints("y_pred")?);
    let labels = case.ints("labels")?;
    let r = cl::classification_report(&t, &p, Some(&labels))?;
    let per = &r.per_class;
    let ovr: Vec<Value> = per.iter().map(|c| counts(&c.counts.as_array())).collect();
    let column = |f: fn(&cl::ClassReport) -> f64| -> Vec<f64> { per.iter().map(f).collect() };
    let mut out = Actuals::new();
    out.put("accuracy", r.accuracy)
        .put_value(
            "confusion_matrix",
            matrix_of(&cl::confusion_matrix(&t, &p, Some(&labels))?),
        )
        .put_value("per_class_one_vs_rest_tn_fp_fn_tp", Value::Array(ovr))
        .put("per_class_specificity", column(|c| c.specificity.value))
        .put_value(
            "precision_recall_f1_per_class",
            json!({
                "precision": column(|c| c.scores.precision.value).to_value(),
                "recall": column(|c| c.scores.recall.value).to_value(),
                "f1": column(|c| c.scores.f1.value).to_value(),
                "support": counts(&per.iter().map(|c| c.support).collect::<Vec<_>>()),
            }),
        )
        .put_value("precision_recall_f1_macro", prf(&r.macro_average))
        .put_value("precision_recall_f1_micro", prf(&r.micro_average))
        .put_value("precision_recall_f1_weighted", prf(&r.weighted_average));
    Ok(out)
}

/// scikit-learn's log loss, with or without labels.
fn log_loss(case: &Case) -> Outcome {
    let labels = if case.has("labels") {
        Some(case.ints("labels")?)
    } else {
        None
    };
    let v = cl::log_loss(&case.ints("y_true")?, &case.matrix("p")?, labels.as_deref())?;
    let mut out = Actuals::new();
    out.put("log_loss", v.value);
    Ok(out)
}

/// A number-list input as `f64`, unrounded.
fn floats(case: &Case, name: &str) -> Result<Vec<f64>, Failure> {
    let mut v = Vec::new();
    compare::flatten(case.input(name)?, &mut v)
        .map_err(|e| Failure::BadInput(format!("input \"{name}\": {e}")))?;
    Ok(v)
}

/// Binary ROC curves (both `drop_intermediate` settings) and AUC.
fn roc_binary(case: &Case) -> Outcome {
    let (y, s) = (case.ints("y_true")?, floats(case, "scores")?);
    let mut out = Actuals::new();
    out.put("roc_auc", roc::roc_auc(&y, &s)?);
    for drop in [false, true] {
        let c = roc::roc_curve(&y, &s, drop)?;
        out.put_value(
            &format!("roc_curve_drop_intermediate_{drop}"),
            json!({"fpr": c.fpr.to_value(), "tpr": c.tpr.to_value(),
                   "thresholds": c.thresholds.to_value()}),
        );
    }
    Ok(out)
}

/// One-vs-rest AUC of class probabilities.
fn roc_multiclass(case: &Case) -> Outcome {
    let r = roc::roc_auc_one_vs_rest(&case.ints("y_true")?, &case.matrix("probabilities")?, None)?;
    let mut out = Actuals::new();
    out.put("roc_auc_ovr_macro", r.macro_average)
        .put("roc_auc_ovr_per_class", r.per_class);
    Ok(out)
}

/// MAE, MSE and RMSE, overall and per output.
fn regression(case: &Case) -> Outcome {
    let r = regression::regression_report(&case.matrix("y_true")?, &case.matrix("y_pred")?)?;
    let mut out = Actuals::new();
    out.put("mae", r.mae)
        .put("mse", r.mse)
        .put("rmse", r.rmse)
        .put("mae_per_output", r.mae_per_output)
        .put("mse_per_output", r.mse_per_output);
    Ok(out)
}
