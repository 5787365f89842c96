//! Rule tests of the profile operations on a small graph with known costs.

use std::time::Duration;

use ash::vk;

use crate::{
    access, BufferDesc, CompileOptions, FrameTimings, GpuTime, GraphError, Plan, TaskCosts,
    TaskGraph, TimedItem, TimedKind,
};

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

/// A diamond `a -> (b, c) -> d` plus an independent `bloom/e`.
fn diamond() -> (TaskGraph, Plan) {
    let mut g: TaskGraph = TaskGraph::new();
    let desc = BufferDesc {
        size: 256,
        usage: vk::BufferUsageFlags::STORAGE_BUFFER,
    };
    let x = g.external_buffer("x", desc).unwrap();
    let y = g.external_buffer("y", desc).unwrap();
    let z = g.external_buffer("z", desc).unwrap();
    let w = g.external_buffer("w", desc).unwrap();
    g.task("a")
        .attach(x, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("b")
        .attach(x, access::COMPUTE_READ)
        .attach(y, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("c")
        .attach(x, access::COMPUTE_READ)
        .attach(z, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("d")
        .attach(y, access::COMPUTE_READ)
        .attach(z, access::COMPUTE_READ)
        .record()
        .unwrap();
    g.task("bloom/e")
        .attach(w, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    let plan = g.compile(&CompileOptions::default()).unwrap();
    (g, plan)
}

/// One measured frame of `plan`: tasks take `costs[t]` µs one after the other, barrier
/// calls 1 µs, starting at `start` µs on both clocks.
fn frame(plan: &Plan, costs: &[u64], start: u64, submission: u64) -> FrameTimings {
    let mut items = Vec::new();
    let mut at = start * 1000;
    for batch in 0..plan.batch_count() {
        let set = plan.barriers_before(batch);
        let mut push = |kind, cost: u64| {
            items.push(TimedItem {
                kind,
                batch: batch as u32,
                gpu: GpuTime::span(at, at + cost * 1000),
                cpu_start: Duration::from_nanos(at),
                cpu: us(cost) / 10,
            });
            at += cost * 1000;
        };
        if !set.is_empty() {
            let memory = set.memory.len() as u32;
            let image = set.image.len() as u32;
            push(TimedKind::Barriers { memory, image }, 1);
        }
        for &t in plan.batch(batch) {
            push(TimedKind::Task(t), costs[t as usize]);
        }
    }
    FrameTimings {
        plan_serial: plan.serial(),
        submission,
        gpu: Some(GpuTime::span(start * 1000, at)),
        cpu_start: us(start),
        cpu: Duration::from_nanos(at - start * 1000) / 10,
        items,
    }
}

#[test]
fn critical_path_takes_the_longest_chain() {
    let (g, plan) = diamond();
    let costs = TaskCosts::given(vec![us(10), us(50), us(20), us(10), us(30)]);
    let path = plan.critical_path(&g, &costs).unwrap();
    assert_eq!(path.tasks, vec![0, 1, 3], "a -> b -> d");
    assert_eq!(path.length, us(70));
    assert_eq!(path.total, us(120));
    assert!((path.parallelism() - 120.0 / 70.0).abs() < 1e-9);
    assert_eq!(path.without_cost, 0);
    // Make the independent task the longest: it is the path on its own.
    let costs = TaskCosts::given(vec![us(10), us(50), us(20), us(10), us(500)]);
    assert_eq!(plan.critical_path(&g, &costs).unwrap().tasks, vec![4]);
}

#[test]
fn a_chain_has_no_parallelism_and_missing_costs_are_counted() {
    let (g, plan) = diamond();
    let costs = TaskCosts::given(vec![us(10), us(50)]);
    let path = plan.critical_path(&g, &costs).unwrap();
    assert_eq!(
        path.tasks,
        vec![0, 1],
        "zero-cost tasks add nothing; ties keep the earlier"
    );
    assert_eq!(path.without_cost, 3);
    let (g, plan) = {
        let mut g: TaskGraph = TaskGraph::new();
        let desc = BufferDesc {
            size: 64,
            usage: vk::BufferUsageFlags::STORAGE_BUFFER,
        };
        let x = g.external_buffer("x", desc).unwrap();
        for i in 0..3 {
            g.task(&format!("t{i}"))
                .attach(x, access::COMPUTE_READ_WRITE)
                .record()
                .unwrap();
        }
        let plan = g.compile(&CompileOptions::default()).unwrap();
        (g, plan)
    };
    let path = plan
        .critical_path(&g, &TaskCosts::given(vec![us(1), us(2), us(3)]))
        .unwrap();
    assert_eq!(path.tasks, vec![0, 1, 2]);
    assert!((path.parallelism() - 1.0).abs() < 1e-9);
}

#[test]
fn medians_come_from_frames_of_the_last_plan() {
    let (_, plan) = diamond();
    let frames = vec![
        frame(&plan, &[10, 50, 20, 10, 30], 0, 1),
        frame(&plan, &[12, 40, 20, 10, 30], 1000, 2),
        frame(&plan, &[11, 60, 20, 10, 30], 2000, 3),
    ];
    let costs = TaskCosts::gpu_median(&frames);
    assert_eq!(costs.task(0), Some(us(11)));
    assert_eq!(costs.task(1), Some(us(50)));
    assert_eq!(costs.plan_serial(), Some(plan.serial()));
    assert!(costs.barrier_calls().iter().all(|&(_, c)| c == us(1)));
    let cpu = TaskCosts::cpu_median(&frames);
    assert_eq!(cpu.task(1), Some(us(5)));
    // A frame of another plan before the last ones is left out.
    let mut other = frame(&plan, &[1000; 5], 0, 0);
    other.plan_serial = plan.serial() + 1;
    let mut mixed = vec![other];
    mixed.extend(frames);
    assert_eq!(TaskCosts::gpu_median(&mixed).task(0), Some(us(11)));
}

#[test]
fn costs_of_another_plan_are_refused() {
    let (g, plan) = diamond();
    let mut f = frame(&plan, &[1; 5], 0, 1);
    f.plan_serial = plan.serial() + 1;
    let costs = TaskCosts::gpu_median(std::slice::from_ref(&f));
    let expected = GraphError::CostsOfAnotherPlan {
        measured: plan.serial() + 1,
        plan: plan.serial(),
    };
    assert_eq!(plan.critical_path(&g, &costs), Err(expected.clone()));
    assert_eq!(plan.chrome_trace(&g, &[f]), Err(expected.clone()));
    assert_eq!(plan.timeline_svg(&g, Some(&costs)), Err(expected));
}

#[test]
fn summary_lists_scopes_barriers_and_the_path() {
    let (g, plan) = diamond();
    let frames = vec![frame(&plan, &[10, 50, 20, 10, 30], 0, 1)];
    let text = plan.summary(&g, &TaskCosts::gpu_median(&frames)).unwrap();
    assert!(text.contains("GPU time, median of 1 frames"), "{text}");
    assert!(text.contains("(top level): 0.090 ms in 4 tasks"), "{text}");
    assert!(text.contains("bloom: 0.030 ms in 1 tasks"), "{text}");
    assert!(
        text.contains("critical path 0.070 ms over 3 tasks"),
        "{text}"
    );
    assert!(text.contains("parallelism bound 1.71x"), "{text}");
    assert!(text.contains("  `b` 0.050 ms (batch 1)"), "{text}");
    let calls = plan.stats().barrier_calls;
    assert!(
        text.contains(&format!(
            "barrier calls: {:.3} ms in {calls} measured calls",
            calls as f64 / 1000.0
        )),
        "{text}"
    );
}

fn events(json: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(json).expect("the trace is JSON");
    value["traceEvents"]
        .as_array()
        .expect("traceEvents")
        .clone()
}

#[test]
fn the_trace_has_every_task_in_order_on_both_clocks() {
    let (g, plan) = diamond();
    let frames = vec![
        frame(&plan, &[10, 50, 20, 10, 30], 100, 1),
        frame(&plan, &[10, 50, 20, 10, 30], 400, 2),
    ];
    let json = plan.chrome_trace(&g, &frames).unwrap();
    let events = events(&json);
    let slices: Vec<_> = events.iter().filter(|e| e["ph"] == "X").collect();
    for pid in [1, 2] {
        let track: Vec<_> = slices.iter().filter(|e| e["pid"] == pid).collect();
        let starts: Vec<f64> = track.iter().map(|e| e["ts"].as_f64().unwrap()).collect();
        assert!(
            starts.windows(2).all(|w| w[0] <= w[1]),
            "pid {pid} in order"
        );
        assert_eq!(starts[0], 0.0, "each clock starts at 0");
        for task in ["a", "b", "c", "d", "bloom/e"] {
            let of_task: Vec<_> = track.iter().filter(|e| e["name"] == task).collect();
            assert_eq!(of_task.len(), 2, "{task} once per frame on pid {pid}");
            assert!(of_task.iter().all(|e| e["dur"].as_f64().unwrap() > 0.0));
            assert_eq!(of_task[0]["cat"], "task");
        }
        let frames: Vec<_> = track.iter().filter(|e| e["cat"] == "frame").collect();
        assert_eq!(frames.len(), 2);
    }
    let e = slices
        .iter()
        .find(|e| e["name"] == "bloom/e" && e["pid"] == 1)
        .unwrap();
    assert_eq!(e["args"]["scope"], "bloom");
    assert_eq!(e["args"]["batch"], 0);
    assert_eq!(
        e["ts"].as_f64().unwrap(),
        10.0 + 0.0,
        "after a (10 us), frame at 0"
    );
    let a = slices.iter().find(|e| e["name"] == "a").unwrap();
    let attached = a["args"]["attachments"][0].as_str().unwrap();
    assert!(attached.starts_with("x: Write"), "{attached}");
    let batches = slices
        .iter()
        .filter(|e| e["cat"] == "batch" && e["pid"] == 1)
        .count();
    assert_eq!(batches, 2 * plan.batch_count());
    let calls: Vec<_> = slices
        .iter()
        .filter(|e| e["cat"] == "barrier" && e["pid"] == 1)
        .collect();
    assert_eq!(calls.len(), 2 * plan.stats().barrier_calls);
    assert!(calls
        .iter()
        .all(|c| c["args"]["barriers"].as_u64().unwrap() > 0));
    let names: Vec<_> = events.iter().filter(|e| e["ph"] == "M").collect();
    assert_eq!(names.len(), 4);
    assert_eq!(names[0]["args"]["name"], "GPU (device clock)");
}

#[test]
fn without_timestamps_the_trace_says_so_and_keeps_the_cpu_track() {
    let (g, plan) = diamond();
    let mut f = frame(&plan, &[10, 50, 20, 10, 30], 0, 1);
    f.gpu = Some(GpuTime::NotSupported);
    for item in &mut f.items {
        item.gpu = GpuTime::NotSupported;
    }
    let json = plan.chrome_trace(&g, &[f.clone()]).unwrap();
    let events = events(&json);
    assert!(events.iter().all(|e| e["ph"] != "X" || e["pid"] == 2));
    assert_eq!(events[0]["args"]["name"], "GPU (timestamps not supported)");
    let costs = TaskCosts::gpu_median(&[f]);
    assert_eq!(costs.task(0), None);
    let text = plan.summary(&g, &costs).unwrap();
    assert!(text.contains("not measured: no timestamps"), "{text}");
    // An empty trace is still JSON.
    assert!(self::events(&plan.chrome_trace(&g, &[]).unwrap()).len() == 4);
}

#[test]
fn names_are_escaped_in_json_and_svg() {
    let mut g: TaskGraph = TaskGraph::new();
    let desc = BufferDesc {
        size: 64,
        usage: vk::BufferUsageFlags::STORAGE_BUFFER,
    };
    let x = g.external_buffer("x \"quoted\" <&>", desc).unwrap();
    g.task("say \"hi\"\n<b>&")
        .attach(x, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    let plan = g.compile(&CompileOptions::default()).unwrap();
    let json = plan.chrome_trace(&g, &[frame(&plan, &[5], 0, 1)]).unwrap();
    let events = events(&json);
    assert!(events.iter().any(|e| e["name"] == "say \"hi\"\n<b>&"));
    let svg = plan.timeline_svg(&g, None).unwrap();
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
}

#[test]
fn timeline_has_a_box_per_task_and_a_bar_per_barrier_call() {
    let (g, plan) = diamond();
    let costs = TaskCosts::gpu_median(&[frame(&plan, &[10, 50, 20, 10, 30], 0, 1)]);
    for costs in [None, Some(&costs)] {
        let svg = plan.timeline_svg(&g, costs).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .filter_map(|n| n.text())
            .collect();
        for task in [
            "a (task 0",
            "b (task 1",
            "c (task 2",
            "d (task 3",
            "bloom/e (task 4",
        ] {
            assert!(
                titles.iter().any(|t| t.starts_with(task)),
                "{task}: {titles:?}"
            );
        }
        let calls = titles
            .iter()
            .filter(|t| t.starts_with("barrier call"))
            .count();
        assert_eq!(calls, plan.stats().barrier_calls);
    }
}

#[test]
fn memory_chart_says_when_nothing_is_placed() {
    let (g, plan) = diamond();
    let svg = plan.memory_svg(&g).unwrap();
    assert!(svg.contains("no transient memory placed"));
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
}

#[test]
fn memory_chart_has_a_rectangle_per_transient_over_its_batches() {
    let mut g: TaskGraph = TaskGraph::new();
    let desc = |size| BufferDesc {
        size,
        usage: vk::BufferUsageFlags::STORAGE_BUFFER,
    };
    let out = g.external_buffer("out", desc(64)).unwrap();
    let a = g.transient_buffer("a", desc(1024)).unwrap();
    let b = g.transient_buffer("b", desc(1024)).unwrap();
    g.task("write a")
        .attach(a, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("a to b")
        .attach(a, access::COMPUTE_READ)
        .attach(b, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("b to out")
        .attach(b, access::COMPUTE_READ)
        .attach(out, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    let mut plan = g.compile(&CompileOptions::default()).unwrap();
    plan.place_transients(
        &g,
        |_, d| {
            Ok(crate::MemoryNeeds {
                size: match d {
                    crate::ResourceDesc::Buffer(b) => b.size,
                    crate::ResourceDesc::Image(_) => 4096,
                },
                alignment: 256,
                memory_type_bits: 1,
                linear: true,
            })
        },
        1,
    )
    .unwrap();
    let svg = plan.memory_svg(&g).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        titles.contains(&"a: bytes 0..1024, batches 0..=1"),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("b: bytes ")),
        "{titles:?}"
    );
    assert!(svg.contains(&format!(
        "transient memory: {} bytes",
        plan.stats().transient_bytes
    )));
}

#[test]
fn timings_made_by_hand_out_of_order_do_not_panic() {
    let (g, plan) = diamond();
    let mut f = frame(&plan, &[10, 50, 20, 10, 30], 100, 1);
    // An item before its frame, a span that ends before it starts, a CPU start before
    // the frame's: kept as zero-length or clamped, never a panic.
    f.items[0].gpu = GpuTime::Span {
        start_ns: 0,
        end_ns: 0,
    };
    f.items[1].gpu = GpuTime::Span {
        start_ns: 500_000,
        end_ns: 1,
    };
    f.items[2].cpu_start = Duration::ZERO;
    assert_eq!(f.items[1].gpu.duration(), Some(Duration::ZERO));
    let json = plan.chrome_trace(&g, &[f]).unwrap();
    assert!(!events(&json).is_empty());
}

#[test]
fn the_frame_count_of_medians_is_that_of_the_plan_they_describe() {
    let (_, plan) = diamond();
    let mut other = frame(&plan, &[1; 5], 0, 0);
    other.plan_serial = plan.serial() + 1;
    let frames = vec![
        other,
        frame(&plan, &[1; 5], 100, 1),
        frame(&plan, &[1; 5], 200, 2),
    ];
    let gpu = TaskCosts::gpu_median(&frames);
    assert_eq!(gpu.source(), crate::CostSource::GpuMedian { frames: 2 });
    let cpu = TaskCosts::cpu_median(&frames);
    assert_eq!(cpu.source(), crate::CostSource::CpuMedian { frames: 2 });
}
