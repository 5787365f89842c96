//! The presents: every presented image moves into the present layout at the boundary after
//! the last batch (the trailing boundary).

use ash::vk;

use super::groups::Group;
use super::members::NIL;
use super::tracks::{RangeState, NO_TRANSITION};
use super::transitions::Transition;
use super::walk::Walk;
use crate::access::PRESENT;
use crate::touch::Present;

/// Moves every range of every presented image into the present layout at the boundary after
/// the last batch: returns those transitions (all at batch `batch_count`, in the order of
/// the presents).
pub(crate) fn add_presents(presents: &[Present], w: &mut Walk) -> Vec<Transition> {
    let mut transitions = Vec::new();
    let dst = w.groups.intern(Group::from_access(
        &PRESENT.derive(Some(vk::ImageAspectFlags::COLOR)),
    ));
    let batch = w.batch_count;
    for present in presents {
        let Some(track) = w.tracks.get_mut(present.resource) else {
            continue;
        };
        let map = &mut track.map;
        let task_batch = &w.task_batch;
        present.resolved.for_each_interval(|start, end| {
            map.update(start, end, |piece| {
                let old = piece.state;
                transitions.push(Transition {
                    resource: present.resource,
                    batch,
                    start: piece.start,
                    end: piece.end,
                    src: old.group,
                    dst,
                });
                piece.state = RangeState {
                    prev_end: old.cur_end(|t| task_batch.get(t as usize).copied()),
                    cur_end_before: batch + 1,
                    cur_task: NIL,
                    group: dst,
                    // Nothing joins a present.
                    transition: NO_TRANSITION,
                    prev: old.cur,
                    cur: NIL,
                    wrote: old.wrote,
                    first: false,
                };
            });
        });
    }
    transitions
}
