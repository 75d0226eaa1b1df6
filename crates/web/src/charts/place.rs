//! Placing point labels so that none covers another.
//!
//! [`spread`] takes the spots where labels would sit (their points) and moves the ones closer
//! than a gap apart, a little at a time and never further than needed, until every pair is at
//! least the gap apart or the area is too crowded to allow it. The chart then draws each label at
//! its spot and a thin line back to its point when the two differ. The result depends only on
//! the input, so a redraw of the same numbers puts every label in the same place.

/// Spots in canvas pixels, `(x, y)`, one per label.
pub type Spots = Vec<(f64, f64)>;

/// How many rounds of pushing overlapping pairs apart before giving up on a crowded area.
const ROUNDS: usize = 200;

/// The spots for labels at `points` so that no two centres are closer than `gap`, each kept
/// inside `area` (`x0, y0, x1, y1`). Labels already `gap` apart do not move.
pub fn spread(points: &[(f64, f64)], gap: f64, area: (f64, f64, f64, f64)) -> Spots {
    let (x0, y0, x1, y1) = area;
    let clamp = |(x, y): (f64, f64)| (x.clamp(x0, x1.max(x0)), y.clamp(y0, y1.max(y0)));
    let mut spots: Spots = points.iter().copied().map(clamp).collect();
    for _ in 0..ROUNDS {
        let mut moved = false;
        for i in 0..spots.len() {
            for j in i + 1..spots.len() {
                let (dx, dy) = (spots[j].0 - spots[i].0, spots[j].1 - spots[i].1);
                let d = dx.hypot(dy);
                if d >= gap {
                    continue;
                }
                // Apart along the line between them; labels on the same spot part along a
                // direction set by their indices, so the result is the same every time.
                let (ux, uy) = if d > 1e-9 {
                    (dx / d, dy / d)
                } else {
                    let angle = (i * 7 + j * 13) as f64;
                    (angle.cos(), angle.sin())
                };
                // A hair past the gap, so that rounding never leaves a pair just short of it.
                let push = (gap - d) / 2.0 + 1e-6;
                spots[i] = clamp((spots[i].0 - ux * push, spots[i].1 - uy * push));
                spots[j] = clamp((spots[j].0 + ux * push, spots[j].1 + uy * push));
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    spots
}

/// The distance between the closest two spots (infinite for fewer than two).
pub fn closest_pair(spots: &[(f64, f64)]) -> f64 {
    let mut best = f64::INFINITY;
    for (i, a) in spots.iter().enumerate() {
        for b in &spots[i + 1..] {
            best = best.min((a.0 - b.0).hypot(a.1 - b.1));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_far_apart_stay_where_they_are() {
        let points = [(10.0, 10.0), (60.0, 10.0), (10.0, 60.0)];
        assert_eq!(spread(&points, 18.0, (0.0, 0.0, 100.0, 100.0)), points);
    }

    #[test]
    fn labels_that_touch_are_moved_apart_by_no_more_than_needed() {
        let points = [(50.0, 50.0), (55.0, 50.0), (50.0, 50.0), (80.0, 80.0)];
        let spots = spread(&points, 18.0, (0.0, 0.0, 100.0, 100.0));
        assert_eq!(spots.len(), points.len());
        assert!(closest_pair(&spots) >= 18.0, "{spots:?}");
        for (p, s) in points.iter().zip(&spots) {
            assert!((p.0 - s.0).hypot(p.1 - s.1) < 30.0, "{p:?} moved to {s:?}");
        }
        assert_eq!(spread(&points, 18.0, (0.0, 0.0, 100.0, 100.0)), spots);
    }

    #[test]
    fn labels_stay_inside_their_area() {
        let points = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (99.0, 99.0)];
        let spots = spread(&points, 18.0, (5.0, 5.0, 95.0, 95.0));
        for s in &spots {
            assert!(
                (5.0..=95.0).contains(&s.0) && (5.0..=95.0).contains(&s.1),
                "{s:?}"
            );
        }
        assert!(closest_pair(&spots) >= 18.0, "{spots:?}");
    }
}
