//! The toolbar under every figure, written into the page by `cargo xtask assemble`.
//!
//! Each `<figure … data-figure="name">` of a section gets, just before its `<figcaption>` (or at
//! its end when it has none), the bar of buttons that the page's code wires when the figure
//! starts (`crates/web/src/figures/tools.rs`): "Copy link"; a menu of its charts when it has
//! several, and "Save chart as PNG" when it has one or more; "Save data as CSV"; the model file
//! buttons. Written in the markup, the bar holds its room from the first byte the reader gets,
//! so nothing moves when the figure starts; its buttons are disabled until then.
//!
//! What a bar holds is read from the figure's own markup:
//! - its charts are its `<canvas role="img">`, in page order (the page's code finds the same
//!   list), each named in the menu by its `data-chart-name`, else the plain name of its
//!   `data-role` ([`chart_name`]), else the start of its `aria-label` ([`short_name`]);
//! - its `data-tools` names the rest: `data` for "Save data as CSV", `model` for the model menu
//!   with "Export model" and "Import model", `import` for "Import model" alone.

use crate::toc::attribute;
use spiega_lessons::playground::export_code::{Language, MODEL_FILE_CHOICE};

/// The class of the bar (the page's code and its tests find it by it).
const TOOLBAR_CLASS: &str = "figure-tools";

/// The words `data-tools` may hold.
const TOOLS: [&str; 3] = ["data", "model", "import"];

