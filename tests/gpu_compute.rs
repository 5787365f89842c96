//! GPU fuzz of compute pipeline tasks: 200 random graphs over 8 buffers (byte sub-ranges)
//! and 2 storage images (3 mips, 2 layers), with reads, writes and concurrent writes; every
//! task writes values computed from what it read. The result must equal a CPU evaluation in
//! record order, with validation and synchronization validation on and zero messages.
//! Also: the misuses of pipeline tasks, one test each.

use std::sync::Arc;

use support::{bytes_of, context, words, Rng};
use weft::prelude::*;
use weft::runtime::shader::{compile, compile_source, Language, ShaderSource, Stage};
use weft::runtime::{Buffer, ComputePipeline, Context, Executor, Graph, Image, VkError};

mod support;

const BUFFERS: usize = 8;
/// Words per buffer: 4 chunks of 64 words (256-byte aligned views).
const WORDS: usize = 256;
const CHUNK: usize = 64;
const SIDE: u32 = 16;
const MIPS: u32 = 3;
const LAYERS: u32 = 2;

/// Storage, copied from and to.
const BUFFER_USAGE: vk::BufferUsageFlags = support::STORAGE_TRANSFER;
const IMAGE_USAGE: vk::ImageUsageFlags = vk::ImageUsageFlags::from_raw(
    vk::ImageUsageFlags::STORAGE.as_raw()
        | vk::ImageUsageFlags::TRANSFER_SRC.as_raw()
        | vk::ImageUsageFlags::TRANSFER_DST.as_raw(),
);

fn pipeline(ctx: &Arc<Context>, path: &str, code: &str) -> Arc<ComputePipeline> {
    ComputePipeline::from_source(ctx, path, code).unwrap()
}

fn buffer_mix(ctx: &Arc<Context>) -> Arc<ComputePipeline> {
    pipeline(
        ctx,
        "shaders/buffer_mix.wgsl",
        include_str!("../shaders/buffer_mix.wgsl"),
    )
}

fn image_mix(ctx: &Arc<Context>) -> Arc<ComputePipeline> {
    pipeline(
        ctx,
        "shaders/image_mix.wgsl",
        include_str!("../shaders/image_mix.wgsl"),
    )
}

/// A host-visible buffer of `words` 32-bit words with the tests' buffer usages.
fn host_buffer(ctx: &Arc<Context>, name: &str, words: usize) -> Arc<Buffer> {
    support::host_buffer(ctx, name, words as u64 * 4, BUFFER_USAGE)
}

/// A transient 1024-byte buffer, for the tests of misuses (they never execute).
fn transient(g: &mut Graph, name: &str) -> TaskBuffer {
    let desc = BufferDesc {
        size: 1024,
        usage: BUFFER_USAGE,
    };
    g.transient_buffer(name, desc).unwrap()
}

fn image_desc() -> ImageDesc {
    support::uint_image_desc(SIDE, MIPS, LAYERS, IMAGE_USAGE)
}

fn side(mip: u32) -> u32 {
    SIDE >> mip
}

/// The CPU model: words per buffer, texels per (image, mip, layer).
struct Model {
    words: Vec<Vec<u32>>,
    texels: Vec<Vec<u32>>,
}

fn slot(image: usize, mip: u32, layer: u32) -> usize {
    (image * MIPS as usize + mip as usize) * LAYERS as usize + layer as usize
}

