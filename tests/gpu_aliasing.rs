//! GPU fuzz of transient memory aliasing: 200 random graphs full of transients of mixed
//! sizes (buffers of 64 to 1,024 words, storage images of 8 to 32 texels a side) whose
//! lifetimes overlap in varied ways. Every transient is written (by a compute pass, or a
//! copy between a buffer and an image), read later, and its values flow into an external
//! result, which must equal a CPU evaluation, with validation and synchronization
//! validation on and zero messages, and our judge (fed what the executor captured, the
//! transients' memory bindings included) finding no hazard. Each graph runs twice back to
//! back with two frames in flight, so both frame slots' copies of the transient memory are
//! used (or, with `TransientCopies::Shared`, the one copy by both frames). And planted
//! faults: dropping one hand-over must be reported: a buffer's by
//! synchronization validation and the judge, an image's by the judge (the validation layer
//! does not see hazards between aliased images).

use std::sync::Arc;

use support::{bytes_of, context, judged, words, Rng};
use weft::prelude::*;
use weft::runtime::{Buffer, ComputePipeline, Context, Executor, Graph, TransientCopies};
use weft_judge::Judge;

mod support;

/// Words of the input and of each of the output's chunks, and the output's chunks.
const INPUT: usize = 1024;
const CHUNK: usize = 256;
const CHUNKS: usize = 24;

fn buffer_mix(ctx: &Arc<Context>) -> Arc<ComputePipeline> {
    let code = include_str!("../shaders/buffer_mix.wgsl");
    ComputePipeline::from_source(ctx, "shaders/buffer_mix.wgsl", code).unwrap()
}

/// A value some pass made: a buffer (with its defined words) or an image, and its model.
#[derive(Clone)]
struct Made {
    view: View,
    /// The defined words (a buffer's first ones; an image's texels in row order).
    values: Vec<u32>,
    read: bool,
}

/// One random graph and the model of what it leaves in the output.
struct Recorded {
    graph: Graph,
    expected: Vec<u32>,
}

/// Records a pass `dst[i] = a[i] * 3 + b[i] + seed` for the first `count` words.
fn mix(
    g: &mut Graph,
    pipeline: &Arc<ComputePipeline>,
    name: &str,
    (a, b, dst): (BufferView, BufferView, BufferView),
    count: usize,
    seed: u32,
) -> TaskId {
    let range = |v: BufferView| v.buffer.range(v.offset, count as u64 * 4);
    g.compute(name, pipeline)
        .bind("src_a", range(a))
        .bind("src_b", range(b))
        .bind("dst", range(dst))
        .push_constants(&bytes_of(&[count as u32, seed, 1, 0]))
        .dispatch([(count as u32).div_ceil(64), 1, 1])
        .record()
        .unwrap()
}

fn mixed(a: &[u32], b: &[u32], count: usize, seed: u32) -> Vec<u32> {
    (0..count)
        .map(|i| a[i].wrapping_mul(3).wrapping_add(b[i]).wrapping_add(seed))
        .collect()
}

fn buffer_view(made: &Made) -> BufferView {
    match made.view {
        View::Buffer(v) => v,
        View::Image(_) => unreachable!("a buffer"),
    }
}

