//! The tracks of the walk's parts: resource `r` belongs to part `r % parts`, at index
//! `r / parts` of its tracks.

use crate::compile::tracks::Track;
use crate::resource::ResourceSummary;
use crate::touch::Selection;

/// The tracks of the resources a part owns: resource `r` of part `r % parts` at index
/// `r / parts`.
#[derive(Debug, Default)]
pub(super) struct PartTracks {
    tracks: Vec<Track>,
    /// `log2(parts)`: 0 or 1.
    shift: u32,
    /// The part's index.
    part: u32,
}

impl PartTracks {
    /// Makes these the untouched tracks of part `part` of `parts` (1 or 2), keeping the
    /// memory of earlier maps.
    pub fn reset(&mut self, summaries: &[ResourceSummary], part: usize, parts: usize) {
        let owned = summaries.iter().skip(part).step_by(parts);
        self.shift = parts.trailing_zeros();
        self.part = part as u32;
        self.tracks.truncate(owned.len());
        let kept = self.tracks.len();
        for (track, summary) in self.tracks.iter_mut().zip(owned.clone()) {
            track.reset(summary);
        }
        self.tracks.extend(owned.skip(kept).map(Track::new));
    }

    /// The touches this part reads: those of the resources it owns.
    pub fn selection(&self) -> Selection {
        match self.shift {
            0 => Selection::All,
            _ => Selection::Parity(self.part as usize),
        }
    }

    /// The parities of the resources this part owns: both when it is the only part.
    pub fn parities(&self) -> std::ops::Range<usize> {
        match self.shift {
            0 => 0..2,
            _ => self.part as usize..self.part as usize + 1,
        }
    }

    /// The track of resource `resource`, which this part owns.
    #[inline(always)]
    pub fn get(&self, resource: u32) -> Option<&Track> {
        self.tracks.get((resource >> self.shift) as usize)
    }

    /// The track of resource `resource`, which this part owns, to change.
    #[inline(always)]
    pub fn get_mut(&mut self, resource: u32) -> Option<&mut Track> {
        self.tracks.get_mut((resource >> self.shift) as usize)
    }

    /// The size of the tracks themselves (not their spilled maps).
    pub fn bytes(&self) -> usize {
        std::mem::size_of_val(self.tracks.as_slice())
    }

    /// Every track, to change.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Track> {
        self.tracks.iter_mut()
    }
}

/// The tracks of all resources, as the parts of a walk left them.
#[derive(Debug, Default)]
pub(crate) struct Tracks {
    pub(super) parts: Vec<PartTracks>,
}

impl Tracks {
    /// The track of resource `resource`, to change.
    #[inline]
    pub fn get_mut(&mut self, resource: u32) -> Option<&mut Track> {
        let part = self.part_of(resource);
        self.parts.get_mut(part)?.get_mut(resource)
    }

    /// The part that owns resource `resource` (the number of parts is a power of two).
    #[inline]
    fn part_of(&self, resource: u32) -> usize {
        resource as usize & self.parts.len().saturating_sub(1)
    }

    /// The tracks of every resource, in order: one from each part in turn.
    pub fn in_order(&self) -> impl Iterator<Item = &Track> + '_ {
        let mut parts: Vec<std::slice::Iter<'_, Track>> =
            self.parts.iter().map(|p| p.tracks.iter()).collect();
        let mut turn = 0;
        std::iter::from_fn(move || {
            let count = parts.len();
            let next = parts.get_mut(turn)?.next();
            turn = if turn + 1 == count { 0 } else { turn + 1 };
            next
        })
    }
}
