//! One cost per task and per barrier call, the input of the critical path, the summary and
//! the pictures: the median of measured frames, or costs the user gives.

use std::time::Duration;

use super::timings::{FrameTimings, TimedItem, TimedKind};

/// Where a set of costs came from (printed by the summary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostSource {
    /// The median GPU time of each item over `frames` measured frames.
    GpuMedian {
        /// The frames the medians were taken over.
        frames: usize,
    },
    /// The median CPU recording time of each item over `frames` measured frames.
    CpuMedian {
        /// The frames the medians were taken over.
        frames: usize,
    },
    /// Given by the user.
    Given,
}

/// A cost per task (by record index, `None` where none is known) and per barrier call (by
/// the batch it precedes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskCosts {
    tasks: Vec<Option<Duration>>,
    barrier_calls: Vec<(u32, Duration)>,
    source: CostSource,
    plan_serial: Option<u64>,
}

impl TaskCosts {
    /// Costs the user gives: `tasks[t]` for task `t` (by record index), no barrier cost.
    pub fn given(tasks: Vec<Duration>) -> Self {
        Self {
            tasks: tasks.into_iter().map(Some).collect(),
            barrier_calls: Vec::new(),
            source: CostSource::Given,
            plan_serial: None,
        }
    }

    /// The median GPU time of each task and barrier call over `frames` (frames of one plan:
    /// those of the last frame's plan are taken, the others left out). Empty when the GPU
    /// times were not measured.
    pub fn gpu_median(frames: &[FrameTimings]) -> Self {
        Self::median(
            frames,
            |frames| CostSource::GpuMedian {
                frames: frames.iter().filter(|f| f.gpu_measured()).count(),
            },
            |item| item.gpu.duration(),
        )
    }

    /// The median CPU recording time of each task and barrier call over `frames` (of one
    /// plan, as for [`TaskCosts::gpu_median`]).
    pub fn cpu_median(frames: &[FrameTimings]) -> Self {
        Self::median(
            frames,
            |frames| CostSource::CpuMedian {
                frames: frames.len(),
            },
            |item| Some(item.cpu),
        )
    }

    /// The medians of `cost` over the frames of the last frame's plan; `source` says what
    /// they are, given those frames.
    fn median(
        frames: &[FrameTimings],
        source: impl Fn(&[&FrameTimings]) -> CostSource,
        cost: impl Fn(&TimedItem) -> Option<Duration>,
    ) -> Self {
        let serial = frames.last().map(|f| f.plan_serial);
        let frames: Vec<&FrameTimings> = frames
            .iter()
            .filter(|f| Some(f.plan_serial) == serial)
            .collect();
        let mut per_task: Vec<Vec<Duration>> = Vec::new();
        let mut per_call: Vec<(u32, Vec<Duration>)> = Vec::new();
        for frame in &frames {
            for item in &frame.items {
                let Some(cost) = cost(item) else { continue };
                match item.kind {
                    TimedKind::Task(task) => {
                        let task = task as usize;
                        if per_task.len() <= task {
                            per_task.resize_with(task + 1, Vec::new);
                        }
                        per_task[task].push(cost);
                    }
                    TimedKind::Barriers { .. } => {
                        match per_call.iter_mut().find(|(b, _)| *b == item.batch) {
                            Some((_, costs)) => costs.push(cost),
                            None => per_call.push((item.batch, vec![cost])),
                        }
                    }
                }
            }
        }
        Self {
            source: source(&frames),
            tasks: per_task.iter_mut().map(|costs| middle(costs)).collect(),
            barrier_calls: per_call
                .iter_mut()
                .filter_map(|(batch, costs)| middle(costs).map(|c| (*batch, c)))
                .collect(),
            plan_serial: serial,
        }
    }

    /// The cost of task `task` (by record index), when known.
    pub fn task(&self, task: u32) -> Option<Duration> {
        self.tasks.get(task as usize).copied().flatten()
    }

    /// The cost of each barrier call, with the batch it precedes.
    pub fn barrier_calls(&self) -> &[(u32, Duration)] {
        &self.barrier_calls
    }

    /// The cost of the barrier call before batch `batch`, when known.
    pub fn barrier_call(&self, batch: u32) -> Option<Duration> {
        self.barrier_calls
            .iter()
            .find(|(b, _)| *b == batch)
            .map(|(_, c)| *c)
    }

    /// Where the costs came from.
    pub fn source(&self) -> CostSource {
        self.source
    }

    /// The plan the measured frames ran (`None` for given costs).
    pub fn plan_serial(&self) -> Option<u64> {
        self.plan_serial
    }
}

/// The median of `costs` (the upper one of an even count), sorting them.
fn middle(costs: &mut [Duration]) -> Option<Duration> {
    costs.sort_unstable();
    costs.get(costs.len() / 2).copied()
}
