//! The playground's network taken out of the page and brought back, driven like a reader: the
//! model file saved by "Export model" loads into a reset playground with the scores it had, a bad
//! file is refused with a message naming its problem and leaves the playground as it was, and the
//! NumPy script the page saves reproduces the page's map when run with Python and NumPy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, downloaded, err, root, run};
use std::path::{Path, PathBuf};

const PG: &str = "#fig-playground";

/// A fresh folder for the test's files (removed when dropped).
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Saves the model in the menu's format `format` and returns the downloaded file's text.
async fn export(page: &Page, dir: &Path, format: &str, name: &str) -> Result<String> {
    let _ = std::fs::remove_file(dir.join(name));
    page.js(&format!(
        "const m = document.querySelector('{PG} select[data-export=model-format]');
         m.value = {}; m.dispatchEvent(new Event('change'));",
        json!(format)
    ))
    .await?;
    page.click(&format!("{PG} button[data-export=model]"))
        .await?;
    String::from_utf8(downloaded(dir, name, 10)?).map_err(err)
}

/// Chooses `file` in "Import model" and waits until the message includes `expected`; returns
/// the message.
async fn import(page: &Page, file: &Path, expected: &str) -> Result<String> {
    page.keys(
        &format!("{PG} input[data-export=import-model]"),
        &file.display().to_string(),
    )
    .await?;
    page.wait_until(
        &format!(
            "document.querySelector('{PG} [data-role=message]').textContent.includes({})",
            json!(expected)
        ),
        20,
    )
    .await?;
    page.text(&format!("{PG} [data-role=message]")).await
}

#[test]
fn a_saved_model_loads_back_a_bad_one_changes_nothing_and_the_numpy_script_matches_the_page() {
    run(async {
        let page = Page::open(
            "/#networkShape=5,3&activation=relu&normalize=true&xSquared=true",
            1280,
            900,
        )
        .await?;
        let dir = Folder(std::env::temp_dir().join(format!("spiega-model-{}", std::process::id())));
        std::fs::create_dir_all(&dir.0).map_err(err)?;
        page.allow_downloads(&dir.0).await?;
        page.click_role(PG, "play").await?;
        let trained = page.train_to(PG, 60).await?;

        let text = export(&page, &dir.0, "json", "spiega-model.json").await?;
        let model: Value = serde_json::from_str(&text).map_err(err)?;
        assert_eq!(model["features"], json!(["x1", "x2", "x1sq"]));
        assert!(model["scaling"].is_object(), "{model}");
        let widths: Vec<u64> = model["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["outputs"].as_u64().unwrap())
            .collect();
        assert_eq!(widths, vec![5, 3, 1]);

        // Reset gives an untrained network; the file brings the trained one back.
        page.click_role(PG, "reset").await?;
        page.wait_state(PG, "s.step === 0", 10).await?;
        let reset = page.state(PG).await?;
        assert_ne!(reset["trainLoss"], trained["trainLoss"]);
        let good = dir.0.join("model.json");
        std::fs::write(&good, &text).map_err(err)?;
        let said = import(&page, &good, "Loaded").await?;
        assert!(said.contains("5, 3 units"), "{said}");
        let loaded = page.state(PG).await?;
        for key in ["trainLoss", "validationLoss", "testLoss", "trainAccuracy"] {
            assert_eq!(loaded[key], trained[key], "{key}: {loaded} vs {trained}");
        }

        // A file with an unknown activation is named and changes nothing.
        let mut bad_model = model.clone();
        bad_model["layers"][0]["activation"] = json!("gelu");
        let bad = dir.0.join("bad.json");
        std::fs::write(&bad, bad_model.to_string()).map_err(err)?;
        let said = import(&page, &bad, "not loaded").await?;
        assert!(said.contains("unknown activation \"gelu\""), "{said}");
        assert_eq!(page.state(PG).await?, loaded);

        // The NumPy script checks its map against the page's and exits 0 only if they agree.
        let script = export(&page, &dir.0, "NumPy", "spiega_numpy.py").await?;
        assert!(script.contains("Link: http"), "the script states its link");
        let python = root().join(".tools/venv/bin/python3");
        let path = dir.0.join("script.py");
        std::fs::write(&path, &script).map_err(err)?;
        let out = std::process::Command::new(&python)
            .arg(&path)
            .output()
            .map_err(|e| format!("{}: {e} (run cargo xtask setup)", python.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("over 1681 points"), "{stdout}");

        page.element_screenshot(&format!("{PG} .figure-tools"), "model-tools-1280")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.assert_fits(390).await?;
        page.element_screenshot(&format!("{PG} .figure-tools"), "model-tools-390")
            .await?;
        page.finish().await
    });
}
