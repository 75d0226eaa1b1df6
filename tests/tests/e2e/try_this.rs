//! "Try this": every button in the article's "Try this" asides sets its figure up as it says.
//!
//! For each `.try-btn` on the page, clicked as a reader would: the figure's controls (the
//! playground's address, for its own keys) now show the button's settings, the page names no
//! setting it could not use, the figure has the focus and its state changed, and with `data-play`
//! the figure is playing (its play button pressed), or, for pruning's one-off training, has
//! trained (its button disabled). Controls the button does not name go back to
//! their defaults first. What the reader then sees is the lessons' tests' business, not this one's:
//! nothing here trains to the end.

use serde_json::json;
use spiega_e2e::{Page, err, run};

/// JavaScript: what in figure `name` does not show `settings` (`key=value&…`), as a list of
/// lines; empty when everything shows.
const NOT_SHOWN: &str = r#"
const [name, settings] = arguments;
const fig = document.querySelector(`[data-figure="${name}"]`);
const pairs = (settings || '').split('&').filter(Boolean).map(p => {
  const i = p.indexOf('=');
  return i < 0 ? [p, ''] : [decodeURIComponent(p.slice(0, i)), decodeURIComponent(p.slice(i + 1))];
});
const same = (a, b) => a === b
  || (a !== '' && b !== '' && !isNaN(+a) && !isNaN(+b) && Math.abs(+a - +b) < 1e-9);
// The figure's controls, and those of its parts elsewhere (outside every figure).
const parts = [fig, ...[...document.querySelectorAll(`[data-figure-part="${name}"]`)]
  .filter(p => !p.closest('[data-figure]'))];
const own = el => el.closest('[data-figure]') === fig || !el.closest('[data-figure]');
const all = s => parts.flatMap(p => [...p.querySelectorAll(s)]);
const wrong = [];
if (name === 'playground') {
  const hash = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of pairs) {
    if (!same(hash.get(k) ?? '', v)) wrong.push(`${k}: the address has ${hash.get(k)}, wanted ${v}`);
  }
  return wrong;
}
for (const [k, v] of pairs) {
  const radios = all(`input[type=radio][name="${k}"]`).filter(own);
  const el = all(`[data-role="${k}"]`).filter(own)
    .find(e => e.matches('input, select, textarea'));
  let shown;
  if (radios.length) shown = (radios.find(r => r.checked) || {}).value ?? '';
  else if (!el) { wrong.push(`${k}: no such control`); continue; }
  else if (el.type === 'checkbox') shown = el.checked ? '1' : '0';
  else shown = el.value;
  if (!same(shown, v)) wrong.push(`${k}: shows ${shown}, wanted ${v}`);
}
return wrong;
"#;

/// The figure's own play button (`play`, or `train` for the figures that train six networks and
/// for pruning, whose one-off training disables its button once done).
fn play_button(name: &str) -> String {
    format!(
        "[...document.querySelectorAll('[data-figure=\"{name}\"] [data-role=play], [data-figure=\"{name}\"] [data-role=train]')].find(b => b.closest('[data-figure]') === document.querySelector('[data-figure=\"{name}\"]'))"
    )
}

