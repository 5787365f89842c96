//! Recording a plan into a command buffer, batch by batch: one `vkCmdPipelineBarrier2` per
//! boundary (the plan's barriers, the bridges due there, fresh transient images moved to
//! the start), then each task's callback inside a debug label with its name.

use std::ffi::CString;

use ash::vk;
use weft_graph::{AttachmentOps, ImageBarrier, Lifetime, Plan, TaskGraph};

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::image::Image;

use super::bridge::Bridges;
use super::resolve::Resolved;
use super::to_vk::{image_barrier, memory_barrier};
use crate::task_context::{Callback, TaskContext};

/// Scratch the recorder reuses every execution, so the steady state does not allocate.
#[derive(Default)]
pub(crate) struct Recorder {
    barriers: Vec<vk::MemoryBarrier2<'static>>,
    image_barriers: Vec<vk::ImageMemoryBarrier2<'static>>,
    /// Task names for debug labels, for the graph and revision they were made for.
    labels: Vec<CString>,
    labels_for: Option<(weft_graph::GraphId, u64)>,
    /// `graph.attachment_ops()`, for the graph and revision it was computed for (a later
    /// task or a present can change whether an attachment is stored).
    ops: Vec<AttachmentOps>,
    ops_for: Option<(weft_graph::GraphId, u64)>,
}

/// What one recording reads.
pub(crate) struct Inputs<'a> {
    pub ctx: &'a Context,
    pub cmd: vk::CommandBuffer,
    pub plan: &'a Plan,
    pub resolved: &'a Resolved,
    pub bridges: &'a Bridges,
    pub bound: &'a [Option<Bound>],
    pub transient_images: &'a [Option<Image>],
}

impl Recorder {
    /// Records `plan` into `input.cmd` (begun) and ends it.
    pub fn record<U>(
        &mut self,
        graph: &mut TaskGraph<Callback<U>>,
        input: &Inputs<'_>,
        data: &mut U,
    ) -> Result<(), VkError> {
        self.refresh(graph, input.ctx.debug_utils.is_some());
        let (plan, cmd) = (input.plan, input.cmd);
        let batches = plan.batch_count();
        let host_reads = input
            .bound
            .iter()
            .any(|b| matches!(b, Some(Bound::Buffer(b)) if b.is_host_visible()));
        let (mut next_bridge, mut next_image_bridge) = (0, 0);
        for batch in 0..=batches {
            self.barriers.clear();
            self.barriers.extend(
                plan.barriers_before(batch)
                    .memory
                    .iter()
                    .map(memory_barrier),
            );
            let bridges = take_batch(&input.bridges.memory, &mut next_bridge, batch);
            self.barriers.extend(bridges.iter().map(|(_, m)| *m));
            if batch == batches && host_reads {
                // Make the device's writes visible to the host reading mapped buffers.
                self.barriers.push(
                    vk::MemoryBarrier2::default()
                        .src_stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
                        .src_access_mask(vk::AccessFlags2::MEMORY_WRITE)
                        .dst_stage_mask(vk::PipelineStageFlags2::HOST)
                        .dst_access_mask(vk::AccessFlags2::HOST_READ),
                );
            }
            self.image_barriers(graph, input, batch);
            let image_bridges = take_batch(&input.bridges.image, &mut next_image_bridge, batch);
            self.image_barriers
                .extend(image_bridges.iter().map(|(_, m)| *m));
            if !self.barriers.is_empty() || !self.image_barriers.is_empty() {
                let dependency = vk::DependencyInfo::default()
                    .memory_barriers(&self.barriers)
                    .image_memory_barriers(&self.image_barriers);
                // SAFETY: recording; the barriers live in the recorder during the call and
                // name images resolved for this execution.
                unsafe { input.ctx.device.cmd_pipeline_barrier2(cmd, &dependency) };
            }
            for &task in plan.batch(batch) {
                self.run_task(graph, input, task, data)?;
            }
        }
        // SAFETY: recording was begun by the caller.
        unsafe { input.ctx.device.end_command_buffer(cmd) }.map_err(vk_err("vkEndCommandBuffer"))
    }

