//! weft-judge: a CPU model of Vulkan's synchronisation rules, fed with the commands and
//! barriers a program records, that reports every pair of conflicting accesses no chain of
//! dependencies orders. It is written apart from weft's executor (like the planner's
//! oracle), so that it checks the executor's bridging instead of repeating it.
//!
//! The model (one queue, as weft uses):
//! - **Execution dependency chains.** Each access keeps the stages ordered after it. A
//!   barrier whose source scope (its stages and the logically earlier ones) meets the
//!   access's stages, or the stages already chained after it, adds its destination scope.
//!   Pipeline barriers order across command buffers and submissions in submission order.
//! - **Availability and visibility**, per memory location (buffer byte ranges, image
//!   subresources): a write is made available by a barrier whose first access scope holds
//!   it, and visible to the destination stages and accesses of each barrier ordered after
//!   it once it is available. A read needs the last write visible to its stage and access; a
//!   write needs the last write visible and every read since ordered before it.
//! - **Layout transitions are writes** between a barrier's two scopes: they must be
//!   ordered after (and see) the last write and every read, and start from the layout the
//!   subresource is in (or `UNDEFINED`); every access must be in the current layout.
//! - **Timeline semaphores**: a signal covers everything submitted before it; a wait for a
//!   value orders all that before the wait's stages and makes it visible to them.
//! - **Host waits** order everything submitted up to the value waited for before anything
//!   recorded later.
//! - **Memory aliasing** ([`Judge::bind_memory`]): a resource using memory another resource
//!   used must be ordered after all of that one's uses.
//!
//! It also counts barriers that did nothing and barriers wider than needed (a source scope
//! holding stages no access it ordered was in), a figure apart from hazards.
//!
//! ```
//! use ash::vk::{AccessFlags2 as A, PipelineStageFlags2 as S};
//! use weft_judge::{Judge, Target};
//!
//! let mut judge = Judge::new();
//! judge.add_buffer(1, "b", 64);
//! let whole = Target::Buffer { buffer: 1, offset: 0, size: 64 };
//! judge.command("fill");
//! judge.access(whole, S::CLEAR, A::TRANSFER_WRITE, None);
//! judge.command("copy");
//! judge.access(whole, S::COPY, A::TRANSFER_READ, None);
//! assert_eq!(judge.hazards().len(), 1); // no barrier between them
//! ```

mod location;
mod memory;
mod report;
mod resources;
mod stages;

use std::collections::HashSet;

use ash::vk::{self, AccessFlags2 as A, PipelineStageFlags2 as S};

pub use location::HazardKind;
use location::{Conflict, Dependency, Tag, Work};
use memory::Memories;
pub use report::{BarrierStats, Hazard};
use resources::Resources;
pub use stages::{destination_scope, source_scope};

/// What an access touches.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// Bytes `offset..offset + size` of a buffer (by its raw handle).
    Buffer {
        /// `vk::Buffer::as_raw()`.
        buffer: u64,
        /// First byte.
        offset: u64,
        /// Bytes (`vk::WHOLE_SIZE` for the rest of the buffer).
        size: u64,
    },
    /// Subresources of an image (by its raw handle).
    Image {
        /// `vk::Image::as_raw()`.
        image: u64,
        /// Which subresources.
        range: vk::ImageSubresourceRange,
    },
}

/// The judge: feed it resources, then the stream in submission order.
#[derive(Default)]
pub struct Judge {
    labels: Vec<String>,
    seq: u64,
    current: Option<Tag>,
    resources: Resources,
    memories: Memories,
    /// Signalled `(semaphore, value, seq)`, in submission order.
    signals: Vec<(u64, u64, u64)>,
    hazards: Vec<Hazard>,
    seen: HashSet<(HazardKind, u64, u64, u64)>,
    stats: BarrierStats,
    problems: Vec<String>,
}

impl Judge {
    /// An empty judge.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a buffer of `size` bytes (its raw handle and a name for reports).
    pub fn add_buffer(&mut self, buffer: u64, name: &str, size: u64) {
        self.resources.add_buffer(buffer, name, size);
    }

    /// Declares an image: its raw handle, name, format aspects, mips and layers.
    pub fn add_image(
        &mut self,
        image: u64,
        name: &str,
        aspects: vk::ImageAspectFlags,
        mips: u32,
        layers: u32,
    ) {
        self.resources.add_image(image, name, aspects, mips, layers);
    }

    /// Whether a buffer or image with this handle was declared.
    pub fn knows(&self, resource: u64) -> bool {
        self.resources.knows(resource)
    }

    /// Resource `resource` (a buffer or image declared before) lives in bytes
    /// `offset..offset + size` of memory object `memory`: resources bound to overlapping
    /// bytes alias, and a resource using bytes another used must be ordered after all of
    /// its uses (a hand-over). Binding again moves it.
    pub fn bind_memory(&mut self, resource: u64, memory: u64, offset: u64, size: u64) {
        self.memories.bind(resource, memory, offset, size);
    }

    fn tag(&mut self, label: &str) -> Tag {
        self.seq += 1;
        self.labels.push(label.to_owned());
        Tag {
            seq: self.seq,
            label: (self.labels.len() - 1) as u32,
        }
    }

    /// Starts a command: the accesses until the next `command` are its own (they do not
    /// conflict with each other).
    pub fn command(&mut self, label: &str) {
        self.current = Some(self.tag(label));
    }