#[test]
fn every_try_this_button_sets_up_its_figure() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let buttons = page
            .js("return [...document.querySelectorAll('.try-btn')].map((b, i) => {
                   b.dataset.testIndex = i;
                   return { figure: b.dataset.try || '', settings: b.dataset.settings || '',
                            play: b.hasAttribute('data-play'), ready: b.hasAttribute('data-try-ready') };
                 });")
            .await?;
        let buttons = buttons.as_array().cloned().unwrap_or_default();
        assert!(!buttons.is_empty(), "the page has no \"Try this\" button");
        // Every figure on the page (the gradient check is a part of the step-through's).
        let figures = page
            .js("return [...document.querySelectorAll('[data-figure]')].map(f => f.dataset.figure);")
            .await?;
        let figures = figures.as_array().cloned().unwrap_or_default();
        assert!(
            figures.len() >= 22,
            "only {} figures on the page",
            figures.len()
        );
        for name in &figures {
            assert!(
                buttons.iter().any(|b| &b["figure"] == name),
                "the {name} figure has no \"Try this\" button"
            );
        }
        // Away from the opening state, as a reader may leave them: a control the activations
        // buttons do not name, and the shape calculator's stack of layers (no control at all).
        page.set_control("#fig-activations", "range", "3").await?;
        page.js("document.querySelector('#fig-shapes [data-preset=image]').click(); return 0;")
            .await?;
        let (mut range_checked, mut stack_checked, mut more_checked) = (false, false, false);

        for (i, b) in buttons.iter().enumerate() {
            let name = b["figure"].as_str().unwrap_or_default();
            let settings = b["settings"].as_str().unwrap_or_default();
            let what = format!("button {i} ({name}: {settings:?})");
            assert_eq!(b["ready"], json!(true), "{what} is not wired to a figure");
            // What the button shows: the figure, or its part in the button's own section.
            let shown = format!(
                "(() => {{ const b = document.querySelector('.try-btn[data-test-index=\"{i}\"]');
                   const part = b.closest('section')?.querySelector('[data-figure-part=\"{name}\"]');
                   return part || document.querySelector('[data-figure=\"{name}\"]'); }})()"
            );
            let before = page
                .js(&format!("return {shown}.dataset.state || '';"))
                .await?;
            page.click(&format!(".try-btn[data-test-index=\"{i}\"]"))
                .await?;
            let play = if b["play"] == json!(true) {
                format!(
                    "(b => b?.hasAttribute('aria-pressed') ? b.getAttribute('aria-pressed') === 'true' : b?.disabled === true)({})",
                    play_button(name)
                )
            } else {
                "true".to_owned()
            };
            let arrived = page
                .wait_until(
                    &format!(
                        "(() => {{ const f = {shown};
                           return document.activeElement === f && f.dataset.state !== {before} && {play}; }})()",
                        before = json!(before),
                    ),
                    10,
                )
                .await;
            let error = page
                .js(&format!(
                    "const b = document.querySelector('.try-btn[data-test-index=\"{i}\"]');
                     const n = document.getElementById('notice');
                     return [b.dataset.tryError || '', n && !n.hidden ? n.textContent : ''];"
                ))
                .await?;
            assert_eq!(error, json!(["", ""]), "{what}: the page reports a problem");
            arrived.map_err(|e| format!("{what}: not focused, unchanged or not playing: {e}"))?;
            let wrong = page
                .client
                .execute(NOT_SHOWN, vec![json!(name), json!(settings)])
                .await
                .map_err(err)?;
            assert_eq!(
                wrong,
                json!([]),
                "{what}: the controls do not show the settings"
            );
            if name == "activations" && !range_checked {
                range_checked = true;
                let range = page
                    .js("return document.querySelector('#fig-activations [data-role=range]').value;")
                    .await?;
                assert_eq!(
                    range,
                    json!("6"),
                    "{what}: a control it does not name kept the reader's value"
                );
            }
            if name == "playground" && settings.contains("xSquared") {
                more_checked = true;
                let open = page
                    .js("return document.querySelector('#fig-playground [data-role=more]').open;")
                    .await?;
                assert_eq!(
                    open,
                    json!(true),
                    "{what}: \"More settings\", where the features it sets are, stayed closed"
                );
            }
            if name == "shapes" && !stack_checked {
                stack_checked = true;
                let rows = page
                    .js("return document.querySelectorAll('#fig-shapes [data-role=shape-rows] tr').length;")
                    .await?;
                assert_eq!(
                    rows,
                    json!(2),
                    "{what}: the stack is not back to input → dense(16)"
                );
            }
            // Leave nothing training while the next button is tried.
            if b["play"] == json!(true) {
                page.js(&format!(
                    "const b = {}; if (b.hasAttribute('aria-pressed')) b.click(); return 0;",
                    play_button(name)
                ))
                .await?;
            }
        }
        assert!(
            range_checked && stack_checked && more_checked,
            "no activations, shapes or playground features button was tried"
        );
        page.finish().await
    });
}
