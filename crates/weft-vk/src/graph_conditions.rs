//! Scopes and conditions on a runtime graph: [`Graph::scope`] and [`Graph::scope_if`] lend
//! the closure the runtime graph (so compute, draw and callback tasks can be recorded
//! inside), and the graph keeps the condition values its next execution runs with. The
//! executor runs the plan of those values: compiled the first time they are met, then taken
//! from the graph's plan cache ([`weft_graph::PlanCache`]: switching between combinations met
//! before compiles nothing and allocates nothing).

use weft_graph::{Condition, ConditionValues, Guard};

use crate::error::VkError;
use crate::graph::Graph;

impl<U: 'static> Graph<U> {
    /// Records what `record` records inside the scope `name` (see
    /// [`weft_graph::TaskGraph::scope`]: names are prefixed `name/`, the plan is unchanged).
    pub fn scope<R>(&mut self, name: &str, record: impl FnOnce(&mut Self) -> R) -> R {
        let mark = self.open_scope(name);
        let result = record(self);
        self.close_scope(mark);
        result
    }

    /// Like [`Graph::scope`], and the tasks recorded inside run only when `guard` holds. An
    /// error, before anything is recorded, when the guard's condition is not this graph's.
    pub fn scope_if<R>(
        &mut self,
        name: &str,
        guard: Guard,
        record: impl FnOnce(&mut Self) -> R,
    ) -> Result<R, VkError> {
        let mark = self
            .open_guarded_scope(name, guard)
            .map_err(VkError::Graph)?;
        let result = record(self);
        self.close_scope(mark);
        Ok(result)
    }

    /// Sets the value `condition` has from the next execution on. An error for a condition
    /// of another graph. Allocates nothing once the graph's conditions are declared.
    pub fn set_condition(&mut self, condition: Condition, value: bool) -> Result<(), VkError> {
        self.sync_condition_values();
        self.values.set(condition, value).map_err(VkError::Graph)
    }

    /// Sets every condition's value (in declaration order) from the next execution on; an
    /// error when `values` does not have one per declared condition.
    pub fn set_conditions(&mut self, values: &[bool]) -> Result<(), VkError> {
        self.sync_condition_values();
        self.values.set_all(values).map_err(VkError::Graph)
    }

    /// The condition values the next execution runs with.
    pub fn conditions(&mut self) -> &ConditionValues {
        self.sync_condition_values();
        &self.values
    }

    /// The plans compiled since the graph was made (a combination of condition values met
    /// before, or a recording that did not change, compiles none).
    pub fn plan_compiles(&self) -> u64 {
        self.plans.compiles()
    }

    /// Gives the values a bit for every condition declared since they were made (new ones
    /// `false`, the others kept).
    pub(crate) fn sync_condition_values(&mut self) {
        let count = self.condition_count();
        if self.values.len() == count {
            return;
        }
        // `get_index` is false past the old values' end: the new conditions start false.
        let all: Vec<bool> = (0..count as u32)
            .map(|i| self.values.get_index(i))
            .collect();
        let mut values = self.condition_values();
        // One value per declared condition: `set_all` cannot fail.
        let _ = values.set_all(&all);
        self.values = values;
    }
}
