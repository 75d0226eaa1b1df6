//! The playground's settings, read and written: the controls (sliders, menus, boxes and the
//! hidden-layer editor, whose `data-role`s are the address's key names) into a
//! [`PlaygroundState`] and back, which controls apply to the chosen problem, and the translation
//! of the settings into the engine's configuration.
//!
//! It works on the figure's root element and a state, and knows nothing of the run, the
//! drawings, playing or the figure that calls it; the state module alone decides what a valid
//! setting is.

use crate::controls;
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::state::HashParams;
use crate::state::PlaygroundState;
use crate::state::playground as choice;
use spiega_lessons::playground::{DataKind, PlaygroundConfig};
use spiega_nn::EngineError;
use spiega_nn::activation::Activation;
use spiega_nn::data::features::{Feature, FeatureSet};
use spiega_nn::data::split::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::loss::Loss;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// Reads every control under `root` into a hash and lets the state module parse it; the
/// reader's own points, which are not a control, carry over from `current`.
pub fn read_controls(root: &Element, current: &PlaygroundState) -> Result<PlaygroundState> {
    let mut params = HashParams::new();
    for el in dom::query_all(root, "[data-role]")? {
        let Some(key) = el.get_attribute("data-role") else {
            continue;
        };
        if !PlaygroundState::is_key(&key) {
            continue;
        }
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            let value = match input.type_().as_str() {
                "checkbox" => input.checked().to_string(),
                _ if key == "learningRate" => controls::log_value(input).to_string(),
                _ => input.value(),
            };
            params.set(&key, &value);
        } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            params.set(&key, &select.value());
        }
    }
    params.set("networkShape", &read_layers(root)?);
    let (mut state, _) = PlaygroundState::from_params(&params);
    // The reader's own points are not a control: they carry over.
    state.custom = current.custom.clone();
    Ok(state)
}

/// Puts `state` into the controls under `root` (after a parse, a reset or a rebuilt layer
/// editor).
pub fn write_controls(root: &Element, state: &PlaygroundState) -> Result<()> {
    let params = HashParams::parse(&state.to_hash(&HashParams::new()));
    for el in dom::query_all(root, "[data-role]")? {
        let Some(key) = el.get_attribute("data-role") else {
            continue;
        };
        let Some(value) = params.get(&key) else {
            continue;
        };
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            match input.type_().as_str() {
                "checkbox" => input.set_checked(value == "true"),
                _ if key == "learningRate" => {
                    controls::set_log_value(input, value.parse().unwrap_or(0.03));
                }
                _ => input.set_value(value),
            }
        } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            select_value(select, value)?;
        }
    }
    write_layers(root, state.hidden_layers())?;
    write_outputs(root, state)?;
    show_relevant(root, state)
}

/// Opens "More settings" when a link set something under it, so the reader sees every
/// setting in force; one the reader cannot see (such as the noise of their own points) does
/// not count. It is never closed here: closing is the reader's choice.
pub fn show_settings_in_force(root: &Element) -> Result<()> {
    let more: Element = dom::query(root, "[data-role=\"more\"]")?;
    let set = dom::query_all(&more, "input, select")?
        .iter()
        .any(|el| el.closest("[hidden]").ok().flatten().is_none() && differs_from_markup(el));
    if set {
        more.set_attribute("open", "")?;
    }
    Ok(())
}

/// The numbers beside the sliders under `root`, for `s` (also while a slider moves, before
/// its change applies).
pub fn write_outputs(root: &Element, s: &PlaygroundState) -> Result<()> {
    let r = root;
    dom::set_output(r, "noise-value", &format!("{}%", s.noise));
    dom::set_output(r, "points-value", &s.points.to_string());
    dom::set_output(r, "classes-value", &s.classes.to_string());
    dom::set_output(r, "percTrainData-value", &format!("{}%", s.train_percent()));
    dom::set_output(
        r,
        "percValData-value",
        &format!("{}%", s.validation_percent()),
    );
    dom::set_output(r, "batchSize-value", &s.batch_size.to_string());
    dom::set_output(
        r,
        "learningRate-value",
        &controls::format_rate(s.learning_rate_f32()),
    );
    dom::set_output(r, "dropout-value", &fmt(s.dropout, 2));
    if let Ok(Some(el)) = r.query_selector("[data-role=\"test-share\"]") {
        dom::set_text(
            &el,
            &format!(
                "Test split: {}% (scored, never trained on)",
                s.test_percent()
            ),
        );
    }
    Ok(())
}

