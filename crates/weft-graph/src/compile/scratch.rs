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
use super::dependencies::Walk;
use super::floors::Floors;
use super::walk_part::WalkPart;

/// Reusable vectors; each user clears what it takes.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The walk's parts, with their own transitions and tracks.
    pub parts: Vec<WalkPart>,
    pub floors: Floors,
    /// For the trailing boundary's barriers.
    pub stamps: Vec<ImageStamp>,
    pub trailing: Barriers,
}

impl Scratch {
    /// Keeps the tracks a walk handed over, for the next one.
    pub fn keep(&mut self, walk: Walk) {
        for (part, tracks) in self.parts.iter_mut().zip(walk.tracks.parts) {
            part.tracks = tracks;
        }
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
