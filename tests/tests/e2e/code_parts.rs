//! The page's WebAssembly comes in two parts (ARCHITECTURE.md, "The page's code comes in two
//! parts"): the first starts the page and its first section, the playground; the rest, a file
//! of its own, is fetched once the first figure is drawn, and every later figure mounts from it.
//! A link into a later section waits for the rest, then starts that section's figure; a page
//! served without the rest still runs the playground, and every later figure says in its place
//! why it did not start. A reader skimming from top to bottom while the rest is on its way never
//! meets a figure that is neither drawn nor saying "Loading…", and nothing changes height as
//! figures start.

use spiega_e2e::{Page, Result, copy_of_build_without, run};

/// JavaScript: `[first chart mark's time, [start of each request for the rest], its bytes as
/// sent, the first part's bytes as sent]`.
const TIMELINE: &str = "
    const mark = performance.getEntriesByName('spiega:first-chart')[0];
    const resources = performance.getEntriesByType('resource');
    const rest = resources.filter((r) => r.name.includes('spiega-web-rest-'));
    const first = resources.filter((r) => /spiega-web-[0-9a-f]+_bg\\.wasm$/.test(r.name));
    return [mark ? mark.startTime : null, rest.map((r) => r.startTime),
            rest.map((r) => r.encodedBodySize), first.map((r) => r.encodedBodySize)];";

/// Every figure of the page: `[id, ready, the error it shows, aria-busy, what its first chart
/// frame shows over itself]`.
const FIGURES: &str = "return [...document.querySelectorAll('[data-figure]')].map((f) => {
    const frame = f.querySelector('.chart-frame');
    return [f.id, f.dataset.ready === 'true', f.querySelector('.figure-error')?.textContent ?? '',
            f.getAttribute('aria-busy'), frame ? getComputedStyle(frame, '::after').content : null];
    });";

/// One figure as the page shows it.
#[derive(Debug)]
struct Shown {
    id: String,
    ready: bool,
    /// The error written in its place, or empty.
    said: String,
    /// Its `aria-busy`.
    busy: Option<String>,
    /// What its first chart frame shows over itself (`none`, or the quoted text), when it has one.
    label: Option<String>,
}

/// Every figure of the page as it is shown now.
async fn figures(page: &Page) -> Result<Vec<Shown>> {
    let found = page.js(FIGURES).await?;
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let found: Vec<Shown> = found
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| Shown {
            id: text(&f[0]).unwrap_or_default(),
            ready: f[1] == true,
            said: text(&f[2]).unwrap_or_default(),
            busy: text(&f[3]),
            label: text(&f[4]),
        })
        .collect();
    assert!(found.len() > 20, "the page lists its figures: {found:?}");
    Ok(found)
}

#[test]
fn the_first_figure_is_drawn_before_the_rest_of_the_code_is_requested() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let timeline = page.js(TIMELINE).await?;
        let first_chart = timeline[0]
            .as_f64()
            .ok_or_else(|| format!("no first-chart mark: {timeline}"))?;
        let starts = timeline[1].as_array().cloned().unwrap_or_default();
        assert_eq!(starts.len(), 1, "the rest is requested once: {timeline}");
        let rest_start = starts[0]
            .as_f64()
            .ok_or_else(|| format!("no start for the rest: {timeline}"))?;
        assert!(
            rest_start >= first_chart,
            "the rest was requested at {rest_start} ms, before the first chart at {first_chart} ms"
        );
        // Both parts hold code: the first is not the whole module with an empty rest beside it.
        let (rest, first) = (timeline[2][0].as_f64(), timeline[3][0].as_f64());
        let (Some(rest), Some(first)) = (rest, first) else {
            return Err(format!("no sizes: {timeline}"));
        };
        assert!(
            rest > 0.2 * (rest + first) && first > 0.2 * (rest + first),
            "first part {first} B, rest {rest} B"
        );
        for f in figures(&page).await? {
            assert!(f.ready && f.said.is_empty() && f.busy.is_none(), "{f:?}");
        }
        page.finish().await
    });
}

