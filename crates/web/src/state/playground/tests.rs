//! The tests of the playground's settings: every field read and written (defaults, TensorFlow
//! Playground links, clamping), a notice for whatever a link gets wrong, the reader's own points
//! and their limits, which changes need a new network, and that random states read back exactly
//! and any text gives a valid state.

use super::*;
use crate::state::fnv1a;
use crate::state::tests::random_text;
use spiega_nn::Rng;

/// The keys of the notices, in order.
fn keys(notices: &[Notice]) -> Vec<&str> {
    notices.iter().map(|n| n.key.as_str()).collect()
}

/// Parses a hash that must give exactly one notice, about `key`, of `kind`; returns the state
/// and the notice's message.
fn parse_one(hash: &str, key: &str, kind: NoticeKind) -> (PlaygroundState, String) {
    let (state, notices) = PlaygroundState::parse(hash);
    assert_eq!(keys(&notices), vec![key], "notices for {hash}: {notices:?}");
    assert_eq!(notices[0].kind, kind, "{hash}: {notices:?}");
    (state, notices[0].message.clone())
}

#[test]
fn an_empty_hash_gives_the_defaults_without_notices() {
    for hash in ["", "#", "#&&"] {
        let (state, notices) = PlaygroundState::parse(hash);
        assert_eq!(state, PlaygroundState::default());
        assert!(notices.is_empty(), "{hash}: {notices:?}");
    }
}

#[test]
fn the_defaults_are_the_documented_ones() {
    // The values the brief and the field docs name.
    let s = PlaygroundState::default();
    assert_eq!(s.dataset, Dataset::Circle);
    assert_eq!(s.reg_dataset, RegDataset::Plane);
    assert_eq!(s.problem, Problem::Classification);
    assert_eq!((s.classes, s.noise, s.points), (3, 0, 400));
    assert_eq!((s.perc_train, s.perc_val, s.test_percent()), (60, 20, 20));
    assert!(s.features.x && s.features.y);
    assert!(!(s.features.x_squared || s.features.y_squared || s.features.x_times_y));
    assert!(!(s.features.sin_x || s.features.sin_y || s.normalize));
    assert_eq!(s.hidden_layers(), &[4, 2]);
    assert_eq!(s.activation, Activation::Tanh);
    assert_eq!(s.loss, Loss::Logistic);
    assert_eq!(s.optimizer, Optimizer::Sgd);
    assert_eq!((s.learning_rate, s.batch_size), (0.03, 10));
    assert_eq!(s.regularization, Regularization::None);
    assert_eq!((s.regularization_rate, s.dropout), (0.0, 0.0));
    assert!(!(s.batch_norm || s.show_test_data || s.log_scale));
    assert_eq!((s.seed, s.speed), (1, 5));
    assert!(s.custom.is_empty());
}

#[test]
fn the_default_hash_lists_every_field_in_table_order() {
    let hash = PlaygroundState::default().to_hash(&HashParams::new());
    assert_eq!(
        hash,
        "#dataset=circle&regDataset=reg-plane&problem=classification&classes=3&noise=0\
         &points=400&percTrainData=60&percValData=20&x=true&y=true&xSquared=false\
         &ySquared=false&xTimesY=false&sinX=false&sinY=false&normalize=false\
         &networkShape=4,2&activation=tanh&loss=logistic&optimizer=sgd&learningRate=0.03\
         &batchSize=10&regularization=none&regularizationRate=0&dropout=0&batchNorm=false\
         &seed=1&showTestData=false&logScale=false&speed=5&custom="
    );
}

#[test]
fn a_tensorflow_playground_link_reads_with_notices_only_for_what_is_missing_here() {
    // A link as playground.tensorflow.org writes it (its `serialize()`), seed included.
    let link = "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane\
                &learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345\
                &showTestData=false&discretize=false&percTrainData=50&x=true&y=true\
                &xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false\
                &sinY=false&collectStats=false&problem=classification&initZero=false\
                &hideText=false";
    let (state, notices) = PlaygroundState::parse(link);
    let mut keys = keys(&notices);
    keys.sort_unstable();
    assert_eq!(
        keys,
        vec![
            "collectStats",
            "cosX",
            "cosY",
            "discretize",
            "hideText",
            "initZero",
            "seed"
        ]
    );
    for notice in &notices {
        if notice.key == "seed" {
            assert_eq!(notice.kind, NoticeKind::Adjusted);
        } else {
            assert_eq!(notice.kind, NoticeKind::Ignored);
            assert!(notice.message.contains("not supported"), "{notice}");
        }
    }
    let expected = PlaygroundState {
        perc_train: 50,
        // The Playground's string seed becomes a number through FNV-1a of its text.
        seed: fnv1a("0.12345"),
        ..PlaygroundState::default()
    };
    assert_eq!(state, expected);
}

