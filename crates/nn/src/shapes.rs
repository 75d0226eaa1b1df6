//! The layer-shape calculator: what shape comes out of each layer of a Keras-like stack, and how
//! many parameters each layer has, without building the network.
//!
//! Shapes leave out the batch dimension, as Keras's `Input(shape=…)` does. Images are
//! channels-last here, `(height, width, channels)`, as in Keras (the engine's own layers store an
//! image channel-major; the sizes are the same either way). A dense layer acts on the last axis
//! only, so `Input(5, 3) → Dense(16)` gives `(5, 16)` with `3·16 + 16 = 64` parameters, while
//! `Input(5, 3) → Flatten → Dense(16)` gives `(15)` and then `(16)` with `15·16 + 16 = 256`.
//!
//! [`conv_output_size`] is the one formula for a convolution's or a pooling's output length
//! along an axis, with TensorFlow's "same" padding rule.

use crate::error::{EngineError, Result};

/// How a convolution or pooling window is padded along an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// No padding: windows lie entirely inside the input.
    Valid,
    /// TensorFlow's "same": `out = ⌈in / stride⌉`, padded with
    /// `max((out − 1)·stride + k − in, 0)` zeros, the odd one at the bottom/right.
    Same,
    /// Exactly this many zeros before and after.
    Explicit {
        /// Zeros before (top/left).
        before: usize,
        /// Zeros after (bottom/right).
        after: usize,
    },
}

impl std::fmt::Display for Padding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Padding::Valid => write!(f, "valid"),
            Padding::Same => write!(f, "same"),
            Padding::Explicit { before, after } => write!(f, "pad {before}+{after}"),
        }
    }
}

/// The output length of a window of `kernel` moved by `stride` along an input of length `input`,
/// with its padding: returns `(out, pad_before, pad_after)` where
/// `out = ⌊(input + pad_before + pad_after − kernel) / stride⌋ + 1`.
///
/// For [`Padding::Same`] (TensorFlow's rule) `out = ⌈input / stride⌉` and
/// `pad_total = max((out − 1)·stride + kernel − input, 0)`, split as
/// `pad_before = ⌊pad_total / 2⌋`, `pad_after = pad_total − pad_before` (the odd extra pixel
/// goes at the bottom/right). Errors when a size or the stride is 0, or when the window is
/// larger than the padded input.
pub fn conv_output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: Padding,
) -> Result<(usize, usize, usize)> {
    if input == 0 || kernel == 0 || stride == 0 {
        return Err(EngineError::Invalid(format!(
            "input size, kernel and stride must all be at least 1, got input {input}, kernel \
             {kernel}, stride {stride}"
        )));
    }
    let (before, after) = match padding {
        Padding::Valid => (0, 0),
        Padding::Explicit { before, after } => (before, after),
        Padding::Same => {
            let out = input.div_ceil(stride);
            let total =
                ((out - 1).saturating_mul(stride).saturating_add(kernel)).saturating_sub(input);
            (total / 2, total - total / 2)
        }
    };
    let padded = input.saturating_add(before).saturating_add(after);
    if kernel > padded {
        return Err(EngineError::Invalid(format!(
            "a window of {kernel} does not fit in an input of {input} padded to {padded}"
        )));
    }
    Ok(((padded - kernel) / stride + 1, before, after))
}

/// One layer of a Keras-like stack for the shape calculator.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerSpec {
    /// The input, with the shape of one sample (no batch dimension); must come first, once.
    Input(Vec<usize>),
    /// A fully connected layer of this many units, acting on the last axis.
    Dense(usize),
    /// Flattens everything into one axis.
    Flatten,
    /// A 2-D convolution on `(height, width, channels)` with square kernels.
    Conv2d {
        /// Number of filters (output channels).
        filters: usize,
        /// Kernel side.
        kernel: usize,
        /// Step between windows.
        stride: usize,
        /// Padding rule.
        padding: Padding,
    },
    /// Max pooling on `(height, width, channels)` with a square window.
    MaxPool {
        /// Window side.
        kernel: usize,
        /// Step between windows.
        stride: usize,
        /// Padding rule (Keras's default is valid).
        padding: Padding,
    },
    /// Average pooling on `(height, width, channels)` with a square window.
    AvgPool {
        /// Window side.
        kernel: usize,
        /// Step between windows.
        stride: usize,
        /// Padding rule (Keras's default is valid).
        padding: Padding,
    },
    /// Dropout with this drop probability in `[0, 1]`; keeps the shape, no parameters.
    Dropout(f32),
}

