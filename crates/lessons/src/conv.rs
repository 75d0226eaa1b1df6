//! Pooling of one single-channel map, for the convolution figure: the page convolves a digit with
//! [`spiega_nn::layer::convolve_image`] and pools the result here, through the same [`Pool2d`] layer a
//! network uses.

use spiega_nn::error::Result;
use spiega_nn::layer::{Mode, Module, Pool2d, PoolKind};
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};

/// A pooled map and, for max pooling, where each maximum came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PooledMap {
    /// The pooled values, `H_out × W_out`, `H_out = ⌊(H − window)/stride⌋ + 1`.
    pub output: Matrix,
    /// For max pooling, the input `(row, col)` of each output's maximum, row-major; empty for
    /// average pooling.
    pub maxima: Vec<(usize, usize)>,
}

/// Pools `map` (`H × W`, one channel) with square windows of `window` moved by `stride`.
///
/// Errors when the window or stride is 0 or the window does not fit in the map.
pub fn pool_map(map: &Matrix, kind: PoolKind, window: usize, stride: usize) -> Result<PooledMap> {
    let (h, w) = map.shape();
    let shape = Shape::Image {
        channels: 1,
        height: h,
        width: w,
    };
    let mut layer = Pool2d::new(kind, shape, (window, window), (stride, stride))?;
    // One sample per row, its pixels in row-major (NCHW) order.
    let input = Matrix::from_fn(1, h * w, |_, k| map[(k / w, k % w)]);
    // Pooling draws no random numbers; the generator only fills the trait's signature.
    layer.forward(&input, Mode::Eval, &mut Rng::new(0))?;
    let (oh, ow) = (layer.geometry().out_height(), layer.geometry().out_width());
    let out = layer.output();
    let output = Matrix::from_fn(oh, ow, |i, j| out[(0, i * ow + j)]);
    let maxima = if kind == PoolKind::Max {
        layer.argmax_positions(0).unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(PooledMap { output, maxima })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_nn::tensor::from_rows;

    #[test]
    fn max_and_average_pooling_of_a_small_map() {
        let m = from_rows(&[
            vec![1.0, 2.0, 0.0, -1.0],
            vec![3.0, 4.0, 5.0, 1.0],
            vec![0.0, 0.0, -2.0, -2.0],
            vec![0.0, 8.0, -2.0, -6.0],
        ])
        .unwrap();
        let max = pool_map(&m, PoolKind::Max, 2, 2).unwrap();
        // Windows by hand: max(1,2,3,4) = 4 at (1,1); max(0,−1,5,1) = 5 at (1,2); 8 at (3,1); −2 at (2,2).
        assert_eq!(
            max.output,
            from_rows(&[vec![4.0, 5.0], vec![8.0, -2.0]]).unwrap()
        );
        assert_eq!(max.maxima, vec![(1, 1), (1, 2), (3, 1), (2, 2)]);
        let avg = pool_map(&m, PoolKind::Average, 2, 2).unwrap();
        // Means: 10/4 = 2.5, 5/4 = 1.25, 8/4 = 2, −12/4 = −3.
        assert_eq!(
            avg.output,
            from_rows(&[vec![2.5, 1.25], vec![2.0, -3.0]]).unwrap()
        );
        assert!(avg.maxima.is_empty());
        assert!(pool_map(&m, PoolKind::Max, 5, 1).is_err());
    }
}
