//! Task batches while the walk runs in parts on several threads.
//!
//! Each part places every task on the resources it owns only, so it finds a floor: the
//! highest batch end among the groups the task waits for there. A task's batch is the
//! highest floor of all parts. A part publishes its floor of each task as it finishes the
//! task, then how many tasks it finished; a part that needs the batch of an earlier task
//! another part has not finished yet waits for it. It never waits for long: tasks wait
//! for groups of earlier tasks, and the parts go through the tasks side by side.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::compile::options::Order;

/// A counter alone in its cache line: the part that writes it does not slow down readers
/// of its neighbours.
#[derive(Debug, Default)]
#[repr(align(64))]
struct Padded(AtomicU32);

/// The floors of every part, shared by the parts' threads.
#[derive(Debug, Default)]
pub(super) struct Floors {
    /// `floors[part][task]`: the floor `part` found for `task` (valid below `done[part]`).
    floors: Vec<Vec<AtomicU32>>,
    /// How many tasks each part has finished.
    done: Vec<Padded>,
    /// The sequential debug mode: task `t` is in batch `t`, whatever the floors.
    sequential: bool,
}

impl Floors {
    /// Floors for `parts` parts over `task_count` tasks, keeping the memory of earlier ones.
    pub fn reset(&mut self, parts: usize, task_count: usize, order: Order) {
        self.floors.resize_with(parts, Vec::new);
        for floors in &mut self.floors {
            floors.clear();
            floors.resize_with(task_count, || AtomicU32::new(0));
        }
        self.done.clear();
        self.done.resize_with(parts, Padded::default);
        self.sequential = order == Order::Sequential;
    }

    /// Part `part`'s view.
    pub fn reader(&self, part: usize) -> FloorReader<'_> {
        let other = 1 - part.min(1);
        FloorReader {
            floors: self,
            own: self.floors.get(part).map_or(&[], Vec::as_slice),
            own_done: (self.floors.len() > 1).then(|| &self.done[part].0),
            other: (self.floors.len() > 1)
                .then(|| (self.floors[other].as_slice(), &self.done[other].0)),
            sequential: self.sequential,
            other_done: Cell::new(0),
        }
    }

    /// The batch of every task, once every part has finished: the highest floor of each.
    /// Writes them into `batches`.
    pub fn batches(&self, task_count: usize, batches: &mut Vec<u32>) {
        batches.clear();
        if self.sequential {
            batches.extend(0..task_count as u32);
            return;
        }
        batches.resize(task_count, 0);
        for floors in &self.floors {
            for (batch, floor) in batches.iter_mut().zip(floors) {
                *batch = (*batch).max(floor.load(Ordering::Relaxed));
            }
        }
    }

    /// Marks part `part` finished with every task, whatever it did: a part that stopped
    /// early (a panic) must not leave the others waiting for it.
    pub fn finish(&self, part: usize) {
        if let Some(done) = self.done.get(part) {
            done.0.store(u32::MAX, Ordering::Release);
        }
    }
}

/// What one part reads and writes of the floors.
pub(super) struct FloorReader<'a> {
    floors: &'a Floors,
    own: &'a [AtomicU32],
    /// This part's finished count, when there are two parts.
    own_done: Option<&'a AtomicU32>,
    /// The other part's floors and finished count, when there are two parts.
    other: Option<(&'a [AtomicU32], &'a AtomicU32)>,
    sequential: bool,
    /// How many tasks the other part had finished when last asked.
    other_done: Cell<u32>,
}

impl FloorReader<'_> {
    /// The batch of task `task`, placed before task `current` (`None` for `current` itself,
    /// later tasks and [`NIL`](crate::compile::members::NIL)). Waits for the other part to finish
    /// `task` when it has not yet.
    #[inline(always)]
    pub fn batch(&self, task: u32, current: u32) -> Option<u32> {
        if task >= current {
            return None;
        }
        if self.sequential {
            return Some(task);
        }
        let mut batch = load(self.own, task);
        if let Some((floors, done)) = self.other {
            if task >= self.other_done.get() {
                self.wait_for(done, task);
            }
            batch = batch.max(load(floors, task));
        }
        Some(batch)
    }

    /// Waits until the other part (if any) has finished every task.
    pub fn wait_for_all(&self) {
        if let (Some((_, done)), Some(last)) = (self.other, self.own.len().checked_sub(1)) {
            if last as u32 >= self.other_done.get() {
                self.wait_for(done, last as u32);
            }
        }
    }

    /// Waits until the other part has finished task `task`.
    #[cold]
    #[inline(never)]
    fn wait_for(&self, done: &AtomicU32, task: u32) {
        let mut spins = 0u32;
        loop {
            let finished = done.load(Ordering::Acquire);
            if finished > task {
                self.other_done.set(finished);
                return;
            }
            // Spin briefly (the other part is usually a few tasks behind), then let the
            // other thread run in case it shares this core.
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Publishes this part's floor of task `task`, then that it finished it.
    #[inline]
    pub fn publish(&self, task: u32, floor: u32) {
        if let Some(f) = self.own.get(task as usize) {
            f.store(floor, Ordering::Relaxed);
        }
        if let Some(done) = self.own_done {
            done.store(task + 1, Ordering::Release);
        }
    }

    /// The batch of every task, once every part has finished (see
    /// [`FloorReader::wait_for_all`]), into `batches`.
    pub fn batches(&self, batches: &mut Vec<u32>) {
        self.floors.batches(self.own.len(), batches);
    }

    /// 1 + the highest batch of tasks `from..to`, all placed before `to` (the current
    /// task); 0 when there are none.
    pub fn batch_end(&self, from: u32, to: u32) -> u32 {
        (from..to)
            .filter_map(|t| self.batch(t, to))
            .map(|b| b + 1)
            .max()
            .unwrap_or(0)
    }
}

/// `floors[task]` (0 past the end).
#[inline(always)]
fn load(floors: &[AtomicU32], task: u32) -> u32 {
    floors
        .get(task as usize)
        .map_or(0, |f| f.load(Ordering::Relaxed))
}
