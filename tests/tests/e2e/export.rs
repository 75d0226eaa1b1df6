//! Export, driven like a reader: every figure's toolbar saves each of its charts as a PNG (the
//! card's colour behind it, at the canvas's pixel size), the training figures save their
//! histories and the scores figure its curves and counts as CSV matching what they show, and the
//! playground saves its points. The files really download, under the page's security policy.

use base64::Engine as _;
use serde_json::{Value, json};
use spiega_e2e::{Page, Result, downloaded, err, run};
use std::path::{Path, PathBuf};

const PG: &str = "#fig-playground";
const SCORES: &str = "#fig-scores";
const DROPOUT: &str = "#fig-dropout";

/// A fresh folder for one test's downloads (removed when dropped).
struct Downloads(PathBuf);

impl Downloads {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("spiega-export-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for Downloads {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads CSV text: rows of fields, quotes undone.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the CSV must end with a line break"
    );
    rows
}

/// The CSV saved by `button`, read from `dir` as `name`, with every row as long as the header.
async fn save_csv(page: &Page, dir: &Path, button: &str, name: &str) -> Result<Vec<Vec<String>>> {
    let _ = std::fs::remove_file(dir.join(name));
    page.js(&format!(
        "document.querySelector({}).scrollIntoView({{ block: 'center' }});",
        json!(button)
    ))
    .await?;
    page.click(button).await?;
    let bytes = downloaded(dir, name, 10)?;
    let rows = parse_csv(&String::from_utf8(bytes).map_err(err)?);
    let width = rows.first().map_or(0, Vec::len);
    assert!(
        rows.iter().all(|r| r.len() == width),
        "{name}: every row has {width} fields"
    );
    Ok(rows)
}

/// Checks a comparison's CSV `rows` (header first) against its `state`: each run has one row per
/// record it keeps, the first at step 0, and its last row holds the step and the losses and
/// accuracies the state shows.
fn assert_rows_follow_the_runs(rows: &[Vec<String>], state: &Value) {
    let column = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let runs = state["runs"].as_array().unwrap();
    assert!(!runs.is_empty(), "{state}");
    for r in runs {
        let name = r["name"].as_str().unwrap();
        let mine: Vec<&Vec<String>> = rows[1..].iter().filter(|row| row[0] == name).collect();
        assert_eq!(
            mine.len() as u64,
            r["points"].as_u64().unwrap(),
            "{name}: one row per record"
        );
        assert_eq!(
            mine[0][column("step")],
            "0",
            "{name}: the untrained record first"
        );
        let last = mine.last().unwrap();
        assert_eq!(last[column("step")], r["step"].to_string(), "{name}");
        for (header, key) in [
            ("train_loss", "trainLoss"),
            ("validation_loss", "validationLoss"),
            ("validation_accuracy", "validationAccuracy"),
        ] {
            assert_eq!(
                field_f32(&last[column(header)]),
                f32_of(&r[key]),
                "{name} {header}"
            );
        }
    }
}

/// A number from the state as the engine's `f32`.
fn f32_of(v: &Value) -> f32 {
    v.as_f64().map_or(f32::NAN, |v| v as f32)
}

/// A CSV field as an `f32`.
fn field_f32(s: &str) -> f32 {
    s.parse().unwrap_or(f32::NAN)
}

/// The width, height, opacity and number of distinct colours of a PNG, decoded by the browser.
async fn decode_png(page: &Page, bytes: &[u8]) -> Result<Value> {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    page.js(&format!(
        "window.__png = null;
         const b = Uint8Array.from(atob({}), c => c.charCodeAt(0));
         createImageBitmap(new Blob([b], {{ type: 'image/png' }})).then(bm => {{
           const c = new OffscreenCanvas(bm.width, bm.height);
           const x = c.getContext('2d');
           x.drawImage(bm, 0, 0);
           const d = x.getImageData(0, 0, bm.width, bm.height).data;
           let opaque = true;
           const colours = new Set();
           for (let i = 0; i < d.length; i += 4) {{
             if (d[i + 3] !== 255) opaque = false;
             if (colours.size < 64) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
           }}
           window.__png = {{ width: bm.width, height: bm.height, opaque, colours: colours.size, first: [d[0], d[1], d[2]] }};
         }}, e => {{ window.__png = {{ error: String(e) }}; }});",
        json!(data)
    ))
    .await?;
    page.wait_until("window.__png !== null", 10).await?;
    let v = page.js("return window.__png;").await?;
    assert!(v.get("error").is_none(), "the PNG does not decode: {v}");
    Ok(v)
}

