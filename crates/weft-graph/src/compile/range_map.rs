//! A map from the intervals of one resource's linear subresource space to a state. A map
//! covers its whole resource from the start (one segment in the initial state); updates cut
//! it at the updated range's borders and give the pieces new states.

/// One interval `[start, end)` and its state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment<S> {
    pub start: u64,
    pub end: u64,
    pub state: S,
}

/// Sorted segments, each starting where the one before ends. Most resources are only ever
/// touched whole, so a map with one segment keeps it inline: compiling a graph does not
/// allocate per resource.
#[derive(Clone, Debug)]
pub(crate) enum RangeMap<S> {
    One(Segment<S>),
    Many(Vec<Segment<S>>),
}

impl<S: Copy + PartialEq> RangeMap<S> {
    /// A map with one segment `[start, end)` in state `state`.
    pub fn filled(start: u64, end: u64, state: S) -> Self {
        Self::One(Segment { start, end, state })
    }

    /// Makes this a map with one segment `[start, end)` in state `state`, keeping its
    /// memory for later splits.
    pub fn refill(&mut self, start: u64, end: u64, state: S) {
        let segment = Segment { start, end, state };
        match self {
            Self::Many(segments) => {
                segments.clear();
                segments.push(segment);
            }
            _ => *self = Self::One(segment),
        }
    }

    /// The segments in order, to change their states (not their borders).
    fn segments_mut(&mut self) -> &mut [Segment<S>] {
        match self {
            Self::One(s) => std::slice::from_mut(s),
            Self::Many(v) => v,
        }
    }

    /// Updates `[start, end)`: cuts the map at its borders, lets `f` change the state of
    /// each piece in order (the borders are not `f`'s to change), then merges pieces that
    /// ended equal. Parts of segments outside `[start, end)` keep their state.
    #[inline]
    pub fn update(&mut self, start: u64, end: u64, mut f: impl FnMut(&mut Segment<S>)) {
        // The most common views cover the whole resource: no search, no cut.
        let pieces = match self {
            Self::One(seg) if seg.start == start && seg.end == end => 0..1,
            Self::Many(segments) if covers_exactly(segments, start, end) => 0..segments.len(),
            _ => self.split(start, end),
        };
        for piece in &mut self.segments_mut()[pieces.clone()] {
            f(piece);
        }
        // Pieces of one update often end equal (a write over a fragmented range). Segments
        // around them are left alone: their states rarely equal new ones, and reading them
        // would cost a cache miss.
        if pieces.len() > 1 {
            if let Self::Many(segments) = self {
                merge_run(segments, pieces);
            }
        }
    }

    /// Cuts segments at `start` and `end` and returns the indices of the segments that
    /// then cover `[start, end)` exactly. Where the map does not reach `end`, the returned
    /// segments cover only what it does.
    #[inline(never)]
    fn split(&mut self, start: u64, end: u64) -> std::ops::Range<usize> {
        match self {
            Self::One(seg) if seg.start == start && seg.end == end => return 0..1,
            Self::One(seg) => {
                // Room for a few splits before the first reallocation.
                let mut segments = Vec::with_capacity(8);
                segments.push(*seg);
                *self = Self::Many(segments);
            }
            Self::Many(_) => {}
        }
        let Self::Many(segments) = self else {
            return 0..0;
        };
        if covers_exactly(segments, start, end) {
            return 0..segments.len();
        }
        let mut first = first_ending_after(segments, start);
        if let Some(&seg) = segments.get(first) {
            if seg.start < start {
                segments[first].end = start;
                segments.insert(first + 1, Segment { start, ..seg });
                first += 1;
            }
        }
        let mut last = first;
        while segments.get(last).is_some_and(|s| s.end < end) {
            last += 1;
        }
        if let Some(&seg) = segments.get(last) {
            if seg.start < end && end < seg.end {
                segments[last].end = end;
                segments.insert(last + 1, Segment { start: end, ..seg });
            }
        }
        first..(last + 1).min(segments.len())
    }

    /// The states of the segments in order, to change (equal neighbours are not merged).
    pub fn states_mut(&mut self) -> impl Iterator<Item = &mut S> + '_ {
        self.segments_mut().iter_mut().map(|s| &mut s.state)
    }

    /// The segments in order.
    pub fn segments(&self) -> &[Segment<S>] {
        match self {
            Self::One(s) => std::slice::from_ref(s),
            Self::Many(v) => v,
        }
    }
}

