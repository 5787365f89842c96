//! The plan as a Graphviz DOT graph: tasks as boxes, an edge per dependency labelled with
//! the resource and the hazard. Without scopes, one cluster per batch; with scopes (tasks
//! named `scope/task`), one cluster per scope, nested as the scopes are, and each task's
//! batch in its box.

use std::fmt::Write;

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::inspect::{escape, resource_name};
use crate::plan::Plan;
use crate::profile::task_scope;

impl Plan {
    /// The DOT graph (see the module doc).
    pub fn to_dot<C>(&self, graph: &TaskGraph<C>) -> Result<String, GraphError> {
        self.check_graph(graph)?;
        let mut out = String::from("digraph weft {\n  rankdir=LR;\n  node [shape=box];\n");
        let scoped = self
            .task_order()
            .iter()
            .any(|&t| !task_scope(graph.task_name(t).unwrap_or("")).is_empty());
        if scoped {
            self.scope_clusters(graph, &mut out);
        } else {
            self.batch_clusters(graph, &mut out);
        }
        for d in self.dependencies(graph)? {
            let label = match d.resource {
                Some(r) => format!("{} {}", resource_name(graph, r), d.hazard.label()),
                None => d.hazard.label().to_owned(),
            };
            // Writing to a String cannot fail; the results are ignored for that reason.
            let _ = writeln!(
                out,
                "  t{} -> t{} [label=\"{}\"];",
                d.from,
                d.to,
                escape(&label)
            );
        }
        out.push_str("}\n");
        Ok(out)
    }

    /// One cluster per batch, labelled with its barrier count.
    fn batch_clusters<C>(&self, graph: &TaskGraph<C>, out: &mut String) {
        for batch in 0..self.batch_count() {
            let barriers = self.barriers_before(batch);
            let _ = writeln!(
                out,
                "  subgraph cluster_batch_{batch} {{\n    label=\"batch {batch} ({} barriers before)\";",
                barriers.memory.len() + barriers.image.len()
            );
            for &t in self.batch(batch) {
                let _ = writeln!(
                    out,
                    "    t{t} [label=\"{}\"];",
                    escape(graph.task_name(t).unwrap_or("?"))
                );
            }
            out.push_str("  }\n");
        }
    }

    /// One cluster per scope, nested; tasks labelled with their name in the scope and their
    /// batch.
    fn scope_clusters<C>(&self, graph: &TaskGraph<C>, out: &mut String) {
        // Tasks sorted by scope path, so each scope's tasks and inner scopes are together.
        let mut tasks: Vec<(&str, u32)> = self
            .task_order()
            .iter()
            .map(|&t| (graph.task_name(t).unwrap_or("?"), t))
            .collect();
        tasks.sort_by(|a, b| task_scope(a.0).cmp(task_scope(b.0)).then(a.1.cmp(&b.1)));
        let mut open: Vec<&str> = Vec::new();
        let mut clusters = 0;
        for (name, task) in tasks {
            let scope = task_scope(name);
            let parts: Vec<&str> = if scope.is_empty() {
                Vec::new()
            } else {
                scope.split('/').collect()
            };
            // Close the scopes this task is not in, open the ones it is.
            let same = open.iter().zip(&parts).take_while(|(a, b)| a == b).count();
            while open.len() > same {
                open.pop();
                out.push_str("  }\n");
            }
            for part in &parts[same..] {
                clusters += 1;
                let _ = writeln!(
                    out,
                    "  subgraph cluster_scope_{clusters} {{\n    label=\"{}\";",
                    escape(part)
                );
                open.push(part);
            }
            let short = name.rsplit('/').next().unwrap_or(name);
            let _ = writeln!(
                out,
                "    t{task} [label=\"{}\\nbatch {}\"];",
                escape(short),
                self.task_batch(task).unwrap_or(0)
            );
        }
        for _ in open {
            out.push_str("  }\n");
        }
    }
}
