//! Sharing: every figure has a "Copy link" button in its toolbar, and the link it gives, opened in
//! a fresh page, shows the figure with the reader's settings. Malformed links fall back to the
//! defaults and say which keys they could not use; the playground's own links still work.

use serde_json::{Value, json};
use spiega_e2e::{Page, Result, run};

/// The "Copy link" button of a figure's toolbar.
fn button(fig: &str) -> String {
    format!("{fig} > .figure-tools [data-role=copy-link]")
}

/// Clicks the figure's "Copy link" and returns the link it shows.
async fn copy_link(page: &Page, fig: &str) -> Result<String> {
    let button = button(fig);
    page.js(&format!(
        "const b = document.querySelector({});
         b.removeAttribute('data-link');
         // A sticky figure taller than the window moves only once its section scrolls away,
         // so one scroll may leave its toolbar below the window: scroll until it shows.
         for (let i = 0; i < 20; i++) {{
           b.scrollIntoView({{ block: 'center' }});
           const r = b.getBoundingClientRect();
           if (r.top >= 0 && r.bottom <= innerHeight) break;
         }}
         return 0;",
        json!(button)
    ))
    .await?;
    page.click(&button).await?;
    let link = page
        .js(&format!(
            "return document.querySelector({}).dataset.link || '';",
            json!(button)
        ))
        .await?;
    let link = link.as_str().unwrap_or("").to_owned();
    assert!(link.starts_with("http"), "{fig}: no link: {link:?}");
    // The status line shows the same link, in a read-only field (text, never markup).
    let shown = page
        .js(&format!(
            "const f = document.querySelector({}); return f ? f.value : null;",
            json!(format!(
                "{fig} > .figure-tools .share-status input.share-link"
            ))
        ))
        .await?;
    assert_eq!(shown, json!(link), "{fig}");
    Ok(link)
}

#[test]
fn a_copied_link_takes_one_line_on_a_phone() {
    run(async {
        let page = Page::open("/", 390, 800).await?;
        let fig = "#fig-playground";
        // A long link: many settings changed.
        page.goto("/#seed=42&noise=35&learningRate=0.3&activation=relu&networkShape=6,6,6,6,6,6&xSquared=true&ySquared=true&sinX=true&sinY=true&xTimesY=true")
            .await?;
        let link = copy_link(&page, fig).await?;
        assert!(link.len() > 150, "the link is short: {link}");
        let sizes = page
            .js(&format!(
                "const s = document.querySelector({}).getBoundingClientRect();
                 const f = document.querySelector({}).getBoundingClientRect();
                 const line = parseFloat(getComputedStyle(document.body).lineHeight) || 24;
                 return [s.height, s.right, f.right, line];",
                json!(format!("{fig} > .figure-tools .share-status")),
                json!(fig)
            ))
            .await?;
        let [height, right, fig_right, line] =
            [0, 1, 2, 3].map(|i| sizes[i].as_f64().expect("a number"));
        assert!(
            height < 2.0 * line,
            "the link's line is {height} px tall (a line is {line} px)"
        );
        // One line: the link's field sits beside its words, not on a line of its own below them
        // (the toolbar's small type lets two rows pass the height check above).
        let beside = page
            .js(&format!(
                "const s = document.querySelector({});
                 const words = s.querySelector('span').getBoundingClientRect();
                 const field = s.querySelector('input.share-link').getBoundingClientRect();
                 return [words.bottom, field.top, words.right, field.left];",
                json!(format!("{fig} > .figure-tools .share-status"))
            ))
            .await?;
        let [words_bottom, field_top, words_right, field_left] =
            [0, 1, 2, 3].map(|i| beside[i].as_f64().expect("a number"));
        assert!(
            field_top < words_bottom && field_left >= words_right,
            "the link's field is not beside its words: {beside}"
        );
        assert!(
            right <= fig_right + 0.5,
            "the link overflows the figure: {right} > {fig_right}"
        );
        page.finish().await
    })
}

/// A control's value: `1`/`0` for a checkbox, the checked value of a radio group.
async fn value(page: &Page, fig: &str, key: &str) -> Result<String> {
    let v = page
        .js(&format!(
            "const f = document.querySelector({});
             const radio = f.querySelector(`input[type=radio][name=\"${{{k}}}\"]:checked`);
             if (radio) return radio.value;
             const el = f.querySelector(`[data-role=\"${{{k}}}\"]`);
             return el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value;",
            json!(fig),
            k = json!(key)
        ))
        .await?;
    Ok(v.as_str().unwrap_or("").to_owned())
}

