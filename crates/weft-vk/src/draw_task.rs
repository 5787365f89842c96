//! Draw tasks: a graphics pipeline rendering into the task's image attachments with dynamic
//! rendering. Color and depth attachments, vertex, index and indirect-argument buffers are
//! the task's attachments; load operations follow from the access (clear, or load what is
//! there), store operations from whether a later task reads the result.

use std::sync::Arc;

use ash::vk;
use weft_graph::{
    access, Access, AccessKind, AccessUsage, BufferView, ImageView, TaskGraph, TaskId,
};

use weft_shader::BindingKind;

use crate::clear_color::ClearColor;
use crate::error::VkError;
use crate::graphics::GraphicsPipeline;
use crate::push_bytes::PushBytes;
use crate::push_descriptors::{Descriptors, PushTarget};
use crate::shader_binds::{shader_bind_methods, ShaderBinds};
use crate::task_context::TaskContext;
use crate::work::Work;

/// The most color attachments a draw task has.
const MAX_COLORS: usize = 8;

/// What to draw.
#[derive(Clone, Copy, Debug)]
pub enum Draw {
    /// `vkCmdDraw`.
    Vertices {
        /// Vertices.
        count: u32,
        /// Instances.
        instances: u32,
    },
    /// `vkCmdDrawIndexed` (needs an index buffer).
    Indexed {
        /// Indices.
        count: u32,
        /// Instances.
        instances: u32,
    },
    /// `vkCmdDrawIndirect` with `count` draws from `args`.
    Indirect {
        /// The `VkDrawIndirectCommand`s.
        args: BufferView,
        /// How many.
        count: u32,
    },
}

/// What a color attachment starts with: what is there, or a clear value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColorLoad {
    /// Load the attachment's contents.
    Load,
    /// Clear it to a value of the format's numeric type.
    Clear(ClearColor),
}

impl From<Option<[f32; 4]>> for ColorLoad {
    fn from(clear: Option<[f32; 4]>) -> Self {
        clear.map_or(Self::Load, |c| Self::Clear(ClearColor::Float(c)))
    }
}

impl From<ClearColor> for ColorLoad {
    fn from(clear: ClearColor) -> Self {
        Self::Clear(clear)
    }
}

/// Builds a draw task (see [`crate::Graph::draw`]): color attachments (cleared or
/// loaded), an optional depth attachment, the vertex and index buffers, views bound to
/// shader bindings by name, push constants, then `record`.
pub struct DrawTask<'g, U: 'static> {
    graph: &'g mut TaskGraph<Work<U>>,
    name: String,
    pipeline: Arc<GraphicsPipeline>,
    colors: Vec<(ImageView, Option<ClearColor>)>,
    depth: Option<(ImageView, Option<f32>)>,
    vertices: Option<BufferView>,
    indices: Option<(BufferView, vk::IndexType)>,
    binds: ShaderBinds<U>,
    draw: Draw,
}

/// What the task's callback needs, in attachment order: colors, depth, vertex, index,
/// indirect, bindings.
struct Recorded {
    pipeline: Arc<GraphicsPipeline>,
    colors: Vec<(ImageView, Option<ClearColor>)>,
    depth: Option<(ImageView, Option<f32>, bool)>,
    vertices: Option<BufferView>,
    indices: Option<(BufferView, vk::IndexType)>,
    descriptors: Descriptors,
    push: PushBytes,
    draw: Draw,
    /// The layers every attachment view covers (the rendering's layer count).
    layers: u32,
}

