//! The optimizers race: seven of the engine's optimizers start from one point on a 2-D loss
//! surface and run side by side, drawn as paths on a contour map with a loss-per-step chart.
//!
//! The reader picks the surface, drags (or types) the start, sets the learning rates and the
//! momentum, and picks a learning-rate schedule (constant, step or cosine decay, with or without a
//! warm-up), drawn as the rate against the step; Play runs the race a few steps per animation
//! frame until [`MAX_STEPS`], through [`crate::training`]. Every point, loss and rate comes from the engine's [`Race`] and
//! [`Schedule`]; this module maps them to pixels.

use super::Figure;
use crate::charts::Palette;
use crate::charts::contour::{ContourMap, ContourSpec, Path};
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::parse_color;
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::json::Widened;
use crate::training::{self, Playback, Trains};
use plotters::style::RGBAColor;
use serde::Serialize;
use spiega_lessons::optimizers::{
    MAX_STEPS, RACERS, Race, RaceConfig, STEP_EVERY, STEP_GAMMA, ScheduleKind, Surface, SurfaceKind,
};
use spiega_nn::optim::Schedule;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, MouseEvent};

/// The side of the contour grid.
const GRID: usize = 220;
/// Race steps per animation frame while playing (500 steps take about 4 s at 60 frames/s).
const STEPS_PER_FRAME: usize = 2;

/// The racers' names as the page shows them, in [`RACERS`] order.
const LABELS: [&str; 7] = [
    "Gradient descent",
    "SGD",
    "Momentum",
    "Nesterov",
    "Adagrad",
    "RMSProp",
    "Adam",
];

struct OptimizersFigure {
    root: Element,
    map_canvas: HtmlCanvasElement,
    loss_canvas: HtmlCanvasElement,
    rate_canvas: HtmlCanvasElement,
    map: ContourMap,
    lr: HtmlInputElement,
    adaptive_lr: HtmlInputElement,
    momentum: HtmlInputElement,
    start_x: HtmlInputElement,
    start_y: HtmlInputElement,
    warmup: HtmlInputElement,
    adagrad: Element,
    message: Element,
    surface: SurfaceKind,
    window: ([f32; 2], [f32; 2]),
    minima: Vec<[f32; 2]>,
    floor: f32,
    grid: Vec<f32>,
    race: Option<Race>,
    playback: Playback,
    series: Vec<Vec<(f64, f64)>>,
}

/// The rate chart's lines: the whole schedule, and the part the race has taken.
struct RateCurve {
    planned: Vec<(f64, f64)>,
    taken: Vec<(f64, f64)>,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(OptimizersFigure {
        map_canvas: dom::query(root, "canvas[data-role=\"map\"]")?,
        loss_canvas: dom::query(root, "canvas[data-role=\"loss-chart\"]")?,
        rate_canvas: dom::query(root, "canvas[data-role=\"rate-chart\"]")?,
        map: ContourMap::new(),
        lr: dom::input(root, "lr")?,
        adaptive_lr: dom::input(root, "adaptive-lr")?,
        momentum: dom::input(root, "momentum")?,
        start_x: dom::input(root, "start-x")?,
        start_y: dom::input(root, "start-y")?,
        warmup: dom::input(root, "warmup")?,
        adagrad: dom::query(root, "[data-role=\"adagrad\"]")?,
        message: dom::query(root, "[data-role=\"message\"]")?,
        surface: SurfaceKind::Elongated,
        window: ([-1.0, 1.0], [-1.0, 1.0]),
        minima: Vec::new(),
        floor: 0.0,
        grid: Vec::new(),
        race: None,
        playback: Playback::new(root, &dom::query(root, "button[data-role=\"play\"]")?)?,
        series: vec![Vec::new(); RACERS.len()],
        root: root.clone(),
    }));
    fig.borrow_mut().choose_surface(SurfaceKind::Elongated)?;
    wire(&fig)?;
    training::warm_up_on_first_sight(&fig)?;
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

fn act(
    fig: &Rc<RefCell<OptimizersFigure>>,
    what: fn(&mut OptimizersFigure) -> Result<()>,
) -> impl FnMut(web_sys::Event) + 'static {
    let f = Rc::clone(fig);
    move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = what(&mut fig)
        {
            fig.report(&e);
        }
    }
}

