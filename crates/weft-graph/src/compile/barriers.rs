//! Step 3 of compile: turn group transitions into the barriers of each batch boundary.
//!
//! Rules: a transition whose old group wrote makes those writes available to the new group
//! (memory barrier); one whose old group only read is execution-only; an image whose layout
//! changes gets an image barrier (the only kind that names subresources); buffers and
//! same-layout images use global barriers. At one boundary, identical barriers and barriers
//! another one covers in all four masks are dropped; unrelated ones stay separate.
//!
//! Transitions come in classes of resources, each sorted by batch ([`SortedTransitions`]):
//! at each boundary, each class's barriers are built on their own, then folded into the
//! earlier classes' ([`fold_memory_barriers`]). Which resources make a class, and which
//! thread builds which, is the walk's business ([`super::walk`]); folding the same way
//! wherever they were built keeps the plan the same however the walk ran. The trailing
//! boundary, after the last batch, holds the presents' transitions ([`build_trailing`]).

use ash::vk;

use super::groups::{Group, GroupTable};
use super::options::Order;
use super::seen::SeenTriples;
use super::transitions::{GlobalTransition, Transition};
use crate::access::WRITE_ACCESS_MASK;
use crate::plan::{Boundary, ExternalUse, ImageBarrier, MemoryBarrier};
use crate::resource::{ImageShape, ResourceSummary};
use crate::view::Subresources;
use crate::view::{image_ranges, ImageRange};

/// The barriers of a plan, or of some of its boundaries.
#[derive(Debug, Default)]
pub(crate) struct Barriers {
    pub boundaries: Vec<Boundary>,
    pub memory: Vec<MemoryBarrier>,
    pub image: Vec<ImageBarrier>,
    pub first_uses: Vec<ExternalUse>,
}

/// The barrier of the sequential debug mode: everything before waits for everything after.
const FULL: MemoryBarrier = MemoryBarrier {
    src_stages: vk::PipelineStageFlags2::ALL_COMMANDS,
    src_access: vk::AccessFlags2::MEMORY_WRITE,
    dst_stages: vk::PipelineStageFlags2::ALL_COMMANDS,
    dst_access: vk::AccessFlags2::from_raw(
        vk::AccessFlags2::MEMORY_READ.as_raw() | vk::AccessFlags2::MEMORY_WRITE.as_raw(),
    ),
    cause: u32::MAX,
};

impl Barriers {
    /// Empties every list, keeping the memory.
    fn clear(&mut self) {
        self.boundaries.clear();
        self.memory.clear();
        self.image.clear();
        self.first_uses.clear();
    }

    /// Adds the barriers of the boundaries after this one's.
    pub fn append(&mut self, later: &Barriers) {
        let (memory, image) = (self.memory.len() as u32, self.image.len() as u32);
        self.boundaries
            .extend(later.boundaries.iter().map(|b| Boundary {
                memory: b.memory.start + memory..b.memory.end + memory,
                image: b.image.start + image..b.image.end + image,
            }));
        self.memory.extend_from_slice(&later.memory);
        self.image.extend_from_slice(&later.image);
        self.first_uses.extend_from_slice(&later.first_uses);
    }
}

/// The transitions of one class of resources, each list sorted by batch.
#[derive(Clone, Copy)]
pub(crate) struct SortedTransitions<'a> {
    pub ranged: &'a [Transition],
    pub globals: &'a [GlobalTransition],
}

/// What building the barriers of some boundaries reads.
#[derive(Clone, Copy)]
pub(crate) struct Boundaries<'a> {
    /// The transitions of each class of resources whose barriers are built, in the order
    /// they are folded.
    pub classes: &'a [SortedTransitions<'a>],
    pub groups: &'a GroupTable,
    pub resources: &'a [ResourceSummary],
    pub batch_count: u32,
    pub order: Order,
}

/// Builds the trailing boundary, after the last batch (`batch_count`), into `out`: the
/// barriers of the presents' transitions (`presents`, all at batch `batch_count`).
pub(crate) fn build_trailing(
    presents: &[Transition],
    groups: &GroupTable,
    resources: &[ResourceSummary],
    batch_count: u32,
    order: Order,
    stamps: &mut Vec<ImageStamp>,
    out: &mut Barriers,
) {
    Boundaries {
        classes: &[SortedTransitions {
            ranged: presents,
            globals: &[],
        }],
        groups,
        resources,
        batch_count,
        order,
    }
    .build(batch_count..batch_count + 1, stamps, out);
}

