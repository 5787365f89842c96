//! The executor: replays a graph's plan on the device, every frame. One execution goes
//! through these phases, each in its own module:
//!
//! 1. **frames** ([`frames`]): take the next frame slot once its previous submission is done;
//! 2. **resolve** ([`resolve`]): the real resource behind every virtual one (bound, or the
//!    frame's transient);
//! 3. **bridge** ([`bridge`]): barriers from the state each bound resource was left in to the
//!    plan's first use of it (the last execution's own when nothing changed, see [`reuse`]),
//!    and every boundary's barrier call assembled ([`frame_barriers`], kept per frame slot);
//! 4. **record** ([`record`]): batch by batch, one barrier call and the tasks' callbacks (with
//!    their [`crate::TaskContext`]);
//! 5. **remember** ([`bridge`]): the state the plan leaves each bound resource in;
//! 6. **submit** ([`frames`]): `vkQueueSubmit2` on the context's timeline, without waiting.

mod boundary;
mod bridge;
mod capture;
mod frame_barriers;
mod frames;
mod profiler;
mod record;
mod replay;
mod resolve;
mod reuse;
mod to_vk;
mod tracked;
mod transient_sets;
mod transients;
mod watch;

#[cfg(test)]
mod cross_execution_tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::VkError;
use crate::graph::{Graph, Parts};
use crate::timeline::FrameSync;

use boundary::BoundaryInputs;
pub(crate) use bridge::bridge_buffer;
use bridge::Bridges;
use capture::Capture;
pub use capture::{Captured, CapturedAccess, CapturedTarget};
use frames::Frames;
pub use frames::TransientCopies;
use profiler::Profiler;
pub use profiler::KEPT_FRAME_TIMINGS;
use record::{Inputs, Recorder, Watchers};
pub use transient_sets::KEPT_TRANSIENT_SETS;
pub use transients::TransientMemory;

/// Replays graphs with up to N frames in flight (2 by default): `execute` records into the
/// next frame's command buffer (waiting only until that frame's previous submission has
/// finished) and submits without waiting. Host reads of mapped buffers wait for the GPU
/// themselves (see [`crate::Buffer::mapped`]).
pub struct Executor {
    ctx: Arc<Context>,
    frames: Frames,
    // Scratch reused by every execution, so the steady state does not allocate.
    bridges: Bridges,
    recorder: Recorder,
    timing: bool,
    times: CpuTimes,
    /// What was recorded, when capturing (see [`Executor::capture_commands`]).
    capture: Option<Capture>,
    /// GPU timestamps and CPU recording times, when asked for (after `frames`: dropped
    /// once they are done).
    profiler: Option<Profiler>,
    host_reads: HostReads,
    /// Whether tasks are recorded inside debug labels (see [`Executor::label_tasks`]).
    labels: bool,
}

/// Whether some bound buffer is host-visible (the host may read what the plan writes),
/// for the bindings it was found for.
#[derive(Default)]
struct HostReads(Option<(crate::graph::ResolveKey, bool)>);

impl HostReads {
    /// For `bound`, the bindings `key` names: looked at again only when they changed.
    fn of(&mut self, key: crate::graph::ResolveKey, bound: &[Option<Bound>]) -> bool {
        match self.0 {
            Some((k, found)) if k == key => found,
            _ => {
                let found = bound
                    .iter()
                    .any(|b| matches!(b, Some(Bound::Buffer(b)) if b.is_host_visible()));
                self.0 = Some((key, found));
                found
            }
        }
    }
}

/// The CPU time of each phase of one execution (see [`Executor::time_cpu_phases`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Waiting for the frame slot's previous submission.
    pub wait: Duration,
    /// Finding the real resources (and creating transients).
    pub resolve: Duration,
    /// Barriers from the bound resources' states to their first uses.
    pub bridge: Duration,
    /// Beginning the command buffer, the barriers and the task callbacks, ending it.
    pub record: Duration,
    /// Storing the state the plan leaves each bound resource in.
    pub remember: Duration,
    /// `vkQueueSubmit2` and marking resources in flight.
    pub submit: Duration,
}

/// The time since `clock` (zero when timing is off), and restarts it.
#[inline]
fn lap(clock: &mut Option<Instant>) -> Duration {
    match clock {
        Some(start) => {
            let now = Instant::now();
            let elapsed = now - *start;
            *start = now;
            elapsed
        }
        None => Duration::ZERO,
    }
}

impl Executor {
    /// An executor on `ctx`'s queue with 2 frames in flight.
    pub fn new(ctx: &Arc<Context>) -> Result<Self, VkError> {
        Self::with_frames_in_flight(ctx, 2)
    }

    /// An executor on `ctx`'s queue with up to `frames` (at least 1) frames in flight,
    /// each with its own copy of the transients.
    pub fn with_frames_in_flight(ctx: &Arc<Context>, frames: usize) -> Result<Self, VkError> {
        Self::with_transient_copies(ctx, frames, TransientCopies::PerFrame)
    }

