//! The headless compute pipeline of the demo (shared with its test): upload an RGBA image,
//! luminance + separable Gaussian blur, Sobel edges, a 256-bin histogram, its prefix sum,
//! and histogram equalisation of the edges; plus the same computation on the CPU.

use std::sync::Arc;
use std::time::{Duration, Instant};

use weft::prelude::*;
use weft::runtime::{
    Buffer, BufferInfo, ComputePipeline, Context, Executor, Graph, MemoryLocation,
};

/// Gaussian weights of the 7-tap blur (centre first), as in the shaders.
const WEIGHTS: [f32; 4] = [0.26596, 0.21970, 0.11397, 0.03335];

/// What one run produced.
pub struct Output {
    /// The equalised edge image, one byte per pixel.
    pub gray: Vec<u8>,
    /// `plan.describe()`.
    pub plan: String,
    /// Time to record and compile the graph.
    pub compile: Duration,
    /// Time of each execution (waiting for its frame slot, record, submit).
    pub executions: Vec<Duration>,
    /// Validation and synchronization-validation messages.
    pub validation_messages: usize,
    /// The device memory the transients take.
    pub transients: weft::runtime::TransientMemory,
    /// What profiling every run measured, and the plan's pictures.
    pub report: report::Report,
}

type Error = Box<dyn std::error::Error>;

#[path = "report.rs"]
pub mod report;

fn shader(ctx: &Arc<Context>, name: &str, code: &str) -> Result<Arc<ComputePipeline>, Error> {
    Ok(ComputePipeline::from_source(ctx, name, code)?)
}