    /// The current command accesses `target` in `stages` with `access`; `layout` is the
    /// layout an image access expects (`None` for buffers).
    pub fn access(
        &mut self,
        target: Target,
        stages: S,
        access: A,
        layout: Option<vk::ImageLayout>,
    ) {
        let tag = match self.current {
            Some(tag) => tag,
            None => self.tag("(a command)"),
        };
        let mut found = Vec::new();
        let handle = target_handle(&target);
        let known = self.resources.each_location(&target, |_, loc| {
            loc.access(tag, stages, access, layout, &mut found);
        });
        if !known {
            self.problems
                .push(format!("an access to unknown resource {handle:#x}"));
        }
        self.memories.access(handle, tag, stages, &mut found);
        self.record(handle, &found);
    }

    /// One `vkCmdPipelineBarrier2` call.
    pub fn barrier(
        &mut self,
        label: &str,
        memory: &[vk::MemoryBarrier2<'_>],
        buffers: &[vk::BufferMemoryBarrier2<'_>],
        images: &[vk::ImageMemoryBarrier2<'_>],
    ) {
        let tag = self.tag(label);
        let global: Vec<Dependency> = memory
            .iter()
            .map(|m| {
                Dependency::new(
                    m.src_stage_mask,
                    m.src_access_mask,
                    m.dst_stage_mask,
                    m.dst_access_mask,
                    tag,
                )
            })
            .collect();
        let mut work = vec![Work::default(); memory.len() + buffers.len() + images.len()];
        let mut found: Vec<(u64, Vec<(Tag, Conflict)>)> = Vec::new();
        self.resources
            .barrier(&global, buffers, images, tag, &mut work, &mut found);
        let buffer_deps = buffers.iter().map(|b| {
            let (src, dst) = (b.src_stage_mask, b.dst_stage_mask);
            let dep = Dependency::new(src, b.src_access_mask, dst, b.dst_access_mask, tag);
            (vk::Handle::as_raw(b.buffer), dep)
        });
        let image_deps = images.iter().map(|i| {
            let (src, dst) = (i.src_stage_mask, i.dst_stage_mask);
            let mut dep = Dependency::new(src, i.src_access_mask, dst, i.dst_access_mask, tag);
            if i.old_layout != i.new_layout {
                dep.transition = Some((i.old_layout, i.new_layout));
            }
            (vk::Handle::as_raw(i.image), dep)
        });
        let own: Vec<(u64, Dependency)> = buffer_deps.chain(image_deps).collect();
        self.memories.barrier(&global, &own, &mut found);
        for (handle, conflicts) in found {
            self.record(handle, &conflicts);
        }
        let src_masks = memory
            .iter()
            .map(|m| m.src_stage_mask)
            .chain(buffers.iter().map(|b| b.src_stage_mask))
            .chain(images.iter().map(|i| i.src_stage_mask));
        for (src, did) in src_masks.zip(&work) {
            self.stats.count(src, did);
        }
    }

    /// The next submission waits for `semaphore` to reach `value` before `stages`.
    pub fn wait(&mut self, semaphore: u64, value: u64, stages: S) {
        match self.signal_seq(semaphore, value) {
            Some(seq) => {
                self.resources.wait(seq, destination_scope(stages));
                self.memories.wait(seq, destination_scope(stages));
            }
            None => self.problems.push(format!(
                "a submission waits for value {value} of semaphore {semaphore:#x}, which nothing \
                 submitted before it signals"
            )),
        }
    }

    /// The submission ends by signalling `value` on `semaphore` (after all its commands).
    pub fn signal(&mut self, semaphore: u64, value: u64) {
        let tag = self.tag("signal");
        self.signals.push((semaphore, value, tag.seq));
        self.current = None;
    }

    /// The host waits until `semaphore` reaches `value`; what is recorded later is ordered
    /// after everything submitted before that signal.
    pub fn host_wait(&mut self, semaphore: u64, value: u64) {
        match self.signal_seq(semaphore, value) {
            Some(seq) => {
                self.resources.wait(seq, stages::ALL_STAGES);
                self.memories.wait(seq, stages::ALL_STAGES);
            }
            None => self.problems.push(format!(
                "the host waits for value {value} of semaphore {semaphore:#x}, which was never \
                 submitted"
            )),
        }
    }

    fn signal_seq(&self, semaphore: u64, value: u64) -> Option<u64> {
        self.signals
            .iter()
            .find(|(s, v, _)| *s == semaphore && *v >= value)
            .map(|(_, _, seq)| *seq)
    }

    fn record(&mut self, handle: u64, found: &[(Tag, Conflict)]) {
        for (later, c) in found {
            if !self.seen.insert((c.kind, handle, later.seq, c.earlier.seq)) {
                continue;
            }
            let label = |t: Tag| self.labels[t.label as usize].clone();
            self.hazards.push(Hazard {
                kind: c.kind,
                resource: self.resources.name(handle),
                image: self.resources.is_image(handle),
                earlier: label(c.earlier),
                later: label(*later),
                earlier_is_transition: c.earlier_transition,
            });
        }
    }

    /// Every conflicting pair found so far (each pair once per resource).
    pub fn hazards(&self) -> &[Hazard] {
        &self.hazards
    }

    /// Barriers seen, and how many did nothing or were wider than needed.
    pub fn stats(&self) -> BarrierStats {
        self.stats
    }

    /// Things the stream got wrong that are not hazards (unknown resources, waits for
    /// values never signalled).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

fn target_handle(target: &Target) -> u64 {
    match target {
        Target::Buffer { buffer, .. } => *buffer,
        Target::Image { image, .. } => *image,
    }
}
