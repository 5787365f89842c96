//! Synthetic graphs for the `compile` benchmark, the test that checks their shapes, and the
//! planner's plan snapshots (`crates/weft-graph/tests/snapshots.rs`). Written against the
//! planner alone (no facade), so the planner's own tests can include this file too.

#![allow(dead_code)]

use ash::vk;
use weft_graph::{
    access, BufferDesc, ImageDesc, MemoryNeeds, ResourceDesc, TaskBuffer, TaskGraph, TaskImage,
    View,
};

/// A small deterministic generator (xorshift64*), so every run builds the same graphs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

fn storage_buffer(g: &mut TaskGraph, name: &str, size: u64) -> TaskBuffer {
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
    g.transient_buffer(name, BufferDesc { size, usage })
        .expect("valid description")
}

/// A device's memory needs for a transient, roughly (to place without a device): buffers
/// by 256 bytes, optimal images by 64 KiB pages, both in one of two memory types they
/// share.
pub fn model_memory_needs(_: u32, desc: &ResourceDesc) -> Result<MemoryNeeds, String> {
    Ok(match desc {
        ResourceDesc::Buffer(b) => MemoryNeeds {
            size: b.size.div_ceil(256) * 256,
            alignment: 256,
            memory_type_bits: 0b011,
            linear: true,
        },
        ResourceDesc::Image(d) => {
            let texel = match d.format {
                vk::Format::R8_UNORM => 1,
                vk::Format::R16G16B16A16_SFLOAT => 8,
                _ => 4,
            };
            let texels: u64 = (0..d.mip_levels)
                .map(|m| {
                    let w = u64::from((d.extent.width >> m).max(1));
                    let h = u64::from((d.extent.height >> m).max(1));
                    w * h
                })
                .sum();
            let bytes = texels * texel * u64::from(d.array_layers);
            MemoryNeeds {
                size: bytes.div_ceil(65536) * 65536,
                alignment: 65536,
                memory_type_bits: 0b110,
                linear: false,
            }
        }
    })
}

/// `n` tasks, each reading the previous task's buffer and writing its own.
pub fn chain(n: usize) -> TaskGraph {
    let mut g = TaskGraph::new();
    let buffers: Vec<TaskBuffer> = (0..=n)
        .map(|i| storage_buffer(&mut g, &format!("b{i}"), 256))
        .collect();
    for i in 0..n {
        g.task(&format!("t{i}"))
            .attach(buffers[i], access::COMPUTE_READ)
            .attach(buffers[i + 1], access::COMPUTE_WRITE)
            .record()
            .expect("valid task");
    }
    g
}

/// One producer, `n - 2` consumers that each read it and write their own buffer, and one
/// gatherer that reads all of those outputs' first bytes.
pub fn fan(n: usize) -> TaskGraph {
    let mut g = TaskGraph::new();
    let source = storage_buffer(&mut g, "source", 4096);
    let results = storage_buffer(&mut g, "results", 4 * n as u64);
    g.task("produce")
        .attach(source, access::COMPUTE_WRITE)
        .record()
        .expect("valid task");
    for i in 0..n.saturating_sub(2) {
        g.task(&format!("consume{i}"))
            .attach(source, access::COMPUTE_READ)
            .attach(results.range(4 * i as u64, 4), access::COMPUTE_WRITE)
            .record()
            .expect("valid task");
    }
    g.task("gather")
        .attach(results, access::COMPUTE_READ)
        .record()
        .expect("valid task");
    g
}

/// How the random graphs pick their views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Views {
    /// Like renderers and compute pipelines do: half the views are whole resources, the rest
    /// an aligned half or quarter of a buffer, or one mip (one layer or all) of an image.
    Aligned,
    /// A stress case: any 64-byte-granular byte range (so buffers fragment into up to 16
    /// independently tracked ranges) and any mip with any layer range.
    Fragmented,
}

/// `n` tasks with 4 attachments each on distinct random resources among `n / 8` buffers
/// and `n / 32` images (4 mips, 4 layers), with random accesses (reads, sampled reads,
/// writes, read-writes, concurrent writes).
pub fn random(n: usize, seed: u64, views: Views) -> TaskGraph {
    random_guarded(n, seed, views, 0)
}

