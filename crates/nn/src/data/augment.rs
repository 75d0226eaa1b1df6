//! Image augmentation for small images such as the 8×8 digits: rotation, shift, zoom, blur and
//! noise, with fixed parameters or drawn at random from a seeded [`Rng`].
//!
//! A [`Transform`] applies, in this order: one geometric resampling combining rotation, shift and
//! zoom (bilinear, zero outside the image), a 3×3 gaussian blur, gaussian noise, and finally clamps
//! every pixel to `[0, 1]`. Combining the geometry into one resampling blurs the image once instead
//! of once per operation. Images are stored row-major, one channel plane after another
//! (`Shape::Image`); each channel is transformed alike.
//!
//! Geometry is about the image centre `((w−1)/2, (h−1)/2)`: output pixel `p` takes the input value
//! at `R(−θ)·(p − centre − shift)/zoom + centre`, so a positive angle turns the picture
//! anticlockwise as seen on screen, a positive `shift_x` moves it right, a positive `shift_y` down,
//! and a zoom above 1 enlarges it (cropping the edges), below 1 shrinks it.

use crate::data::Dataset;
use crate::error::{EngineError, Result, check_range};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, ensure_shape};

/// The largest rotation, in degrees either way.
pub const MAX_ROTATION_DEGREES: f32 = 360.0;
/// The largest shift, in pixels either way.
pub const MAX_SHIFT: f32 = 100.0;
/// The smallest zoom factor.
pub const MIN_ZOOM: f32 = 0.25;
/// The largest zoom factor.
pub const MAX_ZOOM: f32 = 4.0;
/// The largest blur standard deviation, in pixels.
pub const MAX_BLUR_SIGMA: f32 = 5.0;
/// The largest noise standard deviation (pixels run from 0 to 1).
pub const MAX_NOISE_STD: f32 = 1.0;
/// The most augmented copies [`augment_dataset`] makes of each image.
pub const MAX_COPIES: usize = 16;

/// One augmentation of an image: the parameters of every operation (the identity leaves it alone).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    /// Rotation angle in degrees, anticlockwise on screen (−360 to 360).
    pub rotation_degrees: f32,
    /// Horizontal shift in pixels, positive to the right (−100 to 100).
    pub shift_x: f32,
    /// Vertical shift in pixels, positive downwards (−100 to 100).
    pub shift_y: f32,
    /// Zoom about the centre: above 1 enlarges (and crops), below 1 shrinks (0.25 to 4).
    pub zoom: f32,
    /// Standard deviation of the 3×3 gaussian blur in pixels; 0 for none (0 to 5).
    pub blur_sigma: f32,
    /// Standard deviation of the added gaussian noise; 0 for none (0 to 1).
    pub noise_std: f32,
}

impl Transform {
    /// The transform that changes nothing (but still clamps to `[0, 1]`).
    pub const IDENTITY: Transform = Transform {
        rotation_degrees: 0.0,
        shift_x: 0.0,
        shift_y: 0.0,
        zoom: 1.0,
        blur_sigma: 0.0,
        noise_std: 0.0,
    };

    /// Only a rotation by `degrees`, anticlockwise on screen.
    pub fn rotation(degrees: f32) -> Self {
        Self {
            rotation_degrees: degrees,
            ..Self::IDENTITY
        }
    }

    /// Only a shift by `(dx, dy)` pixels (right, down).
    pub fn shift(dx: f32, dy: f32) -> Self {
        Self {
            shift_x: dx,
            shift_y: dy,
            ..Self::IDENTITY
        }
    }

    /// Only a zoom by `factor` about the centre.
    pub fn zoom(factor: f32) -> Self {
        Self {
            zoom: factor,
            ..Self::IDENTITY
        }
    }

    /// Only a 3×3 gaussian blur of standard deviation `sigma`.
    pub fn blur(sigma: f32) -> Self {
        Self {
            blur_sigma: sigma,
            ..Self::IDENTITY
        }
    }

    /// Only gaussian noise of standard deviation `std`.
    pub fn noise(std: f32) -> Self {
        Self {
            noise_std: std,
            ..Self::IDENTITY
        }
    }

