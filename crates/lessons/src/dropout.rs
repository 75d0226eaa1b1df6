//! The dropout figure's numbers: the same small, noisy problem trained side by side at several
//! dropout rates, and the generalisation gap of each run.
//!
//! The runs are a [`crate::compare::Comparison`] of playground runs that share their data, split,
//! seed and initial weights, so they differ only in the dropout rate.

use crate::playground::{DataKind, PlaygroundConfig};
use spiega_nn::activation::Activation;
use spiega_nn::data::SplitFractions;
use spiega_nn::data::two_d::TwoD;
use spiega_nn::error::Result;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};

/// The dropout comparison's setting, with dropout rate `p` after each hidden layer: 100 points
/// of exclusive or with the most noise, half for training and half for validation, two hidden
/// layers of 32 ReLU units (far more than 50 noisy points need), Adam at 0.01, batches of 10,
/// seed 1. Without dropout the validation loss turns upward within about 100 updates while the
/// training loss keeps falling.
pub fn dropout_setting(p: f32) -> Result<PlaygroundConfig> {
    Ok(PlaygroundConfig {
        data: DataKind::Classify(TwoD::Xor),
        points: 100,
        noise: 0.5,
        split: SplitFractions::new(0.5, 0.5, 0.0),
        hidden: vec![32, 32],
        activation: Activation::Relu,
        optimizer: OptimizerConfig::new(OptimizerKind::Adam).with("lr", 0.01)?,
        batch_size: 10,
        dropout: p,
        seed: 1,
        ..PlaygroundConfig::default()
    })
}

/// The updates after which the page's comparison pauses by itself.
pub const SHOWN_UPDATES: u64 = 1500;