/// Where building one class's barriers is.
struct Cursor {
    /// The next transition and global transition.
    at: usize,
    at_global: usize,
    /// The global barriers already built (a lossy set).
    seen: SeenTriples<64>,
}

impl Boundaries<'_> {
    /// The barriers of boundaries `range` (the one before batch `b` is boundary `b`), into
    /// `out`. At each boundary, each class's barriers are built on their own, then its
    /// memory barriers are folded into the earlier classes' ([`fold_memory_barriers`]).
    pub fn build(
        &self,
        range: std::ops::Range<u32>,
        stamps: &mut Vec<ImageStamp>,
        out: &mut Barriers,
    ) {
        stamps.clear();
        stamps.resize(self.resources.len(), ImageStamp::default());
        out.clear();
        let mut cursors: Vec<Cursor> = self
            .classes
            .iter()
            .map(|lists| Cursor {
                at: lists.ranged.partition_point(|t| t.batch < range.start),
                at_global: lists.globals.partition_point(|g| g.batch < range.start),
                seen: SeenTriples::new(),
            })
            .collect();
        // One more for the trailing boundary.
        out.boundaries.reserve(range.len() + 1);
        // Most transitions that name ranges become one image barrier (growing a vector this
        // size would copy all of it).
        out.image.reserve(
            self.classes
                .iter()
                .zip(&cursors)
                .map(|(lists, c)| lists.ranged[c.at..].partition_point(|t| t.batch < range.end))
                .sum(),
        );
        let mut later = Vec::new();
        for batch in range {
            let memory_start = out.memory.len();
            let image_start = out.image.len();
            for (index, (lists, cursor)) in self.classes.iter().zip(&mut cursors).enumerate() {
                // Most boundaries of long chains have nothing of one class.
                if !self.due(batch, lists, cursor) {
                    continue;
                }
                let region = out.memory.len();
                let image_region = out.image.len();
                self.build_class(batch, lists, cursor, region, out);
                merge_image_barriers(&mut out.image, image_region, stamps, batch);
                if index > 0 && out.memory.len() > region {
                    later.clear();
                    later.extend(out.memory.drain(region..));
                    fold_memory_barriers(&mut out.memory, memory_start, &later);
                }
            }
            out.boundaries.push(Boundary {
                memory: memory_start as u32..out.memory.len() as u32,
                image: image_start as u32..out.image.len() as u32,
            });
        }
    }

    /// True when one class has barriers at boundary `batch`: transitions, or the
    /// sequential mode's full barrier.
    #[inline]
    fn due(&self, batch: u32, lists: &SortedTransitions, cursor: &Cursor) -> bool {
        self.full_barrier_at(batch)
            || lists
                .globals
                .get(cursor.at_global)
                .is_some_and(|g| g.batch == batch)
            || lists
                .ranged
                .get(cursor.at)
                .is_some_and(|t| t.batch == batch)
    }

    /// True when the sequential mode puts a full barrier at boundary `batch` (between two
    /// batches).
    #[inline]
    fn full_barrier_at(&self, batch: u32) -> bool {
        self.order == Order::Sequential && batch > 0 && batch < self.batch_count
    }

    /// The barriers of one class's transitions at boundary `batch`: memory barriers from
    /// `out.memory[region..]` on, image barriers and first uses at the end of theirs.
    #[inline]
    fn build_class(
        &self,
        batch: u32,
        lists: &SortedTransitions,
        cursor: &mut Cursor,
        region: usize,
        out: &mut Barriers,
    ) {
        if self.full_barrier_at(batch) {
            out.memory.push(FULL);
        }
        while let Some(g) = lists.globals.get(cursor.at_global) {
            if g.batch != batch {
                break;
            }
            cursor.at_global += 1;
            self.add_global(g, batch, &mut cursor.seen, region, out);
        }
        while let Some(tr) = lists.ranged.get(cursor.at) {
            if tr.batch != batch {
                break;
            }
            cursor.at += 1;
            self.add_ranged(tr, batch, &mut cursor.seen, region, out);
        }
    }

    /// The memory barrier of a global transition at boundary `batch`, unless one of the
    /// same groups was built there (or the sequential mode's full barrier covers it).
    #[inline]
    fn add_global(
        &self,
        g: &GlobalTransition,
        batch: u32,
        seen: &mut SeenTriples<64>,
        region: usize,
        out: &mut Barriers,
    ) {
        if self.order == Order::Reordered && seen.first(g.src, g.dst, batch) {
            let barrier = global(self.groups.get(g.src), self.groups.get(g.dst), g.resource);
            add_memory_barrier(&mut out.memory, region, barrier);
        }
    }

    /// What a transition that names a range needs at boundary `batch`: the first use of an
    /// external resource (bridged by the runtime), a global memory barrier when an image
    /// keeps its layout, or image barriers.
    #[inline]
    fn add_ranged(
        &self,
        tr: &Transition,
        batch: u32,
        seen: &mut SeenTriples<64>,
        region: usize,
        out: &mut Barriers,
    ) {
        let sequential = self.order == Order::Sequential;
        let info = &self.resources[tr.resource as usize];
        let src = tr.src_group(self.groups);
        let dst = self.groups.get(tr.dst);
        let Some(shape) = info.image else {
            // A buffer's only ranged transition is its first use (buffers keep no
            // layout, so every later one is global); only external ones bridge.
            debug_assert!(src.is_none(), "a ranged transition of a used buffer");
            if info.external {
                out.first_uses.push(external_use(tr, dst, buffer_range(tr)));
            }
            return;
        };
        let (src, old_layout) = match src {
            None if info.external => {
                ranges_of(tr, &shape, |r| {
                    out.first_uses
                        .push(external_use(tr, dst, Subresources::Image(r)));
                });
                return;
            }
            None => (None, vk::ImageLayout::UNDEFINED),
            Some(src) if src.layout == dst.layout => {
                // The sequential mode's full barrier covers every global one.
                if !sequential && seen.first(tr.src, tr.dst, batch) {
                    add_memory_barrier(&mut out.memory, region, global(src, dst, tr.resource));
                }
                return;
            }
            Some(src) => (Some(src), src.layout),
        };
        let (src_stages, src_access, dst_stages, dst_access) = if sequential {
            (
                FULL.src_stages,
                FULL.src_access,
                FULL.dst_stages,
                FULL.dst_access,
            )
        } else {
            (
                src.map_or(vk::PipelineStageFlags2::NONE, |s| s.stages),
                src.map_or(vk::AccessFlags2::NONE, |s| s.access & WRITE_ACCESS_MASK),
                dst.stages,
                dst.access,
            )
        };
        ranges_of(tr, &shape, |range| {
            out.image.push(ImageBarrier {
                image: tr.resource,
                range,
                old_layout,
                new_layout: dst.layout,
                src_stages,
                src_access,
                dst_stages,
                dst_access,
            });
        });
    }
}

