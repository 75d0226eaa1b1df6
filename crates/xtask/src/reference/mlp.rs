//! Adapter for the `mlp_backprop` family: whole small networks, per-layer trace, one GD step.
//!
//! Written against the fixture layout once it is generated; until then every case is skipped.

use super::{Case, Failure, Outcome};

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    Err(Failure::Unsupported(format!(
        "{}: the MLP adapter is not written yet",
        case.kind
    )))
}
