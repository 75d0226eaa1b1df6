//! What every figure's component test shares: the article's section files, a figure mounted on
//! its section's markup the way the page mounts it, and readers for what the figure shows (text,
//! `data-state`, canvas pixels), the reader's actions (typing, choosing, clicking), and a bounded
//! wait for a figure that plays frame by frame.

use spiega_web::figures::Figure;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlInputElement};

/// A section file's name and its text.
macro_rules! section {
    ($file:literal) => {
        (
            $file,
            include_str!(concat!("../../../../www/sections/", $file)),
        )
    };
}

/// Every section file of the article, by file name, as the page assembles them.
pub const SECTIONS: [(&str, &str); 26] = [
    section!("01-playground.html"),
    section!("02-activations.html"),
    section!("03-softmax.html"),
    section!("04-layers.html"),
    section!("05-normalization.html"),
    section!("06-convolution.html"),
    section!("07-shapes.html"),
    section!("08-costs.html"),
    section!("09-cross-entropy.html"),
    section!("10-scores.html"),
    section!("11-rouge.html"),
    section!("12-backprop.html"),
    section!("13-gradcheck.html"),
    section!("13b-initialisation.html"),
    section!("14-optimizers.html"),
    section!("15-bias-variance.html"),
    section!("16-regularisation.html"),
    section!("17-weight-penalties.html"),
    section!("18-pruning.html"),
    section!("19-dropout.html"),
    section!("20-augmentation.html"),
    section!("21-batch-norm.html"),
    section!("22-batch-size.html"),
    section!("23-gan.html"),
    section!("24-transformers.html"),
    section!("25-references.html"),
];

/// The section files' list, in the page's order.
pub const CONTENTS: &str = include_str!("../../../../www/sections/CONTENTS");

/// The `data-figure` names in `markup`, in order.
pub fn figure_names(markup: &str) -> Vec<&str> {
    markup
        .split("data-figure=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// The section file that holds the figure `name`.
pub fn section_of(name: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(_, text)| figure_names(text).contains(&name))
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no section has the figure {name}"))
}

/// `markup` in a new element at the end of the page's body.
pub fn fragment(markup: &str) -> Element {
    let doc = spiega_web::dom::document().unwrap();
    let host = doc.create_element("div").unwrap();
    // Test-owned markup (the page's own section files), not reader text.
    host.set_inner_html(markup);
    doc.body().unwrap().append_child(&host).unwrap();
    host
}

/// The longest a test waits for a figure that plays: a few frames' training takes a fraction of
/// a second, and the test runner gives the whole file 20 s (`WASM_BINDGEN_TEST_TIMEOUT`), so a
/// figure that never gets there fails by itself instead of taking the run down.
pub const WAIT_SECONDS: f64 = 5.0;

type Mount = fn(&Element) -> spiega_web::error::Result<Rc<RefCell<dyn Figure>>>;

/// A figure mounted on its section's markup; the markup leaves the page when this is dropped.
pub struct Mounted {
    host: Element,
    /// The figure's element, `figure[data-figure=…]`.
    pub el: Element,
}

impl Mounted {
    /// The figure `name` mounted by `mount` on the markup of its section (and of `more`, for a
    /// figure that finds a second part elsewhere on the page), then drawn once, as the page's
    /// `figures::mount_all` does, with the digits already there (the page downloads them; here
    /// they come from the copy compiled in).
    pub fn new(name: &str, mount: Mount, more: &[&str]) -> Self {
        if spiega_web::assets::digits().is_err() {
            spiega_web::assets::provide_digits(spiega_nn::data::digits::digits().unwrap());
        }
        let markup: String = std::iter::once(section_of(name))
            .chain(more.iter().copied())
            .collect();
        let host = fragment(&markup);
        let el = host
            .query_selector(&format!("figure[data-figure=\"{name}\"]"))
            .unwrap()
            .unwrap_or_else(|| panic!("the section has the figure {name}"));
        let figure = mount(&el).unwrap_or_else(|e| panic!("figure {name} mounts: {e}"));
        figure.borrow_mut().update().unwrap();
        Self { host, el }
    }

    /// The figure's `data-state`, parsed.
    pub fn state(&self) -> serde_json::Value {
        json(&self.el, "data-state")
    }

    /// The text of the element `selector` finds in the figure.
    pub fn text(&self, selector: &str) -> String {
        self.find(selector).text_content().unwrap_or_default()
    }

    /// The element `selector` finds anywhere in the figure's markup (its section and the others
    /// mounted with it).
    pub fn around(&self, selector: &str) -> Element {
        find(&self.host, selector)
    }

    /// The element `selector` finds in the figure.
    pub fn find(&self, selector: &str) -> Element {
        find(&self.el, selector)
    }

    /// Sets the control `selector` finds to `value` and tells the figure as the browser does
    /// when a reader commits a value: an `input` event, then a `change` event.
    pub fn set(&self, selector: &str, value: &str) {
        set(&self.find(selector), value);
    }

    /// Ticks or unticks the checkbox or radio button `selector` finds, with its events.
    pub fn check(&self, selector: &str, on: bool) {
        let el: HtmlInputElement = self.find(selector).dyn_into().unwrap();
        el.set_checked(on);
        fire(&el, "input");
        fire(&el, "change");
    }

    /// Clicks the element `selector` finds.
    pub fn click(&self, selector: &str) {
        let el: web_sys::HtmlElement = self.find(selector).dyn_into().unwrap();
        el.click();
    }

    /// How many pixels of the canvas `selector` finds differ from its top-left pixel.
    pub fn ink(&self, selector: &str) -> usize {
        ink(&self.find(selector).dyn_into().unwrap())
    }

    /// Presses the figure's Step button (one frame's training, at once) and returns its
    /// `data-state`, which must then count a `step` made.
    pub fn step(&self) -> serde_json::Value {
        self.click("button[data-role=step]");
        let state = self.state();
        assert!(num(&state["step"]) > 0.0, "a step made: {state}");
        state
    }

    /// Scrolls the figure into view (a figure out of view does not train), presses its play
    /// button `button`, waits with [`Mounted::until`] until the JSON of its attribute `attr`
    /// satisfies `done` (such as [`trained`]), presses the button again to pause, and returns
    /// that JSON.
    pub async fn train(
        &self,
        button: &str,
        attr: &str,
        what: &str,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        self.el.scroll_into_view();
        self.click(button);
        let state = self.until(attr, what, WAIT_SECONDS, done).await;
        self.click(button);
        state
    }

    /// Waits, one animation frame at a time and at most `seconds`, until the JSON of the
    /// figure's attribute `attr` satisfies `done`, and returns it; fails naming `what` otherwise.
    pub async fn until(
        &self,
        attr: &str,
        what: &str,
        seconds: f64,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = js_sys::Date::now() + 1000.0 * seconds;
        loop {
            let state = json(&self.el, attr);
            if done(&state) {
                return state;
            }
            assert!(
                js_sys::Date::now() < deadline,
                "{what}: not within {seconds} s; the state is {state}"
            );
            next_frame().await;
        }
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.host.remove();
    }
}

/// The element `selector` finds under `root`.
pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("an element matching {selector}"))
}