/// Shows only the controls that apply to the chosen problem and data set.
fn show_relevant(root: &Element, state: &PlaygroundState) -> Result<()> {
    let regression = state.is_regression();
    let dataset = state.dataset;
    for el in dom::query_all(root, "[data-when]")? {
        let when = el.get_attribute("data-when").unwrap_or_default();
        let show = match when.as_str() {
            "classification" => !regression,
            "regression" => regression,
            "binary" => !regression && dataset != choice::Dataset::Blobs,
            "blobs" => !regression && dataset == choice::Dataset::Blobs,
            "custom" => !regression && dataset == choice::Dataset::Custom,
            // Noise and the number of points apply to generated data, not the reader's own.
            "generated" => !state.uses_own_points(),
            _ => true,
        };
        dom::set_hidden(&el, !show)?;
    }
    if let Ok(Some(head)) = root.query_selector("[data-role=\"metric-head\"]") {
        dom::set_text(&head, if regression { "" } else { "Accuracy" });
    }
    Ok(())
}

/// The training, validation and test shares the sliders set.
pub fn split_fractions(s: &PlaygroundState) -> SplitFractions {
    SplitFractions::new(
        s.train_percent() as f32 / 100.0,
        s.validation_percent() as f32 / 100.0,
        s.test_percent() as f32 / 100.0,
    )
}

/// Translates the address's settings into the engine's configuration. Every choice converts by
/// an exhaustive match, so a new choice in the state cannot silently train as another.
pub fn engine_config(s: &PlaygroundState) -> Result<PlaygroundConfig> {
    let data = if s.is_regression() {
        match s.reg_dataset {
            choice::RegDataset::Plane => DataKind::Plane,
            choice::RegDataset::Gauss => DataKind::MultiGaussian,
            choice::RegDataset::Custom => DataKind::Custom(s.custom_dataset()?),
        }
    } else {
        match s.dataset {
            choice::Dataset::Circle => DataKind::Classify(TwoD::Circle),
            choice::Dataset::Xor => DataKind::Classify(TwoD::Xor),
            choice::Dataset::Gauss => DataKind::Classify(TwoD::Gaussians),
            choice::Dataset::Spiral => DataKind::Classify(TwoD::Spiral),
            choice::Dataset::Moons => DataKind::Classify(TwoD::Moons),
            choice::Dataset::Blobs => DataKind::Classify(TwoD::Blobs { classes: s.classes }),
            choice::Dataset::Custom => DataKind::Custom(s.custom_dataset()?),
        }
    };
    let mut features = FeatureSet::from_bits(0)?;
    for (on, f) in s.feature_flags().into_iter().zip(Feature::ALL) {
        features.set(f, on);
    }
    let (optimizer, batch_size, penalty) = training_settings(s)?;
    let activation = match s.activation {
        choice::Activation::Sigmoid => Activation::Sigmoid,
        choice::Activation::Tanh => Activation::Tanh,
        choice::Activation::Relu => Activation::Relu,
        choice::Activation::LeakyRelu => Activation::LeakyRelu { slope: 0.01 },
        choice::Activation::Prelu => Activation::Prelu { alpha: 0.25 },
        choice::Activation::Swish => Activation::Swish { beta: 1.0 },
        choice::Activation::Linear => Activation::Linear,
    };
    let binary_loss = match s.loss {
        choice::Loss::Logistic => Loss::BinaryCrossEntropy,
        choice::Loss::Squared => Loss::SquaredMargin,
        choice::Loss::Hinge => Loss::Hinge,
        choice::Loss::Exponential => Loss::Exponential,
    };
    Ok(PlaygroundConfig {
        data,
        points: s.points,
        noise: s.noise as f32 / 100.0,
        split: split_fractions(s),
        features,
        normalize: s.normalize,
        hidden: s.hidden_layers().to_vec(),
        activation,
        binary_loss,
        optimizer,
        batch_size,
        penalty,
        dropout: s.dropout as f32,
        batch_norm: s.batch_norm,
        seed: s.seed,
    })
}

