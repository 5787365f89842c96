//! Resolving: the real resource behind every virtual one of a plan, for one execution. An
//! external resource is whatever is bound to it in the graph; a transient one is created for
//! the frame slot (kept while its description stays the same).

use ash::vk;
use weft_graph::{Lifetime, Plan, ResourceDesc, ResourceInfo};

use crate::bindings::Bound;
use crate::buffer::{Buffer, BufferInfo, MemoryLocation};
use crate::context::Context;
use crate::error::VkError;
use crate::graph::ResolveKey;
use crate::image::Image;
use crate::task_context::Handles;

/// The real handles of one execution, by resource index (null for resources the plan does
/// not use). Kept by the executor and refilled per execution, so it does not allocate in
/// the steady state.
#[derive(Default)]
pub(crate) struct Resolved {
    pub buffers: Vec<vk::Buffer>,
    /// Device addresses (0: none).
    pub addresses: Vec<vk::DeviceAddress>,
    pub images: Vec<vk::Image>,
    /// What these handles were resolved for: the same key resolves to the same handles.
    key: Option<ResolveKey>,
}

/// A frame slot's transient resources, by resource index.
#[derive(Default)]
pub(crate) struct Transients {
    pub buffers: Vec<Option<Buffer>>,
    pub images: Vec<Option<Image>>,
}

impl Transients {
    /// Marks every transient as used by submission `value`.
    pub fn in_flight(&self, value: u64) {
        for buffer in self.buffers.iter().flatten() {
            buffer.in_flight.set(value);
        }
        for image in self.images.iter().flatten() {
            image.in_flight.set(value);
        }
    }
}

impl Resolved {
    /// The handles, for task contexts.
    pub fn handles(&self) -> Handles<'_> {
        Handles {
            buffers: &self.buffers,
            addresses: &self.addresses,
            images: &self.images,
        }
    }

    /// Finds the real resource of every resource `plan` uses: the bound one for external
    /// resources (an error naming it when nothing is bound), the frame's own for transient
    /// ones (created when missing or of another description).
    ///
    /// Nothing is done when the handles were resolved for `key` already: the plan and the
    /// bindings are the same, and so are this frame slot's transients.
    pub fn resolve(
        &mut self,
        ctx: &std::sync::Arc<Context>,
        resources: &[ResourceInfo],
        bound: &[Option<Bound>],
        plan: &Plan,
        transients: &mut Transients,
        key: ResolveKey,
    ) -> Result<(), VkError> {
        if self.key == Some(key) {
            return Ok(());
        }
        self.key = None;
        let count = resources.len();
        reset(&mut self.buffers, count, vk::Buffer::null());
        reset(&mut self.addresses, count, 0);
        reset(&mut self.images, count, vk::Image::null());
        if transients.buffers.len() < count {
            transients.buffers.resize_with(count, || None);
            transients.images.resize_with(count, || None);
        }
        for (index, info) in resources.iter().enumerate() {
            if !plan.uses_resource(index as u32) {
                continue;
            }
            match (info.lifetime, bound.get(index).and_then(Option::as_ref)) {
                (Lifetime::External, Some(Bound::Buffer(real))) => {
                    self.buffers[index] = real.raw;
                    self.addresses[index] = real.device_address().unwrap_or(0);
                }
                (Lifetime::External, Some(Bound::Image(real))) => {
                    self.images[index] = real.raw;
                }
                (Lifetime::External, None) => {
                    return Err(VkError::Unbound {
                        kind: match info.desc {
                            ResourceDesc::Buffer(_) => "buffer",
                            ResourceDesc::Image(_) => "image",
                        },
                        resource: info.name.clone(),
                    })
                }
                (Lifetime::Transient, _) => {
                    self.create_transient(ctx, index, info, transients)?;
                }
            }
        }
        self.key = Some(key);
        Ok(())
    }

    /// Points resource `index` at the frame's transient resource, creating it first when it
    /// is missing or was made for another description.
    fn create_transient(
        &mut self,
        ctx: &std::sync::Arc<Context>,
        index: usize,
        info: &ResourceInfo,
        transients: &mut Transients,
    ) -> Result<(), VkError> {
        match &info.desc {
            ResourceDesc::Buffer(desc) => {
                let slot = &mut transients.buffers[index];
                let stale = slot
                    .as_ref()
                    .is_none_or(|b| b.size() != desc.size || b.usage() != desc.usage);
                if stale {
                    let create = BufferInfo {
                        name: &info.name,
                        size: desc.size,
                        usage: desc.usage,
                        location: MemoryLocation::GpuOnly,
                    };
                    *slot = Some(Buffer::new(ctx, &create)?);
                }
                if let Some(b) = slot {
                    self.buffers[index] = b.raw;
                    self.addresses[index] = b.device_address().unwrap_or(0);
                }
            }
            ResourceDesc::Image(desc) => {
                let slot = &mut transients.images[index];
                if slot.as_ref().is_none_or(|i| i.desc() != desc) {
                    *slot = Some(Image::new(ctx, &info.name, desc)?);
                }
                if let Some(i) = slot {
                    self.images[index] = i.raw;
                }
            }
        }
        Ok(())
    }
}

/// Clears `list` and fills it with `count` copies of `value` (no allocation once it has
/// grown to `count`).
fn reset<T: Copy>(list: &mut Vec<T>, count: usize, value: T) {
    list.clear();
    list.resize(count, value);
}
