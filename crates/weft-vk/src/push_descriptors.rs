//! Binding a task's views as push descriptors of set 0 when the task records. The
//! descriptor infos live in stack arrays of `N` entries, so recording allocates nothing.

use ash::vk;
use weft_graph::View;

use crate::context::Context;
use crate::error::VkError;
use crate::task_context::{Reals, TaskNames};

/// One view bound to a shader binding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    /// The binding number in set 0.
    pub(crate) binding: u32,
    /// The descriptor type of what the shader declares there.
    pub(crate) descriptor_type: vk::DescriptorType,
    /// The view bound to it.
    pub(crate) view: View,
    /// The layout the task's access puts an image view in (the descriptor says it).
    pub(crate) layout: vk::ImageLayout,
}

/// Where descriptors are pushed: the command buffer (recording) and the pipeline layout
/// and bind point whose set 0 they fill.
#[derive(Clone, Copy)]
pub(crate) struct PushTarget {
    pub cmd: vk::CommandBuffer,
    pub bind_point: vk::PipelineBindPoint,
    pub layout: vk::PipelineLayout,
}

/// Pushes `slots` of the task `names` names as the descriptors of set 0 of `to`, with this execution's
/// real resources; an error when an image view cannot be made. The tasks check at record
/// time that `slots.len() <= N`.
pub(crate) fn push_descriptors<const N: usize>(
    ctx: &Context,
    to: PushTarget,
    (reals, names): (&Reals<'_>, TaskNames<'_>),
    slots: &[Slot],
) -> Result<(), VkError> {
    if slots.is_empty() {
        return Ok(());
    }
    let mut buffer_infos = [vk::DescriptorBufferInfo::default(); N];
    let mut image_infos = [vk::DescriptorImageInfo::default(); N];
    let mut writes = [vk::WriteDescriptorSet::default(); N];
    let count = slots.len().min(N);
    // First the infos and what each write says of its binding; then, with the infos no
    // longer changing, each write points at its own.
    for (i, slot) in slots[..count].iter().enumerate() {
        let write = &mut writes[i];
        write.dst_binding = slot.binding;
        write.descriptor_type = slot.descriptor_type;
        write.descriptor_count = 1;
        match slot.view {
            View::Buffer(v) => {
                buffer_infos[i] = vk::DescriptorBufferInfo {
                    buffer: reals.binding_buffer(v.buffer),
                    offset: v.offset,
                    range: if v.size == u64::MAX {
                        vk::WHOLE_SIZE
                    } else {
                        v.size
                    },
                };
            }
            View::Image(v) => {
                image_infos[i] = vk::DescriptorImageInfo {
                    sampler: vk::Sampler::null(),
                    image_view: reals.image_view(names, &v)?,
                    image_layout: slot.layout,
                };
            }
        }
    }
    for (i, slot) in slots[..count].iter().enumerate() {
        match slot.view {
            View::Buffer(_) => writes[i].p_buffer_info = &buffer_infos[i],
            View::Image(_) => writes[i].p_image_info = &image_infos[i],
        }
    }
    // SAFETY: the command buffer is recording; the descriptors name this execution's real
    // resources, which the plan synchronises; the infos outlive the call; the binding kinds
    // were checked against the layout when the task was recorded.
    unsafe {
        ctx.push_descriptor.cmd_push_descriptor_set(
            to.cmd,
            to.bind_point,
            to.layout,
            0,
            &writes[..count],
        );
    }
    Ok(())
}
