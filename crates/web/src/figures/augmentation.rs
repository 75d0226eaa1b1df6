//! The data-augmentation figure: sliders for the largest rotation, shift, zoom, blur and noise;
//! a few training digits shown as they are and as one random augmentation draws them; and the
//! same small convolutional network trained on the same 30 digits without and with augmentation,
//! its training and validation accuracy drawn on shared axes, with play, pause, step and reset.
//!
//! Moving a slider redraws the previews at once; letting go of it rebuilds both trainings with
//! the new ranges (the run without augmentation is rebuilt alike, so the two stay comparable).
//!
//! The digits are downloaded when the figure mounts ([`crate::assets`]); until they arrive the
//! figure stays as the page drew it, marked busy.

use super::Figure;
use super::compare::run_colors;
use crate::charts::Palette;
use crate::charts::grid::{self, GridChart};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use serde::Serialize;
use spiega_lessons::augmentation::{AugmentationDemo, AugmentationSetting, Record, SHOWN_UPDATES};
use spiega_nn::EngineError;
use spiega_nn::data::Dataset;
use spiega_nn::data::augment::{AugmentRanges, Transform};
use spiega_nn::tensor::Matrix;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement};

/// Updates per run per animation frame (and per press of Step).
const UPDATES_PER_FRAME: u32 = 20;
/// Training digits previewed.
const PREVIEWS: usize = 6;
/// The run names, without and with augmentation.
const NAMES: [&str; 2] = ["no augmentation", "augmentation"];

struct AugmentationFigure {
    root: Element,
    rotation: HtmlInputElement,
    shift: HtmlInputElement,
    zoom: HtmlInputElement,
    blur: HtmlInputElement,
    noise: HtmlInputElement,
    originals: Vec<HtmlCanvasElement>,
    augmented: Vec<HtmlCanvasElement>,
    params: Vec<Element>,
    chart: HtmlCanvasElement,
    table: Element,
    message: Element,
    readout: Element,
    /// scikit-learn's digits, downloaded (see [`crate::assets`]); each rebuild splits them again.
    digits: Rc<Dataset>,
    demo: AugmentationDemo,
    /// The random draw the previews show (the "new random draw" button counts it up).
    draw: u32,
    rows: Vec<usize>,
    original_pixels: Matrix,
    augmented_pixels: Matrix,
    transforms: Vec<Transform>,
    /// Reused curve buffers: per run, training then validation accuracy.
    curves: [Vec<(f64, f64)>; 4],
    playback: Playback,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let canvases = |prefix: &str| -> Result<Vec<HtmlCanvasElement>> {
        (0..PREVIEWS)
            .map(|i| dom::query(root, &format!("canvas[data-role=\"{prefix}-{i}\"]")))
            .collect()
    };
    let params = (0..PREVIEWS)
        .map(|i| dom::query(root, &format!("[data-role=\"params-{i}\"]")))
        .collect::<Result<Vec<Element>>>()?;
    let rotation = dom::input(root, "rotation")?;
    let shift = dom::input(root, "shift")?;
    let zoom = dom::input(root, "zoom")?;
    let blur = dom::input(root, "blur")?;
    let noise = dom::input(root, "noise")?;
    let ranges = read_ranges(&rotation, &shift, &zoom, &blur, &noise);
    let digits = crate::assets::digits()?;
    let demo = AugmentationDemo::new(
        AugmentationSetting {
            ranges,
            ..AugmentationSetting::default()
        },
        &digits,
    )?;
    let rows = demo.preview_rows(PREVIEWS);
    let fig = AugmentationFigure {
        root: root.clone(),
        rotation,
        shift,
        zoom,
        blur,
        noise,
        originals: canvases("original")?,
        augmented: canvases("augmented")?,
        params,
        chart: dom::query(root, "canvas[data-role=\"curves\"]")?,
        table: dom::query(root, "[data-role=\"scores\"]")?,
        message: dom::query(root, "[data-role=\"message\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        digits,
        demo,
        draw: 1,
        rows,
        original_pixels: Matrix::zeros(0, 0),
        augmented_pixels: Matrix::zeros(0, 0),
        transforms: Vec::new(),
        curves: Default::default(),
        playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
    };
    let fig = Rc::new(RefCell::new(fig));
    fig.borrow_mut().redraw()?;
    wire(&fig)?;
    training::warm_up_on_first_sight(&fig)?;
    let wrapped: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(Wrapper(fig)));
    Ok(wrapped)
}

