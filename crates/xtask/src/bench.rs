//! `cargo xtask bench`: the training-speed workloads W1–W3c, timed natively and in headless
//! Chromium against the JavaScript libraries a reader's page would otherwise use.
//!
//! Contenders in the browser, each in its own tab: spiega's engine compiled to WebAssembly (the
//! `spiega-bench` crate, built apart from the page but with the page's profile, SIMD and
//! wasm-opt level), ConvNetJS, and TensorFlow.js on its `cpu` and `wasm` backends. The harness
//! pages are in `crates/xtask/bench/`; the libraries are installed from npm into
//! `.tools/bench/` and copied into the staged site, never committed. The engine's native
//! figures come from a release build of `spiega-bench-native`, one process per run. Runs are
//! interleaved (every contender, native included, runs a workload before any runs it again), so
//! a change in the machine's load touches all of them alike: one warm-up round, then `--runs`
//! timed rounds (default 11).
//!
//! The output is one JSON line per (contender, workload), then a table of spiega's ratios, each
//! the median over the rounds of that round's ratio with its range, under a line giving the
//! machine's highest load against its cores (and saying when the ratios are not fit to
//! publish). A final loss that differs from the listed one is reported as an error, not as a
//! speed.
//! See `crates/xtask/BENCH.md` for the method and figures.

use crate::gzip;
use crate::setup;
use crate::{page_frames, page_speed};
use fantoccini::wd::{TimeoutConfiguration, WindowHandle};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use spiega_bench::workloads::WorkloadId;
use spiega_nn::data::Dataset;
use spiega_nn::data::digits::digits_workload;
use spiega_nn::data::two_d::spiral500;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The npm packages of the JavaScript contenders, at pinned versions.
const PEERS: [(&str, &str); 3] = [
    ("convnetjs", "0.3.0"),
    ("@tensorflow/tfjs", "4.22.0"),
    ("@tensorflow/tfjs-backend-wasm", "4.22.0"),
];

/// Library files copied from `node_modules` into the site's `lib/`.
const LIB_FILES: [&str; 6] = [
    "convnetjs/build/convnet-min.js",
    "@tensorflow/tfjs/dist/tf.min.js",
    "@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
    "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm",
];

/// The tolerance on a final loss: the listed losses are given to five decimals.
const LOSS_TOLERANCE: f64 = 1e-4;

/// The speed targets: spiega in the page over the fastest JavaScript peer (median round ratio).
const TARGETS: [(WorkloadId, f64); 4] = [
    (WorkloadId::W1, 6.0),
    (WorkloadId::W2, 15.0),
    (WorkloadId::W3, 16.0),
    (WorkloadId::W3c, 25.0),
];

/// A contender in the browser: its name, its page, and the files it downloads (site paths).
struct Contender {
    name: &'static str,
    page: &'static str,
    files: &'static [&'static str],
}

const CONTENDERS: [Contender; 4] = [
    Contender {
        name: "spiega",
        page: "spiega.html",
        files: &["pkg/spiega_bench.js", "pkg/spiega_bench_bg.wasm"],
    },
    Contender {
        name: "convnetjs",
        page: "convnetjs.html",
        files: &["lib/convnet-min.js"],
    },
    Contender {
        name: "tfjs-cpu",
        page: "tfjs.html?backend=cpu",
        files: &["lib/tf.min.js"],
    },
    Contender {
        // Without cross-origin isolation (a static host's default) the backend loads its
        // SIMD build without threads.
        name: "tfjs-wasm",
        page: "tfjs.html?backend=wasm",
        files: &[
            "lib/tf.min.js",
            "lib/tf-backend-wasm.min.js",
            "lib/tfjs-backend-wasm-simd.wasm",
        ],
    },
];