fn random_graph(
    rng: &mut Rng,
    index: usize,
    pipeline: &Arc<ComputePipeline>,
    input: (&Arc<Buffer>, &[u32]),
    output: &Arc<Buffer>,
) -> Recorded {
    let mut g = Graph::new();
    let input_view = g.import_buffer("input", input.0).unwrap().whole();
    let out = g.import_buffer("output", output).unwrap();
    g.fill("clear output", out, 0).unwrap();
    let input_made = Made {
        view: input_view.into(),
        values: input.1.to_vec(),
        read: true,
    };
    let mut made: Vec<Made> = Vec::new();
    let usage = support::STORAGE_TRANSFER;
    let image_usage = vk::ImageUsageFlags::STORAGE
        | vk::ImageUsageFlags::TRANSFER_SRC
        | vk::ImageUsageFlags::TRANSFER_DST;
    let passes = 6 + rng.below(18) as usize;
    for p in 0..passes {
        let seed = (index * 100 + p) as u32;
        // Sources: unread values first, among the last few made, else the input.
        let pick = |rng: &mut Rng, made: &[Made], buffers_only: bool| -> Option<usize> {
            let candidates: Vec<usize> = (made.len().saturating_sub(6)..made.len())
                .filter(|&m| !buffers_only || matches!(made[m].view, View::Buffer(_)))
                .collect();
            let unread: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&m| !made[m].read)
                .collect();
            let from = if unread.is_empty() {
                candidates
            } else {
                unread
            };
            (!from.is_empty()).then(|| from[rng.below(from.len() as u64) as usize])
        };
        let name = format!("p{p}");
        match rng.below(4) {
            // A buffer → image copy into a new transient image.
            0 => {
                let Some(src) = pick(rng, &made, true) else {
                    continue;
                };
                let side = [8u32, 16, 32][rng.below(3) as usize];
                let texels = (side * side) as usize;
                if made[src].values.len() < texels {
                    continue;
                }
                let desc = support::uint_image_desc(side, 1, 1, image_usage);
                let image = g.transient_image(&format!("i{p}"), desc).unwrap();
                let from = buffer_view(&made[src]);
                let from = from.buffer.range(from.offset, texels as u64 * 4);
                g.copy_buffer_to_image(&name, from, image).unwrap();
                made[src].read = true;
                let values = made[src].values[..texels].to_vec();
                made.push(Made {
                    view: image.whole().into(),
                    values,
                    read: false,
                });
            }
            // An image → buffer copy into a new transient buffer.
            1 => {
                let images: Vec<usize> = (0..made.len())
                    .filter(|&m| matches!(made[m].view, View::Image(_)) && !made[m].read)
                    .collect();
                let Some(&src) = images.first() else { continue };
                let values = made[src].values.clone();
                let desc = BufferDesc {
                    size: values.len() as u64 * 4,
                    usage,
                };
                let buffer = g.transient_buffer(&format!("b{p}"), desc).unwrap();
                let View::Image(image) = made[src].view else {
                    continue;
                };
                g.copy_image_to_buffer(&name, image, buffer).unwrap();
                made[src].read = true;
                made.push(Made {
                    view: buffer.whole().into(),
                    values,
                    read: false,
                });
            }
            // A compute pass into a new transient buffer.
            _ => {
                let words = 64 << rng.below(5);
                let a = pick(rng, &made, true);
                let b = pick(rng, &made, true);
                let source = |s: Option<usize>| s.map_or(&input_made, |s| &made[s]);
                let (sa, sb) = (source(a), source(b));
                let count = words.min(sa.values.len()).min(sb.values.len()) / 64 * 64;
                let desc = BufferDesc {
                    size: words as u64 * 4,
                    usage,
                };
                let buffer = g.transient_buffer(&format!("b{p}"), desc).unwrap();
                let views = (buffer_view(sa), buffer_view(sb), buffer.whole());
                let values = mixed(&sa.values, &sb.values, count, seed);
                mix(&mut g, pipeline, &name, views, count, seed);
                for s in [a, b].into_iter().flatten() {
                    made[s].read = true;
                }
                made.push(Made {
                    view: buffer.whole().into(),
                    values,
                    read: false,
                });
            }
        }
    }
    // Every value not read yet flows into a chunk of the output (images through a copy).
    let mut expected = vec![0u32; CHUNKS * CHUNK];
    let mut chunk = 0;
    for (m, value) in made.iter_mut().enumerate() {
        if value.read {
            continue;
        }
        assert!(chunk < CHUNKS, "more unread values than output chunks");
        let source = match value.view {
            View::Buffer(v) => v,
            View::Image(image) => {
                let desc = BufferDesc {
                    size: value.values.len() as u64 * 4,
                    usage: support::STORAGE_TRANSFER,
                };
                let buffer = g.transient_buffer(&format!("readback{m}"), desc).unwrap();
                g.copy_image_to_buffer(&format!("read back {m}"), image, buffer)
                    .unwrap();
                buffer.whole()
            }
        };
        let count = value.values.len().min(CHUNK);
        let seed = (index * 100 + 99) as u32;
        let dst = out.range((chunk * CHUNK * 4) as u64, CHUNK as u64 * 4);
        let views = (source, input_view, dst);
        mix(&mut g, pipeline, &format!("output {m}"), views, count, seed);
        let values = mixed(&value.values, input.1, count, seed);
        expected[chunk * CHUNK..chunk * CHUNK + count].copy_from_slice(&values);
        value.read = true;
        chunk += 1;
    }
    Recorded { graph: g, expected }
}

