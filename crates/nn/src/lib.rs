//! spiega's neural-network library: tensors, layers, losses, optimizers, training, metrics and
//! data, in plain Rust on nalgebra.
//!
//! The library knows nothing about the browser or about the article's figures: it takes numbers
//! and returns numbers, and every intermediate value a reader may want to see is kept and readable.
//! The figures' own computations live in the `spiega-lessons` crate, built on this one.
//!
//! - [`tensor::Matrix`] is the batch type (one sample per row) and [`tensor::Shape`] a sample's shape.
//! - [`activation`] holds each activation function next to its derivative.
//! - [`layer`] holds the layers, each a [`layer::Module`] with `forward` and `backward`.
//! - [`model::Sequential`] chains layers; [`trace::Trace`] is the per-layer record of a pass.
//! - [`loss`] holds the losses, each with its gradient; [`finite_difference`] the numerical
//!   derivative gradients are checked against.
//! - [`optim`] holds the optimizers; [`regularize`] the weight penalties and magnitude pruning.
//! - [`linear_model`] is penalised linear regression (lasso, ridge, elastic net) and its paths.
//! - [`train::Trainer`] trains a model one mini-batch at a time with a loss, an optimizer and a penalty.
//! - [`normalize::MinMaxScaler`] scales input features; [`shapes`] infers layer shapes and counts.
//! - [`metrics`] scores predictions; [`data`] makes, splits, batches and reads data sets.
//! - [`rng::Rng`] is the one seeded generator, always passed in explicitly.
//! - [`error::EngineError`] is returned, never panicked, for any bad input.

pub mod activation;
pub mod data;
pub mod error;
pub mod finite_difference;
mod kernels;
pub mod layer;
pub mod linear_model;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod normalize;
pub mod optim;
pub mod param;
pub mod regularize;
pub mod rng;
pub mod shapes;
pub mod tensor;
pub mod trace;
pub mod train;

pub use error::{EngineError, Result};
pub use loss::Loss;
pub use model::Sequential;
pub use rng::Rng;
pub use tensor::{Matrix, Shape};