/// True when `segments` cover exactly `[start, end)`.
#[inline(always)]
fn covers_exactly<S>(segments: &[Segment<S>], start: u64, end: u64) -> bool {
    match (segments.first(), segments.last()) {
        (Some(head), Some(tail)) => head.start == start && tail.end == end,
        _ => false,
    }
}

/// The index of the first segment that ends after `point` (`segments.len()` if none).
/// Maps are short, mostly: a forward scan reads the segments in order, which is cheaper
/// than a binary search's jumps until there are many.
#[inline]
fn first_ending_after<S>(segments: &[Segment<S>], point: u64) -> usize {
    if segments.len() <= 16 {
        segments
            .iter()
            .position(|s| s.end > point)
            .unwrap_or(segments.len())
    } else {
        segments.partition_point(|s| s.end <= point)
    }
}

/// Joins neighbours with equal states among `segments[range]` (segments always touch), then
/// closes the hole the joined ones leave by moving the tail once.
fn merge_run<S: Copy + PartialEq>(segments: &mut Vec<Segment<S>>, range: std::ops::Range<usize>) {
    if range.end <= range.start + 1 {
        return;
    }
    let mut kept = range.start;
    for i in range.start + 1..range.end {
        if segments[i].state == segments[kept].state {
            segments[kept].end = segments[i].end;
        } else {
            kept += 1;
            // Nothing to move while nothing merged.
            if kept != i {
                segments[kept] = segments[i];
            }
        }
    }
    let removed = range.end - (kept + 1);
    if removed > 0 {
        segments.copy_within(range.end.., kept + 1);
        segments.truncate(segments.len() - removed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(m: &RangeMap<u32>) -> Vec<(u64, u64, u32)> {
        m.segments()
            .iter()
            .map(|s| (s.start, s.end, s.state))
            .collect()
    }

    /// Sets every piece of `[start, end)` to `f(old state)`.
    fn set(m: &mut RangeMap<u32>, start: u64, end: u64, f: impl Fn(u32) -> u32) {
        m.update(start, end, |piece| piece.state = f(piece.state));
    }

    #[test]
    fn updates_cut_at_both_borders_and_keep_the_rest() {
        let mut m = RangeMap::filled(0, 40, 0u32);
        set(&mut m, 10, 20, |_| 1);
        set(&mut m, 15, 30, |o| o + 1);
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 0),
                (10, 15, 1),
                (15, 20, 2),
                (20, 30, 1),
                (30, 40, 0)
            ]
        );
        set(&mut m, 0, 40, |o| o * 10);
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 0),
                (10, 15, 10),
                (15, 20, 20),
                (20, 30, 10),
                (30, 40, 0)
            ]
        );
        set(&mut m, 12, 13, |_| 7);
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 0),
                (10, 12, 10),
                (12, 13, 7),
                (13, 15, 10),
                (15, 20, 20),
                (20, 30, 10),
                (30, 40, 0)
            ]
        );
        // The whole map at once: every segment keeps its borders.
        set(&mut m, 0, 40, |o| o + 1);
        assert_eq!(dump(&m).len(), 7);
    }

    #[test]
    fn pieces_that_end_equal_merge_and_their_neighbours_are_left_alone() {
        let mut m = RangeMap::filled(0, 40, 0u32);
        for (start, end, state) in [(0, 10, 1), (10, 20, 2), (20, 30, 3), (30, 40, 4)] {
            set(&mut m, start, end, |_| state);
        }
        // [10, 40) holds three segments: 2 and 3 become equal and merge, 4 stays.
        set(&mut m, 10, 40, |o| if o == 4 { 40 } else { 7 });
        assert_eq!(dump(&m), vec![(0, 10, 1), (10, 30, 7), (30, 40, 40)]);
        // [5, 30) cuts the first segment; the pieces merge, the equal segment before them
        // is left alone.
        set(&mut m, 5, 30, |_| 1);
        assert_eq!(dump(&m), vec![(0, 5, 1), (5, 30, 1), (30, 40, 40)]);
        // A range on existing borders cuts nothing; unequal pieces stay apart.
        set(&mut m, 5, 40, |o| o);
        assert_eq!(dump(&m), vec![(0, 5, 1), (5, 30, 1), (30, 40, 40)]);
    }

    #[test]
    fn a_refilled_map_is_one_segment_again() {
        let mut m = RangeMap::filled(0, 40, 0u32);
        set(&mut m, 10, 20, |_| 1);
        m.refill(0, 8, 3);
        assert_eq!(dump(&m), vec![(0, 8, 3)]);
        set(&mut m, 2, 4, |_| 5);
        assert_eq!(dump(&m), vec![(0, 2, 3), (2, 4, 5), (4, 8, 3)]);
    }
}
