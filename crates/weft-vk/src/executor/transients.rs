//! A frame slot's transient resources. The plan places every transient in a few memory
//! blocks ([`weft_graph::Plan::place_transients`], with what this device needs:
//! [`crate::memory_needs`]); a frame slot allocates those blocks once per placement and creates
//! each transient in them at its offset, so resources whose lifetimes do not meet share
//! memory. Each frame slot has its own copy: frames in flight never share transient memory,
//! and a slot's next use of it waits, through its submission's semaphore wait, for the
//! slot's previous submission.
//!
//! A new set is made aside: when an allocation or a resource fails, the error names it and
//! the plan, what was made is freed, and the slot keeps its previous set.

use std::sync::Arc;

use ash::vk;
use gpu_allocator::vulkan::Allocation;
use gpu_allocator::MemoryLocation;
use weft_graph::{Plan, ResourceDesc, ResourceInfo};

use crate::buffer::{Buffer, BufferInfo};
use crate::context::Context;
use crate::error::VkError;
use crate::image::Image;
use crate::memory::allocate;
use crate::memory_needs::granularity;
use crate::timeline::Garbage;

/// A frame slot's transients (see the module doc), by resource index.
#[derive(Default)]
pub(crate) struct Transients {
    pub buffers: Vec<Option<Buffer>>,
    pub images: Vec<Option<Image>>,
    blocks: Vec<Allocation>,
    /// Where each transient lives.
    placed: Vec<Placed>,
    /// [`Plan::serial`] of the placement they were made for (0: none).
    made_for: u64,
    /// [`Plan::recording`] of that plan (`None`: none).
    recording: Option<(weft_graph::GraphId, u64)>,
    /// The figures of that placement.
    pub figures: TransientMemory,
    /// The last submission that used them.
    last_use: u64,
    ctx: Option<Arc<Context>>,
}

/// Where one transient lives.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placed {
    pub resource: u32,
    pub memory: vk::DeviceMemory,
    pub offset: u64,
    pub size: u64,
}

/// The device memory transients take (see [`crate::Executor::transient_memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransientMemory {
    /// Frame slots.
    pub frames: usize,
    /// Copies of the transients the frame slots hold (see [`crate::TransientCopies`]).
    pub copies: usize,
    /// Bytes of device memory all frame slots hold for transients now.
    pub held_bytes: u64,
    /// Transient sets the frame slots hold now: one per copy, and more while plans of
    /// several condition combinations are kept (see [`crate::KEPT_TRANSIENT_SETS`]).
    pub sets: usize,
    /// Bytes of the memory blocks of one copy, for the last plan made.
    pub placed_bytes: u64,
    /// Bytes one allocation per transient would take (what weft took before aliasing).
    pub separate_bytes: u64,
    /// The largest sum of the sizes of the transients live in one batch: no placement
    /// needs less.
    pub lower_bound_bytes: u64,
}

impl std::fmt::Display for TransientMemory {
    /// One line: what the transients hold now and per frame slot, against one allocation
    /// per transient (before aliasing) and the lower bound.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (frames, copies) = (self.frames as u64, self.copies as u64);
        write!(
            f,
            "transient memory: {} bytes held in {} sets ({copies} copies x {} placed for the \
             last plan, {frames} frames in flight; one allocation per transient and frame: \
             {frames} x {} = {}); lower bound {} per copy",
            self.held_bytes,
            self.sets,
            self.placed_bytes,
            self.separate_bytes,
            frames * self.separate_bytes,
            self.lower_bound_bytes
        )
    }
}

impl TransientMemory {
    /// The figures of `plan`'s placement (one copy; no frames or memory held yet).
    fn of(plan: &Plan) -> Self {
        let stats = plan.stats();
        Self {
            frames: 0,
            copies: 0,
            held_bytes: 0,
            sets: 0,
            placed_bytes: stats.transient_bytes,
            separate_bytes: plan.transient_placements().iter().map(|p| p.size).sum(),
            lower_bound_bytes: stats.transient_lower_bound_bytes,
        }
    }
}

impl Transients {
    /// Marks every transient as used by submission `value`.
    pub fn in_flight(&mut self, value: u64) {
        for buffer in self.buffers.iter().flatten() {
            buffer.in_flight.set(value);
        }
        for image in self.images.iter().flatten() {
            image.in_flight.set(value);
        }
        self.last_use = value;
    }

