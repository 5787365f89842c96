//! What the executor records, captured for a judge of synchronisation (off by default, and
//! one branch per barrier call and task when off): each submission's semaphore wait, its
//! barrier calls exactly as recorded, every task's accesses on the real resources, and its
//! signal; and the host waits before a frame slot is reused. See
//! [`crate::Executor::capture_commands`].

use ash::vk;
use weft_graph::{ResourceDesc, ResourceInfo, Subresources, TaskGraph};

use super::resolve::Resolved;
use super::transients::Transients;

/// What one access of a task touches, on the real resource.
#[derive(Clone, Copy, Debug)]
pub enum CapturedTarget {
    /// Bytes of a buffer.
    Buffer {
        /// The real buffer.
        buffer: vk::Buffer,
        /// First byte.
        offset: u64,
        /// Bytes.
        size: u64,
    },
    /// Subresources of an image.
    Image {
        /// The real image.
        image: vk::Image,
        /// Which subresources.
        range: vk::ImageSubresourceRange,
    },
}

/// One declared access of a task, on real resources.
#[derive(Clone, Copy, Debug)]
pub struct CapturedAccess {
    /// What it touches.
    pub target: CapturedTarget,
    /// Its stages.
    pub stages: vk::PipelineStageFlags2,
    /// Its access flags.
    pub access: vk::AccessFlags2,
    /// The layout an image must be in (`UNDEFINED` for buffers).
    pub layout: vk::ImageLayout,
}

/// One captured event, in the order the queue sees them.
#[derive(Clone, Debug)]
pub enum Captured {
    /// The host waited for the context's timeline to reach `value`.
    HostWait {
        /// The timeline value.
        value: u64,
    },
    /// A submission begins; it waits (all stages) for the timeline to reach `value`
    /// (0: no wait).
    Submission {
        /// The timeline value waited for.
        wait: u64,
    },
    /// One `vkCmdPipelineBarrier2` call.
    Barrier {
        /// Its memory barriers.
        memory: Vec<vk::MemoryBarrier2<'static>>,
        /// Its image barriers.
        images: Vec<vk::ImageMemoryBarrier2<'static>>,
    },
    /// A transient the submission uses lives in bytes `offset..offset + size` of device
    /// memory `memory` (other transients may share them: aliasing).
    Transient {
        /// Its name.
        name: String,
        /// The resource, whole (a buffer's bytes; an image's aspects, mips and layers).
        target: CapturedTarget,
        /// The device memory.
        memory: vk::DeviceMemory,
        /// First byte in `memory`.
        offset: u64,
        /// Bytes.
        size: u64,
    },
    /// A task ran its commands with these declared accesses.
    Task {
        /// The task's name.
        name: String,
        /// Its accesses on the real resources.
        accesses: Vec<CapturedAccess>,
    },
    /// The submission ends, signalling the timeline `value` (all stages).
    Signal {
        /// The timeline value.
        value: u64,
    },
}

/// The events of the submission being recorded, and those of finished ones.
#[derive(Default)]
pub(crate) struct Capture {
    pub done: Vec<Captured>,
    /// Per submission of the execution being recorded.
    pending: Vec<Vec<Captured>>,
}

impl Capture {
    pub fn host_wait(&mut self, value: u64) {
        if value != 0 {
            self.done.push(Captured::HostWait { value });
        }
    }

    /// What comes next goes to the execution's next submission.
    pub fn next_submission(&mut self) {
        if self.pending.is_empty() {
            self.pending.push(Vec::new());
        }
        self.pending.push(Vec::new());
    }

    /// The current submission's events.
    fn current(&mut self) -> &mut Vec<Captured> {
        if self.pending.is_empty() {
            self.pending.push(Vec::new());
        }
        let last = self.pending.len() - 1;
        &mut self.pending[last]
    }

    pub fn barrier(
        &mut self,
        memory: &[vk::MemoryBarrier2<'static>],
        images: &[vk::ImageMemoryBarrier2<'static>],
    ) {
        self.current().push(Captured::Barrier {
            memory: memory.to_vec(),
            images: images.to_vec(),
        });
    }

    /// The frame slot's transients and where they live.
    pub fn transients(&mut self, transients: &Transients, resources: &[ResourceInfo]) {
        for placed in transients.placed() {
            let info = &resources[placed.resource as usize];
            let target = match &info.desc {
                ResourceDesc::Buffer(desc) => CapturedTarget::Buffer {
                    buffer: transients.buffer(placed.resource),
                    offset: 0,
                    size: desc.size,
                },
                ResourceDesc::Image(desc) => CapturedTarget::Image {
                    image: transients.image(placed.resource),
                    range: vk::ImageSubresourceRange {
                        aspect_mask: desc.aspects(),
                        base_mip_level: 0,
                        level_count: desc.mip_levels,
                        base_array_layer: 0,
                        layer_count: desc.array_layers,
                    },
                },
            };
            self.current().push(Captured::Transient {
                name: info.name.clone(),
                target,
                memory: placed.memory,
                offset: placed.offset,
                size: placed.size,
            });
        }
    }

    /// Task `task` of `graph`, its attachments on the handles of `resolved`.
    pub fn task<C>(&mut self, graph: &TaskGraph<C>, task: u32, resolved: &Resolved) {
        let accesses = graph
            .task_attachments(task)
            .iter()
            .map(|a| {
                let index = a.resource() as usize;
                let target = match a.subresources() {
                    Subresources::Buffer { offset, size } => CapturedTarget::Buffer {
                        buffer: resolved.buffers.get(index).copied().unwrap_or_default(),
                        offset,
                        size,
                    },
                    Subresources::Image(range) => CapturedTarget::Image {
                        image: resolved.images.get(index).copied().unwrap_or_default(),
                        range: range.to_vk(),
                    },
                };
                CapturedAccess {
                    target,
                    stages: a.stages(),
                    access: a.access_flags(),
                    layout: a.layout(),
                }
            })
            .collect();
        self.current().push(Captured::Task {
            name: graph.task_name(task).unwrap_or("task").to_owned(),
            accesses,
        });
    }

    /// The recorded submissions went to the queue: the first waiting for `wait`, each
    /// signalling its value of `values`.
    pub fn submitted(&mut self, wait: u64, values: &[u64]) {
        for (i, (events, &value)) in self.pending.drain(..).zip(values).enumerate() {
            let wait = if i == 0 { wait } else { 0 };
            self.done.push(Captured::Submission { wait });
            self.done.extend(events);
            self.done.push(Captured::Signal { value });
        }
    }
}
