//! `compile()`: turns a recording ([`CompileInput`], which the graph builds) into a [`Plan`]
//! once, in four phases, each a function [`compile`] calls in turn:
//!
//! 1. [`find_dependencies`] ([`walk`]): walk the tasks in record order over per-resource
//!    range maps of access groups ([`tracks`]): a task depends on the previous group of each
//!    range it touches and lands in the batch after its latest dependency (the DAG depth);
//!    every group transition is noted ([`transitions`]). Large graphs are walked in two
//!    parts on two threads: only [`walk`] knows how; each part also builds the barriers of
//!    the boundaries between batches for its resources, on its thread ([`barriers`]).
//!    Where tasks that start more transient memory than they end can move later without
//!    deepening the plan, they do and the walk runs again with their batches as floors
//!    ([`lifetimes`]).
//! 2. [`add_presents`] ([`presents`]): presented images move into the present layout after
//!    the last batch.
//! 3. [`build_barriers`] ([`barriers`]): the presents' barriers make the trailing boundary,
//!    joined with the walk's into the plan's barrier arrays. Transitions whose barriers
//!    name subresources (first uses, layout changes) are kept apart from global ones, which
//!    keep only their groups and batch; a global transition into an exclusive group is
//!    final when its task is placed, so repeats of one group pair at one batch are dropped
//!    there ([`seen`]).
//! 4. [`assemble_plan`] ([`assemble`]): flatten into the plan's arrays (task order,
//!    batches, first and last uses of external resources, transient lifetimes).
//!
//! A sequential plan first walks reordered, for the DAG depth it reports
//! ([`reordered_depth`]); [`task_dependencies`] walks keeping the task-to-task edges, for
//! inspection.
//!
//! The other files: [`options`] (the public options and the modes the phases take),
//! [`input`], [`groups`] (access groups as 4-byte ids), [`members`] (member lists, kept
//! for inspection), [`range_map`], [`seen`], [`prefetch`] (cache hints), and [`scratch`]:
//! the large arrays live in a scratch the graph keeps, so a second compile of the same
//! graph allocates only the plan. The walk reads packed per-attachment records
//! ([`crate::touch`]).

mod assemble;
mod barriers;
mod groups;
mod input;
mod lifetimes;
mod members;
mod options;
mod prefetch;
mod presents;
pub(crate) mod range_map;
pub(crate) mod scratch;
mod seen;
mod tracks;
mod transitions;
mod walk;

use crate::plan::{Dependency, Plan};
use assemble::assemble_plan;
use barriers::Barriers;
pub(crate) use input::CompileInput;
use options::{BarrierMode, KeepEdges, NoEdges, Order};
pub use options::{CompileOptions, CompileThreads};
use presents::add_presents;
use scratch::Scratch;
use transitions::Transition;
use walk::Walk;

/// Compiles a recording into a plan, with the working memory in `scratch` (kept there for
/// the next compile).
pub(crate) fn compile(
    input: &CompileInput,
    options: &CompileOptions,
    scratch: &mut Scratch,
) -> Plan {
    let order = options.order();
    // Sequential plans still report the depth a reordered plan would have.
    let reordered_depth =
        (order == Order::Sequential).then(|| reordered_depth(input, options.threads, scratch));
    // Dependencies and batches (and the barriers between batches, built by the walk's parts).
    let mut walk = find_dependencies(input, order, options.threads, scratch);
    // Tasks that start more transient memory than they end move later; then walk again
    // with their new batches as floors.
    let moved = (order == Order::Reordered && !options.earliest_batches)
        .then(|| {
            let (batches, count) = (&walk.task_batch, walk.batch_count);
            lifetimes::floors(input, batches, count, &walk.submit_batches)
        })
        .flatten();
    let moved_input;
    let input = match &moved {
        Some(floors) => {
            moved_input = CompileInput {
                min_batch: floors,
                ..*input
            };
            scratch.keep(walk);
            walk = find_dependencies(&moved_input, order, options.threads, scratch);
            &moved_input
        }
        None => input,
    };
    // Presented images leave the graph in the present layout.
    let presents = add_presents(input.presents, &mut walk);
    // The barriers of every boundary, the presents' after the last batch, in plan order.
    let barriers = build_barriers(input, &mut walk, &presents, order, scratch);
    // The flat arrays the runtime replays.
    let dag_depth = reordered_depth.unwrap_or(walk.batch_count);
    let plan = assemble_plan(input, &mut walk, barriers, dag_depth, order);
    // The walk's tracks and barriers (when not moved into the plan) keep their memory.
    scratch.keep(walk);
    plan
}

/// Phase 1: walks the tasks to find each task's dependencies, its earliest batch and the
/// group transitions; the walk's parts build the barriers between batches as they finish.
fn find_dependencies(
    input: &CompileInput,
    order: Order,
    threads: CompileThreads,
    scratch: &mut Scratch,
) -> Walk {
    walk::walk::<NoEdges>(input, order, BarrierMode::Build, threads, &mut scratch.walk)
}

/// The number of batches of the reordered plan (the DAG depth), which sequential plans
/// report: a walk that builds no barriers.
fn reordered_depth(input: &CompileInput, threads: CompileThreads, scratch: &mut Scratch) -> u32 {
    let reordered = walk::walk::<NoEdges>(
        input,
        Order::Reordered,
        BarrierMode::Skip,
        threads,
        &mut scratch.walk,
    );
    let depth = reordered.batch_count;
    scratch.keep(reordered);
    depth
}

/// Phase 3: the plan's barriers: the trailing boundary (the presents' transitions,
/// `presents`) built here, joined with the boundaries the walk built.
fn build_barriers(
    input: &CompileInput,
    walk: &mut Walk,
    presents: &[Transition],
    order: Order,
    scratch: &mut Scratch,
) -> Barriers {
    barriers::build_trailing(
        presents,
        &walk.groups,
        input.summaries,
        walk.batch_count,
        order,
        &mut scratch.stamps,
        &mut scratch.trailing,
    );
    walk.barriers
        .joined_with(&scratch.trailing, walk.batch_count)
}

/// The task dependencies of a recording (deduplicated, in record order of the later task),
/// each with the resource and hazard that causes it: a walk that keeps them, for
/// inspection (plans keep none).
pub(crate) fn task_dependencies(input: &CompileInput, scratch: &mut Scratch) -> Vec<Dependency> {
    let walk = walk::walk::<KeepEdges>(
        input,
        Order::Reordered,
        BarrierMode::Skip,
        CompileThreads::One,
        &mut scratch.walk,
    );
    let mut out: Vec<Dependency> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for d in &walk.dependencies {
        for from in walk.lists.tasks(d.list) {
            if seen.insert((from, d.task)) {
                out.push(Dependency {
                    from,
                    to: d.task,
                    resource: (d.resource != u32::MAX).then_some(d.resource),
                    hazard: d.hazard,
                });
            }
        }
    }
    out
}
