//! The Vulkan context: instance (with validation and synchronization validation on
//! request), the chosen device with the features weft needs, its queue and the memory
//! allocator.

use std::mem::ManuallyDrop;
use std::sync::Mutex;

use ash::vk;
use gpu_allocator::vulkan::{Allocator, AllocatorCreateDesc};

use crate::error::{vk_err, VkError};
use crate::ids::{IdSlots, ResourceId};
use crate::instance::create_instance;
use crate::locks::lock;
use crate::timeline::{Garbage, Timeline};
use crate::validation::{messenger_info, MessageLog};

/// Serialises, across every context of the process, the loader calls that race with other
/// instances being created or destroyed: the 1.4 loader's terminator of
/// `vkSetDebugUtilsObjectNameEXT` walks the process's instances unguarded, and crashed
/// (SIGSEGV) while tests on other threads made and dropped contexts.
static LOADER_CALLS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How to create a [`Context`]. The default turns validation on in debug builds and off in
/// release builds.
#[derive(Clone, Debug)]
pub struct ContextOptions {
    /// Turn on the validation layer with synchronization validation; every warning or error
    /// it reports is counted (see [`Context::validation_messages`]).
    pub validation: bool,
    /// Pick the first device whose name contains this text (case-insensitive). `None` reads
    /// the `WEFT_DEVICE` environment variable; without it a discrete GPU is preferred, then
    /// any other Vulkan 1.3 device (lavapipe included).
    pub device_name: Option<String>,
    /// The display windows will be on: enables the surface and swapchain extensions, so
    /// [`crate::Swapchain`]s can be made (headless without one).
    pub display: Option<raw_window_handle::RawDisplayHandle>,
}

impl Default for ContextOptions {
    fn default() -> Self {
        Self {
            validation: cfg!(debug_assertions),
            device_name: None,
            display: None,
        }
    }
}

impl ContextOptions {
    /// Validation and synchronization validation on: what tests and debug builds use.
    pub fn validated() -> Self {
        Self {
            validation: true,
            device_name: None,
            display: None,
        }
    }
}

/// An instance, a device and its queue: everything else is created from it.
pub struct Context {
    pub(crate) instance: ash::Instance,
    messenger: Option<(ash::ext::debug_utils::Instance, vk::DebugUtilsMessengerEXT)>,
    log: Box<MessageLog>,
    pub(crate) device: ash::Device,
    pub(crate) queue: vk::Queue,
    pub(crate) queue_family: u32,
    pub(crate) physical_device: vk::PhysicalDevice,
    pub(crate) entry: ash::Entry,
    pub(crate) allocator: ManuallyDrop<Mutex<Allocator>>,
    pub(crate) debug_utils: Option<ash::ext::debug_utils::Device>,
    pub(crate) push_descriptor: ash::khr::push_descriptor::Device,
    pub(crate) timeline: Timeline,
    pub(crate) ids: IdSlots,
    device_name: String,
    /// The kind of display it was made for (see [`display_kind`]); `None` when headless.
    pub(crate) display_kind: Option<&'static str>,
}

/// The name of a display handle's kind (its window system), for matching windows to the
/// context made for their display, and for errors.
pub(crate) fn display_kind(display: &raw_window_handle::RawDisplayHandle) -> &'static str {
    use raw_window_handle::RawDisplayHandle as D;
    match display {
        D::Xlib(_) => "Xlib",
        D::Xcb(_) => "XCB",
        D::Wayland(_) => "Wayland",
        D::Windows(_) => "Windows",
        D::AppKit(_) => "AppKit",
        D::UiKit(_) => "UIKit",
        D::Android(_) => "Android",
        D::Drm(_) => "DRM",
        D::Gbm(_) => "GBM",
        D::Orbital(_) => "Orbital",
        D::Ohos(_) => "OpenHarmony",
        D::Haiku(_) => "Haiku",
        D::Web(_) => "web",
        _ => "unknown",
    }
}

