//! Every pair of named accesses, on a buffer and on images of each format class: two tasks
//! on one external resource, compiled, and the barrier between them checked against rules
//! written here from the Vulkan specification (`access_table/spec.rs`, `access_table/rows.rs`),
//! not derived by the planner:
//!
//! - (a) when either access writes, or an image's layout changes, there is a barrier (a
//!   global memory barrier when the layout stays, an image barrier when it changes) whose
//!   source stages include all of the first access's stages and whose destination stages
//!   include all of the second's;
//! - (b) after a write, the source access includes the write's access types and the
//!   destination access includes every access type of the second access (a layout
//!   transition is a write too: its result is made visible to the second access); after a
//!   read, a same-layout barrier may be execution-only;
//! - (c) reads in one layout share a group: no barrier at all (and, DESIGN.md, concurrent
//!   accesses in one layout share one too);
//! - (d) an image barrier goes from the first access's layout to the second's, over the
//!   whole image;
//! - (e) every stage in a barrier is a stage, and every access flag is one its stages
//!   perform (the spec's table of supported access types);
//! - (f) (DESIGN.md: no over-wide barriers) nothing in the barrier beyond the two accesses.

use ash::vk;
use weft_graph::{BufferDesc, CompileOptions, ImageDesc, Plan, TaskGraph};

#[path = "access_table/rows.rs"]
mod rows;
#[path = "access_table/spec.rs"]
mod spec;

use rows::{rows, Class, Resource, Row};
use spec::{check_masks, expand_access, expand_stages, WRITES};

fn format(resource: Resource) -> vk::Format {
    match resource {
        Resource::Buffer | Resource::Color => vk::Format::R8G8B8A8_UNORM,
        Resource::Depth => vk::Format::D32_SFLOAT,
        Resource::DepthStencil => vk::Format::D24_UNORM_S8_UINT,
    }
}

fn aspects(resource: Resource) -> vk::ImageAspectFlags {
    match resource {
        Resource::Buffer | Resource::Color => vk::ImageAspectFlags::COLOR,
        Resource::Depth => vk::ImageAspectFlags::DEPTH,
        Resource::DepthStencil => vk::ImageAspectFlags::DEPTH | vk::ImageAspectFlags::STENCIL,
    }
}

/// One task per access, in order, on one external resource with every usage the accesses
/// could need.
fn record(resource: Resource, accesses: &[&Row]) -> Result<TaskGraph, weft_graph::GraphError> {
    let mut g = TaskGraph::new();
    let view: weft_graph::View = match resource {
        Resource::Buffer => {
            use vk::BufferUsageFlags as B;
            let usage = B::STORAGE_BUFFER
                | B::UNIFORM_BUFFER
                | B::UNIFORM_TEXEL_BUFFER
                | B::STORAGE_TEXEL_BUFFER
                | B::VERTEX_BUFFER
                | B::INDEX_BUFFER
                | B::INDIRECT_BUFFER
                | B::TRANSFER_SRC
                | B::TRANSFER_DST;
            g.external_buffer("res", BufferDesc { size: 256, usage })?
                .into()
        }
        _ => {
            use vk::ImageUsageFlags as I;
            let attachment = match resource {
                Resource::Color => I::COLOR_ATTACHMENT,
                _ => I::DEPTH_STENCIL_ATTACHMENT,
            };
            let usage = attachment
                | I::STORAGE
                | I::SAMPLED
                | I::INPUT_ATTACHMENT
                | I::TRANSFER_SRC
                | I::TRANSFER_DST;
            let desc = ImageDesc::new_2d(format(resource), 16, 16, usage);
            g.external_image("res", desc)?.into()
        }
    };
    for (i, row) in accesses.iter().enumerate() {
        g.task(&format!("t{i}")).attach(view, row.access).record()?;
    }
    Ok(g)
}

/// What the rules demand between `prev` and `next` on `resource`.
struct Expected {
    same_group: bool,
    old_layout: vk::ImageLayout,
    new_layout: vk::ImageLayout,
    layout_change: bool,
}

