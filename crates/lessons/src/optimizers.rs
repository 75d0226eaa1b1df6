//! Two-dimensional loss surfaces and a race of optimizers across them: what the optimizers
//! figure draws as contour maps with trajectories.
//!
//! The surfaces: an elongated (ill-conditioned, rotated) quadratic bowl, Rosenbrock's banana
//! valley, a saddle with two minima beyond it, and a two-weight slice of a real model's loss
//! (logistic regression, a one-neuron network, on the two-gaussians data with a small L2 penalty
//! so its minimum is finite). A [`Race`] starts several optimizers of the engine's
//! [`optim`](spiega_nn::optim) family from one point and steps them together through
//! [`Descent`], recording each one's path and loss.
//!
//! Stochastic gradient descent needs a noisy gradient: on the model slice it is the gradient of a
//! random mini-batch of [`BATCH`] points; on the formula surfaces, where there are no samples, it
//! is the exact gradient plus Gaussian noise of the surface's [`Surface::noise`] scale, standing
//! in for a mini-batch's sampling error.

use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{Dense, Mode};
use spiega_nn::loss::Loss;
use spiega_nn::model::Sequential;
use spiega_nn::optim::{Decay, Descent, OptimizerConfig, OptimizerKind, Quadratic, Schedule};
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape};

/// Points in the model slice's data set.
pub const SLICE_POINTS: usize = 200;
/// The mini-batch size of SGD on the model slice.
pub const BATCH: usize = 10;
/// The L2 penalty λ of the model slice, `λ/2 ‖w‖²`.
pub const SLICE_PENALTY: f32 = 0.1;
/// The most steps a race records (each racer then stops).
pub const MAX_STEPS: usize = 500;
/// The step decay's factor γ in the figure.
pub const STEP_GAMMA: f32 = 0.5;
/// The steps between the step decay's multiplications in the figure.
pub const STEP_EVERY: usize = 100;
/// The warm-up's length in the figure, in steps.
pub const WARMUP_STEPS: usize = 50;

/// The learning-rate schedules the figure offers; each one scales every racer's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// The rate set on the sliders throughout.
    Constant,
    /// Halved every [`STEP_EVERY`] steps ([`STEP_GAMMA`]).
    Step,
    /// Half a cosine from the rate down to 0 at the race's last step, [`MAX_STEPS`].
    Cosine,
}

impl ScheduleKind {
    /// Every schedule, in the page's order.
    pub const ALL: [ScheduleKind; 3] = [
        ScheduleKind::Constant,
        ScheduleKind::Step,
        ScheduleKind::Cosine,
    ];

    /// The page's name.
    pub fn name(self) -> &'static str {
        match self {
            ScheduleKind::Constant => "constant",
            ScheduleKind::Step => "step",
            ScheduleKind::Cosine => "cosine",
        }
    }

    /// The schedule called `name`.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| EngineError::Invalid(format!("there is no schedule \"{name}\"")))
    }

    /// The engine's schedule for this kind, after a warm-up of [`WARMUP_STEPS`] when `warmup`
    /// is set. The cosine ends at the race's last step either way.
    pub fn schedule(self, warmup: bool) -> Result<Schedule> {
        let w = if warmup { WARMUP_STEPS } else { 0 };
        let decay = match self {
            ScheduleKind::Constant => Decay::Constant,
            ScheduleKind::Step => Decay::Step {
                gamma: STEP_GAMMA,
                every: STEP_EVERY,
            },
            ScheduleKind::Cosine => Decay::Cosine {
                steps: MAX_STEPS - w,
                floor: 0.0,
            },
        };
        Schedule::new(decay, w)
    }
}

/// Which surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurfaceKind {
    /// `½ wᵀ A w` with `A` of eigenvalues 1 and 20, rotated by 30°.
    Elongated,
    /// `(1 − x)² + 100 (y − x²)²`.
    Rosenbrock,
    /// `½ x² − ½ y² + ¼ y⁴`: a saddle at the origin, minima at `(0, ±1)`.
    Saddle,
    /// Logistic regression's loss over its two weights.
    ModelSlice,
}

impl SurfaceKind {
    /// Every surface, in the page's order.
    pub const ALL: [SurfaceKind; 4] = [
        SurfaceKind::Elongated,
        SurfaceKind::Rosenbrock,
        SurfaceKind::Saddle,
        SurfaceKind::ModelSlice,
    ];

    /// The page's name.
    pub fn name(self) -> &'static str {
        match self {
            SurfaceKind::Elongated => "elongated",
            SurfaceKind::Rosenbrock => "rosenbrock",
            SurfaceKind::Saddle => "saddle",
            SurfaceKind::ModelSlice => "model",
        }
    }

    /// The surface called `name`.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| EngineError::Invalid(format!("there is no surface \"{name}\"")))
    }
}

/// The model slice: logistic regression `p = σ(w₁x₁ + w₂x₂)` on fixed data.
#[derive(Debug, Clone)]
struct Slice {
    model: Sequential,
    x: Matrix,
    y: Matrix,
    batch_x: Matrix,
    batch_y: Matrix,
    grad: Matrix,
}

