//! How a task touches a view: pipeline stages + kind + usage, and what the planner derives from
//! it (the Vulkan access mask, the image layout, the resource usage flag it needs).

use ash::vk;

/// What a task does with the contents of a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// Reads the contents (storage read, uniform, vertex, index, indirect, transfer source, ...).
    Read,
    /// Samples an image (or reads a uniform texel buffer) through a sampler.
    Sampled,
    /// Writes; the old contents are neither read nor kept for this task.
    Write,
    /// Reads and writes; exclusive like a write.
    ReadWrite,
    /// Writes that the user guarantees do not conflict with the other concurrent writes of the
    /// same group (for example disjoint texels chosen at run time, or atomics). Consecutive
    /// concurrent accesses form one group whose tasks may share a batch.
    ConcurrentWrite,
    /// Like [`AccessKind::ConcurrentWrite`], and also reads.
    ConcurrentReadWrite,
}

impl AccessKind {
    /// True when the kind modifies the contents.
    pub const fn writes(self) -> bool {
        matches!(
            self,
            Self::Write | Self::ReadWrite | Self::ConcurrentWrite | Self::ConcurrentReadWrite
        )
    }

    /// True when the kind reads the contents.
    pub const fn reads(self) -> bool {
        !matches!(self, Self::Write | Self::ConcurrentWrite)
    }
}

/// Through which part of the API the view is used. Together with the kind this picks the
/// Vulkan access flags, the image layout and the usage flag the resource must have been
/// declared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessUsage {
    /// Storage buffer or storage image in a shader.
    Storage,
    /// Sampled image (or uniform texel buffer); only with [`AccessKind::Sampled`].
    Sampled,
    /// Uniform buffer (read only).
    Uniform,
    /// Color attachment of a rendering pass (images only).
    ColorAttachment,
    /// Depth/stencil attachment of a rendering pass (depth or stencil images only).
    DepthStencilAttachment,
    /// Source of a copy or blit.
    TransferSrc,
    /// Destination of a copy, blit or fill.
    TransferDst,
    /// Vertex buffer (buffers only, read only).
    Vertex,
    /// Index buffer (buffers only, read only).
    Index,
    /// Indirect draw or dispatch arguments (buffers only, read only).
    Indirect,
    /// Presentation of a swapchain image (images only, read only).
    Present,
    /// Input attachment read in a fragment shader (images only, read only), of an image an
    /// earlier task wrote. The image is in a read-only layout: `SHADER_READ_ONLY_OPTIMAL` for
    /// color formats, `DEPTH_STENCIL_READ_ONLY_OPTIMAL` for depth/stencil formats (so that a
    /// task may also depth-test against it with [`DEPTH_READ`]). Reading an attachment the
    /// same task writes (a feedback loop, dynamic rendering local read) is not modelled.
    InputAttachment,
    /// Read or written by the host through a mapping.
    Host,
}

/// Which layout an image is in for an access.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LayoutMode {
    /// The layout the usage implies: `SHADER_READ_ONLY_OPTIMAL` for sampling,
    /// `COLOR_ATTACHMENT_OPTIMAL` for color attachments, `GENERAL` for storage, ... (see
    /// [`Access::image_layout_for`]).
    #[default]
    ByUsage,
    /// `GENERAL`, whatever the usage (see [`Access::in_general_layout`]).
    General,
}

/// The access of one attachment: which stages touch the view, how, through what, and (for
/// images) in which layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Access {
    /// Pipeline stages that perform the access.
    pub stages: vk::PipelineStageFlags2,
    /// Read, write, concurrent write, ...
    pub kind: AccessKind,
    /// Storage, uniform, attachment, transfer, ...
    pub usage: AccessUsage,
    /// The layout an image is in: the usage's ([`Access::new`]) or `GENERAL`
    /// ([`Access::in_general_layout`]). Buffers have no layout and ignore it.
    pub layout: LayoutMode,
}

/// Which resource type a view belongs to (used in error messages and access checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// A buffer.
    Buffer,
    /// An image.
    Image,
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Buffer => "buffer",
            Self::Image => "image",
        })
    }
}

