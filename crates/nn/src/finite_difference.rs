//! Central finite differences: the numerical derivative that backpropagation's gradients are
//! checked against, here and in the article's gradient-check figure.
//!
//! For a variable `x` stored in `f32`, the estimate is `(f(x + h) − f(x − h)) / (x₊ − x₋)`, with
//! `x₊ = x + h` and `x₋ = x − h` rounded to `f32` as the variable holds them: dividing by the
//! distance actually stepped, not `2h`, keeps the rounding of the step out of the estimate. Its
//! truncation error shrinks like `h²`; the function's own `f32` rounding grows like `1/h`.

/// The central difference of `f` at `x` with step `h`; `f` evaluates the function with the
/// variable set to its argument, first at `x + h`, then at `x − h`.
pub fn central(x: f32, h: f32, mut f: impl FnMut(f32) -> f64) -> f64 {
    let value: Result<f64, std::convert::Infallible> = try_central(x, h, |v| Ok(f(v)));
    match value {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// [`central`] for a function that can fail: the first error is returned.
pub fn try_central<E>(x: f32, h: f32, mut f: impl FnMut(f32) -> Result<f64, E>) -> Result<f64, E> {
    let (up, down) = (x + h, x - h);
    let plus = f(up)?;
    let minus = f(down)?;
    Ok((plus - minus) / (f64::from(up) - f64::from(down)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quadratic_is_differentiated_exactly_and_a_cubic_to_order_h_squared() {
        // (x + h)² − (x − h)² = 4xh: exact for any h.
        let d = central(1.5, 0.25, |v| f64::from(v).powi(2));
        assert_eq!(d, 3.0);
        // For x³ the error is h²: 3·1² + 0.25² at h = 0.25 (exact in f32).
        let d = central(1.0, 0.25, |v| f64::from(v).powi(3));
        assert!((d - (3.0 + 0.0625)).abs() < 1e-12, "{d}");
    }

    #[test]
    fn the_quotient_uses_the_step_taken_in_f32() {
        // At 1e8 an f32 step of 1 rounds away (neighbours are 8 apart): both sides land on x, so
        // the estimate is 0/0, not a false slope of (f(x) − f(x)) / 2.
        let d = central(1e8, 1.0, f64::from);
        assert!(d.is_nan(), "{d}");
        let d = central(1e8, 8.0, f64::from);
        assert_eq!(d, 1.0);
    }

    #[test]
    fn a_failing_function_returns_its_error() {
        let r: Result<f64, &str> =
            try_central(0.0, 0.1, |v| if v < 0.0 { Err("below") } else { Ok(1.0) });
        assert_eq!(r, Err("below"));
    }
}