#[test]
fn random_graphs_of_aliased_transients_match_a_cpu_evaluation() {
    fuzz(TransientCopies::PerFrame);
}

#[test]
fn with_one_copy_of_the_transients_for_all_frames_too() {
    fuzz(TransientCopies::Shared);
}

fn fuzz(copies: TransientCopies) {
    let ctx = context();
    let pipeline = buffer_mix(&ctx);
    let input_values: Vec<u32> = (0..INPUT as u32).map(|i| i * 7 + 1).collect();
    let input = support::filled_buffer(
        &ctx,
        "input",
        support::STORAGE_TRANSFER,
        &bytes_of(&input_values),
    );
    let output = support::host_buffer(
        &ctx,
        "output",
        (CHUNKS * CHUNK * 4) as u64,
        support::STORAGE_TRANSFER,
    );
    let mut executor = Executor::with_transient_copies(&ctx, 2, copies).unwrap();
    executor.capture_commands(true);
    let mut rng = Rng::new(0x0a11_a5ed_5eed_0001);
    let mut signalled = 0;
    let (mut transients, mut hand_overs, mut placed, mut separate) = (0, 0, 0u64, 0u64);
    for index in 0..200 {
        let mut recorded =
            random_graph(&mut rng, index, &pipeline, (&input, &input_values), &output);
        let g = &mut recorded.graph;
        // Twice, without waiting: both frame slots' transient memory.
        executor.execute(g, &mut ()).unwrap();
        executor.execute(g, &mut ()).unwrap();
        let plan = g.plan().unwrap();
        let spots = plan.transient_placements();
        transients += spots.len();
        for (i, a) in spots.iter().enumerate() {
            hand_overs += spots[i + 1..]
                .iter()
                .filter(|b| {
                    let apart = a.last_batch < b.first_batch || b.last_batch < a.first_batch;
                    let shared = a.block == b.block
                        && a.offset < b.offset + b.size
                        && b.offset < a.offset + a.size;
                    apart && shared
                })
                .count();
        }
        let memory = executor.transient_memory();
        placed += memory.placed_bytes;
        separate += memory.separate_bytes;
        assert_eq!(
            words(&output.mapped().unwrap()),
            recorded.expected,
            "graph {index}\n{}",
            g.describe().unwrap()
        );
        assert_eq!(
            ctx.validation_messages(),
            0,
            "graph {index}:\n{}\n{}",
            ctx.validation_log().join("\n"),
            g.describe().unwrap()
        );
        // A judge per graph: each ends with the host reading the output.
        let mut judge = Judge::new();
        judged::add_buffer(&mut judge, &input);
        judged::add_buffer(&mut judge, &output);
        judged::start_after(&mut judge, signalled);
        let captured = executor.take_captured();
        signalled = judged::last_signal(&captured);
        let found = judged::judge_events(&mut judge, &captured);
        assert!(
            found.is_empty(),
            "graph {index}: the judge found\n{}\n{}",
            found.join("\n"),
            g.describe().unwrap()
        );
    }
    println!(
        "aliasing fuzz ({copies:?}): 200 graphs, {transients} transients, {hand_overs} \
         hand-overs of shared memory; {placed} bytes placed against {separate} in separate \
         allocations"
    );
    assert!(hand_overs > 1000, "only {hand_overs} hand-overs");
    assert!(
        placed * 2 < separate,
        "{placed} placed, {separate} separate"
    );
}

