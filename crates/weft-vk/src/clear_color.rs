//! Clear values in the numeric type of a color format's texels (float, unsigned or signed
//! integer), checked against the format; used by clears and by draws' color attachments.

use ash::vk;

/// A clear color in the attachment format's numeric type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClearColor {
    /// Float, normalised and scaled formats.
    Float([f32; 4]),
    /// Unsigned integer formats.
    Uint([u32; 4]),
    /// Signed integer formats.
    Int([i32; 4]),
}

impl From<[f32; 4]> for ClearColor {
    fn from(v: [f32; 4]) -> Self {
        Self::Float(v)
    }
}

impl From<[u32; 4]> for ClearColor {
    fn from(v: [u32; 4]) -> Self {
        Self::Uint(v)
    }
}

impl From<[i32; 4]> for ClearColor {
    fn from(v: [i32; 4]) -> Self {
        Self::Int(v)
    }
}

impl ClearColor {
    /// The Vulkan value.
    pub fn to_vk(self) -> vk::ClearColorValue {
        match self {
            Self::Float(float32) => vk::ClearColorValue { float32 },
            Self::Uint(uint32) => vk::ClearColorValue { uint32 },
            Self::Int(int32) => vk::ClearColorValue { int32 },
        }
    }

    /// An error text when this value's type does not fit `format` (an unsigned value for
    /// a float format, ...).
    pub(crate) fn check(self, format: vk::Format) -> Result<(), String> {
        let wanted = numeric_type(format);
        let given = match self {
            Self::Float(_) => Numeric::Float,
            Self::Uint(_) => Numeric::Uint,
            Self::Int(_) => Numeric::Int,
        };
        if wanted == given {
            Ok(())
        } else {
            Err(format!(
                "a {given:?} clear value for a {format:?} image, whose texels are {wanted:?}"
            ))
        }
    }
}

/// The numeric type of a color format's texels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Numeric {
    Float,
    Uint,
    Int,
}

fn numeric_type(format: vk::Format) -> Numeric {
    let name = format!("{format:?}");
    if name.ends_with("_UINT") {
        Numeric::Uint
    } else if name.ends_with("_SINT") {
        Numeric::Int
    } else {
        Numeric::Float
    }
}
