//! Frames and submission: command buffers per frame in flight, one per submission of the
//! plan (its `submit()` boundaries), each frame with its own transient resources; a frame
//! slot is reused once its previous submissions have finished. Submissions go through the
//! context's timeline, which orders them and tells resources when the GPU is done with
//! them: a resource the plan last uses before a boundary is done when that submission is,
//! so the host can read it while the later ones run.

use std::sync::Arc;

use ash::vk;
use weft_graph::Plan;

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::timeline::{Binary, FrameSync, Submit};

use super::frame_barriers::FrameBarriers;
use super::resolve::Resolved;
use super::transient_sets::TransientSets;
use super::transients::TransientMemory;

/// One frame in flight: its command buffers (one per submission), the last submission that
/// used it, and its own transient resources (frames in flight must not share them).
pub(crate) struct Frame {
    cmds: Vec<vk::CommandBuffer>,
    /// The timeline values of its last execution's submissions.
    pub values: Vec<u64>,
    pub submission: u64,
    pub transients: TransientSets,
    /// The real handles of the slot's last execution (its transients are its own).
    pub resolved: Resolved,
    /// The barrier calls of the slot's last execution.
    pub barriers: FrameBarriers,
}

impl Frame {
    /// Its first `count` command buffers (fewer when it has fewer).
    pub fn cmds(&self, count: usize) -> &[vk::CommandBuffer] {
        &self.cmds[..count.min(self.cmds.len())]
    }
}

/// How the frames in flight of an executor hold transient memory (see
/// [`crate::Executor::with_transient_copies`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TransientCopies {
    /// Each frame slot has its own copy: frames in flight overlap on the GPU, and the
    /// memory is the placement times the frames in flight.
    #[default]
    PerFrame,
    /// One copy for all frame slots: each execution's first submission waits (all stages)
    /// for the previous execution's last, so frames do not overlap on the GPU; the memory
    /// is one placement.
    Shared,
}

/// The frame slots of an executor and the pool their command buffers come from.
pub(crate) struct Frames {
    ctx: Arc<Context>,
    pool: vk::CommandPool,
    slots: Vec<Frame>,
    current: usize,
    copies: TransientCopies,
    /// With shared transients: the slot that holds them now (the others hold none).
    shared_in: usize,
}

