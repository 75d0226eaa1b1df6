//! Side-by-side comparisons: several playground runs that share their data, split and seed and
//! differ in one setting (a dropout rate, batch normalization, the batch size), trained in step.
//!
//! Because every random choice of a [`Playground`] comes from its seed through separate streams,
//! runs built from configurations that differ only in the compared setting see the same points,
//! the same split and (for the same layer widths) the same initial weights; the only difference
//! between their curves is the one being shown.

use crate::playground::{Playground, PlaygroundConfig, Scores};
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::Dropout;

/// The most runs one comparison trains.
pub const MAX_RUNS: usize = 6;

/// Several runs trained side by side.
#[derive(Debug)]
pub struct Comparison {
    runs: Vec<Playground>,
    /// Per run, per dropout layer, which units of the first sample of the last training batch
    /// were dropped (kept here because scoring afterwards runs in evaluation mode, which keeps
    /// every unit).
    dropped: Vec<Vec<Vec<bool>>>,
    /// Whether every run holds its best network rather than its last (see
    /// [`Comparison::restore_best`]).
    restored: bool,
}

impl Comparison {
    /// Builds one run per configuration. They must share the data, its size and noise, the
    /// split and the seed, so that the comparison is fair; anything else may differ.
    pub fn new(configs: Vec<PlaygroundConfig>) -> Result<Self> {
        if configs.is_empty() || configs.len() > MAX_RUNS {
            return Err(EngineError::Invalid(format!(
                "a comparison trains 1 to {MAX_RUNS} runs, not {}",
                configs.len()
            )));
        }
        let first = &configs[0];
        for (i, c) in configs.iter().enumerate().skip(1) {
            if c.data != first.data
                || c.points != first.points
                || c.noise != first.noise
                || c.split != first.split
                || c.seed != first.seed
            {
                return Err(EngineError::Invalid(format!(
                    "run {} does not share the first run's data, split and seed, so the \
                     comparison would not be fair",
                    i + 1
                )));
            }
        }
        let runs = configs
            .into_iter()
            .map(Playground::new)
            .collect::<Result<Vec<_>>>()?;
        let dropped = vec![Vec::new(); runs.len()];
        Ok(Self {
            runs,
            dropped,
            restored: false,
        })
    }

    /// Makes `updates` updates on every run, then records every run's scores. Returns the first
    /// error (the run that diverged is named by its index, from 1).
    /// Training goes on from where it had got to: after [`Comparison::restore_best`], the last
    /// networks are put back first, so the curves are those of the run never stopped.
    pub fn step(&mut self, updates: u32) -> Result<()> {
        self.resume();
        for (i, run) in self.runs.iter_mut().enumerate() {
            for _ in 0..updates {
                run.step().map_err(|e| name_run(i, e))?;
            }
            if let Some(d) = self.dropped.get_mut(i) {
                read_dropped(run, 0, d);
            }
            run.record().map_err(|e| name_run(i, e))?;
        }
        Ok(())
    }

    /// Trains every run for one whole epoch of its own (at least one update), then records.
    /// Like [`Comparison::step`], it goes on from the last networks.
    pub fn step_epoch(&mut self) -> Result<()> {
        self.resume();
        for (i, run) in self.runs.iter_mut().enumerate() {
            run.step_epoch().map_err(|e| name_run(i, e))?;
            if let Some(d) = self.dropped.get_mut(i) {
                read_dropped(run, 0, d);
            }
            run.record().map_err(|e| name_run(i, e))?;
        }
        Ok(())
    }

    /// Early stopping: puts back every run's network from its lowest validation loss so far
    /// ([`Playground::restore_best`]) and returns each run's scores from the restored weights
    /// (`None` for a run without a validation split).
    pub fn restore_best(&mut self) -> Result<Vec<Option<Scores>>> {
        let scores = self
            .runs
            .iter_mut()
            .map(Playground::restore_best)
            .collect::<Result<Vec<_>>>()?;
        self.restored = true;
        Ok(scores)
    }

    /// Puts back every run's last network after [`Comparison::restore_best`] (nothing otherwise).
    pub fn resume(&mut self) {
        if self.restored {
            self.runs
                .iter_mut()
                .for_each(Playground::restore_last_recorded);
            self.restored = false;
        }
    }

    /// Whether the runs hold their best networks ([`Comparison::restore_best`]) rather than
    /// their last.
    pub fn restored(&self) -> bool {
        self.restored
    }

    /// The runs, in the order of their configurations.
    pub fn runs(&self) -> &[Playground] {
        &self.runs
    }

    /// The runs, mutable (to draw a run's grid, say).
    pub fn runs_mut(&mut self) -> &mut [Playground] {
        &mut self.runs
    }

    /// For run `i`, per dropout layer (one per hidden layer), which units of the first sample of
    /// the last training batch were dropped (`true`). Empty for a run without dropout and before
    /// the first update.
    pub fn dropped_units(&self, i: usize) -> &[Vec<bool>] {
        self.dropped.get(i).map_or(&[], Vec::as_slice)
    }

    /// The latest recorded scores of run `i`.
    pub fn latest(&self, i: usize) -> Option<&Scores> {
        self.runs.get(i).and_then(|r| r.history().last())
    }
}

/// Prefixes an error with the run it came from.
fn name_run(i: usize, e: EngineError) -> EngineError {
    match e {
        EngineError::Diverged { what } => EngineError::Diverged {
            what: format!("run {}: {what}", i + 1),
        },
        EngineError::NonFinite { what } => EngineError::NonFinite {
            what: format!("run {}: {what}", i + 1),
        },
        other => other,
    }
}

/// The generalisation gap of a score: validation loss minus training loss (`None` without a
/// validation split). A large positive gap means the network fits its training points far
/// better than new ones: it overfits.
pub fn gap(scores: &Scores) -> Option<f32> {
    scores.validation.map(|v| v.loss - scores.train.loss)
}

/// Reads, for each dropout layer of `run`'s network, which units of sample `sample` of its last
/// forward pass were dropped, into `out` (reusing its vectors). Meaningful right after a training
/// update: an evaluation pass keeps every unit.
fn read_dropped(run: &Playground, sample: usize, out: &mut Vec<Vec<bool>>) {
    let model = run.trainer().model();
    let layers = (0..model.layers().len()).filter_map(|i| model.layer::<Dropout>(i));
    let mut count = 0;
    for (k, d) in layers.enumerate() {
        if out.len() <= k {
            out.push(Vec::new());
        }
        let units = &mut out[k];
        units.clear();
        let mask = d.keep_mask();
        if sample < mask.nrows() {
            units.extend(mask.row(sample).iter().map(|&m| m == 0.0));
        }
        count = k + 1;
    }
    out.truncate(count);
}
