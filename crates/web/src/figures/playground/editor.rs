//! The reader's edits to the playground's network and data: hidden layers added or removed,
//! one weight set by hand, their own points added, removed, cleared, loaded from a CSV file, and
//! the data set saved as one.
//!
//! Each edit changes the figure's settings or run and rebuilds or redraws through the figure; it
//! knows nothing of the page's events (the wiring and the pointer call it).

use super::config::split_fractions;
use super::figure::PlaygroundFigure;
use crate::csv::Csv;
use crate::dom;
use crate::download;
use crate::error::Result;
use crate::state::playground::MAX_CUSTOM_POINTS;
use spiega_nn::data::split::split_in_turn;
use web_sys::{Element, HtmlInputElement};

impl PlaygroundFigure {
    /// Adds (`+1`) or removes (`−1`) a hidden layer; a new layer copies the last one's width.
    pub(super) fn change_layers(&mut self, change: i32) -> Result<()> {
        let shape = &mut self.state.network_shape;
        if change > 0 && shape.len() < spiega_lessons::playground::MAX_LAYERS {
            let width = shape.last().copied().unwrap_or(4);
            shape.push(width);
        } else if change < 0 {
            shape.pop();
        } else {
            return Ok(());
        }
        self.write_controls()?;
        self.save_hash()?;
        self.rebuild()
    }

    /// Removes every one of the reader's points.
    pub(super) fn clear_points(&mut self) -> Result<()> {
        self.state.custom.clear();
        self.save_hash()?;
        self.rebuild()?;
        self.say("Your points were cleared: tap or click the map to add new ones.")
    }

    /// Replaces the reader's points with a CSV file's; a bad row is named by its line and
    /// nothing already drawn is lost.
    pub(super) fn import_csv(&mut self, text: &str) -> Result<()> {
        use spiega_nn::data::csv::{CsvLabels, parse_csv_within};
        let labels = if self.state.is_regression() {
            CsvLabels::Values
        } else {
            CsvLabels::Classes
        };
        // The same limits as a link's points, so every file that loads makes a link that reopens.
        let data = match parse_csv_within(text, labels, &self.state.csv_bounds()) {
            Ok(d) => d,
            Err(e) => {
                return self.say(&format!(
                    "The file was not loaded, and your points are unchanged: {e}."
                ));
            }
        };
        let mut points = Vec::with_capacity(data.len());
        for r in 0..data.len() {
            let (x, y) = (f64::from(data.x()[(r, 0)]), f64::from(data.x()[(r, 1)]));
            let label = match data.labels() {
                Some(l) => l[r] as f64,
                None => f64::from(data.targets()[(r, 0)]),
            };
            points.push(crate::state::Point {
                x: crate::state::round2(x),
                y: crate::state::round2(y),
                label,
            });
        }
        self.state.custom = points;
        self.state.dataset = crate::state::playground::Dataset::Custom;
        self.write_controls()?;
        self.save_hash()?;
        self.rebuild()?;
        self.say(&format!("Loaded {} points.", data.len()))
    }

    /// Downloads the current data set (every split) as CSV.
    pub(super) fn export_csv(&mut self) -> Result<()> {
        let Some(run) = self.run.as_ref() else {
            return Ok(());
        };
        let mut csv = Csv::new(&["x1", "x2", "label"]);
        for (x, y) in run.points().into_iter().flatten() {
            for r in 0..x.nrows() {
                let label = if y.ncols() > 1 {
                    y.row(r).iter().position(|&v| v > 0.5).unwrap_or(0) as f32
                } else {
                    y[(r, 0)]
                };
                csv.row([x[(r, 0)].into(), x[(r, 1)].into(), label.into()]);
            }
        }
        download::save_text("spiega-playground.csv", "text/csv", &csv.finish())
    }

