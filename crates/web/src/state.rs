//! The figures' settings in the URL hash, so that a shared link reproduces what the reader saw.
//!
//! A link such as `#dataset=xor&noise=10&networkShape=4,2&seed=7` pins a figure's settings, in the
//! style of TensorFlow Playground, whose keys and values the playground shares. The hash is read
//! once into [`HashParams`] (ordered, percent-decoded key/value pairs). Each figure describes its
//! settings in one [`Table`] of [`Field`]s, and that one table drives both reading and writing, as
//! the Playground's `State.PROPS` does:
//!
//! - [`Table::parse`] builds the figure's state from its defaults, reads each field it finds,
//!   clamps values to their ranges and falls back to the default for values it cannot read, and
//!   returns a [`Notice`] for every key it ignored or changed. It never fails: an entirely malformed
//!   hash gives the defaults and notices.
//! - [`Table::to_hash`] writes every field, in the table's order, and leaves every other key of the
//!   hash where it was, so several figures can keep their state in one hash.
//!
//! A figure owns the keys that start with its prefix ([`FIGURE_PREFIXES`]); the playground's prefix
//! is empty. Every other figure keeps its controls' values under `name.key` keys such as
//! `dropout.rate-1`, read and written with no code per figure by [`figures`]. Keys that belong to
//! no figure are reported as unknown but kept in the hash.
//!
//! Nothing here touches the browser: the page passes `location.hash` in and writes the text out.
//! [`playground`] holds the playground's table and state.

use std::collections::HashSet;
use std::fmt;

/// Defines an enum of named choices for a [`Kind::Choice`] field: the variants, their names in the
/// hash (`NAMES`, in menu order), `name()` and `from_name()`. Mark the default with `#[default]`.
macro_rules! choice_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every choice's name in the hash, in menu order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The choice's name in the hash.
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }

            /// The choice called `name` in the hash, if there is one.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $text => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

pub mod figures;
pub mod playground;

pub use playground::PlaygroundState;

/// The key prefix of every figure that keeps its state in the hash.
///
/// A key belongs to the figure with the longest prefix it starts with. The playground's prefix is
/// empty, so it also receives, and reports, every key that belongs to no figure. The other figures
/// need no prefix here: their `name.key` keys are the figures' controls ([`figures`]).
pub const FIGURE_PREFIXES: &[&str] = &[playground::PREFIX];

/// The prefix of the figure that owns `key`, if any (the longest registered prefix it starts with).
///
/// A key of the form `figure.key` ([`figures::split_key`]) is one of the figures' controls, read
/// by [`figures::parse`], and belongs to no table: the playground neither reads nor reports it,
/// and keeps it in the hash.
fn owner(key: &str) -> Option<&'static str> {
    if figures::split_key(key).is_some() {
        return None;
    }
    FIGURE_PREFIXES
        .iter()
        .copied()
        .filter(|prefix| key.starts_with(prefix))
        .max_by_key(|prefix| prefix.len())
}

// ---------------------------------------------------------------------------------------------
// The hash as ordered key/value pairs.
// ---------------------------------------------------------------------------------------------

/// A URL hash as ordered key/value pairs, percent-decoded.
///
/// Reading accepts `#a=1&b=x` or `a=1&b=x`; an empty segment (`a=1&&b=2`) is skipped, a segment
/// without `=` is a key with an empty value, and only the first `=` splits key from value. `%XX`
/// with two hexadecimal digits is decoded as a byte; a `%` not followed by two hexadecimal digits
/// is kept as it is, and bytes that are not UTF-8 become U+FFFD. `+` is kept as `+` (a hash is not
/// a form). Writing percent-encodes every byte outside `[A-Za-z0-9._,-]`, so any keys and values
/// read back exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashParams {
    pairs: Vec<(String, String)>,
}

impl HashParams {
    /// No pairs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a location hash, with or without its leading `#`. Any text is accepted.
    pub fn parse(hash: &str) -> Self {
        let body = hash.strip_prefix('#').unwrap_or(hash);
        let pairs = body
            .split('&')
            .filter(|segment| !segment.is_empty())
            .map(|segment| {
                let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
                (percent_decode(key), percent_decode(value))
            })
            .collect();
        Self { pairs }
    }

