//! `cargo xtask test`: every check the project has, in order, with a summary at the end.
//!
//! Steps: formatting; the lints, which ride on the builds of the tests ([`linted`]): every
//! host target of the workspace, then the web crate's for wasm32 (with the library and the
//! lessons it uses); import cycles between files (`cargo xtask cycles`); the unit tests of
//! every crate but the end-to-end harness; the reference cases; the web crate's component tests
//! in headless Chromium; a release build of the page (assembled from its section files first);
//! the end-to-end tests against that build in headless Chromium (two at a time, then [`ALONE`]
//! one by one), run from the test binary the host build made; and their smoke subset
//! ([`SMOKE`]) in Firefox and in WebKit. Each step's tests are counted from its output.

use crate::setup;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The end-to-end tests that run in every engine, by their paths in the one end-to-end test
/// binary (`tests/tests/e2e`): every figure draws, the console and figure-error check catches a
/// planted error, the playground trains and a copied link replays the same losses, and the
/// backpropagation step-through works with buttons and keys. Chromium runs every test; Firefox
/// and WebKit run these, since they are slow to drive (WebKit renders in software under Xvfb) and
/// the rest of the suite leans on Chromium's DevTools.
pub const SMOKE: &[&str] = &[
    "page::every_figure_draws_on_each_of_its_canvases",
    "page::a_console_error_fails_the_page_check",
    "playground::a_copied_link_replays_the_same_run_to_the_last_digit",
    "backprop::stepping_through_shows_the_engines_numbers_and_the_update_lowers_the_loss",
];

/// The end-to-end tests that run alone after the rest, as filters on their paths: the playground
/// moving on nearly every animation frame, and the memory soak. The rest run two at a time, each
/// with its own browser, server and profile; a second browser drawing and training beside them
/// shares the processor and makes the browser's frames uneven, which is the frame test's subject.
pub const ALONE: &[&str] = &[
    "playground::playing_shows_new_updates_on_every_frame",
    "soak::",
];

/// Has cargo compile the workspace's own crates with Clippy's `driver`, which builds them as
/// rustc does and lints them on the way, every warning an error: the lints cost no second pass
/// over the dependencies, as `cargo clippy` (a check build beside the test build) did. Every
/// cargo command of the test run goes through it, so each reuses what an earlier one built.
fn linted(mut c: Command, driver: &str) -> Command {
    // The arguments `cargo clippy -- -D warnings` hands its driver, in the form it hands them.
    c.env("RUSTC_WORKSPACE_WRAPPER", driver).env(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    );
    c
}

/// The path of Clippy's driver in the toolchain (`clippy-driver` from the path when rustup
/// cannot say).
fn clippy_driver(root: &Path) -> String {
    setup::command("rustup", root)
        .args(["which", "clippy-driver"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "clippy-driver".into())
}

/// The command that runs the end-to-end test binary `e2e` (built by the host build) with `args`
/// against the page in `dist`, from the harness's folder, as `cargo test` would run it.
fn e2e_command(root: &Path, e2e: &Path, dist: &Path, args: &[&str]) -> Command {
    let mut c = setup::command(&e2e.display().to_string(), &root.join("tests"));
    c.args(args).env("SPIEGA_DIST", dist);
    c
}

/// Runs the host build of every test target (`cargo test --no-run`, with JSON messages on
/// standard output and the compiler's own on standard error) and returns the step and the path
/// of the end-to-end test binary it made.
fn build_step(name: &'static str, mut cmd: Command) -> (Step, Option<PathBuf>) {
    println!("\n==> {name}");
    let start = Instant::now();
    let mut step = Step::failed(name);
    let mut e2e = None;
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            println!("could not start: {e}");
            return (step, None);
        }
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
                println!("{line}");
                continue;
            };
            let target = &message["target"];
            if message["reason"] == "compiler-artifact"
                && target["name"] == "e2e"
                && target["kind"][0] == "test"
                && let Some(path) = message["executable"].as_str()
            {
                e2e = Some(PathBuf::from(path));
            }
        }
    }
    step.ok = child.wait().map(|s| s.success()).unwrap_or(false);
    step.seconds = start.elapsed().as_secs_f64();
    if step.ok && e2e.is_none() {
        println!("the build made no end-to-end test binary");
        step.ok = false;
    }
    (step, e2e)
}

/// The outcome of one step.
struct Step {
    name: &'static str,
    ok: bool,
    seconds: f64,
    passed: usize,
    failed: usize,
}

impl Step {
    /// A step that has not passed (yet): nothing counted, no time taken.
    fn failed(name: &'static str) -> Self {
        Self {
            name,
            ok: false,
            seconds: 0.0,
            passed: 0,
            failed: 0,
        }
    }
}

