//! The playground's model: a data set in the plane, its three splits, the input features, a
//! feed-forward network and its trainer, stepped one mini-batch at a time, with everything the
//! figure shows (losses and accuracy per split, the output over the plane, each neuron's map).
//!
//! Every random choice comes from the configuration's seed, through separate streams for the
//! data, the split, the initial weights, the batch order and dropout, so the same configuration
//! trained for the same number of steps gives the same numbers to the last digit.

pub mod export_check;
pub mod export_code;
pub mod model_file;

use spiega_nn::activation::Activation;
use spiega_nn::data::features::{FeatureSet, design_matrix};
use spiega_nn::data::split::{Split, SplitFractions, split_in_turn};
use spiega_nn::data::two_d::TwoD;
use spiega_nn::data::{Dataset, Task, regression};
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{ActivationLayer, BatchNorm, Dense, Dropout, Init, Mode};
use spiega_nn::loss::Loss;
use spiega_nn::model::Sequential;
use spiega_nn::normalize::MinMaxScaler;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};
use spiega_nn::train::Trainer;

/// The half-width of the plane the data and the heatmap cover: `[−6, 6]²`.
pub const EXTENT: f32 = 6.0;
/// The most points a history keeps before it thins itself (every other point is dropped).
pub const HISTORY_LIMIT: usize = 1000;
/// The largest network the playground builds: hidden layers and neurons per layer.
pub const MAX_LAYERS: usize = 8;
/// The widest hidden layer.
pub const MAX_WIDTH: usize = 32;
/// How many times the untrained network's loss on the training split a batch's loss, or the
/// split's, may reach before training counts as diverged: a healthy run may wobble above where it
/// started, never twentyfold (that takes logits confidently wrong by about e²⁰).
pub const DIVERGENCE_FACTOR: f32 = 20.0;

/// Which data the playground trains on.
#[derive(Debug, Clone, PartialEq)]
pub enum DataKind {
    /// One of the 2-D classification sets.
    Classify(TwoD),
    /// Regression on a tilted plane.
    Plane,
    /// Regression on a sum of gaussian bumps.
    MultiGaussian,
    /// The reader's own points.
    Custom(Dataset),
}

/// Everything that defines a playground run.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaygroundConfig {
    /// The data set.
    pub data: DataKind,
    /// How many points to generate (ignored for custom data).
    pub points: usize,
    /// Label noise, 0 to 0.5 (the Playground's scale).
    pub noise: f32,
    /// Train, validation and test fractions.
    pub split: SplitFractions,
    /// The input features computed from `(x₁, x₂)`.
    pub features: FeatureSet,
    /// Whether features are min-max scaled to `[−1, 1]` (fitted on the training split).
    pub normalize: bool,
    /// Hidden layer widths, input side first.
    pub hidden: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The loss for binary classification (logistic, squared, hinge or exponential).
    pub binary_loss: Loss,
    /// The optimizer and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// Samples per update.
    pub batch_size: usize,
    /// The weight penalty.
    pub penalty: Penalty,
    /// Dropout rate after every hidden layer (0 = none).
    pub dropout: f32,
    /// Batch normalization between each hidden layer's sum and its activation.
    pub batch_norm: bool,
    /// The seed every random choice derives from.
    pub seed: u32,
}

impl Default for PlaygroundConfig {
    fn default() -> Self {
        Self {
            data: DataKind::Classify(TwoD::Circle),
            points: 400,
            noise: 0.0,
            split: SplitFractions::new(0.6, 0.2, 0.2),
            features: FeatureSet::PLAIN,
            normalize: false,
            hidden: vec![4, 2],
            activation: Activation::Tanh,
            binary_loss: Loss::BinaryCrossEntropy,
            optimizer: OptimizerConfig::new(OptimizerKind::Sgd),
            batch_size: 10,
            penalty: Penalty::None,
            dropout: 0.0,
            batch_norm: false,
            seed: 1,
        }
    }
}

/// The loss and accuracy on one split, in evaluation mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitScore {
    /// The mean loss (without the penalty).
    pub loss: f32,
    /// The fraction classified correctly (`None` for regression).
    pub accuracy: Option<f32>,
}

/// The scores on each split after some number of updates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// Updates made so far.
    pub step: u64,
    /// On the training split.
    pub train: SplitScore,
    /// On the validation split, if it has points.
    pub validation: Option<SplitScore>,
    /// On the test split, if it has points (scored, never trained on).
    pub test: Option<SplitScore>,
}

/// One split's inputs as the network sees them and its targets.
#[derive(Debug, Clone)]
struct Part {
    raw: Matrix,
    x: Matrix,
    y: Matrix,
    labels: Option<Vec<usize>>,
}

/// A running playground.
#[derive(Debug)]
pub struct Playground {
    config: PlaygroundConfig,
    task: Task,
    train: Part,
    validation: Option<Part>,
    test: Option<Part>,
    scaler: Option<MinMaxScaler>,
    trainer: Trainer,
    /// For each hidden layer, the index of the module whose output is its activation.
    activation_modules: Vec<usize>,
    order: Vec<usize>,
    cursor: usize,
    epoch: u64,
    order_rng: Rng,
    batch_x: Matrix,
    batch_y: Matrix,
    eval_model: Sequential,
    /// Every trained parameter, flat, on its way into `eval_model` (reused every frame).
    param_scratch: Vec<f32>,
    /// The trained network when the scores were last recorded: what the reader last saw, put
    /// back by [`Playground::restore_last_recorded`] after a divergence or an early stop.
    recorded: Snapshot,
    /// The recorded scores with the lowest validation loss so far, and the network then: the
    /// point early stopping would keep.
    best: Option<Scores>,
    best_network: Snapshot,
    grid_n: usize,
    grid_x: Matrix,
    history: Vec<Scores>,
}

