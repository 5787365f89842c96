//! Profiling executions: GPU timestamps around every task and barrier call, CPU recording
//! times, read without waiting, and what the planner makes of them (trace, costs, critical
//! path, summary, timeline), on a graph with a submit boundary and a transient.

use std::time::Duration;

use support::{bytes_of, context};
use weft::runtime::{Captured, ComputePipeline, Executor, Graph};
use weft::{BufferDesc, GpuTime, TaskCosts, TimedKind};

mod support;

/// A chain `fill -> a -> (b, c) -> submit -> d` over a transient, plus a long-running
/// `spin` task, on real buffers.
fn profiled_graph(ctx: &std::sync::Arc<weft::runtime::Context>) -> Graph {
    let mix = ComputePipeline::from_source(
        ctx,
        "shaders/buffer_mix.wgsl",
        include_str!("../shaders/buffer_mix.wgsl"),
    )
    .unwrap();
    let spin = ComputePipeline::from_source(
        ctx,
        "shaders/spin.wgsl",
        include_str!("../shaders/spin.wgsl"),
    )
    .unwrap();
    let usage = support::STORAGE_TRANSFER;
    let input = support::filled_buffer(ctx, "input", usage, &bytes_of(&[1; 64]));
    let out = support::host_buffer(ctx, "out", 256, usage);
    let side = support::host_buffer(ctx, "side", 256, usage);
    let mut g = Graph::new();
    let [input, out, side] =
        support::import_buffers(&mut g, [("input", &input), ("out", &out), ("side", &side)]);
    let temp = g
        .transient_buffer("temp", BufferDesc { size: 256, usage })
        .unwrap();
    g.fill("prep/fill temp", temp, 7).unwrap();
    let mix_task = |g: &mut Graph, name: &str, a, b, dst, seed: u32| {
        g.compute(name, &mix)
            .bind("src_a", a)
            .bind("src_b", b)
            .bind("dst", dst)
            .push_constants(&bytes_of(&[64, seed, 1, 0]))
            .dispatch([1, 1, 1])
            .record()
            .unwrap();
    };
    mix_task(&mut g, "work/a", input, temp, out, 1);
    mix_task(&mut g, "work/b", out, input, temp, 2);
    g.compute("spin", &spin)
        .bind("src", input)
        .bind("dst", side)
        .push_constants(&bytes_of(&[64, 1 << 14]))
        .dispatch([1, 1, 1])
        .record()
        .unwrap();
    g.submit();
    mix_task(&mut g, "d", temp, side, out, 3);
    g
}

#[test]
fn every_task_and_barrier_call_is_timed_on_both_clocks() {
    let ctx = context();
    let mut g = profiled_graph(&ctx);
    let mut executor = Executor::new(&ctx).unwrap();
    executor.execute(&mut g, &mut ()).unwrap();
    assert!(
        executor.take_frame_timings().unwrap().is_empty(),
        "off by default"
    );
    executor.profile(true);
    executor.capture_commands(true);
    for _ in 0..6 {
        executor.execute(&mut g, &mut ()).unwrap();
    }
    executor.wait_idle().unwrap();
    // The barrier calls the executor recorded (the plan's, with the bridges from the
    // resources' states merged in), with their barrier counts.
    let recorded: Vec<(u32, u32)> = executor
        .take_captured()
        .iter()
        .filter_map(|e| match e {
            Captured::Barrier { memory, images, .. } => {
                Some((memory.len() as u32, images.len() as u32))
            }
            _ => None,
        })
        .collect();
    let frames = executor.take_frame_timings().unwrap();
    assert_eq!(frames.len(), 6, "every finished frame is read once");
    assert!(executor.take_frame_timings().unwrap().is_empty());
    let (plan, recording) = g.inspect().unwrap();
    let stats = plan.stats();
    let mut calls = 0;
    for frame in &frames {
        assert_eq!(frame.plan_serial, plan.serial());
        let tasks: Vec<u32> = frame.tasks().map(|(t, _)| t).collect();
        assert_eq!(tasks, plan.task_order(), "each task once, in plan order");
        assert!(frame.barrier_calls().count() >= stats.barrier_calls);
        for call in frame.barrier_calls() {
            let TimedKind::Barriers { memory, image } = call.kind else {
                unreachable!("barrier_calls gives barrier calls")
            };
            assert_eq!(recorded.get(calls), Some(&(memory, image)), "call {calls}");
            calls += 1;
        }
        // The spans follow each other and make up the frame.
        let Some(GpuTime::Span { start_ns, end_ns }) = frame.gpu else {
            panic!("lavapipe has timestamps: {:?}", frame.gpu)
        };
        let mut at = start_ns;
        for item in &frame.items {
            let GpuTime::Span {
                start_ns: s,
                end_ns: e,
            } = item.gpu
            else {
                panic!("an item without a GPU span: {item:?}")
            };
            assert_eq!(s, at, "{item:?} starts where the one before ended");
            assert!(e >= s);
            at = e;
            assert!(item.cpu_start >= frame.cpu_start);
        }
        assert_eq!(at, end_ns);
        let spin = frame
            .tasks()
            .find(|(t, _)| recording.task_name(*t) == Some("spin"))
            .unwrap();
        assert!(spin.1.gpu.duration().unwrap() > Duration::ZERO);
        assert!(frame.cpu > Duration::ZERO);
    }
    assert_eq!(
        calls,
        recorded.len(),
        "every recorded barrier call was timed"
    );
    assert!(executor
        .gpu_frame_time()
        .is_some_and(|t| t > Duration::ZERO));

    let costs = TaskCosts::gpu_median(&frames);
    let path = plan.critical_path(recording, &costs).unwrap();
    assert!(path.length > Duration::ZERO && path.length <= path.total);
    assert!(path.tasks.len() >= 2, "{path:?}");
    let summary = plan.summary(recording, &costs).unwrap();
    assert!(
        summary.contains("GPU time, median of 6 frames"),
        "{summary}"
    );
    assert!(summary.contains("  work: "), "{summary}");
    let trace = plan.chrome_trace(recording, &frames).unwrap();
    let value: serde_json::Value = serde_json::from_str(&trace).unwrap();
    let events = value["traceEvents"].as_array().unwrap();
    let task_slices = events
        .iter()
        .filter(|e| e["cat"] == "task" && e["pid"] == 1)
        .count();
    assert_eq!(task_slices, 6 * plan.task_order().len());
    let svg = plan.timeline_svg(recording, Some(&costs)).unwrap();
    roxmltree::Document::parse(&svg).unwrap();
    let memory = plan.memory_svg(recording).unwrap();
    assert!(memory.contains("temp: bytes 0..256"), "{memory}");
    support::assert_no_messages(&ctx);
}

