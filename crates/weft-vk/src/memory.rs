//! Memory for buffers and images, from the context's `gpu-allocator`, and where a
//! resource's memory comes from.

use ash::vk;
use gpu_allocator::vulkan::{Allocation, AllocationCreateDesc, AllocationScheme};
use gpu_allocator::MemoryLocation;

use crate::context::Context;
use crate::error::VkError;

/// Where a buffer's or image's memory comes from.
#[derive(Debug)]
pub(crate) enum Backing {
    /// Its own allocation, freed with it.
    Owned(Allocation),
    /// Part of memory someone else owns and frees (a transient in its plan's memory block).
    Placed,
    /// None of its own: an image someone else made (a swapchain image), not destroyed here.
    Borrowed,
}

impl Backing {
    /// The first mapped byte of an owned allocation in host-visible memory.
    pub fn mapped_ptr(&self) -> Option<std::ptr::NonNull<std::ffi::c_void>> {
        match self {
            Backing::Owned(allocation) => allocation.mapped_ptr(),
            Backing::Placed | Backing::Borrowed => None,
        }
    }

    /// The owned allocation, if any, leaving `Placed` behind (for dropping).
    pub fn take_owned(&mut self) -> Option<Allocation> {
        match std::mem::replace(self, Backing::Placed) {
            Backing::Owned(allocation) => Some(allocation),
            Backing::Placed | Backing::Borrowed => None,
        }
    }
}

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

/// The device memory a context's allocator holds (see [`Context::device_memory`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceMemoryUse {
    /// Live allocations.
    pub allocations: usize,
    /// Bytes of the live allocations.
    pub allocated_bytes: u64,
    /// Bytes of the memory blocks the allocator reserved from the device.
    pub reserved_bytes: u64,
}

impl Context {
    /// The device memory in use through this context's allocator now (resources dropped
    /// while the GPU still used them are freed once their submissions finish).
    pub fn device_memory(&self) -> Result<DeviceMemoryUse, VkError> {
        let allocator = self
            .allocator
            .lock()
            .map_err(|_| VkError::Unsupported("a poisoned allocator lock".into()))?;
        let report = allocator.generate_report();
        Ok(DeviceMemoryUse {
            allocations: report.allocations.len(),
            allocated_bytes: report.total_allocated_bytes,
            reserved_bytes: report.total_reserved_bytes,
        })
    }
}
