//! Compiling for condition values: the compiler reads a sub-recording of the tasks that
//! run (their attachments' packed records, the explicit edges and submit boundaries among
//! them, the same resources and presents), and the plan then names the tasks by their index
//! in the whole recording. So a plan for some values is the plan of the recording with the
//! other tasks left out: dependencies, batches and barriers as if they had never been
//! recorded (the property tests record them again to check it).

use crate::compile::{self, CompileInput, CompileOptions};
use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::{Dependency, Plan};
use crate::touch::TouchLists;

use crate::condition::ConditionValues;

/// Marks a task of the whole recording that the plan leaves out.
pub(crate) const NOT_IN_PLAN: u32 = u32::MAX;

/// What the compiler reads of the tasks that run, beside the graph's own parts.
struct SubRecording {
    touches: TouchLists,
    after_edges: Vec<(u32, u32)>,
    submits: Vec<u32>,
    /// By task of the sub-recording: its index in the whole recording.
    original: Vec<u32>,
}

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
        let runs = self.runs(values);
        let mut plan = if runs.iter().all(|&r| r) {
            self.compile(options)?
        } else {
            let sub = self.sub_recording(&runs);
            let mut scratch = self.scratch.take();
            let mut plan = compile::compile(&self.sub_input(&sub), options, &mut scratch);
            self.scratch.put_back(scratch);
            plan.renumber_tasks(&sub.original, self.tasks.len());
            plan
        };
        plan.conditions = Some(values.clone());
        Ok(plan)
    }

    /// The dependencies among the tasks that run with `values` (as
    /// [`crate::Plan::dependencies`] of a plan compiled for them), by index in this graph.
    pub(crate) fn dependencies_for(
        &self,
        values: &ConditionValues,
    ) -> Result<Vec<Dependency>, GraphError> {
        values.check(self.id, self.conditions.names.len())?;
        let sub = self.sub_recording(&self.runs(values));
        let mut scratch = self.scratch.take();
        let mut dependencies = compile::task_dependencies(&self.sub_input(&sub), &mut scratch);
        self.scratch.put_back(scratch);
        for d in &mut dependencies {
            d.from = sub.original[d.from as usize];
            d.to = sub.original[d.to as usize];
        }
        Ok(dependencies)
    }

    /// By task: whether it runs with `values`.
    fn runs(&self, values: &ConditionValues) -> Vec<bool> {
        (0..self.tasks.len() as u32)
            .map(|t| self.task_runs(t, values))
            .collect()
    }

    /// The tasks where `runs` is true, with the edges and boundaries among them.
    fn sub_recording(&self, runs: &[bool]) -> SubRecording {
        let mut new_index = vec![NOT_IN_PLAN; self.tasks.len()];
        let mut original = Vec::new();
        for (t, _) in runs.iter().enumerate().filter(|(_, &r)| r) {
            new_index[t] = original.len() as u32;
            original.push(t as u32);
        }
        let after_edges = self
            .after_edges
            .iter()
            .map(|&(t, e)| (new_index[t as usize], new_index[e as usize]))
            .filter(|&(t, e)| t != NOT_IN_PLAN && e != NOT_IN_PLAN)
            .collect();
        // A boundary after the first `count` tasks is after the ones of them that run.
        let mut submits: Vec<u32> = Vec::new();
        for &count in &self.submits {
            let before = runs[..count as usize].iter().filter(|&&r| r).count() as u32;
            if before > 0 && submits.last() != Some(&before) {
                submits.push(before);
            }
        }
        SubRecording {
            touches: self.touches.subset(runs),
            after_edges,
            submits,
            original,
        }
    }

    /// The compiler's input for `sub`, with this graph's resources and presents.
    fn sub_input<'a>(&'a self, sub: &'a SubRecording) -> CompileInput<'a> {
        self.compile_input_of(&sub.touches, &sub.after_edges, &sub.submits)
    }
}

impl Plan {
    /// Names the tasks of a plan compiled from a sub-recording by their index in the whole
    /// recording (`original[i]` for task `i`), which has `count` tasks.
    fn renumber_tasks(&mut self, original: &[u32], count: usize) {
        for task in &mut self.task_order {
            *task = original[*task as usize];
        }
        let mut batches = vec![NOT_IN_PLAN; count];
        for (i, &batch) in self.task_batch.iter().enumerate() {
            batches[original[i] as usize] = batch;
        }
        self.task_batch = batches;
    }
}
