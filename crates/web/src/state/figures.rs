//! Every figure's reader-set controls in the URL hash, with no code per figure.
//!
//! A figure's shareable state is the value of each control inside its `<figure>`: every
//! `<input>`, `<select>` and `<textarea>` with a `data-role` (or, for a group of radio buttons, a
//! `name`). The page describes each control as a [`Control`] (what it accepts and its default) and
//! this module, which touches no browser, does the rest:
//!
//! - [`encode`] writes the controls that differ from their defaults as `figure.key=value` pairs
//!   (`#dropout.rate-1=0.25&optimizers.lr-adam=0.05`), so links stay short;
//! - [`parse`] reads those pairs back for the figures on the page, checks every value against its
//!   control (numbers clamped to `min`/`max` and snapped to `step`, choices among the options,
//!   checkboxes `0` or `1`, text length-limited) and returns a [`Notice`] naming the key for every
//!   value it ignored or changed. It never fails.
//!
//! A key belongs to a figure's controls when it reads `name.key` ([`split_key`]); the playground,
//! whose keys have no dot, keeps its own table in [`super::playground`].

use super::{HashParams, Notice, NoticeKind, quote};
use std::collections::HashSet;

/// The longest figure name accepted in a key.
const MAX_NAME: usize = 40;
/// The longest control key accepted.
const MAX_KEY: usize = 60;
/// The longest text a text control takes from a link when it sets no `maxlength`.
pub const MAX_TEXT: usize = 200;
/// The most notices about one link; further ones are counted in one.
const MAX_NOTICES: usize = 12;

/// What a control accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlKind {
    /// A range or number input: `min`/`max` when set, and its `step` (`None` for `step="any"`).
    Number {
        /// The smallest value, if any.
        min: Option<f64>,
        /// The largest value, if any.
        max: Option<f64>,
        /// The step values snap to, counted from `min` (or 0); `None` for any value.
        step: Option<f64>,
    },
    /// A checkbox, written `1` (checked) or `0`.
    Checkbox,
    /// A `<select>` or a group of radio buttons: one of these values.
    Choice(Vec<String>),
    /// Free text, at most `max_len` characters.
    Text {
        /// The most characters kept.
        max_len: usize,
    },
}

/// One reader-set control of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// The key in the hash, after the figure's name and a dot: the control's `data-role`, or the
    /// `name` of a radio group.
    pub key: String,
    /// What it accepts.
    pub kind: ControlKind,
    /// Its value as the page's HTML sets it (`1`/`0` for a checkbox).
    pub default: String,
}

impl Control {
    /// Whether `value` is this control's default (numbers compared as numbers, so `0.10` is `0.1`).
    pub fn is_default(&self, value: &str) -> bool {
        match self.kind {
            ControlKind::Number { .. } => match (read_number(value), read_number(&self.default)) {
                (Some(a), Some(b)) => a == b,
                _ => value == self.default,
            },
            _ => value == self.default,
        }
    }
}

/// A figure on the page and its controls, in page order.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureControls {
    /// The figure's `data-figure` name.
    pub name: String,
    /// Its controls.
    pub controls: Vec<Control>,
}

/// A value to give a control, read from a link.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The index of the figure in the list [`parse`] was given.
    pub figure: usize,
    /// The index of the control in that figure.
    pub control: usize,
    /// The checked value, as the control takes it.
    pub value: String,
}

/// What [`parse`] found in a hash.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The values to set, in the hash's order (a repeated key: its last value).
    pub settings: Vec<Setting>,
    /// The indices of the figures whose keys the hash names (also those whose values were ignored).
    pub named: Vec<usize>,
    /// One notice for every key ignored or value changed.
    pub notices: Vec<Notice>,
}

/// Splits `figure.key` into the figure's name and the control's key, if the key has that form:
/// a name of lowercase letters, digits and hyphens, a dot, then a key of letters, digits, hyphens
/// and underscores.
pub fn split_key(key: &str) -> Option<(&str, &str)> {
    let (name, control) = key.split_once('.')?;
    let name_ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let control_ok = !control.is_empty()
        && control.len() <= MAX_KEY
        && control
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (name_ok && control_ok).then_some((name, control))
}

/// Whether a hash is a plain anchor such as `#costs` (no `=` and no `&`), which names a place in
/// the article and no settings.
pub fn is_anchor(hash: &str) -> bool {
    let body = hash.strip_prefix('#').unwrap_or(hash);
    !body.contains('=') && !body.contains('&')
}

