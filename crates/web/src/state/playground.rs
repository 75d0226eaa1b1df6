//! The playground's settings: a network trained in the page on a 2-D data set, as in TensorFlow
//! Playground, whose keys and values it shares where they overlap.
//!
//! [`PlaygroundState`] holds every setting; [`TABLE`] reads and writes them in the hash (every field,
//! in the table's order, as the Playground does, so a shared link pins every setting). The choices
//! here are names only: the figure maps them to the engine's types.

pub mod runs;

use super::{Field, HashParams, Kind, LabelRule, Notice, NoticeKind, Point, Table, Value};

/// The playground's key prefix: none, so its keys read like TensorFlow Playground's.
pub const PREFIX: &str = "";

/// The most points a reader can place for the custom data set.
pub const MAX_CUSTOM_POINTS: usize = 500;
/// Custom points lie in `[−6, 6]²`, the square the generated sets are drawn in.
pub const CUSTOM_LIMIT: f64 = 6.0;
/// The most classes a custom classification set can have (labels 0 to 4).
pub const MAX_CUSTOM_CLASSES: u32 = 5;
/// The most training plus validation data, in percent, so that a test set of 5 % remains.
pub const MAX_TRAIN_PLUS_VAL: u32 = 95;

choice_enum! {
    /// The classification data set.
    pub enum Dataset {
        /// A disc inside a ring.
        #[default]
        Circle = "circle",
        /// Opposite quadrants share a class.
        Xor = "xor",
        /// Two gaussian clusters.
        Gauss = "gauss",
        /// Two interleaved spiral arms.
        Spiral = "spiral",
        /// Two interleaved half circles.
        Moons = "moons",
        /// Gaussian clusters of several classes (see [`PlaygroundState::classes`]).
        Blobs = "blobs",
        /// The reader's own points ([`PlaygroundState::custom`]).
        Custom = "custom",
    }
}

choice_enum! {
    /// The regression data set.
    pub enum RegDataset {
        /// A tilted plane.
        #[default]
        Plane = "reg-plane",
        /// Six gaussian bumps, three up and three down.
        Gauss = "reg-gauss",
        /// The reader's own points with their values ([`PlaygroundState::custom`]).
        Custom = "custom",
    }
}

choice_enum! {
    /// Whether the network predicts a class or a number.
    pub enum Problem {
        /// Predict a class.
        #[default]
        Classification = "classification",
        /// Predict a number.
        Regression = "regression",
    }
}

choice_enum! {
    /// The hidden layers' activation function.
    pub enum Activation {
        /// The logistic function.
        Sigmoid = "sigmoid",
        /// The hyperbolic tangent.
        #[default]
        Tanh = "tanh",
        /// `max(0, z)`.
        Relu = "relu",
        /// `max(αz, z)` with a small fixed slope.
        LeakyRelu = "leaky_relu",
        /// Leaky ReLU with a learned slope.
        Prelu = "prelu",
        /// `z·σ(βz)`.
        Swish = "swish",
        /// The identity.
        Linear = "linear",
    }
}

choice_enum! {
    /// The loss for binary classification.
    pub enum Loss {
        /// Logistic loss (binary cross-entropy).
        #[default]
        Logistic = "logistic",
        /// Squared error.
        Squared = "squared",
        /// Hinge loss.
        Hinge = "hinge",
        /// Exponential loss.
        Exponential = "exponential",
    }
}

choice_enum! {
    /// The optimizer.
    pub enum Optimizer {
        /// Gradient descent on the whole training set.
        Gd = "gd",
        /// Stochastic gradient descent on mini-batches.
        #[default]
        Sgd = "sgd",
        /// SGD with momentum.
        Momentum = "momentum",
        /// SGD with Nesterov momentum.
        Nesterov = "nesterov",
        /// Adagrad.
        Adagrad = "adagrad",
        /// RMSProp.
        Rmsprop = "rmsprop",
        /// Adam.
        Adam = "adam",
    }
}

choice_enum! {
    /// The weight penalty.
    pub enum Regularization {
        /// No penalty.
        #[default]
        None = "none",
        /// The sum of absolute weights.
        L1 = "L1",
        /// The sum of squared weights.
        L2 = "L2",
        /// Both, as an elastic net.
        Elastic = "elastic",
    }
}

/// The input features the network sees, as TensorFlow Playground's switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    /// `x₁`.
    pub x: bool,
    /// `x₂`.
    pub y: bool,
    /// `x₁²`.
    pub x_squared: bool,
    /// `x₂²`.
    pub y_squared: bool,
    /// `x₁·x₂`.
    pub x_times_y: bool,
    /// `sin x₁`.
    pub sin_x: bool,
    /// `sin x₂`.
    pub sin_y: bool,
}

