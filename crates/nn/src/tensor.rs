//! The matrix type the layers share, and the few helpers they all need.
//!
//! Data is batch-major: one sample per row. An image sample is stored flat in its row in
//! channel-major order (NCHW: channel, then row, then column); a sequence sample is stored token
//! after token (each token's `dim` features contiguous in the logical row).

use crate::error::{EngineError, Result};

/// A dense `f32` matrix, one sample per row (nalgebra stores it column-major).
pub type Matrix = nalgebra::DMatrix<f32>;

/// The shape of one sample, as a layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A flat feature vector of this length.
    Flat(usize),
    /// An image of `channels × height × width` values (NCHW within a row).
    Image {
        /// Number of channels.
        channels: usize,
        /// Height in pixels.
        height: usize,
        /// Width in pixels.
        width: usize,
    },
    /// A sequence of `len` tokens of `dim` features each.
    Sequence {
        /// Number of tokens.
        len: usize,
        /// Features per token.
        dim: usize,
    },
}

impl Shape {
    /// How many numbers one sample of this shape holds.
    pub fn size(&self) -> usize {
        match *self {
            Shape::Flat(n) => n,
            Shape::Image {
                channels,
                height,
                width,
            } => channels * height * width,
            Shape::Sequence { len, dim } => len * dim,
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Shape::Flat(n) => write!(f, "({n})"),
            Shape::Image {
                channels,
                height,
                width,
            } => write!(f, "({channels}, {height}, {width})"),
            Shape::Sequence { len, dim } => write!(f, "({len}, {dim})"),
        }
    }
}

/// Makes `m` a `rows × cols` matrix, reallocating only when the shape changes.
///
/// The contents are unspecified afterwards; callers overwrite every element.
pub fn ensure_shape(m: &mut Matrix, rows: usize, cols: usize) {
    if m.shape() != (rows, cols) {
        *m = Matrix::zeros(rows, cols);
    }
}

/// Builds a matrix from row-major nested rows, checking they all have the same length.
pub fn from_rows(rows: &[Vec<f32>]) -> Result<Matrix> {
    let cols = rows.first().map_or(0, Vec::len);
    if let Some(bad) = rows.iter().position(|r| r.len() != cols) {
        return Err(EngineError::Invalid(format!(
            "row {bad} has {} values, but row 0 has {cols}",
            rows[bad].len()
        )));
    }
    Ok(Matrix::from_fn(rows.len(), cols, |r, c| rows[r][c]))
}

/// Returns the matrix as row-major nested rows (for traces and tests).
pub fn to_rows(m: &Matrix) -> Vec<Vec<f32>> {
    m.row_iter().map(|r| r.iter().copied().collect()).collect()
}

/// The index of the largest of `values` (the first of equal maxima; `0` for none; a NaN is never
/// the largest): the predicted class of one row of scores.
pub fn argmax(values: impl IntoIterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, v) in values.into_iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// The largest of `values`, NaN ignored, `−∞` for none: what folding with `f32::max` from `−∞`
/// gives, written as comparisons, since in WebAssembly `f32::max` is a call to libm's `fmaxf`
/// (the instruction `f32.max` treats NaN differently).
pub fn max_value(values: impl IntoIterator<Item = f32>) -> f32 {
    values
        .into_iter()
        .fold(f32::NEG_INFINITY, |m, v| if v > m { v } else { m })
}

/// Checks that every value of `m` is finite.
pub fn check_finite(what: &str, m: &Matrix) -> Result<()> {
    if m.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(EngineError::NonFinite {
            what: what.to_owned(),
        })
    }
}

/// Checks that `m` has `cols` columns (one sample per row of that width).
pub fn check_cols(what: &str, m: &Matrix, cols: usize) -> Result<()> {
    if m.ncols() == cols {
        Ok(())
    } else {
        Err(EngineError::shape(what, (m.nrows(), cols), m.shape()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_value_is_what_folding_with_f32_max_gives() {
        let cases: [&[f32]; 6] = [
            &[],
            &[f32::NAN],
            &[1.0, f32::NAN, 3.0],
            &[f32::NAN, -2.0, -7.0],
            &[f32::NEG_INFINITY, -1e30],
            &[0.5, f32::INFINITY, f32::NAN],
        ];
        for values in cases {
            let want = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let got = max_value(values.iter().copied());
            assert_eq!(got.to_bits(), want.to_bits(), "{values:?}");
        }
    }

    #[test]
    fn argmax_takes_the_first_of_equal_maxima_and_never_a_nan() {
        assert_eq!(argmax([0.1, 3.0, -2.0, 3.0]), 1);
        assert_eq!(argmax([f32::NAN, -1.0, -5.0]), 1);
        assert_eq!(argmax(std::iter::empty()), 0);
    }

    #[test]
    fn rows_round_trip() {
        let rows = vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]];
        let m = from_rows(&rows).unwrap();
        assert_eq!(m.shape(), (2, 3));
        assert_eq!(m[(1, 0)], 4.0);
        assert_eq!(to_rows(&m), rows);
    }

    #[test]
    fn ragged_rows_are_named() {
        let err = from_rows(&[vec![1.0], vec![1.0, 2.0]]).unwrap_err();
        assert!(err.to_string().contains("row 1 has 2 values"));
    }

    #[test]
    fn shape_sizes() {
        assert_eq!(Shape::Flat(5).size(), 5);
        let img = Shape::Image {
            channels: 2,
            height: 3,
            width: 4,
        };
        assert_eq!(img.size(), 24);
        assert_eq!(img.to_string(), "(2, 3, 4)");
    }
}