/// Picks an option of a `<select>`, as a reader does.
async fn choose(page: &Page, selector: &str, option: &str) -> Result<()> {
    page.js(&format!(
        "const el = document.querySelector({});
         el.value = {};
         el.dispatchEvent(new Event('input', {{ bubbles: true }}));
         el.dispatchEvent(new Event('change', {{ bubbles: true }}));
         return 0;",
        json!(selector),
        json!(option)
    ))
    .await?;
    Ok(())
}

/// Empties a text field (as select-all and delete would) and types `text` into it.
async fn retype(page: &Page, selector: &str, text: &str) -> Result<()> {
    page.js(&format!(
        "const el = document.querySelector({});
         el.value = '';
         el.dispatchEvent(new Event('input', {{ bubbles: true }}));
         return 0;",
        json!(selector)
    ))
    .await?;
    page.keys(selector, text).await
}

/// The parts of a figure's `data-state` that show its settings.
async fn shown(page: &Page, fig: &str, paths: &[&str]) -> Result<Vec<Value>> {
    let state = page.state(fig).await?;
    Ok(paths
        .iter()
        .map(|p| state.pointer(p).cloned().unwrap_or(Value::Null))
        .collect())
}

/// The notice line's text, empty when hidden.
async fn notice(page: &Page) -> Result<String> {
    let v = page
        .js("const n = document.querySelector('#notice'); return n.hidden ? '' : n.textContent;")
        .await?;
    Ok(v.as_str().unwrap_or("").to_owned())
}

#[test]
fn every_figure_has_one_copy_link_button_that_the_keyboard_reaches() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let counts = page
            .js("return [...document.querySelectorAll('figure[data-figure]')].map(f => [
                     f.dataset.figure,
                     f.querySelectorAll(':scope > .figure-tools [data-role=copy-link]').length,
                     [...f.querySelectorAll('button')].filter(b => /copy link/i.test(b.textContent)).length,
                     f.querySelector(':scope > .figure-tools [role=status][aria-live=polite]') ? 1 : 0]);")
            .await?;
        let counts = counts.as_array().unwrap();
        assert!(counts.len() >= 21, "{counts:?}");
        for c in counts {
            assert_eq!(c[1], json!(1), "toolbar button of {c}");
            assert_eq!(c[2], json!(1), "exactly one Copy link in {c}");
            assert_eq!(c[3], json!(1), "status line of {c}");
        }
        // The button is a real button: Enter on it copies the link.
        let fig = "#fig-softmax";
        page.set_slider(&format!("{fig} [data-role=z0]"), -3.0)
            .await?;
        page.keys(&button(fig), "\u{E007}").await?;
        page.wait_until(
            "(document.querySelector('#fig-softmax > .figure-tools [data-role=copy-link]').dataset.link || '').endsWith('#softmax.z0=-3')",
            5,
        )
        .await?;
        page.finish().await
    })
}

/// One figure's round trip: what to change and what its `data-state` shows of it.
struct Case {
    fig: &'static str,
    keys: &'static [&'static str],
    state: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        fig: "#fig-dropout",
        keys: &["rate-1", "shown"],
        state: &["/runs/1/name"],
    },
    Case {
        fig: "#fig-optimizers",
        keys: &["lr", "surface"],
        state: &["/lr", "/surface"],
    },
    Case {
        fig: "#fig-activations",
        keys: &["activation", "probe"],
        state: &["/activation", "/probe", "/value"],
    },
    Case {
        fig: "#fig-rouge",
        keys: &["candidate", "highlight"],
        state: &["/rouge1", "/highlight", "/candidateTokens"],
    },
    Case {
        fig: "#fig-transformer",
        keys: &["task", "sequence"],
        state: &["/task", "/input", "/expected"],
    },
    Case {
        fig: "#fig-batch-size",
        keys: &["small"],
        state: &["/runs/0/name"],
    },
];

