//! The activation-functions figure's numbers: each activation and its derivative sampled for
//! plotting, and the regions where the derivative is so small that the gradient vanishes.

use spiega_nn::activation::Activation;

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
}