/// Runs the pipeline `frames` times on `rgba` (`width` x `height`, 4 bytes per pixel).
pub fn run(
    ctx: &Arc<Context>,
    rgba: &[u8],
    width: u32,
    height: u32,
    frames: usize,
) -> Result<Output, Error> {
    let start = Instant::now();
    let blur_h = shader(
        ctx,
        "shaders/blur_horizontal.wgsl",
        include_str!("../../shaders/blur_horizontal.wgsl"),
    )?;
    let blur_v = shader(
        ctx,
        "shaders/blur_vertical.wgsl",
        include_str!("../../shaders/blur_vertical.wgsl"),
    )?;
    let sobel = shader(
        ctx,
        "shaders/sobel.wgsl",
        include_str!("../../shaders/sobel.wgsl"),
    )?;
    let histogram = shader(
        ctx,
        "shaders/histogram.wgsl",
        include_str!("../../shaders/histogram.wgsl"),
    )?;
    let prefix_sum = shader(
        ctx,
        "shaders/prefix_sum.wgsl",
        include_str!("../../shaders/prefix_sum.wgsl"),
    )?;
    let equalize = shader(
        ctx,
        "shaders/equalize.wgsl",
        include_str!("../../shaders/equalize.wgsl"),
    )?;

    let pixels = u64::from(width) * u64::from(height);
    let transfer = vk::BufferUsageFlags::TRANSFER_SRC | vk::BufferUsageFlags::TRANSFER_DST;
    let upload_real = Buffer::new(
        ctx,
        &BufferInfo {
            name: "upload",
            size: pixels * 4,
            usage: transfer,
            location: MemoryLocation::CpuToGpu,
        },
    )?;
    upload_real.mapped_mut()?.copy_from_slice(rgba);
    let readback_real = Arc::new(Buffer::new(
        ctx,
        &BufferInfo {
            name: "readback",
            size: pixels * 4,
            usage: transfer,
            location: MemoryLocation::GpuToCpu,
        },
    )?);

    let mut g: Graph = Graph::new();
    let upload = g.import_buffer("upload", &Arc::new(upload_real))?;
    let readback = g.import_buffer("readback", &readback_real)?;
    let storage = vk::ImageUsageFlags::STORAGE;
    let rgba_usage =
        storage | vk::ImageUsageFlags::TRANSFER_DST | vk::ImageUsageFlags::TRANSFER_SRC;
    let input = g.transient_image(
        "input",
        ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, width, height, rgba_usage),
    )?;
    let float = |g: &mut Graph, name: &str| {
        g.transient_image(
            name,
            ImageDesc::new_2d(vk::Format::R32_SFLOAT, width, height, storage),
        )
    };
    let blurred_h = float(&mut g, "blurred horizontally")?;
    let blurred = float(&mut g, "blurred")?;
    let edges = float(&mut g, "edges")?;
    let output = g.transient_image(
        "equalised",
        ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, width, height, rgba_usage),
    )?;
    let bins_usage = vk::BufferUsageFlags::STORAGE_BUFFER | vk::BufferUsageFlags::TRANSFER_DST;
    let bins = g.transient_buffer(
        "bins",
        BufferDesc {
            size: 1024,
            usage: bins_usage,
        },
    )?;
    let cdf = g.transient_buffer(
        "cdf",
        BufferDesc {
            size: 1024,
            usage: bins_usage,
        },
    )?;
    let groups = [width.div_ceil(8), height.div_ceil(8), 1];

    let extent = vk::Extent3D {
        width,
        height,
        depth: 1,
    };
    let color_layer = vk::ImageSubresourceLayers {
        aspect_mask: vk::ImageAspectFlags::COLOR,
        mip_level: 0,
        base_array_layer: 0,
        layer_count: 1,
    };
    g.task("upload")
        .attach(upload, access::TRANSFER_SRC)
        .attach(input, access::TRANSFER_DST)
        .run(move |cx| {
            let region = vk::BufferImageCopy::default()
                .image_subresource(color_layer)
                .image_extent(extent);
            let (src, dst) = (cx.buffer(upload)?, cx.image(input)?);
            // SAFETY: recording; the plan put `input` in TRANSFER_DST.
            unsafe {
                cx.device().cmd_copy_buffer_to_image(
                    cx.cmd(),
                    src,
                    dst,
                    vk::ImageLayout::TRANSFER_DST_OPTIMAL,
                    &[region],
                )
            };
            Ok(())
        })
        .record()?;
    g.task("clear bins")
        .attach(bins, access::CLEAR_DST)
        .run(move |cx| {
            let buffer = cx.buffer(bins)?;
            // SAFETY: recording; the whole 1 KiB buffer is the attachment.
            unsafe { cx.device().cmd_fill_buffer(cx.cmd(), buffer, 0, 1024, 0) };
            Ok(())
        })
        .record()?;
    g.compute("blur horizontally", &blur_h)
        .bind("input", input)
        .bind("output", blurred_h)
        .dispatch(groups)
        .record()?;
    g.compute("blur vertically", &blur_v)
        .bind("input", blurred_h)
        .bind("output", blurred)
        .dispatch(groups)
        .record()?;
    g.compute("sobel", &sobel)
        .bind("input", blurred)
        .bind("output", edges)
        .dispatch(groups)
        .record()?;
    g.compute("histogram", &histogram)
        .bind("input", edges)
        .bind("bins", bins)
        .dispatch(groups)
        .record()?;
    g.compute("prefix sum", &prefix_sum)
        .bind("bins", bins)
        .bind("cdf", cdf)
        .dispatch([1, 1, 1])
        .record()?;
    g.compute("equalise", &equalize)
        .bind("input", edges)
        .bind("cdf", cdf)
        .bind("output", output)
        .dispatch(groups)
        .record()?;
    g.task("read back")
        .attach(output, access::TRANSFER_SRC)
        .attach(readback, access::TRANSFER_DST)
        .run(move |cx| {
            let region = vk::BufferImageCopy::default()
                .image_subresource(color_layer)
                .image_extent(extent);
            let (src, dst) = (cx.image(output)?, cx.buffer(readback)?);
            // SAFETY: recording; the plan put `equalised` in TRANSFER_SRC.
            unsafe {
                cx.device().cmd_copy_image_to_buffer(
                    cx.cmd(),
                    src,
                    vk::ImageLayout::TRANSFER_SRC_OPTIMAL,
                    dst,
                    &[region],
                )
            };
            Ok(())
        })
        .record()?;
    let plan = g.describe()?;
    let compile_time = start.elapsed();

    let mut executor = Executor::new(ctx)?;
    executor.profile(true);
    let mut executions = Vec::with_capacity(frames);
    for _ in 0..frames {
        let t = Instant::now();
        executor.execute(&mut g, &mut ())?;
        executions.push(t.elapsed());
    }
    executor.wait_idle()?;
    let timings = executor.take_frame_timings()?;
    let report = report::Report::new(&mut g, &timings)?;
    let gray = readback_real
        .mapped()?
        .chunks_exact(4)
        .map(|p| p[0])
        .collect();
    Ok(Output {
        gray,
        plan,
        compile: compile_time,
        executions,
        validation_messages: ctx.validation_messages(),
        transients: executor.transient_memory(),
        report,
    })
}