/// The ranges the sliders set: rotation up to ± the first, shift up to ± the second, zoom
/// within 1 ± the third (a percentage), blur sigma up to the fourth, noise of the fifth.
fn read_ranges(
    rotation: &HtmlInputElement,
    shift: &HtmlInputElement,
    zoom: &HtmlInputElement,
    blur: &HtmlInputElement,
    noise: &HtmlInputElement,
) -> AugmentRanges {
    let read = |input| controls::number(input) as f32;
    let z = read(zoom) / 100.0;
    AugmentRanges {
        max_rotation_degrees: read(rotation),
        max_shift: read(shift),
        min_zoom: 1.0 - z,
        max_zoom: 1.0 + z,
        max_blur_sigma: read(blur),
        noise_std: read(noise),
    }
}

impl AugmentationFigure {
    fn ranges(&self) -> AugmentRanges {
        read_ranges(
            &self.rotation,
            &self.shift,
            &self.zoom,
            &self.blur,
            &self.noise,
        )
    }

    /// Shows a message in the figure (as text), or hides it when empty.
    fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// Builds both trainings afresh from the sliders, untrained, and pauses.
    fn rebuild(&mut self) -> Result<()> {
        self.set_playing(false);
        self.demo = AugmentationDemo::new(
            AugmentationSetting {
                ranges: self.ranges(),
                ..AugmentationSetting::default()
            },
            &self.digits,
        )?;
        self.rows = self.demo.preview_rows(PREVIEWS);
        self.say("")
    }

    /// Trains both runs up to `updates` more updates (not past the limit).
    fn advance(&mut self, updates: u32) -> Result<()> {
        let left = SHOWN_UPDATES.saturating_sub(self.demo.steps());
        let updates = updates.min(u32::try_from(left).unwrap_or(u32::MAX));
        if updates == 0 {
            self.set_playing(false);
            return Ok(());
        }
        match self.demo.step(updates) {
            Ok(()) => {}
            Err(e @ (EngineError::Diverged { .. } | EngineError::NonFinite { .. })) => {
                self.set_playing(false);
                self.say(&format!(
                    "Training stopped: {e}. Press Reset to start again."
                ))?;
            }
            Err(e) => return Err(e.into()),
        }
        if self.demo.steps() >= SHOWN_UPDATES {
            self.set_playing(false);
        }
        Ok(())
    }

    /// Redraws everything: slider values, previews, curves, table, readout and state.
    fn redraw(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        self.draw_previews(&palette)?;
        self.draw_curves(&palette)?;
        self.write_state()
    }

    /// Redraws what training changes: curves, table, readout and state (the previews stay).
    fn redraw_training(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        self.draw_curves(&palette)?;
        self.write_state()
    }

    /// The slider readouts, the original and augmented digits and each one's parameters.
    fn draw_previews(&mut self, palette: &Palette) -> Result<()> {
        let ranges = self.ranges();
        let z = 100.0 * f64::from(ranges.max_zoom - 1.0);
        dom::set_output(
            &self.root,
            "rotation-value",
            &format!("±{}°", fmt(f64::from(ranges.max_rotation_degrees), 0)),
        );
        dom::set_output(
            &self.root,
            "shift-value",
            &format!("±{} px", fmt(f64::from(ranges.max_shift), 1)),
        );
        dom::set_output(&self.root, "zoom-value", &format!("±{}%", fmt(z, 0)));
        dom::set_output(
            &self.root,
            "blur-value",
            &format!("{} px", fmt(f64::from(ranges.max_blur_sigma), 1)),
        );
        dom::set_output(
            &self.root,
            "noise-value",
            &fmt(f64::from(ranges.noise_std), 2),
        );
        self.demo.preview(
            &self.rows,
            &ranges,
            self.draw,
            &mut self.original_pixels,
            &mut self.augmented_pixels,
            &mut self.transforms,
        )?;
        let labels = self.demo.train().labels().unwrap_or(&[]);
        let mut pixels = Vec::with_capacity(64);
        for (i, &row) in self.rows.iter().enumerate() {
            let label = labels.get(row).copied().unwrap_or(0);
            for (source, canvases, what) in [
                (&self.original_pixels, &self.originals, "as drawn"),
                (&self.augmented_pixels, &self.augmented, "augmented"),
            ] {
                let Some(canvas) = canvases.get(i) else {
                    continue;
                };
                pixels.clear();
                pixels.extend(source.row(i).iter().copied());
                grid::draw(
                    canvas,
                    &GridChart {
                        values: &pixels,
                        rows: 8,
                        cols: 8,
                        reach: 1.0,
                        padding: (0, 0, 0, 0),
                        decimals: 1,
                    },
                    palette,
                )?;
                canvas.set_attribute("aria-label", &format!("A training {label}, {what}"))?;
            }
            if let (Some(t), Some(el)) = (self.transforms.get(i), self.params.get(i)) {
                dom::set_text(el, &describe(t));
            }
        }
        Ok(())
    }

