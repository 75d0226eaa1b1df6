//! Component tests in headless Chromium: every figure of the article mounted on its section's real
//! markup (`www/sections/*.html`), as the page mounts it, showing what the engine computes.
//!
//! One module per part of the article; [`support`] mounts a figure and reads what it shows. The
//! two tests here keep the list whole: every section file the page lists is read, and every
//! `data-figure` in them has a test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

mod functions;
mod generative;
mod layers;
mod playground;
mod regularisation;
mod support;

use support::{CONTENTS, SECTIONS, figure_names};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The figures with a component test, by `data-figure` name: each module's list.
const TESTED: [&[&str]; 5] = [
    functions::FIGURES,
    generative::FIGURES,
    layers::FIGURES,
    playground::FIGURES,
    regularisation::FIGURES,
];

#[wasm_bindgen_test]
fn every_section_the_page_lists_is_read_here() {
    let listed: Vec<&str> = CONTENTS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let read: Vec<&str> = SECTIONS.iter().map(|(name, _)| *name).collect();
    assert!(!listed.is_empty());
    assert_eq!(
        listed, read,
        "support::SECTIONS must hold the files CONTENTS lists"
    );
}

#[wasm_bindgen_test]
fn every_figure_in_the_sections_has_a_component_test() {
    let mut found: Vec<&str> = SECTIONS
        .iter()
        .flat_map(|(_, text)| figure_names(text))
        .collect();
    let mut tested: Vec<&str> = TESTED.concat();
    found.sort_unstable();
    tested.sort_unstable();
    assert!(found.len() >= 23, "{found:?}");
    assert_eq!(
        found, tested,
        "every data-figure needs a component test (and each test a figure)"
    );
}
