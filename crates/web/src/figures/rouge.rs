//! The ROUGE figure: a reference and a candidate text typed by the reader, ROUGE-1, ROUGE-2 and
//! ROUGE-L between them, and the tokens each score counts highlighted.
//!
//! The reader's text never becomes markup: each token is its own element whose text is set as
//! text.

use super::{Figure, update_on_input};
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_nn::metrics::rouge::{RougeReport, RougeScore, rouge};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

struct RougeFigure {
    root: Element,
    reference: Element,
    candidate: Element,
    stemmer: HtmlInputElement,
    highlight: HtmlSelectElement,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = RougeFigure {
        root: root.clone(),
        reference: dom::query(root, "textarea[data-role=\"reference\"]")?,
        candidate: dom::query(root, "textarea[data-role=\"candidate\"]")?,
        stemmer: dom::input(root, "stemmer")?,
        highlight: dom::query(root, "select[data-role=\"highlight\"]")?,
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    Ok(fig)
}

/// The current text of a `<textarea>`, read as a property (its `value`).
fn text_value(el: &Element) -> String {
    js_sys::Reflect::get(el, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Writes `tokens` into `box_el`, one element per token, marking those whose index is in `marked`.
fn write_tokens(box_el: &Element, tokens: &[String], marked: &[usize]) -> Result<()> {
    let doc = dom::document()?;
    box_el.set_text_content(None);
    if tokens.is_empty() {
        let empty = doc.create_element("span")?;
        empty.set_class_name("tok-empty");
        dom::set_text(&empty, "(no words)");
        box_el.append_child(&empty)?;
        return Ok(());
    }
    for (i, t) in tokens.iter().enumerate() {
        let span = doc.create_element("span")?;
        span.set_class_name(if marked.binary_search(&i).is_ok() {
            "tok tok-hit"
        } else {
            "tok"
        });
        dom::set_text(&span, t);
        box_el.append_child(&span)?;
    }
    Ok(())
}

/// The token indices of each text that the chosen score counts: (reference, candidate).
fn marked(report: &RougeReport, which: &str) -> (Vec<usize>, Vec<usize>) {
    match which {
        "rouge2" => (
            report.bigram_overlap.target.clone(),
            report.bigram_overlap.prediction.clone(),
        ),
        "rougeL" => {
            let mut t: Vec<usize> = report.lcs.iter().map(|m| m.target).collect();
            let mut p: Vec<usize> = report.lcs.iter().map(|m| m.prediction).collect();
            t.sort_unstable();
            p.sort_unstable();
            (t, p)
        }
        _ => (
            report.unigram_overlap.target.clone(),
            report.unigram_overlap.prediction.clone(),
        ),
    }
}

impl Figure for RougeFigure {
    fn update(&mut self) -> Result<()> {
        let stem = self.stemmer.checked();
        let report = rouge(
            &text_value(&self.candidate),
            &text_value(&self.reference),
            stem,
        )?;
        let which = self.highlight.value();
        let (ref_marks, cand_marks) = marked(&report, &which);
        write_tokens(
            &dom::query(&self.root, "[data-role=\"reference-tokens\"]")?,
            &report.target_tokens,
            &ref_marks,
        )?;
        write_tokens(
            &dom::query(&self.root, "[data-role=\"candidate-tokens\"]")?,
            &report.prediction_tokens,
            &cand_marks,
        )?;
        let scores = [
            ("rouge1", report.rouge1),
            ("rouge2", report.rouge2),
            ("rougeL", report.rouge_l),
        ];
        for (name, s) in scores {
            for (part, v) in [
                ("precision", s.precision),
                ("recall", s.recall),
                ("f", s.fmeasure),
            ] {
                let el: Element =
                    dom::query(&self.root, &format!("[data-role=\"{name}-{part}\"]"))?;
                dom::set_text(&el, &fmt(v, 3));
            }
        }
        dom::set_state(
            &self.root,
            &RougeState {
                stemmer: stem,
                highlight: match which.as_str() {
                    "rouge2" | "rougeL" => which.as_str(),
                    _ => "rouge1",
                },
                rouge1: ScoreState::from(&report.rouge1),
                rouge2: ScoreState::from(&report.rouge2),
                rouge_l: ScoreState::from(&report.rouge_l),
                reference_tokens: report.target_tokens.len(),
                candidate_tokens: report.prediction_tokens.len(),
                marked: [ref_marks.len(), cand_marks.len()],
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: whether words are stemmed, the score highlighted, the three scores,
/// the number of tokens in each text and how many of each the highlight marks.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RougeState<'a> {
    stemmer: bool,
    highlight: &'a str,
    rouge1: ScoreState,
    rouge2: ScoreState,
    #[serde(rename = "rougeL")]
    rouge_l: ScoreState,
    reference_tokens: usize,
    candidate_tokens: usize,
    marked: [usize; 2],
}

/// One ROUGE score in the state.
#[derive(Serialize)]
struct ScoreState {
    precision: f64,
    recall: f64,
    f: f64,
}

impl From<&RougeScore> for ScoreState {
    fn from(s: &RougeScore) -> Self {
        Self {
            precision: s.precision,
            recall: s.recall,
            f: s.fmeasure,
        }
    }
}
