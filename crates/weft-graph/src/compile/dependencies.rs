//! Step 1 and 2 of compile: walk the tasks in record order, track access groups per
//! subresource range, find each task's dependencies and its earliest batch, and note every
//! group transition (the raw material of barriers).

use super::groups::{Group, GroupTable, NO_GROUP};
use super::members::{MemberLists, NIL};
use super::range_map::RangeMap;
use super::scratch::Scratch;
use super::seen::SeenTriples;
use crate::access::{AccessClass, ResourceKind};
use crate::graph::TaskGraph;
use crate::resource::ResourceSummary;
use crate::touch::Touch;

/// Why one task depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hazard {
    /// Read after write.
    ReadAfterWrite,
    /// Write after read.
    WriteAfterRead,
    /// Write after write.
    WriteAfterWrite,
    /// Reads in different image layouts.
    LayoutChange,
    /// An explicit `after()` edge.
    Explicit,
}

impl Hazard {
    fn between(src: &Group, dst: &Group) -> Self {
        match (src.writes(), dst.writes()) {
            (true, true) => Self::WriteAfterWrite,
            (true, false) => Self::ReadAfterWrite,
            (false, true) => Self::WriteAfterRead,
            (false, false) => Self::LayoutChange,
        }
    }

    /// Short label (RAW, WAR, WAW, layout, after).
    pub fn label(self) -> &'static str {
        match self {
            Self::ReadAfterWrite => "RAW",
            Self::WriteAfterRead => "WAR",
            Self::WriteAfterWrite => "WAW",
            Self::LayoutChange => "layout",
            Self::Explicit => "after",
        }
    }
}

/// A group transition on a range: from group `src` (or from before the graph) to group
/// `dst`, to be synchronised at the boundary before batch `batch`, the earliest batch of
/// `dst`'s members. Groups are ids in the walk's [`GroupTable`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transition {
    pub resource: u32,
    pub batch: u32,
    pub start: u64,
    pub end: u64,
    /// [`NO_GROUP`]: first use in this graph.
    pub src: u32,
    pub dst: u32,
}

impl Transition {
    /// The group before the transition (`None` for a first use in this graph).
    pub fn src_group<'a>(&self, groups: &'a GroupTable) -> Option<&'a Group> {
        (self.src != NO_GROUP).then(|| groups.get(self.src))
    }
}

/// A transition on a range whose layout it keeps (every buffer range; image ranges between
/// groups of one layout). Its barrier is a global memory barrier, which names no
/// subresource, so the range is not kept: only the groups, the batch, and the resource
/// the barrier is cited for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GlobalTransition {
    pub resource: u32,
    pub batch: u32,
    pub src: u32,
    pub dst: u32,
}

/// Which transition a range state's `transition` field refers to: [`NO_TRANSITION`], an
/// index into [`Walk::transitions`], or [`GLOBAL`] | an index into [`Walk::globals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TransitionRef {
    None,
    Ranged(usize),
    Global(usize),
}

impl TransitionRef {
    fn of(transition: u32) -> Self {
        match transition {
            NO_TRANSITION => Self::None,
            t if t & GLOBAL != 0 => Self::Global((t & !GLOBAL) as usize),
            t => Self::Ranged(t as usize),
        }
    }
}

/// Set in a range state's transition field when it indexes [`Walk::globals`].
const GLOBAL: u32 = 1 << 31;

/// A global transition into an exclusive group, made by the task being placed. Its batch
/// is the task's (nobody joins an exclusive group), so once the task is placed it is final
/// and the same group pair at the same batch needs no second record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PendingGlobal {
    resource: u32,
    src: u32,
    dst: u32,
}

/// A task that joined the group a transition leads into: the transition's barrier must
/// cover its access and come before its batch. `transition` is a range state's
/// [`TransitionRef`] encoding. Applied after the walk, when every batch is
/// known (the updates are independent of each other, so they overlap in memory).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Join {
    transition: u32,
    access: u32,
    task: u32,
}

/// A task depends on every task of a member list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DependencyList {
    pub task: u32,
    pub list: u32,
    pub resource: u32,
    pub hazard: Hazard,
}