/// The image ranges a transition's range of image `shape` covers.
fn ranges_of(tr: &Transition, shape: &ImageShape, f: impl FnMut(ImageRange)) {
    image_ranges(tr.start, tr.end, shape.aspects, shape.mips, shape.layers, f);
}

fn buffer_range(tr: &Transition) -> Subresources {
    Subresources::Buffer {
        offset: tr.start,
        size: tr.end - tr.start,
    }
}

fn external_use(tr: &Transition, group: &Group, subresources: Subresources) -> ExternalUse {
    ExternalUse {
        resource: tr.resource,
        subresources,
        stages: group.stages,
        access: group.access,
        layout: group.layout,
        batch: tr.batch,
        wrote_in_graph: false,
    }
}

/// The global barrier for a transition without a layout change. After writes it makes them
/// available and visible to the new group. After reads it makes nothing available, but
/// still makes the last write (made available earlier, perhaps by another execution's
/// bridge) visible to the new group's accesses, writes included: that write may have been
/// made visible only to the stages of the read group in between, and a later write needs
/// it visible too (write-after-write).
fn global(src: &Group, dst: &Group, resource: u32) -> MemoryBarrier {
    let (src_access, dst_access) = if src.writes() {
        (src.access & WRITE_ACCESS_MASK, dst.access)
    } else {
        (vk::AccessFlags2::NONE, dst.access)
    };
    MemoryBarrier {
        src_stages: src.stages,
        src_access,
        dst_stages: dst.stages,
        dst_access,
        cause: resource,
    }
}

fn covers(a: &MemoryBarrier, b: &MemoryBarrier) -> bool {
    a.src_stages.contains(b.src_stages)
        && a.src_access.contains(b.src_access)
        && a.dst_stages.contains(b.dst_stages)
        && a.dst_access.contains(b.dst_access)
}

/// Adds `barrier` to the barriers of the current boundary (`all[from..]`) unless one of
/// them covers it; drops the ones it covers.
fn add_memory_barrier(all: &mut Vec<MemoryBarrier>, from: usize, barrier: MemoryBarrier) {
    if all[from..].iter().any(|b| covers(b, &barrier)) {
        return;
    }
    let mut i = from;
    while i < all.len() {
        if covers(&barrier, &all[i]) {
            all.swap_remove(i);
        } else {
            i += 1;
        }
    }
    all.push(barrier);
}

