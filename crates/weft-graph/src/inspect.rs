//! Reading a plan: its dependencies and a text description (the DOT graph is in `dot.rs`).

use std::fmt::Write;

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::{Dependency, ImageBarrier, MemoryBarrier, Plan};
use crate::view::Subresources;

impl Plan {
    pub(crate) fn check_graph<C>(&self, graph: &TaskGraph<C>) -> Result<(), GraphError> {
        if graph.id == self.graph {
            Ok(())
        } else {
            Err(GraphError::ForeignPlan)
        }
    }

    /// The task dependencies of the graph (deduplicated, in record order of the later
    /// task), each with the resource and hazard that causes it; for a plan compiled for
    /// condition values, among the tasks that run with them. The plan keeps no edges (they
    /// are not needed to execute it), so this walks the graph again. Allocates.
    pub fn dependencies<C>(&self, graph: &TaskGraph<C>) -> Result<Vec<Dependency>, GraphError> {
        self.check_graph(graph)?;
        match &self.conditions {
            // Among the tasks that run for those values, as compiled.
            Some(values) if graph.is_conditional() => graph.dependencies_for(values),
            _ => Ok(graph.task_dependencies()),
        }
    }

    /// A readable listing: stats, then every batch with its barriers (stages, accesses,
    /// layouts, subresources) and its tasks.
    pub fn describe<C>(&self, graph: &TaskGraph<C>) -> Result<String, GraphError> {
        self.check_graph(graph)?;
        let name = |r: u32| resource_name(graph, r);
        let task = |t: u32| graph.task_name(t).unwrap_or("?");
        let s = self.stats();
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored below for that reason.
        let _ = writeln!(
            out,
            "plan: {} tasks, {} batches (DAG depth {}), {} barrier calls, {} memory barriers, {} image barriers{}",
            s.tasks,
            s.batches,
            s.dag_depth,
            s.barrier_calls,
            s.memory_barriers,
            s.image_barriers,
            if self.sequential { " [sequential debug mode]" } else { "" }
        );
        for u in &self.first_uses {
            let _ = writeln!(
                out,
                "first use of `{}` {}: {} {} {:?} (before batch {})",
                name(u.resource),
                subresources(&u.subresources),
                stages(u.stages),
                accesses(u.access),
                u.layout,
                u.batch
            );
        }
        for batch in 0..=self.batch_count() {
            let barriers = self.barriers_before(batch);
            if !barriers.is_empty() {
                let _ = writeln!(out, "  barriers before batch {batch}:");
                for m in barriers.memory {
                    let _ = writeln!(out, "    {}", memory_barrier(m, &name));
                }
                for i in barriers.image {
                    let _ = writeln!(out, "    {}", image_barrier(i, &name));
                }
            }
            if batch < self.batch_count() {
                if let Some(position) = self
                    .submit_batches
                    .iter()
                    .position(|&b| b as usize == batch)
                {
                    let _ = writeln!(out, "submit {}", position + 1);
                }
                let _ = writeln!(out, "batch {batch}:");
                for &t in self.batch(batch) {
                    let _ = writeln!(out, "  task `{}`", task(t));
                }
            }
        }
        for u in &self.last_uses {
            let _ = writeln!(
                out,
                "last use of `{}` {}: {} {} {:?}",
                name(u.resource),
                subresources(&u.subresources),
                stages(u.stages),
                accesses(u.access),
                u.layout
            );
        }
        scopes_section(self, graph, &mut out);
        if self.is_placed() {
            let _ = writeln!(
                out,
                "transient memory: {} bytes in {} blocks (lower bound {} bytes)",
                s.transient_bytes,
                self.memory_blocks().len(),
                s.transient_lower_bound_bytes
            );
            for p in self.transient_placements() {
                let _ = writeln!(
                    out,
                    "  `{}`: block {}, bytes {}..{}, batches {}..={}",
                    name(p.resource),
                    p.block,
                    p.offset,
                    p.offset + p.size,
                    p.first_batch,
                    p.last_batch
                );
            }
        }
        Ok(out)
    }
}

pub(crate) fn resource_name<C>(graph: &TaskGraph<C>, index: u32) -> &str {
    graph
        .resources
        .get(index as usize)
        .map_or("?", |r| r.name.as_str())
}

/// Debug text of a flags value, `NONE` when empty (ash prints nothing for empty flags).
fn flags(value: impl std::fmt::Debug, empty: bool) -> String {
    if empty {
        "NONE".to_owned()
    } else {
        format!("{value:?}")
    }
}

fn stages(s: ash::vk::PipelineStageFlags2) -> String {
    flags(s, s.is_empty())
}

fn accesses(a: ash::vk::AccessFlags2) -> String {
    flags(a, a.is_empty())
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn subresources(s: &Subresources) -> String {
    match s {
        Subresources::Buffer { offset, size } => format!("bytes {offset}..{}", offset + size),
        Subresources::Image(r) => format!(
            "{:?} mips {}..{} layers {}..{}",
            r.aspect,
            r.base_mip,
            r.base_mip + r.mip_count,
            r.base_layer,
            r.base_layer + r.layer_count
        ),
    }
}

fn memory_barrier<'a>(m: &MemoryBarrier, name: &impl Fn(u32) -> &'a str) -> String {
    let kind = if m.src_access.is_empty() && m.dst_access.is_empty() {
        "execution"
    } else {
        "memory"
    };
    let cause = if m.cause == u32::MAX {
        "every task".to_owned()
    } else {
        format!("`{}`", name(m.cause))
    };
    format!(
        "{kind}: {} {} -> {} {} (for {cause})",
        stages(m.src_stages),
        accesses(m.src_access),
        stages(m.dst_stages),
        accesses(m.dst_access)
    )
}

fn image_barrier<'a>(i: &ImageBarrier, name: &impl Fn(u32) -> &'a str) -> String {
    format!(
        "image `{}` {}: {:?} -> {:?}, {} {} -> {} {}",
        name(i.image),
        subresources(&Subresources::Image(i.range)),
        i.old_layout,
        i.new_layout,
        stages(i.src_stages),
        accesses(i.src_access),
        stages(i.dst_stages),
        accesses(i.dst_access)
    )
}

/// Appends the tasks of each scope (named `scope/task`) with the batches they span.
fn scopes_section<C>(plan: &Plan, graph: &TaskGraph<C>, out: &mut String) {
    let mut scopes: Vec<(&str, Vec<u32>)> = Vec::new();
    for &task in plan.task_order() {
        let name = graph.task_name(task).unwrap_or("?");
        // The task's scope and every scope around it.
        let mut scope = crate::task_scope(name);
        while !scope.is_empty() {
            match scopes.iter_mut().find(|(s, _)| *s == scope) {
                Some((_, tasks)) => tasks.push(task),
                None => scopes.push((scope, vec![task])),
            }
            scope = crate::task_scope(scope);
        }
    }
    scopes.sort_by(|a, b| a.0.cmp(b.0));
    for (scope, tasks) in scopes {
        let batches = tasks.iter().filter_map(|&t| plan.task_batch(t));
        let (first, last) = (
            batches.clone().min().unwrap_or(0),
            batches.max().unwrap_or(0),
        );
        let names: Vec<String> = tasks
            .iter()
            .map(|&t| format!("`{}`", graph.task_name(t).unwrap_or("?")))
            .collect();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "scope `{scope}`: {} tasks in batches {first}..={last}: {}",
            tasks.len(),
            names.join(", ")
        );
    }
}
