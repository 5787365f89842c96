//! One sequence of executions in the cross-execution fuzz: real resources without a
//! device, the judge, and the executor's own bridging and barrier code, executing graphs
//! one after another with up to 3 frames in flight.

use ash::vk::{self, Handle};
use weft_graph::Subresources;
use weft_judge::{Judge, Target};

use super::super::boundary::BoundaryInputs;
use super::super::bridge::Bridges;
use super::super::frame_barriers::FrameBarriers;
use super::{
    assert_reused_bridges_are_fresh, buffer_raw, image_desc, image_raw, plant, transients,
    Bindings, Fault, Reals, Recorded, Table, BUFFER_SIZE, LAYERS, MIPS, TIMELINE,
};
use crate::stamped::Stamped;
use crate::state::{AccessState, BufferStates};

/// Real resources, the judge and the executor's scratch, executing graphs one after another
/// with `frames` frames in flight.
pub(super) struct Sequence {
    pub(super) reals: Reals,
    pub(super) judge: Judge,
    pub(super) slots: Vec<u64>,
    pub(super) bridges: Bridges,
    /// Per frame slot, as the executor keeps them.
    pub(super) barriers: Vec<FrameBarriers>,
    pub(super) executions: usize,
    /// Executions that reused the bridges before them, and that kept their slot's barriers.
    pub(super) reused: usize,
    /// Reuse checks that knew the stamps unchanged without reading them.
    pub(super) unread: usize,
    pub(super) kept_barriers: usize,
}

pub(super) const REAL_BUFFERS: usize = 4;
pub(super) const REAL_IMAGES: usize = 3;

impl Sequence {
    pub(super) fn new(frames: usize) -> Self {
        let reals = Reals {
            buffers: (0..REAL_BUFFERS)
                .map(|_| Stamped::new(BufferStates::new(BUFFER_SIZE)))
                .collect(),
            images: (0..REAL_IMAGES)
                .map(|_| Stamped::new(vec![AccessState::default(); (MIPS * LAYERS) as usize]))
                .collect(),
            desc: image_desc(),
        };
        let mut judge = Judge::new();
        for b in 0..REAL_BUFFERS {
            judge.add_buffer(buffer_raw(b), &format!("real buffer {b}"), BUFFER_SIZE);
        }
        for i in 0..REAL_IMAGES {
            let raw = image_raw(i).as_raw();
            let name = format!("real image {i}");
            judge.add_image(raw, &name, vk::ImageAspectFlags::COLOR, MIPS, LAYERS);
        }
        Self {
            reals,
            judge,
            slots: vec![0; frames.max(1)],
            bridges: Bridges::default(),
            barriers: (0..frames.max(1))
                .map(|_| FrameBarriers::default())
                .collect(),
            executions: 0,
            reused: 0,
            unread: 0,
            kept_barriers: 0,
        }
    }

    /// Executes `recorded` with its resources bound to `bound` (virtual index -> (image,
    /// real index)), as the executor does, feeding the judge; returns whether `fault` was
    /// planted.
    pub(super) fn execute(&mut self, recorded: &Recorded, bound: Bindings, fault: Fault) -> bool {
        let execution = self.executions;
        self.executions += 1;
        let table = Table {
            reals: &self.reals,
            bound,
        };
        let slot = execution % self.slots.len();
        let handles: Vec<vk::Image> = table
            .bound
            .iter()
            .enumerate()
            .map(|(r, b)| match b {
                Some((true, real)) => image_raw(*real),
                None if recorded.images[r] => {
                    vk::Image::from_raw(transients::handle(&recorded.plan, slot, r as u32))
                }
                _ => vk::Image::null(),
            })
            .collect();
        transients::bind(&mut self.judge, &recorded.plan, &recorded.graph, slot);
        // Frames::acquire: the host waits for the slot's previous submission; the
        // submission waits for it on the device too.
        if self.slots[slot] != 0 {
            self.judge.host_wait(TIMELINE, self.slots[slot]);
            self.judge.wait(
                TIMELINE,
                self.slots[slot],
                vk::PipelineStageFlags2::ALL_COMMANDS,
            );
        }
        // The bindings as the executor knows them: the graph, and which real resources.
        let key = crate::graph::ResolveKey {
            graph: recorded.graph.id(),
            revision: recorded.graph.revision(),
            bindings: hash_of(&table.bound),
        };
        self.bridges.build(&recorded.plan, &table, Some(key));
        if self.bridges.reused() {
            self.reused += 1;
            self.unread += usize::from(self.bridges.stamps_unread());
            assert_reused_bridges_are_fresh(&self.bridges, &recorded.plan, &table);
        }
        let planted = plant(&mut self.bridges, fault);
        if planted {
            // Reusing changed bridges would plant the fault again where it was not drawn.
            self.bridges.forget();
        }
        let (plan, graph) = (&recorded.plan, &recorded.graph);
        let barriers = &mut self.barriers[slot];
        let inputs = BoundaryInputs {
            plan,
            resources: graph.resources(),
            images: &handles,
            // The executor's count changes whenever the handles may have; a hash of them
            // changes whenever they do.
            images_resolved: hash_of(&handles),
            bridges: &self.bridges,
            host_reads: false,
        };
        self.kept_barriers += usize::from(barriers.prepare(&inputs));
        // Kept or not, the slot's barriers are those assembled anew.
        let mut fresh = FrameBarriers::default();
        fresh.prepare(&inputs);
        for batch in 0..=plan.batch_count() {
            assert_eq!(
                format!("{:?}", fresh.before(batch)),
                format!("{:?}", barriers.before(batch))
            );
        }
        for batch in 0..=plan.batch_count() {
            let (memory, images) = barriers.before(batch);
            if !memory.is_empty() || !images.is_empty() {
                self.judge.barrier(
                    &format!("execution {execution} barriers before batch {batch}"),
                    memory,
                    &[],
                    images,
                );
            }
            for &task in plan.batch(batch) {
                let name = graph.task_name(task).unwrap_or("task");
                self.judge.command(&format!("execution {execution} {name}"));
                for attachment in graph.task_attachments(task) {
                    let resource = attachment.resource();
                    let real = table.bound[resource as usize];
                    let transient = transients::handle(&recorded.plan, slot, resource);
                    let (target, layout) = match (attachment.subresources(), real) {
                        (Subresources::Buffer { offset, size }, None) => (
                            Target::Buffer {
                                buffer: transient,
                                offset,
                                size,
                            },
                            None,
                        ),
                        (Subresources::Image(range), None) => (
                            Target::Image {
                                image: transient,
                                range: range.to_vk(),
                            },
                            Some(attachment.layout()),
                        ),
                        (Subresources::Buffer { offset, size }, Some((false, real))) => (
                            Target::Buffer {
                                buffer: buffer_raw(real),
                                offset,
                                size,
                            },
                            None,
                        ),
                        (Subresources::Image(range), Some((true, real))) => (
                            Target::Image {
                                image: image_raw(real).as_raw(),
                                range: range.to_vk(),
                            },
                            Some(attachment.layout()),
                        ),
                        _ => unreachable!("every resource is bound to a real one of its kind"),
                    };
                    self.judge.access(
                        target,
                        attachment.stages(),
                        attachment.access_flags(),
                        layout,
                    );
                }
            }
        }
        self.bridges.remember(plan, &table, Some(key));
        let value = execution as u64 + 1;
        self.judge.signal(TIMELINE, value);
        self.slots[slot] = value;
        planted
    }
}

/// A hash of `value`: it changes whenever `value` does (but for collisions).
fn hash_of(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}
