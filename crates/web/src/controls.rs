//! The figures' controls, read one way: a number field or linear slider, a log slider, a menu,
//! and the text that shows a rate.
//!
//! Ranges and steps live in the page's markup only: every reader takes `min`, `max` and `step`
//! from the element's attributes, so a control's range is edited in `www/index.html` and nowhere
//! else. A figure whose range follows its data (the shrinkage figure's grid of rates, a loss
//! surface's window) writes those attributes itself, and the readers still read them there.
//!
//! - [`number`] reads a number field or a linear slider, clamped to its range (a field whose text
//!   is no number gives its markup default); [`number_shown`] also rounds a typed number to its
//!   step's decimals and writes it back, so the field shows the value used.
//! - [`log_value`] reads a log slider, whose position is `log₁₀` of the value: `10^position`,
//!   rounded to [`LOG_DIGITS`] significant digits. That rounding is the one rule for every
//!   learning rate, temperature and penalty strength on the page: 10^−2.65 is used as 0.0022,
//!   and [`format_rate`] shows that same 0.0022, so the value shown is the value used, and a
//!   link holding the slider's position gives the same value again.
//! - [`select`] reads a menu's chosen option, and [`chosen`] reads it as the type it names.

use crate::dom;
use crate::error::{Result, WebError};
use std::str::FromStr;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

/// Significant digits kept by a log slider's value.
///
/// Two is what the figures have always shown (0.002, 0.032, 0.5), and what the generative
/// network's, the transformer's and the weight penalties' sliders have always used, so their
/// links still train with the same rates.
pub const LOG_DIGITS: usize = 2;

/// An input's range and step, as its markup gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The `min` attribute, if it is a number.
    pub min: Option<f64>,
    /// The `max` attribute, if it is a number.
    pub max: Option<f64>,
    /// The `step` attribute, if it is a positive number (not `any`).
    pub step: Option<f64>,
    /// Decimals in the step and the minimum, so that snapped values stay round (−1.5 + 3 × 0.1
    /// is −1.2, not −1.2000000000000002).
    decimals: usize,
    /// Decimals in the step alone (0 for a whole step or none).
    step_decimals: usize,
}

impl Bounds {
    /// The bounds of attribute texts (`None` for an attribute that is absent).
    pub fn parse(min: Option<&str>, max: Option<&str>, step: Option<&str>) -> Self {
        let number = |s: Option<&str>| s.and_then(|s| s.trim().parse::<f64>().ok());
        let decimals = |s: Option<&str>| {
            s.and_then(|s| s.trim().split_once('.'))
                .map_or(0, |(_, frac)| frac.len())
        };
        Self {
            min: number(min).filter(|v| v.is_finite()),
            max: number(max).filter(|v| v.is_finite()),
            step: number(step).filter(|s| s.is_finite() && *s > 0.0),
            decimals: decimals(step).max(decimals(min)),
            step_decimals: decimals(step),
        }
    }

    /// The bounds an input's markup gives.
    pub fn of(input: &HtmlInputElement) -> Self {
        let attr = |name: &str| input.get_attribute(name);
        Self::parse(
            attr("min").as_deref(),
            attr("max").as_deref(),
            attr("step").as_deref(),
        )
    }

    /// `v` inside the range.
    pub fn clamp(&self, v: f64) -> f64 {
        let v = self.min.map_or(v, |lo| v.max(lo));
        self.max.map_or(v, |hi| v.min(hi))
    }

    /// `v` on the nearest step from the minimum (where there is a step), inside the range, as a
    /// slider places it.
    pub fn snap(&self, v: f64) -> f64 {
        let v = match self.step {
            Some(step) => {
                let base = self.min.unwrap_or(0.0);
                let snapped = base + ((v - base) / step).round() * step;
                let d = self.decimals;
                format!("{snapped:.d$}").parse().unwrap_or(snapped)
            }
            None => v,
        };
        self.clamp(v)
    }

    /// `v` inside the range, rounded to as many decimals as the step has (a whole number for a
    /// step of 1, hundredths for a step of 0.05; unrounded without a step).
    pub fn round(&self, v: f64) -> f64 {
        let v = self.clamp(v);
        if self.step.is_none() {
            return v;
        }
        let d = self.step_decimals;
        self.clamp(format!("{v:.d$}").parse().unwrap_or(v))
    }
}

/// `v` rounded to `digits` significant digits (at least one), as the nearest `f64` to that
/// decimal: 0.0022387 to two digits is 0.0022.
pub fn round_significant(v: f64, digits: usize) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    let decimals = digits.max(1) - 1;
    format!("{v:.decimals$e}").parse().unwrap_or(v)
}