/// A copy of a trained network's state: every parameter, flat, and each batch-norm layer's
/// running mean and variance (which evaluation uses), so that putting it back gives the same
/// scores to the last digit. Its buffers are reused from one copy to the next.
#[derive(Debug, Default)]
struct Snapshot {
    params: Vec<f32>,
    running: Vec<f32>,
}

impl Snapshot {
    /// Copies `model`'s state into the snapshot.
    fn take(&mut self, model: &mut Sequential) {
        let params = &mut self.params;
        params.clear();
        model.visit_params(&mut |_, p| params.extend_from_slice(p.value));
        self.running.clear();
        for i in 0..model.layers().len() {
            if let Some(bn) = model.layer::<BatchNorm>(i) {
                self.running.extend_from_slice(bn.running_mean());
                self.running.extend_from_slice(bn.running_var());
            }
        }
    }

    /// Copies the snapshot back into `model` (the network it was taken from); nothing if it was
    /// never taken.
    fn put_back(&self, model: &mut Sequential) {
        if self.params.is_empty() {
            return;
        }
        let mut offset = 0;
        model.visit_params(&mut |_, p| {
            let n = p.value.len();
            if let Some(v) = self.params.get(offset..offset + n) {
                p.value.copy_from_slice(v);
            }
            offset += n;
        });
        let mut offset = 0;
        for i in 0..model.layers().len() {
            if let Some(bn) = model.layer_mut::<BatchNorm>(i) {
                let n = bn.running_mean().len();
                if let (Some(mean), Some(var)) = (
                    self.running.get(offset..offset + n),
                    self.running.get(offset + n..offset + 2 * n),
                ) {
                    // The lengths match the layer's, so this cannot fail.
                    bn.set_running_stats(mean, var).ok();
                }
                offset += 2 * n;
            }
        }
    }
}

/// Streams of randomness, one per purpose, so changing one thing does not reshuffle the others.
fn stream(seed: u32, purpose: u32) -> Rng {
    Rng::new(seed ^ purpose.wrapping_mul(0x9E37_79B9))
}

impl Playground {
    /// Builds the data, the splits and the network for `config`.
    pub fn new(config: PlaygroundConfig) -> Result<Self> {
        if config.hidden.len() > MAX_LAYERS
            || config.hidden.iter().any(|&n| n == 0 || n > MAX_WIDTH)
        {
            return Err(EngineError::Invalid(format!(
                "the playground builds up to {MAX_LAYERS} hidden layers of 1 to {MAX_WIDTH} neurons, not {:?}",
                config.hidden
            )));
        }
        if config.features.is_empty() {
            return Err(EngineError::Invalid(
                "choose at least one input feature".into(),
            ));
        }
        if config.batch_size == 0 {
            return Err(EngineError::hyper("batch size", 0, "it must be at least 1"));
        }
        let mut data_rng = stream(config.seed, 1);
        let noise = config.noise.clamp(0.0, 0.5);
        let data = match &config.data {
            DataKind::Classify(kind) => kind.generate(config.points, noise, &mut data_rng)?,
            DataKind::Plane => regression::plane(config.points, noise, &mut data_rng)?,
            DataKind::MultiGaussian => {
                regression::multi_gaussian(config.points, noise, &mut data_rng)?
            }
            DataKind::Custom(d) => d.clone(),
        };
        let task = data.task();
        // The reader's own points grow one click at a time: each keeps the part it joined.
        let split = match &config.data {
            DataKind::Custom(_) => {
                Split::from_indices(&data, &split_in_turn(data.len(), config.split)?)?
            }
            _ => Split::new(&data, config.split, &mut stream(config.seed, 2))?,
        };
        let mut train = Self::part(
            &config,
            split.train.x(),
            split.train.targets(),
            split.train.labels(),
        )?;
        let scaler = if config.normalize {
            Some(MinMaxScaler::fit(&train.x, (-1.0, 1.0))?)
        } else {
            None
        };
        if let Some(s) = &scaler {
            s.transform_in_place(&mut train.x)?;
        }
        let prepare = |x: &Matrix, y: &Matrix, labels: Option<&[usize]>| -> Result<Part> {
            let mut p = Self::part(&config, x, y, labels)?;
            if let Some(s) = &scaler {
                s.transform_in_place(&mut p.x)?;
            }
            Ok(p)
        };
        let validation = split
            .validation
            .as_ref()
            .map(|d| prepare(d.x(), d.targets(), d.labels()))
            .transpose()?;
        let test = split
            .test
            .as_ref()
            .map(|d| prepare(d.x(), d.targets(), d.labels()))
            .transpose()?;

        let (model, activation_modules, loss) = Self::network(&config, task, train.x.ncols())?;
        let optimizer = config.optimizer.build()?;
        // The trained copy skips the gradient with respect to the input features, which nothing
        // shows; the evaluation copy never runs backward.
        let mut trained = model.clone();
        trained.set_input_gradient(false);
        let trainer = Trainer::new(
            trained,
            loss,
            optimizer,
            config.penalty,
            stream(config.seed, 4),
        )?;
        let n = train.x.nrows();
        let mut me = Self {
            task,
            train,
            validation,
            test,
            scaler,
            trainer,
            activation_modules,
            order: (0..n).collect(),
            cursor: 0,
            epoch: 0,
            order_rng: stream(config.seed, 5),
            batch_x: Matrix::zeros(0, 0),
            batch_y: Matrix::zeros(0, 0),
            eval_model: model,
            param_scratch: Vec::new(),
            recorded: Snapshot::default(),
            best: None,
            best_network: Snapshot::default(),
            grid_n: 0,
            grid_x: Matrix::zeros(0, 0),
            history: Vec::new(),
            config,
        };
        me.order_rng.shuffle(&mut me.order);
        let first = me.scores()?;
        me.history.push(first);
        me.keep_if_best(first);
        Ok(me)
    }