#[test]
fn a_link_into_the_last_section_starts_its_figure_from_the_rest() {
    run(async {
        let page = Page::open("/#gan", 1280, 900).await?;
        let state = page
            .js(
                "const f = document.querySelector('#fig-gan'); const r = f.getBoundingClientRect();
                 return [f.dataset.ready === 'true', r.top < innerHeight && r.bottom > 0,
                         performance.getEntriesByType('resource')
                           .filter((e) => e.name.includes('spiega-web-rest-'))
                           .map((e) => e.initiatorType)];",
            )
            .await?;
        assert_eq!(state[0], true, "the GAN figure started: {state}");
        assert_eq!(state[1], true, "the link shows the GAN figure: {state}");
        // Once, and by the page waiting for it, not by a call that could not wait (which
        // loads it synchronously, holding the page still).
        assert_eq!(
            state[2],
            serde_json::json!(["fetch"]),
            "the rest was fetched once: {state}"
        );
        page.finish().await
    });
}

#[test]
fn without_the_rest_of_the_code_the_playground_runs_and_later_figures_say_why() {
    run(async {
        let copy = copy_of_build_without("no-rest", "spiega-web-rest-", ".wasm")?;
        let page = Page::open_in(&copy.0, "/", 1280, 900).await?;
        for f in figures(&page).await? {
            assert!(f.busy.is_none(), "{f:?} still shows as busy");
            if f.id == "fig-playground" {
                assert!(f.ready && f.said.is_empty(), "the playground: {f:?}");
            } else {
                assert!(!f.ready, "{f:?} started without its code");
                assert!(
                    f.said
                        .contains("the rest of the page's code could not be loaded")
                        && f.said.contains("404"),
                    "{f:?}"
                );
            }
        }
        // "Export model" needs the rest (the scripts are written there): it says why it
        // cannot save, and the playground, which it borrowed, still trains.
        page.click("#fig-playground button[data-export=model]")
            .await?;
        let said = "document.querySelector('#fig-playground .model-status').textContent";
        if let Err(e) = page
            .wait_until(
                &format!(
                    "{said} === 'Could not save: the rest of the page\\'s code could not be loaded (HTTP 404); reloading the page may help.'"
                ),
                10,
            )
            .await
        {
            return Err(format!(
                "{e}; it says {:?}",
                page.text("#fig-playground .model-status").await?
            ));
        }
        page.click_role("#fig-playground", "epoch").await?;
        page.click_role("#fig-playground", "epoch").await?;
        page.wait_state("#fig-playground", "s.epoch >= 2", 10)
            .await?;
        match page.finish().await {
            Err(e) if e.contains("could not be loaded") => Ok(()),
            other => Err(format!("the failed download was not reported: {other:?}")),
        }
    });
}

/// JavaScript: where the GAN figure's top is in the window, px.
const GAN_TOP: &str = "return document.querySelector('#fig-gan').getBoundingClientRect().top;";

#[test]
fn while_the_rest_is_on_its_way_later_figures_say_loading_and_the_view_stays() {
    run(async {
        let page = Page::open_holding("spiega-web-rest-", "/", 1280, 900).await?;
        let mut loading = 0;
        for f in figures(&page).await? {
            if f.id == "fig-playground" {
                assert!(f.ready && f.busy.is_none(), "the playground waits: {f:?}");
            } else {
                assert_eq!(f.busy.as_deref(), Some("true"), "not marked busy: {f:?}");
                if let Some(label) = &f.label {
                    assert_eq!(label, "\"Loading…\"", "{f:?}");
                    loading += 1;
                }
            }
        }
        assert!(loading > 10, "only {loading} figures say they are loading");
        // A reader who has scrolled to the GAN while the rest is on its way.
        page.js("document.querySelector('#fig-gan').scrollIntoView({ block: 'start' }); return 0;")
            .await?;
        page.window_screenshot("code-parts-loading").await?;
        let gan_top = async || -> Result<f64> {
            let top = page.js(GAN_TOP).await?;
            top.as_f64()
                .ok_or_else(|| format!("no top for the GAN figure: {top}"))
        };
        let before = gan_top().await?;
        page.release().await?;
        for f in figures(&page).await? {
            assert!(f.ready && f.busy.is_none(), "not started: {f:?}");
            assert!(
                f.label.as_deref().is_none_or(|l| l == "none"),
                "still says it is loading: {f:?}"
            );
        }
        let after = gan_top().await?;
        assert!(
            (after - before).abs() < 2.0,
            "the figure in view moved from {before} to {after} px as the figures above it started"
        );
        page.finish().await
    });
}

