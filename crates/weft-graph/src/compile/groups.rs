//! Access groups by id: the compile walk keeps a 4-byte id per range instead of the group's
//! masks, and joining an access to a group is one table lookup once it was seen.

use std::collections::HashMap;

use ash::vk;

use crate::access::{AccessClass, DerivedAccess, WRITE_ACCESS_MASK};
use crate::hazard::Hazard;

/// The union of the accesses of one access group on one range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Group {
    pub stages: vk::PipelineStageFlags2,
    pub access: vk::AccessFlags2,
    pub layout: vk::ImageLayout,
    pub class: AccessClass,
}

impl Group {
    pub fn from_access(a: &DerivedAccess) -> Self {
        Self {
            stages: a.stages,
            access: a.access,
            layout: a.layout,
            class: a.class,
        }
    }

    /// True when the group's accesses write (or transition) memory.
    pub fn writes(&self) -> bool {
        self.access.intersects(WRITE_ACCESS_MASK) || self.class != AccessClass::Read
    }

    /// Why a task of group `later`, which follows this group on a range, depends on this
    /// group's tasks.
    pub fn hazard_to(&self, later: &Group) -> Hazard {
        match (self.writes(), later.writes()) {
            (true, true) => Hazard::WriteAfterWrite,
            (true, false) => Hazard::ReadAfterWrite,
            (false, true) => Hazard::WriteAfterRead,
            (false, false) => Hazard::LayoutChange,
        }
    }

    fn join(&mut self, other: &Group) {
        self.stages |= other.stages;
        self.access |= other.access;
    }
}

/// A group's class and layout in four bytes. A single access joins a group (instead of
/// starting a new one) exactly when it is not exclusive and their keys are equal: same
/// class, same layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AdmissionKey(u32);

impl AdmissionKey {
    /// True when the two keys have the same layout.
    #[inline(always)]
    pub fn same_layout(self, other: Self) -> bool {
        self.0 >> 2 == other.0 >> 2
    }
}

/// "No group": the state before the graph's first use.
pub(crate) const NO_GROUP: u32 = u32::MAX;

/// The groups of one compile. Ids `0..access_count` are the graph's accesses themselves
/// (one-member groups, in the ids of [`AccessTable`](crate::touch::AccessTable)); unions
/// get ids as they appear.
pub(crate) struct GroupTable {
    groups: Vec<Group>,
    /// `keys[g]`: the [`AdmissionKey`] of group `g`.
    keys: Vec<AdmissionKey>,
    /// The distinct layouts of the groups; an admission key holds an index into it.
    layouts: Vec<vk::ImageLayout>,
    ids: HashMap<Group, u32>,
    access_count: usize,
    /// `joined[g * access_count + a]`: the id of group `g` joined with access `a`, or
    /// [`NO_GROUP`] while not computed yet.
    joined: Vec<u32>,
}

impl GroupTable {
    /// A table starting with the graph's accesses.
    pub fn new(accesses: &[DerivedAccess]) -> Self {
        let mut table = Self {
            groups: Vec::with_capacity(accesses.len()),
            keys: Vec::with_capacity(accesses.len()),
            layouts: Vec::new(),
            ids: HashMap::with_capacity(accesses.len()),
            access_count: accesses.len(),
            joined: Vec::new(),
        };
        for a in accesses {
            table.intern(Group::from_access(a));
        }
        table
    }

    /// The number of groups (ids are `0..len`).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// The group with id `id`.
    #[inline]
    pub fn get(&self, id: u32) -> &Group {
        &self.groups[id as usize]
    }

    /// The admission key of group `id` (`None` for [`NO_GROUP`]).
    #[inline(always)]
    pub fn key(&self, id: u32) -> Option<AdmissionKey> {
        self.keys.get(id as usize).copied()
    }

    /// The id of `group`, added when new.
    pub fn intern(&mut self, group: Group) -> u32 {
        if let Some(&id) = self.ids.get(&group) {
            return id;
        }
        let id = self.groups.len() as u32;
        self.groups.push(group);
        let layout = match self.layouts.iter().position(|&l| l == group.layout) {
            Some(index) => index,
            None => {
                self.layouts.push(group.layout);
                self.layouts.len() - 1
            }
        };
        self.keys
            .push(AdmissionKey((layout as u32) << 2 | group.class as u32));
        self.ids.insert(group, id);
        self.joined
            .extend(std::iter::repeat_n(NO_GROUP, self.access_count));
        id
    }

    /// The id of group `group` joined with access `access`.
    #[inline]
    pub fn join(&mut self, group: u32, access: u32) -> u32 {
        let slot = group as usize * self.access_count + access as usize;
        match self.joined.get(slot) {
            Some(&id) if id != NO_GROUP => id,
            _ => {
                let mut union = self.groups[group as usize];
                union.join(&self.groups[access as usize]);
                let id = self.intern(union);
                if let Some(entry) = self.joined.get_mut(slot) {
                    *entry = id;
                }
                id
            }
        }
    }
}
