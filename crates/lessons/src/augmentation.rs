//! The data-augmentation comparison: the same small convolutional network trained on the same few
//! digits twice, once on the digits as they are and once on a fresh random augmentation of every
//! digit at every update, both scored on the same large set of untouched validation digits.
//!
//! Both runs share the training and validation digits, the initial weights and the order of the
//! batches (drawn from the same seed through separate streams); the only difference is the
//! augmentation. Augmentation is online: each time a digit enters a batch it is rotated, shifted,
//! zoomed, blurred and noised by a transform drawn afresh from the [`AugmentRanges`], so the
//! network never sees the same picture twice. Validation digits are never augmented.
//!
//! # The setting and why
//!
//! With 3 training digits per class (30 in all), 1000 validation digits, batches of 10 and Adam at
//! a learning rate of 0.01, the network (3×3 convolution with 8 maps and padding 1 → ReLU → 2×2
//! max-pooling → dense 10) learns every training digit within a few dozen updates and then stops
//! improving on new digits, at about 80% validation accuracy. Augmented with rotations up to ±12°,
//! shifts up to ±0.6 px, zooms from 0.9 to 1.1, blur up to σ 0.5 and noise of standard deviation
//! 0.05, the same network keeps improving. A sweep over seeds 1 to 5
//! (`augmentation_beats_none_across_seeds`, run with `--ignored`) measured these validation
//! accuracies ([`SETTING_GAINS`]):
//!
//! | seed | after 300 updates: without → with | after 600 | after 1200 |
//! |---|---|---|---|
//! | 1 | 80.2% → 86.0% | 80.0% → 84.5% | 79.4% → 85.9% (+6.5) |
//! | 2 | 78.3% → 81.4% | 78.4% → 83.4% | 78.1% → 82.2% (+4.1) |
//! | 3 | 84.1% → 88.5% | 84.3% → 87.1% | 84.7% → 90.3% (+5.6) |
//! | 4 | 80.6% → 80.8% | 79.7% → 81.1% | 78.2% → 83.3% (+5.1) |
//! | 5 | 79.2% → 81.9% | 78.8% → 83.0% | 79.0% → 85.1% (+6.1) |
//!
//! The gain is robust only with this few training digits. With 10 digits per class the network
//! without augmentation already reaches about 91% and the gain ranged from −5 to +4 points
//! across seeds; with 5 per class, from −2 to +4. A dense network (64-32-10) gained less and not
//! on every seed. Stronger transformations gain less: on the page's setting (seed 1), rotations
//! up to ±45° gain 5.1 points instead of 6.5 and shifts up to ±1.5 px gain nothing (−0.1), see
//! `large_rotations_and_shifts_gain_less`; on 8×8 images one pixel is an eighth of the picture.

use spiega_nn::activation::Activation;
use spiega_nn::data::Dataset;
use spiega_nn::data::augment::{AugmentRanges, Augmenter, Transform};
use spiega_nn::data::batch::copy_rows;
use spiega_nn::error::{EngineError, Result};
use spiega_nn::layer::{Dense, Init};
use spiega_nn::loss::Loss;
use spiega_nn::model::Sequential;
use spiega_nn::optim::{OptimizerConfig, OptimizerKind};
use spiega_nn::regularize::Penalty;
use spiega_nn::rng::Rng;
use spiega_nn::tensor::{Matrix, Shape, argmax, ensure_shape};
use spiega_nn::train::Trainer;

/// Validation accuracies `(seed, without, with)` measured for [`AugmentationSetting::default`]
/// with seeds 1 to 5 after [`SHOWN_UPDATES`] updates (see the module docs).
pub const SETTING_GAINS: [(u32, f32, f32); 5] = [
    (1, 0.794, 0.859),
    (2, 0.781, 0.822),
    (3, 0.847, 0.903),
    (4, 0.782, 0.833),
    (5, 0.790, 0.851),
];

