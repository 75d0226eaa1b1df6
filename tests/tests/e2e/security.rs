//! The page's security, checked in the browser: it carries a strict Content-Security-Policy, asks
//! nothing of any other origin, breaks its own policy nowhere while its figures start and one
//! trains, and never turns what a reader types into markup.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

/// Installed before the page's own scripts on every load: records policy violations, keeps every
/// resource timing entry, and records any element inserted with an event-handler attribute or of
/// a kind the page never creates itself.
const WATCH: &str = r#"
window.__violations = [];
window.__inserted = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);
});
performance.setResourceTimingBufferSize(100000);
new MutationObserver((records) => {
  for (const r of records) {
    for (const n of r.addedNodes) {
      if (n.nodeType !== 1) continue;
      const risky = ['IMG', 'SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'B'].includes(n.tagName.toUpperCase())
        || Array.from(n.attributes).some((a) => a.name.startsWith('on'));
      if (risky) window.__inserted.push(n.outerHTML.slice(0, 200));
    }
  }
}).observe(document, { childList: true, subtree: true });
"#;

/// Opens the page with [`WATCH`] installed from the first byte.
async fn open_watched() -> Result<Page> {
    let page = Page::open("/", 1280, 900).await?;
    page.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": WATCH }),
    )
    .await?;
    page.goto("/").await?;
    Ok(page)
}

async fn violations(page: &Page) -> Result<Value> {
    page.js("return window.__violations;").await
}

#[test]
fn the_page_has_a_strict_policy_and_asks_no_other_origin() {
    run(async {
        let page = open_watched().await?;
        let policy = page.policy().await?;
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "'wasm-unsafe-eval'",
            "'sha256-",
            "worker-src 'self'",
            "manifest-src 'self'",
        ] {
            assert!(policy.contains(directive), "{directive} missing: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(
            !policy.contains("'unsafe-eval'"),
            "only wasm compilation may be allowed: {policy}"
        );
        // The policy comes before every script, so it governs them all.
        let first = page
            .js("return document.head.firstElementChild.nextElementSibling.httpEquiv;")
            .await?;
        assert_eq!(first, "Content-Security-Policy");

        // One figure trains for a moment while every other one has started.
        page.js("document.querySelector('#fig-playground').scrollIntoView();")
            .await?;
        page.click("#fig-playground [data-role=play]").await?;
        page.pause_when("#fig-playground", "play", "s.step >= 50", 20)
            .await?;
        // Scroll the whole page so every figure that starts on sight does.
        page.js("window.scrollTo(0, document.body.scrollHeight);")
            .await?;
        page.wait_until("document.readyState === 'complete'", 10)
            .await?;

        let foreign = page.foreign_requests().await?;
        assert!(foreign.is_empty(), "requests to other origins: {foreign:?}");
        println!(
            "{} requests, all to {}",
            page.requests().await?.len(),
            page.base
        );

        let v = violations(&page).await?;
        assert_eq!(v, json!([]), "policy violations: {v}");
        page.finish().await
    });
}

#[test]
fn markup_typed_into_any_text_box_creates_no_element() {
    run(async {
        let page = open_watched().await?;
        let payload =
            r#"<img src=x onerror="window.__xss=1"><b id=xss>b</b><svg onload="window.__xss=2">"#;
        let rouge_before = page.state("#fig-rouge").await?;
        // Only what typing inserts counts, not the page's own start-up.
        page.js("window.__inserted = [];").await?;
        // Real typing into the boxes that take free text.
        let boxes = page
            .js("return Array.from(document.querySelectorAll('input[type=text], input:not([type]), textarea'))
                   .map((el, i) => { el.dataset.xssProbe = i; return i; });")
            .await?;
        let boxes = boxes.as_array().unwrap().len();
        assert!(boxes >= 3, "the page has free-text boxes: {boxes}");
        for i in 0..boxes {
            let selector = format!("[data-xss-probe=\"{i}\"]");
            page.js(&format!(
                "const el = document.querySelector('{selector}'); el.scrollIntoView(); el.value = '';"
            ))
            .await?;
            page.keys(&selector, payload).await?;
            page.js(&format!(
                "document.querySelector('{selector}').dispatchEvent(new Event('change', {{ bubbles: true }}));"
            ))
            .await?;
        }
        // Every other box (numbers, too) gets the text as a value, as a paste would.
        page.js(&format!(
            "for (const el of document.querySelectorAll('input:not([type=range]):not([type=checkbox]):not([type=radio]):not([type=file]):not([type=button])')) {{
               if (el.dataset.xssProbe !== undefined) continue;
               el.value = {};
               el.dispatchEvent(new Event('input', {{ bubbles: true }}));
               el.dispatchEvent(new Event('change', {{ bubbles: true }}));
             }}",
            json!(payload)
        ))
        .await?;
        // The text reached the figures (the ROUGE figure scored it) …
        let rouge_after = page.state("#fig-rouge").await?;
        assert_ne!(rouge_before, rouge_after, "the ROUGE figure read the text");
        // … and nowhere became markup.
        let found = page
            .js("return {
                   inserted: window.__inserted,
                   images: document.querySelectorAll('img[src=\"x\"], #xss, svg[onload]').length,
                   ran: window.__xss === undefined ? 0 : window.__xss };")
            .await?;
        assert_eq!(
            found,
            json!({ "inserted": [], "images": 0, "ran": 0 }),
            "typed markup became elements"
        );
        let v = violations(&page).await?;
        assert_eq!(v, json!([]), "policy violations: {v}");
        page.finish().await
    });
}
