//! Reading and writing 2-D datasets as CSV text: a header `x1,x2,label`, then one point per line.
//!
//! The label is an integer class (0, 1, 2, …) for classification or any number for regression;
//! the caller says which ([`CsvLabels`]). Reading is strict and never panics: the first bad line is
//! reported by its 1-based line number with what is wrong ([`CsvError`]), and nothing is returned
//! from a text with any bad line. Writing then reading gives back exactly the same numbers: each
//! is written in the shortest form that reads back to the same `f32`.
//!
//! Accepted: an optional header (exactly `x1,x2,label`, any case, spaces around fields allowed),
//! `\n` or `\r\n` line ends, blank lines anywhere (skipped), a leading byte-order mark, and numbers
//! in Rust's `f32` syntax (`-1.5`, `2e-3`, `.5`).
//!
//! A caller that accepts less than the library does (fewer rows, coordinates in a box, fewer
//! classes, labels in a range) says so with [`CsvBounds`] and [`parse_csv_within`]: a row outside
//! the bounds is refused by its line like any other bad row, and reading stops at the first row
//! past the row limit, so a huge file is refused without being read to its end.

use crate::data::{Dataset, MAX_CLASSES, MAX_SAMPLES, Task};
use crate::error::{EngineError, Result};
use crate::tensor::Matrix;
use std::fmt::Write;
use thiserror::Error;

/// The header line written and recognised.
pub const HEADER: &str = "x1,x2,label";

/// The column names, for error messages.
const COLUMNS: [&str; 3] = ["x1", "x2", "label"];

/// How to read the label column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvLabels {
    /// Whole-number classes from 0: two classes (0 and 1) make a binary dataset, more a
    /// multiclass one with as many classes as the largest label plus one.
    Classes,
    /// Real values: a regression dataset with one target.
    Values,
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CsvProblem {
    /// Fewer than three fields.
    #[error("expected 3 fields (x1,x2,label) but found {0}")]
    TooFewFields(usize),
    /// More than three fields.
    #[error("expected 3 fields (x1,x2,label) but found {0}")]
    TooManyFields(usize),
    /// A field that is not a number.
    #[error("{column} \"{text}\" is not a number")]
    NotANumber {
        /// The column's name.
        column: &'static str,
        /// The field (cut to 24 characters).
        text: String,
    },
    /// A number that is infinite or NaN (or too large for `f32`).
    #[error("{column} \"{text}\" is not a finite number")]
    NonFinite {
        /// The column's name.
        column: &'static str,
        /// The field (cut to 24 characters).
        text: String,
    },
    /// A class label that is not a whole number from 0 to `classes − 1`.
    #[error("label \"{text}\" is not a class: classes are whole numbers from 0 to {}", classes - 1)]
    NotAClass {
        /// The field (cut to 24 characters).
        text: String,
        /// How many classes are allowed.
        classes: usize,
    },
    /// A number outside the range its column allows.
    #[error("{column} {text} is outside {min} to {max}")]
    OutOfRange {
        /// The column's name.
        column: &'static str,
        /// The field (cut to 24 characters).
        text: String,
        /// The smallest value allowed.
        min: f32,
        /// The largest value allowed.
        max: f32,
    },
    /// A first line that is neither the header nor a data row.
    #[error("\"{0}\" is neither the header x1,x2,label nor a data row")]
    BadHeader(String),
    /// More data rows than the reader accepts (the limit is given).
    #[error("more than {0} data rows")]
    TooManyRows(usize),
}

/// Why a CSV text was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CsvError {
    /// A line is wrong (the first such line).
    #[error("line {line}: {problem}")]
    Line {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        problem: CsvProblem,
    },
    /// The text has no data rows.
    #[error("the CSV text has no data rows")]
    NoRows,
    /// The rows passed every check but still do not form a dataset (not expected to happen).
    #[error("the rows do not form a dataset: {0}")]
    Dataset(String),
}

impl From<CsvError> for EngineError {
    fn from(e: CsvError) -> Self {
        EngineError::Invalid(e.to_string())
    }
}

/// Cuts a field to at most 24 characters for an error message.
fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(24).collect();
    if text.chars().nth(24).is_some() {
        s.push('…');
    }
    s
}

/// Parses one field as a finite `f32`.
fn number(column: &'static str, text: &str) -> Result<f32, CsvProblem> {
    let v: f32 = text.parse().map_err(|_| CsvProblem::NotANumber {
        column,
        text: excerpt(text),
    })?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(CsvProblem::NonFinite {
            column,
            text: excerpt(text),
        })
    }
}

