//! Adapter for the `schedules` family: optax's learning-rate schedules (constant, step decay,
//! cosine decay, and a linear warm-up before any of them) against `spiega_nn::optim::Schedule`.

use super::{Actuals, Case, Failure, Outcome};
use spiega_nn::optim::{Decay, Schedule};

/// Computes one case: the rate at each of `at_steps`.
pub fn run(case: &Case) -> Outcome {
    let decay = match case.str("decay")? {
        "constant" => Decay::Constant,
        "step" => Decay::Step {
            gamma: case.f32("gamma")?,
            every: case.usize("every")?,
        },
        "cosine" => Decay::Cosine {
            steps: case.usize("steps")?,
            floor: case.f32("floor")?,
        },
        other => {
            return Err(Failure::Unsupported(format!(
                "{}: no schedule \"{other}\"",
                case.kind
            )));
        }
    };
    let schedule = Schedule::new(decay, case.usize("warmup")?)?;
    let base = case.f32("base")?;
    let at = case.ints("at_steps")?;
    let mut rates = Vec::with_capacity(at.len());
    for t in at {
        let t = usize::try_from(t)
            .map_err(|_| Failure::BadInput(format!("at_steps holds a negative step, {t}")))?;
        rates.push(schedule.rate(base, t));
    }
    let mut out = Actuals::new();
    out.put("rates", rates);
    Ok(out)
}
