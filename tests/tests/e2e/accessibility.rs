//! The page's accessibility, checked in the browser: axe-core finds no serious or critical
//! problem in either theme with either palette, every chart is an image named by its current
//! values, the keyboard reaches every control with a visible focus ring, reduced motion is
//! respected, and the colour-blind-safe palette really changes what a chart shows.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, root, run};

/// axe-core's script, installed by `cargo xtask setup` (`.tools/axe/`).
fn axe_source() -> Result<String> {
    let path = root().join(".tools/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (run `cargo xtask setup`)", path.display()))
}

/// Runs axe-core on the whole page, every rule or (`colours_only`) only those a theme or palette
/// can change: the contrast of text, and links told from the text around them; returns every
/// violation as `[id, impact, help, nodes]`.
async fn axe(page: &Page, colours_only: bool) -> Result<Vec<Value>> {
    let only = if colours_only {
        "runOnly: { type: 'rule', values: ['color-contrast', 'link-in-text-block'] },"
    } else {
        ""
    };
    page.js(&format!(
        "window.__axe = null;
         axe.run(document, {{ {only} resultTypes: ['violations'] }}).then((r) => {{
           window.__axe = r.violations.map((v) => ({{
             id: v.id, impact: v.impact, help: v.help,
             nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\n/g, ' ')) }}));
         }}, (e) => {{ window.__axe = [{{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }}]; }});"
    ))
    .await?;
    page.wait_until("window.__axe !== null", 60).await?;
    Ok(page
        .js("return window.__axe;")
        .await?
        .as_array()
        .cloned()
        .unwrap_or_default())
}

#[test]
fn axe_finds_nothing_serious_in_any_theme_or_palette() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.js(&axe_source()?).await?;
        let mut serious = Vec::new();
        for theme in [
            "light",
            "dark",
            "dark + colour-blind safe",
            "light + colour-blind safe",
        ] {
            page.show_theme(theme.split(' ').next().unwrap_or(theme))
                .await?;
            let safe = page
                .js("return document.documentElement.dataset.palette === 'cvd';")
                .await?;
            if safe != Value::Bool(theme.contains("safe")) {
                page.click("#palette-toggle").await?;
            }
            page.element_screenshot(".masthead", &format!("a11y-masthead-{theme}"))
                .await?;
            page.element_screenshot("#fig-softmax", &format!("a11y-softmax-{theme}"))
                .await?;
            page.element_screenshot("#fig-playground", &format!("a11y-playground-{theme}"))
                .await?;
            // Every rule in the first theme; the others change colours only.
            for v in axe(&page, theme != "light").await? {
                println!(
                    "{theme}: {} ({}) {}\n    {}",
                    v["id"],
                    v["impact"],
                    v["help"],
                    v["nodes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_str().unwrap_or("").to_owned())
                        .collect::<Vec<_>>()
                        .join("\n    ")
                );
                if v["impact"] == "serious" || v["impact"] == "critical" {
                    serious.push(format!("{theme}: {}", v["id"]));
                }
            }
        }
        assert!(
            serious.is_empty(),
            "serious or critical problems: {serious:?}"
        );
        page.finish().await
    });
}

#[test]
fn every_chart_is_an_image_named_by_its_values() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.js("window.scrollTo(0, document.body.scrollHeight);")
            .await?;
        let unnamed = page
            .js("return Array.from(document.querySelectorAll('main canvas'))
                   .filter((c) => c.getAttribute('role') !== 'img' || !(c.getAttribute('aria-label') || '').trim())
                   .map((c) => (c.closest('figure') || {}).id + ' ' + (c.dataset.role || ''));")
            .await?;
        assert_eq!(unnamed, json!([]), "charts without role=img and a name");
        // Every chart on show states numbers, not only what kind of chart it is.
        let without_values = page
            .js("return Array.from(document.querySelectorAll('main canvas'))
                   .filter((c) => c.offsetParent !== null && !/[0-9]/.test(c.getAttribute('aria-label') || ''))
                   .map((c) => (c.closest('figure') || {}).id + ' ' + (c.dataset.role || ''));")
            .await?;
        assert_eq!(
            without_values,
            json!([]),
            "charts named without their values"
        );
        // A training chart's name follows its numbers.
        let loss = "#fig-playground canvas[data-role=loss-chart]";
        let before = page
            .js(&format!(
                "return document.querySelector('{loss}').getAttribute('aria-label');"
            ))
            .await?;
        page.click("#fig-playground [data-role=step]").await?;
        let after = page
            .js(&format!(
                "return document.querySelector('{loss}').getAttribute('aria-label');"
            ))
            .await?;
        assert_ne!(before, after, "the loss chart's name changed with a step");
        let state = page.state("#fig-playground").await?;
        let step = state["step"].as_f64().unwrap();
        assert!(
            after.as_str().unwrap().contains(&format!("{step}")),
            "{after} names step {step}"
        );
        page.finish().await
    });
}