    /// The value of the last pair with this key: a later repetition wins, as in the Playground.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// How many pairs have this key.
    pub fn count(&self, key: &str) -> usize {
        self.pairs.iter().filter(|(k, _)| k == key).count()
    }

    /// Sets `key` to `value`: the first pair with this key takes the value and keeps its place,
    /// later repetitions are removed; a new key goes at the end.
    pub fn set(&mut self, key: &str, value: &str) {
        match self.pairs.iter().position(|(k, _)| k == key) {
            Some(first) => {
                self.pairs[first].1 = value.to_owned();
                let mut index = 0;
                self.pairs.retain(|(k, _)| {
                    let keep = index <= first || k != key;
                    index += 1;
                    keep
                });
            }
            None => self.pairs.push((key.to_owned(), value.to_owned())),
        }
    }

    /// Removes every pair with this key.
    pub fn remove(&mut self, key: &str) {
        self.pairs.retain(|(k, _)| k != key);
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The same pairs, in order and with their repetitions, each key written after `prefix`: a
    /// figure's own settings (`rate-3=0.9`) as keys of the page's hash (`dropout.rate-3=0.9`).
    pub fn prefixed(&self, prefix: &str) -> Self {
        Self {
            pairs: self
                .pairs
                .iter()
                .map(|(k, v)| (format!("{prefix}{k}"), v.clone()))
                .collect(),
        }
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Replaces every pair whose key satisfies `owned` by `block`, placed where the first owned
    /// pair was (or at the end), so that a figure's keys keep their place among other figures'.
    fn replace_block(&mut self, owned: impl Fn(&str) -> bool, block: Vec<(String, String)>) {
        let mut block = Some(block);
        let mut pairs = Vec::with_capacity(self.pairs.len());
        for (key, value) in self.pairs.drain(..) {
            if owned(&key) {
                if let Some(block) = block.take() {
                    pairs.extend(block);
                }
            } else {
                pairs.push((key, value));
            }
        }
        if let Some(block) = block {
            pairs.extend(block);
        }
        self.pairs = pairs;
    }

    /// The pairs as hash text without the leading `#`: `key=value` joined by `&`, percent-encoded.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (key, value)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            percent_encode_into(key, &mut out);
            out.push('=');
            percent_encode_into(value, &mut out);
        }
        out
    }
}

/// Whether a byte is written as itself in the hash: `[A-Za-z0-9._,-]`.
fn is_plain(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b',' | b'-')
}

/// Appends `text` percent-encoded (UTF-8 bytes, upper-case hexadecimal) to `out`.
fn percent_encode_into(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if is_plain(byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
}

/// `text` percent-encoded as the hash writes it.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    percent_encode_into(text, &mut out);
    out
}

/// Decodes `%XX` escapes; a `%` without two hexadecimal digits stays literal, and bytes that do not
/// form UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    if !bytes.contains(&b'%') {
        return text.to_owned();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).and_then(|b| hex_digit(*b)),
                bytes.get(i + 2).and_then(|b| hex_digit(*b)),
            )
        {
            out.push((high << 4) | low);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of one hexadecimal digit.
fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

// ---------------------------------------------------------------------------------------------
// Notices: what the page tells the reader about a link it could not follow exactly.
// ---------------------------------------------------------------------------------------------

/// What happened to a key of the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The key was ignored: unknown, not supported, or an earlier repetition.
    Ignored,
    /// The value could not be read; the default was used.
    DefaultUsed,
    /// The value was outside its range; the nearest allowed value was used.
    Clamped,
    /// The value was read but changed: rounded, entries dropped, or a text seed turned into a number.
    Adjusted,
}

/// One key of the link that the page did not follow exactly, and why, in words for the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The key as it appeared in the hash (with the figure's prefix).
    pub key: String,
    /// What happened to it.
    pub kind: NoticeKind,
    /// A sentence for the reader, such as "learningRate=abc is not a number; using 0.03".
    pub message: String,
}

