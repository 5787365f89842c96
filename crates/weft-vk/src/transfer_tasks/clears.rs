//! Fills and updates of buffers, clears of color and depth images.

use ash::vk;
use weft_graph::{BufferView, ImageRange, ImageView, TaskId};

use super::{misuse, ClearColor, CLEAR_DST};
use crate::error::VkError;
use crate::graph::Graph;

impl<U: 'static> Graph<U> {
    /// Fills `dst` (offset and size multiples of 4) with the 32-bit `value`
    /// (`vkCmdFillBuffer`).
    pub fn fill(
        &mut self,
        name: &str,
        dst: impl Into<BufferView>,
        value: u32,
    ) -> Result<TaskId, VkError> {
        let dst = dst.into();
        let (offset, size) = self.buffer_of(name, dst)?;
        if offset % 4 != 0 || size % 4 != 0 {
            return Err(misuse(
                name,
                &self.name_of(dst.buffer.index()),
                &format!("a fill needs an offset and size that are multiples of 4, not {offset} and {size}"),
            ));
        }
        self.task(name)
            .attach(dst, CLEAR_DST)
            .run(move |cx| {
                let d = cx.buffer(dst.buffer)?;
                // SAFETY: recording; the range was checked (inside, 4-byte aligned).
                unsafe {
                    cx.device()
                        .cmd_fill_buffer(cx.cmd(), d, offset, size, value)
                };
                Ok(())
            })
            .record()
    }

    /// Writes `bytes` (at most 65,536, a multiple of 4) into `dst` from the command buffer
    /// (`vkCmdUpdateBuffer`); the view must be as long as `bytes`.
    pub fn update(
        &mut self,
        name: &str,
        dst: impl Into<BufferView>,
        bytes: &[u8],
    ) -> Result<TaskId, VkError> {
        let dst = dst.into();
        let (offset, size) = self.buffer_of(name, dst)?;
        let fits = size == bytes.len() as u64 && offset % 4 == 0 && size % 4 == 0 && size <= 65_536;
        if !fits {
            return Err(misuse(
                name,
                &self.name_of(dst.buffer.index()),
                &format!(
                    "an update writes 4-byte aligned views of at most 65536 bytes equal to the data: view {offset}+{size}, {} bytes given",
                    bytes.len()
                ),
            ));
        }
        let data = bytes.to_vec();
        self.task(name)
            .attach(dst, CLEAR_DST)
            .run(move |cx| {
                let d = cx.buffer(dst.buffer)?;
                // SAFETY: recording; the range and data size were checked.
                unsafe { cx.device().cmd_update_buffer(cx.cmd(), d, offset, &data) };
                Ok(())
            })
            .record()
    }

    /// Clears every mip and layer of the color view `dst` to `color`, whose numeric type
    /// must fit the image's format (`vkCmdClearColorImage`).
    pub fn clear_color(
        &mut self,
        name: &str,
        dst: impl Into<ImageView>,
        color: impl Into<ClearColor>,
    ) -> Result<TaskId, VkError> {
        let (dst, color) = (dst.into(), color.into());
        let (desc, range) = self.image_of(name, dst)?;
        color
            .check(desc.format)
            .map_err(|problem| misuse(name, &self.name_of(dst.image.index()), &problem))?;
        self.clear_image(name, dst, range, ImageClear::Color(color.to_vk()))
    }

    /// Clears every mip and layer of the depth/stencil view `dst` to `depth` and `stencil`
    /// (`vkCmdClearDepthStencilImage`).
    pub fn clear_depth(
        &mut self,
        name: &str,
        dst: impl Into<ImageView>,
        depth: f32,
        stencil: u32,
    ) -> Result<TaskId, VkError> {
        let dst = dst.into();
        let (_, range) = self.image_of(name, dst)?;
        let value = vk::ClearDepthStencilValue { depth, stencil };
        self.clear_image(name, dst, range, ImageClear::DepthStencil(value))
    }

    /// A task clearing `range` of the image view `dst` to `value`.
    fn clear_image(
        &mut self,
        name: &str,
        dst: ImageView,
        range: ImageRange,
        value: ImageClear,
    ) -> Result<TaskId, VkError> {
        self.task(name)
            .attach(dst, CLEAR_DST)
            .run(move |cx| {
                let d = cx.image(dst.image)?;
                let (layout, ranges) = (vk::ImageLayout::TRANSFER_DST_OPTIMAL, [range.to_vk()]);
                // SAFETY: recording; the plan put the range in TRANSFER_DST_OPTIMAL.
                unsafe {
                    match &value {
                        ImageClear::Color(color) => {
                            cx.device()
                                .cmd_clear_color_image(cx.cmd(), d, layout, color, &ranges)
                        }
                        ImageClear::DepthStencil(depth) => cx
                            .device()
                            .cmd_clear_depth_stencil_image(cx.cmd(), d, layout, depth, &ranges),
                    }
                };
                Ok(())
            })
            .record()
    }
}

/// What an image clear writes.
enum ImageClear {
    Color(vk::ClearColorValue),
    DepthStencil(vk::ClearDepthStencilValue),
}
