//! What each attachment needs of the contents before and after it: whether the task reads
//! what was there before (else a render pass may clear or not load), and whether anyone
//! reads what it leaves (else a render pass need not store). Render passes take their load
//! and store operations from this; it depends only on the recording.
//!
//! One backward pass over the tasks keeps, per resource, which subresource ranges will be
//! read before being overwritten. External resources and presented images outlive the
//! graph, so their contents are always kept at the end; transient ones are not. With
//! conditions, the tasks that do not run are left out of the pass.

use crate::access::AccessKind;
use crate::compile::range_map::RangeMap;
use crate::condition::ConditionValues;
use crate::graph::TaskGraph;
use crate::resource::Lifetime;

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
        self.attachment_ops_for(None)
    }

    /// [`TaskGraph::attachment_ops`] of the tasks that run with the condition values
    /// `values` (all tasks for `None`): a task left out neither reads nor overwrites
    /// anything, so an attachment it would have overwritten may have to be stored. The
    /// entries of the tasks left out are all `false`.
    pub fn attachment_ops_for(&self, values: Option<&ConditionValues>) -> Vec<AttachmentOps> {
        let mut ops = vec![
            AttachmentOps {
                load: false,
                store: false,
            };
            self.attachments.len()
        ];
        let outlives = |resource: u32| {
            self.resources
                .get(resource as usize)
                .is_some_and(|r| r.lifetime == Lifetime::External)
                || self.presents.iter().any(|p| p.resource == resource)
        };
        // Per resource: ranges whose current contents a later task reads. At first that is
        // what happens at the end: kept for external and presented resources.
        let mut read_later: Vec<RangeMap<bool>> = self
            .summaries
            .iter()
            .enumerate()
            .map(|(r, summary)| RangeMap::filled(0, summary.units, outlives(r as u32)))
            .collect();
        for (t, task) in self.tasks.iter().enumerate().rev() {
            if values.is_some_and(|v| !self.task_runs(t as u32, v)) {
                continue;
            }
            let range = task.attachments.clone();
            // First what this task's results are needed for (before its own accesses
            // change the map), then its own needs.
            for index in range.clone() {
                let att = &self.attachments[index];
                let map = &read_later[att.resource as usize];
                let mut needed = false;
                att.resolved.for_each_interval(|start, end| {
                    needed |= any_read_later(map, start, end);
                });
                ops[index] = AttachmentOps {
                    load: att.access.kind.reads(),
                    store: att.access.kind.writes() && needed,
                };
            }
            for index in range {
                let att = &self.attachments[index];
                let map = &mut read_later[att.resource as usize];
                let kind = att.access.kind;
                att.resolved.for_each_interval(|start, end| {
                    map.update(start, end, |piece| {
                        piece.state = match kind {
                            // Overwritten without being read: earlier contents are dead.
                            AccessKind::Write => false,
                            // Concurrent writes may leave parts untouched.
                            AccessKind::ConcurrentWrite => piece.state,
                            AccessKind::Read
                            | AccessKind::Sampled
                            | AccessKind::ReadWrite
                            | AccessKind::ConcurrentReadWrite => true,
                        };
                    });
                });
            }
        }
        ops
    }
}

/// True when some part of `[start, end)` will be read later.
fn any_read_later(map: &RangeMap<bool>, start: u64, end: u64) -> bool {
    map.segments()
        .iter()
        .skip_while(|seg| seg.end <= start)
        .take_while(|seg| seg.start < end)
        .any(|seg| seg.state)
}
