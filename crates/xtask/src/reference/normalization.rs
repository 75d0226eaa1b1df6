//! Adapter for the `normalization` family: scikit-learn's `MinMaxScaler`.

use super::{Actuals, Case, Failure, Outcome};
use spiega_nn::normalize::MinMaxScaler;

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    if !case.is("normalization/minmax/") {
        return Err(Failure::Unsupported(format!(
            "{}: unknown scaler",
            case.kind
        )));
    }
    let range = case.vec("feature_range")?;
    let &[a, b] = range.as_slice() else {
        return Err(Failure::BadInput("feature_range must be [a, b]".into()));
    };
    let fit = case.matrix("X_fit")?;
    let new = case.matrix("X_new")?;
    let (scaler, transformed) = MinMaxScaler::fit_transform(&fit, (a, b))?;
    let mut out = Actuals::new();
    out.put("data_min", scaler.data_min().to_vec());
    out.put("data_max", scaler.data_max().to_vec());
    out.put("scale", scaler.scale().to_vec());
    out.put("offset", scaler.offset().to_vec());
    out.put(
        "inverse_of_transformed",
        scaler.inverse_transform(&transformed)?,
    );
    out.put("transformed", transformed);
    out.put("transformed_X_new", scaler.transform(&new)?);
    Ok(out)
}
