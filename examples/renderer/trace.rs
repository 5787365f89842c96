//! `--trace N`: profiles the first N frames of one plan (every task and barrier call on
//! the GPU, recording on the CPU), writes their Chrome trace to `target/renderer.trace.json`
//! (open it in Perfetto or chrome://tracing) and prints the plan's summary with the
//! critical path. A resize recompiles the graph: frames of an earlier plan are dropped and
//! the count starts again with the new one.

use weft::runtime::{Executor, Graph};
use weft::{FrameTimings, TaskCosts};

use crate::Error;

/// Where the trace goes.
pub const TRACE_PATH: &str = "target/renderer.trace.json";

/// The frames traced so far (see the module doc).
pub struct FrameTrace {
    wanted: usize,
    frames: Vec<FrameTimings>,
    written: bool,
}

impl FrameTrace {
    /// A trace of `wanted` frames; turns profiling on.
    pub fn start(wanted: usize, executor: &mut Executor) -> Self {
        executor.profile(true);
        Self {
            wanted: wanted.max(1),
            frames: Vec::new(),
            written: false,
        }
    }

    /// Takes the frames `executor` measured since the last call; writes the trace once
    /// `wanted` frames of the graph's current plan are in.
    pub fn collect<U>(
        &mut self,
        executor: &mut Executor,
        graph: &mut Graph<U>,
    ) -> Result<(), Error> {
        if self.written {
            return Ok(());
        }
        let serial = graph.plan()?.serial();
        self.frames.extend(executor.take_frame_timings()?);
        self.frames.retain(|f| f.plan_serial == serial);
        if self.frames.len() >= self.wanted {
            self.frames.truncate(self.wanted);
            executor.profile(false);
            self.write(graph)?;
        }
        Ok(())
    }

    /// At the end of the run: waits for the frames in flight and writes what was traced,
    /// when the trace was not written yet.
    pub fn finish<U>(
        &mut self,
        executor: &mut Executor,
        graph: &mut Graph<U>,
    ) -> Result<(), Error> {
        if self.written {
            return Ok(());
        }
        executor.wait_idle()?;
        self.collect(executor, graph)?;
        if !self.written {
            println!(
                "trace: {} of {} frames of the last plan measured",
                self.frames.len(),
                self.wanted
            );
            self.write(graph)?;
        }
        Ok(())
    }

    fn write<U>(&mut self, graph: &mut Graph<U>) -> Result<(), Error> {
        let (plan, recording) = graph.inspect()?;
        let trace = plan.chrome_trace(recording, &self.frames)?;
        std::fs::write(TRACE_PATH, &trace)?;
        print!(
            "{}",
            plan.summary(recording, &TaskCosts::gpu_median(&self.frames))?
        );
        println!(
            "wrote {TRACE_PATH}: {} frames, {} events",
            self.frames.len(),
            trace.matches("\"ph\":").count()
        );
        self.written = true;
        Ok(())
    }
}