#[test]
fn the_keyboard_reaches_every_control_with_a_visible_focus_ring() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // Every control is focusable and has an accessible label.
        let unlabelled = page
            .js("return Array.from(document.querySelectorAll('main input, main select, main textarea, main button'))
                   .filter((el) => !el.disabled && el.type !== 'hidden' && el.tabIndex >= 0)
                   .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                                   && !el.getAttribute('aria-labelledby') && !(el.textContent || '').trim())
                   .map((el) => (el.closest('figure') || {}).id + ' ' + (el.dataset.role || el.type));")
            .await?;
        assert_eq!(unlabelled, json!([]), "controls without a label");
        let unreachable = page
            .js("return Array.from(document.querySelectorAll('main input, main select, main textarea, main button'))
                   .filter((el) => !el.disabled && el.tabIndex < 0)
                   .map((el) => (el.closest('figure') || {}).id + ' ' + (el.dataset.role || el.type));")
            .await?;
        assert_eq!(unreachable, json!([]), "controls the Tab key skips");
        for theme in ["light", "dark"] {
            page.show_theme(theme).await?;
            // One real Tab press makes later focus moves keyboard ones (so :focus-visible applies).
            page.js("document.querySelector('#theme-toggle').focus();")
                .await?;
            page.keys(":focus", "\u{E004}").await?;
            // Every visible control, focused in turn, shows a ring of at least 2 px: on itself, or
            // on what draws it when the native control is visually hidden (segments, file buttons).
            // What waits behind a disclosure (the playground's "More settings", the masthead's
            // contents) is checked with its disclosure opened, as a reader opens it.
            let missing = page
                .js("const out = [];
                     document.querySelectorAll('details').forEach((d) => { d.open = true; });
                     for (const el of document.querySelectorAll('input, select, textarea, button, a[href], summary, [tabindex=\"0\"]')) {
                       if (el.disabled || !el.checkVisibility()) continue;
                       el.focus({ preventScroll: true });
                       if (document.activeElement !== el) { out.push('not focusable: ' + el.outerHTML.slice(0, 80)); continue; }
                       const hidden = parseFloat(getComputedStyle(el).opacity) === 0 || el.getBoundingClientRect().width < 2;
                       const drawn = hidden ? (el.type === 'file' ? el.parentElement : el.nextElementSibling || el.parentElement) : el;
                       const s = getComputedStyle(drawn);
                       if (!el.matches(':focus-visible') || s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) {
                         out.push((el.closest('figure') || {}).id + ' ' + el.tagName + ' ' + (el.dataset.role || el.type || el.textContent.trim().slice(0, 20)));
                       }
                     }
                     return out;")
                .await?;
            assert_eq!(
                missing,
                json!([]),
                "{theme}: controls without a visible focus ring"
            );
        }
        page.finish().await
    });
}

