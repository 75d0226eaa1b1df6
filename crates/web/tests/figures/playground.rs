//! The playground, and the scores figure that scores the playground's live network.

use crate::support::{Mounted, WAIT_SECONDS, counts, num};
use spiega_web::figures::{playground, scores};
use wasm_bindgen_test::wasm_bindgen_test;

/// The figures this module tests.
pub const FIGURES: &[&str] = &["playground", "scores"];

#[wasm_bindgen_test]
fn the_playground_trains_one_update_at_a_time_and_shows_its_losses() {
    let fig = Mounted::new("playground", playground::mount, &[]);
    assert_eq!(fig.text("[data-role=step-count]"), "0");
    fig.click("button[data-role=step]");
    let state = fig.state();
    assert_eq!(state["step"], 1, "{state}");
    assert_eq!(fig.text("[data-role=step-count]"), "1");
    let loss = num(&state["trainLoss"]);
    assert!(loss.is_finite() && loss > 0.0, "{state}");
    assert_eq!(fig.text("[data-role=train-loss]"), format!("{loss:.4}"));
    fig.click("button[data-role=epoch]");
    assert_eq!(fig.state()["epoch"], 1);
    assert!(fig.ink("canvas[data-role=heatmap]") > 1000);
}

#[wasm_bindgen_test]
async fn the_scores_figure_scores_the_playgrounds_network_as_it_trains() {
    // The playground first, as on the page: the scores figure reads its network.
    let lab = Mounted::new("playground", playground::mount, &[]);
    let fig = Mounted::new("scores", scores::mount, &[]);
    let state = fig.state();
    assert_eq!(state["task"], "binary", "{state}");
    assert_eq!(state["step"], 0, "{state}");
    let counts = counts(&state["counts"]);
    // The confusion matrix counts every point of the split once; accuracy is its diagonal.
    assert_eq!(
        counts.iter().sum::<u64>(),
        state["points"].as_u64().unwrap()
    );
    assert!(state["points"].as_u64().unwrap() > 0);
    let accuracy = (counts[0] + counts[3]) as f64 / counts.iter().sum::<u64>() as f64;
    assert!(
        (num(&state["accuracy"]) - accuracy).abs() < 1e-12,
        "{state}"
    );
    assert_eq!(fig.text("[data-role=tp]"), counts[3].to_string());
    assert!(fig.ink("canvas[data-role=roc]") > 500);
    // The playground trains; the scores follow its network (told after its redraw).
    lab.click("button[data-role=step]");
    lab.click("button[data-role=step]");
    let after = fig
        .until(
            "data-state",
            "the scores follow the playground",
            WAIT_SECONDS,
            |s| s["step"] == 2,
        )
        .await;
    assert_eq!(after["points"], state["points"]);
}
