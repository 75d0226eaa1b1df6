//! The playground's exported NumPy scripts run with Python and NumPy: for a network of every
//! activation, every loss and several feature sets (scaled or not, with batch normalization and
//! dropout), each script's predictions on its check grid match the page's to 1e-5. The
//! networks are [`networks`], the list `cargo xtask check-exports` checks PyTorch and Keras on;
//! the test prints the largest difference seen (`--nocapture` shows it).
//!
//! The Python is `.tools/venv/bin/python3` (made by `cargo xtask setup`) or `$SPIEGA_PYTHON`;
//! without it the test fails, saying how to make it.

#![allow(clippy::unwrap_used)]

use spiega_lessons::playground::Playground;
use spiega_lessons::playground::export_check::{TRAINED_UPDATES, networks};
use spiega_lessons::playground::export_code::{Export, Language};
use std::path::PathBuf;
use std::process::Command;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SPIEGA_PYTHON") {
        return p.into();
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/python3");
    let ok = Command::new(&p)
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{} with NumPy is missing: run `cargo xtask setup` (it makes .tools/venv), \
         or set SPIEGA_PYTHON to a Python that has NumPy",
        p.display()
    );
    p
}

#[test]
fn every_exported_numpy_script_reproduces_the_page_s_predictions() {
    let python = python();
    let dir = std::env::temp_dir().join(format!("spiega-numpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nets = networks();
    assert!(nets.len() >= 15);
    let mut largest = (0.0_f64, String::new());
    for (name, config) in nets {
        let mut p = Playground::new(config).unwrap();
        for _ in 0..TRAINED_UPDATES {
            p.step().unwrap();
        }
        p.record().unwrap();
        let export = Export::from_playground(&mut p, "https://example.org/#playground").unwrap();
        let file = dir.join(format!("{}.py", name.replace([' ', ','], "_")));
        std::fs::write(&file, export.script(Language::NumPy)).unwrap();
        let run = Command::new(&python).arg(&file).output().unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{name}: {}\n{stdout}{}",
            file.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        // The script compared every grid point and all three splits.
        assert!(stdout.contains("over 1681 points"), "{name}: {stdout}");
        assert!(stdout.matches("(page ").count() >= 3, "{name}: {stdout}");
        let gap: f64 = stdout
            .split("largest difference from the page ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|g| g.parse().ok())
            .unwrap_or(f64::INFINITY);
        assert!(gap.is_finite(), "{name}: no difference printed: {stdout}");
        if gap >= largest.0 {
            largest = (gap, name);
        }
    }
    println!(
        "NumPy: largest prediction difference {:.3e} ({})",
        largest.0, largest.1
    );
    std::fs::remove_dir_all(&dir).ok();
}