    /// Checks every parameter against its range, naming the first one outside it.
    pub fn check(&self) -> Result<()> {
        check_range(
            "rotation (degrees)",
            self.rotation_degrees,
            -MAX_ROTATION_DEGREES,
            MAX_ROTATION_DEGREES,
        )?;
        check_range("horizontal shift", self.shift_x, -MAX_SHIFT, MAX_SHIFT)?;
        check_range("vertical shift", self.shift_y, -MAX_SHIFT, MAX_SHIFT)?;
        check_range("zoom", self.zoom, MIN_ZOOM, MAX_ZOOM)?;
        check_range("blur sigma", self.blur_sigma, 0.0, MAX_BLUR_SIGMA)?;
        check_range(
            "noise standard deviation",
            self.noise_std,
            0.0,
            MAX_NOISE_STD,
        )?;
        Ok(())
    }

    /// Whether the geometric part changes anything.
    fn moves(&self) -> bool {
        self.rotation_degrees != 0.0
            || self.shift_x != 0.0
            || self.shift_y != 0.0
            || self.zoom != 1.0
    }

    /// Applies the transform to `image` (of `shape`), returning the new image.
    ///
    /// `rng` is drawn from only for noise: `height × width × channels` normals, pixel by pixel.
    pub fn apply(&self, image: &[f32], shape: Shape, rng: &mut Rng) -> Result<Vec<f32>> {
        let mut out = vec![0.0; image.len()];
        Augmenter::new().apply(self, image, shape, rng, &mut out)?;
        Ok(out)
    }
}

impl Default for Transform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

/// The ranges random transforms are drawn from ([`AugmentRanges::sample`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AugmentRanges {
    /// The rotation is uniform in `[−max, max)` degrees.
    pub max_rotation_degrees: f32,
    /// Each shift is uniform in `[−max, max)` pixels.
    pub max_shift: f32,
    /// The zoom is uniform in `[min_zoom, max_zoom)`.
    pub min_zoom: f32,
    /// See `min_zoom`.
    pub max_zoom: f32,
    /// The blur sigma is uniform in `[0, max)`.
    pub max_blur_sigma: f32,
    /// The noise standard deviation (fixed).
    pub noise_std: f32,
}

impl AugmentRanges {
    /// Ranges that draw only identity transforms.
    pub const NONE: AugmentRanges = AugmentRanges {
        max_rotation_degrees: 0.0,
        max_shift: 0.0,
        min_zoom: 1.0,
        max_zoom: 1.0,
        max_blur_sigma: 0.0,
        noise_std: 0.0,
    };

    /// Random rotations only, up to `max_degrees` either way.
    pub fn rotation(max_degrees: f32) -> Self {
        Self {
            max_rotation_degrees: max_degrees,
            ..Self::NONE
        }
    }

    /// Random shifts only, up to `max_pixels` either way in each direction.
    pub fn shift(max_pixels: f32) -> Self {
        Self {
            max_shift: max_pixels,
            ..Self::NONE
        }
    }

    /// Random zooms only, between `min` and `max`.
    pub fn zoom(min: f32, max: f32) -> Self {
        Self {
            min_zoom: min,
            max_zoom: max,
            ..Self::NONE
        }
    }

    /// Random blurs only, sigma up to `max_sigma`.
    pub fn blur(max_sigma: f32) -> Self {
        Self {
            max_blur_sigma: max_sigma,
            ..Self::NONE
        }
    }

    /// Noise only, of standard deviation `std`.
    pub fn noise(std: f32) -> Self {
        Self {
            noise_std: std,
            ..Self::NONE
        }
    }

    /// Checks the ranges, naming the first bad one.
    pub fn check(&self) -> Result<()> {
        check_range(
            "largest rotation (degrees)",
            self.max_rotation_degrees,
            0.0,
            MAX_ROTATION_DEGREES,
        )?;
        check_range("largest shift", self.max_shift, 0.0, MAX_SHIFT)?;
        check_range("smallest zoom", self.min_zoom, MIN_ZOOM, MAX_ZOOM)?;
        check_range("largest zoom", self.max_zoom, self.min_zoom, MAX_ZOOM)?;
        check_range(
            "largest blur sigma",
            self.max_blur_sigma,
            0.0,
            MAX_BLUR_SIGMA,
        )?;
        check_range(
            "noise standard deviation",
            self.noise_std,
            0.0,
            MAX_NOISE_STD,
        )?;
        Ok(())
    }