fn wire(fig: &Rc<RefCell<OptimizersFigure>>) -> Result<()> {
    let (root, canvas) = {
        let f = fig.borrow();
        (f.root.clone(), f.map_canvas.clone())
    };
    let f = Rc::clone(fig);
    dom::on(&root, "change", move |ev| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Ok(mut fig) = f.try_borrow_mut() else {
            return;
        };
        let done = match input.name().as_str() {
            "surface" => SurfaceKind::from_name(&input.value())
                .map_err(WebError::from)
                .and_then(|k| fig.choose_surface(k)),
            "schedule" => fig.restart(),
            _ => Ok(()),
        };
        if let Err(e) = done {
            fig.report(&e);
        }
    })?;
    let f = Rc::clone(fig);
    dom::on(&root, "input", move |ev| {
        let is_radio = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|i| i.type_() == "radio");
        if is_radio {
            return;
        }
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.restart()
        {
            fig.report(&e);
        }
    })?;
    let step: Element = dom::query(&root, "button[data-role=\"step\"]")?;
    dom::on(&step, "click", act(fig, |f| f.advance(10)))?;
    let reset: Element = dom::query(&root, "button[data-role=\"reset\"]")?;
    dom::on(&reset, "click", act(fig, OptimizersFigure::restart))?;
    let play: Element = dom::query(&root, "button[data-role=\"play\"]")?;
    let f = Rc::clone(fig);
    dom::on(&play, "click", move |_| training::toggle(&f))?;
    // Pressing on the map moves the start there; dragging keeps moving it. Pointer events carry
    // the mouse, a pen and a finger alike (the map sets `touch-action: none`, so a finger drags
    // the start instead of scrolling the page).
    for event in ["pointerdown", "pointermove"] {
        let f = Rc::clone(fig);
        dom::on(&canvas, event, move |ev| {
            let Some(m) = ev.dyn_ref::<MouseEvent>() else {
                return;
            };
            if m.buttons() & 1 == 0 {
                return;
            }
            ev.prevent_default();
            if let Ok(mut fig) = f.try_borrow_mut()
                && let Err(e) = fig.drag_start(f64::from(m.offset_x()), f64::from(m.offset_y()))
            {
                fig.report(&e);
            }
        })?;
    }
    Ok(())
}

/// The racers' colours, from the figure's CSS custom properties `--opt-<name>`.
fn racer_colors(root: &Element, palette: &Palette) -> Result<Vec<RGBAColor>> {
    let style = dom::window()?.get_computed_style(root)?;
    Ok(RACERS
        .iter()
        .map(|name| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(&format!("--opt-{name}")).ok())
                .and_then(|v| parse_color(&v))
                .unwrap_or(palette.ink)
        })
        .collect())
}

impl OptimizersFigure {
    /// Switches to surface `kind`: its grid, default start and learning rates, a new race.
    fn choose_surface(&mut self, kind: SurfaceKind) -> Result<()> {
        let mut surface = Surface::new(kind)?;
        self.grid = surface.grid(GRID)?;
        let (lr, adaptive, momentum) = surface.defaults();
        let start = surface.default_start();
        controls::set_log_value(&self.lr, f64::from(lr));
        controls::set_log_value(&self.adaptive_lr, f64::from(adaptive));
        self.momentum.set_value(&f64::from(momentum).to_string());
        self.minima = surface.minima();
        self.floor = surface.minimum_value()?;
        let ([x0, x1], [y0, y1]) = surface.window();
        for (input, lo, hi, v) in [
            (&self.start_x, x0, x1, start[0]),
            (&self.start_y, y0, y1, start[1]),
        ] {
            input.set_min(&lo.to_string());
            input.set_max(&hi.to_string());
            input.set_value(&v.to_string());
        }
        self.surface = kind;
        self.window = ([x0, x1], [y0, y1]);
        self.restart()
    }

    /// The schedule the controls choose: the checked schedule, after a warm-up if it is ticked.
    fn schedule(&self) -> Result<(ScheduleKind, Schedule)> {
        let checked: HtmlInputElement = dom::query(&self.root, "input[name=\"schedule\"]:checked")?;
        let kind = ScheduleKind::from_name(&checked.value())?;
        Ok((kind, kind.schedule(self.warmup.checked())?))
    }

