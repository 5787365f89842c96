//! The synchronisation state a real resource (a whole buffer, or one image subresource) is
//! left in between executions, and the bridge from it to the next graph's first use.
//!
//! It remembers the last write, what that write has been made visible to, and which stages
//! read since: a read needs visibility of the last write (unless it already has it), a
//! write must wait for the reads since and the write itself, and a layout change is a
//! write.

use ash::vk;
use weft_graph::access::WRITE_ACCESS_MASK;
use weft_graph::ExternalUse;

/// The state of one buffer or image subresource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AccessState {
    /// Image layout (`UNDEFINED` for buffers and for images never used).
    pub layout: vk::ImageLayout,
    /// Stages and accesses of the last write (empty: none known).
    pub write_stages: vk::PipelineStageFlags2,
    pub write_access: vk::AccessFlags2,
    /// What the last write has been made visible to.
    pub visible_stages: vk::PipelineStageFlags2,
    pub visible_access: vk::AccessFlags2,
    /// Stages that read since the last write.
    pub read_stages: vk::PipelineStageFlags2,
}

impl Default for AccessState {
    fn default() -> Self {
        Self {
            layout: vk::ImageLayout::UNDEFINED,
            write_stages: vk::PipelineStageFlags2::NONE,
            write_access: vk::AccessFlags2::NONE,
            visible_stages: vk::PipelineStageFlags2::NONE,
            visible_access: vk::AccessFlags2::NONE,
            read_stages: vk::PipelineStageFlags2::NONE,
        }
    }
}

/// The states of a buffer's byte ranges: sorted segments covering the buffer, split where
/// the ranges of uses start and end, merged again where neighbours agree.
#[derive(Clone, Debug)]
pub(crate) struct BufferStates {
    segments: Vec<(u64, u64, AccessState)>,
}

impl BufferStates {
    /// A buffer of `size` bytes never used.
    pub fn new(size: u64) -> Self {
        Self {
            segments: vec![(0, size.max(1), AccessState::default())],
        }
    }

    /// The segments: `(start, end, state)`, sorted, covering the buffer.
    pub fn segments(&self) -> &[(u64, u64, AccessState)] {
        &self.segments
    }

    /// Splits the segment holding `at` there.
    fn split_at(&mut self, at: u64) {
        if let Some(i) = self
            .segments
            .iter()
            .position(|(s, e, _)| *s < at && at < *e)
        {
            let (start, end, state) = self.segments[i];
            self.segments[i] = (start, at, state);
            self.segments.insert(i + 1, (at, end, state));
        }
    }

    /// Calls `f` with the state of each segment of bytes `offset..offset + size` (split to
    /// fit), then merges neighbours left in the same state. A use of the whole of a buffer
    /// tracked as one segment (the common case) takes neither step.
    pub fn update(&mut self, offset: u64, size: u64, mut f: impl FnMut(&mut AccessState)) {
        let end = offset.saturating_add(size);
        if let [(0, whole_end, state)] = self.segments.as_mut_slice() {
            if offset == 0 && end >= *whole_end {
                f(state);
                return;
            }
        }
        self.split_at(offset);
        self.split_at(end);
        self.segments
            .iter_mut()
            .filter(|(s, e, _)| *s >= offset && *e <= end)
            .for_each(|(_, _, state)| f(state));
        self.segments.dedup_by(|next, prev| {
            let same = prev.2 == next.2 && prev.1 == next.0;
            if same {
                prev.1 = next.1;
            }
            same
        });
    }
}

/// The source half of a bridging barrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bridge {
    pub src_stages: vk::PipelineStageFlags2,
    pub src_access: vk::AccessFlags2,
    pub old_layout: vk::ImageLayout,
}

impl AccessState {
    /// The state of a subresource used before by something weft does not track (the
    /// presentation engine, for a swapchain image): a first use must wait for all stages,
    /// which chains it to the semaphore waits of its submission.
    pub fn unknown() -> Self {
        Self {
            read_stages: vk::PipelineStageFlags2::ALL_COMMANDS,
            ..Self::default()
        }
    }

    /// The barrier needed before `first` (a plan's first use), or `None`. `written_later`:
    /// the plan writes (or transitions) these subresources after `first`; when `first`
    /// only reads, the plan's own barrier before that write waits for `first`'s stages
    /// only, so reads of earlier executions in other stages must be chained to them here.
    pub fn bridge(&self, first: &ExternalUse, written_later: bool) -> Option<Bridge> {
        let wrote = !self.write_stages.is_empty() || !self.write_access.is_empty();
        let layout_change = self.layout != first.layout;
        let writes = first.access.intersects(WRITE_ACCESS_MASK) || layout_change;
        let unchained_reads = written_later && !first.stages.contains(self.read_stages);
        let needed = if writes {
            wrote || !self.read_stages.is_empty() || layout_change
        } else {
            unchained_reads
                || (wrote
                    && !(self.visible_stages.contains(first.stages)
                        && self.visible_access.contains(first.access)))
        };
        let src_stages = if writes || unchained_reads {
            self.write_stages | self.read_stages
        } else {
            self.write_stages
        };
        needed.then_some(Bridge {
            // Nothing to wait for (an image never used): no source stage. An image used by
            // something weft does not see (a swapchain image, see `AccessState::unknown`)
            // has all stages as its read stages, so its transition chains to the
            // submission's semaphore waits.
            src_stages,
            src_access: self.write_access,
            old_layout: self.layout,
        })
    }

