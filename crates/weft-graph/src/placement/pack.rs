//! Packing transients into memory blocks: offsets such that two resources live in a common
//! batch never share a byte, and a linear resource (a buffer) never shares a
//! `bufferImageGranularity` page with an optimal one (an image) live beside it.
//!
//! The heuristic is greedy first fit: take the resources in some order; put each at the
//! lowest offset of the first block of a compatible memory type where it overlaps no
//! placed resource whose lifetime meets its own. Three orders are tried (largest first;
//! earliest first, largest first among equals; longest-lived first) and the smallest total
//! kept. The lower bound is the largest sum of (aligned) sizes live in one batch: no
//! placement can need less.

use std::collections::BTreeSet;

use crate::peak::peak_bytes;

/// One transient to place.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    pub first_batch: u32,
    pub last_batch: u32,
    pub size: u64,
    /// A power of two.
    pub alignment: u64,
    pub type_bits: u32,
    /// A buffer (or a linearly tiled image), for `bufferImageGranularity`.
    pub linear: bool,
}

impl Item {
    fn lives_with(&self, other: &Item) -> bool {
        self.first_batch <= other.last_batch && other.first_batch <= self.last_batch
    }
}

/// Where one item went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spot {
    pub block: u32,
    pub offset: u64,
}

/// A block of memory the items of one compatible set of memory types share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub size: u64,
    /// The largest alignment of its items.
    pub alignment: u64,
    /// The memory types every item in it can live in.
    pub type_bits: u32,
}

/// The items' spots and the blocks, the smallest total of the orders tried.
pub(crate) fn pack(items: &[Item], granularity: u64) -> (Vec<Spot>, Vec<Block>) {
    let by = |key: fn(&Item) -> (u64, u64)| {
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| key(&items[i]));
        order
    };
    let orders = [
        by(|i| (u64::MAX - i.size, u64::from(i.first_batch))),
        by(|i| (u64::from(i.first_batch), u64::MAX - i.size)),
        by(|i| {
            let span = u64::from(i.last_batch - i.first_batch);
            (u64::MAX - span, u64::MAX - i.size)
        }),
    ];
    let total = |blocks: &[Block]| blocks.iter().map(|b| b.size).sum::<u64>();
    let bound = lower_bound(items);
    let mut best: Option<(Vec<Spot>, Vec<Block>)> = None;
    for order in &orders {
        let packed = first_fit(items, order, granularity);
        if best.as_ref().is_none_or(|b| total(&packed.1) < total(&b.1)) {
            best = Some(packed);
        }
        if best.as_ref().is_some_and(|b| total(&b.1) <= bound) {
            // Nothing can need less.
            break;
        }
    }
    best.unwrap_or_default()
}

/// Greedy first fit in `order`.
///
/// Finding the placed items live with the next one is what costs: per block, long-lived
/// items (living more than a sixteenth of the batches) are kept sorted by offset and
/// scanned; short-lived ones are kept by first batch, so only those starting late enough
/// (by the longest short span) to meet the item are looked at. A chain of 10,000 two-batch transients then costs
/// about as much as 10,000 look-ups, and 1,500 transients all live together about
/// 1,500 × 1,500 steps.
fn first_fit(items: &[Item], order: &[usize], granularity: u64) -> (Vec<Spot>, Vec<Block>) {
    let batches = items.iter().map(|i| i.last_batch + 1).max().unwrap_or(0);
    let long_span = (batches / 16).max(8);
    let is_long = |i: &Item| i.last_batch - i.first_batch > long_span;
    let mut spots = vec![Spot::default(); items.len()];
    let mut blocks: Vec<Block> = Vec::new();
    // Per block: long-lived members by offset, short-lived ones by (first batch, index).
    let mut long: Vec<Vec<usize>> = Vec::new();
    let mut short: Vec<BTreeSet<(u32, usize)>> = Vec::new();
    // Per block: the longest span of its short-lived members.
    let mut short_span: Vec<u32> = Vec::new();
    let mut near: Vec<(u64, u64)> = Vec::new();
    for &i in order {
        let item = &items[i];
        let block = blocks
            .iter()
            .position(|b| b.type_bits & item.type_bits != 0)
            .unwrap_or_else(|| {
                blocks.push(Block {
                    size: 0,
                    alignment: 1,
                    type_bits: item.type_bits,
                });
                long.push(Vec::new());
                short.push(BTreeSet::new());
                short_span.push(0);
                blocks.len() - 1
            });
        // The byte ranges it must avoid: those of the items live with it, widened to whole
        // granularity pages for neighbours of the other tiling; sorted by start.
        let avoid = |m: usize| {
            let other = &items[m];
            let (start, end) = (spots[m].offset, spots[m].offset + other.size);
            if other.linear != item.linear && granularity > 1 {
                (align_down(start, granularity), align_up(end, granularity))
            } else {
                (start, end)
            }
        };
        near.clear();
        let from = item.first_batch.saturating_sub(short_span[block]);
        near.extend(
            short[block]
                .range((from, 0)..=(item.last_batch, usize::MAX))
                .filter(|&&(_, m)| item.lives_with(&items[m]))
                .map(|&(_, m)| avoid(m)),
        );
        near.sort_unstable();
        // The lowest offset below every range it must avoid or past it, the two sorted
        // sources merged as they are walked.
        let mut far = long[block]
            .iter()
            .filter(|&&m| item.lives_with(&items[m]))
            .map(|&m| avoid(m))
            .peekable();
        let mut near = near.iter().copied().peekable();
        let mut offset = 0;
        loop {
            let next = match (far.peek(), near.peek()) {
                (Some(f), Some(n)) if f <= n => far.next(),
                (Some(_), Some(_)) | (None, Some(_)) => near.next(),
                (Some(_), None) => far.next(),
                (None, None) => None,
            };
            let Some((start, end)) = next else { break };
            if offset + item.size <= start {
                break;
            }
            if end > offset {
                offset = align_up(end, item.alignment);
            }
        }
        spots[i] = Spot {
            block: block as u32,
            offset,
        };
        if is_long(item) {
            let at = long[block].partition_point(|&m| spots[m].offset <= offset);
            long[block].insert(at, i);
        } else {
            short[block].insert((item.first_batch, i));
            short_span[block] = short_span[block].max(item.last_batch - item.first_batch);
        }
        let b = &mut blocks[block];
        b.size = b.size.max(offset + item.size);
        b.alignment = b.alignment.max(item.alignment);
        b.type_bits &= item.type_bits;
    }
    (spots, blocks)
}

