//! The weight-initialisation section, driven like a reader: the figure draws, each scheme and
//! activation shows the spread the prose describes, New batch draws another batch, a link
//! reopens the figure as it was set, and it fits a phone in both themes.

use serde_json::Value;
use spiega_e2e::{Page, Result, num, run};

const FIG: &str = "#fig-initialisation";
const CANVAS: &str = "#fig-initialisation canvas";

/// One of the state's per-layer lists.
fn layers(state: &Value, key: &str) -> Vec<f64> {
    let list: Vec<f64> = state[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    assert_eq!(list.len(), 10, "{key}: {state}");
    list
}

/// The largest over the smallest of `v`.
fn range_ratio(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::MIN, f64::max);
    let min = v.iter().copied().fold(f64::MAX, f64::min);
    max / min
}

/// Clicks the radio button `value` of the group `name` by its label, and returns the state.
async fn choose(page: &Page, name: &str, value: &str) -> Result<Value> {
    let before = page.canvas_hash(CANVAS).await?;
    page.click(&format!(
        "{FIG} label:has(> input[name={name}][value={value}])"
    ))
    .await?;
    let after = page.canvas_hash(CANVAS).await?;
    assert_ne!(before, after, "choosing {value} left the chart unchanged");
    page.state(FIG).await
}

#[test]
fn each_scheme_shows_the_spread_the_prose_states() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        assert_eq!(page.assert_drawn(FIG).await?, 1, "the chart is on show");
        // He with ReLU, the defaults: both spreads within a factor of 2 through the ten layers.
        let state = page.state(FIG).await?;
        assert_eq!(
            (&state["scheme"], &state["activation"]),
            (&"he".into(), &"relu".into())
        );
        assert!(range_ratio(&layers(&state, "activations")) < 2.0, "{state}");
        assert!(range_ratio(&layers(&state, "gradients")) < 2.0, "{state}");
        // Glorot with ReLU: more than tenfold down.
        let state = choose(&page, "init-scheme", "glorot").await?;
        let a = layers(&state, "activations");
        assert!(a[0] > 10.0 * a[9], "{state}");
        // Too small: layer 1's error signal under a billionth of layer 10's.
        let state = choose(&page, "init-scheme", "small").await?;
        let g = layers(&state, "gradients");
        assert!(g[0] < 1e-9 * g[9], "{state}");
        // Zero, with tanh: everything 0 and every unit alike.
        choose(&page, "init-activation", "tanh").await?;
        let state = choose(&page, "init-scheme", "zero").await?;
        assert!(
            layers(&state, "activations").iter().all(|&v| v == 0.0),
            "{state}"
        );
        assert_eq!(state["identical_units"], true, "{state}");
        assert_eq!(page.assert_drawn(FIG).await?, 1, "the chart is on show");
        // New batch: the next seed, other numbers, another picture.
        choose(&page, "init-scheme", "glorot").await?;
        let before = page.state(FIG).await?;
        page.click_role(FIG, "reseed").await?;
        let after = page.state(FIG).await?;
        assert_eq!(num(&after, "seed"), num(&before, "seed") + 1.0, "{after}");
        assert_ne!(before["activations"], after["activations"], "{after}");
        // A link with the settings reopens the figure as it was set.
        page.open_fresh("/#initialisation.init-scheme=small&initialisation.init-activation=tanh&initialisation.seed=7")
            .await?;
        page.wait_state(
            FIG,
            "s.scheme === 'small' && s.activation === 'tanh' && s.seed === 7",
            10,
        )
        .await?;
        page.finish().await
    })
}

#[test]
fn the_figure_fits_a_phone_and_reads_in_both_themes() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        for (name, (w, h), mobile) in [("desktop", (1280, 900), false), ("phone", (390, 844), true)]
        {
            let mut backgrounds = Vec::new();
            // Each picture shows another setting: the axis over many decades, the plain one of
            // zero weights, and the two fits.
            let links = match name {
                "desktop" => [
                    "init-scheme=small&initialisation.init-activation=tanh",
                    "init-scheme=zero",
                ],
                _ => ["init-scheme=glorot", "init-activation=tanh"],
            };
            for (theme, link) in ["light", "dark"].into_iter().zip(links) {
                page.set_viewport(w, h, mobile).await?;
                backgrounds.push(
                    page.open_in_theme(theme, &format!("/#initialisation.{link}"))
                        .await?,
                );
                page.assert_fits(w).await?;
                assert_eq!(page.assert_drawn(FIG).await?, 1, "the chart is on show");
                page.element_screenshot(
                    "#initialisation",
                    &format!("initialisation-{name}-{theme}"),
                )
                .await?;
            }
            assert_ne!(
                backgrounds[0], backgrounds[1],
                "{name}: both themes look alike"
            );
        }
        page.finish().await
    })
}
