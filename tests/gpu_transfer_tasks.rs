//! GPU tests of the built-in transfer tasks of `Graph` (copy_buffer, copy_buffer_to_image,
//! copy_image_to_buffer, copy_image, fill, update, clear_color, clear_depth, blit,
//! generate_mips) and of typed clear values on draw attachments, on any Vulkan 1.3 device
//! (lavapipe in CI) with validation and synchronization validation on: every execution
//! must leave zero messages, and every result is read back and checked value by value.
//! Plus the misuses, each an error naming the task and the resource, recording nothing.

mod support;

use std::fmt::Debug;
use std::sync::Arc;

use support::{assert_no_messages, bytes_of, context, vertex_draw, words};
use weft::prelude::*;
use weft::runtime::{
    Buffer, ClearColor, Context, Executor, Graph, GraphicsPipeline, GraphicsPipelineDesc, VkError,
};

const BUFFER_USAGE: vk::BufferUsageFlags = vk::BufferUsageFlags::from_raw(
    vk::BufferUsageFlags::TRANSFER_SRC.as_raw() | vk::BufferUsageFlags::TRANSFER_DST.as_raw(),
);
const IMAGE_USAGE: vk::ImageUsageFlags = vk::ImageUsageFlags::from_raw(
    vk::ImageUsageFlags::TRANSFER_SRC.as_raw() | vk::ImageUsageFlags::TRANSFER_DST.as_raw(),
);

/// A host-visible buffer of `size` bytes the GPU copies into and from, imported into `g` as
/// `name`: the real buffer (to read) and the task buffer.
fn output(ctx: &Arc<Context>, g: &mut Graph, name: &str, size: u64) -> (Arc<Buffer>, TaskBuffer) {
    let real = support::host_buffer(ctx, name, size, BUFFER_USAGE);
    let task = g.import_buffer(name, &real).unwrap();
    (real, task)
}

/// A host-visible buffer holding `bytes`, the source of uploads, imported into `g` as `name`.
fn input(ctx: &Arc<Context>, g: &mut Graph, name: &str, bytes: &[u8]) -> TaskBuffer {
    let real = support::filled_buffer(ctx, name, BUFFER_USAGE, bytes);
    g.import_buffer(name, &real).unwrap()
}

/// Executes `g` once and checks the validation layers stayed silent.
fn run_once<U: 'static>(ctx: &Arc<Context>, g: &mut Graph<U>, data: &mut U) {
    let mut executor = Executor::new(ctx).unwrap();
    executor.execute(g, data).unwrap();
    assert_no_messages(ctx);
}

/// A transient transfer image.
fn image(
    g: &mut Graph,
    name: &str,
    format: vk::Format,
    [w, h]: [u32; 2],
    mips: u32,
    layers: u32,
) -> TaskImage {
    g.transient_image(
        name,
        ImageDesc::new_2d(format, w, h, IMAGE_USAGE)
            .with_mips(mips)
            .with_layers(layers),
    )
    .unwrap()
}

/// Bytes a `[w, h]` image with `mips` mips and `layers` layers of 4-byte texels takes
/// tightly packed.
fn packed_size([w, h]: [u32; 2], mips: u32, layers: u32) -> u64 {
    (0..mips)
        .map(|m| u64::from((w >> m).max(1) * (h >> m).max(1) * layers) * 4)
        .sum()
}

/// Checks `result` is a `VkError::Transfer` naming `task` and `resource`, whose problem
/// mentions every one of `mentions`.
fn assert_transfer_error<T: Debug>(
    result: Result<T, VkError>,
    task: &str,
    resource: &str,
    mentions: &[&str],
) {
    match result {
        Err(VkError::Transfer {
            task: t,
            resource: r,
            problem,
        }) => {
            assert_eq!(t, task, "the task named ({problem})");
            assert_eq!(r, resource, "the resource named ({problem})");
            for m in mentions {
                assert!(problem.contains(m), "`{m}` missing from: {problem}");
            }
        }
        other => panic!("expected a Transfer error for `{task}`, got {other:?}"),
    }
}

