//! Datasets: what the page trains on, and the tools to split, batch and transform them.
//!
//! Everything here is seeded through the [`Rng`](crate::rng::Rng) passed in, so the same seed always
//! gives the same points, the same split and the same batches.
//!
//! - [`Dataset`] holds inputs, targets and (for classification) integer labels, with its [`Task`].
//! - [`two_d`] makes the TensorFlow-Playground-style 2-D classification sets and the workload spiral.
//! - [`regression`] makes the Playground's regression sets and sparse linear problems.
//! - [`digits`] reads scikit-learn's 8×8 handwritten digits.
//! - [`sequence`] makes a tiny reverse/sort task of digit sequences for the transformer section.
//! - [`split`] divides a dataset into train, validation and a test part that cannot be trained on.
//! - [`batch`] copies mini-batches into reused buffers and plans epochs.
//! - [`features`] builds the Playground's input features (x₁², sin x₁, …).
//! - [`augment`] rotates, shifts, zooms, blurs and adds noise to small images.
//! - [`csv`] reads and writes 2-D datasets as CSV text.

pub mod augment;
pub mod batch;
pub mod csv;
pub mod digits;
pub mod features;
pub mod regression;
pub mod sequence;
pub mod split;
pub mod two_d;

use crate::error::{EngineError, Result};
use crate::rng::Rng;
use crate::tensor::{Matrix, Shape, check_finite};

pub use batch::{BatchBuffer, EpochPlan, Order, copy_rows, workload_rows};
pub use split::{Split, SplitFractions, SplitIndices, TestSet};

/// The largest number of samples a generator will make, so a typed-in size cannot exhaust memory.
pub const MAX_SAMPLES: usize = 100_000;

/// The largest number of classes a classification dataset may have.
pub const MAX_CLASSES: usize = 100;

/// What a dataset asks the model to predict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Two classes; the target is one column holding 0 or 1 (the class label).
    Binary,
    /// `classes` classes; the target is one-hot, `classes` columns wide.
    Multiclass {
        /// The number of classes (at least 2).
        classes: usize,
    },
    /// Real values; the target holds them, one column per output.
    Regression,
}

impl Task {
    /// The number of classes, or `None` for regression.
    pub fn classes(&self) -> Option<usize> {
        match *self {
            Task::Binary => Some(2),
            Task::Multiclass { classes } => Some(classes),
            Task::Regression => None,
        }
    }

    /// Whether the task is classification (binary or multiclass).
    pub fn is_classification(&self) -> bool {
        !matches!(self, Task::Regression)
    }
}

/// A set of samples: inputs `x` (`n × d`), targets (`n × k`) and, for classification, labels.
///
/// Targets follow the task: a 0/1 column for [`Task::Binary`], one-hot rows for
/// [`Task::Multiclass`], the values themselves for [`Task::Regression`]. Labels are the integer
/// classes `0..classes` (present exactly when the task is classification). Every value is finite,
/// and there is at least one sample. The sample shape tells layers how to read a row of `x`
/// (a flat vector, or an image stored channel by channel, row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    x: Matrix,
    targets: Matrix,
    labels: Option<Vec<usize>>,
    task: Task,
    sample_shape: Shape,
}

impl Dataset {
    /// A two-class dataset from inputs and labels in `{0, 1}`; the target is the label as 0/1.
    pub fn binary(x: Matrix, labels: Vec<usize>) -> Result<Self> {
        check_inputs(&x, labels.len())?;
        if let Some(i) = labels.iter().position(|&l| l > 1) {
            return Err(EngineError::Invalid(format!(
                "label {} of sample {i} is not a binary class (0 or 1)",
                labels[i]
            )));
        }
        let targets = Matrix::from_fn(labels.len(), 1, |r, _| labels[r] as f32);
        Ok(Self {
            sample_shape: Shape::Flat(x.ncols()),
            x,
            targets,
            labels: Some(labels),
            task: Task::Binary,
        })
    }

    /// A dataset of `classes` classes from inputs and labels in `0..classes`; the target is one-hot.
    pub fn multiclass(x: Matrix, labels: Vec<usize>, classes: usize) -> Result<Self> {
        check_inputs(&x, labels.len())?;
        if !(2..=MAX_CLASSES).contains(&classes) {
            return Err(EngineError::hyper(
                "number of classes",
                classes,
                &format!("it must be from 2 to {MAX_CLASSES}"),
            ));
        }
        if let Some(i) = labels.iter().position(|&l| l >= classes) {
            return Err(EngineError::Invalid(format!(
                "label {} of sample {i} is not one of the {classes} classes 0..{}",
                labels[i],
                classes - 1
            )));
        }
        let targets = one_hot(&labels, classes);
        Ok(Self {
            sample_shape: Shape::Flat(x.ncols()),
            x,
            targets,
            labels: Some(labels),
            task: Task::Multiclass { classes },
        })
    }

