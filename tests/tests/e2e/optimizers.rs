//! The optimizers section, driven like a reader: playing the race moves every optimizer and
//! updates the loss chart; the surfaces, the start (dragged on the map) and the sliders each
//! change what is drawn; the numbers shown are the engine's.

use serde_json::Value;
use spiega_e2e::{Page, Result, run};

const FIG: &str = "#fig-optimizers";
const MAP: &str = "#fig-optimizers canvas[data-role=map]";
const CHART: &str = "#fig-optimizers canvas[data-role=loss-chart]";
const RATE: &str = "#fig-optimizers canvas[data-role=rate-chart]";
const RACERS: [&str; 7] = [
    "gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
];

/// The page's number format: `digits` decimals, a true minus sign, no negative zero.
fn fmt(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s == format!("-{:.digits$}", 0.0) {
        s[1..].to_owned()
    } else {
        s.replacen('-', "−", 1)
    }
}

/// Plays until at least `steps` steps are taken (then pauses) and returns the state.
async fn play_until(page: &Page, steps: u64) -> Result<Value> {
    page.click(&format!("{FIG} button[data-role=play]")).await?;
    page.wait_until(
        &format!("JSON.parse(document.querySelector('{FIG}').dataset.state).steps >= {steps}"),
        20,
    )
    .await?;
    let state = page.state(FIG).await?;
    if state["playing"] == true {
        page.click(&format!("{FIG} button[data-role=play]")).await?;
    }
    page.state(FIG).await
}

/// Checks that every racer left the start, and the legend shows the state's losses.
async fn every_racer_moved(page: &Page, state: &Value) -> Result<()> {
    let start = &state["start"];
    for (i, r) in state["racers"].as_array().unwrap().iter().enumerate() {
        assert_eq!(r["name"], RACERS[i]);
        assert_eq!(r["stopped"], false, "{r}");
        assert!(r["points"].as_u64().unwrap() > 1, "{r}");
        assert_ne!(&r["point"], start, "{} did not move", r["name"]);
        let shown = page
            .text(&format!("{FIG} output[data-role=loss-{}]", RACERS[i]))
            .await?;
        assert_eq!(shown, fmt(r["loss"].as_f64().unwrap(), 4), "{}", r["name"]);
    }
    Ok(())
}

#[test]
fn playing_moves_every_optimizer_and_draws_the_loss_chart() {
    run(async {
        let page = Page::open("/#optimizers", 1280, 900).await?;
        // On screen at once, the race shows its first steps and waits.
        page.wait_warmed_up(FIG).await?;
        let seen = page.state(FIG).await?;
        assert!(seen["steps"].as_u64().unwrap_or(0) > 0, "{seen}");
        assert_eq!(seen["playing"], false, "the race must not play on load");
        // Reset returns to the start, from which the race is measured.
        page.click(&format!("{FIG} button[data-role=reset]"))
            .await?;
        let first = page.state(FIG).await?;
        assert_eq!(first["surface"], "elongated");
        assert_eq!(first["steps"], 0);
        let (map0, chart0) = (page.canvas_hash(MAP).await?, page.canvas_hash(CHART).await?);
        let state = play_until(&page, 40).await?;
        every_racer_moved(&page, &state).await?;
        assert_ne!(
            map0,
            page.canvas_hash(MAP).await?,
            "the paths were not drawn"
        );
        let chart1 = page.canvas_hash(CHART).await?;
        assert_ne!(chart0, chart1, "the loss chart did not change");
        // Every racer's loss fell on the bowl.
        for r in state["racers"].as_array().unwrap() {
            let start_loss = first["racers"][0]["loss"].as_f64().unwrap();
            assert!(r["loss"].as_f64().unwrap() < start_loss, "{r}");
        }
        // Adagrad's accumulated squared gradients are shown, from the state.
        let g = state["adagrad_G"].as_array().unwrap();
        assert_eq!(g.len(), 2);
        let readout = page.text(&format!("{FIG} [data-role=adagrad]")).await?;
        assert!(
            readout.contains(&fmt(g[0].as_f64().unwrap(), 3))
                && readout.contains(&fmt(g[1].as_f64().unwrap(), 3)),
            "{readout} vs {g:?}"
        );
        // Ten more steps by button.
        let before = state["steps"].as_u64().unwrap();
        page.click(&format!("{FIG} button[data-role=step]")).await?;
        assert_eq!(page.state(FIG).await?["steps"].as_u64(), Some(before + 10));
        assert_ne!(chart1, page.canvas_hash(CHART).await?);
        page.finish().await
    });
}

