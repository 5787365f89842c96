//! Graphics tasks with dynamic rendering, offscreen: a depth-tested draw into a transient
//! color and depth image, read back and checked pixel by pixel, with validation and
//! synchronization validation on. Plus the misuses of draw tasks.

mod support;

use std::sync::Arc;

use support::{assert_no_messages, context, vertex_draw};
use weft::prelude::*;
use weft::runtime::raw_window_handle as rwh;
use weft::runtime::{
    Buffer, Context, Draw, Executor, Graph, GraphicsPipeline, GraphicsPipelineDesc, VkError,
};

const SIZE: u32 = 32;
const COLOR: vk::Format = vk::Format::R8G8B8A8_UNORM;
const DEPTH: vk::Format = vk::Format::D32_SFLOAT;
const TRIANGLE_PATH: &str = "shaders/triangle.wgsl";
const TRIANGLE: &str = include_str!("../shaders/triangle.wgsl");

fn pipeline(ctx: &Arc<Context>, depth: bool) -> Arc<GraphicsPipeline> {
    pipeline_with(ctx, depth, false)
}

fn pipeline_with(ctx: &Arc<Context>, depth: bool, blend: bool) -> Arc<GraphicsPipeline> {
    let desc = GraphicsPipelineDesc {
        color_formats: vec![COLOR],
        depth_format: depth.then_some(DEPTH),
        blend,
        ..Default::default()
    };
    GraphicsPipeline::from_source(ctx, TRIANGLE_PATH, TRIANGLE, &desc).unwrap()
}

/// A vertex: position (x, y, z) and colour (r, g, b, a).
fn vertex(x: f32, y: f32, z: f32, rgba: [f32; 4]) -> [f32; 7] {
    [x, y, z, rgba[0], rgba[1], rgba[2], rgba[3]]
}

/// The native-endian bytes of `vertices`.
fn vertex_bytes(vertices: &[[f32; 7]]) -> Vec<u8> {
    vertices
        .iter()
        .flatten()
        .flat_map(|f| f.to_ne_bytes())
        .collect()
}

/// Two triangles of `rgba` at depth `z` over the whole target.
fn quad(z: f32, rgba: [f32; 4]) -> Vec<[f32; 7]> {
    [
        (-1.0, -1.0),
        (1.0, -1.0),
        (1.0, 1.0),
        (-1.0, -1.0),
        (1.0, 1.0),
        (-1.0, 1.0),
    ]
    .map(|(x, y)| vertex(x, y, z, rgba))
    .to_vec()
}

/// A draw test's graph: a transient color target, the external vertex buffer (holding the
/// test's vertices) and the external readback buffer for the target.
struct DrawGraph {
    g: Graph,
    color: TaskImage,
    verts: TaskBuffer,
    readback: TaskBuffer,
    /// The real readback buffer: the target's pixels once [`DrawGraph::run`] returns.
    pixels: Arc<Buffer>,
}

impl DrawGraph {
    /// The graph of a draw test whose vertex buffer holds `vertex_bytes`.
    fn new(ctx: &Arc<Context>, vertex_bytes: &[u8]) -> Self {
        let usage = vk::BufferUsageFlags::VERTEX_BUFFER;
        let vertices = support::filled_buffer(ctx, "vertices", usage, vertex_bytes);
        let size = u64::from(SIZE * SIZE) * 4;
        let usage = vk::BufferUsageFlags::TRANSFER_DST;
        let pixels = support::host_buffer(ctx, "readback", size, usage);
        let mut g = Graph::new();
        let color = color_image(&mut g);
        let named = [("vertices", &vertices), ("readback", &pixels)];
        let [verts, readback] = support::import_buffers(&mut g, named);
        DrawGraph {
            g,
            color,
            verts,
            readback,
            pixels,
        }
    }

    /// Records the read back of the color target into the readback buffer.
    fn read_back(&mut self) {
        let (color, readback) = (self.color, self.readback);
        support::read_back(
            &mut self.g,
            "read back",
            color,
            readback,
            [SIZE, SIZE],
            1,
            1,
        );
    }

    /// Records the task "draw": `draw` of the vertex buffer with `pipeline` into the color
    /// target, cleared to opaque black first.
    fn draw_on_black(&mut self, pipeline: &Arc<GraphicsPipeline>, draw: Draw) {
        self.g
            .draw("draw", pipeline, draw)
            .color(self.color, Some([0.0, 0.0, 0.0, 1.0]))
            .vertices(self.verts)
            .record()
            .unwrap();
    }

    /// Executes the graph once.
    fn run(&mut self, ctx: &Arc<Context>) {
        support::execute_once(ctx, &mut self.g);
    }
}

