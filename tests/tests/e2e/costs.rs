//! The cost-function section, driven like a reader: the margin probe and the slopes switch move
//! the chart and the numbers, the numbers on screen are the figure's, and the probability probe
//! moves the cross-entropy and impurity charts.

use spiega_e2e::{Page, num, run};

const MARGIN: &str = "#fig-cost-margin";
const PROB: &str = "#fig-cost-probability";

/// Formats as the page does: fixed decimals with a true minus sign.
fn shown(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_owned()
    } else {
        s.replacen('-', "−", 1)
    }
}

#[test]
fn the_margin_chart_follows_its_probe_and_shows_the_slopes() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let canvas = format!("{MARGIN} canvas");
        let state = page.state(MARGIN).await?;
        // At the default margin ½ (values worked by hand): hinge 1 − ½ = 0.5, squared (1 − ½)² =
        // 0.25, exponential e^{−½} = 0.6065, logistic ln(1 + e^{−½}) = 0.4741, 0-1 loss 0.
        let losses = &state["losses"];
        assert!((num(losses, "hinge") - 0.5).abs() < 1e-6, "{state}");
        assert!((num(losses, "squared") - 0.25).abs() < 1e-6, "{state}");
        assert!(
            (num(losses, "exponential") - 0.60653).abs() < 1e-4,
            "{state}"
        );
        assert!((num(losses, "logistic") - 0.47408).abs() < 1e-4, "{state}");
        assert_eq!(num(losses, "zero_one"), 0.0);
        let readout = page.text(&format!("{MARGIN} [data-role=readout]")).await?;
        for name in ["hinge", "squared", "exponential", "logistic"] {
            let want = format!("{name} {}", shown(num(losses, name), 3));
            assert!(readout.contains(&want), "{want} not in {readout}");
        }

        // A mistake: at m = −1 the 0-1 loss is 1 and the hinge loss 2.
        let before = page.canvas_hash(&canvas).await?;
        page.set_slider(&format!("{MARGIN} input[data-role=margin]"), -1.0)
            .await?;
        let state = page.state(MARGIN).await?;
        assert_eq!(num(&state["losses"], "zero_one"), 1.0, "{state}");
        assert!((num(&state["losses"], "hinge") - 2.0).abs() < 1e-6);
        assert_ne!(before, page.canvas_hash(&canvas).await?);
        let readout = page.text(&format!("{MARGIN} [data-role=readout]")).await?;
        assert!(
            readout.starts_with("at m = −1.00") && readout.contains("hinge 2.000"),
            "{readout}"
        );

        // The slopes: the readout gains them and the chart changes.
        let before = page.canvas_hash(&canvas).await?;
        page.click(&format!("{MARGIN} input[data-role=gradients]"))
            .await?;
        let state = page.state(MARGIN).await?;
        assert_eq!(state["gradients"], true);
        // Hinge slope −1 below m = 1; exponential slope −e^{1} at m = −1.
        assert!((num(&state["derivatives"], "hinge") + 1.0).abs() < 1e-6);
        assert!((num(&state["derivatives"], "exponential") + std::f64::consts::E).abs() < 1e-4);
        let readout = page.text(&format!("{MARGIN} [data-role=readout]")).await?;
        assert!(readout.contains("hinge 2.000 (slope −1.000)"), "{readout}");
        assert_ne!(before, page.canvas_hash(&canvas).await?);
        page.finish().await
    })
}

#[test]
fn cross_entropy_and_impurities_follow_the_probability() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let ce = format!("{PROB} canvas[data-role=cross-entropy]");
        let imp = format!("{PROB} canvas[data-role=impurity]");
        let state = page.state(PROB).await?;
        // p = 0.7: −ln 0.7 = 0.3567, −ln 0.3 = 1.2040, Gini 2·0.7·0.3 = 0.42, entropy 0.8813 bits.
        assert!(
            (num(&state, "crossEntropyPositive") - 0.35667).abs() < 1e-4,
            "{state}"
        );
        assert!((num(&state, "crossEntropyNegative") - 1.20397).abs() < 1e-4);
        assert!((num(&state, "gini") - 0.42).abs() < 1e-9);
        assert!((num(&state, "entropyBits") - 0.88129).abs() < 1e-4);
        let (a, b) = (page.canvas_hash(&ce).await?, page.canvas_hash(&imp).await?);
        page.set_slider(&format!("{PROB} input[data-role=probability]"), 0.5)
            .await?;
        let state = page.state(PROB).await?;
        // An even mix is the most impure node: Gini ½, entropy one bit.
        assert!((num(&state, "gini") - 0.5).abs() < 1e-9, "{state}");
        assert!((num(&state, "entropyBits") - 1.0).abs() < 1e-9);
        assert_ne!(a, page.canvas_hash(&ce).await?);
        assert_ne!(b, page.canvas_hash(&imp).await?);
        let readout = page.text(&format!("{PROB} [data-role=readout]")).await?;
        let want = format!(
            "cross-entropy {} if the class is 1",
            shown(num(&state, "crossEntropyPositive"), 3)
        );
        assert!(readout.contains(&want), "{want} not in {readout}");
        assert!(
            readout.contains("Gini 0.500, entropy 1.000 bits"),
            "{readout}"
        );
        page.finish().await
    })
}

#[test]
fn screenshots_of_the_section() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        for (name, (w, h), mobile) in [("desktop", (1280, 900), false), ("phone", (390, 844), true)]
        {
            let (mut backgrounds, mut charts) = (Vec::new(), Vec::new());
            for theme in ["light", "dark"] {
                page.set_viewport(w, h, mobile).await?;
                backgrounds.push(page.show_theme(theme).await?);
                charts.push(page.canvas_hash(&format!("{MARGIN} canvas")).await?);
                // Nothing scrolls sideways on a phone.
                page.assert_fits(w).await?;
                if mobile {
                    for fig in [MARGIN, PROB] {
                        let id = fig.trim_start_matches('#');
                        page.element_screenshot(fig, &format!("{id}-{name}-{theme}"))
                            .await?;
                    }
                } else {
                    page.element_screenshot("#costs", &format!("costs-{name}-{theme}"))
                        .await?;
                }
            }
            assert_ne!(
                backgrounds[0], backgrounds[1],
                "{name}: both themes look alike"
            );
            assert_ne!(charts[0], charts[1], "{name}: the chart kept its colours");
        }
        page.js("localStorage.removeItem('spiega-theme'); return 0;")
            .await?;
        page.finish().await
    })
}