/// A buffer task (`lanes` > 1: that many concurrent writers of one destination, each its own
/// elements), applied to the model too. Concurrent writes promise not to conflict, so one
/// graph makes at most one concurrent group per destination buffer (`concurrent_used`):
/// two groups on one buffer could otherwise be merged and race, as the contract allows.
#[allow(clippy::too_many_arguments)]
fn buffer_tasks(
    g: &mut Graph,
    rng: &mut Rng,
    pipeline: &Arc<ComputePipeline>,
    buffers: &[TaskBuffer],
    model: &mut Model,
    name: &str,
    seed: u32,
    lanes: u32,
    concurrent_used: &mut [bool],
) -> bool {
    let chunks = 1 + rng.below(2) as usize;
    let count = chunks * CHUNK;
    let pick_offset =
        |rng: &mut Rng| rng.below((WORDS / CHUNK - chunks + 1) as u64) as usize * CHUNK;
    let (a, b) = (
        rng.below(BUFFERS as u64) as usize,
        rng.below(BUFFERS as u64) as usize,
    );
    let mut dst = rng.below(BUFFERS as u64) as usize;
    while dst == a || dst == b {
        dst = (dst + 1) % BUFFERS;
    }
    let lanes = if lanes > 1 && !concurrent_used[dst] {
        concurrent_used[dst] = true;
        lanes
    } else {
        1
    };
    let (oa, ob, od) = (pick_offset(rng), pick_offset(rng), pick_offset(rng));
    let view =
        |buffer: usize, offset: usize| buffers[buffer].range(offset as u64 * 4, count as u64 * 4);
    let before = model.words.clone();
    for lane in 0..lanes {
        let task = g
            .compute(&format!("{name}.{lane}"), pipeline)
            .bind("src_a", view(a, oa))
            .bind("src_b", view(b, ob));
        let task = if lanes > 1 {
            task.bind_concurrent("dst", view(dst, od))
        } else {
            task.bind("dst", view(dst, od))
        };
        task.push_constants(&bytes_of(&[count as u32, seed + lane, lanes, lane]))
            .dispatch([(count as u32).div_ceil(64), 1, 1])
            .record()
            .unwrap();
        for i in (lane as usize..count).step_by(lanes as usize) {
            let value = before[a][oa + i]
                .wrapping_mul(3)
                .wrapping_add(before[b][ob + i])
                .wrapping_add(seed + lane);
            model.words[dst][od + i] = value;
        }
    }
    lanes > 1
}

/// An image task: one mip of one layer of one image from the same mip of a layer of either
/// image and a buffer.
#[allow(clippy::too_many_arguments)]
fn image_task(
    g: &mut Graph,
    rng: &mut Rng,
    pipeline: &Arc<ComputePipeline>,
    images: &[TaskImage],
    buffers: &[TaskBuffer],
    model: &mut Model,
    name: &str,
    seed: u32,
) {
    let mip = rng.below(MIPS as u64) as u32;
    let (src_image, dst_image) = (rng.below(2) as usize, rng.below(2) as usize);
    let src_layer = rng.below(LAYERS as u64) as u32;
    let mut dst_layer = rng.below(LAYERS as u64) as u32;
    if src_image == dst_image {
        dst_layer = 1 - src_layer;
    }
    let row = rng.below(BUFFERS as u64) as usize;
    let n = side(mip);
    g.compute(name, pipeline)
        .bind("src", images[src_image].mip(mip).layer(src_layer))
        .bind("row", buffers[row].range(0, u64::from(n * n) * 4))
        .bind("dst", images[dst_image].mip(mip).layer(dst_layer))
        .push_constants(&bytes_of(&[n, seed]))
        .dispatch([n.div_ceil(8), n.div_ceil(8), 1])
        .record()
        .unwrap();
    let src = model.texels[slot(src_image, mip, src_layer)].clone();
    let out = &mut model.texels[slot(dst_image, mip, dst_layer)];
    for (i, texel) in out.iter_mut().enumerate() {
        *texel = src[i]
            .wrapping_mul(5)
            .wrapping_add(model.words[row][i])
            .wrapping_add(seed);
    }
}

