//! The figures about fitting and regularising: capacity against validation loss, shrinkage
//! paths, weight penalties, pruning, dropout, augmentation, batch normalization and batch size.
//! The comparisons step with their Step button; the figures that only play are watched, frame by
//! frame, until their state shows training.

use crate::support::{Mounted, counts, num, numbers, trained};
use spiega_web::figures::{
    augmentation, batch_norm, batch_size, bias_variance, dropout, penalties, pruning, shrinkage,
};
use wasm_bindgen_test::wasm_bindgen_test;

/// The figures this module tests.
pub const FIGURES: &[&str] = &[
    "bias-variance",
    "shrinkage",
    "weight-penalties",
    "pruning",
    "dropout",
    "augmentation",
    "batch-norm",
    "batch-size",
];

#[wasm_bindgen_test]
async fn the_bias_variance_figure_chooses_the_width_with_the_lowest_validation_loss() {
    let fig = Mounted::new("bias-variance", bias_variance::mount, &[]);
    let state = fig
        .train(
            "button[data-role=train]",
            "data-state",
            "the sweep trains",
            trained,
        )
        .await;
    let validation = numbers(&state["validationLoss"]);
    assert_eq!(validation.len(), state["widths"].as_array().unwrap().len());
    assert!(validation.len() >= 3, "{state}");
    let best = validation
        .iter()
        .enumerate()
        .fold(0, |b, (i, v)| if *v < validation[b] { i } else { b });
    assert_eq!(state["chosen"], best, "{state}");
    assert!(fig.ink("canvas[data-role=curve]") > 500);
}

#[wasm_bindgen_test]
fn the_shrinkage_figure_counts_the_coefficients_set_to_zero() {
    let fig = Mounted::new("shrinkage", shrinkage::mount, &[]);
    for penalty in ["l1", "l2"] {
        fig.set("select[data-role=penalty]", penalty);
        // The slider's largest rate (it stops at the grid's ends).
        fig.set("input[data-role=rate]", "100");
        let state = fig.state();
        let coefficients = numbers(&state["coefficients"]);
        assert!(coefficients.len() >= 4, "{state}");
        let zeros = coefficients.iter().filter(|c| **c == 0.0).count();
        assert_eq!(state["zeros"], zeros, "{state}");
        let text = fig.text("[data-role=readout]");
        let said = format!(
            "{zeros} of {} coefficients are exactly zero",
            coefficients.len()
        );
        assert!(text.contains(&said), "{text}");
        // At its largest rate the lasso sets most coefficients to exactly zero, every
        // irrelevant feature's among them; ridge only shrinks them.
        if penalty == "l1" {
            assert!(2 * zeros > coefficients.len(), "{state}");
            assert!(
                text.contains(&format!(
                    "({0} of the {0} irrelevant features)",
                    state["irrelevantZeros"]
                )),
                "{text}"
            );
        } else {
            assert_eq!(zeros, 0, "{state}");
        }
    }
    assert!(fig.ink("canvas[data-role=paths]") > 500);
}

