//! What each named access is, written from the Vulkan specification: the stages that perform
//! it, the access types it performs (from the stage's supported access types), whether it
//! writes, where it may be used, and the image layout it needs. The planner's own derivation
//! (`access_flags()`, `image_layout()`, ...) is never called here.

use ash::vk;
use weft_graph::{access, Access};

use super::spec::*;

type L = vk::ImageLayout;

/// How an access joins access groups (DESIGN.md, "compile()"): reads with the same layout
/// share one group; concurrent accesses with the same layout share one; anything else starts
/// a new group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Only reads.
    Read,
    /// Writes (or reads and writes) alone.
    Exclusive,
    /// Writes that the user guarantees do not conflict with the other concurrent ones.
    Concurrent,
}

/// The kinds of resource an access is tried on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Buffer,
    /// `R8G8B8A8_UNORM`.
    Color,
    /// `D32_SFLOAT`.
    Depth,
    /// `D24_UNORM_S8_UINT`.
    DepthStencil,
}

impl Resource {
    pub const ALL: [Resource; 4] = [Self::Buffer, Self::Color, Self::Depth, Self::DepthStencil];
}

/// One access and what the specification says about it.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub access: Access,
    /// Stages (raw bits; meta stages allowed).
    pub stages: u64,
    /// Access types performed (raw bits).
    pub flags: u64,
    pub class: Class,
    /// Valid on buffers.
    pub buffer: bool,
    /// The layout on a color image (`None`: not valid on color images).
    pub color: Option<L>,
    /// The layout on a depth or depth/stencil image (`None`: not valid there).
    pub depth: Option<L>,
    /// Only as the last access (presentation gives the image away).
    pub last_only: bool,
}

impl Row {
    fn new(name: &str, stages: u64, flags: u64, class: Class) -> Self {
        let access = access::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, a)| a)
            .unwrap_or_else(|| panic!("no constant access::{name}"));
        Self {
            name: name.to_owned(),
            access,
            stages,
            flags,
            class,
            buffer: false,
            color: None,
            depth: None,
            last_only: false,
        }
    }

    /// Valid on buffers (which have no layout).
    fn buffer(mut self) -> Self {
        self.buffer = true;
        self
    }

    /// Valid on color images, in `layout`.
    fn color(mut self, layout: L) -> Self {
        self.color = Some(layout);
        self
    }

    /// Valid on depth and depth/stencil images, in `layout`.
    fn depth(mut self, layout: L) -> Self {
        self.depth = Some(layout);
        self
    }

    /// Valid on every image, in `layout`.
    fn images(self, layout: L) -> Self {
        self.color(layout).depth(layout)
    }

    /// Valid on buffers and every image (in `layout`).
    fn anywhere(self, layout: L) -> Self {
        self.buffer().images(layout)
    }

    fn last(mut self) -> Self {
        self.last_only = true;
        self
    }

    /// The variant in the `GENERAL` layout (`Access::in_general_layout`): same stages and
    /// access types. `GENERAL` supports every device access on every image, so it is valid
    /// wherever the original is, in `GENERAL`; presentation is no device access and needs
    /// `PRESENT_SRC_KHR`. Buffers have no layout: there it is the original.
    fn general(mut self) -> Self {
        let general = |layout: L| (layout != L::PRESENT_SRC_KHR).then_some(L::GENERAL);
        self.name = format!("{} in GENERAL", self.name);
        self.access = self.access.in_general_layout();
        self.color = self.color.and_then(general);
        self.depth = self.depth.and_then(general);
        self
    }

    /// The layout on `resource`; `Some(UNDEFINED)` on buffers (no layout); `None` where
    /// the access is not valid.
    pub fn layout(&self, resource: Resource) -> Option<L> {
        match resource {
            Resource::Buffer => self.buffer.then_some(L::UNDEFINED),
            Resource::Color => self.color,
            Resource::Depth | Resource::DepthStencil => self.depth,
        }
    }

    pub fn writes(&self) -> bool {
        self.class != Class::Read
    }
}

/// Every named access constant, and each in the `GENERAL` layout.
pub fn rows() -> Vec<Row> {
    let named = named_rows();
    let general: Vec<Row> = named.iter().cloned().map(Row::general).collect();
    named.into_iter().chain(general).collect()
}

