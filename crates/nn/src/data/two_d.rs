//! Two-dimensional classification sets in the style of TensorFlow Playground, in about `[−6, 6]²`.
//!
//! Each generator follows the Playground's own recipe (`dataset.ts`), drawing its random numbers in
//! the same order, with `Math.random()` replaced by [`Rng::next_f64`]; moons and blobs are added in
//! the same spirit. The Playground labels points ±1; here class 1 is its +1 and class 0 its −1
//! ([`Dataset::signed_targets`] gives the ±1 form back). Points are computed in `f64` and rounded
//! once to `f32`. Points come grouped by class, as in the Playground; shuffle before batching.
//!
//! `noise` runs from 0 to 0.5 like the Playground's slider (0–50 %), and acts as the Playground's
//! does for each set: it blurs the label boundary (circle, xor), widens the clusters (gaussians,
//! blobs) or jitters the points (spiral, moons).

use crate::data::{Dataset, Task, check_samples, points_matrix, shuffled_order};
use crate::error::{Result, check_range};
use crate::rng::Rng;
use crate::tensor::Shape;
use std::f64::consts::{PI, TAU};

/// The largest noise level, as on the Playground's slider.
pub const MAX_NOISE: f32 = 0.5;

/// The 2-D classification sets, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoD {
    /// A disc of class 1 inside a ring of class 0.
    Circle,
    /// Class 1 in the quadrants where `x₁·x₂ ≥ 0`, class 0 in the others.
    Xor,
    /// Two gaussian clusters, class 1 around (2, 2) and class 0 around (−2, −2).
    Gaussians,
    /// Two interleaved spiral arms.
    Spiral,
    /// Two interleaved half circles (scikit-learn's `make_moons`, scaled).
    Moons,
    /// Gaussian clusters of several classes around a circle.
    Blobs {
        /// The number of classes, from 2 to 10.
        classes: usize,
    },
}

impl TwoD {
    /// Makes `n` points of this set with the given `noise` (0 to 0.5).
    pub fn generate(self, n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
        match self {
            TwoD::Circle => circle(n, noise, rng),
            TwoD::Xor => xor(n, noise, rng),
            TwoD::Gaussians => gaussians(n, noise, rng),
            TwoD::Spiral => spiral(n, noise, rng),
            TwoD::Moons => moons(n, noise, rng),
            TwoD::Blobs { classes } => blobs(n, classes, noise, rng),
        }
    }

    /// A short identifier for URLs and menus ("circle", "xor", "gauss", "spiral", "moons", "blobs").
    pub fn id(&self) -> &'static str {
        match self {
            TwoD::Circle => "circle",
            TwoD::Xor => "xor",
            TwoD::Gaussians => "gauss",
            TwoD::Spiral => "spiral",
            TwoD::Moons => "moons",
            TwoD::Blobs { .. } => "blobs",
        }
    }
}

/// A uniform number in `[a, b)`: the Playground's `randUniform`.
fn uniform(rng: &mut Rng, a: f64, b: f64) -> f64 {
    rng.next_f64() * (b - a) + a
}

/// A normal sample of the given mean and variance by the polar method: the Playground's
/// `normalRandom`.
fn polar_normal(rng: &mut Rng, mean: f64, variance: f64) -> f64 {
    loop {
        let v1 = 2.0 * rng.next_f64() - 1.0;
        let v2 = 2.0 * rng.next_f64() - 1.0;
        let s = v1 * v1 + v2 * v2;
        // The Playground accepts `s == 0` (it then returns NaN); we draw again instead.
        if s <= 1.0 && s > 0.0 {
            return mean + variance.sqrt() * (-2.0 * s.ln() / s).sqrt() * v1;
        }
    }
}

/// The Playground's cluster variance for a noise level: linear from 0.5 at noise 0 to 4 at 0.5.
fn cluster_variance(noise: f64) -> f64 {
    0.5 + noise / 0.5 * 3.5
}

/// Checks the noise level and returns it in `f64`.
fn check_noise(noise: f32) -> Result<f64> {
    check_range("noise", noise, 0.0, MAX_NOISE).map(f64::from)
}