impl Slice {
    fn new() -> Result<Self> {
        let data = TwoD::Gaussians.generate(SLICE_POINTS, 0.5, &mut Rng::new(11))?;
        let mut model = Sequential::new(Shape::Flat(2));
        model.push(Dense::from_parts(
            Matrix::zeros(1, 2),
            vec![0.0],
            spiega_nn::activation::Activation::Linear,
        )?)?;
        Ok(Self {
            model,
            x: data.x().clone(),
            y: data.targets().clone(),
            batch_x: Matrix::zeros(BATCH, 2),
            batch_y: Matrix::zeros(BATCH, 1),
            grad: Matrix::zeros(0, 0),
        })
    }

    /// The penalised loss at `w` on `(x, y)`, with its gradient written into `g` when given.
    fn eval(&mut self, w: &[f32], batch: bool, g: Option<&mut [f32]>) -> Result<f32> {
        let dense = self
            .model
            .layer_mut::<Dense>(0)
            .ok_or_else(|| EngineError::Invalid("the slice's model lost its layer".into()))?;
        dense.weights_mut()[(0, 0)] = w[0];
        dense.weights_mut()[(0, 1)] = w[1];
        let (x, y) = if batch {
            (&self.batch_x, &self.batch_y)
        } else {
            (&self.x, &self.y)
        };
        let out = self.model.forward(x, Mode::Train, &mut Rng::new(0))?;
        let loss = Loss::BinaryCrossEntropy.value_and_grad(out, y, &mut self.grad)?;
        let penalty = 0.5 * SLICE_PENALTY * (w[0] * w[0] + w[1] * w[1]);
        if let Some(g) = g {
            self.model.backward(x, &self.grad)?;
            let dense = self
                .model
                .layer::<Dense>(0)
                .ok_or_else(|| EngineError::Invalid("the slice's model lost its layer".into()))?;
            g[0] = dense.grad_weights()[(0, 0)] + SLICE_PENALTY * w[0];
            g[1] = dense.grad_weights()[(0, 1)] + SLICE_PENALTY * w[1];
        }
        Ok(loss + penalty)
    }

    /// Draws a mini-batch of [`BATCH`] points.
    fn draw_batch(&mut self, rng: &mut Rng) {
        for r in 0..BATCH {
            let i = rng.index(self.x.nrows());
            self.batch_x[(r, 0)] = self.x[(i, 0)];
            self.batch_x[(r, 1)] = self.x[(i, 1)];
            self.batch_y[(r, 0)] = self.y[(i, 0)];
        }
    }
}

/// A surface with its value, gradient and plotting window.
#[derive(Debug, Clone)]
pub struct Surface {
    kind: SurfaceKind,
    quadratic: Option<Quadratic>,
    slice: Option<Slice>,
    slice_minimum: Option<[f32; 2]>,
}

impl Surface {
    /// Builds surface `kind`.
    pub fn new(kind: SurfaceKind) -> Result<Self> {
        let quadratic = if kind == SurfaceKind::Elongated {
            // A = R diag(1, 20) Rᵀ with R the rotation by 30°.
            let (s, c) = 30f32.to_radians().sin_cos();
            let (l1, l2) = (1.0, 20.0);
            let a = Matrix::from_row_slice(
                2,
                2,
                &[
                    l1 * c * c + l2 * s * s,
                    (l1 - l2) * c * s,
                    (l1 - l2) * c * s,
                    l1 * s * s + l2 * c * c,
                ],
            );
            Some(Quadratic::new(a, vec![0.0, 0.0])?)
        } else {
            None
        };
        let (slice, slice_minimum) = if kind == SurfaceKind::ModelSlice {
            let mut slice = Slice::new()?;
            // Plain gradient descent to the minimum: the L2 term makes the loss at least
            // 0.1-strongly convex and the logistic part's curvature is small on this data, so a
            // step of 1 converges in well under the steps taken here.
            let (mut w, mut g) = ([0.0_f32; 2], [0.0_f32; 2]);
            for _ in 0..400 {
                slice.eval(&w, false, Some(&mut g))?;
                w[0] -= g[0];
                w[1] -= g[1];
            }
            (Some(slice), Some(w))
        } else {
            (None, None)
        };
        Ok(Self {
            kind,
            quadratic,
            slice,
            slice_minimum,
        })
    }

    /// Which surface this is.
    pub fn kind(&self) -> SurfaceKind {
        self.kind
    }

    /// The plotting window: `(x range, y range)`.
    pub fn window(&self) -> ([f32; 2], [f32; 2]) {
        match self.kind {
            SurfaceKind::Elongated => ([-3.0, 3.0], [-3.0, 3.0]),
            SurfaceKind::Rosenbrock => ([-2.0, 2.0], [-1.0, 3.0]),
            SurfaceKind::Saddle => ([-2.0, 2.0], [-2.0, 2.0]),
            SurfaceKind::ModelSlice => ([-4.0, 4.0], [-4.0, 4.0]),
        }
    }

