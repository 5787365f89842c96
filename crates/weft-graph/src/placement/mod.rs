//! Transient memory aliasing: where in memory each transient resource of a plan lives.
//! The runtime asks the device what each transient needs ([`MemoryNeeds`]) and hands it to
//! [`Plan::place_transients`], which stays free of Vulkan calls and runs three steps:
//!
//! 1. [`pack`]: offsets in memory blocks such that resources live in a common batch never
//!    share memory (greedy first fit, the best of three orders; see [`pack`]'s doc);
//! 2. [`aliasing`]: a barrier for every hand-over, so that a resource taking over memory
//!    waits for the previous occupants' uses;
//! 3. the numbers: [`PlanStats::transient_bytes`](crate::PlanStats::transient_bytes) and
//!    the lower bound no placement can beat.

mod aliasing;
mod or_tree;
mod pack;

use ash::vk;

use crate::access::WRITE_ACCESS_MASK;
use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::{next_serial, Compiled, MemoryBlock, Placed, Plan, TransientPlacement};
use crate::resource::{Lifetime, ResourceDesc};

/// What the device needs to hold one transient resource (`VkMemoryRequirements`, and
/// whether the resource is linear for `bufferImageGranularity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryNeeds {
    /// Bytes.
    pub size: u64,
    /// Alignment of its offset (a power of two).
    pub alignment: u64,
    /// The memory types it can live in.
    pub memory_type_bits: u32,
    /// A buffer or a linearly tiled image (false: an optimally tiled image).
    pub linear: bool,
}

/// What a resource does over the plan: the union of the stages and accesses of all its
/// attachments.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Usage {
    pub stages: vk::PipelineStageFlags2,
    pub access: vk::AccessFlags2,
}

impl Usage {
    /// Its writes.
    pub fn writes(&self) -> vk::AccessFlags2 {
        self.access & WRITE_ACCESS_MASK
    }
}

impl Plan {
    /// Places the plan's transient resources in memory: `needs` gives what the device
    /// needs for each (by resource index and description; an error says why the device
    /// cannot hold it), `granularity` is the device's
    /// `bufferImageGranularity`. Resources live in a common batch never share memory; a
    /// resource that takes over memory waits for the previous occupants (barriers join the
    /// plan's boundaries; an image starts from `UNDEFINED`). Placing again replaces the
    /// last placement; the plan takes a new [`Plan::serial`].
    pub fn place_transients<C>(
        &mut self,
        graph: &TaskGraph<C>,
        mut needs: impl FnMut(u32, &ResourceDesc) -> Result<MemoryNeeds, String>,
        granularity: u64,
    ) -> Result<(), GraphError> {
        if !self.is_current_for(graph) {
            return Err(GraphError::StalePlan);
        }
        let resources = graph.resources();
        let mut items = Vec::with_capacity(self.transients.len());
        for life in &self.transients {
            let info = &resources[life.resource as usize];
            let refuse = |problem: String| GraphError::Placement {
                resource: info.name.clone(),
                plan: self.serial,
                problem,
            };
            let need = needs(life.resource, &info.desc).map_err(refuse)?;
            let problem = if need.size == 0 {
                Some("the device reports a size of 0")
            } else if !need.alignment.is_power_of_two() {
                Some("the device reports an alignment that is not a power of two")
            } else if need.memory_type_bits == 0 {
                Some("no memory type can hold it")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(refuse(problem.to_owned()));
            }
            items.push(pack::Item {
                first_batch: life.first_batch,
                last_batch: life.last_batch,
                size: need.size,
                alignment: need.alignment,
                type_bits: need.memory_type_bits,
                linear: need.linear,
            });
        }
        let (spots, blocks) = pack::pack(&items, granularity);
        // Start from the barriers as compiled.
        let compiled = match self.placed.take() {
            Some(previous) => {
                previous.compiled.restore(self);
                previous.compiled
            }
            None => Compiled::of(self),
        };
        let placed = Placed {
            transients: self
                .transients
                .iter()
                .zip(&items)
                .zip(&spots)
                .map(|((life, item), spot)| TransientPlacement {
                    resource: life.resource,
                    block: spot.block,
                    offset: spot.offset,
                    size: item.size,
                    first_batch: life.first_batch,
                    last_batch: life.last_batch,
                })
                .collect(),
            blocks: blocks
                .iter()
                .map(|b| MemoryBlock {
                    size: b.size,
                    alignment: b.alignment,
                    memory_type_bits: b.type_bits,
                })
                .collect(),
            lower_bound: pack::lower_bound(&items),
            compiled,
        };
        let usage = usage_of_transients(graph);
        let descs: Vec<&ResourceDesc> = resources.iter().map(|r| &r.desc).collect();
        aliasing::add_hand_overs(self, &placed, &usage, &descs);
        self.placed = Some(placed);
        self.serial = next_serial();
        Ok(())
    }

    /// Test-only fault injection: drops the hand-over of transient `resource` (its memory
    /// barrier, for a buffer; the source of its transitions from `UNDEFINED`, for an
    /// image), so tests can prove that a missing one is noticed. Returns whether there was
    /// one.
    #[cfg(feature = "fault-injection")]
    pub fn drop_hand_over(&mut self, resource: u32) -> bool {
        let Some(first) = self
            .transient_placements()
            .iter()
            .find(|p| p.resource == resource)
            .map(|p| p.first_batch as usize)
        else {
            return false;
        };
        let mut dropped = self.drop_memory_barriers(first, |m| m.cause == resource) > 0;
        for b in &mut self.image_barriers {
            let from_nothing = b.old_layout == vk::ImageLayout::UNDEFINED;
            if b.image == resource && from_nothing && !b.src_stages.is_empty() {
                b.src_stages = vk::PipelineStageFlags2::NONE;
                b.src_access = vk::AccessFlags2::NONE;
                dropped = true;
            }
        }
        self.serial = next_serial();
        dropped
    }

    /// True once [`Plan::place_transients`] ran.
    pub fn is_placed(&self) -> bool {
        self.placed.is_some()
    }

    /// Where each transient lives (empty until placed).
    pub fn transient_placements(&self) -> &[TransientPlacement] {
        self.placed.as_ref().map_or(&[], |p| &p.transients)
    }

    /// The memory blocks the transients share (empty until placed).
    pub fn memory_blocks(&self) -> &[MemoryBlock] {
        self.placed.as_ref().map_or(&[], |p| &p.blocks)
    }
}

/// Per resource, the union of its attachments' stages and accesses (transients only).
fn usage_of_transients<C>(graph: &TaskGraph<C>) -> Vec<Usage> {
    let resources = graph.resources();
    let mut usage = vec![Usage::default(); resources.len()];
    for task in 0..graph.task_count() as u32 {
        for attachment in graph.task_attachments(task) {
            let r = attachment.resource() as usize;
            if resources.get(r).map(|i| i.lifetime) == Some(Lifetime::Transient) {
                usage[r].stages |= attachment.stages();
                usage[r].access |= attachment.access_flags();
            }
        }
    }
    usage
}