/// `section` (the text of one section file) with a toolbar written into each of its figures.
/// A figure without a name, one inside another, one without its closing tag, and an unknown
/// word in `data-tools` are errors naming the figure.
pub fn add(section: &str) -> Result<String, String> {
    let mut out = String::with_capacity(section.len() + 4096);
    let mut rest = section;
    while let Some(start) = find_tag(rest, "figure") {
        let open_end = start
            + rest[start..]
                .find('>')
                .ok_or("a <figure> tag is not closed")?
            + 1;
        let open = &rest[start..open_end];
        let Some(name) = attribute(open, "data-figure") else {
            // A figure that is not one of the page's (an image with a caption) has no tools.
            out.push_str(&rest[..open_end]);
            rest = &rest[open_end..];
            continue;
        };
        let close = rest[open_end..]
            .find("</figure>")
            .ok_or_else(|| format!("figure {name}: no </figure>"))?
            + open_end;
        let body = &rest[open_end..close];
        if find_tag(body, "figure").is_some() {
            return Err(format!("figure {name}: a figure inside it"));
        }
        if body.contains(&format!("class=\"{TOOLBAR_CLASS}\"")) {
            return Err(format!(
                "figure {name}: already has a toolbar; the build writes it"
            ));
        }
        let tools = attribute(open, "data-tools").unwrap_or_default();
        if let Some(unknown) = tools.split_whitespace().find(|w| !TOOLS.contains(w)) {
            return Err(format!(
                "figure {name}: data-tools names \"{unknown}\"; it may name {}",
                TOOLS.join(", ")
            ));
        }
        let bar = toolbar(name, &charts(body), tools);
        let at = body.rfind("<figcaption").unwrap_or(body.len()) + open_end;
        let indent = line_indent(&rest[..at]);
        out.push_str(&rest[..at]);
        out.push_str(&bar);
        out.push('\n');
        out.push_str(indent);
        out.push_str(&rest[at..close]);
        rest = &rest[close..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Where the next `<tag` (followed by a space or `>`) starts in `text`.
fn find_tag(text: &str, tag: &str) -> Option<usize> {
    let open = format!("<{tag}");
    let mut from = 0;
    while let Some(i) = text[from..].find(&open) {
        let at = from + i;
        match text[at + open.len()..].chars().next() {
            Some(' ' | '>' | '\n') => return Some(at),
            _ => from = at + open.len(),
        }
    }
    None
}

/// The white space that starts the line `before` ends on (the indentation of what follows).
fn line_indent(before: &str) -> &str {
    let line = before.rsplit('\n').next().unwrap_or("");
    &line[..line.len() - line.trim_start().len()]
}

/// The names of the charts in a figure's markup, as its menu lists them.
fn charts(body: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = body;
    while let Some(start) = find_tag(rest, "canvas") {
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        if attribute(tag, "role") == Some("img") {
            let role = attribute(tag, "data-role").unwrap_or("chart");
            let name = attribute(tag, "data-chart-name")
                .or_else(|| chart_name(role))
                .map(str::to_owned)
                .or_else(|| attribute(tag, "aria-label").map(short_name))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| role.to_owned());
            names.push(name);
        }
        rest = &rest[end..];
    }
    names
}

/// The toolbar of the figure `name` with the charts `charts` and the `data-tools` words `tools`,
/// its controls disabled.
fn toolbar(name: &str, charts: &[String], tools: &str) -> String {
    let has = |word: &str| tools.split_whitespace().any(|w| w == word);
    let mut bar = format!(
        r#"<div class="{TOOLBAR_CLASS}" role="toolbar" aria-label="Share or save the {name} figure">"#
    );
    bar += &format!(
        r#"<button type="button" class="btn share-button" data-role="copy-link" aria-label="Copy link to the {name} figure with its settings" disabled>Copy link</button>"#
    );
    bar += r#"<span class="share-status" role="status" aria-live="polite"></span>"#;
    if charts.len() > 1 {
        let options: String = charts
            .iter()
            .enumerate()
            .map(|(i, c)| format!(r#"<option value="{i}">{c}</option>"#))
            .collect();
        bar += &format!(
            r#"<label class="export-chart"><span>Chart</span><select data-export="chart" aria-label="Chart of the {name} figure to save" disabled>{options}</select></label>"#
        );
    }
    if !charts.is_empty() {
        bar += r#"<button type="button" class="btn export-button" data-export="png" disabled>Save chart as PNG</button>"#;
    }
    if has("data") {
        bar += r#"<button type="button" class="btn export-button" data-export="csv" disabled>Save data as CSV</button>"#;
    }
    bar += r#"<span class="export-status" role="status" aria-live="polite"></span>"#;
    if has("model") {
        let options: String = Language::ALL
            .iter()
            .map(|l| format!(r#"<option value="{0}">{0}</option>"#, l.label()))
            .chain([format!(
                r#"<option value="{MODEL_FILE_CHOICE}">JSON</option>"#
            )])
            .collect();
        bar += &format!(
            r#"<label class="export-chart"><span>Model as</span><select data-export="model-format" aria-label="Format of the {name} figure's model" disabled>{options}</select></label>"#
        );
        bar += r#"<button type="button" class="btn export-button" data-export="model" disabled>Export model</button>"#;
    }
    if has("model") || has("import") {
        bar += r#"<label class="btn file-btn">Import model<input type="file" accept=".json,application/json" data-export="import-model" disabled></label>"#;
        bar +=
            r#"<span class="export-status model-status" role="status" aria-live="polite"></span>"#;
    }
    bar += "</div>";
    bar
}

/// The plain name of the page's charts by their `data-role` (their labels change as they show
/// new values, so the menu names them by what they are).
fn chart_name(role: &str) -> Option<&'static str> {
    Some(match role {
        "accuracy" => "Accuracy against weights removed",
        "attention" => "Attention weights",
        "boundary-0" => "Boundary of the smallest network",
        "boundary-1" => "Boundary of the chosen network",
        "boundary-2" => "Boundary of the largest network",
        "coefficients" => "Coefficients at the chosen rate",
        "cross-entropy" => "Cross-entropy",
        "curve" => "Loss against capacity",
        "curves" | "loss-chart" => "Loss curves",
        "decay" => "AdamW against Adam with L2",
        "embeddings" => "Embeddings",
        "feature-map" => "Feature map",
        "heatmap" => "Output over the plane",
        "histogram-0" => "Weights without a penalty",
        "histogram-1" => "Weights with L1",
        "histogram-2" => "Weights with L2",
        "histogram-3" => "Weights with the elastic net",
        "histograms" => "Pre-activation histograms",
        "image" => "Input digit",
        "impurity" => "Gini impurity and entropy",
        "losses" => "Losses",
        "map" => "Loss surface and paths",
        "network" => "Network",
        "paths" => "Coefficient paths",
        "plane" => "Real and generated points",
        "points" => "Training points",
        "pooled" => "Pooled map",
        "pr" => "Precision-recall curve",
        "rate-chart" => "Learning rate per step",
        "residuals" => "Residuals",
        "roc" => "ROC curve",
        _ => return None,
    })
}

/// A chart's short name for the menu when it has no plain name: its label up to the first
/// sentence or clause break, at most about 48 characters (cut at a word).
fn short_name(label: &str) -> String {
    let mut end = label.len();
    for stop in [". ", ": ", "; ", " (", ", "] {
        if let Some(i) = label.find(stop) {
            end = end.min(i);
        }
    }
    let name = label[..end].trim().trim_end_matches('.');
    const MAX: usize = 48;
    if name.chars().count() <= MAX {
        return name.to_owned();
    }
    let cut: String = name.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_stop_at_the_first_break() {
        assert_eq!(short_name("ROC curve"), "ROC curve");
        assert_eq!(
            short_name("Loss curves after 12 updates. Run A: training 0.5."),
            "Loss curves after 12 updates"
        );
        assert_eq!(
            short_name("ROC curve of the network on its split (40 points), area 0.9"),
            "ROC curve of the network on its split"
        );
        let long = short_name(
            "Real and generated points over the discriminator's probability of being real",
        );
        assert!(long.ends_with('…') && long.chars().count() <= 49, "{long}");
    }

    /// The bar written into `section`, which must hold exactly one.
    fn bar_of(section: &str) -> String {
        let out = add(section).unwrap();
        assert_eq!(out.matches("class=\"figure-tools\"").count(), 1, "{out}");
        let start = out.find("<div class=\"figure-tools\"").unwrap();
        out[start..start + out[start..].find("</div>").unwrap() + 6].to_owned()
    }

    #[test]
    fn the_bar_goes_before_the_caption_and_lists_the_charts_in_order() {
        let section = "<section>\n  <figure class=\"figure\" data-figure=\"demo\" data-tools=\"data\">\n    \
             <canvas data-role=\"roc\" role=\"img\" aria-label=\"ROC curve, area 0.9\"></canvas>\n    \
             <canvas data-role=\"thumb\"></canvas>\n    \
             <canvas data-role=\"other\" role=\"img\" aria-label=\"Weights after 3 updates. Layer 1.\"></canvas>\n    \
             <figcaption>Words.</figcaption>\n  </figure>\n</section>\n";
        let out = add(section).unwrap();
        let bar = bar_of(section);
        assert!(
            out.find("figure-tools").unwrap() < out.find("<figcaption").unwrap(),
            "{out}"
        );
        assert!(
            out.contains("</div>\n    <figcaption>"),
            "the caption keeps its line: {out}"
        );
        // The canvas without role="img" is not a chart; the others are named by role, then label.
        assert!(
            bar.contains("<option value=\"0\">ROC curve</option><option value=\"1\">Weights after 3 updates</option></select>"),
            "{bar}"
        );
        for button in ["copy-link", "data-export=\"png\"", "data-export=\"csv\""] {
            assert!(bar.contains(button), "{button}: {bar}");
        }
        assert!(
            !bar.contains("Export model") && !bar.contains("Import model"),
            "{bar}"
        );
        assert_eq!(
            bar.matches(" disabled").count(),
            4,
            "every control waits: {bar}"
        );
    }

    #[test]
    fn one_chart_has_no_menu_and_a_figure_without_caption_gets_the_bar_at_its_end() {
        let bar = bar_of(
            "<figure data-figure=\"one\"><canvas role=\"img\" data-role=\"map\"></canvas></figure>",
        );
        assert!(
            bar.contains("Save chart as PNG") && !bar.contains("<select"),
            "{bar}"
        );
        assert!(
            !bar.contains("Save data as CSV"),
            "no data-tools, no CSV: {bar}"
        );
        let out = add("<figure data-figure=\"one\"><p>x</p></figure>").unwrap();
        assert!(
            out.ends_with("</div></figure>") || out.contains("</div>\n</figure>"),
            "{out}"
        );
        assert!(
            !out.contains("Save chart as PNG"),
            "no chart, no PNG: {out}"
        );
    }

    #[test]
    fn model_tools_list_every_language_and_the_model_file() {
        let bar = bar_of("<figure data-figure=\"pg\" data-tools=\"data model\"></figure>");
        assert!(
            bar.contains("<option value=\"NumPy\">NumPy</option><option value=\"PyTorch\">PyTorch</option><option value=\"Keras\">Keras</option><option value=\"json\">JSON</option>"),
            "{bar}"
        );
        assert!(
            bar.contains("Export model") && bar.contains("Import model"),
            "{bar}"
        );
        let bar = bar_of("<figure data-figure=\"bp\" data-tools=\"import\"></figure>");
        assert!(
            bar.contains("Import model") && !bar.contains("Export model"),
            "{bar}"
        );
    }

    #[test]
    fn other_figures_are_left_alone_and_mistakes_name_the_figure() {
        let plain = "<figure><img alt=\"\"><figcaption>A picture.</figcaption></figure>";
        assert_eq!(add(plain).unwrap(), plain);
        let e = add("<figure data-figure=\"x\" data-tools=\"csv\"></figure>").unwrap_err();
        assert!(e.contains("figure x") && e.contains("\"csv\""), "{e}");
        let e = add("<figure data-figure=\"y\"><p>").unwrap_err();
        assert!(e.contains("figure y") && e.contains("</figure>"), "{e}");
        let e = add("<figure data-figure=\"z\"><div class=\"figure-tools\"></div></figure>")
            .unwrap_err();
        assert!(e.contains("figure z"), "{e}");
    }
}