fn expected(resource: Resource, prev: &Row, next: &Row) -> Option<Expected> {
    let old_layout = prev.layout(resource)?;
    let new_layout = next.layout(resource)?;
    let layout_change = old_layout != new_layout;
    let same_group = !layout_change
        && matches!(
            (prev.class, next.class),
            (Class::Read, Class::Read) | (Class::Concurrent, Class::Concurrent)
        );
    Some(Expected {
        same_group,
        old_layout,
        new_layout,
        layout_change,
    })
}

/// The four masks of a barrier, whichever kind it is.
struct Masks {
    src_stages: u64,
    src_access: u64,
    dst_stages: u64,
    dst_access: u64,
}

/// Rules (a), (b), (e) and (f) for one barrier.
fn check_masks_of(prev: &Row, next: &Row, m: &Masks, layout_change: bool) -> Result<(), String> {
    let stages = |mask: u64| expand_stages(mask).unwrap_or(0);
    // (e)
    check_masks(m.src_stages, m.src_access).map_err(|e| format!("(e) source: {e}"))?;
    check_masks(m.dst_stages, m.dst_access).map_err(|e| format!("(e) destination: {e}"))?;
    // (a)
    let (src, dst) = (stages(m.src_stages), stages(m.dst_stages));
    if src & stages(prev.stages) != stages(prev.stages) {
        return Err("(a) source stages miss some of the first access's stages".into());
    }
    if dst & stages(next.stages) != stages(next.stages) {
        return Err("(a) destination stages miss some of the second access's stages".into());
    }
    // (b)
    let (src_access, dst_access) = (expand_access(m.src_access), expand_access(m.dst_access));
    let prev_writes = prev.flags & WRITES;
    if prev.writes() && src_access & prev_writes != prev_writes {
        return Err("(b) source access misses the first access's writes".into());
    }
    if (prev.writes() || layout_change) && dst_access & next.flags != next.flags {
        return Err("(b) destination access misses some of the second access's types".into());
    }
    // (f)
    if src & !stages(prev.stages) != 0 || dst & !stages(next.stages) != 0 {
        return Err("(f) stages beyond the two accesses'".into());
    }
    if src_access & !prev_writes != 0 {
        return Err("(f) source access beyond the first access's writes".into());
    }
    if dst_access & !next.flags != 0 {
        return Err("(f) destination access beyond the second access's types".into());
    }
    Ok(())
}

/// Checks the plan of `prev` then `next` on `resource`.
fn check_pair(resource: Resource, prev: &Row, next: &Row, e: &Expected) -> Result<(), String> {
    let g = record(resource, &[prev, next]).map_err(|e| format!("record failed: {e}"))?;
    let plan = g
        .compile(&CompileOptions::default())
        .map_err(|e| format!("compile failed: {e}"))?;
    // The external resource's first use is bridged by the runtime; nothing after the end.
    let batches = plan.batch_count();
    for boundary in [0, batches] {
        if !plan.barriers_before(boundary).is_empty() {
            return Err(format!("barriers at boundary {boundary}"));
        }
    }
    if e.same_group {
        // (c)
        if batches != 1 || !plan.barriers_before(1).is_empty() {
            return Err(format!(
                "(c) expected one group, no barrier; {}",
                shown(&plan)
            ));
        }
        return Ok(());
    }
    if batches != 2 || plan.task_batch(1) != Some(1) {
        return Err(format!("(a) the second task must wait; {}", shown(&plan)));
    }
    let set = plan.barriers_before(1);
    let masks = if e.layout_change {
        let [b] = set.image else {
            return Err(format!("(a) expected one image barrier; {}", shown(&plan)));
        };
        if !set.memory.is_empty() {
            return Err(format!("expected no memory barrier; {}", shown(&plan)));
        }
        // (d)
        if (b.old_layout, b.new_layout) != (e.old_layout, e.new_layout) {
            return Err(format!(
                "(d) transition {:?} -> {:?}, expected {:?} -> {:?}",
                b.old_layout, b.new_layout, e.old_layout, e.new_layout
            ));
        }
        let r = b.range;
        let whole = (r.base_mip, r.mip_count, r.base_layer, r.layer_count) == (0, 1, 0, 1);
        if r.aspect != aspects(resource) || !whole {
            return Err(format!("(d) range {r:?} is not the whole image"));
        }
        Masks {
            src_stages: b.src_stages.as_raw(),
            src_access: b.src_access.as_raw(),
            dst_stages: b.dst_stages.as_raw(),
            dst_access: b.dst_access.as_raw(),
        }
    } else {
        let [b] = set.memory else {
            return Err(format!("(a) expected one memory barrier; {}", shown(&plan)));
        };
        if !set.image.is_empty() {
            return Err(format!("expected no image barrier; {}", shown(&plan)));
        }
        Masks {
            src_stages: b.src_stages.as_raw(),
            src_access: b.src_access.as_raw(),
            dst_stages: b.dst_stages.as_raw(),
            dst_access: b.dst_access.as_raw(),
        }
    };
    check_masks_of(prev, next, &masks, e.layout_change)
        .map_err(|problem| format!("{problem}; {}", shown(&plan)))
}

