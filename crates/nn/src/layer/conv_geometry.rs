//! The window geometry of a 2-D convolution or pooling layer: how an axis is padded (valid,
//! TensorFlow "same", explicit), the output size it gives, and which input pixel each output
//! pixel's window reads; and the size check every layer applies before it allocates.
//!
//! Its own file so that the layers (`conv2d`, `pool`) and the direct convolution kernels
//! (`kernels::conv`) all read one geometry without depending on each other.

use crate::error::{EngineError, Result};
use crate::tensor::Shape;

/// The largest number of values a layer's sample, weights or window table may hold; bigger
/// requests are refused instead of exhausting memory.
pub(crate) const MAX_ELEMENTS: usize = 1 << 28;

/// Multiplies sizes, refusing overflow and anything above [`MAX_ELEMENTS`].
pub(crate) fn checked_size(what: &str, dims: &[usize]) -> Result<usize> {
    let total = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS);
    total.ok_or_else(|| {
        EngineError::Invalid(format!(
            "{what} would hold {dims:?} values, more than the {MAX_ELEMENTS} the engine allows"
        ))
    })
}

/// How many zero pixels surround an image on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PadAmounts {
    /// Rows of zeros above the image.
    pub top: usize,
    /// Rows of zeros below the image.
    pub bottom: usize,
    /// Columns of zeros left of the image.
    pub left: usize,
    /// Columns of zeros right of the image.
    pub right: usize,
}

/// How a convolution pads its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// No padding: only windows that lie wholly inside the image, `out = ⌊(in − k)/s⌋ + 1`.
    Valid,
    /// TensorFlow's "same": `out = ⌈in/s⌉`, `pad_total = max((out − 1)·s + k − in, 0)`,
    /// `pad_before = ⌊pad_total/2⌋` and the odd extra pixel after (bottom, right).
    Same,
    /// These amounts on each side: `out = ⌊(in + before + after − k)/s⌋ + 1`.
    Explicit(PadAmounts),
}

/// How one axis (height or width) is padded; see [`Padding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisPadding {
    /// No padding.
    Valid,
    /// TensorFlow's "same" rule.
    Same,
    /// These amounts before and after.
    Explicit {
        /// Zeros before the first pixel (top or left).
        before: usize,
        /// Zeros after the last pixel (bottom or right).
        after: usize,
    },
}

/// The outcome of sliding a window along one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisGeometry {
    /// The number of window positions (output length).
    pub out_len: usize,
    /// Zeros added before the first pixel.
    pub pad_before: usize,
    /// Zeros added after the last pixel.
    pub pad_after: usize,
}

/// Slides a `kernel`-wide window with step `stride` along an axis of `in_len` pixels padded per
/// `padding`, returning the output length and the padding used.
///
/// Errors when a size is 0, when the window does not fit in the padded axis, or on overflow.
pub fn axis_geometry(
    in_len: usize,
    kernel: usize,
    stride: usize,
    padding: AxisPadding,
) -> Result<AxisGeometry> {
    if in_len == 0 {
        return Err(EngineError::hyper(
            "input size",
            in_len,
            "it must be at least 1",
        ));
    }
    if kernel == 0 {
        return Err(EngineError::hyper(
            "kernel size",
            kernel,
            "it must be at least 1",
        ));
    }
    if stride == 0 {
        return Err(EngineError::hyper(
            "stride",
            stride,
            "it must be at least 1",
        ));
    }
    let overflow = || EngineError::Invalid("the padded size is too large".to_owned());
    let (before, after) = match padding {
        AxisPadding::Valid => (0, 0),
        AxisPadding::Same => {
            let out = in_len.div_ceil(stride);
            let reach = (out - 1)
                .checked_mul(stride)
                .and_then(|v| v.checked_add(kernel))
                .ok_or_else(overflow)?;
            let total = reach.saturating_sub(in_len);
            (total / 2, total - total / 2)
        }
        AxisPadding::Explicit { before, after } => (before, after),
    };
    let padded = in_len
        .checked_add(before)
        .and_then(|v| v.checked_add(after))
        .ok_or_else(overflow)?;
    if padded < kernel {
        return Err(EngineError::Invalid(format!(
            "a window of {kernel} does not fit in an axis of {in_len} padded by {before} + {after}"
        )));
    }
    Ok(AxisGeometry {
        out_len: (padded - kernel) / stride + 1,
        pad_before: before,
        pad_after: after,
    })
}

/// The validated shape of a convolution (or pooling) over images: channels, sizes, kernel,
/// stride, padding and the resulting output size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry {
    pub(crate) in_channels: usize,
    pub(crate) in_height: usize,
    pub(crate) in_width: usize,
    pub(crate) out_channels: usize,
    pub(crate) kernel: (usize, usize),
    pub(crate) stride: (usize, usize),
    pub(crate) pad: PadAmounts,
    pub(crate) out_height: usize,
    pub(crate) out_width: usize,
}

