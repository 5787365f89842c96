//! Compiling for condition values: the tasks that run are recorded again into a graph of
//! their own (same resources, same identity), with the explicit edges and submit boundaries
//! among them, and that is compiled; the plan then names the tasks by their index in the
//! whole recording. So a plan for some values is, by construction, the plan of the
//! recording with the other tasks left out: dependencies, batches and barriers as if they
//! had never been recorded.

use crate::compile::CompileOptions;
use crate::error::GraphError;
use crate::graph::{TaskGraph, TaskId};
use crate::plan::{Dependency, Plan};

use super::ConditionValues;

/// Marks a task of the whole recording that the plan leaves out.
pub(crate) const NOT_IN_PLAN: u32 = u32::MAX;

impl<C> TaskGraph<C> {
    /// The plan of the tasks that run with the conditions at `values`: every task whose
    /// guards all hold (see [`TaskGraph::condition`]), compiled as if the others had not
    /// been recorded. [`TaskGraph::compile`] ignores conditions (every task runs). An error
    /// when `values` are another graph's or of another length.
    pub fn compile_for(
        &self,
        options: &CompileOptions,
        values: &ConditionValues,
    ) -> Result<Plan, GraphError> {
        values.check(self.id, self.conditions.names.len())?;
        let runs: Vec<bool> = (0..self.tasks.len() as u32)
            .map(|t| self.task_runs(t, values))
            .collect();
        let mut plan = if runs.iter().all(|&r| r) {
            self.compile(options)?
        } else {
            let (sub, original) = self.sub_recording(&runs)?;
            let mut plan = sub.compile(options)?;
            plan.renumber_tasks(&original, self.tasks.len(), self.revision());
            plan
        };
        plan.conditions = Some(values.clone());
        Ok(plan)
    }

    /// The tasks where `runs` is true, recorded again into a graph with this one's identity
    /// and resources; and, by new index, each task's index here.
    fn sub_recording(&self, runs: &[bool]) -> Result<(TaskGraph<()>, Vec<u32>), GraphError> {
        let mut sub: TaskGraph<()> = TaskGraph::new();
        sub.id = self.id;
        sub.resources.clone_from(&self.resources);
        sub.summaries.clone_from(&self.summaries);
        for _ in &self.resources {
            sub.locality.add_resource();
        }
        let mut new_index = vec![NOT_IN_PLAN; self.tasks.len()];
        let mut original = Vec::new();
        for (t, task) in self.tasks.iter().enumerate() {
            if !runs[t] {
                continue;
            }
            let mut builder = sub.task(&task.name);
            for a in &self.attachments[task.attachments.clone()] {
                builder = builder.attach(a.view, a.access);
            }
            let id = builder.record()?;
            new_index[t] = id.index;
            original.push(t as u32);
        }
        for &(task, earlier) in &self.after_edges {
            let (t, e) = (new_index[task as usize], new_index[earlier as usize]);
            if t != NOT_IN_PLAN && e != NOT_IN_PLAN {
                let id = |index| TaskId {
                    graph: self.id,
                    index,
                };
                sub.after(id(t), id(e))?;
            }
        }
        // The presents end the graph: they come after every task.
        sub.presents.clone_from(&self.presents);
        // A boundary after the first `count` tasks is after the ones of them that run.
        for &count in &self.submits {
            let before = runs[..count as usize].iter().filter(|&&r| r).count() as u32;
            if before > 0 && sub.submits.last() != Some(&before) {
                sub.submits.push(before);
            }
        }
        Ok((sub, original))
    }

    /// The dependencies among the tasks that run with `values` (as
    /// [`crate::Plan::dependencies`] of a plan compiled for them), by index in this graph.
    pub(crate) fn dependencies_for(
        &self,
        values: &ConditionValues,
    ) -> Result<Vec<Dependency>, GraphError> {
        let runs: Vec<bool> = (0..self.tasks.len() as u32)
            .map(|t| self.task_runs(t, values))
            .collect();
        let (sub, original) = self.sub_recording(&runs)?;
        let mut dependencies = sub.task_dependencies();
        for d in &mut dependencies {
            d.from = original[d.from as usize];
            d.to = original[d.to as usize];
        }
        Ok(dependencies)
    }
}

impl Plan {
    /// Names the tasks of a plan compiled from a sub-recording by their index in the whole
    /// recording (`original[i]` for task `i`), which has `count` tasks and is at `revision`.
    fn renumber_tasks(&mut self, original: &[u32], count: usize, revision: u64) {
        for task in &mut self.task_order {
            *task = original[*task as usize];
        }
        let mut batches = vec![NOT_IN_PLAN; count];
        for (i, &batch) in self.task_batch.iter().enumerate() {
            batches[original[i] as usize] = batch;
        }
        self.task_batch = batches;
        self.revision = revision;
    }
}
