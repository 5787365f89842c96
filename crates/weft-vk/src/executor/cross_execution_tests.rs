//! Executions judged across each other, on the CPU: random sequences of executions of
//! several compiled graphs over shared real resources (buffers with overlapping and
//! disjoint ranges, images with mips and layers), up to 3 frames in flight with no host
//! waits but the executor's own, every external resource bound anew each execution, or
//! the last execution repeated with its bindings (a frame loop's steady state, where the
//! executor reuses its bridges). The bridges, the boundaries' barriers and the remembered
//! states come from the executor's own code (`Bridges::build`, `FrameBarriers::prepare`,
//! `Bridges::remember`) over resources
//! without a device; the submissions' semaphore waits and host waits are those `Frames`
//! makes. Everything goes to `weft_judge`, written apart from this code.

use ash::vk::{self, Handle};
use weft_graph::{
    access, Access, BufferDesc, CompileOptions, ImageDesc, Plan, Subresources, TaskBuffer,
    TaskGraph, TaskImage, View,
};
use weft_judge::{HazardKind, Judge, Target};

mod classes;
mod transients;

use super::boundary::BoundaryInputs;
use super::bridge::{Bridges, Tracked};
use super::frame_barriers::FrameBarriers;
use crate::stamped::Stamped;
use crate::state::{AccessState, BufferStates};

const BUFFER_SIZE: u64 = 256;
const MIPS: u32 = 2;
const LAYERS: u32 = 2;
const TIMELINE: u64 = 0x7105;

/// xorshift64*: deterministic sequences by seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

fn image_desc() -> ImageDesc {
    let usage = vk::ImageUsageFlags::STORAGE
        | vk::ImageUsageFlags::SAMPLED
        | vk::ImageUsageFlags::COLOR_ATTACHMENT
        | vk::ImageUsageFlags::TRANSFER_SRC
        | vk::ImageUsageFlags::TRANSFER_DST;
    ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 16, 16, usage)
        .with_mips(MIPS)
        .with_layers(LAYERS)
}

/// Real resources without a device: their states, as `Buffer` and `Image` keep them.
struct Reals {
    buffers: Vec<Stamped<BufferStates>>,
    images: Vec<Stamped<Vec<AccessState>>>,
    desc: ImageDesc,
}

fn buffer_raw(real: usize) -> u64 {
    0x100 + real as u64
}

fn image_raw(real: usize) -> vk::Image {
    vk::Image::from_raw(0x200 + real as u64)
}

impl Reals {
    /// Real resources in the same states as these.
    fn copy(&self) -> Reals {
        Reals {
            buffers: (self.buffers.iter())
                .map(|b| Stamped::new(b.read(Clone::clone)))
                .collect(),
            images: (self.images.iter())
                .map(|i| Stamped::new(i.read(Clone::clone)))
                .collect(),
            desc: self.desc,
        }
    }
}

/// Checks that reused bridges are those built anew from the states (on copies of them, so
/// the states and their stamps stay as they are).
fn assert_reused_bridges_are_fresh(reused: &Bridges, plan: &Plan, table: &Table<'_>) {
    let reals = table.reals.copy();
    let copy = Table {
        reals: &reals,
        bound: table.bound.clone(),
    };
    let mut fresh = Bridges::default();
    fresh.build(plan, &copy);
    assert!(!fresh.reused());
    assert_eq!(
        format!("{:?}", fresh.memory),
        format!("{:?}", reused.memory)
    );
    assert_eq!(format!("{:?}", fresh.image), format!("{:?}", reused.image));
}

/// Per virtual resource: bound to a real image (true) or buffer, and its index.
type Bindings = Vec<Option<(bool, usize)>>;

/// One execution's bindings: virtual resource index -> real buffer or image.
struct Table<'a> {
    reals: &'a Reals,
    bound: Bindings,
}

impl Tracked for Table<'_> {
    fn buffer_states(&self, resource: u32) -> Option<&Stamped<BufferStates>> {
        match self.bound.get(resource as usize) {
            Some(Some((false, real))) => self.reals.buffers.get(*real),
            _ => None,
        }
    }

    fn image_states(
        &self,
        resource: u32,
    ) -> Option<(&Stamped<Vec<AccessState>>, &ImageDesc, vk::Image)> {
        match self.bound.get(resource as usize) {
            Some(Some((true, real))) => self
                .reals
                .images
                .get(*real)
                .map(|s| (s, &self.reals.desc, image_raw(*real))),
            _ => None,
        }
    }
}