    /// Raw points → features for one split.
    fn part(
        config: &PlaygroundConfig,
        raw: &Matrix,
        y: &Matrix,
        labels: Option<&[usize]>,
    ) -> Result<Part> {
        let mut x = Matrix::zeros(0, 0);
        design_matrix(raw, config.features, &mut x)?;
        Ok(Part {
            raw: raw.clone(),
            x,
            y: y.clone(),
            labels: labels.map(<[usize]>::to_vec),
        })
    }

    /// The network for `config` and `task`, the hidden activations' module indices, and the loss.
    fn network(
        config: &PlaygroundConfig,
        task: Task,
        inputs: usize,
    ) -> Result<(Sequential, Vec<usize>, Loss)> {
        let mut rng = stream(config.seed, 3);
        let init = match config.activation {
            Activation::Relu | Activation::LeakyRelu { .. } | Activation::Prelu { .. } => Init::He,
            _ => Init::Glorot,
        };
        let mut model = Sequential::new(Shape::Flat(inputs));
        let mut acts = Vec::new();
        let mut width = inputs;
        for &n in &config.hidden {
            if config.batch_norm {
                model.push(Dense::new(width, n, Activation::Linear, init, &mut rng)?)?;
                model.push(BatchNorm::new(Shape::Flat(n))?)?;
                model.push(ActivationLayer::new(Shape::Flat(n), config.activation))?;
            } else {
                model.push(Dense::new(width, n, config.activation, init, &mut rng)?)?;
            }
            acts.push(model.layers().len() - 1);
            if config.dropout > 0.0 {
                model.push(Dropout::new(Shape::Flat(n), config.dropout)?)?;
            }
            width = n;
        }
        let (outputs, loss) = match task {
            Task::Binary => (1, config.binary_loss),
            Task::Multiclass { classes } => (classes, Loss::SoftmaxCrossEntropy),
            Task::Regression => (1, Loss::MeanSquaredError),
        };
        model.push(Dense::new(
            width,
            outputs,
            Activation::Linear,
            Init::Glorot,
            &mut rng,
        )?)?;
        Ok((model, acts, loss))
    }

    /// One update on the next mini-batch; a new epoch reshuffles the training order.
    /// Returns the batch loss.
    ///
    /// Training has diverged, and this returns [`EngineError::Diverged`], when a batch's loss is
    /// more than [`DIVERGENCE_FACTOR`] times the untrained network's loss on the training split:
    /// a step that large overshot (the weights typically jump a hundredfold at the same time), and
    /// with ReLU it usually leaves every unit dead. A loss or weight that stops being a finite
    /// number is reported as [`EngineError::NonFinite`].
    pub fn step(&mut self) -> Result<f32> {
        let loss = self.step_unchecked()?;
        let start = self.history.first().map_or(1.0, |s| s.train.loss).max(0.1);
        if loss > DIVERGENCE_FACTOR * start {
            return Err(EngineError::Diverged {
                what: format!(
                    "the loss jumped from {start:.3} before training to {loss:.3} at update {}",
                    self.trainer.steps()
                ),
            });
        }
        Ok(loss)
    }

    fn step_unchecked(&mut self) -> Result<f32> {
        let n = self.order.len();
        let b = self.config.batch_size.min(n).max(1);
        if self.cursor >= n {
            // The next pass starts: a new order. (The pass just finished was counted when its
            // last batch was taken, so the counter is never one behind.)
            self.cursor = 0;
            self.order_rng.shuffle(&mut self.order);
        }
        let end = (self.cursor + b).min(n);
        let rows = &self.order[self.cursor..end];
        spiega_nn::data::batch::copy_rows(&self.train.x, rows, &mut self.batch_x)?;
        spiega_nn::data::batch::copy_rows(&self.train.y, rows, &mut self.batch_y)?;
        self.cursor = end;
        if self.cursor >= n {
            self.epoch += 1;
        }
        self.trainer.step(&self.batch_x, &self.batch_y)
    }

    /// The training rows the next update takes, in order: what [`Playground::step`] uses next
    /// (a new pass's shuffled order when this one is used up).
    pub fn next_batch(&self) -> Vec<usize> {
        let n = self.order.len();
        let b = self.config.batch_size.min(n).max(1);
        if self.cursor < n {
            return self.order[self.cursor..(self.cursor + b).min(n)].to_vec();
        }
        let (mut order, mut rng) = (self.order.clone(), self.order_rng.clone());
        rng.shuffle(&mut order);
        order.truncate(b);
        order
    }

    /// Starts the optimizer's state afresh (its moments and step count), keeping the weights:
    /// the state an exported script's training loop starts from.
    pub fn restart_optimizer(&mut self) -> Result<()> {
        self.trainer.set_optimizer(self.config.optimizer.build()?);
        Ok(())
    }