impl ConvGeometry {
    /// The geometry of `out_channels` filters of `kernel = (height, width)` moved by
    /// `stride = (down, across)` over images of shape `input` (which must be `Shape::Image`).
    pub fn new(
        input: Shape,
        out_channels: usize,
        kernel: (usize, usize),
        stride: (usize, usize),
        padding: Padding,
    ) -> Result<Self> {
        let Shape::Image {
            channels,
            height,
            width,
        } = input
        else {
            return Err(EngineError::Invalid(format!(
                "a convolution needs image input (channels, height, width), got {input}"
            )));
        };
        if channels == 0 || out_channels == 0 {
            return Err(EngineError::Invalid(format!(
                "a convolution needs at least one input and one output channel, got \
                 {channels} → {out_channels}"
            )));
        }
        let (vertical, horizontal) = match padding {
            Padding::Valid => (AxisPadding::Valid, AxisPadding::Valid),
            Padding::Same => (AxisPadding::Same, AxisPadding::Same),
            Padding::Explicit(p) => (
                AxisPadding::Explicit {
                    before: p.top,
                    after: p.bottom,
                },
                AxisPadding::Explicit {
                    before: p.left,
                    after: p.right,
                },
            ),
        };
        let rows = axis_geometry(height, kernel.0, stride.0, vertical)?;
        let cols = axis_geometry(width, kernel.1, stride.1, horizontal)?;
        checked_size("the input image", &[channels, height, width])?;
        checked_size(
            "the output image",
            &[out_channels, rows.out_len, cols.out_len],
        )?;
        checked_size("the filters", &[out_channels, channels, kernel.0, kernel.1])?;
        checked_size(
            "one sample's patch table",
            &[rows.out_len, cols.out_len, channels, kernel.0, kernel.1],
        )?;
        Ok(Self {
            in_channels: channels,
            in_height: height,
            in_width: width,
            out_channels,
            kernel,
            stride,
            pad: PadAmounts {
                top: rows.pad_before,
                bottom: rows.pad_after,
                left: cols.pad_before,
                right: cols.pad_after,
            },
            out_height: rows.out_len,
            out_width: cols.out_len,
        })
    }

    /// Input channels.
    pub fn in_channels(&self) -> usize {
        self.in_channels
    }

    /// Input height in pixels.
    pub fn in_height(&self) -> usize {
        self.in_height
    }

    /// Input width in pixels.
    pub fn in_width(&self) -> usize {
        self.in_width
    }

    /// Output channels (filters).
    pub fn out_channels(&self) -> usize {
        self.out_channels
    }

    /// Kernel `(height, width)`.
    pub fn kernel(&self) -> (usize, usize) {
        self.kernel
    }

    /// Stride `(down, across)`.
    pub fn stride(&self) -> (usize, usize) {
        self.stride
    }

    /// The padding actually used on each side.
    pub fn padding(&self) -> PadAmounts {
        self.pad
    }

    /// Output height.
    pub fn out_height(&self) -> usize {
        self.out_height
    }

    /// Output width.
    pub fn out_width(&self) -> usize {
        self.out_width
    }

    /// The input shape `(C_in, H, W)`.
    pub fn input_shape(&self) -> Shape {
        Shape::Image {
            channels: self.in_channels,
            height: self.in_height,
            width: self.in_width,
        }
    }

    /// The output shape `(C_out, H_out, W_out)`.
    pub fn output_shape(&self) -> Shape {
        Shape::Image {
            channels: self.out_channels,
            height: self.out_height,
            width: self.out_width,
        }
    }

    /// The number of weights of one filter bank row: `C_in · kh · kw`.
    pub(crate) fn patch_len(&self) -> usize {
        self.in_channels * self.kernel.0 * self.kernel.1
    }

    /// Output positions per channel, `H_out · W_out`.
    pub(crate) fn positions(&self) -> usize {
        self.out_height * self.out_width
    }

    /// The input row (and whether it lies inside the image) read by output row `oh` at kernel
    /// row `ki`.
    pub(crate) fn source_row(&self, oh: usize, ki: usize) -> Option<usize> {
        (oh * self.stride.0 + ki)
            .checked_sub(self.pad.top)
            .filter(|&r| r < self.in_height)
    }

    /// The input column read by output column `ow` at kernel column `kj`, if inside the image.
    pub(crate) fn source_col(&self, ow: usize, kj: usize) -> Option<usize> {
        (ow * self.stride.1 + kj)
            .checked_sub(self.pad.left)
            .filter(|&c| c < self.in_width)
    }
}