#[test]
fn update_fill_and_copy_buffer_chain_gives_the_expected_words() {
    let ctx = context();
    let mut g: Graph = Graph::new();
    let (out_real, out) = output(&ctx, &mut g, "out", 512);
    // Stale contents the GPU must overwrite everywhere.
    out_real.mapped_mut().unwrap().fill(0xee);
    let usage = BUFFER_USAGE;
    let t = g
        .transient_buffer("t", BufferDesc { size: 256, usage })
        .unwrap();
    let head: Vec<u32> = (100..116).collect();
    g.update("update head", t.range(0, 64), &bytes_of(&head))
        .unwrap();
    g.fill("fill rest", t.range(64, 192), 0xabcd_0123).unwrap();
    g.fill("fill middle", t.range(128, 32), 5).unwrap();
    g.update("update patch", t.range(200, 8), &bytes_of(&[1, 2]))
        .unwrap();
    g.copy_buffer("t -> out", t, out.range(0, 256)).unwrap();
    g.copy_buffer("head -> out", t.range(0, 64), out.range(256, 64))
        .unwrap();
    g.fill("fill out tail", out.range(320, 192), 9).unwrap();
    // An update after a copy read `t`: the copy must still see the old words (write after
    // read, ordered by the graph).
    g.update("late update", t.range(0, 8), &bytes_of(&[77, 78]))
        .unwrap();
    assert_eq!(g.task_count(), 8);
    run_once(&ctx, &mut g, &mut ());

    let mut expected_t = head.clone();
    expected_t.extend([0xabcd_0123u32; 16]); // bytes 64..128
    expected_t.extend([5u32; 8]); // 128..160
    expected_t.extend([0xabcd_0123u32; 10]); // 160..200
    expected_t.extend([1u32, 2]); // 200..208
    expected_t.extend([0xabcd_0123u32; 12]); // 208..256
    assert_eq!(expected_t.len(), 64);
    let mut expected = expected_t.clone();
    expected.extend(&head);
    expected.extend([9u32; 48]);
    let got = words(&out_real.mapped().unwrap());
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "word {i}: got {g:#x}, expected {e:#x}");
    }
}

#[test]
fn buffer_to_image_and_back_keeps_every_mip_and_layer_in_packed_order() {
    const EXTENT: [u32; 2] = [8, 4];
    const MIPS: u32 = 2;
    const LAYERS: u32 = 2;
    const PREFIX: u64 = 16;
    let ctx = context();
    let size = packed_size(EXTENT, MIPS, LAYERS);
    assert_eq!(size, 320);
    // Distinct bytes everywhere; the source view starts after a prefix of junk.
    let source: Vec<u8> = (0..size).map(|i| (i * 7 + 3) as u8).collect();
    let mut upload = vec![0x55u8; PREFIX as usize];
    upload.extend(&source);

    let mut g: Graph = Graph::new();
    let src = input(&ctx, &mut g, "src", &upload);
    let (back_real, back) = output(&ctx, &mut g, "back", 64 + size);
    let (independent_real, independent) = output(&ctx, &mut g, "independent", size);
    let (slice_real, slice) = output(&ctx, &mut g, "slice", 8 * 4);
    back_real.mapped_mut().unwrap().fill(0xee);
    let img = image(
        &mut g,
        "img",
        vk::Format::R8G8B8A8_UNORM,
        EXTENT,
        MIPS,
        LAYERS,
    );
    g.copy_buffer_to_image("upload", src.range(PREFIX, size), img)
        .unwrap();
    g.copy_image_to_buffer("download", img, back.range(64, size))
        .unwrap();
    // One subresource alone: mip 1, layer 1 (4 x 2 texels).
    g.copy_image_to_buffer("download slice", img.mip(1).layer(1), slice)
        .unwrap();
    // An independent read back, one region per (mip, layer).
    support::read_back(&mut g, "read back", img, independent, EXTENT, MIPS, LAYERS);
    run_once(&ctx, &mut g, &mut ());

    let back_bytes = back_real.mapped().unwrap();
    assert!(
        back_bytes[..64].iter().all(|&b| b == 0xee),
        "bytes before the destination view were written"
    );
    assert_eq!(&back_bytes[64..], &source[..], "the round trip");
    assert_eq!(
        &independent_real.mapped().unwrap()[..],
        &source[..],
        "packing order: per mip, all layers of the mip together"
    );
    // mip 0 takes 8*4*2*4 = 256 bytes; mip 1 layer 0 the next 32; layer 1 the 32 after.
    assert_eq!(&slice_real.mapped().unwrap()[..], &source[288..320]);
}

