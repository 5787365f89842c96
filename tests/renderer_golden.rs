//! The renderer's frame graph (instanced lit spheres with depth, compute bloom over mips,
//! tonemap) rendered offscreen at a fixed angle, read back and compared with
//! `tests/golden/renderer.png` within a per-pixel tolerance, with validation and
//! synchronization validation on. `WEFT_UPDATE_GOLDEN=1` rewrites the golden image.

#[allow(dead_code)]
#[path = "../examples/renderer/frame.rs"]
mod frame;
mod support;

use std::sync::Arc;

use support::{assert_no_messages, context};
use weft::prelude::*;
use weft::runtime::{Context, Executor, Graph};

const WIDTH: u32 = 160;
const HEIGHT: u32 = 120;
const GOLDEN: &str = "tests/golden/renderer.png";

fn render(ctx: &Arc<Context>) -> Vec<u8> {
    let renderer = frame::Renderer::new(ctx, include_str!("../assets/icosphere.obj")).unwrap();
    let mut g: Graph = Graph::new();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::TRANSFER_SRC;
    let output = g
        .transient_image(
            "output",
            ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, WIDTH, HEIGHT, usage),
        )
        .unwrap();
    // The renderer imports its mesh buffers (bound to them) into the graph.
    renderer
        .record(&mut g, output, WIDTH, HEIGHT, |_| 0.6, None)
        .unwrap();
    let size = u64::from(WIDTH * HEIGHT) * 4;
    let readback_real =
        support::host_buffer(ctx, "readback", size, vk::BufferUsageFlags::TRANSFER_DST);
    let readback = g.import_buffer("readback", &readback_real).unwrap();
    support::read_back(&mut g, "read back", output, readback, [WIDTH, HEIGHT], 1, 1);
    let mut executor = Executor::new(ctx).unwrap();
    // Two frames in flight through the same plan: the second must not disturb the first.
    for _ in 0..2 {
        executor.execute(&mut g, &mut ()).unwrap();
    }
    // A local, not the tail expression: the mapping guard must go before `readback_real`.
    let rgba = readback_real.mapped().unwrap().to_vec();
    rgba
}

fn load_golden() -> Vec<u8> {
    let file = std::fs::File::open(GOLDEN)
        .unwrap_or_else(|e| panic!("{GOLDEN}: {e} (run with WEFT_UPDATE_GOLDEN=1 to create it)"));
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    buffer.truncate(info.buffer_size());
    buffer
}

fn save_golden(rgba: &[u8]) {
    let file = std::io::BufWriter::new(std::fs::File::create(GOLDEN).unwrap());
    let mut encoder = png::Encoder::new(file, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(rgba)
        .unwrap();
}

#[test]
fn the_renderer_frame_matches_the_golden_image() {
    let ctx = context();
    let rgba = render(&ctx);
    assert_no_messages(&ctx);
    if std::env::var_os("WEFT_UPDATE_GOLDEN").is_some() {
        save_golden(&rgba);
    }
    let golden = load_golden();
    // Rasterisation and float rounding differ a little between drivers: a pixel differs
    // when a channel is more than 6 levels off; at most 0.5 % of them may.
    let differing = rgba
        .chunks_exact(4)
        .zip(golden.chunks_exact(4))
        .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 6))
        .count();
    let allowed = (WIDTH * HEIGHT) as usize / 200;
    assert!(
        differing <= allowed,
        "{differing} of {} pixels differ from {GOLDEN} (at most {allowed} may)",
        WIDTH * HEIGHT
    );
    // The image is not blank: the spheres, their lighting and the bloom are there.
    let distinct: std::collections::HashSet<&[u8]> = rgba.chunks_exact(4).collect();
    assert!(
        distinct.len() > 200,
        "only {} distinct colours",
        distinct.len()
    );
}
