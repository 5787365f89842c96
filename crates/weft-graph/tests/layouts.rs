//! Image layouts chosen per access: input attachments (layout by format) and accesses that
//! opt out of layout transitions (`Access::in_general_layout`).

mod common;

use ash::vk;
use common::{compile, record, record_all};
use weft_graph::access::*;
use weft_graph::{BufferDesc, ImageDesc, LayoutMode, Subresources, TaskGraph, TaskImage};

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

#[test]
fn color_input_attachment_reads_a_written_attachment_in_shader_read_only() {
    let mut g = TaskGraph::new();
    let albedo = image(&mut g, "albedo", vk::Format::R8G8B8A8_UNORM);
    record(&mut g, "gbuffer", albedo, COLOR_WRITE);
    record(&mut g, "lighting", albedo, FRAGMENT_INPUT_ATTACHMENT);
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
    record(&mut g, "prepass", depth, DEPTH_WRITE);
    // One task tests against the depth and reads it as an input attachment: both in
    // DEPTH_STENCIL_READ_ONLY_OPTIMAL, so the overlapping reads are allowed.
    record_all(
        &mut g,
        "decals",
        &[(depth, DEPTH_READ), (depth, FRAGMENT_INPUT_ATTACHMENT)],
    );
    record(&mut g, "fog", depth, FRAGMENT_INPUT_ATTACHMENT);
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
    record(&mut g, "gbuffer", albedo, COLOR_WRITE);
    record(&mut g, "lighting", albedo, FRAGMENT_INPUT_ATTACHMENT);
    record(&mut g, "blur", albedo, COMPUTE_SAMPLED);
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
    record(&mut g, "prepass", depth, DEPTH_WRITE);
    record(&mut g, "ssao", depth, FRAGMENT_SAMPLED);
    record(&mut g, "fog", depth, FRAGMENT_INPUT_ATTACHMENT);
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

#[test]
fn accesses_in_general_need_memory_barriers_only() {
    let mut g = TaskGraph::new();
    let albedo = image(&mut g, "albedo", vk::Format::R8G8B8A8_UNORM);
    record(&mut g, "draw", albedo, COLOR_READ_WRITE.in_general_layout());
    record(
        &mut g,
        "sample",
        albedo,
        FRAGMENT_SAMPLED.in_general_layout(),
    );
    record(&mut g, "post", albedo, COMPUTE_WRITE);
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 3);
    // The transient's first use starts it in GENERAL; nothing transitions after that.
    let first = plan.barriers_before(0).image;
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].old_layout, first[0].new_layout),
        (L::UNDEFINED, L::GENERAL)
    );
    for boundary in 1..=3 {
        assert!(
            plan.barriers_before(boundary).image.is_empty(),
            "{boundary}"
        );
    }
    // Color write -> sampled read: a memory barrier with the write made visible.
    let [m] = plan.barriers_before(1).memory else {
        panic!()
    };
    assert_eq!(
        m.src_stages,
        vk::PipelineStageFlags2::COLOR_ATTACHMENT_OUTPUT
    );
    assert_eq!(m.src_access, vk::AccessFlags2::COLOR_ATTACHMENT_WRITE);
    assert_eq!(m.dst_stages, vk::PipelineStageFlags2::FRAGMENT_SHADER);
    assert_eq!(m.dst_access, vk::AccessFlags2::SHADER_SAMPLED_READ);
    // Sampled read -> storage write: nothing made available; the color write (available
    // since the barrier above) made visible to the storage write too.
    let [m] = plan.barriers_before(2).memory else {
        panic!()
    };
    assert!(m.src_access.is_empty());
    assert_eq!(m.dst_access, vk::AccessFlags2::SHADER_STORAGE_WRITE);
}

