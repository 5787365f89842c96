//! Transients in the cross-execution fuzz: each graph declares a few transient buffers and
//! images, its plan places them (with a model of a device's needs), and each frame slot
//! keeps the transients in memory of its own, as the executor does: one fake memory object
//! per (slot, block), shared by the transients of every graph executed in that slot, so the
//! judge checks hand-overs inside a frame, between graphs and across frames.

use ash::vk;
use weft_graph::{
    BufferDesc, ImageDesc, MemoryNeeds, Plan, ResourceDesc, TaskBuffer, TaskGraph, TaskImage,
};
use weft_judge::Judge;

/// Transients every graph declares after its externals: 4 buffers and 2 images.
pub(super) fn declare(g: &mut TaskGraph, image: ImageDesc) -> (Vec<TaskBuffer>, Vec<TaskImage>) {
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER
        | vk::BufferUsageFlags::TRANSFER_SRC
        | vk::BufferUsageFlags::TRANSFER_DST
        | vk::BufferUsageFlags::INDIRECT_BUFFER
        | vk::BufferUsageFlags::VERTEX_BUFFER;
    let buffers = [64, 128, 128, 256]
        .iter()
        .enumerate()
        .map(|(i, &size)| {
            g.transient_buffer(&format!("tb{i}"), BufferDesc { size, usage })
                .expect("a valid description")
        })
        .collect();
    let images = (0..2)
        .map(|i| {
            g.transient_image(&format!("ti{i}"), image)
                .expect("a valid description")
        })
        .collect();
    (buffers, images)
}

/// A device's needs, roughly: buffers by 256 bytes, images by 4 KiB pages, one memory type.
fn needs(_: u32, desc: &ResourceDesc) -> Result<MemoryNeeds, String> {
    Ok(match desc {
        ResourceDesc::Buffer(b) => MemoryNeeds {
            size: b.size.next_multiple_of(256),
            alignment: 256,
            memory_type_bits: 1,
            linear: true,
        },
        ResourceDesc::Image(d) => MemoryNeeds {
            size: (u64::from(d.extent.width * d.extent.height * d.mip_levels * d.array_layers) * 4)
                .next_multiple_of(4096),
            alignment: 4096,
            memory_type_bits: 1,
            linear: false,
        },
    })
}

/// Places `plan`'s transients.
pub(super) fn place(plan: &mut Plan, graph: &TaskGraph) {
    plan.place_transients(graph, needs, 1024)
        .expect("the model places every transient");
}

/// The fake handle of transient `resource` of `plan` in frame slot `slot`.
pub(super) fn handle(plan: &Plan, slot: usize, resource: u32) -> u64 {
    0x10_0000 + (plan.serial() % 4096) * 256 + slot as u64 * 32 + u64::from(resource)
}

/// Declares `plan`'s transients in frame slot `slot` to `judge` (once) and binds each to
/// its place in the slot's memory.
pub(super) fn bind(judge: &mut Judge, plan: &Plan, graph: &TaskGraph, slot: usize) {
    for p in plan.transient_placements() {
        let raw = handle(plan, slot, p.resource);
        let info = &graph.resources()[p.resource as usize];
        if !judge.knows(raw) {
            match &info.desc {
                ResourceDesc::Buffer(b) => judge.add_buffer(raw, &info.name, b.size),
                ResourceDesc::Image(d) => {
                    judge.add_image(raw, &info.name, d.aspects(), d.mip_levels, d.array_layers)
                }
            }
        }
        let memory = 0x9000 + slot as u64 * 16 + u64::from(p.block);
        judge.bind_memory(raw, memory, p.offset, p.size);
    }
}

/// Drops the hand-over of the first transient that takes over another's memory; whether
/// there was one.
pub(super) fn drop_a_hand_over(plan: &mut Plan) -> bool {
    let placed = plan.transient_placements().to_vec();
    let taker = placed.iter().find(|b| {
        placed.iter().any(|a| {
            a.block == b.block
                && a.last_batch < b.first_batch
                && a.offset < b.offset + b.size
                && b.offset < a.offset + a.size
        })
    });
    match taker {
        Some(b) => plan.drop_hand_over(b.resource),
        None => false,
    }
}
