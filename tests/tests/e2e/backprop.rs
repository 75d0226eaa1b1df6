//! The backpropagation section, driven like a reader: stepping forward and back through a pass
//! with the buttons and the arrow keys, every number on screen compared with the engine's values
//! in the figure's state; the update taken; the example and the network changed; the gradient
//! check passing on the real network and failing on each planted bug.

use serde_json::Value;
use spiega_e2e::{Page, Result, run};

const FIG: &str = "#fig-backprop";
const CHECK: &str = "#fig-gradcheck";
const CANVAS: &str = "#fig-backprop canvas[data-role=network]";

/// The page's number format: `digits` decimals, a true minus sign, no negative zero.
fn fmt(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s == format!("-{:.digits$}", 0.0) {
        s[1..].to_owned()
    } else {
        s.replacen('-', "−", 1)
    }
}

/// The value at a dotted path ("layers.0.W.1.0") of the state.
fn at<'a>(state: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(state, |v, part| match part.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[part],
        })
}

/// Every live number in the equations: its state key and the text shown.
async fn shown_numbers(page: &Page) -> Result<Vec<(String, String)>> {
    let v = page
        .js(&format!(
            "return [...document.querySelectorAll('{FIG} [data-role=equations] mn[data-key]')]
               .map(e => [e.dataset.key, e.textContent]);"
        ))
        .await?;
    Ok(v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect())
}

/// Checks every number shown against the state, and that the step shows what it should.
async fn check_step(page: &Page) -> Result<Value> {
    let state = page.state(FIG).await?;
    let shown = shown_numbers(page).await?;
    assert!(!shown.is_empty(), "step {} shows no numbers", state["step"]);
    for (key, text) in &shown {
        let value = at(&state, key)
            .as_f64()
            .unwrap_or_else(|| panic!("{key} is not a number in the state"));
        assert_eq!(text, &fmt(value, 4), "{key} on screen vs state {value}");
    }
    let has = |prefix: &str| shown.iter().any(|(k, _)| k.starts_with(prefix));
    let layer = state["layer"].as_i64().unwrap_or(-1);
    match state["kind"].as_str().unwrap() {
        "forward" => {
            for part in ["W", "input", "b", "z"] {
                assert!(
                    has(&format!("layers.{layer}.{part}.")),
                    "forward lacks {part}"
                );
            }
        }
        "loss" => assert!(has("loss") && has("prediction.")),
        "backward" => {
            for part in ["delta", "dW", "db", "input"] {
                assert!(
                    has(&format!("layers.{layer}.{part}.")),
                    "backward lacks {part}"
                );
            }
            let last = state["layers"].as_array().unwrap().len() as i64 - 1;
            if layer < last {
                for part in ["grad_a", "gprime"] {
                    assert!(
                        has(&format!("layers.{layer}.{part}.")),
                        "hand-off lacks {part}"
                    );
                }
            }
        }
        "update" => {
            assert!(has("lr"));
            for l in 0..state["layers"].as_array().unwrap().len() {
                for part in ["W", "dW", "newW", "b", "db", "newb"] {
                    assert!(
                        has(&format!("layers.{l}.{part}.")),
                        "update lacks {l} {part}"
                    );
                }
            }
        }
        other => panic!("unknown step kind {other}"),
    }
    // Every number of the state's matrices that the step is about is on screen.
    if state["kind"] == "forward" && state["summarised"] == false {
        let w = &state["layers"][layer as usize]["W"];
        let count = w.as_array().unwrap().len() * w[0].as_array().unwrap().len();
        let shown_w = shown
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("layers.{layer}.W.")))
            .count();
        assert_eq!(shown_w, count, "not every weight of layer {layer} is shown");
    }
    Ok(state)
}