    /// A regression dataset: inputs `x` (`n × d`) and target values `y` (`n × k`).
    pub fn regression(x: Matrix, y: Matrix) -> Result<Self> {
        check_inputs(&x, y.nrows())?;
        if y.ncols() == 0 {
            return Err(EngineError::Empty {
                what: "regression targets".to_owned(),
            });
        }
        check_finite("regression targets", &y)?;
        Ok(Self {
            sample_shape: Shape::Flat(x.ncols()),
            x,
            targets: y,
            labels: None,
            task: Task::Regression,
        })
    }

    /// The same data with each row read as a sample of `shape` (its size must be the row width).
    pub fn with_sample_shape(mut self, shape: Shape) -> Result<Self> {
        if shape.size() != self.x.ncols() {
            return Err(EngineError::ShapeMismatch {
                what: "dataset sample shape".to_owned(),
                expected: format!("{} values per sample", self.x.ncols()),
                got: format!("{shape} ({} values)", shape.size()),
            });
        }
        self.sample_shape = shape;
        Ok(self)
    }

    /// The inputs, one sample per row (`n × d`).
    pub fn x(&self) -> &Matrix {
        &self.x
    }

    /// The targets, one sample per row (`n × k`, see [`Dataset`] for their form).
    pub fn targets(&self) -> &Matrix {
        &self.targets
    }

    /// The integer class of each sample, or `None` for regression.
    pub fn labels(&self) -> Option<&[usize]> {
        self.labels.as_deref()
    }

    /// What is predicted.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The shape of one sample (the layout of a row of `x`).
    pub fn sample_shape(&self) -> Shape {
        self.sample_shape
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether there are no samples (never true for a constructed dataset).
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }

    /// The number of input values per sample (`d`).
    pub fn input_dim(&self) -> usize {
        self.x.ncols()
    }

    /// The number of target values per sample (`k`).
    pub fn target_dim(&self) -> usize {
        self.targets.ncols()
    }