impl Default for Features {
    /// `x₁` and `x₂`, the Playground's default.
    fn default() -> Self {
        Self {
            x: true,
            y: true,
            x_squared: false,
            y_squared: false,
            x_times_y: false,
            sin_x: false,
            sin_y: false,
        }
    }
}

/// Every setting of the playground. [`PlaygroundState::default`] is what a link without keys shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaygroundState {
    /// The classification data set (`dataset`, default circle).
    pub dataset: Dataset,
    /// The regression data set (`regDataset`, default reg-plane).
    pub reg_dataset: RegDataset,
    /// Classification or regression (`problem`, default classification).
    pub problem: Problem,
    /// The number of classes of the blobs set (`classes`, 3 to 5, default 3).
    pub classes: usize,
    /// The noise in percent (`noise`, 0 to 50, default 0).
    pub noise: u32,
    /// The number of points (`points`, 50 to 1000, default 400).
    pub points: usize,
    /// The training share in percent (`percTrainData`, 10 to 90, default 60).
    pub perc_train: u32,
    /// The validation share in percent (`percValData`, 0 to 50, default 20); with the training share
    /// at most 95, so at least 5 % is left for testing.
    pub perc_val: u32,
    /// The input features (`x`, `y`, `xSquared`, `ySquared`, `xTimesY`, `sinX`, `sinY`).
    pub features: Features,
    /// Whether inputs are min-max scaled (`normalize`, default false).
    pub normalize: bool,
    /// The hidden layers' sizes (`networkShape`, 0 to 8 layers of 1 to 32, default 4,2).
    pub network_shape: Vec<usize>,
    /// The hidden activation (`activation`, default tanh).
    pub activation: Activation,
    /// The loss for binary classification (`loss`, default logistic).
    pub loss: Loss,
    /// The optimizer (`optimizer`, default sgd).
    pub optimizer: Optimizer,
    /// The learning rate (`learningRate`, 0.00001 to 10, default 0.03).
    pub learning_rate: f64,
    /// The mini-batch size (`batchSize`, 1 to 1000, default 10).
    pub batch_size: usize,
    /// The weight penalty (`regularization`, default none).
    pub regularization: Regularization,
    /// The penalty's strength (`regularizationRate`, 0 to 1, default 0).
    pub regularization_rate: f64,
    /// The dropout probability of hidden units (`dropout`, 0 to 0.9, default 0).
    pub dropout: f64,
    /// Whether hidden layers use batch normalization (`batchNorm`, default false).
    pub batch_norm: bool,
    /// The seed of the data, the split and the initial weights (`seed`, default 1).
    pub seed: u32,
    /// Whether the test points are drawn (`showTestData`, default false).
    pub show_test_data: bool,
    /// Whether the loss chart has a logarithmic scale (`logScale`, default false).
    pub log_scale: bool,
    /// Training steps per animation frame (`speed`, 1 to 100, default 5).
    pub speed: u32,
    /// The reader's points for the custom data set (`custom`, at most 500): classes 0 to 4 in
    /// classification, values from −1 to 1 in regression.
    pub custom: Vec<Point>,
}

impl Default for PlaygroundState {
    fn default() -> Self {
        Self {
            dataset: Dataset::default(),
            reg_dataset: RegDataset::default(),
            problem: Problem::default(),
            classes: 3,
            noise: 0,
            points: 400,
            perc_train: 60,
            perc_val: 20,
            features: Features::default(),
            normalize: false,
            network_shape: vec![4, 2],
            activation: Activation::default(),
            loss: Loss::default(),
            optimizer: Optimizer::default(),
            learning_rate: 0.03,
            batch_size: 10,
            regularization: Regularization::default(),
            regularization_rate: 0.0,
            dropout: 0.0,
            batch_norm: false,
            seed: 1,
            show_test_data: false,
            log_scale: false,
            speed: 5,
            custom: Vec::new(),
        }
    }
}

impl PlaygroundState {
    /// The state a hash describes, and a notice for every key ignored or changed. Never fails.
    pub fn parse(hash: &str) -> (Self, Vec<Notice>) {
        Self::from_params(&HashParams::parse(hash))
    }

    /// The state in already-read pairs, and a notice for every key ignored or changed.
    pub fn from_params(params: &HashParams) -> (Self, Vec<Notice>) {
        TABLE.parse(params)
    }

    /// The hash (with its `#`) holding every setting, with every other key of `other_keys` kept
    /// in place.
    pub fn to_hash(&self, other_keys: &HashParams) -> String {
        TABLE.to_hash(self, other_keys)
    }

    /// The hidden layers' sizes, input side first (empty: no hidden layer).
    pub fn hidden_layers(&self) -> &[usize] {
        &self.network_shape
    }

