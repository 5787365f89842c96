//! Conditions on the GPU: a graph with four conditions (on tasks and on a scope, with
//! transients inside and out) runs 500 frames, 3 in flight, with random condition values
//! every frame and no host wait between frames, over external buffers that carry their
//! values from frame to frame. Every 100 frames and at the end the buffers are compared with
//! a CPU evaluation of the same frames; validation, synchronization validation and its
//! submit-time checks must stay silent, and our own judge (`weft-judge`), fed with what the
//! executor recorded, must find no hazard across the frames.

use std::sync::Arc;

use support::judged::{add_buffer, judge_events};
use support::{bytes_of, context, words, Rng};
use weft::runtime::{Buffer, ComputePipeline, ComputeTask, Context, Executor, Graph};
use weft::{BufferDesc, Condition, View};
use weft_judge::Judge;

mod support;

const N: usize = 64;

/// `dst[i] = a[i] * 3 + b[i] + seed` (the shader `buffer_mix.wgsl`).
fn mix(a: &[u32], b: &[u32], seed: u32) -> Vec<u32> {
    a.iter()
        .zip(b)
        .map(|(&a, &b)| a.wrapping_mul(3).wrapping_add(b).wrapping_add(seed))
        .collect()
}

/// The buffers the frames change, on the CPU.
#[derive(Clone, Debug, PartialEq)]
struct State {
    a: Vec<u32>,
    b: Vec<u32>,
    c: Vec<u32>,
}

/// One frame with conditions `on`, in record order, skipping what the conditions skip.
fn cpu_frame(s: &mut State, input: &[u32], on: [bool; 4]) {
    let t = mix(input, input, 1);
    if on[0] {
        s.a = mix(&t, input, 2);
    }
    if on[1] {
        let u = mix(&s.a, &t, 7);
        s.b = mix(&u, &t, 3);
        if !on[2] {
            s.a = mix(&s.b, input, 4);
        }
    }
    s.c = mix(&s.a, &s.b, 5);
    if on[3] {
        s.b = mix(&s.c, &t, 6);
    }
}

struct Setup {
    graph: Graph,
    conditions: [Condition; 4],
    reals: [Arc<Buffer>; 3],
    input: Vec<u32>,
    input_real: Arc<Buffer>,
}

fn setup(ctx: &Arc<Context>) -> Setup {
    let pipeline = ComputePipeline::from_source(
        ctx,
        "shaders/buffer_mix.wgsl",
        include_str!("../shaders/buffer_mix.wgsl"),
    )
    .unwrap();
    let usage = support::STORAGE_TRANSFER;
    let input: Vec<u32> = (0..N as u32).map(|i| i * 7 + 1).collect();
    let input_real = support::filled_buffer(ctx, "input", usage, &bytes_of(&input));
    let reals = ["a", "b", "c"].map(|name| {
        let real = support::host_buffer(ctx, name, 4 * N as u64, usage);
        real.mapped_mut().unwrap().fill(0);
        real
    });
    let mut g = Graph::new();
    let [input_v, a, b, c] = support::import_buffers(
        &mut g,
        [
            ("input", &input_real),
            ("a", &reals[0]),
            ("b", &reals[1]),
            ("c", &reals[2]),
        ],
    );
    let conditions = ["first", "post", "skip again", "extra"].map(|n| g.condition(n).unwrap());
    let desc = BufferDesc {
        size: 4 * N as u64,
        usage,
    };
    let t = g.transient_buffer("t", desc).unwrap();
    mix_task(
        &mut g,
        &pipeline,
        "make t",
        [input_v.into(), input_v.into()],
        t.into(),
        1,
    )
    .record()
    .unwrap();
    mix_task(
        &mut g,
        &pipeline,
        "a",
        [t.into(), input_v.into()],
        a.into(),
        2,
    )
    .only_if(conditions[0].is(true))
    .record()
    .unwrap();
    g.scope_if("post", conditions[1].is(true), |g| {
        let u = g.transient_buffer("u", desc).unwrap();
        mix_task(g, &pipeline, "u", [a.into(), t.into()], u.into(), 7)
            .record()
            .unwrap();
        mix_task(g, &pipeline, "b", [u.into(), t.into()], b.into(), 3)
            .record()
            .unwrap();
        mix_task(
            g,
            &pipeline,
            "a again",
            [b.into(), input_v.into()],
            a.into(),
            4,
        )
        .only_if(conditions[2].is(false))
        .record()
        .unwrap();
    })
    .unwrap();
    mix_task(&mut g, &pipeline, "c", [a.into(), b.into()], c.into(), 5)
        .record()
        .unwrap();
    mix_task(
        &mut g,
        &pipeline,
        "extra",
        [c.into(), t.into()],
        b.into(),
        6,
    )
    .only_if(conditions[3].is(true))
    .record()
    .unwrap();
    Setup {
        graph: g,
        conditions,
        reals,
        input,
        input_real,
    }
}

