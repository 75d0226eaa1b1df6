//! `cargo xtask bench --frames`: frames per second while the figures train, in the page's
//! release build in headless Chromium.
//!
//! Scenarios, each with the processor at full speed and slowed four times (CDP's CPU
//! throttling):
//! - **one figure:** each figure that trains, alone on screen (scrolled to the middle of a
//!   1280 × 900 viewport) and playing;
//! - **all figures:** every figure that trains on screen and playing at once. The article is
//!   taller than any screen, so everything but those figures (prose, other figures) is hidden
//!   and the viewport is made as tall as what is left (CDP's device metrics): the browser then
//!   lays out and paints all of them every frame, as a screen that showed them all would.
//!
//! Each is counted over a fixed window of playing: a figure whose run ends by itself within the
//! window (it reached its last update) is started again at once, as a reader pressing "Train
//! again" (or Reset, then Play) would, and the restarts are counted. A figure that does not play
//! again ends the count, and a count shorter than [`MIN_SECONDS`] prints how long the run lasted
//! instead of rates. Counted: frames per second (between the first and the last animation
//! frame), the longest gap between two frames, and the main thread's time per frame from
//! Chromium's counters (`Performance.getMetrics`), split into script (the page's wasm and
//! JavaScript), style and layout, and the rest (painting, canvas rasterization, compositing,
//! garbage collection).

use serde_json::{Value, json};
use spiega_e2e::{Page, err};
use std::path::Path;

/// The figures that train, by their `data-figure` name (the element is `#fig-<name>`).
pub const TRAINING_FIGURES: [&str; 11] = [
    "playground",
    "normalization",
    "optimizers",
    "bias-variance",
    "weight-penalties",
    "dropout",
    "augmentation",
    "batch-norm",
    "batch-size",
    "gan",
    "transformer",
];

/// The CPU slowdowns measured: none and four times (a mid-range phone).
const SLOWDOWNS: [f64; 2] = [1.0, 4.0];

/// The shortest count whose rates are printed: a shorter one says only how long it lasted.
pub const MIN_SECONDS: f64 = 2.0;

/// What one scenario measured.
#[derive(Debug)]
pub struct FrameRow {
    /// The figure alone, or "all".
    pub scenario: String,
    /// The CPU slowdown.
    pub slowdown: f64,
    /// What was counted, or `None` when the run ended before [`MIN_SECONDS`].
    pub rates: Option<Rates>,
    /// Seconds counted (less than asked when a figure stopped and would not play again).
    pub seconds: f64,
    /// How many times a figure's run ended within the window and was started again.
    pub restarts: u32,
}

/// The rates of a count of at least [`MIN_SECONDS`].
#[derive(Debug)]
pub struct Rates {
    /// Frames per second while playing.
    pub fps: f64,
    /// The longest gap between two frames, ms.
    pub longest_ms: f64,
    /// Main-thread ms per frame: all, script, style and layout, the rest.
    pub ms_per_frame: [f64; 4],
}

/// JavaScript: `playButton(name)`, the play (or train) button of the figure `name`; the scripts
/// below start with it.
const PLAY_BUTTON: &str = "const playButton = (n) => document.querySelector(\
                           `#fig-${n} button[data-role=play], #fig-${n} button[data-role=train]`);";

/// Clicks the play (or train) button of every figure named in `names` (a JSON array), from the page.
const PRESS: &str = "for (const name of arguments[0]) playButton(name).click(); return 0;";

/// Pauses every figure named in `names` (a JSON array) that is playing.
const PAUSE: &str = "for (const n of arguments[0]) {
                       const b = playButton(n);
                       if (b.getAttribute('aria-pressed') === 'true') b.click();
                     }
                     return 0;";

/// `body` with [`PLAY_BUTTON`] before it.
fn with_play_button(body: &str) -> String {
    format!("{PLAY_BUTTON}\n{body}")
}

