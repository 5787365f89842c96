//! Compute tasks: a compute pipeline with views bound to its bindings by name. The task's
//! accesses come from the shader's reflection (what the entry point really reads and
//! writes), so the user does not repeat them; at execution the views are pushed as
//! descriptors, the push constants set and the dispatch recorded.

use std::sync::Arc;

use ash::vk;
use weft_graph::{TaskGraph, TaskId};
use weft_shader::BindingKind;

use crate::context::Context;
use crate::error::VkError;
use crate::pipeline::ComputePipeline;
use crate::push_bytes::PushBytes;
use crate::push_descriptors::{BufferSlot, Descriptors, PushTarget};
use crate::shader_binds::{shader_bind_methods, PushFill, ShaderBinds};
use crate::task_context::{Reals, TaskNames};
use crate::work::Work;

/// Builds a compute task (see [`crate::Graph::compute`]): `bind` views by binding name,
/// set push constants and the dispatch size, then `record` it.
pub struct ComputeTask<'g, U: 'static> {
    graph: &'g mut TaskGraph<Work<U>>,
    name: String,
    pipeline: Arc<ComputePipeline>,
    binds: ShaderBinds<U>,
    groups: [u32; 3],
}

impl<'g, U: 'static> ComputeTask<'g, U> {
    pub(crate) fn new(
        graph: &'g mut TaskGraph<Work<U>>,
        name: &str,
        pipeline: &Arc<ComputePipeline>,
    ) -> Self {
        Self {
            graph,
            name: name.to_owned(),
            pipeline: Arc::clone(pipeline),
            binds: ShaderBinds::default(),
            groups: [1, 1, 1],
        }
    }

    shader_bind_methods!();

    /// The number of workgroups to dispatch.
    pub fn dispatch(mut self, groups: [u32; 3]) -> Self {
        self.groups = groups;
        self
    }

    /// Checks the bindings against the shader and adds the task to the graph.
    pub fn record(mut self) -> Result<TaskId, VkError> {
        let shader = &self.pipeline.shader;
        let reflection = &shader.reflection;
        let bindings: Vec<_> = reflection
            .bindings
            .iter()
            .filter(|b| b.kind != BindingKind::Sampler)
            .map(|b| (b, vk::PipelineStageFlags2::COMPUTE_SHADER))
            .collect();
        let order = std::mem::take(&mut self.binds.order);
        let checked = self
            .binds
            .check(
                &bindings,
                reflection.push_constant_size,
                "compute",
                self.graph,
            )
            .map_err(|problem| VkError::Binding {
                task: self.name.clone(),
                shader: shader.path.clone(),
                problem,
            })?;
        let mut task = self.graph.task(&self.name);
        for (view, access) in checked.attachments {
            task = task.attach(view, access);
        }
        task = order.apply(task);
        let dispatch = Dispatch {
            call: DispatchCall {
                pipeline: self.pipeline.objects.pipeline,
                layout: self.pipeline.objects.layout,
                groups: self.groups,
            },
            push: checked.push,
            descriptors: checked.descriptors,
            fill: checked.fill,
            _keeps_alive: Arc::clone(&self.pipeline),
        };
        let run = Work::Dispatch(dispatch);
        task.run(run).record().map_err(VkError::Graph)
    }
}

/// A compute task's dispatch, kept as data (see [`Work`]): the pipeline, the views pushed
/// as descriptors, the push constants and the workgroup count. Made by
/// [`ComputeTask::record`].
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
