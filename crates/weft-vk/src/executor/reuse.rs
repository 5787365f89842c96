//! Reusing the last execution's bridges. Bridging and remembering are functions of the plan
//! and of the states of the real resources it uses. When a plan runs again over the same
//! resources and nothing touched them since its own last execution (each still has the
//! stamp that execution left, see [`crate::stamped`]), and that execution left their
//! states exactly as it found them, this execution would compute the same bridges and
//! leave the same states again: both phases are skipped, which is what a frame loop that
//! replays one graph over the same resources does from its third frame on.
//!
//! Two operations: [`Reuse::check`] before bridging (may the last bridges be reused, and
//! if not, is this execution one that may settle), [`Reuse::settle`] after remembering.
//! When the graph's bindings are the same as at the last settle and no stamp was handed out
//! since ([`crate::stamped::stamps_taken`]), the stamps are known to be the same without
//! reading them.

use weft_graph::{Plan, Subresources};

use super::tracked::Tracked;
use crate::graph::ResolveKey;
use crate::stamped::stamps_taken;
use crate::state::AccessState;

/// What the executor knows of its last execution (see the module doc).
#[derive(Default)]
pub(crate) struct Reuse {
    /// [`Plan::serial`] of the last execution's plan (0: none).
    plan: u64,
    /// The stamps of its first uses' resources, as it left them.
    stamps: Vec<u64>,
    /// The bindings they were read through, and the stamps handed out then.
    bindings: Option<ResolveKey>,
    taken: u64,
    /// The last check knew the stamps unchanged without reading them (for the tests).
    #[cfg(test)]
    pub unread: bool,
    /// It found the states as the execution before it left them and left them unchanged:
    /// its bridges are those of the next execution that finds the same stamps.
    settled: bool,
    /// This execution found the states as the last one left them, and took `before`.
    comparing: bool,
    /// This execution reuses the last bridges.
    reused: bool,
    /// Scratch: the stamps found now, and the states before and after this execution.
    found: Vec<u64>,
    before: Snapshot,
    after: Snapshot,
}

/// The states of the resources of a plan's first uses, in their order.
#[derive(Default, PartialEq)]
struct Snapshot {
    segments: Vec<(u64, u64, AccessState)>,
    units: Vec<AccessState>,
}

impl Snapshot {
    fn take<T: Tracked + ?Sized>(&mut self, plan: &Plan, tracked: &T) {
        self.segments.clear();
        self.units.clear();
        for first in plan.first_uses() {
            match first.subresources {
                Subresources::Buffer { .. } => {
                    if let Some(states) = tracked.buffer_states(first.resource) {
                        states.read(|s| self.segments.extend_from_slice(s.segments()));
                    }
                }
                Subresources::Image(_) => {
                    if let Some((states, _, _)) = tracked.image_states(first.resource) {
                        states.read(|s| self.units.extend_from_slice(s));
                    }
                }
            }
        }
    }
}

/// The stamps of the resources of `plan`'s first uses, in their order, into `out`.
fn stamps_of<T: Tracked + ?Sized>(plan: &Plan, tracked: &T, out: &mut Vec<u64>) {
    out.clear();
    out.extend(plan.first_uses().iter().map(|first| {
        match first.subresources {
            Subresources::Buffer { .. } => tracked.buffer_states(first.resource).map(|s| s.stamp()),
            Subresources::Image(_) => tracked.image_states(first.resource).map(|s| s.0.stamp()),
        }
        .unwrap_or(0)
    }));
}

impl Reuse {
    /// Before bridging `plan`: true when the last execution's bridges are this one's (and
    /// bridging and remembering are to be skipped).
    /// `bindings` identifies the resources `tracked` holds (`None`: unknown, read the
    /// stamps).
    pub fn check<T: Tracked + ?Sized>(
        &mut self,
        plan: &Plan,
        tracked: &T,
        bindings: Option<ResolveKey>,
    ) -> bool {
        let unchanged =
            bindings.is_some() && bindings == self.bindings && stamps_taken() == self.taken;
        #[cfg(test)]
        {
            self.unread = unchanged && self.plan == plan.serial();
        }
        let untouched = self.plan == plan.serial()
            && (unchanged || {
                stamps_of(plan, tracked, &mut self.found);
                self.found == self.stamps
            });
        self.reused = untouched && self.settled;
        self.comparing = untouched && !self.settled;
        if self.comparing {
            self.before.take(plan, tracked);
        }
        self.reused
    }

    /// True when [`Reuse::check`] said to reuse.
    pub fn reused(&self) -> bool {
        self.reused
    }

    /// After remembering what `plan` leaves (when the bridges were not reused): notes the
    /// stamps left, and whether the states came out as they went in.
    pub fn settle<T: Tracked + ?Sized>(
        &mut self,
        plan: &Plan,
        tracked: &T,
        bindings: Option<ResolveKey>,
    ) {
        self.settled = self.comparing && {
            self.after.take(plan, tracked);
            self.after == self.before
        };
        self.comparing = false;
        self.plan = plan.serial();
        stamps_of(plan, tracked, &mut self.stamps);
        self.bindings = bindings;
        self.taken = stamps_taken();
    }

    /// Forgets the last execution: the next one bridges from the states.
    #[cfg(test)]
    pub fn forget(&mut self) {
        self.plan = 0;
        self.bindings = None;
        self.settled = false;
        self.comparing = false;
        self.reused = false;
    }
}