/// The settings that change training without a new network: optimizer, batch size, penalty.
pub fn training_settings(s: &PlaygroundState) -> Result<(OptimizerConfig, usize, Penalty)> {
    let kind = match s.optimizer {
        choice::Optimizer::Gd | choice::Optimizer::Sgd => OptimizerKind::Sgd,
        choice::Optimizer::Momentum => OptimizerKind::Momentum,
        choice::Optimizer::Nesterov => OptimizerKind::Nesterov,
        choice::Optimizer::Adagrad => OptimizerKind::Adagrad,
        choice::Optimizer::Rmsprop => OptimizerKind::RmsProp,
        choice::Optimizer::Adam => OptimizerKind::Adam,
    };
    let mut optimizer = OptimizerConfig::new(kind);
    optimizer.lr = s.learning_rate_f32();
    if matches!(kind, OptimizerKind::Momentum | OptimizerKind::Nesterov) {
        optimizer.momentum = 0.9;
    }
    // Gradient descent is a batch of the whole training split.
    let batch = match s.optimizer {
        choice::Optimizer::Gd => usize::MAX,
        _ => s.batch_size,
    };
    let rate = s.regularization_rate_f32();
    let penalty = match s.regularization {
        choice::Regularization::None => Penalty::None,
        choice::Regularization::L1 => Penalty::L1 { lambda: rate },
        choice::Regularization::L2 => Penalty::L2 { lambda: rate },
        choice::Regularization::Elastic => Penalty::ElasticNet {
            alpha: rate,
            l1_ratio: 0.5,
        },
    };
    Ok((optimizer, batch, penalty))
}

/// Sets a select's value, adding an option for a value the list does not offer (from a link).
pub fn select_value(select: &HtmlSelectElement, value: &str) -> Result<()> {
    select.set_value(value);
    if select.value() != value {
        let option = dom::document()?.create_element("option")?;
        option.set_attribute("value", value)?;
        dom::set_text(&option, value);
        select.append_child(&option)?;
        select.set_value(value);
    }
    Ok(())
}

/// Whether the control `el` holds something other than what the page's markup gives it: a box
/// checked or not, another option chosen, or another number (compared as numbers, so `0.20` is
/// `0.2`). Anything that is not an input or a menu never differs.
pub fn differs_from_markup(el: &Element) -> bool {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        if input.type_() == "checkbox" {
            return input.checked() != input.default_checked();
        }
        let (now, was) = (input.value(), input.default_value());
        return match (now.parse::<f64>(), was.parse::<f64>()) {
            (Ok(a), Ok(b)) => a != b,
            _ => now != was,
        };
    }
    if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
        let options: Vec<web_sys::HtmlOptionElement> = dom::query_all(select, "option")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|o| o.dyn_into().ok())
            .collect();
        let default = options
            .iter()
            .find(|o| o.default_selected())
            .or(options.first());
        return default.is_some_and(|o| o.value() != select.value());
    }
    false
}

/// The batch-size slider goes up to the whole training split.
pub fn limit_batch_slider(root: &Element, train: usize) -> Result<()> {
    let slider = dom::input(root, "batchSize")?;
    slider.set_max(&train.max(1).to_string());
    Ok(())
}

/// The hidden-layer editor's sizes, as `networkShape` ("4,2").
pub fn read_layers(root: &Element) -> Result<String> {
    let inputs = dom::query_all(root, "[data-role=\"layers\"] input[data-layer]")?;
    let sizes: Vec<String> = inputs
        .iter()
        .filter_map(|el| {
            el.dyn_ref::<HtmlInputElement>()
                .map(HtmlInputElement::value)
        })
        .collect();
    Ok(sizes.join(","))
}