impl<'g, U: 'static> DrawTask<'g, U> {
    pub(crate) fn new(
        graph: &'g mut TaskGraph<Work<U>>,
        name: &str,
        pipeline: &Arc<GraphicsPipeline>,
        draw: Draw,
    ) -> Self {
        Self {
            graph,
            name: name.to_owned(),
            pipeline: Arc::clone(pipeline),
            colors: Vec::new(),
            depth: None,
            vertices: None,
            indices: None,
            binds: ShaderBinds::default(),
            draw,
        }
    }

    shader_bind_methods!();

    /// The next color attachment, cleared or loaded: `Some([r, g, b, a])` clears a float
    /// format, a [`ClearColor`] clears in the format's numeric type (`ClearColor::Uint` for
    /// `_UINT` formats, ...), `None` loads what is there.
    pub fn color(mut self, view: impl Into<ImageView>, clear: impl Into<ColorLoad>) -> Self {
        let clear = match clear.into() {
            ColorLoad::Load => None,
            ColorLoad::Clear(color) => Some(color),
        };
        self.colors.push((view.into(), clear));
        self
    }

    /// The depth attachment, cleared to `clear` or (with `None`) loaded.
    pub fn depth(mut self, view: impl Into<ImageView>, clear: Option<f32>) -> Self {
        self.depth = Some((view.into(), clear));
        self
    }

    /// The vertex buffer (binding 0, interleaved in location order).
    pub fn vertices(mut self, view: impl Into<BufferView>) -> Self {
        self.vertices = Some(view.into());
        self
    }

    /// The index buffer.
    pub fn indices(mut self, view: impl Into<BufferView>, kind: vk::IndexType) -> Self {
        self.indices = Some((view.into(), kind));
        self
    }

    /// Checks the task against the pipeline and adds it to the graph.
    pub fn record(mut self) -> Result<TaskId, VkError> {
        let graph = self.graph;
        let name = self.name.as_str();
        let pipeline = &self.pipeline;
        let misuse = |problem: String| VkError::Binding {
            task: name.to_owned(),
            shader: format!("{} + {}", pipeline.vertex.path, pipeline.fragment.path),
            problem,
        };
        if self.colors.is_empty() && self.depth.is_none() {
            return Err(misuse(
                "a draw task needs a color or depth attachment to render into".into(),
            ));
        }
        if self.colors.len() != pipeline.desc.color_formats.len() || self.colors.len() > MAX_COLORS
        {
            return Err(misuse(format!(
                "{} color attachments given, the pipeline renders {}",
                self.colors.len(),
                pipeline.desc.color_formats.len()
            )));
        }
        let layers = attachment_layers(
            graph,
            self.colors
                .iter()
                .map(|(v, _)| v)
                .chain(self.depth.as_ref().map(|(v, _)| v)),
        )
        .map_err(&misuse)?;
        let format_of = |view: &ImageView| graph.image_desc(view.image).map(|d| d.format);
        for (i, ((view, clear), expected)) in self
            .colors
            .iter()
            .zip(&pipeline.desc.color_formats)
            .enumerate()
        {
            if let Some(format) = format_of(view) {
                if format != *expected {
                    return Err(misuse(format!(
                        "color attachment {i} is {format:?}, the pipeline expects {expected:?}"
                    )));
                }
                if let Some(clear) = clear {
                    clear
                        .check(format)
                        .map_err(|p| misuse(format!("color attachment {i}: {p}")))?;
                }
            }
        }
        match (&self.depth, pipeline.desc.depth_format) {
            (Some((view, _)), Some(expected)) => {
                if let Some(format) = format_of(view).filter(|f| f != &expected) {
                    return Err(misuse(format!(
                        "the depth attachment is {format:?}, the pipeline expects {expected:?}"
                    )));
                }
            }
            (None, Some(_)) => {
                return Err(misuse(
                    "the pipeline tests depth but no depth attachment was given".into(),
                ))
            }
            (Some(_), None) => {
                return Err(misuse(
                    "a depth attachment was given but the pipeline has no depth format".into(),
                ))
            }
            (None, None) => {}
        }
        if pipeline.vertex_stride > 0 && self.vertices.is_none() {
            return Err(misuse(
                "the vertex shader has inputs but no vertex buffer was given".into(),
            ));
        }
        if matches!(self.draw, Draw::Indexed { .. }) && self.indices.is_none() {
            return Err(misuse("an indexed draw needs an index buffer".into()));
        }
        let bindings: Vec<_> = pipeline
            .bindings
            .iter()
            .filter(|(binding, _)| binding.kind != BindingKind::Sampler)
            .map(|(binding, stages)| (binding, shader_stages(*stages)))
            .collect();
        let order = std::mem::take(&mut self.binds.order);
        let checked = self
            .binds
            .check(&bindings, pipeline.push_constant_size, "draw", graph)
            .map_err(&misuse)?;
        let mut task = graph.task(name);
        let color_access = |clear: bool| {
            if clear {
                access::COLOR_WRITE
            } else {
                access::COLOR_READ_WRITE
            }
        };
        for (view, clear) in &self.colors {
            task = task.attach(*view, color_access(clear.is_some()));
        }
        let depth_write = pipeline.desc.depth_write;
        if let Some((view, clear)) = &self.depth {
            let kind = match (depth_write, clear.is_some()) {
                (false, _) => AccessKind::Read,
                (true, true) => AccessKind::Write,
                (true, false) => AccessKind::ReadWrite,
            };
            let stages = vk::PipelineStageFlags2::EARLY_FRAGMENT_TESTS
                | vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS;
            task = task.attach(
                *view,
                Access::new(stages, kind, AccessUsage::DepthStencilAttachment),
            );
        }
        if let Some(view) = self.vertices {
            task = task.attach(view, access::VERTEX_BUFFER);
        }
        if let Some((view, _)) = self.indices {
            task = task.attach(view, access::INDEX_BUFFER);
        }
        if let Draw::Indirect { args, .. } = self.draw {
            task = task.attach(args, access::INDIRECT_ARGS);
        }
        for (view, access) in checked.attachments {
            task = task.attach(view, access);
        }
        task = order.apply(task);
        let recorded = Recorded {
            pipeline: Arc::clone(&self.pipeline),
            depth: self.depth.map(|(v, c)| (v, c, depth_write)),
            colors: self.colors,
            vertices: self.vertices,
            indices: self.indices,
            descriptors: checked.descriptors,
            push: checked.push,
            draw: self.draw,
            layers,
        };
        let mut recorded = recorded;
        let mut fill = checked.fill;
        let run = move |cx: &mut TaskContext<'_, U>| {
            if let Some(fill) = &mut fill {
                fill(cx.data, &mut recorded.push);
            }
            record_draw(cx, &recorded)
        };
        task.run(Work::Callback(Box::new(run)))
            .record()
            .map_err(VkError::Graph)
    }
}

