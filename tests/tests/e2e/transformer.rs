//! The transformer section, driven like a reader: the held-out accuracy rises far above chance
//! within a bounded budget, the attention maps follow the typed sequence, the numbers shown for a
//! query are the engine's, the causal mask hides later keys, and the figure looks right.

use spiega_e2e::{Page, Result, num, run};

const FIG: &str = "#fig-transformer";
const ATTENTION: &str = "#fig-transformer canvas[data-role=attention]";
const EMBEDDINGS: &str = "#fig-transformer canvas[data-role=embeddings]";

async fn open() -> Result<Page> {
    let page = Page::open("/", 1280, 900).await?;
    page.js(&format!(
        "document.querySelector('{FIG}').scrollIntoView(); return 0;"
    ))
    .await?;
    page.wait_warmed_up(FIG).await?;
    Ok(page)
}

/// The text of every cell of the query table, row by row.
async fn table(page: &Page) -> Result<Vec<Vec<String>>> {
    let v = page
        .js(&format!(
            "return [...document.querySelectorAll('{FIG} [data-role=detail-rows] tr')].map(r => [...r.cells].map(c => c.textContent));"
        ))
        .await?;
    serde_json::from_value(v).map_err(|e| e.to_string())
}

/// A number as the page formats it: three decimals and a true minus sign.
fn shown(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" {
        "0.000".to_owned()
    } else {
        s.replacen('-', "−", 1)
    }
}

#[test]
fn held_out_accuracy_rises_far_above_chance_in_the_page() {
    run(async {
        let page = open().await?;
        let start = page.reset_after_first_sight(FIG).await?;
        assert_eq!(num(&start, "steps"), 0.0);
        let chance = num(&start, "chance");
        assert!((chance - 0.1).abs() < 1e-6, "{start}");
        assert!(num(&start, "testAccuracy") < 0.3, "{start}");
        let embeddings = page.canvas_hash(EMBEDDINGS).await?;
        let described = embeddings_label(&page).await?;
        assert!(
            described.contains("Digits: 0 (") && described.contains("p5 ("),
            "{described}"
        );
        let t0 = std::time::Instant::now();
        page.click_role(FIG, "play").await?;
        // Training stops by itself once every held-out sequence is right (measured natively: all
        // held-out digits right by 200 updates), or at its 3000-update limit, and says why.
        page.wait_until(
            &format!("document.querySelector('{FIG} button[data-role=play]').textContent === 'Train again'"),
            60,
        )
        .await?;
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(
            message.starts_with("Stopped after") && message.contains("every held-out sequence"),
            "{message}"
        );
        let end = page.state(FIG).await?;
        // It is paused: the button says so to assistive technology too.
        assert_eq!(
            page.js(&format!(
                "return document.querySelector('{FIG} button[data-role=play]').getAttribute('aria-pressed');"
            ))
            .await?,
            serde_json::json!("false")
        );
        println!(
            "held-out accuracy {} after {} updates in {:.1} s",
            num(&end, "testAccuracy"),
            num(&end, "steps"),
            t0.elapsed().as_secs_f64()
        );
        assert!(num(&end, "testAccuracy") > 0.9, "{end}");
        assert!(num(&end, "trainLoss") < num(&start, "trainLoss") / 2.0);
        let shown_accuracy = page
            .text(&format!("{FIG} output[data-role=accuracy]"))
            .await?;
        assert_eq!(
            shown_accuracy,
            format!("{:.1}%", 100.0 * num(&end, "testAccuracy"))
        );
        assert_ne!(embeddings, page.canvas_hash(EMBEDDINGS).await?);
        // The chart's text alternative states the moved points.
        assert_ne!(described, embeddings_label(&page).await?);
        // The trained model reverses a typed sequence.
        page.set_control(FIG, "sequence", "27183").await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["expected"], serde_json::json!([3, 8, 1, 7, 2]));
        assert_eq!(s["output"], s["expected"], "{s}");
        let prediction = page.text(&format!("{FIG} [data-role=prediction]")).await?;
        assert!(prediction.contains("out 38172"), "{prediction}");
        page.finish().await
    })
}

