//! The steps of one attachment in the walk: for every piece of every range it touches, its
//! task joins the group there ([`Findings::join_group`]) or starts a new one
//! ([`Findings::start_group`]), which needs a transition ([`Needs`]) that the next piece
//! may share ([`Findings::note_transition`]). The task's floor gathers the ends of
//! the groups it waits for.
//!
//! These steps run for every piece of every attachment: each is inlined into the walk's
//! loop, as if it were written there.

use super::floors::FloorReader;
use super::found::DependencyList;
use super::input::AfterEdges;
use super::joins::{Join, TransitionRef, GLOBAL};
use crate::access::AccessClass;
use crate::compile::groups::{AdmissionKey, Group, GroupTable, NO_GROUP};
use crate::compile::members::{MemberLists, NIL};
use crate::compile::options::EdgeMode;
use crate::compile::range_map::{RangeMap, Segment};
use crate::compile::tracks::{RangeState, NO_TRANSITION};
use crate::compile::transitions::{GlobalTransition, Transition};
use crate::hazard::Hazard;
use crate::touch::{Interval, Touch};

/// What a part notes while it walks, before the batches are known.
#[derive(Default)]
pub(super) struct Findings {
    /// Transitions whose barriers name subresources, in the order they were made; `batch`
    /// holds the task that made each until the part is finished.
    pub transitions: Vec<Transition>,
    /// Global transitions, the same way; once the part is finished, followed by the kept
    /// global transitions into exclusive groups.
    pub globals: Vec<GlobalTransition>,
    /// Global transitions into exclusive groups, the same way.
    pub exclusive: Vec<GlobalTransition>,
    /// `(task, resource)` of every attachment in the first group of some range of this
    /// part's resources.
    pub first_members: Vec<(u32, u32)>,
    pub joins: Vec<Join>,
    /// Member lists and dependencies (only when keeping edges).
    pub lists: MemberLists,
    pub dependencies: Vec<DependencyList>,
}

/// One attachment, as the steps read it.
#[derive(Clone, Copy)]
pub(super) struct TouchStep {
    /// The task being placed.
    task: u32,
    resource: u32,
    /// The id of the access (and of its one-member group).
    access_id: u32,
    access: Group,
    exclusive: bool,
    writes: bool,
    access_key: Option<AdmissionKey>,
    /// `None` never matches a group's key: an exclusive access joins nothing.
    admitted_key: Option<AdmissionKey>,
    /// Whether the resource's first group needs a transition (see
    /// [`Track::first_use_matters`](crate::compile::tracks::Track::first_use_matters)).
    first_use_matters: bool,
    /// The task's own member list ([`NIL`] unless keeping edges).
    solo: u32,
}

impl TouchStep {
    /// The step of attachment `touch` of task `task`.
    #[inline(always)]
    pub fn new(
        task: u32,
        touch: &Touch,
        groups: &GroupTable,
        first_use_matters: bool,
        solo: u32,
    ) -> Self {
        let access_id = touch.access();
        let access = *groups.get(access_id);
        let exclusive = access.class == AccessClass::Exclusive;
        let access_key = groups.key(access_id);
        Self {
            task,
            resource: touch.resource,
            access_id,
            access,
            exclusive,
            writes: access.writes(),
            access_key,
            admitted_key: access_key.filter(|_| !exclusive),
            first_use_matters,
            solo,
        }
    }
}

/// "A piece can share this transition": the transition an update made last, with the
/// group it left and that group's end.
#[derive(Clone, Copy)]
struct Made {
    index: u32,
    src: u32,
    src_end: u32,
}

impl Made {
    /// True when a piece that leaves group `src`, which ends at `src_end`, may share it.
    #[inline(always)]
    fn shares(&self, src: u32, src_end: u32) -> bool {
        self.src == src && self.src_end == src_end
    }
}

