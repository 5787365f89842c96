//! Views: the part of a resource an attachment touches, and the mapping of views to the
//! linear subresource space the planner tracks.
//!
//! Every resource is tracked as one line of subresource units: bytes for a buffer, and for an
//! image `aspect × mip × layer` in that nesting (index = `(aspect * mips + mip) * layers +
//! layer`). A buffer view is one interval; an image view is one interval per aspect when it
//! covers all layers, else one interval per aspect and mip.

use std::ops::Range;

use ash::vk;

use crate::resource::{ImageDesc, TaskBuffer, TaskImage};

/// A byte range of a buffer. `size == u64::MAX` means "to the end of the buffer".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BufferView {
    /// The buffer.
    pub buffer: TaskBuffer,
    /// First byte.
    pub offset: u64,
    /// Length in bytes, or `u64::MAX` for the rest of the buffer.
    pub size: u64,
}

/// A subresource range of an image: aspects, mips and layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImageView {
    /// The image.
    pub image: TaskImage,
    /// Aspects; empty means all aspects of the image's format.
    pub aspect: vk::ImageAspectFlags,
    /// First mip.
    pub base_mip: u32,
    /// Number of mips, or `u32::MAX` for the rest.
    pub mip_count: u32,
    /// First array layer.
    pub base_layer: u32,
    /// Number of layers, or `u32::MAX` for the rest.
    pub layer_count: u32,
}

/// Any view; what attachments take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    /// A buffer view.
    Buffer(BufferView),
    /// An image view.
    Image(ImageView),
}

impl View {
    /// The index of the viewed resource among its graph's resources.
    pub fn resource_index(&self) -> u32 {
        match self {
            View::Buffer(v) => v.buffer.index,
            View::Image(v) => v.image.index,
        }
    }
}

impl TaskBuffer {
    /// The whole buffer.
    pub fn whole(self) -> BufferView {
        BufferView {
            buffer: self,
            offset: 0,
            size: u64::MAX,
        }
    }

    /// `size` bytes from `offset`.
    pub fn range(self, offset: u64, size: u64) -> BufferView {
        BufferView {
            buffer: self,
            offset,
            size,
        }
    }
}

impl TaskImage {
    /// Every aspect, mip and layer.
    pub fn whole(self) -> ImageView {
        ImageView {
            image: self,
            aspect: vk::ImageAspectFlags::empty(),
            base_mip: 0,
            mip_count: u32::MAX,
            base_layer: 0,
            layer_count: u32::MAX,
        }
    }

    /// One mip, all layers.
    pub fn mip(self, mip: u32) -> ImageView {
        self.whole().mips(mip..mip + 1)
    }
}

impl ImageView {
    /// The same view restricted to the mips `range`.
    pub fn mips(mut self, range: Range<u32>) -> Self {
        self.base_mip = range.start;
        self.mip_count = range.end.saturating_sub(range.start);
        self
    }

    /// The same view restricted to the layers `range`.
    pub fn layers(mut self, range: Range<u32>) -> Self {
        self.base_layer = range.start;
        self.layer_count = range.end.saturating_sub(range.start);
        self
    }

    /// The same view restricted to one layer.
    pub fn layer(self, layer: u32) -> Self {
        self.layers(layer..layer + 1)
    }

    /// The same view restricted to `aspect`.
    pub fn aspect(mut self, aspect: vk::ImageAspectFlags) -> Self {
        self.aspect = aspect;
        self
    }

    /// The explicit subresource range this view covers in an image described by `desc`
    /// ("all aspects" and "the rest of the mips/layers" made concrete); `None` when the view
    /// does not fit the image.
    pub fn range_in(&self, desc: &ImageDesc) -> Option<ImageRange> {
        match resolve_image(self, desc).ok()? {
            Resolved::Image {
                base_mip,
                mip_count,
                base_layer,
                layer_count,
                ..
            } => Some(ImageRange {
                aspect: if self.aspect.is_empty() {
                    desc.aspects()
                } else {
                    self.aspect
                },
                base_mip,
                mip_count,
                base_layer,
                layer_count,
            }),
            Resolved::Buffer { .. } => None,
        }
    }
}

