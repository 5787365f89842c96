//! Host transfers outside a graph: `upload` copies bytes into any buffer through a staging
//! buffer (without waiting); `read_back` copies a buffer's bytes to the host and blocks until
//! the GPU is done with them, like a host accessor. Both synchronise with the buffer's state
//! the way executions do, so they mix freely with graphs.

use std::sync::Arc;

use ash::vk;
use weft_graph::{ExternalUse, Subresources};

use crate::buffer::{Buffer, BufferInfo, MemoryLocation};
use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::executor::bridge_buffer;
use crate::timeline::{Binary, Garbage, Submit};

/// A one-time command buffer and its pool, destroyed once its submission has finished.
struct OneTime<'a> {
    ctx: &'a Context,
    pool: vk::CommandPool,
    cmd: vk::CommandBuffer,
}

impl<'a> OneTime<'a> {
    fn begin(ctx: &'a Context) -> Result<Self, VkError> {
        let device = &ctx.device;
        let (pool, cmds) = ctx.command_pool(vk::CommandPoolCreateFlags::TRANSIENT, 1)?;
        let begin = vk::CommandBufferBeginInfo::default()
            .flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
        // One buffer was asked for, so `cmds` has one.
        let cmd = cmds[0];
        // SAFETY: the command buffer was just allocated and is used by this thread only.
        match unsafe { device.begin_command_buffer(cmd, &begin) } {
            Ok(()) => Ok(Self { ctx, pool, cmd }),
            Err(e) => {
                // SAFETY: nothing from the pool was submitted.
                unsafe { device.destroy_command_pool(pool, None) };
                Err(vk_err("vkBeginCommandBuffer")(e))
            }
        }
    }

    /// Ends, submits, and hands the pool to the graveyard; returns the submission value.
    fn submit(self) -> Result<u64, VkError> {
        let ctx = self.ctx;
        // SAFETY: recording was begun in `begin`.
        let ended = unsafe { ctx.device.end_command_buffer(self.cmd) }
            .map_err(vk_err("vkEndCommandBuffer"));
        let submitted = ended.and_then(|()| {
            ctx.timeline.submit(
                &ctx.device,
                ctx.queue,
                self.cmd,
                Submit::AfterAll,
                Binary::default(),
                &ctx.allocator,
            )
        });
        let value = submitted.as_ref().copied().unwrap_or(0);
        ctx.retire(value, Garbage::CommandPool(self.pool));
        submitted
    }
}

/// The bridging barrier from `buffer`'s state to a transfer access, recorded into `cmd`;
/// then the state the transfer leaves.
fn transfer_access(
    ctx: &Context,
    cmd: vk::CommandBuffer,
    buffer: &Buffer,
    access: vk::AccessFlags2,
) {
    let used = ExternalUse {
        resource: 0,
        subresources: Subresources::Buffer {
            offset: 0,
            size: buffer.size(),
        },
        stages: vk::PipelineStageFlags2::COPY,
        access,
        layout: vk::ImageLayout::UNDEFINED,
        batch: 0,
        wrote_in_graph: false,
    };
    let mut states = buffer.state.change();
    let bridge = bridge_buffer(&mut states, 0, buffer.size(), &used, false);
    states.update(0, buffer.size(), |state| state.after(&used));
    if let Some(barrier) = bridge {
        let barriers = [barrier];
        let dependency = vk::DependencyInfo::default().memory_barriers(&barriers);
        // SAFETY: `cmd` is recording; the barriers outlive the call.
        unsafe { ctx.device.cmd_pipeline_barrier2(cmd, &dependency) };
    }
}

fn staging(
    ctx: &Arc<Context>,
    name: &str,
    size: u64,
    location: MemoryLocation,
) -> Result<Buffer, VkError> {
    Buffer::new(
        ctx,
        &BufferInfo {
            name,
            size,
            usage: vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST,
            location,
        },
    )
}

fn check_range(buffer: &Buffer, offset: u64, size: u64) -> Result<(), VkError> {
    let fits = size > 0
        && offset
            .checked_add(size)
            .is_some_and(|end| end <= buffer.size());
    if fits
        && buffer
            .usage()
            .contains(vk::BufferUsageFlags::TRANSFER_DST | vk::BufferUsageFlags::TRANSFER_SRC)
    {
        return Ok(());
    }
    Err(VkError::DoesNotFit {
        kind: "buffer",
        resource: "a host transfer".into(),
        real: buffer.name().to_owned(),
        problem: format!(
            "bytes {offset}..{} of a {}-byte buffer with usage {:?} (transfers need TRANSFER_SRC | TRANSFER_DST)",
            u128::from(offset) + u128::from(size),
            buffer.size(),
            buffer.usage()
        ),
    })
}

/// Copies `data` into `dst` at `offset` through a staging buffer, ordered after the
/// buffer's earlier uses and before later ones. Does not wait; returns the submission.
pub fn upload(ctx: &Arc<Context>, dst: &Buffer, offset: u64, data: &[u8]) -> Result<u64, VkError> {
    check_range(dst, offset, data.len() as u64)?;
    let stage = staging(
        ctx,
        "upload staging",
        data.len() as u64,
        MemoryLocation::CpuToGpu,
    )?;
    stage.mapped_mut()?.copy_from_slice(data);
    let one = OneTime::begin(ctx)?;
    transfer_access(ctx, one.cmd, dst, vk::AccessFlags2::TRANSFER_WRITE);
    let region = [vk::BufferCopy {
        src_offset: 0,
        dst_offset: offset,
        size: data.len() as u64,
    }];
    // SAFETY: recording; both buffers are alive and the region lies inside both.
    unsafe {
        ctx.device
            .cmd_copy_buffer(one.cmd, stage.raw, dst.raw, &region)
    };
    let value = one.submit()?;
    dst.in_flight.set(value);
    stage.in_flight.set(value);
    Ok(value)
}

/// Copies `size` bytes of `src` from `offset` to the host, after the buffer's earlier uses,
/// and blocks until they are there.
pub fn read_back(
    ctx: &Arc<Context>,
    src: &Buffer,
    offset: u64,
    size: u64,
) -> Result<Vec<u8>, VkError> {
    check_range(src, offset, size)?;
    let stage = staging(ctx, "readback staging", size, MemoryLocation::GpuToCpu)?;
    let one = OneTime::begin(ctx)?;
    transfer_access(ctx, one.cmd, src, vk::AccessFlags2::TRANSFER_READ);
    let region = [vk::BufferCopy {
        src_offset: offset,
        dst_offset: 0,
        size,
    }];
    let to_host = vk::MemoryBarrier2::default()
        .src_stage_mask(vk::PipelineStageFlags2::COPY)
        .src_access_mask(vk::AccessFlags2::TRANSFER_WRITE)
        .dst_stage_mask(vk::PipelineStageFlags2::HOST)
        .dst_access_mask(vk::AccessFlags2::HOST_READ);
    // SAFETY: recording; both buffers are alive and the region lies inside both; the
    // barrier outlives the call.
    unsafe {
        ctx.device
            .cmd_copy_buffer(one.cmd, src.raw, stage.raw, &region);
        let barriers = [to_host];
        let dependency = vk::DependencyInfo::default().memory_barriers(&barriers);
        ctx.device.cmd_pipeline_barrier2(one.cmd, &dependency);
    }
    let value = one.submit()?;
    src.in_flight.set(value);
    stage.in_flight.set(value);
    // `mapped` waits for the copy: the host accessor.
    let bytes = stage.mapped()?.to_vec();
    Ok(bytes)
}
