//! Mini-batches: copying chosen rows into reused buffers, and planning the order of an epoch.
//!
//! A training step should not allocate, so a batch is copied into a caller-owned [`Matrix`] that is
//! reallocated only when its shape changes ([`copy_rows`], [`BatchBuffer`]). Which rows form a
//! batch comes from an [`EpochPlan`] (every row once per epoch, in a fixed or freshly shuffled
//! order) or from the workload convention [`workload_rows`] (step `s` takes rows `(s·B + k) mod n`).

use crate::data::Dataset;
use crate::error::{EngineError, Result};
use crate::rng::Rng;
use crate::tensor::{Matrix, ensure_shape};

/// Copies rows `rows` of `src` (in that order, repeats allowed) into `out`, which becomes
/// `rows.len() × src.ncols()` and is reallocated only if it had another shape.
///
/// Errors, leaving `out` untouched, when a row index is not below `src.nrows()`.
pub fn copy_rows(src: &Matrix, rows: &[usize], out: &mut Matrix) -> Result<()> {
    let n = src.nrows();
    if let Some(&bad) = rows.iter().find(|&&r| r >= n) {
        return Err(EngineError::Invalid(format!(
            "row {bad} was asked for, but there are only {n} rows"
        )));
    }
    ensure_shape(out, rows.len(), src.ncols());
    if rows.is_empty() || src.ncols() == 0 {
        return Ok(());
    }
    // Both matrices are column-major: walk column by column, gathering the chosen rows.
    let b = rows.len();
    for (src_col, out_col) in src
        .as_slice()
        .chunks_exact(n)
        .zip(out.as_mut_slice().chunks_exact_mut(b))
    {
        for (o, &r) in out_col.iter_mut().zip(rows) {
            *o = src_col[r];
        }
    }
    Ok(())
}

/// Writes into `out` the rows of workload step `step`: `(step·batch + k) mod n` for `k` in
/// `0..batch` (the training-speed workloads' convention; no reshuffle between epochs). `out`'s
/// memory is reused.
pub fn workload_rows(step: usize, batch: usize, n: usize, out: &mut Vec<usize>) -> Result<()> {
    if n == 0 || batch == 0 {
        return Err(EngineError::Invalid(format!(
            "a batch of {batch} from {n} rows is empty"
        )));
    }
    // Computed in u128 so `step·batch` cannot overflow, even on a 32-bit target.
    let (s, b, n128) = (step as u128, batch as u128, n as u128);
    out.clear();
    out.extend((0..b).map(|k| ((s * b + k) % n128) as usize));
    Ok(())
}

/// Reused buffers holding one mini-batch of a dataset: its inputs, targets and labels.
#[derive(Debug, Clone, Default)]
pub struct BatchBuffer {
    x: Matrix,
    targets: Matrix,
    labels: Vec<usize>,
    rows: Vec<usize>,
}

impl BatchBuffer {
    /// Empty buffers; the first [`fill`](Self::fill) sizes them.
    pub fn new() -> Self {
        Self::default()
    }

    /// Copies rows `rows` of `data` into the buffers (allocating only when the batch size or the
    /// dataset's widths change). Errors for an empty batch or a row out of range.
    pub fn fill(&mut self, data: &Dataset, rows: &[usize]) -> Result<()> {
        if rows.is_empty() {
            return Err(EngineError::Empty {
                what: "the batch".to_owned(),
            });
        }
        copy_rows(data.x(), rows, &mut self.x)?;
        copy_rows(data.targets(), rows, &mut self.targets)?;
        self.labels.clear();
        if let Some(labels) = data.labels() {
            self.labels
                .extend(rows.iter().map(|&r| labels.get(r).copied().unwrap_or(0)));
        }
        Ok(())
    }

    /// Fills the buffers with workload step `step` of size `batch` (see [`workload_rows`]).
    pub fn fill_step(&mut self, data: &Dataset, step: usize, batch: usize) -> Result<()> {
        let mut rows = std::mem::take(&mut self.rows);
        let result =
            workload_rows(step, batch, data.len(), &mut rows).and_then(|()| self.fill(data, &rows));
        self.rows = rows;
        result
    }

    /// The batch's inputs (`batch × d`).
    pub fn x(&self) -> &Matrix {
        &self.x
    }

    /// The batch's targets (`batch × k`).
    pub fn targets(&self) -> &Matrix {
        &self.targets
    }

    /// The batch's class labels (empty for regression).
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The number of samples in the batch.
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    /// Whether the buffers hold no batch yet.
    pub fn is_empty(&self) -> bool {
        self.x.nrows() == 0
    }
}

