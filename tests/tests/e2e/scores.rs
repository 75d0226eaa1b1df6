//! The scores section, driven like a reader: it scores the playground's live network, follows
//! it as it trains and as its data changes, and the decision threshold moves the confusion
//! matrix, the ratios and the ROC point together. The ROUGE boxes score what is typed.

use serde_json::Value;
use spiega_e2e::{Page, Result, num, run};

const FIG: &str = "#fig-scores";
const PG: &str = "#fig-playground";
const ROUGE: &str = "#fig-rouge";

/// Formats as the page does: fixed decimals with a true minus sign.
fn shown(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_owned()
    } else {
        s.replacen('-', "−", 1)
    }
}

/// The text of the element with `data-role="role"` in the scores figure.
async fn cell(page: &Page, role: &str) -> Result<String> {
    page.text(&format!("{FIG} [data-role={role}]")).await
}

/// Checks that every number on screen is the one in the figure's state.
async fn screen_matches_state(page: &Page) -> Result<Value> {
    let s = page.state(FIG).await?;
    let counts: Vec<u64> = s["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    for (role, v) in ["tn", "fp", "fn", "tp"].iter().zip(&counts) {
        assert_eq!(cell(page, role).await?, v.to_string(), "{role} in {s}");
    }
    assert_eq!(counts.iter().sum::<u64>(), s["points"].as_u64().unwrap());
    let title = cell(page, "roc-title").await?;
    assert!(
        title.ends_with(&format!("area {}", shown(num(&s, "auc"), 3))),
        "{title} vs {s}"
    );
    for (role, key) in [
        ("accuracy", "accuracy"),
        ("sensitivity", "sensitivity"),
        ("specificity", "specificity"),
        ("recall", "recall"),
        ("auc", "auc"),
        ("log-loss", "logLoss"),
    ] {
        let text = cell(page, role).await?;
        assert!(
            text.starts_with(&shown(num(&s, key), 3)) || text.starts_with("undefined"),
            "{role}: {text} vs {s}"
        );
    }
    Ok(s)
}

/// Sets a select in the playground as a reader would, firing `change`.
async fn choose(page: &Page, selector: &str, value: &str) -> Result<()> {
    page.js(&format!(
        "const s = document.querySelector({}); s.value = {}; s.dispatchEvent(new Event('input', {{ bubbles: true }})); s.dispatchEvent(new Event('change', {{ bubbles: true }})); return 0;",
        serde_json::json!(selector),
        serde_json::json!(value)
    ))
    .await?;
    Ok(())
}

#[test]
fn the_threshold_moves_the_matrix_the_ratios_and_the_roc_point_together() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.wait_until(
            &format!("document.querySelector('{FIG}').dataset.state?.includes('\"binary\"')"),
            10,
        )
        .await?;
        let s = screen_matches_state(&page).await?;
        assert_eq!(s["split"], "validation");
        assert_eq!(s["step"], 0);

        // Training the playground updates the scores to the same number of updates.
        for _ in 0..3 {
            page.click(&format!("{PG} button[data-role=epoch]")).await?;
        }
        let steps = page.state(PG).await?["step"].as_u64().unwrap();
        assert!(steps > 0);
        page.wait_until(
            &format!("JSON.parse(document.querySelector('{FIG}').dataset.state).step === {steps}"),
            5,
        )
        .await?;
        let trained = screen_matches_state(&page).await?;
        let status = page.text(&format!("{FIG} [data-role=status]")).await?;
        assert!(
            status.contains(&format!("after {steps} updates")),
            "{status}"
        );

        // Lower, then raise the threshold: more, then fewer samples are called positive, and
        // the ROC point slides up the curve and back down.
        let roc = format!("{FIG} canvas[data-role=roc]");
        let mut last_positive = u64::MAX;
        let mut last_point = (f64::INFINITY, f64::INFINITY);
        let mut last_hash = 0;
        let mut sweep = Vec::new();
        for t in [0.05, 0.3, 0.5, 0.7, 0.95] {
            page.set_slider(&format!("{FIG} input[data-role=threshold]"), t)
                .await?;
            let s = screen_matches_state(&page).await?;
            assert!((num(&s, "threshold") - t).abs() < 1e-9, "{s}");
            let c: Vec<u64> = s["counts"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_u64)
                .collect();
            let predicted_positive = c[1] + c[3];
            assert!(predicted_positive <= last_positive, "{s}");
            let p = (
                s["rocPoint"][0].as_f64().unwrap(),
                s["rocPoint"][1].as_f64().unwrap(),
            );
            assert!(p.0 <= last_point.0 && p.1 <= last_point.1, "{s}");
            let hash = page.canvas_hash(&roc).await?;
            if predicted_positive != last_positive {
                assert_ne!(hash, last_hash, "the ROC point did not move at {t}");
            }
            let threshold_text = page
                .text(&format!("{FIG} output[data-role=threshold-value]"))
                .await?;
            assert_eq!(threshold_text, shown(t, 2));
            (last_positive, last_point, last_hash) = (predicted_positive, p, hash);
            sweep.push((predicted_positive, p));
        }
        // The sweep moved them: the lowest threshold calls more samples positive than the
        // highest, and its ROC point lies further up the curve.
        let (low, high) = (sweep[0], sweep[sweep.len() - 1]);
        assert!(
            low.0 > high.0,
            "the threshold left the counts alone: {sweep:?}"
        );
        assert!(
            low.1.0 > high.1.0 || low.1.1 > high.1.1,
            "the threshold left the ROC point alone: {sweep:?}"
        );
        // A threshold near 1 calls almost nothing positive; near 0, almost everything.
        assert!(last_positive < trained["points"].as_u64().unwrap());

        // The test split is another set of points.
        choose(&page, &format!("{FIG} select[data-role=split]"), "test").await?;
        let s = screen_matches_state(&page).await?;
        assert_eq!(s["split"], "test");
        page.finish().await
    })
}