/// What the command was asked to do.
struct Options {
    runs: usize,
    workloads: Vec<WorkloadId>,
    native: bool,
    browser: bool,
    /// The browser contenders to run (all by default).
    contenders: Vec<&'static str>,
    /// The wasm-opt level for spiega's module: `None` follows the page's build; `Some("none")`
    /// skips wasm-opt.
    wasm_opt: Option<String>,
    /// Whether to measure the page itself (download, first chart, frames while training).
    page: bool,
    /// How long the playground trains while its frames are counted.
    page_seconds: f64,
    /// Whether to count frames while the figures train ([`page_frames`]), alone and all at once.
    frames: bool,
    /// A release build of the page to count frames in, instead of building one.
    frames_dist: Option<std::path::PathBuf>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        runs: 11,
        workloads: Vec::new(),
        native: true,
        browser: true,
        contenders: CONTENDERS.iter().map(|c| c.name).collect(),
        wasm_opt: None,
        page: true,
        page_seconds: 10.0,
        frames: false,
        frames_dist: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                let n = it.next().ok_or("--runs takes a number")?;
                o.runs =
                    n.parse().ok().filter(|&r| r >= 5).ok_or_else(|| {
                        format!("--runs takes a number of at least 5, got \"{n}\"")
                    })?;
            }
            "--contenders" => {
                let list = it
                    .next()
                    .ok_or("--contenders takes a comma-separated list")?;
                o.contenders = list
                    .split(',')
                    .map(|name| {
                        CONTENDERS
                            .iter()
                            .find(|c| c.name == name)
                            .map(|c| c.name)
                            .ok_or_else(|| format!("unknown contender \"{name}\""))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--wasm-opt" => {
                let level = it
                    .next()
                    .ok_or("--wasm-opt takes a level (z, s, 1-4) or none")?;
                o.wasm_opt = Some(level.clone());
            }
            "--native-only" => {
                o.browser = false;
                o.page = false;
            }
            "--browser-only" => {
                o.native = false;
                o.page = false;
            }
            "--page" | "--page-only" => {
                o.native = false;
                o.browser = false;
            }
            "--frames" => {
                o.native = false;
                o.browser = false;
                o.page = false;
                o.frames = true;
            }
            "--dist" => {
                let dir = it.next().ok_or("--dist takes a directory")?;
                o.frames_dist = Some(dir.into());
            }
            "--page-seconds" => {
                let n = it.next().ok_or("--page-seconds takes a number")?;
                o.page_seconds = n
                    .parse()
                    .ok()
                    .filter(|&s: &f64| s >= 10.0)
                    .ok_or_else(|| format!("--page-seconds takes at least 10, got \"{n}\""))?;
            }
            name => o
                .workloads
                .push(WorkloadId::from_name(name).map_err(|e| e.to_string())?),
        }
    }
    if o.workloads.is_empty() {
        o.workloads = WorkloadId::ALL.to_vec();
    }
    if !o.native && !o.browser && !o.page && !o.frames {
        return Err("--native-only, --browser-only and --page-only exclude each other".into());
    }
    Ok(o)
}

/// How long each frame scenario of `--frames` plays.
const FRAME_SECONDS: f64 = 5.0;

/// The measurements of one (contender, workload).
#[derive(Default)]
struct Measure {
    rates: Vec<f64>,
    /// Why the contender cannot run the workload (a missing feature: not an error of the run).
    unsupported: Option<String>,
    loss: Option<f64>,
    error: Option<String>,
    download: Option<u64>,
    /// Of the download, the gzip size of data compiled into the module (spiega's digits).
    embedded_data: Option<u64>,
}

impl Measure {
    /// Median, min and max samples/second, if there are timed runs.
    fn stats(&self) -> Option<(f64, f64, f64)> {
        median_range(self.rates.clone())
    }

    /// The median when the run is valid (no error, the loss as listed).
    fn speed(&self) -> Option<f64> {
        if self.error.is_some() || self.unsupported.is_some() {
            None
        } else {
            self.stats().map(|s| s.0)
        }
    }

    /// Records a final loss; a loss that does not match the listed one becomes the error.
    fn check_loss(&mut self, loss: f64, want: f32) {
        self.loss = Some(loss);
        if self.error.is_none() && (loss - f64::from(want)).abs() > LOSS_TOLERANCE {
            self.error = Some(format!("final loss {loss}, listed {want}"));
        }
    }