    /// The plan's image barriers before `batch`. A transient image starts from UNDEFINED.
    /// Its memory may have been used by an earlier submission of this frame, which the
    /// submission waits for (all stages); a transition with no source stage would not be
    /// ordered after that wait, so every such transition moves to the start of the frame
    /// with all stages as its source: it chains to the wait and delays nothing in the frame.
    fn image_barriers<C>(&mut self, graph: &TaskGraph<C>, input: &Inputs<'_>, batch: usize) {
        let (plan, handles) = (input.plan, &input.resolved.images);
        let resources = graph.resources();
        let fresh = |b: &&ImageBarrier| {
            b.old_layout == vk::ImageLayout::UNDEFINED
                && resources
                    .get(b.image as usize)
                    .is_some_and(|r| r.lifetime == Lifetime::Transient)
        };
        self.image_barriers.clear();
        self.image_barriers.extend(
            plan.barriers_before(batch)
                .image
                .iter()
                .filter(|b| !fresh(b))
                .map(|b| image_barrier(b, handles)),
        );
        if batch == 0 {
            for boundary in 0..=plan.batch_count() {
                self.image_barriers.extend(
                    plan.barriers_before(boundary)
                        .image
                        .iter()
                        .filter(fresh)
                        .map(|b| {
                            image_barrier(b, handles)
                                .src_stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
                        }),
                );
            }
        }
    }

    /// Calls task `task`'s callback inside a debug label with its name.
    fn run_task<U>(
        &mut self,
        graph: &mut TaskGraph<Callback<U>>,
        input: &Inputs<'_>,
        task: u32,
        data: &mut U,
    ) -> Result<(), VkError> {
        let ops = self
            .ops
            .get(graph.task_attachment_range(task))
            .unwrap_or(&[]);
        let label = self.labels.get(task as usize);
        let utils = input.ctx.debug_utils.as_ref();
        if let (Some(utils), Some(name)) = (utils, label) {
            let info = vk::DebugUtilsLabelEXT::default().label_name(name);
            // SAFETY: recording; `name` outlives the call.
            unsafe { utils.cmd_begin_debug_utils_label(input.cmd, &info) };
        }
        let (name, attached, resources, callback) = graph.task_parts_mut(task);
        if let Some(callback) = callback {
            let mut context = TaskContext {
                ctx: input.ctx,
                cmd: input.cmd,
                task: name,
                attached,
                resources,
                handles: input.resolved.handles(),
                bound: input.bound,
                transient_images: input.transient_images,
                ops,
                error: None,
                data,
            };
            callback(&mut context);
            if let Some(source) = context.error {
                return Err(VkError::Task {
                    task: name.to_owned(),
                    source: Box::new(source),
                });
            }
        }
        if let (Some(utils), Some(_)) = (utils, label) {
            // SAFETY: closes the label opened above in the same command buffer.
            unsafe { utils.cmd_end_debug_utils_label(input.cmd) };
        }
        Ok(())
    }

    /// Remakes the labels and attachment ops when the graph or its recording changed.
    fn refresh<C>(&mut self, graph: &TaskGraph<C>, labels: bool) {
        let key = Some((graph.id(), graph.revision()));
        if labels && self.labels_for != key {
            self.labels = (0..graph.task_count() as u32)
                .map(|t| {
                    let name = graph.task_name(t).unwrap_or("task").replace('\0', " ");
                    // `replace` removed every NUL, the only thing `CString::new` rejects.
                    CString::new(name).unwrap_or_default()
                })
                .collect();
            self.labels_for = key;
        }
        if self.ops_for != key {
            self.ops = graph.attachment_ops();
            self.ops_for = key;
        }
    }
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