/// The order of rows within each epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Always `0, 1, …, n−1`.
    Fixed,
    /// A fresh Fisher–Yates shuffle of `0..n` at the start of every epoch.
    Shuffled,
}

/// Plans epochs: every row once per epoch, cut into batches of `batch_size`.
///
/// The order lives in one buffer that each epoch refills in place, so planning allocates nothing
/// after construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochPlan {
    order: Vec<usize>,
    batch_size: usize,
    ordering: Order,
    drop_last: bool,
    epoch: usize,
}

impl EpochPlan {
    /// A plan for `n` rows in batches of `batch_size` (1 to `n`). With `drop_last`, a final batch
    /// smaller than `batch_size` is skipped (so every step sees the same batch size).
    pub fn new(n: usize, batch_size: usize, ordering: Order, drop_last: bool) -> Result<Self> {
        if n == 0 {
            return Err(EngineError::Empty {
                what: "the dataset to batch".to_owned(),
            });
        }
        if !(1..=n).contains(&batch_size) {
            return Err(EngineError::hyper(
                "batch size",
                batch_size,
                &format!("it must be from 1 to the number of samples, {n}"),
            ));
        }
        Ok(Self {
            order: (0..n).collect(),
            batch_size,
            ordering,
            drop_last,
            epoch: 0,
        })
    }

    /// Starts the next epoch (reshuffling when the order is [`Order::Shuffled`]; a fixed order
    /// draws nothing from `rng`) and returns its batches.
    pub fn next_epoch(&mut self, rng: &mut Rng) -> Batches<'_> {
        if self.ordering == Order::Shuffled {
            for (i, slot) in self.order.iter_mut().enumerate() {
                *slot = i;
            }
            rng.shuffle(&mut self.order);
        }
        self.epoch += 1;
        self.batches()
    }

    /// The batches of the current epoch (the identity order before the first
    /// [`next_epoch`](Self::next_epoch)).
    pub fn batches(&self) -> Batches<'_> {
        Batches {
            rest: &self.order,
            size: self.batch_size,
            drop_last: self.drop_last,
        }
    }

    /// The current epoch's row order.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// How many epochs have been started.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The number of batches (steps) in one epoch.
    pub fn batches_per_epoch(&self) -> usize {
        if self.drop_last {
            self.order.len() / self.batch_size
        } else {
            self.order.len().div_ceil(self.batch_size)
        }
    }
}

/// The batches of one epoch, each a slice of row indices.
#[derive(Debug, Clone)]
pub struct Batches<'a> {
    rest: &'a [usize],
    size: usize,
    drop_last: bool,
}

impl<'a> Iterator for Batches<'a> {
    type Item = &'a [usize];

    fn next(&mut self) -> Option<&'a [usize]> {
        if self.rest.is_empty() || (self.drop_last && self.rest.len() < self.size) {
            return None;
        }
        let (batch, rest) = self.rest.split_at(self.size.min(self.rest.len()));
        self.rest = rest;
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use crate::tensor::{from_rows, to_rows};
    use proptest::prelude::*;

    fn data() -> Dataset {
        // Row r is (r, 10·r), label r mod 2.
        let x = Matrix::from_fn(5, 2, |r, c| (r * (1 + 9 * c)) as f32);
        Dataset::binary(x, vec![0, 1, 0, 1, 0]).unwrap()
    }

