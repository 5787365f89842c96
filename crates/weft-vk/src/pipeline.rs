//! Compute pipelines whose layouts come from shader reflection: one push-descriptor set
//! (set 0) with the shader's bindings, and a push-constant range of the reflected size.
//! Sampler bindings get an immutable sampler (linear filtering, clamp to edge).

use std::sync::Arc;

use ash::vk;
use weft_shader::{BindingKind, Shader, Stage, StorageFormat};

use crate::context::Context;
use crate::error::VkError;
use crate::pipeline_parts::{retire_pipeline, PipelineParts};
use crate::timeline::PipelineObjects;

/// A compute pipeline made from a reflected shader.
pub struct ComputePipeline {
    ctx: Arc<Context>,
    pub(crate) shader: Shader,
    /// The pipeline, its layouts and its immutable sampler.
    pub(crate) objects: PipelineObjects,
}

/// The descriptor type of a reflected binding.
pub(crate) fn descriptor_type(kind: BindingKind) -> vk::DescriptorType {
    match kind {
        BindingKind::StorageBuffer => vk::DescriptorType::STORAGE_BUFFER,
        BindingKind::UniformBuffer => vk::DescriptorType::UNIFORM_BUFFER,
        BindingKind::StorageImage(_) => vk::DescriptorType::STORAGE_IMAGE,
        BindingKind::SampledImage => vk::DescriptorType::SAMPLED_IMAGE,
        BindingKind::Sampler => vk::DescriptorType::SAMPLER,
    }
}

/// The Vulkan format of a storage-image format, for the ones weft checks.
pub(crate) fn storage_format(format: StorageFormat) -> Option<vk::Format> {
    Some(match format {
        StorageFormat::R32Uint => vk::Format::R32_UINT,
        StorageFormat::R32Sint => vk::Format::R32_SINT,
        StorageFormat::R32Float => vk::Format::R32_SFLOAT,
        StorageFormat::Rg32Float => vk::Format::R32G32_SFLOAT,
        StorageFormat::Rgba8Unorm => vk::Format::R8G8B8A8_UNORM,
        StorageFormat::Rgba16Float => vk::Format::R16G16B16A16_SFLOAT,
        StorageFormat::Rgba32Uint => vk::Format::R32G32B32A32_UINT,
        StorageFormat::Rgba32Float => vk::Format::R32G32B32A32_SFLOAT,
        StorageFormat::R8Unorm => vk::Format::R8_UNORM,
        _ => return None,
    })
}

impl ComputePipeline {
    /// Reads and compiles the compute shader file `path` (the language from its extension:
    /// `.wgsl`, or `.comp` for GLSL) and creates its pipeline.
    pub fn from_file(ctx: &Arc<Context>, path: &str) -> Result<Arc<Self>, VkError> {
        let shader = weft_shader::compile_file(path, Stage::Compute)?;
        Ok(Arc::new(Self::new(ctx, &shader)?))
    }

    /// Compiles the compute shader `code`, named `path` (the language from its extension:
    /// `.wgsl`, or `.comp` for GLSL), and creates its pipeline.
    pub fn from_source(ctx: &Arc<Context>, path: &str, code: &str) -> Result<Arc<Self>, VkError> {
        let shader = weft_shader::compile_source(path, code, Stage::Compute)?;
        Ok(Arc::new(Self::new(ctx, &shader)?))
    }

    /// Creates the pipeline for a compute shader.
    pub fn new(ctx: &Arc<Context>, shader: &Shader) -> Result<Self, VkError> {
        if shader.stage != Stage::Compute {
            return Err(VkError::Unsupported(format!(
                "{}: a {:?} shader in a compute pipeline",
                shader.path, shader.stage
            )));
        }
        if let Some(b) = shader.reflection.bindings.iter().find(|b| b.set != 0) {
            return Err(VkError::Unsupported(format!(
                "{}: binding `{}` is in set {}; weft binds set 0 with push descriptors",
                shader.path, b.name, b.set
            )));
        }
        let device = &ctx.device;
        let mut parts = PipelineParts::new(device);
        let samplers = [parts.make_sampler()?];
        let bindings: Vec<vk::DescriptorSetLayoutBinding<'_>> = shader
            .reflection
            .bindings
            .iter()
            .map(|b| {
                let layout = vk::DescriptorSetLayoutBinding::default()
                    .binding(b.binding)
                    .descriptor_type(descriptor_type(b.kind))
                    .descriptor_count(1)
                    .stage_flags(vk::ShaderStageFlags::COMPUTE);
                if b.kind == BindingKind::Sampler {
                    layout.immutable_samplers(&samplers)
                } else {
                    layout
                }
            })
            .collect();
        parts.make_layouts(
            &bindings,
            vk::ShaderStageFlags::COMPUTE,
            shader.reflection.push_constant_size,
        )?;
        let module = parts.make_module(&shader.spirv)?;
        let entry = std::ffi::CString::new(shader.entry_point.clone())
            .map_err(|_| VkError::Unsupported("an entry point name with a NUL".into()))?;
        let stage = vk::PipelineShaderStageCreateInfo::default()
            .stage(vk::ShaderStageFlags::COMPUTE)
            .module(module)
            .name(&entry);
        let info = [vk::ComputePipelineCreateInfo::default()
            .stage(stage)
            .layout(parts.layout())];
        // SAFETY: the device is valid; the module and layout are valid and `info` points at
        // live locals.
        let pipeline =
            unsafe { device.create_compute_pipelines(vk::PipelineCache::null(), &info, None) }
                .map_err(|(_, result)| VkError::Vulkan {
                    call: "vkCreateComputePipelines",
                    result,
                })?[0];
        Ok(Self {
            ctx: Arc::clone(ctx),
            shader: shader.clone(),
            objects: parts.into_objects(pipeline),
        })
    }

    /// The shader it was made from (with its reflection).
    pub fn shader(&self) -> &Shader {
        &self.shader
    }

    /// The pipeline layout.
    pub fn layout(&self) -> vk::PipelineLayout {
        self.objects.layout
    }

    /// The pipeline.
    pub fn handle(&self) -> vk::Pipeline {
        self.objects.pipeline
    }
}

impl Drop for ComputePipeline {
    fn drop(&mut self) {
        retire_pipeline(&self.ctx, self.objects);
    }
}
