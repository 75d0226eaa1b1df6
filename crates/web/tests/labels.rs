//! Component tests in headless Chromium: a slider whose label also holds its value's `<output>`
//! gets an accessible name from the label's text, and a control that already has one keeps it;
//! `dom::set_text` writes a readout's text in place and leaves no markup behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn sliders_beside_an_output_are_named_by_their_label() {
    let doc = spiega_web::dom::document().unwrap();
    let host = doc.create_element("div").unwrap();
    host.set_text_content(None);
    // Built from elements (not markup) so the test itself inserts no HTML.
    let make = |with_output: bool, aria: Option<&str>| {
        let label = doc.create_element("label").unwrap();
        let span = doc.create_element("span").unwrap();
        span.set_class_name("slider-label");
        span.set_text_content(Some("Noise "));
        if with_output {
            let out = doc.create_element("output").unwrap();
            out.set_text_content(Some("5"));
            span.append_child(&out).unwrap();
        }
        let input = doc.create_element("input").unwrap();
        input.set_attribute("type", "range").unwrap();
        if let Some(a) = aria {
            input.set_attribute("aria-label", a).unwrap();
        }
        label.append_child(&span).unwrap();
        label.append_child(&input).unwrap();
        host.append_child(&label).unwrap();
        (span, input)
    };
    let (span, robbed) = make(true, None);
    let (_, plain) = make(false, None);
    let (_, named) = make(true, Some("Own name"));
    doc.body().unwrap().append_child(&host).unwrap();

    spiega_web::labels::name_controls(&doc).unwrap();

    let by = robbed.get_attribute("aria-labelledby").unwrap();
    assert_eq!(by, span.id());
    assert_eq!(
        doc.get_element_by_id(&by).unwrap().text_content().unwrap(),
        "Noise 5"
    );
    assert!(
        plain.get_attribute("aria-labelledby").is_none(),
        "a label without an output already names its control"
    );
    assert!(named.get_attribute("aria-labelledby").is_none());
    host.remove();
}

#[wasm_bindgen_test]
fn set_text_changes_a_readout_in_place_and_replaces_anything_else() {
    let doc = spiega_web::dom::document().unwrap();
    let el = doc.create_element("p").unwrap();
    spiega_web::dom::set_text(&el, "0.5");
    assert_eq!(el.text_content().as_deref(), Some("0.5"));
    // A readout's one text node is kept and changed, not replaced.
    let node = el.first_child().unwrap();
    spiega_web::dom::set_text(&el, "0.25");
    assert_eq!(el.text_content().as_deref(), Some("0.25"));
    assert!(el.first_child().unwrap().is_same_node(Some(&node)));
    assert!(node.next_sibling().is_none());
    // Markup with the same words becomes plain text: nothing of it is kept.
    let mark = doc.create_element("mark").unwrap();
    mark.set_text_content(Some("0.25"));
    el.set_text_content(None);
    el.append_child(&mark).unwrap();
    spiega_web::dom::set_text(&el, "0.25");
    assert_eq!(el.child_element_count(), 0);
    assert_eq!(el.text_content().as_deref(), Some("0.25"));
    // Emptying works from either form.
    spiega_web::dom::set_text(&el, "");
    assert_eq!(el.text_content().as_deref(), Some(""));
}