impl BufferView {
    /// The explicit `(offset, size)` this view covers in a buffer of `buffer_size` bytes;
    /// `None` when it does not fit.
    pub fn range_in(&self, buffer_size: u64) -> Option<(u64, u64)> {
        match resolve_buffer(self, buffer_size).ok()? {
            Resolved::Buffer { offset, size } => Some((offset, size)),
            Resolved::Image { .. } => None,
        }
    }
}

impl From<TaskBuffer> for BufferView {
    fn from(b: TaskBuffer) -> Self {
        b.whole()
    }
}
impl From<TaskImage> for ImageView {
    fn from(i: TaskImage) -> Self {
        i.whole()
    }
}
impl From<TaskBuffer> for View {
    fn from(b: TaskBuffer) -> Self {
        View::Buffer(b.whole())
    }
}
impl From<TaskImage> for View {
    fn from(i: TaskImage) -> Self {
        View::Image(i.whole())
    }
}
impl From<BufferView> for View {
    fn from(v: BufferView) -> Self {
        View::Buffer(v)
    }
}
impl From<ImageView> for View {
    fn from(v: ImageView) -> Self {
        View::Image(v)
    }
}

/// A view resolved against its resource: explicit ranges, checked in bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Resolved {
    Buffer {
        offset: u64,
        size: u64,
    },
    Image {
        /// Bit `i` set when the view covers the `i`-th aspect of the format (in bit order).
        aspect_bits: u32,
        base_mip: u32,
        mip_count: u32,
        base_layer: u32,
        layer_count: u32,
        /// The image's mips and layers.
        mips: u32,
        layers: u32,
        /// The image's aspects.
        image_aspects: u32,
    },
}

impl Resolved {
    /// The explicit range, in the form the plan reports uses in.
    pub(crate) fn subresources(&self) -> Subresources {
        match *self {
            Resolved::Buffer { offset, size } => Subresources::Buffer { offset, size },
            Resolved::Image {
                aspect_bits,
                base_mip,
                mip_count,
                base_layer,
                layer_count,
                image_aspects,
                ..
            } => {
                let aspect = (0..32)
                    .filter(|i| aspect_bits & (1 << i) != 0)
                    .fold(vk::ImageAspectFlags::empty(), |all, i| {
                        all | aspect_at(image_aspects, i)
                    });
                Subresources::Image(ImageRange {
                    aspect,
                    base_mip,
                    mip_count,
                    base_layer,
                    layer_count,
                })
            }
        }
    }
}

/// Why a view does not fit its resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ViewProblem {
    Empty(String),
    OutOfBounds(String),
}

pub(crate) fn resolve_buffer(view: &BufferView, size: u64) -> Result<Resolved, ViewProblem> {
    let len = if view.size == u64::MAX {
        size.saturating_sub(view.offset)
    } else {
        view.size
    };
    if view.offset >= size && !(view.size == u64::MAX && view.offset == size) {
        return Err(ViewProblem::OutOfBounds(format!(
            "offset {} is past the end of a {size}-byte buffer",
            view.offset
        )));
    }
    if len == 0 {
        return Err(ViewProblem::Empty(format!(
            "0 bytes at offset {}",
            view.offset
        )));
    }
    match view.offset.checked_add(len) {
        Some(end) if end <= size => Ok(Resolved::Buffer {
            offset: view.offset,
            size: len,
        }),
        _ => Err(ViewProblem::OutOfBounds(format!(
            "bytes {}..{} of a {size}-byte buffer",
            view.offset,
            u128::from(view.offset) + u128::from(len)
        ))),
    }
}

fn resolve_count(base: u32, count: u32, total: u32, what: &str) -> Result<u32, ViewProblem> {
    let count = if count == u32::MAX {
        total.saturating_sub(base)
    } else {
        count
    };
    if count == 0 {
        return Err(ViewProblem::Empty(format!("0 {what}s from {what} {base}")));
    }
    if u64::from(base) + u64::from(count) > u64::from(total) {
        return Err(ViewProblem::OutOfBounds(format!(
            "{what}s {base}..{} of an image with {total} {what}s",
            u64::from(base) + u64::from(count)
        )));
    }
    Ok(count)
}

