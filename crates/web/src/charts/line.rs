//! A line chart: several series on shared axes, optional shaded bands, a probe marker, and a
//! note for a chart with nothing to show yet.

use super::{FONT, Palette, chart_err, fit_canvas};
use crate::error::Result;
use plotters::prelude::*;
use plotters::style::RGBAColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use std::ops::Range;
use web_sys::HtmlCanvasElement;

/// How a series is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    /// A solid line.
    Solid,
    /// A dashed line.
    Dashed,
    /// A thin dotted line, for a guide such as the vertical line under a marked point.
    Guide,
    /// A thin solid line, for a curve kept for comparison behind the others.
    Faint,
}

/// One line of the chart.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// Its points, in data units, in x order.
    pub points: &'a [(f64, f64)],
    /// Its colour.
    pub color: RGBAColor,
    /// Solid or dashed.
    pub stroke: Stroke,
}

/// Everything a line chart shows.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    /// The x axis range.
    pub x: Range<f64>,
    /// The y axis range.
    pub y: Range<f64>,
    /// The x axis caption.
    pub x_label: &'a str,
    /// The lines.
    pub series: Vec<Series<'a>>,
    /// Shaded x intervals (drawn behind everything).
    pub bands: &'a [(f64, f64)],
    /// Points to mark with a dot, with their colours; when they share one x (a probe), a muted
    /// vertical guide is drawn there.
    pub markers: Vec<((f64, f64), RGBAColor)>,
    /// Whether y values are base-10 logarithms (labels then show `10^y`).
    pub log_y: bool,
    /// A short text centred over the plot, for a chart with nothing to show yet (what will
    /// appear, and how), one line per `\n`; `None` for none.
    pub note: Option<&'a str>,
}

/// Draws `chart` on `canvas` in the colours of `palette`.
pub fn draw(canvas: &HtmlCanvasElement, chart: &LineChart<'_>, palette: &Palette) -> Result<()> {
    let Some(ratio) = fit_canvas(canvas)? else {
        return Ok(());
    };
    let px = |v: f64| (v * ratio).round() as i32;
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| chart_err("the canvas has no 2-D context"))?;
    let root = backend.into_drawing_area();
    root.fill(&palette.card).map_err(chart_err)?;
    let label_font = (FONT, 12.0 * ratio).into_font().color(&palette.muted);
    let y_decimals = super::ticks::tick_decimals(&chart.y, 7);
    let mut ctx = ChartBuilder::on(&root)
        .margin(px(10.0))
        .margin_right(px(20.0))
        .x_label_area_size(px(34.0))
        .y_label_area_size(px(44.0))
        .build_cartesian_2d(chart.x.clone(), chart.y.clone())
        .map_err(chart_err)?;
    ctx.configure_mesh()
        .light_line_style(RGBAColor(0, 0, 0, 0.0))
        .bold_line_style(palette.grid.stroke_width(1))
        .axis_style(palette.muted.stroke_width(1))
        .label_style(label_font.clone())
        .x_desc(chart.x_label)
        .axis_desc_style(label_font)
        .x_labels(9)
        .y_labels(7)
        .x_label_formatter(&|v| crate::dom::fmt(*v, if v.fract() == 0.0 { 0 } else { 1 }))
        .y_label_formatter(&|v| {
            if chart.log_y {
                format_log_label(*v)
            } else {
                crate::dom::fmt(*v, y_decimals)
            }
        })
        .draw()
        .map_err(chart_err)?;
    let (y0, y1) = (chart.y.start, chart.y.end);
    ctx.draw_series(
        chart
            .bands
            .iter()
            .map(|&(a, b)| Rectangle::new([(a, y0), (b, y1)], palette.vanish.filled())),
    )
    .map_err(chart_err)?;
    // The zero lines, a little stronger than the grid.
    let axis = palette.muted.mix(0.6).stroke_width(px(1.0).max(1) as u32);
    ctx.draw_series(LineSeries::new(
        [(chart.x.start, 0.0), (chart.x.end, 0.0)],
        axis,
    ))
    .map_err(chart_err)?;
    ctx.draw_series(LineSeries::new([(0.0, y0), (0.0, y1)], axis))
        .map_err(chart_err)?;
    let width = px(2.5).max(2) as u32;
    for s in &chart.series {
        let style = s.color.stroke_width(width);
        match s.stroke {
            Stroke::Solid => {
                ctx.draw_series(LineSeries::new(s.points.iter().copied(), style))
                    .map_err(chart_err)?;
            }
            Stroke::Dashed => {
                ctx.draw_series(DashedLineSeries::new(
                    s.points.iter().copied(),
                    px(7.0),
                    px(5.0),
                    style,
                ))
                .map_err(chart_err)?;
            }
            Stroke::Faint => {
                let thin = s.color.stroke_width(px(1.5).max(1) as u32);
                ctx.draw_series(LineSeries::new(s.points.iter().copied(), thin))
                    .map_err(chart_err)?;
            }
            Stroke::Guide => {
                ctx.draw_series(DashedLineSeries::new(
                    s.points.iter().copied(),
                    px(3.0),
                    px(3.0),
                    s.color.stroke_width(px(1.0).max(1) as u32),
                ))
                .map_err(chart_err)?;
            }
        }
    }
    for &((x, y), color) in &chart.markers {
        if (y0..=y1).contains(&y) {
            ctx.draw_series(std::iter::once(Circle::new(
                (x, y),
                px(4.5),
                color.filled(),
            )))
            .map_err(chart_err)?;
        }
    }
    // A probe: markers that share one x get a muted guide there. (Markers at different x draw
    // their own guides as `Stroke::Guide` series, in their colours.)
    if let Some(&((x, _), _)) = chart.markers.first()
        && chart.markers.iter().all(|m| m.0.0 == x)
    {
        ctx.draw_series(DashedLineSeries::new(
            [(x, y0), (x, y1)],
            px(3.0),
            px(3.0),
            palette.muted.stroke_width(px(1.0).max(1) as u32),
        ))
        .map_err(chart_err)?;
    }
    if let Some(note) = chart.note {
        // Centred over the plot area (right of the y labels, above the x labels), a line of
        // text each `\n`, so a narrow chart keeps it clear of the tick labels.
        let (width, height) = root.dim_in_pixel();
        let (width, height) = (width as i32, height as i32);
        let font = (FONT, 13.0 * ratio)
            .into_font()
            .color(&palette.muted)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let x = (px(10.0 + 44.0) + width - px(20.0)) / 2;
        let line_height = px(18.0);
        let lines: Vec<&str> = note.lines().collect();
        let top = (px(10.0) + height - px(34.0)) / 2 - line_height * (lines.len() as i32 - 1) / 2;
        for (i, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                *line,
                (x, top + line_height * i as i32),
                font.clone(),
            ))
            .map_err(chart_err)?;
        }
    }
    root.present().map_err(chart_err)?;
    Ok(())
}

/// A label for a base-10 logarithm: `10^v` written plainly (0.01, 0.1, 1, 10) or in powers.
pub fn format_log_label(v: f64) -> String {
    let value = 10f64.powf(v);
    if !(1e-3..1e4).contains(&value) {
        format!("1e{}", crate::dom::fmt(v, 0))
    } else if value >= 1.0 {
        format!("{}", (value * 100.0).round() / 100.0)
    } else {
        let digits = (-v).ceil().max(0.0) as usize + 1;
        crate::dom::fmt(value, digits)
    }
}
