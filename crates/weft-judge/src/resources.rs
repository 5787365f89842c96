//! The resources the judge knows and their locations: a buffer as sorted byte segments
//! (split where accesses and barriers start and end), an image as one location per
//! subresource.

use std::collections::HashMap;

use ash::vk;

use crate::location::{Conflict, Dependency, Location, Tag, Work};
use crate::Target;

struct Buffer {
    name: String,
    size: u64,
    /// `(start, end, state)`, sorted, covering `0..size`.
    segments: Vec<(u64, u64, Location)>,
}

struct Image {
    name: String,
    aspects: Vec<vk::ImageAspectFlags>,
    mips: u32,
    layers: u32,
    /// By `(aspect * mips + mip) * layers + layer`.
    locations: Vec<Location>,
}

#[derive(Default)]
pub(crate) struct Resources {
    buffers: HashMap<u64, Buffer>,
    images: HashMap<u64, Image>,
}

impl Buffer {
    /// Splits the segment holding `at` there, so that a segment starts at `at`.
    fn split_at(&mut self, at: u64) {
        if let Some(i) = self
            .segments
            .iter()
            .position(|(s, e, _)| *s < at && at < *e)
        {
            let (start, end, state) = self.segments[i].clone();
            self.segments[i] = (start, at, state.clone());
            self.segments.insert(i + 1, (at, end, state));
        }
    }

    /// The segments of `offset..offset + size` (split to start and end there).
    fn range(&mut self, offset: u64, size: u64) -> impl Iterator<Item = &mut Location> {
        let end = if size == vk::WHOLE_SIZE {
            self.size
        } else {
            offset.saturating_add(size).min(self.size)
        };
        self.split_at(offset);
        self.split_at(end);
        self.segments
            .iter_mut()
            .filter(move |(s, e, _)| *s >= offset && *e <= end && s < e)
            .map(|(_, _, l)| l)
    }
}

impl Image {
    /// Indices of the subresources in `range`.
    fn indices(&self, range: &vk::ImageSubresourceRange) -> Vec<usize> {
        let mips = if range.level_count == vk::REMAINING_MIP_LEVELS {
            self.mips.saturating_sub(range.base_mip_level)
        } else {
            range.level_count
        };
        let layers = if range.layer_count == vk::REMAINING_ARRAY_LAYERS {
            self.layers.saturating_sub(range.base_array_layer)
        } else {
            range.layer_count
        };
        let mut out = Vec::new();
        for (a, aspect) in self.aspects.iter().enumerate() {
            if !range.aspect_mask.contains(*aspect) {
                continue;
            }
            for mip in range.base_mip_level..(range.base_mip_level + mips).min(self.mips) {
                for layer in
                    range.base_array_layer..(range.base_array_layer + layers).min(self.layers)
                {
                    out.push(((a as u32 * self.mips + mip) * self.layers + layer) as usize);
                }
            }
        }
        out
    }
}

impl Resources {
    pub fn add_buffer(&mut self, handle: u64, name: &str, size: u64) {
        self.buffers.insert(
            handle,
            Buffer {
                name: name.to_owned(),
                size,
                segments: vec![(0, size, Location::default())],
            },
        );
    }

    pub fn add_image(
        &mut self,
        handle: u64,
        name: &str,
        aspects: vk::ImageAspectFlags,
        mips: u32,
        layers: u32,
    ) {
        let aspects: Vec<vk::ImageAspectFlags> = (0..32)
            .map(|bit| vk::ImageAspectFlags::from_raw(1 << bit))
            .filter(|a| aspects.contains(*a))
            .collect();
        let count = (aspects.len() as u32 * mips * layers) as usize;
        self.images.insert(
            handle,
            Image {
                name: name.to_owned(),
                aspects,
                mips,
                layers,
                locations: vec![Location::default(); count],
            },
        );
    }

    pub fn name(&self, handle: u64) -> String {
        self.buffers
            .get(&handle)
            .map(|b| b.name.clone())
            .or_else(|| self.images.get(&handle).map(|i| i.name.clone()))
            .unwrap_or_else(|| format!("{handle:#x}"))
    }

    pub fn knows(&self, handle: u64) -> bool {
        self.buffers.contains_key(&handle) || self.images.contains_key(&handle)
    }

    pub fn is_image(&self, handle: u64) -> bool {
        self.images.contains_key(&handle)
    }

    /// Calls `f` with each location of `target`; false when the resource is unknown.
    pub fn each_location(
        &mut self,
        target: &Target,
        mut f: impl FnMut(u64, &mut Location),
    ) -> bool {
        match *target {
            Target::Buffer {
                buffer,
                offset,
                size,
            } => match self.buffers.get_mut(&buffer) {
                Some(b) => {
                    b.range(offset, size).for_each(|l| f(buffer, l));
                    true
                }
                None => false,
            },
            Target::Image { image, range } => match self.images.get_mut(&image) {
                Some(i) => {
                    for index in i.indices(&range) {
                        f(image, &mut i.locations[index]);
                    }
                    true
                }
                None => false,
            },
        }
    }

