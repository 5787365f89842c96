//! The planner's linear indexing of an image's subresources, for runtimes that keep state
//! per subresource: unit `(aspect position × mips + mip) × layers + layer`. A range of
//! subresources is a few intervals of that space; an interval maps back to at most three
//! subresource ranges per aspect. The planner tracks images in the same space, so a runtime
//! that uses these functions splits and merges ranges exactly as the planner does.

use std::ops::Range;

use crate::resource::ImageDesc;
use crate::view::{aspect_at, image_ranges, resolve_image, ImageRange, ImageView, Resolved};

/// The subresource space of one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageUnits {
    desc: ImageDesc,
}

impl ImageUnits {
    /// The subresource space of images described by `desc`.
    pub fn of(desc: &ImageDesc) -> Self {
        Self { desc: *desc }
    }

    /// The number of subresources (aspects × mips × layers).
    pub fn count(&self) -> usize {
        self.desc.aspects().as_raw().count_ones() as usize
            * self.desc.mip_levels as usize
            * self.desc.array_layers as usize
    }

    /// Calls `f` with each interval of units `range` covers, in increasing order; nothing
    /// when `range` is not inside the image.
    pub fn intervals(&self, range: &ImageRange, mut f: impl FnMut(Range<usize>)) {
        // The range as a view, to resolve it the way recording resolves views (bounds,
        // aspect positions); `resolve_image` reads only the range fields, not the handle.
        let view = ImageView {
            image: crate::resource::TaskImage {
                graph: crate::resource::GraphId(0),
                index: 0,
            },
            aspect: range.aspect,
            base_mip: range.base_mip,
            mip_count: range.mip_count,
            base_layer: range.base_layer,
            layer_count: range.layer_count,
        };
        if let Ok(resolved @ Resolved::Image { .. }) = resolve_image(&view, &self.desc) {
            resolved.for_each_interval(|start, end| f(start as usize..end as usize));
        }
    }

    /// Calls `f` with the subresource ranges that cover the units `units` (split where the
    /// interval crosses an aspect).
    pub fn ranges(&self, units: Range<usize>, mut f: impl FnMut(ImageRange)) {
        let aspects = self.desc.aspects().as_raw();
        let plane = self.desc.mip_levels as usize * self.desc.array_layers as usize;
        let mut start = units.start;
        while start < units.end.min(self.count()) {
            let plane_end = (start / plane + 1) * plane;
            let end = units.end.min(plane_end);
            image_ranges(
                start as u64,
                end as u64,
                aspects,
                self.desc.mip_levels,
                self.desc.array_layers,
                &mut f,
            );
            start = end;
        }
    }

    /// The aspect of unit `unit`.
    pub fn aspect_of(&self, unit: usize) -> ash::vk::ImageAspectFlags {
        let plane = self.desc.mip_levels as usize * self.desc.array_layers as usize;
        aspect_at(self.desc.aspects().as_raw(), (unit / plane) as u32)
    }
}

#[cfg(test)]
mod tests {
    use ash::vk;

    use super::*;

    #[test]
    fn ranges_round_trip_through_intervals() {
        let desc = ImageDesc::new_2d(
            vk::Format::D24_UNORM_S8_UINT,
            16,
            16,
            vk::ImageUsageFlags::DEPTH_STENCIL_ATTACHMENT,
        )
        .with_mips(3)
        .with_layers(2);
        let units = ImageUnits::of(&desc);
        assert_eq!(units.count(), 12);
        let range = ImageRange {
            aspect: vk::ImageAspectFlags::DEPTH | vk::ImageAspectFlags::STENCIL,
            base_mip: 1,
            mip_count: 2,
            base_layer: 0,
            layer_count: 2,
        };
        let mut intervals = vec![];
        units.intervals(&range, |i| intervals.push(i));
        assert_eq!(intervals, vec![2..6, 8..12]);
        let mut back = vec![];
        for i in intervals {
            units.ranges(i, |r| back.push(r));
        }
        assert_eq!(
            back,
            vec![
                ImageRange {
                    aspect: vk::ImageAspectFlags::DEPTH,
                    ..range
                },
                ImageRange {
                    aspect: vk::ImageAspectFlags::STENCIL,
                    ..range
                }
            ]
        );
        // An interval across the two aspects splits.
        let mut split = vec![];
        units.ranges(5..7, |r| split.push((r.aspect, r.base_mip, r.base_layer)));
        assert_eq!(
            split,
            vec![
                (vk::ImageAspectFlags::DEPTH, 2, 1),
                (vk::ImageAspectFlags::STENCIL, 0, 0)
            ]
        );
    }
}
