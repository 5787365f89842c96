//! The compiled plan: flat arrays the runtime replays every execution.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use ash::vk;

use crate::hazard::Hazard;
use crate::resource::GraphId;
use crate::view::{ImageRange, Subresources};

/// A global memory (or execution-only, when both access masks are empty) barrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBarrier {
    /// Stages that must finish first.
    pub src_stages: vk::PipelineStageFlags2,
    /// Writes to make available (empty for execution-only dependencies).
    pub src_access: vk::AccessFlags2,
    /// Stages that wait.
    pub dst_stages: vk::PipelineStageFlags2,
    /// Accesses the writes are made visible to.
    pub dst_access: vk::AccessFlags2,
    /// Index of (the first) resource this barrier is for; `u32::MAX` for the full barriers
    /// of the sequential debug mode.
    pub cause: u32,
}

/// An image barrier with a layout transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageBarrier {
    /// Resource index of the image.
    pub image: u32,
    /// The subresources it transitions.
    pub range: ImageRange,
    /// Layout before.
    pub old_layout: vk::ImageLayout,
    /// Layout after.
    pub new_layout: vk::ImageLayout,
    /// Stages that must finish first.
    pub src_stages: vk::PipelineStageFlags2,
    /// Writes to make available.
    pub src_access: vk::AccessFlags2,
    /// Stages that wait.
    pub dst_stages: vk::PipelineStageFlags2,
    /// Accesses the result is made visible to.
    pub dst_access: vk::AccessFlags2,
}

/// The barriers of one batch boundary: one `vkCmdPipelineBarrier2` call.
#[derive(Clone, Copy, Debug)]
pub struct BarrierSet<'a> {
    /// Global memory and execution barriers.
    pub memory: &'a [MemoryBarrier],
    /// Image barriers with layout transitions.
    pub image: &'a [ImageBarrier],
}

impl BarrierSet<'_> {
    /// True when nothing needs to be recorded.
    pub fn is_empty(&self) -> bool {
        self.memory.is_empty() && self.image.is_empty()
    }
}

/// How an external resource is touched first (or left last) by the plan. The runtime
/// compares it with the state stored on the real resource and bridges the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExternalUse {
    /// Resource index.
    pub resource: u32,
    /// Which part.
    pub subresources: Subresources,
    /// Stages of the access (the union of the group's accesses).
    pub stages: vk::PipelineStageFlags2,
    /// Access flags (the union of the group's accesses).
    pub access: vk::AccessFlags2,
    /// Image layout (`UNDEFINED` for buffers).
    pub layout: vk::ImageLayout,
    /// For first uses: the batch before which the bridge must happen. For last uses: the
    /// last batch of the group (the trailing boundary `batch_count` for presents).
    pub batch: u32,
    /// For last uses: some task of the graph wrote these subresources, or the graph changed
    /// their layout (when the last group only reads, the runtime must still know a write
    /// happened before it). Always false for first uses.
    pub wrote_in_graph: bool,
}

/// The batches a transient resource is alive in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransientLifetime {
    /// Resource index.
    pub resource: u32,
    /// First batch that touches it.
    pub first_batch: u32,
    /// Last batch that touches it.
    pub last_batch: u32,
}

/// Where one transient resource lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransientPlacement {
    /// Resource index.
    pub resource: u32,
    /// Index into [`Plan::memory_blocks`].
    pub block: u32,
    /// Byte offset in the block.
    pub offset: u64,
    /// Bytes it covers.
    pub size: u64,
    /// First and last batch it is used in.
    pub first_batch: u32,
    /// See `first_batch`.
    pub last_batch: u32,
}

/// One block of memory that transients share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBlock {
    /// Bytes.
    pub size: u64,
    /// The largest alignment of a resource in it (offsets are relative to its start).
    pub alignment: u64,
    /// The memory types every resource placed in it can live in (allocate from one).
    pub memory_type_bits: u32,
}

/// A plan's transient memory, once placed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Placed {
    pub transients: Vec<TransientPlacement>,
    pub blocks: Vec<MemoryBlock>,
    pub lower_bound: u64,
    /// The plan's barriers before the hand-overs were added.
    pub compiled: Compiled,
}

/// The plan's barrier arrays as compiled (before any hand-over was added).
#[derive(Clone, Debug, Default)]
pub(crate) struct Compiled {
    pub boundaries: Vec<Boundary>,
    pub memory: Vec<MemoryBarrier>,
    pub image: Vec<ImageBarrier>,
}

/// A dependency between two tasks, for inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dependency {
    /// The earlier task.
    pub from: u32,
    /// The later task.
    pub to: u32,
    /// The resource that causes it (`None` for explicit edges).
    pub resource: Option<u32>,
    /// The kind of hazard.
    pub hazard: Hazard,
}

