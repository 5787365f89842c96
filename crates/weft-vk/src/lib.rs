//! The Vulkan runtime of weft: a [`Context`] (instance, device, validation and
//! synchronization validation), real [`Buffer`]s and [`Image`]s, the runtime [`Graph`]
//! (a recording with the real resources bound to it and its cached plan), and the
//! [`Executor`] that replays it every frame.
//!
//! ```
//! use std::sync::Arc;
//! use ash::vk;
//! use weft_graph::access;
//! use weft_vk::{Buffer, BufferInfo, Context, ContextOptions, Executor, Graph, MemoryLocation};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ctx = Arc::new(Context::new(&ContextOptions::validated())?);
//! let usage = vk::BufferUsageFlags::TRANSFER_DST | vk::BufferUsageFlags::TRANSFER_SRC;
//! let info = BufferInfo { name: "out", size: 64, usage, location: MemoryLocation::GpuToCpu };
//! let real = Arc::new(Buffer::new(&ctx, &info)?);
//!
//! // Per-frame data of type u32 reaches every callback as `cx.data`.
//! let mut graph: Graph<u32> = Graph::new();
//! let out = graph.import_buffer("out", &real)?;
//! graph
//!     .task("fill")
//!     .attach(out, access::CLEAR_DST)
//!     .run(move |cx| {
//!         let (buffer, value) = (cx.buffer(out)?, *cx.data);
//!         // SAFETY: the command buffer is recording and the task attached all of `out`.
//!         unsafe { cx.device().cmd_fill_buffer(cx.cmd(), buffer, 0, 64, value) };
//!         Ok(())
//!     })
//!     .record()?;
//! let mut executor = Executor::new(&ctx)?;
//! executor.execute(&mut graph, &mut 7u32)?; // compiles once, then replays
//! assert_eq!(&real.mapped()?[..4], &7u32.to_ne_bytes());
//! assert_eq!(ctx.validation_messages(), 0);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod binding_access;
mod bindings;
mod buffer;
mod clear_color;
mod compute_task;
mod context;
mod dispatch;
mod draw_task;
mod error;
mod executor;
mod graph;
mod graph_conditions;
mod graphics;
mod ids;
mod image;
mod instance;
mod locks;
mod memory;
mod memory_needs;
mod pipeline;
mod pipeline_parts;
mod prefetch;
mod push_bytes;
mod push_descriptors;
mod shader_binds;
mod stamped;
mod state;
mod swapchain;
mod task;
mod task_context;
mod timeline;
mod transfer;
mod transfer_tasks;
mod validation;
mod work;

pub use buffer::{Buffer, BufferInfo, Mapped, MappedMut, MemoryLocation};
pub use clear_color::ClearColor;
pub use compute_task::ComputeTask;
pub use context::{Context, ContextOptions};
pub use dispatch::Dispatch;
pub use draw_task::{ColorLoad, Draw, DrawTask};
pub use error::{VkError, INSTALL_HINT};
pub use executor::{
    Captured, CapturedAccess, CapturedTarget, CpuTimes, Executor, TransientCopies, TransientMemory,
    KEPT_FRAME_TIMINGS, KEPT_TRANSIENT_SETS,
};
pub use graph::Graph;
pub use graphics::{GraphicsPipeline, GraphicsPipelineDesc, VertexLayout};
pub use ids::ResourceId;
pub use image::Image;
pub use memory::DeviceMemoryUse;
pub use pipeline::ComputePipeline;
pub use raw_window_handle;
pub use swapchain::{Acquired, FrameSync, Swapchain};
pub use task::{Task, TaskOutcome};
pub use task_context::{Callback, TaskContext};
pub use transfer::{read_back, upload};
pub use validation::MessageLog;
pub use weft_shader as shader;
pub use work::Work;
