//! spiega's task runner: `cargo xtask <task>`.
//!
//! - `build`: installs what the page needs and builds the publishable site into `dist/`.
//! - `serve`: installs what the page needs, builds it and serves it on 127.0.0.1.
//! - `assemble`: writes the page, `www/index.html`, from `www/page.html` and the section files
//!   listed in `www/sections/CONTENTS` (every task that builds the page does this first).
//! - `test`: installs what the tests need and runs every check, ending with a summary.
//! - `cycles`: fails when the files of a crate import each other in a cycle (part of `test`).
//! - `setup`: only installs (`build`, `serve` and `test` call it first).
//! - `reference [--strict] [FILE...]`: checks the engine against reference cases: the project's
//!   own strictly, the files given leniently (fields a case does not list are skipped) unless
//!   `--strict`.
//! - `bench [--runs N] [WORKLOAD...]`: times the training workloads natively and in headless
//!   Chromium against ConvNetJS and TensorFlow.js, then measures the page itself: download,
//!   first chart, frames while training, also on a slow network and a slowed processor (see
//!   `crates/xtask/BENCH.md`).
//! - `check-exports`: runs the playground's exported PyTorch and Keras scripts in
//!   `.tools/venv-exports` (made and filled from the package registry) against the engine: their
//!   predictions, and one update of their training loops.
//! - `fuzz [--cases N] [--seconds S]`: the `fuzz_` property tests in release mode with many cases.
//! - `pictures`: makes README's pictures under `docs/` from the release build, refusing any that
//!   shows a notice.
//! - `soak [--seconds S]`: trains the playground in headless Chromium and fails if its memory grows.
//! - `typeset [HTML...]`: turns the LaTeX in built pages into MathML.
//! - `post-build`: run by Trunk after each build on its staged `index.html`: splits a release
//!   build's WebAssembly in two (the playground's part and the rest, see `split.rs`), typesets the LaTeX,
//!   writes the page's data files (the digits) under hashed names, then writes the page's Content-Security-Policy with the hashes of its inline script and styles,
//!   and fills in the service worker's list of the build's files (the offline copy).
//!
//! Each install step looks first and is skipped when the right version is already there.

mod assemble;
mod assets;
mod bench;
mod check_exports;
mod csp;
mod cycles;
mod fuzz;
mod gzip;
mod offline;
mod page_frames;
mod page_speed;
mod pictures;
mod reference;
mod setup;
mod soak;
mod split;
mod test;
mod toc;
mod toolbar;
mod typeset;

use std::path::PathBuf;
use std::process::ExitCode;

/// The workspace root (the parent of `crates/`).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(|p| p.parent())
        .map_or(here.clone(), PathBuf::from)
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  build                 build the publishable site into dist/ (release, relative asset links)
  serve [--port N]      build the page and serve it on http://127.0.0.1:8080/ (installs what is missing)
  assemble              write www/index.html from www/page.html and the files in www/sections/CONTENTS
  test                  run every check: format, lints, library and lessons, reference cases, browser tests
  cycles                fail if the files of any crate import each other in a cycle, listing each
                        cycle and the file and line of each of its edges
  setup                 install what the build and the tests need, and nothing else
  reference [--strict] [FILE...]
                        check the library against reference cases; with no FILE, the project's
                        own (reference/cases/*.json), where a case missing a field fails; a FILE is
                        checked leniently (fields a case does not list are skipped and reported)
                        unless --strict is given
  bench [--runs N] [--native-only | --browser-only | --page-only | --frames [--dist DIR]]
        [--page-seconds S] [WORKLOAD...]
                        time the training workloads W1-W3c natively and in headless Chromium
                        against ConvNetJS and TensorFlow.js, then the page itself, also on a
                        slow network and a slowed processor (--page is --page-only; not part
                        of `test`); --frames only counts frames while each figure that trains
                        plays alone, then all at once, at full speed and with the processor
                        slowed four times (in the page built in DIR if given)
  check-exports [NAME...]
                        install PyTorch, Keras and JAX into .tools/venv-exports and check the
                        playground's exported PyTorch and Keras scripts against the engine: their
                        predictions, and one update of their training loops; NAME picks the networks whose names
                        contain it (not part of `test`)
  fuzz [--cases N] [--seconds S]
                        run the fuzz_ property tests in release mode with N cases each (default
                        10000), repeating until S seconds have passed; prints the total case count
  pictures              make README's pictures (docs/*.png) from the release build; refuses any
                        picture that shows a notice
  soak [--seconds S]    train the playground in headless Chromium for S seconds (default 120),
                        sampling WebAssembly memory and the JS heap; fails if either keeps growing
  typeset [HTML...]     typeset the LaTeX in built HTML as MathML (default: Trunk's staged index.html)
  post-build            split a release build's WebAssembly in two, typeset Trunk's staged
                        index.html, write its Content-Security-Policy and the service worker's
                        list of files";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(&root()).map(|_| true),
        Some("build") => build(&args[1..]),
        Some("serve") => serve(&args[1..]),
        Some("assemble") => assemble::main(&root()).map(|_| true),
        Some("test") => test::run(&root()),
        Some("bench") => bench::main(&root(), &args[1..]),
        Some("check-exports") => check_exports::main(&root(), &args[1..]),
        Some("fuzz") => fuzz::main(&root(), &args[1..]),
        Some("pictures") => pictures::main(&root()),
        Some("soak") => soak::main(&root(), &args[1..]),
        Some("typeset") => typeset::main(&args[1..]).map(|_| true),
        Some("post-build") => typeset::post_build().map(|_| true),
        Some("cycles") => cycles::main(&root()),
        Some("reference") => reference::main(&root(), &args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            Ok(true)
        }
        Some(other) => Err(format!("unknown task \"{other}\"\n\n{USAGE}")),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the page in release mode into `dist/`: the whole site, ready to copy to a static host.
fn build(args: &[String]) -> Result<bool, String> {
    if !args.is_empty() {
        return Err(format!("build takes no arguments\n\n{USAGE}"));
    }
    let root = root();
    setup::web(&root)?;
    let dist = root.join("dist");
    let status = assemble::release_build(&root, &dist)?
        .status()
        .map_err(|e| format!("could not start trunk: {e}"))?;
    if status.success() {
        println!("spiega: the site is in {}", dist.display());
    }
    Ok(status.success())
}

/// Builds the page in release mode and serves it on loopback until interrupted.
fn serve(args: &[String]) -> Result<bool, String> {
    let root = root();
    let port = match args {
        [flag, n] if flag == "--port" => n
            .parse::<u16>()
            .map_err(|_| format!("--port takes a number, got \"{n}\""))?,
        [] => 8080,
        _ => return Err(format!("serve takes only --port N\n\n{USAGE}")),
    };
    setup::web(&root)?;
    assemble::main(&root)?;
    println!("spiega: building and serving at http://127.0.0.1:{port}/ (Ctrl-C stops)");
    let status = setup::command("trunk", &root)
        .args(["serve", "--release", "--address", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .status()
        .map_err(|e| format!("could not start trunk: {e}"))?;
    Ok(status.success())
}