    /// The test share in percent: what training and validation leave (at least 5).
    pub fn test_percent(&self) -> u32 {
        100u32.saturating_sub(self.perc_train + self.perc_val)
    }

    /// The labels custom points may have for the current problem.
    pub fn custom_labels(&self) -> LabelRule {
        custom_labels(self)
    }

    /// What a CSV file of the reader's points may hold: the same limits as the address's
    /// `custom` field (at most [`MAX_CUSTOM_POINTS`] points, coordinates within
    /// ±[`CUSTOM_LIMIT`], labels as [`Self::custom_labels`] says).
    pub fn csv_bounds(&self) -> spiega_nn::data::csv::CsvBounds {
        let limit = CUSTOM_LIMIT as f32;
        let (classes, values) = match custom_labels(self) {
            LabelRule::Classes { count } => (count as usize, (0.0, 0.0)),
            LabelRule::Values { min, max } => (0, (min as f32, max as f32)),
        };
        spiega_nn::data::csv::CsvBounds {
            max_rows: MAX_CUSTOM_POINTS,
            coordinates: (-limit, limit),
            classes,
            values,
        }
    }
}

/// Whether going from `old` to `new` needs a new network and data, so training starts again.
///
/// Only the learning rate, optimizer, batch size, penalty and its rate, and the display settings
/// (test points, log scale, speed) can change while training goes on. Any other field, including
/// one added later, counts as a change of shape: resetting too often is safer than training a
/// network that no longer matches its settings.
pub fn changes_shape(old: &PlaygroundState, new: &PlaygroundState) -> bool {
    let mut same_training = new.clone();
    same_training.learning_rate = old.learning_rate;
    same_training.optimizer = old.optimizer;
    same_training.batch_size = old.batch_size;
    same_training.regularization = old.regularization;
    same_training.regularization_rate = old.regularization_rate;
    same_training.show_test_data = old.show_test_data;
    same_training.log_scale = old.log_scale;
    same_training.speed = old.speed;
    same_training != *old
}

/// Custom labels: classes 0 to 4 in classification, values from −1 to 1 (the range of the
/// Playground's regression targets) in regression.
fn custom_labels(state: &PlaygroundState) -> LabelRule {
    match state.problem {
        Problem::Classification => LabelRule::Classes {
            count: MAX_CUSTOM_CLASSES,
        },
        Problem::Regression => LabelRule::Values {
            min: -1.0,
            max: 1.0,
        },
    }
}

/// Keys TensorFlow Playground writes that this playground does not have.
const UNSUPPORTED: &[&str] = &[
    "discretize",
    "cosX",
    "cosY",
    "collectStats",
    "initZero",
    "hideText",
    "tutorial",
];

/// Keeps a test set of at least 5 %: lowers the validation share if training plus validation
/// exceed [`MAX_TRAIN_PLUS_VAL`].
fn check(state: &mut PlaygroundState, notices: &mut Vec<Notice>) {
    if state.perc_train + state.perc_val > MAX_TRAIN_PLUS_VAL {
        let val = MAX_TRAIN_PLUS_VAL.saturating_sub(state.perc_train);
        notices.push(Notice::new(
            "percValData",
            NoticeKind::Clamped,
            format!(
                "percTrainData={} with percValData={} leaves less than 5% for testing; \
                 using percValData={val}",
                state.perc_train, state.perc_val
            ),
        ));
        state.perc_val = val;
    }
}

/// A whole-number value as `usize`/`u32`, when the kind's range made it fit.
fn whole<T: TryFrom<i64>>(value: &Value) -> Option<T> {
    match value {
        Value::Integer(n) => T::try_from(*n).ok(),
        _ => None,
    }
}

/// A boolean value.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// A number value.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(v) => Some(*v),
        _ => None,
    }
}

/// A choice's name.
fn choice(value: &Value) -> Option<&'static str> {
    match value {
        Value::Choice(name) => Some(*name),
        _ => None,
    }
}

/// Whole numbers as a `usize`.
fn integer(n: usize) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A boolean field of the state, by its key and the place it lives.
macro_rules! bool_field {
    ($key:literal, $($path:ident).+) => {
        Field {
            key: $key,
            kind: Kind::Bool,
            get: |s| Value::Bool(s.$($path).+),
            set: |s, v| {
                if let Some(b) = boolean(&v) {
                    s.$($path).+ = b;
                }
            },
        }
    };
}

/// A choice field of the state, by its key, its enum and the place it lives.
macro_rules! choice_field {
    ($key:literal, $choice:ident, $field:ident) => {
        Field {
            key: $key,
            kind: Kind::Choice($choice::NAMES),
            get: |s| Value::Choice(s.$field.name()),
            set: |s, v| {
                if let Some(c) = choice(&v).and_then($choice::from_name) {
                    s.$field = c;
                }
            },
        }
    };
}