impl std::fmt::Display for LayerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerSpec::Input(dims) => write!(f, "input{}", format_shape(dims)),
            LayerSpec::Dense(n) => write!(f, "dense({n})"),
            LayerSpec::Flatten => write!(f, "flatten"),
            LayerSpec::Conv2d {
                filters,
                kernel,
                stride,
                padding,
            } => write!(
                f,
                "conv2d({filters}, {kernel}×{kernel}, stride {stride}, {padding})"
            ),
            LayerSpec::MaxPool {
                kernel,
                stride,
                padding,
            } => write!(f, "maxpool({kernel}×{kernel}, stride {stride}, {padding})"),
            LayerSpec::AvgPool {
                kernel,
                stride,
                padding,
            } => write!(f, "avgpool({kernel}×{kernel}, stride {stride}, {padding})"),
            LayerSpec::Dropout(p) => write!(f, "dropout({p})"),
        }
    }
}

/// Writes a shape as `(5, 16)`, or `(15)` for one axis.
pub fn format_shape(dims: &[usize]) -> String {
    let inner: Vec<String> = dims.iter().map(usize::to_string).collect();
    format!("({})", inner.join(", "))
}

/// One row of the calculator's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerShape {
    /// The layer as written, e.g. `dense(16)`.
    pub label: String,
    /// The shape of one output sample (no batch dimension).
    pub output: Vec<usize>,
    /// Its number of learnable parameters.
    pub params: usize,
    /// The shape of its weight tensor in the engine's layout, `None` for a layer without one:
    /// dense `(units, inputs)`, as `W` in `y = W x + b`; conv2d `(filters, channels, k, k)`
    /// (OIHW). The bias adds one parameter per unit or filter.
    pub weight_shape: Option<Vec<usize>>,
}

/// The calculator's answer for a whole stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeReport {
    /// One row per layer of the stack, the input first.
    pub layers: Vec<LayerShape>,
    /// The sum of the layers' parameters.
    pub total_params: usize,
}

/// Runs the shapes through `stack` (which must start with its one [`LayerSpec::Input`]).
///
/// Errors name the first layer that does not fit, by its position in the stack (counting the
/// input as layer 1) and its label, e.g. "layer 3, conv2d(8, 3×3, stride 1, valid): …".
pub fn infer_shapes(stack: &[LayerSpec]) -> Result<ShapeReport> {
    let Some(LayerSpec::Input(dims)) = stack.first() else {
        return Err(EngineError::Invalid(
            "a layer stack must start with its input".to_owned(),
        ));
    };
    if dims.is_empty() || dims.contains(&0) {
        return Err(fail(
            0,
            &stack[0],
            "the input needs at least one axis, and every size must be at least 1",
        ));
    }
    let mut shape = dims.clone();
    let mut layers = vec![LayerShape {
        label: stack[0].to_string(),
        output: shape.clone(),
        params: 0,
        weight_shape: None,
    }];
    let mut total: usize = 0;
    for (i, spec) in stack.iter().enumerate().skip(1) {
        let (params, weight_shape) =
            step(&mut shape, spec).map_err(|reason| fail(i, spec, &reason))?;
        total = total
            .checked_add(params)
            .ok_or_else(|| fail(i, spec, "the parameter count is too large"))?;
        layers.push(LayerShape {
            label: spec.to_string(),
            output: shape.clone(),
            params,
            weight_shape,
        });
    }
    Ok(ShapeReport {
        layers,
        total_params: total,
    })
}

fn fail(index: usize, spec: &LayerSpec, reason: &str) -> EngineError {
    EngineError::Invalid(format!("layer {}, {spec}: {reason}", index + 1))
}

