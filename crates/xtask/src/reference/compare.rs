//! Comparing expected JSON values with the engine's, field by field, within a tolerance.

use serde_json::Value;

/// `|actual − expected| ≤ abs + rel · |expected|`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Absolute part.
    pub abs: f64,
    /// Relative part.
    pub rel: f64,
}

impl Tolerance {
    /// At least `abs 1e-4, rel 1e-4`, what an f32 engine can promise against float64 references.
    pub fn loosened_for_f32(self) -> Self {
        Self {
            abs: self.abs.max(1e-4),
            rel: self.rel.max(1e-4),
        }
    }
}

impl Tolerance {
    /// The case's absolute tolerance, and a relative one of at least 1e-6 (a few f32 ulps).
    pub fn f32_rounding(self) -> Self {
        Self {
            abs: self.abs,
            rel: self.rel.max(1e-6),
        }
    }
}

/// A number as JSON, with non-finite values as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
pub fn num(v: f64) -> Value {
    if v.is_nan() {
        Value::from("NaN")
    } else if v == f64::INFINITY {
        Value::from("Infinity")
    } else if v == f64::NEG_INFINITY {
        Value::from("-Infinity")
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

/// A JSON number or non-finite string as f64.
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// Appends every number of a nested array, row-major.
pub fn flatten(v: &Value, out: &mut Vec<f64>) -> Result<(), String> {
    match v {
        Value::Array(items) => items.iter().try_for_each(|i| flatten(i, out)),
        other => {
            out.push(as_f64(other).ok_or_else(|| format!("{other} is not a number"))?);
            Ok(())
        }
    }
}

/// The shape of a nested array, outermost first (the first element's nesting).
pub fn shape_of(v: &Value) -> Vec<usize> {
    let mut shape = Vec::new();
    let mut cur = v;
    while let Value::Array(items) = cur {
        shape.push(items.len());
        match items.first() {
            Some(first) => cur = first,
            None => break,
        }
    }
    shape
}

/// Compares `want` with `got` recursively; `path` names the place for the message.
pub fn compare(want: &Value, got: &Value, tol: Tolerance, path: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Null, _) => Ok(()),
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                return Err(format!(
                    "{path}: expected {} items, got {}",
                    w.len(),
                    g.len()
                ));
            }
            w.iter()
                .zip(g)
                .enumerate()
                .try_for_each(|(i, (a, b))| compare(a, b, tol, &format!("{path}[{i}]")))
        }
        (Value::Object(w), Value::Object(g)) => {
            for (k, a) in w {
                if let Some(b) = g.get(k) {
                    compare(a, b, tol, &format!("{path}.{k}"))?;
                }
            }
            Ok(())
        }
        (Value::Bool(a), Value::Bool(b)) => {
            if a == b {
                Ok(())
            } else {
                Err(format!("{path}: expected {a}, got {b}"))
            }
        }
        (Value::String(a), Value::String(b)) if as_f64(want).is_none() => {
            if a == b {
                Ok(())
            } else {
                Err(format!("{path}: expected {a:?}, got {b:?}"))
            }
        }
        (Value::Number(n), _) if n.is_i64() || n.is_u64() => {
            let g = as_f64(got);
            if g == n.as_f64() {
                Ok(())
            } else {
                Err(format!("{path}: expected exactly {n}, got {got}"))
            }
        }
        _ => {
            let (Some(w), Some(g)) = (as_f64(want), as_f64(got)) else {
                return Err(format!("{path}: expected {want}, got {got}"));
            };
            if close(w, g, tol) {
                Ok(())
            } else {
                Err(format!(
                    "{path}: expected {w:e}, got {g:e} (|diff| {:e} > {:e})",
                    (g - w).abs(),
                    tol.abs + tol.rel * w.abs()
                ))
            }
        }
    }
}

/// Whether `got` matches `want`: NaN only NaN, an infinity only the same infinity.
pub fn close(want: f64, got: f64, tol: Tolerance) -> bool {
    if want.is_nan() {
        got.is_nan()
    } else if want.is_infinite() {
        got == want
    } else {
        (got - want).abs() <= tol.abs + tol.rel * want.abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T: Tolerance = Tolerance {
        abs: 1e-6,
        rel: 0.0,
    };

    #[test]
    fn numbers_and_specials() {
        assert!(compare(&json!(1.0), &num(1.0000005), T, "x").is_ok());
        assert!(compare(&json!(1.0), &num(1.01), T, "x").is_err());
        assert!(compare(&json!("NaN"), &num(f64::NAN), T, "x").is_ok());
        assert!(compare(&json!("NaN"), &num(0.0), T, "x").is_err());
        assert!(compare(&json!("Infinity"), &num(f64::INFINITY), T, "x").is_ok());
        assert!(compare(&json!("Infinity"), &num(f64::NEG_INFINITY), T, "x").is_err());
    }

    #[test]
    fn integers_are_exact_and_shapes_must_agree() {
        assert!(compare(&json!(3), &json!(3), T, "n").is_ok());
        assert!(compare(&json!(3), &num(3.0000001), T, "n").is_err());
        let e = compare(&json!([[1.0, 2.0]]), &json!([[1.0]]), T, "m").unwrap_err();
        assert!(e.contains("m[0]: expected 2 items"), "{e}");
    }

    #[test]
    fn nested_paths_name_the_element() {
        let e = compare(&json!({"a": [0.0, 5.0]}), &json!({"a": [0.0, 6.0]}), T, "f").unwrap_err();
        assert!(e.starts_with("f.a[1]"), "{e}");
    }
}
