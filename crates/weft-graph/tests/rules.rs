//! One test per scheduling and barrier rule, including the examples from Daxa's TaskGraph
//! documentation.

mod common;

use ash::vk;
use common::{compile, record, record_all, swapchain};
use weft_graph::access::{self, *};
use weft_graph::{
    Access, AccessKind, AccessUsage, BufferDesc, CompileOptions, Hazard, ImageDesc, Plan,
    Subresources, TaskBuffer, TaskGraph, TaskImage, View,
};

type Stage = vk::PipelineStageFlags2;
type Acc = vk::AccessFlags2;

fn buffer(g: &mut TaskGraph, name: &str) -> TaskBuffer {
    g.external_buffer(
        name,
        BufferDesc {
            size: 256,
            usage: vk::BufferUsageFlags::STORAGE_BUFFER
                | vk::BufferUsageFlags::TRANSFER_DST
                | vk::BufferUsageFlags::TRANSFER_SRC,
        },
    )
    .unwrap()
}

fn image_usage() -> vk::ImageUsageFlags {
    vk::ImageUsageFlags::STORAGE
        | vk::ImageUsageFlags::SAMPLED
        | vk::ImageUsageFlags::COLOR_ATTACHMENT
        | vk::ImageUsageFlags::TRANSFER_DST
}

fn image(g: &mut TaskGraph, name: &str, mips: u32, layers: u32) -> TaskImage {
    g.transient_image(
        name,
        ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 64, 64, image_usage())
            .with_mips(mips)
            .with_layers(layers),
    )
    .unwrap()
}

fn batches(plan: &Plan, g: &TaskGraph) -> Vec<Vec<String>> {
    (0..plan.batch_count())
        .map(|b| {
            plan.batch(b)
                .iter()
                .map(|&t| g.task_name(t).unwrap().to_owned())
                .collect()
        })
        .collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn daxa_chain_of_three_takes_three_batches() {
    // A(write I0) B(read I0, write I1) C(read I1)
    let mut g = TaskGraph::new();
    let i0 = image(&mut g, "I0", 1, 1);
    let i1 = image(&mut g, "I1", 1, 1);
    record(&mut g, "A", i0, COMPUTE_WRITE);
    record_all(&mut g, "B", &[(i0, COMPUTE_READ), (i1, COMPUTE_WRITE)]);
    record(&mut g, "C", i1, COMPUTE_READ);
    let plan = compile(&g);
    assert_eq!(
        batches(&plan, &g),
        vec![names(&["A"]), names(&["B"]), names(&["C"])]
    );
}

#[test]
fn daxa_independent_chains_share_batches() {
    // A(write I0) B(read I0, write I1) C(write I2) D(read I2) -> {A, C} {B, D}
    let mut g = TaskGraph::new();
    let i0 = image(&mut g, "I0", 1, 1);
    let i1 = image(&mut g, "I1", 1, 1);
    let i2 = image(&mut g, "I2", 1, 1);
    record(&mut g, "A", i0, COMPUTE_WRITE);
    record_all(&mut g, "B", &[(i0, COMPUTE_READ), (i1, COMPUTE_WRITE)]);
    record(&mut g, "C", i2, COMPUTE_WRITE);
    record(&mut g, "D", i2, COMPUTE_READ);
    let plan = compile(&g);
    assert_eq!(
        batches(&plan, &g),
        vec![names(&["A", "C"]), names(&["B", "D"])]
    );
}

#[test]
fn daxa_concurrent_writes_share_a_batch() {
    // A(write X) B(concurrent write X) C(concurrent write X) D(write X) -> A | B C | D
    let mut g = TaskGraph::new();
    let x = buffer(&mut g, "X");
    record(&mut g, "A", x, COMPUTE_WRITE);
    record(&mut g, "B", x, COMPUTE_CONCURRENT_WRITE);
    record(&mut g, "C", x, COMPUTE_CONCURRENT_WRITE);
    record(&mut g, "D", x, COMPUTE_WRITE);
    let plan = compile(&g);
    assert_eq!(
        batches(&plan, &g),
        vec![names(&["A"]), names(&["B", "C"]), names(&["D"])]
    );
    // Each boundary has one memory barrier (write -> write), nothing more.
    for b in 1..3 {
        let set = plan.barriers_before(b);
        assert_eq!(set.memory.len(), 1, "boundary {b}");
        assert!(set.image.is_empty());
        assert_eq!(
            set.memory[0].src_access,
            vk::AccessFlags2::SHADER_STORAGE_WRITE
        );
    }
}

#[test]
fn writes_to_different_mips_share_a_batch() {
    let mut g = TaskGraph::new();
    let img = image(&mut g, "img", 3, 1);
    record(&mut g, "mip0", img.mip(0), COMPUTE_WRITE);
    record(&mut g, "mip1", img.mip(1), COMPUTE_WRITE);
    record(&mut g, "mip2", img.mip(2), COMPUTE_WRITE);
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 1);
    // The first uses of the transient image: one merged UNDEFINED -> GENERAL barrier.
    let set = plan.barriers_before(0);
    assert_eq!(set.image.len(), 1);
    assert_eq!(set.image[0].range.mip_count, 3);
    assert_eq!(set.image[0].old_layout, vk::ImageLayout::UNDEFINED);
}