/// The figure's controls that differ from their defaults, as `name.key=value` pairs joined by `&`
/// (percent-encoded, no leading `#`). `values` holds each control's current value, in order.
pub fn encode(figure: &FigureControls, values: &[String]) -> String {
    let mut params = HashParams::new();
    for (control, value) in figure.controls.iter().zip(values) {
        if !control.is_default(value) {
            params.set(&format!("{}.{}", figure.name, control.key), value);
        }
    }
    params.encode()
}

/// Reads every `figure.key` pair of `params` for the `figures` on the page, with a notice for each
/// key ignored or value changed. Keys without a dot are left to the playground.
pub fn parse(params: &HashParams, figures: &[FigureControls]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut dropped = 0usize;
    let mut notices = Vec::new();
    // A repeated key: its last value wins, read once, at its first place.
    for (key, _) in params.iter() {
        if !seen.insert(key) {
            continue;
        }
        let Some(raw) = params.get(key) else {
            continue;
        };
        let (name, control_key) = match split_key(key) {
            Some(parts) => parts,
            None if key.contains('.') => {
                notices.push(Notice::new(
                    key,
                    NoticeKind::Ignored,
                    format!("{} is not a figure's setting; ignored", quote(key)),
                ));
                continue;
            }
            None => continue,
        };
        let Some(figure) = figures.iter().position(|f| f.name == name) else {
            notices.push(Notice::new(
                key,
                NoticeKind::Ignored,
                format!("{}: there is no figure named {name}; ignored", quote(key)),
            ));
            continue;
        };
        if !parsed.named.contains(&figure) {
            parsed.named.push(figure);
        }
        let Some(control) = figures[figure]
            .controls
            .iter()
            .position(|c| c.key == control_key)
        else {
            notices.push(Notice::new(
                key,
                NoticeKind::Ignored,
                format!("unknown key {} ignored", quote(key)),
            ));
            continue;
        };
        let count = params.count(key);
        if count > 1 {
            notices.push(Notice::new(
                key,
                NoticeKind::Ignored,
                format!("{key} appears {count} times; the last one is used"),
            ));
        }
        let (value, notice) = check(key, &figures[figure].controls[control], raw);
        notices.extend(notice);
        if let Some(value) = value {
            parsed.settings.push(Setting {
                figure,
                control,
                value,
            });
        }
    }
    if notices.len() > MAX_NOTICES {
        dropped = notices.len() - MAX_NOTICES;
        notices.truncate(MAX_NOTICES);
    }
    if dropped > 0 {
        notices.push(Notice::new(
            "",
            NoticeKind::Ignored,
            format!("{dropped} more problems with the link"),
        ));
    }
    parsed.notices = notices;
    parsed
}

/// Checks `raw` for `control`: the value to set (none when it cannot be used, so the control
/// keeps its default) and a notice when the value was ignored or changed.
pub fn check(key: &str, control: &Control, raw: &str) -> (Option<String>, Option<Notice>) {
    let shown = quote(raw);
    match &control.kind {
        ControlKind::Number { min, max, step } => {
            let Some(number) = read_number(raw) else {
                return (
                    None,
                    Some(Notice::new(
                        key,
                        NoticeKind::DefaultUsed,
                        format!(
                            "{key}={shown} is not a number; using {}",
                            quote(&control.default)
                        ),
                    )),
                );
            };
            let used = snap(number, *min, *max, *step);
            let text = format_number(used, *min, *step);
            let notice = if min.is_some_and(|m| number < m) || max.is_some_and(|m| number > m) {
                Some(Notice::new(
                    key,
                    NoticeKind::Clamped,
                    format!("{key}={shown} is outside its range; using {text}"),
                ))
            } else if !on_grid(number, used, *step) {
                Some(Notice::new(
                    key,
                    NoticeKind::Adjusted,
                    format!("{key}={shown} is between the slider's steps; using {text}"),
                ))
            } else {
                None
            };
            (Some(text), notice)
        }
        ControlKind::Checkbox => match raw {
            "1" => (Some("1".to_owned()), None),
            "0" => (Some("0".to_owned()), None),
            _ => (
                None,
                Some(Notice::new(
                    key,
                    NoticeKind::DefaultUsed,
                    format!("{key}={shown} is neither 1 (on) nor 0 (off); ignored"),
                )),
            ),
        },
        ControlKind::Choice(options) => {
            if options.iter().any(|o| o == raw) {
                (Some(raw.to_owned()), None)
            } else {
                (
                    None,
                    Some(Notice::new(
                        key,
                        NoticeKind::DefaultUsed,
                        format!(
                            "{key}={shown} is not one of its choices; using {}",
                            quote(&control.default)
                        ),
                    )),
                )
            }
        }
        ControlKind::Text { max_len } => {
            let clean: String = raw.chars().filter(|c| !c.is_control()).collect();
            let kept: String = clean.chars().take(*max_len).collect();
            let notice = if kept.len() != raw.len() {
                Some(Notice::new(
                    key,
                    NoticeKind::Adjusted,
                    format!(
                        "{key}: the text is cut to {max_len} characters without control characters"
                    ),
                ))
            } else {
                None
            };
            (Some(kept), notice)
        }
    }
}

