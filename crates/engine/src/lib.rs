//! spiega's numerical engine: everything the page computes, in plain Rust on nalgebra.
//!
//! The engine knows nothing about the browser: it takes numbers and returns numbers, and every
//! intermediate value a reader may want to see is kept and readable.
//!
//! - [`tensor::Matrix`] is the batch type (one sample per row) and [`tensor::Shape`] a sample's shape.
//! - [`activation`] holds each activation function next to its derivative.
//! - [`layer`] holds the layers, each a [`layer::Module`] with `forward` and `backward`.
//! - [`model::Sequential`] chains layers; [`trace::Trace`] is the per-layer record of a pass.
//! - [`normalize::MinMaxScaler`] scales input features; [`shapes`] is the layer-shape calculator.
//! - [`optim`] holds the optimizers; [`regularize`] the weight penalties and pruning.
//! - [`train::Trainer`] trains a model one mini-batch at a time with a loss, an optimizer and a penalty.
//! - [`workloads`] holds the training-speed workloads W1–W3c, trained through [`train::Trainer`].
//! - [`rng::Rng`] is the one seeded generator, always passed in explicitly.
//! - [`error::EngineError`] is returned, never panicked, for any bad input.

pub mod activation;
pub mod augmentation_demo;
pub mod backprop;
pub mod capacity;
pub mod compare;
pub mod cost_curves;
pub mod data;
pub mod effects;
pub mod error;
pub mod evaluation;
pub mod feature_map;
pub mod gan;
pub mod gradcheck;
mod kernels;
pub mod layer;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod normalization_demo;
pub mod normalize;
pub mod optim;
pub mod penalties_demo;
pub mod playground;
pub mod pruning;
pub mod regularize;
pub mod rng;
pub mod shapes;
pub mod shrinkage;
pub mod surfaces;
pub mod tensor;
pub mod trace;
pub mod train;
pub mod transformer;
pub mod workloads;

pub use error::{EngineError, Result};
pub use loss::Loss;
pub use model::Sequential;
pub use rng::Rng;
pub use tensor::{Matrix, Shape};