/// The transitions one interval's update made last: a contiguous piece leaving an equal
/// group at the same end may share the ranged one, any such piece the global one.
#[derive(Clone, Copy, Default)]
struct LastMade {
    ranged: Option<Made>,
    global: Option<Made>,
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

impl Needs {
    /// What the group `step` starts needs after a range's group with key `old_key`
    /// (`None`: the range was not touched before).
    #[inline(always)]
    fn of(step: &TouchStep, touched_before: bool, old_key: Option<AdmissionKey>) -> Self {
        if !touched_before {
            if step.first_use_matters {
                Self::Ranged
            } else {
                Self::Nothing
            }
        } else if old_key
            .zip(step.access_key)
            .is_some_and(|(o, a)| !o.same_layout(a))
        {
            Self::Ranged
        } else if step.exclusive {
            Self::ExclusiveGlobal
        } else {
            Self::Global
        }
    }
}

impl Findings {
    /// Forgets the last walk's findings, keeping the memory.
    pub fn clear(&mut self) {
        self.transitions.clear();
        self.globals.clear();
        self.exclusive.clear();
        self.first_members.clear();
        self.joins.clear();
        self.lists.nodes.clear();
        self.dependencies.clear();
    }

    /// When `E` keeps edges, notes that task `task` depends on the tasks it runs after
    /// (`after`) and returns its own member list; [`NIL`] otherwise.
    #[inline(always)]
    pub fn explicit_edges<E: EdgeMode>(&mut self, task: u32, after: &AfterEdges) -> u32 {
        if !E::KEEP {
            return NIL;
        }
        for &earlier in after.of(task as usize) {
            let node = self.lists.push(earlier, NIL);
            add_dependency(
                &mut self.dependencies,
                task,
                node,
                u32::MAX,
                Hazard::Explicit,
            );
        }
        self.lists.push(task, NIL)
    }

    /// Updates the pieces of `map` that the attachment's `intervals` cover; raises `floor`
    /// to the end of every group the task waits for. When `E` keeps edges, notes its
    /// dependencies and member lists too.
    #[inline(always)]
    pub fn update_ranges<E: EdgeMode>(
        &mut self,
        step: &TouchStep,
        map: &mut RangeMap<RangeState>,
        intervals: &[Interval],
        groups: &mut GroupTable,
        floor: &mut u32,
        reader: &FloorReader,
    ) {
        let batch_of = |task: u32| reader.batch(task, step.task);
        for interval in intervals {
            let mut made = LastMade::default();
            map.update(interval.start, interval.end, |piece| {
                let old = piece.state;
                let old_key = groups.key(old.group);
                piece.state = if old_key.is_some() && old_key == step.admitted_key {
                    *floor = (*floor).max(old.prev_end);
                    let cur_end = old.cur_end(batch_of);
                    self.join_group::<E>(step, old, cur_end, groups)
                } else {
                    let src_end = old.cur_end(batch_of);
                    *floor = (*floor).max(src_end);
                    self.start_group::<E>(step, piece, old_key, src_end, groups, &mut made)
                };
            });
        }
    }

    /// The task joins the group of a piece in state `old` (whose current group ends at
    /// `cur_end`): the transition into the group must cover its access too.
    #[inline(always)]
    fn join_group<E: EdgeMode>(
        &mut self,
        step: &TouchStep,
        old: RangeState,
        cur_end: u32,
        groups: &mut GroupTable,
    ) -> RangeState {
        if old.transition != NO_TRANSITION {
            self.joins.push(Join {
                transition: old.transition,
                access: step.access_id,
                task: step.task,
            });
        }
        if E::KEEP {
            let src = match TransitionRef::of(old.transition) {
                TransitionRef::None => NO_GROUP,
                TransitionRef::Ranged(i) => self.transitions[i].src,
                TransitionRef::Global(i) => self.globals[i].src,
            };
            let hazard = if src == NO_GROUP {
                Hazard::LayoutChange
            } else {
                groups.get(src).hazard_to(&step.access)
            };
            self.note_dependency(step, old.prev, hazard);
        }
        if old.first {
            note_first(&mut self.first_members, step.task, step.resource);
        }
        let cur = if !E::KEEP || self.lists.head_task(old.cur) == Some(step.task) {
            old.cur
        } else {
            self.lists.push(step.task, old.cur)
        };
        RangeState {
            prev_end: old.prev_end,
            cur_end_before: cur_end,
            cur_task: step.task,
            group: groups.join(old.group, step.access_id),
            transition: old.transition,
            prev: old.prev,
            cur,
            wrote: old.wrote || step.writes,
            first: old.first,
        }
    }