/// The JSON of `el`'s attribute `name`, parsed.
pub fn json(el: &Element, name: &str) -> serde_json::Value {
    let text = el
        .get_attribute(name)
        .unwrap_or_else(|| panic!("the figure has no {name}"));
    serde_json::from_str(&text).unwrap()
}

/// `value` as a number (failing loudly when it is not one).
pub fn num(value: &serde_json::Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is a number"))
}

/// Sets the control `el` to `value` and tells the page as the browser does when a reader commits
/// a value: an `input` event, then a `change` event.
pub fn set(el: &Element, value: &str) {
    js_sys::Reflect::set(el, &"value".into(), &value.into()).unwrap();
    fire(el, "input");
    fire(el, "change");
}

/// Whether a figure's state counts a `step` made.
pub fn trained(state: &serde_json::Value) -> bool {
    state["step"].as_f64().is_some_and(|n| n > 0.0)
}

/// The numbers of the JSON array `value`.
pub fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is an array"))
        .iter()
        .map(num)
        .collect()
}

/// The whole numbers of the JSON array `value`.
pub fn counts(value: &serde_json::Value) -> Vec<u64> {
    numbers(value).into_iter().map(|v| v as u64).collect()
}

/// Dispatches a bubbling `kind` event at `el`.
fn fire(el: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

/// How many pixels of `c` differ from its top-left pixel.
pub fn ink(c: &HtmlCanvasElement) -> usize {
    if c.width() == 0 || c.height() == 0 {
        return 0;
    }
    let ctx: CanvasRenderingContext2d = c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let data = ctx
        .get_image_data(0.0, 0.0, f64::from(c.width()), f64::from(c.height()))
        .unwrap()
        .data();
    let corner = [data[0], data[1], data[2], data[3]];
    data.chunks(4).filter(|p| *p != corner).count()
}

/// Resolves at the next animation frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}
