//! A frame slot's transient sets: the one of the plan it ran last, and those of a few
//! plans before it. A graph with conditions runs a plan per combination of values, each
//! with its own placement; switching back to a combination whose set is kept makes nothing
//! and allocates nothing. At most [`KEPT_TRANSIENT_SETS`] sets are kept per slot (the
//! current one included), the least recently used dropped first; each holds its own memory.
//! Sets of another recording (another graph, or this one before it changed) are dropped as
//! soon as a set is made for a new one: kept sets are for switching conditions, not graphs.

use std::sync::Arc;

use weft_graph::{Plan, ResourceInfo};

use crate::context::Context;
use crate::error::VkError;

use super::transients::Transients;

/// The most transient sets a frame slot keeps (see the module doc).
pub const KEPT_TRANSIENT_SETS: usize = 4;

/// A frame slot's transient sets (see the module doc); derefs to the current one.
#[derive(Default)]
pub(crate) struct TransientSets {
    current: Transients,
    /// Sets of earlier plans, least recently used first.
    kept: Vec<Transients>,
}

impl TransientSets {
    /// Makes `plan`'s set the current one: the current set when it is `plan`'s, a kept one
    /// when there is one, else one made now (see [`Transients::make`]). A failure leaves the
    /// sets as they were.
    pub fn make(
        &mut self,
        ctx: &Arc<Context>,
        plan: &Plan,
        resources: &[ResourceInfo],
    ) -> Result<(), VkError> {
        if self.current.made_for() == plan.serial() {
            return Ok(());
        }
        self.kept
            .retain(|s| s.recording() == Some(plan.recording()));
        let set = match self.kept.iter().position(|s| s.made_for() == plan.serial()) {
            Some(i) => self.kept.remove(i),
            None => {
                let mut made = Transients::default();
                made.make(ctx, plan, resources)?;
                made
            }
        };
        let previous = std::mem::replace(&mut self.current, set);
        if previous.recording() == Some(plan.recording()) {
            self.kept.push(previous);
        }
        while self.kept.len() >= KEPT_TRANSIENT_SETS {
            self.kept.remove(0);
        }
        Ok(())
    }

    /// The sets the slot holds.
    pub fn sets(&self) -> usize {
        usize::from(self.current.made_for() != 0) + self.kept.len()
    }

    /// Bytes of memory all the slot's sets hold.
    pub fn held_bytes(&self) -> u64 {
        self.current.held_bytes() + self.kept.iter().map(Transients::held_bytes).sum::<u64>()
    }
}

impl std::ops::Deref for TransientSets {
    type Target = Transients;

    fn deref(&self) -> &Transients {
        &self.current
    }
}

impl std::ops::DerefMut for TransientSets {
    fn deref_mut(&mut self) -> &mut Transients {
        &mut self.current
    }
}