/// The state of one range.
///
/// Batch ends are stored as batch + 1, so 0 means "no such group". The newest member of the
/// current group (`cur_task`) is kept apart because its batch is not known yet while it is
/// being placed; everyone else reads the group's end through [`RangeState::cur_end`]. The
/// member lists are kept only when the walk collects edges (for inspection).
///
/// Nobody joins an exclusive group, so its state keeps nothing about joining (`prev_end`,
/// `transition`, `prev`): pieces of a range one write covered become equal and merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RangeState {
    /// 1 + the highest batch of the previous group (what a task joining the current group
    /// waits for).
    prev_end: u32,
    /// 1 + the highest batch of the current group's members other than `cur_task`.
    cur_end_before: u32,
    /// The newest member of the current group ([`NIL`] after a present).
    cur_task: u32,
    /// The union of the current group's accesses (an id in the walk's [`GroupTable`]).
    pub group: u32,
    /// The transition into the current group, or [`NO_TRANSITION`].
    transition: u32,
    /// Members of the previous and current group ([`NIL`] unless collecting edges).
    prev: u32,
    cur: u32,
    /// True once a group of this graph has written the range.
    pub wrote: bool,
}

impl RangeState {
    /// A range no task has touched yet (every map starts as one such segment).
    pub const UNTOUCHED: Self = Self {
        prev_end: 0,
        cur_end_before: 0,
        cur_task: NIL,
        group: NO_GROUP,
        transition: NO_TRANSITION,
        prev: NIL,
        cur: NIL,
        wrote: false,
    };

    /// True when some task (or a present) touched the range.
    pub fn touched(&self) -> bool {
        self.group != NO_GROUP
    }

    /// 1 + the highest batch of the current group (what a task starting a new group waits
    /// for). `task_batch` holds the batches of the tasks placed so far.
    #[inline(always)]
    fn cur_end(&self, task_batch: &[u32]) -> u32 {
        let newest = task_batch.get(self.cur_task as usize).map_or(0, |&b| b + 1);
        self.cur_end_before.max(newest)
    }

    /// The last batch of the current group (`None` when it has no task: after a present).
    pub fn last_batch(&self, task_batch: &[u32]) -> Option<u32> {
        self.cur_end(task_batch).checked_sub(1)
    }
}

/// What the walk keeps per resource: its range map and the batches that use it. One cache
/// line, aligned, so that one prefetch brings all of it.
#[derive(Clone, Debug)]
#[repr(align(64))]
pub(crate) struct Track {
    pub map: RangeMap<RangeState>,
    /// The first and last batch of the tasks that touch the resource (`u32::MAX` and 0
    /// while none does: see [`Track::batches`]).
    first_batch: u32,
    last_batch: u32,
    /// Whether the first group needs a transition: only external resources (a bridge from
    /// the real resource's state) and images (a transition out of `UNDEFINED`) do.
    first_use_matters: bool,
}

impl Track {
    /// `(first batch, last batch)` of the tasks that touch the resource, `None` when no
    /// task does.
    pub fn batches(&self) -> Option<(u32, u32)> {
        (self.first_batch <= self.last_batch).then_some((self.first_batch, self.last_batch))
    }

    /// The track of a resource nobody touched yet.
    fn new(summary: &ResourceSummary) -> Self {
        Self {
            map: RangeMap::filled(0, summary.units, RangeState::UNTOUCHED),
            first_batch: u32::MAX,
            last_batch: 0,
            first_use_matters: summary.external || summary.image.is_some(),
        }
    }

    /// Makes this the track of a resource nobody touched yet, keeping the map's memory.
    fn reset(&mut self, summary: &ResourceSummary) {
        self.map.refill(0, summary.units, RangeState::UNTOUCHED);
        self.first_batch = u32::MAX;
        self.last_batch = 0;
        self.first_use_matters = summary.external || summary.image.is_some();
    }
}

// A track that outgrows its cache line costs a second miss per attachment on large graphs.
const _: () = assert!(std::mem::size_of::<Track>() == 64);

/// Everything the walk finds.
pub(crate) struct Walk {
    pub task_batch: Vec<u32>,
    pub batch_count: u32,
    /// Transitions whose barriers name subresources: first uses of external resources and
    /// of images, and layout changes.
    pub transitions: Vec<Transition>,
    /// Transitions whose barriers are global (see [`GlobalTransition`]).
    pub globals: Vec<GlobalTransition>,
    pub groups: GroupTable,
    pub lists: MemberLists,
    pub dependencies: Vec<DependencyList>,
    pub tracks: Vec<Track>,
    /// First batch of each submit after the first.
    pub submit_batches: Vec<u32>,
}

