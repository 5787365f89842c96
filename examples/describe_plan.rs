//! Records a small post-processing graph, compiles it and prints the plan.
//! `cargo run --example describe_plan` (add `dot` to print Graphviz instead).

use weft::prelude::*;

fn main() -> Result<(), weft::GraphError> {
    let mut graph: TaskGraph = TaskGraph::new();
    let storage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let hdr = graph.transient_image(
        "hdr",
        ImageDesc::new_2d(vk::Format::R16G16B16A16_SFLOAT, 1280, 720, storage).with_mips(4),
    )?;
    let swapchain = graph.external_image(
        "swapchain",
        ImageDesc::new_2d(
            vk::Format::B8G8R8A8_UNORM,
            1280,
            720,
            vk::ImageUsageFlags::STORAGE,
        ),
    )?;

    graph
        .task("shade")
        .attach(hdr.mip(0), access::COMPUTE_WRITE)
        .record()?;
    for mip in 1..4 {
        graph
            .task(&format!("downsample {mip}"))
            .attach(hdr.mip(mip - 1), access::COMPUTE_SAMPLED)
            .attach(hdr.mip(mip), access::COMPUTE_WRITE)
            .record()?;
    }
    graph
        .task("tonemap")
        .attach(hdr, access::COMPUTE_SAMPLED)
        .attach(swapchain, access::COMPUTE_WRITE)
        .record()?;
    graph.present(swapchain)?;

    let plan = graph.compile(&CompileOptions::default())?;
    if std::env::args().any(|a| a == "dot") {
        print!("{}", plan.to_dot(&graph)?);
    } else {
        print!("{}", plan.describe(&graph)?);
    }
    Ok(())
}
