//! The page offline: after one visit its service worker has the whole build, so with the server
//! gone the page reloads, its figures start and train, and it still keeps its strict policy and
//! asks nothing of another origin; a new deployment replaces that copy whole.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, copy_of_build, err, run};

#[test]
fn after_one_visit_the_page_reloads_and_trains_with_the_network_gone() {
    run(async {
        let mut page = Page::open("/", 1280, 900).await?;
        // The worker registers once the page has started, caches the build, then controls it.
        page.wait_until("navigator.serviceWorker.controller !== null", 15)
            .await?;

        page.stop_serving();
        // The server is really gone: its port refuses connections.
        let host = page.base.trim_start_matches("http://");
        let host = host.split('/').next().unwrap_or(host);
        assert!(
            std::net::TcpStream::connect(host).is_err(),
            "the server at {host} still answers"
        );

        page.js("performance.setResourceTimingBufferSize(100000);")
            .await?;
        page.goto("/").await?;
        let unready = page
            .js("return [...document.querySelectorAll('[data-figure]')]
                   .filter((f) => f.dataset.ready !== 'true').map((f) => f.id);")
            .await?;
        assert_eq!(unready, serde_json::json!([]), "figures that did not start");

        // The playground trains.
        page.js("document.querySelector('#fig-playground').scrollIntoView();")
            .await?;
        let before = spiega_e2e::num(&page.state("#fig-playground").await?, "step");
        page.click_role("#fig-playground", "play").await?;
        page.pause_when(
            "#fig-playground",
            "play",
            &format!("s.step >= {} + 30", before),
            10,
        )
        .await?;
        // A figure at the end of the article draws.
        page.js("document.querySelector('#fig-transformer').scrollIntoView();")
            .await?;
        let drawn = page.assert_drawn("#fig-transformer").await?;
        assert!(drawn > 0, "the last section's figure shows a chart");

        let policy = page.policy().await?;
        assert!(policy.contains("default-src 'self'"), "{policy}");
        assert!(
            !policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"),
            "{policy}"
        );
        let foreign = page.foreign_requests().await?;
        assert!(foreign.is_empty(), "requests to other origins: {foreign:?}");
        page.finish().await
    });
}

/// The names of the page's caches and how many files each holds.
async fn caches(page: &Page) -> Result<Value> {
    page.client
        .execute_async(
            "const done = arguments[0];
             caches.keys()
               .then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys())
                 .then((files) => [n, files.length]))))
               .then(done, (e) => done(String(e)));",
            vec![],
        )
        .await
        .map_err(err)
}

#[test]
fn a_new_deployment_replaces_the_offline_copy_once_the_old_page_is_closed() {
    run(async {
        // A copy of the build, deployed again below.
        let copy = copy_of_build("deploy")?;
        let site = copy.0.clone();
        let page = Page::open_in(&site, "/", 1280, 900).await?;
        page.wait_until("navigator.serviceWorker.controller !== null", 15)
            .await?;
        let first = caches(&page).await?;
        let old = first[0][0].as_str().unwrap_or_default().to_owned();
        let files = first[0][1].as_u64().unwrap_or(0);
        assert!(
            first.as_array().map(Vec::len) == Some(1) && old.starts_with("spiega-") && files >= 8,
            "one cache with the whole build: {first}"
        );

        // A new deployment: a new worker (its version differs), found by the page's update check.
        let worker = site.join("sw.js");
        let text = std::fs::read_to_string(&worker).map_err(err)?;
        let version = old.trim_start_matches("spiega-");
        let line = format!("const VERSION = \"{version}\";");
        assert!(text.contains(&line), "the built worker names its version");
        std::fs::write(&worker, text.replace(&line, "const VERSION = \"next\";")).map_err(err)?;
        page.js("navigator.serviceWorker.getRegistration().then((r) => r.update())
                   .then(() => navigator.serviceWorker.getRegistration()).then((r) => { window.__registration = r; });")
            .await?;
        page.wait_until(
            "window.__registration && window.__registration.waiting !== null",
            15,
        )
        .await?;
        // While the old page is open, its copy stays whole beside the new one.
        let both = caches(&page).await?;
        assert_eq!(
            both,
            json!([[old, files], ["spiega-next", files]]),
            "both copies while the old page is open"
        );

        // Once no tab shows the old page, the new worker takes over and the old copy is gone.
        // The browser promotes the waiting worker some moments after the last old page unloads;
        // a page opened before that is still the old worker's, which keeps the new one waiting,
        // so the page is left and reopened until the new worker has taken over (a few tries).
        let mut after = Value::Null;
        for _ in 0..5 {
            page.client.goto("about:blank").await.map_err(err)?;
            page.goto("/").await?;
            page.wait_until(
                "navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'",
                15,
            )
            .await?;
            after = caches(&page).await?;
            if after == json!([["spiega-next", files]]) {
                break;
            }
        }
        assert_eq!(after, json!([["spiega-next", files]]), "only the new copy");
        page.finish().await
    });
}
