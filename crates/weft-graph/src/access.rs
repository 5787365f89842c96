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

/// Defines the named access constants and [`NAMED`], the list of all of them. A constant
/// names one stage or several joined by `|` (`EARLY_FRAGMENT_TESTS | LATE_FRAGMENT_TESTS`).
macro_rules! access_constants {
    ($($(#[$doc:meta])* $name:ident = $($stage:ident)|+, $kind:ident, $usage:ident;)*) => {
        $(
            $(#[$doc])*
            pub const $name: Access = Access::new(
                stages(0 $(| vk::PipelineStageFlags2::$stage.as_raw())+),
                AccessKind::$kind,
                AccessUsage::$usage,
            );
        )*

        /// Every named access constant of this module with its name, in definition order
        /// (for tests and tools that want to go through all of them).
        pub const NAMED: &[(&str, Access)] = &[$((stringify!($name), $name)),*];
    };
}

// The stages of each constant are those in which the Vulkan specification says its command
// or pipeline step performs the access (sync2 stage flags; "supported access types").
access_constants! {
    /// Storage read in a compute shader.
    COMPUTE_READ = COMPUTE_SHADER, Read, Storage;
    /// Storage write in a compute shader.
    COMPUTE_WRITE = COMPUTE_SHADER, Write, Storage;
    /// Storage read-write in a compute shader.
    COMPUTE_READ_WRITE = COMPUTE_SHADER, ReadWrite, Storage;
    /// Concurrent storage write in a compute shader.
    COMPUTE_CONCURRENT_WRITE = COMPUTE_SHADER, ConcurrentWrite, Storage;
    /// Concurrent storage read-write (e.g. atomics) in a compute shader.
    COMPUTE_CONCURRENT_READ_WRITE = COMPUTE_SHADER, ConcurrentReadWrite, Storage;
    /// Sampled read in a compute shader.
    COMPUTE_SAMPLED = COMPUTE_SHADER, Sampled, Sampled;
    /// Uniform buffer read in a compute shader.
    COMPUTE_UNIFORM = COMPUTE_SHADER, Read, Uniform;
    /// Storage read in a vertex shader.
    VERTEX_SHADER_READ = VERTEX_SHADER, Read, Storage;
    /// Uniform buffer read in a vertex shader.
    VERTEX_SHADER_UNIFORM = VERTEX_SHADER, Read, Uniform;
    /// Storage read in a fragment shader.
    FRAGMENT_READ = FRAGMENT_SHADER, Read, Storage;
    /// Storage write in a fragment shader.
    FRAGMENT_WRITE = FRAGMENT_SHADER, Write, Storage;
    /// Sampled read in a fragment shader.
    FRAGMENT_SAMPLED = FRAGMENT_SHADER, Sampled, Sampled;
    /// Uniform buffer read in a fragment shader.
    FRAGMENT_UNIFORM = FRAGMENT_SHADER, Read, Uniform;
    /// Color attachment written (load op clear or don't care).
    COLOR_WRITE = COLOR_ATTACHMENT_OUTPUT, Write, ColorAttachment;
    /// Color attachment read and written (load op load, blending).
    COLOR_READ_WRITE = COLOR_ATTACHMENT_OUTPUT, ReadWrite, ColorAttachment;
    /// Depth/stencil attachment tested and written.
    ///
    /// Both fragment test stages: depth/stencil tests and writes happen in
    /// `EARLY_FRAGMENT_TESTS` or `LATE_FRAGMENT_TESTS` (late when the fragment shader
    /// writes depth or discards), the attachment's load op in the early one and its store op
    /// in the late one. (Until this was fixed, the depth constants named only the early
    /// stage, so barriers after them missed late-test writes.)
    DEPTH_WRITE = EARLY_FRAGMENT_TESTS | LATE_FRAGMENT_TESTS, ReadWrite, DepthStencilAttachment;
    /// Depth/stencil attachment tested, not written. Both fragment test stages, as for
    /// [`DEPTH_WRITE`].
    DEPTH_READ = EARLY_FRAGMENT_TESTS | LATE_FRAGMENT_TESTS, Read, DepthStencilAttachment;
    /// Source of a copy (`vkCmdCopy*`: the `COPY` stage). Blits use [`BLIT_SRC`].
    TRANSFER_SRC = COPY, Read, TransferSrc;
    /// Destination of a copy (`vkCmdCopy*`: the `COPY` stage). Blits use [`BLIT_DST`];
    /// fills, updates and clears [`CLEAR_DST`].
    TRANSFER_DST = COPY, Write, TransferDst;
    /// Source of `vkCmdBlitImage` (the `BLIT` stage).
    BLIT_SRC = BLIT, Read, TransferSrc;
    /// Destination of `vkCmdBlitImage` (the `BLIT` stage).
    BLIT_DST = BLIT, Write, TransferDst;
    /// Destination of `vkCmdFillBuffer`, `vkCmdUpdateBuffer`, `vkCmdClearColorImage` and
    /// `vkCmdClearDepthStencilImage`.
    ///
    /// The specification (synchronization2) puts these commands in the `CLEAR` stage. The
    /// constant names `ALL_TRANSFER`, which includes `CLEAR`: the 1.3.239 validation layer
    /// (Debian 12) counts `vkCmdFillBuffer` in the `COPY` stage, and a `CLEAR`-only barrier
    /// would be reported there as a hazard. `ALL_TRANSFER` is correct for both readings, at
    /// the cost of also waiting for other transfer work of the same barrier's scope.
    CLEAR_DST = ALL_TRANSFER, Write, TransferDst;
    /// Vertex buffer.
    VERTEX_BUFFER = VERTEX_ATTRIBUTE_INPUT, Read, Vertex;
    /// Index buffer.
    INDEX_BUFFER = INDEX_INPUT, Read, Index;
    /// Indirect draw or dispatch arguments.
    INDIRECT_ARGS = DRAW_INDIRECT, Read, Indirect;
    /// Read by the host after the graph.
    HOST_READ = HOST, Read, Host;
    /// Written by the host.
    HOST_WRITE = HOST, Write, Host;
    /// Input attachment read in a fragment shader (color or depth/stencil image; see
    /// [`AccessUsage::InputAttachment`] for its layout).
    FRAGMENT_INPUT_ATTACHMENT = FRAGMENT_SHADER, Read, InputAttachment;
    /// Presented to a swapchain. All stages, so that the transition into the present layout
    /// is ordered before the semaphore signal the present waits for.
    PRESENT = ALL_COMMANDS, Read, Present;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_flags_and_layouts() {
        assert_eq!(
            COMPUTE_READ_WRITE.access_flags(),
            vk::AccessFlags2::SHADER_STORAGE_READ | vk::AccessFlags2::SHADER_STORAGE_WRITE
        );
        assert_eq!(
            COMPUTE_WRITE.access_flags(),
            vk::AccessFlags2::SHADER_STORAGE_WRITE
        );
        assert_eq!(
            FRAGMENT_SAMPLED.image_layout(),
            vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL
        );
        assert_eq!(
            DEPTH_READ.image_layout(),
            vk::ImageLayout::DEPTH_STENCIL_READ_ONLY_OPTIMAL
        );
        assert_eq!(PRESENT.access_flags(), vk::AccessFlags2::NONE);
        assert_eq!(
            FRAGMENT_INPUT_ATTACHMENT.image_layout_for(vk::ImageAspectFlags::COLOR),
            vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL
        );
        assert_eq!(
            FRAGMENT_INPUT_ATTACHMENT.image_layout_for(vk::ImageAspectFlags::DEPTH),
            vk::ImageLayout::DEPTH_STENCIL_READ_ONLY_OPTIMAL
        );
        assert_eq!(
            FRAGMENT_INPUT_ATTACHMENT.check(ResourceKind::Buffer),
            Err(AccessProblem::UsageForResource)
        );
        assert_eq!(
            INDEX_BUFFER.required_buffer_usage(),
            vk::BufferUsageFlags::INDEX_BUFFER
        );
    }

    #[test]
    fn every_constant_is_consistent() {
        assert!(NAMED.len() >= 28);
        for (name, a) in NAMED {
            let on_buffer = a.check(ResourceKind::Buffer);
            let on_image = a.check(ResourceKind::Image);
            assert!(on_buffer.is_ok() || on_image.is_ok(), "{name}: {a:?}");
        }
    }

    #[test]
    fn general_layout_keeps_everything_but_the_layout() {
        for (name, a) in NAMED {
            let g = a.in_general_layout();
            assert_eq!(
                (g.stages, g.kind, g.usage, g.access_flags()),
                (a.stages, a.kind, a.usage, a.access_flags()),
                "{name}"
            );
            assert_eq!(g.required_image_usage(), a.required_image_usage(), "{name}");
            let expected = match a.image_layout() {
                vk::ImageLayout::UNDEFINED => vk::ImageLayout::UNDEFINED,
                _ => vk::ImageLayout::GENERAL,
            };
            assert_eq!(g.image_layout(), expected, "{name}");
            assert_eq!(g.derive(None).layout, vk::ImageLayout::UNDEFINED, "{name}");
        }
        assert_eq!(
            PRESENT.in_general_layout().check(ResourceKind::Image),
            Err(AccessProblem::PresentInGeneral)
        );
    }

    #[test]
    fn depth_constants_cover_both_fragment_test_stages() {
        let tests = vk::PipelineStageFlags2::EARLY_FRAGMENT_TESTS
            | vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS;
        for (name, a) in NAMED {
            if a.usage == AccessUsage::DepthStencilAttachment {
                assert_eq!(a.stages, tests, "{name}");
            }
        }
        assert_eq!(DEPTH_WRITE.stages, tests);
        assert_eq!(DEPTH_READ.stages, tests);
    }

    #[test]
    fn mismatched_parts_are_rejected() {
        let bad_stage = Access::new(
            vk::PipelineStageFlags2::COMPUTE_SHADER,
            AccessKind::Read,
            AccessUsage::Vertex,
        );
        assert!(matches!(
            bad_stage.check(ResourceKind::Buffer),
            Err(AccessProblem::StagesForUsage(_))
        ));
        let bad_kind = Access::new(
            vk::PipelineStageFlags2::COMPUTE_SHADER,
            AccessKind::Write,
            AccessUsage::Uniform,
        );
        assert_eq!(
            bad_kind.check(ResourceKind::Buffer),
            Err(AccessProblem::KindForUsage)
        );
        assert_eq!(
            COLOR_WRITE.check(ResourceKind::Buffer),
            Err(AccessProblem::UsageForResource)
        );
        // Clears only write; blits and resolves take images only.
        let cleared_source = Access::new(
            vk::PipelineStageFlags2::CLEAR,
            AccessKind::Read,
            AccessUsage::TransferSrc,
        );
        assert!(matches!(
            cleared_source.check(ResourceKind::Image),
            Err(AccessProblem::StagesForUsage(_))
        ));
        assert!(CLEAR_DST.check(ResourceKind::Buffer).is_ok());
        assert!(BLIT_SRC.check(ResourceKind::Image).is_ok());
        assert_eq!(
            BLIT_DST.check(ResourceKind::Buffer),
            Err(AccessProblem::StagesForUsage(vk::PipelineStageFlags2::BLIT))
        );
    }
}
