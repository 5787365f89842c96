//! GPU tests of the executor with transfer tasks (fill and copy) over buffers, on any
//! Vulkan 1.3 device (lavapipe in CI), with validation and synchronization validation on:
//! every test fails on any validation message. Without a device they fail, saying how to
//! install lavapipe.

mod support;

use std::sync::Arc;

use support::{assert_no_messages, context, copy_buffer, words, Rng};
use weft::prelude::*;
use weft::runtime::{Buffer, Context, ContextOptions, Executor, Graph, VkError};

const USAGE: vk::BufferUsageFlags = vk::BufferUsageFlags::from_raw(
    vk::BufferUsageFlags::TRANSFER_SRC.as_raw() | vk::BufferUsageFlags::TRANSFER_DST.as_raw(),
);

fn host_buffer(ctx: &Arc<Context>, name: &str, size: u64) -> Arc<Buffer> {
    support::host_buffer(ctx, name, size, USAGE)
}

/// The description of a transfer buffer of `size` bytes.
fn desc(size: u64) -> BufferDesc {
    BufferDesc { size, usage: USAGE }
}

/// The host buffers "a" and "b" of `size` bytes, imported into a new graph: the real
/// buffers, the graph and the task buffers.
fn a_and_b(ctx: &Arc<Context>, size: u64) -> ([Arc<Buffer>; 2], Graph, [TaskBuffer; 2]) {
    let reals = [host_buffer(ctx, "a", size), host_buffer(ctx, "b", size)];
    let mut g = Graph::new();
    let tasks = support::import_buffers(&mut g, [("a", &reals[0]), ("b", &reals[1])]);
    (reals, g, tasks)
}

/// Checks `result` is a `VkError::DoesNotFit` for a resource of `kind` (buffer, image),
/// whose message mentions `mention`.
fn assert_does_not_fit(result: Result<(), VkError>, kind: &str, mention: &str) {
    let e = result.unwrap_err();
    assert!(
        matches!(e, VkError::DoesNotFit { kind: k, .. } if k == kind),
        "{e}"
    );
    assert!(e.to_string().contains(mention), "{e}");
}

/// Records a fill of `view` (offset and size multiples of 4) with `value`.
fn fill(graph: &mut Graph, name: &str, buffer: TaskBuffer, offset: u64, size: u64, value: u32) {
    graph
        .task(name)
        .attach(buffer.range(offset, size), access::CLEAR_DST)
        .run(move |cx| {
            let real = cx.buffer(buffer)?;
            // SAFETY: the command buffer is recording; the range lies inside the buffer
            // (the graph checked the view) and the plan synchronises it.
            unsafe {
                cx.device()
                    .cmd_fill_buffer(cx.cmd(), real, offset, size, value)
            };
            Ok(())
        })
        .record()
        .unwrap();
}

#[test]
fn fills_and_copies_give_the_cpu_result_without_validation_messages() {
    let ctx = context();
    let ([_, b_real], mut g, [a, b]) = a_and_b(&ctx, 256);
    let t = g.transient_buffer("t", desc(256)).unwrap();
    fill(&mut g, "fill a low", a, 0, 128, 1);
    fill(&mut g, "fill a high", a, 128, 128, 2);
    fill(&mut g, "fill t", t, 0, 256, 9);
    copy_buffer(&mut g, "a -> t", a, 64, t, 0, 128);
    copy_buffer(&mut g, "t -> b", t, 0, b, 0, 256);
    fill(&mut g, "patch b", b, 252, 4, 7);
    let batches = g.plan().unwrap().batch_count();
    assert_eq!(batches, 4, "{}", g.describe().unwrap());
    let mut executor = Executor::new(&ctx).unwrap();
    executor.execute(&mut g, &mut ()).unwrap();
    let b_words = words(&b_real.mapped().unwrap());
    let mut expected = vec![1u32; 16];
    expected.extend([2u32; 16]);
    expected.extend([9u32; 31]);
    expected.push(7);
    assert_eq!(b_words, expected);
    assert_no_messages(&ctx);
}

