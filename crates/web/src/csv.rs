//! A small CSV writer for the figures' exports: a header row, then rows of text and numbers.
//!
//! Fields that hold a comma, a double quote, a line break or leading or trailing spaces are
//! quoted, with inner quotes doubled (RFC 4180). Numbers are written at full precision: the
//! shortest text that reads back as the same `f32` or `f64`. A value that is missing is an empty
//! field; a value that is not finite is written as `NaN`, `inf` or `-inf`.

/// One field of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, quoted when it needs to be.
    Text(String),
    /// A single-precision number (the engine's values).
    F32(f32),
    /// A double-precision number (scores computed in `f64`).
    F64(f64),
    /// A whole number (steps, counts).
    Int(i64),
    /// No value.
    Empty,
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl From<f32> for Cell {
    fn from(v: f32) -> Self {
        Self::F32(v)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Self::F64(v)
    }
}

impl From<u64> for Cell {
    fn from(v: u64) -> Self {
        Self::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Cell {
    fn from(v: usize) -> Self {
        Self::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Empty, Into::into)
    }
}

/// A CSV document being written, header first.
#[derive(Debug, Clone)]
pub struct Csv {
    text: String,
    columns: usize,
}

impl Csv {
    /// A document whose first row names the columns.
    pub fn new(header: &[&str]) -> Self {
        let mut csv = Self {
            text: String::new(),
            columns: header.len(),
        };
        csv.row(header.iter().map(|&h| Cell::from(h)));
        csv
    }

    /// Appends one row. A row shorter than the header is padded with empty fields, so every row
    /// has as many fields as the header.
    pub fn row<I: IntoIterator<Item = Cell>>(&mut self, cells: I) {
        let mut written = 0;
        for cell in cells {
            if written > 0 {
                self.text.push(',');
            }
            write_cell(&mut self.text, &cell);
            written += 1;
        }
        for _ in written..self.columns {
            self.text.push(',');
        }
        self.text.push('\n');
    }

    /// The number of columns the header names.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// The document's text.
    pub fn finish(self) -> String {
        self.text
    }
}

/// Writes one field, quoting text that needs it.
fn write_cell(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Text(t) => {
            let needs_quotes =
                t.contains([',', '"', '\n', '\r']) || t.starts_with(' ') || t.ends_with(' ');
            if needs_quotes {
                out.push('"');
                out.push_str(&t.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(t);
            }
        }
        Cell::F32(v) => out.push_str(&v.to_string()),
        Cell::F64(v) => out.push_str(&v.to_string()),
        Cell::Int(v) => out.push_str(&v.to_string()),
        Cell::Empty => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_then_rows() {
        let mut csv = Csv::new(&["step", "loss"]);
        csv.row([Cell::from(3_u64), Cell::from(0.5_f32)]);
        assert_eq!(csv.finish(), "step,loss\n3,0.5\n");
    }

    #[test]
    fn quotes_fields_that_need_it() {
        let mut csv = Csv::new(&["name"]);
        for name in ["plain", "a, b", "say \"hi\"", "two\nlines", " padded"] {
            csv.row([Cell::from(name)]);
        }
        assert_eq!(
            csv.finish(),
            "name\nplain\n\"a, b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\" padded\"\n"
        );
    }

    #[test]
    fn numbers_read_back_exactly() {
        let values = [
            0.1_f32,
            1.0 / 3.0,
            1e-30,
            123_456.79,
            -2.5e7,
            f32::MIN_POSITIVE,
        ];
        let mut csv = Csv::new(&["v"]);
        for v in values {
            csv.row([Cell::from(v)]);
        }
        let text = csv.finish();
        let back: Vec<f32> = text
            .lines()
            .skip(1)
            .map(|l| l.parse().unwrap_or(f32::NAN))
            .collect();
        assert_eq!(back, values);
        let mut csv = Csv::new(&["v"]);
        csv.row([Cell::from(std::f64::consts::PI)]);
        let text = csv.finish();
        assert_eq!(text.lines().nth(1), Some("3.141592653589793"));
    }

    #[test]
    fn missing_values_are_empty_and_short_rows_are_padded() {
        let mut csv = Csv::new(&["a", "b", "c"]);
        csv.row([Cell::from(None::<f32>), Cell::from(Some(2_u64))]);
        assert_eq!(csv.columns(), 3);
        assert_eq!(csv.finish(), "a,b,c\n,2,\n");
    }

    #[test]
    fn non_finite_numbers_are_named() {
        let mut csv = Csv::new(&["v"]);
        csv.row([Cell::from(f32::NAN)]);
        csv.row([Cell::from(f64::INFINITY)]);
        csv.row([Cell::from(f64::NEG_INFINITY)]);
        assert_eq!(csv.finish(), "v\nNaN\ninf\n-inf\n");
    }
}
