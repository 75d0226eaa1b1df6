//! Comparing runs in the playground, as a reader does: a run trained and then changed is listed
//! under the loss chart with the setting that differs marked and its curve drawn faded; Restore
//! replays its losses exactly; the list survives a reload and Clear runs empties it. The table
//! is looked at in both themes at 1280 and 390 px.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

const FIG: &str = "#fig-playground";
/// The key the runs are stored under.
const KEY: &str = "spiega.playground.runs.v1";

/// Makes three epochs (72 updates at the defaults: 240 training points in batches of 10).
async fn three_epochs(page: &Page) -> Result<Value> {
    for _ in 0..3 {
        page.click_role(FIG, "epoch").await?;
    }
    page.state(FIG).await
}

/// Each row of the table: its heading and the words marked in it.
async fn table(page: &Page) -> Result<Value> {
    page.js(
        "return [...document.querySelectorAll('#fig-playground [data-role=runs-body] tr.pg-run')]
           .map(r => [r.querySelector('th').textContent,
                      [...r.nextElementSibling.querySelectorAll('mark')].map(m => m.textContent)]);",
    )
    .await
}

/// A run trained, then its learning rate changed: a first run and a second.
async fn two_runs(page: &Page) -> Result<Value> {
    let first = three_epochs(page).await?;
    assert_eq!(first["step"], 72, "{first}");
    assert_eq!(first["earlierRuns"], json!([]), "{first}");
    assert_eq!(first["fadedCurves"], 0, "{first}");
    page.set_control(FIG, "learningRate", "-1").await?;
    three_epochs(page).await?;
    Ok(first)
}

#[test]
fn an_earlier_run_is_listed_drawn_restored_exactly_kept_and_cleared() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let first = two_runs(&page).await?;
        let now = page.state(FIG).await?;
        assert_eq!(now["step"], 144, "{now}");
        // The first run is listed with its final losses, the learning rate marked as the
        // setting that differs, and its curve is drawn behind the current one.
        let runs = now["earlierRuns"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{now}");
        assert_eq!(runs[0]["steps"], first["step"]);
        assert_eq!(runs[0]["trainLoss"], first["trainLoss"]);
        assert_eq!(runs[0]["testLoss"], first["testLoss"]);
        assert_eq!(runs[0]["differs"], json!(["learning rate 0.03"]));
        assert_eq!(now["fadedCurves"], 1, "{now}");
        assert_eq!(
            table(&page).await?,
            json!([["Run 1", ["learning rate 0.03"]]])
        );
        // Its numbers are its training and validation losses (runs are compared on validation;
        // the test split is for the final report), to the three digits shown.
        let heads = page
            .js(
                "return [...document.querySelectorAll('#fig-playground .pg-runs-table thead th')]
                   .map(h => h.textContent);",
            )
            .await?;
        assert_eq!(
            heads,
            json!(["Run", "Training loss", "Validation loss", "Restore"])
        );
        let shown = page
            .js("return [...document.querySelectorAll(
                   '#fig-playground [data-role=runs-body] tr.pg-run td.pg-run-number')]
                   .map(c => Number(c.textContent));")
            .await?;
        for (i, key) in ["trainLoss", "validationLoss"].into_iter().enumerate() {
            let want = first[key].as_f64().unwrap();
            let got = shown[i].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 2e-3 * want,
                "{key}: the table shows {got}, the run ended at {want}"
            );
        }

        // Restore: the first run's settings, from step 0; the same updates give its losses.
        page.click(&format!(
            "{FIG} button[data-role=restore-run][data-run='1']"
        ))
        .await?;
        let restored = page.state(FIG).await?;
        assert_eq!(restored["step"], 0, "{restored}");
        let hash = page.js("return location.hash;").await?;
        assert!(
            hash.as_str().unwrap().contains("learningRate=0.03"),
            "{hash}"
        );
        let replay = three_epochs(&page).await?;
        for key in ["step", "trainLoss", "validationLoss", "testLoss"] {
            assert_eq!(replay[key], first[key], "{key}: {first} vs {replay}");
        }
        assert_eq!(table(&page).await?, json!([["Run 1", []]]));

        // A reload keeps the list.
        page.open_fresh("/").await?;
        let reloaded = page.state(FIG).await?;
        let runs = reloaded["earlierRuns"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{reloaded}");
        assert_eq!(runs[0]["number"], 1);
        assert_eq!(runs[0]["trainLoss"], first["trainLoss"]);
        assert_eq!(reloaded["fadedCurves"], 1, "{reloaded}");

        // Clear runs empties it, here and in storage.
        page.click_role(FIG, "clear-runs").await?;
        let cleared = page.state(FIG).await?;
        assert_eq!(cleared["earlierRuns"], json!([]), "{cleared}");
        assert_eq!(cleared["fadedCurves"], 0, "{cleared}");
        let hidden = page
            .js("return document.querySelector('#fig-playground [data-role=runs]').hidden;")
            .await?;
        assert_eq!(hidden, json!(true));
        let stored = page
            .js(&format!("return localStorage.getItem('{KEY}');"))
            .await?;
        assert_eq!(stored, Value::Null);
        page.finish().await
    })
}

#[test]
fn a_damaged_stored_list_is_cleared_and_the_table_fits_a_phone_in_both_themes() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.js(&format!(
            "localStorage.setItem('{KEY}', '{{\"next\":1,\"runs\":[{{\"number\":1}}]}}'); return 0;"
        ))
        .await?;
        page.open_fresh("/").await?;
        let state = page.state(FIG).await?;
        assert_eq!(state["earlierRuns"], json!([]), "{state}");
        let stored = page
            .js(&format!("return localStorage.getItem('{KEY}');"))
            .await?;
        assert_eq!(stored, Value::Null);

        two_runs(&page).await?;
        let table = "document.querySelector('#fig-playground [data-role=runs]').scrollIntoView({block: 'center'}); return 0;";
        page.js(table).await?;
        page.element_screenshot(FIG, "compare-runs-1280-light")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.assert_fits(390).await?;
        page.js(table).await?;
        page.window_screenshot("compare-runs-390-light").await?;
        // The runs outlive the reload into the dark theme.
        page.open_in_theme("dark", "/").await?;
        page.assert_fits(390).await?;
        page.js(table).await?;
        page.window_screenshot("compare-runs-390-dark").await?;
        page.set_viewport(1280, 900, false).await?;
        page.js(table).await?;
        page.element_screenshot(FIG, "compare-runs-1280-dark")
            .await?;
        page.finish().await
    })
}
