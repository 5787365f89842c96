// Luminance of the input, blurred horizontally with a 7-tap Gaussian (sigma 1.5).
@group(0) @binding(0) var input: texture_storage_2d<rgba8unorm, read>;
@group(0) @binding(1) var output: texture_storage_2d<r32float, write>;

const WEIGHTS = array<f32, 4>(0.26596, 0.21970, 0.11397, 0.03335);

fn luminance(p: vec2<i32>, size: vec2<i32>) -> f32 {
    let c = textureLoad(input, clamp(p, vec2<i32>(0), size - 1));
    return dot(c.rgb, vec3<f32>(0.299, 0.587, 0.114));
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = vec2<i32>(textureDimensions(output));
    let p = vec2<i32>(id.xy);
    if (p.x >= size.x || p.y >= size.y) {
        return;
    }
    var sum = luminance(p, size) * WEIGHTS[0];
    for (var i = 1; i < 4; i++) {
        sum += (luminance(p + vec2<i32>(i, 0), size) + luminance(p - vec2<i32>(i, 0), size)) * WEIGHTS[i];
    }
    textureStore(output, p, vec4<f32>(sum, 0.0, 0.0, 0.0));
}
