//! What a graph holds outlives the GPU's use of it: a graph (with its compute pipeline)
//! dropped while its submission may still run is destroyed only once that submission has
//! finished, which the validation layer checks (it reports objects destroyed while a
//! pending command buffer uses them).

mod support;

use support::{assert_no_messages, context, words};
use weft::prelude::*;

#[test]
fn a_graph_dropped_while_its_submission_runs_keeps_its_pipeline_until_done() {
    let ctx = context();
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER | vk::BufferUsageFlags::TRANSFER_DST;
    let real = support::host_buffer(&ctx, "values", 256 * 4, usage);
    let mut executor = Executor::new(&ctx).unwrap();
    for frame in 0..3u32 {
        // A new pipeline and graph every frame, dropped right after the submission.
        let pipeline = ComputePipeline::from_source(
            &ctx,
            "shaders/double.wgsl",
            include_str!("../shaders/double.wgsl"),
        )
        .unwrap();
        let mut g: Graph = Graph::new();
        let values = g.import_buffer("values", &real).unwrap();
        g.fill("fill", values, frame + 1).unwrap();
        g.compute("double", &pipeline)
            .bind("values", values)
            .dispatch([4, 1, 1])
            .record()
            .unwrap();
        executor.execute(&mut g, &mut ()).unwrap();
        drop(g);
        drop(pipeline);
    }
    executor.wait_idle().unwrap();
    assert_eq!(words(&real.mapped().unwrap()), vec![6; 256]);
    assert_no_messages(&ctx);
}
