//! Step 1 of compile: walk the tasks in record order, track access groups per subresource
//! range, find each task's dependencies and its earliest batch, and note every group
//! transition (the raw material of barriers). This file holds what the walk finds and runs
//! its parts ([`super::walk_part`]) on one or two threads.

use std::sync::OnceLock;

use super::floors::Floors;
use super::groups::GroupTable;
use super::input::CompileInput;
use super::members::MemberLists;
use super::merge::merge;
use super::options::{BarrierMode, CompileThreads, EdgeMode, Order};
use super::scratch::Scratch;
use super::tracks::{Tracks, NO_TRANSITION};
use super::walk_part::{WalkInput, WalkPart};
use crate::hazard::Hazard;

/// Which transition a range state's `transition` field refers to: [`NO_TRANSITION`], an
/// index into the transitions of the part that made it ([`WalkPart::transitions`]), or
/// [`GLOBAL`] | an index into its global ones ([`WalkPart::globals`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TransitionRef {
    None,
    Ranged(usize),
    Global(usize),
}

impl TransitionRef {
    pub(crate) fn of(transition: u32) -> Self {
        match transition {
            NO_TRANSITION => Self::None,
            t if t & GLOBAL != 0 => Self::Global((t & !GLOBAL) as usize),
            t => Self::Ranged(t as usize),
        }
    }
}

/// Set in a range state's transition field when it indexes [`WalkPart::globals`].
pub(crate) const GLOBAL: u32 = 1 << 31;

/// A task that joined the group a transition leads into: the transition's barrier must
/// cover its access and come before its batch. `transition` is a range state's
/// [`TransitionRef`] encoding (in the transitions of the part that noted the join).
/// Applied after the walk, when every batch is known.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Join {
    pub transition: u32,
    pub access: u32,
    pub task: u32,
}

/// A task depends on every task of a member list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DependencyList {
    pub task: u32,
    pub list: u32,
    pub resource: u32,
    pub hazard: Hazard,
}

/// Everything the walk finds.
pub(crate) struct Walk {
    pub task_batch: Vec<u32>,
    pub batch_count: u32,
    pub groups: GroupTable,
    pub lists: MemberLists,
    pub dependencies: Vec<DependencyList>,
    pub tracks: Tracks,
    /// First batch of each submit after the first.
    pub submit_batches: Vec<u32>,
}

/// Walks the graph in one pass over the tasks in record order, on one thread or, for large
/// graphs, in two parts on two threads (see [`super::floors`]), placing tasks in `order`;
/// `E` says whether it keeps the task-to-task dependencies (for inspection only, always on
/// one thread, without barriers).
///
/// Its vectors come from `scratch` (the tracks are handed over in the result, and the
/// caller gives them back with [`Scratch::keep`]; with [`BarrierMode::Build`], each part
/// leaves the barriers of its resources in its own `barriers`).
pub(crate) fn walk<E: EdgeMode>(
    graph: &CompileInput,
    order: Order,
    barriers: BarrierMode,
    threads: CompileThreads,
    scratch: &mut Scratch,
) -> Walk {
    let after = AfterEdges::new(graph.touches.task_count(), graph.after_edges);
    let input = WalkInput {
        touches: graph.touches,
        accesses: graph.accesses,
        after: &after,
        submits: graph.submits,
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
    merge(&mut scratch.parts)
}

/// [`CompileThreads::Auto`] walks graphs with at least this many attachments on two
/// threads (below it, starting a thread costs more than it saves)...
pub(crate) const PARALLEL_FROM_ATTACHMENTS: usize = 8192;

/// ... unless more than this share (percent) of their resource uses are near an earlier
/// use of the same resource (see [`crate::locality`]): the two parts would wait for each
/// other at almost every task.
pub(crate) const PARALLEL_UP_TO_NEAR_PERCENT: usize = 25;

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
fn run_parts<E: EdgeMode>(input: &WalkInput, parts: usize, scratch: &mut Scratch) -> bool {
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

/// Explicit edges grouped by task (compressed rows).
pub(crate) struct AfterEdges {
    offsets: Vec<u32>,
    earlier: Vec<u32>,
}

impl AfterEdges {
    pub fn new(task_count: usize, edges: &[(u32, u32)]) -> Self {
        let mut offsets = vec![0u32; task_count + 1];
        for &(t, _) in edges {
            offsets[t as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut fill = offsets.clone();
        let mut earlier = vec![0u32; edges.len()];
        for &(t, e) in edges {
            earlier[fill[t as usize] as usize] = e;
            fill[t as usize] += 1;
        }
        Self { offsets, earlier }
    }

    /// The tasks `task` must run after.
    pub fn of(&self, task: usize) -> &[u32] {
        &self.earlier[self.offsets[task] as usize..self.offsets[task + 1] as usize]
    }
}