    /// Where races start by default.
    pub fn default_start(&self) -> [f32; 2] {
        match self.kind {
            SurfaceKind::Elongated => [-2.5, 1.5],
            SurfaceKind::Rosenbrock => [-1.2, 1.0],
            SurfaceKind::Saddle => [-1.5, 0.05],
            SurfaceKind::ModelSlice => [-3.5, 3.0],
        }
    }

    /// Good starting settings: the learning rate of the gradient-descent family, that of the
    /// adaptive family, and the momentum coefficient.
    pub fn defaults(&self) -> (f32, f32, f32) {
        match self.kind {
            SurfaceKind::Elongated => (0.07, 0.1, 0.5),
            SurfaceKind::Rosenbrock => (0.0007, 0.05, 0.9),
            SurfaceKind::Saddle => (0.1, 0.05, 0.9),
            SurfaceKind::ModelSlice => (0.5, 0.1, 0.9),
        }
    }

    /// The surface's minima (both of the saddle's), to mark on the map.
    pub fn minima(&self) -> Vec<[f32; 2]> {
        match self.kind {
            SurfaceKind::Elongated => vec![[0.0, 0.0]],
            SurfaceKind::Rosenbrock => vec![[1.0, 1.0]],
            SurfaceKind::Saddle => vec![[0.0, 1.0], [0.0, -1.0]],
            SurfaceKind::ModelSlice => self.slice_minimum.map(|m| vec![m]).unwrap_or_default(),
        }
    }

    /// The lowest value of the surface (found by descent for the model slice, whose penalised
    /// loss is strictly convex).
    pub fn minimum_value(&mut self) -> Result<f32> {
        let minima = self.minima();
        let mut best = f32::INFINITY;
        for m in &minima {
            best = best.min(self.value(m)?);
        }
        Ok(best)
    }

    /// The scale of the Gaussian noise SGD's gradient gets on a formula surface.
    pub fn noise(&self) -> f32 {
        match self.kind {
            SurfaceKind::Elongated => 1.5,
            SurfaceKind::Rosenbrock => 20.0,
            SurfaceKind::Saddle => 0.6,
            SurfaceKind::ModelSlice => 0.0,
        }
    }

    /// `f(w)`, for `w` of two values.
    pub fn value(&mut self, w: &[f32]) -> Result<f32> {
        check_point(w)?;
        let (x, y) = (w[0], w[1]);
        Ok(match self.kind {
            SurfaceKind::Elongated => match &self.quadratic {
                Some(q) => q.value(w)?,
                None => return Err(EngineError::Invalid("the bowl is missing".into())),
            },
            SurfaceKind::Rosenbrock => (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
            SurfaceKind::Saddle => 0.5 * x * x - 0.5 * y * y + 0.25 * y.powi(4),
            SurfaceKind::ModelSlice => match &mut self.slice {
                Some(s) => s.eval(w, false, None)?,
                None => return Err(EngineError::Invalid("the model slice is missing".into())),
            },
        })
    }

    /// Writes `∇f(w)` into `g`.
    pub fn gradient(&mut self, w: &[f32], g: &mut [f32]) -> Result<()> {
        check_point(w)?;
        check_point(g)?;
        let (x, y) = (w[0], w[1]);
        match self.kind {
            SurfaceKind::Elongated => match &self.quadratic {
                Some(q) => q.gradient(w, g)?,
                None => return Err(EngineError::Invalid("the bowl is missing".into())),
            },
            SurfaceKind::Rosenbrock => {
                g[0] = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x);
                g[1] = 200.0 * (y - x * x);
            }
            SurfaceKind::Saddle => {
                g[0] = x;
                g[1] = -y + y.powi(3);
            }
            SurfaceKind::ModelSlice => match &mut self.slice {
                Some(s) => {
                    s.eval(w, false, Some(g))?;
                }
                None => return Err(EngineError::Invalid("the model slice is missing".into())),
            },
        }
        Ok(())
    }

    /// A stochastic gradient: of a random mini-batch on the model slice, the exact gradient plus
    /// Gaussian noise of scale [`Surface::noise`] elsewhere.
    pub fn stochastic_gradient(&mut self, w: &[f32], g: &mut [f32], rng: &mut Rng) -> Result<()> {
        if let Some(s) = &mut self.slice {
            check_point(w)?;
            check_point(g)?;
            s.draw_batch(rng);
            s.eval(w, true, Some(g))?;
            return Ok(());
        }
        self.gradient(w, g)?;
        let noise = self.noise();
        for v in g.iter_mut() {
            *v += noise * rng.normal();
        }
        Ok(())
    }

    /// The surface on an `n × n` grid over its window, row 0 at the top (largest y), for the
    /// contour map.
    pub fn grid(&mut self, n: usize) -> Result<Vec<f32>> {
        let ([x0, x1], [y0, y1]) = self.window();
        let mut out = Vec::with_capacity(n * n);
        let step = |lo: f32, hi: f32, i: usize| lo + (hi - lo) * (i as f32 + 0.5) / n as f32;
        for r in 0..n {
            let y = step(y1, y0, r);
            for c in 0..n {
                let x = step(x0, x1, c);
                out.push(self.value(&[x, y])?);
            }
        }
        Ok(out)
    }
}

