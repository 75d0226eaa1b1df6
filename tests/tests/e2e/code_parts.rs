//! The page's WebAssembly comes in two parts (ARCHITECTURE.md, "The page's code comes in two
//! parts"): the first starts the page and its first section, the playground; the rest, a file
//! of its own, is fetched once the first figure is drawn, and every later figure mounts from it.
//! A link into a later section waits for the rest, then starts that section's figure; a page
//! served without the rest still runs the playground, and every later figure says in its place
//! why it did not start.

use serde_json::Value;
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

/// Every figure of the page: `[id, ready, the error it shows]`.
const FIGURES: &str = "return [...document.querySelectorAll('[data-figure]')].map((f) => [f.id,
    f.dataset.ready === 'true', f.querySelector('.figure-error')?.textContent ?? '',
    f.getAttribute('aria-busy')]);";

/// The figures as `(id, ready, error text, aria-busy)`.
async fn figures(page: &Page) -> Result<Vec<(String, bool, String, Value)>> {
    let found = page.js(FIGURES).await?;
    let found: Vec<_> = found
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            (
                f[0].as_str().unwrap_or("").to_owned(),
                f[1] == true,
                f[2].as_str().unwrap_or("").to_owned(),
                f[3].clone(),
            )
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
        let rest_start = starts[0].as_f64().unwrap_or(f64::NAN);
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
        for (id, ready, said, busy) in figures(&page).await? {
            assert!(
                ready && said.is_empty() && busy.is_null(),
                "{id}: ready {ready}, says {said:?}, aria-busy {busy}"
            );
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
                           .filter((e) => e.name.includes('spiega-web-rest-')).length];",
            )
            .await?;
        assert_eq!(state[0], true, "the GAN figure started: {state}");
        assert_eq!(state[1], true, "the link shows the GAN figure: {state}");
        assert_eq!(state[2], 1, "the rest was fetched once: {state}");
        page.finish().await
    });
}

#[test]
fn without_the_rest_of_the_code_the_playground_runs_and_later_figures_say_why() {
    run(async {
        let copy = copy_of_build_without("no-rest", "spiega-web-rest-", ".wasm")?;
        let page = Page::open_in(&copy.0, "/", 1280, 900).await?;
        for (id, ready, said, busy) in figures(&page).await? {
            assert!(busy.is_null(), "{id} still shows as busy");
            if id == "fig-playground" {
                assert!(
                    ready && said.is_empty(),
                    "the playground: ready {ready}, says {said:?}"
                );
            } else {
                assert!(!ready, "{id} started without its code");
                assert!(
                    said.contains("the rest of the page's code could not be loaded")
                        && said.contains("404"),
                    "{id} says: {said:?}"
                );
            }
        }
        // The playground still trains.
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

/// JavaScript: each figure's `[id, aria-busy, what its first chart frame shows over itself]`.
const LOADING: &str = "return [...document.querySelectorAll('[data-figure]')].map((f) => {
    const frame = f.querySelector('.chart-frame');
    return [f.id, f.getAttribute('aria-busy'),
            frame ? getComputedStyle(frame, '::after').content : null]; });";

/// JavaScript: where the GAN figure's top is in the window, px.
const GAN_TOP: &str = "return document.querySelector('#fig-gan').getBoundingClientRect().top;";

#[test]
fn while_the_rest_is_on_its_way_later_figures_say_loading_and_the_view_stays() {
    run(async {
        let page = Page::open_holding("spiega-web-rest-", "/", 1280, 900).await?;
        let waiting = page.js(LOADING).await?;
        let waiting = waiting.as_array().cloned().unwrap_or_default();
        assert!(waiting.len() > 20, "{waiting:?}");
        let mut loading = 0;
        for f in &waiting {
            let id = f[0].as_str().unwrap_or("");
            if id == "fig-playground" {
                assert!(f[1].is_null(), "the playground waits: {f}");
            } else {
                assert_eq!(f[1], "true", "{id} is not marked busy: {f}");
                if !f[2].is_null() {
                    assert_eq!(f[2], "\"Loading…\"", "{id} shows {f}");
                    loading += 1;
                }
            }
        }
        assert!(loading > 10, "only {loading} figures say they are loading");
        // A reader who has scrolled to the GAN while the rest is on its way.
        page.js("document.querySelector('#fig-gan').scrollIntoView({ block: 'start' }); return 0;")
            .await?;
        page.screenshot("code-parts-loading").await?;
        let before = page.js(GAN_TOP).await?.as_f64().unwrap_or(f64::NAN);
        page.release().await?;
        let started = page.js(LOADING).await?;
        for f in started.as_array().cloned().unwrap_or_default() {
            assert!(f[1].is_null(), "{} is still busy: {f}", f[0]);
            assert!(
                f[2].is_null() || f[2] == "none",
                "{} still says it is loading: {f}",
                f[0]
            );
        }
        let after = page.js(GAN_TOP).await?.as_f64().unwrap_or(f64::NAN);
        assert!(
            (after - before).abs() < 2.0,
            "the figure in view moved from {before} to {after} px as the figures above it started"
        );
        page.finish().await
    });
}
