//! Shorter transient lifetimes within the DAG-depth bound. The walk puts every task in its
//! earliest batch, so a pass that produces a transient long before its first reader keeps
//! that transient alive all the while. From the walk's batches, going back from the last
//! task recorded, a task moves to its latest batch (just before the earliest batch of any
//! later task that touches a resource it touches, or that runs after it; inside its
//! submit) when that starts more transient memory than it ends: when the estimated bytes
//! of the transients it uses first (in record order) exceed those of the transients it
//! uses last. Later tasks never move earlier and nothing moves past the last batch, so the
//! batch count stays the DAG depth. When the moves lower the peak of the estimated live
//! transient bytes, compile walks again with each task's new batch as its floor.

use super::input::CompileInput;
use crate::peak::peak_bytes;
use crate::resource::{Lifetime, ResourceDesc};
use crate::touch::Selection;

/// The floor of each task (its batch after the moves), or `None` when no task moves.
/// `batches` are the walk's (earliest) batches, `submit_batches` the first batch of each
/// submit after the first.
pub(crate) fn floors(
    input: &CompileInput,
    batches: &[u32],
    batch_count: u32,
    submit_batches: &[u32],
) -> Option<Vec<u32>> {
    let tasks = input.touches.task_count();
    let (starts, ends) = transient_bytes_started_and_ended(input);
    if (0..tasks).all(|t| starts[t] <= ends[t]) {
        return None;
    }
    // The last batch of each submit (the parts of the plan): tasks stay inside theirs.
    let last_of_part = |task: usize| -> u32 {
        let part = input.submits.partition_point(|&s| s as usize <= task);
        match submit_batches.get(part) {
            Some(&next) => next.saturating_sub(1),
            None => batch_count.saturating_sub(1),
        }
    };
    let mut batch = batches.to_vec();
    // The earliest batch of the later tasks that touch each resource, and of those that
    // run after each task.
    let mut later_on_resource = vec![u32::MAX; input.resources.len()];
    let mut later_after = vec![u32::MAX; tasks];
    let mut edges = input.after_edges.to_vec();
    edges.sort_unstable();
    let mut moved = false;
    for t in (0..tasks).rev() {
        let touched = || {
            input
                .touches
                .task_positions(Selection::All, t)
                .filter_map(|p| input.touches.at(Selection::All, p))
                .map(|touch| touch.resource as usize)
        };
        if starts[t] > ends[t] {
            let latest = touched()
                .filter_map(|r| later_on_resource.get(r).copied())
                .chain([later_after[t]])
                .min()
                .unwrap_or(u32::MAX)
                .saturating_sub(1)
                .min(last_of_part(t));
            if latest > batch[t] {
                batch[t] = latest;
                moved = true;
            }
        }
        for r in touched() {
            if let Some(later) = later_on_resource.get_mut(r) {
                *later = (*later).min(batch[t]);
            }
        }
        while let Some(&(_, earlier)) = edges.last().filter(|(task, _)| *task as usize == t) {
            edges.pop();
            if let Some(later) = later_after.get_mut(earlier as usize) {
                *later = (*later).min(batch[t]);
            }
        }
    }
    // Walking again costs a compile: only when the peak of the estimated live bytes drops.
    let lower = moved && estimated_peak(input, &batch) < estimated_peak(input, batches);
    lower.then_some(batch)
}

/// The largest sum of the estimated bytes of the transients live in one batch, with the
/// tasks in `batches`.
fn estimated_peak(input: &CompileInput, batches: &[u32]) -> u64 {
    let resources = input.resources;
    let mut life = vec![(u32::MAX, 0u32); resources.len()];
    for (t, &b) in batches.iter().enumerate() {
        for position in input.touches.task_positions(Selection::All, t) {
            if let Some(touch) = input.touches.at(Selection::All, position) {
                if let Some((first, last)) = life.get_mut(touch.resource as usize) {
                    *first = (*first).min(b);
                    *last = (*last).max(b);
                }
            }
        }
    }
    let lives = resources
        .iter()
        .zip(&life)
        .filter_map(|(info, &(first, last))| {
            let transient = info.lifetime == Lifetime::Transient && first <= last;
            transient.then(|| (first, last, estimated_bytes(&info.desc)))
        });
    peak_bytes(lives)
}

/// By task: the estimated bytes of the transients it uses first, and of those it uses last
/// (in record order).
fn transient_bytes_started_and_ended(input: &CompileInput) -> (Vec<u64>, Vec<u64>) {
    let tasks = input.touches.task_count();
    let resources = input.resources;
    let mut first = vec![u32::MAX; resources.len()];
    let mut last = vec![u32::MAX; resources.len()];
    for t in 0..tasks {
        for position in input.touches.task_positions(Selection::All, t) {
            let Some(touch) = input.touches.at(Selection::All, position) else {
                continue;
            };
            let r = touch.resource as usize;
            if resources.get(r).map(|i| i.lifetime) != Some(Lifetime::Transient) {
                continue;
            }
            if first[r] == u32::MAX {
                first[r] = t as u32;
            }
            last[r] = t as u32;
        }
    }
    let (mut starts, mut ends) = (vec![0u64; tasks], vec![0u64; tasks]);
    for (r, info) in resources.iter().enumerate() {
        if first[r] == u32::MAX {
            continue;
        }
        let bytes = estimated_bytes(&info.desc);
        starts[first[r] as usize] += bytes;
        ends[last[r] as usize] += bytes;
    }
    (starts, ends)
}

/// A transient's size, estimated without a device: a buffer's size; an image's texels
/// (all mips and layers) at 4 bytes.
fn estimated_bytes(desc: &ResourceDesc) -> u64 {
    match desc {
        ResourceDesc::Buffer(b) => b.size,
        ResourceDesc::Image(d) => {
            let texels: u64 = (0..d.mip_levels)
                .map(|m| {
                    let side = |x: u32| u64::from((x >> m).max(1));
                    side(d.extent.width) * side(d.extent.height) * side(d.extent.depth)
                })
                .sum();
            texels * u64::from(d.array_layers) * 4
        }
    }
}
