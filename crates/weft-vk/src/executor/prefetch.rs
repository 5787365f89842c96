//! Software prefetch for recording. Recording walks the tasks in plan order, not in the
//! order their callbacks were allocated, so the first touch of each callback's captured
//! state misses the cache; asking for the next task's while this one records hides it.

/// Asks the CPU to bring the cache lines of `value` (at most its first 320 bytes) closer,
/// without waiting for them; nothing on targets without a prefetch hint.
#[inline]
pub(crate) fn prefetch<T: ?Sized>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        const LINE: usize = 64;
        let start = (value as *const T).cast::<i8>();
        let into_line = start as usize % LINE;
        let first_line = start.wrapping_sub(into_line);
        let size = std::mem::size_of_val(value).min(320);
        for offset in (0..into_line + size).step_by(LINE) {
            // SAFETY: a prefetch is a hint: it never faults, reads nothing into the program
            // and writes nothing; SSE, which provides it, is part of every x86_64 CPU.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(first_line.wrapping_add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