#[test]
fn random_compute_graphs_match_a_cpu_evaluation() {
    let ctx = context();
    let (buffer_pipeline, image_pipeline) = (buffer_mix(&ctx), image_mix(&ctx));
    let reals: Vec<Arc<Buffer>> = (0..BUFFERS)
        .map(|i| host_buffer(&ctx, &format!("real{i}"), WORDS))
        .collect();
    let texels_per_image: usize = (0..MIPS)
        .map(|m| (side(m) * side(m) * LAYERS) as usize)
        .sum();
    let readbacks: Vec<Arc<Buffer>> = (0..2)
        .map(|i| host_buffer(&ctx, &format!("readback{i}"), texels_per_image))
        .collect();
    let real_images: Vec<Arc<Image>> = (0..2)
        .map(|i| Arc::new(Image::new(&ctx, &format!("image{i}"), &image_desc()).unwrap()))
        .collect();
    // Start from known buffer contents written by the host.
    let mut model = Model {
        words: (0..BUFFERS)
            .map(|b| (0..WORDS).map(|i| (b * 1000 + i) as u32).collect())
            .collect(),
        texels: (0..2 * MIPS as usize * LAYERS as usize)
            .map(|s| vec![0; (side((s / LAYERS as usize % MIPS as usize) as u32).pow(2)) as usize])
            .collect(),
    };
    for (real, words) in reals.iter().zip(&model.words) {
        real.mapped_mut().unwrap().copy_from_slice(&bytes_of(words));
    }
    let mut executor = Executor::new(&ctx).unwrap();
    let mut rng = Rng::new(0xdead_beef_1234_5678);
    let (mut tasks_total, mut batches_total, mut concurrent_groups) = (0, 0, 0);
    for graph_index in 0..200u32 {
        let mut g = Graph::new();
        let buffers = support::import_all(&mut g, "b", &reals, Graph::import_buffer);
        let images = support::import_all(&mut g, "i", &real_images, Graph::import_image);
        let outs = support::import_all(&mut g, "out", &readbacks, Graph::import_buffer);
        let mut concurrent_used = [false; BUFFERS];
        if graph_index == 0 {
            for (i, &image) in images.iter().enumerate() {
                support::clear_image(&mut g, &format!("clear i{i}"), image, 0..MIPS, 0..LAYERS, 0);
            }
        }
        for task in 0..(3 + rng.below(10)) {
            let seed = graph_index * 1000 + task as u32 * 10;
            let name = format!("t{task}");
            match rng.below(4) {
                0 | 1 => {
                    let lanes = if rng.below(2) == 0 {
                        2 + rng.below(2) as u32
                    } else {
                        1
                    };
                    let concurrent = buffer_tasks(
                        &mut g,
                        &mut rng,
                        &buffer_pipeline,
                        &buffers,
                        &mut model,
                        &name,
                        seed,
                        lanes,
                        &mut concurrent_used,
                    );
                    concurrent_groups += usize::from(concurrent);
                }
                _ => image_task(
                    &mut g,
                    &mut rng,
                    &image_pipeline,
                    &images,
                    &buffers,
                    &mut model,
                    &name,
                    seed,
                ),
            }
        }
        support::read_back(
            &mut g,
            "read back 0",
            images[0],
            outs[0],
            [SIDE, SIDE],
            MIPS,
            LAYERS,
        );
        support::read_back(
            &mut g,
            "read back 1",
            images[1],
            outs[1],
            [SIDE, SIDE],
            MIPS,
            LAYERS,
        );
        tasks_total += g.task_count();
        batches_total += g.plan().unwrap().batch_count();
        executor.execute(&mut g, &mut ()).unwrap();
        let mut describe = || g.describe().unwrap();
        for (b, real) in reals.iter().enumerate() {
            assert_eq!(
                words(&real.mapped().unwrap()),
                model.words[b],
                "graph {graph_index}, buffer {b}\n{}",
                describe()
            );
        }
        for (i, readback) in readbacks.iter().enumerate() {
            let expected: Vec<u32> = support::subresources(MIPS, LAYERS)
                .flat_map(|(mip, layer)| model.texels[slot(i, mip, layer)].clone())
                .collect();
            assert_eq!(
                words(&readback.mapped().unwrap()),
                expected,
                "graph {graph_index}, image {i}\n{}",
                describe()
            );
        }
        assert_eq!(
            ctx.validation_messages(),
            0,
            "graph {graph_index}:\n{}\n{}",
            ctx.validation_log().join("\n"),
            describe()
        );
    }
    // Concurrent writers and independent tasks shared batches.
    assert!(concurrent_groups > 20);
    assert!(
        batches_total < tasks_total,
        "{batches_total} batches for {tasks_total} tasks"
    );
}

/// Records a `buffer_mix` task "mix" over the transient buffers "a" and "b", binding each
/// `(binding, buffer name)` of `bindings`, with `push_bytes` bytes of push constants: the
/// error it must give.
fn mix_error(bindings: &[(&str, &str)], push_bytes: usize) -> VkError {
    let ctx = context();
    let p = buffer_mix(&ctx);
    let mut g = Graph::new();
    let (a, b) = (transient(&mut g, "a"), transient(&mut g, "b"));
    let mut task = g.compute("mix", &p);
    for &(binding, buffer) in bindings {
        task = task.bind(binding, if buffer == "a" { a } else { b });
    }
    task.push_constants(&vec![0; push_bytes])
        .record()
        .unwrap_err()
}

#[test]
fn an_unknown_binding_name_is_an_error() {
    let e = mix_error(&[("src_a", "b"), ("src_b", "b"), ("destination", "b")], 16);
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    assert!(
        e.to_string().contains("`destination`") && e.to_string().contains("`mix`"),
        "{e}"
    );
}

