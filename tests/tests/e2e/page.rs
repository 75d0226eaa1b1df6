//! The page as a whole: it starts without errors, lists every topic and section in its contents,
//! typesets its mathematics, works when published under a sub-path, switches theme, fits a phone,
//! and is captured in screenshots for a person to look at.

use serde_json::Value;
use spiega_e2e::{Page, Result, run};

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

#[test]
fn the_page_starts_and_lists_every_topic_of_the_notes() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        let title = page.client.title().await.map_err(spiega_e2e::err)?;
        assert!(title.starts_with("spiega"), "title: {title}");
        let toc = page.text(".toc ol").await?;
        // Every topic of the author's notes has an entry.
        for topic in [
            "the playground",
            "Layers",
            "Dense and flatten",
            "splits and a batch",
            "Activation functions",
            "Cost functions",
            "Scores",
            "Backpropagation",
            "Optimizers",
            "Bias and variance",
            "Regularisation",
            "Pruning",
            "Dropout",
            "Data augmentation",
            "Batch normalization",
            "Generative adversarial",
            "Transformers",
            "References",
        ] {
            assert!(toc.contains(topic), "the contents lack {topic}: {toc}");
        }
        // Built sections link to themselves, and every link leads to a section of the page.
        let links = page
            .js("return [...document.querySelectorAll('.toc a')].map(a => a.getAttribute('href'));")
            .await?;
        assert!(
            links
                .as_array()
                .is_some_and(|l| l.iter().any(|h| h == "#activations")),
            "{links}"
        );
        let dangling = page
            .js("return [...document.querySelectorAll('.toc a')].map(a => a.getAttribute('href')).filter(h => !document.querySelector(h));")
            .await?;
        assert_eq!(dangling, serde_json::json!([]), "links to no section");
        // Mathematics is typeset as MathML, and no raw LaTeX is left in the text.
        let maths = page
            .js("return document.querySelectorAll('math').length;")
            .await?;
        assert!(
            maths.as_u64().unwrap_or(0) >= 20,
            "only {maths} formulas typeset"
        );
        let body = page.text("main").await?;
        assert!(
            !body.contains("\\frac") && !body.contains("\\sigma"),
            "raw LaTeX in the page"
        );
        // Every figure mounted.
        let ready = page.js("return [...document.querySelectorAll('[data-figure]')].every(f => f.dataset.ready === 'true');").await?;
        assert_eq!(ready, Value::Bool(true), "a figure did not mount");
        page.finish().await
    })
}

