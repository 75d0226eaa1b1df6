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
//! - **Conditions:** the page loaded again under four conditions, no throttling and a slow
//!   network (1.6 Mbit/s down, 150 ms round trip; CDP's network emulation), each with the
//!   processor at full speed and slowed four times (CDP's CPU throttling), served compressed
//!   (`gzip -9` copies) with the browser's cache off and the service worker bypassed: the bytes
//!   on the network until the first figure drew, the first chart, when the playground's Play
//!   first made an update, the bytes after scrolling to the end, and frames per second while
//!   the playground trains.

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
    let counted = count_frames(&page, seconds).await?;
    let busy_after = main_thread_seconds(&page).await?;
    page.click("#fig-playground [data-role=play]").await?;
    let updates = playground_steps(&page).await? - steps_before;
    let frames = counted[0];
    let per_frame = |i: usize| (busy_after[i] - busy_before[i]) * 1000.0 / frames.max(1.0);
    let figures = PageFigures {
        files,
        foreign_requests,
        first_chart_ms: loaded["first"].as_f64().unwrap_or(-1.0),
        all_figures_ms: loaded["all"].as_f64().unwrap_or(-1.0),
        seconds,
        frames,
        longest_frame_ms: counted[1],
        main_thread_ms_per_frame: per_frame(0),
        script_style_layout_ms: [per_frame(1), per_frame(2), per_frame(3)],
        long_tasks: counted[2] as u64,
        updates,
    };
    page.finish().await?;
    Ok(figures)
}

/// Counts the page's animation frames for `seconds`: the frames, the longest gap between two
/// (ms) and the long tasks (over 50 ms) in that time.
async fn count_frames(page: &Page, seconds: f64) -> Result<[f64; 3], String> {
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
    numbers(&counted, "the frame count")
}

/// The `N` numbers a page script returned as an array, or an error naming `what` returned
/// something else.
pub(crate) fn numbers<const N: usize>(returned: &Value, what: &str) -> Result<[f64; N], String> {
    let wrong = || format!("{what} returned {returned}");
    let mut out = [0.0; N];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = returned.get(i).and_then(Value::as_f64).ok_or_else(wrong)?;
    }
    Ok(out)
}

/// Chromium's cumulative main-thread times, in seconds: all tasks, script, style, layout.
pub(crate) async fn main_thread_seconds(page: &Page) -> Result<[f64; 4], String> {
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

/// A network and processor the page is measured on.
#[derive(Debug, Clone, Copy)]
pub struct Condition {
    /// The row's name in the table.
    pub name: &'static str,
    /// Whether the network is the slow one ([`SLOW_DOWN_BITS`], [`SLOW_UP_BITS`], [`SLOW_RTT_MS`]).
    pub slow_network: bool,
    /// How many times slower than the machine the processor runs (CDP's CPU throttling).
    pub cpu_slowdown: f64,
}

/// The slow network's download speed, bits per second.
const SLOW_DOWN_BITS: f64 = 1.6e6;
/// The slow network's upload speed, bits per second.
const SLOW_UP_BITS: f64 = 750e3;
/// The slow network's round trip, ms.
const SLOW_RTT_MS: f64 = 150.0;

/// The four conditions: no throttling and the slow network, each with the processor at full
/// speed and slowed four times.
pub const CONDITIONS: [Condition; 4] = [
    Condition {
        name: "no throttling",
        slow_network: false,
        cpu_slowdown: 1.0,
    },
    Condition {
        name: "CPU 4x slower",
        slow_network: false,
        cpu_slowdown: 4.0,
    },
    Condition {
        name: "slow network",
        slow_network: true,
        cpu_slowdown: 1.0,
    },
    Condition {
        name: "slow network, CPU 4x slower",
        slow_network: true,
        cpu_slowdown: 4.0,
    },
];

/// What one load of the page under one [`Condition`] found.
#[derive(Debug)]
pub struct ConditionFigures {
    /// The condition.
    pub condition: Condition,
    /// Bytes over the network (compressed, with headers) by the moment the first figure drew
    /// (the figures are interactive as soon as they have drawn: the module wires them first).
    pub bytes_to_interactive: u64,
    /// `spiega:first-chart`, ms from navigation start.
    pub first_chart_ms: f64,
    /// When the playground's Play, pressed as soon as the page started, had made its first
    /// update, ms from navigation start.
    pub play_works_ms: f64,
    /// Bytes over the network after scrolling to the end of the article.
    pub total_bytes: u64,
    /// Frames per second while the playground trains.
    pub fps: f64,
}

/// Installed before the page's own scripts: keeps every resource timing entry, and once the
/// playground has mounted (`data-ready`; the figures further down may still be mounting),
/// presses its Play, notes when its first update is made
/// (`window.__bench.playWorks`, ms from navigation start) and pauses it.
const PLAY_WATCH: &str = r#"
performance.setResourceTimingBufferSize(100000);
window.__bench = { playWorks: -1 };
(() => {
  const press = () => {
    const fig = document.querySelector('#fig-playground');
    if (!fig || fig.dataset.ready !== 'true') return false;
    const step = () => JSON.parse(fig.dataset.state || '{}').step || 0;
    const button = fig.querySelector('[data-role=play]');
    const before = step();
    fig.scrollIntoView();
    button.click();
    const watch = () => {
      if (step() > before) { window.__bench.playWorks = performance.now(); button.click(); }
      else requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
    return true;
  };
  const poll = () => { if (!press()) requestAnimationFrame(poll); };
  requestAnimationFrame(poll);
})();
"#;

/// Writes a `gzip -9` copy beside each file of `dist` (`X.gz`), which the loopback server sends
/// compressed as a static host would; returns the copies, to remove afterwards.
fn compress(dist: &Path) -> Result<Vec<PathBuf>, String> {
    let mut copies = Vec::new();
    for entry in std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))? {
        let path = entry.map_err(err)?.path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "gz") {
            continue;
        }
        let compressed = crate::gzip::compress(&path)?;
        let mut copy = path.clone().into_os_string();
        copy.push(".gz");
        let copy = PathBuf::from(copy);
        std::fs::write(&copy, compressed).map_err(|e| format!("{}: {e}", copy.display()))?;
        copies.push(copy);
    }
    Ok(copies)
}

