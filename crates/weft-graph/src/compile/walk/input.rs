//! What every part of the walk reads (nothing of the task callbacks, which need not be
//! shared between threads).

use crate::access::DerivedAccess;
use crate::compile::options::{BarrierMode, Order};
use crate::resource::ResourceSummary;
use crate::touch::TouchLists;

/// What every part reads of the graph (nothing of the task callbacks, which need not be
/// shared between threads).
pub(super) struct WalkInput<'g> {
    pub touches: &'g TouchLists,
    pub accesses: &'g [DerivedAccess],
    pub after: &'g AfterEdges,
    /// Task counts at each submit boundary.
    pub submits: &'g [u32],
    /// By task: the earliest batch it may go in (empty: none).
    pub min_batch: &'g [u32],
    pub summaries: &'g [ResourceSummary],
    /// How tasks are placed in batches.
    pub order: Order,
    /// Whether each part builds the barriers of its transitions once the walk is done
    /// (not for a walk that only counts batches or collects edges).
    pub barriers: BarrierMode,
}

/// Explicit edges grouped by task (compressed rows).
pub(super) struct AfterEdges {
    offsets: Vec<u32>,
    earlier: Vec<u32>,
}

impl AfterEdges {
    pub fn new(task_count: usize, edges: &[(u32, u32)]) -> Self {
        let mut offsets = vec![0u32; task_count + 1];
        for &(t, _) in edges {
            offsets[t as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut fill = offsets.clone();
        let mut earlier = vec![0u32; edges.len()];
        for &(t, e) in edges {
            earlier[fill[t as usize] as usize] = e;
            fill[t as usize] += 1;
        }
        Self { offsets, earlier }
    }

    /// The tasks `task` must run after.
    pub fn of(&self, task: usize) -> &[u32] {
        &self.earlier[self.offsets[task] as usize..self.offsets[task + 1] as usize]
    }
}
