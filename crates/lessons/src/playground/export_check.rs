//! The networks the exported scripts are checked on, and what each check expects.
//!
//! [`networks`] varies every setting the playground offers once from a small base network: each
//! activation, loss, task, feature set (scaled), penalty and batch-normalization choice. The
//! test command runs the NumPy scripts of these networks; `cargo xtask check-exports` runs the
//! PyTorch and Keras scripts of the same networks with [`DRIVER`], which compares
//! - the script's predictions on the check grid with the page's, to
//!   [`TOLERANCE`](super::export_code::TOLERANCE), and
//! - after one update of the script's own training loop (`train_step`) on the batch the page
//!   takes next, from a fresh optimizer state, its predictions with the page's after that same
//!   update, to [`STEP_TOLERANCE`].

use super::export_code::{CHECK_GRID, Export};
use super::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::activation::{ACTIVATION_NAMES, Activation};
use spiega_nn::data::features::{Feature, FeatureSet};
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::loss::Loss;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;

/// Updates each network is trained for before it is exported.
pub const TRAINED_UPDATES: usize = 150;

/// How far a script's prediction may be from the page's after one update of its training loop,
/// relative to `max(1, |page's value|)`. The page computes in `f32`; the PyTorch script in
/// `f64` and Keras in `f32` with its own order of operations. The gradients then differ in their
/// last bits, and Adam's first update divides each gradient by its own size, `g / (|g| + ε)`,
/// so a gradient within rounding of zero can move its weight by up to a learning rate's
/// fraction either way. Rounding alone stays below 1e-4; a wrong loss, penalty, optimizer,
/// learning rate or batch moves predictions by 1e-3 or more (the base network's learning rate
/// is 0.03).
pub const STEP_TOLERANCE: f64 = 1e-4;

/// Every setting varied once from a small base network (two hidden layers of 4 and 3, Adam at
/// 0.03): each activation, each margin loss, three classes, regression, three feature sets
/// (scaled), each penalty, batch normalization with and without dropout, and plain SGD.
pub fn networks() -> Vec<(String, PlaygroundConfig)> {
    let base = PlaygroundConfig {
        hidden: vec![4, 3],
        optimizer: OptimizerConfig {
            lr: 0.03,
            ..OptimizerConfig::new(OptimizerKind::Adam)
        },
        ..PlaygroundConfig::default()
    };
    let with = |name: String, change: &dyn Fn(&mut PlaygroundConfig)| {
        let mut c = base.clone();
        change(&mut c);
        (name, c)
    };
    let mut out = Vec::new();
    for name in ACTIVATION_NAMES {
        if let Ok(activation) = Activation::from_name(name) {
            out.push(with(format!("activation {name}"), &|c| {
                c.activation = activation;
            }));
        }
    }
    for loss in [Loss::Hinge, Loss::SquaredMargin, Loss::Exponential] {
        out.push(with(format!("loss {}", loss.name()), &|c| {
            c.binary_loss = loss
        }));
    }
    out.push(with("three classes".into(), &|c| {
        c.data = DataKind::Classify(TwoD::Blobs { classes: 3 });
    }));
    out.push(with("regression".into(), &|c| {
        c.data = DataKind::MultiGaussian
    }));
    let sets = [
        FeatureSet::ALL,
        FeatureSet::new(&[Feature::X1Squared, Feature::X2Squared]),
        FeatureSet::new(&[Feature::X1TimesX2, Feature::SinX1, Feature::SinX2]),
    ];
    for (i, features) in sets.into_iter().enumerate() {
        out.push(with(format!("feature set {i}, scaled"), &|c| {
            c.features = features;
            c.normalize = true;
        }));
    }
    let penalties = [
        Penalty::L1 { lambda: 0.003 },
        Penalty::L2 { lambda: 0.003 },
        Penalty::L1L2 {
            l1: 0.002,
            l2: 0.004,
        },
        Penalty::ElasticNet {
            alpha: 0.004,
            l1_ratio: 0.3,
        },
    ];
    for penalty in penalties {
        out.push(with(format!("penalty {}", penalty.name()), &|c| {
            c.penalty = penalty;
        }));
    }
    // Trained with SGD: a dense layer's bias just before batch normalization has a gradient of
    // exactly zero, which float32 rounding makes a tiny number of either sign; Adam's first
    // update divides a gradient by its own size, so it would move those biases by up to the
    // learning rate in a direction set by rounding alone, and the one-update check would
    // compare rounding noise. (The map as exported is checked for Adam's networks all the same.)
    out.push(with("batch normalization".into(), &|c| {
        c.batch_norm = true;
        c.normalize = true;
        c.optimizer = OptimizerConfig {
            lr: 0.1,
            ..OptimizerConfig::new(OptimizerKind::Sgd)
        };
    }));
    out.push(with("batch normalization, swish, dropout".into(), &|c| {
        c.batch_norm = true;
        c.dropout = 0.2;
        c.activation = Activation::Swish { beta: 1.0 };
        c.normalize = true;
    }));
    out.push(with("plain SGD".into(), &|c| {
        c.optimizer = OptimizerConfig {
            lr: 0.1,
            ..OptimizerConfig::new(OptimizerKind::Sgd)
        };
    }));
    out
}