/// The contents list every section that has a heading, in the order of the page: a section
/// titled by an `<h2>` is a top-level entry, one titled by an `<h3>` (a subsection) is nested, and
/// every entry, nested headings with an id included, follows the one before it on the page.
#[test]
fn every_section_has_a_contents_entry_in_page_order() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        let found = page
            .js("const sections = [...document.querySelectorAll('main section:not(.opening)')]
                     .filter(s => s.querySelector('h2, h3'));
                 const hrefs = list => [...document.querySelectorAll(list)].map(a => a.getAttribute('href'));
                 const entries = hrefs('.toc a');
                 const targets = entries.map(h => document.querySelector(h));
                 return {
                   sections: sections.map(s => '#' + s.id),
                   topics: sections.filter(s => s.querySelector(':scope > h2')).map(s => '#' + s.id),
                   entries,
                   topLevel: hrefs('.toc > ol > li > a'),
                   inOrder: targets.every((t, i) => t && (i === 0 ||
                     (targets[i - 1].compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0)),
                 };")
            .await?;
        let list = |key: &str| -> Vec<String> {
            found[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (sections, entries) = (list("sections"), list("entries"));
        assert!(sections.len() >= 20, "only {} sections", sections.len());
        let listed: Vec<String> = entries
            .iter()
            .filter(|e| sections.contains(e))
            .cloned()
            .collect();
        assert_eq!(
            listed, sections,
            "the contents list every section with a heading, once, in page order"
        );
        assert_eq!(
            list("topLevel"),
            list("topics"),
            "sections with an <h2> are the top-level entries, subsections are nested"
        );
        assert!(
            entries.len() > sections.len(),
            "nested headings with an id (such as #splits) have entries too: {entries:?}"
        );
        assert_eq!(
            found["inOrder"],
            Value::Bool(true),
            "every entry leads to a place after the one before: {entries:?}"
        );
        page.finish().await
    })
}

/// Published in a folder of a host (`https://host/spiega/`), the page loads its styles, script
/// and WebAssembly from that folder, every figure mounts and draws with no error, and its
/// service worker installs there.
#[test]
fn the_page_works_published_under_a_sub_path() {
    run(async {
        let page = Page::open_under("/spiega/", "/", DESKTOP.0, DESKTOP.1).await?;
        let found = page
            .js("const folder = location.origin + '/spiega/';
                 const figures = [...document.querySelectorAll('[data-figure]')];
                 const canvas = document.querySelector('#fig-activations canvas[data-role=chart]');
                 const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                 let painted = 0;
                 for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted += 1; }
                 return {
                   address: location.href,
                   resources: performance.getEntriesByType('resource').map(r => r.name),
                   sheets: [...document.styleSheets].filter(s => s.href && s.href.startsWith(folder)).length,
                   figures: figures.length,
                   mounted: figures.filter(f => f.dataset.ready === 'true').length,
                   painted: painted / (pixels.length / 4),
                 };")
            .await?;
        assert!(
            found["address"]
                .as_str()
                .is_some_and(|a| a.ends_with("/spiega/")),
            "{found}"
        );
        let resources: Vec<&str> = found["resources"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert!(
            resources.iter().any(|r| r.ends_with(".wasm")),
            "the WebAssembly was loaded: {resources:?}"
        );
        assert!(
            resources.iter().all(|r| r.contains("/spiega/")),
            "everything loads from the page's folder: {resources:?}"
        );
        assert_eq!(found["sheets"], 2, "both style sheets apply: {found}");
        let figures = found["figures"].as_u64().unwrap_or(0);
        assert!(figures >= 20, "only {figures} figures: {found}");
        assert_eq!(found["mounted"], figures, "every figure mounted: {found}");
        assert!(
            found["painted"].as_f64().unwrap_or(0.0) > 0.5,
            "the activation chart is drawn: {found}"
        );
        // The offline copy works from the folder too: its worker controls the folder's page.
        page.wait_until(
            "(navigator.serviceWorker.controller || {}).scriptURL === location.origin + '/spiega/sw.js'",
            15,
        )
        .await?;
        page.finish().await
    })
}

/// Every figure draws: each canvas on show, in every figure, holds more than a bare background.
/// One of the smoke tests that `cargo xtask test` runs in every engine.
#[test]
fn every_figure_draws_on_each_of_its_canvases() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        let figures = page
            .js("return [...document.querySelectorAll('[data-figure]')].map(f => [f.id, f.dataset.ready === 'true']);")
            .await?;
        let figures = figures.as_array().cloned().unwrap_or_default();
        assert!(figures.len() >= 20, "only {} figures", figures.len());
        let mut checked = 0;
        for figure in &figures {
            let id = figure[0].as_str().unwrap_or("?");
            assert_eq!(figure[1], Value::Bool(true), "{id} did not mount");
            checked += page.assert_drawn(&format!("#{id}")).await?;
        }
        assert!(checked >= 30, "only {checked} canvases on show");
        println!("{} canvases drawn in {} figures", checked, figures.len());
        page.finish().await
    })
}

#[test]
fn the_theme_toggle_switches_colours_and_is_remembered() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        let canvas = "#fig-activations canvas";
        let light = page.canvas_pixel(canvas, 3, 3).await?;
        assert!(
            light[0] > 200,
            "the light theme's chart background is light: {light:?}"
        );
        page.click("#theme-toggle").await?;
        let theme = page
            .js("return document.documentElement.dataset.theme;")
            .await?;
        assert_eq!(theme, "dark");
        assert_eq!(
            page.js("return document.getElementById('theme-toggle').getAttribute('aria-pressed');")
                .await?,
            "true"
        );
        let dark = page.canvas_pixel(canvas, 3, 3).await?;
        assert!(
            dark[0] < 60,
            "the chart redrew on a dark background: {dark:?}"
        );
        let bg = page
            .js("return getComputedStyle(document.documentElement).backgroundColor;")
            .await?;
        assert_ne!(bg, "rgb(251, 250, 247)", "the page background stayed light");
        // A reload keeps the reader's choice.
        page.goto("/").await?;
        assert_eq!(
            page.js("return document.documentElement.dataset.theme;")
                .await?,
            "dark"
        );
        page.click("#theme-toggle").await?;
        assert_eq!(
            page.js("return document.documentElement.dataset.theme;")
                .await?,
            "light"
        );
        page.finish().await
    })
}