#[test]
fn copy_image_copies_every_mip_and_layer_and_a_mip_into_another_image() {
    const EXTENT: [u32; 2] = [8, 8];
    let ctx = context();
    let size = packed_size(EXTENT, 2, 2);
    let source: Vec<u32> = (0..size as u32 / 4).map(|i| i * 3 + 1000).collect();

    let mut g: Graph = Graph::new();
    let src = input(&ctx, &mut g, "src", &bytes_of(&source));
    let (whole_real, whole) = output(&ctx, &mut g, "whole", size);
    let (small_real, small_out) = output(&ctx, &mut g, "small", packed_size([4, 4], 1, 2));
    let a = image(&mut g, "a", vk::Format::R32_UINT, EXTENT, 2, 2);
    let b = image(&mut g, "b", vk::Format::R32_UINT, EXTENT, 2, 2);
    let small = image(&mut g, "small image", vk::Format::R32_UINT, [4, 4], 1, 2);
    g.copy_buffer_to_image("upload", src, a).unwrap();
    g.clear_color("clear b", b, ClearColor::Uint([1, 0, 0, 0]))
        .unwrap();
    g.copy_image("a -> b", a, b).unwrap();
    g.copy_image("a mip 1 -> small", a.mip(1), small).unwrap();
    support::read_back(&mut g, "read b", b, whole, EXTENT, 2, 2);
    support::read_back(&mut g, "read small", small, small_out, [4, 4], 1, 2);
    run_once(&ctx, &mut g, &mut ());

    assert_eq!(words(&whole_real.mapped().unwrap()), source);
    // Mip 1 of `a` starts after mip 0's 8*8*2 texels.
    assert_eq!(
        words(&small_real.mapped().unwrap()),
        source[128..160].to_vec()
    );
}

#[test]
fn clear_color_writes_uint_int_and_float_values_in_the_format() {
    let ctx = context();

    let mut g: Graph = Graph::new();
    let (uint_real, uint_out) = output(&ctx, &mut g, "uint out", packed_size([4, 4], 2, 2));
    let (int_real, int_out) = output(&ctx, &mut g, "int out", 4 * 4 * 4);
    let (float_real, float_out) = output(&ctx, &mut g, "float out", 4 * 4 * 4);
    let uint = image(&mut g, "uint", vk::Format::R32_UINT, [4, 4], 2, 2);
    let int = image(&mut g, "int", vk::Format::R32_SINT, [4, 4], 1, 1);
    let rgba = image(&mut g, "rgba", vk::Format::R8G8B8A8_UNORM, [4, 4], 1, 1);
    g.clear_color("clear uint", uint, ClearColor::Uint([0xdead_beef, 1, 2, 3]))
        .unwrap();
    g.clear_color(
        "clear uint m1 l1",
        uint.mip(1).layer(1),
        ClearColor::Uint([7, 0, 0, 0]),
    )
    .unwrap();
    // A plain `[u32; 4]` is a Uint clear too.
    g.clear_color("clear uint m0 l0", uint.mip(0).layer(0), [11u32, 0, 0, 0])
        .unwrap();
    g.clear_color("clear int", int, ClearColor::Int([-5, 0, 0, 0]))
        .unwrap();
    g.clear_color("clear rgba", rgba, ClearColor::Float([1.0, 0.0, 0.2, 0.6]))
        .unwrap();
    g.copy_image_to_buffer("read uint", uint, uint_out).unwrap();
    g.copy_image_to_buffer("read int", int, int_out).unwrap();
    g.copy_image_to_buffer("read rgba", rgba, float_out)
        .unwrap();
    run_once(&ctx, &mut g, &mut ());

    let mut expected = vec![11u32; 16]; // mip 0, layer 0
    expected.extend([0xdead_beefu32; 16]); // mip 0, layer 1
    expected.extend([0xdead_beefu32; 4]); // mip 1, layer 0
    expected.extend([7u32; 4]); // mip 1, layer 1
    assert_eq!(words(&uint_real.mapped().unwrap()), expected);
    let ints: Vec<i32> = words(&int_real.mapped().unwrap())
        .into_iter()
        .map(|w| w as i32)
        .collect();
    assert_eq!(ints, vec![-5; 16]);
    let texels = float_real.mapped().unwrap();
    for (i, texel) in texels.chunks_exact(4).enumerate() {
        assert_eq!(texel, [255, 0, 51, 153], "texel {i}");
    }
}

