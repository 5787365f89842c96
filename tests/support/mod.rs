//! Helpers shared by the integration tests (each test binary that needs them declares
//! `mod support;`).

use weft::prelude::*;
use weft::runtime::Callback;

/// Records a task "read back" copying mip 0, layer 0 of the color image `image`
/// (`width` × `height` texels) into the start of `out`.
pub fn read_back_color<U: 'static>(
    g: &mut TaskGraph<Callback<U>>,
    image: TaskImage,
    out: TaskBuffer,
    width: u32,
    height: u32,
) {
    g.task("read back")
        .attach(image, access::TRANSFER_SRC)
        .attach(out, access::TRANSFER_DST)
        .run(Box::new(move |cx| {
            let region = vk::BufferImageCopy::default()
                .image_subresource(vk::ImageSubresourceLayers {
                    aspect_mask: vk::ImageAspectFlags::COLOR,
                    mip_level: 0,
                    base_array_layer: 0,
                    layer_count: 1,
                })
                .image_extent(vk::Extent3D {
                    width,
                    height,
                    depth: 1,
                });
            // SAFETY: recording; the plan put `image` in TRANSFER_SRC and `out` in
            // TRANSFER_DST.
            unsafe {
                cx.device().cmd_copy_image_to_buffer(
                    cx.cmd(),
                    cx.image(image),
                    vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                    cx.buffer(out),
                    &[region],
                )
            }
        }))
        .record()
        .unwrap();
}
