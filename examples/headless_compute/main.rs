//! Headless compute demo: a multi-pass compute pipeline (luminance + separable Gaussian
//! blur -> Sobel edges -> histogram -> prefix sum -> equalisation) on `assets/scene.png`,
//! run as one compiled weft graph with validation and synchronization validation on.
//! Writes `target/headless_compute.png`, checks it against a CPU implementation, and
//! prints the plan, each task's median GPU and CPU time, a summary with the critical path,
//! the timings and the number of validation messages. Profiling every run, it also writes
//! a Chrome trace (`target/headless_compute.trace.json`, for Perfetto or chrome://tracing),
//! the plan as DOT (`.plan.dot`; `cargo xtask demo` renders it to `.plan.svg` with
//! Graphviz), the batch timeline (`.timeline.svg`) and the transient-memory chart
//! (`.memory.svg`).
//!
//! `cargo xtask demo` (installs lavapipe when needed), or
//! `cargo run --release --example headless_compute [input.png] [output.png]`.

use std::sync::Arc;
use std::time::Duration;

use weft::runtime::{Context, ContextOptions};

mod pipeline;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = args.next().unwrap_or_else(|| "assets/scene.png".into());
    let output = args
        .next()
        .unwrap_or_else(|| "target/headless_compute.png".into());
    let (rgba, width, height) = pipeline::load_png(&input)?;
    let ctx = Arc::new(Context::new(&ContextOptions::validated())?);
    println!("device: {}", ctx.device_name());
    println!("input: {input} ({width}x{height})");

    let frames = 20;
    let out = pipeline::run(&ctx, &rgba, width, height, frames)?;
    print!("{}", out.plan);
    print!("{}", out.report.per_task);
    print!("{}", out.report.summary);

    let reference = pipeline::cpu_reference(&rgba, width, height);
    let (max_diff, off) = pipeline::compare(&out.gray, &reference);
    pipeline::save_png(&output, &out.gray, width, height)?;
    println!("output: {output}");
    for path in out.report.write(&output)? {
        println!("wrote {path}");
    }
    println!("trace events: {}", out.report.trace_events);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut sorted = out.executions.clone();
    sorted.sort();
    println!(
        "shader compile + pipelines + graph compile: {:.2} ms",
        ms(out.compile)
    );
    println!(
        "execute ({frames} runs, record + submit, 2 frames in flight): first {:.2} ms, median {:.2} ms, min {:.2} ms",
        ms(out.executions[0]),
        ms(sorted[sorted.len() / 2]),
        ms(sorted[0])
    );
    println!(
        "CPU check: max difference {max_diff} levels, {off} of {} pixels differ by more than 2",
        out.gray.len()
    );
    println!("{}", out.transients);
    println!("validation messages: {}", out.validation_messages);
    if out.validation_messages != 0 {
        return Err(format!("validation messages:\n{}", ctx.validation_log().join("\n")).into());
    }
    // Float rounding can move a few pixels across a histogram bin: allow 0.5 %.
    if off * 200 > out.gray.len() {
        return Err(format!("{off} pixels differ from the CPU result").into());
    }
    Ok(())
}