/// A finite decimal number, or none (`NaN`, infinities, hexadecimal and empty text are refused).
fn read_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !plain {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `value` snapped to the nearest step counted from `min` (or 0) and clamped to `[min, max]`, as a
/// browser's range input does; the largest step inside the range when `max` is off the grid.
pub fn snap(value: f64, min: Option<f64>, max: Option<f64>, step: Option<f64>) -> f64 {
    let mut v = value;
    if let Some(lo) = min {
        v = v.max(lo);
    }
    if let Some(hi) = max {
        v = v.min(hi);
    }
    if let Some(step) = step.filter(|s| *s > 0.0 && s.is_finite()) {
        let base = min.unwrap_or(0.0);
        let snapped = base + ((v - base) / step).round() * step;
        v = if max.is_some_and(|hi| snapped > hi) {
            base + ((v - base) / step).floor() * step
        } else {
            snapped
        };
        if let Some(lo) = min {
            v = v.max(lo);
        }
    }
    v + 0.0
}

/// Whether `number` is the snapped value `used`, but for floating-point noise far below the step
/// (`7 × 0.05` is `0.35000000000000003`, yet 0.35 is on the grid).
fn on_grid(number: f64, used: f64, step: Option<f64>) -> bool {
    let tolerance = step.map_or(0.0, |s| s * 1e-6);
    (number - used).abs() <= tolerance
}

/// A snapped number as text: as many decimals as the step and `min` need, trailing zeros removed,
/// so floating-point noise (`0.30000000000000004`) never reaches a link.
fn format_number(value: f64, min: Option<f64>, step: Option<f64>) -> String {
    let decimals = [step, min]
        .into_iter()
        .flatten()
        .map(decimals_of)
        .max()
        .unwrap_or(0);
    let text = match step {
        Some(_) => format!("{value:.decimals$}"),
        None => format!("{value}"),
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// The decimals a number needs when written briefly (at most 17, all an `f64` holds).
fn decimals_of(value: f64) -> usize {
    let text = format!("{value}");
    text.split_once('.')
        .map_or(0, |(_, fraction)| fraction.len())
        .min(17)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(key: &str, min: f64, max: f64, step: f64, default: &str) -> Control {
        Control {
            key: key.into(),
            kind: ControlKind::Number {
                min: Some(min),
                max: Some(max),
                step: Some(step),
            },
            default: default.into(),
        }
    }

    fn dropout() -> FigureControls {
        FigureControls {
            name: "dropout".into(),
            controls: vec![
                range("rate-1", 0.0, 0.8, 0.05, "0.5"),
                Control {
                    key: "mode".into(),
                    kind: ControlKind::Choice(vec!["tanh".into(), "relu".into()]),
                    default: "tanh".into(),
                },
                Control {
                    key: "scale".into(),
                    kind: ControlKind::Checkbox,
                    default: "1".into(),
                },
                Control {
                    key: "text".into(),
                    kind: ControlKind::Text { max_len: 5 },
                    default: "31415".into(),
                },
            ],
        }
    }

    #[test]
    fn a_figures_own_settings_read_as_its_link_keys() {
        // A "Try this" button's `rate-1=0.25&mode=relu`, for the dropout figure.
        let params = HashParams::parse("rate-1=0.25&mode=relu").prefixed("dropout.");
        let parsed = parse(&params, &[dropout()]);
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        let set: Vec<(usize, &str)> = parsed
            .settings
            .iter()
            .map(|s| (s.control, s.value.as_str()))
            .collect();
        assert_eq!(set, vec![(0, "0.25"), (1, "relu")]);
        // Off the control's step, an unknown key, a figure's name written twice: each is named.
        for bad in [
            "rate-1=0.33",
            "rate=0.25",
            "dropout.rate-1=0.25",
            "mode=sigmoid",
        ] {
            let parsed = parse(&HashParams::parse(bad).prefixed("dropout."), &[dropout()]);
            assert_eq!(parsed.notices.len(), 1, "{bad}: {:?}", parsed.notices);
        }
    }

    fn keys(notices: &[Notice]) -> Vec<&str> {
        notices.iter().map(|n| n.key.as_str()).collect()
    }

    #[test]
    fn keys_split_into_figure_and_control() {
        assert_eq!(split_key("dropout.rate-1"), Some(("dropout", "rate-1")));
        assert_eq!(
            split_key("cost-margin.loss_kind"),
            Some(("cost-margin", "loss_kind"))
        );
        assert_eq!(split_key("noise"), None);
        assert_eq!(split_key(".x"), None);
        assert_eq!(split_key("Dropout.x"), None);
        assert_eq!(split_key("dropout."), None);
        assert_eq!(split_key("a.b c"), None);
    }

    #[test]
    fn plain_anchors_are_not_settings() {
        assert!(is_anchor("#costs"));
        assert!(is_anchor(""));
        assert!(!is_anchor("#dropout.rate-1=0.2"));
        assert!(!is_anchor("#a&b"));
    }

    #[test]
    fn only_changed_controls_are_written_and_read_back() {
        let fig = dropout();
        let defaults: Vec<String> = fig.controls.iter().map(|c| c.default.clone()).collect();
        assert_eq!(encode(&fig, &defaults), "");
        // 0.50 is the default 0.5 written differently, so it is left out too.
        let values: Vec<String> = ["0.50", "relu", "0", "2 7&"]
            .iter()
            .map(|v| (*v).to_owned())
            .collect();
        let hash = encode(&fig, &values);
        assert_eq!(
            hash,
            "dropout.mode=relu&dropout.scale=0&dropout.text=2%207%26"
        );
        let parsed = parse(&HashParams::parse(&hash), &[fig]);
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        assert_eq!(parsed.named, vec![0]);
        let set: Vec<(usize, &str)> = parsed
            .settings
            .iter()
            .map(|s| (s.control, s.value.as_str()))
            .collect();
        assert_eq!(set, vec![(1, "relu"), (2, "0"), (3, "2 7&")]);
    }

    #[test]
    fn numbers_are_clamped_and_snapped_with_notices() {
        let rate = range("rate-1", 0.0, 0.8, 0.05, "0.5");
        assert_eq!(check("k", &rate, "0.25"), (Some("0.25".into()), None));
        // 7 × 0.05 is 0.35000000000000003 in floating point, yet 0.35 is on the grid.
        assert_eq!(check("k", &rate, "0.35"), (Some("0.35".into()), None));
        let (value, notice) = check("k", &rate, "7");
        assert_eq!(value.as_deref(), Some("0.8"));
        assert_eq!(notice.map(|n| n.kind), Some(NoticeKind::Clamped));
        let (value, notice) = check("k", &rate, "-1");
        assert_eq!(value.as_deref(), Some("0"));
        assert_eq!(notice.map(|n| n.kind), Some(NoticeKind::Clamped));
        // 0.33 lies between the steps 0.30 and 0.35; 0.35 is nearer.
        let (value, notice) = check("k", &rate, "0.33");
        assert_eq!(value.as_deref(), Some("0.35"));
        assert_eq!(notice.map(|n| n.kind), Some(NoticeKind::Adjusted));
        for bad in ["abc", "NaN", "inf", "1e999", "", "0x10"] {
            let (value, notice) = check("k", &rate, bad);
            assert_eq!(value, None, "{bad}");
            let notice = notice.expect("a notice");
            assert_eq!(notice.kind, NoticeKind::DefaultUsed);
            assert!(notice.message.contains("using 0.5"), "{}", notice.message);
        }
    }

    #[test]
    fn steps_count_from_the_minimum_and_stay_inside_the_range() {
        // Steps of 2 from 1: 1, 3, 5, 7, 9; 10 is off the grid, so 9 is the largest.
        assert_eq!(snap(4.2, Some(1.0), Some(10.0), Some(2.0)), 5.0);
        assert_eq!(snap(10.0, Some(1.0), Some(10.0), Some(2.0)), 9.0);
        assert_eq!(snap(-3.0, None, None, None), -3.0);
        assert_eq!(format_number(0.1 + 0.2, Some(0.0), Some(0.1)), "0.3");
        assert_eq!(format_number(1e-4, Some(0.0001), Some(0.0001)), "0.0001");
        // A minimum set by a figure at run time, with all its digits: a value on its grid reads
        // back without a notice.
        let min = -2.426970986538514;
        let odd = range("k", min, 0.573029013461486, 0.01, "-1");
        let (value, notice) = check("k", &odd, "0.573029013461486");
        assert_eq!(notice, None);
        let value: f64 = value.expect("a value").parse().expect("a number");
        assert!((value - 0.573029013461486).abs() < 1e-12, "{value}");
    }

    #[test]
    fn choices_checkboxes_and_text_are_checked() {
        let fig = dropout();
        let parsed = parse(
            &HashParams::parse(
                "#dropout.mode=sigmoid&dropout.scale=yes&dropout.text=123456789&dropout.nope=1&nofig.x=1&a.b.c=1&noise=5",
            ),
            &[fig],
        );
        assert_eq!(
            keys(&parsed.notices),
            vec![
                "dropout.mode",
                "dropout.scale",
                "dropout.text",
                "dropout.nope",
                "nofig.x",
                "a.b.c"
            ]
        );
        // Only the text, cut to its length, is used; `noise` is the playground's.
        assert_eq!(parsed.settings.len(), 1);
        assert_eq!(parsed.settings[0].value, "12345");
        assert!(parsed.notices[0].message.contains("using tanh"));
        assert_eq!(
            parsed.notices[3].message,
            "unknown key dropout.nope ignored"
        );
    }

    #[test]
    fn a_repeated_key_uses_its_last_value_and_says_so() {
        let parsed = parse(
            &HashParams::parse("dropout.mode=tanh&dropout.mode=relu"),
            &[dropout()],
        );
        assert_eq!(parsed.settings.len(), 1);
        assert_eq!(parsed.settings[0].value, "relu");
        assert_eq!(keys(&parsed.notices), vec!["dropout.mode"]);
    }

    #[test]
    fn thousands_of_bad_keys_give_a_short_list() {
        let stray: Vec<String> = (0..2_000).map(|i| format!("dropout.k{i}=1")).collect();
        let parsed = parse(&HashParams::parse(&stray.join("&")), &[dropout()]);
        assert_eq!(parsed.notices.len(), MAX_NOTICES + 1);
        assert_eq!(
            parsed.notices[MAX_NOTICES].message,
            "1988 more problems with the link"
        );
    }

    /// Property tests, on the host only (proptest does not build for the page).
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn no_hash_panics_and_every_setting_is_valid(hash in ".{0,200}") {
                let figs = [dropout()];
                let parsed = parse(&HashParams::parse(&hash), &figs);
                for s in &parsed.settings {
                    let control = &figs[s.figure].controls[s.control];
                    // A value the parser accepted reads back unchanged and without a notice.
                    let (again, notice) = check("k", control, &s.value);
                    prop_assert_eq!(again.as_deref(), Some(s.value.as_str()));
                    prop_assert!(notice.is_none(), "{:?}", notice);
                }
            }

            #[test]
            fn any_figure_key_value_is_checked_without_panic(
                key in "dropout\\.(rate-1|mode|scale|text|[a-z]{1,3})",
                value in "\\PC{0,30}|-?[0-9]{1,4}(\\.[0-9]{1,6})?(e-?[0-9]{1,3})?",
            ) {
                let mut params = HashParams::new();
                params.set(&key, &value);
                let hash = params.encode();
                let parsed = parse(&HashParams::parse(&hash), &[dropout()]);
                prop_assert!(parsed.settings.len() + parsed.notices.len() >= 1);
                if let Some(s) = parsed.settings.first()
                    && s.control == 0
                {
                    let v: f64 = s.value.parse().unwrap_or(f64::NAN);
                    prop_assert!((0.0..=0.8).contains(&v), "{}", s.value);
                }
            }

            #[test]
            fn snapped_numbers_stay_in_range(
                value in -1e6f64..1e6,
                min in -100f64..100.0,
                width in 0f64..100.0,
                step in 0.001f64..10.0,
            ) {
                let v = snap(value, Some(min), Some(min + width), Some(step));
                prop_assert!(v >= min && v <= min + width + 1e-9, "{v}");
            }
        }
    }
}
