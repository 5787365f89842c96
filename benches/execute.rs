//! `cargo bench --bench execute`: the CPU time to record one frame of a 16-task and of a
//! 1,000-task compute graph, weft's executor (`record_plan`: resolve, bridge, barriers,
//! callbacks, compute tasks) against hand-written ash loops recording the same dispatches
//! into a command buffer, in the same run: one with the plan's barriers and a single global
//! bridge from the last frame (what a hand-written frame does), one with exactly the
//! barriers weft records (captured once). Validation is off: this measures
//! our code, not the layers. Neither side submits; recording is what is compared. Then the
//! 16-task graph is executed (recorded and submitted, two frames in flight) with the
//! executor's phase timer on, and the mean time of each phase is printed. Last, the cost of
//! switching condition values every frame (see [`print_switching_cost`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use weft::prelude::*;
use weft::runtime::{
    Buffer, BufferInfo, Captured, ComputePipeline, Context, ContextOptions, Executor, Graph,
    MemoryLocation,
};

mod synthetic;
use synthetic::Rng;

const BUFFERS: usize = 64;
const SIZE: u64 = 1024;

/// One task of the hand-written loop.
struct HandTask {
    buffers: [vk::Buffer; 3],
    push: [u32; 4],
}

/// One step of a hand-written frame.
enum Step {
    Barriers(Vec<vk::MemoryBarrier2<'static>>),
    Task(usize),
}

/// What the hand-written loops record with.
struct Hand<'a> {
    device: &'a ash::Device,
    push_descriptor: &'a ash::khr::push_descriptor::Device,
    cmd: vk::CommandBuffer,
    pipeline: &'a ComputePipeline,
    picks: &'a [HandTask],
}

impl Hand<'_> {
    /// Records `steps` into the command buffer (reset first), as a hand-written frame would.
    fn record(&self, steps: &[Step]) {
        let (device, cmd, pipeline) = (self.device, self.cmd, self.pipeline);
        // SAFETY: the command buffer is not pending (never submitted); every handle is
        // alive; the infos outlive the calls.
        unsafe {
            device
                .reset_command_buffer(cmd, vk::CommandBufferResetFlags::empty())
                .expect("reset");
            let begin = vk::CommandBufferBeginInfo::default()
                .flags(vk::CommandBufferUsageFlags::ONE_TIME_SUBMIT);
            device.begin_command_buffer(cmd, &begin).expect("begin");
            for step in steps {
                let task = match step {
                    Step::Barriers(barriers) => {
                        let dependency = vk::DependencyInfo::default().memory_barriers(barriers);
                        device.cmd_pipeline_barrier2(cmd, &dependency);
                        continue;
                    }
                    Step::Task(t) => &self.picks[*t],
                };
                device.cmd_bind_pipeline(cmd, vk::PipelineBindPoint::COMPUTE, pipeline.handle());
                let infos = task.buffers.map(|buffer| vk::DescriptorBufferInfo {
                    buffer,
                    offset: 0,
                    range: vk::WHOLE_SIZE,
                });
                let writes: [vk::WriteDescriptorSet<'_>; 3] = std::array::from_fn(|i| {
                    vk::WriteDescriptorSet::default()
                        .dst_binding(i as u32)
                        .descriptor_type(vk::DescriptorType::STORAGE_BUFFER)
                        .buffer_info(std::slice::from_ref(&infos[i]))
                });
                self.push_descriptor.cmd_push_descriptor_set(
                    cmd,
                    vk::PipelineBindPoint::COMPUTE,
                    pipeline.layout(),
                    0,
                    &writes,
                );
                let bytes: &[u8] = std::slice::from_raw_parts(task.push.as_ptr().cast(), 16);
                device.cmd_push_constants(
                    cmd,
                    pipeline.layout(),
                    vk::ShaderStageFlags::COMPUTE,
                    0,
                    bytes,
                );
                device.cmd_dispatch(cmd, 4, 1, 1);
            }
            device.end_command_buffer(cmd).expect("end");
        }
    }
}

fn execute(c: &mut Criterion) {
    for tasks in [16, 1000] {
        bench_tasks(c, tasks);
    }
    print_switching_cost();
}

