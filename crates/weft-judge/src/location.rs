//! One memory location (a byte range of a buffer or one image subresource) and the rules:
//! what a barrier does to the accesses made to it so far, and which earlier access a new
//! access conflicts with when no chain of dependencies orders the two.
//!
//! Each access keeps the stages that are ordered after it (its dependency chain); the last
//! write also keeps whether it was made available and to which stages and accesses it was
//! made visible. A layout transition is a write that happens between a barrier's two scopes.

use ash::vk::{self, AccessFlags2 as A, PipelineStageFlags2 as S};

use crate::stages::{accesses, concrete, destination_scope, each_stage, source_scope, ALL_WRITES};

/// Which command made an access: its place in the stream and its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    /// Position in the whole stream (every command and barrier call counts one).
    pub seq: u64,
    /// Index of the command's label in the judge's list.
    pub label: u32,
}

/// The last write of a location.
#[derive(Clone, Debug)]
pub(crate) struct Write {
    pub tag: Tag,
    /// Its stages (empty for a layout transition, which is ordered only through the
    /// barrier's destination scope).
    pub stages: S,
    pub access: A,
    /// Stages ordered after it.
    pub chain: S,
    pub available: bool,
    /// (stages, accesses) pairs it was made visible to.
    pub visible: Vec<(S, A)>,
    pub transition: bool,
}

/// A read since the last write, one per stage.
#[derive(Clone, Debug)]
pub(crate) struct Read {
    pub tag: Tag,
    pub stage: S,
    pub chain: S,
}

/// What the judge finds wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HazardKind {
    /// A read of data a write made that no dependency made visible to it.
    ReadAfterWrite,
    /// A write not ordered after (or not seeing) an earlier write.
    WriteAfterWrite,
    /// A write not ordered after an earlier read.
    WriteAfterRead,
    /// An access in a layout the subresource is not in, or a transition from another.
    Layout,
}

/// One conflicting pair found on one location: the later access and the earlier one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Conflict {
    pub kind: HazardKind,
    pub earlier: Tag,
    /// The earlier access was a layout transition.
    pub earlier_transition: bool,
}

/// One barrier as it applies to a location.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dependency {
    pub src: S,
    pub src_access: A,
    pub dst: S,
    pub dst_access: A,
    /// `(old, new)` when it changes the layout.
    pub transition: Option<(vk::ImageLayout, vk::ImageLayout)>,
    pub tag: Tag,
}

impl Dependency {
    /// A barrier's masks, expanded to the scopes they stand for.
    pub fn new(src: S, src_access: A, dst: S, dst_access: A, tag: Tag) -> Self {
        Self {
            src: source_scope(src),
            src_access: accesses(src_access),
            dst: destination_scope(dst),
            dst_access: accesses(dst_access),
            transition: None,
            tag,
        }
    }
}

/// What a barrier did for a location: the stages of the earlier accesses it ordered that
/// were not yet ordered before its destination, and whether it did anything at all.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Work {
    pub ordered_stages: S,
    pub useful: bool,
}

/// The state of one location.
#[derive(Clone, Debug)]
pub(crate) struct Location {
    pub layout: vk::ImageLayout,
    pub write: Option<Write>,
    pub reads: Vec<Read>,
}

impl Default for Location {
    fn default() -> Self {
        Self {
            layout: vk::ImageLayout::UNDEFINED,
            write: None,
            reads: Vec::new(),
        }
    }
}

impl Write {
    /// Whether a barrier with source scope `src` is ordered after this write.
    fn ordered_by(&self, src: S) -> bool {
        (!self.transition && !self.stages.is_empty() && src.contains(concrete(self.stages)))
            || self.chain.intersects(src)
    }

    /// Whether the write is in a barrier's first access scope.
    fn in_access_scope(&self, dep: &Dependency) -> bool {
        !self.transition
            && dep.src.contains(concrete(self.stages))
            && dep.src_access.contains(self.access)
    }

    fn visible_to(&self, stage: S, access: A) -> bool {
        let seen = self
            .visible
            .iter()
            .filter(|(stages, _)| stages.contains(stage))
            .fold(A::NONE, |all, (_, a)| all | *a);
        self.chain.contains(stage) && seen.contains(access)
    }
}

impl Read {
    fn ordered_by(&self, src: S) -> bool {
        src.contains(self.stage) || self.chain.intersects(src)
    }
}

