//! Live equations: MathML Core built with DOM calls, for formulas whose numbers change.
//!
//! The page's fixed formulas are typeset at build time; a figure whose equations carry the
//! engine's current numbers builds them here instead, element by element. Every piece of text
//! goes in through `textContent`, never as markup. A number is an `<mn>` with a `data-key`
//! naming where in the figure's `data-state` its value comes from, so tests can compare each
//! number on screen with the state.

use crate::dom::{self, fmt};
use crate::error::Result;
use web_sys::{Document, Element};

/// The MathML namespace.
const NS: &str = "http://www.w3.org/1998/Math/MathML";

/// How many decimals live numbers show.
pub const DECIMALS: usize = 4;

/// Builds MathML elements in one document.
pub struct MathBuilder {
    doc: Document,
    limit: usize,
}

/// A number to show, with the `data-state` path of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Num {
    /// Its value.
    pub value: f32,
    /// Where it is in the state, as a dotted path ("layers.0.W.1.0").
    pub key: String,
}

impl Num {
    /// The number `value` found at `key`.
    pub fn new(value: f32, key: impl Into<String>) -> Self {
        Self {
            value,
            key: key.into(),
        }
    }
}

/// The numbers of a vector found at `key.0`, `key.1`, ….
pub fn vector(values: &[f32], key: &str) -> Vec<Num> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| Num::new(v, format!("{key}.{i}")))
        .collect()
}

/// The numbers of a matrix (rows) found at `key.r.c`.
pub fn matrix(rows: &[Vec<f32>], key: &str) -> Vec<Vec<Num>> {
    rows.iter()
        .enumerate()
        .map(|(r, row)| vector(row, &format!("{key}.{r}")))
        .collect()
}

impl MathBuilder {
    /// A builder for the page's document.
    pub fn new() -> Result<Self> {
        Ok(Self {
            doc: dom::document()?,
            limit: usize::MAX,
        })
    }

    /// Shows at most `limit` rows and columns of every matrix and vector, the rest summarised by
    /// a row of ⋮ and a column of ⋯ (for large layers).
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit.max(1);
        self
    }

    /// An empty element `tag`.
    pub fn el(&self, tag: &str) -> Result<Element> {
        Ok(self.doc.create_element_ns(Some(NS), tag)?)
    }

    /// A token element (`mi`, `mo`, `mn`, `mtext`) holding `text`.
    pub fn token(&self, tag: &str, text: &str) -> Result<Element> {
        let e = self.el(tag)?;
        dom::set_text(&e, text);
        Ok(e)
    }

    /// An identifier, upright when longer than one letter (as MathML Core renders `mi`).
    pub fn mi(&self, text: &str) -> Result<Element> {
        self.token("mi", text)
    }

    /// An operator.
    pub fn mo(&self, text: &str) -> Result<Element> {
        self.token("mo", text)
    }

    /// A live number with its state key.
    pub fn mn(&self, n: &Num) -> Result<Element> {
        let e = self.token("mn", &fmt(f64::from(n.value), DECIMALS))?;
        e.set_attribute("data-key", &n.key)?;
        Ok(e)
    }

    /// A fixed constant shown as a number (not from the state).
    pub fn constant(&self, text: &str) -> Result<Element> {
        self.token("mn", text)
    }

    /// An `mrow` of `children`.
    pub fn row(&self, children: &[Element]) -> Result<Element> {
        let e = self.el("mrow")?;
        for c in children {
            e.append_child(c)?;
        }
        Ok(e)
    }

    /// `base` with a superscript.
    pub fn sup(&self, base: Element, script: Element) -> Result<Element> {
        let e = self.el("msup")?;
        e.append_child(&base)?;
        e.append_child(&script)?;
        Ok(e)
    }

    /// `base` with a subscript.
    pub fn sub(&self, base: Element, script: Element) -> Result<Element> {
        let e = self.el("msub")?;
        e.append_child(&base)?;
        e.append_child(&script)?;
        Ok(e)
    }

    /// A fraction.
    pub fn frac(&self, num: Element, den: Element) -> Result<Element> {
        let e = self.el("mfrac")?;
        e.append_child(&num)?;
        e.append_child(&den)?;
        Ok(e)
    }

    /// A symbol with a layer superscript in parentheses: `W⁽²⁾`, optionally transposed.
    pub fn layered(&self, symbol: &str, layer: usize, transposed: bool) -> Result<Element> {
        let script = if transposed {
            self.row(&[
                self.mo("(")?,
                self.constant(&layer.to_string())?,
                self.mo(")")?,
                self.mi("T")?,
            ])?
        } else {
            self.row(&[
                self.mo("(")?,
                self.constant(&layer.to_string())?,
                self.mo(")")?,
            ])?
        };
        self.sup(self.mi(symbol)?, script)
    }

    /// `∂L/∂x` with `x` given as an element.
    pub fn partial(&self, of: Element) -> Result<Element> {
        self.frac(
            self.row(&[self.mo("∂")?, self.mi("L")?])?,
            self.row(&[self.mo("∂")?, of])?,
        )
    }

    /// A bracketed matrix of numbers (a column vector when each row has one number).
    pub fn bracketed(&self, rows: &[Vec<Num>]) -> Result<Element> {
        let table = self.el("mtable")?;
        let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let more_cols = cols > self.limit;
        let cell = |tr: &Element, content: Element| -> Result<()> {
            let td = self.el("mtd")?;
            td.append_child(&content)?;
            tr.append_child(&td)?;
            Ok(())
        };
        for row in rows.iter().take(self.limit) {
            let tr = self.el("mtr")?;
            for n in row.iter().take(self.limit) {
                cell(&tr, self.mn(n)?)?;
            }
            if more_cols {
                cell(&tr, self.mo("⋯")?)?;
            }
            table.append_child(&tr)?;
        }
        if rows.len() > self.limit {
            let tr = self.el("mtr")?;
            for _ in 0..cols.min(self.limit) + usize::from(more_cols) {
                cell(&tr, self.mo("⋮")?)?;
            }
            table.append_child(&tr)?;
        }
        let open = self.mo("[")?;
        let close = self.mo("]")?;
        for b in [&open, &close] {
            b.set_attribute("stretchy", "true")?;
        }
        self.row(&[open, table, close])
    }

    /// A column vector.
    pub fn column(&self, values: &[Num]) -> Result<Element> {
        let rows: Vec<Vec<Num>> = values.iter().map(|n| vec![n.clone()]).collect();
        self.bracketed(&rows)
    }

    /// A row vector.
    pub fn row_vector(&self, values: &[Num]) -> Result<Element> {
        self.bracketed(&[values.to_vec()])
    }

    /// A `<math display="block">` holding `children` in one row.
    pub fn block(&self, children: &[Element]) -> Result<Element> {
        let math = self.el("math")?;
        math.set_attribute("display", "block")?;
        let row = self.row(children)?;
        math.append_child(&row)?;
        Ok(math)
    }
}