/// The updates after which the page's comparison pauses by itself.
pub const SHOWN_UPDATES: u64 = 1200;

/// The most training digits per class.
pub const MAX_PER_CLASS: usize = 100;

/// Everything the comparison's two runs share, and the augmentation of the second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AugmentationSetting {
    /// Training digits per class (1 to [`MAX_PER_CLASS`]).
    pub per_class: usize,
    /// Validation digits, taken from the digits not used for training.
    pub validation: usize,
    /// The ranges the augmented run draws each transform from.
    pub ranges: AugmentRanges,
    /// Digits per update.
    pub batch_size: usize,
    /// Adam's learning rate.
    pub learning_rate: f32,
    /// The seed of the split, the initial weights, the batch order and the augmentations.
    pub seed: u32,
    /// Whether the network is convolutional (otherwise one dense hidden layer of 32 ReLU units).
    pub conv: bool,
}

impl AugmentationSetting {
    /// The page's augmentation ranges: rotations up to ±12°, shifts up to ±0.6 px, zoom 0.9 to
    /// 1.1, blur up to σ 0.5, noise of standard deviation 0.05.
    pub const RANGES: AugmentRanges = AugmentRanges {
        max_rotation_degrees: 12.0,
        max_shift: 0.6,
        min_zoom: 0.9,
        max_zoom: 1.1,
        max_blur_sigma: 0.5,
        noise_std: 0.05,
    };
}

impl Default for AugmentationSetting {
    /// The page's setting (see the module docs).
    fn default() -> Self {
        Self {
            per_class: 3,
            validation: 1000,
            ranges: Self::RANGES,
            batch_size: 10,
            learning_rate: 0.01,
            seed: 1,
            conv: true,
        }
    }
}

/// One run's scores after some updates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    /// Updates made so far.
    pub step: u64,
    /// Mean loss on the (untouched) training digits.
    pub train_loss: f32,
    /// Fraction of the training digits classified correctly.
    pub train_accuracy: f32,
    /// Mean loss on the validation digits.
    pub validation_loss: f32,
    /// Fraction of the validation digits classified correctly.
    pub validation_accuracy: f32,
}

/// One of the two runs.
#[derive(Debug)]
pub struct Run {
    trainer: Trainer,
    ranges: Option<AugmentRanges>,
    augmenter: Augmenter,
    order_rng: Rng,
    augment_rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    rows: Vec<usize>,
    x: Matrix,
    y: Matrix,
    history: Vec<Record>,
    /// Copies of the network that score the training and the validation digits: each keeps
    /// its own batch size, so neither scoring nor training ever resizes another's buffers.
    train_scorer: Sequential,
    validation_scorer: Sequential,
    /// The trained weights in visiting order, copied into the scorers before scoring.
    weights: Vec<f32>,
}

impl Run {
    /// The scores recorded so far, the untrained network's first.
    pub fn history(&self) -> &[Record] {
        &self.history
    }

    /// The latest scores.
    pub fn latest(&self) -> Option<&Record> {
        self.history.last()
    }

    /// Whether this run augments its training digits.
    pub fn augments(&self) -> bool {
        self.ranges.is_some()
    }

    /// Updates made so far.
    pub fn steps(&self) -> u64 {
        self.trainer.steps()
    }

    /// One update on the next batch of the epoch's shuffled order (a new order each epoch),
    /// augmented when the run augments.
    fn step(&mut self, train: &Dataset, batch_size: usize) -> Result<()> {
        self.rows.clear();
        while self.rows.len() < batch_size {
            if self.cursor >= self.order.len() {
                self.order_rng.shuffle(&mut self.order);
                self.cursor = 0;
            }
            self.rows.push(self.order[self.cursor]);
            self.cursor += 1;
        }
        copy_rows(train.x(), &self.rows, &mut self.x)?;
        copy_rows(train.targets(), &self.rows, &mut self.y)?;
        if let Some(ranges) = &self.ranges {
            self.augmenter.augment_rows(
                &mut self.x,
                train.sample_shape(),
                ranges,
                &mut self.augment_rng,
            )?;
        }
        self.trainer.step(&self.x, &self.y)?;
        Ok(())
    }