impl Notice {
    /// A notice about `key`.
    fn new(key: &str, kind: NoticeKind, message: String) -> Self {
        Self {
            key: key.to_owned(),
            kind,
            message,
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The most unknown keys named one by one; further ones are counted in one notice (with an empty
/// key), so a link with thousands of stray keys gives a readable list.
const MAX_UNKNOWN_NOTICES: usize = 10;

/// The most changes to a list's entries named in its notice; further ones are counted.
const MAX_LISTED_PROBLEMS: usize = 10;

/// The longest piece of a reader's value quoted in a notice.
const QUOTE_CHARS: usize = 40;

/// `text` shortened for a notice: at most [`QUOTE_CHARS`] characters, then "…".
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Names positions in English: "3", "3 and 7", "3, 7 and 12", "3, 7, … and 40 more".
fn list_positions(positions: &[usize]) -> String {
    const SHOWN: usize = 10;
    let shown: Vec<String> = positions.iter().take(SHOWN).map(usize::to_string).collect();
    let more = positions.len().saturating_sub(SHOWN);
    if more > 0 {
        return format!("{} and {more} more", shown.join(", "));
    }
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Field tables: one per figure, driving both parse and serialise.
// ---------------------------------------------------------------------------------------------

/// A value of a field, as the table's getters return it and its setters take it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// One of a [`Kind::Choice`] field's names.
    Choice(&'static str),
    /// A [`Kind::Number`] value.
    Number(f64),
    /// A [`Kind::Integer`] value.
    Integer(i64),
    /// A [`Kind::Bool`] value.
    Bool(bool),
    /// A [`Kind::IntList`] value.
    IntList(Vec<i64>),
    /// A [`Kind::Seed`] value.
    Seed(u32),
    /// A [`Kind::Points`] value.
    Points(Vec<Point>),
}

/// A point placed by the reader: coordinates and a label, each rounded to two decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
    /// A class (a whole number) or a regression target, as the field's [`LabelRule`] says.
    pub label: f64,
}

/// What a [`Kind::Points`] field accepts as a point's label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelRule {
    /// A class: a whole number from 0 to `count − 1`.
    Classes {
        /// The number of classes.
        count: u32,
    },
    /// A target value from `min` to `max`, rounded to two decimals.
    Values {
        /// The smallest value.
        min: f64,
        /// The largest value.
        max: f64,
    },
}

impl LabelRule {
    /// The label as stored, if `raw` is allowed.
    fn accept(self, raw: f64) -> Option<f64> {
        match self {
            LabelRule::Classes { count } => {
                (raw.fract() == 0.0 && raw >= 0.0 && raw < f64::from(count)).then_some(raw + 0.0)
            }
            LabelRule::Values { min, max } => (min..=max).contains(&raw).then(|| round2(raw)),
        }
    }

    /// The rule in words, for a notice.
    fn describe(self) -> String {
        match self {
            LabelRule::Classes { count } => {
                format!(
                    "a label that is a whole number from 0 to {}",
                    count.saturating_sub(1)
                )
            }
            LabelRule::Values { min, max } => format!("a value from {min} to {max}"),
        }
    }
}

/// Rounds to two decimals (and turns −0 into 0).
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0 + 0.0
}

/// What a field holds, how its text is read and written, and its allowed range.
pub enum Kind<S> {
    /// One of a list of names (matched exactly, else ignoring ASCII case).
    Choice(&'static [&'static str]),
    /// A real number from `min` to `max`, written in the shortest form that reads back the same.
    Number {
        /// The smallest allowed value.
        min: f64,
        /// The largest allowed value.
        max: f64,
    },
    /// A whole number from `min` to `max`; a fractional value is rounded with a notice.
    Integer {
        /// The smallest allowed value.
        min: i64,
        /// The largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// Whole numbers separated by commas, each from `min` to `max`, at most `max_len` of them; the
    /// empty text is the empty list.
    IntList {
        /// The most entries.
        max_len: usize,
        /// The smallest allowed entry.
        min: i64,
        /// The largest allowed entry.
        max: i64,
    },
    /// A random seed: a decimal `u32`, or any other text turned into one with FNV-1a.
    Seed,
    /// Points `x:y:label` separated by `;`, with `x` and `y` from `−limit` to `limit` rounded to two
    /// decimals and labels as `labels` says for the state read so far; at most `max_points`.
    Points {
        /// The most points kept.
        max_points: usize,
        /// The largest absolute coordinate.
        limit: f64,
        /// The labels allowed, given the fields read before this one.
        labels: fn(&S) -> LabelRule,
    },
}

/// One setting of a figure: its key, what it holds, and how to read and write it in the state.
pub struct Field<S> {
    /// The key in the hash, without the figure's prefix.
    pub key: &'static str,
    /// What the field holds and its range.
    pub kind: Kind<S>,
    /// The field's value in a state.
    pub get: fn(&S) -> Value,
    /// Stores a value (already checked against the kind) in a state.
    pub set: fn(&mut S, Value),
}

/// A figure's settings: the table that reads them from the hash and writes them back.
///
/// The default of every field is the field's value in `S::default()`, so defaults live in one
/// place. Fields are read in the table's order, so a field may depend on one read before it (the
/// playground's custom points check their labels against the problem).
pub struct Table<S: 'static> {
    /// Prepended to every key, such as `dropout.`; empty for the playground.
    pub prefix: &'static str,
    /// The fields, in the order they are read and written.
    pub fields: &'static [Field<S>],
    /// Keys other tools write that this figure knows it does not support (reported as such).
    pub unsupported: &'static [&'static str],
    /// Checks between fields once all are read (such as a split that must leave a test set); it
    /// fixes the state and says what it changed.
    pub check: fn(&mut S, &mut Vec<Notice>),
}

