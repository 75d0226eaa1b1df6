//! Adapter for the `pooling` family: max and average pooling, NCHW, no padding, with the
//! positions of the maxima.

use super::conv2d::{batch, nested, pair, row_major};
use super::{Actuals, Case, Failure, Outcome};
use serde_json::Value;
use spiega_nn::layer::{Mode, Module, Pool2d, PoolKind};
use spiega_nn::{Rng, Shape};

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let kind = if case.is("pool/max") {
        PoolKind::Max
    } else if case.is("pool/avg") {
        PoolKind::Average
    } else {
        return Err(Failure::Unsupported(format!(
            "{}: unknown pooling",
            case.kind
        )));
    };
    let (x, x_shape) = batch(case, "x")?;
    let [n, c, h, w] = x_shape[..] else {
        return Err(Failure::BadInput("x is not (N, C, H, W)".into()));
    };
    let input = Shape::Image {
        channels: c,
        height: h,
        width: w,
    };
    let mut layer = Pool2d::new(
        kind,
        input,
        pair(case, "kernel_size")?,
        pair(case, "stride")?,
    )?;
    layer.forward(&x, Mode::Train, &mut Rng::new(0))?;
    let g = layer.geometry();
    let out_shape = [n, c, g.out_height(), g.out_width()];
    let mut out = Actuals::new();
    out.put("output_shape", out_shape.to_vec());
    out.put_value("y", nested(&row_major(layer.output()), &out_shape));
    if kind == PoolKind::Max {
        let mut samples = Vec::with_capacity(n);
        for s in 0..n {
            let positions = layer
                .argmax_positions(s)
                .ok_or_else(|| Failure::BadInput("no maxima recorded".into()))?;
            let flat: Vec<Value> = positions
                .iter()
                .map(|&(r, col)| Value::Array(vec![Value::from(r), Value::from(col)]))
                .collect();
            let per_row = g.out_width();
            let rows: Vec<Value> = flat
                .chunks(per_row.max(1))
                .map(|r| Value::Array(r.to_vec()))
                .collect();
            let channels: Vec<Value> = rows
                .chunks(g.out_height().max(1))
                .map(|ch| Value::Array(ch.to_vec()))
                .collect();
            samples.push(Value::Array(channels));
        }
        out.put_value("argmax_positions_row_col", Value::Array(samples));
    }
    if case.has("upstream_grad") {
        let (grad, _) = batch(case, "upstream_grad")?;
        layer.backward(&x, &grad)?;
        out.put_value("dL_dx", nested(&row_major(layer.grad_input()), &x_shape));
    }
    Ok(out)
}
