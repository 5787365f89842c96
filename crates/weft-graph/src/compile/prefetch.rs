//! Cache hints for the walk's scattered reads on large graphs. They never change results.

/// A hint to load the cache line of `values[index]`; no effect on results, whatever the
/// index.
#[inline(always)]
pub(crate) fn prefetch_slot<T>(values: &[T], index: usize) {
    prefetch_address(values.as_ptr().wrapping_add(index).cast::<u8>());
}

/// A hint to load `value`'s cache line; no effect on results.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    prefetch_address((value as *const T).cast::<u8>());
}

/// A hint to load the cache line at `address`; no effect on results, whatever the address.
#[inline(always)]
pub(crate) fn prefetch_address(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint: it never faults, even on an invalid address,
        // and changes no state.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}
