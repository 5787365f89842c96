//! One part of the walk: every task in record order, on the resources the part owns.
//!
//! A part tracks access groups per range of its resources, finds each task's floor there
//! (the batch the task can start in as far as those resources go) and notes every group
//! transition with the task that made it. Once every part has placed every task, each part
//! finishes its own findings ([`WalkPart::finish`]): transitions get batches, repeated
//! global transitions into exclusive groups are dropped, joins widen the transitions they
//! join; then it builds their barriers ([`build_part`]). What is left to merge is small
//! ([`super::merge()`], [`PartBarriers::joined_with`](super::part_barriers::PartBarriers::joined_with)).

use super::floors::FloorReader;
use super::found::DependencyList;
use super::input::WalkInput;
use super::joins::{apply_joins, Join, TransitionRef, GLOBAL};
use super::part_barriers::{build_part, BarrierScratch};
use super::part_tracks::PartTracks;
use crate::access::AccessClass;
use crate::compile::barriers::Barriers;
use crate::compile::groups::{GroupTable, NO_GROUP};
use crate::compile::members::{MemberLists, NIL};
use crate::compile::options::{BarrierMode, EdgeMode};
use crate::compile::prefetch::{prefetch, prefetch_address};
use crate::compile::seen::SeenTriples;
use crate::compile::tracks::{RangeState, NO_TRANSITION};
use crate::compile::transitions::{GlobalTransition, Transition};
use crate::hazard::Hazard;
use crate::resource::ResourceSummary;
use crate::touch::{Selection, TouchLists};

/// One part's state and findings.
#[derive(Default)]
pub(super) struct WalkPart {
    /// This part's index (part 0 also applies submits and explicit edges).
    pub index: usize,
    /// Transitions whose barriers name subresources, in the order they were made; `batch`
    /// holds the task that made each until [`WalkPart::finish`].
    pub transitions: Vec<Transition>,
    /// Global transitions, the same way; after [`WalkPart::finish`], followed by the kept
    /// global transitions into exclusive groups.
    pub globals: Vec<GlobalTransition>,
    /// Global transitions into exclusive groups, the same way.
    exclusive: Vec<GlobalTransition>,
    /// `(task, resource)` of every attachment in the first group of some range of this
    /// part's resources.
    first_members: Vec<(u32, u32)>,
    /// The batch of every task, once finished.
    pub task_batch: Vec<u32>,
    pub joins: Vec<Join>,
    pub tracks: PartTracks,
    /// This part's groups once it has walked (ids of the graph's accesses are the same in
    /// every part).
    pub groups: Option<GroupTable>,
    pub lists: MemberLists,
    pub dependencies: Vec<DependencyList>,
    /// First batch of each submit after the first (part 0 only).
    pub submit_batches: Vec<u32>,
    /// The barriers of this part's transitions (see [`build_part`]), when the
    /// walk builds them (kept between compiles; only valid after a walk that built them).
    pub barriers: Barriers,
    barrier_scratch: BarrierScratch,
}

/// "A piece can share this transition": the transition an update made last, with the
/// group it left and that group's end.
#[derive(Clone, Copy)]
struct Made {
    index: u32,
    src: u32,
    src_end: u32,
}

impl WalkPart {
    /// Makes this part `index` of `parts` (1 or 2) of a new walk over resources
    /// `summaries`, keeping the memory of the last one.
    pub fn reset(&mut self, index: usize, parts: usize, summaries: &[ResourceSummary]) {
        self.index = index;
        self.transitions.clear();
        self.globals.clear();
        self.exclusive.clear();
        self.first_members.clear();
        self.joins.clear();
        self.tracks.reset(summaries, index, parts);
        self.groups = None;
        self.lists.nodes.clear();
        self.dependencies.clear();
        self.submit_batches.clear();
    }

