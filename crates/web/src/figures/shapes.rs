//! The shape calculator: the reader builds a stack of layers (input, dense, flatten, convolution,
//! pooling, dropout) and reads each layer's output shape and parameter count, computed by the
//! engine's [`spiega_nn::shapes::infer_shapes`].
//!
//! The stack lives in the page as a list of rows. The markup opens with one row, a dense layer,
//! which the figure copies (as it was, before any edit) for every layer it adds, so the page
//! holds the room of its first stack before the figure starts; the figure reads the rows back on
//! every edit, so the rows are the state.

use super::Figure;
use crate::controls;
use crate::dom;
use crate::error::{Result, WebError};
use serde::Serialize;
use spiega_nn::shapes::{LayerSpec, Padding, format_shape, infer_shapes};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, Node};

/// The figure's controls.
pub struct ShapesFigure {
    root: Element,
    stack: Element,
    prototype: Element,
    input_shape: HtmlInputElement,
    rows: Element,
    total: Element,
    error: Element,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let fig = Rc::new(RefCell::new(ShapesFigure {
        root: root.clone(),
        stack: dom::query(root, "[data-role=\"stack\"]")?,
        prototype: dom::query::<Element>(root, "[data-role=\"stack\"] > li")?
            .clone_node_with_deep(true)?
            .dyn_into()
            .map_err(|_| WebError::MissingElement("a layer row".into()))?,
        input_shape: dom::input(root, "input-shape")?,
        rows: dom::query(root, "[data-role=\"shape-rows\"]")?,
        total: dom::query(root, "[data-role=\"total\"]")?,
        error: dom::query(root, "[data-role=\"error\"]")?,
    }));
    fig.borrow().preset("dense")?;
    let f = Rc::clone(&fig);
    dom::on(root, "input", move |_| {
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.update()
        {
            fig.say(&e.to_string());
        }
    })?;
    let f = Rc::clone(&fig);
    dom::on(root, "click", move |ev| {
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if let Ok(mut fig) = f.try_borrow_mut()
            && let Err(e) = fig.clicked(&target)
        {
            fig.say(&e.to_string());
        }
    })?;
    let as_dyn: Rc<RefCell<dyn Figure>> = fig;
    Ok(as_dyn)
}

/// The default layer of each kind, as the "add" button makes it.
fn default_layer(kind: &str) -> LayerSpec {
    match kind {
        "flatten" => LayerSpec::Flatten,
        "conv2d" => LayerSpec::Conv2d {
            filters: 8,
            kernel: 3,
            stride: 1,
            padding: Padding::Valid,
        },
        "maxpool" => LayerSpec::MaxPool {
            kernel: 2,
            stride: 2,
            padding: Padding::Valid,
        },
        "avgpool" => LayerSpec::AvgPool {
            kernel: 2,
            stride: 2,
            padding: Padding::Valid,
        },
        "dropout" => LayerSpec::Dropout(0.25),
        _ => LayerSpec::Dense(16),
    }
}

/// A row's value for `field`: `(kind, size, kernel, stride, padding, rate)` written into the row.
fn row_values(spec: &LayerSpec) -> (&'static str, usize, usize, usize, Padding, f32) {
    match *spec {
        LayerSpec::Dense(n) => ("dense", n, 3, 1, Padding::Valid, 0.25),
        LayerSpec::Flatten | LayerSpec::Input(_) => ("flatten", 16, 3, 1, Padding::Valid, 0.25),
        LayerSpec::Conv2d {
            filters,
            kernel,
            stride,
            padding,
        } => ("conv2d", filters, kernel, stride, padding, 0.25),
        LayerSpec::MaxPool {
            kernel,
            stride,
            padding,
        } => ("maxpool", 16, kernel, stride, padding, 0.25),
        LayerSpec::AvgPool {
            kernel,
            stride,
            padding,
        } => ("avgpool", 16, kernel, stride, padding, 0.25),
        LayerSpec::Dropout(p) => ("dropout", 16, 3, 1, Padding::Valid, p),
    }
}

/// Parses a shape typed as whole numbers separated by commas, spaces or `×`.
fn parse_shape(text: &str) -> Option<Vec<usize>> {
    let dims: Option<Vec<usize>> = text
        .split(|c: char| c == ',' || c == '×' || c == 'x' || c.is_whitespace())
        .map(|p| p.trim_matches(|c| c == '(' || c == ')'))
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    dims.filter(|d| !d.is_empty())
}