const fn stages(bits: u64) -> vk::PipelineStageFlags2 {
    vk::PipelineStageFlags2::from_raw(bits)
}

const SHADER_STAGES: u64 = vk::PipelineStageFlags2::VERTEX_SHADER.as_raw()
    | vk::PipelineStageFlags2::TESSELLATION_CONTROL_SHADER.as_raw()
    | vk::PipelineStageFlags2::TESSELLATION_EVALUATION_SHADER.as_raw()
    | vk::PipelineStageFlags2::GEOMETRY_SHADER.as_raw()
    | vk::PipelineStageFlags2::FRAGMENT_SHADER.as_raw()
    | vk::PipelineStageFlags2::COMPUTE_SHADER.as_raw()
    | vk::PipelineStageFlags2::PRE_RASTERIZATION_SHADERS.as_raw()
    | vk::PipelineStageFlags2::TASK_SHADER_EXT.as_raw()
    | vk::PipelineStageFlags2::MESH_SHADER_EXT.as_raw()
    | vk::PipelineStageFlags2::RAY_TRACING_SHADER_KHR.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
const COLOR_STAGES: u64 = vk::PipelineStageFlags2::COLOR_ATTACHMENT_OUTPUT.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
const DEPTH_STAGES: u64 = vk::PipelineStageFlags2::EARLY_FRAGMENT_TESTS.as_raw()
    | vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
/// Stages that read transfer sources: copies, blits and resolves (clears only write).
const TRANSFER_READ_STAGES: u64 = vk::PipelineStageFlags2::COPY.as_raw()
    | vk::PipelineStageFlags2::BLIT.as_raw()
    | vk::PipelineStageFlags2::RESOLVE.as_raw()
    | vk::PipelineStageFlags2::ALL_TRANSFER.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
/// Stages that write transfer destinations: copies, blits, resolves and clears (fills and
/// updates of buffers are clears).
const TRANSFER_WRITE_STAGES: u64 = TRANSFER_READ_STAGES | vk::PipelineStageFlags2::CLEAR.as_raw();
/// Blits and resolves take images only.
const IMAGE_ONLY_TRANSFER_STAGES: u64 =
    vk::PipelineStageFlags2::BLIT.as_raw() | vk::PipelineStageFlags2::RESOLVE.as_raw();
const VERTEX_INPUT_STAGES: u64 = vk::PipelineStageFlags2::VERTEX_ATTRIBUTE_INPUT.as_raw()
    | vk::PipelineStageFlags2::VERTEX_INPUT.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
const INDEX_INPUT_STAGES: u64 = vk::PipelineStageFlags2::INDEX_INPUT.as_raw()
    | vk::PipelineStageFlags2::VERTEX_INPUT.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
const INDIRECT_STAGES: u64 = vk::PipelineStageFlags2::DRAW_INDIRECT.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
const INPUT_ATTACHMENT_STAGES: u64 = vk::PipelineStageFlags2::FRAGMENT_SHADER.as_raw()
    | vk::PipelineStageFlags2::ALL_GRAPHICS.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();
const HOST_STAGES: u64 = vk::PipelineStageFlags2::HOST.as_raw();
/// Presentation happens outside any pipeline stage: its access takes no stage (or the
/// bottom of the pipe / all commands).
const PRESENT_STAGES: u64 = vk::PipelineStageFlags2::BOTTOM_OF_PIPE.as_raw()
    | vk::PipelineStageFlags2::ALL_COMMANDS.as_raw();

/// Every access flag that describes a write. Used to keep read accesses out of the source
/// half of a barrier (reads never need to be made available).
pub const WRITE_ACCESS_MASK: vk::AccessFlags2 = vk::AccessFlags2::from_raw(
    vk::AccessFlags2::SHADER_WRITE.as_raw()
        | vk::AccessFlags2::SHADER_STORAGE_WRITE.as_raw()
        | vk::AccessFlags2::COLOR_ATTACHMENT_WRITE.as_raw()
        | vk::AccessFlags2::DEPTH_STENCIL_ATTACHMENT_WRITE.as_raw()
        | vk::AccessFlags2::TRANSFER_WRITE.as_raw()
        | vk::AccessFlags2::HOST_WRITE.as_raw()
        | vk::AccessFlags2::MEMORY_WRITE.as_raw(),
);