    /// Scores the network on both sets and appends the record.
    fn record(&mut self, train: &Dataset, validation: &Dataset) -> Result<()> {
        let weights = &mut self.weights;
        weights.clear();
        self.trainer
            .model_mut()
            .visit_params(&mut |_, p| weights.extend_from_slice(p.value));
        for scorer in [&mut self.train_scorer, &mut self.validation_scorer] {
            let mut at = 0;
            scorer.visit_params(&mut |_, p| {
                let n = p.value.len();
                if let Some(src) = weights.get(at..at + n) {
                    p.value.copy_from_slice(src);
                }
                at += n;
            });
        }
        let loss = self.trainer.loss();
        let (train_loss, train_accuracy) = score(&mut self.train_scorer, loss, train)?;
        let (validation_loss, validation_accuracy) =
            score(&mut self.validation_scorer, loss, validation)?;
        self.history.push(Record {
            step: self.trainer.steps(),
            train_loss,
            train_accuracy,
            validation_loss,
            validation_accuracy,
        });
        Ok(())
    }
}

/// The mean loss and the accuracy of `model` on `data`, in evaluation mode.
fn score(model: &mut Sequential, loss: Loss, data: &Dataset) -> Result<(f32, f32)> {
    let labels = data
        .labels()
        .ok_or_else(|| EngineError::Invalid("the digits have no labels".into()))?;
    let output = model.predict(data.x())?;
    let value = loss.value(output, data.targets())?;
    let correct = output
        .row_iter()
        .zip(labels)
        .filter(|(row, label)| argmax(row.iter().copied()) == **label)
        .count();
    Ok((value, correct as f32 / labels.len().max(1) as f32))
}

/// The two runs, without and with augmentation, and the digits they share.
#[derive(Debug)]
pub struct AugmentationDemo {
    setting: AugmentationSetting,
    train: Dataset,
    validation: Dataset,
    runs: [Run; 2],
    augmenter: Augmenter,
    pixels: Vec<f32>,
    out: Vec<f32>,
}

impl AugmentationDemo {
    /// Splits `digits` (scikit-learn's, [`spiega_nn::data::digits::parse_digits`]) and builds
    /// both runs (untrained, each with its first record).
    pub fn new(setting: AugmentationSetting, digits: &Dataset) -> Result<Self> {
        if !(1..=MAX_PER_CLASS).contains(&setting.per_class) {
            return Err(EngineError::hyper(
                "training digits per class",
                setting.per_class,
                &format!("it must be from 1 to {MAX_PER_CLASS}"),
            ));
        }
        if !(1..=100).contains(&setting.batch_size) {
            return Err(EngineError::hyper(
                "batch size",
                setting.batch_size,
                "it must be from 1 to 100",
            ));
        }
        setting.ranges.check()?;
        let (train, validation) = split(&setting, digits)?;
        let runs = [
            build_run(&setting, &train, None)?,
            build_run(&setting, &train, Some(setting.ranges))?,
        ];
        let mut demo = Self {
            setting,
            train,
            validation,
            runs,
            augmenter: Augmenter::new(),
            pixels: Vec::new(),
            out: Vec::new(),
        };
        for run in &mut demo.runs {
            run.record(&demo.train, &demo.validation)?;
        }
        Ok(demo)
    }

    /// Makes `updates` updates on both runs, then records both runs' scores.
    pub fn step(&mut self, updates: u32) -> Result<()> {
        for run in &mut self.runs {
            for _ in 0..updates {
                run.step(&self.train, self.setting.batch_size)?;
            }
            run.record(&self.train, &self.validation)?;
        }
        Ok(())
    }

    /// The runs: without augmentation, then with it.
    pub fn runs(&self) -> &[Run; 2] {
        &self.runs
    }

