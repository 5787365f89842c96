//! A runtime graph: a recording (the planner's [`TaskGraph`]) with what running it needs:
//! the real resources bound to its external resources, its compile options, the values of
//! its conditions and the plans compiled from it (one per combination of condition values
//! met, see `graph_conditions.rs`). A plan is compiled once and again only when the
//! recording changes; bindings and condition values change between executions without a
//! recompile.
//!
//! Every task kind is built the same way: [`Graph::task`] (a callback),
//! [`Graph::compute`] (a compute pipeline), [`Graph::draw`] (a graphics pipeline), each
//! finished with `.record()?`.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use weft_graph::{
    BufferDesc, CompileOptions, ConditionValues, GraphError, Lifetime, Plan, PlanCache,
    ResourceDesc, TaskBuffer, TaskGraph, TaskImage,
};

use crate::bindings::{check_buffer_fits, check_image_fits, Bound};
use crate::buffer::Buffer;
use crate::compute_task::ComputeTask;
use crate::context::Context;
use crate::draw_task::{Draw, DrawTask};
use crate::error::VkError;
use crate::graphics::GraphicsPipeline;
use crate::image::Image;
use crate::memory_needs::{granularity, memory_needs};
use crate::pipeline::ComputePipeline;
use crate::task::Task;
use crate::work::Work;

/// A graph of tasks whose callbacks get per-frame data `U`, with its bindings and its plan.
///
/// It dereferences to the planner's [`TaskGraph`] for everything recording has in common
/// with planning: declaring transient resources and external ones from a description
/// (bound later), `after`, `submit`, `present`, inspection.
pub struct Graph<U: 'static = ()> {
    recording: TaskGraph<Work<U>>,
    /// By resource index: the real resource bound to an external resource.
    bound: Vec<Option<Bound>>,
    /// Grows with every bind and unbind (executors re-resolve handles only when it moved).
    bindings_changed: u64,
    options: CompileOptions,
    /// A plan per combination of condition values met.
    pub(crate) plans: PlanCache,
    /// The condition values the next execution runs with.
    pub(crate) values: ConditionValues,
    /// The device the plans' transients were placed for.
    placed_on: Option<ash::vk::Device>,
}

impl<U: 'static> Default for Graph<U> {
    fn default() -> Self {
        Self::new()
    }
}

impl<U: 'static> Deref for Graph<U> {
    type Target = TaskGraph<Work<U>>;
    fn deref(&self) -> &Self::Target {
        &self.recording
    }
}

impl<U: 'static> DerefMut for Graph<U> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.recording
    }
}

