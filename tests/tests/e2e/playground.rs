//! The playground, driven like a reader: it learns the circle, every control changes what is
//! shown, a copied link replays the same run, a broken link says what it ignored, a runaway
//! learning rate pauses with an explanation, and the keyboard works.

use serde_json::Value;
use spiega_e2e::{Page, Result, num, run};

const FIG: &str = "#fig-playground";

/// A fingerprint of everything the figure shows: its three canvases and its numbers.
async fn look(page: &Page) -> Result<(u64, u64, u64, String, String)> {
    Ok((
        page.canvas_hash(&format!("{FIG} canvas[data-role=heatmap]"))
            .await?,
        page.canvas_hash(&format!("{FIG} canvas[data-role=network]"))
            .await?,
        page.canvas_hash(&format!("{FIG} canvas[data-role=loss-chart]"))
            .await?,
        page.js("return document.querySelector('#fig-playground').dataset.state || '';")
            .await?
            .to_string(),
        page.js("return location.hash;").await?.to_string(),
    ))
}

/// The `networkShape` in the address.
async fn network_shape(page: &Page) -> Result<Value> {
    page.js("return new URLSearchParams(location.hash.slice(1)).get('networkShape');")
        .await
}

#[test]
fn training_on_the_circle_reaches_95_percent_on_validation() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let start = page.state(FIG).await?;
        assert_eq!(num(&start, "step"), 0.0);
        page.set_control(FIG, "speed", "25").await?;
        page.click_role(FIG, "play").await?;
        // A bounded budget: 4000 updates (about 170 epochs of 240 points in batches of 10).
        page.wait_until(
            "(() => { const s = JSON.parse(document.querySelector('#fig-playground').dataset.state);
                      return s.validationAccuracy > 0.95 || s.step > 4000; })()",
            90,
        )
        .await?;
        // While it plays, the samples per second are measured from the frames' time stamps
        // (over about a second) and shown.
        page.wait_until(
            "Number(document.querySelector('#fig-playground [data-role=rate]').textContent) > 0",
            10,
        )
        .await?;
        page.click_role(FIG, "play").await?;
        let end = page.state(FIG).await?;
        assert!(num(&end, "validationAccuracy") > 0.95, "{end}");
        assert!(num(&end, "step") <= 4100.0, "{end}");
        assert!(
            num(&end, "validationLoss") < num(&start, "validationLoss") / 2.0,
            "{start} → {end}"
        );
        let rate = page.text(&format!("{FIG} [data-role=rate]")).await?;
        println!(
            "circle learned in {} updates; samples/s shown: {rate}",
            num(&end, "step")
        );
        page.finish().await
    })
}