/// Loads the page in `dist` once under each of [`CONDITIONS`], with the browser's cache off and
/// its service worker bypassed, and trains the playground for `seconds` in each.
pub async fn measure_conditions(
    dist: &Path,
    seconds: f64,
) -> Result<Vec<ConditionFigures>, String> {
    let copies = compress(dist)?;
    let result = measure_each_condition(dist, seconds).await;
    for copy in copies {
        let _ = std::fs::remove_file(copy);
    }
    result
}

async fn measure_each_condition(
    dist: &Path,
    seconds: f64,
) -> Result<Vec<ConditionFigures>, String> {
    let page = Page::open_in(dist, "/", 1280, 900).await?;
    // The first visit installs the service worker; its downloads end before anything is measured.
    page.wait_until(
        "!('serviceWorker' in navigator) || navigator.serviceWorker.controller !== null",
        60,
    )
    .await?;
    page.cdp("Network.enable", json!({})).await?;
    page.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
        .await?;
    page.cdp("Network.setBypassServiceWorker", json!({ "bypass": true }))
        .await?;
    page.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": PLAY_WATCH }),
    )
    .await?;
    let mut rows = Vec::new();
    for condition in CONDITIONS {
        println!("spiega bench: the page, {}", condition.name);
        let (latency, down, up) = if condition.slow_network {
            (SLOW_RTT_MS, SLOW_DOWN_BITS / 8.0, SLOW_UP_BITS / 8.0)
        } else {
            (0.0, -1.0, -1.0)
        };
        page.cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": latency,
                    "downloadThroughput": down, "uploadThroughput": up }),
        )
        .await?;
        page.cdp(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": condition.cpu_slowdown }),
        )
        .await?;
        page.client.goto("about:blank").await.map_err(err)?;
        page.client
            .goto(&format!("{}/", page.base))
            .await
            .map_err(err)?;
        page.wait_until("window.__bench.playWorks >= 0", 120)
            .await?;
        let loaded = page
            .js(
                "const first = (performance.getEntriesByName('spiega:first-chart')[0] || {startTime: -1}).startTime;
                 const entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
                 const bytes = (list) => list.reduce((sum, e) => sum + e.transferSize, 0);
                 return { first, play: window.__bench.playWorks,
                          before: bytes(entries.filter((e) => e.responseEnd <= first)) };",
            )
            .await?;
        page.js("window.scrollTo(0, document.body.scrollHeight);")
            .await?;
        page.wait_until("document.readyState === 'complete'", 60)
            .await?;
        // Every figure has mounted, those that fetch data once it arrived: nothing more loads.
        page.wait_until(
            "performance.getEntriesByName('spiega:all-figures').length > 0",
            120,
        )
        .await?;
        let total = page
            .js("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                   .reduce((sum, e) => sum + e.transferSize, 0);")
            .await?;
        page.js("document.querySelector('#fig-playground').scrollIntoView();")
            .await?;
        page.click("#fig-playground [data-role=play]").await?;
        let [frames, ..] = count_frames(&page, seconds).await?;
        page.click("#fig-playground [data-role=play]").await?;
        let number = |v: &Value, what: &str| {
            v.as_f64()
                .filter(|x| *x >= 0.0)
                .ok_or_else(|| format!("{}: the page gave no {what}: {v}", condition.name))
        };
        rows.push(ConditionFigures {
            condition,
            bytes_to_interactive: number(&loaded["before"], "bytes")? as u64,
            first_chart_ms: number(&loaded["first"], "first-chart mark")?,
            play_works_ms: number(&loaded["play"], "time for Play")?,
            total_bytes: number(&total, "total bytes")? as u64,
            fps: frames / seconds,
        });
    }
    page.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 1 }))
        .await?;
    page.finish().await?;
    Ok(rows)
}

/// Prints the conditions' figures as one table.
pub fn report_conditions(rows: &[ConditionFigures], seconds: f64) {
    println!(
        "\nthe page under four conditions (release build, gzip, cache off, no service worker; slow \
         network: {:.1} Mbit/s down, {:.0} kbit/s up, {SLOW_RTT_MS:.0} ms round trip)",
        SLOW_DOWN_BITS / 1e6,
        SLOW_UP_BITS / 1e3
    );
    println!(
        "  {:<28} {:>16} {:>12} {:>12} {:>12} {:>10}",
        "condition", "KB to first use", "first chart", "Play works", "KB, all", "fps"
    );
    for r in rows {
        println!(
            "  {:<28} {:>16.1} {:>9.0} ms {:>9.0} ms {:>12.1} {:>10.1}",
            r.condition.name,
            r.bytes_to_interactive as f64 / 1000.0,
            r.first_chart_ms,
            r.play_works_ms,
            r.total_bytes as f64 / 1000.0,
            r.fps
        );
    }
    println!("  (frames per second over {seconds:.0} s of the playground training)");
    for r in rows {
        println!(
            "{}",
            json!({
                "contender": "spiega-page",
                "condition": r.condition.name,
                "bytes_to_first_use": r.bytes_to_interactive,
                "first_chart_ms": round1(r.first_chart_ms),
                "play_works_ms": round1(r.play_works_ms),
                "total_bytes": r.total_bytes,
                "fps": round1(r.fps),
            })
        );
    }
}