/// One of the smoke tests that `cargo xtask test` runs in every engine.
#[test]
fn stepping_through_shows_the_engines_numbers_and_the_update_lowers_the_loss() {
    run(async {
        let page = Page::open("/#backprop", 1280, 900).await?;
        page.wait_until(
            &format!("document.querySelector('{FIG}').dataset.state"),
            10,
        )
        .await?;
        let first = check_step(&page).await?;
        assert_eq!(first["step"], 0);
        assert_eq!(first["sizes"], serde_json::json!([2, 3, 2]));
        assert_eq!(first["activation"], "tanh");
        assert_eq!(first["loss_name"], "softmax_cross_entropy");
        let steps = first["steps"].as_u64().unwrap();
        // 2 forward, the loss, 2 backward, the update.
        assert_eq!(steps, 6);
        assert!(
            page.text(&format!("{FIG} [data-role=step-title]"))
                .await?
                .starts_with("Step 1 of 6")
        );
        let mut hashes = vec![page.canvas_hash(CANVAS).await?];
        let mut kinds = vec![first["kind"].as_str().unwrap().to_owned()];
        for i in 1..steps {
            // Alternate the button and the right arrow key.
            if i % 2 == 1 {
                page.click(&format!("{FIG} button[data-role=next]")).await?;
            } else {
                page.keys(FIG, "\u{E014}").await?;
            }
            let state = check_step(&page).await?;
            assert_eq!(state["step"].as_u64(), Some(i));
            kinds.push(state["kind"].as_str().unwrap().to_owned());
            hashes.push(page.canvas_hash(CANVAS).await?);
        }
        assert_eq!(
            kinds,
            [
                "forward", "forward", "loss", "backward", "backward", "update"
            ]
        );
        // The outline moves with the step: forward layer 1 and forward layer 2 differ.
        assert_ne!(hashes[0], hashes[1], "the diagram did not follow the step");
        assert_ne!(hashes[4], hashes[5]);

        // The left arrow goes back one step, and Back is disabled at the start.
        page.keys(FIG, "\u{E012}").await?;
        assert_eq!(page.state(FIG).await?["step"], steps - 2);
        page.click(&format!("{FIG} button[data-role=restart]"))
            .await?;
        assert_eq!(page.state(FIG).await?["step"], 0);
        let disabled = page
            .js(&format!(
                "return document.querySelector('{FIG} button[data-role=back]').disabled;"
            ))
            .await?;
        assert_eq!(disabled, Value::Bool(true));

        // Walk to the update and take it: the weights become the update's, the loss falls.
        for _ in 1..steps {
            page.keys(FIG, "\u{E014}").await?;
        }
        let before = page.state(FIG).await?;
        assert_eq!(before["kind"], "update");
        page.click(&format!("{FIG} button[data-role=next]")).await?;
        let after = check_step(&page).await?;
        assert_eq!(after["updates"], 1);
        assert_eq!(after["step"], 0);
        assert_eq!(after["layers"][0]["W"], before["layers"][0]["newW"]);
        assert_eq!(after["layers"][1]["b"], before["layers"][1]["newb"]);
        let (l0, l1) = (
            before["loss"].as_f64().unwrap(),
            after["loss"].as_f64().unwrap(),
        );
        assert!(l1 < l0, "the loss went from {l0} to {l1}");
        page.finish().await
    });
}

/// Sets a number input or select and fires `change`, as typing and leaving the field would.
async fn set_field(page: &Page, selector: &str, value: &str) -> Result<()> {
    let ok = page
        .js(&format!(
            "const el = document.querySelector({});
             if (!el) return false;
             el.value = {};
             el.dispatchEvent(new Event('change', {{ bubbles: true }}));
             return true;",
            serde_json::json!(selector),
            serde_json::json!(value)
        ))
        .await?;
    if ok == Value::Bool(true) {
        Ok(())
    } else {
        Err(format!("no field {selector}"))
    }
}