#[test]
fn every_control_changes_what_is_shown() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // One press of Epoch is one complete pass: the counter says 1, not 0.
        page.click_role(FIG, "epoch").await?;
        let after_epoch = page.state(FIG).await?;
        assert_eq!(after_epoch["epoch"], serde_json::json!(1), "{after_epoch}");
        assert!(num(&after_epoch, "step") > 1.0, "{after_epoch}");
        assert_eq!(
            page.text(&format!("{FIG} [data-role=epoch-count]")).await?,
            "1"
        );
        // Each setting is compared with a twin: the same untrained network before and after
        // the change, so training alone can never pass for the setting's effect.
        let changes: &[(&str, &str)] = &[
            ("dataset", "xor"),
            ("dataset", "spiral"),
            ("dataset", "moons"),
            ("dataset", "gauss"),
            ("dataset", "blobs"),
            ("classes", "4"),
            ("dataset", "circle"),
            ("noise", "30"),
            ("points", "300"),
            ("percTrainData", "50"),
            ("percValData", "30"),
            ("seed", "7"),
            ("xSquared", "true"),
            ("ySquared", "true"),
            ("xTimesY", "true"),
            ("sinX", "true"),
            ("sinY", "true"),
            ("normalize", "true"),
            ("activation", "relu"),
            ("activation", "prelu"),
            ("showTestData", "true"),
            ("problem", "regression"),
            ("regDataset", "reg-gauss"),
            ("problem", "classification"),
        ];
        for (role, value) in changes {
            page.click_role(FIG, "reset").await?;
            let before = look(&page).await?;
            page.set_control(FIG, role, value).await?;
            let after = look(&page).await?;
            assert_eq!(num(&page.state(FIG).await?, "step"), 0.0, "{role}");
            assert!(
                before.0 != after.0 || before.1 != after.1,
                "setting {role} to {value} changed neither the map nor the network"
            );
            assert!(
                after.4.contains(&format!("{role}={value}")),
                "setting {role} to {value} is not in the address: {}",
                after.4
            );
        }
        // Settings that act only through training (and the loss chart's scale): one epoch from
        // the same untrained network before and after the change must differ. A penalty needs a
        // rate above 0 to act, so one is chosen first (alone it changes nothing: no penalty yet).
        page.set_control(FIG, "regularizationRate", "0.003").await?;
        for (role, value) in [
            ("loss", "hinge"),
            ("batchNorm", "true"),
            ("dropout", "0.2"),
            ("optimizer", "adam"),
            ("learningRate", "-2"),
            ("batchSize", "30"),
            ("regularization", "L2"),
            ("regularizationRate", "0.01"),
            ("logScale", "true"),
        ] {
            page.click_role(FIG, "reset").await?;
            page.click_role(FIG, "epoch").await?;
            let before = look(&page).await?;
            page.set_control(FIG, role, value).await?;
            page.click_role(FIG, "reset").await?;
            page.click_role(FIG, "epoch").await?;
            let after = look(&page).await?;
            if role == "logScale" {
                assert_eq!(before.3, after.3, "the scale changed the numbers");
                assert_ne!(before.2, after.2, "the log scale left the loss chart alone");
            } else {
                assert_ne!(before.3, after.3, "{role}={value} trained the same numbers");
            }
            assert_ne!(
                before.4, after.4,
                "{role}={value} left the address unchanged"
            );
        }
        // The hidden-layer editor: add a layer, widen it, remove it.
        let before = network_shape(&page).await?;
        page.click(&format!("{FIG} [data-role=add-layer]")).await?;
        let added = network_shape(&page).await?;
        assert_ne!(before, added);
        page.set_slider(&format!("{FIG} input[data-layer=\"0\"]"), 6.0)
            .await?;
        page.js(&format!("document.querySelector('{FIG} input[data-layer=\"0\"]').dispatchEvent(new Event('change', {{bubbles: true}})); return 0;")).await?;
        assert!(
            network_shape(&page)
                .await?
                .as_str()
                .is_some_and(|s| s.starts_with('6'))
        );
        page.click(&format!("{FIG} [data-role=remove-layer]"))
            .await?;
        assert_ne!(network_shape(&page).await?, added);
        // Step, reset.
        page.click_role(FIG, "step").await?;
        assert!(num(&page.state(FIG).await?, "step") > 0.0);
        page.click_role(FIG, "reset").await?;
        assert_eq!(num(&page.state(FIG).await?, "step"), 0.0);
        page.finish().await
    })
}

/// The playground learns from its buttons, and its copied link, opened afresh, replays the same
/// losses. One of the smoke tests that `cargo xtask test` runs in every engine.
#[test]
fn a_copied_link_replays_the_same_run_to_the_last_digit() {
    run(async {
        let page = Page::open(
            "/#dataset=spiral&noise=10&networkShape=6,4&seed=42&batchSize=5&learningRate=0.03",
            1280,
            900,
        )
        .await?;
        let untrained = page.state(FIG).await?;
        for _ in 0..3 {
            page.click_role(FIG, "epoch").await?;
        }
        for _ in 0..7 {
            page.click_role(FIG, "step").await?;
        }
        let first = page.state(FIG).await?;
        // The network learned: its losses fell from the untrained ones.
        assert!(num(&first, "step") > 0.0, "{first}");
        assert!(
            num(&first, "trainLoss") < num(&untrained, "trainLoss"),
            "{untrained} → {first}"
        );
        assert!(
            num(&first, "validationLoss") < num(&untrained, "validationLoss"),
            "{untrained} → {first}"
        );
        page.click_role(FIG, "copy-link").await?;
        let link = page.js("return location.hash;").await?;
        let link = link.as_str().unwrap_or("").to_owned();
        assert!(link.contains("seed=42"), "{link}");
        // Open the link in a fresh page load and make the same updates.
        page.open_fresh(&format!("/{link}")).await?;
        assert_eq!(num(&page.state(FIG).await?, "step"), 0.0);
        for _ in 0..3 {
            page.click_role(FIG, "epoch").await?;
        }
        for _ in 0..7 {
            page.click_role(FIG, "step").await?;
        }
        let second = page.state(FIG).await?;
        assert_eq!(first["step"], second["step"]);
        assert_eq!(
            first["trainLoss"], second["trainLoss"],
            "{first} vs {second}"
        );
        assert_eq!(first["validationLoss"], second["validationLoss"]);
        page.finish().await
    })
}