impl Context {
    /// Loads Vulkan, creates the instance and the device.
    pub fn new(options: &ContextOptions) -> Result<Self, VkError> {
        // SAFETY: loading the system's Vulkan loader runs its initialisation code; it is
        // the documented way to start Vulkan and nothing else is running Vulkan yet.
        let entry = unsafe { ash::Entry::load() }.map_err(|e| VkError::Loader(e.to_string()))?;
        let log = Box::<MessageLog>::default();
        let surface_extensions = match options.display {
            Some(display) => ash_window::enumerate_required_extensions(display)
                .map_err(vk_err("vkEnumerateInstanceExtensionProperties"))?
                .to_vec(),
            None => Vec::new(),
        };
        // What is made from here on is destroyed again if a later step fails.
        let _serial = lock(&LOADER_CALLS);
        let mut made = Made::default();
        let instance = made.instance.insert(create_instance(
            &entry,
            options.validation,
            &surface_extensions,
            &log,
        )?);
        if options.validation {
            let loader = ash::ext::debug_utils::Instance::new(&entry, instance);
            let info = messenger_info(&log);
            // SAFETY: the instance is valid and `info` points at the boxed log, which the
            // context keeps until after the messenger is destroyed.
            let messenger = unsafe { loader.create_debug_utils_messenger(&info, None) }
                .map_err(vk_err("vkCreateDebugUtilsMessengerEXT"))?;
            made.messenger = Some((loader, messenger));
        }
        let filter = options
            .device_name
            .clone()
            .or_else(|| std::env::var("WEFT_DEVICE").ok());
        let (physical_device, device_name, queue_family) =
            pick_device(instance, filter.as_deref())?;
        let presents = options.display.is_some();
        let device = made.device.insert(create_device(
            instance,
            physical_device,
            queue_family,
            &device_name,
            presents,
        )?);
        let (instance, device) = (instance.clone(), device.clone());
        // SAFETY: the queue family was created with one queue.
        let queue = unsafe { device.get_device_queue(queue_family, 0) };
        let allocator = Allocator::new(&AllocatorCreateDesc {
            instance: instance.clone(),
            device: device.clone(),
            physical_device,
            debug_settings: Default::default(),
            buffer_device_address: true,
            allocation_sizes: Default::default(),
        })
        .map_err(|source| VkError::Allocation {
            resource: "allocator".into(),
            source,
        })?;
        let debug_utils = options
            .validation
            .then(|| ash::ext::debug_utils::Device::new(&instance, &device));
        let push_descriptor = ash::khr::push_descriptor::Device::new(&instance, &device);
        let timeline = Timeline::new(&device)?;
        // Every step succeeded: the context owns (and destroys) what was made.
        let messenger = made.messenger.take();
        made.device = None;
        made.instance = None;
        Ok(Self {
            entry: entry.clone(),
            instance,
            messenger,
            log,
            device,
            physical_device,
            queue,
            queue_family,
            allocator: ManuallyDrop::new(Mutex::new(allocator)),
            debug_utils,
            push_descriptor,
            timeline,
            ids: IdSlots::default(),
            device_name,
            display_kind: options.display.as_ref().map(display_kind),
        })
    }

    /// Gives `object` the debug name `name` (`VK_EXT_debug_utils`), so validation messages
    /// and captures name it; nothing without debug utils (contexts made without validation).
    pub fn name_object<H: vk::Handle>(&self, object: H, name: &str) {
        let Some(utils) = &self.debug_utils else {
            return;
        };
        let Ok(name) = std::ffi::CString::new(name.replace('\0', " ")) else {
            return;
        };
        let info = vk::DebugUtilsObjectNameInfoEXT::default()
            .object_handle(object)
            .object_name(&name);
        let _serial = lock(&LOADER_CALLS);
        // SAFETY: `object` is a live handle of this device (callers name what they made or
        // hold); `name` outlives the call. Naming is a debugging aid: a failure changes
        // nothing else, so its result is not an error of the caller's operation.
        let _ = unsafe { utils.set_debug_utils_object_name(&info) };
    }