#[test]
fn a_typed_example_and_a_different_network_are_stepped_through_too() {
    run(async {
        let page = Page::open("/#backprop", 1280, 900).await?;
        let first = check_step(&page).await?;
        set_field(&page, &format!("{FIG} input[data-role=x1]"), "2.5").await?;
        let typed = check_step(&page).await?;
        assert_eq!(typed["x"][0].as_f64(), Some(2.5));
        assert_ne!(typed["layers"][0]["z"], first["layers"][0]["z"]);
        assert_eq!(typed["layers"][0]["W"], first["layers"][0]["W"]);

        // The learning rate changes only the update.
        page.set_slider(&format!("{FIG} input[data-role=lr]"), 1.0)
            .await?;
        let faster = page.state(FIG).await?;
        assert_eq!(faster["lr"].as_f64(), Some(1.0));
        assert_ne!(faster["layers"][0]["newW"], typed["layers"][0]["newW"]);

        // Two hidden layers, ReLU, squared error: 8 steps, each checked.
        set_field(&page, &format!("{FIG} input[data-role=hidden2]"), "2").await?;
        set_field(
            &page,
            &format!("{FIG} select[data-role=activation]"),
            "relu",
        )
        .await?;
        set_field(&page, &format!("{FIG} select[data-role=loss]"), "mse").await?;
        let state = check_step(&page).await?;
        assert_eq!(state["sizes"], serde_json::json!([2, 3, 2, 2]));
        assert_eq!(state["activation"], "relu");
        assert_eq!(state["loss_name"], "mse");
        assert_eq!(state["steps"], 8);
        for _ in 1..8 {
            page.click(&format!("{FIG} button[data-role=next]")).await?;
            check_step(&page).await?;
        }
        // Binary cross-entropy has one output.
        set_field(
            &page,
            &format!("{FIG} select[data-role=loss]"),
            "binary_cross_entropy",
        )
        .await?;
        let binary = check_step(&page).await?;
        assert_eq!(binary["sizes"], serde_json::json!([2, 3, 2, 1]));
        page.finish().await
    });
}

/// The gradient check's table as text, row by row.
async fn check_rows(page: &Page) -> Result<Vec<Vec<String>>> {
    let v = page
        .js(&format!(
            "return [...document.querySelectorAll('{CHECK} tbody tr')]
               .map(r => [...r.children].map(c => c.textContent));"
        ))
        .await?;
    Ok(v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        })
        .collect())
}

/// Compares the table with the check's state, row by row.
async fn table_matches_state(page: &Page) -> Result<Value> {
    let state = page.state(CHECK).await?;
    let rows = check_rows(page).await?;
    let params = state["params"].as_array().unwrap();
    assert_eq!(rows.len(), params.len());
    for (row, p) in rows.iter().zip(params) {
        assert_eq!(row[1], fmt(p["analytic"].as_f64().unwrap(), 6), "{p}");
        assert_eq!(row[2], fmt(p["numeric"].as_f64().unwrap(), 6), "{p}");
        let pass = p["passed"].as_bool().unwrap();
        assert_eq!(row[4], if pass { "✓ pass" } else { "✗ fail" });
    }
    Ok(state)
}

#[test]
fn the_gradient_check_passes_on_the_real_network_and_catches_planted_bugs() {
    run(async {
        let page = Page::open("/#gradcheck-title", 1280, 900).await?;
        let state = table_matches_state(&page).await?;
        // 2·3 + 3 + 3·2 + 2 parameters.
        assert_eq!(state["params"].as_array().unwrap().len(), 17);
        assert_eq!(state["passed"], true, "{state}");
        let verdict = page.text(&format!("{CHECK} [data-role=verdict]")).await?;
        assert!(verdict.starts_with("Pass: all 17"), "{verdict}");

        for bug in [
            "dropped_derivative",
            "pre_activation_input",
            "forgotten_bias",
        ] {
            set_field(&page, &format!("{CHECK} select[data-role=bug]"), bug).await?;
            let state = table_matches_state(&page).await?;
            assert_eq!(state["bug"], bug);
            assert_eq!(state["passed"], false, "{bug} went unnoticed: {state}");
            let verdict = page.text(&format!("{CHECK} [data-role=verdict]")).await?;
            assert!(verdict.starts_with("Fail:"), "{verdict}");
        }
        // Every ε passes on the engine's own backpropagation.
        set_field(&page, &format!("{CHECK} select[data-role=bug]"), "none").await?;
        for eps in ["0.1", "0.001"] {
            set_field(&page, &format!("{CHECK} select[data-role=eps]"), eps).await?;
            let state = table_matches_state(&page).await?;
            assert_eq!(state["passed"], true, "ε = {eps}: {state}");
        }
        // The check follows the step-through's network and example.
        set_field(&page, &format!("{FIG} input[data-role=hidden2]"), "2").await?;
        let state = table_matches_state(&page).await?;
        // 2·3 + 3 + 3·2 + 2 + 2·2 + 2 parameters.
        assert_eq!(state["params"].as_array().unwrap().len(), 23);
        page.finish().await
    });
}