    /// The race's settings as the controls give them (learning-rate sliders hold log₁₀ η).
    fn config(&self) -> Result<(RaceConfig, [f32; 2])> {
        let lr = controls::log_value(&self.lr) as f32;
        let adaptive_lr = controls::log_value(&self.adaptive_lr) as f32;
        let momentum = controls::number(&self.momentum) as f32;
        let start = [
            controls::number(&self.start_x) as f32,
            controls::number(&self.start_y) as f32,
        ];
        Ok((
            RaceConfig {
                lr,
                adaptive_lr,
                momentum,
                seed: 1,
                schedule: self.schedule()?.1,
            },
            start,
        ))
    }

    /// A new race from the controls' settings (the current surface).
    fn restart(&mut self) -> Result<()> {
        let (config, start) = self.config()?;
        dom::set_hidden(&self.message, true)?;
        dom::set_output(&self.root, "lr-value", &controls::format_rate(config.lr));
        dom::set_output(
            &self.root,
            "adaptive-lr-value",
            &controls::format_rate(config.adaptive_lr),
        );
        dom::set_output(
            &self.root,
            "momentum-value",
            &fmt(f64::from(config.momentum), 2),
        );
        dom::set_output(&self.root, "start-x-value", &fmt(f64::from(start[0]), 2));
        dom::set_output(&self.root, "start-y-value", &fmt(f64::from(start[1]), 2));
        self.race = Some(Race::new(Surface::new(self.surface)?, start, config)?);
        self.draw()
    }

    /// `steps` more steps of every racer, then a redraw.
    fn advance(&mut self, steps: usize) -> Result<()> {
        if let Some(race) = self.race.as_mut() {
            for _ in 0..steps {
                race.step()?;
            }
        }
        self.draw()
    }

    /// Moves the start to the map point under the pointer and restarts.
    fn drag_start(&mut self, px: f64, py: f64) -> Result<()> {
        let Some((x, y)) = self.map.to_data(px, py) else {
            return Ok(());
        };
        let ([x0, x1], [y0, y1]) = self.window;
        self.start_x.set_value(&format!("{:.2}", x.clamp(x0, x1)));
        self.start_y.set_value(&format!("{:.2}", y.clamp(y0, y1)));
        self.set_playing(false);
        self.restart()
    }

    fn draw(&mut self) -> Result<()> {
        let Some(race) = self.race.as_ref() else {
            return Ok(());
        };
        let palette = Palette::from_css()?;
        let colors = racer_colors(&self.root, &palette)?;
        let (config, start) = self.config()?;
        let (schedule_kind, schedule) = self.schedule()?;
        let ([x0, x1], [y0, y1]) = self.window;
        let spec = ContourSpec {
            n: GRID,
            values: &self.grid,
            x_range: (x0, x1),
            y_range: (y0, y1),
            paths: race
                .racers()
                .iter()
                .zip(&colors)
                .map(|(r, &color)| Path {
                    points: &r.path,
                    color,
                })
                .collect(),
            start,
            minima: &self.minima,
        };
        self.map.draw(&self.map_canvas, &spec, &palette)?;

        // The loss chart: every racer's height above the surface's minimum per step, on a
        // logarithmic axis (values are log₁₀, floored at 10⁻⁶), on a shared range.
        let floor = f64::from(self.floor);
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for (series, r) in self.series.iter_mut().zip(race.racers()) {
            series.clear();
            series.extend(
                r.losses
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| (i as f64, (f64::from(l) - floor).max(1e-6).log10())),
            );
            for &(_, l) in series.iter() {
                lo = lo.min(l);
            }
            if let Some(&(_, first)) = series.first() {
                hi = hi.max(first);
            }
        }
        if !(lo.is_finite() && hi.is_finite()) || hi - lo < 1e-9 {
            lo = hi - 1.0;
        }
        let lo = lo.floor();
        let pad = (hi - lo) * 0.05;
        // Values above the start (a racer climbing out) are clipped to the top of the chart.
        let top = hi + pad;
        for series in &mut self.series {
            for p in series.iter_mut() {
                p.1 = p.1.min(top);
            }
        }
        let steps = race.steps().max(10) as f64;
        line::draw(
            &self.loss_canvas,
            &LineChart {
                x: 0.0..steps,
                y: (lo - pad)..top,
                x_label: "step (loss above the minimum, log scale)",
                series: self
                    .series
                    .iter()
                    .zip(&colors)
                    .map(|(points, &color)| Series {
                        points,
                        color,
                        stroke: Stroke::Solid,
                    })
                    .collect(),
                bands: &[],
                markers: Vec::new(),
                log_y: true,
                note: None,
            },
            &palette,
        )?;