#[test]
fn timings_are_read_without_waiting_and_stop_when_profiling_stops() {
    let ctx = context();
    let mut g = profiled_graph(&ctx);
    let mut executor = Executor::with_frames_in_flight(&ctx, 3).unwrap();
    executor.profile(true);
    let mut read = Vec::new();
    for _ in 0..10 {
        executor.execute(&mut g, &mut ()).unwrap();
        read.extend(executor.take_frame_timings().unwrap());
    }
    // Reading never waited: the frames still in flight are read later.
    let submissions: Vec<u64> = read.iter().map(|f| f.submission).collect();
    assert!(
        submissions.windows(2).all(|w| w[0] < w[1]),
        "{submissions:?}"
    );
    assert!(
        read.len() >= 7,
        "frames read while others ran: {}",
        read.len()
    );
    executor.wait_idle().unwrap();
    read.extend(executor.take_frame_timings().unwrap());
    assert_eq!(read.len(), 10);
    executor.profile(false);
    assert_eq!(executor.gpu_frame_time(), None);
    executor.execute(&mut g, &mut ()).unwrap();
    executor.wait_idle().unwrap();
    assert!(executor.take_frame_timings().unwrap().is_empty());
    // Frame detail alone keeps giving the frame time but no items.
    executor.time_gpu_frames(true).unwrap();
    executor.profile(true);
    executor.profile(false);
    for _ in 0..4 {
        executor.execute(&mut g, &mut ()).unwrap();
    }
    assert!(executor.gpu_frame_time().is_some());
    executor.wait_idle().unwrap();
    assert!(executor.take_frame_timings().unwrap().is_empty());
    support::assert_no_messages(&ctx);
}

#[test]
fn without_timestamps_gpu_times_say_not_supported_and_cpu_times_remain() {
    let ctx = context();
    let mut g = profiled_graph(&ctx);
    let mut executor = Executor::new(&ctx).unwrap();
    executor.profile_without_timestamps();
    for _ in 0..3 {
        executor.execute(&mut g, &mut ()).unwrap();
    }
    executor.wait_idle().unwrap();
    let frames = executor.take_frame_timings().unwrap();
    assert_eq!(frames.len(), 3);
    for frame in &frames {
        assert_eq!(frame.gpu, Some(GpuTime::NotSupported));
        assert!(frame.items.iter().all(|i| i.gpu == GpuTime::NotSupported));
        assert!(frame.tasks().all(|(_, item)| item.cpu > Duration::ZERO));
    }
    assert_eq!(executor.gpu_frame_time(), None);
    let (plan, recording) = g.inspect().unwrap();
    let summary = plan
        .summary(recording, &TaskCosts::gpu_median(&frames))
        .unwrap();
    assert!(summary.contains("not measured: no timestamps"), "{summary}");
    let cpu = plan
        .summary(recording, &TaskCosts::cpu_median(&frames))
        .unwrap();
    assert!(
        cpu.contains("CPU recording time, median of 3 frames"),
        "{cpu}"
    );
    let trace = plan.chrome_trace(recording, &frames).unwrap();
    assert!(trace.contains("GPU (timestamps not supported)"));
    support::assert_no_messages(&ctx);
}
