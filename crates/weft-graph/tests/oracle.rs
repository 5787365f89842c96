//! Random recordings checked by an oracle written apart from the planner.
//!
//! The oracle never looks inside the planner: it records graphs and reads the plan through
//! the public API only, and re-derives everything else from the documented rules (DESIGN.md,
//! "compile()"): per subresource *unit* (a buffer byte, or one (mip, layer) of a color
//! image) it lists the accesses in record order, decides which pairs of tasks conflict,
//! computes the DAG depth, and then *executes* the plan in a small model of Vulkan
//! synchronization (execution dependency chains, availability and visibility of writes,
//! layout transitions as writes, global memory barriers) like synchronization validation
//! would, batch by batch. A case fails on any misordering, missing or superfluous barrier,
//! hazard, layout mismatch, or wrong first/last use of an external resource.
//!
//! Checks, per compiled plan (see `check_plan`):
//! 1. Partition: every task is in exactly one batch, `task_batch` agrees with `batch`.
//! 2. Order: conflicting tasks (same unit, not both reads in one layout, not both
//!    concurrent in one layout), explicit `after` edges and submits are ordered by batch;
//!    tasks of one batch are independent; `batch_count` is the DAG depth (sequential mode:
//!    one task per batch in record order, `stats().dag_depth` is the DAG depth).
//! 3. Execution: the synchronization model finds no RAW/WAR/WAW hazard, every access sees
//!    its unit in its layout, every image barrier starts from the unit's current layout;
//!    external units start in their `first_uses` state and end in their `last_uses` state;
//!    presented images end in `PRESENT_SRC_KHR`.
//! 4. Minimality: each memory barrier is justified by a conflicting pair on its `cause`
//!    resource that straddles its boundary with matching stages; each image barrier changes
//!    the layout into the one the next access of every unit of its range needs (or the
//!    present layout); no barrier at a boundary covers another one.
//! 5. Bookkeeping: submit batches, transient lifetimes and stats agree with the oracle.
//!
//! Planner bugs the oracle found are kept as regression tests at the end of the file.
//!
//! Where the plan may legitimately be wider than the oracle's minimum (a first or last use
//! names the union of its group's stages over a whole range, which a partial join can widen
//! for part of it), the oracle checks containment, not equality.

mod common;

use std::cell::Cell;

use ash::vk;
use common::{compile, record};
use proptest::bool::weighted;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use weft_graph::access::{COMPUTE_READ, COMPUTE_UNIFORM, COMPUTE_WRITE, FRAGMENT_UNIFORM};
use weft_graph::{
    Access, AccessKind, AccessUsage, BufferDesc, BufferView, CompileOptions, CompileThreads,
    ExternalUse, GraphError, ImageDesc, ImageView, Plan, Subresources, TaskBuffer, TaskGraph,
    TaskId, TaskImage, View,
};

// ---------------------------------------------------------------------------------------
// Vulkan masks, expanded to concrete bits so that meta flags (ALL_COMMANDS, MEMORY_WRITE,
// ALL_TRANSFER, ...) compare correctly.
// ---------------------------------------------------------------------------------------

type Stage = vk::PipelineStageFlags2;
type Acc = vk::AccessFlags2;

const TRANSFER_STAGES: u64 =
    Stage::COPY.as_raw() | Stage::BLIT.as_raw() | Stage::RESOLVE.as_raw() | Stage::CLEAR.as_raw();
const VERTEX_INPUT_STAGES: u64 =
    Stage::INDEX_INPUT.as_raw() | Stage::VERTEX_ATTRIBUTE_INPUT.as_raw();
const PRE_RASTER_STAGES: u64 = Stage::VERTEX_SHADER.as_raw()
    | Stage::TESSELLATION_CONTROL_SHADER.as_raw()
    | Stage::TESSELLATION_EVALUATION_SHADER.as_raw()
    | Stage::GEOMETRY_SHADER.as_raw();
const GRAPHICS_STAGES: u64 = Stage::DRAW_INDIRECT.as_raw()
    | VERTEX_INPUT_STAGES
    | PRE_RASTER_STAGES
    | Stage::FRAGMENT_SHADER.as_raw()
    | Stage::EARLY_FRAGMENT_TESTS.as_raw()
    | Stage::LATE_FRAGMENT_TESTS.as_raw()
    | Stage::COLOR_ATTACHMENT_OUTPUT.as_raw();
const ALL_STAGES: u64 = GRAPHICS_STAGES | Stage::COMPUTE_SHADER.as_raw() | TRANSFER_STAGES;

/// The concrete stages a stage mask names (TOP/BOTTOM_OF_PIPE and NONE name none).
fn stage_bits(s: Stage) -> u64 {
    let raw = s.as_raw();
    let mut out = raw & (ALL_STAGES | Stage::HOST.as_raw());
    for (meta, concrete) in [
        (Stage::ALL_COMMANDS, ALL_STAGES),
        (Stage::ALL_GRAPHICS, GRAPHICS_STAGES),
        (Stage::ALL_TRANSFER, TRANSFER_STAGES),
        (Stage::VERTEX_INPUT, VERTEX_INPUT_STAGES),
        (Stage::PRE_RASTERIZATION_SHADERS, PRE_RASTER_STAGES),
    ] {
        if raw & meta.as_raw() != 0 {
            out |= concrete;
        }
    }
    out
}

const READ_BITS: u64 = Acc::INDIRECT_COMMAND_READ.as_raw()
    | Acc::INDEX_READ.as_raw()
    | Acc::VERTEX_ATTRIBUTE_READ.as_raw()
    | Acc::UNIFORM_READ.as_raw()
    | Acc::INPUT_ATTACHMENT_READ.as_raw()
    | Acc::SHADER_SAMPLED_READ.as_raw()
    | Acc::SHADER_STORAGE_READ.as_raw()
    | Acc::COLOR_ATTACHMENT_READ.as_raw()
    | Acc::DEPTH_STENCIL_ATTACHMENT_READ.as_raw()
    | Acc::TRANSFER_READ.as_raw()
    | Acc::HOST_READ.as_raw();
const WRITE_BITS: u64 = Acc::SHADER_STORAGE_WRITE.as_raw()
    | Acc::COLOR_ATTACHMENT_WRITE.as_raw()
    | Acc::DEPTH_STENCIL_ATTACHMENT_WRITE.as_raw()
    | Acc::TRANSFER_WRITE.as_raw()
    | Acc::HOST_WRITE.as_raw();

/// The concrete access types an access mask names.
fn access_bits(a: Acc) -> u64 {
    let raw = a.as_raw();
    let mut out = raw & (READ_BITS | WRITE_BITS);
    for (meta, concrete) in [
        (Acc::MEMORY_READ, READ_BITS),
        (Acc::MEMORY_WRITE, WRITE_BITS),
        (
            Acc::SHADER_READ,
            Acc::SHADER_SAMPLED_READ.as_raw() | Acc::SHADER_STORAGE_READ.as_raw(),
        ),
        (Acc::SHADER_WRITE, Acc::SHADER_STORAGE_WRITE.as_raw()),
    ] {
        if raw & meta.as_raw() != 0 {
            out |= concrete;
        }
    }
    out
}

/// The single bits of a mask.
fn bits(mask: u64) -> impl Iterator<Item = u64> {
    (0..64)
        .map(|i| 1u64 << i)
        .filter(move |bit| mask & bit != 0)
}

// ---------------------------------------------------------------------------------------
// Accesses the generator picks from. Every kind appears, with compute, fragment, vertex,
// transfer and attachment stages.
// ---------------------------------------------------------------------------------------

const fn st(a: Stage, b: Stage) -> Stage {
    Stage::from_raw(a.as_raw() | b.as_raw())
}

/// The pairs of shader stages the tables below use besides single stages.
struct Pair;

impl Pair {
    const COMPUTE_FRAGMENT: Stage = st(Stage::COMPUTE_SHADER, Stage::FRAGMENT_SHADER);
    const VERTEX_FRAGMENT: Stage = st(Stage::VERTEX_SHADER, Stage::FRAGMENT_SHADER);
    const VERTEX_COMPUTE: Stage = st(Stage::VERTEX_SHADER, Stage::COMPUTE_SHADER);
}

const fn acc(stages: Stage, kind: AccessKind, usage: AccessUsage) -> Access {
    Access::new(stages, kind, usage)
}

use AccessKind::{ConcurrentReadWrite, ConcurrentWrite, Read, ReadWrite, Sampled, Write};
type Usage = AccessUsage;

