//! Resolving: the real resource behind every virtual one of a plan, for one execution. An
//! external resource is whatever is bound to it in the graph; a transient one is the frame
//! slot's, made in the plan's memory blocks (see [`super::transients`]).

use ash::vk;
use weft_graph::{Lifetime, Plan, ResourceDesc, ResourceInfo};

use crate::bindings::Bound;
use crate::context::Context;
use crate::error::VkError;
use crate::graph::ResolveKey;
use crate::task_context::Handles;

use super::transient_sets::TransientSets;

/// The real handles of one execution, by resource index (null for resources the plan does
/// not use). Kept by the executor and refilled per execution, so it does not allocate in
/// the steady state.
#[derive(Default)]
pub(crate) struct Resolved {
    pub buffers: Vec<vk::Buffer>,
    /// Device addresses (0: none).
    pub addresses: Vec<vk::DeviceAddress>,
    pub images: Vec<vk::Image>,
    /// What these handles were resolved for: the same key and plan (its placement decides
    /// the transients) resolve to the same handles.
    key: Option<(ResolveKey, u64)>,
    /// How many times the handles were resolved anew: while it stays the same, so do they.
    resolutions: u64,
}

impl Resolved {
    /// Changes whenever the handles may have (they were resolved anew).
    pub fn resolutions(&self) -> u64 {
        self.resolutions
    }

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
    /// ones (made in the plan's memory blocks when the placement changed).
    ///
    /// Nothing is done when the handles were resolved for `key` already: the plan and the
    /// bindings are the same, and so are this frame slot's transients.
    pub fn resolve(
        &mut self,
        ctx: &std::sync::Arc<Context>,
        resources: &[ResourceInfo],
        bound: &[Option<Bound>],
        plan: &Plan,
        transients: &mut TransientSets,
        key: ResolveKey,
    ) -> Result<(), VkError> {
        let key = (key, plan.serial());
        if self.key == Some(key) {
            return Ok(());
        }
        self.key = None;
        self.resolutions += 1;
        let count = resources.len();
        reset(&mut self.buffers, count, vk::Buffer::null());
        reset(&mut self.addresses, count, 0);
        reset(&mut self.images, count, vk::Image::null());
        transients.make(ctx, plan, resources)?;
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
                    if let Some(Some(b)) = transients.buffers.get(index) {
                        self.buffers[index] = b.raw;
                        self.addresses[index] = b.device_address().unwrap_or(0);
                    }
                    if let Some(Some(i)) = transients.images.get(index) {
                        self.images[index] = i.raw;
                    }
                    if self.buffers[index] == vk::Buffer::null()
                        && self.images[index] == vk::Image::null()
                    {
                        return Err(VkError::Transient {
                            resource: info.name.clone(),
                            plan: plan.serial(),
                            source: Box::new(VkError::Unsupported(
                                "a transient the plan uses was not placed".into(),
                            )),
                        });
                    }
                }
            }
        }
        self.key = Some(key);
        Ok(())
    }
}

/// Clears `list` and fills it with `count` copies of `value` (no allocation once it has
/// grown to `count`).
fn reset<T: Copy>(list: &mut Vec<T>, count: usize, value: T) {
    list.clear();
    list.resize(count, value);
}
