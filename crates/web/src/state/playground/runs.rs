//! The playground's earlier runs, kept so a reader can set a run beside the last ones: what a
//! kept run holds, when one is kept, the settings that tell it from the current run in plain
//! words, and the versioned text it is stored as. No browser: the figure stores the text and
//! draws the list.
//!
//! A kept run is its settings (the same [`PlaygroundState`] a shared link holds, stored as the
//! link's own hash text, so there is one format), its loss curves thinned to at most
//! [`MAX_POINTS`] points, and its final scores. Since the same settings and seed replay the same
//! losses, restoring a run is opening its settings as a link would.

use super::{FIELDS, PlaygroundState};
use crate::state::{HashParams, Value, format_value};
use serde::{Deserialize, Serialize};
use spiega_lessons::playground::Scores;

/// The most runs kept.
pub const MAX_RUNS: usize = 10;
/// The most points kept of a run's curves.
pub const MAX_POINTS: usize = 200;
/// The fewest updates a run must have made to be kept (so a brief Play and Pause is not a run).
pub const MIN_UPDATES: u64 = 50;
/// The key the runs are stored under in the browser's local storage; the version is part of it.
pub const STORAGE_KEY: &str = "spiega.playground.runs.v1";
/// How many of the newest runs the loss chart draws, faded, behind the current one: more would
/// bury the current curves.
pub const ON_CHART: usize = 3;
/// The settings that change only what is shown, never a loss: they neither tell runs apart nor
/// count as a difference.
const DISPLAY_KEYS: [&str; 3] = ["showTestData", "logScale", "speed"];

/// One point of a kept run's curves: the losses after `step` updates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Updates made.
    pub step: u64,
    /// The training loss.
    pub train: f32,
    /// The validation loss, if that split has points.
    pub validation: Option<f32>,
    /// The test loss, if that split has points.
    pub test: Option<f32>,
}

/// A run's scores when it was kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinalScores {
    /// Updates made.
    pub step: u64,
    /// The training loss.
    pub train_loss: f32,
    /// The training accuracy (classification only).
    pub train_accuracy: Option<f32>,
    /// The validation loss.
    pub validation_loss: Option<f32>,
    /// The test loss.
    pub test_loss: Option<f32>,
    /// The test accuracy (classification only).
    pub test_accuracy: Option<f32>,
}

/// One kept run.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptRun {
    /// Its number, counted from 1 in the order runs were kept (its label, "Run 3").
    pub number: u32,
    /// Its settings.
    pub state: PlaygroundState,
    /// Its curves, thinned, first and last point kept.
    pub curve: Vec<CurvePoint>,
    /// Its scores at its last update.
    pub last: FinalScores,
}

/// The kept runs, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Runs {
    runs: Vec<KeptRun>,
    /// The number the next run kept gets.
    next: u32,
}

/// One earlier run as its row in the table shows it, and as the figure's `data-state` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRow {
    /// The run's number ("Run 3").
    pub number: u32,
    /// Updates it made.
    pub steps: u64,
    /// Its final training loss.
    pub train_loss: f32,
    /// Its final validation loss.
    pub validation_loss: Option<f32>,
    /// Its final test loss.
    pub test_loss: Option<f32>,
    /// Its settings that differ from the current run's, in plain words.
    pub differs: Vec<String>,
    /// Whether the loss chart draws its curve (the [`ON_CHART`] newest).
    pub on_chart: bool,
}

/// The stored form of the runs.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    next: u32,
    runs: Vec<StoredRun>,
}

/// The stored form of one run: its settings as a link's hash text.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRun {
    number: u32,
    settings: String,
    curve: Vec<(u64, f32, Option<f32>, Option<f32>)>,
    last: FinalScores,
}

impl Runs {
    /// No runs.
    pub fn new() -> Self {
        Self::default()
    }

    /// The runs, newest first.
    pub fn list(&self) -> &[KeptRun] {
        &self.runs
    }

    /// Whether no run is kept.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The run numbered `number`.
    pub fn get(&self, number: u32) -> Option<&KeptRun> {
        self.runs.iter().find(|r| r.number == number)
    }

    /// The rows of the table against the current settings `current`, newest first.
    pub fn rows(&self, current: &PlaygroundState) -> Vec<RunRow> {
        self.runs
            .iter()
            .enumerate()
            .map(|(i, r)| RunRow {
                number: r.number,
                steps: r.last.step,
                train_loss: r.last.train_loss,
                validation_loss: r.last.validation_loss,
                test_loss: r.last.test_loss,
                differs: differences(&r.state, current),
                on_chart: i < ON_CHART,
            })
            .collect()
    }