/// A graph over 3 external buffers and 2 external images (and transients, see
/// [`transients`]), with its plan.
struct Recorded {
    graph: TaskGraph,
    plan: Plan,
    /// Per resource: is it an image.
    images: Vec<bool>,
    /// Per resource: is it external (bound anew each execution).
    external: Vec<bool>,
}

const BUFFER_ACCESSES: &[Access] = &[
    access::COMPUTE_READ,
    access::COMPUTE_WRITE,
    access::COMPUTE_READ_WRITE,
    access::FRAGMENT_READ,
    access::VERTEX_SHADER_READ,
    access::TRANSFER_SRC,
    access::TRANSFER_DST,
    access::CLEAR_DST,
    access::INDIRECT_ARGS,
    access::VERTEX_BUFFER,
];

const IMAGE_ACCESSES: &[Access] = &[
    access::COMPUTE_WRITE,
    access::COMPUTE_READ,
    access::COMPUTE_SAMPLED,
    access::FRAGMENT_SAMPLED,
    access::COLOR_WRITE,
    access::TRANSFER_SRC,
    access::TRANSFER_DST,
    access::BLIT_DST,
    access::CLEAR_DST,
];

/// The resources every graph of the tests declares, in this order: 3 external buffers
/// (resources 0..3) and 2 external images (3 and 4).
fn declare_resources(g: &mut TaskGraph) -> (Vec<TaskBuffer>, Vec<TaskImage>) {
    let usage = vk::BufferUsageFlags::STORAGE_BUFFER
        | vk::BufferUsageFlags::TRANSFER_SRC
        | vk::BufferUsageFlags::TRANSFER_DST
        | vk::BufferUsageFlags::INDIRECT_BUFFER
        | vk::BufferUsageFlags::VERTEX_BUFFER;
    let desc = BufferDesc {
        size: BUFFER_SIZE,
        usage,
    };
    let buffers = (0..3)
        .map(|i| {
            g.external_buffer(&format!("b{i}"), desc)
                .expect("a valid description")
        })
        .collect();
    let images = (0..2)
        .map(|i| {
            g.external_image(&format!("i{i}"), image_desc())
                .expect("a valid description")
        })
        .collect();
    (buffers, images)
}

/// `g` with its plan, its transients placed.
fn compiled(g: TaskGraph) -> Recorded {
    let mut plan = g
        .compile(&CompileOptions::default())
        .expect("a recording the graph accepted compiles");
    transients::place(&mut plan, &g);
    let images = g
        .resources()
        .iter()
        .map(|r| matches!(r.desc, weft_graph::ResourceDesc::Image(_)))
        .collect();
    let external = g
        .resources()
        .iter()
        .map(|r| r.lifetime == weft_graph::Lifetime::External)
        .collect();
    Recorded {
        graph: g,
        plan,
        images,
        external,
    }
}

fn random_graph(rng: &mut Rng) -> Recorded {
    let mut g = TaskGraph::new();
    let (mut buffers, mut images) = declare_resources(&mut g);
    let (transient_buffers, transient_images) = transients::declare(&mut g, image_desc());
    buffers.extend(transient_buffers);
    images.extend(transient_images);
    let ranges = [(0, 64), (64, 64), (32, 64), (0, 128), (64, 64)];
    for t in 0..2 + rng.below(5) {
        let mut task = g.task(&format!("t{t}"));
        for _ in 0..1 + rng.below(2) {
            let view: View = if rng.below(2) == 0 {
                let (offset, size) = rng.pick(&ranges);
                buffers[rng.below(buffers.len() as u64) as usize]
                    .range(offset, size)
                    .into()
            } else {
                let image = images[rng.below(images.len() as u64) as usize];
                let mip = rng.below(u64::from(MIPS) + 1) as u32;
                let layer = rng.below(u64::from(LAYERS) + 1) as u32;
                let view = image.whole();
                let view = if mip < MIPS {
                    view.mips(mip..mip + 1)
                } else {
                    view
                };
                let view = if layer < LAYERS {
                    view.layer(layer)
                } else {
                    view
                };
                view.into()
            };
            let access = if matches!(view, View::Image(_)) {
                rng.pick(IMAGE_ACCESSES)
            } else {
                rng.pick(BUFFER_ACCESSES)
            };
            task = task.attach(view, access);
        }
        // A task whose attachments overlap badly is refused: leave it out.
        let _ = task.record();
    }
    compiled(g)
}

