//! A tiny sequence task for the transformer section: reverse, or sort, a short string of digits.
//!
//! Each output position needs a token from somewhere else in the input (reversing maps position `i`
//! to `L−1−i`; sorting needs to compare every digit with every other), so a model that looks at each
//! position alone cannot solve it, while one attention layer with position information can.
//!
//! # Token layout
//! The vocabulary has [`VOCAB_SIZE`] = 12 ids:
//!
//! | id | token | shown as |
//! |---|---|---|
//! | 0–9 | the digits 0 to 9 | `0` … `9` |
//! | 10 | [`START`], begins a sequence | `<s>` |
//! | 11 | [`SEP`], separates the question from the answer | `|` |
//!
//! A task uses the digits `0..alphabet` (2 to 10 of them) in sequences of `length` (1 to 16). For a
//! question `d₁ … d_L` with answer `o₁ … o_L`, the two layouts are:
//!
//! - [`Layout::Aligned`] (an encoder predicting every position at once): input `d₁ … d_L`, target
//!   `o₁ … o_L`; every target position counts in the loss.
//! - [`Layout::NextToken`] (a causal decoder trained on next-token prediction): the full sequence is
//!   `<s> d₁ … d_L | o₁ … o_L` (length `2L + 2`); the input is all of it but the last token and the
//!   target all of it but the first (length `2L + 1` each). Only the last `L` target positions, the
//!   answer, count in the loss ([`SequenceSet::loss_mask`]); the others (predicting the random
//!   question) are masked out.

use crate::error::{EngineError, Result};
use crate::rng::Rng;
use crate::tensor::Matrix;
use std::collections::HashSet;

/// The number of digit tokens (ids 0 to 9).
pub const DIGITS: usize = 10;
/// The id of the start token `<s>`.
pub const START: usize = 10;
/// The id of the separator `|` between question and answer.
pub const SEP: usize = 11;
/// The number of token ids.
pub const VOCAB_SIZE: usize = 12;
/// The longest question.
pub const MAX_LENGTH: usize = 16;
/// The most sequences one call generates (training and test together).
pub const MAX_SEQUENCES: usize = 100_000;

/// How a token id is shown: `0` … `9`, `<s>`, `|`, or `?` for an id outside the vocabulary.
pub fn token_label(id: usize) -> &'static str {
    const LABELS: [&str; VOCAB_SIZE] =
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "<s>", "|"];
    LABELS.get(id).copied().unwrap_or("?")
}

/// What the answer to a question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceTask {
    /// The question's digits in reverse order.
    Reverse,
    /// The question's digits in increasing order.
    Sort,
}

impl SequenceTask {
    /// The answer to `question`.
    pub fn answer(&self, question: &[usize]) -> Vec<usize> {
        let mut out = question.to_vec();
        match self {
            SequenceTask::Reverse => out.reverse(),
            SequenceTask::Sort => out.sort_unstable(),
        }
        out
    }
}

/// How question and answer are laid out as input and target ids (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Input = question, target = answer, position by position.
    Aligned,
    /// Input and target are `<s> question | answer` shifted by one token.
    NextToken,
}

/// Which sequences to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceConfig {
    /// Reverse or sort.
    pub task: SequenceTask,
    /// The question length `L` (1 to 16).
    pub length: usize,
    /// The digits used, `0..alphabet` (2 to 10).
    pub alphabet: usize,
    /// The input/target layout.
    pub layout: Layout,
}

impl SequenceConfig {
    /// Checks the length and alphabet, naming the bad one.
    pub fn check(&self) -> Result<()> {
        if !(1..=MAX_LENGTH).contains(&self.length) {
            return Err(EngineError::hyper(
                "sequence length",
                self.length,
                &format!("it must be from 1 to {MAX_LENGTH}"),
            ));
        }
        if !(2..=DIGITS).contains(&self.alphabet) {
            return Err(EngineError::hyper(
                "number of digits",
                self.alphabet,
                "it must be from 2 to 10",
            ));
        }
        Ok(())
    }