#[test]
fn the_scores_follow_the_playgrounds_data_to_several_classes_and_regression() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        choose(&page, &format!("{PG} select[data-role=dataset]"), "blobs").await?;
        page.wait_until(
            &format!("document.querySelector('{FIG}').dataset.state.includes('\"multiclass\"')"),
            5,
        )
        .await?;
        let s = page.state(FIG).await?;
        let rows = s["confusion"].as_array().unwrap();
        // The playground's default for several classes is 3.
        let k = 3;
        assert_eq!(rows.len(), k, "{s}");
        // The table on screen has a header row and one row per class, with the state's counts.
        let shown_rows = page
            .js(&format!(
                "return [...document.querySelectorAll('{FIG} [data-role=multi-confusion] tr')].slice(1).map(r => [...r.querySelectorAll('td')].map(td => Number(td.textContent)));"
            ))
            .await?;
        assert_eq!(shown_rows, s["confusion"], "{s}");
        let per_class = page
            .js(&format!(
                "return document.querySelectorAll('{FIG} [data-role=class-scores] tr').length;"
            ))
            .await?;
        assert_eq!(
            per_class.as_u64(),
            Some(k as u64 + 2),
            "classes + macro + micro"
        );
        page.element_screenshot(FIG, "fig-scores-multiclass")
            .await?;
        let summary = cell(&page, "multi-summary").await?;
        assert!(
            summary.contains(&format!("accuracy {}", shown(num(&s, "accuracy"), 3))),
            "{summary} vs {s}"
        );

        choose(
            &page,
            &format!("{PG} select[data-role=problem]"),
            "regression",
        )
        .await?;
        page.wait_until(
            &format!("document.querySelector('{FIG}').dataset.state.includes('\"regression\"')"),
            5,
        )
        .await?;
        let s = page.state(FIG).await?;
        for (role, key) in [("mae", "mae"), ("mse", "mse"), ("rmse", "rmse")] {
            assert_eq!(cell(&page, role).await?, shown(num(&s, key), 4), "{s}");
        }
        let residuals = format!("{FIG} canvas[data-role=residuals]");
        let before = page.canvas_hash(&residuals).await?;
        for _ in 0..3 {
            page.click(&format!("{PG} button[data-role=epoch]")).await?;
        }
        page.wait_until(
            &format!("JSON.parse(document.querySelector('{FIG}').dataset.state).step > 0"),
            5,
        )
        .await?;
        let after = page.state(FIG).await?;
        assert_ne!(num(&after, "mse"), num(&s, "mse"));
        assert_ne!(before, page.canvas_hash(&residuals).await?);
        page.element_screenshot(FIG, "fig-scores-regression")
            .await?;
        // The chart menu offers the charts on show only, and has chosen one of them: the
        // two-class charts it opened on are hidden now.
        let menu = format!("{FIG} .figure-tools select[data-export=chart]");
        page.js(&format!(
            "document.querySelector('{menu}').focus(); return 0;"
        ))
        .await?;
        let offered = page
            .js(&format!(
                "const menu = document.querySelector('{menu}');
                 const charts = [...document.querySelectorAll('{FIG} canvas[role=img]')];
                 return {{
                   shown: charts.map(c => c.clientWidth > 0),
                   enabled: [...menu.options].map(o => !o.disabled),
                   chosen: menu.selectedIndex,
                 }};"
            ))
            .await?;
        let shown = offered["shown"].as_array().unwrap();
        assert!(shown.contains(&Value::Bool(false)), "{offered}");
        assert_eq!(offered["enabled"].as_array().unwrap(), shown, "{offered}");
        let chosen = offered["chosen"].as_u64().unwrap() as usize;
        assert_eq!(shown[chosen], true, "{offered}");
        page.click(&format!("{FIG} .figure-tools button[data-export=png]"))
            .await?;
        let status = page
            .text(&format!("{FIG} .figure-tools .export-status"))
            .await?;
        assert!(!status.contains("Could not save"), "{status}");
        page.finish().await
    })
}