#[test]
fn a_missing_binding_is_an_error() {
    let e = mix_error(&[("src_a", "b"), ("src_b", "b")], 16);
    assert!(e.to_string().contains("`dst` has no view"), "{e}");
}

#[test]
fn a_view_of_the_wrong_type_is_an_error() {
    let ctx = context();
    let p = image_mix(&ctx);
    let mut g = Graph::new();
    let b = transient(&mut g, "b");
    let i = g.transient_image("i", image_desc()).unwrap();
    let rgba = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, SIDE, SIDE, IMAGE_USAGE);
    let wrong_format = g.transient_image("rgba", rgba).unwrap();
    // `src` must be a view of an R32Uint image.
    let mut error_with_src = |src: View| {
        g.compute("mix", &p)
            .bind("src", src)
            .bind("row", b)
            .bind("dst", i.mip(0).layer(0))
            .push_constants(&[0; 8])
            .record()
            .unwrap_err()
    };
    let e = error_with_src(b.into());
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    assert!(e.to_string().contains("a buffer view was bound"), "{e}");
    let e = error_with_src(wrong_format.into());
    assert!(e.to_string().contains("R32Uint"), "{e}");
}

#[test]
fn a_wrong_push_constant_size_is_an_error() {
    let e = mix_error(&[("src_a", "a"), ("src_b", "a"), ("dst", "b")], 4);
    assert!(e.to_string().contains("4 push-constant bytes"), "{e}");
}

#[test]
fn a_shader_that_does_not_compile_names_file_and_line() {
    let e = compile_source(
        "shaders/broken.wgsl",
        "@compute @workgroup_size(1)\nfn main() {\n    let x: u32 = 1.5;\n}\n",
        Stage::Compute,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("shaders/broken.wgsl:3:"), "{e}");
}

#[test]
fn a_glsl_shader_through_shaderc_runs_as_a_pipeline_task() {
    let ctx = context();
    let code = r#"#version 450
layout(local_size_x = 64) in;
layout(push_constant) uniform Push { uint add; } push;
layout(set = 0, binding = 0) readonly buffer Input { uint values[]; } src;
layout(set = 0, binding = 1) writeonly buffer Output { uint values[]; } dst;
void main() {
    uint i = gl_GlobalInvocationID.x;
    dst.values[i] = src.values[i] * 2u + push.add;
}
"#;
    let shader = compile(&ShaderSource {
        path: "double.comp",
        code,
        language: Language::GlslShaderc,
        stage: Stage::Compute,
    })
    .unwrap();
    let p = Arc::new(ComputePipeline::new(&ctx, &shader).unwrap());
    let input: Vec<u32> = (0..64).collect();
    let src_real = support::filled_buffer(&ctx, "src", BUFFER_USAGE, &bytes_of(&input));
    let dst_real = host_buffer(&ctx, "dst", 64);
    let mut g = Graph::new();
    let [src, dst] = support::import_buffers(&mut g, [("src", &src_real), ("dst", &dst_real)]);
    g.compute("double", &p)
        .bind("src", src)
        .bind("dst", dst)
        .push_constants(&bytes_of(&[7]))
        .dispatch([1, 1, 1])
        .record()
        .unwrap();
    // The shader only writes `dst`: reflection made the access a write.
    assert!(!g.task_attachments(0)[1].access.kind.reads());
    let mut executor = Executor::new(&ctx).unwrap();
    executor.execute(&mut g, &mut ()).unwrap();
    let expected: Vec<u32> = input.iter().map(|v| v * 2 + 7).collect();
    assert_eq!(words(&dst_real.mapped().unwrap()), expected);
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}

