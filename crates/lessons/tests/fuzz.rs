//! Property tests over the engine's public API with random shapes, hyperparameters and values,
//! NaN and infinities included: every call returns a value or an `EngineError`, never a panic.
//! Also the CSV importer: any text gives rows or an error naming a line, and valid CSV written by
//! `to_csv` reads back to the same numbers.
//!
//! Every test's name starts with `fuzz_`. `cargo test` runs a few dozen cases of each; `cargo
//! xtask fuzz` runs the same tests in release mode with `PROPTEST_CASES` set much higher.

use proptest::prelude::*;
use proptest::test_runner::Config;
use spiega_lessons::initialisation::{Scheme, spread};
use spiega_lessons::playground::{DataKind, Playground, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::Dataset;
use spiega_nn::data::csv::{CsvError, CsvLabels, parse_csv, to_csv};
use spiega_nn::data::features::FeatureSet;
use spiega_nn::data::split::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::layer::{BatchNorm, Dense, Dropout, Init, LayerNorm, Mode, Module};
use spiega_nn::metrics::classification::{accuracy, binary_counts};
use spiega_nn::metrics::regression::regression_report;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;
use spiega_nn::train::Trainer;
use spiega_nn::{Loss, Matrix, Rng, Sequential, Shape};

/// The quick case count for `cargo test`, unless `PROPTEST_CASES` asks for another.
fn cases(quick: u32) -> Config {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = quick;
    }
    config
}

/// Any `f32`, with the awkward ones (NaN, ±∞, 0, huge, tiny) often.
fn any_value() -> BoxedStrategy<f32> {
    prop_oneof![
        3 => -10.0f32..10.0,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => Just(0.0f32),
        1 => prop_oneof![Just(f32::MAX), Just(-f32::MAX), Just(f32::MIN_POSITIVE), Just(1e30)],
        1 => any::<f32>(),
    ]
    .boxed()
}

/// A matrix of `rows × cols` awkward values.
fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Matrix> {
    proptest::collection::vec(any_value(), rows * cols)
        .prop_map(move |v| Matrix::from_vec(rows, cols, v))
}

/// A matrix of any small shape (0 to 5 rows and columns).
fn any_matrix() -> impl Strategy<Value = Matrix> {
    (0usize..6, 0usize..6).prop_flat_map(|(r, c)| matrix(r, c))
}

/// Any initialisation scheme, its parameter any value.
fn init() -> BoxedStrategy<Init> {
    prop_oneof![
        Just(Init::Glorot),
        Just(Init::He),
        Just(Init::Playground),
        Just(Init::Zero),
        any_value().prop_map(|limit| Init::Uniform { limit }),
        any_value().prop_map(|std| Init::Normal { std }),
    ]
    .boxed()
}

/// Any activation, its parameter any value.
fn activation() -> BoxedStrategy<Activation> {
    prop_oneof![
        Just(Activation::Linear),
        Just(Activation::Sigmoid),
        Just(Activation::Tanh),
        Just(Activation::Relu),
        any_value().prop_map(|slope| Activation::LeakyRelu { slope }),
        any_value().prop_map(|alpha| Activation::Prelu { alpha }),
        any_value().prop_map(|beta| Activation::Swish { beta }),
    ]
    .boxed()
}

fn loss() -> impl Strategy<Value = Loss> {
    proptest::sample::select(Loss::ALL.to_vec())
}

/// An optimizer configuration of any kind: its defaults, or any hyperparameters.
fn optimizer() -> BoxedStrategy<OptimizerConfig> {
    let kind = proptest::sample::select(OptimizerKind::ALL.to_vec());
    let wild = (kind.clone(), proptest::collection::vec(any_value(), 9)).prop_map(|(kind, h)| {
        OptimizerConfig {
            lr: h[0],
            momentum: h[1],
            dampening: h[2],
            weight_decay: h[3],
            alpha: h[4],
            beta1: h[5],
            beta2: h[6],
            eps: h[7],
            initial_accumulator_value: h[8],
            ..OptimizerConfig::new(kind)
        }
    });
    prop_oneof![3 => kind.prop_map(OptimizerConfig::new), 1 => wild].boxed()
}

