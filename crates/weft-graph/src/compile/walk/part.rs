//! One part of the walk: every task in record order, on the resources the part owns.
//!
//! A part tracks access groups per range of its resources, finds each task's floor there
//! (the batch the task can start in as far as those resources go) and notes every group
//! transition with the task that made it. Once every part has placed every task, each part
//! finishes its own findings ([`WalkPart::finish`]): transitions get batches, repeated
//! global transitions into exclusive groups are dropped, joins widen the transitions they
//! join; then it builds their barriers ([`build_part`]). What is left to merge is small
//! ([`super::merge()`],
//! [`PartBarriers::joined_with`](super::part_barriers::PartBarriers::joined_with)).

use super::floors::FloorReader;
use super::input::{AfterEdges, WalkInput};
use super::joins::apply_joins;
use super::part_barriers::{build_part, BarrierScratch};
use super::part_tracks::PartTracks;
use super::update::{Findings, TouchStep};
use crate::compile::barriers::Barriers;
use crate::compile::groups::GroupTable;
use crate::compile::options::{BarrierMode, EdgeMode};
use crate::compile::prefetch::{prefetch, prefetch_address};
use crate::compile::seen::SeenTriples;
use crate::resource::ResourceSummary;
use crate::touch::{Selection, TouchLists};

/// One part's state and findings.
#[derive(Default)]
pub(super) struct WalkPart {
    /// This part's index (part 0 also applies submits and explicit edges).
    pub index: usize,
    /// What the part notes while it walks.
    pub found: Findings,
    /// The batch of every task, once finished.
    pub task_batch: Vec<u32>,
    pub tracks: PartTracks,
    /// This part's groups once it has walked (ids of the graph's accesses are the same in
    /// every part).
    pub groups: Option<GroupTable>,
    /// First batch of each submit after the first (part 0 only).
    pub submit_batches: Vec<u32>,
    /// The barriers of this part's transitions (see [`build_part`]), when the
    /// walk builds them (kept between compiles; only valid after a walk that built them).
    pub barriers: Barriers,
    barrier_scratch: BarrierScratch,
}

impl WalkPart {
    /// Makes this part `index` of `parts` (1 or 2) of a new walk over resources
    /// `summaries`, keeping the memory of the last one.
    pub fn reset(&mut self, index: usize, parts: usize, summaries: &[ResourceSummary]) {
        self.index = index;
        self.found.clear();
        self.tracks.reset(summaries, index, parts);
        self.groups = None;
        self.submit_batches.clear();
    }

    /// Walks every task on this part's resources. `E` says whether it keeps the
    /// task-to-task dependencies (for inspection only; only with one part).
    ///
    /// While a task is placed, its batch is not known: its floor here is the highest end
    /// of the groups it waits for, gathered while its ranges are updated
    /// ([`Findings::update_ranges`]), and published when the task is done. Then the part
    /// finishes its findings ([`WalkPart::finish`]) and builds their barriers.
    pub fn run<E: EdgeMode>(&mut self, input: &WalkInput, reader: &FloorReader) {
        let mut groups = GroupTable::new(input.accesses);
        // Small graphs' tracks stay in cache: asking for them costs more than it saves.
        let prefetching = self.tracks.bytes() > PREFETCH_ABOVE_BYTES;
        let first_part = self.index == 0;
        let mut submits = SubmitFloor::new(input.submits);
        // A part reads the touches of the resources it owns.
        let selection = self.tracks.selection();
        for t in 0..input.touches.task_count() {
            let task = t as u32;
            // Submits and explicit edges apply to the whole task: the first part takes
            // them into its floor.
            let mut floor = if first_part {
                let own = input.min_batch.get(t).copied().unwrap_or(0);
                submits
                    .task_floor(task, input.after, reader, &mut self.submit_batches)
                    .max(own)
            } else {
                0
            };
            let solo = self.found.explicit_edges::<E>(task, input.after);
            for position in input.touches.task_positions(selection, t) {
                let Some(touch) = input.touches.at(selection, position) else {
                    continue;
                };
                if prefetching {
                    prefetch_ahead(input.touches, selection, &self.tracks, position);
                }
                let Some(track) = self.tracks.get_mut(touch.resource) else {
                    continue;
                };
                let step = TouchStep::new(task, touch, &groups, track.first_use_matters, solo);
                self.found.update_ranges::<E>(
                    &step,
                    &mut track.map,
                    touch.intervals(&input.touches.spill),
                    &mut groups,
                    &mut floor,
                    reader,
                );
            }
            reader.publish(task, floor);
        }
        self.finish(reader, &mut groups);
        if input.barriers == BarrierMode::Build {
            self.build_barriers(input, &groups);
        }
        self.groups = Some(groups);
    }

