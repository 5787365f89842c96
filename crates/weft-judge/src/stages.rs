//! Stage and access masks as the synchronisation rules read them: meta stages (`ALL_COMMANDS`,
//! `ALL_TRANSFER`, ...) stand for the stages they name, a source scope also holds the
//! stages logically earlier than its own, a destination scope those logically later, and
//! `MEMORY_READ`/`SHADER_WRITE`-like accesses stand for the accesses they include.

use ash::vk::{AccessFlags2 as A, PipelineStageFlags2 as S};

/// The graphics pipeline's stages in their logical order (the fragment shading rate stage
/// is left out: weft never uses it).
const GRAPHICS_ORDER: [S; 10] = [
    S::DRAW_INDIRECT,
    S::from_raw(S::INDEX_INPUT.as_raw() | S::VERTEX_ATTRIBUTE_INPUT.as_raw()),
    S::VERTEX_SHADER,
    S::TESSELLATION_CONTROL_SHADER,
    S::TESSELLATION_EVALUATION_SHADER,
    S::GEOMETRY_SHADER,
    S::EARLY_FRAGMENT_TESTS,
    S::FRAGMENT_SHADER,
    S::LATE_FRAGMENT_TESTS,
    S::COLOR_ATTACHMENT_OUTPUT,
];

/// The compute pipeline's stages in their logical order.
const COMPUTE_ORDER: [S; 2] = [S::DRAW_INDIRECT, S::COMPUTE_SHADER];

/// The transfer stages `ALL_TRANSFER` stands for.
const TRANSFER: S =
    S::from_raw(S::COPY.as_raw() | S::BLIT.as_raw() | S::RESOLVE.as_raw() | S::CLEAR.as_raw());

/// Every concrete stage the model knows.
pub const ALL_STAGES: S = S::from_raw(
    graphics().as_raw()
        | S::COMPUTE_SHADER.as_raw()
        | TRANSFER.as_raw()
        | S::HOST.as_raw()
        | S::ACCELERATION_STRUCTURE_BUILD_KHR.as_raw()
        | S::RAY_TRACING_SHADER_KHR.as_raw(),
);

const fn graphics() -> S {
    let mut bits = 0;
    let mut i = 0;
    while i < GRAPHICS_ORDER.len() {
        bits |= GRAPHICS_ORDER[i].as_raw();
        i += 1;
    }
    S::from_raw(bits)
}

/// The concrete stages `stages` names (meta stages replaced; `TOP_OF_PIPE` and
/// `BOTTOM_OF_PIPE` dropped, their meaning depends on the scope).
pub fn concrete(stages: S) -> S {
    if stages.contains(S::ALL_COMMANDS) {
        return ALL_STAGES;
    }
    let mut out = stages & ALL_STAGES;
    if stages.contains(S::ALL_GRAPHICS) {
        out |= graphics();
    }
    if stages.intersects(S::ALL_TRANSFER) {
        out |= TRANSFER;
    }
    if stages.contains(S::VERTEX_INPUT) {
        out |= S::INDEX_INPUT | S::VERTEX_ATTRIBUTE_INPUT;
    }
    if stages.contains(S::PRE_RASTERIZATION_SHADERS) {
        out |= S::VERTEX_SHADER
            | S::TESSELLATION_CONTROL_SHADER
            | S::TESSELLATION_EVALUATION_SHADER
            | S::GEOMETRY_SHADER;
    }
    out
}

/// Adds to `stages` every stage before (`earlier`) or after one of them in a pipeline.
fn along_pipelines(stages: S, earlier: bool) -> S {
    let mut out = stages;
    for order in [&GRAPHICS_ORDER[..], &COMPUTE_ORDER[..]] {
        let hit = |stage: &S| stages.intersects(*stage);
        let range = match (
            earlier,
            order.iter().position(hit),
            order.iter().rposition(hit),
        ) {
            (true, _, Some(last)) => 0..last + 1,
            (false, Some(first), _) => first..order.len(),
            _ => continue,
        };
        for stage in &order[range] {
            out |= *stage;
        }
    }
    out
}