pub(crate) fn resolve_image(view: &ImageView, desc: &ImageDesc) -> Result<Resolved, ViewProblem> {
    let all = desc.aspects();
    let aspect = if view.aspect.is_empty() {
        all
    } else {
        view.aspect
    };
    if !all.contains(aspect) {
        return Err(ViewProblem::OutOfBounds(format!(
            "aspect {aspect:?} is not in the image's aspects {all:?}"
        )));
    }
    let mip_count = resolve_count(view.base_mip, view.mip_count, desc.mip_levels, "mip")?;
    let layer_count = resolve_count(
        view.base_layer,
        view.layer_count,
        desc.array_layers,
        "layer",
    )?;
    Ok(Resolved::Image {
        aspect_bits: aspect_positions(all, aspect),
        base_mip: view.base_mip,
        mip_count,
        base_layer: view.base_layer,
        layer_count,
        mips: desc.mip_levels,
        layers: desc.array_layers,
        image_aspects: all.as_raw(),
    })
}

/// Bit `i` set when the `i`-th aspect of `all` (in bit order) is in `view`.
fn aspect_positions(all: vk::ImageAspectFlags, view: vk::ImageAspectFlags) -> u32 {
    let mut out = 0;
    let mut position = 0;
    for bit in 0..32 {
        let flag = 1u32 << bit;
        if all.as_raw() & flag != 0 {
            if view.as_raw() & flag != 0 {
                out |= 1 << position;
            }
            position += 1;
        }
    }
    out
}

/// The `position`-th aspect flag of `all` (in bit order).
pub(crate) fn aspect_at(all: u32, position: u32) -> vk::ImageAspectFlags {
    let mut seen = 0;
    for bit in 0..32 {
        let flag = 1u32 << bit;
        if all & flag != 0 {
            if seen == position {
                return vk::ImageAspectFlags::from_raw(flag);
            }
            seen += 1;
        }
    }
    vk::ImageAspectFlags::empty()
}

impl Resolved {
    /// Calls `f` with each interval `[start, end)` of the linear subresource space the view
    /// covers, in increasing order.
    pub(crate) fn for_each_interval(&self, mut f: impl FnMut(u64, u64)) {
        match *self {
            Resolved::Buffer { offset, size } => f(offset, offset + size),
            Resolved::Image {
                aspect_bits,
                base_mip,
                mip_count,
                base_layer,
                layer_count,
                mips,
                layers,
                ..
            } => {
                let layers = u64::from(layers);
                let plane = u64::from(mips) * layers;
                let mut remaining = aspect_bits;
                while remaining != 0 {
                    let a = u64::from(remaining.trailing_zeros());
                    remaining &= remaining - 1;
                    let mip0 = a * plane + u64::from(base_mip) * layers;
                    if u64::from(layer_count) == layers {
                        f(mip0, mip0 + u64::from(mip_count) * layers);
                    } else {
                        for m in 0..u64::from(mip_count) {
                            let start = mip0 + m * layers + u64::from(base_layer);
                            f(start, start + u64::from(layer_count));
                        }
                    }
                }
            }
        }
    }

    /// True when the two resolved views of one resource share a subresource unit.
    pub(crate) fn overlaps(&self, other: &Resolved) -> bool {
        match (*self, *other) {
            (
                Resolved::Buffer { offset, size },
                Resolved::Buffer {
                    offset: o2,
                    size: s2,
                },
            ) => offset < o2 + s2 && o2 < offset + size,
            (
                Resolved::Image {
                    aspect_bits,
                    base_mip,
                    mip_count,
                    base_layer,
                    layer_count,
                    ..
                },
                Resolved::Image {
                    aspect_bits: a2,
                    base_mip: m2,
                    mip_count: mc2,
                    base_layer: l2,
                    layer_count: lc2,
                    ..
                },
            ) => {
                aspect_bits & a2 != 0
                    && base_mip < m2 + mc2
                    && m2 < base_mip + mip_count
                    && base_layer < l2 + lc2
                    && l2 < base_layer + layer_count
            }
            _ => false,
        }
    }
}