/// A graph where transient `b` takes over `a`'s memory: `a` is written, then read into the
/// external `x`; `b` is then written by a clear (`after` the read, with nothing else
/// ordering them) and copied to the external `y`. Both are buffers (written and read by
/// compute passes) or both images (by copies): the validation layer sees hazards between
/// aliased resources of one kind only.
fn hand_over_graph(
    ctx: &Arc<Context>,
    pipeline: &Arc<ComputePipeline>,
    images: bool,
) -> (Graph, u32, [Arc<Buffer>; 3]) {
    let mut g = Graph::new();
    let bytes = 64 * 64 * 4;
    let reals = [
        support::filled_buffer(ctx, "input", support::STORAGE_TRANSFER, &vec![1; bytes]),
        support::host_buffer(ctx, "x", bytes as u64, support::STORAGE_TRANSFER),
        support::host_buffer(ctx, "y", bytes as u64, support::STORAGE_TRANSFER),
    ];
    let [input, x, y] = support::import_buffers(
        &mut g,
        [("input", &reals[0]), ("x", &reals[1]), ("y", &reals[2])],
    );
    let count = bytes / 4;
    let usage = support::STORAGE_TRANSFER;
    if images {
        let usage = vk::ImageUsageFlags::TRANSFER_SRC | vk::ImageUsageFlags::TRANSFER_DST;
        let desc = support::uint_image_desc(64, 1, 1, usage);
        let a = g.transient_image("a", desc).unwrap();
        g.copy_buffer_to_image("write a", input, a).unwrap();
        let read_a = g.copy_image_to_buffer("read a", a, x).unwrap();
        let b = g.transient_image("b", desc).unwrap();
        g.task("clear b")
            .attach(b, access::CLEAR_DST)
            .after(read_a)
            .run(move |cx| {
                let raw = cx.image(b)?;
                let clear = vk::ClearColorValue { uint32: [5; 4] };
                let range = vk::ImageSubresourceRange {
                    aspect_mask: vk::ImageAspectFlags::COLOR,
                    level_count: 1,
                    layer_count: 1,
                    ..Default::default()
                };
                // SAFETY: recording; the plan put the image in the clear's layout.
                unsafe {
                    cx.device().cmd_clear_color_image(
                        cx.cmd(),
                        raw,
                        vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                        &clear,
                        &[range],
                    )
                };
                Ok(())
            })
            .record()
            .unwrap();
        g.copy_image_to_buffer("copy b", b, y).unwrap();
        (g, b.index(), reals)
    } else {
        let desc = BufferDesc {
            size: bytes as u64,
            usage,
        };
        let a = g.transient_buffer("a", desc).unwrap();
        let whole = (input.whole(), input.whole(), a.whole());
        mix(&mut g, pipeline, "write a", whole, count, 1);
        let read = (a.whole(), input.whole(), x.whole());
        let read_a = mix(&mut g, pipeline, "read a", read, count, 2);
        let b = g.transient_buffer("b", desc).unwrap();
        g.task("fill b")
            .attach(b, access::CLEAR_DST)
            .after(read_a)
            .run(move |cx| {
                let raw = cx.buffer(b)?;
                // SAFETY: recording; the buffer is the task's attachment.
                unsafe {
                    cx.device()
                        .cmd_fill_buffer(cx.cmd(), raw, 0, vk::WHOLE_SIZE, 5)
                };
                Ok(())
            })
            .record()
            .unwrap();
        g.copy_buffer("copy b", b, y).unwrap();
        (g, b.index(), reals)
    }
}

