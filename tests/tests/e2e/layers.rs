//! The layer kinds of the notes are each explained, and each explanation links to a place on the
//! page that exists.

use spiega_e2e::{Page, run};

#[test]
fn every_layer_kind_is_explained_with_links_that_lead_somewhere() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let kinds = page.text("#layers .layer-kinds").await?;
        for kind in [
            "Input",
            "Normalization",
            "Dense",
            "Convolutional",
            "Pooling",
            "Activation",
            "Dropout",
            "Output",
        ] {
            assert!(kinds.contains(kind), "{kind} is not explained: {kinds}");
        }
        // The notes' dropout mistake is named: dropout switches off activations, not small weights.
        assert!(kinds.contains("pruning"), "{kinds}");
        let broken = page
            .js("return [...document.querySelectorAll('#layers .layer-kinds a')].map(a => a.getAttribute('href')).filter(h => !document.getElementById(h.slice(1)));")
            .await?;
        assert_eq!(broken, serde_json::json!([]), "links without a target");
        let count = page
            .js("return document.querySelectorAll('#layers .layer-kinds a').length;")
            .await?;
        assert!(count.as_u64().unwrap() >= 8);
        // The contents link to the section.
        page.click(".toc a[href='#layers']").await?;
        let hash = page.js("return location.hash;").await?;
        assert_eq!(hash, "#layers");
        page.element_screenshot("#layers .layer-kinds", "layer-kinds")
            .await?;
        page.finish().await
    })
}

#[test]
fn screenshots_of_the_section() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        for (name, (w, h), mobile) in [("desktop", (1280, 900), false), ("phone", (390, 844), true)]
        {
            let mut backgrounds = Vec::new();
            for theme in ["light", "dark"] {
                page.set_viewport(w, h, mobile).await?;
                backgrounds.push(page.show_theme(theme).await?);
                page.assert_fits(w).await?;
                for section in ["#layers", "#shapes"] {
                    let id = section.trim_start_matches('#');
                    page.element_screenshot(section, &format!("{id}-{name}-{theme}"))
                        .await?;
                }
            }
            assert_ne!(
                backgrounds[0], backgrounds[1],
                "{name}: both themes look alike"
            );
        }
        page.js("localStorage.removeItem('spiega-theme'); return 0;")
            .await?;
        page.finish().await
    })
}
