//! Memory aliasing: resources bound to overlapping bytes of one memory object. Each byte
//! range of a memory object remembers its current occupant (the resource that used it
//! last) and that occupant's uses, in the per-location model. When another resource uses
//! the range (an access, or an image's layout transition) it takes the range over, which
//! must be ordered after every use of the previous occupant: a hand-over is checked like
//! a write after those uses (their writes' availability is not checked: the new occupant
//! never reads them).
//!
//! The model is coarse on purpose: a resource occupies its whole bound range whatever part
//! of it an access touches, and a barrier on the occupant orders the whole range. That can
//! hide a hazard inside one resource (the per-resource locations check those), never
//! invent one between two.

use std::collections::HashMap;

use ash::vk::{self, AccessFlags2 as A, PipelineStageFlags2 as S};

use crate::location::{Conflict, Dependency, Location, Tag, Work};

/// A range of a memory object: its occupant (0: none yet) and the occupant's uses, kept
/// as reads (one per stage) so that a hand-over, a write, must be ordered after them.
#[derive(Clone, Default)]
struct Range {
    start: u64,
    end: u64,
    occupant: u64,
    uses: Location,
}

/// The memory objects resources are bound to (see the module doc).
#[derive(Default)]
pub(crate) struct Memories {
    /// Resource handle -> (memory, offset, size).
    bindings: HashMap<u64, (u64, u64, u64)>,
    /// Memory handle -> its ranges, sorted, split where bindings start and end.
    memories: HashMap<u64, Vec<Range>>,
}

impl Memories {
    /// Resource `resource` lives in bytes `offset..offset + size` of memory `memory`.
    pub fn bind(&mut self, resource: u64, memory: u64, offset: u64, size: u64) {
        self.bindings.insert(resource, (memory, offset, size));
        let ranges = self.memories.entry(memory).or_default();
        let end = offset + size;
        if ranges.is_empty() {
            ranges.push(Range {
                start: offset,
                end,
                ..Range::default()
            });
        }
        // Cover the new bytes, then split where the binding starts and ends.
        let (low, high) = (ranges[0].start, ranges[ranges.len() - 1].end);
        if offset < low {
            ranges.insert(
                0,
                Range {
                    start: offset,
                    end: low,
                    ..Range::default()
                },
            );
        }
        if end > high {
            ranges.push(Range {
                start: high,
                end,
                ..Range::default()
            });
        }
        for at in [offset, end] {
            if let Some(i) = ranges.iter().position(|r| r.start < at && at < r.end) {
                let mut right = ranges[i].clone();
                right.start = at;
                ranges[i].end = at;
                ranges.insert(i + 1, right);
            }
        }
    }

    /// The ranges `resource` is bound to.
    fn ranges_of(&mut self, resource: u64) -> impl Iterator<Item = &mut Range> {
        let binding = self.bindings.get(&resource).copied();
        binding
            .and_then(|(memory, offset, size)| {
                self.memories.get_mut(&memory).map(|ranges| {
                    ranges
                        .iter_mut()
                        .filter(move |r| r.start >= offset && r.end <= offset + size)
                })
            })
            .into_iter()
            .flatten()
    }

    /// `resource` is accessed in `stages`: a use by the occupant, or a hand-over.
    pub fn access(&mut self, resource: u64, tag: Tag, stages: S, found: &mut Vec<(Tag, Conflict)>) {
        for range in self.ranges_of(resource) {
            if range.occupant != resource {
                range.uses.access(tag, stages, A::MEMORY_WRITE, None, found);
                range.uses = Location::default();
                range.occupant = resource;
            }
            let mut own = Vec::new();
            range
                .uses
                .access(tag, stages, A::MEMORY_READ, None, &mut own);
        }
    }

    /// One barrier call: `global` applies to every range; the dependencies of the call's
    /// barriers on a resource apply to its ranges, with the layout transitions of
    /// images that are not the range's occupant (hand-overs); `own` lists the call's buffer
    /// and image barriers by resource. Conflicts go to `found`,
    /// by the resource taking over.
    pub fn barrier(
        &mut self,
        global: &[Dependency],
        own: &[(u64, Dependency)],
        found: &mut Vec<(u64, Vec<(Tag, Conflict)>)>,
    ) {
        let mut by_resource: HashMap<u64, Vec<Dependency>> = HashMap::new();
        for (resource, dep) in own {
            by_resource.entry(*resource).or_default().push(*dep);
        }
        let bindings = &self.bindings;
        for (&memory, ranges) in self.memories.iter_mut() {
            for range in ranges.iter_mut() {
                let mut deps: Vec<Dependency> = global.to_vec();
                let mut taker = None;
                for (resource, resource_deps) in &by_resource {
                    let Some(&(m, offset, size)) = bindings.get(resource) else {
                        continue;
                    };
                    let inside = m == memory && range.start >= offset && range.end <= offset + size;
                    if !inside {
                        continue;
                    }
                    for dep in resource_deps {
                        let mut dep = *dep;
                        if *resource == range.occupant || dep.transition.is_none() {
                            dep.transition = None;
                        } else {
                            taker = Some(*resource);
                            dep.transition =
                                Some((vk::ImageLayout::UNDEFINED, vk::ImageLayout::UNDEFINED));
                        }
                        deps.push(dep);
                    }
                }
                if deps.is_empty() {
                    continue;
                }
                let mut conflicts = Vec::new();
                let mut work = vec![Work::default(); deps.len()];
                range.uses.barrier(&deps, &mut conflicts, &mut work);
                if let Some(taker) = taker {
                    range.uses = Location::default();
                    range.occupant = taker;
                    if !conflicts.is_empty() {
                        found.push((taker, conflicts));
                    }
                }
            }
        }
    }

    /// A semaphore or host wait: everything before `seq` is ordered before `stages`.
    pub fn wait(&mut self, seq: u64, stages: S) {
        for ranges in self.memories.values_mut() {
            for range in ranges.iter_mut() {
                range.uses.wait(seq, stages);
            }
        }
    }
}
