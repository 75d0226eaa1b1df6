//! A small grid of numbers drawn as coloured cells (an image, a filter's feature map, a pooled
//! map), with each cell's value written in it when the cells are large enough.
//!
//! Cells use the diverging scale of the heatmap (orange negative, card colour at zero, blue
//! positive). Grids here have at most a few hundred cells, so each is one `fillRect`.

use super::heatmap::{context_2d, css_rgba, diverging_color, rgb};
use super::{FONT, Palette, fit_canvas};
use crate::error::Result;
use web_sys::HtmlCanvasElement;

/// What a grid chart shows.
#[derive(Debug, Clone)]
pub struct GridChart<'a> {
    /// The values, row-major, `rows × cols`.
    pub values: &'a [f32],
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// The value drawn full blue (and its negative full orange).
    pub reach: f32,
    /// Rows and columns of zero padding around the real values: `(top, bottom, left, right)`;
    /// those cells are drawn hatched-out with a muted border.
    pub padding: (usize, usize, usize, usize),
    /// Decimals of the value labels (labels are left out when cells are small).
    pub decimals: usize,
}

/// The square cell size and the grid's top-left corner, in CSS pixels, for a canvas `w × h`.
pub fn layout(w: f64, h: f64, rows: usize, cols: usize) -> (f64, f64, f64) {
    let cell = (w / cols.max(1) as f64).min(h / rows.max(1) as f64).floor();
    let x0 = ((w - cell * cols as f64) / 2.0).floor();
    let y0 = ((h - cell * rows as f64) / 2.0).floor();
    (cell, x0, y0)
}

/// The cell `(row, col)` under the CSS-pixel point `(x, y)`, if any.
pub fn cell_at(w: f64, h: f64, rows: usize, cols: usize, x: f64, y: f64) -> Option<(usize, usize)> {
    let (cell, x0, y0) = layout(w, h, rows, cols);
    if cell <= 0.0 || x < x0 || y < y0 {
        return None;
    }
    let (c, r) = (((x - x0) / cell) as usize, ((y - y0) / cell) as usize);
    (r < rows && c < cols).then_some((r, c))
}

/// Draws `chart` on `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, chart: &GridChart<'_>, palette: &Palette) -> Result<()> {
    let Some(ratio) = fit_canvas(canvas)? else {
        return Ok(());
    };
    let ctx = context_2d(canvas)?;
    ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
    let (w, h) = (
        f64::from(canvas.client_width()),
        f64::from(canvas.client_height()),
    );
    let mut buf = String::new();
    ctx.set_fill_style_str(css_rgba(&mut buf, rgb(palette.card), 1.0));
    ctx.fill_rect(0.0, 0.0, w, h);
    let (rows, cols) = (chart.rows, chart.cols);
    if rows == 0 || cols == 0 || chart.values.len() < rows * cols {
        return Ok(());
    }
    let (cell, x0, y0) = layout(w, h, rows, cols);
    let reach = if chart.reach > 0.0 { chart.reach } else { 1.0 };
    let (top, bottom, left, right) = chart.padding;
    let label_size = (cell * 0.3).clamp(8.0, 13.0);
    ctx.set_font(&format!("{label_size}px {FONT}"));
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    for r in 0..rows {
        for c in 0..cols {
            let v = chart.values[r * cols + c];
            let (x, y) = (x0 + c as f64 * cell, y0 + r as f64 * cell);
            let pad = r < top || r >= rows - bottom || c < left || c >= cols - right;
            let color = diverging_color(v, -reach, reach, palette);
            ctx.set_fill_style_str(css_rgba(&mut buf, color, 1.0));
            ctx.fill_rect(x, y, cell, cell);
            ctx.set_stroke_style_str(css_rgba(
                &mut buf,
                rgb(if pad { palette.muted } else { palette.grid }),
                if pad { 0.6 } else { 1.0 },
            ));
            ctx.set_line_width(1.0);
            if pad {
                ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &3.0.into()))?;
            }
            ctx.stroke_rect(x + 0.5, y + 0.5, cell - 1.0, cell - 1.0);
            if pad {
                ctx.set_line_dash(&js_sys::Array::new())?;
            }
            if cell >= 26.0 {
                // Dark text on light cells and light text on strong ones.
                let strong = v.abs() / reach > 0.6;
                let ink = if strong {
                    rgb(palette.card)
                } else {
                    rgb(palette.ink)
                };
                ctx.set_fill_style_str(css_rgba(&mut buf, ink, 0.9));
                ctx.fill_text(
                    &crate::dom::fmt(f64::from(v), chart.decimals),
                    x + cell / 2.0,
                    y + cell / 2.0,
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn cells_are_found_under_the_pointer() {
        // A 200 × 100 canvas with a 4 × 2 grid: cells of 50, centred, so x from 0 to 100 is column 0..1.
        assert_eq!(layout(200.0, 100.0, 2, 4), (50.0, 0.0, 0.0));
        assert_eq!(cell_at(200.0, 100.0, 2, 4, 60.0, 70.0), Some((1, 1)));
        assert_eq!(cell_at(200.0, 100.0, 2, 4, 199.0, 10.0), Some((0, 3)));
        assert_eq!(cell_at(200.0, 100.0, 2, 4, -1.0, 10.0), None);
    }
}
