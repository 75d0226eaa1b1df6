//! The transformer figure: a tiny transformer learns to reverse (or sort) digit sequences in the
//! page. The reader types a sequence and sees the prediction, every head's attention, and for one
//! query position the scores, the mask, the softmax and the weighted sum of the values; the
//! learned token and position embeddings are drawn in 2-D as they move.
//!
//! The engine ([`spiega_lessons::transformer`]) trains, probes and projects; this module reads
//! the controls, trains on animation frames while playing, and draws.

use super::Figure;
use crate::charts::Palette;
use crate::charts::heatmap::{context_2d, css_rgba, diverging_color, rgb};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::place::Spots;
use crate::charts::{FONT, fit_canvas};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use serde::Serialize;
use spiega_lessons::transformer::{Probe, QueryDetail, Transformer, TransformerConfig, pca_2d};
use spiega_lessons::transformer::{RECORD_EVERY, STEP_LIMIT};
use spiega_nn::EngineError;
use spiega_nn::data::sequence::SequenceTask;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

/// Updates per animation frame while playing.
const STEPS_PER_FRAME: u32 = 1;

struct TransformerFigure {
    root: Element,
    attention: HtmlCanvasElement,
    curves: HtmlCanvasElement,
    embeddings: HtmlCanvasElement,
    message: Element,
    run: Option<Transformer>,
    config: TransformerConfig,
    playback: Playback,
    css: String,
    /// The last sequence typed that could be read, so a bad one keeps the last picture.
    typed: Vec<usize>,
    /// Why playing stopped by itself, once it has: the next Play starts a new model.
    finished: Option<String>,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(TransformerFigure {
        root: root.clone(),
        attention: dom::query(root, "canvas[data-role=\"attention\"]")?,
        curves: dom::query(root, "canvas[data-role=\"curves\"]")?,
        embeddings: dom::query(root, "canvas[data-role=\"embeddings\"]")?,
        message: dom::query(root, "[data-role=\"message\"]")?,
        run: None,
        config: TransformerConfig::default(),
        playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
        css: String::new(),
        typed: vec![3, 1, 4, 1, 5],
        finished: None,
    }));
    fig.borrow_mut().rebuild()?;
    wire(&fig)?;
    training::warm_up_on_first_sight(&fig)?;
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

fn with(
    fig: &Rc<RefCell<TransformerFigure>>,
    what: impl FnOnce(&mut TransformerFigure) -> Result<()>,
) {
    if let Ok(mut f) = fig.try_borrow_mut()
        && let Err(e) = what(&mut f)
    {
        f.report(&e);
    }
}