/// Like [`random`], with `conditions` conditions declared; a quarter of the tasks run only
/// when a random one of them has a random value (with 0 conditions, [`random`]'s graph).
pub fn random_guarded(n: usize, seed: u64, views: Views, conditions: usize) -> TaskGraph {
    let mut rng = Rng::new(seed);
    let mut g = TaskGraph::new();
    let buffer_count = (n / 8).max(4);
    let image_count = (n / 32).max(2);
    let buffers: Vec<TaskBuffer> = (0..buffer_count)
        .map(|i| storage_buffer(&mut g, &format!("b{i}"), 1024))
        .collect();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let images: Vec<TaskImage> = (0..image_count)
        .map(|i| {
            let desc = ImageDesc::new_2d(vk::Format::R16G16B16A16_SFLOAT, 256, 256, usage)
                .with_mips(4)
                .with_layers(4);
            g.transient_image(&format!("i{i}"), desc)
                .expect("valid description")
        })
        .collect();
    let buffer_accesses = [
        access::COMPUTE_READ,
        access::COMPUTE_READ,
        access::COMPUTE_WRITE,
        access::COMPUTE_READ_WRITE,
        access::COMPUTE_CONCURRENT_WRITE,
        access::FRAGMENT_READ,
    ];
    let image_accesses = [
        access::COMPUTE_READ,
        access::COMPUTE_SAMPLED,
        access::FRAGMENT_SAMPLED,
        access::COMPUTE_WRITE,
        access::COMPUTE_CONCURRENT_WRITE,
    ];
    let total = (buffer_count + image_count) as u64;
    let conditions: Vec<_> = (0..conditions)
        .map(|i| g.condition(&format!("c{i}")).expect("distinct names"))
        .collect();
    for t in 0..n {
        let mut task = g.task(&format!("t{t}"));
        if !conditions.is_empty() && rng.below(4) == 0 {
            let c = conditions[rng.below(conditions.len() as u64) as usize];
            task = task.only_if(c.is(rng.below(2) == 0));
        }
        let mut used = [u64::MAX; 4];
        for slot in 0..4 {
            let mut r = rng.below(total);
            while used.contains(&r) {
                r = rng.below(total);
            }
            used[slot] = r;
            let whole = views == Views::Aligned && rng.below(2) == 0;
            task = if (r as usize) < buffer_count {
                let buffer = buffers[r as usize];
                let a = buffer_accesses[rng.below(buffer_accesses.len() as u64) as usize];
                let view = match views {
                    _ if whole => buffer.whole(),
                    Views::Aligned => {
                        let parts = 2 << rng.below(2); // halves or quarters
                        let size = 1024 / parts;
                        buffer.range(rng.below(parts) * size, size)
                    }
                    Views::Fragmented => {
                        let offset = rng.below(16) * 64;
                        buffer.range(offset, (1 + rng.below(16 - offset / 64)) * 64)
                    }
                };
                task.attach(view, a)
            } else {
                let image = images[r as usize - buffer_count];
                let a = image_accesses[rng.below(image_accesses.len() as u64) as usize];
                let mip = rng.below(4) as u32;
                let view = match views {
                    _ if whole => image.whole(),
                    Views::Aligned if rng.below(2) == 0 => image.mip(mip),
                    Views::Aligned => image.mip(mip).layer(rng.below(4) as u32),
                    Views::Fragmented => {
                        let layer = rng.below(4) as u32;
                        let layers = 1 + rng.below(4 - u64::from(layer)) as u32;
                        image.mip(mip).layers(layer..layer + layers)
                    }
                };
                task.attach(view, a)
            };
        }
        task.record().expect("distinct resources never overlap");
    }
    g
}

