//! Adapter for the `regularization` family: weight penalties with their gradients, and penalised
//! linear-regression objectives.

use super::{Actuals, Case, Failure, Outcome, ToValue};
use spiega_nn::Matrix;
use spiega_nn::linear_model::LinearObjective;
use spiega_nn::regularize::Penalty;

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    if case.is("regularization/linear_regression_objective/") {
        objective(case)
    } else {
        penalty(case)
    }
}

/// `λ·(l1·Σ|w| + l2·Σw²) + α·(ρ·Σ|w| + ½(1 − ρ)·Σw²)`: the engine's Keras-style `L1L2` with
/// coefficients `λ·l1`, `λ·l2`, plus its scikit-learn `ElasticNet(α, ρ)`.
fn penalty(case: &Case) -> Outcome {
    let lambda = case.f32("lambda")?;
    let weighted = Penalty::L1L2 {
        l1: lambda * case.f32("l1")?,
        l2: lambda * case.f32("l2")?,
    };
    let elastic = Penalty::ElasticNet {
        alpha: case.f32("alpha")?,
        l1_ratio: case.f32("l1_ratio")?,
    };
    weighted.validate()?;
    elastic.validate()?;
    let w = case.vec("w")?;
    let mut gradient = vec![0.0_f32; w.len()];
    weighted.add_gradient(&w, &mut gradient)?;
    elastic.add_gradient(&w, &mut gradient)?;
    let mut out = Actuals::new();
    out.put("penalty", weighted.value(&w) + elastic.value(&w));
    match case.shape("w")?.as_slice() {
        [rows, cols] => out.put(
            "gradient",
            Matrix::from_row_slice(*rows, *cols, &gradient).to_value(),
        ),
        _ => out.put("gradient", gradient),
    };
    Ok(out)
}

/// The objective named by `penalty`: "l1" and "l2" are the notes' `Σr² + λ·Ω`, "elastic_net"
/// scikit-learn's `Σr²/(2n) + α·(ρ·Σ|w| + ½(1 − ρ)·Σw²)`.
fn objective(case: &Case) -> Outcome {
    let objective = match case.str("penalty")? {
        "l1" => LinearObjective::lasso(case.f32("lambda")?),
        "l2" => LinearObjective::ridge(case.f32("lambda")?),
        "elastic_net" => LinearObjective::elastic_net(case.f32("alpha")?, case.f32("l1_ratio")?),
        other => return Err(Failure::Unsupported(format!("penalty {other}"))),
    };
    let x = case.matrix("X")?;
    let y = case.vec("y")?;
    let w = case.vec("w")?;
    let mut dw = vec![0.0_f32; w.len()];
    let value = objective.evaluate(&x, &y, &w, case.f32("b")?, &mut dw)?;
    let mut out = Actuals::new();
    out.put("objective", value.objective)
        .put("dobj_dw", dw)
        .put("dobj_db", value.dobj_db);
    Ok(out)
}
