//! `cargo xtask pictures`: makes README's pictures from the release build, so they can be
//! refreshed with one command and always show the page as a reader meets it.
//!
//! Each picture opens the page at a link, trains where the picture needs it, and saves one
//! element as a PNG under `docs/`. A picture is refused, and nothing is written, if the page
//! shows any notice or message (a link it could not use, a diverged run): the front page of the
//! project must not show an error.

use crate::page_speed;
use spiega_e2e::{Page, err};
use std::path::Path;

/// One picture: the link it opens, the updates the playground trains first, the element it
/// saves, and the file under `docs/`.
struct Picture {
    link: &'static str,
    train_playground: u64,
    element: &'static str,
    file: &'static str,
}

/// README's pictures, in the order README shows them.
const PICTURES: [Picture; 2] = [
    Picture {
        link: "/#dataset=spiral&noise=10&networkShape=8,8,6&activation=tanh&learningRate=0.03&xSquared=true&ySquared=true&sinX=true&sinY=true",
        train_playground: 2000,
        element: "#fig-playground",
        file: "screenshot-playground.png",
    },
    Picture {
        link: "/#activations",
        train_playground: 0,
        element: "#activations",
        file: "screenshot-desktop.png",
    },
];

/// Builds the page, then makes every picture.
pub fn main(root: &Path) -> Result<bool, String> {
    crate::setup::all(root)?;
    let dist = page_speed::build(root)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    for picture in &PICTURES {
        rt.block_on(take(root, &dist, picture))?;
    }
    Ok(true)
}

/// Opens the page for `picture`, checks that no notice is shown, and saves the element.
async fn take(root: &Path, dist: &Path, picture: &Picture) -> Result<(), String> {
    let page = Page::open_in(dist, picture.link, 1280, 900).await?;
    if picture.train_playground > 0 {
        page.set_control("#fig-playground", "speed", "25").await?;
        page.click_role("#fig-playground", "play").await?;
        page.train_to("#fig-playground", picture.train_playground)
            .await?;
    }
    // The page's notice (a link it could not use) and the figure's own message (a run that
    // diverged, a setting refused).
    let notices = format!("#notice, {} [data-role=message]", picture.element);
    let shown = page
        .js(&format!(
            "return [...document.querySelectorAll({})]
                .filter(e => !e.hidden && e.getClientRects().length > 0 && e.textContent.trim())
                .map(e => e.textContent.trim());",
            serde_json::json!(notices)
        ))
        .await?;
    let shown = shown.as_array().cloned().unwrap_or_default();
    if !shown.is_empty() {
        return Err(format!(
            "{} was not saved: the page shows {shown:?}",
            picture.file
        ));
    }
    page.js(&format!(
        "document.querySelector({}).scrollIntoView({{ block: 'start' }}); return 0;",
        serde_json::json!(picture.element)
    ))
    .await?;
    let made = page.element_screenshot(picture.element, "readme").await?;
    let target = root.join("docs").join(picture.file);
    std::fs::copy(&made, &target).map_err(err)?;
    println!("spiega pictures: wrote {}", target.display());
    page.finish().await
}
