//! Shaders for weft: WGSL and GLSL compiled to SPIR-V with `naga`, and reflection of what
//! the runtime needs to bind them: every binding (set, binding, name, kind), the access it
//! declares and the access the entry point really makes, the push-constant size and the
//! workgroup size.
//!
//! ```
//! use weft_shader::{compile, BindingKind, Language, ShaderSource, Stage};
//!
//! let source = r#"
//!     @group(0) @binding(0) var<storage, read> input: array<u32>;
//!     @group(0) @binding(1) var<storage, read_write> output: array<u32>;
//!     @compute @workgroup_size(64)
//!     fn main(@builtin(global_invocation_id) id: vec3<u32>) {
//!         output[id.x] = input[id.x] * 2u;
//!     }
//! "#;
//! let shader = compile(&ShaderSource {
//!     path: "double.wgsl",
//!     code: source,
//!     language: Language::Wgsl,
//!     stage: Stage::Compute,
//! })
//! .unwrap();
//! let output = shader.reflection.binding("output").unwrap();
//! assert_eq!(output.kind, BindingKind::StorageBuffer);
//! // Declared read_write, but the shader only writes it.
//! assert!(output.declared.read && output.declared.write);
//! assert!(!output.used.read && output.used.write);
//! assert_eq!(shader.reflection.workgroup_size, [64, 1, 1]);
//! ```

#![warn(missing_docs)]

mod reflect;
#[cfg(feature = "shaderc")]
mod shaderc_glsl;

pub use naga::StorageFormat;
pub use reflect::{Binding, BindingKind, Io, IoType, ReadWrite, Reflection, ScalarKind};

use naga::valid::{Capabilities, ValidationFlags, Validator};

/// The language of a shader source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// WGSL.
    Wgsl,
    /// GLSL (Vulkan flavour, `#version 450` and up), through naga's GLSL front end (which
    /// rejects some GLSL, `writeonly` buffers for one).
    Glsl,
    /// GLSL through shaderc (glslang), the full language; reflected from its SPIR-V.
    #[cfg(feature = "shaderc")]
    GlslShaderc,
}

/// A pipeline stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Compute.
    Compute,
    /// Vertex.
    Vertex,
    /// Fragment.
    Fragment,
}

impl Stage {
    fn naga(self) -> naga::ShaderStage {
        match self {
            Self::Compute => naga::ShaderStage::Compute,
            Self::Vertex => naga::ShaderStage::Vertex,
            Self::Fragment => naga::ShaderStage::Fragment,
        }
    }
}

/// A shader to compile.
#[derive(Clone, Copy, Debug)]
pub struct ShaderSource<'a> {
    /// The file it came from (for error messages).
    pub path: &'a str,
    /// The source text.
    pub code: &'a str,
    /// Its language.
    pub language: Language,
    /// The stage of its entry point (GLSL sources have exactly one; for WGSL, the first
    /// entry point of this stage is used).
    pub stage: Stage,
}

/// A compiled shader.
#[derive(Clone, Debug)]
pub struct Shader {
    /// The file it came from.
    pub path: String,
    /// SPIR-V words.
    pub spirv: Vec<u32>,
    /// The entry point's name in the SPIR-V.
    pub entry_point: String,
    /// Its stage.
    pub stage: Stage,
    /// What the runtime needs to bind it.
    pub reflection: Reflection,
}

/// A shader that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShaderError {
    /// The source does not parse or does not validate.
    #[error("{path}:{line}:{column}: {message}")]
    Source {
        /// The file.
        path: String,
        /// 1-based line (0 when unknown).
        line: u32,
        /// 1-based column (0 when unknown).
        column: u32,
        /// What is wrong (with naga's full report).
        message: String,
    },
    /// The source has no entry point of the requested stage.
    #[error("{path}: no {stage:?} entry point")]
    NoEntryPoint {
        /// The file.
        path: String,
        /// The stage looked for.
        stage: Stage,
    },
    /// The shader file could not be read.
    #[error("{path}: cannot read the shader: {message}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        message: String,
    },
    /// The language of a shader named by a path cannot be told from its extension, or the
    /// extension names another stage than the one asked for.
    #[error("{path}: {problem} (use .wgsl, or .comp / .vert / .frag for GLSL)")]
    Extension {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// SPIR-V generation failed.
    #[error("{path}: SPIR-V generation failed: {message}")]
    Spirv {
        /// The file.
        path: String,
        /// naga's message.
        message: String,
    },
}

