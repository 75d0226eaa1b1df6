//! A sequential network: layers applied in order, backpropagated in reverse.

use crate::activation::Activation;
use crate::error::{EngineError, Result};
use crate::layer::{
    ActivationLayer, Conv2d, ConvGeometry, Dense, Flatten, Init, Mode, Module, PadAmounts, Padding,
    Param, Pool2d, PoolKind,
};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_cols};
use crate::trace::Trace;

/// Layers applied one after another: `a_0 = x`, `a_i = layer_i(a_{i−1})`.
///
/// Each layer keeps its own output and gradient buffers, so repeated steps with the same batch
/// size allocate nothing. Parameters are numbered in a fixed order ("slots"), layer by layer,
/// which is how optimizers key their per-parameter state.
#[derive(Debug, Clone)]
pub struct Sequential {
    input_shape: Shape,
    layers: Vec<Box<dyn Module>>,
}

impl Sequential {
    /// The small convolutional classifier of the digits: a 3×3 convolution with `maps` maps,
    /// stride 1 and padding 1 on a one-channel `side × side` image, ReLU, 2×2 max-pooling with
    /// stride 2, flattening, and a linear dense layer to `classes` scores.
    ///
    /// The convolution's weights are drawn first (Glorot) from `rng`; then `dense(pooled, classes,
    /// rng)` makes the last layer from the pooled shape `(maps, side/2, side/2)`, so a caller
    /// chooses how its weights are drawn.
    ///
    /// # Shapes
    /// Input `(B, side·side)`; convolution `(B, maps·side·side)`; pooled and flattened
    /// `(B, maps·(side/2)²)`; output `(B, classes)`.
    pub fn conv_classifier(
        side: usize,
        maps: usize,
        classes: usize,
        rng: &mut Rng,
        dense: impl FnOnce(Shape, usize, &mut Rng) -> Result<Dense>,
    ) -> Result<Self> {
        let image = Shape::Image {
            channels: 1,
            height: side,
            width: side,
        };
        let pad = PadAmounts {
            top: 1,
            bottom: 1,
            left: 1,
            right: 1,
        };
        let geometry = ConvGeometry::new(image, maps, (3, 3), (1, 1), Padding::Explicit(pad))?;
        let conv = Conv2d::new(geometry, Init::Glorot, rng)?;
        let conv_maps = geometry.output_shape();
        let pool = Pool2d::new(PoolKind::Max, conv_maps, (2, 2), (2, 2))?;
        let pooled = pool.geometry().output_shape();
        let dense = dense(pooled, classes, rng)?;
        let mut model = Sequential::new(image);
        model
            .push(conv)?
            .push(ActivationLayer::new(conv_maps, Activation::Relu))?
            .push(pool)?
            .push(Flatten::new(pooled)?)?
            .push(dense)?;
        Ok(model)
    }
}

impl Sequential {
    /// An empty network taking samples of `input_shape`.
    pub fn new(input_shape: Shape) -> Self {
        Self {
            input_shape,
            layers: Vec::new(),
        }
    }

    /// Appends a layer, checking that its input size equals the current output size.
    pub fn push(&mut self, layer: impl Module + 'static) -> Result<&mut Self> {
        let have = self.output_shape();
        let want = layer.input_shape();
        if have.size() != want.size() {
            return Err(EngineError::ShapeMismatch {
                what: format!(
                    "input of layer {} ({})",
                    self.layers.len() + 1,
                    layer.kind()
                ),
                expected: have.to_string(),
                got: want.to_string(),
            });
        }
        self.layers.push(Box::new(layer));
        Ok(self)
    }

    /// The shape of one input sample.
    pub fn input_shape(&self) -> Shape {
        self.input_shape
    }

    /// The shape of one output sample (the input shape when there are no layers).
    pub fn output_shape(&self) -> Shape {
        self.layers
            .last()
            .map_or(self.input_shape, |l| l.output_shape())
    }

    /// The layers, input first.
    pub fn layers(&self) -> &[Box<dyn Module>] {
        &self.layers
    }

    /// The layers, mutable (for editing weights by hand).
    pub fn layers_mut(&mut self) -> &mut [Box<dyn Module>] {
        &mut self.layers
    }