const BUFFER_ACCESSES: &[Access] = &[
    // reads
    acc(Stage::COMPUTE_SHADER, Read, Usage::Storage),
    acc(Stage::FRAGMENT_SHADER, Read, Usage::Storage),
    acc(Pair::COMPUTE_FRAGMENT, Read, Usage::Storage),
    acc(Stage::COMPUTE_SHADER, Read, Usage::Uniform),
    acc(Pair::VERTEX_FRAGMENT, Read, Usage::Uniform),
    acc(Stage::FRAGMENT_SHADER, Sampled, Usage::Sampled),
    acc(Stage::COPY, Read, Usage::TransferSrc),
    acc(Stage::VERTEX_ATTRIBUTE_INPUT, Read, Usage::Vertex),
    acc(Stage::INDEX_INPUT, Read, Usage::Index),
    acc(Stage::DRAW_INDIRECT, Read, Usage::Indirect),
    // exclusive writes
    acc(Stage::COMPUTE_SHADER, Write, Usage::Storage),
    acc(Stage::FRAGMENT_SHADER, Write, Usage::Storage),
    acc(Stage::COMPUTE_SHADER, ReadWrite, Usage::Storage),
    acc(Pair::VERTEX_COMPUTE, ReadWrite, Usage::Storage),
    acc(Stage::COPY, Write, Usage::TransferDst),
    acc(Stage::ALL_TRANSFER, Write, Usage::TransferDst),
    // concurrent writes
    acc(Stage::COMPUTE_SHADER, ConcurrentWrite, Usage::Storage),
    acc(Stage::FRAGMENT_SHADER, ConcurrentWrite, Usage::Storage),
    acc(Stage::COMPUTE_SHADER, ConcurrentReadWrite, Usage::Storage),
    acc(Pair::COMPUTE_FRAGMENT, ConcurrentReadWrite, Usage::Storage),
    acc(Stage::COPY, ConcurrentWrite, Usage::TransferDst),
];

const IMAGE_ACCESSES: &[Access] = &[
    // reads
    acc(Stage::COMPUTE_SHADER, Read, Usage::Storage),
    acc(Stage::FRAGMENT_SHADER, Read, Usage::Storage),
    acc(Stage::COMPUTE_SHADER, Sampled, Usage::Sampled),
    acc(Stage::FRAGMENT_SHADER, Sampled, Usage::Sampled),
    acc(Pair::VERTEX_FRAGMENT, Sampled, Usage::Sampled),
    acc(Stage::COPY, Read, Usage::TransferSrc),
    acc(Stage::BLIT, Read, Usage::TransferSrc),
    acc(Stage::COLOR_ATTACHMENT_OUTPUT, Read, Usage::ColorAttachment),
    // exclusive writes
    acc(Stage::COMPUTE_SHADER, Write, Usage::Storage),
    acc(Stage::FRAGMENT_SHADER, ReadWrite, Usage::Storage),
    acc(
        Stage::COLOR_ATTACHMENT_OUTPUT,
        Write,
        Usage::ColorAttachment,
    ),
    acc(
        Stage::COLOR_ATTACHMENT_OUTPUT,
        ReadWrite,
        Usage::ColorAttachment,
    ),
    acc(Stage::COPY, Write, Usage::TransferDst),
    acc(Stage::ALL_TRANSFER, Write, Usage::TransferDst),
    // concurrent writes
    acc(Stage::COMPUTE_SHADER, ConcurrentWrite, Usage::Storage),
    acc(Stage::COMPUTE_SHADER, ConcurrentReadWrite, Usage::Storage),
    acc(Stage::FRAGMENT_SHADER, ConcurrentReadWrite, Usage::Storage),
    acc(Pair::COMPUTE_FRAGMENT, ConcurrentWrite, Usage::Storage),
    acc(Stage::BLIT, ConcurrentWrite, Usage::TransferDst),
];

/// The usages of every buffer: all that the buffer accesses above need.
fn buffer_usage() -> vk::BufferUsageFlags {
    use vk::BufferUsageFlags as B;
    B::STORAGE_BUFFER
        | B::UNIFORM_BUFFER
        | B::UNIFORM_TEXEL_BUFFER
        | B::TRANSFER_SRC
        | B::TRANSFER_DST
        | B::VERTEX_BUFFER
        | B::INDEX_BUFFER
        | B::INDIRECT_BUFFER
}

/// The usages of every image: all that the image accesses above need.
fn image_usage() -> vk::ImageUsageFlags {
    use vk::ImageUsageFlags as I;
    I::STORAGE | I::SAMPLED | I::TRANSFER_SRC | I::TRANSFER_DST | I::COLOR_ATTACHMENT
}

/// How accesses group on one unit, from the documented rules: reads (and samples) with one
/// layout share a group, concurrent writes with one layout share a group, every other
/// access is a group of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Read,
    Concurrent,
    Exclusive,
}

fn class_of(kind: AccessKind) -> Class {
    match kind {
        Read | Sampled => Class::Read,
        ConcurrentWrite | ConcurrentReadWrite => Class::Concurrent,
        Write | ReadWrite => Class::Exclusive,
    }
}

// ---------------------------------------------------------------------------------------
// Recipes: plain data the strategies generate and shrink; `build` turns one into a graph.
// ---------------------------------------------------------------------------------------

/// Raw numbers a view is cut from, reduced against the resource when the graph is built.
#[derive(Clone, Copy, Debug)]
struct ViewSpec {
    a: u8,
    b: u8,
    c: u8,
    d: u8,
    flags: u8,
}

#[derive(Clone, Debug)]
struct BufferSpec {
    external: bool,
    /// 16, 32 or 64 bytes.
    size_log: u8,
}

#[derive(Clone, Debug)]
struct ImageSpec {
    external: bool,
    mips: u32,
    layers: u32,
    /// Presented after the last task (external images only; transients must be refused).
    present: Option<ViewSpec>,
    /// Picks the read layout of this image in read-only graphs.
    pin_read: u8,
}

#[derive(Clone, Debug)]
struct AttSpec {
    resource: u8,
    access: u8,
    view: ViewSpec,
    /// Keep this attachment even when the oracle says it makes the task invalid (two
    /// overlapping attachments of one task with a write or two layouts); the task must then
    /// be refused. Otherwise such an attachment is left out.
    keep_if_invalid: bool,
}

#[derive(Clone, Debug)]
struct TaskSpec {
    submit_before: bool,
    /// Explicit edges, as distances back to earlier accepted tasks.
    after: Vec<u8>,
    attachments: Vec<AttSpec>,
}

#[derive(Clone, Debug)]
struct Recipe {
    buffers: Vec<BufferSpec>,
    images: Vec<ImageSpec>,
    tasks: Vec<TaskSpec>,
    sequential: bool,
}

fn view_spec() -> impl Strategy<Value = ViewSpec> {
    any::<(u8, u8, u8, u8, u8)>().prop_map(|(a, b, c, d, flags)| ViewSpec { a, b, c, d, flags })
}

fn recipe() -> impl Strategy<Value = Recipe> {
    let buffer =
        (any::<bool>(), 0u8..3).prop_map(|(external, size_log)| BufferSpec { external, size_log });
    let image = (
        any::<bool>(),
        1u32..=4,
        1u32..=4,
        proptest::option::weighted(0.3, view_spec()),
        any::<u8>(),
    )
        .prop_map(|(external, mips, layers, present, pin_read)| ImageSpec {
            external,
            mips,
            layers,
            present,
            pin_read,
        });
    let attachment = (any::<u8>(), any::<u8>(), view_spec(), weighted(0.1)).prop_map(
        |(resource, access, view, keep_if_invalid)| AttSpec {
            resource,
            access,
            view,
            keep_if_invalid,
        },
    );
    let task = (
        weighted(0.06),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => vec(any::<u8>(), 1..=2),
        ],
        vec(attachment, 1..=4),
    )
        .prop_map(|(submit_before, after, attachments)| TaskSpec {
            submit_before,
            after,
            attachments,
        });
    (
        vec(buffer, 1..=4),
        vec(image, 1..=3),
        vec(task, 1..=40),
        weighted(0.15),
    )
        .prop_map(|(buffers, images, tasks, sequential)| Recipe {
            buffers,
            images,
            tasks,
            sequential,
        })
}

// ---------------------------------------------------------------------------------------
// The oracle's own picture of a recording.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum ResKind {
    Buffer { size: u64 },
    Image { mips: u32, layers: u32 },
}

#[derive(Clone, Debug)]
struct Res {
    name: String,
    external: bool,
    kind: ResKind,
}

impl Res {
    fn unit_count(&self) -> usize {
        match self.kind {
            ResKind::Buffer { size } => size as usize,
            ResKind::Image { mips, layers } => (mips * layers) as usize,
        }
    }

    fn is_image(&self) -> bool {
        matches!(self.kind, ResKind::Image { .. })
    }

    /// The layout an access needs on this resource: images have layouts, buffers do not.
    fn layout(&self, access: &Access) -> vk::ImageLayout {
        if self.is_image() {
            access.image_layout()
        } else {
            vk::ImageLayout::UNDEFINED
        }
    }

    fn unit_name(&self, unit: usize) -> String {
        match self.kind {
            ResKind::Buffer { .. } => format!("`{}` byte {unit}", self.name),
            ResKind::Image { layers, .. } => format!(
                "`{}` mip {} layer {}",
                self.name,
                unit / layers as usize,
                unit % layers as usize
            ),
        }
    }
}

/// One attachment as the oracle sees it: the units it covers and its access.
#[derive(Clone, Debug)]
struct OAccess {
    res: usize,
    units: Vec<usize>,
    access: Access,
}