    /// Walks every task on this part's resources. `E` says whether it keeps the
    /// task-to-task dependencies (for inspection only; only with one part).
    ///
    /// While a task is placed, its batch is not known: its floor here is the highest end
    /// of the groups it waits for, gathered while its ranges are updated, and published
    /// when the task is done.
    pub fn run<E: EdgeMode>(&mut self, input: &WalkInput, reader: &FloorReader) {
        let collect_edges = E::KEEP;
        let mut groups = GroupTable::new(input.accesses);
        // Small graphs' tracks stay in cache: asking for them costs more than it saves.
        let prefetching = self.tracks.bytes() > PREFETCH_ABOVE_BYTES;
        let first_part = self.index == 0;
        let mut submits = input.submits.iter().copied().peekable();
        let mut submit_floor = 0u32;
        let mut submit_from = 0u32;
        // A part reads the touches of the resources it owns.
        let selection = self.tracks.selection();
        for t in 0..input.touches.task_count() {
            let t32 = t as u32;
            let mut floor = 0;
            // Submits and explicit edges apply to the whole task: the first part takes
            // them into its floor.
            if first_part {
                if submits.next_if(|&s| s == t32).is_some() {
                    submit_floor = submit_floor.max(reader.batch_end(submit_from, t32));
                    submit_from = t32;
                    self.submit_batches.push(submit_floor);
                }
                floor = submit_floor;
                for &earlier in input.after.of(t) {
                    floor = floor.max(reader.batch(earlier, t32).map_or(0, |b| b + 1));
                }
            }
            let solo = if collect_edges {
                for &earlier in input.after.of(t) {
                    let node = self.lists.push(earlier, NIL);
                    add_dependency(
                        &mut self.dependencies,
                        t32,
                        node,
                        u32::MAX,
                        Hazard::Explicit,
                    );
                }
                self.lists.push(t32, NIL)
            } else {
                NIL
            };
            for position in input.touches.task_positions(selection, t) {
                let Some(touch) = input.touches.at(selection, position) else {
                    continue;
                };
                if prefetching {
                    prefetch_ahead(input.touches, selection, &self.tracks, position);
                }
                let access_id = touch.access();
                let access = *groups.get(access_id);
                let exclusive = access.class == AccessClass::Exclusive;
                let writes = access.writes();
                let access_key = groups.key(access_id);
                // `None` never matches a group's key: an exclusive access joins nothing.
                let admitted_key = access_key.filter(|_| !exclusive);
                let resource = touch.resource;
                let Some(track) = self.tracks.get_mut(resource) else {
                    continue;
                };
                let matters = track.first_use_matters;
                let map = &mut track.map;
                let groups = &mut groups;
                let lists = &mut self.lists;
                let transitions = &mut self.transitions;
                let globals = &mut self.globals;
                let exclusive_globals = &mut self.exclusive;
                let joins = &mut self.joins;
                let dependencies = &mut self.dependencies;
                let floor = &mut floor;
                let first_members = &mut self.first_members;
                let batch_of = |task: u32| reader.batch(task, t32);
                let mut note = |list: u32, hazard: Hazard| {
                    if list != NIL {
                        add_dependency(dependencies, t32, list, resource, hazard);
                    }
                };
                for interval in touch.intervals(&input.touches.spill) {
                    // The transition this update made last: a contiguous piece leaving an
                    // equal group at the same end may share it.
                    let mut made: Option<Made> = None;
                    // The same for global transitions, which need not be contiguous.
                    let mut made_global: Option<Made> = None;
                    map.update(interval.start, interval.end, |piece| {
                        let old = piece.state;
                        let touched_before = old.touched();
                        let old_key = groups.key(old.group);
                        piece.state = if old_key.is_some() && old_key == admitted_key {
                            *floor = (*floor).max(old.prev_end);
                            if old.transition != NO_TRANSITION {
                                joins.push(Join {
                                    transition: old.transition,
                                    access: access_id,
                                    task: t32,
                                });
                            }
                            if collect_edges {
                                let src = match TransitionRef::of(old.transition) {
                                    TransitionRef::None => NO_GROUP,
                                    TransitionRef::Ranged(i) => transitions[i].src,
                                    TransitionRef::Global(i) => globals[i].src,
                                };
                                let hazard = if src == NO_GROUP {
                                    Hazard::LayoutChange
                                } else {
                                    groups.get(src).hazard_to(&access)
                                };
                                note(old.prev, hazard);
                            }
                            if old.first {
                                note_first(first_members, t32, resource);
                            }
                            let cur = if !collect_edges || lists.head_task(old.cur) == Some(t32) {
                                old.cur
                            } else {
                                lists.push(t32, old.cur)
                            };
                            RangeState {
                                prev_end: old.prev_end,
                                cur_end_before: old.cur_end(batch_of),
                                cur_task: t32,
                                group: groups.join(old.group, access_id),
                                transition: old.transition,
                                prev: old.prev,
                                cur,
                                wrote: old.wrote || writes,
                                first: old.first,
                            }
                        } else {
                            if collect_edges && touched_before {
                                note(old.cur, groups.get(old.group).hazard_to(&access));
                            }
                            if !touched_before {
                                note_first(first_members, t32, resource);
                            }
                            let src = old.group;
                            let src_end = old.cur_end(batch_of);
                            *floor = (*floor).max(src_end);
                            let needs = if !touched_before {
                                if matters {
                                    Needs::Ranged
                                } else {
                                    Needs::Nothing
                                }
                            } else if old_key
                                .zip(access_key)
                                .is_some_and(|(o, a)| !o.same_layout(a))
                            {
                                Needs::Ranged
                            } else if exclusive {
                                Needs::ExclusiveGlobal
                            } else {
                                Needs::Global
                            };
                            let shares = |m: Option<Made>| {
                                m.filter(|m| m.src == src && m.src_end == src_end)
                            };
                            let transition = match needs {
                                Needs::Nothing => NO_TRANSITION,
                                Needs::ExclusiveGlobal => {
                                    exclusive_globals.push(GlobalTransition {
                                        resource,
                                        batch: t32,
                                        src,
                                        dst: access_id,
                                    });
                                    NO_TRANSITION
                                }
                                Needs::Global => match shares(made_global) {
                                    Some(m) => m.index,
                                    None => {
                                        let index = GLOBAL | globals.len() as u32;
                                        globals.push(GlobalTransition {
                                            resource,
                                            batch: t32,
                                            src,
                                            dst: access_id,
                                        });
                                        made_global = Some(Made {
                                            index,
                                            src,
                                            src_end,
                                        });
                                        index
                                    }
                                },
                                Needs::Ranged => match shares(made)
                                    .filter(|m| transitions[m.index as usize].end == piece.start)
                                {
                                    Some(m) => {
                                        transitions[m.index as usize].end = piece.end;
                                        m.index
                                    }
                                    None => {
                                        let index = transitions.len() as u32;
                                        transitions.push(Transition {
                                            resource,
                                            batch: t32,
                                            start: piece.start,
                                            end: piece.end,
                                            src,
                                            dst: access_id,
                                        });
                                        made = Some(Made {
                                            index,
                                            src,
                                            src_end,
                                        });
                                        index
                                    }
                                },
                            };
                            // Nobody joins an exclusive group: its state keeps nothing for
                            // joining.
                            RangeState {
                                prev_end: if exclusive { 0 } else { src_end },
                                cur_end_before: 0,
                                cur_task: t32,
                                group: access_id,
                                transition: if exclusive { NO_TRANSITION } else { transition },
                                prev: if exclusive { NIL } else { old.cur },
                                cur: solo,
                                wrote: old.wrote || writes,
                                first: !touched_before && !exclusive,
                            }
                        };
                    });
                }
            }
            reader.publish(t32, floor);
        }
        self.finish(reader, &mut groups);
        if input.barriers == BarrierMode::Build {
            let batch_count = self.task_batch.iter().max().map_or(0, |&b| b + 1);
            build_part(
                &self.transitions,
                &self.globals,
                self.tracks.parities(),
                &groups,
                input.summaries,
                batch_count,
                input.order,
                &mut self.barrier_scratch,
                &mut self.barriers,
            );
        }
        self.groups = Some(groups);
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
        for &(task, resource) in &self.first_members {
            if let Some(track) = self.tracks.get_mut(resource) {
                track.used_in(batch_of(task));
            }
        }
        for tr in &mut self.transitions {
            tr.batch = batch_of(tr.batch);
        }
        for g in &mut self.globals {
            g.batch = batch_of(g.batch);
        }
        // A global transition into an exclusive group is final once its task is placed
        // (nobody joins the group): a repeat of the same groups at the same batch adds
        // nothing. Repeats are only looked for among resources of one parity, so that one
        // part drops what two would.
        let mut seen = SeenTriples::<1024>::new();
        self.exclusive.retain_mut(|g| {
            g.batch = batch_of(g.batch);
            seen.first(g.src, g.dst, g.batch << 1 | (g.resource & 1))
        });
        apply_joins(
            &self.joins,
            &batch_of,
            groups,
            &mut self.transitions,
            &mut self.globals,
        );
        self.globals.append(&mut self.exclusive);
    }
}

/// What a new group on a range needs before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    /// Nothing: the first use of a transient buffer.
    Nothing,
    /// A barrier that names the range: a first use to bridge or a layout to change.
    Ranged,
    /// A global barrier into a group others may join.
    Global,
    /// A global barrier into an exclusive group (final once the task is placed).
    ExclusiveGlobal,
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

/// Notes that `task` is in the first group of a range of `resource` (once per attachment).
#[inline(always)]
fn note_first(first_members: &mut Vec<(u32, u32)>, task: u32, resource: u32) {
    if first_members.last() != Some(&(task, resource)) {
        first_members.push((task, resource));
    }
}

/// Notes that `task` depends on every task of `list` (once per list in a row).
fn add_dependency(
    dependencies: &mut Vec<DependencyList>,
    task: u32,
    list: u32,
    resource: u32,
    hazard: Hazard,
) {
    let repeated = dependencies
        .last()
        .is_some_and(|d| d.task == task && d.list == list);
    if !repeated {
        dependencies.push(DependencyList {
            task,
            list,
            resource,
            hazard,
        });
    }
}
