//! What the judge reports: hazards (conflicting pairs no dependency orders) and, apart from
//! them, how many barriers did nothing or were wider than needed.

use ash::vk::PipelineStageFlags2 as S;

use crate::location::{HazardKind, Work};
use crate::stages::source_scope;

/// One pair of conflicting accesses that nothing orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hazard {
    /// What kind of conflict.
    pub kind: HazardKind,
    /// The resource's name.
    pub resource: String,
    /// Whether the resource is an image.
    pub image: bool,
    /// The earlier command (a barrier call's label when it was a layout transition).
    pub earlier: String,
    /// The later command (or barrier call).
    pub later: String,
    /// The earlier access was a layout transition.
    pub earlier_is_transition: bool,
}

impl std::fmt::Display for Hazard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let earlier = if self.earlier_is_transition {
            "the layout transition of "
        } else {
            ""
        };
        write!(
            f,
            "{:?} on {}: `{}` is not ordered after {earlier}`{}`",
            self.kind, self.resource, self.later, self.earlier
        )
    }
}

/// Barriers the judge saw (each memory, buffer or image barrier counts one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BarrierStats {
    /// All barriers.
    pub barriers: usize,
    /// Barriers that ordered nothing not already ordered and changed no layout.
    pub redundant: usize,
    /// Useful barriers whose source scope holds stages none of the accesses they ordered was
    /// in (for example `ALL_COMMANDS` where a compute write was the only thing to wait for).
    pub wider_than_needed: usize,
}

impl BarrierStats {
    pub(crate) fn count(&mut self, src: S, did: &Work) {
        self.barriers += 1;
        if !did.useful {
            self.redundant += 1;
        } else if !source_scope(did.ordered_stages).contains(source_scope(src)) {
            self.wider_than_needed += 1;
        }
    }
}
