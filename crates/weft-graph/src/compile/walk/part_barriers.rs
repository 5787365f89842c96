//! The barriers of the parts: each part builds those of the resources it owns (both
//! parities when it is the only part, one otherwise), on its own thread, once it has
//! finished its transitions ([`build_part`]); [`PartBarriers::joined_with`] then joins the
//! parts' boundary by boundary, even parity before odd, with the trailing boundary.
//!
//! A part that owns both parities builds each parity's barriers at a boundary on their own
//! and folds the odd ones into the even ones as the join folds two parts' (see
//! [`Boundaries`]): the plan is the same from one part or two.

use crate::compile::barriers::{
    fold_memory_barriers, Barriers, Boundaries, ImageStamp, SortedTransitions,
};
use crate::compile::groups::GroupTable;
use crate::compile::options::Order;
use crate::compile::transitions::{GlobalTransition, Transition};
use crate::plan::Boundary;
use crate::resource::ResourceSummary;

/// The working memory of a part's [`build_part`], kept between compiles.
#[derive(Debug, Default)]
pub(super) struct BarrierScratch {
    sorted: Vec<Transition>,
    sorted_globals: Vec<GlobalTransition>,
    stamps: Vec<ImageStamp>,
}

/// Builds the barriers of boundaries `0..batch_count` (every one but the trailing one)
/// from one part's transitions into `out`, for the resource parities in `parities` (the
/// parities of the resources the part owns). At each boundary, each parity's barriers are
/// built from its own transitions, then folded into the earlier parities' as
/// [`PartBarriers::joined_with`] joins those of parts, so the plan is the same whether one
/// part or two built them.
#[allow(clippy::too_many_arguments)]
pub(super) fn build_part(
    transitions: &[Transition],
    globals: &[GlobalTransition],
    parities: std::ops::Range<usize>,
    groups: &GroupTable,
    resources: &[ResourceSummary],
    batch_count: u32,
    order: Order,
    scratch: &mut BarrierScratch,
    out: &mut Barriers,
) {
    let BarrierScratch {
        sorted,
        sorted_globals,
        stamps,
    } = scratch;
    let odd = by_batch(transitions, batch_count, sorted);
    let odd_globals = by_batch(globals, batch_count, sorted_globals);
    let lists = [
        SortedTransitions {
            ranged: &sorted[..odd],
            globals: &sorted_globals[..odd_globals],
        },
        SortedTransitions {
            ranged: &sorted[odd..],
            globals: &sorted_globals[odd_globals..],
        },
    ];
    Boundaries {
        classes: lists.get(parities).unwrap_or(&[]),
        groups,
        resources,
        batch_count,
        order,
    }
    .build(0..batch_count, stamps, out);
}

/// The barriers of the boundaries between batches, as the parts of a walk built them (one
/// [`Barriers`] per part, in part order; only valid after a walk that built them). The
/// parts keep their memory between compiles.
#[derive(Debug, Default)]
pub(crate) struct PartBarriers {
    pub(super) parts: Vec<Barriers>,
}

impl PartBarriers {
    /// The barriers of the plan: the parts' joined boundary by boundary, then `trailing`
    /// (the boundary after the last batch, `batch_count`).
    ///
    /// At each boundary, the later parts' image barriers and first uses follow the earlier
    /// ones'; their memory barriers are added unless an earlier one covers them (dropping
    /// the earlier ones they cover). With one part, its barriers are already joined: they
    /// are moved, not copied.
    pub fn joined_with(&mut self, trailing: &Barriers, batch_count: u32) -> Barriers {
        let parts = &mut self.parts[..];
        if let [one] = parts {
            let mut out = std::mem::take(one);
            out.append(trailing);
            return out;
        }
        // The plan's arrays, allocated once at their final sizes.
        let total =
            |len: fn(&Barriers) -> usize| parts.iter().map(len).sum::<usize>() + len(trailing);
        let mut out = Barriers {
            boundaries: Vec::with_capacity(batch_count as usize + 1),
            memory: Vec::with_capacity(total(|b| b.memory.len())),
            image: Vec::with_capacity(total(|b| b.image.len())),
            first_uses: Vec::with_capacity(total(|b| b.first_uses.len())),
        };
        let mut first_uses = vec![0usize; parts.len()];
        for boundary in 0..batch_count as usize {
            let memory_start = out.memory.len();
            let image_start = out.image.len();
            for (index, (part, at)) in parts.iter().zip(&mut first_uses).enumerate() {
                let Some(b) = part.boundaries.get(boundary) else {
                    continue;
                };
                let memory = slice(&part.memory, &b.memory);
                if index == 0 {
                    out.memory.extend_from_slice(memory);
                } else {
                    fold_memory_barriers(&mut out.memory, memory_start, memory);
                }
                out.image.extend_from_slice(slice(&part.image, &b.image));
                while let Some(&u) = part
                    .first_uses
                    .get(*at)
                    .filter(|u| u.batch as usize == boundary)
                {
                    out.first_uses.push(u);
                    *at += 1;
                }
            }
            out.boundaries.push(Boundary {
                memory: memory_start as u32..out.memory.len() as u32,
                image: image_start as u32..out.image.len() as u32,
            });
        }
        out.append(trailing);
        out
    }
}

/// `values[range]` (empty when out of bounds).
fn slice<'a, T>(values: &'a [T], range: &std::ops::Range<u32>) -> &'a [T] {
    values
        .get(range.start as usize..range.end as usize)
        .unwrap_or(&[])
}

/// A transition with the batch its barrier goes before.
trait Batched: Copy {
    fn batch(&self) -> u32;
    fn resource(&self) -> u32;
}

impl Batched for Transition {
    fn batch(&self) -> u32 {
        self.batch
    }
    fn resource(&self) -> u32 {
        self.resource
    }
}

impl Batched for GlobalTransition {
    fn batch(&self) -> u32 {
        self.batch
    }
    fn resource(&self) -> u32 {
        self.resource
    }
}

/// Sorts one part's transitions into `sorted`: those of even resources, then those of odd
/// ones, each by batch, each batch in list order (the order the part made them in; a part
/// that owns one parity makes them in the order a part that owns both would). Returns where
/// the odd ones start. Batches past `batch_count` count as the last.
fn by_batch<T: Batched>(list: &[T], batch_count: u32, sorted: &mut Vec<T>) -> usize {
    let batches = batch_count.max(1) as usize;
    let slot =
        |t: &T| (t.resource() & 1) as usize * batches + (t.batch() as usize).min(batches - 1);
    let mut starts = vec![0u32; 2 * batches + 1];
    for t in list {
        starts[slot(t) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let odd = starts[batches] as usize;
    sorted.clear();
    if let Some(&first) = list.first() {
        // Placeholders, each overwritten once below.
        sorted.resize(list.len(), first);
    }
    for t in list {
        let slot = &mut starts[slot(t)];
        sorted[*slot as usize] = *t;
        *slot += 1;
    }
    odd
}
