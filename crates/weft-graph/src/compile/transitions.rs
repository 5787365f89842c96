//! Group transitions: what the walk notes where a range moves from one access group to
//! another, and what barriers are built from (shared by the walk, the presents and the
//! barriers).

use super::groups::{Group, GroupTable, NO_GROUP};

/// A group transition on a range: from group `src` (or from before the graph) to group
/// `dst`, to be synchronised at the boundary before batch `batch`, the earliest batch of
/// `dst`'s members. Groups are ids in the walk's [`GroupTable`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transition {
    pub resource: u32,
    pub batch: u32,
    pub start: u64,
    pub end: u64,
    /// [`NO_GROUP`]: first use in this graph.
    pub src: u32,
    pub dst: u32,
}

impl Transition {
    /// The group before the transition (`None` for a first use in this graph).
    pub fn src_group<'a>(&self, groups: &'a GroupTable) -> Option<&'a Group> {
        (self.src != NO_GROUP).then(|| groups.get(self.src))
    }
}

/// A transition on a range whose layout it keeps (every buffer range; image ranges between
/// groups of one layout). Its barrier is a global memory barrier, which names no
/// subresource, so the range is not kept: only the groups, the batch, and the resource
/// the barrier is cited for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GlobalTransition {
    pub resource: u32,
    pub batch: u32,
    pub src: u32,
    pub dst: u32,
}