/// Counts that describe a plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanStats {
    /// Tasks.
    pub tasks: usize,
    /// Batches.
    pub batches: usize,
    /// Depth of the dependency DAG (the least possible number of batches).
    pub dag_depth: usize,
    /// Batch boundaries with at least one barrier (each is one `vkCmdPipelineBarrier2`).
    pub barrier_calls: usize,
    /// Global memory / execution barriers.
    pub memory_barriers: usize,
    /// Image barriers.
    pub image_barriers: usize,
    /// Submits.
    pub submits: usize,
    /// Bytes of memory the placed transients need (the sum of the memory blocks; 0 until
    /// placed, see [`Plan::place_transients`]).
    pub transient_bytes: u64,
    /// The largest sum of the (aligned) sizes of the transients live in one batch: no
    /// placement can need less (0 until placed).
    pub transient_lower_bound_bytes: u64,
}

/// Barriers before one batch: ranges into the plan's barrier arrays.
#[derive(Clone, Debug, Default)]
pub(crate) struct Boundary {
    pub memory: Range<u32>,
    pub image: Range<u32>,
}

/// The serial of the next plan made (see [`Plan::serial`]).
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// A serial no plan had.
pub(crate) fn next_serial() -> u64 {
    NEXT_SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// A compiled graph: the order of tasks, batches, and the barriers between them. Built once
/// by [`crate::TaskGraph::compile`]; everything the runtime needs per execution is here.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Unique to this compilation (see [`Plan::serial`]).
    pub(crate) serial: u64,
    pub(crate) graph: GraphId,
    /// [`crate::TaskGraph::revision`] when it was compiled.
    pub(crate) revision: u64,
    pub(crate) sequential: bool,
    pub(crate) dag_depth: u32,
    /// Tasks ordered by batch, record order within a batch.
    pub(crate) task_order: Vec<u32>,
    /// `batch_starts[b]..batch_starts[b + 1]` indexes `task_order`.
    pub(crate) batch_starts: Vec<u32>,
    pub(crate) task_batch: Vec<u32>,
    /// One per batch, plus the trailing boundary after the last batch.
    pub(crate) boundaries: Vec<Boundary>,
    pub(crate) memory_barriers: Vec<MemoryBarrier>,
    pub(crate) image_barriers: Vec<ImageBarrier>,
    pub(crate) first_uses: Vec<ExternalUse>,
    pub(crate) last_uses: Vec<ExternalUse>,
    pub(crate) submit_batches: Vec<u32>,
    pub(crate) transients: Vec<TransientLifetime>,
    pub(crate) presents: Vec<u32>,
    /// Per resource: some task (or present) of the plan touches it.
    pub(crate) used: Vec<bool>,
    /// Per resource: see [`Plan::writes_resource`].
    pub(crate) written: Vec<bool>,
    /// Per resource: see [`Plan::last_part_using`].
    pub(crate) last_part: Vec<u32>,
    /// Where the transients live, once placed (see [`Plan::place_transients`]).
    pub(crate) placed: Option<Placed>,
    /// The condition values it was compiled for (`None`: every task, see
    /// [`crate::TaskGraph::compile_for`]).
    pub(crate) conditions: Option<crate::condition::ConditionValues>,
}

impl Plan {
    /// Number of batches.
    pub fn batch_count(&self) -> usize {
        self.batch_starts.len().saturating_sub(1)
    }

    /// The tasks of batch `batch`, in record order (empty past the end).
    pub fn batch(&self, batch: usize) -> &[u32] {
        match (
            self.batch_starts.get(batch),
            self.batch_starts.get(batch + 1),
        ) {
            (Some(&a), Some(&b)) => &self.task_order[a as usize..b as usize],
            _ => &[],
        }
    }

    /// All tasks in execution order.
    pub fn task_order(&self) -> &[u32] {
        &self.task_order
    }

    /// The batch of a task (by record index); `None` for a task the plan leaves out (its
    /// conditions do not hold) or past the end.
    pub fn task_batch(&self, task: u32) -> Option<u32> {
        self.task_batch
            .get(task as usize)
            .copied()
            .filter(|&b| b != u32::MAX)
    }