    /// Updates until the current epoch is complete (at least one update).
    pub fn step_epoch(&mut self) -> Result<f32> {
        let mut loss = self.step()?;
        while self.cursor < self.order.len() {
            loss = self.step()?;
        }
        Ok(loss)
    }

    /// Scores every split now.
    pub fn scores(&mut self) -> Result<Scores> {
        let step = self.trainer.steps();
        let train = Self::score(&mut self.trainer, &self.train, self.task)?;
        let validation = match &self.validation {
            Some(p) => Some(Self::score(&mut self.trainer, p, self.task)?),
            None => None,
        };
        let test = match &self.test {
            Some(p) => Some(Self::score(&mut self.trainer, p, self.task)?),
            None => None,
        };
        Ok(Scores {
            step,
            train,
            validation,
            test,
        })
    }

    fn score(trainer: &mut Trainer, part: &Part, task: Task) -> Result<SplitScore> {
        let loss = trainer.loss();
        let output = trainer.predict(&part.x)?;
        let value = loss.value(output, &part.y)?;
        let accuracy = match (&part.labels, task) {
            (Some(labels), Task::Binary | Task::Multiclass { .. }) => {
                let predicted = loss.predict_labels(output)?;
                let right = predicted.iter().zip(labels).filter(|(a, b)| a == b).count();
                Some(right as f32 / labels.len().max(1) as f32)
            }
            _ => None,
        };
        Ok(SplitScore {
            loss: value,
            accuracy,
        })
    }

    /// Scores every split and appends them to the history (thinned past [`HISTORY_LIMIT`]).
    ///
    /// Returns [`EngineError::Diverged`] when the loss over the whole training split is more than
    /// [`DIVERGENCE_FACTOR`] times the untrained network's: the weights overshot.
    pub fn record(&mut self) -> Result<Scores> {
        let s = self.scores()?;
        let start = self.history.first().map_or(1.0, |h| h.train.loss).max(0.1);
        if !s.train.loss.is_finite() || s.train.loss > DIVERGENCE_FACTOR * start {
            return Err(EngineError::Diverged {
                what: format!(
                    "the training loss rose from {start:.3} before training to {:.3} after update {}",
                    s.train.loss, s.step
                ),
            });
        }
        if self.history.last().is_some_and(|h| h.step == s.step) {
            self.history.pop();
        }
        self.history.push(s);
        self.recorded.take(self.trainer.model_mut());
        self.keep_if_best(s);
        if self.history.len() > HISTORY_LIMIT {
            let mut i = 0;
            self.history.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            if self.history.last().map(|h| h.step) != Some(s.step) {
                self.history.push(s);
            }
        }
        Ok(s)
    }

    /// Puts back the trained network of the last [`Playground::record`]: after training
    /// diverged, the network whose picture and scores the reader last saw; after
    /// [`Playground::restore_best`], the network training had reached, from which it goes on
    /// exactly as if never stopped. The optimizer's state and the update count are not rewound,
    /// so after a divergence training should not go on from here; a new run starts afresh. Does
    /// nothing before the first record.
    pub fn restore_last_recorded(&mut self) {
        self.recorded.put_back(self.trainer.model_mut());
    }

    /// The recorded scores with the lowest validation loss so far (the earliest of equals),
    /// counting the untrained network: where early stopping would stop. `None` without a
    /// validation split. Kept apart from the history, so thinning the history never loses it.
    pub fn best(&self) -> Option<&Scores> {
        self.best.as_ref()
    }

    /// Early stopping: puts back the network of [`Playground::best`] and returns its scores,
    /// computed afresh from the restored weights (the same numbers, to the last digit), with the
    /// update they were recorded after. The optimizer's state, the update count and the history
    /// are left alone, so [`Playground::restore_last_recorded`] returns to where training had got
    /// to. `None`, and nothing changes, without a validation split.
    pub fn restore_best(&mut self) -> Result<Option<Scores>> {
        let Some(best) = self.best else {
            return Ok(None);
        };
        self.best_network.put_back(self.trainer.model_mut());
        let scores = self.scores()?;
        Ok(Some(Scores {
            step: best.step,
            ..scores
        }))
    }

    /// Keeps `s` and the network now as the best, if its validation loss is lower than the best
    /// so far.
    fn keep_if_best(&mut self, s: Scores) {
        let Some(v) = s.validation.map(|v| v.loss).filter(|v| v.is_finite()) else {
            return;
        };
        let lowest = self
            .best
            .and_then(|b| b.validation)
            .map_or(f32::INFINITY, |b| b.loss);
        if v < lowest {
            self.best = Some(s);
            self.best_network.take(self.trainer.model_mut());
        }
    }

    /// The recorded scores, oldest first.
    pub fn history(&self) -> &[Scores] {
        &self.history
    }

