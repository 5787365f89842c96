//! Helpers shared by the integration tests (each test binary that needs them declares
//! `mod support;`). Not every binary uses every helper.
#![allow(dead_code)]

use std::ops::Range;
use std::sync::Arc;

use weft::prelude::*;
use weft::runtime::{
    Buffer, BufferInfo, Context, ContextOptions, Draw, Graph, MemoryLocation, VkError,
};

pub mod judged;

#[path = "../../benches/synthetic.rs"]
mod synthetic;

/// The benchmarks' small deterministic generator, for the fuzz tests.
#[allow(unused_imports)] // not every test binary has a fuzz test
pub use synthetic::Rng;

/// The buffer usages of the compute tests: storage, copied from and to.
pub const STORAGE_TRANSFER: vk::BufferUsageFlags = vk::BufferUsageFlags::from_raw(
    vk::BufferUsageFlags::STORAGE_BUFFER.as_raw()
        | vk::BufferUsageFlags::TRANSFER_SRC.as_raw()
        | vk::BufferUsageFlags::TRANSFER_DST.as_raw(),
);

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

/// Executes `g` once with a new executor.
pub fn execute_once(ctx: &Arc<Context>, g: &mut Graph) {
    let mut executor = Executor::new(ctx).unwrap();
    executor.execute(g, &mut ()).unwrap();
}

/// Executes `g` once with a new executor, which must fail: the error.
pub fn execute_err(ctx: &Arc<Context>, g: &mut Graph) -> VkError {
    let mut executor = Executor::new(ctx).unwrap();
    executor.execute(g, &mut ()).unwrap_err()
}

/// A buffer of `size` bytes in `location`.
pub fn buffer(
    ctx: &Arc<Context>,
    name: &str,
    size: u64,
    usage: vk::BufferUsageFlags,
    location: MemoryLocation,
) -> Arc<Buffer> {
    let info = BufferInfo {
        name,
        size,
        usage,
        location,
    };
    Arc::new(Buffer::new(ctx, &info).unwrap())
}

/// A host-visible buffer (`GpuToCpu`: for results the test reads back, or data it writes).
pub fn host_buffer(
    ctx: &Arc<Context>,
    name: &str,
    size: u64,
    usage: vk::BufferUsageFlags,
) -> Arc<Buffer> {
    buffer(ctx, name, size, usage, MemoryLocation::GpuToCpu)
}

/// A host-visible buffer (`CpuToGpu`) holding `bytes`, for data the GPU reads.
pub fn filled_buffer(
    ctx: &Arc<Context>,
    name: &str,
    usage: vk::BufferUsageFlags,
    bytes: &[u8],
) -> Arc<Buffer> {
    let size = bytes.len() as u64;
    let filled = buffer(ctx, name, size, usage, MemoryLocation::CpuToGpu);
    filled.mapped_mut().unwrap().copy_from_slice(bytes);
    filled
}

/// A draw of `count` vertices, one instance.
pub fn vertex_draw(count: u32) -> Draw {
    Draw::Vertices {
        count,
        instances: 1,
    }
}

/// The native-endian bytes of `words`.
pub fn bytes_of(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
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
                    let layout = vk::ImageLayout::TRANSFER_SRC_OPTIMAL;
                    // SAFETY: recording; the plan put the whole image in TRANSFER_SRC and
                    // `out` in TRANSFER_DST.
                    unsafe {
                        cx.device()
                            .cmd_copy_image_to_buffer(cx.cmd(), src, layout, dst, &[region])
                    }
                    offset += u64::from(w * h) * 4;
                }
            }
            Ok(())
        })
        .record()
        .unwrap();
}

/// A square `R32_UINT` image of `side` texels a row, with `mips` mips and `layers` layers.
pub fn uint_image_desc(side: u32, mips: u32, layers: u32, usage: vk::ImageUsageFlags) -> ImageDesc {
    ImageDesc::new_2d(vk::Format::R32_UINT, side, side, usage)
        .with_mips(mips)
        .with_layers(layers)
}

