//! The figures that show a function of their controls: activations, weight initialisation,
//! softmax, the margin losses, cross-entropy and impurity, and ROUGE. Each readout is checked against the number worked out
//! here by hand, and again after a control moves; and a figure whose markup lacks a control says
//! which.

use crate::support::{Mounted, fragment, num, numbers};
use spiega_lessons::initialisation::{Scheme, spread};
use spiega_nn::activation::Activation;
use spiega_web::figures::{activations, costs, initialisation, rouge, softmax};
use wasm_bindgen_test::wasm_bindgen_test;

/// The figures this module tests.
pub const FIGURES: &[&str] = &[
    "activations",
    "initialisation",
    "softmax",
    "cost-margin",
    "cost-probability",
    "rouge",
];

#[wasm_bindgen_test]
fn the_activation_figure_shows_the_engines_values() {
    let fig = Mounted::new("activations", activations::mount, &[]);
    // The page's defaults: the sigmoid, probed at 1. σ(1) = 0.7311, σ′(1) = σ(1)(1 − σ(1)) = 0.1966.
    let text = fig.text("[data-role=readout]");
    assert!(text.contains("g(z) = 0.7311"), "{text}");
    assert!(text.contains("g′(z) = 0.1966"), "{text}");
    fig.check("input[name=activation][value=tanh]", true);
    fig.set("[data-role=probe]", "0.5");
    // tanh(0.5) = 0.4621, tanh'(0.5) = 1 − tanh²(0.5) = 0.7864.
    let text = fig.text("[data-role=readout]");
    assert!(text.contains("g(z) = 0.4621"), "{text}");
    assert!(text.contains("g′(z) = 0.7864"), "{text}");
    fig.set("[data-role=probe]", "-1");
    let text = fig.text("[data-role=readout]");
    assert!(text.contains("g(z) = −0.7616"), "{text}");
    assert!(fig.ink("canvas[data-role=chart]") > 1000);
}

#[wasm_bindgen_test]
fn the_initialisation_figure_shows_the_lessons_spreads_for_its_controls() {
    let fig = Mounted::new("initialisation", initialisation::mount, &[]);
    // The page's defaults: He with ReLU, seed 1.
    let shows = |scheme: Scheme, act: Activation, seed: u32| {
        let state = fig.state();
        let want = spread(scheme, act, seed).unwrap();
        assert_eq!(state["scheme"], scheme.name(), "{state}");
        assert_eq!(num(&state["seed"]), f64::from(seed), "{state}");
        let shown = numbers(&state["activations"]);
        assert_eq!(shown.len(), want.activations.len(), "{state}");
        for (s, w) in shown.iter().zip(&want.activations) {
            assert!((s - f64::from(*w)).abs() <= 1e-6 * s.abs(), "{state}");
        }
        let shown = numbers(&state["gradients"]);
        assert_eq!(shown.len(), want.gradients.len(), "{state}");
        for (s, w) in shown.iter().zip(&want.gradients) {
            assert!((s - f64::from(*w)).abs() <= 1e-6 * s.abs(), "{state}");
        }
        state
    };
    shows(Scheme::He, Activation::Relu, 1);
    assert!(fig.ink("canvas[data-role=chart]") > 1000);
    fig.check("input[name=init-scheme][value=small]", true);
    let state = shows(Scheme::Small, Activation::Relu, 1);
    let text = fig.text("[data-role=readout]");
    assert!(text.contains("From layer 1 to layer 10"), "{text}");
    let acts = numbers(&state["activations"]);
    assert!(acts[9] < 1e-9 * acts[0], "{state}");
    fig.check("input[name=init-activation][value=tanh]", true);
    shows(Scheme::Small, Activation::Tanh, 1);
    assert!(fig.text("[data-role=readout]").contains("beyond ±0.9"));
    fig.click("button[data-role=reseed]");
    shows(Scheme::Small, Activation::Tanh, 2);
    fig.set("[data-role=seed]", "20");
    fig.click("button[data-role=reseed]");
    shows(Scheme::Small, Activation::Tanh, 1);
    fig.check("input[name=init-scheme][value=zero]", true);
    let state = shows(Scheme::Zero, Activation::Tanh, 1);
    assert_eq!(state["identical_units"], true, "{state}");
    let text = fig.text("[data-role=readout]");
    assert!(text.contains("exactly 0"), "{text}");
    assert!(fig.ink("canvas[data-role=chart]") > 1000);
    // A seed typed out of range is used, and shown, as the nearest one offered.
    fig.set("[data-role=seed]", "99");
    shows(Scheme::Zero, Activation::Tanh, 20);
}

