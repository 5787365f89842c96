//! Vulkan's rules for stages and access flags, written from the specification
//! (synchronization2: "Pipeline Stages", "Access Types", the table of supported access types),
//! never from the planner.

use ash::vk;

type S = vk::PipelineStageFlags2;
type A = vk::AccessFlags2;

// Concrete stages.
pub const DRAW_INDIRECT: u64 = S::DRAW_INDIRECT.as_raw();
pub const INDEX_INPUT: u64 = S::INDEX_INPUT.as_raw();
pub const VERTEX_ATTRIBUTE_INPUT: u64 = S::VERTEX_ATTRIBUTE_INPUT.as_raw();
pub const VERTEX_SHADER: u64 = S::VERTEX_SHADER.as_raw();
pub const FRAGMENT_SHADER: u64 = S::FRAGMENT_SHADER.as_raw();
pub const EARLY_FRAGMENT_TESTS: u64 = S::EARLY_FRAGMENT_TESTS.as_raw();
pub const LATE_FRAGMENT_TESTS: u64 = S::LATE_FRAGMENT_TESTS.as_raw();
pub const COLOR_ATTACHMENT_OUTPUT: u64 = S::COLOR_ATTACHMENT_OUTPUT.as_raw();
pub const COMPUTE_SHADER: u64 = S::COMPUTE_SHADER.as_raw();
pub const COPY: u64 = S::COPY.as_raw();
pub const BLIT: u64 = S::BLIT.as_raw();
pub const RESOLVE: u64 = S::RESOLVE.as_raw();
pub const CLEAR: u64 = S::CLEAR.as_raw();
pub const HOST: u64 = S::HOST.as_raw();
const TESSELLATION: u64 =
    S::TESSELLATION_CONTROL_SHADER.as_raw() | S::TESSELLATION_EVALUATION_SHADER.as_raw();
const GEOMETRY_SHADER: u64 = S::GEOMETRY_SHADER.as_raw();
const TASK_MESH: u64 = S::TASK_SHADER_EXT.as_raw() | S::MESH_SHADER_EXT.as_raw();
const RAY_TRACING: u64 = S::RAY_TRACING_SHADER_KHR.as_raw();

// Meta stages, expanded to the concrete stages they stand for.
pub const ALL_TRANSFER: u64 = S::ALL_TRANSFER.as_raw();
pub const ALL_COMMANDS: u64 = S::ALL_COMMANDS.as_raw();
const PRE_RASTERIZATION: u64 = VERTEX_SHADER | TESSELLATION | GEOMETRY_SHADER | TASK_MESH;
/// Every shader stage.
const SHADERS: u64 = PRE_RASTERIZATION | FRAGMENT_SHADER | COMPUTE_SHADER | RAY_TRACING;
const TRANSFER_STAGES: u64 = COPY | BLIT | RESOLVE | CLEAR;
const GRAPHICS: u64 = DRAW_INDIRECT
    | INDEX_INPUT
    | VERTEX_ATTRIBUTE_INPUT
    | PRE_RASTERIZATION
    | FRAGMENT_SHADER
    | EARLY_FRAGMENT_TESTS
    | LATE_FRAGMENT_TESTS
    | COLOR_ATTACHMENT_OUTPUT;
/// Everything a queue's commands do (the host is no queue command).
const QUEUE: u64 = GRAPHICS | COMPUTE_SHADER | TRANSFER_STAGES | RAY_TRACING;
const CONCRETE: u64 = QUEUE | HOST;
const META: [(u64, u64); 5] = [
    (ALL_COMMANDS, QUEUE),
    (S::ALL_GRAPHICS.as_raw(), GRAPHICS),
    (ALL_TRANSFER, TRANSFER_STAGES),
    (
        S::VERTEX_INPUT.as_raw(),
        INDEX_INPUT | VERTEX_ATTRIBUTE_INPUT,
    ),
    (S::PRE_RASTERIZATION_SHADERS.as_raw(), PRE_RASTERIZATION),
];
/// Stages that name no operation (valid, but nothing is performed in them).
const EMPTY: u64 = S::TOP_OF_PIPE.as_raw() | S::BOTTOM_OF_PIPE.as_raw();

/// The concrete stages a stage mask names, or the bits that are no stage.
pub fn expand_stages(stages: u64) -> Result<u64, u64> {
    let mut out = stages & CONCRETE;
    let mut known = CONCRETE | EMPTY;
    for (meta, concrete) in META {
        known |= meta;
        if stages & meta != 0 {
            out |= concrete;
        }
    }
    match stages & !known {
        0 => Ok(out),
        unknown => Err(unknown),
    }
}