#[test]
fn clear_depth_clears_every_mip_to_the_value() {
    let ctx = context();
    let mut g: Graph = Graph::new();
    let (out_real, out) = output(&ctx, &mut g, "depth out", packed_size([8, 8], 2, 1));
    let depth = image(&mut g, "depth", vk::Format::D32_SFLOAT, [8, 8], 2, 1);
    g.clear_depth("clear all", depth, 0.375, 0).unwrap();
    g.clear_depth(
        "clear mip 1",
        depth.mip(1).aspect(vk::ImageAspectFlags::DEPTH),
        0.75,
        0,
    )
    .unwrap();
    g.copy_image_to_buffer(
        "read depth",
        depth.whole().aspect(vk::ImageAspectFlags::DEPTH),
        out,
    )
    .unwrap();
    run_once(&ctx, &mut g, &mut ());

    let floats: Vec<f32> = words(&out_real.mapped().unwrap())
        .into_iter()
        .map(f32::from_bits)
        .collect();
    let mut expected = vec![0.375f32; 64];
    expected.extend([0.75f32; 16]);
    assert_eq!(floats, expected);
}

#[test]
fn blit_scales_with_nearest_filtering_onto_a_larger_image() {
    let ctx = context();
    // A 2 x 2 source of four distinct texels, blitted onto 4 x 4: each source texel
    // covers one 2 x 2 quadrant.
    let texels: [[u8; 4]; 4] = [
        [10, 20, 30, 40],
        [50, 60, 70, 80],
        [90, 100, 110, 120],
        [130, 140, 150, 160],
    ];
    let flat: Vec<u8> = texels.iter().flatten().copied().collect();
    let mut g: Graph = Graph::new();
    let src = input(&ctx, &mut g, "src", &flat);
    let (out_real, out) = output(&ctx, &mut g, "out", 4 * 4 * 4);
    let small = image(&mut g, "small", vk::Format::R8G8B8A8_UNORM, [2, 2], 1, 1);
    let large = image(&mut g, "large", vk::Format::R8G8B8A8_UNORM, [4, 4], 1, 1);
    g.copy_buffer_to_image("upload", src, small).unwrap();
    g.clear_color("clear large", large, ClearColor::Float([0.0; 4]))
        .unwrap();
    g.blit("blit", small, large, vk::Filter::NEAREST).unwrap();
    g.copy_image_to_buffer("read", large, out).unwrap();
    run_once(&ctx, &mut g, &mut ());

    let pixels = out_real.mapped().unwrap();
    for y in 0..4usize {
        for x in 0..4usize {
            let i = (y * 4 + x) * 4;
            assert_eq!(
                pixels[i..i + 4],
                texels[(y / 2) * 2 + x / 2],
                "pixel ({x}, {y})"
            );
        }
    }
}

