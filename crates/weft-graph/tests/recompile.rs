//! Compiling a graph again reuses its working memory; the plans must be those of a fresh
//! graph, also after the graph grew (more resources, tasks and fragmented views) between
//! the compiles.

use ash::vk;
use weft_graph::access;
use weft_graph::{BufferDesc, CompileOptions, ImageDesc, TaskBuffer, TaskGraph, TaskImage};

fn buffer(g: &mut TaskGraph, name: &str) -> TaskBuffer {
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
    g.transient_buffer(name, BufferDesc { size: 1024, usage })
        .unwrap()
}

fn image(g: &mut TaskGraph, name: &str) -> TaskImage {
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 64, 64, usage)
        .with_mips(3)
        .with_layers(2);
    g.external_image(name, desc).unwrap()
}

/// The first part of the recording: a few tasks over halves and mips.
fn record_first(g: &mut TaskGraph) -> (TaskBuffer, TaskImage) {
    let b = buffer(g, "b");
    let i = image(g, "i");
    g.task("write halves")
        .attach(b.range(0, 512), access::COMPUTE_WRITE)
        .attach(i.mip(0), access::COMPUTE_WRITE)
        .record()
        .unwrap();
    g.task("read all")
        .attach(b.whole(), access::COMPUTE_READ)
        .attach(i.mip(0), access::COMPUTE_SAMPLED)
        .record()
        .unwrap();
    (b, i)
}

/// The second part: a new buffer and image, finer views of the old ones.
fn record_second(g: &mut TaskGraph, b: TaskBuffer, i: TaskImage) {
    let c = buffer(g, "c");
    let j = image(g, "j");
    for q in 0..4u64 {
        g.task(&format!("quarter {q}"))
            .attach(b.range(q * 256, 256), access::COMPUTE_READ_WRITE)
            .attach(c.range(q * 256, 256), access::COMPUTE_WRITE)
            .record()
            .unwrap();
    }
    g.task("layers")
        .attach(i.mip(1).layer(1), access::COMPUTE_WRITE)
        .attach(j.whole(), access::COMPUTE_CONCURRENT_WRITE)
        .record()
        .unwrap();
    g.task("gather")
        .attach(c.whole(), access::COMPUTE_READ)
        .attach(i.whole(), access::COMPUTE_SAMPLED)
        .attach(j.mip(2), access::COMPUTE_SAMPLED)
        .record()
        .unwrap();
}

fn describe(g: &TaskGraph, sequential: bool) -> String {
    let plan = g
        .compile(&CompileOptions {
            sequential,
            ..Default::default()
        })
        .unwrap();
    plan.describe(g).unwrap()
}

#[test]
fn a_graph_that_grew_compiles_like_a_fresh_one() {
    let mut grown = TaskGraph::new();
    let (b, i) = record_first(&mut grown);
    // Compile the smaller graph in both modes, so its scratch holds fragmented maps.
    let small = describe(&grown, false);
    assert!(small.contains("write halves"));
    describe(&grown, true);
    record_second(&mut grown, b, i);

    let mut fresh = TaskGraph::new();
    let (b, i) = record_first(&mut fresh);
    record_second(&mut fresh, b, i);

    for sequential in [false, true, false] {
        assert_eq!(
            describe(&grown, sequential),
            describe(&fresh, sequential),
            "sequential: {sequential}"
        );
    }
}

#[test]
fn releasing_the_kept_memory_changes_no_plan() {
    let mut g = TaskGraph::new();
    let (b, i) = record_first(&mut g);
    record_second(&mut g, b, i);
    let kept = describe(&g, false);
    g.release_compile_memory();
    assert_eq!(describe(&g, false), kept);
    // Releasing twice, or with nothing kept, is fine too.
    g.release_compile_memory();
    g.release_compile_memory();
    assert_eq!(describe(&g, false), kept);
}