fn wire(fig: &Rc<RefCell<TransformerFigure>>) -> Result<()> {
    let root = fig.borrow().root.clone();
    let f = Rc::clone(fig);
    dom::on(&root, "change", move |ev| {
        let role = dom::target_role(&ev);
        match role.as_deref() {
            Some("sequence" | "layer" | "head" | "query") => with(&f, TransformerFigure::draw),
            Some("lr") => with(&f, TransformerFigure::retune),
            _ => with(&f, TransformerFigure::rebuild),
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&root, "input", move |ev| {
        let role = dom::target_role(&ev);
        match role.as_deref() {
            Some("sequence") => with(&f, TransformerFigure::draw),
            Some("lr") => with(&f, |g| {
                dom::set_output(&g.root, "lr-value", &controls::format_rate(g.read_lr()?));
                Ok(())
            }),
            _ => {}
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&root, "click", move |ev| {
        let role = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button").ok().flatten())
            .and_then(|t| t.get_attribute("data-role"));
        match role.as_deref() {
            Some("play") => training::toggle(&f),
            Some("step") => with(&f, |g| g.train(1).and_then(|()| g.draw())),
            Some("reset") => with(&f, TransformerFigure::rebuild),
            _ => {}
        }
    })?;
    // Clicking a row of a head's map selects that query (and head).
    let f = Rc::clone(fig);
    let canvas = fig.borrow().attention.clone();
    dom::on(&canvas, "click", move |ev| {
        let Some(mouse) = ev.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        let at = (f64::from(mouse.offset_x()), f64::from(mouse.offset_y()));
        with(&f, |g| g.pick(at));
    })?;
    Ok(())
}

/// The text of a typed sequence as digits: every character must be a digit.
fn parse_digits(text: &str) -> std::result::Result<Vec<usize>, String> {
    text.trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            c.to_digit(10)
                .map(|d| d as usize)
                .ok_or_else(|| format!("“{c}” is not a digit"))
        })
        .collect()
}

impl TransformerFigure {
    /// The menu `role`'s chosen number.
    fn chosen(&self, role: &str) -> Result<usize> {
        controls::chosen(&controls::menu(&self.root, role)?)
    }

    /// The learning rate (the slider holds log₁₀ η).
    fn read_lr(&self) -> Result<f32> {
        Ok(controls::log_value(&dom::input(&self.root, "lr")?) as f32)
    }

    fn read_config(&self) -> Result<TransformerConfig> {
        let causal: HtmlInputElement = dom::query(&self.root, "input[data-role=\"causal\"]")?;
        Ok(TransformerConfig {
            task: if controls::select(&self.root, "task")? == "sort" {
                SequenceTask::Sort
            } else {
                SequenceTask::Reverse
            },
            heads: self.chosen("heads")?,
            layers: self.chosen("layers")?,
            causal: causal.checked(),
            lr: self.read_lr()?,
            ..TransformerConfig::default()
        })
    }

    fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// A new, untrained model from the controls; the head and layer choices follow it.
    fn rebuild(&mut self) -> Result<()> {
        self.set_playing(false);
        self.config = self.read_config()?;
        dom::set_output(
            &self.root,
            "lr-value",
            &controls::format_rate(self.config.lr),
        );
        self.run = Some(Transformer::new(self.config.clone())?);
        self.finished = None;
        self.fill_choices("head", self.config.heads)?;
        self.fill_choices("layer", self.config.layers)?;
        self.say("")?;
        self.draw()
    }

    /// Applies a new learning rate to the running model.
    fn retune(&mut self) -> Result<()> {
        let lr = self.read_lr()?;
        if let Some(run) = self.run.as_mut() {
            run.set_learning_rate(lr)?;
        }
        self.config.lr = lr;
        self.draw()
    }

    /// Makes a select offer `1..=count`, keeping the current choice when it still exists.
    fn fill_choices(&self, role: &str, count: usize) -> Result<()> {
        let select = controls::menu(&self.root, role)?;
        // A menu not yet filled has no choice: the first option is chosen.
        let current: usize = select.value().parse().unwrap_or(0);
        let doc = dom::document()?;
        select.set_text_content(None);
        for i in 0..count {
            let option = doc.create_element("option")?;
            option.set_attribute("value", &i.to_string())?;
            dom::set_text(&option, &(i + 1).to_string());
            select.append_child(&option)?;
        }
        select.set_value(&current.min(count.saturating_sub(1)).to_string());
        Ok(())
    }

    /// `n` updates, scoring the held-out split every [`RECORD_EVERY`] (the caller redraws).
    fn train(&mut self, n: u32) -> Result<()> {
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        for _ in 0..n {
            if let Err(e) = run.step() {
                self.set_playing(false);
                return Err(e.into());
            }
            if run.steps().is_multiple_of(RECORD_EVERY) {
                run.record()?;
            }
        }
        if n == 1 && !run.steps().is_multiple_of(RECORD_EVERY) {
            run.record()?;
        }
        Ok(())
    }

    /// Selects the head and query under a click on the attention maps.
    fn pick(&mut self, at: (f64, f64)) -> Result<()> {
        let len = self.config.length;
        let layout = AttentionLayout::new(&self.attention, self.config.heads, len);
        if let Some((head, query)) = layout.hit(at.0, at.1) {
            controls::menu(&self.root, "head")?.set_value(&head.to_string());
            controls::menu(&self.root, "query")?.set_value(&query.to_string());
            self.draw()?;
        }
        Ok(())
    }

    fn draw(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        let len = self.config.length;
        let typed: HtmlInputElement = dom::query(&self.root, "input[data-role=\"sequence\"]")?;
        match parse_digits(&typed.value()) {
            Ok(d) if d.len() == len => {
                self.typed = d;
                // A run that stopped by itself keeps saying why through any redraw.
                let kept = self.finished.clone().unwrap_or_default();
                self.say(&kept)?;
            }
            Ok(d) => self.say(&format!(
                "Type exactly {len} digits (there are {}); the picture shows {} until then.",
                d.len(),
                digits_text(&self.typed)
            ))?,
            Err(e) => self.say(&format!(
                "{e}; type {len} digits. The picture shows {} until then.",
                digits_text(&self.typed)
            ))?,
        }
        let layer = self.chosen("layer")?;
        let head = self.chosen("head")?;
        let query = self.chosen("query")?;
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        let probe = match run.probe(&self.typed) {
            Ok(p) => p,
            Err(EngineError::Invalid(why)) => {
                // A digit the task does not use: say so and keep the last picture.
                return self.say(&format!("{why}."));
            }
            Err(e) => return Err(e.into()),
        };
        let detail = probe.query(layer, head, query)?;
        let scores = *run.history().last().ok_or_else(|| {
            WebError::Engine(EngineError::Invalid("the model has no scores yet".into()))
        })?;
        let steps = run.steps();
        let curves: Curves = (
            run.history()
                .iter()
                .map(|s| (s.step as f64, f64::from(s.train_loss)))
                .collect(),
            run.history()
                .iter()
                .map(|s| (s.step as f64, f64::from(s.test_token_accuracy)))
                .collect(),
        );
        let tokens = pca_2d(&run.token_embeddings())?;
        let positions = pca_2d(&run.position_embeddings())?;

        self.draw_attention(&probe, layer, head, query, &palette)?;
        self.draw_curves(&curves, &palette)?;
        self.curves.set_attribute(
            "aria-label",
            &format!(
                "Training loss and held-out accuracy over {steps} updates: now a training loss of \
                 {} and {:.1}% of held-out digits right (chance {:.0}%).",
                fmt(f64::from(scores.train_loss), 3),
                100.0 * scores.test_token_accuracy,
                100.0 / self.config.alphabet as f64
            ),
        )?;
        self.draw_embeddings(&tokens, &positions, &palette)?;
        self.write_prediction(&probe)?;
        self.write_detail(&detail, &probe, query)?;

        let chance = 1.0 / self.config.alphabet as f32;
        dom::set_output(&self.root, "steps", &steps.to_string());
        dom::set_output(
            &self.root,
            "accuracy",
            &format!("{:.1}%", 100.0 * scores.test_token_accuracy),
        );
        let weights = probe.attention_weights(layer, head)?;
        let c = &self.config;
        dom::set_state(
            &self.root,
            &TransformerState {
                task: if c.task == SequenceTask::Sort {
                    "sort"
                } else {
                    "reverse"
                },
                heads: c.heads,
                layers: c.layers,
                causal: c.causal,
                lr: c.lr,
                steps,
                train_loss: scores.train_loss,
                test_loss: scores.test_loss,
                test_accuracy: scores.test_token_accuracy,
                test_sequence_accuracy: scores.test_sequence_accuracy,
                chance,
                input: &probe.input,
                output: &probe.output,
                expected: &probe.expected,
                layer,
                head,
                query,
                attention: (0..len)
                    .map(|i| (0..len).map(|j| weights[(i, j)]).collect())
                    .collect(),
                scores: &detail.scores,
                allowed: &detail.allowed,
                weights: &detail.weights,
                head_output: &detail.output,
                playing: self.playback.playing(),
            },
        )?;
        Ok(())
    }

    fn write_prediction(&self, probe: &Probe) -> Result<()> {
        let right = probe
            .output
            .iter()
            .zip(&probe.expected)
            .filter(|(a, b)| a == b)
            .count();
        let text = format!(
            "in {} → out {} (right answer {}: {right} of {} digits right)",
            digits_text(&probe.input),
            digits_text(&probe.output),
            digits_text(&probe.expected),
            probe.input.len()
        );
        if let Some(el) = self.root.query_selector("[data-role=\"prediction\"]")? {
            dom::set_text(&el, &text);
        }
        Ok(())
    }

    /// The per-key table of the selected query: key digit, score, mask, weight; then the output.
    fn write_detail(&self, detail: &QueryDetail, probe: &Probe, query: usize) -> Result<()> {
        let body: Element = dom::query(&self.root, "[data-role=\"detail-rows\"]")?;
        let doc = dom::document()?;
        body.set_text_content(None);
        for j in 0..detail.scores.len() {
            let tr = doc.create_element("tr")?;
            let cells = [
                format!("{} (“{}”)", j + 1, probe.input.get(j).copied().unwrap_or(0)),
                fmt(f64::from(detail.scores[j]), 3),
                if detail.allowed[j] {
                    fmt(f64::from(detail.scores[j]), 3)
                } else {
                    "−∞".to_owned()
                },
                fmt(f64::from(detail.weights[j]), 3),
            ];
            for (k, text) in cells.iter().enumerate() {
                let cell = doc.create_element(if k == 0 { "th" } else { "td" })?;
                if k == 0 {
                    cell.set_attribute("scope", "row")?;
                }
                dom::set_text(&cell, text);
                tr.append_child(&cell)?;
            }
            body.append_child(&tr)?;
        }
        let output: Vec<String> = detail
            .output
            .iter()
            .map(|v| fmt(f64::from(*v), 3))
            .collect();
        let query_vec: Vec<String> = detail.query.iter().map(|v| fmt(f64::from(*v), 3)).collect();
        if let Some(el) = self.root.query_selector("[data-role=\"detail-query\"]")? {
            dom::set_text(
                &el,
                &format!(
                    "query position {} (“{}”): q = [{}]",
                    query + 1,
                    probe.input.get(query).copied().unwrap_or(0),
                    query_vec.join(", ")
                ),
            );
        }
        if let Some(el) = self.root.query_selector("[data-role=\"detail-output\"]")? {
            dom::set_text(
                &el,
                &format!(
                    "head output for this query, the weighted sum of the value rows: [{}]",
                    output.join(", ")
                ),
            );
        }
        Ok(())
    }

    fn draw_attention(
        &mut self,
        probe: &Probe,
        layer: usize,
        selected_head: usize,
        query: usize,
        palette: &Palette,
    ) -> Result<()> {
        let Some(ratio) = fit_canvas(&self.attention)? else {
            return Ok(());
        };
        let len = self.config.length;
        let layout = AttentionLayout::new(&self.attention, self.config.heads, len);
        let ctx = context_2d(&self.attention)?;
        ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
        ctx.fill_rect(0.0, 0.0, layout.width, layout.height);
        ctx.set_font(&format!("11px {FONT}"));
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        let mut aria = Vec::new();
        for head in 0..self.config.heads {
            let weights = probe.attention_weights(layer, head)?;
            let (x0, y0) = layout.origin(head);
            let c = layout.cell;
            for i in 0..len {
                for j in 0..len {
                    let w = weights[(i, j)];
                    let color = diverging_color(w, -1.0, 1.0, palette);
                    ctx.set_fill_style_str(css_rgba(&mut self.css, color, 1.0));
                    ctx.fill_rect(x0 + j as f64 * c, y0 + i as f64 * c, c - 1.0, c - 1.0);
                }
            }
            // Axis labels: the typed digits, keys across the top, queries down the left.
            ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.muted), 1.0));
            for t in 0..len {
                let digit = probe.input.get(t).copied().unwrap_or(0).to_string();
                ctx.fill_text(&digit, x0 + (t as f64 + 0.5) * c, y0 - 8.0)?;
                ctx.fill_text(&digit, x0 - 9.0, y0 + (t as f64 + 0.5) * c)?;
            }
            ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.ink), 1.0));
            ctx.fill_text(
                &format!("head {}", head + 1),
                x0 + len as f64 * c / 2.0,
                y0 + len as f64 * c + 12.0,
            )?;
            if head == selected_head {
                ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.ink), 1.0));
                ctx.set_line_width(2.0);
                ctx.stroke_rect(
                    x0 - 1.0,
                    y0 + query as f64 * c - 1.0,
                    len as f64 * c + 1.0,
                    c + 1.0,
                );
            }
            let strongest: Vec<String> = (0..len)
                .map(|i| {
                    let best = (0..len)
                        .max_by(|&a, &b| weights[(i, a)].total_cmp(&weights[(i, b)]))
                        .unwrap_or(0);
                    format!("{}→{}", i + 1, best + 1)
                })
                .collect();
            aria.push(format!(
                "head {}: each position mostly attends to {}",
                head + 1,
                strongest.join(", ")
            ));
        }
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        self.attention.set_attribute(
            "aria-label",
            &format!(
                "Attention weights of layer {} for {}: {}.",
                layer + 1,
                digits_text(&probe.input),
                aria.join("; ")
            ),
        )?;
        Ok(())
    }

    fn draw_curves(&self, curves: &Curves, palette: &Palette) -> Result<()> {
        let last = curves.0.last().map_or(1.0, |p| p.0).max(10.0);
        let top = curves
            .0
            .iter()
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .fold(1.0_f64, f64::max);
        line::draw(
            &self.curves,
            &LineChart {
                x: 0.0..last,
                y: 0.0..top * 1.05,
                x_label: "updates",
                series: vec![
                    Series {
                        points: &curves.0,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &curves.1,
                        color: palette.orange,
                        stroke: Stroke::Dashed,
                    },
                ],
                bands: &[],
                markers: Vec::new(),
                log_y: false,
                note: None,
            },
            palette,
        )
    }

    fn draw_embeddings(
        &mut self,
        tokens: &spiega_nn::Matrix,
        positions: &spiega_nn::Matrix,
        palette: &Palette,
    ) -> Result<()> {
        let Some(ratio) = fit_canvas(&self.embeddings)? else {
            return Ok(());
        };
        let (w, h) = (
            f64::from(self.embeddings.client_width()),
            f64::from(self.embeddings.client_height()),
        );
        let ctx = context_2d(&self.embeddings)?;
        ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.card), 1.0));
        ctx.fill_rect(0.0, 0.0, w, h);
        ctx.set_font(&format!("12px {FONT}"));
        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        // Two panels, each scaled to its own points: tokens left, positions right.
        let half = w / 2.0;
        for (panel, (m, color, prefix)) in
            [(tokens, palette.blue, ""), (positions, palette.orange, "p")]
                .into_iter()
                .enumerate()
        {
            let x0 = panel as f64 * half;
            let panel = EmbeddingPanel::new(x0, half, h);
            let (cx, cy) = panel.centre;
            let pad = EmbeddingPanel::PAD;
            ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(palette.grid), 1.0));
            ctx.set_line_width(1.0);
            ctx.begin_path();
            ctx.move_to(x0 + pad, cy);
            ctx.line_to(x0 + half - pad, cy);
            ctx.move_to(cx, pad);
            ctx.line_to(cx, h - pad - 14.0);
            ctx.stroke();
            let (points, spots) = panel.label_spots(m);
            for (r, (&(x, y), &(px, py))) in points.iter().zip(&spots).enumerate() {
                // A label moved off its point (to keep clear of a neighbour's) keeps a thin line
                // and a dot at the exact place.
                if (x - px).hypot(y - py) > 1.0 {
                    ctx.set_stroke_style_str(css_rgba(&mut self.css, rgb(color), 0.8));
                    ctx.begin_path();
                    ctx.move_to(x, y);
                    ctx.line_to(px, py);
                    ctx.stroke();
                    ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(color), 1.0));
                    ctx.begin_path();
                    ctx.arc(x, y, 2.0, 0.0, std::f64::consts::TAU)?;
                    ctx.fill();
                }
                ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(color), 0.22));
                ctx.begin_path();
                ctx.arc(px, py, EmbeddingPanel::RADIUS, 0.0, std::f64::consts::TAU)?;
                ctx.fill();
                ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.ink), 1.0));
                let label = if prefix.is_empty() {
                    r.to_string()
                } else {
                    format!("{prefix}{}", r + 1)
                };
                ctx.fill_text(&label, px, py)?;
            }
            ctx.set_fill_style_str(css_rgba(&mut self.css, rgb(palette.muted), 1.0));
            ctx.fill_text(
                if x0 == 0.0 {
                    "digit embeddings"
                } else {
                    "position embeddings"
                },
                cx,
                h - 8.0,
            )?;
        }
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        self.embeddings.set_attribute(
            "aria-label",
            &format!(
                "The learned embeddings projected onto their two main directions. Digits: {}. \
                 Positions: {}.",
                projected_points(tokens, ""),
                projected_points(positions, "p")
            ),
        )?;
        Ok(())
    }
}

