//! Every training-speed workload, trained through the engine's public API, reaches the final
//! loss its definition lists (given to five decimals, so checked within 1e-4).

use spiega_bench::workloads::{Workload, WorkloadId};
use spiega_nn::EngineError;

fn check(id: WorkloadId) -> Result<(), EngineError> {
    let mut workload = Workload::new(id)?;
    let got = workload.run()?;
    let want = workload.spec().expected_final_loss;
    assert_eq!(workload.steps_done(), workload.spec().steps);
    assert!(
        (got - want).abs() <= 1e-4,
        "{id}: final loss {got}, listed {want}"
    );
    Ok(())
}

#[test]
fn w1_playground_mlp_on_the_spiral() -> Result<(), EngineError> {
    check(WorkloadId::W1)
}

#[test]
fn w2_relu_mlp_on_the_spiral_classes() -> Result<(), EngineError> {
    check(WorkloadId::W2)
}

#[test]
fn w3_mlp_on_the_digits() -> Result<(), EngineError> {
    check(WorkloadId::W3)
}

#[test]
fn w3c_conv_net_on_the_digits() -> Result<(), EngineError> {
    check(WorkloadId::W3c)
}
