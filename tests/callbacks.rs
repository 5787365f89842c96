//! Task callbacks are stored with the recording and called later, in plan order, with the
//! per-frame user data: what the runtime does, without a device.

use weft::prelude::*;

/// The callback type a runtime would pick: a closure over the per-frame data `U`.
type Callback<U> = Box<dyn FnMut(&mut U)>;

#[derive(Default)]
struct Frame {
    log: Vec<&'static str>,
    time: f32,
}

/// A callback that logs `name`.
fn logging(name: &'static str) -> Callback<Frame> {
    Box::new(move |f: &mut Frame| f.log.push(name))
}

#[test]
fn callbacks_run_in_plan_order_with_frame_data() {
    let mut graph: TaskGraph<Callback<Frame>> = TaskGraph::new();
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
    let desc = BufferDesc { size: 64, usage };
    let [a, b] = ["a", "b"].map(|name| graph.transient_buffer(name, desc).unwrap());
    let produce = graph
        .task("produce")
        .attach(a, access::COMPUTE_WRITE)
        .run(logging("produce"))
        .record()
        .unwrap();
    graph
        .task("consume")
        .attach(a, access::COMPUTE_READ)
        .attach(b, access::COMPUTE_WRITE)
        .run(logging("consume"))
        .record()
        .unwrap();
    // No shared resource with "produce", ordered after it by an explicit edge.
    let tick = Box::new(|f: &mut Frame| {
        f.time += 1.0;
        f.log.push("tick")
    });
    graph
        .task("tick")
        .after(produce)
        .run(tick)
        .record()
        .unwrap();
    // A task without a callback is skipped by the runtime.
    graph.task("marker").record().unwrap();
    let plan = graph.compile(&CompileOptions::default()).unwrap();
    assert_eq!(plan.batch_count(), 2);

    for frame in 0..3 {
        let mut data = Frame {
            time: frame as f32,
            ..Frame::default()
        };
        for &task in plan.task_order() {
            if let Some(callback) = graph.task_callback_mut(task) {
                callback(&mut data);
            }
        }
        // Batch 0: produce (and the marker); batch 1: consume and tick, in record order.
        assert_eq!(data.log, vec!["produce", "consume", "tick"]);
        assert_eq!(data.time, frame as f32 + 1.0);
    }
}
