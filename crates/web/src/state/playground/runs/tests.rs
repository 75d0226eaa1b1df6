//! The tests of the kept runs: when a run is kept and which one replaces which, the thinning of
//! its curves, the settings named as differences, and stored text read back exactly while any
//! damaged or foreign text is refused.

use super::*;
use spiega_lessons::playground::SplitScore;

/// A history of `n` records, `every` updates apart, its training loss falling from 1.
fn history(n: u64, every: u64) -> Vec<Scores> {
    (0..n)
        .map(|i| Scores {
            step: i * every,
            train: SplitScore {
                loss: 1.0 / (1.0 + i as f32),
                accuracy: Some(0.5),
            },
            validation: Some(SplitScore {
                loss: 1.1 / (1.0 + i as f32),
                accuracy: Some(0.5),
            }),
            test: Some(SplitScore {
                loss: 1.2 / (1.0 + i as f32),
                accuracy: Some(0.4),
            }),
        })
        .collect()
}

/// The default settings with the learning rate `rate`.
fn with_rate(rate: f64) -> PlaygroundState {
    PlaygroundState {
        learning_rate: rate,
        ..PlaygroundState::default()
    }
}

#[test]
fn a_run_is_kept_only_after_enough_updates() {
    let mut runs = Runs::new();
    let short = history(2, MIN_UPDATES - 1);
    assert_eq!(short.last().map(|s| s.step), Some(MIN_UPDATES - 1));
    assert!(!runs.keep(&PlaygroundState::default(), &short));
    assert!(!runs.keep(&PlaygroundState::default(), &[]));
    assert!(runs.is_empty());
    assert!(runs.keep(&PlaygroundState::default(), &history(2, MIN_UPDATES)));
    assert_eq!(runs.list().len(), 1);
    let run = &runs.list()[0];
    assert_eq!(run.number, 1);
    assert_eq!(run.last.step, MIN_UPDATES);
    assert_eq!(run.last.train_loss, 0.5);
    assert_eq!(run.last.test_loss, Some(0.6));
    assert_eq!(run.last.test_accuracy, Some(0.4));
}

#[test]
fn runs_are_newest_first_and_at_most_ten() {
    let mut runs = Runs::new();
    for i in 1..=12 {
        assert!(runs.keep(&with_rate(0.001 * f64::from(i)), &history(10, 10)));
    }
    let numbers: Vec<u32> = runs.list().iter().map(|r| r.number).collect();
    assert_eq!(numbers, (3..=12).rev().collect::<Vec<_>>());
    assert_eq!(runs.get(12).map(|r| r.state.learning_rate), Some(0.012));
    assert!(runs.get(2).is_none());
    runs.clear();
    assert!(runs.is_empty());
}

#[test]
fn the_rows_name_the_differences_and_the_newest_three_are_drawn() {
    let mut runs = Runs::new();
    for rate in [0.01, 0.02, 0.03, 0.04, 0.05] {
        runs.keep(&with_rate(rate), &history(10, 10));
    }
    let current = with_rate(0.03);
    let rows = runs.rows(&current);
    let numbers: Vec<u32> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [5, 4, 3, 2, 1]);
    let drawn: Vec<bool> = rows.iter().map(|r| r.on_chart).collect();
    assert_eq!(drawn, [true, true, true, false, false]);
    assert_eq!(runs.on_chart().len(), ON_CHART);
    assert_eq!(rows[0].differs, ["learning rate 0.05"]);
    assert!(rows[2].differs.is_empty());
    assert_eq!((rows[0].steps, rows[0].train_loss), (90, 0.1));
    assert_eq!(rows[0].test_loss, Some(1.2 / 10.0));
}

#[test]
fn the_same_settings_replace_the_older_run_keeping_the_longer_curve() {
    let mut runs = Runs::new();
    runs.keep(&with_rate(0.1), &history(30, 10));
    runs.keep(&with_rate(0.3), &history(10, 10));
    // The same settings but for what is shown: the same run, moved first, its longer curve kept.
    let mut same = with_rate(0.1);
    same.log_scale = true;
    same.speed = 50;
    same.show_test_data = true;
    assert!(runs.keep(&same, &history(8, 10)));
    let list = runs.list();
    assert_eq!(list.len(), 2);
    assert_eq!((list[0].number, list[0].last.step), (1, 290));
    // A longer replay of it replaces its curve and keeps its number.
    runs.keep(&with_rate(0.1), &history(40, 10));
    assert_eq!(runs.list().len(), 2);
    assert_eq!((runs.list()[0].number, runs.list()[0].last.step), (1, 390));
    // A different seed is a different run.
    let seeded = PlaygroundState {
        seed: 2,
        ..with_rate(0.1)
    };
    runs.keep(&seeded, &history(10, 10));
    assert_eq!(runs.list().len(), 3);
    assert_eq!(runs.list()[0].number, 3);
}

