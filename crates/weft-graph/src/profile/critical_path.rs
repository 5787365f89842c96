//! The critical path: the longest chain of dependent tasks, weighted by their costs. Its
//! length is the least time the frame can take however much runs in parallel; the sum of
//! all task costs over it is the parallelism the graph offers.

use std::time::Duration;

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::Plan;

use super::costs::TaskCosts;

/// The longest chain of dependent tasks (see [`Plan::critical_path`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalPath {
    /// Its tasks (record indices), first to last; each depends on the one before.
    pub tasks: Vec<u32>,
    /// The sum of its tasks' costs.
    pub length: Duration,
    /// The sum of all tasks' costs.
    pub total: Duration,
    /// Tasks that had no cost (counted as zero).
    pub without_cost: usize,
}

impl CriticalPath {
    /// `total / length`: how many tasks run at once on average if the frame took only the
    /// critical path's time (1 for a chain); 0 when the length is zero.
    pub fn parallelism(&self) -> f64 {
        if self.length.is_zero() {
            0.0
        } else {
            self.total.as_secs_f64() / self.length.as_secs_f64()
        }
    }
}

impl Plan {
    /// The critical path of `graph`'s dependency DAG (every hazard and explicit `after`
    /// edge) with `costs` per task; a task without a cost counts as zero. Ties go to the
    /// earlier recorded task. An error when `graph` is not this plan's or the costs were
    /// measured on another plan.
    pub fn critical_path<C>(
        &self,
        graph: &TaskGraph<C>,
        costs: &TaskCosts,
    ) -> Result<CriticalPath, GraphError> {
        self.check_costs(costs)?;
        let dependencies = self.dependencies(graph)?;
        let count = graph.task_count();
        // Predecessors per task, then the longest finish per task in plan order (every
        // predecessor is in an earlier batch).
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); count];
        for d in &dependencies {
            if let Some(list) = preds.get_mut(d.to as usize) {
                list.push(d.from);
            }
        }
        let cost = |t: u32| costs.task(t).unwrap_or_default();
        let mut finish = vec![Duration::ZERO; count];
        let mut via: Vec<Option<u32>> = vec![None; count];
        for &task in self.task_order() {
            let t = task as usize;
            let mut best: Option<(Duration, u32)> = None;
            for &p in &preds[t] {
                let candidate = (finish[p as usize], p);
                best = match best {
                    Some(b) if b.0 > candidate.0 || (b.0 == candidate.0 && b.1 < p) => Some(b),
                    _ => Some(candidate),
                };
            }
            finish[t] = best.map_or(Duration::ZERO, |b| b.0) + cost(task);
            via[t] = best.map(|b| b.1);
        }
        let mut end: Option<u32> = None;
        for &task in self.task_order() {
            let better = match end {
                None => true,
                Some(e) => {
                    let (a, b) = (finish[task as usize], finish[e as usize]);
                    a > b || (a == b && task < e)
                }
            };
            if better {
                end = Some(task);
            }
        }
        let mut tasks = Vec::new();
        let mut at = end;
        while let Some(t) = at {
            tasks.push(t);
            at = via[t as usize];
        }
        tasks.reverse();
        let order = self.task_order();
        Ok(CriticalPath {
            length: end.map_or(Duration::ZERO, |e| finish[e as usize]),
            total: order.iter().map(|&t| cost(t)).sum(),
            without_cost: order.iter().filter(|&&t| costs.task(t).is_none()).count(),
            tasks,
        })
    }

    /// An error when `costs` were measured on another plan.
    pub(crate) fn check_costs(&self, costs: &TaskCosts) -> Result<(), GraphError> {
        match costs.plan_serial() {
            Some(measured) if measured != self.serial() => Err(GraphError::CostsOfAnotherPlan {
                measured,
                plan: self.serial(),
            }),
            _ => Ok(()),
        }
    }
}
