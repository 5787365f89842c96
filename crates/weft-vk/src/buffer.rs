//! Real buffers: memory from `gpu-allocator`, optional host mapping, and the state of their
//! last use, which the executor bridges from on the next use (across executions and graphs).

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

use ash::vk;
pub use gpu_allocator::MemoryLocation;

use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::ids::ResourceId;
use crate::locks::lock;
use crate::memory::{allocate, Backing};
use crate::stamped::Stamped;
use crate::state::BufferStates;
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
    /// Where the memory lives: `GpuOnly`, or `CpuToGpu`/`GpuToCpu` for buffers the host
    /// maps ([`Buffer::mapped`]). A `GpuOnly` buffer is never mapped, even on a device whose
    /// device-local memory is host-visible (lavapipe, integrated GPUs): a program then
    /// behaves the same on every device, and executions make no writes visible to the host
    /// for it (the host reaches it through [`crate::upload`] and [`crate::read_back`]).
    pub location: MemoryLocation,
}

/// A buffer with its memory. Dropping it frees both.
pub struct Buffer {
    ctx: Arc<Context>,
    pub(crate) raw: vk::Buffer,
    backing: Backing,
    size: u64,
    usage: vk::BufferUsageFlags,
    name: String,
    /// The state the last execution left each byte range in.
    pub(crate) state: Stamped<BufferStates>,
    /// The last submission that uses it.
    pub(crate) in_flight: InFlight,
    /// Held by every host access of the mapping ([`Buffer::mapped`], [`Buffer::mapped_mut`]).
    host: Mutex<()>,
    /// Created for host access (not `GpuOnly`; see [`BufferInfo::location`]).
    host_access: bool,
    id: ResourceId,
    /// Device address (0 without `SHADER_DEVICE_ADDRESS` usage).
    address: vk::DeviceAddress,
}

impl Buffer {
    /// Creates a buffer and binds fresh memory to it.
    pub fn new(ctx: &Arc<Context>, info: &BufferInfo<'_>) -> Result<Self, VkError> {
        let raw = create_raw(ctx, info)?;
        // SAFETY: `raw` was just created from this device.
        let requirements = unsafe { ctx.device.get_buffer_memory_requirements(raw) };
        let allocated = allocate(ctx, info.name, requirements, info.location, true);
        let allocation = match allocated {
            Ok(a) => a,
            Err(e) => {
                // SAFETY: `raw` is unused and not bound to memory.
                unsafe { ctx.device.destroy_buffer(raw, None) };
                return Err(e);
            }
        };
        // SAFETY: the memory handle is only bound to, never freed here (the allocation
        // owns it).
        let (memory, offset) = (unsafe { allocation.memory() }, allocation.offset());
        Self::bound(ctx, info, raw, Backing::Owned(allocation), memory, offset)
    }

    /// Creates a buffer in `memory` at `offset`, which its caller owns, keeps alive while
    /// the buffer is and made to fit the buffer's requirements (a placed transient).
    pub(crate) fn placed(
        ctx: &Arc<Context>,
        info: &BufferInfo<'_>,
        memory: vk::DeviceMemory,
        offset: u64,
    ) -> Result<Self, VkError> {
        let raw = create_raw(ctx, info)?;
        Self::bound(ctx, info, raw, Backing::Placed, memory, offset)
    }

    /// The buffer object for `raw`, bound to `memory` at `offset` (destroyed, with an owned
    /// backing, when binding fails).
    fn bound(
        ctx: &Arc<Context>,
        info: &BufferInfo<'_>,
        raw: vk::Buffer,
        backing: Backing,
        memory: vk::DeviceMemory,
        offset: u64,
    ) -> Result<Self, VkError> {
        // SAFETY: the memory was allocated (or placed) for this buffer's requirements, at
        // `offset`.
        let bound = unsafe { ctx.device.bind_buffer_memory(raw, memory, offset) };
        let mut buffer = Self {
            ctx: Arc::clone(ctx),
            raw,
            backing,
            size: info.size,
            usage: info.usage,
            name: info.name.to_owned(),
            state: Stamped::new(BufferStates::new(info.size)),
            in_flight: InFlight::default(),
            host: Mutex::new(()),
            host_access: !matches!(info.location, MemoryLocation::GpuOnly),
            id: ctx.ids.allocate(),
            address: 0,
        };
        bound.map_err(vk_err("vkBindBufferMemory"))?;
        ctx.name_object(raw, info.name);
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

    /// Gives the Vulkan buffer the debug name `name` (a graph names what is bound to it).
    pub(crate) fn name_object(&self, name: &str) {
        self.ctx.name_object(self.raw, name);
    }

    /// The mapped bytes, for buffers created for host access (`CpuToGpu`/`GpuToCpu`; an
    /// error for `GpuOnly` ones, see [`BufferInfo::location`]). Like a host accessor, it first
    /// waits until the GPU has finished every submission that uses the buffer; the guard
    /// keeps other host accesses of this buffer out while it lives.
    pub fn mapped(&self) -> Result<Mapped<'_>, VkError> {
        let (guard, ptr) = self.map_for_host()?;
        // SAFETY: `ptr` points at `size` mapped bytes that live as long as the allocation,
        // which `self` keeps; the GPU has finished with them (waited above) and the host
        // lock held by the guard keeps every writer of this buffer out.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, self.size as usize) };
        Ok(Mapped {
            _host: guard,
            bytes,
        })
    }

