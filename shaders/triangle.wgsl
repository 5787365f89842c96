// Flat-coloured triangles: position (clip space, with depth) and colour per vertex.
struct VertexIn {
    @location(0) position: vec3<f32>,
    @location(1) color: vec4<f32>,
}

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) color: vec4<f32>,
}

@vertex
fn vs(v: VertexIn) -> VertexOut {
    return VertexOut(vec4<f32>(v.position, 1.0), v.color);
}

@fragment
fn fs(@location(0) color: vec4<f32>) -> @location(0) vec4<f32> {
    return color;
}