impl ShapesFigure {
    /// Shows a message (as text), or hides it when empty.
    fn say(&self, text: &str) {
        dom::set_text(&self.error, text);
        dom::set_hidden(&self.error, text.is_empty()).ok();
    }

    /// One of the worked examples.
    fn preset(&self, name: &str) -> Result<()> {
        let (input, stack) = match name {
            "flatten" => ("5, 3", vec![LayerSpec::Flatten, LayerSpec::Dense(16)]),
            "image" => (
                "28, 28, 1",
                vec![
                    default_layer("conv2d"),
                    default_layer("maxpool"),
                    LayerSpec::Dropout(0.25),
                    LayerSpec::Flatten,
                    LayerSpec::Dense(10),
                ],
            ),
            _ => ("5, 3", vec![LayerSpec::Dense(16)]),
        };
        self.input_shape.set_value(input);
        self.render_stack(&stack)
    }

    /// Rebuilds the list of layer rows from `stack`.
    fn render_stack(&self, stack: &[LayerSpec]) -> Result<()> {
        self.stack.set_text_content(None);
        for spec in stack {
            self.append_row(spec)?;
        }
        Ok(())
    }

    /// Adds one row for `spec` at the end of the list.
    fn append_row(&self, spec: &LayerSpec) -> Result<()> {
        let row: Element = self
            .prototype
            .clone_node_with_deep(true)?
            .dyn_into()
            .map_err(|_| WebError::MissingElement("a layer row".into()))?;
        let (kind, size, kernel, stride, padding, rate) = row_values(spec);
        dom::query::<HtmlSelectElement>(&row, "[data-field=\"kind\"]")?.set_value(kind);
        let set = |field: &str, v: String| -> Result<()> {
            dom::query::<HtmlInputElement>(&row, &format!("input[data-field=\"{field}\"]"))?
                .set_value(&v);
            Ok(())
        };
        set("size", size.to_string())?;
        set("kernel", kernel.to_string())?;
        set("stride", stride.to_string())?;
        set("rate", rate.to_string())?;
        dom::query::<HtmlSelectElement>(&row, "[data-field=\"padding\"]")?.set_value(
            if padding == Padding::Same {
                "same"
            } else {
                "valid"
            },
        );
        self.stack.append_child(&row)?;
        Ok(())
    }

    /// A button was pressed: a preset, adding a layer or removing one.
    fn clicked(&mut self, target: &Element) -> Result<()> {
        if let Some(name) = target.get_attribute("data-preset") {
            self.preset(&name)?;
        } else if target.get_attribute("data-role").as_deref() == Some("add") {
            let kind: HtmlSelectElement = dom::query(&self.root, "[data-role=\"add-kind\"]")?;
            self.append_row(&default_layer(&kind.value()))?;
        } else if target.get_attribute("data-role").as_deref() == Some("remove-layer") {
            if let Some(row) = target.closest("li")? {
                row.remove();
            }
        } else {
            return Ok(());
        }
        self.update()
    }

    /// Reads the rows into layer specifications, showing each row only its kind's fields.
    fn read_stack(&self) -> Result<Vec<LayerSpec>> {
        let mut specs = Vec::new();
        for (i, row) in dom::query_all(&self.stack, ":scope > li")?
            .iter()
            .enumerate()
        {
            let kind = dom::query::<HtmlSelectElement>(row, "[data-field=\"kind\"]")?.value();
            for el in dom::query_all(row, "[data-kinds]")? {
                let kinds = el.get_attribute("data-kinds").unwrap_or_default();
                dom::set_hidden(&el, !kinds.split(' ').any(|k| k == kind))?;
            }
            if let Ok(Some(n)) = row.query_selector("[data-role=\"layer-number\"]") {
                dom::set_text(&n, &format!("Layer {}", i + 2));
            }
            let number = |field: &str| -> Result<f64> {
                let input: HtmlInputElement =
                    dom::query(row, &format!("input[data-field=\"{field}\"]"))?;
                Ok(controls::number(&input))
            };
            let whole = |field: &str| -> Result<usize> {
                Ok(number(field)?.clamp(0.0, 1e9).round() as usize)
            };
            let padding = match dom::query::<HtmlSelectElement>(row, "[data-field=\"padding\"]")?
                .value()
                .as_str()
            {
                "same" => Padding::Same,
                _ => Padding::Valid,
            };
            specs.push(match kind.as_str() {
                "flatten" => LayerSpec::Flatten,
                "conv2d" => LayerSpec::Conv2d {
                    filters: whole("size")?,
                    kernel: whole("kernel")?,
                    stride: whole("stride")?,
                    padding,
                },
                "maxpool" => LayerSpec::MaxPool {
                    kernel: whole("kernel")?,
                    stride: whole("stride")?,
                    padding,
                },
                "avgpool" => LayerSpec::AvgPool {
                    kernel: whole("kernel")?,
                    stride: whole("stride")?,
                    padding,
                },
                "dropout" => LayerSpec::Dropout(number("rate")? as f32),
                _ => LayerSpec::Dense(whole("size")?),
            });
        }
        Ok(specs)
    }

