//! `cargo xtask check-exports`: runs the playground's exported PyTorch and Keras scripts and
//! compares them with the engine (not part of `test`: it installs PyTorch, Keras and JAX).
//!
//! It makes `.tools/venv-exports` (`python3 -m venv`) and installs torch, keras (Keras 3) and
//! jax[cpu] from the package registry, with pip's cache off. The registry's torch for Linux
//! loads its CUDA libraries when it is imported, even on a machine without a GPU, so they come
//! with it: `--no-deps` leaves a torch that fails at `import torch`. Keras runs on JAX
//! (`KERAS_BACKEND=jax`).
//!
//! Then, for each network of [`networks`], it writes both scripts and runs each with
//! [`DRIVER`], which checks the script's map against the page's and one update of the script's
//! training loop against the engine's next update (see `export_check`). It prints a table of the
//! largest differences and fails on any miss.

use crate::setup::{env_python, python_env};
use spiega_lessons::playground::export_check::{Case, DRIVER, Found, STEP_TOLERANCE, networks};
use spiega_lessons::playground::export_code::{Language, TOLERANCE};
use std::path::Path;
use std::process::Command;

/// What the environment needs, as pip names them.
const PACKAGES: &[&str] = &["torch", "keras", "jax[cpu]", "setuptools>=77.0.3"];

/// The environment's folder under `.tools`.
const ENV_DIR: &str = "venv-exports";

/// A command running the environment's Python with Keras on JAX.
fn py(root: &Path) -> Command {
    let mut c = Command::new(env_python(root, ENV_DIR));
    c.env("KERAS_BACKEND", "jax").current_dir(root);
    c
}

/// Makes `.tools/venv-exports` with PyTorch, Keras and JAX, unless they import already.
fn environment(root: &Path) -> Result<(), String> {
    python_env(
        root,
        ENV_DIR,
        PACKAGES,
        "import os; os.environ['KERAS_BACKEND'] = 'jax'; import torch, keras, jax; \
         assert keras.backend.backend() == 'jax'",
    )
}

/// Runs one script of `case` through the driver.
fn check(root: &Path, dir: &Path, case: &Case, language: Language) -> Result<Found, String> {
    let stem = format!(
        "{}_{}",
        case.name.replace([' ', ','], "_"),
        language.label().to_lowercase()
    );
    let script = dir.join(format!("{stem}.py"));
    let input = dir.join(format!("{stem}.json"));
    let write = |p: &Path, text: &str| {
        std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))
    };
    write(&script, &case.export.script(language))?;
    write(&input, &case.driver_input(&script.to_string_lossy()))?;
    let out = py(root)
        .arg(dir.join("driver.py"))
        .arg(&input)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", env_python(root, ENV_DIR).display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
        return Err(format!(
            "{} failed:\n{}",
            script.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        ));
    }
    Found::parse(&stdout)
}

/// The task: set up, check every network in both languages, print the table.
pub fn main(root: &Path, args: &[String]) -> Result<bool, String> {
    // Networks whose names contain one of the arguments; all of them without arguments.
    let chosen = |name: &str| args.is_empty() || args.iter().any(|a| name.contains(a.as_str()));
    if let Some(a) = args
        .iter()
        .find(|a| !networks().iter().any(|(n, _)| n.contains(a.as_str())))
    {
        return Err(format!("no network's name contains \"{a}\""));
    }
    environment(root)?;
    let dir = std::env::temp_dir().join(format!("spiega-check-exports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    std::fs::write(dir.join("driver.py"), DRIVER).map_err(|e| e.to_string())?;
    println!(
        "predictions against the page's: within {TOLERANCE:e} as exported, within {STEP_TOLERANCE:e} after one update (relative to max(1, |value|))\n"
    );
    println!(
        "{:<8} {:<38} {:>12} {:>16}",
        "format", "network", "predictions", "after one update"
    );
    let mut ok = true;
    let mut largest = [(0.0_f64, 0.0_f64); 2];
    for (name, config) in networks().into_iter().filter(|(n, _)| chosen(n)) {
        let case = Case::new(&name, config).map_err(|e| format!("{name}: {e}"))?;
        for (i, language) in [Language::PyTorch, Language::Keras].into_iter().enumerate() {
            let (grid, step, pass) = match check(root, &dir, &case, language) {
                Ok(mut f) => {
                    // A difference the script names (Keras's running variance) is not checked
                    // after the update; the map as exported still is.
                    let named = language == Language::Keras && case.export.has_batch_norm();
                    if named {
                        f.step = None;
                    }
                    largest[i].0 = largest[i].0.max(f.grid);
                    largest[i].1 = largest[i].1.max(f.step.unwrap_or(0.0));
                    let skipped = if named { "(named)" } else { "(dropout)" };
                    let step = f.step.map_or(skipped.into(), |s| format!("{s:.3e}"));
                    (format!("{:.3e}", f.grid), step, f.passes())
                }
                Err(e) => {
                    eprintln!("{name}, {}: {e}", language.label());
                    ("error".into(), "error".into(), false)
                }
            };
            ok &= pass;
            println!(
                "{:<8} {:<38} {grid:>12} {step:>16}{}",
                language.label(),
                name,
                if pass { "" } else { "  MISS" }
            );
        }
    }
    for (i, language) in [Language::PyTorch, Language::Keras].into_iter().enumerate() {
        println!(
            "{}: largest prediction difference {:.3e}, after one update {:.3e}",
            language.label(),
            largest[i].0,
            largest[i].1
        );
    }
    if ok {
        std::fs::remove_dir_all(&dir).ok();
    } else {
        println!(
            "the scripts and the driver's inputs are kept in {}",
            dir.display()
        );
    }
    println!(
        "{}",
        if ok {
            "every script matches"
        } else {
            "some scripts differ"
        }
    );
    Ok(ok)
}
