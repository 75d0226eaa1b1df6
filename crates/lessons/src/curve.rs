//! Sampling a function and its derivative on an even grid, for the figures that plot both
//! (activation functions, margin losses).

/// Samples `f` and `df` at `n` evenly spaced inputs over `[lo, hi]`: returns the columns
/// `(x, f(x), f'(x))`. `n` is at least 2, so both ends are always included.
pub fn sample(
    lo: f32,
    hi: f32,
    n: usize,
    f: impl Fn(f32) -> f32,
    df: impl Fn(f32) -> f32,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let n = n.max(2);
    let xs: Vec<f32> = (0..n)
        .map(|i| lo + (hi - lo) * i as f32 / (n - 1) as f32)
        .collect();
    let ys = xs.iter().map(|&x| f(x)).collect();
    let ds = xs.iter().map(|&x| df(x)).collect();
    (xs, ys, ds)
}