/// Whether a group of accesses may share a batch with more of its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum AccessClass {
    /// Reads: reads with the same layout form one group.
    Read,
    /// Concurrent writes (and concurrent read-writes) form one group.
    Concurrent,
    /// Writes and read-writes: every one starts its own group.
    Exclusive,
}

/// An access with everything derived from it, as the planner tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DerivedAccess {
    pub stages: vk::PipelineStageFlags2,
    pub access: vk::AccessFlags2,
    pub layout: vk::ImageLayout,
    pub class: AccessClass,
}

impl Access {
    /// An access from its three parts, in the layout its usage implies.
    pub const fn new(
        stages: vk::PipelineStageFlags2,
        kind: AccessKind,
        usage: AccessUsage,
    ) -> Self {
        Self {
            stages,
            kind,
            usage,
            layout: LayoutMode::ByUsage,
        }
    }

    /// The same access with images in the `GENERAL` layout instead of the one its usage
    /// implies; stages, kind, usage and access flags stay. Accesses of a range that are all
    /// in `GENERAL` need no layout transitions between them (only the memory barriers that
    /// writes need), and reads in `GENERAL` share a group whatever their usage, e.g.
    /// `access::FRAGMENT_SAMPLED.in_general_layout()` with `access::COMPUTE_READ`. The
    /// task's commands must then name `GENERAL` too (descriptor image layouts, rendering
    /// attachment layouts, copy layouts).
    ///
    /// Buffers have no layout: on them this changes nothing. Presentation needs
    /// `PRESENT_SRC_KHR`: a present access in `GENERAL` is an error when recorded.
    pub const fn in_general_layout(self) -> Self {
        Self {
            layout: LayoutMode::General,
            ..self
        }
    }

    /// The Vulkan access flags this access performs.
    pub fn access_flags(&self) -> vk::AccessFlags2 {
        use vk::AccessFlags2 as A;
        let (read, write) = match self.usage {
            AccessUsage::Storage => (A::SHADER_STORAGE_READ, A::SHADER_STORAGE_WRITE),
            AccessUsage::Sampled => (A::SHADER_SAMPLED_READ, A::NONE),
            AccessUsage::Uniform => (A::UNIFORM_READ, A::NONE),
            AccessUsage::ColorAttachment => (A::COLOR_ATTACHMENT_READ, A::COLOR_ATTACHMENT_WRITE),
            AccessUsage::DepthStencilAttachment => (
                A::DEPTH_STENCIL_ATTACHMENT_READ,
                A::DEPTH_STENCIL_ATTACHMENT_WRITE,
            ),
            AccessUsage::TransferSrc => (A::TRANSFER_READ, A::NONE),
            AccessUsage::TransferDst => (A::TRANSFER_READ, A::TRANSFER_WRITE),
            AccessUsage::Vertex => (A::VERTEX_ATTRIBUTE_READ, A::NONE),
            AccessUsage::Index => (A::INDEX_READ, A::NONE),
            AccessUsage::Indirect => (A::INDIRECT_COMMAND_READ, A::NONE),
            AccessUsage::Present => (A::NONE, A::NONE),
            AccessUsage::InputAttachment => (A::INPUT_ATTACHMENT_READ, A::NONE),
            AccessUsage::Host => (A::HOST_READ, A::HOST_WRITE),
        };
        let mut flags = A::NONE;
        if self.kind.reads() {
            flags |= read;
        }
        if self.kind.writes() {
            flags |= write;
        }
        flags
    }

    /// The layout a color image must be in for this access (`UNDEFINED` for usages only
    /// buffers have). Buffers have no layout, whatever the usage. Only input attachments
    /// depend on the format: see [`Access::image_layout_for`].
    pub fn image_layout(&self) -> vk::ImageLayout {
        self.image_layout_for(vk::ImageAspectFlags::COLOR)
    }

