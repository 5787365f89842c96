//! The judge on hand-made streams: each rule, and faults planted in correct streams (a
//! dropped barrier, a narrowed stage mask, a forgotten transition) caught.

use ash::vk::{self, AccessFlags2 as A, Handle, ImageLayout as L, PipelineStageFlags2 as S};
use weft_judge::{HazardKind, Judge, Target};

const BUF: u64 = 1;
const IMG: u64 = 2;

fn judge() -> Judge {
    let mut j = Judge::new();
    j.add_buffer(BUF, "buf", 256);
    j.add_image(IMG, "img", vk::ImageAspectFlags::COLOR, 2, 2);
    j
}

fn bytes(offset: u64, size: u64) -> Target {
    Target::Buffer {
        buffer: BUF,
        offset,
        size,
    }
}

fn image(mip: u32) -> Target {
    Target::Image {
        image: IMG,
        range: vk::ImageSubresourceRange {
            aspect_mask: vk::ImageAspectFlags::COLOR,
            base_mip_level: mip,
            level_count: 1,
            base_array_layer: 0,
            layer_count: 2,
        },
    }
}

fn memory(src: S, src_access: A, dst: S, dst_access: A) -> vk::MemoryBarrier2<'static> {
    vk::MemoryBarrier2::default()
        .src_stage_mask(src)
        .src_access_mask(src_access)
        .dst_stage_mask(dst)
        .dst_access_mask(dst_access)
}

fn transition(
    mip: u32,
    old: L,
    new: L,
    src: S,
    src_access: A,
    dst: S,
    dst_access: A,
) -> vk::ImageMemoryBarrier2<'static> {
    let Target::Image { range, .. } = image(mip) else {
        unreachable!()
    };
    vk::ImageMemoryBarrier2::default()
        .image(vk::Image::from_raw(IMG))
        .subresource_range(range)
        .old_layout(old)
        .new_layout(new)
        .src_stage_mask(src)
        .src_access_mask(src_access)
        .dst_stage_mask(dst)
        .dst_access_mask(dst_access)
}

fn kinds(j: &Judge) -> Vec<HazardKind> {
    j.hazards().iter().map(|h| h.kind).collect()
}

fn fill_then_copy(barrier: Option<vk::MemoryBarrier2<'static>>) -> Judge {
    let mut j = judge();
    j.command("fill");
    j.access(bytes(0, 64), S::CLEAR, A::TRANSFER_WRITE, None);
    if let Some(b) = barrier {
        j.barrier("b", &[b], &[], &[]);
    }
    j.command("copy");
    j.access(bytes(0, 64), S::COPY, A::TRANSFER_READ, None);
    j
}

#[test]
fn a_read_after_a_write_needs_a_barrier_that_covers_both() {
    let right = memory(S::CLEAR, A::TRANSFER_WRITE, S::COPY, A::TRANSFER_READ);
    assert_eq!(kinds(&fill_then_copy(Some(right))), vec![]);
    // Dropped barrier.
    assert_eq!(
        kinds(&fill_then_copy(None)),
        vec![HazardKind::ReadAfterWrite]
    );
    // Narrowed source stage mask (the fill is in CLEAR, not COPY).
    let narrow = memory(S::COPY, A::TRANSFER_WRITE, S::COPY, A::TRANSFER_READ);
    assert_eq!(
        kinds(&fill_then_copy(Some(narrow))),
        vec![HazardKind::ReadAfterWrite]
    );
    // Execution only: ordered, not visible.
    let no_access = memory(S::CLEAR, A::NONE, S::COPY, A::NONE);
    assert_eq!(
        kinds(&fill_then_copy(Some(no_access))),
        vec![HazardKind::ReadAfterWrite]
    );
    // Meta stages and accesses stand for what they include.
    let meta = memory(
        S::ALL_TRANSFER,
        A::MEMORY_WRITE,
        S::ALL_COMMANDS,
        A::MEMORY_READ,
    );
    assert_eq!(kinds(&fill_then_copy(Some(meta))), vec![]);
}

