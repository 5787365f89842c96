//! Soak: 10,000 executions of tiny graphs with validation and synchronization validation
//! on, the external output rebound to one of three buffers every frame, the graph recorded
//! anew (a recompile, a new placement of its transients) every 1,000 frames. Device memory
//! in use (the allocator's report) and the host memory this process holds (live heap
//! bytes, counted by a global allocator) must not grow from one thousand frames to the
//! next.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use weft::prelude::*;
use weft::runtime::{Buffer, Executor, Graph};

mod support;

/// Counts the live heap bytes of this test binary.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Generation `n` of the graph: two transients with disjoint lifetimes (one aliased onto
/// the other's memory) carrying the frame's value into the external output.
fn graph(n: u32) -> (Graph<u32>, TaskBuffer) {
    let usage = vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST;
    let mut g: Graph<u32> = Graph::new();
    let out = g
        .external_buffer("out", BufferDesc { size: 256, usage })
        .unwrap();
    let size = 256 + 64 * u64::from(n % 3);
    let a = g.transient_buffer("a", BufferDesc { size, usage }).unwrap();
    let b = g.transient_buffer("b", BufferDesc { size, usage }).unwrap();
    let c = g.transient_buffer("c", BufferDesc { size, usage }).unwrap();
    support::fill_with_frame(&mut g, "fill a", a, size);
    support::copy_buffer(&mut g, "a to b", a, 0, b, 0, size);
    support::copy_buffer(&mut g, "b to c", b, 0, c, 0, size);
    support::copy_buffer(&mut g, "c to out", c, 0, out, 0, 256);
    (g, out)
}

#[test]
fn ten_thousand_executions_keep_device_and_host_memory_flat() {
    let ctx = support::context();
    let usage = vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST;
    let outs: Vec<Arc<Buffer>> = (0..3)
        .map(|i| support::host_buffer(&ctx, &format!("out{i}"), 256, usage))
        .collect();
    let mut executor = Executor::new(&ctx).unwrap();
    let start = Instant::now();
    let (mut g, mut out) = graph(0);
    // The first checkpoint of each transient size (the size cycles every 3 generations).
    let mut baselines = Vec::new();
    for mut frame in 0..10_000u32 {
        if frame % 1000 == 0 && frame > 0 {
            (g, out) = graph(frame / 1000);
        }
        g.bind_buffer(out, &outs[frame as usize % 3]).unwrap();
        executor.execute(&mut g, &mut frame).unwrap();
        if frame % 1000 == 999 {
            executor.wait_idle().unwrap();
            // A submission frees what earlier ones retired: one more, then idle.
            executor.execute(&mut g, &mut frame).unwrap();
            executor.wait_idle().unwrap();
            let device = ctx.device_memory().unwrap();
            let host = LIVE.load(Ordering::SeqCst);
            println!(
                "frame {}: {} device bytes in {} allocations, {host} live heap bytes",
                frame + 1,
                device.allocated_bytes,
                device.allocations
            );
            let generation = frame as usize / 1000;
            match baselines.get(generation % 3).copied() {
                None => baselines.push((device, host)),
                Some((first, first_host)) => {
                    assert_eq!(device.allocations, first.allocations, "frame {frame}");
                    assert_eq!(
                        device.allocated_bytes, first.allocated_bytes,
                        "frame {frame}: {device:?}, three generations earlier {first:?}"
                    );
                    assert!(
                        host <= first_host + 64 * 1024,
                        "frame {frame}: {host} live heap bytes, {first_host} three generations earlier"
                    );
                }
            }
        }
    }
    for (i, real) in outs.iter().enumerate() {
        // The last frame that wrote output i (frame 9999 wrote it twice).
        let last = (0..10_000u32).rev().find(|f| *f as usize % 3 == i).unwrap();
        assert_eq!(
            real.mapped().unwrap()[..4],
            last.to_ne_bytes(),
            "output {i}"
        );
    }
    println!("10,000 executions in {:?}", start.elapsed());
    support::assert_no_messages(&ctx);
}