#[test]
fn a_dropped_barrier_is_caught_by_synchronization_validation() {
    let ctx = context();
    let (_, mut g, [a, b]) = a_and_b(&ctx, 64);
    fill(&mut g, "fill", a, 0, 64, 5);
    copy_buffer(&mut g, "copy", a, 0, b, 0, 64);
    // The control: the intact plan is clean.
    let mut executor = Executor::new(&ctx).unwrap();
    executor.execute(&mut g, &mut ()).unwrap();
    assert_no_messages(&ctx);
    // The fault: without the fill -> copy barrier the copy reads a write it is not ordered
    // after. Only synchronization validation can see it (the result may still be right).
    // The graph keeps its (still current) plan, so the next execution runs the faulty one.
    assert_eq!(g.plan_mut().unwrap().drop_memory_barriers_before(1), 1);
    executor.execute(&mut g, &mut ()).unwrap();
    let log = ctx.validation_log().join("\n");
    assert!(
        ctx.validation_messages() > 0,
        "no message for a missing barrier"
    );
    // The 1.3 layer names the hazard `SYNC-HAZARD-READ-AFTER-WRITE`, the 1.4 layer
    // `READ_AFTER_WRITE hazard detected`.
    assert!(
        log.contains("SYNC-HAZARD-READ-AFTER-WRITE") || log.contains("READ_AFTER_WRITE hazard"),
        "{log}"
    );
}

#[test]
fn one_plan_runs_120_times_with_external_buffers_swapped() {
    let ctx = context();
    let sources = [
        host_buffer(&ctx, "src0", 128),
        host_buffer(&ctx, "src1", 128),
    ];
    let targets = [
        host_buffer(&ctx, "dst0", 128),
        host_buffer(&ctx, "dst1", 128),
        host_buffer(&ctx, "dst2", 128),
    ];
    let mut g: Graph<u32> = Graph::new();
    let src = g.external_buffer("src", desc(128)).unwrap();
    let dst = g.external_buffer("dst", desc(128)).unwrap();
    support::fill_with_frame(&mut g, "stamp", src, 128);
    copy_buffer(&mut g, "copy", src, 0, dst, 0, 128);
    let mut executor = Executor::new(&ctx).unwrap();
    for mut frame in 0..120u32 {
        let (s, d) = (&sources[frame as usize % 2], &targets[frame as usize % 3]);
        // Rebinding needs no recompile: the graph keeps one plan.
        g.bind_buffer(src, s).unwrap();
        g.bind_buffer(dst, d).unwrap();
        executor.execute(&mut g, &mut frame).unwrap();
        assert!(words(&d.mapped().unwrap()).iter().all(|&w| w == frame));
    }
    assert_no_messages(&ctx);
}

#[test]
fn random_transfer_graphs_match_a_cpu_evaluation() {
    const BUFFERS: usize = 8;
    const WORDS: u64 = 32;
    let ctx = context();
    let reals: Vec<Arc<Buffer>> = (0..BUFFERS)
        .map(|i| host_buffer(&ctx, &format!("real{i}"), WORDS * 4))
        .collect();
    let mut executor = Executor::new(&ctx).unwrap();
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let mut batches_seen = 0;
    for graph_index in 0..200u32 {
        let mut g: Graph = Graph::new();
        let virtuals: Vec<TaskBuffer> = (0..BUFFERS)
            .map(|i| {
                g.external_buffer(&format!("b{i}"), desc(WORDS * 4))
                    .unwrap()
            })
            .collect();
        for (&virtual_buffer, real) in virtuals.iter().zip(&reals) {
            g.bind_buffer(virtual_buffer, real).unwrap();
        }
        // The CPU model, starting from what the buffers hold now.
        let mut model: Vec<Vec<u32>> = reals.iter().map(|r| words(&r.mapped().unwrap())).collect();
        for task in 0..(4 + rng.below(20)) {
            let name = format!("t{task}");
            let len = 1 + rng.below(WORDS / 2);
            let to = rng.below(WORDS - len + 1);
            let dst = rng.below(BUFFERS as u64) as usize;
            if rng.below(3) == 0 {
                let value = graph_index * 1000 + task as u32;
                fill(&mut g, &name, virtuals[dst], to * 4, len * 4, value);
                model[dst][to as usize..(to + len) as usize].fill(value);
            } else {
                let src = (dst + 1 + rng.below(BUFFERS as u64 - 1) as usize) % BUFFERS;
                let from = rng.below(WORDS - len + 1);
                copy_buffer(
                    &mut g,
                    &name,
                    virtuals[src],
                    from * 4,
                    virtuals[dst],
                    to * 4,
                    len * 4,
                );
                let moved = model[src][from as usize..(from + len) as usize].to_vec();
                model[dst][to as usize..(to + len) as usize].copy_from_slice(&moved);
            }
        }
        batches_seen += g.plan().unwrap().batch_count();
        executor.execute(&mut g, &mut ()).unwrap();
        for (i, real) in reals.iter().enumerate() {
            assert_eq!(
                words(&real.mapped().unwrap()),
                model[i],
                "graph {graph_index}, buffer {i}\n{}",
                g.describe().unwrap()
            );
        }
        assert_no_messages(&ctx);
    }
    // The graphs were not all chains: tasks shared batches.
    assert!(batches_seen > 200);
}

