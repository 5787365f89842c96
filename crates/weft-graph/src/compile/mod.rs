//! `compile()`: turns a recording into a [`Plan`] once.
//!
//! 1. [`walk`]: walk tasks in record order over per-resource range maps of access groups
//!    ([`tracks`]); each task lands in the batch after its latest dependency (the DAG
//!    depth). Large graphs are walked in two parts on two threads; only [`walk`] knows how.
//!    Each part finishes its own transitions and builds their barriers.
//! 2. [`barriers`]: group transitions become the barriers of each batch boundary. The walk
//!    keeps transitions whose barriers name subresources (first uses, layout changes) apart
//!    from global ones, which keep only their groups and batch; a global transition into an
//!    exclusive group is final when its task is placed, so repeats of one group pair at one
//!    batch are dropped there ([`seen`]). The presents' transitions make the trailing
//!    boundary.
//! 3. Here: flatten into the plan's arrays (task order, batches, first and last uses of
//!    external resources, transient lifetimes).
//!
//! The walk reads packed per-attachment records ([`crate::touch`]) and keeps groups as
//! 4-byte ids ([`groups`]); its large arrays live in a [`scratch`] the graph keeps, so a
//! second compile of the same graph allocates only the plan.

pub(crate) mod barriers;
pub(crate) mod groups;
pub(crate) mod input;
pub(crate) mod members;
pub(crate) mod options;
pub(crate) mod prefetch;
pub(crate) mod presents;
pub(crate) mod range_map;
pub(crate) mod scratch;
pub(crate) mod seen;
pub(crate) mod tracks;
pub(crate) mod transitions;
pub(crate) mod walk;

use crate::plan::{Dependency, ExternalUse, Plan, Subresources, TransientLifetime};
use crate::resource::{Lifetime, ResourceDesc};
use crate::view::image_ranges;
pub(crate) use input::CompileInput;
use options::{BarrierMode, KeepEdges, NoEdges, Order};
pub use options::{CompileOptions, CompileThreads};
use scratch::Scratch;
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
    let reordered_depth = (order == Order::Sequential).then(|| {
        let reordered = walk::walk::<NoEdges>(
            input,
            Order::Reordered,
            BarrierMode::Skip,
            options.threads,
            &mut scratch.walk,
        );
        let depth = reordered.batch_count;
        scratch.keep(reordered);
        depth
    });
    let mut walk = walk::walk::<NoEdges>(
        input,
        order,
        BarrierMode::Build,
        options.threads,
        &mut scratch.walk,
    );
    let dag_depth = reordered_depth.unwrap_or(walk.batch_count);
    let presents = presents::add_presents(input.presents, &mut walk);
    barriers::build_trailing(
        &presents,
        &walk.groups,
        input.summaries,
        walk.batch_count,
        order,
        &mut scratch.stamps,
        &mut scratch.trailing,
    );
    let barriers = walk
        .barriers
        .joined_with(&scratch.trailing, walk.batch_count);
    let (task_order, batch_starts) = order_tasks(&walk.task_batch, walk.batch_count);
    let last_uses = last_uses(input, &walk);
    let used = used_resources(input, &walk);
    let transients = transient_lifetimes(input, &walk);
    let plan = Plan {
        graph: input.graph,
        revision: input.revision,
        sequential: options.sequential,
        dag_depth,
        task_order,
        batch_starts,
        last_uses,
        used,
        transients,
        boundaries: barriers.boundaries,
        memory_barriers: barriers.memory,
        image_barriers: barriers.image,
        first_uses: barriers.first_uses,
        submit_batches: std::mem::take(&mut walk.submit_batches),
        presents: input.presents.iter().map(|p| p.resource).collect(),
        task_batch: std::mem::take(&mut walk.task_batch),
    };
    // The walk's tracks and barriers (when not moved into the plan) keep their memory.
    scratch.keep(walk);
    plan
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

/// The final group of every touched range of every external resource; adjacent ranges
/// left in the same state by the same last batch are merged.
fn last_uses(input: &CompileInput, walk: &Walk) -> Vec<ExternalUse> {
    let mut out = Vec::new();
    let tracks = walk.tracks.in_order();
    for (index, (info, track)) in input.resources.iter().zip(tracks).enumerate() {
        if info.lifetime != Lifetime::External {
            continue;
        }
        let plane = match &info.desc {
            ResourceDesc::Buffer(_) => u64::MAX,
            ResourceDesc::Image(d) => u64::from(d.mip_levels) * u64::from(d.array_layers),
        };
        let mut segments = track.map.segments().iter().peekable();
        while let Some(first) = segments.next() {
            if !first.state.touched() {
                continue;
            }
            let mut end = first.end;
            while let Some(next) = segments.next_if(|n| {
                n.start == end
                    && n.state.group == first.state.group
                    && n.state.last_batch(&walk.task_batch)
                        == first.state.last_batch(&walk.task_batch)
                    && n.state.wrote == first.state.wrote
                    && (n.end - 1) / plane == first.start / plane
            }) {
                end = next.end;
            }
            let group = walk.groups.get(first.state.group);
            let batch = first
                .state
                .last_batch(&walk.task_batch)
                .unwrap_or(walk.batch_count);
            let mut push = |subresources| {
                out.push(ExternalUse {
                    resource: index as u32,
                    subresources,
                    stages: group.stages,
                    access: group.access,
                    layout: group.layout,
                    batch,
                    wrote_in_graph: first.state.wrote,
                })
            };
            match &info.desc {
                ResourceDesc::Buffer(_) => push(Subresources::Buffer {
                    offset: first.start,
                    size: end - first.start,
                }),
                ResourceDesc::Image(d) => image_ranges(
                    first.start,
                    end,
                    d.aspects().as_raw(),
                    d.mip_levels,
                    d.array_layers,
                    |r| push(Subresources::Image(r)),
                ),
            }
        }
    }
    out
}

fn used_resources(input: &CompileInput, walk: &Walk) -> Vec<bool> {
    let mut used: Vec<bool> = walk
        .tracks
        .in_order()
        .map(|t| t.batches().is_some())
        .collect();
    for present in input.presents {
        if let Some(u) = used.get_mut(present.resource as usize) {
            *u = true;
        }
    }
    used
}

fn transient_lifetimes(input: &CompileInput, walk: &Walk) -> Vec<TransientLifetime> {
    input
        .resources
        .iter()
        .zip(walk.tracks.in_order())
        .enumerate()
        .filter(|(_, (info, _))| info.lifetime == Lifetime::Transient)
        .filter_map(|(index, (_, track))| {
            track
                .batches()
                .map(|(first_batch, last_batch)| TransientLifetime {
                    resource: index as u32,
                    first_batch,
                    last_batch,
                })
        })
        .collect()
}

/// Tasks sorted by batch (record order within a batch) and the start of each batch.
fn order_tasks(task_batch: &[u32], batch_count: u32) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; batch_count as usize + 1];
    for &b in task_batch {
        starts[b as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut fill = starts.clone();
    let mut order = vec![0u32; task_batch.len()];
    for (task, &b) in task_batch.iter().enumerate() {
        order[fill[b as usize] as usize] = task as u32;
        fill[b as usize] += 1;
    }
    (order, starts)
}
