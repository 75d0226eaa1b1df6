//! A layer's learnable tensors as the rest of the library sees them: what layers hand to
//! optimizers, regularisation and traces. It knows no layer, model or trace; they build on it
//! (and the layer module re-exports both types).

/// What a parameter is, so regularisation can tell weights (penalised) from biases (not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A connection weight or filter: regularisation and pruning apply.
    Weight,
    /// A bias or shift: left alone by regularisation.
    Bias,
    /// Another learnable number (PReLU's α, swish's β, batch-norm's γ): left alone by regularisation.
    Other,
}

/// One learnable tensor of a layer, flat, with its gradient from the last backward pass.
pub struct Param<'a> {
    /// Its name within the layer, e.g. "W", "b", "alpha".
    pub name: &'static str,
    /// What it is, for regularisation.
    pub kind: ParamKind,
    /// Its values (the layout is the layer's own; optimizers treat it element-wise).
    pub value: &'a mut [f32],
    /// `dL/dvalue`, the same length as `value`.
    pub grad: &'a [f32],
}
