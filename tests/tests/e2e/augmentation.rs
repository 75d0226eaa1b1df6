//! The data-augmentation section, driven like a reader: the same network trained on 30 digits
//! without and with augmentation (both curves move, augmentation ends ahead on the validation
//! digits as the prose says), and the sliders, the "new random draw" button and the keys change
//! what the previews and the comparison show.

use spiega_e2e::{Page, Result, num, run, runs};

const FIG: &str = "#fig-augmentation";

/// Scrolls `selector` into view and takes a screenshot of it in the light and the dark theme.
async fn shots(page: &Page, selector: &str, name: &str) -> Result<()> {
    let scroll = format!("document.querySelector('{selector}').scrollIntoView();");
    page.js(&scroll).await?;
    page.element_screenshot(selector, name).await?;
    page.click("#theme-toggle").await?;
    page.js(&scroll).await?;
    page.element_screenshot(selector, &format!("{name}-dark"))
        .await?;
    page.click("#theme-toggle").await?;
    Ok(())
}

/// A preview canvas of the figure (`original` or `augmented`, digit `i`).
fn preview(kind: &str, i: usize) -> String {
    format!("{FIG} canvas[data-role={kind}-{i}]")
}

#[test]
fn augmentation_beats_none_on_the_validation_digits() {
    run(async {
        let page = Page::open("/#augmentation", 1280, 900).await?;
        // Opened at its anchor, the figure is on screen at once and shows its first frames.
        page.wait_warmed_up(FIG).await?;
        let seen = page.state(FIG).await?;
        assert!(num(&seen, "step") > 0.0, "{seen}");
        assert_eq!(seen["playing"], false, "{seen}");
        // Reset returns to the untrained networks.
        page.click(&format!("{FIG} button[data-role=reset]"))
            .await?;
        let start = page.state(FIG).await?;
        assert_eq!(num(&start, "step"), 0.0, "{start}");
        assert_eq!(num(&start, "trainDigits"), 30.0, "{start}");
        assert_eq!(num(&start, "validationDigits"), 1000.0, "{start}");
        let first = runs(&start);
        assert_eq!(first.len(), 2, "{start}");
        assert_eq!(first[0]["augmented"], false);
        assert_eq!(first[1]["augmented"], true);
        // Same data, same initial weights: the untrained networks score alike.
        assert_eq!(
            num(&first[0], "validationAccuracy"),
            num(&first[1], "validationAccuracy"),
            "{start}"
        );
        let curves = format!("{FIG} canvas[data-role=curves]");
        let before = page.canvas_hash(&curves).await?;
        page.click(&format!("{FIG} button[data-role=play]")).await?;
        let t0 = std::time::Instant::now();
        let limit = num(&start, "limit");
        page.wait_until(
            &format!(
                "(() => {{ const s = JSON.parse(document.querySelector('{FIG}').dataset.state);
                   return s.step >= {limit} && !s.playing; }})()"
            ),
            60,
        )
        .await?;
        let end = page.state(FIG).await?;
        println!(
            "augmentation comparison: {} updates in {:.1} s",
            num(&end, "step"),
            t0.elapsed().as_secs_f64()
        );
        let last = runs(&end);
        // Every curve moved.
        for (a, b) in first.iter().zip(&last) {
            assert!(num(b, "points") > 2.0, "{b}");
            assert_ne!(num(a, "trainAccuracy"), num(b, "trainAccuracy"), "{b}");
            assert_ne!(
                num(a, "validationAccuracy"),
                num(b, "validationAccuracy"),
                "{b}"
            );
        }
        // As the prose says: without augmentation every training digit is learned, and the
        // augmented run ends several points ahead on the validation digits.
        assert_eq!(num(&last[0], "trainAccuracy"), 1.0, "{end}");
        let gain = num(&last[1], "validationAccuracy") - num(&last[0], "validationAccuracy");
        assert!(gain > 0.03, "augmentation gained only {gain}: {end}");
        // The table and the readout show the state's numbers.
        let pct = |v: f64| format!("{:.1}%", 100.0 * v);
        let row = page
            .text(&format!("{FIG} [data-role=scores] tr:nth-child(2)"))
            .await?;
        let shown = pct(num(&last[1], "validationAccuracy"));
        assert!(row.contains(&shown), "{row} lacks {shown}");
        let readout = page.text(&format!("{FIG} [data-role=readout]")).await?;
        let plain = pct(num(&last[0], "validationAccuracy"));
        assert!(
            readout.contains(&plain) && readout.contains(&shown) && readout.contains("gain"),
            "{readout}"
        );
        assert_ne!(
            before,
            page.canvas_hash(&curves).await?,
            "the curves did not change"
        );
        shots(&page, "#augmentation", "augmentation-desktop").await?;
        page.finish().await
    })
}