    /// A command pool of the queue's family with `flags` and `count` primary command
    /// buffers from it (the pool is destroyed again when allocating them fails).
    pub(crate) fn command_pool(
        &self,
        flags: vk::CommandPoolCreateFlags,
        count: u32,
    ) -> Result<(vk::CommandPool, Vec<vk::CommandBuffer>), VkError> {
        let info = vk::CommandPoolCreateInfo::default()
            .queue_family_index(self.queue_family)
            .flags(flags);
        // SAFETY: the device is valid and the family index is the one the queue came from;
        // the caller destroys the pool once its work has finished.
        let pool = unsafe { self.device.create_command_pool(&info, None) }
            .map_err(vk_err("vkCreateCommandPool"))?;
        let alloc = vk::CommandBufferAllocateInfo::default()
            .command_pool(pool)
            .level(vk::CommandBufferLevel::PRIMARY)
            .command_buffer_count(count);
        // SAFETY: the pool was just created and nothing else uses it.
        match unsafe { self.device.allocate_command_buffers(&alloc) } {
            Ok(cmds) => Ok((pool, cmds)),
            Err(e) => {
                // SAFETY: nothing from the pool is in use.
                unsafe { self.device.destroy_command_pool(pool, None) };
                Err(vk_err("vkAllocateCommandBuffers")(e))
            }
        }
    }

    /// The device's name.
    pub fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The logical device.
    pub fn device(&self) -> &ash::Device {
        &self.device
    }

    /// The instance.
    pub fn instance(&self) -> &ash::Instance {
        &self.instance
    }

    /// The queue family of [`Context::queue`].
    pub fn queue_family(&self) -> u32 {
        self.queue_family
    }

    /// The queue every executor submits to.
    pub fn queue(&self) -> vk::Queue {
        self.queue
    }

    /// Number of warnings and errors the validation layers reported so far.
    pub fn validation_messages(&self) -> usize {
        self.log.count()
    }

    /// The first validation messages, for failure reports.
    pub fn validation_log(&self) -> Vec<String> {
        self.log.messages()
    }

    /// True while the buffer or image `id` names exists (ids of dropped resources are
    /// stale, even when a newer resource reuses their slot).
    pub fn is_alive(&self, id: ResourceId) -> bool {
        self.ids.is_alive(id)
    }

    /// The value of the last finished submission (submissions count from 1).
    pub fn completed_submission(&self) -> Result<u64, VkError> {
        self.timeline.completed(&self.device)
    }

    /// Blocks until submission `value` (and every one before it) has finished.
    pub fn wait_for_submission(&self, value: u64) -> Result<(), VkError> {
        self.timeline.wait(&self.device, value)
    }

    /// Blocks until every submission so far has finished.
    pub fn wait_for_all_submissions(&self) -> Result<(), VkError> {
        self.timeline
            .wait(&self.device, self.timeline.last_submitted())
    }

    /// Destroys `garbage` now if submission `in_flight` has finished, else once it has.
    pub(crate) fn retire(&self, in_flight: u64, garbage: Garbage) {
        match self.timeline.completed(&self.device) {
            Ok(done) if done >= in_flight => {
                crate::timeline::destroy(&self.device, &self.allocator, garbage)
            }
            _ => self.timeline.retire(in_flight, garbage),
        }
    }

    /// Waits until the device is idle.
    pub fn wait_idle(&self) -> Result<(), VkError> {
        // SAFETY: the device is valid; waiting has no other requirement.
        unsafe { self.device.device_wait_idle() }.map_err(vk_err("vkDeviceWaitIdle"))
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        let _serial = lock(&LOADER_CALLS);
        // SAFETY: resources and executors hold the context, so they are all gone; after the
        // wait the graveyard, allocator, device, messenger and instance go, once, in order.
        unsafe {
            let _ = self.device.device_wait_idle();
            self.timeline.destroy(&self.device, &self.allocator);
            ManuallyDrop::drop(&mut self.allocator);
            self.device.destroy_device(None);
            if let Some((loader, messenger)) = self.messenger.take() {
                loader.destroy_debug_utils_messenger(messenger, None);
            }
            self.instance.destroy_instance(None);
        }
    }
}