    /// The barriers to record before batch `batch`; `batch == batch_count()` gives the
    /// trailing barriers after the last batch (presents).
    pub fn barriers_before(&self, batch: usize) -> BarrierSet<'_> {
        match self.boundaries.get(batch) {
            Some(b) => BarrierSet {
                memory: &self.memory_barriers[b.memory.start as usize..b.memory.end as usize],
                image: &self.image_barriers[b.image.start as usize..b.image.end as usize],
            },
            None => BarrierSet {
                memory: &[],
                image: &[],
            },
        }
    }

    /// The graph this plan was compiled from, and that graph's revision then (see
    /// [`crate::TaskGraph::revision`]).
    pub fn recording(&self) -> (GraphId, u64) {
        (self.graph, self.revision)
    }

    /// The condition values this plan was compiled for (`None` when compiled for every
    /// task, see [`crate::TaskGraph::compile_for`]).
    pub fn conditions(&self) -> Option<&crate::condition::ConditionValues> {
        self.conditions.as_ref()
    }

    /// A number no other compilation in this process has (clones share it): the runtime
    /// keys what it derives from a plan by it.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// How each external resource range is first accessed, so the runtime can bridge from
    /// the state the real resource is in.
    pub fn first_uses(&self) -> &[ExternalUse] {
        &self.first_uses
    }

    /// The state each external resource range is left in.
    pub fn last_uses(&self) -> &[ExternalUse] {
        &self.last_uses
    }

    /// The first batch of each submit after the first one.
    pub fn submit_batches(&self) -> &[u32] {
        &self.submit_batches
    }

    /// The part of the plan (0 before the first submit boundary, see
    /// [`Plan::submit_batches`]) that uses resource `index` last; the last part for one it
    /// does not leave through a last use.
    pub fn last_part_using(&self, index: u32) -> usize {
        self.last_part
            .get(index as usize)
            .map_or(self.submit_batches.len(), |&p| p as usize)
    }

    /// Resource indices of the presented images.
    pub fn presents(&self) -> &[u32] {
        &self.presents
    }

    /// The batches each transient resource is alive in.
    pub fn transient_lifetimes(&self) -> &[TransientLifetime] {
        &self.transients
    }

    /// True when compiled in the sequential debug mode.
    pub fn is_sequential(&self) -> bool {
        self.sequential
    }

    /// True when some task (or a present) of the plan touches resource `index`; the runtime
    /// needs a real resource only for those.
    pub fn uses_resource(&self, index: u32) -> bool {
        self.used.get(index as usize).copied().unwrap_or(false)
    }

    /// True when the plan writes external resource `index` or changes a layout of it (the
    /// runtime's bridges need it: see `wrote_in_graph` on [`ExternalUse`]).
    pub fn writes_resource(&self, index: u32) -> bool {
        self.written.get(index as usize).copied().unwrap_or(false)
    }

    /// Test-only fault injection: drops every memory barrier before batch `batch`, so tests
    /// can prove that synchronization validation notices a missing barrier. Returns how many
    /// were dropped.
    #[cfg(feature = "fault-injection")]
    pub fn drop_memory_barriers_before(&mut self, batch: usize) -> usize {
        self.drop_memory_barriers(batch, |_| true)
    }

    /// Test-only fault injection: drops the memory barriers before batch `batch` that `drop`
    /// picks; returns how many.
    #[cfg(feature = "fault-injection")]
    pub(crate) fn drop_memory_barriers(
        &mut self,
        batch: usize,
        drop: impl Fn(&MemoryBarrier) -> bool,
    ) -> usize {
        let Some(boundary) = self.boundaries.get(batch).cloned() else {
            return 0;
        };
        let (start, end) = (boundary.memory.start as usize, boundary.memory.end as usize);
        let before = self.memory_barriers.len();
        let mut index = 0;
        self.memory_barriers.retain(|m| {
            let keep = !(start..end).contains(&index) || !drop(m);
            index += 1;
            keep
        });
        let removed = (before - self.memory_barriers.len()) as u32;
        // A changed plan is another plan to what the runtime keeps by serial.
        self.serial = next_serial();
        for b in &mut self.boundaries {
            if b.memory.start as usize >= end {
                b.memory.start -= removed;
                b.memory.end -= removed;
            }
        }
        if let Some(b) = self.boundaries.get_mut(batch) {
            b.memory.end -= removed;
        }
        removed as usize
    }

    /// Counts describing the plan.
    pub fn stats(&self) -> PlanStats {
        PlanStats {
            tasks: self.task_order.len(),
            batches: self.batch_count(),
            dag_depth: self.dag_depth as usize,
            barrier_calls: self
                .boundaries
                .iter()
                .filter(|b| !b.memory.is_empty() || !b.image.is_empty())
                .count(),
            memory_barriers: self.memory_barriers.len(),
            image_barriers: self.image_barriers.len(),
            submits: self.submit_batches.len() + usize::from(!self.task_order.is_empty()),
            transient_bytes: self.memory_blocks().iter().map(|b| b.size).sum(),
            transient_lower_bound_bytes: self.placed.as_ref().map_or(0, |p| p.lower_bound),
        }
    }
}