#[test]
fn executing_with_an_unbound_external_buffer_is_an_error() {
    let ctx = context();
    let mut g: Graph = Graph::new();
    let a = g.external_buffer("a", desc(64)).unwrap();
    fill(&mut g, "fill", a, 0, 64, 1);
    let mut executor = Executor::new(&ctx).unwrap();
    let e = executor.execute(&mut g, &mut ()).unwrap_err();
    assert!(matches!(e, VkError::Unbound { kind: "buffer", .. }), "{e}");
    assert!(e.to_string().contains("`a`"));
    // The failed execution left the executor usable: bound, the graph runs.
    let real = host_buffer(&ctx, "real a", 64);
    g.bind_buffer(a, &real).unwrap();
    executor.execute(&mut g, &mut ()).unwrap();
    assert_eq!(words(&real.mapped().unwrap()), vec![1; 16]);
    // Unbound again, it is an error again.
    g.unbind(a).unwrap();
    let e = executor.execute(&mut g, &mut ()).unwrap_err();
    assert!(matches!(e, VkError::Unbound { kind: "buffer", .. }), "{e}");
    assert_no_messages(&ctx);
}

#[test]
fn a_real_buffer_that_does_not_fit_is_an_error() {
    let ctx = context();
    let small = host_buffer(&ctx, "small", 32);
    let usage = vk::BufferUsageFlags::TRANSFER_SRC;
    let no_dst = support::buffer(&ctx, "no dst", 64, usage, MemoryLocation::GpuOnly);
    let mut g: Graph = Graph::new();
    let a = g.external_buffer("a", desc(64)).unwrap();
    fill(&mut g, "fill", a, 0, 64, 1);
    assert_does_not_fit(g.bind_buffer(a, &small), "buffer", "32 bytes");
    assert_does_not_fit(g.bind_buffer(a, &no_dst), "buffer", "TRANSFER_DST");
    // A refused binding binds nothing.
    let e = support::execute_err(&ctx, &mut g);
    assert!(matches!(e, VkError::Unbound { .. }), "{e}");
    assert_no_messages(&ctx);
}

#[test]
fn a_device_name_that_matches_nothing_is_an_error_with_the_install_hint() {
    let e = Context::new(&ContextOptions {
        validation: true,
        device_name: Some("no such device 1234".into()),
        display: None,
    })
    .err()
    .expect("no device can match");
    assert!(matches!(e, VkError::NoDevice { .. }), "{e}");
    assert!(e.to_string().contains("lavapipe"), "{e}");
}

/// Plans are no longer handed around (each graph compiles and keeps its own), so what a
/// foreign plan was is now a handle of another graph: binding through one is refused, and
/// so is binding to a transient resource (the graph makes those itself).
#[test]
fn a_resource_of_another_graph_is_refused() {
    let ctx = context();
    let real = host_buffer(&ctx, "real", 64);
    let mut g: Graph = Graph::new();
    let mut other: Graph = Graph::new();
    let mine = g.external_buffer("mine", desc(64)).unwrap();
    let foreign = other.external_buffer("foreign", desc(64)).unwrap();
    let e = g.bind_buffer(foreign, &real).unwrap_err();
    assert!(matches!(e, VkError::ForeignResource { .. }), "{e}");
    let transient = g.transient_buffer("transient", desc(64)).unwrap();
    let e = g.bind_buffer(transient, &real).unwrap_err();
    assert!(matches!(e, VkError::BindTransient { .. }), "{e}");
    assert!(e.to_string().contains("`transient`"), "{e}");
    // The graph's own external buffer binds.
    g.bind_buffer(mine, &real).unwrap();
    assert_no_messages(&ctx);
}

