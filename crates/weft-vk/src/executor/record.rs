//! Recording a plan into a command buffer, batch by batch: one `vkCmdPipelineBarrier2` per
//! boundary (what [`super::frame_barriers`] prepared), then each task inside a debug label
//! with its name: a fixed dispatch from the plan's replay (see [`super::replay`]), any
//! other task through its callback or dispatch in the graph.

use std::ffi::CString;

use ash::vk;
use weft_graph::{AttachmentOps, Plan, TaskGraph, TimedKind};

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::image::Image;

use super::capture::Capture;
use super::frame_barriers::FrameBarriers;
use super::profiler::Profiler;
use super::replay::{Replays, Step};
use super::resolve::Resolved;
use crate::prefetch::prefetch;
use crate::task_context::{Reals, TaskContext, TaskNames};
use crate::work::Work;

/// Scratch the recorder reuses every execution, so the steady state does not allocate.
#[derive(Default)]
pub(crate) struct Recorder {
    /// Task names for debug labels, for the graph and revision they were made for.
    labels: Vec<CString>,
    labels_for: Option<(weft_graph::GraphId, u64)>,
    /// What it keeps of each plan.
    replays: Replays,
}

/// What one recording reads.
pub(crate) struct Inputs<'a> {
    pub ctx: &'a Context,
    /// One begun command buffer per part of the plan (see `Plan::submit_batches`).
    pub cmds: &'a [vk::CommandBuffer],
    pub plan: &'a Plan,
    pub resolved: &'a Resolved,
    pub barriers: &'a FrameBarriers,
    pub bound: &'a [Option<Bound>],
    pub transient_images: &'a [Option<Image>],
}

impl Recorder {
    /// Records `plan` into `input.cmds` (begun), one part of the plan into each, and ends
    /// them.
    pub fn record<U>(
        &mut self,
        graph: &mut TaskGraph<Work<U>>,
        input: &Inputs<'_>,
        data: &mut U,
        mut capture: Option<&mut Capture>,
        mut profiler: Option<(&mut Profiler, usize)>,
    ) -> Result<(), VkError> {
        self.refresh_labels(graph, input.ctx.debug_utils.is_some());
        let plan = input.plan;
        let replay = self.replays.refresh(graph, plan);
        // The submit boundaries passed, which is the part being recorded.
        let mut part = 0;
        let submits = plan.submit_batches();
        if input.cmds.len() != submits.len() + 1 {
            return Err(VkError::Unsupported(format!(
                "{} command buffers begun for a plan of {} submissions",
                input.cmds.len(),
                submits.len() + 1
            )));
        }
        let mut cmd = input.cmds[0];
        if let Some((profiler, slot)) = &mut profiler {
            profiler.begin(cmd, *slot, plan)?;
        }
        // The position in the plan's task order.
        let mut at = 0;
        let labels = &self.labels[..];
        let reals = Reals {
            handles: input.resolved.handles(),
            bound: input.bound,
            transient_images: input.transient_images,
        };
        for batch in 0..=plan.batch_count() {
            while submits.get(part).is_some_and(|&b| b as usize == batch) {
                // A submit boundary: the rest goes to the next part's command buffer.
                end(input.ctx, cmd)?;
                part += 1;
                // The count was checked above: one command buffer per submit boundary more.
                cmd = input.cmds[part];
                if let Some(capture) = capture.as_deref_mut() {
                    capture.next_submission();
                }
            }
            let (memory, images) = input.barriers.before(batch);
            if !memory.is_empty() || !images.is_empty() {
                let started = profiler.as_ref().and_then(|(p, _)| p.item_start());
                if let Some(capture) = capture.as_deref_mut() {
                    capture.barrier(memory, images);
                }
                let dependency = vk::DependencyInfo::default()
                    .memory_barriers(memory)
                    .image_memory_barriers(images);
                // SAFETY: recording; the barriers outlive the call and name images resolved
                // for this execution (the frame barriers were prepared for them).
                unsafe { input.ctx.device.cmd_pipeline_barrier2(cmd, &dependency) };
                if let (Some((profiler, slot)), Some(started)) = (&mut profiler, started) {
                    let kind = TimedKind::Barriers {
                        memory: memory.len() as u32,
                        image: images.len() as u32,
                    };
                    profiler.item_done(cmd, *slot, kind, batch as u32, started);
                }
            }
            for &task in plan.batch(batch) {
                if replay.has_tasks() {
                    prefetch_ahead(graph, plan.task_order(), |at| replay.step(at), at);
                }
                let step = replay.step(at);
                at += 1;
                if let Some(capture) = capture.as_deref_mut() {
                    capture.task(graph, task, input.resolved);
                }
                let started = profiler.as_ref().and_then(|(p, _)| p.item_start());
                let label = begin_label(input.ctx, cmd, labels.get(task as usize));
                match step {
                    Step::Fixed(dispatch) => replay
                        .record(input.ctx, cmd, dispatch, reals.handles.buffers)
                        .map_err(|e| task_error(graph.task_name(task).unwrap_or(""), e))?,
                    Step::Task => {
                        run_task(graph, (input.ctx, &reals), &replay.ops, cmd, task, data)?
                    }
                }
                end_label(input.ctx, cmd, label);
                if let (Some((profiler, slot)), Some(started)) = (&mut profiler, started) {
                    let kind = TimedKind::Task(task);
                    profiler.item_done(cmd, *slot, kind, batch as u32, started);
                }
            }
        }
        if let Some((profiler, slot)) = &mut profiler {
            profiler.end(cmd, *slot);
        }
        self.replays.recorded(graph);
        // Every boundary is at most the last batch (a task follows each): the loop reached
        // the last part.
        end(input.ctx, cmd)
    }