    /// The curves the loss chart draws: those of the [`ON_CHART`] newest runs.
    pub fn on_chart(&self) -> Vec<&[CurvePoint]> {
        self.runs
            .iter()
            .take(ON_CHART)
            .map(|r| r.curve.as_slice())
            .collect()
    }

    /// Forgets every run.
    pub fn clear(&mut self) {
        self.runs.clear();
    }

    /// Keeps the run of settings `state` whose recorded scores are `history`, if it made at least
    /// [`MIN_UPDATES`] updates; returns whether it was kept. It goes first. A kept run with the
    /// same settings (display settings aside) is the same run, replayed: the one of the two that
    /// went further stays, moved first. Past [`MAX_RUNS`], the oldest goes.
    pub fn keep(&mut self, state: &PlaygroundState, history: &[Scores]) -> bool {
        let Some(last) = history.last() else {
            return false;
        };
        if last.step < MIN_UPDATES || !last.train.loss.is_finite() {
            return false;
        }
        let mut run = KeptRun {
            number: 0,
            state: state.clone(),
            curve: thin(history, MAX_POINTS),
            last: final_scores(last),
        };
        if let Some(i) = self.runs.iter().position(|r| same_run(&r.state, state)) {
            let old = self.runs.remove(i);
            if old.last.step >= run.last.step {
                run = old;
            } else {
                run.number = old.number;
            }
        } else {
            self.next = self
                .next
                .max(self.runs.iter().map(|r| r.number).max().unwrap_or(0))
                + 1;
            run.number = self.next;
        }
        self.runs.insert(0, run);
        self.runs.truncate(MAX_RUNS);
        true
    }

