//! The bias-variance section, driven like a reader: the six networks of growing capacity train
//! on a button press, every curve and map moves, the training loss falls with capacity while the
//! validation loss turns up for the largest network, and the controls change what is shown.

use serde_json::Value;
use spiega_e2e::{Page, Result, num, run};

const FIG: &str = "#fig-bias-variance";

/// A list of numbers from a figure's state.
fn list(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

/// The canvas hashes of the curve and the three maps.
async fn hashes(page: &Page) -> Result<Vec<u64>> {
    let mut out = vec![
        page.canvas_hash(&format!("{FIG} canvas[data-role=curve]"))
            .await?,
    ];
    for i in 0..3 {
        out.push(
            page.canvas_hash(&format!("{FIG} canvas[data-role=boundary-{i}]"))
                .await?,
        );
    }
    Ok(out)
}

#[test]
fn capacity_sweep_underfits_then_overfits() {
    run(async {
        let page = Page::open("/#bias-variance", 1280, 900).await?;
        page.js("document.querySelector('#fig-bias-variance').scrollIntoView();")
            .await?;
        // On screen, the sweep shows its first frames, paused; the button goes on from there.
        page.wait_warmed_up(FIG).await?;
        let start = page.state(FIG).await?;
        assert!(num(&start, "step") > 0.0, "{start}");
        assert!(num(&start, "step") < num(&start, "limit"), "{start}");
        assert_eq!(start["playing"], false, "{start}");
        assert_eq!(list(&start, "widths"), [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]);
        let before = hashes(&page).await?;
        let t0 = std::time::Instant::now();
        page.click(&format!("{FIG} button[data-role=train]"))
            .await?;
        page.wait_until(
            "(() => { const s = JSON.parse(document.querySelector('#fig-bias-variance').dataset.state); \
             return s.step >= s.limit && !s.playing; })()",
            60,
        )
        .await?;
        let end = page.state(FIG).await?;
        println!(
            "bias-variance: {} updates per network in {:.1} s",
            num(&end, "step"),
            t0.elapsed().as_secs_f64()
        );
        // Every curve moved at every capacity.
        for key in ["trainLoss", "validationLoss"] {
            for (a, b) in list(&start, key).iter().zip(list(&end, key)) {
                assert_ne!(*a, b, "{key}: {start} → {end}");
            }
        }
        // The effect: training loss falls with capacity; validation loss is lowest in between
        // and rises again at the largest capacity.
        let train = list(&end, "trainLoss");
        let val = list(&end, "validationLoss");
        assert!(train[5] < 0.5 * train[0], "{train:?}");
        assert!(train.windows(2).skip(1).all(|w| w[1] < w[0]), "{train:?}");
        let best = val.iter().copied().fold(f64::MAX, f64::min);
        assert!(val[5] > 1.5 * best && val[0] > best, "{val:?}");
        let chosen = num(&end, "chosen") as usize;
        assert_eq!(val[chosen], best);
        assert!((1..5).contains(&chosen), "{end}");
        let widths = list(&end, "widths");
        assert_eq!(list(&end, "panels"), [1.0, widths[chosen], 32.0], "{end}");
        // What the reader sees is the state's numbers.
        let readout = page.text(&format!("{FIG} [data-role=readout]")).await?;
        let width = widths[chosen];
        assert!(
            readout.contains(&format!("{best:.2}"))
                && readout.contains(&format!("at {width} units")),
            "{readout}"
        );
        let title = page
            .text(&format!("{FIG} [data-role=panel-title-1]"))
            .await?;
        assert_eq!(title, format!("Chosen: {width} units per layer"));
        let after = hashes(&page).await?;
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            assert_ne!(a, b, "canvas {i} did not change");
        }
        // The menu switches the curves to the misclassified share.
        page.js(&format!(
            "const el = document.querySelector('{FIG} select[data-role=measure]');
             el.value = 'error';
             el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await?;
        let error = page.state(FIG).await?;
        assert_eq!(error["measure"], "error", "{error}");
        let errors = list(&error, "trainError");
        assert!(errors[5] < errors[0], "{errors:?}");
        let switched = hashes(&page).await?;
        assert_ne!(after[0], switched[0], "the curve did not change");
        assert_eq!(after[1..], switched[1..], "the maps should not change");
        page.element_screenshot("#bias-variance", "bias-variance-desktop")
            .await?;
        page.print_place("#bias-variance", "bias-variance-desktop")
            .await?;
        page.click("#theme-toggle").await?;
        page.element_screenshot("#bias-variance", "bias-variance-desktop-dark")
            .await?;
        page.finish().await
    })
}

#[test]
fn capacity_sweep_pauses_resets_and_fits_a_phone() {
    run(async {
        let page = Page::open("/#bias-variance", 390, 844).await?;
        page.set_viewport(390, 844, true).await?;
        page.js("document.querySelector('#fig-bias-variance').scrollIntoView();")
            .await?;
        let button = format!("{FIG} button[data-role=train]");
        page.click(&button).await?;
        // The sweep reaches its last update in about a second: the page pauses it at once.
        let paused = page.pause_when(FIG, "train", "s.step >= 100", 30).await?;
        assert!(!paused["playing"].as_bool().unwrap_or(true), "{paused}");
        assert_eq!(page.text(&button).await?, "Resume");
        // Paused means paused: no more updates.
        page.js("return new Promise(r => setTimeout(r, 300));")
            .await?;
        assert_eq!(num(&page.state(FIG).await?, "step"), num(&paused, "step"));
        let count = page.text(&format!("{FIG} [data-role=step-count]")).await?;
        assert_eq!(count, format!("{}", num(&paused, "step")));
        page.click(&format!("{FIG} button[data-role=reset]"))
            .await?;
        let reset = page.state(FIG).await?;
        assert_eq!(num(&reset, "step"), 0.0, "{reset}");
        assert_eq!(page.text(&button).await?, "Train the six networks");
        page.assert_fits(390).await?;
        page.click(&button).await?;
        page.wait_until(
            "JSON.parse(document.querySelector('#fig-bias-variance').dataset.state).step >= 800",
            60,
        )
        .await?;
        page.js("document.querySelector('#fig-bias-variance').scrollIntoView();")
            .await?;
        page.element_screenshot("#fig-bias-variance", "bias-variance-phone")
            .await?;
        page.print_place("#fig-bias-variance", "bias-variance-phone")
            .await?;
        page.click("#theme-toggle").await?;
        page.js("document.querySelector('#fig-bias-variance').scrollIntoView();")
            .await?;
        page.element_screenshot("#fig-bias-variance", "bias-variance-phone-dark")
            .await?;
        page.finish().await
    })
}

const WP: &str = "#fig-weight-penalties";

/// The canvas hashes of the four histograms and the decay chart.
async fn penalty_hashes(page: &Page) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for i in 0..4 {
        out.push(
            page.canvas_hash(&format!("{WP} canvas[data-role=histogram-{i}]"))
                .await?,
        );
    }
    out.push(
        page.canvas_hash(&format!("{WP} canvas[data-role=decay]"))
            .await?,
    );
    Ok(out)
}

/// Waits until the weight-penalty runs have finished training (they stop by themselves at the
/// limit; a pause click could race with that stop and start them again).
async fn train_penalties_to_the_end(page: &Page) -> Result<Value> {
    page.wait_until(
        &format!(
            "(() => {{ const s = JSON.parse(document.querySelector('{WP}').dataset.state); \
             return s.step >= s.limit && !s.playing; }})()"
        ),
        60,
    )
    .await?;
    page.state(WP).await
}

#[test]
fn l1_leaves_more_near_zero_weights_and_the_decays_differ() {
    run(async {
        let page = Page::open("/#weight-penalties", 1280, 900).await?;
        page.js("document.querySelector('#fig-weight-penalties').scrollIntoView();")
            .await?;
        // On screen, the runs show their first frames, paused; the button goes on from there.
        page.wait_warmed_up(WP).await?;
        let start = page.state(WP).await?;
        assert!(num(&start, "step") > 0.0, "{start}");
        assert!(num(&start, "step") < num(&start, "limit"), "{start}");
        assert_eq!(start["playing"], false, "{start}");
        assert_eq!(num(&start, "rate"), 0.01, "{start}");
        let before = penalty_hashes(&page).await?;
        let t0 = std::time::Instant::now();
        page.click(&format!("{WP} button[data-role=train]")).await?;
        let end = train_penalties_to_the_end(&page).await?;
        println!(
            "weight penalties: {} updates per run in {:.1} s",
            num(&end, "step"),
            t0.elapsed().as_secs_f64()
        );
        assert!(!end["playing"].as_bool().unwrap_or(true), "{end}");
        // Every histogram and both decay bars moved.
        let after = penalty_hashes(&page).await?;
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            assert_ne!(a, b, "chart {i} did not change");
        }
        for key in ["norms", "validationLoss"] {
            for (a, b) in list(&start, key).iter().zip(list(&end, key)) {
                assert_ne!(*a, b, "{key}: {start} → {end}");
            }
        }
        // L1 leaves far more weights near zero than L2 at the same rate.
        let zeros = list(&end, "nearZero");
        assert!(
            zeros[1] >= 10.0 && zeros[1] > 5.0 * zeros[2].max(1.0),
            "{zeros:?}"
        );
        // AdamW and Adam with L2 end with different weights: different norms and losses.
        let norms = list(&end, "norms");
        assert!(norms[0] > 1.2 * norms[1], "{norms:?}");
        let losses = list(&end, "validationLoss");
        assert_ne!(losses[0], losses[1]);
        // What the reader sees is the state's numbers.
        let readout = page.text(&format!("{WP} [data-role=readout]")).await?;
        assert!(
            readout.contains(&format!("L1 {}, L2 {}", zeros[1], zeros[2]))
                && readout.contains(&format!("weight norm {:.2}", norms[0])),
            "{readout}"
        );
        // A higher rate rebuilds the runs at that rate, untrained.
        page.set_slider(&format!("{WP} input[data-role=rate]"), -1.5)
            .await?;
        let higher = page.state(WP).await?;
        assert_eq!(num(&higher, "step"), 0.0, "{higher}");
        assert!(num(&higher, "rate") > 0.03, "{higher}");
        let shown = page.text(&format!("{WP} [data-role=rate-value]")).await?;
        assert_eq!(shown, format!("{}", num(&higher, "rate")));
        page.set_slider(&format!("{WP} input[data-role=rate]"), -2.0)
            .await?;
        page.click(&format!("{WP} button[data-role=train]")).await?;
        let paused = train_penalties_to_the_end(&page).await?;
        assert!(!paused["playing"].as_bool().unwrap_or(true), "{paused}");
        page.js("return new Promise(r => setTimeout(r, 300));")
            .await?;
        let still = page.state(WP).await?;
        assert_eq!(num(&still, "step"), num(&paused, "step"), "{still}");
        page.element_screenshot("#weight-penalties", "weight-penalties-desktop")
            .await?;
        page.click("#theme-toggle").await?;
        page.element_screenshot("#fig-weight-penalties", "weight-penalties-desktop-dark")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.js("document.querySelector('#fig-weight-penalties').scrollIntoView();")
            .await?;
        page.assert_fits(390).await?;
        page.element_screenshot("#fig-weight-penalties", "weight-penalties-phone-dark")
            .await?;
        page.click("#theme-toggle").await?;
        page.element_screenshot("#fig-weight-penalties", "weight-penalties-phone")
            .await?;
        page.finish().await
    })
}
