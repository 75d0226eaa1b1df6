//! Adapter for the `mlp_backprop` family: whole small networks, per-layer trace, one GD step.
//!
//! The network is the engine's own [`Sequential`] of [`Dense`] layers with fused activations, and
//! every per-layer number is read from [`Sequential::trace`], the record the page shows as is:
//! `z` is the trace's pre-activation, `a` its output, `dL_dz` its pre-activation gradient, `dL_da`
//! the gradient that arrived from above, and `dL_dW`, `dL_db`, `dL_dalpha`, `dL_dbeta` its
//! parameter gradients. The step after is the engine's [`Sgd`] applied by [`optim::step`].
//!
//! Only the loss sits outside the network, here: its value and its gradient with respect to the
//! output `a_L` (means over the batch, as FORMAT.md says). A softmax output layer is a linear
//! [`Dense`] whose `z_L` this adapter turns into `a_L = softmax(z_L)` with the engine's
//! [`softmax`]; softmax and cross-entropy are then backpropagated together,
//! `dL/dz_L = (a_L·ΣY − Y)/B` (`(a_L − Y)/B` for one-hot rows), which is the upstream gradient of
//! that linear layer. Sigmoid and linear output layers get `dL/da_L` and backpropagate it through
//! their own activation.

use super::{Actuals, Case, Failure, Outcome, ToValue, activation_named, compare, value_to_matrix};
use serde_json::{Map, Value};
use spiega_nn::activation::{Activation, log_softmax, softmax};
use spiega_nn::layer::{Dense, Mode};
use spiega_nn::optim::{self, Sgd};
use spiega_nn::trace::LayerTrace;
use spiega_nn::{Matrix, Rng, Sequential, Shape};

/// The loss a case trains with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loss {
    /// `−(1/B) Σ Y log softmax(z_L)`, with a softmax output layer.
    SoftmaxCrossEntropy,
    /// `−mean(Y log a + (1 − Y) log(1 − a))` over every element.
    BinaryCrossEntropy,
    /// `mean((a − Y)²)` over every element.
    Mse,
}

impl Loss {
    fn parse(name: &str) -> Result<Self, Failure> {
        Ok(match name {
            "softmax_cross_entropy" => Loss::SoftmaxCrossEntropy,
            "binary_cross_entropy" => Loss::BinaryCrossEntropy,
            "mse" => Loss::Mse,
            other => return Err(Failure::Unsupported(format!("loss {other}"))),
        })
    }
}

/// One layer of the case: its parameters and the name of its activation.
struct LayerSpec {
    w: Matrix,
    b: Vec<f32>,
    /// The case's activation name (`swish` and `swish_beta` differ only in what is reported).
    name: String,
    activation: Activation,
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let x = case.matrix("X")?;
    let y = case.matrix("Y")?;
    let lr = case.f32("lr")?;
    let loss = Loss::parse(case.str("loss")?)?;
    let specs = layer_specs(case, loss)?;
    check_sizes(case, &x, &specs)?;

    let mut model = Sequential::new(Shape::Flat(x.ncols()));
    for spec in &specs {
        model.push(Dense::from_parts(
            spec.w.clone(),
            spec.b.clone(),
            spec.activation,
        )?)?;
    }
    let last = model
        .forward(&x, Mode::Train, &mut Rng::new(0))?
        .clone_owned();
    if y.shape() != last.shape() {
        return Err(Failure::BadInput(format!(
            "Y is {:?}, the network's output {:?}",
            y.shape(),
            last.shape()
        )));
    }

    // The loss at the output: its value, a_L, dL/da_L, and the gradient handed to the network
    // (dL/dz_L for softmax, which the linear output layer passes through unchanged; dL/da_L
    // otherwise).
    let head = output_head(loss, &last, &y);
    model.backward(&x, &head.upstream)?;
    let trace = model.trace(&x, Some(&head.upstream));

    let mut layers = Vec::with_capacity(specs.len());
    for (i, (spec, t)) in specs.iter().zip(&trace.layers).enumerate() {
        let is_output = i + 1 == specs.len();
        layers.push(layer_fields(spec, t, is_output.then_some(&head))?);
    }

    let mut sgd = Sgd::new(lr, 0.0)?;
    optim::step(&mut sgd, &mut model)?;
    let mut after = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let dense = model
            .layer::<Dense>(i)
            .ok_or_else(|| Failure::BadInput(format!("layer {i} is not dense")))?;
        let mut fields = Map::new();
        fields.insert("W".into(), dense.weights().to_value());
        fields.insert("b".into(), dense.biases().to_vec().to_value());
        if let Some((param, _)) = reported_param(spec) {
            let theta = dense.activation().param().unwrap_or(f32::NAN);
            fields.insert(param.into(), theta.to_value());
        }
        after.push(Value::Object(fields));
    }

    let layers = Value::Array(layers);
    let after = Value::Array(after);
    require_every_field(case, "layers", &layers)?;
    require_every_field(case, "after_one_gd_step", &after)?;
    let mut out = Actuals::new();
    out.put("loss", head.loss);
    out.put_value("layers", layers);
    out.put_value("after_one_gd_step", after);
    Ok(out)
}

