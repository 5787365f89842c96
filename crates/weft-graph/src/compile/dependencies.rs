//! Step 1 and 2 of compile: walk the tasks in record order, track access groups per
//! subresource range, find each task's dependencies and its earliest batch, and note every
//! group transition (the raw material of barriers).

use ash::vk;

use super::members::{MemberLists, NIL};
use super::range_map::RangeMap;
use crate::access::{AccessClass, DerivedAccess, ResourceKind, WRITE_ACCESS_MASK};
use crate::graph::TaskGraph;
use crate::resource::{Lifetime, ResourceDesc};

/// The union of the accesses of one access group on one range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub stages: vk::PipelineStageFlags2,
    pub access: vk::AccessFlags2,
    pub layout: vk::ImageLayout,
    pub class: AccessClass,
}

impl Group {
    fn from_access(a: &DerivedAccess) -> Self {
        Self {
            stages: a.stages,
            access: a.access,
            layout: a.layout,
            class: a.class,
        }
    }

    /// True when the group's accesses write (or transition) memory.
    pub fn writes(&self) -> bool {
        self.access.intersects(WRITE_ACCESS_MASK) || self.class != AccessClass::Read
    }

    /// True when `a` joins this group instead of starting a new one.
    fn admits(&self, a: &DerivedAccess) -> bool {
        self.class == a.class && self.class != AccessClass::Exclusive && self.layout == a.layout
    }

    fn join(&mut self, a: &DerivedAccess) {
        self.stages |= a.stages;
        self.access |= a.access;
    }
}

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

/// A group transition on a range: from `src` (or from before the graph) to `dst`, to be
/// synchronised at the boundary before batch `batch`, the earliest batch of `dst`'s members.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Transition {
    pub resource: u32,
    pub start: u64,
    pub end: u64,
    /// `None`: first use in this graph.
    pub src: Option<Group>,
    pub dst: Group,
    pub batch: u32,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RangeState {
    /// 1 + the highest batch of the previous group (what a task joining the current group
    /// waits for).
    prev_end: u32,
    /// 1 + the highest batch of the current group's members other than `cur_task`.
    cur_end_before: u32,
    /// The newest member of the current group ([`NIL`] after a present).
    cur_task: u32,
    /// The union of the current group's accesses.
    pub group: Group,
    /// The transition into the current group, or [`NO_TRANSITION`].
    transition: u32,
    /// Members of the previous and current group ([`NIL`] unless collecting edges).
    prev: u32,
    cur: u32,
    /// True once a group of this graph has written the range.
    pub wrote: bool,
}

impl RangeState {
    /// 1 + the highest batch of the current group (what a task starting a new group waits
    /// for). `task_batch` holds the batches of the tasks placed so far.
    fn cur_end(&self, task_batch: &[u32]) -> u32 {
        let newest = task_batch.get(self.cur_task as usize).map_or(0, |&b| b + 1);
        self.cur_end_before.max(newest)
    }

    /// The last batch of the current group (`None` when it has no task: after a present).
    pub fn last_batch(&self, task_batch: &[u32]) -> Option<u32> {
        self.cur_end(task_batch).checked_sub(1)
    }
}

/// Everything the walk finds.
pub(crate) struct Walk {
    pub task_batch: Vec<u32>,
    pub batch_count: u32,
    pub transitions: Vec<Transition>,
    pub lists: MemberLists,
    pub dependencies: Vec<DependencyList>,
    pub ranges: Vec<RangeMap<RangeState>>,
    /// First batch of each submit after the first.
    pub submit_batches: Vec<u32>,
    /// `(first batch, last batch)` per resource, `None` when no task touches it.
    pub resource_batches: Vec<Option<(u32, u32)>>,
}

/// "No transition": the first group of a transient buffer needs no barrier and no bridge.
const NO_TRANSITION: u32 = u32::MAX;

