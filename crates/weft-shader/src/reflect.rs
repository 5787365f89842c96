//! Reflection of a naga module's entry point: bindings, declared and used accesses,
//! push-constant size, workgroup size.

use naga::valid::{FunctionInfo, GlobalUse};
use naga::{AddressSpace, ImageClass, StorageAccess, TypeInner};

/// Read and/or write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadWrite {
    /// Reads.
    pub read: bool,
    /// Writes.
    pub write: bool,
}

/// What a binding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// A storage buffer.
    StorageBuffer,
    /// A uniform buffer.
    UniformBuffer,
    /// A storage image of this format.
    StorageImage(naga::StorageFormat),
    /// A sampled image (texture).
    SampledImage,
    /// A sampler.
    Sampler,
}

/// One resource binding of the entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The variable's name in the source (empty when it has none).
    pub name: String,
    /// Descriptor set.
    pub set: u32,
    /// Binding number.
    pub binding: u32,
    /// What it is.
    pub kind: BindingKind,
    /// The access the declaration allows.
    pub declared: ReadWrite,
    /// The access the entry point really makes (a declared read-write buffer the shader
    /// only writes is used write-only).
    pub used: ReadWrite,
}

/// The type of a vertex input or a fragment output: scalar kind and component count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoType {
    /// Float, signed or unsigned integer.
    pub kind: ScalarKind,
    /// Bytes per component (4 for `f32`/`i32`/`u32`).
    pub width: u8,
    /// 1 to 4 components.
    pub components: u8,
}

/// The scalar kind of an [`IoType`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// Floating point.
    Float,
    /// Signed integer.
    Sint,
    /// Unsigned integer.
    Uint,
}

/// A vertex-shader input or fragment-shader output at a location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Io {
    /// The location.
    pub location: u32,
    /// Its type.
    pub ty: IoType,
}

/// Everything the runtime needs to bind a shader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reflection {
    /// The bindings the entry point uses, by set then binding.
    pub bindings: Vec<Binding>,
    /// Vertex shaders: the inputs, by location.
    pub vertex_inputs: Vec<Io>,
    /// Fragment shaders: the color outputs, by location.
    pub color_outputs: Vec<Io>,
    /// Size in bytes of the push-constant block (0 without one).
    pub push_constant_size: u32,
    /// Workgroup size (compute).
    pub workgroup_size: [u32; 3],
}

impl Reflection {
    /// The binding named `name`.
    pub fn binding(&self, name: &str) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.name == name)
    }
}

pub(crate) fn reflect(
    module: &naga::Module,
    entry: &naga::EntryPoint,
    info: &FunctionInfo,
) -> Reflection {
    let mut reflection = Reflection {
        workgroup_size: entry.workgroup_size,
        ..Default::default()
    };
    for (handle, var) in module.global_variables.iter() {
        let use_ = info[handle];
        if var.space == AddressSpace::Immediate {
            if !use_.is_empty() {
                reflection.push_constant_size = module.types[var.ty].inner.size(module.to_ctx());
            }
            continue;
        }
        let Some(binding) = &var.binding else {
            continue;
        };
        if use_.is_empty() {
            continue;
        }
        let Some((kind, declared)) = kind_of(module, var) else {
            continue;
        };
        let used = ReadWrite {
            read: use_.intersects(GlobalUse::READ | GlobalUse::ATOMIC | GlobalUse::QUERY)
                && declared.read,
            write: use_.intersects(GlobalUse::WRITE | GlobalUse::ATOMIC) && declared.write,
        };
        // GLSL blocks without an instance name leave the variable unnamed: use the block's.
        let name = var
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .or_else(|| module.types[var.ty].name.clone())
            .unwrap_or_default();
        reflection.bindings.push(Binding {
            name,
            set: binding.group,
            binding: binding.binding,
            kind,
            declared,
            used,
        });
    }
    reflection.bindings.sort_by_key(|b| (b.set, b.binding));
    match entry.stage {
        naga::ShaderStage::Vertex => {
            for arg in &entry.function.arguments {
                collect_io(
                    module,
                    arg.ty,
                    arg.binding.as_ref(),
                    &mut reflection.vertex_inputs,
                );
            }
        }
        naga::ShaderStage::Fragment => {
            if let Some(result) = &entry.function.result {
                collect_io(
                    module,
                    result.ty,
                    result.binding.as_ref(),
                    &mut reflection.color_outputs,
                );
            }
        }
        _ => {}
    }
    reflection.vertex_inputs.sort_by_key(|io| io.location);
    reflection.color_outputs.sort_by_key(|io| io.location);
    reflection
}

/// The located values of an entry point's argument or result (a struct's located members).
fn collect_io(
    module: &naga::Module,
    ty: naga::Handle<naga::Type>,
    binding: Option<&naga::Binding>,
    out: &mut Vec<Io>,
) {
    match binding {
        Some(naga::Binding::Location { location, .. }) => {
            if let Some(ty) = io_type(&module.types[ty].inner) {
                out.push(Io {
                    location: *location,
                    ty,
                });
            }
        }
        Some(_) => {}
        None => {
            if let TypeInner::Struct { members, .. } = &module.types[ty].inner {
                for member in members {
                    collect_io(module, member.ty, member.binding.as_ref(), out);
                }
            }
        }
    }
}

fn io_type(inner: &TypeInner) -> Option<IoType> {
    let (scalar, components) = match *inner {
        TypeInner::Scalar(scalar) => (scalar, 1),
        TypeInner::Vector { size, scalar } => (scalar, size as u8),
        _ => return None,
    };
    let kind = match scalar.kind {
        naga::ScalarKind::Float => ScalarKind::Float,
        naga::ScalarKind::Sint => ScalarKind::Sint,
        naga::ScalarKind::Uint => ScalarKind::Uint,
        _ => return None,
    };
    Some(IoType {
        kind,
        width: scalar.width,
        components,
    })
}

fn storage_access(access: StorageAccess) -> ReadWrite {
    ReadWrite {
        read: access.contains(StorageAccess::LOAD),
        write: access.intersects(StorageAccess::STORE | StorageAccess::ATOMIC),
    }
}

fn kind_of(module: &naga::Module, var: &naga::GlobalVariable) -> Option<(BindingKind, ReadWrite)> {
    let read_only = ReadWrite {
        read: true,
        write: false,
    };
    match var.space {
        AddressSpace::Storage { access } => {
            Some((BindingKind::StorageBuffer, storage_access(access)))
        }
        AddressSpace::Uniform => Some((BindingKind::UniformBuffer, read_only)),
        AddressSpace::Handle => match &module.types[var.ty].inner {
            TypeInner::Image {
                class: ImageClass::Storage { format, access },
                ..
            } => Some((BindingKind::StorageImage(*format), storage_access(*access))),
            TypeInner::Image { .. } => Some((BindingKind::SampledImage, read_only)),
            TypeInner::Sampler { .. } => Some((BindingKind::Sampler, ReadWrite::default())),
            _ => None,
        },
        _ => None,
    }
}