/// "No transition": the first group of a transient buffer needs no barrier and no bridge,
/// and the state of an exclusive group does not keep its transition.
const NO_TRANSITION: u32 = u32::MAX;

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

/// Walks the graph in one pass. `sequential` puts every task in its own batch, in record
/// order; `EDGES` keeps the task-to-task dependencies (for inspection only).
///
/// While a task is placed, its batch is not known: it is the highest end of the groups it
/// waits for, gathered while its ranges are updated. The transitions it creates get its
/// batch once it is known; the groups it joins are noted and updated after the walk.
///
/// Its vectors come from `scratch` (the transitions and tracks are handed over in the
/// result; the caller may give them back).
pub(crate) fn walk<C, const EDGES: bool>(
    graph: &TaskGraph<C>,
    sequential: bool,
    scratch: &mut Scratch,
) -> Walk {
    let collect_edges = EDGES;
    let task_count = graph.tasks.len();
    let mut transitions = std::mem::take(&mut scratch.transitions);
    transitions.clear();
    let mut globals = std::mem::take(&mut scratch.globals);
    globals.clear();
    // Room for what typical graphs make (a compile that needs more grows them once; the
    // scratch keeps them for the next compile).
    transitions.reserve(graph.touches.len() / 4);
    globals.reserve(graph.touches.len() / 2);
    let mut tracks = std::mem::take(&mut scratch.tracks);
    tracks.truncate(graph.summaries.len());
    for (track, summary) in tracks.iter_mut().zip(&graph.summaries) {
        track.reset(summary);
    }
    let kept = tracks.len();
    tracks.extend(graph.summaries[kept..].iter().map(Track::new));
    let mut w = Walk {
        task_batch: Vec::with_capacity(task_count),
        batch_count: 0,
        transitions,
        globals,
        groups: GroupTable::new(&graph.accesses.accesses),
        lists: MemberLists::default(),
        dependencies: Vec::new(),
        tracks,
        submit_batches: Vec::with_capacity(graph.submits.len()),
    };
    let after = AfterEdges::new(task_count, &graph.after_edges);
    let joins = &mut scratch.joins;
    joins.clear();
    let pending = &mut scratch.pending;
    pending.clear();
    let mut seen = SeenTriples::<1024>::new();
    // Small graphs' tracks stay in cache: asking for them costs more than it saves.
    let prefetching = std::mem::size_of_val(w.tracks.as_slice()) > PREFETCH_ABOVE_BYTES;
    let mut submits = graph.submits.iter().copied().peekable();
    let mut submit_floor = 0u32;

    for (t, task) in graph.tasks.iter().enumerate() {
        let t32 = t as u32;
        if submits.next_if(|&s| s == t32).is_some() {
            submit_floor = w.batch_count;
            w.submit_batches.push(submit_floor);
        }
        let mut floor = submit_floor;
        for &earlier in after.of(t) {
            floor = floor.max(w.task_batch[earlier as usize] + 1);
        }
        let solo = if collect_edges {
            for &earlier in after.of(t) {
                let node = w.lists.push(earlier, NIL);
                add_dependency(&mut w.dependencies, t32, node, u32::MAX, Hazard::Explicit);
            }
            w.lists.push(t32, NIL)
        } else {
            NIL
        };
        // The transitions this task creates are the ones pushed while it is placed.
        let created_from = w.transitions.len();
        let globals_from = w.globals.len();
        for (index, touch) in graph.touches[task.attachments.clone()]
            .iter()
            .enumerate()
            .map(|(i, touch)| (task.attachments.start + i, touch))
        {
            if prefetching {
                prefetch_ahead(&graph.touches, &w.tracks, index);
            }
            let access_id = touch.access();
            let access = *w.groups.get(access_id);
            let exclusive = access.class == AccessClass::Exclusive;
            let writes = access.writes();
            let access_key = w.groups.key(access_id);
            // `None` never matches a group's key: an exclusive access joins nothing.
            let admitted_key = access_key.filter(|_| !exclusive);
            let resource = touch.resource;
            let track = &mut w.tracks[resource as usize];
            let matters = track.first_use_matters;
            let map = &mut track.map;
            let groups = &mut w.groups;
            let lists = &mut w.lists;
            let transitions = &mut w.transitions;
            let globals = &mut w.globals;
            let dependencies = &mut w.dependencies;
            let task_batch = &w.task_batch;
            let floor = &mut floor;
            let mut note = |list: u32, hazard: Hazard| {
                if list != NIL {
                    add_dependency(dependencies, t32, list, resource, hazard);
                }
            };
            for interval in touch.intervals(&graph.touch_spill) {
                // The transition this update made last, with the end of the group it left:
                // a contiguous piece leaving an equal group at the same end may share it.
                let mut made: Option<(u32, u32)> = None;
                // The same for global transitions, which need not be contiguous.
                let mut made_global: Option<(u32, u32, u32)> = None;
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
                                Hazard::between(groups.get(src), &access)
                            };
                            note(old.prev, hazard);
                        }
                        let cur = if !collect_edges || lists.head_task(old.cur) == Some(t32) {
                            old.cur
                        } else {
                            lists.push(t32, old.cur)
                        };
                        RangeState {
                            prev_end: old.prev_end,
                            cur_end_before: old.cur_end(task_batch),
                            cur_task: t32,
                            group: groups.join(old.group, access_id),
                            transition: old.transition,
                            prev: old.prev,
                            cur,
                            wrote: old.wrote || writes,
                        }
                    } else {
                        if collect_edges && touched_before {
                            note(old.cur, Hazard::between(groups.get(old.group), &access));
                        }
                        let src = old.group;
                        let src_end = old.cur_end(task_batch);
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
                        let transition = match (needs, made, made_global) {
                            (Needs::Nothing, _, _) => NO_TRANSITION,
                            (Needs::ExclusiveGlobal, _, _) => {
                                pending.push(PendingGlobal {
                                    resource,
                                    src,
                                    dst: access_id,
                                });
                                NO_TRANSITION
                            }
                            (Needs::Global, _, Some((index, made_src, made_end)))
                                if made_src == src && made_end == src_end =>
                            {
                                index
                            }
                            (Needs::Global, _, _) => {
                                let index = GLOBAL | globals.len() as u32;
                                globals.push(GlobalTransition {
                                    resource,
                                    batch: u32::MAX,
                                    src,
                                    dst: access_id,
                                });
                                made_global = Some((index, src, src_end));
                                index
                            }
                            (Needs::Ranged, Some((index, made_end)), _)
                                if made_end == src_end
                                    && transitions[index as usize].end == piece.start
                                    && transitions[index as usize].src == src =>
                            {
                                transitions[index as usize].end = piece.end;
                                index
                            }
                            (Needs::Ranged, _, _) => {
                                let index = transitions.len() as u32;
                                transitions.push(Transition {
                                    resource,
                                    batch: u32::MAX,
                                    start: piece.start,
                                    end: piece.end,
                                    src,
                                    dst: access_id,
                                });
                                made = Some((index, src_end));
                                index
                            }
                        };
                        // Nobody joins an exclusive group: its state keeps nothing for joining.
                        RangeState {
                            prev_end: if exclusive { 0 } else { src_end },
                            cur_end_before: 0,
                            cur_task: t32,
                            group: access_id,
                            transition: if exclusive { NO_TRANSITION } else { transition },
                            prev: if exclusive { NIL } else { old.cur },
                            cur: solo,
                            wrote: old.wrote || writes,
                        }
                    };
                });
            }
        }
        let batch = if sequential { t32 } else { floor };
        w.task_batch.push(batch);
        w.batch_count = w.batch_count.max(batch + 1);
        for tr in &mut w.transitions[created_from..] {
            tr.batch = batch;
        }
        for g in &mut w.globals[globals_from..] {
            g.batch = batch;
        }
        for p in pending.drain(..) {
            if seen.first(p.src, p.dst, batch) {
                w.globals.push(GlobalTransition {
                    resource: p.resource,
                    batch,
                    src: p.src,
                    dst: p.dst,
                });
            }
        }
        for touch in &graph.touches[task.attachments.clone()] {
            let track = &mut w.tracks[touch.resource as usize];
            track.first_batch = track.first_batch.min(batch);
            track.last_batch = track.last_batch.max(batch);
        }
    }
    for (index, join) in joins.iter().enumerate() {
        // Joins point anywhere into the transitions: on large graphs, ask for the one a
        // few joins ahead.
        if prefetching {
            if let Some(ahead) = joins.get(index + 8) {
                match TransitionRef::of(ahead.transition) {
                    TransitionRef::Ranged(i) => prefetch_slot(&w.transitions, i),
                    TransitionRef::Global(i) => prefetch_slot(&w.globals, i),
                    TransitionRef::None => {}
                }
            }
        }
        let batch = w.task_batch[join.task as usize];
        let (tr_batch, tr_dst) = match TransitionRef::of(join.transition) {
            TransitionRef::Ranged(i) => {
                let tr = &mut w.transitions[i];
                (&mut tr.batch, &mut tr.dst)
            }
            TransitionRef::Global(i) => {
                let g = &mut w.globals[i];
                (&mut g.batch, &mut g.dst)
            }
            TransitionRef::None => continue,
        };
        *tr_batch = (*tr_batch).min(batch);
        *tr_dst = w.groups.join(*tr_dst, join.access);
    }
    w
}

