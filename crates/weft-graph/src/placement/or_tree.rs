//! A segment tree over elementary intervals that ORs a value into a range and reads the OR
//! of everything put into any part of a range, both in logarithmic time: the union of the
//! stages and writes of every earlier occupant of a byte range, for hand-overs.

/// The tree over `n` elementary intervals (see the module doc).
pub(crate) struct OrTree {
    n: usize,
    /// Per node: the OR of all values put anywhere in its range.
    below: Vec<[u64; 2]>,
    /// Per node: the OR of the values put over its whole range.
    whole: Vec<[u64; 2]>,
}

fn or(a: [u64; 2], b: [u64; 2]) -> [u64; 2] {
    [a[0] | b[0], a[1] | b[1]]
}

impl OrTree {
    /// A tree of `n` empty intervals.
    pub fn new(n: usize) -> Self {
        let nodes = 4 * n.max(1);
        Self {
            n,
            below: vec![[0; 2]; nodes],
            whole: vec![[0; 2]; nodes],
        }
    }

    /// ORs `value` into intervals `range`.
    pub fn put(&mut self, range: std::ops::Range<usize>, value: [u64; 2]) {
        self.put_at(1, 0, self.n, &range, value);
    }

    /// The OR of everything put into any interval of `range`.
    pub fn get(&self, range: std::ops::Range<usize>) -> [u64; 2] {
        self.get_at(1, 0, self.n, &range)
    }

    fn put_at(
        &mut self,
        node: usize,
        lo: usize,
        hi: usize,
        r: &std::ops::Range<usize>,
        v: [u64; 2],
    ) {
        if r.end <= lo || hi <= r.start {
            return;
        }
        if r.start <= lo && hi <= r.end {
            self.whole[node] = or(self.whole[node], v);
            self.below[node] = or(self.below[node], v);
            return;
        }
        let mid = (lo + hi) / 2;
        self.put_at(2 * node, lo, mid, r, v);
        self.put_at(2 * node + 1, mid, hi, r, v);
        self.below[node] = or(
            self.whole[node],
            or(self.below[2 * node], self.below[2 * node + 1]),
        );
    }

    fn get_at(&self, node: usize, lo: usize, hi: usize, r: &std::ops::Range<usize>) -> [u64; 2] {
        if r.end <= lo || hi <= r.start {
            return [0; 2];
        }
        if r.start <= lo && hi <= r.end {
            return self.below[node];
        }
        let mid = (lo + hi) / 2;
        or(
            self.whole[node],
            or(
                self.get_at(2 * node, lo, mid, r),
                self.get_at(2 * node + 1, mid, hi, r),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_see_what_was_put_over_any_part_of_them() {
        let mut tree = OrTree::new(10);
        tree.put(2..5, [1, 0]);
        tree.put(4..9, [0, 2]);
        tree.put(0..10, [4, 0]);
        assert_eq!(tree.get(0..2), [4, 0]);
        assert_eq!(tree.get(2..3), [5, 0]);
        assert_eq!(tree.get(5..6), [4, 2]);
        assert_eq!(tree.get(3..5), [5, 2]);
        assert_eq!(tree.get(9..10), [4, 0]);
        let mut brute = [[0u64; 2]; 10];
        let mut seed = 7u64;
        let mut tree = OrTree::new(10);
        for _ in 0..500 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = (seed >> 33) as usize % 10;
            let b = a + 1 + (seed >> 40) as usize % (10 - a);
            let v = [1 << ((seed >> 20) % 64), 1 << ((seed >> 50) % 64)];
            if seed & 1 == 0 {
                tree.put(a..b, v);
                brute[a..b].iter_mut().for_each(|x| *x = or(*x, v));
            } else {
                let want = brute[a..b].iter().fold([0; 2], |acc, x| or(acc, *x));
                assert_eq!(tree.get(a..b), want);
            }
        }
    }
}
