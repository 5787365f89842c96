//! The executor: replays a compiled plan on the device, batch by batch, with the plan's
//! barriers (one `vkCmdPipelineBarrier2` per boundary), bridges from the state each real
//! buffer was left in, and submits with `vkQueueSubmit2` and a timeline semaphore.
//!
//! This first runtime handles buffers and images (external and transient) and waits for
//! each execution to finish before returning. Frames in flight and pipelines come next.

use std::ffi::CString;
use std::sync::Arc;

use ash::vk;
use weft_graph::{
    AttachmentOps, GraphId, ImageBarrier, ImageDesc, ImageRange, Lifetime, MemoryBarrier, Plan,
    ResourceDesc, Subresources, TaskBuffer, TaskGraph, TaskImage,
};

use crate::buffer::{Buffer, BufferInfo, MemoryLocation};
use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::image::Image;
use crate::swapchain::FrameSync;
use crate::timeline::Submit;

/// A task callback: records the task's commands. `U` is the per-frame user data passed to
/// [`Executor::execute`].
pub type Callback<U> = Box<dyn for<'a> FnMut(&mut TaskContext<'a, U>) + Send>;

/// What a callback gets: the command buffer, the real handles of the graph's resources and
/// the per-frame data.
pub struct TaskContext<'a, U> {
    ctx: &'a Context,
    cmd: vk::CommandBuffer,
    buffers: &'a [vk::Buffer],
    addresses: &'a [vk::DeviceAddress],
    images: &'a [vk::Image],
    image_objects: ImageObjects<'a>,
    ops: &'a [AttachmentOps],
    error: Option<VkError>,
    /// The per-frame user data.
    pub data: &'a mut U,
}

/// Where the real image objects of one execution are (for image views).
#[derive(Clone, Copy)]
struct ImageObjects<'a> {
    assigned: &'a [ImageAssignment<'a>],
    externals: &'a [Option<usize>],
    transients: &'a [Option<Image>],
}

impl<'a> ImageObjects<'a> {
    fn get(&self, image: TaskImage) -> Option<&'a Image> {
        let index = image.index() as usize;
        match self.externals.get(index) {
            Some(Some(at)) => self.assigned.get(*at).map(|(_, i)| *i),
            _ => self.transients.get(index).and_then(Option::as_ref),
        }
    }
}

impl<U> TaskContext<'_, U> {
    /// Reports a failure: the execution stops after this callback and returns it.
    pub fn fail(&mut self, error: VkError) {
        self.error.get_or_insert(error);
    }

    /// The load/store needs of the task's `index`-th attachment (see
    /// [`TaskGraph::attachment_ops`]).
    pub fn attachment_ops(&self, index: usize) -> AttachmentOps {
        self.ops.get(index).copied().unwrap_or(AttachmentOps {
            load: true,
            store: true,
        })
    }

    /// The size of the first mip of `view` in this execution's real image.
    pub fn image_extent(&self, view: &weft_graph::ImageView) -> Option<vk::Extent2D> {
        let image = self.image_objects.get(view.image)?;
        let extent = image.desc().extent;
        Some(vk::Extent2D {
            width: (extent.width >> view.base_mip).max(1),
            height: (extent.height >> view.base_mip).max(1),
        })
    }

    /// The context (device, extensions).
    pub fn context(&self) -> &Context {
        self.ctx
    }

    /// An image view of `view`'s subresources in this execution's real image (made once
    /// per image and range, then reused).
    pub fn image_view(&self, view: &weft_graph::ImageView) -> Result<vk::ImageView, VkError> {
        let image = self
            .image_objects
            .get(view.image)
            .ok_or_else(|| VkError::Unsupported("an image view of an unused image".into()))?;
        let range = view
            .range_in(image.desc())
            .ok_or_else(|| VkError::Unsupported("an image view outside its image".into()))?;
        image.view(&range)
    }
    /// The device, to record commands with.
    pub fn device(&self) -> &ash::Device {
        &self.ctx.device
    }

    /// The command buffer being recorded.
    pub fn cmd(&self) -> vk::CommandBuffer {
        self.cmd
    }

    /// The real buffer behind a virtual one in this execution.
    pub fn buffer(&self, buffer: TaskBuffer) -> vk::Buffer {
        self.buffers
            .get(buffer.index() as usize)
            .copied()
            .unwrap_or(vk::Buffer::null())
    }

    /// The device address of the real buffer behind a virtual one in this execution, when
    /// it has `SHADER_DEVICE_ADDRESS` usage (for buffer references in push constants).
    pub fn buffer_address(&self, buffer: TaskBuffer) -> Option<vk::DeviceAddress> {
        self.addresses
            .get(buffer.index() as usize)
            .copied()
            .filter(|&a| a != 0)
    }

    /// The real image behind a virtual one in this execution.
    pub fn image(&self, image: TaskImage) -> vk::Image {
        self.images
            .get(image.index() as usize)
            .copied()
            .unwrap_or(vk::Image::null())
    }
}

