//! The plans of a graph's condition combinations: compiled on first use, kept for the
//! next time (a combination met before costs no compile and no allocation), at most
//! `capacity` of them, the least recently used dropped first when a new one comes. A change
//! to the recording makes every kept plan stale: they are dropped at the next lookup.

use crate::compile::CompileOptions;
use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::Plan;

use crate::condition::ConditionValues;

/// A plan per combination of condition values (see the module doc).
#[derive(Debug)]
pub struct PlanCache {
    entries: Vec<Entry>,
    capacity: usize,
    clock: u64,
    compiles: u64,
}

#[derive(Debug)]
struct Entry {
    plan: Plan,
    /// The lookup that last returned it.
    used: u64,
}

impl Default for PlanCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl PlanCache {
    /// The number of plans a cache keeps unless told otherwise.
    pub const DEFAULT_CAPACITY: usize = 16;

    /// A cache that keeps at most `capacity` plans (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Vec::new(),
            capacity: capacity.max(1),
            clock: 0,
            compiles: 0,
        }
    }

    /// The plan of `graph` for `values` (see [`TaskGraph::compile_for`]): the kept one, or
    /// one compiled now with `options` (dropping the least recently used when full). An
    /// error as for `compile_for`.
    pub fn plan<C>(
        &mut self,
        graph: &TaskGraph<C>,
        options: &CompileOptions,
        values: &ConditionValues,
    ) -> Result<&mut Plan, GraphError> {
        self.entries.retain(|e| e.plan.is_current_for(graph));
        self.clock += 1;
        let found = self
            .entries
            .iter()
            .position(|e| e.plan.conditions.as_ref() == Some(values));
        let index = match found {
            Some(i) => i,
            None => {
                let plan = graph.compile_for(options, values)?;
                self.compiles += 1;
                if self.entries.len() >= self.capacity {
                    if let Some(oldest) =
                        (0..self.entries.len()).min_by_key(|&i| self.entries[i].used)
                    {
                        self.entries.swap_remove(oldest);
                    }
                }
                self.entries.push(Entry { plan, used: 0 });
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        entry.used = self.clock;
        Ok(&mut entry.plan)
    }

    /// The kept plan for `values`, when there is one current for `graph` (no compile).
    pub fn get<C>(&self, graph: &TaskGraph<C>, values: &ConditionValues) -> Option<&Plan> {
        self.entries
            .iter()
            .map(|e| &e.plan)
            .find(|p| p.is_current_for(graph) && p.conditions.as_ref() == Some(values))
    }

    /// Drops every kept plan (after the compile options changed, say).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The plans kept now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no plan is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The most plans kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The plans compiled since the cache was made (misses).
    pub fn compiles(&self) -> u64 {
        self.compiles
    }
}