#[derive(Clone, Debug)]
struct OTask {
    accesses: Vec<OAccess>,
    /// Earlier tasks named by `after`.
    after: Vec<usize>,
    /// Number of submits recorded before the task.
    epoch: usize,
}

/// The recording, from the oracle's side.
#[derive(Debug, Default)]
struct World {
    resources: Vec<Res>,
    tasks: Vec<OTask>,
    /// Presented (resource, units).
    presents: Vec<(usize, Vec<usize>)>,
    /// Task counts at the submits that split the tasks.
    submits: Vec<usize>,
}

impl World {
    /// Adds `res`, which the graph was just asked to declare (`declared`: the handle, or the
    /// error), checking that the graph numbered it as the world does. Returns the handle.
    fn declared<H: Copy>(
        &mut self,
        res: Res,
        declared: Result<H, GraphError>,
        index: fn(H) -> u32,
    ) -> Result<H, String> {
        let handle = declared.map_err(|e| format!("declaring {}: {e}", res.name))?;
        if index(handle) as usize != self.resources.len() {
            return Err(format!("{} got index {}", res.name, index(handle)));
        }
        self.resources.push(res);
        Ok(handle)
    }
}

/// Whether the graph is fully random or reads external resources only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Mixed,
    ReadOnlyExternal,
}

fn buffer_view(spec: ViewSpec, size: u64) -> (u64, u64, Vec<usize>) {
    let (offset, len, view_size) = match spec.flags & 3 {
        0 => (0, size, u64::MAX),
        1 => {
            let words = size / 4;
            let first = u64::from(spec.a) % words;
            let len = 4 * (1 + u64::from(spec.b) % (words - first));
            (4 * first, len, len)
        }
        2 => {
            let offset = u64::from(spec.a) % size;
            let len = 1 + u64::from(spec.b) % (size - offset);
            (offset, len, len)
        }
        _ => {
            let offset = u64::from(spec.a) % size;
            (offset, size - offset, u64::MAX)
        }
    };
    let units = (offset..offset + len).map(|u| u as usize).collect();
    (offset, view_size, units)
}

/// `(base_mip, mip_count, base_layer, layer_count)` as given to the planner (counts may be
/// "the rest") and the units covered.
fn image_view(spec: ViewSpec, mips: u32, layers: u32) -> ((u32, u32, u32, u32), Vec<usize>) {
    if spec.flags & 3 == 0 {
        let units = (0..(mips * layers) as usize).collect();
        return ((0, u32::MAX, 0, u32::MAX), units);
    }
    let base_mip = u32::from(spec.a) % mips;
    let mip_count = 1 + u32::from(spec.b) % (mips - base_mip);
    let base_layer = u32::from(spec.c) % layers;
    let layer_count = 1 + u32::from(spec.d) % (layers - base_layer);
    let mut units = Vec::new();
    for m in base_mip..base_mip + mip_count {
        for l in base_layer..base_layer + layer_count {
            units.push((m * layers + l) as usize);
        }
    }
    let given_mips = if spec.flags & 4 != 0 && base_mip + mip_count == mips {
        u32::MAX
    } else {
        mip_count
    };
    let given_layers = if spec.flags & 8 != 0 && base_layer + layer_count == layers {
        u32::MAX
    } else {
        layer_count
    };
    ((base_mip, given_mips, base_layer, given_layers), units)
}

/// The access an attachment spec picks on a resource.
fn pick_access(mode: Mode, spec: &Recipe, res: usize, pick: u8) -> Access {
    let nb = spec.buffers.len();
    let filtered = |menu: &[Access], keep: &dyn Fn(&Access) -> bool| -> Vec<Access> {
        menu.iter().copied().filter(|a| keep(a)).collect()
    };
    let choose = |list: Vec<Access>| list[pick as usize % list.len()];
    if res < nb {
        let reads = filtered(BUFFER_ACCESSES, &|a| class_of(a.kind) == Class::Read);
        if mode == Mode::ReadOnlyExternal {
            return choose(reads);
        }
        BUFFER_ACCESSES[pick as usize % BUFFER_ACCESSES.len()]
    } else {
        if mode == Mode::ReadOnlyExternal {
            let i = &spec.images[res - nb];
            let reads = filtered(IMAGE_ACCESSES, &|a| class_of(a.kind) == Class::Read);
            let layout = reads[i.pin_read as usize % reads.len()].image_layout();
            return choose(filtered(IMAGE_ACCESSES, &|a| {
                class_of(a.kind) == Class::Read && a.image_layout() == layout
            }));
        }
        IMAGE_ACCESSES[pick as usize % IMAGE_ACCESSES.len()]
    }
}

/// True when two attachments of one task may not both be given (documented rule: they may
/// overlap only when both only read, in one layout).
fn invalid_pair(world: &World, a: &OAccess, b: &OAccess) -> bool {
    if a.res != b.res || !a.units.iter().any(|u| b.units.contains(u)) {
        return false;
    }
    let res = &world.resources[a.res];
    a.access.kind.writes()
        || b.access.kind.writes()
        || res.layout(&a.access) != res.layout(&b.access)
}

/// Records the recipe. Returns the graph and the oracle's picture of what was recorded, or
/// a message when the planner accepts or refuses something it should not.
fn build(spec: &Recipe, mode: Mode) -> Result<(TaskGraph, World), String> {
    let mut graph: TaskGraph = TaskGraph::new();
    let mut world = World::default();
    let mut buffers = Vec::new();
    let mut images = Vec::new();
    for (i, b) in spec.buffers.iter().enumerate() {
        let name = format!("b{i}");
        let size = 16u64 << b.size_log;
        let desc = BufferDesc {
            size,
            usage: buffer_usage(),
        };
        let external = b.external || mode == Mode::ReadOnlyExternal;
        let declared = if external {
            graph.external_buffer(&name, desc)
        } else {
            graph.transient_buffer(&name, desc)
        };
        let kind = ResKind::Buffer { size };
        let res = Res {
            name,
            external,
            kind,
        };
        buffers.push(world.declared(res, declared, TaskBuffer::index)?);
    }
    for (i, im) in spec.images.iter().enumerate() {
        let name = format!("i{i}");
        let desc = ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 16, 16, image_usage())
            .with_mips(im.mips)
            .with_layers(im.layers);
        let external = im.external || mode == Mode::ReadOnlyExternal;
        let declared = if external {
            graph.external_image(&name, desc)
        } else {
            graph.transient_image(&name, desc)
        };
        let (mips, layers) = (im.mips, im.layers);
        let res = Res {
            name,
            external,
            kind: ResKind::Image { mips, layers },
        };
        images.push(world.declared(res, declared, TaskImage::index)?);
    }
    let nb = buffers.len();
    let make_view = |res: usize, v: ViewSpec| -> (View, Vec<usize>) {
        if res < nb {
            let ResKind::Buffer { size } = world.resources[res].kind else {
                unreachable!()
            };
            let (offset, size, units) = buffer_view(v, size);
            let view = BufferView {
                buffer: buffers[res],
                offset,
                size,
            };
            (View::Buffer(view), units)
        } else {
            let im = &spec.images[res - nb];
            let ((base_mip, mip_count, base_layer, layer_count), units) =
                image_view(v, im.mips, im.layers);
            let aspect = if v.flags & 16 != 0 {
                vk::ImageAspectFlags::COLOR
            } else {
                vk::ImageAspectFlags::empty()
            };
            let view = ImageView {
                image: images[res - nb],
                aspect,
                base_mip,
                mip_count,
                base_layer,
                layer_count,
            };
            (View::Image(view), units)
        }
    };

    let mut ids: Vec<TaskId> = Vec::new();
    let mut epoch = 0;
    for (t, task) in spec.tasks.iter().enumerate() {
        if task.submit_before && !ids.is_empty() {
            graph.submit();
            if world.submits.last() != Some(&ids.len()) {
                world.submits.push(ids.len());
                epoch += 1;
            }
        }
        let mut views = Vec::new();
        let mut accesses: Vec<OAccess> = Vec::new();
        let mut valid = true;
        for att in &task.attachments {
            let res = att.resource as usize % world.resources.len();
            let access = pick_access(mode, spec, res, att.access);
            let (view, units) = make_view(res, att.view);
            let o = OAccess { res, units, access };
            if accesses.iter().any(|p| invalid_pair(&world, p, &o)) {
                if !att.keep_if_invalid {
                    continue;
                }
                valid = false;
            }
            views.push(view);
            accesses.push(o);
        }
        let mut after = Vec::new();
        if !ids.is_empty() {
            for &back in &task.after {
                let earlier = ids.len() - 1 - back as usize % ids.len();
                if !after.contains(&earlier) {
                    after.push(earlier);
                }
            }
        }
        let mut builder = graph.task(&format!("t{t}"));
        for (view, o) in views.iter().zip(&accesses) {
            builder = builder.attach(*view, o.access);
        }
        for &e in &after {
            builder = builder.after(ids[e]);
        }
        match (builder.record(), valid) {
            (Ok(id), true) => {
                if id.index() as usize != ids.len() {
                    return Err(format!("task t{t} got index {}", id.index()));
                }
                ids.push(id);
                world.tasks.push(OTask {
                    accesses,
                    after,
                    epoch,
                });
            }
            (Err(GraphError::OverlappingAttachments { .. }), false) => {}
            (Ok(_), false) => {
                return Err(format!(
                    "task t{t} was accepted though two of its attachments overlap with a \
                     write or two layouts: {accesses:?}"
                ))
            }
            (Err(e), _) => return Err(format!("task t{t} was refused: {e} ({accesses:?})")),
        }
    }
    if world.submits.last() == Some(&ids.len()) {
        // A submit after the last task splits nothing.
        world.submits.pop();
    }
    if mode == Mode::Mixed {
        for (i, im) in spec.images.iter().enumerate() {
            let Some(v) = im.present else { continue };
            let res = nb + i;
            let (view, units) = make_view(res, v);
            match (graph.present(view), world.resources[res].external) {
                (Ok(()), true) => world.presents.push((res, units)),
                (Err(GraphError::PresentOfTransient { .. }), false) => {}
                (r, _) => return Err(format!("present of i{i}: unexpected {r:?}")),
            }
        }
    }
    Ok((graph, world))
}

