//! What each attachment needs of the contents before and after it: whether the task reads
//! what was there before (else a render pass may clear or not load), and whether anyone
//! reads what it leaves (else a render pass need not store). Render passes take their load
//! and store operations from this; it depends only on the recording.
//!
//! One backward pass over the tasks keeps, per resource, which subresource ranges will be
//! read before being overwritten. External resources and presented images outlive the
//! graph, so their contents are always kept at the end; transient ones are not.

use crate::compile::range_map::{RangeMap, Segment};
use crate::graph::TaskGraph;
use crate::resource::Lifetime;
use crate::AccessKind;

/// The load/store needs of one attachment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttachmentOps {
    /// The task reads the contents that were there before it (load them). When false, the
    /// previous contents may be cleared or discarded.
    pub load: bool,
    /// Some later task (or the world outside the graph, for external and presented
    /// resources) reads what this task leaves (store it). When false, it may be discarded.
    pub store: bool,
}

impl<C> TaskGraph<C> {
    /// The load/store needs of every attachment, in the order of `task_attachments` for
    /// each task in record order (index with the attachment's position in the graph).
    pub fn attachment_ops(&self) -> Vec<AttachmentOps> {
        let mut ops = vec![
            AttachmentOps {
                load: false,
                store: false,
            };
            self.attachments.len()
        ];
        // Per resource: ranges whose current contents a later task reads. Gaps mean "what
        // happens at the end": kept for external and presented resources.
        let mut read_later: Vec<RangeMap<bool>> = vec![RangeMap::default(); self.resources.len()];
        let mut scratch: Vec<Segment<bool>> = Vec::new();
        let outlives = |resource: u32| {
            self.resources
                .get(resource as usize)
                .is_some_and(|r| r.lifetime == Lifetime::External)
                || self.presents.iter().any(|p| p.resource == resource)
        };
        for task in self.tasks.iter().rev() {
            let range = task.attachments.clone();
            // First what this task's results are needed for (before its own accesses
            // change the map), then its own needs.
            for index in range.clone() {
                let att = &self.attachments[index];
                let map = &read_later[att.resource as usize];
                let end_default = outlives(att.resource);
                let mut needed = false;
                att.resolved.for_each_interval(|start, end| {
                    needed |= any_read_later(map, start, end, end_default);
                });
                ops[index] = AttachmentOps {
                    load: att.access.kind.reads(),
                    store: att.access.kind.writes() && needed,
                };
            }
            for index in range {
                let att = &self.attachments[index];
                let map = &mut read_later[att.resource as usize];
                let end_default = outlives(att.resource);
                let kind = att.access.kind;
                att.resolved.for_each_interval(|start, end| {
                    map.update(start, end, &mut scratch, |_, _, old| {
                        let later = old.copied().unwrap_or(end_default);
                        match kind {
                            // Overwritten without being read: earlier contents are dead.
                            AccessKind::Write => false,
                            // Concurrent writes may leave parts untouched.
                            AccessKind::ConcurrentWrite => later,
                            AccessKind::Read
                            | AccessKind::Sampled
                            | AccessKind::ReadWrite
                            | AccessKind::ConcurrentReadWrite => true,
                        }
                    });
                });
            }
        }
        ops
    }
}

/// True when some part of `[start, end)` will be read later (`gap` for untouched parts).
fn any_read_later(map: &RangeMap<bool>, start: u64, end: u64, gap: bool) -> bool {
    let mut covered = start;
    for seg in map.segments() {
        if seg.end <= start {
            continue;
        }
        if seg.start >= end {
            break;
        }
        if seg.start > covered && gap {
            return true;
        }
        if seg.state {
            return true;
        }
        covered = seg.end;
    }
    covered < end && gap
}