    /// An executor with up to `frames` frames in flight that hold transient memory as
    /// `copies` says: a copy per frame (frames overlap on the GPU) or one shared copy
    /// (frames follow each other on the GPU, the memory is not multiplied).
    pub fn with_transient_copies(
        ctx: &Arc<Context>,
        frames: usize,
        copies: TransientCopies,
    ) -> Result<Self, VkError> {
        Ok(Self {
            ctx: Arc::clone(ctx),
            frames: Frames::new(ctx, frames, copies)?,
            bridges: Bridges::default(),
            recorder: Recorder::default(),
            timing: false,
            times: CpuTimes::default(),
            capture: None,
            profiler: None,
            host_reads: HostReads::default(),
            labels: true,
        })
    }

    /// Records `graph`'s plan (compiled first if the recording changed) into the next
    /// frame's command buffer with the resources bound now, and submits it without waiting
    /// for the GPU. `data` is passed to every callback. Returns the submission's value on
    /// the context's timeline (see [`Context::wait_for_submission`]).
    pub fn execute<U>(&mut self, graph: &mut Graph<U>, data: &mut U) -> Result<u64, VkError> {
        self.run(graph, data, None)
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
        self.run(graph, data, Some(sync))
    }

    /// Records and submits (see [`Executor::execute`]).
    fn run<U>(
        &mut self,
        graph: &mut Graph<U>,
        data: &mut U,
        sync: Option<FrameSync>,
    ) -> Result<u64, VkError> {
        let mut parts = graph.parts(&self.ctx)?;
        if sync.is_none() && !parts.plan.presents().is_empty() {
            return Err(VkError::PresentWithoutSwapchain);
        }
        let mut clock = self.timing.then(Instant::now);
        self.record_parts(&mut parts, data, &mut clock)?;
        // The wait the submission will have, asked before it changes (only when capturing).
        let wait = self.capture.is_some().then(|| {
            let previous = self.frames.waits_for();
            self.ctx.timeline.wait_after(previous)
        });
        let slot = self.frames.current_index();
        let value = self.frames.submit(parts.plan, parts.bound, sync)?;
        if let Some(profiler) = &mut self.profiler {
            profiler.submitted(slot, value);
        }
        if let (Some(capture), Some(wait)) = (&mut self.capture, wait) {
            // The frame just submitted is the previous slot's now.
            capture.submitted(wait, self.frames.previous_values());
        }
        self.times.submit = lap(&mut clock);
        Ok(value)
    }

    /// Turns on (or off) timing the CPU phases of each execution (see
    /// [`Executor::cpu_times`]); off by default, and free when off.
    pub fn time_cpu_phases(&mut self, on: bool) {
        self.timing = on;
        self.times = CpuTimes::default();
    }

    /// The CPU time of each phase of the last execution, when timing is on.
    pub fn cpu_times(&self) -> Option<CpuTimes> {
        self.timing.then_some(self.times)
    }

    /// Turns on (or off) measuring the GPU time of each execution: a timestamp before its
    /// first command and one after its last (see [`Executor::gpu_frame_time`]). Off by
    /// default and free when off. An error when the queue has no timestamps.
    pub fn time_gpu_frames(&mut self, on: bool) -> Result<(), VkError> {
        let supported = self.profiler(on).is_none_or(|p| p.supported());
        if let (Some(p), true) = (&mut self.profiler, supported) {
            p.frames = on;
        }
        self.drop_idle_profiler();
        if on && !supported {
            return Err(VkError::Unsupported(
                "timestamps on the executor's queue".into(),
            ));
        }
        Ok(())
    }

    /// The GPU time of the last execution whose timestamps were read (the executor reads a
    /// slot's when it takes the slot again, or in [`Executor::take_frame_timings`]), when
    /// frames or items are measured.
    pub fn gpu_frame_time(&self) -> Option<Duration> {
        self.profiler.as_ref().and_then(|p| p.last_frame)
    }

    /// Turns on (or off) profiling each execution: a GPU timestamp before the first item
    /// and after each task and each barrier call (all stages), and the CPU time of
    /// recording each; see [`Executor::take_frame_timings`]. Off by default; off, with no
    /// capture and no debug labels ([`Executor::label_tasks`]), recording has no check for
    /// it per task. On a queue without timestamps the GPU times are
    /// [`weft_graph::GpuTime::NotSupported`] and the CPU times are still measured.
    pub fn profile(&mut self, on: bool) {
        if let Some(p) = self.profiler(on) {
            p.items = on;
        }
        self.drop_idle_profiler();
    }

    /// Test-only: profiles as on a queue without timestamps (GPU times
    /// [`weft_graph::GpuTime::NotSupported`]), which lavapipe is not.
    #[cfg(feature = "fault-injection")]
    pub fn profile_without_timestamps(&mut self) {
        self.profile(true);
        if let Some(p) = &mut self.profiler {
            p.pretend_no_timestamps();
        }
    }