#[test]
fn a_race_that_reaches_its_last_step_says_it_stopped() {
    run(async {
        let page = Page::open("/#optimizers", 1280, 900).await?;
        page.click(&format!("{FIG} button[data-role=play]")).await?;
        // The race stops itself at its step limit; its button goes back to Play.
        page.wait_until(
            &format!(
                "document.querySelector('{FIG} button[data-role=play]').textContent === 'Play'"
            ),
            30,
        )
        .await?;
        let state = page.state(FIG).await?;
        // 500 is the race's step limit, `MAX_STEPS` in crates/lessons/src/optimizers.rs.
        assert_eq!(state["steps"].as_u64(), Some(500), "{state}");
        assert_eq!(
            state["playing"], false,
            "the state still says it plays: {state}"
        );
        assert_eq!(
            page.js(&format!(
                "return document.querySelector('{FIG} button[data-role=play]').getAttribute('aria-pressed');"
            ))
            .await?,
            serde_json::json!("false")
        );
        page.finish().await
    });
}

#[test]
fn surfaces_start_and_sliders_change_the_race() {
    run(async {
        let page = Page::open("/#optimizers", 1280, 900).await?;
        let mut maps = std::collections::HashSet::new();
        maps.insert(page.canvas_hash(MAP).await?);
        for surface in ["rosenbrock", "saddle", "model"] {
            page.click(&format!("{FIG} label:has(> input[value={surface}])"))
                .await?;
            let state = page.state(FIG).await?;
            assert_eq!(state["surface"], surface);
            assert!(
                maps.insert(page.canvas_hash(MAP).await?),
                "{surface} drew the same map as another surface"
            );
            page.click(&format!("{FIG} button[data-role=step]")).await?;
            let state = page.state(FIG).await?;
            every_racer_moved(&page, &state).await?;
        }
        // Pressing on the map moves the start there and restarts the race.
        let before = page.state(FIG).await?;
        page.js(&format!(
            "const c = document.querySelector('{MAP}');
             const r = c.getBoundingClientRect();
             c.dispatchEvent(new PointerEvent('pointerdown', {{ bubbles: true, buttons: 1,
               clientX: r.left + r.width * 0.7, clientY: r.top + r.height * 0.3 }}));"
        ))
        .await?;
        let moved = page.state(FIG).await?;
        assert_ne!(moved["start"], before["start"]);
        assert_eq!(moved["steps"], 0);
        // Upper right of the model slice's window [−4, 4]²: x > 0, y > 0.
        assert!(
            moved["start"][0].as_f64().unwrap() > 0.0 && moved["start"][1].as_f64().unwrap() > 0.0
        );
        // The sliders reach the engine.
        page.set_slider(&format!("{FIG} input[data-role=momentum]"), 0.5)
            .await?;
        page.set_slider(&format!("{FIG} input[data-role=lr]"), -1.0)
            .await?;
        let state = page.state(FIG).await?;
        assert_eq!(state["momentum"].as_f64(), Some(0.5));
        assert!((state["lr"].as_f64().unwrap() - 0.1).abs() < 1e-6);
        assert_eq!(
            page.text(&format!("{FIG} output[data-role=lr-value]"))
                .await?,
            "0.1"
        );
        // Choosing the bowl again puts back its own rates, at which the schedules' prose races.
        page.set_slider(&format!("{FIG} input[data-role=adaptive-lr]"), -0.3)
            .await?;
        page.click(&format!("{FIG} label:has(> input[value=elongated])"))
            .await?;
        let state = page.state(FIG).await?;
        assert!(
            (state["lr"].as_f64().unwrap() - 0.071).abs() < 1e-3,
            "{state}"
        );
        assert!(
            (state["adaptive_lr"].as_f64().unwrap() - 0.1).abs() < 1e-6,
            "{state}"
        );
        assert_eq!(
            page.text(&format!("{FIG} output[data-role=lr-value]"))
                .await?,
            "0.071"
        );
        page.finish().await
    });
}