    /// The layout an image with `aspects` (its format's, see [`crate::format_aspects`]) must
    /// be in for this access (`UNDEFINED` for usages only buffers have): `GENERAL` when
    /// [`Access::layout`] says so, else the usage's layout.
    pub fn image_layout_for(&self, aspects: vk::ImageAspectFlags) -> vk::ImageLayout {
        let by_usage = self.usage_layout(aspects);
        match self.layout {
            LayoutMode::General if by_usage != vk::ImageLayout::UNDEFINED => {
                vk::ImageLayout::GENERAL
            }
            _ => by_usage,
        }
    }

    /// The layout the usage implies on an image with `aspects`.
    fn usage_layout(&self, aspects: vk::ImageAspectFlags) -> vk::ImageLayout {
        use vk::ImageLayout as L;
        let depth_stencil = vk::ImageAspectFlags::DEPTH | vk::ImageAspectFlags::STENCIL;
        match self.usage {
            AccessUsage::Storage | AccessUsage::Host => L::GENERAL,
            AccessUsage::Sampled => L::SHADER_READ_ONLY_OPTIMAL,
            AccessUsage::ColorAttachment => L::COLOR_ATTACHMENT_OPTIMAL,
            AccessUsage::DepthStencilAttachment if self.kind.writes() => {
                L::DEPTH_STENCIL_ATTACHMENT_OPTIMAL
            }
            AccessUsage::DepthStencilAttachment => L::DEPTH_STENCIL_READ_ONLY_OPTIMAL,
            AccessUsage::TransferSrc => L::TRANSFER_SRC_OPTIMAL,
            AccessUsage::TransferDst => L::TRANSFER_DST_OPTIMAL,
            AccessUsage::Present => L::PRESENT_SRC_KHR,
            AccessUsage::InputAttachment if aspects.intersects(depth_stencil) => {
                L::DEPTH_STENCIL_READ_ONLY_OPTIMAL
            }
            AccessUsage::InputAttachment => L::SHADER_READ_ONLY_OPTIMAL,
            AccessUsage::Uniform
            | AccessUsage::Vertex
            | AccessUsage::Index
            | AccessUsage::Indirect => L::UNDEFINED,
        }
    }

    /// The usage flag a buffer needs for this access (empty when none is needed).
    pub fn required_buffer_usage(&self) -> vk::BufferUsageFlags {
        use vk::BufferUsageFlags as B;
        match self.usage {
            AccessUsage::Storage => B::STORAGE_BUFFER,
            AccessUsage::Sampled => B::UNIFORM_TEXEL_BUFFER,
            AccessUsage::Uniform => B::UNIFORM_BUFFER,
            AccessUsage::TransferSrc => B::TRANSFER_SRC,
            AccessUsage::TransferDst => B::TRANSFER_DST,
            AccessUsage::Vertex => B::VERTEX_BUFFER,
            AccessUsage::Index => B::INDEX_BUFFER,
            AccessUsage::Indirect => B::INDIRECT_BUFFER,
            AccessUsage::Host
            | AccessUsage::Present
            | AccessUsage::ColorAttachment
            | AccessUsage::DepthStencilAttachment
            | AccessUsage::InputAttachment => B::empty(),
        }
    }

    /// The usage flag an image needs for this access (empty when none is needed).
    pub fn required_image_usage(&self) -> vk::ImageUsageFlags {
        use vk::ImageUsageFlags as I;
        match self.usage {
            AccessUsage::Storage => I::STORAGE,
            AccessUsage::Sampled => I::SAMPLED,
            AccessUsage::ColorAttachment => I::COLOR_ATTACHMENT,
            AccessUsage::DepthStencilAttachment => I::DEPTH_STENCIL_ATTACHMENT,
            AccessUsage::TransferSrc => I::TRANSFER_SRC,
            AccessUsage::TransferDst => I::TRANSFER_DST,
            AccessUsage::InputAttachment => I::INPUT_ATTACHMENT,
            AccessUsage::Host
            | AccessUsage::Present
            | AccessUsage::Uniform
            | AccessUsage::Vertex
            | AccessUsage::Index
            | AccessUsage::Indirect => I::empty(),
        }
    }