    /// After a bridge to `first`: a read-only first use sees the last write too; a layout
    /// transition is a write of its own, ordered before and visible to `first`'s stages
    /// only (a later bridge must wait for it, not for the write before it).
    pub fn bridged(&mut self, first: &ExternalUse) {
        if self.layout != first.layout {
            *self = AccessState {
                layout: first.layout,
                write_stages: first.stages,
                write_access: vk::AccessFlags2::NONE,
                visible_stages: first.stages,
                visible_access: first.access,
                read_stages: vk::PipelineStageFlags2::NONE,
            };
        } else if !first.access.intersects(WRITE_ACCESS_MASK) {
            self.visible_stages |= first.stages;
            self.visible_access |= first.access;
        }
    }

    /// The state a plan leaves after `last` (its last use of these subresources).
    pub fn after(&mut self, last: &ExternalUse) {
        let last_writes = last.access.intersects(WRITE_ACCESS_MASK);
        if last_writes {
            self.write_stages = last.stages;
            self.write_access = last.access & WRITE_ACCESS_MASK;
            self.visible_stages = vk::PipelineStageFlags2::NONE;
            self.visible_access = vk::AccessFlags2::NONE;
            self.read_stages = vk::PipelineStageFlags2::NONE;
        } else if last.wrote_in_graph {
            // The graph wrote these subresources (or changed their layout) before its last,
            // reading group, and the plan's barrier before that group made the write
            // available and visible to the group's stages: later uses are ordered after the
            // write through those stages, and need nothing more made available.
            self.write_stages = last.stages;
            self.write_access = vk::AccessFlags2::NONE;
            self.visible_stages = last.stages;
            self.visible_access = last.access;
            self.read_stages = last.stages;
        } else {
            self.visible_stages |= last.stages;
            self.visible_access |= last.access;
            self.read_stages |= last.stages;
        }
        self.layout = last.layout;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_graph::Subresources;

    fn used(stages: vk::PipelineStageFlags2, access: vk::AccessFlags2, wrote: bool) -> ExternalUse {
        ExternalUse {
            resource: 0,
            subresources: Subresources::Buffer { offset: 0, size: 4 },
            stages,
            access,
            layout: vk::ImageLayout::UNDEFINED,
            batch: 0,
            wrote_in_graph: wrote,
        }
    }

    const COMPUTE: vk::PipelineStageFlags2 = vk::PipelineStageFlags2::COMPUTE_SHADER;
    const FRAGMENT: vk::PipelineStageFlags2 = vk::PipelineStageFlags2::FRAGMENT_SHADER;
    const READ: vk::AccessFlags2 = vk::AccessFlags2::SHADER_STORAGE_READ;
    const WRITE: vk::AccessFlags2 = vk::AccessFlags2::SHADER_STORAGE_WRITE;

    #[test]
    fn a_use_of_part_of_a_buffer_changes_that_part_only() {
        let mut states = BufferStates::new(1024);
        let write = used(COMPUTE, WRITE, false);
        // The whole buffer is one segment: a use of its second half must split it.
        states.update(512, 512, |s| s.after(&write));
        let mut seen = Vec::new();
        states.update(0, 1024, |s| seen.push(s.write_stages));
        assert_eq!(seen, vec![vk::PipelineStageFlags2::NONE, COMPUTE]);
        // The same use of the first half leaves one segment again.
        states.update(0, 512, |s| s.after(&write));
        let mut count = 0;
        states.update(0, 1024, |_| count += 1);
        assert_eq!(count, 1);
    }

    #[test]
    fn a_fresh_resource_needs_no_bridge() {
        let state = AccessState::default();
        assert_eq!(state.bridge(&used(COMPUTE, READ, false), false), None);
        assert_eq!(state.bridge(&used(COMPUTE, WRITE, false), false), None);
    }

    #[test]
    fn a_read_after_a_write_gets_visibility_once() {
        let mut state = AccessState::default();
        state.after(&used(COMPUTE, WRITE, true));
        let first = used(FRAGMENT, READ, false);
        let bridge = state.bridge(&first, false).unwrap();
        assert_eq!((bridge.src_stages, bridge.src_access), (COMPUTE, WRITE));
        state.bridged(&first);
        state.after(&first);
        // The next frame reads in the same stage: already visible.
        assert_eq!(state.bridge(&used(FRAGMENT, READ, false), false), None);
        // A read in another stage still needs visibility.
        assert!(state.bridge(&used(COMPUTE, READ, false), false).is_some());
    }

    #[test]
    fn a_write_after_a_write_then_reads_waits_for_both_through_the_reads() {
        let mut state = AccessState::default();
        // A graph wrote in compute, then read in the fragment stage last: the plan made the
        // write available and visible to the fragment reads, so a later use chains through
        // the fragment stage, with nothing more to make available.
        state.after(&used(FRAGMENT, READ, true));
        let bridge = state.bridge(&used(COMPUTE, WRITE, false), false).unwrap();
        assert_eq!(bridge.src_stages, FRAGMENT);
        assert_eq!(bridge.src_access, vk::AccessFlags2::NONE);
        // And a read in a new stage must see that earlier write; one in the fragment stage
        // sees it already.
        assert!(state.bridge(&used(COMPUTE, READ, false), false).is_some());
        assert!(state.bridge(&used(FRAGMENT, READ, false), false).is_none());
    }
}