/// Builds a binary dataset from points and labels (1 for the Playground's +1).
fn binary(points: &[[f64; 2]], labels: Vec<usize>) -> Result<Dataset> {
    Dataset::binary(points_matrix(points), labels)
}

/// A disc of class 1 (radius 2.5) inside a ring of class 0 (radius 3.5 to 5).
///
/// Half the points (the first `⌈n/2⌉`) are drawn in the disc, the rest in the ring, at a uniform
/// radius and angle. With noise, each point's label is that of the point shifted by
/// `U(−5, 5)·noise` in each coordinate, so labels blur near the boundary while points stay put.
pub fn circle(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    let n = check_samples(n, 2)?;
    let noise = check_noise(noise)?;
    let radius = 5.0;
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for (count, r_lo, r_hi) in [
        (n.div_ceil(2), 0.0, radius * 0.5),
        (n / 2, radius * 0.7, radius),
    ] {
        for _ in 0..count {
            let r = uniform(rng, r_lo, r_hi);
            let angle = uniform(rng, 0.0, TAU);
            let x = r * angle.sin();
            let y = r * angle.cos();
            let noise_x = uniform(rng, -radius, radius) * noise;
            let noise_y = uniform(rng, -radius, radius) * noise;
            let inside = (x + noise_x).hypot(y + noise_y) < radius * 0.5;
            points.push([x, y]);
            labels.push(usize::from(inside));
        }
    }
    binary(&points, labels)
}

/// Class 1 where `x₁·x₂ ≥ 0`, class 0 elsewhere, in `[−5.3, 5.3]²` with a 0.3 gap along the axes.
///
/// With noise the label is that of the point shifted by `U(−5, 5)·noise` in each coordinate.
pub fn xor(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    let n = check_samples(n, 2)?;
    let noise = check_noise(noise)?;
    let padding = 0.3;
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let mut x = uniform(rng, -5.0, 5.0);
        x += if x > 0.0 { padding } else { -padding };
        let mut y = uniform(rng, -5.0, 5.0);
        y += if y > 0.0 { padding } else { -padding };
        let noise_x = uniform(rng, -5.0, 5.0) * noise;
        let noise_y = uniform(rng, -5.0, 5.0) * noise;
        points.push([x, y]);
        labels.push(usize::from((x + noise_x) * (y + noise_y) >= 0.0));
    }
    binary(&points, labels)
}

/// Two gaussian clusters: class 1 around (2, 2) first (`⌈n/2⌉` points), then class 0 around
/// (−2, −2); the variance grows from 0.5 at noise 0 to 4 at noise 0.5.
pub fn gaussians(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    let n = check_samples(n, 2)?;
    let variance = cluster_variance(check_noise(noise)?);
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for (count, centre, label) in [(n.div_ceil(2), 2.0, 1), (n / 2, -2.0, 0)] {
        for _ in 0..count {
            let x = polar_normal(rng, centre, variance);
            let y = polar_normal(rng, centre, variance);
            points.push([x, y]);
            labels.push(label);
        }
    }
    binary(&points, labels)
}

/// The points of one spiral arm: for `i` in `0..m`, `r = i/m·5`, `t = 1.75·i/m·2π + δ`, the point
/// `(r·sin t, r·cos t)`, each coordinate jittered by `U(−1, 1)·noise`.
fn spiral_arm(m: usize, delta: f64, noise: f64, rng: &mut Rng, points: &mut Vec<[f64; 2]>) {
    for i in 0..m {
        let frac = i as f64 / m as f64;
        let r = frac * 5.0;
        let t = 1.75 * frac * TAU + delta;
        let mut x = r * t.sin();
        let mut y = r * t.cos();
        if noise > 0.0 {
            x += uniform(rng, -1.0, 1.0) * noise;
            y += uniform(rng, -1.0, 1.0) * noise;
        }
        points.push([x, y]);
    }
}