    /// Evaluates the network over an `n × n` grid covering `[−6, 6]²` and writes, row 0 at the
    /// top (largest `x₂`): for binary tasks `2p − 1` (−1 sure of class 0, +1 sure of class 1); for
    /// regression the prediction; for multiclass the predicted class in `classes` and its
    /// probability in `values`. Each hidden neuron's activation over the grid stays readable
    /// through [`Playground::neuron_map`] until the next call.
    pub fn evaluate_grid(
        &mut self,
        n: usize,
        values: &mut Vec<f32>,
        classes: &mut Vec<u8>,
    ) -> Result<()> {
        let n = n.clamp(2, 200);
        if self.grid_n != n {
            let mut raw = Matrix::zeros(n * n, 2);
            for r in 0..n {
                for c in 0..n {
                    let x1 = -EXTENT + 2.0 * EXTENT * c as f32 / (n - 1) as f32;
                    let x2 = EXTENT - 2.0 * EXTENT * r as f32 / (n - 1) as f32;
                    raw[(r * n + c, 0)] = x1;
                    raw[(r * n + c, 1)] = x2;
                }
            }
            design_matrix(&raw, self.config.features, &mut self.grid_x)?;
            if let Some(s) = &self.scaler {
                s.transform_in_place(&mut self.grid_x)?;
            }
            self.grid_n = n;
        }
        self.sync_eval_model()?;
        let out = self
            .eval_model
            .forward(&self.grid_x, Mode::Eval, &mut Rng::new(0))?;
        values.clear();
        classes.clear();
        match self.task {
            Task::Regression => values.extend(out.column(0).iter().copied()),
            Task::Binary => {
                let mut p = Matrix::zeros(0, 0);
                self.trainer.loss().predict_probabilities(out, &mut p)?;
                values.extend(p.column(0).iter().map(|v| 2.0 * v - 1.0));
            }
            Task::Multiclass { .. } => {
                let mut p = Matrix::zeros(0, 0);
                self.trainer.loss().predict_probabilities(out, &mut p)?;
                for row in p.row_iter() {
                    let (best, prob) =
                        row.iter().enumerate().fold((0, f32::MIN), |acc, (i, &v)| {
                            if v > acc.1 { (i, v) } else { acc }
                        });
                    classes.push(best as u8);
                    values.push(prob);
                }
            }
        }
        Ok(())
    }

    /// Copies the trained parameters and normalization statistics into the evaluation copy,
    /// whose buffers stay sized for the grid (so neither model reallocates every frame). The
    /// parameters pass through one reused flat buffer; batch norm's running statistics are copied
    /// in place rather than by cloning the layer, whose buffers are sized for a training batch.
    fn sync_eval_model(&mut self) -> Result<()> {
        let scratch = &mut self.param_scratch;
        scratch.clear();
        self.trainer
            .model_mut()
            .visit_params(&mut |_, p| scratch.extend_from_slice(p.value));
        let mut offset = 0;
        self.eval_model.visit_params(&mut |_, p| {
            let n = p.value.len();
            if let Some(v) = scratch.get(offset..offset + n) {
                p.value.copy_from_slice(v);
            }
            offset += n;
        });
        let trained = self.trainer.model();
        for i in 0..self.eval_model.layers().len() {
            if let Some(bn) = trained.layer::<BatchNorm>(i)
                && let Some(target) = self.eval_model.layer_mut::<BatchNorm>(i)
            {
                target.set_running_stats(bn.running_mean(), bn.running_var())?;
            }
        }
        Ok(())
    }

    /// The activation of hidden neuron `neuron` of hidden layer `layer` over the last grid,
    /// sampled to `m × m` (row 0 at the top), into `out`.
    pub fn neuron_map(
        &self,
        layer: usize,
        neuron: usize,
        m: usize,
        out: &mut Vec<f32>,
    ) -> Result<()> {
        let module = *self
            .activation_modules
            .get(layer)
            .ok_or_else(|| EngineError::Invalid(format!("there is no hidden layer {layer}")))?;
        let a = self.eval_model.layers()[module].output();
        self.sample_grid(|row| a.get((row, neuron)).copied(), m, out)
    }

    /// Input feature `feature`'s value over the last grid (after scaling), sampled to `m × m`.
    pub fn feature_map(&self, feature: usize, m: usize, out: &mut Vec<f32>) -> Result<()> {
        let x = &self.grid_x;
        self.sample_grid(|row| x.get((row, feature)).copied(), m, out)
    }

    fn sample_grid(
        &self,
        at: impl Fn(usize) -> Option<f32>,
        m: usize,
        out: &mut Vec<f32>,
    ) -> Result<()> {
        let n = self.grid_n;
        if n < 2 {
            return Err(EngineError::Invalid("evaluate the grid first".into()));
        }
        let m = m.clamp(2, n);
        out.clear();
        for r in 0..m {
            for c in 0..m {
                let (gr, gc) = (r * (n - 1) / (m - 1), c * (n - 1) / (m - 1));
                out.push(
                    at(gr * n + gc).ok_or_else(|| EngineError::Invalid("no such neuron".into()))?,
                );
            }
        }
        Ok(())
    }

    /// For each hidden layer, which neurons are dead: zero for every training point (ReLU) —
    /// their gradient is zero for every example, so they can never learn again.
    pub fn dead_neurons(&mut self) -> Result<Vec<Vec<bool>>> {
        self.trainer.predict(&self.train.x)?;
        let model = self.trainer.model();
        Ok(self
            .activation_modules
            .iter()
            .map(|&i| {
                let a = model.layers()[i].output();
                (0..a.ncols())
                    .map(|c| a.column(c).iter().all(|&v| v == 0.0))
                    .collect()
            })
            .collect())
    }

    /// Each dense layer's weights `(out, in)` and biases, input side first.
    pub fn dense_layers(&self) -> Vec<&Dense> {
        let model = self.trainer.model();
        (0..model.layers().len())
            .filter_map(|i| model.layer::<Dense>(i))
            .collect()
    }

