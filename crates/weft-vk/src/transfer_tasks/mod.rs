//! Built-in transfer tasks: copies between buffers and images (every mip and layer of the
//! views, regions derived from the views), fills, color and depth clears, blits with mip
//! generation, and small host updates ([`copies`], [`clears`], [`blits`]). Each declares
//! its own accesses, so the graph synchronises them like any other task. This module holds
//! what they share: the accesses, clear values, texel sizes and view lookups.

use ash::vk;
use weft_graph::{access, Access, BufferView, ImageDesc, ImageRange, ImageView};

use crate::error::VkError;
use crate::graph::Graph;

mod blits;
mod clears;
mod copies;

pub(crate) use crate::clear_color::ClearColor;

/// Copies use `access::TRANSFER_SRC` / `TRANSFER_DST` (COPY stage); fills, updates and
/// clears `access::CLEAR_DST` (the CLEAR stage, as the spec and the 1.4 validation layer
/// have it).
pub(crate) const COPY_SRC: Access = access::TRANSFER_SRC;
pub(crate) const COPY_DST: Access = access::TRANSFER_DST;
pub(crate) const CLEAR_DST: Access = access::CLEAR_DST;
pub(crate) const BLIT_SRC: Access = access::BLIT_SRC;
pub(crate) const BLIT_DST: Access = access::BLIT_DST;

/// Bytes per texel of the uncompressed formats copies between buffers and images support.
pub(crate) fn texel_size(format: vk::Format) -> Option<u64> {
    use vk::Format as F;
    Some(match format {
        F::R8_UNORM | F::R8_SNORM | F::R8_UINT | F::R8_SINT | F::S8_UINT => 1,
        F::R8G8_UNORM
        | F::R8G8_UINT
        | F::R16_SFLOAT
        | F::R16_UINT
        | F::R16_UNORM
        | F::D16_UNORM => 2,
        F::R8G8B8A8_UNORM
        | F::R8G8B8A8_SRGB
        | F::R8G8B8A8_UINT
        | F::R8G8B8A8_SINT
        | F::B8G8R8A8_UNORM
        | F::B8G8R8A8_SRGB
        | F::R16G16_SFLOAT
        | F::R16G16_UINT
        | F::R32_SFLOAT
        | F::R32_UINT
        | F::R32_SINT
        | F::A2B10G10R10_UNORM_PACK32
        | F::B10G11R11_UFLOAT_PACK32
        | F::D32_SFLOAT => 4,
        F::R16G16B16A16_SFLOAT
        | F::R16G16B16A16_UINT
        | F::R16G16B16A16_UNORM
        | F::R32G32_SFLOAT
        | F::R32G32_UINT => 8,
        F::R32G32B32A32_SFLOAT | F::R32G32B32A32_UINT | F::R32G32B32A32_SINT => 16,
        _ => return None,
    })
}

/// The extent of mip `mip` of `desc`.
pub(crate) fn mip_extent(desc: &ImageDesc, mip: u32) -> vk::Extent3D {
    vk::Extent3D {
        width: (desc.extent.width >> mip).max(1),
        height: (desc.extent.height >> mip).max(1),
        depth: (desc.extent.depth >> mip).max(1),
    }
}

/// The copy regions of every mip of `range` (all its layers at once), with the bytes each
/// takes tightly packed in a buffer from `offset`; returns the regions and the total size.
pub(crate) fn packed_regions(
    desc: &ImageDesc,
    range: &ImageRange,
    offset: u64,
    texel: u64,
) -> (Vec<vk::BufferImageCopy>, u64) {
    let mut regions = Vec::with_capacity(range.mip_count as usize);
    let mut at = offset;
    for mip in range.base_mip..range.base_mip + range.mip_count {
        let extent = mip_extent(desc, mip);
        regions.push(
            vk::BufferImageCopy::default()
                .buffer_offset(at)
                .image_subresource(vk::ImageSubresourceLayers {
                    aspect_mask: range.aspect,
                    mip_level: mip,
                    base_array_layer: range.base_layer,
                    layer_count: range.layer_count,
                })
                .image_extent(extent),
        );
        at += u64::from(extent.width)
            * u64::from(extent.height)
            * u64::from(extent.depth)
            * u64::from(range.layer_count)
            * texel;
    }
    (regions, at - offset)
}

impl<U: 'static> Graph<U> {
    /// The image description and resolved range of `view`, or an error naming `task`.
    pub(crate) fn image_of(
        &self,
        task: &str,
        view: ImageView,
    ) -> Result<(ImageDesc, ImageRange), VkError> {
        let index = view.image.index();
        let desc = *self
            .image_desc(view.image)
            .ok_or(VkError::ForeignResource { index })?;
        let range = view
            .range_in(&desc)
            .ok_or_else(|| misuse(task, &self.name_of(index), "the view is outside the image"))?;
        Ok((desc, range))
    }

    /// The buffer size and resolved `(offset, size)` of `view`, or an error naming `task`.
    pub(crate) fn buffer_of(&self, task: &str, view: BufferView) -> Result<(u64, u64), VkError> {
        let index = view.buffer.index();
        let desc = self
            .buffer_desc(view.buffer)
            .ok_or(VkError::ForeignResource { index })?;
        view.range_in(desc.size)
            .ok_or_else(|| misuse(task, &self.name_of(index), "the view is outside the buffer"))
    }

    pub(crate) fn name_of(&self, index: u32) -> String {
        self.resources()
            .get(index as usize)
            .map_or_else(|| format!("#{index}"), |r| r.name.clone())
    }
}

/// The layers of `range` at mip `mip`.
pub(crate) fn layers(range: &ImageRange, mip: u32) -> vk::ImageSubresourceLayers {
    vk::ImageSubresourceLayers {
        aspect_mask: range.aspect,
        mip_level: mip,
        base_array_layer: range.base_layer,
        layer_count: range.layer_count,
    }
}

/// The error of a transfer task that does not fit its views.
pub(crate) fn misuse(task: &str, resource: &str, problem: &str) -> VkError {
    VkError::Transfer {
        task: task.to_owned(),
        resource: resource.to_owned(),
        problem: problem.to_owned(),
    }
}
