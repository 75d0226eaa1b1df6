//! The playground's exported NumPy scripts run with Python and NumPy: for a network of every
//! activation, every loss and several feature sets (scaled or not, with batch normalization and
//! dropout), each script's predictions on its check grid match the page's to 1e-5.
//!
//! The Python is `.tools/venv/bin/python3` (made by `cargo xtask setup`) or `$SPIEGA_PYTHON`;
//! without it the test fails, saying how to make it.

#![allow(clippy::unwrap_used)]

use spiega_lessons::playground::export_code::{Export, Language};
use spiega_lessons::playground::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::activation::{ACTIVATION_NAMES, Activation};
use spiega_nn::data::features::{Feature, FeatureSet};
use spiega_nn::data::two_d::TwoD;
use spiega_nn::loss::Loss;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
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

/// Every setting varied once from a small base network trained for 150 updates.
fn networks() -> Vec<(String, PlaygroundConfig)> {
    let base = PlaygroundConfig {
        hidden: vec![4, 3],
        optimizer: OptimizerConfig::new(OptimizerKind::Adam)
            .with("lr", 0.03)
            .unwrap(),
        ..PlaygroundConfig::default()
    };
    let mut out = Vec::new();
    for name in ACTIVATION_NAMES {
        let activation = Activation::from_name(name).unwrap();
        out.push((
            format!("activation {name}"),
            PlaygroundConfig {
                activation,
                ..base.clone()
            },
        ));
    }
    for loss in [Loss::Hinge, Loss::SquaredMargin, Loss::Exponential] {
        out.push((
            format!("loss {}", loss.name()),
            PlaygroundConfig {
                binary_loss: loss,
                ..base.clone()
            },
        ));
    }
    out.push((
        "three classes".into(),
        PlaygroundConfig {
            data: DataKind::Classify(TwoD::Blobs { classes: 3 }),
            ..base.clone()
        },
    ));
    out.push((
        "regression".into(),
        PlaygroundConfig {
            data: DataKind::MultiGaussian,
            ..base.clone()
        },
    ));
    let sets = [
        FeatureSet::ALL,
        FeatureSet::new(&[Feature::X1Squared, Feature::X2Squared]),
        FeatureSet::new(&[Feature::X1TimesX2, Feature::SinX1, Feature::SinX2]),
    ];
    for (i, features) in sets.into_iter().enumerate() {
        out.push((
            format!("feature set {i}, scaled"),
            PlaygroundConfig {
                features,
                normalize: true,
                ..base.clone()
            },
        ));
    }
    out.push((
        "batch normalization, swish, dropout".into(),
        PlaygroundConfig {
            batch_norm: true,
            dropout: 0.2,
            activation: Activation::Swish { beta: 1.0 },
            normalize: true,
            ..base.clone()
        },
    ));
    out
}

#[test]
fn every_exported_numpy_script_reproduces_the_page_s_predictions() {
    let python = python();
    let dir = std::env::temp_dir().join(format!("spiega-numpy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nets = networks();
    assert!(nets.len() >= 15);
    for (name, config) in nets {
        let mut p = Playground::new(config).unwrap();
        for _ in 0..150 {
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
    }
    std::fs::remove_dir_all(&dir).ok();
}
