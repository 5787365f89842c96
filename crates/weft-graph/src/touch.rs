//! What `compile()` reads of each attachment, packed when the task is recorded: the
//! resource, an interned access, and the intervals of the resource's linear subresource
//! space the view covers.
//!
//! The public [`Attachment`](crate::Attachment) keeps the view and access as the user gave
//! them (about 130 bytes). The compile walk reads every attachment once and touches
//! per-resource state at random, so its input is kept apart and small (24 bytes), which
//! keeps more of that state in cache on large graphs.

use std::collections::HashMap;

use crate::access::DerivedAccess;
use crate::view::Resolved;

/// An interval `[start, end)` of a resource's linear subresource space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interval {
    pub start: u64,
    pub end: u64,
}

/// Set in [`Touch::packed`] when the intervals are spilled (see [`Touch::intervals`]).
const SPILLED: u32 = 1 << 31;

/// The compile walk's view of one attachment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Touch {
    pub resource: u32,
    /// The access id in [`AccessTable`], with [`SPILLED`] set when the view covers more than
    /// one interval.
    packed: u32,
    /// The one interval; when spilled, `start..end` indexes the graph's spilled intervals.
    interval: Interval,
}

impl Touch {
    /// The id of the attachment's access in the graph's [`AccessTable`].
    pub fn access(&self) -> u32 {
        self.packed & !SPILLED
    }

    /// The intervals the view covers, in increasing order. `spill` is the graph's list of
    /// intervals of views that cover several.
    pub fn intervals<'a>(&'a self, spill: &'a [Interval]) -> &'a [Interval] {
        if self.packed & SPILLED == 0 {
            std::slice::from_ref(&self.interval)
        } else {
            spill
                .get(self.interval.start as usize..self.interval.end as usize)
                .unwrap_or(&[])
        }
    }

    /// Packs an attachment of `resource` with access id `access`, spilling the intervals of
    /// views that cover several into `spill`.
    pub fn new(resource: u32, access: u32, resolved: &Resolved, spill: &mut Vec<Interval>) -> Self {
        let mut intervals = [Interval { start: 0, end: 0 }; 1];
        let mut count = 0usize;
        let first_spilled = spill.len();
        resolved.for_each_interval(|start, end| {
            let interval = Interval { start, end };
            match count {
                0 => intervals[0] = interval,
                1 => spill.extend([intervals[0], interval]),
                _ => spill.push(interval),
            }
            count += 1;
        });
        if count <= 1 {
            Self {
                resource,
                packed: access,
                interval: intervals[0],
            }
        } else {
            Self {
                resource,
                packed: access | SPILLED,
                interval: Interval {
                    start: first_spilled as u64,
                    end: spill.len() as u64,
                },
            }
        }
    }
}

/// The [`Touch`]es of every task, in record order, and for each resource parity the
/// positions of the touches of resources of that parity: a walk in two parts gives part `p`
/// the resources of parity `p`, and each part reads only its own touches (checking each
/// touch's owner instead is a branch that goes either way at random).
#[derive(Clone, Debug, Default)]
pub(crate) struct TouchLists {
    all: Vec<Touch>,
    /// The end of each task's touches in `all`.
    ends: Vec<u32>,
    /// `by_parity[p]`: the indices in `all` of the touches of resources of parity `p`.
    by_parity: [Vec<u32>; 2],
    /// The end of each task's touches in each of `by_parity`.
    parity_ends: Vec<[u32; 2]>,
    /// The intervals of touches whose views cover more than one.
    pub spill: Vec<Interval>,
}

/// Which touches a part of the walk reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Selection {
    /// Every touch, in record order.
    All,
    /// The touches of resources of one parity, in record order.
    Parity(usize),
}

impl TouchLists {
    /// Adds a touch of the task being recorded.
    pub fn push(&mut self, touch: Touch) {
        self.by_parity[(touch.resource & 1) as usize].push(self.all.len() as u32);
        self.all.push(touch);
    }

    /// Ends the task being recorded: the touches pushed since the last call are its own.
    pub fn end_task(&mut self) {
        self.ends.push(self.all.len() as u32);
        self.parity_ends
            .push(self.by_parity.each_ref().map(|list| list.len() as u32));
    }

    /// The touches of the tasks where `runs` is true, as if only those had been recorded
    /// (the spilled intervals are shared: the touches keep their indices into them).
    pub fn subset(&self, runs: &[bool]) -> TouchLists {
        let mut sub = TouchLists {
            spill: self.spill.clone(),
            ..TouchLists::default()
        };
        for (task, _) in runs.iter().enumerate().filter(|(_, &r)| r) {
            for position in self.task_positions(Selection::All, task) {
                if let Some(&touch) = self.all.get(position) {
                    sub.push(touch);
                }
            }
            sub.end_task();
        }
        sub
    }

    /// The number of touches of all tasks.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// The number of tasks.
    pub fn task_count(&self) -> usize {
        self.ends.len()
    }

    /// The positions of task `task`'s touches among those `selection` reads (see
    /// [`TouchLists::at`]).
    #[inline]
    pub fn task_positions(&self, selection: Selection, task: usize) -> std::ops::Range<usize> {
        let end_of = |t: usize| match selection {
            Selection::All => self.ends.get(t).copied(),
            Selection::Parity(p) => self.parity_ends.get(t).map(|e| e[p & 1]),
        };
        let start = task.checked_sub(1).and_then(end_of).unwrap_or(0);
        start as usize..end_of(task).unwrap_or(start) as usize
    }

    /// The touch at position `position` among those `selection` reads.
    #[inline(always)]
    pub fn at(&self, selection: Selection, position: usize) -> Option<&Touch> {
        match selection {
            Selection::All => self.all.get(position),
            Selection::Parity(p) => self.by_parity[p & 1]
                .get(position)
                .and_then(|&i| self.all.get(i as usize)),
        }
    }
}

/// A present of (part of) an external image at the end of the graph: what `compile()`
/// reads of it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Present {
    pub resource: u32,
    pub resolved: Resolved,
}

/// The distinct derived accesses of a graph; attachments refer to them by index.
#[derive(Clone, Debug, Default)]
pub(crate) struct AccessTable {
    pub accesses: Vec<DerivedAccess>,
    ids: HashMap<DerivedAccess, u32>,
}

impl AccessTable {
    /// The id of `access`, added when new.
    pub fn intern(&mut self, access: DerivedAccess) -> u32 {
        *self.ids.entry(access).or_insert_with(|| {
            self.accesses.push(access);
            self.accesses.len() as u32 - 1
        })
    }
}
