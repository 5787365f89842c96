//! Helpers shared by the planner's integration tests (each test file that needs them
//! declares `mod common;`). Not every file uses every helper.
#![allow(dead_code)]

use ash::vk;
use weft_graph::{
    Access, CompileOptions, GraphError, ImageDesc, Plan, TaskGraph, TaskId, TaskImage, View,
};

/// Records the task `name` with one attachment, `view` with `access`.
pub fn record(g: &mut TaskGraph, name: &str, view: impl Into<View>, access: Access) -> TaskId {
    g.task(name).attach(view, access).record().unwrap()
}

/// Records the task `name` with `attachments` (views, and their accesses), in order.
pub fn record_all<V: Into<View> + Copy>(
    g: &mut TaskGraph,
    name: &str,
    attachments: &[(V, Access)],
) -> TaskId {
    let mut task = g.task(name);
    for &(view, access) in attachments {
        task = task.attach(view, access);
    }
    task.record().unwrap()
}

/// Records the task `name` with one attachment, `view` with `access`, which the graph must
/// refuse: the error.
pub fn record_err(
    g: &mut TaskGraph,
    name: &str,
    view: impl Into<View>,
    access: Access,
) -> GraphError {
    g.task(name).attach(view, access).record().unwrap_err()
}

/// Compiles `g` with the default options.
pub fn compile(g: &TaskGraph) -> Plan {
    g.compile(&CompileOptions::default()).unwrap()
}

/// An external 64 x 64 `B8G8R8A8_SRGB` color attachment named "swapchain".
pub fn swapchain(g: &mut TaskGraph) -> TaskImage {
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT;
    let desc = ImageDesc::new_2d(vk::Format::B8G8R8A8_SRGB, 64, 64, usage);
    g.external_image("swapchain", desc).unwrap()
}
