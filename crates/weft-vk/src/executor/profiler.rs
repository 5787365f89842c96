//! Measuring executions, when asked for: GPU timestamps and CPU recording times.
//!
//! - **Frame detail** ([`crate::Executor::time_gpu_frames`]): two timestamps per execution,
//!   before its first command and after its last.
//! - **Item detail** ([`crate::Executor::profile`]): a timestamp before the first item and
//!   one after each task and each barrier call, so each item's span runs from the end of
//!   what was recorded before it to its own end (the timestamps wait for all stages, see
//!   [`weft_graph::GpuTime`]), and the CPU time of recording each item.
//!
//! Each frame slot has its own query pool, grown when a plan needs more queries. A slot's
//! results are read when its submissions have finished: when the executor takes the slot
//! again (it waits for it anyway), or when the user asks for timings and the submission is
//! done. Nothing waits for the GPU for them. A queue without timestamps gives
//! [`weft_graph::GpuTime::NotSupported`] spans and CPU times.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ash::vk;
use weft_graph::{FrameTimings, GpuTime, Plan, TimedItem, TimedKind};

use crate::context::Context;
use crate::error::{vk_err, VkError};

/// The most measured frames kept until taken; older ones are dropped first.
pub const KEPT_FRAME_TIMINGS: usize = 256;

/// A frame slot's query pool and the frame recorded into it.
#[derive(Default)]
struct Slot {
    pool: vk::QueryPool,
    capacity: u32,
    /// A submitted frame whose results are not read yet, and its query count.
    pending: Option<(FrameTimings, u32)>,
}

/// The query pools and what they measured (see the module doc).
pub(crate) struct Profiler {
    ctx: Arc<Context>,
    /// Nanoseconds per timestamp tick.
    period: f64,
    /// Timestamp bits that count; 0 when the queue has no timestamps.
    valid_bits: u32,
    /// Whether each task and barrier call is measured (item detail).
    pub items: bool,
    /// Whether frames are measured whole (frame detail; item detail includes it).
    pub frames: bool,
    epoch: Instant,
    slots: Vec<Slot>,
    /// The frame being recorded: its timings, queries used and CPU start.
    recording: FrameTimings,
    queries: u32,
    started: Option<Instant>,
    /// Frames read and not taken yet, oldest first.
    done: VecDeque<FrameTimings>,
    /// The GPU time of the last frame read.
    pub last_frame: Option<Duration>,
    /// The last submission that writes a pool.
    pub last_submission: u64,
    /// Scratch for the timestamps read.
    ticks: Vec<u64>,
}

impl Profiler {
    /// A profiler for `slots` frame slots on `ctx`'s queue, measuring nothing yet.
    pub fn new(ctx: &Arc<Context>, slots: usize) -> Self {
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
        Self {
            ctx: Arc::clone(ctx),
            period: f64::from(properties.limits.timestamp_period),
            valid_bits: families
                .get(ctx.queue_family as usize)
                .map_or(0, |f| f.timestamp_valid_bits),
            items: false,
            frames: false,
            epoch: Instant::now(),
            slots: (0..slots).map(|_| Slot::default()).collect(),
            recording: FrameTimings::default(),
            queries: 0,
            started: None,
            done: VecDeque::new(),
            last_frame: None,
            last_submission: 0,
            ticks: Vec::new(),
        }
    }

    /// True when the queue writes timestamps.
    pub fn supported(&self) -> bool {
        self.valid_bits > 0
    }

    /// Test-only: behave as on a queue without timestamps.
    #[cfg(feature = "fault-injection")]
    pub fn pretend_no_timestamps(&mut self) {
        self.valid_bits = 0;
    }

    /// True when nothing is measured (the profiler can go).
    pub fn is_off(&self) -> bool {
        !self.items && !self.frames
    }

