//! Hello, compute: fill a buffer, double every value in a compute shader, read it back.
//! `cargo run --example hello_compute`

use std::sync::Arc;

use weft::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Validation and synchronization validation on: every message is counted.
    let ctx = Arc::new(Context::new(&ContextOptions::validated())?);
    let shader = concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/double.wgsl");
    let pipeline = ComputePipeline::from_file(&ctx, shader)?;

    // A real buffer the host can read, declared in the graph from itself.
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER | vk::BufferUsageFlags::TRANSFER_DST;
    let info = BufferInfo {
        name: "values",
        size: 8 * 4,
        usage,
        location: MemoryLocation::GpuToCpu,
    };
    let real = Arc::new(Buffer::new(&ctx, &info)?);
    let mut graph = Graph::new();
    let values = graph.import_buffer("values", &real)?;

    // Fill it with 21, then double it: the graph puts the barrier between the two.
    graph.fill("fill", values, 21)?;
    graph
        .compute("double", &pipeline)
        .bind("values", values)
        .dispatch([1, 1, 1])
        .record()?;

    let mut executor = Executor::new(&ctx)?;
    executor.execute(&mut graph, &mut ())?;

    // `mapped` waits for the GPU to finish with the buffer.
    let bytes = real.mapped()?;
    let words: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|w| u32::from_ne_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    println!("values: {words:?}");
    println!("validation messages: {}", ctx.validation_messages());
    Ok(())
}
