//! The normalization figure, driven like a reader: the three views show the features' ranges
//! as fitted on the training split, and training both networks shows the scaled one learning
//! while the raw one does not.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

const FIG: &str = "#fig-normalization";

fn range(v: &Value) -> (f64, f64) {
    (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
}

async fn choose(page: &Page, value: &str) -> Result<()> {
    page.js(&format!(
        "const s = document.querySelector('{FIG} [data-role=view]'); s.value = {}; s.dispatchEvent(new Event('input', {{ bubbles: true }})); return 0;",
        json!(value)
    ))
    .await?;
    Ok(())
}

#[test]
fn scaling_fits_on_training_data_and_the_scaled_run_learns() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let points = format!("{FIG} canvas[data-role=points]");
        let s = page.state(FIG).await?;
        assert_eq!(s["view"], "raw");
        // x₂ = 100·x₂ + 500 spans hundreds; x₁ stays within the circle's ±6.
        let (lo1, hi1) = range(&s["train"][0]);
        let (lo2, hi2) = range(&s["train"][1]);
        assert!(hi1 - lo1 < 13.0 && hi2 - lo2 > 500.0, "{s}");
        let raw_hash = page.canvas_hash(&points).await?;

        for (view, (a, b)) in [("unit", (0.0, 1.0)), ("symmetric", (-1.0, 1.0))] {
            choose(&page, view).await?;
            let s = page.state(FIG).await?;
            assert_eq!(s["view"], view);
            for f in 0..2 {
                let (lo, hi) = range(&s["train"][f]);
                assert!((lo - a).abs() < 1e-5 && (hi - b).abs() < 1e-5, "{s}");
            }
            assert_ne!(raw_hash, page.canvas_hash(&points).await?);
            // The table shows the state's ranges.
            let shown = page
                .text(&format!("{FIG} output[data-role=validation-1]"))
                .await?;
            let (lo, hi) = range(&s["validation"][1]);
            assert_eq!(
                shown,
                format!("{lo:.2} to {hi:.2}").replace('-', "−"),
                "{s}"
            );
        }

        // Train both runs to the end (2000 updates, 10 per frame each).
        let losses = format!("{FIG} canvas[data-role=losses]");
        let before = page.canvas_hash(&losses).await?;
        page.click(&format!("{FIG} button[data-role=play]")).await?;
        page.wait_until(
            &format!("JSON.parse(document.querySelector('{FIG}').dataset.runs).step >= 2000"),
            40,
        )
        .await?;
        let r: Value = serde_json::from_str(
            page.js(&format!(
                "return document.querySelector('{FIG}').dataset.runs;"
            ))
            .await?
            .as_str()
            .unwrap(),
        )
        .map_err(spiega_e2e::err)?;
        let (raw, scaled) = (
            r["rawAccuracy"].as_f64().unwrap(),
            r["scaledAccuracy"].as_f64().unwrap(),
        );
        assert!(scaled > 0.9 && scaled > raw + 0.2, "{r}");
        assert_ne!(before, page.canvas_hash(&losses).await?);
        let readout = page.text(&format!("{FIG} [data-role=readout]")).await?;
        assert!(
            readout.contains(&format!("accuracy {:.0}%", scaled * 100.0)),
            "{readout} vs {r}"
        );
        assert_eq!(
            page.text(&format!("{FIG} button[data-role=play]")).await?,
            "Train both"
        );
        page.element_screenshot(FIG, "fig-normalization-desktop")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.element_screenshot(FIG, "fig-normalization-phone")
            .await?;
        page.finish().await
    })
}
