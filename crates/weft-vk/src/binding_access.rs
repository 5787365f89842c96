//! How a shader binding becomes a task attachment: the access its use makes, and whether
//! the view bound to it is of a kind that fits. Shared by pipeline and draw tasks.

use ash::vk;
use weft_graph::{Access, AccessKind, AccessUsage, TaskGraph, View};
use weft_shader::{Binding, BindingKind};

use crate::pipeline::storage_format;
use crate::push_descriptors::{Slot, MAX_BINDINGS};

/// How a task binds a view to a shader binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BindMode {
    /// The access the shaders' use of the binding makes (from reflection).
    Reflected,
    /// Like `Reflected`, writes concurrent with other tasks' (disjoint elements, atomics).
    Concurrent,
    /// The access kind the user gives instead of reflection's.
    Kind(AccessKind),
    /// Like `Reflected`, with an image kept in the `GENERAL` layout.
    General,
}

/// The attachment and the push-descriptor slot of `view` bound to `binding` in `mode`, used
/// in `stages`; an error when the view's kind does not fit the binding.
pub(crate) fn bind_view<C>(
    binding: &Binding,
    view: View,
    mode: BindMode,
    stages: vk::PipelineStageFlags2,
    graph: &TaskGraph<C>,
) -> Result<((View, Access), Slot), String> {
    check_view_kind(binding, &view, graph)?;
    let mut access = access_for(binding, mode == BindMode::Concurrent, stages);
    match mode {
        BindMode::Kind(kind) => access.kind = kind,
        BindMode::General => access = access.in_general_layout(),
        BindMode::Reflected | BindMode::Concurrent => {}
    }
    let slot = Slot {
        binding: binding.binding,
        descriptor_type: crate::pipeline::descriptor_type(binding.kind),
        view,
        layout: access.image_layout(),
    };
    Ok(((view, access), slot))
}

/// An error when a task (`task_kind`: "draw", "pipeline") binds more than
/// [`MAX_BINDINGS`] views.
pub(crate) fn check_binding_count(count: usize, task_kind: &str) -> Result<(), String> {
    if count > MAX_BINDINGS {
        return Err(format!(
            "{count} bindings; a {task_kind} task pushes at most {MAX_BINDINGS}"
        ));
    }
    Ok(())
}

/// The access a binding's use makes in `stages`: what the entry point really reads and
/// writes, concurrent when the user said the task's writes may overlap.
fn access_for(binding: &Binding, concurrent: bool, stages: vk::PipelineStageFlags2) -> Access {
    let (read, write) = (binding.used.read, binding.used.write);
    let kind = match (binding.kind, read, write, concurrent) {
        (BindingKind::SampledImage, ..) => AccessKind::Sampled,
        (_, true, true, false) => AccessKind::ReadWrite,
        (_, true, true, true) => AccessKind::ConcurrentReadWrite,
        (_, false, true, false) => AccessKind::Write,
        (_, false, true, true) => AccessKind::ConcurrentWrite,
        _ => AccessKind::Read,
    };
    let usage = match binding.kind {
        BindingKind::UniformBuffer => AccessUsage::Uniform,
        BindingKind::SampledImage => AccessUsage::Sampled,
        _ => AccessUsage::Storage,
    };
    Access::new(stages, kind, usage)
}

/// A buffer binding needs a buffer view, an image binding an image view of a fitting
/// format.
fn check_view_kind<C>(binding: &Binding, view: &View, graph: &TaskGraph<C>) -> Result<(), String> {
    let wants_buffer = matches!(
        binding.kind,
        BindingKind::StorageBuffer | BindingKind::UniformBuffer
    );
    match (view, wants_buffer) {
        (View::Buffer(_), true) => Ok(()),
        (View::Image(image), false) => {
            let BindingKind::StorageImage(format) = binding.kind else {
                return Ok(());
            };
            match (graph.image_desc(image.image), storage_format(format)) {
                (Some(desc), Some(wanted)) if desc.format != wanted => Err(format!(
                    "binding `{}` is a {format:?} storage image but the image's format is {:?}",
                    binding.name, desc.format
                )),
                _ => Ok(()),
            }
        }
        (View::Buffer(_), false) => Err(format!(
            "binding `{}` is {:?} but a buffer view was bound to it",
            binding.name, binding.kind
        )),
        (View::Image(_), true) => Err(format!(
            "binding `{}` is {:?} but an image view was bound to it",
            binding.name, binding.kind
        )),
    }
}
