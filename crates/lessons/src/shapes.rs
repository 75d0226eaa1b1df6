//! The shape calculator's "Try this" items, on the library's calculator
//! ([`spiega_nn::shapes::infer_shapes`]), which the figure calls directly: the figure has no
//! computation of its own, so this module holds only its tests.

#[cfg(test)]
mod tests {
    use spiega_nn::shapes::{LayerSpec, infer_shapes};

    /// The figure's opening stack, `dense(16)`, after an input of shape `input`: each layer's
    /// output shape and parameters.
    fn dense_after(input: &[usize]) -> Vec<(Vec<usize>, usize)> {
        infer_shapes(&[LayerSpec::Input(input.to_vec()), LayerSpec::Dense(16)])
            .unwrap()
            .layers
            .into_iter()
            .map(|l| (l.output, l.params))
            .collect()
    }

    /// Try this (shapes): input (15) instead of (5, 3): dense(16) sees all fifteen numbers at
    /// once, returns (16) and has 256 parameters, four times the 64 it has on (5, 3).
    #[test]
    fn try_a_flat_input() {
        assert_eq!(dense_after(&[15])[1], (vec![16], 256));
        assert_eq!(dense_after(&[5, 3])[1], (vec![5, 16], 64));
    }

    /// Try this (shapes): on an image (28, 28, 1) dense(16) acts on the last axis only: it
    /// returns (28, 28, 16) with 32 parameters, one weight and a bias per unit.
    #[test]
    fn try_dense_on_an_image() {
        assert_eq!(dense_after(&[28, 28, 1])[1], (vec![28, 28, 16], 32));
    }
}