    /// The timings of the profiled executions whose submissions have finished, read since
    /// the last call, oldest first (reading waits for nothing; at most [`KEPT_FRAME_TIMINGS`] are
    /// kept between calls). Each covers one execution of one plan, for
    /// [`weft_graph::Plan::chrome_trace`], [`weft_graph::TaskCosts::gpu_median`] and the
    /// rest of the planner's profile operations.
    pub fn take_frame_timings(&mut self) -> Result<Vec<weft_graph::FrameTimings>, VkError> {
        match &mut self.profiler {
            Some(p) => p.take(),
            None => Ok(Vec::new()),
        }
    }

    /// The profiler, made when `make` and there is none.
    fn profiler(&mut self, make: bool) -> Option<&mut Profiler> {
        if make && self.profiler.is_none() {
            self.profiler = Some(Profiler::new(&self.ctx, self.frames.count()));
        }
        self.profiler.as_mut()
    }

    /// Drops the profiler once it measures nothing.
    fn drop_idle_profiler(&mut self) {
        if self.profiler.as_ref().is_some_and(Profiler::is_off) {
            self.profiler = None;
        }
    }

    /// Turns on (the default) or off recording each task inside a debug label with its name,
    /// for tools and validation messages; labels exist only with `VK_EXT_debug_utils` (a
    /// context with validation). Off, and with nothing else watching the recording (no
    /// profiling, no capture), the recording loop has no check for any of them per task.
    pub fn label_tasks(&mut self, on: bool) {
        self.labels = on;
    }

    /// Turns on (or off) capturing what each execution records: the host waits, and per
    /// submission its semaphore wait, every barrier call as recorded, each task's declared
    /// accesses on the real resources and the signal (see [`Captured`]). Off by default and
    /// free when off; for judging the synchronisation of whole sequences of executions
    /// (the `weft-judge` crate), and for looking at what a frame does.
    pub fn capture_commands(&mut self, on: bool) {
        self.capture = on.then(Capture::default);
    }

    /// The events captured since the last call (empty when capturing is off).
    pub fn take_captured(&mut self) -> Vec<Captured> {
        self.capture
            .as_mut()
            .map(|c| std::mem::take(&mut c.done))
            .unwrap_or_default()
    }

    /// The device memory the transients take: what the frame slots hold now, and the
    /// figures of the last plan executed (its placement, what one allocation per transient
    /// would take, and the lower bound), per frame slot.
    pub fn transient_memory(&self) -> TransientMemory {
        self.frames.transient_memory()
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
        let mut parts = graph.parts(&self.ctx)?;
        let mut clock = self.timing.then(Instant::now);
        self.record_parts(&mut parts, data, &mut clock)
    }

    /// The phases before the submit, timed on `clock` when it runs.
    fn record_parts<U>(
        &mut self,
        parts: &mut Parts<'_, U>,
        data: &mut U,
        clock: &mut Option<Instant>,
    ) -> Result<(), VkError> {
        let (plan, bound) = (parts.plan, parts.bound);
        if let Some(capture) = &mut self.capture {
            capture.host_wait(self.frames.current().submission);
        }
        self.frames.acquire()?;
        if let Some(profiler) = &mut self.profiler {
            profiler.read(self.frames.current_index())?;
        }
        let frame = self.frames.current_mut();
        self.times.wait = lap(clock);
        frame.resolved.resolve(
            &self.ctx,
            parts.recording.resources(),
            bound,
            plan,
            &mut frame.transients,
            parts.key,
        )?;
        if let Some(capture) = &mut self.capture {
            capture.transients(&frame.transients, parts.recording.resources());
        }
        self.times.resolve = lap(clock);
        self.bridges.build(plan, bound, Some(parts.key));
        let frame = self.frames.current_mut();
        frame.barriers.prepare(&BoundaryInputs {
            plan,
            resources: parts.recording.resources(),
            images: &frame.resolved.images,
            images_resolved: frame.resolved.resolutions(),
            bridges: &self.bridges,
            host_reads: self.host_reads.of(parts.key, bound),
        });
        self.times.bridge = lap(clock);
        let submissions = plan.submit_batches().len() + 1;
        self.frames.begin(submissions)?;
        let frame = self.frames.current();
        let input = Inputs {
            ctx: &self.ctx,
            cmds: frame.cmds(submissions),
            plan,
            resolved: &frame.resolved,
            barriers: &frame.barriers,
            bound,
            transient_images: &frame.transients.images,
        };
        let profiler = self
            .profiler
            .as_mut()
            .map(|p| (p, self.frames.current_index()));
        let watchers = Watchers {
            capture: self.capture.as_mut(),
            profiler,
            labels: self.labels,
        };
        self.recorder
            .record(parts.recording, &input, data, watchers)?;
        self.times.record = lap(clock);
        self.bridges.remember(plan, bound, Some(parts.key));
        self.times.remember = lap(clock);
        Ok(())
    }
}