    /// The runs as stored text (JSON; the version is in [`STORAGE_KEY`]).
    pub fn to_json(&self) -> String {
        let stored = Stored {
            next: self.next,
            runs: self
                .runs
                .iter()
                .map(|r| StoredRun {
                    number: r.number,
                    settings: settings_text(&r.state),
                    curve: r
                        .curve
                        .iter()
                        .map(|p| (p.step, p.train, p.validation, p.test))
                        .collect(),
                    last: r.last,
                })
                .collect(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// The runs stored as `text`, or what is wrong with it: text that is not this version's JSON,
    /// more than [`MAX_RUNS`] runs, settings a link could not use as written, or curves that are
    /// empty, too long, out of order or not finite. Nothing partial is returned.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let stored: Stored =
            serde_json::from_str(text).map_err(|e| format!("not a list of runs ({e})"))?;
        if stored.runs.len() > MAX_RUNS {
            return Err(format!("{} runs, more than {MAX_RUNS}", stored.runs.len()));
        }
        let mut runs = Vec::with_capacity(stored.runs.len());
        for s in stored.runs {
            let (state, notices) = PlaygroundState::parse(&s.settings);
            if let Some(n) = notices.first() {
                return Err(format!("run {}: {n}", s.number));
            }
            let curve: Vec<CurvePoint> = s
                .curve
                .iter()
                .map(|&(step, train, validation, test)| CurvePoint {
                    step,
                    train,
                    validation,
                    test,
                })
                .collect();
            check_curve(&curve).map_err(|e| format!("run {}: {e}", s.number))?;
            runs.push(KeptRun {
                number: s.number,
                state,
                curve,
                last: s.last,
            });
        }
        Ok(Self {
            runs,
            next: stored.next,
        })
    }
}

/// Whether a stored curve can be drawn: 1 to [`MAX_POINTS`] points, steps rising, losses finite.
fn check_curve(curve: &[CurvePoint]) -> Result<(), String> {
    if curve.is_empty() || curve.len() > MAX_POINTS {
        return Err(format!("a curve of {} points", curve.len()));
    }
    if curve.windows(2).any(|w| w[0].step >= w[1].step) {
        return Err("a curve whose updates do not rise".into());
    }
    let finite = |v: Option<f32>| v.is_none_or(f32::is_finite);
    if curve
        .iter()
        .any(|p| !p.train.is_finite() || !finite(p.validation) || !finite(p.test))
    {
        return Err("a curve with a loss that is not a number".into());
    }
    Ok(())
}

/// The settings of `state` as a link's hash text, without the `#`.
pub fn settings_text(state: &PlaygroundState) -> String {
    state
        .to_hash(&HashParams::new())
        .trim_start_matches('#')
        .to_owned()
}

/// At most `max` points of `history`'s losses, evenly spread over its records, the first and
/// the last always among them.
pub fn thin(history: &[Scores], max: usize) -> Vec<CurvePoint> {
    let point = |s: &Scores| CurvePoint {
        step: s.step,
        train: s.train.loss,
        validation: s.validation.map(|v| v.loss),
        test: s.test.map(|v| v.loss),
    };
    let n = history.len();
    if n <= max {
        return history.iter().map(point).collect();
    }
    if max < 2 {
        return history.last().map(point).into_iter().collect();
    }
    (0..max)
        .map(|i| point(&history[i * (n - 1) / (max - 1)]))
        .collect()
}

/// The final scores of a record.
fn final_scores(s: &Scores) -> FinalScores {
    FinalScores {
        step: s.step,
        train_loss: s.train.loss,
        train_accuracy: s.train.accuracy,
        validation_loss: s.validation.map(|v| v.loss),
        test_loss: s.test.map(|v| v.loss),
        test_accuracy: s.test.and_then(|v| v.accuracy),
    }
}

/// Whether two settings train the same run: equal in every setting but the display ones.
pub fn same_run(a: &PlaygroundState, b: &PlaygroundState) -> bool {
    differing_keys(a, b).next().is_none()
}

/// The keys of the settings, display settings aside, in which `a` and `b` differ.
fn differing_keys<'a>(
    a: &'a PlaygroundState,
    b: &'a PlaygroundState,
) -> impl Iterator<Item = (&'static str, Value)> + 'a {
    FIELDS
        .iter()
        .filter(|f| !DISPLAY_KEYS.contains(&f.key))
        .filter_map(move |f| {
            let value = (f.get)(a);
            (value != (f.get)(b)).then_some((f.key, value))
        })
}

/// The settings of `run` that differ from `current`'s, in plain words and in the settings'
/// order: "learning rate 0.3", "ReLU", "seed 7". Empty for the same run.
pub fn differences(run: &PlaygroundState, current: &PlaygroundState) -> Vec<String> {
    differing_keys(run, current)
        .map(|(key, value)| describe(key, &value))
        .collect()
}

/// A setting's value in plain words (its key and value as the address writes them for a setting
/// without words of its own).
fn describe(key: &str, value: &Value) -> String {
    words(key, value).unwrap_or_else(|| format!("{key} {}", format_value(value)))
}

/// A setting's value in the words the controls use, for every setting that trains differently.
fn words(key: &str, value: &Value) -> Option<String> {
    let text = format_value(value);
    let on = matches!(value, Value::Bool(true));
    let feature = |name: &str| {
        if on {
            format!("with {name}")
        } else {
            format!("without {name}")
        }
    };
    Some(match key {
        "dataset" | "regDataset" => format!("{} data", choice_words(&text)),
        "problem" | "activation" | "optimizer" => choice_words(&text).to_owned(),
        "classes" => format!("{text} classes"),
        "noise" => format!("noise {text}%"),
        "points" => format!("{text} points"),
        "percTrainData" => format!("{text}% training"),
        "percValData" => format!("{text}% validation"),
        "x" => feature("x₁"),
        "y" => feature("x₂"),
        "xSquared" => feature("x₁²"),
        "ySquared" => feature("x₂²"),
        "xTimesY" => feature("x₁x₂"),
        "sinX" => feature("sin x₁"),
        "sinY" => feature("sin x₂"),
        "normalize" => if on {
            "scaled inputs"
        } else {
            "unscaled inputs"
        }
        .to_owned(),
        "networkShape" if text.is_empty() => "no hidden layer".to_owned(),
        "networkShape" => format!("hidden layers {}", text.replace(',', ", ")),
        "loss" => format!("{text} loss"),
        "learningRate" => format!("learning rate {text}"),
        "batchSize" => format!("batch size {text}"),
        "regularization" => match text.as_str() {
            "none" => "no penalty".to_owned(),
            "elastic" => "elastic net".to_owned(),
            other => format!("{other} penalty"),
        },
        "regularizationRate" => format!("penalty rate {text}"),
        "dropout" if text == "0" => "no dropout".to_owned(),
        "dropout" => format!("dropout {text}"),
        "batchNorm" => if on {
            "batch normalization"
        } else {
            "no batch normalization"
        }
        .to_owned(),
        "seed" => format!("seed {text}"),
        "custom" => match value {
            Value::Points(p) => format!("{} points of your own", p.len()),
            _ => "other points of your own".to_owned(),
        },
        _ => return None,
    })
}

/// A choice's name as the controls show it.
fn choice_words(name: &str) -> &str {
    match name {
        "xor" => "XOR",
        "gauss" => "Gaussian",
        "reg-plane" => "plane",
        "reg-gauss" => "Gaussian bumps",
        "custom" => "your own",
        "relu" => "ReLU",
        "leaky_relu" => "leaky ReLU",
        "prelu" => "PReLU",
        "gd" => "gradient descent",
        "sgd" => "SGD",
        "nesterov" => "Nesterov",
        "adagrad" => "Adagrad",
        "rmsprop" => "RMSProp",
        "adam" => "Adam",
        other => other,
    }
}

#[cfg(test)]
mod tests;