    /// The task starts a new group on `piece`, whose group (key `old_key`) ends at
    /// `src_end`: notes the transition the new group needs.
    #[inline(always)]
    fn start_group<E: EdgeMode>(
        &mut self,
        step: &TouchStep,
        piece: &Segment<RangeState>,
        old_key: Option<AdmissionKey>,
        src_end: u32,
        groups: &GroupTable,
        made: &mut LastMade,
    ) -> RangeState {
        let old = piece.state;
        let touched_before = old.touched();
        if E::KEEP && touched_before {
            self.note_dependency(step, old.cur, groups.get(old.group).hazard_to(&step.access));
        }
        if !touched_before {
            note_first(&mut self.first_members, step.task, step.resource);
        }
        let needs = Needs::of(step, touched_before, old_key);
        let transition = self.note_transition(needs, step, piece, src_end, made);
        // A layout transition inside the graph is a write too: what comes after the graph
        // must wait for it, even when no task wrote.
        let relayout =
            touched_before && groups.get(old.group).layout != groups.get(step.access_id).layout;
        // Nobody joins an exclusive group: its state keeps nothing for joining.
        let exclusive = step.exclusive;
        RangeState {
            prev_end: if exclusive { 0 } else { src_end },
            cur_end_before: 0,
            cur_task: step.task,
            group: step.access_id,
            transition: if exclusive { NO_TRANSITION } else { transition },
            prev: if exclusive { NIL } else { old.cur },
            cur: step.solo,
            wrote: old.wrote || step.writes || relayout,
            first: !touched_before && !exclusive,
        }
    }

    /// Notes the transition a new group on `piece` needs and returns how the range state
    /// refers to it.
    #[inline(always)]
    fn note_transition(
        &mut self,
        needs: Needs,
        step: &TouchStep,
        piece: &Segment<RangeState>,
        src_end: u32,
        made: &mut LastMade,
    ) -> u32 {
        match needs {
            Needs::Nothing => NO_TRANSITION,
            Needs::ExclusiveGlobal => {
                self.exclusive.push(GlobalTransition {
                    resource: step.resource,
                    batch: step.task,
                    src: piece.state.group,
                    dst: step.access_id,
                });
                NO_TRANSITION
            }
            Needs::Global => self.global_transition(step, piece.state.group, src_end, made),
            Needs::Ranged => self.ranged_transition(step, piece, src_end, made),
        }
    }

    /// A global transition from group `src` (which ends at `src_end`): the one the last
    /// piece made when it left the same group at the same end, or a new one.
    #[inline(always)]
    fn global_transition(
        &mut self,
        step: &TouchStep,
        src: u32,
        src_end: u32,
        made: &mut LastMade,
    ) -> u32 {
        if let Some(m) = made.global.filter(|m| m.shares(src, src_end)) {
            return m.index;
        }
        let index = GLOBAL | self.globals.len() as u32;
        self.globals.push(GlobalTransition {
            resource: step.resource,
            batch: step.task,
            src,
            dst: step.access_id,
        });
        made.global = Some(Made {
            index,
            src,
            src_end,
        });
        index
    }

    /// A transition that names `piece`'s range: the one the last piece made, grown to this
    /// piece, when that piece ends where this one starts and left the same group at the
    /// same end; a new one otherwise.
    #[inline(always)]
    fn ranged_transition(
        &mut self,
        step: &TouchStep,
        piece: &Segment<RangeState>,
        src_end: u32,
        made: &mut LastMade,
    ) -> u32 {
        let src = piece.state.group;
        if let Some(m) = made.ranged.filter(|m| {
            m.shares(src, src_end) && self.transitions[m.index as usize].end == piece.start
        }) {
            self.transitions[m.index as usize].end = piece.end;
            return m.index;
        }
        let index = self.transitions.len() as u32;
        self.transitions.push(Transition {
            resource: step.resource,
            batch: step.task,
            start: piece.start,
            end: piece.end,
            src,
            dst: step.access_id,
        });
        made.ranged = Some(Made {
            index,
            src,
            src_end,
        });
        index
    }

    /// Notes that the task depends on every task of `list` (none for [`NIL`]).
    #[inline(always)]
    fn note_dependency(&mut self, step: &TouchStep, list: u32, hazard: Hazard) {
        if list != NIL {
            add_dependency(
                &mut self.dependencies,
                step.task,
                list,
                step.resource,
                hazard,
            );
        }
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
