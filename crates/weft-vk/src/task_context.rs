//! The task context: what a task's callback gets while it records: the command buffer, the
//! real resources behind the task's attachments, and the per-frame user data.

use ash::vk;
use weft_graph::{Attachment, AttachmentOps, ImageView, ResourceInfo, TaskBuffer, TaskImage, View};

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::VkError;
use crate::image::Image;

/// The real handles of one execution, by resource index (null for resources the plan does
/// not use).
#[derive(Clone, Copy)]
pub(crate) struct Handles<'a> {
    pub buffers: &'a [vk::Buffer],
    /// Device addresses (0: none).
    pub addresses: &'a [vk::DeviceAddress],
    pub images: &'a [vk::Image],
}

/// The real resources of one execution, by resource index: assembled once per recording
/// and lent to every task (a task context points at it instead of copying it).
#[derive(Clone, Copy)]
pub(crate) struct Reals<'a> {
    pub handles: Handles<'a>,
    /// The real resources bound to external resources.
    pub bound: &'a [Option<Bound>],
    /// The frame slot's transient images.
    pub transient_images: &'a [Option<Image>],
}

/// The names a task's errors give: the task's, and the graph's resources (looked up by
/// index only when an error is made).
#[derive(Clone, Copy)]
pub(crate) struct TaskNames<'a> {
    pub task: &'a str,
    pub resources: &'a [ResourceInfo],
}

impl TaskNames<'_> {
    /// The name of resource `index`.
    #[cold]
    fn resource(&self, index: usize) -> String {
        self.resources
            .get(index)
            .map_or_else(|| format!("#{index}"), |r| r.name.clone())
    }

    /// The error of a request for resource `index`, which the task did not attach.
    #[cold]
    fn not_attached(&self, index: usize) -> VkError {
        VkError::NotAttached {
            task: self.task.to_owned(),
            resource: self.resource(index),
        }
    }
}

impl Reals<'_> {
    /// The real image object behind image `index` (bound or transient) for the task
    /// `names` name, which attached it.
    fn image_object(&self, names: TaskNames<'_>, index: usize) -> Result<&Image, VkError> {
        match (self.bound.get(index), self.transient_images.get(index)) {
            (Some(Some(Bound::Image(real))), _) => Ok(real),
            (_, Some(Some(real))) => Ok(real),
            // `resolve` gave every used image a real one; the callers ask for attached
            // images only.
            _ => Err(names.not_attached(index)),
        }
    }

    /// An image view of `view`'s subresources in this execution's real image (made once
    /// per image and range, then reused), for the task `names` names, which attached the
    /// image.
    pub fn image_view(
        &self,
        names: TaskNames<'_>,
        view: &ImageView,
    ) -> Result<vk::ImageView, VkError> {
        let image = self.image_object(names, view.image.index() as usize)?;
        let range = view
            .range_in(image.desc())
            .ok_or_else(|| VkError::ViewOutsideImage {
                task: names.task.to_owned(),
                image: image.name().to_owned(),
            })?;
        image.view(&range)
    }
}

/// A task callback: records the task's commands. `U` is the per-frame user data passed to
/// [`crate::Executor::execute`].
pub type Callback<U> = Box<dyn for<'a> FnMut(&mut TaskContext<'a, U>) + Send>;

/// What a callback gets: the command buffer, the real resources of the views the task
/// attached, and the per-frame data.
///
/// Asking for a resource the task did not attach (or that belongs to another graph) is an
/// error ([`VkError::NotAttached`]), never a null handle: the plan synchronises only what
/// the task declared.
pub struct TaskContext<'a, U> {
    pub(crate) ctx: &'a Context,
    pub(crate) cmd: vk::CommandBuffer,
    pub(crate) names: TaskNames<'a>,
    /// The task's attachments.
    pub(crate) attached: &'a [Attachment],
    pub(crate) reals: &'a Reals<'a>,
    pub(crate) ops: &'a [AttachmentOps],
    pub(crate) error: Option<VkError>,
    /// The per-frame user data.
    pub data: &'a mut U,
}

