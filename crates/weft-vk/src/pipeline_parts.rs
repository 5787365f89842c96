//! The objects every weft pipeline is built on: one push-descriptor set layout (set 0), a
//! pipeline layout with at most one push-constant range, the shader modules and, for
//! compute pipelines, an immutable sampler. They are held here while the pipeline is made,
//! so that a failing step destroys everything made before it.

use ash::vk;

use crate::context::Context;
use crate::error::{vk_err, VkError};
use crate::timeline::{Garbage, PipelineObjects};

/// Objects made on the way to a pipeline; `Drop` destroys them unless
/// [`PipelineParts::into_objects`] hands them over (the modules are always destroyed: they
/// are only needed while the pipeline is created).
pub(crate) struct PipelineParts<'a> {
    device: &'a ash::Device,
    sampler: vk::Sampler,
    set_layout: vk::DescriptorSetLayout,
    layout: vk::PipelineLayout,
    modules: Vec<vk::ShaderModule>,
}

impl<'a> PipelineParts<'a> {
    /// Nothing made yet.
    pub(crate) fn new(device: &'a ash::Device) -> Self {
        Self {
            device,
            sampler: vk::Sampler::null(),
            set_layout: vk::DescriptorSetLayout::null(),
            layout: vk::PipelineLayout::null(),
            modules: Vec::new(),
        }
    }

    /// Makes the linear, clamp-to-edge sampler that sampler bindings use immutably.
    pub(crate) fn make_sampler(&mut self) -> Result<vk::Sampler, VkError> {
        let info = vk::SamplerCreateInfo::default()
            .mag_filter(vk::Filter::LINEAR)
            .min_filter(vk::Filter::LINEAR)
            .address_mode_u(vk::SamplerAddressMode::CLAMP_TO_EDGE)
            .address_mode_v(vk::SamplerAddressMode::CLAMP_TO_EDGE)
            .address_mode_w(vk::SamplerAddressMode::CLAMP_TO_EDGE);
        // SAFETY: the device is valid; the sampler is destroyed by `Drop` or by the owner
        // that `into_objects` hands it to.
        self.sampler = unsafe { self.device.create_sampler(&info, None) }
            .map_err(vk_err("vkCreateSampler"))?;
        Ok(self.sampler)
    }

    /// Makes the push-descriptor set layout from `bindings` and the pipeline layout over it,
    /// with a push-constant range of `push_size` bytes for `push_stages` when it is not 0.
    pub(crate) fn make_layouts(
        &mut self,
        bindings: &[vk::DescriptorSetLayoutBinding<'_>],
        push_stages: vk::ShaderStageFlags,
        push_size: u32,
    ) -> Result<(), VkError> {
        let set_info = vk::DescriptorSetLayoutCreateInfo::default()
            .flags(vk::DescriptorSetLayoutCreateFlags::PUSH_DESCRIPTOR_KHR)
            .bindings(bindings);
        // SAFETY: the device is valid; `set_info` points at live data; the layout is
        // destroyed by `Drop` or by the owner that `into_objects` hands it to.
        self.set_layout = unsafe { self.device.create_descriptor_set_layout(&set_info, None) }
            .map_err(vk_err("vkCreateDescriptorSetLayout"))?;
        let push = [vk::PushConstantRange::default()
            .stage_flags(push_stages)
            .offset(0)
            .size(push_size)];
        let set_layouts = [self.set_layout];
        let mut layout_info = vk::PipelineLayoutCreateInfo::default().set_layouts(&set_layouts);
        if push_size > 0 {
            layout_info = layout_info.push_constant_ranges(&push);
        }
        // SAFETY: as above; the set layout was just made.
        self.layout = unsafe { self.device.create_pipeline_layout(&layout_info, None) }
            .map_err(vk_err("vkCreatePipelineLayout"))?;
        Ok(())
    }

    /// The pipeline layout (null before `make_layouts`).
    pub(crate) fn layout(&self) -> vk::PipelineLayout {
        self.layout
    }

    /// Makes a shader module from SPIR-V; it lives until these parts are dropped.
    pub(crate) fn make_module(&mut self, spirv: &[u32]) -> Result<vk::ShaderModule, VkError> {
        let info = vk::ShaderModuleCreateInfo::default().code(spirv);
        // SAFETY: the device is valid; the SPIR-V was produced and validated by naga or
        // shaderc; the module is destroyed by `Drop`.
        let module = unsafe { self.device.create_shader_module(&info, None) }
            .map_err(vk_err("vkCreateShaderModule"))?;
        self.modules.push(module);
        Ok(module)
    }

    /// Hands over `pipeline` with the sampler (null if none was made), the set layout and
    /// the pipeline layout, which the caller must now destroy (see
    /// [`retire_pipeline`]); the modules are destroyed here.
    pub(crate) fn into_objects(mut self, pipeline: vk::Pipeline) -> PipelineObjects {
        let objects = PipelineObjects {
            pipeline,
            layout: self.layout,
            set_layout: self.set_layout,
            sampler: self.sampler,
        };
        self.sampler = vk::Sampler::null();
        self.set_layout = vk::DescriptorSetLayout::null();
        self.layout = vk::PipelineLayout::null();
        objects
    }
}

impl Drop for PipelineParts<'_> {
    fn drop(&mut self) {
        // SAFETY: no pipeline made from these objects is in use yet (or the handed-over
        // ones were nulled); destroying null handles is allowed.
        unsafe {
            for &module in &self.modules {
                self.device.destroy_shader_module(module, None);
            }
            self.device.destroy_pipeline_layout(self.layout, None);
            self.device
                .destroy_descriptor_set_layout(self.set_layout, None);
            self.device.destroy_sampler(self.sampler, None);
        }
    }
}

/// Destroys a pipeline's objects once every submission made so far has finished: any of
/// them may run the pipeline (tasks hold their pipeline, so it goes when its graph does).
pub(crate) fn retire_pipeline(ctx: &Context, objects: PipelineObjects) {
    ctx.retire(ctx.timeline.last_submitted(), Garbage::Pipeline(objects));
}