    /// The number of ids in one input.
    pub fn input_len(&self) -> usize {
        match self.layout {
            Layout::Aligned => self.length,
            Layout::NextToken => 2 * self.length + 1,
        }
    }

    /// The number of ids in one target (equal to the input's).
    pub fn target_len(&self) -> usize {
        self.input_len()
    }

    /// How many distinct questions exist: `alphabet^length` (at most 10¹⁶, so it fits in `u64`).
    pub fn question_count(&self) -> u64 {
        (self.alphabet as u64).saturating_pow(self.length as u32)
    }

    /// Per target position, whether it counts in the loss.
    pub fn loss_mask(&self) -> Vec<bool> {
        match self.layout {
            Layout::Aligned => vec![true; self.length],
            Layout::NextToken => (0..self.target_len()).map(|j| j > self.length).collect(),
        }
    }

    /// The question whose base-`alphabet` number (most significant digit first) is `code`.
    fn decode(&self, mut code: u64, out: &mut [usize]) {
        let a = self.alphabet as u64;
        for slot in out.iter_mut().rev() {
            *slot = (code % a) as usize;
            code /= a;
        }
    }

    /// The number of `question`, the inverse of `decode`.
    fn encode(&self, question: &[usize]) -> u64 {
        question
            .iter()
            .fold(0, |code, &d| code * self.alphabet as u64 + d as u64)
    }
}

/// Examples of one task: input and target ids, stored flat, example after example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceSet {
    config: SequenceConfig,
    inputs: Vec<usize>,
    targets: Vec<usize>,
    mask: Vec<bool>,
}

impl SequenceSet {
    /// An empty set for `config`.
    fn new(config: SequenceConfig, capacity: usize) -> Self {
        Self {
            config,
            inputs: Vec::with_capacity(capacity * config.input_len()),
            targets: Vec::with_capacity(capacity * config.target_len()),
            mask: config.loss_mask(),
        }
    }

    /// Appends the example for `question`.
    fn push(&mut self, question: &[usize]) {
        let answer = self.config.task.answer(question);
        match self.config.layout {
            Layout::Aligned => {
                self.inputs.extend_from_slice(question);
                self.targets.extend_from_slice(&answer);
            }
            Layout::NextToken => {
                self.inputs.push(START);
                self.inputs.extend_from_slice(question);
                self.inputs.push(SEP);
                self.inputs
                    .extend_from_slice(&answer[..answer.len().saturating_sub(1)]);
                self.targets.extend_from_slice(question);
                self.targets.push(SEP);
                self.targets.extend_from_slice(&answer);
            }
        }
    }

    /// The task, sizes and layout.
    pub fn config(&self) -> SequenceConfig {
        self.config
    }

    /// The number of examples.
    pub fn len(&self) -> usize {
        self.inputs.len() / self.config.input_len().max(1)
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// The input ids of example `i` (`None` past the end).
    pub fn input(&self, i: usize) -> Option<&[usize]> {
        let w = self.config.input_len();
        self.inputs.get(i * w..(i + 1) * w)
    }

    /// The target ids of example `i` (`None` past the end).
    pub fn target(&self, i: usize) -> Option<&[usize]> {
        let w = self.config.target_len();
        self.targets.get(i * w..(i + 1) * w)
    }

    /// The question (digits only) of example `i` (`None` past the end).
    pub fn question(&self, i: usize) -> Option<&[usize]> {
        let input = self.input(i)?;
        match self.config.layout {
            Layout::Aligned => Some(input),
            Layout::NextToken => input.get(1..=self.config.length),
        }
    }

    /// All target ids, example after example (`len × target_len`), as class labels for a loss.
    pub fn target_ids(&self) -> &[usize] {
        &self.targets
    }

    /// Per target position, whether it counts in the loss (the same for every example).
    pub fn loss_mask(&self) -> &[bool] {
        &self.mask
    }

    /// The inputs as a matrix of ids (`len × input_len`, each id as an `f32`), one example per
    /// row, for an embedding layer.
    pub fn input_matrix(&self) -> Matrix {
        let w = self.config.input_len();
        Matrix::from_fn(self.len(), w, |r, c| self.inputs[r * w + c] as f32)
    }

    /// The targets as a matrix of ids (`len × target_len`, each id as an `f32`).
    pub fn target_matrix(&self) -> Matrix {
        let w = self.config.target_len();
        Matrix::from_fn(self.len(), w, |r, c| self.targets[r * w + c] as f32)
    }
}

/// A training set and a held-out test set that share no question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceSplit {
    /// The examples to train on.
    pub train: SequenceSet,
    /// The held-out examples; none of their questions appears in `train`.
    pub test: SequenceSet,
}

