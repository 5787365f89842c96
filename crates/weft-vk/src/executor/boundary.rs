//! The barriers of one batch boundary, in the order one `vkCmdPipelineBarrier2` call takes
//! them: the plan's, the bridges due there, the host-read barrier after the last batch, and
//! at the start every fresh transient image's first transition. [`super::frame_barriers`]
//! assembles each boundary of an execution with it.

use ash::vk;
use weft_graph::{ImageBarrier, Lifetime, Plan, ResourceInfo};

use super::bridge::Bridges;
use super::to_vk::{image_barrier, memory_barrier};

/// Barriers of the current boundary (scratch reused every execution).
#[derive(Default)]
pub(crate) struct Boundary {
    pub memory: Vec<vk::MemoryBarrier2<'static>>,
    pub images: Vec<vk::ImageMemoryBarrier2<'static>>,
    next_bridge: usize,
    next_image_bridge: usize,
}

/// What the barriers of a boundary are made from.
pub(crate) struct BoundaryInputs<'a> {
    pub plan: &'a Plan,
    pub resources: &'a [ResourceInfo],
    /// Real image handles by resource index.
    pub images: &'a [vk::Image],
    /// Changes whenever `images` may have (see [`super::resolve::Resolved::resolutions`]).
    pub images_resolved: u64,
    pub bridges: &'a Bridges,
    /// A bound buffer is host-visible: the device's writes must be made visible to the host.
    pub host_reads: bool,
}

impl Boundary {
    /// Starts an execution: bridges are taken from the first batch on.
    pub fn start(&mut self) {
        self.next_bridge = 0;
        self.next_image_bridge = 0;
    }

    /// Assembles the barriers before `batch` (`batch_count` is the boundary after the last).
    pub fn assemble(&mut self, input: &BoundaryInputs<'_>, batch: usize) {
        let plan = input.plan;
        let batches = plan.batch_count();
        self.memory.clear();
        self.memory.extend(
            plan.barriers_before(batch)
                .memory
                .iter()
                .map(memory_barrier),
        );
        let bridges = take_batch(&input.bridges.memory, &mut self.next_bridge, batch);
        for (_, bridge) in bridges {
            merge_by_destination(&mut self.memory, bridge);
        }
        if batch == batches && input.host_reads {
            // Make the device's writes visible to the host reading mapped buffers.
            self.memory.push(
                vk::MemoryBarrier2::default()
                    .src_stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
                    .src_access_mask(vk::AccessFlags2::MEMORY_WRITE)
                    .dst_stage_mask(vk::PipelineStageFlags2::HOST)
                    .dst_access_mask(vk::AccessFlags2::HOST_READ),
            );
        }
        self.plan_image_barriers(input, batch);
        let bridges = take_batch(&input.bridges.image, &mut self.next_image_bridge, batch);
        self.images.extend(bridges.iter().map(|(_, m)| *m));
    }

    /// The plan's image barriers before `batch`. A transient image starts from UNDEFINED.
    /// When it takes over memory from earlier transients of the plan, its transition waits
    /// for them where the plan put it. Otherwise its memory was last used by an earlier
    /// submission of this frame slot, which the submission waits for (all stages); a
    /// transition with no source stage would not be ordered after that wait, so every such
    /// transition moves to the start of the frame with all stages as its source: it chains
    /// to the wait and delays nothing in the frame.
    fn plan_image_barriers(&mut self, input: &BoundaryInputs<'_>, batch: usize) {
        let (plan, handles, resources) = (input.plan, input.images, input.resources);
        let fresh = |b: &&ImageBarrier| {
            b.old_layout == vk::ImageLayout::UNDEFINED
                && b.src_stages.is_empty()
                && resources
                    .get(b.image as usize)
                    .is_some_and(|r| r.lifetime == Lifetime::Transient)
        };
        self.images.clear();
        self.images.extend(
            plan.barriers_before(batch)
                .image
                .iter()
                .filter(|b| !fresh(b))
                .map(|b| image_barrier(b, handles)),
        );
        if batch == 0 {
            for boundary in 0..=plan.batch_count() {
                self.images.extend(
                    plan.barriers_before(boundary)
                        .image
                        .iter()
                        .filter(fresh)
                        .map(|b| {
                            image_barrier(b, handles)
                                .src_stage_mask(vk::PipelineStageFlags2::ALL_COMMANDS)
                        }),
                );
            }
        }
    }
}

/// Adds `barrier` to `memory`, into a barrier with the same destination masks when there is
/// one: global barriers `A -> D` and `B -> D` order exactly what `A | B -> D` orders, and
/// make the same writes available and visible, so one call carries fewer barriers (each
/// costs the driver a copy when recording).
fn merge_by_destination(
    memory: &mut Vec<vk::MemoryBarrier2<'static>>,
    barrier: &vk::MemoryBarrier2<'static>,
) {
    let same = memory.iter_mut().find(|m| {
        m.dst_stage_mask == barrier.dst_stage_mask && m.dst_access_mask == barrier.dst_access_mask
    });
    match same {
        Some(m) => {
            m.src_stage_mask |= barrier.src_stage_mask;
            m.src_access_mask |= barrier.src_access_mask;
        }
        None => memory.push(*barrier),
    }
}

/// The entries of `list` (sorted by batch) for `batch`, starting at `cursor`, which moves
/// past them.
fn take_batch<'l, T>(list: &'l [(u32, T)], cursor: &mut usize, batch: usize) -> &'l [(u32, T)] {
    let start = *cursor;
    while list.get(*cursor).is_some_and(|(b, _)| *b as usize <= batch) {
        *cursor += 1;
    }
    &list[start..*cursor]
}
