//! What each figure of spiega computes: one module per figure, named as the figure's
//! `data-figure` in the page, over the `spiega-nn` library.
//!
//! A lesson builds its data, models and runs from the library and returns plain numbers for the
//! page to draw. Lessons know nothing about the DOM; the library knows nothing about lessons.
//! The numbers the article's prose states about a figure are tests in the figure's module.
//!
//! Shared by several figures: [`playground`] (a network trained on 2-D data, which the
//! comparisons reuse) and [`compare`] (runs trained side by side that differ in one setting).

pub mod activations;
pub mod augmentation;
pub mod backprop;
pub mod batch_norm;
pub mod batch_size;
pub mod bias_variance;
pub mod compare;
pub mod conv;
pub mod costs;
pub mod curve;
pub mod dropout;
pub mod gan;
pub mod initialisation;
pub mod normalization;
pub mod optimizers;
pub mod playground;
pub mod pruning;
pub mod rouge;
pub mod scores;
pub mod shapes;
pub mod shrinkage;
pub mod softmax;
pub mod transformer;
pub mod weight_penalties;