/// A transient color target, read back by copies.
fn color_image(g: &mut Graph) -> TaskImage {
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::TRANSFER_SRC;
    g.transient_image("color", ImageDesc::new_2d(COLOR, SIZE, SIZE, usage))
        .unwrap()
}

#[test]
fn a_depth_tested_draw_renders_the_nearer_triangle_over_the_farther() {
    let ctx = context();
    let pipe = pipeline(&ctx, true);
    // A far green quad over the whole target, and a near red triangle over its left half,
    // drawn after the green one on purpose: the depth test, not the order, decides. Then a
    // near blue triangle drawn first and a far white one over it: blue must stay.
    let green = [0.0, 1.0, 0.0, 1.0];
    let red = [1.0, 0.0, 0.0, 1.0];
    let blue = [0.0, 0.0, 1.0, 1.0];
    let white = [1.0; 4];
    let mut vertices: Vec<[f32; 7]> = vec![
        // blue, near, bottom right corner (drawn first)
        vertex(0.2, 0.2, 0.1, blue),
        vertex(1.0, 0.2, 0.1, blue),
        vertex(1.0, 1.0, 0.1, blue),
    ];
    // green, far, the whole target (two triangles)
    vertices.extend(quad(0.8, green));
    vertices.extend([
        // red, near, the left half
        vertex(-1.0, -1.0, 0.2, red),
        vertex(0.0, -1.0, 0.2, red),
        vertex(-1.0, 1.0, 0.2, red),
        vertex(0.0, -1.0, 0.2, red),
        vertex(0.0, 1.0, 0.2, red),
        vertex(-1.0, 1.0, 0.2, red),
        // white, far, over the blue corner
        vertex(0.2, 0.2, 0.9, white),
        vertex(1.0, 0.2, 0.9, white),
        vertex(1.0, 1.0, 0.9, white),
    ]);
    let mut t = DrawGraph::new(&ctx, &vertex_bytes(&vertices));
    let usage = vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT;
    let depth =
        t.g.transient_image("depth", ImageDesc::new_2d(DEPTH, SIZE, SIZE, usage))
            .unwrap();
    t.g.draw("draw", &pipe, vertex_draw(18))
        .color(t.color, Some([0.0, 0.0, 0.0, 1.0]))
        .depth(depth, Some(1.0))
        .vertices(t.verts)
        .record()
        .unwrap();
    t.read_back();
    // The color result is read later (stored); the depth is not (not stored).
    let ops = t.g.attachment_ops();
    assert!(ops[0].store && !ops[1].store);
    let mut executor = Executor::new(&ctx).unwrap();
    for _ in 0..3 {
        executor.execute(&mut t.g, &mut ()).unwrap();
    }
    let pixels = t.pixels.mapped().unwrap();
    let at = |x: u32, y: u32| {
        let i = ((y * SIZE + x) * 4) as usize;
        [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]]
    };
    // Vulkan clip space: y grows downwards, so clip (x, y) lands at pixel
    // ((x + 1) / 2 * SIZE, (y + 1) / 2 * SIZE).
    assert_eq!(
        at(4, 16),
        [255, 0, 0, 255],
        "left half: the near red triangle"
    );
    assert_eq!(
        at(24, 4),
        [0, 255, 0, 255],
        "top right: only the far green quad"
    );
    assert_eq!(
        at(28, 26),
        [0, 0, 255, 255],
        "bottom right corner: blue, nearer than white"
    );
    assert_no_messages(&ctx);
}

#[test]
fn a_color_attachment_in_another_format_is_an_error() {
    let ctx = context();
    let pipe = pipeline(&ctx, false);
    let mut g: Graph = Graph::new();
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT;
    let hdr = ImageDesc::new_2d(vk::Format::R16G16B16A16_SFLOAT, SIZE, SIZE, usage);
    let wrong = g.transient_image("hdr", hdr).unwrap();
    let e = g
        .draw("draw", &pipe, vertex_draw(3))
        .color(wrong, None)
        .record()
        .unwrap_err();
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    assert!(e.to_string().contains("R16G16B16A16_SFLOAT"), "{e}");
}

#[test]
fn a_draw_without_attachments_to_render_into_is_an_error() {
    let ctx = context();
    let pipe = pipeline(&ctx, false);
    let mut g: Graph = Graph::new();
    let e = g.draw("draw", &pipe, vertex_draw(3)).record().unwrap_err();
    assert!(
        e.to_string().contains("needs a color or depth attachment"),
        "{e}"
    );
}

