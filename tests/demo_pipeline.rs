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
    check_report(&out.report);
}

/// The profile report of 3 runs: every task timed in the table and in the trace, the
/// summary's critical path, pictures that parse, and the DOT graph rendered by Graphviz.
fn check_report(report: &pipeline::report::Report) {
    let tasks = [
        "upload",
        "clear bins",
        "blur horizontally",
        "blur vertically",
        "sobel",
        "histogram",
        "prefix sum",
        "equalise",
        "read back",
    ];
    for task in tasks {
        let line = report
            .per_task
            .lines()
            .find(|l| l.contains(&format!(" {task} ")))
            .unwrap_or_else(|| panic!("{task} in\n{}", report.per_task));
        assert!(line.contains(" us  CPU "), "{line}");
    }
    assert!(
        report.summary.contains("median of 3 frames"),
        "{}",
        report.summary
    );
    assert!(
        report.summary.contains("critical path:\n  `upload`"),
        "{}",
        report.summary
    );
    let trace: serde_json::Value = serde_json::from_str(&report.trace).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    assert_eq!(events.len(), report.trace_events);
    for task in tasks {
        let slices = events
            .iter()
            .filter(|e| e["name"] == task && e["pid"] == 1)
            .count();
        assert_eq!(slices, 3, "{task}: one GPU slice per run");
    }
    for svg in [&report.timeline_svg, &report.memory_svg] {
        roxmltree::Document::parse(svg).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("weft-demo-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let written = report
        .write(dir.join("demo.png").to_str().unwrap())
        .unwrap();
    assert_eq!(written.len(), 4);
    let svg = dir.join("demo.plan.svg");
    let status = std::process::Command::new("dot")
        .arg("-Tsvg")
        .arg(dir.join("demo.plan.dot"))
        .arg("-o")
        .arg(&svg)
        .status()
        .unwrap_or_else(|e| {
            panic!("Graphviz's `dot` is needed ({e}): `cargo xtask test` installs it (package graphviz)")
        });
    assert!(status.success());
    let text = std::fs::read_to_string(&svg).unwrap();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(&text, options).unwrap();
    assert!(text.contains("blur horizontally"));
    std::fs::remove_dir_all(&dir).unwrap();
}
