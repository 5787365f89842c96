//! Memory for buffers and images, from the context's `gpu-allocator`.

use ash::vk;
use gpu_allocator::vulkan::{Allocation, AllocationCreateDesc, AllocationScheme};
use gpu_allocator::MemoryLocation;

use crate::context::Context;
use crate::error::VkError;

/// Allocates memory for a resource named `name` with `requirements`.
pub(crate) fn allocate(
    ctx: &Context,
    name: &str,
    requirements: vk::MemoryRequirements,
    location: MemoryLocation,
    linear: bool,
) -> Result<Allocation, VkError> {
    let mut allocator = ctx
        .allocator
        .lock()
        .map_err(|_| VkError::Unsupported("a poisoned allocator lock".into()))?;
    allocator
        .allocate(&AllocationCreateDesc {
            name,
            requirements,
            location,
            linear,
            allocation_scheme: AllocationScheme::GpuAllocatorManaged,
        })
        .map_err(|source| VkError::Allocation {
            resource: name.to_owned(),
            source,
        })
}