/// A log slider's value at `position` (snapped and clamped by `bounds`): `10^position` rounded
/// to [`LOG_DIGITS`] significant digits.
pub fn log_value_at(position: f64, bounds: &Bounds) -> f64 {
    round_significant(10f64.powf(bounds.snap(position)), LOG_DIGITS)
}

/// A number input's value, or its markup default (`value` attribute), or its minimum, or 0
/// when the text is no number.
fn raw(input: &HtmlInputElement, bounds: &Bounds) -> f64 {
    let v = input.value_as_number();
    if v.is_finite() {
        return v;
    }
    input
        .default_value()
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite())
        .or(bounds.min)
        .unwrap_or(0.0)
}

/// A number field's or a linear slider's value, clamped to its range from the markup; a text
/// that is no number gives the markup default.
pub fn number(input: &HtmlInputElement) -> f64 {
    let bounds = Bounds::of(input);
    bounds.clamp(raw(input, &bounds))
}

/// A slider's range from its markup, for a chart drawn over the same range; an error names the
/// slider when its markup gives no `min` or `max`.
pub fn range(input: &HtmlInputElement) -> Result<(f64, f64)> {
    match Bounds::of(input) {
        Bounds {
            min: Some(lo),
            max: Some(hi),
            ..
        } => Ok((lo, hi)),
        _ => Err(WebError::MissingElement(format!(
            "a min and a max on the slider {}",
            input.get_attribute("data-role").unwrap_or_default()
        ))),
    }
}

/// A typed number field's value: clamped to its range, rounded to its step's decimals (a whole
/// number for a step of 1), and written back into the field when that differs from what was
/// typed, so the field shows the value the figure uses.
pub fn number_shown(input: &HtmlInputElement) -> f64 {
    let bounds = Bounds::of(input);
    let v = bounds.round(raw(input, &bounds));
    if input.value_as_number() != v {
        input.set_value(&v.to_string());
    }
    v
}

/// A log slider's value: `10^position`, its position snapped to the markup's step and clamped to
/// its range, then rounded to [`LOG_DIGITS`] significant digits.
pub fn log_value(input: &HtmlInputElement) -> f64 {
    let bounds = Bounds::of(input);
    log_value_at(raw(input, &bounds), &bounds)
}

/// Moves a log slider to `value` (its position becomes `log₁₀ value`; the browser keeps it in
/// the slider's range and on its step).
pub fn set_log_value(input: &HtmlInputElement, value: f64) {
    if value > 0.0 && value.is_finite() {
        input.set_value(&value.log10().to_string());
    }
}

/// A rate as the engine uses it (an `f32`), written as the shortest decimal that reads back as
/// it: 0.0022, 0.5, 10, 0.00001. A value read by [`log_value`] is shown with its
/// [`LOG_DIGITS`] digits, so the text shown is the value used.
pub fn format_rate(v: f32) -> String {
    format!("{v}")
}

/// The value of the checked radio button of the group `name` under `root`.
pub fn radio(root: &Element, name: &str) -> Result<String> {
    let checked: HtmlInputElement = dom::query(root, &format!("input[name=\"{name}\"]:checked"))?;
    Ok(checked.value())
}

/// The menu `select[data-role=role]` under `root`.
pub fn menu(root: &Element, role: &str) -> Result<HtmlSelectElement> {
    dom::query(root, &format!("select[data-role=\"{role}\"]"))
}

/// The value of the chosen option of the menu `select[data-role=role]` under `root`.
pub fn select(root: &Element, role: &str) -> Result<String> {
    Ok(menu(root, role)?.value())
}

