//! Submit boundaries: `Graph::submit` splits an execution into queue submissions. Work
//! before the boundary and after it go to different submissions (the captured stream shows
//! them, each with its own timeline value), and the host reads what the first one wrote
//! waiting for it alone: the second, a dispatch that runs for seconds on lavapipe, is still
//! running when the read returns.

use std::time::Instant;

use support::{bytes_of, context, words};
use weft::runtime::{Captured, ComputePipeline, Executor, Graph};

mod support;

/// The pipeline of `shaders/spin.wgsl` (a long-running dispatch with a checkable result).
fn spin_pipeline(ctx: &std::sync::Arc<weft::runtime::Context>) -> std::sync::Arc<ComputePipeline> {
    let code = include_str!("../shaders/spin.wgsl");
    ComputePipeline::from_source(ctx, "shaders/spin.wgsl", code).unwrap()
}

/// Rounds of the linear congruential sequence the second submission computes per value.
const ROUNDS: u32 = 1 << 24;

#[test]
fn the_host_reads_the_first_submission_while_the_second_runs() {
    let ctx = context();
    let mix = ComputePipeline::from_source(
        &ctx,
        "shaders/buffer_mix.wgsl",
        include_str!("../shaders/buffer_mix.wgsl"),
    )
    .unwrap();
    let spin = spin_pipeline(&ctx);
    let usage = support::STORAGE_TRANSFER;
    let values: Vec<u32> = (0..64).collect();
    let input = support::filled_buffer(&ctx, "input", usage, &bytes_of(&values));
    let first = support::host_buffer(&ctx, "first", 256, usage);
    let second = support::host_buffer(&ctx, "second", 256, usage);
    let mut g = Graph::new();
    let [input, x, y] = support::import_buffers(
        &mut g,
        [("input", &input), ("first", &first), ("second", &second)],
    );
    g.compute("write first", &mix)
        .bind("src_a", input)
        .bind("src_b", input)
        .bind("dst", x)
        .push_constants(&bytes_of(&[64, 1, 1, 0]))
        .dispatch([1, 1, 1])
        .record()
        .unwrap();
    g.submit();
    g.compute("write second", &spin)
        .bind("src", input)
        .bind("dst", y)
        .push_constants(&bytes_of(&[64, ROUNDS]))
        .dispatch([1, 1, 1])
        .record()
        .unwrap();
    assert_eq!(g.plan().unwrap().stats().submits, 2);

    let mut executor = Executor::new(&ctx).unwrap();
    executor.capture_commands(true);
    let last = executor.execute(&mut g, &mut ()).unwrap();
    let start = Instant::now();
    let read = words(&first.mapped().unwrap());
    let still_running = ctx.completed_submission().unwrap() < last;
    let waited = start.elapsed();
    assert_eq!(read, values.iter().map(|v| v * 4 + 1).collect::<Vec<_>>());
    assert!(
        still_running,
        "the second submission was done when the read returned (after {waited:?})"
    );
    let expected: Vec<u32> = values
        .iter()
        .map(|&v| (0..ROUNDS).fold(v, |x, _| x.wrapping_mul(1664525).wrapping_add(1013904223)))
        .collect();
    let start = Instant::now();
    assert_eq!(words(&second.mapped().unwrap()), expected);
    println!(
        "first submission's result read after {waited:?}; the second's after {:?} more",
        start.elapsed()
    );
    support::assert_no_messages(&ctx);

    // Two submissions, each with its own tasks and value; the second does not wait.
    let captured = executor.take_captured();
    let shape: Vec<String> = captured
        .iter()
        .filter_map(|e| match e {
            Captured::Submission { wait } => Some(format!("submit (wait {wait})")),
            Captured::Task { name, .. } => Some(name.clone()),
            Captured::Signal { value } => Some(format!("signal {value}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        shape,
        [
            "submit (wait 0)".to_owned(),
            "write first".to_owned(),
            format!("signal {}", last - 1),
            "submit (wait 0)".to_owned(),
            "write second".to_owned(),
            format!("signal {last}"),
        ]
    );
}

#[test]
fn each_frame_can_be_timed_on_the_gpu() {
    let ctx = context();
    let spin = spin_pipeline(&ctx);
    let usage = support::STORAGE_TRANSFER;
    let input = support::filled_buffer(&ctx, "input", usage, &bytes_of(&[1; 64]));
    let output = support::host_buffer(&ctx, "output", 256, usage);
    let mut g = Graph::new();
    let [input, out] = support::import_buffers(&mut g, [("input", &input), ("output", &output)]);
    g.compute("spin", &spin)
        .bind("src", input)
        .bind("dst", out)
        .push_constants(&bytes_of(&[64, 1 << 16]))
        .dispatch([1, 1, 1])
        .record()
        .unwrap();
    let mut executor = Executor::new(&ctx).unwrap();
    assert_eq!(executor.gpu_frame_time(), None, "off by default");
    executor.time_gpu_frames(true).unwrap();
    // A slot's time is read when the slot is used again: two frames in flight, so the
    // third execution reads the first's.
    for _ in 0..3 {
        executor.execute(&mut g, &mut ()).unwrap();
    }
    let time = executor
        .gpu_frame_time()
        .expect("the first frame was timed");
    assert!(time.as_nanos() > 0);
    println!("GPU time of one frame: {time:?}");
    executor.time_gpu_frames(false).unwrap();
    assert_eq!(executor.gpu_frame_time(), None);
    executor.wait_idle().unwrap();
    support::assert_no_messages(&ctx);
}
