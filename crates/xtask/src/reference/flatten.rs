//! Adapter for the `flatten` family: the flatten layer, the shape calculator around it, and the
//! convolution output-size rule.

use super::{Actuals, Case, Failure, Outcome};
use serde_json::{Map, Value};
use spiega_nn::layer::{Flatten, Mode, Module};
use spiega_nn::shapes::{LayerSpec, Padding, conv_output_size, infer_shapes};
use spiega_nn::{Matrix, Rng, Shape};

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    if case.is("flatten/conv_output_size/") {
        return output_size(case);
    }
    let dims: Vec<usize> = case
        .ints("input_shape")?
        .into_iter()
        .map(|d| usize::try_from(d).map_err(|_| Failure::BadInput("negative size".into())))
        .collect::<Result<_, _>>()?;
    let Some((&batch, sample)) = dims.split_first() else {
        return Err(Failure::BadInput("input_shape is empty".into()));
    };
    let shape = match *sample {
        [n] => Shape::Flat(n),
        [len, dim] => Shape::Sequence { len, dim },
        [channels, height, width] => Shape::Image {
            channels,
            height,
            width,
        },
        _ => {
            return Err(Failure::Unsupported(
                "more than three axes per sample".into(),
            ));
        }
    };
    let values = case.vec("x")?;
    if values.len() != batch * shape.size() {
        return Err(Failure::BadInput("x does not have input_shape".into()));
    }
    let x = Matrix::from_row_slice(batch, shape.size(), &values);
    let mut layer = Flatten::new(shape)?;
    layer.forward(&x, Mode::Train, &mut Rng::new(0))?;
    let with_batch = |d: &[usize]| -> Value {
        let mut v = vec![batch];
        v.extend_from_slice(d);
        super::ToValue::to_value(&v)
    };
    let flat = infer_shapes(&[
        LayerSpec::Input(sample.to_vec()),
        LayerSpec::Flatten,
        LayerSpec::Dense(16),
    ])?;
    let plain = infer_shapes(&[LayerSpec::Input(sample.to_vec()), LayerSpec::Dense(16)])?;
    let (Some(flattened), Some(dense_after), Some(dense_plain)) =
        (flat.layers.get(1), flat.layers.get(2), plain.layers.get(1))
    else {
        return Err(Failure::BadInput(
            "the calculator returned too few layers".into(),
        ));
    };
    let weight = |l: &spiega_nn::shapes::LayerShape| -> Value {
        l.weight_shape
            .as_ref()
            .map_or(Value::Null, super::ToValue::to_value)
    };
    let mut shapes = Map::new();
    shapes.insert("input".into(), with_batch(sample));
    shapes.insert("flattened".into(), with_batch(&flattened.output));
    shapes.insert("dense16_after_flatten_weight".into(), weight(dense_after));
    shapes.insert(
        "dense16_after_flatten_output".into(),
        with_batch(&dense_after.output),
    );
    shapes.insert("dense16_without_flatten_weight".into(), weight(dense_plain));
    shapes.insert(
        "dense16_without_flatten_output".into(),
        with_batch(&dense_plain.output),
    );

    let mut out = Actuals::new();
    out.put("y", layer.output().clone());
    out.put_value("output_shape", with_batch(&[layer.output_shape().size()]));
    out.put_value("dense_weight_shape", weight(dense_after));
    out.put_value("shapes", Value::Object(shapes));
    Ok(out)
}

/// `conv_output_size` along one axis.
fn output_size(case: &Case) -> Outcome {
    let padding = match case.str("padding_mode")? {
        "valid" => Padding::Valid,
        "same" => Padding::Same,
        other => return Err(Failure::Unsupported(format!("padding mode {other}"))),
    };
    let (out_size, before, after) = conv_output_size(
        case.usize("in_size")?,
        case.usize("kernel")?,
        case.usize("stride")?,
        padding,
    )?;
    let mut out = Actuals::new();
    out.put("out_size", out_size);
    out.put("pad_before_after", [before, after]);
    Ok(out)
}
