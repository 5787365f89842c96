//! weft: a render/compute task graph over Vulkan.
//!
//! Record tasks that declare how they touch virtual buffer and image views, compile the
//! recording once into a [`Plan`] (dependencies, the fewest batches, the fewest and
//! narrowest barriers), and replay it every frame. This facade re-exports the crates:
//! [`graph`] is the pure planner.
//!
//! ```
//! use weft::prelude::*;
//!
//! # fn main() -> Result<(), weft::GraphError> {
//! let mut graph: TaskGraph = TaskGraph::new();
//! let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
//! let a = graph.transient_buffer("a", BufferDesc { size: 256, usage })?;
//! let b = graph.transient_buffer("b", BufferDesc { size: 256, usage })?;
//! graph.task("produce").attach(a, access::COMPUTE_WRITE).record()?;
//! graph.task("consume").attach(a, access::COMPUTE_READ).attach(b, access::COMPUTE_WRITE).record()?;
//! let plan = graph.compile(&CompileOptions::default())?;
//! assert_eq!(plan.stats().batches, 2);
//! assert_eq!(plan.stats().barrier_calls, 1);
//! # Ok(())
//! # }
//! ```

pub use weft_graph as graph;
pub use weft_graph::*;
pub use weft_vk as runtime;

/// The names most programs need: the planner's vocabulary and the runtime's graph,
/// executor, context, buffers and pipelines.
pub mod prelude {
    pub use ash::vk;
    pub use weft_graph::access;
    pub use weft_graph::{
        Access, AccessKind, AccessUsage, BufferDesc, BufferView, CompileOptions, CompileThreads,
        GraphError, ImageDesc, ImageView, Plan, TaskBuffer, TaskGraph, TaskId, TaskImage, View,
    };
    pub use weft_vk::{
        Buffer, BufferInfo, ComputePipeline, Context, ContextOptions, Executor, Graph,
        MemoryLocation, VkError,
    };
}