#[test]
fn choices_read_their_names_and_fall_back_to_the_default() {
    for name in Dataset::NAMES {
        let (s, n) = PlaygroundState::parse(&format!("dataset={name}"));
        assert_eq!(s.dataset.name(), *name);
        assert!(n.is_empty());
    }
    for name in RegDataset::NAMES {
        assert_eq!(
            PlaygroundState::parse(&format!("regDataset={name}"))
                .0
                .reg_dataset
                .name(),
            *name
        );
    }
    for name in Problem::NAMES {
        assert_eq!(
            PlaygroundState::parse(&format!("problem={name}"))
                .0
                .problem
                .name(),
            *name
        );
    }
    for name in Activation::NAMES {
        assert_eq!(
            PlaygroundState::parse(&format!("activation={name}"))
                .0
                .activation
                .name(),
            *name
        );
    }
    for name in Loss::NAMES {
        assert_eq!(
            PlaygroundState::parse(&format!("loss={name}"))
                .0
                .loss
                .name(),
            *name
        );
    }
    for name in Optimizer::NAMES {
        assert_eq!(
            PlaygroundState::parse(&format!("optimizer={name}"))
                .0
                .optimizer
                .name(),
            *name
        );
    }
    for name in Regularization::NAMES {
        let s = PlaygroundState::parse(&format!("regularization={name}")).0;
        assert_eq!(s.regularization.name(), *name);
    }
    // The Playground writes "L1"; a hand-typed "l1" means the same.
    let (s, n) = PlaygroundState::parse("regularization=l1&activation=ReLU");
    assert_eq!(
        (s.regularization, s.activation),
        (Regularization::L1, Activation::Relu)
    );
    assert!(n.is_empty());
    let (s, message) = parse_one("activation=softplus", "activation", NoticeKind::DefaultUsed);
    assert_eq!(s.activation, Activation::Tanh);
    assert_eq!(
        message,
        "activation=softplus is not one of sigmoid, tanh, relu, leaky_relu, prelu, swish, \
         linear; using tanh"
    );
    let (s, _) = parse_one("dataset=moon", "dataset", NoticeKind::DefaultUsed);
    assert_eq!(s.dataset, Dataset::Circle);
    let (s, _) = parse_one("problem=", "problem", NoticeKind::DefaultUsed);
    assert_eq!(s.problem, Problem::Classification);
}

#[test]
fn whole_numbers_are_clamped_rounded_or_defaulted() {
    let (s, message) = parse_one("noise=80", "noise", NoticeKind::Clamped);
    assert_eq!(s.noise, 50);
    assert_eq!(message, "noise=80 is outside 0 to 50; using 50");
    let (s, _) = parse_one("noise=-3", "noise", NoticeKind::Clamped);
    assert_eq!(s.noise, 0);
    let (s, message) = parse_one("noise=12.5", "noise", NoticeKind::Adjusted);
    // Rust rounds halves away from zero: 12.5 → 13.
    assert_eq!(s.noise, 13);
    assert_eq!(message, "noise=12.5 is not a whole number; using 13");
    let (s, message) = parse_one("noise=lots", "noise", NoticeKind::DefaultUsed);
    assert_eq!(s.noise, 0);
    assert_eq!(message, "noise=lots is not a number; using 0");
    let (s, message) = parse_one("noise", "noise", NoticeKind::DefaultUsed);
    assert_eq!(s.noise, 0);
    assert_eq!(message, "noise has no value; using 0");

    // Each field's range from the brief, probed just outside both ends.
    let ranges: [(&str, i64, i64); 7] = [
        ("classes", 3, 5),
        ("noise", 0, 50),
        ("points", 50, 1000),
        ("percTrainData", 10, 90),
        ("percValData", 0, 50),
        ("batchSize", 1, 1000),
        ("speed", 1, 100),
    ];
    for (key, min, max) in ranges {
        // A companion share keeps the split valid at both ends of each range, so the only
        // notice is about the key itself.
        let companion = if key == "percValData" {
            "percTrainData=10"
        } else {
            "percValData=5"
        };
        for (given, used) in [(min - 1, min), (max + 1, max), (i64::MIN, min)] {
            let hash = format!("{key}={given}&{companion}");
            let (state, _) = parse_one(&hash, key, NoticeKind::Clamped);
            let written = state.to_hash(&HashParams::new());
            assert!(
                written.contains(&format!("&{key}={used}&")),
                "{hash}: {written}"
            );
        }
        for inside in [min, max] {
            let (_, notices) = PlaygroundState::parse(&format!("{key}={inside}&{companion}"));
            assert!(notices.is_empty(), "{key}={inside}: {notices:?}");
        }
    }
    // Beyond i64 the value saturates and is clamped.
    let (s, _) = parse_one("points=99999999999999999999", "points", NoticeKind::Clamped);
    assert_eq!(s.points, 1000);
    let (s, notices) = PlaygroundState::parse("points=1e3&classes=4&speed=100&batchSize=1");
    assert_eq!(
        (s.points, s.classes, s.speed, s.batch_size),
        (1000, 4, 100, 1)
    );
    assert!(notices.is_empty());
}