// Access types.
pub const INDIRECT_COMMAND_READ: u64 = A::INDIRECT_COMMAND_READ.as_raw();
pub const INDEX_READ: u64 = A::INDEX_READ.as_raw();
pub const VERTEX_ATTRIBUTE_READ: u64 = A::VERTEX_ATTRIBUTE_READ.as_raw();
pub const UNIFORM_READ: u64 = A::UNIFORM_READ.as_raw();
pub const INPUT_ATTACHMENT_READ: u64 = A::INPUT_ATTACHMENT_READ.as_raw();
pub const SHADER_SAMPLED_READ: u64 = A::SHADER_SAMPLED_READ.as_raw();
pub const SHADER_STORAGE_READ: u64 = A::SHADER_STORAGE_READ.as_raw();
pub const SHADER_STORAGE_WRITE: u64 = A::SHADER_STORAGE_WRITE.as_raw();
pub const COLOR_ATTACHMENT_READ: u64 = A::COLOR_ATTACHMENT_READ.as_raw();
pub const COLOR_ATTACHMENT_WRITE: u64 = A::COLOR_ATTACHMENT_WRITE.as_raw();
pub const DEPTH_STENCIL_ATTACHMENT_READ: u64 = A::DEPTH_STENCIL_ATTACHMENT_READ.as_raw();
pub const DEPTH_STENCIL_ATTACHMENT_WRITE: u64 = A::DEPTH_STENCIL_ATTACHMENT_WRITE.as_raw();
pub const TRANSFER_READ: u64 = A::TRANSFER_READ.as_raw();
pub const TRANSFER_WRITE: u64 = A::TRANSFER_WRITE.as_raw();
pub const HOST_READ: u64 = A::HOST_READ.as_raw();
pub const HOST_WRITE: u64 = A::HOST_WRITE.as_raw();

/// The spec's table of supported access types: each access type and the concrete stages
/// that can perform it.
const SUPPORTED: [(u64, u64); 16] = [
    (INDIRECT_COMMAND_READ, DRAW_INDIRECT),
    (INDEX_READ, INDEX_INPUT),
    (VERTEX_ATTRIBUTE_READ, VERTEX_ATTRIBUTE_INPUT),
    (UNIFORM_READ, SHADERS),
    (INPUT_ATTACHMENT_READ, FRAGMENT_SHADER),
    (SHADER_SAMPLED_READ, SHADERS),
    (SHADER_STORAGE_READ, SHADERS),
    (SHADER_STORAGE_WRITE, SHADERS),
    (COLOR_ATTACHMENT_READ, COLOR_ATTACHMENT_OUTPUT),
    (COLOR_ATTACHMENT_WRITE, COLOR_ATTACHMENT_OUTPUT),
    (
        DEPTH_STENCIL_ATTACHMENT_READ,
        EARLY_FRAGMENT_TESTS | LATE_FRAGMENT_TESTS,
    ),
    (
        DEPTH_STENCIL_ATTACHMENT_WRITE,
        EARLY_FRAGMENT_TESTS | LATE_FRAGMENT_TESTS,
    ),
    // Copies, blits and resolves read; clears only write.
    (TRANSFER_READ, COPY | BLIT | RESOLVE),
    (TRANSFER_WRITE, COPY | BLIT | RESOLVE | CLEAR),
    (HOST_READ, HOST),
    (HOST_WRITE, HOST),
];

/// The write access types among [`SUPPORTED`].
pub const WRITES: u64 = SHADER_STORAGE_WRITE
    | COLOR_ATTACHMENT_WRITE
    | DEPTH_STENCIL_ATTACHMENT_WRITE
    | TRANSFER_WRITE
    | HOST_WRITE;
const READS: u64 = INDIRECT_COMMAND_READ
    | INDEX_READ
    | VERTEX_ATTRIBUTE_READ
    | UNIFORM_READ
    | INPUT_ATTACHMENT_READ
    | SHADER_SAMPLED_READ
    | SHADER_STORAGE_READ
    | COLOR_ATTACHMENT_READ
    | DEPTH_STENCIL_ATTACHMENT_READ
    | TRANSFER_READ
    | HOST_READ;

/// Access flags that stand for several access types.
const ACCESS_META: [(u64, u64); 4] = [
    (A::MEMORY_READ.as_raw(), READS),
    (A::MEMORY_WRITE.as_raw(), WRITES),
    (
        A::SHADER_READ.as_raw(),
        SHADER_SAMPLED_READ | SHADER_STORAGE_READ,
    ),
    (A::SHADER_WRITE.as_raw(), SHADER_STORAGE_WRITE),
];

/// The access types an access mask names (meta flags expanded).
pub fn expand_access(access: u64) -> u64 {
    let mut out = access & (READS | WRITES);
    for (meta, types) in ACCESS_META {
        if access & meta != 0 {
            out |= types;
        }
    }
    out
}

/// The single bits of a mask.
pub fn bits(mask: u64) -> impl Iterator<Item = u64> {
    (0..64).map(|i| 1u64 << i).filter(move |b| mask & b != 0)
}

/// Checks one half of a barrier (or an access): every stage bit is a stage, and every
/// access flag is supported by at least one of the stages (`MEMORY_READ`/`MEMORY_WRITE` are
/// valid anywhere).
pub fn check_masks(stages: u64, access: u64) -> Result<(), String> {
    let concrete = expand_stages(stages)
        .map_err(|bad| format!("stage bits {:?} are no stage", S::from_raw(bad)))?;
    for bit in bits(access) {
        if bit == A::MEMORY_READ.as_raw() || bit == A::MEMORY_WRITE.as_raw() {
            continue;
        }
        let supported = match ACCESS_META.iter().find(|(meta, _)| *meta == bit) {
            Some(_) => SHADERS,
            None => match SUPPORTED.iter().find(|(flag, _)| *flag == bit) {
                Some(&(_, stages)) => stages,
                None => return Err(format!("access bit {:?} is unknown", A::from_raw(bit))),
            },
        };
        if concrete & supported == 0 {
            return Err(format!(
                "access {:?} is performed by none of the stages {:?}",
                A::from_raw(bit),
                S::from_raw(stages)
            ));
        }
    }
    Ok(())
}