/// Makes `n_train` training and `n_test` test examples with all questions distinct.
///
/// Questions are drawn digit by digit with `rng.index(alphabet)`, a repeat being drawn again;
/// training questions come first, then test ones. When the examples asked for are more than half
/// of all possible questions, every question is listed instead, shuffled with [`Rng::shuffle`],
/// and the first `n_train` train and the next `n_test` test. Errors when more examples are asked
/// for than there are questions (or than [`MAX_SEQUENCES`]), or when `n_train` is 0.
pub fn generate(
    config: SequenceConfig,
    n_train: usize,
    n_test: usize,
    rng: &mut Rng,
) -> Result<SequenceSplit> {
    config.check()?;
    let total = n_train.saturating_add(n_test);
    if n_train == 0 || total > MAX_SEQUENCES {
        return Err(EngineError::Invalid(format!(
            "asked for {n_train} training and {n_test} test sequences; there must be at least one \
             training sequence and at most {MAX_SEQUENCES} in all"
        )));
    }
    let space = config.question_count();
    if total as u64 > space {
        return Err(EngineError::Invalid(format!(
            "only {space} distinct questions of length {} over {} digits exist, fewer than the \
             {total} asked for",
            config.length, config.alphabet
        )));
    }
    let mut train = SequenceSet::new(config, n_train);
    let mut test = SequenceSet::new(config, n_test);
    let mut question = vec![0; config.length];
    if 2 * total as u64 > space {
        // Here space < 2·MAX_SEQUENCES, so every question can be listed.
        let mut codes: Vec<u64> = (0..space).collect();
        rng.shuffle(&mut codes);
        for (k, &code) in codes.iter().take(total).enumerate() {
            config.decode(code, &mut question);
            if k < n_train {
                train.push(&question);
            } else {
                test.push(&question);
            }
        }
    } else {
        let mut seen = HashSet::with_capacity(total);
        while seen.len() < total {
            for d in question.iter_mut() {
                *d = rng.index(config.alphabet);
            }
            if seen.insert(config.encode(&question)) {
                if seen.len() <= n_train {
                    train.push(&question);
                } else {
                    test.push(&question);
                }
            }
        }
    }
    Ok(SequenceSplit { train, test })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;

    fn config(task: SequenceTask, layout: Layout) -> SequenceConfig {
        SequenceConfig {
            task,
            length: 4,
            alphabet: 10,
            layout,
        }
    }

    #[test]
    fn answers_by_hand() {
        assert_eq!(SequenceTask::Reverse.answer(&[3, 1, 2]), [2, 1, 3]);
        assert_eq!(SequenceTask::Sort.answer(&[3, 1, 2, 1]), [1, 1, 2, 3]);
    }

    #[test]
    fn layouts_by_hand() {
        let c = SequenceConfig {
            length: 3,
            ..config(SequenceTask::Reverse, Layout::NextToken)
        };
        let mut set = SequenceSet::new(c, 1);
        set.push(&[3, 1, 2]);
        // <s> 3 1 2 | 2 1 3, shifted by one: input drops the last token, target the first.
        assert_eq!(set.input(0).unwrap(), &[START, 3, 1, 2, SEP, 2, 1]);
        assert_eq!(set.target(0).unwrap(), &[3, 1, 2, SEP, 2, 1, 3]);
        assert_eq!(
            set.loss_mask(),
            &[false, false, false, false, true, true, true]
        );
        assert_eq!(set.question(0).unwrap(), &[3, 1, 2]);
        let labels: Vec<&str> = set
            .input(0)
            .unwrap()
            .iter()
            .map(|&t| token_label(t))
            .collect();
        assert_eq!(labels.concat(), "<s>312|21");
        let c = SequenceConfig {
            length: 3,
            ..config(SequenceTask::Sort, Layout::Aligned)
        };
        let mut set = SequenceSet::new(c, 1);
        set.push(&[3, 1, 2]);
        assert_eq!(set.input(0).unwrap(), &[3, 1, 2]);
        assert_eq!(set.target(0).unwrap(), &[1, 2, 3]);
        assert_eq!(set.input_matrix()[(0, 0)], 3.0);
        assert_eq!(set.target_matrix()[(0, 2)], 3.0);
        assert!(set.input(1).is_none());
    }

    #[test]
    fn held_out_questions_are_new_and_runs_repeat() {
        for layout in [Layout::Aligned, Layout::NextToken] {
            let c = config(SequenceTask::Sort, layout);
            let s = generate(c, 500, 100, &mut Rng::new(7)).unwrap();
            assert_eq!((s.train.len(), s.test.len()), (500, 100));
            let train: HashSet<&[usize]> = (0..500).map(|i| s.train.question(i).unwrap()).collect();
            assert_eq!(train.len(), 500);
            assert!((0..100).all(|i| !train.contains(s.test.question(i).unwrap())));
            for i in 0..100 {
                let q = s.test.question(i).unwrap();
                assert!(q.iter().all(|&d| d < 10));
            }
            assert_eq!(s, generate(c, 500, 100, &mut Rng::new(7)).unwrap());
        }
    }

    #[test]
    fn small_spaces_are_listed() {
        // Two digits, length 3: exactly 8 questions, all used.
        let c = SequenceConfig {
            task: SequenceTask::Reverse,
            length: 3,
            alphabet: 2,
            layout: Layout::Aligned,
        };
        let s = generate(c, 6, 2, &mut Rng::new(1)).unwrap();
        let mut all: Vec<Vec<usize>> = (0..6)
            .map(|i| s.train.input(i).unwrap().to_vec())
            .chain((0..2).map(|i| s.test.input(i).unwrap().to_vec()))
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 8);
        assert!(generate(c, 6, 3, &mut Rng::new(1)).is_err());
    }

    #[test]
    fn bad_configs_are_refused() {
        let mut rng = Rng::new(0);
        let c = config(SequenceTask::Reverse, Layout::Aligned);
        assert!(generate(SequenceConfig { length: 0, ..c }, 1, 1, &mut rng).is_err());
        assert!(generate(SequenceConfig { length: 17, ..c }, 1, 1, &mut rng).is_err());
        assert!(generate(SequenceConfig { alphabet: 1, ..c }, 1, 1, &mut rng).is_err());
        assert!(generate(c, 0, 1, &mut rng).is_err());
        assert!(generate(c, MAX_SEQUENCES, 1, &mut rng).is_err());
        assert_eq!(token_label(12), "?");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn never_panics(
            length in 0usize..20, alphabet in 0usize..12, n_train in 0usize..300,
            n_test in 0usize..300, next in any::<bool>(), seed in any::<u32>()
        ) {
            let c = SequenceConfig {
                task: if seed % 2 == 0 { SequenceTask::Sort } else { SequenceTask::Reverse },
                length,
                alphabet,
                layout: if next { Layout::NextToken } else { Layout::Aligned },
            };
            if let Ok(s) = generate(c, n_train, n_test, &mut Rng::new(seed)) {
                prop_assert_eq!(s.train.len(), n_train);
                prop_assert_eq!(s.test.len(), n_test);
                prop_assert!(s.train.target_ids().iter().all(|&t| t < VOCAB_SIZE));
            }
        }
    }
}
