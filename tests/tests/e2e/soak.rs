//! A soak test: the playground trains for a while and neither its WebAssembly memory nor the
//! JavaScript heap may keep growing once it has warmed up.
//!
//! `cargo xtask test` runs it for about 16 seconds; `cargo xtask soak --seconds S` runs it for S
//! seconds (it sets `SPIEGA_SOAK_SECONDS`). The WebAssembly memory is read from the instance the
//! page's loader announces (`TrunkApplicationStarted`), through a listener installed before the
//! page loads, so the page itself carries no test hook. The JavaScript heap is measured after a
//! forced garbage collection, so only live objects count.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};
use std::time::{Duration, Instant};

/// How long training may warm up (first buffers, chart histories filling) before the baseline.
const WARM_UP: Duration = Duration::from_secs(5);
/// How often memory is sampled.
const EVERY: Duration = Duration::from_secs(2);
/// The most the WebAssembly memory may grow after warm-up: one 64 KiB page per 8 s of training
/// at most would still be a leak; a healthy run does not grow at all.
const WASM_BOUND: f64 = 256.0 * 1024.0;
/// The most the live JavaScript heap may grow after warm-up.
const HEAP_BOUND: f64 = 2.0 * 1024.0 * 1024.0;

/// One sample: seconds since training started, WebAssembly memory and live JS heap in bytes.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: f64,
    wasm: f64,
    heap: f64,
}

async fn sample(page: &Page, started: Instant) -> Result<Sample> {
    page.cdp("HeapProfiler.collectGarbage", json!({})).await?;
    let heap = page.cdp("Runtime.getHeapUsage", json!({})).await?;
    let wasm = page
        .js("return window.spiegaWasmMemory ? window.spiegaWasmMemory.buffer.byteLength : -1;")
        .await?;
    Ok(Sample {
        at: started.elapsed().as_secs_f64(),
        wasm: wasm.as_f64().unwrap_or(-1.0),
        heap: heap["usedSize"].as_f64().unwrap_or(-1.0),
    })
}

fn mib(bytes: f64) -> String {
    format!("{:.2} MiB", bytes / 1024.0 / 1024.0)
}

#[test]
fn the_playground_trains_without_its_memory_growing() {
    run(async {
        let seconds: u64 = std::env::var("SPIEGA_SOAK_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(16);
        let page = Page::open("/", 1280, 900).await?;
        page.cdp("HeapProfiler.enable", json!({})).await?;
        page.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "addEventListener('TrunkApplicationStarted', (e) => {
                 window.spiegaWasmMemory = e.detail.wasm.memory;
               });" }),
        )
        .await?;
        page.goto("/#networkShape=8,8,8&dataset=spiral&noise=10")
            .await?;
        page.js("location.reload(); return 0;").await?;
        page.wait_until(
            "document.documentElement.dataset.spiega === 'ready' && !!window.spiegaWasmMemory",
            20,
        )
        .await?;
        let fig = "#fig-playground";
        page.set_slider(&format!("{fig} [data-role=\"speed\"]"), 25.0)
            .await?;
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        let started = Instant::now();
        let first = sample(&page, started).await?;
        assert!(first.wasm > 0.0, "the WebAssembly memory is not readable");
        println!(
            "soak: start       wasm {}  heap {}",
            mib(first.wasm),
            mib(first.heap)
        );
        let mut baseline: Option<Sample> = None;
        let mut samples = Vec::new();
        let mut steps_before = 0.0;
        while started.elapsed() < Duration::from_secs(seconds) {
            tokio::time::sleep(EVERY).await;
            let s = sample(&page, started).await?;
            let state = page.state(fig).await?;
            let steps = state["step"].as_f64().unwrap_or(0.0);
            println!(
                "soak: {:5.1} s  wasm {}  heap {}  steps {steps}",
                s.at,
                mib(s.wasm),
                mib(s.heap)
            );
            assert!(steps > steps_before, "training stopped: {state}");
            steps_before = steps;
            if baseline.is_none() && s.at >= WARM_UP.as_secs_f64() {
                baseline = Some(s);
            }
            samples.push(s);
        }
        page.click(&format!("{fig} [data-role=\"play\"]")).await?;
        let base = baseline.ok_or("the soak ended before warm-up; give it more seconds")?;
        let last = *samples.last().ok_or("no samples")?;
        let peak_wasm = samples.iter().map(|s| s.wasm).fold(0.0, f64::max);
        let peak_heap = samples
            .iter()
            .filter(|s| s.at >= base.at)
            .map(|s| s.heap)
            .fold(0.0, f64::max);
        println!(
            "soak: after warm-up ({:.0} s) wasm {}  heap {}; after {:.0} s wasm {}  heap {} ({} steps)",
            base.at,
            mib(base.wasm),
            mib(base.heap),
            last.at,
            mib(last.wasm),
            mib(last.heap),
            steps_before
        );
        assert!(
            peak_wasm - base.wasm <= WASM_BOUND,
            "WebAssembly memory grew from {} to {}",
            mib(base.wasm),
            mib(peak_wasm)
        );
        assert!(
            last.heap - base.heap <= HEAP_BOUND,
            "the JavaScript heap grew from {} to {} (peak {})",
            mib(base.heap),
            mib(last.heap),
            mib(peak_heap)
        );
        let _: Value = page.state(fig).await?;
        page.finish().await
    })
}
