//! The one seeded random-number generator the engine uses, passed in explicitly.
//!
//! It is mulberry32, the generator the training-speed workloads are defined with, so that a run
//! in the page, a native test and a JavaScript peer see the same numbers from the same seed. It is
//! small, fast and identical on every platform; it is not for cryptography.

/// A mulberry32 generator: 32 bits of state, one `u32` per call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rng {
    state: u32,
}

impl Rng {
    /// A generator whose first output depends only on `seed`.
    pub fn new(seed: u32) -> Self {
        Self { state: seed }
    }

    /// The current state, from which [`Rng::new`] resumes the same stream.
    pub fn state(&self) -> u32 {
        self.state
    }

    /// The next raw 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        self.state = self.state.wrapping_add(0x6D2B_79F5);
        let mut t = self.state;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        t ^ (t >> 14)
    }

    /// A uniform number in `[0, 1)`, exactly `next_u32() / 2³²` (computed in `f64`).
    pub fn next_f64(&mut self) -> f64 {
        f64::from(self.next_u32()) / 4_294_967_296.0
    }

    /// A uniform number in `[0, 1)` as `f32` (rounded from [`Rng::next_f64`], clamped below 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next_f64() as f32).min(1.0 - f32::EPSILON / 2.0)
    }

    /// A uniform number in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.uniform()
    }

    /// A uniform index in `0..n` (`n` > 0), as `floor(next_f64() · n)`.
    pub fn index(&mut self, n: usize) -> usize {
        ((self.next_f64() * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// A standard normal sample (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.next_f64().max(f64::MIN_POSITIVE);
        let u2 = self.next_f64();
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }

    /// `true` with probability `p`.
    pub fn bernoulli(&mut self, p: f32) -> bool {
        self.next_f64() < f64::from(p)
    }

    /// Shuffles `items` in place with Fisher–Yates, `i` from `n-1` down to 1, `j = index(i+1)`.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_mulberry32() {
        // First outputs of mulberry32(42) from the common JavaScript implementation
        // (Math.imul form) run under Node: 2581720956, 1925393290, 3661312704.
        let mut rng = Rng::new(42);
        let first: Vec<u32> = (0..3).map(|_| rng.next_u32()).collect();
        assert_eq!(first, vec![2_581_720_956, 1_925_393_290, 3_661_312_704]);
    }

    #[test]
    fn uniform_stays_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn normal_has_unit_spread() {
        let mut rng = Rng::new(3);
        let n = 20_000;
        let xs: Vec<f32> = (0..n).map(|_| rng.normal()).collect();
        let mean = xs.iter().sum::<f32>() / n as f32;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n as f32;
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<usize> = (0..50).collect();
        Rng::new(1234).shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }
}
