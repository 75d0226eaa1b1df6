//! The batch-normalization comparison: the same deep sigmoid network trained without batch
//! normalization, with it, and with it on a very small batch, side by side; how the values each
//! hidden layer feeds its activation are spread over time (one histogram per layer per frame,
//! drawn as a strip); and the batch and running statistics that normalise them.

use super::Figure;
use super::compare::{self, Compared, Core};
use crate::charts::heatmap::{context_2d, css_rgba, mix, rgb};
use crate::charts::{FONT, Palette, fit_canvas};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use serde::Serialize;
use spiega_lessons::batch_norm::{
    HISTOGRAM_BINS, HISTOGRAM_RANGE, SHOWN_UPDATES, UPDATES_PER_RECORD, batch_norm_setting,
    batch_norm_statistics, pre_activation_histograms,
};
use spiega_lessons::playground::PlaygroundConfig;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlSelectElement, ImageData};

/// The batch size of the first two runs.
const BATCH: usize = 16;
/// The most snapshots the strips keep; past it every other one is dropped.
const MAX_SNAPSHOTS: usize = 120;

/// One moment's histograms: per run, per hidden layer, the fraction in each bin.
struct Snapshot {
    step: u64,
    runs: Vec<Vec<Vec<f32>>>,
}

struct BatchNormFigure {
    core: Core,
    small_batch: HtmlSelectElement,
    shown: HtmlSelectElement,
    canvas: HtmlCanvasElement,
    stats: Element,
    snapshots: Vec<Snapshot>,
    rgba: Vec<u8>,
    backing: Option<(HtmlCanvasElement, CanvasRenderingContext2d)>,
    css: String,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = BatchNormFigure {
        core: Core::new(root, UPDATES_PER_RECORD, SHOWN_UPDATES)?,
        small_batch: dom::query(root, "select[data-role=\"small-batch\"]")?,
        shown: dom::query(root, "select[data-role=\"shown\"]")?,
        canvas: dom::query(root, "canvas[data-role=\"histograms\"]")?,
        stats: dom::query(root, "[data-role=\"stats\"]")?,
        snapshots: Vec::new(),
        rgba: Vec::new(),
        backing: None,
        css: String::new(),
    };
    compare::mount(fig)
}

impl BatchNormFigure {
    /// The very small batch as chosen.
    fn small_batch(&self) -> Result<usize> {
        controls::chosen(&self.small_batch)
    }

    /// Which run the strips and the statistics show (0 to 2).
    fn shown_run(&self) -> Result<usize> {
        controls::chosen(&self.shown)
    }

