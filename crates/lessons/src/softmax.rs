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
}
