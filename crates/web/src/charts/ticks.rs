//! Axis ticks: where ticks go and how many decimals their labels need.
//!
//! Charts drawn with plotters (line, bars, scatter) get their tick positions from plotters' mesh;
//! the line and bar charts take their label decimals from [`tick_decimals`]. Charts that draw their own axes on a 2-D
//! context (the heatmap) take positions from [`ticks_into`], which prefers steps that land on
//! both ends of the range, and decimals from [`step_decimals`], which knows the step exactly.

/// How many decimals an axis needs so that neighbouring ticks read differently: about
/// `ticks` labels over `range` are about `(end − start) / ticks` apart, and a step of `10^−k`
/// needs `k` decimals (never more than 4, never fewer than 0).
pub fn tick_decimals(range: &std::ops::Range<f64>, ticks: usize) -> usize {
    let step = (range.end - range.start).abs() / ticks.max(1) as f64;
    if !step.is_finite() || step <= 0.0 {
        return 1;
    }
    (-step.log10()).ceil().clamp(0.0, 4.0) as usize
}

/// Tick positions for `lo..hi`: at most `max_count` multiples of the smallest step from
/// 1, 2, 2.5, 3 or 5 × 10ᵏ, preferring a step that lands on both ends (−6, −3, 0, 3, 6 for
/// −6..6). Writes into `out` (reused) and returns the step.
pub fn ticks_into(lo: f32, hi: f32, max_count: usize, out: &mut Vec<f32>) -> f32 {
    out.clear();
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 || max_count < 2 {
        if lo.is_finite() {
            out.push(lo);
        }
        return 0.0;
    }
    // A step is `mult × 10^exp`; tick k is computed as `k·mult` scaled by an exact power of ten,
    // so 0.25 and 0.75 come out exact instead of accumulating rounding.
    let at = |k: i64, mult: f64, exp: i32| {
        let v = k as f64 * mult;
        if exp >= 0 {
            v * 10f64.powi(exp)
        } else {
            v / 10f64.powi(-exp)
        }
    };
    let (lo64, hi64) = (f64::from(lo), f64::from(hi));
    let range = |mult: f64, exp: i32| {
        let step = at(1, mult, exp);
        let first = (lo64 / step - 1e-6).ceil() as i64;
        let last = (hi64 / step + 1e-6).floor() as i64;
        let lands = (at(first, mult, exp) - lo64).abs() < step * 1e-6
            && (at(last, mult, exp) - hi64).abs() < step * 1e-6;
        (first, last, lands)
    };
    let exp0 = (f64::from(span) / max_count as f64).log10().floor() as i32 - 1;
    let mut fallback = None;
    let mut chosen = None;
    'search: for exp in exp0..exp0 + 4 {
        for mult in [1.0, 2.0, 2.5, 3.0, 5.0] {
            let (first, last, lands) = range(mult, exp);
            let count = last - first + 1;
            if count >= 2 && count <= max_count as i64 {
                if lands {
                    chosen = Some((mult, exp));
                    break 'search;
                }
                fallback.get_or_insert((mult, exp));
            }
        }
    }
    let Some((mult, exp)) = chosen.or(fallback) else {
        out.extend([lo, hi]);
        return span;
    };
    let (first, last, _) = range(mult, exp);
    // Adding 0.0 turns a "−0" tick into 0.
    out.extend((first..=last).map(|k| at(k, mult, exp) as f32 + 0.0));
    at(1, mult, exp) as f32
}

/// How many decimals a tick label needs for ticks exactly `step` apart (as [`ticks_into`] returns):
/// the fewest that write the step itself without rounding (3 → 0, 0.5 → 1, 0.25 → 2).
pub fn step_decimals(step: f32) -> usize {
    (0..4)
        .find(|&d| {
            let scaled = step * 10f32.powi(d);
            (scaled - scaled.round()).abs() < 1e-3
        })
        .unwrap_or(3) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_get_enough_decimals_to_differ() {
        assert_eq!(tick_decimals(&(0.0..50.0), 7), 0);
        assert_eq!(tick_decimals(&(0.0..2.5), 7), 1);
        assert_eq!(tick_decimals(&(0.1..0.24), 6), 2);
        assert_eq!(tick_decimals(&(0.0..0.7), 7), 1);
        assert_eq!(tick_decimals(&(0.0..0.0), 7), 1);
        assert_eq!(tick_decimals(&(0.0..f64::INFINITY), 7), 1);
        assert_eq!(tick_decimals(&(0.0..1e-9), 7), 4);
    }

    #[test]
    fn ticks_land_on_round_numbers_across_the_range() {
        let mut t = Vec::new();
        assert_eq!(ticks_into(-6.0, 6.0, 5, &mut t), 3.0);
        assert_eq!(t, [-6.0, -3.0, 0.0, 3.0, 6.0]);
        ticks_into(-1.0, 1.0, 5, &mut t);
        assert_eq!(t, [-1.0, -0.5, 0.0, 0.5, 1.0]);
        ticks_into(0.0, 1.0, 5, &mut t);
        assert_eq!(t, [0.0, 0.25, 0.5, 0.75, 1.0]);
        ticks_into(-5.0, 5.0, 5, &mut t);
        assert!(t.len() <= 5 && t.contains(&0.0), "{t:?}");
        assert_eq!(step_decimals(3.0), 0);
        assert_eq!(step_decimals(0.5), 1);
        assert_eq!(step_decimals(0.25), 2);
        // A degenerate range gets one tick, not a panic.
        ticks_into(2.0, 2.0, 5, &mut t);
        assert_eq!(t, [2.0]);
    }
}