/// A context without validation, the mixing pipeline and `BUFFERS` storage buffers.
fn setup() -> (Arc<Context>, Arc<ComputePipeline>, Vec<Arc<Buffer>>) {
    let ctx = Arc::new(
        Context::new(&ContextOptions {
            validation: false,
            device_name: None,
            display: None,
        })
        .unwrap_or_else(|e| panic!("no usable Vulkan device: {e}")),
    );
    let pipeline = ComputePipeline::from_source(
        &ctx,
        "shaders/buffer_mix.wgsl",
        include_str!("../shaders/buffer_mix.wgsl"),
    )
    .expect("pipeline");
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
    let reals: Vec<Arc<Buffer>> = (0..BUFFERS)
        .map(|i| {
            let info = BufferInfo {
                name: &format!("b{i}"),
                size: SIZE,
                usage,
                location: MemoryLocation::GpuOnly,
            };
            Arc::new(Buffer::new(&ctx, &info).expect("buffer"))
        })
        .collect();
    (ctx, pipeline, reals)
}

/// Declares every buffer of `reals` in `graph`, bound to it, named `b{index}`.
fn import_all(graph: &mut Graph, reals: &[Arc<Buffer>]) -> Vec<TaskBuffer> {
    reals
        .iter()
        .enumerate()
        .map(|(i, real)| graph.import_buffer(&format!("b{i}"), real).expect("buffer"))
        .collect()
}

/// The CPU cost of switching condition values every frame: a 16-task graph whose tasks
/// 4..12 run under one of two conditions, recorded (`record_plan`) alternating between two
/// combinations met before, against recording each combination on its own again and again
/// (the median of 301 paired runs).
fn print_switching_cost() {
    let (ctx, pipeline, reals) = setup();
    let mut graph: Graph = Graph::new();
    let virtuals = import_all(&mut graph, &reals);
    let conditions = [0, 1].map(|i| graph.condition(&format!("c{i}")).expect("condition"));
    for t in 0..16usize {
        let mut task = graph
            .compute(&format!("t{t}"), &pipeline)
            .bind("src_a", virtuals[t % BUFFERS])
            .bind("src_b", virtuals[(t * 7 + 3) % BUFFERS])
            .bind("dst", virtuals[(t * 5 + 1) % BUFFERS])
            .push_constants(&[0; 16])
            .dispatch([4, 1, 1]);
        if (4..12).contains(&t) {
            task = task.only_if(conditions[t % 2].is(true));
        }
        task.record().expect("task");
    }
    let mut executor = Executor::new(&ctx).expect("executor");
    let combinations = [[true, false], [false, true]];
    let mut record = |graph: &mut Graph, values: &[bool; 2]| {
        graph.set_conditions(values).expect("2 conditions");
        executor.record_plan(graph, &mut ()).expect("records");
    };
    for values in combinations.iter().cycle().take(8) {
        record(&mut graph, values);
    }
    let compiles = graph.plan_compiles();
    const REPS: usize = 500;
    let mut time = |graph: &mut Graph, sequence: &[usize]| {
        let start = Instant::now();
        for _ in 0..REPS {
            for &c in sequence {
                record(graph, &combinations[c]);
            }
        }
        start.elapsed().as_secs_f64() * 1e6 / (REPS * sequence.len()) as f64
    };
    let m = paired_medians(|| {
        let same = (time(&mut graph, &[0]) + time(&mut graph, &[1])) / 2.0;
        (time(&mut graph, &[0, 1]), same)
    });
    assert_eq!(
        graph.plan_compiles(),
        compiles,
        "no compile while switching"
    );
    eprintln!(
        "switching conditions every frame (16 tasks, 8 under conditions), record / record of one combination, {PAIRS} pairs: median {:.3} (quartiles {:.3}, {:.3}); medians {:.2} us switching, {:.2} us one combination",
        m.ratio, m.low, m.high, m.a, m.b
    );
}

