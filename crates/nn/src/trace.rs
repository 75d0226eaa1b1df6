//! The record of a forward and backward pass that the page shows as is.
//!
//! A trace is a copy, taken on request after a pass, of what the layers already keep: the fast
//! training path never builds one. Every number the step-through view shows comes from here.

use crate::param::{Param, ParamKind};
use crate::tensor::Matrix;

/// One learnable tensor in a trace: its values and its gradient, flat in the layer's layout.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamTrace {
    /// The parameter's name within its layer ("W", "b", "alpha", …).
    pub name: &'static str,
    /// What it is.
    pub kind: ParamKind,
    /// Its values.
    pub value: Vec<f32>,
    /// `dL/dvalue`.
    pub grad: Vec<f32>,
}

/// What one layer did in the last pass.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerTrace {
    /// The layer's kind ("dense", "activation", …).
    pub kind: &'static str,
    /// For layers with a fused activation, its name.
    pub activation: Option<&'static str>,
    /// `z`, the pre-activation, where the layer has one (`batch × out`).
    pub pre_activation: Option<Matrix>,
    /// `a`, the layer's output (`batch × out`).
    pub output: Matrix,
    /// `dL/dz`, where the layer has a pre-activation.
    pub grad_pre_activation: Option<Matrix>,
    /// `dL/da`, the gradient arriving from above (filled in by the model).
    pub grad_output: Option<Matrix>,
    /// `dL/dinput`, the gradient handed to the layer below.
    pub grad_input: Matrix,
    /// The learnable tensors with their gradients.
    pub params: Vec<ParamTrace>,
}

impl LayerTrace {
    /// A trace with an output and an input gradient and nothing else yet.
    pub fn new(kind: &'static str, output: Matrix, grad_input: Matrix) -> Self {
        Self {
            kind,
            activation: None,
            pre_activation: None,
            output,
            grad_pre_activation: None,
            grad_output: None,
            grad_input,
            params: Vec::new(),
        }
    }

    /// Records a copy of a parameter and its gradient.
    pub fn push_param(&mut self, p: &Param<'_>) {
        self.params.push(ParamTrace {
            name: p.name,
            kind: p.kind,
            value: p.value.to_vec(),
            grad: p.grad.to_vec(),
        });
    }

    /// The parameter called `name`, if the layer has one.
    pub fn param(&self, name: &str) -> Option<&ParamTrace> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// A whole network's last pass: the input, then one entry per layer from input to output.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The batch that went in.
    pub input: Matrix,
    /// One record per layer.
    pub layers: Vec<LayerTrace>,
}
