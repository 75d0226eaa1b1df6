//! The page on a phone: at 390 CSS pixels nothing scrolls sideways and every chart has a size,
//! and a finger (touch events through Chromium's touch emulation, not synthetic DOM events)
//! moves a slider, draws a digit and drags the optimizers' start.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

const WIDTH: u32 = 390;
const HEIGHT: u32 = 844;

/// Opens the page as a phone with a touch screen.
async fn phone() -> Result<Page> {
    let page = Page::open("/", WIDTH, HEIGHT).await?;
    page.set_viewport(WIDTH, HEIGHT, true).await?;
    page.cdp(
        "Emulation.setTouchEmulationEnabled",
        json!({ "enabled": true, "maxTouchPoints": 5 }),
    )
    .await?;
    Ok(page)
}

/// Scrolls `selector` to the middle of the screen and returns its box in viewport pixels.
async fn box_of(page: &Page, selector: &str) -> Result<[f64; 4]> {
    let r = page
        .js(&format!(
            "const e = document.querySelector({});
             e.scrollIntoView({{ block: 'center' }});
             const r = e.getBoundingClientRect();
             return [r.left, r.top, r.width, r.height];",
            json!(selector)
        ))
        .await?;
    let v: Vec<f64> = r
        .as_array()
        .ok_or("no box")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    Ok([v[0], v[1], v[2], v[3]])
}

/// A finger pressed at the first point, moved through the others, then lifted.
async fn swipe(page: &Page, points: &[(f64, f64)]) -> Result<()> {
    let touch = |kind: &str, (x, y): (f64, f64)| json!({ "type": kind, "touchPoints": [{ "x": x, "y": y, "id": 1 }] });
    let (first, rest) = points.split_first().ok_or("no points")?;
    page.cdp("Input.dispatchTouchEvent", touch("touchStart", *first))
        .await?;
    for p in rest {
        page.cdp("Input.dispatchTouchEvent", touch("touchMove", *p))
            .await?;
    }
    page.cdp(
        "Input.dispatchTouchEvent",
        json!({ "type": "touchEnd", "touchPoints": [] }),
    )
    .await?;
    Ok(())
}

#[test]
fn nothing_scrolls_sideways_and_every_chart_has_a_size() {
    run(async {
        let page = phone().await?;
        let widths = page
            .js("return [document.documentElement.scrollWidth, window.innerWidth];")
            .await?;
        let (scroll, inner) = (widths[0].as_f64().unwrap(), widths[1].as_f64().unwrap());
        assert!(
            scroll <= inner,
            "the page is {scroll} px wide in a {inner} px window"
        );
        // A phone widens its window to a page that is too wide (and shrinks it), and the body
        // hides what sticks out: the window must keep the phone's width, with nothing cut off.
        assert_eq!(
            inner,
            f64::from(WIDTH),
            "the page widened the phone's window"
        );
        let cut = page.wider_than_the_window().await?;
        assert_eq!(cut, json!([]), "cut off by the edge of a {WIDTH} px phone");
        // Every canvas of every figure that is not hidden is laid out inside the screen's width.
        let bad = page
            .js(&format!(
                "return [...document.querySelectorAll('figure canvas')]
                   .filter(c => c.offsetParent !== null)
                   .map(c => [c.closest('figure').id + ' ' + (c.dataset.role || ''), c.getBoundingClientRect()])
                   .filter(([_, r]) => r.width < 20 || r.height < 20 || r.right > {WIDTH} + 1 || r.left < -1)
                   .map(([name, r]) => name + ': ' + Math.round(r.left) + '..' + Math.round(r.right) + ' × ' + Math.round(r.height));"
            ))
            .await?;
        assert_eq!(bad, json!([]), "charts off screen or without a size");
        page.finish().await
    })
}

#[test]
fn a_finger_moves_a_slider_draws_a_digit_and_drags_the_start() {
    run(async {
        let page = phone().await?;

        // The activation figure's probe: a swipe along the slider's track moves it.
        let probe = "#fig-activations input[data-role=probe]";
        let before = page.state("#fig-activations").await?;
        let read_probe = format!("return document.querySelector('{probe}').value;");
        let start_value = page.js(&read_probe).await?;
        let [x, y, w, h] = box_of(&page, probe).await?;
        let cy = y + h / 2.0;
        swipe(
            &page,
            &[
                (x + w * 0.55, cy),
                (x + w * 0.7, cy),
                (x + w * 0.85, cy),
                (x + w * 0.9, cy),
            ],
        )
        .await?;
        assert_ne!(
            start_value,
            page.js(&read_probe).await?,
            "the probe did not move"
        );
        assert_ne!(
            before,
            page.state("#fig-activations").await?,
            "the figure did not follow the probe"
        );

        // The convolution figure: a finger drawn across the input changes the feature map.
        let input = "#fig-conv canvas[data-role=image]";
        let map_before = page.state("#fig-conv").await?["featureMap"].clone();
        let [x, y, w, h] = box_of(&page, input).await?;
        let stroke: Vec<(f64, f64)> = (1..8)
            .map(|i| (x + w * f64::from(i) / 8.0, y + h * 0.5))
            .collect();
        swipe(&page, &stroke).await?;
        assert_ne!(
            map_before,
            page.state("#fig-conv").await?["featureMap"],
            "drawing with a finger left the feature map unchanged"
        );

        // The optimizers' map: a finger moves the start.
        let map = "#fig-optimizers canvas[data-role=map]";
        let start_before = page.state("#fig-optimizers").await?["start"].clone();
        let [x, y, w, h] = box_of(&page, map).await?;
        swipe(
            &page,
            &[(x + w * 0.7, y + h * 0.3), (x + w * 0.72, y + h * 0.32)],
        )
        .await?;
        assert_ne!(
            start_before,
            page.state("#fig-optimizers").await?["start"],
            "a finger on the map did not move the start"
        );
        page.finish().await
    })
}