#[test]
fn barriers_merge_per_image_among_barriers_of_other_images() {
    // Boundaries with barriers of three images: two tasks write the two mips of `a` (two
    // barriers that merge into one), `b` and `c` have one barrier each, recorded between.
    let mut g = TaskGraph::new();
    let b = image(&mut g, "b", 1, 1);
    let a = image(&mut g, "a", 2, 1);
    let c = image(&mut g, "c", 1, 1);
    record(&mut g, "write b", b, COMPUTE_WRITE);
    record(&mut g, "a mip1", a.mip(1), COMPUTE_WRITE);
    record(&mut g, "write c", c, COMPUTE_WRITE);
    record(&mut g, "a mip0", a.mip(0), COMPUTE_WRITE);
    record_all(
        &mut g,
        "sample all",
        &[
            (b, COMPUTE_SAMPLED),
            (a, COMPUTE_SAMPLED),
            (c, COMPUTE_SAMPLED),
        ],
    );
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    for boundary in 0..2 {
        let set = plan.barriers_before(boundary);
        assert_eq!(set.image.len(), 3, "boundary {boundary}: {:?}", set.image);
        let of_a: Vec<_> = set.image.iter().filter(|x| x.image == a.index()).collect();
        assert_eq!(of_a.len(), 1, "boundary {boundary}");
        assert_eq!((of_a[0].range.base_mip, of_a[0].range.mip_count), (0, 2));
    }
}

#[test]
fn writes_to_disjoint_byte_ranges_share_a_batch() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    record(&mut g, "lo", b.range(0, 128), COMPUTE_WRITE);
    record(&mut g, "hi", b.range(128, 128), COMPUTE_WRITE);
    record(&mut g, "all", b, COMPUTE_READ);
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    // Both ranges need the same dependency: deduplicated into one barrier.
    assert_eq!(plan.barriers_before(1).memory.len(), 1);
}

#[test]
fn read_after_write_is_a_memory_barrier() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    record(&mut g, "w", b, COMPUTE_WRITE);
    record(&mut g, "r", b, FRAGMENT_READ);
    let plan = compile(&g);
    let m = plan.barriers_before(1).memory[0];
    let stages = (Stage::COMPUTE_SHADER, Stage::FRAGMENT_SHADER);
    assert_eq!((m.src_stages, m.dst_stages), stages);
    let access = (Acc::SHADER_STORAGE_WRITE, Acc::SHADER_STORAGE_READ);
    assert_eq!((m.src_access, m.dst_access), access);
}

#[test]
fn write_after_read_makes_nothing_available() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    record(&mut g, "r", b, COMPUTE_READ);
    record(&mut g, "w", b, TRANSFER_DST);
    let plan = compile(&g);
    let set = plan.barriers_before(1);
    assert_eq!(set.memory.len(), 1);
    let m = set.memory[0];
    assert_eq!(m.src_stages, vk::PipelineStageFlags2::COMPUTE_SHADER);
    assert_eq!(m.dst_stages, vk::PipelineStageFlags2::COPY);
    // Nothing to make available; an earlier write (from before the graph) is made visible
    // to the write, which the write-after-write rule asks for.
    assert!(m.src_access.is_empty());
    assert_eq!(m.dst_access, vk::AccessFlags2::TRANSFER_WRITE);
    let dep = plan.dependencies(&g).unwrap();
    assert_eq!(dep.len(), 1);
    assert_eq!(dep[0].hazard, Hazard::WriteAfterRead);
}