/// softmax(z / τ), worked out in f64.
fn softmax_by_hand(z: &[f64], t: f64) -> Vec<f64> {
    let e: Vec<f64> = z.iter().map(|v| (v / t).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

#[wasm_bindgen_test]
fn the_softmax_figure_shows_the_probabilities_at_each_temperature() {
    let fig = Mounted::new("softmax", softmax::mount, &[]);
    let z = [2.0, 1.0, 0.1, -1.0];
    // The slider holds log₁₀ τ: 0 is τ = 1, and 1 is τ = 10.
    for (slider, t) in [("0", 1.0), ("1", 10.0)] {
        fig.set("[data-role=temperature]", slider);
        let want = softmax_by_hand(&z, t);
        let state = fig.state();
        let shown = numbers(&state["probabilities"]);
        assert_eq!(shown.len(), 4, "{state}");
        for (s, w) in shown.iter().zip(&want) {
            assert!((s - w).abs() < 1e-5, "τ = {t}: {shown:?} against {want:?}");
        }
        let text = fig.text("[data-role=readout]");
        assert!(text.contains(&format!("p = [{:.4},", want[0])), "{text}");
    }
    assert!(fig.ink("canvas[data-role=chart]") > 1000);
}

#[wasm_bindgen_test]
fn the_margin_figure_shows_each_loss_at_the_probed_margin() {
    let fig = Mounted::new("cost-margin", costs::mount_margin, &[]);
    // At m = 0.5: hinge 1 − m = 0.5, squared (1 − m)² = 0.25, logistic ln(1 + e^(−m)) = 0.474,
    // exponential e^(−m) = 0.607, 0-1 is 0 for a positive margin.
    let text = fig.text("[data-role=readout]");
    assert_eq!(
        text,
        "at m = 0.50: 0-1 0.000, squared 0.250, logistic 0.474, hinge 0.500, exponential 0.607"
    );
    fig.check("[data-role=gradients]", true);
    fig.set("[data-role=margin]", "2");
    // At m = 2 the hinge is flat (0, slope 0) and the squared loss rises again: 1, slope 2.
    let state = fig.state();
    assert_eq!(state["gradients"], true, "{state}");
    assert_eq!(num(&state["losses"]["hinge"]), 0.0, "{state}");
    assert_eq!(num(&state["losses"]["squared"]), 1.0, "{state}");
    assert_eq!(num(&state["derivatives"]["squared"]), 2.0, "{state}");
    let text = fig.text("[data-role=readout]");
    assert!(text.contains("hinge 0.000 (slope 0.000)"), "{text}");
    assert!(fig.ink("canvas[data-role=chart]") > 1000);
}

#[wasm_bindgen_test]
fn the_cross_entropy_figure_shows_the_losses_and_impurities_at_the_probe() {
    let fig = Mounted::new("cost-probability", costs::mount_probability, &[]);
    // At p = 0.7: −ln 0.7 = 0.357, −ln 0.3 = 1.204, Gini 2·0.7·0.3 = 0.42, entropy 0.881 bits.
    assert_eq!(
        fig.text("[data-role=readout]"),
        "at p = 0.70: cross-entropy 0.357 if the class is 1, 1.204 if it is 0; Gini 0.420, \
         entropy 0.881 bits"
    );
    fig.set("[data-role=probability]", "0.5");
    let state = fig.state();
    // At p = 1/2: −ln ½ = ln 2 either way, and one whole bit of entropy.
    assert!(
        (num(&state["crossEntropyPositive"]) - std::f64::consts::LN_2).abs() < 1e-6,
        "{state}"
    );
    assert!(
        (num(&state["crossEntropyNegative"]) - std::f64::consts::LN_2).abs() < 1e-6,
        "{state}"
    );
    assert!((num(&state["entropyBits"]) - 1.0).abs() < 1e-9, "{state}");
    assert!(fig.ink("canvas[data-role=cross-entropy]") > 1000);
    assert!(fig.ink("canvas[data-role=impurity]") > 1000);
}

#[wasm_bindgen_test]
fn the_rouge_figure_scores_the_typed_texts() {
    let fig = Mounted::new("rouge", rouge::mount, &[]);
    // Reference "the cat sat on the mat near the door" (9 words), candidate "a cat was sitting on
    // the mat by the door" (10): they share cat, on, mat, door and two of the three "the", so
    // ROUGE-1 has precision 6/10, recall 6/9 and F 2·0.6·0.667/1.267 = 0.632.
    assert_eq!(fig.text("[data-role=rouge1-precision]"), "0.600");
    assert_eq!(fig.text("[data-role=rouge1-recall]"), "0.667");
    assert_eq!(fig.text("[data-role=rouge1-f]"), "0.632");
    assert_eq!(fig.state()["referenceTokens"], 9);
    // The candidate typed as the reference scores 1 on every measure.
    fig.set(
        "textarea[data-role=candidate]",
        "the cat sat on the mat near the door",
    );
    for score in ["rouge1", "rouge2", "rougeL"] {
        assert_eq!(
            fig.text(&format!("[data-role={score}-f]")),
            "1.000",
            "{score}"
        );
    }
}

#[wasm_bindgen_test]
fn a_figure_missing_a_control_reports_which() {
    let host = fragment(r#"<canvas data-role="chart"></canvas>"#);
    let err = activations::mount(&host).err().map(|e| e.to_string());
    host.remove();
    assert!(
        err.as_deref().is_some_and(|e| e.contains("readout")),
        "{err:?}"
    );
}