    #[test]
    fn copies_rows_in_order() {
        let src = from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]]).unwrap();
        let mut out = Matrix::zeros(0, 0);
        copy_rows(&src, &[2, 0, 2], &mut out).unwrap();
        assert_eq!(to_rows(&out), [[5.0, 6.0], [1.0, 2.0], [5.0, 6.0]]);
        assert!(copy_rows(&src, &[3], &mut out).is_err());
        assert_eq!(out.shape(), (3, 2), "a failed copy leaves the buffer alone");
        copy_rows(&src, &[], &mut out).unwrap();
        assert_eq!(out.shape(), (0, 2));
    }

    #[test]
    fn buffer_is_reused_when_the_shape_matches() {
        let d = data();
        let mut buf = BatchBuffer::new();
        buf.fill(&d, &[3, 1]).unwrap();
        let ptr = buf.x().as_slice().as_ptr();
        buf.fill(&d, &[4, 0]).unwrap();
        assert_eq!(buf.x().as_slice().as_ptr(), ptr);
        assert_eq!(to_rows(buf.x()), [[4.0, 40.0], [0.0, 0.0]]);
        assert_eq!(buf.targets().as_slice(), &[0.0, 0.0]);
        assert_eq!(buf.labels(), &[0, 0]);
        assert!(buf.fill(&d, &[]).is_err());
    }

    #[test]
    fn workload_steps_wrap_around() {
        // n = 5, B = 2: step 0 → 0, 1; step 2 → 4, 0 (4 + 1 = 5 wraps); step 7 → 14, 15 → 4, 0.
        let mut rows = Vec::new();
        workload_rows(0, 2, 5, &mut rows).unwrap();
        assert_eq!(rows, [0, 1]);
        workload_rows(2, 2, 5, &mut rows).unwrap();
        assert_eq!(rows, [4, 0]);
        workload_rows(7, 2, 5, &mut rows).unwrap();
        assert_eq!(rows, [4, 0]);
        // A batch larger than n repeats rows: step 1 of B = 7 starts at 7 mod 5 = 2.
        workload_rows(1, 7, 5, &mut rows).unwrap();
        assert_eq!(rows, [2, 3, 4, 0, 1, 2, 3]);
        assert!(workload_rows(0, 0, 5, &mut rows).is_err());
        assert!(workload_rows(0, 2, 0, &mut rows).is_err());
        // No overflow at the largest step: (usize::MAX·2 + k) mod 3 by hand through u128.
        workload_rows(usize::MAX, 2, 3, &mut rows).unwrap();
        let want = ((usize::MAX as u128 * 2) % 3) as usize;
        assert_eq!(rows[0], want);
        let mut buf = BatchBuffer::new();
        buf.fill_step(&data(), 2, 2).unwrap();
        assert_eq!(buf.labels(), &[0, 0]);
        assert_eq!(buf.x()[(0, 0)], 4.0);
    }

    #[test]
    fn epochs_cover_every_row_once() {
        let mut plan = EpochPlan::new(7, 3, Order::Shuffled, false).unwrap();
        assert_eq!(plan.batches_per_epoch(), 3);
        let mut rng = Rng::new(4);
        let first: Vec<Vec<usize>> = plan.next_epoch(&mut rng).map(<[usize]>::to_vec).collect();
        assert_eq!(first.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
        let mut seen: Vec<usize> = first.concat();
        seen.sort_unstable();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        // The epoch order is 0..7 shuffled with the same generator state.
        let mut want: Vec<usize> = (0..7).collect();
        Rng::new(4).shuffle(&mut want);
        assert_eq!(first.concat(), want);
        let second: Vec<usize> = plan.next_epoch(&mut rng).flatten().copied().collect();
        assert_ne!(second, want);
        assert_eq!(plan.epoch(), 2);
    }

    #[test]
    fn fixed_order_and_drop_last() {
        let mut plan = EpochPlan::new(7, 3, Order::Fixed, true).unwrap();
        assert_eq!(plan.batches_per_epoch(), 2);
        let mut rng = Rng::new(0);
        let batches: Vec<&[usize]> = plan.next_epoch(&mut rng).collect();
        assert_eq!(batches, [&[0, 1, 2][..], &[3, 4, 5][..]]);
        assert_eq!(rng, Rng::new(0), "a fixed order draws nothing");
        assert!(EpochPlan::new(0, 1, Order::Fixed, false).is_err());
        assert!(EpochPlan::new(5, 6, Order::Fixed, false).is_err());
        assert!(EpochPlan::new(5, 0, Order::Fixed, false).is_err());
    }

    proptest! {
        #[test]
        fn copy_never_panics(
            n in 0usize..6, d in 0usize..4, rows in prop::collection::vec(0usize..8, 0..10)
        ) {
            let src = Matrix::from_fn(n, d, |r, c| (r * 10 + c) as f32);
            let mut out = Matrix::zeros(1, 1);
            if copy_rows(&src, &rows, &mut out).is_ok() {
                for (k, &r) in rows.iter().enumerate() {
                    for c in 0..d {
                        prop_assert_eq!(out[(k, c)], src[(r, c)]);
                    }
                }
            }
        }

        #[test]
        fn plans_never_panic(n in 0usize..50, b in 0usize..60, step in any::<usize>(), seed in any::<u32>()) {
            if let Ok(mut plan) = EpochPlan::new(n, b, Order::Shuffled, seed % 2 == 0) {
                let total: usize = plan.next_epoch(&mut Rng::new(seed)).map(<[usize]>::len).sum();
                prop_assert!(total <= n);
            }
            let mut rows = Vec::new();
            if workload_rows(step, b, n, &mut rows).is_ok() {
                prop_assert!(rows.iter().all(|&r| r < n));
            }
        }
    }
}