    /// Opens the editor for the weight under the pointer.
    pub(super) fn open_weight_editor(&mut self, p: (f64, f64)) -> Result<()> {
        let editor: Element = dom::query(&self.root, "[data-role=\"weight-editor\"]")?;
        let Some((block, out, input)) = self
            .view
            .layout
            .as_ref()
            .and_then(|l| l.edge_at(p.0, p.1, 6.0))
        else {
            return Ok(());
        };
        let w = self
            .run
            .as_ref()
            .and_then(|r| {
                r.dense_layers()
                    .get(block)
                    .map(|d| d.weights()[(out, input)])
            })
            .unwrap_or(0.0);
        editor.set_attribute("data-edge", &format!("{block},{out},{input}"))?;
        if let Ok(Some(name)) = editor.query_selector("[data-role=\"weight-name\"]") {
            dom::set_text(
                &name,
                &format!(
                    "layer {} → {}, from {} to {}",
                    block,
                    block + 1,
                    input + 1,
                    out + 1
                ),
            );
        }
        dom::input(&editor, "weight-value")?.set_value(&format!("{w}"));
        dom::set_hidden(&editor, false)
    }

    /// Sets the weight being edited to the typed value.
    pub(super) fn set_edited_weight(&mut self) -> Result<()> {
        let editor: Element = dom::query(&self.root, "[data-role=\"weight-editor\"]")?;
        let edge = editor.get_attribute("data-edge").unwrap_or_default();
        let parts: Vec<usize> = edge.split(',').filter_map(|p| p.parse().ok()).collect();
        let [block, out, input] = parts[..] else {
            return Ok(());
        };
        let typed = dom::input(&editor, "weight-value")?.value();
        let Ok(value) = typed.trim().parse::<f32>() else {
            return self.say(&format!(
                "“{typed}” is not a number, so the weight was left as it was."
            ));
        };
        self.depart();
        self.run()?.set_weight(block, out, input, value)?;
        self.run()?.record()?;
        self.say("")?;
        self.draw()
    }

    /// Adds a point where the reader clicked or tapped the map, or removes the nearest one, when
    /// the data set is the reader's own: the chosen "A tap on the map" option says which, and
    /// Shift (orange) or Alt (remove) overrides it for a mouse.
    pub(super) fn edit_points(&mut self, p: (f64, f64), shift: bool, alt: bool) -> Result<()> {
        let generated = !self.state.uses_own_points();
        // The map edits the reader's own points only in classification.
        if !generated && self.state.is_regression() {
            return Ok(());
        }
        // Before the first drawing (no points yet) the map's frame comes from the canvas's size.
        let canvas = self.view.heatmap_canvas();
        let fallback = crate::charts::heatmap::PlotFrame::new(
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
            (-6.0, 6.0),
            (-6.0, 6.0),
            true,
        );
        let (x, y) = self
            .view
            .heatmap()
            .to_data(p.0, p.1)
            .unwrap_or_else(|| fallback.to_data(p.0, p.1));
        if !(-6.0..=6.0).contains(&x) || !(-6.0..=6.0).contains(&y) {
            return Ok(());
        }
        if generated {
            // On a generated data set a click selects the nearest point to step through.
            return self.select_point(x, y);
        }
        let mode = dom::query::<HtmlInputElement>(&self.root, "input[name=\"click-mode\"]:checked")
            .map(|i| i.value())
            .unwrap_or_default();
        let said = if alt || mode == "remove" {
            if !self.state.remove_custom_point_near(x, y) {
                return self.say("No point of yours is near there to remove.");
            }
            self.save_hash()?;
            self.rebuild()?;
            format!("Point removed: {} left.", self.state.custom.len())
        } else {
            let (label, colour) = if shift || mode == "orange" {
                (0, "orange")
            } else {
                (1, "blue")
            };
            if !self.state.add_custom_point(x, y, label) {
                return self.say(&format!(
                    "Your data set is full: it holds at most {MAX_CUSTOM_POINTS} points."
                ));
            }
            self.save_hash()?;
            self.rebuild()?;
            let n = self.state.custom.len();
            format!(
                "Point {n} ({colour}) joined the {} split.",
                self.split_of_own_point(n - 1)
            )
        };
        if self.run.is_some() {
            self.say(&said)?;
        }
        Ok(())
    }

    /// Which split the reader's point `index` is in: each keeps the split it joined as more are
    /// added (see [`split_in_turn`]).
    fn split_of_own_point(&self, index: usize) -> &'static str {
        let fractions = split_fractions(&self.state);
        match split_in_turn(self.state.custom.len(), fractions) {
            Ok(parts) if parts.validation.contains(&index) => "validation",
            Ok(parts) if parts.test.contains(&index) => "test",
            _ => "training",
        }
    }
}
