//! The GAN figure: a generator and a discriminator train against each other on the plane. The
//! real points, the generated points with the gradient that moves each of them, and the
//! discriminator's probability behind them share one plot; the two losses run below.
//!
//! The engine ([`spiega_lessons::gan`]) trains and evaluates everything; this module reads the
//! controls, steps the run on animation frames while it plays, and draws.

use super::Figure;
use crate::charts::Palette;
use crate::charts::heatmap::{
    ColorScale, Field, Heatmap, HeatmapSpec, Point, Split, Splits, context_2d,
};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::training::{self, Playback, Trains};
use serde::Serialize;
use spiega_lessons::gan::ROUND_LIMIT;
use spiega_lessons::gan::{
    Gan, GanConfig, GanView, GeneratorLoss, MAX_DRAWN, MIXTURE_MODES, PLANE, Target,
};
use spiega_nn::EngineError;
use spiega_nn::optim::OptimizerKind;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

/// The side of the lattice the discriminator is evaluated on.
const GRID: usize = 64;
/// Data units of arrow per unit of gradient.
const ARROW_SCALE: f32 = 1.0;
/// The longest arrow, in data units.
const ARROW_MAX: f32 = 0.5;
/// A drawn point is added only this far (in data units) from the last one.
const DRAW_SPACING: f32 = 0.06;

/// The shape the "your own" target starts with: a wave across the plane, so that the choice
/// trains at once; the reader clears it and draws their own.
fn starter_drawing() -> Vec<[f32; 2]> {
    (0..60)
        .map(|i| {
            let x = -1.6 + 3.2 * i as f32 / 59.0;
            [x, 0.9 * (2.2 * x).sin()]
        })
        .collect()
}

/// The figure's controls, canvases, run and drawing buffers.
struct GanFigure {
    root: Element,
    plane: HtmlCanvasElement,
    losses: HtmlCanvasElement,
    message: Element,
    readout: Element,
    heatmap: Heatmap,
    run: Option<Gan>,
    config: GanConfig,
    drawn: Vec<[f32; 2]>,
    /// The pointer is down on the plane while the target is the reader's drawing.
    drawing: bool,
    playback: Playback,
    diverged: bool,
    points: Vec<Point>,
    d_curve: Vec<(f64, f64)>,
    g_curve: Vec<(f64, f64)>,
    css: String,
    /// The first distance of this run, for the readout's comparison.
    start_distance: Option<f32>,
    /// The distance last drawn, for the CSV export.
    last_distance: Option<f32>,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(GanFigure {
        root: root.clone(),
        plane: dom::query(root, "canvas[data-role=\"plane\"]")?,
        losses: dom::query(root, "canvas[data-role=\"losses\"]")?,
        message: dom::query(root, "[data-role=\"message\"]")?,
        readout: dom::query(root, "[data-role=\"readout\"]")?,
        heatmap: Heatmap::new(),
        run: None,
        config: GanConfig::default(),
        drawn: starter_drawing(),
        drawing: false,
        playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
        diverged: false,
        points: Vec::new(),
        d_curve: Vec::new(),
        g_curve: Vec::new(),
        css: String::new(),
        start_distance: None,
        last_distance: None,
    }));
    {
        let mut f = fig.borrow_mut();
        f.config = f.read_controls()?;
        f.write_outputs()?;
        f.rebuild()?;
    }
    wire(&fig)?;
    training::warm_up_on_first_sight(&fig)?;
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

/// Runs `what` on the figure, reporting an error in the figure.
fn with(fig: &Rc<RefCell<GanFigure>>, what: impl FnOnce(&mut GanFigure) -> Result<()>) {
    if let Ok(mut f) = fig.try_borrow_mut()
        && let Err(e) = what(&mut f)
    {
        f.report(&e);
    }
}

