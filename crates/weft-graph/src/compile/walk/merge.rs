//! The end of the walk: the parts' findings become one [`Walk`].
//!
//! Each part has finished its own transitions ([`WalkPart::finish`]), so what is left is
//! small: every task's batch (the highest floor of the parts), and one group table (the
//! second part's group ids are mapped into the first part's table). Each part built the
//! barriers of its own transitions: they are handed over as they are, and joined in an
//! order that does not depend on how many parts there were ([`PartBarriers::joined_with`]).

use super::found::Walk;
use super::part::WalkPart;
use super::part_barriers::PartBarriers;
use super::part_tracks::Tracks;
use crate::compile::groups::{GroupTable, NO_GROUP};
use crate::compile::options::BarrierMode;

/// Merges the (one or two) parts of a finished walk (which built barriers or not, as
/// `barriers` says).
pub(super) fn merge(parts: &mut [WalkPart], barriers: BarrierMode) -> Walk {
    let task_batch = parts
        .first_mut()
        .map(|p| std::mem::take(&mut p.task_batch))
        .unwrap_or_default();
    let batch_count = task_batch.iter().map(|&b| b + 1).max().unwrap_or(0);
    let (groups, second) = merge_groups(parts);
    let in_merged = |group: u32| match group {
        NO_GROUP => group,
        _ => second.get(group as usize).copied().unwrap_or(group),
    };
    if let Some(p) = parts.get_mut(1) {
        for state in p.tracks.iter_mut().flat_map(|t| t.map.states_mut()) {
            state.group = in_merged(state.group);
        }
    }
    let (lists, dependencies, submit_batches) = match parts.first_mut() {
        Some(p) => (
            std::mem::take(&mut p.found.lists),
            std::mem::take(&mut p.found.dependencies),
            std::mem::take(&mut p.submit_batches),
        ),
        None => Default::default(),
    };
    Walk {
        task_batch,
        batch_count,
        groups,
        lists,
        dependencies,
        tracks: Tracks {
            parts: parts
                .iter_mut()
                .map(|p| std::mem::take(&mut p.tracks))
                .collect(),
        },
        submit_batches,
        barriers: PartBarriers {
            parts: match barriers {
                BarrierMode::Build => parts
                    .iter_mut()
                    .map(|p| std::mem::take(&mut p.barriers))
                    .collect(),
                BarrierMode::Skip => Vec::new(),
            },
        },
    }
}

/// The first part's group table, with the groups of the second added; and the second
/// part's group ids' ids in that table.
fn merge_groups(parts: &mut [WalkPart]) -> (GroupTable, Vec<u32>) {
    let mut tables = parts.iter_mut().filter_map(|p| p.groups.take());
    let mut merged = tables.next().unwrap_or_else(|| GroupTable::new(&[]));
    let second = match tables.next() {
        Some(table) => (0..table.len() as u32)
            .map(|g| merged.intern(*table.get(g)))
            .collect(),
        None => Vec::new(),
    };
    (merged, second)
}