    /// The accuracy curves of both runs on shared axes, the table and the readout.
    fn draw_curves(&mut self, palette: &Palette) -> Result<()> {
        let all = run_colors(3, palette)?;
        let colors = [all[0], all[2]];
        let mut last = 1.0_f64;
        for (i, run) in self.demo.runs().iter().enumerate() {
            let (train, rest) = self.curves[2 * i..].split_at_mut(1);
            let (train, val) = (&mut train[0], &mut rest[0]);
            train.clear();
            val.clear();
            for r in run.history() {
                let x = r.step as f64;
                train.push((x, f64::from(r.train_accuracy)));
                val.push((x, f64::from(r.validation_accuracy)));
                last = last.max(x);
            }
        }
        let series = (0..2)
            .flat_map(|i| {
                [
                    Series {
                        points: &self.curves[2 * i],
                        color: colors[i],
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &self.curves[2 * i + 1],
                        color: colors[i],
                        stroke: Stroke::Dashed,
                    },
                ]
            })
            .collect();
        line::draw(
            &self.chart,
            &LineChart {
                x: 0.0..last,
                y: 0.0..1.0,
                x_label: "updates",
                series,
                bands: &[],
                markers: vec![],
                log_y: false,
                note: None,
            },
            palette,
        )?;
        for (i, color) in colors.iter().enumerate() {
            if let Ok(Some(key)) = self
                .root
                .query_selector(&format!("[data-role=\"key-{i}\"]"))
                && let Some(el) = key.dyn_ref::<web_sys::HtmlElement>()
            {
                el.style().set_property(
                    "--key-color",
                    &format!("rgb({}, {}, {})", color.0, color.1, color.2),
                )?;
            }
        }
        let latest: Vec<Option<Record>> = self
            .demo
            .runs()
            .iter()
            .map(|r| r.latest().copied())
            .collect();
        let step = self.demo.steps();
        let pct = |v: f32| format!("{:.1}%", 100.0 * v);
        let mut alt = format!("Accuracy curves after {step} updates.");
        for (name, r) in NAMES.iter().zip(&latest) {
            if let Some(r) = r {
                alt.push_str(&format!(
                    " {name}: training {}, validation {}.",
                    pct(r.train_accuracy),
                    pct(r.validation_accuracy)
                ));
            }
        }
        self.chart.set_attribute("aria-label", &alt)?;
        self.write_table(&latest)?;
        if let Ok(Some(el)) = self.root.query_selector("[data-role=\"step-count\"]") {
            dom::set_text(&el, &step.to_string());
        }
        let text = match (
            latest.first().copied().flatten(),
            latest.get(1).copied().flatten(),
        ) {
            (Some(a), Some(b)) if step > 0 => {
                let gain = 100.0 * (b.validation_accuracy - a.validation_accuracy);
                format!(
                    "After {step} updates, validation accuracy is {} without augmentation and {} \
                     with it: {} {} points.",
                    pct(a.validation_accuracy),
                    pct(b.validation_accuracy),
                    if gain >= 0.0 {
                        "a gain of"
                    } else {
                        "a loss of"
                    },
                    fmt(f64::from(gain.abs()), 1)
                )
            }
            _ => "Press Play to train both networks.".to_owned(),
        };
        dom::set_text(&self.readout, &text);
        Ok(())
    }