#[test]
fn a_buffer_dropped_while_in_flight_is_destroyed_after_its_submission() {
    let ctx = context();
    let busy = pipeline(
        &ctx,
        "busy.wgsl",
        r#"
        struct Push { iterations: u32 }
        var<immediate> push: Push;
        @group(0) @binding(0) var<storage, read_write> data: array<u32>;
        @compute @workgroup_size(64)
        fn main(@builtin(global_invocation_id) id: vec3<u32>) {
            var x = data[id.x];
            for (var i = 0u; i < push.iterations; i++) { x = x * x + i; }
            data[id.x] = x;
        }
        "#,
    );
    let real = support::buffer(&ctx, "busy", 256, BUFFER_USAGE, MemoryLocation::GpuOnly);
    let mut g = Graph::new();
    let data = g.import_buffer("data", &real).unwrap();
    g.compute("busy", &busy)
        .bind("data", data)
        .push_constants(&bytes_of(&[1 << 22]))
        .record()
        .unwrap();
    let mut executor = Executor::new(&ctx).unwrap();
    let submission = executor.execute(&mut g, &mut ()).unwrap();
    // The GPU is still busy: the buffer goes to the graveyard instead of being destroyed
    // under the running dispatch (which the validation layer would report).
    assert!(
        ctx.completed_submission().unwrap() < submission,
        "the work finished too early"
    );
    // The graph holds the buffer while it is bound: dropping the graph and the last handle
    // drops the buffer itself.
    drop(g);
    let real = Arc::into_inner(real).expect("the graph no longer holds the buffer");
    drop(real);
    ctx.wait_for_submission(submission).unwrap();
    executor.wait_idle().unwrap();
    drop(executor);
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}

/// Records the `buffer_mix` task `name`: `dst = src_a * 3 + src_b + seed` over 64 words.
fn record_mix<U: 'static>(
    g: &mut Graph<U>,
    name: &str,
    pipeline: &Arc<ComputePipeline>,
    [src_a, src_b, dst]: [TaskBuffer; 3],
    seed: u32,
) {
    g.compute(name, pipeline)
        .bind("src_a", src_a)
        .bind("src_b", src_b)
        .bind("dst", dst)
        .push_constants(&bytes_of(&[64, seed, 1, 0]))
        .record()
        .unwrap();
}

#[test]
fn two_graphs_sharing_buffers_run_back_to_back_with_frames_in_flight() {
    let ctx = context();
    let mix = buffer_mix(&ctx);
    let make = |name: &str| host_buffer(&ctx, name, 64);
    let input: Vec<u32> = (0..64).collect();
    let s_real = support::filled_buffer(&ctx, "s", BUFFER_USAGE, &bytes_of(&input));
    let (b_real, c_real, d_real) = (make("b"), make("c"), make("d"));
    // Graph A: b = s * 3 + s + 1 (compute), then c = b (copy): b is left read by a copy.
    let mut a = Graph::new();
    let [sa, ba, ca] =
        support::import_buffers(&mut a, [("s", &s_real), ("b", &b_real), ("c", &c_real)]);
    record_mix(&mut a, "b from s", &mix, [sa, sa, ba], 1);
    support::copy_buffer(&mut a, "c from b", ba, 0, ca, 0, 256);
    // Graph B: d = b * 3 + c + 2 (compute reads b, whose write was last made visible only
    // to graph A's copy: the bridge must make it visible to compute too).
    let mut b = Graph::new();
    let [bb, cb, db] =
        support::import_buffers(&mut b, [("b", &b_real), ("c", &c_real), ("d", &d_real)]);
    record_mix(&mut b, "d from b and c", &mix, [bb, cb, db], 2);
    let mut executor = Executor::with_frames_in_flight(&ctx, 3).unwrap();
    for _ in 0..20 {
        executor.execute(&mut a, &mut ()).unwrap();
        executor.execute(&mut b, &mut ()).unwrap();
    }
    let b_expected: Vec<u32> = input.iter().map(|v| v * 3 + v + 1).collect();
    let d_expected: Vec<u32> = b_expected.iter().map(|v| v * 3 + v + 2).collect();
    assert_eq!(words(&d_real.mapped().unwrap()), d_expected);
    assert_eq!(words(&c_real.mapped().unwrap()), b_expected);
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}

#[test]
fn push_constants_can_come_from_the_frame_data() {
    let ctx = context();
    let mix = buffer_mix(&ctx);
    let src_real = support::filled_buffer(&ctx, "src", BUFFER_USAGE, &bytes_of(&[1; 64]));
    let dst_real = host_buffer(&ctx, "dst", 64);
    let mut g: Graph<u32> = Graph::new();
    let [src, dst] = support::import_buffers(&mut g, [("src", &src_real), ("dst", &dst_real)]);
    g.compute("mix", &mix)
        .bind("src_a", src)
        .bind("src_b", src)
        .bind("dst", dst)
        .dispatch([1, 1, 1])
        .push_constants_with(|frame: &u32, bytes: &mut [u8]| {
            // count, seed (the frame), stride, lane
            bytes.copy_from_slice(&bytes_of(&[64, *frame, 1, 0]));
        })
        .record()
        .unwrap();
    let mut executor = Executor::new(&ctx).unwrap();
    for mut frame in [10u32, 20, 30] {
        executor.execute(&mut g, &mut frame).unwrap();
        assert!(words(&dst_real.mapped().unwrap())
            .iter()
            .all(|&w| w == 3 + 1 + frame));
    }
    assert_eq!(ctx.validation_messages(), 0, "{:?}", ctx.validation_log());
}