/// Reads `inputs.layers`, mapping each activation to the engine's; a softmax layer must be the
/// last one and the loss cross-entropy, and becomes a linear dense layer.
fn layer_specs(case: &Case, loss: Loss) -> Result<Vec<LayerSpec>, Failure> {
    let raw = case
        .input("layers")?
        .as_array()
        .ok_or_else(|| Failure::BadInput("layers is not a list".into()))?;
    let mut specs = Vec::with_capacity(raw.len());
    for (i, layer) in raw.iter().enumerate() {
        let bad = |what: &str| Failure::BadInput(format!("layers[{i}]: {what}"));
        let w = value_to_matrix(&layer["W"]).map_err(|e| bad(&format!("W: {e}")))?;
        let mut b = Vec::new();
        compare::flatten(&layer["b"], &mut b).map_err(|e| bad(&format!("b: {e}")))?;
        let name = layer["activation"]
            .as_str()
            .ok_or_else(|| bad("no activation name"))?
            .to_owned();
        let number = |field: &str| -> Result<f32, Failure> {
            compare::as_f64(&layer[field])
                .map(|v| v as f32)
                .ok_or_else(|| bad(&format!("{name} needs a number \"{field}\"")))
        };
        let is_last = i + 1 == raw.len();
        let activation = match name.as_str() {
            "softmax" if is_last && loss == Loss::SoftmaxCrossEntropy => Activation::Linear,
            "softmax" => {
                return Err(Failure::Unsupported(
                    "softmax other than as the output of a cross-entropy network".into(),
                ));
            }
            "leaky_relu" => Activation::LeakyRelu {
                slope: number("slope")?,
            },
            "prelu" => Activation::Prelu {
                alpha: number("alpha")?,
            },
            "swish" => Activation::Swish { beta: 1.0 },
            "swish_beta" => Activation::Swish {
                beta: number("beta")?,
            },
            other => activation_named(other)?,
        };
        if is_last && loss == Loss::SoftmaxCrossEntropy && name != "softmax" {
            return Err(Failure::Unsupported(format!(
                "softmax cross-entropy after a {name} output layer"
            )));
        }
        specs.push(LayerSpec {
            w,
            b: b.into_iter().map(|v| v as f32).collect(),
            name,
            activation,
        });
    }
    if specs.is_empty() {
        return Err(Failure::BadInput("no layers".into()));
    }
    Ok(specs)
}

/// Checks `layer_sizes` against `X` and the weight shapes.
fn check_sizes(case: &Case, x: &Matrix, specs: &[LayerSpec]) -> Result<(), Failure> {
    let sizes = case.ints("layer_sizes")?;
    let mut have = vec![x.ncols() as i64];
    have.extend(specs.iter().map(|s| s.w.nrows() as i64));
    let chained = specs
        .iter()
        .zip(&have)
        .all(|(s, &inputs)| s.w.ncols() as i64 == inputs);
    if sizes != have || !chained {
        return Err(Failure::BadInput(format!(
            "layer_sizes {sizes:?} do not match X and the weights ({have:?})"
        )));
    }
    Ok(())
}

/// The loss at the output layer.
struct Head {
    /// The batch loss.
    loss: f64,
    /// `a_L`: the network's output, or `softmax(z_L)` for a softmax output.
    output: Matrix,
    /// `dL/da_L`.
    grad_output: Matrix,
    /// What the network's backward pass starts from: `dL/dz_L` for a softmax output (the output
    /// layer is linear there), `dL/da_L` otherwise.
    upstream: Matrix,
}