#[test]
fn upload_and_read_back_through_staging_around_a_graph() {
    let ctx = context();
    // Device-local buffers: the host can only reach them through staging copies.
    let make = |name: &str| support::buffer(&ctx, name, 256, USAGE, MemoryLocation::GpuOnly);
    let (a_real, b_real) = (make("a"), make("b"));
    let data: Vec<u8> = (0..=255).collect();
    weft::runtime::upload(&ctx, &a_real, 0, &data).unwrap();
    let mut g: Graph = Graph::new();
    let a = g.import_buffer("a", &a_real).unwrap();
    let b = g.import_buffer("b", &b_real).unwrap();
    copy_buffer(&mut g, "a -> b", a, 0, b, 0, 256);
    fill(&mut g, "patch b", b, 0, 4, 0x0909_0909);
    let mut executor = Executor::new(&ctx).unwrap();
    // No waits in between: upload, graph and read back are ordered by their barriers.
    executor.execute(&mut g, &mut ()).unwrap();
    weft::runtime::upload(&ctx, &a_real, 8, &[7; 8]).unwrap();
    let b_bytes = weft::runtime::read_back(&ctx, &b_real, 0, 256).unwrap();
    let mut expected = data.clone();
    expected[..4].copy_from_slice(&[9; 4]);
    assert_eq!(b_bytes, expected);
    let a_bytes = weft::runtime::read_back(&ctx, &a_real, 8, 8).unwrap();
    assert_eq!(a_bytes, vec![7; 8]);
    let e = weft::runtime::read_back(&ctx, &a_real, 250, 8).unwrap_err();
    assert!(matches!(e, VkError::DoesNotFit { .. }), "{e}");
    assert_no_messages(&ctx);
}

/// Whether any barrier `executor` recorded in one execution of `graph` makes writes
/// visible to the host.
fn makes_writes_visible_to_the_host(executor: &mut Executor, graph: &mut Graph) -> bool {
    executor.capture_commands(true);
    executor.execute(graph, &mut ()).unwrap();
    let captured = executor.take_captured();
    executor.capture_commands(false);
    captured.iter().any(|event| match event {
        weft::runtime::Captured::Barrier { memory, .. } => memory
            .iter()
            .any(|m| m.dst_stage_mask.contains(vk::PipelineStageFlags2::HOST)),
        _ => false,
    })
}

#[test]
fn gpu_only_buffers_are_never_mapped_and_get_no_host_barrier() {
    let ctx = context();
    // On lavapipe device-local memory is host-visible too; a `GpuOnly` buffer is still not
    // the host's, on every device alike.
    let device_only = support::buffer(&ctx, "device only", 64, USAGE, MemoryLocation::GpuOnly);
    assert!(!device_only.is_host_visible());
    for e in [device_only.mapped().err(), device_only.mapped_mut().err()] {
        let e = e.expect("a GpuOnly buffer is not mapped");
        assert!(
            matches!(&e, VkError::NotHostVisible(name) if name == "device only"),
            "{e}"
        );
    }
    let host = host_buffer(&ctx, "host", 64);
    assert!(host.is_host_visible());
    // A graph over device-only buffers leaves the host out of its barriers; one that
    // writes a host buffer makes the writes visible to the host.
    let mut executor = Executor::new(&ctx).unwrap();
    let mut g: Graph = Graph::new();
    let d = g.import_buffer("device only", &device_only).unwrap();
    fill(&mut g, "fill", d, 0, 64, 5);
    assert!(!makes_writes_visible_to_the_host(&mut executor, &mut g));
    let h = g.import_buffer("host", &host).unwrap();
    copy_buffer(&mut g, "device -> host", d, 0, h, 0, 64);
    assert!(makes_writes_visible_to_the_host(&mut executor, &mut g));
    assert_eq!(words(&host.mapped().unwrap()), vec![5; 16]);
    assert_no_messages(&ctx);
}

#[test]
fn a_real_image_that_does_not_fit_is_an_error() {
    let ctx = context();
    let desc =
        |format, side| ImageDesc::new_2d(format, side, side, vk::ImageUsageFlags::TRANSFER_DST);
    let real = |name, desc| Arc::new(weft::runtime::Image::new(&ctx, name, &desc).unwrap());
    let small = real("small", desc(vk::Format::R8G8B8A8_UNORM, 8));
    let other_format = real("r32", desc(vk::Format::R32_UINT, 16));
    let mut g: Graph = Graph::new();
    let image = g
        .external_image("target", desc(vk::Format::R8G8B8A8_UNORM, 16))
        .unwrap();
    support::record_empty_task(&mut g, "clear", image, access::CLEAR_DST);
    assert_does_not_fit(g.bind_image(image, &small), "image", "extent 8x8x1");
    assert_does_not_fit(g.bind_image(image, &other_format), "image", "R32_UINT");
    let e = support::execute_err(&ctx, &mut g);
    assert!(matches!(e, VkError::Unbound { kind: "image", .. }), "{e}");
    assert_no_messages(&ctx);
}

