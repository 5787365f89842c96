//! The members of access groups, as immutable cons lists in one arena (kept only when a
//! walk collects edges for inspection).
//!
//! When a task joins a group on part of a range only, the joined part gets a new list head
//! (`task` → old head) while the rest keeps the old head: forking costs one node, however
//! wide the group.

/// "No list".
pub(crate) const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub task: u32,
    pub next: u32,
}

/// The arena of all member lists of one walk.
#[derive(Clone, Debug, Default)]
pub(crate) struct MemberLists {
    pub nodes: Vec<Node>,
}

impl MemberLists {
    /// A new list `task → next`.
    pub fn push(&mut self, task: u32, next: u32) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node { task, next });
        id
    }

    /// The first task of a list.
    pub fn head_task(&self, list: u32) -> Option<u32> {
        self.nodes.get(list as usize).map(|n| n.task)
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
