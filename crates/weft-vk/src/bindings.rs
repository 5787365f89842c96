//! Bindings: the real resource behind each external virtual resource of a graph. A binding
//! is checked against the virtual resource's description when it is made, and stays until
//! it is replaced; rebinding needs no recompile.

use std::sync::Arc;

use weft_graph::{BufferDesc, ImageDesc};

use crate::buffer::Buffer;
use crate::error::VkError;
use crate::image::Image;

/// A real resource bound to an external virtual one.
#[derive(Clone)]
pub(crate) enum Bound {
    Buffer(Arc<Buffer>),
    Image(Arc<Image>),
}

impl Bound {
    /// Marks the real resource as used by submission `value`.
    pub fn in_flight(&self, value: u64) {
        match self {
            Bound::Buffer(b) => b.in_flight.set(value),
            Bound::Image(i) => i.in_flight.set(value),
        }
    }
}

/// An error when `real` cannot stand for the virtual buffer `resource` described by `want`.
pub(crate) fn check_buffer_fits(
    resource: &str,
    want: &BufferDesc,
    real: &Buffer,
) -> Result<(), VkError> {
    let problem = if real.size() < want.size {
        format!(
            "it has {} bytes, the graph declares {}",
            real.size(),
            want.size
        )
    } else if !real.usage().contains(want.usage) {
        format!("it lacks usage {:?}", want.usage & !real.usage())
    } else {
        return Ok(());
    };
    Err(VkError::DoesNotFit {
        kind: "buffer",
        resource: resource.to_owned(),
        real: real.name().to_owned(),
        problem,
    })
}

/// An error when `real` cannot stand for the virtual image `resource` described by `want`.
pub(crate) fn check_image_fits(
    resource: &str,
    want: &ImageDesc,
    real: &Image,
) -> Result<(), VkError> {
    let have = real.desc();
    let problem = if have.format != want.format {
        format!(
            "format {:?}, the graph declares {:?}",
            have.format, want.format
        )
    } else if have.extent != want.extent {
        format!(
            "extent {}x{}x{}, the graph declares {}x{}x{}",
            have.extent.width,
            have.extent.height,
            have.extent.depth,
            want.extent.width,
            want.extent.height,
            want.extent.depth
        )
    } else if have.mip_levels < want.mip_levels || have.array_layers < want.array_layers {
        format!(
            "{} mips and {} layers, the graph declares {} and {}",
            have.mip_levels, have.array_layers, want.mip_levels, want.array_layers
        )
    } else if !have.usage.contains(want.usage) {
        format!("it lacks usage {:?}", want.usage & !have.usage)
    } else {
        return Ok(());
    };
    Err(VkError::DoesNotFit {
        kind: "image",
        resource: resource.to_owned(),
        real: real.name().to_owned(),
        problem,
    })
}
