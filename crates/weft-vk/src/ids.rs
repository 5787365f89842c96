//! Generational ids for real resources: an id names one slot and the generation of its
//! occupant, so an id kept after its resource was destroyed is recognised as stale even
//! when the slot holds a newer resource.

use std::sync::Mutex;

use crate::locks::lock;

/// The id of a real buffer or image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceId {
    /// The slot.
    pub index: u32,
    /// Which occupant of the slot (starts at 1).
    pub generation: u32,
}

/// The slots of one context.
#[derive(Debug, Default)]
pub(crate) struct IdSlots {
    inner: Mutex<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    /// Current generation per slot; odd while occupied.
    generations: Vec<u32>,
    free: Vec<u32>,
}

impl IdSlots {
    /// A fresh id, reusing a free slot when there is one.
    pub fn allocate(&self) -> ResourceId {
        let mut slots = lock(&self.inner);
        let index = match slots.free.pop() {
            Some(index) => index,
            None => {
                slots.generations.push(0);
                slots.generations.len() as u32 - 1
            }
        };
        let generation = &mut slots.generations[index as usize];
        *generation += 1;
        ResourceId {
            index,
            generation: *generation,
        }
    }

    /// Frees `id`'s slot for reuse.
    pub fn release(&self, id: ResourceId) {
        let mut slots = lock(&self.inner);
        if let Some(generation) = slots.generations.get_mut(id.index as usize) {
            if *generation == id.generation {
                *generation += 1;
                slots.free.push(id.index);
            }
        }
    }

    /// True while the resource `id` names exists.
    pub fn is_alive(&self, id: ResourceId) -> bool {
        let slots = lock(&self.inner);
        slots.generations.get(id.index as usize) == Some(&id.generation) && id.generation % 2 == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_reused_with_a_new_generation() {
        let slots = IdSlots::default();
        let a = slots.allocate();
        let b = slots.allocate();
        assert_ne!(a.index, b.index);
        assert!(slots.is_alive(a) && slots.is_alive(b));
        slots.release(a);
        assert!(!slots.is_alive(a));
        let c = slots.allocate();
        assert_eq!(c.index, a.index);
        assert_ne!(c.generation, a.generation);
        assert!(slots.is_alive(c) && !slots.is_alive(a));
        // Releasing a stale id does nothing.
        slots.release(a);
        assert!(slots.is_alive(c));
    }
}
