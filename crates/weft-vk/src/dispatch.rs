//! A compute task's dispatch as data (what [`crate::ComputeTask::record`] makes): the
//! pipeline, the views pushed as descriptors, the push constants and the workgroup count,
//! and how each recording of it binds, pushes and dispatches.

use std::sync::Arc;

use ash::vk;

use crate::context::Context;
use crate::error::VkError;
use crate::pipeline::ComputePipeline;
use crate::push_bytes::PushBytes;
use crate::push_descriptors::{BufferSlot, Descriptors, PushTarget};
use crate::shader_binds::{CheckedBinds, PushFill};
use crate::task_context::{Reals, TaskNames};

/// A compute task's dispatch, kept as data (see [`crate::Work`]): the pipeline, the views pushed
/// as descriptors, the push constants and the workgroup count. Made by
/// [`crate::ComputeTask::record`].
pub struct Dispatch<U> {
    call: DispatchCall,
    push: PushBytes,
    descriptors: Descriptors,
    fill: Option<PushFill<U>>,
    /// Keeps the pipeline (whose handles `call` holds) alive.
    _keeps_alive: Arc<ComputePipeline>,
}

/// What every recording of a dispatch binds and dispatches: the pipeline, its layout and
/// the workgroup count.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DispatchCall {
    pub pipeline: vk::Pipeline,
    pub layout: vk::PipelineLayout,
    pub groups: [u32; 3],
}

impl DispatchCall {
    /// Records the dispatch into `cmd`: binds the pipeline, pushes the descriptors
    /// (`descriptors` does, into the target it is given) and the push constants `push`,
    /// dispatches.
    #[inline]
    pub fn record(
        &self,
        ctx: &Context,
        cmd: vk::CommandBuffer,
        push: &[u8],
        descriptors: impl FnOnce(PushTarget) -> Result<(), VkError>,
    ) -> Result<(), VkError> {
        // SAFETY: the command buffer is recording; the pipeline is alive (its dispatch
        // keeps it).
        unsafe {
            ctx.device
                .cmd_bind_pipeline(cmd, vk::PipelineBindPoint::COMPUTE, self.pipeline);
        }
        descriptors(PushTarget {
            cmd,
            bind_point: vk::PipelineBindPoint::COMPUTE,
            layout: self.layout,
        })?;
        let [x, y, z] = self.groups;
        // SAFETY: the command buffer is recording; the push-constant size was checked
        // against the layout when the task was recorded.
        unsafe {
            if !push.is_empty() {
                ctx.device.cmd_push_constants(
                    cmd,
                    self.layout,
                    vk::ShaderStageFlags::COMPUTE,
                    0,
                    push,
                );
            }
            ctx.device.cmd_dispatch(cmd, x, y, z);
        }
        Ok(())
    }
}

impl<U> Dispatch<U> {
    /// The dispatch `call` with the bindings `checked` against its shader; `pipeline` is
    /// kept alive with it.
    pub(crate) fn new(
        call: DispatchCall,
        checked: CheckedBinds<U>,
        pipeline: Arc<ComputePipeline>,
    ) -> Self {
        Self {
            call,
            push: checked.push,
            descriptors: checked.descriptors,
            fill: checked.fill,
            _keeps_alive: pipeline,
        }
    }

    /// Asks the CPU to bring the descriptors closer (see [`crate::prefetch`]).
    #[inline]
    pub(crate) fn prefetch(&self) {
        self.descriptors.prefetch();
    }

    /// What recording the dispatch takes when it is the same every execution (push
    /// constants fixed, a few buffer views only, see [`Descriptors::exact_buffers`]): the
    /// call, the push constants and the buffer descriptors.
    pub(crate) fn fixed(&self) -> Option<(DispatchCall, &[u8], &[BufferSlot])> {
        let buffers = self.descriptors.exact_buffers()?;
        self.fill
            .is_none()
            .then_some((self.call, &*self.push, buffers))
    }

    /// Records the dispatch into `cmd` with this execution's real resources (`reals`; the
    /// task is the one `names` names), writing the push constants from `data` first when
    /// the task writes them per frame.
    pub(crate) fn record(
        &mut self,
        ctx: &Context,
        cmd: vk::CommandBuffer,
        task: (&Reals<'_>, TaskNames<'_>),
        data: &U,
    ) -> Result<(), VkError> {
        if let Some(fill) = &mut self.fill {
            fill(data, &mut self.push);
        }
        let descriptors = &self.descriptors;
        self.call
            .record(ctx, cmd, &self.push, |to| descriptors.push(ctx, to, task))
    }
}
