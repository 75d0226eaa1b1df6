//! Regression metrics: mean absolute error, mean squared error and root mean squared error,
//! overall and per output column, as scikit-learn computes them.
//!
//! With several outputs scikit-learn's overall value is the mean of the per-output values
//! (`multioutput="uniform_average"`). For MAE and MSE that equals the mean over all elements; for
//! RMSE it is the mean of the per-output roots, which is not the root of the overall MSE, so both
//! are given.

use crate::error::{EngineError, Result};
use crate::tensor::{Matrix, check_finite};

/// The regression metrics of a set of predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionReport {
    /// Mean absolute error over all elements: `1/(NK) Σ |ŷ − y|`.
    pub mae: f64,
    /// Mean squared error over all elements: `1/(NK) Σ (ŷ − y)²`.
    pub mse: f64,
    /// Root mean squared error as scikit-learn's `root_mean_squared_error`: the mean over outputs
    /// of each output's RMSE (`√mse` for one output).
    pub rmse: f64,
    /// `√mse`, the root of the pooled mean squared error (equal to `rmse` for one output).
    pub rmse_pooled: f64,
    /// MAE of each output column.
    pub mae_per_output: Vec<f64>,
    /// MSE of each output column.
    pub mse_per_output: Vec<f64>,
    /// RMSE of each output column.
    pub rmse_per_output: Vec<f64>,
}

/// MAE, MSE and RMSE of predictions, overall and per output.
///
/// # Shapes
/// `y_true`, `y_pred`: `(samples N ≥ 1, outputs K ≥ 1)`, one sample per row.
pub fn regression_report(y_true: &Matrix, y_pred: &Matrix) -> Result<RegressionReport> {
    if y_true.shape() != y_pred.shape() {
        return Err(EngineError::shape(
            "predictions",
            y_true.shape(),
            y_pred.shape(),
        ));
    }
    if y_true.is_empty() {
        return Err(EngineError::Empty {
            what: "regression targets".to_owned(),
        });
    }
    check_finite("regression targets", y_true)?;
    check_finite("predictions", y_pred)?;
    let n = y_true.nrows() as f64;
    let mut mae_per_output = Vec::with_capacity(y_true.ncols());
    let mut mse_per_output = Vec::with_capacity(y_true.ncols());
    for (t, p) in y_true.column_iter().zip(y_pred.column_iter()) {
        let (mut abs, mut sq) = (0.0_f64, 0.0_f64);
        for (&a, &b) in t.iter().zip(p.iter()) {
            let d = f64::from(b) - f64::from(a);
            abs += d.abs();
            sq += d * d;
        }
        mae_per_output.push(abs / n);
        mse_per_output.push(sq / n);
    }
    let rmse_per_output: Vec<f64> = mse_per_output.iter().map(|m| m.sqrt()).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let mse = mean(&mse_per_output);
    Ok(RegressionReport {
        mae: mean(&mae_per_output),
        mse,
        rmse: mean(&rmse_per_output),
        rmse_pooled: mse.sqrt(),
        mae_per_output,
        mse_per_output,
        rmse_per_output,
    })
}

/// Mean absolute error over all elements (see [`regression_report`]).
pub fn mean_absolute_error(y_true: &Matrix, y_pred: &Matrix) -> Result<f64> {
    Ok(regression_report(y_true, y_pred)?.mae)
}

/// Mean squared error over all elements (see [`regression_report`]).
pub fn mean_squared_error(y_true: &Matrix, y_pred: &Matrix) -> Result<f64> {
    Ok(regression_report(y_true, y_pred)?.mse)
}

/// Root mean squared error, scikit-learn's mean of per-output roots (see [`regression_report`]).
pub fn root_mean_squared_error(y_true: &Matrix, y_pred: &Matrix) -> Result<f64> {
    Ok(regression_report(y_true, y_pred)?.rmse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;

    #[test]
    fn one_output_by_hand() {
        // scikit-learn's docstring: y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 8]: errors 0.5, 0.5, 0,
        // 1 → MAE 2/4 = 0.5, MSE (0.25 + 0.25 + 0 + 1)/4 = 0.375, RMSE √0.375 = 0.612372.
        let t = from_rows(&[vec![3.0], vec![-0.5], vec![2.0], vec![7.0]]).unwrap();
        let p = from_rows(&[vec![2.5], vec![0.0], vec![2.0], vec![8.0]]).unwrap();
        let r = regression_report(&t, &p).unwrap();
        assert_eq!(r.mae, 0.5);
        assert_eq!(r.mse, 0.375);
        assert_eq!(r.rmse, 0.375_f64.sqrt());
        assert_eq!(r.rmse, r.rmse_pooled);
    }

    #[test]
    fn several_outputs_by_hand() {
        // scikit-learn's docstring: y = [[0.5, 1], [−1, 1], [7, −6]], ŷ = [[0, 2], [−1, 2], [8, −5]].
        // Column 0 errors 0.5, 0, 1: MAE 0.5, MSE 1.25/3; column 1 errors 1, 1, 1: MAE 1, MSE 1.
        // MAE 0.75, MSE (1.25/3 + 1)/2 = 0.708333; RMSE (√(1.25/3) + 1)/2 = 0.822748.
        let t = from_rows(&[vec![0.5, 1.0], vec![-1.0, 1.0], vec![7.0, -6.0]]).unwrap();
        let p = from_rows(&[vec![0.0, 2.0], vec![-1.0, 2.0], vec![8.0, -5.0]]).unwrap();
        let r = regression_report(&t, &p).unwrap();
        assert_eq!(r.mae_per_output, vec![0.5, 1.0]);
        assert_eq!(r.mae, 0.75);
        assert!((r.mse - 0.708_333_333_333_333_4).abs() < 1e-12);
        assert!((r.rmse - 0.822_748_612_183_951_3).abs() < 1e-12);
        assert!((r.rmse_pooled - r.mse.sqrt()).abs() < 1e-15);
        assert_eq!(mean_absolute_error(&t, &p).unwrap(), 0.75);
        assert!((root_mean_squared_error(&t, &p).unwrap() - r.rmse).abs() < 1e-15);
        assert!((mean_squared_error(&t, &p).unwrap() - r.mse).abs() < 1e-15);
    }

    #[test]
    fn bad_input_is_refused() {
        let a = Matrix::zeros(2, 1);
        assert!(regression_report(&a, &Matrix::zeros(2, 2)).is_err());
        assert!(regression_report(&Matrix::zeros(0, 1), &Matrix::zeros(0, 1)).is_err());
        let nan = Matrix::from_element(2, 1, f32::NAN);
        assert!(regression_report(&a, &nan).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn regression_metrics_never_panic(
                r in 0usize..4, c in 0usize..4, r2 in 0usize..4,
                vals in proptest::collection::vec(
                    prop_oneof![-5.0..5.0f32, Just(f32::NAN), Just(f32::INFINITY)], 32),
            ) {
                let a = Matrix::from_vec(r, c, vals[..r * c].to_vec());
                let b = Matrix::from_vec(r2, c, vals[16..16 + r2 * c].to_vec());
                let _ = regression_report(&a, &b);
                let _ = regression_report(&a, &a);
            }
        }
    }
}
