//! The pure planner of weft: record tasks over virtual buffers and images, compile them once
//! into a [`Plan`] of batches and barriers. No Vulkan calls happen here (ash is used for its
//! types only), so every scheduling and barrier rule is testable in microseconds.
//!
//! ```
//! use ash::vk;
//! use weft_graph::{access, BufferDesc, CompileOptions, ImageDesc, TaskGraph};
//!
//! # fn main() -> Result<(), weft_graph::GraphError> {
//! let mut graph: TaskGraph = TaskGraph::new();
//! let storage = vk::BufferUsageFlags::STORAGE_BUFFER;
//! let input = graph.external_buffer("input", BufferDesc { size: 1024, usage: storage })?;
//! let temp = graph.transient_buffer("temp", BufferDesc { size: 1024, usage: storage })?;
//! let image = graph.transient_image(
//!     "mips",
//!     ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 256, 256, vk::ImageUsageFlags::STORAGE)
//!         .with_mips(2),
//! )?;
//!
//! graph.task("scale").attach(input, access::COMPUTE_READ).attach(temp, access::COMPUTE_WRITE).record()?;
//! graph.task("fill mip 0").attach(image.mip(0), access::COMPUTE_WRITE).record()?;
//! graph.task("fill mip 1").attach(image.mip(1), access::COMPUTE_WRITE).record()?;
//! graph.task("sum").attach(temp, access::COMPUTE_READ).attach(image, access::COMPUTE_READ).record()?;
//!
//! let plan = graph.compile(&CompileOptions::default())?;
//! // "scale" and both mip fills are independent: two batches in all.
//! assert_eq!(plan.batch_count(), 2);
//! assert_eq!(plan.batch(0).len(), 3);
//! // One call before batch 1 with a single memory barrier (compute write -> compute read).
//! let before_sum = plan.barriers_before(1);
//! assert_eq!(before_sum.memory.len(), 1);
//! println!("{}", plan.describe(&graph)?);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod access;
mod attachment_ops;
mod compile;
mod condition;
mod conditions;
mod dot;
mod error;
mod graph;
mod graph_compile;
mod hazard;
mod inspect;
mod locality;
mod peak;
mod pictures;
mod placement;
mod plan;
mod profile;
mod resource;
mod task_builder;
mod touch;
mod units;
mod view;

pub use access::{Access, AccessKind, AccessUsage, LayoutMode, ResourceKind};
pub use attachment_ops::AttachmentOps;
pub use compile::{CompileOptions, CompileThreads};
pub use condition::{Condition, ConditionValues, Guard};
pub use conditions::{PlanCache, ScopeMark};
pub use error::GraphError;
pub use graph::{Attachment, TaskGraph, TaskId};
pub use hazard::Hazard;
pub use placement::MemoryNeeds;
pub use plan::{
    BarrierSet, Dependency, ExternalUse, ImageBarrier, MemoryBarrier, MemoryBlock, Plan, PlanStats,
    TransientLifetime, TransientPlacement,
};
pub use profile::{
    task_scope, CostSource, CriticalPath, FrameTimings, GpuTime, TaskCosts, TimedItem, TimedKind,
};
pub use resource::{
    format_aspects, BufferDesc, GraphId, ImageDesc, Lifetime, ResourceDesc, ResourceInfo,
    TaskBuffer, TaskImage,
};
pub use task_builder::TaskBuilder;
pub use units::ImageUnits;
pub use view::{BufferView, ImageRange, ImageView, Subresources, View};