#[test]
fn a_phone_width_page_does_not_scroll_sideways() {
    run(async {
        let page = Page::open("/", PHONE.0, PHONE.1).await?;
        page.set_viewport(PHONE.0, PHONE.1, true).await?;
        page.goto("/").await?;
        let widths = page
            .js("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await?;
        let (scroll, inner) = (
            widths[0].as_u64().unwrap_or(0),
            widths[1].as_u64().unwrap_or(0),
        );
        assert!(
            scroll <= inner,
            "the page is {scroll} px wide in a {inner} px window"
        );
        // A phone lays a page that is too wide out in a wider window and shrinks it: the window
        // must stay the phone's width.
        assert_eq!(
            inner,
            u64::from(PHONE.0),
            "the page widened the phone's window"
        );
        // Nor is anything cut off at the edge: the body hides what is wider than the window.
        let cut = page.wider_than_the_window().await?;
        assert_eq!(
            cut,
            Value::Array(Vec::new()),
            "wider than a {inner} px window"
        );
        // The chart fills the figure and is drawn.
        let canvas_width = page
            .js("return document.querySelector('#fig-activations canvas').clientWidth;")
            .await?;
        assert!(
            canvas_width.as_u64().unwrap_or(0) >= 300,
            "chart only {canvas_width} px wide"
        );
        page.canvas_hash("#fig-activations canvas").await?;
        page.finish().await
    })
}

#[test]
fn screenshots_at_desktop_and_phone_widths_in_both_themes() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        for (name, (w, h), mobile) in [("desktop", DESKTOP, false), ("phone", PHONE, true)] {
            let mut backgrounds = Vec::new();
            for theme in ["light", "dark"] {
                page.set_viewport(w, h, mobile).await?;
                backgrounds.push(page.show_theme(theme).await?);
                let path = page.screenshot(&format!("{name}-{theme}")).await?;
                let size = std::fs::metadata(&path).map_err(spiega_e2e::err)?.len();
                assert!(
                    size > 20_000,
                    "{} is suspiciously small ({size} bytes)",
                    path.display()
                );
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

/// The section marked as the one being read: its `href` in the contents under the opening and in
/// the masthead's menu (null where none is marked), and the name the menu shows.
async fn marked(page: &Page) -> Result<Value> {
    page.js(
        "const m = (list) => document.querySelector(list + ' a[aria-current=\"true\"]')?.getAttribute('href') ?? null;
         return [m('nav.toc'), m('.toc-menu-panel'), document.querySelector('.toc-menu-current').textContent];",
    )
    .await
}

/// Scrolls the section `id` to the top of the window, as a reader arriving there, and waits until
/// the contents mark it.
async fn read_section(page: &Page, id: &str) -> Result<Value> {
    page.js(&format!(
        "document.getElementById('{id}').scrollIntoView(); return 0;"
    ))
    .await?;
    page.wait_until(
        &format!(
            "document.querySelector('nav.toc a[aria-current=\"true\"]')?.getAttribute('href') === '#{id}'"
        ),
        10,
    )
    .await?;
    marked(page).await
}

#[test]
fn on_a_wide_screen_the_contents_stay_in_view_and_mark_the_section_being_read() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        // Above the first section nothing is marked, and the menu says only "Contents".
        assert_eq!(marked(&page).await?, serde_json::json!([null, null, ""]));
        // Far down, and back up: the mark follows, the menu names the section and stays at the
        // top of the window, uncovered.
        for id in [
            "optimizers",
            "transformers",
            "dropout",
            "backprop",
            "layers",
        ] {
            let m = read_section(&page, id).await?;
            let name = page
                .js(&format!(
                    "return document.querySelector('nav.toc a[href=\"#{id}\"]').textContent;"
                ))
                .await?;
            assert_eq!(
                m,
                serde_json::json!([format!("#{id}"), format!("#{id}"), name])
            );
            let place = page
                .js("const s = document.querySelector('.toc-menu summary');
                     const r = s.getBoundingClientRect();
                     const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                     return [r.top, r.bottom, window.scrollY, s.contains(hit)];")
                .await?;
            let (top, bottom, scrolled) = (
                place[0].as_f64().unwrap(),
                place[1].as_f64().unwrap(),
                place[2].as_f64().unwrap(),
            );
            assert!(
                top >= 0.0 && bottom <= 80.0 && scrolled > 2000.0 && place[3] == Value::Bool(true),
                "{id}: the menu is not in view at the top: {place}"
            );
        }
        // One click opens the whole list in the window, the section marked; an entry moves there
        // and closes the list.
        page.click(".toc-menu summary").await?;
        let list = page
            .js("const p = document.querySelector('.toc-menu-panel');
                 const r = p.getBoundingClientRect();
                 return [p.querySelectorAll('a').length, document.querySelectorAll('nav.toc a').length,
                         r.top >= 0 && r.bottom <= window.innerHeight && r.height > 200];")
            .await?;
        assert!(
            list[0].as_u64() > Some(20) && list[0] == list[1] && list[2] == Value::Bool(true),
            "the opened list: {list}"
        );
        page.click(".toc-menu-panel a[href='#gan']").await?;
        page.wait_until(
            "document.querySelector('nav.toc a[aria-current=\"true\"]')?.getAttribute('href') === '#gan' && !document.getElementById('toc-menu').open",
            10,
        )
        .await?;
        // By keyboard: Enter on the menu opens it, Escape closes it and leaves the focus on it.
        page.keys(".toc-menu summary", "\u{E007}").await?;
        page.wait_until("document.getElementById('toc-menu').open", 5)
            .await?;
        page.keys(".toc-menu-panel a[href='#costs']", "\u{E00C}")
            .await?;
        page.wait_until(
            "!document.getElementById('toc-menu').open && document.activeElement === document.querySelector('.toc-menu summary')",
            5,
        )
        .await?;
        // Mid-article, in both themes, with the list open and closed, for a person to look at.
        for theme in ["light", "dark"] {
            page.show_theme(theme).await?;
            read_section(&page, "dropout").await?;
            page.window_screenshot(&format!("contents-desktop-{theme}"))
                .await?;
            page.click(".toc-menu summary").await?;
            page.window_screenshot(&format!("contents-desktop-open-{theme}"))
                .await?;
            page.click(".toc-menu summary").await?;
        }
        page.js("localStorage.removeItem('spiega-theme'); return 0;")
            .await?;
        page.finish().await
    })
}

#[test]
fn on_a_phone_the_contents_stay_under_the_opening_and_nothing_overflows() {
    run(async {
        let page = Page::open("/", PHONE.0, PHONE.1).await?;
        page.set_viewport(PHONE.0, PHONE.1, true).await?;
        for theme in ["light", "dark"] {
            page.show_theme(theme).await?;
            page.js("window.scrollTo(0, 0); return 0;").await?;
            // No menu in the masthead: the list under the opening is the contents.
            let menu = page
                .js("return [document.getElementById('toc-menu').getClientRects().length, document.querySelector('nav.toc').getClientRects().length];")
                .await?;
            assert_eq!(menu, serde_json::json!([0, 1]), "{theme}");
            page.assert_fits(PHONE.0).await?;
            page.window_screenshot(&format!("contents-phone-top-{theme}"))
                .await?;
            let m = read_section(&page, "dropout").await?;
            assert_eq!(m[0], "#dropout");
            page.assert_fits(PHONE.0).await?;
            page.window_screenshot(&format!("contents-phone-{theme}"))
                .await?;
        }
        page.js("localStorage.removeItem('spiega-theme'); return 0;")
            .await?;
        page.finish().await
    })
}

/// Guards the guard: an error logged by the page, or a figure that shows it could not start,
/// must fail the test. One of the smoke tests run in every engine (each reads errors its own way).
#[test]
fn a_console_error_fails_the_page_check() {
    run(async {
        let page = Page::open("/", DESKTOP.0, DESKTOP.1).await?;
        page.js("console.error('planted error');
                 const p = document.createElement('p');
                 p.className = 'note figure-error';
                 p.textContent = 'planted figure failure';
                 document.querySelector('[data-figure]').prepend(p);
                 return 0;")
            .await?;
        let outcome: Result<()> = page.finish().await;
        match outcome {
            Err(e) if e.contains("planted error") && e.contains("planted figure failure") => Ok(()),
            other => Err(format!(
                "a planted console error and figure failure were not both reported: {other:?}"
            )),
        }
    })
}
