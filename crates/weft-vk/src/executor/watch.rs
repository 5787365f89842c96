//! What watches a recording besides the command buffers: the capture of what is recorded
//! (for the judge), the profiler and the debug labels. The recorder is generic over
//! [`Watch`], so a recording nothing watches ([`Unwatched`], the usual case) compiles to a
//! loop with no check for any of them per task.

use std::ffi::CString;
use std::time::Instant;

use ash::vk;
use weft_graph::{Plan, TaskGraph, TimedKind};

use crate::context::Context;
use crate::error::VkError;

use super::capture::Capture;
use super::profiler::Profiler;
use super::resolve::Resolved;

/// What a [`Watch`] keeps of one task between its start and its end.
#[derive(Clone, Copy, Default)]
pub(crate) struct TaskWatch {
    started: Option<Instant>,
    labelled: bool,
}

/// Something told of each step of a recording (see the module doc); every method does
/// nothing unless an implementation says otherwise.
pub(crate) trait Watch {
    /// Recording `plan` begins in `cmd`.
    fn begin(&mut self, _cmd: vk::CommandBuffer, _plan: &Plan) -> Result<(), VkError> {
        Ok(())
    }

    /// A submit boundary passed.
    fn submit(&mut self) {}

    /// The barriers of a boundary are about to be recorded; what [`Watch::barriers_done`]
    /// gets back.
    fn barriers(
        &mut self,
        _memory: &[vk::MemoryBarrier2<'static>],
        _images: &[vk::ImageMemoryBarrier2<'static>],
    ) -> Option<Instant> {
        None
    }

    /// The barriers before batch `batch` (`kind` says how many) were recorded into `cmd`.
    fn barriers_done(
        &mut self,
        _cmd: vk::CommandBuffer,
        _kind: TimedKind,
        _batch: u32,
        _started: Option<Instant>,
    ) {
    }

    /// Task `task` of `graph` is about to be recorded into `cmd`; what
    /// [`Watch::task_done`] gets back.
    fn task<C>(&mut self, _graph: &TaskGraph<C>, _task: u32, _cmd: vk::CommandBuffer) -> TaskWatch {
        TaskWatch::default()
    }

    /// Task `task` of batch `batch` was recorded into `cmd`.
    fn task_done(&mut self, _cmd: vk::CommandBuffer, _task: u32, _batch: u32, _watch: TaskWatch) {}

    /// Recording ends in `cmd`.
    fn end(&mut self, _cmd: vk::CommandBuffer) {}
}

/// Nothing watches.
pub(crate) struct Unwatched;

impl Watch for Unwatched {}

/// The capture, the profiler (with the frame slot it times) and the debug labels (task
/// names by task, empty without debug utils), each when on.
pub(crate) struct Watched<'a> {
    pub ctx: &'a Context,
    pub capture: Option<&'a mut Capture>,
    pub profiler: Option<(&'a mut Profiler, usize)>,
    pub labels: &'a [CString],
    /// The handles the capture names real resources by.
    pub resolved: &'a Resolved,
}

impl Watch for Watched<'_> {
    fn begin(&mut self, cmd: vk::CommandBuffer, plan: &Plan) -> Result<(), VkError> {
        match &mut self.profiler {
            Some((profiler, slot)) => profiler.begin(cmd, *slot, plan),
            None => Ok(()),
        }
    }

    fn submit(&mut self) {
        if let Some(capture) = self.capture.as_deref_mut() {
            capture.next_submission();
        }
    }

    fn barriers(
        &mut self,
        memory: &[vk::MemoryBarrier2<'static>],
        images: &[vk::ImageMemoryBarrier2<'static>],
    ) -> Option<Instant> {
        let started = self.profiler.as_ref().and_then(|(p, _)| p.item_start());
        if let Some(capture) = self.capture.as_deref_mut() {
            capture.barrier(memory, images);
        }
        started
    }

    fn barriers_done(
        &mut self,
        cmd: vk::CommandBuffer,
        kind: TimedKind,
        batch: u32,
        started: Option<Instant>,
    ) {
        if let (Some((profiler, slot)), Some(started)) = (&mut self.profiler, started) {
            profiler.item_done(cmd, *slot, kind, batch, started);
        }
    }

    fn task<C>(&mut self, graph: &TaskGraph<C>, task: u32, cmd: vk::CommandBuffer) -> TaskWatch {
        if let Some(capture) = self.capture.as_deref_mut() {
            capture.task(graph, task, self.resolved);
        }
        let started = self.profiler.as_ref().and_then(|(p, _)| p.item_start());
        let utils = self.ctx.debug_utils.as_ref();
        let labelled = match (utils, self.labels.get(task as usize)) {
            (Some(utils), Some(name)) => {
                let info = vk::DebugUtilsLabelEXT::default().label_name(name);
                // SAFETY: recording; `name` outlives the call.
                unsafe { utils.cmd_begin_debug_utils_label(cmd, &info) };
                true
            }
            _ => false,
        };
        TaskWatch { started, labelled }
    }

    fn task_done(&mut self, cmd: vk::CommandBuffer, task: u32, batch: u32, watch: TaskWatch) {
        if let (true, Some(utils)) = (watch.labelled, self.ctx.debug_utils.as_ref()) {
            // SAFETY: closes the label `task` opened in the same command buffer.
            unsafe { utils.cmd_end_debug_utils_label(cmd) };
        }
        if let (Some((profiler, slot)), Some(started)) = (&mut self.profiler, watch.started) {
            profiler.item_done(cmd, *slot, TimedKind::Task(task), batch, started);
        }
    }

    fn end(&mut self, cmd: vk::CommandBuffer) {
        if let Some((profiler, slot)) = &mut self.profiler {
            profiler.end(cmd, *slot);
        }
    }
}