/// A menu's chosen option as the type it names (a number, a name), failing with the menu's
/// role when the markup's option does not read as one.
pub fn chosen<T: FromStr>(select: &HtmlSelectElement) -> Result<T> {
    let value = select.value();
    value.parse().map_err(|_| {
        let role = select.get_attribute("data-role").unwrap_or_default();
        WebError::MissingElement(format!("a menu {role} whose option {value:?} can be read"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(min: &str, max: &str, step: &str) -> Bounds {
        Bounds::parse(Some(min), Some(max), Some(step))
    }

    #[test]
    fn a_log_slider_keeps_two_significant_digits() {
        let b = bounds("-4", "-1", "0.05");
        // 10^−2.7 = 0.0019953, 10^−2.65 = 0.0022387, 10^−2.3 = 0.0050119.
        assert_eq!(log_value_at(-2.7, &b), 0.002);
        assert_eq!(log_value_at(-2.65, &b), 0.0022);
        assert_eq!(log_value_at(-2.3, &b), 0.005);
        // 10^−1.5 = 0.031623 (the weight penalties' largest rate), 10^−1.2 = 0.063096.
        assert_eq!(log_value_at(-1.5, &bounds("-3", "-1.5", "0.1")), 0.032);
        assert_eq!(log_value_at(-1.2, &bounds("-4", "0", "0.05")), 0.063);
        // Whole powers of ten are exact; 10^0.5 = 3.1623.
        assert_eq!(log_value_at(-2.0, &b), 0.01);
        assert_eq!(log_value_at(0.5, &bounds("-1", "1", "0.01")), 3.2);
    }

    #[test]
    fn a_log_slider_keeps_to_its_range_and_step() {
        let b = bounds("-4", "-1", "0.05");
        assert_eq!(log_value_at(-9.0, &b), 0.0001);
        assert_eq!(log_value_at(3.0, &b), 0.1);
        // −2.66 is not on the step: it reads as −2.65.
        assert_eq!(log_value_at(-2.66, &b), 0.0022);
        // A slider with `step="any"` reads every position.
        let any = bounds("-5", "1", "any");
        assert_eq!(any.step, None);
        assert_eq!(log_value_at(-1.9085, &any), 0.012);
        assert_eq!(log_value_at(-1.5228787452803376, &any), 0.03);
    }

    #[test]
    fn the_rate_shown_is_the_rate_used() {
        // Every position of every log slider on the page: the text shown reads back as the very
        // `f32` the engine is given.
        for (min, max, step) in [
            ("-4", "-1", "0.05"),
            ("-4", "0", "0.05"),
            ("-3", "0", "0.05"),
            ("-3", "-1.5", "0.1"),
            ("-3", "0", "0.01"),
            ("-1", "1", "0.01"),
        ] {
            let b = bounds(min, max, step);
            let (lo, hi, s) = (b.min.unwrap(), b.max.unwrap(), b.step.unwrap());
            let positions = ((hi - lo) / s).round() as i64;
            for k in 0..=positions {
                let used = log_value_at(lo + k as f64 * s, &b) as f32;
                let shown = format_rate(used);
                assert_eq!(shown.parse::<f32>().ok(), Some(used), "{shown}");
                let digits = shown.trim_start_matches(['0', '.']).replace('.', "");
                assert!(
                    digits.trim_end_matches('0').len() <= LOG_DIGITS,
                    "{shown} at {}",
                    lo + k as f64 * s
                );
            }
        }
        assert_eq!(format_rate(0.00001), "0.00001");
        assert_eq!(format_rate(10.0), "10");
        assert_eq!(format_rate(0.5), "0.5");
    }

    /// Checks `place` on each `(bounds, given, expected)` row.
    fn check(place: fn(&Bounds, f64) -> f64, rows: &[(Bounds, f64, f64)]) {
        for (b, given, expected) in rows {
            assert_eq!(place(b, *given), *expected, "{given} in {b:?}");
        }
    }

    #[test]
    fn slider_positions_snap_to_the_step_and_stay_in_range() {
        let rate = bounds("0", "0.9", "0.05");
        let free = Bounds::parse(Some("1"), None, None);
        check(
            Bounds::snap,
            &[
                (rate, 0.33, 0.35),
                (rate, 0.7, 0.7),
                (rate, 5.0, 0.9),
                (rate, -1.0, 0.0),
                // Round values stay round.
                (bounds("-6", "6", "0.1"), 0.5, 0.5),
                (bounds("-1.5", "1.5", "0.1"), -1.2, -1.2),
                // No step: only the range.
                (free, 0.25, 1.0),
                (free, 12.345, 12.345),
            ],
        );
    }

    #[test]
    fn typed_numbers_keep_the_step_s_decimals_and_stay_in_range() {
        // The dropout rates (hundredths, from 0 to 0.9) and a layer's width (whole, 1 to 6).
        let rate = bounds("0", "0.9", "0.05");
        let width = bounds("1", "6", "1");
        check(
            Bounds::round,
            &[
                (rate, 0.333, 0.33),
                (rate, 0.7, 0.7),
                (rate, 5.0, 0.9),
                (rate, -0.2, 0.0),
                (width, 2.6, 3.0),
                (width, 0.2, 1.0),
                // Without a step nothing is rounded.
                (Bounds::parse(None, None, Some("any")), 0.123, 0.123),
            ],
        );
    }

    #[test]
    fn significant_digits_round_to_the_nearest_decimal() {
        assert_eq!(round_significant(0.0022387, 2), 0.0022);
        assert_eq!(round_significant(0.0225, 2), 0.022);
        assert_eq!(round_significant(9.96, 2), 10.0);
        assert_eq!(round_significant(-0.031623, 2), -0.032);
        assert_eq!(round_significant(0.0, 2), 0.0);
    }
}
