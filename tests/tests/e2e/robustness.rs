//! The training figures at their extreme settings: the largest learning rate and network the
//! controls allow, a batch of one, no data at all, and a malformed shared link. Each must keep
//! drawing, log no console error, and say in words what happened where training diverged.

use serde_json::Value;
use spiega_e2e::{Page, Result, num, run};

/// Scrolls a figure into view (figures train only while visible) and returns its selector.
async fn show(page: &Page, fig: &str) -> Result<()> {
    page.js(&format!(
        "document.querySelector('{fig}').scrollIntoView({{block: 'center'}}); return 0;"
    ))
    .await?;
    Ok(())
}

/// Sets every range slider of `roles` in `fig` to its largest value, as a reader dragging it.
async fn to_max(page: &Page, fig: &str, roles: &[&str]) -> Result<()> {
    for role in roles {
        let max = page
            .js(&format!(
                "return Number(document.querySelector('{fig} [data-role=\"{role}\"]').max);"
            ))
            .await?
            .as_f64()
            .ok_or_else(|| format!("{fig} has no slider {role}"))?;
        page.set_slider(&format!("{fig} [data-role=\"{role}\"]"), max)
            .await?;
    }
    Ok(())
}

/// Chooses the last option of every select of `roles` in `fig` (the largest network).
async fn last_option(page: &Page, fig: &str, roles: &[&str]) -> Result<()> {
    for role in roles {
        let done = page
            .js(&format!(
                "const el = document.querySelector('{fig} [data-role=\"{role}\"]');
                 if (!el) return false;
                 el.selectedIndex = el.options.length - 1;
                 el.dispatchEvent(new Event('change', {{ bubbles: true }}));
                 return true;"
            ))
            .await?;
        assert_eq!(done, Value::Bool(true), "{fig} has no select {role}");
    }
    Ok(())
}

/// The figure's message, if it is visible.
async fn visible_message(page: &Page, fig: &str) -> Result<Option<String>> {
    let text = page
        .js(&format!(
            "const m = document.querySelector('{fig} [data-role=\"message\"]');
             if (!m || m.hidden || m.offsetParent === null) return null;
             return m.textContent.trim() || null;"
        ))
        .await?;
    Ok(text.as_str().map(str::to_owned))
}

#[test]
fn the_playground_at_its_limits_pauses_with_a_message() {
    run(async {
        // The largest network the controls allow (8 hidden layers of 32), a batch of one, the
        // largest learning rate, and ReLU, which lets activations grow without bound.
        let shape = ["32"; 8].join(",");
        let page = Page::open(
            &format!(
                "/#activation=relu&learningRate=10&batchSize=1&networkShape={shape}&dataset=spiral"
            ),
            1280,
            900,
        )
        .await?;
        let fig = "#fig-playground";
        let notice = page.text("#notice").await.unwrap_or_default();
        assert!(notice.trim().is_empty(), "the link is valid: {notice}");
        page.set_slider(&format!("{fig} [data-role=\"speed\"]"), 100.0)
            .await?;
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        page.wait_until(
            "document.querySelector('#fig-playground').dataset.diverged === 'true'",
            40,
        )
        .await?;
        let message = visible_message(&page, fig).await?.unwrap_or_default();
        assert!(message.contains("diverged"), "{message}");
        assert_eq!(
            page.text(&format!("{fig} [data-role=\"play\"]")).await?,
            "Play"
        );
        page.assert_drawn(fig).await?;
        page.element_screenshot(fig, "robustness-playground-limits")
            .await?;
        page.finish().await
    })
}

