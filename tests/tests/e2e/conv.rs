//! The convolution figure, driven like a reader: choosing a digit, a filter, an edited weight,
//! a stride, padding or pooling changes the feature map on screen; drawing on the input changes
//! it too; the output-size formula shows the engine's size.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, copy_of_build_without, run};

const FIG: &str = "#fig-conv";
const MAP: &str = "#fig-conv canvas[data-role=feature-map]";

async fn choose(page: &Page, role: &str, value: &str) -> Result<()> {
    page.js(&format!(
        "const s = document.querySelector('{FIG} [data-role={role}]'); s.value = {}; s.dispatchEvent(new Event('input', {{ bubbles: true }})); return 0;",
        json!(value)
    ))
    .await?;
    Ok(())
}

/// The feature map's state and the canvas's fingerprint.
async fn map(page: &Page) -> Result<(Value, u64)> {
    Ok((
        page.state(FIG).await?["featureMap"].clone(),
        page.canvas_hash(MAP).await?,
    ))
}

/// Presses the pointer down on cell `(row, col)` of the 8×8 input grid (no padding shown).
async fn draw_cell(page: &Page, row: usize, col: usize) -> Result<()> {
    page.js(&format!(
        "const c = document.querySelector('{FIG} canvas[data-role=image]');
         const r = c.getBoundingClientRect();
         const cell = Math.floor(Math.min(r.width, r.height) / 8);
         const x0 = Math.floor((r.width - cell * 8) / 2), y0 = Math.floor((r.height - cell * 8) / 2);
         const x = r.left + x0 + ({col} + 0.5) * cell, y = r.top + y0 + ({row} + 0.5) * cell;
         c.dispatchEvent(new PointerEvent('pointerdown', {{ bubbles: true, clientX: x, clientY: y, buttons: 1 }}));
         return 0;"
    ))
    .await?;
    Ok(())
}