fn planted_hand_over_is_reported(images: bool) {
    let ctx = context();
    let pipeline = buffer_mix(&ctx);
    let (mut g, b, reals) = hand_over_graph(&ctx, &pipeline, images);
    let mut executor = Executor::new(&ctx).unwrap();
    executor.capture_commands(true);
    let mut judge = Judge::new();
    for real in &reals {
        judged::add_buffer(&mut judge, real);
    }
    executor.execute(&mut g, &mut ()).unwrap();
    executor.wait_idle().unwrap();
    support::assert_no_messages(&ctx);
    let clean = judged::judge_events(&mut judge, &executor.take_captured());
    assert!(clean.is_empty(), "{clean:?}");
    let spots = g.plan().unwrap().transient_placements().to_vec();
    assert_eq!(spots.len(), 2);
    assert_eq!(
        (spots[0].block, spots[0].offset),
        (spots[1].block, spots[1].offset),
        "b takes over a's memory:\n{}",
        g.describe().unwrap()
    );
    assert!(g.plan_mut().unwrap().drop_hand_over(b));
    executor.execute(&mut g, &mut ()).unwrap();
    executor.wait_idle().unwrap();
    let found = judged::judge_events(&mut judge, &executor.take_captured());
    assert!(
        found.iter().any(|h| h.contains(" on b:")),
        "the judge found no hazard on b without the hand-over: {found:?}\n{}",
        g.describe().unwrap()
    );
    let log = ctx.validation_log().join("\n");
    assert_eq!(
        log.contains("hazard detected"),
        !images,
        "synchronization validation:\n{log}\n{}",
        g.describe().unwrap()
    );
}

#[test]
fn a_dropped_buffer_hand_over_is_a_hazard() {
    planted_hand_over_is_reported(false);
}

#[test]
fn a_dropped_image_hand_over_is_a_hazard_the_judge_sees() {
    planted_hand_over_is_reported(true);
}

/// A graph whose output comes from one transient described by `transient`.
fn one_transient(
    ctx: &Arc<Context>,
    output: &Arc<Buffer>,
    transient: impl FnOnce(&mut Graph) -> View,
) -> Graph {
    let mut g = Graph::new();
    let out = g.import_buffer("output", output).unwrap();
    let view = transient(&mut g);
    g.task("use it")
        .attach(view, access::TRANSFER_DST)
        .run(|_| {})
        .record()
        .unwrap();
    g.fill("fill output", out, 7).unwrap();
    let _ = ctx;
    g
}

#[test]
fn transients_the_device_cannot_hold_are_errors_that_leave_the_executor_usable() {
    let ctx = context();
    let output = support::host_buffer(&ctx, "output", 256, support::STORAGE_TRANSFER);
    let mut executor = Executor::new(&ctx).unwrap();
    let mut good = one_transient(&ctx, &output, |g| {
        let desc = BufferDesc {
            size: 1024,
            usage: support::STORAGE_TRANSFER,
        };
        g.transient_buffer("fine", desc).unwrap().into()
    });
    executor.execute(&mut good, &mut ()).unwrap();
    executor.wait_idle().unwrap();
    let before = ctx.device_memory().unwrap();
    let usage = vk::ImageUsageFlags::TRANSFER_DST;
    // Larger than any image the device makes.
    let mut too_large = one_transient(&ctx, &output, |g| {
        let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 1 << 20, 1 << 20, usage);
        g.transient_image("too large", desc).unwrap().into()
    });
    // A format the device cannot use for this.
    let mut unsupported = one_transient(&ctx, &output, |g| {
        let storage = vk::ImageUsageFlags::STORAGE | usage;
        let desc = ImageDesc::new_2d(vk::Format::D32_SFLOAT_S8_UINT, 64, 64, storage);
        g.transient_image("depth storage", desc).unwrap().into()
    });
    // Memory the device cannot allocate.
    let mut huge = one_transient(&ctx, &output, |g| {
        let desc = BufferDesc {
            size: 1 << 44,
            usage: support::STORAGE_TRANSFER,
        };
        g.transient_buffer("huge", desc).unwrap().into()
    });
    for (g, name) in [
        (&mut too_large, "too large"),
        (&mut unsupported, "depth storage"),
        (&mut huge, "huge"),
    ] {
        let error = executor.execute(g, &mut ()).unwrap_err().to_string();
        assert!(
            error.contains(&format!("`{name}`")) && error.contains("plan #"),
            "{name}: {error}"
        );
        println!("{name}: {error}");
    }
    // Nothing leaked, and the executor still runs what it can.
    executor.wait_idle().unwrap();
    assert_eq!(ctx.device_memory().unwrap(), before);
    executor.execute(&mut good, &mut ()).unwrap();
    assert_eq!(words(&output.mapped().unwrap()), vec![7; 64]);
    support::assert_no_messages(&ctx);
}
