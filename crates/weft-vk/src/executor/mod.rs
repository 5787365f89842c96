//! The executor: replays a graph's plan on the device, every frame. One execution goes
//! through these phases, each in its own module:
//!
//! 1. **frames** ([`frames`]): take the next frame slot once its previous submission is done;
//! 2. **resolve** ([`resolve`]): the real resource behind every virtual one (bound, or the
//!    frame's transient);
//! 3. **bridge** ([`bridge`]): barriers from the state each bound resource was left in to the
//!    plan's first use of it;
//! 4. **record** ([`record`]): batch by batch, one barrier call and the tasks' callbacks (with
//!    their [`TaskContext`], [`task_context`]);
//! 5. **remember** ([`bridge`]): the state the plan leaves each bound resource in;
//! 6. **submit** ([`frames`]): `vkQueueSubmit2` on the context's timeline, without waiting.

mod bridge;
mod frames;
mod record;
mod resolve;
mod task_context;

use std::sync::Arc;

use weft_graph::ExternalUse;

use crate::context::Context;
use crate::error::VkError;
use crate::graph::Graph;
use crate::swapchain::FrameSync;

pub(crate) use bridge::lock_state;
pub use task_context::{Callback, TaskContext};

use bridge::{remember_last_uses, Bridges};
use frames::Frames;
use record::{Inputs, Recorder};
use resolve::Resolved;

/// Replays graphs with up to N frames in flight (2 by default): `execute` records into the
/// next frame's command buffer (waiting only until that frame's previous submission has
/// finished) and submits without waiting. Host reads of mapped buffers wait for the GPU
/// themselves (see [`crate::Buffer::mapped`]).
pub struct Executor {
    ctx: Arc<Context>,
    frames: Frames,
    // Scratch reused by every execution, so the steady state does not allocate.
    resolved: Resolved,
    bridges: Bridges,
    recorder: Recorder,
    merged_last_uses: Vec<Option<ExternalUse>>,
}

impl Executor {
    /// An executor on `ctx`'s queue with 2 frames in flight.
    pub fn new(ctx: &Arc<Context>) -> Result<Self, VkError> {
        Self::with_frames_in_flight(ctx, 2)
    }

    /// An executor on `ctx`'s queue with up to `frames` (at least 1) frames in flight.
    pub fn with_frames_in_flight(ctx: &Arc<Context>, frames: usize) -> Result<Self, VkError> {
        Ok(Self {
            ctx: Arc::clone(ctx),
            frames: Frames::new(ctx, frames)?,
            resolved: Resolved::default(),
            bridges: Bridges::default(),
            recorder: Recorder::default(),
            merged_last_uses: Vec::new(),
        })
    }

    /// Records `graph`'s plan (compiled first if the recording changed) into the next
    /// frame's command buffer with the resources bound now, and submits it without waiting
    /// for the GPU. `data` is passed to every callback. Returns the submission's value on
    /// the context's timeline (see [`Context::wait_for_submission`]).
    pub fn execute<U>(&mut self, graph: &mut Graph<U>, data: &mut U) -> Result<u64, VkError> {
        if !graph.plan().map_err(VkError::Graph)?.presents().is_empty() {
            return Err(VkError::PresentWithoutSwapchain);
        }
        self.record_plan(graph, data)?;
        let parts = graph.parts().map_err(VkError::Graph)?;
        self.frames.submit(parts.plan, parts.bound, None)
    }

    /// Like [`Executor::execute`] for a frame that renders into an acquired swapchain image
    /// (bound to the graph's presented image): the submission waits for the image and
    /// signals `sync.rendered`, which [`crate::Swapchain::present`] waits for.
    pub fn execute_presenting<U>(
        &mut self,
        graph: &mut Graph<U>,
        data: &mut U,
        sync: FrameSync,
    ) -> Result<u64, VkError> {
        self.record_plan(graph, data)?;
        let parts = graph.parts().map_err(VkError::Graph)?;
        self.frames.submit(parts.plan, parts.bound, Some(sync))
    }

    /// Blocks until everything this executor submitted has finished.
    pub fn wait_idle(&self) -> Result<(), VkError> {
        self.ctx.wait_for_submission(self.frames.last_submission())
    }

    /// The CPU half of [`Executor::execute`]: resolves the resources and records the plan
    /// into the current frame's command buffer (after waiting for that frame's previous
    /// submission), without submitting it. The bound resources are marked with the state
    /// the plan leaves them in. Benchmarks use it to time recording alone; `execute` is
    /// this and a submit.
    pub fn record_plan<U>(&mut self, graph: &mut Graph<U>, data: &mut U) -> Result<(), VkError> {
        let parts = graph.parts().map_err(VkError::Graph)?;
        let frame = self.frames.acquire()?;
        self.resolved.resolve(
            &self.ctx,
            parts.recording.resources(),
            parts.bound,
            parts.plan,
            &mut frame.transients,
        )?;
        self.bridges.build(parts.plan, parts.bound);
        let cmd = self.frames.begin()?;
        let frame = self.frames.current();
        let input = Inputs {
            ctx: &self.ctx,
            cmd,
            plan: parts.plan,
            resolved: &self.resolved,
            bridges: &self.bridges,
            bound: parts.bound,
            transient_images: &frame.transients.images,
        };
        self.recorder.record(parts.recording, &input, data)?;
        remember_last_uses(parts.plan, parts.bound, &mut self.merged_last_uses);
        Ok(())
    }
}