#[test]
fn digits_filters_drawing_stride_padding_and_pooling_change_the_map() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.js(&format!(
            "document.querySelector('{FIG}').scrollIntoView(); return 0;"
        ))
        .await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["digit"], "3");
        // 8 pixels, no padding, a 3-wide filter, stride 1: ⌊(8 + 0 + 0 − 3)/1⌋ + 1 = 6.
        assert_eq!(s["outputSize"], json!([6, 6]));
        assert_eq!(s["featureMap"].as_array().map(Vec::len), Some(36));
        let formula = page.text(&format!("{FIG} [data-role=formula]")).await?;
        assert_eq!(formula, "output side = ⌊(8 + 0 + 0 − 3) / 1⌋ + 1 = 6");
        // Max pooling of 6×6 with 2×2 windows, stride 2: 3×3.
        assert_eq!(s["pooledSize"], json!([3, 3]));

        let mut last = map(&page).await?;
        // Another digit, then each filter preset, changes the map and its picture.
        choose(&page, "digit", "0").await?;
        let now = map(&page).await?;
        assert!(
            now.0 != last.0 && now.1 != last.1,
            "digit 0 left the map unchanged"
        );
        last = now;
        for f in ["horizontal", "blur", "sharpen"] {
            choose(&page, "filter", f).await?;
            let now = map(&page).await?;
            assert!(
                now.0 != last.0 && now.1 != last.1,
                "{f} left the map unchanged"
            );
            last = now;
        }
        // The sharpen preset's weights are in the boxes; editing one makes the filter the reader's.
        assert_eq!(page.state(FIG).await?["filter"][4], 5.0);
        page.js(&format!(
            "const w = document.querySelector('{FIG} input[data-role=w4]'); w.value = '2'; w.dispatchEvent(new Event('input', {{ bubbles: true }})); return 0;"
        ))
        .await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["filter"][4], 2.0);
        let preset = page
            .js(&format!(
                "return document.querySelector('{FIG} [data-role=filter]').value;"
            ))
            .await?;
        assert_eq!(preset, "custom");
        let now = map(&page).await?;
        assert!(now.0 != last.0 && now.1 != last.1);

        // Drawing: clear the input, then paint two cells.
        choose(&page, "filter", "vertical").await?;
        page.click(&format!("{FIG} button[data-role=clear]"))
            .await?;
        let s = page.state(FIG).await?;
        assert!(s["image"].as_array().unwrap().iter().all(|v| v == 0.0));
        assert!(s["featureMap"].as_array().unwrap().iter().all(|v| v == 0.0));
        let blank = page.canvas_hash(MAP).await?;
        draw_cell(&page, 3, 3).await?;
        draw_cell(&page, 4, 3).await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["digit"], "drawn");
        assert_eq!(s["image"][3 * 8 + 3], 1.0, "{s}");
        assert_eq!(s["image"][4 * 8 + 3], 1.0);
        assert!(s["featureMap"].as_array().unwrap().iter().any(|v| v != 0.0));
        assert_ne!(blank, page.canvas_hash(MAP).await?);

        // Stride 2: ⌊(8 − 3)/2⌋ + 1 = 3. "Same" padding at stride 1 pads 1 + 1 and keeps 8.
        choose(&page, "stride", "2").await?;
        assert_eq!(page.state(FIG).await?["outputSize"], json!([3, 3]));
        let formula = page.text(&format!("{FIG} [data-role=formula]")).await?;
        assert!(formula.ends_with("/ 2⌋ + 1 = 3"), "{formula}");
        choose(&page, "stride", "1").await?;
        choose(&page, "padding", "same").await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["outputSize"], json!([8, 8]));
        assert_eq!(s["pooledSize"], json!([4, 4]));
        let formula = page.text(&format!("{FIG} [data-role=formula]")).await?;
        assert_eq!(formula, "output side = ⌊(8 + 1 + 1 − 3) / 1⌋ + 1 = 8");

        // Average pooling gives other numbers than max pooling.
        let pooled = format!("{FIG} canvas[data-role=pooled]");
        let (max_values, max_hash) = (
            page.state(FIG).await?["pooled"].clone(),
            page.canvas_hash(&pooled).await?,
        );
        choose(&page, "pool", "average").await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["pool"], "average");
        assert_ne!(s["pooled"], max_values);
        assert_ne!(max_hash, page.canvas_hash(&pooled).await?);
        let note = page
            .text(&format!("{FIG} output[data-role=pool-note]"))
            .await?;
        assert!(note.starts_with("Average pooling"), "{note}");

        page.element_screenshot(FIG, "fig-conv-desktop").await?;
        page.set_viewport(390, 844, true).await?;
        page.js(&format!(
            "document.querySelector('{FIG}').scrollIntoView(); return 0;"
        ))
        .await?;
        page.element_screenshot(FIG, "fig-conv-phone").await?;
        page.assert_fits(390).await?;
        page.finish().await
    })
}

/// The digits are a file the page downloads when a figure needs them: served without it, the two
/// figures that draw digits say so in their place, and every other figure starts.
#[test]
fn without_the_digits_file_its_figures_say_why_and_the_others_start() {
    run(async {
        let copy = copy_of_build_without("no-digits", "digits-", ".bin")?;
        let page = Page::open_in(&copy.0, "/", 1280, 900).await?;
        let figures = page
            .js("return [...document.querySelectorAll('[data-figure]')].map((f) => [f.id,
                   f.dataset.ready === 'true', f.querySelector('.figure-error')?.textContent ?? '']);")
            .await?;
        let figures = figures.as_array().cloned().unwrap_or_default();
        assert!(figures.len() > 20, "{figures:?}");
        for f in &figures {
            let (id, ready, said) = (f[0].as_str().unwrap(), f[1] == true, f[2].as_str().unwrap());
            if id == "fig-conv" || id == "fig-augmentation" {
                assert!(!ready, "{id} started without its digits");
                assert!(
                    said.contains("the digits it needs could not be downloaded")
                        && said.contains("404"),
                    "{id} says: {said:?}"
                );
            } else {
                assert!(
                    ready && said.is_empty(),
                    "{id}: ready {ready}, says {said:?}"
                );
            }
        }
        match page.finish().await {
            Err(e) if e.contains("could not be downloaded") => Ok(()),
            other => Err(format!("the failed download was not reported: {other:?}")),
        }
    });
}