fn penalty() -> BoxedStrategy<Penalty> {
    prop_oneof![
        Just(Penalty::None),
        any_value().prop_map(|lambda| Penalty::L1 { lambda }),
        any_value().prop_map(|lambda| Penalty::L2 { lambda }),
        (any_value(), any_value()).prop_map(|(l1, l2)| Penalty::L1L2 { l1, l2 }),
        (any_value(), any_value())
            .prop_map(|(alpha, l1_ratio)| Penalty::ElasticNet { alpha, l1_ratio }),
    ]
    .boxed()
}

/// Lines built from numbers, garbage and separators, so parsing reaches every branch.
fn csv_text() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        any_value().prop_map(|v| v.to_string()),
        (0u32..120).prop_map(|n| n.to_string()),
        Just(String::new()),
        Just(" x1 ".to_owned()),
        Just("label".to_owned()),
        "[ -~]{0,6}",
        ".{0,4}",
    ];
    let line = proptest::collection::vec(field, 0..5).prop_map(|f| f.join(","));
    let end = prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("")];
    (
        proptest::option::of(Just("\u{feff}")),
        proptest::collection::vec((line, end), 0..8),
    )
        .prop_map(|(bom, lines)| {
            let mut text = bom.unwrap_or("").to_owned();
            for (l, e) in lines {
                text.push_str(&l);
                text.push_str(e);
            }
            text
        })
}

/// Checks that a CSV error names a line that exists.
fn check_csv_error(text: &str, error: &CsvError) -> Result<(), TestCaseError> {
    if let CsvError::Line { line, .. } = error {
        let lines = text.split('\n').count();
        prop_assert!(
            (1..=lines).contains(line),
            "line {line} of {lines}: {error}"
        );
    }
    prop_assert!(!matches!(error, CsvError::Dataset(_)), "{error}");
    Ok(())
}

