//! `cargo bench --bench compile`: compile time of synthetic graphs of 1k, 10k and 100k
//! tasks (chain, wide fan, random with 4 attachments per task, bloom-like mip chains).
//! Graphs are recorded once outside the timed loop; only `compile()` is measured, again
//! and again on one graph (which reuses the working memory it kept), and for random graphs
//! also as the first compile of a fresh graph. Up to 10k tasks, compile and transient
//! placement together (`{shape}_placed`), against compile alone. Conditions: a random graph
//! with 8 conditions guarding a quarter of its tasks, compiled for a new combination of
//! values (`compile_for`) against compiling every task, and a plan-cache hit.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use weft::prelude::*;
use weft::{ConditionValues, PlanCache, View};

mod synthetic;
use synthetic::Views;

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.sample_size(20);
    for &n in &[1_000usize, 10_000, 100_000] {
        let shapes: [(&str, TaskGraph); 5] = [
            ("chain", synthetic::chain(n)),
            ("fan", synthetic::fan(n)),
            ("random", synthetic::random(n, 7, Views::Aligned)),
            (
                "random_fragmented",
                synthetic::random(n, 7, Views::Fragmented),
            ),
            ("bloom", synthetic::bloom(n)),
        ];
        for (shape, graph) in &shapes {
            let options = CompileOptions::default();
            let plan = graph.compile(&options).expect("compiles");
            let s = plan.stats();
            eprintln!(
                "{shape}/{n}: {} batches (DAG depth {}), {} barrier calls, {} memory + {} image barriers",
                s.batches, s.dag_depth, s.barrier_calls, s.memory_barriers, s.image_barriers
            );
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(*shape, n), graph, |b, g| {
                b.iter(|| g.compile(&options).expect("compiles"))
            });
            if n <= 10_000 {
                // Compile, then place the transients (with a model of a device's needs):
                // what the runtime does once per plan.
                group.bench_with_input(
                    BenchmarkId::new(format!("{shape}_placed"), n),
                    graph,
                    |b, g| {
                        b.iter(|| {
                            let mut plan = g.compile(&options).expect("compiles");
                            plan.place_transients(g, synthetic::model_memory_needs, 1024)
                                .expect("places");
                            plan
                        })
                    },
                );
            }
            if *shape == "random" {
                // The same compile on the calling thread alone, for the two-thread speedup
                // in the same run.
                let one = CompileOptions {
                    threads: CompileThreads::One,
                    ..CompileOptions::default()
                };
                group.bench_with_input(BenchmarkId::new("random_one_thread", n), graph, |b, g| {
                    b.iter(|| g.compile(&one).expect("compiles"))
                });
                // The first compile of a graph: nothing kept from an earlier compile (the
                // graph keeps its working memory between compiles). A fresh graph per
                // iteration, built outside the timing.
                group.bench_function(BenchmarkId::new("random_first_compile", n), |b| {
                    b.iter_batched(
                        || synthetic::random(n, 7, Views::Aligned),
                        |g| g.compile(&options).expect("compiles"),
                        BatchSize::LargeInput,
                    )
                });
                // Baseline in the same run: only read every attachment of the same graph
                // (what any compile must at least do). compile / baseline is a ratio that
                // survives this machine's noise better than absolute times.
                group.bench_with_input(
                    BenchmarkId::new("baseline_read_random", n),
                    graph,
                    |b, g| b.iter(|| read_attachments(g)),
                );
            }
        }
    }
    group.finish();
}

/// Folds every attachment's resource, view and access into a number.
fn read_attachments(graph: &TaskGraph) -> u64 {
    let mut sum = 0u64;
    for t in 0..graph.task_count() as u32 {
        for a in graph.task_attachments(t) {
            let view = match a.view {
                View::Buffer(v) => v.buffer.index() as u64 ^ v.offset ^ v.size,
                View::Image(v) => u64::from(v.image.index() ^ v.base_mip ^ v.base_layer),
            };
            sum = sum
                .wrapping_mul(31)
                .wrapping_add(view ^ a.access.stages.as_raw());
        }
    }
    std::hint::black_box(sum)
}

/// Compiling for condition values: a new combination each iteration, every task (the
/// baseline), and the lookup of a combination met before.
fn conditions(c: &mut Criterion) {
    let mut group = c.benchmark_group("conditions");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.sample_size(20);
    let options = CompileOptions::default();
    for &n in &[1_000usize, 10_000] {
        let graph = synthetic::random_guarded(n, 7, Views::Aligned, 8);
        let combination = |i: u64| {
            let bits: Vec<bool> = (0..8).map(|c| (i >> c) & 1 == 1).collect();
            let mut values = graph.condition_values();
            values.set_all(&bits).expect("8 conditions");
            values
        };
        let all: Vec<ConditionValues> = (0..256).map(combination).collect();
        let runs = graph.compile_for(&options, &all[5]).expect("compiles");
        eprintln!(
            "conditions/{n}: {} of {n} tasks run for combination 5",
            runs.task_order().len()
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("compile_every_task", n), &graph, |b, g| {
            b.iter(|| g.compile(&options).expect("compiles"))
        });
        let mut next = 0;
        group.bench_with_input(
            BenchmarkId::new("compile_for_new_combination", n),
            &graph,
            |b, g| {
                b.iter(|| {
                    next = (next + 1) % all.len();
                    g.compile_for(&options, &all[next]).expect("compiles")
                })
            },
        );
        let mut cache = PlanCache::default();
        for values in &all[..16] {
            cache.plan(&graph, &options, values).expect("compiles");
        }
        let mut next = 0;
        group.bench_with_input(BenchmarkId::new("plan_cache_hit", n), &graph, |b, g| {
            b.iter(|| {
                next = (next + 1) % 16;
                cache.plan(g, &options, &all[next]).expect("kept").serial()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, compile, conditions);
criterion_main!(benches);
