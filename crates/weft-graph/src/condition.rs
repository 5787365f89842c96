//! The values a graph's recording and its plans hold of conditions: [`Condition`] and
//! [`Guard`] (what tasks and scopes run under), [`ConditionValues`] (one bit per condition)
//! and the graph's own record of them. What is done with them is in [`crate::conditions`].

use crate::error::GraphError;
use crate::resource::GraphId;

/// A named boolean condition of one graph (see [`crate::TaskGraph::condition`]).
///
/// ```
/// use ash::vk;
/// use weft_graph::{access, BufferDesc, CompileOptions, TaskGraph};
///
/// # fn main() -> Result<(), weft_graph::GraphError> {
/// let mut g: TaskGraph = TaskGraph::new();
/// let usage = vk::BufferUsageFlags::STORAGE_BUFFER;
/// let hdr = g.external_buffer("hdr", BufferDesc { size: 1024, usage })?;
/// let bloom = g.condition("bloom")?;
/// g.task("shade").attach(hdr, access::COMPUTE_WRITE).record()?;
/// g.scope_if("bloom", bloom.is(true), |g| {
///     g.task("blur").attach(hdr, access::COMPUTE_READ_WRITE).record()
/// })??;
/// g.task("tonemap").attach(hdr, access::COMPUTE_READ).record()?;
///
/// let mut values = g.condition_values();
/// let off = g.compile_for(&CompileOptions::default(), &values)?;
/// assert_eq!(off.batch_count(), 2); // shade, tonemap
/// values.set(bloom, true)?;
/// let on = g.compile_for(&CompileOptions::default(), &values)?;
/// assert_eq!(on.batch_count(), 3); // shade, bloom/blur, tonemap
/// assert_eq!(g.task_name(1), Some("bloom/blur"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    pub(crate) graph: GraphId,
    pub(crate) index: u32,
}

impl Condition {
    /// The guard "this condition has `value`", for [`crate::TaskBuilder::only_if`] and
    /// [`crate::TaskGraph::scope_if`].
    pub fn is(self, value: bool) -> Guard {
        Guard {
            condition: self,
            value,
        }
    }

    /// Its index among the graph's conditions (declaration order).
    pub fn index(self) -> u32 {
        self.index
    }
}

/// A condition and the value it must have for a task to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Guard {
    pub(crate) condition: Condition,
    pub(crate) value: bool,
}

/// The values of one graph's conditions, one bit each (all `false` at first).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConditionValues {
    graph: GraphId,
    count: u32,
    words: Vec<u64>,
}

impl ConditionValues {
    pub(crate) fn new(graph: GraphId, count: u32) -> Self {
        Self {
            graph,
            count,
            words: vec![0; count.div_ceil(64) as usize],
        }
    }

    /// The number of conditions.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// True for a graph without conditions.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The value of `condition` (`false` for one these values do not cover).
    pub fn get(&self, condition: Condition) -> bool {
        condition.graph == self.graph && self.bit(condition.index)
    }

    /// The value of the condition with index `index` (`false` past the end).
    pub fn get_index(&self, index: u32) -> bool {
        self.bit(index)
    }

    pub(crate) fn bit(&self, index: u32) -> bool {
        index < self.count && self.words[(index / 64) as usize] & (1 << (index % 64)) != 0
    }

    /// Sets `condition` to `value`; an error for a condition of another graph or one
    /// declared after these values were made. Allocates nothing.
    pub fn set(&mut self, condition: Condition, value: bool) -> Result<(), GraphError> {
        if condition.graph != self.graph || condition.index >= self.count {
            return Err(GraphError::UnknownCondition {
                user: "condition values".into(),
                condition: condition.index,
                detail: if condition.graph != self.graph {
                    ": it is of another graph".into()
                } else {
                    format!(": these values cover {} conditions", self.count)
                },
            });
        }
        let (word, bit) = ((condition.index / 64) as usize, condition.index % 64);
        if value {
            self.words[word] |= 1 << bit;
        } else {
            self.words[word] &= !(1 << bit);
        }
        Ok(())
    }

    /// Sets every condition, in declaration order; an error when `values` has another
    /// length. Allocates nothing.
    pub fn set_all(&mut self, values: &[bool]) -> Result<(), GraphError> {
        if values.len() != self.count as usize {
            return Err(GraphError::ConditionValues {
                problem: format!(
                    "{} values given for {} conditions",
                    values.len(),
                    self.count
                ),
            });
        }
        self.words.fill(0);
        for (i, &v) in values.iter().enumerate() {
            if v {
                self.words[i / 64] |= 1 << (i % 64);
            }
        }
        Ok(())
    }

    /// An error unless these values are `graph`'s, for its `count` conditions.
    pub(crate) fn check(&self, graph: GraphId, count: usize) -> Result<(), GraphError> {
        if self.graph != graph {
            return Err(GraphError::ConditionValues {
                problem: "they are another graph's".into(),
            });
        }
        if self.count as usize != count {
            return Err(GraphError::ConditionValues {
                problem: format!(
                    "{} values for a graph of {count} conditions (make them again)",
                    self.count
                ),
            });
        }
        Ok(())
    }

    /// Copies `other`'s values into these (same graph and length), without allocating
    /// when the lengths match.
    pub fn copy_from(&mut self, other: &ConditionValues) {
        self.graph = other.graph;
        self.count = other.count;
        self.words.clone_from(&other.words);
    }
}

/// What a graph keeps of its conditions and scopes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Conditions {
    /// Declared conditions' names.
    pub names: Vec<String>,
    /// All tasks' guards (each task has a range): `(condition, value)`.
    pub guards: Vec<(u32, bool)>,
    /// The prefix of the scopes being recorded (`outer/inner/`).
    pub prefix: String,
    /// The guards of the scopes being recorded.
    pub scope_guards: Vec<(u32, bool)>,
}

impl Conditions {
    /// `name` inside the scopes being recorded.
    pub fn scoped(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// True when some task has a guard.
    pub fn any_guard(&self) -> bool {
        !self.guards.is_empty()
    }
}
