//! One GPU regression test for each class of missing synchronisation across executions
//! (the examples of the issue that reported them): the graphs run with 3 frames in flight
//! and no host waits, the executor captures what it records, and our judge must find no
//! hazard, with zero validation messages. The fragment- and compute-stage reads are
//! declared by tasks that record no command (the judge reads declared accesses; the
//! barriers the executor records for them are real); fills, clears and copies are real.

use std::sync::Arc;

use support::judged::{add_buffer, add_image, judge_events};
use support::{assert_no_messages, context, record_empty_task};
use weft::prelude::*;
use weft::runtime::{Buffer, Context, Executor, Graph, Image, MemoryLocation};
use weft_judge::Judge;

mod support;

/// Storage, copied from and to.
const BUFFER_USAGE: vk::BufferUsageFlags = support::STORAGE_TRANSFER;

fn device_buffer(ctx: &Arc<Context>, name: &str) -> Arc<Buffer> {
    support::buffer(ctx, name, 256, BUFFER_USAGE, MemoryLocation::GpuOnly)
}

fn image(ctx: &Arc<Context>) -> Arc<Image> {
    let usage = vk::ImageUsageFlags::SAMPLED
        | vk::ImageUsageFlags::COLOR_ATTACHMENT
        | vk::ImageUsageFlags::TRANSFER_DST;
    let desc = support::uint_image_desc(8, 1, 1, usage);
    Arc::new(Image::new(ctx, "A", &desc).unwrap())
}

/// Executes `graphs` in order with 3 frames in flight, capturing, and judges the capture.
fn run_judged(
    ctx: &Arc<Context>,
    graphs: &mut [Graph],
    buffers: &[&Arc<Buffer>],
    images: &[&Arc<Image>],
) {
    let mut executor = Executor::with_frames_in_flight(ctx, 3).unwrap();
    executor.capture_commands(true);
    for g in graphs.iter_mut() {
        executor.execute(g, &mut ()).unwrap();
    }
    executor.wait_idle().unwrap();
    let mut judge = Judge::new();
    for buffer in buffers {
        add_buffer(&mut judge, buffer);
    }
    for (i, image) in images.iter().enumerate() {
        add_image(&mut judge, image, &format!("image{i}"));
    }
    let found = judge_events(&mut judge, &executor.take_captured());
    assert!(found.is_empty(), "{found:#?}");
    assert_no_messages(ctx);
}

#[test]
fn class_1_a_read_of_one_buffer_range_does_not_stand_for_another() {
    let ctx = context();
    let (a, b) = (device_buffer(&ctx, "a"), device_buffer(&ctx, "b"));
    let mut one = Graph::new();
    let (va, vb) = (
        one.import_buffer("a", &a).unwrap(),
        one.import_buffer("b", &b).unwrap(),
    );
    one.fill("fill A", va.range(0, 64), 7).unwrap();
    record_empty_task(
        &mut one,
        "draw reads A",
        va.range(0, 64),
        access::FRAGMENT_READ,
    );
    one.copy_buffer("copy reads B", va.range(64, 64), vb.range(0, 64))
        .unwrap();
    let mut two = Graph::new();
    let (va, vb) = (
        two.import_buffer("a", &a).unwrap(),
        two.import_buffer("b", &b).unwrap(),
    );
    two.copy_buffer("copy from A", va.range(0, 64), vb.range(64, 64))
        .unwrap();
    run_judged(&ctx, &mut [one, two], &[&a, &b], &[]);
}

#[test]
fn class_2_a_later_write_waits_for_an_earlier_executions_reads() {
    let ctx = context();
    let a = image(&ctx);
    let mut write = Graph::new();
    let v = write.import_image("A", &a).unwrap();
    write.clear_color("write A", v, [1u32, 0, 0, 0]).unwrap();
    let mut sample = Graph::new();
    let v = sample.import_image("A", &a).unwrap();
    record_empty_task(&mut sample, "draw samples A", v, access::FRAGMENT_SAMPLED);
    let mut then_render = Graph::new();
    let v = then_render.import_image("A", &a).unwrap();
    record_empty_task(
        &mut then_render,
        "compute samples A",
        v,
        access::COMPUTE_SAMPLED,
    );
    record_empty_task(&mut then_render, "render into A", v, access::COLOR_WRITE);
    run_judged(&ctx, &mut [write, sample, then_render], &[], &[&a]);
    // The same with a buffer: fragment read, compute read, then a fill.
    let b = device_buffer(&ctx, "b");
    let mut fill = Graph::new();
    let v = fill.import_buffer("b", &b).unwrap();
    fill.fill("first fill", v.whole(), 1).unwrap();
    let mut read = Graph::new();
    let v = read.import_buffer("b", &b).unwrap();
    record_empty_task(&mut read, "draw reads", v, access::FRAGMENT_READ);
    let mut then_fill = Graph::new();
    let v = then_fill.import_buffer("b", &b).unwrap();
    record_empty_task(&mut then_fill, "compute reads", v, access::COMPUTE_READ);
    then_fill.fill("fill", v.whole(), 2).unwrap();
    run_judged(&ctx, &mut [fill, read, then_fill], &[&b], &[]);
}

#[test]
fn class_3_a_bridges_layout_transition_is_remembered_as_a_write() {
    let ctx = context();
    let a = image(&ctx);
    let mut write = Graph::new();
    let v = write.import_image("A", &a).unwrap();
    write.clear_color("write A", v, [1u32, 0, 0, 0]).unwrap();
    let mut draw = Graph::new();
    let v = draw.import_image("A", &a).unwrap();
    record_empty_task(&mut draw, "draw samples A", v, access::FRAGMENT_SAMPLED);
    let mut compute = Graph::new();
    let v = compute.import_image("A", &a).unwrap();
    record_empty_task(
        &mut compute,
        "compute samples A",
        v,
        access::COMPUTE_SAMPLED,
    );
    run_judged(&ctx, &mut [write, draw, compute], &[], &[&a]);
}
