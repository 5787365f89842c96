//! Software prefetch for recording. Recording walks the tasks in plan order, not in the
//! order their callbacks were allocated, so the first touch of each callback's captured
//! state misses the cache; asking for the next task's while this one records hides it.

/// Asks the CPU to bring the first `LINES` cache lines of `value` closer (from the line
/// it starts in), without waiting for them; nothing on targets without a prefetch hint.
/// A fixed count keeps it a few instructions (no loop over the value's size).
#[inline]
pub(crate) fn prefetch<T: ?Sized, const LINES: usize>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        const LINE: usize = 64;
        let start = (value as *const T).cast::<i8>();
        let first_line = start.wrapping_sub(start as usize % LINE);
        for line in 0..LINES {
            // SAFETY: a prefetch is a hint: it never faults, reads nothing into the program
            // and writes nothing; SSE, which provides it, is part of every x86_64 CPU.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first_line.wrapping_add(line * LINE)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