/// Two spiral arms: class 1 (`δ = 0`, `⌈n/2⌉` points) first, then class 0 (`δ = π`); see
/// [`spiral500`] for the formula. Noise jitters each coordinate by `U(−1, 1)·noise`.
///
/// (The Playground draws the jitter even at noise 0; this draws none then, so the noise-free
/// spiral consumes no random numbers.)
pub fn spiral(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    let n = check_samples(n, 2)?;
    let noise = check_noise(noise)?;
    let mut points = Vec::with_capacity(n);
    spiral_arm(n.div_ceil(2), 0.0, noise, rng, &mut points);
    spiral_arm(n / 2, PI, noise, rng, &mut points);
    let labels = (0..n).map(|i| usize::from(i < n.div_ceil(2))).collect();
    binary(&points, labels)
}

/// The spiral of the training-speed workloads (W1, W2), exactly as the workload defines it.
///
/// For `i` in `0..250`: `r = i/250·5`, `t = 1.75·i/250·2π + δ`, the point `(r·sin t, r·cos t)`;
/// first the arm `δ = 0` (label +1, class 1), then the arm `δ = π` (label −1, class 0); then the
/// 500 points are shuffled once by Fisher–Yates with `Rng::new(1234)`. Computed in `f64`, rounded
/// once to `f32`. Use [`Dataset::signed_targets`] for the ±1 targets of W1 and the labels (or
/// [`Dataset::to_multiclass`]) for the classes of W2.
pub fn spiral500() -> Dataset {
    let mut points = Vec::with_capacity(500);
    let mut rng = Rng::new(1234);
    spiral_arm(250, 0.0, 0.0, &mut rng, &mut points);
    spiral_arm(250, PI, 0.0, &mut rng, &mut points);
    let order = shuffled_order(500, &mut rng);
    let shuffled: Vec<[f64; 2]> = order.iter().map(|&i| points[i]).collect();
    let labels = order.iter().map(|&i| usize::from(i < 250)).collect();
    Dataset {
        x: points_matrix(&shuffled),
        targets: crate::tensor::Matrix::from_fn(500, 1, |r, _| usize::from(order[r] < 250) as f32),
        labels: Some(labels),
        task: Task::Binary,
        sample_shape: Shape::Flat(2),
    }
}

