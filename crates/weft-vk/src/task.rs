//! Callback tasks: attachments declared by hand and a closure that records the commands.

use weft_graph::{Access, TaskBuilder, TaskId, View};

use crate::error::VkError;
use crate::task_context::TaskContext;
use crate::work::Work;

/// What a task callback returns: `()`, or a `Result` whose error stops the execution.
pub trait TaskOutcome {
    /// The outcome as a result.
    fn into_result(self) -> Result<(), VkError>;
}

impl TaskOutcome for () {
    fn into_result(self) -> Result<(), VkError> {
        Ok(())
    }
}

impl TaskOutcome for Result<(), VkError> {
    fn into_result(self) -> Result<(), VkError> {
        self
    }
}

/// Builds a task that runs a callback (see [`crate::Graph::task`]): attach views with
/// their accesses, order it after other tasks, give the closure, then `record`.
pub struct Task<'g, U: 'static> {
    builder: TaskBuilder<'g, Work<U>>,
}

impl<'g, U: 'static> Task<'g, U> {
    pub(crate) fn new(builder: TaskBuilder<'g, Work<U>>) -> Self {
        Self { builder }
    }

    /// Attaches a view with an access.
    pub fn attach(mut self, view: impl Into<View>, access: Access) -> Self {
        self.builder = self.builder.attach(view, access);
        self
    }

    /// Runs this task after `earlier` (recorded before) even without a shared resource.
    pub fn after(mut self, earlier: TaskId) -> Self {
        self.builder = self.builder.after(earlier);
        self
    }

    /// Runs this task only when `guard` holds (see [`weft_graph::TaskGraph::condition`]);
    /// several guards must all hold, and so must those of the scopes it is recorded in.
    pub fn only_if(mut self, guard: weft_graph::Guard) -> Self {
        self.builder = self.builder.only_if(guard);
        self
    }

    /// The closure that records the task's commands each time the plan runs. It returns
    /// `()` or `Result<(), VkError>`; an error (e.g. from `cx.buffer(b)?`) stops the
    /// execution, which returns it naming the task.
    pub fn run<R: TaskOutcome>(
        mut self,
        mut callback: impl FnMut(&mut TaskContext<'_, U>) -> R + Send + 'static,
    ) -> Self {
        self.builder = self.builder.run(Work::Callback(Box::new(move |cx| {
            if let Err(e) = callback(cx).into_result() {
                cx.fail(e);
            }
        })));
        self
    }

    /// Checks the task and adds it to the graph.
    pub fn record(self) -> Result<TaskId, VkError> {
        self.builder.record().map_err(VkError::Graph)
    }
}
