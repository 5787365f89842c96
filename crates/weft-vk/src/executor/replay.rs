//! What the recorder keeps of each plan it records, made the first time the plan is
//! recorded: the attachment load/store needs of the tasks that run, and the recording as a
//! list of operations in order (submit boundaries, barrier boundaries, tasks), which the
//! recorder runs front to back. A compute dispatch that records the same every execution (fixed push
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

use crate::context::Context;
use crate::dispatch::DispatchCall;
use crate::error::VkError;
use crate::push_descriptors::{push_buffers, BufferSlot};
use crate::work::Work;

/// One operation of a plan's recording.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    /// A submit boundary: the rest goes to the next part's command buffer.
    Submit,
    /// The barriers the frame holds before batch `.0` (after the last batch for
    /// `batch_count`), when there are any.
    Boundary(u32),
    /// A task of batch `batch` recorded through the graph.
    Task { task: u32, batch: u32 },
    /// A task of batch `batch` that is a dispatch recording the same every execution.
    Fixed {
        task: u32,
        batch: u32,
        dispatch: FixedDispatch,
    },
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
    pub attachment_ops: Vec<AttachmentOps>,
    /// The recording, in order.
    pub ops: Vec<Op>,
    /// Whether some task is recorded through the graph ([`Op::Task`]).
    pub has_tasks: bool,
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
    /// The replay [`Replays::refresh`] found or made last.
    current: usize,
}

impl Replays {
    /// Finds (or makes) the replay of `plan` of `graph`, after dropping every replay when
    /// the recording changed (see the module doc).
    pub fn refresh<U>(&mut self, graph: &TaskGraph<Work<U>>, plan: &Plan) {
        let key = Some((graph.id(), graph.revision()));
        if self.made_for != key || self.loans != graph.callback_loans() {
            self.replays.clear();
            self.made_for = key;
            self.loans = graph.callback_loans();
        }
        let found = self.replays.iter().position(|r| r.serial == plan.serial());
        self.current = found.unwrap_or_else(|| {
            if self.replays.len() >= KEPT_REPLAYS {
                self.replays.remove(0);
            }
            self.replays.push(Replay::new(graph, plan));
            self.replays.len() - 1
        });
    }

    /// The replay the last [`Replays::refresh`] found or made (an error before the first).
    pub fn current(&self) -> Result<&Replay, VkError> {
        self.replays
            .get(self.current)
            .ok_or_else(|| VkError::Unsupported("a recording before its replay was made".into()))
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
            attachment_ops: graph.attachment_ops_for(plan.conditions()),
            ops: Vec::with_capacity(plan.task_order().len() + 2 * plan.batch_count() + 2),
            has_tasks: false,
            push: Vec::new(),
            slots: Vec::new(),
        };
        let submits = plan.submit_batches();
        for batch in 0..=plan.batch_count() as u32 {
            let boundaries = submits.iter().filter(|&&b| b == batch).count();
            replay.ops.extend((0..boundaries).map(|_| Op::Submit));
            replay.ops.push(Op::Boundary(batch));
            for &task in plan.batch(batch as usize) {
                let fixed = match graph.task_callback(task) {
                    Some(Work::Dispatch(dispatch)) => dispatch.fixed(),
                    _ => None,
                };
                let op = match fixed {
                    Some((call, push, slots)) => Op::Fixed {
                        task,
                        batch,
                        dispatch: FixedDispatch {
                            call,
                            push: append(&mut replay.push, push),
                            slots: append(&mut replay.slots, slots),
                        },
                    },
                    None => {
                        replay.has_tasks = true;
                        Op::Task { task, batch }
                    }
                };
                replay.ops.push(op);
            }
        }
        replay
    }

    /// Records `dispatch` (of an op of this replay) into `cmd` with this execution's real
    /// buffers (`buffers`, by resource index).
    #[inline]
    pub fn record(
        &self,
        ctx: &Context,
        cmd: vk::CommandBuffer,
        dispatch: &FixedDispatch,
        buffers: &[vk::Buffer],
    ) -> Result<(), VkError> {
        let range = |(start, end): (u32, u32)| start as usize..end as usize;
        let (Some(push), Some(slots)) = (
            self.push.get(range(dispatch.push)),
            self.slots.get(range(dispatch.slots)),
        ) else {
            return Err(VkError::Unsupported(
                "a dispatch of another replay recorded".into(),
            ));
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
