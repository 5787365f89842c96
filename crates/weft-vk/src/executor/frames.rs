//! Frames and submission: one command buffer per frame in flight, each with its own
//! transient resources; a frame slot is reused once its previous submission has finished.
//! Submissions go through the context's timeline, which orders them and tells resources
//! when the GPU is done with them.

use std::sync::Arc;

use ash::vk;
use weft_graph::Plan;

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::timeline::{FrameSync, Submit};

use super::frame_barriers::FrameBarriers;
use super::resolve::Resolved;
use super::transients::{TransientMemory, Transients};

/// One frame in flight: its command buffer, the submission that last used it, and its own
/// transient resources (frames in flight must not share them).
pub(crate) struct Frame {
    pub cmd: vk::CommandBuffer,
    pub submission: u64,
    pub transients: Transients,
    /// The real handles of the slot's last execution (its transients are its own).
    pub resolved: Resolved,
    /// The barrier calls of the slot's last execution.
    pub barriers: FrameBarriers,
}

/// The frame slots of an executor and the pool their command buffers come from.
pub(crate) struct Frames {
    ctx: Arc<Context>,
    pool: vk::CommandPool,
    slots: Vec<Frame>,
    current: usize,
}

impl Frames {
    /// `count` (at least 1) frame slots on `ctx`'s queue.
    pub fn new(ctx: &Arc<Context>, count: usize) -> Result<Self, VkError> {
        let (pool, cmds) = ctx.command_pool(
            vk::CommandPoolCreateFlags::RESET_COMMAND_BUFFER,
            count.max(1) as u32,
        )?;
        Ok(Self {
            ctx: Arc::clone(ctx),
            pool,
            slots: cmds
                .into_iter()
                .map(|cmd| Frame {
                    cmd,
                    submission: 0,
                    transients: Transients::default(),
                    resolved: Resolved::default(),
                    barriers: FrameBarriers::default(),
                })
                .collect(),
            current: 0,
        })
    }

    /// The current frame slot, once its previous submission has finished (so its command
    /// buffer and transients may be reused).
    pub fn acquire(&mut self) -> Result<&mut Frame, VkError> {
        let frame = &mut self.slots[self.current];
        self.ctx.wait_for_submission(frame.submission)?;
        Ok(frame)
    }

    /// The current frame slot (without waiting; see [`Frames::acquire`]).
    pub fn current(&self) -> &Frame {
        &self.slots[self.current]
    }

    /// The current frame slot, to change (without waiting; see [`Frames::acquire`]).
    pub fn current_mut(&mut self) -> &mut Frame {
        &mut self.slots[self.current]
    }

    /// Resets the current frame's command buffer and begins recording it.
    pub fn begin(&self) -> Result<vk::CommandBuffer, VkError> {
        let cmd = self.slots[self.current].cmd;
        let begin = vk::CommandBufferBeginInfo::default()
            .flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
        // SAFETY: `acquire` waited for this frame's previous submission, so the command
        // buffer is not pending and may be reset.
        unsafe {
            self.ctx
                .device
                .reset_command_buffer(cmd, vk::CommandBufferResetFlags::empty())
                .map_err(vk_err("vkResetCommandBuffer"))?;
            self.ctx
                .device
                .begin_command_buffer(cmd, &begin)
                .map_err(vk_err("vkBeginCommandBuffer"))?;
        }
        Ok(cmd)
    }

    /// Submits the current frame's (recorded) command buffer (after the frame slot's previous
    /// submission), marks the bound resources the plan uses and the transients as used by
    /// it, and moves to the
    /// next slot. Returns the submission's timeline value.
    pub fn submit(
        &mut self,
        plan: &Plan,
        bound: &[Option<Bound>],
        sync: Option<FrameSync>,
    ) -> Result<u64, VkError> {
        let frame = &mut self.slots[self.current];
        let ctx = &self.ctx;
        let value = ctx.timeline.submit(
            &ctx.device,
            ctx.queue,
            frame.cmd,
            Submit::After(frame.submission),
            sync,
            &ctx.allocator,
        )?;
        frame.submission = value;
        // Only what the plan uses: a bound resource it does not touch stays free for the
        // host and for destruction.
        for (index, real) in bound.iter().enumerate() {
            if let (Some(real), true) = (real, plan.uses_resource(index as u32)) {
                real.in_flight(value);
            }
        }
        frame.transients.in_flight(value);
        self.current = (self.current + 1) % self.slots.len();
        Ok(value)
    }

    /// The transients' memory (see [`super::Executor::transient_memory`]).
    pub fn transient_memory(&self) -> TransientMemory {
        let last = (self.current + self.slots.len() - 1) % self.slots.len();
        TransientMemory {
            frames: self.slots.len(),
            held_bytes: self.slots.iter().map(|f| f.transients.held_bytes()).sum(),
            ..self.slots[last].transients.figures
        }
    }

    /// The last submission of any frame slot.
    pub fn last_submission(&self) -> u64 {
        self.slots.iter().map(|f| f.submission).max().unwrap_or(0)
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        let _ = self.ctx.wait_for_submission(self.last_submission());
        // SAFETY: every submission of these frames has finished (or the device is lost),
        // so nothing from the pool is in use; the transients are dropped afterwards and,
        // being finished, destroyed at once.
        unsafe { self.ctx.device.destroy_command_pool(self.pool, None) };
    }
}