#[test]
fn reads_with_one_layout_share_a_group_and_need_nothing() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    let img = image(&mut g, "img", 1, 1);
    record(&mut g, "w", img, COMPUTE_WRITE);
    for i in 0..4 {
        record_all(
            &mut g,
            &format!("r{i}"),
            &[
                (View::from(b), COMPUTE_READ),
                (View::from(img), COMPUTE_READ),
            ],
        );
    }
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    assert_eq!(plan.batch(1).len(), 4);
    // Only the write -> read barrier; reads of b never need one.
    assert_eq!(plan.stats().memory_barriers, 1);
    assert_eq!(plan.barriers_before(1).memory.len(), 1);
}

#[test]
fn reads_in_different_layouts_are_ordered_by_a_layout_transition() {
    let mut g = TaskGraph::new();
    let img = image(&mut g, "img", 1, 1);
    record(&mut g, "w", img, COMPUTE_WRITE);
    record(&mut g, "storage read", img, COMPUTE_READ);
    record(&mut g, "sampled", img, FRAGMENT_SAMPLED);
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 3);
    let set = plan.barriers_before(2);
    assert!(set.memory.is_empty());
    assert_eq!(set.image.len(), 1);
    let i = set.image[0];
    assert_eq!(i.old_layout, vk::ImageLayout::GENERAL);
    assert_eq!(i.new_layout, vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL);
    // After reads only: no writes to make available.
    assert!(i.src_access.is_empty());
    assert_eq!(i.src_stages, vk::PipelineStageFlags2::COMPUTE_SHADER);
    assert_eq!(
        plan.dependencies(&g).unwrap()[1].hazard,
        Hazard::LayoutChange
    );
}

#[test]
fn same_layout_image_dependency_uses_a_global_barrier() {
    let mut g = TaskGraph::new();
    let img = image(&mut g, "img", 1, 1);
    record(&mut g, "w", img, COMPUTE_WRITE);
    record(&mut g, "r", img, COMPUTE_READ);
    let plan = compile(&g);
    let set = plan.barriers_before(1);
    assert_eq!(set.memory.len(), 1);
    assert!(set.image.is_empty());
}

#[test]
fn one_call_per_boundary_without_or_ing_unrelated_dependencies() {
    let mut g = TaskGraph::new();
    let a = buffer(&mut g, "a");
    let b = buffer(&mut g, "b");
    record(&mut g, "wa", a, COMPUTE_WRITE);
    record(&mut g, "wb", b, TRANSFER_DST);
    record(&mut g, "ra", a, COMPUTE_READ);
    record(&mut g, "rb", b, FRAGMENT_READ);
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    let set = plan.barriers_before(1);
    // Two different dependencies stay two barriers in one call: compute->compute and
    // copy->fragment, not an over-wide compute|copy -> compute|fragment.
    assert_eq!(set.memory.len(), 2);
    assert_eq!(plan.stats().barrier_calls, 1);
    for m in set.memory {
        assert_eq!(m.src_stages.as_raw().count_ones(), 1);
        assert_eq!(m.dst_stages.as_raw().count_ones(), 1);
    }
}

#[test]
fn a_covered_barrier_is_dropped() {
    let mut g = TaskGraph::new();
    let a = buffer(&mut g, "a");
    let b = buffer(&mut g, "b");
    record_all(&mut g, "w", &[(a, COMPUTE_WRITE), (b, COMPUTE_WRITE)]);
    record_all(&mut g, "r", &[(a, COMPUTE_READ), (b, COMPUTE_READ_WRITE)]);
    let plan = compile(&g);
    // a needs write -> read, b needs write -> read|write: the second covers the first.
    let set = plan.barriers_before(1);
    assert_eq!(set.memory.len(), 1);
    assert_eq!(
        set.memory[0].dst_access,
        vk::AccessFlags2::SHADER_STORAGE_READ | vk::AccessFlags2::SHADER_STORAGE_WRITE
    );
}

#[test]
fn partial_overlap_depends_only_on_overlapping_writers() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    let lo = record(&mut g, "lo", b.range(0, 64), COMPUTE_WRITE);
    let _hi = record(&mut g, "hi", b.range(64, 64), COMPUTE_WRITE);
    let r = record(&mut g, "r", b.range(32, 16), COMPUTE_READ);
    let plan = compile(&g);
    let deps = plan.dependencies(&g).unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!((deps[0].from, deps[0].to), (lo.index(), r.index()));
}

