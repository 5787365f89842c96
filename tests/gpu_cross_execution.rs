//! GPU fuzz across executions: 200 random sequences of executions of three compiled graphs
//! over shared real buffers and images, with 1 to 3 frames in flight and no host waits
//! between executions (only the executor's own, before reusing a frame slot), every
//! external resource bound to another real one each execution. Buffers are device-local
//! (a host-visible buffer would add a barrier to the host after every execution, which
//! orders everything) and used in overlapping and disjoint ranges; images (2 mips, 2 layers)
//! go through GENERAL (storage), SHADER_READ_ONLY (sampled), TRANSFER_SRC and TRANSFER_DST.
//! Tasks: compute (buffer and image mixes, a sampled read), draws (a fullscreen triangle
//! into a color attachment that samples an image and reads a storage buffer in the fragment
//! shader), fills, clears and copies.
//! Each sequence ends with a read-back whose values must equal a CPU evaluation in
//! submission order, with validation, synchronization validation (submit-time checks and the
//! shader-access heuristic on) and zero messages. The executor captures what it records
//! (`Executor::capture_commands`), and our own judge (`weft-judge`) must find no hazard in
//! the whole sequence either: the layer misses hazards across executions, and lavapipe
//! gives right values without the barriers.

use std::sync::Arc;

use support::judged::{add_buffer, add_image, judge_events};
use support::{bytes_of, context, words, Rng};
use weft::prelude::*;
use weft::runtime::{
    Buffer, ComputePipeline, Context, Draw, Executor, Graph, GraphicsPipeline,
    GraphicsPipelineDesc, Image, MemoryLocation,
};
use weft_judge::Judge;

mod support;

const REAL_BUFFERS: usize = 4;
const REAL_IMAGES: usize = 3;
const VIRTUAL_BUFFERS: usize = 3;
const VIRTUAL_IMAGES: usize = 2;
/// Words per buffer, in chunks of 64 words (256-byte aligned views).
const WORDS: usize = 256;
const CHUNK: usize = 64;
const SIDE: u32 = 8;
const MIPS: u32 = 2;
const LAYERS: u32 = 2;

/// Storage, copied from and to.
const BUFFER_USAGE: vk::BufferUsageFlags = support::STORAGE_TRANSFER;
const IMAGE_USAGE: vk::ImageUsageFlags = vk::ImageUsageFlags::from_raw(
    vk::ImageUsageFlags::STORAGE.as_raw()
        | vk::ImageUsageFlags::SAMPLED.as_raw()
        | vk::ImageUsageFlags::COLOR_ATTACHMENT.as_raw()
        | vk::ImageUsageFlags::TRANSFER_SRC.as_raw()
        | vk::ImageUsageFlags::TRANSFER_DST.as_raw(),
);

fn side(mip: u32) -> u32 {
    SIDE >> mip
}

/// A subresource of a virtual image.
#[derive(Clone, Copy)]
struct Sub {
    image: usize,
    mip: u32,
    layer: u32,
}

/// What a task does, over virtual resources (buffers by index and word offset).
#[derive(Clone, Copy)]
enum Op {
    Mix {
        a: (usize, usize),
        b: (usize, usize),
        dst: (usize, usize),
        count: usize,
        seed: u32,
    },
    Fill {
        dst: (usize, usize),
        count: usize,
        value: u32,
    },
    Copy {
        src: (usize, usize),
        dst: (usize, usize),
        count: usize,
    },
    ImageMix {
        src: Sub,
        row: usize,
        dst: Sub,
        seed: u32,
        sampled: bool,
    },
    Draw {
        src: Sub,
        row: usize,
        dst: Sub,
        seed: u32,
    },
    Clear {
        dst: Sub,
        value: u32,
    },
    CopyImage {
        src: Sub,
        dst: Sub,
    },
    ImageToBuffer {
        src: Sub,
        dst: (usize, usize),
    },
    BufferToImage {
        src: (usize, usize),
        dst: Sub,
    },
}

/// The CPU model of the real resources.
struct Model {
    words: Vec<Vec<u32>>,
    /// By (real image, mip, layer).
    texels: Vec<Vec<u32>>,
}

fn slot(image: usize, mip: u32, layer: u32) -> usize {
    (image * MIPS as usize + mip as usize) * LAYERS as usize + layer as usize
}