#[test]
fn resources_have_generational_ids_and_buffers_device_addresses() {
    let ctx = context();
    let usage = USAGE | vk::BufferUsageFlags::SHADER_DEVICE_ADDRESS;
    let with_address = support::buffer(&ctx, "addressed", 64, usage, MemoryLocation::GpuOnly);
    let plain = host_buffer(&ctx, "plain", 64);
    let address = with_address.device_address().expect("an address");
    assert_ne!(address, 0);
    assert_eq!(plain.device_address(), None);

    // Callbacks see the addresses of this execution's buffers (an error for a buffer
    // without one).
    let mut g: Graph<Vec<Result<u64, VkError>>> = Graph::new();
    let (a, b) = (
        g.external_buffer("a", desc(64)).unwrap(),
        g.external_buffer("b", desc(64)).unwrap(),
    );
    g.bind_buffer(a, &with_address).unwrap();
    g.bind_buffer(b, &plain).unwrap();
    g.task("look")
        .attach(a, access::TRANSFER_SRC)
        .attach(b, access::TRANSFER_SRC)
        .run(move |cx| {
            let seen = [cx.buffer_address(a), cx.buffer_address(b)];
            cx.data.extend(seen);
        })
        .record()
        .unwrap();
    let mut seen = Vec::new();
    Executor::new(&ctx)
        .unwrap()
        .execute(&mut g, &mut seen)
        .unwrap();
    let seen: Vec<Option<u64>> = seen
        .into_iter()
        .map(|r| match r {
            Ok(address) => Some(address),
            Err(e) => {
                assert!(matches!(e, VkError::NoDeviceAddress { .. }), "{e}");
                assert!(e.to_string().contains("`b`"), "{e}");
                None
            }
        })
        .collect();
    assert_eq!(seen, vec![Some(address), None]);
    // The graph shares the buffers bound to it: unbound, `plain` is the test's alone again.
    g.unbind(b).unwrap();

    // Ids: a dropped resource's id is stale, even when its slot is reused.
    let old = plain.id();
    assert!(ctx.is_alive(old));
    drop(plain);
    assert!(!ctx.is_alive(old));
    let newer = host_buffer(&ctx, "newer", 64);
    assert_eq!(newer.id().index, old.index);
    assert!(ctx.is_alive(newer.id()) && !ctx.is_alive(old));
    // Images and their views have ids too; a view's id dies with its image.
    let image = weft::runtime::Image::new(
        &ctx,
        "image",
        &ImageDesc::new_2d(
            vk::Format::R8G8B8A8_UNORM,
            4,
            4,
            vk::ImageUsageFlags::STORAGE,
        ),
    )
    .unwrap();
    let range = image.desc().aspects();
    let whole = weft::ImageRange {
        aspect: range,
        base_mip: 0,
        mip_count: 1,
        base_layer: 0,
        layer_count: 1,
    };
    let (view, view_id) = image.view_with_id(&whole).unwrap();
    assert_eq!(image.view_with_id(&whole).unwrap(), (view, view_id));
    let image_id = image.id();
    assert!(ctx.is_alive(image_id) && ctx.is_alive(view_id));
    drop(image);
    assert!(!ctx.is_alive(image_id) && !ctx.is_alive(view_id));
    assert_no_messages(&ctx);
}

/// Rebinding between executions (no recompile) writes the newly bound buffer, with frames
/// in flight and without host waits between the executions; the executor's cached handles
/// follow every bind.
#[test]
fn rebinding_between_executions_writes_the_new_buffer() {
    let ctx = context();
    let usage = vk::BufferUsageFlags::TRANSFER_DST | vk::BufferUsageFlags::TRANSFER_SRC;
    let reals: Vec<Arc<Buffer>> = (0..3)
        .map(|i| support::host_buffer(&ctx, &format!("real {i}"), 64, usage))
        .collect();
    let mut g: Graph<u32> = Graph::new();
    let target = g.import_buffer("target", &reals[0]).unwrap();
    support::fill_with_frame(&mut g, "fill with the frame's value", target, 64);
    let mut executor = Executor::new(&ctx).unwrap();
    // Frame f writes f + 1 into buffer f % 3; a plan compiled once serves every frame.
    for frame in 0..9u32 {
        g.bind_buffer(target, &reals[(frame % 3) as usize]).unwrap();
        executor.execute(&mut g, &mut (frame + 1)).unwrap();
    }
    for (i, real) in reals.iter().enumerate() {
        // The last frame that wrote buffer i is 6 + i.
        let expected = 6 + i as u32 + 1;
        assert_eq!(
            words(&real.mapped().unwrap()),
            vec![expected; 16],
            "buffer {i}"
        );
    }
    assert_no_messages(&ctx);
}