    /// One JSON line, its fields in a fixed order: contender and workload first.
    fn json(&self, contender: &str, workload: WorkloadId) -> String {
        let mut fields = vec![
            ("contender", json!(contender)),
            ("workload", json!(workload.name())),
        ];
        if let Some(error) = &self.error {
            fields.push(("error", json!(error)));
        } else if let Some(why) = &self.unsupported {
            fields.push(("unsupported", json!(why)));
        } else if let Some((median, min, max)) = self.stats() {
            fields.push(("samples_per_sec", json!(median.round())));
            fields.push(("min", json!(min.round())));
            fields.push(("max", json!(max.round())));
        }
        fields.push(("final_loss", json!(self.loss)));
        if let Some(bytes) = self.download {
            fields.push(("download_gzip_bytes", json!(bytes)));
        }
        if let Some(bytes) = self.embedded_data {
            fields.push(("embedded_data_gzip_bytes", json!(bytes)));
        }
        fields.push(("runs", json!(self.rates.len())));
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", json!(k)))
            .collect();
        format!("{{{}}}", body.join(","))
    }
}

/// The median, min and max of `values`, if there are any.
fn median_range(mut values: Vec<f64>) -> Option<(f64, f64, f64)> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = match n {
        0 => return None,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    };
    Some((median, values[0], values[n - 1]))
}

/// `a`'s speed as a multiple of `b`'s, round by round (the rounds are interleaved, so each
/// ratio compares two runs made under the same load): median, min and max over the rounds,
/// when both runs are valid.
fn round_ratios(a: &Measure, b: &Measure) -> Option<(f64, f64, f64)> {
    a.speed()?;
    b.speed()?;
    let ratios = a
        .rates
        .iter()
        .zip(&b.rates)
        .filter(|(_, b)| **b > 0.0)
        .map(|(a, b)| a / b)
        .collect();
    median_range(ratios)
}

/// The machine's load while the benchmark ran: the one-minute load average read before each
/// round and after the last, against the number of cores.
struct Load {
    samples: Vec<f64>,
    cores: usize,
}

impl Load {
    fn new() -> Self {
        Load {
            samples: Vec::new(),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// Reads the one-minute load average (`/proc/loadavg`; nothing where there is none).
    fn sample(&mut self) {
        if let Some(load) = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
        {
            self.samples.push(load);
        }
    }

    /// The highest load seen.
    fn max(&self) -> Option<f64> {
        self.samples.iter().copied().reduce(f64::max)
    }

    /// The line printed beside the table; says plainly when the ratios are not fit to publish.
    fn verdict(&self) -> String {
        match self.max() {
            None => "machine load: unknown (no /proc/loadavg)".to_owned(),
            Some(max) if max > self.cores as f64 => format!(
                "machine load: up to {max:.1} on {} cores, MORE THAN THE CORES: other work ran \
                 beside the benchmark, so these ratios are not fit to publish; run again quietly",
                self.cores
            ),
            Some(max) => format!(
                "machine load: up to {max:.1} on {} cores (quiet enough to publish)",
                self.cores
            ),
        }
    }
}

/// The native figures' contender name.
const NATIVE: &str = "spiega-native";

/// Measurements keyed by workload, then contender (in the order the report prints them).
type Results = BTreeMap<(usize, usize), Measure>;

/// The key of a (contender, workload) pair: browser contenders in order, then native.
fn key(contender: &str, id: WorkloadId) -> (usize, usize) {
    let w = WorkloadId::ALL.iter().position(|&x| x == id).unwrap_or(0);
    let c = CONTENDERS
        .iter()
        .position(|c| c.name == contender)
        .unwrap_or(CONTENDERS.len());
    (w, c)
}

/// The contender and workload of a key.
fn names(key: (usize, usize)) -> (&'static str, WorkloadId) {
    let id = WorkloadId::ALL
        .get(key.0)
        .copied()
        .unwrap_or(WorkloadId::W1);
    (CONTENDERS.get(key.1).map_or(NATIVE, |c| c.name), id)
}

/// Runs the benchmark; returns whether every run ended with the listed final loss.
pub fn main(root: &Path, args: &[String]) -> Result<bool, String> {
    let o = parse(args)?;
    let native = if o.native {
        Some(build_native(root)?)
    } else {
        None
    };
    let mut results = Results::new();
    let site = if o.browser {
        let site = prepare_site(root, &o)?;
        download_sizes(root, &site, &o, &mut results)?;
        Some(site)
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut ok = true;
    if o.native || o.browser {
        let mut load = Load::new();
        rt.block_on(run_all(
            site.as_deref(),
            native.as_deref(),
            &o,
            &mut results,
            &mut load,
        ))?;
        ok = report(&o, &results, &load);
    }
    if o.page {
        let dist = page_speed::build(root)?;
        let figures = rt.block_on(page_speed::measure(&dist, o.page_seconds))?;
        page_speed::report(&figures);
        let rows = rt.block_on(page_speed::measure_conditions(&dist, o.page_seconds))?;
        page_speed::report_conditions(&rows, o.page_seconds);
    }
    if o.frames {
        let dist = match &o.frames_dist {
            Some(dir) => dir.clone(),
            None => page_speed::build(root)?,
        };
        let rows = rt.block_on(page_frames::measure(&dist, FRAME_SECONDS))?;
        page_frames::report(&rows);
    }
    Ok(ok)
}

/// Builds the native timer in release mode; returns the path of the binary.
fn build_native(root: &Path) -> Result<PathBuf, String> {
    setup::run(
        "building the native timer (release)",
        setup::command("cargo", root).args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "spiega-bench",
            "--bin",
            "spiega-bench-native",
        ]),
    )?;
    let bin = root.join("target").join("release").join(format!(
        "spiega-bench-native{}",
        std::env::consts::EXE_SUFFIX
    ));
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!("{} was not built", bin.display()))
    }
}

