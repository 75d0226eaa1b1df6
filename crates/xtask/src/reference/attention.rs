//! Adapter for the `attention` family: scaled dot-product attention given `Q`, `K`, `V`
//! ("qkv" cases) and multi-head self-attention from `X` and projection weights ("layer" cases).

use super::conv2d::nested;
use super::{Actuals, Case, Failure, Outcome};
use serde_json::Value;
use spiega_nn::layer::{
    AttentionMask, AttentionWeights, Mode, Module, MultiHeadAttention, Projection,
    scaled_dot_product_attention, scaled_dot_product_attention_backward,
};
use spiega_nn::{Matrix, Rng};

/// The allowed-mask of a case: `mask_allowed` (all true when null or absent) and, when causal
/// (not when absent), `j ≤ i`.
fn mask(case: &Case, queries: usize, keys: usize) -> Result<AttentionMask, Failure> {
    let causal = case.bool_or("causal", false)?;
    let given = if case.has("mask_allowed") {
        let bad = || Failure::BadInput("mask_allowed is not rows of true/false".into());
        let rows = case.input("mask_allowed")?.as_array().ok_or_else(bad)?;
        let mut flags = Vec::with_capacity(rows.len());
        for r in rows {
            let r = r.as_array().ok_or_else(bad)?;
            flags.push(
                r.iter()
                    .map(|v| v.as_bool().ok_or_else(bad))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Some(flags)
    } else {
        None
    };
    let rows: Vec<Vec<bool>> = (0..queries)
        .map(|i| {
            (0..keys)
                .map(|j| {
                    let allowed = given
                        .as_ref()
                        .and_then(|g| g.get(i).and_then(|r| r.get(j)).copied())
                        .unwrap_or(given.is_none());
                    allowed && (!causal || j <= i)
                })
                .collect()
        })
        .collect();
    Ok(AttentionMask::from_rows(&rows)?)
}

/// A stack of per-head matrices as an `(h, rows, cols)` nested array.
fn stack(heads: &[&Matrix]) -> Value {
    Value::Array(
        heads
            .iter()
            .map(|m| {
                let (r, c) = m.shape();
                nested(m.transpose().as_slice(), &[r, c])
            })
            .collect(),
    )
}

fn qkv(case: &Case) -> Outcome {
    let (q, k, v) = (case.matrix("Q")?, case.matrix("K")?, case.matrix("V")?);
    let mask = mask(case, q.nrows(), k.nrows())?;
    let r = scaled_dot_product_attention(&q, &k, &v, Some(&mask))?;
    let mut out = Actuals::new();
    out.put("scores", r.masked_scores.clone());
    out.put("weights", r.weights.clone());
    out.put("output", r.output.clone());
    if case.has("upstream_grad") {
        let g = case.matrix("upstream_grad")?;
        let grads = scaled_dot_product_attention_backward(&q, &k, &v, &r.weights, &g)?;
        out.put("dL_dQ", grads.dq);
        out.put("dL_dK", grads.dk);
        out.put("dL_dV", grads.dv);
    }
    Ok(out)
}

fn layer(case: &Case) -> Outcome {
    let x = case.matrix("X")?;
    let (len, d) = x.shape();
    let weights = AttentionWeights {
        wq: case.matrix("Wq")?,
        bq: case.vec("bq")?,
        wk: case.matrix("Wk")?,
        bk: case.vec("bk")?,
        wv: case.matrix("Wv")?,
        bv: case.vec("bv")?,
        wo: case.matrix("Wo")?,
        bo: case.vec("bo")?,
    };
    let heads = case.usize("num_heads")?;
    let mut att = MultiHeadAttention::from_weights(len, heads, weights, false)?;
    att.set_mask(mask(case, len, len)?)?;
    // One sample: its row is the sequence token after token, i.e. X row-major.
    let as_row = |m: &Matrix| Matrix::from_row_slice(1, m.len(), m.transpose().as_slice());
    let as_tokens = |row: &Matrix| Matrix::from_row_slice(len, d, row.as_slice());
    let input = as_row(&x);
    att.forward(&input, Mode::Train, &mut Rng::new(0))?;
    let missing = || Failure::BadInput("the sample is missing after the forward pass".into());
    let mut out = Actuals::new();
    out.put("Q", att.queries(0).ok_or_else(missing)?.into_owned());
    out.put("K", att.keys(0).ok_or_else(missing)?.into_owned());
    out.put("V", att.values(0).ok_or_else(missing)?.into_owned());
    out.put(
        "concat_heads",
        att.concat_heads(0).ok_or_else(missing)?.into_owned(),
    );
    out.put("output", as_tokens(att.output()));
    let passes: Vec<_> = (0..heads).filter_map(|h| att.head_pass(0, h)).collect();
    let scores: Vec<&Matrix> = passes.iter().map(|p| &p.masked_scores).collect();
    let weights: Vec<&Matrix> = passes.iter().map(|p| &p.weights).collect();
    out.put_value("scores", stack(&scores));
    out.put_value("attention_weights_per_head", stack(&weights));
    if case.has("upstream_grad") {
        let g = as_row(&case.matrix("upstream_grad")?);
        att.backward(&input, &g)?;
        out.put("dL_dX", as_tokens(att.grad_input()));
        out.put(
            "dL_dQ",
            att.grad_queries(0).ok_or_else(missing)?.into_owned(),
        );
        out.put("dL_dK", att.grad_keys(0).ok_or_else(missing)?.into_owned());
        out.put(
            "dL_dV",
            att.grad_values(0).ok_or_else(missing)?.into_owned(),
        );
        for (p, w, b) in [
            (Projection::Query, "dL_dWq", "dL_dbq"),
            (Projection::Key, "dL_dWk", "dL_dbk"),
            (Projection::Value, "dL_dWv", "dL_dbv"),
            (Projection::Output, "dL_dWo", "dL_dbo"),
        ] {
            out.put(w, att.projection(p).grad_weights().clone());
            out.put(b, att.projection(p).grad_biases().to_vec());
        }
    }
    Ok(out)
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    if case.has("X") {
        layer(case)
    } else if case.has("Q") {
        qkv(case)
    } else {
        Err(Failure::BadInput("neither X nor Q given".into()))
    }
}