#[test]
fn disjoint_buffer_ranges_do_not_conflict_and_each_keeps_its_own_visibility() {
    let mut j = judge();
    j.command("write A");
    j.access(
        bytes(0, 64),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
        None,
    );
    j.command("write B");
    j.access(bytes(64, 64), S::CLEAR, A::TRANSFER_WRITE, None);
    // A made visible to fragment reads only, B to copies.
    j.barrier(
        "b",
        &[
            memory(
                S::COMPUTE_SHADER,
                A::SHADER_STORAGE_WRITE,
                S::FRAGMENT_SHADER,
                A::SHADER_STORAGE_READ,
            ),
            memory(S::CLEAR, A::TRANSFER_WRITE, S::COPY, A::TRANSFER_READ),
        ],
        &[],
        &[],
    );
    j.command("draw reads A");
    j.access(
        bytes(0, 64),
        S::FRAGMENT_SHADER,
        A::SHADER_STORAGE_READ,
        None,
    );
    j.command("copy reads B");
    j.access(bytes(64, 64), S::COPY, A::TRANSFER_READ, None);
    assert_eq!(kinds(&j), vec![]);
    // A copy from A: A's write is visible to copies only through the barrier above, whose
    // memory barriers are global: a global barrier from CLEAR does not cover A's compute
    // write, but the one from COMPUTE made it visible to FRAGMENT only.
    j.command("copy reads A");
    j.access(bytes(0, 64), S::COPY, A::TRANSFER_READ, None);
    assert_eq!(kinds(&j), vec![HazardKind::ReadAfterWrite]);
}

#[test]
fn a_write_waits_for_every_read_since_the_last_write() {
    let mut j = judge();
    j.command("fragment read");
    j.access(
        bytes(0, 16),
        S::FRAGMENT_SHADER,
        A::SHADER_STORAGE_READ,
        None,
    );
    j.command("compute read");
    j.access(
        bytes(0, 16),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_READ,
        None,
    );
    // Waits for the compute read only.
    j.barrier(
        "b",
        &[memory(S::COMPUTE_SHADER, A::NONE, S::CLEAR, A::NONE)],
        &[],
        &[],
    );
    j.command("fill");
    j.access(bytes(0, 16), S::CLEAR, A::TRANSFER_WRITE, None);
    assert_eq!(kinds(&j), vec![HazardKind::WriteAfterRead]);
    assert_eq!(j.hazards()[0].earlier, "fragment read");
}

#[test]
fn accesses_must_be_in_the_current_layout_and_transitions_are_writes() {
    let mut j = judge();
    let general = transition(
        0,
        L::UNDEFINED,
        L::GENERAL,
        S::NONE,
        A::NONE,
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
    );
    j.barrier("to general", &[], &[], &[general]);
    j.command("compute writes");
    j.access(
        image(0),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
        Some(L::GENERAL),
    );
    assert_eq!(kinds(&j), vec![]);
    // Forgotten transition: sampled in SHADER_READ_ONLY while GENERAL.
    let mut forgot = Judge::new();
    forgot.add_image(IMG, "img", vk::ImageAspectFlags::COLOR, 2, 2);
    forgot.barrier("to general", &[], &[], &[general]);
    forgot.command("compute writes");
    forgot.access(
        image(0),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
        Some(L::GENERAL),
    );
    forgot.command("draw samples");
    forgot.access(
        image(0),
        S::FRAGMENT_SHADER,
        A::SHADER_SAMPLED_READ,
        Some(L::SHADER_READ_ONLY_OPTIMAL),
    );
    assert!(kinds(&forgot).contains(&HazardKind::Layout));
    // The transition to SHADER_READ_ONLY, made visible to the fragment stage.
    let to_read = transition(
        0,
        L::GENERAL,
        L::SHADER_READ_ONLY_OPTIMAL,
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
        S::FRAGMENT_SHADER,
        A::SHADER_SAMPLED_READ,
    );
    j.barrier("to read", &[], &[], &[to_read]);
    j.command("draw samples");
    j.access(
        image(0),
        S::FRAGMENT_SHADER,
        A::SHADER_SAMPLED_READ,
        Some(L::SHADER_READ_ONLY_OPTIMAL),
    );
    assert_eq!(kinds(&j), vec![]);
    // A compute read later, bridged from the compute write only: it races the transition.
    j.barrier(
        "from the write",
        &[memory(
            S::COMPUTE_SHADER,
            A::SHADER_STORAGE_WRITE,
            S::COMPUTE_SHADER,
            A::SHADER_SAMPLED_READ,
        )],
        &[],
        &[],
    );
    j.command("compute samples");
    j.access(
        image(0),
        S::COMPUTE_SHADER,
        A::SHADER_SAMPLED_READ,
        Some(L::SHADER_READ_ONLY_OPTIMAL),
    );
    let h = &j.hazards()[0];
    assert_eq!(
        (h.kind, h.earlier_is_transition),
        (HazardKind::ReadAfterWrite, true)
    );
}