#[test]
fn a_corrupted_link_falls_back_with_a_notice() {
    run(async {
        let page = Page::open(
            "/#learningRate=abc&networkShape=4,x&dataset=nope&noise=%zz",
            1280,
            900,
        )
        .await?;
        let notice = page.text("#notice").await?;
        assert!(notice.contains("learningRate"), "{notice}");
        assert!(notice.contains("dataset"), "{notice}");
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(message.contains("defaults"), "{message}");
        // The figure still works with the defaults.
        page.click_role(FIG, "epoch").await?;
        assert!(num(&page.state(FIG).await?, "step") > 0.0);
        page.finish().await
    })
}

#[test]
fn a_learning_rate_of_10_with_relu_pauses_with_an_explanation() {
    run(async {
        let page = Page::open(
            "/#activation=relu&learningRate=10&networkShape=8,8,8,8,8,8&dataset=circle",
            1280,
            900,
        )
        .await?;
        page.set_control(FIG, "speed", "25").await?;
        page.click_role(FIG, "play").await?;
        page.wait_until(
            "document.querySelector('#fig-playground').dataset.diverged === 'true'",
            60,
        )
        .await?;
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(
            message.contains("diverged") && message.contains("learning rate"),
            "{message}"
        );
        let play = page.text(&format!("{FIG} [data-role=play]")).await?;
        assert_eq!(play, "Play", "training must be paused");
        // The state says so too, and the counter and scores are those of the picture.
        let state = page.state(FIG).await?;
        assert_eq!(state["diverged"], serde_json::json!(true), "{state}");
        let shown_steps = page.text(&format!("{FIG} [data-role=step-count]")).await?;
        assert_eq!(shown_steps, num(&state, "step").to_string(), "{state}");
        // The last good picture stays through a redraw (a phone's rotation, say): the map, the
        // counter and the state are unchanged after the window's resize event.
        let map = format!("{FIG} canvas[data-role=heatmap]");
        let before = page.canvas_hash(&map).await?;
        page.js("window.dispatchEvent(new Event('resize')); return 0;")
            .await?;
        assert_eq!(
            page.canvas_hash(&map).await?,
            before,
            "the map changed on resize"
        );
        assert_eq!(page.state(FIG).await?, state);
        assert_eq!(
            page.text(&format!("{FIG} [data-role=step-count]")).await?,
            shown_steps
        );
        page.finish().await
    })
}

#[test]
fn the_keyboard_plays_steps_and_resets() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let fig = FIG;
        page.js(&format!(
            "document.querySelector('{fig}').focus(); return 0;"
        ))
        .await?;
        page.keys(fig, "\u{E014}").await?;
        assert_eq!(num(&page.state(FIG).await?, "step"), 1.0);
        page.keys(fig, " ").await?;
        page.wait_until(
            "JSON.parse(document.querySelector('#fig-playground').dataset.state).step > 20",
            20,
        )
        .await?;
        page.keys(fig, " ").await?;
        assert_eq!(page.text(&format!("{FIG} [data-role=play]")).await?, "Play");
        page.keys(fig, "r").await?;
        assert_eq!(num(&page.state(FIG).await?, "step"), 0.0);
        page.finish().await
    })
}

