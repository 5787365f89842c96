//! Recording with scopes and conditions: declaring conditions, nesting scopes (which prefix
//! names and may carry guards), and checking the guards a task takes.

use crate::error::GraphError;
use crate::graph::TaskGraph;

use crate::condition::{Condition, ConditionValues, Guard};

/// What [`TaskGraph::open_scope`] opened, for [`TaskGraph::close_scope`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a scope stays open until `close_scope`"]
pub struct ScopeMark {
    prefix: usize,
    guards: usize,
}

impl<C> TaskGraph<C> {
    /// Declares a boolean condition named `name` (unique in the graph; not prefixed by
    /// scopes). Executions give its value; tasks and scopes guarded by it run only when it
    /// has the value they ask for. Any number of conditions may be declared.
    pub fn condition(&mut self, name: &str) -> Result<Condition, GraphError> {
        let names = &mut self.conditions.names;
        if names.iter().any(|n| n == name) {
            return Err(GraphError::DuplicateCondition {
                condition: name.to_owned(),
            });
        }
        names.push(name.to_owned());
        Ok(Condition {
            graph: self.id,
            index: names.len() as u32 - 1,
        })
    }

    /// The number of declared conditions.
    pub fn condition_count(&self) -> usize {
        self.conditions.names.len()
    }

    /// The name of condition `index`.
    pub fn condition_name(&self, index: u32) -> Option<&str> {
        self.conditions
            .names
            .get(index as usize)
            .map(String::as_str)
    }

    /// Values for this graph's conditions as declared now, all `false`.
    pub fn condition_values(&self) -> ConditionValues {
        ConditionValues::new(self.id, self.conditions.names.len() as u32)
    }

    /// True when some task runs only under a condition.
    pub fn is_conditional(&self) -> bool {
        self.conditions.any_guard()
    }

    /// Records what `record` records inside the scope `name`: task and resource names get
    /// the prefix `name/` (scopes nest: `outer/inner/task`; a `/` in `name` nests too).
    /// Scopes change nothing else: the plan is the plan of the same tasks recorded flat.
    /// A reusable piece of a graph is a function that takes the graph (in a scope) and
    /// views, and returns the views it made.
    pub fn scope<R>(&mut self, name: &str, record: impl FnOnce(&mut Self) -> R) -> R {
        let mark = self.open_scope(name);
        let result = record(self);
        self.close_scope(mark);
        result
    }

    /// Like [`TaskGraph::scope`], and every task recorded inside runs only when `guard`
    /// holds (besides its own guards and those of enclosing scopes). An error, before
    /// anything is recorded, when the guard's condition is not this graph's.
    pub fn scope_if<R>(
        &mut self,
        name: &str,
        guard: Guard,
        record: impl FnOnce(&mut Self) -> R,
    ) -> Result<R, GraphError> {
        let mark = self.open_guarded_scope(name, guard)?;
        let result = record(self);
        self.close_scope(mark);
        Ok(result)
    }

    /// Opens the scope `name` for wrappers of the graph that cannot lend themselves to a
    /// closure ([`TaskGraph::scope`] is this, the closure, and [`TaskGraph::close_scope`]).
    /// Scopes close in the reverse order they open.
    pub fn open_scope(&mut self, name: &str) -> ScopeMark {
        let c = &mut self.conditions;
        let mark = ScopeMark {
            prefix: c.prefix.len(),
            guards: c.scope_guards.len(),
        };
        c.prefix.push_str(name);
        c.prefix.push('/');
        mark
    }

    /// Opens the scope `name` whose tasks run only when `guard` holds (see
    /// [`TaskGraph::open_scope`] and [`TaskGraph::scope_if`]).
    pub fn open_guarded_scope(
        &mut self,
        name: &str,
        guard: Guard,
    ) -> Result<ScopeMark, GraphError> {
        let user = self.conditions.scoped(name);
        self.check_guard(&user, guard)?;
        let mark = self.open_scope(name);
        self.conditions
            .scope_guards
            .push((guard.condition.index, guard.value));
        Ok(mark)
    }

    /// Closes the scope `mark` opened (and every scope opened inside it).
    pub fn close_scope(&mut self, mark: ScopeMark) {
        let c = &mut self.conditions;
        c.prefix.truncate(mark.prefix);
        c.scope_guards.truncate(mark.guards);
    }

    /// The condition values task `task` (record index) runs under: `(condition, value)`.
    pub fn task_guards(&self, task: u32) -> &[(u32, bool)] {
        self.tasks.get(task as usize).map_or(&[], |t| {
            &self.conditions.guards[t.guards.start as usize..t.guards.end as usize]
        })
    }

    /// True when task `task` runs with the conditions at `values`.
    pub fn task_runs(&self, task: u32, values: &ConditionValues) -> bool {
        self.task_guards(task)
            .iter()
            .all(|&(condition, value)| values.bit(condition) == value)
    }

    /// An error naming `user` unless `guard`'s condition is this graph's.
    pub(crate) fn check_guard(&self, user: &str, guard: Guard) -> Result<(), GraphError> {
        let c = guard.condition;
        if c.graph == self.id && (c.index as usize) < self.conditions.names.len() {
            return Ok(());
        }
        Err(GraphError::UnknownCondition {
            user: user.to_owned(),
            condition: c.index,
            detail: ": it is of another graph".into(),
        })
    }

    /// Appends the guards of the scopes being recorded and `own` (checked) for a task
    /// named `task`; returns their range in the graph's guards.
    pub(crate) fn push_guards(
        &mut self,
        task: &str,
        own: &[Guard],
    ) -> Result<std::ops::Range<u32>, GraphError> {
        for &guard in own {
            self.check_guard(task, guard)?;
        }
        let conditions = &mut self.conditions;
        let start = conditions.guards.len() as u32;
        conditions
            .guards
            .extend_from_slice(&conditions.scope_guards);
        conditions
            .guards
            .extend(own.iter().map(|g| (g.condition.index, g.value)));
        Ok(start..conditions.guards.len() as u32)
    }
}
