//! The generative figures: the GAN's two-player game and the small transformer.

use crate::support::{Mounted, counts, num};
use spiega_web::figures::{gan, transformer};
use wasm_bindgen_test::wasm_bindgen_test;

/// The figures this module tests.
pub const FIGURES: &[&str] = &["gan", "transformer"];

#[wasm_bindgen_test]
fn the_gan_steps_each_player_as_asked() {
    let fig = Mounted::new("gan", gan::mount, &[]);
    let start = fig.state();
    assert_eq!(start["generatorSteps"], 0, "{start}");
    // One round: the discriminator's steps per round (the slider), then one generator step.
    fig.set("input[data-role=d-steps]", "3");
    fig.click("button[data-role=step-both]");
    let state = fig.state();
    assert_eq!(state["generatorSteps"], 1, "{state}");
    assert_eq!(state["discriminatorSteps"], 3, "{state}");
    assert_eq!(state["dStepsPerRound"], 3, "{state}");
    fig.click("button[data-role=step-d]");
    let state = fig.state();
    assert_eq!(state["discriminatorSteps"], 4, "{state}");
    assert_eq!(state["generatorSteps"], 1, "{state}");
    assert!(num(&state["discriminatorLoss"]).is_finite(), "{state}");
    let p = num(&state["meanProbabilityOfGenerated"]);
    assert!((0.0..=1.0).contains(&p), "{state}");
    assert!(fig.ink("canvas[data-role=plane]") > 1000);
}

#[wasm_bindgen_test]
fn the_transformer_trains_a_step_and_shows_its_task() {
    let fig = Mounted::new("transformer", transformer::mount, &[]);
    let state = fig.state();
    assert_eq!(state["steps"], 0, "{state}");
    // The reverse task: the expected output is the typed digits backwards.
    assert_eq!(state["task"], "reverse", "{state}");
    let input = counts(&state["input"]);
    assert!(!input.is_empty());
    let reversed: Vec<u64> = input.iter().rev().copied().collect();
    assert_eq!(state["expected"], serde_json::json!(reversed));
    fig.click("button[data-role=step]");
    let state = fig.state();
    assert_eq!(state["steps"], 1, "{state}");
    assert_eq!(fig.text("output[data-role=steps]"), "1");
    assert_eq!(
        state["output"].as_array().unwrap().len(),
        input.len(),
        "{state}"
    );
    assert!(num(&state["trainLoss"]).is_finite(), "{state}");
    assert!(fig.ink("canvas[data-role=attention]") > 500);
}