#[test]
fn playing_shows_new_updates_on_every_frame() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.click_role(FIG, "play").await?;
        // The update counter on 30 consecutive animation frames, and the longest frame (printed
        // only: timing belongs to the benchmark).
        let measured = page
            .js(&format!(
                "return new Promise(done => {{
                   const counter = document.querySelector('{FIG} [data-role=step-count]');
                   const seen = []; let longest = 0, last = performance.now();
                   function tick(t) {{
                     seen.push(Number(counter.textContent)); longest = Math.max(longest, t - last); last = t;
                     if (seen.length < 30) requestAnimationFrame(tick); else done([seen, longest]);
                   }}
                   requestAnimationFrame(tick);
                 }});"
            ))
            .await?;
        page.click_role(FIG, "play").await?;
        let seen: Vec<f64> = measured[0]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        assert_eq!(seen.len(), 30, "{measured}");
        println!("longest frame while training: {:.1} ms", measured[1]);
        // Smooth means the picture moves on nearly every frame, not in bursts.
        let advanced = seen.windows(2).filter(|w| w[1] > w[0]).count();
        assert!(
            advanced >= 25,
            "the counter moved on {advanced} of 29 frames: {seen:?}"
        );
        page.finish().await
    })
}

#[test]
fn hovering_a_neuron_enlarges_its_map_and_an_edge_shows_its_weight() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // Sweep the pointer over the network until the card shows a neuron's map, then a weight.
        let found = page
            .js(
                "const c = document.querySelector('#fig-playground canvas[data-role=network]');
                 const card = document.querySelector('#fig-playground [data-role=hover]');
                 const r = c.getBoundingClientRect();
                 const seen = {};
                 for (let y = 2; y < r.height; y += 3) for (let x = 2; x < r.width; x += 3) {
                   c.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + x, clientY: r.top + y, bubbles: true }));
                   if (card.hidden) continue;
                   const map = card.querySelector('canvas');
                   const text = card.textContent;
                   if (map && !map.hidden && text.startsWith('layer') && !seen.neuron) seen.neuron = text;
                   if (text.startsWith('weight') && !seen.weight) seen.weight = text;
                 }
                 return seen;",
            )
            .await?;
        let neuron = found["neuron"].as_str().unwrap_or("");
        let weight = found["weight"].as_str().unwrap_or("");
        assert!(neuron.contains("bias"), "no neuron card: {found}");
        assert!(weight.contains(": "), "no weight card: {found}");
        page.finish().await
    })
}

#[test]
fn the_readers_own_points_and_csv_files() {
    run(async {
        let page = Page::open("/#dataset=custom", 1280, 900).await?;
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(message.contains("no points yet"), "{message}");
        // Click the map: plain clicks add blue points, Shift-clicks orange ones.
        let added = page
            .js(
                "const c = document.querySelector('#fig-playground canvas[data-role=heatmap]');
                 const r = c.getBoundingClientRect();
                 const spots = [[0.3,0.3,false],[0.35,0.4,false],[0.4,0.3,false],[0.3,0.45,false],[0.42,0.42,false],
                                [0.7,0.7,true],[0.65,0.6,true],[0.6,0.7,true],[0.72,0.58,true],[0.58,0.62,true]];
                 for (const [fx, fy, shift] of spots) {
                   c.dispatchEvent(new MouseEvent('click', { clientX: r.left + fx * r.width, clientY: r.top + fy * r.height, shiftKey: shift, bubbles: true }));
                 }
                 return new URLSearchParams(location.hash.slice(1)).get('custom');",
            )
            .await?;
        let custom = added.as_str().unwrap_or("");
        assert_eq!(custom.split(';').count(), 10, "{custom}");
        let points = own_points(&page).await?;
        let labels: Vec<&str> = points.iter().filter_map(|p| p.rsplit(':').next()).collect();
        assert_eq!(
            labels,
            ["1", "1", "1", "1", "1", "0", "0", "0", "0", "0"],
            "Shift-clicks add orange points: {points:?}"
        );
        page.click_role(FIG, "epoch").await?;
        assert!(num(&page.state(FIG).await?, "step") > 0.0);
        // A file with a bad row is refused, named by its line, and the points stay.
        let message = import_csv(&page, "bad.csv", "x1,x2,label\n1,2,0\n3,abc,1\n", "line").await?;
        assert!(
            message.contains("line 3") && message.contains("unchanged"),
            "{message}"
        );
        let after = page
            .js("return new URLSearchParams(location.hash.slice(1)).get('custom');")
            .await?;
        assert_eq!(
            after.as_str().unwrap_or(""),
            custom,
            "the reader's points were lost"
        );
        // A good file replaces them.
        let rows: String = (0..12)
            .map(|i| format!("{},{},{}\n", i - 6, (i % 5) - 2, i % 2))
            .collect();
        import_csv(&page, "good.csv", &format!("x1,x2,label\n{rows}"), "Loaded").await?;
        let loaded = page
            .js("return new URLSearchParams(location.hash.slice(1)).get('custom');")
            .await?;
        assert_eq!(loaded.as_str().unwrap_or("").split(';').count(), 12);
        page.finish().await
    })
}

