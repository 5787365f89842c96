//! Errors of recording and compiling. Every variant names the task (or the `present`/`declare`
//! step), the resource and what was wrong.

use crate::access::{Access, AccessProblem, ResourceKind};

/// A misuse found while recording or compiling a graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// A resource description is unusable (zero size, zero extent, bad mip count, ...).
    #[error("resource `{resource}`: invalid description: {problem}")]
    InvalidDescription {
        /// The resource being declared.
        resource: String,
        /// What is wrong.
        problem: String,
    },
    /// A view reaches outside its resource.
    #[error("task `{task}`: view of `{resource}` is out of bounds: {problem}")]
    ViewOutOfBounds {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// Which range is outside.
        problem: String,
    },
    /// A view covers nothing.
    #[error("task `{task}`: view of `{resource}` is empty: {problem}")]
    EmptyView {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// Which range is empty.
        problem: String,
    },
    /// Two attachments of one task overlap and at least one writes (or they need different
    /// image layouts).
    #[error(
        "task `{task}`: attachments {first} and {second} overlap on `{resource}` and {problem}"
    )]
    OverlappingAttachments {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// Index of the first attachment.
        first: usize,
        /// Index of the second attachment.
        second: usize,
        /// Why this is not allowed.
        problem: String,
    },
    /// The access cannot be used on this kind of resource (a color attachment on a buffer,
    /// an index buffer on an image, ...).
    #[error("task `{task}`: access {access:?} cannot be used on {kind} `{resource}`")]
    AccessNotForResource {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// Buffer or image.
        kind: ResourceKind,
        /// The access.
        access: Access,
    },
    /// The access's parts do not fit together (a written uniform buffer, a vertex read in a
    /// compute shader, a depth access on a color image, no stages, ...).
    #[error("task `{task}`: access {access:?} on `{resource}` is invalid: {problem}")]
    InvalidAccess {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// The access.
        access: Access,
        /// What is wrong.
        problem: String,
    },
    /// The resource was not declared with the usage the access needs.
    #[error("task `{task}`: `{resource}` lacks usage {needed} needed by access {access:?}")]
    MissingUsage {
        /// The task.
        task: String,
        /// The resource.
        resource: String,
        /// The access.
        access: Access,
        /// The missing usage flags.
        needed: String,
    },
    /// A resource handle that belongs to another graph.
    #[error("task `{task}`: {kind} #{index} belongs to another graph")]
    ForeignResource {
        /// The task.
        task: String,
        /// Buffer or image.
        kind: ResourceKind,
        /// The handle's index in its own graph.
        index: u32,
    },
    /// `after()` names a task of another graph.
    #[error("task `{task}`: after(): task #{other} belongs to another graph")]
    ForeignTask {
        /// The task.
        task: String,
        /// Index of the foreign task in its own graph.
        other: u32,
    },
    /// `after()` names the task itself.
    #[error("task `{task}`: after() names the task itself")]
    AfterSelf {
        /// The task.
        task: String,
    },
    /// `after()` names a task recorded later; edges point from earlier tasks.
    #[error("task `{task}`: after(`{other}`) names a task recorded later; record `{other}` first or put the edge on `{other}`")]
    AfterLaterTask {
        /// The task.
        task: String,
        /// The later task.
        other: String,
    },
    /// `present()` was given a buffer.
    #[error("present: `{resource}` is a buffer; only swapchain images can be presented")]
    PresentOfBuffer {
        /// The buffer.
        resource: String,
    },
    /// `present()` was given a transient image.
    #[error(
        "present: `{resource}` is transient; only external (swapchain) images can be presented"
    )]
    PresentOfTransient {
        /// The image.
        resource: String,
    },
    /// An image is presented twice.
    #[error("present: `{resource}` is already presented")]
    AlreadyPresented {
        /// The image.
        resource: String,
    },
    /// A task touches an image after its present.
    #[error(
        "task `{task}`: `{resource}` is used after its present; present ends the graph for it"
    )]
    UseAfterPresent {
        /// The task.
        task: String,
        /// The image.
        resource: String,
    },
    /// A plan was inspected against a graph it was not compiled from.
    #[error("the plan was compiled from another graph")]
    ForeignPlan,
    /// Costs measured on one plan were given to inspect another (recompiled or placed
    /// since: measure again).
    #[error("the costs were measured on plan #{measured}, not on this plan (#{plan})")]
    CostsOfAnotherPlan {
        /// The serial of the plan the costs were measured on.
        measured: u64,
        /// The serial of the plan inspected.
        plan: u64,
    },
    /// A condition was declared twice under one name.
    #[error("condition `{condition}` is already declared in this graph")]
    DuplicateCondition {
        /// The name.
        condition: String,
    },
    /// A task, a scope or condition values used a condition this graph did not declare
    /// (one of another graph, or declared after the values were made).
    #[error("`{user}`: condition #{condition} is not a condition of this graph{detail}")]
    UnknownCondition {
        /// The task, scope or `condition values` that used it.
        user: String,
        /// The condition's index.
        condition: u32,
        /// Why: of another graph, or not declared when the values were made.
        detail: String,
    },
    /// Condition values of the wrong length, or made for another graph.
    #[error("condition values: {problem}")]
    ConditionValues {
        /// What is wrong.
        problem: String,
    },
    /// The plan was compiled from an earlier recording of the graph.
    #[error("the plan is stale: the graph was recorded into since it was compiled")]
    StalePlan,
    /// A transient cannot be placed in memory.
    #[error("plan #{plan}: transient `{resource}` cannot be placed: {problem}")]
    Placement {
        /// The transient.
        resource: String,
        /// [`crate::Plan::serial`] of the plan.
        plan: u64,
        /// What is wrong.
        problem: String,
    },
}

impl GraphError {
    /// The error for `access`, which does not fit (`problem`), attached by task `task` to
    /// `resource` (a `kind`).
    pub(crate) fn of_access(
        task: &str,
        resource: &str,
        kind: ResourceKind,
        access: Access,
        problem: AccessProblem,
    ) -> Self {
        let invalid = |problem: String| Self::InvalidAccess {
            task: task.to_owned(),
            resource: resource.to_owned(),
            access,
            problem,
        };
        match problem {
            AccessProblem::UsageForResource => Self::AccessNotForResource {
                task: task.to_owned(),
                resource: resource.to_owned(),
                kind,
                access,
            },
            AccessProblem::KindForUsage => invalid(format!(
                "kind {:?} cannot be used as {:?}",
                access.kind, access.usage
            )),
            AccessProblem::NoStages => invalid("no pipeline stage given".into()),
            AccessProblem::PresentInGeneral => {
                invalid("a present needs PRESENT_SRC_KHR; it cannot be in GENERAL".into())
            }
            AccessProblem::StagesForUsage(stages) => invalid(format!(
                "stages {stages:?} cannot perform {:?} accesses on a {kind}",
                access.usage
            )),
        }
    }
}