#[wasm_bindgen_test]
async fn the_weight_penalties_figure_trains_and_counts_near_zero_weights() {
    let fig = Mounted::new("weight-penalties", penalties::mount, &[]);
    // L1 drives weights to zero: trained until it has more weights near zero than the
    // unpenalised network.
    let l1_has_more_near_zero = |s: &serde_json::Value| {
        let near = counts(&s["nearZero"]);
        near.len() == 4 && near[1] > near[0]
    };
    let state = fig
        .train(
            "button[data-role=train]",
            "data-state",
            "L1 gives more weights near zero than no penalty",
            l1_has_more_near_zero,
        )
        .await;
    let near = counts(&state["nearZero"]);
    assert_eq!(near.len(), 4, "{state}");
    // Every run has the same network: each histogram counts all of its weights.
    let totals: Vec<f64> = state["histograms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| numbers(h).iter().sum())
        .collect();
    assert_eq!(totals.len(), 4);
    assert!(
        totals.iter().all(|t| *t == totals[0] && *t > 0.0),
        "{totals:?}"
    );
    let text = fig.text("[data-role=readout]");
    let said = format!(
        "none {}, L1 {}, L2 {}, elastic net {}",
        near[0], near[1], near[2], near[3]
    );
    assert!(text.contains(&said), "{text}");
}

#[wasm_bindgen_test]
fn the_pruning_figure_removes_the_share_of_weights_asked_for() {
    let fig = Mounted::new("pruning", pruning::mount, &[]);
    assert_eq!(fig.state()["trained"], false);
    fig.click("button[data-role=train]");
    let state = fig.state();
    assert_eq!(state["trained"], true, "{state}");
    let weights = state["weights"].as_u64().unwrap();
    assert!(weights > 10, "{state}");
    let curve = numbers(&state["curve"]);
    assert!((num(&state["accuracy"]) - curve[0]).abs() < 1e-9, "{state}");
    fig.set("input[data-role=fraction]", "100");
    let all = fig.state();
    assert_eq!(all["removed"], weights, "{all}");
    let text = fig.text("[data-role=readout]");
    assert!(
        text.starts_with(&format!("{weights} of {weights} weights removed (100%)")),
        "{text}"
    );
    fig.set("input[data-role=fraction]", "50");
    let half = fig.state()["removed"].as_u64().unwrap();
    assert!(half.abs_diff(weights / 2) <= 1, "{half} of {weights}");
    assert!(fig.ink("canvas[data-role=network]") > 500);
}

#[wasm_bindgen_test]
fn the_dropout_figure_shows_the_units_the_last_step_dropped() {
    let fig = Mounted::new("dropout", dropout::mount, &[]);
    let state = fig.step();
    assert_eq!(state["runs"].as_array().unwrap().len(), 4, "{state}");
    let dropped = state["dropped"].as_array().unwrap();
    assert!(!dropped.is_empty(), "{state}");
    let text = fig.text("[data-role=dropped]");
    let (mut total, mut units) = (0, 0);
    for (l, layer) in dropped.iter().enumerate() {
        let layer = layer.as_array().unwrap();
        let count = layer.iter().filter(|u| **u == 1).count();
        let said = format!("{count} of {} in hidden layer {}", layer.len(), l + 1);
        assert!(text.contains(&said), "{said} in {text}");
        total += count;
        units += layer.len();
    }
    // At rate 0.5 some units, and not all, are dropped.
    assert!(total > 0 && total < units, "{state}");
    assert!(fig.ink("canvas[data-role=curves]") > 500);
}

/// Early stopping: past the run without dropout's best point, each run's best is marked and
/// named, Restore best shows its scores from the restored weights, and Step goes on.
#[wasm_bindgen_test]
fn the_dropout_figure_marks_and_restores_each_runs_best_point() {
    let fig = Mounted::new("dropout", dropout::mount, &[]);
    let mut state = fig.step();
    // 150 updates: past the run without dropout's lowest validation loss, after 55.
    for _ in 1..30 {
        state = fig.step();
    }
    let step = state["step"].as_u64().unwrap();
    assert_eq!(step, 150, "{state}");
    assert_eq!(state["restored"], false);
    let line = fig.text("[data-role=best]");
    let runs = state["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 4, "{state}");
    let mut bests = Vec::new();
    for run in &runs {
        let best = &run["best"];
        let (at, loss) = (best["step"].as_u64().unwrap(), num(&best["validationLoss"]));
        assert!(at <= step && loss <= num(&run["validationLoss"]), "{run}");
        let said = format!(
            "{}: {loss:.3} at update {at}",
            run["name"].as_str().unwrap()
        );
        assert!(line.contains(&said), "{said} in {line}");
        bests.push((at, loss));
    }
    assert!(bests[0].0 < step - 50, "{state}");
    fig.click("button[data-role=restore]");
    let restored = fig.state();
    assert_eq!(restored["restored"], true, "{restored}");
    assert_eq!(restored["step"], step);
    assert_eq!(fig.text("button[data-role=restore]"), "Back to last");
    for (run, (at, loss)) in restored["runs"].as_array().unwrap().iter().zip(&bests) {
        assert_eq!(run["step"], *at, "{run}");
        assert_eq!(num(&run["validationLoss"]), *loss, "{run}");
    }
    // The table's validation loss is the restored one.
    let cell = fig.text("[data-role=scores] tr td:nth-child(3)");
    assert_eq!(cell, format!("{:.3}", bests[0].1), "{restored}");
    // Step goes on from the last weights.
    let after = fig.step();
    assert_eq!(after["restored"], false, "{after}");
    assert_eq!(after["step"], step + 5);
    assert_eq!(fig.text("button[data-role=restore]"), "Restore best");
    assert!(
        num(&after["runs"][0]["validationLoss"]) > bests[0].1 + 0.05,
        "{after}"
    );
}

#[wasm_bindgen_test]
fn the_augmentation_figure_draws_transforms_within_the_sliders_ranges() {
    let fig = Mounted::new("augmentation", augmentation::mount, &[]);
    let state = fig.state();
    let max = num(&state["ranges"]["rotation"]);
    assert!(max > 0.0, "{state}");
    let transforms = state["transforms"].as_array().unwrap();
    assert!(!transforms.is_empty(), "{state}");
    assert!(
        transforms.iter().any(|t| num(&t["rotation"]) != 0.0),
        "{state}"
    );
    for t in transforms {
        assert!(num(&t["rotation"]).abs() <= max + 1e-4, "{t} beyond ±{max}");
    }
    // No rotation allowed: every preview is drawn unrotated.
    fig.set("input[data-role=rotation]", "0");
    let still = fig.state();
    assert_eq!(num(&still["ranges"]["rotation"]), 0.0, "{still}");
    let transforms = still["transforms"].as_array().unwrap();
    assert!(!transforms.is_empty());
    assert!(
        transforms.iter().all(|t| num(&t["rotation"]) == 0.0),
        "{still}"
    );
    fig.step();
    assert!(fig.ink("canvas[data-role=augmented-0]") > 20);
}

#[wasm_bindgen_test]
fn the_batch_norm_figure_moves_its_running_statistics() {
    let fig = Mounted::new("batch-norm", batch_norm::mount, &[]);
    let state = fig.step();
    let stats = state["stats"].as_array().unwrap();
    assert!(!stats.is_empty(), "{state}");
    for s in stats {
        // Batch mean, running mean, batch variance, running variance: the running statistics
        // have left their start (0 and 1) after the training steps.
        let s: Vec<f64> = s.as_array().unwrap().iter().map(num).collect();
        assert!(s[2] >= 0.0 && s[3] > 0.0, "{s:?}");
        assert!(s[1] != 0.0 || s[3] != 1.0, "{s:?}");
    }
    // The run without batch normalization has no statistics to show.
    fig.set("select[data-role=shown]", "0");
    assert_eq!(fig.state()["stats"], serde_json::json!([]));
}

#[wasm_bindgen_test]
fn the_batch_size_figure_counts_updates_per_epoch() {
    let fig = Mounted::new("batch-size", batch_size::mount, &[]);
    let state = fig.step();
    // 200 training points: batches of 2 make 100 updates an epoch, batches of 100 make 2.
    let per_epoch: Vec<u64> = state["cost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["updatesPerEpoch"].as_u64().unwrap())
        .collect();
    assert_eq!(per_epoch, [100, 2], "{state}");
    // The cost table's first row: the run's name, then its updates per epoch.
    assert_eq!(fig.text("[data-role=cost] tr td"), "100");
    assert!(fig.ink("canvas[data-role=curves]") > 500);
}
