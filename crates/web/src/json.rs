//! The one JSON writer behind every figure's `data-state`.
//!
//! A leaf: it knows serde and nothing of the page, the DOM or the figures; the DOM helpers call
//! it to write an element's state.
//!
//! Each figure describes its state as a `#[derive(Serialize)]` struct and this module writes it,
//! compactly, with one rule for numbers:
//! - a number that is not finite (a diverged loss, an undefined score) is written as `null`, so the
//!   text is always valid JSON;
//! - any other number is written as the shortest text that reads back as the same `f32` or `f64`
//!   (`0.1_f32` as `0.1`), as the CSV exports write them.
//!
//! A figure whose text formats an `f32` through the `f64` it widens to (the step-through's
//! equations, the optimizers' legend) wraps those numbers in [`Widened`], so that a reader of the
//! state formats exactly the number the screen formatted.

use serde::ser::{Serialize, Serializer};
use serde_json::ser::Formatter;
use std::io;

/// serde_json's compact formatter, with numbers written by Rust's own shortest round-trip
/// formatting (the one the page's text already uses, so the WebAssembly carries one float
/// formatter, not two).
///
/// serde_json writes `null` for a non-finite number before it reaches the formatter, and Rust's
/// `Debug` text of a finite float (`1.0`, `0.25`, `1e-7`) is always a valid JSON number.
struct Shortest;

impl Formatter for Shortest {
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        write!(writer, "{value:?}")
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        write!(writer, "{value:?}")
    }
}

/// `state` as compact JSON, by the module's rule for numbers.
///
/// # Errors
/// Fails only for a state serde cannot write as JSON (a map whose keys are not strings).
pub fn to_string(state: &impl Serialize) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    state.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, Shortest,
    ))?;
    // serde_json writes only UTF-8, so the lossy conversion never replaces anything.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `f32` numbers written as the `f64`s they widen to (`0.1_f32` as `0.10000000149011612`): a
/// number, a list or a matrix (rows of numbers).
#[derive(Debug, Clone, Copy)]
pub struct Widened<T>(pub T);

impl Serialize for Widened<f32> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(f64::from(self.0))
    }
}

impl Serialize for Widened<&[f32]> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|&v| f64::from(v)))
    }
}

impl Serialize for Widened<&[Vec<f32>]> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|row| Widened(row.as_slice())))
    }
}

impl<const N: usize> Serialize for Widened<[f32; N]> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Widened(self.0.as_slice()).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::{Widened, to_string};
    use serde::Serialize;
    use serde_json::{Value, json};

    #[derive(Serialize)]
    struct Run<'a> {
        loss: f32,
        losses: Vec<f32>,
        score: f64,
        scores: [f64; 2],
        accuracy: Option<f32>,
        step: u64,
        wide: Widened<&'a [f32]>,
    }

    #[test]
    fn non_finite_numbers_are_written_as_null_and_the_text_stays_json() {
        let run = Run {
            loss: f32::NAN,
            losses: vec![1.5, f32::INFINITY, f32::NEG_INFINITY],
            score: f64::NAN,
            scores: [f64::INFINITY, f64::NEG_INFINITY],
            accuracy: Some(f32::NAN),
            step: 3,
            wide: Widened(&[f32::NAN, 0.5]),
        };
        let text = to_string(&run).unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed,
            json!({
                "loss": null,
                "losses": [1.5, null, null],
                "score": null,
                "scores": [null, null],
                "accuracy": null,
                "step": 3,
                "wide": [null, 0.5],
            }),
            "{text}"
        );
    }

    #[test]
    fn numbers_are_the_shortest_text_that_reads_back_the_same() {
        let run = Run {
            loss: 0.1,
            losses: vec![1.0, 1.0 / 3.0, -2.5e-7],
            score: 0.1,
            scores: [1.0, 1e300],
            accuracy: None,
            step: 0,
            wide: Widened(&[]),
        };
        let text = to_string(&run).unwrap();
        // 0.1_f32 is 0.100000001490116119384765625, written as the `0.1` that reads back as it;
        // whole floats keep their `.0`, integers stay integers.
        assert!(
            text.starts_with(r#"{"loss":0.1,"losses":[1.0,0.33333334,-2.5e-7],"score":0.1,"#),
            "{text}"
        );
        assert!(text.ends_with(r#""step":0,"wide":[]}"#), "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed["losses"][1].as_f64().map(|v| v as f32),
            Some(1.0 / 3.0)
        );
        assert_eq!(parsed["scores"][1].as_f64(), Some(1e300));
        assert_eq!(parsed["accuracy"], Value::Null);
    }

    #[test]
    fn widened_numbers_read_back_as_the_f64_the_f32_widens_to() {
        let rows = vec![vec![0.1_f32, 0.2], vec![0.3, 1.0]];
        let text = to_string(&(
            Widened(0.1_f32),
            Widened(rows.as_slice()),
            Widened([0.7_f32, -0.7]),
        ))
        .unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[0].as_f64(), Some(f64::from(0.1_f32)));
        assert_ne!(parsed[0].as_f64(), Some(0.1));
        assert_eq!(parsed[1][1][0].as_f64(), Some(f64::from(0.3_f32)));
        assert_eq!(parsed[1][1][1].as_f64(), Some(1.0));
        assert_eq!(parsed[2][1].as_f64(), Some(f64::from(-0.7_f32)));
    }
}