/// Which fault to plant in the bridges of every execution.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    None,
    DropBridge,
    NarrowStages,
    ForgetTransition,
    /// Not in the bridges: one hand-over of aliased transients dropped from each plan.
    DropHandOver,
}

fn plant(bridges: &mut Bridges, fault: Fault) -> bool {
    match fault {
        Fault::None | Fault::DropHandOver => false,
        Fault::DropBridge => {
            let dropped = !bridges.memory.is_empty() || !bridges.image.is_empty();
            bridges.memory.pop();
            bridges.image.pop();
            dropped
        }
        Fault::NarrowStages => {
            let mut planted = false;
            for (_, b) in bridges.image.iter_mut() {
                if b.src_stage_mask != vk::PipelineStageFlags2::ALL_COMMANDS {
                    b.src_stage_mask = vk::PipelineStageFlags2::HOST;
                    planted = true;
                }
            }
            for (_, b) in bridges.memory.iter_mut() {
                b.src_stage_mask = vk::PipelineStageFlags2::HOST;
                planted = true;
            }
            planted
        }
        Fault::ForgetTransition => {
            let mut planted = false;
            for (_, b) in bridges.image.iter_mut() {
                if b.old_layout != b.new_layout {
                    b.new_layout = b.old_layout;
                    planted = true;
                }
            }
            planted
        }
    }
}

/// What one run of sequences found.
#[derive(Default, Debug)]
struct Findings {
    sequences: usize,
    executions: usize,
    /// Executions that reused the bridges before them, and that kept their slot's barriers.
    reused: usize,
    kept_barriers: usize,
    /// Sequences with a hazard (or a problem), and the faults planted.
    failed_sequences: usize,
    planted: usize,
    /// By class: buffer ranges (1), earlier reads (2), transitions (3), other.
    by_class: [usize; 4],
    barriers: usize,
    redundant: usize,
    wide: usize,
    first_failure: Option<String>,
}

/// Real resources, the judge and the executor's scratch, executing graphs one after another
/// with `frames` frames in flight.
struct Sequence {
    reals: Reals,
    judge: Judge,
    slots: Vec<u64>,
    bridges: Bridges,
    /// Per frame slot, as the executor keeps them.
    barriers: Vec<FrameBarriers>,
    executions: usize,
    /// Executions that reused the bridges before them, and that kept their slot's barriers.
    reused: usize,
    kept_barriers: usize,
}

const REAL_BUFFERS: usize = 4;
const REAL_IMAGES: usize = 3;

impl Sequence {
    fn new(frames: usize) -> Self {
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
            kept_barriers: 0,
        }
    }

    /// Executes `recorded` with its resources bound to `bound` (virtual index -> (image,
    /// real index)), as the executor does, feeding the judge; returns whether `fault` was
    /// planted.
    fn execute(&mut self, recorded: &Recorded, bound: Bindings, fault: Fault) -> bool {
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
        self.bridges.build(&recorded.plan, &table);
        if self.bridges.reused() {
            self.reused += 1;
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
        self.bridges.remember(plan, &table);
        let value = execution as u64 + 1;
        self.judge.signal(TIMELINE, value);
        self.slots[slot] = value;
        planted
    }
}

