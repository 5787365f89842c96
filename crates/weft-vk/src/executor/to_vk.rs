//! Plan barriers as Vulkan barriers (the recorder's and the bridges' common conversion).

use ash::vk;
use weft_graph::{ImageBarrier, MemoryBarrier};

/// The Vulkan barrier of a plan's image barrier, on this execution's real image.
pub(super) fn image_barrier(
    b: &ImageBarrier,
    images: &[vk::Image],
) -> vk::ImageMemoryBarrier2<'static> {
    // `resolve` gave every image the plan uses a real one (an error otherwise), and only
    // used images have barriers.
    on_image(b, images[b.image as usize])
}

/// The Vulkan barrier of `b` on the real image `image`.
pub(super) fn on_image(b: &ImageBarrier, image: vk::Image) -> vk::ImageMemoryBarrier2<'static> {
    vk::ImageMemoryBarrier2::default()
        .src_stage_mask(b.src_stages)
        .src_access_mask(b.src_access)
        .dst_stage_mask(b.dst_stages)
        .dst_access_mask(b.dst_access)
        .old_layout(b.old_layout)
        .new_layout(b.new_layout)
        .src_queue_family_index(vk::QUEUE_FAMILY_IGNORED)
        .dst_queue_family_index(vk::QUEUE_FAMILY_IGNORED)
        .image(image)
        .subresource_range(b.range.to_vk())
}

pub(super) fn memory_barrier(m: &MemoryBarrier) -> vk::MemoryBarrier2<'static> {
    vk::MemoryBarrier2::default()
        .src_stage_mask(m.src_stages)
        .src_access_mask(m.src_access)
        .dst_stage_mask(m.dst_stages)
        .dst_access_mask(m.dst_access)
}