    /// Draws a transform: rotation, horizontal shift, vertical shift, zoom and blur sigma, in that
    /// order, five uniform draws from `rng` whatever the ranges (so changing one range does not
    /// shift the others' random stream).
    pub fn sample(&self, rng: &mut Rng) -> Result<Transform> {
        self.check()?;
        let sym = |rng: &mut Rng, max: f32| rng.range(-max, max);
        Ok(Transform {
            rotation_degrees: sym(rng, self.max_rotation_degrees),
            shift_x: sym(rng, self.max_shift),
            shift_y: sym(rng, self.max_shift),
            zoom: rng.range(self.min_zoom, self.max_zoom),
            blur_sigma: rng.range(0.0, self.max_blur_sigma),
            noise_std: self.noise_std,
        })
    }
}

impl Default for AugmentRanges {
    fn default() -> Self {
        Self::NONE
    }
}

/// Applies transforms with reused scratch memory, so augmenting every batch allocates nothing once
/// warmed up.
#[derive(Debug, Clone, Default)]
pub struct Augmenter {
    src: Vec<f32>,
    dst: Vec<f32>,
    tmp: Vec<f32>,
}

/// The `(channels, height, width)` of an image shape, or an error for other shapes.
fn image_dims(shape: Shape) -> Result<(usize, usize, usize)> {
    match shape {
        Shape::Image {
            channels,
            height,
            width,
        } if channels > 0 && height > 0 && width > 0 => Ok((channels, height, width)),
        other => Err(EngineError::Invalid(format!(
            "augmentation needs non-empty image samples, not samples of shape {other}"
        ))),
    }
}

impl Augmenter {
    /// An augmenter with empty scratch buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `transform` applied to `image` (of `shape`) into `out` (the same length).
    ///
    /// Errors for a non-image shape, lengths that do not match it, a non-finite pixel or a
    /// parameter out of range. `rng` is drawn from only for noise.
    pub fn apply(
        &mut self,
        transform: &Transform,
        image: &[f32],
        shape: Shape,
        rng: &mut Rng,
        out: &mut [f32],
    ) -> Result<()> {
        transform.check()?;
        let (channels, h, w) = image_dims(shape)?;
        let size = channels * h * w;
        if image.len() != size || out.len() != size {
            return Err(EngineError::Invalid(format!(
                "an image of shape {shape} has {size} values, but {} came in and {} go out",
                image.len(),
                out.len()
            )));
        }
        if !image.iter().all(|v| v.is_finite()) {
            return Err(EngineError::NonFinite {
                what: "the image to augment".to_owned(),
            });
        }
        self.tmp.resize(h * w, 0.0);
        for (plane_in, plane_out) in image.chunks_exact(h * w).zip(out.chunks_exact_mut(h * w)) {
            if transform.moves() {
                resample(transform, plane_in, h, w, plane_out);
            } else {
                plane_out.copy_from_slice(plane_in);
            }
            if transform.blur_sigma > 0.0 {
                self.tmp.copy_from_slice(plane_out);
                blur3(&self.tmp, h, w, transform.blur_sigma, plane_out);
            }
        }
        let std = transform.noise_std;
        for v in out.iter_mut() {
            if std > 0.0 {
                *v += std * rng.normal();
            }
            *v = v.clamp(0.0, 1.0);
        }
        Ok(())
    }

    /// Augments every row of `x` in place (each row one image of `shape`) with a transform drawn
    /// from `ranges` per row, in row order: the on-the-fly augmentation of a training batch.
    pub fn augment_rows(
        &mut self,
        x: &mut Matrix,
        shape: Shape,
        ranges: &AugmentRanges,
        rng: &mut Rng,
    ) -> Result<()> {
        ranges.check()?;
        let size = image_dims(shape)?;
        let size = size.0 * size.1 * size.2;
        if x.ncols() != size {
            return Err(EngineError::shape(
                "images to augment",
                (x.nrows(), size),
                x.shape(),
            ));
        }
        let mut src = std::mem::take(&mut self.src);
        let mut dst = std::mem::take(&mut self.dst);
        src.resize(size, 0.0);
        dst.resize(size, 0.0);
        let mut result = Ok(());
        for r in 0..x.nrows() {
            for (c, v) in src.iter_mut().enumerate() {
                *v = x[(r, c)];
            }
            result = ranges
                .sample(rng)
                .and_then(|t| self.apply(&t, &src, shape, rng, &mut dst));
            if result.is_err() {
                break;
            }
            for (c, v) in dst.iter().enumerate() {
                x[(r, c)] = *v;
            }
        }
        self.src = src;
        self.dst = dst;
        result
    }
}