/// The stages a barrier's (or signal's) source scope holds.
pub fn source_scope(stages: S) -> S {
    if stages.intersects(S::ALL_COMMANDS | S::BOTTOM_OF_PIPE) {
        return ALL_STAGES;
    }
    along_pipelines(concrete(stages), true)
}

/// The stages a barrier's (or wait's) destination scope holds.
pub fn destination_scope(stages: S) -> S {
    if stages.intersects(S::ALL_COMMANDS | S::TOP_OF_PIPE) {
        return ALL_STAGES;
    }
    along_pipelines(concrete(stages), false)
}

/// Every read access the model knows.
pub const ALL_READS: A = A::from_raw(
    A::INDIRECT_COMMAND_READ.as_raw()
        | A::INDEX_READ.as_raw()
        | A::VERTEX_ATTRIBUTE_READ.as_raw()
        | A::UNIFORM_READ.as_raw()
        | A::INPUT_ATTACHMENT_READ.as_raw()
        | A::SHADER_SAMPLED_READ.as_raw()
        | A::SHADER_STORAGE_READ.as_raw()
        | A::COLOR_ATTACHMENT_READ.as_raw()
        | A::DEPTH_STENCIL_ATTACHMENT_READ.as_raw()
        | A::TRANSFER_READ.as_raw()
        | A::HOST_READ.as_raw(),
);

/// Every write access the model knows.
pub const ALL_WRITES: A = A::from_raw(
    A::SHADER_STORAGE_WRITE.as_raw()
        | A::COLOR_ATTACHMENT_WRITE.as_raw()
        | A::DEPTH_STENCIL_ATTACHMENT_WRITE.as_raw()
        | A::TRANSFER_WRITE.as_raw()
        | A::HOST_WRITE.as_raw(),
);

/// The concrete accesses `access` names.
pub fn accesses(access: A) -> A {
    let mut out = access & (ALL_READS | ALL_WRITES);
    if access.contains(A::MEMORY_READ) {
        out |= ALL_READS;
    }
    if access.contains(A::MEMORY_WRITE) {
        out |= ALL_WRITES;
    }
    if access.contains(A::SHADER_READ) {
        out |= A::SHADER_SAMPLED_READ | A::SHADER_STORAGE_READ;
    }
    if access.contains(A::SHADER_WRITE) {
        out |= A::SHADER_STORAGE_WRITE;
    }
    out
}

/// Each set bit of `stages` on its own.
pub fn each_stage(stages: S) -> impl Iterator<Item = S> {
    let raw = stages.as_raw();
    (0..64)
        .map(|bit| 1u64 << bit)
        .filter(move |b| raw & b != 0)
        .map(S::from_raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_grow_along_the_pipeline() {
        let src = source_scope(S::FRAGMENT_SHADER);
        assert!(src.contains(S::VERTEX_SHADER | S::EARLY_FRAGMENT_TESTS | S::DRAW_INDIRECT));
        assert!(!src.intersects(S::LATE_FRAGMENT_TESTS | S::COMPUTE_SHADER));
        let dst = destination_scope(S::FRAGMENT_SHADER);
        assert!(dst.contains(S::LATE_FRAGMENT_TESTS | S::COLOR_ATTACHMENT_OUTPUT));
        assert!(!dst.intersects(S::VERTEX_SHADER));
        assert_eq!(destination_scope(S::COMPUTE_SHADER), S::COMPUTE_SHADER);
        assert!(source_scope(S::COMPUTE_SHADER).contains(S::DRAW_INDIRECT));
        assert_eq!(source_scope(S::TOP_OF_PIPE), S::NONE);
        assert_eq!(destination_scope(S::BOTTOM_OF_PIPE), S::NONE);
        assert_eq!(source_scope(S::ALL_COMMANDS), ALL_STAGES);
        assert_eq!(concrete(S::ALL_TRANSFER), TRANSFER);
    }

    #[test]
    fn meta_accesses_stand_for_what_they_include() {
        assert!(accesses(A::MEMORY_WRITE).contains(A::TRANSFER_WRITE));
        assert!(accesses(A::SHADER_READ).contains(A::SHADER_SAMPLED_READ));
        assert_eq!(accesses(A::TRANSFER_READ), A::TRANSFER_READ);
    }
}