    /// How many samples each class has (`None` for regression).
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        let classes = self.task.classes()?;
        let mut counts = vec![0; classes];
        for &l in self.labels.as_deref()? {
            if let Some(c) = counts.get_mut(l) {
                *c += 1;
            }
        }
        Some(counts)
    }

    /// For a binary dataset, the targets as ±1 (class 1 → +1, class 0 → −1), the Playground's form
    /// for a tanh output; `None` for other tasks.
    pub fn signed_targets(&self) -> Option<Matrix> {
        (self.task == Task::Binary).then(|| self.targets.map(|t| 2.0 * t - 1.0))
    }

    /// The dataset as a multiclass one with one-hot targets (a binary set becomes two classes, for a
    /// softmax output); errors for regression.
    pub fn to_multiclass(&self) -> Result<Self> {
        match (self.task, &self.labels) {
            (Task::Binary, Some(labels)) => Ok(Self {
                x: self.x.clone(),
                targets: one_hot(labels, 2),
                labels: Some(labels.clone()),
                task: Task::Multiclass { classes: 2 },
                sample_shape: self.sample_shape,
            }),
            (Task::Multiclass { .. }, _) => Ok(self.clone()),
            _ => Err(EngineError::Invalid(
                "a regression dataset has no classes to one-hot encode".to_owned(),
            )),
        }
    }

    /// A new dataset of the given rows, in the given order (rows may repeat).
    pub fn subset(&self, rows: &[usize]) -> Result<Self> {
        if rows.is_empty() {
            return Err(EngineError::Empty {
                what: "the row selection".to_owned(),
            });
        }
        let mut x = Matrix::zeros(0, 0);
        let mut targets = Matrix::zeros(0, 0);
        copy_rows(&self.x, rows, &mut x)?;
        copy_rows(&self.targets, rows, &mut targets)?;
        let labels = self.labels.as_ref().map(|l| {
            rows.iter()
                .map(|&r| l.get(r).copied().unwrap_or(0))
                .collect()
        });
        Ok(Self {
            x,
            targets,
            labels,
            task: self.task,
            sample_shape: self.sample_shape,
        })
    }

    /// The samples in a Fisher–Yates order drawn from `rng` (see [`Rng::shuffle`]): row `i` of the
    /// result is row `order[i]` of this dataset, where `order` is `0..n` shuffled.
    pub fn shuffled(&self, rng: &mut Rng) -> Self {
        let order = shuffled_order(self.len(), rng);
        Self {
            x: gather_rows(&self.x, &order),
            targets: gather_rows(&self.targets, &order),
            labels: self
                .labels
                .as_ref()
                .map(|l| order.iter().map(|&r| l[r]).collect()),
            task: self.task,
            sample_shape: self.sample_shape,
        }
    }

    /// This dataset's samples followed by `other`'s; both must have the same task and shapes.
    pub fn concat(&self, other: &Self) -> Result<Self> {
        if self.task != other.task || self.sample_shape != other.sample_shape {
            return Err(EngineError::Invalid(format!(
                "cannot join a {:?} dataset of samples {} with a {:?} dataset of samples {}",
                self.task, self.sample_shape, other.task, other.sample_shape
            )));
        }
        if self.target_dim() != other.target_dim() {
            return Err(EngineError::shape(
                "targets of the joined dataset",
                (other.len(), self.target_dim()),
                other.targets.shape(),
            ));
        }
        let stack = |a: &Matrix, b: &Matrix| {
            Matrix::from_fn(a.nrows() + b.nrows(), a.ncols(), |r, c| {
                if r < a.nrows() {
                    a[(r, c)]
                } else {
                    b[(r - a.nrows(), c)]
                }
            })
        };
        Ok(Self {
            x: stack(&self.x, &other.x),
            targets: stack(&self.targets, &other.targets),
            labels: match (&self.labels, &other.labels) {
                (Some(a), Some(b)) => Some(a.iter().chain(b).copied().collect()),
                _ => None,
            },
            task: self.task,
            sample_shape: self.sample_shape,
        })
    }

    /// Splits the dataset into its inputs, targets and labels.
    pub fn into_parts(self) -> (Matrix, Matrix, Option<Vec<usize>>) {
        (self.x, self.targets, self.labels)
    }
}

/// Checks that `x` is non-empty, finite and has `rows` rows.
fn check_inputs(x: &Matrix, rows: usize) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(EngineError::Empty {
            what: "dataset inputs".to_owned(),
        });
    }
    if x.nrows() != rows {
        return Err(EngineError::Invalid(format!(
            "the dataset has {} input rows but {rows} targets",
            x.nrows()
        )));
    }
    check_finite("dataset inputs", x)
}

/// One-hot rows for `labels` (each must be below `classes`).
fn one_hot(labels: &[usize], classes: usize) -> Matrix {
    Matrix::from_fn(labels.len(), classes, |r, c| {
        if labels[r] == c { 1.0 } else { 0.0 }
    })
}

/// `0..n` in the Fisher–Yates order [`Rng::shuffle`] draws.
fn shuffled_order(n: usize, rng: &mut Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    order
}

/// The rows of `m` listed in `order` (every entry must be a valid row).
fn gather_rows(m: &Matrix, order: &[usize]) -> Matrix {
    Matrix::from_fn(order.len(), m.ncols(), |r, c| m[(order[r], c)])
}

/// Checks a generator's sample count `n` against `min..=MAX_SAMPLES`.
fn check_samples(n: usize, min: usize) -> Result<usize> {
    if (min..=MAX_SAMPLES).contains(&n) {
        Ok(n)
    } else {
        Err(EngineError::hyper(
            "number of samples",
            n,
            &format!("it must be from {min} to {MAX_SAMPLES}"),
        ))
    }
}

