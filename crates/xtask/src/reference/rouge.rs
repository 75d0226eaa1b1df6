//! Adapter for the `rouge` family: ROUGE-1, ROUGE-2 and ROUGE-L with rouge-score's tokenizer.

use super::{Actuals, Case, Outcome};
use serde_json::{Value, json};
use spiega_nn::metrics::rouge::{self, RougeScore};

/// `{precision, recall, fmeasure}`.
fn score(s: &RougeScore) -> Value {
    json!({"precision": s.precision, "recall": s.recall, "fmeasure": s.fmeasure})
}

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let r = rouge::rouge(
        case.str("prediction")?,
        case.str("target")?,
        // rouge-score's `RougeScorer(use_stemmer=False)` default.
        case.bool_or("use_stemmer", false)?,
    )?;
    let tokens = |t: &[String]| Value::Array(t.iter().map(|s| Value::from(s.as_str())).collect());
    let mut out = Actuals::new();
    out.put_value("prediction_tokens", tokens(&r.prediction_tokens))
        .put_value("target_tokens", tokens(&r.target_tokens))
        .put_value("rouge1", score(&r.rouge1))
        .put_value("rouge2", score(&r.rouge2))
        .put_value("rougeL", score(&r.rouge_l));
    Ok(out)
}