/// Rebuilds the hidden-layer editor: a count with − and + buttons, and a size field per layer.
pub fn write_layers(root: &Element, sizes: &[usize]) -> Result<()> {
    let holder: Element = dom::query(root, "[data-role=\"layers\"]")?;
    let current = read_layers(root)?;
    let wanted: Vec<String> = sizes.iter().map(ToString::to_string).collect();
    if current == wanted.join(",") && holder.child_element_count() > 0 {
        return Ok(());
    }
    let doc = dom::document()?;
    holder.set_text_content(None);
    let label = doc.create_element("span")?;
    dom::set_text(
        &label,
        &format!(
            "{} hidden layer{}",
            sizes.len(),
            if sizes.len() == 1 { "" } else { "s" }
        ),
    );
    holder.append_child(&label)?;
    for (text, role, title) in [
        ("−", "remove-layer", "Remove a hidden layer"),
        ("+", "add-layer", "Add a hidden layer"),
    ] {
        let b = doc.create_element("button")?;
        b.set_attribute("type", "button")?;
        b.set_attribute("class", "btn")?;
        b.set_attribute("data-role", role)?;
        b.set_attribute("aria-label", title)?;
        dom::set_text(&b, text);
        holder.append_child(&b)?;
    }
    for (i, n) in sizes.iter().enumerate() {
        let field = doc.create_element("label")?;
        field.set_attribute("class", "inline")?;
        let name = doc.create_element("span")?;
        dom::set_text(&name, &format!("layer {}", i + 1));
        field.append_child(&name)?;
        let input = dom::new_input("number")?;
        input.set_min("1");
        input.set_max("32");
        input.set_value(&n.to_string());
        input.set_attribute("data-layer", &i.to_string())?;
        input.set_attribute("aria-label", &format!("Neurons in hidden layer {}", i + 1))?;
        field.append_child(&input)?;
        holder.append_child(&field)?;
    }
    Ok(())
}

/// Readings of the playground's settings in the units the figure and the engine use.
impl PlaygroundState {
    /// Whether `key` is one of the playground's own keys.
    pub fn is_key(key: &str) -> bool {
        crate::state::playground::FIELDS
            .iter()
            .any(|f| f.key == key)
    }

    /// Whether the task is regression.
    pub fn is_regression(&self) -> bool {
        self.problem == crate::state::playground::Problem::Regression
    }

    /// Whether the network trains on the reader's own points rather than a generated data set.
    pub fn uses_own_points(&self) -> bool {
        if self.is_regression() {
            self.reg_dataset == choice::RegDataset::Custom
        } else {
            self.dataset == choice::Dataset::Custom
        }
    }

    /// The learning rate as the engine takes it.
    pub fn learning_rate_f32(&self) -> f32 {
        self.learning_rate as f32
    }

    /// The penalty's rate as the engine takes it.
    pub fn regularization_rate_f32(&self) -> f32 {
        self.regularization_rate as f32
    }

    /// The training share in percent.
    pub fn train_percent(&self) -> u32 {
        self.perc_train
    }

    /// The validation share in percent.
    pub fn validation_percent(&self) -> u32 {
        self.perc_val
    }

    /// The seven feature switches in the engine's feature order.
    pub fn feature_flags(&self) -> [bool; 7] {
        let f = self.features;
        [
            f.x,
            f.y,
            f.x_squared,
            f.y_squared,
            f.x_times_y,
            f.sin_x,
            f.sin_y,
        ]
    }

    /// The reader's own points as an engine data set (classes, or values for regression).
    pub fn custom_dataset(&self) -> Result<spiega_nn::data::Dataset> {
        use spiega_nn::Matrix;
        use spiega_nn::data::Dataset;
        if self.custom.is_empty() {
            return Err(WebError::Engine(EngineError::Invalid(
                "Your data set has no points yet: tap or click the map to add some".into(),
            )));
        }
        let n = self.custom.len();
        let x = Matrix::from_fn(n, 2, |r, c| {
            let p = &self.custom[r];
            (if c == 0 { p.x } else { p.y }) as f32
        });
        let data = if self.is_regression() {
            Dataset::regression(x, Matrix::from_fn(n, 1, |r, _| self.custom[r].label as f32))
        } else {
            let labels: Vec<usize> = self
                .custom
                .iter()
                .map(|p| p.label.max(0.0) as usize)
                .collect();
            let classes = labels.iter().max().map_or(2, |m| m + 1).max(2);
            if classes == 2 {
                Dataset::binary(x, labels)
            } else {
                Dataset::multiclass(x, labels, classes)
            }
        };
        data.map_err(WebError::Engine)
    }