fn too_large() -> String {
    "the sizes are too large".to_owned()
}

/// Applies one layer to `shape` in place and returns its parameter count and weight shape, or
/// why it cannot.
fn step(
    shape: &mut Vec<usize>,
    spec: &LayerSpec,
) -> std::result::Result<(usize, Option<Vec<usize>>), String> {
    match *spec {
        LayerSpec::Input(_) => Err("only the first layer can be an input".to_owned()),
        LayerSpec::Dense(units) => {
            if units == 0 {
                return Err("a dense layer needs at least one unit".to_owned());
            }
            let Some(last) = shape.last_mut() else {
                return Err("a dense layer needs an input with at least one axis".to_owned());
            };
            let fan_in = *last;
            *last = units;
            let params = fan_in
                .checked_mul(units)
                .and_then(|w| w.checked_add(units))
                .ok_or_else(too_large)?;
            Ok((params, Some(vec![units, fan_in])))
        }
        LayerSpec::Flatten => {
            let n = shape
                .iter()
                .try_fold(1_usize, |acc, &d| acc.checked_mul(d))
                .ok_or_else(too_large)?;
            *shape = vec![n];
            Ok((0, None))
        }
        LayerSpec::Conv2d {
            filters,
            kernel,
            stride,
            padding,
        } => {
            if filters == 0 {
                return Err("a convolution needs at least one filter".to_owned());
            }
            let channels = spatial(shape, kernel, stride, padding, "a convolution")?;
            if let Some(c) = shape.last_mut() {
                *c = filters;
            }
            let params = kernel
                .checked_mul(kernel)
                .and_then(|k| k.checked_mul(channels))
                .and_then(|k| k.checked_mul(filters))
                .and_then(|w| w.checked_add(filters))
                .ok_or_else(too_large)?;
            Ok((params, Some(vec![filters, channels, kernel, kernel])))
        }
        LayerSpec::MaxPool {
            kernel,
            stride,
            padding,
        }
        | LayerSpec::AvgPool {
            kernel,
            stride,
            padding,
        } => {
            spatial(shape, kernel, stride, padding, "pooling")?;
            Ok((0, None))
        }
        LayerSpec::Dropout(p) => {
            if p.is_finite() && (0.0..=1.0).contains(&p) {
                Ok((0, None))
            } else {
                Err(format!("the drop probability must be in [0, 1], got {p}"))
            }
        }
    }
}

