//! The benchmark's synthetic graphs have the shapes they claim: checks their batch counts.

#[path = "../benches/synthetic.rs"]
mod synthetic;

use weft::{CompileOptions, Plan, TaskGraph};

/// Compiles `g` with the default options.
fn compile(g: TaskGraph) -> Plan {
    g.compile(&CompileOptions::default()).unwrap()
}

#[test]
fn chain_takes_one_batch_per_task() {
    let plan = compile(synthetic::chain(100));
    assert_eq!(plan.batch_count(), 100);
    assert_eq!(plan.stats().barrier_calls, 99);
}

#[test]
fn fan_takes_three_batches() {
    let plan = compile(synthetic::fan(1000));
    assert_eq!(plan.batch_count(), 3);
    assert_eq!(plan.batch(1).len(), 998);
    // produce -> consumers, consumers -> gather: one barrier each.
    assert_eq!(plan.stats().memory_barriers, 2);
}

#[test]
fn random_has_four_attachments_per_task_and_depth_batches() {
    for views in [synthetic::Views::Aligned, synthetic::Views::Fragmented] {
        let g = synthetic::random(1000, 7, views);
        assert_eq!(g.task_count(), 1000);
        assert!((0..1000).all(|t| g.task_attachments(t).len() == 4));
        let plan = compile(g);
        assert_eq!(plan.batch_count(), plan.stats().dag_depth);
        assert!(plan.batch_count() > 10 && plan.batch_count() < 1000);
    }
}

#[test]
fn bloom_chains_are_sequential_mip_by_mip() {
    let plan = compile(synthetic::bloom(230));
    // 10 chains of 23 passes; each chain's first pass waits for the previous chain's last.
    assert_eq!(plan.stats().tasks, 230);
    assert_eq!(plan.batch_count(), 230);
}