#[test]
fn generate_mips_fills_every_mip_with_the_constant_of_mip_0() {
    const EXTENT: [u32; 2] = [16, 8];
    const MIPS: u32 = 4;
    let ctx = context();
    let mut g: Graph = Graph::new();
    let (out_real, out) = output(&ctx, &mut g, "out", packed_size(EXTENT, MIPS, 1));
    let img = image(&mut g, "img", vk::Format::R8G8B8A8_UNORM, EXTENT, MIPS, 1);
    // Every mip black first, so a mip the generation missed shows.
    g.clear_color("clear all", img, ClearColor::Float([0.0; 4]))
        .unwrap();
    g.clear_color(
        "clear mip 0",
        img.mip(0),
        ClearColor::Float([0.2, 0.4, 0.6, 1.0]),
    )
    .unwrap();
    let before = g.task_count();
    let last = g.generate_mips("mips", img).unwrap();
    assert!(last.is_some());
    assert_eq!(
        g.task_count(),
        before + 3,
        "one blit per mip after the first"
    );
    let names: Vec<&str> = (before..before + 3)
        .map(|t| g.task_name(t as u32).unwrap())
        .collect();
    assert_eq!(names, ["mips 1", "mips 2", "mips 3"]);
    g.copy_image_to_buffer("read", img, out).unwrap();
    run_once(&ctx, &mut g, &mut ());

    let bytes = out_real.mapped().unwrap();
    let mut at = 0;
    for mip in 0..MIPS {
        let texels = ((EXTENT[0] >> mip) * (EXTENT[1] >> mip)) as usize;
        for t in 0..texels {
            let i = at + t * 4;
            assert_eq!(bytes[i..i + 4], [51, 102, 153, 255], "mip {mip}, texel {t}");
        }
        at += texels * 4;
    }
    assert_eq!(at, bytes.len());
}

#[test]
fn generate_mips_averages_with_a_linear_filter() {
    const SIDE: u32 = 8;
    const MIPS: u32 = 4;
    let ctx = context();
    // Mip 0: red cycles 0, 60, 120, 180 over every 2 x 2 block (mean 90), green is
    // constant 200, blue the complement of red (mean 165). A nearest filter would keep
    // one of the four; a linear one averages them.
    let mip0: Vec<u8> = (0..SIDE * SIDE)
        .flat_map(|i| {
            let (x, y) = (i % SIDE, i / SIDE);
            let red = ((x % 2 + 2 * (y % 2)) * 60) as u8;
            [red, 200, 255 - red, 255]
        })
        .collect();
    let mut g: Graph = Graph::new();
    let src = input(&ctx, &mut g, "src", &mip0);
    let (out_real, out) = output(&ctx, &mut g, "out", packed_size([SIDE, SIDE], MIPS, 1));
    let img = image(
        &mut g,
        "img",
        vk::Format::R8G8B8A8_UNORM,
        [SIDE, SIDE],
        MIPS,
        1,
    );
    g.clear_color("clear", img, ClearColor::Float([0.0; 4]))
        .unwrap();
    g.copy_buffer_to_image("upload", src, img.mip(0)).unwrap();
    g.generate_mips("mips", img).unwrap();
    g.copy_image_to_buffer("read", img, out).unwrap();
    run_once(&ctx, &mut g, &mut ());

    let bytes = out_real.mapped().unwrap();
    assert_eq!(&bytes[..mip0.len()], &mip0[..], "mip 0 is untouched");
    let mut at = mip0.len();
    for mip in 1..MIPS {
        let side = (SIDE >> mip) as usize;
        for t in 0..side * side {
            let texel = &bytes[at + t * 4..at + t * 4 + 4];
            let close = |got: u8, want: u8| got.abs_diff(want) <= 2;
            assert!(
                close(texel[0], 90) && texel[1] == 200 && close(texel[2], 165) && texel[3] == 255,
                "mip {mip}, texel {t}: {texel:?}, expected about [90, 200, 165, 255]"
            );
        }
        at += side * side * 4;
    }
    assert_eq!(at, bytes.len());
}

#[test]
fn generate_mips_of_a_single_mip_records_nothing() {
    let mut g: Graph = Graph::new();
    let img = image(&mut g, "img", vk::Format::R8G8B8A8_UNORM, [4, 4], 3, 1);
    assert_eq!(g.generate_mips("mips", img.mip(2)).unwrap(), None);
    assert_eq!(g.task_count(), 0);
}