    /// Writes the table rows: layer, output shape, parameters, weight shape.
    fn write_table(&self, rows: &[[String; 4]]) -> Result<()> {
        let doc = dom::document()?;
        self.rows.set_text_content(None);
        for cells in rows {
            let tr = doc.create_element("tr")?;
            for (i, text) in cells.iter().enumerate() {
                let cell = doc.create_element(if i == 0 { "th" } else { "td" })?;
                if i == 0 {
                    cell.set_attribute("scope", "row")?;
                }
                dom::set_text(&cell, text);
                let node: &Node = cell.as_ref();
                tr.append_child(node)?;
            }
            self.rows.append_child(&tr)?;
        }
        Ok(())
    }
}

impl Figure for ShapesFigure {
    /// The opening example, `input(5, 3) → dense(16)`.
    fn restore_unshared(&mut self) -> Result<()> {
        self.preset("dense")?;
        self.update()
    }

    fn update(&mut self) -> Result<()> {
        let stack = self.read_stack()?;
        let Some(dims) = parse_shape(&self.input_shape.value()) else {
            self.say("Type the input shape as whole numbers separated by commas, such as 5, 3.");
            self.write_table(&[])?;
            dom::set_text(&self.total, "–");
            dom::set_state(&self.root, &ShapesState::error("input"))?;
            return Ok(());
        };
        let mut full = vec![LayerSpec::Input(dims)];
        full.extend(stack);
        match infer_shapes(&full) {
            Ok(report) => {
                self.say("");
                let rows: Vec<[String; 4]> = report
                    .layers
                    .iter()
                    .map(|l| {
                        [
                            l.label.clone(),
                            format_shape(&l.output),
                            l.params.to_string(),
                            l.weight_shape
                                .as_ref()
                                .map_or_else(|| "–".into(), |w| format_shape(w)),
                        ]
                    })
                    .collect();
                self.write_table(&rows)?;
                dom::set_text(&self.total, &report.total_params.to_string());
                dom::set_state(
                    &self.root,
                    &ShapesState {
                        layers: report
                            .layers
                            .iter()
                            .map(|l| LayerState {
                                label: &l.label,
                                output: &l.output,
                                params: l.params,
                            })
                            .collect(),
                        total: Some(report.total_params),
                        error: None,
                    },
                )?;
            }
            Err(e) => {
                self.say(&format!("{e}."));
                self.write_table(&[])?;
                dom::set_text(&self.total, "–");
                dom::set_state(&self.root, &ShapesState::error("stack"))?;
            }
        }
        Ok(())
    }
}

/// The figure's `data-state`: each layer's label, output shape and parameter count, the total,
/// and which part could not be read (`"input"` or `"stack"`), if any.
#[derive(Serialize)]
struct ShapesState<'a> {
    layers: Vec<LayerState<'a>>,
    total: Option<usize>,
    error: Option<&'static str>,
}

/// One layer in the shapes figure's state.
#[derive(Serialize)]
struct LayerState<'a> {
    label: &'a str,
    output: &'a [usize],
    params: usize,
}

impl ShapesState<'_> {
    /// The state when `part` could not be read: no layers and no total.
    fn error(part: &'static str) -> Self {
        Self {
            layers: Vec::new(),
            total: None,
            error: Some(part),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_shape;

    #[test]
    fn shapes_parse_with_commas_spaces_and_times() {
        assert_eq!(parse_shape("5, 3"), Some(vec![5, 3]));
        assert_eq!(parse_shape("(28 × 28 × 1)"), Some(vec![28, 28, 1]));
        assert_eq!(parse_shape("5, a"), None);
        assert_eq!(parse_shape(""), None);
    }
}
