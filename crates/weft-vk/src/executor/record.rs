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
use super::replay::{Op, Replays};
use super::resolve::Resolved;
use super::watch::{Unwatched, Watch, Watched};
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

/// What may watch one recording (see [`super::watch`]): the capture, the profiler (with
/// the frame slot it times), and whether tasks get debug labels.
pub(crate) struct Watchers<'a> {
    pub capture: Option<&'a mut Capture>,
    pub profiler: Option<(&'a mut Profiler, usize)>,
    pub labels: bool,
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
        watchers: Watchers<'_>,
    ) -> Result<(), VkError> {
        let labels = watchers.labels && input.ctx.debug_utils.is_some();
        self.refresh_labels(graph, labels);
        self.replays.refresh(graph, input.plan);
        if watchers.capture.is_none() && watchers.profiler.is_none() && !labels {
            record_ops(graph, input, data, &mut self.replays, &mut Unwatched)
        } else {
            let mut watched = Watched {
                ctx: input.ctx,
                capture: watchers.capture,
                profiler: watchers.profiler,
                labels: if labels { &self.labels } else { &[] },
                resolved: input.resolved,
            };
            record_ops(graph, input, data, &mut self.replays, &mut watched)
        }
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

/// Records the ops of the current replay (see [`Replays::refresh`]) of `input.plan` into
/// `input.cmds`, telling `watch` of every step, and ends the command buffers.
fn record_ops<U>(
    graph: &mut TaskGraph<Work<U>>,
    input: &Inputs<'_>,
    data: &mut U,
    replays: &mut Replays,
    watch: &mut impl Watch,
) -> Result<(), VkError> {
    let plan = input.plan;
    let submits = plan.submit_batches();
    if input.cmds.len() != submits.len() + 1 {
        return Err(VkError::Unsupported(format!(
            "{} command buffers begun for a plan of {} submissions",
            input.cmds.len(),
            submits.len() + 1
        )));
    }
    let replay = replays.current()?;
    // The parts' command buffers, the one being recorded first (one per part, checked
    // above: the replay has a submit op per boundary).
    let mut cmds = input.cmds.iter().copied();
    let too_few = || VkError::Unsupported("a part of the plan without a command buffer".into());
    let mut cmd = cmds.next().ok_or_else(too_few)?;
    watch.begin(cmd, plan)?;
    let reals = Reals {
        handles: input.resolved.handles(),
        bound: input.bound,
        transient_images: input.transient_images,
    };
    for (at, op) in replay.ops.iter().enumerate() {
        let (task, batch) = match *op {
            Op::Submit => {
                end(input.ctx, cmd)?;
                cmd = cmds.next().ok_or_else(too_few)?;
                watch.submit();
                continue;
            }
            Op::Boundary(batch) => {
                record_barriers(input, cmd, batch, watch);
                continue;
            }
            Op::Task { task, batch } | Op::Fixed { task, batch, .. } => (task, batch),
        };
        if replay.has_tasks {
            prefetch_ahead(graph, &replay.ops[at + 1..]);
        }
        let watching = watch.task(graph, task, cmd);
        match op {
            Op::Fixed { dispatch, .. } => replay
                .record(input.ctx, cmd, dispatch, reals.handles.buffers)
                .map_err(|e| task_error(graph.task_name(task).unwrap_or(""), e))?,
            _ => run_task(
                graph,
                (input.ctx, &reals),
                &replay.attachment_ops,
                cmd,
                task,
                data,
            )?,
        }
        watch.task_done(cmd, task, batch, watching);
    }
    watch.end(cmd);
    replays.recorded(graph);
    // Every boundary is at most the last batch (a task follows each): the loop reached the
    // last part.
    end(input.ctx, cmd)
}

/// Asks the CPU for what the next tasks recorded through the graph will read first (their
/// records are not in plan order): the record of the second task among the `next` ops and
/// the callback state of the first (whose record the task before asked for).
#[inline]
fn prefetch_ahead<U>(graph: &TaskGraph<Work<U>>, next: &[Op]) {
    // A few ops ahead only: a long run of other ops is no run of tasks to prepare for.
    let mut tasks = next.iter().take(4).filter_map(|op| match *op {
        Op::Task { task, .. } => Some(task),
        _ => None,
    });
    let first = tasks.next();
    if let Some(record) = tasks.next().and_then(|t| graph.task_record(t)) {
        prefetch::<_, 2>(record);
    }
    if let Some(work) = first.and_then(|t| graph.task_callback(t)) {
        work.prefetch();
    }
}

/// Records the barriers the frame holds before batch `batch` into `cmd`, if there are any,
/// telling `watch`.
fn record_barriers(input: &Inputs<'_>, cmd: vk::CommandBuffer, batch: u32, watch: &mut impl Watch) {
    let (memory, images) = input.barriers.before(batch as usize);
    if memory.is_empty() && images.is_empty() {
        return;
    }
    let started = watch.barriers(memory, images);
    // An empty list is passed as no list at all (a null pointer): drivers copy every list
    // they are given (lavapipe allocates for an empty one too).
    let mut dependency = vk::DependencyInfo::default();
    if !memory.is_empty() {
        dependency = dependency.memory_barriers(memory);
    }
    if !images.is_empty() {
        dependency = dependency.image_memory_barriers(images);
    }
    // SAFETY: recording; the barriers outlive the call and name images resolved for this
    // execution (the frame barriers were prepared for them).
    unsafe { input.ctx.device.cmd_pipeline_barrier2(cmd, &dependency) };
    let kind = TimedKind::Barriers {
        memory: memory.len() as u32,
        image: images.len() as u32,
    };
    watch.barriers_done(cmd, kind, batch, started);
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

/// Ends recording `cmd`.
fn end(ctx: &Context, cmd: vk::CommandBuffer) -> Result<(), VkError> {
    // SAFETY: the command buffer was begun by the frame and is ended once.
    unsafe { ctx.device.end_command_buffer(cmd) }.map_err(vk_err("vkEndCommandBuffer"))
}