// ---------------------------------------------------------------------------------------
// Per-unit analysis: accesses in record order, access groups, conflicts, DAG depth.
// ---------------------------------------------------------------------------------------

/// One task's access to one unit (several read attachments of a task on one unit merge).
#[derive(Clone, Debug)]
struct Use {
    task: usize,
    stages: Stage,
    access: Acc,
    layout: vk::ImageLayout,
    class: Class,
    writes: bool,
    /// Index of its group among the unit's groups.
    group: usize,
}

#[derive(Clone, Debug)]
struct Group {
    class: Class,
    layout: vk::ImageLayout,
    tasks: Vec<usize>,
    stages: Stage,
    access: Acc,
}

#[derive(Clone, Debug, Default)]
struct UnitInfo {
    uses: Vec<Use>,
    groups: Vec<Group>,
}

/// Two accesses to one unit by different tasks must be ordered unless both only read in
/// one layout or both are concurrent writes in one layout.
fn conflicts(a: &Use, b: &Use) -> bool {
    let shared = a.class == b.class && a.class != Class::Exclusive && a.layout == b.layout;
    !shared
}

struct Analysis {
    /// `units[res][unit]`.
    units: Vec<Vec<UnitInfo>>,
    /// `conflict[i][j]` for `i < j`: some unit orders them.
    conflict: Vec<Vec<bool>>,
    /// Longest path (in tasks) over conflicts, explicit edges and submits.
    depth: usize,
}

fn analyse(world: &World) -> Analysis {
    let mut units: Vec<Vec<UnitInfo>> = world
        .resources
        .iter()
        .map(|r| vec![UnitInfo::default(); r.unit_count()])
        .collect();
    for (t, task) in world.tasks.iter().enumerate() {
        for a in &task.accesses {
            let res = &world.resources[a.res];
            for &u in &a.units {
                let info = &mut units[a.res][u];
                let layout = res.layout(&a.access);
                match info.uses.last_mut() {
                    // A second read attachment of the same task (same layout: checked when
                    // recording).
                    Some(last) if last.task == t => {
                        last.stages |= a.access.stages;
                        last.access |= a.access.access_flags();
                    }
                    _ => info.uses.push(Use {
                        task: t,
                        stages: a.access.stages,
                        access: a.access.access_flags(),
                        layout,
                        class: class_of(a.access.kind),
                        writes: a.access.kind.writes(),
                        group: 0,
                    }),
                }
            }
        }
    }
    for info in units.iter_mut().flatten() {
        let UnitInfo { uses, groups } = info;
        for u in uses.iter_mut() {
            let joins = groups.last().is_some_and(|g: &Group| {
                g.class == u.class && u.class != Class::Exclusive && g.layout == u.layout
            });
            if !joins {
                groups.push(Group {
                    class: u.class,
                    layout: u.layout,
                    tasks: Vec::new(),
                    stages: Stage::NONE,
                    access: Acc::NONE,
                });
            }
            let g = groups.last_mut().unwrap();
            g.tasks.push(u.task);
            g.stages |= u.stages;
            g.access |= u.access;
            u.group = groups.len() - 1;
        }
    }
    let n = world.tasks.len();
    let mut conflict = vec![vec![false; n]; n];
    for info in units.iter().flatten() {
        for (x, a) in info.uses.iter().enumerate() {
            for b in &info.uses[x + 1..] {
                if conflicts(a, b) {
                    conflict[a.task][b.task] = true;
                }
            }
        }
    }
    let mut level = vec![1usize; n];
    for j in 0..n {
        for i in 0..j {
            let ordered = conflict[i][j]
                || world.tasks[j].after.contains(&i)
                || world.tasks[i].epoch < world.tasks[j].epoch;
            if ordered {
                level[j] = level[j].max(level[i] + 1);
            }
        }
    }
    let depth = level.iter().copied().max().unwrap_or(0);
    Analysis {
        units,
        conflict,
        depth,
    }
}

// ---------------------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------------------

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Builds, compiles and checks one recipe. Returns the number of accepted tasks.
fn check_recipe(spec: &Recipe, mode: Mode) -> Result<usize, String> {
    let (graph, world) = build(spec, mode)?;
    let sequential = spec.sequential && mode == Mode::Mixed;
    let compile = |sequential, threads| {
        graph
            .compile(&CompileOptions {
                sequential,
                threads,
                ..CompileOptions::default()
            })
            .map_err(|e| format!("compile failed: {e}"))
    };
    let analysis = analyse(&world);
    let plan = compile(sequential, CompileThreads::One)?;
    check_plan(&world, &analysis, &plan, sequential).map_err(|e| {
        let text = plan.describe(&graph).unwrap_or_default();
        format!("{e}\n\n{text}")
    })?;
    // The walk in two parts on two threads (whatever the graph's size): a plan the oracle
    // accepts, and the same plan.
    let two = compile(sequential, CompileThreads::Two)?;
    check_plan(&world, &analysis, &two, sequential).map_err(|e| {
        let text = two.describe(&graph).unwrap_or_default();
        format!("two threads: {e}\n\n{text}")
    })?;
    let (first, second) = (plan.describe(&graph), two.describe(&graph));
    ensure!(
        first == second,
        "two threads gave another plan than one:\n{first:?}\n---\n{second:?}"
    );
    // Compiling again reuses the graph's working memory, also after a compile in the other
    // mode and with another number of threads: the plan must not change.
    compile(!sequential, CompileThreads::Two)?;
    let again = compile(sequential, CompileThreads::One)?;
    let (first, second) = (plan.describe(&graph), again.describe(&graph));
    ensure!(
        first == second,
        "a second compile gave another plan:\n{first:?}\n---\n{second:?}"
    );
    if mode == Mode::ReadOnlyExternal {
        // Reads in one layout per resource of resources that start in that layout need no
        // barrier at all.
        for b in 0..=plan.batch_count() {
            let set = plan.barriers_before(b);
            ensure!(
                set.is_empty(),
                "read-only graph has barriers before batch {b}: {set:?}\n\n{}",
                plan.describe(&graph).unwrap_or_default()
            );
        }
    }
    Ok(world.tasks.len())
}

/// One compiled plan under check, and what the checks read beside it.
#[derive(Clone, Copy)]
struct Checked<'a> {
    world: &'a World,
    an: &'a Analysis,
    plan: &'a Plan,
    /// The batch of each task (check 1).
    batch_of: &'a [usize],
    sequential: bool,
}

fn check_plan(world: &World, an: &Analysis, plan: &Plan, sequential: bool) -> Result<(), String> {
    let batch_of = check_partition(world, plan)?;
    let checked = Checked {
        world,
        an,
        plan,
        batch_of: &batch_of,
        sequential,
    };
    check_order(checked)?;
    check_submits_and_lifetimes(world, plan, &batch_of)?;
    check_barrier_sets(checked)?;
    let finals = simulate(world, an, plan, &batch_of)?;
    check_external_uses(world, an, plan, &batch_of, &finals)?;
    Ok(())
}

/// Check 1: batches partition the tasks; `task_batch` agrees; record order within a batch.
fn check_partition(world: &World, plan: &Plan) -> Result<Vec<usize>, String> {
    let n = world.tasks.len();
    let mut batch_of = vec![usize::MAX; n];
    for b in 0..plan.batch_count() {
        let tasks = plan.batch(b);
        ensure!(!tasks.is_empty(), "batch {b} is empty");
        ensure!(
            tasks.windows(2).all(|w| w[0] < w[1]),
            "batch {b} is not in record order: {tasks:?}"
        );
        for &t in tasks {
            let t = t as usize;
            ensure!(t < n, "batch {b} names task {t} of {n}");
            ensure!(
                batch_of[t] == usize::MAX,
                "task {t} is in batches {} and {b}",
                batch_of[t]
            );
            batch_of[t] = b;
        }
    }
    for (t, &b) in batch_of.iter().enumerate() {
        ensure!(b != usize::MAX, "task {t} is in no batch");
        let tb = plan.task_batch(t as u32);
        ensure!(
            tb == Some(b as u32),
            "task_batch({t}) = {tb:?} but batch({b}) holds it"
        );
    }
    ensure!(
        plan.task_batch(n as u32).is_none(),
        "task_batch past the last task"
    );
    ensure!(
        plan.task_order().len() == n,
        "task_order has {} tasks of {n}",
        plan.task_order().len()
    );
    Ok(batch_of)
}

