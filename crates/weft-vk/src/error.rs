//! Errors of the runtime: each names the device, resource or task concerned.

use ash::vk;

/// How to get a Vulkan device on a Debian machine without a GPU.
pub const INSTALL_HINT: &str = "install Mesa's software Vulkan driver (lavapipe), the loader and \
     the validation layers: `apt-get install mesa-vulkan-drivers libvulkan1 \
     vulkan-validationlayers` (or run `cargo xtask test`, which does it)";

/// A failure of the Vulkan runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VkError {
    /// The Vulkan loader library could not be loaded.
    #[error("cannot load the Vulkan loader ({0}); {INSTALL_HINT}")]
    Loader(String),
    /// Validation was requested but the Khronos validation layer is not installed.
    #[error("the validation layer VK_LAYER_KHRONOS_validation is missing; {INSTALL_HINT}")]
    ValidationLayerMissing,
    /// No Vulkan 1.3 device (matching `WEFT_DEVICE`, when set) was found.
    #[error("no Vulkan 1.3 device found{filter}; {INSTALL_HINT}")]
    NoDevice {
        /// " matching `...`" when a name filter was given, else empty.
        filter: String,
    },
    /// The chosen device lacks a feature or extension weft needs.
    #[error("device `{device}` lacks {feature}, which weft needs")]
    MissingFeature {
        /// The device's name.
        device: String,
        /// The missing feature or extension.
        feature: String,
    },
    /// A Vulkan call failed.
    #[error("{call} failed: {result}")]
    Vulkan {
        /// The call.
        call: &'static str,
        /// Its result code.
        result: vk::Result,
    },
    /// Memory could not be allocated.
    #[error("allocating memory for `{resource}` failed: {source}")]
    Allocation {
        /// The resource.
        resource: String,
        /// The allocator's error.
        source: gpu_allocator::AllocationError,
    },
    /// A plan was executed without a real resource for one of its external resources.
    #[error("external {kind} `{resource}` has no real resource assigned (use `assign_buffer`)")]
    Unassigned {
        /// Buffer or image.
        kind: &'static str,
        /// The virtual resource.
        resource: String,
    },
    /// A real resource does not fit the description of the virtual one it is assigned to.
    #[error("buffer `{real}` cannot stand for `{resource}`: {problem}")]
    DoesNotFit {
        /// The virtual resource.
        resource: String,
        /// The real buffer's name.
        real: String,
        /// What does not fit.
        problem: String,
    },
    /// The plan was compiled from another graph than the one given.
    #[error("the plan was compiled from another graph")]
    ForeignPlan,
    /// Something this runtime does not do yet.
    #[error("not supported yet: {0}")]
    Unsupported(String),
    /// A pipeline task's views do not fit its shader's bindings (unknown or missing binding,
    /// buffer view on an image binding, wrong storage format, push-constant size, ...).
    #[error("task `{task}` ({shader}): {problem}")]
    Binding {
        /// The task.
        task: String,
        /// The shader's file.
        shader: String,
        /// What is wrong.
        problem: String,
    },
    /// Recording the task into the graph failed.
    #[error(transparent)]
    Graph(weft_graph::GraphError),
    /// A task callback reported a failure while recording.
    #[error("task `{task}`: {source}")]
    Task {
        /// The task.
        task: String,
        /// What failed.
        source: Box<VkError>,
    },
    /// A plan that presents was executed without a swapchain image and its semaphores.
    #[error("the plan presents an image; execute it with `execute_presenting` and an acquired swapchain image")]
    PresentWithoutSwapchain,
    /// A swapchain was asked for a window on a display the context was not made for: its
    /// instance and device lack that window system's surface and swapchain extensions.
    #[error("the context was made {context}, so it cannot make a swapchain for a window on a {window} display: create it with `ContextOptions::display` set to the window's display handle")]
    NotForWindows {
        /// "without a display" or "for a ... display".
        context: String,
        /// The window's display kind (Xlib, Wayland, ...).
        window: &'static str,
    },
    /// The device cannot present to the window's surface.
    #[error("device `{device}` cannot present to this window's surface")]
    CannotPresent {
        /// The device's name.
        device: String,
    },
    /// A host read of a buffer that is not mapped.
    #[error("buffer `{0}` is not host-visible; create it with a CPU-visible memory location")]
    NotHostVisible(String),
}

/// Wraps a failed Vulkan call.
pub(crate) fn vk_err(call: &'static str) -> impl FnOnce(vk::Result) -> VkError {
    move |result| VkError::Vulkan { call, result }
}