#[test]
fn joining_a_read_group_on_part_of_its_range_does_not_widen_dependencies() {
    // w writes [0,128); r1 reads all; r2 reads [0,64); then v writes [64,128): v must wait
    // for r1 only (not r2), and x writing [0,64) waits for r1 and r2.
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    record(&mut g, "w", b.range(0, 128), COMPUTE_WRITE);
    let r1 = record(&mut g, "r1", b.range(0, 128), COMPUTE_READ);
    let r2 = record(&mut g, "r2", b.range(0, 64), COMPUTE_READ);
    let v = record(&mut g, "v", b.range(64, 64), COMPUTE_WRITE);
    let x = record(&mut g, "x", b.range(0, 64), COMPUTE_WRITE);
    let plan = compile(&g);
    let deps = plan.dependencies(&g).unwrap();
    let into = |t: u32| {
        let mut v: Vec<u32> = deps.iter().filter(|d| d.to == t).map(|d| d.from).collect();
        v.sort();
        v
    };
    assert_eq!(into(v.index()), vec![r1.index()]);
    assert_eq!(into(x.index()), vec![r1.index(), r2.index()]);
}

#[test]
fn explicit_edges_order_unrelated_tasks() {
    let mut g = TaskGraph::new();
    let a = buffer(&mut g, "a");
    let b = buffer(&mut g, "b");
    let first = record(&mut g, "first", a, COMPUTE_WRITE);
    let second = g
        .task("second")
        .attach(b, COMPUTE_WRITE)
        .after(first)
        .record()
        .unwrap();
    let third = record(&mut g, "third", b.range(0, 4), TRANSFER_SRC);
    g.after(third, first).unwrap();
    let plan = compile(&g);
    assert_eq!(plan.task_batch(second.index()), Some(1));
    assert_eq!(plan.task_batch(third.index()), Some(2));
    // No resource conflict between first and second: no barrier for the explicit edge.
    assert!(plan.barriers_before(1).is_empty());
    assert!(plan
        .dependencies(&g)
        .unwrap()
        .iter()
        .any(|d| d.hazard == Hazard::Explicit && d.to == second.index()));
}

#[test]
fn submits_split_the_batches() {
    let mut g = TaskGraph::new();
    let a = buffer(&mut g, "a");
    let b = buffer(&mut g, "b");
    record(&mut g, "one", a, COMPUTE_WRITE);
    g.submit();
    record(&mut g, "two", b, COMPUTE_WRITE);
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    assert_eq!(plan.submit_batches(), &[1]);
    assert_eq!(plan.stats().submits, 2);
}

#[test]
fn external_resources_report_first_and_last_use() {
    let mut g = TaskGraph::new();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let img = g
        .external_image(
            "history",
            ImageDesc::new_2d(vk::Format::R16G16B16A16_SFLOAT, 32, 32, usage).with_mips(2),
        )
        .unwrap();
    record(&mut g, "sample", img.mip(0), FRAGMENT_SAMPLED);
    record(&mut g, "write", img, COMPUTE_WRITE);
    let plan = compile(&g);
    // The first uses differ per mip: mip 0 sampled, mip 1 written.
    let first = plan.first_uses();
    assert_eq!(first.len(), 2);
    let mip0 = first
        .iter()
        .find(|u| matches!(u.subresources, Subresources::Image(r) if r.base_mip == 0))
        .unwrap();
    assert_eq!(mip0.layout, vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL);
    assert_eq!(mip0.batch, 0);
    let mip1 = first
        .iter()
        .find(|u| matches!(u.subresources, Subresources::Image(r) if r.base_mip == 1))
        .unwrap();
    assert_eq!(mip1.layout, vk::ImageLayout::GENERAL);
    assert_eq!(mip1.batch, 1);
    // Both mips end written in GENERAL: one merged last use.
    let last = plan.last_uses();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].layout, vk::ImageLayout::GENERAL);
    assert_eq!(last[0].access, vk::AccessFlags2::SHADER_STORAGE_WRITE);
    // No image barrier for external first uses; the runtime bridges them.
    assert!(plan.barriers_before(0).image.is_empty());
}

#[test]
fn present_moves_the_image_to_present_layout_after_the_last_batch() {
    let mut g = TaskGraph::new();
    let swap = swapchain(&mut g);
    record(&mut g, "draw", swap, COLOR_WRITE);
    g.present(swap).unwrap();
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 1);
    let trailing = plan.barriers_before(1);
    assert_eq!(trailing.image.len(), 1);
    let i = trailing.image[0];
    assert_eq!(i.old_layout, vk::ImageLayout::COLOR_ATTACHMENT_OPTIMAL);
    assert_eq!(i.new_layout, vk::ImageLayout::PRESENT_SRC_KHR);
    assert_eq!(i.src_access, vk::AccessFlags2::COLOR_ATTACHMENT_WRITE);
    assert_eq!(plan.last_uses()[0].layout, vk::ImageLayout::PRESENT_SRC_KHR);
    assert_eq!(plan.presents(), &[swap.index()]);
}