    /// Adds one of the reader's points (coordinates rounded as the address stores them); false
    /// when the data set already holds its [`MAX_CUSTOM_POINTS`](crate::state::playground::MAX_CUSTOM_POINTS).
    pub fn add_custom_point(&mut self, x: f32, y: f32, label: usize) -> bool {
        let room = self.custom.len() < crate::state::playground::MAX_CUSTOM_POINTS;
        if room {
            self.custom.push(crate::state::Point {
                x: crate::state::round2(f64::from(x)),
                y: crate::state::round2(f64::from(y)),
                label: label as f64,
            });
        }
        room
    }

    /// Removes the reader's point nearest to `(x, y)`, if one is within 0.5; false when none is.
    pub fn remove_custom_point_near(&mut self, x: f32, y: f32) -> bool {
        let d =
            |p: &crate::state::Point| (p.x - f64::from(x)).powi(2) + (p.y - f64::from(y)).powi(2);
        if let Some((i, _)) = self
            .custom
            .iter()
            .enumerate()
            .filter(|(_, p)| d(p) < 0.25)
            .min_by(|a, b| d(a.1).total_cmp(&d(b.1)))
        {
            self.custom.remove(i);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Point;

    #[test]
    fn every_optimizer_and_penalty_choice_trains_as_itself() {
        let mut s = PlaygroundState::default();
        let expected = [
            ("gd", OptimizerKind::Sgd, usize::MAX),
            ("sgd", OptimizerKind::Sgd, s.batch_size),
            ("momentum", OptimizerKind::Momentum, s.batch_size),
            ("nesterov", OptimizerKind::Nesterov, s.batch_size),
            ("adagrad", OptimizerKind::Adagrad, s.batch_size),
            ("rmsprop", OptimizerKind::RmsProp, s.batch_size),
            ("adam", OptimizerKind::Adam, s.batch_size),
        ];
        assert_eq!(expected.len(), choice::Optimizer::NAMES.len());
        for (name, kind, batch) in expected {
            s.optimizer = choice::Optimizer::from_name(name).unwrap();
            let (optimizer, b, _) = training_settings(&s).unwrap();
            assert_eq!((optimizer.kind, b), (kind, batch), "{name}");
            assert_eq!(optimizer.lr, s.learning_rate_f32(), "{name}");
        }
        for name in choice::Regularization::NAMES {
            s.regularization = choice::Regularization::from_name(name).unwrap();
            let (_, _, penalty) = training_settings(&s).unwrap();
            let none = matches!(penalty, Penalty::None);
            assert_eq!(none, *name == "none", "{name}: {penalty:?}");
        }
    }

    #[test]
    fn own_points_train_as_themselves_in_regression_too() {
        let mut s = PlaygroundState {
            problem: choice::Problem::Regression,
            reg_dataset: choice::RegDataset::Custom,
            custom: vec![
                Point {
                    x: 1.0,
                    y: 2.0,
                    label: 0.5,
                },
                Point {
                    x: -1.0,
                    y: 0.0,
                    label: -0.25,
                },
            ],
            ..PlaygroundState::default()
        };
        let config = engine_config(&s).unwrap();
        assert!(
            matches!(config.data, DataKind::Custom(_)),
            "{:?}",
            config.data
        );
        assert!(s.uses_own_points());
        s.reg_dataset = choice::RegDataset::Gauss;
        assert_eq!(engine_config(&s).unwrap().data, DataKind::MultiGaussian);
        s.reg_dataset = choice::RegDataset::Plane;
        assert_eq!(engine_config(&s).unwrap().data, DataKind::Plane);
    }
}
