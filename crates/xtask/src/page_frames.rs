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
//! Each is counted while its figures play (a figure that stops by itself at its limit ends the
//! count): frames per second, the longest gap between two frames, and the main thread's time
//! per frame from Chromium's counters (`Performance.getMetrics`), split into script (the page's
//! wasm and JavaScript), style and layout, and the rest (painting, compositing, garbage
//! collection).

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

/// What one scenario measured.
#[derive(Debug)]
pub struct FrameRow {
    /// The figure alone, or "all".
    pub scenario: String,
    /// The CPU slowdown.
    pub slowdown: f64,
    /// Frames per second while playing.
    pub fps: f64,
    /// The longest gap between two frames, ms.
    pub longest_ms: f64,
    /// Main-thread ms per frame: all, script, style and layout, the rest.
    pub ms_per_frame: [f64; 4],
    /// Seconds counted (less than asked when a figure stopped by itself).
    pub seconds: f64,
}

/// Clicks the play (or train) button of every figure named in `names` (a JSON array), from the page.
const PRESS: &str = "for (const name of arguments[0]) \
                       document.querySelector(`#fig-${name} button[data-role=play], #fig-${name} button[data-role=train]`).click(); \
                     return 0;";

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
                "(() => {{ const b = document.querySelector('#fig-{name} button[data-role=play], #fig-{name} button[data-role=train]');
                          return b !== null && b.getAttribute('aria-pressed') !== 'true'; }})()"
            ),
            60,
        )
        .await?;
    }
    Ok(())
}

/// Plays the figures `names`, counts frames while any of them plays (at most `seconds`), then
/// pauses those still playing.
async fn count(
    page: &Page,
    scenario: &str,
    names: &[&str],
    slowdown: f64,
    seconds: f64,
) -> Result<FrameRow, String> {
    let before = crate::page_speed::main_thread_seconds(page).await?;
    page.client
        .execute(PRESS, vec![json!(names)])
        .await
        .map_err(err)?;
    let counted = page
        .client
        .execute_async(
            "const [names, seconds, done] = arguments;
             const buttons = names.map(n => document.querySelector(`#fig-${n} button[data-role=play], #fig-${n} button[data-role=train]`));
             const playing = () => buttons.some(b => b.getAttribute('aria-pressed') === 'true');
             let frames = 0, longest = 0, last = performance.now();
             const start = last;
             function tick(t) {
               frames++; longest = Math.max(longest, t - last); last = t;
               if (t - start < seconds * 1000 && playing()) requestAnimationFrame(tick);
               else done([frames, longest, (t - start) / 1000]);
             }
             requestAnimationFrame(tick);",
            vec![json!(names), json!(seconds)],
        )
        .await
        .map_err(err)?;
    let after = crate::page_speed::main_thread_seconds(page).await?;
    page.client
        .execute(
            "for (const n of arguments[0]) {
               const b = document.querySelector(`#fig-${n} button[data-role=play], #fig-${n} button[data-role=train]`);
               if (b.getAttribute('aria-pressed') === 'true') b.click();
             }
             return 0;",
            vec![json!(names)],
        )
        .await
        .map_err(err)?;
    let read = |i: usize| {
        counted[i]
            .as_f64()
            .ok_or_else(|| format!("the frame count returned {counted}"))
    };
    let (frames, longest_ms, elapsed) = (read(0)?, read(1)?, read(2)?);
    let per_frame = |i: usize| (after[i] - before[i]) * 1000.0 / frames.max(1.0);
    let rest = per_frame(0) - per_frame(1) - per_frame(2) - per_frame(3);
    Ok(FrameRow {
        scenario: scenario.to_owned(),
        slowdown,
        fps: frames / elapsed.max(1e-3),
        longest_ms,
        ms_per_frame: [
            per_frame(0),
            per_frame(1),
            per_frame(2) + per_frame(3),
            rest,
        ],
        seconds: elapsed,
    })
}

/// Prints the rows as one table, then one JSON line each.
pub fn report(rows: &[FrameRow]) {
    println!("\nframes while figures train (release build; main-thread ms per frame)");
    println!(
        "  {:<18} {:>5} {:>7} {:>10} {:>8} {:>8} {:>12} {:>8} {:>7}",
        "figures", "CPU", "fps", "longest", "main", "script", "style+layout", "rest", "s"
    );
    for r in rows {
        println!(
            "  {:<18} {:>4}× {:>7.1} {:>7.0} ms {:>8.1} {:>8.1} {:>12.1} {:>8.1} {:>7.1}",
            r.scenario,
            r.slowdown,
            r.fps,
            r.longest_ms,
            r.ms_per_frame[0],
            r.ms_per_frame[1],
            r.ms_per_frame[2],
            r.ms_per_frame[3],
            r.seconds
        );
    }
    for r in rows {
        let v: Value = json!({
            "contender": "spiega-frames",
            "figures": r.scenario,
            "cpu_slowdown": r.slowdown,
            "fps": (r.fps * 10.0).round() / 10.0,
            "longest_frame_ms": r.longest_ms.round(),
            "main_ms_per_frame": (r.ms_per_frame[0] * 10.0).round() / 10.0,
            "script_ms_per_frame": (r.ms_per_frame[1] * 10.0).round() / 10.0,
            "style_layout_ms_per_frame": (r.ms_per_frame[2] * 10.0).round() / 10.0,
            "rest_ms_per_frame": (r.ms_per_frame[3] * 10.0).round() / 10.0,
            "seconds": (r.seconds * 10.0).round() / 10.0,
        });
        println!("{v}");
    }
}