/// Replaces the height and width of a `(height, width, channels)` shape by a window's output
/// sizes and returns the channels.
fn spatial(
    shape: &mut [usize],
    kernel: usize,
    stride: usize,
    padding: Padding,
    what: &str,
) -> std::result::Result<usize, String> {
    let &mut [h, w, c] = shape else {
        return Err(format!(
            "{what} needs a (height, width, channels) input, got {}",
            format_shape(shape)
        ));
    };
    let (out_h, _, _) = conv_output_size(h, kernel, stride, padding)
        .map_err(|e| format!("along the height, {e}"))?;
    let (out_w, _, _) = conv_output_size(w, kernel, stride, padding)
        .map_err(|e| format!("along the width, {e}"))?;
    shape[0] = out_h;
    shape[1] = out_w;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn outputs(stack: &[LayerSpec]) -> Vec<(Vec<usize>, usize)> {
        infer_shapes(stack)
            .unwrap()
            .layers
            .into_iter()
            .map(|l| (l.output, l.params))
            .collect()
    }

    #[test]
    fn the_authors_two_examples() {
        // Dense on the last axis: (5, 3) → (5, 16), 3·16 + 16 = 64 parameters.
        let report = infer_shapes(&[LayerSpec::Input(vec![5, 3]), LayerSpec::Dense(16)]).unwrap();
        assert_eq!(report.layers[1].output, vec![5, 16]);
        assert_eq!(report.layers[1].params, 64);
        assert_eq!(report.layers[1].label, "dense(16)");
        assert_eq!(report.layers[1].weight_shape, Some(vec![16, 3]));
        assert_eq!(format_shape(&report.layers[1].output), "(5, 16)");
        // Flatten first: (5, 3) → (15) → (16), 15·16 + 16 = 256 parameters.
        let got = outputs(&[
            LayerSpec::Input(vec![5, 3]),
            LayerSpec::Flatten,
            LayerSpec::Dense(16),
        ]);
        assert_eq!(got, vec![(vec![5, 3], 0), (vec![15], 0), (vec![16], 256)]);
    }

    #[test]
    fn a_small_convolutional_network() {
        // 28×28×1 → conv 8 3×3 valid → 26×26×8 (3·3·1·8 + 8 = 80) → maxpool 2 → 13×13×8
        // → conv 16 3×3 same stride 2 → 7×7×16 (3·3·8·16 + 16 = 1168) → flatten 784
        // → dropout → dense 10 (784·10 + 10 = 7850).
        let report = infer_shapes(&[
            LayerSpec::Input(vec![28, 28, 1]),
            LayerSpec::Conv2d {
                filters: 8,
                kernel: 3,
                stride: 1,
                padding: Padding::Valid,
            },
            LayerSpec::MaxPool {
                kernel: 2,
                stride: 2,
                padding: Padding::Valid,
            },
            LayerSpec::Conv2d {
                filters: 16,
                kernel: 3,
                stride: 2,
                padding: Padding::Same,
            },
            LayerSpec::Flatten,
            LayerSpec::Dropout(0.5),
            LayerSpec::Dense(10),
        ])
        .unwrap();
        let shapes: Vec<_> = report.layers.iter().map(|l| l.output.clone()).collect();
        assert_eq!(
            shapes,
            vec![
                vec![28, 28, 1],
                vec![26, 26, 8],
                vec![13, 13, 8],
                vec![7, 7, 16],
                vec![784],
                vec![784],
                vec![10]
            ]
        );
        assert_eq!(report.total_params, 80 + 1168 + 7850);
        assert_eq!(report.layers[3].weight_shape, Some(vec![16, 8, 3, 3]));
        assert_eq!(report.layers[6].weight_shape, Some(vec![10, 784]));
        assert_eq!(report.layers[2].weight_shape, None);
    }

    #[test]
    fn conv_output_sizes() {
        // Valid: ⌊(7 − 3)/2⌋ + 1 = 3.
        assert_eq!(
            conv_output_size(7, 3, 2, Padding::Valid).unwrap(),
            (3, 0, 0)
        );
        // Same, stride 1, k = 3: out 5, pad total 2 → 1 + 1.
        assert_eq!(conv_output_size(5, 3, 1, Padding::Same).unwrap(), (5, 1, 1));
        // Same, in 6, k 3, stride 2: out 3, pad total (3 − 1)·2 + 3 − 6 = 1 → 0 before, 1 after.
        assert_eq!(conv_output_size(6, 3, 2, Padding::Same).unwrap(), (3, 0, 1));
        // Same, k = 2, stride 1: pad total 1, the extra pixel at the end.
        assert_eq!(conv_output_size(4, 2, 1, Padding::Same).unwrap(), (4, 0, 1));
        // Same never pads negatively: in 5, k 1, stride 3 → out 2, pad max(3 + 1 − 5, 0) = 0.
        assert_eq!(conv_output_size(5, 1, 3, Padding::Same).unwrap(), (2, 0, 0));
        // Explicit: ⌊(5 + 1 + 2 − 3)/1⌋ + 1 = 6.
        let explicit = Padding::Explicit {
            before: 1,
            after: 2,
        };
        assert_eq!(conv_output_size(5, 3, 1, explicit).unwrap(), (6, 1, 2));
        assert!(conv_output_size(2, 3, 1, Padding::Valid).is_err());
        assert!(conv_output_size(5, 3, 0, Padding::Same).is_err());
        assert!(conv_output_size(0, 1, 1, Padding::Valid).is_err());
        // Same padding makes any kernel fit: in 2, k 5 → out 2, pad (2 − 1)·1 + 5 − 2 = 4 → 2 + 2.
        assert_eq!(conv_output_size(2, 5, 1, Padding::Same).unwrap(), (2, 2, 2));
        // An odd total: in 3, k 4, stride 1 → out 3, pad 2 + 4 − 3 = 3 → 1 before, 2 after.
        assert_eq!(conv_output_size(3, 4, 1, Padding::Same).unwrap(), (3, 1, 2));
    }

    #[test]
    fn errors_name_the_first_layer_that_does_not_fit() {
        let err = infer_shapes(&[
            LayerSpec::Input(vec![5, 3]),
            LayerSpec::Flatten,
            LayerSpec::Conv2d {
                filters: 4,
                kernel: 3,
                stride: 1,
                padding: Padding::Valid,
            },
            LayerSpec::Dense(0),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("layer 3, conv2d(4, 3×3"), "{err}");
        assert!(err.contains("(15)"), "{err}");
        let err = infer_shapes(&[
            LayerSpec::Input(vec![4, 4, 1]),
            LayerSpec::MaxPool {
                kernel: 5,
                stride: 1,
                padding: Padding::Valid,
            },
        ])
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("layer 2, maxpool"), "{err}");
        assert!(infer_shapes(&[]).is_err());
        assert!(infer_shapes(&[LayerSpec::Dense(3)]).is_err());
        assert!(infer_shapes(&[LayerSpec::Input(vec![2, 0])]).is_err());
        let twice = [LayerSpec::Input(vec![2]), LayerSpec::Input(vec![2])];
        assert!(
            infer_shapes(&twice)
                .unwrap_err()
                .to_string()
                .contains("layer 2")
        );
        // Rates from 0 to 1 inclusive are accepted, as by the dropout layer.
        let drop = [LayerSpec::Input(vec![2]), LayerSpec::Dropout(1.5)];
        assert!(infer_shapes(&drop).is_err());
        let drop_all = [LayerSpec::Input(vec![2]), LayerSpec::Dropout(1.0)];
        assert!(infer_shapes(&drop_all).is_ok());
        let huge = [LayerSpec::Input(vec![usize::MAX, 2]), LayerSpec::Flatten];
        assert!(infer_shapes(&huge).is_err());
    }

    fn any_padding() -> impl Strategy<Value = Padding> {
        prop_oneof![
            Just(Padding::Valid),
            Just(Padding::Same),
            (0usize..4, 0usize..4).prop_map(|(before, after)| Padding::Explicit { before, after }),
        ]
    }

    fn any_spec() -> impl Strategy<Value = LayerSpec> {
        prop_oneof![
            proptest::collection::vec(0usize..9, 0..4).prop_map(LayerSpec::Input),
            (0usize..9).prop_map(LayerSpec::Dense),
            Just(LayerSpec::Flatten),
            (0usize..5, 0usize..5, 0usize..4, any_padding()).prop_map(|(f, k, s, p)| {
                LayerSpec::Conv2d {
                    filters: f,
                    kernel: k,
                    stride: s,
                    padding: p,
                }
            }),
            (0usize..5, 0usize..4, any_padding()).prop_map(|(k, s, p)| LayerSpec::MaxPool {
                kernel: k,
                stride: s,
                padding: p,
            }),
            (0usize..5, 0usize..4, any_padding()).prop_map(|(k, s, p)| LayerSpec::AvgPool {
                kernel: k,
                stride: s,
                padding: p,
            }),
            prop_oneof![-1.0f32..2.0, Just(f32::NAN)].prop_map(LayerSpec::Dropout),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(
            stack in proptest::collection::vec(any_spec(), 0..6),
            big in prop_oneof![Just(usize::MAX), 0usize..10],
            k in 0usize..10,
            s in prop_oneof![Just(usize::MAX), 0usize..4],
            padding in any_padding(),
        ) {
            let _ = infer_shapes(&stack);
            let _ = conv_output_size(big, k, s, padding);
            let mut with_input = vec![LayerSpec::Input(vec![big, 3, 2])];
            with_input.extend(stack);
            let _ = infer_shapes(&with_input);
        }
    }
}
