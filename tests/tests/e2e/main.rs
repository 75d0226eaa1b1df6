//! The end-to-end tests: the built page (`SPIEGA_DIST`) driven in a browser like a reader, one
//! module per part of the article or of the page's tools.
//!
//! They are one test binary: a binary per file would link the WebDriver client and its runtime
//! once per file. Run one part with a filter on its module once a release build of the page is in
//! `target/e2e-dist` (`cargo xtask test` makes it) or `SPIEGA_DIST`, e.g.
//! `cargo test -p spiega-e2e -- playground::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod accessibility;
mod activations;
mod augmentation;
mod backprop;
mod bias_variance;
mod code_parts;
mod compare_runs;
mod conv;
mod costs;
mod embed;
mod export;
mod first_sight;
mod gan;
mod generalise;
mod initialisation;
mod layers;
mod model_file;
mod normalization;
mod offline;
mod optimizers;
mod page;
mod phone;
mod playground;
mod robustness;
mod scores;
mod security;
mod shapes;
mod sharing;
mod soak;
mod training_effects;
mod transformer;
mod try_this;
