//! The gradient-check figure (`#fig-gradcheck`): the step-through's network and example checked
//! parameter by parameter against central finite differences, with a bug that can be planted; its
//! verdict, its table and its test hook.

use super::BackpropFigure;
use super::equations::{sci, superscript};
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::{Result, WebError};
use crate::json::Widened;
use serde::Serialize;
use spiega_lessons::backprop::gradcheck::{self, GradCheck, PlantedBug};
use spiega_nn::tensor::Matrix;
use web_sys::{Element, HtmlSelectElement};

/// The gradient-check figure's elements.
pub(super) struct CheckPanel {
    pub(super) root: Element,
    eps: HtmlSelectElement,
    bug: HtmlSelectElement,
    verdict: Element,
    table: Element,
}

impl CheckPanel {
    /// Finds the gradient-check figure's elements in the page.
    pub(super) fn find() -> Result<Self> {
        let root = dom::document()?
            .get_element_by_id("fig-gradcheck")
            .ok_or_else(|| WebError::MissingElement("the gradient-check figure".into()))?;
        Ok(Self {
            eps: dom::query(&root, "select[data-role=\"eps\"]")?,
            bug: dom::query(&root, "select[data-role=\"bug\"]")?,
            verdict: dom::query(&root, "[data-role=\"verdict\"]")?,
            table: dom::query(&root, "tbody[data-role=\"table\"]")?,
            root,
        })
    }
}

impl BackpropFigure {
    /// Runs the gradient check on the current network and example and fills its table.
    pub(super) fn draw_check(&mut self) -> Result<()> {
        let eps: f32 = controls::chosen(&self.check.eps)?;
        let bug = PlantedBug::from_name(&self.check.bug.value())?;
        let (x, t) = self.example();
        let xm = Matrix::from_row_slice(1, x.len(), &x);
        let tm = Matrix::from_row_slice(1, t.len(), &t);
        let result = gradcheck::check(self.walk.model(), self.walk.loss(), &xm, &tm, eps, bug)?;
        let total = result.params.len();
        let verdict = if result.passed() {
            format!(
                "Pass: all {total} parameters agree (largest relative error {}).",
                sci(result.max_relative_error)
            )
        } else {
            format!(
                "Fail: {} of {total} parameters disagree (largest relative error {}).",
                result.failed,
                sci(result.max_relative_error)
            )
        };
        dom::set_text(&self.check.verdict, &verdict);
        self.check.verdict.set_attribute(
            "data-passed",
            if result.passed() { "true" } else { "false" },
        )?;
        let doc = dom::document()?;
        self.check.table.set_text_content(None);
        for p in &result.params {
            let tr = doc.create_element("tr")?;
            if !p.passed {
                tr.set_class_name("gc-fail");
            }
            let name = if p.name == "W" {
                format!(
                    "W{} [{}, {}]",
                    superscript(p.layer + 1),
                    p.row + 1,
                    p.col + 1
                )
            } else {
                format!("b{} [{}]", superscript(p.layer + 1), p.row + 1)
            };
            let cells = [
                name,
                fmt(f64::from(p.analytic), 6),
                fmt(f64::from(p.numeric), 6),
                sci(p.relative_error),
                if p.passed { "✓ pass" } else { "✗ fail" }.to_owned(),
            ];
            for (i, c) in cells.iter().enumerate() {
                let td = doc.create_element(if i == 0 { "th" } else { "td" })?;
                if i == 0 {
                    td.set_attribute("scope", "row")?;
                }
                dom::set_text(&td, c);
                tr.append_child(&td)?;
            }
            self.check.table.append_child(&tr)?;
        }
        dom::set_state(&self.check.root, &CheckState::new(&result))?;
        Ok(())
    }
}

/// The gradient check's test hook, its numbers widened as the step-through's are.
#[derive(Serialize)]
struct CheckState {
    eps: Widened<f32>,
    bug: &'static str,
    passed: bool,
    failed: usize,
    max_relative_error: Widened<f32>,
    params: Vec<ParamState>,
}

/// One parameter's comparison in the gradient check's state.
#[derive(Serialize)]
struct ParamState {
    layer: usize,
    name: &'static str,
    row: usize,
    col: usize,
    passed: bool,
    analytic: Widened<f32>,
    numeric: Widened<f32>,
    relative_error: Widened<f32>,
}

impl CheckState {
    fn new(c: &GradCheck) -> Self {
        Self {
            eps: Widened(c.eps),
            bug: c.bug.name(),
            passed: c.passed(),
            failed: c.failed,
            max_relative_error: Widened(c.max_relative_error),
            params: c
                .params
                .iter()
                .map(|p| ParamState {
                    layer: p.layer,
                    name: p.name,
                    row: p.row,
                    col: p.col,
                    passed: p.passed,
                    analytic: Widened(p.analytic),
                    numeric: Widened(p.numeric),
                    relative_error: Widened(p.relative_error),
                })
                .collect(),
        }
    }
}
