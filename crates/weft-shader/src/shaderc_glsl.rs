//! GLSL through shaderc: compiled to SPIR-V 1.5 (Vulkan 1.2 rules, so the workgroup size is
//! a literal `LocalSize`), then read back by naga's SPIR-V front end for reflection.

use crate::{reflect, validate, Language, Shader, ShaderError, ShaderSource, Stage};

pub(crate) fn compile(source: &ShaderSource<'_>) -> Result<Shader, ShaderError> {
    debug_assert_eq!(source.language, Language::GlslShaderc);
    let error = |line: u32, message: String| ShaderError::Source {
        path: source.path.to_owned(),
        line,
        column: 0,
        message,
    };
    let compiler =
        shaderc::Compiler::new().map_err(|e| error(0, format!("cannot start shaderc: {e}")))?;
    let mut options = shaderc::CompileOptions::new()
        .map_err(|e| error(0, format!("cannot start shaderc: {e}")))?;
    options.set_target_env(
        shaderc::TargetEnv::Vulkan,
        shaderc::EnvVersion::Vulkan1_2 as u32,
    );
    let kind = match source.stage {
        Stage::Compute => shaderc::ShaderKind::Compute,
        Stage::Vertex => shaderc::ShaderKind::Vertex,
        Stage::Fragment => shaderc::ShaderKind::Fragment,
    };
    let artifact = compiler
        .compile_into_spirv(source.code, kind, source.path, "main", Some(&options))
        .map_err(|e| {
            let text = e.to_string();
            error(first_line(&text, source.path), text)
        })?;
    let spirv = artifact.as_binary().to_vec();
    let module = naga::front::spv::parse_u8_slice(artifact.as_binary_u8(), &Default::default())
        .map_err(|e| ShaderError::Spirv {
            path: source.path.to_owned(),
            message: format!("cannot reflect shaderc's SPIR-V: {e}"),
        })?;
    let (info, entry_index) = validate(source, &module)?;
    let entry = &module.entry_points[entry_index];
    Ok(Shader {
        path: source.path.to_owned(),
        spirv,
        entry_point: entry.name.clone(),
        stage: source.stage,
        reflection: reflect::reflect(&module, entry, info.get_entry_point(entry_index)),
    })
}

/// The line of the first `path:LINE: error` in shaderc's message (0 when there is none).
fn first_line(message: &str, path: &str) -> u32 {
    message
        .lines()
        .find_map(|l| {
            l.strip_prefix(path)?
                .strip_prefix(':')?
                .split(':')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