/// Bloom-like mip chains: per 23 tasks one 12-mip image, downsampled mip by mip and then
/// upsampled back, each chain's result read by the next chain's first pass.
pub fn bloom(n: usize) -> TaskGraph {
    const MIPS: u32 = 12;
    let mut g = TaskGraph::new();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let mut previous: Option<TaskImage> = None;
    let mut recorded = 0;
    let mut chain = 0;
    while recorded < n {
        let image = g
            .transient_image(
                &format!("bloom{chain}"),
                ImageDesc::new_2d(vk::Format::B10G11R11_UFLOAT_PACK32, 2048, 2048, usage)
                    .with_mips(MIPS),
            )
            .expect("valid description");
        let mut first = g
            .task(&format!("c{chain}/bright"))
            .attach(image.mip(0), access::COMPUTE_WRITE);
        if let Some(p) = previous {
            first = first.attach(p.mip(0), access::COMPUTE_SAMPLED);
        }
        first.record().expect("valid task");
        recorded += 1;
        for m in 0..MIPS - 1 {
            if recorded >= n {
                break;
            }
            g.task(&format!("c{chain}/down{m}"))
                .attach(image.mip(m), access::COMPUTE_SAMPLED)
                .attach(image.mip(m + 1), access::COMPUTE_WRITE)
                .record()
                .expect("valid task");
            recorded += 1;
        }
        for m in (0..MIPS - 1).rev() {
            if recorded >= n {
                break;
            }
            g.task(&format!("c{chain}/up{m}"))
                .attach(image.mip(m + 1), access::COMPUTE_SAMPLED)
                .attach(image.mip(m), access::COMPUTE_READ_WRITE)
                .record()
                .expect("valid task");
            recorded += 1;
        }
        previous = Some(image);
        chain += 1;
    }
    g
}

