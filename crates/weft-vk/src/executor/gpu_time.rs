//! GPU time per execution, when asked for ([`crate::Executor::time_gpu_frames`]): two
//! timestamps per frame slot, one written before the frame's first command and one after
//! its last (all stages), read once the slot's submissions have finished, which the
//! executor waits for before it reuses the slot anyway.

use std::sync::Arc;
use std::time::Duration;

use ash::vk;

use crate::context::Context;
use crate::error::{vk_err, VkError};

/// The query pool and what it measured (see the module doc).
pub(crate) struct GpuTimer {
    ctx: Arc<Context>,
    pool: vk::QueryPool,
    /// Nanoseconds per timestamp tick.
    period: f64,
    /// Timestamp bits that count (ticks wrap above them).
    valid_bits: u32,
    /// Per frame slot: a frame was timed there and not read yet.
    pending: Vec<bool>,
    /// The GPU time of the last frame read.
    pub last: Option<Duration>,
    /// The last submission that writes the pool.
    pub last_submission: u64,
}

impl GpuTimer {
    /// Timestamps for `slots` frame slots on `ctx`'s queue.
    pub fn new(ctx: &Arc<Context>, slots: usize) -> Result<Self, VkError> {
        // SAFETY: the physical device belongs to the instance.
        let properties = unsafe {
            ctx.instance
                .get_physical_device_properties(ctx.physical_device)
        };
        // SAFETY: as above.
        let families = unsafe {
            ctx.instance
                .get_physical_device_queue_family_properties(ctx.physical_device)
        };
        let valid_bits = families
            .get(ctx.queue_family as usize)
            .map_or(0, |f| f.timestamp_valid_bits);
        if valid_bits == 0 {
            return Err(VkError::Unsupported(
                "timestamps on the executor's queue".into(),
            ));
        }
        let info = vk::QueryPoolCreateInfo::default()
            .query_type(vk::QueryType::TIMESTAMP)
            .query_count(2 * slots as u32);
        // SAFETY: the device is valid; the pool is destroyed by `destroy`.
        let pool = unsafe { ctx.device.create_query_pool(&info, None) }
            .map_err(vk_err("vkCreateQueryPool"))?;
        Ok(Self {
            ctx: Arc::clone(ctx),
            pool,
            period: f64::from(properties.limits.timestamp_period),
            valid_bits,
            pending: vec![false; slots],
            last: None,
            last_submission: 0,
        })
    }

    /// Records the start timestamp of frame slot `slot` (its queries reset first).
    pub fn start(&self, cmd: vk::CommandBuffer, slot: usize) {
        let ctx = &self.ctx;
        let first = 2 * slot as u32;
        // SAFETY: recording outside a render pass; the slot's queries are not in use (its
        // previous submissions finished and were read).
        unsafe {
            ctx.device.cmd_reset_query_pool(cmd, self.pool, first, 2);
            ctx.device
                .cmd_write_timestamp2(cmd, vk::PipelineStageFlags2::NONE, self.pool, first);
        }
    }

    /// Records the end timestamp of frame slot `slot`, after all its work.
    pub fn end(&mut self, cmd: vk::CommandBuffer, slot: usize) {
        let ctx = &self.ctx;
        // SAFETY: recording; the query was reset in this frame's first command buffer.
        unsafe {
            ctx.device.cmd_write_timestamp2(
                cmd,
                vk::PipelineStageFlags2::ALL_COMMANDS,
                self.pool,
                2 * slot as u32 + 1,
            );
        }
        self.pending[slot] = true;
    }

    /// Reads frame slot `slot`'s timestamps, when a frame was timed there; its submissions
    /// must have finished.
    pub fn read(&mut self, slot: usize) -> Result<(), VkError> {
        let ctx = &self.ctx;
        if !std::mem::take(&mut self.pending[slot]) {
            return Ok(());
        }
        let mut ticks = [0u64; 2];
        // SAFETY: both queries were written by finished submissions; the results fit.
        unsafe {
            ctx.device.get_query_pool_results(
                self.pool,
                2 * slot as u32,
                &mut ticks,
                vk::QueryResultFlags::TYPE_64,
            )
        }
        .map_err(vk_err("vkGetQueryPoolResults"))?;
        let mask = if self.valid_bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.valid_bits) - 1
        };
        let elapsed = ticks[1].wrapping_sub(ticks[0]) & mask;
        self.last = Some(Duration::from_nanos((elapsed as f64 * self.period) as u64));
        Ok(())
    }
}

impl Drop for GpuTimer {
    fn drop(&mut self) {
        // Timed frames may still run: the pool goes once they have finished.
        let _ = self.ctx.wait_for_submission(self.last_submission);
        // SAFETY: no submission that writes the pool is pending (waited above, or the
        // device is lost).
        unsafe { self.ctx.device.destroy_query_pool(self.pool, None) };
    }
}
