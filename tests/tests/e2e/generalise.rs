//! The generalisation sections, driven like a reader: the dropout comparison trains its four runs
//! side by side, every curve moves, the gap without dropout ends larger than with dropout 0.5,
//! the rates can be edited, the diagram shows dropped units, and the keyboard works.

use serde_json::Value;
use spiega_e2e::{Page, Result, assert_every_run_moved, num, run, runs};

const DROPOUT: &str = "#fig-dropout";

#[test]
fn dropout_narrows_the_gap_and_every_curve_moves() {
    run(async {
        let page = Page::open("/#dropout", 1280, 900).await?;
        // Opened at its anchor, the figure shows its first frames; Reset returns to untrained
        // runs, from which the curves are measured.
        page.wait_warmed_up(DROPOUT).await?;
        assert!(num(&page.state(DROPOUT).await?, "step") > 0.0);
        page.click(&format!("{DROPOUT} button[data-role=reset]"))
            .await?;
        let start = page.state(DROPOUT).await?;
        assert_eq!(num(&start, "step"), 0.0, "{start}");
        assert_eq!(runs(&start).len(), 4);
        let names: Vec<String> = runs(&start)
            .iter()
            .map(|r| r["name"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(
            names,
            ["no dropout", "dropout 0.20", "dropout 0.30", "dropout 0.50"]
        );
        let curves = format!("{DROPOUT} canvas[data-role=curves]");
        let network = format!("{DROPOUT} canvas[data-role=network]");
        let before = (
            page.canvas_hash(&curves).await?,
            page.canvas_hash(&network).await?,
        );
        page.click(&format!("{DROPOUT} button[data-role=play]"))
            .await?;
        let t0 = std::time::Instant::now();
        let end = page.train_to(DROPOUT, 300).await?;
        println!(
            "dropout comparison: {} updates per run in {:.1} s",
            num(&end, "step"),
            t0.elapsed().as_secs_f64()
        );
        assert!(!end["playing"].as_bool().unwrap_or(true), "{end}");
        // Every run's curves moved: both losses changed from the untrained network's.
        assert_every_run_moved(&start, &end);
        for (a, b) in runs(&start).iter().zip(runs(&end).iter()) {
            assert!(num(b, "trainLoss") < num(a, "trainLoss"), "{a} → {b}");
        }
        // The effect: without dropout the gap is far larger than with dropout 0.5, and more
        // dropout fits the training points less closely.
        let r = runs(&end);
        assert!(
            num(&r[0], "gap") > 2.0 * num(&r[3], "gap"),
            "gaps: {} vs {}",
            num(&r[0], "gap"),
            num(&r[3], "gap")
        );
        assert!(num(&r[0], "trainLoss") < num(&r[3], "trainLoss"));
        // What the table shows is the state's numbers.
        let table = page
            .text(&format!("{DROPOUT} [data-role=scores] tr:first-child"))
            .await?;
        let shown_gap = format!("{:.3}", num(&r[0], "gap"));
        assert!(table.contains(&shown_gap), "{table} lacks {shown_gap}");
        let after = (
            page.canvas_hash(&curves).await?,
            page.canvas_hash(&network).await?,
        );
        assert_ne!(before.0, after.0, "the curves did not change");
        assert_ne!(before.1, after.1, "the diagram did not change");
        // The diagram shows dropped units of the 0.5 run, and the readout counts them.
        let dropped = end["dropped"].as_array().cloned().unwrap_or_default();
        assert_eq!(dropped.len(), 2, "{end}");
        let count = dropped[0]
            .as_array()
            .map_or(0, |d| d.iter().filter(|v| v.as_i64() == Some(1)).count());
        assert!(count > 0 && count < 32, "{count} dropped of 32");
        let readout = page.text(&format!("{DROPOUT} [data-role=dropped]")).await?;
        assert!(
            readout.contains(&format!("{count} of 32 in hidden layer 1")),
            "{readout}"
        );
        // Early stopping: past the run without dropout's best point (update 55), each run's
        // lowest validation loss is marked and named; Restore best shows its scores.
        let line = page.text(&format!("{DROPOUT} [data-role=best]")).await?;
        for run in &r {
            let best = &run["best"];
            let said = format!(
                "{}: {:.3} at update {}",
                run["name"].as_str().unwrap_or(""),
                num(best, "validationLoss"),
                num(best, "step")
            );
            assert!(line.contains(&said), "{line} lacks {said}");
            assert!(
                num(best, "validationLoss") < num(run, "validationLoss"),
                "{run}"
            );
        }
        assert_eq!(num(&r[0]["best"], "step"), 55.0, "{end}");
        page.click_role(DROPOUT, "restore").await?;
        page.wait_state(DROPOUT, "s.restored && s.runs[0].step === 55", 5)
            .await?;
        let restored = page.state(DROPOUT).await?;
        let table = page
            .text(&format!("{DROPOUT} [data-role=scores] tr:first-child"))
            .await?;
        let best_loss = format!("{:.3}", num(&r[0]["best"], "validationLoss"));
        assert!(table.contains(&best_loss), "{table} lacks {best_loss}");
        assert_eq!(
            num(&runs(&restored)[0], "validationLoss"),
            num(&r[0]["best"], "validationLoss")
        );
        assert_ne!(
            after.1,
            page.canvas_hash(&network).await?,
            "the diagram did not show the restored weights"
        );
        page.js("document.querySelector('#dropout').scrollIntoView();")
            .await?;
        page.element_screenshot("#dropout", "dropout-desktop")
            .await?;
        page.print_place("#dropout", "dropout-desktop").await?;
        page.click("#theme-toggle").await?;
        page.element_screenshot("#dropout", "dropout-desktop-dark")
            .await?;
        page.finish().await
    })
}

#[test]
fn dropout_pauses_at_its_limit_and_says_so() {
    run(async {
        let page = Page::open("/#dropout", 1280, 900).await?;
        let limit = num(&page.state(DROPOUT).await?, "limit");
        page.click(&format!("{DROPOUT} button[data-role=play]"))
            .await?;
        page.wait_state(DROPOUT, &format!("s.step >= {limit} && !s.playing"), 90)
            .await?;
        let message = page.text(&format!("{DROPOUT} [data-role=message]")).await?;
        assert_eq!(
            message,
            format!(
                "Paused at {limit} updates, the end of the run the text describes. Train again \
                 starts every run afresh."
            )
        );
        assert_eq!(
            page.text(&format!("{DROPOUT} button[data-role=play]"))
                .await?,
            "Train again"
        );
        page.finish().await
    })
}

#[test]
fn dropout_controls_and_keys_change_what_is_shown() {
    run(async {
        let page = Page::open("/#dropout", 390, 844).await?;
        page.set_viewport(390, 844, true).await?;
        // Editing a rate rebuilds the comparison with that rate, named in the legend and table.
        page.js(&format!(
            "const el = document.querySelector('{DROPOUT} input[data-role=rate-1]');
             el.value = '0.7';
             el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await?;
        let s = page.state(DROPOUT).await?;
        assert_eq!(runs(&s)[1]["name"], "dropout 0.70", "{s}");
        let key = page.text(&format!("{DROPOUT} [data-role=key-1]")).await?;
        assert_eq!(key, "dropout 0.70");
        // A rate out of range is clamped, not refused with an error.
        page.js(&format!(
            "const el = document.querySelector('{DROPOUT} input[data-role=rate-2]');
             el.value = '5';
             el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await?;
        let s = page.state(DROPOUT).await?;
        assert_eq!(runs(&s)[2]["name"], "dropout 0.90", "{s}");
        // The keyboard: the right arrow steps, Space plays and pauses, R resets.
        page.keys(DROPOUT, "\u{E014}").await?;
        let stepped = page.state(DROPOUT).await?;
        assert_eq!(num(&stepped, "step"), 5.0, "{stepped}");
        page.keys(DROPOUT, " ").await?;
        let played = page.train_to(DROPOUT, 50).await?;
        assert!(num(&played, "step") >= 50.0);
        // The diagram's menu switches the run it shows.
        let network = format!("{DROPOUT} canvas[data-role=network]");
        let before = page.canvas_hash(&network).await?;
        page.js(&format!(
            "const el = document.querySelector('{DROPOUT} select[data-role=shown]');
             el.value = '1';
             el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await?;
        let shown = page.state(DROPOUT).await?;
        assert_eq!(num(&shown, "shown"), 1.0, "{shown}");
        assert_ne!(before, page.canvas_hash(&network).await?);
        page.keys(DROPOUT, "r").await?;
        let reset = page.state(DROPOUT).await?;
        assert_eq!(num(&reset, "step"), 0.0, "{reset}");
        // Nothing scrolls sideways on a phone.
        page.assert_fits(390).await?;
        page.keys(DROPOUT, " ").await?;
        page.train_to(DROPOUT, 200).await?;
        page.js("document.querySelector('#fig-dropout').scrollIntoView();")
            .await?;
        page.element_screenshot("#fig-dropout", "dropout-phone")
            .await?;
        page.print_place("#fig-dropout", "dropout-phone").await?;
        page.click("#theme-toggle").await?;
        page.js("document.querySelector('#fig-dropout').scrollIntoView();")
            .await?;
        page.element_screenshot("#fig-dropout", "dropout-phone-dark")
            .await?;
        page.finish().await
    })
}

const SHRINK: &str = "#fig-shrinkage";

/// Chooses a penalty in the regularisation figure as a reader would.
async fn choose_penalty(page: &Page, value: &str) -> Result<Value> {
    page.js(&format!(
        "const el = document.querySelector('{SHRINK} select[data-role=penalty]');
         el.value = '{value}';
         el.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await?;
    page.state(SHRINK).await
}

#[test]
fn l1_zeros_coefficients_that_l2_only_shrinks() {
    run(async {
        let page = Page::open("/#regularisation", 1280, 900).await?;
        let paths = format!("{SHRINK} canvas[data-role=paths]");
        let bars = format!("{SHRINK} canvas[data-role=coefficients]");
        let slider = format!("{SHRINK} input[data-role=rate]");
        // A middle rate: the lasso has dropped irrelevant features, ridge has dropped none.
        page.set_slider(&slider, -1.0).await?;
        let l1 = choose_penalty(&page, "l1").await?;
        let l2 = choose_penalty(&page, "l2").await?;
        assert_eq!(num(&l1, "alpha"), num(&l2, "alpha"));
        assert!(num(&l1, "zeros") > num(&l2, "zeros"), "{l1} vs {l2}");
        assert_eq!(num(&l2, "zeros"), 0.0, "{l2}");
        assert!(num(&l1, "irrelevantZeros") >= 1.0, "{l1}");
        let net = choose_penalty(&page, "elastic").await?;
        assert!(num(&net, "zeros") <= num(&l1, "zeros"), "{net} vs {l1}");
        // The readout says what the state says.
        let readout = page.text(&format!("{SHRINK} [data-role=readout]")).await?;
        assert!(
            readout.contains(&format!("{} of 10 coefficients", num(&net, "zeros"))),
            "{readout}"
        );
        // Raising the rate with L1 zeroes more coefficients and redraws both charts.
        choose_penalty(&page, "l1").await?;
        let before = (
            page.canvas_hash(&paths).await?,
            page.canvas_hash(&bars).await?,
        );
        page.set_slider(&slider, -0.1).await?;
        let high = page.state(SHRINK).await?;
        assert!(num(&high, "alpha") > num(&l1, "alpha"));
        assert!(num(&high, "zeros") > num(&l1, "zeros"), "{high} vs {l1}");
        let after = (
            page.canvas_hash(&paths).await?,
            page.canvas_hash(&bars).await?,
        );
        assert_ne!(before.0, after.0);
        assert_ne!(before.1, after.1);
        page.set_slider(&slider, -1.0).await?;
        page.js("document.querySelector('#regularisation').scrollIntoView();")
            .await?;
        page.element_screenshot("#regularisation", "regularisation-desktop")
            .await?;
        page.print_place("#regularisation", "regularisation-desktop")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.js("document.querySelector('#fig-shrinkage').scrollIntoView();")
            .await?;
        page.element_screenshot("#fig-shrinkage", "regularisation-phone")
            .await?;
        page.print_place("#fig-shrinkage", "regularisation-phone")
            .await?;
        page.finish().await
    })
}

const PRUNE: &str = "#fig-pruning";

#[test]
fn pruning_keeps_accuracy_until_the_important_weights_go() {
    run(async {
        let page = Page::open("/#pruning", 1280, 900).await?;
        // On screen at once, the figure trains its network as its button would, and the
        // button, its work done, is disabled.
        page.wait_warmed_up(PRUNE).await?;
        let ms = page
            .js("return document.querySelector('#fig-pruning').dataset.warmUpMs;")
            .await?;
        println!("pruning: network trained and curve measured in {ms} ms");
        let disabled = page
            .js("return document.querySelector('#fig-pruning button[data-role=train]').disabled;")
            .await?;
        assert_eq!(disabled, Value::Bool(true));
        let full = page.state(PRUNE).await?;
        assert_eq!(num(&full, "removed"), 0.0);
        assert!(num(&full, "accuracy") > 0.9, "{full}");
        let slider = format!("{PRUNE} input[data-role=fraction]");
        let network = format!("{PRUNE} canvas[data-role=network]");
        let curve = format!("{PRUNE} canvas[data-role=accuracy]");
        let before = (
            page.canvas_hash(&network).await?,
            page.canvas_hash(&curve).await?,
        );
        page.set_slider(&slider, 50.0).await?;
        let half = page.state(PRUNE).await?;
        assert_eq!(num(&half, "removed"), 152.0, "{half}");
        assert!(
            num(&half, "accuracy") > num(&full, "accuracy") - 0.05,
            "{half}"
        );
        let after = (
            page.canvas_hash(&network).await?,
            page.canvas_hash(&curve).await?,
        );
        assert_ne!(before.0, after.0, "the network did not lose drawn weights");
        assert_ne!(before.1, after.1, "the marker did not move");
        page.set_slider(&slider, 100.0).await?;
        let all = page.state(PRUNE).await?;
        assert!(num(&all, "accuracy") < 0.75, "{all}");
        let readout = page.text(&format!("{PRUNE} [data-role=readout]")).await?;
        assert!(
            readout.starts_with("304 of 304 weights removed"),
            "{readout}"
        );
        page.set_slider(&slider, 60.0).await?;
        page.js("document.querySelector('#pruning').scrollIntoView();")
            .await?;
        page.element_screenshot("#pruning", "pruning-desktop")
            .await?;
        page.print_place("#pruning", "pruning-desktop").await?;
        page.finish().await
    })
}
