//! Binding a task's views as push descriptors of set 0 when the task records. What the
//! writes say of each binding is sorted out when the task is recorded ([`Descriptors`]:
//! buffer views first, as the resource index, offset and range they need); per execution
//! only the real handles are looked up. The descriptor infos live in stack arrays of `N`
//! entries, so recording allocates nothing.

use ash::vk;
use weft_graph::{ImageView, View};

use crate::context::Context;
use crate::error::VkError;
use crate::task_context::{Reals, TaskNames};

/// The most bindings a pipeline or draw task pushes (the size of the push-descriptor
/// arrays on the stack).
pub(crate) const MAX_BINDINGS: usize = 16;

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

/// A buffer view bound to a binding, as its descriptor needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BufferSlot {
    binding: u32,
    descriptor_type: vk::DescriptorType,
    /// The buffer's index among the graph's resources.
    buffer: u32,
    offset: u64,
    /// Bytes, or `vk::WHOLE_SIZE` (which is what a view's "the rest" is).
    range: u64,
}

/// An image view bound to a binding.
#[derive(Clone, Copy, Debug)]
struct ImageSlot {
    binding: u32,
    descriptor_type: vk::DescriptorType,
    view: ImageView,
    layout: vk::ImageLayout,
}

/// A task's views as the descriptors of set 0 (see the module doc).
#[derive(Clone, Debug, Default)]
pub(crate) struct Descriptors {
    buffers: Box<[BufferSlot]>,
    images: Box<[ImageSlot]>,
}

/// Where descriptors are pushed: the command buffer (recording) and the pipeline layout
/// and bind point whose set 0 they fill.
#[derive(Clone, Copy)]
pub(crate) struct PushTarget {
    pub cmd: vk::CommandBuffer,
    pub bind_point: vk::PipelineBindPoint,
    pub layout: vk::PipelineLayout,
}

impl Descriptors {
    /// The descriptors of `slots` (at most [`MAX_BINDINGS`], checked when the task is
    /// recorded).
    pub fn new(slots: &[Slot]) -> Self {
        let buffers = slots
            .iter()
            .filter_map(|slot| match slot.view {
                View::Buffer(v) => Some(BufferSlot {
                    binding: slot.binding,
                    descriptor_type: slot.descriptor_type,
                    buffer: v.buffer.index(),
                    offset: v.offset,
                    // `u64::MAX` ("the rest") is `vk::WHOLE_SIZE`.
                    range: v.size,
                }),
                View::Image(_) => None,
            })
            .collect();
        let images = slots
            .iter()
            .filter_map(|slot| match slot.view {
                View::Image(view) => Some(ImageSlot {
                    binding: slot.binding,
                    descriptor_type: slot.descriptor_type,
                    view,
                    layout: slot.layout,
                }),
                View::Buffer(_) => None,
            })
            .collect();
        Self { buffers, images }
    }

    /// How many descriptors there are.
    pub fn len(&self) -> usize {
        self.buffers.len() + self.images.len()
    }

    /// Asks the CPU to bring the buffer descriptors closer (see [`crate::prefetch`]).
    #[inline]
    pub fn prefetch(&self) {
        crate::prefetch::prefetch::<_, 2>(&*self.buffers);
    }

    /// The descriptors, when they are all of buffers, at most [`EXACT_BUFFERS`] (what
    /// [`push_buffers`] pushes).
    pub fn exact_buffers(&self) -> Option<&[BufferSlot]> {
        (self.images.is_empty() && self.buffers.len() <= EXACT_BUFFERS).then_some(&*self.buffers)
    }

    /// Pushes the descriptors into `to`, with this execution's real resources (`reals`) for
    /// the task `names` names, in stack arrays sized to the descriptor count (exactly, for
    /// a few buffers: see [`push_buffers`]); an error when an image view cannot be made.
    pub fn push(
        &self,
        ctx: &Context,
        to: PushTarget,
        task: (&Reals<'_>, TaskNames<'_>),
    ) -> Result<(), VkError> {
        if let Some(buffers) = self.exact_buffers() {
            return push_buffers(ctx, to, task.0.handles.buffers, buffers);
        }
        match self.len() {
            ..=4 => self.push_in::<4>(ctx, to, task),
            5..=8 => self.push_in::<8>(ctx, to, task),
            _ => self.push_in::<MAX_BINDINGS>(ctx, to, task),
        }
    }

