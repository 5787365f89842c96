//! A map from disjoint intervals of one resource's linear subresource space to a state.
//! Intervals nobody touched yet are gaps (no entry).

/// One interval `[start, end)` and its state.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment<S> {
    pub start: u64,
    pub end: u64,
    pub state: S,
}

/// Sorted, disjoint segments. Most resources are only ever touched whole, so a map with one
/// segment keeps it inline: compiling a graph does not allocate per resource.
#[derive(Clone, Debug, Default)]
pub(crate) enum RangeMap<S> {
    #[default]
    Empty,
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
    pub fn segments_mut(&mut self) -> &mut [Segment<S>] {
        match self {
            Self::Empty => &mut [],
            Self::One(s) => std::slice::from_mut(s),
            Self::Many(v) => v,
        }
    }

    /// Cuts segments at `start` and `end` and returns the indices of the segments that
    /// then cover `[start, end)` exactly. The map must cover all of `[start, end)` (no
    /// gaps); where it does not, the returned segments cover only what it does.
    pub fn split(&mut self, start: u64, end: u64) -> std::ops::Range<usize> {
        match self {
            Self::Empty => return 0..0,
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
        // The whole map (the most common view is the whole resource): no search, no cut.
        if let (Some(head), Some(tail)) = (segments.first(), segments.last()) {
            if head.start == start && tail.end == end {
                return 0..segments.len();
            }
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

    /// Merges equal neighbours among the segments `range` (after their states changed:
    /// pieces of one update often end equal). Segments around it are left alone: their
    /// states rarely equal new ones, and reading them would cost a cache miss.
    pub fn merge_pieces(&mut self, range: std::ops::Range<usize>) {
        if let Self::Many(segments) = self {
            merge_run(segments, range);
        }
    }

    /// The segments in order.
    pub fn segments(&self) -> &[Segment<S>] {
        match self {
            Self::Empty => &[],
            Self::One(s) => std::slice::from_ref(s),
            Self::Many(v) => v,
        }
    }

    /// Updates `[start, end)`: it is cut along existing segment borders and gaps into pieces,
    /// and `f(piece_start, piece_end, old_state)` gives each piece its new state
    /// (`old_state` is `None` in a gap). Parts of segments outside `[start, end)` keep their
    /// state. `scratch` is reused storage, left empty.
    pub fn update(
        &mut self,
        start: u64,
        end: u64,
        scratch: &mut Vec<Segment<S>>,
        mut f: impl FnMut(u64, u64, Option<&S>) -> S,
    ) {
        debug_assert!(start < end);
        match self {
            Self::Empty => {
                let state = f(start, end, None);
                *self = Self::One(Segment { start, end, state });
                return;
            }
            Self::One(seg) if seg.start == start && seg.end == end => {
                seg.state = f(start, end, Some(&seg.state));
                return;
            }
            Self::One(seg) => {
                // Room for a few splits before the first reallocation.
                let mut segments = Vec::with_capacity(8);
                segments.push(*seg);
                *self = Self::Many(segments);
            }
            Self::Many(_) => {}
        }
        if let Self::Many(segments) = self {
            update_sorted(segments, start, end, scratch, f);
        }
    }
}

fn update_sorted<S: Copy + PartialEq>(
    segments: &mut Vec<Segment<S>>,
    start: u64,
    end: u64,
    scratch: &mut Vec<Segment<S>>,
    mut f: impl FnMut(u64, u64, Option<&S>) -> S,
) {
    let first = first_ending_after(segments, start);
    match segments.get_mut(first) {
        // Fast path: exactly one existing segment covers exactly the range.
        Some(seg) if seg.start == start && seg.end == end => {
            seg.state = f(start, end, Some(&seg.state));
            return;
        }
        // Fast path: the range lies inside one segment, which splits in two or three.
        Some(seg) if seg.start <= start && end <= seg.end => {
            let old = *seg;
            let state = f(start, end, Some(&old.state));
            if state == old.state {
                return;
            }
            let mut pieces = [old; 3];
            let mut count = 0;
            if old.start < start {
                pieces[count].end = start;
                count += 1;
            }
            pieces[count] = Segment { start, end, state };
            count += 1;
            if end < old.end {
                pieces[count].start = end;
                count += 1;
            }
            replace(segments, first..first + 1, &pieces[..count]);
            return;
        }
        // Fast path: the range lies in a gap.
        Some(seg) if end <= seg.start => {
            let state = f(start, end, None);
            segments.insert(first, Segment { start, end, state });
            return;
        }
        None => {
            let state = f(start, end, None);
            segments.push(Segment { start, end, state });
            return;
        }
        Some(_) => {}
    }
    if let Some(last) = tiled_end(segments, first, start, end) {
        update_tiled(segments, first..last, f);
        return;
    }
    scratch.clear();
    let mut cursor = start;
    let mut last = first;
    while let Some(seg) = segments.get(last) {
        if seg.start >= end {
            break;
        }
        if seg.start < start {
            scratch.push(Segment {
                start: seg.start,
                end: start,
                state: seg.state,
            });
        }
        if cursor < seg.start {
            let state = f(cursor, seg.start, None);
            scratch.push(Segment {
                start: cursor,
                end: seg.start,
                state,
            });
        }
        let piece_start = seg.start.max(start);
        let piece_end = seg.end.min(end);
        let state = f(piece_start, piece_end, Some(&seg.state));
        scratch.push(Segment {
            start: piece_start,
            end: piece_end,
            state,
        });
        if seg.end > end {
            scratch.push(Segment {
                start: end,
                end: seg.end,
                state: seg.state,
            });
        }
        cursor = piece_end;
        last += 1;
    }
    if cursor < end {
        let state = f(cursor, end, None);
        scratch.push(Segment {
            start: cursor,
            end,
            state,
        });
    }
    merge_equal_neighbours(scratch);
    replace(segments, first..last, scratch);
    scratch.clear();
}

/// When segments `first..last` tile `[start, end)` exactly (no gap, no overhang), `last`.
fn tiled_end<S>(segments: &[Segment<S>], first: usize, start: u64, end: u64) -> Option<usize> {
    let mut expected = start;
    for (i, seg) in segments.iter().enumerate().skip(first) {
        if seg.start != expected || seg.end > end {
            return None;
        }
        if seg.end == end {
            return Some(i + 1);
        }
        expected = seg.end;
    }
    None
}

/// Updates segments that tile the updated range exactly, in place: each keeps its borders
/// and gets its new state, then equal neighbours among them merge.
fn update_tiled<S: Copy + PartialEq>(
    segments: &mut Vec<Segment<S>>,
    range: std::ops::Range<usize>,
    mut f: impl FnMut(u64, u64, Option<&S>) -> S,
) {
    for seg in &mut segments[range.clone()] {
        seg.state = f(seg.start, seg.end, Some(&seg.state));
    }
    merge_run(segments, range);
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

/// Replaces `segments[range]` by `with`, shifting the tail once.
fn replace<S: Copy>(
    segments: &mut Vec<Segment<S>>,
    range: std::ops::Range<usize>,
    with: &[Segment<S>],
) {
    let (removed, added) = (range.end - range.start, with.len());
    if added > removed {
        let old_len = segments.len();
        // Grow by the difference (placeholders, overwritten below), then move the tail.
        segments.resize(old_len + (added - removed), with[0]);
        segments.copy_within(range.end..old_len, range.start + added);
    } else if added < removed {
        segments.copy_within(range.end.., range.start + added);
        segments.truncate(segments.len() - (removed - added));
    }
    segments[range.start..range.start + added].copy_from_slice(with);
}

/// Joins adjacent segments with equal states (they behave identically from now on).
fn merge_equal_neighbours<S: Copy + PartialEq>(segments: &mut Vec<Segment<S>>) {
    let len = segments.len();
    merge_run(segments, 0..len);
}

/// Joins touching neighbours with equal states among `segments[range]`, then closes the gap
/// the joined ones leave by moving the tail once.
fn merge_run<S: Copy + PartialEq>(segments: &mut Vec<Segment<S>>, range: std::ops::Range<usize>) {
    if range.end <= range.start + 1 {
        return;
    }
    let mut kept = range.start;
    for i in range.start + 1..range.end {
        if segments[i].state == segments[kept].state && segments[kept].end == segments[i].start {
            segments[kept].end = segments[i].end;
        } else {
            kept += 1;
            segments[kept] = segments[i];
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

    #[test]
    fn splits_and_fills_gaps() {
        let mut m = RangeMap::default();
        let mut scratch = vec![];
        m.update(10, 20, &mut scratch, |_, _, old| {
            assert!(old.is_none());
            1
        });
        m.update(15, 30, &mut scratch, |_, _, old| old.map_or(9, |o| o + 1));
        assert_eq!(dump(&m), vec![(10, 15, 1), (15, 20, 2), (20, 30, 9)]);
        m.update(0, 40, &mut scratch, |_, _, old| old.map_or(0, |o| o * 10));
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 0),
                (10, 15, 10),
                (15, 20, 20),
                (20, 30, 90),
                (30, 40, 0)
            ]
        );
        m.update(12, 13, &mut scratch, |_, _, _| 7);
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 0),
                (10, 12, 10),
                (12, 13, 7),
                (13, 15, 10),
                (15, 20, 20),
                (20, 30, 90),
                (30, 40, 0)
            ]
        );
        assert!(scratch.is_empty());
    }