impl<S: Default> Table<S> {
    /// The full key of a field, with the figure's prefix.
    pub fn key(&self, field: &Field<S>) -> String {
        format!("{}{}", self.prefix, field.key)
    }

    /// The figure's state from the hash's pairs, with a notice for every key ignored or changed.
    pub fn parse(&self, params: &HashParams) -> (S, Vec<Notice>) {
        let defaults = S::default();
        let mut state = S::default();
        let mut notices = Vec::new();
        for field in self.fields {
            let key = self.key(field);
            let Some(text) = params.get(&key) else {
                continue;
            };
            let repeats = params.count(&key);
            if repeats > 1 {
                notices.push(Notice::new(
                    &key,
                    NoticeKind::Ignored,
                    format!("{key} appears {repeats} times; the last one is used"),
                ));
            }
            let default = (field.get)(&defaults);
            if let Some(value) = read(&field.kind, &key, text, &default, &state, &mut notices) {
                (field.set)(&mut state, value);
            }
        }
        self.report_unknown(params, &mut notices);
        (self.check)(&mut state, &mut notices);
        (state, notices)
    }

    /// Reports, once each, the keys this figure owns that are none of its fields.
    fn report_unknown(&self, params: &HashParams, notices: &mut Vec<Notice>) {
        let field_keys: HashSet<String> = self.fields.iter().map(|f| self.key(f)).collect();
        let mut reported: HashSet<&str> = HashSet::new();
        let mut unreported = 0;
        for (key, value) in params.iter() {
            if owner(key) != Some(self.prefix) || field_keys.contains(key) || !reported.insert(key)
            {
                continue;
            }
            if reported.len() > MAX_UNKNOWN_NOTICES {
                unreported += 1;
                continue;
            }
            let message = if key.is_empty() {
                format!("a value without a key (={}) ignored", quote(value))
            } else if self
                .unsupported
                .iter()
                .any(|u| key.strip_prefix(self.prefix) == Some(u))
            {
                format!("{} is not supported here; ignored", quote(key))
            } else {
                format!("unknown key {} ignored", quote(key))
            };
            notices.push(Notice::new(key, NoticeKind::Ignored, message));
        }
        if unreported > 0 {
            notices.push(Notice::new(
                "",
                NoticeKind::Ignored,
                format!("{unreported} more unknown keys ignored"),
            ));
        }
    }

