//! How to compile: the public options, and the modes the compiler's functions take instead
//! of positional flags.

/// How to compile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Debug mode (the "in-order queue"): no reordering, one task per batch in record
    /// order, and a full barrier between every two tasks. Use it to tell a scheduling bug
    /// from a shader bug.
    pub sequential: bool,
    /// How many threads the walk over the tasks may use.
    pub threads: CompileThreads,
    /// Keep every task in its earliest batch: no moves that shorten transient lifetimes
    /// (see `compile`'s phase 0). Off by default.
    pub earliest_batches: bool,
}

/// How many threads [`TaskGraph::compile`](crate::TaskGraph::compile) may use. With two, the
/// walk over the tasks runs in two parts (one per half of the resources) that wait for each
/// other only where a task needs the batch of an earlier one the other part has not placed
/// yet, and each part builds the barriers of its half of the resources on its own thread. The plan is the same whichever is
/// chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompileThreads {
    /// Two threads for graphs of at least 8,192 attachments, when the process may use two
    /// cores or more and at most a quarter of the graph's resource uses follow a use of the
    /// same resource within 32 tasks (in chains and mip chains the two parts would wait for
    /// each other at almost every task); the calling thread alone otherwise.
    #[default]
    Auto,
    /// The calling thread alone.
    One,
    /// The calling thread and one more, whatever the graph's size (unless the second
    /// thread cannot be started).
    Two,
}

impl CompileOptions {
    /// The order of tasks these options ask for.
    pub(crate) fn order(&self) -> Order {
        if self.sequential {
            Order::Sequential
        } else {
            Order::Reordered
        }
    }
}

/// How the walk places tasks in batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// Each task in the earliest batch its dependencies allow.
    Reordered,
    /// The sequential debug mode: every task in its own batch, in record order, with a full
    /// barrier between every two.
    Sequential,
}

/// Whether the walk builds the barriers of the boundaries between batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BarrierMode {
    /// Build them (for a plan).
    Build,
    /// Skip them (a walk that only counts batches or collects edges).
    Skip,
}

/// Whether the walk keeps the task-to-task dependencies (for inspection only): a type, so
/// that the walk is compiled once per mode and the mode costs nothing at run time.
pub(crate) trait EdgeMode {
    /// True when the walk keeps them.
    const KEEP: bool;
}

/// Keep the task-to-task dependencies (for inspection; the walk then runs on one thread
/// and builds no barriers).
pub(crate) enum KeepEdges {}

/// Do not keep them (a walk for a plan).
pub(crate) enum NoEdges {}

impl EdgeMode for KeepEdges {
    const KEEP: bool = true;
}

impl EdgeMode for NoEdges {
    const KEEP: bool = false;
}
