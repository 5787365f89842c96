//! Compute tasks: a compute pipeline with views bound to its bindings by name. The task's
//! accesses come from the shader's reflection (what the entry point really reads and
//! writes), so the user does not repeat them; at execution the views are pushed as
//! descriptors, the push constants set and the dispatch recorded.

use std::sync::Arc;

use ash::vk;
use weft_graph::{TaskGraph, TaskId};
use weft_shader::BindingKind;

use crate::binding_access::MAX_BINDINGS;
use crate::error::VkError;
use crate::pipeline::ComputePipeline;
use crate::push_descriptors::{push_descriptors, Slot};
use crate::shader_binds::{shader_bind_methods, ShaderBinds};
use crate::task_context::{Callback, TaskContext};

/// Builds a compute task (see [`crate::Graph::compute`]): `bind` views by binding name,
/// set push constants and the dispatch size, then `record` it.
pub struct ComputeTask<'g, U: 'static> {
    graph: &'g mut TaskGraph<Callback<U>>,
    name: String,
    pipeline: Arc<ComputePipeline>,
    binds: ShaderBinds<U>,
    groups: [u32; 3],
}

impl<'g, U: 'static> ComputeTask<'g, U> {
    pub(crate) fn new(
        graph: &'g mut TaskGraph<Callback<U>>,
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
        // The closure keeps what it records with inline: the pipeline's handles, and the
        // slots in an array sized to the binding count (so recording chases no pointer per
        // task, allocates nothing and clears no unused entry); the `Arc` only keeps the
        // pipeline alive.
        let pipeline = Arc::clone(&self.pipeline);
        let handles = (pipeline.objects.pipeline, pipeline.objects.layout);
        let slots = checked.slots;
        let mut push = checked.push;
        let mut fill = checked.fill;
        let groups = self.groups;
        macro_rules! sized {
            ($($n:literal)*) => {
                match slots.len() {
                    $($n => {
                        // This arm runs for `slots.len() == $n`: every index is inside.
                        let slots: [Slot; $n] = std::array::from_fn(|i| slots[i]);
                        Box::new(move |cx: &mut TaskContext<'_, U>| {
                            let _keeps_alive = &pipeline;
                            if let Some(fill) = &mut fill {
                                fill(cx.data, &mut push);
                            }
                            record_dispatch::<U, $n>(cx, handles, &slots, &push, groups)
                        }) as Callback<U>
                    })*
                    _ => Box::new(move |cx: &mut TaskContext<'_, U>| {
                        let _keeps_alive = &pipeline;
                        if let Some(fill) = &mut fill {
                            fill(cx.data, &mut push);
                        }
                        record_dispatch::<U, MAX_BINDINGS>(cx, handles, &slots, &push, groups)
                    }),
                }
            };
        }
        let run = sized!(0 1 2 3 4 5 6 7 8);
        task.run(run).record().map_err(VkError::Graph)
    }
}

/// What a compute task records when the plan runs.
fn record_dispatch<U, const N: usize>(
    cx: &mut TaskContext<'_, U>,
    (pipeline, layout): (vk::Pipeline, vk::PipelineLayout),
    slots: &[Slot],
    push: &[u8],
    groups: [u32; 3],
) {
    let cmd = cx.cmd();
    // SAFETY: the command buffer is recording.
    unsafe {
        cx.context()
            .device
            .cmd_bind_pipeline(cmd, vk::PipelineBindPoint::COMPUTE, pipeline);
    }
    if !push_descriptors::<U, N>(cx, vk::PipelineBindPoint::COMPUTE, layout, slots) {
        return;
    }
    let ctx = cx.context();
    // SAFETY: the command buffer is recording; the push-constant size was checked against
    // the layout when the task was recorded.
    unsafe {
        if !push.is_empty() {
            ctx.device
                .cmd_push_constants(cmd, layout, vk::ShaderStageFlags::COMPUTE, 0, push);
        }
        ctx.device
            .cmd_dispatch(cmd, groups[0], groups[1], groups[2]);
    }
}
