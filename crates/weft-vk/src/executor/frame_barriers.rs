//! Every barrier call of one execution, assembled before recording (each boundary by
//! [`Boundary`]) and kept in the frame slot: what a boundary holds follows from the plan,
//! the bridges, the real images and whether the host reads results, so when all four are
//! those the slot's barriers were assembled for, the next execution in the slot records
//! them as they are. Each input is known by a number that changes whenever it may have
//! (the plan's serial, the bridges' generation, how often the slot's images were
//! resolved), so telling costs no walk over the images.

use ash::vk;

use super::boundary::{Boundary, BoundaryInputs};

/// The barriers of one execution, boundary after boundary (see the module doc).
#[derive(Default)]
pub(crate) struct FrameBarriers {
    memory: Vec<vk::MemoryBarrier2<'static>>,
    images: Vec<vk::ImageMemoryBarrier2<'static>>,
    /// Where each boundary's barriers start in `memory` and `images`, and one more entry
    /// where the last one's end (batch `b` has boundary `b` before it; the last boundary
    /// follows the last batch).
    starts: Vec<(usize, usize)>,
    /// What they were assembled for.
    made_for: Option<MadeFor>,
    /// Scratch for assembling one boundary.
    boundary: Boundary,
}

/// The inputs of an assembly, but the image handles.
#[derive(Clone, Copy, PartialEq, Eq)]
struct MadeFor {
    plan: u64,
    bridges: u64,
    images: u64,
    host_reads: bool,
}

impl FrameBarriers {
    /// Assembles the barriers of every boundary of `input.plan`, unless they are assembled
    /// for the same inputs already (then returns true).
    pub fn prepare(&mut self, input: &BoundaryInputs<'_>) -> bool {
        let made_for = MadeFor {
            plan: input.plan.serial(),
            bridges: input.bridges.generation(),
            images: input.images_resolved,
            host_reads: input.host_reads,
        };
        if self.made_for == Some(made_for) {
            return true;
        }
        self.memory.clear();
        self.images.clear();
        self.starts.clear();
        self.starts.push((0, 0));
        self.boundary.start();
        for batch in 0..=input.plan.batch_count() {
            self.boundary.assemble(input, batch);
            self.memory.extend_from_slice(&self.boundary.memory);
            self.images.extend_from_slice(&self.boundary.images);
            self.starts.push((self.memory.len(), self.images.len()));
        }
        self.made_for = Some(made_for);
        false
    }

    /// The memory and image barriers before `batch` (`batch_count`: after the last batch;
    /// none past it).
    #[inline]
    pub fn before(
        &self,
        batch: usize,
    ) -> (
        &[vk::MemoryBarrier2<'static>],
        &[vk::ImageMemoryBarrier2<'static>],
    ) {
        match (self.starts.get(batch), self.starts.get(batch + 1)) {
            (Some(&(memory, images)), Some(&(memory_end, images_end))) => (
                self.memory.get(memory..memory_end).unwrap_or_default(),
                self.images.get(images..images_end).unwrap_or_default(),
            ),
            _ => (&[], &[]),
        }
    }
}
