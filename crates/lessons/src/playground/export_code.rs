//! The playground's trained network as a Python script a reader can run: NumPy (the forward
//! pass alone), PyTorch or Keras (the network as layers, with a training loop of the same loss,
//! optimizer and learning rate, to go on training).
//!
//! Every script states the settings it came from and the page's link, holds the three splits'
//! points, prints each split's loss and accuracy beside the page's, and checks its predictions
//! on a grid over the map's square against the page's, to 1e-5; it exits with status 1 if they
//! differ.

use super::model_file::{Layer, ModelFile, activation_param};
use super::{DataKind, EXTENT, Playground, Scores};
use spiega_nn::activation::Activation;
use spiega_nn::data::Task;
use spiega_nn::error::Result;
use spiega_nn::loss::Loss;
use spiega_nn::optim::OptimizerKind;
use spiega_nn::regularize::Penalty;
use spiega_nn::tensor::Matrix;
use std::fmt::Write;

/// The side of the grid the scripts check their predictions on: 41 × 41 points over the map's
/// square `[−6, 6]²`, spaced as the map's own grid is.
pub const CHECK_GRID: usize = 41;
/// How far a script's prediction may be from the page's.
pub const TOLERANCE: f64 = 1e-5;

/// The script's library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// NumPy: the forward pass only.
    NumPy,
    /// PyTorch: `torch.nn.Sequential` and a training loop.
    PyTorch,
    /// Keras 3: `keras.Sequential` and a training loop.
    Keras,
}

/// The export menu's value for the model file (JSON), beside the [`Language`]s' labels.
pub const MODEL_FILE_CHOICE: &str = "json";

impl Language {
    /// Every language, as the export menu lists them.
    pub const ALL: [Language; 3] = [Language::NumPy, Language::PyTorch, Language::Keras];

    /// The name shown in the menu.
    pub fn label(self) -> &'static str {
        match self {
            Language::NumPy => "NumPy",
            Language::PyTorch => "PyTorch",
            Language::Keras => "Keras",
        }
    }

    /// The suggested file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Language::NumPy => "spiega_numpy.py",
            Language::PyTorch => "spiega_torch.py",
            Language::Keras => "spiega_keras.py",
        }
    }
}

/// What a Keras script of a network with batch normalization names as not reproduced.
pub const RUNNING_VARIANCE_IN_KERAS: &str = "batch normalization's running variance: Keras averages each batch's variance divided by N, the page (as PyTorch) divided by N - 1, so the map matches as exported and drifts slightly as the script trains";

/// Everything a script holds: the network, the splits, the page's scores and grid.
#[derive(Debug, Clone)]
pub struct Export {
    /// The network.
    pub model: ModelFile,
    /// Per split (training, validation, test): its points `(x₁, x₂)` and targets (a label per
    /// point for classes, a value for regression); `None` when the split is empty.
    pub splits: [Option<(Matrix, Vec<f32>)>; 3],
    /// The page's scores now.
    pub scores: Scores,
    /// The page's map over [`CHECK_GRID`]² points, row 0 at the top: `2p − 1` for two classes,
    /// the predicted class's probability for more, the value for regression.
    pub grid: Vec<f32>,
    /// The settings in words, one per line.
    pub settings: Vec<String>,
    /// The training settings the PyTorch and Keras loops use.
    pub training: Training,
    /// The page's link to these settings.
    pub link: String,
}

/// The training settings a script's loop repeats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// The optimizer and its hyperparameters.
    pub optimizer: spiega_nn::optim::OptimizerConfig,
    /// Samples per update.
    pub batch_size: usize,
    /// The weight penalty.
    pub penalty: Penalty,
    /// The dropout rate after each hidden layer.
    pub dropout: f32,
}

