//! A Chrome trace (the JSON "trace event" format that Perfetto and `chrome://tracing` load)
//! of measured frames: a GPU process with a queue track (frames, batches inside them, tasks
//! and barrier calls inside those) on the device clock, and a CPU process with a recording
//! track (frames, and each task's and barrier call's recording time) on the host clock. The
//! two clocks are not related: each starts at 0 with its first frame.

use std::fmt::Write;

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::Plan;

use super::summary::task_scope;
use super::timings::{FrameTimings, GpuTime, TimedKind};

/// The process ids of the two clocks.
const GPU: u32 = 1;
const CPU: u32 = 2;

/// One complete ("X") event before it is written.
struct Slice {
    pid: u32,
    name: String,
    cat: &'static str,
    /// Nanoseconds from the clock's first frame.
    start: u64,
    dur: u64,
    /// Nesting depth (frame 0, batch 1, item 2), which orders slices that start together.
    depth: u8,
    /// The `args` object's members, already JSON.
    args: String,
}

impl Plan {
    /// The Chrome trace JSON of `frames` (measured executions of this plan, see the module
    /// doc). Task slices are named by their task, with args `frame`, `batch`, `scope` and
    /// `attachments` (resource, access kind and stages); barrier calls carry their barrier
    /// counts. Slices of each track are written in start order. An error when `graph` is
    /// not this plan's or a frame ran another plan.
    pub fn chrome_trace<C>(
        &self,
        graph: &TaskGraph<C>,
        frames: &[FrameTimings],
    ) -> Result<String, GraphError> {
        self.check_graph(graph)?;
        if let Some(other) = frames.iter().find(|f| f.plan_serial != self.serial()) {
            return Err(GraphError::CostsOfAnotherPlan {
                measured: other.plan_serial,
                plan: self.serial(),
            });
        }
        let gpu_measured = frames.iter().any(FrameTimings::gpu_measured);
        let gpu_base = frames
            .iter()
            .flat_map(|f| &f.gpu)
            .filter_map(|g| match g {
                GpuTime::Span { start_ns, .. } => Some(*start_ns),
                GpuTime::NotSupported => None,
            })
            .min()
            .unwrap_or(0);
        let cpu_base = frames.iter().map(|f| f.cpu_start).min().unwrap_or_default();
        let mut slices = Vec::new();
        for frame in frames {
            let frame_name = format!("frame {}", frame.submission);
            let frame_args = format!("\"submission\":{}", frame.submission);
            if let Some(GpuTime::Span { start_ns, end_ns }) = frame.gpu {
                slices.push(Slice {
                    pid: GPU,
                    name: frame_name.clone(),
                    cat: "frame",
                    start: start_ns.saturating_sub(gpu_base),
                    dur: end_ns.saturating_sub(start_ns),
                    depth: 0,
                    args: frame_args.clone(),
                });
                self.batch_slices(frame, gpu_base, &mut slices);
            }
            let cpu_start = frame.cpu_start.saturating_sub(cpu_base).as_nanos() as u64;
            slices.push(Slice {
                pid: CPU,
                name: frame_name,
                cat: "frame",
                start: cpu_start,
                dur: frame.cpu.as_nanos() as u64,
                depth: 0,
                args: frame_args,
            });
            for item in &frame.items {
                let (name, cat, args) = item_text(graph, frame, item.kind, item.batch);
                if let GpuTime::Span { start_ns, end_ns } = item.gpu {
                    slices.push(Slice {
                        pid: GPU,
                        name: name.clone(),
                        cat,
                        start: start_ns.saturating_sub(gpu_base),
                        dur: end_ns.saturating_sub(start_ns),
                        depth: 2,
                        args: args.clone(),
                    });
                }
                slices.push(Slice {
                    pid: CPU,
                    name,
                    cat,
                    start: (item.cpu_start.saturating_sub(cpu_base)).as_nanos() as u64,
                    dur: item.cpu.as_nanos() as u64,
                    depth: 2,
                    args,
                });
            }
        }
        slices.sort_by(|a, b| {
            (a.pid, a.start, a.depth, std::cmp::Reverse(a.dur)).cmp(&(
                b.pid,
                b.start,
                b.depth,
                std::cmp::Reverse(b.dur),
            ))
        });
        let gpu_name = if gpu_measured || frames.is_empty() {
            "GPU (device clock)"
        } else {
            "GPU (timestamps not supported)"
        };
        let mut out = String::from("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
        for (pid, process, thread) in [
            (GPU, gpu_name, "queue"),
            (CPU, "CPU (host clock)", "record"),
        ] {
            // Writing to a String cannot fail; the results are ignored for that reason.
            let _ = writeln!(
                out,
                "{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":1,\"args\":{{\"name\":{}}}}},",
                json_string(process)
            );
            let _ = writeln!(
                out,
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":1,\"args\":{{\"name\":{}}}}},",
                json_string(thread)
            );
        }
        for (i, s) in slices.iter().enumerate() {
            let _ = write!(
                out,
                "{{\"name\":{},\"cat\":\"{}\",\"ph\":\"X\",\"pid\":{},\"tid\":1,\"ts\":{},\"dur\":{},\"args\":{{{}}}}}",
                json_string(&s.name),
                s.cat,
                s.pid,
                micros(s.start),
                micros(s.dur),
                s.args
            );
            out.push_str(if i + 1 < slices.len() { ",\n" } else { "\n" });
        }
        // The metadata lines end in commas: close the list with them when no slice follows.
        if slices.is_empty() {
            out.truncate(out.trim_end().trim_end_matches(',').len());
            out.push('\n');
        }
        out.push_str("]}\n");
        Ok(out)
    }

    /// One GPU slice per batch of `frame`: from its barrier call's (or first task's) start
    /// to its last task's end.
    fn batch_slices(&self, frame: &FrameTimings, base: u64, slices: &mut Vec<Slice>) {
        let mut spans: Vec<(u32, u64, u64)> = Vec::new();
        for item in &frame.items {
            let GpuTime::Span { start_ns, end_ns } = item.gpu else {
                continue;
            };
            match spans.last_mut() {
                Some((batch, _, end)) if *batch == item.batch => *end = end_ns,
                _ => spans.push((item.batch, start_ns, end_ns)),
            }
        }
        for (batch, start, end) in spans {
            let kind = if batch as usize == self.batch_count() {
                "after the last batch".to_owned()
            } else {
                format!("batch {batch}")
            };
            slices.push(Slice {
                pid: GPU,
                name: kind,
                cat: "batch",
                start: start.saturating_sub(base),
                dur: end.saturating_sub(start),
                depth: 1,
                args: format!("\"frame\":{},\"batch\":{batch}", frame.submission),
            });
        }
    }
}

/// The name, category and args of an item.
fn item_text<C>(
    graph: &TaskGraph<C>,
    frame: &FrameTimings,
    kind: TimedKind,
    batch: u32,
) -> (String, &'static str, String) {
    match kind {
        TimedKind::Task(task) => {
            let name = graph.task_name(task).unwrap_or("?");
            let attachments: Vec<String> = graph
                .task_attachments(task)
                .iter()
                .map(|a| {
                    let resource = graph
                        .resources()
                        .get(a.resource() as usize)
                        .map_or("?", |r| r.name.as_str());
                    json_string(&format!(
                        "{resource}: {:?} {:?}",
                        a.access.kind, a.access.stages
                    ))
                })
                .collect();
            let args = format!(
                "\"frame\":{},\"task\":{task},\"batch\":{batch},\"scope\":{},\"attachments\":[{}]",
                frame.submission,
                json_string(task_scope(name)),
                attachments.join(",")
            );
            (name.to_owned(), "task", args)
        }
        TimedKind::Barriers { memory, image } => (
            format!("barriers before batch {batch}"),
            "barrier",
            format!(
                "\"frame\":{},\"batch\":{batch},\"memory_barriers\":{memory},\"image_barriers\":{image},\"barriers\":{}",
                frame.submission,
                memory + image
            ),
        ),
    }
}

/// Nanoseconds as microseconds with three decimals (the trace's unit).
fn micros(ns: u64) -> String {
    format!("{}.{:03}", ns / 1000, ns % 1000)
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