/// What [`Context::new`] made so far, destroyed in reverse order when a later step fails
/// (the context takes the parts out once every step has succeeded).
#[derive(Default)]
struct Made {
    instance: Option<ash::Instance>,
    messenger: Option<(ash::ext::debug_utils::Instance, vk::DebugUtilsMessengerEXT)>,
    device: Option<ash::Device>,
}

impl Drop for Made {
    fn drop(&mut self) {
        // SAFETY: only what `Context::new` made and did not hand to a context is left here;
        // nothing was created from the device yet (the allocator, a local made later, is
        // dropped before this), and each object is destroyed once, children first.
        unsafe {
            if let Some(device) = self.device.take() {
                device.destroy_device(None);
            }
            if let Some((loader, messenger)) = self.messenger.take() {
                loader.destroy_debug_utils_messenger(messenger, None);
            }
            if let Some(instance) = self.instance.take() {
                instance.destroy_instance(None);
            }
        }
    }
}

/// Picks a Vulkan 1.3 device (by name filter, else discrete first) and a queue family with
/// graphics and compute.
fn pick_device(
    instance: &ash::Instance,
    filter: Option<&str>,
) -> Result<(vk::PhysicalDevice, String, u32), VkError> {
    // SAFETY: the instance is valid.
    let devices = unsafe { instance.enumerate_physical_devices() }
        .map_err(vk_err("vkEnumeratePhysicalDevices"))?;
    let mut candidates = Vec::new();
    for pd in devices {
        // SAFETY: `pd` comes from this instance.
        let props = unsafe { instance.get_physical_device_properties(pd) };
        let name = props
            .device_name_as_c_str()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if props.api_version < vk::API_VERSION_1_3 {
            continue;
        }
        if let Some(f) = filter {
            if !name.to_lowercase().contains(&f.to_lowercase()) {
                continue;
            }
        }
        // SAFETY: `pd` comes from this instance.
        let families = unsafe { instance.get_physical_device_queue_family_properties(pd) };
        let wanted = vk::QueueFlags::GRAPHICS | vk::QueueFlags::COMPUTE;
        let Some(family) = families.iter().position(|f| f.queue_flags.contains(wanted)) else {
            continue;
        };
        let rank = match props.device_type {
            vk::PhysicalDeviceType::DISCRETE_GPU => 0,
            vk::PhysicalDeviceType::INTEGRATED_GPU => 1,
            vk::PhysicalDeviceType::VIRTUAL_GPU => 2,
            _ => 3,
        };
        candidates.push((rank, pd, name, family as u32));
    }
    candidates.sort_by_key(|c| c.0);
    candidates
        .into_iter()
        .next()
        .map(|(_, pd, name, family)| (pd, name, family))
        .ok_or_else(|| VkError::NoDevice {
            filter: filter.map_or_else(String::new, |f| format!(" matching `{f}`")),
        })
}

/// The first of the features weft needs that a device lacks, named for the error.
pub(crate) fn first_missing(
    has_push_descriptor: bool,
    v12: &vk::PhysicalDeviceVulkan12Features<'_>,
    v13: &vk::PhysicalDeviceVulkan13Features<'_>,
) -> Option<&'static str> {
    let checks = [
        (has_push_descriptor, "the extension VK_KHR_push_descriptor"),
        (
            v13.synchronization2 == vk::TRUE,
            "the feature synchronization2",
        ),
        (
            v13.dynamic_rendering == vk::TRUE,
            "the feature dynamicRendering",
        ),
        (v13.maintenance4 == vk::TRUE, "the feature maintenance4"),
        (
            v12.timeline_semaphore == vk::TRUE,
            "the feature timelineSemaphore",
        ),
        (
            v12.buffer_device_address == vk::TRUE,
            "the feature bufferDeviceAddress",
        ),
    ];
    checks.iter().find(|(on, _)| !on).map(|(_, name)| *name)
}

