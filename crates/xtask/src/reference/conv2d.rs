//! Adapter for the `conv2d` family: NCHW cross-correlation with OIHW weights, its output shape
//! and its three gradients.

use super::{Actuals, Case, Failure, Outcome, num};
use serde_json::Value;
use spiega_nn::layer::{Conv2d, ConvGeometry, Mode, Module, PadAmounts, Padding};
use spiega_nn::{Matrix, Rng, Shape};

/// A flat row-major list as a nested array of `shape` (outermost first).
pub(super) fn nested(flat: &[f32], shape: &[usize]) -> Value {
    match shape.split_first() {
        None => flat.first().map_or(Value::Null, |v| num(f64::from(*v))),
        Some((&n, rest)) => {
            let inner: usize = rest.iter().product();
            Value::Array(
                (0..n)
                    .map(|i| nested(flat.get(i * inner..(i + 1) * inner).unwrap_or(&[]), rest))
                    .collect(),
            )
        }
    }
}

/// A batch matrix (one sample per row) as its row-major values.
pub(super) fn row_major(m: &Matrix) -> Vec<f32> {
    m.transpose().as_slice().to_vec()
}

/// A 4-D input `(N, …)` as a batch matrix of `N` rows.
pub(super) fn batch(case: &Case, name: &str) -> Result<(Matrix, Vec<usize>), Failure> {
    let shape = case.shape(name)?;
    let values = case.vec(name)?;
    let n = shape.first().copied().unwrap_or(0);
    let per = shape.iter().skip(1).product::<usize>();
    if n * per != values.len() {
        return Err(Failure::BadInput(format!("input \"{name}\" is ragged")));
    }
    Ok((Matrix::from_row_slice(n, per, &values), shape))
}

/// A pair `[a, b]` input (a single number `[a]` or `a` counts for both).
pub(super) fn pair(case: &Case, name: &str) -> Result<(usize, usize), Failure> {
    let v = case.vec(name)?;
    let whole = |x: f32| x as usize;
    match v.as_slice() {
        [a] => Ok((whole(*a), whole(*a))),
        [a, b] => Ok((whole(*a), whole(*b))),
        _ => Err(Failure::BadInput(format!("input \"{name}\" is not a pair"))),
    }
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let (x, x_shape) = batch(case, "x")?;
    let [n, c, h, w] = x_shape[..] else {
        return Err(Failure::BadInput("x is not (N, C, H, W)".into()));
    };
    let w_shape = case.shape("weight")?;
    let [o, _, kh, kw] = w_shape[..] else {
        return Err(Failure::BadInput("weight is not (O, C, kh, kw)".into()));
    };
    let pads = case.vec("padding")?;
    let [top, bottom, left, right] = pads[..] else {
        return Err(Failure::BadInput("padding is not [[t, b], [l, r]]".into()));
    };
    let recorded = PadAmounts {
        top: top as usize,
        bottom: bottom as usize,
        left: left as usize,
        right: right as usize,
    };
    let padding = match case.str("padding_mode")? {
        "valid" => Padding::Valid,
        "same" => Padding::Same,
        _ => Padding::Explicit(recorded),
    };
    let input = Shape::Image {
        channels: c,
        height: h,
        width: w,
    };
    let geometry = ConvGeometry::new(input, o, (kh, kw), pair(case, "stride")?, padding)?;
    if geometry.padding() != recorded {
        return Err(Failure::BadInput(format!(
            "the engine pads {:?}, the case records {recorded:?}",
            geometry.padding()
        )));
    }
    let mut layer = Conv2d::from_weights(geometry, &case.vec("weight")?, &case.vec("bias")?)?;
    layer.forward(&x, Mode::Train, &mut Rng::new(0))?;
    let (ho, wo) = (geometry.out_height(), geometry.out_width());
    let mut out = Actuals::new();
    out.put("output_shape", vec![n, o, ho, wo]);
    out.put_value("y", nested(&row_major(layer.output()), &[n, o, ho, wo]));
    if case.has("upstream_grad") {
        let (g, _) = batch(case, "upstream_grad")?;
        layer.backward(&x, &g)?;
        out.put("dL_dbias", layer.grad_bias().to_vec());
        out.put_value("dL_dweight", nested(layer.grad_weights_oihw(), &w_shape));
        out.put_value("dL_dx", nested(&row_major(layer.grad_input()), &x_shape));
    }
    Ok(out)
}
