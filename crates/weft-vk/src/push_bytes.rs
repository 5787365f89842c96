//! A task's push-constant bytes, kept inline in the task's own state up to
//! [`PushBytes::INLINE`] bytes: recording then reads them from memory it touches anyway
//! (and prefetches) instead of following a pointer to another allocation per task.

use std::ops::{Deref, DerefMut};

/// Push-constant bytes (see the module doc); derefs to the bytes.
#[derive(Clone, Debug)]
pub(crate) enum PushBytes {
    /// Up to `INLINE` bytes: the first `len` of `bytes`.
    Inline {
        len: u8,
        bytes: [u8; PushBytes::INLINE],
    },
    /// More.
    Heap(Box<[u8]>),
}

impl PushBytes {
    /// The most bytes kept inline.
    pub const INLINE: usize = 32;

    /// A copy of `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= Self::INLINE => {
                let mut inline = [0; Self::INLINE];
                inline[..bytes.len()].copy_from_slice(bytes);
                Self::Inline { len, bytes: inline }
            }
            _ => Self::Heap(bytes.into()),
        }
    }
}

impl Default for PushBytes {
    fn default() -> Self {
        Self::new(&[])
    }
}

impl Deref for PushBytes {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            Self::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Self::Heap(bytes) => bytes,
        }
    }
}

impl DerefMut for PushBytes {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        match self {
            Self::Inline { len, bytes } => &mut bytes[..usize::from(*len)],
            Self::Heap(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_blocks_stay_inline_and_large_ones_do_not() {
        let small = PushBytes::new(&[1, 2, 3]);
        assert!(matches!(small, PushBytes::Inline { len: 3, .. }));
        assert_eq!(&*small, &[1, 2, 3]);
        let exact = PushBytes::new(&[0; PushBytes::INLINE]);
        assert!(matches!(exact, PushBytes::Inline { .. }));
        assert_eq!(exact.len(), PushBytes::INLINE);
        let mut large = PushBytes::new(&[0; PushBytes::INLINE + 1]);
        assert!(matches!(large, PushBytes::Heap(_)));
        large[PushBytes::INLINE] = 7;
        assert_eq!(large.len(), PushBytes::INLINE + 1);
        assert_eq!(large[PushBytes::INLINE], 7);
        assert!(PushBytes::default().is_empty());
    }
}