    /// Takes a snapshot of every run's histograms unless one was taken at this step.
    fn record_snapshot(&mut self) -> Result<()> {
        let step = self.core.steps();
        if self.snapshots.last().is_some_and(|s| s.step == step) {
            return Ok(());
        }
        if self.snapshots.last().is_some_and(|s| s.step > step) {
            // The runs were rebuilt.
            self.snapshots.clear();
        }
        let Some(c) = self.core.comparison() else {
            return Ok(());
        };
        let mut runs = Vec::with_capacity(c.runs().len());
        for run in c.runs() {
            let mut h = Vec::new();
            pre_activation_histograms(run, &mut h)?;
            runs.push(h);
        }
        self.snapshots.push(Snapshot { step, runs });
        if self.snapshots.len() > MAX_SNAPSHOTS {
            let mut i = 0;
            self.snapshots.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
        Ok(())
    }

    /// Draws one strip per hidden layer: time to the right, value upward, darker where more of
    /// the validation points' values fall.
    fn draw_strips(&mut self, k: usize, palette: &Palette) -> Result<()> {
        let Some(ratio) = fit_canvas(&self.canvas)? else {
            return Ok(());
        };
        let width = f64::from(self.canvas.client_width());
        let height = f64::from(self.canvas.client_height());
        let ctx = context_2d(&self.canvas)?;
        ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
        ctx.fill_rect(0.0, 0.0, width, height);
        let layers = self
            .snapshots
            .last()
            .and_then(|s| s.runs.get(k))
            .map_or(0, Vec::len);
        let columns = self.snapshots.len();
        if layers == 0 || columns == 0 {
            ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
            return Ok(());
        }
        // The image: one column per snapshot, one row per bin (largest value on top), layers
        // stacked with one blank row between them.
        let rows = layers * (HISTOGRAM_BINS + 1) - 1;
        self.rgba.clear();
        self.rgba.resize(rows * columns * 4, 0);
        let (card, ink) = (rgb(palette.card), rgb(palette.blue));
        for (col, snap) in self.snapshots.iter().enumerate() {
            let Some(hists) = snap.runs.get(k) else {
                continue;
            };
            for (l, hist) in hists.iter().enumerate() {
                for (bin, &f) in hist.iter().enumerate() {
                    let row = l * (HISTOGRAM_BINS + 1) + (HISTOGRAM_BINS - 1 - bin);
                    // A quarter of the points in one bin is full colour.
                    let c = mix(card, ink, (4.0 * f).sqrt());
                    let at = (row * columns + col) * 4;
                    self.rgba[at..at + 3].copy_from_slice(&c);
                    self.rgba[at + 3] = 255;
                }
            }
            for l in 1..layers {
                let row = l * (HISTOGRAM_BINS + 1) - 1;
                let at = (row * columns + col) * 4;
                self.rgba[at..at + 3].copy_from_slice(&card);
                self.rgba[at + 3] = 255;
            }
        }
        let backing = match self.backing.take() {
            Some(b) => b,
            None => {
                let canvas = dom::document()?
                    .create_element("canvas")?
                    .dyn_into::<HtmlCanvasElement>()
                    .map_err(|_| WebError::Browser("a canvas element is not a canvas".into()))?;
                let ctx = context_2d(&canvas)?;
                (canvas, ctx)
            }
        };
        let (w, h) = (columns as u32, rows as u32);
        if backing.0.width() != w || backing.0.height() != h {
            backing.0.set_width(w);
            backing.0.set_height(h);
        }
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&self.rgba[..]), w, h)?;
        backing.1.put_image_data(&image, 0.0, 0.0)?;
        let backing = self.backing.insert(backing);
        let (left, top, bottom) = (62.0, 6.0, 22.0);
        let plot_w = (width - left - 8.0).max(10.0);
        let plot_h = (height - top - bottom).max(10.0);
        ctx.set_image_smoothing_enabled(false);
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(
            &backing.0, left, top, plot_w, plot_h,
        )?;
        // Labels: each layer's name and its 0 line, then the time span.
        ctx.set_font(&format!("12px {FONT}"));
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.muted), 1.0));
        ctx.set_text_baseline("middle");
        let row_h = plot_h / rows as f64;
        for l in 0..layers {
            let first = (l * (HISTOGRAM_BINS + 1)) as f64;
            let mid = top + (first + HISTOGRAM_BINS as f64 / 2.0) * row_h;
            ctx.set_text_align("right");
            ctx.fill_text(&format!("layer {}", l + 1), left - 6.0, mid)?;
        }
        let last = self.snapshots.last().map_or(0, |s| s.step);
        ctx.set_text_baseline("alphabetic");
        ctx.set_text_align("left");
        ctx.fill_text("update 0", left, height - 6.0)?;
        ctx.set_text_align("right");
        ctx.fill_text(&format!("update {last}"), left + plot_w, height - 6.0)?;
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        Ok(())
    }
}

/// The spread of a histogram: the fraction of values in its two outermost bins on each side,
/// where a sigmoid is saturated.
fn saturated(hist: &[f32]) -> f32 {
    let n = hist.len();
    if n < 4 {
        return 0.0;
    }
    hist[0] + hist[1] + hist[n - 2] + hist[n - 1]
}

impl Compared for BatchNormFigure {
    fn core(&mut self) -> &mut Core {
        &mut self.core
    }

