//! Hand-overs of aliased memory. A transient that takes over memory other transients used
//! earlier in the plan (its predecessors: same block, overlapping bytes, lifetimes ended
//! before its first batch) must wait for all their uses, and see none of their contents:
//!
//! - an image's transitions from `UNDEFINED` take the predecessors' stages and writes as
//!   their source (a layout transition is a write of the memory, ordered after them);
//! - a buffer gets a memory barrier before its first batch, from the predecessors' stages
//!   and writes to its own stages and accesses.
//!
//! A resource with no predecessor in the plan keeps its barriers as compiled. The plan's
//! barriers as compiled are kept aside, so that placing again starts from them.

use ash::vk;

use super::or_tree::OrTree;
use super::Usage;
use crate::plan::{Compiled, MemoryBarrier, Placed, Plan, TransientPlacement};
use crate::resource::ResourceDesc;

impl Compiled {
    /// A copy of `plan`'s barriers.
    pub fn of(plan: &Plan) -> Self {
        Self {
            boundaries: plan.boundaries.clone(),
            memory: plan.memory_barriers.clone(),
            image: plan.image_barriers.clone(),
        }
    }

    /// Puts them back into `plan`.
    pub fn restore(&self, plan: &mut Plan) {
        plan.boundaries.clone_from(&self.boundaries);
        plan.memory_barriers.clone_from(&self.memory);
        plan.image_barriers.clone_from(&self.image);
    }
}

/// The union of the stages and writes of `placed`'s predecessors of each placed transient
/// (by position in `placed.transients`; `None`: it has none). A sweep over batches: before
/// the transients that start at a batch are asked about, every transient that ended
/// earlier is put over its bytes in its block's [`OrTree`].
fn predecessors(placed: &Placed, usage: &[Usage]) -> Vec<Option<Usage>> {
    let all = &placed.transients;
    // Per block: the offsets where some transient starts or ends (elementary intervals).
    let mut cuts: Vec<Vec<u64>> = vec![Vec::new(); placed.blocks.len()];
    for p in all {
        cuts[p.block as usize].extend([p.offset, p.offset + p.size]);
    }
    for c in &mut cuts {
        c.sort_unstable();
        c.dedup();
    }
    let mut trees: Vec<OrTree> = cuts.iter().map(|c| OrTree::new(c.len())).collect();
    let intervals = |p: &TransientPlacement| {
        let c = &cuts[p.block as usize];
        let at = |x: u64| c.partition_point(|&cut| cut < x);
        at(p.offset)..at(p.offset + p.size)
    };
    let mut by_end: Vec<usize> = (0..all.len()).collect();
    by_end.sort_by_key(|&i| all[i].last_batch);
    let mut by_start: Vec<usize> = (0..all.len()).collect();
    by_start.sort_by_key(|&i| all[i].first_batch);
    let mut ended = by_end.iter().peekable();
    let mut out = vec![None; all.len()];
    for &b in &by_start {
        let first = all[b].first_batch;
        while let Some(&a) = ended.next_if(|&&a| all[a].last_batch < first) {
            let used = usage[all[a].resource as usize];
            let value = [used.stages.as_raw(), used.writes().as_raw()];
            trees[all[a].block as usize].put(intervals(&all[a]), value);
        }
        let [stages, access] = trees[all[b].block as usize].get(intervals(&all[b]));
        out[b] = (stages != 0).then(|| Usage {
            stages: vk::PipelineStageFlags2::from_raw(stages),
            access: vk::AccessFlags2::from_raw(access),
        });
    }
    out
}

/// Adds the hand-over barriers of `placed` to `plan` (whose barriers are as compiled).
pub(crate) fn add_hand_overs(
    plan: &mut Plan,
    placed: &Placed,
    usage: &[Usage],
    descs: &[&ResourceDesc],
) {
    let preds = predecessors(placed, usage);
    let mut image_src: Vec<Option<Usage>> = vec![None; usage.len()];
    let mut extra: Vec<(u32, MemoryBarrier)> = Vec::new();
    for (b, src) in placed.transients.iter().zip(preds) {
        let Some(src) = src else { continue };
        let own = usage[b.resource as usize];
        match descs[b.resource as usize] {
            ResourceDesc::Image(_) => image_src[b.resource as usize] = Some(src),
            ResourceDesc::Buffer(_) => extra.push((
                b.first_batch,
                MemoryBarrier {
                    src_stages: src.stages,
                    src_access: src.access,
                    dst_stages: own.stages,
                    dst_access: own.access,
                    cause: b.resource,
                },
            )),
        }
    }
    for barrier in &mut plan.image_barriers {
        let from_nothing = barrier.old_layout == vk::ImageLayout::UNDEFINED;
        if let (true, Some(Some(src))) = (from_nothing, image_src.get(barrier.image as usize)) {
            barrier.src_stages |= src.stages;
            barrier.src_access |= src.access;
        }
    }
    if extra.is_empty() {
        return;
    }
    extra.sort_by_key(|(batch, _)| *batch);
    let mut memory = Vec::with_capacity(plan.memory_barriers.len() + extra.len());
    let mut next = extra.iter().peekable();
    for (index, boundary) in plan.boundaries.iter_mut().enumerate() {
        let start = memory.len() as u32;
        let compiled = boundary.memory.start as usize..boundary.memory.end as usize;
        memory.extend_from_slice(&plan.memory_barriers[compiled]);
        while let Some((_, barrier)) = next.next_if(|(batch, _)| *batch as usize == index) {
            memory.push(*barrier);
        }
        boundary.memory = start..memory.len() as u32;
    }
    plan.memory_barriers = memory;
}