/// One panel of the embedding plot: where its points go in canvas pixels.
struct EmbeddingPanel {
    /// The pixel of the projection's origin.
    centre: (f64, f64),
    /// The panel's left edge and width, and the canvas height.
    x0: f64,
    width: f64,
    height: f64,
}

impl EmbeddingPanel {
    /// The margin inside the panel.
    const PAD: f64 = 18.0;
    /// A label's disc: its radius, and so twice this is the closest two labels may sit.
    const RADIUS: f64 = 9.0;

    fn new(x0: f64, width: f64, height: f64) -> Self {
        Self {
            centre: (x0 + width / 2.0, (height - 14.0) / 2.0 + 2.0),
            x0,
            width,
            height,
        }
    }

    /// Each row's point in pixels (scaled so the farthest coordinate fills the panel), and the
    /// spot of its label: the point itself unless a neighbour's label would cover it.
    fn label_spots(&self, m: &spiega_nn::Matrix) -> (Spots, Spots) {
        let extent = f64::from(m.iter().fold(1e-6_f32, |a, v| a.max(v.abs())));
        let pad = Self::PAD;
        let scale = ((self.width - 2.0 * pad).min(self.height - 2.0 * pad - 14.0) / 2.0) / extent;
        let (cx, cy) = self.centre;
        let points: Spots = (0..m.nrows())
            .map(|r| {
                (
                    cx + f64::from(m[(r, 0)]) * scale,
                    cy - f64::from(m[(r, 1)]) * scale,
                )
            })
            .collect();
        let r = Self::RADIUS;
        let area = (
            self.x0 + r,
            r,
            self.x0 + self.width - r,
            self.height - 14.0 - r,
        );
        let spots = crate::charts::place::spread(&points, 2.0 * r, area);
        (points, spots)
    }
}

