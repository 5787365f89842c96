//! Unit tests of accesses: derived flags and layouts, checks, the named constants.

use super::*;

#[test]
fn derived_flags_and_layouts() {
    assert_eq!(
        COMPUTE_READ_WRITE.access_flags(),
        vk::AccessFlags2::SHADER_STORAGE_READ | vk::AccessFlags2::SHADER_STORAGE_WRITE
    );
    assert_eq!(
        COMPUTE_WRITE.access_flags(),
        vk::AccessFlags2::SHADER_STORAGE_WRITE
    );
    assert_eq!(
        FRAGMENT_SAMPLED.image_layout(),
        vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL
    );
    assert_eq!(
        DEPTH_READ.image_layout(),
        vk::ImageLayout::DEPTH_STENCIL_READ_ONLY_OPTIMAL
    );
    assert_eq!(PRESENT.access_flags(), vk::AccessFlags2::NONE);
    assert_eq!(
        FRAGMENT_INPUT_ATTACHMENT.image_layout_for(vk::ImageAspectFlags::COLOR),
        vk::ImageLayout::SHADER_READ_ONLY_OPTIMAL
    );
    assert_eq!(
        FRAGMENT_INPUT_ATTACHMENT.image_layout_for(vk::ImageAspectFlags::DEPTH),
        vk::ImageLayout::DEPTH_STENCIL_READ_ONLY_OPTIMAL
    );
    assert_eq!(
        FRAGMENT_INPUT_ATTACHMENT.check(ResourceKind::Buffer),
        Err(AccessProblem::UsageForResource)
    );
    assert_eq!(
        INDEX_BUFFER.required_buffer_usage(),
        vk::BufferUsageFlags::INDEX_BUFFER
    );
}

#[test]
fn every_constant_is_consistent() {
    assert!(NAMED.len() >= 28);
    for (name, a) in NAMED {
        let on_buffer = a.check(ResourceKind::Buffer);
        let on_image = a.check(ResourceKind::Image);
        assert!(on_buffer.is_ok() || on_image.is_ok(), "{name}: {a:?}");
    }
}

#[test]
fn general_layout_keeps_everything_but_the_layout() {
    for (name, a) in NAMED {
        let g = a.in_general_layout();
        assert_eq!(
            (g.stages, g.kind, g.usage, g.access_flags()),
            (a.stages, a.kind, a.usage, a.access_flags()),
            "{name}"
        );
        assert_eq!(g.required_image_usage(), a.required_image_usage(), "{name}");
        let expected = match a.image_layout() {
            vk::ImageLayout::UNDEFINED => vk::ImageLayout::UNDEFINED,
            _ => vk::ImageLayout::GENERAL,
        };
        assert_eq!(g.image_layout(), expected, "{name}");
        assert_eq!(g.derive(None).layout, vk::ImageLayout::UNDEFINED, "{name}");
    }
    assert_eq!(
        PRESENT.in_general_layout().check(ResourceKind::Image),
        Err(AccessProblem::PresentInGeneral)
    );
}

#[test]
fn depth_constants_cover_both_fragment_test_stages() {
    let tests = vk::PipelineStageFlags2::EARLY_FRAGMENT_TESTS
        | vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS;
    for (name, a) in NAMED {
        if a.usage == AccessUsage::DepthStencilAttachment {
            assert_eq!(a.stages, tests, "{name}");
        }
    }
    assert_eq!(DEPTH_WRITE.stages, tests);
    assert_eq!(DEPTH_READ.stages, tests);
}

#[test]
fn mismatched_parts_are_rejected() {
    let bad_stage = Access::new(
        vk::PipelineStageFlags2::COMPUTE_SHADER,
        AccessKind::Read,
        AccessUsage::Vertex,
    );
    assert!(matches!(
        bad_stage.check(ResourceKind::Buffer),
        Err(AccessProblem::StagesForUsage(_))
    ));
    let bad_kind = Access::new(
        vk::PipelineStageFlags2::COMPUTE_SHADER,
        AccessKind::Write,
        AccessUsage::Uniform,
    );
    assert_eq!(
        bad_kind.check(ResourceKind::Buffer),
        Err(AccessProblem::KindForUsage)
    );
    assert_eq!(
        COLOR_WRITE.check(ResourceKind::Buffer),
        Err(AccessProblem::UsageForResource)
    );
    // Clears only write; blits and resolves take images only.
    let cleared_source = Access::new(
        vk::PipelineStageFlags2::CLEAR,
        AccessKind::Read,
        AccessUsage::TransferSrc,
    );
    assert!(matches!(
        cleared_source.check(ResourceKind::Image),
        Err(AccessProblem::StagesForUsage(_))
    ));
    assert!(CLEAR_DST.check(ResourceKind::Buffer).is_ok());
    assert!(BLIT_SRC.check(ResourceKind::Image).is_ok());
    assert_eq!(
        BLIT_DST.check(ResourceKind::Buffer),
        Err(AccessProblem::StagesForUsage(vk::PipelineStageFlags2::BLIT))
    );
}
