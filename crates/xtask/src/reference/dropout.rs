//! Adapter for the `dropout` family: inverted dropout with a given mask, the rates 0 and 1, and
//! the statistics of many random draws.

use super::{Actuals, Case, Failure, Outcome, ToValue};
use serde_json::Value;
use spiega_nn::layer::{Dropout, Mode, Module};
use spiega_nn::{Matrix, Rng, Shape};

/// Reads a 1-D input as one sample (a row) and a 2-D one as a batch.
fn batch(case: &Case, name: &str) -> Result<Matrix, Failure> {
    let m = case.matrix(name)?;
    Ok(if case.shape(name)?.len() == 1 {
        m.transpose()
    } else {
        m
    })
}

/// Writes a result in the nesting of input `like`: a flat list for a 1-D input.
fn shaped(case: &Case, like: &str, m: &Matrix) -> Result<Value, Failure> {
    Ok(if case.shape(like)?.len() == 1 {
        m.iter().copied().collect::<Vec<f32>>().to_value()
    } else {
        m.to_value()
    })
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    if case.is("dropout/expectation/") {
        return expectation(case);
    }
    let p = case.f32("p_drop")?;
    let x = batch(case, "x")?;
    let mut layer = Dropout::new(Shape::Flat(x.ncols()), p)?;
    let mut out = Actuals::new();
    layer.forward(&x, Mode::Eval, &mut Rng::new(0))?;
    out.put_value("y_eval", shaped(case, "x", layer.output())?);
    if case.has("keep_mask") {
        let mask = batch(case, "keep_mask")?;
        layer.forward_with_mask(&x, &mask)?;
        out.put_value("y_train", shaped(case, "x", layer.output())?);
        let g = batch(case, "upstream_grad")?;
        layer.backward(&x, &g)?;
        out.put_value("dL_dx_train", shaped(case, "x", layer.grad_input())?);
    } else {
        // Without a mask only p = 0 (the identity) and p = 1 (all zeros) have a determined
        // training output.
        layer.forward(&x, Mode::Train, &mut Rng::new(1))?;
        out.put_value("y_train", shaped(case, "x", layer.output())?);
    }
    Ok(out)
}

/// `n` draws of dropout on `x_value` with the engine's generator. The mean and the zero fraction
/// are random: they pass when within the case's own five-standard-error bounds
/// (`tolerance_mean`, `tolerance_zero_fraction`), and are then reported as the exact values they
/// estimate; outside the bounds the simulated value is reported, and fails. numpy's own
/// simulation (`numpy_simulation_seed_904`) cannot be reproduced and is skipped.
fn expectation(case: &Case) -> Outcome {
    let n = case.usize("n")?;
    let p = case.f32("p_drop")?;
    let value = case.f32("x_value")?;
    let mut layer = Dropout::new(Shape::Flat(n), p)?;
    let x = Matrix::from_element(1, n, value);
    layer.forward(&x, Mode::Train, &mut Rng::new(904))?;
    let y = layer.output();
    let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / n.max(1) as f64;
    let zero_fraction = f64::from(layer.dropped_fraction());
    let (exact_mean, exact_zero) = (f64::from(value), f64::from(p));
    let mut out = Actuals::new();
    out.put(
        "mean",
        within_bound(case, "mean", "tolerance_mean", mean, exact_mean)?,
    );
    out.put(
        "zero_fraction",
        within_bound(
            case,
            "zero_fraction",
            "tolerance_zero_fraction",
            zero_fraction,
            exact_zero,
        )?,
    );
    // Every survivor carries the same value, x/(1 − p).
    let survivor = y.iter().copied().find(|&v| v != 0.0).unwrap_or(f32::NAN);
    out.put("nonzero_value", survivor);
    Ok(out)
}

/// A simulated statistic for `field`: the exact value it estimates when within the case's own
/// bound (the expected field `bound`) of it, else the simulated value, which then fails. A case
/// that lists `field` without its bound is malformed; one that lists neither gets the simulated
/// value, for the checker to skip (or, strictly, to report missing).
fn within_bound(
    case: &Case,
    field: &str,
    bound: &str,
    simulated: f64,
    exact: f64,
) -> Result<f64, Failure> {
    match case.expected.get(bound) {
        Some(b) => {
            let b = super::compare::as_f64(b).ok_or_else(|| {
                Failure::BadInput(format!("expected \"{bound}\" is not a number"))
            })?;
            Ok(if (simulated - exact).abs() <= b {
                exact
            } else {
                simulated
            })
        }
        None if case.expected.contains_key(field) => Err(Failure::BadInput(format!(
            "expected \"{field}\" comes without \"{bound}\" to judge it by"
        ))),
        None => Ok(simulated),
    }
}