#[test]
fn changed_settings_travel_in_the_link_and_come_back() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let mut defaults = Vec::new();
        for case in CASES {
            defaults.push(shown(&page, case.fig, case.state).await?);
        }
        // Change each figure as a reader would: sliders, menus, radio buttons, typing.
        page.set_slider("#fig-dropout [data-role=rate-1]", 0.35)
            .await?;
        choose(&page, "#fig-dropout [data-role=shown]", "1").await?;
        // A surface brings its own learning rate and start; the reader then moves the rate.
        page.click("#fig-optimizers input[name=surface][value=rosenbrock]")
            .await?;
        page.set_slider("#fig-optimizers [data-role=lr]", -2.0)
            .await?;
        page.click("#fig-activations input[name=activation][value=relu]")
            .await?;
        page.set_slider("#fig-activations [data-role=probe]", -2.5)
            .await?;
        page.keys("#fig-rouge [data-role=candidate]", " and the dog")
            .await?;
        choose(&page, "#fig-rouge [data-role=highlight]", "rouge2").await?;
        choose(&page, "#fig-transformer [data-role=task]", "sort").await?;
        retype(&page, "#fig-transformer [data-role=sequence]", "2718").await?;
        choose(&page, "#fig-batch-size [data-role=small]", "8").await?;

        let mut expected = Vec::new();
        for (case, default) in CASES.iter().zip(&defaults) {
            let state = shown(&page, case.fig, case.state).await?;
            assert_ne!(&state, default, "{}: the change shows nothing", case.fig);
            let mut values = Vec::new();
            for key in case.keys {
                values.push(value(&page, case.fig, key).await?);
            }
            let link = copy_link(&page, case.fig).await?;
            // The link holds this figure's changed settings and nothing else.
            let name = case.fig.trim_start_matches("#fig-");
            let hash = link.split_once('#').map(|(_, h)| h).unwrap_or("");
            for pair in hash.split('&') {
                assert!(pair.starts_with(&format!("{name}.")), "{link}");
            }
            for key in case.keys {
                assert!(hash.contains(&format!("{name}.{key}=")), "{key}: {link}");
            }
            expected.push((link, values, state));
        }
        for (case, (link, values, state)) in CASES.iter().zip(&expected) {
            page.open_fresh(link).await?;
            for (key, want) in case.keys.iter().zip(values) {
                assert_eq!(&value(&page, case.fig, key).await?, want, "{link}");
            }
            assert_eq!(&shown(&page, case.fig, case.state).await?, state, "{link}");
            assert_eq!(notice(&page).await?, "", "{link}");
            // The page opens at the figure.
            let top = page
                .js(&format!(
                    "return document.querySelector({}).getBoundingClientRect().top;",
                    json!(case.fig)
                ))
                .await?;
            let top = top.as_f64().unwrap_or(1e9);
            assert!((-2.0..200.0).contains(&top), "{link}: figure at {top}px");
        }
        page.finish().await
    })
}

#[test]
fn every_figure_s_first_control_comes_back_from_its_link() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        // Each figure's first range input (else number, menu, checkbox or text) moved away from
        // its default, as a reader would.
        let changed = page
            .js(r#"
                const out = [];
                for (const f of document.querySelectorAll('figure[data-figure]')) {
                  if (f.dataset.figure === 'playground') continue;
                  const mine = s => [...f.querySelectorAll(s)].filter(e => e.closest('[data-figure]') === f && e.dataset.role);
                  const el = [...mine('input[type=range]'), ...mine('input[type=number]'), ...mine('select'),
                              ...mine('input[type=checkbox]'), ...mine('input[type=text]')][0];
                  if (!el) { out.push([f.id, null, null]); continue; }
                  if (el.type === 'checkbox') { el.checked = !el.checked; }
                  else if (el.tagName === 'SELECT') {
                    el.value = [...el.options].map(o => o.value).find(v => v !== el.value);
                  } else if (el.type === 'text') { el.value = el.value.slice(0, -1) || 'x'; }
                  else {
                    const min = el.min === '' ? 0 : Number(el.min);
                    const max = el.max === '' ? min + 10 : Number(el.max);
                    el.value = String(Number(el.value) === max ? min : max);
                  }
                  el.dispatchEvent(new Event('input', { bubbles: true }));
                  el.dispatchEvent(new Event('change', { bubbles: true }));
                  out.push([f.id, el.dataset.role, el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value]);
                }
                return out;"#)
            .await?;
        let changed = changed.as_array().unwrap().clone();
        assert!(changed.len() >= 20, "{changed:?}");
        let mut hash = Vec::new();
        for c in &changed {
            let (id, role) = (c[0].as_str().unwrap(), c[1].as_str());
            assert!(role.is_some(), "{id} has no control to share");
            let link = copy_link(&page, &format!("#{id}")).await?;
            let (_, part) = link.split_once('#').unwrap();
            assert!(
                part.contains('='),
                "{id}: the link holds no setting: {link}"
            );
            hash.push(part.to_owned());
        }
        // All the figures' links in one, opened fresh: every control is back, with no notice.
        page.open_fresh(&format!("/#{}", hash.join("&"))).await?;
        assert_eq!(notice(&page).await?, "");
        for c in &changed {
            let (id, role, want) = (
                c[0].as_str().unwrap(),
                c[1].as_str().unwrap(),
                c[2].as_str().unwrap(),
            );
            assert_eq!(value(&page, &format!("#{id}"), role).await?, want, "{id}");
        }
        page.finish().await
    })
}