    /// Starts measuring a frame of `plan` recorded into frame slot `slot`, whose first
    /// command buffer is `cmd`: resets the slot's queries (a bigger pool when the plan needs
    /// more) and writes the first timestamp.
    pub fn begin(
        &mut self,
        cmd: vk::CommandBuffer,
        slot: usize,
        plan: &Plan,
    ) -> Result<(), VkError> {
        let now = Instant::now();
        self.recording.items.clear();
        self.recording.plan_serial = plan.serial();
        self.recording.cpu_start = now - self.epoch;
        self.started = Some(now);
        self.queries = 0;
        if !self.supported() {
            return Ok(());
        }
        // One timestamp before everything, one after each task and barrier call (at most
        // one call per batch and one after the last), or one after everything.
        let needed = if self.items {
            1 + plan.task_order().len() as u32 + plan.batch_count() as u32 + 1
        } else {
            2
        };
        let Some(pool) = self.pool(slot, needed)? else {
            return Ok(());
        };
        // SAFETY: recording outside a render pass; the slot's queries are not in use (its
        // previous submissions finished, and were read, before the slot was taken).
        unsafe {
            self.ctx.device.cmd_reset_query_pool(cmd, pool, 0, needed);
            self.write(cmd, pool, 0);
        }
        self.queries = 1;
        Ok(())
    }

    /// The time an item starts recording, when items are measured.
    #[inline]
    pub fn item_start(&self) -> Option<Instant> {
        self.items.then(Instant::now)
    }

    /// Ends measuring an item of `batch` recorded into `cmd` since `started`.
    pub fn item_done(
        &mut self,
        cmd: vk::CommandBuffer,
        slot: usize,
        kind: TimedKind,
        batch: u32,
        started: Instant,
    ) {
        let now = Instant::now();
        self.recording.items.push(TimedItem {
            kind,
            batch,
            gpu: GpuTime::NotSupported,
            cpu_start: started - self.epoch,
            cpu: now - started,
        });
        if let Some(pool) = self.slot_pool(slot) {
            // SAFETY: recording; the query was reset in this frame's first command buffer
            // (`begin` sized the pool for one query per item).
            unsafe { self.write(cmd, pool, self.queries) };
            self.queries += 1;
        }
    }

    /// Ends measuring the frame recorded into `cmd` (its last command buffer).
    pub fn end(&mut self, cmd: vk::CommandBuffer, slot: usize) {
        if let Some(start) = self.started {
            self.recording.cpu = start.elapsed();
        }
        if !self.items {
            if let Some(pool) = self.slot_pool(slot) {
                // SAFETY: as in `item_done`.
                unsafe { self.write(cmd, pool, self.queries) };
                self.queries += 1;
            }
        }
    }

    /// The frame recorded into slot `slot` was submitted as `submission`: its results can be
    /// read once that has finished.
    pub fn submitted(&mut self, slot: usize, submission: u64) {
        let Some(_) = self.started.take() else { return };
        let mut frame = std::mem::take(&mut self.recording);
        frame.submission = submission;
        if let Some(s) = self.slots.get_mut(slot) {
            s.pending = Some((frame, self.queries));
        }
        self.last_submission = submission;
    }

    /// Reads slot `slot`'s results, when a frame was submitted there; its submissions must
    /// have finished.
    pub fn read(&mut self, slot: usize) -> Result<(), VkError> {
        let Some(s) = self.slots.get_mut(slot) else {
            return Ok(());
        };
        let Some((mut frame, queries)) = s.pending.take() else {
            return Ok(());
        };
        let pool = s.pool;
        if queries > 0 && self.supported() {
            // The scratch grows to the most queries a frame wrote and is reused: reading a
            // frame allocates nothing after that.
            let mut ticks = std::mem::take(&mut self.ticks);
            ticks.clear();
            ticks.resize(queries as usize, 0);
            // SAFETY: every query was written by a finished submission; the results fit.
            let read = unsafe {
                self.ctx.device.get_query_pool_results(
                    pool,
                    0,
                    &mut ticks,
                    vk::QueryResultFlags::TYPE_64,
                )
            };
            self.to_nanoseconds(&mut ticks);
            self.ticks = ticks;
            read.map_err(vk_err("vkGetQueryPoolResults"))?;
            let ns = &self.ticks;
            for (item, pair) in frame.items.iter_mut().zip(ns.windows(2)) {
                item.gpu = GpuTime::span(pair[0], pair[1]);
            }
            let (first, last) = (ns[0], ns[ns.len() - 1]);
            frame.gpu = Some(GpuTime::span(first, last));
            self.last_frame = Some(Duration::from_nanos(last.saturating_sub(first)));
        } else {
            frame.gpu = Some(GpuTime::NotSupported);
        }
        if self.items {
            if self.done.len() == KEPT_FRAME_TIMINGS {
                self.done.pop_front();
            }
            self.done.push_back(frame);
        }
        Ok(())
    }