/// The width and height a PNG's header states.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Saves chart `index` of the figure `figure` through its toolbar and checks the file: a PNG of
/// the canvas's pixel size, opaque. Returns the decoded summary and the bytes.
async fn save_chart(
    page: &Page,
    dir: &Path,
    figure: &str,
    index: usize,
) -> Result<(Value, Vec<u8>)> {
    let info = page
        .js(&format!(
            "const f = document.querySelector('[data-figure=\"{figure}\"]');
             const c = f.querySelectorAll('canvas[role=img]')[{index}];
             const menu = f.querySelector('.figure-tools select[data-export=chart]');
             if (menu) {{ menu.value = '{index}'; menu.dispatchEvent(new Event('change', {{ bubbles: true }})); }}
             f.querySelector('.figure-tools button[data-export=png]').scrollIntoView({{ block: 'center' }});
             return {{ role: c.dataset.role, width: c.width, height: c.height }};"
        ))
        .await?;
    let name = format!("spiega-{figure}-{}.png", info["role"].as_str().unwrap());
    let _ = std::fs::remove_file(dir.join(&name));
    page.click(&format!(
        "[data-figure=\"{figure}\"] .figure-tools button[data-export=png]"
    ))
    .await?;
    let bytes = downloaded(dir, &name, 10)?;
    let (w, h) = png_size(&bytes);
    assert_eq!(
        (u64::from(w), u64::from(h)),
        (
            info["width"].as_u64().unwrap(),
            info["height"].as_u64().unwrap()
        ),
        "{name}: the canvas's pixel size"
    );
    let decoded = decode_png(page, &bytes).await?;
    assert_eq!(
        decoded["opaque"], true,
        "{name}: the card's colour is behind the chart"
    );
    Ok((decoded, bytes))
}

#[test]
fn every_chart_on_the_page_saves_as_a_png() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let dir = Downloads::new("png");
        page.allow_downloads(&dir.0).await?;

        // Every figure has a PNG button, and its menu (when it has several charts) offers each.
        let figures = page
            .js(
                "return [...document.querySelectorAll('[data-figure]')].map(f => {
                   const bar = f.querySelector('.figure-tools');
                   const canvases = [...f.querySelectorAll('canvas[role=img]')];
                   const menu = bar && bar.querySelector('select[data-export=chart]');
                   const button = bar && bar.querySelector('button[data-export=png]');
                   return {
                     name: f.dataset.figure,
                     button: button ? button.textContent : null,
                     options: menu ? [...menu.options].map(o => o.textContent) : null,
                     shown: canvases.map(c => c.clientWidth > 0),
                   };
                 });",
            )
            .await?;
        let figures = figures.as_array().unwrap();
        assert!(figures.len() >= 20, "{figures:?}");
        let mut saved = 0;
        for f in figures {
            let name = f["name"].as_str().unwrap();
            let shown = f["shown"].as_array().unwrap();
            if shown.is_empty() {
                continue;
            }
            assert_eq!(f["button"], "Save chart as PNG", "{f}");
            if shown.len() > 1 {
                let options = f["options"].as_array().expect("a chart menu");
                assert_eq!(options.len(), shown.len(), "{f}");
                assert!(
                    options.iter().all(|o| !o.as_str().unwrap().is_empty()),
                    "{f}"
                );
            } else {
                assert!(f["options"].is_null(), "one chart needs no menu: {f}");
            }
            // Every chart that is on screen saves.
            for (i, on) in shown.iter().enumerate() {
                if on == true {
                    save_chart(&page, &dir.0, name, i).await?;
                    saved += 1;
                }
            }
        }
        assert!(saved >= 35, "{saved} charts saved");

        // A drawn chart is not blank, and a figure with several charts saves the chosen one.
        let (line, _) = save_chart(&page, &dir.0, "activations", 0).await?;
        assert!(line["colours"].as_u64().unwrap() > 8, "{line}");
        let (boundary, _) = save_chart(&page, &dir.0, "bias-variance", 2).await?;
        assert!(boundary["colours"].as_u64().unwrap() > 8, "{boundary}");

        // The file follows the chart: after training, the loss chart saves different pixels.
        let (_, before) = save_chart(&page, &dir.0, "playground", 2).await?;
        for _ in 0..3 {
            page.click(&format!("{PG} button[data-role=epoch]")).await?;
        }
        let (_, after) = save_chart(&page, &dir.0, "playground", 2).await?;
        assert_ne!(before, after, "the saved loss chart shows the training");

        // The card's colour is behind the chart: a chart wiped clear saves as the card.
        let card = page
            .js(
                "const c = document.createElement('canvas');
                 c.width = c.height = 1;
                 const x = c.getContext('2d');
                 x.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--card');
                 x.fillRect(0, 0, 1, 1);
                 const d = x.getImageData(0, 0, 1, 1).data;
                 const chart = document.querySelector('[data-figure=activations] canvas[role=img]');
                 chart.getContext('2d').clearRect(0, 0, chart.width, chart.height);
                 return [d[0], d[1], d[2]];",
            )
            .await?;
        let (cleared, _) = save_chart(&page, &dir.0, "activations", 0).await?;
        assert_eq!(cleared["colours"], 1, "{cleared}");
        assert_eq!(cleared["first"], card, "{cleared}");

        // The button works from the keyboard too.
        let name = "spiega-activations-chart.png";
        std::fs::remove_file(dir.0.join(name)).map_err(err)?;
        page.keys(
            "[data-figure=\"activations\"] button[data-export=png]",
            "\u{E007}",
        )
        .await?;
        png_size(&downloaded(&dir.0, name, 10)?);
        page.finish().await
    });
}