/// The language and stage of a shader named `path`, from its extension: `.wgsl` is WGSL
/// (of `stage`); `.comp`, `.vert`, `.frag` are GLSL of that stage (through shaderc when the
/// `shaderc` feature is on, else naga), and must agree with `stage`.
pub fn language_of(path: &str, stage: Stage) -> Result<Language, ShaderError> {
    let extension = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let glsl_stage = match extension {
        "wgsl" => return Ok(Language::Wgsl),
        "comp" => Stage::Compute,
        "vert" => Stage::Vertex,
        "frag" => Stage::Fragment,
        other => {
            return Err(ShaderError::Extension {
                path: path.to_owned(),
                problem: format!("unknown shader extension `{other}`"),
            })
        }
    };
    if glsl_stage != stage {
        return Err(ShaderError::Extension {
            path: path.to_owned(),
            problem: format!("a .{extension} file is a {glsl_stage:?} shader, not {stage:?}"),
        });
    }
    #[cfg(feature = "shaderc")]
    return Ok(Language::GlslShaderc);
    #[cfg(not(feature = "shaderc"))]
    Ok(Language::Glsl)
}

/// Compiles the `stage` entry point of `code`, the language taken from `path`'s extension
/// (see [`language_of`]).
pub fn compile_source(path: &str, code: &str, stage: Stage) -> Result<Shader, ShaderError> {
    compile(&ShaderSource {
        path,
        code,
        language: language_of(path, stage)?,
        stage,
    })
}

/// Reads the shader file `path` and compiles its `stage` entry point, the language taken
/// from the extension (see [`language_of`]).
pub fn compile_file(path: &str, stage: Stage) -> Result<Shader, ShaderError> {
    let code = std::fs::read_to_string(path).map_err(|e| ShaderError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    compile_source(path, &code, stage)
}

/// Parses, validates, reflects and compiles a shader to SPIR-V.
pub fn compile(source: &ShaderSource<'_>) -> Result<Shader, ShaderError> {
    #[cfg(feature = "shaderc")]
    if source.language == Language::GlslShaderc {
        return shaderc_glsl::compile(source);
    }
    let module = parse(source)?;
    let (info, entry_index) = validate(source, &module)?;
    let entry = &module.entry_points[entry_index];
    let reflection = reflect::reflect(&module, entry, info.get_entry_point(entry_index));
    let options = naga::back::spv::Options {
        lang_version: (1, 3),
        flags: naga::back::spv::WriterFlags::empty(),
        ..Default::default()
    };
    let pipeline = naga::back::spv::PipelineOptions {
        shader_stage: source.stage.naga(),
        entry_point: entry.name.clone(),
    };
    let spirv =
        naga::back::spv::write_vec(&module, &info, &options, Some(&pipeline)).map_err(|e| {
            ShaderError::Spirv {
                path: source.path.to_owned(),
                message: e.to_string(),
            }
        })?;
    Ok(Shader {
        path: source.path.to_owned(),
        spirv,
        entry_point: entry.name.clone(),
        stage: source.stage,
        reflection,
    })
}

/// Validates a module and finds the entry point of the source's stage.
fn validate(
    source: &ShaderSource<'_>,
    module: &naga::Module,
) -> Result<(naga::valid::ModuleInfo, usize), ShaderError> {
    let mut validator = Validator::new(ValidationFlags::all(), Capabilities::all());
    let info = validator.validate(module).map_err(|e| {
        let (line, column) = e
            .location(source.code)
            .map_or((0, 0), |l| (l.line_number, l.line_position));
        ShaderError::Source {
            path: source.path.to_owned(),
            line,
            column,
            message: e.emit_to_string_with_path(source.code, source.path),
        }
    })?;
    let entry_index = module
        .entry_points
        .iter()
        .position(|e| e.stage == source.stage.naga())
        .ok_or_else(|| ShaderError::NoEntryPoint {
            path: source.path.to_owned(),
            stage: source.stage,
        })?;
    Ok((info, entry_index))
}

fn parse(source: &ShaderSource<'_>) -> Result<naga::Module, ShaderError> {
    let error = |line: u32, column: u32, message: String| ShaderError::Source {
        path: source.path.to_owned(),
        line,
        column,
        message,
    };
    match source.language {
        Language::Wgsl => naga::front::wgsl::parse_str(source.code).map_err(|e| {
            let (line, column) = e
                .location(source.code)
                .map_or((0, 0), |l| (l.line_number, l.line_position));
            error(
                line,
                column,
                e.emit_to_string_with_path(source.code, source.path),
            )
        }),
        #[cfg(feature = "shaderc")]
        Language::GlslShaderc => Err(error(0, 0, "GLSL for shaderc is not parsed by naga".into())),
        Language::Glsl => {
            let options = naga::front::glsl::Options::from(source.stage.naga());
            naga::front::glsl::Frontend::default()
                .parse(&options, source.code)
                .map_err(|e| {
                    let (line, column) = e
                        .errors
                        .first()
                        .and_then(|first| first.location(source.code))
                        .map_or((0, 0), |l| (l.line_number, l.line_position));
                    error(
                        line,
                        column,
                        e.emit_to_string_with_path(source.code, source.path),
                    )
                })
        }
    }
}
