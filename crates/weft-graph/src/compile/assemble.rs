//! Phase 4 of compile, [`assemble_plan`]: flatten what the walk found and the barriers into
//! the plan's arrays (task order, batches, first and last uses of external resources,
//! transient lifetimes).

use super::barriers::Barriers;
use super::input::CompileInput;
use super::options::Order;
use super::tracks::{RangeState, Track};
use super::walk::Walk;
use crate::plan::{next_serial, ExternalUse, Plan, TransientLifetime};
use crate::resource::{Lifetime, ResourceDesc, ResourceInfo};
use crate::view::image_ranges;
use crate::view::Subresources;

/// The plan: the walk's batches (`walk.task_batch` and `walk.submit_batches` move into it),
/// `barriers`, and what the plan reports of the resources; `dag_depth` is the depth of the
/// reordered plan.
pub(crate) fn assemble_plan(
    input: &CompileInput,
    walk: &mut Walk,
    barriers: Barriers,
    dag_depth: u32,
    order: Order,
) -> Plan {
    let (task_order, batch_starts) = order_tasks(&walk.task_batch, walk.batch_count);
    let last_uses = last_uses(input, walk);
    let used = used_resources(input, walk);
    let written = written_resources(input, &last_uses);
    let transients = transient_lifetimes(input, walk);
    let last_part = last_parts(input, &last_uses, &walk.submit_batches);
    Plan {
        serial: next_serial(),
        graph: input.graph,
        revision: input.revision,
        sequential: order == Order::Sequential,
        dag_depth,
        task_order,
        batch_starts,
        last_uses,
        used,
        written,
        last_part,
        transients,
        boundaries: barriers.boundaries,
        memory_barriers: barriers.memory,
        image_barriers: barriers.image,
        first_uses: barriers.first_uses,
        submit_batches: std::mem::take(&mut walk.submit_batches),
        presents: input.presents.iter().map(|p| p.resource).collect(),
        task_batch: std::mem::take(&mut walk.task_batch),
        placed: None,
        conditions: None,
    }
}

/// The final group of every touched range of every external resource; adjacent ranges
/// left in the same state by the same last batch are merged.
fn last_uses(input: &CompileInput, walk: &Walk) -> Vec<ExternalUse> {
    let mut out = Vec::new();
    let tracks = walk.tracks.in_order();
    for (index, (info, track)) in input.resources.iter().zip(tracks).enumerate() {
        if info.lifetime == Lifetime::External {
            push_last_uses(index as u32, info, track, walk, &mut out);
        }
    }
    out
}

/// The last uses of external resource `resource` (see [`last_uses`]), onto `out`.
fn push_last_uses(
    resource: u32,
    info: &ResourceInfo,
    track: &Track,
    walk: &Walk,
    out: &mut Vec<ExternalUse>,
) {
    // Image ranges merge within one aspect plane (mips × layers) only.
    let plane = match &info.desc {
        ResourceDesc::Buffer(_) => u64::MAX,
        ResourceDesc::Image(d) => u64::from(d.mip_levels) * u64::from(d.array_layers),
    };
    let last_batch = |state: &RangeState| state.last_batch(&walk.task_batch);
    let mut segments = track.map.segments().iter().peekable();
    while let Some(first) = segments.next() {
        if !first.state.touched() {
            continue;
        }
        let mut end = first.end;
        while let Some(next) = segments.next_if(|n| {
            n.start == end
                && n.state.group == first.state.group
                && last_batch(&n.state) == last_batch(&first.state)
                && n.state.wrote == first.state.wrote
                && (n.end - 1) / plane == first.start / plane
        }) {
            end = next.end;
        }
        let group = walk.groups.get(first.state.group);
        let batch = last_batch(&first.state).unwrap_or(walk.batch_count);
        let mut push = |subresources| {
            out.push(ExternalUse {
                resource,
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

/// Per resource: the plan writes it or changes a layout of it (some last use wrote, or
/// follows a write or a layout change).
fn written_resources(input: &CompileInput, last_uses: &[ExternalUse]) -> Vec<bool> {
    let mut written = vec![false; input.resources.len()];
    for last in last_uses {
        if let Some(w) = written.get_mut(last.resource as usize) {
            *w |= last.wrote_in_graph || last.access.intersects(crate::access::WRITE_ACCESS_MASK);
        }
    }
    written
}

/// Per resource: the part of the plan (between submit boundaries, which start at
/// `submit_batches`) of its last use; the last part for resources with none.
fn last_parts(input: &CompileInput, last_uses: &[ExternalUse], submit_batches: &[u32]) -> Vec<u32> {
    let mut parts = vec![submit_batches.len() as u32; input.resources.len()];
    let mut seen = vec![false; input.resources.len()];
    for last in last_uses {
        let r = last.resource as usize;
        let part = submit_batches.partition_point(|&b| b <= last.batch) as u32;
        if let (Some(p), Some(s)) = (parts.get_mut(r), seen.get_mut(r)) {
            *p = if *s { (*p).max(part) } else { part };
            *s = true;
        }
    }
    parts
}

/// Per resource: some task (or a present) touches it.
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

/// The batches each transient resource that some task touches is alive in.
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