/// Every equation line of the current step either fits its box or says that it scrolls: it is
/// marked, shows the scroll cue and can be scrolled from the keyboard. Returns how many scroll.
async fn equations_fit_or_scroll(page: &Page, width: u32, step: u64) -> Result<u64> {
    let report = page
        .js(&format!(
            "return [...document.querySelectorAll('{FIG} .bp-eq')].map(e => [
                 e.scrollWidth - e.clientWidth,
                 e.dataset.scrolls === 'true',
                 e.tabIndex,
                 getComputedStyle(e).backgroundImage !== 'none']);"
        ))
        .await?;
    let lines = report.as_array().expect("a list of lines");
    assert!(
        !lines.is_empty(),
        "step {step} at {width} px shows no equation"
    );
    let mut scrolling = 0;
    for (i, line) in lines.iter().enumerate() {
        let overflow = line[0].as_f64().expect("a width");
        let marked = line[1] == serde_json::json!(true);
        if overflow > 1.0 {
            scrolling += 1;
            assert!(
                marked && line[2] == serde_json::json!(0) && line[3] == serde_json::json!(true),
                "step {step}, line {i} at {width} px is clipped by {overflow} px with no cue: {line}"
            );
        } else {
            assert!(
                !marked,
                "step {step}, line {i} at {width} px fits but is marked: {line}"
            );
        }
    }
    Ok(scrolling)
}

#[test]
fn equations_that_do_not_fit_say_that_they_scroll() {
    run(async {
        let mut scrolled = 0;
        for width in [1280, 390] {
            let page = Page::open("/#backprop", width, 900).await?;
            page.wait_until(
                &format!("document.querySelector('{FIG}').dataset.state"),
                10,
            )
            .await?;
            let steps = page.state(FIG).await?["steps"].as_u64().expect("steps");
            for step in 0..steps {
                if step > 0 {
                    page.click(&format!("{FIG} button[data-role=next]")).await?;
                    page.wait_until(
                        &format!("JSON.parse(document.querySelector('{FIG}').dataset.state).step === {step}"),
                        10,
                    )
                    .await?;
                }
                scrolled += equations_fit_or_scroll(&page, width, step).await?;
            }
            page.finish().await?;
        }
        // On a phone some lines are wider than the screen: the check above met real ones.
        assert!(scrolled > 0, "no equation was wider than its box");
        Ok(())
    })
}

#[test]
fn screenshots_of_the_section_at_both_widths_in_both_themes() {
    run(async {
        let page = Page::open("/#backprop", 1280, 900).await?;
        // Step to the first backward step, where the hand-off is shown.
        for _ in 0..4 {
            page.click(&format!("{FIG} button[data-role=next]")).await?;
        }
        for (w, h, mobile, name) in [(1280, 900, false, "desktop"), (390, 844, true, "phone")] {
            page.set_viewport(w, h, mobile).await?;
            page.assert_fits(w).await?;
            let mut charts = Vec::new();
            for theme in ["light", "dark"] {
                page.js(&format!(
                    "document.documentElement.dataset.theme = '{theme}';
                     window.dispatchEvent(new Event('spiega-theme'));
                     document.querySelectorAll('main > section:not(#backprop), .toc, .opening')
                       .forEach(s => s.style.display = 'none');"
                ))
                .await?;
                // Drawn in the theme's colours by the theme's own event, before any resize.
                charts.push(page.canvas_hash(CANVAS).await?);
                page.js("window.dispatchEvent(new Event('resize'));")
                    .await?;
                page.screenshot(&format!("backprop-{name}-{theme}")).await?;
            }
            assert_ne!(
                charts[0], charts[1],
                "{name}: the diagram did not follow the theme"
            );
        }
        page.finish().await
    });
}