    /// The mapped bytes for writing, for buffers created for host access (as
    /// [`Buffer::mapped`]). It first waits until
    /// the GPU has finished every submission that uses the buffer; writes are visible to the
    /// next execution (queue submission makes host writes visible). The guard keeps other
    /// host accesses of this buffer out while it lives, so a buffer bound to a graph (shared
    /// through an `Arc`) can be written between executions.
    pub fn mapped_mut(&self) -> Result<MappedMut<'_>, VkError> {
        let (guard, ptr) = self.map_for_host()?;
        // SAFETY: as in `mapped`; the host lock makes this the only host view of the bytes.
        let bytes = unsafe { std::slice::from_raw_parts_mut(ptr, self.size as usize) };
        Ok(MappedMut {
            _host: guard,
            bytes,
        })
    }

    /// Waits for the GPU, takes the host lock and returns the mapping's first byte.
    fn map_for_host(&self) -> Result<(MutexGuard<'_, ()>, *mut u8), VkError> {
        self.ctx.wait_for_submission(self.in_flight.get())?;
        // The lock guards no data, so a panic while it was held left nothing inconsistent.
        let guard = lock(&self.host);
        let ptr = self
            .backing
            .mapped_ptr()
            .filter(|_| self.host_access)
            .ok_or_else(|| VkError::NotHostVisible(self.name.clone()))?;
        Ok((guard, ptr.as_ptr().cast::<u8>()))
    }

    /// True when the host can map it: created for host access (see
    /// [`BufferInfo::location`]) in memory that is mapped.
    pub fn is_host_visible(&self) -> bool {
        self.host_access && self.backing.mapped_ptr().is_some()
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        self.ctx.ids.release(self.id);
        // Destroyed now if no submission still uses it, else once its last one has finished.
        let allocation = self.backing.take_owned();
        self.ctx
            .retire(self.in_flight.get(), Garbage::Buffer(self.raw, allocation));
    }
}

/// How weft creates a buffer of `size` bytes with `usage`: exclusive to one queue family.
pub(crate) fn create_info(size: u64, usage: vk::BufferUsageFlags) -> vk::BufferCreateInfo<'static> {
    vk::BufferCreateInfo::default()
        .size(size)
        .usage(usage)
        .sharing_mode(vk::SharingMode::EXCLUSIVE)
}

/// Creates the Vulkan buffer `info` describes (without memory).
fn create_raw(ctx: &Context, info: &BufferInfo<'_>) -> Result<vk::Buffer, VkError> {
    let create = create_info(info.size, info.usage);
    // SAFETY: the device is valid and `create` describes a buffer with a non-zero size (a
    // zero size is reported by the validation layer and `vkCreateBuffer`).
    unsafe { ctx.device.create_buffer(&create, None) }.map_err(vk_err("vkCreateBuffer"))
}

/// The mapped bytes of a buffer, read by the host (see [`Buffer::mapped`]).
pub struct Mapped<'a> {
    _host: MutexGuard<'a, ()>,
    bytes: &'a [u8],
}

impl Deref for Mapped<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes
    }
}

/// The mapped bytes of a buffer, written by the host (see [`Buffer::mapped_mut`]).
pub struct MappedMut<'a> {
    _host: MutexGuard<'a, ()>,
    bytes: &'a mut [u8],
}

impl Deref for MappedMut<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes
    }
}

impl DerefMut for MappedMut<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.bytes
    }
}