/// Part of a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subresources {
    /// A byte range of a buffer.
    Buffer {
        /// First byte.
        offset: u64,
        /// Length in bytes.
        size: u64,
    },
    /// A subresource range of an image.
    Image(ImageRange),
}

/// A range of image subresources (like `VkImageSubresourceRange`, with equality).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImageRange {
    /// Aspects.
    pub aspect: vk::ImageAspectFlags,
    /// First mip.
    pub base_mip: u32,
    /// Number of mips.
    pub mip_count: u32,
    /// First layer.
    pub base_layer: u32,
    /// Number of layers.
    pub layer_count: u32,
}

impl ImageRange {
    /// The Vulkan subresource range.
    pub fn to_vk(&self) -> vk::ImageSubresourceRange {
        vk::ImageSubresourceRange {
            aspect_mask: self.aspect,
            base_mip_level: self.base_mip,
            level_count: self.mip_count,
            base_array_layer: self.base_layer,
            layer_count: self.layer_count,
        }
    }
}

/// Splits an interval `[start, end)` of an image's linear space (never crossing an aspect)
/// into at most three Vulkan subresource ranges, calling `f` for each.
pub(crate) fn image_ranges(
    start: u64,
    end: u64,
    aspects: u32,
    mips: u32,
    layers: u32,
    mut f: impl FnMut(ImageRange),
) {
    let layers = u64::from(layers);
    let plane = u64::from(mips) * layers;
    let aspect = aspect_at(aspects, (start / plane) as u32);
    let local_start = start % plane;
    let local_end = local_start + (end - start);
    let mut range = |mip: u64, mip_count: u64, layer: u64, layer_count: u64| {
        f(ImageRange {
            aspect,
            base_mip: mip as u32,
            mip_count: mip_count as u32,
            base_layer: layer as u32,
            layer_count: layer_count as u32,
        })
    };
    let (first_mip, first_layer) = (local_start / layers, local_start % layers);
    let (last_mip, last_layer_end) = ((local_end - 1) / layers, (local_end - 1) % layers + 1);
    if first_mip == last_mip {
        range(first_mip, 1, first_layer, last_layer_end - first_layer);
        return;
    }
    let mut full_from = first_mip;
    if first_layer != 0 {
        range(first_mip, 1, first_layer, layers - first_layer);
        full_from += 1;
    }
    let full_to = if last_layer_end == layers {
        last_mip + 1
    } else {
        last_mip
    };
    if full_to > full_from {
        range(full_from, full_to - full_from, 0, layers);
    }
    if last_layer_end != layers {
        range(last_mip, 1, 0, last_layer_end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(start: u64, end: u64, mips: u32, layers: u32) -> Vec<(u32, u32, u32, u32)> {
        let mut out = vec![];
        image_ranges(
            start,
            end,
            vk::ImageAspectFlags::COLOR.as_raw(),
            mips,
            layers,
            |r| out.push((r.base_mip, r.mip_count, r.base_layer, r.layer_count)),
        );
        out
    }

    #[test]
    fn intervals_back_to_subresource_ranges() {
        // 4 mips × 3 layers: whole image.
        assert_eq!(ranges(0, 12, 4, 3), vec![(0, 4, 0, 3)]);
        // layers 1..3 of mip 0, full mips 1..3, layer 0 of mip 3.
        assert_eq!(
            ranges(1, 10, 4, 3),
            vec![(0, 1, 1, 2), (1, 2, 0, 3), (3, 1, 0, 1)]
        );
        // inside one mip.
        assert_eq!(ranges(4, 5, 4, 3), vec![(1, 1, 1, 1)]);
    }

    #[test]
    fn partial_layers_give_one_interval_per_mip() {
        let r = Resolved::Image {
            aspect_bits: 1,
            base_mip: 1,
            mip_count: 2,
            base_layer: 1,
            layer_count: 1,
            mips: 4,
            layers: 3,
            image_aspects: vk::ImageAspectFlags::COLOR.as_raw(),
        };
        let mut v = vec![];
        r.for_each_interval(|s, e| v.push((s, e)));
        assert_eq!(v, vec![(4, 5), (7, 8)]);
    }
}