#[test]
fn a_malformed_link_gives_defaults_and_names_the_keys() {
    run(async {
        let page = Page::open("/", 1280, 900).await?;
        let mut defaults = Vec::new();
        for (fig, key) in [
            ("#fig-dropout", "rate-1"),
            ("#fig-activations", "activation"),
            ("#fig-transformer", "sequence"),
        ] {
            defaults.push(value(&page, fig, key).await?);
        }
        let bad = "/#dropout.rate-1=abc&dropout.rate-2=7&activations.activation=nope\
                   &optimizers.no-such-key=1&nofigure.x=1\
                   &transformer.sequence=%3Cb%3E12%0A345678901234567890&a.b.c=%zz";
        page.open_fresh(bad).await?;
        let said = notice(&page).await?;
        for key in [
            "dropout.rate-1",
            "dropout.rate-2",
            "activations.activation",
            "optimizers.no-such-key",
            "nofigure.x",
            "transformer.sequence",
            "a.b.c",
        ] {
            assert!(said.contains(key), "the notice does not name {key}: {said}");
        }
        // The notice is text, never markup.
        let children = page
            .js("return document.querySelectorAll('#notice *').length;")
            .await?;
        assert_eq!(children, json!(0));
        // Unreadable values leave the defaults; an out-of-range one is clamped; text is cut and
        // cleaned to what the field takes.
        assert_eq!(value(&page, "#fig-dropout", "rate-1").await?, defaults[0]);
        assert_eq!(value(&page, "#fig-dropout", "rate-2").await?, "0.9");
        assert_eq!(
            value(&page, "#fig-activations", "activation").await?,
            defaults[1]
        );
        let sequence = value(&page, "#fig-transformer", "sequence").await?;
        assert_ne!(sequence, defaults[2]);
        assert_eq!(sequence, "<b>123456789");
        page.finish().await
    })
}

#[test]
fn plain_anchors_and_pasted_links_behave() {
    run(async {
        // An anchor names a place, not settings: no notice, on load or from the contents.
        let page = Page::open("/#costs", 1280, 900).await?;
        assert_eq!(notice(&page).await?, "");
        page.click(".toc a[href='#dropout']").await?;
        assert_eq!(notice(&page).await?, "");
        // A link pasted into the open page is followed too.
        page.js("location.hash = '#softmax.z1=-4&softmax.temperature=0.5'; return 0;")
            .await?;
        page.wait_until(
            "document.querySelector('#fig-softmax [data-role=z1]').value === '-4'",
            5,
        )
        .await?;
        assert_eq!(value(&page, "#fig-softmax", "temperature").await?, "0.5");
        assert_eq!(notice(&page).await?, "");
        page.finish().await
    })
}

#[test]
fn the_playground_keeps_its_own_link_beside_the_figures_keys() {
    run(async {
        let page = Page::open("/#dataset=xor&noise=10&dropout.rate-1=0.35", 1280, 900).await?;
        // The figure's key is no longer an unknown playground key.
        assert_eq!(notice(&page).await?, "");
        assert_eq!(value(&page, "#fig-dropout", "rate-1").await?, "0.35");
        assert_eq!(value(&page, "#fig-playground", "dataset").await?, "xor");
        let link = copy_link(&page, "#fig-playground").await?;
        for part in [
            "dataset=xor",
            "noise=10",
            "networkShape=",
            "dropout.rate-1=0.35",
        ] {
            assert!(link.contains(part), "{part} missing from {link}");
        }
        // Playground keys are still checked, and only they are named.
        page.open_fresh("/#learningRate=abc&dropout.rate-1=0.35")
            .await?;
        let said = notice(&page).await?;
        assert!(said.contains("learningRate"), "{said}");
        assert!(!said.contains("dropout.rate-1"), "{said}");
        page.finish().await
    })
}

#[test]
fn screenshots_of_the_toolbars() {
    run(async {
        let page = Page::open("/#activations.activation=relu", 1280, 900).await?;
        for (name, (w, h), mobile) in [("desktop", (1280, 900), false), ("phone", (390, 844), true)]
        {
            let mut backgrounds = Vec::new();
            page.set_viewport(w, h, mobile).await?;
            for theme in ["light", "dark"] {
                backgrounds.push(page.show_theme(theme).await?);
                page.assert_fits(w).await?;
                for fig in ["#fig-activations", "#fig-dropout"] {
                    copy_link(&page, fig).await?;
                    page.js(&format!(
                        "document.querySelector({}).focus(); return 0;",
                        json!(button(fig))
                    ))
                    .await?;
                    let id = fig.trim_start_matches('#');
                    page.element_screenshot(
                        &format!("{fig} > .figure-tools"),
                        &format!("sharing-{id}-{name}-{theme}"),
                    )
                    .await?;
                }
                page.element_screenshot(
                    "#fig-activations",
                    &format!("sharing-figure-{name}-{theme}"),
                )
                .await?;
            }
            assert_ne!(
                backgrounds[0], backgrounds[1],
                "{name}: both themes look alike"
            );
        }
        page.finish().await
    })
}
