//! Recording one task: [`TaskGraph::task`] starts a [`TaskBuilder`], which gathers
//! attachments, explicit edges and the callback; [`TaskBuilder::record`] checks them all
//! and adds the task.

use crate::access::Access;
use crate::condition::Guard;
use crate::error::GraphError;
use crate::graph::{Attachment, TaskGraph, TaskId, TaskRecord};
use crate::touch::Touch;
use crate::view::View;

impl<C> TaskGraph<C> {
    /// Starts recording a task named `name`; finish it with [`TaskBuilder::record`].
    pub fn task(&mut self, name: &str) -> TaskBuilder<'_, C> {
        TaskBuilder {
            name: self.conditions.scoped(name),
            graph: self,
            attachments: Vec::new(),
            after: Vec::new(),
            guards: Vec::new(),
            callback: None,
        }
    }
}

/// Records one task: attachments, explicit edges and the callback; [`TaskBuilder::record`]
/// checks everything and adds the task.
#[must_use = "a task is added only by `record()`"]
pub struct TaskBuilder<'g, C> {
    graph: &'g mut TaskGraph<C>,
    name: String,
    attachments: Vec<(View, Access)>,
    after: Vec<TaskId>,
    guards: Vec<Guard>,
    callback: Option<C>,
}

impl<C> TaskBuilder<'_, C> {
    /// Attaches a view with an access.
    pub fn attach(mut self, view: impl Into<View>, access: Access) -> Self {
        self.attachments.push((view.into(), access));
        self
    }

    /// Runs this task after `earlier` (recorded before) even without a shared resource.
    pub fn after(mut self, earlier: TaskId) -> Self {
        self.after.push(earlier);
        self
    }

    /// Runs this task only when `guard` holds (see [`TaskGraph::condition`]); several
    /// guards must all hold, and so must those of the scopes it is recorded in.
    pub fn only_if(mut self, guard: Guard) -> Self {
        self.guards.push(guard);
        self
    }

    /// The callback the runtime calls to record this task's commands.
    pub fn run(mut self, callback: C) -> Self {
        self.callback = Some(callback);
        self
    }

    /// Checks the task and adds it to the graph.
    pub fn record(self) -> Result<TaskId, GraphError> {
        let graph = self.graph;
        let name = self.name;
        let index = graph.tasks.len() as u32;
        let first = graph.attachments.len();
        let mut checked = Vec::with_capacity(self.attachments.len());
        for (view, access) in self.attachments {
            checked.push(graph.check_attachment(&name, view, access)?);
        }
        check_overlaps(&name, graph, &checked)?;
        for &earlier in &self.after {
            graph.check_after(index, earlier).map_err(|e| match e {
                // The task is not in the graph yet, so name it from the builder.
                GraphError::ForeignTask { other, .. } => GraphError::ForeignTask {
                    task: name.clone(),
                    other,
                },
                other => other,
            })?;
        }
        let guards = graph.push_guards(&name, &self.guards)?;
        for att in &checked {
            let access = graph.accesses.intern(att.derived);
            let touch = Touch::new(
                att.resource,
                access,
                &att.resolved,
                &mut graph.touches.spill,
            );
            graph.touches.push(touch);
            graph.locality.use_resource(att.resource, index);
        }
        for earlier in &self.after {
            graph.locality.run_after(earlier.index, index);
        }
        graph.attachments.extend(checked);
        graph.touches.end_task();
        graph
            .after_edges
            .extend(self.after.iter().map(|e| (index, e.index)));
        graph.tasks.push(TaskRecord {
            name,
            attachments: first..graph.attachments.len(),
            callback: self.callback,
            guards,
        });
        Ok(TaskId {
            graph: graph.id,
            index,
        })
    }
}

/// Two attachments of one task may overlap only when both read with the same layout.
fn check_overlaps<C>(
    task: &str,
    graph: &TaskGraph<C>,
    atts: &[Attachment],
) -> Result<(), GraphError> {
    for (i, a) in atts.iter().enumerate() {
        for (j, b) in atts.iter().enumerate().skip(i + 1) {
            if a.resource != b.resource || !a.resolved.overlaps(&b.resolved) {
                continue;
            }
            let problem = if a.access.kind.writes() || b.access.kind.writes() {
                "at least one of them writes"
            } else if a.derived.layout != b.derived.layout {
                "they need different image layouts"
            } else {
                continue;
            };
            return Err(GraphError::OverlappingAttachments {
                task: task.to_owned(),
                resource: graph.resources[a.resource as usize].name.clone(),
                first: i,
                second: j,
                problem: problem.into(),
            });
        }
    }
    Ok(())
}