/// Runs a command, echoing its standard output while counting cargo's and the checker's results.
fn run_step(name: &'static str, mut cmd: Command) -> Step {
    println!("\n==> {name}");
    let start = Instant::now();
    let mut step = Step::failed(name);
    let child = cmd.stdout(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            println!("could not start: {e}");
            return step;
        }
    };
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            count(&line, &mut step);
        }
    }
    step.ok = child.wait().map(|s| s.success()).unwrap_or(false);
    step.seconds = start.elapsed().as_secs_f64();
    step
}

/// Reads "test result: ok. N passed; M failed" (cargo) and "N passed, M failed, K skipped"
/// (the reference checker).
fn count(line: &str, step: &mut Step) {
    let number_before = |word: &str| -> Option<usize> {
        let i = line.find(word)?;
        line[..i].split_whitespace().last()?.parse().ok()
    };
    if line.starts_with("test result:") {
        step.passed += number_before(" passed;").unwrap_or(0);
        step.failed += number_before(" failed;").unwrap_or(0);
    } else if line.contains(" passed, ") && line.contains(" failed, ") && line.contains(" skipped")
    {
        step.passed += number_before(" passed,").unwrap_or(0);
        step.failed += number_before(" failed,").unwrap_or(0);
    }
}

/// Runs every step and prints the summary; returns whether all passed.
pub fn run(root: &Path) -> Result<bool, String> {
    let started = Instant::now();
    setup::all(root)?;
    let cargo = |args: &[&str]| {
        let mut c = setup::command("cargo", root);
        c.args(args);
        c
    };
    let dist = root.join("target").join("e2e-dist");
    let driver = clippy_driver(root);
    let mut steps = vec![run_step("format", cargo(&["fmt", "--all", "--check"]))];
    let host = cargo(&[
        "test",
        "--workspace",
        "--all-targets",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    let (host_build, e2e) = build_step("lints and build (host)", linted(host, &driver));
    steps.push(host_build);
    steps.extend([
        run_step(
            "lints and build (wasm32: page, library, lessons)",
            linted(
                cargo(&[
                    "test",
                    "-p",
                    "spiega-web",
                    "--all-targets",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--no-run",
                ]),
                &driver,
            ),
        ),
        run_step("import cycles", cargo(&["xtask", "cycles"])),
        run_step(
            "unit tests",
            linted(
                cargo(&["test", "--workspace", "--exclude", "spiega-e2e"]),
                &driver,
            ),
        ),
        run_step("reference cases", cargo(&["xtask", "reference"])),
        run_step(
            "component tests (wasm, headless Chromium)",
            linted(
                cargo(&[
                    "test",
                    "-p",
                    "spiega-web",
                    "--target",
                    "wasm32-unknown-unknown",
                ]),
                &driver,
            ),
        ),
    ]);
    match crate::assemble::release_build(root, &dist) {
        Ok(build) => steps.push(run_step("release build of the page", build)),
        Err(e) => {
            println!("\n==> release build of the page\n{e}");
            steps.push(Step::failed("release build of the page"));
        }
    }
    if let (true, Some(e2e)) = (steps.last().is_some_and(|s| s.ok), e2e) {
        let mut args = vec!["--test-threads=2"];
        for test in ALONE {
            args.extend(["--skip", test]);
        }
        steps.push(run_step(
            "end-to-end tests (headless Chromium)",
            e2e_command(root, &e2e, &dist, &args),
        ));
        let alone = [&["--test-threads=1"], ALONE].concat();
        steps.push(run_step(
            "end-to-end tests that watch frames, alone",
            e2e_command(root, &e2e, &dist, &alone),
        ));
        let smoke = [&["--exact", "--test-threads=1"], SMOKE].concat();
        for (name, engine) in [
            ("smoke tests (headless Firefox)", "firefox"),
            ("smoke tests (WebKit under Xvfb)", "webkit"),
        ] {
            let mut c = e2e_command(root, &e2e, &dist, &smoke);
            c.env("SPIEGA_BROWSER", engine);
            steps.push(run_step(name, c));
        }
    }

    println!("\n==> summary");
    for s in &steps {
        println!(
            "{:<4} {:<50} {:>6.1} s  {} passed, {} failed",
            if s.ok { "ok" } else { "FAIL" },
            s.name,
            s.seconds,
            s.passed,
            s.failed
        );
    }
    let all_ok = steps.iter().all(|s| s.ok) && steps.len() == 12;
    let passed: usize = steps.iter().map(|s| s.passed).sum();
    let failed: usize = steps.iter().map(|s| s.failed).sum::<usize>()
        + steps.iter().filter(|s| !s.ok && s.failed == 0).count();
    println!(
        "total time {:.0} s; {}",
        started.elapsed().as_secs_f64(),
        if all_ok {
            "all steps passed"
        } else {
            "SOME STEPS FAILED"
        }
    );
    println!("tests: {passed} passed, {failed} failed");
    Ok(all_ok)
}