#[test]
fn a_transition_must_wait_for_earlier_reads() {
    let mut j = judge();
    let to_read = transition(
        1,
        L::UNDEFINED,
        L::SHADER_READ_ONLY_OPTIMAL,
        S::NONE,
        A::NONE,
        S::FRAGMENT_SHADER | S::COMPUTE_SHADER,
        A::SHADER_SAMPLED_READ,
    );
    j.barrier("to read", &[], &[], &[to_read]);
    j.command("frame 1 draw samples");
    j.access(
        image(1),
        S::FRAGMENT_SHADER,
        A::SHADER_SAMPLED_READ,
        Some(L::SHADER_READ_ONLY_OPTIMAL),
    );
    j.command("frame 2 compute samples");
    j.access(
        image(1),
        S::COMPUTE_SHADER,
        A::SHADER_SAMPLED_READ,
        Some(L::SHADER_READ_ONLY_OPTIMAL),
    );
    let to_color = transition(
        1,
        L::SHADER_READ_ONLY_OPTIMAL,
        L::COLOR_ATTACHMENT_OPTIMAL,
        S::COMPUTE_SHADER,
        A::NONE,
        S::COLOR_ATTACHMENT_OUTPUT,
        A::COLOR_ATTACHMENT_WRITE,
    );
    j.barrier("to color", &[], &[], &[to_color]);
    assert_eq!(kinds(&j), vec![HazardKind::WriteAfterRead]);
    assert_eq!(j.hazards()[0].earlier, "frame 1 draw samples");
}

#[test]
fn semaphores_and_host_waits_order_whole_submissions() {
    let mut j = judge();
    j.command("fill");
    j.access(bytes(0, 64), S::CLEAR, A::TRANSFER_WRITE, None);
    j.signal(7, 1);
    j.wait(7, 1, S::COPY);
    j.command("copy");
    j.access(bytes(0, 64), S::COPY, A::TRANSFER_READ, None);
    // The wait's stages bound it: a compute read is not covered.
    j.command("compute read");
    j.access(
        bytes(0, 64),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_READ,
        None,
    );
    assert_eq!(kinds(&j), vec![HazardKind::ReadAfterWrite]);
    j.host_wait(7, 1);
    j.command("another compute read");
    j.access(
        bytes(0, 64),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_READ,
        None,
    );
    assert_eq!(j.hazards().len(), 1);
    j.wait(7, 2, S::ALL_COMMANDS);
    assert_eq!(j.problems().len(), 1, "a wait for a value never signalled");
}

#[test]
fn barriers_that_do_nothing_or_wait_for_too_much_are_counted() {
    let mut j = judge();
    j.command("compute writes");
    j.access(
        bytes(0, 64),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
        None,
    );
    j.barrier(
        "wide",
        &[memory(
            S::ALL_COMMANDS,
            A::MEMORY_WRITE,
            S::COMPUTE_SHADER,
            A::SHADER_STORAGE_READ,
        )],
        &[],
        &[],
    );
    j.barrier(
        "again",
        &[memory(
            S::COMPUTE_SHADER,
            A::SHADER_STORAGE_WRITE,
            S::COMPUTE_SHADER,
            A::SHADER_STORAGE_READ,
        )],
        &[],
        &[],
    );
    j.command("compute reads");
    j.access(
        bytes(0, 64),
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_READ,
        None,
    );
    j.barrier(
        "narrow",
        &[memory(S::COMPUTE_SHADER, A::NONE, S::CLEAR, A::NONE)],
        &[],
        &[],
    );
    let stats = j.stats();
    assert_eq!(
        (stats.barriers, stats.redundant, stats.wider_than_needed),
        (3, 1, 1)
    );
    assert_eq!(kinds(&j), vec![]);
}