/// Wires the controls, buttons, keys and pointer.
fn wire(fig: &Rc<RefCell<GanFigure>>) -> Result<()> {
    let root = fig.borrow().root.clone();
    let f = Rc::clone(fig);
    dom::on(&root, "change", move |_| {
        with(&f, GanFigure::controls_changed)
    })?;
    let f = Rc::clone(fig);
    dom::on(&root, "input", move |_| with(&f, |g| g.write_outputs()))?;
    let f = Rc::clone(fig);
    dom::on(&root, "click", move |ev| {
        let role = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button").ok().flatten())
            .and_then(|t| t.get_attribute("data-role"));
        match role.as_deref() {
            Some("play") => training::toggle(&f),
            Some("step-d") => with(&f, |g| g.step(Steps::Discriminator)),
            Some("step-g") => with(&f, |g| g.step(Steps::Generator)),
            Some("step-both") => with(&f, |g| g.step(Steps::Both)),
            Some("reset") => with(&f, GanFigure::rebuild),
            Some("clear-drawing") => with(&f, GanFigure::clear_drawing),
            _ => {}
        }
    })?;
    let f = Rc::clone(fig);
    training::on_keys(fig, move |key| {
        match key {
            "ArrowRight" => with(&f, |g| g.step(Steps::Both)),
            "d" | "D" => with(&f, |g| g.step(Steps::Discriminator)),
            "g" | "G" => with(&f, |g| g.step(Steps::Generator)),
            "r" | "R" => with(&f, GanFigure::rebuild),
            _ => return false,
        }
        true
    })?;
    let plane = fig.borrow().plane.clone();
    for (event, down) in [
        ("pointerdown", Some(true)),
        ("pointermove", None),
        ("pointerup", Some(false)),
        ("pointerleave", Some(false)),
    ] {
        let f = Rc::clone(fig);
        dom::on(&plane, event, move |ev| {
            let Some(mouse) = ev.dyn_ref::<web_sys::MouseEvent>() else {
                return;
            };
            let at = (f64::from(mouse.offset_x()), f64::from(mouse.offset_y()));
            with(&f, |g| g.pointer(at, down));
        })?;
    }
    Ok(())
}

/// Which network a step button trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Steps {
    Discriminator,
    Generator,
    /// One round: the chosen number of discriminator steps, then one generator step.
    Both,
}

impl GanFigure {
    /// The settings the controls show (the learning-rate sliders hold log₁₀ η).
    fn read_controls(&self) -> Result<GanConfig> {
        let root = &self.root;
        let slider = |role: &str| dom::input(root, role);
        Ok(GanConfig {
            target: Target::from_id(&controls::select(root, "target")?, &self.drawn)?,
            noise_dim: controls::chosen(&controls::menu(root, "noise")?)?,
            optimizer: OptimizerKind::from_name(&controls::select(root, "optimizer")?)?,
            loss: GeneratorLoss::from_id(&controls::select(root, "loss")?)?,
            lr_generator: controls::log_value(&slider("lr-g")?) as f32,
            lr_discriminator: controls::log_value(&slider("lr-d")?) as f32,
            d_steps: controls::number(&slider("d-steps")?) as usize,
            ..GanConfig::default()
        })
    }

    /// The numbers beside the sliders, and which controls apply.
    fn write_outputs(&self) -> Result<()> {
        let c = self.read_controls()?;
        dom::set_output(
            &self.root,
            "lr-g-value",
            &controls::format_rate(c.lr_generator),
        );
        dom::set_output(
            &self.root,
            "lr-d-value",
            &controls::format_rate(c.lr_discriminator),
        );
        dom::set_output(&self.root, "d-steps-value", &c.d_steps.to_string());
        let drawn = matches!(c.target, Target::Drawn(_));
        for el in dom::query_all(&self.root, "[data-when=\"drawn\"]")? {
            dom::set_hidden(&el, !drawn)?;
        }
        self.plane
            .set_attribute("data-drawing", if drawn { "true" } else { "false" })?;
        Ok(())
    }