impl Export {
    /// Everything the scripts need from `p` as it is now, with the page's `link`.
    pub fn from_playground(p: &mut Playground, link: &str) -> Result<Self> {
        let model = ModelFile::from_playground(p);
        let task = p.task();
        let splits = p.points().map(|part| {
            part.map(|(x, y)| {
                let targets = match task {
                    Task::Multiclass { .. } => y
                        .row_iter()
                        .map(|r| r.iter().position(|&v| v == 1.0).unwrap_or(0) as f32)
                        .collect(),
                    _ => y.column(0).iter().copied().collect(),
                };
                (x.clone(), targets)
            })
        });
        let scores = p.scores()?;
        let (mut grid, mut classes) = (Vec::new(), Vec::new());
        p.evaluate_grid(CHECK_GRID, &mut grid, &mut classes)?;
        // Put the page's map grid back to the size it draws at, if it had one.
        if p.grid_n >= 2 && p.grid_n != CHECK_GRID {
            let n = p.grid_n;
            p.grid_n = 0;
            p.evaluate_grid(n, &mut Vec::new(), &mut Vec::new())?;
        }
        let c = p.config();
        let data = match &c.data {
            DataKind::Classify(kind) => format!("classes, the {} set", kind.id()),
            DataKind::Plane => "regression, the plane".into(),
            DataKind::MultiGaussian => "regression, the gaussian bumps".into(),
            DataKind::Custom(d) => format!("the reader's own {} points", d.len()),
        };
        let opt = c
            .optimizer
            .hyperparameters()
            .into_iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let settings = vec![
            format!("data: {data}, {} points, noise {}", c.points, c.noise),
            format!(
                "split: training {}, validation {}, test {}",
                c.split.train, c.split.validation, c.split.test
            ),
            format!(
                "features: {}{}",
                model
                    .features
                    .iter()
                    .map(|f| f.id())
                    .collect::<Vec<_>>()
                    .join(", "),
                if c.normalize {
                    ", scaled to [-1, 1] on the training split"
                } else {
                    ""
                }
            ),
            format!(
                "hidden layers: {:?}, activation {}, batch normalization {}, dropout {}",
                c.hidden,
                c.activation.name(),
                if c.batch_norm { "on" } else { "off" },
                c.dropout
            ),
            format!("loss: {}", p.trainer().loss().name()),
            format!("optimizer: {} ({opt})", c.optimizer.kind.name()),
            format!(
                "batch size {}, penalty {}, seed {}",
                c.batch_size,
                penalty_words(c.penalty),
                c.seed
            ),
            format!("updates trained: {}", p.steps()),
        ];
        let training = Training {
            optimizer: c.optimizer,
            batch_size: c.batch_size,
            penalty: c.penalty,
            dropout: c.dropout,
        };
        Ok(Self {
            model,
            splits,
            scores,
            grid,
            settings,
            training,
            link: link.to_owned(),
        })
    }

    /// What a `language` script cannot reproduce of these settings, each with the reason (empty
    /// when it reproduces all). NumPy scripts have no training, so nothing is missing there.
    pub fn cannot_export(&self, language: Language) -> Vec<String> {
        let mut out = Vec::new();
        let kind = self.training.optimizer.kind;
        if language == Language::Keras {
            if matches!(kind, OptimizerKind::AdamL2) {
                out.push(
                    "Adam with coupled L2 weight decay: Keras's Adam has none; the loop trains with plain Adam"
                        .into(),
                );
            }
            if self.training.optimizer.weight_decay > 0.0
                && matches!(
                    kind,
                    OptimizerKind::Sgd | OptimizerKind::Momentum | OptimizerKind::Nesterov
                )
            {
                out.push(
                    "SGD's coupled weight decay: Keras's weight decay is decoupled; the loop leaves it out"
                        .into(),
                );
            }
            if matches!(
                kind,
                OptimizerKind::Adam | OptimizerKind::AdamW | OptimizerKind::AdamL2
            ) {
                out.push(
                    "Adam's epsilon exactly: Keras adds it to the square root of v before the bias correction, the page after, so weights whose gradients are near zero take slightly different steps"
                        .into(),
                );
            }
            if self.training.optimizer.dampening > 0.0 && matches!(kind, OptimizerKind::Momentum) {
                out.push("momentum dampening: Keras's SGD has none".into());
            }
            if self.has_batch_norm() {
                out.push(RUNNING_VARIANCE_IN_KERAS.into());
            }
        }
        if language == Language::PyTorch
            && matches!(
                kind,
                OptimizerKind::ClassicalMomentum | OptimizerKind::ClassicalNesterov
            )
        {
            out.push(
                "classical momentum: PyTorch has the other form, which takes the same steps at a constant learning rate; the loop uses it"
                    .into(),
            );
        }
        out
    }

    /// Whether the network normalizes batches.
    pub fn has_batch_norm(&self) -> bool {
        self.model
            .layers
            .iter()
            .any(|l| matches!(l, Layer::BatchNorm { .. }))
    }

    /// The script in `language`.
    pub fn script(&self, language: Language) -> String {
        let mut s = String::new();
        self.header(&mut s, language);
        match language {
            Language::NumPy => self.numpy(&mut s),
            Language::PyTorch => self.torch(&mut s),
            Language::Keras => self.keras(&mut s),
        }
        self.main(&mut s, language);
        s
    }