/// The loss, `a_L`, `dL/da_L` and the network's upstream gradient, from the network's last
/// output `last` (`z_L` for softmax, `a_L` otherwise) and the targets `y`.
fn output_head(loss: Loss, last: &Matrix, y: &Matrix) -> Head {
    let (batch, outputs) = last.shape();
    let elements = (batch * outputs) as f32;
    let mut grad_output = Matrix::zeros(batch, outputs);
    match loss {
        Loss::SoftmaxCrossEntropy => {
            let b = batch as f32;
            let mut output = Matrix::zeros(batch, outputs);
            let mut upstream = Matrix::zeros(batch, outputs);
            let (mut z, mut a, mut log_a) =
                (vec![0.0; outputs], vec![0.0; outputs], vec![0.0; outputs]);
            let mut total = 0.0_f64;
            for r in 0..batch {
                for c in 0..outputs {
                    z[c] = last[(r, c)];
                }
                softmax(&z, &mut a);
                log_softmax(&z, &mut log_a);
                let y_sum: f32 = (0..outputs).map(|c| y[(r, c)]).sum();
                for c in 0..outputs {
                    let t = y[(r, c)];
                    output[(r, c)] = a[c];
                    // A zero target contributes nothing, even where a rounds to 0.
                    if t != 0.0 {
                        total -= f64::from(t) * f64::from(log_a[c]);
                        grad_output[(r, c)] = -t / (a[c] * b);
                    }
                    upstream[(r, c)] = (a[c] * y_sum - t) / b;
                }
            }
            Head {
                loss: total / batch as f64,
                output,
                grad_output,
                upstream,
            }
        }
        Loss::BinaryCrossEntropy => {
            let mut total = 0.0_f64;
            for (g, (&a, &t)) in grad_output.iter_mut().zip(last.iter().zip(y.iter())) {
                let (a64, t64) = (f64::from(a), f64::from(t));
                total -= t64 * a64.ln() + (1.0 - t64) * (1.0 - a64).ln();
                *g = (a - t) / (a * (1.0 - a) * elements);
            }
            Head {
                loss: total / f64::from(elements),
                output: last.clone(),
                upstream: grad_output.clone(),
                grad_output,
            }
        }
        Loss::Mse => {
            let mut total = 0.0_f64;
            for (g, (&a, &t)) in grad_output.iter_mut().zip(last.iter().zip(y.iter())) {
                total += f64::from(a - t).powi(2);
                *g = 2.0 * (a - t) / elements;
            }
            Head {
                loss: total / f64::from(elements),
                output: last.clone(),
                upstream: grad_output.clone(),
                grad_output,
            }
        }
    }
}

/// The learnable activation parameter the case reports for this layer, as
/// (`after_one_gd_step` field, `layers` field): PReLU's α and swish-β's β. Plain swish has β
/// fixed at 1 in the cases, so nothing is reported for it.
fn reported_param(spec: &LayerSpec) -> Option<(&'static str, &'static str)> {
    match spec.name.as_str() {
        "prelu" => Some(("alpha", "dL_dalpha")),
        "swish_beta" => Some(("beta", "dL_dbeta")),
        _ => None,
    }
}

/// One layer's expected fields, read from its trace. At a softmax output (`head` given, the
/// trace's layer being the linear part) `a` and `dL_da` are the head's `softmax(z_L)` and
/// `dL/da_L`; at any other output the trace's `dL_da` is the loss gradient the backward pass
/// started from.
fn layer_fields(spec: &LayerSpec, t: &LayerTrace, head: Option<&Head>) -> Result<Value, Failure> {
    let missing = |what: &str| Failure::BadInput(format!("the trace has no {what}"));
    let z = t.pre_activation.as_ref().ok_or_else(|| missing("z"))?;
    let dz = t
        .grad_pre_activation
        .as_ref()
        .ok_or_else(|| missing("dL/dz"))?;
    let da = t.grad_output.as_ref().ok_or_else(|| missing("dL/da"))?;
    let (a, da) = match head {
        Some(h) if spec.name == "softmax" => (&h.output, &h.grad_output),
        _ => (&t.output, da),
    };
    let param = |name: &str| t.param(name).ok_or_else(|| missing(name));
    // Parameters in a trace are flat in the layer's own layout: W is column-major (out, in),
    // nalgebra's storage order.
    let dw = Matrix::from_column_slice(spec.w.nrows(), spec.w.ncols(), &param("W")?.grad);
    let mut fields = Map::new();
    fields.insert("z".into(), z.to_value());
    fields.insert("a".into(), a.to_value());
    fields.insert("dL_dz".into(), dz.to_value());
    fields.insert("dL_da".into(), da.to_value());
    fields.insert("dL_dW".into(), dw.to_value());
    fields.insert("dL_db".into(), param("b")?.grad.to_value());
    if let Some((name, field)) = reported_param(spec) {
        let grad = param(name)?.grad.first().copied().unwrap_or(f32::NAN);
        fields.insert(field.into(), grad.to_value());
    }
    Ok(Value::Object(fields))
}

/// Fails when an expected list of objects has an entry or a key the computed one lacks: the
/// comparison of objects passes keys it does not find, and a missing number must not pass. A
/// case that does not list `field` at all is left to the checker (skipped or missing).
fn require_every_field(case: &Case, field: &str, got: &Value) -> Result<(), Failure> {
    let Some(want) = case.expected.get(field) else {
        return Ok(());
    };
    let want = want
        .as_array()
        .ok_or_else(|| Failure::BadInput(format!("expected \"{field}\" is not a list")))?;
    let got = got.as_array().map_or(&[][..], Vec::as_slice);
    if want.len() != got.len() {
        return Err(Failure::BadInput(format!(
            "{field}: {} layers expected, {} computed",
            want.len(),
            got.len()
        )));
    }
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        let (Some(w), Some(g)) = (w.as_object(), g.as_object()) else {
            return Err(Failure::BadInput(format!("{field}[{i}] is not an object")));
        };
        if let Some(key) = w.keys().find(|k| !g.contains_key(*k)) {
            return Err(Failure::BadInput(format!(
                "{field}[{i}].{key}: expected but not computed"
            )));
        }
    }
    Ok(())
}
