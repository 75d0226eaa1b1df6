//! ROUGE-1, ROUGE-2 and ROUGE-L between a predicted text and a target (reference) text, as Google's
//! `rouge-score` package computes them (`RougeScorer(["rouge1", "rouge2", "rougeL"])`, sentence
//! level), plus which tokens overlap, for the page to highlight.
//!
//! Tokenization follows rouge-score's default tokenizer: lowercase the text, replace every
//! character other than `a-z` and `0-9` with a space, split on spaces, and drop empty tokens; with
//! `use_stemmer`, tokens longer than 3 characters go through the Porter stemmer ([`super::porter`],
//! NLTK's default variant).
//!
//! - ROUGE-N counts the n-grams the two texts share, each at most as often as it occurs in both:
//!   precision = shared / prediction n-grams, recall = shared / target n-grams (each denominator at
//!   least 1, so a text too short for any n-gram scores 0).
//! - ROUGE-L uses the longest common subsequence (LCS): precision = LCS / prediction length,
//!   recall = LCS / target length; 0 if either text has no token.
//! - The F-measure is `2PR/(P + R)`, 0 when `P + R = 0`.

use std::collections::HashMap;

use super::porter;
use crate::error::{EngineError, Result};

/// The largest LCS table (target tokens × prediction tokens) computed, about 100 MB: longer texts
/// are refused rather than exhausting memory.
pub const MAX_LCS_CELLS: usize = 25_000_000;

/// Precision, recall and F-measure of one ROUGE variant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RougeScore {
    /// Overlap divided by the prediction's size.
    pub precision: f64,
    /// Overlap divided by the target's size.
    pub recall: f64,
    /// `2PR/(P + R)`, or 0 when both are 0.
    pub fmeasure: f64,
}

impl RougeScore {
    /// The score from precision and recall.
    fn new(precision: f64, recall: f64) -> Self {
        let fmeasure = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            fmeasure,
        }
    }
}

/// The tokens of each text that take part in an overlap, as indices into the token lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overlap {
    /// Indices into the prediction's tokens, ascending.
    pub prediction: Vec<usize>,
    /// Indices into the target's tokens, ascending.
    pub target: Vec<usize>,
}

/// One token matched by the longest common subsequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    /// Its index in the target's tokens.
    pub target: usize,
    /// Its index in the prediction's tokens.
    pub prediction: usize,
}

/// Everything ROUGE computes for a prediction and a target.
#[derive(Debug, Clone, PartialEq)]
pub struct RougeReport {
    /// The prediction's tokens.
    pub prediction_tokens: Vec<String>,
    /// The target's tokens.
    pub target_tokens: Vec<String>,
    /// ROUGE-1 (unigrams).
    pub rouge1: RougeScore,
    /// ROUGE-2 (bigrams).
    pub rouge2: RougeScore,
    /// ROUGE-L (longest common subsequence).
    pub rouge_l: RougeScore,
    /// Tokens counted in ROUGE-1's overlap: for a word shared `k` times, its first `k`
    /// occurrences in each text.
    pub unigram_overlap: Overlap,
    /// Tokens belonging to a bigram counted in ROUGE-2's overlap (first occurrences, as above).
    pub bigram_overlap: Overlap,
    /// The longest common subsequence found, in order (the one rouge-score's backtracking picks).
    pub lcs: Vec<LcsMatch>,
}

/// Splits text into tokens as rouge-score's default tokenizer does (see the module docs).
pub fn tokenize(text: &str, use_stemmer: bool) -> Vec<String> {
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                ' '
            }
        })
        .collect();
    cleaned
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| {
            if use_stemmer && t.len() > 3 {
                porter::stem(t)
            } else {
                t.to_owned()
            }
        })
        .filter(|t| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        .collect()
}

/// The n-grams of `tokens` with their start positions, grouped by n-gram.
fn ngram_positions(tokens: &[String], n: usize) -> HashMap<&[String], Vec<usize>> {
    let mut map: HashMap<&[String], Vec<usize>> = HashMap::new();
    if n > 0 {
        for (start, gram) in tokens.windows(n).enumerate() {
            map.entry(gram).or_default().push(start);
        }
    }
    map
}