    /// The setting both runs were built from.
    pub fn setting(&self) -> &AugmentationSetting {
        &self.setting
    }

    /// The training digits (untouched).
    pub fn train(&self) -> &Dataset {
        &self.train
    }

    /// The validation digits.
    pub fn validation(&self) -> &Dataset {
        &self.validation
    }

    /// Updates made so far (both runs make the same number).
    pub fn steps(&self) -> u64 {
        self.runs[0].steps()
    }

    /// The rows of `count` training digits to preview: the first training digit of class 0, of
    /// class 1, and so on (fewer when the training set has fewer classes).
    pub fn preview_rows(&self, count: usize) -> Vec<usize> {
        let labels = self.train.labels().unwrap_or(&[]);
        (0..count)
            .filter_map(|class| labels.iter().position(|&l| l == class))
            .collect()
    }

    /// Writes the training digits `rows` into `originals` and one augmentation of each into
    /// `augmented`, with the transform each was given into `transforms`; the transforms are
    /// drawn from `ranges` by `Rng::new(draw)`, one draw number giving one set of pictures. The
    /// training runs are not disturbed.
    pub fn preview(
        &mut self,
        rows: &[usize],
        ranges: &AugmentRanges,
        draw: u32,
        originals: &mut Matrix,
        augmented: &mut Matrix,
        transforms: &mut Vec<Transform>,
    ) -> Result<()> {
        copy_rows(self.train.x(), rows, originals)?;
        ensure_shape(augmented, originals.nrows(), originals.ncols());
        let shape = self.train.sample_shape();
        let mut rng = Rng::new(draw);
        transforms.clear();
        self.pixels.resize(originals.ncols(), 0.0);
        self.out.resize(originals.ncols(), 0.0);
        for r in 0..originals.nrows() {
            for (c, v) in self.pixels.iter_mut().enumerate() {
                *v = originals[(r, c)];
            }
            let t = ranges.sample(&mut rng)?;
            self.augmenter
                .apply(&t, &self.pixels, shape, &mut rng, &mut self.out)?;
            for (c, v) in self.out.iter().enumerate() {
                augmented[(r, c)] = *v;
            }
            transforms.push(t);
        }
        Ok(())
    }
}

/// The training digits (the first `per_class` of each class in an order shuffled from the seed)
/// and the validation digits (the next `validation` of the rest, in that order).
fn split(setting: &AugmentationSetting, all: &Dataset) -> Result<(Dataset, Dataset)> {
    let labels = all
        .labels()
        .ok_or_else(|| EngineError::Invalid("the digits have no labels".into()))?;
    let mut order: Vec<usize> = (0..all.len()).collect();
    Rng::new(setting.seed).shuffle(&mut order);
    let mut taken = [0usize; 10];
    let (mut train, mut rest) = (Vec::new(), Vec::new());
    for i in order {
        let label = labels[i];
        match taken.get_mut(label) {
            Some(t) if *t < setting.per_class => {
                *t += 1;
                train.push(i);
            }
            _ => rest.push(i),
        }
    }
    if setting.validation == 0 || setting.validation > rest.len() {
        return Err(EngineError::hyper(
            "validation digits",
            setting.validation,
            &format!("it must be from 1 to {}", rest.len()),
        ));
    }
    rest.truncate(setting.validation);
    Ok((all.subset(&train)?, all.subset(&rest)?))
}