/// A real buffer standing for an external virtual buffer in one execution.
pub type Assignment<'a> = (TaskBuffer, &'a Buffer);

/// A real image standing for an external virtual image in one execution.
pub type ImageAssignment<'a> = (TaskImage, &'a Image);

/// One frame in flight: its command buffer, the submission that last used it, and its own
/// transient resources (frames in flight must not share them).
struct Frame {
    cmd: vk::CommandBuffer,
    submission: u64,
    transients: Vec<Option<Buffer>>,
    transient_images: Vec<Option<Image>>,
}

/// Replays plans with up to N frames in flight (2 by default): `execute` records into the
/// next frame's command buffer (waiting only until that frame's previous submission has
/// finished) and submits without waiting. Host reads of mapped buffers wait for the GPU
/// themselves (see [`Buffer::mapped`]).
pub struct Executor {
    ctx: Arc<Context>,
    pool: vk::CommandPool,
    frames: Vec<Frame>,
    current: usize,
    // Scratch reused by every execution, so the steady state does not allocate.
    handles: Vec<vk::Buffer>,
    addresses: Vec<vk::DeviceAddress>,
    image_handles: Vec<vk::Image>,
    /// Per resource: the index of its assignment (buffer or image list).
    externals: Vec<Option<usize>>,
    barriers: Vec<vk::MemoryBarrier2<'static>>,
    image_barriers: Vec<vk::ImageMemoryBarrier2<'static>>,
    bridges: Vec<(u32, vk::MemoryBarrier2<'static>)>,
    image_bridges: Vec<(u32, vk::ImageMemoryBarrier2<'static>)>,
    labels: Vec<CString>,
    merged_last_uses: Vec<Option<weft_graph::ExternalUse>>,
    /// `graph.attachment_ops()`, for the graph and task count it was computed for.
    ops: Vec<AttachmentOps>,
    ops_for: Option<(GraphId, usize)>,
}

impl Executor {
    /// An executor on `ctx`'s queue with 2 frames in flight.
    pub fn new(ctx: &Arc<Context>) -> Result<Self, VkError> {
        Self::with_frames_in_flight(ctx, 2)
    }

    /// An executor on `ctx`'s queue with up to `frames` (at least 1) frames in flight.
    pub fn with_frames_in_flight(ctx: &Arc<Context>, frames: usize) -> Result<Self, VkError> {
        let device = &ctx.device;
        let pool_info = vk::CommandPoolCreateInfo::default()
            .queue_family_index(ctx.queue_family)
            .flags(vk::CommandPoolCreateFlags::RESET_COMMAND_BUFFER);
        // SAFETY: the device is valid and the family index is the one the queue came from.
        let pool = unsafe { device.create_command_pool(&pool_info, None) }
            .map_err(vk_err("vkCreateCommandPool"))?;
        let alloc = vk::CommandBufferAllocateInfo::default()
            .command_pool(pool)
            .level(vk::CommandBufferLevel::PRIMARY)
            .command_buffer_count(frames.max(1) as u32);
        // SAFETY: the pool was just created.
        let cmds = match unsafe { device.allocate_command_buffers(&alloc) } {
            Ok(cmds) => cmds,
            Err(e) => {
                // SAFETY: nothing from the pool is in use.
                unsafe { device.destroy_command_pool(pool, None) };
                return Err(vk_err("vkAllocateCommandBuffers")(e));
            }
        };
        Ok(Self {
            ctx: Arc::clone(ctx),
            pool,
            frames: cmds
                .into_iter()
                .map(|cmd| Frame {
                    cmd,
                    submission: 0,
                    transients: Vec::new(),
                    transient_images: Vec::new(),
                })
                .collect(),
            current: 0,
            handles: Vec::new(),
            addresses: Vec::new(),
            image_handles: Vec::new(),
            externals: Vec::new(),
            barriers: Vec::new(),
            image_barriers: Vec::new(),
            bridges: Vec::new(),
            image_bridges: Vec::new(),
            labels: Vec::new(),
            merged_last_uses: Vec::new(),
            ops: Vec::new(),
            ops_for: None,
        })
    }

    /// Records `plan` (compiled from `graph`) into the next frame's command buffer and
    /// submits it, without waiting for the GPU. `buffers` and `images` give a real resource
    /// for every external resource the plan uses; they may differ from one execution to
    /// the next. `data` is passed to every callback. Returns the submission's value on the
    /// context's timeline (see [`Context::wait_for_submission`]).
    pub fn execute<U>(
        &mut self,
        graph: &mut TaskGraph<Callback<U>>,
        plan: &Plan,
        buffers: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
        data: &mut U,
    ) -> Result<u64, VkError> {
        if !plan.presents().is_empty() {
            return Err(VkError::PresentWithoutSwapchain);
        }
        self.record_plan(graph, plan, buffers, images, data)?;
        self.submit_frame(buffers, images, None)
    }

    /// Like [`Executor::execute`] for a frame that renders into an acquired swapchain image
    /// (assigned among `images`): the submission waits for the image and signals
    /// `sync.rendered`, which [`crate::Swapchain::present`] waits for.
    pub fn execute_presenting<U>(
        &mut self,
        graph: &mut TaskGraph<Callback<U>>,
        plan: &Plan,
        buffers: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
        data: &mut U,
        sync: FrameSync,
    ) -> Result<u64, VkError> {
        self.record_plan(graph, plan, buffers, images, data)?;
        self.submit_frame(buffers, images, Some(sync))
    }

    fn submit_frame(
        &mut self,
        buffers: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
        sync: Option<FrameSync>,
    ) -> Result<u64, VkError> {
        let frame = &mut self.frames[self.current];
        let ctx = &self.ctx;
        let value = ctx.timeline.submit(
            &ctx.device,
            ctx.queue,
            frame.cmd,
            Submit::After(frame.submission),
            sync,
            &ctx.allocator,
        )?;
        frame.submission = value;
        for (_, buffer) in buffers {
            buffer.in_flight.set(value);
        }
        for (_, image) in images {
            image.in_flight.set(value);
        }
        for buffer in frame.transients.iter().flatten() {
            buffer.in_flight.set(value);
        }
        for image in frame.transient_images.iter().flatten() {
            image.in_flight.set(value);
        }
        self.current = (self.current + 1) % self.frames.len();
        Ok(value)
    }

    /// Blocks until everything this executor submitted has finished.
    pub fn wait_idle(&self) -> Result<(), VkError> {
        let last = self.frames.iter().map(|f| f.submission).max().unwrap_or(0);
        self.ctx.wait_for_submission(last)
    }

    /// The CPU half of [`Executor::execute`]: resolves the resources and records the plan
    /// into the current frame's command buffer (after waiting for that frame's previous
    /// submission), without submitting it. The real resources are marked with the state
    /// the plan leaves them in. Benchmarks use it to time recording alone; `execute` is
    /// this and a submit.
    pub fn record_plan<U>(
        &mut self,
        graph: &mut TaskGraph<Callback<U>>,
        plan: &Plan,
        buffers: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
        data: &mut U,
    ) -> Result<(), VkError> {
        if !plan.compiled_from(graph) {
            return Err(VkError::ForeignPlan);
        }
        let previous = self.frames[self.current].submission;
        self.ctx.wait_for_submission(previous)?;
        self.resolve(graph, plan, buffers, images)?;
        self.bridge(plan, buffers, images);
        self.refresh_labels(graph);
        let key = (graph.id(), graph.task_count());
        if self.ops_for != Some(key) {
            self.ops = graph.attachment_ops();
            self.ops_for = Some(key);
        }
        self.record(graph, plan, buffers, images, data)?;
        remember_last_uses(
            plan,
            buffers,
            images,
            &self.externals,
            &mut self.merged_last_uses,
        );
        Ok(())
    }

    /// Finds the real buffer of every resource: assigned (checked to fit) or transient.
    fn resolve<U>(
        &mut self,
        graph: &TaskGraph<Callback<U>>,
        plan: &Plan,
        assignments: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
    ) -> Result<(), VkError> {
        let resources = graph.resources();
        self.handles.clear();
        self.handles.resize(resources.len(), vk::Buffer::null());
        self.addresses.clear();
        self.addresses.resize(resources.len(), 0);
        self.image_handles.clear();
        self.image_handles
            .resize(resources.len(), vk::Image::null());
        self.externals.clear();
        self.externals.resize(resources.len(), None);
        let frame = &mut self.frames[self.current];
        if frame.transients.len() < resources.len() {
            frame.transients.resize_with(resources.len(), || None);
            frame.transient_images.resize_with(resources.len(), || None);
        }
        for (index, info) in resources.iter().enumerate() {
            let used = plan.uses_resource(index as u32);
            let frame = &mut self.frames[self.current];
            match (&info.desc, info.lifetime) {
                (ResourceDesc::Buffer(desc), Lifetime::External) => {
                    let keys = assignments.iter().map(|(b, _)| b.index());
                    let Some(at) = assigned(keys, index, used, "buffer", &info.name)? else {
                        continue;
                    };
                    let real = assignments[at].1;
                    fits(&info.name, real.name(), buffer_misfit(real, desc))?;
                    self.handles[index] = real.raw;
                    self.addresses[index] = real.device_address().unwrap_or(0);
                    self.externals[index] = Some(at);
                }
                (ResourceDesc::Image(desc), Lifetime::External) => {
                    let keys = images.iter().map(|(i, _)| i.index());
                    let Some(at) = assigned(keys, index, used, "image", &info.name)? else {
                        continue;
                    };
                    let real = images[at].1;
                    fits(&info.name, real.name(), image_misfit(real.desc(), desc))?;
                    self.image_handles[index] = real.raw;
                    self.externals[index] = Some(at);
                }
                (ResourceDesc::Buffer(desc), Lifetime::Transient) => {
                    let slot = &mut frame.transients[index];
                    if slot
                        .as_ref()
                        .is_none_or(|b| b.size() != desc.size || b.usage() != desc.usage)
                    {
                        let info = BufferInfo {
                            name: &info.name,
                            size: desc.size,
                            usage: desc.usage,
                            location: MemoryLocation::GpuOnly,
                        };
                        *slot = Some(Buffer::new(&self.ctx, &info)?);
                    }
                    if let Some(b) = slot {
                        self.handles[index] = b.raw;
                        self.addresses[index] = b.device_address().unwrap_or(0);
                    }
                }
                (ResourceDesc::Image(desc), Lifetime::Transient) => {
                    let slot = &mut frame.transient_images[index];
                    if slot.as_ref().is_none_or(|i| i.desc() != desc) {
                        *slot = Some(Image::new(&self.ctx, &info.name, desc)?);
                    }
                    if let Some(i) = slot {
                        self.image_handles[index] = i.raw;
                    }
                }
            }
        }
        Ok(())
    }

    /// Barriers from the state each external resource was left in to its first use here.
    fn bridge(
        &mut self,
        plan: &Plan,
        assignments: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
    ) {
        self.bridges.clear();
        self.image_bridges.clear();
        for first in plan.first_uses() {
            let Some(Some(at)) = self.externals.get(first.resource as usize) else {
                continue;
            };
            if let Subresources::Image(range) = first.subresources {
                if let Some((_, image)) = images.get(*at) {
                    bridge_image(image, &range, first, &mut self.image_bridges);
                }
                continue;
            }
            let Ok(mut state) = assignments[*at].1.state.lock() else {
                continue;
            };
            let Some(bridge) = state.bridge(first) else {
                continue;
            };
            state.bridged(first);
            let barrier = vk::MemoryBarrier2::default()
                .src_stage_mask(bridge.src_stages)
                .src_access_mask(bridge.src_access)
                .dst_stage_mask(first.stages)
                .dst_access_mask(first.access);
            self.bridges.push((first.batch, barrier));
        }
        // By batch, so recording takes each boundary's bridges in one pass.
        self.bridges.sort_unstable_by_key(|(batch, _)| *batch);
        self.image_bridges.sort_unstable_by_key(|(batch, _)| *batch);
    }

    fn refresh_labels<U>(&mut self, graph: &TaskGraph<Callback<U>>) {
        if self.ctx.debug_utils.is_none() || self.labels.len() == graph.task_count() {
            return;
        }
        self.labels = (0..graph.task_count() as u32)
            .map(|t| {
                let name = graph.task_name(t).unwrap_or("task").replace('\0', " ");
                CString::new(name).unwrap_or_default()
            })
            .collect();
    }

    fn record<U>(
        &mut self,
        graph: &mut TaskGraph<Callback<U>>,
        plan: &Plan,
        assignments: &[Assignment<'_>],
        images: &[ImageAssignment<'_>],
        data: &mut U,
    ) -> Result<(), VkError> {
        let device = &self.ctx.device;
        let cmd = self.frames[self.current].cmd;
        let begin = vk::CommandBufferBeginInfo::default()
            .flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
        // SAFETY: this frame's previous submission has finished (`record_plan` waited for
        // it), so the command buffer is not pending and may be reset.
        unsafe {
            device
                .reset_command_buffer(cmd, vk::CommandBufferResetFlags::empty())
                .map_err(vk_err("vkResetCommandBuffer"))?;
            device
                .begin_command_buffer(cmd, &begin)
                .map_err(vk_err("vkBeginCommandBuffer"))?;
        }
        let batches = plan.batch_count();
        let (mut next_bridge, mut next_image_bridge) = (0, 0);
        for batch in 0..=batches {
            self.barriers.clear();
            self.barriers
                .extend(plan.barriers_before(batch).memory.iter().map(to_vk));
            let bridges = take_batch(&self.bridges, &mut next_bridge, batch);
            self.barriers.extend(bridges.iter().map(|(_, m)| *m));
            if batch == batches && assignments.iter().any(|(_, b)| b.is_host_visible()) {
                // Make the device's writes visible to the host reading mapped buffers.
                self.barriers.push(
                    vk::MemoryBarrier2::default()
                        .src_stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
                        .src_access_mask(vk::AccessFlags2::MEMORY_WRITE)
                        .dst_stage_mask(vk::PipelineStageFlags2::HOST)
                        .dst_access_mask(vk::AccessFlags2::HOST_READ),
                );
            }
            self.image_barriers.clear();
            let handles = &self.image_handles;
            let resources = graph.resources();
            // A transient image starts from UNDEFINED. Its memory may have been used by an
            // earlier submission of this frame, which the submission waits for (all
            // stages); a transition with no source stage would not be ordered after that
            // wait, so every such transition moves to the start of the frame with all
            // stages as its source: it chains to the wait and delays nothing in the frame.
            let fresh = |b: &&ImageBarrier| {
                b.old_layout == vk::ImageLayout::UNDEFINED
                    && resources
                        .get(b.image as usize)
                        .is_some_and(|r| r.lifetime == Lifetime::Transient)
            };
            self.image_barriers.extend(
                plan.barriers_before(batch)
                    .image
                    .iter()
                    .filter(|b| !fresh(b))
                    .map(|b| image_barrier_to_vk(b, handles)),
            );
            if batch == 0 {
                for boundary in 0..=batches {
                    self.image_barriers.extend(
                        plan.barriers_before(boundary)
                            .image
                            .iter()
                            .filter(fresh)
                            .map(|b| {
                                image_barrier_to_vk(b, handles)
                                    .src_stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
                            }),
                    );
                }
            }
            let image_bridges = take_batch(&self.image_bridges, &mut next_image_bridge, batch);
            self.image_barriers
                .extend(image_bridges.iter().map(|(_, m)| *m));
            if !self.barriers.is_empty() || !self.image_barriers.is_empty() {
                let dependency = vk::DependencyInfo::default()
                    .memory_barriers(&self.barriers)
                    .image_memory_barriers(&self.image_barriers);
                // SAFETY: recording; the barriers live in the executor during the call and
                // name images resolved for this execution.
                unsafe { device.cmd_pipeline_barrier2(cmd, &dependency) };
            }
            for &task in plan.batch(batch) {
                let ops = self
                    .ops
                    .get(graph.task_attachment_range(task))
                    .unwrap_or(&[]);
                let Some(callback) = graph.task_callback_mut(task) else {
                    continue;
                };
                let label = self.labels.get(task as usize);

                if let (Some(utils), Some(name)) = (&self.ctx.debug_utils, label) {
                    let info = vk::DebugUtilsLabelEXT::default().label_name(name);
                    // SAFETY: recording; `name` outlives the call.
                    unsafe { utils.cmd_begin_debug_utils_label(cmd, &info) };
                }
                let mut context = TaskContext {
                    ctx: &self.ctx,
                    cmd,
                    buffers: &self.handles,
                    addresses: &self.addresses,
                    images: &self.image_handles,
                    image_objects: ImageObjects {
                        assigned: images,
                        externals: &self.externals,
                        transients: &self.frames[self.current].transient_images,
                    },
                    ops,
                    error: None,
                    data,
                };
                callback(&mut context);
                if let Some(source) = context.error {
                    return Err(VkError::Task {
                        task: graph.task_name(task).unwrap_or("?").to_owned(),
                        source: Box::new(source),
                    });
                }
                if let (Some(utils), Some(_)) = (&self.ctx.debug_utils, label) {
                    // SAFETY: closes the label opened above in the same command buffer.
                    unsafe { utils.cmd_end_debug_utils_label(cmd) };
                }
            }
        }
        // SAFETY: recording was begun above.
        unsafe { device.end_command_buffer(cmd) }.map_err(vk_err("vkEndCommandBuffer"))
    }
}

/// Stores on each external resource the state the plan leaves it in: per subresource for
/// images; for buffers (tracked whole) the union of the last uses of their ranges, merged
/// per resource in `merged` (scratch, one entry per resource).
fn remember_last_uses(
    plan: &Plan,
    assignments: &[Assignment<'_>],
    images: &[ImageAssignment<'_>],
    externals: &[Option<usize>],
    merged: &mut Vec<Option<weft_graph::ExternalUse>>,
) {
    merged.clear();
    merged.resize(externals.len(), None);
    for last in plan.last_uses() {
        let Some(Some(at)) = externals.get(last.resource as usize) else {
            continue;
        };
        match last.subresources {
            Subresources::Image(range) => {
                let Some((_, image)) = images.get(*at) else {
                    continue;
                };
                if let Ok(mut units) = image.units.lock() {
                    for_each_unit(image.desc(), &range, |unit| {
                        if let Some(state) = units.get_mut(unit) {
                            state.after(last);
                        }
                    });
                }
            }
            Subresources::Buffer { .. } => match &mut merged[last.resource as usize] {
                slot @ None => *slot = Some(*last),
                Some(m) => {
                    m.stages |= last.stages;
                    m.access |= last.access;
                    m.wrote_in_graph |= last.wrote_in_graph;
                }
            },
        }
    }
    for (resource, last) in merged.iter().enumerate() {
        let (Some(last), Some(Some(at))) = (last, externals.get(resource)) else {
            continue;
        };
        if let Some(Ok(mut state)) = assignments.get(*at).map(|(_, b)| b.state.lock()) {
            state.after(last);
        }
    }
}

/// Calls `f` with the index of every subresource unit of `range` in `desc`'s image.
fn for_each_unit(desc: &ImageDesc, range: &ImageRange, mut f: impl FnMut(usize)) {
    let all = weft_graph::format_aspects(desc.format).as_raw();
    let mut position = 0u32;
    for bit in 0..32 {
        let flag = 1u32 << bit;
        if all & flag == 0 {
            continue;
        }
        if range.aspect.as_raw() & flag != 0 {
            for mip in range.base_mip..range.base_mip + range.mip_count {
                for layer in range.base_layer..range.base_layer + range.layer_count {
                    let unit = (position * desc.mip_levels + mip) * desc.array_layers + layer;
                    f(unit as usize);
                }
            }
        }
        position += 1;
    }
}

/// Image barriers from the state an external image's units were left in to their first use
/// here: one per unit that needs one (see [`crate::state::AccessState::bridge`]).
fn bridge_image(
    image: &Image,
    range: &ImageRange,
    first: &weft_graph::ExternalUse,
    out: &mut Vec<(u32, vk::ImageMemoryBarrier2<'static>)>,
) {
    let Ok(mut units) = image.units.lock() else {
        return;
    };
    let desc = *image.desc();
    let all = weft_graph::format_aspects(desc.format);
    for_each_unit(&desc, range, |unit| {
        let Some(state) = units.get_mut(unit) else {
            return;
        };
        let Some(bridge) = state.bridge(first) else {
            return;
        };
        state.bridged(first);
        let (aspect, mip, layer) = unit_position(&desc, all, unit);
        // A bridge from nothing known (all stages as its source) goes to the start of the
        // frame, where it waits for the submission's semaphores and delays no work.
        let batch = if bridge.src_stages == vk::PipelineStageFlags2::ALL_COMMANDS {
            0
        } else {
            first.batch
        };
        let barrier = vk::ImageMemoryBarrier2::default()
            .src_stage_mask(bridge.src_stages)
            .src_access_mask(bridge.src_access)
            .dst_stage_mask(first.stages)
            .dst_access_mask(first.access)
            .old_layout(bridge.old_layout)
            .new_layout(first.layout)
            .src_queue_family_index(vk::QUEUE_FAMILY_IGNORED)
            .dst_queue_family_index(vk::QUEUE_FAMILY_IGNORED)
            .image(image.raw)
            .subresource_range(vk::ImageSubresourceRange {
                aspect_mask: aspect,
                base_mip_level: mip,
                level_count: 1,
                base_array_layer: layer,
                layer_count: 1,
            });
        out.push((batch, barrier));
    });
}

/// The aspect, mip and layer of unit `unit` of an image (the inverse of `for_each_unit`).
fn unit_position(
    desc: &ImageDesc,
    all: vk::ImageAspectFlags,
    unit: usize,
) -> (vk::ImageAspectFlags, u32, u32) {
    let per_aspect = (desc.mip_levels * desc.array_layers) as usize;
    let (position, rest) = (unit / per_aspect, unit % per_aspect);
    let aspect = (0..32)
        .map(|bit| vk::ImageAspectFlags::from_raw(1 << bit))
        .filter(|a| all.contains(*a))
        .nth(position)
        .unwrap_or(vk::ImageAspectFlags::COLOR);
    let layers = desc.array_layers as usize;
    (aspect, (rest / layers) as u32, (rest % layers) as u32)
}

/// The entries of `list` (sorted by batch) for `batch`, starting at `cursor`, which moves
/// past them.
fn take_batch<'l, T>(list: &'l [(u32, T)], cursor: &mut usize, batch: usize) -> &'l [(u32, T)] {
    let start = *cursor;
    while list.get(*cursor).is_some_and(|(b, _)| *b as usize <= batch) {
        *cursor += 1;
    }
    &list[start..*cursor]
}

/// Where resource `index`'s real resource is among the assignments (`keys` are their
/// virtual resources' indices); an error when the plan uses it and none is given.
fn assigned(
    mut keys: impl Iterator<Item = u32>,
    index: usize,
    used: bool,
    kind: &'static str,
    name: &str,
) -> Result<Option<usize>, VkError> {
    match keys.position(|k| k as usize == index) {
        Some(at) => Ok(Some(at)),
        None if used => Err(VkError::Unassigned {
            kind,
            resource: name.to_owned(),
        }),
        None => Ok(None),
    }
}

/// Turns a misfit into the error naming both resources.
fn fits(resource: &str, real: &str, problem: Option<String>) -> Result<(), VkError> {
    match problem {
        Some(problem) => Err(VkError::DoesNotFit {
            resource: resource.to_owned(),
            real: real.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Why a real buffer cannot stand for a virtual one with description `want`.
fn buffer_misfit(have: &Buffer, want: &weft_graph::BufferDesc) -> Option<String> {
    if have.size() < want.size {
        Some(format!(
            "it has {} bytes, the graph declares {}",
            have.size(),
            want.size
        ))
    } else if !have.usage().contains(want.usage) {
        Some(format!("it lacks usage {:?}", want.usage & !have.usage()))
    } else {
        None
    }
}

/// Why a real image cannot stand for a virtual one with description `want`.
fn image_misfit(have: &ImageDesc, want: &ImageDesc) -> Option<String> {
    if have.format != want.format {
        Some(format!(
            "format {:?}, the graph declares {:?}",
            have.format, want.format
        ))
    } else if have.extent != want.extent {
        Some(format!(
            "extent {}x{}x{}, the graph declares {}x{}x{}",
            have.extent.width,
            have.extent.height,
            have.extent.depth,
            want.extent.width,
            want.extent.height,
            want.extent.depth
        ))
    } else if have.mip_levels < want.mip_levels || have.array_layers < want.array_layers {
        Some(format!(
            "{} mips and {} layers, the graph declares {} and {}",
            have.mip_levels, have.array_layers, want.mip_levels, want.array_layers
        ))
    } else if !have.usage.contains(want.usage) {
        Some(format!("it lacks usage {:?}", want.usage & !have.usage))
    } else {
        None
    }
}

fn image_barrier_to_vk(b: &ImageBarrier, images: &[vk::Image]) -> vk::ImageMemoryBarrier2<'static> {
    vk::ImageMemoryBarrier2::default()
        .src_stage_mask(b.src_stages)
        .src_access_mask(b.src_access)
        .dst_stage_mask(b.dst_stages)
        .dst_access_mask(b.dst_access)
        .old_layout(b.old_layout)
        .new_layout(b.new_layout)
        .src_queue_family_index(vk::QUEUE_FAMILY_IGNORED)
        .dst_queue_family_index(vk::QUEUE_FAMILY_IGNORED)
        .image(
            images
                .get(b.image as usize)
                .copied()
                .unwrap_or(vk::Image::null()),
        )
        .subresource_range(b.range.to_vk())
}

fn to_vk(m: &MemoryBarrier) -> vk::MemoryBarrier2<'static> {
    vk::MemoryBarrier2::default()
        .src_stage_mask(m.src_stages)
        .src_access_mask(m.src_access)
        .dst_stage_mask(m.dst_stages)
        .dst_access_mask(m.dst_access)
}

impl Drop for Executor {
    fn drop(&mut self) {
        let _ = self.wait_idle();
        // SAFETY: every submission of this executor has finished (or the device is lost),
        // so nothing from the pool is in use; the transients are dropped afterwards and,
        // being finished, destroyed at once.
        unsafe { self.ctx.device.destroy_command_pool(self.pool, None) };
    }
}