impl<U> TaskContext<'_, U> {
    /// Reports a failure: the execution stops after this callback and returns it.
    pub fn fail(&mut self, error: VkError) {
        self.error.get_or_insert(error);
    }

    /// The load/store needs of the task's `index`-th attachment (see
    /// [`weft_graph::TaskGraph::attachment_ops`]); load and store when there is no such
    /// attachment.
    pub fn attachment_ops(&self, index: usize) -> AttachmentOps {
        self.ops.get(index).copied().unwrap_or(AttachmentOps {
            load: true,
            store: true,
        })
    }

    /// The context (device, extensions).
    pub fn context(&self) -> &Context {
        self.ctx
    }

    /// The device, to record commands with.
    pub fn device(&self) -> &ash::Device {
        &self.ctx.device
    }

    /// The command buffer being recorded.
    pub fn cmd(&self) -> vk::CommandBuffer {
        self.cmd
    }

    /// The name of the task being recorded.
    pub fn task_name(&self) -> &str {
        self.names.task
    }

    /// The index of `buffer` when the task attached a view of it. (Every index of an
    /// attached resource is inside the handle arrays: they have one entry per resource of
    /// the graph the task belongs to.)
    #[inline]
    fn attached_buffer(&self, buffer: TaskBuffer) -> Result<usize, VkError> {
        let attached = |a: &Attachment| matches!(a.view, View::Buffer(v) if v.buffer == buffer);
        if self.attached.iter().any(attached) {
            Ok(buffer.index() as usize)
        } else {
            Err(self.names.not_attached(buffer.index() as usize))
        }
    }

    /// The index of `image` when the task attached a view of it (see `attached_buffer`).
    #[inline]
    fn attached_image(&self, image: TaskImage) -> Result<usize, VkError> {
        let attached = |a: &Attachment| matches!(a.view, View::Image(v) if v.image == image);
        if self.attached.iter().any(attached) {
            Ok(image.index() as usize)
        } else {
            Err(self.names.not_attached(image.index() as usize))
        }
    }

    /// The real buffer behind `buffer` in this execution; an error when the task did not
    /// attach it.
    #[inline]
    pub fn buffer(&self, buffer: TaskBuffer) -> Result<vk::Buffer, VkError> {
        let index = self.attached_buffer(buffer)?;
        Ok(self.reals.handles.buffers[index])
    }

    /// The device address of the real buffer behind `buffer`; an error when the task did not
    /// attach it or the buffer lacks `SHADER_DEVICE_ADDRESS` usage.
    pub fn buffer_address(&self, buffer: TaskBuffer) -> Result<vk::DeviceAddress, VkError> {
        let index = self.attached_buffer(buffer)?;
        match self.reals.handles.addresses[index] {
            0 => Err(VkError::NoDeviceAddress {
                task: self.names.task.to_owned(),
                resource: self.names.resource(index),
            }),
            address => Ok(address),
        }
    }

    /// The real image behind `image` in this execution; an error when the task did not
    /// attach it.
    #[inline]
    pub fn image(&self, image: TaskImage) -> Result<vk::Image, VkError> {
        let index = self.attached_image(image)?;
        Ok(self.reals.handles.images[index])
    }

    /// The size of the first mip of `view` in this execution's real image.
    pub fn image_extent(&self, view: &ImageView) -> Result<vk::Extent2D, VkError> {
        let index = self.attached_image(view.image)?;
        let extent = self.reals.image_object(self.names, index)?.desc().extent;
        Ok(vk::Extent2D {
            width: (extent.width >> view.base_mip).max(1),
            height: (extent.height >> view.base_mip).max(1),
        })
    }

    /// An image view of `view`'s subresources in this execution's real image (made once
    /// per image and range, then reused).
    pub fn image_view(&self, view: &ImageView) -> Result<vk::ImageView, VkError> {
        self.attached_image(view.image)?;
        self.reals.image_view(self.names, view)
    }
}
