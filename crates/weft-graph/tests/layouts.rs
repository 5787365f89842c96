//! Image layouts chosen per access: input attachments (layout by format).

use ash::vk;
use weft_graph::access::*;
use weft_graph::{CompileOptions, ImageDesc, Plan, TaskGraph, TaskImage};

type L = vk::ImageLayout;

fn image(g: &mut TaskGraph, name: &str, format: vk::Format) -> TaskImage {
    let attachment = if format == vk::Format::R8G8B8A8_UNORM {
        vk::ImageUsageFlags::COLOR_ATTACHMENT
    } else {
        vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT
    };
    let usage = attachment
        | vk::ImageUsageFlags::INPUT_ATTACHMENT
        | vk::ImageUsageFlags::SAMPLED
        | vk::ImageUsageFlags::STORAGE;
    g.transient_image(name, ImageDesc::new_2d(format, 16, 16, usage))
        .unwrap()
}

fn compile(g: &TaskGraph) -> Plan {
    g.compile(&CompileOptions::default()).unwrap()
}

#[test]
fn color_input_attachment_reads_a_written_attachment_in_shader_read_only() {
    let mut g = TaskGraph::new();
    let albedo = image(&mut g, "albedo", vk::Format::R8G8B8A8_UNORM);
    g.task("gbuffer")
        .attach(albedo, COLOR_WRITE)
        .record()
        .unwrap();
    g.task("lighting")
        .attach(albedo, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap();
    let plan = compile(&g);
    let set = plan.barriers_before(1);
    assert!(set.memory.is_empty());
    let [b] = set.image else {
        panic!("{:?}", set.image)
    };
    assert_eq!(
        (b.old_layout, b.new_layout),
        (L::COLOR_ATTACHMENT_OPTIMAL, L::SHADER_READ_ONLY_OPTIMAL)
    );
    assert_eq!(
        b.src_stages,
        vk::PipelineStageFlags2::COLOR_ATTACHMENT_OUTPUT
    );
    assert_eq!(b.src_access, vk::AccessFlags2::COLOR_ATTACHMENT_WRITE);
    assert_eq!(b.dst_stages, vk::PipelineStageFlags2::FRAGMENT_SHADER);
    assert_eq!(b.dst_access, vk::AccessFlags2::INPUT_ATTACHMENT_READ);
}

#[test]
fn depth_input_attachment_is_read_only_depth_and_shares_it_with_depth_tests() {
    let mut g = TaskGraph::new();
    let depth = image(&mut g, "depth", vk::Format::D32_SFLOAT);
    g.task("prepass")
        .attach(depth, DEPTH_WRITE)
        .record()
        .unwrap();
    // One task tests against the depth and reads it as an input attachment: both in
    // DEPTH_STENCIL_READ_ONLY_OPTIMAL, so the overlapping reads are allowed.
    g.task("decals")
        .attach(depth, DEPTH_READ)
        .attach(depth, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap();
    g.task("fog")
        .attach(depth, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap();
    let plan = compile(&g);
    // The two readers share one group after the prepass.
    assert_eq!(plan.batch_count(), 2);
    let [b] = plan.barriers_before(1).image else {
        panic!()
    };
    assert_eq!(
        (b.old_layout, b.new_layout),
        (
            L::DEPTH_STENCIL_ATTACHMENT_OPTIMAL,
            L::DEPTH_STENCIL_READ_ONLY_OPTIMAL
        )
    );
    assert!(b
        .src_stages
        .contains(vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS));
    assert_eq!(
        b.dst_access,
        vk::AccessFlags2::DEPTH_STENCIL_ATTACHMENT_READ | vk::AccessFlags2::INPUT_ATTACHMENT_READ
    );
}

#[test]
fn color_input_attachment_and_sampling_share_a_group() {
    let mut g = TaskGraph::new();
    let albedo = image(&mut g, "albedo", vk::Format::R8G8B8A8_UNORM);
    g.task("gbuffer")
        .attach(albedo, COLOR_WRITE)
        .record()
        .unwrap();
    g.task("lighting")
        .attach(albedo, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap();
    g.task("blur")
        .attach(albedo, COMPUTE_SAMPLED)
        .record()
        .unwrap();
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    assert_eq!(plan.batch(1).len(), 2);
    // One transition serves both readers.
    assert_eq!(plan.barriers_before(1).image.len(), 1);
}

#[test]
fn a_depth_image_sampled_then_read_as_input_attachment_changes_layout() {
    // Sampling uses SHADER_READ_ONLY_OPTIMAL whatever the format; a depth input attachment
    // uses DEPTH_STENCIL_READ_ONLY_OPTIMAL: different read layouts, ordered by a transition.
    let mut g = TaskGraph::new();
    let depth = image(&mut g, "depth", vk::Format::D24_UNORM_S8_UINT);
    g.task("prepass")
        .attach(depth, DEPTH_WRITE)
        .record()
        .unwrap();
    g.task("ssao")
        .attach(depth, FRAGMENT_SAMPLED)
        .record()
        .unwrap();
    g.task("fog")
        .attach(depth, FRAGMENT_INPUT_ATTACHMENT)
        .record()
        .unwrap();
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 3);
    let [b] = plan.barriers_before(2).image else {
        panic!()
    };
    assert_eq!(
        (b.old_layout, b.new_layout),
        (
            L::SHADER_READ_ONLY_OPTIMAL,
            L::DEPTH_STENCIL_READ_ONLY_OPTIMAL
        )
    );
    assert_eq!(
        b.range.aspect,
        vk::ImageAspectFlags::DEPTH | vk::ImageAspectFlags::STENCIL
    );
    assert!(b.src_access.is_empty());
}
