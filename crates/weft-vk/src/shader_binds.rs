//! The core compute and draw tasks share: views bound to shader bindings by name (plain,
//! concurrent, or with an access kind the user gives), push constants (static or written
//! from the per-frame data), and the checks against the shaders' reflection.

use ash::vk;
use weft_graph::{Access, TaskBuilder, TaskGraph, View};
use weft_shader::Binding;

use crate::binding_access::{bind_view, check_binding_count, BindMode};
use crate::push_bytes::PushBytes;
use crate::push_descriptors::Descriptors;

/// Writes a task's push constants from the per-frame data.
pub(crate) type PushFill<U> = Box<dyn FnMut(&U, &mut [u8]) + Send>;

/// One view bound by name.
struct Bind {
    name: String,
    view: View,
    mode: BindMode,
}

/// What a task binds to its shaders, collected by the builder.
pub(crate) struct ShaderBinds<U> {
    binds: Vec<Bind>,
    push: Vec<u8>,
    fill: Option<PushFill<U>>,
    /// Tasks this one runs after, and the conditions it runs under.
    pub order: TaskOrder,
}

/// What orders a task besides its views, and when it runs at all: the tasks it runs after
/// and the condition guards it takes.
#[derive(Default)]
pub(crate) struct TaskOrder {
    pub after: Vec<weft_graph::TaskId>,
    pub guards: Vec<weft_graph::Guard>,
}

impl TaskOrder {
    /// `task` with these edges and guards.
    pub fn apply<'g, C>(self, mut task: TaskBuilder<'g, C>) -> TaskBuilder<'g, C> {
        for earlier in self.after {
            task = task.after(earlier);
        }
        for guard in self.guards {
            task = task.only_if(guard);
        }
        task
    }
}

/// The bindings checked against the shaders: the task's attachments, the descriptor slots
/// to push, and the push constants.
pub(crate) struct CheckedBinds<U> {
    pub attachments: Vec<(View, Access)>,
    pub descriptors: Descriptors,
    pub push: PushBytes,
    pub fill: Option<PushFill<U>>,
}

impl<U> Default for ShaderBinds<U> {
    fn default() -> Self {
        Self {
            binds: Vec::new(),
            push: Vec::new(),
            fill: None,
            order: TaskOrder::default(),
        }
    }
}

impl<U> ShaderBinds<U> {
    pub fn bind(&mut self, name: &str, view: View, mode: BindMode) {
        self.binds.push(Bind {
            name: name.to_owned(),
            view,
            mode,
        });
    }

    pub fn push_constants(&mut self, bytes: &[u8]) {
        self.push = bytes.to_vec();
    }

    pub fn push_constants_with(&mut self, fill: PushFill<U>) {
        self.fill = Some(fill);
    }

    /// Checks the binds against `bindings` (each with the pipeline stages that use it) and
    /// `push_size`, the shaders' push-constant block size. Per-frame push constants start
    /// zeroed at that size. The error says what does not fit; the caller names the task.
    pub fn check<C>(
        mut self,
        bindings: &[(&Binding, vk::PipelineStageFlags2)],
        push_size: u32,
        task_kind: &str,
        graph: &TaskGraph<C>,
    ) -> Result<CheckedBinds<U>, String> {
        if let Some(unknown) = self
            .binds
            .iter()
            .find(|b| !bindings.iter().any(|(binding, _)| binding.name == b.name))
        {
            return Err(format!(
                "the shaders have no binding `{}` (or their entry points do not use it)",
                unknown.name
            ));
        }
        if self.fill.is_some() {
            self.push = vec![0; push_size as usize];
        }
        if self.push.len() as u32 != push_size {
            return Err(format!(
                "{} push-constant bytes given, the shaders' block has {push_size}",
                self.push.len()
            ));
        }
        let mut attachments = Vec::with_capacity(bindings.len());
        let mut slots = Vec::with_capacity(bindings.len());
        for (binding, stages) in bindings {
            let Some(bind) = self.binds.iter().find(|b| b.name == binding.name) else {
                return Err(format!("binding `{}` has no view", binding.name));
            };
            let (attachment, slot) = bind_view(binding, bind.view, bind.mode, *stages, graph)?;
            attachments.push(attachment);
            slots.push(slot);
        }
        check_binding_count(slots.len(), task_kind)?;
        Ok(CheckedBinds {
            attachments,
            descriptors: Descriptors::new(&slots),
            push: PushBytes::new(&self.push),
            fill: self.fill,
        })
    }
}

/// The methods compute and draw task builders share, on a builder with a `binds:
/// ShaderBinds<U>` field.
macro_rules! shader_bind_methods {
    () => {
        /// Binds `view` to the shader binding named `name`; its access is what the shaders'
        /// entry points really do with the binding (from reflection).
        pub fn bind(mut self, name: &str, view: impl Into<weft_graph::View>) -> Self {
            self.binds.bind(
                name,
                view.into(),
                $crate::binding_access::BindMode::Reflected,
            );
            self
        }

        /// Binds `view` to the storage binding `name` as a concurrent write: tasks writing
        /// the same view concurrently (disjoint elements, atomics) may share a batch.
        pub fn bind_concurrent(mut self, name: &str, view: impl Into<weft_graph::View>) -> Self {
            self.binds.bind(
                name,
                view.into(),
                $crate::binding_access::BindMode::Concurrent,
            );
            self
        }

        /// Binds `view` to `name` with the access kind `kind` instead of the one reflection
        /// finds (where the user knows better, e.g. a `read_write` binding the shader only
        /// writes today but whose old contents must be kept).
        pub fn bind_as(
            mut self,
            name: &str,
            view: impl Into<weft_graph::View>,
            kind: weft_graph::AccessKind,
        ) -> Self {
            self.binds.bind(
                name,
                view.into(),
                $crate::binding_access::BindMode::Kind(kind),
            );
            self
        }

        /// Binds the image view `view` to `name` in the `GENERAL` layout: no layout
        /// transition between this task and neighbours that use the image in `GENERAL` too
        /// (e.g. a sampled image also written as storage).
        pub fn bind_general(mut self, name: &str, view: impl Into<weft_graph::View>) -> Self {
            self.binds
                .bind(name, view.into(), $crate::binding_access::BindMode::General);
            self
        }

        /// Runs this task after `earlier` (a task of the same graph), even where no view
        /// orders them.
        pub fn after(mut self, earlier: weft_graph::TaskId) -> Self {
            self.binds.order.after.push(earlier);
            self
        }

        /// Runs this task only when `guard` holds (see
        /// [`weft_graph::TaskGraph::condition`]); several guards must all hold, and so
        /// must those of the scopes it is recorded in.
        pub fn only_if(mut self, guard: weft_graph::Guard) -> Self {
            self.binds.order.guards.push(guard);
            self
        }

        /// The push-constant bytes (must match the shaders' block size).
        pub fn push_constants(mut self, bytes: &[u8]) -> Self {
            self.binds.push_constants(bytes);
            self
        }

        /// Push constants written from the per-frame data at every execution: `fill` gets
        /// the data and the push-constant bytes (the shaders' block size, zeroed the first
        /// time). Static push constants given before are ignored.
        pub fn push_constants_with(
            mut self,
            fill: impl FnMut(&U, &mut [u8]) + Send + 'static,
        ) -> Self {
            self.binds.push_constants_with(Box::new(fill));
            self
        }
    };
}
pub(crate) use shader_bind_methods;
