//! A small lossy set of `(source group, destination group, batch)` triples, to skip
//! recording or building the same global barrier twice.

/// A direct-mapped table: it remembers the last triple of each slot. A triple it forgot is
/// only recorded again (later deduplication drops it), so it never loses one.
pub(crate) struct SeenTriples<const SLOTS: usize> {
    slots: [(u32, u32, u32); SLOTS],
}

impl<const SLOTS: usize> SeenTriples<SLOTS> {
    /// An empty table. `SLOTS` must be a power of two.
    pub fn new() -> Self {
        const { assert!(SLOTS.is_power_of_two()) };
        Self {
            slots: [(u32::MAX, u32::MAX, u32::MAX); SLOTS],
        }
    }

    /// False when `(src, dst, batch)` is in the table; adds it otherwise.
    #[inline]
    pub fn first(&mut self, src: u32, dst: u32, batch: u32) -> bool {
        let hash = src.wrapping_mul(0x9e37_79b9)
            ^ dst.wrapping_mul(0x85eb_ca6b)
            ^ batch.wrapping_mul(0xc2b2_ae35);
        let slot = &mut self.slots[(hash >> 16) as usize & (SLOTS - 1)];
        let key = (src, dst, batch);
        let first = *slot != key;
        *slot = key;
        first
    }
}
