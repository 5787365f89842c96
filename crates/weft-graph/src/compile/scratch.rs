//! The working memory of `compile()`, kept by the graph between compiles.
//!
//! A graph is compiled again after a resize or for another condition; its large temporary
//! arrays (transitions, their batch-sorted copy, the per-resource range maps) then have
//! the same sizes as last time. Keeping them avoids allocating, faulting in and freeing
//! megabytes per compile on large graphs: only the plan itself is allocated.
//!
//! The memory is kept until the graph is dropped. A compile that finds the scratch in use
//! (another thread compiling the same graph) works with fresh memory instead of waiting.

use std::sync::Mutex;

use super::barriers::BarrierScratch;
use super::dependencies::{GlobalTransition, Join, PendingGlobal, Track, Transition};

/// Reusable vectors; each user clears what it takes.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub transitions: Vec<Transition>,
    pub globals: Vec<GlobalTransition>,
    pub joins: Vec<Join>,
    pub pending: Vec<PendingGlobal>,
    pub tracks: Vec<Track>,
    pub barriers: BarrierScratch,
}

/// The graph's slot for its scratch.
#[derive(Debug, Default)]
pub(crate) struct ScratchSlot(Mutex<Scratch>);

impl ScratchSlot {
    /// The kept scratch, or an empty one when another compile holds it.
    pub fn take(&self) -> Scratch {
        match self.0.try_lock() {
            Ok(mut kept) => std::mem::take(&mut *kept),
            Err(_) => Scratch::default(),
        }
    }

    /// Keeps `scratch` for the next compile (unless another compile holds the slot).
    pub fn put_back(&self, scratch: Scratch) {
        if let Ok(mut kept) = self.0.try_lock() {
            *kept = scratch;
        }
    }
}
