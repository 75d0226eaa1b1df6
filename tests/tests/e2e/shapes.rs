//! The shape calculator, driven like a reader: the notes' two examples give their shapes and
//! parameter counts, editing a layer or adding one changes the table, and a layer that does not
//! fit is named.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

const FIG: &str = "#fig-shapes";

/// The table on screen: one `[layer, output shape, parameters, weights]` per row.
async fn table(page: &Page) -> Result<Value> {
    page.js(&format!(
        "return [...document.querySelectorAll('{FIG} [data-role=shape-rows] tr')].map(r => [...r.children].map(c => c.textContent));"
    ))
    .await
}

/// Types `value` into the `field` of layer row `row` (0 = first after the input), firing `input`.
async fn edit(page: &Page, row: usize, field: &str, value: &str) -> Result<()> {
    page.js(&format!(
        "const el = document.querySelectorAll('{FIG} [data-role=stack] > li')[{row}].querySelector('[data-field={field}]');
         el.value = {}; el.dispatchEvent(new Event('input', {{ bubbles: true }})); return 0;",
        json!(value)
    ))
    .await?;
    Ok(())
}

#[test]
fn the_notes_examples_and_edits_give_the_right_shapes() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // input(5, 3) + dense(16) → (5, 16): the dense layer acts on the last axis,
        // 3·16 + 16 = 64 parameters (the notes' first example).
        page.click(&format!("{FIG} button[data-preset=dense]"))
            .await?;
        let t = table(&page).await?;
        assert_eq!(
            t[1],
            json!(["dense(16)", "(5, 16)", "64", "(16, 3)"]),
            "{t}"
        );
        let s = page.state(FIG).await?;
        assert_eq!(s["layers"][1]["output"], json!([5, 16]));
        assert_eq!(s["total"], 64);

        // input(5, 3) + flatten → 15, + dense(16) → 16 with 15·16 + 16 = 256 parameters.
        page.click(&format!("{FIG} button[data-preset=flatten]"))
            .await?;
        let t = table(&page).await?;
        assert_eq!(t[1], json!(["flatten", "(15)", "0", "–"]), "{t}");
        assert_eq!(t[2], json!(["dense(16)", "(16)", "256", "(16, 15)"]), "{t}");
        assert_eq!(page.text(&format!("{FIG} [data-role=total]")).await?, "256");

        // Editing the dense layer's units changes its shape and count: 15·8 + 8 = 128.
        edit(&page, 1, "size", "8").await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["layers"][2]["output"], json!([8]), "{s}");
        assert_eq!(s["total"], 128);
        assert_eq!(table(&page).await?[2][1], "(8)");

        // A convolution after a flat input does not fit: the figure names the layer.
        page.js(&format!(
            "document.querySelector('{FIG} [data-role=add-kind]').value = 'conv2d'; return 0;"
        ))
        .await?;
        page.click(&format!("{FIG} button[data-role=add]")).await?;
        let s = page.state(FIG).await?;
        assert_eq!(s["error"], "stack", "{s}");
        let error = page.text(&format!("{FIG} [data-role=error]")).await?;
        assert!(error.contains("layer 4, conv2d"), "{error}");
        // Removing it brings the table back.
        page.click(&format!(
            "{FIG} [data-role=stack] > li:last-child button[data-role=remove-layer]"
        ))
        .await?;
        assert_eq!(page.state(FIG).await?["total"], 128);

        // The image example: 28×28×1 → conv 8 of 3×3 → (26, 26, 8) with 3·3·1·8 + 8 = 80
        // parameters → max pool 2 → (13, 13, 8) → … → dense(10) on 13·13·8 = 1352 inputs.
        page.click(&format!("{FIG} button[data-preset=image]"))
            .await?;
        let t = table(&page).await?;
        assert_eq!(t[1][1], "(26, 26, 8)", "{t}");
        assert_eq!(t[1][2], "80");
        assert_eq!(t[2][1], "(13, 13, 8)");
        assert_eq!(t[4][1], "(1352)");
        assert_eq!(t[5][2], "13530");
        // "Same" padding keeps 28 × 28.
        edit(&page, 0, "padding", "same").await?;
        assert_eq!(table(&page).await?[1][1], "(28, 28, 8)");
        // Only the fields of each row's kind are shown: a dropout row shows its rate only.
        let shown = page
            .js(&format!(
                "return [...document.querySelectorAll('{FIG} [data-role=stack] > li')[2].querySelectorAll('[data-kinds]')].filter(e => !e.hidden).map(e => e.querySelector('[data-field]').dataset.field);"
            ))
            .await?;
        assert_eq!(shown, json!(["rate"]));
        page.element_screenshot(FIG, "fig-shapes-desktop").await?;
        page.set_viewport(390, 844, true).await?;
        page.element_screenshot(FIG, "fig-shapes-phone").await?;
        page.assert_fits(390).await?;
        page.finish().await
    })
}
