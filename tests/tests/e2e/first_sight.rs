//! Every figure that trains shows the start of its lesson the first time it comes on screen: it
//! trains a few of its own frames in one go (`frame::warm_up` in the web crate), draws them and
//! waits, paused, with Play ready; nothing is trained at load for a figure not yet seen. The same
//! holds under reduced motion (the warm-up never animates), at 1280 and 390 pixels, and what the
//! window shows at each of them is saved as a screenshot in both themes.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

/// The figures that train, each with the JavaScript reading its updates (or rounds, or epochs)
/// so far from its state `s`, and the canvas whose picture the warm-up changes.
const WARMED: &[(&str, &str, &str)] = &[
    ("normalization", "s.step", "losses"),
    ("optimizers", "s.steps", "loss-chart"),
    ("bias-variance", "s.step", "curve"),
    ("weight-penalties", "s.step", "decay"),
    ("pruning", "s.trained ? 1 : 0", "accuracy"),
    ("dropout", "s.step", "curves"),
    ("augmentation", "s.step", "curves"),
    ("batch-norm", "s.step", "curves"),
    ("batch-size", "s.step", "curves"),
    ("gan", "s.generatorSteps", "losses"),
    ("transformer", "s.steps", "curves"),
];

/// The figure's progress and whether it plays, read from its state (the normalization figure
/// keeps its runs' in `data-runs`).
async fn progress(page: &Page, figure: &str, expr: &str) -> Result<Value> {
    page.js(&format!(
        "const e = document.querySelector({});
         const s = JSON.parse(e.dataset.runs || e.dataset.state || '{{}}');
         return [{expr}, !!s.playing, e.dataset.warmUpMs || null];",
        json!(format!("figure[data-figure=\"{figure}\"]"))
    ))
    .await
}

/// Checks every training figure untrained while off screen, then scrolls each into view and
/// checks that it warmed up, paused, and redrew its chart with what it trained; saves what the
/// window shows as `<shots>-<figure>`.
async fn every_figure_warms_up_on_first_sight(page: &Page, shots: &str) -> Result<()> {
    page.js("window.scrollTo(0, 0); return 0;").await?;
    for (figure, expr, chart) in WARMED {
        let sel = format!("figure[data-figure=\"{figure}\"]");
        let before = progress(page, figure, expr).await?;
        assert_eq!(
            before,
            json!([0, false, null]),
            "{figure} trained before it was seen"
        );
        let canvas = format!("{sel} canvas[data-role=\"{chart}\"]");
        let untrained = page.canvas_hash(&canvas).await.ok();
        page.js(&format!(
            "document.querySelector({}).scrollIntoView({{ block: 'center' }}); return 0;",
            json!(sel)
        ))
        .await?;
        page.wait_until(
            &format!(
                "(() => {{ const e = document.querySelector({});
                   const s = JSON.parse(e.dataset.runs || e.dataset.state || '{{}}');
                   return ({expr}) > 0 && e.dataset.warmUpMs !== undefined; }})()",
                json!(sel)
            ),
            10,
        )
        .await
        .map_err(|e| format!("{figure} shows nothing trained at first sight: {e}"))?;
        let after = progress(page, figure, expr).await?;
        let steps = after[0].as_f64().unwrap_or(0.0);
        assert!(
            steps > 0.0,
            "{figure} shows nothing trained at first sight: {after}"
        );
        assert_eq!(after[1], json!(false), "{figure} plays by itself: {after}");
        let pressed = page
            .js(&format!(
                "return document.querySelectorAll({}).length;",
                json!(format!("{sel} button[aria-pressed=\"true\"]"))
            ))
            .await?;
        assert_eq!(pressed, json!(0), "{figure}'s button claims to play");
        let trained = page.canvas_hash(&canvas).await?;
        assert_ne!(
            Some(trained),
            untrained,
            "{figure}'s {chart} did not change"
        );
        page.assert_drawn(&sel).await?;
        page.window_screenshot(&format!("{shots}-{figure}")).await?;
        println!("{figure}: {steps} at first sight in {} ms", after[2]);
    }
    Ok(())
}

/// Switches to the dark theme (which redraws every chart from its numbers), checks every
/// canvas still drawn, and saves what the window shows at each training figure as
/// `<shots>-<figure>`.
async fn shoot_in_the_dark(page: &Page, shots: &str) -> Result<()> {
    page.click("#theme-toggle").await?;
    let (theme, _) = page.theme_shown().await?;
    assert_eq!(theme, "dark");
    page.assert_drawn("figure[data-figure]").await?;
    for (figure, _, _) in WARMED {
        page.js(&format!(
            "document.querySelector({}).scrollIntoView({{ block: 'center' }}); return 0;",
            json!(format!("figure[data-figure=\"{figure}\"]"))
        ))
        .await?;
        page.window_screenshot(&format!("{shots}-{figure}")).await?;
    }
    Ok(())
}

#[test]
fn every_training_figure_shows_its_lesson_at_first_sight() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        every_figure_warms_up_on_first_sight(&page, "first-sight-1280-light").await?;
        shoot_in_the_dark(&page, "first-sight-1280-dark").await?;
        page.finish().await
    });
}

#[test]
fn under_reduced_motion_a_phone_sees_the_same_first_state() {
    run(async {
        let page = Page::open("/", 390, 844).await?;
        page.set_viewport(390, 844, true).await?;
        page.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-reduced-motion", "value": "reduce" }] }),
        )
        .await?;
        page.goto("/").await?;
        every_figure_warms_up_on_first_sight(&page, "first-sight-390-light").await?;
        page.assert_fits(390).await?;
        shoot_in_the_dark(&page, "first-sight-390-dark").await?;
        page.finish().await
    });
}

/// How many pixels of the playground's loss chart are drawn in the page's blue and orange (the
/// training and validation colours), within a little of each for anti-aliasing.
async fn loss_chart_colours(page: &Page) -> Result<Value> {
    page.js(
        "const c = document.querySelector('#fig-playground canvas[data-role=loss-chart]');
         const css = getComputedStyle(document.documentElement);
         const rgb = (name) => { const h = css.getPropertyValue(name).trim();
           return [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)); };
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         const count = (want) => { let n = 0;
           for (let i = 0; i < d.length; i += 4)
             if (Math.abs(d[i] - want[0]) + Math.abs(d[i + 1] - want[1]) + Math.abs(d[i + 2] - want[2]) < 24) n++;
           return n; };
         return [count(rgb('--blue')), count(rgb('--orange'))];",
    )
    .await
}

/// The playground is on screen at load and does not train by itself (its links and its step
/// count start from the untrained network), so before Play its loss chart shows where each
/// split starts, as dots, and a line saying what will appear; nothing is left blank.
#[test]
fn the_playground_shows_its_starting_losses_before_play() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.wait_state("#fig-playground", "s.step === 0", 20)
            .await?;
        let counts = loss_chart_colours(&page).await?;
        let (blue, orange) = (counts[0].as_u64().unwrap(), counts[1].as_u64().unwrap());
        // The training dot is drawn on top; validation's, at almost the same loss, may hide
        // under it.
        assert!(
            blue > 20,
            "before Play the loss chart shows no starting loss: {blue} training and {orange} \
             validation pixels"
        );
        page.element_screenshot("#fig-playground", "playground-before-play")
            .await?;
        page.finish().await
    });
}