/// What the map says it shows (its accessible description).
async fn map_label(page: &Page) -> Result<String> {
    Ok(page
        .js(&format!(
            "return document.querySelector('{FIG} canvas[data-role=heatmap]').getAttribute('aria-label') || '';"
        ))
        .await?
        .as_str()
        .unwrap_or("")
        .to_owned())
}

/// Taps the map at each spot, given as fractions of its width and height (a plain click, as a
/// finger makes: no Shift, no Alt).
async fn tap(page: &Page, spots: &[(f64, f64)]) -> Result<()> {
    let spots: Vec<String> = spots.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
    page.js(&format!(
        "const c = document.querySelector('{FIG} canvas[data-role=heatmap]');
         const r = c.getBoundingClientRect();
         for (const [fx, fy] of [{}]) {{
           c.dispatchEvent(new MouseEvent('click', {{ clientX: r.left + fx * r.width, clientY: r.top + fy * r.height, bubbles: true }}));
         }}
         return 0;",
        spots.join(",")
    ))
    .await?;
    Ok(())
}

/// The reader's points in the address, as `(x, y, label)` texts.
async fn own_points(page: &Page) -> Result<Vec<String>> {
    let custom = page
        .js("return new URLSearchParams(location.hash.slice(1)).get('custom') || '';")
        .await?;
    Ok(custom
        .as_str()
        .unwrap_or("")
        .split(';')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Imports `text` as the CSV file `name` and waits until the message includes `expected`;
/// returns the message.
async fn import_csv(page: &Page, name: &str, text: &str, expected: &str) -> Result<String> {
    let dir = std::env::temp_dir().join(format!("spiega-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(spiega_e2e::err)?;
    let file = dir.join(name);
    std::fs::write(&file, text).map_err(spiega_e2e::err)?;
    page.keys(
        &format!("{FIG} input[data-role=import]"),
        &file.display().to_string(),
    )
    .await?;
    page.wait_until(
        &format!(
            "document.querySelector('{FIG} [data-role=message]').textContent.includes({})",
            serde_json::to_string(expected).map_err(spiega_e2e::err)?
        ),
        20,
    )
    .await?;
    let _ = std::fs::remove_file(&file);
    page.text(&format!("{FIG} [data-role=message]")).await
}

#[test]
fn your_own_points_show_every_tap_with_its_split_and_touch_chooses_the_class() {
    run(async {
        let page = Page::open("/#dataset=custom", 390, 844).await?;
        // Nothing of the previous data set stays on screen, and the message is a sentence.
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(message.starts_with(char::is_uppercase), "{message}");
        let label = map_label(&page).await?;
        assert!(label.contains("no points"), "{label}");
        // Noise and the number of points belong to generated data: they are not offered.
        let offered = page
            .js(&format!(
                "return ['noise', 'points'].map(r => !document.querySelector('{FIG} [data-role=' + r + ']').closest('label').hidden);"
            ))
            .await?;
        assert_eq!(offered, serde_json::json!([false, false]));
        // Three taps add blue points; after choosing orange, two taps add orange ones.
        tap(&page, &[(0.3, 0.3), (0.35, 0.4), (0.4, 0.3)]).await?;
        page.click(&format!("{FIG} input[name=click-mode][value=orange]"))
            .await?;
        tap(&page, &[(0.7, 0.7), (0.65, 0.6)]).await?;
        let points = own_points(&page).await?;
        let labels: Vec<&str> = points.iter().filter_map(|p| p.rsplit(':').next()).collect();
        assert_eq!(labels, ["1", "1", "1", "0", "0"], "{points:?}");
        // Every tap shows, the test split's included, and each split is counted.
        let label = map_label(&page).await?;
        assert!(
            label.contains("3 training, 1 validation and 1 test points"),
            "{label}"
        );
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(
            message.contains("orange") && message.contains("training split"),
            "{message}"
        );
        // Removing by touch: choose removal, tap a point.
        page.click(&format!("{FIG} input[name=click-mode][value=remove]"))
            .await?;
        tap(&page, &[(0.7, 0.7)]).await?;
        assert_eq!(own_points(&page).await?.len(), 4);
        let label = map_label(&page).await?;
        assert!(label.contains("validation and"), "{label}");
        page.finish().await
    })
}

#[test]
fn a_csv_file_follows_the_links_rules_and_a_huge_one_is_refused_at_once() {
    run(async {
        let page = Page::open("/#dataset=custom&custom=1:1:1;2:2:0", 1280, 900).await?;
        let before = own_points(&page).await?;
        // A coordinate outside ±6 or a class above 4 is refused by its line, as in a link.
        for (name, text, expected) in [
            ("far.csv", "x1,x2,label\n1,2,0\n9,0,1\n", "line 3"),
            ("class.csv", "x1,x2,label\n0,0,7\n", "0 to 4"),
        ] {
            let said = import_csv(&page, name, text, expected).await?;
            assert!(said.contains("unchanged"), "{said}");
            assert_eq!(
                own_points(&page).await?,
                before,
                "{name} changed the points"
            );
        }
        // 100,000 rows: refused at the limit, the address untouched.
        let rows: String = (0..100_000)
            .map(|i| format!("{},{},{}\n", i % 11 - 5, i % 7 - 3, i % 2))
            .collect();
        import_csv(
            &page,
            "huge.csv",
            &format!("x1,x2,label\n{rows}"),
            "more than 500",
        )
        .await?;
        assert_eq!(own_points(&page).await?, before);
        // 500 rows load, and the link they make reopens with all 500.
        let rows: String = (0..500)
            .map(|i| {
                format!(
                    "{},{},{}\n",
                    f64::from(i % 23) * 0.5 - 5.5,
                    f64::from(i % 19) * 0.5 - 4.5,
                    i % 2
                )
            })
            .collect();
        import_csv(
            &page,
            "full.csv",
            &format!("x1,x2,label\n{rows}"),
            "Loaded 500",
        )
        .await?;
        let loaded = own_points(&page).await?;
        assert_eq!(loaded.len(), 500);
        let hash = page.js("return location.hash;").await?;
        let hash = hash.as_str().unwrap_or("").to_owned();
        assert!(
            hash.len() < 12_000,
            "{} characters in the address",
            hash.len()
        );
        page.finish().await?;
        let reopened = Page::open(&format!("/{hash}"), 1280, 900).await?;
        assert_eq!(own_points(&reopened).await?, loaded);
        let label = map_label(&reopened).await?;
        assert!(label.contains("300 training"), "{label}");
        reopened.finish().await
    })
}

#[test]
fn a_link_pasted_into_an_open_page_is_followed() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.click_role(FIG, "epoch").await?;
        page.js("location.hash = '#dataset=xor&networkShape=3&seed=9'; return 0;")
            .await?;
        page.wait_until(
            "document.querySelector('#fig-playground [data-role=dataset]').value === 'xor'",
            10,
        )
        .await?;
        assert_eq!(
            num(&page.state(FIG).await?, "step"),
            0.0,
            "a new link starts a new run"
        );
        assert_eq!(
            page.js("return document.querySelector('#fig-playground [data-layer=\"0\"]').value;")
                .await?,
            "3"
        );
        page.finish().await
    })
}

/// The settings under "More settings", by `data-role`: everything past the first few.
const ADVANCED: [&str; 20] = [
    "noise",
    "points",
    "percTrainData",
    "percValData",
    "seed",
    "reseed",
    "x",
    "y",
    "xSquared",
    "ySquared",
    "xTimesY",
    "sinX",
    "sinY",
    "normalize",
    "batchSize",
    "activation",
    "loss",
    "optimizer",
    "regularization",
    "dropout",
];

/// The `data-role`s of the figure's controls that the reader can see (`checkVisibility`: a
/// closed `<details>` keeps its content's boxes but does not render it), and whether "More
/// settings" is open.
async fn controls_shown(page: &Page) -> Result<(Vec<String>, bool)> {
    let v = page
        .js(&format!(
            "const fig = document.querySelector('{FIG}');
             const shown = [...fig.querySelectorAll('input, select, button')]
               .filter((el) => el.checkVisibility() && el.dataset.role)
               .map((el) => el.dataset.role);
             return [shown, fig.querySelector('details[data-role=more]').open];"
        ))
        .await?;
    let roles = v[0]
        .as_array()
        .ok_or("no list of controls")?
        .iter()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    Ok((roles, v[1] == Value::Bool(true)))
}

#[test]
fn the_playground_starts_with_a_few_controls_and_the_rest_link_to_their_sections() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let (shown, open) = controls_shown(&page).await?;
        assert!(!open, "More settings starts closed");
        for first in ["dataset", "reset", "play", "step", "learningRate"] {
            assert!(
                shown.iter().any(|r| r == first),
                "{first} is not shown: {shown:?}"
            );
        }
        let advanced: Vec<&&str> = ADVANCED
            .iter()
            .filter(|r| shown.iter().any(|s| s == **r))
            .collect();
        assert_eq!(advanced, Vec::<&&str>::new(), "shown before asked for");
        println!("controls shown at load: {} ({shown:?})", shown.len());
        page.element_screenshot(FIG, "playground-first-controls")
            .await?;

        // One click (the summary, as a reader clicks it) opens the rest.
        page.click(&format!("{FIG} details[data-role=more] > summary"))
            .await?;
        let (shown, open) = controls_shown(&page).await?;
        assert!(open, "More settings opened");
        page.element_screenshot(FIG, "playground-more-settings")
            .await?;
        for role in ADVANCED.iter().chain(&["regularizationRate", "batchNorm"]) {
            assert!(
                shown.iter().any(|r| r == role),
                "{role} is not shown: {shown:?}"
            );
        }
        // Each setting under it carries a link, shown, to a section of the article that exists.
        let links = page
            .js(&format!(
                "const more = document.querySelector('{FIG} details[data-role=more]');
                 return [...more.querySelectorAll('input, select, button')].map((el) => {{
                   const a = el.closest('label')?.querySelector('a.see')
                     || el.closest('.field-row')?.querySelector(':scope > label a.see')
                     || el.closest('fieldset')?.querySelector(':scope > legend a.see');
                   const target = a && document.getElementById(a.getAttribute('href').slice(1));
                   return [el.dataset.role, a ? a.getAttribute('href') : null,
                           !!(a && a.checkVisibility()), !!(target && target.closest('section'))];
                 }});"
            ))
            .await?;
        let links = links.as_array().ok_or("no links")?;
        assert_eq!(links.len(), ADVANCED.len() + 2, "{links:?}");
        for link in links {
            assert_eq!(
                (link[2].as_bool(), link[3].as_bool()),
                (Some(true), Some(true)),
                "a setting without a shown link to a section: {link}"
            );
        }

        // A link that sets something under it opens it, so the setting in force shows; a link
        // setting only what is shown, or an advanced setting at its default, leaves it closed.
        for (link, opens) in [
            ("/#dropout=0.2", true),
            ("/#optimizer=adam&learningRate=0.01", true),
            ("/#dataset=xor&seed=1", false),
            ("/#dataset=custom&points=200", false),
        ] {
            page.open_fresh(link).await?;
            let (_, open) = controls_shown(&page).await?;
            assert_eq!(open, opens, "{link}");
        }
        // So does a link pasted into the open page.
        page.js("location.hash = 'dataset=xor&batchSize=30'; return 0;")
            .await?;
        page.wait_until(
            &format!("document.querySelector('{FIG} details[data-role=more]').open"),
            10,
        )
        .await?;
        page.finish().await
    });
}