/// Builds an `n × 2` matrix from `f64` points, rounding each coordinate once to `f32`.
fn points_matrix(points: &[[f64; 2]]) -> Matrix {
    Matrix::from_fn(points.len(), 2, |r, c| points[r][c] as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::from_rows;

    fn small() -> Dataset {
        let x = from_rows(&[vec![0.0, 1.0], vec![2.0, 3.0], vec![4.0, 5.0]]).unwrap();
        Dataset::multiclass(x, vec![2, 0, 1], 3).unwrap()
    }

    #[test]
    fn multiclass_targets_are_one_hot() {
        let d = small();
        assert_eq!(d.task(), Task::Multiclass { classes: 3 });
        assert_eq!(
            d.targets().row(0).iter().copied().collect::<Vec<_>>(),
            [0.0, 0.0, 1.0]
        );
        assert_eq!(d.class_counts(), Some(vec![1, 1, 1]));
    }

    #[test]
    fn binary_targets_and_signed_form() {
        let x = from_rows(&[vec![1.0], vec![2.0]]).unwrap();
        let d = Dataset::binary(x, vec![1, 0]).unwrap();
        assert_eq!(d.targets().as_slice(), &[1.0, 0.0]);
        assert_eq!(d.signed_targets().unwrap().as_slice(), &[1.0, -1.0]);
        let m = d.to_multiclass().unwrap();
        assert_eq!(m.task(), Task::Multiclass { classes: 2 });
        assert_eq!(
            crate::tensor::to_rows(m.targets()),
            [[0.0, 1.0], [1.0, 0.0]]
        );
    }

    #[test]
    fn bad_construction_is_refused() {
        let x = from_rows(&[vec![1.0], vec![2.0]]).unwrap();
        assert!(Dataset::binary(x.clone(), vec![1]).is_err());
        assert!(Dataset::binary(x.clone(), vec![1, 2]).is_err());
        assert!(Dataset::multiclass(x.clone(), vec![0, 3], 3).is_err());
        assert!(Dataset::multiclass(x.clone(), vec![0, 0], 1).is_err());
        assert!(Dataset::binary(Matrix::zeros(0, 2), vec![]).is_err());
        let nan = from_rows(&[vec![f32::NAN], vec![2.0]]).unwrap();
        assert!(Dataset::binary(nan, vec![0, 1]).is_err());
        assert!(Dataset::regression(x.clone(), Matrix::from_element(2, 1, f32::INFINITY)).is_err());
        assert!(Dataset::regression(x, Matrix::zeros(2, 0)).is_err());
    }

    #[test]
    fn subset_and_shuffle_keep_rows_together() {
        let d = small();
        let s = d.subset(&[2, 2, 0]).unwrap();
        assert_eq!(s.labels().unwrap(), &[1, 1, 2]);
        assert_eq!(s.x()[(0, 1)], 5.0);
        assert!(d.subset(&[3]).is_err());
        assert!(d.subset(&[]).is_err());
        let sh = d.shuffled(&mut Rng::new(9));
        for r in 0..3 {
            // Input row (2l', 2l'+1) was built with the label 2, 0, 1 in row order; find it back.
            let orig = (sh.x()[(r, 0)] / 2.0) as usize;
            assert_eq!(sh.labels().unwrap()[r], d.labels().unwrap()[orig]);
        }
    }

    #[test]
    fn sample_shape_must_fit_the_row() {
        let d = small();
        assert!(d.clone().with_sample_shape(Shape::Flat(3)).is_err());
        let img = Shape::Image {
            channels: 1,
            height: 1,
            width: 2,
        };
        assert_eq!(d.with_sample_shape(img).unwrap().sample_shape(), img);
    }

    proptest::proptest! {
        #[test]
        fn constructors_never_panic(
            n in 0usize..6, d in 0usize..4, k in 0usize..4, classes in 0usize..5,
            labels in proptest::collection::vec(0usize..6, 0..7),
            v in proptest::num::f32::ANY, rows in proptest::collection::vec(0usize..8, 0..6),
            seed in proptest::prelude::any::<u32>()
        ) {
            let x = Matrix::from_element(n, d, v);
            let mut made = vec![
                Dataset::binary(x.clone(), labels.clone()),
                Dataset::multiclass(x.clone(), labels.clone(), classes),
                Dataset::regression(x, Matrix::from_element(n, k, v)),
            ];
            for data in made.drain(..).flatten() {
                let _ = data.subset(&rows);
                let _ = data.to_multiclass();
                let _ = data.concat(&data.shuffled(&mut Rng::new(seed)));
                let _ = data.clone().with_sample_shape(Shape::Flat(k));
                proptest::prop_assert_eq!(data.class_counts().map(|c| c.iter().sum::<usize>()).unwrap_or(n), n);
            }
        }
    }

    #[test]
    fn concat_checks_the_task() {
        let d = small();
        let both = d.concat(&d).unwrap();
        assert_eq!(both.len(), 6);
        assert_eq!(both.labels().unwrap(), &[2, 0, 1, 2, 0, 1]);
        let x = from_rows(&[vec![1.0, 1.0]]).unwrap();
        let b = Dataset::binary(x, vec![0]).unwrap();
        assert!(d.concat(&b).is_err());
    }
}
