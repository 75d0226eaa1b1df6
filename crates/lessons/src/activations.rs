//! The activation-functions figure's numbers: each activation and its derivative sampled for
//! plotting, and the regions where the derivative is so small that the gradient vanishes.

use spiega_nn::activation::Activation;

/// Below this slope the figure shades the input as "vanishing gradient".
pub const VANISHING: f32 = 0.05;

/// Points the figure samples across its visible range.
pub const SAMPLES: usize = 481;

/// Samples `g` and `g'` at `n` evenly spaced inputs over `[lo, hi]` (for plotting): returns
/// `(x, g(x), g'(x))` columns. `n` is at least 2.
pub fn sample_curve(
    act: &Activation,
    lo: f32,
    hi: f32,
    n: usize,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    crate::curve::sample(lo, hi, n, |x| act.value(x), |x| act.derivative(x))
}

/// The intervals of `[lo, hi]` where the gradient vanishes, `|g'(x)| < threshold`, found on a grid
/// of `n` points and each boundary then refined by bisection to within `1e-6` of the grid step;
/// each interval is `(start, end)` in input units, in increasing order.
pub fn vanishing_intervals(
    act: &Activation,
    lo: f32,
    hi: f32,
    n: usize,
    threshold: f32,
) -> Vec<(f32, f32)> {
    let vanishes = |x: f32| act.derivative(x).abs() < threshold;
    // The boundary between a point where the predicate is `inside` and one where it is not.
    let refine = |mut a: f32, mut b: f32, inside: bool| {
        for _ in 0..24 {
            let mid = 0.5 * (a + b);
            if vanishes(mid) == inside {
                a = mid;
            } else {
                b = mid;
            }
        }
        0.5 * (a + b)
    };
    let (xs, _, _) = sample_curve(act, lo, hi, n);
    let mut out = Vec::new();
    let mut start: Option<f32> = None;
    let mut prev = lo;
    for &x in &xs {
        match (vanishes(x), start) {
            (true, None) => start = Some(if x == lo { lo } else { refine(x, prev, true) }),
            (false, Some(s)) => {
                out.push((s, refine(prev, x, true)));
                start = None;
            }
            _ => {}
        }
        prev = x;
    }
    if let Some(s) = start {
        out.push((s, hi));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vanishing_regions_of_sigmoid_are_both_tails() {
        let v = vanishing_intervals(&Activation::Sigmoid, -8.0, 8.0, 1601, 0.05);
        assert_eq!(v.len(), 2);
        // σ'(x) = 0.05 where σ(x)(1−σ(x)) = 0.05, i.e. |x| = ln((1+√0.8)/(1−√0.8)) ≈ 2.887.
        assert!((v[0].1 + 2.887).abs() < 1e-3, "{v:?}");
        assert!((v[1].0 - 2.887).abs() < 1e-3, "{v:?}");
        // ReLU's slope jumps at 0: the band ends there, not at the next grid point.
        let r = vanishing_intervals(&Activation::Relu, -3.0, 3.0, 481, 0.05);
        assert_eq!(r.len(), 1);
        assert!(r[0].1.abs() < 1e-6, "{r:?}");
        assert!(vanishing_intervals(&Activation::Relu, 0.5, 3.0, 100, 0.05).is_empty());
        assert_eq!(
            vanishing_intervals(&Activation::Relu, -3.0, -1.0, 100, 0.05),
            vec![(-3.0, -1.0)]
        );
    }

    /// The bands the figure shades over its opening range, ±6.
    fn bands(act: Activation) -> Vec<(f32, f32)> {
        vanishing_intervals(&act, -6.0, 6.0, SAMPLES, VANISHING)
    }

    #[test]
    fn the_prose_numbers_of_the_activation_figure() {
        // σ'(4) = σ(4)(1 − σ(4)) = 0.98201 · 0.01799 = 0.01766, which the prose rounds to 0.018.
        let slope = Activation::Sigmoid.derivative(4.0);
        assert!((slope - 0.01766).abs() < 5e-5, "{slope}");
        // The sigmoid's bands start at ±2.887 (see above), tanh's where 1 − tanh² z = 0.05,
        // |z| = atanh(√0.95) = 2.178.
        let s = bands(Activation::Sigmoid);
        assert_eq!(s.len(), 2);
        assert!(
            (s[0].1 + 2.887).abs() < 1e-3 && (s[1].0 - 2.887).abs() < 1e-3,
            "{s:?}"
        );
        let t = bands(Activation::Tanh);
        assert_eq!(t.len(), 2);
        assert!(
            (t[0].1 + 2.178).abs() < 1e-3 && (t[1].0 - 2.178).abs() < 1e-3,
            "{t:?}"
        );
        // ReLU: the whole negative half (its slope is 0 there, and at 0 itself).
        let r = bands(Activation::Relu);
        assert_eq!(r.len(), 1);
        assert!(r[0].0 == -6.0 && r[0].1.abs() < 1e-6, "{r:?}");
        // Leaky ReLU: the negative half below a slope of 0.05, nothing from 0.05 on.
        assert_eq!(bands(Activation::LeakyRelu { slope: 0.04 }).len(), 1);
        assert!(bands(Activation::LeakyRelu { slope: 0.05 }).is_empty());
        assert!(bands(Activation::LeakyRelu { slope: 0.1 }).is_empty());
        // Swish z σ(κz) dips to about −0.2785/κ, at κz ≈ −1.2785 (where 1 + u(1 − σ(u)) = 0
        // for u = κz), and so turns into ReLU as κ grows: it is never further from ReLU than that.
        for kappa in [1.0_f32, 2.0, 5.0] {
            let swish = Activation::Swish { beta: kappa };
            let (xs, ys, _) = sample_curve(&swish, -6.0, 6.0, 12001);
            let (at, low) =
                xs.iter().zip(&ys).fold(
                    (0.0, f32::MAX),
                    |a, (&x, &y)| if y < a.1 { (x, y) } else { a },
                );
            assert!((low + 0.2785 / kappa).abs() < 1e-3, "κ = {kappa}: {low}");
            assert!((at + 1.2785 / kappa).abs() < 2e-3, "κ = {kappa}: at {at}");
            let furthest = xs
                .iter()
                .zip(&ys)
                .map(|(&x, &y)| (y - Activation::Relu.value(x)).abs())
                .fold(0.0, f32::max);
            assert!(
                (furthest - 0.2785 / kappa).abs() < 1e-3,
                "κ = {kappa}: {furthest}"
            );
        }
    }

    /// Try this (activations): ReLU probed at z = −2 has slope 0, and the band covers the whole
    /// negative half of the opening range.
    #[test]
    fn try_relu_has_no_slope_below_zero() {
        assert_eq!(Activation::Relu.derivative(-2.0), 0.0);
        let r = bands(Activation::Relu);
        assert_eq!(r.len(), 1);
        assert!(r[0].0 == -6.0 && r[0].1.abs() < 1e-6, "{r:?}");
    }

    /// Try this (activations): leaky ReLU with slope 0.04 is shaded over the whole negative half,
    /// though its slope there is 0.04, never zero; one notch up, at 0.05, nothing is shaded.
    #[test]
    fn try_leaky_relu_band_goes_at_a_slope_of_005() {
        let leaky = Activation::LeakyRelu { slope: 0.04 };
        for z in [-6.0, -2.0, -0.01] {
            assert!((leaky.derivative(z) - 0.04).abs() < 1e-7, "z = {z}");
        }
        let b = bands(Activation::LeakyRelu { slope: 0.04 });
        assert_eq!(b.len(), 1);
        assert!(b[0].0 == -6.0 && b[0].1.abs() < 1e-6, "{b:?}");
        assert!(bands(Activation::LeakyRelu { slope: 0.05 }).is_empty());
    }

    /// Try this (activations): Swish at κ = 5 dips to −0.056 (−0.28 at κ = 1) and is never
    /// further than that from ReLU.
    #[test]
    fn try_sharp_swish_is_close_to_relu() {
        let dip = |kappa: f32| {
            let (_, ys, _) = sample_curve(&Activation::Swish { beta: kappa }, -6.0, 6.0, 12001);
            ys.iter().copied().fold(f32::MAX, f32::min)
        };
        assert!((dip(1.0) + 0.28).abs() < 0.005, "{}", dip(1.0));
        assert!((dip(5.0) + 0.056).abs() < 0.0005, "{}", dip(5.0));
        let (xs, ys, _) = sample_curve(&Activation::Swish { beta: 5.0 }, -6.0, 6.0, 12001);
        let furthest = xs
            .iter()
            .zip(&ys)
            .map(|(&x, &y)| (y - Activation::Relu.value(x)).abs())
            .fold(0.0, f32::max);
        assert!((furthest - 0.056).abs() < 0.0005, "{furthest}");
    }
}
