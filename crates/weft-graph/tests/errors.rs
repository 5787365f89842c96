//! One test per misuse: each returns its typed error, naming the task and the resource.

use ash::vk;
use weft_graph::access::*;
use weft_graph::{Access, AccessKind, AccessUsage, BufferDesc, GraphError, ImageDesc, TaskGraph};

fn storage_buffer(g: &mut TaskGraph, name: &str, size: u64) -> weft_graph::TaskBuffer {
    g.external_buffer(
        name,
        BufferDesc {
            size,
            usage: vk::BufferUsageFlags::STORAGE_BUFFER,
        },
    )
    .unwrap()
}

fn color_image(g: &mut TaskGraph, name: &str) -> weft_graph::TaskImage {
    g.external_image(
        name,
        ImageDesc::new_2d(
            vk::Format::R8G8B8A8_UNORM,
            16,
            16,
            vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::COLOR_ATTACHMENT,
        )
        .with_mips(2)
        .with_layers(2),
    )
    .unwrap()
}

/// The message names the task and the resource.
fn names(e: &GraphError, task: &str, resource: &str) {
    let text = e.to_string();
    assert!(text.contains(task), "{text}");
    assert!(text.contains(resource), "{text}");
}

#[test]
fn buffer_view_out_of_bounds() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf", 64);
    let e = g
        .task("t")
        .attach(b.range(60, 8), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    names(&e, "`t`", "`buf`");
    // An offset past the end, and an overflowing range, are caught too.
    let e = g
        .task("t")
        .attach(b.range(80, u64::MAX), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    let e = g
        .task("t")
        .attach(b.range(8, u64::MAX - 4), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
}

#[test]
fn image_view_out_of_bounds() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "img");
    let e = g
        .task("t")
        .attach(img.mip(2), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    names(&e, "`t`", "`img`");
    let e = g
        .task("t")
        .attach(img.whole().layers(1..3), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
    let e = g
        .task("t")
        .attach(
            img.whole().aspect(vk::ImageAspectFlags::DEPTH),
            COMPUTE_READ,
        )
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ViewOutOfBounds { .. }), "{e}");
}

#[test]
fn zero_sized_view() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf", 64);
    let img = color_image(&mut g, "img");
    let e = g
        .task("t")
        .attach(b.range(0, 0), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::EmptyView { .. }), "{e}");
    names(&e, "`t`", "`buf`");
    let e = g
        .task("u")
        .attach(img.whole().mips(1..1), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::EmptyView { .. }), "{e}");
    names(&e, "`u`", "`img`");
}

#[test]
fn overlapping_attachments_where_one_writes() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf", 64);
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
    g.task("ok")
        .attach(b.range(0, 32), COMPUTE_READ)
        .attach(b.range(16, 32), COMPUTE_READ)
        .record()
        .unwrap();
    g.task("ok2")
        .attach(b.range(0, 32), COMPUTE_WRITE)
        .attach(b.range(32, 32), COMPUTE_WRITE)
        .record()
        .unwrap();
}

#[test]
fn overlapping_reads_in_different_layouts() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = g
        .external_image(
            "img",
            ImageDesc::new_2d(
                vk::Format::R8G8B8A8_UNORM,
                16,
                16,
                vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED,
            ),
        )
        .unwrap();
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
    let b = storage_buffer(&mut g, "buf", 64);
    let e = g.task("t").attach(b, COLOR_WRITE).record().unwrap_err();
    assert!(matches!(e, GraphError::AccessNotForResource { .. }), "{e}");
    names(&e, "`t`", "`buf`");
}

#[test]
fn index_buffer_access_on_an_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "img");
    let e = g.task("t").attach(img, INDEX_BUFFER).record().unwrap_err();
    assert!(matches!(e, GraphError::AccessNotForResource { .. }), "{e}");
    names(&e, "`t`", "`img`");
}

#[test]
fn access_whose_usage_the_resource_lacks() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf", 64);
    let e = g.task("t").attach(b, TRANSFER_DST).record().unwrap_err();
    assert!(matches!(e, GraphError::MissingUsage { .. }), "{e}");
    names(&e, "`t`", "`buf`");
    assert!(e.to_string().contains("TRANSFER_DST"));
    let img = color_image(&mut g, "img");
    let e = g
        .task("u")
        .attach(img, FRAGMENT_SAMPLED)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::MissingUsage { .. }), "{e}");
    assert!(e.to_string().contains("SAMPLED"));
}

#[test]
fn access_whose_parts_do_not_fit() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = g
        .external_buffer(
            "ubo",
            BufferDesc {
                size: 64,
                usage: vk::BufferUsageFlags::UNIFORM_BUFFER | vk::BufferUsageFlags::VERTEX_BUFFER,
            },
        )
        .unwrap();
    let written_uniform = Access::new(
        vk::PipelineStageFlags2::COMPUTE_SHADER,
        AccessKind::Write,
        AccessUsage::Uniform,
    );
    let e = g.task("t").attach(b, written_uniform).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`t`", "`ubo`");
    let vertex_in_compute = Access::new(
        vk::PipelineStageFlags2::COMPUTE_SHADER,
        AccessKind::Read,
        AccessUsage::Vertex,
    );
    let e = g
        .task("t")
        .attach(b, vertex_in_compute)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    let no_stage = Access::new(
        vk::PipelineStageFlags2::NONE,
        AccessKind::Read,
        AccessUsage::Uniform,
    );
    let e = g.task("t").attach(b, no_stage).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
}

