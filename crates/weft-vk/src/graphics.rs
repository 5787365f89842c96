//! Graphics pipelines for dynamic rendering: vertex + fragment shaders whose layouts and
//! vertex input come from reflection, with the attachment formats they render into.

use std::sync::Arc;

use ash::vk;
use weft_shader::{Binding, BindingKind, IoType, ScalarKind, Shader, Stage};

use crate::context::Context;
use crate::error::VkError;
use crate::pipeline::descriptor_type;
use crate::pipeline_parts::{retire_pipeline, PipelineParts};
use crate::timeline::PipelineObjects;

/// How to build a [`GraphicsPipeline`].
#[derive(Clone, Debug)]
pub struct GraphicsPipelineDesc {
    /// The formats of the color attachments, one per fragment output location.
    pub color_formats: Vec<vk::Format>,
    /// The depth attachment's format, if any; depth testing (less) is on with one.
    pub depth_format: Option<vk::Format>,
    /// Write depth (with a depth format).
    pub depth_write: bool,
    /// Alpha-blend every color attachment (source over).
    pub blend: bool,
    /// Primitive topology.
    pub topology: vk::PrimitiveTopology,
    /// Face culling.
    pub cull: vk::CullModeFlags,
    /// The vertex buffer's layout given explicitly: each shader input's location, format
    /// and byte offset, and the stride. `None` derives it from reflection (the inputs
    /// packed in location order).
    pub vertex_layout: Option<VertexLayout>,
}

/// An explicit layout of the vertex buffer (binding 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VertexLayout {
    /// Bytes from one vertex to the next.
    pub stride: u32,
    /// `(location, format, offset)` of each attribute.
    pub attributes: Vec<(u32, vk::Format, u32)>,
}

impl Default for GraphicsPipelineDesc {
    fn default() -> Self {
        Self {
            color_formats: Vec::new(),
            depth_format: None,
            depth_write: true,
            blend: false,
            topology: vk::PrimitiveTopology::TRIANGLE_LIST,
            cull: vk::CullModeFlags::NONE,
            vertex_layout: None,
        }
    }
}

/// A graphics pipeline made from reflected vertex and fragment shaders. Vertex inputs are
/// read from one interleaved vertex buffer (binding 0) in location order.
pub struct GraphicsPipeline {
    ctx: Arc<Context>,
    pub(crate) vertex: Shader,
    pub(crate) fragment: Shader,
    pub(crate) desc: GraphicsPipelineDesc,
    /// The bindings of both stages, with the stages that use them.
    pub(crate) bindings: Vec<(Binding, vk::ShaderStageFlags)>,
    pub(crate) push_constant_size: u32,
    pub(crate) vertex_stride: u32,
    /// The pipeline, its layouts and its immutable sampler.
    pub(crate) objects: PipelineObjects,
}

/// The Vulkan format of a vertex input.
fn vertex_format(ty: IoType) -> Option<vk::Format> {
    use vk::Format as F;
    Some(match (ty.kind, ty.width, ty.components) {
        (ScalarKind::Float, 4, 1) => F::R32_SFLOAT,
        (ScalarKind::Float, 4, 2) => F::R32G32_SFLOAT,
        (ScalarKind::Float, 4, 3) => F::R32G32B32_SFLOAT,
        (ScalarKind::Float, 4, 4) => F::R32G32B32A32_SFLOAT,
        (ScalarKind::Uint, 4, 1) => F::R32_UINT,
        (ScalarKind::Uint, 4, 2) => F::R32G32_UINT,
        (ScalarKind::Uint, 4, 3) => F::R32G32B32_UINT,
        (ScalarKind::Uint, 4, 4) => F::R32G32B32A32_UINT,
        (ScalarKind::Sint, 4, 1) => F::R32_SINT,
        (ScalarKind::Sint, 4, 2) => F::R32G32_SINT,
        (ScalarKind::Sint, 4, 3) => F::R32G32B32_SINT,
        (ScalarKind::Sint, 4, 4) => F::R32G32B32A32_SINT,
        _ => return None,
    })
}