/// JavaScript: every figure's and figure part's (the gradient check's) `[id, height in px]`.
const HEIGHTS: &str = "return [...document.querySelectorAll('[data-figure], [data-figure-part]')]
    .map((f) => [f.id, f.getBoundingClientRect().height]);";

/// Answers the requests `page` held back, waits until every figure has started, and fails
/// (saying, at `width` px, which figures moved `when` it happened) if any figure's height differs
/// from `before` (each `[id, height]` as [`HEIGHTS`] gives them) or was under 100 px before
/// (collapsed while it waited).
async fn release_and_check_heights(
    page: Page,
    before: serde_json::Value,
    width: u32,
    when: &str,
) -> Result<()> {
    page.release().await?;
    let after = page.js(HEIGHTS).await?;
    let (Some(before), Some(after)) = (before.as_array(), after.as_array()) else {
        return Err(format!("no heights: {before} / {after}"));
    };
    assert!(
        before.len() > 20 && before.len() == after.len(),
        "{before:?} / {after:?}"
    );
    let moved: Vec<String> = before
        .iter()
        .zip(after)
        .filter_map(|(b, a)| match (b[1].as_f64(), a[1].as_f64()) {
            (Some(h0), Some(h1)) if h0 >= 100.0 && (h1 - h0).abs() < 2.0 => None,
            _ => Some(format!("{}: {} → {} px", b[0], b[1], a[1])),
        })
        .collect();
    assert!(
        moved.is_empty(),
        "at {width} px, these figures changed height {when}: {moved:?}"
    );
    page.finish().await
}

#[test]
fn a_later_figure_keeps_its_height_when_it_starts() {
    for width in [1280, 390] {
        run(async {
            let page = Page::open_holding("spiega-web-rest-", "/", width, 900).await?;
            let waiting = page.js(HEIGHTS).await?;
            release_and_check_heights(page, waiting, width, "as they started").await
        });
    }
}

#[test]
fn no_figure_moves_when_the_page_s_code_arrives() {
    // The first part's file (`spiega-web-<hash>_bg.wasm`), held back: the reader has the
    // markup and nothing of the page's code has run.
    let first = std::fs::read_dir(spiega_e2e::dist())
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with("spiega-web-") && n.ends_with("_bg.wasm"))
                .ok_or_else(|| "no first part in the build".to_owned())
        });
    for width in [1280, 390] {
        run(async {
            let first = first.clone()?;
            let page = Page::open_holding_until(
                &first,
                "/",
                width,
                900,
                "document.readyState === 'complete'",
            )
            .await?;
            let markup = page.js(HEIGHTS).await?;
            let started = page
                .js("return document.querySelector('[data-ready]') === null")
                .await?;
            assert_eq!(started, true, "a figure started without the page's code");
            release_and_check_heights(page, markup, width, "once the page's code came").await
        });
    }
}

