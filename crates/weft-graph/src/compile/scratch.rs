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

use super::barriers::{Barriers, ImageStamp};
use super::walk::{Walk, WalkScratch};

/// Reusable vectors; each user clears what it takes.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The walk's.
    pub walk: WalkScratch,
    /// For the trailing boundary's barriers.
    pub stamps: Vec<ImageStamp>,
    pub trailing: Barriers,
}

impl Scratch {
    /// Keeps what a walk handed over (its tracks and barriers), for the next one.
    pub fn keep(&mut self, walk: Walk) {
        self.walk.keep(walk);
    }
}

/// The graph's slot for its scratch.
#[derive(Default)]
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
