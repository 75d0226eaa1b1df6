//! Typed errors for everything the engine can refuse.
//!
//! The engine never panics on reader input: a bad shape, a hyperparameter out of range or a
//! non-finite value comes back as an [`EngineError`] whose `Display` text is written for the reader.

use thiserror::Error;

/// Everything the engine can refuse, each naming what was wrong.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EngineError {
    /// Two shapes that must agree do not.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// Where the mismatch was found, e.g. "dense input".
        what: String,
        /// The shape that was required.
        expected: String,
        /// The shape that was given.
        got: String,
    },
    /// A hyperparameter is outside the range where it makes sense.
    #[error("{name} = {value} is not allowed: {reason}")]
    InvalidHyperparameter {
        /// The hyperparameter's name as the reader sees it, e.g. "learning rate".
        name: String,
        /// The offending value, formatted.
        value: String,
        /// What the allowed range is.
        reason: String,
    },
    /// An input that must be finite contains NaN or an infinity.
    #[error("{what} contains a value that is not a finite number")]
    NonFinite {
        /// Which input.
        what: String,
    },
    /// An input that must not be empty is empty.
    #[error("{what} is empty")]
    Empty {
        /// Which input.
        what: String,
    },
    /// Training diverged: the loss grew far beyond where it started.
    #[error("training diverged: {what}")]
    Diverged {
        /// What was seen, e.g. "the loss jumped from 0.7 to 252 at update 3".
        what: String,
    },
    /// The input cannot be used for another stated reason.
    #[error("{0}")]
    Invalid(String),
}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    /// A shape mismatch between two `(rows, columns)` pairs.
    pub fn shape(what: &str, expected: (usize, usize), got: (usize, usize)) -> Self {
        Self::ShapeMismatch {
            what: what.to_owned(),
            expected: format!("{}×{}", expected.0, expected.1),
            got: format!("{}×{}", got.0, got.1),
        }
    }

    /// A hyperparameter outside its range.
    pub fn hyper(name: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        Self::InvalidHyperparameter {
            name: name.to_owned(),
            value: value.to_string(),
            reason: reason.to_owned(),
        }
    }
}

/// Checks that `value` is finite and lies in `[lo, hi]`, naming it in the error otherwise.
pub fn check_range(name: &str, value: f32, lo: f32, hi: f32) -> Result<f32> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(EngineError::hyper(
            name,
            value,
            &format!("it must be a number from {lo} to {hi}"),
        ))
    }
}
