//! Creating the Vulkan instance: the validation layer (with synchronization validation and
//! the settings that make it see hazards across submissions) when asked for, the debug
//! messenger that counts its messages, and the surface extensions of a display.

use std::ffi::{c_char, CStr};

use ash::vk;

use crate::error::{vk_err, VkError};
use crate::validation::{messenger_info, MessageLog};

const VALIDATION_LAYER: &CStr = c"VK_LAYER_KHRONOS_validation";

/// An instance with `surface_extensions`, and with the validation layer when `validation`
/// (its messages, those of instance creation included, go to `log`).
pub(crate) fn create_instance(
    entry: &ash::Entry,
    validation: bool,
    surface_extensions: &[*const c_char],
    log: &MessageLog,
) -> Result<ash::Instance, VkError> {
    if validation {
        // SAFETY: enumerating layers only needs a loaded entry.
        let layers = unsafe { entry.enumerate_instance_layer_properties() }
            .map_err(vk_err("vkEnumerateInstanceLayerProperties"))?;
        let present = layers
            .iter()
            .any(|l| l.layer_name_as_c_str() == Ok(VALIDATION_LAYER));
        if !present {
            return Err(VkError::ValidationLayerMissing);
        }
    }
    let app = vk::ApplicationInfo::default()
        .application_name(c"weft")
        .engine_name(c"weft")
        .api_version(vk::API_VERSION_1_3);
    let layers: Vec<*const c_char> = if validation {
        vec![VALIDATION_LAYER.as_ptr()]
    } else {
        vec![]
    };
    let mut extensions: Vec<*const c_char> = surface_extensions.to_vec();
    if validation {
        extensions.push(ash::ext::debug_utils::NAME.as_ptr());
    }
    let enables = [vk::ValidationFeatureEnableEXT::SYNCHRONIZATION_VALIDATION];
    let mut features = vk::ValidationFeaturesEXT::default().enabled_validation_features(&enables);
    let settings = layer_settings();
    let mut layer_settings = vk::LayerSettingsCreateInfoEXT::default().settings(&settings);
    let with_settings = validation && layer_knows_settings(entry);
    if with_settings {
        extensions.push(ash::ext::layer_settings::NAME.as_ptr());
    }
    // Also catches messages of instance creation itself.
    let mut messenger = messenger_info(log);
    let mut info = vk::InstanceCreateInfo::default()
        .application_info(&app)
        .enabled_layer_names(&layers)
        .enabled_extension_names(&extensions);
    if validation {
        info = info.push_next(&mut features).push_next(&mut messenger);
    }
    if with_settings {
        info = info.push_next(&mut layer_settings);
    }
    // SAFETY: every pointer in `info` refers to locals that outlive this call.
    unsafe { entry.create_instance(&info, None) }.map_err(vk_err("vkCreateInstance"))
}

/// `VK_TRUE`, as the validation layer reads a boolean setting.
static ON: [vk::Bool32; 1] = [vk::TRUE];

/// The validation layer's settings (through `VK_EXT_layer_settings`), each with what it is
/// for:
/// - `validate_sync`: synchronization validation (the same as the validation feature
///   enabled above, for layers that read settings only): reports accesses that no barrier
///   or semaphore orders.
/// - `syncval_submit_time_validation`: also checks hazards between command buffers and
///   between submissions when they are submitted (frames in flight, graphs run one after
///   another), not only inside one command buffer.
/// - `syncval_shader_accesses_heuristic`: reads each shader's SPIR-V to tell the storage
///   buffers and images it writes from those it only reads; without it the 1.4 layer does
///   not see shader storage writes at all, so a hazard after a dispatch's write goes
///   unreported.
fn layer_settings() -> [vk::LayerSettingEXT<'static>; 3] {
    [
        c"validate_sync",
        c"syncval_submit_time_validation",
        c"syncval_shader_accesses_heuristic",
    ]
    .map(|name| {
        let mut setting = vk::LayerSettingEXT::default()
            .layer_name(VALIDATION_LAYER)
            .setting_name(name)
            .ty(vk::LayerSettingTypeEXT::BOOL32);
        // One `VkBool32` (ash's `values` takes bytes and would count 4 values).
        setting.value_count = 1;
        setting.p_values = ON.as_ptr().cast();
        setting
    })
}

/// Whether the installed validation layer takes `VK_EXT_layer_settings` (1.3.268 and later;
/// an older layer keeps its defaults, with synchronization validation still enabled by the
/// validation feature).
fn layer_knows_settings(entry: &ash::Entry) -> bool {
    // SAFETY: enumerating a layer's extensions only needs a loaded entry.
    unsafe { entry.enumerate_instance_extension_properties(Some(VALIDATION_LAYER)) }
        .map(|extensions| {
            extensions
                .iter()
                .any(|e| e.extension_name_as_c_str() == Ok(ash::ext::layer_settings::NAME))
        })
        .unwrap_or(false)
}
