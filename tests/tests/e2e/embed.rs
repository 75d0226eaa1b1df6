//! One figure alone for embedding: `?figure=<name>` shows that figure with its section's heading
//! and hides the rest of the article; an unknown or malformed name keeps the whole article and
//! says so, quoting the name as text.

use serde_json::json;
use spiega_e2e::{Page, Result, num, run};

/// Whether the first element matching `selector` is rendered.
async fn shown(page: &Page, selector: &str) -> Result<bool> {
    let v = page
        .js(&format!(
            "const e = document.querySelector({}); return !!e && e.getClientRects().length > 0;",
            json!(selector)
        ))
        .await?;
    Ok(v == json!(true))
}

#[test]
fn a_named_figure_is_shown_alone_and_still_works() {
    run(async {
        let page = Page::open("/?figure=dropout", 1280, 900).await?;
        assert_eq!(
            page.js("return document.documentElement.dataset.embed;")
                .await?,
            json!("dropout")
        );
        assert!(shown(&page, "figure[data-figure=dropout]").await?);
        assert!(shown(&page, "#dropout h2").await?, "its heading stays");
        // Names are read without regard to case or surrounding spaces.
        page.goto("/?figure=%20DROPOUT%20").await?;
        assert_eq!(
            page.js("return document.documentElement.dataset.embed;")
                .await?,
            json!("dropout")
        );
        assert!(!shown(&page, "#playground").await?);
        for gone in [
            ".masthead",
            "nav.toc",
            "#playground",
            "#activations",
            ".colophon",
        ] {
            assert!(!shown(&page, gone).await?, "{gone} should be hidden");
        }
        // The figure is live: it mounted, and its keys still train it and redraw its curves.
        let fig = "#fig-dropout";
        assert_eq!(
            page.js(&format!(
                "return document.querySelector('{fig}').dataset.ready;"
            ))
            .await?,
            json!("true"),
            "the embedded figure did not start"
        );
        let curves = format!("{fig} canvas[data-role=curves]");
        // Alone on the page it is on screen at once, and shows its first frames.
        page.wait_warmed_up(fig).await?;
        let before = (page.state(fig).await?, page.canvas_hash(&curves).await?);
        assert!(num(&before.0, "step") > 0.0, "{}", before.0);
        page.keys(fig, "\u{E014}").await?;
        let stepped = page.state(fig).await?;
        assert!(
            num(&stepped, "step") > num(&before.0, "step"),
            "the right arrow did not train: {stepped}"
        );
        assert_ne!(
            before.1,
            page.canvas_hash(&curves).await?,
            "the curves did not follow the step"
        );
        let page_height = page
            .js("return document.documentElement.scrollHeight;")
            .await?;
        assert!(
            page_height.as_f64().unwrap_or(1e9) < 3000.0,
            "the embedded page is {page_height} px tall"
        );
        page.finish().await
    })
}

#[test]
fn an_unknown_or_malformed_name_keeps_the_article_and_says_so() {
    run(async {
        let page = Page::open("/?figure=no-such-figure", 1280, 900).await?;
        assert!(shown(&page, "#playground").await?);
        let notice = page.text("#notice").await?;
        assert!(notice.contains("no-such-figure"), "{notice}");
        // Unknown and malformed names get the same wording.
        assert!(notice.starts_with("There is no figure named"), "{notice}");

        // An empty name is said to be missing, not quoted as “”.
        page.goto("/?figure=").await?;
        let notice = page.text("#notice").await?;
        assert!(notice.contains("names none"), "{notice}");
        assert!(!notice.contains("“”"), "{notice}");
        assert!(shown(&page, "#playground").await?);

        page.goto("/?figure=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
            .await?;
        let notice = page.text("#notice").await?;
        assert!(notice.contains("<img src=x onerror=alert(1)>"), "{notice}");
        assert!(notice.starts_with("There is no figure named"), "{notice}");
        let images = page
            .js("return document.querySelectorAll('#notice *').length;")
            .await?;
        assert_eq!(images, json!(0), "the name must stay text");
        assert!(shown(&page, "#playground").await?);
        page.finish().await
    })
}