impl Model {
    /// `dst[i] = src[i] * factor + row[i] + seed` over subresource slots `src` and `dst`.
    fn mix_texels(&mut self, src: usize, row: usize, dst: usize, factor: u32, seed: u32) {
        let from = self.texels[src].clone();
        let row = &self.words[row];
        for (i, texel) in self.texels[dst].iter_mut().enumerate() {
            *texel = from[i]
                .wrapping_mul(factor)
                .wrapping_add(row[i])
                .wrapping_add(seed);
        }
    }

    /// Applies `op` with virtual buffer `v` bound to `buffers[v]` and image `v` to
    /// `images[v]`.
    fn apply(&mut self, op: &Op, buffers: &[usize], images: &[usize]) {
        let sub = |s: &Sub| slot(images[s.image], s.mip, s.layer);
        match *op {
            Op::Mix {
                a,
                b,
                dst,
                count,
                seed,
            } => {
                for i in 0..count {
                    let value = self.words[buffers[a.0]][a.1 + i]
                        .wrapping_mul(3)
                        .wrapping_add(self.words[buffers[b.0]][b.1 + i])
                        .wrapping_add(seed);
                    self.words[buffers[dst.0]][dst.1 + i] = value;
                }
            }
            Op::Fill { dst, count, value } => {
                self.words[buffers[dst.0]][dst.1..dst.1 + count].fill(value);
            }
            Op::Copy { src, dst, count } => {
                let from = self.words[buffers[src.0]][src.1..src.1 + count].to_vec();
                self.words[buffers[dst.0]][dst.1..dst.1 + count].copy_from_slice(&from);
            }
            Op::ImageMix {
                src,
                row,
                dst,
                seed,
                sampled,
            } => {
                let factor = if sampled { 7 } else { 5 };
                self.mix_texels(sub(&src), buffers[row], sub(&dst), factor, seed);
            }
            Op::Draw {
                src,
                row,
                dst,
                seed,
            } => self.mix_texels(sub(&src), buffers[row], sub(&dst), 9, seed),
            Op::Clear { dst, value } => self.texels[sub(&dst)].fill(value),
            Op::CopyImage { src, dst } => {
                let from = self.texels[sub(&src)].clone();
                self.texels[sub(&dst)].copy_from_slice(&from);
            }
            Op::ImageToBuffer { src, dst } => {
                let from = self.texels[sub(&src)].clone();
                self.words[buffers[dst.0]][dst.1..dst.1 + from.len()].copy_from_slice(&from);
            }
            Op::BufferToImage { src, dst } => {
                let n = self.texels[sub(&dst)].len();
                let from = self.words[buffers[src.0]][src.1..src.1 + n].to_vec();
                self.texels[sub(&dst)].copy_from_slice(&from);
            }
        }
    }
}

/// The pipelines the tasks use.
struct Pipelines {
    buffer_mix: Arc<ComputePipeline>,
    image_mix: Arc<ComputePipeline>,
    sample_mix: Arc<ComputePipeline>,
    draw_mix: Arc<GraphicsPipeline>,
}

fn pick_sub(rng: &mut Rng) -> Sub {
    Sub {
        image: rng.below(VIRTUAL_IMAGES as u64) as usize,
        mip: rng.below(MIPS as u64) as u32,
        layer: rng.below(LAYERS as u64) as u32,
    }
}

/// Another subresource of the same mip (so copies and mixes have equal extents) than `src`.
fn other_sub(rng: &mut Rng, src: Sub) -> Sub {
    let mut dst = Sub {
        mip: src.mip,
        ..pick_sub(rng)
    };
    if dst.image == src.image && dst.layer == src.layer {
        dst.layer = 1 - dst.layer;
    }
    dst
}

/// A random operation; buffers are picked distinct where one task reads and writes them.
fn random_op(rng: &mut Rng, seed: u32) -> Op {
    let chunks = 1 + rng.below(2) as usize;
    let count = chunks * CHUNK;
    let offset = |rng: &mut Rng| rng.below((WORDS / CHUNK - chunks + 1) as u64) as usize * CHUNK;
    let (a, b) = (
        rng.below(VIRTUAL_BUFFERS as u64) as usize,
        rng.below(VIRTUAL_BUFFERS as u64) as usize,
    );
    let mut dst = rng.below(VIRTUAL_BUFFERS as u64) as usize;
    while dst == a || dst == b {
        dst = (dst + 1) % VIRTUAL_BUFFERS;
    }
    match rng.below(9) {
        0 => Op::Mix {
            a: (a, offset(rng)),
            b: (b, offset(rng)),
            dst: (dst, offset(rng)),
            count,
            seed,
        },
        1 => Op::Fill {
            dst: (dst, offset(rng)),
            count,
            value: seed,
        },
        2 => Op::Copy {
            src: (a, offset(rng)),
            dst: (dst, offset(rng)),
            count,
        },
        3 | 4 => {
            let src = pick_sub(rng);
            Op::ImageMix {
                src,
                row: a,
                dst: other_sub(rng, src),
                seed,
                sampled: rng.below(2) == 0,
            }
        }
        5 => Op::Clear {
            dst: pick_sub(rng),
            value: seed,
        },
        8 => {
            let src = pick_sub(rng);
            Op::Draw {
                src,
                row: a,
                dst: other_sub(rng, src),
                seed,
            }
        }
        6 => {
            let src = pick_sub(rng);
            Op::CopyImage {
                src,
                dst: other_sub(rng, src),
            }
        }
        _ => {
            let sub = pick_sub(rng);
            if rng.below(2) == 0 {
                Op::ImageToBuffer {
                    src: sub,
                    dst: (dst, 0),
                }
            } else {
                Op::BufferToImage {
                    src: (a, 0),
                    dst: sub,
                }
            }
        }
    }
}