/// Two interleaved half circles, scikit-learn's `make_moons` scaled by 4 about its centre.
///
/// Unscaled, the first `⌊n/2⌋` points (class 0) are `(cos θ, sin θ)` and the other `⌈n/2⌉`
/// (class 1) are `(1 − cos θ, 0.5 − sin θ)`, for `θ` evenly spaced over `[0, π]` (endpoints
/// included), as scikit-learn makes them; each coordinate then gets gaussian noise of standard
/// deviation `noise` (scikit-learn's `noise`), and the point is mapped to `4·(x − 0.5, y − 0.25)`,
/// which puts the noise-free moons in `[−6, 6] × [−3, 3]`. Unlike scikit-learn's default, the
/// points are not shuffled.
pub fn moons(n: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    let n = check_samples(n, 2)?;
    let noise = check_noise(noise)?;
    let n_out = n / 2;
    let n_in = n - n_out;
    // `np.linspace(0, π, m)`: step π/(m−1), or just 0 when m is 1.
    let angle = |i: usize, m: usize| {
        if m > 1 {
            PI * i as f64 / (m - 1) as f64
        } else {
            0.0
        }
    };
    let mut points = Vec::with_capacity(n);
    for i in 0..n_out {
        let t = angle(i, n_out);
        points.push([t.cos(), t.sin()]);
    }
    for i in 0..n_in {
        let t = angle(i, n_in);
        points.push([1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
    }
    for p in &mut points {
        if noise > 0.0 {
            p[0] += noise * f64::from(rng.normal());
            p[1] += noise * f64::from(rng.normal());
        }
        *p = [4.0 * (p[0] - 0.5), 4.0 * (p[1] - 0.25)];
    }
    let labels = (0..n).map(|i| usize::from(i >= n_out)).collect();
    binary(&points, labels)
}

/// Gaussian clusters of `classes` classes (2 to 10), centred on a circle of radius 4.
///
/// Class `j`'s centre is at angle `π/2 + 2πj/classes` (class 0 at the top); class `j` gets
/// `⌊n/classes⌋` points, plus one for the first `n mod classes` classes, in class order. Each
/// coordinate is normal around the centre with the [`gaussians`] variance (0.5 at noise 0, 4 at
/// noise 0.5). Targets are one-hot.
pub fn blobs(n: usize, classes: usize, noise: f32, rng: &mut Rng) -> Result<Dataset> {
    if !(2..=10).contains(&classes) {
        return Err(crate::error::EngineError::hyper(
            "number of classes",
            classes,
            "it must be from 2 to 10",
        ));
    }
    let n = check_samples(n, classes)?;
    let variance = cluster_variance(check_noise(noise)?);
    let mut points = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for class in 0..classes {
        let count = n / classes + usize::from(class < n % classes);
        let angle = PI / 2.0 + TAU * class as f64 / classes as f64;
        let (cx, cy) = (4.0 * angle.cos(), 4.0 * angle.sin());
        for _ in 0..count {
            let x = polar_normal(rng, cx, variance);
            let y = polar_normal(rng, cy, variance);
            points.push([x, y]);
            labels.push(class);
        }
    }
    Dataset::multiclass(points_matrix(&points), labels, classes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;

    const ALL: [TwoD; 6] = [
        TwoD::Circle,
        TwoD::Xor,
        TwoD::Gaussians,
        TwoD::Spiral,
        TwoD::Moons,
        TwoD::Blobs { classes: 3 },
    ];

    #[test]
    fn spiral500_first_points_from_the_formula() {
        let d = spiral500();
        assert_eq!(d.len(), 500);
        assert_eq!(d.task(), Task::Binary);
        // Recompute the unshuffled points by hand and the shuffle order with the same seed: row k
        // of the data is unshuffled point order[k], where order = shuffle(0..500, mulberry32(1234)).
        let mut order: Vec<usize> = (0..500).collect();
        Rng::new(1234).shuffle(&mut order);
        for k in 0..5 {
            let j = order[k];
            let (i, delta, label) = if j < 250 {
                (j, 0.0, 1)
            } else {
                (j - 250, PI, 0)
            };
            let r = i as f64 / 250.0 * 5.0;
            let t = 1.75 * i as f64 / 250.0 * 2.0 * PI + delta;
            assert_eq!(d.x()[(k, 0)], (r * t.sin()) as f32, "row {k}");
            assert_eq!(d.x()[(k, 1)], (r * t.cos()) as f32, "row {k}");
            assert_eq!(d.labels().unwrap()[k], label);
            assert_eq!(
                d.signed_targets().unwrap()[(k, 0)],
                if label == 1 { 1.0 } else { -1.0 }
            );
        }
    }

    #[test]
    fn spiral500_hand_values() {
        // Unshuffled point i = 1 of arm +1: r = 1/250·5 = 0.02, t = 1.75·2π/250 = 0.0439823 rad,
        // so (0.02·sin t, 0.02·cos t) = (0.000879362, 0.0199807). Find it among the shuffled rows.
        let d = spiral500();
        let rows = crate::tensor::to_rows(d.x());
        let find = |p: [f32; 2]| {
            rows.iter()
                .position(|r| (r[0] - p[0]).abs() < 1e-6 && (r[1] - p[1]).abs() < 1e-6)
        };
        let k = find([0.000_879_362, 0.019_980_7]).expect("point 1 of arm +1");
        assert_eq!(d.labels().unwrap()[k], 1);
        // Arm −1 (δ = π) point 1 is its negation.
        let k = find([-0.000_879_362, -0.019_980_7]).expect("point 1 of arm −1");
        assert_eq!(d.labels().unwrap()[k], 0);
        // The last point of arm +1, i = 249: r = 4.98, t = 1.75·2π·249/250 = 10.951592 rad,
        // sin t = −0.999033, cos t = −0.043968 → (−4.975184, −0.218961).
        let k = find([-4.975_184, -0.218_961]).expect("point 249 of arm +1");
        assert_eq!(d.labels().unwrap()[k], 1);
        // Both arms start at the origin.
        assert_eq!(
            rows.iter().filter(|r| r[0] == 0.0 && r[1] == 0.0).count(),
            2
        );
        assert_eq!(d.class_counts(), Some(vec![250, 250]));
    }

    #[test]
    fn same_seed_same_data() {
        for set in ALL {
            let a = set.generate(101, 0.3, &mut Rng::new(5)).unwrap();
            let b = set.generate(101, 0.3, &mut Rng::new(5)).unwrap();
            assert_eq!(a, b, "{}", set.id());
            let c = set.generate(101, 0.3, &mut Rng::new(6)).unwrap();
            assert_ne!(a, c, "{}", set.id());
        }
    }

    #[test]
    fn classes_are_balanced_and_in_range() {
        for set in ALL {
            for n in [2, 3, 100, 101] {
                let d = set.generate(n.max(3), 0.0, &mut Rng::new(1)).unwrap();
                assert_eq!(d.len(), n.max(3));
                let counts = d.class_counts().unwrap();
                let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
                if set != TwoD::Xor {
                    assert!(hi - lo <= 1, "{} counts {counts:?}", set.id());
                }
                for v in d.x().iter() {
                    assert!(v.abs() <= 6.5, "{} has {v}", set.id());
                }
            }
        }
    }

    #[test]
    fn noise_free_labels_follow_the_rule() {
        let d = circle(200, 0.0, &mut Rng::new(2)).unwrap();
        for (r, &l) in d.labels().unwrap().iter().enumerate() {
            let dist = d.x()[(r, 0)].hypot(d.x()[(r, 1)]);
            assert_eq!(l, usize::from(dist < 2.5));
        }
        let d = xor(200, 0.0, &mut Rng::new(2)).unwrap();
        for (r, &l) in d.labels().unwrap().iter().enumerate() {
            let (x, y) = (d.x()[(r, 0)], d.x()[(r, 1)]);
            assert!(x.abs() >= 0.3 && y.abs() >= 0.3);
            assert_eq!(l, usize::from(x * y >= 0.0));
        }
    }

    #[test]
    fn moons_noise_free_endpoints() {
        // n = 4: outer θ ∈ {0, π} → (cos θ, sin θ) = (1, 0), (−1, 0); inner θ ∈ {0, π} →
        // (1 − cos θ, 0.5 − sin θ) = (0, 0.5), (2, 0.5). Mapped by 4·(x − 0.5, y − 0.25):
        // (2, −1), (−6, −1), (−2, 1), (6, 1).
        let d = moons(4, 0.0, &mut Rng::new(0)).unwrap();
        let want = [[2.0, -1.0], [-6.0, -1.0], [-2.0, 1.0], [6.0, 1.0]];
        for (r, w) in want.iter().enumerate() {
            assert!((d.x()[(r, 0)] - w[0]).abs() < 1e-6 && (d.x()[(r, 1)] - w[1]).abs() < 1e-6);
        }
        assert_eq!(d.labels().unwrap(), &[0, 0, 1, 1]);
    }

    #[test]
    fn gaussian_spread_follows_noise() {
        // At noise 0 each coordinate has variance 0.5 around ±2.
        let d = gaussians(4000, 0.0, &mut Rng::new(8)).unwrap();
        let xs: Vec<f32> = (0..2000).map(|r| d.x()[(r, 0)]).collect();
        let mean = xs.iter().sum::<f32>() / 2000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / 2000.0;
        assert!((mean - 2.0).abs() < 0.06, "mean {mean}");
        assert!((var - 0.5).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn bad_parameters_are_refused() {
        let mut rng = Rng::new(0);
        assert!(circle(1, 0.0, &mut rng).is_err());
        assert!(circle(100, 0.6, &mut rng).is_err());
        assert!(spiral(100, f32::NAN, &mut rng).is_err());
        assert!(moons(crate::data::MAX_SAMPLES + 1, 0.0, &mut rng).is_err());
        assert!(blobs(100, 11, 0.0, &mut rng).is_err());
        assert!(blobs(2, 3, 0.0, &mut rng).is_err());
    }

    proptest! {
        #[test]
        fn generators_never_panic(
            which in 0usize..6, n in 0usize..300, noise in prop::num::f32::ANY, seed in any::<u32>()
        ) {
            let set = ALL[which];
            let _ = set.generate(n, noise, &mut Rng::new(seed));
        }
    }
}
