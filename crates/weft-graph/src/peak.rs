//! The peak of live bytes over batches: the largest sum of the sizes of the things whose
//! batch ranges hold one batch (the transients' lower bound, and the estimate compile
//! uses to decide whether moving tasks helps).

/// The largest sum of `size` over the `(first_batch, last_batch, size)` live in one batch.
pub(crate) fn peak_bytes(lives: impl Iterator<Item = (u32, u32, u64)>) -> u64 {
    let mut change: Vec<i128> = Vec::new();
    for (first, last, size) in lives {
        let end = last as usize + 1;
        if change.len() <= end {
            change.resize(end + 1, 0);
        }
        change[first as usize] += i128::from(size);
        change[end] -= i128::from(size);
    }
    let mut live = 0i128;
    let mut peak = 0i128;
    for delta in change {
        live += delta;
        peak = peak.max(live);
    }
    u64::try_from(peak).unwrap_or(0)
}