/// A whole-number field of the state, by its key, range and the place it lives.
macro_rules! integer_field {
    ($key:literal, $min:literal..=$max:literal, $field:ident) => {
        Field {
            key: $key,
            kind: Kind::Integer {
                min: $min,
                max: $max,
            },
            get: |s| Value::Integer(i64::from(s.$field)),
            set: |s, v| {
                if let Some(n) = whole(&v) {
                    s.$field = n;
                }
            },
        }
    };
}

/// A real-number field of the state, by its key, range and the place it lives.
macro_rules! number_field {
    ($key:literal, $min:literal..=$max:literal, $field:ident) => {
        Field {
            key: $key,
            kind: Kind::Number {
                min: $min,
                max: $max,
            },
            get: |s| Value::Number(s.$field),
            set: |s, v| {
                if let Some(x) = number(&v) {
                    s.$field = x;
                }
            },
        }
    };
}

/// The playground's fields, in the order the hash lists them.
pub static FIELDS: &[Field<PlaygroundState>] = &[
    choice_field!("dataset", Dataset, dataset),
    choice_field!("regDataset", RegDataset, reg_dataset),
    choice_field!("problem", Problem, problem),
    Field {
        key: "classes",
        kind: Kind::Integer { min: 3, max: 5 },
        get: |s| integer(s.classes),
        set: |s, v| {
            if let Some(n) = whole(&v) {
                s.classes = n;
            }
        },
    },
    integer_field!("noise", 0..=50, noise),
    Field {
        key: "points",
        kind: Kind::Integer { min: 50, max: 1000 },
        get: |s| integer(s.points),
        set: |s, v| {
            if let Some(n) = whole(&v) {
                s.points = n;
            }
        },
    },
    integer_field!("percTrainData", 10..=90, perc_train),
    integer_field!("percValData", 0..=50, perc_val),
    bool_field!("x", features.x),
    bool_field!("y", features.y),
    bool_field!("xSquared", features.x_squared),
    bool_field!("ySquared", features.y_squared),
    bool_field!("xTimesY", features.x_times_y),
    bool_field!("sinX", features.sin_x),
    bool_field!("sinY", features.sin_y),
    bool_field!("normalize", normalize),
    Field {
        key: "networkShape",
        kind: Kind::IntList {
            max_len: 8,
            min: 1,
            max: 32,
        },
        get: |s| {
            Value::IntList(
                s.network_shape
                    .iter()
                    .map(|&n| i64::try_from(n).unwrap_or(i64::MAX))
                    .collect(),
            )
        },
        set: |s, v| {
            if let Value::IntList(sizes) = v {
                s.network_shape = sizes
                    .into_iter()
                    .filter_map(|n| usize::try_from(n).ok())
                    .collect();
            }
        },
    },
    choice_field!("activation", Activation, activation),
    choice_field!("loss", Loss, loss),
    choice_field!("optimizer", Optimizer, optimizer),
    number_field!("learningRate", 0.00001..=10.0, learning_rate),
    Field {
        key: "batchSize",
        kind: Kind::Integer { min: 1, max: 1000 },
        get: |s| integer(s.batch_size),
        set: |s, v| {
            if let Some(n) = whole(&v) {
                s.batch_size = n;
            }
        },
    },
    choice_field!("regularization", Regularization, regularization),
    number_field!("regularizationRate", 0.0..=1.0, regularization_rate),
    number_field!("dropout", 0.0..=0.9, dropout),
    bool_field!("batchNorm", batch_norm),
    Field {
        key: "seed",
        kind: Kind::Seed,
        get: |s| Value::Seed(s.seed),
        set: |s, v| {
            if let Value::Seed(seed) = v {
                s.seed = seed;
            }
        },
    },
    bool_field!("showTestData", show_test_data),
    bool_field!("logScale", log_scale),
    integer_field!("speed", 1..=100, speed),
    // Last, so that its labels are checked against the problem read before it.
    Field {
        key: "custom",
        kind: Kind::Points {
            max_points: MAX_CUSTOM_POINTS,
            limit: CUSTOM_LIMIT,
            labels: custom_labels,
        },
        get: |s| Value::Points(s.custom.clone()),
        set: |s, v| {
            if let Value::Points(points) = v {
                s.custom = points;
            }
        },
    },
];

/// The playground's table: its fields, the Playground keys it does not support, and its split check.
pub static TABLE: Table<PlaygroundState> = Table {
    prefix: PREFIX,
    fields: FIELDS,
    unsupported: UNSUPPORTED,
    check,
};

#[cfg(test)]
mod tests;