/// Whether a line is the header (fields `x1`, `x2`, `label` in any case, spaces allowed).
fn is_header(line: &str) -> bool {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    fields.len() == 3
        && fields
            .iter()
            .zip(COLUMNS)
            .all(|(f, c)| f.eq_ignore_ascii_case(c))
}

/// What a reader accepts beyond the format itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CsvBounds {
    /// The most data rows.
    pub max_rows: usize,
    /// `x1` and `x2` must lie in this closed range.
    pub coordinates: (f32, f32),
    /// Class labels must be below this (classification).
    pub classes: usize,
    /// Values must lie in this closed range (regression).
    pub values: (f32, f32),
}

impl Default for CsvBounds {
    /// The library's own limits: [`MAX_SAMPLES`] rows, [`MAX_CLASSES`] classes, any finite
    /// coordinate or value.
    fn default() -> Self {
        Self {
            max_rows: MAX_SAMPLES,
            coordinates: (f32::MIN, f32::MAX),
            classes: MAX_CLASSES,
            values: (f32::MIN, f32::MAX),
        }
    }
}

/// Parses one field as a finite `f32` inside `range`.
fn number_within(column: &'static str, text: &str, range: (f32, f32)) -> Result<f32, CsvProblem> {
    let v = number(column, text)?;
    if (range.0..=range.1).contains(&v) {
        Ok(v)
    } else {
        Err(CsvProblem::OutOfRange {
            column,
            text: excerpt(text),
            min: range.0,
            max: range.1,
        })
    }
}

/// Reads a 2-D dataset from CSV text (see the module docs for the format), within the library's
/// own limits ([`CsvBounds::default`]).
///
/// Returns the first bad line's number and problem, or [`CsvError::NoRows`] when there is no data.
pub fn parse_csv(text: &str, labels: CsvLabels) -> Result<Dataset, CsvError> {
    parse_csv_within(text, labels, &CsvBounds::default())
}

/// Reads a 2-D dataset from CSV text, refusing the first row outside `bounds` by its line.
pub fn parse_csv_within(
    text: &str,
    labels: CsvLabels,
    bounds: &CsvBounds,
) -> Result<Dataset, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut xs: Vec<[f32; 2]> = Vec::new();
    let mut classes: Vec<usize> = Vec::new();
    let mut values: Vec<f32> = Vec::new();
    let mut first = true;
    for (index, raw) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let at = |problem| CsvError::Line {
            line: line_no,
            problem,
        };
        if std::mem::take(&mut first) {
            if is_header(line) {
                continue;
            }
            let lead = line.split(',').next().unwrap_or("").trim();
            if lead.parse::<f32>().is_err() {
                return Err(at(CsvProblem::BadHeader(excerpt(line.trim()))));
            }
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        match fields.len() {
            n if n < 3 => return Err(at(CsvProblem::TooFewFields(n))),
            n if n > 3 => return Err(at(CsvProblem::TooManyFields(n))),
            _ => {}
        }
        let max_rows = bounds.max_rows.min(MAX_SAMPLES);
        if xs.len() == max_rows {
            return Err(at(CsvProblem::TooManyRows(max_rows)));
        }
        let x1 = number_within("x1", fields[0], bounds.coordinates).map_err(at)?;
        let x2 = number_within("x2", fields[1], bounds.coordinates).map_err(at)?;
        match labels {
            CsvLabels::Values => {
                values.push(number_within("label", fields[2], bounds.values).map_err(at)?);
            }
            CsvLabels::Classes => {
                let label = number("label", fields[2]).map_err(at)?;
                let allowed = bounds.classes.min(MAX_CLASSES);
                if label.fract() != 0.0 || !(0.0..allowed as f32).contains(&label) {
                    return Err(at(CsvProblem::NotAClass {
                        text: excerpt(fields[2]),
                        classes: allowed,
                    }));
                }
                classes.push(label as usize);
            }
        }
        xs.push([x1, x2]);
    }
    if xs.is_empty() {
        return Err(CsvError::NoRows);
    }
    let x = Matrix::from_fn(xs.len(), 2, |r, c| xs[r][c]);
    // Every value was checked above, so the constructors should not refuse them.
    let internal = |e: EngineError| CsvError::Dataset(e.to_string());
    match labels {
        CsvLabels::Values => {
            let y = Matrix::from_column_slice(values.len(), 1, &values);
            Dataset::regression(x, y).map_err(internal)
        }
        CsvLabels::Classes => {
            let top = classes.iter().copied().max().unwrap_or(0);
            if top <= 1 {
                Dataset::binary(x, classes).map_err(internal)
            } else {
                Dataset::multiclass(x, classes, top + 1).map_err(internal)
            }
        }
    }
}

