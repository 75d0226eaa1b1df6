//! Layers: each transforms a batch (one sample per row) forward and its gradient backward.
//!
//! Every layer implements [`Module`]. A layer owns its output and input-gradient buffers, so a
//! training step reuses memory instead of allocating, and so the last pass stays readable for the
//! page's trace. The model passes each layer its input again on the way back instead of the layer
//! keeping a copy.

pub mod activation;
pub mod attention;
pub mod batch_norm;
pub mod conv2d;
pub mod conv_geometry;
pub mod dense;
pub mod dropout;
pub mod embedding;
pub mod flatten;
pub mod layer_norm;
pub mod pool;
#[cfg(test)]
mod testing;
pub mod token_dense;

use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape};
use crate::trace::LayerTrace;

pub use crate::param::{Param, ParamKind};
pub use activation::ActivationLayer;
pub use attention::{
    AttentionGradients, AttentionMask, AttentionResult, AttentionWeights, HeadPass,
    MultiHeadAttention, Projection, scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
};
pub use batch_norm::{BatchNorm, RunningVariance};
pub use conv_geometry::{
    AxisGeometry, AxisPadding, ConvGeometry, PadAmounts, Padding, axis_geometry,
};
pub use conv2d::{Conv2d, ImageConvolution, convolve_image};
pub use dense::{Dense, Init};
pub use dropout::Dropout;
pub use embedding::{Embedding, PositionEmbedding};
pub use flatten::Flatten;
pub use layer_norm::LayerNorm;
pub use pool::{Pool2d, PoolKind};
pub use token_dense::{TokenDense, batch_from_tokens, tokens_from_batch};

/// Whether a pass is for training (dropout active, batch statistics) or evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Training: dropout drops, batch normalization uses and updates batch statistics.
    Train,
    /// Evaluation: dropout passes through, batch normalization uses its running statistics.
    Eval,
}

/// Lets a boxed layer be cloned and downcast to its concrete type; implemented for every
/// `Module + Clone` automatically, so layers never write it by hand.
pub trait ModuleBase {
    /// A boxed copy of the layer.
    fn clone_box(&self) -> Box<dyn Module>;
    /// The layer as `Any`, to downcast (`as_any().downcast_ref::<Dense>()`).
    fn as_any(&self) -> &dyn std::any::Any;
    /// The layer as mutable `Any`.
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

impl<T: Module + Clone + 'static> ModuleBase for T {
    fn clone_box(&self) -> Box<dyn Module> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

impl Clone for Box<dyn Module> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// The interface every layer implements (with `#[derive(Clone, Debug)]` on the layer type).
pub trait Module: ModuleBase + std::fmt::Debug {
    /// A short name for the page, e.g. "dense".
    fn kind(&self) -> &'static str;

    /// The shape of one input sample.
    fn input_shape(&self) -> Shape;

    /// The shape of one output sample.
    fn output_shape(&self) -> Shape;

    /// Computes the output for a batch `input` (`batch × input_shape.size()`), keeping what
    /// backward needs. `rng` is used only by layers that sample (dropout in training).
    fn forward(&mut self, input: &Matrix, mode: Mode, rng: &mut Rng) -> Result<()>;

    /// The output of the last forward pass (`batch × output_shape.size()`).
    fn output(&self) -> &Matrix;

    /// Given the same `input` as the last forward pass and `grad_output = dL/doutput`, computes
    /// the parameter gradients (overwriting the previous ones) and `dL/dinput`.
    fn backward(&mut self, input: &Matrix, grad_output: &Matrix) -> Result<()>;

    /// `dL/dinput` from the last backward pass (empty when the layer was told it is not needed).
    fn grad_input(&self) -> &Matrix;

    /// Tells the layer whether `backward` must compute `dL/dinput`. A model's first layer does
    /// not need it to train (nothing lies before it), and for a wide first layer it is a third
    /// of the backward pass. Layers that always compute it ignore this; by default it is needed.
    fn set_input_gradient(&mut self, needed: bool) {
        let _ = needed;
    }

    /// Calls `f` on each learnable tensor in a fixed order (none by default).
    fn visit_params(&mut self, f: &mut dyn FnMut(Param<'_>)) {
        let _ = f;
    }

    /// The number of learnable numbers.
    fn param_count(&mut self) -> usize {
        let mut n = 0;
        self.visit_params(&mut |p| n += p.value.len());
        n
    }

    /// A copy of the last pass for the page to show. The default records the output, the input
    /// gradient and the parameters; layers with more to show (dense: `z`, `dL/dz`) add it.
    fn trace(&mut self) -> LayerTrace {
        let mut t = LayerTrace::new(
            self.kind(),
            self.output().clone(),
            self.grad_input().clone(),
        );
        self.visit_params(&mut |p| t.push_param(&p));
        t
    }
}