#[test]
fn training_histories_save_as_csv_matching_the_state() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let dir = Downloads::new("history");
        page.allow_downloads(&dir.0).await?;

        // Figures that keep no history offer no CSV.
        let none = page
            .js("return document.querySelectorAll('[data-figure=activations] button[data-export=csv]').length;")
            .await?;
        assert_eq!(none, 0);

        // The dropout comparison: train, pause, save.
        page.js(&format!(
            "document.querySelector('{DROPOUT}').scrollIntoView();"
        ))
        .await?;
        page.click(&format!("{DROPOUT} button[data-role=play]"))
            .await?;
        let state = page.pause_when(DROPOUT, "play", "s.step >= 20", 30).await?;
        let rows = save_csv(
            &page,
            &dir.0,
            &format!("{DROPOUT} button[data-export=csv]"),
            "spiega-dropout-results.csv",
        )
        .await?;
        assert_eq!(
            rows[0],
            [
                "run",
                "step",
                "train_loss",
                "train_accuracy",
                "validation_loss",
                "validation_accuracy",
                "test_loss",
                "test_accuracy"
            ]
        );
        assert!(state["runs"].as_array().unwrap().len() >= 2, "{state}");
        assert_rows_follow_the_runs(&rows, &state);

        // The augmentation comparison: one step of both runs, then save.
        let aug = "#fig-augmentation";
        page.js(&format!(
            "document.querySelector('{aug}').scrollIntoView();"
        ))
        .await?;
        page.click(&format!("{aug} button[data-role=step]")).await?;
        let state = page.state(aug).await?;
        let rows = save_csv(
            &page,
            &dir.0,
            &format!("{aug} button[data-export=csv]"),
            "spiega-augmentation-results.csv",
        )
        .await?;
        assert_eq!(
            rows[0],
            [
                "run",
                "step",
                "train_loss",
                "train_accuracy",
                "validation_loss",
                "validation_accuracy"
            ]
        );
        assert_rows_follow_the_runs(&rows, &state);

        // The playground: three epochs, then its history.
        page.js(&format!("document.querySelector('{PG}').scrollIntoView();"))
            .await?;
        for _ in 0..3 {
            page.click(&format!("{PG} button[data-role=epoch]")).await?;
        }
        let state = page.state(PG).await?;
        let rows = save_csv(
            &page,
            &dir.0,
            &format!("{PG} .figure-tools button[data-export=csv]"),
            "spiega-playground-results.csv",
        )
        .await?;
        assert_eq!(rows[0][..3], ["run", "settings", "step"]);
        assert!(rows.len() > 3, "{rows:?}");
        // The current run, its settings on its first row as a link holds them.
        assert!(rows[1..].iter().all(|r| r[0] == "current"), "{rows:?}");
        assert!(rows[1][1].contains("seed=1"), "{rows:?}");
        let steps: Vec<u64> = rows[1..].iter().map(|r| r[2].parse().unwrap()).collect();
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
        let last = rows.last().unwrap();
        assert_eq!(last[2], state["step"].to_string());
        assert_eq!(field_f32(&last[3]), f32_of(&state["trainLoss"]));
        assert_eq!(field_f32(&last[4]), f32_of(&state["trainAccuracy"]));
        assert_eq!(field_f32(&last[5]), f32_of(&state["validationLoss"]));
        assert_eq!(field_f32(&last[6]), f32_of(&state["validationAccuracy"]));

        // Reset keeps that run among the earlier runs, and the CSV lists its curve after the
        // current run's rows, its settings on its first row.
        page.click(&format!("{PG} button[data-role=reset]")).await?;
        let rows = save_csv(
            &page,
            &dir.0,
            &format!("{PG} .figure-tools button[data-export=csv]"),
            "spiega-playground-results.csv",
        )
        .await?;
        let kept: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[0] == "run 1").collect();
        assert!(kept.len() > 3, "{rows:?}");
        assert!(kept[0][1].contains("seed=1"), "{rows:?}");
        assert!(kept[1..].iter().all(|r| r[1].is_empty()), "{rows:?}");
        let last = kept.last().unwrap();
        assert_eq!(last[2], state["step"].to_string());
        assert_eq!(field_f32(&last[3]), f32_of(&state["trainLoss"]));
        assert_eq!(field_f32(&last[5]), f32_of(&state["validationLoss"]));
        page.finish().await
    });
}

