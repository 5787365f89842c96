//! Blits between images and mip generation.

use ash::vk;
use weft_graph::{ImageDesc, ImageView, TaskId};

use super::{layers, mip_extent, misuse, BLIT_DST, BLIT_SRC};
use crate::error::VkError;
use crate::graph::Graph;

impl<U: 'static> Graph<U> {
    /// Blits the first mip of `src` onto the first mip of `dst` (whole extents, all layers
    /// of the views, which must have as many), scaling with `filter` (`vkCmdBlitImage`).
    pub fn blit(
        &mut self,
        name: &str,
        src: impl Into<ImageView>,
        dst: impl Into<ImageView>,
        filter: vk::Filter,
    ) -> Result<TaskId, VkError> {
        let (src, dst) = (src.into(), dst.into());
        let (src_desc, src_range) = self.image_of(name, src)?;
        let (dst_desc, dst_range) = self.image_of(name, dst)?;
        if src_range.layer_count != dst_range.layer_count {
            return Err(misuse(
                name,
                &self.name_of(dst.image.index()),
                "a blit needs as many layers in the destination view as in the source",
            ));
        }
        let corner = |desc: &ImageDesc, mip: u32| {
            let e = mip_extent(desc, mip);
            vk::Offset3D {
                x: e.width as i32,
                y: e.height as i32,
                z: e.depth as i32,
            }
        };
        let region = vk::ImageBlit {
            src_subresource: layers(&src_range, src_range.base_mip),
            src_offsets: [
                vk::Offset3D::default(),
                corner(&src_desc, src_range.base_mip),
            ],
            dst_subresource: layers(&dst_range, dst_range.base_mip),
            dst_offsets: [
                vk::Offset3D::default(),
                corner(&dst_desc, dst_range.base_mip),
            ],
        };
        let (src, dst) = (
            src.mips(src_range.base_mip..src_range.base_mip + 1),
            dst.mips(dst_range.base_mip..dst_range.base_mip + 1),
        );
        self.task(name)
            .attach(src, BLIT_SRC)
            .attach(dst, BLIT_DST)
            .run(move |cx| {
                let (s, d) = (cx.image(src.image)?, cx.image(dst.image)?);
                // SAFETY: recording; the regions lie inside both images (whole mips of
                // checked views) and the plan put them in their transfer layouts.
                unsafe {
                    cx.device().cmd_blit_image(
                        cx.cmd(),
                        s,
                        vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                        d,
                        vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                        &[region],
                        filter,
                    )
                };
                Ok(())
            })
            .record()
    }

    /// Generates the mips of `image` after the first mip of the view: one blit task per mip
    /// (`name` and the mip number), each from the mip above with a linear filter. Returns
    /// the last task (none when the view has one mip).
    pub fn generate_mips(
        &mut self,
        name: &str,
        image: impl Into<ImageView>,
    ) -> Result<Option<TaskId>, VkError> {
        let image = image.into();
        let (_, range) = self.image_of(name, image)?;
        let mut last = None;
        for mip in range.base_mip + 1..range.base_mip + range.mip_count {
            last = Some(self.blit(
                &format!("{name} {mip}"),
                image.mips(mip - 1..mip),
                image.mips(mip..mip + 1),
                vk::Filter::LINEAR,
            )?);
        }
        Ok(last)
    }
}