/// The updates the page makes between two records of the curves.
pub const UPDATES_PER_RECORD: u32 = 5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Comparison, gap};

    /// One record of the page's curves: per run, the step, training loss, validation loss, gap
    /// and validation accuracy.
    struct Record {
        step: u64,
        train: Vec<f32>,
        val: Vec<f32>,
        gap: Vec<f32>,
        acc: Vec<f32>,
    }

    /// Trains the runs at `rates` as the page does, recording every [`UPDATES_PER_RECORD`]
    /// updates up to [`SHOWN_UPDATES`].
    fn records(rates: &[f32]) -> (Comparison, Vec<Record>) {
        let mut c =
            Comparison::new(rates.iter().map(|&p| dropout_setting(p).unwrap()).collect()).unwrap();
        let mut out = Vec::new();
        while c.latest(0).unwrap().step < SHOWN_UPDATES {
            c.step(UPDATES_PER_RECORD).unwrap();
            let s: Vec<_> = (0..rates.len()).map(|i| *c.latest(i).unwrap()).collect();
            out.push(Record {
                step: s[0].step,
                train: s.iter().map(|s| s.train.loss).collect(),
                val: s.iter().map(|s| s.validation.unwrap().loss).collect(),
                gap: s.iter().map(|s| gap(s).unwrap()).collect(),
                acc: s
                    .iter()
                    .map(|s| s.validation.unwrap().accuracy.unwrap())
                    .collect(),
            });
        }
        (c, out)
    }

    /// Run `i`'s lowest validation loss over the whole run, and the update where it came.
    fn lowest(records: &[Record], i: usize) -> (f32, u64) {
        records
            .iter()
            .map(|r| (r.val[i], r.step))
            .fold((f32::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
    }

    /// Where run `i` stops with a patience of `patience` updates: the first recorded update at
    /// least `patience` after its lowest validation loss so far, and that lowest one's update.
    fn patience_stop(records: &[Record], i: usize, patience: u64) -> Option<(u64, u64)> {
        let (mut lowest, mut at) = (f32::MAX, 0);
        for r in records {
            if r.val[i] < lowest {
                (lowest, at) = (r.val[i], r.step);
            }
            if r.step - at >= patience {
                return Some((r.step, at));
            }
        }
        None
    }

    /// What the prose says about the figure, checked at every record of the whole run: the
    /// page's rates 0, 0.2, 0.3 and 0.5, and 0.9, which the prose invites the reader to type.
    ///
    /// Try this (dropout): without dropout the gap opens within about 100 updates, keeps widening
    /// from about 200 updates on and ends near 1.6; up to about 1,200 updates the more dropout,
    /// the smaller the gap.
    #[test]
    fn dropout_delays_overfitting_over_the_whole_run() {
        let (c, r) = records(&[0.0, 0.2, 0.3, 0.5, 0.9]);
        let last = r.last().unwrap();
        assert_eq!(last.step, SHOWN_UPDATES);
        let at = |step: u64| r.iter().find(|r| r.step == step).unwrap();

        // Without dropout: the lowest validation loss, about 0.38, comes after some 55 updates;
        // the gap opens within about a hundred updates, keeps widening and ends near 1.6.
        let (best, when) = lowest(&r, 0);
        assert!(
            (0.375..0.39).contains(&best) && (40..=70).contains(&when),
            "{best} at {when}"
        );
        assert!(at(100).gap[0] > 0.1, "{:?}", at(100).gap);
        for (later, earlier) in r.iter().skip(40).zip(&r) {
            assert!(
                later.gap[0] > earlier.gap[0],
                "the gap shrank from {} to {}",
                earlier.step,
                later.step
            );
        }
        assert!((1.5..1.7).contains(&last.gap[0]), "{:?}", last.gap);

        // With dropout the validation loss turns upward later and climbs more slowly.
        let climb = |i: usize| last.val[i] - lowest(&r, i).0;
        for i in 1..4 {
            assert!(
                lowest(&r, i).1 > when,
                "run {i} turns at {}",
                lowest(&r, i).1
            );
            assert!(
                climb(i) < climb(0) / 4.0,
                "run {i} climbs {} against {}",
                climb(i),
                climb(0)
            );
        }

        // From about a hundred updates to about 1,200 the gaps line up with the rate; from a
        // hundred on to the end the training loss is highest at 0.5.
        for rec in r.iter().filter(|r| r.step >= 90) {
            if rec.step <= 1200 {
                assert!(
                    rec.gap.windows(2).take(3).all(|w| w[0] > w[1]),
                    "at {}: {:?}",
                    rec.step,
                    rec.gap
                );
            }
            if rec.step >= 105 {
                let half = rec.train[3];
                assert!(
                    rec.train[..3].iter().all(|&t| t < half),
                    "at {}: {:?}",
                    rec.step,
                    rec.train
                );
            }
        }
        // By the end 0.2 and 0.3 have swapped (gaps 0.45 and 0.48), and 0.5's validation loss
        // has begun to climb.
        assert!(last.gap[1] < last.gap[2], "{:?}", last.gap);
        assert!(
            (0.43..0.47).contains(&last.gap[1]) && (0.46..0.50).contains(&last.gap[2]),
            "{:?}",
            last.gap
        );
        assert!(climb(3) > 0.05, "{}", climb(3));

        // Much more dropout underfits: at 0.9 even the training loss stays high.
        assert!(r.iter().filter(|r| r.step >= 100).all(|r| r.train[4] > 0.6));

        // The validation accuracies end close together, 76% to 82%, the run without dropout
        // best; the lowest validation loss of each of the page's runs is nearly the same.
        assert!(
            last.acc[..4].iter().all(|a| (0.76..=0.82).contains(a)),
            "{:?}",
            last.acc
        );
        assert!(
            last.acc[1..4].iter().all(|&a| a <= last.acc[0]),
            "{:?}",
            last.acc
        );
        for i in 0..4 {
            let b = lowest(&r, i).0;
            assert!((0.365..0.385).contains(&b), "run {i}: {b}");
        }

        // Early stopping: each run's best point is the lowest validation loss of its records,
        // and its restored network scores exactly what was recorded there.
        let mut c = c;
        let best: Vec<_> = (0..5).map(|i| *c.runs()[i].best().unwrap()).collect();
        for (i, b) in best.iter().enumerate() {
            let (loss, step) = lowest(&r, i);
            let first = c.runs()[i].history()[0];
            assert!(first.validation.unwrap().loss > loss, "run {i}");
            assert_eq!(
                (b.validation.unwrap().loss, b.step),
                (loss, step),
                "run {i}"
            );
        }
        let dropped_before = c.dropped_units(3).to_vec();
        let restored = c.restore_best().unwrap();
        for (i, (s, b)) in restored.iter().zip(&best).enumerate() {
            assert_eq!(s.as_ref(), Some(b), "run {i}");
        }
        // What the prose says of it: the best updates (55, 235, 175 and 905) and losses; without
        // dropout the restored network's validation loss is 0.38 against 1.64 at the end, with
        // the same accuracy, 82%; at 0.5, 84% against 78%.
        let steps: Vec<u64> = best.iter().take(4).map(|b| b.step).collect();
        assert_eq!(steps, [55, 235, 175, 905]);
        let val = |s: &crate::playground::Scores| s.validation.unwrap();
        assert!((0.38..0.39).contains(&val(&best[0]).loss), "{best:?}");
        assert!((1.63..1.65).contains(&last.val[0]), "{:?}", last.val);
        assert_eq!(val(&best[0]).accuracy, Some(0.82));
        assert_eq!(last.acc[0], 0.82);
        assert_eq!(val(&best[3]).accuracy, Some(0.84));
        assert_eq!(last.acc[3], 0.78);
        // With a patience of 100 updates, the run at 0.2 stops at 155 with update 55's weights.
        assert_eq!(patience_stop(&r, 1, 100), Some((155, 55)));
        c.resume();

        let dropped = c.dropped_units(3);
        assert_eq!(dropped, dropped_before.as_slice());
        assert_eq!(dropped.len(), 2);
        assert_eq!(dropped[0].len(), 32);
        assert!(dropped[0].iter().any(|&d| d) && dropped[0].iter().any(|&d| !d));
        assert!(c.dropped_units(0).is_empty());
    }
    /// Try this (dropout): with 0.9 in the last rate box, that run's training loss is the highest
    /// of the four and above 0.6 at every record of the run, and its gap never rises above 0.05:
    /// far too much dropout underfits.
    #[test]
    fn try_this_far_too_much_dropout_underfits() {
        let (_, r) = records(&[0.0, 0.2, 0.3, 0.9]);
        assert_eq!(r.last().unwrap().step, SHOWN_UPDATES);
        for rec in &r {
            let high = rec.train[3];
            assert!(
                high > 0.6 && rec.train[..3].iter().all(|&t| t < high),
                "at {}: {:?}",
                rec.step,
                rec.train
            );
            assert!(rec.gap[3] <= 0.05, "at {}: {:?}", rec.step, rec.gap);
        }
    }

    // The comparison core's own rules, shown on the dropout runs (its one figure that overfits).
    #[test]
    fn runs_must_share_their_data() {
        let mut other = dropout_setting(0.0).unwrap();
        other.seed = 2;
        assert!(Comparison::new(vec![dropout_setting(0.0).unwrap(), other]).is_err());
        assert!(Comparison::new(vec![]).is_err());
    }

    /// Restoring the best networks and going on trains exactly the run never stopped: the same
    /// scores at every record, to the last digit.
    #[test]
    fn training_after_an_early_stop_goes_on_from_the_last_networks() {
        let configs = || vec![dropout_setting(0.0).unwrap(), dropout_setting(0.5).unwrap()];
        let mut stopped = Comparison::new(configs()).unwrap();
        let mut straight = Comparison::new(configs()).unwrap();
        for round in 0..40 {
            if round % 10 == 9 {
                let best = stopped.restore_best().unwrap();
                assert!(stopped.restored());
                for (i, b) in best.iter().enumerate() {
                    assert_eq!(b.as_ref(), stopped.runs()[i].best(), "run {i}");
                }
            }
            stopped.step(5).unwrap();
            straight.step(5).unwrap();
            assert!(!stopped.restored());
            for i in 0..2 {
                assert_eq!(
                    stopped.latest(i),
                    straight.latest(i),
                    "run {i}, round {round}"
                );
            }
        }
        // By update 200 the run without dropout is past its best, so the restores above put
        // back a different network (else this test would show nothing).
        let best = stopped.runs()[0].best().unwrap().step;
        assert!(best < 150, "{best}");
    }
}