    /// Where each transient lives.
    pub fn placed(&self) -> &[Placed] {
        &self.placed
    }

    /// The buffer of transient `resource` (null when it is not one).
    pub fn buffer(&self, resource: u32) -> vk::Buffer {
        self.buffers
            .get(resource as usize)
            .and_then(Option::as_ref)
            .map_or(vk::Buffer::null(), |b| b.raw)
    }

    /// The image of transient `resource` (null when it is not one).
    pub fn image(&self, resource: u32) -> vk::Image {
        self.images
            .get(resource as usize)
            .and_then(Option::as_ref)
            .map_or(vk::Image::null(), |i| i.raw)
    }

    /// [`Plan::serial`] of the placement the set was made for (0: none).
    pub fn made_for(&self) -> u64 {
        self.made_for
    }

    /// [`Plan::recording`] of the plan the set was made for.
    pub fn recording(&self) -> Option<(weft_graph::GraphId, u64)> {
        self.recording
    }

    /// Bytes of memory the set holds.
    pub fn held_bytes(&self) -> u64 {
        self.blocks.iter().map(|b| b.size()).sum()
    }

    /// Makes the transients of `plan` (placed) unless they are made already.
    pub fn make(
        &mut self,
        ctx: &Arc<Context>,
        plan: &Plan,
        resources: &[ResourceInfo],
    ) -> Result<(), VkError> {
        if self.made_for == plan.serial() {
            return Ok(());
        }
        let mut made = Transients {
            buffers: (0..resources.len()).map(|_| None).collect(),
            images: (0..resources.len()).map(|_| None).collect(),
            blocks: Vec::new(),
            placed: Vec::new(),
            made_for: plan.serial(),
            recording: Some(plan.recording()),
            figures: TransientMemory::of(plan),
            last_use: 0,
            ctx: Some(Arc::clone(ctx)),
        };
        let granularity = granularity(ctx);
        for (index, block) in plan.memory_blocks().iter().enumerate() {
            let holds: Vec<&str> = plan
                .transient_placements()
                .iter()
                .filter(|p| p.block as usize == index)
                .map(|p| resources[p.resource as usize].name.as_str())
                .collect();
            let name = format!(
                "transient memory block {index} of plan #{} (for `{}`)",
                plan.serial(),
                holds.join("`, `")
            );
            let requirements = vk::MemoryRequirements {
                size: block.size.next_multiple_of(granularity),
                alignment: block.alignment.max(granularity),
                memory_type_bits: block.memory_type_bits,
            };
            let allocation = allocate(ctx, &name, requirements, MemoryLocation::GpuOnly, false)?;
            made.blocks.push(allocation);
        }
        for p in plan.transient_placements() {
            let info = &resources[p.resource as usize];
            let block = &made.blocks[p.block as usize];
            // SAFETY: the memory is only bound to; the block outlives every resource in it
            // (dropping the set retires the resources before it).
            let memory = unsafe { block.memory() };
            let offset = block.offset() + p.offset;
            let failed = |source| VkError::Transient {
                resource: info.name.clone(),
                plan: plan.serial(),
                source: Box::new(source),
            };
            let index = p.resource as usize;
            made.placed.push(Placed {
                resource: p.resource,
                memory,
                offset,
                size: p.size,
            });
            match &info.desc {
                ResourceDesc::Buffer(desc) => {
                    let create = BufferInfo {
                        name: &info.name,
                        size: desc.size,
                        usage: desc.usage,
                        location: MemoryLocation::GpuOnly,
                    };
                    let buffer = Buffer::placed(ctx, &create, memory, offset).map_err(failed)?;
                    made.buffers[index] = Some(buffer);
                }
                ResourceDesc::Image(desc) => {
                    let image =
                        Image::placed(ctx, &info.name, desc, memory, offset).map_err(failed)?;
                    made.images[index] = Some(image);
                }
            }
        }
        *self = made;
        Ok(())
    }
}

impl Drop for Transients {
    fn drop(&mut self) {
        // The resources go first (each retired once its last submission is done), then
        // the memory they were in, once the last submission that used any of them is.
        self.buffers.clear();
        self.images.clear();
        if let Some(ctx) = &self.ctx {
            for block in self.blocks.drain(..) {
                ctx.retire(self.last_use, Garbage::Memory(block));
            }
        }
    }
}
