//! `cargo xtask test`: every check the project has, in order, with a summary at the end.
//!
//! Steps: formatting, lints (host and wasm32), import cycles between files (`cargo xtask
//! cycles`), the engine's and the task runner's unit tests, the reference cases, the web crate's
//! component tests in headless Chromium, a release build of the page (assembled from its section
//! files first), the end-to-end tests against that build in headless Chromium (two at a time, then
//! [`ALONE`] one by one), and their smoke subset ([`SMOKE`]) in Firefox and in WebKit. Each step's tests are counted from its output.

use crate::setup;
use std::io::{BufRead, BufReader};
use std::path::Path;
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

/// The command that runs the smoke tests in `engine` (`firefox` or `webkit`).
fn smoke_command(root: &Path, dist: &Path, engine: &str) -> Command {
    let mut c = setup::command("cargo", root);
    c.args([
        "test",
        "-p",
        "spiega-e2e",
        "--",
        "--exact",
        "--test-threads=1",
    ])
    .args(SMOKE)
    .env("SPIEGA_DIST", dist)
    .env("SPIEGA_BROWSER", engine);
    c
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
    let mut steps = vec![
        run_step("format", cargo(&["fmt", "--all", "--check"])),
        run_step(
            "lints (host)",
            cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        run_step(
            "lints (wasm32: library and lessons)",
            cargo(&[
                "clippy",
                "-p",
                "spiega-nn",
                "-p",
                "spiega-lessons",
                "--lib",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        run_step(
            "lints (wasm32: page)",
            cargo(&[
                "clippy",
                "-p",
                "spiega-web",
                "--all-targets",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        run_step("import cycles", cargo(&["xtask", "cycles"])),
        run_step(
            "unit tests",
            cargo(&[
                "test",
                "-p",
                "spiega-nn",
                "-p",
                "spiega-lessons",
                "-p",
                "xtask",
                "-p",
                "spiega-web",
                "-p",
                "spiega-bench",
            ]),
        ),
        run_step("reference cases", cargo(&["xtask", "reference"])),
        run_step(
            "component tests (wasm, headless Chromium)",
            cargo(&[
                "test",
                "-p",
                "spiega-web",
                "--target",
                "wasm32-unknown-unknown",
            ]),
        ),
    ];
    match crate::assemble::release_build(root, &dist) {
        Ok(build) => steps.push(run_step("release build of the page", build)),
        Err(e) => {
            println!("\n==> release build of the page\n{e}");
            steps.push(Step::failed("release build of the page"));
        }
    }
    if steps.last().is_some_and(|s| s.ok) {
        let mut e2e = cargo(&["test", "-p", "spiega-e2e", "--", "--test-threads=2"]);
        for test in ALONE {
            e2e.args(["--skip", test]);
        }
        e2e.env("SPIEGA_DIST", &dist);
        steps.push(run_step("end-to-end tests (headless Chromium)", e2e));
        let mut alone = cargo(&["test", "-p", "spiega-e2e", "--", "--test-threads=1"]);
        alone.args(ALONE).env("SPIEGA_DIST", &dist);
        steps.push(run_step("end-to-end tests that watch frames, alone", alone));
        steps.push(run_step(
            "smoke tests (headless Firefox)",
            smoke_command(root, &dist, "firefox"),
        ));
        steps.push(run_step(
            "smoke tests (WebKit under Xvfb)",
            smoke_command(root, &dist, "webkit"),
        ));
    }

    println!("\n==> summary");
    for s in &steps {
        println!(
            "{:<4} {:<44} {:>6.1} s  {} passed, {} failed",
            if s.ok { "ok" } else { "FAIL" },
            s.name,
            s.seconds,
            s.passed,
            s.failed
        );
    }
    let all_ok = steps.iter().all(|s| s.ok) && steps.len() == 13;
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
