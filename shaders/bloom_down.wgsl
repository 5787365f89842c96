// One step down the bloom chain: a box filter from `src` into the (same size or half size)
// `dst`; the first step keeps only what is brighter than the threshold.
struct Push {
    threshold: f32,
    first: u32,
}

var<immediate> push: Push;
@group(0) @binding(0) var src: texture_storage_2d<rgba16float, read>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba16float, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = textureDimensions(dst);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let src_size = textureDimensions(src);
    let scale = max(src_size / size, vec2<u32>(1u));
    var sum = vec3<f32>(0.0);
    for (var dy = 0u; dy < scale.y; dy++) {
        for (var dx = 0u; dx < scale.x; dx++) {
            let p = min(id.xy * scale + vec2<u32>(dx, dy), src_size - 1u);
            var c = textureLoad(src, vec2<i32>(p)).rgb;
            if (push.first == 1u) {
                c = max(c - vec3<f32>(push.threshold), vec3<f32>(0.0));
            }
            sum += c;
        }
    }
    sum /= f32(scale.x * scale.y);
    textureStore(dst, vec2<i32>(id.xy), vec4<f32>(sum, 1.0));
}