#[test]
fn a_depth_access_on_a_color_image_is_an_error() {
    let ctx = context();
    let pipe = pipeline(&ctx, true);
    let mut g: Graph = Graph::new();
    let (color, not_depth) = (color_image(&mut g), color_image(&mut g));
    let e = g
        .draw("draw", &pipe, vertex_draw(3))
        .color(color, None)
        .depth(not_depth, Some(1.0))
        .record()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("the depth attachment is R8G8B8A8_UNORM"),
        "{e}"
    );
}

#[test]
fn presenting_without_a_swapchain_is_an_error() {
    let ctx = context();
    let mut g: Graph = Graph::new();
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT;
    let target = g
        .external_image("target", ImageDesc::new_2d(COLOR, SIZE, SIZE, usage))
        .unwrap();
    support::record_empty_task(&mut g, "draw", target, access::COLOR_WRITE);
    g.present(target).unwrap();
    let e = support::execute_err(&ctx, &mut g);
    assert!(matches!(e, VkError::PresentWithoutSwapchain), "{e}");
}

#[test]
fn an_indirect_draw_reads_its_arguments_from_a_buffer_the_graph_wrote() {
    let ctx = context();
    let pipe = pipeline(&ctx, false);
    // One full-screen quad (two triangles) in yellow.
    let yellow = [1.0, 1.0, 0.0, 1.0];
    let mut t = DrawGraph::new(&ctx, &vertex_bytes(&quad(0.5, yellow)));
    let usage = vk::BufferUsageFlags::INDIRECT_BUFFER | vk::BufferUsageFlags::TRANSFER_DST;
    let args =
        t.g.transient_buffer("args", BufferDesc { size: 16, usage })
            .unwrap();
    // The arguments are written on the GPU: 6 vertices, 1 instance (`vkCmdUpdateBuffer`
    // writes in the CLEAR stage, hence CLEAR_DST, not the copies' TRANSFER_DST).
    t.g.task("write args")
        .attach(args, access::CLEAR_DST)
        .run(move |cx| {
            let command = [6u32, 1, 0, 0];
            let data: Vec<u8> = command.iter().flat_map(|w| w.to_ne_bytes()).collect();
            let real = cx.buffer(args)?;
            // SAFETY: recording; 16 bytes at offset 0 of the 16-byte buffer.
            unsafe { cx.device().cmd_update_buffer(cx.cmd(), real, 0, &data) };
            Ok(())
        })
        .record()
        .unwrap();
    let indirect = Draw::Indirect {
        args: args.whole(),
        count: 1,
    };
    t.draw_on_black(&pipe, indirect);
    t.read_back();
    t.run(&ctx);
    let pixels = t.pixels.mapped().unwrap();
    assert!(pixels.chunks_exact(4).all(|p| p == [255, 255, 0, 255]));
    assert_no_messages(&ctx);
}

#[test]
fn a_blended_draw_loads_the_earlier_contents_and_mixes_with_them() {
    let ctx = context();
    let opaque = pipeline(&ctx, false);
    let blended = pipeline_with(&ctx, false, true);
    // An opaque blue quad, then a half-transparent red one over it.
    let mut vertices = quad(0.5, [0.0, 0.0, 1.0, 1.0]);
    vertices.extend(quad(0.5, [1.0, 0.0, 0.0, 0.5]));
    let bytes = vertex_bytes(&vertices);
    let half = (bytes.len() / 2) as u64;
    let mut t = DrawGraph::new(&ctx, &bytes);
    t.g.draw("opaque", &opaque, vertex_draw(6))
        .color(t.color, Some([0.0, 0.0, 0.0, 1.0]))
        .vertices(t.verts.range(0, half))
        .record()
        .unwrap();
    // No clear: the task reads what is there (loads it) and blends over it.
    t.g.draw("blend", &blended, vertex_draw(6))
        .color(t.color, None)
        .vertices(t.verts.range(half, half))
        .record()
        .unwrap();
    t.read_back();
    let ops = t.g.attachment_ops();
    // The opaque draw's result is read by the blend (stored); the blend loads it.
    assert!(ops[0].store && ops[2].load);
    t.run(&ctx);
    let pixels = t.pixels.mapped().unwrap();
    for p in pixels.chunks_exact(4) {
        // 0.5 * red + 0.5 * blue (UNORM rounding: 127 or 128).
        assert!(
            p[0].abs_diff(128) <= 1 && p[1] == 0 && p[2].abs_diff(128) <= 1,
            "{p:?}"
        );
    }
    assert_no_messages(&ctx);
}