    /// Remakes the labels (when `labels` are wanted) when the graph or its recording
    /// changed.
    fn refresh_labels<C>(&mut self, graph: &TaskGraph<C>, labels: bool) {
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
    }
}

/// Asks the CPU for what the tasks a little ahead of position `at` (of the plan's task
/// `order`) recorded through the graph will read first (their records are not in plan
/// order): the record two tasks ahead and the callback state of the next (whose record the
/// last task asked for). `step` gives a position's step.
#[inline]
fn prefetch_ahead<U>(
    graph: &TaskGraph<Work<U>>,
    order: &[u32],
    step: impl Fn(usize) -> Step,
    at: usize,
) {
    if let (Step::Task, Some(&task)) = (step(at + 2), order.get(at + 2)) {
        if let Some(record) = graph.task_record(task) {
            prefetch::<_, 2>(record);
        }
    }
    if let (Step::Task, Some(&task)) = (step(at + 1), order.get(at + 1)) {
        if let Some(work) = graph.task_callback(task) {
            work.prefetch();
        }
    }
}

/// Records task `task` (its dispatch, or calls its callback) with this execution's real
/// resources and the attachment ops of its plan (`ops`, by attachment of the graph).
fn run_task<U>(
    graph: &mut TaskGraph<Work<U>>,
    (ctx, reals): (&Context, &Reals<'_>),
    ops: &[AttachmentOps],
    cmd: vk::CommandBuffer,
    task: u32,
    data: &mut U,
) -> Result<(), VkError> {
    let (name, attached, first, resources, work) = graph.task_parts_mut(task);
    let names = TaskNames {
        task: name,
        resources,
    };
    let recorded = match work {
        Some(Work::Dispatch(dispatch)) => dispatch.record(ctx, cmd, (reals, names), data),
        Some(Work::Callback(callback)) => {
            let mut context = TaskContext {
                ctx,
                cmd,
                names,
                attached,
                reals,
                ops: ops.get(first..first + attached.len()).unwrap_or(&[]),
                error: None,
                data,
            };
            callback(&mut context);
            context.error.map_or(Ok(()), Err)
        }
        None => Ok(()),
    };
    recorded.map_err(|e| task_error(name, e))
}

/// The error of task `name` that failed with `source`.
#[cold]
fn task_error(name: &str, source: VkError) -> VkError {
    VkError::Task {
        task: name.to_owned(),
        source: Box::new(source),
    }
}

/// Opens a debug label named `name` in `cmd` when there is a name and debug utils are on;
/// whether it did.
#[inline]
fn begin_label(ctx: &Context, cmd: vk::CommandBuffer, name: Option<&CString>) -> bool {
    let (Some(utils), Some(name)) = (ctx.debug_utils.as_ref(), name) else {
        return false;
    };
    let info = vk::DebugUtilsLabelEXT::default().label_name(name);
    // SAFETY: recording; `name` outlives the call.
    unsafe { utils.cmd_begin_debug_utils_label(cmd, &info) };
    true
}

/// Closes the label [`begin_label`] opened in `cmd`, if it did.
#[inline]
fn end_label(ctx: &Context, cmd: vk::CommandBuffer, opened: bool) {
    if let (true, Some(utils)) = (opened, ctx.debug_utils.as_ref()) {
        // SAFETY: closes the label opened in the same command buffer.
        unsafe { utils.cmd_end_debug_utils_label(cmd) };
    }
}

/// Ends recording `cmd`.
fn end(ctx: &Context, cmd: vk::CommandBuffer) -> Result<(), VkError> {
    // SAFETY: the command buffer was begun by the frame and is ended once.
    unsafe { ctx.device.end_command_buffer(cmd) }.map_err(vk_err("vkEndCommandBuffer"))
}
