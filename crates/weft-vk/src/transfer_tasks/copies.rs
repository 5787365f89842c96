//! Copies between buffers and images, every mip and layer of the views.

use ash::vk;
use weft_graph::{BufferView, ImageView, TaskId};

use super::{layers, mip_extent, misuse, packed_regions, texel_size, COPY_DST, COPY_SRC};
use crate::error::VkError;
use crate::graph::Graph;

impl<U: 'static> Graph<U> {
    /// Copies `src` to `dst`, two buffer views of the same size (`vkCmdCopyBuffer`).
    pub fn copy_buffer(
        &mut self,
        name: &str,
        src: impl Into<BufferView>,
        dst: impl Into<BufferView>,
    ) -> Result<TaskId, VkError> {
        let (src, dst) = (src.into(), dst.into());
        let (from, size) = self.buffer_of(name, src)?;
        let (to, dst_size) = self.buffer_of(name, dst)?;
        if size != dst_size {
            return Err(misuse(
                name,
                &self.name_of(dst.buffer.index()),
                &format!("the destination has {dst_size} bytes, the source {size}"),
            ));
        }
        let region = vk::BufferCopy {
            src_offset: from,
            dst_offset: to,
            size,
        };
        self.task(name)
            .attach(src, COPY_SRC)
            .attach(dst, COPY_DST)
            .run(move |cx| {
                let (s, d) = (cx.buffer(src.buffer)?, cx.buffer(dst.buffer)?);
                // SAFETY: recording; both ranges were checked against their buffers and the
                // plan synchronises them.
                unsafe { cx.device().cmd_copy_buffer(cx.cmd(), s, d, &[region]) };
                Ok(())
            })
            .record()
    }

    /// Copies the bytes of `src` into every mip and layer of `dst`, tightly packed in mip
    /// order (all layers of a mip together), like [`Graph::copy_image_to_buffer`] writes
    /// them (`vkCmdCopyBufferToImage`).
    pub fn copy_buffer_to_image(
        &mut self,
        name: &str,
        src: impl Into<BufferView>,
        dst: impl Into<ImageView>,
    ) -> Result<TaskId, VkError> {
        self.buffer_image_copy(name, src.into(), dst.into(), Direction::ToImage)
    }

    /// Copies every mip and layer of `src` into `dst`, tightly packed in mip order (all
    /// layers of a mip together) (`vkCmdCopyImageToBuffer`).
    pub fn copy_image_to_buffer(
        &mut self,
        name: &str,
        src: impl Into<ImageView>,
        dst: impl Into<BufferView>,
    ) -> Result<TaskId, VkError> {
        self.buffer_image_copy(name, dst.into(), src.into(), Direction::ToBuffer)
    }

    /// A copy between the buffer view `buffer` and every mip and layer of `image`, the
    /// buffer's bytes tightly packed in mip order.
    fn buffer_image_copy(
        &mut self,
        name: &str,
        buffer: BufferView,
        image: ImageView,
        direction: Direction,
    ) -> Result<TaskId, VkError> {
        let (offset, size) = self.buffer_of(name, buffer)?;
        let (regions, needed) = self.packed(name, image, offset)?;
        if size < needed {
            return Err(misuse(
                name,
                &self.name_of(buffer.buffer.index()),
                &format!("the image's texels take {needed} bytes, the buffer view has {size}"),
            ));
        }
        let (buffer_access, image_access) = match direction {
            Direction::ToImage => (COPY_SRC, COPY_DST),
            Direction::ToBuffer => (COPY_DST, COPY_SRC),
        };
        self.task(name)
            .attach(buffer, buffer_access)
            .attach(image, image_access)
            .run(move |cx| {
                let (b, i) = (cx.buffer(buffer.buffer)?, cx.image(image.image)?);
                // SAFETY: recording; the regions lie inside both resources (checked when the
                // task was recorded) and the plan put the image in the transfer layout of
                // its side of the copy.
                unsafe {
                    match direction {
                        Direction::ToImage => cx.device().cmd_copy_buffer_to_image(
                            cx.cmd(),
                            b,
                            i,
                            vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                            &regions,
                        ),
                        Direction::ToBuffer => cx.device().cmd_copy_image_to_buffer(
                            cx.cmd(),
                            i,
                            vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                            b,
                            &regions,
                        ),
                    }
                };
                Ok(())
            })
            .record()
    }

    /// The packed copy regions of image view `view` from buffer offset `offset`.
    fn packed(
        &self,
        task: &str,
        view: ImageView,
        offset: u64,
    ) -> Result<(Vec<vk::BufferImageCopy>, u64), VkError> {
        let (desc, range) = self.image_of(task, view)?;
        let texel = texel_size(desc.format).ok_or_else(|| {
            misuse(
                task,
                &self.name_of(view.image.index()),
                &format!(
                    "copies to buffers do not know the texel size of {:?}",
                    desc.format
                ),
            )
        })?;
        Ok(packed_regions(&desc, &range, offset, texel))
    }

    /// Copies every mip and layer of `src` into `dst`, views of the same shape: as many mips
    /// and layers, mip extents equal (`vkCmdCopyImage`).
    pub fn copy_image(
        &mut self,
        name: &str,
        src: impl Into<ImageView>,
        dst: impl Into<ImageView>,
    ) -> Result<TaskId, VkError> {
        let (src, dst) = (src.into(), dst.into());
        let (src_desc, src_range) = self.image_of(name, src)?;
        let (dst_desc, dst_range) = self.image_of(name, dst)?;
        let same_shape = src_range.mip_count == dst_range.mip_count
            && src_range.layer_count == dst_range.layer_count
            && mip_extent(&src_desc, src_range.base_mip)
                == mip_extent(&dst_desc, dst_range.base_mip);
        if !same_shape {
            return Err(misuse(
                name,
                &self.name_of(dst.image.index()),
                "the destination view has another extent, mip count or layer count than the source",
            ));
        }
        let regions: Vec<vk::ImageCopy> = (0..src_range.mip_count)
            .map(|m| vk::ImageCopy {
                src_subresource: layers(&src_range, src_range.base_mip + m),
                src_offset: vk::Offset3D::default(),
                dst_subresource: layers(&dst_range, dst_range.base_mip + m),
                dst_offset: vk::Offset3D::default(),
                extent: mip_extent(&src_desc, src_range.base_mip + m),
            })
            .collect();
        self.task(name)
            .attach(src, COPY_SRC)
            .attach(dst, COPY_DST)
            .run(move |cx| {
                let (s, d) = (cx.image(src.image)?, cx.image(dst.image)?);
                // SAFETY: recording; the regions lie inside both images (checked when the
                // task was recorded) and the plan put them in their transfer layouts.
                unsafe {
                    cx.device().cmd_copy_image(
                        cx.cmd(),
                        s,
                        vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                        d,
                        vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                        &regions,
                    )
                };
                Ok(())
            })
            .record()
    }
}

/// Which way a buffer-image copy goes.
#[derive(Clone, Copy)]
enum Direction {
    ToImage,
    ToBuffer,
}
