//! The steady state of `execute` does no heap allocation: counted with a global allocator
//! around many executions of one compiled plan (after a warm-up that creates transients and
//! grows the executor's scratch), with validation and synchronization validation on.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use weft::prelude::*;
use weft::runtime::{Executor, Graph};

mod support;

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
    let ctx = support::context();
    let usage = vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST;
    let real = support::host_buffer(&ctx, "out", 256, usage);
    let mut g: Graph<u32> = Graph::new();
    let out = g.import_buffer("out", &real).unwrap();
    let temp = g
        .transient_buffer("temp", BufferDesc { size: 256, usage })
        .unwrap();
    support::fill_with_frame(&mut g, "fill temp", temp, 256);
    support::copy_buffer(&mut g, "copy out", temp, 0, out, 0, 256);
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