/// Two buffers and an image in one memory object: `a` and `b` on the same bytes, the image
/// over both.
fn aliased() -> Judge {
    let mut j = Judge::new();
    j.add_buffer(10, "a", 256);
    j.add_buffer(11, "b", 256);
    j.add_image(12, "i", vk::ImageAspectFlags::COLOR, 2, 1);
    j.bind_memory(10, 99, 0, 256);
    j.bind_memory(11, 99, 0, 256);
    j.bind_memory(12, 99, 0, 512);
    j
}

fn whole(buffer: u64) -> Target {
    Target::Buffer {
        buffer,
        offset: 0,
        size: 256,
    }
}

#[test]
fn a_resource_taking_over_memory_waits_for_the_previous_occupant() {
    let mut j = aliased();
    j.command("read a");
    j.access(whole(10), S::COMPUTE_SHADER, A::SHADER_STORAGE_READ, None);
    j.command("fill b");
    j.access(whole(11), S::CLEAR, A::TRANSFER_WRITE, None);
    assert_eq!(j.hazards().len(), 1);
    assert_eq!(j.hazards()[0].kind, HazardKind::WriteAfterRead);
    assert_eq!(j.hazards()[0].resource, "b");

    // An execution dependency from a's stage is what the hand-over needs.
    let mut j = aliased();
    j.command("read a");
    j.access(whole(10), S::COMPUTE_SHADER, A::SHADER_STORAGE_READ, None);
    let hand_over = memory(S::COMPUTE_SHADER, A::NONE, S::CLEAR, A::TRANSFER_WRITE);
    j.barrier("hand over", &[hand_over], &[], &[]);
    j.command("fill b");
    j.access(whole(11), S::CLEAR, A::TRANSFER_WRITE, None);
    assert!(j.hazards().is_empty(), "{:?}", j.hazards());
}

#[test]
fn an_image_taking_over_memory_transitions_after_the_previous_occupant() {
    let range = vk::ImageSubresourceRange {
        aspect_mask: vk::ImageAspectFlags::COLOR,
        base_mip_level: 0,
        level_count: 2,
        base_array_layer: 0,
        layer_count: 1,
    };
    let start = |src: S| {
        vk::ImageMemoryBarrier2::default()
            .image(vk::Image::from_raw(12))
            .subresource_range(range)
            .old_layout(L::UNDEFINED)
            .new_layout(L::GENERAL)
            .src_stage_mask(src)
            .dst_stage_mask(S::COMPUTE_SHADER)
            .dst_access_mask(A::SHADER_STORAGE_WRITE)
    };
    for (src, hazards) in [(S::NONE, 1), (S::COPY, 0)] {
        let mut j = aliased();
        j.command("copy into a");
        j.access(whole(10), S::COPY, A::TRANSFER_WRITE, None);
        j.barrier("start i", &[], &[], &[start(src)]);
        assert_eq!(
            j.hazards().len(),
            hazards,
            "source {src:?}: {:?}",
            j.hazards()
        );
    }
}

#[test]
fn one_resource_never_conflicts_with_itself_through_its_memory() {
    let mut j = aliased();
    j.command("write the first half of a");
    j.access(
        Target::Buffer {
            buffer: 10,
            offset: 0,
            size: 128,
        },
        S::COMPUTE_SHADER,
        A::SHADER_STORAGE_WRITE,
        None,
    );
    j.command("read the second half of a");
    j.access(
        Target::Buffer {
            buffer: 10,
            offset: 128,
            size: 128,
        },
        S::COPY,
        A::TRANSFER_READ,
        None,
    );
    assert!(j.hazards().is_empty(), "{:?}", j.hazards());
}