/// ROUGE-N of token lists, with the tokens of the matched n-grams.
fn rouge_n_with_overlap(
    prediction: &[String],
    target: &[String],
    n: usize,
) -> (RougeScore, Overlap) {
    let pred = ngram_positions(prediction, n);
    let targ = ngram_positions(target, n);
    let mut shared = 0usize;
    let mut overlap = Overlap::default();
    for (gram, t_starts) in &targ {
        let Some(p_starts) = pred.get(gram) else {
            continue;
        };
        let k = t_starts.len().min(p_starts.len());
        shared += k;
        for &s in &t_starts[..k] {
            overlap.target.extend(s..s + n);
        }
        for &s in &p_starts[..k] {
            overlap.prediction.extend(s..s + n);
        }
    }
    for v in [&mut overlap.prediction, &mut overlap.target] {
        v.sort_unstable();
        v.dedup();
    }
    let count = |tokens: &[String]| (tokens.len() + 1).saturating_sub(n).max(1) as f64;
    let score = RougeScore::new(
        shared as f64 / count(prediction),
        shared as f64 / count(target),
    );
    (score, overlap)
}

/// ROUGE-N of token lists (`n ≥ 1`), as rouge-score's `_score_ngrams`.
pub fn rouge_n(prediction: &[String], target: &[String], n: usize) -> Result<RougeScore> {
    if n == 0 {
        return Err(EngineError::hyper(
            "ROUGE n-gram length",
            n,
            "it must be at least 1",
        ));
    }
    Ok(rouge_n_with_overlap(prediction, target, n).0)
}

/// ROUGE-L of token lists and the matched subsequence, as rouge-score's `_score_lcs` and
/// `_backtrack_norec`.
pub fn rouge_l(prediction: &[String], target: &[String]) -> Result<(RougeScore, Vec<LcsMatch>)> {
    if prediction.is_empty() || target.is_empty() {
        return Ok((RougeScore::default(), Vec::new()));
    }
    let (rows, cols) = (target.len() + 1, prediction.len() + 1);
    if rows.saturating_mul(cols) > MAX_LCS_CELLS {
        return Err(EngineError::Invalid(format!(
            "texts of {} and {} tokens are too long to compare (at most {MAX_LCS_CELLS} token \
             pairs)",
            target.len(),
            prediction.len()
        )));
    }
    // table[i * cols + j] = LCS length of target[..i] and prediction[..j].
    let mut table = vec![0u32; rows * cols];
    for i in 1..rows {
        for j in 1..cols {
            table[i * cols + j] = if target[i - 1] == prediction[j - 1] {
                table[(i - 1) * cols + j - 1] + 1
            } else {
                table[(i - 1) * cols + j].max(table[i * cols + j - 1])
            };
        }
    }
    let lcs_length = table[rows * cols - 1];
    let mut matches = Vec::with_capacity(lcs_length as usize);
    let (mut i, mut j) = (target.len(), prediction.len());
    while i > 0 && j > 0 {
        if target[i - 1] == prediction[j - 1] {
            matches.push(LcsMatch {
                target: i - 1,
                prediction: j - 1,
            });
            i -= 1;
            j -= 1;
        } else if table[i * cols + j - 1] > table[(i - 1) * cols + j] {
            j -= 1;
        } else {
            i -= 1;
        }
    }
    matches.reverse();
    let lcs = f64::from(lcs_length);
    Ok((
        RougeScore::new(lcs / prediction.len() as f64, lcs / target.len() as f64),
        matches,
    ))
}