/// Walks the graph in one pass. `sequential` puts every task in its own batch, in record
/// order; `collect_edges` keeps the task-to-task dependencies (for inspection only).
///
/// While a task is placed, its batch is not known: it is the highest end of the groups it
/// waits for, gathered while its ranges are updated. The transitions it creates or joins are
/// noted and get their batch once it is known.
pub(crate) fn walk<C>(graph: &TaskGraph<C>, sequential: bool, collect_edges: bool) -> Walk {
    let task_count = graph.tasks.len();
    let mut w = Walk {
        task_batch: Vec::with_capacity(task_count),
        batch_count: 0,
        transitions: Vec::with_capacity(graph.attachments.len()),
        lists: MemberLists::default(),
        dependencies: Vec::new(),
        ranges: vec![RangeMap::default(); graph.resources.len()],
        submit_batches: Vec::with_capacity(graph.submits.len()),
        resource_batches: vec![None; graph.resources.len()],
    };
    let after = AfterEdges::new(task_count, &graph.after_edges);
    // Only external resources and images need their first group's transition (a bridge
    // from the real resource's state, or a transition out of UNDEFINED).
    let first_use_matters: Vec<bool> = graph
        .resources
        .iter()
        .map(|r| r.lifetime == Lifetime::External || matches!(r.desc, ResourceDesc::Image(_)))
        .collect();
    let mut segments = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
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
        touched.clear();
        prefetch_ranges(graph, &w.ranges, t);
        for att in &graph.attachments[task.attachments.clone()] {
            let access = Group::from_access(&att.derived);
            let resource = att.resource;
            let matters = first_use_matters[resource as usize];
            let map = &mut w.ranges[resource as usize];
            let lists = &mut w.lists;
            let transitions = &mut w.transitions;
            let dependencies = &mut w.dependencies;
            let task_batch = &w.task_batch;
            let touched = &mut touched;
            let floor = &mut floor;
            let mut note = |list: u32, hazard: Hazard| {
                if collect_edges && list != NIL {
                    add_dependency(dependencies, t32, list, resource, hazard);
                }
            };
            att.resolved.for_each_interval(|start, end| {
                // The transition this update made last, with the end of the group it left:
                // a contiguous piece leaving an equal group at the same end may share it.
                let mut made: Option<(u32, u32)> = None;
                map.update(
                    start,
                    end,
                    &mut segments,
                    |start, piece_end, old| match old {
                        Some(old) if old.group.admits(&att.derived) => {
                            *floor = (*floor).max(old.prev_end);
                            let hazard = match transitions.get_mut(old.transition as usize) {
                                Some(tr) => {
                                    tr.dst.join(&att.derived);
                                    touched.push(old.transition);
                                    tr.src.map_or(Hazard::LayoutChange, |src| {
                                        Hazard::between(&src, &access)
                                    })
                                }
                                None => Hazard::LayoutChange,
                            };
                            note(old.prev, hazard);
                            let cur = if !collect_edges || lists.head_task(old.cur) == Some(t32) {
                                old.cur
                            } else {
                                lists.push(t32, old.cur)
                            };
                            let mut group = old.group;
                            group.join(&att.derived);
                            RangeState {
                                prev_end: old.prev_end,
                                cur_end_before: old.cur_end(task_batch),
                                cur_task: t32,
                                group,
                                transition: old.transition,
                                prev: old.prev,
                                cur,
                                wrote: old.wrote || access.writes(),
                            }
                        }
                        _ => {
                            let (src, src_end, prev) = match old {
                                Some(old) => {
                                    note(old.cur, Hazard::between(&old.group, &access));
                                    (Some(old.group), old.cur_end(task_batch), old.cur)
                                }
                                None => (None, 0, NIL),
                            };
                            *floor = (*floor).max(src_end);
                            let transition = match made {
                                _ if src.is_none() && !matters => NO_TRANSITION,
                                Some((index, made_end))
                                    if made_end == src_end
                                        && transitions[index as usize].end == start
                                        && transitions[index as usize].src == src =>
                                {
                                    transitions[index as usize].end = piece_end;
                                    index
                                }
                                _ => {
                                    let index = transitions.len() as u32;
                                    transitions.push(Transition {
                                        resource,
                                        start,
                                        end: piece_end,
                                        src,
                                        dst: access,
                                        batch: u32::MAX,
                                    });
                                    touched.push(index);
                                    made = Some((index, src_end));
                                    index
                                }
                            };
                            RangeState {
                                prev_end: src_end,
                                cur_end_before: 0,
                                cur_task: t32,
                                group: access,
                                transition,
                                prev,
                                cur: solo,
                                wrote: old.is_some_and(|o| o.wrote) || access.writes(),
                            }
                        }
                    },
                );
            });
        }
        let batch = if sequential { t32 } else { floor };
        w.task_batch.push(batch);
        w.batch_count = w.batch_count.max(batch + 1);
        for &index in &touched {
            let tr = &mut w.transitions[index as usize];
            tr.batch = tr.batch.min(batch);
        }
        for att in &graph.attachments[task.attachments.clone()] {
            let span = &mut w.resource_batches[att.resource as usize];
            *span = Some(span.map_or((batch, batch), |(a, b)| (a.min(batch), b.max(batch))));
        }
    }
    w
}

/// Tasks touch resources in no useful order, so looking up a range map is a cache miss,
/// paid one after another. Instead, ask for the maps of tasks a few places ahead now: the
/// map entries of task `t + 4`, and the segments they point to for task `t + 2` (whose
/// entries were asked for two tasks ago).
fn prefetch_ranges<C>(graph: &TaskGraph<C>, ranges: &[RangeMap<RangeState>], t: usize) {
    let attachments = |ahead: usize| {
        graph
            .tasks
            .get(t + ahead)
            .map_or(&[][..], |task| &graph.attachments[task.attachments.clone()])
    };
    for att in attachments(4) {
        if let Some(map) = ranges.get(att.resource as usize) {
            prefetch(map);
        }
    }
    for att in attachments(2) {
        if let Some(segment) = ranges
            .get(att.resource as usize)
            .and_then(|map| map.segments().first())
        {
            prefetch(segment);
        }
    }
}

/// A hint to load `value`'s cache line; no effect on results.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint: it never faults and changes no state, and the
        // pointer comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
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
    let mut segments = Vec::new();
    let dst = Group::from_access(&crate::access::PRESENT.derive(ResourceKind::Image));
    let batch = w.batch_count;
    for present in &graph.presents {
        let map = &mut w.ranges[present.resource as usize];
        let transitions = &mut w.transitions;
        let task_batch = &w.task_batch;
        present.resolved.for_each_interval(|start, end| {
            map.update(start, end, &mut segments, |start, end, old| {
                let transition = transitions.len() as u32;
                transitions.push(Transition {
                    resource: present.resource,
                    start,
                    end,
                    src: old.map(|o| o.group),
                    dst,
                    batch,
                });
                RangeState {
                    prev_end: old.map_or(0, |o| o.cur_end(task_batch)),
                    cur_end_before: batch + 1,
                    cur_task: NIL,
                    group: dst,
                    transition,
                    prev: old.map_or(NIL, |o| o.cur),
                    cur: NIL,
                    wrote: old.is_some_and(|o| o.wrote),
                }
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
