//! Errors of the runtime: each names the device, resource or task concerned.
//!
//! The error policy of weft (the runtime and the planner follow it):
//!
//! - **Misuse** (anything a user can get wrong: a view out of bounds, a binding that does
//!   not fit, a resource a task did not attach, an unbound external resource, a shader
//!   binding without a view) is a typed error that names the task and the resource:
//!   [`weft_graph::GraphError`] when recording or compiling, [`VkError`] when binding or
//!   executing. Library code never panics on it and never hands out a null handle instead.
//! - **Vulkan failures** (a call returning an error code, device loss, out of memory) are
//!   [`VkError::Vulkan`] or [`VkError::Allocation`] naming the call or the resource; what
//!   was created before the failing step is destroyed.
//! - **Environment problems** (no loader, no device, no validation layer, a device without
//!   a needed feature, a display the context was not made for) are their own variants, and
//!   their messages say how to fix the machine ([`INSTALL_HINT`]).
//! - Nothing is skipped silently: a poisoned lock on a resource's state is recovered (the
//!   state is plain data, never left half-written), not a reason to drop a barrier.

use ash::vk;

/// How to get a Vulkan device on a Debian machine without a GPU.
pub const INSTALL_HINT: &str = "install Mesa's software Vulkan driver (lavapipe), the loader and \
     the validation layers: `apt-get install mesa-vulkan-drivers libvulkan1 \
     vulkan-validationlayers` (or run `cargo xtask test` as root, which installs the stack the \
     tests are checked on: Mesa 25's lavapipe and the 1.4.309 validation layer)";

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
    /// A transient of a plan could not be created in its place.
    #[error("transient `{resource}` of plan #{plan}: {source}")]
    Transient {
        /// The transient.
        resource: String,
        /// [`weft_graph::Plan::serial`] of the plan.
        plan: u64,
        /// What failed.
        source: Box<VkError>,
    },
    /// Memory could not be allocated.
    #[error("allocating memory for `{resource}` failed: {source}")]
    Allocation {
        /// The resource.
        resource: String,
        /// The allocator's error.
        source: gpu_allocator::AllocationError,
    },
    /// A graph was executed without a real resource bound to one of the external resources
    /// its plan uses.
    #[error("external {kind} `{resource}` has no real {kind} bound (use `Graph::bind_{kind}`)")]
    Unbound {
        /// Buffer or image.
        kind: &'static str,
        /// The virtual resource.
        resource: String,
    },
    /// A real resource does not fit the description of the virtual one it is bound to.
    #[error("{kind} `{real}` cannot stand for `{resource}`: {problem}")]
    DoesNotFit {
        /// Buffer or image.
        kind: &'static str,
        /// The virtual resource.
        resource: String,
        /// The real resource's name.
        real: String,
        /// What does not fit.
        problem: String,
    },
    /// A real resource was bound to a transient resource (the graph makes those itself).
    #[error("`{resource}` is transient: the graph creates it, nothing can be bound to it")]
    BindTransient {
        /// The virtual resource.
        resource: String,
    },
    /// A handle of another graph (or past this graph's resources) was given.
    #[error("resource #{index} is not a resource of this graph")]
    ForeignResource {
        /// The handle's index in its own graph.
        index: u32,
    },
    /// A built-in transfer task does not fit its views (sizes differ, a view outside its
    /// resource, a clear value of the wrong numeric type, ...).
    #[error("task `{task}`, `{resource}`: {problem}")]
    Transfer {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// What does not fit.
        problem: String,
    },
    /// A task callback asked for the real resource of a view it did not attach.
    #[error("task `{task}` asked for `{resource}`, which it did not attach")]
    NotAttached {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
    },
    /// A task asked for the device address of a buffer without `SHADER_DEVICE_ADDRESS`.
    #[error("task `{task}` asked for the device address of `{resource}`, which was not created with SHADER_DEVICE_ADDRESS usage")]
    NoDeviceAddress {
        /// The task.
        task: String,
        /// The buffer.
        resource: String,
    },
    /// A task asked for an image view outside its image.
    #[error("task `{task}` asked for a view outside image `{image}`")]
    ViewOutsideImage {
        /// The task.
        task: String,
        /// The real image.
        image: String,
    },
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
    /// A shader did not compile (or its file could not be read).
    #[error(transparent)]
    Shader(#[from] weft_shader::ShaderError),
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