/// One network ready to check: its export after [`TRAINED_UPDATES`], the training rows the page
/// updates on next, and the page's map after that update.
#[derive(Debug, Clone)]
pub struct Case {
    /// The network's name in the table.
    pub name: String,
    /// What the scripts are written from.
    pub export: Export,
    /// The training split's rows of the next update.
    pub batch: Vec<usize>,
    /// The page's map on the check grid after that update from a fresh optimizer state; `None`
    /// with dropout, whose random masks a script cannot repeat.
    pub after_step: Option<Vec<f32>>,
}

impl Case {
    /// Trains `config` for [`TRAINED_UPDATES`], exports it, then takes one more update from a
    /// fresh optimizer state (as a script's loop starts) and reads the map after it.
    pub fn new(name: &str, config: PlaygroundConfig) -> Result<Self> {
        let dropout = config.dropout > 0.0;
        let mut p = Playground::new(config)?;
        for _ in 0..TRAINED_UPDATES {
            p.step()?;
        }
        p.record()?;
        let export = Export::from_playground(&mut p, "https://example.org/#playground")?;
        let batch = p.next_batch();
        p.restart_optimizer()?;
        p.step()?;
        let (mut grid, mut classes) = (Vec::new(), Vec::new());
        p.evaluate_grid(CHECK_GRID, &mut grid, &mut classes)?;
        if grid.len() != CHECK_GRID * CHECK_GRID {
            return Err(EngineError::hyper(
                "check grid",
                grid.len(),
                "the map did not cover the grid",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            export,
            batch,
            after_step: (!dropout).then_some(grid),
        })
    }

    /// What [`DRIVER`] reads: the script's path, the batch and the map after the update.
    pub fn driver_input(&self, script: &str) -> String {
        serde_json::json!({
            "script": script,
            "batch": self.batch,
            "after_step": self.after_step,
        })
        .to_string()
    }
}

/// What [`DRIVER`] found for one script: the largest prediction gap before and after one update
/// (`None` when the case has no update check).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// Largest gap on the check grid, as exported.
    pub grid: f64,
    /// Largest gap after one update.
    pub step: Option<f64>,
}

impl Found {
    /// Reads the driver's last line of output: `{"grid": g, "step": s or null}`.
    pub fn parse(stdout: &str) -> std::result::Result<Self, String> {
        let line = stdout.lines().last().unwrap_or("");
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("the check printed no result ({e}): {stdout}"))?;
        let grid = v["grid"]
            .as_f64()
            .ok_or_else(|| format!("no grid gap in {line}"))?;
        Ok(Self {
            grid,
            step: v["step"].as_f64(),
        })
    }

    /// Whether both gaps are within their tolerances (a NaN gap is a miss).
    pub fn passes(&self) -> bool {
        self.grid <= super::export_code::TOLERANCE && self.step.is_none_or(|s| s <= STEP_TOLERANCE)
    }
}

/// The Python that checks one exported script. Its argument is a JSON file from
/// [`Case::driver_input`]; it loads the script as a module (which sets up its network), measures
/// the largest gap between the script's map and the page's, calls the script's
/// `train_step(rows)` once on the page's next batch, measures the gap to the page's map after
/// that update, and prints both as one JSON line. Keras's Adam adds ε to `√v` before the bias
/// correction (a difference the script names): for the update checked, the driver gives it the
/// page's ε in that form, `ε·√(1 − β₂)`, so the check sees everything else.
pub const DRIVER: &str = r#""""Checks one exported script against the page: its map, then one update of its training loop."""
import importlib.util
import json
import sys

import numpy as np

case = json.load(open(sys.argv[1]))
spec = importlib.util.spec_from_file_location("exported", case["script"])
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)