/// One native run of a workload in its own process (which warms up once, then times one run):
/// samples/second and the final loss, or the error it reported.
fn native_once(bin: &Path, id: WorkloadId) -> Result<(f64, f64), String> {
    let out = std::process::Command::new(bin)
        .args(["--runs", "1", id.name()])
        .output()
        .map_err(|e| format!("could not run {}: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or("");
    let v: Value = serde_json::from_str(line).map_err(|e| {
        format!(
            "the native timer printed \"{line}\" ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    if let Some(error) = v["error"].as_str() {
        return Err(error.to_owned());
    }
    match (v["samples_per_sec"].as_f64(), v["final_loss"].as_f64()) {
        (Some(rate), Some(loss)) => Ok((rate, loss)),
        _ => Err(format!("the native timer printed \"{line}\"")),
    }
}

/// Installs the peers, builds spiega's bench module and stages every page under
/// `target/bench/site`; returns that folder.
fn prepare_site(root: &Path, o: &Options) -> Result<PathBuf, String> {
    setup::web(root)?;
    setup::browser(root)?;
    let modules = install_peers(root)?;
    let site = root.join("target").join("bench").join("site");
    let _ = std::fs::remove_dir_all(&site);
    let lib = site.join("lib");
    let pkg = site.join("pkg");
    for dir in [&lib, &pkg] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }

    setup::run(
        "building spiega's bench module for wasm32 (release, simd128)",
        setup::command("cargo", root).args([
            "build",
            "--release",
            "--quiet",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "spiega-bench",
            "--lib",
        ]),
    )?;
    let wasm = root
        .join("target")
        .join("wasm32-unknown-unknown")
        .join("release")
        .join("spiega_bench.wasm");
    setup::run(
        "generating its JavaScript bindings",
        setup::command("wasm-bindgen", root)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&pkg)
            .arg(&wasm),
    )?;
    let level = match o.wasm_opt.as_deref() {
        Some("none") => None,
        Some(level) => Some(level.to_owned()),
        None => Some(crate::split::WASM_OPT_LEVEL.to_owned()),
    };
    if let Some(level) = level {
        let module = pkg.join("spiega_bench_bg.wasm");
        setup::run(
            &format!("optimising it with wasm-opt -O{level}"),
            setup::command("wasm-opt", root)
                .arg(format!("-O{level}"))
                .arg("--output")
                .arg(&module)
                .arg(&module),
        )?;
    }

    for rel in LIB_FILES {
        let from = modules.join(rel);
        let name = Path::new(rel)
            .file_name()
            .ok_or("a library file has no name")?;
        std::fs::copy(&from, lib.join(name)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    let pages = root.join("crates").join("xtask").join("bench");
    let entries = std::fs::read_dir(&pages).map_err(|e| format!("{}: {e}", pages.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, site.join(name))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let index: String = CONTENDERS
        .iter()
        .map(|c| format!("<li><a href=\"{}\">{}</a></li>", c.page, c.name))
        .collect();
    std::fs::write(
        site.join("index.html"),
        format!("<!doctype html><title>spiega benchmark</title><ul>{index}</ul>\n"),
    )
    .map_err(|e| format!("index.html: {e}"))?;
    std::fs::write(site.join("data.json"), data_json()?.to_string())
        .map_err(|e| format!("data.json: {e}"))?;
    Ok(site)
}

/// Installs the JavaScript contenders into `.tools/bench` unless the pinned versions are there;
/// returns its `node_modules`.
fn install_peers(root: &Path) -> Result<PathBuf, String> {
    let prefix = setup::tools_dir(root).join("bench");
    let modules = prefix.join("node_modules");
    let installed = |name: &str, version: &str| {
        std::fs::read_to_string(modules.join(name).join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .is_some_and(|v| v["version"] == version)
    };
    if PEERS.iter().all(|(n, v)| installed(n, v)) {
        return Ok(modules);
    }
    std::fs::create_dir_all(&prefix).map_err(|e| format!("{}: {e}", prefix.display()))?;
    setup::run(
        "installing ConvNetJS and TensorFlow.js from npm into .tools/bench",
        setup::command("npm", root)
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefix",
            ])
            .arg(&prefix)
            .args(PEERS.iter().map(|(n, v)| format!("{n}@{v}"))),
    )?;
    Ok(modules)
}

/// The workloads' numbers and data for the JavaScript pages, from the engine itself.
fn data_json() -> Result<Value, String> {
    let set = |d: &Dataset| {
        let x = d.x();
        let rows: Vec<f32> = (0..x.nrows())
            .flat_map(|r| (0..x.ncols()).map(move |c| x[(r, c)]))
            .collect();
        json!({ "x": rows, "labels": d.labels().unwrap_or(&[]) })
    };
    let digits = digits_workload().map_err(|e| e.to_string())?;
    let workloads: serde_json::Map<String, Value> = WorkloadId::ALL
        .iter()
        .map(|id| {
            let s = id.spec();
            let v = json!({
                "batch": s.batch,
                "lr": s.learning_rate,
                "steps": s.steps,
                "init_seed": s.init_seed,
                "expected_final_loss": s.expected_final_loss,
            });
            (id.name().to_owned(), v)
        })
        .collect();
    Ok(json!({
        "workloads": workloads,
        "sets": { "spiral": set(&spiral500()), "digits": set(&digits) },
    }))
}

/// Records each browser contender's download size (gzip of its library files).
fn download_sizes(
    root: &Path,
    site: &Path,
    o: &Options,
    results: &mut Results,
) -> Result<(), String> {
    // The engine compiles the digits into its module; the peers get them from data.json.
    let digits = root
        .join("crates")
        .join("nn")
        .join("assets")
        .join("digits.bin");
    let embedded = gzip::size(&digits)?;
    for c in CONTENDERS.iter().filter(|c| o.contenders.contains(&c.name)) {
        let mut bytes = 0;
        for f in c.files {
            bytes += gzip::size(&site.join(f))?;
        }
        for &id in &o.workloads {
            let m = results.entry(key(c.name, id)).or_default();
            m.download = Some(bytes);
            if c.name == "spiega" {
                m.embedded_data = Some(embedded);
            }
        }
    }
    Ok(())
}

/// Starts the server, ChromeDriver and Chromium when there is a site to run, then the rounds.
async fn run_all(
    site: Option<&Path>,
    native: Option<&Path>,
    o: &Options,
    results: &mut Results,
    load: &mut Load,
) -> Result<(), String> {
    let Some(site) = site else {
        return rounds(None, native, o, results, load).await;
    };
    let server = spiega_e2e::StaticServer::start(site)?;
    let profile = std::env::temp_dir().join(format!("spiega-bench-{}", std::process::id()));
    std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
    let driver = spiega_e2e::Driver::start(spiega_e2e::Engine::Chromium, &profile)?;
    let caps = json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let Value::Object(caps) = caps else {
        return Err("capabilities".into());
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .map_err(|e| format!("could not start Chromium through chromedriver: {e}"))?;
    let outcome = match open_tabs(&client, &server.base, o).await {
        Ok(tabs) => rounds(Some((&client, &tabs)), native, o, results, load).await,
        Err(e) => Err(e),
    };
    let _ = client.close().await;
    let _ = std::fs::remove_dir_all(&profile);
    outcome
}

/// Opens each chosen contender's page in its own tab and waits until it is ready.
async fn open_tabs(
    client: &Client,
    base: &str,
    o: &Options,
) -> Result<Vec<(&'static Contender, WindowHandle)>, String> {
    let long = Duration::from_secs(600);
    client
        .update_timeouts(TimeoutConfiguration::new(Some(long), Some(long), None))
        .await
        .map_err(|e| e.to_string())?;
    let mut tabs = Vec::new();
    let chosen = CONTENDERS.iter().filter(|c| o.contenders.contains(&c.name));
    for (i, c) in chosen.enumerate() {
        let tab = if i == 0 {
            client.window().await.map_err(|e| e.to_string())?
        } else {
            client
                .new_window(true)
                .await
                .map_err(|e| e.to_string())?
                .handle
        };
        client
            .switch_to_window(tab.clone())
            .await
            .map_err(|e| e.to_string())?;
        client
            .goto(&format!("{base}/{}", c.page))
            .await
            .map_err(|e| e.to_string())?;
        wait_ready(client, c.name).await?;
        tabs.push((c, tab));
    }
    Ok(tabs)
}

/// One warm-up round and `o.runs` timed rounds. Within a round each workload runs once per
/// contender, one after another: every browser tab, then the native timer in its own process.
async fn rounds(
    browser: Option<(&Client, &[(&'static Contender, WindowHandle)])>,
    native: Option<&Path>,
    o: &Options,
    results: &mut Results,
    load: &mut Load,
) -> Result<(), String> {
    let tabs = browser.map_or(0, |b| b.1.len());
    println!(
        "spiega bench: {tabs} contenders in headless Chromium{}, 1 warm-up + {} timed rounds",
        if native.is_some() { " and native" } else { "" },
        o.runs
    );
    for round in 0..=o.runs {
        load.sample();
        for &id in &o.workloads {
            if let Some((client, tabs)) = browser {
                for (c, tab) in tabs {
                    let m = results.entry(key(c.name, id)).or_default();
                    if m.error.is_none() && m.unsupported.is_none() {
                        run_in_tab(client, tab, id, round > 0, m).await?;
                    }
                }
            }
            if let Some(bin) = native {
                let m = results.entry(key(NATIVE, id)).or_default();
                if m.error.is_none() {
                    match native_once(bin, id) {
                        Ok((rate, loss)) => {
                            m.check_loss(loss, id.spec().expected_final_loss);
                            if round > 0 {
                                m.rates.push(rate);
                            }
                        }
                        Err(e) => m.error = Some(e),
                    }
                }
            }
        }
        println!(
            "  {} {round} done",
            if round == 0 { "warm-up" } else { "round" }
        );
    }
    load.sample();
    Ok(())
}

/// Runs workload `id` once in a contender's tab and records it in `m` (its speed only when
/// `timed`).
async fn run_in_tab(
    client: &Client,
    tab: &WindowHandle,
    id: WorkloadId,
    timed: bool,
    m: &mut Measure,
) -> Result<(), String> {
    client
        .switch_to_window(tab.clone())
        .await
        .map_err(|e| e.to_string())?;
    let run = client
        .execute(
            "return window.bench.run(arguments[0]);",
            vec![json!(id.name())],
        )
        .await;
    match run {
        Ok(v) => {
            let seconds = v["seconds"].as_f64().unwrap_or(f64::NAN);
            let samples = v["samples"].as_f64().unwrap_or(f64::NAN);
            match v["final_loss"].as_f64() {
                Some(loss) => m.check_loss(loss, id.spec().expected_final_loss),
                None => m.error = Some(format!("no final loss in {v}")),
            }
            if timed && seconds > 0.0 {
                m.rates.push(samples / seconds);
            }
        }
        // TensorFlow.js's wasm backend has no convolution gradients: a missing kernel is the
        // library's limit, reported apart from failures.
        Err(e) if e.to_string().contains("not registered for backend") => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("").to_owned();
            m.unsupported = Some(first.replace("webdriver returned error: ", ""));
        }
        Err(e) => m.error = Some(format!("the run failed: {e}")),
    }
    Ok(())
}

/// Waits until a contender's page has loaded its library and marked itself ready.
async fn wait_ready(client: &Client, name: &str) -> Result<(), String> {
    let start = Instant::now();
    loop {
        let state = client
            .execute(
                "return document.documentElement.dataset.bench || '';",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        match state.as_str().unwrap_or("") {
            "ready" => return Ok(()),
            s if s.starts_with("failed") => return Err(format!("the {name} page {s}")),
            _ if start.elapsed() > Duration::from_secs(60) => {
                return Err(format!("the {name} page was not ready within 60 s"));
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Prints the JSON lines and the ratio table; returns whether every run was valid.
fn report(o: &Options, results: &Results, load: &Load) -> bool {
    println!();
    let mut ok = true;
    for (k, m) in results {
        ok &= m.error.is_none();
        let (contender, id) = names(*k);
        println!("{}", m.json(contender, id));
    }
    if !o.browser {
        return ok;
    }
    let peers: Vec<&str> = CONTENDERS
        .iter()
        .skip(1)
        .map(|c| c.name)
        .filter(|name| o.contenders.contains(name))
        .collect();
    let speed = |c: &str, id: WorkloadId| results.get(&key(c, id)).and_then(Measure::speed);
    let ratio = |a: &str, b: &str, id: WorkloadId| {
        results
            .get(&key(a, id))
            .zip(results.get(&key(b, id)))
            .and_then(|(a, b)| round_ratios(a, b))
    };
    let shown = |r: Option<(f64, f64, f64)>| {
        r.map_or("—".to_owned(), |(m, lo, hi)| {
            format!("{m:.2}× ({lo:.1}–{hi:.1})")
        })
    };
    println!(
        "\nspiega in the page, as a multiple of each peer's samples/second: the median over the \
         rounds of each round's ratio, with its range"
    );
    println!("{}", load.verdict());
    let mut header = format!("{:<5} {:>12}", "", "spiega/s");
    for p in &peers {
        header += &format!(" {:>18}", p);
    }
    header += &format!(" {:>26} {:>8} {:>7}", "vs fastest JS", "target", "met");
    if o.native {
        header += &format!(" {:>12} {:>18}", "native/s", "page/native");
    }
    println!("{header}");
    for &id in &o.workloads {
        let page = speed("spiega", id);
        let mut row = format!(
            "{:<5} {:>12}",
            id.name(),
            page.map_or("—".to_owned(), |s| format!("{s:.0}"))
        );
        for p in &peers {
            row += &format!(" {:>18}", shown(ratio("spiega", p, id)));
        }
        let fastest = peers
            .iter()
            .filter_map(|p| speed(p, id).map(|s| (s, *p)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let target = TARGETS.iter().find(|t| t.0 == id).map_or(0.0, |t| t.1);
        let versus = fastest.and_then(|(_, name)| ratio("spiega", name, id).map(|r| (r, name)));
        let met = match versus {
            Some(((median, _, _), _)) if median >= target => "yes",
            Some(_) => "no",
            None => "—",
        };
        let versus = versus.map_or("—".to_owned(), |(r, name)| {
            format!("{} {name}", shown(Some(r)))
        });
        row += &format!(" {versus:>26} {:>7} {met:>7}", format!("≥{target}×"));
        if o.native {
            let native = speed(NATIVE, id);
            row += &format!(
                " {:>12} {:>11}",
                native.map_or("—".to_owned(), |s| format!("{s:.0}")),
                shown(ratio("spiega", NATIVE, id))
            );
        }
        println!("{row}");
    }
    if o.native {
        println!("(target for the page: at least 0.50× native)");
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_default_to_everything() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.runs, 11);
        assert_eq!(o.workloads, WorkloadId::ALL.to_vec());
        assert!(o.native && o.browser);
        assert_eq!(o.contenders.len(), CONTENDERS.len());
    }

    #[test]
    fn options_are_checked() {
        let o = parse(&args(&[
            "--runs",
            "5",
            "w3c",
            "--contenders",
            "spiega,tfjs-cpu",
        ]))
        .unwrap();
        assert_eq!(o.runs, 5);
        assert_eq!(o.workloads, vec![WorkloadId::W3c]);
        assert_eq!(o.contenders, vec!["spiega", "tfjs-cpu"]);
        assert!(
            parse(&args(&["--runs", "3"])).is_err(),
            "fewer than 5 timed runs"
        );
        assert!(parse(&args(&["--contenders", "keras"])).is_err());
        assert!(parse(&args(&["W9"])).is_err());
        assert!(parse(&args(&["--native-only", "--browser-only"])).is_err());
    }

    #[test]
    fn the_median_and_range_come_from_the_timed_runs() {
        let m = Measure {
            rates: vec![3.0, 1.0, 2.0, 10.0],
            ..Measure::default()
        };
        assert_eq!(m.stats(), Some((2.5, 1.0, 10.0)));
        assert_eq!(Measure::default().stats(), None);
    }

    #[test]
    fn ratios_are_taken_round_by_round_so_a_loaded_round_cancels_out() {
        // Round 2 ran under load, which slowed both contenders. Each round's own ratio is 5, 4
        // and 6: median 5, range 4 to 6. The ratio of the medians (900 / 150 = 6) would pair
        // runs from different rounds.
        let page = Measure {
            rates: vec![1000.0, 400.0, 900.0],
            ..Measure::default()
        };
        let peer = Measure {
            rates: vec![200.0, 100.0, 150.0],
            ..Measure::default()
        };
        assert_eq!(round_ratios(&page, &peer), Some((5.0, 4.0, 6.0)));
        let mut broken = Measure {
            rates: vec![100.0, 100.0, 100.0],
            ..Measure::default()
        };
        broken.error = Some("final loss wrong".into());
        assert_eq!(round_ratios(&page, &broken), None);
    }

    #[test]
    fn a_load_above_the_core_count_says_the_ratios_are_not_fit_to_publish() {
        let quiet = Load {
            samples: vec![0.4, 1.2],
            cores: 2,
        };
        assert!(
            quiet.verdict().contains("quiet enough"),
            "{}",
            quiet.verdict()
        );
        let loaded = Load {
            samples: vec![0.4, 7.5, 1.0],
            cores: 2,
        };
        assert!(
            loaded.verdict().contains("up to 7.5"),
            "{}",
            loaded.verdict()
        );
        assert!(
            loaded.verdict().contains("not fit to publish"),
            "{}",
            loaded.verdict()
        );
    }

    #[test]
    fn a_wrong_final_loss_is_an_error_not_a_speed() {
        let mut m = Measure {
            rates: vec![100.0],
            ..Measure::default()
        };
        m.check_loss(0.46885, 0.46883);
        assert_eq!(m.speed(), Some(100.0));
        m.check_loss(0.4700, 0.46883);
        assert_eq!(m.speed(), None);
        let line = m.json("spiega", WorkloadId::W1);
        assert!(
            line.starts_with(r#"{"contender":"spiega","workload":"W1","error":"#),
            "{line}"
        );
        assert!(!line.contains("samples_per_sec"), "{line}");
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["final_loss"], json!(0.47));
    }

    #[test]
    fn keys_round_trip() {
        for id in WorkloadId::ALL {
            for name in ["spiega", "tfjs-wasm", NATIVE] {
                assert_eq!(names(key(name, id)), (name, id));
            }
        }
    }
}