/// One run: its network drawn from the seed (the same weights for both runs), Adam, and the
/// seed's batch order and augmentation streams.
fn build_run(
    setting: &AugmentationSetting,
    train: &Dataset,
    ranges: Option<AugmentRanges>,
) -> Result<Run> {
    let mut init = Rng::new(setting.seed.wrapping_add(1));
    let mut model = if setting.conv {
        conv_net(&mut init)?
    } else {
        let mut m = Sequential::new(Shape::Flat(64));
        m.push(Dense::new(
            64,
            32,
            Activation::Relu,
            Init::Glorot,
            &mut init,
        )?)?
        .push(Dense::new(
            32,
            10,
            Activation::Linear,
            Init::Glorot,
            &mut init,
        )?)?;
        m
    };
    model.set_input_gradient(false);
    let (train_scorer, validation_scorer) = (model.clone(), model.clone());
    let optimizer = OptimizerConfig::new(OptimizerKind::Adam)
        .with("lr", setting.learning_rate)?
        .build()?;
    let trainer = Trainer::new(
        model,
        Loss::SoftmaxCrossEntropy,
        optimizer,
        Penalty::None,
        Rng::new(0),
    )?;
    let n = train.len();
    Ok(Run {
        trainer,
        ranges,
        augmenter: Augmenter::new(),
        order_rng: Rng::new(setting.seed.wrapping_add(2)),
        augment_rng: Rng::new(setting.seed.wrapping_add(3)),
        order: (0..n).collect(),
        cursor: n,
        rows: Vec::with_capacity(setting.batch_size),
        x: Matrix::zeros(0, 0),
        y: Matrix::zeros(0, 0),
        history: Vec::new(),
        train_scorer,
        validation_scorer,
        weights: Vec::new(),
    })
}