/// Each row of a 2-D projection as `label (x, y)`, labels being the row index (from 0) when
/// `prefix` is empty, else `prefix` and the row number (from 1).
fn projected_points(m: &spiega_nn::Matrix, prefix: &str) -> String {
    (0..m.nrows())
        .map(|r| {
            let label = if prefix.is_empty() {
                r.to_string()
            } else {
                format!("{prefix}{}", r + 1)
            };
            format!(
                "{label} ({}, {})",
                fmt(f64::from(m[(r, 0)]), 2),
                fmt(f64::from(m[(r, 1)]), 2)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The training loss and the held-out accuracy, as `(update, value)` points.
type Curves = (Vec<(f64, f64)>, Vec<(f64, f64)>);

fn digits_text(d: &[usize]) -> String {
    d.iter().map(ToString::to_string).collect()
}

/// Where each head's `len × len` map sits on the attention canvas, in CSS pixels.
struct AttentionLayout {
    width: f64,
    height: f64,
    cell: f64,
    heads: usize,
    len: usize,
}

impl AttentionLayout {
    const LEFT: f64 = 20.0;
    const TOP: f64 = 18.0;
    const GAP: f64 = 26.0;

    fn new(canvas: &HtmlCanvasElement, heads: usize, len: usize) -> Self {
        let width = f64::from(canvas.client_width());
        let height = f64::from(canvas.client_height());
        let per_head = (width - Self::LEFT) / heads.max(1) as f64 - Self::GAP;
        let cell = (per_head.min(height - Self::TOP - 22.0) / len.max(1) as f64)
            .floor()
            .max(4.0);
        Self {
            width,
            height,
            cell,
            heads,
            len,
        }
    }

    /// The top-left corner of head `head`'s map.
    fn origin(&self, head: usize) -> (f64, f64) {
        let span = self.cell * self.len as f64 + Self::GAP;
        (Self::LEFT + head as f64 * span, Self::TOP)
    }

    /// The head and query row under a CSS pixel.
    fn hit(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        (0..self.heads).find_map(|head| {
            let (x0, y0) = self.origin(head);
            let side = self.cell * self.len as f64;
            ((x0..x0 + side).contains(&x) && (y0..y0 + side).contains(&y))
                .then(|| (head, ((y - y0) / self.cell) as usize))
        })
    }
}

impl Trains for TransformerFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    fn can_play(&self) -> bool {
        self.run.is_some()
    }

    fn paused_label(&self) -> &'static str {
        // A run can also end before the limit, once every held-out sequence is right.
        let steps = self.run.as_ref().map_or(0, Transformer::steps);
        if self.finished.is_some() {
            "Train again"
        } else {
            training::paused_label(steps, STEP_LIMIT, "Play")
        }
    }

    /// After a run that stopped by itself, Play starts a new, untrained model.
    fn before_play(&mut self) -> Result<()> {
        if self.finished.is_some() {
            self.rebuild()?;
        }
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.run.as_ref().map_or(0, Transformer::steps)
    }

    /// A bounded number of updates, without drawing; stops by itself, saying why, once every
    /// held-out sequence comes out right or at [`STEP_LIMIT`] updates.
    fn advance_frame(&mut self) -> Result<bool> {
        self.train(STEPS_PER_FRAME)?;
        let Some(run) = self.run.as_ref() else {
            return Ok(false);
        };
        let steps = run.steps();
        let perfect = run
            .history()
            .last()
            .is_some_and(|s| s.step == steps && s.test_sequence_accuracy >= 1.0);
        let reason = if perfect {
            Some(format!(
                "Stopped after {steps} updates: every held-out sequence now comes out right. \
                 Train again starts a new, untrained model."
            ))
        } else if steps >= STEP_LIMIT {
            Some(format!(
                "Stopped at {STEP_LIMIT} updates. Train again starts a new, untrained model; a \
                 larger learning rate or more heads may learn faster."
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            self.say(&reason)?;
            self.finished = Some(reason);
            self.set_playing(false);
        }
        Ok(self.playback.playing())
    }

    fn redraw(&mut self) -> Result<()> {
        self.draw()
    }

    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        self.say(&format!("Something went wrong: {e}.")).ok();
    }
}

impl Figure for TransformerFigure {
    /// The model's recorded scores: training loss, held-out loss and held-out accuracy per digit
    /// and per whole sequence, one row per record.
    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&[
            "step",
            "train_loss",
            "test_loss",
            "test_token_accuracy",
            "test_sequence_accuracy",
        ]);
        if let Some(run) = self.run.as_ref() {
            for s in run.history() {
                csv.row([
                    Cell::from(s.step),
                    Cell::from(s.train_loss),
                    Cell::from(s.test_loss),
                    Cell::from(s.test_token_accuracy),
                    Cell::from(s.test_sequence_accuracy),
                ]);
            }
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        self.draw()
    }
}

/// The figure's `data-state`: the task and the model's settings, the updates made, the training
/// and held-out scores against chance, the sequence probed with the model's answer, and for the
/// chosen layer, head and query the attention matrix, the query's raw scores, which keys it may
/// see, its weights and the head's output.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransformerState<'a> {
    task: &'static str,
    heads: usize,
    layers: usize,
    causal: bool,
    lr: f32,
    steps: u64,
    train_loss: f32,
    test_loss: f32,
    test_accuracy: f32,
    test_sequence_accuracy: f32,
    chance: f32,
    input: &'a [usize],
    output: &'a [usize],
    expected: &'a [usize],
    layer: usize,
    head: usize,
    query: usize,
    attention: Vec<Vec<f32>>,
    scores: &'a [f32],
    allowed: &'a [bool],
    weights: &'a [f32],
    head_output: &'a [f32],
    playing: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::place::closest_pair;

    #[test]
    fn no_embedding_label_covers_another_over_the_whole_run() {
        let mut run = Transformer::new(TransformerConfig::default()).unwrap();
        let mut checked = 0;
        loop {
            for _ in 0..RECORD_EVERY {
                run.step().unwrap();
            }
            let scores = run.record().unwrap();
            let tokens = pca_2d(&run.token_embeddings()).unwrap();
            let positions = pca_2d(&run.position_embeddings()).unwrap();
            // The canvas on a wide screen (16 : 7) and on a phone (4 : 3); each panel is half of it.
            for (width, height) in [(600.0, 262.5), (340.0, 255.0)] {
                for (x0, m) in [(0.0, &tokens), (width / 2.0, &positions)] {
                    let (points, spots) =
                        EmbeddingPanel::new(x0, width / 2.0, height).label_spots(m);
                    assert_eq!(spots.len(), points.len());
                    let gap = closest_pair(&spots);
                    assert!(
                        gap >= 2.0 * EmbeddingPanel::RADIUS - 1e-6,
                        "labels {gap:.1} px apart at update {}",
                        run.steps()
                    );
                    checked += 1;
                }
            }
            if scores.test_sequence_accuracy >= 1.0 || run.steps() >= STEP_LIMIT {
                break;
            }
        }
        assert!(checked > 4, "{checked}");
    }
}
