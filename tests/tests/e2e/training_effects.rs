//! The training-effects sections, driven like a reader: batch normalization (the deep network
//! learns with it and not without, the very small batch spoils it, the histogram strips and
//! statistics follow the chosen run) and the batch size (the small batch's curve is noisier and
//! costs more updates per epoch).

use serde_json::Value;
use spiega_e2e::{Page, Result, assert_every_run_moved, num, run, runs};

const BATCH_NORM: &str = "#fig-batch-norm";

/// Chooses `value` in the menu `role` of `fig`, as a reader does.
async fn choose(page: &Page, fig: &str, role: &str, value: &str) -> Result<()> {
    page.js(&format!(
        "const el = document.querySelector('{fig} select[data-role={role}]');
         el.value = '{value}';
         el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await?;
    Ok(())
}

/// Scrolls `selector` into view and takes a screenshot of it in the light and the dark theme.
async fn shots(page: &Page, selector: &str, name: &str) -> Result<()> {
    page.js(&format!(
        "document.querySelector('{selector}').scrollIntoView();"
    ))
    .await?;
    page.element_screenshot(selector, name).await?;
    page.click("#theme-toggle").await?;
    page.js(&format!(
        "document.querySelector('{selector}').scrollIntoView();"
    ))
    .await?;
    page.element_screenshot(selector, &format!("{name}-dark"))
        .await?;
    Ok(())
}

#[test]
fn batch_norm_trains_the_deep_network_and_every_curve_moves() {
    run(async {
        let page = Page::open("/#batch-norm", 1280, 900).await?;
        let start = page.reset_after_first_sight(BATCH_NORM).await?;
        assert_eq!(num(&start, "step"), 0.0, "{start}");
        let names: Vec<String> = runs(&start)
            .iter()
            .map(|r| r["name"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "no batch norm, batch 16",
                "batch norm, batch 16",
                "batch norm, batch 2"
            ]
        );
        let curves = format!("{BATCH_NORM} canvas[data-role=curves]");
        let strips = format!("{BATCH_NORM} canvas[data-role=histograms]");
        let before = (
            page.canvas_hash(&curves).await?,
            page.canvas_hash(&strips).await?,
        );
        page.click(&format!("{BATCH_NORM} button[data-role=play]"))
            .await?;
        let t0 = std::time::Instant::now();
        let end = page.train_to(BATCH_NORM, 300).await?;
        println!(
            "batch-norm comparison: {} updates per run in {:.1} s",
            num(&end, "step"),
            t0.elapsed().as_secs_f64()
        );
        // Every curve moved.
        assert_every_run_moved(&start, &end);
        // The effect: with batch normalization the deep network's loss falls far below the
        // plain network's, which stays near ln 2; the very small batch learns much less.
        let r = runs(&end);
        let loss: Vec<f64> = r.iter().map(|x| num(x, "trainLoss")).collect();
        assert!(loss[1] < loss[0] - 0.15, "losses {loss:?}");
        assert!(loss[1] < loss[2] - 0.1, "losses {loss:?}");
        assert!(
            num(&r[1], "validationLoss") < num(&r[0], "validationLoss") - 0.15,
            "{end}"
        );
        // What the table shows is the state's numbers.
        let table = page
            .text(&format!("{BATCH_NORM} [data-role=scores] tr:nth-child(2)"))
            .await?;
        let shown = format!("{:.3}", loss[1]);
        assert!(table.contains(&shown), "{table} lacks {shown}");
        // The strips grew with training, and the statistics of the six normalised layers are
        // shown as the state holds them.
        assert!(num(&end, "snapshots") > 10.0, "{end}");
        let stats = end["stats"].as_array().cloned().unwrap_or_default();
        assert_eq!(stats.len(), 6, "{end}");
        let first = page
            .text(&format!("{BATCH_NORM} [data-role=stats] tr:first-child"))
            .await?;
        let running_var = stats[0][3].as_f64().unwrap();
        assert!(
            first.contains(&format!("{running_var:.3}")),
            "{first} lacks {running_var:.3}"
        );
        assert_ne!(running_var, 1.0, "the running variance never moved");
        let after = (
            page.canvas_hash(&curves).await?,
            page.canvas_hash(&strips).await?,
        );
        assert_ne!(before.0, after.0, "the curves did not change");
        assert_ne!(before.1, after.1, "the strips did not change");
        shots(&page, "#batch-norm", "batch-norm-desktop").await?;
        page.finish().await
    })
}

#[test]
fn batch_norm_controls_and_keys_change_what_is_shown() {
    run(async {
        let page = Page::open("/#batch-norm", 390, 844).await?;
        page.set_viewport(390, 844, true).await?;
        page.js(&format!(
            "document.querySelector('{BATCH_NORM}').scrollIntoView();"
        ))
        .await?;
        page.reset_after_first_sight(BATCH_NORM).await?;
        // The keyboard: the right arrow steps, Space plays and pauses, R resets.
        page.keys(BATCH_NORM, "\u{E014}").await?;
        let stepped = page.state(BATCH_NORM).await?;
        assert_eq!(num(&stepped, "step"), 5.0, "{stepped}");
        page.keys(BATCH_NORM, " ").await?;
        page.train_to(BATCH_NORM, 60).await?;
        // The menu switches the run whose strips and statistics are shown: the plain network
        // has no statistics to show.
        let strips = format!("{BATCH_NORM} canvas[data-role=histograms]");
        let before = page.canvas_hash(&strips).await?;
        choose(&page, BATCH_NORM, "shown", "0").await?;
        let s = page.state(BATCH_NORM).await?;
        assert_eq!(num(&s, "shown"), 0.0, "{s}");
        assert_eq!(s["stats"].as_array().map(Vec::len), Some(0), "{s}");
        assert_ne!(before, page.canvas_hash(&strips).await?);
        let note = page
            .text(&format!("{BATCH_NORM} [data-role=stats-note]"))
            .await?;
        assert!(note.contains("no batch normalization"), "{note}");
        // The very small batch is a control: choosing 8 rebuilds the third run with it.
        choose(&page, BATCH_NORM, "small-batch", "8").await?;
        let s = page.state(BATCH_NORM).await?;
        assert_eq!(num(&s, "step"), 0.0, "{s}");
        assert_eq!(runs(&s)[2]["name"], "batch norm, batch 8", "{s}");
        let key = page
            .text(&format!("{BATCH_NORM} [data-role=key-2]"))
            .await?;
        assert_eq!(key, "batch norm, batch 8");
        // Nothing scrolls sideways on a phone.
        page.assert_fits(390).await?;
        choose(&page, BATCH_NORM, "shown", "1").await?;
        page.keys(BATCH_NORM, " ").await?;
        page.train_to(BATCH_NORM, 150).await?;
        shots(&page, "#fig-batch-norm", "batch-norm-phone").await?;
        page.finish().await
    })
}

const BATCH_SIZE: &str = "#fig-batch-size";

/// The `cost` entries of the batch-size figure's state.
fn cost(state: &Value) -> Vec<Value> {
    state["cost"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_small_batch_is_noisier_and_costs_more_updates_per_epoch() {
    run(async {
        let page = Page::open("/#batch-size", 1280, 900).await?;
        let start = page.reset_after_first_sight(BATCH_SIZE).await?;
        assert_eq!(num(&start, "step"), 0.0, "{start}");
        let names: Vec<String> = runs(&start)
            .iter()
            .map(|r| r["name"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(names, ["batch 2", "batch 100"]);
        let curves = format!("{BATCH_SIZE} canvas[data-role=curves]");
        let before = page.canvas_hash(&curves).await?;
        page.click(&format!("{BATCH_SIZE} button[data-role=play]"))
            .await?;
        let t0 = std::time::Instant::now();
        let end = page.train_to(BATCH_SIZE, 20).await?;
        println!(
            "batch-size comparison: {} epochs in {:.1} s",
            num(&end, "step"),
            t0.elapsed().as_secs_f64()
        );
        // Every curve moved.
        assert_every_run_moved(&start, &end);
        // The cost: 200 training points make 100 updates an epoch in batches of 2 and 2 in
        // batches of 100; the runs' update counts agree with it.
        let c = cost(&end);
        assert_eq!(num(&c[0], "updatesPerEpoch"), 100.0, "{end}");
        assert_eq!(num(&c[1], "updatesPerEpoch"), 2.0, "{end}");
        let r = runs(&end);
        assert_eq!(
            num(&r[0], "step"),
            num(&end, "step") * num(&c[0], "updatesPerEpoch"),
            "{end}"
        );
        assert!(num(&c[0], "epochMs") >= 0.0, "{end}");
        // The noise: the small batch's training curve rises far more often and further.
        assert!(
            num(&c[0], "rise") > 3.0 * num(&c[1], "rise"),
            "rises {} vs {}",
            num(&c[0], "rise"),
            num(&c[1], "rise")
        );
        // Per epoch at the same learning rate, the small batch gets further.
        assert!(num(&r[0], "trainLoss") < num(&r[1], "trainLoss"), "{end}");
        // What the table shows is the state's numbers.
        let row = page
            .text(&format!("{BATCH_SIZE} [data-role=cost] tr:first-child"))
            .await?;
        let rise = format!("{:.3}", num(&c[0], "rise"));
        assert!(
            row.contains("100") && row.contains(&rise),
            "{row} lacks {rise}"
        );
        assert_ne!(
            before,
            page.canvas_hash(&curves).await?,
            "the curves did not change"
        );
        shots(&page, "#batch-size", "batch-size-desktop").await?;
        page.finish().await
    })
}

#[test]
fn batch_size_controls_and_keys_change_what_is_shown() {
    run(async {
        let page = Page::open("/#batch-size", 390, 844).await?;
        page.set_viewport(390, 844, true).await?;
        page.js(&format!(
            "document.querySelector('{BATCH_SIZE}').scrollIntoView();"
        ))
        .await?;
        page.reset_after_first_sight(BATCH_SIZE).await?;
        // The right arrow trains one epoch.
        page.keys(BATCH_SIZE, "\u{E014}").await?;
        let stepped = page.state(BATCH_SIZE).await?;
        assert_eq!(num(&stepped, "step"), 1.0, "{stepped}");
        assert_eq!(num(&runs(&stepped)[0], "step"), 100.0, "{stepped}");
        // Choosing other batch sizes rebuilds both runs with them.
        choose(&page, BATCH_SIZE, "small", "8").await?;
        choose(&page, BATCH_SIZE, "large", "200").await?;
        let s = page.state(BATCH_SIZE).await?;
        assert_eq!(num(&s, "step"), 0.0, "{s}");
        assert_eq!(runs(&s)[0]["name"], "batch 8", "{s}");
        assert_eq!(runs(&s)[1]["name"], "batch 200", "{s}");
        assert_eq!(num(&cost(&s)[0], "updatesPerEpoch"), 25.0, "{s}");
        assert_eq!(num(&cost(&s)[1], "updatesPerEpoch"), 1.0, "{s}");
        let key = page
            .text(&format!("{BATCH_SIZE} [data-role=key-1]"))
            .await?;
        assert_eq!(key, "batch 200");
        // Space plays; R resets.
        page.keys(BATCH_SIZE, " ").await?;
        page.train_to(BATCH_SIZE, 5).await?;
        page.keys(BATCH_SIZE, "r").await?;
        assert_eq!(num(&page.state(BATCH_SIZE).await?, "step"), 0.0);
        page.assert_fits(390).await?;
        choose(&page, BATCH_SIZE, "small", "2").await?;
        choose(&page, BATCH_SIZE, "large", "100").await?;
        page.keys(BATCH_SIZE, " ").await?;
        page.train_to(BATCH_SIZE, 30).await?;
        shots(&page, "#fig-batch-size", "batch-size-phone").await?;
        page.finish().await
    })
}