/// Creates the device with the features weft needs, checked one by one so the error names
/// the missing one.
fn create_device(
    instance: &ash::Instance,
    pd: vk::PhysicalDevice,
    family: u32,
    name: &str,
    presents: bool,
) -> Result<ash::Device, VkError> {
    let missing = |feature: &str| VkError::MissingFeature {
        device: name.to_owned(),
        feature: feature.to_owned(),
    };
    // SAFETY: `pd` comes from this instance.
    let extensions = unsafe { instance.enumerate_device_extension_properties(pd) }
        .map_err(vk_err("vkEnumerateDeviceExtensionProperties"))?;
    let push_descriptor = ash::khr::push_descriptor::NAME;
    let has_push_descriptor = extensions
        .iter()
        .any(|e| e.extension_name_as_c_str() == Ok(push_descriptor));
    let mut v12 = vk::PhysicalDeviceVulkan12Features::default();
    let mut v13 = vk::PhysicalDeviceVulkan13Features::default();
    let mut all = vk::PhysicalDeviceFeatures2::default()
        .push_next(&mut v12)
        .push_next(&mut v13);
    // SAFETY: `pd` comes from this instance; the chain points at live locals.
    unsafe { instance.get_physical_device_features2(pd, &mut all) };
    if let Some(feature) = first_missing(has_push_descriptor, &v12, &v13) {
        return Err(missing(feature));
    }
    let mut enable12 = vk::PhysicalDeviceVulkan12Features::default()
        .timeline_semaphore(true)
        .buffer_device_address(true);
    let mut enable13 = vk::PhysicalDeviceVulkan13Features::default()
        .synchronization2(true)
        .dynamic_rendering(true)
        .maintenance4(true);
    let priorities = [1.0f32];
    let queues = [vk::DeviceQueueCreateInfo::default()
        .queue_family_index(family)
        .queue_priorities(&priorities)];
    let swapchain = ash::khr::swapchain::NAME;
    if presents
        && !extensions
            .iter()
            .any(|e| e.extension_name_as_c_str() == Ok(swapchain))
    {
        return Err(missing("the extension VK_KHR_swapchain"));
    }
    let mut device_extensions = vec![push_descriptor.as_ptr()];
    if presents {
        device_extensions.push(swapchain.as_ptr());
    }
    let info = vk::DeviceCreateInfo::default()
        .queue_create_infos(&queues)
        .enabled_extension_names(&device_extensions)
        .push_next(&mut enable12)
        .push_next(&mut enable13);
    // SAFETY: every pointer in `info` refers to locals that outlive this call.
    unsafe { instance.create_device(pd, &info, None) }.map_err(vk_err("vkCreateDevice"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_on() -> (
        vk::PhysicalDeviceVulkan12Features<'static>,
        vk::PhysicalDeviceVulkan13Features<'static>,
    ) {
        (
            vk::PhysicalDeviceVulkan12Features::default()
                .timeline_semaphore(true)
                .buffer_device_address(true),
            vk::PhysicalDeviceVulkan13Features::default()
                .synchronization2(true)
                .dynamic_rendering(true)
                .maintenance4(true),
        )
    }

    #[test]
    fn a_device_with_every_feature_passes() {
        let (v12, v13) = all_on();
        assert_eq!(first_missing(true, &v12, &v13), None);
    }

    #[test]
    fn a_device_without_a_required_feature_is_named() {
        let (v12, v13) = all_on();
        assert_eq!(
            first_missing(false, &v12, &v13),
            Some("the extension VK_KHR_push_descriptor")
        );
        let (v12, v13) = all_on();
        let v13 = v13.synchronization2(false);
        assert_eq!(
            first_missing(true, &v12, &v13),
            Some("the feature synchronization2")
        );
        let (v12, v13) = all_on();
        let v12 = v12.timeline_semaphore(false);
        let e = VkError::MissingFeature {
            device: "test device".into(),
            feature: first_missing(true, &v12, &v13).unwrap_or_default().into(),
        };
        assert_eq!(
            e.to_string(),
            "device `test device` lacks the feature timelineSemaphore, which weft needs"
        );
    }
}
