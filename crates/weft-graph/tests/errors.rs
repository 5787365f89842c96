//! One test per misuse: each returns its typed error, naming the task and the resource.

mod common;

use ash::vk;
use common::{record, record_all, record_err};
use weft_graph::access::*;
use weft_graph::{
    Access, AccessKind, AccessUsage, BufferDesc, GraphError, ImageDesc, TaskBuffer, TaskGraph,
    TaskImage, View,
};

type Stage = vk::PipelineStageFlags2;

/// An external 64-byte buffer with `usage`.
fn buffer(g: &mut TaskGraph, name: &str, usage: vk::BufferUsageFlags) -> TaskBuffer {
    g.external_buffer(name, BufferDesc { size: 64, usage })
        .unwrap()
}

/// An external 64-byte storage buffer.
fn storage_buffer(g: &mut TaskGraph, name: &str) -> TaskBuffer {
    buffer(g, name, vk::BufferUsageFlags::STORAGE_BUFFER)
}

/// An external 16 x 16 image of `format` with `usage`.
fn image(
    g: &mut TaskGraph,
    name: &str,
    format: vk::Format,
    usage: vk::ImageUsageFlags,
) -> TaskImage {
    g.external_image(name, ImageDesc::new_2d(format, 16, 16, usage))
        .unwrap()
}

/// An external 16 x 16 color image with 2 mips and 2 layers, for storage and attachments.
fn color_image(g: &mut TaskGraph, name: &str) -> TaskImage {
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::COLOR_ATTACHMENT;
    let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 16, 16, usage);
    g.external_image(name, desc.with_mips(2).with_layers(2))
        .unwrap()
}

/// The message names the task and the resource.
fn names(e: &GraphError, task: &str, resource: &str) {
    let text = e.to_string();
    assert!(text.contains(task), "{text}");
    assert!(text.contains(resource), "{text}");
}

/// Records the task `task` with `view` and `access`, which must be refused with an error
/// naming the task and `resource`: the error.
fn refused(
    g: &mut TaskGraph,
    task: &str,
    view: impl Into<View>,
    access: Access,
    resource: &str,
) -> GraphError {
    let e = record_err(g, task, view, access);
    names(&e, &format!("`{task}`"), resource);
    e
}

#[test]
fn buffer_view_out_of_bounds() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let e = refused(&mut g, "t", b.range(60, 8), COMPUTE_READ, "`buf`");
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    // An offset past the end, and an overflowing range, are caught too.
    for view in [b.range(80, u64::MAX), b.range(8, u64::MAX - 4)] {
        let e = record_err(&mut g, "t", view, COMPUTE_READ);
        assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    }
}

#[test]
fn image_view_out_of_bounds() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "img");
    let e = refused(&mut g, "t", img.mip(2), COMPUTE_READ, "`img`");
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    let past_the_layers = img.whole().layers(1..3);
    let depth_of_a_color_image = img.whole().aspect(vk::ImageAspectFlags::DEPTH);
    for view in [past_the_layers, depth_of_a_color_image] {
        let e = record_err(&mut g, "t", view, COMPUTE_READ);
        assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    }
}

#[test]
fn zero_sized_view() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let img = color_image(&mut g, "img");
    let e = refused(&mut g, "t", b.range(0, 0), COMPUTE_READ, "`buf`");
    assert!(matches!(e, GraphError::EmptyView { .. }), "{e}");
    let e = refused(&mut g, "u", img.whole().mips(1..1), COMPUTE_READ, "`img`");
    assert!(matches!(e, GraphError::EmptyView { .. }), "{e}");
}

#[test]
fn overlapping_attachments_where_one_writes() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let e = g
        .task("t")
        .attach(b.range(0, 32), COMPUTE_READ)
        .attach(b.range(16, 32), COMPUTE_WRITE)
        .record()
        .unwrap_err();
    assert!(
        matches!(
            e,
            GraphError::OverlappingAttachments {
                first: 0,
                second: 1,
                ..
            }
        ),
        "{e}"
    );
    names(&e, "`t`", "`buf`");
    // Overlapping reads are fine; disjoint writes are fine.
    record_all(
        &mut g,
        "ok",
        &[
            (b.range(0, 32), COMPUTE_READ),
            (b.range(16, 32), COMPUTE_READ),
        ],
    );
    record_all(
        &mut g,
        "ok2",
        &[
            (b.range(0, 32), COMPUTE_WRITE),
            (b.range(32, 32), COMPUTE_WRITE),
        ],
    );
}

