//! Load/store needs of attachments: from the recording, what a render pass must load and
//! store.

mod common;

use ash::vk;
use common::{record, swapchain};
use weft_graph::access::*;
use weft_graph::{Access, AttachmentOps, ImageDesc, TaskGraph, TaskImage};

fn image(g: &mut TaskGraph, name: &str, external: bool) -> TaskImage {
    let usage = vk::ImageUsageFlags::COLOR_ATTACHMENT | vk::ImageUsageFlags::SAMPLED;
    let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 64, 64, usage).with_mips(2);
    if external {
        g.external_image(name, desc).unwrap()
    } else {
        g.transient_image(name, desc).unwrap()
    }
}

/// The load/store needs of one task per access of `accesses`, recorded in order, each on the
/// whole of one image (`external` or transient).
fn ops_of(external: bool, accesses: &[Access]) -> Vec<AttachmentOps> {
    let mut g: TaskGraph = TaskGraph::new();
    let target = image(&mut g, "target", external);
    for (i, &access) in accesses.iter().enumerate() {
        record(&mut g, &format!("task {i}"), target, access);
    }
    g.attachment_ops()
}

/// The load/store needs `load` and `store`.
const fn ops(load: bool, store: bool) -> AttachmentOps {
    AttachmentOps { load, store }
}

const KEEP: AttachmentOps = ops(false, true);
const DISCARD: AttachmentOps = ops(false, false);
const LOAD: AttachmentOps = ops(true, false);
const LOAD_AND_KEEP: AttachmentOps = ops(true, true);

#[test]
fn a_write_that_is_sampled_later_is_stored_and_not_loaded() {
    // A G-buffer drawn, then sampled by the lighting.
    assert_eq!(
        ops_of(false, &[COLOR_WRITE, FRAGMENT_SAMPLED]),
        [KEEP, LOAD]
    );
}

#[test]
fn a_transient_write_nobody_reads_is_not_stored() {
    assert_eq!(ops_of(false, &[COLOR_WRITE]), [DISCARD]);
}

#[test]
fn external_and_presented_images_keep_their_last_contents() {
    assert_eq!(ops_of(true, &[COLOR_WRITE]), [KEEP]);
}

#[test]
fn a_write_overwritten_before_anyone_reads_is_not_stored() {
    assert_eq!(ops_of(true, &[COLOR_WRITE, COLOR_WRITE]), [DISCARD, KEEP]);
}

#[test]
fn blending_loads_and_keeps_the_earlier_contents() {
    // An opaque pass, a blended one over it, then a post-process sampling the result.
    let ops = ops_of(false, &[COLOR_WRITE, COLOR_READ_WRITE, FRAGMENT_SAMPLED]);
    assert_eq!(ops[..2], [KEEP, LOAD_AND_KEEP]);
}

#[test]
fn only_the_subresources_read_later_count() {
    let mut g: TaskGraph = TaskGraph::new();
    let chain = image(&mut g, "chain", false);
    record(&mut g, "mip 0", chain.mip(0), COLOR_WRITE);
    record(&mut g, "mip 1", chain.mip(1), COLOR_WRITE);
    record(&mut g, "use mip 1", chain.mip(1), FRAGMENT_SAMPLED);
    let ops = g.attachment_ops();
    assert_eq!(ops[0], DISCARD);
    assert_eq!(ops[1], KEEP);
}

#[test]
fn concurrent_writes_do_not_kill_earlier_contents() {
    let mut g: TaskGraph = TaskGraph::new();
    let usage = vk::ImageUsageFlags::STORAGE | vk::ImageUsageFlags::SAMPLED;
    let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 8, 8, usage);
    let target = g.transient_image("target", desc).unwrap();
    record(&mut g, "fill", target, COMPUTE_WRITE);
    record(&mut g, "splat", target, COMPUTE_CONCURRENT_WRITE);
    record(&mut g, "read", target, COMPUTE_SAMPLED);
    // The concurrent writer may leave texels of "fill" in place: those are read later.
    assert_eq!(g.attachment_ops()[..2], [KEEP, KEEP]);
}

#[test]
fn a_swapchain_image_written_then_presented_is_stored() {
    let mut g: TaskGraph = TaskGraph::new();
    let target = swapchain(&mut g);
    record(&mut g, "tonemap", target, COLOR_WRITE);
    g.present(target).unwrap();
    assert_eq!(g.attachment_ops()[0], KEEP);
}

mod brute_force {
    //! Random recordings over small buffers, checked unit by unit against a brute-force
    //! answer: a write is stored when some unit it writes is read by a later task before a
    //! plain write covers that unit again, or survives to the end of an external buffer.
    use ash::vk;
    use proptest::prelude::*;
    use weft_graph::access::*;
    use weft_graph::{Access, BufferDesc, TaskGraph};

    use crate::common::record;

    const SIZE: u64 = 16;
    const ACCESSES: [Access; 5] = [
        COMPUTE_READ,
        COMPUTE_WRITE,
        COMPUTE_READ_WRITE,
        COMPUTE_CONCURRENT_WRITE,
        COMPUTE_CONCURRENT_READ_WRITE,
    ];

    /// (buffer, offset, size, access) of one single-attachment task.
    type Step = (usize, u64, u64, usize);

    fn expected(steps: &[Step], external: &[bool]) -> Vec<bool> {
        steps
            .iter()
            .enumerate()
            .map(|(i, &(b, offset, size, a))| {
                if !ACCESSES[a].kind.writes() {
                    return false;
                }
                (offset..offset + size).any(|unit| {
                    for &(b2, o2, s2, a2) in &steps[i + 1..] {
                        if b2 != b || unit < o2 || unit >= o2 + s2 {
                            continue;
                        }
                        let kind = ACCESSES[a2].kind;
                        if kind.reads() {
                            return true;
                        }
                        if kind == weft_graph::AccessKind::Write {
                            return false;
                        }
                    }
                    external[b]
                })
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn stores_match_brute_force(
            external in proptest::collection::vec(any::<bool>(), 2),
            steps in proptest::collection::vec((0usize..2, 0u64..SIZE, 1u64..=SIZE, 0usize..5), 1..20),
        ) {
            let steps: Vec<Step> = steps
                .into_iter()
                .map(|(b, o, s, a)| (b, o, s.min(SIZE - o).max(1), a))
                .collect();
            let mut g: TaskGraph = TaskGraph::new();
            let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
            let buffers: Vec<_> = external
                .iter()
                .enumerate()
                .map(|(i, &e)| {
                    let desc = BufferDesc { size: SIZE, usage };
                    if e {
                        g.external_buffer(&format!("b{i}"), desc).unwrap()
                    } else {
                        g.transient_buffer(&format!("b{i}"), desc).unwrap()
                    }
                })
                .collect();
            for (t, &(b, offset, size, a)) in steps.iter().enumerate() {
                record(&mut g, &format!("t{t}"), buffers[b].range(offset, size), ACCESSES[a]);
            }
            let ops = g.attachment_ops();
            let want = expected(&steps, &external);
            for (t, (op, want)) in ops.iter().zip(want).enumerate() {
                prop_assert_eq!(op.store, want, "task {} of {:?}", t, steps);
                prop_assert_eq!(op.load, ACCESSES[steps[t].3].kind.reads());
            }
        }
    }
}