#[test]
fn reads_in_general_share_a_group_whatever_their_usage() {
    let mut g = TaskGraph::new();
    let depth = image(&mut g, "depth", vk::Format::D32_SFLOAT);
    record(&mut g, "prepass", depth, DEPTH_WRITE.in_general_layout());
    // Depth test, sampling, storage read and input attachment, all in GENERAL: one group,
    // even with two of them in one task on the same subresources.
    record_all(
        &mut g,
        "decals",
        &[
            (depth, DEPTH_READ.in_general_layout()),
            (depth, FRAGMENT_SAMPLED.in_general_layout()),
        ],
    );
    record(&mut g, "ssao", depth, COMPUTE_READ);
    record(
        &mut g,
        "fog",
        depth,
        FRAGMENT_INPUT_ATTACHMENT.in_general_layout(),
    );
    let plan = compile(&g);
    assert_eq!(plan.batch_count(), 2);
    assert_eq!(plan.batch(1).len(), 3);
    let set = plan.barriers_before(1);
    assert!(set.image.is_empty());
    let [m] = set.memory else { panic!() };
    assert_eq!(
        m.src_access,
        vk::AccessFlags2::DEPTH_STENCIL_ATTACHMENT_WRITE
    );
    assert!(m.dst_stages.contains(
        vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS
            | vk::PipelineStageFlags2::FRAGMENT_SHADER
            | vk::PipelineStageFlags2::COMPUTE_SHADER
    ));
    // Without the opt-out the same reads need three layouts and three groups.
    let mut g = TaskGraph::new();
    let depth = image(&mut g, "depth", vk::Format::D32_SFLOAT);
    record(&mut g, "prepass", depth, DEPTH_WRITE);
    record(&mut g, "decals", depth, DEPTH_READ);
    record(&mut g, "sample", depth, FRAGMENT_SAMPLED);
    record(&mut g, "ssao", depth, COMPUTE_READ);
    assert_eq!(compile(&g).batch_count(), 4);
}

#[test]
fn general_and_optimal_accesses_transition_between_each_other() {
    let mut g = TaskGraph::new();
    let albedo = image(&mut g, "albedo", vk::Format::R8G8B8A8_UNORM);
    record(&mut g, "draw", albedo, COLOR_WRITE);
    record(
        &mut g,
        "sample",
        albedo,
        FRAGMENT_SAMPLED.in_general_layout(),
    );
    let plan = compile(&g);
    let [b] = plan.barriers_before(1).image else {
        panic!()
    };
    assert_eq!(
        (b.old_layout, b.new_layout),
        (L::COLOR_ATTACHMENT_OPTIMAL, L::GENERAL)
    );
}

#[test]
fn the_opt_out_is_reported_to_the_runtime_and_changes_nothing_on_buffers() {
    let sampled = FRAGMENT_SAMPLED.in_general_layout();
    assert_eq!(sampled.layout, LayoutMode::General);
    assert_eq!(FRAGMENT_SAMPLED.layout, LayoutMode::ByUsage);
    assert_eq!(sampled.image_layout(), L::GENERAL);
    // External images: the first and last uses name GENERAL.
    let mut g = TaskGraph::new();
    let usage = vk::ImageUsageFlags::SAMPLED | vk::ImageUsageFlags::TRANSFER_DST;
    let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 8, 8, usage);
    let img = g.external_image("history", desc).unwrap();
    record(&mut g, "upload", img, TRANSFER_DST.in_general_layout());
    record(&mut g, "sample", img, sampled);
    let plan = compile(&g);
    assert_eq!(plan.first_uses()[0].layout, L::GENERAL);
    assert_eq!(plan.last_uses()[0].layout, L::GENERAL);
    assert!(matches!(
        plan.first_uses()[0].subresources,
        Subresources::Image(_)
    ));
    // Buffers have no layout: the same plan with or without the opt-out.
    let barriers = |general: bool| {
        let mut g = TaskGraph::new();
        let usage = vk::BufferUsageFlags::TRANSFER_DST | vk::BufferUsageFlags::UNIFORM_BUFFER;
        let b = g
            .external_buffer("ubo", BufferDesc { size: 64, usage })
            .unwrap();
        let (w, r) = match general {
            true => (
                TRANSFER_DST.in_general_layout(),
                FRAGMENT_UNIFORM.in_general_layout(),
            ),
            false => (TRANSFER_DST, FRAGMENT_UNIFORM),
        };
        record(&mut g, "w", b, w);
        record(&mut g, "r", b, r);
        record(&mut g, "r2", b, COMPUTE_UNIFORM);
        let plan = compile(&g);
        (plan.batch_count(), plan.barriers_before(1).memory.to_vec())
    };
    assert_eq!(barriers(true), barriers(false));
    assert_eq!(barriers(true).0, 2);
}
