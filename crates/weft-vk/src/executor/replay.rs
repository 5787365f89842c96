//! What the recorder keeps of each plan it records, made the first time the plan is
//! recorded: the attachment load/store needs of the tasks that run, and a step per task in
//! plan order. A compute dispatch that records the same every execution (fixed push
//! constants, a few buffer views) is kept whole in the replay's own arrays, which the
//! recorder reads front to back: recording it touches neither the graph's task records nor
//! the dispatch's descriptors, only this execution's buffer handles. Every other task is
//! recorded through the graph (its callback, or a dispatch that reads the per-frame data or
//! image views).
//!
//! The replays hold for one recording: the graph and its revision, and its callbacks'
//! loans ([`TaskGraph::callback_loans`]): a callback lent by anyone but the recorder may
//! have been replaced, and then every replay is made anew.

use ash::vk;
use weft_graph::{AttachmentOps, GraphId, Plan, TaskGraph};

use crate::compute_task::DispatchCall;
use crate::context::Context;
use crate::error::VkError;
use crate::push_descriptors::{push_buffers, BufferSlot};
use crate::work::Work;

/// How the recorder records one task of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A dispatch that records the same every execution: `Replay::fixed[index]`.
    Fixed(u32),
    /// Through the graph's task.
    Task,
}

/// A dispatch kept whole in a [`Replay`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct FixedDispatch {
    call: DispatchCall,
    /// Where its push constants are in `Replay::push`.
    push: (u32, u32),
    /// Where its descriptors are in `Replay::slots`.
    slots: (u32, u32),
}

/// What the recorder keeps of one plan (see the module doc).
pub(crate) struct Replay {
    /// The plan's serial.
    serial: u64,
    /// `graph.attachment_ops_for(..)` of the plan's condition values (the tasks that run
    /// decide which attachments are stored).
    pub ops: Vec<AttachmentOps>,
    /// By position in the plan's task order.
    steps: Vec<Step>,
    /// The fixed dispatches, in plan order.
    fixed: Vec<FixedDispatch>,
    push: Vec<u8>,
    slots: Vec<BufferSlot>,
}

/// The most plans a recorder keeps replays of (as many as a graph keeps plans).
const KEPT_REPLAYS: usize = weft_graph::PlanCache::DEFAULT_CAPACITY;

/// The replays of the plans of one recording.
#[derive(Default)]
pub(crate) struct Replays {
    replays: Vec<Replay>,
    /// The graph and revision they were made for.
    made_for: Option<(GraphId, u64)>,
    /// The graph's callback loans after the recorder's last recording.
    loans: u64,
}

impl Replays {
    /// Finds (or makes) the replay of `plan` of `graph`, after dropping every replay when
    /// the recording changed (see the module doc).
    pub fn refresh<U>(&mut self, graph: &TaskGraph<Work<U>>, plan: &Plan) -> &Replay {
        let key = Some((graph.id(), graph.revision()));
        if self.made_for != key || self.loans != graph.callback_loans() {
            self.replays.clear();
            self.made_for = key;
            self.loans = graph.callback_loans();
        }
        let found = self.replays.iter().position(|r| r.serial == plan.serial());
        let index = found.unwrap_or_else(|| {
            if self.replays.len() >= KEPT_REPLAYS {
                self.replays.remove(0);
            }
            self.replays.push(Replay::new(graph, plan));
            self.replays.len() - 1
        });
        &self.replays[index]
    }

    /// Notes the graph's callback loans after a recording: those were the recorder's own.
    pub fn recorded<C>(&mut self, graph: &TaskGraph<C>) {
        self.loans = graph.callback_loans();
    }
}

impl Replay {
    /// The replay of `plan` of `graph`.
    fn new<U>(graph: &TaskGraph<Work<U>>, plan: &Plan) -> Self {
        let mut replay = Self {
            serial: plan.serial(),
            ops: graph.attachment_ops_for(plan.conditions()),
            steps: Vec::with_capacity(plan.task_order().len()),
            fixed: Vec::new(),
            push: Vec::new(),
            slots: Vec::new(),
        };
        for &task in plan.task_order() {
            let fixed = match graph.task_callback(task) {
                Some(Work::Dispatch(dispatch)) => dispatch.fixed(),
                _ => None,
            };
            let step = match fixed {
                Some((call, push, slots)) => {
                    replay.fixed.push(FixedDispatch {
                        call,
                        push: append(&mut replay.push, push),
                        slots: append(&mut replay.slots, slots),
                    });
                    Step::Fixed(replay.fixed.len() as u32 - 1)
                }
                None => Step::Task,
            };
            replay.steps.push(step);
        }
        replay
    }

    /// Whether some task is recorded through the graph ([`Step::Task`]).
    pub fn has_tasks(&self) -> bool {
        self.fixed.len() < self.steps.len()
    }

    /// The step of the task at position `at` of the plan's task order.
    #[inline]
    pub fn step(&self, at: usize) -> Step {
        self.steps.get(at).copied().unwrap_or(Step::Task)
    }

    /// Records fixed dispatch `index` (of a step of this replay) into `cmd` with this
    /// execution's real buffers (`buffers`, by resource index).
    #[inline]
    pub fn record(
        &self,
        ctx: &Context,
        cmd: vk::CommandBuffer,
        index: u32,
        buffers: &[vk::Buffer],
    ) -> Result<(), VkError> {
        let range = |(start, end): (u32, u32)| start as usize..end as usize;
        let found = self.fixed.get(index as usize).and_then(|dispatch| {
            let push = self.push.get(range(dispatch.push))?;
            Some((dispatch, push, self.slots.get(range(dispatch.slots))?))
        });
        let Some((dispatch, push, slots)) = found else {
            return Err(VkError::Unsupported(format!(
                "fixed dispatch {index} of a replay of {} recorded",
                self.fixed.len()
            )));
        };
        dispatch
            .call
            .record(ctx, cmd, push, |to| push_buffers(ctx, to, buffers, slots))
    }
}

/// Appends `items` to `list`; where they are in it.
fn append<T: Copy>(list: &mut Vec<T>, items: &[T]) -> (u32, u32) {
    let start = list.len() as u32;
    list.extend_from_slice(items);
    (start, list.len() as u32)
}
