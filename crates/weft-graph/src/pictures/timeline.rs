//! The batch timeline: batches left to right with their tasks stacked in them, and each
//! barrier call as a bar between batches. With costs, widths follow time (a batch takes its
//! longest task's time, as if its tasks ran side by side); without, every batch has the same
//! width.

use std::time::Duration;

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::Plan;
use crate::profile::{ms, TaskCosts};

use super::{color, Svg};

const LEFT: f64 = 10.0;
const TOP: f64 = 46.0;
const ROW: f64 = 22.0;
const GAP: f64 = 4.0;
/// The width everything is scaled to, with costs.
const TIME_WIDTH: f64 = 1000.0;
/// Widths without costs, and the least widths with them.
const BATCH_WIDTH: f64 = 140.0;
const MIN_BATCH: f64 = 36.0;
const BARRIER_WIDTH: f64 = 8.0;

impl Plan {
    /// The batch timeline as SVG (see the module doc): each task a box named after it (with
    /// its cost in the tooltip), each barrier call a dark bar labelled with its barrier
    /// count. An error when `graph` is not this plan's or the costs are another plan's.
    pub fn timeline_svg<C>(
        &self,
        graph: &TaskGraph<C>,
        costs: Option<&TaskCosts>,
    ) -> Result<String, GraphError> {
        self.check_graph(graph)?;
        if let Some(costs) = costs {
            self.check_costs(costs)?;
        }
        let batches = self.batch_count();
        let task_cost = |t: u32| costs.and_then(|c| c.task(t)).unwrap_or_default();
        let call_cost = |b: usize| {
            costs
                .and_then(|c| c.barrier_call(b as u32))
                .unwrap_or_default()
        };
        let batch_time = |b: usize| {
            self.batch(b)
                .iter()
                .map(|&t| task_cost(t))
                .max()
                .unwrap_or_default()
        };
        // A call the plan has, or one the runtime recorded (bridges only) and measured.
        let has_call = |b: usize| {
            !self.barriers_before(b).is_empty()
                || costs.is_some_and(|c| c.barrier_call(b as u32).is_some())
        };
        let total: Duration = (0..batches).map(batch_time).sum::<Duration>()
            + (0..=batches)
                .filter(|&b| has_call(b))
                .map(call_cost)
                .sum::<Duration>();
        let scale = match costs {
            Some(_) if !total.is_zero() => TIME_WIDTH / total.as_secs_f64(),
            _ => 0.0,
        };
        let width_of = |d: Duration, least: f64| (d.as_secs_f64() * scale).max(least);
        let rows = (0..batches).map(|b| self.batch(b).len()).max().unwrap_or(0) as f64;
        let mut x = LEFT;
        let mut columns = Vec::with_capacity(batches);
        for b in 0..=batches {
            let call = has_call(b).then(|| {
                let at = x;
                x += width_of(call_cost(b), BARRIER_WIDTH) + GAP;
                at
            });
            let column = (b < batches).then(|| {
                let at = x;
                let w = if scale > 0.0 {
                    width_of(batch_time(b), MIN_BATCH)
                } else {
                    BATCH_WIDTH
                };
                x += w + GAP;
                (at, w)
            });
            columns.push((call, column));
        }
        let height = TOP + rows * (ROW + GAP) + 40.0;
        let mut svg = Svg::new(x + 4.0 * LEFT, height);
        let title = match costs {
            Some(c) if scale > 0.0 => format!(
                "{} batches, {} tasks; widths are time ({}; {} in all)",
                batches,
                self.task_order().len(),
                match c.source() {
                    crate::CostSource::GpuMedian { .. } => "GPU median",
                    crate::CostSource::CpuMedian { .. } => "CPU recording median",
                    crate::CostSource::Given => "given costs",
                },
                ms(total)
            ),
            _ => format!(
                "{} batches, {} tasks (no times: equal widths)",
                batches,
                self.task_order().len()
            ),
        };
        svg.text(LEFT, 18.0, 14.0, "start", &title);
        let bottom = TOP + rows * (ROW + GAP);
        for (b, (call, column)) in columns.iter().enumerate() {
            if let Some(at) = call {
                let set = self.barriers_before(b);
                let count = set.memory.len() + set.image.len();
                let w = width_of(call_cost(b), BARRIER_WIDTH);
                svg.rect(
                    *at,
                    TOP,
                    w,
                    bottom - TOP - GAP,
                    "#7a1f1f",
                    &format!(
                        "barrier call before batch {b}: {} memory, {} image barriers planned (the runtime adds its bridges), {}",
                        set.memory.len(),
                        set.image.len(),
                        ms(call_cost(b))
                    ),
                );
                svg.text(*at + w / 2.0, TOP - 4.0, 9.0, "middle", &count.to_string());
            }
            let Some((at, w)) = column else { continue };
            svg.text(
                at + w / 2.0,
                TOP - 16.0,
                10.0,
                "middle",
                &format!("batch {b}"),
            );
            for (row, &task) in self.batch(b).iter().enumerate() {
                let name = graph.task_name(task).unwrap_or("?");
                let y = TOP + row as f64 * (ROW + GAP);
                let cost = task_cost(task);
                let tw = if scale > 0.0 { width_of(cost, 3.0) } else { *w };
                svg.rect(
                    *at,
                    y,
                    tw,
                    ROW,
                    &color(task),
                    &format!("{name} (task {task}, batch {b}): {}", ms(cost)),
                );
                svg.clipped_text((*at, y, *w, ROW), 10.0, name);
            }
        }
        svg.line((LEFT, bottom + 6.0), (x, bottom + 6.0), "#333");
        svg.text(
            LEFT,
            bottom + 22.0,
            10.0,
            "start",
            "dark bars: barrier calls (planned barriers above; 0: only the runtime's bridges); boxes: tasks",
        );
        Ok(svg.finish())
    }
}