/// The size of the tracks above which the walk prefetches them: about where they and their
/// segments stop fitting in a core's second-level cache.
const PREFETCH_ABOVE_BYTES: usize = 256 << 10;

/// Attachments touch resources in no useful order, so on large graphs looking up a range
/// map is a cache miss, paid one after another. Instead, while attachment `index` is
/// handled, ask for the track of the attachment 16 places ahead, and the first segments of
/// the one 8 places ahead (whose track was asked for 8 attachments ago).
#[inline(always)]
fn prefetch_ahead(touches: &[Touch], tracks: &[Track], index: usize) {
    if let Some(track) = touches
        .get(index + 16)
        .and_then(|touch| tracks.get(touch.resource as usize))
    {
        prefetch(track);
    }
    if let Some(track) = touches
        .get(index + 8)
        .and_then(|touch| tracks.get(touch.resource as usize))
    {
        // The first two cache lines of the segments, where a forward scan starts.
        let base = track.map.segments().as_ptr().cast::<u8>();
        prefetch_address(base);
        prefetch_address(base.wrapping_add(64));
    }
}

/// A hint to load the cache line of `values[index]`; no effect on results, whatever the
/// index.
#[inline(always)]
fn prefetch_slot<T>(values: &[T], index: usize) {
    prefetch_address(values.as_ptr().wrapping_add(index).cast::<u8>());
}