/// The compute task `name`: `dst = srcs[0] * 3 + srcs[1] + seed`.
fn mix_task<'g>(
    g: &'g mut Graph,
    pipeline: &Arc<ComputePipeline>,
    name: &str,
    srcs: [View; 2],
    dst: View,
    seed: u32,
) -> ComputeTask<'g, ()> {
    g.compute(name, pipeline)
        .bind("src_a", srcs[0])
        .bind("src_b", srcs[1])
        .bind("dst", dst)
        .push_constants(&bytes_of(&[N as u32, seed, 1, 0]))
        .dispatch([1, 1, 1])
}

fn gpu_state(reals: &[Arc<Buffer>; 3]) -> State {
    let [a, b, c] = reals.each_ref().map(|r| words(&r.mapped().unwrap()));
    State { a, b, c }
}

#[test]
fn random_conditions_every_frame_match_the_cpu() {
    let ctx = context();
    let Setup {
        mut graph,
        conditions,
        reals,
        input,
        input_real,
    } = setup(&ctx);
    assert_eq!(graph.task_name(3), Some("post/b"));
    let mut executor = Executor::with_frames_in_flight(&ctx, 3).unwrap();
    executor.capture_commands(true);
    let mut judge = Judge::new();
    for real in reals.iter().chain([&input_real]) {
        add_buffer(&mut judge, real);
    }
    let mut judged = 0;
    let mut cpu = State {
        a: vec![0; N],
        b: vec![0; N],
        c: vec![0; N],
    };
    let mut rng = Rng::new(0x5eed_c0de);
    let mut combinations = std::collections::HashSet::new();
    for frame in 1..=500 {
        let on = [0, 1, 2, 3].map(|_| rng.below(2) == 1);
        graph.set_conditions(&on).unwrap();
        executor.execute(&mut graph, &mut ()).unwrap();
        cpu_frame(&mut cpu, &input, on);
        combinations.insert(on);
        if frame % 100 == 0 {
            let captured = executor.take_captured();
            judged += captured.len();
            let hazards = judge_events(&mut judge, &captured);
            assert!(hazards.is_empty(), "up to frame {frame}: {hazards:#?}");
            // A host read waits for the frames that wrote the buffers.
            assert_eq!(gpu_state(&reals), cpu, "after frame {frame}");
        }
    }
    executor.wait_idle().unwrap();
    assert_eq!(gpu_state(&reals), cpu);
    println!("500 frames, {judged} captured events judged, no hazard");
    assert_eq!(combinations.len(), 16);
    assert_eq!(graph.plan_compiles(), 16, "one compile per combination met");
    // A combination that skips the scope leaves its tasks (and its transient) out.
    graph.set_conditions(&[true, false, false, false]).unwrap();
    let plan = graph.plan().unwrap();
    assert_eq!(plan.task_order(), &[0, 1, 5]);
    let _ = conditions;
    support::assert_no_messages(&ctx);
}

#[test]
fn condition_misuse_is_a_typed_error() {
    let ctx = context();
    let Setup { mut graph, .. } = setup(&ctx);
    let mut other = Graph::<()>::new();
    let theirs = other.condition("theirs").unwrap();
    let err = graph.set_condition(theirs, true).unwrap_err();
    assert!(err.to_string().contains("of another graph"), "{err}");
    let err = graph.set_conditions(&[true; 3]).unwrap_err();
    assert!(
        err.to_string().contains("3 values given for 4 conditions"),
        "{err}"
    );
    let err = graph.scope_if("s", theirs.is(true), |_| ()).unwrap_err();
    assert!(err.to_string().contains("`s`"), "{err}");
    let mut executor = Executor::new(&ctx).unwrap();
    executor.execute(&mut graph, &mut ()).unwrap();
    executor.wait_idle().unwrap();
    support::assert_no_messages(&ctx);
}
