//! Helpers shared by the integration tests (each test binary that needs them declares
//! `mod support;`).

use weft::prelude::*;
use weft::runtime::Callback;

/// Records a task `name` copying every subresource of the color image `image` (mip 0 of
/// `[width, height]` texels, `mips` mips, `layers` layers, 4 bytes a texel) into `out`,
/// packed in (mip, layer) order.
pub fn read_back<U: 'static>(
    g: &mut TaskGraph<Callback<U>>,
    name: &str,
    image: TaskImage,
    out: TaskBuffer,
    [width, height]: [u32; 2],
    mips: u32,
    layers: u32,
) {
    g.task(name)
        .attach(image, access::TRANSFER_SRC)
        .attach(out, access::TRANSFER_DST)
        .run(Box::new(move |cx| {
            let mut offset = 0u64;
            for mip in 0..mips {
                let (w, h) = ((width >> mip).max(1), (height >> mip).max(1));
                for layer in 0..layers {
                    let region = vk::BufferImageCopy::default()
                        .buffer_offset(offset)
                        .image_subresource(vk::ImageSubresourceLayers {
                            aspect_mask: vk::ImageAspectFlags::COLOR,
                            mip_level: mip,
                            base_array_layer: layer,
                            layer_count: 1,
                        })
                        .image_extent(vk::Extent3D {
                            width: w,
                            height: h,
                            depth: 1,
                        });
                    // SAFETY: recording; the plan put the whole image in TRANSFER_SRC and
                    // `out` in TRANSFER_DST.
                    unsafe {
                        cx.device().cmd_copy_image_to_buffer(
                            cx.cmd(),
                            cx.image(image),
                            vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                            cx.buffer(out),
                            &[region],
                        )
                    }
                    offset += u64::from(w * h) * 4;
                }
            }
        }))
        .record()
        .unwrap();
}