impl GraphicsPipeline {
    /// Compiles the vertex and the fragment entry point of one source `code` named `path`
    /// (the language from its extension: a `.wgsl` file holds both stages) and creates the
    /// pipeline.
    pub fn from_source(
        ctx: &Arc<Context>,
        path: &str,
        code: &str,
        desc: &GraphicsPipelineDesc,
    ) -> Result<Arc<Self>, VkError> {
        let vertex = weft_shader::compile_source(path, code, Stage::Vertex)?;
        let fragment = weft_shader::compile_source(path, code, Stage::Fragment)?;
        Ok(Arc::new(Self::new(ctx, &vertex, &fragment, desc)?))
    }

    /// Reads and compiles a vertex and a fragment shader file (the language from their
    /// extensions: `.vert` and `.frag` GLSL, or one `.wgsl` file named twice) and creates
    /// the pipeline.
    pub fn from_files(
        ctx: &Arc<Context>,
        vertex: &str,
        fragment: &str,
        desc: &GraphicsPipelineDesc,
    ) -> Result<Arc<Self>, VkError> {
        let vertex = weft_shader::compile_file(vertex, Stage::Vertex)?;
        let fragment = weft_shader::compile_file(fragment, Stage::Fragment)?;
        Ok(Arc::new(Self::new(ctx, &vertex, &fragment, desc)?))
    }

