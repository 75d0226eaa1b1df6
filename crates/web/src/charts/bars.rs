//! Grouped bars in panels side by side, each panel with its own value range.

use super::{FONT, Palette, chart_err, fit_canvas};
use crate::error::Result;
use plotters::prelude::*;
use plotters::style::RGBAColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use std::ops::Range;
use web_sys::HtmlCanvasElement;

/// One panel: a bar per category, on its own y range.
#[derive(Debug, Clone)]
pub struct Panel<'a> {
    /// The panel's title.
    pub title: &'a str,
    /// The bar heights, one per category.
    pub values: &'a [f64],
    /// The y range.
    pub y: Range<f64>,
    /// The bars' colour.
    pub color: RGBAColor,
    /// How many decimals the value labels get.
    pub decimals: usize,
}

/// Draws the panels left to right, sharing the category labels.
pub fn draw(
    canvas: &HtmlCanvasElement,
    categories: &[String],
    panels: &[Panel<'_>],
    palette: &Palette,
) -> Result<()> {
    let Some(ratio) = fit_canvas(canvas)? else {
        return Ok(());
    };
    let px = |v: f64| (v * ratio).round() as i32;
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| chart_err("the canvas has no 2-D context"))?;
    let root = backend.into_drawing_area();
    root.fill(&palette.card).map_err(chart_err)?;
    let areas = root.split_evenly((1, panels.len().max(1)));
    let n = categories.len();
    for (area, panel) in areas.iter().zip(panels) {
        let font = (FONT, 12.0 * ratio).into_font().color(&palette.muted);
        // The title is drawn at a fixed place rather than as a plotters caption: a caption is
        // measured through an inline-styled element, which the page's security policy forbids.
        let (title_area, chart_area) = area.split_vertically(px(29.0));
        let (width, _) = title_area.dim_in_pixel();
        title_area
            .draw_text(
                panel.title,
                &(FONT, 13.0 * ratio)
                    .into_font()
                    .color(&palette.ink)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
                (width as i32 / 2, px(8.0)),
            )
            .map_err(chart_err)?;
        let y_decimals = super::ticks::tick_decimals(&panel.y, 6);
        let mut ctx = ChartBuilder::on(&chart_area)
            .margin_left(px(8.0))
            .margin_right(px(8.0))
            .margin_bottom(px(8.0))
            .x_label_area_size(px(26.0))
            .y_label_area_size(px(38.0))
            .build_cartesian_2d(0.0..n as f64, panel.y.clone())
            .map_err(chart_err)?;
        ctx.configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBAColor(0, 0, 0, 0.0))
            .bold_line_style(palette.grid.stroke_width(1))
            .axis_style(palette.muted.stroke_width(1))
            .label_style(font)
            .x_labels(n.max(1) * 2 + 1)
            .x_label_formatter(&|v| {
                let i = v.floor() as usize;
                if (v - v.floor() - 0.5).abs() < 1e-6 {
                    categories.get(i).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .y_label_formatter(&|v| crate::dom::fmt(*v, y_decimals))
            .draw()
            .map_err(chart_err)?;
        let base = 0.0_f64.clamp(panel.y.start, panel.y.end);
        ctx.draw_series(panel.values.iter().enumerate().map(|(i, &v)| {
            let x = i as f64;
            let top = v.clamp(panel.y.start, panel.y.end);
            Rectangle::new([(x + 0.18, base), (x + 0.82, top)], panel.color.filled())
        }))
        .map_err(chart_err)?;
        let label = (FONT, 12.0 * ratio).into_font().color(&palette.ink);
        ctx.draw_series(panel.values.iter().enumerate().map(|(i, &v)| {
            let top = v.clamp(panel.y.start, panel.y.end);
            let vpos = if v >= 0.0 { VPos::Bottom } else { VPos::Top };
            Text::new(
                crate::dom::fmt(v, panel.decimals),
                (i as f64 + 0.5, top),
                label.pos(Pos::new(HPos::Center, vpos)),
            )
        }))
        .map_err(chart_err)?;
    }
    root.present().map_err(chart_err)?;
    Ok(())
}