#[test]
fn transfer_task_misuses_are_errors_naming_the_task_and_resource() {
    let mut g: Graph = Graph::new();
    let desc = |size| BufferDesc {
        size,
        usage: BUFFER_USAGE,
    };
    let a = g.transient_buffer("a", desc(256)).unwrap();
    let b = g.transient_buffer("b", desc(256)).unwrap();
    let small = g.transient_buffer("small", desc(100)).unwrap();
    let rgba = image(&mut g, "rgba", vk::Format::R8G8B8A8_UNORM, [8, 4], 2, 2);
    let uint = image(&mut g, "uint", vk::Format::R32_UINT, [8, 4], 1, 1);
    let other = image(&mut g, "other", vk::Format::R8G8B8A8_UNORM, [4, 4], 1, 2);

    assert_transfer_error(
        g.copy_buffer("copy sizes", a.range(0, 64), b.range(0, 32)),
        "copy sizes",
        "b",
        &["32", "64"],
    );
    assert_transfer_error(
        g.fill("misaligned fill", a.range(2, 8), 1),
        "misaligned fill",
        "a",
        &["multiples of 4", "2"],
    );
    assert_transfer_error(
        g.fill("unaligned size", a.range(0, 6), 1),
        "unaligned size",
        "a",
        &["multiples of 4", "6"],
    );
    assert_transfer_error(
        g.fill("outside", a.range(200, 100), 1),
        "outside",
        "a",
        &["outside"],
    );
    assert_transfer_error(
        g.update("big update", a.range(0, 8), &[0u8; 16]),
        "big update",
        "a",
        &["16 bytes"],
    );
    assert_transfer_error(
        g.clear_color("uint on float", rgba, ClearColor::Uint([1, 0, 0, 0])),
        "uint on float",
        "rgba",
        &["Uint", "R8G8B8A8_UNORM", "Float"],
    );
    assert_transfer_error(
        g.clear_color("float on uint", uint, ClearColor::Float([1.0; 4])),
        "float on uint",
        "uint",
        &["Float", "R32_UINT", "Uint"],
    );
    assert_transfer_error(
        g.clear_color("int on uint", uint, [1i32, 0, 0, 0]),
        "int on uint",
        "uint",
        &["Int", "R32_UINT"],
    );
    // 8*4*2*4 + 4*2*2*4 = 320 bytes needed, 100 given.
    assert_transfer_error(
        g.copy_buffer_to_image("small upload", small, rgba),
        "small upload",
        "small",
        &["320", "100"],
    );
    assert_transfer_error(
        g.copy_image_to_buffer("small download", rgba, small),
        "small download",
        "small",
        &["320", "100"],
    );
    assert_transfer_error(
        g.copy_image("copy shapes", rgba, other),
        "copy shapes",
        "other",
        &["extent"],
    );
    assert_transfer_error(
        g.blit(
            "blit layers",
            rgba.whole().layer(0),
            other,
            vk::Filter::LINEAR,
        ),
        "blit layers",
        "other",
        &["layers"],
    );
    assert_transfer_error(
        g.clear_color(
            "outside image",
            rgba.whole().mips(1..5),
            ClearColor::Float([0.0; 4]),
        ),
        "outside image",
        "rgba",
        &["outside"],
    );
    // Nothing was half-recorded, and the graph still compiles.
    assert_eq!(g.task_count(), 0);
    assert_eq!(g.plan().unwrap().batch_count(), 0);
}

/// A pipeline drawing the triangle (-1, -1), (1, -1), (-1, 1) (the top left half of the
/// target) into one attachment of `format`, with the fragment shader `fragment`.
fn half_pipeline(ctx: &Arc<Context>, format: vk::Format, fragment: &str) -> Arc<GraphicsPipeline> {
    let code = format!(
        "
        @vertex fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {{
            let x = select(-1.0, 1.0, i == 1u);
            let y = select(-1.0, 1.0, i == 2u);
            return vec4<f32>(x, y, 0.0, 1.0);
        }}
        {fragment}
        "
    );
    let desc = GraphicsPipelineDesc {
        color_formats: vec![format],
        ..Default::default()
    };
    GraphicsPipeline::from_source(ctx, "half.wgsl", &code, &desc).unwrap()
}