/// Writes a 2-D dataset as CSV: the header, then `x1,x2,label` per sample, `\n` line ends.
///
/// The label is the class for classification and the value for one-target regression; other
/// datasets (not 2-D, or several regression targets) are refused.
pub fn to_csv(data: &Dataset) -> Result<String> {
    if data.input_dim() != 2 {
        return Err(EngineError::Invalid(format!(
            "only 2-D datasets can be written as x1,x2,label; this one has {} inputs",
            data.input_dim()
        )));
    }
    if data.task() == Task::Regression && data.target_dim() != 1 {
        return Err(EngineError::Invalid(format!(
            "only one target fits the label column; this dataset has {}",
            data.target_dim()
        )));
    }
    let mut out = String::with_capacity(24 * (data.len() + 1));
    out.push_str(HEADER);
    out.push('\n');
    let x = data.x();
    for r in 0..data.len() {
        // Writing to a String cannot fail.
        let _ = match data.labels() {
            Some(labels) => writeln!(
                out,
                "{},{},{}",
                x[(r, 0)],
                x[(r, 1)],
                labels.get(r).copied().unwrap_or(0)
            ),
            None => writeln!(
                out,
                "{},{},{}",
                x[(r, 0)],
                x[(r, 1)],
                data.targets()[(r, 0)]
            ),
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::two_d;
    use crate::rng::Rng;
    use proptest::prelude::*;

    fn line_of(text: &str, labels: CsvLabels) -> (usize, CsvProblem) {
        match parse_csv(text, labels).unwrap_err() {
            CsvError::Line { line, problem } => (line, problem),
            other => panic!("expected a line error, got {other}"),
        }
    }

    #[test]
    fn reads_a_small_file() {
        let d = parse_csv("x1,x2,label\n1,2,0\r\n\n-0.5, 3e1 ,1\n", CsvLabels::Classes).unwrap();
        assert_eq!(d.task(), Task::Binary);
        assert_eq!(crate::tensor::to_rows(d.x()), [[1.0, 2.0], [-0.5, 30.0]]);
        assert_eq!(d.labels().unwrap(), &[0, 1]);
        // Without a header, and with three classes.
        let d = parse_csv("0,0,2\n1,1,0", CsvLabels::Classes).unwrap();
        assert_eq!(d.task(), Task::Multiclass { classes: 3 });
        let d = parse_csv("\u{feff}X1, X2 ,Label\n0,0,-0.25", CsvLabels::Values).unwrap();
        assert_eq!(d.targets()[(0, 0)], -0.25);
    }

    #[test]
    fn errors_name_the_line() {
        let c = CsvLabels::Classes;
        assert_eq!(
            line_of("x1,x2,label\n1,2,0\n1,2\n", c),
            (3, CsvProblem::TooFewFields(2))
        );
        assert_eq!(line_of("1,2,0,4", c), (1, CsvProblem::TooManyFields(4)));
        let (line, p) = line_of("x1,x2,label\n\n1,abc,0", c);
        assert_eq!(line, 3);
        assert_eq!(p.to_string(), "x2 \"abc\" is not a number");
        assert_eq!(
            line_of("1,inf,0", c).1.to_string(),
            "x2 \"inf\" is not a finite number"
        );
        assert_eq!(
            line_of("1,1e39,0", c).1,
            CsvProblem::NonFinite {
                column: "x2",
                text: "1e39".into()
            }
        );
        let not_a_class = |text: &str| CsvProblem::NotAClass {
            text: text.into(),
            classes: MAX_CLASSES,
        };
        assert_eq!(line_of("1,2,0\n1,2,1.5", c), (2, not_a_class("1.5")));
        assert_eq!(line_of("1,2,-1", c).1, not_a_class("-1"));
        assert_eq!(line_of("1,2,100", c).1, not_a_class("100"));
        assert_eq!(
            line_of("1,2,100", c).1.to_string(),
            "label \"100\" is not a class: classes are whole numbers from 0 to 99"
        );
        assert_eq!(line_of("1,2,NaN", CsvLabels::Values).0, 1);
        assert_eq!(
            line_of("a,b,c\n1,2,3", c),
            (1, CsvProblem::BadHeader("a,b,c".into()))
        );
        assert_eq!(
            parse_csv("x1,x2,label\n\n", c).unwrap_err(),
            CsvError::NoRows
        );
        assert_eq!(parse_csv("", c).unwrap_err(), CsvError::NoRows);
        let e: EngineError = parse_csv("1,2", c).unwrap_err().into();
        assert_eq!(
            e.to_string(),
            "line 1: expected 3 fields (x1,x2,label) but found 2"
        );
    }

    #[test]
    fn bounds_refuse_rows_by_line_and_stop_at_the_row_limit() {
        let bounds = CsvBounds {
            max_rows: 3,
            coordinates: (-6.0, 6.0),
            classes: 5,
            values: (-1.0, 1.0),
        };
        let within = |text: &str, labels| parse_csv_within(text, labels, &bounds);
        let at = |text: &str, labels| match within(text, labels) {
            Err(CsvError::Line { line, problem }) => (line, problem.to_string()),
            other => panic!("expected a bad line, got {other:?}"),
        };
        let c = CsvLabels::Classes;
        assert_eq!(within("x1,x2,label\n-6,6,4\n0,0,0", c).unwrap().len(), 2);
        assert_eq!(
            at("x1,x2,label\n1,2,0\n6.5,0,1", c),
            (3, "x1 6.5 is outside -6 to 6".into())
        );
        assert_eq!(at("0,-7,1", c), (1, "x2 -7 is outside -6 to 6".into()));
        assert_eq!(
            at("0,0,5", c),
            (
                1,
                "label \"5\" is not a class: classes are whole numbers from 0 to 4".into()
            )
        );
        let v = CsvLabels::Values;
        assert_eq!(
            at("0,0,1\n0,0,1.5", v),
            (2, "label 1.5 is outside -1 to 1".into())
        );
        assert_eq!(
            at("0,0,0\n0,0,0\n0,0,0\n0,0,0\nnot even read", c),
            (4, "more than 3 data rows".into())
        );
        // The library's own limits are the default.
        assert!(parse_csv("0,0,99\n50,-1e6,0", c).is_ok());
    }

    #[test]
    fn long_fields_are_cut_in_messages() {
        let long = "é".repeat(100);
        let (_, p) = line_of(&format!("1,{long},0"), CsvLabels::Classes);
        assert!(p.to_string().chars().count() < 60);
    }

    #[test]
    fn export_then_import_round_trips() {
        let d = two_d::spiral500();
        let text = to_csv(&d).unwrap();
        assert!(text.starts_with("x1,x2,label\n"));
        assert_eq!(parse_csv(&text, CsvLabels::Classes).unwrap(), d);
        let m = two_d::blobs(30, 4, 0.2, &mut Rng::new(1)).unwrap();
        assert_eq!(
            parse_csv(&to_csv(&m).unwrap(), CsvLabels::Classes).unwrap(),
            m
        );
        let r = crate::data::regression::plane(20, 0.1, &mut Rng::new(2)).unwrap();
        assert_eq!(
            parse_csv(&to_csv(&r).unwrap(), CsvLabels::Values).unwrap(),
            r
        );
        let wide = Dataset::binary(Matrix::zeros(1, 3), vec![0]).unwrap();
        assert!(to_csv(&wide).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(text in ".*", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_csv(&text, CsvLabels::Classes);
            let _ = parse_csv(&text, CsvLabels::Values);
            let lossy = String::from_utf8_lossy(&bytes);
            let _ = parse_csv(&lossy, CsvLabels::Classes);
        }

        #[test]
        fn never_panics_on_csv_like_text(text in "[0-9xlabe,.\\-+\\r\\n einfNa]{0,80}") {
            let _ = parse_csv(&text, CsvLabels::Classes);
            let _ = parse_csv(&text, CsvLabels::Values);
        }

        #[test]
        fn round_trips_any_finite_values(
            points in prop::collection::vec((any::<f32>(), any::<f32>(), any::<f32>()), 1..20)
        ) {
            let points: Vec<(f32, f32, f32)> = points
                .into_iter()
                .filter(|(a, b, c)| a.is_finite() && b.is_finite() && c.is_finite())
                .collect();
            prop_assume!(!points.is_empty());
            let x = Matrix::from_fn(points.len(), 2, |r, c| if c == 0 { points[r].0 } else { points[r].1 });
            let y = Matrix::from_fn(points.len(), 1, |r, _| points[r].2);
            let d = Dataset::regression(x, y).unwrap();
            let back = parse_csv(&to_csv(&d).unwrap(), CsvLabels::Values).unwrap();
            prop_assert_eq!(back.x().as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                            d.x().as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            prop_assert_eq!(back, d);
        }
    }
}
