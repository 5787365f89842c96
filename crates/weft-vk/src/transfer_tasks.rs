//! Built-in transfer tasks: copies between buffers and images (every mip and layer of the
//! views, regions derived from the views), fills, color and depth clears, blits with mip
//! generation, and small host updates. Each declares its own accesses, so the graph
//! synchronises them like any other task.

use ash::vk;
use weft_graph::{
    access, Access, BufferView, ImageDesc, ImageRange, ImageView, ResourceDesc, TaskId,
};

use crate::error::VkError;
use crate::graph::Graph;

/// Copies use `access::TRANSFER_SRC` / `TRANSFER_DST` (COPY stage); fills, updates and
/// clears `access::CLEAR_DST` (all transfer stages: the spec puts them in CLEAR, the
/// 1.3.239 validation layer in COPY, and a barrier must cover both).
const COPY_SRC: Access = access::TRANSFER_SRC;
const COPY_DST: Access = access::TRANSFER_DST;
const CLEAR_DST: Access = access::CLEAR_DST;
const BLIT_SRC: Access = access::BLIT_SRC;
const BLIT_DST: Access = access::BLIT_DST;

/// A clear color in the attachment format's numeric type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClearColor {
    /// Float, normalised and scaled formats.
    Float([f32; 4]),
    /// Unsigned integer formats.
    Uint([u32; 4]),
    /// Signed integer formats.
    Int([i32; 4]),
}

impl From<[f32; 4]> for ClearColor {
    fn from(v: [f32; 4]) -> Self {
        Self::Float(v)
    }
}

impl From<[u32; 4]> for ClearColor {
    fn from(v: [u32; 4]) -> Self {
        Self::Uint(v)
    }
}

impl From<[i32; 4]> for ClearColor {
    fn from(v: [i32; 4]) -> Self {
        Self::Int(v)
    }
}

impl ClearColor {
    /// The Vulkan value.
    pub fn to_vk(self) -> vk::ClearColorValue {
        match self {
            Self::Float(float32) => vk::ClearColorValue { float32 },
            Self::Uint(uint32) => vk::ClearColorValue { uint32 },
            Self::Int(int32) => vk::ClearColorValue { int32 },
        }
    }

    /// An error text when this value's type does not fit `format` (an unsigned value for
    /// a float format, ...).
    pub(crate) fn check(self, format: vk::Format) -> Result<(), String> {
        let wanted = numeric_type(format);
        let given = match self {
            Self::Float(_) => Numeric::Float,
            Self::Uint(_) => Numeric::Uint,
            Self::Int(_) => Numeric::Int,
        };
        if wanted == given {
            Ok(())
        } else {
            Err(format!(
                "a {given:?} clear value for a {format:?} image, whose texels are {wanted:?}"
            ))
        }
    }
}

/// The numeric type of a color format's texels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Numeric {
    Float,
    Uint,
    Int,
}

fn numeric_type(format: vk::Format) -> Numeric {
    let name = format!("{format:?}");
    if name.ends_with("_UINT") {
        Numeric::Uint
    } else if name.ends_with("_SINT") {
        Numeric::Int
    } else {
        Numeric::Float
    }
}

