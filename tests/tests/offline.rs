//! The page offline: after one visit its service worker has the whole build, so with the server
//! gone the page reloads, its figures start and train, and it still keeps its strict policy and
//! asks nothing of another origin.

use spiega_e2e::{Page, run};

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
        page.wait_state("#fig-playground", &format!("s.step >= {} + 30", before), 10)
            .await?;
        page.click_role("#fig-playground", "play").await?;
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