        // The rate chart: the schedule's share of the sliders' rates at every step of the race,
        // the steps taken drawn solid with a dot at the rate of the last one.
        let taken = race.steps();
        let factor = |t: usize| f64::from(schedule.factor(t));
        let rates = RateCurve {
            planned: (0..=MAX_STEPS).map(|t| (t as f64, factor(t))).collect(),
            taken: (0..taken).map(|t| (t as f64, factor(t))).collect(),
        };
        let last_rate = taken.checked_sub(1).map(factor);
        line::draw(
            &self.rate_canvas,
            &LineChart {
                x: 0.0..MAX_STEPS as f64,
                y: 0.0..1.05,
                x_label: "step (rate as a share of η)",
                series: vec![
                    Series {
                        points: &rates.planned,
                        color: palette.muted,
                        stroke: Stroke::Dashed,
                    },
                    Series {
                        points: &rates.taken,
                        color: palette.ink,
                        stroke: Stroke::Solid,
                    },
                ],
                bands: &[],
                markers: last_rate
                    .map(|r| vec![(((taken - 1) as f64, r), palette.blue)])
                    .unwrap_or_default(),
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let warm = if schedule.warmup() > 0 {
            format!(" after a {}-step warm-up", schedule.warmup())
        } else {
            String::new()
        };
        let now = match last_rate {
            Some(r) => format!("the last of {taken} steps used {} of η", fmt(r, 3)),
            None => "no step taken yet".to_owned(),
        };
        self.rate_canvas.set_attribute(
            "aria-label",
            &format!(
                "Learning rate per step as a share of η: {}{warm}, from {} of η at the first step to {} at the last; {now}.",
                schedule_name(schedule_kind),
                fmt(factor(0), 3),
                fmt(factor(MAX_STEPS - 1), 3),
            ),
        )?;

        // The legend's numbers, the Adagrad readout, labels and state.
        let mut summary = Vec::new();
        for (i, r) in race.racers().iter().enumerate() {
            let loss = r.losses.last().copied().unwrap_or(f32::NAN);
            let text = match &r.stopped {
                Some(_) => "diverged".to_owned(),
                None => fmt(f64::from(loss), 4),
            };
            dom::set_output(&self.root, &format!("loss-{}", RACERS[i]), &text);
            summary.push(format!("{} {text}", LABELS[i]));
        }
        let adagrad = &race.racers()[4];
        let g = adagrad
            .state()
            .iter()
            .find(|(n, _)| *n == "G")
            .map(|(_, v)| v.to_vec())
            .unwrap_or_default();
        let text = match (g.as_slice(), adagrad.adagrad_step_sizes()) {
            ([g1, g2], Some([s1, s2])) => format!(
                "Adagrad after {} steps: accumulated squared gradients s = [{}, {}], so its \
                 per-parameter step sizes η/√s are [{}, {}].",
                race.steps(),
                fmt(f64::from(*g1), 3),
                fmt(f64::from(*g2), 3),
                fmt(f64::from(s1), 4),
                fmt(f64::from(s2), 4)
            ),
            _ => "Adagrad has not taken a step yet: s = [0, 0].".to_owned(),
        };
        dom::set_text(&self.adagrad, &text);
        self.map_canvas.set_attribute(
            "aria-label",
            &format!(
                "Contour map of the {} surface with each optimizer's path from ({}, {}) after {} steps.",
                self.surface.name(),
                fmt(f64::from(start[0]), 2),
                fmt(f64::from(start[1]), 2),
                race.steps()
            ),
        )?;
        self.loss_canvas.set_attribute(
            "aria-label",
            &format!(
                "Loss above the minimum per step, on a log scale. After {} steps the losses are: {}.",
                race.steps(),
                summary.join(", ")
            ),
        )?;
        dom::set_state(
            &self.root,
            &RaceState {
                surface: self.surface.name(),
                steps: race.steps(),
                playing: self.playback.playing(),
                start: Widened(start),
                lr: Widened(config.lr),
                adaptive_lr: Widened(config.adaptive_lr),
                momentum: Widened(config.momentum),
                schedule: schedule_kind.name(),
                warmup: schedule.warmup(),
                rate: last_rate.map(|r| Widened(r as f32)),
                adagrad_g: Widened(&g),
                racers: race
                    .racers()
                    .iter()
                    .map(|r| RacerState {
                        name: r.name,
                        points: r.path.len(),
                        point: Widened(r.path.last().copied().unwrap_or(start)),
                        loss: Widened(r.losses.last().copied().unwrap_or(f32::NAN)),
                        stopped: r.stopped.is_some(),
                    })
                    .collect(),
            },
        )?;
        Ok(())
    }
}

/// A schedule's description in the chart's text alternative.
fn schedule_name(kind: ScheduleKind) -> String {
    match kind {
        ScheduleKind::Constant => "constant".to_owned(),
        ScheduleKind::Step => format!("multiplied by {STEP_GAMMA} every {STEP_EVERY} steps"),
        ScheduleKind::Cosine => "a cosine decay to 0 at the race's end".to_owned(),
    }
}

/// The race plays through [`crate::training`]: a frame is [`STEPS_PER_FRAME`] steps of every
/// racer, the race stops at [`MAX_STEPS`], and Play after that starts it again.
impl Trains for OptimizersFigure {
    fn playback(&mut self) -> &mut Playback {
        &mut self.playback
    }

