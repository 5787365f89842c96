//! The named accesses (re-exported by [`crate::access`]).

use ash::vk;

use super::{stages, Access, AccessKind, AccessUsage};

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
    /// The `CLEAR` stage, where the specification (synchronization2) and the 1.4 validation
    /// layer put these commands. (The constant named `ALL_TRANSFER` while the tests ran on
    /// the 1.3.239 layer, which counted `vkCmdFillBuffer` in `COPY`; on the current stack a
    /// `CLEAR`-only barrier is the right and narrower one.)
    CLEAR_DST = CLEAR, Write, TransferDst;
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