    /// Reads every slot whose submission has finished, without waiting, and gives the
    /// frames read since the last call, oldest first.
    pub fn take(&mut self) -> Result<Vec<FrameTimings>, VkError> {
        let completed = self.ctx.completed_submission()?;
        let mut ready: Vec<(u64, usize)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.pending.as_ref().map(|(f, _)| (f.submission, i)))
            .filter(|&(submission, _)| submission <= completed)
            .collect();
        ready.sort_unstable();
        for (_, slot) in ready {
            self.read(slot)?;
        }
        Ok(self.done.drain(..).collect())
    }

    /// Turns timestamps into device-clock nanoseconds, in place (wrapping ticks unwrapped
    /// from the first).
    fn to_nanoseconds(&self, ticks: &mut [u64]) {
        let mask = if self.valid_bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.valid_bits) - 1
        };
        let first = ticks.first().map_or(0, |t| t & mask);
        for t in ticks {
            let since = t.wrapping_sub(first) & mask;
            *t = ((first as f64 + since as f64) * self.period) as u64;
        }
    }

    /// Slot `slot`'s pool with room for `needed` queries (made anew when smaller); `None`
    /// for a slot the executor does not have.
    fn pool(&mut self, slot: usize, needed: u32) -> Result<Option<vk::QueryPool>, VkError> {
        let Some(s) = self.slots.get_mut(slot) else {
            return Ok(None);
        };
        if s.capacity < needed {
            let info = vk::QueryPoolCreateInfo::default()
                .query_type(vk::QueryType::TIMESTAMP)
                .query_count(needed);
            // SAFETY: the device is valid; the pool is destroyed here when replaced or by
            // `drop`.
            let pool = unsafe { self.ctx.device.create_query_pool(&info, None) }
                .map_err(vk_err("vkCreateQueryPool"))?;
            if s.capacity > 0 {
                // SAFETY: the slot's submissions have finished (it was taken) and its
                // results were read: nothing uses the old pool.
                unsafe { self.ctx.device.destroy_query_pool(s.pool, None) };
            }
            s.pool = pool;
            s.capacity = needed;
        }
        Ok(Some(s.pool))
    }

    /// Slot `slot`'s pool while a frame is measured there with timestamps.
    fn slot_pool(&self, slot: usize) -> Option<vk::QueryPool> {
        let s = self.slots.get(slot)?;
        (self.supported() && self.queries > 0 && self.queries < s.capacity).then_some(s.pool)
    }

    /// Records a timestamp into query `query` of `pool`, after all earlier commands.
    ///
    /// # Safety
    /// `cmd` is recording and the query was reset in this frame.
    unsafe fn write(&self, cmd: vk::CommandBuffer, pool: vk::QueryPool, query: u32) {
        self.ctx.device.cmd_write_timestamp2(
            cmd,
            vk::PipelineStageFlags2::ALL_COMMANDS,
            pool,
            query,
        );
    }
}

impl Drop for Profiler {
    fn drop(&mut self) {
        // Measured frames may still run: the pools go once they have finished.
        let _ = self.ctx.wait_for_submission(self.last_submission);
        for s in &self.slots {
            if s.capacity > 0 {
                // SAFETY: no submission that writes the pool is pending (waited above, or
                // the device is lost).
                unsafe { self.ctx.device.destroy_query_pool(s.pool, None) };
            }
        }
    }
}
