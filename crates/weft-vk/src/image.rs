//! Real images: memory from `gpu-allocator`, and the layout and last access of every
//! subresource, which the executor bridges from on the next use (across executions and
//! graphs).

use std::sync::{Arc, Mutex};

use ash::vk;
use gpu_allocator::MemoryLocation;
use weft_graph::{ImageDesc, ImageRange, ImageUnits};

use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::ids::ResourceId;
use crate::locks::lock;
use crate::memory::{allocate, Backing};
use crate::stamped::Stamped;
use crate::state::AccessState;
use crate::timeline::{Garbage, InFlight};

/// A 2D image (with mips and layers) and its memory. Dropping it frees both.
pub struct Image {
    ctx: Arc<Context>,
    pub(crate) raw: vk::Image,
    backing: Backing,
    desc: ImageDesc,
    name: String,
    /// Per subresource, indexed `(aspect * mips + mip) * layers + layer`.
    pub(crate) units: Stamped<Vec<AccessState>>,
    /// Image views made so far, by range, with their ids; destroyed with the image.
    views: Mutex<Vec<(ImageRange, vk::ImageView, ResourceId)>>,
    /// The last submission that uses it.
    pub(crate) in_flight: InFlight,
    id: ResourceId,
}

impl Image {
    /// Creates an optimally tiled 2D image in device memory.
    pub fn new(ctx: &Arc<Context>, name: &str, desc: &ImageDesc) -> Result<Self, VkError> {
        let raw = create_raw(ctx, desc)?;
        // SAFETY: `raw` was just created from this device.
        let requirements = unsafe { ctx.device.get_image_memory_requirements(raw) };
        let allocated = allocate(ctx, name, requirements, MemoryLocation::GpuOnly, false);
        let allocation = match allocated {
            Ok(a) => a,
            Err(e) => {
                // SAFETY: `raw` is unused and not bound to memory.
                unsafe { ctx.device.destroy_image(raw, None) };
                return Err(e);
            }
        };
        // SAFETY: the memory handle is only bound to, never freed here (the allocation
        // owns it).
        let (memory, offset) = (unsafe { allocation.memory() }, allocation.offset());
        Self::bound(
            ctx,
            name,
            raw,
            desc,
            Backing::Owned(allocation),
            memory,
            offset,
        )
    }

    /// Creates an image in `memory` at `offset`, which its caller owns, keeps alive while
    /// the image is and made to fit the image's requirements (a placed transient). It
    /// starts as never used: its first transition is from `UNDEFINED`.
    pub(crate) fn placed(
        ctx: &Arc<Context>,
        name: &str,
        desc: &ImageDesc,
        memory: vk::DeviceMemory,
        offset: u64,
    ) -> Result<Self, VkError> {
        let raw = create_raw(ctx, desc)?;
        Self::bound(ctx, name, raw, desc, Backing::Placed, memory, offset)
    }

    /// The image object for `raw`, bound to `memory` at `offset` (destroyed, with an owned
    /// backing, when binding fails).
    fn bound(
        ctx: &Arc<Context>,
        name: &str,
        raw: vk::Image,
        desc: &ImageDesc,
        backing: Backing,
        memory: vk::DeviceMemory,
        offset: u64,
    ) -> Result<Self, VkError> {
        // SAFETY: the memory was allocated (or placed) for this image's requirements, at
        // `offset`.
        let bound = unsafe { ctx.device.bind_image_memory(raw, memory, offset) };
        let image = Self::with_parts(ctx, name, raw, desc, backing);
        bound.map_err(vk_err("vkBindImageMemory"))?;
        Ok(image)
    }

    /// The Vulkan handle.
    pub fn handle(&self) -> vk::Image {
        self.raw
    }

    /// Its generational id (see [`Context::is_alive`]).
    pub fn id(&self) -> ResourceId {
        self.id
    }

    /// The description it was created with.
    pub fn desc(&self) -> &ImageDesc {
        &self.desc
    }

    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Gives the Vulkan image the debug name `name` (a graph names what is bound to it).
    pub(crate) fn name_object(&self, name: &str) {
        self.ctx.name_object(self.raw, name);
    }

    /// The layout a subresource was left in by the last execution (`UNDEFINED` before any).
    pub fn layout(&self, aspect_index: u32, mip: u32, layer: u32) -> vk::ImageLayout {
        let index = (aspect_index * self.desc.mip_levels + mip) * self.desc.array_layers + layer;
        self.units.read(|units| {
            units
                .get(index as usize)
                .map_or(vk::ImageLayout::UNDEFINED, |s| s.layout)
        })
    }
}