/// Every named access constant.
fn named_rows() -> Vec<Row> {
    use Class::{Concurrent, Exclusive, Read};
    const GENERAL: L = L::GENERAL;
    const SHADER_READ_ONLY: L = L::SHADER_READ_ONLY_OPTIMAL;
    const DEPTH_TESTS: u64 = EARLY_FRAGMENT_TESTS | LATE_FRAGMENT_TESTS;
    let storage = SHADER_STORAGE_READ | SHADER_STORAGE_WRITE;
    vec![
        // Shader storage: buffers, storage texel buffers, storage images (GENERAL). Nothing
        // in the specification ties storage to a color format; the format's features decide.
        Row::new("COMPUTE_READ", COMPUTE_SHADER, SHADER_STORAGE_READ, Read).anywhere(GENERAL),
        Row::new(
            "COMPUTE_WRITE",
            COMPUTE_SHADER,
            SHADER_STORAGE_WRITE,
            Exclusive,
        )
        .anywhere(GENERAL),
        Row::new("COMPUTE_READ_WRITE", COMPUTE_SHADER, storage, Exclusive).anywhere(GENERAL),
        Row::new(
            "COMPUTE_CONCURRENT_WRITE",
            COMPUTE_SHADER,
            SHADER_STORAGE_WRITE,
            Concurrent,
        )
        .anywhere(GENERAL),
        Row::new(
            "COMPUTE_CONCURRENT_READ_WRITE",
            COMPUTE_SHADER,
            storage,
            Concurrent,
        )
        .anywhere(GENERAL),
        // Sampled: sampled images, or uniform texel buffers.
        Row::new("COMPUTE_SAMPLED", COMPUTE_SHADER, SHADER_SAMPLED_READ, Read)
            .anywhere(SHADER_READ_ONLY),
        // Uniform buffers: buffers only.
        Row::new("COMPUTE_UNIFORM", COMPUTE_SHADER, UNIFORM_READ, Read).buffer(),
        Row::new(
            "VERTEX_SHADER_READ",
            VERTEX_SHADER,
            SHADER_STORAGE_READ,
            Read,
        )
        .anywhere(GENERAL),
        Row::new("VERTEX_SHADER_UNIFORM", VERTEX_SHADER, UNIFORM_READ, Read).buffer(),
        Row::new("FRAGMENT_READ", FRAGMENT_SHADER, SHADER_STORAGE_READ, Read).anywhere(GENERAL),
        Row::new(
            "FRAGMENT_WRITE",
            FRAGMENT_SHADER,
            SHADER_STORAGE_WRITE,
            Exclusive,
        )
        .anywhere(GENERAL),
        Row::new(
            "FRAGMENT_SAMPLED",
            FRAGMENT_SHADER,
            SHADER_SAMPLED_READ,
            Read,
        )
        .anywhere(SHADER_READ_ONLY),
        Row::new("FRAGMENT_UNIFORM", FRAGMENT_SHADER, UNIFORM_READ, Read).buffer(),
        // Attachments: color ones on color formats, depth/stencil ones on depth formats.
        // Load op CLEAR/DONT_CARE writes, LOAD (and blending) reads.
        Row::new(
            "COLOR_WRITE",
            COLOR_ATTACHMENT_OUTPUT,
            COLOR_ATTACHMENT_WRITE,
            Exclusive,
        )
        .color(L::COLOR_ATTACHMENT_OPTIMAL),
        Row::new(
            "COLOR_READ_WRITE",
            COLOR_ATTACHMENT_OUTPUT,
            COLOR_ATTACHMENT_READ | COLOR_ATTACHMENT_WRITE,
            Exclusive,
        )
        .color(L::COLOR_ATTACHMENT_OPTIMAL),
        // Depth/stencil tests read and write in both fragment test stages.
        Row::new(
            "DEPTH_WRITE",
            DEPTH_TESTS,
            DEPTH_STENCIL_ATTACHMENT_READ | DEPTH_STENCIL_ATTACHMENT_WRITE,
            Exclusive,
        )
        .depth(L::DEPTH_STENCIL_ATTACHMENT_OPTIMAL),
        Row::new(
            "DEPTH_READ",
            DEPTH_TESTS,
            DEPTH_STENCIL_ATTACHMENT_READ,
            Read,
        )
        .depth(L::DEPTH_STENCIL_READ_ONLY_OPTIMAL),
        // Copies (COPY), blits (BLIT, images only), fills/updates/clears (CLEAR).
        Row::new("TRANSFER_SRC", COPY, TRANSFER_READ, Read).anywhere(L::TRANSFER_SRC_OPTIMAL),
        Row::new("TRANSFER_DST", COPY, TRANSFER_WRITE, Exclusive).anywhere(L::TRANSFER_DST_OPTIMAL),
        Row::new("BLIT_SRC", BLIT, TRANSFER_READ, Read).images(L::TRANSFER_SRC_OPTIMAL),
        Row::new("BLIT_DST", BLIT, TRANSFER_WRITE, Exclusive).images(L::TRANSFER_DST_OPTIMAL),
        Row::new("CLEAR_DST", CLEAR, TRANSFER_WRITE, Exclusive).anywhere(L::TRANSFER_DST_OPTIMAL),
        // Fixed-function inputs: buffers only.
        Row::new(
            "VERTEX_BUFFER",
            VERTEX_ATTRIBUTE_INPUT,
            VERTEX_ATTRIBUTE_READ,
            Read,
        )
        .buffer(),
        Row::new("INDEX_BUFFER", INDEX_INPUT, INDEX_READ, Read).buffer(),
        Row::new("INDIRECT_ARGS", DRAW_INDIRECT, INDIRECT_COMMAND_READ, Read).buffer(),
        // Host access to mapped memory; mapped images are linear and in GENERAL.
        Row::new("HOST_READ", HOST, HOST_READ, Read).anywhere(GENERAL),
        Row::new("HOST_WRITE", HOST, HOST_WRITE, Exclusive).anywhere(GENERAL),
        // Input attachments: fragment shader reads of color or depth/stencil images, in a
        // read-only layout (the spec allows SHADER_READ_ONLY_OPTIMAL for both; weft puts
        // depth/stencil images in DEPTH_STENCIL_READ_ONLY_OPTIMAL, also valid for them).
        Row::new(
            "FRAGMENT_INPUT_ATTACHMENT",
            FRAGMENT_SHADER,
            INPUT_ATTACHMENT_READ,
            Read,
        )
        .color(SHADER_READ_ONLY)
        .depth(L::DEPTH_STENCIL_READ_ONLY_OPTIMAL),
        // Presentation is no pipeline stage and no access type; weft names ALL_COMMANDS so
        // the transition is ordered before the submit's semaphore signal. Swapchain images
        // are color images.
        Row::new("PRESENT", ALL_COMMANDS, 0, Read)
            .color(L::PRESENT_SRC_KHR)
            .last(),
    ]
}
