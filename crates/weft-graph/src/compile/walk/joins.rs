//! Joins: tasks that joined the group a transition leads into, noted while the walk runs
//! and applied once every batch is known; and how a range state refers to its transition.

use crate::compile::groups::GroupTable;
use crate::compile::prefetch::prefetch_slot;
use crate::compile::tracks::NO_TRANSITION;
use crate::compile::transitions::{GlobalTransition, Transition};

/// Which transition a range state's `transition` field refers to: [`NO_TRANSITION`], an
/// index into the transitions of the part that made it
/// ([`Findings::transitions`](super::update::Findings::transitions)), or [`GLOBAL`] | an
/// index into its global ones ([`Findings::globals`](super::update::Findings::globals)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TransitionRef {
    None,
    Ranged(usize),
    Global(usize),
}

impl TransitionRef {
    pub fn of(transition: u32) -> Self {
        match transition {
            NO_TRANSITION => Self::None,
            t if t & GLOBAL != 0 => Self::Global((t & !GLOBAL) as usize),
            t => Self::Ranged(t as usize),
        }
    }
}

/// Set in a range state's transition field when it indexes
/// [`Findings::globals`](super::update::Findings::globals).
pub(super) const GLOBAL: u32 = 1 << 31;

/// A task that joined the group a transition leads into: the transition's barrier must
/// cover its access and come before its batch. `transition` is a range state's
/// [`TransitionRef`] encoding (in the transitions of the part that noted the join).
/// Applied after the walk, when every batch is known.
#[derive(Clone, Copy, Debug)]
pub(super) struct Join {
    pub transition: u32,
    pub access: u32,
    pub task: u32,
}

/// A task that joined the group a transition leads into: the transition's barrier must
/// cover its access and come before its batch. The updates are independent of each other,
/// so they overlap in memory.
pub(super) fn apply_joins(
    joins: &[Join],
    batch_of: &impl Fn(u32) -> u32,
    groups: &mut GroupTable,
    transitions: &mut [Transition],
    globals: &mut [GlobalTransition],
) {
    // Joins point anywhere into the transitions: on large graphs, ask for the one a few
    // joins ahead.
    let prefetching = joins.len() > PREFETCH_JOINS_ABOVE;
    for (at, join) in joins.iter().enumerate() {
        if prefetching {
            match joins.get(at + 8).map(|j| TransitionRef::of(j.transition)) {
                Some(TransitionRef::Ranged(i)) => prefetch_slot(transitions, i),
                Some(TransitionRef::Global(i)) => prefetch_slot(globals, i),
                _ => {}
            }
        }
        let batch = batch_of(join.task);
        let (tr_batch, tr_dst) = match TransitionRef::of(join.transition) {
            TransitionRef::Ranged(i) => match transitions.get_mut(i) {
                Some(tr) => (&mut tr.batch, &mut tr.dst),
                None => continue,
            },
            TransitionRef::Global(i) => match globals.get_mut(i) {
                Some(g) => (&mut g.batch, &mut g.dst),
                None => continue,
            },
            TransitionRef::None => continue,
        };
        *tr_batch = (*tr_batch).min(batch);
        *tr_dst = groups.join(*tr_dst, join.access);
    }
}

/// The number of joins above which applying them prefetches: about where the transitions
/// stop fitting in a core's second-level cache.
const PREFETCH_JOINS_ABOVE: usize = 1 << 15;