/// Bilinear sample of a `h × w` plane at `(row, col)`, counting pixels outside the image as 0.
fn bilinear(plane: &[f32], h: usize, w: usize, row: f64, col: f64) -> f32 {
    let (r0, c0) = (row.floor(), col.floor());
    let (fr, fc) = (row - r0, col - c0);
    let pixel = |r: f64, c: f64| -> f64 {
        if r >= 0.0 && c >= 0.0 && r < h as f64 && c < w as f64 {
            f64::from(plane[r as usize * w + c as usize])
        } else {
            0.0
        }
    };
    let top = pixel(r0, c0) * (1.0 - fc) + pixel(r0, c0 + 1.0) * fc;
    let bottom = pixel(r0 + 1.0, c0) * (1.0 - fc) + pixel(r0 + 1.0, c0 + 1.0) * fc;
    (top * (1.0 - fr) + bottom * fr) as f32
}

/// The geometric part of `t` applied to one `h × w` plane (see the module docs for the mapping).
fn resample(t: &Transform, plane: &[f32], h: usize, w: usize, out: &mut [f32]) {
    let theta = f64::from(t.rotation_degrees).to_radians();
    let (sin, cos) = theta.sin_cos();
    let zoom = f64::from(t.zoom);
    let (cy, cx) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
    for r in 0..h {
        for c in 0..w {
            let u = c as f64 - cx - f64::from(t.shift_x);
            let v = r as f64 - cy - f64::from(t.shift_y);
            let src_u = (u * cos - v * sin) / zoom;
            let src_v = (u * sin + v * cos) / zoom;
            out[r * w + c] = bilinear(plane, h, w, cy + src_v, cx + src_u);
        }
    }
}

/// A 3×3 gaussian blur of one `h × w` plane: weights `exp(−(dx² + dy²)/(2σ²))` over the pixel and
/// its eight neighbours, renormalised over the neighbours inside the image (σ > 0).
fn blur3(plane: &[f32], h: usize, w: usize, sigma: f32, out: &mut [f32]) {
    let s2 = 2.0 * f64::from(sigma) * f64::from(sigma);
    let weight = |d2: f64| (-d2 / s2).exp();
    let (edge, corner) = (weight(1.0), weight(2.0));
    for r in 0..h {
        for c in 0..w {
            let (mut sum, mut total) = (0.0_f64, 0.0_f64);
            for dr in -1_isize..=1 {
                for dc in -1_isize..=1 {
                    let (rr, cc) = (r as isize + dr, c as isize + dc);
                    if rr < 0 || cc < 0 || rr >= h as isize || cc >= w as isize {
                        continue;
                    }
                    let k = match dr.abs() + dc.abs() {
                        0 => 1.0,
                        1 => edge,
                        _ => corner,
                    };
                    sum += k * f64::from(plane[rr as usize * w + cc as usize]);
                    total += k;
                }
            }
            out[r * w + c] = (sum / total) as f32;
        }
    }
}

/// `copies` augmented versions of every image of `data` (1 to 16 per image), image by image (rows
/// `i·copies .. (i+1)·copies` come from image `i`), each with a transform drawn from `ranges`;
/// labels and targets are copied along. Join with the original by [`Dataset::concat`].
pub fn augment_dataset(
    data: &Dataset,
    ranges: &AugmentRanges,
    copies: usize,
    rng: &mut Rng,
) -> Result<Dataset> {
    if !(1..=MAX_COPIES).contains(&copies) {
        return Err(EngineError::hyper(
            "copies per image",
            copies,
            &format!("it must be from 1 to {MAX_COPIES}"),
        ));
    }
    ranges.check()?;
    let shape = data.sample_shape();
    image_dims(shape)?;
    let rows: Vec<usize> = (0..data.len())
        .flat_map(|i| std::iter::repeat_n(i, copies))
        .collect();
    let mut out = data.subset(&rows)?;
    Augmenter::new().augment_rows(&mut out.x, shape, ranges, rng)?;
    Ok(out)
}