fn bench_tasks(c: &mut Criterion, tasks: usize) {
    let (ctx, pipeline, reals) = setup();

    // The graph: 1,000 compute tasks over random buffers, each declared from its buffer.
    let mut graph: Graph = Graph::new();
    let virtuals = import_all(&mut graph, &reals);
    let mut rng = Rng::new(0x1234_5678_9abc_def1);
    let mut picks = Vec::with_capacity(tasks);
    for t in 0..tasks {
        let a = rng.below(BUFFERS as u64) as usize;
        let b = rng.below(BUFFERS as u64) as usize;
        let mut d = rng.below(BUFFERS as u64) as usize;
        while d == a || d == b {
            d = (d + 1) % BUFFERS;
        }
        let push = [256u32, t as u32, 1, 0];
        let bytes: Vec<u8> = push.iter().flat_map(|w| w.to_ne_bytes()).collect();
        graph
            .compute(&format!("t{t}"), &pipeline)
            .bind("src_a", virtuals[a])
            .bind("src_b", virtuals[b])
            .bind("dst", virtuals[d])
            .push_constants(&bytes)
            .dispatch([4, 1, 1])
            .record()
            .expect("task");
        picks.push(HandTask {
            buffers: [reals[a].handle(), reals[b].handle(), reals[d].handle()],
            push,
        });
    }
    // The graph's own plan (the executor replays the same one), for the hand-written loop.
    let plan = graph.plan().expect("compiles").clone();
    let mut executor = Executor::new(&ctx).expect("executor");
    // Run it once for real so every buffer has a last use to bridge from.
    executor.execute(&mut graph, &mut ()).expect("executes");
    // And once more capturing what it records in the steady state: the second hand-written
    // loop records exactly these barriers.
    executor.capture_commands(true);
    executor.execute(&mut graph, &mut ()).expect("executes");
    executor.wait_idle().expect("idle");
    let captured = executor.take_captured();
    executor.capture_commands(false);

    // The hand-written loops: the same dispatches in plan order, with (1) the plan's barriers
    // per batch plus one global bridge from the last frame before batch 0, what a
    // hand-written frame would do, and (2) exactly the barriers weft records (its bridges
    // per resource, merged into the plan's barrier calls), which leaves weft's own CPU cost.
    let device = ctx.device();
    let push_descriptor = ash::khr::push_descriptor::Device::new(ctx.instance(), device);
    let pool_info = vk::CommandPoolCreateInfo::default()
        .queue_family_index(ctx.queue_family())
        .flags(vk::CommandPoolCreateFlags::RESET_COMMAND_BUFFER);
    // SAFETY: the device is valid; the pool is destroyed at the end of this function.
    let pool = unsafe { device.create_command_pool(&pool_info, None) }.expect("pool");
    let alloc = vk::CommandBufferAllocateInfo::default()
        .command_pool(pool)
        .level(vk::CommandBufferLevel::PRIMARY)
        .command_buffer_count(1);
    // SAFETY: the pool was just created.
    let cmd = unsafe { device.allocate_command_buffers(&alloc) }.expect("cmd")[0];
    let bridge = vk::MemoryBarrier2::default()
        .src_stage_mask(vk::PipelineStageFlags2::COMPUTE_SHADER)
        .src_access_mask(vk::AccessFlags2::SHADER_STORAGE_WRITE)
        .dst_stage_mask(vk::PipelineStageFlags2::COMPUTE_SHADER)
        .dst_access_mask(
            vk::AccessFlags2::SHADER_STORAGE_READ | vk::AccessFlags2::SHADER_STORAGE_WRITE,
        );
    let mut plan_steps = Vec::new();
    for b in 0..plan.batch_count() {
        let mut barriers: Vec<vk::MemoryBarrier2<'static>> = plan
            .barriers_before(b)
            .memory
            .iter()
            .map(|m| {
                vk::MemoryBarrier2::default()
                    .src_stage_mask(m.src_stages)
                    .src_access_mask(m.src_access)
                    .dst_stage_mask(m.dst_stages)
                    .dst_access_mask(m.dst_access)
            })
            .collect();
        if b == 0 {
            barriers.push(bridge);
        }
        if !barriers.is_empty() {
            plan_steps.push(Step::Barriers(barriers));
        }
        plan_steps.extend(plan.batch(b).iter().map(|&t| Step::Task(t as usize)));
    }
    let same_steps: Vec<Step> = captured
        .iter()
        .filter_map(|event| match event {
            Captured::Barrier { memory, .. } => Some(Step::Barriers(memory.clone())),
            Captured::Task { name, .. } => name[1..].parse().ok().map(Step::Task),
            _ => None,
        })
        .collect();
    let hand = Hand {
        device,
        push_descriptor: &push_descriptor,
        cmd,
        pipeline: &pipeline,
        picks: &picks,
    };
    let mut record_by_hand = || hand.record(&plan_steps);
    let mut record_same_by_hand = || hand.record(&same_steps);

    eprintln!(
        "execute: {} tasks in {} batches, {} memory barriers",
        tasks,
        plan.batch_count(),
        plan.stats().memory_barriers
    );
    let mut group = c.benchmark_group("execute");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);
    group.bench_function(format!("hand_written_record_{tasks}_tasks"), |b| {
        b.iter(&mut record_by_hand)
    });
    group.bench_function(format!("weft_record_plan_{tasks}_tasks"), |b| {
        b.iter(|| executor.record_plan(&mut graph, &mut ()).expect("records"))
    });
    group.finish();
    print_paired_ratio("", tasks, &mut record_by_hand, &mut || {
        executor.record_plan(&mut graph, &mut ()).expect("records")
    });
    print_paired_ratio(
        " with weft's barriers",
        tasks,
        &mut record_same_by_hand,
        &mut || executor.record_plan(&mut graph, &mut ()).expect("records"),
    );
    if tasks <= 16 {
        print_phases(&mut executor, &mut graph, tasks);
    }
    // SAFETY: nothing recorded into the pool is pending.
    unsafe { device.destroy_command_pool(pool, None) };
}

