//! The scores figure: the playground's live network scored on its validation or test split.
//!
//! For two classes: the confusion matrix at a decision threshold the reader moves, the ratios
//! that follow from it, the ROC curve with the threshold's point and its area, the
//! precision-recall curve and the log loss. For several classes: the confusion matrix with
//! per-class, macro and micro scores. For regression: MAE, MSE, RMSE and a residual plot.
//!
//! The figure reads the playground through [`super::live_model`] and redraws whenever the
//! playground trains, resets or changes its data.

use super::live_model;
use super::{Figure, update_on_input};
use crate::charts::Palette;
use crate::charts::line::{self, LineChart, Series, Stroke};
use crate::charts::scatter::{self, ScatterChart};
use crate::controls;
use crate::csv::{Cell, Csv};
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::scores::{
    BinaryEvaluation, Evaluation, MulticlassEvaluation, RegressionEvaluation, evaluate,
};
use spiega_nn::metrics::Ratio;
use spiega_nn::metrics::classification::PrecisionRecallF1;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};

/// The split names, by the engine's index.
const SPLITS: [&str; 3] = ["training", "validation", "test"];

struct ScoresFigure {
    root: Element,
    split: HtmlSelectElement,
    threshold: HtmlInputElement,
    status: Element,
    roc: HtmlCanvasElement,
    pr: HtmlCanvasElement,
    residuals: HtmlCanvasElement,
    /// The last scores shown, with their split's name and the threshold, for the CSV export.
    last: Option<(Scored, &'static str, f64)>,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = ScoresFigure {
        root: root.clone(),
        split: dom::query(root, "select[data-role=\"split\"]")?,
        threshold: dom::input(root, "threshold")?,
        status: dom::query(root, "[data-role=\"status\"]")?,
        roc: dom::query(root, "canvas[data-role=\"roc\"]")?,
        pr: dom::query(root, "canvas[data-role=\"pr\"]")?,
        residuals: dom::query(root, "canvas[data-role=\"residuals\"]")?,
        last: None,
    };
    let fig: Rc<RefCell<dyn Figure>> = Rc::new(RefCell::new(fig));
    update_on_input(root, &fig)?;
    live_model::subscribe(&fig);
    Ok(fig)
}

/// A ratio as the page shows it: three decimals, or a note when it is 0/0.
fn show_ratio(r: Ratio) -> String {
    if r.undefined {
        "undefined (0/0)".into()
    } else {
        fmt(r.value, 3)
    }
}

/// A score that may be NaN (an AUC with one class only).
fn show_score(v: f64) -> String {
    if v.is_finite() {
        fmt(v, 3)
    } else {
        "undefined".into()
    }
}

/// What the engine returned for the chosen split.
pub struct Scored {
    /// The split's scores.
    pub evaluation: Evaluation,
    /// The network's updates so far.
    pub step: u64,
    /// The split's points.
    pub points: usize,
}

impl ScoresFigure {
    /// Sets the text of the element with `data-role="role"` under the figure.
    fn put(&self, role: &str, text: &str) -> Result<()> {
        let el: Element = dom::query(&self.root, &format!("[data-role=\"{role}\"]"))?;
        dom::set_text(&el, text);
        Ok(())
    }

    /// Shows the panel for `task` ("binary", "multiclass", "regression" or "none") only.
    fn show_panel(&self, task: &str) -> Result<()> {
        for el in dom::query_all(&self.root, "[data-panel]")? {
            let panel = el.get_attribute("data-panel").unwrap_or_default();
            dom::set_hidden(&el, panel != task)?;
        }
        Ok(())
    }

