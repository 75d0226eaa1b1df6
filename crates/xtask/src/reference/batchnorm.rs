//! Adapter for the `batchnorm` family: one training step (batch statistics, output, gradients,
//! running statistics) and one inference pass on the initial running statistics.

use super::{Actuals, Case, Failure, Outcome};
use serde_json::Value;
use spiega_nn::Rng;
use spiega_nn::Shape;
use spiega_nn::layer::{BatchNorm, Mode, Module};

/// Computes one case.
pub fn run(case: &Case) -> Outcome {
    let x = case.matrix("x")?;
    if case.shape("x")?.len() != 2 {
        return Err(Failure::BadInput("x must be (batch, features)".into()));
    }
    let g = case.matrix("upstream_grad")?;
    let x_infer = case.matrix("x_infer")?;
    let mut layer = BatchNorm::new(Shape::Flat(x.ncols()))?;
    // FORMAT.md's batch norm: ε = 1e-5, running statistics take 0.1 of the new batch.
    layer.set_eps(case.f64_or("eps", 1e-5)? as f32)?;
    layer.set_momentum(case.f64_or("momentum", 0.1)? as f32)?;
    layer.set_gamma(&case.vec("gamma")?)?;
    layer.set_beta(&case.vec("beta")?)?;
    layer.set_running_stats(
        &case.vec("running_mean_init")?,
        &case.vec("running_var_init")?,
    )?;
    // Inference uses the running statistics given as inputs, so it runs on a copy made first.
    let mut inference = layer.clone();
    let mut rng = Rng::new(0);
    let mut out = Actuals::new();

    layer.forward(&x, Mode::Train, &mut rng)?;
    layer.backward(&x, &g)?;
    out.put("batch_mean", layer.batch_mean().to_vec());
    out.put("batch_var_biased", layer.batch_var().to_vec());
    out.put("x_hat", layer.x_hat().clone());
    out.put("y", layer.output().clone());
    out.put("dL_dx", layer.grad_input().clone());
    out.put("dL_dgamma", layer.grad_gamma().to_vec());
    out.put("dL_dbeta", layer.grad_beta().to_vec());
    out.put("running_mean_after", layer.running_mean().to_vec());
    out.put(
        "running_var_after_biased",
        layer.running_var_biased().to_vec(),
    );
    // With one value per feature the unbiased variance is undefined: the engine falls back to
    // keeping its unbiased running variance, which is not PyTorch's rule, so both are null here.
    match layer.batch_var_unbiased() {
        Some(v) => {
            out.put("batch_var_unbiased", v.to_vec());
            out.put(
                "running_var_after_pytorch_unbiased",
                layer.running_var_unbiased().to_vec(),
            );
        }
        None => {
            out.put_value("batch_var_unbiased", Value::Null);
            out.put_value("running_var_after_pytorch_unbiased", Value::Null);
        }
    }

    inference.forward(&x_infer, Mode::Eval, &mut rng)?;
    out.put("inference_y", inference.output().clone());
    inference.backward(&x_infer, &g)?;
    out.put("inference_dL_dx", inference.grad_input().clone());
    Ok(out)
}