/// A hint to load `value`'s cache line; no effect on results.
#[inline(always)]
fn prefetch<T>(value: &T) {
    prefetch_address((value as *const T).cast::<u8>());
}

/// A hint to load the cache line at `address`; no effect on results, whatever the address.
#[inline(always)]
fn prefetch_address(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint: it never faults, even on an invalid address,
        // and changes no state.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
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

/// Moves every range of every presented image into the present layout at the boundary after
/// the last batch.
pub(crate) fn add_presents<C>(graph: &TaskGraph<C>, w: &mut Walk) {
    let dst = w.groups.intern(Group::from_access(
        &crate::access::PRESENT.derive(ResourceKind::Image),
    ));
    let batch = w.batch_count;
    for present in &graph.presents {
        let map = &mut w.tracks[present.resource as usize].map;
        let transitions = &mut w.transitions;
        let task_batch = &w.task_batch;
        present.resolved.for_each_interval(|start, end| {
            map.update(start, end, |piece| {
                let old = piece.state;
                let transition = transitions.len() as u32;
                transitions.push(Transition {
                    resource: present.resource,
                    batch,
                    start: piece.start,
                    end: piece.end,
                    src: old.group,
                    dst,
                });
                piece.state = RangeState {
                    prev_end: old.cur_end(task_batch),
                    cur_end_before: batch + 1,
                    cur_task: NIL,
                    group: dst,
                    transition,
                    prev: old.cur,
                    cur: NIL,
                    wrote: old.wrote,
                };
            });
        });
    }
}

/// Explicit edges grouped by task (compressed rows).
struct AfterEdges {
    offsets: Vec<u32>,
    earlier: Vec<u32>,
}

impl AfterEdges {
    fn new(task_count: usize, edges: &[(u32, u32)]) -> Self {
        let mut offsets = vec![0u32; task_count + 1];
        for &(t, _) in edges {
            offsets[t as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut fill = offsets.clone();
        let mut earlier = vec![0u32; edges.len()];
        for &(t, e) in edges {
            earlier[fill[t as usize] as usize] = e;
            fill[t as usize] += 1;
        }
        Self { offsets, earlier }
    }

    /// The tasks `task` must run after.
    fn of(&self, task: usize) -> &[u32] {
        &self.earlier[self.offsets[task] as usize..self.offsets[task + 1] as usize]
    }
}
