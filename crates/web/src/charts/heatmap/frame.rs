//! The plot frame: where the plot sits on its canvas, with or without room for tick labels, how
//! data units map to CSS pixels and back, and which point lies under the pointer.

use super::pixels::Rect;
use super::{Point, Splits};

/// Where a grid cell's centre lies in data units: the page evaluates the field there, so the image
/// and the plot frame agree (cell `(row, col)` covers `1/n` of each range, row 0 at the top).
pub fn cell_center(
    x_range: (f32, f32),
    y_range: (f32, f32),
    n: usize,
    row: usize,
    col: usize,
) -> (f32, f32) {
    let n = n.max(1) as f32;
    let x = x_range.0 + (col as f32 + 0.5) * (x_range.1 - x_range.0) / n;
    let y = y_range.1 - (row as f32 + 0.5) * (y_range.1 - y_range.0) / n;
    (x, y)
}

/// The margins around the plot when tick labels are shown, in CSS pixels: room for "−6" on the
/// left, a label's height below, and half a label beyond the last tick on the top and right.
const TICK_MARGINS: Margins = Margins {
    left: 26.0,
    right: 9.0,
    top: 7.0,
    bottom: 17.0,
};

/// One pixel all round so the plot's border is not cut off.
const PLAIN_MARGINS: Margins = Margins {
    left: 1.0,
    right: 1.0,
    top: 1.0,
    bottom: 1.0,
};

#[derive(Debug, Clone, Copy)]
struct Margins {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

/// Where the plot sits on the canvas and how data units map to CSS pixels.
///
/// Everything is in CSS pixels relative to the canvas's top-left corner, as in a mouse event's
/// `offsetX`/`offsetY`; the device pixel ratio only enters when drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotFrame {
    /// The canvas's CSS width.
    pub width: f64,
    /// The canvas's CSS height.
    pub height: f64,
    /// The plot's rectangle (where the field is drawn).
    pub plot: Rect,
    /// The horizontal range, in data units.
    pub x_range: (f32, f32),
    /// The vertical range, in data units.
    pub y_range: (f32, f32),
}

impl PlotFrame {
    /// The largest plot with the data's aspect ratio that fits a `width × height` canvas (leaving
    /// room for tick labels when `ticks`), centred, with whole-pixel edges.
    pub fn new(
        width: f64,
        height: f64,
        x_range: (f32, f32),
        y_range: (f32, f32),
        ticks: bool,
    ) -> Self {
        let m = if ticks { TICK_MARGINS } else { PLAIN_MARGINS };
        let avail_w = (width - m.left - m.right).max(1.0);
        let avail_h = (height - m.top - m.bottom).max(1.0);
        let span_x = f64::from((x_range.1 - x_range.0).abs());
        let span_y = f64::from((y_range.1 - y_range.0).abs());
        let aspect = if span_x > 0.0 && span_y > 0.0 && (span_x / span_y).is_finite() {
            span_x / span_y
        } else {
            1.0
        };
        let w = avail_w.min(avail_h * aspect).floor().max(1.0);
        let h = (w / aspect).floor().clamp(1.0, avail_h.max(1.0));
        let x = (m.left + (avail_w - w) / 2.0).round();
        let y = (m.top + (avail_h - h) / 2.0).round();
        Self {
            width,
            height,
            plot: Rect { x, y, w, h },
            x_range,
            y_range,
        }
    }

    /// The data coordinates under the CSS pixel `(px, py)`.
    pub fn to_data(&self, px: f64, py: f64) -> (f32, f32) {
        let (x0, x1) = (f64::from(self.x_range.0), f64::from(self.x_range.1));
        let (y0, y1) = (f64::from(self.y_range.0), f64::from(self.y_range.1));
        let x = x0 + (px - self.plot.x) / self.plot.w * (x1 - x0);
        let y = y1 - (py - self.plot.y) / self.plot.h * (y1 - y0);
        (x as f32, y as f32)
    }

    /// The CSS pixel at the data coordinates `(x, y)`.
    pub fn to_pixel(&self, x: f32, y: f32) -> (f64, f64) {
        let (x0, x1) = (f64::from(self.x_range.0), f64::from(self.x_range.1));
        let (y0, y1) = (f64::from(self.y_range.0), f64::from(self.y_range.1));
        let px = self.plot.x + (f64::from(x) - x0) / (x1 - x0) * self.plot.w;
        let py = self.plot.y + (y1 - f64::from(y)) / (y1 - y0) * self.plot.h;
        (px, py)
    }

    /// Whether the CSS pixel `(px, py)` lies on the plot.
    pub fn contains(&self, px: f64, py: f64) -> bool {
        self.plot.contains(px, py, 0.0)
    }

