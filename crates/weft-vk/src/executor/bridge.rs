//! Bridging state across executions: the state each external resource was left in lives on
//! the real resource (a buffer per byte range; an image per subresource). Before a plan
//! runs, every first use gets a barrier from that state ([`Bridges::build`]); after it is
//! recorded, the state is what the plan's last uses leave ([`remember_last_uses`]). Image
//! subresources are walked in the planner's linear indexing ([`ImageUnits`]), and runs of
//! subresources in the same state share one barrier over their range.
//!
//! Both phases read the states through [`Tracked`], so that tests can run them over
//! resources without a device and judge what they produce.

use ash::vk;
use weft_graph::{
    ExternalUse, ImageBarrier, ImageDesc, ImageRange, ImageUnits, Plan, Subresources,
};

use crate::state::{AccessState, Bridge, BufferStates};

use super::reuse::Reuse;
use super::to_vk::on_image;
use super::tracked::Tracked;
use crate::graph::ResolveKey;

/// The bridging barriers of one execution, by batch (kept by the executor, so the steady
/// state does not allocate), and what it needs to reuse them (see [`Reuse`]).
#[derive(Default)]
pub(crate) struct Bridges {
    pub memory: Vec<(u32, vk::MemoryBarrier2<'static>)>,
    pub image: Vec<(u32, vk::ImageMemoryBarrier2<'static>)>,
    /// Changes whenever the bridges may have (see [`Bridges::generation`]).
    generation: u64,
    reuse: Reuse,
}

impl Bridges {
    /// Barriers from the state each bound resource was left in to `plan`'s first use of it
    /// (the last execution's, when [`Reuse`] finds them to be the same).
    /// `bindings` identifies the resources `tracked` holds, when known (see [`Reuse`]).
    pub fn build<T: Tracked + ?Sized>(
        &mut self,
        plan: &Plan,
        tracked: &T,
        bindings: Option<ResolveKey>,
    ) {
        if self.reuse.check(plan, tracked, bindings) {
            return;
        }
        self.generation += 1;
        self.memory.clear();
        self.image.clear();
        for first in plan.first_uses() {
            let written = plan.writes_resource(first.resource);
            match first.subresources {
                Subresources::Image(range) => {
                    if let Some((states, desc, raw)) = tracked.image_states(first.resource) {
                        let mut states = states.change();
                        bridge_image(
                            desc,
                            raw,
                            &mut states,
                            &range,
                            first,
                            written,
                            &mut self.image,
                        );
                    }
                }
                Subresources::Buffer { offset, size } => {
                    if let Some(states) = tracked.buffer_states(first.resource) {
                        let mut states = states.change();
                        if let Some(barrier) =
                            bridge_buffer(&mut states, offset, size, first, written)
                        {
                            let batch = bridge_batch(barrier.src_stage_mask, first);
                            self.memory.push((batch, barrier));
                        }
                    }
                }
            }
        }
        // By batch, so recording takes each boundary's bridges in one pass.
        self.memory.sort_unstable_by_key(|(batch, _)| *batch);
        self.image.sort_unstable_by_key(|(batch, _)| *batch);
    }

    /// A number that stays the same exactly as long as the bridges do: barriers assembled
    /// from them may be kept while it does.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// After recording `plan`: stores the states it leaves (see [`remember_last_uses`]),
    /// unless its bridges were reused (then they are the states found).
    pub fn remember<T: Tracked + ?Sized>(
        &mut self,
        plan: &Plan,
        tracked: &T,
        bindings: Option<ResolveKey>,
    ) {
        if self.reuse.reused() {
            return;
        }
        remember_last_uses(plan, tracked);
        self.reuse.settle(plan, tracked, bindings);
    }

    /// Forgets the last execution, so the next bridges are built from the states (for
    /// tests that change the bridges after building them).
    #[cfg(test)]
    pub fn forget(&mut self) {
        self.generation += 1;
        self.reuse.forget();
    }

    /// True when the last [`Bridges::build`] knew the stamps unchanged without reading
    /// them (see [`Reuse`]).
    #[cfg(test)]
    pub fn stamps_unread(&self) -> bool {
        self.reuse.unread
    }

    /// True when the last [`Bridges::build`] reused the bridges before it.
    #[cfg(test)]
    pub fn reused(&self) -> bool {
        self.reuse.reused()
    }
}

/// The batch a bridge goes before: a bridge from nothing known (all stages as its source)
/// goes to the start of the frame, where it waits for the submission's semaphores and
/// delays no work.
fn bridge_batch(src_stages: vk::PipelineStageFlags2, first: &ExternalUse) -> u32 {
    if src_stages == vk::PipelineStageFlags2::ALL_COMMANDS {
        0
    } else {
        first.batch
    }
}

/// The memory barrier from the states of bytes `offset..offset + size` to their first use,
/// if any segment needs one: every segment's bridge has `first` as its destination, so one
/// global barrier with the union of their sources stands for all of them (also used by
/// one-time transfers).
pub(crate) fn bridge_buffer(
    states: &mut BufferStates,
    offset: u64,
    size: u64,
    first: &ExternalUse,
    written_later: bool,
) -> Option<vk::MemoryBarrier2<'static>> {
    let mut sources: Option<(vk::PipelineStageFlags2, vk::AccessFlags2)> = None;
    states.update(offset, size, |state| {
        if let Some(bridge) = state.bridge(first, written_later) {
            state.bridged(first);
            let (stages, access) = sources.get_or_insert_default();
            *stages |= bridge.src_stages;
            *access |= bridge.src_access;
        }
    });
    sources.map(|(stages, access)| {
        vk::MemoryBarrier2::default()
            .src_stage_mask(stages)
            .src_access_mask(access)
            .dst_stage_mask(first.stages)
            .dst_access_mask(first.access)
    })
}

/// Image barriers from the states of `range`'s subresources to their first use here: one
/// per run of consecutive subresources that need the same bridge.
fn bridge_image(
    desc: &ImageDesc,
    raw: vk::Image,
    states: &mut [AccessState],
    range: &ImageRange,
    first: &ExternalUse,
    written_later: bool,
    out: &mut Vec<(u32, vk::ImageMemoryBarrier2<'static>)>,
) {
    let units = ImageUnits::of(desc);
    let mut emit = |run: std::ops::Range<usize>, bridge: Bridge| {
        let batch = bridge_batch(bridge.src_stages, first);
        units.ranges(run, |range| {
            let barrier = ImageBarrier {
                image: first.resource,
                range,
                src_stages: bridge.src_stages,
                src_access: bridge.src_access,
                dst_stages: first.stages,
                dst_access: first.access,
                old_layout: bridge.old_layout,
                new_layout: first.layout,
            };
            out.push((batch, on_image(&barrier, raw)));
        });
    };
    bridge_runs(&units, states, range, first, written_later, &mut emit);
}

/// Calls `emit` with each run of consecutive subresources of `range` (in the planner's
/// linear indexing) whose states need the same bridge to `first`, and marks them bridged.
fn bridge_runs(
    units: &ImageUnits,
    states: &mut [AccessState],
    range: &ImageRange,
    first: &ExternalUse,
    written_later: bool,
    emit: &mut impl FnMut(std::ops::Range<usize>, Bridge),
) {
    units.intervals(range, |interval| {
        let mut run: Option<(usize, Bridge)> = None;
        for unit in interval.clone() {
            let Some(state) = states.get_mut(unit) else {
                continue;
            };
            let bridge = state.bridge(first, written_later);
            if bridge.is_some() {
                state.bridged(first);
            }
            match (run, bridge) {
                (Some((_, open)), Some(b)) if open == b => {}
                (Some((start, open)), next) => {
                    emit(start..unit, open);
                    run = next.map(|b| (unit, b));
                }
                (None, next) => run = next.map(|b| (unit, b)),
            }
        }
        if let Some((start, open)) = run {
            emit(start..interval.end, open);
        }
    });
}

/// Stores on each bound resource the state the plan leaves it in, per byte range of a
/// buffer and per subresource of an image.
fn remember_last_uses<T: Tracked + ?Sized>(plan: &Plan, tracked: &T) {
    for last in plan.last_uses() {
        match last.subresources {
            Subresources::Image(range) => {
                if let Some((states, desc, _)) = tracked.image_states(last.resource) {
                    let mut states = states.change();
                    ImageUnits::of(desc).intervals(&range, |interval| {
                        for state in states.get_mut(interval).into_iter().flatten() {
                            state.after(last);
                        }
                    });
                }
            }
            Subresources::Buffer { offset, size } => {
                if let Some(states) = tracked.buffer_states(last.resource) {
                    states
                        .change()
                        .update(offset, size, |state| state.after(last));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_graph::ImageDesc;

    fn use_of(range: ImageRange, layout: vk::ImageLayout, write: bool) -> ExternalUse {
        ExternalUse {
            resource: 0,
            subresources: Subresources::Image(range),
            stages: vk::PipelineStageFlags2::COMPUTE_SHADER,
            access: if write {
                vk::AccessFlags2::SHADER_STORAGE_WRITE
            } else {
                vk::AccessFlags2::SHADER_SAMPLED_READ
            },
            layout,
            batch: 2,
            wrote_in_graph: write,
        }
    }

    /// The runs of units bridged before `first`.
    fn runs(
        units: &ImageUnits,
        states: &mut [AccessState],
        first: &ExternalUse,
    ) -> Vec<std::ops::Range<usize>> {
        let Subresources::Image(range) = first.subresources else {
            unreachable!("an image use")
        };
        let mut out = Vec::new();
        bridge_runs(units, states, &range, first, false, &mut |run, _| {
            out.push(run)
        });
        out
    }

    #[test]
    fn subresources_in_one_state_get_one_bridge_over_their_range() {
        let desc = ImageDesc::new_2d(
            vk::Format::R8G8B8A8_UNORM,
            64,
            64,
            vk::ImageUsageFlags::STORAGE,
        )
        .with_mips(4)
        .with_layers(6);
        let units = ImageUnits::of(&desc);
        let whole = ImageRange {
            aspect: vk::ImageAspectFlags::COLOR,
            base_mip: 0,
            mip_count: 4,
            base_layer: 0,
            layer_count: 6,
        };
        let mut states = vec![AccessState::default(); units.count()];
        let written = use_of(whole, vk::ImageLayout::GENERAL, true);
        for state in &mut states {
            state.after(&written);
        }
        // All 24 subresources were left by one write: one bridge to the sampled read.
        let read = use_of(whole, vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL, false);
        assert_eq!(runs(&units, &mut states.clone(), &read), vec![0..24]);
        // Mip 1 (units 6..12) was since read in the read's layout and stages: it needs no
        // bridge, which splits the run in two.
        let mip1 = ImageRange {
            base_mip: 1,
            mip_count: 1,
            ..whole
        };
        for state in &mut states[6..12] {
            state.after(&use_of(
                mip1,
                vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL,
                false,
            ));
        }
        assert_eq!(runs(&units, &mut states, &read), vec![0..6, 12..24]);
        // Once the plan that read them is remembered, the next read needs nothing.
        for state in &mut states {
            state.after(&read);
        }
        assert_eq!(
            runs(&units, &mut states, &read),
            Vec::<std::ops::Range<usize>>::new()
        );
    }
}
