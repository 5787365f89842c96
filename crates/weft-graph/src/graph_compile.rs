//! The graph side of `compile()`: what a [`TaskGraph`] hands the compiler
//! ([`crate::compile`], which knows no graph type), the public entry points, and which
//! plans are current for a graph.

use crate::compile::scratch::Scratch;
use crate::compile::{self, CompileInput, CompileOptions};
use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::{Dependency, Plan};
use crate::touch::TouchLists;

impl<C> TaskGraph<C> {
    /// Compiles the recording into a plan: dependencies per subresource, the fewest batches
    /// (exactly the DAG depth), and the fewest, narrowest barriers between them.
    ///
    /// The graph keeps the working memory of the last compile (about 55 bytes per
    /// attachment: some 22 MB for 100,000 tasks of 4 attachments) until it is dropped or
    /// [`TaskGraph::release_compile_memory`] is called, so compiling again (after a resize,
    /// or more tasks) does not allocate it anew.
    pub fn compile(&self, options: &CompileOptions) -> Result<Plan, GraphError> {
        let mut scratch = self.scratch.take();
        let plan = compile::compile(&self.compile_input(), options, &mut scratch);
        self.scratch.put_back(scratch);
        Ok(plan)
    }

    /// Frees the working memory the last compile kept (see [`TaskGraph::compile`]); the
    /// next compile allocates it again. Plans are not affected.
    pub fn release_compile_memory(&self) {
        drop(self.scratch.take());
    }

    /// The task dependencies, with their causes (see [`Plan::dependencies`]).
    pub(crate) fn task_dependencies(&self) -> Vec<Dependency> {
        compile::task_dependencies(&self.compile_input(), &mut Scratch::default())
    }

    /// What the compiler reads of this graph.
    fn compile_input(&self) -> CompileInput<'_> {
        self.compile_input_of(&self.touches, &self.after_edges, &self.submits)
    }

    /// What the compiler reads of this graph with the tasks given by `touches` (their
    /// attachments), `after_edges` and `submits` (a sub-recording's, or the graph's own).
    pub(crate) fn compile_input_of<'a>(
        &'a self,
        touches: &'a TouchLists,
        after_edges: &'a [(u32, u32)],
        submits: &'a [u32],
    ) -> CompileInput<'a> {
        CompileInput {
            graph: self.id,
            revision: self.revision(),
            touches,
            accesses: &self.accesses.accesses,
            after_edges,
            submits,
            summaries: &self.summaries,
            resources: &self.resources,
            presents: &self.presents,
            locality: &self.locality,
            min_batch: &[],
        }
    }
}

impl Plan {
    /// True when this plan was compiled from `graph` (whatever was recorded since).
    pub fn compiled_from<C>(&self, graph: &TaskGraph<C>) -> bool {
        self.graph == graph.id
    }

    /// True when this plan was compiled from `graph` as it is now: nothing was declared,
    /// recorded, ordered, submitted or presented since.
    pub fn is_current_for<C>(&self, graph: &TaskGraph<C>) -> bool {
        self.graph == graph.id && self.revision == graph.revision()
    }
}