#[test]
fn screenshots_of_the_race_at_both_widths_in_both_themes() {
    run(async {
        let page = Page::open("/#optimizers", 1280, 900).await?;
        // Cosine decay after a warm-up, so the rate chart shows both parts of a schedule.
        page.js(&format!(
            "const label = document.querySelector('{FIG} label:has(> input[value=cosine])');
             label.scrollIntoView({{ block: 'center' }});
             label.click();"
        ))
        .await?;
        page.set_control(FIG, "warmup", "true").await?;
        page.wait_state(FIG, "s.schedule === 'cosine' && s.warmup === 50", 5)
            .await?;
        play_until(&page, 120).await?;
        for (w, h, mobile, name) in [(1280, 900, false, "desktop"), (390, 844, true, "phone")] {
            page.set_viewport(w, h, mobile).await?;
            let mut charts = Vec::new();
            for theme in ["light", "dark"] {
                page.js(&format!(
                    "document.documentElement.dataset.theme = '{theme}';
                     window.dispatchEvent(new Event('spiega-theme'));
                     document.querySelectorAll('main > section:not(#optimizers), .toc, .opening')
                       .forEach(s => s.style.display = 'none');"
                ))
                .await?;
                // Drawn in the theme's colours by the theme's own event, before any resize.
                charts.push(page.canvas_hash(MAP).await?);
                page.js("window.dispatchEvent(new Event('resize'));")
                    .await?;
                page.screenshot(&format!("optimizers-{name}-{theme}"))
                    .await?;
            }
            assert_ne!(
                charts[0], charts[1],
                "{name}: the map did not follow the theme"
            );
        }
        page.finish().await
    });
}

#[test]
fn a_link_replays_the_schedule_and_an_old_link_keeps_the_constant_rate() {
    run(async {
        // A shared link with a schedule: cosine after the warm-up, on Rosenbrock.
        let page = Page::open(
            "/#optimizers.surface=rosenbrock&optimizers.schedule=cosine&optimizers.warmup=1",
            1280,
            900,
        )
        .await?;
        page.wait_state(
            FIG,
            "s.surface === 'rosenbrock' && s.schedule === 'cosine' && s.warmup === 50",
            10,
        )
        .await?;
        // Counted from untrained racers, after the figure's first frames on coming into view.
        page.reset_after_first_sight(FIG).await?;
        assert_eq!(
            page.js(&format!(
                "return document.querySelector('{FIG} input[name=schedule]:checked').value;"
            ))
            .await?,
            serde_json::json!("cosine")
        );
        // Ten steps in, the last one ran at 9/50 of the sliders' rates, as the chart says.
        page.click(&format!("{FIG} button[data-role=step]")).await?;
        let state = page.state(FIG).await?;
        assert!(
            (state["rate"].as_f64().unwrap() - 0.18).abs() < 1e-6,
            "{state}"
        );
        let label = page
            .js(&format!(
                "return document.querySelector('{RATE}').getAttribute('aria-label');"
            ))
            .await?;
        assert!(label.as_str().unwrap().contains("0.180 of η"), "{label}");
        page.assert_drawn(FIG).await?;
        // A link made before schedules existed opens with the constant rate, as it did then.
        page.open_fresh("/#optimizers.adaptive-lr=-0.5").await?;
        page.wait_state(FIG, "Math.abs(s.adaptive_lr - 0.32) < 1e-6", 10)
            .await?;
        page.click(&format!("{FIG} button[data-role=step]")).await?;
        let state = page.state(FIG).await?;
        assert_eq!(state["schedule"], "constant", "{state}");
        assert_eq!(state["warmup"], 0, "{state}");
        assert_eq!(state["rate"].as_f64(), Some(1.0), "{state}");
        page.finish().await
    });
}
