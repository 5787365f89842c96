//! The members of access groups, as immutable cons lists in one arena.
//!
//! When a task joins a group on part of a range only, the joined part gets a new list head
//! (`task` → old head) while the rest keeps the old head: forking costs one node, however
//! wide the group. Each node caches the highest batch in its list, so a task's earliest batch
//! is found without walking its dependencies.

/// "No list".
pub(crate) const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub task: u32,
    pub next: u32,
    /// Highest batch of this node's task and every task after it in the list.
    pub max_batch: u32,
}

/// The arena of all member lists of one compilation.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemberLists {
    pub nodes: Vec<Node>,
}

impl MemberLists {
    /// A new list `task → next`. Its `max_batch` is set by [`MemberLists::settle`] once the
    /// task's batch is known.
    pub fn push(&mut self, task: u32, next: u32) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            task,
            next,
            max_batch: 0,
        });
        id
    }

    /// The first task of a list.
    pub fn head_task(&self, list: u32) -> Option<u32> {
        self.nodes.get(list as usize).map(|n| n.task)
    }

    /// The highest batch in a list, `None` for [`NIL`].
    pub fn max_batch(&self, list: u32) -> Option<u32> {
        self.nodes.get(list as usize).map(|n| n.max_batch)
    }

    /// Sets the cached maximum of a node made for a task whose batch is now `batch`.
    pub fn settle(&mut self, node: u32, batch: u32) {
        let tail = self
            .nodes
            .get(self.nodes[node as usize].next as usize)
            .map_or(0, |n| n.max_batch);
        self.nodes[node as usize].max_batch = batch.max(tail);
    }

    /// The tasks of a list.
    pub fn tasks(&self, list: u32) -> impl Iterator<Item = u32> + '_ {
        let mut at = list;
        std::iter::from_fn(move || {
            let node = self.nodes.get(at as usize)?;
            at = node.next;
            Some(node.task)
        })
    }
}