#[test]
fn a_task_whose_work_is_replaced_between_executions_records_the_new_work() {
    let ctx = context();
    let write = pipeline(
        &ctx,
        "write.wgsl",
        r#"
        struct Push { value: u32 }
        var<immediate> push: Push;
        @group(0) @binding(0) var<storage, read_write> data: array<u32>;
        @compute @workgroup_size(64)
        fn main(@builtin(global_invocation_id) id: vec3<u32>) {
            data[id.x] = push.value;
        }
        "#,
    );
    let real = host_buffer(&ctx, "data", 64);
    let mut g = Graph::new();
    let data = g.import_buffer("data", &real).unwrap();
    let task = g
        .compute("write 7", &write)
        .bind("data", data)
        .push_constants(&bytes_of(&[7]))
        .record()
        .unwrap();
    let mut executor = Executor::new(&ctx).unwrap();
    for _ in 0..2 {
        executor.execute(&mut g, &mut ()).unwrap();
        assert_eq!(words(&real.mapped().unwrap()), vec![7; 64]);
    }
    // The executor keeps the dispatch as data between executions; a work put in its place
    // through the graph is what the next execution records.
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    *g.task_callback_mut(task.index()).unwrap() =
        weft::runtime::Work::Callback(Box::new(move |_| {
            counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }));
    real.mapped_mut().unwrap().fill(0);
    for expected in 1..=2 {
        executor.execute(&mut g, &mut ()).unwrap();
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), expected);
        assert_eq!(words(&real.mapped().unwrap()), vec![0; 64]);
    }
    support::assert_no_messages(&ctx);
}

#[test]
fn a_recording_nothing_watches_gives_the_same_results() {
    // Without debug labels, profiling or capture the executor records through its unwatched
    // loop: a fixed dispatch (kept whole in the plan's replay), a fill (a callback) and a
    // dispatch whose push constants come from the frame data (recorded through the graph),
    // with frames in flight.
    let ctx = context();
    let mix = buffer_mix(&ctx);
    let input: Vec<u32> = (0..64).collect();
    let s_real = support::filled_buffer(&ctx, "s", BUFFER_USAGE, &bytes_of(&input));
    let make = |name: &str| host_buffer(&ctx, name, 64);
    let (b_real, c_real, d_real) = (make("b"), make("c"), make("d"));
    for labels in [false, true] {
        let mut g: Graph<u32> = Graph::new();
        let [s, b, c, d] = support::import_buffers(
            &mut g,
            [
                ("s", &s_real),
                ("b", &b_real),
                ("c", &c_real),
                ("d", &d_real),
            ],
        );
        record_mix(&mut g, "b from s", &mix, [s, s, b], 1);
        g.fill("c = 5", c, 5).unwrap();
        g.compute("d from b and c", &mix)
            .bind("src_a", b)
            .bind("src_b", c)
            .bind("dst", d)
            .push_constants_with(|frame: &u32, bytes: &mut [u8]| {
                bytes.copy_from_slice(&bytes_of(&[64, *frame, 1, 0]));
            })
            .record()
            .unwrap();
        let mut executor = Executor::with_frames_in_flight(&ctx, 3).unwrap();
        executor.label_tasks(labels);
        for mut frame in 1..=10u32 {
            executor.execute(&mut g, &mut frame).unwrap();
        }
        executor.wait_idle().unwrap();
        let b_expected: Vec<u32> = input.iter().map(|v| v * 3 + v + 1).collect();
        let d_expected: Vec<u32> = b_expected.iter().map(|v| v * 3 + 5 + 10).collect();
        assert_eq!(
            words(&b_real.mapped().unwrap()),
            b_expected,
            "labels {labels}"
        );
        assert_eq!(
            words(&d_real.mapped().unwrap()),
            d_expected,
            "labels {labels}"
        );
    }
    support::assert_no_messages(&ctx);
}
