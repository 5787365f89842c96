//! A real resource's synchronisation states behind their lock, with a stamp that changes
//! whenever they may change: every way to change them takes a fresh stamp from one
//! process-wide counter, and so does every new resource. Equal stamps therefore mean the
//! same resource in the same states, which lets the executor see that nothing touched a
//! resource since its own last execution without locking it or reading its states.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::locks::lock;

/// The next stamp to hand out (0 is never one: it stands for "no resource").
static NEXT_STAMP: AtomicU64 = AtomicU64::new(1);

fn fresh_stamp() -> u64 {
    NEXT_STAMP.fetch_add(1, Ordering::Relaxed)
}

/// How many stamps were handed out so far: while it stays the same, no states anywhere
/// changed and no resource was made.
pub(crate) fn stamps_taken() -> u64 {
    NEXT_STAMP.load(Ordering::Acquire)
}

/// States `S` with a stamp (see the module doc).
#[derive(Debug)]
pub(crate) struct Stamped<S> {
    states: Mutex<S>,
    stamp: AtomicU64,
}

impl<S> Stamped<S> {
    /// New states with a stamp no other states ever had.
    pub fn new(states: S) -> Self {
        Self {
            states: Mutex::new(states),
            stamp: AtomicU64::new(fresh_stamp()),
        }
    }

    /// Locks the states to change them: they take a fresh stamp (whether or not the caller
    /// then changes anything).
    pub fn change(&self) -> MutexGuard<'_, S> {
        let states = lock(&self.states);
        self.stamp.store(fresh_stamp(), Ordering::Release);
        states
    }

    /// Reads the states under their lock, keeping the stamp.
    pub fn read<R>(&self, f: impl FnOnce(&S) -> R) -> R {
        f(&lock(&self.states))
    }

    /// The current stamp.
    pub fn stamp(&self) -> u64 {
        self.stamp.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_differ_between_states_and_after_every_change() {
        let a = Stamped::new(1);
        let b = Stamped::new(1);
        assert_ne!(a.stamp(), b.stamp());
        let before = a.stamp();
        assert_eq!(a.read(|v| *v), 1);
        assert_eq!(a.stamp(), before, "reading keeps the stamp");
        drop(a.change());
        assert_ne!(a.stamp(), before, "locking to change takes a new one");
        assert_ne!(a.stamp(), b.stamp());
    }
}