#[test]
fn augmentation_controls_and_keys_change_what_is_shown() {
    run(async {
        let page = Page::open("/#augmentation", 390, 844).await?;
        page.set_viewport(390, 844, true).await?;
        page.js(&format!(
            "document.querySelector('{FIG}').scrollIntoView();"
        ))
        .await?;
        let start = page.state(FIG).await?;
        let original = page.canvas_hash(&preview("original", 0)).await?;
        let augmented = page.canvas_hash(&preview("augmented", 0)).await?;
        assert_ne!(
            original, augmented,
            "the augmented digit looks like the original"
        );
        let params = page.text(&format!("{FIG} [data-role=params-0]")).await?;
        assert!(params.contains('°'), "{params}");
        // Moving the rotation slider changes the augmented pixels, not the originals, and the
        // range the state reports.
        page.set_slider(&format!("{FIG} input[data-role=rotation]"), 40.0)
            .await?;
        let s = page.state(FIG).await?;
        assert_eq!(num(&s["ranges"], "rotation"), 40.0, "{s}");
        assert_eq!(
            page.text(&format!("{FIG} output[data-role=rotation-value]"))
                .await?,
            "±40°"
        );
        assert_eq!(page.canvas_hash(&preview("original", 0)).await?, original);
        let rotated = page.canvas_hash(&preview("augmented", 0)).await?;
        assert_ne!(rotated, augmented, "the rotation slider changed nothing");
        assert_ne!(s["transforms"], start["transforms"], "{s}");
        // A new random draw shows other augmentations.
        page.click(&format!("{FIG} button[data-role=redraw]"))
            .await?;
        let s = page.state(FIG).await?;
        assert_eq!(num(&s, "draw"), num(&start, "draw") + 1.0, "{s}");
        assert_ne!(page.canvas_hash(&preview("augmented", 0)).await?, rotated);
        // With every slider at zero the augmented digits are the originals.
        for role in ["rotation", "shift", "zoom", "blur", "noise"] {
            page.set_slider(&format!("{FIG} input[data-role={role}]"), 0.0)
                .await?;
        }
        for i in 0..6 {
            assert_eq!(
                page.canvas_hash(&preview("original", i)).await?,
                page.canvas_hash(&preview("augmented", i)).await?,
                "digit {i} changed without augmentation"
            );
        }
        // Back to the settings the page opens with, for the pictures.
        for (role, value) in [
            ("rotation", 12.0),
            ("shift", 0.6),
            ("zoom", 10.0),
            ("blur", 0.5),
            ("noise", 0.05),
        ] {
            page.set_slider(&format!("{FIG} input[data-role={role}]"), value)
                .await?;
        }
        // The right arrow trains one frame's updates; Space plays and pauses; R resets.
        page.keys(FIG, "\u{E014}").await?;
        let stepped = page.state(FIG).await?;
        let one = num(&stepped, "step");
        assert!(one > 0.0, "{stepped}");
        assert_eq!(num(&runs(&stepped)[1], "step"), one, "{stepped}");
        page.keys(FIG, " ").await?;
        page.wait_until(
            &format!(
                "JSON.parse(document.querySelector('{FIG}').dataset.state).step >= {}",
                4.0 * one
            ),
            30,
        )
        .await?;
        page.keys(FIG, " ").await?;
        let paused = page.state(FIG).await?;
        assert_eq!(paused["playing"], false, "{paused}");
        shots(&page, FIG, "augmentation-phone").await?;
        page.keys(FIG, "r").await?;
        assert_eq!(num(&page.state(FIG).await?, "step"), 0.0);
        page.assert_fits(390).await?;
        page.finish().await
    })
}