#[test]
fn the_playground_without_data_says_what_to_do() {
    run(async {
        let page = Page::open("/#dataset=custom", 1280, 900).await?;
        let fig = "#fig-playground";
        let message = visible_message(&page, fig).await?.unwrap_or_default();
        assert!(!message.is_empty(), "no message without data");
        // Pressing every training button does nothing harmful.
        for role in ["play", "step", "epoch", "play"] {
            let selector = format!("{fig} [data-role=\"{role}\"]");
            if page
                .js(&format!("return !!document.querySelector('{selector}');"))
                .await?
                == Value::Bool(true)
            {
                page.click(&selector).await?;
            }
        }
        assert!(visible_message(&page, fig).await?.is_some());
        // The map keeps its size, ready for the reader's clicks, and nothing else broke.
        let height = page
            .js("return document.querySelector('#fig-playground canvas[data-role=heatmap]').clientHeight;")
            .await?;
        assert!(height.as_f64().unwrap_or(0.0) > 100.0, "{height}");
        page.finish().await
    })
}

/// What the playground shows of its learning rate and network: the rate's readout and the network
/// drawing (the same for the same layers and seed).
async fn playground_look(page: &Page) -> Result<(String, u64)> {
    Ok((
        page.text("#fig-playground [data-role=\"learningRate-value\"]")
            .await?,
        page.canvas_hash("#fig-playground canvas[data-role=network]")
            .await?,
    ))
}

#[test]
fn a_malformed_shared_link_falls_back_to_defaults_with_a_notice() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let defaults = playground_look(&page).await?;
        page.open_fresh("/#learningRate=abc&networkShape=99,x")
            .await?;
        let notice = page.text("#notice").await?;
        assert!(
            notice.contains("learningRate") && notice.contains("networkShape"),
            "{notice}"
        );
        assert!(
            page.js("const n = document.querySelector('#notice'); return !n.hidden && n.offsetParent !== null;")
                .await?
                == Value::Bool(true),
            "the notice is not visible"
        );
        // The learning rate falls back to its default; the list keeps what can be read of it
        // (99 becomes the largest width, 32, and "x" is dropped), as the notice says.
        let (rate, network) = playground_look(&page).await?;
        assert_eq!(rate, defaults.0, "{notice}");
        let repaired = Page::open("/#networkShape=32", 1280, 900).await?;
        assert_eq!(network, playground_look(&repaired).await?.1, "{notice}");
        repaired.finish().await?;
        page.assert_drawn("#fig-playground").await?;
        page.finish().await
    })
}

#[test]
fn the_other_training_figures_survive_their_extreme_settings() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;

        // Backpropagation step by step: the largest network and learning rate, every step.
        let fig = "#fig-backprop";
        show(&page, fig).await?;
        to_max(&page, fig, &["lr"]).await?;
        for (role, value) in [("hidden1", 6.0), ("hidden2", 6.0), ("outputs", 4.0)] {
            page.set_slider(&format!("{fig} [data-role=\"{role}\"]"), value)
                .await?;
        }
        for _ in 0..30 {
            page.click(&format!("{fig} [data-role=\"next\"]")).await?;
        }
        let state = page.state(fig).await?;
        assert!(num(&state, "step") > 0.0, "{state}");
        page.assert_drawn(fig).await?;

        // The optimizer race: the largest learning rates and momentum.
        let fig = "#fig-optimizers";
        show(&page, fig).await?;
        to_max(&page, fig, &["lr", "adaptive-lr", "momentum"]).await?;
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        page.wait_until(
            "JSON.parse(document.querySelector('#fig-optimizers').dataset.state).steps >= 40",
            20,
        )
        .await?;
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        let state = page.state(fig).await?;
        // A racer that left the surface is labelled as diverged in its legend, not drawn as NaN.
        let legend = page
            .js(&format!(
                "return [...document.querySelectorAll('{fig} output[data-role^=\"loss-\"]')].map(o => o.textContent).join(' ');"
            ))
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            !legend.contains("NaN") && !legend.contains("inf"),
            "{legend}"
        );
        // At these rates gradient descent leaves the elongated bowl within 40 steps: the racers
        // that stopped are the ones whose legend says so.
        let stopped: Vec<String> = state["racers"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter(|r| r["stopped"] != Value::Bool(false))
                    .filter_map(|r| r["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        assert!(!stopped.is_empty(), "no racer diverged: {state}");
        for name in &stopped {
            let shown = page
                .text(&format!("{fig} output[data-role=loss-{name}]"))
                .await?;
            assert_eq!(shown, "diverged", "{name}'s legend: {legend}");
        }
        println!("optimizers at their largest rates: {legend} ({state})");
        page.assert_drawn(fig).await?;

        // The GAN: both learning rates at their largest, ten discriminator steps per round.
        let fig = "#fig-gan";
        show(&page, fig).await?;
        to_max(&page, fig, &["lr-g", "lr-d", "d-steps"]).await?;
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        page.wait_until(
            "(() => { const s = JSON.parse(document.querySelector('#fig-gan').dataset.state);
                      return s.diverged || s.generatorSteps >= 30; })()",
            25,
        )
        .await?;
        let state = page.state(fig).await?;
        if state["diverged"] == Value::Bool(true) {
            let message = visible_message(&page, fig).await?.unwrap_or_default();
            assert!(message.contains("diverged"), "{message}");
        } else {
            page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        }
        println!("GAN at its largest rates: {state}");
        page.assert_drawn(fig).await?;

        // The transformer: the largest model and learning rate.
        let fig = "#fig-transformer";
        show(&page, fig).await?;
        last_option(&page, fig, &["heads", "layers"]).await?;
        to_max(&page, fig, &["lr"]).await?;
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        page.wait_until(
            "JSON.parse(document.querySelector('#fig-transformer').dataset.state).steps >= 30 || !document.querySelector('#fig-transformer [data-role=\"message\"]').hidden",
            25,
        )
        .await?;
        let state = page.state(fig).await?;
        if num(&state, "steps") >= 30.0 {
            page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        }
        println!("transformer at its largest: {state}");
        page.assert_drawn(fig).await?;

        page.element_screenshot("#fig-gan", "robustness-gan-largest-rates")
            .await?;
        page.finish().await
    })
}