/// Makes `out` hold one augmented copy of each row of `x` (reusing its memory when the shape
/// matches): a convenience for a figure that shows originals beside their augmentations.
pub fn augment_copy(
    x: &Matrix,
    shape: Shape,
    ranges: &AugmentRanges,
    rng: &mut Rng,
    augmenter: &mut Augmenter,
    out: &mut Matrix,
) -> Result<()> {
    ensure_shape(out, x.nrows(), x.ncols());
    out.copy_from(x);
    augmenter.augment_rows(out, shape, ranges, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;

    const S3: Shape = Shape::Image {
        channels: 1,
        height: 3,
        width: 3,
    };

    /// A 3×3 image with distinct values 0.1 … 0.9 row-major.
    fn img() -> Vec<f32> {
        (1..=9).map(|k| k as f32 / 10.0).collect()
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn identity_changes_nothing() {
        let out = Transform::IDENTITY
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert_eq!(out, img());
    }

    #[test]
    fn quarter_turn_by_hand() {
        // Turning anticlockwise by 90°, the right column (0.3, 0.6, 0.9 top to bottom) becomes the
        // top row read left to right: row 0 = 0.3 0.6 0.9, row 1 = 0.2 0.5 0.8, row 2 = 0.1 0.4 0.7.
        let out = Transform::rotation(90.0)
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert!(
            close(&out, &[0.3, 0.6, 0.9, 0.2, 0.5, 0.8, 0.1, 0.4, 0.7]),
            "{out:?}"
        );
        // A full turn is the identity.
        let out = Transform::rotation(360.0)
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert!(close(&out, &img()));
    }

    #[test]
    fn shifts_by_hand() {
        // One pixel right: each row moves right, a zero enters on the left.
        let out = Transform::shift(1.0, 0.0)
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert!(close(&out, &[0.0, 0.1, 0.2, 0.0, 0.4, 0.5, 0.0, 0.7, 0.8]));
        // Half a pixel down: each pixel averages itself and the one above (0 above the top row).
        let out = Transform::shift(0.0, 0.5)
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert!(close(
            &out,
            &[0.05, 0.1, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75]
        ));
    }

    #[test]
    fn zoom_by_hand() {
        // Zoom 2 about the centre (1, 1): output (r, c) reads input (1 + (r−1)/2, 1 + (c−1)/2).
        // Corner (0, 0) reads (0.5, 0.5) = mean of 0.1, 0.2, 0.4, 0.5 = 0.3; the centre stays 0.5;
        // (0, 1) reads (0.5, 1) = mean of 0.2 and 0.5 = 0.35.
        let out = Transform::zoom(2.0)
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert!((out[0] - 0.3).abs() < 1e-6 && (out[4] - 0.5).abs() < 1e-6);
        assert!((out[1] - 0.35).abs() < 1e-6);
        // Zoom 0.5: output (0, 0) reads (−1, −1), outside, so 0; the centre stays.
        let out = Transform::zoom(0.5)
            .apply(&img(), S3, &mut Rng::new(0))
            .unwrap();
        assert_eq!(out[0], 0.0);
        assert!((out[4] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn blur_by_hand() {
        // A single lit centre pixel of 1 in a 3×3 image, σ = 1: edge weight e = exp(−1/2) =
        // 0.606531, corner weight k = exp(−1) = 0.367879. The centre keeps 1/(1 + 4e + 4k) =
        // 0.204180; the top-left corner sees 4 pixels (itself, two edges, the centre) with
        // weights 1, e, e, k, so it gets k/(1 + 2e + k) = 0.142537.
        let mut one = vec![0.0; 9];
        one[4] = 1.0;
        let out = Transform::blur(1.0)
            .apply(&one, S3, &mut Rng::new(0))
            .unwrap();
        assert!((out[4] - 0.204_180).abs() < 1e-5, "{}", out[4]);
        assert!((out[0] - 0.142_537).abs() < 1e-5, "{}", out[0]);
        // A constant image stays constant (renormalised at the border).
        let flat = vec![0.5; 9];
        let out = Transform::blur(2.0)
            .apply(&flat, S3, &mut Rng::new(0))
            .unwrap();
        assert!(close(&out, &flat));
    }

    #[test]
    fn noise_is_seeded_and_clamped() {
        let t = Transform::noise(0.5);
        let a = t.apply(&img(), S3, &mut Rng::new(3)).unwrap();
        let b = t.apply(&img(), S3, &mut Rng::new(3)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, img());
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
        let bright = Transform::IDENTITY
            .apply(&[2.0; 9], S3, &mut Rng::new(0))
            .unwrap();
        assert_eq!(bright, vec![1.0; 9]);
    }

    #[test]
    fn random_transforms_are_deterministic_and_in_range() {
        let ranges = AugmentRanges {
            max_rotation_degrees: 15.0,
            max_shift: 1.0,
            min_zoom: 0.9,
            max_zoom: 1.1,
            max_blur_sigma: 0.5,
            noise_std: 0.05,
        };
        let t = ranges.sample(&mut Rng::new(8)).unwrap();
        assert_eq!(t, ranges.sample(&mut Rng::new(8)).unwrap());
        assert!(t.rotation_degrees.abs() <= 15.0 && t.shift_x.abs() <= 1.0);
        assert!((0.9..=1.1).contains(&t.zoom) && (0.0..0.5).contains(&t.blur_sigma));
        assert_eq!(
            AugmentRanges::NONE.sample(&mut Rng::new(1)).unwrap(),
            Transform::IDENTITY
        );
        assert!(AugmentRanges::zoom(1.2, 1.1).check().is_err());
        assert!(AugmentRanges::rotation(-1.0).check().is_err());
    }

    #[test]
    fn dataset_augmentation_keeps_labels() {
        let x = Matrix::from_fn(2, 9, |r, c| if c == 4 { 1.0 } else { r as f32 * 0.1 });
        let d = Dataset::binary(x, vec![0, 1])
            .unwrap()
            .with_sample_shape(S3)
            .unwrap();
        let ranges = AugmentRanges::rotation(30.0);
        let a = augment_dataset(&d, &ranges, 3, &mut Rng::new(2)).unwrap();
        assert_eq!(a.len(), 6);
        assert_eq!(a.labels().unwrap(), &[0, 0, 0, 1, 1, 1]);
        assert_eq!(
            a,
            augment_dataset(&d, &ranges, 3, &mut Rng::new(2)).unwrap()
        );
        assert!(augment_dataset(&d, &ranges, 0, &mut Rng::new(2)).is_err());
        let flat = Dataset::binary(Matrix::zeros(1, 9), vec![0]).unwrap();
        assert!(augment_dataset(&flat, &ranges, 1, &mut Rng::new(2)).is_err());
    }

    #[test]
    fn bad_inputs_are_refused() {
        let mut rng = Rng::new(0);
        assert!(
            Transform::rotation(f32::NAN)
                .apply(&img(), S3, &mut rng)
                .is_err()
        );
        assert!(Transform::zoom(0.0).apply(&img(), S3, &mut rng).is_err());
        assert!(Transform::blur(-1.0).apply(&img(), S3, &mut rng).is_err());
        assert!(
            Transform::IDENTITY
                .apply(&img()[..8], S3, &mut rng)
                .is_err()
        );
        assert!(
            Transform::IDENTITY
                .apply(&img(), Shape::Flat(9), &mut rng)
                .is_err()
        );
        let mut nan = img();
        nan[2] = f32::NAN;
        assert!(Transform::IDENTITY.apply(&nan, S3, &mut rng).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(
            deg in prop::num::f32::ANY, dx in -5.0f32..5.0, zoom in prop::num::f32::ANY,
            sigma in prop::num::f32::ANY, noise in prop::num::f32::ANY,
            h in 0usize..5, w in 0usize..5, len in 0usize..30, seed in any::<u32>()
        ) {
            let t = Transform { rotation_degrees: deg, shift_x: dx, shift_y: -dx, zoom, blur_sigma: sigma, noise_std: noise };
            let shape = Shape::Image { channels: 1, height: h, width: w };
            let image: Vec<f32> = (0..len).map(|k| (k % 7) as f32 / 7.0).collect();
            if let Ok(out) = t.apply(&image, shape, &mut Rng::new(seed)) {
                prop_assert!(out.iter().all(|v| (0.0..=1.0).contains(v)));
            }
        }
    }
}