impl Image {
    /// Wraps an image someone else owns (a swapchain image): its views are made and
    /// destroyed here, the image itself is never destroyed. Drop it only once the GPU no
    /// longer uses it.
    pub(crate) fn borrowed(
        ctx: &Arc<Context>,
        name: &str,
        raw: vk::Image,
        desc: &ImageDesc,
    ) -> Self {
        Self::with_parts(ctx, name, raw, desc, Backing::Borrowed)
    }

    /// An image object for `raw` (named `name` for debugging), with the memory it owns, if
    /// any, and one state per subresource in the planner's indexing: never used for an
    /// image weft made, unknown (its first use waits for everything, see
    /// [`AccessState::unknown`]) for one it borrows, which the presentation engine used.
    fn with_parts(
        ctx: &Arc<Context>,
        name: &str,
        raw: vk::Image,
        desc: &ImageDesc,
        backing: Backing,
    ) -> Self {
        ctx.name_object(raw, name);
        let first_state = match backing {
            Backing::Owned(_) | Backing::Placed => AccessState::default(),
            Backing::Borrowed => AccessState::unknown(),
        };
        Self {
            ctx: Arc::clone(ctx),
            raw,
            backing,
            desc: *desc,
            name: name.to_owned(),
            units: Stamped::new(vec![first_state; ImageUnits::of(desc).count()]),
            views: Mutex::new(Vec::new()),
            in_flight: InFlight::default(),
            id: ctx.ids.allocate(),
        }
    }

    /// A view of `range` (2D for one layer, 2D array for several), made on first use and
    /// kept until the image is dropped.
    pub fn view(&self, range: &ImageRange) -> Result<vk::ImageView, VkError> {
        self.view_with_id(range).map(|(view, _)| view)
    }

    /// Like [`Image::view`], with the view's generational id (stale once the image is
    /// dropped; see [`Context::is_alive`]).
    pub fn view_with_id(&self, range: &ImageRange) -> Result<(vk::ImageView, ResourceId), VkError> {
        let mut views = lock(&self.views);
        if let Some((_, view, id)) = views.iter().find(|(r, _, _)| r == range) {
            return Ok((*view, *id));
        }
        let view_type = if range.layer_count == 1 {
            vk::ImageViewType::TYPE_2D
        } else {
            vk::ImageViewType::TYPE_2D_ARRAY
        };
        let info = vk::ImageViewCreateInfo::default()
            .image(self.raw)
            .view_type(view_type)
            .format(self.desc.format)
            .subresource_range(range.to_vk());
        // SAFETY: the image is alive and the range lies inside it (views are only made for
        // ranges the graph checked against the image's description).
        let view = unsafe { self.ctx.device.create_image_view(&info, None) }
            .map_err(vk_err("vkCreateImageView"))?;
        let id = self.ctx.ids.allocate();
        self.ctx.name_object(
            view,
            &format!(
                "{} mips {}+{} layers {}+{}",
                self.name(),
                range.base_mip,
                range.mip_count,
                range.base_layer,
                range.layer_count
            ),
        );
        views.push((*range, view, id));
        Ok((view, id))
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        self.ctx.ids.release(self.id);
        let ids = &self.ctx.ids;
        let views = self
            .views
            .get_mut()
            .map(|v| {
                v.drain(..)
                    .map(|(_, view, id)| {
                        ids.release(id);
                        view
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Destroyed now if no submission still uses it, else once its last one has finished.
        let garbage = match std::mem::replace(&mut self.backing, Backing::Borrowed) {
            Backing::Owned(allocation) => Garbage::Image(self.raw, Some(allocation), views),
            Backing::Placed => Garbage::Image(self.raw, None, views),
            Backing::Borrowed => Garbage::Views(views),
        };
        self.ctx.retire(self.in_flight.get(), garbage);
    }
}

/// How weft creates the image `desc` describes: 2D, optimally tiled, one sample,
/// exclusive, starting `UNDEFINED`.
pub(crate) fn create_info(desc: &ImageDesc) -> vk::ImageCreateInfo<'static> {
    vk::ImageCreateInfo::default()
        .image_type(vk::ImageType::TYPE_2D)
        .format(desc.format)
        .extent(desc.extent)
        .mip_levels(desc.mip_levels)
        .array_layers(desc.array_layers)
        .samples(vk::SampleCountFlags::TYPE_1)
        .tiling(vk::ImageTiling::OPTIMAL)
        .usage(desc.usage)
        .sharing_mode(vk::SharingMode::EXCLUSIVE)
        .initial_layout(vk::ImageLayout::UNDEFINED)
}

/// Creates the Vulkan image `desc` describes (without memory).
fn create_raw(ctx: &Context, desc: &ImageDesc) -> Result<vk::Image, VkError> {
    let create = create_info(desc);
    // SAFETY: the device is valid; an unsupported combination is reported by
    // `vkCreateImage` (and the validation layer).
    unsafe { ctx.device.create_image(&create, None) }.map_err(vk_err("vkCreateImage"))
}