    /// [`Descriptors::push`] with arrays of `N >= self.len()` entries.
    fn push_in<const N: usize>(
        &self,
        ctx: &Context,
        to: PushTarget,
        (reals, names): (&Reals<'_>, TaskNames<'_>),
    ) -> Result<(), VkError> {
        let buffers = &self.buffers[..self.buffers.len().min(N)];
        let images = &self.images[..self.images.len().min(N - buffers.len())];
        let mut buffer_infos = [vk::DescriptorBufferInfo::default(); N];
        let mut image_infos = [vk::DescriptorImageInfo::default(); N];
        // First the infos; then, with the infos no longer changing, the writes that point at
        // them.
        // A binding's view is one of the task's attachments (checked against this graph when
        // the task was recorded), so its index is inside the handle array, which has one
        // entry per resource of the graph.
        for (info, slot) in buffer_infos.iter_mut().zip(buffers) {
            *info = vk::DescriptorBufferInfo {
                buffer: reals.handles.buffers[slot.buffer as usize],
                offset: slot.offset,
                range: slot.range,
            };
        }
        for (info, slot) in image_infos.iter_mut().zip(images) {
            *info = vk::DescriptorImageInfo {
                sampler: vk::Sampler::null(),
                image_view: reals.image_view(names, &slot.view)?,
                image_layout: slot.layout,
            };
        }
        let mut writes = [vk::WriteDescriptorSet::default(); N];
        for ((write, slot), info) in writes.iter_mut().zip(buffers).zip(&buffer_infos) {
            *write = vk::WriteDescriptorSet::default()
                .dst_binding(slot.binding)
                .descriptor_type(slot.descriptor_type)
                .buffer_info(std::slice::from_ref(info));
        }
        let image_writes = writes[buffers.len()..].iter_mut();
        for ((write, slot), info) in image_writes.zip(images).zip(&image_infos) {
            *write = vk::WriteDescriptorSet::default()
                .dst_binding(slot.binding)
                .descriptor_type(slot.descriptor_type)
                .image_info(std::slice::from_ref(info));
        }
        let count = buffers.len() + images.len();
        // SAFETY: the command buffer is recording; the descriptors name this execution's real
        // resources, which the plan synchronises; the infos outlive the call; the binding
        // kinds were checked against the layout when the task was recorded.
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
}

/// The most buffer descriptors [`push_buffers`] pushes.
pub(crate) const EXACT_BUFFERS: usize = 8;

/// Pushes `slots` (buffer views, at most [`EXACT_BUFFERS`]) into `to` with the real buffers
/// `buffers` (by resource index), from arrays of exactly `slots.len()` entries: every entry
/// is written once, none cleared first.
#[inline]
pub(crate) fn push_buffers(
    ctx: &Context,
    to: PushTarget,
    buffers: &[vk::Buffer],
    slots: &[BufferSlot],
) -> Result<(), VkError> {
    let n = (ctx, to, buffers);
    match slots.len() {
        0 => Ok(()),
        1 => push_exactly::<1>(n, slots),
        2 => push_exactly::<2>(n, slots),
        3 => push_exactly::<3>(n, slots),
        4 => push_exactly::<4>(n, slots),
        5 => push_exactly::<5>(n, slots),
        6 => push_exactly::<6>(n, slots),
        7 => push_exactly::<7>(n, slots),
        _ => push_exactly::<EXACT_BUFFERS>(n, slots),
    }
}

/// [`push_buffers`] of `N == slots.len()` slots (an error for another count, or for a
/// slot whose buffer has no handle).
#[inline(always)]
fn push_exactly<const N: usize>(
    (ctx, to, buffers): (&Context, PushTarget, &[vk::Buffer]),
    slots: &[BufferSlot],
) -> Result<(), VkError> {
    let Ok(slots) = <&[BufferSlot; N]>::try_from(slots) else {
        return Err(VkError::Unsupported(format!(
            "{} buffer descriptors pushed as {N}; at most {EXACT_BUFFERS} at once",
            slots.len()
        )));
    };
    // Arrays of exactly `N`, written in loops of `N` (unrolled).
    let mut infos = [vk::DescriptorBufferInfo::default(); N];
    for (info, slot) in infos.iter_mut().zip(slots) {
        // A binding's view is one of the task's attachments (checked against its graph
        // when the task was recorded), and the handle array has one entry per resource of
        // the graph: no slot is past its end.
        let Some(&buffer) = buffers.get(slot.buffer as usize) else {
            return Err(VkError::Unsupported(format!(
                "buffer #{} pushed with the handles of {} buffers",
                slot.buffer,
                buffers.len()
            )));
        };
        *info = vk::DescriptorBufferInfo {
            buffer,
            offset: slot.offset,
            range: slot.range,
        };
    }
    let mut writes = [vk::WriteDescriptorSet::default(); N];
    for ((write, slot), info) in writes.iter_mut().zip(slots).zip(&infos) {
        write.dst_binding = slot.binding;
        write.descriptor_type = slot.descriptor_type;
        write.descriptor_count = 1;
        write.p_buffer_info = info;
    }
    // SAFETY: the command buffer is recording; the descriptors name this execution's real
    // buffers, which the plan synchronises; the infos outlive the call; the binding kinds
    // were checked against the layout when the task was recorded.
    unsafe {
        ctx.push_descriptor
            .cmd_push_descriptor_set(to.cmd, to.bind_point, to.layout, 0, &writes);
    }
    Ok(())
}