    fn binary(&self, e: &BinaryEvaluation, head: &str) -> Result<TaskState> {
        let t = controls::number(&self.threshold);
        dom::set_output(&self.root, "threshold-value", &fmt(t, 2));
        let s = e.at(t)?;
        let c = s.counts;
        for (role, v) in [
            ("tn", c.true_negatives),
            ("fp", c.false_positives),
            ("fn", c.false_negatives),
            ("tp", c.true_positives),
        ] {
            self.put(role, &v.to_string())?;
        }
        let rows = [
            ("accuracy", s.accuracy),
            ("sensitivity", s.sensitivity),
            ("specificity", s.specificity),
            ("precision", s.precision),
            ("recall", s.recall),
            ("f1", s.f1),
        ];
        for (role, r) in rows {
            self.put(role, &show_ratio(r))?;
        }
        self.put("auc", &show_score(e.auc))?;
        self.put(
            "roc-title",
            &format!(
                "ROC curve: true-positive rate against false-positive rate; area {}",
                show_score(e.auc)
            ),
        )?;
        self.put(
            "pr-title",
            &format!(
                "Precision (up) against recall (across); average precision {}",
                show_score(e.average_precision)
            ),
        )?;
        self.put("average-precision", &show_score(e.average_precision))?;
        self.put(
            "log-loss",
            &if e.calibrated {
                fmt(e.log_loss, 3)
            } else {
                format!(
                    "{} (hinge outputs are not probabilities)",
                    fmt(e.log_loss, 3)
                )
            },
        )?;

        let palette = Palette::from_css()?;
        let roc: Vec<(f64, f64)> = e
            .roc
            .fpr
            .iter()
            .zip(&e.roc.tpr)
            .filter(|(f, t)| f.is_finite() && t.is_finite())
            .map(|(&f, &t)| (f, t))
            .collect();
        let chance = [(0.0, 0.0), (1.0, 1.0)];
        let (fpr, tpr) = s.roc_point;
        let mut markers = Vec::new();
        if fpr.is_finite() && tpr.is_finite() {
            markers.push(((fpr, tpr), palette.orange));
        }
        line::draw(
            &self.roc,
            &LineChart {
                x: -0.02..1.02,
                y: -0.02..1.05,
                x_label: "false-positive rate (1 − specificity)",
                series: vec![
                    Series {
                        points: &chance,
                        color: palette.muted,
                        stroke: Stroke::Dashed,
                    },
                    Series {
                        points: &roc,
                        color: palette.blue,
                        stroke: Stroke::Solid,
                    },
                ],
                bands: &[],
                markers,
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let pr: Vec<(f64, f64)> =
            e.pr.recall
                .iter()
                .zip(&e.pr.precision)
                .map(|(&r, &p)| (r, p))
                .rev()
                .collect();
        let mut markers = Vec::new();
        if !s.precision.undefined && !s.recall.undefined {
            markers.push(((s.recall.value, s.precision.value), palette.orange));
        }
        line::draw(
            &self.pr,
            &LineChart {
                x: -0.02..1.02,
                y: -0.02..1.05,
                x_label: "recall",
                series: vec![Series {
                    points: &pr,
                    color: palette.blue,
                    stroke: Stroke::Solid,
                }],
                bands: &[],
                markers,
                log_y: false,
                note: None,
            },
            &palette,
        )?;
        let point = if fpr.is_finite() && tpr.is_finite() {
            format!(
                "At threshold {} the point is at false-positive rate {} and true-positive rate {}.",
                fmt(t, 2),
                fmt(fpr, 3),
                fmt(tpr, 3)
            )
        } else {
            "The split has only one class, so the curve is undefined.".into()
        };
        self.roc.set_attribute(
            "aria-label",
            &format!(
                "ROC curve of the playground's network on {head}, area {}. {point}",
                show_score(e.auc)
            ),
        )?;
        self.pr.set_attribute(
            "aria-label",
            &format!(
                "Precision-recall curve, average precision {}. At threshold {}: precision {}, recall {}.",
                show_score(e.average_precision),
                fmt(t, 2),
                show_ratio(s.precision),
                show_ratio(s.recall)
            ),
        )?;
        Ok(TaskState::Binary {
            threshold: t,
            counts: [
                c.true_negatives,
                c.false_positives,
                c.false_negatives,
                c.true_positives,
            ],
            accuracy: s.accuracy.value,
            sensitivity: s.sensitivity.value,
            specificity: s.specificity.value,
            precision: s.precision.value,
            recall: s.recall.value,
            f1: s.f1.value,
            auc: e.auc,
            average_precision: e.average_precision,
            log_loss: e.log_loss,
            roc_point: [fpr, tpr],
        })
    }

    fn multiclass(&self, e: &MulticlassEvaluation) -> Result<TaskState> {
        let doc = dom::document()?;
        let cell = |tag: &str, text: &str, class: Option<&str>| -> Result<Element> {
            let el = doc.create_element(tag)?;
            dom::set_text(&el, text);
            if let Some(c) = class {
                el.set_class_name(c);
            }
            Ok(el)
        };
        // The confusion matrix: true classes down, predicted classes across.
        let table: Element = dom::query(&self.root, "[data-role=\"multi-confusion\"]")?;
        table.set_text_content(None);
        let head = doc.create_element("tr")?;
        let corner = cell("th", "true ↓ / predicted →", Some("cm-corner"))?;
        head.append_child(&corner)?;
        for l in &e.confusion.labels {
            let th = cell("th", &format!("class {}", l + 1), None)?;
            th.set_attribute("scope", "col")?;
            head.append_child(&th)?;
        }
        table.append_child(&head)?;
        for (i, row) in e.confusion.counts.iter().enumerate() {
            let tr = doc.create_element("tr")?;
            let th = cell("th", &format!("class {}", i + 1), None)?;
            th.set_attribute("scope", "row")?;
            tr.append_child(&th)?;
            for (j, v) in row.iter().enumerate() {
                let class = if i == j { "cm-right" } else { "cm-wrong" };
                let td = cell("td", &v.to_string(), Some(class))?;
                tr.append_child(&td)?;
            }
            table.append_child(&tr)?;
        }
        // Per-class scores and the two averages.
        let body: Element = dom::query(&self.root, "[data-role=\"class-scores\"]")?;
        body.set_text_content(None);
        let line = |name: &str, s: &PrecisionRecallF1, support: String| -> Result<()> {
            let tr = doc.create_element("tr")?;
            let th = cell("th", name, None)?;
            th.set_attribute("scope", "row")?;
            tr.append_child(&th)?;
            for text in [
                show_ratio(s.precision),
                show_ratio(s.recall),
                show_ratio(s.f1),
                support,
            ] {
                let td = cell("td", &text, None)?;
                tr.append_child(&td)?;
            }
            body.append_child(&tr)?;
            Ok(())
        };
        for c in &e.report.per_class {
            line(
                &format!("class {}", c.label + 1),
                &c.scores,
                c.support.to_string(),
            )?;
        }
        let total: u64 = e.report.per_class.iter().map(|c| c.support).sum();
        line("macro average", &e.report.macro_average, total.to_string())?;
        line("micro average", &e.report.micro_average, total.to_string())?;
        let auc = e.auc.as_ref().map_or(f64::NAN, |a| a.macro_average);
        self.put(
            "multi-summary",
            &format!(
                "accuracy {}, log loss {}, one-vs-rest ROC AUC (macro) {}",
                fmt(e.report.accuracy, 3),
                fmt(e.log_loss, 3),
                show_score(auc)
            ),
        )?;
        Ok(TaskState::Multiclass {
            confusion: e.confusion.counts.clone(),
            accuracy: e.report.accuracy,
            macro_f1: e.report.macro_average.f1.value,
            micro_f1: e.report.micro_average.f1.value,
            log_loss: e.log_loss,
            auc,
        })
    }

    fn regression(&self, e: &RegressionEvaluation) -> Result<TaskState> {
        let r = &e.report;
        self.put("mae", &fmt(r.mae, 4))?;
        self.put("mse", &fmt(r.mse, 4))?;
        self.put("rmse", &fmt(r.rmse, 4))?;
        let points: Vec<(f64, f64)> = e
            .predicted
            .iter()
            .copied()
            .zip(e.residuals.iter().copied())
            .collect();
        let (lo, hi) = e
            .predicted
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let (lo, hi) = if lo < hi {
            (lo, hi)
        } else {
            (lo - 1.0, lo + 1.0)
        };
        let pad = 0.05 * (hi - lo);
        let reach = e
            .residuals
            .iter()
            .fold(0.0_f64, |m, v| m.max(v.abs()))
            .max(0.1)
            * 1.1;
        let palette = Palette::from_css()?;
        scatter::draw(
            &self.residuals,
            &ScatterChart {
                x: (lo - pad)..(hi + pad),
                y: -reach..reach,
                x_label: "prediction",
                y_label: "residual (prediction − target)",
                groups: vec![(&points, palette.blue)],
                zero_line: true,
            },
            &palette,
        )?;
        self.residuals.set_attribute(
            "aria-label",
            &format!(
                "Residuals of {} predictions against the prediction; the largest is {} in size. MAE {}, MSE {}, RMSE {}.",
                points.len(),
                fmt(reach / 1.1, 3),
                fmt(r.mae, 4),
                fmt(r.mse, 4),
                fmt(r.rmse, 4)
            ),
        )?;
        Ok(TaskState::Regression {
            mae: r.mae,
            mse: r.mse,
            rmse: r.rmse,
        })
    }
}

/// The scores as CSV, one value per row (`part,item,measure,value`): the split and step, the
/// threshold-free scores, then by task the ROC and precision-recall curve points and the counts
/// and ratios at `threshold` (binary), the confusion matrix and per-class scores (multiclass), or
/// each prediction's residual (regression).
pub fn scores_csv(s: &Scored, split: &str, threshold: f64) -> Result<String> {
    let mut csv = Csv::new(&["part", "item", "measure", "value"]);
    let mut put = |part: &str, item: String, measure: &str, value: Cell| {
        csv.row([part.into(), item.into(), measure.into(), value]);
    };
    put("summary", String::new(), "split", split.into());
    put("summary", String::new(), "step", s.step.into());
    put("summary", String::new(), "points", s.points.into());
    let ratio = |r: Ratio| Cell::from(r.value);
    match &s.evaluation {
        Evaluation::Binary(e) => {
            put("summary", String::new(), "auc", e.auc.into());
            put(
                "summary",
                String::new(),
                "average_precision",
                e.average_precision.into(),
            );
            put("summary", String::new(), "log_loss", e.log_loss.into());
            for (i, ((t, f), p)) in e
                .roc
                .thresholds
                .iter()
                .zip(&e.roc.fpr)
                .zip(&e.roc.tpr)
                .enumerate()
            {
                put("roc", i.to_string(), "threshold", (*t).into());
                put("roc", i.to_string(), "false_positive_rate", (*f).into());
                put("roc", i.to_string(), "true_positive_rate", (*p).into());
            }
            for (i, (r, p)) in e.pr.recall.iter().zip(&e.pr.precision).enumerate() {
                put(
                    "precision_recall",
                    i.to_string(),
                    "threshold",
                    e.pr.thresholds.get(i).copied().into(),
                );
                put("precision_recall", i.to_string(), "recall", (*r).into());
                put("precision_recall", i.to_string(), "precision", (*p).into());
            }
            let at = e.at(threshold)?;
            let item = threshold.to_string();
            let c = at.counts;
            for (measure, v) in [
                ("true_negatives", c.true_negatives),
                ("false_positives", c.false_positives),
                ("false_negatives", c.false_negatives),
                ("true_positives", c.true_positives),
            ] {
                put("confusion_at_threshold", item.clone(), measure, v.into());
            }
            for (measure, r) in [
                ("accuracy", at.accuracy),
                ("sensitivity", at.sensitivity),
                ("specificity", at.specificity),
                ("precision", at.precision),
                ("recall", at.recall),
                ("f1", at.f1),
            ] {
                put("scores_at_threshold", item.clone(), measure, ratio(r));
            }
        }
        Evaluation::Multiclass(e) => {
            put(
                "summary",
                String::new(),
                "accuracy",
                e.report.accuracy.into(),
            );
            put("summary", String::new(), "log_loss", e.log_loss.into());
            put(
                "summary",
                String::new(),
                "auc_macro",
                e.auc.as_ref().map(|a| a.macro_average).into(),
            );
            for (row, counts) in e.confusion.labels.iter().zip(&e.confusion.counts) {
                for (column, v) in e.confusion.labels.iter().zip(counts) {
                    put(
                        "confusion",
                        format!("true class {}", row + 1),
                        &format!("predicted class {}", column + 1),
                        (*v).into(),
                    );
                }
            }
            let mut line = |item: String, scores: &PrecisionRecallF1, support: u64| {
                put(
                    "class_scores",
                    item.clone(),
                    "precision",
                    ratio(scores.precision),
                );
                put("class_scores", item.clone(), "recall", ratio(scores.recall));
                put("class_scores", item.clone(), "f1", ratio(scores.f1));
                put("class_scores", item, "support", support.into());
            };
            for c in &e.report.per_class {
                line(format!("class {}", c.label + 1), &c.scores, c.support);
            }
            let total: u64 = e.report.per_class.iter().map(|c| c.support).sum();
            line("macro average".into(), &e.report.macro_average, total);
            line("micro average".into(), &e.report.micro_average, total);
        }
        Evaluation::Regression(e) => {
            put("summary", String::new(), "mae", e.report.mae.into());
            put("summary", String::new(), "mse", e.report.mse.into());
            put("summary", String::new(), "rmse", e.report.rmse.into());
            for (i, (p, r)) in e.predicted.iter().zip(&e.residuals).enumerate() {
                put("residuals", i.to_string(), "prediction", (*p).into());
                put("residuals", i.to_string(), "residual", (*r).into());
            }
        }
    }
    Ok(csv.finish())
}

impl Figure for ScoresFigure {
    fn csv(&self) -> Option<String> {
        let mut empty = Csv::new(&["part", "item", "measure", "value"]);
        let Some((s, split, threshold)) = &self.last else {
            empty.row(["summary".into(), Cell::Empty, "split".into(), "none".into()]);
            return Some(empty.finish());
        };
        match scores_csv(s, split, *threshold) {
            Ok(text) => Some(text),
            Err(e) => {
                web_sys::console::error_1(&e.to_string().into());
                None
            }
        }
    }

    fn update(&mut self) -> Result<()> {
        let split = match self.split.value().as_str() {
            "test" => 2,
            _ => 1,
        };
        let scored = live_model::with_run(|run| -> Result<Option<Scored>> {
            let step = run.steps();
            let loss = run.trainer().loss();
            let Some((output, target)) = run.split_outputs(split)? else {
                return Ok(None);
            };
            let points = output.nrows();
            Ok(Some(Scored {
                evaluation: evaluate(loss, output, target)?,
                step,
                points,
            }))
        });
        let name = SPLITS[split];
        self.last = None;
        // The panel is shown before drawing, since a hidden canvas has no size to draw at.
        self.show_panel(match &scored {
            Some(Ok(Some(s))) => match s.evaluation {
                Evaluation::Binary(_) => "binary",
                Evaluation::Multiclass(_) => "multiclass",
                Evaluation::Regression(_) => "regression",
            },
            _ => "none",
        })?;
        let (task, detail) = match scored {
            None => {
                let why = if live_model::has_playground() {
                    "The playground has no network yet (it needs more of your points)."
                } else {
                    "This figure scores the playground's network, which is not on the page."
                };
                dom::set_text(&self.status, why);
                ("none", None)
            }
            Some(Ok(None)) => {
                dom::set_text(
                    &self.status,
                    &format!(
                        "The playground's {name} split is empty: give it a share of the points."
                    ),
                );
                ("none", None)
            }
            Some(Err(e)) => {
                dom::set_text(
                    &self.status,
                    &format!("These predictions cannot be scored: {e}."),
                );
                ("none", None)
            }
            Some(Ok(Some(s))) => {
                let head = format!("its {name} split ({} points)", s.points);
                dom::set_text(
                    &self.status,
                    &format!(
                        "The playground's network after {} update{}, scored on {head}.",
                        s.step,
                        if s.step == 1 { "" } else { "s" }
                    ),
                );
                let (task, body) = match &s.evaluation {
                    Evaluation::Binary(e) => ("binary", self.binary(e, &head)?),
                    Evaluation::Multiclass(e) => ("multiclass", self.multiclass(e)?),
                    Evaluation::Regression(e) => ("regression", self.regression(e)?),
                };
                let detail = Some(Detail {
                    step: s.step,
                    points: s.points,
                    task: body,
                });
                let threshold = controls::number(&self.threshold);
                self.last = Some((s, name, threshold));
                (task, detail)
            }
        };
        dom::set_state(
            &self.root,
            &ScoresState {
                task,
                split: name,
                detail,
            },
        )?;
        Ok(())
    }
}

/// The figure's `data-state`: the task (`"none"` when nothing is scored), the split and, when
/// something is scored, its numbers.
#[derive(Serialize)]
struct ScoresState<'a> {
    task: &'static str,
    split: &'a str,
    #[serde(flatten)]
    detail: Option<Detail>,
}

/// The update scored, the points in the split and the task's scores.
#[derive(Serialize)]
struct Detail {
    step: u64,
    points: usize,
    #[serde(flatten)]
    task: TaskState,
}

/// The scores of one task, as the figure shows them.
#[derive(Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
enum TaskState {
    /// Two classes: the counts (true negatives, false positives, false negatives, true
    /// positives) and ratios at the threshold, the threshold-free scores and the threshold's
    /// point on the ROC curve (false and true positive rates).
    Binary {
        threshold: f64,
        counts: [u64; 4],
        accuracy: f64,
        sensitivity: f64,
        specificity: f64,
        precision: f64,
        recall: f64,
        f1: f64,
        auc: f64,
        average_precision: f64,
        log_loss: f64,
        roc_point: [f64; 2],
    },
    /// Several classes: the confusion matrix (rows are true classes) and the summary scores.
    Multiclass {
        confusion: Vec<Vec<u64>>,
        accuracy: f64,
        macro_f1: f64,
        micro_f1: f64,
        log_loss: f64,
        auc: f64,
    },
    /// Regression: the mean absolute error, the mean squared error and its root.
    Regression { mae: f64, mse: f64, rmse: f64 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use spiega_nn::loss::Loss;
    use spiega_nn::tensor::Matrix;

    fn rows(text: &str) -> Vec<Vec<&str>> {
        text.lines().map(|l| l.split(',').collect()).collect()
    }

    #[test]
    fn a_binary_split_exports_its_curves_counts_and_ratios() {
        let output = Matrix::from_column_slice(5, 1, &[-2.0, -0.5, 0.3, 1.0, 2.5]);
        let target = Matrix::from_column_slice(5, 1, &[0.0, 1.0, 0.0, 1.0, 1.0]);
        let evaluation = evaluate(Loss::BinaryCrossEntropy, &output, &target).unwrap();
        let Evaluation::Binary(e) = &evaluation else {
            panic!("a binary task");
        };
        let at = e.at(0.5).unwrap();
        let roc_points = e.roc.fpr.len();
        let pr_points = e.pr.recall.len();
        let scored = Scored {
            evaluation: evaluation.clone(),
            step: 7,
            points: 5,
        };
        let text = scores_csv(&scored, "validation", 0.5).unwrap();
        let rows = rows(&text);
        assert_eq!(rows[0], ["part", "item", "measure", "value"]);
        assert!(rows.iter().all(|r| r.len() == 4));
        assert!(rows.contains(&vec!["summary", "", "step", "7"]));
        let count = |part: &str| rows.iter().filter(|r| r[0] == part).count();
        assert_eq!(count("roc"), 3 * roc_points);
        assert_eq!(count("precision_recall"), 3 * pr_points);
        let tp = at.counts.true_positives.to_string();
        assert!(rows.contains(&vec![
            "confusion_at_threshold",
            "0.5",
            "true_positives",
            tp.as_str()
        ]));
        let f1 = at.f1.value.to_string();
        assert!(rows.contains(&vec!["scores_at_threshold", "0.5", "f1", f1.as_str()]));
    }
}
