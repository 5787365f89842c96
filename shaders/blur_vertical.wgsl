// The vertical half of the separable Gaussian blur (same 7 taps).
@group(0) @binding(0) var input: texture_storage_2d<r32float, read>;
@group(0) @binding(1) var output: texture_storage_2d<r32float, write>;

const WEIGHTS = array<f32, 4>(0.26596, 0.21970, 0.11397, 0.03335);

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
    var sum = tap(p, size) * WEIGHTS[0];
    for (var i = 1; i < 4; i++) {
        sum += (tap(p + vec2<i32>(0, i), size) + tap(p - vec2<i32>(0, i), size)) * WEIGHTS[i];
    }
    textureStore(output, p, vec4<f32>(sum, 0.0, 0.0, 0.0));
}