    /// Writes every field of `state` into `params`, in the table's order, where the figure's keys
    /// were (or at the end), leaving every other key untouched.
    pub fn write(&self, state: &S, params: &mut HashParams) {
        let block: Vec<(String, String)> = self
            .fields
            .iter()
            .map(|field| (self.key(field), format_value(&(field.get)(state))))
            .collect();
        let keys: Vec<String> = block.iter().map(|(k, _)| k.clone()).collect();
        params.replace_block(|key| keys.iter().any(|k| k == key), block);
    }

    /// The hash (with its `#`) holding `state` and every other key of `other_keys`.
    pub fn to_hash(&self, state: &S, other_keys: &HashParams) -> String {
        let mut params = other_keys.clone();
        self.write(state, &mut params);
        format!("#{}", params.encode())
    }
}

/// The text a value is written as.
pub fn format_value(value: &Value) -> String {
    match value {
        Value::Choice(name) => (*name).to_owned(),
        Value::Number(v) => format!("{v}"),
        Value::Integer(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::IntList(entries) => entries
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        Value::Seed(seed) => seed.to_string(),
        Value::Points(points) => points
            .iter()
            .map(|p| format!("{}:{}:{}", p.x, p.y, p.label))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

/// The 32-bit FNV-1a hash of `text`'s UTF-8 bytes, which turns a text seed into a number.
pub fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811C_9DC5, |hash: u32, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// A whole number from text: `Some((n, rounded))`, where `rounded` says a fraction was rounded.
/// Values beyond `i64` saturate; text that is not a finite number gives `None`.
fn read_integer(text: &str) -> Option<(i64, bool)> {
    if let Ok(n) = text.parse::<i64>() {
        return Some((n, false));
    }
    let v = text.parse::<f64>().ok().filter(|v| v.is_finite())?;
    let rounded = v.round();
    // A float-to-integer `as` saturates, which is the clamping wanted for huge values.
    Some((rounded as i64, rounded != v))
}

/// Reads one field's text; `None` keeps the default. Every change is explained in `notices`.
fn read<S>(
    kind: &Kind<S>,
    key: &str,
    text: &str,
    default: &Value,
    state: &S,
    notices: &mut Vec<Notice>,
) -> Option<Value> {
    let fallback = format_value(default);
    let mut say = |kind: NoticeKind, message: String| {
        notices.push(Notice::new(key, kind, message));
    };
    let raw = quote(text);
    let trimmed = text.trim();
    // Lists may be empty and a seed may be any text, even spaces; anything else needs a value.
    let may_be_blank = match kind {
        Kind::IntList { .. } | Kind::Points { .. } => true,
        Kind::Seed => !text.is_empty(),
        _ => false,
    };
    if trimmed.is_empty() && !may_be_blank {
        say(
            NoticeKind::DefaultUsed,
            format!("{key} has no value; using {fallback}"),
        );
        return None;
    }
    match kind {
        Kind::Choice(names) => {
            let found = names
                .iter()
                .find(|n| **n == trimmed)
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(trimmed)))
                .copied();
            if found.is_none() {
                say(
                    NoticeKind::DefaultUsed,
                    format!(
                        "{key}={raw} is not one of {}; using {fallback}",
                        names.join(", ")
                    ),
                );
            }
            found.map(Value::Choice)
        }
        Kind::Bool => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => {
                say(
                    NoticeKind::DefaultUsed,
                    format!("{key}={raw} is not true or false; using {fallback}"),
                );
                None
            }
        },
        Kind::Number { min, max } => {
            let Some(v) = trimmed.parse::<f64>().ok().filter(|v| v.is_finite()) else {
                say(
                    NoticeKind::DefaultUsed,
                    format!("{key}={raw} is not a number; using {fallback}"),
                );
                return None;
            };
            let clamped = v.clamp(*min, *max) + 0.0;
            if clamped != v {
                say(
                    NoticeKind::Clamped,
                    clamp_message(key, &raw, *min, *max, clamped),
                );
            }
            Some(Value::Number(clamped))
        }
        Kind::Integer { min, max } => {
            let Some((n, rounded)) = read_integer(trimmed) else {
                say(
                    NoticeKind::DefaultUsed,
                    format!("{key}={raw} is not a number; using {fallback}"),
                );
                return None;
            };
            let clamped = n.clamp(*min, *max);
            if clamped != n {
                say(
                    NoticeKind::Clamped,
                    clamp_message(key, &raw, *min, *max, clamped),
                );
            } else if rounded {
                say(
                    NoticeKind::Adjusted,
                    format!("{key}={raw} is not a whole number; using {n}"),
                );
            }
            Some(Value::Integer(clamped))
        }
        Kind::Seed => match text.parse::<u32>() {
            Ok(seed) => Some(Value::Seed(seed)),
            Err(_) => {
                let seed = fnv1a(text);
                say(
                    NoticeKind::Adjusted,
                    format!(
                        "{key}={raw} is not a whole number from 0 to {}; using {seed}, made from its text",
                        u32::MAX
                    ),
                );
                Some(Value::Seed(seed))
            }
        },
        Kind::IntList { max_len, min, max } => {
            let (entries, problems) = read_int_list(trimmed, *max_len, *min, *max);
            if !problems.is_empty() {
                say(
                    NoticeKind::Adjusted,
                    format!("{key}={raw}: {}", problems.join("; ")),
                );
            }
            Some(Value::IntList(entries))
        }
        Kind::Points {
            max_points,
            limit,
            labels,
        } => {
            let rule = labels(state);
            let (points, bad, extra) = read_points(trimmed, *max_points, *limit, rule);
            if !bad.is_empty() {
                let (noun, verb) = if bad.len() == 1 {
                    ("entry", "is not a point")
                } else {
                    ("entries", "are not points")
                };
                say(
                    NoticeKind::Adjusted,
                    format!(
                        "{key}: {noun} {} {verb} x:y:label with x and y from -{limit} to {limit} \
                         and {}; skipped",
                        list_positions(&bad),
                        rule.describe()
                    ),
                );
            }
            if extra > 0 {
                say(
                    NoticeKind::Adjusted,
                    format!(
                        "{key}: only the first {max_points} points are kept; {extra} more ignored"
                    ),
                );
            }
            Some(Value::Points(points))
        }
    }
}