#[test]
fn overlapping_reads_in_different_layouts() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let img = image(&mut g, "img", vk::Format::R8G8B8A8_UNORM, usage);
    let e = g
        .task("t")
        .attach(img, COMPUTE_READ)
        .attach(img, COMPUTE_SAMPLED)
        .record()
        .unwrap_err();
    assert!(
        matches!(e, GraphError::OverlappingAttachments { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("layouts"));
}

#[test]
fn color_attachment_on_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let e = refused(&mut g, "t", b, COLOR_WRITE, "`buf`");
    assert!(matches!(e, GraphError::AccessNotForResource { .. }), "{e}");
}

#[test]
fn index_buffer_access_on_an_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "img");
    let e = refused(&mut g, "t", img, INDEX_BUFFER, "`img`");
    assert!(matches!(e, GraphError::AccessNotForResource { .. }), "{e}");
}

#[test]
fn access_whose_usage_the_resource_lacks() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let e = refused(&mut g, "t", b, TRANSFER_DST, "`buf`");
    assert!(matches!(e, GraphError::MissingUsage { .. }), "{e}");
    assert!(e.to_string().contains("TRANSFER_DST"));
    let img = color_image(&mut g, "img");
    let e = record_err(&mut g, "u", img, FRAGMENT_SAMPLED);
    assert!(matches!(e, GraphError::MissingUsage { .. }), "{e}");
    assert!(e.to_string().contains("SAMPLED"));
}

#[test]
fn access_whose_parts_do_not_fit() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::BufferUsageFlags::UNIFORM_BUFFER | vk::BufferUsageFlags::VERTEX_BUFFER;
    let b = buffer(&mut g, "ubo", usage);
    let written_uniform = Access::new(
        Stage::COMPUTE_SHADER,
        AccessKind::Write,
        AccessUsage::Uniform,
    );
    let e = refused(&mut g, "t", b, written_uniform, "`ubo`");
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    let vertex_in_compute =
        Access::new(Stage::COMPUTE_SHADER, AccessKind::Read, AccessUsage::Vertex);
    let no_stage = Access::new(Stage::NONE, AccessKind::Read, AccessUsage::Uniform);
    for access in [vertex_in_compute, no_stage] {
        let e = record_err(&mut g, "t", b, access);
        assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    }
}

#[test]
fn depth_access_on_a_color_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT;
    let img = image(&mut g, "albedo", vk::Format::R8G8B8A8_UNORM, usage);
    let e = refused(&mut g, "t", img, DEPTH_WRITE, "`albedo`");
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    assert!(e.to_string().contains("color image"));
}

#[test]
fn blit_access_on_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = buffer(&mut g, "staging", vk::BufferUsageFlags::TRANSFER_SRC);
    let e = refused(&mut g, "t", b, BLIT_SRC, "`staging`");
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    assert!(e.to_string().contains("BLIT"), "{e}");
}

#[test]
fn input_attachment_on_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let e = refused(&mut g, "t", b, FRAGMENT_INPUT_ATTACHMENT, "`buf`");
    assert!(matches!(e, GraphError::AccessNotForResource { .. }), "{e}");
}

#[test]
fn input_attachment_misuse() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::INPUT_ATTACHMENT;
    let img = image(&mut g, "gbuffer", vk::Format::R8G8B8A8_UNORM, usage);
    // Written (input attachments are read only), and outside the fragment shader.
    let usage = AccessUsage::InputAttachment;
    let written = Access::new(Stage::FRAGMENT_SHADER, AccessKind::Write, usage);
    let in_compute = Access::new(Stage::COMPUTE_SHADER, AccessKind::Read, usage);
    for (task, access) in [("w", written), ("c", in_compute)] {
        let e = refused(&mut g, task, img, access, "`gbuffer`");
        assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    }
    // Without the INPUT_ATTACHMENT usage.
    let plain = color_image(&mut g, "plain");
    let e = refused(&mut g, "r", plain, FRAGMENT_INPUT_ATTACHMENT, "`plain`");
    assert!(matches!(e, GraphError::MissingUsage { .. }), "{e}");
    assert!(e.to_string().contains("INPUT_ATTACHMENT"), "{e}");
}

#[test]
fn present_access_on_a_depth_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT;
    let img = image(&mut g, "depth", vk::Format::D32_SFLOAT, usage);
    let e = refused(&mut g, "t", img, PRESENT, "`depth`");
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    assert!(e.to_string().contains("depth/stencil image"));
}