/// Check 2: every ordering constraint is respected by batches, tasks of one batch are
/// independent, and there are exactly as many batches as the DAG is deep.
fn check_order(checked: Checked) -> Result<(), String> {
    let (world, an, plan) = (checked.world, checked.an, checked.plan);
    let (batch_of, sequential) = (checked.batch_of, checked.sequential);
    let n = world.tasks.len();
    for j in 0..n {
        for i in 0..j {
            let why = if an.conflict[i][j] {
                "they conflict on a subresource"
            } else if world.tasks[j].after.contains(&i) {
                "of an explicit after() edge"
            } else if world.tasks[i].epoch < world.tasks[j].epoch {
                "a submit separates them"
            } else {
                continue;
            };
            ensure!(
                batch_of[i] < batch_of[j],
                "task {i} (batch {}) must run before task {j} (batch {}) because {why}",
                batch_of[i],
                batch_of[j]
            );
        }
    }
    let stats = plan.stats();
    ensure!(
        stats.dag_depth == an.depth,
        "stats().dag_depth = {} but the DAG is {} deep",
        stats.dag_depth,
        an.depth
    );
    if sequential {
        ensure!(plan.is_sequential(), "plan does not say it is sequential");
        ensure!(
            plan.batch_count() == n,
            "sequential plan has {} batches for {n} tasks",
            plan.batch_count()
        );
        for (t, &b) in batch_of.iter().enumerate() {
            ensure!(b == t, "sequential plan puts task {t} in batch {b}");
        }
    } else {
        ensure!(
            plan.batch_count() == an.depth,
            "{} batches but the DAG depth is {}",
            plan.batch_count(),
            an.depth
        );
    }
    Ok(())
}

/// Check 5 (part): submit batches split the tasks where the submits were recorded; each
/// transient lives from the first to the last batch that touches it; stats count right.
fn check_submits_and_lifetimes(
    world: &World,
    plan: &Plan,
    batch_of: &[usize],
) -> Result<(), String> {
    let submit_batches = plan.submit_batches();
    ensure!(
        submit_batches.len() == world.submits.len(),
        "submit_batches {submit_batches:?} for submits after tasks {:?}",
        world.submits
    );
    for (&count, &first) in world.submits.iter().zip(submit_batches) {
        let first = first as usize;
        for (t, &b) in batch_of.iter().enumerate() {
            ensure!(
                (t < count) == (b < first),
                "submit after {count} tasks starts at batch {first} but task {t} is in batch {b}"
            );
        }
    }
    let mut expected = Vec::new();
    for (r, res) in world.resources.iter().enumerate() {
        let batches = world
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.accesses.iter().any(|a| a.res == r))
            .map(|(t, _)| batch_of[t] as u32);
        let span = batches.fold(None, |s: Option<(u32, u32)>, b| {
            Some(s.map_or((b, b), |(lo, hi)| (lo.min(b), hi.max(b))))
        });
        if let (false, Some(span)) = (res.external, span) {
            expected.push((r as u32, span));
        }
    }
    let mut got: Vec<_> = plan
        .transient_lifetimes()
        .iter()
        .map(|l| (l.resource, (l.first_batch, l.last_batch)))
        .collect();
    got.sort_unstable();
    ensure!(
        got == expected,
        "transient lifetimes {got:?}, expected {expected:?}"
    );
    let stats = plan.stats();
    let boundaries: Vec<_> = (0..=plan.batch_count())
        .map(|b| plan.barriers_before(b))
        .collect();
    let memory: usize = boundaries.iter().map(|s| s.memory.len()).sum();
    let image: usize = boundaries.iter().map(|s| s.image.len()).sum();
    let calls = boundaries.iter().filter(|s| !s.is_empty()).count();
    let n = world.tasks.len();
    ensure!(
        stats.tasks == n
            && stats.batches == plan.batch_count()
            && stats.memory_barriers == memory
            && stats.image_barriers == image
            && stats.barrier_calls == calls
            && stats.submits == world.submits.len() + usize::from(n > 0),
        "stats {stats:?} do not count the plan ({n} tasks, {memory} memory barriers, \
         {image} image barriers, {calls} calls, {} submits)",
        world.submits.len()
    );
    Ok(())
}

/// The units of an image range, or why it is not a range of this color image.
fn image_range_units(res: &Res, range: &weft_graph::ImageRange) -> Result<Vec<usize>, String> {
    let ResKind::Image { mips, layers } = res.kind else {
        return Err(format!("image range {range:?} on buffer `{}`", res.name));
    };
    ensure!(
        range.aspect == vk::ImageAspectFlags::COLOR,
        "range {range:?} of color image `{}` has aspect {:?}",
        res.name,
        range.aspect
    );
    let mip_end = u64::from(range.base_mip) + u64::from(range.mip_count);
    let layer_end = u64::from(range.base_layer) + u64::from(range.layer_count);
    ensure!(
        range.mip_count > 0
            && range.layer_count > 0
            && mip_end <= u64::from(mips)
            && layer_end <= u64::from(layers),
        "range {range:?} is outside `{}` ({mips} mips, {layers} layers)",
        res.name
    );
    let mut units = Vec::new();
    for m in range.base_mip..range.base_mip + range.mip_count {
        for l in range.base_layer..range.base_layer + range.layer_count {
            units.push((m * layers + l) as usize);
        }
    }
    Ok(units)
}

fn subresource_units(res: &Res, sub: &Subresources) -> Result<Vec<usize>, String> {
    match (*sub, res.kind) {
        (Subresources::Buffer { offset, size }, ResKind::Buffer { size: total }) => {
            ensure!(
                size > 0 && offset.checked_add(size).is_some_and(|e| e <= total),
                "bytes {offset}+{size} outside `{}` ({total} bytes)",
                res.name
            );
            Ok((offset as usize..(offset + size) as usize).collect())
        }
        (Subresources::Image(range), _) => image_range_units(res, &range),
        _ => Err(format!("subresources {sub:?} do not fit `{}`", res.name)),
    }
}

fn is_full_barrier(src: Stage, dst: Stage) -> bool {
    stage_bits(src) == ALL_STAGES && stage_bits(dst) == ALL_STAGES
}

