//! scikit-learn's 8×8 handwritten digits (`sklearn.datasets.load_digits`), read from a small
//! binary file shipped with the engine.
//!
//! [`parse_digits`] reads the file from bytes it is given: the page downloads the file when a
//! figure that needs it mounts, so the digits are not part of its WebAssembly. Native code (the
//! tests, the benchmark) turns on the `embedded-digits` feature for [`digits`] and
//! [`digits_workload`], which read a copy compiled into the program.
//!
//! The file, `assets/digits.bin`, is laid out as:
//! - bytes 0..4: the ASCII magic `DIG1`;
//! - bytes 4..8: `n`, the number of images, a little-endian `u32` (1797 for the shipped file);
//! - then `n × 64` pixel bytes, each 0 to 16, image after image, each image row-major;
//! - then `n` label bytes, each 0 to 9.
//!
//! Nothing else may follow. Pixels are divided by 16 into `[0, 1]`; each row of `x` is one image
//! of shape `(1, 8, 8)` (one channel, so channel-first and channel-last layouts coincide).

use crate::data::{Dataset, MAX_SAMPLES};
use crate::error::{EngineError, Result};
use crate::tensor::{Matrix, Shape};

/// The magic bytes the file starts with.
pub const MAGIC: &[u8; 4] = b"DIG1";

/// The side of a digit image, in pixels.
pub const SIDE: usize = 8;

/// The number of pixels per image.
pub const PIXELS: usize = SIDE * SIDE;

/// The number of classes (the digits 0 to 9).
pub const CLASSES: usize = 10;

/// The largest pixel value in the file (scikit-learn's images count 0 to 16).
pub const MAX_PIXEL: u8 = 16;

/// The shape of one digit image: one channel of 8×8.
pub const IMAGE_SHAPE: Shape = Shape::Image {
    channels: 1,
    height: SIDE,
    width: SIDE,
};

/// Reads digit images from the bytes of a `DIG1` file (see the module docs for the layout).
///
/// The result is a 10-class dataset: `x` is `n × 64` with pixels divided by 16, targets one-hot,
/// labels 0 to 9, sample shape `(1, 8, 8)`. Errors name what is wrong: a bad magic, a truncated or
/// over-long file, a pixel above 16 or a label above 9 (with its image index).
pub fn parse_digits(bytes: &[u8]) -> Result<Dataset> {
    let bad = |msg: String| EngineError::Invalid(format!("digits file: {msg}"));
    let (magic, rest) = bytes.split_first_chunk::<4>().ok_or_else(|| {
        bad(format!(
            "only {} bytes, too short for a header",
            bytes.len()
        ))
    })?;
    if magic != MAGIC {
        return Err(bad(format!(
            "it starts with {magic:?}, not the magic bytes \"DIG1\""
        )));
    }
    let (count, body) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| bad("it ends inside the image count".to_owned()))?;
    let n = u32::from_le_bytes(*count) as u64;
    if n == 0 || n > MAX_SAMPLES as u64 {
        return Err(bad(format!(
            "it claims {n} images; expected 1 to {MAX_SAMPLES}"
        )));
    }
    // n ≤ MAX_SAMPLES, so these products fit in any usize.
    let n = n as usize;
    let pixel_bytes = n * PIXELS;
    let want = pixel_bytes + n;
    if body.len() < want {
        return Err(bad(format!(
            "it is truncated: {n} images need {} bytes, but it has {}",
            want + 8,
            bytes.len()
        )));
    }
    if body.len() > want {
        return Err(bad(format!(
            "it has {} bytes after the {n} labels",
            body.len() - want
        )));
    }
    let (pixels, label_bytes) = body.split_at(pixel_bytes);
    if let Some(i) = pixels.iter().position(|&p| p > MAX_PIXEL) {
        return Err(bad(format!(
            "pixel {} of image {} is {}, above {MAX_PIXEL}",
            i % PIXELS,
            i / PIXELS,
            pixels[i]
        )));
    }
    if let Some(i) = label_bytes.iter().position(|&l| usize::from(l) >= CLASSES) {
        return Err(bad(format!(
            "the label of image {i} is {}, not a digit 0 to 9",
            label_bytes[i]
        )));
    }
    let x = Matrix::from_fn(n, PIXELS, |r, c| {
        f32::from(pixels[r * PIXELS + c]) / f32::from(MAX_PIXEL)
    });
    let labels = label_bytes.iter().map(|&l| usize::from(l)).collect();
    Dataset::multiclass(x, labels, CLASSES)?.with_sample_shape(IMAGE_SHAPE)
}