    fn core_ref(&self) -> &Core {
        &self.core
    }

    fn runs(&self) -> Result<Vec<(String, PlaygroundConfig)>> {
        let small = self.small_batch()?;
        let runs = vec![
            (
                format!("no batch norm, batch {BATCH}"),
                batch_norm_setting(false, BATCH)?,
            ),
            (
                format!("batch norm, batch {BATCH}"),
                batch_norm_setting(true, BATCH)?,
            ),
            (
                format!("batch norm, batch {small}"),
                batch_norm_setting(true, small)?,
            ),
        ];
        for (i, option) in dom::query_all(&self.shown.clone().into(), "option")?
            .iter()
            .enumerate()
        {
            if let Some((name, _)) = runs.get(i) {
                dom::set_text(option, name);
            }
        }
        Ok(runs)
    }

    fn draw_more(&mut self, palette: &Palette) -> Result<()> {
        self.record_snapshot()?;
        let k = self.shown_run()?;
        self.draw_strips(k, palette)?;
        let name = self.core.names().get(k).cloned().unwrap_or_default();
        let Some(c) = self.core.comparison() else {
            return Ok(());
        };
        let Some(run) = c.runs().get(k) else {
            return Ok(());
        };
        let stats = batch_norm_statistics(run);
        let step = run.history().last().map_or(0, |s| s.step);
        // The statistics table: one row per batch-normalization layer.
        let rows = dom::query_all(&self.stats, "tr")?;
        for (i, s) in stats.iter().enumerate() {
            let texts = [
                format!("layer {}", i + 1),
                fmt(f64::from(s.batch_mean), 3),
                fmt(f64::from(s.running_mean), 3),
                fmt(f64::from(s.batch_variance), 3),
                fmt(f64::from(s.running_variance), 3),
            ];
            dom::write_row(&self.stats, i, &texts)?;
        }
        for extra in rows.iter().skip(stats.len()) {
            extra.remove();
        }
        if let Ok(note) = dom::query::<Element>(self.core.root(), "[data-role=\"stats-note\"]") {
            let text = if stats.is_empty() {
                format!("{name}: no batch normalization, so no statistics to show.")
            } else if step == 0 {
                format!("{name}: no training batch yet; running mean 0 and variance 1.")
            } else {
                format!("{name}, first unit of each layer, after update {step}:")
            };
            dom::set_text(&note, &text);
        }
        let latest: Vec<f32> = self
            .snapshots
            .last()
            .and_then(|s| s.runs.get(k))
            .map(|h| h.iter().map(|h| saturated(h)).collect())
            .unwrap_or_default();
        let alt = format!(
            "Histograms over time of the values each hidden layer of the run “{name}” feeds its \
             sigmoid, {} snapshots up to update {step}. Now, per layer, the share beyond ±{}: {}.",
            self.snapshots.len(),
            fmt(
                f64::from(HISTOGRAM_RANGE) * (HISTOGRAM_BINS as f64 - 2.0) / HISTOGRAM_BINS as f64,
                1
            ),
            latest
                .iter()
                .map(|s| format!("{:.0}%", 100.0 * s))
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.canvas.set_attribute("aria-label", &alt)?;
        self.core.publish(&BatchNormState {
            shown: k,
            small_batch: self.small_batch()?,
            snapshots: self.snapshots.len(),
            saturated: latest,
            stats: stats
                .iter()
                .map(|s| {
                    [
                        s.batch_mean,
                        s.running_mean,
                        s.batch_variance,
                        s.running_variance,
                    ]
                })
                .collect(),
        })?;
        Ok(())
    }
}

/// What the figure adds to the comparison's state: the run shown, the batch size, the snapshots
/// kept, each layer's share of saturated inputs now, and per batch-normalization layer its batch
/// mean, running mean, batch variance and running variance.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchNormState {
    shown: usize,
    small_batch: usize,
    snapshots: usize,
    saturated: Vec<f32>,
    stats: Vec<[f32; 4]>,
}
