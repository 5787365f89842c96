//! The renderer's frame as one weft graph: an instanced, lit mesh drawn with depth into an
//! HDR target, a compute bloom over mips (bright pass and box downsample, then bilinear
//! upsample), and a tonemap into the output image. Shared by the renderer example and its
//! golden-image test.

use std::sync::Arc;

use weft::prelude::*;
use weft::runtime::{
    Buffer, BufferInfo, ComputePipeline, Context, Draw, Graph, GraphicsPipeline,
    GraphicsPipelineDesc, MemoryLocation,
};
use weft::Condition;

type Error = Box<dyn std::error::Error>;

/// Instances in the grid.
pub const INSTANCES: u32 = 16;
/// Bloom levels.
pub const BLOOM_MIPS: u32 = 4;
const HDR: vk::Format = vk::Format::R16G16B16A16_SFLOAT;
const DEPTH: vk::Format = vk::Format::D32_SFLOAT;

/// The pipelines and the mesh (uploaded once).
pub struct Renderer {
    mesh: Arc<GraphicsPipeline>,
    down: Arc<ComputePipeline>,
    up: Arc<ComputePipeline>,
    tonemap: Arc<ComputePipeline>,
    /// Interleaved position + normal, 6 floats per vertex.
    pub vertices: Arc<Buffer>,
    /// `u32` indices.
    pub indices: Arc<Buffer>,
    index_count: u32,
}

/// Parses the `v`, `vn` and `f a//a b//b c//c` lines of an OBJ file whose normals share the
/// positions' indices.
pub fn load_obj(text: &str) -> Result<(Vec<f32>, Vec<u32>), Error> {
    let (mut positions, mut normals, mut indices) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        match parts.next() {
            Some("v") => positions.push(parse3(parts)?),
            Some("vn") => normals.push(parse3(parts)?),
            Some("f") => {
                for corner in parts {
                    let index: u32 = corner.split('/').next().unwrap_or("").parse()?;
                    indices.push(index.checked_sub(1).ok_or("OBJ indices start at 1")?);
                }
            }
            _ => {}
        }
    }
    if positions.len() != normals.len() {
        return Err("the OBJ needs one normal per position".into());
    }
    let vertices = positions
        .iter()
        .zip(&normals)
        .flat_map(|(p, n)| p.iter().chain(n).copied())
        .collect();
    Ok((vertices, indices))
}

fn parse3<'a>(mut parts: impl Iterator<Item = &'a str>) -> Result<[f32; 3], Error> {
    let mut v = [0.0; 3];
    for c in &mut v {
        *c = parts.next().ok_or("a vector needs 3 numbers")?.parse()?;
    }
    Ok(v)
}

fn bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

impl Renderer {
    /// Compiles the shaders, builds the pipelines and uploads the mesh.
    pub fn new(ctx: &Arc<Context>, obj: &str) -> Result<Self, Error> {
        let mesh = GraphicsPipeline::from_source(
            ctx,
            "shaders/mesh.wgsl",
            include_str!("../../shaders/mesh.wgsl"),
            &GraphicsPipelineDesc {
                color_formats: vec![HDR],
                depth_format: Some(DEPTH),
                ..Default::default()
            },
        )?;
        let compute = |path: &str, code: &str| -> Result<Arc<ComputePipeline>, Error> {
            Ok(ComputePipeline::from_source(ctx, path, code)?)
        };
        let down = compute(
            "shaders/bloom_down.wgsl",
            include_str!("../../shaders/bloom_down.wgsl"),
        )?;
        let up = compute(
            "shaders/bloom_up.wgsl",
            include_str!("../../shaders/bloom_up.wgsl"),
        )?;
        let tonemap = compute(
            "shaders/tonemap.wgsl",
            include_str!("../../shaders/tonemap.wgsl"),
        )?;
        let (vertex_data, index_data) = load_obj(obj)?;
        let vertex_bytes: Vec<u8> = vertex_data.iter().flat_map(|f| f.to_ne_bytes()).collect();
        let upload_usage = vk::BufferUsageFlags::TRANSFER_DST | vk::BufferUsageFlags::TRANSFER_SRC;
        let vertices = Buffer::new(
            ctx,
            &BufferInfo {
                name: "mesh vertices",
                size: vertex_bytes.len() as u64,
                usage: vk::BufferUsageFlags::VERTEX_BUFFER | upload_usage,
                location: MemoryLocation::GpuOnly,
            },
        )?;
        weft::runtime::upload(ctx, &vertices, 0, &vertex_bytes)?;
        let index_bytes = bytes(&index_data);
        let indices = Buffer::new(
            ctx,
            &BufferInfo {
                name: "mesh indices",
                size: index_bytes.len() as u64,
                usage: vk::BufferUsageFlags::INDEX_BUFFER | upload_usage,
                location: MemoryLocation::GpuOnly,
            },
        )?;
        weft::runtime::upload(ctx, &indices, 0, &index_bytes)?;
        Ok(Self {
            mesh,
            down,
            up,
            tonemap,
            index_count: index_data.len() as u32,
            vertices: Arc::new(vertices),
            indices: Arc::new(indices),
        })
    }

