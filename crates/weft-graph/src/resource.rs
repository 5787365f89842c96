//! Virtual resources of a graph: descriptions, handles and their lifetimes.

use ash::vk;

/// Identifies one graph, so handles from another graph are caught.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GraphId(pub(crate) u32);

impl GraphId {
    pub(crate) fn next() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A virtual buffer of one graph. Small and `Copy`; views are taken from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskBuffer {
    pub(crate) graph: GraphId,
    pub(crate) index: u32,
}

/// A virtual image of one graph. Small and `Copy`; views are taken from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskImage {
    pub(crate) graph: GraphId,
    pub(crate) index: u32,
}

impl TaskBuffer {
    /// Position of the buffer among the graph's resources (buffers and images share one
    /// numbering, in declaration order).
    pub fn index(self) -> u32 {
        self.index
    }
}

impl TaskImage {
    /// Position of the image among the graph's resources (buffers and images share one
    /// numbering, in declaration order).
    pub fn index(self) -> u32 {
        self.index
    }
}

/// What a buffer is: its size and the usages it is created with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferDesc {
    /// Size in bytes.
    pub size: u64,
    /// Usages the real buffer has (or will be created with, for transients).
    pub usage: vk::BufferUsageFlags,
}

/// What an image is: format, extent, mips, layers and usages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageDesc {
    /// Texel format; its aspects (color, depth, stencil) follow from it.
    pub format: vk::Format,
    /// Size of mip 0.
    pub extent: vk::Extent3D,
    /// Number of mip levels (at least 1, at most the full chain).
    pub mip_levels: u32,
    /// Number of array layers (at least 1).
    pub array_layers: u32,
    /// Usages the real image has (or will be created with, for transients).
    pub usage: vk::ImageUsageFlags,
}

impl ImageDesc {
    /// A 2D image with one mip and one layer.
    pub fn new_2d(format: vk::Format, width: u32, height: u32, usage: vk::ImageUsageFlags) -> Self {
        Self {
            format,
            extent: vk::Extent3D {
                width,
                height,
                depth: 1,
            },
            mip_levels: 1,
            array_layers: 1,
            usage,
        }
    }

    /// The same description with `mip_levels` mips.
    pub fn with_mips(mut self, mip_levels: u32) -> Self {
        self.mip_levels = mip_levels;
        self
    }

    /// The same description with `array_layers` layers.
    pub fn with_layers(mut self, array_layers: u32) -> Self {
        self.array_layers = array_layers;
        self
    }

    /// The aspects of the image's format.
    pub fn aspects(&self) -> vk::ImageAspectFlags {
        format_aspects(self.format)
    }
}

/// The aspects of a format: depth and/or stencil for depth formats, color otherwise.
pub fn format_aspects(format: vk::Format) -> vk::ImageAspectFlags {
    use vk::Format as F;
    use vk::ImageAspectFlags as A;
    match format {
        F::D16_UNORM | F::X8_D24_UNORM_PACK32 | F::D32_SFLOAT => A::DEPTH,
        F::S8_UINT => A::STENCIL,
        F::D16_UNORM_S8_UINT | F::D24_UNORM_S8_UINT | F::D32_SFLOAT_S8_UINT => {
            A::DEPTH | A::STENCIL
        }
        _ => A::COLOR,
    }
}

/// Who provides the real resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lifetime {
    /// The user assigns a real resource before each execution (persistent resources,
    /// swapchain images). Its state is carried across executions and graphs.
    External,
    /// The graph creates it from its description; it lives only inside one execution.
    Transient,
}

/// A buffer or image description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceDesc {
    /// A buffer.
    Buffer(BufferDesc),
    /// An image.
    Image(ImageDesc),
}

/// One declared resource.
#[derive(Clone, Debug)]
pub struct ResourceInfo {
    /// The name given at declaration (used in errors, DOT and `describe`).
    pub name: String,
    /// External or transient.
    pub lifetime: Lifetime,
    /// Its description.
    pub desc: ResourceDesc,
}

/// What `compile()` needs of a declared resource, packed (16 bytes instead of the
/// [`ResourceInfo`] with its name): barriers look it up for every transition, in no useful
/// order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ResourceSummary {
    pub external: bool,
    /// The length of its linear subresource space: bytes of a buffer; aspects × mips ×
    /// layers of an image.
    pub units: u64,
    /// `None` for buffers.
    pub image: Option<ImageShape>,
}

/// The subresource space of an image: its aspects (raw `vk::ImageAspectFlags` bits), mips
/// and layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ImageShape {
    pub aspects: u32,
    pub mips: u32,
    pub layers: u32,
}

impl ResourceSummary {
    /// The summary of a resource declared with `lifetime` and `desc`.
    pub fn new(lifetime: Lifetime, desc: &ResourceDesc) -> Self {
        Self {
            external: lifetime == Lifetime::External,
            units: match desc {
                ResourceDesc::Buffer(b) => b.size,
                ResourceDesc::Image(d) => {
                    u64::from(d.aspects().as_raw().count_ones())
                        * u64::from(d.mip_levels)
                        * u64::from(d.array_layers)
                }
            },
            image: match desc {
                ResourceDesc::Buffer(_) => None,
                ResourceDesc::Image(d) => Some(ImageShape {
                    aspects: d.aspects().as_raw(),
                    mips: d.mip_levels,
                    layers: d.array_layers,
                }),
            },
        }
    }
}

/// Checks a buffer description; the error text says what is wrong.
pub(crate) fn check_buffer_desc(desc: &BufferDesc) -> Result<(), String> {
    if desc.size == 0 {
        return Err("size is 0".into());
    }
    Ok(())
}

/// Checks an image description; the error text says what is wrong.
pub(crate) fn check_image_desc(desc: &ImageDesc) -> Result<(), String> {
    let e = desc.extent;
    if e.width == 0 || e.height == 0 || e.depth == 0 {
        return Err(format!(
            "extent {}x{}x{} has a zero side",
            e.width, e.height, e.depth
        ));
    }
    if desc.format == vk::Format::UNDEFINED {
        return Err("format is UNDEFINED".into());
    }
    if desc.array_layers == 0 {
        return Err("array_layers is 0".into());
    }
    let largest = e.width.max(e.height).max(e.depth);
    let full_chain = 32 - largest.leading_zeros();
    if desc.mip_levels == 0 || desc.mip_levels > full_chain {
        return Err(format!(
            "mip_levels is {} but a {}x{}x{} image has 1 to {} mips",
            desc.mip_levels, e.width, e.height, e.depth, full_chain
        ));
    }
    Ok(())
}