proptest! {
    #![proptest_config(cases(64))]

    /// Any text, as bytes read lossily or as built lines, is rows or an error naming a line.
    #[test]
    fn fuzz_csv_any_text(bytes in proptest::collection::vec(any::<u8>(), 0..200), built in csv_text()) {
        for text in [String::from_utf8_lossy(&bytes).into_owned(), built] {
            for labels in [CsvLabels::Classes, CsvLabels::Values] {
                match parse_csv(&text, labels) {
                    Ok(data) => prop_assert!(!data.is_empty()),
                    Err(e) => check_csv_error(&text, &e)?,
                }
            }
        }
    }

    /// A valid dataset written by `to_csv` reads back to the same points and labels.
    #[test]
    fn fuzz_csv_round_trip(
        points in proptest::collection::vec((any::<f32>(), any::<f32>(), 0usize..7, any::<f32>()), 1..40),
        regression in any::<bool>(),
    ) {
        let points: Vec<_> = points
            .into_iter()
            .filter(|(a, b, _, v)| a.is_finite() && b.is_finite() && v.is_finite())
            .collect();
        prop_assume!(!points.is_empty());
        let x = Matrix::from_fn(points.len(), 2, |r, c| if c == 0 { points[r].0 } else { points[r].1 });
        let data = if regression {
            let y = Matrix::from_fn(points.len(), 1, |r, _| points[r].3);
            Dataset::regression(x, y)
        } else {
            let labels: Vec<usize> = points.iter().map(|p| p.2).collect();
            let top = labels.iter().copied().max().unwrap_or(0);
            if top <= 1 {
                Dataset::binary(x, labels)
            } else {
                Dataset::multiclass(x, labels, top + 1)
            }
        };
        let data = data.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let text = to_csv(&data).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let kind = if regression { CsvLabels::Values } else { CsvLabels::Classes };
        let back = parse_csv(&text, kind).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.x(), data.x());
        prop_assert_eq!(back.targets(), data.targets());
        prop_assert_eq!(back.labels(), data.labels());
    }

    /// Dense, activation-free, dropout, batch and layer norm layers with any sizes and values.
    #[test]
    fn fuzz_layers_forward_backward(
        inputs in 0usize..6,
        outputs in 0usize..6,
        act in activation(),
        init in init(),
        p in any_value(),
        input in any_matrix(),
        grad in any_matrix(),
        seed in any::<u32>(),
    ) {
        let mut rng = Rng::new(seed);
        let mut layers: Vec<Box<dyn Module>> = Vec::new();
        if let Ok(d) = Dense::new(inputs, outputs, act, init, &mut rng) {
            layers.push(Box::new(d));
        }
        if let Ok(d) = Dropout::new(Shape::Flat(inputs.max(1)), p) {
            layers.push(Box::new(d));
        }
        if let Ok(b) = BatchNorm::new(Shape::Flat(inputs)) {
            layers.push(Box::new(b));
        }
        if let Ok(l) = LayerNorm::new(Shape::Flat(inputs)) {
            layers.push(Box::new(l));
        }
        for layer in &mut layers {
            for mode in [Mode::Train, Mode::Eval] {
                if layer.forward(&input, mode, &mut rng).is_ok() {
                    let _ = layer.output();
                    let _ = layer.backward(&input, &grad);
                    let _ = layer.grad_input();
                }
            }
        }
    }

    /// Every loss on outputs and targets of any shapes and values.
    #[test]
    fn fuzz_losses(l in loss(), output in any_matrix(), target in any_matrix(), same_shape in any::<bool>(), t2 in any_matrix()) {
        let target = if same_shape {
            Matrix::from_fn(output.nrows(), output.ncols(), |r, c| t2.get((r, c)).copied().unwrap_or(1.0))
        } else {
            target
        };
        let mut grad = Matrix::zeros(0, 0);
        let _ = l.value_and_grad(&output, &target, &mut grad);
        let _ = l.value(&output, &target);
        let _ = l.per_sample(&output, &target);
        let mut probabilities = Matrix::zeros(0, 0);
        let _ = l.predict_probabilities(&output, &mut probabilities);
        let _ = l.predict_labels(&output);
    }

    /// Metrics on label lists and matrices of any lengths and values.
    #[test]
    fn fuzz_metrics(
        a in proptest::collection::vec(-3i64..4, 0..12),
        b in proptest::collection::vec(-3i64..4, 0..12),
        truth in any_matrix(),
        predicted in any_matrix(),
    ) {
        let _ = accuracy(&a, &b);
        let _ = binary_counts(&a, &b);
        let _ = regression_report(&truth, &predicted);
    }

    /// A `Sequential` of dense layers trained by any optimizer, loss and penalty on any batch.
    #[test]
    fn fuzz_trainer_step(
        widths in proptest::collection::vec(1usize..6, 1..4),
        act in activation(),
        l in loss(),
        opt in optimizer(),
        pen in penalty(),
        batch in 0usize..5,
        x_cols_off in 0usize..2,
        values in proptest::collection::vec(any_value(), 64),
        seed in any::<u32>(),
    ) {
        let mut rng = Rng::new(seed);
        let mut model = Sequential::new(Shape::Flat(widths[0]));
        for pair in widths.windows(2) {
            if let Ok(d) = Dense::new(pair[0], pair[1], act, Init::He, &mut rng) {
                let _ = model.push(d);
            }
        }
        let Ok(optimizer) = opt.build() else { return Ok(()) };
        let Ok(mut trainer) = Trainer::new(model, l, optimizer, pen, rng) else { return Ok(()) };
        let inputs = widths[0] + x_cols_off;
        let outputs = *widths.last().unwrap_or(&1);
        let x = Matrix::from_fn(batch, inputs, |r, c| values[(r * inputs + c) % values.len()]);
        let y = Matrix::from_fn(batch, outputs, |r, c| values[(r * outputs + c + 7) % values.len()]);
        for _ in 0..3 {
            if let Ok(loss) = trainer.step(&x, &y) {
                prop_assert!(loss.is_finite(), "a step returned the loss {loss}");
            }
        }
        let _ = trainer.evaluate(&x, &y);
        let _ = trainer.predict(&x);
        let _ = trainer.penalty_value();
    }

    /// The initialisation figure's spreads for any scheme, activation and seed: numbers, one per
    /// hidden layer, or an error.
    #[test]
    fn fuzz_initialisation(scheme in 0usize..4, act in activation(), seed in any::<u32>()) {
        if let Ok(s) = spread(Scheme::ALL[scheme], act, seed) {
            prop_assert_eq!(s.activations.len(), s.gradients.len());
            prop_assert_eq!(s.activations.len(), s.identical_units.len());
        }
    }

    /// The playground with any configuration: built or refused, then stepped and scored.
    #[test]
    fn fuzz_playground(config in playground_config().boxed()) {
        let Ok(mut playground) = Playground::new(config) else { return Ok(()) };
        for _ in 0..3 {
            if let Ok(loss) = playground.step() {
                prop_assert!(!loss.is_nan(), "a step returned NaN");
            }
        }
        let _ = playground.record();
        let mut values = Vec::new();
        let mut classes = Vec::new();
        if playground.evaluate_grid(8, &mut values, &mut classes).is_ok() {
            prop_assert!(!values.is_empty() || !classes.is_empty());
        }
        let _ = playground.dead_neurons();
        let _ = playground.feature_map(0, 4, &mut values);
    }
}