#[test]
fn thinning_keeps_the_first_and_last_points_evenly_spread() {
    let h = history(1000, 3);
    let curve = thin(&h, MAX_POINTS);
    assert_eq!(curve.len(), MAX_POINTS);
    assert_eq!(curve[0].step, 0);
    assert_eq!(curve[MAX_POINTS - 1].step, 999 * 3);
    assert_eq!(curve[MAX_POINTS - 1].train, h[999].train.loss);
    assert!(curve.windows(2).all(|w| w[0].step < w[1].step));
    // Spread evenly: no gap between kept records is more than one record wider than another.
    let gaps: Vec<u64> = curve
        .windows(2)
        .map(|w| (w[1].step - w[0].step) / 3)
        .collect();
    let (lo, hi) = (gaps.iter().min(), gaps.iter().max());
    assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1), "{gaps:?}");
    // A short history is kept whole.
    assert_eq!(thin(&h[..50], MAX_POINTS).len(), 50);
    assert_eq!(thin(&h, 1).len(), 1);
    assert_eq!(thin(&h, 1)[0].step, 999 * 3);
}

#[test]
fn differences_name_each_other_setting_in_plain_words() {
    let current = with_rate(0.3);
    let run = with_rate(0.03);
    assert_eq!(differences(&run, &current), vec!["learning rate 0.03"]);
    let mut run = PlaygroundState {
        activation: super::super::Activation::Relu,
        network_shape: vec![],
        seed: 7,
        batch_norm: true,
        ..current.clone()
    };
    run.features.x_squared = true;
    assert_eq!(
        differences(&run, &current),
        vec![
            "with x₁²",
            "no hidden layer",
            "ReLU",
            "batch normalization",
            "seed 7"
        ]
    );
    run.network_shape = vec![6, 4];
    assert!(differences(&run, &current).contains(&"hidden layers 6, 4".to_owned()));
    // Display settings are no difference.
    let shown = PlaygroundState {
        log_scale: true,
        speed: 40,
        show_test_data: true,
        ..current.clone()
    };
    assert!(differences(&shown, &current).is_empty());
    assert!(same_run(&shown, &current));
}

#[test]
fn every_setting_that_trains_differently_has_its_own_words() {
    // Every field but the display ones has words of its own, not its key and value as the
    // address writes them.
    let a = PlaygroundState::default();
    for field in FIELDS.iter().filter(|f| !DISPLAY_KEYS.contains(&f.key)) {
        assert!(
            words(field.key, &(field.get)(&a)).is_some(),
            "{}",
            field.key
        );
    }
    assert_eq!(describe("colour", &Value::Integer(3)), "colour 3");
}

#[test]
fn stored_runs_read_back_exactly() {
    let mut runs = Runs::new();
    let mut state = with_rate(0.1);
    state.network_shape = vec![5, 3, 2];
    state.seed = 4_000_000_000;
    runs.keep(&state, &history(500, 7));
    runs.keep(&with_rate(0.0022), &history(60, 1));
    let text = runs.to_json();
    assert_eq!(Runs::from_json(&text), Ok(runs.clone()));
    // The next run kept after reading them back still gets a new number.
    let mut back = Runs::from_json(&text).unwrap_or_default();
    back.keep(&with_rate(0.5), &history(10, 10));
    assert_eq!(back.list()[0].number, 3);
    // The settings are stored as a link holds them.
    assert!(text.contains(&settings_text(&state)), "{text}");
}

#[test]
fn damaged_or_foreign_text_is_refused_with_a_reason() {
    let mut runs = Runs::new();
    runs.keep(&with_rate(0.1), &history(20, 10));
    let good = runs.to_json();
    let with_curve = |curve: serde_json::Value| {
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap_or_default();
        v["runs"][0]["curve"] = curve;
        v.to_string()
    };
    let cases = [
        with_curve(serde_json::json!([])),
        with_curve(serde_json::json!([
            [10, 0.5, null, null],
            [5, 0.4, null, null]
        ])),
        with_curve(serde_json::json!(vec![[0, 1]; MAX_POINTS + 1])),
        String::new(),
        "dark".to_owned(),
        "[1,2,3]".to_owned(),
        good.replace("\"next\"", "\"nxt\""),
        good.replace("learningRate=0.1", "learningRate=abc"),
        good.replace("learningRate=0.1", "learningRate=0.1&colour=red"),
        good.replacen("[0,", "[9999,", 1),
        good.replacen("\"curve\":[", "\"curve\":[[0,1e39,null,null],", 1),
        format!(
            "{{\"next\":1,\"runs\":[{}]}}",
            [good.split("\"runs\":[")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches("]}"); 11]
                .join(",")
        ),
        good[..good.len() / 2].to_owned(),
    ];
    for text in cases {
        assert!(Runs::from_json(&text).is_err(), "accepted: {text}");
    }
    assert!(Runs::from_json(&good).is_ok());
}
