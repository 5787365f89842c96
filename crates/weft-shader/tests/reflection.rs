//! Reflection of WGSL and GLSL shaders, and compile errors with file and line.

use weft_shader::{
    compile, BindingKind, Language, ShaderError, ShaderSource, Stage, StorageFormat,
};

fn wgsl(code: &str) -> Result<weft_shader::Shader, ShaderError> {
    compile(&ShaderSource {
        path: "test.wgsl",
        code,
        language: Language::Wgsl,
        stage: Stage::Compute,
    })
}

#[test]
fn glsl_storage_image_uniform_and_push_constants() {
    let code = r#"#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0, rgba8) uniform readonly image2D src;
layout(set = 0, binding = 1, rgba8) uniform image2D dst;
layout(set = 0, binding = 2) uniform Params { float gain; } params;
layout(push_constant) uniform Push { uint mip; uint pad; } push;
void main() {
    ivec2 p = ivec2(gl_GlobalInvocationID.xy);
    vec4 c = imageLoad(src, p) * params.gain + float(push.mip);
    imageStore(dst, p, c);
}
"#;
    let shader = compile(&ShaderSource {
        path: "blur.comp",
        code,
        language: Language::Glsl,
        stage: Stage::Compute,
    })
    .unwrap();
    let r = &shader.reflection;
    assert_eq!(r.workgroup_size, [8, 8, 1]);
    assert_eq!(r.push_constant_size, 8);
    let src = r.binding("src").unwrap();
    assert_eq!(
        src.kind,
        BindingKind::StorageImage(StorageFormat::Rgba8Unorm)
    );
    assert!(src.used.read && !src.used.write && !src.declared.write);
    let dst = r.binding("dst").unwrap();
    assert_eq!((dst.set, dst.binding), (0, 1));
    // Declared read-write, only written.
    assert!(dst.declared.read && dst.declared.write);
    assert!(!dst.used.read && dst.used.write);
    assert_eq!(
        r.binding("params").unwrap().kind,
        BindingKind::UniformBuffer
    );
    assert!(!shader.spirv.is_empty() && shader.spirv[0] == 0x0723_0203);
}

#[test]
fn unused_bindings_are_left_out_and_atomics_read_and_write() {
    let shader = wgsl(
        r#"
        @group(0) @binding(0) var<storage, read_write> counter: atomic<u32>;
        @group(0) @binding(1) var<storage, read> unused: array<u32>;
        @compute @workgroup_size(1)
        fn main() { atomicAdd(&counter, 1u); }
        "#,
    )
    .unwrap();
    let r = &shader.reflection;
    assert_eq!(r.bindings.len(), 1);
    let counter = r.binding("counter").unwrap();
    assert!(counter.used.read && counter.used.write);
}

