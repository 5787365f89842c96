//! Compute tasks: a compute pipeline with views bound to its bindings by name. The task's
//! accesses come from the shader's reflection (what the entry point really reads and
//! writes), so the user does not repeat them; at execution the views are pushed as
//! descriptors, the push constants set and the dispatch recorded.

use std::sync::Arc;

use ash::vk;
use weft_graph::{TaskGraph, TaskId};
use weft_shader::BindingKind;

use crate::dispatch::{Dispatch, DispatchCall};
use crate::error::VkError;
use crate::pipeline::ComputePipeline;
use crate::shader_binds::{shader_bind_methods, ShaderBinds};
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
        let mut checked = self
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
        for (view, access) in std::mem::take(&mut checked.attachments) {
            task = task.attach(view, access);
        }
        task = order.apply(task);
        let call = DispatchCall {
            pipeline: self.pipeline.objects.pipeline,
            layout: self.pipeline.objects.layout,
            groups: self.groups,
        };
        let dispatch = Dispatch::new(call, checked, Arc::clone(&self.pipeline));
        let run = Work::Dispatch(dispatch);
        task.run(run).record().map_err(VkError::Graph)
    }
}
