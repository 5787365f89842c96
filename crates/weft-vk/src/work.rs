//! What a task records when its plan runs: a callback (the user's, or a built-in task's),
//! or a compute dispatch kept as plain data, which the recorder replays without building a
//! task context or calling through a box.

use crate::dispatch::Dispatch;
use crate::task_context::Callback;

/// What a task records when its plan runs (the task type of the runtime's
/// [`weft_graph::TaskGraph`]).
pub enum Work<U> {
    /// A closure that records the task's commands (see [`crate::Task::run`]).
    Callback(Callback<U>),
    /// A compute task's dispatch (see [`crate::ComputeTask`]).
    Dispatch(Dispatch<U>),
}

impl<U> Work<U> {
    /// Asks the CPU to bring what recording the task reads first closer (see
    /// [`crate::executor`]'s prefetch): the callback's captured state, or the dispatch's
    /// descriptor slots.
    #[inline]
    pub(crate) fn prefetch(&self) {
        match self {
            Self::Callback(callback) => crate::prefetch::prefetch::<_, 4>(&**callback),
            Self::Dispatch(dispatch) => dispatch.prefetch(),
        }
    }
}