/// "noise=80 is outside 0 to 50; using 50".
fn clamp_message<T: fmt::Display>(key: &str, raw: &str, min: T, max: T, used: T) -> String {
    format!("{key}={raw} is outside {min} to {max}; using {used}")
}

/// Reads comma-separated whole numbers: the entries kept, and what was changed, in words.
fn read_int_list(text: &str, max_len: usize, min: i64, max: i64) -> (Vec<i64>, Vec<String>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    if text.is_empty() {
        return (entries, problems);
    }
    let mut dropped_for_length = 0;
    for (i, entry) in text.split(',').enumerate() {
        let position = i + 1;
        let entry = entry.trim();
        let Some((n, rounded)) = read_integer(entry) else {
            problems.push(format!(
                "entry {position} ({}) is not a whole number and was dropped",
                quote(entry)
            ));
            continue;
        };
        if entries.len() == max_len {
            dropped_for_length += 1;
            continue;
        }
        let clamped = n.clamp(min, max);
        if clamped != n {
            problems.push(format!(
                "entry {position} ({}) is outside {min} to {max}; using {clamped}",
                quote(entry)
            ));
        } else if rounded {
            problems.push(format!(
                "entry {position} ({}) is not a whole number; using {n}",
                quote(entry)
            ));
        }
        entries.push(clamped);
    }
    if problems.len() > MAX_LISTED_PROBLEMS {
        let more = problems.len() - MAX_LISTED_PROBLEMS;
        problems.truncate(MAX_LISTED_PROBLEMS);
        problems.push(format!("{more} more entries changed"));
    }
    if dropped_for_length > 0 {
        problems.push(format!(
            "only the first {max_len} entries are used; {dropped_for_length} more dropped"
        ));
    }
    (entries, problems)
}