/// Records `op` as task `name` into `g`, over its virtual `buffers` and `images`.
fn record(
    g: &mut Graph,
    name: &str,
    op: &Op,
    p: &Pipelines,
    buffers: &[TaskBuffer],
    images: &[TaskImage],
) {
    let range =
        |(b, off): (usize, usize), count: usize| buffers[b].range(off as u64 * 4, count as u64 * 4);
    let view = |s: &Sub| images[s.image].mip(s.mip).layer(s.layer);
    let texels = |s: &Sub| (side(s.mip) * side(s.mip)) as usize;
    match *op {
        Op::Mix {
            a,
            b,
            dst,
            count,
            seed,
        } => g
            .compute(name, &p.buffer_mix)
            .bind("src_a", range(a, count))
            .bind("src_b", range(b, count))
            .bind("dst", range(dst, count))
            .push_constants(&bytes_of(&[count as u32, seed, 1, 0]))
            .dispatch([(count as u32).div_ceil(64), 1, 1])
            .record()
            .map(drop),
        Op::Fill { dst, count, value } => g.fill(name, range(dst, count), value).map(drop),
        Op::Copy { src, dst, count } => g
            .copy_buffer(name, range(src, count), range(dst, count))
            .map(drop),
        Op::ImageMix {
            src,
            row,
            dst,
            seed,
            sampled,
        } => {
            let n = side(src.mip);
            let pipeline = if sampled { &p.sample_mix } else { &p.image_mix };
            g.compute(name, pipeline)
                .bind("src", view(&src))
                .bind("row", range((row, 0), texels(&src)))
                .bind("dst", view(&dst))
                .push_constants(&bytes_of(&[n, seed]))
                .dispatch([n.div_ceil(8), n.div_ceil(8), 1])
                .record()
                .map(drop)
        }
        Op::Draw {
            src,
            row,
            dst,
            seed,
        } => {
            let n = side(src.mip);
            let fullscreen = Draw::Vertices {
                count: 3,
                instances: 1,
            };
            g.draw(name, &p.draw_mix, fullscreen)
                .color(view(&dst), None)
                .bind("src", view(&src))
                .bind("row", range((row, 0), texels(&src)))
                .push_constants(&bytes_of(&[n, seed]))
                .record()
                .map(drop)
        }
        Op::Clear { dst, value } => g.clear_color(name, view(&dst), [value, 0, 0, 0]).map(drop),
        Op::CopyImage { src, dst } => g.copy_image(name, view(&src), view(&dst)).map(drop),
        Op::ImageToBuffer { src, dst } => g
            .copy_image_to_buffer(name, view(&src), range(dst, texels(&src)))
            .map(drop),
        Op::BufferToImage { src, dst } => g
            .copy_buffer_to_image(name, range(src, texels(&dst)), view(&dst))
            .map(drop),
    }
    .unwrap_or_else(|e| panic!("task {name}: {e}"));
}

fn image_desc() -> ImageDesc {
    support::uint_image_desc(SIDE, MIPS, LAYERS, IMAGE_USAGE)
}

/// A graph of a few random tasks over unbound external resources, and its operations.
struct Recorded {
    graph: Graph,
    ops: Vec<Op>,
    buffers: Vec<TaskBuffer>,
    images: Vec<TaskImage>,
}