def gap(page):
    page = np.asarray(page, dtype=np.float64)
    mine = script.read_outputs(script.raw_outputs(script.GRID_X1, script.GRID_X2))
    return float((np.abs(mine - page) / np.maximum(1.0, np.abs(page))).max())


found = {"grid": gap(script.PAGE_GRID), "step": None}
# Keras's Adam adds its epsilon to sqrt(v) before the bias correction (the script says so); for
# the one update checked, the page's epsilon is put in that form, epsilon * sqrt(1 - beta_2).
optimizer = getattr(getattr(script, "model", None), "optimizer", None)
if type(optimizer).__module__.startswith("keras") and type(optimizer).__name__ in ("Adam", "AdamW"):
    optimizer.epsilon = optimizer.epsilon * (1.0 - optimizer.beta_2) ** 0.5
if case["after_step"] is not None:
    script.train_step(np.asarray(case["batch"], dtype=np.int64))
    found["step"] = gap(case["after_step"])
print(json.dumps(found))
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_nn::loss::Loss;

    #[test]
    fn the_networks_cover_every_activation_loss_penalty_and_batch_norm_choice() {
        let nets = networks();
        for name in ACTIVATION_NAMES {
            let a = Activation::from_name(name).unwrap();
            assert!(nets.iter().any(|(_, c)| c.activation == a), "{name}");
        }
        for loss in [Loss::Hinge, Loss::SquaredMargin, Loss::Exponential] {
            assert!(nets.iter().any(|(_, c)| c.binary_loss == loss));
        }
        // The default's binary cross-entropy, softmax (three classes) and MSE (regression).
        assert!(nets.iter().any(|(n, _)| n == "three classes"));
        assert!(nets.iter().any(|(n, _)| n == "regression"));
        for penalty in ["l1", "l2", "l1l2", "elastic_net"] {
            assert!(
                nets.iter().any(|(_, c)| c.penalty.name() == penalty),
                "{penalty}"
            );
        }
        assert!(nets.iter().any(|(_, c)| c.batch_norm && c.dropout == 0.0));
        assert!(nets.iter().any(|(_, c)| c.batch_norm && c.dropout > 0.0));
    }

    #[test]
    fn a_case_s_update_is_the_page_s_next_batch_and_changes_the_map() {
        let (name, config) = networks().remove(0);
        let batch_size = config.batch_size;
        let case = Case::new(&name, config).unwrap();
        assert_eq!(case.batch.len(), batch_size);
        let after = case.after_step.as_ref().unwrap();
        let moved = after
            .iter()
            .zip(&case.export.grid)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0_f32, f32::max);
        // One update moves the map by more than the tolerance, so the check sees the update.
        assert!(moved as f64 > 10.0 * STEP_TOLERANCE, "{moved}");
        let input: serde_json::Value =
            serde_json::from_str(&case.driver_input("/tmp/s.py")).unwrap();
        assert_eq!(input["batch"].as_array().unwrap().len(), batch_size);
        assert_eq!(
            input["after_step"].as_array().unwrap().len(),
            CHECK_GRID * CHECK_GRID
        );
    }

    #[test]
    fn the_next_batch_at_a_pass_s_end_is_the_next_pass_s_first() {
        let config = PlaygroundConfig {
            batch_size: 1000,
            ..PlaygroundConfig::default()
        };
        let mut p = Playground::new(config).unwrap();
        let first = p.next_batch();
        p.step().unwrap();
        let second = p.next_batch();
        assert_eq!(first.len(), second.len());
        assert_ne!(first, second, "a new pass reshuffles");
        let mut sorted = second.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..first.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_dropout_case_has_no_update_check() {
        let (name, config) = networks()
            .into_iter()
            .find(|(_, c)| c.dropout > 0.0)
            .unwrap();
        assert!(Case::new(&name, config).unwrap().after_step.is_none());
    }

    #[test]
    fn the_driver_s_line_is_read_and_judged() {
        let f = Found::parse("noise\n{\"grid\": 2e-7, \"step\": 3e-5}").unwrap();
        assert!(f.passes());
        assert!(
            !Found::parse("{\"grid\": 2e-5, \"step\": null}")
                .unwrap()
                .passes()
        );
        assert!(
            !Found::parse("{\"grid\": 0, \"step\": 0.01}")
                .unwrap()
                .passes()
        );
        assert!(Found::parse("Traceback").is_err());
    }
}