    /// Layer `i` as its concrete type `T`, if it is one.
    pub fn layer<T: Module + 'static>(&self, i: usize) -> Option<&T> {
        self.layers.get(i)?.as_any().downcast_ref::<T>()
    }

    /// Layer `i` as its concrete type `T`, mutable.
    pub fn layer_mut<T: Module + 'static>(&mut self, i: usize) -> Option<&mut T> {
        self.layers.get_mut(i)?.as_any_mut().downcast_mut::<T>()
    }

    /// Runs the batch `x` (`batch × input size`) through every layer and returns the output.
    pub fn forward<'a>(
        &'a mut self,
        x: &'a Matrix,
        mode: Mode,
        rng: &mut Rng,
    ) -> Result<&'a Matrix> {
        check_cols("network input", x, self.input_shape.size())?;
        for i in 0..self.layers.len() {
            let (before, rest) = self.layers.split_at_mut(i);
            let input = before.last().map_or(x, |l| l.output());
            if let Some(layer) = rest.first_mut() {
                layer.forward(input, mode, rng)?;
            }
        }
        Ok(self.output_or(x))
    }

    /// The output of the last forward pass (the input `x` when there are no layers).
    fn output_or<'a>(&'a self, x: &'a Matrix) -> &'a Matrix {
        self.layers.last().map_or(x, |l| l.output())
    }

    /// The output of the last forward pass, if there are layers.
    pub fn output(&self) -> Option<&Matrix> {
        self.layers.last().map(|l| l.output())
    }

    /// Evaluation-mode forward pass (dropout off, running statistics).
    pub fn predict<'a>(&'a mut self, x: &'a Matrix) -> Result<&'a Matrix> {
        self.forward(x, Mode::Eval, &mut Rng::new(0))
    }

    /// Backpropagates `grad_output = dL/doutput` through every layer, after a forward pass on the
    /// same `x`; each layer's parameter gradients are overwritten.
    pub fn backward(&mut self, x: &Matrix, grad_output: &Matrix) -> Result<()> {
        let n = self.layers.len();
        for i in (0..n).rev() {
            let (before, rest) = self.layers.split_at_mut(i);
            let input = before.last().map_or(x, |l| l.output());
            let Some((layer, after)) = rest.split_first_mut() else {
                continue;
            };
            let upstream = after.first().map_or(grad_output, |l| l.grad_input());
            layer.backward(input, upstream)?;
        }
        Ok(())
    }

    /// Whether `backward` computes `dL/dx` for the model's input. Training does not need it, and
    /// skipping it saves the first layer's input-gradient product; a figure that shows the input
    /// gradient (or a model whose input comes from another model, as a GAN's discriminator does)
    /// keeps it. It is computed by default; when off, the first layer's `grad_input` is empty.
    pub fn set_input_gradient(&mut self, needed: bool) {
        if let Some(first) = self.layers.first_mut() {
            first.set_input_gradient(needed);
        }
    }

    /// Calls `f(slot, param)` for every learnable tensor, in a fixed order.
    pub fn visit_params(&mut self, f: &mut dyn FnMut(usize, Param<'_>)) {
        let mut slot = 0;
        for layer in &mut self.layers {
            layer.visit_params(&mut |p| {
                f(slot, p);
                slot += 1;
            });
        }
    }

    /// The number of learnable numbers.
    pub fn param_count(&mut self) -> usize {
        self.layers.iter_mut().map(|l| l.param_count()).sum()
    }

    /// A copy of the last pass (forward, and backward if one ran) for the page to show.
    /// `x` is the batch that went in and `grad_output` the loss gradient that came back.
    pub fn trace(&mut self, x: &Matrix, grad_output: Option<&Matrix>) -> Trace {
        let mut layers: Vec<_> = self.layers.iter_mut().map(|l| l.trace()).collect();
        let n = layers.len();
        for i in 0..n {
            layers[i].grad_output = if i + 1 < n {
                Some(layers[i + 1].grad_input.clone())
            } else {
                grad_output.cloned()
            };
        }
        Trace {
            input: x.clone(),
            layers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::layer::{ActivationLayer, Dense, Init};

    fn net() -> Sequential {
        let mut rng = Rng::new(5);
        let mut m = Sequential::new(Shape::Flat(2));
        m.push(Dense::new(2, 4, Activation::Tanh, Init::Glorot, &mut rng).unwrap())
            .unwrap()
            .push(Dense::new(4, 3, Activation::Linear, Init::Glorot, &mut rng).unwrap())
            .unwrap()
            .push(ActivationLayer::new(
                Shape::Flat(3),
                Activation::Swish { beta: 1.0 },
            ))
            .unwrap();
        m
    }

    #[test]
    fn shapes_are_checked_when_pushing() {
        let mut m = net();
        let err = m
            .push(Dense::new(5, 1, Activation::Linear, Init::He, &mut Rng::new(0)).unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("input of layer 4"), "{err}");
        assert_eq!(m.output_shape(), Shape::Flat(3));
    }

    /// Checks every parameter's gradient after one backward pass of `g` from input `x` against a
    /// central difference of `loss`; returns the number of parameter tensors.
    fn check_gradients(
        m: &mut Sequential,
        x: &Matrix,
        g: &Matrix,
        loss: impl Fn(&mut Sequential) -> f64,
    ) -> usize {
        loss(m);
        m.backward(x, g).unwrap();
        let mut analytic = Vec::new();
        m.visit_params(&mut |_, p| analytic.push((p.grad.to_vec(), p.value.to_vec())));
        let h = 1e-2_f32;
        for (slot, (grads, values)) in analytic.iter().enumerate() {
            for (k, (&want, &value)) in grads.iter().zip(values).enumerate() {
                let num = crate::finite_difference::central(value, h, |v| {
                    let mut bumped = m.clone();
                    bumped.visit_params(&mut |s, p| {
                        if s == slot {
                            p.value[k] = v;
                        }
                    });
                    loss(&mut bumped)
                });
                assert!(
                    (f64::from(want) - num).abs() < 2e-3,
                    "slot {slot} element {k}: analytic {want}, numeric {num}"
                );
            }
        }
        analytic.len()
    }

    #[test]
    fn whole_network_gradients_match_finite_differences() {
        let x = crate::tensor::from_rows(&[vec![0.5, -1.0], vec![1.5, 0.2]]).unwrap();
        let g = crate::tensor::from_rows(&[vec![1.0, -0.5, 0.3], vec![0.2, 0.8, -1.0]]).unwrap();
        let loss = |m: &mut Sequential| -> f64 {
            let y = m.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
            y.iter().zip(g.iter()).map(|(a, b)| f64::from(a * b)).sum()
        };
        // Slots: W, b of each dense layer, then swish β.
        assert_eq!(check_gradients(&mut net(), &x, &g, loss), 5);
    }

    #[test]
    fn trace_links_each_layers_upstream_gradient() {
        let x = crate::tensor::from_rows(&[vec![0.5, -1.0]]).unwrap();
        let g = crate::tensor::from_rows(&[vec![1.0, 0.0, 0.0]]).unwrap();
        let mut m = net();
        m.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
        m.backward(&x, &g).unwrap();
        let t = m.trace(&x, Some(&g));
        assert_eq!(t.layers.len(), 3);
        assert_eq!(
            t.layers[0].grad_output.as_ref(),
            Some(&t.layers[1].grad_input)
        );
        assert_eq!(t.layers[2].grad_output.as_ref(), Some(&g));
        assert!(t.layers[0].pre_activation.is_some());
        assert_eq!(
            m.layer::<Dense>(1).map(|d| d.weights().shape()),
            Some((3, 4))
        );
        assert!(m.layer::<Dense>(2).is_none());
    }

    #[test]
    fn skipping_the_input_gradient_leaves_every_parameter_gradient_unchanged() {
        let x = crate::tensor::from_rows(&[vec![0.5, -1.0], vec![1.5, 0.2]]).unwrap();
        let g = crate::tensor::from_rows(&[vec![1.0, -0.5, 0.3], vec![0.2, 0.8, -1.0]]).unwrap();
        let grads = |m: &mut Sequential| {
            m.forward(&x, Mode::Train, &mut Rng::new(0)).unwrap();
            m.backward(&x, &g).unwrap();
            let mut all = Vec::new();
            m.visit_params(&mut |_, p| all.push(p.grad.to_vec()));
            (all, m.layers()[0].grad_input().shape())
        };
        let (with, with_shape) = grads(&mut net());
        let mut skipping = net();
        skipping.set_input_gradient(false);
        let (without, without_shape) = grads(&mut skipping);
        assert_eq!(with, without);
        assert_eq!(with_shape, (2, 2));
        assert_eq!(without_shape.0, 0, "no input gradient was asked for");
    }

    #[test]
    fn whole_network_gradients_through_normalization_and_dropout() {
        use crate::layer::{BatchNorm, Dropout, Flatten, LayerNorm};
        // Sequence (3 tokens × 2) → layer norm per token → flatten → dense 6→4 → batch norm →
        // dropout 0.4 → dense 4→2. Every forward pass starts from the same seed, so the dropout
        // mask is the same one and the loss is a smooth function of the parameters.
        let seq = Shape::Sequence { len: 3, dim: 2 };
        let mut rng = Rng::new(11);
        let mut m = Sequential::new(seq);
        m.push(LayerNorm::new(seq).unwrap())
            .unwrap()
            .push(Flatten::new(seq).unwrap())
            .unwrap()
            .push(Dense::new(6, 4, Activation::Tanh, Init::Glorot, &mut rng).unwrap())
            .unwrap()
            .push(BatchNorm::new(Shape::Flat(4)).unwrap())
            .unwrap()
            .push(Dropout::new(Shape::Flat(4), 0.4).unwrap())
            .unwrap()
            .push(Dense::new(4, 2, Activation::Linear, Init::Glorot, &mut rng).unwrap())
            .unwrap();
        let x = Matrix::from_fn(3, 6, |r, c| ((r * 5 + c * 2) % 7) as f32 * 0.5 - 1.4);
        let g = Matrix::from_fn(3, 2, |r, c| ((r + 3 * c) % 4) as f32 * 0.6 - 0.8);
        let loss = |m: &mut Sequential| -> f64 {
            let y = m.forward(&x, Mode::Train, &mut Rng::new(5)).unwrap();
            y.iter()
                .zip(g.iter())
                .map(|(a, b)| f64::from(*a) * f64::from(*b))
                .sum()
        };
        // Slots: γ, β of the layer norm; W, b; γ, β of the batch norm; W, b.
        assert_eq!(check_gradients(&mut m, &x, &g, loss), 8);
    }
}
