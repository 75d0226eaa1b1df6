//! A scatter chart: groups of points on shared axes, each in its colour, with an optional
//! horizontal line at zero (residual plots).

use super::{FONT, Palette, chart_err, fit_canvas};
use crate::error::Result;
use plotters::prelude::*;
use plotters::style::RGBAColor;
use plotters_canvas::CanvasBackend;
use std::ops::Range;
use web_sys::HtmlCanvasElement;

/// Everything a scatter chart shows.
#[derive(Debug, Clone)]
pub struct ScatterChart<'a> {
    /// The x axis range.
    pub x: Range<f64>,
    /// The y axis range.
    pub y: Range<f64>,
    /// The x axis caption.
    pub x_label: &'a str,
    /// The y axis caption.
    pub y_label: &'a str,
    /// Groups of points, in data units, each with its colour.
    pub groups: Vec<(&'a [(f64, f64)], RGBAColor)>,
    /// Whether to draw the horizontal line `y = 0` (residual plots).
    pub zero_line: bool,
}

/// Draws `chart` on `canvas` in the colours of `palette`.
pub fn draw(canvas: &HtmlCanvasElement, chart: &ScatterChart<'_>, palette: &Palette) -> Result<()> {
    let Some(ratio) = fit_canvas(canvas)? else {
        return Ok(());
    };
    let px = |v: f64| (v * ratio).round() as i32;
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| chart_err("the canvas has no 2-D context"))?;
    let root = backend.into_drawing_area();
    root.fill(&palette.card).map_err(chart_err)?;
    let label_font = (FONT, 12.0 * ratio).into_font().color(&palette.muted);
    let mut ctx = ChartBuilder::on(&root)
        .margin(px(10.0))
        .margin_right(px(20.0))
        .x_label_area_size(px(34.0))
        .y_label_area_size(px(52.0))
        .build_cartesian_2d(chart.x.clone(), chart.y.clone())
        .map_err(chart_err)?;
    ctx.configure_mesh()
        .light_line_style(RGBAColor(0, 0, 0, 0.0))
        .bold_line_style(palette.grid.stroke_width(1))
        .axis_style(palette.muted.stroke_width(1))
        .label_style(label_font.clone())
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .axis_desc_style(label_font)
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&|v| crate::dom::fmt(*v, if v.abs() >= 10.0 { 0 } else { 1 }))
        .y_label_formatter(&|v| crate::dom::fmt(*v, if v.abs() >= 10.0 { 0 } else { 1 }))
        .draw()
        .map_err(chart_err)?;
    if chart.zero_line {
        ctx.draw_series(LineSeries::new(
            [(chart.x.start, 0.0), (chart.x.end, 0.0)],
            palette.muted.mix(0.8).stroke_width(px(1.5).max(1) as u32),
        ))
        .map_err(chart_err)?;
    }
    let (x0, x1, y0, y1) = (chart.x.start, chart.x.end, chart.y.start, chart.y.end);
    for (points, color) in &chart.groups {
        ctx.draw_series(
            points
                .iter()
                .filter(|(x, y)| (x0..=x1).contains(x) && (y0..=y1).contains(y))
                .map(|&p| Circle::new(p, px(3.0), color.mix(0.8).filled())),
        )
        .map_err(chart_err)?;
    }
    root.present().map_err(chart_err)?;
    Ok(())
}
