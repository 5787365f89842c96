//! The debug-utils messenger: every warning or error the validation layers report goes to
//! the `log` crate (target `weft::vulkan`) and is counted and kept, so tests can assert that
//! there were none.

use std::ffi::{c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ash::vk;

/// Messages reported by the validation layers (warnings and errors).
#[derive(Debug, Default)]
pub struct MessageLog {
    count: AtomicUsize,
    messages: Mutex<Vec<String>>,
}

/// How many messages are kept in full (the count goes on).
const KEPT: usize = 64;

impl MessageLog {
    /// Number of messages so far.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// The first messages (up to 64), for failure reports.
    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn push(&self, message: String) {
        self.count.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut kept) = self.messages.lock() {
            if kept.len() < KEPT {
                kept.push(message);
            }
        }
    }
}

/// Which messages count: warnings and errors of every type.
pub(crate) fn messenger_info(log: &MessageLog) -> vk::DebugUtilsMessengerCreateInfoEXT<'static> {
    vk::DebugUtilsMessengerCreateInfoEXT::default()
        .message_severity(
            vk::DebugUtilsMessageSeverityFlagsEXT::WARNING
                | vk::DebugUtilsMessageSeverityFlagsEXT::ERROR,
        )
        .message_type(
            vk::DebugUtilsMessageTypeFlagsEXT::GENERAL
                | vk::DebugUtilsMessageTypeFlagsEXT::VALIDATION
                | vk::DebugUtilsMessageTypeFlagsEXT::PERFORMANCE,
        )
        .pfn_user_callback(Some(on_message))
        .user_data((log as *const MessageLog).cast_mut().cast::<c_void>())
}

/// Called by the validation layers, on any thread.
unsafe extern "system" fn on_message(
    severity: vk::DebugUtilsMessageSeverityFlagsEXT,
    _types: vk::DebugUtilsMessageTypeFlagsEXT,
    data: *const vk::DebugUtilsMessengerCallbackDataEXT<'_>,
    user: *mut c_void,
) -> vk::Bool32 {
    // SAFETY: `user` is the `MessageLog` the context keeps boxed (at a stable address) for
    // as long as the instance and its messenger live; the layers pass `data` valid for the
    // duration of this call, and its `p_message` is a NUL-terminated string or null.
    let (log, text) = unsafe {
        let log = &*user.cast::<MessageLog>();
        let text = data
            .as_ref()
            .filter(|d| !d.p_message.is_null())
            .map(|d| CStr::from_ptr(d.p_message).to_string_lossy().into_owned())
            .unwrap_or_default();
        (log, text)
    };
    if severity.contains(vk::DebugUtilsMessageSeverityFlagsEXT::ERROR) {
        log::error!(target: "weft::vulkan", "{text}");
    } else {
        log::warn!(target: "weft::vulkan", "{text}");
    }
    log.push(format!("[{severity:?}] {text}"));
    vk::FALSE
}