    /// Creates the pipeline; the color formats must match the fragment outputs.
    pub fn new(
        ctx: &Arc<Context>,
        vertex: &Shader,
        fragment: &Shader,
        desc: &GraphicsPipelineDesc,
    ) -> Result<Self, VkError> {
        let problem = |problem: String| VkError::Binding {
            task: "graphics pipeline".into(),
            shader: format!("{} + {}", vertex.path, fragment.path),
            problem,
        };
        if vertex.stage != Stage::Vertex || fragment.stage != Stage::Fragment {
            return Err(problem("needs a vertex and a fragment shader".into()));
        }
        let outputs = fragment.reflection.color_outputs.len();
        if outputs != desc.color_formats.len() {
            return Err(problem(format!(
                "the fragment shader writes {outputs} color outputs but {} color formats were given",
                desc.color_formats.len()
            )));
        }
        let bindings = merge_bindings(vertex, fragment).map_err(problem)?;
        let (attributes, offset) = match &desc.vertex_layout {
            Some(layout) => explicit_attributes(vertex, layout).map_err(problem)?,
            None => reflected_attributes(vertex).map_err(problem)?,
        };
        let push_constant_size = vertex
            .reflection
            .push_constant_size
            .max(fragment.reflection.push_constant_size);
        let device = &ctx.device;
        let mut parts = PipelineParts::new(device);
        // Separate sampler bindings get an immutable sampler (linear, clamp to edge), as in
        // compute pipelines: tasks bind views only.
        let samplers = [parts.make_sampler()?];
        let layout_bindings: Vec<vk::DescriptorSetLayoutBinding<'_>> = bindings
            .iter()
            .map(|(b, stages)| {
                let layout = vk::DescriptorSetLayoutBinding::default()
                    .binding(b.binding)
                    .descriptor_type(descriptor_type(b.kind))
                    .descriptor_count(1)
                    .stage_flags(*stages);
                if b.kind == BindingKind::Sampler {
                    layout.immutable_samplers(&samplers)
                } else {
                    layout
                }
            })
            .collect();
        parts.make_layouts(
            &layout_bindings,
            vk::ShaderStageFlags::VERTEX | vk::ShaderStageFlags::FRAGMENT,
            push_constant_size,
        )?;
        let modules = [
            parts.make_module(&vertex.spirv)?,
            parts.make_module(&fragment.spirv)?,
        ];
        let entry_points = [
            std::ffi::CString::new(vertex.entry_point.clone()),
            std::ffi::CString::new(fragment.entry_point.clone()),
        ];
        let [Ok(vs_entry), Ok(fs_entry)] = entry_points else {
            return Err(problem("an entry point name with a NUL".into()));
        };
        let stages = [
            vk::PipelineShaderStageCreateInfo::default()
                .stage(vk::ShaderStageFlags::VERTEX)
                .module(modules[0])
                .name(&vs_entry),
            vk::PipelineShaderStageCreateInfo::default()
                .stage(vk::ShaderStageFlags::FRAGMENT)
                .module(modules[1])
                .name(&fs_entry),
        ];
        let vertex_bindings = [vk::VertexInputBindingDescription::default()
            .binding(0)
            .stride(offset)
            .input_rate(vk::VertexInputRate::VERTEX)];
        let mut vertex_input = vk::PipelineVertexInputStateCreateInfo::default();
        if !attributes.is_empty() {
            vertex_input = vertex_input
                .vertex_binding_descriptions(&vertex_bindings)
                .vertex_attribute_descriptions(&attributes);
        }
        let input_assembly =
            vk::PipelineInputAssemblyStateCreateInfo::default().topology(desc.topology);
        let viewport = vk::PipelineViewportStateCreateInfo::default()
            .viewport_count(1)
            .scissor_count(1);
        let raster = vk::PipelineRasterizationStateCreateInfo::default()
            .polygon_mode(vk::PolygonMode::FILL)
            .cull_mode(desc.cull)
            .front_face(vk::FrontFace::COUNTER_CLOCKWISE)
            .line_width(1.0);
        let multisample = vk::PipelineMultisampleStateCreateInfo::default()
            .rasterization_samples(vk::SampleCountFlags::TYPE_1);
        let depth = vk::PipelineDepthStencilStateCreateInfo::default()
            .depth_test_enable(desc.depth_format.is_some())
            .depth_write_enable(desc.depth_format.is_some() && desc.depth_write)
            .depth_compare_op(vk::CompareOp::LESS);
        let blend_attachment = vk::PipelineColorBlendAttachmentState::default()
            .blend_enable(desc.blend)
            .src_color_blend_factor(vk::BlendFactor::SRC_ALPHA)
            .dst_color_blend_factor(vk::BlendFactor::ONE_MINUS_SRC_ALPHA)
            .color_blend_op(vk::BlendOp::ADD)
            .src_alpha_blend_factor(vk::BlendFactor::ONE)
            .dst_alpha_blend_factor(vk::BlendFactor::ONE_MINUS_SRC_ALPHA)
            .alpha_blend_op(vk::BlendOp::ADD)
            .color_write_mask(vk::ColorComponentFlags::RGBA);
        let blends = vec![blend_attachment; desc.color_formats.len()];
        let blend = vk::PipelineColorBlendStateCreateInfo::default().attachments(&blends);
        let dynamic_states = [vk::DynamicState::VIEWPORT, vk::DynamicState::SCISSOR];
        let dynamic = vk::PipelineDynamicStateCreateInfo::default().dynamic_states(&dynamic_states);
        let mut rendering = vk::PipelineRenderingCreateInfo::default()
            .color_attachment_formats(&desc.color_formats)
            .depth_attachment_format(desc.depth_format.unwrap_or(vk::Format::UNDEFINED));
        let info = [vk::GraphicsPipelineCreateInfo::default()
            .stages(&stages)
            .vertex_input_state(&vertex_input)
            .input_assembly_state(&input_assembly)
            .viewport_state(&viewport)
            .rasterization_state(&raster)
            .multisample_state(&multisample)
            .depth_stencil_state(&depth)
            .color_blend_state(&blend)
            .dynamic_state(&dynamic)
            .layout(parts.layout())
            .push_next(&mut rendering)];
        // SAFETY: every state points at live locals; modules and layout are valid.
        let pipeline =
            unsafe { device.create_graphics_pipelines(vk::PipelineCache::null(), &info, None) }
                .map_err(|(_, result)| VkError::Vulkan {
                    call: "vkCreateGraphicsPipelines",
                    result,
                })?[0];
        Ok(Self {
            ctx: Arc::clone(ctx),
            vertex: vertex.clone(),
            fragment: fragment.clone(),
            desc: desc.clone(),
            bindings,
            push_constant_size,
            vertex_stride: offset,
            objects: parts.into_objects(pipeline),
        })
    }