/// The same pipeline on the CPU, in `f32` like the shaders.
pub fn cpu_reference(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as i32, height as i32);
    let at = |x: i32, y: i32| (y.clamp(0, h - 1) * w + x.clamp(0, w - 1)) as usize;
    let luminance: Vec<f32> = rgba
        .chunks_exact(4)
        .map(|p| {
            let c = |v: u8| f32::from(v) / 255.0;
            c(p[0]) * 0.299 + c(p[1]) * 0.587 + c(p[2]) * 0.114
        })
        .collect();
    let blur = |src: &[f32], dx: i32, dy: i32| -> Vec<f32> {
        let mut out = vec![0.0; src.len()];
        for y in 0..h {
            for x in 0..w {
                let mut sum = src[at(x, y)] * WEIGHTS[0];
                for i in 1..4 {
                    sum += (src[at(x + dx * i, y + dy * i)] + src[at(x - dx * i, y - dy * i)])
                        * WEIGHTS[i as usize];
                }
                out[at(x, y)] = sum;
            }
        }
        out
    };
    let blurred = blur(&blur(&luminance, 1, 0), 0, 1);
    let mut edges = vec![0.0f32; blurred.len()];
    for y in 0..h {
        for x in 0..w {
            let t = |dx: i32, dy: i32| blurred[at(x + dx, y + dy)];
            let gx = (t(1, -1) + 2.0 * t(1, 0) + t(1, 1)) - (t(-1, -1) + 2.0 * t(-1, 0) + t(-1, 1));
            let gy = (t(-1, 1) + 2.0 * t(0, 1) + t(1, 1)) - (t(-1, -1) + 2.0 * t(0, -1) + t(1, -1));
            edges[at(x, y)] = (gx * gx + gy * gy).sqrt();
        }
    }
    let bin = |v: f32| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as usize;
    let mut bins = [0u32; 256];
    for &e in &edges {
        bins[bin(e)] += 1;
    }
    let mut cdf = [0u32; 256];
    let mut running = 0;
    for (c, b) in cdf.iter_mut().zip(bins) {
        running += b;
        *c = running;
    }
    let total = (width * height) as f32;
    let low = cdf[0] as f32;
    edges
        .iter()
        .map(|&e| {
            let level = (cdf[bin(e)] as f32 - low) / (total - low).max(1.0);
            (level * 255.0).round() as u8
        })
        .collect()
}

/// The largest difference between two gray images, and how many pixels differ by more
/// than 2 levels.
pub fn compare(gpu: &[u8], cpu: &[u8]) -> (u8, usize) {
    let diffs = gpu.iter().zip(cpu).map(|(a, b)| a.abs_diff(*b));
    let max = diffs.clone().max().unwrap_or(0);
    (max, diffs.filter(|&d| d > 2).count())
}

/// Decodes a PNG into RGBA8.
pub fn load_png(path: &str) -> Result<(Vec<u8>, u32, u32), Error> {
    let decoder = png::Decoder::new(std::fs::File::open(path)?);
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer)?;
    let data = &buffer[..info.buffer_size()];
    let rgba = match info.color_type {
        png::ColorType::Rgba => data.to_vec(),
        png::ColorType::Rgb => data
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => return Err(format!("{path}: unsupported PNG colour type {other:?}").into()),
    };
    Ok((rgba, info.width, info.height))
}

/// Writes a gray image as a PNG.
pub fn save_png(path: &str, gray: &[u8], width: u32, height: u32) -> Result<(), Error> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(gray)?;
    Ok(())
}