#[test]
fn reduced_motion_turns_transitions_off_and_plays_nothing() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        page.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-reduced-motion", "value": "reduce" }] }),
        )
        .await?;
        page.goto("/").await?;
        let moving = page
            .js("return Array.from(document.querySelectorAll('*')).filter((el) => {
                   const s = getComputedStyle(el);
                   const t = s.transitionDuration.split(',').some((d) => parseFloat(d) > 0.011);
                   const a = s.animationName !== 'none' && s.animationDuration.split(',').some((d) => parseFloat(d) > 0.011);
                   return t || a; }).map((el) => el.tagName + '.' + el.className).slice(0, 10);")
            .await?;
        assert_eq!(moving, json!([]), "transitions under reduced motion");
        // The page has no transition of its own to find, so one is planted: the page's rule must
        // turn off the transition of any element, including one added later.
        let planted = page
            .js("const d = document.createElement('div');
                 d.style.transition = 'opacity 1s';
                 document.querySelector('main').appendChild(d);
                 const t = getComputedStyle(d).transitionDuration;
                 d.remove();
                 return t;")
            .await?;
        assert_eq!(
            planted,
            json!("0s"),
            "a planted transition ran under reduced motion"
        );
        let playing = page
            .js("return Array.from(document.querySelectorAll('[data-role=play][aria-pressed=true]')).length;")
            .await?;
        assert_eq!(playing, json!(0), "nothing plays by itself");
        page.finish().await
    });
}

#[test]
fn the_colour_blind_palette_changes_the_charts_and_is_remembered() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let chart = "#fig-activations canvas";
        page.js(&format!(
            "document.querySelector('{chart}').scrollIntoView();"
        ))
        .await?;
        let before = page.canvas_hash(chart).await?;
        let negative = page
            .js("return getComputedStyle(document.documentElement).getPropertyValue('--blue');")
            .await?;
        page.click("#palette-toggle").await?;
        assert_eq!(
            page.js("return document.documentElement.dataset.palette;")
                .await?,
            "cvd"
        );
        let after = page.canvas_hash(chart).await?;
        assert_ne!(before, after, "the chart redrew in the safe palette");
        page.element_screenshot("#fig-activations", "a11y-activations-cvd")
            .await?;
        page.set_viewport(390, 800, true).await?;
        page.element_screenshot(".masthead", "a11y-masthead-390")
            .await?;
        page.set_viewport(1280, 900, false).await?;
        assert_ne!(
            negative,
            page.js(
                "return getComputedStyle(document.documentElement).getPropertyValue('--blue');"
            )
            .await?
        );
        page.goto("/").await?;
        assert_eq!(
            page.js("return document.documentElement.dataset.palette;")
                .await?,
            "cvd",
            "the choice is remembered"
        );
        page.finish().await
    });
}

/// How many pixels of the playground's output map have exactly the colour `hex` (`#rrggbb`):
/// the points are filled at full strength, so a class's colour shows at their centres.
async fn map_pixels_of(page: &Page, hex: &str) -> Result<u64> {
    let count = page
        .js(&format!(
            "const c = document.querySelector('#fig-playground canvas[data-role=heatmap]');
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             const [r, g, b] = [1, 3, 5].map(i => parseInt('{hex}'.slice(i, i + 2), 16));
             let n = 0;
             for (let i = 0; i < d.length; i += 4) {{
               if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++;
             }}
             return n;"
        ))
        .await?;
    Ok(count.as_u64().unwrap_or(0))
}

#[test]
fn the_colour_blind_palette_also_recolours_the_third_to_fifth_classes() {
    run(async {
        let page = Page::open("/#dataset=blobs&classes=5", 1280, 900).await?;
        page.js("document.querySelector('#fig-playground').scrollIntoView();")
            .await?;
        // The default palette's third class is a green; the safe palette's is Okabe and Ito's
        // bluish green.
        let (green, safe_green) = ("#3a9e5c", "#009e73");
        assert!(map_pixels_of(&page, green).await? > 0, "third class drawn");
        assert_eq!(map_pixels_of(&page, safe_green).await?, 0);
        page.click("#palette-toggle").await?;
        page.wait_until("document.documentElement.dataset.palette === 'cvd'", 10)
            .await?;
        assert!(
            map_pixels_of(&page, safe_green).await? > 0,
            "the third class follows the safe palette"
        );
        assert_eq!(map_pixels_of(&page, green).await?, 0);
        page.element_screenshot(
            "#fig-playground canvas[data-role=heatmap]",
            "a11y-classes-cvd",
        )
        .await?;
        page.finish().await
    });
}
