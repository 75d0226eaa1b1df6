//! `cargo xtask bench --page`: how the page itself feels, measured on its release build in
//! headless Chromium from a loopback server.
//!
//! - **Download:** every file the page requested while it opened (the document and each
//!   resource the browser's Resource Timing lists), at its `gzip -9` size, and any request to
//!   another origin (there must be none).
//! - **First chart:** the `spiega:first-chart` mark the page sets when its first figure has drawn,
//!   in milliseconds from the start of navigation; also `spiega:all-figures`.
//! - **Training:** the playground plays at its default settings for the measured seconds while
//!   the page counts animation frames and long tasks (over 50 ms, from a `longtask` observer),
//!   and Chromium's own counters (`Performance.getMetrics`: `TaskDuration`, the main thread's busy
//!   time) give the main-thread work per frame.

use crate::gzip;
use serde_json::{Value, json};
use spiega_e2e::{Page, err};
use std::path::{Path, PathBuf};

/// What one measurement found.
#[derive(Debug)]
pub struct PageFigures {
    /// Files the page loaded, with their gzip sizes.
    pub files: Vec<(String, u64)>,
    /// Requests to any other origin.
    pub foreign_requests: Vec<String>,
    /// `spiega:first-chart`, ms from navigation start.
    pub first_chart_ms: f64,
    /// `spiega:all-figures`, ms from navigation start.
    pub all_figures_ms: f64,
    /// Seconds of training measured.
    pub seconds: f64,
    /// Animation frames during those seconds.
    pub frames: f64,
    /// The longest gap between two frames, ms.
    pub longest_frame_ms: f64,
    /// Main-thread busy time per frame, ms.
    pub main_thread_ms_per_frame: f64,
    /// Of that, script (the page's wasm and JavaScript), style and layout, ms per frame.
    pub script_style_layout_ms: [f64; 3],
    /// Long tasks (over 50 ms) during the training.
    pub long_tasks: u64,
    /// Training updates made during the measurement.
    pub updates: f64,
}

impl PageFigures {
    /// The whole page's download, gzip bytes.
    pub fn total_gzip(&self) -> u64 {
        self.files.iter().map(|(_, bytes)| bytes).sum()
    }

    /// Frames per second while training.
    pub fn fps(&self) -> f64 {
        self.frames / self.seconds
    }

