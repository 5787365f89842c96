//! What the walk keeps per resource: a range map of [`RangeState`]s and the batches that
//! use it.

use super::groups::NO_GROUP;
use super::members::NIL;
use super::range_map::RangeMap;
use crate::resource::ResourceSummary;

/// "No transition": the first group of a transient buffer needs no barrier and no bridge,
/// and the state of an exclusive group does not keep its transition.
pub(crate) const NO_TRANSITION: u32 = u32::MAX;

/// The state of one range.
///
/// Batch ends are stored as batch + 1, so 0 means "no such group". The newest member of the
/// current group (`cur_task`) is kept apart because its batch is not known yet while it is
/// being placed; everyone else reads the group's end through [`RangeState::cur_end`]. The
/// member lists are kept only when the walk collects edges (for inspection).
///
/// Nobody joins an exclusive group, so its state keeps nothing about joining (`prev_end`,
/// `transition`, `prev`): pieces of a range one write covered become equal and merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RangeState {
    /// 1 + the highest batch of the previous group (what a task joining the current group
    /// waits for).
    pub prev_end: u32,
    /// 1 + the highest batch of the current group's members other than `cur_task`.
    pub cur_end_before: u32,
    /// The newest member of the current group ([`NIL`] after a present).
    pub cur_task: u32,
    /// The union of the current group's accesses (an id in the walk's group table).
    pub group: u32,
    /// The transition into the current group, or [`NO_TRANSITION`] (an index into the
    /// walk's own lists of transitions; meaningless once the walk is done).
    pub transition: u32,
    /// Members of the previous and current group ([`NIL`] unless collecting edges).
    pub prev: u32,
    pub cur: u32,
    /// True once a group of this graph has written the range.
    pub wrote: bool,
    /// True while the current group is the range's first and others may join it (the
    /// walk notes the tasks of first groups: the first batch that uses a resource is one
    /// of theirs).
    pub first: bool,
}

impl RangeState {
    /// A range no task has touched yet (every map starts as one such segment).
    pub const UNTOUCHED: Self = Self {
        prev_end: 0,
        cur_end_before: 0,
        cur_task: NIL,
        group: NO_GROUP,
        transition: NO_TRANSITION,
        prev: NIL,
        cur: NIL,
        wrote: false,
        first: false,
    };

    /// True when some task (or a present) touched the range.
    pub fn touched(&self) -> bool {
        self.group != NO_GROUP
    }

    /// 1 + the highest batch of the current group (what a task starting a new group waits
    /// for). `batch_of` gives the batch of a task placed earlier (`None` for the task being
    /// placed and for [`NIL`]).
    #[inline(always)]
    pub fn cur_end(&self, batch_of: impl Fn(u32) -> Option<u32>) -> u32 {
        let newest = batch_of(self.cur_task).map_or(0, |b| b + 1);
        self.cur_end_before.max(newest)
    }

    /// The last batch of the current group (`None` when it has no task: after a present).
    /// `task_batch` holds the batches of all tasks.
    pub fn last_batch(&self, task_batch: &[u32]) -> Option<u32> {
        self.cur_end(|task| task_batch.get(task as usize).copied())
            .checked_sub(1)
    }
}

/// What the walk keeps per resource: its range map and the batches that use it. One cache
/// line, aligned, so that one prefetch brings all of it.
#[derive(Clone, Debug)]
#[repr(align(64))]
pub(crate) struct Track {
    pub map: RangeMap<RangeState>,
    /// The first and last batch of the tasks that touch the resource (`u32::MAX` and 0
    /// while none does: see [`Track::batches`]).
    pub first_batch: u32,
    pub last_batch: u32,
    /// Whether the first group needs a transition: only external resources (a bridge from
    /// the real resource's state) and images (a transition out of `UNDEFINED`) do.
    pub first_use_matters: bool,
}

// A track that outgrows its cache line costs a second miss per attachment on large graphs.
const _: () = assert!(std::mem::size_of::<Track>() == 64);

impl Track {
    /// `(first batch, last batch)` of the tasks that touch the resource, `None` when no
    /// task does.
    pub fn batches(&self) -> Option<(u32, u32)> {
        (self.first_batch <= self.last_batch).then_some((self.first_batch, self.last_batch))
    }

    /// Notes that a task of batch `batch` touches the resource.
    #[inline]
    pub fn used_in(&mut self, batch: u32) {
        self.first_batch = self.first_batch.min(batch);
        self.last_batch = self.last_batch.max(batch);
    }

    /// The track of a resource nobody touched yet.
    pub fn new(summary: &ResourceSummary) -> Self {
        Self {
            map: RangeMap::filled(0, summary.units, RangeState::UNTOUCHED),
            first_batch: u32::MAX,
            last_batch: 0,
            first_use_matters: summary.external || summary.image.is_some(),
        }
    }

    /// Makes this the track of a resource nobody touched yet, keeping the map's memory.
    pub fn reset(&mut self, summary: &ResourceSummary) {
        self.map.refill(0, summary.units, RangeState::UNTOUCHED);
        self.first_batch = u32::MAX;
        self.last_batch = 0;
        self.first_use_matters = summary.external || summary.image.is_some();
    }
}