#[test]
fn a_syntax_error_names_the_file_and_line() {
    let e = wgsl("@compute @workgroup_size(1)\nfn main() {\n  let x = ;\n}\n").unwrap_err();
    match &e {
        ShaderError::Source { path, line, .. } => {
            assert_eq!(path, "test.wgsl");
            assert_eq!(*line, 3);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().starts_with("test.wgsl:3:"), "{e}");
}

#[test]
fn a_glsl_error_names_the_file_and_line() {
    let e = compile(&ShaderSource {
        path: "bad.comp",
        code: "#version 450\nlayout(local_size_x = 1) in;\nvoid main() {\n  undefined_call();\n}\n",
        language: Language::Glsl,
        stage: Stage::Compute,
    })
    .unwrap_err();
    assert!(matches!(e, ShaderError::Source { line: 4, .. }), "{e:?}");
    assert!(e.to_string().starts_with("bad.comp:4:"), "{e}");
}

#[test]
fn a_type_error_found_by_validation_names_the_line() {
    let e = wgsl(
        "@group(0) @binding(0) var<storage, read> data: array<u32>;\n@compute @workgroup_size(1)\nfn main() {\n  data[0] = 1u;\n}\n",
    )
    .unwrap_err();
    assert!(matches!(e, ShaderError::Source { line: 4, .. }), "{e:?}");
}

#[test]
fn a_missing_entry_point_is_an_error() {
    let e = compile(&ShaderSource {
        path: "frag.wgsl",
        code: "@compute @workgroup_size(1) fn main() {}",
        language: Language::Wgsl,
        stage: Stage::Fragment,
    })
    .unwrap_err();
    assert!(matches!(e, ShaderError::NoEntryPoint { .. }), "{e}");
}

#[test]
fn glsl_through_shaderc_with_writeonly_buffers() {
    let code = r#"#version 450
layout(local_size_x = 32) in;
layout(set = 0, binding = 0) readonly buffer Input { uint values[]; } src;
layout(set = 0, binding = 1) writeonly buffer Output { uint values[]; } dst;
layout(push_constant) uniform Push { uint count; } push;
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i < push.count) dst.values[i] = src.values[i] + 1u;
}
"#;
    let shader = compile(&ShaderSource {
        path: "inc.comp",
        code,
        language: Language::GlslShaderc,
        stage: Stage::Compute,
    })
    .unwrap();
    let r = &shader.reflection;
    assert_eq!(r.workgroup_size, [32, 1, 1]);
    assert_eq!(r.push_constant_size, 4);
    let src = r.binding("src").unwrap();
    assert_eq!(src.kind, BindingKind::StorageBuffer);
    assert!(src.used.read && !src.used.write);
    let dst = r.binding("dst").unwrap();
    // (naga's SPIR-V reader does not keep `writeonly` on the declaration; the use is exact.)
    assert!(dst.declared.write && dst.used.write && !dst.used.read);
    assert_eq!(shader.spirv[0], 0x0723_0203);
}

#[test]
fn a_shaderc_error_names_the_file_and_line() {
    let e = compile(&ShaderSource {
        path: "bad.comp",
        code: "#version 450\nlayout(local_size_x = 1) in;\nvoid main() {\n  x = 1;\n}\n",
        language: Language::GlslShaderc,
        stage: Stage::Compute,
    })
    .unwrap_err();
    assert!(matches!(e, ShaderError::Source { line: 4, .. }), "{e:?}");
    assert!(e.to_string().contains("bad.comp:4:"), "{e}");
}

#[test]
fn vertex_inputs_and_fragment_outputs() {
    let code = r#"
        struct VertexIn {
            @location(0) position: vec3<f32>,
            @location(2) color: vec4<f32>,
        }
        struct VertexOut {
            @builtin(position) clip: vec4<f32>,
            @location(0) color: vec4<f32>,
        }
        @vertex
        fn vs(input: VertexIn, @location(1) id: u32) -> VertexOut {
            return VertexOut(vec4<f32>(input.position, f32(id)), input.color);
        }
        struct FragmentOut {
            @location(0) color: vec4<f32>,
            @location(1) normal: vec2<f32>,
        }
        @fragment
        fn fs(@location(0) color: vec4<f32>) -> FragmentOut {
            return FragmentOut(color, vec2<f32>(0.0));
        }
    "#;
    let vs = compile(&ShaderSource {
        path: "mesh.wgsl",
        code,
        language: Language::Wgsl,
        stage: Stage::Vertex,
    })
    .unwrap();
    let inputs: Vec<(u32, u8)> = vs
        .reflection
        .vertex_inputs
        .iter()
        .map(|io| (io.location, io.ty.components))
        .collect();
    assert_eq!(inputs, vec![(0, 3), (1, 1), (2, 4)]);
    assert_eq!(
        vs.reflection.vertex_inputs[1].ty.kind,
        weft_shader::ScalarKind::Uint
    );
    let fs = compile(&ShaderSource {
        path: "mesh.wgsl",
        code,
        language: Language::Wgsl,
        stage: Stage::Fragment,
    })
    .unwrap();
    let outputs: Vec<(u32, u8)> = fs
        .reflection
        .color_outputs
        .iter()
        .map(|io| (io.location, io.ty.components))
        .collect();
    assert_eq!(outputs, vec![(0, 4), (1, 2)]);
    assert_eq!(fs.entry_point, "fs");
}
