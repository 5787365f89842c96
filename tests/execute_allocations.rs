//! The steady state of `execute` does no heap allocation: counted with a global allocator
//! around many executions of one compiled plan (after a warm-up that creates transients and
//! grows the executor's scratch; with each frame timed on the GPU), and of a graph whose condition values switch every frame
//! between combinations met before, with validation and synchronization validation on.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

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

/// The counter is global: one test counts at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The allocations `run` makes.
fn count_allocations(run: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    run();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

/// A context, a host-visible output buffer of 256 bytes and a graph with it imported.
fn output_graph() -> (
    std::sync::Arc<weft::runtime::Context>,
    std::sync::Arc<weft::runtime::Buffer>,
    Graph<u32>,
    TaskBuffer,
) {
    let ctx = support::context();
    let usage = vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST;
    let real = support::host_buffer(&ctx, "out", 256, usage);
    let mut g: Graph<u32> = Graph::new();
    let out = g.import_buffer("out", &real).unwrap();
    (ctx, real, g, out)
}

#[test]
fn steady_state_execute_does_not_allocate() {
    let _counting = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (ctx, real, mut g, out) = output_graph();
    let usage = real.usage();
    let temp = g
        .transient_buffer("temp", BufferDesc { size: 256, usage })
        .unwrap();
    support::fill_with_frame(&mut g, "fill temp", temp, 256);
    support::copy_buffer(&mut g, "copy out", temp, 0, out, 0, 256);
    let mut executor = Executor::new(&ctx).unwrap();
    // Timing each frame on the GPU (what the renderer does) is part of the steady state.
    executor.time_gpu_frames(true).unwrap();
    for mut frame in 0..3 {
        executor.execute(&mut g, &mut frame).unwrap();
    }
    let allocations = count_allocations(|| {
        for mut frame in 3..103u32 {
            executor.execute(&mut g, &mut frame).unwrap();
        }
    });
    assert_eq!(real.mapped().unwrap()[..4], 102u32.to_ne_bytes());
    assert!(executor.gpu_frame_time().is_some());
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 100 executions"
    );
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}

#[test]
fn switching_between_combinations_met_before_does_not_allocate() {
    let _counting = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (ctx, real, mut g, out) = output_graph();
    let usage = real.usage();
    let odd = g.condition("every third frame").unwrap();
    let temp = g
        .transient_buffer("temp", BufferDesc { size: 256, usage })
        .unwrap();
    support::fill_with_frame(&mut g, "fill temp", temp, 256);
    g.scope_if("odd", odd.is(true), |g| {
        let extra = g
            .transient_buffer("extra", BufferDesc { size: 256, usage })
            .unwrap();
        support::copy_buffer(g, "temp to extra", temp, 0, extra, 0, 256);
        support::copy_buffer(g, "extra to out", extra, 0, out, 0, 256);
    })
    .unwrap();
    g.scope_if("even", odd.is(false), |g| {
        support::copy_buffer(g, "temp to out", temp, 0, out, 0, 256);
    })
    .unwrap();
    let mut executor = Executor::new(&ctx).unwrap();
    let mut run = |g: &mut Graph<u32>, mut frame: u32| {
        // Every third frame: each frame slot meets both combinations.
        g.set_condition(odd, frame % 3 == 1).unwrap();
        executor.execute(g, &mut frame).unwrap();
    };
    // Both combinations on both frame slots.
    for frame in 0..6 {
        run(&mut g, frame);
    }
    assert_eq!(g.plan_compiles(), 2);
    let allocations = count_allocations(|| {
        for frame in 6..106u32 {
            run(&mut g, frame);
        }
    });
    assert_eq!(
        g.plan_compiles(),
        2,
        "no compile for combinations met before"
    );
    assert_eq!(real.mapped().unwrap()[..4], 105u32.to_ne_bytes());
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 100 executions switching combinations"
    );
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}