#[test]
fn a_playground_point_opens_the_step_through_for_the_live_network() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let pg = "#fig-playground";
        for _ in 0..3 {
            page.click(&format!("{pg} button[data-role=step]")).await?;
        }
        // Click the map: the nearest training point is selected.
        page.js(&format!(
            "const c = document.querySelector('{pg} canvas[data-role=heatmap]');
             c.scrollIntoView();
             const r = c.getBoundingClientRect();
             c.dispatchEvent(new MouseEvent('click', {{ bubbles: true,
               clientX: r.left + r.width * 0.5, clientY: r.top + r.height * 0.3 }}));"
        ))
        .await?;
        let message = page.text(&format!("{pg} [data-role=message]")).await?;
        assert!(
            message.starts_with("Selected the training point ("),
            "{message}"
        );
        let point = message.split(['(', ')']).nth(1).unwrap().to_owned();
        page.click(&format!("{pg} button[data-role=step-through]"))
            .await?;
        page.wait_until(
            &format!("JSON.parse(document.querySelector('{FIG}').dataset.state).live === true"),
            5,
        )
        .await?;
        let state = check_step(&page).await?;
        // The playground's default network: 2 inputs, hidden 4 and 2, one logistic output.
        assert_eq!(state["sizes"], serde_json::json!([2, 4, 2, 1]));
        assert_eq!(state["loss_name"], "binary_cross_entropy");
        assert_eq!(state["steps"], 8);
        let shown_point = format!(
            "{}, {}",
            fmt(state["x"][0].as_f64().unwrap(), 2),
            fmt(state["x"][1].as_f64().unwrap(), 2)
        );
        assert_eq!(shown_point, point, "the step-through follows another point");
        let live = page.text(&format!("{FIG} [data-role=live-text]")).await?;
        assert!(live.contains(&format!("({point})")), "{live}");
        for i in 1..8 {
            page.keys(FIG, "\u{E014}").await?;
            assert_eq!(check_step(&page).await?["step"], i);
        }
        // The gradient check follows the live network: 2·4 + 4 + 4·2 + 2 + 2 + 1 parameters.
        let check = table_matches_state(&page).await?;
        assert_eq!(check["params"].as_array().unwrap().len(), 25);
        assert_eq!(check["passed"], true, "{check}");
        // Back to the small network.
        page.click(&format!("{FIG} button[data-role=leave-live]"))
            .await?;
        let state = check_step(&page).await?;
        assert_eq!(state["live"], false);
        assert_eq!(state["sizes"], serde_json::json!([2, 3, 2]));
        page.finish().await
    });
}

#[test]
fn a_wide_playground_layer_is_summarised_and_expands() {
    run(async {
        let page = Page::open("/#networkShape=8,2", 1280, 900).await?;
        let pg = "#fig-playground";
        page.js(&format!(
            "const c = document.querySelector('{pg} canvas[data-role=heatmap]');
             c.scrollIntoView();
             const r = c.getBoundingClientRect();
             c.dispatchEvent(new MouseEvent('click', {{ bubbles: true,
               clientX: r.left + r.width * 0.3, clientY: r.top + r.height * 0.6 }}));"
        ))
        .await?;
        page.click(&format!("{pg} button[data-role=step-through]"))
            .await?;
        let state = check_step(&page).await?;
        assert_eq!(state["sizes"], serde_json::json!([2, 8, 2, 1]));
        assert_eq!(state["summarised"], true);
        let weights = |shown: &[(String, String)]| {
            shown
                .iter()
                .filter(|(k, _)| k.starts_with("layers.0.W."))
                .count()
        };
        // Six of the eight rows of W⁽¹⁾ (8 × 2), then a row of ⋮.
        assert_eq!(weights(&shown_numbers(&page).await?), 12);
        page.keys(FIG, "\u{E014}\u{E014}\u{E014}\u{E014}\u{E014}\u{E014}")
            .await?;
        page.js("document.querySelectorAll('main > section:not(#backprop), .toc, .opening').forEach(s => s.style.display = 'none');")
            .await?;
        page.screenshot("backprop-live-summarised").await?;
        for _ in 0..6 {
            page.keys(FIG, "\u{E012}").await?;
        }
        page.click(&format!("{FIG} input[data-role=expand]"))
            .await?;
        let state = check_step(&page).await?;
        assert_eq!(state["summarised"], false);
        assert_eq!(state["live"], true);
        assert_eq!(weights(&shown_numbers(&page).await?), 16);
        page.finish().await
    });
}