#[test]
fn typing_in_the_rouge_boxes_updates_the_scores_and_never_makes_markup() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let s = page.state(ROUGE).await?;
        // Defaults: reference "the cat sat on the mat near the door" (9 words), candidate "a cat
        // was sitting on the mat by the door" (10 words). Shared words: cat, on, the ×2, mat, door
        // = 6 (with the stemmer "sitting" → "sit", not "sat"): recall 6/9, precision 6/10.
        assert!(
            (s["rouge1"]["recall"].as_f64().unwrap() - 6.0 / 9.0).abs() < 1e-9,
            "{s}"
        );
        assert!(
            (s["rouge1"]["precision"].as_f64().unwrap() - 0.6).abs() < 1e-9,
            "{s}"
        );
        assert_eq!(
            page.text(&format!("{ROUGE} [data-role=rouge1-recall]"))
                .await?,
            "0.667"
        );
        let hits = |sel: &str| {
            format!(
                "return document.querySelectorAll('{ROUGE} [data-role={sel}] .tok-hit').length;"
            )
        };
        assert_eq!(page.js(&hits("candidate-tokens")).await?, s["marked"][1]);

        // Typing the rest of the reference raises every score.
        page.keys(
            &format!("{ROUGE} textarea[data-role=candidate]"),
            " near the door",
        )
        .await?;
        let t = page.state(ROUGE).await?;
        assert!(
            t["rouge1"]["recall"].as_f64().unwrap() > s["rouge1"]["recall"].as_f64().unwrap(),
            "{s} → {t}"
        );
        assert_eq!(
            page.text(&format!("{ROUGE} [data-role=rouge1-f]")).await?,
            shown(t["rouge1"]["f"].as_f64().unwrap(), 3)
        );
        // Each score highlights its own overlap.
        for which in ["rouge2", "rougeL"] {
            choose(
                &page,
                &format!("{ROUGE} select[data-role=highlight]"),
                which,
            )
            .await?;
            let u = page.state(ROUGE).await?;
            assert_eq!(u["highlight"], which);
            assert_eq!(page.js(&hits("reference-tokens")).await?, u["marked"][0]);
        }

        // Markup typed by the reader stays text.
        page.keys(
            &format!("{ROUGE} textarea[data-role=reference]"),
            " <b>bold</b><img src=x>",
        )
        .await?;
        let elements = page
            .js(&format!(
                "return document.querySelectorAll('{ROUGE} b, {ROUGE} img').length;"
            ))
            .await?;
        assert_eq!(elements.as_u64(), Some(0));
        let words = page
            .text(&format!("{ROUGE} [data-role=reference-tokens]"))
            .await?;
        assert!(words.contains("bold"), "{words}");
        page.finish().await
    })
}

#[test]
fn screenshots_of_the_section() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        for (name, (w, h), mobile) in [("desktop", (1280, 900), false), ("phone", (390, 844), true)]
        {
            let (mut backgrounds, mut charts) = (Vec::new(), Vec::new());
            page.set_viewport(w, h, mobile).await?;
            // One more epoch for each width; the themes then show the same numbers.
            let step = num(&page.state(FIG).await?, "step");
            page.click(&format!("{PG} button[data-role=epoch]")).await?;
            page.wait_state(FIG, &format!("s.step > {step}"), 5).await?;
            for theme in ["light", "dark"] {
                backgrounds.push(page.show_theme(theme).await?);
                charts.push(
                    page.canvas_hash(&format!("{FIG} canvas[data-role=roc]"))
                        .await?,
                );
                page.assert_fits(w).await?;
                if mobile {
                    for fig in [FIG, ROUGE] {
                        let id = fig.trim_start_matches('#');
                        page.element_screenshot(fig, &format!("{id}-{name}-{theme}"))
                            .await?;
                    }
                } else {
                    page.element_screenshot("#scores", &format!("scores-{name}-{theme}"))
                        .await?;
                }
            }
            assert_ne!(
                backgrounds[0], backgrounds[1],
                "{name}: both themes look alike"
            );
            assert_ne!(
                charts[0], charts[1],
                "{name}: the ROC chart kept its colours"
            );
        }
        page.js("localStorage.removeItem('spiega-theme'); return 0;")
            .await?;
        page.finish().await
    })
}
