//! One rule for the runtime's locks: every mutex here guards plain data (a resource's
//! synchronisation state, the submission counter, the graveyard, id slots, image views)
//! that the code holding it updates without anything that can panic in between. A lock
//! poisoned by a panic elsewhere therefore still holds consistent data, so it is used, not
//! skipped: a skipped lock would drop a barrier, a wait or a destruction silently. (The
//! memory allocator's lock is the exception: gpu-allocator's own code runs under it, so a
//! poisoned allocator is an error.)

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, recovering it when a panic elsewhere poisoned it (see the module doc).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