#[test]
fn present_access_in_general_layout() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "swapchain");
    let e = refused(&mut g, "t", img, PRESENT.in_general_layout(), "`swapchain`");
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    assert!(e.to_string().contains("PRESENT_SRC_KHR"), "{e}");
}

#[test]
fn handle_from_another_graph() {
    let mut other: TaskGraph = TaskGraph::new();
    let foreign = storage_buffer(&mut other, "foreign");
    let mut g: TaskGraph = TaskGraph::new();
    let _mine = storage_buffer(&mut g, "mine");
    let e = refused(&mut g, "t", foreign, COMPUTE_READ, "buffer #0");
    assert!(matches!(e, GraphError::ForeignResource { .. }), "{e}");
}

#[test]
fn present_of_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let e = g.present(b).unwrap_err();
    assert!(matches!(e, GraphError::PresentOfBuffer { .. }), "{e}");
    names(&e, "present", "`buf`");
}

#[test]
fn present_of_a_transient_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::STORAGE;
    let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 4, 4, usage);
    let img = g.transient_image("tmp", desc).unwrap();
    let e = g.present(img).unwrap_err();
    assert!(matches!(e, GraphError::PresentOfTransient { .. }), "{e}");
    names(&e, "present", "`tmp`");
}

#[test]
fn present_twice_and_use_after_present() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "swapchain");
    g.present(img).unwrap();
    let e = g.present(img).unwrap_err();
    assert!(matches!(e, GraphError::AlreadyPresented { .. }), "{e}");
    let e = refused(&mut g, "late", img, COMPUTE_READ, "`swapchain`");
    assert!(matches!(e, GraphError::UseAfterPresent { .. }), "{e}");
}

#[test]
fn after_on_a_task_of_another_graph() {
    let mut other: TaskGraph = TaskGraph::new();
    let foreign = other.task("foreign").record().unwrap();
    let mut g: TaskGraph = TaskGraph::new();
    let e = g.task("t").after(foreign).record().unwrap_err();
    assert!(matches!(e, GraphError::ForeignTask { .. }), "{e}");
    names(&e, "`t`", "another graph");
    let mine = g.task("mine").record().unwrap();
    let e = g.after(mine, foreign).unwrap_err();
    assert!(matches!(e, GraphError::ForeignTask { .. }), "{e}");
    names(&e, "`mine`", "another graph");
}

#[test]
fn after_on_itself() {
    let mut g: TaskGraph = TaskGraph::new();
    let t = g.task("t").record().unwrap();
    let e = g.after(t, t).unwrap_err();
    assert!(matches!(e, GraphError::AfterSelf { .. }), "{e}");
    names(&e, "`t`", "itself");
}

#[test]
fn after_on_a_later_task() {
    let mut g: TaskGraph = TaskGraph::new();
    let early = g.task("early").record().unwrap();
    let late = g.task("late").record().unwrap();
    let e = g.after(early, late).unwrap_err();
    assert!(matches!(e, GraphError::AfterLaterTask { .. }), "{e}");
    names(&e, "`early`", "`late`");
}

#[test]
fn invalid_descriptions() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
    let e = g
        .transient_buffer("empty", BufferDesc { size: 0, usage })
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidDescription { .. }), "{e}");
    assert!(e.to_string().contains("`empty`"));
    let usage = vk::ImageUsageFlags::STORAGE;
    let too_many_mips = ImageDesc::new_2d(vk::Format::R8_UNORM, 16, 16, usage).with_mips(6);
    let flat = ImageDesc::new_2d(vk::Format::R8_UNORM, 0, 16, usage);
    for (name, desc) in [("too many mips", too_many_mips), ("flat", flat)] {
        let e = g.transient_image(name, desc).unwrap_err();
        assert!(matches!(e, GraphError::InvalidDescription { .. }), "{e}");
    }
}

#[test]
fn plan_of_another_graph() {
    let g: TaskGraph = TaskGraph::new();
    let plan = g.compile(&Default::default()).unwrap();
    let other: TaskGraph = TaskGraph::new();
    assert_eq!(plan.to_dot(&other).unwrap_err(), GraphError::ForeignPlan);
}

#[test]
fn a_failed_record_leaves_the_graph_unchanged() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf");
    let _ = g
        .task("bad")
        .attach(b, COMPUTE_READ)
        .attach(b.range(0, 0), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert_eq!(g.task_count(), 0);
    let ok = record(&mut g, "good", b, COMPUTE_READ);
    assert_eq!(ok.index(), 0);
    assert_eq!(g.task_attachments(0).len(), 1);
}
