//! The figures about a network's layers and its training: input normalization, convolution,
//! shapes and parameter counts, the backpropagation step-through with its gradient check, and
//! the optimizers' race.

use crate::support::{Mounted, find, json, num, numbers, set, trained};
use spiega_web::figures::{backprop, conv, normalization, optimizers, shapes};
use wasm_bindgen_test::wasm_bindgen_test;

/// The figures this module tests.
pub const FIGURES: &[&str] = &["normalization", "conv", "shapes", "backprop", "optimizers"];

#[wasm_bindgen_test]
async fn the_normalization_figure_scales_by_the_training_range_and_trains_both_runs() {
    let fig = Mounted::new("normalization", normalization::mount, &[]);
    let raw = fig.state();
    assert_eq!(raw["view"], "raw");
    let width = |s: &serde_json::Value, f: usize| num(&s["train"][f][1]) - num(&s["train"][f][0]);
    // The second feature in far larger units than the first.
    assert!(width(&raw, 1) > 20.0 * width(&raw, 0), "{raw}");
    // Scaled to [0, 1] by the training split's own range: both features span it exactly.
    fig.set("select[data-role=view]", "unit");
    let unit = fig.state();
    for f in 0..2 {
        assert!(num(&unit["train"][f][0]).abs() < 1e-6, "{unit}");
        assert!((num(&unit["train"][f][1]) - 1.0).abs() < 1e-6, "{unit}");
    }
    assert_eq!(fig.text("output[data-role=train-0]"), "0.00 to 1.00");
    assert!(fig.ink("canvas[data-role=points]") > 500);
    // Training plays frame by frame while the figure is in view.
    let runs = fig
        .train(
            "button[data-role=play]",
            "data-runs",
            "both runs train",
            trained,
        )
        .await;
    assert!(num(&runs["scaledLoss"]).is_finite(), "{runs}");
    let text = fig.text("[data-role=readout]");
    assert!(
        text.starts_with(&format!("After {} updates", runs["step"])),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn the_convolution_figure_shows_the_filtered_digit() {
    let fig = Mounted::new("conv", conv::mount, &[]);
    // The identity filter over a valid (unpadded) window gives back the image without its border.
    fig.set("select[data-role=filter]", "identity");
    let state = fig.state();
    let image = numbers(&state["image"]);
    let map = numbers(&state["featureMap"]);
    let side = (image.len() as f64).sqrt() as usize;
    assert!(side >= 5, "{state}");
    assert_eq!(state["outputSize"], serde_json::json!([side - 2, side - 2]));
    assert_eq!(map.len(), (side - 2) * (side - 2));
    for r in 0..side - 2 {
        for c in 0..side - 2 {
            assert_eq!(
                map[r * (side - 2) + c],
                image[(r + 1) * side + c + 1],
                "({r}, {c})"
            );
        }
    }
    assert!(image.iter().any(|&v| v > 0.0), "the digit has ink");
    // Stride 2: ⌊(side − 3) / 2⌋ + 1 per side, as the formula says.
    fig.set("select[data-role=stride]", "2");
    let out = (side - 3) / 2 + 1;
    assert_eq!(fig.state()["outputSize"], serde_json::json!([out, out]));
    let formula = fig.text("[data-role=formula]");
    assert!(formula.ends_with(&format!("/ 2⌋ + 1 = {out}")), "{formula}");
    assert!(fig.ink("canvas[data-role=feature-map]") > 500);
}

#[wasm_bindgen_test]
fn the_shapes_figure_counts_each_stacks_parameters() {
    let fig = Mounted::new("shapes", shapes::mount, &[]);
    // Input (5, 3) → dense(16) acts on the last axis: 3·16 + 16 = 64 parameters, output (5, 16).
    assert_eq!(fig.text("[data-role=total]"), "64");
    assert_eq!(
        fig.state()["layers"][1]["output"],
        serde_json::json!([5, 16])
    );
    // Flattened first, the dense layer sees all 15 inputs: 15·16 + 16 = 256.
    fig.click("button[data-preset=flatten]");
    assert_eq!(fig.text("[data-role=total]"), "256");
    // A typed input shape: 7·3 = 21 inputs, 21·16 + 16 = 352.
    fig.set("input[data-role=input-shape]", "7, 3");
    assert_eq!(fig.text("[data-role=total]"), "352");
    fig.set("input[data-role=input-shape]", "five");
    assert_eq!(fig.text("[data-role=total]"), "–");
    assert_eq!(fig.state()["error"], "input");
}

/// Layer `l`'s matrix `name` in a step-through state.
fn matrix(state: &serde_json::Value, l: usize, name: &str) -> Vec<Vec<f64>> {
    state["layers"][l][name]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(num).collect())
        .collect()
}

#[wasm_bindgen_test]
fn the_backprop_figure_steps_through_the_pass_and_checks_its_gradients() {
    // The step-through finds its gradient check in the next section, as on the page.
    let gradcheck = crate::support::SECTIONS[12].1;
    let fig = Mounted::new("backprop", backprop::mount, &[gradcheck]);
    let state = fig.state();
    let steps = state["steps"].as_u64().unwrap();
    assert!(steps > 3, "{state}");
    // The update the last step takes is W − η·∂L/∂W, for every weight of every layer.
    let lr = num(&state["lr"]);
    let layers = state["layers"].as_array().unwrap().len();
    assert!(layers >= 2, "{state}");
    for l in 0..layers {
        let (w, dw, new) = (
            matrix(&state, l, "W"),
            matrix(&state, l, "dW"),
            matrix(&state, l, "newW"),
        );
        assert!(!w.is_empty());
        for ((w, dw), new) in w
            .iter()
            .flatten()
            .zip(dw.iter().flatten())
            .zip(new.iter().flatten())
        {
            assert!(
                (new - (w - lr * dw)).abs() < 1e-5,
                "layer {l}: {new} ≠ {w} − {lr}·{dw}"
            );
        }
    }
    fig.click("button[data-role=next]");
    assert_eq!(fig.state()["step"], 1);
    assert_eq!(
        fig.text("[data-role=step-title]").split(':').next(),
        Some(&*format!("Step 2 of {steps}"))
    );
    for _ in 1..steps {
        fig.click("button[data-role=next]");
    }
    // Taking the step applies it: the network now holds the weights the last step showed.
    let after = fig.state();
    assert_eq!(after["updates"], 1, "{after}");
    assert_eq!(after["step"], 0, "{after}");
    assert_eq!(matrix(&after, 0, "W"), matrix(&state, 0, "newW"));
    assert!(fig.ink("canvas[data-role=network]") > 500);
    // The gradient check passes on the engine's backpropagation and fails on a planted bug.
    let check = fig.around("#fig-gradcheck");
    assert_eq!(json(&check, "data-state")["passed"], true);
    set(&find(&check, "select[data-role=bug]"), "forgotten_bias");
    let failed = json(&check, "data-state");
    assert_eq!(failed["passed"], false, "{failed}");
    let verdict = find(&check, "[data-role=verdict]").text_content().unwrap();
    assert!(verdict.starts_with("Fail: "), "{verdict}");
}

#[wasm_bindgen_test]
fn the_optimizers_race_descends_the_surface_step_by_step() {
    let fig = Mounted::new("optimizers", optimizers::mount, &[]);
    let start = fig.state();
    assert_eq!(start["steps"], 0);
    let racers = start["racers"].as_array().unwrap().len();
    assert!(racers >= 5, "{start}");
    fig.click("button[data-role=step]");
    let state = fig.state();
    assert_eq!(state["steps"], 10, "{state}");
    for (before, now) in start["racers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(state["racers"].as_array().unwrap())
    {
        assert_eq!(now["points"], 11, "{now}");
        assert!(num(&now["loss"]) < num(&before["loss"]), "{before} → {now}");
        let name = now["name"].as_str().unwrap();
        let shown = fig.text(&format!("output[data-role=loss-{name}]"));
        assert_eq!(shown, format!("{:.4}", num(&now["loss"])), "{name}");
    }
    assert!(fig.ink("canvas[data-role=map]") > 1000);
}

#[wasm_bindgen_test]
fn the_optimizers_schedule_scales_every_rate_and_draws_it() {
    use spiega_lessons::optimizers::ScheduleKind;
    let fig = Mounted::new("optimizers", optimizers::mount, &[]);
    let start = fig.state();
    assert_eq!(start["schedule"], "constant", "{start}");
    assert_eq!(start["warmup"], 0, "{start}");
    assert!(start["rate"].is_null(), "{start}");
    // The rates the lesson's schedule claims are tested at (`BOWL_RATES` in its tests): the
    // bowl's defaults as the log sliders hold them.
    for (key, value) in [("lr", 0.071), ("adaptive_lr", 0.1), ("momentum", 0.5)] {
        assert_eq!(num(&start[key]) as f32, value, "{key}: {start}");
    }
    fig.click("button[data-role=step]");
    let constant = fig.state();
    assert_eq!(num(&constant["rate"]), 1.0, "{constant}");
    let loss = |s: &serde_json::Value, i: usize| num(&s["racers"][i]["loss"]);
    // Cosine after a warm-up: choosing it starts the race afresh, and ten steps in, the last one
    // ran at 9/50 of the sliders' rates, so gradient descent, SGD and the adaptive racers are
    // still further from the minimum. (Momentum's overshoot makes its losses no such rule.)
    fig.check("input[name=schedule][value=cosine]", true);
    fig.check("input[data-role=warmup]", true);
    let fresh = fig.state();
    assert_eq!(fresh["steps"], 0, "{fresh}");
    assert_eq!(fresh["schedule"], "cosine", "{fresh}");
    assert_eq!(fresh["warmup"], 50, "{fresh}");
    fig.click("button[data-role=step]");
    let warm = fig.state();
    let expected = ScheduleKind::Cosine.schedule(true).unwrap().factor(9);
    assert!((expected - 0.18).abs() < 1e-6);
    assert_eq!(num(&warm["rate"]) as f32, expected, "{warm}");
    for i in [0, 1, 4, 5, 6] {
        assert!(loss(&warm, i) > loss(&constant, i), "{warm} {constant}");
    }
    let label = fig
        .find("canvas[data-role=rate-chart]")
        .get_attribute("aria-label")
        .unwrap_or_default();
    assert!(
        label.contains("cosine")
            && label.contains("50-step warm-up")
            && label.contains("0.180 of η"),
        "{label}"
    );
    assert!(fig.ink("canvas[data-role=rate-chart]") > 500);
}