#[test]
fn an_explicit_vertex_layout_reads_padded_vertices() {
    let ctx = context();
    // Position (x, y, z, padding) then colour: 32 bytes per vertex, colour at 16.
    let layout = weft::runtime::VertexLayout {
        stride: 32,
        attributes: vec![
            (0, vk::Format::R32G32B32_SFLOAT, 0),
            (1, vk::Format::R32G32B32A32_SFLOAT, 16),
        ],
    };
    let desc = GraphicsPipelineDesc {
        color_formats: vec![COLOR],
        vertex_layout: Some(layout.clone()),
        ..Default::default()
    };
    let pipe = GraphicsPipeline::from_source(&ctx, TRIANGLE_PATH, TRIANGLE, &desc).unwrap();
    assert_eq!(pipe.vertex_stride(), 32);
    let cyan = [0.0f32, 1.0, 1.0, 1.0];
    let corners = [
        [-1.0f32, -1.0],
        [1.0, -1.0],
        [1.0, 1.0],
        [-1.0, -1.0],
        [1.0, 1.0],
        [-1.0, 1.0],
    ];
    let bytes: Vec<u8> = corners
        .iter()
        .flat_map(|[x, y]| [*x, *y, 0.5, 99.0].into_iter().chain(cyan))
        .flat_map(|f| f.to_ne_bytes())
        .collect();
    let mut t = DrawGraph::new(&ctx, &bytes);
    t.draw_on_black(&pipe, vertex_draw(6));
    t.read_back();
    t.run(&ctx);
    assert!(t
        .pixels
        .mapped()
        .unwrap()
        .chunks_exact(4)
        .all(|p| p == [0, 255, 255, 255]));
    assert_no_messages(&ctx);

    // A layout that misses one of the shader's inputs is refused.
    let partial = GraphicsPipelineDesc {
        color_formats: vec![COLOR],
        vertex_layout: Some(weft::runtime::VertexLayout {
            stride: 16,
            attributes: vec![(0, vk::Format::R32G32B32_SFLOAT, 0)],
        }),
        ..Default::default()
    };
    let e = GraphicsPipeline::from_source(&ctx, TRIANGLE_PATH, TRIANGLE, &partial)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("input location 1"), "{e}");
}

#[test]
fn an_image_view_bound_to_a_uniform_buffer_binding_is_an_error() {
    let ctx = context();
    const TINTED: &str = "
        @group(0) @binding(0) var<uniform> tint: vec4<f32>;
        @vertex fn vs_main(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
            return vec4<f32>(f32(i) - 1.0, f32(i & 1u), 0.0, 1.0);
        }
        @fragment fn fs_main() -> @location(0) vec4<f32> { return tint; }
    ";
    let desc = GraphicsPipelineDesc {
        color_formats: vec![COLOR],
        ..Default::default()
    };
    let pipe = GraphicsPipeline::from_source(&ctx, "tinted.wgsl", TINTED, &desc).unwrap();
    let mut g: Graph = Graph::new();
    let target = color_image(&mut g);
    let not_a_buffer = color_image(&mut g);
    let e = g
        .draw("tinted draw", &pipe, vertex_draw(3))
        .color(target, None)
        .bind("tint", not_a_buffer)
        .record()
        .unwrap_err();
    assert!(matches!(e, VkError::Binding { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("tinted draw"), "{text}");
    assert!(
        text.contains("binding `tint`") && text.contains("an image view was bound"),
        "{text}"
    );
}

/// A window handle that names an X11 window on an X11 display, for the checks that come
/// before any Vulkan call on it.
struct X11WindowHandles;

impl rwh::HasWindowHandle for X11WindowHandles {
    fn window_handle(&self) -> Result<rwh::WindowHandle<'_>, rwh::HandleError> {
        use rwh::{RawWindowHandle, WindowHandle, XlibWindowHandle};
        // SAFETY: the handle is never used to reach a window: the swapchain refuses the
        // context before it makes a surface.
        Ok(unsafe { WindowHandle::borrow_raw(RawWindowHandle::Xlib(XlibWindowHandle::new(1))) })
    }
}

impl rwh::HasDisplayHandle for X11WindowHandles {
    fn display_handle(&self) -> Result<rwh::DisplayHandle<'_>, rwh::HandleError> {
        use rwh::{DisplayHandle, RawDisplayHandle, XlibDisplayHandle};
        // SAFETY: as above, the display is never opened.
        Ok(unsafe {
            DisplayHandle::borrow_raw(RawDisplayHandle::Xlib(XlibDisplayHandle::new(None, 0)))
        })
    }
}

#[test]
fn a_swapchain_from_a_context_made_without_a_display_is_an_error() {
    let ctx = context();
    let e = weft::runtime::Swapchain::new(&ctx, &X11WindowHandles, 64, 64).err();
    match e {
        Some(VkError::NotForWindows { context, window }) => {
            assert_eq!(context, "without a display");
            assert_eq!(window, "Xlib");
        }
        other => panic!("expected NotForWindows, got {other:?}"),
    }
    assert_no_messages(&ctx);
}