/// A deferred renderer's frame at 1920x1080: a light-culling pass over a light buffer,
/// a G-buffer (albedo, normals, material, motion, depth), SSAO at half resolution with a
/// blur, lighting into an HDR target, a 6-level bloom chain (separate images) down and up,
/// TAA against an external history, auto exposure (a histogram buffer and its average),
/// tonemapping and UI into the external output. External: the scene's vertex and light
/// buffers, the history and the output.
pub fn deferred_renderer() -> TaskGraph {
    use access::*;
    let mut g = TaskGraph::new();
    let (w, h) = (1920, 1080);
    let color = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::SAMPLED;
    let storage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let image = |g: &mut TaskGraph, name: &str, format, w, h, usage| {
        g.transient_image(name, ImageDesc::new_2d(format, w, h, usage))
            .expect("valid description")
    };
    let sb = vk::BufferUsageFlags::STORAGE_BUFFER;
    let lights = g
        .external_buffer(
            "lights",
            BufferDesc {
                size: 4 << 20,
                usage: sb,
            },
        )
        .expect("valid description");
    let vertices = g
        .external_buffer(
            "vertices",
            BufferDesc {
                size: 64 << 20,
                usage: vk::BufferUsageFlags::VERTEX_BUFFER,
            },
        )
        .expect("valid description");
    let copies = vk::ImageUsageFlags::TRANSFER_SRC | vk::ImageUsageFlags::TRANSFER_DST;
    let history_desc = ImageDesc::new_2d(vk::Format::R16G16B16A16_SFLOAT, w, h, storage | copies);
    let history = g.external_image("history", history_desc).expect("valid");
    let output_desc = ImageDesc::new_2d(vk::Format::B8G8R8A8_UNORM, w, h, color | storage);
    let output = g.external_image("output", output_desc).expect("valid");
    let clusters = g
        .transient_buffer(
            "light clusters",
            BufferDesc {
                size: 16 << 20,
                usage: sb,
            },
        )
        .expect("valid description");
    let histogram = g
        .transient_buffer(
            "histogram",
            BufferDesc {
                size: 1024,
                usage: sb,
            },
        )
        .expect("valid description");
    let exposure = g
        .transient_buffer(
            "exposure",
            BufferDesc {
                size: 16,
                usage: sb,
            },
        )
        .expect("valid description");
    use vk::Format as F;
    let albedo = image(&mut g, "albedo", F::R8G8B8A8_SRGB, w, h, color);
    let normals = image(&mut g, "normals", F::R16G16B16A16_SFLOAT, w, h, color);
    let material = image(&mut g, "material", F::R8G8B8A8_UNORM, w, h, color);
    let motion = image(&mut g, "motion", F::R16G16_SFLOAT, w, h, color);
    let depth_usage = vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT | vk::ImageUsageFlags::SAMPLED;
    let depth = image(&mut g, "depth", F::D32_SFLOAT, w, h, depth_usage);
    let ao = image(&mut g, "ssao", F::R8_UNORM, w / 2, h / 2, storage);
    let ao_blur = image(&mut g, "ssao blurred", F::R8_UNORM, w / 2, h / 2, storage);
    let hdr = image(&mut g, "hdr", F::R16G16B16A16_SFLOAT, w, h, storage);
    let taa = image(
        &mut g,
        "taa",
        F::R16G16B16A16_SFLOAT,
        w,
        h,
        storage | copies,
    );
    let bloom: Vec<TaskImage> = (0..6)
        .map(|m| {
            let (bw, bh) = ((w >> (m + 1)).max(1), (h >> (m + 1)).max(1));
            image(
                &mut g,
                &format!("bloom {m}"),
                F::B10G11R11_UFLOAT_PACK32,
                bw,
                bh,
                storage,
            )
        })
        .collect();
    let mut pass = |name: &str, uses: &[(View, Access)]| {
        let mut task = g.task(name);
        for &(view, a) in uses {
            task = task.attach(view, a);
        }
        task.record().expect("valid pass");
    };
    pass(
        "cull lights",
        &[
            (lights.into(), COMPUTE_READ),
            (clusters.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "g-buffer",
        &[
            (vertices.into(), VERTEX_BUFFER),
            (albedo.into(), COLOR_WRITE),
            (normals.into(), COLOR_WRITE),
            (material.into(), COLOR_WRITE),
            (motion.into(), COLOR_WRITE),
            (depth.into(), DEPTH_WRITE),
        ],
    );
    pass(
        "ssao",
        &[
            (depth.into(), COMPUTE_SAMPLED),
            (normals.into(), COMPUTE_SAMPLED),
            (ao.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "ssao blur",
        &[
            (ao.into(), COMPUTE_SAMPLED),
            (ao_blur.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "lighting",
        &[
            (clusters.into(), COMPUTE_READ),
            (albedo.into(), COMPUTE_SAMPLED),
            (normals.into(), COMPUTE_SAMPLED),
            (material.into(), COMPUTE_SAMPLED),
            (depth.into(), COMPUTE_SAMPLED),
            (ao_blur.into(), COMPUTE_SAMPLED),
            (hdr.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "taa",
        &[
            (hdr.into(), COMPUTE_SAMPLED),
            (motion.into(), COMPUTE_SAMPLED),
            (history.into(), COMPUTE_SAMPLED),
            (taa.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "copy history",
        &[(taa.into(), TRANSFER_SRC), (history.into(), TRANSFER_DST)],
    );
    pass(
        "bloom down 0",
        &[
            (taa.into(), COMPUTE_SAMPLED),
            (bloom[0].into(), COMPUTE_WRITE),
        ],
    );
    for m in 1..bloom.len() {
        pass(
            &format!("bloom down {m}"),
            &[
                (bloom[m - 1].into(), COMPUTE_SAMPLED),
                (bloom[m].into(), COMPUTE_WRITE),
            ],
        );
    }
    for m in (1..bloom.len()).rev() {
        pass(
            &format!("bloom up {m}"),
            &[
                (bloom[m].into(), COMPUTE_SAMPLED),
                (bloom[m - 1].into(), COMPUTE_READ_WRITE),
            ],
        );
    }
    pass(
        "histogram",
        &[
            (taa.into(), COMPUTE_SAMPLED),
            (histogram.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "exposure",
        &[
            (histogram.into(), COMPUTE_READ),
            (exposure.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "tonemap",
        &[
            (taa.into(), COMPUTE_SAMPLED),
            (bloom[0].into(), COMPUTE_SAMPLED),
            (exposure.into(), COMPUTE_READ),
            (output.into(), COMPUTE_WRITE),
        ],
    );
    pass(
        "ui",
        &[
            (vertices.into(), VERTEX_BUFFER),
            (output.into(), COLOR_READ_WRITE),
        ],
    );
    g
}
