//! Pipeline tasks: a compute pipeline with views bound to its bindings by name. The task's
//! accesses come from the shader's reflection (what the entry point really reads and
//! writes), so the user does not repeat them; at execution the views are pushed as
//! descriptors, the push constants set and the dispatch recorded.

use std::sync::Arc;

use ash::vk;
use weft_graph::{TaskGraph, TaskId, View};
use weft_shader::BindingKind;

use crate::binding_access::{bind_view, check_binding_count, MAX_BINDINGS};
use crate::error::VkError;
use crate::executor::{Callback, TaskContext};
use crate::pipeline::ComputePipeline;
use crate::push_descriptors::{push_descriptors, Slot};

/// Writes a task's push constants from the per-frame data.
pub(crate) type PushFill<U> = Box<dyn FnMut(&U, &mut [u8]) + Send>;

/// Builds a compute task from a pipeline: `bind` views by binding name, set push constants
/// and the dispatch size, then `record` it into a graph.
pub struct PipelineTask {
    pipeline: Arc<ComputePipeline>,
    binds: Vec<(String, View, bool)>,
    push: Vec<u8>,
    groups: [u32; 3],
}

impl PipelineTask {
    /// A task running `pipeline`.
    pub fn new(pipeline: &Arc<ComputePipeline>) -> Self {
        Self {
            pipeline: Arc::clone(pipeline),
            binds: Vec::new(),
            push: Vec::new(),
            groups: [1, 1, 1],
        }
    }

    /// Binds `view` to the shader binding named `name`.
    pub fn bind(mut self, name: &str, view: impl Into<View>) -> Self {
        self.binds.push((name.to_owned(), view.into(), false));
        self
    }

    /// Binds `view` to the storage binding `name` as a concurrent write: tasks writing the
    /// same view concurrently (disjoint elements, atomics) may share a batch.
    pub fn bind_concurrent(mut self, name: &str, view: impl Into<View>) -> Self {
        self.binds.push((name.to_owned(), view.into(), true));
        self
    }

    /// The push-constant bytes (must match the shader's block size).
    pub fn push_constants(mut self, bytes: &[u8]) -> Self {
        self.push = bytes.to_vec();
        self
    }

    /// The number of workgroups to dispatch.
    pub fn dispatch(mut self, groups: [u32; 3]) -> Self {
        self.groups = groups;
        self
    }

    /// Checks the bindings against the shader and adds the task to `graph`.
    pub fn record<U: 'static>(
        self,
        graph: &mut TaskGraph<Callback<U>>,
        name: &str,
    ) -> Result<TaskId, VkError> {
        self.record_task(graph, name, None)
    }

    /// Like [`PipelineTask::record`], with push constants written from the per-frame data
    /// at every execution: `fill` gets the data and the push-constant bytes (the shader's
    /// block size, zeroed the first time). Static push constants given before are ignored.
    pub fn record_with<U: 'static>(
        self,
        graph: &mut TaskGraph<Callback<U>>,
        name: &str,
        fill: impl FnMut(&U, &mut [u8]) + Send + 'static,
    ) -> Result<TaskId, VkError> {
        self.record_task(graph, name, Some(Box::new(fill)))
    }

    fn record_task<U: 'static>(
        mut self,
        graph: &mut TaskGraph<Callback<U>>,
        name: &str,
        fill: Option<PushFill<U>>,
    ) -> Result<TaskId, VkError> {
        if fill.is_some() {
            self.push = vec![0; self.pipeline.shader.reflection.push_constant_size as usize];
        }
        let shader = &self.pipeline.shader;
        let reflection = &shader.reflection;
        let misuse = |problem: String| VkError::Binding {
            task: name.to_owned(),
            shader: shader.path.clone(),
            problem,
        };
        if let Some((unknown, _, _)) = self
            .binds
            .iter()
            .find(|(n, _, _)| reflection.binding(n).is_none())
        {
            return Err(misuse(format!(
                "the shader has no binding `{unknown}` (or its entry point does not use it)"
            )));
        }
        if self.push.len() as u32 != reflection.push_constant_size {
            return Err(misuse(format!(
                "{} push-constant bytes given, the shader's block has {}",
                self.push.len(),
                reflection.push_constant_size
            )));
        }
        let mut slots = Vec::with_capacity(reflection.bindings.len());
        let mut attachments = Vec::with_capacity(reflection.bindings.len());
        for binding in &reflection.bindings {
            if binding.kind == BindingKind::Sampler {
                continue;
            }
            let Some((_, view, concurrent)) =
                self.binds.iter().find(|(n, _, _)| *n == binding.name)
            else {
                return Err(misuse(format!("binding `{}` has no view", binding.name)));
            };
            let (attachment, slot) = bind_view(
                binding,
                *view,
                *concurrent,
                vk::PipelineStageFlags2::COMPUTE_SHADER,
                graph,
            )
            .map_err(&misuse)?;
            attachments.push(attachment);
            slots.push(slot);
        }
        check_binding_count(slots.len(), "pipeline").map_err(&misuse)?;
        let mut task = graph.task(name);
        for (view, access) in attachments {
            task = task.attach(view, access);
        }
        let pipeline = self.pipeline;
        let mut push = self.push;
        let mut fill = fill;
        let groups = self.groups;
        // The descriptor arrays live on the stack, sized to this task's binding count, so
        // recording neither allocates nor clears unused entries.
        macro_rules! sized {
            ($($n:literal)*) => {
                match slots.len() {
                    $($n => Box::new(move |cx: &mut TaskContext<'_, U>| {
                        if let Some(fill) = &mut fill {
                            fill(cx.data, &mut push);
                        }
                        record_dispatch::<U, $n>(cx, &pipeline, &slots, &push, groups)
                    }) as Callback<U>,)*
                    _ => Box::new(move |cx: &mut TaskContext<'_, U>| {
                        if let Some(fill) = &mut fill {
                            fill(cx.data, &mut push);
                        }
                        record_dispatch::<U, MAX_BINDINGS>(cx, &pipeline, &slots, &push, groups)
                    }),
                }
            };
        }
        let run = sized!(0 1 2 3 4 5 6 7 8);
        task.run(run).record().map_err(VkError::Graph)
    }
}

/// What a pipeline task records when the plan runs.
fn record_dispatch<U, const N: usize>(
    cx: &mut TaskContext<'_, U>,
    pipeline: &ComputePipeline,
    slots: &[Slot],
    push: &[u8],
    groups: [u32; 3],
) {
    if !push_descriptors::<U, N>(cx, vk::PipelineBindPoint::COMPUTE, pipeline.layout, slots) {
        return;
    }
    let cmd = cx.cmd();
    let ctx = cx.context();
    // SAFETY: the command buffer is recording; the push-constant size was checked against
    // the layout when the task was recorded.
    unsafe {
        ctx.device
            .cmd_bind_pipeline(cmd, vk::PipelineBindPoint::COMPUTE, pipeline.pipeline);
        if !push.is_empty() {
            ctx.device.cmd_push_constants(
                cmd,
                pipeline.layout,
                vk::ShaderStageFlags::COMPUTE,
                0,
                push,
            );
        }
        ctx.device
            .cmd_dispatch(cmd, groups[0], groups[1], groups[2]);
    }
}
