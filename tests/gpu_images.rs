//! GPU fuzz over images with mips and layers: random graphs of transfer tasks (clears,
//! buffer -> image, image -> buffer and image -> image copies) over two external images and
//! three buffers must give the result of a CPU evaluation in record order, with validation
//! and synchronization validation on and zero messages. The images persist across graphs,
//! so every graph starts by bridging from the layouts the previous one left.

use std::sync::Arc;

use support::{context, words, Rng};
use weft::prelude::*;
use weft::runtime::{Buffer, Executor, Graph, Image};

mod support;

const SIZE: u32 = 16;
const MIPS: u32 = 4;
const LAYERS: u32 = 2;
const IMAGES: usize = 2;
const BUFFERS: usize = 3;
/// Words per buffer: enough for one mip-0 layer.
const BUFFER_WORDS: u64 = (SIZE * SIZE) as u64;

const BUFFER_USAGE: vk::BufferUsageFlags = vk::BufferUsageFlags::from_raw(
    vk::BufferUsageFlags::TRANSFER_SRC.as_raw() | vk::BufferUsageFlags::TRANSFER_DST.as_raw(),
);
const IMAGE_USAGE: vk::ImageUsageFlags = vk::ImageUsageFlags::from_raw(
    vk::ImageUsageFlags::TRANSFER_SRC.as_raw() | vk::ImageUsageFlags::TRANSFER_DST.as_raw(),
);

fn image_desc() -> ImageDesc {
    support::uint_image_desc(SIZE, MIPS, LAYERS, IMAGE_USAGE)
}

fn side(mip: u32) -> u32 {
    SIZE >> mip
}

fn layers(mip: u32, layer: u32) -> vk::ImageSubresourceLayers {
    vk::ImageSubresourceLayers {
        aspect_mask: vk::ImageAspectFlags::COLOR,
        mip_level: mip,
        base_array_layer: layer,
        layer_count: 1,
    }
}

fn extent(mip: u32) -> vk::Extent3D {
    vk::Extent3D {
        width: side(mip),
        height: side(mip),
        depth: 1,
    }
}

/// The copy region between one (mip, layer) and the start of a tightly packed buffer.
fn buffer_region(mip: u32, layer: u32) -> vk::BufferImageCopy {
    vk::BufferImageCopy::default()
        .image_subresource(layers(mip, layer))
        .image_extent(extent(mip))
}

/// The CPU model: texels per (image, mip, layer), words per buffer.
struct Model {
    texels: Vec<Vec<u32>>,
    words: Vec<Vec<u32>>,
}

impl Model {
    fn slot(image: usize, mip: u32, layer: u32) -> usize {
        (image * MIPS as usize + mip as usize) * LAYERS as usize + layer as usize
    }
}

/// Records one random task and applies it to the model.
fn random_task(
    g: &mut Graph,
    rng: &mut Rng,
    name: &str,
    value: u32,
    images: &[TaskImage],
    buffers: &[TaskBuffer],
    model: &mut Model,
) {
    let image = rng.below(IMAGES as u64) as usize;
    let mip = rng.below(MIPS as u64) as u32;
    let layer = rng.below(LAYERS as u64) as u32;
    let view = images[image].mip(mip).layer(layer);
    let texels = (side(mip) * side(mip)) as usize;
    let target = images[image];
    match rng.below(4) {
        0 => {
            let (mips, layers) = (mip..mip + 1, layer..layer + 1);
            support::clear_image(g, name, target, mips, layers, value);
            model.texels[Model::slot(image, mip, layer)].fill(value);
        }
        direction @ (1 | 2) => {
            // Buffer -> image (1) or image -> buffer (2), through the start of a buffer.
            let to_image = direction == 1;
            let buffer = rng.below(BUFFERS as u64) as usize;
            let (whole, start) = (buffers[buffer], buffers[buffer].range(0, texels as u64 * 4));
            let (src, dst) = if to_image {
                (View::from(start), View::from(view))
            } else {
                (View::from(view), View::from(start))
            };
            g.task(name)
                .attach(src, access::TRANSFER_SRC)
                .attach(dst, access::TRANSFER_DST)
                .run(move |cx| {
                    let (buffer, image) = (cx.buffer(whole)?, cx.image(target)?);
                    let (device, cmd, region) = (cx.device(), cx.cmd(), buffer_region(mip, layer));
                    // SAFETY: recording; the plan put the subresource in TRANSFER_DST when
                    // copied to, TRANSFER_SRC when copied from.
                    unsafe {
                        if to_image {
                            let layout = vk::ImageLayout::TRANSFER_DST_OPTIMAL;
                            device.cmd_copy_buffer_to_image(cmd, buffer, image, layout, &[region]);
                        } else {
                            let layout = vk::ImageLayout::TRANSFER_SRC_OPTIMAL;
                            device.cmd_copy_image_to_buffer(cmd, image, layout, buffer, &[region]);
                        }
                    }
                    Ok(())
                })
                .record()
                .unwrap();
            let words = &mut model.words[buffer][..texels];
            let subresource = &mut model.texels[Model::slot(image, mip, layer)];
            if to_image {
                subresource.copy_from_slice(words);
            } else {
                words.copy_from_slice(subresource);
            }
        }
        _ => {
            // Image -> image, same mip, the other image (same size, distinct resources).
            let other = 1 - image;
            let src_layer = rng.below(LAYERS as u64) as u32;
            let source = images[other];
            g.task(name)
                .attach(source.mip(mip).layer(src_layer), access::TRANSFER_SRC)
                .attach(view, access::TRANSFER_DST)
                .run(move |cx| {
                    let region = vk::ImageCopy {
                        src_subresource: layers(mip, src_layer),
                        src_offset: vk::Offset3D::default(),
                        dst_subresource: layers(mip, layer),
                        dst_offset: vk::Offset3D::default(),
                        extent: extent(mip),
                    };
                    let (from, to) = (cx.image(source)?, cx.image(target)?);
                    let from_layout = vk::ImageLayout::TRANSFER_SRC_OPTIMAL;
                    let to_layout = vk::ImageLayout::TRANSFER_DST_OPTIMAL;
                    // SAFETY: recording; the plan put both subresources in place.
                    unsafe {
                        cx.device().cmd_copy_image(
                            cx.cmd(),
                            from,
                            from_layout,
                            to,
                            to_layout,
                            &[region],
                        )
                    };
                    Ok(())
                })
                .record()
                .unwrap();
            let texels_now = model.texels[Model::slot(other, mip, src_layer)].clone();
            model.texels[Model::slot(image, mip, layer)].copy_from_slice(&texels_now);
        }
    }
}