/// Adds the memory barriers a later class of resources has at a boundary to the earlier
/// classes' (`all[from..]`), each as [`add_memory_barrier`] does: how classes are joined,
/// whichever thread built them.
pub(crate) fn fold_memory_barriers(
    all: &mut Vec<MemoryBarrier>,
    from: usize,
    later: &[MemoryBarrier],
) {
    for &barrier in later {
        add_memory_barrier(all, from, barrier);
    }
}

/// Merges image barriers of one boundary that differ only in adjacent mips, then those that
/// differ only in aspect (depth + stencil).
fn merge_image_barriers(
    all: &mut Vec<ImageBarrier>,
    from: usize,
    stamps: &mut [ImageStamp],
    boundary: u32,
) {
    let Some(from) = with_shared_images_last(all, from, stamps, boundary) else {
        return;
    };
    let key = |b: &ImageBarrier| {
        (
            b.image,
            b.old_layout.as_raw(),
            b.new_layout.as_raw(),
            b.src_stages.as_raw(),
            b.src_access.as_raw(),
            b.dst_stages.as_raw(),
            b.dst_access.as_raw(),
        )
    };
    // One boundary has at most one barrier per subresource (a range's transitions lie in
    // strictly increasing batches), so ordering by image and subresource alone brings
    // mergeable barriers next to each other.
    all[from..].sort_unstable_by_key(|b| {
        (
            b.image,
            b.range.aspect.as_raw(),
            b.range.base_layer,
            b.range.layer_count,
            b.range.base_mip,
        )
    });
    merge_adjacent(
        all,
        from,
        |a, b| {
            key(a) == key(b)
                && a.range.aspect == b.range.aspect
                && a.range.base_layer == b.range.base_layer
                && a.range.layer_count == b.range.layer_count
                && a.range.base_mip + a.range.mip_count == b.range.base_mip
        },
        |a, b| a.range.mip_count += b.range.mip_count,
    );
    // Only depth/stencil images have more than one aspect to merge.
    if all[from..]
        .iter()
        .all(|b| b.range.aspect == vk::ImageAspectFlags::COLOR)
    {
        return;
    }
    all[from..].sort_unstable_by_key(|b| {
        (
            b.image,
            b.range.base_mip,
            b.range.mip_count,
            b.range.base_layer,
            b.range.layer_count,
            b.range.aspect.as_raw(),
        )
    });
    merge_adjacent(
        all,
        from,
        |a, b| {
            key(a) == key(b)
                && a.range.base_mip == b.range.base_mip
                && a.range.mip_count == b.range.mip_count
                && a.range.base_layer == b.range.base_layer
                && a.range.layer_count == b.range.layer_count
        },
        |a, b| a.range.aspect |= b.range.aspect,
    );
}

/// Per image, the last boundary (+ 1) that had a barrier of it, and the last that had more
/// than one.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ImageStamp {
    seen: u32,
    shared: u32,
}

/// Only barriers of one image may merge. Moves the barriers of images with more than one
/// in `all[from..]` to its end and returns where they start (`None` when there are none).
/// Barriers of one boundary form one call, in any order.
fn with_shared_images_last(
    all: &mut [ImageBarrier],
    from: usize,
    stamps: &mut [ImageStamp],
    boundary: u32,
) -> Option<usize> {
    let stamp = boundary + 1;
    let mut any = false;
    for b in &all[from..] {
        let s = &mut stamps[b.image as usize];
        if s.seen == stamp {
            s.shared = stamp;
            any = true;
        }
        s.seen = stamp;
    }
    if !any {
        return None;
    }
    let mut split = from;
    for i in from..all.len() {
        if stamps[all[i].image as usize].shared != stamp {
            all.swap(split, i);
            split += 1;
        }
    }
    Some(split)
}

/// Folds each element of `all[from..]` into the previous kept one while `mergeable` says so.
fn merge_adjacent(
    all: &mut Vec<ImageBarrier>,
    from: usize,
    mergeable: impl Fn(&ImageBarrier, &ImageBarrier) -> bool,
    merge: impl Fn(&mut ImageBarrier, &ImageBarrier),
) {
    let mut kept = from;
    for i in from + 1..all.len() {
        let next = all[i];
        if mergeable(&all[kept], &next) {
            merge(&mut all[kept], &next);
        } else {
            kept += 1;
            all[kept] = next;
        }
    }
    all.truncate(kept + 1);
}