    /// Sets one weight by hand: dense layer `layer`, from input `from` to neuron `to`.
    pub fn set_weight(&mut self, layer: usize, to: usize, from: usize, value: f32) -> Result<()> {
        if !value.is_finite() {
            return Err(EngineError::NonFinite {
                what: "the weight".into(),
            });
        }
        let model = self.trainer.model_mut();
        let index = (0..model.layers().len())
            .filter(|&i| model.layer::<Dense>(i).is_some())
            .nth(layer)
            .ok_or_else(|| EngineError::Invalid(format!("there is no dense layer {layer}")))?;
        let dense = model
            .layer_mut::<Dense>(index)
            .ok_or_else(|| EngineError::Invalid("not a dense layer".into()))?;
        let w = dense.weights_mut();
        if to >= w.nrows() || from >= w.ncols() {
            return Err(EngineError::shape("weight index", w.shape(), (to, from)));
        }
        w[(to, from)] = value;
        Ok(())
    }

    /// Changes hyperparameters that need no new network: learning rate, optimizer, batch size,
    /// penalty. The optimizer's state starts afresh only when its kind changes.
    pub fn retune(
        &mut self,
        optimizer: OptimizerConfig,
        batch_size: usize,
        penalty: Penalty,
    ) -> Result<()> {
        if batch_size == 0 {
            return Err(EngineError::hyper("batch size", 0, "it must be at least 1"));
        }
        optimizer.validate()?;
        if optimizer.kind != self.config.optimizer.kind {
            self.trainer.set_optimizer(optimizer.build()?);
        } else if let Some(lr) = optimizer.get("lr") {
            self.trainer.optimizer_mut().set_learning_rate(lr)?;
        }
        self.trainer.set_penalty(penalty)?;
        self.config.optimizer = optimizer;
        self.config.batch_size = batch_size;
        self.config.penalty = penalty;
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }

    /// The task.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The trainer (model, loss, optimizer state).
    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Updates made.
    pub fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    /// Complete passes over the training split: 1 as soon as the first pass's last batch is taken.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Training point `index` as the network sees it — its features, scaled when the playground
    /// normalizes — with its target row, for following it through the network.
    pub fn training_example(&self, index: usize) -> Option<(Vec<f32>, Vec<f32>)> {
        if index >= self.train.x.nrows() {
            return None;
        }
        Some((
            self.train.x.row(index).iter().copied().collect(),
            self.train.y.row(index).iter().copied().collect(),
        ))
    }

    /// The network's raw outputs on one split (0 train, 1 validation, 2 test) in evaluation mode,
    /// with the split's targets, or `None` when that split is empty. Other figures score the live
    /// model through this (the scores lesson's `evaluate`).
    pub fn split_outputs(&mut self, split: usize) -> Result<Option<(&Matrix, &Matrix)>> {
        let part = match split {
            0 => Some(&self.train),
            1 => self.validation.as_ref(),
            2 => self.test.as_ref(),
            _ => {
                return Err(EngineError::Invalid(format!(
                    "the splits are 0 (train), 1 (validation) and 2 (test), not {split}"
                )));
            }
        };
        let Some(part) = part else {
            return Ok(None);
        };
        let output = self.trainer.predict(&part.x)?;
        Ok(Some((output, &part.y)))
    }

