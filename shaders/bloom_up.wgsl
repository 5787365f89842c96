// One step up the bloom chain: add the half-size level below into this level, sampled
// bilinearly (four loads: storage images have no sampler), so the glow has no blocks.
@group(0) @binding(0) var src: texture_storage_2d<rgba16float, read>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba16float, read_write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = textureDimensions(dst);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    // The centre of this texel in the lower level's texel space.
    let at = (vec2<f32>(id.xy) + vec2<f32>(0.5)) * vec2<f32>(textureDimensions(src)) / vec2<f32>(size)
        - vec2<f32>(0.5);
    let base = floor(at);
    let f = at - base;
    let last = vec2<i32>(textureDimensions(src)) - vec2<i32>(1);
    let p0 = clamp(vec2<i32>(base), vec2<i32>(0), last);
    let p1 = clamp(vec2<i32>(base) + vec2<i32>(1), vec2<i32>(0), last);
    let a = textureLoad(src, p0).rgb;
    let b = textureLoad(src, vec2<i32>(p1.x, p0.y)).rgb;
    let c = textureLoad(src, vec2<i32>(p0.x, p1.y)).rgb;
    let d = textureLoad(src, p1).rgb;
    let low = mix(mix(a, b, f.x), mix(c, d, f.x), f.y);
    let here = textureLoad(dst, vec2<i32>(id.xy)).rgb;
    textureStore(dst, vec2<i32>(id.xy), vec4<f32>(here + 0.6 * low, 1.0));
}