/// JavaScript: starts a reader scrolling from the top of the page to its bottom at `pxPerSecond`
/// (one step per frame, in the page, so the test's own pace cannot skip a frame) and looks, at
/// every frame, at each figure (and figure part, such as the step-through's gradient check) in
/// the window. `window.__scrolled` gathers those seen waiting (`loading`: marked busy, every
/// canvas of theirs in the window in a chart frame, and every chart or result table of theirs
/// in the window saying "Loading…") and those seen started
/// (`ready`); every sighting of one that was neither (`empty`: nothing drawn and nothing said);
/// and each started figure whose canvases in the window were blank the first time it was seen
/// started (`blank`). It is `done` at the bottom.
const READER: &str = "
    const pxPerSecond = arguments[0];
    const seen = { loading: new Set(), ready: new Set(), empty: [], blank: [], done: false, y: 0 };
    window.__scrolled = seen;
    const inWindow = (e) => {
        const r = e.getBoundingClientRect();
        return e.offsetParent !== null && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
    };
    const blankCanvases = (figure) => [...figure.querySelectorAll('canvas')].filter((c) => {
        if (!inWindow(c) || c.width === 0) return false;
        const d = new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
        return d.every((p) => p === d[0]);
    }).map((c) => c.dataset.role || 'canvas');
    const says = (frame) => getComputedStyle(frame, '::after').content;
    const waiting = (f) => {
        if (f.getAttribute('aria-busy') !== 'true') return 'not marked busy';
        const frames = [...f.querySelectorAll('.chart-frame')].filter(inWindow);
        const bare = [...f.querySelectorAll('canvas')].filter((c) => inWindow(c) && !c.closest('.chart-frame'));
        if (bare.length) return 'a canvas outside any chart frame: ' + bare.map((c) => c.dataset.role).join(', ');
        if (!f.querySelector('.chart-frame')) return 'no chart or table of it can say it is loading';
        const silent = frames.filter((fr) => says(fr) !== '\"Loading…\"');
        return silent.length ? 'a frame says ' + says(silent[0]) : null;
    };
    const look = () => {
        for (const f of document.querySelectorAll('[data-figure], [data-figure-part]')) {
            if (!inWindow(f)) continue;
            const owner = f.dataset.figure ? f
                : document.querySelector('[data-figure=\"' + f.dataset.figurePart + '\"]');
            const id = f.id || f.dataset.figurePart;
            if (owner && owner.dataset.ready === 'true') {
                if (!seen.ready.has(id)) {
                    seen.ready.add(id);
                    const blank = blankCanvases(f);
                    if (blank.length) seen.blank.push(id + ': ' + blank.join(', '));
                }
                continue;
            }
            const why = waiting(f);
            if (why === null) {
                seen.loading.add(id);
            } else if (seen.empty.length < 20) {
                seen.empty.push(id + ' at ' + Math.round(scrollY) + ' px: ' + why);
            }
        }
    };
    window.scrollTo(0, 0);
    let last = performance.now();
    const step = (now) => {
        look();
        const bottom = document.documentElement.scrollHeight - innerHeight;
        if (scrollY >= bottom - 1) {
            seen.done = true;
            seen.loading = [...seen.loading];
            seen.ready = [...seen.ready];
            return;
        }
        window.scrollBy(0, Math.max(1, pxPerSecond * (now - last) / 1000));
        last = now;
        seen.y = scrollY / bottom;
        requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
    return 0;";

#[test]
fn scrolling_from_top_to_bottom_never_shows_an_empty_figure() {
    // A reader takes most of a minute to read a window of prose; this one skims two window
    // heights a second, and the rest of the code is held back until they are a fifth of the
    // way down, as on a slow network, so they meet later figures both waiting and starting.
    for (width, height) in [(1280, 900), (390, 844)] {
        run(async {
            let page = Page::open_holding("spiega-web-rest-", "/", width, height).await?;
            page.js(&READER.replace("arguments[0]", &(2 * height).to_string()))
                .await?;
            page.wait_until("window.__scrolled.y > 0.2", 120).await?;
            page.release().await?;
            page.wait_until("window.__scrolled.done", 180).await?;
            let seen = page.js("return window.__scrolled;").await?;
            assert_eq!(
                seen["empty"],
                serde_json::json!([]),
                "at {width} px, figures in the window that were neither drawn nor said they were loading"
            );
            assert_eq!(
                seen["blank"],
                serde_json::json!([]),
                "at {width} px, started figures whose charts in the window were blank"
            );
            let heights = page.js(HEIGHTS).await?;
            let figures: Vec<&str> = heights
                .as_array()
                .map(|all| all.iter().filter_map(|f| f[0].as_str()).collect())
                .unwrap_or_default();
            assert!(figures.len() > 20, "the page lists {figures:?}");
            let met = |key: &str| -> Vec<String> {
                serde_json::from_value(seen[key].clone()).unwrap_or_default()
            };
            let (loading, ready) = (met("loading"), met("ready"));
            let unseen: Vec<&str> = figures
                .into_iter()
                .filter(|f| !loading.iter().chain(&ready).any(|m| m == f))
                .collect();
            assert!(
                unseen.is_empty(),
                "at {width} px, the reader never saw {unseen:?}"
            );
            // The reader met both sides of the rest's arrival: figures waiting, and figures
            // started (those they reached after it).
            assert!(
                loading.len() >= 3 && ready.len() >= 10,
                "at {width} px, too few figures seen waiting or started to tell: {seen}"
            );
            println!(
                "at {width} px: {} figures seen loading, {} seen started",
                loading.len(),
                ready.len()
            );
            page.finish().await
        });
    }
}
