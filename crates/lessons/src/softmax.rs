//! The softmax figure's numbers: four logits turned into probabilities at a temperature, which
//! the figure's slider sets on a logarithmic scale.

use spiega_nn::activation::softmax_with_temperature;
use spiega_nn::error::Result;

/// The temperatures the figure's slider spans, from the coldest to the hottest (the slider holds
/// `log₁₀ τ`, so it spans them evenly in ratio).
pub const TEMPERATURES: (f32, f32) = (0.1, 10.0);

/// `softmax(z / τ)`: the probabilities the figure draws for logits `z` at temperature `tau`.
pub fn probabilities(z: &[f32], tau: f32) -> Result<Vec<f32>> {
    softmax_with_temperature(z, tau)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The logits the figure opens with.
    const OPENING: [f32; 4] = [2.0, 1.0, 0.1, -1.0];

    #[test]
    fn the_prose_numbers_of_the_softmax_figure() {
        // e² : e : e^0.1 : e^−1 = 7.389 : 2.718 : 1.105 : 0.368, over their sum 11.580.
        let p = probabilities(&OPENING, 1.0).unwrap();
        for (got, want) in p.iter().zip([0.638, 0.235, 0.095, 0.032]) {
            assert!((got - want).abs() < 5e-4, "{p:?}");
        }
        // At the coldest end the largest logit takes almost everything: e^−10 is 4.5e−5.
        let cold = probabilities(&OPENING, TEMPERATURES.0).unwrap();
        assert!(cold[0] > 0.9999, "{cold:?}");
        // At the hottest end all four land between 0.21 and 0.29.
        let hot = probabilities(&OPENING, TEMPERATURES.1).unwrap();
        assert!(hot.iter().all(|p| (0.21..0.29).contains(p)), "{hot:?}");
        // Adding the same number to every logit changes nothing.
        for shift in [-3.0, 0.5, 2.7] {
            let moved: Vec<f32> = OPENING.iter().map(|z| z + shift).collect();
            let q = probabilities(&moved, 1.0).unwrap();
            assert!(
                p.iter().zip(&q).all(|(a, b)| (a - b).abs() < 1e-6),
                "{shift}: {q:?}"
            );
        }
    }

    /// Try this (softmax): every logit raised by 3 (5, 4, 3.1, 2): the probabilities stay
    /// 0.638, 0.235, 0.095 and 0.032.
    #[test]
    fn try_raising_every_logit_changes_nothing() {
        let p = probabilities(&[5.0, 4.0, 3.1, 2.0], 1.0).unwrap();
        for (got, want) in p.iter().zip([0.638, 0.235, 0.095, 0.032]) {
            assert!((got - want).abs() < 5e-4, "{p:?}");
        }
    }

    /// Try this (softmax): two equal largest logits (2, 2, 0.1, −1) at the coldest temperature,
    /// 0.1 (slider at −1): they share the whole mass, a half each, and the other two get less
    /// than one in ten thousand.
    #[test]
    fn try_a_cold_softmax_cannot_break_a_tie() {
        let p = probabilities(&[2.0, 2.0, 0.1, -1.0], 10f32.powf(-1.0)).unwrap();
        assert_eq!(p[0], p[1]);
        assert!((0.4999..=0.5).contains(&p[0]), "{p:?}");
        assert!(p[2] + p[3] < 1e-4, "{p:?}");
    }

    /// Try this (softmax): at the hottest temperature, 10 (slider at 1), the opening logits all
    /// land between 0.21 and 0.29.
    #[test]
    fn try_a_hot_softmax_is_nearly_uniform() {
        let hot = probabilities(&OPENING, 10f32.powf(1.0)).unwrap();
        assert!(hot.iter().all(|p| (0.21..0.29).contains(p)), "{hot:?}");
    }
}