/// Times the hand-written loop and weft's `record_plan` in alternation (so both see the same
/// machine load) and prints the median of the per-pair ratios weft / hand-written.
fn print_paired_ratio(label: &str, tasks: usize, hand: &mut impl FnMut(), weft: &mut impl FnMut()) {
    let reps = (20_000 / tasks).max(1);
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..reps {
            f();
        }
        start.elapsed()
    };
    let m = paired_medians(|| {
        let h = time(hand).as_secs_f64() * 1e6 / reps as f64;
        let w = time(weft).as_secs_f64() * 1e6 / reps as f64;
        (w, h)
    });
    eprintln!(
        "record {tasks} tasks, weft / hand-written{label} over {PAIRS} alternating pairs: median {:.3} (quartiles {:.3}, {:.3}); medians {:.2} us (weft), {:.2} us (hand-written)",
        m.ratio, m.low, m.high, m.a, m.b
    );
}

/// Paired samples taken one pair after the other.
const PAIRS: usize = 301;

/// The medians of [`PAIRS`] paired samples `(a, b)`: of `a / b` (with its quartiles), of
/// `a` and of `b`.
struct PairedMedians {
    ratio: f64,
    low: f64,
    high: f64,
    a: f64,
    b: f64,
}

/// Takes [`PAIRS`] samples of `sample` and their medians.
fn paired_medians(mut sample: impl FnMut() -> (f64, f64)) -> PairedMedians {
    let (mut ratios, mut a, mut b) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..PAIRS {
        let (x, y) = sample();
        ratios.push(x / y);
        a.push(x);
        b.push(y);
    }
    for list in [&mut ratios, &mut a, &mut b] {
        list.sort_by(f64::total_cmp);
    }
    PairedMedians {
        ratio: ratios[PAIRS / 2],
        low: ratios[PAIRS / 4],
        high: ratios[3 * PAIRS / 4],
        a: a[PAIRS / 2],
        b: b[PAIRS / 2],
    }
}

/// Executes `graph` (record and submit) many times with the phase timer on and prints the
/// mean CPU time of each phase.
fn print_phases(executor: &mut Executor, graph: &mut Graph, tasks: usize) {
    const RUNS: u32 = 2000;
    executor.time_cpu_phases(true);
    let mut sum = [Duration::ZERO; 6];
    for _ in 0..RUNS {
        executor.execute(graph, &mut ()).expect("executes");
        let t = executor.cpu_times().expect("timing is on");
        for (total, phase) in sum
            .iter_mut()
            .zip([t.wait, t.resolve, t.bridge, t.record, t.remember, t.submit])
        {
            *total += phase;
        }
    }
    executor.wait_idle().expect("idle");
    executor.time_cpu_phases(false);
    let us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(RUNS);
    let total: Duration = sum.iter().sum();
    eprintln!(
        "execute {tasks} tasks, mean of {RUNS}: total {:.2} us = wait {:.2} + resolve {:.2} + bridge {:.2} + record {:.2} + remember {:.2} + submit {:.2}",
        us(total),
        us(sum[0]),
        us(sum[1]),
        us(sum[2]),
        us(sum[3]),
        us(sum[4]),
        us(sum[5])
    );
}

criterion_group!(benches, execute);
criterion_main!(benches);