/// The text of `fig`'s play button.
async fn button_text(page: &Page, fig: &str, role: &str) -> Result<String> {
    page.text(&format!("{fig} button[data-role={role}]")).await
}

#[test]
fn a_training_figure_that_leaves_the_screen_pauses_and_says_so() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // One figure of each kind of training loop: the playground, the optimizer race, two
        // side-by-side runs, a comparison, and the figures with their own training (the GAN,
        // bias and variance).
        for (fig, role) in [
            ("#fig-playground", "play"),
            ("#fig-optimizers", "play"),
            ("#fig-normalization", "play"),
            ("#fig-dropout", "play"),
            ("#fig-gan", "play"),
            ("#fig-bias-variance", "train"),
        ] {
            show(&page, fig).await?;
            page.click(&format!("{fig} button[data-role={role}]"))
                .await?;
            assert_eq!(button_text(&page, fig, role).await?, "Pause", "{fig}");
            // Away: the top of the page for every figure but the first, which goes to the end.
            page.js(&format!(
                "const f = document.querySelector('{fig}');
                 window.scrollTo(0, f.getBoundingClientRect().top + window.scrollY > 2000 ? 0 : document.body.scrollHeight);
                 return 0;"
            ))
            .await?;
            page.wait_until(
                &format!(
                    "document.querySelector('{fig} button[data-role={role}]').textContent !== 'Pause'"
                ),
                10,
            )
            .await?;
            // Back: it stays paused, and a line says why.
            show(&page, fig).await?;
            let message = page.text(&format!("{fig} [data-role=message]")).await?;
            assert!(message.contains("left the screen"), "{fig}: {message:?}");
            assert_ne!(button_text(&page, fig, role).await?, "Pause", "{fig}");
            // Playing again clears the line.
            page.click(&format!("{fig} button[data-role={role}]"))
                .await?;
            let hidden = page
                .js(&format!(
                    "return document.querySelector('{fig} [data-role=message]').hidden;"
                ))
                .await?;
            assert_eq!(hidden, Value::Bool(true), "{fig}");
            page.click(&format!("{fig} button[data-role={role}]"))
                .await?;
        }
        page.finish().await
    })
}