/// The number of layers the attachment views cover, the same for all (a draw renders into
/// a layer range of array images: every layer of it is cleared or loaded and stored; the
/// shaders pick a layer with the `Layer` built-in, layer 0 of the range otherwise).
fn attachment_layers<'v, C>(
    graph: &TaskGraph<C>,
    views: impl Iterator<Item = &'v ImageView>,
) -> Result<u32, String> {
    let mut layers = None;
    for view in views {
        // A view the graph cannot resolve is reported by the recording itself.
        let Some(range) = graph.image_desc(view.image).and_then(|d| view.range_in(d)) else {
            continue;
        };
        match layers {
            Some(n) if n != range.layer_count => {
                return Err(format!(
                    "the attachments cover {n} and {} layers; a draw renders into one layer count",
                    range.layer_count
                ))
            }
            _ => layers = Some(range.layer_count),
        }
    }
    Ok(layers.unwrap_or(1))
}

/// The pipeline stages of shader stages `stages` (vertex, fragment).
fn shader_stages(stages: vk::ShaderStageFlags) -> vk::PipelineStageFlags2 {
    let mut pipeline_stages = vk::PipelineStageFlags2::empty();
    if stages.contains(vk::ShaderStageFlags::VERTEX) {
        pipeline_stages |= vk::PipelineStageFlags2::VERTEX_SHADER;
    }
    if stages.contains(vk::ShaderStageFlags::FRAGMENT) {
        pipeline_stages |= vk::PipelineStageFlags2::FRAGMENT_SHADER;
    }
    pipeline_stages
}

fn store_op(store: bool) -> vk::AttachmentStoreOp {
    if store {
        vk::AttachmentStoreOp::STORE
    } else {
        vk::AttachmentStoreOp::DONT_CARE
    }
}

