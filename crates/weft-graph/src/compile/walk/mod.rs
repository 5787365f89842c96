//! Phase 1 of compile, the walk: go through the tasks in record order, track access groups
//! per subresource range, find each task's dependencies and its earliest batch, and note
//! every group transition (the raw material of barriers).
//!
//! This module is the one place that knows the walk may run in parts: large graphs are
//! walked in two parts on two threads, resource `r` belonging to part `r % parts`. What it
//! returns ([`Walk`]) reads as one walk, however many parts ran. Its files:
//! - [`input`]: what every part reads (the graph's parts, the modes, explicit edges by task);
//! - [`part`]: one part, every task in record order on the resources it owns ([`update`]
//!   holds the steps of one attachment's ranges); it finishes its own transitions
//!   ([`joins`]) and builds their barriers ([`part_barriers`]);
//! - [`floors`]: each task's batch, shared between the parts' threads;
//! - [`part_tracks`]: the per-resource tracks of each part;
//! - [`merge`](mod@merge): the parts' findings become one [`Walk`] ([`found`]);
//! - [`part_barriers`]: the parts' barriers, joined with the trailing boundary by
//!   [`PartBarriers::joined_with`](part_barriers::PartBarriers::joined_with).

mod floors;
mod found;
mod input;
mod joins;
mod merge;
mod part;
mod part_barriers;
mod part_tracks;
mod update;

use std::sync::OnceLock;

use crate::compile::input::CompileInput;
use crate::compile::options::{BarrierMode, CompileThreads, EdgeMode, Order};
use floors::Floors;
pub(crate) use found::Walk;
use input::{AfterEdges, WalkInput};
use merge::merge;
use part::WalkPart;

/// The walk's working memory, kept between compiles: its parts, with their own tracks,
/// transitions and barriers, and their floors.
#[derive(Default)]
pub(crate) struct WalkScratch {
    parts: Vec<WalkPart>,
    floors: Floors,
}

impl WalkScratch {
    /// Keeps the tracks and barriers a walk handed over, for the next one.
    pub fn keep(&mut self, walk: Walk) {
        let parts = self.parts.iter_mut();
        for ((part, tracks), barriers) in parts.zip(walk.tracks.parts).zip(walk.barriers.parts) {
            part.tracks = tracks;
            part.barriers = barriers;
        }
    }
}

/// Walks the graph in one pass over the tasks in record order, on one thread or, for large
/// graphs, in two parts on two threads (see [`floors`]), placing tasks in `order`; `E` says
/// whether it keeps the task-to-task dependencies (for inspection only, always on one
/// thread, without barriers). With [`BarrierMode::Build`], each part builds the barriers
/// of the boundaries between batches for its resources ([`Walk::barriers`]).
///
/// Its vectors come from `scratch` (the tracks and barriers are handed over in the result,
/// and the caller gives them back with [`WalkScratch::keep`]).
pub(crate) fn walk<E: EdgeMode>(
    graph: &CompileInput,
    order: Order,
    barriers: BarrierMode,
    threads: CompileThreads,
    scratch: &mut WalkScratch,
) -> Walk {
    let after = AfterEdges::new(graph.touches.task_count(), graph.after_edges);
    let input = WalkInput {
        touches: graph.touches,
        accesses: graph.accesses,
        after: &after,
        submits: graph.submits,
        min_batch: graph.min_batch,
        summaries: graph.summaries,
        order,
        barriers: if E::KEEP { BarrierMode::Skip } else { barriers },
    };
    let parts = if E::KEEP {
        1
    } else {
        part_count(threads, graph.touches.len(), graph.locality.near_percent())
    };
    let ran = run_parts::<E>(&input, parts, scratch)
        // A thread that could not start: walk on this one.
        || run_parts::<E>(&input, 1, scratch);
    debug_assert!(ran, "one part always runs");
    merge(&mut scratch.parts, input.barriers)
}

/// [`CompileThreads::Auto`] walks graphs with at least this many attachments on two
/// threads (below it, starting a thread costs more than it saves)...
const PARALLEL_FROM_ATTACHMENTS: usize = 8192;

/// ... unless more than this share (percent) of their resource uses are near an earlier
/// use of the same resource (see [`crate::locality`]): the two parts would wait for each
/// other at almost every task.
const PARALLEL_UP_TO_NEAR_PERCENT: usize = 25;

/// How many parts walk a graph of `attachments` attachments, `near_percent` of whose
/// resource uses are near an earlier one.
fn part_count(threads: CompileThreads, attachments: usize, near_percent: usize) -> usize {
    match threads {
        CompileThreads::One => 1,
        CompileThreads::Two => 2,
        CompileThreads::Auto
            if attachments >= PARALLEL_FROM_ATTACHMENTS
                && near_percent <= PARALLEL_UP_TO_NEAR_PERCENT
                && cores() >= 2 =>
        {
            2
        }
        CompileThreads::Auto => 1,
    }
}

/// The cores this process may use (asked once: the answer costs system calls).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Walks the graph in `parts` parts (1 or 2), each on its own thread. False when the
/// second thread could not start (nothing is then walked).
fn run_parts<E: EdgeMode>(input: &WalkInput, parts: usize, scratch: &mut WalkScratch) -> bool {
    scratch
        .floors
        .reset(parts, input.touches.task_count(), input.order);
    scratch.parts.resize_with(parts, WalkPart::default);
    for (index, part) in scratch.parts.iter_mut().enumerate() {
        part.reset(index, parts, input.summaries);
    }
    let floors = &scratch.floors;
    let Some((first, rest)) = scratch.parts.split_first_mut() else {
        return false;
    };
    match rest.first_mut() {
        None => {
            first.run::<E>(input, &floors.reader(0));
            true
        }
        Some(second) => std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("weft-compile".into())
                .spawn_scoped(scope, || {
                    let _finished = Finished(floors, 1);
                    second.run::<E>(input, &floors.reader(1));
                });
            let Ok(handle) = spawned else {
                return false;
            };
            {
                let _finished = Finished(floors, 0);
                first.run::<E>(input, &floors.reader(0));
            }
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
            true
        }),
    }
}

/// Marks a part finished when dropped, even by a panic, so that the other part never waits
/// for it forever.
struct Finished<'a>(&'a Floors, usize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.finish(self.1);
    }
}