impl Frames {
    /// `count` (at least 1) frame slots on `ctx`'s queue.
    pub fn new(ctx: &Arc<Context>, count: usize, copies: TransientCopies) -> Result<Self, VkError> {
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
                    cmds: vec![cmd],
                    values: Vec::new(),
                    submission: 0,
                    transients: TransientSets::default(),
                    resolved: Resolved::default(),
                    barriers: FrameBarriers::default(),
                })
                .collect(),
            current: 0,
            copies,
            shared_in: 0,
        })
    }

    /// Waits until the current frame slot's previous submission has finished (so its
    /// command buffers and transients may be reused), and gives it the shared transients.
    pub fn acquire(&mut self) -> Result<(), VkError> {
        self.ctx
            .wait_for_submission(self.slots[self.current].submission)?;
        if self.copies == TransientCopies::Shared && self.shared_in != self.current {
            // The one copy moves to the slot that records now.
            let taken = std::mem::take(&mut self.slots[self.shared_in].transients);
            self.slots[self.current].transients = taken;
            self.shared_in = self.current;
        }
        Ok(())
    }

    /// The number of frame slots.
    pub fn count(&self) -> usize {
        self.slots.len()
    }

    /// The index of the current frame slot.
    pub fn current_index(&self) -> usize {
        self.current
    }

    /// The current frame slot (without waiting; see [`Frames::acquire`]).
    pub fn current(&self) -> &Frame {
        &self.slots[self.current]
    }

    /// The current frame slot, to change (without waiting; see [`Frames::acquire`]).
    pub fn current_mut(&mut self) -> &mut Frame {
        &mut self.slots[self.current]
    }

    /// Resets `count` command buffers of the current frame (made when it has fewer) and
    /// begins recording them.
    pub fn begin(&mut self, count: usize) -> Result<(), VkError> {
        let frame = &mut self.slots[self.current];
        if frame.cmds.len() < count {
            let more = vk::CommandBufferAllocateInfo::default()
                .command_pool(self.pool)
                .level(vk::CommandBufferLevel::PRIMARY)
                .command_buffer_count((count - frame.cmds.len()) as u32);
            // SAFETY: the pool belongs to this device and is only used by this executor.
            let made = unsafe { self.ctx.device.allocate_command_buffers(&more) }
                .map_err(vk_err("vkAllocateCommandBuffers"))?;
            frame.cmds.extend(made);
        }
        let begin = vk::CommandBufferBeginInfo::default()
            .flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
        for &cmd in &frame.cmds[..count] {
            // SAFETY: `acquire` waited for this frame's previous submissions, so the command
            // buffers are not pending and may be reset.
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
        }
        Ok(())
    }

    /// Submits the current frame's recorded command buffers, one submission per part of
    /// the plan, in order: the first waits for the frame slot's previous submission and for
    /// the acquired swapchain image, the last signals the rendering the present waits for
    /// (the queue's submission order and the plan's barriers order the parts). Marks each
    /// bound resource the plan uses as used by the submission of its last use, the
    /// transients by the last submission, and moves to the next slot. Returns the last
    /// submission's timeline value.
    pub fn submit(
        &mut self,
        plan: &Plan,
        bound: &[Option<Bound>],
        sync: Option<FrameSync>,
    ) -> Result<u64, VkError> {
        let previous = self.waits_for();
        let frame = &mut self.slots[self.current];
        let ctx = &self.ctx;
        let parts = plan.submit_batches().len() + 1;
        frame.values.clear();
        let cmds = frame.cmds.get(..parts).ok_or_else(|| {
            VkError::Unsupported("submitting parts of a plan that were not recorded".into())
        })?;
        for (part, &cmd) in cmds.iter().enumerate() {
            let after = if part == 0 { previous } else { 0 };
            let binary = Binary {
                wait: sync.filter(|_| part == 0).map(|s| s.acquired),
                signal: sync.filter(|_| part + 1 == parts).map(|s| s.rendered),
            };
            let value = ctx.timeline.submit(
                &ctx.device,
                ctx.queue,
                cmd,
                Submit::After(after),
                binary,
                &ctx.allocator,
            )?;
            frame.values.push(value);
        }
        let last = frame.values.last().copied().unwrap_or(frame.submission);
        frame.submission = last;
        // Only what the plan uses: a bound resource it does not touch stays free for the
        // host and for destruction.
        for (index, real) in bound.iter().enumerate() {
            if let (Some(real), true) = (real, plan.uses_resource(index as u32)) {
                let part = plan.last_part_using(index as u32);
                real.in_flight(frame.values.get(part).copied().unwrap_or(last));
            }
        }
        frame.transients.in_flight(last);
        self.current = (self.current + 1) % self.slots.len();
        Ok(last)
    }

    /// The submission the current frame's first submission waits for: with shared
    /// transients the previous frame's last (it reuses their memory), else its slot's.
    pub fn waits_for(&self) -> u64 {
        match self.copies {
            TransientCopies::Shared => self.last_submission(),
            TransientCopies::PerFrame => self.slots[self.current].submission,
        }
    }

    /// The timeline values of the submissions of the frame submitted last.
    pub fn previous_values(&self) -> &[u64] {
        let last = (self.current + self.slots.len() - 1) % self.slots.len();
        &self.slots[last].values
    }

    /// The transients' memory (see [`super::Executor::transient_memory`]).
    pub fn transient_memory(&self) -> TransientMemory {
        let last = (self.current + self.slots.len() - 1) % self.slots.len();
        TransientMemory {
            frames: self.slots.len(),
            copies: match self.copies {
                TransientCopies::Shared => 1,
                TransientCopies::PerFrame => self.slots.len(),
            },
            held_bytes: self.slots.iter().map(|f| f.transients.held_bytes()).sum(),
            sets: self.slots.iter().map(|f| f.transients.sets()).sum(),
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
