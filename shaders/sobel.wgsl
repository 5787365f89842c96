// Sobel gradient magnitude of the blurred luminance.
@group(0) @binding(0) var input: texture_storage_2d<r32float, read>;
@group(0) @binding(1) var output: texture_storage_2d<r32float, write>;

fn tap(p: vec2<i32>, size: vec2<i32>) -> f32 {
    return textureLoad(input, clamp(p, vec2<i32>(0), size - 1)).x;
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = vec2<i32>(textureDimensions(output));
    let p = vec2<i32>(id.xy);
    if (p.x >= size.x || p.y >= size.y) {
        return;
    }
    let a = tap(p + vec2<i32>(-1, -1), size);
    let b = tap(p + vec2<i32>(0, -1), size);
    let c = tap(p + vec2<i32>(1, -1), size);
    let d = tap(p + vec2<i32>(-1, 0), size);
    let f = tap(p + vec2<i32>(1, 0), size);
    let g = tap(p + vec2<i32>(-1, 1), size);
    let h = tap(p + vec2<i32>(0, 1), size);
    let i = tap(p + vec2<i32>(1, 1), size);
    let gx = (c + 2.0 * f + i) - (a + 2.0 * d + g);
    let gy = (g + 2.0 * h + i) - (a + 2.0 * b + c);
    textureStore(output, p, vec4<f32>(sqrt(gx * gx + gy * gy), 0.0, 0.0, 0.0));
}
