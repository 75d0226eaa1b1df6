//! The ROUGE figure's "Try this" items, on the library's scorer
//! ([`spiega_nn::metrics::rouge::rouge`]), which the figure calls directly: the figure has no
//! computation of its own, so this module holds only its tests.

#[cfg(test)]
mod tests {
    use spiega_nn::metrics::rouge::rouge;

    /// The figure's reference text.
    const REFERENCE: &str = "the cat sat on the mat near the door";

    /// ROUGE-1, ROUGE-2 and ROUGE-L F1 of `candidate` against the reference.
    fn f1(candidate: &str, stem: bool) -> [f64; 3] {
        let r = rouge(candidate, REFERENCE, stem).unwrap();
        [r.rouge1.fmeasure, r.rouge2.fmeasure, r.rouge_l.fmeasure]
    }

    /// Whether `got` matches `want` to the three decimals the figure shows.
    fn shown(got: [f64; 3], want: [f64; 3]) -> bool {
        got.iter().zip(want).all(|(g, w)| (g - w).abs() < 5e-4)
    }

    /// Try this (rouge): the reference's words in reverse order score a perfect ROUGE-1 (1),
    /// no ROUGE-2 at all (0) and a ROUGE-L of 0.333.
    #[test]
    fn try_a_jumble_of_the_right_words() {
        let got = f1("door the near mat the on sat cat the", true);
        assert!(shown(got, [1.0, 0.0, 0.333]), "{got:?}");
    }

    /// Try this (rouge): a paraphrase with the same meaning scores 0.222 on ROUGE-1 and
    /// ROUGE-L and 0 on ROUGE-2.
    #[test]
    fn try_a_paraphrase() {
        let got = f1("a kitten rested by the entrance on a rug", true);
        assert!(shown(got, [0.222, 0.0, 0.222]), "{got:?}");
    }

    /// Try this (rouge): the reference with plural nouns scores 1 on all three with the
    /// stemmer; without it ROUGE-1 falls to 0.667 and ROUGE-2 to 0.375.
    #[test]
    fn try_the_stemmer() {
        let plural = "the cats sat on the mats near the doors";
        assert!(shown(f1(plural, true), [1.0, 1.0, 1.0]));
        let got = f1(plural, false);
        assert!(shown(got, [0.667, 0.375, 0.667]), "{got:?}");
    }
}
