//! The playground's network as a file: the JSON model format (`docs/model-format.md`), written
//! from a trained playground, read back with a message naming the first problem of a bad file,
//! rebuilt as a network, and loaded into a playground.
//!
//! A file holds the input features, their scaling, each layer's parameters (a dense layer's
//! weights as rows, one row per output unit, so `(out, in)` as PyTorch stores them), the
//! activations by name, batch normalization's parameters and running statistics, and the loss,
//! which says how the outputs are read (a logit, a margin score, class logits or a value).

#[cfg(test)]
use super::Scores;
use super::{Playground, PlaygroundConfig};
use serde_json::{Map, Value, json};
use spiega_nn::activation::{ACTIVATION_NAMES, Activation};
use spiega_nn::data::Task;
use spiega_nn::data::features::{Feature, FeatureSet, design_matrix};
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{ActivationLayer, BatchNorm, Dense, Mode};
use spiega_nn::loss::Loss;
use spiega_nn::model::Sequential;
use spiega_nn::normalize::MinMaxScaler;
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};

/// The value of a file's `"format"` field.
pub const FORMAT: &str = "spiega-model";
/// The format version this code writes and reads.
pub const VERSION: u64 = 1;
/// The largest file read, in bytes (a playground network at its largest is about 150 kB).
pub const MAX_BYTES: usize = 1_000_000;
/// The most layers a file may list.
pub const MAX_FILE_LAYERS: usize = 64;
/// The widest layer a file may have.
pub const MAX_FILE_WIDTH: usize = 256;
/// The most classes a softmax output may have.
pub const MAX_CLASSES: usize = 10;
/// The most hidden layers the backpropagation step-through takes from a model file.
pub const STEP_THROUGH_HIDDEN: usize = 8;
/// The widest layer the backpropagation step-through takes from a model file.
pub const STEP_THROUGH_WIDTH: usize = 32;
/// The range the playground's min-max scaling maps the training split's features to.
pub const SCALED_RANGE: (f32, f32) = (-1.0, 1.0);
/// The losses a file may name: the playground's binary losses, softmax cross-entropy for classes
/// and mean squared error for regression.
pub const FILE_LOSSES: [Loss; 6] = [
    Loss::BinaryCrossEntropy,
    Loss::Hinge,
    Loss::SquaredMargin,
    Loss::Exponential,
    Loss::SoftmaxCrossEntropy,
    Loss::MeanSquaredError,
];

/// One layer of a saved network.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    /// `a = g(x Wᵀ + b)`.
    Dense {
        /// `W`, `(out, in)`.
        weights: Matrix,
        /// `b`, one per output.
        biases: Vec<f32>,
        /// `g`, with its parameter.
        activation: Activation,
    },
    /// Batch normalization in evaluation: `y = γ (x − mean) / √(variance + ε) + β`.
    BatchNorm {
        /// `γ`, one per feature.
        gamma: Vec<f32>,
        /// `β`, one per feature.
        beta: Vec<f32>,
        /// The running mean.
        mean: Vec<f32>,
        /// The running variance evaluation uses.
        variance: Vec<f32>,
        /// `ε`.
        eps: f32,
    },
    /// An activation on its own (after a batch normalization).
    Activation(Activation),
}

/// A network with its inputs and its loss, as a model file holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    /// The input features, in the order of [`Feature::ALL`] (a file in another order is put in
    /// this one, with the first layer's columns and the scaling moved along).
    pub features: Vec<Feature>,
    /// Per feature, `scale` and `offset` of `x · scale + offset`, or `None` for raw features.
    pub scaling: Option<(Vec<f32>, Vec<f32>)>,
    /// The layers, input side first; the last is dense with a linear activation.
    pub layers: Vec<Layer>,
    /// The loss the network was trained with: it says how outputs are read.
    pub loss: Loss,
}

/// A bad file: `Err` with a message naming the problem.
fn bad<T>(message: impl Into<String>) -> Result<T> {
    Err(EngineError::Invalid(message.into()))
}

/// The activation's parameter, with its key in a file, if it has one (leaky ReLU's fixed slope
/// as well as the learned α and β).
pub(super) fn activation_param(a: Activation) -> Option<(&'static str, f32)> {
    match a {
        Activation::LeakyRelu { slope } => Some(("slope", slope)),
        Activation::Prelu { alpha } => Some(("alpha", alpha)),
        Activation::Swish { beta } => Some(("beta", beta)),
        _ => None,
    }
}

/// Writes an activation into a layer object: its name, and its parameter under its own key.
fn put_activation(o: &mut Map<String, Value>, a: Activation) {
    o.insert("activation".into(), json!(a.name()));
    if let Some((key, v)) = activation_param(a) {
        o.insert(key.into(), json!(v));
    }
}

/// Reads `what` as a finite `f32`.
fn number(v: &Value, what: &str) -> Result<f32> {
    let Some(x) = v.as_f64() else {
        return bad(format!("{what} should be a number, not {}", kind(v)));
    };
    let f = x as f32;
    if !f.is_finite() {
        return bad(format!(
            "{what} is {x}, which is not a finite 32-bit number"
        ));
    }
    Ok(f)
}