/// Reads `x:y:label` points separated by `;`: the points kept, the 1-based positions of malformed
/// entries, and how many well-formed points beyond `max_points` were ignored.
fn read_points(
    text: &str,
    max_points: usize,
    limit: f64,
    rule: LabelRule,
) -> (Vec<Point>, Vec<usize>, usize) {
    let mut points = Vec::new();
    let mut bad = Vec::new();
    let mut extra = 0;
    if text.is_empty() {
        return (points, bad, extra);
    }
    for (i, entry) in text.split(';').enumerate() {
        match read_point(entry.trim(), limit, rule) {
            Some(_) if points.len() == max_points => extra += 1,
            Some(point) => points.push(point),
            None => bad.push(i + 1),
        }
    }
    (points, bad, extra)
}

/// One `x:y:label` point, if it is well formed and within range.
fn read_point(entry: &str, limit: f64, rule: LabelRule) -> Option<Point> {
    let mut parts = entry.split(':');
    let mut number = || {
        parts
            .next()
            .and_then(|p| p.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    let (x, y, label) = (number()?, number()?, number()?);
    if parts.next().is_some() {
        return None;
    }
    // The range is checked on the value as written, then rounded: the same rule as a CSV file's.
    let inside = |v: f64| (-limit..=limit).contains(&v);
    if !inside(x) || !inside(y) {
        return None;
    }
    Some(Point {
        x: round2(x),
        y: round2(y),
        label: rule.accept(label)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_nn::Rng;

    fn pairs(params: &HashParams) -> Vec<(&str, &str)> {
        params.iter().collect()
    }

    #[test]
    fn reads_pairs_with_or_without_the_hash_sign() {
        let expected = vec![("a", "1"), ("b", "x")];
        assert_eq!(pairs(&HashParams::parse("#a=1&b=x")), expected);
        assert_eq!(pairs(&HashParams::parse("a=1&b=x")), expected);
        assert!(HashParams::parse("").is_empty());
        assert!(HashParams::parse("#").is_empty());
    }

    #[test]
    fn reads_odd_segments_without_failing() {
        // Empty segments are skipped, a bare key has an empty value, only the first `=` splits.
        let params = HashParams::parse("#&a&&b=c=d&=v&");
        assert_eq!(pairs(&params), vec![("a", ""), ("b", "c=d"), ("", "v")]);
    }

    #[test]
    fn decodes_percent_escapes_and_keeps_malformed_ones() {
        // %E2%82%AC is the UTF-8 encoding of "€" (U+20AC); %26 is "&", %3D is "=".
        let params = HashParams::parse("k%3D=%E2%82%AC%26x&bad=%zz%4&%=%");
        assert_eq!(
            pairs(&params),
            vec![("k=", "€&x"), ("bad", "%zz%4"), ("%", "%")]
        );
        // A lone byte 0xFF is not UTF-8, so it reads as U+FFFD.
        assert_eq!(percent_decode("a%FFb"), "a\u{FFFD}b");
        // `+` is not a space in a hash.
        assert_eq!(percent_decode("a+b"), "a+b");
    }

    #[test]
    fn encodes_everything_outside_the_plain_set() {
        assert_eq!(percent_encode("aZ09._,-"), "aZ09._,-");
        // "€" is E2 82 AC in UTF-8; ":" is 0x3A, ";" 0x3B, " " 0x20, "&" 0x26, "=" 0x3D, "%" 0x25.
        assert_eq!(percent_encode("€: ;&=%"), "%E2%82%AC%3A%20%3B%26%3D%25");
        let mut params = HashParams::new();
        params.set("a b", "1&2");
        params.set("c", "");
        assert_eq!(params.encode(), "a%20b=1%262&c=");
    }

    #[test]
    fn the_last_repetition_wins_and_set_keeps_the_first_place() {
        let mut params = HashParams::parse("a=1&b=2&a=3");
        assert_eq!(params.get("a"), Some("3"));
        assert_eq!(params.count("a"), 2);
        params.set("a", "9");
        assert_eq!(pairs(&params), vec![("a", "9"), ("b", "2")]);
        params.set("c", "4");
        assert_eq!(pairs(&params), vec![("a", "9"), ("b", "2"), ("c", "4")]);
        params.remove("b");
        assert_eq!(pairs(&params), vec![("a", "9"), ("c", "4")]);
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn replacing_a_block_keeps_its_place() {
        let mut params = HashParams::parse("x=1&a=old&y=2&b=old");
        let block = vec![
            ("a".to_owned(), "A".to_owned()),
            ("b".to_owned(), "B".to_owned()),
        ];
        params.replace_block(|k| k == "a" || k == "b", block.clone());
        assert_eq!(
            pairs(&params),
            vec![("x", "1"), ("a", "A"), ("b", "B"), ("y", "2")]
        );
        let mut fresh = HashParams::parse("x=1");
        fresh.replace_block(|k| k == "a" || k == "b", block);
        assert_eq!(pairs(&fresh), vec![("x", "1"), ("a", "A"), ("b", "B")]);
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv, 32-bit FNV-1a):
        // "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
        assert_eq!(fnv1a(""), 0x811C_9DC5);
        assert_eq!(fnv1a("a"), 0xE40C_292C);
        assert_eq!(fnv1a("foobar"), 0xBF9C_F968);
    }

    #[test]
    fn names_positions_in_english() {
        assert_eq!(list_positions(&[3]), "3");
        assert_eq!(list_positions(&[3, 7]), "3 and 7");
        assert_eq!(list_positions(&[3, 7, 12]), "3, 7 and 12");
        let many: Vec<usize> = (1..=13).collect();
        assert_eq!(
            list_positions(&many),
            "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 3 more"
        );
    }

    #[test]
    fn quotes_long_values_shortened() {
        let long = "é".repeat(100);
        let quoted = quote(&long);
        // 40 characters kept (QUOTE_CHARS), then the ellipsis.
        assert_eq!(quoted.chars().count(), QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
        assert_eq!(quote("short"), "short");
    }

    #[test]
    fn every_key_has_an_owner_while_the_playground_has_the_empty_prefix() {
        assert_eq!(owner("noise"), Some(""));
        // A figure's control key belongs to the figures' controls, not to a table.
        assert_eq!(owner("dropout.rate"), None);
        assert_eq!(owner("a.b.c"), Some(""));
    }

    /// Pieces the fuzz strings are made of: escapes good and bad, multibyte UTF-8, separators,
    /// the playground's keys and values that are edge cases for them.
    const PIECES: &[&str] = &[
        "%",
        "%zz",
        "%4",
        "%41",
        "%E2%82%AC",
        "%FF",
        "%C3",
        "%%",
        "é",
        "€",
        "😀",
        "\u{0}",
        "=",
        "&",
        "#",
        ",",
        ";",
        ":",
        "-",
        ".",
        "+",
        " ",
        "0",
        "1",
        "9",
        "a",
        "Z",
        "seed",
        "noise",
        "networkShape",
        "custom",
        "dataset",
        "learningRate",
        "true",
        "NaN",
        "1e309",
        "-0",
        "4,2",
        "1:2:0",
        "99999999999999999999",
        "dropout.",
        "",
    ];

    /// A random string of up to 40 pieces, sometimes with a very long run.
    pub(crate) fn random_text(rng: &mut Rng) -> String {
        let mut text = String::new();
        for _ in 0..rng.index(40) {
            text.push_str(PIECES[rng.index(PIECES.len())]);
        }
        if rng.index(50) == 0 {
            text.push_str(&PIECES[rng.index(PIECES.len())].repeat(5_000));
        }
        if rng.index(10) == 0 {
            // Arbitrary code points, including ones UTF-8 needs four bytes for.
            for _ in 0..rng.index(20) {
                text.extend(char::from_u32(rng.next_u32() % 0x11_0000));
            }
        }
        text
    }

    #[test]
    fn any_text_reads_and_writes_back_the_same_pairs() {
        // Seeded so a failure reproduces; 5,000 strings cover every piece many times.
        let mut rng = Rng::new(20_240_601);
        for _ in 0..5_000 {
            let text = random_text(&mut rng);
            let params = HashParams::parse(&text);
            let again = HashParams::parse(&params.encode());
            assert_eq!(again, params, "input {text:?}");
            let with_hash = HashParams::parse(&format!("#{}", params.encode()));
            assert_eq!(with_hash, params, "input {text:?}");
        }
    }
}