#[test]
fn the_scores_csv_holds_the_curves_and_the_counts_shown() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let dir = Downloads::new("scores");
        page.allow_downloads(&dir.0).await?;
        for _ in 0..2 {
            page.click(&format!("{PG} button[data-role=epoch]")).await?;
        }
        let steps = page.state(PG).await?["step"].as_u64().unwrap();
        page.wait_until(
            &format!(
                "JSON.parse(document.querySelector('{SCORES}').dataset.state).step === {steps}"
            ),
            5,
        )
        .await?;
        page.js(&format!(
            "const t = document.querySelector('{SCORES} input[data-role=threshold]');
             t.value = '0.3'; t.dispatchEvent(new Event('input', {{ bubbles: true }}));"
        ))
        .await?;
        let state = page.state(SCORES).await?;
        assert_eq!(state["task"], "binary", "{state}");
        let rows = save_csv(
            &page,
            &dir.0,
            &format!("{SCORES} button[data-export=csv]"),
            "spiega-scores-results.csv",
        )
        .await?;
        assert_eq!(rows[0], ["part", "item", "measure", "value"]);
        let value = |part: &str, measure: &str| -> String {
            rows.iter()
                .find(|r| r[0] == part && r[2] == measure)
                .map(|r| r[3].clone())
                .unwrap_or_else(|| panic!("no {part} {measure}"))
        };
        assert_eq!(value("summary", "step"), steps.to_string());
        assert_eq!(value("summary", "split"), "validation");
        let f64_of = |s: String| s.parse::<f64>().unwrap();
        assert_eq!(
            f64_of(value("summary", "auc")),
            state["auc"].as_f64().unwrap()
        );
        let counts: Vec<u64> = [
            "true_negatives",
            "false_positives",
            "false_negatives",
            "true_positives",
        ]
        .iter()
        .map(|m| value("confusion_at_threshold", m).parse().unwrap())
        .collect();
        let shown: Vec<u64> = state["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(counts, shown);
        for (measure, key) in [
            ("accuracy", "accuracy"),
            ("f1", "f1"),
            ("precision", "precision"),
        ] {
            assert_eq!(
                f64_of(value("scores_at_threshold", measure)),
                state[key].as_f64().unwrap(),
                "{measure}"
            );
        }
        // The ROC curve's points, each with its threshold; the marker shown lies on the curve.
        let roc: Vec<(f64, f64)> = rows
            .iter()
            .filter(|r| r[0] == "roc" && r[2] == "false_positive_rate")
            .map(|r| {
                let tpr = rows
                    .iter()
                    .find(|t| t[0] == "roc" && t[1] == r[1] && t[2] == "true_positive_rate")
                    .unwrap();
                (r[3].parse().unwrap(), tpr[3].parse().unwrap())
            })
            .collect();
        assert!(roc.len() > 2, "{roc:?}");
        let point = state["rocPoint"].as_array().unwrap();
        let marker = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
        assert!(roc.contains(&marker), "{marker:?} on {roc:?}");
        assert!(
            rows.iter().any(|r| r[0] == "precision_recall"),
            "the PR curve"
        );
        page.finish().await
    });
}