/// Imports each of the real resources `reals` into `g` with `import` (`Graph::import_buffer`
/// or `Graph::import_image`), named `{prefix}0`, `{prefix}1`, ...
pub fn import_all<U, R, H>(
    g: &mut Graph<U>,
    prefix: &str,
    reals: &[R],
    import: fn(&mut Graph<U>, &str, &R) -> Result<H, VkError>,
) -> Vec<H> {
    let name = |i: usize| format!("{prefix}{i}");
    reals
        .iter()
        .enumerate()
        .map(|(i, real)| import(g, &name(i), real).unwrap())
        .collect()
}

/// Imports each `(name, real buffer)` of `named` into `g`: the task buffers, in order.
pub fn import_buffers<U: 'static, const N: usize>(
    g: &mut Graph<U>,
    named: [(&str, &Arc<Buffer>); N],
) -> [TaskBuffer; N] {
    named.map(|(name, real)| g.import_buffer(name, real).unwrap())
}

/// Records a task `name` copying `size` bytes from `src` at `from` to `dst` at `to`
/// (`vkCmdCopyBuffer`; `src` and `dst` are distinct buffers).
pub fn copy_buffer<U: 'static>(
    g: &mut Graph<U>,
    name: &str,
    src: TaskBuffer,
    from: u64,
    dst: TaskBuffer,
    to: u64,
    size: u64,
) {
    g.task(name)
        .attach(src.range(from, size), access::TRANSFER_SRC)
        .attach(dst.range(to, size), access::TRANSFER_DST)
        .run(move |cx| {
            let (src, dst) = (cx.buffer(src)?, cx.buffer(dst)?);
            let region = vk::BufferCopy {
                src_offset: from,
                dst_offset: to,
                size,
            };
            // SAFETY: recording; the graph checked both ranges and the plan synchronises
            // them.
            unsafe { cx.device().cmd_copy_buffer(cx.cmd(), src, dst, &[region]) };
            Ok(())
        })
        .record()
        .unwrap();
}

/// Records a task `name` filling the whole `size`-byte `buffer` with the frame's value (the
/// `u32` user data of the execution).
pub fn fill_with_frame(g: &mut Graph<u32>, name: &str, buffer: TaskBuffer, size: u64) {
    g.task(name)
        .attach(buffer, access::CLEAR_DST)
        .run(move |cx| {
            let (real, value) = (cx.buffer(buffer)?, *cx.data);
            // SAFETY: recording; the task attached the whole buffer for a transfer write.
            unsafe { cx.device().cmd_fill_buffer(cx.cmd(), real, 0, size, value) };
            Ok(())
        })
        .record()
        .unwrap();
}

/// Records a task `name` that attaches `view` with `access` and records no command.
pub fn record_empty_task(g: &mut Graph, name: &str, view: impl Into<View>, access: Access) {
    g.task(name)
        .attach(view, access)
        .run(|_| {})
        .record()
        .unwrap();
}

/// The `(mip, layer)` pairs of an image with `mips` mips and `layers` layers, in the order
/// [`read_back`] packs them.
pub fn subresources(mips: u32, layers: u32) -> impl Iterator<Item = (u32, u32)> {
    (0..mips).flat_map(move |mip| (0..layers).map(move |layer| (mip, layer)))
}

/// Records a task `name` that clears the mips `mips` and layers `layers` of the color image
/// `image` to the unsigned integer color `[value, 0, 0, 0]` (`vkCmdClearColorImage`).
pub fn clear_image<U: 'static>(
    g: &mut Graph<U>,
    name: &str,
    image: TaskImage,
    mips: Range<u32>,
    layers: Range<u32>,
    value: u32,
) {
    let range = vk::ImageSubresourceRange {
        aspect_mask: vk::ImageAspectFlags::COLOR,
        base_mip_level: mips.start,
        level_count: mips.end - mips.start,
        base_array_layer: layers.start,
        layer_count: layers.end - layers.start,
    };
    g.task(name)
        .attach(image.whole().mips(mips).layers(layers), access::CLEAR_DST)
        .run(move |cx| {
            let color = vk::ClearColorValue {
                uint32: [value, 0, 0, 0],
            };
            let real = cx.image(image)?;
            // SAFETY: recording; the plan put the cleared subresources in TRANSFER_DST.
            unsafe {
                cx.device().cmd_clear_color_image(
                    cx.cmd(),
                    real,
                    vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                    &color,
                    &[range],
                )
            };
            Ok(())
        })
        .record()
        .unwrap();
}