    fn header(&self, s: &mut String, language: Language) {
        let what = match language {
            Language::NumPy => "NumPy (the forward pass; no dependency beyond NumPy)",
            Language::PyTorch => "PyTorch (torch.nn.Sequential, with a training loop)",
            Language::Keras => "Keras 3 (keras.Sequential, with a training loop)",
        };
        let _ = writeln!(
            s,
            "\"\"\"A network trained in spiega's playground, as {what}.\n"
        );
        let _ = writeln!(s, "Settings it came from:");
        for line in &self.settings {
            let _ = writeln!(s, "  {line}");
        }
        let _ = writeln!(s, "Link: {}", self.link.replace("\"\"\"", ""));
        for note in self.cannot_export(language) {
            let _ = writeln!(s, "Not reproduced: {note}.");
        }
        let _ = writeln!(
            s,
            "\nRun it to print each split's scores beside the page's and to check the predictions\n\
             on a {CHECK_GRID}x{CHECK_GRID} grid over the map against the page's (to {TOLERANCE}).\n\"\"\"\n"
        );
        let _ = writeln!(s, "import sys\nimport numpy as np");
        match language {
            Language::NumPy => {}
            Language::PyTorch => {
                let _ = writeln!(s, "import torch");
            }
            Language::Keras => {
                let _ = writeln!(s, "import keras");
            }
        }
        let m = &self.model;
        let _ = writeln!(
            s,
            "\nFEATURES = [{}]",
            m.features
                .iter()
                .map(|f| format!("\"{}\"", f.id()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        match &m.scaling {
            Some((scale, offset)) => {
                let _ = writeln!(s, "SCALE = np.array({})", list(scale));
                let _ = writeln!(s, "OFFSET = np.array({})", list(offset));
            }
            None => {
                let _ = writeln!(s, "SCALE = None\nOFFSET = None");
            }
        }
        let _ = writeln!(s, "LOSS = \"{}\"", m.loss.name());
        s.push_str(
            r#"

def features(x1, x2):
    """The network's inputs at points (x1, x2): the chosen features, scaled as on the page."""
    x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
    table = {"x1": x1, "x2": x2, "x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2,
             "sinx1": np.sin(x1), "sinx2": np.sin(x2)}
    x = np.stack([table[f] for f in FEATURES], axis=-1)
    if SCALE is not None:
        x = x * SCALE + OFFSET
    return x


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def read_outputs(f):
    """Raw outputs -> what the page's map shows: 2p - 1 for two classes, the predicted class's
    probability for more, the value for regression."""
    f = np.asarray(f, dtype=np.float64)
    if LOSS == "binary_cross_entropy":
        return 2.0 * sigmoid(f[:, 0]) - 1.0
    if LOSS == "exponential":
        return 2.0 * sigmoid(2.0 * f[:, 0]) - 1.0
    if LOSS in ("hinge", "squared_margin"):
        return 2.0 * np.clip((1.0 + f[:, 0]) / 2.0, 0.0, 1.0) - 1.0
    if LOSS == "softmax_cross_entropy":
        e = np.exp(f - f.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).max(axis=1)
    return f[:, 0]


def scores(f, y):
    """The loss and the accuracy (None for regression) of raw outputs f on targets y."""
    f, y = np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if LOSS == "softmax_cross_entropy":
        z = f - f.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        labels = y.astype(int)
        return -logp[np.arange(len(y)), labels].mean(), (f.argmax(axis=1) == labels).mean()
    if LOSS == "mse":
        return ((f[:, 0] - y) ** 2).mean(), None
    m = np.where(y == 1, 1.0, -1.0) * f[:, 0]
    per = {"binary_cross_entropy": np.logaddexp(0.0, -m), "hinge": np.maximum(0.0, 1.0 - m),
           "squared_margin": (1.0 - m) ** 2, "exponential": np.exp(-m)}[LOSS]
    return per.mean(), ((f[:, 0] >= 0) == (y == 1)).mean()

"#,
        );
        let names = ["training", "validation", "test"];
        let _ = writeln!(
            s,
            "# Each split's points (x1, x2) and targets, as on the page."
        );
        let _ = writeln!(s, "SPLITS = {{");
        for (name, part) in names.iter().zip(&self.splits) {
            if let Some((x, y)) = part {
                let _ = writeln!(
                    s,
                    "    \"{name}\": (np.array({}), np.array({})),",
                    rows(x),
                    list(y)
                );
            }
        }
        let _ = writeln!(s, "}}");
        let _ = writeln!(s, "# The page's loss and accuracy on each split.");
        let _ = writeln!(s, "PAGE_SCORES = {{");
        let page = [
            Some(self.scores.train),
            self.scores.validation,
            self.scores.test,
        ];
        for (name, score) in names.iter().zip(page) {
            if let Some(sc) = score {
                let acc = sc.accuracy.map_or("None".into(), |a| a.to_string());
                let _ = writeln!(s, "    \"{name}\": ({}, {acc}),", sc.loss);
            }
        }
        let _ = writeln!(s, "}}");
        let _ = writeln!(
            s,
            "# The page's map on a {CHECK_GRID}x{CHECK_GRID} grid over [-{EXTENT}, {EXTENT}]^2, row 0 at the top."
        );
        let _ = writeln!(s, "GRID_N = {CHECK_GRID}");
        let _ = writeln!(s, "PAGE_GRID = np.array({})", list(&self.grid));
        let _ = writeln!(
            s,
            "_axis = np.linspace(-{EXTENT}, {EXTENT}, GRID_N)\n\
             GRID_X1 = np.tile(_axis, GRID_N)\nGRID_X2 = np.repeat(_axis[::-1], GRID_N)\n"
        );
    }

    /// The NumPy network: parameters as arrays, and the forward pass.
    fn numpy(&self, s: &mut String) {
        let _ = writeln!(s, "# The layers, input side first; W is (outputs, inputs).");
        let _ = writeln!(s, "LAYERS = [");
        for l in &self.model.layers {
            match l {
                Layer::Dense {
                    weights,
                    biases,
                    activation,
                } => {
                    let _ = writeln!(
                        s,
                        "    (\"dense\", np.array({}), np.array({}), {}),",
                        rows(weights),
                        list(biases),
                        py_activation(*activation)
                    );
                }
                Layer::BatchNorm {
                    gamma,
                    beta,
                    mean,
                    variance,
                    eps,
                } => {
                    let _ = writeln!(
                        s,
                        "    (\"batch_norm\", np.array({}), np.array({}), np.array({}), np.array({}), {eps}),",
                        list(gamma),
                        list(beta),
                        list(mean),
                        list(variance)
                    );
                }
                Layer::Activation(a) => {
                    let _ = writeln!(s, "    (\"activation\", {}),", py_activation(*a));
                }
            }
        }
        let _ = writeln!(s, "]");
        s.push_str(
            r#"

def activation(g, z):
    name, p = g
    if name == "linear":
        return z
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name in ("leaky_relu", "prelu"):
        return np.where(z > 0, z, p * z)
    if name == "swish":
        return z * sigmoid(p * z)
    raise ValueError(name)


def forward(x):
    """Raw outputs (logits, scores or values) for inputs x, one row per point."""
    for layer in LAYERS:
        if layer[0] == "dense":
            _, w, b, g = layer
            x = activation(g, x @ w.T + b)
        elif layer[0] == "batch_norm":
            _, gamma, beta, mean, var, eps = layer
            x = gamma * (x - mean) / np.sqrt(var + eps) + beta
        else:
            x = activation(layer[1], x)
    return x


def raw_outputs(x1, x2):
    return forward(features(x1, x2))

"#,
        );
    }

    /// The layers as framework code: `(constructor, parameters to set)` per layer, and the
    /// dropout after each hidden activation.
    fn torch(&self, s: &mut String) {
        s.push_str(
            r#"class Swish(torch.nn.Module):
    """x * sigmoid(beta x), beta learned (one per layer)."""

    def __init__(self, beta):
        super().__init__()
        self.beta = torch.nn.Parameter(torch.tensor([beta], dtype=torch.float64))

    def forward(self, x):
        return x * torch.sigmoid(self.beta * x)


def tensor(values):
    return torch.tensor(values, dtype=torch.float64)


"#,
        );
        let _ = writeln!(s, "model = torch.nn.Sequential(");
        let mut sets = Vec::new();
        let dense_count = self.dense_count();
        let mut dense_seen = 0;
        let mut i = 0;
        let act = |a: Activation| -> Option<String> {
            match a {
                Activation::Linear => None,
                Activation::Sigmoid => Some("torch.nn.Sigmoid()".into()),
                Activation::Tanh => Some("torch.nn.Tanh()".into()),
                Activation::Relu => Some("torch.nn.ReLU()".into()),
                Activation::LeakyRelu { slope } => Some(format!("torch.nn.LeakyReLU({slope})")),
                Activation::Prelu { alpha } => Some(format!("torch.nn.PReLU(1, {alpha})")),
                Activation::Swish { beta } => Some(format!("Swish({beta})")),
            }
        };
        let mut width = self.model.features.len();
        for l in &self.model.layers {
            match l {
                Layer::Dense {
                    weights,
                    biases,
                    activation,
                } => {
                    dense_seen += 1;
                    let _ = writeln!(
                        s,
                        "    torch.nn.Linear({}, {}),",
                        weights.ncols(),
                        weights.nrows()
                    );
                    sets.push(format!(
                        "model[{i}].weight.copy_(tensor({}))\nmodel[{i}].bias.copy_(tensor({}))",
                        rows(weights),
                        list(biases)
                    ));
                    i += 1;
                    width = weights.nrows();
                    if let Some(a) = act(*activation) {
                        let _ = writeln!(s, "    {a},");
                        i += 1;
                    }
                    if dense_seen < dense_count && !self.batch_norm_next(dense_seen) {
                        self.torch_dropout(s, &mut i);
                    }
                }
                Layer::BatchNorm {
                    gamma,
                    beta,
                    mean,
                    variance,
                    eps,
                } => {
                    let _ = writeln!(s, "    torch.nn.BatchNorm1d({width}, eps={eps}),");
                    sets.push(format!(
                        "model[{i}].weight.copy_(tensor({}))\nmodel[{i}].bias.copy_(tensor({}))\n\
                         model[{i}].running_mean.copy_(tensor({}))\nmodel[{i}].running_var.copy_(tensor({}))",
                        list(gamma),
                        list(beta),
                        list(mean),
                        list(variance)
                    ));
                    i += 1;
                }
                Layer::Activation(a) => {
                    if let Some(a) = act(*a) {
                        let _ = writeln!(s, "    {a},");
                        i += 1;
                    }
                    self.torch_dropout(s, &mut i);
                }
            }
        }
        let _ = writeln!(s, ").double()\nwith torch.no_grad():");
        for set in sets {
            for line in set.lines() {
                let _ = writeln!(s, "    {line}");
            }
        }
        let t = &self.training;
        let o = t.optimizer;
        let optimizer = match o.kind {
            OptimizerKind::Sgd => format!(
                "torch.optim.SGD(model.parameters(), lr={}, weight_decay={})",
                o.lr, o.weight_decay
            ),
            OptimizerKind::Momentum => format!(
                "torch.optim.SGD(model.parameters(), lr={}, momentum={}, dampening={}, weight_decay={})",
                o.lr, o.momentum, o.dampening, o.weight_decay
            ),
            OptimizerKind::Nesterov => format!(
                "torch.optim.SGD(model.parameters(), lr={}, momentum={}, nesterov=True, weight_decay={})",
                o.lr, o.momentum, o.weight_decay
            ),
            OptimizerKind::ClassicalMomentum => format!(
                "torch.optim.SGD(model.parameters(), lr={}, momentum={})",
                o.lr, o.momentum
            ),
            OptimizerKind::ClassicalNesterov => format!(
                "torch.optim.SGD(model.parameters(), lr={}, momentum={}, nesterov=True)",
                o.lr, o.momentum
            ),
            OptimizerKind::Adagrad => format!(
                "torch.optim.Adagrad(model.parameters(), lr={}, eps={}, initial_accumulator_value={})",
                o.lr, o.eps, o.initial_accumulator_value
            ),
            OptimizerKind::RmsProp => format!(
                "torch.optim.RMSprop(model.parameters(), lr={}, alpha={}, eps={})",
                o.lr, o.alpha, o.eps
            ),
            OptimizerKind::Adam => format!(
                "torch.optim.Adam(model.parameters(), lr={}, betas=({}, {}), eps={})",
                o.lr, o.beta1, o.beta2, o.eps
            ),
            OptimizerKind::AdamW => format!(
                "torch.optim.AdamW(model.parameters(), lr={}, betas=({}, {}), eps={}, weight_decay={})",
                o.lr, o.beta1, o.beta2, o.eps, o.weight_decay
            ),
            OptimizerKind::AdamL2 => format!(
                "torch.optim.Adam(model.parameters(), lr={}, betas=({}, {}), eps={}, weight_decay={})",
                o.lr, o.beta1, o.beta2, o.eps, o.weight_decay
            ),
        };
        let loss = match self.model.loss {
            Loss::BinaryCrossEntropy => {
                "torch.nn.functional.binary_cross_entropy_with_logits(f[:, 0], y)"
            }
            Loss::Hinge => "torch.clamp(1 - (2 * y - 1) * f[:, 0], min=0).mean()",
            Loss::SquaredMargin => "((1 - (2 * y - 1) * f[:, 0]) ** 2).mean()",
            Loss::Exponential => "torch.exp(-(2 * y - 1) * f[:, 0]).mean()",
            Loss::SoftmaxCrossEntropy => "torch.nn.functional.cross_entropy(f, y.long())",
            _ => "((f[:, 0] - y) ** 2).mean()",
        };
        let (l1, l2) = t.penalty.coefficients();
        let _ = write!(
            s,
            r#"

def raw_outputs(x1, x2):
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(features(x1, x2))).numpy()


def loss_of(f, y):
    """The page's loss, as a mean over the batch."""
    return {loss}


def penalty():
    """The page's weight penalty: {l1} sum|w| + {l2} sum w^2 over the Linear weights."""
    ws = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    return {l1} * sum(w.abs().sum() for w in ws) + {l2} * sum((w * w).sum() for w in ws)


optimizer = {optimizer}


def train_step(rows):
    """One update on the training split's rows `rows`: the page's loss plus penalty on that
    batch, then one step of the page's optimizer. Returns the batch's loss."""
    x, y = SPLITS["training"]
    model.train()
    optimizer.zero_grad()
    f = model(torch.from_numpy(features(x[rows, 0], x[rows, 1])))
    loss = loss_of(f, torch.from_numpy(y[rows])) + penalty()
    loss.backward()
    optimizer.step()
    model.eval()
    return loss.item()


"#,
        );
        train_loop(s, t.batch_size);
    }

    fn torch_dropout(&self, s: &mut String, i: &mut usize) {
        if self.training.dropout > 0.0 {
            let _ = writeln!(s, "    torch.nn.Dropout({}),", self.training.dropout);
            *i += 1;
        }
    }

    fn dense_count(&self) -> usize {
        self.model
            .layers
            .iter()
            .filter(|l| matches!(l, Layer::Dense { .. }))
            .count()
    }

    /// Whether the `n`-th dense layer (from 1) is followed by batch normalization.
    fn batch_norm_next(&self, n: usize) -> bool {
        let mut seen = 0;
        let layers = &self.model.layers;
        for (i, l) in layers.iter().enumerate() {
            if matches!(l, Layer::Dense { .. }) {
                seen += 1;
                if seen == n {
                    return matches!(layers.get(i + 1), Some(Layer::BatchNorm { .. }));
                }
            }
        }
        false
    }

    fn keras(&self, s: &mut String) {
        let (l1, l2) = self.training.penalty.coefficients();
        let _ = write!(
            s,
            r#"class Swish(keras.layers.Layer):
    """x * sigmoid(beta x), beta learned (one per layer)."""

    def __init__(self, beta, **kwargs):
        super().__init__(**kwargs)
        self.beta0 = beta

    def build(self, input_shape):
        self.beta = self.add_weight(shape=(1,), initializer=keras.initializers.Constant(self.beta0))

    def call(self, x):
        return x * keras.ops.sigmoid(self.beta * x)


PENALTY = keras.regularizers.L1L2(l1={l1}, l2={l2})
layers = [keras.Input(({inputs},))]
weights = []
"#,
            inputs = self.model.features.len()
        );
        let act = |a: Activation| -> Option<(String, Option<f32>)> {
            match a {
                Activation::Linear => None,
                Activation::Sigmoid => Some(("keras.layers.Activation(\"sigmoid\")".into(), None)),
                Activation::Tanh => Some(("keras.layers.Activation(\"tanh\")".into(), None)),
                Activation::Relu => Some(("keras.layers.Activation(\"relu\")".into(), None)),
                Activation::LeakyRelu { slope } => Some((
                    format!("keras.layers.LeakyReLU(negative_slope={slope})"),
                    None,
                )),
                Activation::Prelu { alpha } => {
                    Some(("keras.layers.PReLU(shared_axes=[1])".into(), Some(alpha)))
                }
                Activation::Swish { beta } => Some((format!("Swish({beta})"), Some(beta))),
            }
        };
        let dense_count = self.dense_count();
        let mut dense_seen = 0;
        let dropout = |s: &mut String| {
            if self.training.dropout > 0.0 {
                let _ = writeln!(
                    s,
                    "layers.append(keras.layers.Dropout({}))",
                    self.training.dropout
                );
            }
        };
        let push_act = |s: &mut String, a: Activation| {
            if let Some((code, p)) = act(a) {
                let _ = writeln!(s, "layers.append({code})");
                if let Some(p) = p {
                    let _ = writeln!(s, "weights.append((layers[-1], [np.array([{p}])]))");
                }
            }
        };
        for l in &self.model.layers {
            match l {
                Layer::Dense {
                    weights,
                    biases,
                    activation,
                } => {
                    dense_seen += 1;
                    let _ = writeln!(
                        s,
                        "layers.append(keras.layers.Dense({}, kernel_regularizer=PENALTY))",
                        weights.nrows()
                    );
                    let _ = writeln!(
                        s,
                        "weights.append((layers[-1], [np.array({}).T, np.array({})]))",
                        rows(weights),
                        list(biases)
                    );
                    push_act(s, *activation);
                    if dense_seen < dense_count && !self.batch_norm_next(dense_seen) {
                        dropout(s);
                    }
                }
                Layer::BatchNorm {
                    gamma,
                    beta,
                    mean,
                    variance,
                    eps,
                } => {
                    let _ = writeln!(
                        s,
                        "layers.append(keras.layers.BatchNormalization(momentum=0.9, epsilon={eps}))"
                    );
                    let _ = writeln!(
                        s,
                        "weights.append((layers[-1], [np.array({}), np.array({}), np.array({}), np.array({})]))",
                        list(gamma),
                        list(beta),
                        list(mean),
                        list(variance)
                    );
                }
                Layer::Activation(a) => {
                    push_act(s, *a);
                    dropout(s);
                }
            }
        }
        let o = self.training.optimizer;
        let optimizer = match o.kind {
            OptimizerKind::Sgd => format!("keras.optimizers.SGD(learning_rate={})", o.lr),
            OptimizerKind::Momentum | OptimizerKind::ClassicalMomentum => format!(
                "keras.optimizers.SGD(learning_rate={}, momentum={})",
                o.lr, o.momentum
            ),
            OptimizerKind::Nesterov | OptimizerKind::ClassicalNesterov => format!(
                "keras.optimizers.SGD(learning_rate={}, momentum={}, nesterov=True)",
                o.lr, o.momentum
            ),
            OptimizerKind::Adagrad => format!(
                "keras.optimizers.Adagrad(learning_rate={}, initial_accumulator_value={}, epsilon={})",
                o.lr, o.initial_accumulator_value, o.eps
            ),
            OptimizerKind::RmsProp => format!(
                "keras.optimizers.RMSprop(learning_rate={}, rho={}, epsilon={})",
                o.lr, o.alpha, o.eps
            ),
            OptimizerKind::Adam | OptimizerKind::AdamL2 => format!(
                "keras.optimizers.Adam(learning_rate={}, beta_1={}, beta_2={}, epsilon={})",
                o.lr, o.beta1, o.beta2, o.eps
            ),
            OptimizerKind::AdamW => format!(
                "keras.optimizers.AdamW(learning_rate={}, beta_1={}, beta_2={}, epsilon={}, weight_decay={})",
                o.lr, o.beta1, o.beta2, o.eps, o.weight_decay
            ),
        };
        let loss = match self.model.loss {
            Loss::BinaryCrossEntropy => "keras.losses.BinaryCrossentropy(from_logits=True)",
            Loss::Hinge => "lambda y, f: keras.ops.mean(keras.ops.relu(1 - (2 * y - 1) * f))",
            Loss::SquaredMargin => "lambda y, f: keras.ops.mean((1 - (2 * y - 1) * f) ** 2)",
            Loss::Exponential => "lambda y, f: keras.ops.mean(keras.ops.exp(-(2 * y - 1) * f))",
            Loss::SoftmaxCrossEntropy => {
                "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
            }
            _ => "keras.losses.MeanSquaredError()",
        };
        let _ = write!(
            s,
            r#"model = keras.Sequential(layers)
for layer, values in weights:
    layer.set_weights(values)
model.compile(optimizer={optimizer}, loss={loss})


def raw_outputs(x1, x2):
    return keras.ops.convert_to_numpy(model(features(x1, x2), training=False))


def train_step(rows):
    """One update on the training split's rows `rows`: the page's loss plus penalty on that
    batch, then one step of the page's optimizer. Returns the batch's loss."""
    x, y = SPLITS["training"]
    return model.train_on_batch(features(x[rows, 0], x[rows, 1]), y[rows].reshape(len(rows), -1))


"#,
        );
        train_loop(s, self.training.batch_size);
    }

    fn main(&self, s: &mut String, language: Language) {
        let more = match language {
            Language::NumPy => "",
            Language::PyTorch => "\n    # To go on training: train(1000), then check() again.",
            Language::Keras => "\n    # To go on training: train(1000), then check() again.",
        };
        let _ = write!(
            s,
            r#"
def check():
    """Prints each split's scores beside the page's; returns the largest gap on the grid."""
    for name, (x, y) in SPLITS.items():
        loss, accuracy = scores(raw_outputs(x[:, 0], x[:, 1]), y)
        page_loss, page_accuracy = PAGE_SCORES[name]
        acc = "" if accuracy is None else f", accuracy {{accuracy:.4f}} (page {{page_accuracy:.4f}})"
        print(f"{{name}}: loss {{loss:.6f}} (page {{page_loss:.6f}}){{acc}}")
    mine = read_outputs(raw_outputs(GRID_X1, GRID_X2))
    gap = np.abs(mine - PAGE_GRID) / np.maximum(1.0, np.abs(PAGE_GRID))
    print(f"grid: largest difference from the page {{gap.max():.3g}} over {{gap.size}} points")
    return gap.max()


if __name__ == "__main__":
    if check() > {TOLERANCE}:
        print("the predictions differ from the page's")
        sys.exit(1){more}
"#
        );
    }
}

/// The PyTorch and Keras scripts' `train(updates)`: passes over the training split in batches,
/// through the script's `train_step(rows)`.
fn train_loop(s: &mut String, batch: usize) {
    let _ = write!(
        s,
        r#"def train(updates, batch_size={batch}, seed=0):
    """Goes on training: batches of the training split in a shuffled order, a new order for
    each pass over it, as the page does (the page draws its orders with its own generator)."""
    n = len(SPLITS["training"][1])
    rng = np.random.default_rng(seed)
    order, cursor = rng.permutation(n), 0
    for _ in range(updates):
        if cursor >= n:
            order, cursor = rng.permutation(n), 0
        train_step(order[cursor:cursor + batch_size])
        cursor += batch_size

"#
    );
}

/// A penalty in words: its name and `c1·Σ|w| + c2·Σ w²` coefficients.
fn penalty_words(p: Penalty) -> String {
    let (c1, c2) = p.coefficients();
    match p {
        Penalty::None => "none".into(),
        _ => format!("{} ({c1} sum|w| + {c2} sum w^2)", p.name()),
    }
}

/// An activation as the NumPy script's `(name, parameter)`.
fn py_activation(a: Activation) -> String {
    let p = activation_param(a).map_or(0.0, |(_, p)| p);
    format!("(\"{}\", {p:?})", a.name())
}

/// Numbers as a Python list, each as the shortest text that reads back to the same `f32`.
fn list(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

/// A matrix as a Python list of rows.
fn rows(m: &Matrix) -> String {
    let items: Vec<String> = m
        .row_iter()
        .map(|r| list(&r.iter().copied().collect::<Vec<_>>()))
        .collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::PlaygroundConfig;
    use spiega_nn::optim::OptimizerConfig;

    fn export(config: PlaygroundConfig) -> Export {
        let mut p = Playground::new(config).unwrap();
        p.step().unwrap();
        Export::from_playground(&mut p, "https://example.org/#seed=3").unwrap()
    }

    #[test]
    fn every_script_states_its_settings_and_link() {
        let e = export(PlaygroundConfig::default());
        for language in Language::ALL {
            let s = e.script(language);
            assert!(
                s.contains("Link: https://example.org/#seed=3"),
                "{language:?}"
            );
            assert!(
                s.contains("optimizer: sgd (lr 0.01, weight_decay 0)"),
                "{language:?}"
            );
            assert!(s.contains("updates trained: 1"), "{language:?}");
            assert!(s.contains("PAGE_GRID = np.array(["), "{language:?}");
        }
    }

    #[test]
    fn the_training_loops_use_the_page_s_loss_optimizer_and_rate() {
        let config = PlaygroundConfig {
            binary_loss: Loss::Hinge,
            optimizer: OptimizerConfig::new(OptimizerKind::AdamW)
                .with("lr", 0.02)
                .unwrap(),
            penalty: Penalty::L2 { lambda: 0.001 },
            activation: Activation::Prelu { alpha: 0.25 },
            batch_norm: true,
            ..PlaygroundConfig::default()
        };
        let e = export(config);
        let torch = e.script(Language::PyTorch);
        assert!(
            torch.contains("torch.optim.AdamW(model.parameters(), lr=0.02"),
            "{torch}"
        );
        assert!(torch.contains("torch.clamp(1 - (2 * y - 1) * f[:, 0], min=0).mean()"));
        assert!(torch.contains("return 0 * sum(w.abs().sum() for w in ws) + 0.001 * sum"));
        assert!(
            torch.contains("torch.nn.BatchNorm1d(4, eps=0.00001)"),
            "{torch}"
        );
        assert!(torch.contains("torch.nn.PReLU(1, "));
        let keras = e.script(Language::Keras);
        assert!(keras.contains("keras.optimizers.AdamW(learning_rate=0.02"));
        assert!(keras.contains("keras.layers.PReLU(shared_axes=[1])"));
        let notes = e.cannot_export(Language::Keras);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("Adam's epsilon exactly"), "{notes:?}");
        // Batch normalization: Keras's running variance is the biased one; PyTorch's is the page's.
        assert_eq!(notes[1], RUNNING_VARIANCE_IN_KERAS);
        assert!(e.cannot_export(Language::PyTorch).is_empty());
        assert!(keras.contains("def train_step(rows):"));
        assert!(torch.contains("def train_step(rows):"));
        assert!(torch.contains("def train(updates, batch_size=10, seed=0):"));
    }

    #[test]
    fn a_setting_a_script_cannot_reproduce_is_named_with_its_reason() {
        let e = export(PlaygroundConfig {
            optimizer: OptimizerConfig::new(OptimizerKind::AdamL2),
            ..PlaygroundConfig::default()
        });
        let notes = e.cannot_export(Language::Keras);
        assert_eq!(notes.len(), 2);
        assert!(notes[0].contains("Keras's Adam has none"), "{notes:?}");
        assert!(
            e.script(Language::Keras)
                .contains("Not reproduced: Adam with coupled")
        );
        assert!(e.cannot_export(Language::PyTorch).is_empty());
        assert!(e.cannot_export(Language::NumPy).is_empty());
    }
}