    #[test]
    fn tiled_update_keeps_borders_and_merges_equal_states() {
        let mut m = RangeMap::default();
        let mut scratch = vec![];
        for (start, end, state) in [(0, 10, 1), (10, 20, 2), (20, 30, 3), (30, 40, 4)] {
            m.update(start, end, &mut scratch, |_, _, _| state);
        }
        // [10, 40) is tiled by three segments: 2 and 3 become equal and merge, 4 stays.
        m.update(10, 40, &mut scratch, |_, _, old| match old {
            Some(&4) => 40,
            _ => 7,
        });
        assert_eq!(dump(&m), vec![(0, 10, 1), (10, 30, 7), (30, 40, 40)]);
        // A range with a gap in it is not tiled and still fills the gap.
        m.update(50, 60, &mut scratch, |_, _, _| 5);
        m.update(30, 60, &mut scratch, |_, _, old| old.map_or(0, |o| o + 1));
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 1),
                (10, 30, 7),
                (30, 40, 41),
                (40, 50, 0),
                (50, 60, 6)
            ]
        );
        assert!(scratch.is_empty());
    }

    #[test]
    fn split_cuts_at_both_ends_and_merging_joins_equal_pieces() {
        let mut m = RangeMap::filled(0, 100, 0u32);
        assert_eq!(m.split(0, 100), 0..1);
        let r = m.split(20, 30);
        assert_eq!(r, 1..2);
        assert_eq!(dump(&m), vec![(0, 20, 0), (20, 30, 0), (30, 100, 0)]);
        m.segments_mut()[1].state = 5;
        m.merge_pieces(r);
        assert_eq!(dump(&m), vec![(0, 20, 0), (20, 30, 5), (30, 100, 0)]);
        // Across borders: [10, 25) cuts the first and the second segment.
        let r = m.split(10, 25);
        assert_eq!(r, 1..3);
        assert_eq!(
            dump(&m),
            vec![
                (0, 10, 0),
                (10, 20, 0),
                (20, 25, 5),
                (25, 30, 5),
                (30, 100, 0)
            ]
        );
        for seg in &mut m.segments_mut()[r.clone()] {
            seg.state = 0;
        }
        // The pieces merge; the equal segment before them is left alone.
        m.merge_pieces(r);
        assert_eq!(
            dump(&m),
            vec![(0, 10, 0), (10, 25, 0), (25, 30, 5), (30, 100, 0)]
        );
        // A range on existing borders cuts nothing; unequal pieces stay apart.
        let r = m.split(25, 100);
        assert_eq!(r, 2..4);
        m.merge_pieces(r);
        assert_eq!(
            dump(&m),
            vec![(0, 10, 0), (10, 25, 0), (25, 30, 5), (30, 100, 0)]
        );
    }
}
