//! Times the training-speed workloads natively (run it in a release build).
//!
//! `spiega-bench-native [--runs N] [WORKLOAD...]` builds each workload afresh for every run
//! (not timed), times its training steps, and evaluates the final loss (not timed). After one
//! warm-up round it takes `N` timed rounds (default 7), visiting the workloads in turn within a
//! round, and prints one JSON line per workload: `contender`, `workload`, `samples_per_sec`
//! (median), `min`, `max`, `final_loss`, `runs`, and `error` when a final loss does not match
//! the listed one.

use spiega_bench::workloads::{Workload, WorkloadId};
use std::process::ExitCode;
use std::time::Instant;

/// The tolerance on the final loss: the listed losses have five decimals.
const LOSS_TOLERANCE: f32 = 1e-4;

/// One timed run: seconds spent in the training steps, and the final loss.
fn run_once(id: WorkloadId) -> Result<(f64, f32), String> {
    let mut workload = Workload::new(id).map_err(|e| e.to_string())?;
    let start = Instant::now();
    workload.train().map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    let loss = workload.final_loss().map_err(|e| e.to_string())?;
    Ok((seconds, loss))
}

/// The median of a non-empty list (the mean of the middle two for an even length).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn parse_args() -> Result<(usize, Vec<WorkloadId>), String> {
    let mut runs = 7;
    let mut ids = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            let n = args.next().ok_or("--runs takes a number")?;
            runs = n
                .parse()
                .ok()
                .filter(|&r| r >= 1)
                .ok_or_else(|| format!("--runs takes a number of at least 1, got \"{n}\""))?;
        } else {
            ids.push(WorkloadId::from_name(&arg).map_err(|e| e.to_string())?);
        }
    }
    if ids.is_empty() {
        ids = WorkloadId::ALL.to_vec();
    }
    Ok((runs, ids))
}

fn main() -> ExitCode {
    let (runs, ids) = match parse_args() {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); ids.len()];
    let mut losses: Vec<Option<f32>> = vec![None; ids.len()];
    let mut errors: Vec<Option<String>> = vec![None; ids.len()];
    for round in 0..=runs {
        for (i, &id) in ids.iter().enumerate() {
            if errors[i].is_some() {
                continue;
            }
            match run_once(id) {
                Ok((seconds, loss)) => {
                    losses[i] = Some(loss);
                    if round > 0 {
                        rates[i].push(id.spec().samples() as f64 / seconds);
                    }
                }
                Err(e) => errors[i] = Some(e),
            }
        }
    }
    let mut ok = true;
    for (i, &id) in ids.iter().enumerate() {
        let want = id.spec().expected_final_loss;
        let mismatch = losses[i]
            .filter(|got| (got - want).abs() > LOSS_TOLERANCE)
            .map(|got| format!("final loss {got}, listed {want}"));
        let loss = losses[i].map_or("null".to_owned(), |l| format!("{l}"));
        if let Some(error) = errors[i].clone().or(mismatch) {
            ok = false;
            println!(
                "{{\"contender\":\"spiega-native\",\"workload\":\"{id}\",\"final_loss\":{loss},\"error\":{error:?}}}"
            );
            continue;
        }
        rates[i].sort_by(f64::total_cmp);
        let r = &rates[i];
        println!(
            "{{\"contender\":\"spiega-native\",\"workload\":\"{id}\",\"samples_per_sec\":{:.0},\"min\":{:.0},\"max\":{:.0},\"final_loss\":{loss},\"runs\":{}}}",
            median(r),
            r.first().copied().unwrap_or(f64::NAN),
            r.last().copied().unwrap_or(f64::NAN),
            r.len()
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