    /// One row per run: name, training accuracy, validation accuracy, validation loss.
    fn write_table(&self, latest: &[Option<Record>]) -> Result<()> {
        for (i, (name, r)) in NAMES.iter().zip(latest).enumerate() {
            let pct = |v: Option<f32>| v.map_or("–".into(), |v| format!("{:.1}%", 100.0 * v));
            let texts = [
                (*name).to_owned(),
                pct(r.map(|r| r.train_accuracy)),
                pct(r.map(|r| r.validation_accuracy)),
                r.map_or("–".into(), |r| fmt(f64::from(r.validation_loss), 3)),
            ];
            dom::write_row(&self.table, i, &texts)?;
        }
        Ok(())
    }

    /// Writes the numbers shown into `data-state`.
    fn write_state(&self) -> Result<()> {
        let ranges = self.ranges();
        let runs = NAMES
            .iter()
            .zip(self.demo.runs())
            .filter_map(|(name, run)| {
                let r = run.latest()?;
                Some(RunState {
                    name,
                    augmented: run.augments(),
                    step: r.step,
                    train_accuracy: r.train_accuracy,
                    validation_accuracy: r.validation_accuracy,
                    train_loss: r.train_loss,
                    validation_loss: r.validation_loss,
                    points: run.history().len(),
                })
            })
            .collect();
        let labels = self.demo.train().labels().unwrap_or(&[]);
        dom::set_state(
            &self.root,
            &AugmentationState {
                step: self.demo.steps(),
                playing: self.playback.playing(),
                limit: SHOWN_UPDATES,
                draw: self.draw,
                train_digits: self.demo.train().len(),
                validation_digits: self.demo.validation().len(),
                ranges: RangesState {
                    rotation: ranges.max_rotation_degrees,
                    shift: ranges.max_shift,
                    min_zoom: ranges.min_zoom,
                    max_zoom: ranges.max_zoom,
                    blur: ranges.max_blur_sigma,
                    noise: ranges.noise_std,
                },
                preview_digits: self
                    .rows
                    .iter()
                    .map(|&r| labels.get(r).copied().unwrap_or(0))
                    .collect(),
                transforms: self
                    .transforms
                    .iter()
                    .map(|t| TransformState {
                        rotation: t.rotation_degrees,
                        shift_x: t.shift_x,
                        shift_y: t.shift_y,
                        zoom: t.zoom,
                        blur: t.blur_sigma,
                        noise: t.noise_std,
                    })
                    .collect(),
                runs,
            },
        )
    }
}

/// The figure's `data-state`: the updates made, whether it plays and its limit, which random
/// draw the previews show, the set sizes, the ranges, the previewed digits with the transform
/// each drew, and each run's latest scores.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AugmentationState {
    step: u64,
    playing: bool,
    limit: u64,
    draw: u32,
    train_digits: usize,
    validation_digits: usize,
    ranges: RangesState,
    preview_digits: Vec<usize>,
    transforms: Vec<TransformState>,
    runs: Vec<RunState>,
}

/// The largest transforms the sliders allow.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RangesState {
    rotation: f32,
    shift: f32,
    min_zoom: f32,
    max_zoom: f32,
    blur: f32,
    noise: f32,
}

/// The transform one previewed digit drew.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TransformState {
    rotation: f32,
    shift_x: f32,
    shift_y: f32,
    zoom: f32,
    blur: f32,
    noise: f32,
}

/// One run's latest scores.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunState {
    name: &'static str,
    augmented: bool,
    step: u64,
    train_accuracy: f32,
    validation_accuracy: f32,
    train_loss: f32,
    validation_loss: f32,
    points: usize,
}

/// A transform in a few words, on four lines: its rotation, its shift (right, down, in pixels),
/// its zoom and its blur.
fn describe(t: &Transform) -> String {
    format!(
        "{}°\n{}, {}\n×{}\nblur {}",
        fmt(f64::from(t.rotation_degrees), 0),
        fmt(f64::from(t.shift_x), 1),
        fmt(f64::from(t.shift_y), 1),
        fmt(f64::from(t.zoom), 2),
        fmt(f64::from(t.blur_sigma), 1)
    )
}