    /// Builds the barriers of this part's finished transitions, for every boundary but
    /// the trailing one.
    fn build_barriers(&mut self, input: &WalkInput, groups: &GroupTable) {
        let batch_count = self.task_batch.iter().max().map_or(0, |&b| b + 1);
        build_part(
            &self.found.transitions,
            &self.found.globals,
            self.tracks.parities(),
            groups,
            input.summaries,
            batch_count,
            input.order,
            &mut self.barrier_scratch,
            &mut self.barriers,
        );
    }

    /// Finishes this part's findings once every part placed every task (waiting for the
    /// others where needed): notes the batches that use each of its resources, gives its
    /// transitions their tasks' batches, drops repeated global transitions into exclusive
    /// groups and applies its joins.
    fn finish(&mut self, reader: &FloorReader, groups: &mut GroupTable) {
        reader.wait_for_all();
        reader.batches(&mut self.task_batch);
        let task_batch = &self.task_batch;
        let batch_of = |task: u32| task_batch.get(task as usize).copied().unwrap_or(0);
        // The last batch that uses a resource is one of its ranges' current groups' (each
        // group's tasks come after the earlier groups'); the first is one of its ranges'
        // first groups'.
        for track in self.tracks.iter_mut() {
            let last = track
                .map
                .segments()
                .iter()
                .map(|s| s.state.cur_end(|t| task_batch.get(t as usize).copied()))
                .max()
                .unwrap_or(0);
            if let Some(last) = last.checked_sub(1) {
                track.used_in(last);
            }
        }
        for &(task, resource) in &self.found.first_members {
            if let Some(track) = self.tracks.get_mut(resource) {
                track.used_in(batch_of(task));
            }
        }
        for tr in &mut self.found.transitions {
            tr.batch = batch_of(tr.batch);
        }
        for g in &mut self.found.globals {
            g.batch = batch_of(g.batch);
        }
        // A global transition into an exclusive group is final once its task is placed
        // (nobody joins the group): a repeat of the same groups at the same batch adds
        // nothing. Repeats are only looked for among resources of one parity, so that one
        // part drops what two would.
        let mut seen = SeenTriples::<1024>::new();
        self.found.exclusive.retain_mut(|g| {
            g.batch = batch_of(g.batch);
            seen.first(g.src, g.dst, g.batch << 1 | (g.resource & 1))
        });
        apply_joins(
            &self.found.joins,
            &batch_of,
            groups,
            &mut self.found.transitions,
            &mut self.found.globals,
        );
        self.found.globals.append(&mut self.found.exclusive);
    }
}

/// The size of a part's tracks above which it prefetches them: about where they and their
/// segments stop fitting in a core's second-level cache.
const PREFETCH_ABOVE_BYTES: usize = 256 << 10;

/// Attachments touch resources in no useful order, so on large graphs looking up a range
/// map is a cache miss, paid one after another. Instead, while the touch at `position`
/// among those a part reads is handled, ask for the track of the touch 16 places ahead, and
/// the first segments of the one 8 places ahead (whose track was asked for 8 touches ago).
#[inline(always)]
fn prefetch_ahead(
    touches: &TouchLists,
    selection: Selection,
    tracks: &PartTracks,
    position: usize,
) {
    if let Some(track) = touches
        .at(selection, position + 16)
        .and_then(|touch| tracks.get(touch.resource))
    {
        prefetch(track);
    }
    if let Some(track) = touches
        .at(selection, position + 8)
        .and_then(|touch| tracks.get(touch.resource))
    {
        // The first two cache lines of the segments, where a forward scan starts.
        let base = track.map.segments().as_ptr().cast::<u8>();
        prefetch_address(base);
        prefetch_address(base.wrapping_add(64));
    }
}

/// The floor submits give the tasks of the first part: every task waits for every task of
/// the earlier submits.
struct SubmitFloor<'a> {
    /// The submit boundaries not reached yet.
    boundaries: std::iter::Peekable<std::iter::Copied<std::slice::Iter<'a, u32>>>,
    /// 1 + the highest batch of the tasks of the earlier submits.
    floor: u32,
    /// The first task of the current submit.
    from: u32,
}

impl<'a> SubmitFloor<'a> {
    /// For submit boundaries `boundaries` (task counts).
    fn new(boundaries: &'a [u32]) -> Self {
        Self {
            boundaries: boundaries.iter().copied().peekable(),
            floor: 0,
            from: 0,
        }
    }

    /// The floor of task `task` from what applies to the whole task: its submit, and the
    /// tasks it runs after (`after`). Notes the first batch of each new submit in
    /// `submit_batches`.
    #[inline(always)]
    fn task_floor(
        &mut self,
        task: u32,
        after: &AfterEdges,
        reader: &FloorReader,
        submit_batches: &mut Vec<u32>,
    ) -> u32 {
        if self.boundaries.next_if(|&s| s == task).is_some() {
            self.floor = self.floor.max(reader.batch_end(self.from, task));
            self.from = task;
            submit_batches.push(self.floor);
        }
        let mut floor = self.floor;
        for &earlier in after.of(task as usize) {
            floor = floor.max(reader.batch(earlier, task).map_or(0, |b| b + 1));
        }
        floor
    }
}