#[test]
fn random_image_graphs_match_a_cpu_evaluation() {
    let ctx = context();
    let buffer = |name: &str, words: u64| support::host_buffer(&ctx, name, words * 4, BUFFER_USAGE);
    let real_images: Vec<Arc<Image>> = (0..IMAGES)
        .map(|i| Arc::new(Image::new(&ctx, &format!("image{i}"), &image_desc()).unwrap()))
        .collect();
    let real_buffers: Vec<Arc<Buffer>> = (0..BUFFERS)
        .map(|i| buffer(&format!("buffer{i}"), BUFFER_WORDS))
        .collect();
    let texels_per_image: u64 = (0..MIPS)
        .map(|m| u64::from(side(m) * side(m) * LAYERS))
        .sum();
    let readbacks: Vec<Arc<Buffer>> = (0..IMAGES)
        .map(|i| buffer(&format!("readback{i}"), texels_per_image))
        .collect();
    let mut model = Model {
        texels: (0..IMAGES * (MIPS * LAYERS) as usize)
            .map(|slot| {
                vec![0; (side((slot / LAYERS as usize % MIPS as usize) as u32).pow(2)) as usize]
            })
            .collect(),
        words: vec![vec![0; BUFFER_WORDS as usize]; BUFFERS],
    };
    let mut executor = Executor::new(&ctx).unwrap();
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    let mut shared_batches = 0;
    for graph_index in 0..200u32 {
        let mut g = Graph::new();
        let images = support::import_all(&mut g, "i", &real_images, Graph::import_image);
        let buffers = support::import_all(&mut g, "b", &real_buffers, Graph::import_buffer);
        let outs = support::import_all(&mut g, "out", &readbacks, Graph::import_buffer);
        if graph_index == 0 {
            // Defined contents to start from: clear every subresource once.
            for (i, &image) in images.iter().enumerate() {
                support::clear_image(&mut g, &format!("init{i}"), image, 0..MIPS, 0..LAYERS, 0);
            }
        }
        for task in 0..(3 + rng.below(12)) {
            let value = graph_index * 100 + task as u32 + 1;
            random_task(
                &mut g,
                &mut rng,
                &format!("t{task}"),
                value,
                &images,
                &buffers,
                &mut model,
            );
        }
        for i in 0..IMAGES {
            support::read_back(
                &mut g,
                &format!("read back {i}"),
                images[i],
                outs[i],
                [SIZE, SIZE],
                MIPS,
                LAYERS,
            );
        }
        shared_batches += g.task_count() - g.plan().unwrap().batch_count();
        executor.execute(&mut g, &mut ()).unwrap();
        for (i, readback) in readbacks.iter().enumerate() {
            let expected: Vec<u32> = support::subresources(MIPS, LAYERS)
                .flat_map(|(mip, layer)| model.texels[Model::slot(i, mip, layer)].clone())
                .collect();
            assert_eq!(
                words(&readback.mapped().unwrap()),
                expected,
                "graph {graph_index}, image {i}\n{}",
                g.describe().unwrap()
            );
        }
        for (b, real) in real_buffers.iter().enumerate() {
            assert_eq!(
                words(&real.mapped().unwrap()),
                model.words[b],
                "graph {graph_index}"
            );
        }
        assert_eq!(
            ctx.validation_messages(),
            0,
            "graph {graph_index}:\n{}\n{}",
            ctx.validation_log().join("\n"),
            g.describe().unwrap()
        );
    }
    // Independent tasks shared batches.
    assert!(shared_batches > 100, "{shared_batches}");
}