    /// One JSON line for the report.
    pub fn json(&self) -> Value {
        json!({
            "contender": "spiega-page",
            "download_gzip_bytes": self.total_gzip(),
            "files": self.files.iter().map(|(f, b)| json!([f, b])).collect::<Vec<_>>(),
            "requests_to_other_origins": self.foreign_requests.len(),
            "first_chart_ms": round1(self.first_chart_ms),
            "all_figures_ms": round1(self.all_figures_ms),
            "training_seconds": self.seconds,
            "fps": round1(self.fps()),
            "longest_frame_ms": round1(self.longest_frame_ms),
            "main_thread_ms_per_frame": round1(self.main_thread_ms_per_frame),
            "script_ms_per_frame": round1(self.script_style_layout_ms[0]),
            "style_ms_per_frame": round1(self.script_style_layout_ms[1]),
            "layout_ms_per_frame": round1(self.script_style_layout_ms[2]),
            "long_tasks": self.long_tasks,
            "updates": self.updates,
        })
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Builds the page in release mode into `target/bench/page` and returns that folder.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    let dist = root.join("target").join("bench").join("page");
    println!("spiega bench: building the page (release)");
    let status = crate::assemble::release_build(root, &dist)?
        .status()
        .map_err(|e| format!("trunk: {e}"))?;
    if status.success() {
        Ok(dist)
    } else {
        Err("the page's release build failed".into())
    }
}

/// Opens the page in `dist`, reads its download and timings, then trains the playground for
/// `seconds` and measures the frames.
pub async fn measure(dist: &Path, seconds: f64) -> Result<PageFigures, String> {
    let page = Page::open_in(dist, "/", 1280, 900).await?;
    let loaded = page
        .js(
            "const marks = n => (performance.getEntriesByName(n)[0] || {startTime: -1}).startTime;
             return { first: marks('spiega:first-chart'), all: marks('spiega:all-figures'),
                      origin: location.origin,
                      resources: performance.getEntriesByType('resource').map(r => r.name) };",
        )
        .await?;
    let origin = loaded["origin"].as_str().unwrap_or_default().to_owned();
    let mut files = vec![("/".to_owned(), gzip::size(&dist.join("index.html"))?)];
    let mut foreign_requests = Vec::new();
    for name in loaded["resources"].as_array().into_iter().flatten() {
        let url = name.as_str().unwrap_or_default();
        match url.strip_prefix(&origin) {
            Some(path) => {
                let path = path.split(['?', '#']).next().unwrap_or_default();
                let file = dist.join(path.trim_start_matches('/'));
                if !files.iter().any(|(f, _)| f == path) {
                    files.push((path.to_owned(), gzip::size(&file)?));
                }
            }
            None => foreign_requests.push(url.to_owned()),
        }
    }

    page.cdp("Performance.enable", json!({})).await?;
    let busy_before = main_thread_seconds(&page).await?;
    let steps_before = playground_steps(&page).await?;
    page.click("#fig-playground [data-role=play]").await?;
    let counted = page
        .client
        .execute_async(
            "const [seconds, done] = arguments;
             let frames = 0, longest = 0, longTasks = 0, last = performance.now();
             const observer = new PerformanceObserver(list => { longTasks += list.getEntries().length; });
             observer.observe({ type: 'longtask' });
             const start = performance.now();
             function tick(t) {
               frames++; longest = Math.max(longest, t - last); last = t;
               if (t - start < seconds * 1000) requestAnimationFrame(tick);
               else { observer.disconnect(); done([frames, longest, longTasks]); }
             }
             requestAnimationFrame(tick);",
            vec![json!(seconds)],
        )
        .await
        .map_err(err)?;
    let busy_after = main_thread_seconds(&page).await?;
    page.click("#fig-playground [data-role=play]").await?;
    let updates = playground_steps(&page).await? - steps_before;
    let frames = counted[0].as_f64().unwrap_or(0.0);
    let per_frame = |i: usize| (busy_after[i] - busy_before[i]) * 1000.0 / frames.max(1.0);
    let figures = PageFigures {
        files,
        foreign_requests,
        first_chart_ms: loaded["first"].as_f64().unwrap_or(-1.0),
        all_figures_ms: loaded["all"].as_f64().unwrap_or(-1.0),
        seconds,
        frames,
        longest_frame_ms: counted[1].as_f64().unwrap_or(0.0),
        main_thread_ms_per_frame: per_frame(0),
        script_style_layout_ms: [per_frame(1), per_frame(2), per_frame(3)],
        long_tasks: counted[2].as_u64().unwrap_or(0),
        updates,
    };
    page.finish().await?;
    Ok(figures)
}

/// Chromium's cumulative main-thread times, in seconds: all tasks, script, style, layout.
async fn main_thread_seconds(page: &Page) -> Result<[f64; 4], String> {
    let metrics = page.cdp("Performance.getMetrics", json!({})).await?;
    let read = |name: &str| {
        metrics["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["name"] == name)
            .and_then(|m| m["value"].as_f64())
            .ok_or_else(|| format!("Chromium reported no {name}"))
    };
    Ok([
        read("TaskDuration")?,
        read("ScriptDuration")?,
        read("RecalcStyleDuration")?,
        read("LayoutDuration")?,
    ])
}

/// The playground's update count, from its published state.
async fn playground_steps(page: &Page) -> Result<f64, String> {
    let state = page.state("#fig-playground").await?;
    state["step"]
        .as_f64()
        .ok_or_else(|| format!("the playground's state has no step: {state}"))
}

/// Prints the figures and how they compare with the speed targets; returns whether the run
/// itself worked (missed targets are reported, not failures).
pub fn report(f: &PageFigures) {
    println!("{}", f.json());
    println!("\npage figures (release build, headless Chromium, loopback server)");
    let rows = [
        (
            "download, whole page (gzip)".to_owned(),
            format!("{:.1} KB", f.total_gzip() as f64 / 1000.0),
            "≤ 200 KB",
            f.total_gzip() <= 200_000,
        ),
        (
            "requests to other origins".to_owned(),
            f.foreign_requests.len().to_string(),
            "0",
            f.foreign_requests.is_empty(),
        ),
        (
            "first chart drawn".to_owned(),
            format!("{:.0} ms", f.first_chart_ms),
            "≤ 1000 ms",
            (0.0..=1000.0).contains(&f.first_chart_ms),
        ),
        (
            format!("frames per second, {:.0} s of training", f.seconds),
            format!("{:.1}", f.fps()),
            "60",
            f.fps() >= 59.0,
        ),
        (
            "main-thread time per frame".to_owned(),
            format!("{:.1} ms", f.main_thread_ms_per_frame),
            "< 8 ms",
            f.main_thread_ms_per_frame < 8.0,
        ),
        (
            "long tasks (> 50 ms)".to_owned(),
            f.long_tasks.to_string(),
            "0",
            f.long_tasks == 0,
        ),
    ];
    for (what, value, target, met) in rows {
        println!(
            "  {what:<40} {value:>10}   target {target:<10} {}",
            if met { "met" } else { "MISSED" }
        );
    }
    let [script, style, layout] = f.script_style_layout_ms;
    println!(
        "  {:<40} {:>10}",
        "  of which script / style / layout",
        format!("{script:.1} / {style:.1} / {layout:.1} ms")
    );
    println!(
        "  {:<40} {:>10}   ({:.0} per second)",
        "training updates while measured",
        f.updates,
        f.updates / f.seconds
    );
    for (file, bytes) in &f.files {
        println!("    {file:<48} {bytes:>8} B gzip");
    }
}