/// Runs one random sequence: a few graphs, executed in random order.
fn run_sequence(seed: u64, fault: Fault, findings: &mut Findings) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut graphs: Vec<Recorded> = (0..2 + rng.below(2))
        .map(|_| random_graph(&mut rng))
        .collect();
    let mut planted = false;
    if fault == Fault::DropHandOver {
        for recorded in &mut graphs {
            planted |= transients::drop_a_hand_over(&mut recorded.plan);
        }
    }
    let frames = 1 + rng.below(3) as usize;
    let mut sequence = Sequence::new(frames);
    let executions = 4 + rng.below(6) as usize;
    let mut last: Option<(usize, Bindings)> = None;
    for _ in 0..executions {
        if let (Some((graph, bound)), 0) = (&last, rng.below(2)) {
            // The last execution again, with the same bindings.
            planted |= sequence.execute(&graphs[*graph], bound.clone(), fault);
            continue;
        }
        let graph = rng.below(graphs.len() as u64) as usize;
        let recorded = &graphs[graph];
        // Bind every external resource anew: distinct reals of the right kind.
        let mut free_buffers: Vec<usize> = (0..REAL_BUFFERS).collect();
        let mut free_images: Vec<usize> = (0..REAL_IMAGES).collect();
        let bound: Bindings = recorded
            .images
            .iter()
            .zip(&recorded.external)
            .map(|(&image, &external)| {
                if !external {
                    return None;
                }
                let free = if image {
                    &mut free_images
                } else {
                    &mut free_buffers
                };
                let at = rng.below(free.len() as u64) as usize;
                Some((image, free.swap_remove(at)))
            })
            .collect();
        last = Some((graph, bound.clone()));
        planted |= sequence.execute(recorded, bound, fault);
    }
    findings.reused += sequence.reused;
    findings.kept_barriers += sequence.kept_barriers;
    let judge = &sequence.judge;
    findings.sequences += 1;
    findings.executions += executions;
    findings.planted += usize::from(planted);
    let stats = judge.stats();
    findings.barriers += stats.barriers;
    findings.redundant += stats.redundant;
    findings.wide += stats.wider_than_needed;
    if !judge.hazards().is_empty() || !judge.problems().is_empty() {
        findings.failed_sequences += 1;
        if findings.first_failure.is_none() {
            let first = judge
                .hazards()
                .first()
                .map(|h| h.to_string())
                .or_else(|| judge.problems().first().cloned());
            findings.first_failure = Some(format!("seed {seed}, {frames} frames: {first:?}"));
        }
    }
    for h in judge.hazards() {
        let class = if h.earlier_is_transition {
            2
        } else if h.kind == HazardKind::WriteAfterRead {
            1
        } else if !h.image && h.kind != HazardKind::Layout {
            0
        } else {
            3
        };
        findings.by_class[class] += 1;
    }
}

fn run(fault: Fault, sequences: u64) -> Findings {
    let mut findings = Findings::default();
    for seed in 0..sequences {
        run_sequence(seed, fault, &mut findings);
    }
    findings
}

#[test]
fn a_thousand_sequences_of_executions_have_no_hazard() {
    let findings = run(Fault::None, 1000);
    println!(
        "cross-execution fuzz: {} sequences, {} executions ({} reused the bridges before \
         them, {} kept their slot's barriers); hazards by class (buffer ranges, earlier reads, transitions, other): {:?}; \
         barriers {}, redundant {}, wider than needed {}",
        findings.sequences,
        findings.executions,
        findings.reused,
        findings.kept_barriers,
        findings.by_class,
        findings.barriers,
        findings.redundant,
        findings.wide
    );
    assert_eq!(findings.failed_sequences, 0, "{:?}", findings.first_failure);
    assert!(
        findings.reused * 10 > findings.executions,
        "only {} of {} executions reused their bridges",
        findings.reused,
        findings.executions
    );
    assert!(
        findings.kept_barriers * 20 > findings.executions,
        "only {} of {} executions kept their slot's barriers",
        findings.kept_barriers,
        findings.executions
    );
}

#[test]
fn planted_faults_in_the_bridges_are_caught() {
    for fault in [
        Fault::DropBridge,
        Fault::NarrowStages,
        Fault::ForgetTransition,
        Fault::DropHandOver,
    ] {
        let findings = run(fault, 200);
        println!(
            "{fault:?}: planted in {} of 200 sequences, caught in {}",
            findings.planted, findings.failed_sequences
        );
        assert!(
            findings.planted > 20,
            "{fault:?} planted in {} sequences",
            findings.planted
        );
        assert!(
            findings.failed_sequences * 2 >= findings.planted,
            "{fault:?}: planted in {} sequences, caught in {}",
            findings.planted,
            findings.failed_sequences
        );
    }
}