/// What a draw task records when the plan runs.
fn record_draw<U>(cx: &mut TaskContext<'_, U>, r: &Recorded) {
    let first_view = r
        .colors
        .first()
        .map(|(v, _)| v)
        .or(r.depth.as_ref().map(|(v, _, _)| v));
    // `record` checked there is a color or depth attachment.
    let Some(first_view) = first_view else {
        return;
    };
    let extent = match cx.image_extent(first_view) {
        Ok(extent) => extent,
        Err(e) => return cx.fail(e),
    };
    let mut colors = [vk::RenderingAttachmentInfo::default(); MAX_COLORS];
    for (i, (view, clear)) in r.colors.iter().enumerate() {
        let image_view = match cx.image_view(view) {
            Ok(v) => v,
            Err(e) => return cx.fail(e),
        };
        let ops = cx.attachment_ops(i);
        colors[i] = vk::RenderingAttachmentInfo::default()
            .image_view(image_view)
            .image_layout(vk::ImageLayout::COLOR_ATTACHMENT_OPTIMAL)
            .load_op(if clear.is_some() {
                vk::AttachmentLoadOp::CLEAR
            } else {
                vk::AttachmentLoadOp::LOAD
            })
            .store_op(store_op(ops.store))
            .clear_value(vk::ClearValue {
                color: clear.map_or(vk::ClearColorValue::default(), ClearColor::to_vk),
            });
    }
    let mut depth = vk::RenderingAttachmentInfo::default();
    if let Some((view, clear, write)) = &r.depth {
        let image_view = match cx.image_view(view) {
            Ok(v) => v,
            Err(e) => return cx.fail(e),
        };
        let ops = cx.attachment_ops(r.colors.len());
        depth = depth
            .image_view(image_view)
            .image_layout(if *write {
                vk::ImageLayout::DEPTH_STENCIL_ATTACHMENT_OPTIMAL
            } else {
                vk::ImageLayout::DEPTH_STENCIL_READ_ONLY_OPTIMAL
            })
            .load_op(if clear.is_some() {
                vk::AttachmentLoadOp::CLEAR
            } else {
                vk::AttachmentLoadOp::LOAD
            })
            .store_op(store_op(ops.store && *write))
            .clear_value(vk::ClearValue {
                depth_stencil: vk::ClearDepthStencilValue {
                    depth: clear.unwrap_or(1.0),
                    stencil: 0,
                },
            });
    }
    let area = vk::Rect2D {
        offset: vk::Offset2D::default(),
        extent,
    };
    let mut rendering = vk::RenderingInfo::default()
        .render_area(area)
        .layer_count(r.layers)
        .color_attachments(&colors[..r.colors.len()]);
    if r.depth.is_some() {
        rendering = rendering.depth_attachment(&depth);
    }
    let layout = r.pipeline.objects.layout;
    let cmd = cx.cmd();
    let target = PushTarget {
        cmd,
        bind_point: vk::PipelineBindPoint::GRAPHICS,
        layout,
    };
    let task = (cx.reals, cx.names);
    if let Err(e) = r.descriptors.push(cx.context(), target, task) {
        return cx.fail(e);
    }
    let buffers = (|| {
        let vertex = match r.vertices {
            Some(v) => Some((cx.buffer(v.buffer)?, v.offset)),
            None => None,
        };
        let index = match r.indices {
            Some((v, kind)) => Some((cx.buffer(v.buffer)?, v.offset, kind)),
            None => None,
        };
        let indirect = match r.draw {
            Draw::Indirect { args, .. } => Some((cx.buffer(args.buffer)?, args.offset)),
            _ => None,
        };
        Ok::<_, VkError>((vertex, index, indirect))
    })();
    let (vertex, index, indirect) = match buffers {
        Ok(found) => found,
        Err(e) => return cx.fail(e),
    };
    let ctx = cx.context();
    let device = &ctx.device;
    let pipeline = &r.pipeline;
    let viewport = vk::Viewport {
        x: 0.0,
        y: 0.0,
        width: extent.width as f32,
        height: extent.height as f32,
        min_depth: 0.0,
        max_depth: 1.0,
    };
    // SAFETY: the command buffer is recording; the plan put every attachment in the layout
    // used here and synchronised every view; the infos outlive the calls; the push-constant
    // size and the binding kinds were checked when the task was recorded.
    unsafe {
        device.cmd_begin_rendering(cmd, &rendering);
        device.cmd_set_viewport(cmd, 0, &[viewport]);
        device.cmd_set_scissor(cmd, 0, &[area]);
        device.cmd_bind_pipeline(
            cmd,
            vk::PipelineBindPoint::GRAPHICS,
            pipeline.objects.pipeline,
        );
        if !r.push.is_empty() {
            device.cmd_push_constants(
                cmd,
                pipeline.objects.layout,
                vk::ShaderStageFlags::VERTEX | vk::ShaderStageFlags::FRAGMENT,
                0,
                &r.push,
            );
        }
        if let Some((buffer, offset)) = vertex {
            device.cmd_bind_vertex_buffers(cmd, 0, &[buffer], &[offset]);
        }
        if let Some((buffer, offset, kind)) = index {
            device.cmd_bind_index_buffer(cmd, buffer, offset, kind);
        }
        match (r.draw, indirect) {
            (Draw::Vertices { count, instances }, _) => {
                device.cmd_draw(cmd, count, instances, 0, 0)
            }
            (Draw::Indexed { count, instances }, _) => {
                device.cmd_draw_indexed(cmd, count, instances, 0, 0, 0)
            }
            (Draw::Indirect { count, .. }, Some((buffer, offset))) => device.cmd_draw_indirect(
                cmd,
                buffer,
                offset,
                count,
                std::mem::size_of::<vk::DrawIndirectCommand>() as u32,
            ),
            (Draw::Indirect { .. }, None) => {}
        }
        device.cmd_end_rendering(cmd);
    }
}