#[test]
fn the_playground_data_saves_one_row_per_point_and_toolbars_fit() {
    run(async {
        let page = Page::open("/#dataset=custom", 1280, 900).await?;
        let dir = Downloads::new("data");
        page.allow_downloads(&dir.0).await?;
        // The reader's own points, loaded from a file, then saved again.
        let points: Vec<(f32, f32, u8)> = (0..12_u8)
            .map(|i| {
                let t = f32::from(i);
                (t * 0.37 - 2.0, 1.5 - t * 0.21, i % 2)
            })
            .map(|(x, y, l)| ((x * 100.0).round() / 100.0, (y * 100.0).round() / 100.0, l))
            .collect();
        let mut text = String::from("x1,x2,label\n");
        for (x, y, l) in &points {
            text.push_str(&format!("{x},{y},{l}\n"));
        }
        let file = dir.0.join("mine.csv");
        std::fs::create_dir_all(&dir.0).map_err(err)?;
        std::fs::write(&file, text).map_err(err)?;
        page.keys(
            &format!("{PG} input[data-role=import]"),
            &file.display().to_string(),
        )
        .await?;
        page.wait_until(
            &format!("document.querySelector('{PG} [data-role=message]').textContent.includes('Loaded 12')"),
            10,
        )
        .await?;
        let rows = save_csv(
            &page,
            &dir.0,
            &format!("{PG} button[data-role=export]"),
            "spiega-playground.csv",
        )
        .await?;
        assert_eq!(rows[0], ["x1", "x2", "label"]);
        assert_eq!(rows.len() - 1, points.len(), "one row per point");
        let mut saved: Vec<(f32, f32, u8)> = rows[1..]
            .iter()
            .map(|r| (field_f32(&r[0]), field_f32(&r[1]), r[2].parse().unwrap()))
            .collect();
        let mut expected = points.clone();
        let key = |p: &(f32, f32, u8)| (p.0.to_bits(), p.1.to_bits(), p.2);
        saved.sort_by_key(key);
        expected.sort_by_key(key);
        assert_eq!(saved, expected, "the points loaded");

        // The toolbars, light and dark, on a desktop and a phone.
        for (width, tag) in [(1280, "1280"), (390, "390")] {
            page.set_viewport(width, 900, width < 500).await?;
            for fig in ["bias-variance", "dropout"] {
                let selector = format!("[data-figure=\"{fig}\"] .figure-tools");
                page.js(&format!(
                    "document.querySelector('{selector}').scrollIntoView({{ block: 'center' }});"
                ))
                .await?;
                page.element_screenshot(
                    &format!("[data-figure=\"{fig}\"]"),
                    &format!("export-{fig}-{tag}"),
                )
                .await?;
                let overflow = page
                    .js(&format!(
                        "const b = document.querySelector('{selector}').getBoundingClientRect();
                         return b.right > document.documentElement.clientWidth + 1;"
                    ))
                    .await?;
                assert_eq!(overflow, false, "{fig} toolbar fits at {width} px");
            }
            page.click("#theme-toggle").await?;
            for fig in ["bias-variance", "dropout"] {
                page.element_screenshot(
                    &format!("[data-figure=\"{fig}\"]"),
                    &format!("export-{fig}-{tag}-dark"),
                )
                .await?;
            }
            page.click("#theme-toggle").await?;
        }
        page.finish().await
    });
}