#[test]
fn typed_input_attention_and_the_query_numbers() {
    run(async {
        let page = open().await?;
        // Train a little so the maps are not uniform.
        for _ in 0..30 {
            page.click_role(FIG, "step").await?;
        }
        page.set_control(FIG, "sequence", "12345").await?;
        let a = (page.canvas_hash(ATTENTION).await?, page.state(FIG).await?);
        page.set_control(FIG, "sequence", "90817").await?;
        let b = (page.canvas_hash(ATTENTION).await?, page.state(FIG).await?);
        assert_ne!(a.0, b.0, "the attention map ignored the typed input");
        assert_ne!(a.1["attention"], b.1["attention"]);
        assert_eq!(b.1["input"], serde_json::json!([9, 0, 8, 1, 7]));
        // A typing mistake is explained and the last picture stays.
        page.set_control(FIG, "sequence", "12a45").await?;
        let message = page.text(&format!("{FIG} [data-role=message]")).await?;
        assert!(message.contains("is not a digit"), "{message}");
        assert_eq!(page.canvas_hash(ATTENTION).await?, b.0);
        page.set_control(FIG, "sequence", "90817").await?;
        // The table shows the engine's numbers for the selected query and head.
        page.set_control(FIG, "head", "1").await?;
        page.set_control(FIG, "query", "3").await?;
        let s = page.state(FIG).await?;
        assert_eq!((num(&s, "head"), num(&s, "query")), (1.0, 3.0));
        let rows = table(&page).await?;
        assert_eq!(rows.len(), 5);
        for (j, row) in rows.iter().enumerate() {
            let score = s["scores"][j].as_f64().unwrap();
            let weight = s["weights"][j].as_f64().unwrap();
            assert_eq!(row[1], shown(score), "score of key {j}");
            assert_eq!(row[2], shown(score), "unmasked score of key {j}");
            assert_eq!(row[3], shown(weight), "weight of key {j}");
            // The weights are the engine's attention map, row 3.
            assert_eq!(s["attention"][3][j], s["weights"][j]);
        }
        let output = page
            .text(&format!("{FIG} [data-role=detail-output]"))
            .await?;
        let expected: Vec<String> = s["headOutput"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| shown(v.as_f64().unwrap()))
            .collect();
        assert!(
            output.contains(&expected.join(", ")),
            "{output} vs {expected:?}"
        );
        // Clicking row 1 of head 1's map selects that query.
        page.js(&format!(
            "const c = document.querySelector('{ATTENTION}'); const r = c.getBoundingClientRect();
             c.dispatchEvent(new MouseEvent('click', {{ bubbles: true, clientX: r.left + 24, clientY: r.top + 22 }}));
             return 0;"
        ))
        .await?;
        let s = page.state(FIG).await?;
        assert_eq!((num(&s, "head"), num(&s, "query")), (0.0, 0.0), "{s}");
        // The causal mask: query 2 sees keys 1 and 2 only, and the table says −∞ for the rest.
        page.set_control(FIG, "causal", "true").await?;
        page.set_control(FIG, "query", "1").await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["causal"], true);
        assert_eq!(
            s["allowed"],
            serde_json::json!([true, true, false, false, false])
        );
        let rows = table(&page).await?;
        assert_eq!(rows[4][2], "−∞");
        assert_eq!(rows[4][3], "0.000");
        assert_eq!(rows[0][2], shown(s["scores"][0].as_f64().unwrap()));
        // Every other control rebuilds or retunes the model.
        for (role, value, key, expected) in [
            ("task", "sort", "task", serde_json::json!("sort")),
            ("heads", "4", "heads", serde_json::json!(4)),
            ("layers", "2", "layers", serde_json::json!(2)),
            ("lr", "-2", "lr", serde_json::json!(0.01)),
        ] {
            let before = page.canvas_hash(ATTENTION).await?;
            page.set_control(FIG, role, value).await?;
            page.click_role(FIG, "step").await?;
            let s = page.state(FIG).await?;
            assert_eq!(s[key], expected, "{role}");
            assert_ne!(before, page.canvas_hash(ATTENTION).await?, "{role}");
        }
        let options = page
            .js(&format!(
                "return document.querySelectorAll('{FIG} select[data-role=layer] option').length;"
            ))
            .await?;
        assert_eq!(options, serde_json::json!(2));
        page.click_role(FIG, "reset").await?;
        assert_eq!(num(&page.state(FIG).await?, "steps"), 0.0);
        page.finish().await
    })
}

#[test]
fn the_figure_looks_right_at_both_widths_and_themes() {
    run(async {
        let page = open().await?;
        page.click_role(FIG, "play").await?;
        // Trained a while: 150 updates, or until it stopped by itself (every held-out sequence
        // right), whichever comes first; then paused.
        let button = format!("{FIG} button[data-role=play]");
        page.wait_until(
            &format!(
                "JSON.parse(document.querySelector('{FIG}').dataset.state).steps >= 150
                 || document.querySelector('{button}').textContent === 'Train again'"
            ),
            30,
        )
        .await?;
        if page.text(&button).await? == "Pause" {
            page.click_role(FIG, "play").await?;
        }
        page.element_screenshot("#transformers", "transformer-1280-light")
            .await?;
        let light = page.canvas_hash(ATTENTION).await?;
        page.click("#theme-toggle").await?;
        assert_ne!(
            light,
            page.canvas_hash(ATTENTION).await?,
            "the attention map kept the light theme"
        );
        page.element_screenshot("#fig-transformer", "transformer-1280-dark")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.js("window.dispatchEvent(new Event('resize')); return 0;")
            .await?;
        page.assert_fits(390).await?;
        page.element_screenshot("#fig-transformer", "transformer-390-dark")
            .await?;
        page.click("#theme-toggle").await?;
        page.element_screenshot("#fig-transformer", "transformer-390-light")
            .await?;
        page.finish().await
    })
}

/// The embeddings chart's accessible name, which lists every projected point.
async fn embeddings_label(page: &Page) -> Result<String> {
    let label = page
        .js(&format!(
            "return document.querySelector('{EMBEDDINGS}').getAttribute('aria-label');"
        ))
        .await?;
    Ok(label.as_str().unwrap_or_default().to_owned())
}
