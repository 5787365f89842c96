//! Draw tasks beyond one plain color target: a texture sampled through a separate sampler
//! (an immutable sampler in the pipeline layout), and draws into a layer range of an array
//! image. Read back and checked texel by texel, with validation and synchronization
//! validation on.

mod support;

use std::sync::Arc;

use support::{assert_no_messages, context, vertex_draw, words};
use weft::prelude::*;
use weft::runtime::{Context, GraphicsPipeline, GraphicsPipelineDesc};

const SIZE: u32 = 16;
const COLOR: vk::Format = vk::Format::R8G8B8A8_UNORM;

/// A fullscreen triangle (from the vertex index, no vertex buffer) and a fragment shader.
fn pipeline(ctx: &Arc<Context>, fragment: &str) -> Arc<GraphicsPipeline> {
    let code = format!(
        "{fragment}
@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {{
    let x = f32((i << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(i & 2u) * 2.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}}"
    );
    let desc = GraphicsPipelineDesc {
        color_formats: vec![COLOR],
        ..Default::default()
    };
    GraphicsPipeline::from_source(ctx, "fullscreen.wgsl", &code, &desc).unwrap()
}

/// A transient `SIZE` x `SIZE` color image with `layers` layers and `usage`.
fn color_image(g: &mut Graph, name: &str, usage: vk::ImageUsageFlags, layers: u32) -> TaskImage {
    let desc = ImageDesc::new_2d(COLOR, SIZE, SIZE, usage).with_layers(layers);
    g.transient_image(name, desc).unwrap()
}

/// A host-visible buffer of `size` bytes the color images are read back into, imported into
/// `g` as "readback": the real buffer and the task buffer.
fn readback_buffer(ctx: &Arc<Context>, g: &mut Graph, size: u64) -> (Arc<Buffer>, TaskBuffer) {
    let usage = vk::BufferUsageFlags::TRANSFER_DST;
    let real = support::host_buffer(ctx, "readback", size, usage);
    let task = g.import_buffer("readback", &real).unwrap();
    (real, task)
}

/// Every texel of `bytes` (RGBA8) is `rgba`, give or take one level.
fn all_texels(bytes: &[u8], rgba: [u8; 4], what: &str) {
    for (i, texel) in bytes.chunks_exact(4).enumerate() {
        let close = texel.iter().zip(rgba).all(|(&a, b)| a.abs_diff(b) <= 1);
        assert!(close, "{what}: texel {i} is {texel:?}, expected {rgba:?}");
    }
}

#[test]
fn a_draw_samples_a_texture_through_a_separate_sampler() {
    let ctx = context();
    let pipe = pipeline(
        &ctx,
        "@group(0) @binding(0) var tex: texture_2d<f32>;
@group(0) @binding(1) var samp: sampler;
@fragment
fn fs(@builtin(position) p: vec4<f32>) -> @location(0) vec4<f32> {
    return textureSample(tex, samp, p.xy / 16.0);
}",
    );
    let mut g: Graph = Graph::new();
    let (readback, out) = readback_buffer(&ctx, &mut g, u64::from(SIZE * SIZE) * 4);
    let texture_usage = vk::ImageUsageFlags::SAMPLED | vk::ImageUsageFlags::TRANSFER_DST;
    let texture = g
        .transient_image("texture", ImageDesc::new_2d(COLOR, 4, 4, texture_usage))
        .unwrap();
    let target_usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::TRANSFER_SRC;
    let target = color_image(&mut g, "target", target_usage, 1);
    g.clear_color("texture", texture, [0.2, 0.4, 0.6, 1.0])
        .unwrap();
    let fullscreen = vertex_draw(3);
    g.draw("sample", &pipe, fullscreen)
        .color(target, Some([0.0, 0.0, 0.0, 0.0]))
        .bind("tex", texture)
        .record()
        .unwrap();
    support::read_back(&mut g, "read back", target, out, [SIZE, SIZE], 1, 1);
    support::execute_once(&ctx, &mut g);
    all_texels(&readback.mapped().unwrap(), [51, 102, 153, 255], "target");
    assert_no_messages(&ctx);
}

#[test]
fn a_draw_renders_into_a_layer_range_of_an_array_image() {
    let ctx = context();
    let pipe = pipeline(
        &ctx,
        "@fragment
fn fs() -> @location(0) vec4<f32> {
    return vec4<f32>(1.0, 0.0, 0.0, 1.0);
}",
    );
    let layer_bytes = u64::from(SIZE * SIZE) * 4;
    let mut g: Graph = Graph::new();
    let (readback, out) = readback_buffer(&ctx, &mut g, 3 * layer_bytes);
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT
        | vk::ImageUsageFlags::TRANSFER_SRC
        | vk::ImageUsageFlags::TRANSFER_DST;
    let layers = color_image(&mut g, "layers", usage, 3);
    let fullscreen = vertex_draw(3);
    // Green everywhere; then a draw into layer 2 alone; then one into layers 0..2, which
    // clears both to blue and draws into the first layer of the range.
    g.clear_color("green", layers, [0.0, 1.0, 0.0, 1.0])
        .unwrap();
    g.draw("into layer 2", &pipe, fullscreen)
        .color(layers.whole().layers(2..3), None)
        .record()
        .unwrap();
    g.draw("into layers 0..2", &pipe, fullscreen)
        .color(layers.whole().layers(0..2), Some([0.0, 0.0, 1.0, 1.0]))
        .record()
        .unwrap();
    support::read_back(&mut g, "read back", layers, out, [SIZE, SIZE], 1, 3);
    support::execute_once(&ctx, &mut g);
    let bytes = readback.mapped().unwrap();
    let layer = |i: usize| &bytes[i * layer_bytes as usize..(i + 1) * layer_bytes as usize];
    all_texels(
        layer(0),
        [255, 0, 0, 255],
        "layer 0 (drawn, first of the range)",
    );
    all_texels(
        layer(1),
        [0, 0, 255, 255],
        "layer 1 (cleared by the range's draw)",
    );
    all_texels(layer(2), [255, 0, 0, 255], "layer 2 (drawn alone)");
    assert!(words(&bytes).len() == 3 * (SIZE * SIZE) as usize);
    assert_no_messages(&ctx);
}

#[test]
fn attachments_of_different_layer_counts_are_an_error() {
    let ctx = context();
    let desc = GraphicsPipelineDesc {
        color_formats: vec![COLOR, COLOR],
        ..Default::default()
    };
    let code = "@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
    return vec4<f32>(f32(i), 0.0, 0.0, 1.0);
}
struct Out { @location(0) a: vec4<f32>, @location(1) b: vec4<f32> }
@fragment
fn fs() -> Out {
    return Out(vec4<f32>(1.0), vec4<f32>(1.0));
}";
    let pipe = GraphicsPipeline::from_source(&ctx, "two.wgsl", code, &desc).unwrap();
    let mut g: Graph = Graph::new();
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT;
    let one = color_image(&mut g, "one layer", usage, 1);
    let two = color_image(&mut g, "two layers", usage, 2);
    let draw = vertex_draw(3);
    let e = g
        .draw("mixed", &pipe, draw)
        .color(one, None)
        .color(two, None)
        .record()
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    assert!(text.contains("mixed") && text.contains("layers"), "{text}");
    assert_eq!(g.task_count(), 0);
}

#[test]
fn a_sampled_binding_in_the_general_layout_needs_no_layout_transition() {
    let ctx = context();
    let write = ComputePipeline::from_source(
        &ctx,
        "write.wgsl",
        "@group(0) @binding(0) var img: texture_storage_2d<r32float, write>;
@compute @workgroup_size(4, 4)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    textureStore(img, vec2<i32>(id.xy), vec4<f32>(f32(id.x + 4u * id.y), 0.0, 0.0, 1.0));
}",
    )
    .unwrap();
    let read = ComputePipeline::from_source(
        &ctx,
        "read.wgsl",
        "@group(0) @binding(0) var img: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(4, 4)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    out[id.x + 4u * id.y] = textureLoad(img, vec2<i32>(id.xy), 0).x * 2.0;
}",
    )
    .unwrap();
    let readback = support::host_buffer(&ctx, "out", 64, vk::BufferUsageFlags::STORAGE_BUFFER);
    let mut g: Graph = Graph::new();
    let out = g.import_buffer("out", &readback).unwrap();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let img = g
        .transient_image(
            "img",
            ImageDesc::new_2d(vk::Format::R32_SFLOAT, 4, 4, usage),
        )
        .unwrap();
    g.compute("write", &write)
        .bind("img", img)
        .record()
        .unwrap();
    g.compute("read", &read)
        .bind_general("img", img)
        .bind("out", out)
        .record()
        .unwrap();
    let plan = g.plan().unwrap();
    assert_eq!(plan.batch_count(), 2);
    let between = plan.barriers_before(1);
    assert!(between.image.is_empty(), "{}", g.describe().unwrap());
    assert!(!between.memory.is_empty(), "{}", g.describe().unwrap());
    support::execute_once(&ctx, &mut g);
    let values: Vec<f32> = readback
        .mapped()
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let expected: Vec<f32> = (0..16).map(|i| i as f32 * 2.0).collect();
    assert_eq!(values, expected);
    assert_no_messages(&ctx);
}

