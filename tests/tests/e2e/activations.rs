//! The activation-functions section, driven like a reader: every control changes the chart's
//! pixels and the numbers shown, and the numbers are the right ones.

use serde_json::Value;
use spiega_e2e::{Page, Result, num, run};

const FIG: &str = "#fig-activations";
const CANVAS: &str = "#fig-activations canvas";

async fn snapshot(page: &Page) -> Result<(u64, String, Value)> {
    Ok((
        page.canvas_hash(CANVAS).await?,
        page.text(&format!("{FIG} [data-role=readout]")).await?,
        page.state(FIG).await?,
    ))
}

/// Moves a slider and checks that the chart and the readout or state changed.
async fn moves(page: &Page, role: &str, value: f64) -> Result<()> {
    let before = snapshot(page).await?;
    page.set_slider(&format!("{FIG} input[data-role={role}]"), value)
        .await?;
    let after = snapshot(page).await?;
    assert_ne!(
        before.0, after.0,
        "moving {role} to {value} left the chart unchanged"
    );
    assert!(
        before.1 != after.1 || before.2 != after.2,
        "moving {role} to {value} changed no number shown"
    );
    Ok(())
}

#[test]
fn every_activation_and_slider_changes_the_chart_and_the_numbers() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // Sigmoid at the default probe z = 1: σ(1) = 1/(1 + e^{-1}) = 0.7311, σ'(1) = σ(1)(1 − σ(1)) = 0.1966.
        let (_, readout, state) = snapshot(&page).await?;
        assert_eq!(state["activation"], "sigmoid");
        assert!(
            readout.contains("g(z) = 0.7311") && readout.contains("g′(z) = 0.1966"),
            "{readout}"
        );
        // Sigmoid's slope falls below 0.05 at |z| ≈ 2.887: two shaded bands in ±6.
        assert_eq!(
            state["vanishing"].as_array().map(Vec::len),
            Some(2),
            "{state}"
        );

        moves(&page, "range", 3.0).await?;
        moves(&page, "probe", -0.5).await?;

        let mut seen = std::collections::HashSet::new();
        for name in ["tanh", "relu", "leaky_relu", "prelu", "swish", "sigmoid"] {
            let before = page.canvas_hash(CANVAS).await?;
            page.click(&format!("{FIG} label:has(> input[value={name}])"))
                .await?;
            let state = page.state(FIG).await?;
            assert_eq!(state["activation"], name);
            let after = page.canvas_hash(CANVAS).await?;
            assert_ne!(before, after, "choosing {name} left the chart unchanged");
            assert!(
                seen.insert(after),
                "{name} drew the same chart as another function"
            );
            // Only the chosen function's parameter slider and notes card are shown.
            let visible = page
                .js(&format!(
                    "return [...document.querySelectorAll('{FIG} [data-param]')].filter(e => !e.hidden).map(e => e.dataset.param);"
                ))
                .await?;
            let expected: Vec<&str> = ["leaky_relu", "prelu", "swish"]
                .into_iter()
                .filter(|p| *p == name)
                .collect();
            assert_eq!(
                visible,
                serde_json::json!(expected),
                "sliders shown for {name}"
            );
            let card = page.js("return [...document.querySelectorAll('.activation-notes [data-for]')].filter(e => !e.hidden).map(e => e.dataset.for);").await?;
            assert_eq!(card, serde_json::json!([name]));
            match name {
                "leaky_relu" => moves(&page, "slope", 0.3).await?,
                "prelu" => {
                    moves(&page, "alpha", 0.8).await?;
                    // PReLU at z = −0.5 with α = 0.8: g = −0.4, g' = α = 0.8, ∂g/∂α = z = −0.5.
                    let s = page.state(FIG).await?;
                    assert!((num(&s, "value") + 0.4).abs() < 1e-6, "{s}");
                    assert!((num(&s, "derivative") - 0.8).abs() < 1e-6, "{s}");
                    let r = page.text(&format!("{FIG} [data-role=readout]")).await?;
                    assert!(r.contains("∂g/∂α = −0.5000"), "{r}");
                }
                "swish" => moves(&page, "beta", 3.0).await?,
                "relu" => {
                    // ReLU at z = −0.5: value 0, slope 0, and the whole negative half is shaded.
                    let s = page.state(FIG).await?;
                    assert_eq!((num(&s, "value"), num(&s, "derivative")), (0.0, 0.0), "{s}");
                    assert!(
                        s["vanishing"][0][1]
                            .as_f64()
                            .is_some_and(|end| end.abs() < 1e-4),
                        "{s}"
                    );
                }
                _ => {}
            }
        }
        page.finish().await
    })
}

#[test]
fn the_probe_moves_with_the_keyboard() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let probe = format!("{FIG} input[data-role=probe]");
        let before = page.state(FIG).await?;
        // Two presses of the right arrow move the probe two steps of 0.05.
        page.keys(&probe, "\u{E014}\u{E014}").await?;
        let after = page.state(FIG).await?;
        assert!(
            (num(&after, "probe") - num(&before, "probe") - 0.1).abs() < 1e-4,
            "{before} → {after}"
        );
        page.finish().await
    })
}

#[test]
fn softmax_follows_its_logits_and_temperature() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let fig = "#fig-softmax";
        let canvas = "#fig-softmax canvas";
        let sum = |s: &Value| -> f64 {
            s["probabilities"]
                .as_array()
                .map_or(0.0, |p| p.iter().filter_map(Value::as_f64).sum())
        };
        let s = page.state(fig).await?;
        assert!((sum(&s) - 1.0).abs() < 1e-5, "{s}");
        // Defaults z = (2, 1, 0.1, −1) at τ = 1: softmax = (0.6381, 0.2347, 0.0954, 0.0318),
        // from e^{z_i} / Σ e^{z_j} worked by hand.
        let p0 = s["probabilities"][0].as_f64().unwrap_or(0.0);
        assert!((p0 - 0.6381).abs() < 1e-3, "{s}");
        for i in 0..4 {
            let before = page.canvas_hash(canvas).await?;
            page.set_slider(&format!("{fig} input[data-role=z{i}]"), 4.0 - f64::from(i))
                .await?;
            assert_ne!(
                before,
                page.canvas_hash(canvas).await?,
                "logit {i} did not redraw"
            );
        }
        // z = (4, 3, 2, 1): a cold temperature (τ = 0.1) puts almost everything on z₁.
        let before = page.canvas_hash(canvas).await?;
        page.set_slider(&format!("{fig} input[data-role=temperature]"), -1.0)
            .await?;
        let s = page.state(fig).await?;
        assert!(s["probabilities"][0].as_f64().unwrap_or(0.0) > 0.99, "{s}");
        assert_ne!(before, page.canvas_hash(canvas).await?);
        let readout = page.text(&format!("{fig} [data-role=readout]")).await?;
        assert!(readout.starts_with("τ = 0.1:"), "{readout}");
        // A hot temperature (τ = 10) flattens it towards uniform.
        page.set_slider(&format!("{fig} input[data-role=temperature]"), 1.0)
            .await?;
        let s = page.state(fig).await?;
        let ps: Vec<f64> = s["probabilities"]
            .as_array()
            .map(|p| p.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        assert!(ps.iter().all(|p| (p - 0.25).abs() < 0.05), "{s}");
        assert!((sum(&s) - 1.0).abs() < 1e-5);
        page.finish().await
    })
}