fn check_point(w: &[f32]) -> Result<()> {
    if w.len() == 2 {
        Ok(())
    } else {
        Err(EngineError::ShapeMismatch {
            what: "a point on a surface".into(),
            expected: "2 values".into(),
            got: format!("{} values", w.len()),
        })
    }
}

/// The racers, in the page's order: gradient descent, SGD, momentum, Nesterov, Adagrad, RMSProp,
/// Adam.
pub const RACERS: [&str; 7] = [
    "gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
];

/// One racer's run.
#[derive(Debug)]
pub struct Racer {
    /// Its name, from [`RACERS`].
    pub name: &'static str,
    descent: Descent,
    stochastic: bool,
    /// Every point visited, the start first.
    pub path: Vec<[f32; 2]>,
    /// The loss at each point of `path`.
    pub losses: Vec<f32>,
    /// Why it stopped early, if it did (a step that left the finite numbers).
    pub stopped: Option<String>,
    /// Its base learning rate, which the race's schedule scales.
    base_lr: f32,
}

impl Racer {
    /// The optimizer's state buffers (Adagrad's "G", Adam's "m" and "v", …).
    pub fn state(&self) -> Vec<(&'static str, &[f32])> {
        self.descent.optimizer().state(0)
    }

    /// For Adagrad, the step size each parameter gets now, `η / (√G + ε)`: the diagonal
    /// preconditioner built from the accumulated squared gradients `G` (the diagonal of the sum
    /// of gradient outer products, not of the Hessian). `None` for the other racers and before
    /// the first step.
    pub fn adagrad_step_sizes(&self) -> Option<[f32; 2]> {
        let opt = self.descent.optimizer();
        if opt.name() != "adagrad" {
            return None;
        }
        let config = opt.config();
        let state = opt.state(0);
        let g = state.iter().find(|(name, _)| *name == "G")?.1;
        let size = |v: f32| config.lr / (v.sqrt() + config.eps);
        Some([size(*g.first()?), size(*g.get(1)?)])
    }
}

/// The hyperparameters of a race.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaceConfig {
    /// η for gradient descent, SGD, momentum and Nesterov.
    pub lr: f32,
    /// η for Adagrad, RMSProp and Adam.
    pub adaptive_lr: f32,
    /// The momentum coefficient μ (momentum and Nesterov; Adam's β₁ stays 0.9).
    pub momentum: f32,
    /// The seed of SGD's noise or batches.
    pub seed: u32,
    /// The schedule that scales both rates, step by step.
    pub schedule: Schedule,
}

/// Several optimizers started from one point on one surface, stepped together.
#[derive(Debug)]
pub struct Race {
    surface: Surface,
    racers: Vec<Racer>,
    rng: Rng,
    steps: usize,
    schedule: Schedule,
}

impl Race {
    /// Starts every racer of [`RACERS`] at `start` on `surface`.
    pub fn new(mut surface: Surface, start: [f32; 2], config: RaceConfig) -> Result<Self> {
        let loss = surface.value(&start)?;
        let mut racers = Vec::with_capacity(RACERS.len());
        for name in RACERS {
            let (kind, lr) = match name {
                "gd" | "sgd" => (OptimizerKind::Sgd, config.lr),
                "momentum" => (OptimizerKind::ClassicalMomentum, config.lr),
                "nesterov" => (OptimizerKind::ClassicalNesterov, config.lr),
                "adagrad" => (OptimizerKind::Adagrad, config.adaptive_lr),
                "rmsprop" => (OptimizerKind::RmsProp, config.adaptive_lr),
                _ => (OptimizerKind::Adam, config.adaptive_lr),
            };
            let mut c = OptimizerConfig::new(kind).with("lr", lr)?;
            if matches!(
                kind,
                OptimizerKind::ClassicalMomentum | OptimizerKind::ClassicalNesterov
            ) {
                c = c.with("momentum", config.momentum)?;
            }
            if kind == OptimizerKind::RmsProp {
                c = c.with("alpha", 0.9)?;
            }
            racers.push(Racer {
                name,
                descent: Descent::new(c.build()?, &start)?,
                stochastic: name == "sgd",
                path: vec![start],
                losses: vec![loss],
                stopped: None,
                base_lr: lr,
            });
        }
        Ok(Self {
            surface,
            racers,
            rng: Rng::new(config.seed),
            steps: 0,
            schedule: config.schedule,
        })
    }

