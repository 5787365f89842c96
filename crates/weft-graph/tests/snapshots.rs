//! Plans of the benchmark's synthetic graphs do not change by accident: a hash of each
//! shape's `describe()` (every batch, task and barrier), compiled on one and on two threads,
//! is compared with the value recorded when the planner last changed its plans on purpose.
//! The graphs are the compile benchmark's (`benches/synthetic.rs`). A change that is meant
//! to alter plans updates the table (run with `--nocapture` to see the new values); a
//! refactoring must leave it alone.

#[path = "../../../benches/synthetic.rs"]
mod synthetic;

use weft_graph::{CompileOptions, CompileThreads, TaskGraph};

/// FNV-1a, 64 bits: stable across Rust versions (unlike `DefaultHasher`).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn describe_hash(graph: &TaskGraph, threads: CompileThreads) -> u64 {
    let options = CompileOptions {
        threads,
        ..CompileOptions::default()
    };
    let plan = graph.compile(&options).expect("compiles");
    // The scopes section (tasks named `scope/task`) groups the same tasks again: not part
    // of the plan, so not of its hash.
    let text = plan.describe(graph).expect("describes");
    let plan_lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("scope `")).collect();
    fnv1a(&(plan_lines.join("\n") + "\n"))
}

/// (shape, tasks, hash of `describe()`), the values of `tests/plan_snapshots.rs`.
const EXPECTED: &[(&str, usize, u64)] = &[
    ("chain", 1000, 0x8293f0046c1efaff),
    ("fan", 1000, 0x736564178a4c4a6c),
    ("bloom", 1000, 0xa6576a5175294266),
    ("random", 1000, 0x259f841379b90ef6),
    ("random_fragmented", 1000, 0x94649cb25439216a),
    ("chain", 10000, 0x7a95ae9d08987edb),
    ("fan", 10000, 0x328fd03d1a66c67a),
    ("bloom", 10000, 0xa90dd93bfe172515),
    ("random", 10000, 0x80328ee554a02b27),
    ("random_fragmented", 10000, 0xf4f52d8e52690d6f),
];

#[test]
fn bench_shapes_keep_their_plans() {
    let mut seen = Vec::new();
    for n in [1_000, 10_000] {
        let shapes: [(&str, TaskGraph); 5] = [
            ("chain", synthetic::chain(n)),
            ("fan", synthetic::fan(n)),
            ("bloom", synthetic::bloom(n)),
            ("random", synthetic::random(n, 7, synthetic::Views::Aligned)),
            (
                "random_fragmented",
                synthetic::random(n, 7, synthetic::Views::Fragmented),
            ),
        ];
        for (name, graph) in &shapes {
            let one = describe_hash(graph, CompileThreads::One);
            let two = describe_hash(graph, CompileThreads::Two);
            assert_eq!(one, two, "{name} {n}: one and two threads give other plans");
            println!("(\"{name}\", {n}, {one:#018x}),");
            seen.push((*name, n, one));
        }
    }
    assert_eq!(seen.len(), 10);
    for (name, n, hash) in &seen {
        let expected = EXPECTED
            .iter()
            .find(|(e, en, _)| e == name && en == n)
            .map(|(_, _, h)| *h);
        assert_eq!(
            expected,
            Some(*hash),
            "the plan of {name} at {n} tasks changed"
        );
    }
}