/// The bytes of the shipped file, scikit-learn's 1797 digits in their own order.
#[cfg(any(test, feature = "embedded-digits"))]
pub const DIGITS_FILE: &[u8] = include_bytes!("../../assets/digits.bin");

/// scikit-learn's 1797 digits in their own order (see [`parse_digits`] for the form).
#[cfg(any(test, feature = "embedded-digits"))]
pub fn digits() -> Result<Dataset> {
    parse_digits(DIGITS_FILE)
}

/// The digits of the training-speed workloads (W3, W3c): [`digits`] shuffled once by Fisher–Yates
/// with `Rng::new(1234)` ([`Dataset::shuffled`]).
#[cfg(any(test, feature = "embedded-digits"))]
pub fn digits_workload() -> Result<Dataset> {
    Ok(digits()?.shuffled(&mut crate::rng::Rng::new(1234)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A valid file of `n` images whose pixel `k` of image `i` is `(i + k) mod 17` and label `i mod 10`.
    fn file(n: u32) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&n.to_le_bytes());
        for i in 0..n as usize {
            b.extend((0..PIXELS).map(|k| ((i + k) % 17) as u8));
        }
        b.extend((0..n as usize).map(|i| (i % 10) as u8));
        b
    }

    #[test]
    fn parses_a_small_file() {
        let d = parse_digits(&file(3)).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.sample_shape(), IMAGE_SHAPE);
        assert_eq!(d.labels().unwrap(), &[0, 1, 2]);
        // Image 1, pixel 15 (row 1, column 7) holds (1 + 15) mod 17 = 16 → 16/16 = 1.
        assert_eq!(d.x()[(1, 15)], 1.0);
        // Image 2, pixel 0 holds 2 → 2/16 = 0.125.
        assert_eq!(d.x()[(2, 0)], 0.125);
        assert_eq!(d.targets()[(2, 2)], 1.0);
    }

    #[test]
    fn errors_name_the_problem() {
        let msg = |b: &[u8]| parse_digits(b).unwrap_err().to_string();
        assert!(msg(b"DIG").contains("too short"));
        let mut b = file(2);
        b[3] = b'2';
        assert!(msg(&b).contains("magic"));
        assert!(msg(&file(2)[..6]).contains("image count"));
        assert!(msg(&file(2)[..100]).contains("truncated"));
        let mut b = file(2);
        b.push(0);
        assert!(msg(&b).contains("after the 2 labels"));
        assert!(msg(&file(0)).contains("0 images"));
        let mut b = file(2);
        b[8 + 64 + 5] = 17;
        assert!(msg(&b).contains("pixel 5 of image 1 is 17"));
        let mut b = file(2);
        let last = b.len() - 1;
        b[last] = 10;
        assert!(msg(&b).contains("label of image 1 is 10"));
        let mut b = file(1);
        b[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(msg(&b).contains("4294967295 images"));
    }

    #[test]
    fn shipped_file_is_scikit_learns() {
        let d = digits().unwrap();
        assert_eq!(d.len(), 1797);
        assert_eq!(d.task(), crate::data::Task::Multiclass { classes: 10 });
        // `load_digits().images[0]` starts with the rows [0, 0, 5, 13, 9, 1, 0, 0] and
        // [0, 0, 13, 15, 10, 15, 5, 0]; the labels start 0, 1, 2, …, 9.
        let first: Vec<f32> = (0..16).map(|c| d.x()[(0, c)] * 16.0).collect();
        assert_eq!(
            first,
            [
                0., 0., 5., 13., 9., 1., 0., 0., 0., 0., 13., 15., 10., 15., 5., 0.
            ]
        );
        assert_eq!(&d.labels().unwrap()[..10], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        // `np.bincount(load_digits().target)`.
        assert_eq!(
            d.class_counts().unwrap(),
            [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
        );
    }

    #[test]
    fn workload_order_is_the_seeded_shuffle() {
        let d = digits().unwrap();
        let w = digits_workload().unwrap();
        let mut order: Vec<usize> = (0..1797).collect();
        Rng::new(1234).shuffle(&mut order);
        for k in [0, 1, 2, 1000, 1796] {
            assert_eq!(w.labels().unwrap()[k], d.labels().unwrap()[order[k]]);
            assert_eq!(w.x().row(k), d.x().row(order[k]));
        }
        assert_eq!(w.sample_shape(), IMAGE_SHAPE);
        assert_eq!(w, digits_workload().unwrap());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_digits(&bytes);
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&bytes);
            let _ = parse_digits(&with_magic);
        }
    }
}
