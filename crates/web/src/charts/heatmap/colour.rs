//! Colour scales: how a value becomes a colour of the page's palette.
//!
//! Colours follow TensorFlow Playground: orange for negative, the card colour at the neutral value
//! and blue for positive, linearly interpolated ([`ColorScale::Diverging`]); several classes use a
//! qualitative palette that starts blue, orange ([`class_color`]). Every colour is one of the
//! [`Palette`]'s, read from the page's CSS, or a mix of two of them.

use crate::charts::Palette;
use crate::error::{Result, WebError};
use plotters::style::RGBAColor;

/// An opaque colour as red, green, blue bytes.
pub type Rgb = [u8; 3];

/// The colour's bytes, dropping its alpha (the page's colours are opaque).
pub fn rgb(c: RGBAColor) -> Rgb {
    [c.0, c.1, c.2]
}

/// Linear interpolation from `a` (at `t = 0`) to `b` (at `t = 1`); `t` is clamped to `0..=1`.
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let lerp = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [lerp(a[0], b[0]), lerp(a[1], b[1]), lerp(a[2], b[2])]
}

/// The most classes the qualitative palette distinguishes.
pub const MAX_CLASSES: usize = 5;

/// How values become colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColorScale {
    /// Orange at `min`, the card colour at the neutral value, blue at `max`; clamped outside.
    ///
    /// The neutral value is 0 when `min < 0 < max` (a tanh output, a regression target), and the
    /// midpoint otherwise (0.5 for a sigmoid's probability on `0..1`).
    Diverging {
        /// The value drawn full orange.
        min: f32,
        /// The value drawn full blue.
        max: f32,
    },
    /// One qualitative colour per class (see [`class_color`]); a value is a class index.
    Classes {
        /// How many classes there are (2..=5 are told apart; more repeat the palette).
        count: usize,
    },
}

impl ColorScale {
    /// TensorFlow Playground's scale for a tanh output: −1 orange, 0 neutral, 1 blue.
    pub const UNIT: ColorScale = ColorScale::Diverging {
        min: -1.0,
        max: 1.0,
    };

    /// The full-strength colour of `value`: diverging, or the class `value` rounds to.
    pub fn color(&self, value: f32, palette: &Palette) -> Rgb {
        match *self {
            ColorScale::Diverging { min, max } => diverging_color(value, min, max, palette),
            ColorScale::Classes { count } => class_color(class_index(value, count), palette),
        }
    }

    /// The colour of `value` with hard colours at the neutral value (the "discretize" view).
    pub fn discrete_color(&self, value: f32, palette: &Palette) -> Rgb {
        match *self {
            ColorScale::Diverging { min, max } => {
                let center = neutral_value(min, max);
                if value > center {
                    rgb(palette.blue)
                } else if value < center {
                    rgb(palette.orange)
                } else {
                    rgb(palette.card)
                }
            }
            ColorScale::Classes { .. } => self.color(value, palette),
        }
    }

    /// Refuses ranges that cannot be drawn: `min ≥ max`, non-finite ends, no classes.
    pub fn validate(&self) -> Result<()> {
        match *self {
            ColorScale::Diverging { min, max }
                if min.is_finite() && max.is_finite() && min < max =>
            {
                Ok(())
            }
            ColorScale::Diverging { min, max } => Err(WebError::Chart(format!(
                "the colour range {min}..{max} is empty or not finite"
            ))),
            ColorScale::Classes { count } if count >= 1 => Ok(()),
            ColorScale::Classes { .. } => {
                Err(WebError::Chart("a class colour scale needs a class".into()))
            }
        }
    }
}

/// The value drawn in the card colour on a diverging scale from `min` to `max`.
pub fn neutral_value(min: f32, max: f32) -> f32 {
    if min < 0.0 && max > 0.0 {
        0.0
    } else {
        (min + max) / 2.0
    }
}

/// A diverging colour: `min` (and below) orange, the neutral value the card colour, `max` (and
/// above) blue, linear in between. NaN is drawn in the card colour.
pub fn diverging_color(value: f32, min: f32, max: f32, palette: &Palette) -> Rgb {
    let center = neutral_value(min, max);
    let card = rgb(palette.card);
    if value > center {
        let span = max - center;
        let t = if span > 0.0 {
            (value - center) / span
        } else {
            1.0
        };
        mix(card, rgb(palette.blue), t)
    } else if value < center {
        let span = center - min;
        let t = if span > 0.0 {
            (center - value) / span
        } else {
            1.0
        };
        mix(card, rgb(palette.orange), t)
    } else {
        card
    }
}

/// The class a value names on a scale of `count` classes: rounded, and clamped to `0..count`.
pub fn class_index(value: f32, count: usize) -> usize {
    if value.is_nan() || value <= 0.0 {
        0
    } else {
        (value.round() as usize).min(count.max(1) - 1)
    }
}

/// The qualitative colour of class `class`: blue, orange, then the palette's three further class
/// colours (`--class-3` to `--class-5`); classes beyond five repeat the palette.
pub fn class_color(class: usize, palette: &Palette) -> Rgb {
    match class % MAX_CLASSES {
        0 => rgb(palette.blue),
        1 => rgb(palette.orange),
        k => rgb(palette.classes[k - 2]),
    }
}