/// Measures every scenario on the page in `dist`, `seconds` each.
pub async fn measure(dist: &Path, seconds: f64) -> Result<Vec<FrameRow>, String> {
    let page = Page::open_in(dist, "/", 1280, 900).await?;
    page.cdp("Performance.enable", json!({})).await?;
    let mut rows = Vec::new();
    for slowdown in SLOWDOWNS {
        page.cdp(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": slowdown }),
        )
        .await?;
        for name in TRAINING_FIGURES {
            println!("spiega bench: frames, {name}, CPU ÷{slowdown}");
            page.js(&format!(
                "document.querySelector('#fig-{name}').scrollIntoView({{block: 'center'}}); return 0;"
            ))
            .await?;
            ready(&page, &[name]).await?;
            rows.push(count(&page, name, &[name], slowdown, seconds).await?);
        }
    }
    page.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 1 }))
        .await?;
    page.finish().await?;

    // All at once, on a fresh page whose viewport shows every training figure.
    let page = Page::open_in(dist, "/", 1280, 900).await?;
    page.cdp("Performance.enable", json!({})).await?;
    // Mount and warm up every figure first, one by one, as a reader scrolling past would.
    for name in TRAINING_FIGURES {
        page.js(&format!(
            "document.querySelector('#fig-{name}').scrollIntoView({{block: 'center'}}); return 0;"
        ))
        .await?;
        ready(&page, &[name]).await?;
    }
    let height = page
        .js(&format!(
            "const keep = {};
             const kept = e => keep.some(n => e.closest(`#fig-${{n}}`) || e.querySelector(`#fig-${{n}}`));
             for (const e of document.body.querySelectorAll('*'))
               if (!kept(e)) e.style.display = 'none';
             window.scrollTo(0, 0);
             return Math.ceil(document.documentElement.scrollHeight);",
            json!(TRAINING_FIGURES)
        ))
        .await?
        .as_f64()
        .ok_or("the page gave no height")?;
    page.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": false }),
    )
    .await?;
    for slowdown in SLOWDOWNS {
        println!(
            "spiega bench: frames, all {} figures ({height} px), CPU ÷{slowdown}",
            TRAINING_FIGURES.len()
        );
        page.cdp(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": slowdown }),
        )
        .await?;
        rows.push(count(&page, "all", &TRAINING_FIGURES, slowdown, seconds).await?);
    }
    page.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 1 }))
        .await?;
    page.finish().await?;
    Ok(rows)
}

/// Waits until each figure in `names` has mounted and is not playing.
async fn ready(page: &Page, names: &[&str]) -> Result<(), String> {
    for name in names {
        page.wait_until(
            &format!(
                "(() => {{ {PLAY_BUTTON} const b = playButton('{name}');
                          return b !== null && b.getAttribute('aria-pressed') !== 'true'; }})()"
            ),
            60,
        )
        .await?;
    }
    Ok(())
}