/// ROUGE-1, ROUGE-2 and ROUGE-L of `prediction` against `target`, with the tokens and overlaps.
///
/// An empty text (or one with no letters or digits) gives zeros. Texts whose LCS table would
/// exceed [`MAX_LCS_CELLS`] are refused.
pub fn rouge(prediction: &str, target: &str, use_stemmer: bool) -> Result<RougeReport> {
    let prediction_tokens = tokenize(prediction, use_stemmer);
    let target_tokens = tokenize(target, use_stemmer);
    let (rouge1, unigram_overlap) = rouge_n_with_overlap(&prediction_tokens, &target_tokens, 1);
    let (rouge2, bigram_overlap) = rouge_n_with_overlap(&prediction_tokens, &target_tokens, 2);
    let (rouge_l, lcs) = rouge_l(&prediction_tokens, &target_tokens)?;
    Ok(RougeReport {
        prediction_tokens,
        target_tokens,
        rouge1,
        rouge2,
        rouge_l,
        unigram_overlap,
        bigram_overlap,
        lcs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn tokenizer_by_hand() {
        assert_eq!(
            tokenize("The quick-brown FOX, 2nd!  café", false),
            vec!["the", "quick", "brown", "fox", "2nd", "caf"]
        );
        // Stemming touches only tokens longer than 3 characters: "runs" → "run", "cats" → "cat",
        // but "was" stays.
        assert_eq!(tokenize("Runs was cats", true), vec!["run", "was", "cat"]);
        assert!(tokenize("  ¿¡ — ", false).is_empty());
    }

    #[test]
    fn rouge_by_hand() {
        // rouge-score's README example: target "The quick brown fox jumps over the lazy dog",
        // prediction "The quick brown dog jumps on the log." Tokens: target 9, prediction 8.
        let r = rouge(
            "The quick brown dog jumps on the log.",
            "The quick brown fox jumps over the lazy dog",
            false,
        )
        .unwrap();
        // Shared unigrams: the ×2, quick, brown, dog, jumps = 6 → P 6/8, R 6/9.
        assert!(close(r.rouge1.precision, 0.75));
        assert!(close(r.rouge1.recall, 6.0 / 9.0));
        assert!(close(
            r.rouge1.fmeasure,
            2.0 * 0.75 * (6.0 / 9.0) / (0.75 + 6.0 / 9.0)
        ));
        // Shared bigrams: "the quick", "quick brown" = 2 → P 2/7, R 2/8.
        assert!(close(r.rouge2.precision, 2.0 / 7.0));
        assert!(close(r.rouge2.recall, 0.25));
        // LCS: the quick brown jumps the = 5 → P 5/8, R 5/9.
        assert!(close(r.rouge_l.precision, 5.0 / 8.0));
        assert!(close(r.rouge_l.recall, 5.0 / 9.0));
        assert_eq!(r.lcs.len(), 5);
        assert_eq!(
            r.lcs.iter().map(|m| m.prediction).collect::<Vec<_>>(),
            vec![0, 1, 2, 4, 6]
        );
        assert_eq!(
            r.lcs.iter().map(|m| m.target).collect::<Vec<_>>(),
            vec![0, 1, 2, 4, 6]
        );
        // Overlaps for highlighting: prediction tokens 0 1 2 3 4 6 (not "on", "log").
        assert_eq!(r.unigram_overlap.prediction, vec![0, 1, 2, 3, 4, 6]);
        assert_eq!(r.unigram_overlap.target, vec![0, 1, 2, 4, 6, 8]);
        assert_eq!(r.bigram_overlap.prediction, vec![0, 1, 2]);
    }

    #[test]
    fn repeated_words_are_clipped() {
        // Prediction "the the the", target "the cat": one shared "the" → P 1/3, R 1/2; the
        // highlight marks only the first "the" of the prediction.
        let r = rouge("the the the", "the cat", false).unwrap();
        assert!(close(r.rouge1.precision, 1.0 / 3.0));
        assert!(close(r.rouge1.recall, 0.5));
        assert_eq!(r.unigram_overlap.prediction, vec![0]);
    }

    #[test]
    fn stemming_matches_word_forms() {
        // "running dogs" vs "dogs run": stemmed tokens [run, dog] and [dog, run], 2 shared
        // unigrams, no shared bigram, LCS 1.
        let r = rouge("running dogs", "dogs run", true).unwrap();
        assert_eq!(r.prediction_tokens, vec!["run", "dog"]);
        assert!(close(r.rouge1.fmeasure, 1.0));
        assert!(close(r.rouge2.fmeasure, 0.0));
        assert!(close(r.rouge_l.fmeasure, 0.5));
        let plain = rouge("running dogs", "dogs run", false).unwrap();
        assert!(close(plain.rouge1.fmeasure, 0.5));
    }

    #[test]
    fn empty_texts_score_zero() {
        for (p, t) in [("", "a b"), ("a b", ""), ("", ""), ("!!", "a")] {
            let r = rouge(p, t, false).unwrap();
            for s in [r.rouge1, r.rouge2, r.rouge_l] {
                assert_eq!(s, RougeScore::default(), "{p:?} vs {t:?}");
            }
        }
        // One token each: no bigram at all, so ROUGE-2 is 0/1 = 0 even for equal texts.
        let r = rouge("word", "word", false).unwrap();
        assert_eq!(r.rouge2, RougeScore::default());
        assert!(close(r.rouge1.fmeasure, 1.0));
        assert!(rouge_n(&r.prediction_tokens, &r.target_tokens, 0).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn rouge_never_panics_and_stays_in_range(
                p in "[a-cA-C0-9 ,.é\\-]{0,30}",
                t in "[a-cA-C0-9 ,.é\\-]{0,30}",
                stem in any::<bool>(),
            ) {
                let r = rouge(&p, &t, stem).unwrap();
                for s in [r.rouge1, r.rouge2, r.rouge_l] {
                    prop_assert!((0.0..=1.0).contains(&s.precision));
                    prop_assert!((0.0..=1.0).contains(&s.recall));
                    prop_assert!((0.0..=1.0).contains(&s.fmeasure));
                }
                prop_assert!(r.unigram_overlap.prediction.iter().all(|&i| i < r.prediction_tokens.len()));
                prop_assert!(r.lcs.iter().all(|m| m.target < r.target_tokens.len()));
            }

            #[test]
            fn stemmer_never_panics(word in "\\PC{0,12}") {
                let _ = porter::stem(&word);
            }
        }
    }
}
