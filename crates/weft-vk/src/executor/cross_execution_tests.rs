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
    access, Access, BufferDesc, CompileOptions, ImageDesc, Plan, TaskBuffer, TaskGraph, TaskImage,
    View,
};
use weft_judge::HazardKind;

mod classes;
mod sequence;
mod transients;

use sequence::{Sequence, REAL_BUFFERS, REAL_IMAGES};

use super::bridge::Bridges;
use super::tracked::Tracked;
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
    fresh.build(plan, &copy, None);
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
    /// Reuse checks that knew the stamps unchanged without reading them.
    unread: usize,
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
    findings.unread += sequence.unread;
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
         them, {} of those without reading the stamps, {} kept their slot's barriers); hazards by class (buffer ranges, earlier reads, transitions, other): {:?}; \
         barriers {}, redundant {}, wider than needed {}",
        findings.sequences,
        findings.executions,
        findings.reused,
        findings.unread,
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
        findings.unread > 0,
        "no reuse knew the stamps from the bindings and the stamp count alone"
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
