//! A text summary of where a frame's time goes: time per scope, barrier time, the critical
//! path and the parallelism bound.

use std::fmt::Write;
use std::time::Duration;

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::Plan;

use super::costs::{CostSource, TaskCosts};

/// The scope of a task named `name`: everything before its last `/` (`bloom/downsample 1`
/// is in `bloom`), or the empty string at the top level.
pub fn task_scope(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(scope, _)| scope)
}

/// Milliseconds with three decimals.
pub(crate) fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

impl Plan {
    /// A summary of `costs` over this plan: where the costs come from, the batches and
    /// barrier calls, time per scope (tasks named `scope/name`), the barrier calls' time, the
    /// critical path with its tasks, and the parallelism bound (all task time over the
    /// critical path's). An error as for [`Plan::critical_path`].
    pub fn summary<C>(
        &self,
        graph: &TaskGraph<C>,
        costs: &TaskCosts,
    ) -> Result<String, GraphError> {
        let path = self.critical_path(graph, costs)?;
        let stats = self.stats();
        let name = |t: u32| graph.task_name(t).unwrap_or("?");
        let mut out = String::new();
        let source = match costs.source() {
            CostSource::GpuMedian { frames: 0 } => {
                "GPU time (not measured: no timestamps)".to_owned()
            }
            CostSource::GpuMedian { frames } => format!("GPU time, median of {frames} frames"),
            CostSource::CpuMedian { frames } => {
                format!("CPU recording time, median of {frames} frames")
            }
            CostSource::Given => "given costs".to_owned(),
        };
        // Writing to a String cannot fail; the results are ignored below for that reason.
        let _ = writeln!(
            out,
            "summary ({source}): {} tasks in {} batches, {} barrier calls planned",
            stats.tasks, stats.batches, stats.barrier_calls
        );
        let mut scopes: Vec<(&str, Duration, usize)> = Vec::new();
        for &task in self.task_order() {
            let scope = task_scope(name(task));
            let cost = costs.task(task).unwrap_or_default();
            match scopes.iter_mut().find(|(s, _, _)| *s == scope) {
                Some((_, total, count)) => {
                    *total += cost;
                    *count += 1;
                }
                None => scopes.push((scope, cost, 1)),
            }
        }
        scopes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(out, "time per scope:");
        for (scope, total, count) in &scopes {
            let shown = if scope.is_empty() {
                "(top level)"
            } else {
                scope
            };
            let _ = writeln!(out, "  {shown}: {} in {count} tasks", ms(*total));
        }
        let barrier_time: Duration = costs.barrier_calls().iter().map(|(_, c)| *c).sum();
        let _ = writeln!(
            out,
            "barrier calls: {} in {} measured calls",
            ms(barrier_time),
            costs.barrier_calls().len()
        );
        let _ = writeln!(
            out,
            "tasks: {} in all; critical path {} over {} tasks; parallelism bound {:.2}x{}",
            ms(path.total),
            ms(path.length),
            path.tasks.len(),
            path.parallelism(),
            if path.without_cost > 0 {
                format!(" ({} tasks without a cost counted as 0)", path.without_cost)
            } else {
                String::new()
            }
        );
        let _ = writeln!(out, "critical path:");
        for &task in &path.tasks {
            let _ = writeln!(
                out,
                "  `{}` {} (batch {})",
                name(task),
                ms(costs.task(task).unwrap_or_default()),
                self.task_batch(task).unwrap_or(0)
            );
        }
        Ok(out)
    }
}