#[test]
fn real_numbers_are_clamped_or_defaulted() {
    let (s, notices) =
        PlaygroundState::parse("learningRate=0.3&regularizationRate=0.001&dropout=0.5");
    assert!(notices.is_empty());
    assert_eq!(
        (s.learning_rate, s.regularization_rate, s.dropout),
        (0.3, 0.001, 0.5)
    );
    // The brief's own example.
    let (s, message) = parse_one("learningRate=abc", "learningRate", NoticeKind::DefaultUsed);
    assert_eq!(s.learning_rate, 0.03);
    assert_eq!(message, "learningRate=abc is not a number; using 0.03");
    let (s, message) = parse_one("learningRate=0", "learningRate", NoticeKind::Clamped);
    assert_eq!(s.learning_rate, 0.00001);
    assert_eq!(
        message,
        "learningRate=0 is outside 0.00001 to 10; using 0.00001"
    );
    let (s, _) = parse_one("learningRate=100", "learningRate", NoticeKind::Clamped);
    assert_eq!(s.learning_rate, 10.0);
    // Rust reads "NaN" and "inf" as floats; neither is a setting.
    for bad in ["NaN", "inf", "-infinity", "1e309"] {
        let (s, _) = parse_one(
            &format!("learningRate={bad}"),
            "learningRate",
            NoticeKind::DefaultUsed,
        );
        assert_eq!(s.learning_rate, 0.03, "{bad}");
    }
    // The Playground offers a regularization rate of 10; ours stops at 1.
    let (s, _) = parse_one(
        "regularizationRate=10",
        "regularizationRate",
        NoticeKind::Clamped,
    );
    assert_eq!(s.regularization_rate, 1.0);
    let (s, _) = parse_one("dropout=0.95", "dropout", NoticeKind::Clamped);
    assert_eq!(s.dropout, 0.9);
    // −0 reads as 0 and is written as "0", not "-0".
    let (s, notices) = PlaygroundState::parse("dropout=-0");
    assert!(notices.is_empty());
    assert!(s.to_hash(&HashParams::new()).contains("&dropout=0&"));
}

#[test]
fn booleans_read_true_and_false_only() {
    let (s, notices) = PlaygroundState::parse(
        "x=false&y=FALSE&xSquared=true&ySquared=True&xTimesY=true&sinX=true&sinY=true\
         &normalize=true&batchNorm=true&showTestData=true&logScale=true",
    );
    assert!(notices.is_empty());
    let all = Features {
        x: false,
        y: false,
        x_squared: true,
        y_squared: true,
        x_times_y: true,
        sin_x: true,
        sin_y: true,
    };
    assert_eq!(s.features, all);
    assert!(s.normalize && s.batch_norm && s.show_test_data && s.log_scale);
    let (s, message) = parse_one("x=yes", "x", NoticeKind::DefaultUsed);
    assert!(s.features.x);
    assert_eq!(message, "x=yes is not true or false; using true");
}

