//! Scopes and conditions: rule tests, the property that a combination's plan is the plan
//! of the recording with the other tasks left out, the plan cache, and misuse.

use ash::vk;
use proptest::prelude::*;
use weft_graph::{
    access, Access, BufferDesc, CompileOptions, ConditionValues, GraphError, ImageDesc, PlanCache,
    TaskBuffer, TaskGraph,
};

fn buffer(g: &mut TaskGraph, name: &str) -> TaskBuffer {
    let desc = BufferDesc {
        size: 1024,
        usage: vk::BufferUsageFlags::STORAGE_BUFFER,
    };
    g.external_buffer(name, desc).unwrap()
}

fn values(g: &TaskGraph, bits: &[bool]) -> ConditionValues {
    let mut v = g.condition_values();
    v.set_all(bits).unwrap();
    v
}

#[test]
fn a_condition_that_removes_a_writer_makes_the_reader_depend_on_the_writer_before() {
    let mut g: TaskGraph = TaskGraph::new();
    let x = buffer(&mut g, "x");
    let second = g.condition("second writer").unwrap();
    g.task("w1")
        .attach(x, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("w2")
        .attach(x, access::COMPUTE_WRITE)
        .only_if(second.is(true))
        .record()
        .unwrap();
    g.task("r")
        .attach(x, access::COMPUTE_READ)
        .record()
        .unwrap();
    let options = CompileOptions::default();

    let off = g.compile_for(&options, &values(&g, &[false])).unwrap();
    assert_eq!(off.task_order(), &[0, 2]);
    assert_eq!(off.batch_count(), 2);
    assert_eq!(off.task_batch(1), None, "w2 is not in the plan");
    let deps = off.dependencies(&g).unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!((deps[0].from, deps[0].to), (0, 2), "r reads what w1 wrote");

    let on = g.compile_for(&options, &values(&g, &[true])).unwrap();
    assert_eq!(on.task_order(), &[0, 1, 2]);
    assert_eq!(on.batch_count(), 3);
    let deps = on.dependencies(&g).unwrap();
    assert!(deps.iter().any(|d| (d.from, d.to) == (1, 2)));
    assert!(!deps.iter().any(|d| (d.from, d.to) == (0, 2)));
    // compile() ignores conditions.
    assert_eq!(g.compile(&options).unwrap().task_order(), &[0, 1, 2]);
}

#[test]
fn a_condition_on_a_scope_removes_all_its_tasks_and_scopes_nest() {
    let mut g: TaskGraph = TaskGraph::new();
    let hdr = buffer(&mut g, "hdr");
    let bloom_on = g.condition("bloom").unwrap();
    let debug = g.condition("debug").unwrap();
    g.task("shade")
        .attach(hdr, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    let made = g
        .scope_if("bloom", bloom_on.is(true), |g| {
            let mip = buffer(g, "mip");
            g.task("down")
                .attach(hdr, access::COMPUTE_READ)
                .attach(mip, access::COMPUTE_WRITE)
                .record()
                .unwrap();
            g.scope("inner", |g| {
                g.task("up")
                    .attach(mip, access::COMPUTE_READ)
                    .attach(hdr, access::COMPUTE_READ_WRITE)
                    .only_if(debug.is(false))
                    .record()
                    .unwrap();
            });
            mip
        })
        .unwrap();
    g.task("tonemap")
        .attach(hdr, access::COMPUTE_READ)
        .record()
        .unwrap();
    assert_eq!(g.resource_of(made).unwrap().name, "bloom/mip");
    assert_eq!(g.task_name(1), Some("bloom/down"));
    assert_eq!(g.task_name(2), Some("bloom/inner/up"));
    assert_eq!(g.task_guards(2), &[(0, true), (1, false)]);
    let options = CompileOptions::default();
    let plan = |bits: &[bool]| g.compile_for(&options, &values(&g, bits)).unwrap();
    assert_eq!(plan(&[false, false]).task_order(), &[0, 3]);
    assert_eq!(plan(&[false, true]).task_order(), &[0, 3]);
    assert_eq!(plan(&[true, true]).task_order(), &[0, 1, 3]);
    assert_eq!(plan(&[true, false]).task_order(), &[0, 1, 2, 3]);
}

/// Records the same graph flat (names written out) or in scopes: the plans are the same.
fn post_chain(scoped: bool) -> TaskGraph {
    let mut g: TaskGraph = TaskGraph::new();
    let storage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let desc = ImageDesc::new_2d(vk::Format::R16G16B16A16_SFLOAT, 256, 256, storage).with_mips(3);
    let hdr = g.transient_image("hdr", desc).unwrap();
    let out = g
        .external_image(
            "out",
            ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 256, 256, storage),
        )
        .unwrap();
    g.task("shade")
        .attach(hdr.mip(0), access::COMPUTE_WRITE)
        .record()
        .unwrap();
    // A reusable piece: takes the graph and a view, returns the view it made.
    let bloom = |g: &mut TaskGraph, prefix: &str| {
        let temp = g
            .transient_buffer(
                &format!("{prefix}temp"),
                BufferDesc {
                    size: 4096,
                    usage: vk::BufferUsageFlags::STORAGE_BUFFER,
                },
            )
            .unwrap();
        for mip in 1..3 {
            g.task(&format!("{prefix}down {mip}"))
                .attach(hdr.mip(mip - 1), access::COMPUTE_SAMPLED)
                .attach(hdr.mip(mip), access::COMPUTE_WRITE)
                .record()
                .unwrap();
        }
        g.task(&format!("{prefix}sum"))
            .attach(hdr, access::COMPUTE_SAMPLED)
            .attach(temp, access::COMPUTE_WRITE)
            .record()
            .unwrap();
        temp
    };
    let temp = if scoped {
        g.scope("post", |g| g.scope("bloom", |g| bloom(g, "")))
    } else {
        bloom(&mut g, "post/bloom/")
    };
    g.task("tonemap")
        .attach(temp, access::COMPUTE_READ)
        .attach(out, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g
}

#[test]
fn scopes_change_nothing_in_the_plan() {
    let options = CompileOptions::default();
    let (flat, scoped) = (post_chain(false), post_chain(true));
    let (a, b) = (
        flat.compile(&options).unwrap(),
        scoped.compile(&options).unwrap(),
    );
    assert_eq!(a.describe(&flat).unwrap(), b.describe(&scoped).unwrap());
    assert_eq!(a.stats(), b.stats());
    assert_eq!(scoped.task_name(1), Some("post/bloom/down 1"));
    let text = b.describe(&scoped).unwrap();
    assert!(
        text.contains("scope `post`: 3 tasks in batches 1..=3"),
        "{text}"
    );
    assert!(
        text.contains("scope `post/bloom`: 3 tasks in batches 1..=3: `post/bloom/down 1`"),
        "{text}"
    );
    let dot = b.to_dot(&scoped).unwrap();
    assert!(dot.contains("label=\"post\";"), "{dot}");
    assert!(dot.contains("label=\"bloom\";"), "{dot}");
    assert!(dot.contains("[label=\"down 2\\nbatch 2\"]"), "{dot}");
    assert_eq!(dot.matches("subgraph cluster_scope_").count(), 2, "{dot}");
    assert_eq!(
        dot.matches("  }\n").count(),
        2,
        "both clusters closed: {dot}"
    );
}

#[test]
fn many_conditions_and_the_plan_cache() {
    let mut g: TaskGraph = TaskGraph::new();
    let x = buffer(&mut g, "x");
    let conditions: Vec<_> = (0..100)
        .map(|i| g.condition(&format!("c{i}")).unwrap())
        .collect();
    for (i, c) in conditions.iter().enumerate().step_by(9) {
        g.task(&format!("t{i}"))
            .attach(x, access::COMPUTE_READ_WRITE)
            .only_if(c.is(true))
            .record()
            .unwrap();
    }
    let options = CompileOptions::default();
    let mut cache = PlanCache::new(2);
    let mut v = g.condition_values();
    v.set(conditions[99], true).unwrap();
    v.set(conditions[0], true).unwrap();
    assert_eq!(cache.plan(&g, &options, &v).unwrap().task_order().len(), 2);
    assert_eq!(cache.plan(&g, &options, &v).unwrap().task_order().len(), 2);
    assert_eq!(
        cache.compiles(),
        1,
        "a combination met before is not compiled again"
    );
    let mut w = v.clone();
    w.set(conditions[9], true).unwrap();
    assert_eq!(cache.plan(&g, &options, &w).unwrap().task_order().len(), 3);
    // Use `v` again, then a third combination: `w` (least recently used) goes.
    cache.plan(&g, &options, &v).unwrap();
    let mut u = v.clone();
    u.set(conditions[0], false).unwrap();
    cache.plan(&g, &options, &u).unwrap();
    assert_eq!((cache.len(), cache.compiles()), (2, 3));
    assert!(cache.get(&g, &v).is_some());
    assert!(cache.get(&g, &w).is_none());
    // Recording more makes every kept plan stale.
    g.task("late")
        .attach(x, access::COMPUTE_READ)
        .record()
        .unwrap();
    assert!(cache.get(&g, &v).is_none());
    let mut v = g.condition_values();
    v.set(conditions[0], true).unwrap();
    cache.plan(&g, &options, &v).unwrap();
    assert_eq!((cache.len(), cache.compiles()), (1, 4));
}

#[test]
fn misuse_is_a_typed_error() {
    let mut g: TaskGraph = TaskGraph::new();
    let mut other: TaskGraph = TaskGraph::new();
    let x = buffer(&mut g, "x");
    let mine = g.condition("mine").unwrap();
    let theirs = other.condition("theirs").unwrap();
    assert_eq!(
        g.condition("mine").unwrap_err(),
        GraphError::DuplicateCondition {
            condition: "mine".into()
        }
    );
    let err = g
        .task("t")
        .attach(x, access::COMPUTE_WRITE)
        .only_if(theirs.is(true))
        .record()
        .unwrap_err();
    assert!(
        matches!(&err, GraphError::UnknownCondition { user, .. } if user == "t"),
        "{err}"
    );
    assert_eq!(g.task_count(), 0, "nothing recorded");
    let err = g.scope_if("s", theirs.is(false), |_| ()).unwrap_err();
    assert!(
        matches!(&err, GraphError::UnknownCondition { user, .. } if user == "s"),
        "{err}"
    );
    let mut v = g.condition_values();
    assert!(matches!(
        v.set_all(&[true, false]),
        Err(GraphError::ConditionValues { .. })
    ));
    assert!(matches!(
        v.set(theirs, true),
        Err(GraphError::UnknownCondition { .. })
    ));
    v.set(mine, true).unwrap();
    let options = CompileOptions::default();
    let err = g
        .compile_for(&options, &other.condition_values())
        .unwrap_err();
    assert!(matches!(err, GraphError::ConditionValues { .. }), "{err}");
    g.condition("later").unwrap();
    let err = g.compile_for(&options, &v).unwrap_err();
    assert!(
        err.to_string()
            .contains("1 values for a graph of 2 conditions"),
        "{err}"
    );
    assert!(matches!(
        v.set_all(&[true, true]),
        Err(GraphError::ConditionValues { .. })
    ));
}

/// The accesses the property test records with.
const ACCESSES: [Access; 4] = [
    access::COMPUTE_READ,
    access::COMPUTE_WRITE,
    access::COMPUTE_READ_WRITE,
    access::TRANSFER_SRC,
];

/// One task of a random recording: attachments `(buffer, range, access)`, guards
/// `(condition, value)`, an `after` edge to an earlier task, a submit after it.
type Step = (
    Vec<(usize, u64, usize)>,
    Vec<(usize, bool)>,
    Option<usize>,
    bool,
);

/// Records `steps`, all of them with their guards, or (`values` given) only those whose
/// guards hold, without guards.
fn record(steps: &[Step], values: Option<&[bool]>) -> TaskGraph {
    let mut g: TaskGraph = TaskGraph::new();
    let buffers: Vec<_> = (0..3)
        .map(|i| {
            let desc = BufferDesc {
                size: 256,
                usage: vk::BufferUsageFlags::STORAGE_BUFFER | vk::BufferUsageFlags::TRANSFER_SRC,
            };
            if i == 2 {
                g.transient_buffer(&format!("b{i}"), desc).unwrap()
            } else {
                g.external_buffer(&format!("b{i}"), desc).unwrap()
            }
        })
        .collect();
    let conditions: Vec<_> = (0..3)
        .map(|i| g.condition(&format!("c{i}")).unwrap())
        .collect();
    let mut ids = Vec::new();
    for (t, (atts, guards, after, submit)) in steps.iter().enumerate() {
        let runs = values.is_none_or(|v| guards.iter().all(|&(c, want)| v[c] == want));
        if runs {
            let mut b = g.task(&format!("t{t}"));
            for &(buf, half, a) in atts {
                b = b.attach(buffers[buf].range(half * 128, 128), ACCESSES[a]);
            }
            if values.is_none() {
                for &(c, want) in guards {
                    b = b.only_if(conditions[c].is(want));
                }
            }
            if let Some(e) = after.and_then(|e| if e < t { ids[e] } else { None }) {
                b = b.after(e);
            }
            ids.push(Some(b.record().unwrap()));
        } else {
            ids.push(None);
        }
        if *submit {
            g.submit();
        }
    }
    g
}

fn step() -> impl Strategy<Value = Step> {
    (
        proptest::collection::vec((0usize..3, 0u64..2, 0usize..4), 1..3).prop_map(|mut v| {
            v.sort_unstable();
            v.dedup_by_key(|a| (a.0, a.1));
            v
        }),
        proptest::collection::vec((0usize..3, any::<bool>()), 0..3),
        proptest::option::of(0usize..12),
        proptest::bool::weighted(0.1),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn every_combination_plans_as_the_recording_without_the_other_tasks(
        steps in proptest::collection::vec(step(), 1..12),
        bits in proptest::collection::vec(any::<bool>(), 3),
    ) {
        let guarded = record(&steps, None);
        let without = record(&steps, Some(&bits));
        let options = CompileOptions::default();
        let mut values = guarded.condition_values();
        values.set_all(&bits).unwrap();
        let plan = guarded.compile_for(&options, &values).unwrap();
        let expected = without.compile(&options).unwrap();
        prop_assert_eq!(plan.describe(&guarded).unwrap(), expected.describe(&without).unwrap());
        prop_assert_eq!(plan.stats(), expected.stats());
        let names = |g: &TaskGraph, deps: Vec<weft_graph::Dependency>| -> Vec<(String, String)> {
            deps.iter().map(|d| (g.task_name(d.from).unwrap().to_owned(), g.task_name(d.to).unwrap().to_owned())).collect()
        };
        prop_assert_eq!(
            names(&guarded, plan.dependencies(&guarded).unwrap()),
            names(&without, expected.dependencies(&without).unwrap())
        );
    }
}

#[test]
fn an_attachment_a_skipped_task_would_overwrite_is_stored() {
    let mut g: TaskGraph = TaskGraph::new();
    let desc = BufferDesc {
        size: 256,
        usage: vk::BufferUsageFlags::STORAGE_BUFFER,
    };
    let t = g.transient_buffer("t", desc).unwrap();
    let overwrite = g.condition("overwrite").unwrap();
    g.task("a")
        .attach(t, access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("b")
        .attach(t, access::COMPUTE_WRITE)
        .only_if(overwrite.is(true))
        .record()
        .unwrap();
    g.task("c")
        .attach(t, access::COMPUTE_READ)
        .record()
        .unwrap();
    // Every task: b overwrites what a wrote before c reads it, so a need not store.
    assert!(!g.attachment_ops()[0].store);
    assert!(g.attachment_ops()[1].store);
    let on = values(&g, &[true]);
    assert!(!g.attachment_ops_for(Some(&on))[0].store);
    // Without b, c reads what a wrote: a must store it.
    let off = values(&g, &[false]);
    let ops = g.attachment_ops_for(Some(&off));
    assert!(ops[0].store);
    assert!(!ops[1].store && !ops[1].load, "b does not run");
}