/// Reads `what` as a list of finite numbers of length `len` (any length when `None`).
fn numbers(v: Option<&Value>, what: &str, len: Option<usize>) -> Result<Vec<f32>> {
    let Some(list) = v.and_then(Value::as_array) else {
        return bad(format!("{what} should be a list of numbers"));
    };
    if let Some(n) = len
        && list.len() != n
    {
        return bad(format!(
            "{what} has {} numbers where {n} are needed",
            list.len()
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, x)| number(x, &format!("{what}, entry {}", i + 1)))
        .collect()
}

/// A short description of a JSON value's kind, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Reads an activation (name and parameter) from a layer object.
fn read_activation(o: &Map<String, Value>, what: &str) -> Result<Activation> {
    let Some(name) = o.get("activation").and_then(Value::as_str) else {
        return bad(format!("{what} has no \"activation\" name"));
    };
    let Ok(mut a) = Activation::from_name(name) else {
        return bad(format!(
            "{what} has the unknown activation \"{}\"; known: {}",
            name.chars().take(40).collect::<String>(),
            ACTIVATION_NAMES.join(", ")
        ));
    };
    if let Some((key, _)) = activation_param(a)
        && let Some(v) = o.get(key)
    {
        let p = number(v, &format!("{what}'s {key}"))?;
        a = match a {
            Activation::LeakyRelu { .. } => Activation::LeakyRelu { slope: p },
            Activation::Prelu { .. } => Activation::Prelu { alpha: p },
            _ => Activation::Swish { beta: p },
        };
    }
    Ok(a)
}

impl ModelFile {
    /// The playground's network now, with its features, scaling and loss.
    pub fn from_playground(p: &Playground) -> Self {
        let model = p.trainer.model();
        let mut layers = Vec::new();
        for i in 0..model.layers().len() {
            if let Some(d) = model.layer::<Dense>(i) {
                layers.push(Layer::Dense {
                    weights: d.weights().clone(),
                    biases: d.biases().to_vec(),
                    activation: d.activation(),
                });
            } else if let Some(bn) = model.layer::<BatchNorm>(i) {
                layers.push(Layer::BatchNorm {
                    gamma: bn.gamma().to_vec(),
                    beta: bn.beta().to_vec(),
                    mean: bn.running_mean().to_vec(),
                    variance: bn.running_var().to_vec(),
                    eps: bn.eps(),
                });
            } else if let Some(a) = model.layer::<ActivationLayer>(i) {
                layers.push(Layer::Activation(a.activation()));
            }
        }
        Self {
            features: p.config.features.iter().collect(),
            scaling: p
                .scaler
                .as_ref()
                .map(|s| (s.scale().to_vec(), s.offset().to_vec())),
            layers,
            loss: p.trainer.loss(),
        }
    }

    /// The task the loss and the output width make: binary, multiclass or regression.
    pub fn task(&self) -> Task {
        match self.loss {
            Loss::SoftmaxCrossEntropy => Task::Multiclass {
                classes: self.outputs(),
            },
            Loss::MeanSquaredError | Loss::HalfSquaredError => Task::Regression,
            _ => Task::Binary,
        }
    }

    /// The width of the network's output.
    pub fn outputs(&self) -> usize {
        self.layers
            .iter()
            .rev()
            .find_map(|l| match l {
                Layer::Dense { weights, .. } => Some(weights.nrows()),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The file's JSON text (numbers as the shortest text that reads back to the same `f32`).
    pub fn to_json(&self) -> String {
        let layers: Vec<Value> = self
            .layers
            .iter()
            .map(|l| {
                let mut o = Map::new();
                match l {
                    Layer::Dense {
                        weights,
                        biases,
                        activation,
                    } => {
                        o.insert("type".into(), json!("dense"));
                        o.insert("inputs".into(), json!(weights.ncols()));
                        o.insert("outputs".into(), json!(weights.nrows()));
                        let rows: Vec<Vec<f32>> = weights
                            .row_iter()
                            .map(|r| r.iter().copied().collect())
                            .collect();
                        o.insert("weights".into(), json!(rows));
                        o.insert("biases".into(), json!(biases));
                        put_activation(&mut o, *activation);
                    }
                    Layer::BatchNorm {
                        gamma,
                        beta,
                        mean,
                        variance,
                        eps,
                    } => {
                        o.insert("type".into(), json!("batch_norm"));
                        o.insert("size".into(), json!(gamma.len()));
                        o.insert("gamma".into(), json!(gamma));
                        o.insert("beta".into(), json!(beta));
                        o.insert("mean".into(), json!(mean));
                        o.insert("variance".into(), json!(variance));
                        o.insert("eps".into(), json!(eps));
                    }
                    Layer::Activation(a) => {
                        o.insert("type".into(), json!("activation"));
                        put_activation(&mut o, *a);
                    }
                }
                Value::Object(o)
            })
            .collect();
        let scaling = match &self.scaling {
            Some((scale, offset)) => json!({ "scale": scale, "offset": offset }),
            None => Value::Null,
        };
        let doc = json!({
            "format": FORMAT,
            "version": VERSION,
            "features": self.features.iter().map(Feature::id).collect::<Vec<_>>(),
            "scaling": scaling,
            "loss": self.loss.name(),
            "layers": layers,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Reads a model file, checking everything before returning: on any problem, an error whose
    /// message names it (too large, not JSON, another format or version, an unknown feature,
    /// activation, layer type or loss, a number that is not finite, shapes that do not chain).
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_BYTES {
            return bad(format!(
                "the file is {} kB; a model file may be at most {} kB",
                text.len().div_ceil(1000),
                MAX_BYTES / 1000
            ));
        }
        let doc: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                if ["NaN", "Infinity"].iter().any(|t| text.contains(t)) {
                    return bad(
                        "the file holds NaN or Infinity, which are not finite numbers \
                         (and not JSON): every weight must be a finite number",
                    );
                }
                return bad(format!("the file is not JSON ({e})"));
            }
        };
        let Some(o) = doc.as_object() else {
            return bad(format!("the file holds {}, not a model object", kind(&doc)));
        };
        if o.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return bad(format!(
                "the file is not a model file: its \"format\" should be \"{FORMAT}\""
            ));
        }
        match o.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(v) => {
                return bad(format!(
                    "the file is version {v} of the model format; this page reads version {VERSION}"
                ));
            }
            None => return bad("the file has no format \"version\" number"),
        }
        let Some(names) = o.get("features").and_then(Value::as_array) else {
            return bad("the file has no \"features\" list");
        };
        let mut given = Vec::new();
        for v in names {
            let Some(id) = v.as_str() else {
                return bad(format!("a feature should be a name, not {}", kind(v)));
            };
            let Ok(f) = Feature::from_id(id) else {
                return bad(format!(
                    "\"{}\" is not a feature; the features are x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2",
                    id.chars().take(40).collect::<String>()
                ));
            };
            if given.contains(&f) {
                return bad(format!("the feature {id} is listed twice"));
            }
            given.push(f);
        }
        if given.is_empty() {
            return bad("the file lists no input features");
        }
        let m = given.len();
        let scaling = match o.get("scaling") {
            None | Some(Value::Null) => None,
            Some(Value::Object(s)) => Some((
                numbers(s.get("scale"), "the scaling's \"scale\"", Some(m))?,
                numbers(s.get("offset"), "the scaling's \"offset\"", Some(m))?,
            )),
            Some(v) => {
                return bad(format!(
                    "\"scaling\" should be null or an object with \"scale\" and \"offset\", not {}",
                    kind(v)
                ));
            }
        };
        if let Some((scale, _)) = &scaling
            && scale.contains(&0.0)
        {
            return bad("a scaling \"scale\" of 0 would erase its feature");
        }
        let loss = match o.get("loss").and_then(Value::as_str) {
            Some(name) => match FILE_LOSSES.iter().find(|l| l.name() == name) {
                Some(&l) => l,
                None => {
                    return bad(format!(
                        "\"{}\" is not a loss this page reads; the losses are {}",
                        name.chars().take(40).collect::<String>(),
                        FILE_LOSSES.map(|l| l.name()).join(", ")
                    ));
                }
            },
            None => return bad("the file has no \"loss\" name"),
        };
        let Some(list) = o.get("layers").and_then(Value::as_array) else {
            return bad("the file has no \"layers\" list");
        };
        if list.is_empty() || list.len() > MAX_FILE_LAYERS {
            return bad(format!(
                "the file has {} layers; a model has 1 to {MAX_FILE_LAYERS}",
                list.len()
            ));
        }
        let mut layers = Vec::new();
        let mut width = m;
        for (i, v) in list.iter().enumerate() {
            let what = format!("layer {}", i + 1);
            let Some(l) = v.as_object() else {
                return bad(format!("{what} should be an object, not {}", kind(v)));
            };
            let layer = match l.get("type").and_then(Value::as_str) {
                Some("dense") => {
                    let Some(rows) = l.get("weights").and_then(Value::as_array) else {
                        return bad(format!("{what} has no \"weights\" list of rows"));
                    };
                    let out = rows.len();
                    if out == 0 || out > MAX_FILE_WIDTH {
                        return bad(format!(
                            "{what} has {out} rows of weights; a layer has 1 to {MAX_FILE_WIDTH} units"
                        ));
                    }
                    let mut w = Matrix::zeros(out, width);
                    for (r, row) in rows.iter().enumerate() {
                        let row = numbers(
                            Some(row),
                            &format!("{what}'s weights, row {}", r + 1),
                            Some(width),
                        )
                        .map_err(|e| {
                            EngineError::Invalid(format!(
                                "{e} (it takes {width} inputs{})",
                                if i == 0 {
                                    ", one per feature"
                                } else {
                                    " from the layer before"
                                }
                            ))
                        })?;
                        for (c, x) in row.into_iter().enumerate() {
                            w[(r, c)] = x;
                        }
                    }
                    let biases = numbers(l.get("biases"), &format!("{what}'s biases"), Some(out))?;
                    let activation = read_activation(l, &what)?;
                    width = out;
                    Layer::Dense {
                        weights: w,
                        biases,
                        activation,
                    }
                }
                Some("batch_norm") => {
                    let get =
                        |key: &str| numbers(l.get(key), &format!("{what}'s {key}"), Some(width));
                    let (gamma, beta, mean, variance) =
                        (get("gamma")?, get("beta")?, get("mean")?, get("variance")?);
                    if variance.iter().any(|&v| v < 0.0) {
                        return bad(format!("{what}'s variance has a negative entry"));
                    }
                    let eps = match l.get("eps") {
                        Some(v) => number(v, &format!("{what}'s eps"))?,
                        None => spiega_nn::layer::batch_norm::DEFAULT_EPS,
                    };
                    if eps <= 0.0 {
                        return bad(format!("{what}'s eps must be positive"));
                    }
                    Layer::BatchNorm {
                        gamma,
                        beta,
                        mean,
                        variance,
                        eps,
                    }
                }
                Some("activation") => Layer::Activation(read_activation(l, &what)?),
                Some(other) => {
                    return bad(format!(
                        "{what} has the unknown type \"{}\"; the types are dense, batch_norm, activation",
                        other.chars().take(40).collect::<String>()
                    ));
                }
                None => return bad(format!("{what} has no \"type\"")),
            };
            layers.push(layer);
        }
        match layers.last() {
            Some(Layer::Dense { activation, .. }) if *activation == Activation::Linear => {}
            _ => {
                return bad(
                    "the last layer must be dense with a linear activation: the loss reads its outputs",
                );
            }
        }
        let mut file = Self {
            features: given,
            scaling,
            layers,
            loss,
        };
        let outputs = file.outputs();
        match file.task() {
            Task::Multiclass { classes } if !(2..=MAX_CLASSES).contains(&classes) => {
                return bad(format!(
                    "softmax cross-entropy needs 2 to {MAX_CLASSES} outputs, one per class; the last layer has {outputs}"
                ));
            }
            Task::Binary | Task::Regression if outputs != 1 => {
                return bad(format!(
                    "the {} loss reads one output; the last layer has {outputs}",
                    file.loss.name()
                ));
            }
            _ => {}
        }
        file.canonical_order();
        Ok(file)
    }

    /// Puts the features in the order of [`Feature::ALL`], moving the first dense layer's
    /// columns and the scaling along.
    fn canonical_order(&mut self) {
        let mut order: Vec<usize> = (0..self.features.len()).collect();
        order.sort_by_key(|&i| Feature::ALL.iter().position(|f| *f == self.features[i]));
        let permute = |v: &[f32]| order.iter().map(|&i| v[i]).collect::<Vec<_>>();
        self.features = order.iter().map(|&i| self.features[i]).collect();
        if let Some((scale, offset)) = &mut self.scaling {
            *scale = permute(scale);
            *offset = permute(offset);
        }
        if let Some(Layer::Dense { weights, .. }) = self.layers.first_mut() {
            let old = weights.clone();
            for (to, &from) in order.iter().enumerate() {
                weights.set_column(to, &old.column(from));
            }
        }
    }

    /// The feature set.
    pub fn feature_set(&self) -> FeatureSet {
        FeatureSet::new(&self.features)
    }

    /// The network's inputs for points `(x₁, x₂)` (`n × 2`): the features, scaled.
    pub fn inputs(&self, points: &Matrix) -> Result<Matrix> {
        let mut x = Matrix::zeros(0, 0);
        design_matrix(points, self.feature_set(), &mut x)?;
        if let Some((scale, offset)) = &self.scaling {
            MinMaxScaler::from_affine(SCALED_RANGE, scale, offset)?.transform_in_place(&mut x)?;
        }
        Ok(x)
    }

    /// The network as the engine's model, in evaluation form.
    pub fn network(&self) -> Result<Sequential> {
        let mut model = Sequential::new(Shape::Flat(self.features.len()));
        let mut width = self.features.len();
        for l in &self.layers {
            match l {
                Layer::Dense {
                    weights,
                    biases,
                    activation,
                } => {
                    model.push(Dense::from_parts(
                        weights.clone(),
                        biases.clone(),
                        *activation,
                    )?)?;
                    width = weights.nrows();
                }
                Layer::BatchNorm {
                    gamma,
                    beta,
                    mean,
                    variance,
                    eps,
                } => {
                    let mut bn = BatchNorm::new(Shape::Flat(width))?;
                    bn.set_gamma(gamma)?;
                    bn.set_beta(beta)?;
                    bn.set_running_stats(mean, variance)?;
                    bn.set_eps(*eps)?;
                    model.push(bn)?;
                }
                Layer::Activation(a) => {
                    model.push(ActivationLayer::new(Shape::Flat(width), *a))?;
                }
            }
        }
        Ok(model)
    }

    /// The network as the backpropagation step-through takes it, with its inputs at the point
    /// `(x₁, x₂)`. A network with more than [`STEP_THROUGH_HIDDEN`] hidden layers or a layer
    /// wider than [`STEP_THROUGH_WIDTH`] units (the playground's own limits) is refused with a
    /// message naming those limits.
    pub fn for_step_through(&self, x1: f32, x2: f32) -> Result<(Sequential, Vec<f32>)> {
        let dense: Vec<usize> = self
            .layers
            .iter()
            .filter_map(|l| match l {
                Layer::Dense { weights, .. } => Some(weights.nrows()),
                _ => None,
            })
            .collect();
        let widest = dense.iter().copied().max().unwrap_or(0);
        if dense.len() > STEP_THROUGH_HIDDEN + 1 || widest > STEP_THROUGH_WIDTH {
            return Err(EngineError::Invalid(format!(
                "the step-through shows at most {STEP_THROUGH_HIDDEN} hidden layers of at most \
                 {STEP_THROUGH_WIDTH} units; this network has {} hidden layers, the widest of {widest} units",
                dense.len().saturating_sub(1)
            )));
        }
        let inputs = self.inputs(&Matrix::from_row_slice(1, 2, &[x1, x2]))?;
        Ok((self.network()?, inputs.row(0).iter().copied().collect()))
    }

    /// The network's raw outputs (logits, scores or values) at points `(x₁, x₂)` (`n × 2`).
    pub fn outputs_at(&self, points: &Matrix) -> Result<Matrix> {
        let x = self.inputs(points)?;
        let mut model = self.network()?;
        Ok(model.forward(&x, Mode::Eval, &mut Rng::new(0))?.clone())
    }

    /// The playground settings this network needs: its features, scaling, hidden layers,
    /// activation and batch normalization, on top of `base` (data, split, training settings).
    /// An error names what the playground cannot build: layers in another pattern than its own
    /// (dense, or dense then batch normalization then the activation, for each hidden layer, and
    /// a linear dense output), hidden layers of different activations, more or wider layers than
    /// it offers, or a loss its data cannot use.
    pub fn playground_config(&self, base: &PlaygroundConfig) -> Result<PlaygroundConfig> {
        let mut hidden = Vec::new();
        let mut activation = None;
        let mut batch_norm = None;
        let n = self.layers.len();
        let mut i = 0;
        while i + 1 < n {
            let (act, bn, used) = match &self.layers[i..] {
                [
                    Layer::Dense {
                        weights,
                        activation: Activation::Linear,
                        ..
                    },
                    Layer::BatchNorm { .. },
                    Layer::Activation(a),
                    ..,
                ] => ((*a, weights.nrows()), true, 3),
                [
                    Layer::Dense {
                        weights,
                        activation: a,
                        ..
                    },
                    ..,
                ] => ((*a, weights.nrows()), false, 1),
                _ => {
                    return bad(format!(
                        "layer {} does not fit the playground's pattern: each hidden layer is dense \
                         (or dense, batch_norm, activation), and the last is dense and linear",
                        i + 1
                    ));
                }
            };
            if batch_norm.is_some_and(|b| b != bn) {
                return bad(
                    "the playground normalizes every hidden layer or none; this file mixes them",
                );
            }
            batch_norm = Some(bn);
            let (a, width) = act;
            let same = |b: Activation| {
                if a.is_learnable() {
                    a.name() == b.name()
                } else {
                    a == b
                }
            };
            if activation.is_some_and(|b| !same(b)) {
                return bad(
                    "the playground gives every hidden layer the same activation; this file's differ",
                );
            }
            if let Activation::LeakyRelu { slope } = a
                && slope != 0.01
            {
                return bad(format!(
                    "the playground's leaky ReLU has slope 0.01; this file's has {slope}"
                ));
            }
            activation = Some(a);
            hidden.push(width);
            i += used;
        }
        if i + 1 != n {
            return bad("the last layer must be dense and linear, after the hidden layers");
        }
        if hidden.len() > super::MAX_LAYERS || hidden.iter().any(|&w| w > super::MAX_WIDTH) {
            return bad(format!(
                "the playground builds up to {} hidden layers of up to {} units; this network's are {hidden:?}",
                super::MAX_LAYERS,
                super::MAX_WIDTH
            ));
        }
        let binary_loss = match self.loss {
            Loss::SoftmaxCrossEntropy | Loss::MeanSquaredError => base.binary_loss,
            l => l,
        };
        Ok(PlaygroundConfig {
            features: self.feature_set(),
            normalize: self.scaling.is_some(),
            hidden,
            activation: activation.unwrap_or(base.activation),
            batch_norm: batch_norm.unwrap_or(false),
            binary_loss,
            ..base.clone()
        })
    }
}

impl Playground {
    /// A playground on `base`'s data and training settings with the network of `file`: its
    /// features, scaling, layers and weights (the scaling the file states, not one fitted on this
    /// data). An error, naming the problem, when the network does not fit the playground or its
    /// task differs from the data's (a regression network on classes, a binary one on three
    /// classes).
    pub fn with_network(base: &PlaygroundConfig, file: &ModelFile) -> Result<Self> {
        let config = file.playground_config(base)?;
        let mut p = Playground::new(config)?;
        let wanted = p.task;
        let fits = match (wanted, file.task()) {
            (Task::Multiclass { classes: a }, Task::Multiclass { classes: b }) => a == b,
            (a, b) => a == b,
        };
        if !fits {
            return bad(format!(
                "this network was trained for {}; the playground's data need {}",
                task_words(file.task()),
                task_words(wanted)
            ));
        }
        let mut from = file.network()?;
        let mut params = Vec::new();
        from.visit_params(&mut |_, q| params.extend_from_slice(q.value));
        let model = p.trainer.model_mut();
        let mut total = 0;
        model.visit_params(&mut |_, q| total += q.value.len());
        if total != params.len() {
            return bad("the network's parameters do not match the playground's layers");
        }
        let mut offset = 0;
        model.visit_params(&mut |_, q| {
            let n = q.value.len();
            q.value.copy_from_slice(&params[offset..offset + n]);
            offset += n;
        });
        // Batch normalization's running statistics and ε, layer by layer, in both copies.
        let norms: Vec<(&[f32], &[f32], f32)> = file
            .layers
            .iter()
            .filter_map(|l| match l {
                Layer::BatchNorm {
                    mean,
                    variance,
                    eps,
                    ..
                } => Some((mean.as_slice(), variance.as_slice(), *eps)),
                _ => None,
            })
            .collect();
        for copy in [p.trainer.model_mut(), &mut p.eval_model] {
            let slots: Vec<usize> = (0..copy.layers().len())
                .filter(|&i| copy.layer::<BatchNorm>(i).is_some())
                .collect();
            for (&(mean, variance, eps), i) in norms.iter().zip(slots) {
                if let Some(bn) = copy.layer_mut::<BatchNorm>(i) {
                    bn.set_running_stats(mean, variance)?;
                    bn.set_eps(eps)?;
                }
            }
        }
        if let Some((scale, offset)) = &file.scaling {
            let scaler = MinMaxScaler::from_affine(SCALED_RANGE, scale, offset)?;
            for part in [Some(&mut p.train), p.validation.as_mut(), p.test.as_mut()]
                .into_iter()
                .flatten()
            {
                design_matrix(&part.raw, p.config.features, &mut part.x)?;
                scaler.transform_in_place(&mut part.x)?;
            }
            p.scaler = Some(scaler);
        }
        p.grid_n = 0;
        p.history.clear();
        p.best = None;
        let first = p.scores()?;
        if !first.train.loss.is_finite() {
            return bad("the network's loss on the playground's data is not a finite number");
        }
        p.history.push(first);
        p.recorded.take(p.trainer.model_mut());
        p.keep_if_best(first);
        Ok(p)
    }
}

/// A task in words, for messages.
fn task_words(task: Task) -> String {
    match task {
        Task::Binary => "two classes".into(),
        Task::Multiclass { classes } => format!("{classes} classes"),
        Task::Regression => "regression (a number per point)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_nn::data::two_d::TwoD;
    use spiega_nn::optim::{OptimizerConfig, OptimizerKind};

    /// The grid of the playground's map, as points.
    fn grid(n: usize) -> Matrix {
        let e = super::super::EXTENT;
        Matrix::from_fn(n * n, 2, |i, c| {
            let (r, k) = (i / n, i % n);
            if c == 0 {
                -e + 2.0 * e * k as f32 / (n - 1) as f32
            } else {
                e - 2.0 * e * r as f32 / (n - 1) as f32
            }
        })
    }

    /// A playground trained for `steps` updates on `config`.
    pub(crate) fn trained(config: PlaygroundConfig, steps: usize) -> Playground {
        let mut p = Playground::new(config).unwrap();
        for _ in 0..steps {
            p.step().unwrap();
        }
        p.record().unwrap();
        p
    }

    #[test]
    fn the_step_through_gets_the_file_s_network_and_inputs_at_a_point() {
        let config = PlaygroundConfig {
            features: FeatureSet::ALL,
            normalize: true,
            hidden: vec![4, 3],
            ..PlaygroundConfig::default()
        };
        let p = trained(config, 50);
        let file = ModelFile::parse(&ModelFile::from_playground(&p).to_json()).unwrap();
        let (mut model, inputs) = file.for_step_through(1.5, -2.0).unwrap();
        assert_eq!(inputs.len(), 7);
        let point = Matrix::from_row_slice(1, 2, &[1.5, -2.0]);
        let x = Matrix::from_row_slice(1, 7, &inputs);
        let out = model.forward(&x, Mode::Eval, &mut Rng::new(0)).unwrap();
        let want = file.outputs_at(&point).unwrap();
        assert!((out[(0, 0)] - want[(0, 0)]).abs() < 1e-6);
        assert!(inputs.iter().all(|v| v.abs() <= 1.5), "scaled: {inputs:?}");
    }

    #[test]
    fn a_network_too_large_for_the_step_through_is_refused_naming_the_limits() {
        let p = trained(
            PlaygroundConfig {
                hidden: vec![STEP_THROUGH_WIDTH],
                ..PlaygroundConfig::default()
            },
            1,
        );
        let json = ModelFile::from_playground(&p).to_json();
        let mut file = ModelFile::parse(&json).unwrap();
        assert!(file.for_step_through(0.0, 0.0).is_ok());
        if let Some(Layer::Dense {
            weights, biases, ..
        }) = file.layers.first_mut()
        {
            *weights = Matrix::zeros(STEP_THROUGH_WIDTH + 1, weights.ncols());
            *biases = vec![0.0; STEP_THROUGH_WIDTH + 1];
        }
        let e = file.for_step_through(0.0, 0.0).unwrap_err().to_string();
        assert!(
            e.contains("at most 8 hidden layers of at most 32 units") && e.contains("33 units"),
            "{e}"
        );
    }

    /// Settings covering every layer type, scaling and a learnable activation.
    fn rich() -> PlaygroundConfig {
        PlaygroundConfig {
            data: DataKind::Classify(TwoD::Xor),
            features: FeatureSet::ALL,
            normalize: true,
            hidden: vec![5, 3],
            activation: Activation::Prelu { alpha: 0.25 },
            batch_norm: true,
            dropout: 0.1,
            optimizer: OptimizerConfig::new(OptimizerKind::Adam)
                .with("lr", 0.01)
                .unwrap(),
            ..PlaygroundConfig::default()
        }
    }
    use super::super::DataKind;

    #[test]
    fn a_written_file_reads_back_to_the_same_network_and_the_same_map() {
        let mut p = trained(rich(), 200);
        let file = ModelFile::from_playground(&p);
        let back = ModelFile::parse(&file.to_json()).unwrap();
        assert_eq!(back, file);
        // The map the page draws and the map of the file's network, point by point.
        let (mut values, mut classes) = (Vec::new(), Vec::new());
        p.evaluate_grid(30, &mut values, &mut classes).unwrap();
        let out = back.outputs_at(&grid(30)).unwrap();
        assert_eq!(values.len(), 900);
        for (i, v) in values.iter().enumerate() {
            let mine = 2.0 * spiega_nn::activation::sigmoid(out[(i, 0)]) - 1.0;
            assert!((mine - v).abs() < 1e-6, "point {i}: {mine} vs {v}");
        }
    }

    #[test]
    fn a_file_loaded_into_a_playground_gives_its_scores_and_map() {
        let mut p = trained(rich(), 200);
        let file = ModelFile::from_playground(&p);
        let text = file.to_json();
        let base = PlaygroundConfig {
            hidden: vec![2],
            activation: Activation::Tanh,
            features: FeatureSet::PLAIN,
            batch_norm: false,
            normalize: false,
            ..rich()
        };
        let mut q = Playground::with_network(&base, &ModelFile::parse(&text).unwrap()).unwrap();
        assert_eq!(q.config().hidden, vec![5, 3]);
        assert!(q.config().batch_norm && q.config().normalize);
        assert_eq!(
            q.scores().unwrap(),
            Scores {
                step: 0,
                ..p.scores().unwrap()
            }
        );
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        p.evaluate_grid(20, &mut a, &mut c).unwrap();
        q.evaluate_grid(20, &mut b, &mut c).unwrap();
        assert_eq!(a, b);
        assert_eq!(ModelFile::from_playground(&q), file);
        // On other points (another seed) the file's scaling is kept, not fitted afresh: the map is
        // the file's network's.
        let other = PlaygroundConfig { seed: 7, ..base };
        let mut r = Playground::with_network(&other, &file).unwrap();
        r.evaluate_grid(20, &mut b, &mut c).unwrap();
        let out = file.outputs_at(&grid(20)).unwrap();
        for (i, v) in b.iter().enumerate() {
            let mine = 2.0 * spiega_nn::activation::sigmoid(out[(i, 0)]) - 1.0;
            assert!((mine - v).abs() < 1e-6, "point {i}: {mine} vs {v}");
        }
    }

    #[test]
    fn features_in_another_order_are_put_in_the_page_s_order() {
        let text = r#"{"format":"spiega-model","version":1,"features":["x2","x1"],
            "scaling":{"scale":[2,3],"offset":[0.5,0.25]},"loss":"binary_cross_entropy",
            "layers":[{"type":"dense","weights":[[1,10]],"biases":[0],"activation":"linear"}]}"#;
        let f = ModelFile::parse(text).unwrap();
        assert_eq!(f.features, vec![Feature::X1, Feature::X2]);
        assert_eq!(f.scaling, Some((vec![3.0, 2.0], vec![0.25, 0.5])));
        // At (x₁, x₂) = (1, 0): x₂ → 0.5, x₁ → 3.25; 1·0.5 + 10·3.25.
        let out = f
            .outputs_at(&Matrix::from_row_slice(1, 2, &[1.0, 0.0]))
            .unwrap();
        assert!((out[(0, 0)] - 33.0).abs() < 1e-5, "{}", out[(0, 0)]);
    }

    /// A good small file, with `edit` applied to its JSON before reading.
    fn with(edit: impl FnOnce(&mut Value)) -> Result<ModelFile> {
        let mut v: Value = serde_json::from_str(
            r#"{"format":"spiega-model","version":1,"features":["x1","x2"],"scaling":null,
            "loss":"binary_cross_entropy","layers":[
              {"type":"dense","weights":[[1,2],[3,4]],"biases":[0,0],"activation":"tanh"},
              {"type":"dense","weights":[[1,-1]],"biases":[0.5],"activation":"linear"}]}"#,
        )
        .unwrap();
        edit(&mut v);
        ModelFile::parse(&v.to_string())
    }

    fn message(r: Result<ModelFile>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn each_bad_file_gets_a_message_naming_its_problem() {
        assert!(with(|_| {}).is_ok());
        type Edit = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["layers"][0]["weights"][1] = json!([3])),
                "layer 1's weights, row 2 has 1 numbers where 2 are needed",
            ),
            (
                Box::new(|v| v["layers"][1]["weights"] = json!([[1, 2, 3]])),
                "layer 2's weights, row 1 has 3 numbers where 2 are needed",
            ),
            (
                Box::new(|v| v["layers"][0]["biases"] = json!([0])),
                "layer 1's biases has 1 numbers where 2 are needed",
            ),
            (
                Box::new(|v| v["layers"][0]["activation"] = json!("gelu")),
                "layer 1 has the unknown activation \"gelu\"",
            ),
            (
                Box::new(|v| v["layers"][0]["weights"][0][1] = json!(1e39)),
                "layer 1's weights, row 1, entry 2 is 1000000000000000000000000000000000000000, which is not a finite 32-bit number",
            ),
            (
                Box::new(|v| v["layers"][0]["weights"][0][1] = json!("1")),
                "should be a number, not text",
            ),
            (
                Box::new(|v| v["features"] = json!(["x1", "cosx"])),
                "\"cosx\" is not a feature",
            ),
            (
                Box::new(|v| v["loss"] = json!("poisson")),
                "\"poisson\" is not a loss",
            ),
            (
                Box::new(|v| v["version"] = json!(2)),
                "version 2 of the model format",
            ),
            (
                Box::new(|v| v["layers"][1]["activation"] = json!("relu")),
                "the last layer must be dense with a linear activation",
            ),
            (
                Box::new(|v| v["loss"] = json!("softmax_cross_entropy")),
                "softmax cross-entropy needs 2 to 10 outputs",
            ),
            (
                Box::new(|v| v["layers"][0]["type"] = json!("conv2d")),
                "unknown type \"conv2d\"",
            ),
            (
                Box::new(|v| v["format"] = json!("keras")),
                "not a model file",
            ),
        ];
        for (edit, want) in cases {
            let got = message(with(edit));
            assert!(got.contains(want), "{got:?} should say {want:?}");
        }
        let nan = r#"{"format":"spiega-model","layers":[{"weights":[[NaN]]}]}"#;
        assert!(message(ModelFile::parse(nan)).contains("NaN or Infinity"));
        assert!(message(ModelFile::parse("weights: 1, 2")).contains("not JSON"));
        assert!(message(ModelFile::parse("[1, 2]")).contains("a list, not a model object"));
        let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_BYTES));
        assert!(message(ModelFile::parse(&huge)).contains("at most 1000 kB"));
    }

    #[test]
    fn a_network_the_playground_cannot_build_is_named() {
        let base = PlaygroundConfig::default();
        let mixed = with(|v| {
            let extra =
                json!({"type":"dense","weights":[[1,0],[0,1]],"biases":[0,0],"activation":"relu"});
            v["layers"].as_array_mut().unwrap().insert(1, extra);
        })
        .unwrap();
        let e = mixed.playground_config(&base).unwrap_err().to_string();
        assert!(e.contains("same activation"), "{e}");
        let wide = with(|v| {
            v["layers"][0]["weights"] = json!(vec![[1, 2]; 40]);
            v["layers"][0]["biases"] = json!(vec![0; 40]);
            v["layers"][1]["weights"] = json!([vec![1; 40]]);
        })
        .unwrap();
        let e = wide.playground_config(&base).unwrap_err().to_string();
        assert!(e.contains("up to 32 units"), "{e}");
        let regression = with(|v| v["loss"] = json!("mse")).unwrap();
        let e = Playground::with_network(&base, &regression)
            .unwrap_err()
            .to_string();
        assert!(e.contains("trained for regression"), "{e}");
    }
}