#[test]
fn the_network_shape_keeps_what_it_can() {
    let (s, notices) = PlaygroundState::parse("networkShape=8,8,8,8,8,8,8,8");
    assert_eq!(s.hidden_layers(), &[8; 8]);
    assert!(notices.is_empty());
    // Empty means no hidden layer, as in the Playground.
    let (s, notices) = PlaygroundState::parse("networkShape=");
    assert!(s.hidden_layers().is_empty());
    assert!(notices.is_empty());
    let (s, message) = parse_one(
        "networkShape=4,abc,99,0",
        "networkShape",
        NoticeKind::Adjusted,
    );
    assert_eq!(s.hidden_layers(), &[4, 32, 1]);
    assert_eq!(
        message,
        "networkShape=4,abc,99,0: entry 2 (abc) is not a whole number and was dropped; \
         entry 3 (99) is outside 1 to 32; using 32; entry 4 (0) is outside 1 to 32; using 1"
    );
    let (s, message) = parse_one(
        "networkShape=1,2,3,4,5,6,7,8,9,10",
        "networkShape",
        NoticeKind::Adjusted,
    );
    assert_eq!(s.hidden_layers(), &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert!(
        message.ends_with("only the first 8 entries are used; 2 more dropped"),
        "{message}"
    );
    let (s, _) = parse_one("networkShape=4,,2", "networkShape", NoticeKind::Adjusted);
    assert_eq!(s.hidden_layers(), &[4, 2]);
}

#[test]
fn the_seed_keeps_numbers_and_hashes_text() {
    let (s, notices) = PlaygroundState::parse("seed=4294967295");
    assert_eq!(s.seed, u32::MAX);
    assert!(notices.is_empty());
    assert_eq!(PlaygroundState::parse("seed=0").0.seed, 0);
    for text in ["0.12345", "hello", "4294967296", "-1", " 5"] {
        let (s, message) = parse_one(
            &format!("seed={}", crate::state::percent_encode(text)),
            "seed",
            NoticeKind::Adjusted,
        );
        assert_eq!(s.seed, fnv1a(text), "{text}");
        assert!(message.contains("made from its text"), "{message}");
    }
    let (s, _) = parse_one("seed=", "seed", NoticeKind::DefaultUsed);
    assert_eq!(s.seed, 1);
}

#[test]
fn the_split_always_leaves_a_test_set() {
    let (s, message) = parse_one(
        "percTrainData=90&percValData=50",
        "percValData",
        NoticeKind::Clamped,
    );
    assert_eq!((s.perc_train, s.perc_val, s.test_percent()), (90, 5, 5));
    assert_eq!(
        message,
        "percTrainData=90 with percValData=50 leaves less than 5% for testing; using percValData=5"
    );
    let (s, notices) = PlaygroundState::parse("percTrainData=45&percValData=50");
    assert_eq!((s.perc_train, s.perc_val, s.test_percent()), (45, 50, 5));
    assert!(notices.is_empty());
    // The default validation share with a large training share.
    let (s, _) = parse_one("percTrainData=80", "percValData", NoticeKind::Clamped);
    assert_eq!((s.perc_val, s.test_percent()), (15, 5));
}

#[test]
fn a_csv_file_and_a_link_accept_the_same_points() {
    use spiega_nn::data::csv::{CsvLabels, parse_csv_within};
    for problem in ["classification", "regression"] {
        let (state, _) = PlaygroundState::parse(&format!("problem={problem}"));
        let labels = if state.is_regression() {
            CsvLabels::Values
        } else {
            CsvLabels::Classes
        };
        let bounds = state.csv_bounds();
        for (x, y, label) in [
            ("6", "-6", "1"),
            ("6.004", "0", "0"),
            ("0", "-6.001", "1"),
            ("1", "1", "4"),
            ("1", "1", "5"),
            ("1", "1", "-1"),
            ("1", "1", "1.004"),
            ("1", "1", "0.5"),
        ] {
            let by_csv = parse_csv_within(&format!("{x},{y},{label}"), labels, &bounds).is_ok();
            let (linked, _) =
                PlaygroundState::parse(&format!("problem={problem}&custom={x}:{y}:{label}"));
            assert_eq!(
                by_csv,
                linked.custom.len() == 1,
                "{problem}: {x},{y},{label}"
            );
        }
        let rows = "0,0,0\n".repeat(MAX_CUSTOM_POINTS + 1);
        assert!(parse_csv_within(&rows, labels, &bounds).is_err());
        assert!(parse_csv_within(&rows[6..], labels, &bounds).is_ok());
    }
}

#[test]
fn custom_points_are_read_per_problem() {
    let (s, notices) =
        PlaygroundState::parse("dataset=custom&custom=1.5:-2:0;-6:6:4;0.123:0.126:2");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(s.dataset, Dataset::Custom);
    // Coordinates are rounded to two decimals: 0.123 → 0.12, 0.126 → 0.13.
    let expected = vec![
        Point {
            x: 1.5,
            y: -2.0,
            label: 0.0,
        },
        Point {
            x: -6.0,
            y: 6.0,
            label: 4.0,
        },
        Point {
            x: 0.12,
            y: 0.13,
            label: 2.0,
        },
    ];
    assert_eq!(s.custom, expected);
    // The separators as a browser may percent-encode them read the same.
    let (s, _) = PlaygroundState::parse("custom=1.5%3A-2%3A0%3B-6%3A6%3A4%3B0.123%3A0.126%3A2");
    assert_eq!(s.custom, expected);

    // Classification: labels are whole classes 0 to 4; positions are 1-based.
    let (s, message) = parse_one(
        "custom=1:1:1;7:0:0;1:1:5;1:1:0.5;junk;1:1;1:1:1:1;;2:2:1",
        "custom",
        NoticeKind::Adjusted,
    );
    assert_eq!(
        s.custom,
        vec![
            Point {
                x: 1.0,
                y: 1.0,
                label: 1.0
            },
            Point {
                x: 2.0,
                y: 2.0,
                label: 1.0
            }
        ]
    );
    assert_eq!(
        message,
        "custom: entries 2, 3, 4, 5, 6, 7 and 8 are not points x:y:label with x and y from -6 \
         to 6 and a label that is a whole number from 0 to 4; skipped"
    );

    // Regression: labels are values from −1 to 1, rounded to two decimals, whatever the
    // order of the keys in the link.
    let (s, message) = parse_one(
        "custom=1:1:0.256;2:2:-1;3:3:1.5&problem=regression",
        "custom",
        NoticeKind::Adjusted,
    );
    assert_eq!(
        s.custom,
        vec![
            Point {
                x: 1.0,
                y: 1.0,
                label: 0.26
            },
            Point {
                x: 2.0,
                y: 2.0,
                label: -1.0
            }
        ]
    );
    assert!(
        message.starts_with("custom: entry 3 is not a point"),
        "{message}"
    );
    assert!(message.contains("a value from -1 to 1"), "{message}");
}

#[test]
fn at_most_500_custom_points_are_kept() {
    let many: Vec<String> = (0..520)
        .map(|i| format!("{}:0:1", f64::from(i % 100) / 20.0))
        .collect();
    let (s, message) = parse_one(
        &format!("custom={}", many.join(";")),
        "custom",
        NoticeKind::Adjusted,
    );
    assert_eq!(s.custom.len(), MAX_CUSTOM_POINTS);
    assert_eq!(
        message,
        "custom: only the first 500 points are kept; 20 more ignored"
    );
}

#[test]
fn unknown_keys_are_reported_once_and_kept_in_the_hash() {
    let (state, notices) = PlaygroundState::parse("#foo=1&noise=10&foo=2&dropout.rate=0.5&=x");
    // `dropout.rate` is a figure's control key: not the playground's to report.
    assert_eq!(keys(&notices), vec!["foo", ""]);
    assert_eq!(notices[0].message, "unknown key foo ignored");
    assert_eq!(notices[1].message, "a value without a key (=x) ignored");
    assert!(notices.iter().all(|n| n.kind == NoticeKind::Ignored));
    assert_eq!(state.noise, 10);

    // Writing keeps the other keys where they were and replaces the playground's own.
    let others = HashParams::parse("#foo=1&noise=10&dropout.rate=0.5");
    let hash = PlaygroundState { noise: 20, ..state }.to_hash(&others);
    assert!(hash.starts_with("#foo=1&dataset=circle&"), "{hash}");
    assert!(hash.ends_with("&custom=&dropout.rate=0.5"), "{hash}");
    assert!(
        hash.contains("&noise=20&") && !hash.contains("noise=10"),
        "{hash}"
    );
    let back = HashParams::parse(&hash);
    assert_eq!(back.get("foo"), Some("1"));
    assert_eq!(back.get("dropout.rate"), Some("0.5"));
}

#[test]
fn thousands_of_stray_keys_give_a_short_list_of_notices() {
    // 10 unknown keys named one by one (MAX_UNKNOWN_NOTICES), the other 1,990 counted.
    let stray: Vec<String> = (0..2_000).map(|i| format!("k{i}=1")).collect();
    let (_, notices) = PlaygroundState::parse(&stray.join("&"));
    assert_eq!(notices.len(), 11);
    assert_eq!(notices[0].message, "unknown key k0 ignored");
    assert_eq!(notices[10].message, "1990 more unknown keys ignored");
    // 12 bad layer sizes: 10 named (MAX_LISTED_PROBLEMS), the other 2 counted.
    let (_, message) = parse_one(
        &format!("networkShape={}", ["x"; 12].join(",")),
        "networkShape",
        NoticeKind::Adjusted,
    );
    assert!(message.ends_with("; 2 more entries changed"), "{message}");
}

#[test]
fn repeated_keys_use_the_last_and_say_so() {
    let (s, message) = parse_one("noise=10&noise=20", "noise", NoticeKind::Ignored);
    assert_eq!(s.noise, 20);
    assert_eq!(message, "noise appears 2 times; the last one is used");
}

#[test]
fn a_malformed_hash_gives_defaults_and_notices() {
    let (s, notices) = PlaygroundState::parse("#%%%&&&===&noise=%zz&seed");
    assert_eq!(s, PlaygroundState::default());
    assert_eq!(keys(&notices), vec!["noise", "seed", "%%%", ""]);
}

#[test]
fn only_network_settings_need_a_new_network() {
    let old = PlaygroundState::default();
    let training_only: [fn(&mut PlaygroundState); 8] = [
        |s| s.learning_rate = 0.1,
        |s| s.optimizer = Optimizer::Adam,
        |s| s.batch_size = 30,
        |s| s.regularization = Regularization::L2,
        |s| s.regularization_rate = 0.01,
        |s| s.show_test_data = true,
        |s| s.log_scale = true,
        |s| s.speed = 10,
    ];
    for change in training_only {
        let mut new = old.clone();
        change(&mut new);
        assert_ne!(new, old);
        assert!(!changes_shape(&old, &new), "{new:?}");
    }
    let reshaping: [fn(&mut PlaygroundState); 17] = [
        |s| s.dataset = Dataset::Xor,
        |s| s.reg_dataset = RegDataset::Gauss,
        |s| s.problem = Problem::Regression,
        |s| s.points = 200,
        |s| s.noise = 5,
        |s| s.perc_train = 50,
        |s| s.perc_val = 10,
        |s| s.features.sin_x = true,
        |s| s.normalize = true,
        |s| s.network_shape = vec![3],
        |s| s.activation = Activation::Relu,
        |s| s.loss = Loss::Hinge,
        |s| s.batch_norm = true,
        |s| s.dropout = 0.2,
        |s| s.seed = 2,
        |s| s.classes = 4,
        |s| {
            s.custom = vec![Point {
                x: 0.0,
                y: 0.0,
                label: 1.0,
            }]
        },
    ];
    for change in reshaping {
        let mut new = old.clone();
        change(&mut new);
        assert!(changes_shape(&old, &new), "{new:?}");
    }
    assert!(!changes_shape(&old, &old.clone()));
}

/// A random number with two decimals from −`limit` to `limit`.
fn two_decimals(rng: &mut Rng, limit: usize) -> f64 {
    let hundredths = rng.index(2 * limit * 100 + 1) as f64 - (limit * 100) as f64;
    hundredths / 100.0 + 0.0
}

/// A random valid state: every field anywhere in its range.
fn random_state(rng: &mut Rng) -> PlaygroundState {
    fn pick<T: Copy>(rng: &mut Rng, names: &[&str], from: fn(&str) -> Option<T>, fallback: T) -> T {
        from(names[rng.index(names.len())]).unwrap_or(fallback)
    }
    let between = |rng: &mut Rng, lo: f64, hi: f64| lo + (hi - lo) * rng.next_f64();
    let problem = pick(
        rng,
        Problem::NAMES,
        Problem::from_name,
        Problem::Classification,
    );
    let perc_train = 10 + rng.index(81) as u32;
    let perc_val = rng.index((MAX_TRAIN_PLUS_VAL - perc_train).min(50) as usize + 1) as u32;
    let custom = (0..rng.index(30))
        .map(|_| Point {
            x: two_decimals(rng, 6),
            y: two_decimals(rng, 6),
            label: match problem {
                Problem::Classification => rng.index(5) as f64,
                Problem::Regression => two_decimals(rng, 1),
            },
        })
        .collect();
    PlaygroundState {
        dataset: pick(rng, Dataset::NAMES, Dataset::from_name, Dataset::Circle),
        reg_dataset: pick(
            rng,
            RegDataset::NAMES,
            RegDataset::from_name,
            RegDataset::Plane,
        ),
        problem,
        classes: 3 + rng.index(3),
        noise: rng.index(51) as u32,
        points: 50 + rng.index(951),
        perc_train,
        perc_val,
        features: Features {
            x: rng.bernoulli(0.5),
            y: rng.bernoulli(0.5),
            x_squared: rng.bernoulli(0.5),
            y_squared: rng.bernoulli(0.5),
            x_times_y: rng.bernoulli(0.5),
            sin_x: rng.bernoulli(0.5),
            sin_y: rng.bernoulli(0.5),
        },
        normalize: rng.bernoulli(0.5),
        network_shape: (0..rng.index(9)).map(|_| 1 + rng.index(32)).collect(),
        activation: pick(
            rng,
            Activation::NAMES,
            Activation::from_name,
            Activation::Tanh,
        ),
        loss: pick(rng, Loss::NAMES, Loss::from_name, Loss::Logistic),
        optimizer: pick(rng, Optimizer::NAMES, Optimizer::from_name, Optimizer::Sgd),
        // Any real number in range, not only round ones: the shortest form must read back.
        learning_rate: between(rng, 0.00001, 10.0),
        batch_size: 1 + rng.index(1000),
        regularization: pick(
            rng,
            Regularization::NAMES,
            Regularization::from_name,
            Regularization::None,
        ),
        regularization_rate: between(rng, 0.0, 1.0),
        dropout: between(rng, 0.0, 0.9),
        batch_norm: rng.bernoulli(0.5),
        seed: rng.next_u32(),
        show_test_data: rng.bernoulli(0.5),
        log_scale: rng.bernoulli(0.5),
        speed: 1 + rng.index(100) as u32,
        custom,
    }
}

#[test]
fn every_valid_state_reads_back_exactly_without_notices() {
    // Seeded so a failure reproduces.
    let mut rng = Rng::new(7);
    for _ in 0..2_000 {
        let state = random_state(&mut rng);
        let hash = state.to_hash(&HashParams::new());
        let (back, notices) = PlaygroundState::parse(&hash);
        assert_eq!(back, state, "{hash}");
        assert!(notices.is_empty(), "{hash}: {notices:?}");
    }
}

#[test]
fn any_text_gives_a_valid_state() {
    // Random text, and random text spliced into valid links, never panics, and whatever it
    // gives is a valid state: it reads back exactly, without notices.
    let mut rng = Rng::new(99);
    for i in 0..4_000 {
        let text = if i % 2 == 0 {
            random_text(&mut rng)
        } else {
            let hash = random_state(&mut rng).to_hash(&HashParams::new());
            let at = rng.index(hash.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&j| hash.is_char_boundary(j))
                .unwrap_or(0);
            format!("{}{}{}", &hash[..at], random_text(&mut rng), &hash[at..])
        };
        let (state, _) = PlaygroundState::parse(&text);
        let hash = state.to_hash(&HashParams::new());
        let (back, notices) = PlaygroundState::parse(&hash);
        assert_eq!(back, state, "input {text:?}");
        assert!(notices.is_empty(), "input {text:?}: {notices:?}");
        // Other keys survive a write: the link's own pairs, minus the playground's.
        let others = HashParams::parse(&text);
        let rewritten = HashParams::parse(&state.to_hash(&others));
        for (key, _) in others.iter() {
            if FIELDS.iter().all(|f| f.key != key) {
                assert_eq!(rewritten.get(key), others.get(key), "input {text:?}");
            }
        }
    }
}
