//! What this device needs to hold a transient (the planner places transients with it):
//! `VkMemoryRequirements` asked of the device without creating anything, after checking
//! that the device can make the image at all, and `bufferImageGranularity`.

use ash::vk;
use weft_graph::{MemoryNeeds, ResourceDesc};

use crate::buffer::create_info as buffer_create_info;
use crate::context::Context;
use crate::image::create_info;

/// The device's `bufferImageGranularity`.
pub(crate) fn granularity(ctx: &Context) -> u64 {
    // SAFETY: the physical device belongs to the instance.
    let properties = unsafe {
        ctx.instance
            .get_physical_device_properties(ctx.physical_device)
    };
    properties.limits.buffer_image_granularity.max(1)
}

/// The device's `maxBufferSize` (Vulkan 1.3).
fn largest_buffer(ctx: &Context) -> u64 {
    let mut maintenance4 = vk::PhysicalDeviceMaintenance4Properties::default();
    let mut properties = vk::PhysicalDeviceProperties2::default().push_next(&mut maintenance4);
    // SAFETY: the physical device belongs to the instance; the chain outlives the call.
    unsafe {
        ctx.instance
            .get_physical_device_properties2(ctx.physical_device, &mut properties)
    };
    maintenance4.max_buffer_size
}

/// What this device needs to hold a transient described by `desc`, or why it cannot.
pub(crate) fn memory_needs(ctx: &Context, desc: &ResourceDesc) -> Result<MemoryNeeds, String> {
    let device = &ctx.device;
    let mut out = vk::MemoryRequirements2::default();
    match desc {
        ResourceDesc::Buffer(b) => {
            let largest = largest_buffer(ctx);
            if b.size > largest {
                return Err(format!(
                    "{} bytes is more than the device's largest buffer ({largest} bytes)",
                    b.size
                ));
            }
            let create = buffer_create_info(b.size, b.usage);
            let info = vk::DeviceBufferMemoryRequirements::default().create_info(&create);
            // SAFETY: `create` describes a valid buffer (the planner checked the size).
            unsafe { device.get_device_buffer_memory_requirements(&info, &mut out) };
            Ok(needs(&out, true))
        }
        ResourceDesc::Image(d) => {
            // SAFETY: the physical device belongs to the instance.
            let limits = unsafe {
                ctx.instance.get_physical_device_image_format_properties(
                    ctx.physical_device,
                    d.format,
                    vk::ImageType::TYPE_2D,
                    vk::ImageTiling::OPTIMAL,
                    d.usage,
                    vk::ImageCreateFlags::empty(),
                )
            }
            .map_err(|e| {
                format!(
                    "the device cannot make {:?} images with usage {:?} ({e})",
                    d.format, d.usage
                )
            })?;
            let max = limits.max_extent;
            if d.extent.width > max.width || d.extent.height > max.height {
                return Err(format!(
                    "{}x{} is larger than the device's {}x{} for {:?}",
                    d.extent.width, d.extent.height, max.width, max.height, d.format
                ));
            }
            if d.mip_levels > limits.max_mip_levels || d.array_layers > limits.max_array_layers {
                return Err(format!(
                    "{} mips and {} layers exceed the device's {} and {}",
                    d.mip_levels, d.array_layers, limits.max_mip_levels, limits.max_array_layers
                ));
            }
            let create = create_info(d);
            let info = vk::DeviceImageMemoryRequirements::default().create_info(&create);
            // SAFETY: the device supports the format, usage, extent, mips and layers
            // (checked above).
            unsafe { device.get_device_image_memory_requirements(&info, &mut out) };
            Ok(needs(&out, false))
        }
    }
}

/// The needs the device reported, for a linear resource or not.
fn needs(out: &vk::MemoryRequirements2<'_>, linear: bool) -> MemoryNeeds {
    let r = out.memory_requirements;
    MemoryNeeds {
        size: r.size,
        alignment: r.alignment,
        memory_type_bits: r.memory_type_bits,
        linear,
    }
}