impl Location {
    /// Applies the barriers of one barrier call that cover this location (all at once: they
    /// are not ordered among themselves). Conflicts of layout transitions go to `found`;
    /// what each barrier did goes to `work` (same order as `deps`).
    pub fn barrier(
        &mut self,
        deps: &[Dependency],
        found: &mut Vec<(Tag, Conflict)>,
        work: &mut [Work],
    ) {
        let untouched = self.write.is_none() && self.reads.is_empty();
        if untouched && deps.iter().all(|d| d.transition.is_none()) {
            // Nothing to order, make available or transition.
            return;
        }
        let before = self.clone();
        for (dep, did) in deps.iter().zip(work.iter_mut()) {
            if let (Some(w), Some(now)) = (&before.write, &mut self.write) {
                if w.ordered_by(dep.src) {
                    let avail = w.available || w.in_access_scope(dep);
                    let already = dep.dst.is_empty()
                        || each_stage(dep.dst).all(|s| w.visible_to(s, dep.dst_access));
                    if !already && (avail || dep.transition.is_some()) {
                        did.useful = true;
                        did.ordered_stages |= concrete(w.stages);
                    }
                    now.chain |= dep.dst;
                    if avail {
                        now.available = true;
                        now.visible.push((dep.dst, dep.dst_access));
                    }
                }
            }
            for (read, now) in before.reads.iter().zip(self.reads.iter_mut()) {
                if read.ordered_by(dep.src) {
                    if !dep.dst.is_empty() && !read.chain.contains(dep.dst) {
                        did.useful = true;
                        did.ordered_stages |= read.stage;
                    }
                    now.chain |= dep.dst;
                }
            }
        }
        for (dep, did) in deps.iter().zip(work.iter_mut()) {
            let Some((old, new)) = dep.transition else {
                continue;
            };
            did.useful = true;
            // The transition itself must be ordered after every earlier access: the source
            // stages that order each (its own, or those chained after it) were needed.
            if let Some(w) = before.write.as_ref().filter(|w| w.ordered_by(dep.src)) {
                did.ordered_stages |= (concrete(w.stages) | w.chain) & dep.src;
            }
            for read in before.reads.iter().filter(|r| r.ordered_by(dep.src)) {
                did.ordered_stages |= (read.stage | read.chain) & dep.src;
            }
            if old != vk::ImageLayout::UNDEFINED && old != before.layout {
                found.push(conflict(dep.tag, HazardKind::Layout, None));
            }
            if let Some(w) = &before.write {
                let available = w.available || w.in_access_scope(dep);
                let discards = old == vk::ImageLayout::UNDEFINED;
                if !w.ordered_by(dep.src) || !(available || discards) {
                    found.push(conflict(dep.tag, HazardKind::WriteAfterWrite, Some(w)));
                }
            }
            for read in before.reads.iter().filter(|r| !r.ordered_by(dep.src)) {
                found.push((
                    dep.tag,
                    Conflict {
                        kind: HazardKind::WriteAfterRead,
                        earlier: read.tag,
                        earlier_transition: false,
                    },
                ));
            }
            self.layout = new;
            self.reads.clear();
            self.write = Some(Write {
                tag: dep.tag,
                stages: S::NONE,
                access: A::NONE,
                chain: dep.dst,
                available: true,
                visible: vec![(dep.dst, dep.dst_access)],
                transition: true,
            });
        }
    }

    /// Everything submitted so far (up to `seq`) is ordered before `stages` and visible to
    /// them: a semaphore wait (its signal made every earlier write available) or a host wait.
    pub fn wait(&mut self, before_seq: u64, stages: S) {
        if let Some(w) = self.write.as_mut().filter(|w| w.tag.seq < before_seq) {
            w.chain |= stages;
            w.available = true;
            w.visible
                .push((stages, crate::stages::ALL_READS | ALL_WRITES));
        }
        for read in self.reads.iter_mut().filter(|r| r.tag.seq < before_seq) {
            read.chain |= stages;
        }
    }

    /// A command accesses this location; returns the conflicts with earlier accesses.
    pub fn access(
        &mut self,
        tag: Tag,
        stages: S,
        access: A,
        layout: Option<vk::ImageLayout>,
        found: &mut Vec<(Tag, Conflict)>,
    ) {
        let stages = concrete(stages);
        let access = accesses(access);
        let writes = access.intersects(ALL_WRITES);
        if let Some(layout) = layout {
            if layout != self.layout {
                found.push(conflict(tag, HazardKind::Layout, self.write.as_ref()));
            }
        }
        if let Some(w) = self.write.as_ref().filter(|w| w.tag.seq != tag.seq) {
            if !each_stage(stages).all(|s| w.visible_to(s, access)) {
                let kind = if writes {
                    HazardKind::WriteAfterWrite
                } else {
                    HazardKind::ReadAfterWrite
                };
                found.push(conflict(tag, kind, Some(w)));
            }
        }
        if writes {
            for read in self.reads.iter().filter(|r| r.tag.seq != tag.seq) {
                if !each_stage(stages).all(|s| read.chain.contains(s)) {
                    found.push((
                        tag,
                        Conflict {
                            kind: HazardKind::WriteAfterRead,
                            earlier: read.tag,
                            earlier_transition: false,
                        },
                    ));
                }
            }
            self.reads.clear();
            self.write = Some(Write {
                tag,
                stages,
                access: access & ALL_WRITES,
                chain: S::NONE,
                available: false,
                visible: Vec::new(),
                transition: false,
            });
        } else {
            for stage in each_stage(stages) {
                self.reads.retain(|r| r.stage != stage);
                self.reads.push(Read {
                    tag,
                    stage,
                    chain: S::NONE,
                });
            }
        }
    }
}

fn conflict(later: Tag, kind: HazardKind, earlier: Option<&Write>) -> (Tag, Conflict) {
    (
        later,
        Conflict {
            kind,
            earlier: earlier.map_or(later, |w| w.tag),
            earlier_transition: earlier.is_some_and(|w| w.transition),
        },
    )
}