#[test]
fn depth_access_on_a_color_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = g
        .external_image(
            "albedo",
            ImageDesc::new_2d(
                vk::Format::R8G8B8A8_UNORM,
                16,
                16,
                vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT,
            ),
        )
        .unwrap();
    let e = g.task("t").attach(img, DEPTH_WRITE).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`t`", "`albedo`");
    assert!(e.to_string().contains("color image"));
}

#[test]
fn blit_access_on_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = g
        .external_buffer(
            "staging",
            BufferDesc {
                size: 64,
                usage: vk::BufferUsageFlags::TRANSFER_SRC,
            },
        )
        .unwrap();
    let e = g.task("t").attach(b, BLIT_SRC).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`t`", "`staging`");
    assert!(e.to_string().contains("BLIT"), "{e}");
}

#[test]
fn input_attachment_on_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf", 64);
    let e = g
        .task("t")
        .attach(b, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::AccessNotForResource { .. }), "{e}");
    names(&e, "`t`", "`buf`");
}

#[test]
fn input_attachment_misuse() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::INPUT_ATTACHMENT;
    let img = g
        .external_image(
            "gbuffer",
            ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 16, 16, usage),
        )
        .unwrap();
    // Written: input attachments are read only.
    let written = Access::new(
        vk::PipelineStageFlags2::FRAGMENT_SHADER,
        AccessKind::Write,
        AccessUsage::InputAttachment,
    );
    let e = g.task("w").attach(img, written).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`w`", "`gbuffer`");
    // Outside the fragment shader.
    let in_compute = Access::new(
        vk::PipelineStageFlags2::COMPUTE_SHADER,
        AccessKind::Read,
        AccessUsage::InputAttachment,
    );
    let e = g.task("c").attach(img, in_compute).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`c`", "`gbuffer`");
    // Without the INPUT_ATTACHMENT usage.
    let plain = color_image(&mut g, "plain");
    let e = g
        .task("r")
        .attach(plain, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::MissingUsage { .. }), "{e}");
    names(&e, "`r`", "`plain`");
    assert!(e.to_string().contains("INPUT_ATTACHMENT"), "{e}");
}

#[test]
fn present_access_on_a_depth_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = g
        .external_image(
            "depth",
            ImageDesc::new_2d(
                vk::Format::D32_SFLOAT,
                16,
                16,
                vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT,
            ),
        )
        .unwrap();
    let e = g.task("t").attach(img, PRESENT).record().unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`t`", "`depth`");
    assert!(e.to_string().contains("depth/stencil image"));
}

#[test]
fn present_access_in_general_layout() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = color_image(&mut g, "swapchain");
    let e = g
        .task("t")
        .attach(img, PRESENT.in_general_layout())
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidAccess { .. }), "{e}");
    names(&e, "`t`", "`swapchain`");
    assert!(e.to_string().contains("PRESENT_SRC_KHR"), "{e}");
}

#[test]
fn handle_from_another_graph() {
    let mut other: TaskGraph = TaskGraph::new();
    let foreign = storage_buffer(&mut other, "foreign", 64);
    let mut g: TaskGraph = TaskGraph::new();
    let _mine = storage_buffer(&mut g, "mine", 64);
    let e = g
        .task("t")
        .attach(foreign, COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::ForeignResource { .. }), "{e}");
    names(&e, "`t`", "buffer #0");
}

#[test]
fn present_of_a_buffer() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_buffer(&mut g, "buf", 64);
    let e = g.present(b).unwrap_err();
    assert!(matches!(e, GraphError::PresentOfBuffer { .. }), "{e}");
    names(&e, "present", "`buf`");
}

#[test]
fn present_of_a_transient_image() {
    let mut g: TaskGraph = TaskGraph::new();
    let img = g
        .transient_image(
            "tmp",
            ImageDesc::new_2d(
                vk::Format::R8G8B8A8_UNORM,
                4,
                4,
                vk::ImageUsageFlags::STORAGE,
            ),
        )
        .unwrap();
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
    let e = g
        .task("late")
        .attach(img, COMPUTE_READ)
        .record()
        .unwrap_err();
    assert!(matches!(e, GraphError::UseAfterPresent { .. }), "{e}");
    names(&e, "`late`", "`swapchain`");
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
    let e = g
        .transient_buffer(
            "empty",
            BufferDesc {
                size: 0,
                usage: vk::BufferUsageFlags::STORAGE_BUFFER,
            },
        )
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidDescription { .. }), "{e}");
    assert!(e.to_string().contains("`empty`"));
    let e = g
        .transient_image(
            "too many mips",
            ImageDesc::new_2d(vk::Format::R8_UNORM, 16, 16, vk::ImageUsageFlags::STORAGE)
                .with_mips(6),
        )
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidDescription { .. }), "{e}");
    let e = g
        .transient_image(
            "flat",
            ImageDesc::new_2d(vk::Format::R8_UNORM, 0, 16, vk::ImageUsageFlags::STORAGE),
        )
        .unwrap_err();
    assert!(matches!(e, GraphError::InvalidDescription { .. }), "{e}");
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
    let b = storage_buffer(&mut g, "buf", 64);
    let _ = g
        .task("bad")
        .attach(b, COMPUTE_READ)
        .attach(b.range(0, 0), COMPUTE_READ)
        .record()
        .unwrap_err();
    assert_eq!(g.task_count(), 0);
    let ok = g.task("good").attach(b, COMPUTE_READ).record().unwrap();
    assert_eq!(ok.index(), 0);
    assert_eq!(g.task_attachments(0).len(), 1);
}