#[test]
fn partial_layers_give_narrow_image_barriers() {
    let mut g = TaskGraph::new();
    let img = image(&mut g, "array", 1, 4);
    record(&mut g, "w", img.whole().layer(2), COMPUTE_WRITE);
    record(&mut g, "s", img.whole().layer(2), FRAGMENT_SAMPLED);
    let plan = compile(&g);
    let i = plan.barriers_before(1).image[0];
    assert_eq!((i.range.base_layer, i.range.layer_count), (2, 1));
}

#[test]
fn sequential_mode_puts_every_task_in_order_with_full_barriers() {
    let mut g = TaskGraph::new();
    let a = buffer(&mut g, "a");
    let b = buffer(&mut g, "b");
    record(&mut g, "one", a, COMPUTE_WRITE);
    record(&mut g, "two", b, COMPUTE_WRITE);
    record(&mut g, "three", a, COMPUTE_READ);
    let plan = g
        .compile(&CompileOptions {
            sequential: true,
            ..Default::default()
        })
        .unwrap();
    assert!(plan.is_sequential());
    assert_eq!(plan.batch_count(), 3);
    assert_eq!(plan.task_order(), &[0, 1, 2]);
    assert_eq!(plan.stats().dag_depth, 2);
    for b in 1..3 {
        let set = plan.barriers_before(b);
        assert_eq!(set.memory.len(), 1);
        assert_eq!(
            set.memory[0].src_stages,
            vk::PipelineStageFlags2::ALL_COMMANDS
        );
    }
}

#[test]
fn bloom_chain_mips() {
    // Downsample mip i -> i+1, then upsample back: a chain whose depth is the mip count.
    let mut g = TaskGraph::new();
    let img = image(&mut g, "bloom", 5, 1);
    record(&mut g, "fill", img.mip(0), COMPUTE_WRITE);
    for m in 0..4 {
        record_all(
            &mut g,
            &format!("down{m}"),
            &[
                (img.mip(m), COMPUTE_SAMPLED),
                (img.mip(m + 1), COMPUTE_WRITE),
            ],
        );
    }
    for m in (0..4).rev() {
        record_all(
            &mut g,
            &format!("up{m}"),
            &[
                (img.mip(m + 1), COMPUTE_SAMPLED),
                (img.mip(m), COMPUTE_READ_WRITE),
            ],
        );
    }
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 9);
    assert_eq!(plan.stats().dag_depth, 9);
    // Every boundary: one image barrier (GENERAL -> SHADER_READ_ONLY for the mip that is
    // read next); at most one extra (its neighbour going back to GENERAL).
    for b in 1..9 {
        let set = plan.barriers_before(b);
        assert!(!set.is_empty(), "boundary {b}");
        assert!(set.image.len() <= 2, "boundary {b}");
    }
    let text = plan.describe(&g).unwrap();
    assert!(text.contains("batch 8"));
    let dot = plan.to_dot(&g).unwrap();
    assert!(dot.contains("cluster_batch_8") && dot.contains("bloom RAW"));
}

#[test]
fn custom_access_works_like_the_constants() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "b");
    let custom = Access::new(
        vk::PipelineStageFlags2::VERTEX_SHADER | vk::PipelineStageFlags2::FRAGMENT_SHADER,
        AccessKind::Read,
        AccessUsage::Storage,
    );
    record(&mut g, "w", b, access::CLEAR_DST);
    record(&mut g, "r", b, custom);
    let plan = compile(&g);
    let m = plan.barriers_before(1).memory[0];
    assert_eq!(m.src_stages, vk::PipelineStageFlags2::CLEAR);
    assert_eq!(m.dst_stages, custom.stages);
}

#[test]
fn describe_and_dot_name_tasks_resources_and_hazards() {
    let mut g = TaskGraph::new();
    let b = buffer(&mut g, "particles");
    record(&mut g, "simulate", b, COMPUTE_WRITE);
    record(&mut g, "draw", b, VERTEX_SHADER_READ);
    let plan = compile(&g);
    let text = plan.describe(&g).unwrap();
    assert!(text.contains("task `simulate`") && text.contains("task `draw`"));
    assert!(text.contains("particles"));
    assert!(text.contains("COMPUTE_SHADER"));
    let dot = plan.to_dot(&g).unwrap();
    assert!(dot.contains("t0 -> t1 [label=\"particles RAW\"]"));
    let other: TaskGraph = TaskGraph::new();
    assert!(plan.describe(&other).is_err());
}