/// Mostly a value from `range`, sometimes any awkward value.
fn mostly(range: std::ops::Range<f32>) -> impl Strategy<Value = f32> {
    prop_oneof![15 => range, 1 => any_value()]
}

/// The data a playground trains on, including the reader's own points (possibly none).
fn playground_data() -> BoxedStrategy<Option<DataKind>> {
    (
        0usize..9,
        0usize..8,
        proptest::collection::vec((any_value(), any_value(), 0usize..4), 0..12),
    )
        .prop_map(|(data_kind, blob_classes, custom)| {
            Some(match data_kind {
                0 => DataKind::Classify(TwoD::Circle),
                1 => DataKind::Classify(TwoD::Xor),
                2 => DataKind::Classify(TwoD::Spiral),
                3 => DataKind::Classify(TwoD::Moons),
                4 => DataKind::Classify(TwoD::Blobs {
                    classes: blob_classes,
                }),
                5 => DataKind::Plane,
                6 => DataKind::MultiGaussian,
                _ => {
                    let x = Matrix::from_fn(custom.len(), 2, |r, c| {
                        if c == 0 { custom[r].0 } else { custom[r].1 }
                    });
                    let built = if data_kind == 7 {
                        Dataset::binary(x, custom.iter().map(|p| p.2 % 2).collect())
                    } else {
                        let y = Matrix::from_fn(custom.len(), 1, |r, _| custom[r].0);
                        Dataset::regression(x, y)
                    };
                    DataKind::Custom(built.ok()?)
                }
            })
        })
        .boxed()
}

/// A playground configuration, mostly within the page's ranges, sometimes far outside them.
fn playground_config() -> impl Strategy<Value = PlaygroundConfig> {
    let data = (
        playground_data(),
        prop_oneof![4 => 20usize..200, 1 => 0usize..20],
        mostly(0.0..0.5),
        (mostly(0.1..0.9), mostly(0.0..0.5), mostly(0.0..0.5)),
        any::<u8>(),
        any::<bool>(),
    );
    let network = (
        prop_oneof![
            3 => proptest::collection::vec(1usize..9, 0..4),
            1 => proptest::collection::vec(0usize..40, 0..10),
        ],
        prop_oneof![3 => Just(Activation::Tanh), 1 => Just(Activation::Relu), 1 => activation()],
        loss(),
        (optimizer(), mostly(0.00001..10.0)),
        prop_oneof![1usize..4, 0usize..600],
        (
            prop_oneof![3 => Just(Penalty::None), 1 => penalty()],
            mostly(0.0..0.9),
            any::<bool>(),
            any::<u32>(),
        ),
    );
    (data.boxed(), network.boxed()).prop_map(
        |(
            (data, points, noise, split, feature_bits, normalize),
            (
                hidden,
                activation,
                binary_loss,
                (opt, lr),
                batch_size,
                (penalty, dropout, batch_norm, seed),
            ),
        )| PlaygroundConfig {
            data: data.unwrap_or(DataKind::Plane),
            points,
            noise,
            split: SplitFractions::new(split.0, split.1, split.2),
            features: FeatureSet::from_bits(feature_bits).unwrap_or(FeatureSet::PLAIN),
            normalize,
            hidden,
            activation,
            binary_loss,
            optimizer: OptimizerConfig { lr, ..opt },
            batch_size,
            penalty,
            dropout,
            batch_norm,
            seed,
        },
    )
}
