//! One regression test for each class of missing synchronisation across executions that
//! the judge found (the examples of the issue that reported them), each also run with the
//! bridges dropped to show the sequence needs them.

use super::*;

/// A graph over the same resources as the random ones (buffers 0..3, images 3 and 4);
/// `tasks` gives, per task, its name and (view, access) pairs, with views made from the
/// graph's first buffer and first image.
#[allow(clippy::type_complexity)]
fn fixed_graph(tasks: &[(&str, &[(fn(TaskBuffer, TaskImage) -> View, Access)])]) -> Recorded {
    let mut g = TaskGraph::new();
    let (buffers, images) = declare_resources(&mut g);
    for (name, attachments) in tasks {
        let mut task = g.task(name);
        for (view, access) in attachments.iter() {
            task = task.attach(view(buffers[0], images[0]), *access);
        }
        task.record().expect("a valid task");
    }
    compiled(g)
}

/// Executes `graphs` in order with 3 frames in flight, each resource bound to the real one
/// of its index; returns the judge's hazards (as text), without and with the bridges
/// dropped (to show the sequence needs them).
fn judge_fixed(graphs: &[Recorded]) -> (Vec<String>, Vec<String>) {
    let run = |fault| {
        let mut sequence = Sequence::new(3);
        for recorded in graphs {
            let bound = recorded
                .images
                .iter()
                .enumerate()
                .map(|(i, &image)| Some((image, if image { i - 3 } else { i })))
                .collect();
            sequence.execute(recorded, bound, fault);
        }
        let judge = &sequence.judge;
        let mut found: Vec<String> = judge.hazards().iter().map(|h| h.to_string()).collect();
        found.extend(judge.problems().iter().cloned());
        found
    };
    (run(Fault::None), run(Fault::DropBridge))
}

fn range_a(b: TaskBuffer, _: TaskImage) -> View {
    b.range(0, 64).into()
}

fn range_b(b: TaskBuffer, _: TaskImage) -> View {
    b.range(64, 64).into()
}

fn whole_buffer(b: TaskBuffer, _: TaskImage) -> View {
    b.whole().into()
}

fn whole_image(_: TaskBuffer, i: TaskImage) -> View {
    i.whole().into()
}

#[test]
fn class_1_a_read_of_one_buffer_range_does_not_stand_for_another() {
    let one = fixed_graph(&[
        ("fill A", &[(range_a, access::CLEAR_DST)]),
        ("draw reads A", &[(range_a, access::FRAGMENT_READ)]),
        ("copy reads B", &[(range_b, access::TRANSFER_SRC)]),
    ]);
    let two = fixed_graph(&[("copy from A", &[(range_a, access::TRANSFER_SRC)])]);
    let (found, dropped) = judge_fixed(&[one, two]);
    assert!(found.is_empty(), "{found:#?}");
    assert!(!dropped.is_empty(), "the sequence needs its bridges");
}

#[test]
fn class_2_a_later_write_waits_for_an_earlier_executions_reads() {
    let write = fixed_graph(&[("compute writes A", &[(whole_image, access::COMPUTE_WRITE)])]);
    let sample = fixed_graph(&[("draw samples A", &[(whole_image, access::FRAGMENT_SAMPLED)])]);
    let then_render = fixed_graph(&[
        (
            "compute samples A",
            &[(whole_image, access::COMPUTE_SAMPLED)],
        ),
        ("render into A", &[(whole_image, access::COLOR_WRITE)]),
    ]);
    let (found, dropped) = judge_fixed(&[write, sample, then_render]);
    assert!(found.is_empty(), "{found:#?}");
    assert!(!dropped.is_empty(), "the sequence needs its bridges");
    // The same with a buffer: fragment read, compute read, then a fill.
    let fill = fixed_graph(&[("first fill", &[(whole_buffer, access::CLEAR_DST)])]);
    let read = fixed_graph(&[("draw reads", &[(whole_buffer, access::FRAGMENT_READ)])]);
    let then_fill = fixed_graph(&[
        ("compute reads", &[(whole_buffer, access::COMPUTE_READ)]),
        ("fill", &[(whole_buffer, access::CLEAR_DST)]),
    ]);
    let (found, dropped) = judge_fixed(&[fill, read, then_fill]);
    assert!(found.is_empty(), "{found:#?}");
    assert!(!dropped.is_empty(), "the sequence needs its bridges");
}

#[test]
fn class_3_a_bridges_layout_transition_is_remembered_as_a_write() {
    let (found, dropped) = judge_fixed(&[
        fixed_graph(&[("compute writes A", &[(whole_image, access::COMPUTE_WRITE)])]),
        fixed_graph(&[("draw samples A", &[(whole_image, access::FRAGMENT_SAMPLED)])]),
        fixed_graph(&[(
            "compute samples A",
            &[(whole_image, access::COMPUTE_SAMPLED)],
        )]),
    ]);
    assert!(found.is_empty(), "{found:#?}");
    assert!(!dropped.is_empty(), "the sequence needs its bridges");
}
