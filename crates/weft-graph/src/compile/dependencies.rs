//! Step 1 and 2 of compile: walk the tasks in record order, track access groups per
//! subresource range, find each task's dependencies and its earliest batch, and note every
//! group transition (the raw material of barriers).

use ash::vk;

use super::members::{MemberLists, NIL};
use super::range_map::{RangeMap, Segment};
use crate::access::{AccessClass, DerivedAccess, WRITE_ACCESS_MASK};
use crate::graph::TaskGraph;

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

/// The state of one range: the previous and current group's members, the current group's
/// union access, and the transition into the current group.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RangeState {
    prev: u32,
    cur: u32,
    pub group: Group,
    transition: u32,
}

impl RangeState {
    /// The last batch of the current group's members (`None` after a present).
    pub fn last_batch(&self, lists: &MemberLists) -> Option<u32> {
        lists.max_batch(self.cur)
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

/// Per-task scratch, reused across tasks so the walk does not allocate per task.
#[derive(Default)]
struct Scratch {
    segments: Vec<Segment<RangeState>>,
    new_nodes: Vec<u32>,
    touched: Vec<u32>,
}

/// Walks the graph. `sequential` puts every task in its own batch, in record order.
pub(crate) fn walk<C>(graph: &TaskGraph<C>, sequential: bool) -> Walk {
    let task_count = graph.tasks.len();
    let mut w = Walk {
        task_batch: Vec::with_capacity(task_count),
        batch_count: 0,
        transitions: Vec::with_capacity(graph.attachments.len()),
        lists: MemberLists {
            nodes: Vec::with_capacity(graph.attachments.len() + graph.after_edges.len()),
        },
        dependencies: Vec::with_capacity(graph.attachments.len() + graph.after_edges.len()),
        ranges: vec![RangeMap::default(); graph.resources.len()],
        submit_batches: Vec::with_capacity(graph.submits.len()),
        resource_batches: vec![None; graph.resources.len()],
    };
    let after = AfterEdges::new(task_count, &graph.after_edges);
    let mut scratch = Scratch::default();
    let mut submits = graph.submits.iter().copied().peekable();
    let mut submit_floor = 0u32;

    for (t, task) in graph.tasks.iter().enumerate() {
        let t32 = t as u32;
        if submits.next_if(|&s| s == t32).is_some() {
            submit_floor = w.batch_count;
            w.submit_batches.push(submit_floor);
        }
        scratch.new_nodes.clear();
        scratch.touched.clear();
        let mut floor = submit_floor;

        for &earlier in after.of(t) {
            let node = w.lists.push(earlier, NIL);
            w.lists.settle(node, w.task_batch[earlier as usize]);
            floor = floor.max(w.task_batch[earlier as usize] + 1);
            w.dependencies.push(DependencyList {
                task: t32,
                list: node,
                resource: u32::MAX,
                hazard: Hazard::Explicit,
            });
        }

        for att in &graph.attachments[task.attachments.clone()] {
            let access = Group::from_access(&att.derived);
            let resource = att.resource;
            let map = &mut w.ranges[resource as usize];
            let lists = &mut w.lists;
            let transitions = &mut w.transitions;
            let dependencies = &mut w.dependencies;
            let Scratch {
                segments,
                new_nodes,
                touched,
            } = &mut scratch;
            let depend = |lists: &MemberLists,
                          deps: &mut Vec<DependencyList>,
                          list: u32,
                          hazard: Hazard,
                          floor: &mut u32| {
                add_dependency(lists, deps, t32, list, resource, hazard, floor)
            };
            att.resolved.for_each_interval(|start, end| {
                map.update(start, end, segments, |start, end, old| match old {
                    Some(old) if old.group.admits(&att.derived) => {
                        let src = transitions[old.transition as usize].src;
                        let hazard =
                            src.map_or(Hazard::LayoutChange, |s| Hazard::between(&s, &access));
                        depend(lists, dependencies, old.prev, hazard, &mut floor);
                        transitions[old.transition as usize].dst.join(&att.derived);
                        touched.push(old.transition);
                        let cur = if lists.head_task(old.cur) == Some(t32) {
                            old.cur
                        } else {
                            let node = lists.push(t32, old.cur);
                            new_nodes.push(node);
                            node
                        };
                        let mut group = old.group;
                        group.join(&att.derived);
                        RangeState {
                            prev: old.prev,
                            cur,
                            group,
                            transition: old.transition,
                        }
                    }
                    _ => {
                        let (prev, src) = match old {
                            Some(old) => {
                                depend(
                                    lists,
                                    dependencies,
                                    old.cur,
                                    Hazard::between(&old.group, &access),
                                    &mut floor,
                                );
                                (old.cur, Some(old.group))
                            }
                            None => (NIL, None),
                        };
                        let transition = transitions.len() as u32;
                        transitions.push(Transition {
                            resource,
                            start,
                            end,
                            src,
                            dst: access,
                            batch: u32::MAX,
                        });
                        touched.push(transition);
                        let node = lists.push(t32, NIL);
                        new_nodes.push(node);
                        RangeState {
                            prev,
                            cur: node,
                            group: access,
                            transition,
                        }
                    }
                });
            });
        }

        let batch = if sequential { t32 } else { floor };
        w.task_batch.push(batch);
        w.batch_count = w.batch_count.max(batch + 1);
        for &node in &scratch.new_nodes {
            w.lists.settle(node, batch);
        }
        for &tr in &scratch.touched {
            let tr = &mut w.transitions[tr as usize];
            tr.batch = tr.batch.min(batch);
        }
        for att in &graph.attachments[task.attachments.clone()] {
            let span = &mut w.resource_batches[att.resource as usize];
            *span = Some(span.map_or((batch, batch), |(a, b)| (a.min(batch), b.max(batch))));
        }
    }
    w
}

/// Makes `task` depend on every task of `list`: raises its batch floor and notes the
/// dependency (once per list in a row).
fn add_dependency(
    lists: &MemberLists,
    dependencies: &mut Vec<DependencyList>,
    task: u32,
    list: u32,
    resource: u32,
    hazard: Hazard,
    floor: &mut u32,
) {
    let Some(max) = lists.max_batch(list) else {
        return;
    };
    *floor = (*floor).max(max + 1);
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
    for present in &graph.presents {
        let access = crate::access::PRESENT.derive();
        let dst = Group::from_access(&access);
        let map = &mut w.ranges[present.resource as usize];
        let transitions = &mut w.transitions;
        let batch = w.batch_count;
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
                    prev: old.map_or(NIL, |o| o.cur),
                    cur: NIL,
                    group: dst,
                    transition,
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