/// A draw whose result a later, conditional draw overwrites: when the later one does not
/// run, the first one's target is read back. (lavapipe keeps what a `DONT_CARE` store
/// leaves, so the values cannot show a wrong store operation; the planner's test
/// `an_attachment_a_skipped_task_would_overwrite_is_stored` checks the decision.)
#[test]
fn a_draw_whose_overwriting_draw_is_skipped_stores_its_target() {
    let ctx = context();
    let red = pipeline(
        &ctx,
        "@fragment
fn fs() -> @location(0) vec4<f32> {
    return vec4<f32>(1.0, 0.0, 0.0, 1.0);
}",
    );
    let mut g: Graph = Graph::new();
    let (readback, out) = readback_buffer(&ctx, &mut g, u64::from(SIZE * SIZE) * 4);
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::TRANSFER_SRC;
    let target = color_image(&mut g, "target", usage, 1);
    let overwrite = g.condition("overwrite").unwrap();
    let fullscreen = vertex_draw(3);
    g.draw("red", &red, fullscreen)
        .color(target, Some([0.0, 0.0, 0.0, 1.0]))
        .record()
        .unwrap();
    // Clears to blue and draws nothing (no vertices): with every task, red's result is
    // overwritten before anyone reads it.
    g.draw("blue", &red, vertex_draw(0))
        .color(target, Some([0.0, 0.0, 1.0, 1.0]))
        .only_if(overwrite.is(true))
        .record()
        .unwrap();
    support::read_back(&mut g, "read back", target, out, [SIZE, SIZE], 1, 1);
    let mut executor = Executor::new(&ctx).unwrap();
    for (on, expected) in [
        (true, [0, 0, 255, 255]),
        (false, [255, 0, 0, 255]),
        (true, [0, 0, 255, 255]),
    ] {
        g.set_condition(overwrite, on).unwrap();
        executor.execute(&mut g, &mut ()).unwrap();
        let bytes = readback.mapped().unwrap();
        all_texels(
            &bytes,
            expected,
            if on { "overwritten" } else { "red, stored" },
        );
    }
    assert_eq!(g.plan_compiles(), 2);
    assert_no_messages(&ctx);
}