/// Bytes per texel of the uncompressed formats copies between buffers and images support.
fn texel_size(format: vk::Format) -> Option<u64> {
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
fn mip_extent(desc: &ImageDesc, mip: u32) -> vk::Extent3D {
    vk::Extent3D {
        width: (desc.extent.width >> mip).max(1),
        height: (desc.extent.height >> mip).max(1),
        depth: (desc.extent.depth >> mip).max(1),
    }
}

/// The copy regions of every mip of `range` (all its layers at once), with the bytes each
/// takes tightly packed in a buffer from `offset`; returns the regions and the total size.
fn packed_regions(
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
    fn image_of(&self, task: &str, view: ImageView) -> Result<(ImageDesc, ImageRange), VkError> {
        let index = view.image.index() as usize;
        match self.resources().get(index).map(|r| (&r.desc, &r.name)) {
            Some((ResourceDesc::Image(desc), name)) if self.owns(view) => {
                let range = view
                    .range_in(desc)
                    .ok_or_else(|| misuse(task, name, "the view is outside the image"))?;
                Ok((*desc, range))
            }
            _ => Err(VkError::ForeignResource {
                index: index as u32,
            }),
        }
    }

    /// The buffer size and resolved `(offset, size)` of `view`, or an error naming `task`.
    fn buffer_of(&self, task: &str, view: BufferView) -> Result<(u64, u64), VkError> {
        let index = view.buffer.index() as usize;
        match self.resources().get(index).map(|r| (&r.desc, &r.name)) {
            Some((ResourceDesc::Buffer(desc), name)) if self.owns(view) => view
                .range_in(desc.size)
                .ok_or_else(|| misuse(task, name, "the view is outside the buffer")),
            _ => Err(VkError::ForeignResource {
                index: index as u32,
            }),
        }
    }

    fn name_of(&self, index: u32) -> String {
        self.resources()
            .get(index as usize)
            .map_or_else(|| format!("#{index}"), |r| r.name.clone())
    }

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
        let (src, dst) = (src.into(), dst.into());
        let (offset, size) = self.buffer_of(name, src)?;
        let (regions, needed) = self.packed(name, dst, offset)?;
        if size < needed {
            return Err(misuse(
                name,
                &self.name_of(src.buffer.index()),
                &format!("the image's texels take {needed} bytes, the buffer view has {size}"),
            ));
        }
        self.task(name)
            .attach(src, COPY_SRC)
            .attach(dst, COPY_DST)
            .run(move |cx| {
                let (s, d) = (cx.buffer(src.buffer)?, cx.image(dst.image)?);
                // SAFETY: recording; the regions lie inside both resources (checked when the
                // task was recorded) and the plan put the image in TRANSFER_DST_OPTIMAL.
                unsafe {
                    cx.device().cmd_copy_buffer_to_image(
                        cx.cmd(),
                        s,
                        d,
                        vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                        &regions,
                    )
                };
                Ok(())
            })
            .record()
    }

    /// Copies every mip and layer of `src` into `dst`, tightly packed in mip order (all
    /// layers of a mip together) (`vkCmdCopyImageToBuffer`).
    pub fn copy_image_to_buffer(
        &mut self,
        name: &str,
        src: impl Into<ImageView>,
        dst: impl Into<BufferView>,
    ) -> Result<TaskId, VkError> {
        let (src, dst) = (src.into(), dst.into());
        let (offset, size) = self.buffer_of(name, dst)?;
        let (regions, needed) = self.packed(name, src, offset)?;
        if size < needed {
            return Err(misuse(
                name,
                &self.name_of(dst.buffer.index()),
                &format!("the image's texels take {needed} bytes, the buffer view has {size}"),
            ));
        }
        self.task(name)
            .attach(src, COPY_SRC)
            .attach(dst, COPY_DST)
            .run(move |cx| {
                let (s, d) = (cx.image(src.image)?, cx.buffer(dst.buffer)?);
                // SAFETY: as in `copy_buffer_to_image`, with the image in TRANSFER_SRC.
                unsafe {
                    cx.device().cmd_copy_image_to_buffer(
                        cx.cmd(),
                        s,
                        vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                        d,
                        &regions,
                    )
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
        let value = color.to_vk();
        self.task(name)
            .attach(dst, CLEAR_DST)
            .run(move |cx| {
                let d = cx.image(dst.image)?;
                // SAFETY: recording; the plan put the range in TRANSFER_DST_OPTIMAL.
                unsafe {
                    cx.device().cmd_clear_color_image(
                        cx.cmd(),
                        d,
                        vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                        &value,
                        &[range.to_vk()],
                    )
                };
                Ok(())
            })
            .record()
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
        self.task(name)
            .attach(dst, CLEAR_DST)
            .run(move |cx| {
                let d = cx.image(dst.image)?;
                // SAFETY: recording; the plan put the range in TRANSFER_DST_OPTIMAL.
                unsafe {
                    cx.device().cmd_clear_depth_stencil_image(
                        cx.cmd(),
                        d,
                        vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                        &value,
                        &[range.to_vk()],
                    )
                };
                Ok(())
            })
            .record()
    }

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

/// The layers of `range` at mip `mip`.
fn layers(range: &ImageRange, mip: u32) -> vk::ImageSubresourceLayers {
    vk::ImageSubresourceLayers {
        aspect_mask: range.aspect,
        mip_level: mip,
        base_array_layer: range.base_layer,
        layer_count: range.layer_count,
    }
}

/// The error of a transfer task that does not fit its views.
fn misuse(task: &str, resource: &str, problem: &str) -> VkError {
    VkError::Transfer {
        task: task.to_owned(),
        resource: resource.to_owned(),
        problem: problem.to_owned(),
    }
}
