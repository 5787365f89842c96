//! The steady state of `execute` does no heap allocation: counted with a global allocator
//! around many executions of one compiled plan (after a warm-up that creates transients and
//! grows the executor's scratch), with validation and synchronization validation on.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use weft::prelude::*;
use weft::runtime::{Buffer, BufferInfo, Context, ContextOptions, Executor, Graph, MemoryLocation};

/// Counts allocations made while `COUNTING` is on (by any thread of this test binary).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn steady_state_execute_does_not_allocate() {
    let ctx = match Context::new(&ContextOptions::validated()) {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => panic!("no usable Vulkan device: {e}"),
    };
    let usage = vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST;
    let real = Arc::new(
        Buffer::new(
            &ctx,
            &BufferInfo {
                name: "out",
                size: 256,
                usage,
                location: MemoryLocation::GpuToCpu,
            },
        )
        .unwrap(),
    );
    let mut g: Graph<u32> = Graph::new();
    let out = g.import_buffer("out", &real).unwrap();
    let temp = g
        .transient_buffer("temp", BufferDesc { size: 256, usage })
        .unwrap();
    g.task("fill temp")
        .attach(temp, access::CLEAR_DST)
        .run(move |cx| {
            let value = *cx.data;
            let temp = cx.buffer(temp)?;
            // SAFETY: recording; the whole 256-byte buffer is the attachment.
            unsafe { cx.device().cmd_fill_buffer(cx.cmd(), temp, 0, 256, value) };
            Ok(())
        })
        .record()
        .unwrap();
    g.task("copy out")
        .attach(temp, access::TRANSFER_SRC)
        .attach(out, access::TRANSFER_DST)
        .run(move |cx| {
            let region = [vk::BufferCopy {
                src_offset: 0,
                dst_offset: 0,
                size: 256,
            }];
            let (src, dst) = (cx.buffer(temp)?, cx.buffer(out)?);
            // SAFETY: recording; distinct 256-byte buffers.
            unsafe { cx.device().cmd_copy_buffer(cx.cmd(), src, dst, &region) };
            Ok(())
        })
        .record()
        .unwrap();
    let mut executor = Executor::new(&ctx).unwrap();
    for mut frame in 0..3 {
        executor.execute(&mut g, &mut frame).unwrap();
    }
    COUNTING.store(true, Ordering::SeqCst);
    for mut frame in 3..103u32 {
        executor.execute(&mut g, &mut frame).unwrap();
    }
    COUNTING.store(false, Ordering::SeqCst);
    let allocations = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(real.mapped().unwrap()[..4], 102u32.to_ne_bytes());
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 100 executions"
    );
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}