fn shown(plan: &Plan) -> String {
    let set = plan.barriers_before(1);
    format!(
        "{} batches, memory {:?}, image {:?}",
        plan.batch_count(),
        set.memory,
        set.image
    )
}

#[test]
fn every_named_constant_has_a_row_with_the_specified_stages() {
    let rows = rows();
    for (name, access) in weft_graph::access::NAMED {
        let Some(row) = rows.iter().find(|r| r.name == *name) else {
            panic!("access::{name} has no row in access_table/rows.rs");
        };
        assert_eq!(
            access.stages.as_raw(),
            row.stages,
            "access::{name}: stages {:?}, the specification's are {:?}",
            access.stages,
            vk::PipelineStageFlags2::from_raw(row.stages)
        );
    }
    // The table itself: each row's access types are performed by its stages.
    for row in &rows {
        check_masks(row.stages, row.flags).unwrap_or_else(|e| panic!("row {}: {e}", row.name));
        assert_eq!(
            row.writes(),
            row.flags & WRITES != 0,
            "row {}: class and access types disagree",
            row.name
        );
    }
}

#[test]
fn recording_accepts_exactly_the_valid_resources() {
    let mut wrong = Vec::new();
    for row in &rows() {
        for resource in Resource::ALL {
            let valid = row.layout(resource).is_some();
            let recorded = record(resource, &[row]);
            if valid != recorded.is_ok() {
                wrong.push(format!(
                    "{} on {resource:?}: valid per the spec: {valid}, recorded: {:?}",
                    row.name,
                    recorded.err()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_pair_gets_the_barrier_the_specification_asks_for() {
    let rows = rows();
    let mut failures = Vec::new();
    let mut checked = [0usize; 4];
    for (k, resource) in Resource::ALL.into_iter().enumerate() {
        for prev in rows.iter().filter(|r| !r.last_only) {
            for next in &rows {
                let Some(e) = expected(resource, prev, next) else {
                    continue;
                };
                checked[k] += 1;
                if let Err(problem) = check_pair(resource, prev, next, &e) {
                    failures.push(format!(
                        "{} -> {} on {resource:?}: {problem}",
                        prev.name, next.name
                    ));
                }
            }
        }
    }
    let images: usize = checked[1..].iter().sum();
    println!(
        "access pairs checked: {} on buffers, {images} on images (color {}, depth {}, \
         depth/stencil {})",
        checked[0], checked[1], checked[2], checked[3]
    );
    assert!(
        failures.is_empty(),
        "{} of {} pairs break the rules:\n{}",
        failures.len(),
        checked.iter().sum::<usize>(),
        failures.join("\n")
    );
    // Not vacuous: most pairs of the table were tried.
    assert!(checked[0] >= 400, "only {} buffer pairs", checked[0]);
    assert!(images >= 1000, "only {images} image pairs");
}

#[test]
fn a_barrier_after_a_depth_pass_waits_for_late_fragment_tests() {
    let rows = rows();
    let row = |name: &str| rows.iter().find(|r| r.name == name).unwrap();
    let g = record(
        Resource::Depth,
        &[row("DEPTH_WRITE"), row("FRAGMENT_SAMPLED")],
    )
    .unwrap();
    let plan = g.compile(&CompileOptions::default()).unwrap();
    let b = plan.barriers_before(1).image[0];
    assert!(b
        .src_stages
        .contains(vk::PipelineStageFlags2::LATE_FRAGMENT_TESTS));
    assert!(b
        .src_access
        .contains(vk::AccessFlags2::DEPTH_STENCIL_ATTACHMENT_WRITE));
}
