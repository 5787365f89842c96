// One step up the bloom chain: add the half-size level below into this level.
@group(0) @binding(0) var src: texture_storage_2d<rgba16float, read>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba16float, read_write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let size = textureDimensions(dst);
    if (id.x >= size.x || id.y >= size.y) {
        return;
    }
    let low = textureLoad(src, vec2<i32>(min(id.xy / 2u, textureDimensions(src) - 1u))).rgb;
    let here = textureLoad(dst, vec2<i32>(id.xy)).rgb;
    textureStore(dst, vec2<i32>(id.xy), vec4<f32>(here + 0.6 * low, 1.0));
}