    /// Records one frame into `graph`, rendering into `output` (an RGBA8 storage image of
    /// `width` x `height`) with the spheres turned by `angle(frame data)` radians. The mesh
    /// buffers are imported into the graph (bound to the renderer's buffers).
    pub fn record<U: 'static>(
        &self,
        graph: &mut Graph<U>,
        output: TaskImage,
        width: u32,
        height: u32,
        angle: impl Fn(&U) -> f32 + Send + 'static,
        bloom_on: Option<Condition>,
    ) -> Result<(), Error> {
        let vertices = graph.import_buffer("mesh vertices", &self.vertices)?;
        let indices = graph.import_buffer("mesh indices", &self.indices)?;
        let storage = vk::ImageUsageFlags::STORAGE;
        let hdr = graph.transient_image(
            "hdr",
            ImageDesc::new_2d(
                HDR,
                width,
                height,
                vk::ImageUsageFlags::COLOR_ATTACHMENT | storage,
            ),
        )?;
        let depth = graph.transient_image(
            "depth",
            ImageDesc::new_2d(
                DEPTH,
                width,
                height,
                vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT,
            ),
        )?;
        let bloom = graph.transient_image(
            "bloom",
            ImageDesc::new_2d(
                HDR,
                width,
                height,
                storage | vk::ImageUsageFlags::TRANSFER_DST,
            )
            .with_mips(BLOOM_MIPS),
        )?;

        // An orthographic camera looking down -z at the grid, y up.
        let aspect = width as f32 / height as f32;
        let scale = 0.17;
        #[rustfmt::skip]
        let view_proj: [f32; 16] = [
            scale / aspect, 0.0, 0.0, 0.0,
            0.0, -scale, 0.0, 0.0,
            0.0, 0.0, -0.2, 0.0,
            0.0, 0.0, 0.5, 1.0,
        ];
        let draw = Draw::Indexed {
            count: self.index_count,
            instances: INSTANCES,
        };
        graph
            .draw("draw spheres", &self.mesh, draw)
            .color(hdr, Some([0.02, 0.02, 0.05, 1.0]))
            .depth(depth, Some(1.0))
            .vertices(vertices)
            .indices(indices, vk::IndexType::UINT32)
            .push_constants_with(move |data: &U, push: &mut [u8]| {
                let tail = [angle(data), 0.0, 0.0, 0.0];
                let values = view_proj.iter().chain(&tail);
                for (bytes, value) in push.chunks_exact_mut(4).zip(values) {
                    bytes.copy_from_slice(&value.to_ne_bytes());
                }
            })
            .record()?;

        let groups = |mip: u32| [(width >> mip).div_ceil(8), (height >> mip).div_ceil(8), 1];
        let bloom_passes = |graph: &mut Graph<U>| self.bloom(graph, hdr, bloom, groups);
        match bloom_on {
            // The bloom passes run only when the condition is true; when it is false, the
            // tonemap reads a cleared (black) bloom image instead.
            Some(on) => {
                graph.scope_if("bloom", on.is(true), bloom_passes)??;
                graph.scope_if("no bloom", on.is(false), |graph| {
                    graph
                        .clear_color("clear", bloom.mip(0), [0.0f32; 4])
                        .map(|_| ())
                })??;
            }
            None => bloom_passes(graph)?,
        }
        graph
            .compute("tonemap", &self.tonemap)
            .bind("hdr", hdr)
            .bind("bloom", bloom.mip(0))
            .bind("output", output)
            .dispatch(groups(0))
            .record()?;
        Ok(())
    }

    /// The bloom passes: a bright pass into mip 0, down the mips, and back up.
    fn bloom<U: 'static>(
        &self,
        graph: &mut Graph<U>,
        hdr: TaskImage,
        bloom: TaskImage,
        groups: impl Fn(u32) -> [u32; 3],
    ) -> Result<(), Error> {
        let threshold = |first: bool| {
            let mut p = 1.0f32.to_ne_bytes().to_vec();
            p.extend(u32::from(first).to_ne_bytes());
            p
        };
        graph
            .compute("bloom bright pass", &self.down)
            .bind("src", hdr)
            .bind("dst", bloom.mip(0))
            .push_constants(&threshold(true))
            .dispatch(groups(0))
            .record()?;
        for mip in 1..BLOOM_MIPS {
            graph
                .compute(&format!("bloom down {mip}"), &self.down)
                .bind("src", bloom.mip(mip - 1))
                .bind("dst", bloom.mip(mip))
                .push_constants(&threshold(false))
                .dispatch(groups(mip))
                .record()?;
        }
        for mip in (0..BLOOM_MIPS - 1).rev() {
            graph
                .compute(&format!("bloom up {mip}"), &self.up)
                .bind("src", bloom.mip(mip + 1))
                .bind("dst", bloom.mip(mip))
                .dispatch(groups(mip))
                .record()?;
        }
        Ok(())
    }
}