    /// Checks that kind, usage and stages fit together and fit the resource type. The error
    /// text says what is wrong; the caller adds the task and resource names.
    pub(crate) fn check(&self, resource: ResourceKind) -> Result<(), AccessProblem> {
        use AccessKind as K;
        use AccessUsage as U;
        let kind_ok = match self.usage {
            U::Sampled => matches!(self.kind, K::Sampled),
            U::Uniform
            | U::TransferSrc
            | U::Vertex
            | U::Index
            | U::Indirect
            | U::Present
            | U::InputAttachment => matches!(self.kind, K::Read),
            U::TransferDst => matches!(self.kind, K::Write | K::ConcurrentWrite),
            U::ColorAttachment | U::DepthStencilAttachment => {
                matches!(self.kind, K::Read | K::Write | K::ReadWrite)
            }
            U::Storage | U::Host => !matches!(self.kind, K::Sampled),
        };
        if !kind_ok {
            return Err(AccessProblem::KindForUsage);
        }
        let resource_ok = match self.usage {
            U::Uniform | U::Vertex | U::Index | U::Indirect => resource == ResourceKind::Buffer,
            U::ColorAttachment | U::DepthStencilAttachment | U::Present | U::InputAttachment => {
                resource == ResourceKind::Image
            }
            U::Storage | U::Sampled | U::TransferSrc | U::TransferDst | U::Host => true,
        };
        if !resource_ok {
            return Err(AccessProblem::UsageForResource);
        }
        let allowed = match self.usage {
            U::Storage | U::Sampled | U::Uniform => SHADER_STAGES,
            U::ColorAttachment => COLOR_STAGES,
            U::DepthStencilAttachment => DEPTH_STAGES,
            U::TransferSrc | U::TransferDst => {
                let stages = match self.usage {
                    U::TransferSrc => TRANSFER_READ_STAGES,
                    _ => TRANSFER_WRITE_STAGES,
                };
                match resource {
                    ResourceKind::Buffer => stages & !IMAGE_ONLY_TRANSFER_STAGES,
                    ResourceKind::Image => stages,
                }
            }
            U::Vertex => VERTEX_INPUT_STAGES,
            U::Index => INDEX_INPUT_STAGES,
            U::Indirect => INDIRECT_STAGES,
            U::Host => HOST_STAGES,
            U::Present => PRESENT_STAGES,
            U::InputAttachment => INPUT_ATTACHMENT_STAGES,
        };
        let raw = self.stages.as_raw();
        if raw == 0 && self.usage != U::Present {
            return Err(AccessProblem::NoStages);
        }
        if raw & !allowed != 0 {
            return Err(AccessProblem::StagesForUsage(stages(raw & !allowed)));
        }
        if self.usage == U::Present && self.layout == LayoutMode::General {
            return Err(AccessProblem::PresentInGeneral);
        }
        Ok(())
    }

    /// What the planner tracks for this access on an image with `aspects` (its format's),
    /// or on a buffer (`None`). Buffers have no layout: their derived layout is always
    /// `UNDEFINED`, so reads of a buffer through different usages (storage, uniform,
    /// transfer, ...) share one group.
    pub(crate) fn derive(&self, aspects: Option<vk::ImageAspectFlags>) -> DerivedAccess {
        let class = match self.kind {
            AccessKind::Read | AccessKind::Sampled => AccessClass::Read,
            AccessKind::ConcurrentWrite | AccessKind::ConcurrentReadWrite => {
                AccessClass::Concurrent
            }
            AccessKind::Write | AccessKind::ReadWrite => AccessClass::Exclusive,
        };
        DerivedAccess {
            stages: self.stages,
            access: self.access_flags(),
            layout: aspects.map_or(vk::ImageLayout::UNDEFINED, |a| self.image_layout_for(a)),
            class,
        }
    }
}

/// Why an access does not fit (without task and resource; see [`crate::GraphError`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccessProblem {
    KindForUsage,
    UsageForResource,
    NoStages,
    StagesForUsage(vk::PipelineStageFlags2),
    /// A present access in the `GENERAL` layout.
    PresentInGeneral,
}

mod constants;
pub use constants::*;

#[cfg(test)]
mod tests;
