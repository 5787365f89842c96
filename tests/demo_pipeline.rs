//! The headless compute demo's pipeline (blur -> Sobel -> histogram -> prefix sum ->
//! equalisation) on `assets/scene.png`, checked against its CPU implementation, with
//! validation and synchronization validation on and zero messages.

#[allow(dead_code)]
#[path = "../examples/headless_compute/pipeline.rs"]
mod pipeline;

use std::sync::Arc;

use weft::runtime::{Context, ContextOptions};

#[test]
fn the_demo_pipeline_matches_the_cpu() {
    let ctx = match Context::new(&ContextOptions::validated()) {
        Ok(ctx) => Arc::new(ctx),
        Err(e) => panic!("no usable Vulkan device: {e}"),
    };
    let (rgba, width, height) = pipeline::load_png("assets/scene.png").unwrap();
    let out = pipeline::run(&ctx, &rgba, width, height, 3).unwrap();
    let reference = pipeline::cpu_reference(&rgba, width, height);
    let (max_diff, off) = pipeline::compare(&out.gray, &reference);
    assert!(
        off * 200 <= out.gray.len(),
        "{off} pixels differ (max {max_diff})"
    );
    assert_eq!(out.validation_messages, 0, "{:?}", ctx.validation_log());
    // Blur, edges, histogram, prefix sum, equalise, plus upload and read back.
    assert!(out.plan.contains("batch 7:"), "{}", out.plan);
}