    /// One step of every racer still running (none after [`MAX_STEPS`]), each at its base rate
    /// scaled by the schedule for this step. A racer whose point or loss stops being finite
    /// stops, with the reason recorded.
    pub fn step(&mut self) -> Result<()> {
        if self.steps >= MAX_STEPS {
            return Ok(());
        }
        let surface = &mut self.surface;
        let rng = &mut self.rng;
        for racer in &mut self.racers {
            if racer.stopped.is_some() {
                continue;
            }
            self.schedule
                .apply(racer.descent.optimizer_mut(), racer.base_lr, self.steps)?;
            let mut failure = None;
            let stochastic = racer.stochastic;
            let result = racer.descent.step(&mut |w, g| {
                let r = if stochastic {
                    surface.stochastic_gradient(w, g, rng)
                } else {
                    surface.gradient(w, g)
                };
                if let Err(e) = r {
                    failure = Some(e);
                }
            });
            let p = racer.descent.point();
            let point = [p[0], p[1]];
            let value = if point.iter().all(|v| v.is_finite()) {
                surface.value(&point).ok().filter(|v| v.is_finite())
            } else {
                None
            };
            match (result, failure, value) {
                (Ok(()), None, Some(v)) => {
                    racer.path.push(point);
                    racer.losses.push(v);
                }
                (Err(e), _, _) | (_, Some(e), _) => racer.stopped = Some(e.to_string()),
                _ => {
                    racer.stopped = Some("the step left the finite numbers (it diverged)".into());
                }
            }
        }
        self.steps += 1;
        Ok(())
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The racers, in [`RACERS`] order.
    pub fn racers(&self) -> &[Racer] {
        &self.racers
    }

    /// The surface.
    pub fn surface_mut(&mut self) -> &mut Surface {
        &mut self.surface
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_central_differences_on_every_surface() {
        for kind in SurfaceKind::ALL {
            let mut s = Surface::new(kind).unwrap();
            for w in [[0.3_f32, -0.7], [-1.2, 0.9], [0.8, 1.4]] {
                let mut g = [0.0; 2];
                s.gradient(&w, &mut g).unwrap();
                let h = 1e-2_f32;
                for i in 0..2 {
                    let (mut up, mut down) = (w, w);
                    up[i] += h;
                    down[i] -= h;
                    let num = (f64::from(s.value(&up).unwrap())
                        - f64::from(s.value(&down).unwrap()))
                        / (2.0 * f64::from(h));
                    let tol = 2e-2 * num.abs().max(1.0);
                    assert!(
                        (f64::from(g[i]) - num).abs() < tol,
                        "{} at {w:?}: {} vs {num}",
                        kind.name(),
                        g[i]
                    );
                }
            }
        }
    }

    #[test]
    fn the_model_slice_has_its_minimum_inside_the_window() {
        let mut s = Surface::new(SurfaceKind::ModelSlice).unwrap();
        let n = 40;
        let grid = s.grid(n).unwrap();
        let best =
            grid.iter().enumerate().fold(
                (0, f32::INFINITY),
                |b, (i, &v)| if v < b.1 { (i, v) } else { b },
            );
        let (r, c) = (best.0 / n, best.0 % n);
        assert!(
            r > 0 && r + 1 < n && c > 0 && c + 1 < n,
            "minimum on the edge: {r} {c}"
        );
    }

    #[test]
    fn every_racer_moves_downhill_from_the_default_start() {
        for kind in SurfaceKind::ALL {
            let surface = Surface::new(kind).unwrap();
            let (lr, adaptive_lr, momentum) = surface.defaults();
            let start = surface.default_start();
            let config = RaceConfig {
                lr,
                adaptive_lr,
                momentum,
                seed: 1,
                schedule: Schedule::constant(),
            };
            let mut race = Race::new(surface, start, config).unwrap();
            for _ in 0..200 {
                race.step().unwrap();
            }
            for r in race.racers() {
                assert!(
                    r.stopped.is_none(),
                    "{} {}: {:?}",
                    kind.name(),
                    r.name,
                    r.stopped
                );
                assert_eq!(r.path.len(), 201);
                let (first, last) = (r.losses[0], *r.losses.last().unwrap());
                assert!(last < first, "{} {}: {first} → {last}", kind.name(), r.name);
            }
            let adagrad = &race.racers()[4];
            assert_eq!(adagrad.state()[0].0, "G");
            // η / (√G + ε) from the recorded G, per parameter.
            let g = adagrad.state()[0].1.to_vec();
            let sizes = adagrad.adagrad_step_sizes().unwrap();
            for k in 0..2 {
                assert!((sizes[k] - adaptive_lr / (g[k].sqrt() + 1e-10)).abs() < 1e-6);
            }
            assert!(race.racers()[6].adagrad_step_sizes().is_none());
        }
    }

    #[test]
    fn a_race_stops_at_its_step_limit_and_names_are_known() {
        let surface = Surface::new(SurfaceKind::Saddle).unwrap();
        let config = RaceConfig {
            lr: 0.1,
            adaptive_lr: 0.05,
            momentum: 0.5,
            seed: 2,
            schedule: Schedule::constant(),
        };
        let mut race = Race::new(surface, [0.5, 0.5], config).unwrap();
        for _ in 0..MAX_STEPS + 5 {
            race.step().unwrap();
        }
        assert_eq!(race.steps(), MAX_STEPS);
        assert_eq!(
            SurfaceKind::from_name("rosenbrock"),
            Ok(SurfaceKind::Rosenbrock)
        );
        assert!(SurfaceKind::from_name("everest").is_err());
    }

    #[test]
    fn a_diverging_racer_stops_with_a_reason() {
        let surface = Surface::new(SurfaceKind::Rosenbrock).unwrap();
        let config = RaceConfig {
            lr: 0.5,
            adaptive_lr: 0.05,
            momentum: 0.9,
            seed: 3,
            schedule: Schedule::constant(),
        };
        let mut race = Race::new(surface, [-1.5, 2.5], config).unwrap();
        for _ in 0..50 {
            race.step().unwrap();
        }
        assert!(race.racers()[0].stopped.is_some());
    }

    /// Runs every racer from `start` on `kind` to the end of the race.
    fn race(kind: SurfaceKind, start: [f32; 2], lr: f32, momentum: f32) -> Race {
        let config = RaceConfig {
            lr,
            adaptive_lr: 0.1,
            momentum,
            seed: 1,
            schedule: Schedule::constant(),
        };
        let mut r = Race::new(Surface::new(kind).unwrap(), start, config).unwrap();
        while r.steps() < MAX_STEPS {
            r.step().unwrap();
        }
        r
    }

    /// What the prose asks the reader to try in the figure, over the race's whole run.
    #[test]
    fn what_the_prose_says_to_try() {
        let start = [-2.5, 1.5];
        // The elongated bowl's curvatures are 1 and 20, so gradient descent is stable only for
        // η < 2/20 = 0.1: the slider's steps either side of 0.1, 10^−1.05 and 10^−0.95.
        let slow = race(SurfaceKind::Elongated, start, 10f32.powf(-1.05), 0.9);
        let gd = &slow.racers()[0];
        assert!(
            gd.stopped.is_none() && *gd.losses.last().unwrap() < 1e-6,
            "{:?}",
            gd.losses.last()
        );
        let fast = race(SurfaceKind::Elongated, start, 10f32.powf(-0.95), 0.9);
        let gd = &fast.racers()[0];
        // It zig-zags further out at every step until it leaves the numbers.
        assert!(
            gd.losses.windows(2).all(|w| w[1] > w[0]),
            "{:?}",
            &gd.losses[..5]
        );
        assert!(gd.stopped.is_some());
        for (lr, stable) in [(0.0998, true), (0.1002, false)] {
            let r = race(SurfaceKind::Elongated, start, lr, 0.9);
            let losses = &r.racers()[0].losses;
            assert_eq!(losses.last() < losses.first(), stable, "η = {lr}");
        }
        // With momentum 0 the momentum path is gradient descent's.
        let r = race(SurfaceKind::Elongated, start, 0.06, 0.0);
        assert_eq!(r.racers()[0].path, r.racers()[2].path);
        assert_eq!(r.racers()[0].path.len(), MAX_STEPS + 1);
        // On the saddle's horizontal line gradient descent, with or without momentum, stops at
        // the saddle point; SGD's noise knocks it off towards a minimum at y = ±1.
        let r = race(SurfaceKind::Saddle, [-1.5, 0.0], 0.1, 0.9);
        for name in ["gd", "momentum", "nesterov"] {
            let p = *r
                .racers()
                .iter()
                .find(|x| x.name == name)
                .unwrap()
                .path
                .last()
                .unwrap();
            assert!(p[0].abs() < 1e-6 && p[1] == 0.0, "{name}: {p:?}");
        }
        let p = *r.racers()[1].path.last().unwrap();
        assert!(p[1].abs() > 0.5, "sgd: {p:?}");
    }

    /// The learning rates the figure's log sliders give at the positions its "Try this" buttons
    /// set or leave alone: 10^−0.95 and 10^−1.2 to two significant digits, as the page reads them.
    const TRY_LR_PAST: f32 = 0.11;
    const TRY_LR_DEFAULT: f32 = 0.063;

    /// Try this (optimizers): at η = 0.11, just past 2/20 = 0.1, gradient descent's loss grows at
    /// every step until its step leaves the finite numbers.
    #[test]
    fn try_this_gradient_descent_diverges_just_past_the_limit() {
        let r = race(SurfaceKind::Elongated, [-2.5, 1.5], TRY_LR_PAST, 0.9);
        let gd = &r.racers()[0];
        assert!(gd.losses.len() > 10, "{}", gd.losses.len());
        assert!(
            gd.losses.windows(2).all(|w| w[1] > w[0]),
            "{:?}",
            &gd.losses[..5]
        );
        assert!(gd.stopped.is_some());
    }

    /// Try this (optimizers): with momentum 0 the momentum path is gradient descent's, step for
    /// step.
    #[test]
    fn try_this_momentum_zero_is_gradient_descent() {
        let r = race(SurfaceKind::Elongated, [-2.5, 1.5], TRY_LR_DEFAULT, 0.0);
        assert_eq!(r.racers()[0].path.len(), MAX_STEPS + 1);
        assert!(r.racers()[0].path == r.racers()[2].path);
        // At the page's momentum of 0.9 the two paths part.
        let r = race(SurfaceKind::Elongated, [-2.5, 1.5], TRY_LR_DEFAULT, 0.9);
        assert!(r.racers()[0].path != r.racers()[2].path);
    }

    /// Try this (optimizers): started on the saddle's horizontal line, gradient descent, momentum
    /// and Nesterov end on the saddle point, SGD near one of the minima at y = ±1.
    #[test]
    fn try_this_the_saddle_holds_all_but_sgd() {
        let r = race(SurfaceKind::Saddle, [-1.5, 0.0], TRY_LR_DEFAULT, 0.9);
        for name in ["gd", "momentum", "nesterov"] {
            let racer = r.racers().iter().find(|x| x.name == name).unwrap();
            assert_eq!(racer.path.len(), MAX_STEPS + 1, "{name}");
            let p = *racer.path.last().unwrap();
            assert!(p[0].abs() < 1e-3 && p[1] == 0.0, "{name}: {p:?}");
        }
        let sgd = &r.racers()[1];
        assert_eq!(sgd.name, "sgd");
        let p = *sgd.path.last().unwrap();
        assert!((p[1].abs() - 1.0).abs() < 0.3, "sgd: {p:?}");
    }

    /// Adam's first step moves every parameter by almost exactly η against its gradient's sign;
    /// Adagrad's step sizes only shrink.
    #[test]
    fn adams_first_step_and_adagrads_shrinking_steps() {
        let start = [-2.5_f32, 1.5];
        let mut r = Race::new(
            Surface::new(SurfaceKind::Rosenbrock).unwrap(),
            start,
            RaceConfig {
                lr: 0.0007,
                adaptive_lr: 0.1,
                momentum: 0.9,
                seed: 1,
                schedule: Schedule::constant(),
            },
        )
        .unwrap();
        let mut g = [0.0; 2];
        Surface::new(SurfaceKind::Rosenbrock)
            .unwrap()
            .gradient(&start, &mut g)
            .unwrap();
        let mut sizes = Vec::new();
        for _ in 0..50 {
            r.step().unwrap();
            sizes.push(r.racers()[4].adagrad_step_sizes().unwrap());
        }
        let adam = r.racers()[6].path[1];
        for k in 0..2 {
            let moved = adam[k] - start[k];
            assert!(
                (moved + 0.1 * g[k].signum()).abs() < 1e-5,
                "{k}: {moved} for gradient {}",
                g[k]
            );
        }
        assert!(
            sizes
                .windows(2)
                .all(|w| w[1][0] <= w[0][0] && w[1][1] <= w[0][1])
        );
    }

    /// The rates (η, adaptive η, μ) the figure races with on the elongated bowl: the surface's
    /// defaults as the log sliders hold them (10^−1.15 shows and trains as 0.071).
    const BOWL_RATES: (f32, f32, f32) = (0.071, 0.1, 0.5);
    /// The figure's rates on Rosenbrock with the adaptive slider at 10^−0.3, shown as 0.50.
    const ROSENBROCK_RATES: (f32, f32, f32) = (0.00071, 0.5, 0.9);

    /// Every racer of a race on `kind` from its default start at `rates` (η, adaptive η, μ), run
    /// to the end under `schedule`.
    fn scheduled(
        kind: SurfaceKind,
        schedule: ScheduleKind,
        warmup: bool,
        (lr, adaptive_lr, momentum): (f32, f32, f32),
        seed: u32,
    ) -> (Race, f32) {
        let mut surface = Surface::new(kind).unwrap();
        let floor = surface.minimum_value().unwrap();
        let start = surface.default_start();
        let config = RaceConfig {
            lr,
            adaptive_lr,
            momentum,
            seed,
            schedule: schedule.schedule(warmup).unwrap(),
        };
        let mut race = Race::new(surface, start, config).unwrap();
        while race.steps() < MAX_STEPS {
            race.step().unwrap();
        }
        (race, floor)
    }

    /// A racer's losses above the surface's minimum over the race's last 100 steps.
    fn last_hundred(race: &Race, name: &str, floor: f32) -> Vec<f32> {
        let r = race.racers().iter().find(|r| r.name == name).unwrap();
        assert!(r.stopped.is_none(), "{name} stopped: {:?}", r.stopped);
        assert_eq!(r.losses.len(), MAX_STEPS + 1);
        r.losses[MAX_STEPS - 100..]
            .iter()
            .map(|l| l - floor)
            .collect()
    }

    /// What the schedules' prose says of the elongated bowl at the figure's settings: with a
    /// constant rate SGD's noise keeps it bouncing to the end (more than 1 above the minimum, with
    /// jumps of more than 0.5 between steps) and RMSProp ends in a bounce across the valley (more
    /// than 0.04 above the minimum throughout); with step or cosine decay, after a warm-up or not, SGD stays
    /// within 0.1 of the minimum, and the cosine brings RMSProp within 10⁻⁶. Over the last 100
    /// steps of the race, for the figure's seed and four others.
    #[test]
    fn decaying_rates_settle_where_a_constant_one_keeps_bouncing() {
        for seed in 1..=5 {
            for warmup in [false, true] {
                let (race, floor) = scheduled(
                    SurfaceKind::Elongated,
                    ScheduleKind::Constant,
                    warmup,
                    BOWL_RATES,
                    seed,
                );
                let sgd = last_hundred(&race, "sgd", floor);
                let highest = sgd.iter().fold(0.0_f32, |a, &b| a.max(b));
                let jump = sgd
                    .windows(2)
                    .map(|w| (w[1] - w[0]).abs())
                    .fold(0.0_f32, f32::max);
                assert!(highest > 1.0 && jump > 0.5, "seed {seed}: {highest} {jump}");
                let rmsprop = last_hundred(&race, "rmsprop", floor);
                assert!(
                    rmsprop.iter().all(|&l| l > 0.04),
                    "seed {seed}: {rmsprop:?}"
                );
                for schedule in [ScheduleKind::Step, ScheduleKind::Cosine] {
                    let (race, floor) =
                        scheduled(SurfaceKind::Elongated, schedule, warmup, BOWL_RATES, seed);
                    let sgd = last_hundred(&race, "sgd", floor);
                    assert!(
                        sgd.iter().all(|&l| l < 0.1),
                        "{schedule:?} seed {seed}: {sgd:?}"
                    );
                    if schedule == ScheduleKind::Cosine {
                        let end = *last_hundred(&race, "rmsprop", floor).last().unwrap();
                        assert!(end < 1e-6, "seed {seed}: {end}");
                    }
                }
            }
        }
    }

    /// What the prose says of warm-up: on Rosenbrock's valley with the adaptive rate at 0.5,
    /// Adam's first step moves each coordinate by 0.5 and its first steps throw it up the
    /// valley's wall, to more than four times the loss it started from; warmed up over 50 steps,
    /// its loss never rises above the start.
    #[test]
    fn warm_up_keeps_adams_first_steps_from_climbing_the_wall() {
        let peak = |warmup| {
            let (race, _) = scheduled(
                SurfaceKind::Rosenbrock,
                ScheduleKind::Constant,
                warmup,
                ROSENBROCK_RATES,
                1,
            );
            let adam = &race.racers()[6];
            assert!(adam.stopped.is_none());
            if !warmup {
                let [a, b] = [adam.path[0], adam.path[1]];
                for k in 0..2 {
                    assert!(((a[k] - b[k]).abs() - 0.5).abs() < 1e-5, "{a:?} → {b:?}");
                }
            }
            let start = adam.losses[0];
            let highest = adam.losses.iter().fold(start, |a, &b| a.max(b));
            (start, highest)
        };
        let (start, cold) = peak(false);
        assert!(cold > 4.0 * start, "{start} → {cold}");
        let (start, warm) = peak(true);
        assert_eq!(warm, start);
    }

    /// The race scales every racer's rate by the schedule at each step: under a warm-up the first
    /// rate is 0, so no racer moves on the first step; then gradient descent's steps are the rate
    /// of the schedule times the gradient.
    #[test]
    fn the_schedule_scales_every_racers_step() {
        let start = [-2.5_f32, 1.5];
        let schedule = ScheduleKind::Cosine.schedule(true).unwrap();
        let config = RaceConfig {
            lr: 0.06,
            adaptive_lr: 0.1,
            momentum: 0.9,
            seed: 1,
            schedule,
        };
        let mut race =
            Race::new(Surface::new(SurfaceKind::Elongated).unwrap(), start, config).unwrap();
        for _ in 0..100 {
            race.step().unwrap();
        }
        for r in race.racers() {
            assert_eq!(r.path[1], start, "{}", r.name);
            assert_ne!(r.path[2], start, "{}", r.name);
        }
        let mut surface = Surface::new(SurfaceKind::Elongated).unwrap();
        let gd = &race.racers()[0];
        for t in [1, 30, 49, 50, 51, 99] {
            let mut g = [0.0; 2];
            surface.gradient(&gd.path[t], &mut g).unwrap();
            let rate = schedule.rate(0.06, t);
            for k in 0..2 {
                let expected = gd.path[t][k] - rate * g[k];
                assert!((gd.path[t + 1][k] - expected).abs() < 1e-6, "step {t}");
            }
        }
        assert!(schedule.rate(0.06, 25) < 0.06 && schedule.rate(0.06, 50) == 0.06);
    }

    #[test]
    fn schedule_names_round_trip_and_the_cosine_ends_with_the_race() {
        for kind in ScheduleKind::ALL {
            assert_eq!(ScheduleKind::from_name(kind.name()), Ok(kind));
        }
        assert!(ScheduleKind::from_name("sawtooth").is_err());
        for warmup in [false, true] {
            let s = ScheduleKind::Cosine.schedule(warmup).unwrap();
            assert_eq!(s.factor(MAX_STEPS), 0.0);
            assert!(s.factor(MAX_STEPS - 1) > 0.0);
        }
        let step = ScheduleKind::Step.schedule(false).unwrap();
        assert_eq!(step.factor(MAX_STEPS - 1), 1.0 / 16.0);
    }
}
