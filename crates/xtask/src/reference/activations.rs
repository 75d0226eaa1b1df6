//! Adapter for the `activations` family: element-wise functions, PReLU, swish-β and softmax.

use super::{Actuals, Case, Failure, Outcome, activation_named, compare::as_f64, num};
use serde_json::Value;
use spiega_nn::activation::{Activation, log_softmax, softmax, softmax_backward, softmax_jacobian};

/// Applies `f` to every number of a nested value, keeping its nesting.
fn map(v: &Value, f: &dyn Fn(f32) -> f32) -> Result<Value, Failure> {
    match v {
        Value::Array(items) => Ok(Value::Array(
            items.iter().map(|i| map(i, f)).collect::<Result<_, _>>()?,
        )),
        other => {
            let x = as_f64(other)
                .ok_or_else(|| Failure::BadInput(format!("{other} is not a number")))?;
            Ok(num(f64::from(f(x as f32))))
        }
    }
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let mut out = Actuals::new();
    let parts: Vec<&str> = case.id.split('/').collect();
    let name = parts.get(1).copied().unwrap_or("");
    match name {
        "sigmoid" | "tanh" | "relu" | "linear" | "identity" | "swish" | "leaky_relu_0.01"
        | "leaky_relu_0.2" => {
            let act = match name {
                "leaky_relu_0.01" => Activation::LeakyRelu { slope: 0.01 },
                "leaky_relu_0.2" => Activation::LeakyRelu { slope: 0.2 },
                "swish" => Activation::Swish { beta: 1.0 },
                other => activation_named(other)?,
            };
            let x = case.input("x")?;
            out.put_value("y", map(x, &|v| act.value(v))?);
            out.put_value("dydx", map(x, &|v| act.derivative(v))?);
        }
        "swish_beta" => {
            let act = Activation::Swish {
                beta: case.f32("beta")?,
            };
            let x = case.input("x")?;
            out.put_value("y", map(x, &|v| act.value(v))?);
            out.put_value("dydx", map(x, &|v| act.derivative(v))?);
            out.put_value(
                "dydbeta",
                map(x, &|v| act.param_derivative(v).unwrap_or(f32::NAN))?,
            );
        }
        "prelu" => prelu(case, &mut out)?,
        "softmax" => softmax_case(case, &mut out)?,
        other => return Err(Failure::Unsupported(format!("activation {other}"))),
    }
    Ok(out)
}

/// PReLU with one α for everything, or one α per feature (last axis).
fn prelu(case: &Case, out: &mut Actuals) -> Result<(), Failure> {
    let x = case.matrix("x")?;
    let g = case.matrix("upstream_grad")?;
    let alphas = case.vec("alpha")?;
    let scalar_input = !case.input("x")?.is_array();
    let x_is_vector = case.shape("x")?.len() == 1;
    // A 1-D x is one sample of features when α is per feature, else a column of samples.
    let (x, g) = if x_is_vector && alphas.len() > 1 {
        (x.transpose(), g.transpose())
    } else {
        (x, g)
    };
    if g.shape() != x.shape() {
        return Err(Failure::BadInput(format!(
            "input \"upstream_grad\" is {:?}, x is {:?}",
            g.shape(),
            x.shape()
        )));
    }
    if alphas.is_empty() {
        return Err(Failure::BadInput("input \"alpha\" is empty".into()));
    }
    let alpha_of = |col: usize| -> f32 {
        if alphas.len() == 1 {
            alphas[0]
        } else {
            alphas.get(col).copied().unwrap_or(f32::NAN)
        }
    };
    let mut y = x.clone();
    let mut dx = x.clone();
    let mut dalpha = vec![0.0_f32; alphas.len()];
    for c in 0..x.ncols() {
        let act = Activation::Prelu { alpha: alpha_of(c) };
        for r in 0..x.nrows() {
            let v = x[(r, c)];
            y[(r, c)] = act.value(v);
            dx[(r, c)] = g[(r, c)] * act.derivative(v);
            let slot = if alphas.len() == 1 { 0 } else { c };
            if let Some(d) = dalpha.get_mut(slot) {
                *d += g[(r, c)] * act.param_derivative(v).unwrap_or(0.0);
            }
        }
    }
    let shape = |m: &spiega_nn::Matrix| -> Value {
        if scalar_input {
            num(f64::from(m[(0, 0)]))
        } else if x_is_vector {
            Value::Array(m.iter().map(|v| num(f64::from(*v))).collect())
        } else {
            super::ToValue::to_value(m)
        }
    };
    out.put_value("y", shape(&y));
    out.put_value("dL_dx", shape(&dx));
    if case.input("alpha")?.is_array() {
        out.put("dL_dalpha", dalpha);
    } else {
        out.put("dL_dalpha", dalpha[0]);
    }
    Ok(())
}

/// Softmax of a vector or of each row of a batch, with its backward pass and Jacobian.
fn softmax_case(case: &Case, out: &mut Actuals) -> Result<(), Failure> {
    let is_batch = case.shape("z")?.len() == 2;
    let z = case.matrix("z")?;
    let z = if is_batch { z } else { z.transpose() };
    let g = if case.has("upstream_grad") {
        let g = case.matrix("upstream_grad")?;
        Some(if is_batch { g } else { g.transpose() })
    } else {
        None
    };
    let mut s_rows = Vec::new();
    let mut l_rows = Vec::new();
    let mut d_rows = Vec::new();
    let mut j_rows = Vec::new();
    for r in 0..z.nrows() {
        let zr: Vec<f32> = z.row(r).iter().copied().collect();
        let mut s = vec![0.0; zr.len()];
        softmax(&zr, &mut s);
        let mut l = vec![0.0; zr.len()];
        log_softmax(&zr, &mut l);
        if let Some(g) = &g {
            let gr: Vec<f32> = g.row(r).iter().copied().collect();
            let mut d = vec![0.0; zr.len()];
            softmax_backward(&s, &gr, &mut d);
            d_rows.push(d);
        }
        j_rows.push(softmax_jacobian(&zr));
        s_rows.push(s);
        l_rows.push(l);
    }
    let pick = |rows: Vec<Vec<f32>>| -> Value {
        if is_batch {
            super::ToValue::to_value(&rows)
        } else {
            rows.into_iter()
                .next()
                .map_or(Value::Null, |r| super::ToValue::to_value(&r))
        }
    };
    out.put_value("softmax", pick(s_rows));
    out.put_value("log_softmax", pick(l_rows));
    if g.is_some() {
        out.put_value("dL_dz", pick(d_rows));
    }
    let jac = if is_batch {
        super::ToValue::to_value(&j_rows)
    } else {
        j_rows
            .into_iter()
            .next()
            .map_or(Value::Null, |j| super::ToValue::to_value(&j))
    };
    out.put_value("jacobian", jac);
    Ok(())
}
