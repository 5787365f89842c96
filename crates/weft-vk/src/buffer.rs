//! Real buffers: memory from `gpu-allocator`, optional host mapping, and the state of their
//! last use, which the executor bridges from on the next use (across executions and graphs).

use std::sync::{Arc, Mutex};

use ash::vk;
use gpu_allocator::vulkan::Allocation;
pub use gpu_allocator::MemoryLocation;

use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::ids::ResourceId;
use crate::memory::allocate;
use crate::state::AccessState;
use crate::timeline::{Garbage, InFlight};

/// How to create a [`Buffer`].
#[derive(Clone, Copy, Debug)]
pub struct BufferInfo<'a> {
    /// Name (errors, debug labels).
    pub name: &'a str,
    /// Size in bytes.
    pub size: u64,
    /// Usages.
    pub usage: vk::BufferUsageFlags,
    /// Where the memory lives: `GpuOnly`, or `CpuToGpu`/`GpuToCpu` for mapped buffers.
    pub location: MemoryLocation,
}

/// A buffer with its memory. Dropping it frees both.
pub struct Buffer {
    ctx: Arc<Context>,
    pub(crate) raw: vk::Buffer,
    allocation: Option<Allocation>,
    size: u64,
    usage: vk::BufferUsageFlags,
    name: String,
    /// The state the last execution left it in (tracked for the whole buffer).
    pub(crate) state: Mutex<AccessState>,
    /// The last submission that uses it.
    pub(crate) in_flight: InFlight,
    id: ResourceId,
    /// Device address (0 without `SHADER_DEVICE_ADDRESS` usage).
    address: vk::DeviceAddress,
}

impl Buffer {
    /// Creates a buffer and binds fresh memory to it.
    pub fn new(ctx: &Arc<Context>, info: &BufferInfo<'_>) -> Result<Self, VkError> {
        let device = &ctx.device;
        let create = vk::BufferCreateInfo::default()
            .size(info.size)
            .usage(info.usage)
            .sharing_mode(vk::SharingMode::EXCLUSIVE);
        // SAFETY: the device is valid and `create` describes a buffer with a non-zero size
        // (a zero size is reported by the validation layer and `vkCreateBuffer`).
        let raw =
            unsafe { device.create_buffer(&create, None) }.map_err(vk_err("vkCreateBuffer"))?;
        // SAFETY: `raw` was just created from this device.
        let requirements = unsafe { device.get_buffer_memory_requirements(raw) };
        let allocated = allocate(ctx, info.name, requirements, info.location, true);
        let allocation = match allocated {
            Ok(a) => a,
            Err(e) => {
                // SAFETY: `raw` is unused and not bound to memory.
                unsafe { device.destroy_buffer(raw, None) };
                return Err(e);
            }
        };
        // SAFETY: the allocation was made for this buffer's requirements, at its offset.
        let bound =
            unsafe { device.bind_buffer_memory(raw, allocation.memory(), allocation.offset()) };
        let mut buffer = Self {
            ctx: Arc::clone(ctx),
            raw,
            allocation: Some(allocation),
            size: info.size,
            usage: info.usage,
            name: info.name.to_owned(),
            state: Mutex::new(AccessState::default()),
            in_flight: InFlight::default(),
            id: ctx.ids.allocate(),
            address: 0,
        };
        bound.map_err(vk_err("vkBindBufferMemory"))?;
        if info
            .usage
            .contains(vk::BufferUsageFlags::SHADER_DEVICE_ADDRESS)
        {
            let address_info = vk::BufferDeviceAddressInfo::default().buffer(raw);
            // SAFETY: the buffer is bound to memory allocated with the device-address flag
            // (the allocator is created with buffer device addresses on) and has the usage.
            buffer.address = unsafe { ctx.device.get_buffer_device_address(&address_info) };
        }
        Ok(buffer)
    }

    /// The Vulkan handle.
    pub fn handle(&self) -> vk::Buffer {
        self.raw
    }

    /// Its generational id (see [`Context::is_alive`]).
    pub fn id(&self) -> ResourceId {
        self.id
    }

    /// Its device address, for buffers created with `SHADER_DEVICE_ADDRESS` usage.
    pub fn device_address(&self) -> Option<vk::DeviceAddress> {
        (self.address != 0).then_some(self.address)
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Usages.
    pub fn usage(&self) -> vk::BufferUsageFlags {
        self.usage
    }

    /// Name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The mapped bytes, for buffers in CPU-visible memory. Like a host accessor, it first
    /// waits until the GPU has finished every submission that uses the buffer.
    pub fn mapped(&self) -> Result<&[u8], VkError> {
        self.ctx.wait_for_submission(self.in_flight.get())?;
        self.allocation
            .as_ref()
            .and_then(|a| a.mapped_slice())
            .map(|s| &s[..self.size as usize])
            .ok_or_else(|| VkError::NotHostVisible(self.name.clone()))
    }

    /// The mapped bytes for writing, for buffers in CPU-visible memory. It first waits until
    /// the GPU has finished every submission that uses the buffer; writes are visible to the
    /// next execution (queue submission makes host writes visible).
    pub fn mapped_mut(&mut self) -> Result<&mut [u8], VkError> {
        self.ctx.wait_for_submission(self.in_flight.get())?;
        let size = self.size as usize;
        self.allocation
            .as_mut()
            .and_then(|a| a.mapped_slice_mut())
            .map(|s| &mut s[..size])
            .ok_or_else(|| VkError::NotHostVisible(self.name.clone()))
    }

    /// True when the memory is mapped.
    pub fn is_host_visible(&self) -> bool {
        self.allocation
            .as_ref()
            .is_some_and(|a| a.mapped_ptr().is_some())
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        self.ctx.ids.release(self.id);
        // Destroyed now if no submission still uses it, else once its last one has finished.
        if let Some(allocation) = self.allocation.take() {
            self.ctx
                .retire(self.in_flight.get(), Garbage::Buffer(self.raw, allocation));
        }
    }
}
