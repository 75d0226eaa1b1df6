//! The playground's network taken out of the page and brought back, driven like a reader: the
//! model file saved by "Export model" loads into a reset playground with the scores it had, a bad
//! file is refused with a message naming its problem and leaves the playground as it was, and the
//! NumPy script the page saves reproduces the page's map when run with Python and NumPy. The
//! same file loads into the backpropagation step-through, whose forward pass then is the
//! script's, and a bad file leaves the step-through as it was.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, downloaded, err, root, run};
use std::path::{Path, PathBuf};

const PG: &str = "#fig-playground";
const BP: &str = "#fig-backprop";

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

/// Chooses `file` in the figure `fig`'s "Import model" and waits until its message includes
/// `expected`; returns the message.
async fn import(page: &Page, fig: &str, file: &Path, expected: &str) -> Result<String> {
    page.keys(
        &format!("{fig} input[data-export=import-model]"),
        &file.display().to_string(),
    )
    .await?;
    page.wait_until(
        &format!(
            "(document.querySelector('{fig} [data-role=message]').textContent + \
              document.querySelector('{fig} [data-role=live-text]')?.textContent).includes({})",
            json!(expected)
        ),
        20,
    )
    .await?;
    page.text(&format!("{fig} [data-role=message]")).await
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
        let said = import(&page, PG, &good, "Loaded").await?;
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
        let said = import(&page, PG, &bad, "not loaded").await?;
        assert!(said.contains("unknown activation \"gelu\""), "{said}");
        assert_eq!(page.state(PG).await?, loaded);

        // Every other kind of bad file: its problem named, the playground as it was. Each waits
        // for its own words, so a message left by the file before cannot pass for it.
        let mut short_row = model.clone();
        short_row["layers"][1]["weights"][0]
            .as_array_mut()
            .unwrap()
            .pop();
        let mut too_big_a_number = model.clone();
        too_big_a_number["layers"][0]["biases"][0] = json!(1e39);
        let padded = format!("{text}{}", " ".repeat(1_000_001));
        let cases = [
            (
                "shapes.json",
                short_row.to_string(),
                "has 4 numbers where 5 are needed",
            ),
            (
                "infinite.json",
                too_big_a_number.to_string(),
                "not a finite 32-bit number",
            ),
            ("large.json", padded, "a model file may be at most 1000 kB"),
            (
                "text.json",
                "a network, I promise".to_owned(),
                "the file is not JSON",
            ),
        ];
        for (name, body, problem) in cases {
            let file = dir.0.join(name);
            std::fs::write(&file, body).map_err(err)?;
            let said = import(&page, PG, &file, problem).await?;
            assert!(said.contains("not loaded"), "{name}: {said}");
            assert_eq!(
                page.state(PG).await?,
                loaded,
                "{name} changed the playground"
            );
        }

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

        // The same file in the step-through: its forward pass at the figure's example (0.5, −1)
        // is the NumPy script's, features and raw outputs.
        let probe = format!(
            "import importlib.util, json\n\
             s = importlib.util.spec_from_file_location('m', {path:?})\n\
             m = importlib.util.module_from_spec(s); s.loader.exec_module(m)\n\
             print(json.dumps([m.features([0.5], [-1.0])[0].tolist(), m.raw_outputs([0.5], [-1.0])[0].tolist()]))"
        );
        let out = std::process::Command::new(&python)
            .args(["-c", &probe])
            .output()
            .map_err(err)?;
        let want: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&out.stderr)))?;
        let before = page.state(BP).await?;
        assert_eq!(before["live"], json!(false));
        let said = import(&page, BP, &good, "from a model file").await?;
        assert!(said.is_empty(), "no message on success: {said}");
        let shown = page.state(BP).await?;
        assert_eq!(shown["live"], json!(true), "{shown}");
        assert_eq!(shown["sizes"], json!([3, 5, 3, 1]), "{shown}");
        let close = |a: &Value, b: &Value| {
            let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
            assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
            for (u, v) in a.iter().zip(b) {
                let (u, v) = (u.as_f64().unwrap(), v.as_f64().unwrap());
                assert!((u - v).abs() <= 1e-5 * v.abs().max(1.0), "{u} vs {v}");
            }
        };
        close(&shown["x"], &want[0]);
        close(&shown["layers"][2]["z"], &want[1]);

        // A bad file in the step-through: its message, and the network shown stays.
        let said = import(&page, BP, &bad, "not loaded").await?;
        assert!(said.contains("unknown activation \"gelu\""), "{said}");
        let after = page.state(BP).await?;
        assert_eq!(after["layers"], shown["layers"]);
        assert_eq!(after["x"], shown["x"]);

        page.element_screenshot(&format!("{PG} .figure-tools"), "model-tools-1280")
            .await?;
        page.set_viewport(390, 844, true).await?;
        page.assert_fits(390).await?;
        page.element_screenshot(&format!("{PG} .figure-tools"), "model-tools-390")
            .await?;
        page.finish().await
    });
}
