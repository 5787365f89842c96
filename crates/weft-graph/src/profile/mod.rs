//! Seeing where a frame's time goes, from what the runtime measured or from costs the user
//! gives. The operations, one file each:
//!
//! - **timings** ([`FrameTimings`]): one execution as measured, task by task and barrier call
//!   by barrier call (GPU spans and CPU recording times);
//! - **costs** ([`TaskCosts`]): one cost per task and barrier call, the median of measured
//!   frames or given;
//! - **critical path** ([`crate::Plan::critical_path`]): the longest chain of dependent
//!   tasks and the parallelism bound;
//! - **summary** ([`crate::Plan::summary`]): time per scope, barrier time, the critical path;
//! - **trace** ([`crate::Plan::chrome_trace`]): a Chrome/Perfetto trace of measured frames.

mod costs;
mod critical_path;
mod summary;
mod timings;
mod trace;

#[cfg(test)]
mod tests;

pub use costs::{CostSource, TaskCosts};
pub use critical_path::CriticalPath;
pub(crate) use summary::ms;
pub use summary::task_scope;
pub use timings::{FrameTimings, GpuTime, TimedItem, TimedKind};