    /// The raw points of each split, with their labels or values: train, validation, test.
    pub fn points(&self) -> [Option<(&Matrix, &Matrix)>; 3] {
        fn p(part: &Part) -> (&Matrix, &Matrix) {
            (&part.raw, &part.y)
        }
        [
            Some(p(&self.train)),
            self.validation.as_ref().map(p),
            self.test.as_ref().map(p),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circle() -> Playground {
        Playground::new(PlaygroundConfig::default()).unwrap()
    }

    #[test]
    fn training_on_the_circle_generalises() {
        let mut p = circle();
        let before = p.scores().unwrap();
        for _ in 0..3000 {
            p.step().unwrap();
        }
        let after = p.record().unwrap();
        let val = after.validation.unwrap();
        assert!(
            val.loss < before.validation.unwrap().loss / 2.0,
            "{before:?} → {after:?}"
        );
        assert!(val.accuracy.unwrap() > 0.95, "{after:?}");
        assert!(p.epoch() > 0);
    }

    /// The reader's own points, `n` of them, alternating classes, as the playground's data.
    fn own_points(n: usize) -> PlaygroundConfig {
        let x = Matrix::from_fn(n, 2, |r, c| (r as f32 * 0.37 + c as f32 * 1.9).sin() * 5.0);
        let labels = (0..n).map(|r| r % 2).collect();
        PlaygroundConfig {
            data: DataKind::Custom(Dataset::binary(x, labels).unwrap()),
            ..PlaygroundConfig::default()
        }
    }

    /// Which split (0 train, 1 validation, 2 test) holds each point, by its first coordinate.
    fn split_of_each(p: &Playground) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        for (split, part) in p.points().into_iter().enumerate() {
            if let Some((x, _)) = part {
                out.extend((0..x.nrows()).map(|r| (x[(r, 0)].to_bits(), split)));
            }
        }
        out.sort_unstable();
        out
    }

    #[test]
    fn own_points_train_from_the_first_and_keep_their_split_as_more_are_added() {
        let mut one = Playground::new(own_points(1)).unwrap();
        one.step().unwrap();
        assert_eq!(split_of_each(&one).len(), 1);
        let mut earlier = split_of_each(&one);
        for n in 2..=40 {
            let now = split_of_each(&Playground::new(own_points(n)).unwrap());
            assert_eq!(now.len(), n, "every point is in one split");
            for point in &earlier {
                assert!(now.contains(point), "{point:?} changed split at {n} points");
            }
            earlier = now;
        }
        let held_out = earlier.iter().filter(|(_, split)| *split > 0).count();
        assert_eq!(held_out, 16, "40% of 40 points are held out");
    }

    #[test]
    fn a_diverged_run_puts_back_the_last_recorded_network() {
        let config = PlaygroundConfig {
            activation: Activation::Relu,
            hidden: vec![8; 6],
            optimizer: OptimizerConfig::new(OptimizerKind::Sgd)
                .with("lr", 10.0)
                .unwrap(),
            ..PlaygroundConfig::default()
        };
        let mut p = Playground::new(config).unwrap();
        p.record().unwrap();
        let mut grid = (Vec::new(), Vec::new());
        let mut good_map = Vec::new();
        // A learning rate of 10 diverges within a few updates; until then, each recorded
        // network's map is what the reader saw.
        let mut diverged = false;
        for _ in 0..50 {
            p.evaluate_grid(20, &mut grid.0, &mut grid.1).unwrap();
            good_map.clone_from(&grid.0);
            if p.step().and_then(|_| p.record()).is_err() {
                diverged = true;
                break;
            }
        }
        assert!(diverged, "the run did not diverge");
        let last = *p.history().last().unwrap();
        p.restore_last_recorded();
        p.evaluate_grid(20, &mut grid.0, &mut grid.1).unwrap();
        assert_eq!(grid.0, good_map, "the map is not the last recorded one");
        assert_eq!(p.scores().unwrap().train.loss, last.train.loss);
    }

    /// The best point is the lowest validation loss of every record, the untrained network's
    /// included, and outlives the history's thinning; restoring it gives its scores exactly.
    #[test]
    fn the_best_point_is_kept_through_thinning_and_restored_exactly() {
        let mut p = circle();
        let mut lowest = p.history()[0];
        for _ in 0..(HISTORY_LIMIT + 300) {
            p.step().unwrap();
            let s = p.record().unwrap();
            if s.validation.unwrap().loss < lowest.validation.unwrap().loss {
                lowest = s;
            }
        }
        assert!(
            p.history().len() < HISTORY_LIMIT + 300,
            "the history never thinned"
        );
        assert!(lowest.step > 0);
        assert_eq!(p.best(), Some(&lowest));
        let last = *p.history().last().unwrap();
        assert_eq!(p.restore_best().unwrap(), Some(lowest));
        p.restore_last_recorded();
        assert_eq!(p.scores().unwrap(), last);
        let no_validation = PlaygroundConfig {
            split: SplitFractions::new(1.0, 0.0, 0.0),
            ..PlaygroundConfig::default()
        };
        let mut p = Playground::new(no_validation).unwrap();
        assert_eq!(p.best(), None);
        assert_eq!(p.restore_best().unwrap(), None);
    }

    #[test]
    fn the_epoch_counter_counts_complete_passes() {
        let mut p = circle();
        assert_eq!(p.epoch(), 0);
        let per_epoch = p.points()[0]
            .map_or(0, |(x, _)| x.nrows())
            .div_ceil(p.config().batch_size);
        assert!(per_epoch > 1);
        // One update short of a pass: still 0. The pass's last update: 1, not 0.
        for _ in 0..per_epoch - 1 {
            p.step().unwrap();
        }
        assert_eq!(p.epoch(), 0);
        p.step().unwrap();
        assert_eq!(p.epoch(), 1);
        p.step_epoch().unwrap();
        assert_eq!((p.epoch(), p.steps()), (2, 2 * per_epoch as u64));
    }

    #[test]
    fn the_same_config_replays_the_same_numbers() {
        let mut a = circle();
        let mut b = circle();
        for _ in 0..137 {
            a.step().unwrap();
            b.step().unwrap();
        }
        assert_eq!(a.scores().unwrap(), b.scores().unwrap());
        let mut other = Playground::new(PlaygroundConfig {
            seed: 2,
            ..PlaygroundConfig::default()
        })
        .unwrap();
        other.step().unwrap();
        assert_ne!(
            other.scores().unwrap().train.loss,
            a.scores().unwrap().train.loss
        );
    }

    #[test]
    fn the_grid_and_neuron_maps_have_the_asked_sizes() {
        let mut p = circle();
        let (mut v, mut c) = (Vec::new(), Vec::new());
        p.evaluate_grid(50, &mut v, &mut c).unwrap();
        assert_eq!(v.len(), 2500);
        assert!(v.iter().all(|x| (-1.0..=1.0).contains(x)));
        let mut m = Vec::new();
        p.neuron_map(1, 1, 10, &mut m).unwrap();
        assert_eq!(m.len(), 100);
        p.feature_map(0, 10, &mut m).unwrap();
        // Row 0 is the top; feature x₁ grows from left to right.
        assert!(m[0] < m[9]);
        assert!(p.neuron_map(2, 0, 10, &mut m).is_err());
    }

    #[test]
    fn every_option_builds_and_trains() {
        let configs = [
            PlaygroundConfig {
                batch_norm: true,
                dropout: 0.3,
                ..Default::default()
            },
            PlaygroundConfig {
                data: DataKind::Classify(TwoD::Blobs { classes: 3 }),
                ..Default::default()
            },
            PlaygroundConfig {
                data: DataKind::Plane,
                ..Default::default()
            },
            PlaygroundConfig {
                hidden: vec![],
                normalize: true,
                features: FeatureSet::ALL,
                ..Default::default()
            },
            PlaygroundConfig {
                binary_loss: Loss::Hinge,
                activation: Activation::Relu,
                ..Default::default()
            },
        ];
        for config in configs {
            let mut p = Playground::new(config.clone()).unwrap();
            for _ in 0..20 {
                p.step().unwrap();
            }
            let (mut v, mut c) = (Vec::new(), Vec::new());
            p.evaluate_grid(20, &mut v, &mut c).unwrap();
            assert!(v.iter().all(|x| x.is_finite()), "{config:?}");
            p.dead_neurons().unwrap();
        }
    }

    #[test]
    fn the_evaluation_copy_predicts_as_the_trained_network() {
        let config = PlaygroundConfig {
            batch_norm: true,
            dropout: 0.2,
            ..Default::default()
        };
        let mut p = Playground::new(config).unwrap();
        for _ in 0..50 {
            p.step().unwrap();
        }
        p.sync_eval_model().unwrap();
        let x = p.train.x.clone();
        let copy = p
            .eval_model
            .forward(&x, Mode::Eval, &mut Rng::new(0))
            .unwrap()
            .clone();
        let trained = p.trainer.predict(&x).unwrap().clone();
        assert_eq!(copy, trained);
    }

    #[test]
    fn bad_shapes_are_refused() {
        assert!(
            Playground::new(PlaygroundConfig {
                hidden: vec![0],
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            Playground::new(PlaygroundConfig {
                hidden: vec![4; 9],
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            Playground::new(PlaygroundConfig {
                features: FeatureSet::from_bits(0).unwrap(),
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn a_huge_learning_rate_with_relu_diverges_with_an_error() {
        let config = PlaygroundConfig {
            activation: Activation::Relu,
            optimizer: OptimizerConfig::new(OptimizerKind::Sgd)
                .with("lr", 10.0)
                .unwrap(),
            data: DataKind::Plane,
            ..Default::default()
        };
        let mut p = Playground::new(config).unwrap();
        let failed = (0..500).find_map(|_| p.step().err());
        assert!(failed.is_some(), "a learning rate of 10 must diverge");
    }

    #[test]
    fn weights_can_be_edited_by_hand() {
        let mut p = circle();
        p.set_weight(0, 1, 0, 0.75).unwrap();
        assert_eq!(p.dense_layers()[0].weights()[(1, 0)], 0.75);
        assert!(p.set_weight(0, 9, 0, 1.0).is_err());
        assert!(p.set_weight(0, 0, 0, f32::NAN).is_err());
    }
}

/// The "Try this" items of the playground, on the settings their buttons set.
#[cfg(test)]
mod try_this {
    use super::*;
    use spiega_nn::data::features::Feature;

    /// The page's opening settings (the circle, SGD at 0.03, batches of 10, seed 1) with these
    /// hidden layers and, when `squares`, x₁² and x₂² as inputs beside x₁ and x₂.
    fn page_settings(hidden: Vec<usize>, squares: bool) -> PlaygroundConfig {
        let mut features = FeatureSet::PLAIN;
        features.set(Feature::X1Squared, squares);
        features.set(Feature::X2Squared, squares);
        PlaygroundConfig {
            hidden,
            features,
            optimizer: OptimizerConfig::new(OptimizerKind::Sgd)
                .with("lr", 0.03)
                .unwrap(),
            ..PlaygroundConfig::default()
        }
    }

    /// The validation accuracy at every frame of a run of `updates`, five updates a frame (the
    /// figure's default speed): `(updates so far, accuracy)`.
    fn validation_accuracy(config: PlaygroundConfig, updates: u64) -> Vec<(u64, f32)> {
        let mut p = Playground::new(config).unwrap();
        let mut out = Vec::new();
        while p.steps() < updates {
            for _ in 0..5 {
                p.step().unwrap();
            }
            let s = p.record().unwrap();
            out.push((s.step, s.validation.unwrap().accuracy.unwrap()));
        }
        out
    }

    /// Try this (playground): with no hidden layer (a straight boundary) the circle's validation
    /// accuracy stays below two in three for all of 3,000 updates.
    #[test]
    fn no_hidden_layer_cannot_enclose_the_circle() {
        let run = validation_accuracy(page_settings(vec![], false), 3000);
        assert_eq!(run.len(), 600);
        assert!(run.iter().all(|&(_, a)| a < 2.0 / 3.0), "{run:?}");
    }

    /// Try this (playground): no hidden layer, but x₁² and x₂² as inputs: every validation point
    /// is right after 400 updates, to the last of 3,000.
    #[test]
    fn squared_inputs_replace_the_hidden_layers() {
        let run = validation_accuracy(page_settings(vec![], true), 3000);
        assert!(
            run.iter().all(|&(step, a)| step <= 400 || a == 1.0),
            "{run:?}"
        );
    }

    /// Try this (playground): one hidden layer of three neurons passes 95% validation accuracy
    /// within 2,000 updates; with a single neuron it never passes 75% in 3,000.
    #[test]
    fn three_neurons_draw_a_triangle_around_the_circle() {
        let three = validation_accuracy(page_settings(vec![3], false), 2000);
        assert!(three.iter().any(|&(_, a)| a >= 0.95), "{three:?}");
        let one = validation_accuracy(page_settings(vec![1], false), 3000);
        assert!(one.iter().all(|&(_, a)| a < 0.75), "{one:?}");
    }
}
