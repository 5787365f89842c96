//! Helpers shared by the integration tests (each test binary that needs them declares
//! `mod support;`). Not every binary uses every helper.
#![allow(dead_code)]

use std::sync::Arc;

use weft::prelude::*;
use weft::runtime::{Buffer, BufferInfo, Context, ContextOptions, Graph, MemoryLocation};

/// A context with validation and synchronization validation on. Without a usable device
/// it panics with the error, which says how to install lavapipe.
pub fn context() -> Arc<Context> {
    match Context::new(&ContextOptions::validated()) {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => panic!("no usable Vulkan device: {e}"),
    }
}

/// Fails when the validation layers reported anything, printing their log.
pub fn assert_no_messages(ctx: &Context) {
    assert_eq!(
        ctx.validation_messages(),
        0,
        "validation messages:\n{}",
        ctx.validation_log().join("\n")
    );
}

/// A host-visible buffer (`GpuToCpu`: for results the test reads back, or data it writes).
pub fn host_buffer(
    ctx: &Arc<Context>,
    name: &str,
    size: u64,
    usage: vk::BufferUsageFlags,
) -> Arc<Buffer> {
    Arc::new(
        Buffer::new(
            ctx,
            &BufferInfo {
                name,
                size,
                usage,
                location: MemoryLocation::GpuToCpu,
            },
        )
        .unwrap(),
    )
}

/// A host-visible buffer (`CpuToGpu`) holding `bytes`, for data the GPU reads.
pub fn filled_buffer(
    ctx: &Arc<Context>,
    name: &str,
    usage: vk::BufferUsageFlags,
    bytes: &[u8],
) -> Arc<Buffer> {
    let buffer = Buffer::new(
        ctx,
        &BufferInfo {
            name,
            size: bytes.len() as u64,
            usage,
            location: MemoryLocation::CpuToGpu,
        },
    )
    .unwrap();
    buffer.mapped_mut().unwrap().copy_from_slice(bytes);
    Arc::new(buffer)
}

/// The native-endian `u32`s of `bytes`.
pub fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Records a task `name` copying every subresource of the color image `image` (mip 0 of
/// `[width, height]` texels, `mips` mips, `layers` layers, 4 bytes a texel) into `out`,
/// packed in (mip, layer) order.
pub fn read_back<U: 'static>(
    g: &mut Graph<U>,
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
        .run(move |cx| {
            let (src, dst) = (cx.image(image)?, cx.buffer(out)?);
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
                            src,
                            vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                            dst,
                            &[region],
                        )
                    }
                    offset += u64::from(w * h) * 4;
                }
            }
            Ok(())
        })
        .record()
        .unwrap();
}
