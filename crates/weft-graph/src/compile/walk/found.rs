//! What the walk finds, as one walk (however many parts walked).

use super::part_barriers::PartBarriers;
use super::part_tracks::Tracks;
use crate::compile::groups::GroupTable;
use crate::compile::members::MemberLists;
use crate::hazard::Hazard;

/// A task depends on every task of a member list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DependencyList {
    pub task: u32,
    pub list: u32,
    pub resource: u32,
    pub hazard: Hazard,
}

/// Everything the walk finds. Its tracks and barriers are kept by parts, but read as one
/// walk's: [`Tracks::get_mut`] and [`Tracks::in_order`] by resource,
/// [`PartBarriers::joined_with`] for the plan.
pub(crate) struct Walk {
    pub task_batch: Vec<u32>,
    pub batch_count: u32,
    pub groups: GroupTable,
    pub lists: MemberLists,
    pub dependencies: Vec<DependencyList>,
    pub tracks: Tracks,
    /// First batch of each submit after the first.
    pub submit_batches: Vec<u32>,
    /// The barriers of the boundaries between batches (none unless the walk built them).
    pub barriers: PartBarriers,
}