fn random_graph(rng: &mut Rng, p: &Pipelines, index: usize, seed: u32) -> Recorded {
    let mut graph = Graph::new();
    let desc = BufferDesc {
        size: WORDS as u64 * 4,
        usage: BUFFER_USAGE,
    };
    let buffers: Vec<TaskBuffer> = (0..VIRTUAL_BUFFERS)
        .map(|i| {
            graph
                .external_buffer(&format!("g{index}.b{i}"), desc)
                .unwrap()
        })
        .collect();
    let images: Vec<TaskImage> = (0..VIRTUAL_IMAGES)
        .map(|i| {
            graph
                .external_image(&format!("g{index}.i{i}"), image_desc())
                .unwrap()
        })
        .collect();
    let ops: Vec<Op> = (0..2 + rng.below(4))
        .map(|t| random_op(rng, seed + t as u32))
        .collect();
    for (t, op) in ops.iter().enumerate() {
        record(
            &mut graph,
            &format!("g{index}.t{t}"),
            op,
            p,
            &buffers,
            &images,
        );
    }
    Recorded {
        graph,
        ops,
        buffers,
        images,
    }
}

/// Distinct `count` of `0..total`, in random order.
fn distinct(rng: &mut Rng, count: usize, total: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..total).collect();
    (0..count)
        .map(|_| all.swap_remove(rng.below(all.len() as u64) as usize))
        .collect()
}

/// Sets every real buffer and image subresource to known values (and the model with them).
fn initialise(
    executor: &mut Executor,
    reals: &[Arc<Buffer>],
    images: &[Arc<Image>],
    model: &mut Model,
    seed: u32,
) {
    let mut g = Graph::new();
    for (b, real) in reals.iter().enumerate() {
        let v = g.import_buffer(&format!("b{b}"), real).unwrap();
        let value = seed.wrapping_add(b as u32 * 11);
        g.fill(&format!("fill b{b}"), v.whole(), value).unwrap();
        model.words[b].fill(value);
    }
    for (i, real) in images.iter().enumerate() {
        let v = g.import_image(&format!("i{i}"), real).unwrap();
        for (mip, layer) in support::subresources(MIPS, LAYERS) {
            let value = seed.wrapping_add(100 + slot(i, mip, layer) as u32);
            g.clear_color(
                &format!("clear i{i}"),
                v.mip(mip).layer(layer),
                [value, 0, 0, 0],
            )
            .unwrap();
            model.texels[slot(i, mip, layer)].fill(value);
        }
    }
    executor.execute(&mut g, &mut ()).unwrap();
}

/// Reads every real buffer and image back and compares it with the model.
/// Returns the host-visible buffers read into (the judge must know them).
fn check(
    ctx: &Arc<Context>,
    executor: &mut Executor,
    reals: &[Arc<Buffer>],
    images: &[Arc<Image>],
    model: &Model,
    what: &str,
) -> Vec<Arc<Buffer>> {
    let mut g = Graph::new();
    let texels: usize = (0..MIPS)
        .map(|m| (side(m) * side(m) * LAYERS) as usize)
        .sum();
    let outs: Vec<Arc<Buffer>> = (0..reals.len() + images.len())
        .map(|i| {
            let words = if i < reals.len() { WORDS } else { texels };
            support::host_buffer(ctx, &format!("out{i}"), words as u64 * 4, BUFFER_USAGE)
        })
        .collect();
    for (b, real) in reals.iter().enumerate() {
        let src = g.import_buffer(&format!("b{b}"), real).unwrap();
        let dst = g.import_buffer(&format!("out{b}"), &outs[b]).unwrap();
        g.copy_buffer(&format!("read b{b}"), src.whole(), dst.whole())
            .unwrap();
    }
    for (i, real) in images.iter().enumerate() {
        let src = g.import_image(&format!("i{i}"), real).unwrap();
        let out = &outs[reals.len() + i];
        let dst = g.import_buffer(&format!("out i{i}"), out).unwrap();
        support::read_back(
            &mut g,
            &format!("read i{i}"),
            src,
            dst,
            [SIDE, SIDE],
            MIPS,
            LAYERS,
        );
    }
    executor.execute(&mut g, &mut ()).unwrap();
    executor.wait_idle().unwrap();
    for (b, out) in outs.iter().take(reals.len()).enumerate() {
        assert_eq!(
            words(&out.mapped().unwrap()),
            model.words[b],
            "{what}, buffer {b}"
        );
    }
    for i in 0..images.len() {
        let expected: Vec<u32> = support::subresources(MIPS, LAYERS)
            .flat_map(|(mip, layer)| model.texels[slot(i, mip, layer)].clone())
            .collect();
        let out = &outs[reals.len() + i];
        assert_eq!(words(&out.mapped().unwrap()), expected, "{what}, image {i}");
    }
    outs
}

