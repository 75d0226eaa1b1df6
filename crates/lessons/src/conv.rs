//! The convolution figure's lesson: its example digits and filter presets, and pooling of one
//! single-channel map. The page convolves a digit with [`spiega_nn::layer::convolve_image`] and
//! pools the result here, through the same [`Pool2d`] layer a network uses.

use spiega_nn::data::Dataset;
use spiega_nn::error::Result;
use spiega_nn::layer::{Mode, Module, Pool2d, PoolKind};
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};

/// The filter presets the figure offers, 3 × 3 row-major, by the value of their option: the
/// Sobel edge filters (vertical edges: right column minus left column), a box blur, a sharpen
/// and the identity.
pub fn filter_preset(name: &str) -> Option<[f32; 9]> {
    Some(match name {
        "vertical" => [-1.0, 0.0, 1.0, -2.0, 0.0, 2.0, -1.0, 0.0, 1.0],
        "horizontal" => [-1.0, -2.0, -1.0, 0.0, 0.0, 0.0, 1.0, 2.0, 1.0],
        "blur" => [1.0 / 9.0; 9],
        "sharpen" => [0.0, -1.0, 0.0, -1.0, 5.0, -1.0, 0.0, -1.0, 0.0],
        "identity" => [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        _ => return None,
    })
}

/// The figure's example digits: the first 8 × 8 image of each class 0–9 in `data`
/// (scikit-learn's digits, [`spiega_nn::data::digits::parse_digits`]), 64 pixels in `[0, 1]`
/// each, row-major; a class with no image has an empty one.
pub fn example_digits(data: &Dataset) -> Vec<Vec<f32>> {
    let labels = data.labels().unwrap_or_default();
    let mut examples = vec![Vec::new(); 10];
    for (row, &label) in labels.iter().enumerate() {
        if let Some(slot) = examples.get_mut(label)
            && slot.is_empty()
        {
            *slot = data.x().row(row).iter().copied().collect();
        }
    }
    examples
}

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
    use spiega_nn::layer::{Padding, convolve_image};
    use spiega_nn::tensor::from_rows;

    /// The section's claim: the vertical-edge filter lights up the left and right sides of
    /// strokes with opposite signs. In every row of every example digit that crosses a stroke
    /// (its strongest positive and strongest negative response both reach a quarter of the map's
    /// strongest), the positive lies left of the negative: ink begins, then ends.
    #[test]
    fn the_vertical_edge_filter_marks_the_two_sides_of_strokes_with_opposite_signs() {
        use spiega_nn::layer::{Padding, convolve_image};
        let filter = Matrix::from_fn(3, 3, |i, j| filter_preset("vertical").unwrap()[i * 3 + j]);
        let mut rows_checked = 0;
        for (digit, pixels) in example_digits(&spiega_nn::data::digits::digits().unwrap())
            .iter()
            .enumerate()
        {
            assert_eq!(pixels.len(), 64, "digit {digit}");
            let image = Matrix::from_fn(8, 8, |i, j| pixels[i * 8 + j]);
            let map = convolve_image(&image, &filter, 1, Padding::Same)
                .unwrap()
                .output;
            let top = map.iter().fold(0.0_f32, |a, v| a.max(v.abs()));
            for i in 0..8 {
                let row: Vec<f32> = (0..8).map(|j| map[(i, j)]).collect();
                let strongest = |sign: f32| {
                    (0..8)
                        .max_by(|&a, &b| (sign * row[a]).total_cmp(&(sign * row[b])))
                        .filter(|&j| sign * row[j] >= 0.25 * top)
                };
                let (Some(rising), Some(falling)) = (strongest(1.0), strongest(-1.0)) else {
                    continue;
                };
                assert!(rising < falling, "digit {digit}, row {i}: {row:?}");
                rows_checked += 1;
            }
        }
        assert!(rows_checked >= 40, "{rows_checked} rows crossed a stroke");
    }

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

    /// The figure's opening digit as an 8 × 8 image, and its feature map under the filter
    /// `preset` at `stride` with `padding`.
    fn digit_map(preset: &str, stride: usize, padding: Padding) -> (Matrix, Matrix) {
        let digit = &example_digits(&spiega_nn::data::digits::digits().unwrap())[3];
        let image = Matrix::from_fn(8, 8, |i, j| digit[i * 8 + j]);
        let filter = Matrix::from_fn(3, 3, |i, j| filter_preset(preset).unwrap()[i * 3 + j]);
        let map = convolve_image(&image, &filter, stride, padding)
            .unwrap()
            .output;
        (image, map)
    }

    /// Try this (conv): with stride 2 and no padding the 8 × 8 digit's feature map is 3 × 3
    /// (⌊(8 − 3)/2⌋ + 1); with "same" padding and stride 1 it keeps all 8 × 8, and pooling
    /// halves it to 4 × 4.
    #[test]
    fn try_stride_and_padding_set_the_map_size() {
        let (_, strided) = digit_map("vertical", 2, Padding::Valid);
        assert_eq!(strided.shape(), (3, 3));
        let (_, same) = digit_map("vertical", 1, Padding::Same);
        assert_eq!(same.shape(), (8, 8));
        let pooled = pool_map(&same, PoolKind::Max, 2, 2).unwrap().output;
        assert_eq!(pooled.shape(), (4, 4));
    }

    /// Try this (conv): the identity filter copies the digit: its 6 × 6 feature map is the
    /// image without its border of one pixel.
    #[test]
    fn try_the_identity_filter_copies_the_digit() {
        let (image, map) = digit_map("identity", 1, Padding::Valid);
        assert_eq!(map.shape(), (6, 6));
        for i in 0..6 {
            for j in 0..6 {
                assert_eq!(map[(i, j)], image[(i + 1, j + 1)], "({i}, {j})");
            }
        }
    }
}