const UINT_FRAGMENT: &str = "@fragment fn fs_main() -> @location(0) u32 { return 7u; }";
const FLOAT_FRAGMENT: &str =
    "@fragment fn fs_main() -> @location(0) vec4<f32> { return vec4<f32>(1.0); }";

#[test]
fn a_draw_clears_a_uint_attachment_with_a_uint_value() {
    const SIZE: u32 = 8;
    let ctx = context();
    let pipe = half_pipeline(&ctx, vk::Format::R32_UINT, UINT_FRAGMENT);
    let mut g: Graph = Graph::new();
    let (out_real, out) = output(&ctx, &mut g, "out", u64::from(SIZE * SIZE) * 4);
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::TRANSFER_SRC;
    let desc = ImageDesc::new_2d(vk::Format::R32_UINT, SIZE, SIZE, usage);
    let target = g.transient_image("target", desc).unwrap();
    g.draw("draw", &pipe, vertex_draw(3))
        .color(target, ClearColor::Uint([0xc1ea4, 0, 0, 0]))
        .record()
        .unwrap();
    g.copy_image_to_buffer("read", target, out).unwrap();
    run_once(&ctx, &mut g, &mut ());

    let texels = words(&out_real.mapped().unwrap());
    let at = |x: u32, y: u32| texels[(y * SIZE + x) as usize];
    assert_eq!(at(0, 0), 7, "top left: drawn");
    assert_eq!(at(2, 1), 7, "top left: drawn");
    assert_eq!(
        at(SIZE - 1, SIZE - 1),
        0xc1ea4,
        "bottom right: the clear value"
    );
    assert_eq!(
        at(SIZE - 2, SIZE - 3),
        0xc1ea4,
        "bottom right: the clear value"
    );
}

#[test]
fn a_draw_clear_of_the_wrong_numeric_type_is_an_error_at_record() {
    let ctx = context();
    let float_pipe = half_pipeline(&ctx, vk::Format::R8G8B8A8_UNORM, FLOAT_FRAGMENT);
    let uint_pipe = half_pipeline(&ctx, vk::Format::R32_UINT, UINT_FRAGMENT);
    let mut g: Graph = Graph::new();
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT;
    let desc = |format| ImageDesc::new_2d(format, 8, 8, usage);
    let rgba = g
        .transient_image("rgba", desc(vk::Format::R8G8B8A8_UNORM))
        .unwrap();
    let uint = g
        .transient_image("uint", desc(vk::Format::R32_UINT))
        .unwrap();
    let draw = vertex_draw(3);
    let e = g
        .draw("uint clear on rgba", &float_pipe, draw)
        .color(rgba, ClearColor::Uint([1, 0, 0, 0]))
        .record()
        .unwrap_err();
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("uint clear on rgba")
            && text.contains("color attachment 0")
            && text.contains("Uint")
            && text.contains("R8G8B8A8_UNORM"),
        "{text}"
    );
    let e = g
        .draw("float clear on uint", &uint_pipe, draw)
        .color(uint, Some([0.0, 0.0, 0.0, 1.0]))
        .record()
        .unwrap_err();
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("float clear on uint") && text.contains("Float") && text.contains("R32_UINT"),
        "{text}"
    );
    assert_eq!(g.task_count(), 0, "nothing recorded");
    // The right types record.
    g.draw("float clear", &float_pipe, draw)
        .color(rgba, Some([0.0, 0.0, 0.0, 1.0]))
        .record()
        .unwrap();
    g.draw("uint clear", &uint_pipe, draw)
        .color(uint, ClearColor::Uint([0, 0, 0, 0]))
        .record()
        .unwrap();
    assert_eq!(g.task_count(), 2);
}
