//! What `compile()` reads of a graph: plain slices of the recording, so that the compiler
//! depends on no graph type (the graph builds this in [`crate::graph_compile`]).

use crate::access::DerivedAccess;
use crate::locality::Locality;
use crate::resource::{GraphId, ResourceInfo, ResourceSummary};
use crate::touch::{Present, TouchLists};

/// The parts of a recording `compile()` reads (nothing of the task callbacks, so that the
/// walk's threads can share it).
#[derive(Clone, Copy)]
pub(crate) struct CompileInput<'g> {
    /// The graph the plan is compiled from.
    pub graph: GraphId,
    /// The graph's revision when compiled.
    pub revision: u64,
    /// What compile reads of each attachment, by task (and so the number of tasks).
    pub touches: &'g TouchLists,
    /// The distinct accesses the touches refer to.
    pub accesses: &'g [DerivedAccess],
    /// `(task, earlier task)`: the task runs after the earlier one.
    pub after_edges: &'g [(u32, u32)],
    /// Task counts at each submit boundary (strictly increasing, never 0).
    pub submits: &'g [u32],
    /// What compile needs of each resource.
    pub summaries: &'g [ResourceSummary],
    /// The declared resources (same indices as `summaries`).
    pub resources: &'g [ResourceInfo],
    /// The presents at the end of the graph.
    pub presents: &'g [Present],
    /// How close together tasks use the same resources.
    pub locality: &'g Locality,
    /// By task: the earliest batch it may go in (empty: no such floor). Set by compile to
    /// move tasks later (see [`super::lifetimes`]).
    pub min_batch: &'g [u32],
}