/// Plays the figures `names` and counts frames for `seconds` of playing, starting again any
/// figure whose run ends within them; then pauses those still playing.
async fn count(
    page: &Page,
    scenario: &str,
    names: &[&str],
    slowdown: f64,
    seconds: f64,
) -> Result<FrameRow, String> {
    let before = crate::page_speed::main_thread_seconds(page).await?;
    page.client
        .execute(&with_play_button(PRESS), vec![json!(names)])
        .await
        .map_err(err)?;
    // Times are the animation frames' own stamps, from the first counted frame to the last. A
    // figure found paused is pressed again ("Train again" starts a new run); one still paused
    // the frame after is reset (its Reset button) and pressed; one paused even then (it cannot
    // play) ends the count.
    let counted = page
        .client
        .execute_async(
            &with_play_button(
                "const [names, seconds, done] = arguments;
             const buttons = names.map(playButton);
             const resets = names.map(n => document.querySelector(`#fig-${n} button[data-role=reset]`));
             const paused = b => b.getAttribute('aria-pressed') !== 'true';
             // Per figure: 0 playing, 1 pressed Play again, 2 pressed Reset and Play.
             const tries = names.map(() => 0);
             let frames = 0, longest = 0, start = null, last = null, restarts = 0;
             function tick(t) {
               if (start === null) start = t; else longest = Math.max(longest, t - last);
               frames++; last = t;
               let stuck = false;
               buttons.forEach((b, i) => {
                 if (!paused(b)) { tries[i] = 0; return; }
                 if (tries[i] === 0) restarts++;
                 if (tries[i] === 1 && resets[i]) resets[i].click();
                 if (tries[i] === 2 || (tries[i] === 1 && !resets[i])) { stuck = true; return; }
                 tries[i]++; b.click();
               });
               if (t - start < seconds * 1000 && !stuck) requestAnimationFrame(tick);
               else done([frames, longest, (t - start) / 1000, restarts]);
             }
             requestAnimationFrame(tick);",
            ),
            vec![json!(names), json!(seconds)],
        )
        .await
        .map_err(err)?;
    let after = crate::page_speed::main_thread_seconds(page).await?;
    page.client
        .execute(&with_play_button(PAUSE), vec![json!(names)])
        .await
        .map_err(err)?;
    let [frames, longest_ms, elapsed, restarts] =
        crate::page_speed::numbers(&counted, "the frame count")?;
    // Intervals between counted frames: one fewer than the frames.
    let intervals = frames - 1.0;
    let rates = (elapsed >= MIN_SECONDS && intervals >= 1.0).then(|| {
        let per_frame = |i: usize| (after[i] - before[i]) * 1000.0 / frames;
        let rest = per_frame(0) - per_frame(1) - per_frame(2) - per_frame(3);
        Rates {
            fps: intervals / elapsed,
            longest_ms,
            ms_per_frame: [
                per_frame(0),
                per_frame(1),
                per_frame(2) + per_frame(3),
                rest,
            ],
        }
    });
    Ok(FrameRow {
        scenario: scenario.to_owned(),
        slowdown,
        rates,
        seconds: elapsed,
        // A count of presses, a small whole number.
        restarts: restarts as u32,
    })
}

/// Prints the rows as one table, then one JSON line each.
pub fn report(rows: &[FrameRow]) {
    println!("\nframes while figures train (release build; main-thread ms per frame)");
    println!(
        "  {:<18} {:>5} {:>7} {:>10} {:>8} {:>8} {:>12} {:>8} {:>7} {:>9}",
        "figures",
        "CPU",
        "fps",
        "longest",
        "main",
        "script",
        "style+layout",
        "rest",
        "s",
        "restarts"
    );
    for r in rows {
        match &r.rates {
            Some(m) => println!(
                "  {:<18} {:>4}× {:>7.1} {:>7.0} ms {:>8.1} {:>8.1} {:>12.1} {:>8.1} {:>7.1} {:>9}",
                r.scenario,
                r.slowdown,
                m.fps,
                m.longest_ms,
                m.ms_per_frame[0],
                m.ms_per_frame[1],
                m.ms_per_frame[2],
                m.ms_per_frame[3],
                r.seconds,
                r.restarts
            ),
            None => println!(
                "  {:<18} {:>4}×  run ended after {:.1} s (under {MIN_SECONDS} s: no rates)",
                r.scenario, r.slowdown, r.seconds
            ),
        }
    }
    let round = |x: f64| (x * 10.0).round() / 10.0;
    for r in rows {
        let mut v: Value = json!({
            "contender": "spiega-frames",
            "figures": r.scenario,
            "cpu_slowdown": r.slowdown,
            "seconds": round(r.seconds),
            "restarts": r.restarts,
        });
        if let Some(m) = &r.rates {
            v["fps"] = json!(round(m.fps));
            v["longest_frame_ms"] = json!(m.longest_ms.round());
            v["main_ms_per_frame"] = json!(round(m.ms_per_frame[0]));
            v["script_ms_per_frame"] = json!(round(m.ms_per_frame[1]));
            v["style_layout_ms_per_frame"] = json!(round(m.ms_per_frame[2]));
            v["rest_ms_per_frame"] = json!(round(m.ms_per_frame[3]));
        }
        println!("{v}");
    }
}