    /// Applies one barrier call: `global` (memory barriers) to every location, each buffer
    /// and image barrier to its own. `work` has one entry per barrier, memory barriers
    /// first, then buffer barriers, then image barriers.
    pub fn barrier(
        &mut self,
        global: &[Dependency],
        buffers: &[vk::BufferMemoryBarrier2<'_>],
        images: &[vk::ImageMemoryBarrier2<'_>],
        tag: Tag,
        work: &mut [Work],
        found: &mut Vec<(u64, Vec<(Tag, Conflict)>)>,
    ) {
        let dep = |src, src_access, dst, dst_access| {
            Dependency::new(src, src_access, dst, dst_access, tag)
        };
        let buffer_base = global.len();
        let image_base = buffer_base + buffers.len();
        for (&handle, buffer) in self.buffers.iter_mut() {
            let own: Vec<(usize, &vk::BufferMemoryBarrier2<'_>)> = buffers
                .iter()
                .enumerate()
                .filter(|(_, b)| vk::Handle::as_raw(b.buffer) == handle)
                .collect();
            for (_, b) in &own {
                buffer.range(b.offset, b.size).for_each(drop);
            }
            let mut conflicts = Vec::new();
            let size = buffer.size;
            for (start, end, loc) in buffer.segments.iter_mut() {
                let mut deps: Vec<Dependency> = global.to_vec();
                let mut slots: Vec<usize> = (0..global.len()).collect();
                for (i, b) in &own {
                    let b_end = if b.size == vk::WHOLE_SIZE {
                        size
                    } else {
                        b.offset + b.size
                    };
                    if b.offset <= *start && *end <= b_end {
                        deps.push(dep(
                            b.src_stage_mask,
                            b.src_access_mask,
                            b.dst_stage_mask,
                            b.dst_access_mask,
                        ));
                        slots.push(buffer_base + i);
                    }
                }
                apply(loc, &deps, &slots, work, &mut conflicts);
            }
            if !conflicts.is_empty() {
                found.push((handle, conflicts));
            }
        }
        for (&handle, image) in self.images.iter_mut() {
            let own: Vec<(usize, Vec<usize>, &vk::ImageMemoryBarrier2<'_>)> = images
                .iter()
                .enumerate()
                .filter(|(_, b)| vk::Handle::as_raw(b.image) == handle)
                .map(|(i, b)| (i, image.indices(&b.subresource_range), b))
                .collect();
            let mut conflicts = Vec::new();
            for (index, loc) in image.locations.iter_mut().enumerate() {
                let mut deps: Vec<Dependency> = global.to_vec();
                let mut slots: Vec<usize> = (0..global.len()).collect();
                for (i, covered, b) in &own {
                    if covered.contains(&index) {
                        let mut d = dep(
                            b.src_stage_mask,
                            b.src_access_mask,
                            b.dst_stage_mask,
                            b.dst_access_mask,
                        );
                        if b.old_layout != b.new_layout {
                            d.transition = Some((b.old_layout, b.new_layout));
                        }
                        deps.push(d);
                        slots.push(image_base + i);
                    }
                }
                apply(loc, &deps, &slots, work, &mut conflicts);
            }
            if !conflicts.is_empty() {
                found.push((handle, conflicts));
            }
        }
    }

    /// A semaphore or host wait: everything before `seq` is ordered before `stages`.
    pub fn wait(&mut self, seq: u64, stages: vk::PipelineStageFlags2) {
        for buffer in self.buffers.values_mut() {
            for (_, _, loc) in buffer.segments.iter_mut() {
                loc.wait(seq, stages);
            }
        }
        for image in self.images.values_mut() {
            for loc in image.locations.iter_mut() {
                loc.wait(seq, stages);
            }
        }
    }
}

/// Applies `deps` to `loc` and adds what each did to its slot in `work`.
fn apply(
    loc: &mut Location,
    deps: &[Dependency],
    slots: &[usize],
    work: &mut [Work],
    conflicts: &mut Vec<(Tag, Conflict)>,
) {
    if deps.is_empty() {
        return;
    }
    let mut did = vec![Work::default(); deps.len()];
    loc.barrier(deps, conflicts, &mut did);
    for (slot, d) in slots.iter().zip(did) {
        if let Some(w) = work.get_mut(*slot) {
            w.useful |= d.useful;
            w.ordered_stages |= d.ordered_stages;
        }
    }
}