#[test]
fn random_sequences_of_executions_match_a_cpu_evaluation() {
    let ctx = context();
    let pipelines = Pipelines {
        buffer_mix: ComputePipeline::from_source(
            &ctx,
            "shaders/buffer_mix.wgsl",
            include_str!("../shaders/buffer_mix.wgsl"),
        )
        .unwrap(),
        image_mix: ComputePipeline::from_source(
            &ctx,
            "shaders/image_mix.wgsl",
            include_str!("../shaders/image_mix.wgsl"),
        )
        .unwrap(),
        sample_mix: ComputePipeline::from_source(
            &ctx,
            "shaders/sample_mix.wgsl",
            include_str!("../shaders/sample_mix.wgsl"),
        )
        .unwrap(),
        draw_mix: GraphicsPipeline::from_source(
            &ctx,
            "shaders/draw_mix.wgsl",
            include_str!("../shaders/draw_mix.wgsl"),
            &GraphicsPipelineDesc {
                color_formats: vec![vk::Format::R32_UINT],
                ..Default::default()
            },
        )
        .unwrap(),
    };
    let reals: Vec<Arc<Buffer>> = (0..REAL_BUFFERS)
        .map(|i| {
            support::buffer(
                &ctx,
                &format!("real{i}"),
                WORDS as u64 * 4,
                BUFFER_USAGE,
                MemoryLocation::GpuOnly,
            )
        })
        .collect();
    let images: Vec<Arc<Image>> = (0..REAL_IMAGES)
        .map(|i| Arc::new(Image::new(&ctx, &format!("image{i}"), &image_desc()).unwrap()))
        .collect();
    let mut model = Model {
        words: vec![vec![0; WORDS]; REAL_BUFFERS],
        texels: (0..REAL_IMAGES * (MIPS * LAYERS) as usize)
            .map(|s| vec![0; (side((s / LAYERS as usize % MIPS as usize) as u32).pow(2)) as usize])
            .collect(),
    };
    let mut rng = Rng::new(0x5eed_c0ff_ee12_3457);
    let (mut executions, mut tasks, mut judged) = (0, 0, 0);
    let mut judge = Judge::new();
    for (i, image) in images.iter().enumerate() {
        add_image(&mut judge, image, &format!("image{i}"));
    }
    for sequence in 0..200u32 {
        let frames = 1 + rng.below(3) as usize;
        let mut executor = Executor::with_frames_in_flight(&ctx, frames).unwrap();
        executor.capture_commands(true);
        initialise(&mut executor, &reals, &images, &mut model, sequence * 1000);
        let mut graphs: Vec<Recorded> = (0..3)
            .map(|i| random_graph(&mut rng, &pipelines, i, sequence * 1000 + i as u32 * 100))
            .collect();
        for _ in 0..4 + rng.below(5) {
            let recorded = &mut graphs[rng.below(3) as usize];
            let bound_buffers = distinct(&mut rng, VIRTUAL_BUFFERS, REAL_BUFFERS);
            let bound_images = distinct(&mut rng, VIRTUAL_IMAGES, REAL_IMAGES);
            for (v, &real) in recorded.buffers.iter().zip(&bound_buffers) {
                recorded.graph.bind_buffer(*v, &reals[real]).unwrap();
            }
            for (v, &real) in recorded.images.iter().zip(&bound_images) {
                recorded.graph.bind_image(*v, &images[real]).unwrap();
            }
            executor.execute(&mut recorded.graph, &mut ()).unwrap();
            for op in &recorded.ops {
                model.apply(op, &bound_buffers, &bound_images);
            }
            executions += 1;
            tasks += recorded.ops.len();
        }
        let what = format!("sequence {sequence} ({frames} frames in flight)");
        let outs = check(&ctx, &mut executor, &reals, &images, &model, &what);
        // The real buffers once (their state carries over); the read-back buffers are new.
        let new = if sequence == 0 { &reals[..] } else { &[] };
        for buffer in new.iter().chain(&outs) {
            add_buffer(&mut judge, buffer);
        }
        let captured = executor.take_captured();
        let hazards = judge_events(&mut judge, &captured);
        assert!(hazards.is_empty(), "{what}: {hazards:#?}");
        judged += captured.len();
        assert_eq!(
            ctx.validation_messages(),
            0,
            "sequence {sequence} ({frames} frames in flight):\n{}",
            ctx.validation_log().join("\n")
        );
    }
    println!("{executions} executions of {tasks} tasks in 200 sequences, {judged} events judged");
}