/// The largest sum of aligned sizes of the items live in one batch.
pub(crate) fn lower_bound(items: &[Item]) -> u64 {
    peak_bytes(
        items
            .iter()
            .map(|i| (i.first_batch, i.last_batch, align_up(i.size, i.alignment))),
    )
}

fn align_up(value: u64, alignment: u64) -> u64 {
    value.next_multiple_of(alignment.max(1))
}

fn align_down(value: u64, alignment: u64) -> u64 {
    value / alignment.max(1) * alignment.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(first: u32, last: u32, size: u64) -> Item {
        Item {
            first_batch: first,
            last_batch: last,
            size,
            alignment: 256,
            type_bits: 1,
            linear: true,
        }
    }

    /// No two items live together overlap in memory (ranges widened across tilings).
    fn check(items: &[Item], spots: &[Spot], granularity: u64) {
        for (a, (ia, sa)) in items.iter().zip(spots).enumerate() {
            assert_eq!(sa.offset % ia.alignment, 0);
            for (ib, sb) in items.iter().zip(spots).skip(a + 1) {
                if sa.block != sb.block || !ia.lives_with(ib) {
                    continue;
                }
                let g = if ia.linear != ib.linear {
                    granularity
                } else {
                    1
                };
                let (a0, a1) = (align_down(sa.offset, g), align_up(sa.offset + ia.size, g));
                let (b0, b1) = (align_down(sb.offset, g), align_up(sb.offset + ib.size, g));
                assert!(
                    a1 <= b0 || b1 <= a0,
                    "{ia:?} at {sa:?} and {ib:?} at {sb:?}"
                );
            }
        }
    }

    #[test]
    fn resources_live_apart_share_memory() {
        let items = [item(0, 1, 1024), item(2, 3, 1024), item(1, 2, 512)];
        let (spots, blocks) = pack(&items, 1);
        check(&items, &spots, 1);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].size, 1536);
        assert_eq!(lower_bound(&items), 1536);
    }

    #[test]
    fn tilings_keep_a_granularity_page_apart_and_types_split_blocks() {
        let mut image = item(0, 0, 100);
        image.linear = false;
        let items = [
            item(0, 0, 100),
            image,
            Item {
                type_bits: 2,
                ..item(0, 0, 64)
            },
        ];
        let (spots, blocks) = pack(&items, 4096);
        check(&items, &spots, 4096);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].size, 4096 + 100);
        assert_eq!(blocks[1].size, 64);
    }

    #[test]
    fn random_lifetimes_never_overlap_and_stay_near_the_bound() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut worst = 1.0f64;
        for _ in 0..200 {
            let items: Vec<Item> = (0..2 + next(40))
                .map(|_| {
                    let first = next(20) as u32;
                    let mut it = item(first, first + next(6) as u32, 256 * (1 + next(64)));
                    it.linear = next(2) == 0;
                    it
                })
                .collect();
            let (spots, blocks) = pack(&items, 1024);
            check(&items, &spots, 1024);
            let total: u64 = blocks.iter().map(|b| b.size).sum();
            let bound = lower_bound(&items);
            assert!(total >= bound);
            worst = worst.max(total as f64 / bound as f64);
        }
        println!("worst placement: {worst:.3} of the bound");
        assert!(worst < 1.6, "worst placement {worst:.3} of the bound");
    }
}
