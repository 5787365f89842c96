// Histogram equalisation of the edge magnitudes through their cumulative histogram.
@group(0) @binding(0) var input: texture_storage_2d<r32float, read>;
@group(0) @binding(1) var<storage, read> cdf: array<u32, 256>;
@group(0) @binding(2) var output: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = vec2<u32>(textureDimensions(input));
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let v = clamp(textureLoad(input, vec2<i32>(id.xy)).x, 0.0, 1.0);
    let bin = u32(v * 255.0 + 0.5);
    let low = cdf[0];
    let total = size.x * size.y;
    let level = f32(cdf[bin] - low) / f32(max(total - low, 1u));
    textureStore(output, vec2<i32>(id.xy), vec4<f32>(level, level, level, 1.0));
}