/// Runs `what` on the figure and redraws, showing any error.
fn act(
    fig: &Rc<RefCell<AugmentationFigure>>,
    what: impl FnOnce(&mut AugmentationFigure) -> Result<()>,
) {
    if let Ok(mut f) = fig.try_borrow_mut() {
        let result = what(&mut f).and_then(|()| f.redraw());
        if let Err(e) = result {
            f.report(&e);
        }
    }
}

/// Wires the buttons, the sliders (moving one redraws the previews, letting go rebuilds the
/// trainings) and the keys (Space plays or pauses, the right arrow steps, R resets).
fn wire(fig: &Rc<RefCell<AugmentationFigure>>) -> Result<()> {
    let root = fig.borrow().root.clone();
    let button = |role: &str| -> Result<Element> {
        dom::query(&root, &format!("button[data-role=\"{role}\"]"))
    };
    let f = Rc::clone(fig);
    dom::on(&button("play")?.into(), "click", move |_| {
        training::toggle(&f)
    })?;
    let f = Rc::clone(fig);
    dom::on(&button("step")?.into(), "click", move |_| {
        act(&f, |f| f.advance(UPDATES_PER_FRAME));
    })?;
    let f = Rc::clone(fig);
    dom::on(&button("reset")?.into(), "click", move |_| {
        act(&f, AugmentationFigure::rebuild)
    })?;
    let f = Rc::clone(fig);
    dom::on(&button("redraw")?.into(), "click", move |_| {
        act(&f, |f| {
            f.draw = f.draw.wrapping_add(1);
            Ok(())
        });
    })?;
    let is_slider = |ev: &web_sys::Event| {
        ev.target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|t| t.type_() == "range")
    };
    let f = Rc::clone(fig);
    dom::on(&root, "input", move |ev| {
        if is_slider(&ev) {
            act(&f, |_| Ok(()));
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&root, "change", move |ev| {
        if is_slider(&ev) {
            act(&f, AugmentationFigure::rebuild);
        }
    })?;
    let f = Rc::clone(fig);
    training::on_keys(fig, move |key| {
        match key {
            "ArrowRight" => act(&f, |f| f.advance(UPDATES_PER_FRAME)),
            "r" | "R" => act(&f, AugmentationFigure::rebuild),
            _ => return false,
        }
        true
    })?;
    Ok(())
}

impl Trains for AugmentationFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    /// A finished comparison plays again from the start.
    fn before_play(&mut self) -> Result<()> {
        if self.demo.steps() >= SHOWN_UPDATES {
            self.rebuild()?;
        }
        Ok(())
    }

    /// A bounded number of updates on both runs, then the curves and the table.
    fn train_frame(&mut self) -> Result<bool> {
        let go_on = self.advance_frame()?;
        self.redraw_training()?;
        Ok(go_on)
    }

    fn advance_frame(&mut self) -> Result<bool> {
        self.advance(UPDATES_PER_FRAME)?;
        Ok(self.playback.playing())
    }

    fn steps(&self) -> u64 {
        self.demo.steps()
    }

    fn redraw(&mut self) -> Result<()> {
        AugmentationFigure::redraw(self)
    }

    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        self.say(&format!("Something went wrong: {e}.")).ok();
    }
}

/// The figure behind the [`Figure`] trait (for theme and resize redraws).
struct Wrapper(Rc<RefCell<AugmentationFigure>>);

impl Figure for Wrapper {
    fn update(&mut self) -> Result<()> {
        match self.0.try_borrow_mut() {
            Ok(mut f) => f.redraw(),
            Err(_) => Ok(()),
        }
    }

    /// Both runs' records: one row per run and record, as the engine kept them.
    fn csv(&self) -> Option<String> {
        let f = self.0.try_borrow().ok()?;
        let mut csv = Csv::new(&[
            "run",
            "step",
            "train_loss",
            "train_accuracy",
            "validation_loss",
            "validation_accuracy",
        ]);
        for (run, name) in f.demo.runs().iter().zip(NAMES) {
            for r in run.history() {
                csv.row([
                    Cell::from(name),
                    Cell::from(r.step),
                    Cell::from(r.train_loss),
                    Cell::from(r.train_accuracy),
                    Cell::from(r.validation_loss),
                    Cell::from(r.validation_accuracy),
                ]);
            }
        }
        Some(csv.finish())
    }
}