/// Check 4: no barrier without a reason, no barrier another one at its boundary covers.
fn check_barrier_sets(checked: Checked) -> Result<(), String> {
    let (world, an, plan) = (checked.world, checked.an, checked.plan);
    let (batch_of, sequential) = (checked.batch_of, checked.sequential);
    let count = plan.batch_count();
    for b in 0..=count {
        let set = plan.barriers_before(b);
        for (x, m) in set.memory.iter().enumerate() {
            for (y, other) in set.memory.iter().enumerate() {
                let covers = x != y
                    && other.src_stages.contains(m.src_stages)
                    && other.src_access.contains(m.src_access)
                    && other.dst_stages.contains(m.dst_stages)
                    && other.dst_access.contains(m.dst_access);
                ensure!(
                    !covers,
                    "before batch {b}: memory barrier {m:?} is covered by {other:?}"
                );
            }
            if sequential && is_full_barrier(m.src_stages, m.dst_stages) {
                continue;
            }
            ensure!(
                (m.cause as usize) < world.resources.len(),
                "before batch {b}: memory barrier {m:?} names no resource"
            );
            // Some conflicting pair on the cause resource straddles the boundary, with an
            // earlier stage in the barrier's source and a later one in its destination.
            let (src, dst) = (stage_bits(m.src_stages), stage_bits(m.dst_stages));
            let justified = an.units[m.cause as usize].iter().any(|info| {
                info.uses.iter().enumerate().any(|(x, early)| {
                    batch_of[early.task] < b
                        && stage_bits(early.stages) & src != 0
                        && info.uses[x + 1..].iter().any(|late| {
                            batch_of[late.task] >= b
                                && stage_bits(late.stages) & dst != 0
                                && conflicts(early, late)
                        })
                })
            });
            ensure!(
                justified,
                "before batch {b}: memory barrier {m:?} for `{}` orders no conflicting pair",
                world.resources[m.cause as usize].name
            );
        }
        if sequential && b > 0 && b < count {
            ensure!(
                set.memory
                    .iter()
                    .any(|m| is_full_barrier(m.src_stages, m.dst_stages)),
                "sequential plan has no full barrier before batch {b}"
            );
        }
        for ib in set.image {
            ensure!(
                ib.old_layout != ib.new_layout,
                "before batch {b}: image barrier {ib:?} changes no layout"
            );
            let res = world
                .resources
                .get(ib.image as usize)
                .ok_or_else(|| format!("image barrier {ib:?} names no resource"))?;
            let presented = world
                .presents
                .iter()
                .find(|(r, _)| *r == ib.image as usize)
                .map(|(_, units)| units);
            for u in image_range_units(res, &ib.range)? {
                // The next access of the unit (earliest batch at or after b) needs the new
                // layout; or the unit is presented and this is the trailing boundary.
                let info = &an.units[ib.image as usize][u];
                let next = info
                    .uses
                    .iter()
                    .filter(|x| batch_of[x.task] >= b)
                    .min_by_key(|x| batch_of[x.task]);
                let ok = match next {
                    Some(x) => x.layout == ib.new_layout,
                    None => {
                        b == count
                            && ib.new_layout == vk::ImageLayout::PRESENT_SRC_KHR
                            && presented.is_some_and(|p| p.contains(&u))
                    }
                };
                ensure!(
                    ok,
                    "before batch {b}: image barrier {ib:?} moves {} to {:?}, but its next \
                     access is {:?}",
                    res.unit_name(u),
                    ib.new_layout,
                    next.map(|x| (x.task, x.layout))
                );
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Check 3: executing the plan in a model of Vulkan synchronization.
// ---------------------------------------------------------------------------------------

/// Who performed an access the model remembers.
#[derive(Clone, Copy, Debug)]
enum Who {
    Task(usize),
    /// A layout transition in the barriers before this batch.
    Transition(usize),
}

/// One remembered access in one stage. Accesses in several stages are remembered per stage.
#[derive(Clone, Debug)]
struct Rec {
    who: Who,
    /// The stage it ran in (0 for a layout transition, which runs inside a barrier).
    stage: u64,
    /// Write access types (0 for reads).
    write_bits: u64,
    /// Stages execution-ordered after it (its dependency chain).
    chain: u64,
    /// Whether its writes were made available, and the stages ordered after that.
    available: bool,
    avail_chain: u64,
    /// (stages, access types) its writes are visible to.
    visible: Vec<(u64, u64)>,
    /// Its group on the unit (`usize::MAX` for transitions).
    group: usize,
}

impl Rec {
    fn new(who: Who, stage: u64, write_bits: u64, group: usize) -> Self {
        Self {
            who,
            stage,
            write_bits,
            chain: 0,
            available: false,
            avail_chain: 0,
            visible: Vec::new(),
            group,
        }
    }

    fn visible_to(&self, stage: u64, access: u64) -> bool {
        self.visible
            .iter()
            .any(|&(s, a)| s & stage != 0 && a & access != 0)
    }

    fn in_source_scope(&self, src: u64) -> bool {
        self.stage & src != 0 || self.chain & src != 0
    }

    /// True when a dependency with this source scope makes its writes available (now, or
    /// by chaining to an earlier availability operation).
    fn made_available(&self, src: u64, src_access: u64) -> bool {
        let now =
            self.write_bits != 0 && self.stage & src != 0 && self.write_bits & !src_access == 0;
        now || (self.available && self.avail_chain & src != 0)
    }
}

/// One memory dependency, expanded to concrete bits.
#[derive(Clone, Copy, Debug)]
struct Dep {
    src: u64,
    src_access: u64,
    dst: u64,
    dst_access: u64,
}

impl Dep {
    fn new(src: Stage, src_access: Acc, dst: Stage, dst_access: Acc) -> Self {
        Self {
            src: stage_bits(src),
            src_access: access_bits(src_access),
            dst: stage_bits(dst),
            dst_access: access_bits(dst_access),
        }
    }
}

/// What a dependency does to a remembered access (computed from the state before the
/// barrier call: the dependencies of one call do not chain with each other).
#[derive(Clone, Copy, Default)]
struct Effect {
    chain: u64,
    avail_chain: u64,
    available: bool,
    visible: Option<(u64, u64)>,
}

fn effect(rec: &Rec, dep: &Dep) -> Option<Effect> {
    if !rec.in_source_scope(dep.src) {
        return None;
    }
    let mut e = Effect {
        chain: dep.dst,
        ..Effect::default()
    };
    if rec.made_available(dep.src, dep.src_access) {
        e.available = true;
        e.avail_chain = dep.dst;
        e.visible = Some((dep.dst, dep.dst_access));
    }
    Some(e)
}

fn apply(rec: &mut Rec, e: Effect) {
    rec.chain |= e.chain;
    rec.avail_chain |= e.avail_chain;
    rec.available |= e.available;
    if let Some(v) = e.visible {
        if !rec.visible.contains(&v) {
            rec.visible.push(v);
        }
    }
}

#[derive(Clone, Debug)]
struct SimUnit {
    layout: vk::ImageLayout,
    /// The last write (several for one concurrent group).
    writes: Vec<Rec>,
    /// Reads since the last write.
    reads: Vec<Rec>,
    /// Group of the last write.
    write_group: Option<usize>,
}

fn describe_who(who: Who) -> String {
    match who {
        Who::Task(t) => format!("task {t}"),
        Who::Transition(b) => format!("the layout transition before batch {b}"),
    }
}

fn stage_name(bit: u64) -> String {
    format!("{:?}", Stage::from_raw(bit))
}

/// Executes the plan; returns the final layout of every unit.
fn simulate(
    world: &World,
    an: &Analysis,
    plan: &Plan,
    batch_of: &[usize],
) -> Result<Vec<Vec<vk::ImageLayout>>, String> {
    // Initial state: external units in the layout of the first use that covers them (the
    // runtime bridges from the real resource's state), transient units undefined.
    let mut state: Vec<Vec<SimUnit>> = world
        .resources
        .iter()
        .map(|r| {
            vec![
                SimUnit {
                    layout: vk::ImageLayout::UNDEFINED,
                    writes: Vec::new(),
                    reads: Vec::new(),
                    write_group: None,
                };
                r.unit_count()
            ]
        })
        .collect();
    for first in plan.first_uses() {
        let Some(res) = world.resources.get(first.resource as usize) else {
            return Err(format!("first use {first:?} names no resource"));
        };
        if res.is_image() {
            for u in subresource_units(res, &first.subresources)? {
                state[first.resource as usize][u].layout = first.layout;
            }
        }
    }
    for b in 0..=plan.batch_count() {
        apply_barriers(world, plan, b, &mut state)?;
        if b < plan.batch_count() {
            run_batch(world, an, plan, b, batch_of, &mut state)?;
        }
    }
    for (res, units) in &world.presents {
        for &u in units {
            let layout = state[*res][u].layout;
            ensure!(
                layout == vk::ImageLayout::PRESENT_SRC_KHR,
                "presented {} ends in {layout:?}",
                world.resources[*res].unit_name(u)
            );
        }
    }
    Ok(state
        .iter()
        .map(|units| units.iter().map(|u| u.layout).collect())
        .collect())
}

/// The barriers before batch `b`: global memory dependencies on every unit, image barriers
/// on their range; a layout change is a write that must be ordered after the unit's
/// previous accesses and then becomes the unit's last write.
fn apply_barriers(
    world: &World,
    plan: &Plan,
    b: usize,
    state: &mut [Vec<SimUnit>],
) -> Result<(), String> {
    let set = plan.barriers_before(b);
    let global: Vec<Dep> = set
        .memory
        .iter()
        .map(|m| Dep::new(m.src_stages, m.src_access, m.dst_stages, m.dst_access))
        .collect();
    // Per unit: the image barriers that touch it.
    let mut local: Vec<Vec<Vec<usize>>> = state.iter().map(|u| vec![vec![]; u.len()]).collect();
    for (x, ib) in set.image.iter().enumerate() {
        let res = world
            .resources
            .get(ib.image as usize)
            .ok_or_else(|| format!("image barrier {ib:?} names no resource"))?;
        for u in image_range_units(res, &ib.range)? {
            local[ib.image as usize][u].push(x);
        }
    }
    for (r, units) in state.iter_mut().enumerate() {
        for (u, unit) in units.iter_mut().enumerate() {
            let name = || world.resources[r].unit_name(u);
            let mine = &local[r][u];
            ensure!(
                mine.len() <= 1,
                "before batch {b}: {} is in {} image barriers",
                name(),
                mine.len()
            );
            let image_dep = mine.first().map(|&x| {
                let ib = &set.image[x];
                (
                    ib,
                    Dep::new(ib.src_stages, ib.src_access, ib.dst_stages, ib.dst_access),
                )
            });
            if let Some((ib, dep)) = &image_dep {
                ensure!(
                    ib.old_layout == unit.layout,
                    "before batch {b}: image barrier {:?} -> {:?} on {} but it is in {:?}",
                    ib.old_layout,
                    ib.new_layout,
                    name(),
                    unit.layout
                );
                if ib.old_layout != ib.new_layout {
                    check_transition(unit, dep, b, &name)?;
                    let mut t = Rec::new(Who::Transition(b), 0, 0, usize::MAX);
                    t.chain = dep.dst;
                    t.available = true;
                    t.avail_chain = dep.dst;
                    t.visible.push((dep.dst, dep.dst_access));
                    unit.layout = ib.new_layout;
                    unit.writes = vec![t];
                    unit.reads.clear();
                    unit.write_group = None;
                    continue;
                }
            }
            let deps: Vec<&Dep> = global
                .iter()
                .chain(image_dep.as_ref().map(|(_, d)| d))
                .collect();
            for rec in unit.writes.iter_mut().chain(unit.reads.iter_mut()) {
                let effects: Vec<Effect> = deps.iter().filter_map(|d| effect(rec, d)).collect();
                for e in effects {
                    apply(rec, e);
                }
            }
        }
    }
    Ok(())
}

/// A layout transition reads and writes the unit: it must come after every read since the
/// last write (WAR), or after the last writes, made available (WAW).
fn check_transition(
    unit: &SimUnit,
    dep: &Dep,
    b: usize,
    name: &dyn Fn() -> String,
) -> Result<(), String> {
    for r in &unit.reads {
        ensure!(
            r.in_source_scope(dep.src),
            "WAR hazard: the layout transition of {} before batch {b} is not ordered after \
             the read by {} in {}",
            name(),
            describe_who(r.who),
            stage_name(r.stage)
        );
    }
    if unit.reads.is_empty() {
        for w in &unit.writes {
            ensure!(
                w.in_source_scope(dep.src) && w.made_available(dep.src, dep.src_access),
                "WAW hazard: the layout transition of {} before batch {b} is not ordered \
                 after the write by {} in {} (or the write is not made available)",
                name(),
                describe_who(w.who),
                stage_name(w.stage)
            );
        }
    }
    Ok(())
}

/// Runs batch `b`: every task is checked against the state before the batch (tasks of one
/// batch run at the same time), then all their accesses are remembered.
fn run_batch(
    world: &World,
    an: &Analysis,
    plan: &Plan,
    b: usize,
    batch_of: &[usize],
    state: &mut [Vec<SimUnit>],
) -> Result<(), String> {
    let mut updates: Vec<(usize, usize, &Use)> = Vec::new();
    for &t in plan.batch(b) {
        let t = t as usize;
        debug_assert_eq!(batch_of[t], b);
        for a in &world.tasks[t].accesses {
            let res = &world.resources[a.res];
            for &u in &a.units {
                let info = &an.units[a.res][u];
                let use_ = info.uses.iter().find(|x| x.task == t).unwrap();
                if updates
                    .iter()
                    .any(|&(r, v, x)| r == a.res && v == u && x.task == t)
                {
                    continue; // a second read attachment of this task on this unit
                }
                check_access(&state[a.res][u], use_, res, u, b)?;
                updates.push((a.res, u, use_));
            }
        }
    }
    for (r, u, use_) in updates {
        let unit = &mut state[r][u];
        let stages = stage_bits(use_.stages);
        if use_.writes {
            if unit.write_group != Some(use_.group) {
                unit.writes.clear();
                unit.reads.clear();
                unit.write_group = Some(use_.group);
            }
            let write_bits = access_bits(use_.access) & WRITE_BITS;
            for s in bits(stages) {
                unit.writes
                    .push(Rec::new(Who::Task(use_.task), s, write_bits, use_.group));
            }
        } else {
            for s in bits(stages) {
                unit.reads
                    .push(Rec::new(Who::Task(use_.task), s, 0, use_.group));
            }
        }
    }
    Ok(())
}

/// The access of `who` in the stage `s` after the write `w` of another group: ordered after
/// it, and every access type of `access` reached by it (RAW hazards when `who` reads, WAW
/// when it writes).
fn check_after_write(w: &Rec, who: &str, s: u64, access: u64, reads: bool) -> Result<(), String> {
    let (hazard, verb, reached) = if reads {
        ("RAW", "reads", "visible")
    } else {
        ("WAW", "writes", "made available")
    };
    ensure!(
        w.chain & s != 0,
        "{hazard} hazard: {who} {verb} in {} not ordered after the write by {}",
        stage_name(s),
        describe_who(w.who)
    );
    for a in bits(access) {
        ensure!(
            w.visible_to(s, a),
            "{hazard} hazard: the write by {} is not {reached} to {who} ({} {:?})",
            describe_who(w.who),
            stage_name(s),
            Acc::from_raw(a)
        );
    }
    Ok(())
}

/// The hazard checks of one access against the state of its unit.
fn check_access(unit: &SimUnit, use_: &Use, res: &Res, u: usize, b: usize) -> Result<(), String> {
    let who = format!("task {} (batch {b}) on {}", use_.task, res.unit_name(u));
    if res.is_image() {
        ensure!(
            unit.layout == use_.layout,
            "{who} needs {:?} but the unit is in {:?}",
            use_.layout,
            unit.layout
        );
    }
    let flags = access_bits(use_.access);
    let (read_bits, write_bits) = (flags & READ_BITS, flags & WRITE_BITS);
    // Members of one concurrent group do not synchronise with each other.
    let other_group = |rec: &Rec| !(use_.class == Class::Concurrent && rec.group == use_.group);
    for s in bits(stage_bits(use_.stages)) {
        if read_bits != 0 {
            for w in unit.writes.iter().filter(|w| other_group(w)) {
                check_after_write(w, &who, s, read_bits, true)?;
            }
        }
        if use_.writes {
            if !unit.reads.is_empty() {
                for r in unit.reads.iter().filter(|r| other_group(r)) {
                    ensure!(
                        r.chain & s != 0,
                        "WAR hazard: {who} writes in {} not ordered after the read by {} in {}",
                        stage_name(s),
                        describe_who(r.who),
                        stage_name(r.stage)
                    );
                }
            } else {
                for w in unit.writes.iter().filter(|w| other_group(w)) {
                    check_after_write(w, &who, s, write_bits, false)?;
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Check 3 (end) and 5: first and last uses of external resources.
// ---------------------------------------------------------------------------------------

/// For every unit, the indices of the external uses that cover it.
fn coverage(
    world: &World,
    uses: &[ExternalUse],
    what: &str,
) -> Result<Vec<Vec<Vec<usize>>>, String> {
    let mut cover: Vec<Vec<Vec<usize>>> = world
        .resources
        .iter()
        .map(|r| vec![Vec::new(); r.unit_count()])
        .collect();
    for (x, e) in uses.iter().enumerate() {
        let res = world
            .resources
            .get(e.resource as usize)
            .ok_or_else(|| format!("{what} {e:?} names no resource"))?;
        ensure!(res.external, "{what} {e:?} of transient `{}`", res.name);
        for u in subresource_units(res, &e.subresources)? {
            cover[e.resource as usize][u].push(x);
        }
    }
    Ok(cover)
}

fn check_external_uses(
    world: &World,
    an: &Analysis,
    plan: &Plan,
    batch_of: &[usize],
    finals: &[Vec<vk::ImageLayout>],
) -> Result<(), String> {
    let count = plan.batch_count();
    let first = plan.first_uses();
    let last = plan.last_uses();
    let first_cover = coverage(world, first, "first use")?;
    let last_cover = coverage(world, last, "last use")?;
    // The latest batch of the last group on each unit a last use covers.
    let mut last_batches: Vec<Option<usize>> = vec![None; last.len()];
    for (r, res) in world.resources.iter().enumerate() {
        let presented = |u: usize| {
            world
                .presents
                .iter()
                .any(|(p, units)| *p == r && units.contains(&u))
        };
        for u in 0..res.unit_count() {
            let info = &an.units[r][u];
            let touched = !info.uses.is_empty() || presented(u);
            let needed = usize::from(res.external && touched);
            let name = || res.unit_name(u);
            ensure!(
                first_cover[r][u].len() == needed && last_cover[r][u].len() == needed,
                "{} is covered by first uses {:?} and last uses {:?}, expected {needed} each",
                name(),
                first_cover[r][u],
                last_cover[r][u]
            );
            if needed == 0 {
                continue;
            }
            // First use: the first group of the unit, bridged before its first batch.
            let f = &first[first_cover[r][u][0]];
            match info.groups.first() {
                Some(g) => {
                    let earliest = g.tasks.iter().map(|&t| batch_of[t]).min().unwrap();
                    ensure!(
                        f.layout == g.layout
                            && f.stages.contains(g.stages)
                            && f.access.contains(g.access)
                            && f.batch as usize <= earliest,
                        "first use {f:?} of {} does not match its first group {g:?} \
                         (earliest batch {earliest})",
                        name()
                    );
                }
                None => ensure!(
                    f.layout == vk::ImageLayout::PRESENT_SRC_KHR && f.batch as usize == count,
                    "first use {f:?} of {}, which is only presented",
                    name()
                ),
            }
            // Last use: the final state of the unit.
            let x = last_cover[r][u][0];
            let l = &last[x];
            if presented(u) {
                ensure!(
                    l.layout == vk::ImageLayout::PRESENT_SRC_KHR && l.batch as usize == count,
                    "last use {l:?} of presented {}",
                    name()
                );
            } else {
                let g = info.groups.last().unwrap();
                ensure!(
                    l.layout == g.layout
                        && l.stages.contains(g.stages)
                        && l.access.contains(g.access),
                    "last use {l:?} of {} does not match its last group {g:?}",
                    name()
                );
                let latest = g.tasks.iter().map(|&t| batch_of[t]).max().unwrap();
                last_batches[x] = last_batches[x].max(Some(latest));
            }
            if res.is_image() {
                ensure!(
                    l.layout == finals[r][u],
                    "last use {l:?} of {} but the plan leaves it in {:?}",
                    name(),
                    finals[r][u]
                );
            }
        }
    }
    // The batch of a last use is the latest batch of the groups it covers.
    for (l, latest) in last.iter().zip(last_batches) {
        if let Some(latest) = latest {
            ensure!(
                l.batch as usize == latest,
                "last use {l:?} says batch {} but its last group's latest batch is {latest}",
                l.batch
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The properties.
// ---------------------------------------------------------------------------------------

fn run_property(cases: u32, mode: Mode) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let attempted = Cell::new(0usize);
    let accepted = Cell::new(0usize);
    let result = runner.run(&recipe(), |spec| {
        let n = check_recipe(&spec, mode).map_err(TestCaseError::fail)?;
        attempted.set(attempted.get() + spec.tasks.len());
        accepted.set(accepted.get() + n);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The generator must mostly produce valid tasks, or the property proves little.
    assert!(
        accepted.get() * 10 >= attempted.get() * 8,
        "only {} of {} generated tasks were accepted",
        accepted.get(),
        attempted.get()
    );
}

/// Random recordings of all access kinds over buffers and images, with explicit edges,
/// submits, presents and the sequential mode, checked by the oracle.
#[test]
fn random_recordings_satisfy_the_oracle() {
    run_property(2000, Mode::Mixed);
}

/// Recordings that only read external resources, in one layout per resource, need no
/// barrier at all (and still satisfy the oracle).
#[test]
fn read_only_recordings_need_no_barriers() {
    run_property(300, Mode::ReadOnlyExternal);
}

// ---------------------------------------------------------------------------------------
// Planner bugs the oracle found, as minimal reproductions. Each asserts the documented or
// Vulkan-required behaviour and fails today.
// ---------------------------------------------------------------------------------------

fn storage_and_uniform_buffer(
    graph: &mut TaskGraph,
    name: &str,
    size: u64,
) -> weft_graph::TaskBuffer {
    let usage = buffer_usage();
    graph
        .external_buffer(name, BufferDesc { size, usage })
        .unwrap()
}

/// A graph with the 64-byte buffer "b", written by its first task, "write".
fn graph_with_a_written_buffer() -> (TaskGraph, TaskBuffer) {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_and_uniform_buffer(&mut g, "b", 64);
    record(&mut g, "write", b, COMPUTE_WRITE);
    (g, b)
}

/// Buffers have no layouts, so reads of a buffer are one group whatever their usage:
/// a compute storage read and a fragment uniform read after one write can share a batch,
/// and the barrier after the write makes it visible to both. Before the fix, the planner derived an
/// "image layout" for buffer accesses (storage: GENERAL, uniform: UNDEFINED), so the two
/// reads form two groups: three batches instead of two, and the barrier between the reads is
/// execution-only, so the write never becomes visible to the uniform read (a RAW hazard by
/// the Vulkan memory model; synchronization validation does not report it).
#[test]
fn regression_buffer_reads_through_different_usages_conflict() {
    let (mut g, b) = graph_with_a_written_buffer();
    record(&mut g, "storage read", b, COMPUTE_READ);
    let uniform = record(&mut g, "uniform read", b, FRAGMENT_UNIFORM);
    let plan = compile(&g);
    // Expected: 2 batches, both reads in batch 1. Actual: 3 batches.
    assert_eq!(plan.batch_count(), 2, "{}", plan.describe(&g).unwrap());
    assert_eq!(plan.task_batch(uniform.index()), Some(1));
    // The barrier before batch 1 makes the write visible to the uniform read.
    let visible = plan.barriers_before(1).memory.iter().any(|m| {
        stage_bits(m.dst_stages) & Stage::FRAGMENT_SHADER.as_raw() != 0
            && access_bits(m.dst_access) & Acc::UNIFORM_READ.as_raw() != 0
    });
    assert!(visible, "{}", plan.describe(&g).unwrap());
}

/// A shader may bind one buffer range both as a storage buffer and as a uniform buffer,
/// read-only: the rule is that overlapping attachments of one task are fine when both only
/// read (layouts only matter for images). Today `record()` refuses it with
/// `OverlappingAttachments { problem: "they need different image layouts" }`.
#[test]
fn regression_buffer_read_attachments_with_different_usages_are_refused() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_and_uniform_buffer(&mut g, "b", 64);
    let recorded = g
        .task("both")
        .attach(b.range(0, 16), COMPUTE_READ)
        .attach(b.range(0, 16), COMPUTE_UNIFORM)
        .record();
    assert!(recorded.is_ok(), "{recorded:?}");
}

/// `ExternalUse::layout` is documented as "`UNDEFINED` for buffers"; before the fix a storage buffer's
/// first and last uses reported `GENERAL` (and a transfer source `TRANSFER_SRC_OPTIMAL`, ...).
#[test]
fn regression_buffer_uses_report_image_layouts() {
    let (g, _) = graph_with_a_written_buffer();
    let plan = compile(&g);
    assert_eq!(plan.first_uses()[0].layout, vk::ImageLayout::UNDEFINED);
    assert_eq!(plan.last_uses()[0].layout, vk::ImageLayout::UNDEFINED);
}

/// `ExternalUse::batch` of a last use is "the last batch of the group". When a later task
/// joins a read group on part of its range, the planner merged the ranges back into one last
/// use (their access unions are equal) but kept the batch of the first range (before the fix): here bytes
/// 4..8 are last read in batch 1 but the only last use says batch 0. The reverse also
/// happens: a merged image range split back into per-mip ranges gives every piece the first
/// range's batch, so mip 1, last read in batch 0, is reported at batch 1.
#[test]
fn regression_merged_last_use_keeps_the_batch_of_its_first_range() {
    let mut g: TaskGraph = TaskGraph::new();
    let b = storage_and_uniform_buffer(&mut g, "b", 16);
    let first = record(&mut g, "read all", b, COMPUTE_READ);
    g.task("read part later")
        .attach(b.range(4, 4), COMPUTE_READ)
        .after(first)
        .record()
        .unwrap();
    let plan = compile(&g);
    for last in plan.last_uses() {
        let Subresources::Buffer { offset, size } = last.subresources else {
            unreachable!()
        };
        if offset < 8 && offset + size > 4 {
            assert_eq!(last.batch, 1, "{:?}", plan.last_uses());
        }
    }

    let mut g: TaskGraph = TaskGraph::new();
    let image = g
        .external_image(
            "i",
            ImageDesc::new_2d(vk::Format::R8G8B8A8_UNORM, 16, 16, image_usage()).with_mips(2),
        )
        .unwrap();
    record(&mut g, "read all", image, COMPUTE_READ);
    g.submit();
    record(&mut g, "read mip 0 later", image.mip(0), COMPUTE_READ);
    let plan = compile(&g);
    for last in plan.last_uses() {
        let Subresources::Image(range) = last.subresources else {
            unreachable!()
        };
        let expected = if range.base_mip == 0 { 1 } else { 0 };
        assert_eq!(last.batch, expected, "{:?}", plan.last_uses());
    }
}

/// A write, then a read group, then a read-write in a stage the read group does not have:
/// the read-write reads the first write, so that write must be made visible to the
/// read-write's stage and access (Vulkan memory model: visibility is per stage and access
/// type). Before the fix, the barrier after the write targeted only the read group (compute storage
/// read) and the barrier before the read-write is execution-only (it is treated as a plain
/// write-after-read), so the write is never made visible to the vertex-shader storage read.
/// Synchronization validation does not report this (it skips the RAW check for a read
/// ordered after another read of the same write); the oracle's RAW check does.
/// (Found by this oracle; fixed: a read-write after a read group gets visibility.)
#[test]
fn regression_read_write_after_a_read_group_does_not_see_the_write() {
    let (mut g, b) = graph_with_a_written_buffer();
    record(&mut g, "read", b, COMPUTE_READ);
    let vertex_read_write = Access::new(Stage::VERTEX_SHADER, ReadWrite, Usage::Storage);
    let read_write = record(&mut g, "vertex read-write", b, vertex_read_write);
    let plan = compile(&g);
    let last = plan.task_batch(read_write.index()).unwrap() as usize;
    let visible = (1..=last).any(|boundary| {
        plan.barriers_before(boundary).memory.iter().any(|m| {
            stage_bits(m.dst_stages) & Stage::VERTEX_SHADER.as_raw() != 0
                && access_bits(m.dst_access) & Acc::SHADER_STORAGE_READ.as_raw() != 0
        })
    });
    assert!(visible, "{}", plan.describe(&g).unwrap());
}
