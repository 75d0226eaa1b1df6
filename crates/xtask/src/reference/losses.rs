//! Adapter for the `losses` family: squared error, binary log loss on probabilities, binary and
//! softmax cross-entropy from logits, binary and Crammer–Singer hinge, exponential loss, and Gini
//! impurity of a split.

use super::{Actuals, Case, Failure, Outcome, ToValue};
use serde_json::Value;
use spiega_nn::Matrix;
use spiega_nn::loss;

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    match case.kind.as_str() {
        "loss/mse" => mse(case),
        "loss/binary_log_loss_prob" => binary_log_loss(case),
        "loss/binary_cross_entropy_logits" => bce(case),
        "loss/softmax_cross_entropy" => softmax_ce(case),
        "loss/hinge_binary" => hinge(case),
        "loss/hinge_multiclass_crammer_singer" => crammer_singer(case),
        "loss/exponential" => exponential(case),
        "loss/gini_impurity" => gini(case),
        other => Err(Failure::Unsupported(format!("loss kind {other}"))),
    }
}

/// `m` in the nesting of input `name`: a flat list for a vector input, rows for a matrix input.
fn like(case: &Case, name: &str, m: &Matrix) -> Result<Value, Failure> {
    Ok(if case.shape(name)?.len() == 1 {
        m.iter().copied().collect::<Vec<f32>>().to_value()
    } else {
        m.to_value()
    })
}

/// Mean and sum of squared errors with the mean's gradient.
fn mse(case: &Case) -> Outcome {
    let (p, t) = (case.matrix("y_pred")?, case.matrix("y_true")?);
    let mut g = Matrix::zeros(0, 0);
    let mean = loss::mean_squared_error(&p, &t, Some(&mut g))?;
    let sum = loss::sum_squared_error(&p, &t, None)?;
    let mut out = Actuals::new();
    out.put("loss_mean", mean)
        .put("loss_sum", sum)
        .put_value("dL_dy_pred", like(case, "y_pred", &g)?);
    Ok(out)
}

/// Clipped binary log loss on probabilities.
fn binary_log_loss(case: &Case) -> Outcome {
    let (p, t) = (case.matrix("p")?, case.matrix("y_true")?);
    let mut g = Matrix::zeros(0, 0);
    // FORMAT.md: the clip is float64 machine epsilon unless the case gives another.
    let eps = case.f64_or("clip_eps", f64::EPSILON)?;
    let value = loss::binary_log_loss(&p, &t, eps, Some(&mut g))?;
    let mut out = Actuals::new();
    out.put("loss", value)
        .put_value("dL_dp", like(case, "p", &g)?);
    Ok(out)
}

/// Binary cross-entropy from logits.
fn bce(case: &Case) -> Outcome {
    let (z, t) = (case.matrix("logits")?, case.matrix("y_true")?);
    let mut g = Matrix::zeros(0, 0);
    let value = loss::binary_cross_entropy_with_logits(&z, &t, Some(&mut g))?;
    let mut out = Actuals::new();
    out.put("loss", value)
        .put_value("dL_dlogits", like(case, "logits", &g)?);
    Ok(out)
}

/// Softmax cross-entropy: from integer labels when the case has them, and from the target rows
/// (`targets`, else `onehot`, else the one-hot rows of `labels`).
fn softmax_ce(case: &Case) -> Outcome {
    let z = case.matrix("logits")?;
    let targets = if case.has("targets") {
        case.matrix("targets")?
    } else if case.has("onehot") {
        case.matrix("onehot")?
    } else if case.has("labels") {
        loss::one_hot(&labels_of(case, "labels")?, z.ncols())?
    } else {
        return Err(Failure::BadInput(
            "input \"targets\" is missing (and neither onehot nor labels is given)".into(),
        ));
    };
    let details = loss::softmax_cross_entropy_details(&z, &targets)?;
    let mut out = Actuals::new();
    out.put("per_sample_loss", details.per_sample_loss);
    if case.has("labels") {
        let labels = labels_of(case, "labels")?;
        let mut g = Matrix::zeros(0, 0);
        let value = loss::softmax_cross_entropy_labels(&z, &labels, Some(&mut g))?;
        out.put("loss", value).put("dL_dlogits", g);
    } else {
        out.put("loss", details.loss)
            .put("dL_dlogits", details.grad);
    }
    Ok(out)
}

/// Integer class labels as indices.
fn labels_of(case: &Case, name: &str) -> Result<Vec<usize>, Failure> {
    case.ints(name)?
        .into_iter()
        .map(|l| {
            usize::try_from(l)
                .map_err(|_| Failure::BadInput(format!("label {l} in \"{name}\" is negative")))
        })
        .collect()
}

/// Binary hinge loss on ±1 labels.
fn hinge(case: &Case) -> Outcome {
    let (f, y) = (case.matrix("decision")?, case.matrix("y_true")?);
    let mut g = Matrix::zeros(0, 0);
    let value = loss::hinge(&f, &y, Some(&mut g))?;
    let mut out = Actuals::new();
    out.put("loss", value)
        .put_value("dL_ddecision", like(case, "decision", &g)?);
    Ok(out)
}

/// Crammer–Singer multiclass hinge loss.
fn crammer_singer(case: &Case) -> Outcome {
    let f = case.matrix("decision")?;
    if f.ncols() != case.usize("n_classes")? {
        return Err(Failure::BadInput(
            "decision has a column count other than n_classes".into(),
        ));
    }
    let h = loss::multiclass_hinge(&f, &labels_of(case, "labels")?)?;
    let mut out = Actuals::new();
    out.put("loss", h.loss)
        .put("per_sample_loss", h.per_sample_loss)
        .put("margin", h.margin)
        .put("dL_ddecision", h.grad);
    Ok(out)
}

/// Exponential loss, its sum, and the mean's gradient.
fn exponential(case: &Case) -> Outcome {
    let (f, y) = (case.matrix("decision")?, case.matrix("y_true")?);
    let mut g = Matrix::zeros(0, 0);
    let mean = loss::exponential(&f, &y, Some(&mut g))?;
    let mut out = Actuals::new();
    out.put("loss_mean", mean)
        .put("loss_sum", f64::from(mean) * f.len() as f64)
        .put_value("dL_ddecision", like(case, "decision", &g)?);
    Ok(out)
}

/// Gini impurity of a node over listed classes, and of a split into left and right children.
fn gini(case: &Case) -> Outcome {
    let classes = case.ints("classes")?;
    let (_, counts) = loss::count_labels(&case.ints("labels")?, Some(&classes))?;
    let split = loss::gini_split(&case.ints("left_labels")?, &case.ints("right_labels")?)?;
    let mut out = Actuals::new();
    out.put("gini", loss::gini_from_counts(&counts)?)
        .put("proportions", loss::class_proportions(&counts)?)
        .put("gini_parent", split.parent)
        .put("gini_left", split.left)
        .put("gini_right", split.right)
        .put("weighted_gini", split.weighted)
        .put("gini_gain", split.gain);
    Ok(out)
}
