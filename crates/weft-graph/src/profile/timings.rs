//! What one execution of a plan measured, item by item: the runtime fills these (see
//! `weft_vk::Executor::profile`), the rest of [`crate::profile`] reads them.

use std::time::Duration;

/// The GPU time of one item (or of a whole frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GpuTime {
    /// Measured on the device clock, in nanoseconds (timestamp ticks times the period):
    /// `start_ns` is when everything recorded before the item had finished, `end_ns` when
    /// everything up to and including it had. Work that overlaps is charged to the item
    /// that finishes it, so the spans of one frame follow each other and add up to the
    /// frame's.
    Span {
        /// Device-clock nanoseconds at the start.
        start_ns: u64,
        /// Device-clock nanoseconds at the end (never before `start_ns`).
        end_ns: u64,
    },
    /// The queue writes no timestamps (its `timestampValidBits` is 0).
    NotSupported,
}

impl GpuTime {
    /// A span from `start_ns` to `end_ns` (an end before the start is taken as the start).
    pub fn span(start_ns: u64, end_ns: u64) -> Self {
        Self::Span {
            start_ns,
            end_ns: end_ns.max(start_ns),
        }
    }

    /// The measured duration (`None` when not supported).
    pub fn duration(&self) -> Option<Duration> {
        match *self {
            Self::Span { start_ns, end_ns } => {
                Some(Duration::from_nanos(end_ns.saturating_sub(start_ns)))
            }
            Self::NotSupported => None,
        }
    }
}

/// What an item of an execution was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimedKind {
    /// Task `0` (its record index) ran its commands.
    Task(u32),
    /// The one `vkCmdPipelineBarrier2` call before a batch, with its barrier counts.
    Barriers {
        /// Global memory and execution barriers in the call.
        memory: u32,
        /// Image barriers in the call.
        image: u32,
    },
}

/// One item (a task or a barrier call) of an execution, in recording order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedItem {
    /// The task or barrier call.
    pub kind: TimedKind,
    /// The batch it belongs to (a barrier call: the batch it precedes; the trailing call
    /// after the last batch has `batch_count`).
    pub batch: u32,
    /// Its GPU time.
    pub gpu: GpuTime,
    /// When recording it started on the CPU, since the profiler's start.
    pub cpu_start: Duration,
    /// The CPU time recording it took.
    pub cpu: Duration,
}

/// The timings of one execution of one plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameTimings {
    /// The [`crate::Plan::serial`] of the plan executed.
    pub plan_serial: u64,
    /// The execution's (last) submission, on the runtime's timeline.
    pub submission: u64,
    /// The whole execution on the GPU: from the first item's start to the last one's end.
    pub gpu: Option<GpuTime>,
    /// When recording started on the CPU, since the profiler's start.
    pub cpu_start: Duration,
    /// The CPU time of recording all items.
    pub cpu: Duration,
    /// Every task and barrier call, in recording order.
    pub items: Vec<TimedItem>,
}

impl FrameTimings {
    /// The tasks' items, in recording order.
    pub fn tasks(&self) -> impl Iterator<Item = (u32, &TimedItem)> {
        self.items.iter().filter_map(|item| match item.kind {
            TimedKind::Task(task) => Some((task, item)),
            TimedKind::Barriers { .. } => None,
        })
    }

    /// The barrier calls' items, in recording order.
    pub fn barrier_calls(&self) -> impl Iterator<Item = &TimedItem> {
        self.items
            .iter()
            .filter(|item| matches!(item.kind, TimedKind::Barriers { .. }))
    }

    /// True when the GPU times were measured (the queue has timestamps).
    pub fn gpu_measured(&self) -> bool {
        matches!(self.gpu, Some(GpuTime::Span { .. }))
    }
}