impl<U: 'static> Graph<U> {
    /// An empty graph compiled with the default options.
    pub fn new() -> Self {
        Self::with_options(CompileOptions::default())
    }

    /// An empty graph compiled with `options` (e.g. the sequential debug mode).
    pub fn with_options(options: CompileOptions) -> Self {
        let recording = TaskGraph::new();
        Self {
            values: recording.condition_values(),
            recording,
            bound: Vec::new(),
            bindings_changed: 0,
            options,
            plans: PlanCache::default(),
            placed_on: None,
        }
    }

    /// Declares an external buffer described by `real` and bound to it (until rebound with
    /// [`Graph::bind_buffer`]).
    pub fn import_buffer(&mut self, name: &str, real: &Arc<Buffer>) -> Result<TaskBuffer, VkError> {
        let desc = BufferDesc {
            size: real.size(),
            usage: real.usage(),
        };
        let buffer = self
            .recording
            .external_buffer(name, desc)
            .map_err(VkError::Graph)?;
        self.bind_buffer(buffer, real)?;
        Ok(buffer)
    }

    /// Declares an external image described by `real` and bound to it (until rebound with
    /// [`Graph::bind_image`]).
    pub fn import_image(&mut self, name: &str, real: &Arc<Image>) -> Result<TaskImage, VkError> {
        let image = self
            .recording
            .external_image(name, *real.desc())
            .map_err(VkError::Graph)?;
        self.bind_image(image, real)?;
        Ok(image)
    }

    /// Binds the real buffer `real` to the external buffer `buffer` for the next executions
    /// (no recompile); the Vulkan buffer takes the graph's name for it as its debug name.
    /// An error when `buffer` is not an external buffer of this graph or `real` does not
    /// fit its description (too small, missing usages).
    pub fn bind_buffer(&mut self, buffer: TaskBuffer, real: &Arc<Buffer>) -> Result<(), VkError> {
        let (index, name) = self.external(buffer.into())?;
        if let Some(want) = self.recording.buffer_desc(buffer) {
            check_buffer_fits(name, want, real)?;
        }
        real.name_object(name);
        self.set_binding(index, Bound::Buffer(Arc::clone(real)));
        Ok(())
    }

    /// Binds the real image `real` to the external image `image` for the next executions
    /// (no recompile); the Vulkan image takes the graph's name for it as its debug name.
    /// An error when `image` is not an external image of this graph or `real` does not fit
    /// its description (format, extent, mips, layers, usages).
    pub fn bind_image(&mut self, image: TaskImage, real: &Arc<Image>) -> Result<(), VkError> {
        let (index, name) = self.external(image.into())?;
        if let Some(want) = self.recording.image_desc(image) {
            check_image_fits(name, want, real)?;
        }
        real.name_object(name);
        self.set_binding(index, Bound::Image(Arc::clone(real)));
        Ok(())
    }

    /// Drops the binding of the external resource `view` is of (the graph no longer keeps
    /// the real resource alive); executing a plan that uses it is then an error until it is
    /// bound again.
    pub fn unbind(&mut self, view: impl Into<weft_graph::View>) -> Result<(), VkError> {
        let (index, _) = self.external(view.into())?;
        if let Some(slot) = self.bound.get_mut(index) {
            *slot = None;
        }
        self.bindings_changed += 1;
        Ok(())
    }

    /// The index and name of the external resource `view` is of.
    fn external(&self, view: weft_graph::View) -> Result<(usize, &str), VkError> {
        let index = view.resource_index();
        let info = self
            .recording
            .resource_of(view)
            .ok_or(VkError::ForeignResource { index })?;
        if info.lifetime != Lifetime::External {
            return Err(VkError::BindTransient {
                resource: info.name.clone(),
            });
        }
        Ok((index as usize, &info.name))
    }

    fn set_binding(&mut self, index: usize, bound: Bound) {
        if self.bound.len() <= index {
            self.bound.resize_with(index + 1, || None);
        }
        self.bound[index] = Some(bound);
        self.bindings_changed += 1;
    }

    /// Starts a task that runs a callback; finish it with [`Task::record`].
    pub fn task(&mut self, name: &str) -> Task<'_, U> {
        Task::new(self.recording.task(name))
    }

    /// Starts a compute task running `pipeline`; finish it with [`ComputeTask::record`].
    pub fn compute(&mut self, name: &str, pipeline: &Arc<ComputePipeline>) -> ComputeTask<'_, U> {
        ComputeTask::new(&mut self.recording, name, pipeline)
    }

    /// Starts a draw task with `pipeline`; finish it with [`DrawTask::record`].
    pub fn draw(
        &mut self,
        name: &str,
        pipeline: &Arc<GraphicsPipeline>,
        draw: Draw,
    ) -> DrawTask<'_, U> {
        DrawTask::new(&mut self.recording, name, pipeline, draw)
    }

    /// The compile options.
    pub fn options(&self) -> &CompileOptions {
        &self.options
    }

    /// Changes the compile options; the next [`Graph::plan`] or execution recompiles.
    pub fn set_options(&mut self, options: CompileOptions) {
        self.options = options;
        self.plans.clear();
    }

    /// The plan of the recording as it is now, for the current condition values: compiled
    /// on the first call and again only after the recording changed (see
    /// [`TaskGraph::revision`]) or for values not met before (see [`Graph::set_condition`]).
    pub fn plan(&mut self) -> Result<&Plan, GraphError> {
        Ok(self.current_plan()?)
    }

    /// [`Plan::describe`] of the current plan.
    pub fn describe(&mut self) -> Result<String, GraphError> {
        let (plan, recording) = self.inspect()?;
        plan.describe(recording)
    }

    /// The current plan (as [`Graph::plan`]; placed for a device once executed there) with
    /// the recording it was compiled from, for the plan's inspections that read both:
    /// `let (plan, recording) = graph.inspect()?; plan.chrome_trace(recording, &frames)?`.
    pub fn inspect(&mut self) -> Result<(&Plan, &TaskGraph<Work<U>>), GraphError> {
        self.sync_condition_values();
        let plan = self
            .plans
            .plan(&self.recording, &self.options, &self.values)?;
        Ok((plan, &self.recording))
    }

    /// The plan for the recording and condition values as they are now (see
    /// [`Graph::plan`]).
    fn current_plan(&mut self) -> Result<&mut Plan, GraphError> {
        self.sync_condition_values();
        self.plans
            .plan(&self.recording, &self.options, &self.values)
    }

    /// What the executor needs at once: the recording (its callbacks are called), the
    /// current plan with its transients placed for `ctx`'s device, and the bindings,
    /// compiled and placed first when needed.
    pub(crate) fn parts(&mut self, ctx: &Context) -> Result<Parts<'_, U>, VkError> {
        let key = ResolveKey {
            graph: self.recording.id(),
            revision: self.recording.revision(),
            bindings: self.bindings_changed,
        };
        let device = ctx.device.handle();
        if self.placed_on.is_some_and(|d| d != device) {
            // Placed for another device: place again.
            self.plans.clear();
        }
        self.sync_condition_values();
        let plan = self
            .plans
            .plan(&self.recording, &self.options, &self.values)
            .map_err(VkError::Graph)?;
        if !plan.is_placed() {
            let needs = |_: u32, desc: &ResourceDesc| memory_needs(ctx, desc);
            plan.place_transients(&self.recording, needs, granularity(ctx))
                .map_err(VkError::Graph)?;
            self.placed_on = Some(device);
        }
        Ok(Parts {
            plan,
            recording: &mut self.recording,
            bound: &self.bound,
            key,
        })
    }

    /// Test-only fault injection: the current plan, to drop barriers from.
    #[cfg(feature = "fault-injection")]
    pub fn plan_mut(&mut self) -> Result<&mut Plan, GraphError> {
        self.current_plan()
    }
}

/// The parts of a [`Graph`] one execution uses.
pub(crate) struct Parts<'g, U: 'static> {
    pub recording: &'g mut TaskGraph<Work<U>>,
    pub plan: &'g Plan,
    pub bound: &'g [Option<Bound>],
    /// What the real handles of an execution depend on.
    pub key: ResolveKey,
}

/// Identifies a graph's recording and bindings: equal keys resolve to the same handles.
/// Compile options are not part of it: they change the order of tasks, not which
/// resources a plan uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ResolveKey {
    pub graph: weft_graph::GraphId,
    pub revision: u64,
    pub bindings: u64,
}
