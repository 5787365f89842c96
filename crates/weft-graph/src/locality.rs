//! How close together in record order a graph's tasks use the same resources, noted while
//! recording: it decides whether compile's walk gains from a second thread.
//!
//! The two parts of a two-thread walk go through the tasks side by side, each on half of
//! the resources. A task that uses a resource a task a few places before it used (or that
//! runs `after()` one) needs that task's batch, which the other part may not have
//! published yet: the parts then wait for each other. Chains and mip chains do that at
//! almost every task and are faster on one thread; graphs whose tasks reach further back
//! are not.

/// A use is near when the task before it on the same resource is at most this many tasks
/// earlier.
const NEAR_TASKS: u32 = 32;

/// The record-order distances of a graph's resource uses.
#[derive(Clone, Debug, Default)]
pub(crate) struct Locality {
    /// The last task that used each resource (`u32::MAX`: none yet).
    last_task: Vec<u32>,
    /// Uses (attachments and explicit edges) that follow an earlier use of their resource
    /// (or the task they wait for) by at most [`NEAR_TASKS`] tasks.
    near: usize,
    /// All uses.
    uses: usize,
}

impl Locality {
    /// Notes a new resource.
    pub fn add_resource(&mut self) {
        self.last_task.push(u32::MAX);
    }

    /// Notes that task `task` uses resource `resource` (tasks in record order).
    pub fn use_resource(&mut self, resource: u32, task: u32) {
        if let Some(last) = self.last_task.get_mut(resource as usize) {
            let earlier = std::mem::replace(last, task);
            self.note(earlier, task);
        }
    }

    /// Notes that task `task` runs after task `earlier`.
    pub fn run_after(&mut self, earlier: u32, task: u32) {
        self.note(earlier, task);
    }

    fn note(&mut self, earlier: u32, task: u32) {
        self.uses += 1;
        if earlier != u32::MAX && task.saturating_sub(earlier) <= NEAR_TASKS {
            self.near += 1;
        }
    }

    /// The share of near uses, in percent.
    pub fn near_percent(&self) -> usize {
        (self.near * 100).checked_div(self.uses).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_near_and_far_reuses_are_not() {
        // A chain: task t reads what task t - 1 wrote and writes a new resource.
        let mut chain = Locality::default();
        for t in 0..100u32 {
            chain.add_resource();
            if t > 0 {
                chain.use_resource(t - 1, t);
            }
            chain.use_resource(t, t);
        }
        assert!(chain.near_percent() >= 49, "{}", chain.near_percent());
        // Ten resources, each used every 100 tasks.
        let mut far = Locality::default();
        for _ in 0..10 {
            far.add_resource();
        }
        for t in 0..1000u32 {
            if t % 100 < 10 {
                far.use_resource(t % 100, t);
            }
        }
        assert_eq!(far.near_percent(), 0);
        // An explicit edge to the task just before is near too; one to long before is not.
        let mut edges = Locality::default();
        edges.run_after(998, 999);
        edges.run_after(0, 999);
        assert_eq!(edges.near_percent(), 50);
    }
}