    /// Shows a message in the figure (as text), or hides it when empty.
    fn say(&self, text: &str) -> Result<()> {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, text.is_empty())
    }

    /// A new, untrained run from the controls.
    fn rebuild(&mut self) -> Result<()> {
        self.set_playing(false);
        self.diverged = false;
        self.root.remove_attribute("data-diverged")?;
        self.config = self.read_controls()?;
        self.start_distance = None;
        match Gan::new(self.config.clone()) {
            Ok(run) => {
                self.run = Some(run);
                self.say("")?;
            }
            Err(EngineError::Empty { .. }) => {
                self.run = None;
                self.say("Draw on the plane to make the real distribution: press and drag.")?;
            }
            Err(e) => return Err(e.into()),
        }
        self.draw()
    }

    /// A control changed: the noise dimension needs new networks; everything else applies to
    /// the running game.
    fn controls_changed(&mut self) -> Result<()> {
        self.write_outputs()?;
        let new = self.read_controls()?;
        let needs_new = self.run.is_none() || new.noise_dim != self.config.noise_dim;
        if needs_new {
            let trained = self.run.as_ref().is_some_and(|r| r.generator_steps() > 0);
            self.rebuild()?;
            if trained && self.run.is_some() {
                self.say(
                    "A new noise dimension needs a new generator, so training started again.",
                )?;
            }
            return Ok(());
        }
        if let Some(run) = self.run.as_mut() {
            run.retune(new.clone())?;
        }
        self.config = new;
        self.draw()
    }

    /// Steps the game once (no effect while diverged).
    fn step(&mut self, which: Steps) -> Result<()> {
        if self.diverged {
            return Ok(());
        }
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        let result = match which {
            Steps::Discriminator => run.step_discriminator().map(|_| ()),
            Steps::Generator => run.step_generator().map(|_| ()),
            Steps::Both => run.iterate(),
        };
        if let Err(e) = result {
            return self.diverge(&e);
        }
        self.draw()
    }

    fn diverge(&mut self, e: &EngineError) -> Result<()> {
        if !matches!(e, EngineError::NonFinite { .. }) {
            return Err(WebError::Engine(e.clone()));
        }
        self.diverged = true;
        self.set_playing(false);
        self.root.set_attribute("data-diverged", "true")?;
        self.say(&format!(
            "Training diverged ({e}), so it paused; the last good picture stays on screen. Lower \
             the learning rates and press Reset."
        ))
    }

    /// Adds drawn points while the pointer is down on the plane (target "your own" only).
    fn pointer(&mut self, at: (f64, f64), down: Option<bool>) -> Result<()> {
        if !matches!(self.config.target, Target::Drawn(_)) {
            return Ok(());
        }
        if let Some(down) = down {
            self.drawing = down;
        }
        if !self.drawing {
            return Ok(());
        }
        let Some((x, y)) = self.heatmap.to_data(at.0, at.1) else {
            return Ok(());
        };
        if x.abs() > PLANE || y.abs() > PLANE || self.drawn.len() >= MAX_DRAWN {
            return Ok(());
        }
        let far = self.drawn.last().is_none_or(|&[px, py]| {
            (px - x).powi(2) + (py - y).powi(2) >= DRAW_SPACING * DRAW_SPACING
        });
        if !far {
            return Ok(());
        }
        self.drawn.push([x, y]);
        self.config.target = Target::Drawn(self.drawn.clone());
        match self.run.as_mut() {
            Some(run) => run.retune(self.config.clone())?,
            None => return self.rebuild(),
        }
        self.draw()
    }

    /// Forgets the drawing; training waits for a new one.
    fn clear_drawing(&mut self) -> Result<()> {
        self.drawn.clear();
        self.rebuild()
    }

    /// Draws the plane, the loss curves and the readout, and writes the state.
    fn draw(&mut self) -> Result<()> {
        let palette = Palette::from_css()?;
        let Some(run) = self.run.as_mut() else {
            return self.draw_empty(&palette);
        };
        let view = run.view(GRID)?;
        let start = *self.start_distance.get_or_insert(view.distance);
        self.last_distance = Some(view.distance);
        let history = run.history();
        let (d_loss, g_loss) = run.last_losses();
        let (d_steps, g_steps) = (run.discriminator_steps(), run.generator_steps());
        self.d_curve.clear();
        self.g_curve.clear();
        for p in history {
            let x = p.generator_steps as f64;
            self.d_curve.push((x, f64::from(p.discriminator)));
            self.g_curve.push((x, f64::from(p.generator)));
        }
        self.draw_plane(&view, &palette)?;
        self.draw_losses(&palette)?;
        self.losses.set_attribute(
            "aria-label",
            &format!(
                "The discriminator's and the generator's losses over {g_steps} generator steps: \
                 now {} and {}.",
                fmt(f64::from(d_loss), 3),
                fmt(f64::from(g_loss), 3)
            ),
        )?;

        let outside = (0..view.generated.nrows())
            .filter(|&r| !inside(view.generated[(r, 0)], view.generated[(r, 1)]))
            .count();
        let outside_text = if outside > 0 {
            format!(" · {outside} generated points off the plot")
        } else {
            String::new()
        };
        let modes = view
            .modes_covered
            .map(|m| format!(" · modes covered {m} of {MIXTURE_MODES}"))
            .unwrap_or_default();
        let readout = format!(
            "D loss {} · G loss {} · distance {} (from {}){modes}{outside_text}",
            fmt(f64::from(d_loss), 3),
            fmt(f64::from(g_loss), 3),
            fmt(f64::from(view.distance), 3),
            fmt(f64::from(start), 3),
        );
        dom::set_text(&self.readout, &readout);
        write_role(&self.root, "d-count", &d_steps.to_string())?;
        write_role(&self.root, "g-count", &g_steps.to_string())?;
        let mean_p = view
            .generated_probability
            .iter()
            .map(|&p| f64::from(p))
            .sum::<f64>()
            / view.generated_probability.len().max(1) as f64;
        let mean_arrow = (0..view.descent.nrows())
            .map(|r| f64::from(view.descent[(r, 0)].hypot(view.descent[(r, 1)])))
            .sum::<f64>()
            / view.descent.nrows().max(1) as f64;
        self.plane.set_attribute(
            "aria-label",
            &format!(
                "Real points (blue rings) and {} generated points (orange) on the plane, over the \
                 discriminator's probability that a point is real (blue: real, orange: generated). \
                 On average the discriminator gives the generated points a probability of {} of \
                 being real. {readout}.",
                view.generated.nrows(),
                fmt(mean_p, 2)
            ),
        )?;
        let c = &self.config;
        dom::set_state(
            &self.root,
            &GanState {
                target: c.target.id(),
                drawn_points: self.drawn.len(),
                generator_steps: g_steps,
                discriminator_steps: d_steps,
                playing: self.playback.playing(),
                diverged: self.diverged,
                run: Some(RunState {
                    noise_dim: c.noise_dim,
                    optimizer: c.optimizer.name(),
                    loss: c.loss.id(),
                    lr_generator: c.lr_generator,
                    lr_discriminator: c.lr_discriminator,
                    d_steps_per_round: c.d_steps,
                    discriminator_loss: d_loss,
                    generator_loss: g_loss,
                    distance: view.distance,
                    start_distance: start,
                    modes_covered: view.modes_covered,
                    mean_probability_of_generated: mean_p,
                    mean_arrow,
                    outside,
                }),
            },
        )?;
        Ok(())
    }

    /// The plane without a run (no drawing yet): the reader's canvas to draw on.
    fn draw_empty(&mut self, palette: &Palette) -> Result<()> {
        let field = vec![0.5_f32; 4];
        self.points.clear();
        for &[x, y] in &self.drawn {
            self.points.push(real_point(x, y));
        }
        self.heatmap
            .draw(&self.plane, &plane_spec(&field, 2, &self.points), palette)?;
        line::draw(
            &self.losses,
            &LineChart {
                x: 0.0..1.0,
                y: -1.0..2.0,
                x_label: "generator steps",
                series: Vec::new(),
                bands: &[],
                markers: Vec::new(),
                log_y: false,
                note: None,
            },
            palette,
        )?;
        dom::set_text(
            &self.readout,
            "No real distribution yet: draw one on the plane.",
        );
        dom::set_state(
            &self.root,
            &GanState {
                target: "drawn",
                drawn_points: self.drawn.len(),
                generator_steps: 0,
                discriminator_steps: 0,
                playing: false,
                diverged: false,
                run: None,
            },
        )?;
        Ok(())
    }

    fn draw_plane(&mut self, view: &GanView, palette: &Palette) -> Result<()> {
        self.points.clear();
        for r in 0..view.real.nrows() {
            self.points
                .push(real_point(view.real[(r, 0)], view.real[(r, 1)]));
        }
        for r in 0..view.generated.nrows() {
            if !inside(view.generated[(r, 0)], view.generated[(r, 1)]) {
                continue;
            }
            self.points.push(Point {
                x: view.generated[(r, 0)],
                y: view.generated[(r, 1)],
                class_or_value: 0.0,
                split: Split::Test,
                selected: false,
            });
        }
        self.heatmap.draw(
            &self.plane,
            &plane_spec(&view.probability, view.grid, &self.points),
            palette,
        )?;
        let Some(frame) = self.heatmap.frame().copied() else {
            return Ok(());
        };
        // The arrows: where the generator's loss pushes each generated point.
        let ratio = dom::window()?.device_pixel_ratio().max(1.0);
        let ctx = context_2d(&self.plane)?;
        ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
        let ink = crate::charts::heatmap::rgb(palette.ink);
        ctx.set_stroke_style_str(crate::charts::heatmap::css_rgba(&mut self.css, ink, 0.75));
        ctx.set_line_width(1.25);
        ctx.begin_path();
        for r in (0..view.generated.nrows()).step_by(2) {
            let (x, y) = (view.generated[(r, 0)], view.generated[(r, 1)]);
            let (dx, dy) = (view.descent[(r, 0)], view.descent[(r, 1)]);
            let norm = dx.hypot(dy);
            if !(norm.is_finite() && inside(x, y)) || norm < 1e-6 {
                continue;
            }
            let length = (ARROW_SCALE * norm).min(ARROW_MAX);
            let (ux, uy) = (dx / norm, dy / norm);
            let (x0, y0) = frame.to_pixel(x, y);
            let (x1, y1) = frame.to_pixel(x + length * ux, y + length * uy);
            let pixels = (x1 - x0).hypot(y1 - y0);
            if pixels < 1.5 {
                continue;
            }
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
            // A head of two short strokes at ±28° from the shaft.
            let head = pixels.min(6.0);
            let angle = (y1 - y0).atan2(x1 - x0);
            for side in [-0.5_f64, 0.5] {
                let a = angle + std::f64::consts::PI + side;
                ctx.move_to(x1, y1);
                ctx.line_to(x1 + head * a.cos(), y1 + head * a.sin());
            }
        }
        ctx.stroke();
        ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)?;
        Ok(())
    }

    fn draw_losses(&self, palette: &Palette) -> Result<()> {
        let last = self.d_curve.last().map_or(1.0, |p| p.0).max(1.0);
        let (lo, hi) = self
            .d_curve
            .iter()
            .chain(&self.g_curve)
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 1.5_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = 0.05 * (hi - lo);
        line::draw(
            &self.losses,
            &LineChart {
                x: 0.0..last,
                y: (lo - pad)..(hi + pad),
                x_label: "generator steps",
                series: vec![
                    Series {
                        points: &self.d_curve,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                    Series {
                        points: &self.g_curve,
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
}

/// Whether `(x, y)` lies on the plane shown.
fn inside(x: f32, y: f32) -> bool {
    x.abs() <= PLANE && y.abs() <= PLANE
}

/// A real point: a blue ring.
fn real_point(x: f32, y: f32) -> Point {
    Point {
        x,
        y,
        class_or_value: 1.0,
        split: Split::Validation,
        selected: false,
    }
}

/// The plane's heatmap: the discriminator's probability from 0 (orange) to 1 (blue).
fn plane_spec<'a>(field: &'a [f32], n: usize, points: &'a [Point]) -> HeatmapSpec<'a> {
    HeatmapSpec {
        field: Field::Values(field),
        n,
        x_range: (-PLANE, PLANE),
        y_range: (-PLANE, PLANE),
        scale: ColorScale::Diverging { min: 0.0, max: 1.0 },
        discretize: false,
        points,
        splits: Splits::ALL,
        ticks: true,
    }
}

fn write_role(root: &Element, role: &str, text: &str) -> Result<()> {
    if let Some(el) = root.query_selector(&format!("[data-role=\"{role}\"]"))? {
        dom::set_text(&el, text);
    }
    Ok(())
}

impl GanFigure {
    /// Whether the run has made its last round ([`ROUND_LIMIT`]).
    fn finished(&self) -> bool {
        self.run
            .as_ref()
            .is_some_and(|r| r.generator_steps() >= ROUND_LIMIT)
    }
}

impl Trains for GanFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    fn can_play(&self) -> bool {
        !self.diverged && self.run.is_some()
    }

    fn paused_label(&self) -> &'static str {
        let rounds = self.run.as_ref().map_or(0, Gan::generator_steps);
        training::paused_label(rounds, ROUND_LIMIT, "Play")
    }

    /// After the last round, Play starts again from untrained networks.
    fn before_play(&mut self) -> Result<()> {
        if self.finished() {
            self.rebuild()?;
        }
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.run.as_ref().map_or(0, Gan::generator_steps)
    }

    /// One frame of training: the chosen number of rounds (no more than are left before
    /// [`ROUND_LIMIT`]), without drawing; at the limit it stops and says so.
    fn advance_frame(&mut self) -> Result<bool> {
        let speed: u32 = controls::chosen(&controls::menu(&self.root, "speed")?)?;
        let done = self.run.as_ref().map_or(0, Gan::generator_steps);
        let rounds = training::updates_left(done, ROUND_LIMIT, speed);
        for _ in 0..rounds {
            let Some(run) = self.run.as_mut() else {
                return Ok(false);
            };
            if let Err(e) = run.iterate() {
                self.diverge(&e)?;
                return Ok(false);
            }
        }
        if self.finished() {
            self.set_playing(false);
            self.say(&format!(
                "Stopped after {ROUND_LIMIT} rounds. Train again starts from untrained networks; \
                 the step buttons go on from here."
            ))?;
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

impl Figure for GanFigure {
    /// Both losses at every recorded round, and the energy distance between generated and real
    /// points (measured when drawn: on the first row, at the start, and on the last row, now).
    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&[
            "generator_steps",
            "discriminator_steps",
            "discriminator_loss",
            "generator_loss",
            "energy_distance",
        ]);
        if let Some(run) = self.run.as_ref() {
            let history = run.history();
            for (i, p) in history.iter().enumerate() {
                let distance = if i + 1 == history.len() {
                    self.last_distance
                } else if i == 0 {
                    self.start_distance
                } else {
                    None
                };
                csv.row([
                    Cell::from(p.generator_steps),
                    Cell::from(p.discriminator_steps),
                    Cell::from(p.discriminator),
                    Cell::from(p.generator),
                    Cell::from(distance),
                ]);
            }
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        self.draw()
    }
}

/// The figure's `data-state`: the real distribution, the points drawn, the steps taken, whether
/// it plays or has diverged and, once there is a run, its settings and numbers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GanState {
    target: &'static str,
    drawn_points: usize,
    generator_steps: u64,
    discriminator_steps: u64,
    playing: bool,
    diverged: bool,
    #[serde(flatten)]
    run: Option<RunState>,
}

/// A run's settings, its last losses, its distance to the real distribution now and at the
/// start, the modes it covers, the discriminator's mean probability for the generated points,
/// the mean length of their arrows, and how many lie off the plot.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunState {
    noise_dim: usize,
    optimizer: &'static str,
    loss: &'static str,
    lr_generator: f32,
    lr_discriminator: f32,
    d_steps_per_round: usize,
    discriminator_loss: f32,
    generator_loss: f32,
    distance: f32,
    start_distance: f32,
    modes_covered: Option<usize>,
    mean_probability_of_generated: f64,
    mean_arrow: f64,
    outside: usize,
}