/// The network: a 3×3 convolution with 8 maps and padding 1, ReLU, 2×2 max-pooling, and a dense
/// layer to the 10 classes (1370 weights).
fn conv_net(rng: &mut Rng) -> Result<Sequential> {
    Sequential::conv_classifier(8, 8, 10, rng, |pooled, classes, rng| {
        Dense::new(
            pooled.size(),
            classes,
            Activation::Linear,
            Init::Glorot,
            rng,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// scikit-learn's digits, from the copy compiled in for tests.
    fn digits() -> Dataset {
        spiega_nn::data::digits::digits().unwrap()
    }

    /// Final validation accuracies (without, with) after `updates` updates.
    fn finals(setting: AugmentationSetting, updates: u64) -> (f32, f32) {
        let mut demo = AugmentationDemo::new(setting, &digits()).unwrap();
        while demo.steps() < updates {
            demo.step(25).unwrap();
        }
        let v = |i: usize| demo.runs()[i].latest().unwrap().validation_accuracy;
        (v(0), v(1))
    }

    #[test]
    fn both_runs_start_alike_and_only_one_augments() {
        let demo = AugmentationDemo::new(AugmentationSetting::default(), &digits()).unwrap();
        assert_eq!(demo.train().len(), 30);
        assert_eq!(demo.validation().len(), 1000);
        assert_eq!(demo.train().class_counts().unwrap(), vec![3; 10]);
        let [plain, augmented] = demo.runs();
        // The same initial weights score the same.
        assert_eq!(plain.history(), augmented.history());
        assert_eq!(plain.history()[0].step, 0);
        assert!(!plain.augments() && augmented.augments());
    }

    #[test]
    fn training_is_deterministic() {
        let run = || {
            let mut demo =
                AugmentationDemo::new(AugmentationSetting::default(), &digits()).unwrap();
            demo.step(20).unwrap();
            demo.step(20).unwrap();
            demo.runs().each_ref().map(|r| r.history().to_vec())
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        assert_eq!(a[0].len(), 3);
        assert_eq!(a[0][2].step, 40);
        // Augmentation changes what the second run learns.
        assert_ne!(a[0][2], a[1][2]);
    }

    /// What the prose says about the page's setting, at every record (20 updates) of the
    /// figure's run: both networks soon get all 30 training digits right (the augmented one now
    /// and then slips on one); without augmentation
    /// the validation accuracy stalls near 80%, with it it climbs higher, to about 86% against
    /// 79% at the end.
    ///
    /// Try this (augmentation): without augmentation the validation accuracy stays between 79%
    /// and 81% from 60 updates on; from 300 on the augmented run is above it, ending near 86%.
    #[test]
    fn augmentation_beats_none_on_the_page_setting() {
        let mut demo = AugmentationDemo::new(AugmentationSetting::default(), &digits()).unwrap();
        while demo.steps() < SHOWN_UPDATES {
            demo.step(20).unwrap();
            let at = demo.steps();
            let [plain, augmented] = demo.runs().each_ref().map(|r| *r.latest().unwrap());
            if at == 40 {
                assert_eq!((plain.train_accuracy, augmented.train_accuracy), (1.0, 1.0));
            }
            if at >= 40 {
                // The augmented run now and then slips on one of its 30 digits.
                assert_eq!(plain.train_accuracy, 1.0, "at {at}");
                assert!(
                    augmented.train_accuracy >= 29.0 / 30.0 - 1e-6,
                    "at {at}: {augmented:?}"
                );
            }
            if at >= 60 {
                assert!(
                    (0.79..=0.81).contains(&plain.validation_accuracy),
                    "at {at}: {plain:?}"
                );
            }
            if at >= 300 {
                assert!(
                    augmented.validation_accuracy > plain.validation_accuracy,
                    "at {at}: {plain:?} {augmented:?}"
                );
            }
        }
        let (without, with) = finals(AugmentationSetting::default(), SHOWN_UPDATES);
        assert_eq!((without, with), (SETTING_GAINS[0].1, SETTING_GAINS[0].2));
    }

    #[test]
    fn previews_follow_the_draw_and_the_ranges() {
        let mut demo = AugmentationDemo::new(AugmentationSetting::default(), &digits()).unwrap();
        let rows = demo.preview_rows(6);
        let labels = demo.train().labels().unwrap();
        let shown: Vec<usize> = rows.iter().map(|&r| labels[r]).collect();
        assert_eq!(shown, [0, 1, 2, 3, 4, 5]);
        let ranges = AugmentationSetting::RANGES;
        let (mut o, mut a) = (Matrix::zeros(0, 0), Matrix::zeros(0, 0));
        let (mut o2, mut a2) = (Matrix::zeros(0, 0), Matrix::zeros(0, 0));
        let (mut t, mut t2) = (Vec::new(), Vec::new());
        demo.preview(&rows, &ranges, 1, &mut o, &mut a, &mut t)
            .unwrap();
        assert_eq!(o.shape(), (6, 64));
        assert_eq!(t.len(), 6);
        assert!(
            t.iter()
                .all(|t| t.rotation_degrees.abs() <= 12.0 && t.zoom >= 0.9)
        );
        assert_ne!(o, a);
        demo.preview(&rows, &ranges, 1, &mut o2, &mut a2, &mut t2)
            .unwrap();
        assert_eq!((&a, &t), (&a2, &t2));
        demo.preview(&rows, &ranges, 2, &mut o2, &mut a2, &mut t2)
            .unwrap();
        assert_eq!(o, o2);
        assert_ne!(a, a2);
        // A larger rotation changes the pictures; no augmentation leaves them as they are.
        let wider = AugmentRanges {
            max_rotation_degrees: 30.0,
            ..ranges
        };
        demo.preview(&rows, &wider, 1, &mut o2, &mut a2, &mut t2)
            .unwrap();
        assert_ne!(a, a2);
        let none = AugmentRanges::NONE;
        demo.preview(&rows, &none, 1, &mut o, &mut a, &mut t)
            .unwrap();
        assert_eq!(o, a);
    }

    #[test]
    fn bad_settings_are_refused() {
        let base = AugmentationSetting::default();
        for bad in [
            AugmentationSetting {
                per_class: 0,
                ..base
            },
            AugmentationSetting {
                batch_size: 0,
                ..base
            },
            AugmentationSetting {
                validation: 0,
                ..base
            },
            AugmentationSetting {
                validation: 5000,
                ..base
            },
            AugmentationSetting {
                ranges: AugmentRanges::rotation(-1.0),
                ..base
            },
        ] {
            assert!(AugmentationDemo::new(bad, &digits()).is_err(), "{bad:?}");
        }
    }

    /// Validation-accuracy gain of augmentation with the page's ranges changed by `change`.
    fn gain_with(change: impl Fn(&mut AugmentRanges)) -> f32 {
        let mut ranges = AugmentationSetting::RANGES;
        change(&mut ranges);
        let (without, with) = finals(
            AugmentationSetting {
                ranges,
                ..AugmentationSetting::default()
            },
            SHOWN_UPDATES,
        );
        with - without
    }

    /// What the prose says about other ranges: shifts of up to a pixel help most (87%), at a
    /// pixel and a half the gain is gone, at two pixels augmentation makes matters worse, and a
    /// rotation of up to 45° gains less than the page's 12°.
    #[test]
    fn large_rotations_and_shifts_gain_less() {
        let page = SETTING_GAINS[0].2 - SETTING_GAINS[0].1;
        let (_, one_pixel) = finals(
            AugmentationSetting {
                ranges: AugmentRanges {
                    max_shift: 1.0,
                    ..AugmentationSetting::RANGES
                },
                ..AugmentationSetting::default()
            },
            SHOWN_UPDATES,
        );
        assert!(
            (0.87..0.88).contains(&one_pixel) && one_pixel > SETTING_GAINS[0].2,
            "{one_pixel}"
        );
        let shifted = gain_with(|r| r.max_shift = 1.5);
        assert!(shifted.abs() <= 0.01, "{shifted}");
        let far = gain_with(|r| r.max_shift = 2.0);
        assert!(far < -0.05, "{far}");
        let rotated = gain_with(|r| r.max_rotation_degrees = 45.0);
        assert!(rotated > 0.0 && rotated < page, "{rotated} against {page}");
    }

    /// The caveat the prose gives: over seeds 1 to 5 the page's setting gains 4 to 6.5 points;
    /// with ten training digits per class the gain ranges from about −2 to +4 points.
    #[test]
    fn the_gain_depends_on_the_seed_and_the_data() {
        for (seed, without, with) in SETTING_GAINS {
            let setting = AugmentationSetting {
                seed,
                ..AugmentationSetting::default()
            };
            assert_eq!(
                finals(setting, SHOWN_UPDATES),
                (without, with),
                "seed {seed}"
            );
            assert!((0.04..=0.066).contains(&(with - without)), "seed {seed}");
        }
        let gains: Vec<f32> = (1..=5)
            .map(|seed| {
                let (without, with) = finals(
                    AugmentationSetting {
                        per_class: 10,
                        seed,
                        ..AugmentationSetting::default()
                    },
                    SHOWN_UPDATES,
                );
                with - without
            })
            .collect();
        let (lo, hi) = gains
            .iter()
            .fold((f32::MAX, f32::MIN), |a, &g| (a.0.min(g), a.1.max(g)));
        assert!(
            (-0.025..-0.01).contains(&lo) && (0.035..0.045).contains(&hi),
            "{gains:?}"
        );
    }
    /// Try this (augmentation): with shifts of up to two pixels, the augmented network's
    /// validation accuracy is below the other's at every record of the run.
    #[test]
    fn try_this_two_pixel_shifts_hurt_all_along() {
        let mut demo = AugmentationDemo::new(
            AugmentationSetting {
                ranges: AugmentRanges {
                    max_shift: 2.0,
                    ..AugmentationSetting::RANGES
                },
                ..AugmentationSetting::default()
            },
            &digits(),
        )
        .unwrap();
        while demo.steps() < SHOWN_UPDATES {
            demo.step(20).unwrap();
            let at = demo.steps();
            let [plain, augmented] = demo.runs().each_ref().map(|r| *r.latest().unwrap());
            assert!(
                augmented.validation_accuracy < plain.validation_accuracy,
                "at {at}: {plain:?} {augmented:?}"
            );
        }
        assert_eq!(demo.steps(), SHOWN_UPDATES);
    }
}
