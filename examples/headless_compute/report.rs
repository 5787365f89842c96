//! What the demo reports of its runs: the median GPU and CPU time of every task, the
//! summary with the critical path, a Chrome trace of all runs, and the plan's pictures
//! (DOT, batch timeline, transient-memory chart).

use std::fmt::Write;

use weft::runtime::Graph;
use weft::{FrameTimings, GraphError, TaskCosts};

/// The demo's profile report (see the module doc).
pub struct Report {
    /// Per task, in plan order: batch, median GPU time, median CPU recording time.
    pub per_task: String,
    /// `Plan::summary` over the median GPU times.
    pub summary: String,
    /// The Chrome trace JSON of every run.
    pub trace: String,
    /// The number of events in the trace.
    pub trace_events: usize,
    /// `Plan::to_dot`.
    pub dot: String,
    /// `Plan::timeline_svg` with the median GPU times.
    pub timeline_svg: String,
    /// `Plan::memory_svg`.
    pub memory_svg: String,
}

impl Report {
    /// The report of `frames`, measured runs of `graph`'s current plan.
    pub fn new(graph: &mut Graph, frames: &[FrameTimings]) -> Result<Self, GraphError> {
        let (plan, recording) = graph.inspect()?;
        let gpu = TaskCosts::gpu_median(frames);
        let cpu = TaskCosts::cpu_median(frames);
        let us = |d: Option<std::time::Duration>| {
            d.map_or("n/a".to_owned(), |d| {
                format!("{:.1} us", d.as_secs_f64() * 1e6)
            })
        };
        let mut per_task = format!(
            "per task, median of {} runs (GPU: timestamps after all earlier work; CPU: recording):\n",
            frames.len()
        );
        for &task in plan.task_order() {
            // Writing to a String cannot fail.
            let _ = writeln!(
                per_task,
                "  batch {:>2}  {:<28} GPU {:>10}  CPU {:>9}",
                plan.task_batch(task).unwrap_or(0),
                recording.task_name(task).unwrap_or("?"),
                us(gpu.task(task)),
                us(cpu.task(task)),
            );
        }
        for &(batch, cost) in gpu.barrier_calls() {
            let _ = writeln!(
                per_task,
                "  barrier call before batch {batch}: GPU {}",
                us(Some(cost))
            );
        }
        let trace = plan.chrome_trace(recording, frames)?;
        Ok(Self {
            per_task,
            summary: plan.summary(recording, &gpu)?,
            trace_events: trace.matches("\"ph\":").count(),
            trace,
            dot: plan.to_dot(recording)?,
            timeline_svg: plan.timeline_svg(recording, Some(&gpu))?,
            memory_svg: plan.memory_svg(recording)?,
        })
    }

    /// Writes the trace, the DOT graph and both pictures next to `output` (a path ending in
    /// `.png`): `<stem>.trace.json`, `<stem>.plan.dot`, `<stem>.timeline.svg`,
    /// `<stem>.memory.svg`. Returns the paths written.
    pub fn write(&self, output: &str) -> std::io::Result<Vec<String>> {
        let stem = output.strip_suffix(".png").unwrap_or(output);
        let files = [
            ("trace.json", &self.trace),
            ("plan.dot", &self.dot),
            ("timeline.svg", &self.timeline_svg),
            ("memory.svg", &self.memory_svg),
        ];
        let mut written = Vec::new();
        for (suffix, text) in files {
            let path = format!("{stem}.{suffix}");
            std::fs::write(&path, text)?;
            written.push(path);
        }
        Ok(written)
    }
}