    /// The index of the shown point nearest to the CSS pixel `(px, py)`, if one lies within
    /// `radius` CSS pixels (for selecting or removing a point under the pointer).
    pub fn nearest_point(
        &self,
        points: &[Point],
        splits: Splits,
        px: f64,
        py: f64,
        radius: f64,
    ) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, p) in points.iter().enumerate() {
            if !splits.shows(p.split) {
                continue;
            }
            let (qx, qy) = self.to_pixel(p.x, p.y);
            let d2 = (qx - px).powi(2) + (qy - py).powi(2);
            if d2 <= radius * radius && best.is_none_or(|(_, b)| d2 < b) {
                best = Some((i, d2));
            }
        }
        best.map(|(i, _)| i)
    }

    /// The radius of an unselected point, in CSS pixels: 4 on a 360-pixel plot, as in
    /// TensorFlow Playground, between 2.5 and 4.5 otherwise.
    pub fn point_radius(&self) -> f64 {
        (self.plot.w.min(self.plot.h) / 90.0).clamp(2.5, 4.5)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DEFAULT_RANGE, Split};
    use super::*;

    #[test]
    fn pixels_and_data_coordinates_round_trip() {
        for ticks in [false, true] {
            for (w, h) in [(300.0, 300.0), (390.0, 260.0), (180.0, 420.0)] {
                let f = PlotFrame::new(w, h, DEFAULT_RANGE, DEFAULT_RANGE, ticks);
                for (x, y) in [(-6.0, -6.0), (0.0, 0.0), (2.5, -4.25), (6.0, 6.0)] {
                    let (px, py) = f.to_pixel(x, y);
                    let (bx, by) = f.to_data(px, py);
                    assert!((bx - x).abs() < 1e-4 && (by - y).abs() < 1e-4, "{x},{y}");
                }
                let (px, py) = (f.plot.x + 17.0, f.plot.y + 3.0);
                let (x, y) = f.to_data(px, py);
                let (qx, qy) = f.to_pixel(x, y);
                assert!((qx - px).abs() < 1e-3 && (qy - py).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn the_plot_fits_its_canvas_square_for_square_ranges() {
        for ticks in [false, true] {
            for (w, h) in [(300.0, 300.0), (390.0, 260.0), (180.0, 420.0), (10.0, 10.0)] {
                let f = PlotFrame::new(w, h, DEFAULT_RANGE, DEFAULT_RANGE, ticks);
                let p = f.plot;
                assert_eq!(p.w, p.h, "a square range gets a square plot");
                if w > 50.0 {
                    assert!(p.x >= 0.0 && p.y >= 0.0 && p.right() <= w && p.bottom() <= h);
                }
            }
        }
        // The plot's corners are the ranges' corners: the top-left is (−6, 6).
        let f = PlotFrame::new(300.0, 300.0, DEFAULT_RANGE, DEFAULT_RANGE, false);
        assert_eq!(f.to_data(f.plot.x, f.plot.y), (-6.0, 6.0));
        assert_eq!(f.to_data(f.plot.right(), f.plot.bottom()), (6.0, -6.0));
        // The top of the plot is the largest y: a point above the origin is above the centre.
        assert!(f.to_pixel(0.0, 1.0).1 < f.to_pixel(0.0, 0.0).1);
    }

    #[test]
    fn cell_centres_sit_inside_their_cells() {
        // With 4 cells over −6..6 each cell is 3 wide; the top-left centre is (−4.5, 4.5).
        assert_eq!(
            cell_center(DEFAULT_RANGE, DEFAULT_RANGE, 4, 0, 0),
            (-4.5, 4.5)
        );
        assert_eq!(
            cell_center(DEFAULT_RANGE, DEFAULT_RANGE, 4, 3, 3),
            (4.5, -4.5)
        );
    }

    fn point(x: f32, y: f32, split: Split) -> Point {
        Point {
            x,
            y,
            class_or_value: 1.0,
            split,
            selected: false,
        }
    }

    #[test]
    fn the_nearest_shown_point_is_found_and_empty_space_finds_none() {
        let f = PlotFrame::new(300.0, 300.0, DEFAULT_RANGE, DEFAULT_RANGE, false);
        let pts = [
            point(0.0, 0.0, Split::Train),
            point(0.5, 0.0, Split::Validation),
            point(-3.0, 3.0, Split::Test),
        ];
        let (px, py) = f.to_pixel(0.1, 0.0);
        assert_eq!(
            f.nearest_point(&pts, Splits::TRAINING, px, py, 8.0),
            Some(0)
        );
        let (px, py) = f.to_pixel(0.4, 0.0);
        assert_eq!(
            f.nearest_point(&pts, Splits::TRAINING, px, py, 8.0),
            Some(1)
        );
        // The test point is not shown while training, so it cannot be picked.
        let (px, py) = f.to_pixel(-3.0, 3.0);
        assert_eq!(f.nearest_point(&pts, Splits::TRAINING, px, py, 8.0), None);
        assert_eq!(f.nearest_point(&pts, Splits::ALL, px, py, 8.0), Some(2));
        let (px, py) = f.to_pixel(4.0, -4.0);
        assert_eq!(f.nearest_point(&pts, Splits::ALL, px, py, 8.0), None);
    }
}