    fn can_play(&self) -> bool {
        self.race.is_some()
    }

    /// After the last step, Play starts a new race from the controls.
    fn before_play(&mut self) -> Result<()> {
        if self.race.as_ref().is_some_and(|r| r.steps() >= MAX_STEPS) {
            self.restart()?;
        }
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.race.as_ref().map_or(0, |r| r.steps() as u64)
    }

    /// A few steps of every racer, without drawing; at the limit the race pauses before the
    /// frame is drawn, so that what the drawing writes (the button, `data-state`) already says so.
    fn advance_frame(&mut self) -> Result<bool> {
        let stepped = match self.race.as_mut() {
            Some(race) => (0..STEPS_PER_FRAME).try_for_each(|_| race.step().map(|_| ())),
            None => Ok(()),
        };
        if self.race.as_ref().is_none_or(|r| r.steps() >= MAX_STEPS) {
            self.set_playing(false);
        }
        stepped?;
        Ok(self.playback.playing())
    }

    fn redraw(&mut self) -> Result<()> {
        self.draw()
    }

    fn report(&mut self, e: &WebError) {
        self.set_playing(false);
        dom::set_text(&self.message, &format!("That did not work: {e}."));
        dom::set_hidden(&self.message, false).ok();
    }
}

impl Figure for OptimizersFigure {
    /// Every optimizer's path: one row per optimizer and step with the point and its loss.
    fn csv(&self) -> Option<String> {
        let mut csv = Csv::new(&["optimizer", "step", "x", "y", "loss", "stopped"]);
        if let Some(race) = self.race.as_ref() {
            for r in race.racers() {
                for (step, (p, loss)) in r.path.iter().zip(&r.losses).enumerate() {
                    csv.row([
                        Cell::from(r.name),
                        Cell::from(step),
                        Cell::from(p[0]),
                        Cell::from(p[1]),
                        Cell::from(*loss),
                    ]);
                }
                if let Some(why) = &r.stopped {
                    csv.row([
                        Cell::from(r.name),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::from(why.as_str()),
                    ]);
                }
            }
        }
        Some(csv.finish())
    }

    fn update(&mut self) -> Result<()> {
        self.draw()
    }
}

/// The figure's `data-state`: the surface, the steps taken, whether it plays, the start, the
/// rates and momentum, the schedule, Adagrad's accumulated squared gradients, and each racer's place and loss;
/// numbers widened, as the legend formats them.
#[derive(Serialize)]
struct RaceState<'a> {
    surface: &'static str,
    steps: usize,
    playing: bool,
    start: Widened<[f32; 2]>,
    lr: Widened<f32>,
    adaptive_lr: Widened<f32>,
    momentum: Widened<f32>,
    schedule: &'static str,
    /// The warm-up's length in steps (0 for none).
    warmup: usize,
    /// The share of η the last step used (`null` before the first step).
    rate: Option<Widened<f32>>,
    #[serde(rename = "adagrad_G")]
    adagrad_g: Widened<&'a [f32]>,
    racers: Vec<RacerState>,
}

/// One optimizer in the race: the points of its path, where it is, its loss there (`null` once
/// it is not finite) and whether it stopped.
#[derive(Serialize)]
struct RacerState {
    name: &'static str,
    points: usize,
    point: Widened<[f32; 2]>,
    loss: Widened<f32>,
    stopped: bool,
}