/// A predicted class shaded by its confidence: the card colour at chance (`1/count`), the full
/// class colour at certainty (1).
pub fn class_shade(class: usize, confidence: f32, count: usize, palette: &Palette) -> Rgb {
    let chance = 1.0 / count.max(1) as f32;
    let t = if count <= 1 {
        1.0
    } else {
        (confidence - chance) / (1.0 - chance)
    };
    mix(rgb(palette.card), class_color(class, palette), t)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: Rgb = [0xff, 0xff, 0xff];
    const BLUE: Rgb = [0x08, 0x77, 0xbd];
    const ORANGE: Rgb = [0xe8, 0x71, 0x0a];

    #[test]
    fn a_diverging_scale_is_card_at_zero_and_exact_at_its_ends() {
        let p = Palette::LIGHT;
        assert_eq!(diverging_color(0.0, -1.0, 1.0, &p), CARD);
        assert_eq!(diverging_color(1.0, -1.0, 1.0, &p), BLUE);
        assert_eq!(diverging_color(-1.0, -1.0, 1.0, &p), ORANGE);
        assert_eq!(diverging_color(-3.0, -3.0, 2.0, &p), ORANGE);
        assert_eq!(diverging_color(2.0, -3.0, 2.0, &p), BLUE);
    }

    #[test]
    fn a_diverging_scale_clamps_beyond_its_ends_and_draws_nan_neutral() {
        let p = Palette::LIGHT;
        assert_eq!(diverging_color(7.5, -1.0, 1.0, &p), BLUE);
        assert_eq!(diverging_color(-1e30, -1.0, 1.0, &p), ORANGE);
        assert_eq!(diverging_color(f32::INFINITY, -1.0, 1.0, &p), BLUE);
        assert_eq!(diverging_color(f32::NAN, -1.0, 1.0, &p), CARD);
    }

    #[test]
    fn a_diverging_scale_interpolates_linearly_on_each_side() {
        let p = Palette::LIGHT;
        // Halfway from white (255) to blue (8, 119, 189): 255 + (c − 255)/2, rounded.
        assert_eq!(diverging_color(0.5, -1.0, 1.0, &p), [132, 187, 222]);
        // A quarter of the way from white to orange (232, 113, 10), on a range of −4..4.
        assert_eq!(diverging_color(-1.0, -4.0, 4.0, &p), [249, 220, 194]);
    }

    #[test]
    fn a_range_without_zero_is_neutral_at_its_midpoint() {
        let p = Palette::LIGHT;
        // A sigmoid's probability on 0..1: 0.5 is "undecided".
        assert_eq!(diverging_color(0.5, 0.0, 1.0, &p), CARD);
        assert_eq!(diverging_color(0.0, 0.0, 1.0, &p), ORANGE);
        assert_eq!(diverging_color(1.0, 0.0, 1.0, &p), BLUE);
    }

    #[test]
    fn discretized_colours_are_hard_at_the_sign() {
        let p = Palette::LIGHT;
        let s = ColorScale::UNIT;
        assert_eq!(s.discrete_color(0.01, &p), BLUE);
        assert_eq!(s.discrete_color(-0.01, &p), ORANGE);
        assert_eq!(s.discrete_color(0.0, &p), CARD);
    }

    #[test]
    fn classes_start_blue_then_orange_and_stay_distinct() {
        let p = Palette::LIGHT;
        assert_eq!(class_color(0, &p), BLUE);
        assert_eq!(class_color(1, &p), ORANGE);
        let all: Vec<Rgb> = (0..MAX_CLASSES).map(|k| class_color(k, &p)).collect();
        for i in 0..all.len() {
            for j in i + 1..all.len() {
                assert_ne!(all[i], all[j], "classes {i} and {j} share a colour");
            }
        }
        // A value names the class it rounds to, clamped to the scale.
        let s = ColorScale::Classes { count: 3 };
        assert_eq!(s.color(1.2, &p), ORANGE);
        assert_eq!(s.color(9.0, &p), class_color(2, &p));
        assert_eq!(s.color(-1.0, &p), BLUE);
    }

    #[test]
    fn class_shades_run_from_chance_to_certainty() {
        let p = Palette::LIGHT;
        // Chance among 4 classes is 1/4: drawn as the card colour; certainty: the class colour.
        assert_eq!(class_shade(0, 0.25, 4, &p), CARD);
        assert_eq!(class_shade(1, 1.0, 4, &p), ORANGE);
        assert_eq!(class_shade(1, 0.1, 4, &p), CARD);
    }

    #[test]
    fn colour_scales_refuse_empty_ranges() {
        assert!(ColorScale::UNIT.validate().is_ok());
        assert!(
            ColorScale::Diverging { min: 1.0, max: 1.0 }
                .validate()
                .is_err()
        );
        assert!(
            ColorScale::Diverging {
                min: 0.0,
                max: f32::NAN
            }
            .validate()
            .is_err()
        );
        assert!(ColorScale::Classes { count: 0 }.validate().is_err());
    }
}
