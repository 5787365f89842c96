//! Scopes and conditions. A graph is assembled from named scopes (task and resource names
//! inside are prefixed, `bloom/down 1`) and declares named boolean conditions; a task, or
//! every task of a scope, may run only when conditions have given values. Each execution is
//! given the values, and the plan of that combination is the plan of the recording with the
//! other tasks left out. The operations, one file each:
//!
//! - **recording** (`record.rs`): [`crate::TaskGraph::condition`], [`crate::TaskGraph::scope`],
//!   [`crate::TaskGraph::scope_if`], and the guards tasks take;
//! - **values** ([`ConditionValues`], in `condition.rs` with the other types a graph and a
//!   plan hold): one bit per condition, checked against the graph;
//! - **compile for values** (`sub_recording.rs`): [`crate::TaskGraph::compile_for`] re-records
//!   the tasks that run and compiles that;
//! - **the plan cache** ([`PlanCache`], `cache.rs`): a plan per combination met, compiled on
//!   first use, bounded, least recently used out first.

mod cache;
mod record;
mod sub_recording;

pub use cache::PlanCache;
pub use record::ScopeMark;
