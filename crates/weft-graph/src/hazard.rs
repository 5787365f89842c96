//! Why one task depends on another (public, for inspection).

/// Why one task depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hazard {
    /// Read after write.
    ReadAfterWrite,
    /// Write after read.
    WriteAfterRead,
    /// Write after write.
    WriteAfterWrite,
    /// Reads in different image layouts.
    LayoutChange,
    /// An explicit `after()` edge.
    Explicit,
}

impl Hazard {
    /// Short label (RAW, WAR, WAW, layout, after).
    pub fn label(self) -> &'static str {
        match self {
            Self::ReadAfterWrite => "RAW",
            Self::WriteAfterRead => "WAR",
            Self::WriteAfterWrite => "WAW",
            Self::LayoutChange => "layout",
            Self::Explicit => "after",
        }
    }
}
