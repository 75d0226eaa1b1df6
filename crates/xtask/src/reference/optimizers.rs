//! Adapter for the `optimizers` family: short trajectories of every optimizer, on a quadratic
//! `f(w) = ½ wᵀ A w − cᵀ w` or with given gradients, with the optimizer's state after each step.

use super::{Actuals, Case, Failure, Outcome, ToValue, compare::as_f64};
use serde_json::Value;
use spiega_nn::Matrix;
use spiega_nn::optim::{Descent, OptimizerConfig, OptimizerKind, Quadratic, add_outer_product};
use std::collections::BTreeMap;

/// The engine's optimizer for a case kind (`optimizer/<name>/…`).
fn kind_of(case: &Case) -> Result<OptimizerKind, Failure> {
    let name = case.kind.split('/').nth(1).unwrap_or("");
    Ok(match name {
        "gradient_descent" | "sgd_weight_decay" => OptimizerKind::Sgd,
        "sgd_momentum_pytorch" => OptimizerKind::Momentum,
        "nesterov_pytorch" => OptimizerKind::Nesterov,
        "sgd_momentum_classical" => OptimizerKind::ClassicalMomentum,
        "nesterov_classical" => OptimizerKind::ClassicalNesterov,
        "adagrad" => OptimizerKind::Adagrad,
        "rmsprop" => OptimizerKind::RmsProp,
        "adam" => OptimizerKind::Adam,
        "adamw" => OptimizerKind::AdamW,
        "adam_l2_coupled" => OptimizerKind::AdamL2,
        other => return Err(Failure::Unsupported(format!("optimizer {other}"))),
    })
}

/// The configuration from the case's `hyperparameters`: every number the kind uses is set; a
/// number it does not use must be 0 (PyTorch's "off": Nesterov's dampening, RMSProp's momentum).
fn config_of(case: &Case, kind: OptimizerKind) -> Result<OptimizerConfig, Failure> {
    let hyper = case
        .input("hyperparameters")?
        .as_object()
        .ok_or_else(|| Failure::BadInput("hyperparameters is not an object".into()))?;
    let mut config = OptimizerConfig::new(kind);
    for (name, value) in hyper {
        match (name.as_str(), value) {
            ("nesterov", Value::Bool(flag)) => {
                if *flag != (kind == OptimizerKind::Nesterov) {
                    return Err(Failure::BadInput(format!(
                        "nesterov = {flag} in a {} case",
                        kind.name()
                    )));
                }
            }
            ("centered", Value::Bool(flag)) => {
                if *flag {
                    return Err(Failure::Unsupported("centred RMSProp".into()));
                }
            }
            (name, value) => {
                let v = as_f64(value).ok_or_else(|| {
                    Failure::BadInput(format!("hyperparameter {name} is not a number"))
                })?;
                if kind.hyperparameter_names().contains(&name) {
                    config = config.with(name, v as f32)?;
                } else if v != 0.0 {
                    return Err(Failure::Unsupported(format!(
                        "{name} = {v} for {}",
                        kind.name()
                    )));
                }
            }
        }
    }
    Ok(config)
}

/// The expected field that records the engine state buffer `name` after each step.
fn state_field(name: &str) -> Option<&'static str> {
    Some(match name {
        "momentum_buffer" => "momentum_buffer_after_each_step",
        "velocity" => "velocity_after_each_step",
        "G" => "accumulator_G_after_each_step",
        "square_avg" => "square_avg_after_each_step",
        "m" => "m_after_each_step",
        "v" => "v_after_each_step",
        _ => return None,
    })
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let kind = kind_of(case)?;
    let optimizer = config_of(case, kind)?.build()?;
    let start = case.vec("params_init")?;
    let n = start.len();
    let mut descent = Descent::new(optimizer, &start)?;
    let (quadratic, given) = match case.str("mode")? {
        "quadratic" => (
            Some(Quadratic::new(case.matrix("A")?, case.vec("c")?)?),
            None,
        ),
        "given_gradients" => (None, Some(case.matrix("gradients_per_step")?)),
        other => return Err(Failure::BadInput(format!("unknown mode {other}"))),
    };
    let steps = match (&given, case.has("steps")) {
        (_, true) => case.usize("steps")?,
        (Some(g), false) => g.nrows(),
        (None, false) => return Err(Failure::BadInput("no steps".into())),
    };

    let mut params = Vec::new();
    let mut grads = Vec::new();
    let mut objective = Vec::new();
    let mut states: BTreeMap<&'static str, Vec<Vec<f32>>> = BTreeMap::new();
    let mut outer = Matrix::zeros(n, n);
    let mut outers = Vec::new();
    for t in 0..steps {
        if let Some(q) = &quadratic {
            descent.step(&mut q.gradient_fn())?;
        } else if let Some(g) = &given {
            if t >= g.nrows() {
                return Err(Failure::BadInput(format!("no gradient for step {t}")));
            }
            let row: Vec<f32> = g.row(t).iter().copied().collect();
            descent.step_with_gradient(&row)?;
        }
        params.push(descent.point().to_vec());
        grads.push(descent.last_gradient().to_vec());
        if let Some(q) = &quadratic {
            objective.push(q.value(descent.point())?);
        }
        for (name, buffer) in descent.optimizer().state(0) {
            if let Some(field) = state_field(name) {
                states.entry(field).or_default().push(buffer.to_vec());
            }
        }
        add_outer_product(&mut outer, descent.last_gradient())?;
        outers.push(outer.to_value());
    }

    let mut out = Actuals::new();
    out.put("params_after_each_step", params);
    // In a given-gradient case the gradients used are the input itself: they are reported only
    // where the case lists them.
    if quadratic.is_some() || case.expected.contains_key("gradients_used_per_step") {
        out.put("gradients_used_per_step", grads);
    }
    if quadratic.is_some() {
        out.put("objective_after_each_step", objective);
    }
    for (field, values) in states {
        out.put(field, values);
    }
    if kind == OptimizerKind::Adagrad {
        out.put_value("sum_ggT_full_matrix_after_each_step", Value::Array(outers));
    }
    Ok(out)
}