    /// The pipeline.
    pub fn handle(&self) -> vk::Pipeline {
        self.objects.pipeline
    }

    /// The pipeline layout.
    pub fn layout(&self) -> vk::PipelineLayout {
        self.objects.layout
    }

    /// Bytes per vertex in the vertex buffer.
    pub fn vertex_stride(&self) -> u32 {
        self.vertex_stride
    }
}

/// Vertex attributes packed in location order from the reflected inputs, and the stride.
fn reflected_attributes(
    vertex: &Shader,
) -> Result<(Vec<vk::VertexInputAttributeDescription>, u32), String> {
    let mut attributes = Vec::with_capacity(vertex.reflection.vertex_inputs.len());
    let mut offset = 0u32;
    for input in &vertex.reflection.vertex_inputs {
        let format = vertex_format(input.ty)
            .ok_or_else(|| format!("vertex input {} has an unsupported type", input.location))?;
        attributes.push(
            vk::VertexInputAttributeDescription::default()
                .location(input.location)
                .binding(0)
                .format(format)
                .offset(offset),
        );
        offset += u32::from(input.ty.width) * u32::from(input.ty.components);
    }
    Ok((attributes, offset))
}

/// Vertex attributes from an explicit layout, which must give every shader input.
fn explicit_attributes(
    vertex: &Shader,
    layout: &VertexLayout,
) -> Result<(Vec<vk::VertexInputAttributeDescription>, u32), String> {
    for input in &vertex.reflection.vertex_inputs {
        if !layout
            .attributes
            .iter()
            .any(|(l, _, _)| *l == input.location)
        {
            return Err(format!(
                "the vertex layout gives no attribute for input location {}",
                input.location
            ));
        }
    }
    let attributes = layout
        .attributes
        .iter()
        .map(|&(location, format, offset)| {
            vk::VertexInputAttributeDescription::default()
                .location(location)
                .binding(0)
                .format(format)
                .offset(offset)
        })
        .collect();
    Ok((attributes, layout.stride))
}

/// The bindings of both stages; a binding both use must be of one kind.
fn merge_bindings(
    vertex: &Shader,
    fragment: &Shader,
) -> Result<Vec<(Binding, vk::ShaderStageFlags)>, String> {
    let mut out: Vec<(Binding, vk::ShaderStageFlags)> = Vec::new();
    for (shader, stage) in [
        (vertex, vk::ShaderStageFlags::VERTEX),
        (fragment, vk::ShaderStageFlags::FRAGMENT),
    ] {
        for b in &shader.reflection.bindings {
            if b.set != 0 {
                return Err(format!(
                    "binding `{}` is in set {}; weft binds set 0 with push descriptors",
                    b.name, b.set
                ));
            }
            match out.iter_mut().find(|(o, _)| o.binding == b.binding) {
                Some((o, stages)) if o.kind == b.kind => {
                    *stages |= stage;
                    o.used.read |= b.used.read;
                    o.used.write |= b.used.write;
                }
                Some((o, _)) => {
                    return Err(format!(
                        "binding {} is {:?} in one stage and {:?} in the other",
                        b.binding, o.kind, b.kind
                    ))
                }
                None => out.push((b.clone(), stage)),
            }
        }
    }
    out.sort_by_key(|(b, _)| b.binding);
    Ok(out)
}

impl Drop for GraphicsPipeline {
    fn drop(&mut self) {
        retire_pipeline(&self.ctx, self.objects);
    }
}
